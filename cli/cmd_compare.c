/* cmd_compare.c — `clientip compare`: the ways to keep the client address,
 * measured side by side in one lab.
 *
 * Each strategy is a manifest applied to the lab, measured through the same
 * tools a user has (`clientip probes`, `load`, `rollout`, `metrics`, wrk in
 * a client's namespace, nft in the edge's), then deleted. The tools run as
 * child processes: every figure is one a user could reproduce by hand, and
 * a stuck measurement can be stopped without leaving half a lab behind.
 *
 * SIGINT and SIGTERM are blocked while compare runs and read with
 * sigtimedwait() whenever it waits for a child, so an interrupted run still
 * deletes what it applied and removes the lab it built.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare_int.h"
#include "fsutil.h"
#include "labinfo.h"
#include "log.h"

static const struct cmp_strategy cmp_strategies[] = {
	{ "cluster", CMP_CLUSTER, "node", "deployment/node-deployment", "node-service", false,
	  CMP_CUT_EMPTY, "externalTrafficPolicy Cluster: every node serves, SNAT" },
	{ "local", CMP_LOCAL, "node", "deployment/node-deployment", "node-service", false,
	  CMP_CUT_POD, "externalTrafficPolicy Local: no SNAT, nodes without a pod leave the pool" },
	{ "local-spread", CMP_LOCAL_SPREAD, "node", "daemonset/node-daemon", "node-service", true,
	  CMP_CUT_LAST, "Local with a DaemonSet: a pod on every node" },
	{ "dsr", CMP_DSR, "node", "deployment/node-deployment", "node-service", false,
	  CMP_CUT_EMPTY, "Cluster with clientip.io/forwarding-mode: dsr" },
	{ "gateway", CMP_GATEWAY, "echo", "deployment/echo", NULL, false, CMP_CUT_NONE,
	  "an L7 gateway at the edge, X-Forwarded-For" },
};
_Static_assert(sizeof(cmp_strategies) / sizeof(cmp_strategies[0]) == CMP_NSTRATEGIES,
	       "compare.h counts the strategies");

/* The scenario's Deployment (examples/aks-scenario/deploy.yaml) with one
 * replica, or (local-spread) the same pods as a DaemonSet, as
 * examples/strategies/local-spread.yaml has them: the kind, the name and
 * the replicas line are the workload's. */
static const char cmp_deploy_fmt[] =
	"apiVersion: apps/v1\n"
	"kind: %s\n"
	"metadata:\n"
	"  name: %s\n"
	"  labels:\n"
	"    app: node\n"
	"spec:\n"
	"%s"
	"  selector:\n"
	"    matchLabels:\n"
	"      app: node\n"
	"  template:\n"
	"    metadata:\n"
	"      labels:\n"
	"        app: node\n"
	"    spec:\n"
	"      containers:\n"
	"      - name: node\n"
	"        image: nfranssens/nodejs-ip\n"
	"        ports:\n"
	"        - containerPort: 8080\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata:\n"
	"  name: node-service\n"
	"%s"
	"spec:\n"
	"  selector:\n"
	"    app: node\n"
	"  ports:\n"
	"    - protocol: TCP\n"
	"      port: 80\n"
	"      targetPort: 8080\n"
	"  type: LoadBalancer\n"
	"%s";

/* The gateway's app: clientip-echo trusting X-Forwarded-For from the
 * gateway's subnet and a ClusterIP Service; with the Ingress below, what
 * examples/gateway/echo-ingress.yaml holds. */
static const char cmp_gateway_fmt[] =
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata:\n"
	"  name: echo\n"
	"  labels:\n"
	"    app: echo\n"
	"spec:\n"
	"  replicas: %d\n"
	"  selector:\n"
	"    matchLabels:\n"
	"      app: echo\n"
	"  template:\n"
	"    metadata:\n"
	"      labels:\n"
	"        app: echo\n"
	"    spec:\n"
	"      containers:\n"
	"      - name: echo\n"
	"        image: clientip/clientip-echo\n"
	"        ports:\n"
	"        - containerPort: 8080\n"
	"        env:\n"
	"        - name: CLIENTIP_ECHO_TRUST\n"
	"          value: \"10.225.0.0/16\"\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata:\n"
	"  name: echo\n"
	"spec:\n"
	"  selector:\n"
	"    app: echo\n"
	"  ports:\n"
	"  - name: http\n"
	"    port: 80\n"
	"    targetPort: 8080\n";

/* The Ingress goes to the API server as JSON: `clientip apply` handles
 * Deployments and Services only (kubectl is not always installed). */
static const char cmp_ingress_json[] =
	"{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\","
	"\"metadata\":{\"name\":\"echo\"},"
	"\"spec\":{\"ingressClassName\":\"azure-application-gateway\","
	"\"rules\":[{\"http\":{\"paths\":[{\"path\":\"/\",\"pathType\":\"Prefix\","
	"\"backend\":{\"service\":{\"name\":\"echo\",\"port\":{\"number\":80}}}}]}}]}}\n";
#define CMP_INGRESSES "/apis/networking.k8s.io/v1/namespaces/default/ingresses"

static const struct cmp_timing cmp_default_timing = { 3, 5, 100, 25, 2000 };
static const struct cmp_timing cmp_quick_timing = { 1, 1, 20, 10, 1000 };

/* The pods of the current strategy that are ready and not terminating,
 * into c->pods; their number, or -1. */
static int cmp_ready_pods(struct cmp *c)
{
	struct buf out = BUF_INIT;
	const json_t *items, *it;
	json_t *d = NULL;
	char sel[64];
	size_t i;
	int n = -1;

	snprintf(sel, sizeof(sel), "app=%s", c->s->app);
	if (cmp_run(c, &out, c->self, "--lab", c->lab, "get", "pods", "-l", sel, "-o", "json",
		    NULL) != 0)
		goto out;
	d = cmp_parse(&out);
	items = cmp_jget(d, "/items");
	if (!json_is_array(items))
		goto out;
	n = 0;
	json_array_foreach(items, i, it) {
		const json_t *conds = cmp_jget(it, "/status/conditions"), *cd;
		const char *phase = cmp_jstr(it, "/status/phase");
		bool ready = false;
		size_t ci;

		if (n == CMP_MAX_PODS)
			break;
		if (cmp_jstr(it, "/metadata/deletionTimestamp") || !phase ||
		    strcmp(phase, "Running") != 0)
			continue;
		json_array_foreach(conds, ci, cd) {
			const char *type = cmp_jstr(cd, "/type"), *st = cmp_jstr(cd, "/status");

			if (type && st && strcmp(type, "Ready") == 0)
				ready = strcmp(st, "True") == 0;
		}
		if (!ready)
			continue;
		struct cmp_pod *p = &c->pods[n++];
		const char *v;

		memset(p, 0, sizeof(*p));
		if ((v = cmp_jstr(it, "/metadata/name")))
			snprintf(p->name, sizeof(p->name), "%s", v);
		if ((v = cmp_jstr(it, "/spec/nodeName")))
			snprintf(p->node, sizeof(p->node), "%s", v);
		if ((v = cmp_jstr(it, "/status/podIP")))
			snprintf(p->ip, sizeof(p->ip), "%s", v);
	}
	c->npods = n;
out:
	json_decref(d);
	buf_free(&out);
	return n;
}

/* All pods of the strategy, terminating ones included (for the wait after
 * delete). */
static int cmp_any_pods(struct cmp *c)
{
	struct buf out = BUF_INIT;
	char sel[64];
	int n = -1;

	snprintf(sel, sizeof(sel), "app=%s", c->s->app);
	if (cmp_run(c, &out, c->self, "--lab", c->lab, "get", "pods", "-l", sel, "--no-headers",
		    NULL) == 0) {
		n = 0;
		for (const char *p = buf_str(&out); *p; p++)
			n += *p == '\n';
	}
	buf_free(&out);
	return n;
}

/* Health Probe Status in percent from `clientip probes SVC`, or -1. */
int cmp_probe_status(struct cmp *c)
{
	struct buf out = BUF_INIT;
	const char *p;
	int pct = -1;

	if (cmp_run(c, &out, c->self, "--lab", c->lab, "probes", c->s->svc, NULL) == 0 &&
	    (p = strstr(buf_str(&out), "Health Probe Status: ")))
		pct = atoi(p + strlen("Health Probe Status: "));
	buf_free(&out);
	return pct;
}

/* The frontend address of the Service, into c->fe; 0 or -1. */
static int cmp_frontend(struct cmp *c)
{
	struct buf out = BUF_INIT;
	json_t *d = NULL;
	const char *ip = NULL;

	if (!c->s->svc) {
		snprintf(c->fe, sizeof(c->fe), "%s", CMP_GATEWAY_ADDR);
		return 0;
	}
	if (cmp_run(c, &out, c->self, "--lab", c->lab, "get", "svc", c->s->svc, "-o", "json",
		    NULL) == 0 && (d = cmp_parse(&out)))
		ip = cmp_jstr(d, "/status/loadBalancer/ingress/0/ip");
	if (ip)
		snprintf(c->fe, sizeof(c->fe), "%s", ip);
	json_decref(d);
	buf_free(&out);
	return ip ? 0 : -1;
}

/* --- the strategy's objects ---------------------------------------------------------- */

static int cmp_write_manifest(struct cmp *c, char *path, size_t len)
{
	const struct cmp_strategy *s = c->s;
	struct buf m = BUF_INIT;
	int rc;

	snprintf(path, len, "%s/%s.yaml", c->tmp, s->name);
	if (s->kind == CMP_GATEWAY)
		buf_printf(&m, cmp_gateway_fmt, 1);
	else
		buf_printf(&m, cmp_deploy_fmt, s->per_node ? "DaemonSet" : "Deployment",
			   strchr(s->workload, '/') + 1, s->per_node ? "" : "  replicas: 1\n",
			   s->kind == CMP_DSR ?
			   "  annotations:\n    clientip.io/forwarding-mode: dsr\n" : "",
			   s->kind == CMP_LOCAL || s->kind == CMP_LOCAL_SPREAD ?
			   "  externalTrafficPolicy: Local\n" : "");
	rc = fs_write_atomic(path, m.data, m.len, 0644);
	buf_free(&m);
	return rc;
}

/* Waits up to timeout_s for the strategy's pods (n of them) to be ready. */
static bool cmp_wait_pods(struct cmp *c, int n, int timeout_s)
{
	double end = cmp_now_ms() + timeout_s * 1000.0;

	while (cmp_now_ms() < end) {
		if (cmp_ready_pods(c) == n)
			return true;
		if (!cmp_sleep(c, 250))
			return false;
	}
	return false;
}

/* Waits until the pool is stable: the same Health Probe Status for longer
 * than threshold + 1 probe intervals (a node's state can change only after
 * `threshold` probes in a row), and the frontend answering. The status, or
 * -1 if it never settled within timeout_s. */
int cmp_wait_pool(struct cmp *c, int timeout_s)
{
	double end = cmp_now_ms() + timeout_s * 1000.0, since = 0;
	double hold = (CMP_LB_THRESHOLD + 1) * c->interval_s * 1000.0;
	int last = -2;

	while (cmp_now_ms() < end) {
		int pct = cmp_probe_status(c);

		if (pct != last || pct < 0) {
			last = pct;
			since = cmp_now_ms();
		} else if (pct > 0 && cmp_now_ms() - since >= hold) {
			return pct;
		}
		if (!cmp_sleep(c, 300))
			return -1;
	}
	return -1;
}

/* The gateway's route answers (it learns the Ingress by watching). */
static bool cmp_wait_gateway(struct cmp *c, int timeout_s)
{
	double end = cmp_now_ms() + timeout_s * 1000.0;
	char ns[256], url[96];
	struct buf out = BUF_INIT;
	bool ok = false;

	cmp_netns(c, "client0", ns, sizeof(ns));
	snprintf(url, sizeof(url), "http://%s/", c->fe);
	while (!ok && cmp_now_ms() < end) {
		ok = cmp_run(c, &out, "ip", "netns", "exec", ns, "curl", "-sf", "--max-time", "2",
			     url, NULL) == 0 && strstr(buf_str(&out), "198.51.100.");
		if (!ok && !cmp_sleep(c, 300))
			break;
	}
	buf_free(&out);
	return ok;
}

/* Whether the lab runs the L7 gateway; if not, why into reason. */
static bool cmp_gateway_present(struct cmp *c, char *reason, size_t len)
{
	struct buf out = BUF_INIT;
	char exe[LAB_PATH_MAX + 32];
	bool ok = false;

	snprintf(exe, sizeof(exe), "%s/clientip-gateway", c->cli->bindir);
	if (access(exe, X_OK) != 0) {
		snprintf(reason, len, "no L7 gateway in this build (clientip-gateway not found)");
		goto out;
	}
	if (cmp_run(c, &out, c->self, "--lab", c->lab, "lab", "status", NULL) != 0 ||
	    !strstr(buf_str(&out), "\n  gateway ")) {
		snprintf(reason, len, "lab %s runs no L7 gateway (no gateway daemon in lab status)",
			 c->lab);
		goto out;
	}
	ok = true;
out:
	buf_free(&out);
	return ok;
}

/* The lab's API server's address, from `lab status`, into c->api. */
static int cmp_api_url(struct cmp *c)
{
	struct buf out = BUF_INIT;
	const char *p;
	int rc = -1;

	if (cmp_run(c, &out, c->self, "--lab", c->lab, "lab", "status", NULL) == 0 &&
	    (p = strstr(buf_str(&out), "API server:"))) {
		p += strlen("API server:");
		p += strspn(p, " ");
		snprintf(c->api, sizeof(c->api), "%.*s", (int)strcspn(p, " \n"), p);
		rc = c->api[0] ? 0 : -1;
	}
	buf_free(&out);
	return rc;
}

/* Creates the gateway's Ingress; 0, or -1 with the reason. */
static int cmp_ingress_create(struct cmp *c, char *reason, size_t len)
{
	char path[LAB_PATH_MAX], data[LAB_PATH_MAX + 8], url[160];
	struct buf out = BUF_INIT;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/ingress.json", c->tmp);
	snprintf(data, sizeof(data), "@%s", path);
	if (cmp_api_url(c) < 0 ||
	    fs_write_atomic(path, cmp_ingress_json, strlen(cmp_ingress_json), 0600) < 0) {
		snprintf(reason, len, "cannot reach lab %s's API server", c->lab);
		goto out;
	}
	snprintf(url, sizeof(url), "%s%s", c->api, CMP_INGRESSES);
	cmp_run(c, &out, "curl", "-s", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
		"-X", "POST", "-H", "Content-Type: application/json", "--data-binary", data, url,
		NULL);
	if (strcmp(buf_str(&out), "201") != 0) {
		snprintf(reason, len, "the lab's API server did not create the Ingress (HTTP %s%s)",
			 out.len ? buf_str(&out) : "no answer",
			 strcmp(buf_str(&out), "404") == 0 ? ": it serves no Ingress" :
			 strcmp(buf_str(&out), "409") == 0 ? ": Ingress echo exists already" : "");
		goto out;
	}
	c->ingress = true;
	rc = 0;
out:
	buf_free(&out);
	return rc;
}

static void cmp_ingress_delete(struct cmp *c)
{
	char url[160];

	if (!c->ingress)
		return;
	snprintf(url, sizeof(url), "%s%s/echo", c->api, CMP_INGRESSES);
	cmp_run(c, NULL, "curl", "-s", "--max-time", "10", "-o", "/dev/null", "-X", "DELETE", url,
		NULL);
	c->ingress = false;
}

/* Applies a strategy, measures it, deletes it. */
static void cmp_strategy(struct cmp *c, const struct cmp_strategy *s, struct cmp_row *row)
{
	char manifest[LAB_PATH_MAX + 32], msg[256];
	int want, pct;
	double applied;

	memset(row, 0, sizeof(*row));
	row->s = s;
	c->s = s;
	c->npods = 0;
	if (s->kind == CMP_GATEWAY && !cmp_gateway_present(c, row->reason, sizeof(row->reason)))
		return;
	if (cmp_write_manifest(c, manifest, sizeof(manifest)) < 0) {
		snprintf(row->reason, sizeof(row->reason), "cannot write %.200s", manifest);
		return;
	}
	log_info("%s: %s", s->name, s->summary);
	applied = cmp_now_ms();
	if (cmp_run(c, NULL, c->self, "--lab", c->lab, "apply", "-f", manifest, NULL) != 0) {
		snprintf(row->reason, sizeof(row->reason), "apply failed: %s",
			 cmp_lasterr(c, msg, sizeof(msg)));
		goto del;
	}
	if (s->kind == CMP_GATEWAY && cmp_ingress_create(c, row->reason, sizeof(row->reason)) < 0)
		goto del;
	want = s->per_node ? c->nodes : 1;
	if (!cmp_wait_pods(c, want, 90)) {
		snprintf(row->reason, sizeof(row->reason), "%d pod(s) not ready in 90 s", want);
		goto del;
	}
	if (s->per_node) {
		/* One pod per node is the point of this strategy: say so if the
		 * DaemonSet did otherwise. */
		for (int i = 0; i < c->npods; i++)
			for (int j = i + 1; j < c->npods; j++)
				if (strcmp(c->pods[i].node, c->pods[j].node) == 0)
					log_warn("%s: pods %s and %s share %s", s->name,
						 c->pods[i].name, c->pods[j].name, c->pods[i].node);
	}
	if (cmp_frontend(c) < 0) {
		snprintf(row->reason, sizeof(row->reason), "no frontend address");
		goto del;
	}
	if (s->svc) {
		pct = cmp_wait_pool(c, 90);
		if (pct < 0) {
			snprintf(row->reason, sizeof(row->reason), "the pool did not settle in 90 s");
			goto del;
		}
		row->hps = (struct cmp_num){ true, pct };
	} else {
		if (!cmp_wait_gateway(c, 60)) {
			snprintf(row->reason, sizeof(row->reason),
				 "the gateway did not answer at %s", c->fe);
			goto del;
		}
		/* No load balancer probes here: the gateway's pool is the ready
		 * pod addresses, every one of them healthy. */
		row->hps = (struct cmp_num){ true, 100.0 * (c->npods > 0) };
	}
	row->available = true;
	log_debug("%s: ready and stable after %.1f s", s->name, (cmp_now_ms() - applied) / 1000);
	cmp_measure_answers(c, row);
	log_debug("%s: answers measured at %.1f s", s->name, (cmp_now_ms() - applied) / 1000);
	cmp_measure_rates(c, row);
	log_debug("%s: rates measured at %.1f s", s->name, (cmp_now_ms() - applied) / 1000);
	cmp_measure_failover(c, row);
	log_debug("%s: failover measured at %.1f s", s->name, (cmp_now_ms() - applied) / 1000);
	if (cmp_ready_pods(c) < 1)
		cmp_wait_pods(c, want, 60);
	cmp_measure_rollout(c, row);
	log_debug("%s: rollout measured at %.1f s", s->name, (cmp_now_ms() - applied) / 1000);
	if (s->svc)
		cmp_chart(c, row, applied);
del:;
	bool stop = c->interrupted;

	c->interrupted = false;
	cmp_ingress_delete(c);
	cmp_run(c, NULL, c->self, "--lab", c->lab, "delete", "-f", manifest, NULL);
	/* The next strategy starts from an empty lab: its pods and pool only. */
	if (!stop) {
		double end = cmp_now_ms() + 60000;

		while (cmp_now_ms() < end && cmp_any_pods(c) != 0 && cmp_sleep(c, 300))
			;
	}
	c->interrupted = c->interrupted || stop;
	log_debug("%s: deleted at %.1f s", s->name, (cmp_now_ms() - applied) / 1000);
	if (!row->available && !row->reason[0])
		snprintf(row->reason, sizeof(row->reason), "interrupted");
}

/* --- the command ------------------------------------------------------------------------ */

static void cmp_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip compare [--lab NAME] [--nodes N] [--strategies LIST] [--quick]\n"
		"                        [--json] [--report FILE.svg|FILE.html]\n"
		"\n"
		"Measures the ways to keep the client's address side by side, one after the\n"
		"other in one lab: each strategy's manifests are applied (one replica, or one\n"
		"per node for local-spread), measured once the pods are ready and the load\n"
		"balancer's pool is stable, then deleted.\n"
		"\n"
		"Strategies (--strategies, comma-separated; default all):\n"
		"  cluster        externalTrafficPolicy Cluster (the scenario's Service): SNAT\n"
		"  local          externalTrafficPolicy Local\n"
		"  local-spread   Local with a pod on every node (topologySpreadConstraints)\n"
		"  dsr            Cluster annotated clientip.io/forwarding-mode: dsr\n"
		"  gateway        an L7 gateway at the edge routing an Ingress, X-Forwarded-For\n"
		"                 (reported unavailable in a lab without the gateway)\n"
		"\n"
		"Columns (--json: the same keys, null where not measurable):\n"
		"  client_ip_kept         the app saw each client's own 198.51.100.x address\n"
		"  health_probe_status    percent of backends up, as `clientip probes` shows it\n"
		"  spread                 requests per pod, max/min, new connections from the\n"
		"                         lab's clients (at most 3)\n"
		"  rps_vs_direct          keep-alive requests/s through the frontend (or the\n"
		"                         gateway) over the same straight to the pod's address,\n"
		"                         wrk from client0, the median of 5 rounds (null\n"
		"                         without wrk)\n"
		"  cps_vs_direct          the same for new connections/s\n"
		"  failed_during_rollout  new connections failed during rollout restart under\n"
		"                         `clientip load` at 20/s, 2 s timeout\n"
		"  failover_ms            from cutting a node's link in the edge to the last new\n"
		"                         flow the load balancer sent to it (the node without\n"
		"                         the pod; the pod's node for local)\n"
		"\n"
		"Without --lab, compare builds its own lab (--nodes, default 2; 3 clients; probe\n"
		"interval 1 s) and removes it at the end, also when interrupted. With --lab it\n"
		"uses that lab, which must not hold the strategies' objects (node-deployment,\n"
		"node-daemon, node-service, echo), and deletes what it applied.\n"
		"--quick shortens every measurement (tests); --report writes the table and each\n"
		"strategy's Health Probe Status chart.\n"
		"\n"
		"Exit status: 0 when every strategy asked for was measured or reported\n"
		"unavailable, 1 on a failure, 2 for bad usage.\n");
}

int cmp_parse_strategies(const char *list, bool want[CMP_NSTRATEGIES])
{
	char copy[256], *save = NULL;
	bool any = false;

	if (strlen(list) >= sizeof(copy))
		return -1;
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < CMP_NSTRATEGIES; i++)
			if (strcmp(t, cmp_strategies[i].name) == 0)
				break;
		if (i == CMP_NSTRATEGIES)
			return -1;
		want[i] = true;
		any = true;
	}
	return any ? 0 : -1;
}

/* The existing lab: its node and client counts and probe interval; and
 * whether it already holds objects compare would overwrite. */
static int cmp_use_lab(struct cmp *c, char *err, size_t errlen)
{
	static const char *const objs[][2] = {
		{ "deployment", "node-deployment" }, { "daemonset", "node-daemon" },
		{ "svc", "node-service" }, { "deployment", "echo" }, { "svc", "echo" },
	};
	struct lab_info li;

	if (labinfo_load(c->lab, &li, err, errlen) < 0)
		return -1;
	c->nodes = li.nodes;
	c->clients = li.clients < CMP_CLIENTS ? li.clients : CMP_CLIENTS;
	c->interval_s = li.probe_interval_s > 0 ? li.probe_interval_s : CMP_LB_INTERVAL_S;
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		if (cmp_run(c, NULL, c->self, "--lab", c->lab, "get", objs[i][0], objs[i][1],
			    NULL) == 0) {
			snprintf(err, errlen, "lab %s already has %s %s: compare applies its own "
				 "(delete it, or let compare build a lab)", c->lab, objs[i][0],
				 objs[i][1]);
			return -1;
		}
	}
	return 0;
}

int cmd_compare(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", required_argument, NULL, 'N' },
		{ "strategies", required_argument, NULL, 's' },
		{ "quick", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "report", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmp c = { .cli = cli, .t = cmp_default_timing };
	struct cmp_row rows[CMP_NSTRATEGIES];
	bool want[CMP_NSTRATEGIES] = { false }, any = false, json = false, failed = false;
	const char *report = NULL;
	char err[512], labname[LAB_NAME_MAX + 1], *end;
	size_t nrows = 0;
	sigset_t old;
	int opt, rc = 1;
	long nodes = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'N':
			nodes = strtol(optarg, &end, 10);
			if (end == optarg || *end || nodes < 2 || nodes > LAB_MAX_NODES) {
				log_error("--nodes %s: 2 to %d (a node without the pod is the point)",
					  optarg, LAB_MAX_NODES);
				return 2;
			}
			break;
		case 's':
			if (cmp_parse_strategies(optarg, want) < 0) {
				log_error("--strategies %s: a comma-separated list of cluster, local, "
					  "local-spread, dsr, gateway", optarg);
				return 2;
			}
			break;
		case 'q': c.t = cmp_quick_timing; break;
		case 'j': json = true; break;
		case 'r':
			report = optarg;
			if (strlen(report) < 5 || (strcmp(report + strlen(report) - 4, ".svg") != 0 &&
						   strcmp(report + strlen(report) - 5, ".html") != 0)) {
				log_error("--report %s: a file name ending in .svg or .html", report);
				return 2;
			}
			break;
		case 'h': cmp_usage(stdout); return 0;
		default: cmp_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		log_error("compare: unexpected argument \"%s\"; see `clientip compare --help`",
			  argv[optind]);
		return 2;
	}
	for (size_t i = 0; i < CMP_NSTRATEGIES; i++)
		any = any || want[i];
	if (!any)
		for (size_t i = 0; i < CMP_NSTRATEGIES; i++)
			want[i] = true;
	if (nodes > 0 && cli->lab_given) {
		log_error("--nodes: only for a lab compare builds (lab %s has its nodes)", cli->lab);
		return 2;
	}
	if (nodes == 0)
		nodes = 2;
	if (geteuid() != 0) {
		log_error("compare: needs root (a lab is network namespaces)");
		return 1;
	}

	snprintf(c.self, sizeof(c.self), "%s/clientip", cli->bindir);
	snprintf(c.tmp, sizeof(c.tmp), "/tmp/clientip-compare.XXXXXX");
	if (!mkdtemp(c.tmp)) {
		log_error("mkdtemp: %s", strerror(errno));
		return 1;
	}
	snprintf(c.errfile, sizeof(c.errfile), "%s/stderr", c.tmp);
	sigemptyset(&c.sigs);
	sigaddset(&c.sigs, SIGINT);
	sigaddset(&c.sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &c.sigs, &old);

	/* A lab given on the command line (--lab or $CLIENTIP_LAB) is used;
	 * otherwise compare builds one of its own. */
	c.own_lab = !cli->lab_given;
	if (c.own_lab) {
		char n[16];

		snprintf(labname, sizeof(labname), "cmp%05d", (int)(getpid() % 100000));
		c.lab = labname;
		c.nodes = (int)nodes;
		c.clients = CMP_CLIENTS;
		c.interval_s = 1;
		snprintf(n, sizeof(n), "%d", c.nodes);
		log_info("lab %s: %d nodes, %d clients, probe interval 1 s", c.lab, c.nodes,
			 c.clients);
		c.lab_up = true;
		if (cmp_run(&c, NULL, c.self, "--lab", c.lab, "lab", "up", "--nodes", n,
			    "--clients", "3", "--probe-interval", "1", NULL) != 0) {
			log_error("lab up %s failed: %s", c.lab, cmp_lasterr(&c, err, sizeof(err)));
			goto out;
		}
	} else {
		c.lab = cli->lab;
		if (cmp_use_lab(&c, err, sizeof(err)) < 0) {
			log_error("%s", err);
			goto out;
		}
	}
	for (size_t i = 0; i < CMP_NSTRATEGIES && !c.interrupted; i++) {
		if (!want[i])
			continue;
		cmp_strategy(&c, &cmp_strategies[i], &rows[nrows]);
		if (!rows[nrows].available && cmp_strategies[i].kind != CMP_GATEWAY)
			failed = true;
		if (!rows[nrows].available)
			log_warn("%s: %s", cmp_strategies[i].name, rows[nrows].reason);
		nrows++;
	}
	if (c.interrupted) {
		log_error("compare: interrupted");
		goto out;
	}
	if (json)
		cmp_print_json(rows, nrows);
	else
		cmp_print_table(rows, nrows);
	if (report && cmp_report(report, rows, nrows, c.lab) < 0) {
		log_error("%s: cannot write the report", report);
		failed = true;
	}
	rc = failed ? 1 : 0;
out:
	if (c.own_lab && c.lab_up) {
		c.interrupted = false;
		cmp_run(&c, NULL, c.self, "--lab", c.lab, "lab", "down", NULL);
	}
	fs_remove_tree(c.tmp);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
