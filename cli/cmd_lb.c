/* cmd_lb.c — `clientip probes` and `clientip metrics`: what the lab's load
 * balancer sees, read from the files clientip-lb keeps in <statedir>/lb/
 * (lb/lb_state.h). Nothing is sent into the lab to answer: the commands
 * work from the host without touching a lab address.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "duration.h"
#include "fsutil.h"
#include "log.h"
#include "model.h"
#include "objapi.h"
/* lb/'s viewer library: state files, series, the chart. */
#include "../lb/lb_state.h"
#include "../lb/lb_svg.h"

#define LB_STALE_S 5   /* clientip-lb rewrites its files every second */

/* "svc/NAME", "service/NAME", "services/NAME" or "NAME". */
static const char *lbcmd_name(const char *arg)
{
	static const char *const prefixes[] = { "svc/", "service/", "services/" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(arg, prefixes[i], strlen(prefixes[i])) == 0)
			return arg + strlen(prefixes[i]);
	return arg;
}

/* Loads the Service and the load balancer's view of it. 0, or 1 after
 * saying why not. */
static int lbcmd_load(struct cli *cli, const char *name, struct model_service *svc,
		      struct lb_view *v)
{
	char path[LAB_PATH_MAX + 256], err[512];
	int rc;

	memset(v, 0, sizeof(*v));
	rc = objapi_get_service(cli, cli->ns, name, svc);
	if (rc == -ENOENT) {
		log_error("services \"%s\" not found in namespace \"%s\" (lab %s)", name, cli->ns,
			  cli->lab);
		return 1;
	}
	if (rc < 0)
		return 1;
	if (svc->type != MODEL_SVC_LOAD_BALANCER) {
		log_error("service %s/%s is of type %s: only LoadBalancer Services have a load "
			  "balancer", cli->ns, name, model_service_type_name(svc->type));
		return 1;
	}
	lb_state_path(cli->statedir, cli->ns, name, path, sizeof(path));
	rc = lb_view_load(path, v, err, sizeof(err));
	if (rc == -ENOENT) {
		log_error("service %s/%s: the load balancer has no state for it yet "
			  "(is clientip-lb running? `clientip lab status`)", cli->ns, name);
		return 1;
	}
	if (rc < 0) {
		log_error("%s", err);
		return 1;
	}
	if (time(NULL) - v->updated_unix > LB_STALE_S)
		log_warn("the load balancer's state is %lld s old: is clientip-lb running?",
			 (long long)(time(NULL) - v->updated_unix));
	return 0;
}

static void lbcmd_probe_desc(const struct lb_view_probe *p, char *out, size_t len)
{
	if (strcmp(p->proto, "HTTP") == 0)
		snprintf(out, len, "HTTP :%d%s", p->port, p->path);
	else if (strcmp(p->proto, "TCP") == 0)
		snprintf(out, len, "TCP :%d", p->port);
	else
		snprintf(out, len, "none");
}

/* "2024-05-01 12:00:03 (3m ago)" in local time. */
static void lbcmd_when(const char *rfc3339, char *out, size_t len)
{
	struct tm tm;
	int64_t parsed = rfc3339[0] ? model_time_parse(rfc3339) : -1;
	time_t t = (time_t)parsed, now = time(NULL);
	long ago;
	char s[32];

	if (parsed < 0) {
		snprintf(out, len, "-");
		return;
	}
	localtime_r(&t, &tm);
	strftime(s, sizeof(s), "%H:%M:%S", &tm);
	ago = (long)(now - t);
	if (ago < 0)
		ago = 0;
	if (ago < 120)
		snprintf(out, len, "%s (%lds ago)", s, ago);
	else if (ago < 7200)
		snprintf(out, len, "%s (%ldm ago)", s, ago / 60);
	else
		snprintf(out, len, "%s (%ldh ago)", s, ago / 3600);
}

static void lbcmd_interval_note(const struct lb_view *v, const struct lb_view_probe *p,
				char *out, size_t len)
{
	if (p->lab_interval_applies)
		snprintf(out, len, "lab-wide interval %d s (clientip lab up --probe-interval %d); "
			 "Azure's default is %d s", v->lab_interval_s, v->lab_interval_s,
			 LB_DEFAULT_INTERVAL_S);
	else if (p->shared)
		snprintf(out, len, "Azure's default (the shared probe takes no annotation)");
	else if (v->lab_interval_s > 0)
		snprintf(out, len, "from the Service's annotation; the lab-wide interval (%d s) "
			 "replaces only the default", v->lab_interval_s);
	else
		snprintf(out, len, "%s", p->interval_s == LB_DEFAULT_INTERVAL_S ? "Azure's default"
									     : "from the annotation");
}

/* One rule: its probe, each backend's state in its pool, its Health Probe
 * Status. */
static void lbcmd_rule(const struct lb_view *v, const struct lb_view_rule *r, bool several)
{
	char probe[MODEL_PATH_MAX + 32], note[256], when[64];

	lbcmd_probe_desc(&r->probe, probe, sizeof(probe));
	printf("\nRule:           %s %d/%s -> NodePort %d\n", r->name, r->port,
	       model_proto_name(r->proto), r->node_port);
	if (strcmp(r->probe.proto, "none") == 0) {
		printf("Probe:          none: %s\n", r->no_probe_rule
		       ? "port annotation no_probe_rule, every backend takes new flows"
		       : "a UDP rule gets no probe, every backend takes new flows");
	} else {
		lbcmd_interval_note(v, &r->probe, note, sizeof(note));
		printf("Probe:          %s%s, every %d s, %d consecutive result%s flip a backend, "
		       "timeout %d ms\n", probe,
		       r->probe.shared ? " (shared: kube-proxy's health, one probe for every "
					 "Cluster Service)" : "",
		       r->probe.interval_s, r->probe.threshold, r->probe.threshold == 1 ? "" : "s",
		       r->probe.timeout_ms);
		printf("Interval:       %s\n", note);
		if (r->probe.https_as_tcp)
			printf("Note:           https asked for; probed with a TCP connect (no TLS in "
			       "this lab)\n");
	}
	printf("\n%-7s %-13s %-22s %-8s %-26s %-8s %s\n", "NODE", "ADDRESS", "PROBE", "STATE",
	       "LAST RESULT", "IN ROW", "LAST CHANGE");
	for (int i = 0; i < r->n_backends; i++) {
		const struct lb_view_backend *b = &r->backends[i];

		lbcmd_when(b->last_change, when, sizeof(when));
		printf("%-7s %-13s %-22s %-8s %-26s %-8d %s\n", b->node, b->address, probe, b->state,
		       b->last_result[0] ? b->last_result : "-", b->consecutive, when);
	}
	printf("\n");
	note[0] = '\0';
	if (several)
		snprintf(note, sizeof(note), " (%d/%s)", r->port, model_proto_name(r->proto));
	if (isnan(r->health_percent))
		printf("Health Probe Status%s: - (no probe result yet; %d backends)\n", note,
		       r->n_backends);
	else
		printf("Health Probe Status%s: %.0f %% (%d of %d backend%s up)\n", note,
		       r->health_percent, r->backends_up, r->n_backends,
		       r->n_backends == 1 ? "" : "s");
	/* With one rule the Service's line below says it all. */
	if (several && r->dpa_known)
		printf("Data Path Availability%s: %d %% (last check through the frontend: %s)\n",
		       note, r->dpa_ok ? 100 : 0, r->dpa_result);
}

static void lbcmd_probes_usage(FILE *out)
{
	fprintf(out, "usage: clientip probes SVC\n"
		     "\n"
		     "The load balancer's health probes of a LoadBalancer Service, per rule\n"
		     "(frontend port): the rule's probe, each backend node's state and last result\n"
		     "in that rule's pool, and the Health Probe Status.\n");
}

int cmd_probes(struct cli *cli, int argc, char **argv)
{
	struct model_service svc;
	struct lb_view v;
	const char *name;
	int rc;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		lbcmd_probes_usage(stdout);
		return 0;
	}
	if (argc != 2) {
		lbcmd_probes_usage(stderr);
		return 2;
	}
	name = lbcmd_name(argv[1]);
	rc = lbcmd_load(cli, name, &svc, &v);
	if (rc)
		return rc;
	printf("Service:        %s/%s (externalTrafficPolicy: %s)\n", v.ns, v.name,
	       model_policy_name(svc.external_policy));
	if (v.frontend[0]) {
		printf("Frontend:       %s", v.frontend);
		for (int i = 0; i < v.n_ports; i++)
			printf("%s%d/%s", i ? ", " : ":", v.ports[i].port,
			       model_proto_name(v.ports[i].proto));
		printf(" (floating IP %s", v.floating_ip ? "on" : "off: DNAT to node:NodePort");
		printf(", %s distribution)\n", v.source_ip ? "SourceIP" : "5-tuple");
	} else {
		printf("Frontend:       <pending>\n");
	}
	if (svc.external_policy == MODEL_POLICY_CLUSTER && v.probe_mode[0])
		printf("Probe mode:     %s (%s)\n", v.probe_mode,
		       strcmp(v.probe_mode, "shared") == 0
		       ? "kube-proxy's :10256/healthz on every node decides for every rule"
		       : "each port's probe on its NodePort decides its rule's pool");
	if (v.sync_error[0])
		printf("Sync:           failed, the load balancer is left as it was: %s\n",
		       v.sync_error);
	if (v.n_rules == 0)
		printf("Rules:          none\n");
	for (int r = 0; r < v.n_rules; r++)
		lbcmd_rule(&v, &v.rules[r], v.n_rules > 1);
	if (v.n_rules > 1) {
		int pairs = 0;

		for (int r = 0; r < v.n_rules; r++)
			pairs += v.rules[r].n_backends;
		if (isnan(v.health_percent))
			printf("\nHealth Probe Status: - (no probe result yet)\n");
		else
			printf("\nHealth Probe Status: %.0f %% (%d of %d backend probes up over %d "
			       "rules)\n", v.health_percent, v.backends_up, pairs, v.n_rules);
	}
	if (v.dpa_known && v.n_rules > 1)
		printf("Data Path Availability: %.0f %% (average over the frontend ports)\n",
		       v.dpa_percent);
	else if (v.dpa_known)
		printf("Data Path Availability: %.0f %% (last check through the frontend: %s)\n",
		       v.dpa_percent, v.dpa_result);
	for (int i = 0; i < v.n_events; i++)
		printf("Warning  %s  %s\n", v.events[i].reason, v.events[i].message);
	lb_view_free(&v);
	return 0;
}

static void lbcmd_metrics_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip metrics SVC [--since 30m] [--granularity 1m|1s] [--svg FILE]\n"
		"       clientip metrics node/NODE\n"
		"\n"
		"The load balancer's metrics of a LoadBalancer Service over time: Health Probe\n"
		"Status per backend and for the pool, Data Path Availability, new flows.\n"
		"--svg writes the portal-style chart of Health Probe Status split by backend IP,\n"
		"with the pool's average (the unsplit metric) as a dashed line.\n"
		"Kept: 1 s points for 30 minutes, 1 min points for 24 hours.\n"
		"\n"
		"node/NODE prints that node's service proxy metrics (Prometheus text, as served\n"
		"on the node's port 10249): sync durations, rules and map elements programmed,\n"
		"local and remote endpoints per Service, packets dropped for lack of a local\n"
		"endpoint.\n");
}

/* A node agent's proxy metrics, from the copy it writes after each sync
 * (the CLI never sends traffic into the lab from the host namespace). */
static int lbcmd_node_metrics(const struct cli *cli, const char *node)
{
	char path[LAB_PATH_MAX + 64], *text = NULL;
	int rc;

	if (lab_node_index(node) < 0) {
		log_error("node/%s: expected a node name like node0", node);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/status/nodes/%s.metrics", cli->statedir, node);
	rc = fs_read_all(path, &text, NULL);
	if (rc < 0) {
		log_error("%s: no metrics (%s): is lab %s up with that node?", node, strerror(-rc),
			  cli->lab);
		return 1;
	}
	fputs(text, stdout);
	free(text);
	return 0;
}

/* The columns' window [from, to] as indices; false if it is empty. */
static bool lbcmd_window(const struct lb_columns *c, int64_t from, int64_t to, int *a, int *z)
{
	int64_t i0, i1;

	if (!c->pool || c->len == 0)
		return false;
	i0 = (from - c->start + c->step - 1) / c->step;
	i1 = (to - c->start) / c->step;
	if (i0 < 0)
		i0 = 0;
	if (i1 >= c->len)
		i1 = c->len - 1;
	if (i0 > i1)
		return false;
	*a = (int)i0;
	*z = (int)i1;
	return true;
}

static void lbcmd_cell(double v)
{
	if (isnan(v))
		printf("%8s", "-");
	else
		printf("%8.0f", v);
}

/* The chart spans the whole window asked for, as the portal's does: slots
 * before the first sample are gaps, not a shorter axis. */
static int lbcmd_svg(const struct lb_view *v, const struct lb_columns *c, int z, long since,
		     const char *path)
{
	struct lb_svg_line lines[LB_MAX_BACKENDS], average;
	char subtitle[256], note[256], span[32];
	struct lb_svg_chart chart = { 0 };
	struct buf out = BUF_INIT;
	int n = c->n < v->n_backends ? c->n : v->n_backends;
	int len = (int)(since / c->step) > 0 ? (int)(since / c->step) : 1;
	int64_t end = c->start + (int64_t)z * c->step, start = end - (int64_t)(len - 1) * c->step;
	/* n backends' columns, then the pool's. */
	float *values = malloc((size_t)len * (size_t)(n + 1) * sizeof(float));
	int rc;

	if (!values) {
		log_error("out of memory");
		return 1;
	}
	for (int b = 0; b < n; b++) {
		for (int k = 0; k < len; k++) {
			int64_t i = (start + (int64_t)k * c->step - c->start) / c->step;

			values[(size_t)b * (size_t)len + (size_t)k] =
				i >= 0 && i < c->len ? c->health[(size_t)b * (size_t)c->len + (size_t)i]
						     : NAN;
		}
		lines[b].label = v->backends[b].address;
		lines[b].values = values + (size_t)b * (size_t)len;
	}
	average.label = "all backends";
	average.values = values + (size_t)n * (size_t)len;
	for (int k = 0; k < len; k++) {
		int64_t i = (start + (int64_t)k * c->step - c->start) / c->step;

		values[(size_t)n * (size_t)len + (size_t)k] = i >= 0 && i < c->len ? c->pool[i] : NAN;
	}
	if (since % 3600 == 0)
		snprintf(span, sizeof(span), "%ld hour%s", since / 3600, since == 3600 ? "" : "s");
	else if (since % 60 == 0)
		snprintf(span, sizeof(span), "%ld minute%s", since / 60, since == 60 ? "" : "s");
	else
		snprintf(span, sizeof(span), "%ld seconds", since);
	snprintf(subtitle, sizeof(subtitle), "%s/%s  ·  frontend %s  ·  last %s  ·  %s granularity",
		 v->ns, v->name, v->frontend[0] ? v->frontend : "<pending>", span,
		 c->step == 60 ? "1 minute" : "1 second");
	if (v->lab_interval_applies)
		snprintf(note, sizeof(note), "Probe interval %d s: lab-wide setting (Azure's default "
			 "is %d s); %d consecutive probes flip a backend", v->interval_s,
			 LB_DEFAULT_INTERVAL_S, v->threshold);
	else
		snprintf(note, sizeof(note), "Probe interval %d s; %d consecutive probes flip a "
			 "backend", v->interval_s, v->threshold);
	chart.title = "Health Probe Status (Avg), split by Backend IP Address";
	chart.subtitle = subtitle;
	chart.note = note;
	chart.metric = "Health Probe Status";
	chart.start = start;
	chart.step = c->step;
	chart.len = len;
	chart.lines = lines;
	chart.n = n;
	chart.average = &average;
	lb_svg_render(&chart, &out);
	free(values);
	rc = fs_write_atomic(path, out.data, out.len, 0644);
	buf_free(&out);
	if (rc < 0) {
		log_error("%s: %s", path, strerror(-rc));
		return 1;
	}
	return 0;
}

int cmd_metrics(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "granularity", required_argument, NULL, 'g' },
		{ "svg", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *svg = NULL, *gran = "1m";
	long since = 1800;
	int64_t since_ms;
	struct model_service svc;
	const struct lb_columns *c;
	struct lb_view v;
	char note[256];
	int opt, rc, a, z;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			/* "30m", "90s", "2h"; a bare number is minutes. */
			since_ms = duration_parse_or_number_ms(optarg, 60000);
			since = since_ms < 1000 ? -1 : (long)(since_ms / 1000);
			if (since < 0) {
				log_error("--since %s: give a duration like 90s, 30m or 2h", optarg);
				return 2;
			}
			break;
		case 'g':
			gran = optarg;
			if (strcmp(gran, "1m") != 0 && strcmp(gran, "1s") != 0) {
				log_error("--granularity %s: 1m or 1s", gran);
				return 2;
			}
			break;
		case 'o': svg = optarg; break;
		case 'h': lbcmd_metrics_usage(stdout); return 0;
		default: lbcmd_metrics_usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		lbcmd_metrics_usage(stderr);
		return 2;
	}
	if (strncmp(argv[optind], "node/", 5) == 0)
		return lbcmd_node_metrics(cli, argv[optind] + 5);
	rc = lbcmd_load(cli, lbcmd_name(argv[optind]), &svc, &v);
	if (rc)
		return rc;
	c = strcmp(gran, "1s") == 0 ? &v.sec : &v.min;
	if (!lbcmd_window(c, v.updated_unix - since + 1, v.updated_unix, &a, &z)) {
		printf("No %s data in the last %ld s yet.\n", gran, since);
		if (svg) {
			/* Still draw the frame, saying there is no data. */
			struct lb_columns empty;

			if (lb_columns_alloc(&empty, v.updated_unix - since, c == &v.sec ? 1 : 60, 1,
					     v.n_backends) == 0) {
				rc = lbcmd_svg(&v, &empty, 0, since, svg);
				lb_columns_free(&empty);
			}
		}
		lb_view_free(&v);
		return rc;
	}
	{
		struct lb_view_probe p = { .interval_s = v.interval_s,
					   .lab_interval_applies = v.lab_interval_applies,
					   .shared = v.probe_shared };

		lbcmd_interval_note(&v, &p, note, sizeof(note));
	}
	printf("Health Probe Status (Avg), split by Backend IP Address: %s/%s, frontend %s\n",
	       v.ns, v.name, v.frontend[0] ? v.frontend : "<pending>");
	printf("Granularity %s, probe interval %d s (%s)\n\n", gran, v.interval_s, note);
	printf("%-9s", "TIME");
	for (int b = 0; b < c->n && b < v.n_backends; b++)
		printf(" %12s", v.backends[b].address);
	printf(" %8s %10s %8s\n", "POOL %", "DATAPATH %", "FLOWS");
	for (int k = a; k <= z; k++) {
		time_t t = (time_t)(c->start + (int64_t)k * c->step);
		double flows = 0;
		bool any_flows = false;
		struct tm tm;
		char ts[16];

		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), c->step == 60 ? "%H:%M" : "%H:%M:%S", &tm);
		printf("%-9s", ts);
		for (int b = 0; b < c->n && b < v.n_backends; b++) {
			double h = c->health[(size_t)b * (size_t)c->len + (size_t)k];
			double f = c->flows[(size_t)b * (size_t)c->len + (size_t)k];

			printf("     ");
			lbcmd_cell(h);
			if (!isnan(f)) {
				flows += f;
				any_flows = true;
			}
		}
		printf(" ");
		lbcmd_cell(c->pool[k]);
		printf("   ");
		lbcmd_cell(c->dpa[k]);
		printf(" ");
		lbcmd_cell(any_flows ? flows : NAN);
		printf("\n");
	}
	printf("\n%-7s %-13s %10s %12s %14s\n", "NODE", "ADDRESS", "FLOWS", "PACKETS", "BYTES");
	for (int b = 0; b < v.n_backends; b++)
		printf("%-7s %-13s %10llu %12llu %14llu\n", v.backends[b].node, v.backends[b].address,
		       (unsigned long long)v.backends[b].flows,
		       (unsigned long long)v.backends[b].packets,
		       (unsigned long long)v.backends[b].bytes);
	if (svg) {
		rc = lbcmd_svg(&v, c, z, since, svg);
		if (!rc)
			printf("\nChart written to %s\n", svg);
	}
	lb_view_free(&v);
	return rc;
}
