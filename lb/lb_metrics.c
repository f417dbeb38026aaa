/* lb_metrics.c — the per-second work of clientip-lb: read the data path's
 * counters, sample every Service, keep the series, and write what the CLI
 * and a Prometheus scraper read (lb/<ns>_<name>.json, lb/metrics.prom). */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "labinfo.h"
#include "model.h"
#include "lb_daemon.h"
#include "lb_state.h"
#include "log.h"
#include "prom.h"

static void lb_backend_totals(struct lb_svc *s, const struct lb_nft_counter *c, int n)
{
	char name[LB_COUNTER_NAME_MAX];

	for (int b = 0; b < s->n_backends; b++) {
		struct lb_backend *be = &s->backends[b];
		const struct lb_nft_counter *f, *t;

		lb_nft_flows_name(s->key, b, name, sizeof(name));
		f = lb_nft_counter_find(c, n, name);
		lb_nft_traffic_name(s->key, b, name, sizeof(name));
		t = lb_nft_counter_find(c, n, name);
		if (f)
			be->flows = f->packets;
		if (t) {
			be->packets = t->packets;
			be->bytes = t->bytes;
		}
	}
}

/* Counter growth since the previous sample; a counter that went down was
 * declared anew (a replace that could not carry it) and counts from 0. */
static uint64_t lb_delta(uint64_t now, uint64_t prev, bool have_prev)
{
	if (!have_prev)
		return 0;
	return now >= prev ? now - prev : now;
}

/* A backend's Health Probe Status over the Service's rules: the average of
 * the rules whose probe has a result (100 up, 0 down), NAN if none has. */
static float lb_node_health(const struct lb_svc *s, int node)
{
	float sum = 0;
	int known = 0;

	for (int r = 0; r < s->conf.n_rules; r++) {
		enum lb_health h = lb_rule_health(s, r, node)->state;

		if (h == LB_HEALTH_UNKNOWN)
			continue;
		sum += h == LB_HEALTH_UP ? 100.0f : 0.0f;
		known++;
	}
	return known ? sum / (float)known : NAN;
}

static void lb_svc_sample(struct lb_svc *s, int64_t t)
{
	float health[LB_MAX_BACKENDS];
	uint64_t flows[LB_MAX_BACKENDS], packets[LB_MAX_BACKENDS], bytes[LB_MAX_BACKENDS];
	struct lb_sample in = { health, NAN, flows, packets, bytes };

	for (int b = 0; b < s->n_backends; b++) {
		struct lb_backend *be = &s->backends[b];

		health[b] = lb_node_health(s, b);
		flows[b] = lb_delta(be->flows, be->prev_flows, be->have_prev);
		packets[b] = lb_delta(be->packets, be->prev_packets, be->have_prev);
		bytes[b] = lb_delta(be->bytes, be->prev_bytes, be->have_prev);
		be->prev_flows = be->flows;
		be->prev_packets = be->packets;
		be->prev_bytes = be->bytes;
		be->have_prev = true;
	}
	{
		float dsum = 0;
		int dknown = 0;

		for (int r = 0; r < LB_MAX_RULES; r++) {
			if (!s->dpa[r] || !lb_probe_health(s->dpa[r])->last_probe_ms)
				continue;
			dsum += lb_probe_health(s->dpa[r])->last_ok ? 100.0f : 0.0f;
			dknown++;
		}
		/* The portal's unsplit Avg over the frontend ports. */
		if (dknown)
			in.dpa = dsum / (float)dknown;
	}
	lb_series_add(s->series, t, &in);
	if (!s->first_sample)
		s->first_sample = t;
}

static void lb_view_health(const struct lb_health_state *h, int node,
			   struct lb_view_backend *vb)
{
	struct in_addr a = lab_node_addr(node);

	snprintf(vb->node, sizeof(vb->node), "node%d", node);
	inet_ntop(AF_INET, &a, vb->address, sizeof(vb->address));
	snprintf(vb->state, sizeof(vb->state), "%s", lb_health_name(h->state));
	snprintf(vb->last_result, sizeof(vb->last_result), "%s", h->last_result);
	vb->last_ok = h->last_ok;
	vb->consecutive = h->consecutive;
	lb_time_format(h->last_change_ms, vb->last_change, sizeof(vb->last_change));
	lb_time_format(h->last_probe_ms, vb->last_probe, sizeof(vb->last_probe));
	vb->latency_ms = h->last_latency_ms;
	vb->successes = h->successes;
	vb->failures = h->failures;
}

static void lb_view_probe_of(const struct lb_probe_conf *pc, struct lb_view_probe *p)
{
	memset(p, 0, sizeof(*p));
	if (!pc) {
		snprintf(p->proto, sizeof(p->proto), "none");
		return;
	}
	snprintf(p->proto, sizeof(p->proto), "%s", lb_probe_proto_name(pc->proto));
	p->port = pc->port;
	snprintf(p->path, sizeof(p->path), "%s", pc->https_as_tcp ? "" : pc->path);
	p->interval_s = pc->interval_s;
	p->threshold = pc->threshold;
	p->timeout_ms = (int)lb_probe_timeout_ms((uint32_t)pc->interval_s * 1000u);
	p->lab_interval_applies = pc->lab_interval;
	p->https_as_tcp = pc->https_as_tcp;
	p->shared = pc->shared;
}

static void lb_svc_view(const struct lb_daemon *lbd, const struct lb_svc *s, int64_t now_ms,
			struct lb_view *v)
{
	int64_t t = now_ms / 1000, from;
	int main_rule = lb_svc_main_rule(s);
	struct lb_view_probe mp;
	double sum = 0;
	int known = 0;

	memset(v, 0, sizeof(*v));
	snprintf(v->ns, sizeof(v->ns), "%s", s->spec.meta.ns);
	snprintf(v->name, sizeof(v->name), "%s", s->spec.meta.name);
	if (s->frontend.s_addr)
		inet_ntop(AF_INET, &s->frontend, v->frontend, sizeof(v->frontend));
	lb_time_format(now_ms, v->updated, sizeof(v->updated));
	v->updated_unix = t;
	v->floating_ip = s->conf.floating_ip;
	v->source_ip = s->conf.source_ip_affinity;
	for (int i = 0; i < s->spec.n_ports; i++) {
		v->ports[i].proto = s->spec.ports[i].proto;
		v->ports[i].port = s->spec.ports[i].port;
		v->ports[i].node_port = s->spec.ports[i].node_port;
	}
	v->n_ports = s->spec.n_ports;
	snprintf(v->probe_mode, sizeof(v->probe_mode), "%s",
		 labinfo_probe_mode_name(lbd->info.cluster_probe_mode));
	snprintf(v->sync_error, sizeof(v->sync_error), "%s", s->error);
	lb_view_probe_of(main_rule < s->conf.n_rules && s->conf.rules[main_rule].probe >= 0
			 ? &s->conf.probes[s->conf.rules[main_rule].probe] : NULL, &mp);
	snprintf(v->probe_proto, sizeof(v->probe_proto), "%s", mp.proto);
	v->probe_port = mp.port;
	snprintf(v->probe_path, sizeof(v->probe_path), "%s", mp.path);
	v->interval_s = mp.interval_s ? mp.interval_s : (lbd->info.probe_interval_s > 0
							  ? lbd->info.probe_interval_s
							  : LB_DEFAULT_INTERVAL_S);
	v->threshold = mp.threshold ? mp.threshold : LB_DEFAULT_THRESHOLD;
	v->timeout_ms = (int)lb_probe_timeout_ms((uint32_t)v->interval_s * 1000u);
	v->lab_interval_s = lbd->info.probe_interval_s;
	v->lab_interval_applies = mp.interval_s ? mp.lab_interval_applies
						: lbd->info.probe_interval_s > 0;
	v->https_as_tcp = mp.https_as_tcp;
	v->probe_shared = mp.shared;
	if (lb_view_rules_alloc(v, s->conf.n_rules) < 0)
		log_warn("%s: rules left out of the state file: out of memory", s->key);
	for (int r = 0; r < v->n_rules; r++) {
		const struct lb_rule_conf *rc = &s->conf.rules[r];
		struct lb_view_rule *vr = &v->rules[r];
		double rsum = 0;
		int rknown = 0;

		snprintf(vr->name, sizeof(vr->name), "%s", rc->name);
		vr->proto = rc->proto;
		vr->port = rc->port;
		vr->node_port = rc->node_port;
		vr->no_probe_rule = rc->no_probe_rule;
		lb_view_probe_of(rc->probe >= 0 ? &s->conf.probes[rc->probe] : NULL, &vr->probe);
		for (int b = 0; b < s->n_backends; b++) {
			const struct lb_health_state *h = lb_rule_health(s, r, b);

			lb_view_health(h, b, &vr->backends[b]);
			if (h->state != LB_HEALTH_UNKNOWN) {
				rsum += h->state == LB_HEALTH_UP ? 100 : 0;
				rknown++;
			}
			vr->backends_up += h->state == LB_HEALTH_UP;
		}
		vr->n_backends = s->n_backends;
		vr->health_percent = rknown ? rsum / rknown : NAN;
		sum += rsum;
		known += rknown;
		v->backends_up += vr->backends_up;
	}
	for (int b = 0; b < s->n_backends; b++) {
		const struct lb_backend *be = &s->backends[b];
		struct lb_view_backend *vb = &v->backends[b];

		if (main_rule < v->n_rules)
			*vb = v->rules[main_rule].backends[b];
		else
			lb_view_health(&(struct lb_health_state){ 0 }, b, vb);
		vb->flows = be->flows;
		vb->packets = be->packets;
		vb->bytes = be->bytes;
	}
	v->n_backends = s->n_backends;
	/* One rule: "1 of 2 backends up"; more: up (rule, backend) pairs. */
	v->health_percent = known ? sum / known : NAN;
	/* Data Path Availability per frontend port, and the Service's as the
	 * portal shows it unsplit: the average; its last result is that of a
	 * failing port if any. */
	{
		double dsum = 0;
		int dknown = 0;
		int64_t last = 0;

		v->dpa_ok = true;
		v->dpa_percent = NAN;
		for (int r = 0; r < v->n_rules && r < LB_MAX_RULES; r++) {
			const struct lb_health_state *h;
			struct lb_view_rule *vr = &v->rules[r];

			if (!s->dpa[r] || !lb_probe_health(s->dpa[r])->last_probe_ms)
				continue;
			h = lb_probe_health(s->dpa[r]);
			vr->dpa_known = true;
			vr->dpa_ok = h->last_ok;
			snprintf(vr->dpa_result, sizeof(vr->dpa_result), "%s", h->last_result);
			dsum += h->last_ok ? 100 : 0;
			dknown++;
			if (!h->last_ok || !v->dpa_result[0])
				snprintf(v->dpa_result, sizeof(v->dpa_result), "%s", h->last_result);
			if (!h->last_ok)
				v->dpa_ok = false;
			if (h->last_probe_ms > last)
				last = h->last_probe_ms;
		}
		v->dpa_known = dknown > 0;
		if (dknown) {
			v->dpa_percent = dsum / dknown;
			lb_time_format(last, v->dpa_last, sizeof(v->dpa_last));
		}
	}
	if (s->error[0]) {
		snprintf(v->events[0].reason, sizeof(v->events[0].reason), "SyncLoadBalancerFailed");
		snprintf(v->events[0].message, sizeof(v->events[0].message), "%s", s->error);
		v->n_events = 1;
	}
	if (s->pending_reason[0] && v->n_events < LB_MAX_EVENTS) {
		snprintf(v->events[v->n_events].reason, sizeof(v->events[0].reason), "%s",
			 s->pending_reason);
		snprintf(v->events[v->n_events].message, sizeof(v->events[0].message), "%s",
			 s->pending_message);
		v->n_events++;
	}
	for (int i = 0; i < s->conf.n_events && v->n_events < LB_MAX_EVENTS; i++)
		v->events[v->n_events++] = s->conf.events[i];
	/* Only the span that can hold data: a new Service writes a small file. */
	from = t - (LB_SERIES_SECONDS - 60) + 1;
	if (s->first_sample > from)
		from = s->first_sample;
	if (lb_series_export(s->series, LB_GRAN_1S, from, t, &v->sec) < 0)
		memset(&v->sec, 0, sizeof(v->sec));
	from = t - (int64_t)(LB_SERIES_MINUTES - 1) * 60;
	if (s->first_sample > from)
		from = s->first_sample;
	if (lb_series_export(s->series, LB_GRAN_1M, from, t, &v->min) < 0)
		memset(&v->min, 0, sizeof(v->min));
}

/* rule >= 0 adds the rule's frontend port and protocol, as Azure's
 * FrontendPort dimension. */
static void lb_prom_labels(struct buf *out, const struct lb_svc *s, int rule, int backend)
{
	char ip[INET_ADDRSTRLEN] = "";

	if (s->frontend.s_addr)
		inet_ntop(AF_INET, &s->frontend, ip, sizeof(ip));
	prom_label(out, "namespace", s->spec.meta.ns, true);
	prom_label(out, "service", s->spec.meta.name, false);
	prom_label(out, "frontend", ip, false);
	if (rule >= 0)
		buf_printf(out, ",frontend_port=\"%d\",protocol=\"%s\"", s->conf.rules[rule].port,
			   model_proto_name(s->conf.rules[rule].proto));
	if (backend >= 0) {
		struct in_addr a = lab_node_addr(backend);

		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		buf_printf(out, ",backend=\"%s\",node=\"node%d\"", ip, backend);
	}
	buf_puts(out, "}");
}

void lb_metrics_prometheus(const struct lb_daemon *lbd, struct buf *out)
{
	const struct lb_prober_stats *st = lb_prober_stats(lbd->prober);

	prom_head(out, "clientip_lb_health_probe_status", "gauge",
		     "Health Probe Status of a backend in a rule's pool: 100 up, 0 down "
		     "(Unknown: absent).");
	for (int i = 0; i < lbd->n_svcs; i++) {
		const struct lb_svc *s = lbd->svcs[i];

		for (int r = 0; r < s->conf.n_rules; r++) {
			for (int b = 0; b < s->n_backends; b++) {
				const struct lb_health_state *h = lb_rule_health(s, r, b);

				if (h->state == LB_HEALTH_UNKNOWN)
					continue;
				buf_puts(out, "clientip_lb_health_probe_status");
				lb_prom_labels(out, s, r, b);
				buf_printf(out, " %d\n", h->state == LB_HEALTH_UP ? 100 : 0);
			}
		}
	}
	prom_head(out, "clientip_lb_health_probe_status_percent", "gauge",
		     "Health Probe Status averaged over every rule's backends, in percent.");
	for (int i = 0; i < lbd->n_svcs; i++) {
		const struct lb_svc *s = lbd->svcs[i];
		int known = 0, up = 0;

		for (int r = 0; r < s->conf.n_rules; r++) {
			for (int b = 0; b < s->n_backends; b++) {
				enum lb_health h = lb_rule_health(s, r, b)->state;

				known += h != LB_HEALTH_UNKNOWN;
				up += h == LB_HEALTH_UP;
			}
		}
		if (!known)
			continue;
		buf_puts(out, "clientip_lb_health_probe_status_percent");
		lb_prom_labels(out, s, -1, -1);
		buf_printf(out, " %g\n", 100.0 * up / known);
	}
	prom_head(out, "clientip_lb_data_path_availability_percent", "gauge",
		     "Data Path Availability: the edge's last TCP check through each frontend port.");
	for (int i = 0; i < lbd->n_svcs; i++) {
		const struct lb_svc *s = lbd->svcs[i];

		/* One series per frontend port, the portal's dimension. */
		for (int r = 0; r < s->conf.n_rules && r < LB_MAX_RULES; r++) {
			const struct lb_health_state *h = s->dpa[r] ? lb_probe_health(s->dpa[r]) : NULL;

			if (!h || !h->last_probe_ms)
				continue;
			buf_puts(out, "clientip_lb_data_path_availability_percent");
			lb_prom_labels(out, s, r, -1);
			buf_printf(out, " %d\n", h->last_ok ? 100 : 0);
		}
	}
	{
		static const char *const names[] = { "clientip_lb_backend_flows_total",
						     "clientip_lb_backend_packets_total",
						     "clientip_lb_backend_bytes_total" };
		static const char *const helps[] = {
			"New flows the load balancer sent to a backend.",
			"Packets of those flows, both directions.",
			"Bytes of those flows, both directions.",
		};

		for (int m = 0; m < 3; m++) {
			prom_head(out, names[m], "counter", helps[m]);
			for (int i = 0; i < lbd->n_svcs; i++) {
				const struct lb_svc *s = lbd->svcs[i];

				if (!s->frontend.s_addr)
					continue;
				for (int b = 0; b < s->n_backends; b++) {
					const struct lb_backend *be = &s->backends[b];
					uint64_t v = m == 0 ? be->flows : m == 1 ? be->packets
										 : be->bytes;

					buf_puts(out, names[m]);
					lb_prom_labels(out, s, -1, b);
					buf_printf(out, " %llu\n", (unsigned long long)v);
				}
			}
		}
	}
	prom_head(out, "clientip_lb_probe_interval_seconds", "gauge",
		     "Probe interval in effect (the lab-wide interval when set).");
	for (int i = 0; i < lbd->n_svcs; i++) {
		const struct lb_svc *s = lbd->svcs[i];

		for (int r = 0; r < s->conf.n_rules; r++) {
			if (s->conf.rules[r].probe < 0)
				continue;
			buf_puts(out, "clientip_lb_probe_interval_seconds");
			lb_prom_labels(out, s, r, -1);
			buf_printf(out, " %d\n", s->conf.probes[s->conf.rules[r].probe].interval_s);
		}
	}
	prom_head(out, "clientip_lb_probe_threshold", "gauge",
		     "Consecutive results that flip a backend (num-of-probe).");
	for (int i = 0; i < lbd->n_svcs; i++) {
		const struct lb_svc *s = lbd->svcs[i];

		for (int r = 0; r < s->conf.n_rules; r++) {
			if (s->conf.rules[r].probe < 0)
				continue;
			buf_puts(out, "clientip_lb_probe_threshold");
			lb_prom_labels(out, s, r, -1);
			buf_printf(out, " %d\n", s->conf.probes[s->conf.rules[r].probe].threshold);
		}
	}
	prom_single(out, "clientip_lb_probe_attempts_total", "counter",
		    "Probe attempts started.",
		    "%llu", (unsigned long long)st->attempts);
	prom_single(out, "clientip_lb_probe_timeouts_total", "counter",
		    "Probe attempts that got no answer in time.",
		    "%llu", (unsigned long long)st->timeouts);
	prom_single(out, "clientip_lb_ruleset_applies_total", "counter",
		    "Atomic replaces of table ip azure-lb.",
		    "%llu", (unsigned long long)lbd->applies);
	prom_single(out, "clientip_lb_ruleset_errors_total", "counter",
		    "Replaces of table ip azure-lb that failed.",
		    "%llu", (unsigned long long)lbd->apply_errors);
}

/* Writes every Service's state file and metrics.prom as things are now. */
void lb_metrics_write(struct lb_daemon *lbd, int64_t now_ms)
{
	struct buf text = BUF_INIT;
	char path[LAB_PATH_MAX + 128];
	int rc;

	for (int i = 0; i < lbd->n_svcs; i++) {
		const struct lb_svc *s = lbd->svcs[i];
		struct lb_view v;

		lb_svc_view(lbd, s, now_ms, &v);
		buf_reset(&text);
		lb_view_write(&v, &text);
		lb_view_free(&v);
		lb_state_path(lbd->statedir, s->spec.meta.ns, s->spec.meta.name, path, sizeof(path));
		rc = fs_write_atomic(path, text.data, text.len, 0644);
		if (rc < 0)
			log_warn("%s: %s", path, strerror(-rc));
	}
	buf_reset(&text);
	lb_metrics_prometheus(lbd, &text);
	snprintf(path, sizeof(path), "%s/%s/%s", lbd->statedir, LB_STATE_DIR, LB_METRICS_FILE);
	rc = fs_write_atomic(path, text.data, text.len, 0644);
	if (rc < 0)
		log_warn("%s: %s", path, strerror(-rc));
	buf_free(&text);
}

void lb_metrics_tick(struct lb_daemon *lbd, int64_t now_ms)
{
	struct lb_nft_counter *c = NULL;
	char err[512];
	int n = 0;

	if (lbd->nft) {
		n = lb_nft_read_counters(lbd->nft, &c, err, sizeof(err));
		if (n < 0) {
			log_warn("reading counters: %s", err);
			n = 0;
		}
	}
	for (int i = 0; i < lbd->n_svcs; i++) {
		lb_backend_totals(lbd->svcs[i], c, n);
		lb_svc_sample(lbd->svcs[i], now_ms / 1000);
	}
	free(c);
	lb_metrics_write(lbd, now_ms);
}

static enum lb_health lb_health_parse(const char *s)
{
	if (strcmp(s, "Up") == 0)
		return LB_HEALTH_UP;
	if (strcmp(s, "Down") == 0)
		return LB_HEALTH_DOWN;
	return LB_HEALTH_UNKNOWN;
}

static int64_t lb_time_ms(const char *s)
{
	int64_t t = *s ? model_time_parse(s) : -1;

	return t >= 0 ? t * 1000 : 0;
}

/* Reads one backend's kept health into h, if the file's backend is node's. */
static void lb_restore_health(const struct lb_view_backend *vb, int node,
			      struct lb_health_state *h)
{
	struct in_addr a = lab_node_addr(node);
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	if (strcmp(ip, vb->address) != 0)
		return;
	h->state = lb_health_parse(vb->state);
	h->last_ok = vb->last_ok;
	h->consecutive = vb->consecutive;
	snprintf(h->last_result, sizeof(h->last_result), "%s", vb->last_result);
	h->last_probe_ms = lb_time_ms(vb->last_probe);
	h->last_change_ms = lb_time_ms(vb->last_change);
	h->last_latency_ms = vb->latency_ms;
	h->successes = vb->successes;
	h->failures = vb->failures;
}

void lb_metrics_restore(struct lb_daemon *lbd, struct lb_svc *s, const struct lb_conf *conf,
			struct lb_health_state (*health)[LB_MAX_BACKENDS])
{
	char path[LAB_PATH_MAX + 128], err[256];
	struct lb_view v;
	int rc;

	lb_state_path(lbd->statedir, s->spec.meta.ns, s->spec.meta.name, path, sizeof(path));
	rc = lb_view_load(path, &v, err, sizeof(err));
	if (rc < 0) {
		if (rc != -ENOENT)
			log_warn("%s: not restored: %s", path, err);
		lb_view_free(&v);
		return;
	}
	/* Each rule takes back the states of the rule with its protocol and
	 * port; a file without rules has one probe, the first port's. */
	for (int r = 0; r < conf->n_rules; r++) {
		const struct lb_rule_conf *rule = &conf->rules[r];
		const struct lb_view_backend *from = NULL;
		int n = 0;

		for (int i = 0; i < v.n_rules && !from; i++)
			if (v.rules[i].proto == rule->proto && v.rules[i].port == rule->port) {
				from = v.rules[i].backends;
				n = v.rules[i].n_backends;
			}
		if (!from && v.n_rules == 0 && r == 0) {
			from = v.backends;
			n = v.n_backends;
		}
		for (int b = 0; from && b < n && b < s->n_backends; b++)
			lb_restore_health(&from[b], b, &health[r][b]);
	}
	lb_series_restore(s->series, &v.sec);
	lb_series_restore(s->series, &v.min);
	if (v.min.pool && v.min.len)
		s->first_sample = v.min.start;
	if (v.sec.pool && v.sec.len && (!s->first_sample || v.sec.start < s->first_sample))
		s->first_sample = v.sec.start;
	log_info("%s/%s: probe states and series restored from %s", s->spec.meta.ns,
		 s->spec.meta.name, path);
	lb_view_free(&v);
}

void lb_metrics_forget(struct lb_daemon *lbd, const struct lb_svc *s)
{
	char path[LAB_PATH_MAX + 128];

	lb_state_path(lbd->statedir, s->spec.meta.ns, s->spec.meta.name, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("%s: %s", path, strerror(errno));
}
