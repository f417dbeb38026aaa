/* kubelet_node.c — the node in the API: its Node object and its Lease.
 *
 * As a kubelet does: the node registers its Node (AlreadyExists is fine:
 * an agent restarted, or a node that was there before), renews its Lease in
 * kube-node-lease on every heartbeat, and posts the Node's status only
 * when what it would post differs from what the API server holds (its
 * Ready condition set to Unknown by the node lifecycle controller while
 * the agent was away, say), or when the last post is older than
 * KUBELET_NODE_REPORT_S. The Lease is the cheap, frequent sign of life;
 * the Node's status changes rarely, so watchers of Nodes are not woken
 * every two seconds.
 *
 * Every request blocks for at most KUBELET_NODE_TIMEOUT_MS: the API server
 * is local and answers from memory, and a frozen one costs the agent's loop
 * one short wait per heartbeat, not more.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <jansson.h>

#include "apiclient.h"
#include "apiobj.h"
#include "buf.h"
#include "fsutil.h"
#include "kubelet_int.h"
#include "lab.h"
#include "log.h"
#include "store.h"

#define KUBELET_NODE_TIMEOUT_MS 1000
/* kubelet's nodeStatusReportFrequency: a status that did not change is
 * posted again this often, with a new lastHeartbeatTime. */
#define KUBELET_NODE_REPORT_S   300
#define KUBELET_LEASE_NS        "kube-node-lease"

struct kubelet_node {
	struct apiclient *api;
	bool registered;          /* the Node exists, as far as we know */
	bool started;             /* the Starting Event is recorded */
	char uid[64];             /* its metadata.uid, for the Lease's owner */
	int64_t reported;         /* when this agent last posted the status */
	char last_error[256];     /* logged once until something else happens */
	uint64_t quiet_until;     /* the server did not answer: pods' reports wait till then */
	json_t *info;             /* status.nodeInfo, the same for the agent's life */
	struct apiobj_events events;  /* recorded, for counting repeats */
};

/* Logs a failure once, until it changes or things work again. */
static void kl_node_failed(struct kubelet_node *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kl_node_failed(struct kubelet_node *n, const char *fmt, ...)
{
	char msg[sizeof(n->last_error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(msg, n->last_error) == 0)
		return;
	log_warn("%s", msg);
	memcpy(n->last_error, msg, sizeof(msg));
}

static void kl_node_ok(struct kubelet_node *n, const char *what)
{
	if (!n->last_error[0])
		return;
	log_info("%s: working again", what);
	n->last_error[0] = '\0';
}

/* One request with a JSON body (may be NULL); the answer's body parsed
 * into *answer when asked for (NULL if it is not JSON). The HTTP status,
 * or -1 when no answer came (logged). */
static int kl_node_call(struct kubelet_node *n, const char *method, const char *path,
			const char *content_type, json_t *body, json_t **answer)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL, err[200];
	struct buf b = BUF_INIT;
	int code;

	if (answer)
		*answer = NULL;
	if (body && !text)
		return -1;
	code = apiclient_request(n->api, method, path, content_type, text,
				 text ? strlen(text) : 0, &b, err, sizeof(err));
	if (code < 0) {
		kl_node_failed(n, "API server: %s %s: %s", method, path, err);
		n->quiet_until = ev_now_ms() + KUBELET_API_QUIET_MS;
	} else {
		/* It answers again: the pods' reports need not wait. */
		n->quiet_until = 0;
		if (answer)
			*answer = json_loadb(buf_str(&b), b.len, 0, NULL);
	}
	free(text);
	buf_free(&b);
	return code;
}

static int kl_node_send(void *ctx, const char *method, const char *path,
			const char *content_type, json_t *body)
{
	return kl_node_call(ctx, method, path, content_type, body, NULL);
}

void kl_event(struct kubelet *k, const char *ns, const char *kind, const char *ref_ns,
	      const char *name, const char *uid, const char *type, const char *reason,
	      const char *message)
{
	json_t *ev = apiobj_event_new(ns, "v1", kind, ref_ns, name, uid, type, reason, message,
				      "kubelet");
	int code = ev ? apiobj_event_record(&k->node->events, ev, kl_node_send, k->node) : -1;

	if (code > 0 && (code < 200 || code >= 300))
		kl_node_failed(k->node, "record %s: HTTP %d", reason, code);
	json_decref(ev);
}

/* ---- the pods' status and their end ---------------------------------- */

bool kl_api_quiet(const struct kubelet *k)
{
	return ev_now_ms() < k->node->quiet_until;
}

int kl_pod_status_send(struct kubelet *k, const struct model_pod *pod,
		       const struct model_pod_status *st, uint64_t *rv)
{
	static const char *const optional[] = { "startTime", "hostIP", "podIP", "podIPs",
						"containerStatuses", "reason", "message" };
	char path[3 * MODEL_NAME_MAX + 32];
	json_t *doc, *status, *patch, *answer = NULL;
	int code;

	doc = model_pod_to_value(pod, st);
	status = json_incref(json_object_get(doc, "status"));
	json_decref(doc);
	if (!status)
		return -1;
	/* A merge patch keeps what it does not name: what this report no
	 * longer has is named null. */
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
		if (!json_object_get(status, optional[i]))
			json_object_set_new(status, optional[i], json_null());
	/* The uid is a precondition: a pod that took the name meanwhile is
	 * another one (409). */
	patch = json_pack("{s:{s:s}, s:o}", "metadata", "uid", pod->meta.uid, "status", status);
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s/status", pod->meta.ns,
		 pod->meta.name);
	code = patch ? kl_node_call(k->node, "PATCH", path, "application/merge-patch+json",
				    patch, &answer) : -1;
	json_decref(patch);
	if (code > 0 && code != 200 && code != 404 && code != 409)
		kl_node_failed(k->node, "pod %s/%s: status: HTTP %d", pod->meta.ns,
			       pod->meta.name, code);
	if (rv)
		*rv = code == 200 ? apiobj_rv(answer) : 0;
	json_decref(answer);
	return code;
}

int kl_pod_remove(struct kubelet *k, const struct model_pod *pod)
{
	char path[3 * MODEL_NAME_MAX + 32];
	json_t *opts = json_pack("{s:s, s:s, s:i, s:{s:s}}", "apiVersion", "v1", "kind",
				 "DeleteOptions", "gracePeriodSeconds", 0, "preconditions", "uid",
				 pod->meta.uid);
	int code;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s", pod->meta.ns,
		 pod->meta.name);
	code = opts ? kl_node_call(k->node, "DELETE", path, "application/json", opts, NULL)
		    : -1;
	json_decref(opts);
	if (code > 0 && code != 200 && code != 404 && code != 409)
		kl_node_failed(k->node, "pod %s/%s: delete: HTTP %d", pod->meta.ns,
			       pod->meta.name, code);
	return code;
}

/* An Event about this node ("default" namespace, the Node as involved
 * object). */
static void kl_node_event(struct kubelet *k, const char *reason, const char *message)
{
	kl_event(k, "default", "Node", "", k->cfg->node, k->node->uid, "Normal", reason,
		 message);
}

/* "linux"'s machine names in Kubernetes' words (GOARCH). */
static const char *kl_node_arch(const char *machine)
{
	if (strcmp(machine, "x86_64") == 0)
		return "amd64";
	if (strcmp(machine, "aarch64") == 0)
		return "arm64";
	return machine;
}

/* PRETTY_NAME of /etc/os-release, as kubelet reports the OS image. */
static void kl_node_os_image(char *out, size_t len)
{
	char *text = NULL, *p;

	snprintf(out, len, "Linux");
	if (fs_read_all("/etc/os-release", &text, NULL) < 0)
		return;
	p = strstr(text, "PRETTY_NAME=");
	if (p) {
		p += strlen("PRETTY_NAME=");
		if (*p == '"')
			p++;
		snprintf(out, len, "%.*s", (int)strcspn(p, "\"\n"), p);
	}
	free(text);
}

static json_t *kl_node_info(void)
{
	struct utsname un;
	char os[128];

	if (uname(&un) < 0)
		memset(&un, 0, sizeof(un));
	kl_node_os_image(os, sizeof(os));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kubeletVersion", LAB_KUBE_VERSION,
			 "kubeProxyVersion", LAB_KUBE_VERSION, "osImage", os, "kernelVersion",
			 un.release, "operatingSystem", "linux", "architecture",
			 kl_node_arch(un.machine), "containerRuntimeVersion",
			 "clientip://netns");
}

static json_t *kl_node_labels(const struct kubelet *k)
{
	struct utsname un;

	if (uname(&un) < 0)
		memset(&un, 0, sizeof(un));
	/* As AKS labels its nodes: role "agent", which kubectl shows. */
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "kubernetes.io/hostname", k->cfg->node,
			 "kubernetes.io/os", "linux", "kubernetes.io/arch",
			 kl_node_arch(un.machine), "kubernetes.io/role", "agent",
			 "node-role.kubernetes.io/agent", "");
}

/* The status this agent posts, without the condition's times. */
static json_t *kl_node_status(const struct kubelet *k)
{
	char addr[INET_ADDRSTRLEN], pods[16];

	inet_ntop(AF_INET, &k->cfg->node_addr, addr, sizeof(addr));
	snprintf(pods, sizeof(pods), "%d", model_node_max_pods());
	return json_pack("{s:{s:s}, s:{s:s}, s:[{s:s, s:s, s:s, s:s}],"
			 " s:[{s:s, s:s}, {s:s, s:s}], s:O}",
			 "capacity", "pods", pods, "allocatable", "pods", pods,
			 "conditions", "type", "Ready", "status", "True", "reason", "KubeletReady",
			 "message", "kubelet is posting ready status",
			 "addresses", "type", "InternalIP", "address", addr, "type", "Hostname",
			 "address", k->cfg->node, "nodeInfo", k->node->info);
}

/* Whether the status the server holds says what we would post, times
 * aside. */
static bool kl_node_same(const json_t *held, const json_t *want)
{
	json_t *copy = json_deep_copy(held);
	json_t *conds = json_object_get(copy, "conditions"), *c;
	bool same;
	size_t i;

	json_array_foreach(conds, i, c) {
		json_object_del(c, "lastHeartbeatTime");
		json_object_del(c, "lastTransitionTime");
	}
	same = copy && json_equal(copy, want);
	json_decref(copy);
	return same;
}

static void kl_node_register(struct kubelet *k)
{
	struct kubelet_node *n = k->node;
	char cidr[INET_ADDRSTRLEN + 4], subnet[INET_ADDRSTRLEN];
	struct in_addr net = lab_node_pod_subnet(k->cfg->node_index);
	json_t *node;
	int code;

	inet_ntop(AF_INET, &net, subnet, sizeof(subnet));
	snprintf(cidr, sizeof(cidr), "%s/%d", subnet, LAB_POD_PREFIX);
	node = json_pack("{s:s, s:s, s:{s:s, s:o}, s:{s:s, s:[s]}}", "apiVersion", "v1", "kind",
			 "Node", "metadata", "name", k->cfg->node, "labels", kl_node_labels(k),
			 "spec", "podCIDR", cidr, "podCIDRs", cidr);
	if (!node)
		return;
	code = kl_node_call(n, "POST", "/api/v1/nodes", "application/json", node, NULL);
	json_decref(node);
	if (code == 201 || code == 409) {
		if (code == 201)
			log_info("node %s registered", k->cfg->node);
		n->registered = true;
		n->reported = 0;   /* a new Node has no status yet */
		kl_node_ok(n, "node registration");
	} else if (code > 0) {
		kl_node_failed(n, "register node %s: HTTP %d", k->cfg->node, code);
	}
}

/* Renews the Lease, creating it the first time. */
static void kl_node_lease(struct kubelet *k, const char *now)
{
	struct kubelet_node *n = k->node;
	char path[160];
	json_t *patch, *lease;
	int code;

	snprintf(path, sizeof(path),
		 "/apis/coordination.k8s.io/v1/namespaces/" KUBELET_LEASE_NS "/leases/%s",
		 k->cfg->node);
	patch = json_pack("{s:{s:s, s:i, s:s}}", "spec", "holderIdentity", k->cfg->node,
			  "leaseDurationSeconds", model_node_grace_s(), "renewTime", now);
	code = patch ? kl_node_call(n, "PATCH", path, "application/merge-patch+json", patch,
				    NULL)
		     : -1;
	json_decref(patch);
	if (code != 404) {
		if (code > 0 && code != 200)
			kl_node_failed(n, "renew lease %s: HTTP %d", k->cfg->node, code);
		return;
	}
	/* The Node owns its Lease, so that deleting the Node takes it too. */
	lease = json_pack("{s:s, s:s, s:{s:s, s:s, s:[{s:s, s:s, s:s, s:s}]},"
			  " s:{s:s, s:i, s:s, s:s}}",
			  "apiVersion", "coordination.k8s.io/v1", "kind", "Lease",
			  "metadata", "name", k->cfg->node, "namespace", KUBELET_LEASE_NS,
			  "ownerReferences", "apiVersion", "v1", "kind", "Node",
			  "name", k->cfg->node, "uid", n->uid,
			  "spec", "holderIdentity", k->cfg->node,
			  "leaseDurationSeconds", model_node_grace_s(),
			  "acquireTime", now, "renewTime", now);
	if (!n->uid[0])
		json_object_del(json_object_get(lease, "metadata"), "ownerReferences");
	snprintf(path, sizeof(path),
		 "/apis/coordination.k8s.io/v1/namespaces/" KUBELET_LEASE_NS "/leases");
	code = lease ? kl_node_call(n, "POST", path, "application/json", lease, NULL) : -1;
	json_decref(lease);
	if (code > 0 && code != 201 && code != 409)
		kl_node_failed(n, "create lease %s: HTTP %d", k->cfg->node, code);
}

/* Reads the Node back and posts its status if it differs from ours or is
 * due again. */
static void kl_node_report(struct kubelet *k, const char *now)
{
	struct kubelet_node *n = k->node;
	const json_t *held_ready;
	json_t *node = NULL, *want = NULL, *patch = NULL, *cond;
	const char *uid, *since = NULL, *held_status;
	char path[128];
	int code;

	snprintf(path, sizeof(path), "/api/v1/nodes/%s", k->cfg->node);
	code = kl_node_call(n, "GET", path, NULL, NULL, &node);
	if (code == 404) {
		/* Deleted while we ran: register again, as a restarted kubelet
		 * would. */
		n->registered = false;
		n->uid[0] = '\0';
		goto out;
	}
	if (code != 200 || !node) {
		if (code > 0)
			kl_node_failed(n, "read node %s: HTTP %d", k->cfg->node, code);
		goto out;
	}
	uid = json_string_value(json_object_get(json_object_get(node, "metadata"), "uid"));
	snprintf(n->uid, sizeof(n->uid), "%s", uid ? uid : "");
	/* Once per agent, as kubelet announces its start. */
	if (!n->started) {
		n->started = true;
		kl_node_event(k, "Starting", "Starting kubelet.");
	}
	want = kl_node_status(k);
	if (!want)
		goto out;
	if (n->reported && time(NULL) - n->reported < KUBELET_NODE_REPORT_S &&
	    kl_node_same(json_object_get(node, "status"), want))
		goto out;
	/* The condition keeps its transition time while it stays True. */
	held_ready = apiobj_condition(node, "Ready");
	held_status = json_string_value(json_object_get(held_ready, "status"));
	if (held_status && strcmp(held_status, "True") == 0)
		since = json_string_value(json_object_get(held_ready, "lastTransitionTime"));
	cond = json_array_get(json_object_get(want, "conditions"), 0);
	json_object_set_new(cond, "lastHeartbeatTime", json_string(now));
	json_object_set_new(cond, "lastTransitionTime", json_string(since ? since : now));
	patch = json_pack("{s:O}", "status", want);
	snprintf(path, sizeof(path), "/api/v1/nodes/%s/status", k->cfg->node);
	code = patch ? kl_node_call(n, "PATCH", path, "application/merge-patch+json", patch,
				    NULL)
		     : -1;
	if (code == 200) {
		if (!held_status || strcmp(held_status, "True") != 0) {
			char msg[MODEL_NAME_MAX + 48];

			log_info("node %s: Ready", k->cfg->node);
			snprintf(msg, sizeof(msg), "Node %s status is now: NodeReady",
				 k->cfg->node);
			kl_node_event(k, "NodeReady", msg);
		}
		n->reported = time(NULL);
		kl_node_ok(n, "node status");
	} else if (code > 0) {
		kl_node_failed(n, "post node status %s: HTTP %d", k->cfg->node, code);
	}
out:
	json_decref(patch);
	json_decref(want);
	json_decref(node);
}

void kl_node_heartbeat(struct kubelet *k)
{
	char now[MODEL_TIME_MAX], now_us[MODEL_TIME_MAX + 8];
	struct timespec ts;

	/* A Node's times are whole seconds; a Lease's are MicroTime. */
	clock_gettime(CLOCK_REALTIME, &ts);
	model_time_format(ts.tv_sec, now, sizeof(now));
	model_time_format_frac(ts.tv_sec, ts.tv_nsec, 6, now_us, sizeof(now_us));
	if (!k->node->registered)
		kl_node_register(k);
	if (!k->node->registered)
		return;
	kl_node_report(k, now);
	/* A report the server did not answer: the Lease would wait for the
	 * same timeout in the loop the proxy shares; it is renewed by the
	 * next heartbeat instead. */
	if (k->node->registered && !kl_api_quiet(k))
		kl_node_lease(k, now_us);
}

int kl_node_new(struct kubelet *k)
{
	char sock[LAB_PATH_MAX + 32];

	k->node = calloc(1, sizeof(*k->node));
	if (!k->node)
		return -ENOMEM;
	snprintf(sock, sizeof(sock), "%s/apiserver.sock", k->cfg->statedir);
	k->node->api = apiclient_new(sock);
	k->node->info = kl_node_info();
	if (!k->node->api || !k->node->info)
		return -ENOMEM;
	apiclient_set_timeout(k->node->api, KUBELET_NODE_TIMEOUT_MS);
	return 0;
}

void kl_node_free(struct kubelet *k)
{
	if (!k->node)
		return;
	apiclient_free(k->node->api);
	json_decref(k->node->info);
	free(k->node);
	k->node = NULL;
}
