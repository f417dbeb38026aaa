/* compare_measure.c — the figures of `clientip compare`, each measured
 * with the tools a user has (see cmd_compare.c). */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_int.h"
#include "fsutil.h"

bool cmp_saw_client(const json_t *answer, const char *addr)
{
	const char *client = json_string_value(json_object_get(answer, "client"));

	if (!client)
		return false;
	if (strncmp(client, "::ffff:", 7) == 0)
		client += 7;
	return strcmp(client, addr) == 0;
}

const json_t *cmp_nft_next(const json_t *doc, const char *kind, size_t *i)
{
	const json_t *items = json_object_get(doc, "nftables");

	while (*i < json_array_size(items)) {
		const json_t *obj = json_object_get(json_array_get(items, (*i)++), kind);

		if (json_is_object(obj))
			return obj;
	}
	return NULL;
}

double cmp_spread(const int *answers, int n)
{
	int max = 0, min = -1;

	for (int p = 0; p < n; p++) {
		if (answers[p] > max)
			max = answers[p];
		if (min < 0 || answers[p] < min)
			min = answers[p];
	}
	/* A pod that got nothing makes the ratio infinite: no number. */
	return min > 0 ? (double)max / min : -1;
}

/* Whether the app saw each client's own address, and requests per pod:
 * `requests` new connections (Connection: close) from each client to the
 * frontend's /json, which names the pod that answered and the client it
 * saw. */
void cmp_measure_answers(struct cmp *c, struct cmp_row *row)
{
	char ns[256], client[24], want[64], url[96], path[LAB_PATH_MAX + 16];
	char *argv[CMP_MAX_ARGS + 220];
	int total = 0, foreign = 0;

	snprintf(url, sizeof(url), "http://%s/json", c->fe);
	snprintf(path, sizeof(path), "%s/answers", c->tmp);
	for (int k = 0; k < c->clients; k++) {
		char *data = NULL, *line, *save = NULL;
		size_t len = 0;
		pid_t pid;
		int n = 0;

		snprintf(client, sizeof(client), "client%d", k);
		snprintf(want, sizeof(want), "%s", inet_ntoa(lab_client_addr(k)));
		cmp_netns(c, client, ns, sizeof(ns));
		argv[n++] = (char *)"ip"; argv[n++] = (char *)"netns"; argv[n++] = (char *)"exec";
		argv[n++] = ns; argv[n++] = (char *)"curl"; argv[n++] = (char *)"-s";
		argv[n++] = (char *)"--max-time"; argv[n++] = (char *)"2";
		argv[n++] = (char *)"-H"; argv[n++] = (char *)"Connection: close";
		argv[n++] = (char *)"-w"; argv[n++] = (char *)"\\n";
		for (int i = 0; i < c->t.requests && i < 200; i++)
			argv[n++] = url;
		argv[n] = NULL;
		pid = cmp_spawn(c, path, argv);
		if (pid < 0 || cmp_wait(c, pid) < 0)
			return;
		if (fs_read_all(path, &data, &len) != 0)
			continue;
		/* One answer per line; a failed request leaves an empty one. */
		for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			json_t *answer = json_loads(line, 0, NULL);
			const char *name = json_string_value(json_object_get(answer, "name"));

			if (name) {
				total++;
				if (!cmp_saw_client(answer, want))
					foreign++;
				for (int p = 0; p < c->npods; p++)
					if (strcmp(name, c->pods[p].name) == 0)
						c->pods[p].answers++;
			}
			json_decref(answer);
		}
		free(data);
	}
	if (total > 0) {
		int answers[CMP_MAX_PODS];
		double spread;

		row->kept_ok = true;
		row->kept = foreign == 0;
		for (int p = 0; p < c->npods; p++)
			answers[p] = c->pods[p].answers;
		spread = cmp_spread(answers, c->npods);
		if (spread > 0)
			row->spread = (struct cmp_num){ true, spread };
	}
}

/* wrk's Requests/sec from client0 to url; 0 if it did not run. */
static double cmp_wrk(struct cmp *c, const char *url, bool close_each)
{
	struct buf out = BUF_INIT;
	char ns[256], dur[16];
	const char *p;
	double rps = 0;
	int rc;

	cmp_netns(c, "client0", ns, sizeof(ns));
	snprintf(dur, sizeof(dur), "%ds", c->t.wrk_s);
	if (close_each)
		rc = cmp_run(c, &out, "ip", "netns", "exec", ns, "wrk", "-t1", "-c32", "-d", dur,
			     "-H", "Connection: close", url, NULL);
	else
		rc = cmp_run(c, &out, "ip", "netns", "exec", ns, "wrk", "-t1", "-c32", "-d", dur,
			     url, NULL);
	if (rc == 0 && (p = strstr(buf_str(&out), "Requests/sec:")))
		rps = strtod(p + strlen("Requests/sec:"), NULL);
	buf_free(&out);
	return rps;
}

/* Lets client0 reach pod addresses: the edge routes each node's pod CIDR
 * to the node and forwards to them (inside this lab's edge only, undone by
 * cmp_direct_off). A route or rule already there (a lab with the gateway
 * has the routes) is left alone. */
/* The edge's rule that lets the direct measurements through, found again
 * by this comment to be removed. */
#define CMP_DIRECT_COMMENT "clientip compare: pod direct"

static void cmp_direct_on(struct cmp *c)
{
	char ns[256], cidr[32], via[32];
	struct buf out = BUF_INIT;

	cmp_netns(c, "edge", ns, sizeof(ns));
	for (int i = 0; i < c->nodes && i < LAB_MAX_NODES; i++) {
		snprintf(cidr, sizeof(cidr), "%s/24", inet_ntoa(lab_node_pod_subnet(i)));
		snprintf(via, sizeof(via), "%s", inet_ntoa(lab_node_addr(i)));
		if (cmp_run(c, &out, "ip", "netns", "exec", ns, "ip", "-4", "route", "show", cidr,
			    NULL) == 0 && out.len == 0)
			c->added_route[i] = cmp_run(c, NULL, "ip", "netns", "exec", ns, "ip",
						    "route", "add", cidr, "via", via, NULL) == 0;
	}
	c->added_rule = cmp_run(c, NULL, "ip", "netns", "exec", ns, "nft", "insert", "rule",
				"inet", "edge_filter", "forward", "ip", "daddr", "10.244.0.0/16",
				"tcp", "dport", "8080", "accept", "comment",
				"\"" CMP_DIRECT_COMMENT "\"", NULL) == 0;
	buf_free(&out);
}

static void cmp_direct_off(struct cmp *c)
{
	char ns[256], cidr[32], handle[32];
	struct buf out = BUF_INIT;
	bool stop = c->interrupted;

	/* Undo even when interrupted: cmp_run refuses to start then. */
	c->interrupted = false;
	cmp_netns(c, "edge", ns, sizeof(ns));
	if (c->added_rule && cmp_run(c, &out, "ip", "netns", "exec", ns, "nft", "-j", "-a", "list",
				     "chain", "inet", "edge_filter", "forward", NULL) == 0) {
		json_t *doc = cmp_parse(&out);
		const json_t *rule;
		size_t i = 0;

		while ((rule = cmp_nft_next(doc, "rule", &i))) {
			const char *comment = json_string_value(json_object_get(rule, "comment"));
			json_int_t h = json_integer_value(json_object_get(rule, "handle"));

			if (!comment || strcmp(comment, CMP_DIRECT_COMMENT) != 0 || h <= 0)
				continue;
			snprintf(handle, sizeof(handle), "%" JSON_INTEGER_FORMAT, h);
			cmp_run(c, NULL, "ip", "netns", "exec", ns, "nft", "delete", "rule", "inet",
				"edge_filter", "forward", "handle", handle, NULL);
		}
		json_decref(doc);
		c->added_rule = false;
	}
	for (int i = 0; i < c->nodes && i < LAB_MAX_NODES; i++) {
		if (!c->added_route[i])
			continue;
		snprintf(cidr, sizeof(cidr), "%s/24", inet_ntoa(lab_node_pod_subnet(i)));
		cmp_run(c, NULL, "ip", "netns", "exec", ns, "ip", "route", "del", cidr, NULL);
		c->added_route[i] = false;
	}
	c->interrupted = stop;
	buf_free(&out);
}

/* Sets (or with NULL, reads into save) client0's ephemeral port range. */
static int cmp_port_range(struct cmp *c, const char *set, char *save, size_t len)
{
	struct buf out = BUF_INIT;
	char ns[256], arg[64];
	int rc;

	cmp_netns(c, "client0", ns, sizeof(ns));
	if (!set) {
		rc = cmp_run(c, &out, "ip", "netns", "exec", ns, "sysctl", "-n",
			     "net.ipv4.ip_local_port_range", NULL);
		snprintf(save, len, "%s", buf_str(&out));
		save[strcspn(save, "\n")] = '\0';
		for (char *p = save; *p; p++)
			if (*p == '\t')
				*p = ' ';
	} else {
		snprintf(arg, sizeof(arg), "net.ipv4.ip_local_port_range=%s", set);
		rc = cmp_run(c, NULL, "ip", "netns", "exec", ns, "sysctl", "-qw", arg, NULL);
	}
	buf_free(&out);
	return rc;
}

static int cmp_double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of n ratios (n >= 1), as a figure. */
static struct cmp_num cmp_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double_cmp);
	return (struct cmp_num){ true, n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2 };
}

/* wrk from client0 straight to the pod's address: keep-alive and new
 * connections. The edge is opened to pod addresses for the runs, and
 * client0 takes its ports from CMP_DIRECT_PORTS: a pod still holds the
 * frontend runs' connections in TIME_WAIT, and a SYN from the same port
 * with another path's TCP timestamps would be refused (PAWS). */
static void cmp_wrk_direct(struct cmp *c, const char *pod, double *keep, double *close)
{
	char saved[64] = "";

	*keep = *close = 0;
	cmp_direct_on(c);
	if (cmp_port_range(c, NULL, saved, sizeof(saved)) == 0 && saved[0] &&
	    cmp_port_range(c, CMP_DIRECT_PORTS, NULL, 0) == 0) {
		*keep = cmp_wrk(c, pod, false);
		*close = cmp_wrk(c, pod, true);
		bool stop = c->interrupted;

		c->interrupted = false;
		cmp_port_range(c, saved, NULL, 0);
		c->interrupted = stop;
	}
	cmp_direct_off(c);
}

/* Keep-alive requests/s and new connections/s through the frontend over
 * the same straight to the pod's address, both with wrk from client0. On
 * two CPUs that also run the lab one run moves by tens of percent, and a
 * lab's rates drift as its conntrack and TIME_WAIT tables fill: each
 * round measures both paths back to back, every other round the direct
 * one first, and the figure is the median of the rounds' ratios. */
void cmp_measure_rates(struct cmp *c, struct cmp_row *row)
{
	char fe[96], pod[96];
	double rk[CMP_RATE_ROUNDS], rc[CMP_RATE_ROUNDS];
	int nk = 0, nc = 0;

	if (!cmp_have("wrk") || c->npods < 1)
		return;
	snprintf(fe, sizeof(fe), "http://%s/", c->fe);
	snprintf(pod, sizeof(pod), "http://%s:8080/", c->pods[0].ip);
	for (int r = 0; r < c->t.rate_rounds && r < CMP_RATE_ROUNDS && !c->interrupted; r++) {
		double fk = 0, fc = 0, dk = 0, dc = 0;

		if (r % 2)
			cmp_wrk_direct(c, pod, &dk, &dc);
		fk = cmp_wrk(c, fe, false);
		fc = cmp_wrk(c, fe, true);
		if (r % 2 == 0)
			cmp_wrk_direct(c, pod, &dk, &dc);
		if (fk > 0 && dk > 0)
			rk[nk++] = fk / dk;
		if (fc > 0 && dc > 0)
			rc[nc++] = fc / dc;
	}
	if (nk)
		row->rps = cmp_median(rk, nk);
	if (nc)
		row->cps = cmp_median(rc, nc);
}

/* New connections that failed while the workload was restarted under
 * load (20/s, 2 s timeout). */
void cmp_measure_rollout(struct cmp *c, struct cmp_row *row)
{
	char url[96], dur[16], dep[96], path[LAB_PATH_MAX + 16];
	struct buf out = BUF_INIT;
	json_t *d = NULL;
	const json_t *failed;
	pid_t load;
	int rc;

	snprintf(url, sizeof(url), "http://%s/", c->fe);
	snprintf(dur, sizeof(dur), "%ds", c->t.rollout_s);
	snprintf(dep, sizeof(dep), "%s", c->s->workload);
	snprintf(path, sizeof(path), "%s/rollout.json", c->tmp);
	char *argv[] = { c->self, (char *)"--lab", (char *)c->lab, (char *)"load", url,
			 (char *)"--rate", (char *)"20", (char *)"--timeout", (char *)"2s",
			 (char *)"--duration", dur, (char *)"-o", (char *)"json", NULL };

	load = cmp_spawn(c, path, argv);
	if (load < 0)
		return;
	if (!cmp_sleep(c, 1000) ||
	    cmp_run(c, NULL, c->self, "--lab", c->lab, "rollout", "restart", dep, NULL) != 0) {
		kill(load, SIGTERM);
		cmp_wait(c, load);
		return;
	}
	rc = cmp_wait(c, load);
	if (rc < 0)
		return;
	char *data = NULL;
	size_t len = 0;

	if (fs_read_all(path, &data, &len) == 0) {
		buf_append(&out, data, len);
		d = cmp_parse(&out);
	}
	free(data);
	failed = cmp_jget(d, "/new/failed");
	if (json_is_number(failed))
		row->rollout = (struct cmp_num){ true, json_number_value(failed) };
	json_decref(d);
	buf_free(&out);
	cmp_run(c, NULL, c->self, "--lab", c->lab, "rollout", "status", dep, "--timeout", "120s",
		NULL);
}

/* The packets of the load balancer's new-flow counter for node in the
 * edge, or -1. */
static long long cmp_flow_counter(struct cmp *c, const char *ns, const char *counter)
{
	struct buf out = BUF_INIT;
	long long v = -1;

	if (cmp_run(c, &out, "ip", "netns", "exec", ns, "nft", "-j", "list", "counter", "ip",
		    "azure-lb", counter, NULL) == 0) {
		json_t *doc = cmp_parse(&out);
		size_t i = 0;
		const json_t *ctr = cmp_nft_next(doc, "counter", &i);

		if (json_is_integer(json_object_get(ctr, "packets")))
			v = json_integer_value(json_object_get(ctr, "packets"));
		json_decref(doc);
	}
	buf_free(&out);
	return v;
}

/* From cutting a node's link in the edge to the last new flow the load
 * balancer sent to that node, under 200 new connections/s (each given up
 * after 300 ms, as bench/lb.sh does): the node's flow counter is read
 * while the load runs. */
void cmp_measure_failover(struct cmp *c, struct cmp_row *row)
{
	char ns[256], counter[128], link[16], url[96], dur[16];
	int window_ms, pct0;
	double t0 = 0, last = -1;
	long long prev = -1;
	pid_t load;

	if (c->s->cut == CMP_CUT_NONE || c->npods < 1)
		return;
	char nodename[32];

	if (c->s->cut == CMP_CUT_POD)
		snprintf(nodename, sizeof(nodename), "%s", c->pods[0].node);
	else if (c->s->cut == CMP_CUT_LAST)
		snprintf(nodename, sizeof(nodename), "node%d", c->nodes - 1);
	else {
		nodename[0] = '\0';
		for (int i = 0; i < c->nodes && !nodename[0]; i++) {
			bool has = false;

			snprintf(nodename, sizeof(nodename), "node%d", i);
			for (int p = 0; p < c->npods; p++)
				has = has || strcmp(c->pods[p].node, nodename) == 0;
			if (has)
				nodename[0] = '\0';
		}
		if (!nodename[0])
			return;
	}
	int idx = lab_node_index(nodename);

	if (idx < 0)
		return;
	cmp_netns(c, "edge", ns, sizeof(ns));
	snprintf(counter, sizeof(counter), "flows_default_%s_%s", c->s->svc, nodename);
	snprintf(link, sizeof(link), "n%d", idx);
	/* Long enough for the probes to take the node out (interval x
	 * threshold) with an interval to spare. */
	window_ms = c->t.failover_lead_ms + (CMP_LB_THRESHOLD + 2) * c->interval_s * 1000;
	snprintf(url, sizeof(url), "http://%s/", c->fe);
	snprintf(dur, sizeof(dur), "%dms", window_ms);
	char *a[] = { c->self, (char *)"--lab", (char *)c->lab, (char *)"load", url,
		      (char *)"--rate", (char *)"200", (char *)"--timeout", (char *)"300ms",
		      (char *)"--duration", dur, NULL };
	pct0 = cmp_probe_status(c);
	load = cmp_spawn(c, NULL, a);
	if (load < 0)
		return;
	double start = cmp_now_ms();

	while (cmp_now_ms() - start < window_ms && !c->interrupted) {
		double now = cmp_now_ms();
		long long v;

		if (t0 == 0 && now - start >= c->t.failover_lead_ms) {
			if (cmp_run(c, NULL, "ip", "netns", "exec", ns, "ip", "link", "set", link,
				    "down", NULL) != 0)
				break;
			t0 = cmp_now_ms();
			last = t0;
		}
		v = cmp_flow_counter(c, ns, counter);
		if (t0 > 0 && prev >= 0 && v >= 0 && v != prev)
			last = now;
		if (v >= 0)
			prev = v;
		cmp_sleep(c, 20);
	}
	cmp_wait(c, load);
	bool stop = c->interrupted;

	c->interrupted = false;
	if (t0 > 0)
		cmp_run(c, NULL, "ip", "netns", "exec", ns, "ip", "link", "set", link, "up", NULL);
	c->interrupted = stop;
	if (t0 > 0 && prev >= 0 && !stop)
		row->failover = (struct cmp_num){ true, last - t0 };
	/* Back to the pool it had before the cut. */
	if (!stop) {
		double end = cmp_now_ms() + 60000;

		while (cmp_now_ms() < end && cmp_probe_status(c) != pct0 && cmp_sleep(c, 300))
			;
		cmp_wait_pool(c, 60);
	}
}

/* The Health Probe Status chart of the Service since apply_ms. */
void cmp_chart(struct cmp *c, struct cmp_row *row, double since_ms)
{
	char since[16];

	snprintf(row->chart, sizeof(row->chart), "%s/%s.svg", c->tmp, c->s->name);
	snprintf(since, sizeof(since), "%ds", (int)((cmp_now_ms() - since_ms) / 1000) + 2);
	if (cmp_run(c, NULL, c->self, "--lab", c->lab, "metrics", c->s->svc, "--svg", row->chart,
		    "--since", since, "--granularity", "1s", NULL) != 0)
		row->chart[0] = '\0';
}
