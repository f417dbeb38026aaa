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
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <libfyaml.h>

#include "buf.h"
#include "cli.h"
#include "compare.h"
#include "fsutil.h"
#include "fyjson.h"
#include "jsonw.h"
#include "labinfo.h"
#include "log.h"

#define CMP_MAX_ARGS     40
#define CMP_MAX_PODS     LAB_MAX_NODES
#define CMP_CLIENTS      3        /* clients of a lab compare builds: spread comes from several */
#define CMP_GATEWAY_ADDR "203.0.113.2"
/* The load balancer's default probe interval (lb/lb_conf.h), for a lab
 * that did not set one, and its probe threshold. */
#define CMP_LB_INTERVAL_S 5
#define CMP_LB_THRESHOLD  2
/* The client's source ports for the straight-to-the-pod runs, outside the
 * default ephemeral range the frontend runs use: a new connection of one
 * path must not meet the pod's TIME_WAIT socket of the other path, whose
 * TCP timestamps (offset per address pair) are from another clock, and be
 * refused (PAWS) until its SYN is retransmitted. */
#define CMP_DIRECT_PORTS "10000 32767"

enum cmp_kind { CMP_CLUSTER, CMP_LOCAL, CMP_LOCAL_SPREAD, CMP_DSR, CMP_GATEWAY };

/* Which node's link failover cuts. */
enum cmp_cut { CMP_CUT_EMPTY, CMP_CUT_POD, CMP_CUT_LAST, CMP_CUT_NONE };

struct cmp_strategy {
	const char *name;
	enum cmp_kind kind;
	const char *app;           /* the pods' app label */
	const char *workload;      /* what rollout restarts: "deployment/NAME", "daemonset/NAME" */
	const char *svc;           /* the LoadBalancer Service, NULL for the gateway */
	bool per_node;             /* a DaemonSet: one pod per node instead of one replica */
	enum cmp_cut cut;
	const char *summary;
};

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

/* How long each measurement runs: the default, and --quick for tests. */
struct cmp_timing {
	int wrk_s;            /* each wrk run */
	int rate_rounds;      /* rounds of frontend and direct runs (at most CMP_RATE_ROUNDS) */
	int requests;         /* spread: new connections per client */
	int rollout_s;        /* load during rollout restart */
	int failover_lead_ms; /* load before the cut */
};

#define CMP_RATE_ROUNDS 5

static const struct cmp_timing cmp_default_timing = { 3, 5, 100, 25, 2000 };
static const struct cmp_timing cmp_quick_timing = { 1, 1, 20, 10, 1000 };

/* A figure or null. */
struct cmp_num {
	bool ok;
	double v;
};

struct cmp_row {
	const struct cmp_strategy *s;
	bool available;
	char reason[256];
	bool kept_ok, kept;
	struct cmp_num hps, spread, rps, cps, rollout, failover;
	char chart[160];            /* the Health Probe Status chart, "" if none */
};

struct cmp_pod {
	char name[128];
	char node[32];
	char ip[40];
	int answers;
};

struct cmp {
	struct cli *cli;
	const char *lab;
	char self[LAB_PATH_MAX + 16];
	char tmp[64];                  /* /tmp/clientip-compare.XXXXXX */
	char errfile[96];
	struct cmp_timing t;
	int nodes, clients, interval_s;
	bool own_lab, lab_up, interrupted;
	sigset_t sigs;             /* SIGINT, SIGTERM: blocked, waited for */
	/* Edge changes made for the straight-to-the-pod path, undone after. */
	bool added_route[LAB_MAX_NODES];
	bool added_rule;
	char api[96];              /* the lab's API server, http://127.0.0.1:PORT */
	bool ingress;              /* compare created the gateway's Ingress */
	/* The strategy being measured. */
	const struct cmp_strategy *s;
	char fe[40];
	struct cmp_pod pods[CMP_MAX_PODS];
	int npods;
};

static double cmp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

/* Sleeps ms unless SIGINT or SIGTERM arrives; false if one did. */
static bool cmp_sleep(struct cmp *c, int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	if (c->interrupted)
		return false;
	if (sigtimedwait(&c->sigs, NULL, &ts) > 0) {
		c->interrupted = true;
		return false;
	}
	return true;
}

/* Starts argv with stdout into out_path (NULL: /dev/null) and stderr into
 * the run's error file; the child gets the signals compare blocks. */
static pid_t cmp_spawn(struct cmp *c, const char *out_path, char *const argv[])
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	sigprocmask(SIG_UNBLOCK, &c->sigs, NULL);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		       0600);
	int errfd = open(c->errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (in < 0 || out < 0 || errfd < 0)
		_exit(127);
	dup2(in, 0);
	dup2(out, 1);
	dup2(errfd, 2);
	execvp(argv[0], argv);
	_exit(127);
}

/* Waits for pid; on SIGINT/SIGTERM stops it and returns -EINTR. Else its
 * exit status (128 + signal if killed). */
static int cmp_wait(struct cmp *c, pid_t pid)
{
	struct timespec tick = { 0, 20 * 1000000L };
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0)
			return -errno;
		if (sigtimedwait(&c->sigs, NULL, &tick) > 0 || c->interrupted) {
			c->interrupted = true;
			kill(pid, SIGTERM);
			waitpid(pid, &status, 0);
			return -EINTR;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static void cmp_argv(char **argv, const char *first, va_list ap)
{
	int n = 0;

	for (const char *a = first; a && n < CMP_MAX_ARGS - 1; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	argv[n] = NULL;
}

/* Runs a command (NULL-terminated arguments) to its end; its stdout into out
 * (may be NULL). Its exit status, or negative errno. */
static int cmp_run(struct cmp *c, struct buf *out, const char *first, ...)
	__attribute__((sentinel));
static int cmp_run(struct cmp *c, struct buf *out, const char *first, ...)
{
	char *argv[CMP_MAX_ARGS], path[LAB_PATH_MAX + 16];
	va_list ap;
	pid_t pid;
	int rc;

	if (c->interrupted)
		return -EINTR;
	va_start(ap, first);
	cmp_argv(argv, first, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/out", c->tmp);
	pid = cmp_spawn(c, out ? path : NULL, argv);
	if (pid < 0)
		return -errno;
	rc = cmp_wait(c, pid);
	if (out) {
		char *data = NULL;
		size_t len = 0;

		buf_reset(out);
		if (fs_read_all(path, &data, &len) == 0)
			buf_append(out, data, len);
		free(data);
		buf_str(out);
	}
	return rc;
}

/* The first line of the last command's stderr, for messages. */
static const char *cmp_lasterr(struct cmp *c, char *buf, size_t len)
{
	char *data = NULL, *nl;
	size_t n = 0;

	buf[0] = '\0';
	if (fs_read_all(c->errfile, &data, &n) == 0 && n > 0) {
		snprintf(buf, len, "%s", data);
		nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
	}
	free(data);
	return buf;
}

static char *cmp_netns(struct cmp *c, const char *role, char *buf, size_t len)
{
	return lab_netns_name(c->lab, role, buf, len);
}

/* --- reading the tools' output ------------------------------------------------------ */

static struct fy_document *cmp_parse(const struct buf *b)
{
	char err[256];

	if (b->len == 0)
		return NULL;
	return fyjson_parse(b->data, b->len, err, sizeof(err));
}

static const char *cmp_jstr(struct fy_node *n, const char *path)
{
	n = n ? fy_node_by_path(n, path, FY_NT, FYNWF_DONT_FOLLOW) : NULL;
	return n ? fy_node_get_scalar0(n) : NULL;
}

/* The pods of the current strategy that are ready and not terminating,
 * into c->pods; their number, or -1. */
static int cmp_ready_pods(struct cmp *c)
{
	struct buf out = BUF_INIT;
	struct fy_document *d = NULL;
	struct fy_node *items, *it;
	void *iter = NULL;
	char sel[64];
	int n = -1;

	snprintf(sel, sizeof(sel), "app=%s", c->s->app);
	if (cmp_run(c, &out, c->self, "--lab", c->lab, "get", "pods", "-l", sel, "-o", "json",
		    NULL) != 0)
		goto out;
	d = cmp_parse(&out);
	items = d ? fy_node_by_path(fy_document_root(d), "/items", FY_NT, FYNWF_DONT_FOLLOW) : NULL;
	if (!items)
		goto out;
	n = 0;
	while ((it = fy_node_sequence_iterate(items, &iter)) && n < CMP_MAX_PODS) {
		struct fy_node *conds = fy_node_by_path(it, "/status/conditions", FY_NT,
							FYNWF_DONT_FOLLOW), *cd;
		const char *phase = cmp_jstr(it, "/status/phase");
		void *ci = NULL;
		bool ready = false;

		if (cmp_jstr(it, "/metadata/deletionTimestamp") || !phase ||
		    strcmp(phase, "Running") != 0)
			continue;
		while (conds && (cd = fy_node_sequence_iterate(conds, &ci))) {
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
	if (d)
		fy_document_destroy(d);
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
static int cmp_probe_status(struct cmp *c)
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
	struct fy_document *d = NULL;
	const char *ip = NULL;

	if (!c->s->svc) {
		snprintf(c->fe, sizeof(c->fe), "%s", CMP_GATEWAY_ADDR);
		return 0;
	}
	if (cmp_run(c, &out, c->self, "--lab", c->lab, "get", "svc", c->s->svc, "-o", "json",
		    NULL) == 0 && (d = cmp_parse(&out)))
		ip = cmp_jstr(fy_document_root(d), "/status/loadBalancer/ingress/0/ip");
	if (ip)
		snprintf(c->fe, sizeof(c->fe), "%s", ip);
	if (d)
		fy_document_destroy(d);
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
static int cmp_wait_pool(struct cmp *c, int timeout_s)
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

/* --- measurements ------------------------------------------------------------------- */

bool cmp_saw_client(const char *json, const char *addr)
{
	const char *p = strstr(json, "\"client\":\"");
	size_t n = strlen(addr);

	if (!p)
		return false;
	p += strlen("\"client\":\"");
	if (strncmp(p, "::ffff:", 7) == 0)
		p += 7;
	return strncmp(p, addr, n) == 0 && p[n] == '"';
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
static void cmp_measure_answers(struct cmp *c, struct cmp_row *row)
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
		for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *name = strstr(line, "\"name\":\"");

			if (!name)
				continue;
			total++;
			if (!cmp_saw_client(line, want))
				foreign++;
			name += strlen("\"name\":\"");
			for (int p = 0; p < c->npods; p++) {
				size_t l = strlen(c->pods[p].name);

				if (strncmp(name, c->pods[p].name, l) == 0 && name[l] == '"')
					c->pods[p].answers++;
			}
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
				"\"clientip compare: pod direct\"", NULL) == 0;
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
	if (c->added_rule && cmp_run(c, &out, "ip", "netns", "exec", ns, "nft", "-a", "list",
				     "chain", "inet", "edge_filter", "forward", NULL) == 0) {
		for (char *l = strtok(out.data, "\n"); l; l = strtok(NULL, "\n")) {
			char *h = strstr(l, "# handle ");

			if (!strstr(l, "clientip compare: pod direct") || !h)
				continue;
			snprintf(handle, sizeof(handle), "%s", h + strlen("# handle "));
			cmp_run(c, NULL, "ip", "netns", "exec", ns, "nft", "delete", "rule", "inet",
				"edge_filter", "forward", "handle", handle, NULL);
		}
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

/* Whether tool is an executable in $PATH. */
static bool cmp_have(const char *tool)
{
	const char *path = getenv("PATH");
	char dir[LAB_PATH_MAX], exe[LAB_PATH_MAX + 64];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
		snprintf(exe, sizeof(exe), "%s/%s", n ? dir : ".", tool);
		if (access(exe, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
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
static void cmp_measure_rates(struct cmp *c, struct cmp_row *row)
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
static void cmp_measure_rollout(struct cmp *c, struct cmp_row *row)
{
	char url[96], dur[16], dep[96], path[LAB_PATH_MAX + 16];
	struct buf out = BUF_INIT;
	struct fy_document *d = NULL;
	const char *failed;
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
	failed = d ? cmp_jstr(fy_document_root(d), "/new/failed") : NULL;
	if (failed)
		row->rollout = (struct cmp_num){ true, atof(failed) };
	if (d)
		fy_document_destroy(d);
	buf_free(&out);
	cmp_run(c, NULL, c->self, "--lab", c->lab, "rollout", "status", dep, "--timeout", "120s",
		NULL);
}

/* The packets of the load balancer's new-flow counter for node in the
 * edge, or -1. */
static long long cmp_flow_counter(struct cmp *c, const char *ns, const char *counter)
{
	struct buf out = BUF_INIT;
	const char *p;
	long long v = -1;

	if (cmp_run(c, &out, "ip", "netns", "exec", ns, "nft", "list", "counter", "ip", "azure-lb",
		    counter, NULL) == 0 && (p = strstr(buf_str(&out), "packets ")))
		v = atoll(p + strlen("packets "));
	buf_free(&out);
	return v;
}

/* From cutting a node's link in the edge to the last new flow the load
 * balancer sent to that node, under 200 new connections/s (each given up
 * after 300 ms, as bench/lb.sh does): the node's flow counter is read
 * while the load runs. */
static void cmp_measure_failover(struct cmp *c, struct cmp_row *row)
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
static void cmp_chart(struct cmp *c, struct cmp_row *row, double since_ms)
{
	char since[16];

	snprintf(row->chart, sizeof(row->chart), "%s/%s.svg", c->tmp, c->s->name);
	snprintf(since, sizeof(since), "%ds", (int)((cmp_now_ms() - since_ms) / 1000) + 2);
	if (cmp_run(c, NULL, c->self, "--lab", c->lab, "metrics", c->s->svc, "--svg", row->chart,
		    "--since", since, "--granularity", "1s", NULL) != 0)
		row->chart[0] = '\0';
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

/* --- output ---------------------------------------------------------------------------- */

static void cmp_json_num(struct jsonw *w, const char *key, struct cmp_num n, bool integer)
{
	jsonw_key(w, key);
	if (!n.ok)
		jsonw_null(w);
	else if (integer)
		jsonw_int(w, (int64_t)(n.v + 0.5));
	else
		jsonw_double(w, (double)(long long)(n.v * 100 + 0.5) / 100);
}

static void cmp_print_json(const struct cmp_row *rows, size_t n)
{
	struct buf b = BUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &b, true);
	jsonw_begin_array(&w);
	for (size_t i = 0; i < n; i++) {
		const struct cmp_row *r = &rows[i];

		jsonw_begin_object(&w);
		jsonw_kv_str(&w, "strategy", r->s->name);
		/* Only a row that could not be measured says so, and why. */
		if (!r->available) {
			jsonw_kv_bool(&w, "available", false);
			jsonw_kv_str(&w, "reason", r->reason);
		}
		jsonw_key(&w, "client_ip_kept");
		if (r->kept_ok)
			jsonw_bool(&w, r->kept);
		else
			jsonw_null(&w);
		cmp_json_num(&w, "health_probe_status", r->hps, true);
		cmp_json_num(&w, "spread", r->spread, false);
		cmp_json_num(&w, "rps_vs_direct", r->rps, false);
		cmp_json_num(&w, "cps_vs_direct", r->cps, false);
		cmp_json_num(&w, "failed_during_rollout", r->rollout, true);
		cmp_json_num(&w, "failover_ms", r->failover, true);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	fwrite(b.data, 1, b.len, stdout);
	fputc('\n', stdout);
	buf_free(&b);
}

static void cmp_cell(char *buf, size_t len, struct cmp_num n, int prec, const char *unit)
{
	if (!n.ok)
		snprintf(buf, len, "-");
	else {
		snprintf(buf, len, "%.*f", prec, n.v);
		strncat(buf, unit, len - strlen(buf) - 1);
	}
}

static const char *const cmp_heads[] = {
	"STRATEGY", "CLIENT IP", "PROBE STATUS", "SPREAD", "RPS/DIRECT", "CPS/DIRECT",
	"FAILED IN ROLLOUT", "FAILOVER",
};

/* The cells of a row as the table shows them. */
static void cmp_cells(const struct cmp_row *r, char cells[8][48])
{
	snprintf(cells[0], 48, "%s", r->s->name);
	snprintf(cells[1], 48, "%s", !r->available ? "unavailable" : !r->kept_ok ? "-" :
		 r->kept ? "kept" : "lost");
	cmp_cell(cells[2], 48, r->hps, 0, " %");
	cmp_cell(cells[3], 48, r->spread, 2, "");
	cmp_cell(cells[4], 48, r->rps, 2, "");
	cmp_cell(cells[5], 48, r->cps, 2, "");
	cmp_cell(cells[6], 48, r->rollout, 0, "");
	cmp_cell(cells[7], 48, r->failover, 0, " ms");
}

static void cmp_print_table(const struct cmp_row *rows, size_t n)
{
	char cells[8][48];

	printf("%-13s %-11s %-12s %-7s %-10s %-10s %-17s %s\n", cmp_heads[0], cmp_heads[1],
	       cmp_heads[2], cmp_heads[3], cmp_heads[4], cmp_heads[5], cmp_heads[6], cmp_heads[7]);
	for (size_t i = 0; i < n; i++) {
		cmp_cells(&rows[i], cells);
		printf("%-13s %-11s %-12s %-7s %-10s %-10s %-17s %s\n", cells[0], cells[1], cells[2],
		       cells[3], cells[4], cells[5], cells[6], cells[7]);
	}
	for (size_t i = 0; i < n; i++)
		if (!rows[i].available)
			printf("%s: %s\n", rows[i].s->name, rows[i].reason);
}

/* A chart's SVG without its XML declaration, to nest in the report. */
static char *cmp_chart_body(const char *path, size_t *len)
{
	char *data = NULL, *p;

	if (!path[0] || fs_read_all(path, &data, len) != 0)
		return NULL;
	p = strstr(data, "<svg");
	if (!p) {
		free(data);
		return NULL;
	}
	*len -= (size_t)(p - data);
	memmove(data, p, *len + 1);
	return data;
}

/* An attribute's number from a chart's root element ("width", "height"). */
static int cmp_svg_attr(const char *svg, const char *attr, int dflt)
{
	char key[32];
	const char *p, *end = strchr(svg, '>');

	snprintf(key, sizeof(key), " %s=\"", attr);
	p = strstr(svg, key);
	return p && (!end || p < end) ? atoi(p + strlen(key)) : dflt;
}

static void cmp_escape_xml(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '"')
			buf_puts(b, "&quot;");
		else
			buf_putc(b, *s);
	}
}

/* The report: the table, then each strategy's Health Probe Status chart as
 * `clientip metrics --svg` drew it. HTML for a .html path, else SVG. */
static int cmp_report(const char *path, const struct cmp_row *rows, size_t n, const char *lab)
{
	static const int colx[8] = { 10, 130, 220, 320, 390, 480, 570, 720 };
	bool html = strlen(path) > 5 && strcmp(path + strlen(path) - 5, ".html") == 0;
	struct buf b = BUF_INIT;
	char cells[8][48];
	int y, width = 820, rc;

	if (html) {
		buf_printf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			   "<title>clientip compare</title><style>body{font-family:sans-serif}"
			   "td,th{padding:4px 10px;text-align:left}</style></head><body>\n"
			   "<h1>Keeping the client IP: the strategies side by side</h1>\n"
			   "<p>lab %s</p>\n<table>\n<tr>", lab);
		for (int k = 0; k < 8; k++)
			buf_printf(&b, "<th>%s</th>", cmp_heads[k]);
		buf_puts(&b, "</tr>\n");
		for (size_t i = 0; i < n; i++) {
			cmp_cells(&rows[i], cells);
			buf_puts(&b, "<tr>");
			for (int k = 0; k < 8; k++) {
				buf_puts(&b, "<td>");
				cmp_escape_xml(&b, cells[k]);
				buf_puts(&b, "</td>");
			}
			buf_puts(&b, "</tr>\n");
		}
		buf_puts(&b, "</table>\n");
		for (size_t i = 0; i < n; i++) {
			size_t len;
			char *svg = cmp_chart_body(rows[i].chart, &len);

			buf_printf(&b, "<h2>%s</h2>\n", rows[i].s->name);
			if (!svg) {
				buf_puts(&b, "<p>");
				cmp_escape_xml(&b, rows[i].available ?
					       "no load balancer rule: no Health Probe Status" :
					       rows[i].reason);
				buf_puts(&b, "</p>\n");
				continue;
			}
			buf_append(&b, svg, len);
			buf_putc(&b, '\n');
			free(svg);
		}
		buf_puts(&b, "</body></html>\n");
		goto write;
	}
	/* SVG: the table as text rows, the charts nested below each other. */
	struct buf body = BUF_INIT;

	y = 30;
	buf_printf(&body, "<text x=\"10\" y=\"%d\" font-size=\"16\" font-weight=\"bold\">"
		   "Keeping the client IP: the strategies side by side (lab %s)</text>\n", y, lab);
	y += 30;
	for (int k = 0; k < 8; k++)
		buf_printf(&body, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n",
			   colx[k], y, cmp_heads[k]);
	for (size_t i = 0; i < n; i++) {
		y += 20;
		cmp_cells(&rows[i], cells);
		for (int k = 0; k < 8; k++) {
			buf_printf(&body, "<text x=\"%d\" y=\"%d\">", colx[k], y);
			cmp_escape_xml(&body, cells[k]);
			buf_puts(&body, "</text>\n");
		}
	}
	y += 20;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *svg = cmp_chart_body(rows[i].chart, &len);

		y += 30;
		buf_printf(&body, "<text x=\"10\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">"
			   "%s</text>\n", y, rows[i].s->name);
		if (!svg) {
			y += 20;
			buf_printf(&body, "<text x=\"10\" y=\"%d\">", y);
			cmp_escape_xml(&body, rows[i].available ?
				       "no load balancer rule: no Health Probe Status" : rows[i].reason);
			buf_puts(&body, "</text>\n");
			continue;
		}
		int w = cmp_svg_attr(svg, "width", 800), h = cmp_svg_attr(svg, "height", 300);

		y += 10;
		/* A nested <svg> is positioned by x and y on its root element. */
		buf_printf(&body, "<svg x=\"10\" y=\"%d\"", y);
		buf_append(&body, svg + 4, len - 4);
		buf_putc(&body, '\n');
		y += h;
		if (w + 20 > width)
			width = w + 20;
		free(svg);
	}
	y += 20;
	buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "font-family=\"sans-serif\" font-size=\"12\">\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", width, y);
	buf_append(&b, body.data, body.len);
	buf_puts(&b, "</svg>\n");
	buf_free(&body);
write:
	rc = fs_write_atomic(path, b.data, b.len, 0644);
	buf_free(&b);
	return rc;
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
