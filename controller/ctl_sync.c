/* ctl_sync.c — one reconcile pass: take a view of the API server's
 * objects, decide, write through the API.
 *
 * Nothing is remembered between passes but the resourceVersion of the
 * last write (ctl_api_begin waits for the view to have it): pods are
 * found again by owner and template hash, addresses by the pods that hold
 * them, so a controller killed mid-pass and started again picks up where
 * the API server is.
 */
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "labinfo.h"
#include "log.h"
#include "store.h"

/* What one pass sees and changes. Index arrays hold positions in pods[],
 * which grows (realloc) as pods are created. */
struct ctl_pass {
	struct ctl *c;
	char now[MODEL_TIME_MAX];
	struct model_deployment *deps;   /* Deployments, then DaemonSets */
	char (*hashes)[CTL_HASH_LEN + 1];   /* each one's pod-template-hash */
	int n_deps;
	struct model_service *svcs;
	int n_svcs;
	struct model_pod *pods;
	int n_pods, cap_pods;
	const struct model_pod_status **st_of;   /* per pod: its status, or NULL */
	struct model_pod_status *sts;   /* sts[i]: what pods[i]'s object says, if st_of[i] */
	int n_sorted;           /* pods[0..n_sorted) are in (ns, name) order */
	int *by_owner;          /* pod positions sorted by namespace, owner */
	struct ctl_api_view api;      /* the API server's objects, as this pass found them */
	struct ctl_node_view nodes;   /* its Nodes and their Leases */
	json_t *made_rs;        /* ReplicaSets written in this pass, "ns/name" -> object */
	int n_disk;             /* pods[0..n_disk) were read; the rest are new */
	int n_unsched;          /* pods written Pending in this pass */
	char unsched_why[MODEL_MESSAGE_MAX];   /* the last one's reason */
};

static int ctl_key_cmp(const char *ns1, const char *n1, const char *ns2, const char *n2)
{
	int c = strcmp(ns1, ns2);

	return c ? c : strcmp(n1, n2);
}

/* Binary search of (ns, name) in an array sorted by it; `key` gives an
 * element's pair. */
typedef void ctl_key_fn(const void *elem, const char **ns, const char **name);

static const void *ctl_find(const void *base, int n, size_t size, ctl_key_fn *key,
			    const char *ns, const char *name)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		const void *e = (const char *)base + (size_t)mid * size;
		const char *ens, *ename;
		int c;

		key(e, &ens, &ename);
		c = ctl_key_cmp(ens, ename, ns, name);
		if (c == 0)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void ctl_pod_key(const void *e, const char **ns, const char **name)
{
	*ns = ((const struct model_pod *)e)->meta.ns;
	*name = ((const struct model_pod *)e)->meta.name;
}

static bool ctl_pod_exists(const struct ctl_pass *p, const char *ns, const char *name)
{
	if (ctl_find(p->pods, p->n_sorted, sizeof(*p->pods), ctl_pod_key, ns, name))
		return true;
	for (int i = p->n_sorted; i < p->n_pods; i++)
		if (strcmp(p->pods[i].meta.name, name) == 0 && strcmp(p->pods[i].meta.ns, ns) == 0)
			return true;
	return false;
}

/* An element count for an allocation: at least 1, so that malloc never
 * returns NULL for an empty list. */
static size_t ctl_count(int n)
{
	return n > 0 ? (size_t)n : 1;
}

static bool ctl_ready(const struct ctl_pass *p, int i)
{
	return p->st_of[i] && p->st_of[i]->ready && !p->pods[i].meta.deleting[0];
}

/* ---- deployments -------------------------------------------------------- */

static int ctl_owner_cmp_r(const void *a, const void *b, void *arg)
{
	const struct model_pod *pods = arg;
	const struct model_pod *x = &pods[*(const int *)a], *y = &pods[*(const int *)b];

	return ctl_key_cmp(x->meta.ns, x->owner, y->meta.ns, y->owner);
}

/* The first by_owner position whose pod has (ns, owner) >= the key. */
static int ctl_owner_lower(const struct ctl_pass *p, int n, const char *ns, const char *owner)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		const struct model_pod *x = &p->pods[p->by_owner[mid]];

		if (ctl_key_cmp(x->meta.ns, x->owner, ns, owner) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void ctl_pod_path(const struct model_pod *pod, const char *sub, char *out, size_t len)
{
	snprintf(out, len, "/api/v1/namespaces/%s/pods/%s%s%s", pod->meta.ns, pod->meta.name,
		 sub ? "/" : "", sub ? sub : "");
}

/* Deletes a pod through the API, as the ReplicaSet controller does: one
 * on a node ends gracefully (its kubelet stops it, then removes it), one
 * on no node goes at once. The uid precondition leaves a new pod of the
 * same name alone. */
static int ctl_mark_deleting(struct ctl_pass *p, int i, const char *why)
{
	struct model_pod *pod = &p->pods[i];
	char path[3 * MODEL_NAME_MAX + 32], what[2 * MODEL_NAME_MAX + 8];
	json_t *opts;
	int code;

	if (pod->meta.deleting[0])
		return 0;
	ctl_pod_path(pod, NULL, path, sizeof(path));
	snprintf(what, sizeof(what), "pod %s/%s", pod->meta.ns, pod->meta.name);
	opts = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "DeleteOptions",
			 "preconditions", "uid", pod->meta.uid);
	code = opts ? ctl_api_call(p->c, "DELETE", path, opts, what, 404, CTL_PODS, NULL) : -1;
	json_decref(opts);
	if (code != 200 && code != 202 && code != 404)
		return -EIO;
	memcpy(pod->meta.deleting, p->now, sizeof(pod->meta.deleting));
	log_info("pod %s/%s: %s (%s)", pod->meta.ns, pod->meta.name,
		 pod->node[0] ? "deleting" : "removed, it was on no node", why);
	return 0;
}

static int ctl_grow(struct ctl_pass *p)
{
	int cap = p->cap_pods ? p->cap_pods * 2 : 16;
	struct model_pod *pods;
	const struct model_pod_status **st;

	if (p->n_pods < p->cap_pods)
		return 0;
	pods = realloc(p->pods, (size_t)cap * sizeof(*pods));
	if (!pods)
		return -ENOMEM;
	p->pods = pods;
	st = realloc(p->st_of, (size_t)cap * sizeof(*st));
	if (!st)
		return -ENOMEM;
	p->st_of = st;
	p->cap_pods = cap;
	return 0;
}

/* Makes one pod of d's current template, unscheduled and not yet written
 * (ctl_schedule_pending binds and writes it); its position, or -errno. A
 * DaemonSet's pod is pinned to node (else -1), as the DaemonSet controller
 * pins it with a node affinity, and carries controller-revision-hash. */
static int ctl_create_pod(struct ctl_pass *p, const struct model_deployment *d,
			  const char *hash, int node)
{
	unsigned char rnd[CTL_SUFFIX_LEN];
	struct model_pod *pod;
	int rc, tries = 0;

	rc = ctl_grow(p);
	if (rc < 0)
		return rc;
	pod = &p->pods[p->n_pods];
	memset(pod, 0, sizeof(*pod));
	memcpy(pod->meta.ns, d->meta.ns, sizeof(pod->meta.ns));
	for (;;) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return -EAGAIN;
		ctl_pod_name(d->meta.name, d->daemon_set ? NULL : hash, rnd, pod->meta.name);
		if (!ctl_pod_exists(p, pod->meta.ns, pod->meta.name))
			break;
		if (++tries == 16)
			return -EEXIST;
	}
	model_uid_new(pod->meta.uid);
	memcpy(pod->meta.created, p->now, sizeof(pod->meta.created));
	pod->meta.labels = d->template_labels;
	pod->meta.annotations = d->template_annotations;
	rc = model_map_set(&pod->meta.labels, d->daemon_set ? "controller-revision-hash"
							     : "pod-template-hash", hash);
	if (rc < 0)
		return rc;
	memcpy(pod->owner, d->meta.name, sizeof(pod->owner));
	pod->daemon_set = d->daemon_set;
	snprintf(pod->template_hash, sizeof(pod->template_hash), "%s", hash);
	pod->spec = d->pod;
	if (d->daemon_set && node >= 0)
		snprintf(pod->spec.node_affinity, sizeof(pod->spec.node_affinity), "node%d", node);
	p->st_of[p->n_pods] = NULL;
	return p->n_pods++;
}

/* The Deployment's ReplicaSets from its pods after the step (rp: created
 * ones current and not ready, deleted ones deleting). */
static void ctl_sync_replicasets(struct ctl_pass *p, const struct model_deployment *d,
				 const char *hash, const struct ctl_rpod *rp, int n_rp)
{
	struct ctl_rs_count *counts = calloc(ctl_count(n_rp) + 1, sizeof(*counts));
	int n = 0;

	if (!counts) {
		log_error("deployment %s/%s: out of memory", d->meta.ns, d->meta.name);
		return;
	}
	counts[n++] = (struct ctl_rs_count){ hash, 0, 0, 0 };
	for (int k = 0; k < n_rp; k++) {
		const char *h = p->pods[rp[k].idx].template_hash;
		int j = 0;

		while (j < n && strcmp(counts[j].hash, h) != 0)
			j++;
		if (j == n)
			counts[n++] = (struct ctl_rs_count){ h, 0, 0, 0 };
		counts[j].all++;
		counts[j].live += !rp[k].deleting;
		counts[j].ready += !rp[k].deleting && rp[k].ready;
	}
	ctl_rs_sync(p->c, &p->api, p->made_rs, d, hash, counts, n);
	free(counts);
}

static void ctl_sync_deployment(struct ctl_pass *p, const struct model_deployment *d,
				const int *mine, int n_mine)
{
	/* Pods that find no node are still created (Pending), so only the
	 * burst limit bounds a pass; the next pass creates more. */
	const int max_new = d->replicas < CTL_BURST_REPLICAS ? d->replicas : CTL_BURST_REPLICAS;
	struct model_deployment_status st;
	struct ctl_rpod *rp = calloc(ctl_count(n_mine) + (size_t)(max_new > 0 ? max_new : 0),
				     sizeof(*rp));
	int *del = calloc((size_t)n_mine + 1, sizeof(*del));
	struct ctl_plan plan = { 0, del, 0 };
	int own[LAB_MAX_NODES] = { 0 };
	char hash[CTL_HASH_LEN + 1];
	int surge, unavailable, n_rp = n_mine, rc;

	if (!rp || !del) {
		log_error("deployment %s/%s: out of memory", d->meta.ns, d->meta.name);
		goto out;
	}
	memcpy(hash, p->hashes[d - p->deps], sizeof(hash));
	ctl_rollout_bounds(d, &surge, &unavailable);
	for (int k = 0; k < n_mine; k++) {
		const struct model_pod *pod = &p->pods[mine[k]];
		int node = lab_node_index(pod->node);

		if (!pod->meta.deleting[0] && node >= 0 && node < LAB_MAX_NODES)
			own[node]++;
	}
	for (int k = 0; k < n_mine; k++) {
		const struct model_pod *pod = &p->pods[mine[k]];
		int node = lab_node_index(pod->node);

		rp[k].idx = mine[k];
		rp[k].current = strcmp(pod->template_hash, hash) == 0;
		rp[k].assigned = pod->node[0] != '\0';
		rp[k].ready = ctl_ready(p, mine[k]);
		rp[k].deleting = pod->meta.deleting[0] != '\0';
		rp[k].created = model_time_parse(pod->meta.created);
		rp[k].colocated = node >= 0 && node < LAB_MAX_NODES ? own[node] : 0;
		rp[k].name = pod->meta.name;
	}
	ctl_rollout_plan(rp, n_mine, d->replicas, surge, unavailable, &plan);
	/* Pods are made for the current template's ReplicaSet, which must
	 * exist first. */
	if (plan.create > 0 &&
	    !ctl_rs_current(p->c, &p->api, p->made_rs, d->meta.ns, d->meta.name, hash))
		plan.create = 0;

	for (int k = 0; k < plan.n_del; k++) {
		int i = plan.del[k], node = lab_node_index(p->pods[i].node);
		bool current = strcmp(p->pods[i].template_hash, hash) == 0;

		if (ctl_mark_deleting(p, i, current ? "scaled down" : "old template") < 0)
			continue;
		for (int r = 0; r < n_mine; r++) {
			if (rp[r].idx == i) {
				rp[r].deleting = true;
				rp[r].ready = false;
			}
		}
		/* It no longer counts for the spread; its address and its
		 * place on the node stay taken until it is gone. */
		if (node >= 0 && node < LAB_MAX_NODES && own[node] > 0)
			own[node]--;
	}
	for (int k = 0; k < plan.create && k < max_new; k++) {
		rc = ctl_create_pod(p, d, hash, -1);
		if (rc < 0) {
			log_error("deployment %s/%s: cannot create a pod: %s", d->meta.ns,
				  d->meta.name, strerror(-rc));
			break;
		}
		/* Not ready yet; its name is not needed past the plan (and the
		 * pods array may move as it grows). */
		rp[n_rp].idx = rc;
		rp[n_rp].current = true;
		n_rp++;
	}
	ctl_deployment_status(d, hash, rp, n_rp, unavailable, &st);
	ctl_api_put_status(p->c, &p->api, &st);
	ctl_sync_replicasets(p, d, hash, rp, n_rp);
out:
	free(rp);
	free(del);
}

/* ---- daemonsets ------------------------------------------------------------ */

static void ctl_sync_daemonset(struct ctl_pass *p, const struct model_deployment *d,
			       const int *mine, int n_mine, const struct ctl_nodes *nodes)
{
	struct model_deployment_status st;
	struct ctl_dspod *dp = calloc(ctl_count(n_mine) + LAB_MAX_NODES, sizeof(*dp));
	int *del = calloc(ctl_count(n_mine), sizeof(*del));
	struct ctl_ds_plan plan = { .del = del };
	char hash[CTL_HASH_LEN + 1];
	int surge, unavailable, desired = 0, n_dp = n_mine, rc;

	if (!dp || !del) {
		log_error("daemonset %s/%s: out of memory", d->meta.ns, d->meta.name);
		goto out;
	}
	memcpy(hash, p->hashes[d - p->deps], sizeof(hash));
	for (int i = 0; i < nodes->n; i++)
		desired += nodes->state[i] == CTL_NODE_READY;
	ctl_daemonset_bounds(d, desired, &surge, &unavailable);
	for (int k = 0; k < n_mine; k++) {
		const struct model_pod *pod = &p->pods[mine[k]];

		dp[k].idx = mine[k];
		dp[k].node = lab_node_index(pod->node[0] ? pod->node : pod->spec.node_affinity);
		dp[k].current = strcmp(pod->template_hash, hash) == 0;
		dp[k].ready = ctl_ready(p, mine[k]);
		dp[k].deleting = pod->meta.deleting[0] != '\0';
		dp[k].created = model_time_parse(pod->meta.created);
	}
	ctl_daemonset_plan(dp, n_mine, nodes->state, nodes->n, surge, unavailable, &plan);
	for (int k = 0; k < plan.n_del; k++) {
		int i = plan.del[k];

		if (ctl_mark_deleting(p, i, strcmp(p->pods[i].template_hash, hash) == 0
					    ? "one per node" : "old template") < 0)
			continue;
		for (int r = 0; r < n_mine; r++)
			if (dp[r].idx == i) {
				dp[r].deleting = true;
				dp[r].ready = false;
			}
	}
	for (int i = 0; i < nodes->n && i < LAB_MAX_NODES; i++) {
		if (!plan.create[i])
			continue;
		rc = ctl_create_pod(p, d, hash, i);
		if (rc < 0) {
			log_error("daemonset %s/%s: cannot create a pod for node%d: %s", d->meta.ns,
				  d->meta.name, i, strerror(-rc));
			break;
		}
		dp[n_dp++] = (struct ctl_dspod){ .idx = rc, .node = i, .current = true };
	}
	ctl_daemonset_status(d, hash, dp, n_dp, nodes->state, nodes->n, &st);
	ctl_api_put_status(p->c, &p->api, &st);
out:
	free(dp);
	free(del);
}

/* ---- the scheduler -------------------------------------------------------- */

/* The pods the default spread counts together: one Deployment's pods of
 * one template, as kube-scheduler's default constraint selects a
 * ReplicaSet's pods (its selector carries pod-template-hash). */
struct ctl_group {
	const char *ns, *owner, *hash;
	int own[LAB_MAX_NODES];     /* live pods of the group on each node */
};

/* A pod waiting for a node, in the scheduling queue's order. */
struct ctl_waiting {
	int idx;
	int64_t created;
	struct ctl_group *group;
};

static int ctl_group_cmp(const void *a, const void *b)
{
	const struct ctl_group *x = a, *y = b;
	int c = ctl_key_cmp(x->ns, x->owner, y->ns, y->owner);

	return c ? c : strcmp(x->hash, y->hash);
}

/* Oldest first, as the scheduling queue pops pods of equal priority; the
 * position breaks ties, so pods read from disk go before new ones. */
static int ctl_waiting_cmp(const void *a, const void *b)
{
	const struct ctl_waiting *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static struct ctl_group *ctl_group_find(struct ctl_group *g, int n, const struct model_pod *pod)
{
	struct ctl_group key = { pod->meta.ns, pod->owner, pod->template_hash, { 0 } };

	return bsearch(&key, g, (size_t)n, sizeof(*g), ctl_group_cmp);
}

/* Creates a pod the pass made (ctl_create_pod) through the API, owned by
 * its ReplicaSet or DaemonSet, and records SuccessfulCreate as their
 * controllers do. The server's uid and creationTimestamp go into pod. 0,
 * or -1 (logged). */
static int ctl_pod_post(struct ctl_pass *p, struct model_pod *pod)
{
	char owner[2 * MODEL_NAME_MAX], key[3 * MODEL_NAME_MAX], path[MODEL_NAME_MAX + 32];
	char what[2 * MODEL_NAME_MAX + 8], msg[MODEL_NAME_MAX + 16];
	const char *uid, *kind = pod->daemon_set ? "DaemonSet" : "ReplicaSet";
	json_t *obj, *md, *answer = NULL;
	int code;

	if (pod->daemon_set) {
		snprintf(owner, sizeof(owner), "%s", pod->owner);
		snprintf(key, sizeof(key), "%s/%s", pod->meta.ns, owner);
		uid = json_string_value(json_object_get(json_object_get(json_object_get(
			p->api.coll[CTL_DAEMONSETS], key), "metadata"), "uid"));
	} else {
		/* Made or found by ctl_sync_deployment before the pod. */
		ctl_rs_name(pod->owner, pod->template_hash, owner);
		uid = ctl_rs_uid(&p->api, p->made_rs, pod->meta.ns, owner);
	}
	if (!uid)
		return -1;
	obj = model_pod_to_value(pod, NULL);
	md = json_object_get(obj, "metadata");
	if (!md) {
		json_decref(obj);
		return -1;
	}
	json_object_del(md, "uid");
	json_object_del(md, "creationTimestamp");
	json_object_del(obj, "status");
	json_object_set_new(md, "ownerReferences",
			    json_pack("[{s:s, s:s, s:s, s:s, s:b, s:b}]", "apiVersion", "apps/v1",
				      "kind", kind, "name", owner, "uid", uid, "controller", 1,
				      "blockOwnerDeletion", 1));
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods", pod->meta.ns);
	snprintf(what, sizeof(what), "pod %s/%s", pod->meta.ns, pod->meta.name);
	code = ctl_api_call(p->c, "POST", path, obj, what, 0, CTL_PODS, &answer);
	json_decref(obj);
	md = json_object_get(answer, "metadata");
	if (code != 201 || !json_string_value(json_object_get(md, "uid"))) {
		json_decref(answer);
		return -1;
	}
	snprintf(pod->meta.uid, sizeof(pod->meta.uid), "%s",
		 json_string_value(json_object_get(md, "uid")));
	snprintf(pod->meta.created, sizeof(pod->meta.created), "%s",
		 json_string_value(json_object_get(md, "creationTimestamp")) ?: p->now);
	json_decref(answer);
	snprintf(msg, sizeof(msg), "Created pod: %s", pod->meta.name);
	ctl_api_event(p->c, pod->meta.ns, "apps/v1", kind, owner, uid, "Normal", "SuccessfulCreate",
		      msg, pod->daemon_set ? "daemonset-controller" : "replicaset-controller");
	return 0;
}

/* kube-scheduler's Binding of a pod to node, with the address the lab's
 * scheduler picked on the Binding's annotations (MODEL_ANN_POD_IP). 0,
 * or -1 (logged, but for 409: bound meanwhile, or being deleted). */
static int ctl_pod_bind(struct ctl_pass *p, const struct model_pod *pod, int node,
			struct in_addr ip)
{
	char path[3 * MODEL_NAME_MAX + 32], what[2 * MODEL_NAME_MAX + 8];
	char node_name[MODEL_NAME_MAX], addr[INET_ADDRSTRLEN];
	json_t *b;
	int code;

	snprintf(node_name, sizeof(node_name), "node%d", node);
	inet_ntop(AF_INET, &ip, addr, sizeof(addr));
	snprintf(what, sizeof(what), "pod %s/%s", pod->meta.ns, pod->meta.name);
	ctl_pod_path(pod, "binding", path, sizeof(path));
	b = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:s, s:s, s:s}}", "apiVersion", "v1",
		      "kind", "Binding", "metadata", "name", pod->meta.name, "annotations",
		      MODEL_ANN_POD_IP, addr, "target", "apiVersion", "v1", "kind", "Node",
		      "name", node_name);
	code = b ? ctl_api_call(p->c, "POST", path, b, what, 409, CTL_COLL_COUNT, NULL) : -1;
	json_decref(b);
	if (code != 201 && code != 200)
		return -1;
	/* The answer is a Status: the pod's resourceVersion since the
	 * binding comes with a read, for the next pass to wait for. */
	ctl_pod_path(pod, NULL, path, sizeof(path));
	ctl_api_call(p->c, "GET", path, NULL, what, 404, CTL_PODS, NULL);
	return 0;
}

/* The scheduler's PodScheduled=False condition on a pod it could not
 * place. 0, or -1 (logged). */
static int ctl_pod_unschedulable(struct ctl_pass *p, const struct model_pod *pod)
{
	char path[3 * MODEL_NAME_MAX + 32], what[2 * MODEL_NAME_MAX + 8];
	json_t *patch;
	int code;

	snprintf(what, sizeof(what), "pod %s/%s", pod->meta.ns, pod->meta.name);
	ctl_pod_path(pod, "status", path, sizeof(path));
	patch = json_pack("{s:{s:s, s:[{s:s, s:s, s:n, s:s, s:s, s:s}]}}", "status", "phase",
			  "Pending", "conditions", "type", "PodScheduled", "status", "False",
			  "lastProbeTime", "lastTransitionTime", pod->unsched_since, "reason",
			  pod->unsched_reason, "message", pod->unsched_message);
	code = patch ? ctl_api_call(p->c, "PATCH", path, patch, what, 404, CTL_PODS, NULL) : -1;
	json_decref(patch);
	return code == 200 ? 0 : -1;
}

/* Binds one waiting pod, or records why it cannot be: written only when
 * something changed, so a pod that stays Pending for the same reason costs
 * nothing (and gets no new Event). */
static void ctl_bind(struct ctl_pass *p, struct ctl_nodes *nodes, struct ctl_waiting *w)
{
	struct model_pod *pod = &p->pods[w->idx];
	bool fresh = w->idx >= p->n_disk;
	char why[MODEL_MESSAGE_MAX];
	struct in_addr ip;
	int node, rc;

	rc = ctl_schedule(nodes, w->group->own, &pod->spec, &node, &ip, why, sizeof(why));
	/* A new pod is created unbound, then bound, as the ReplicaSet
	 * controller and the scheduler do it. */
	if (fresh && ctl_pod_post(p, pod) < 0)
		return;
	if (rc == 0) {
		if (ctl_pod_bind(p, pod, node, ip) < 0)
			return;
		snprintf(pod->node, sizeof(pod->node), "node%d", node);
		pod->ip = ip;
		pod->unsched_reason[0] = pod->unsched_message[0] = pod->unsched_since[0] = '\0';
		snprintf(why, sizeof(why), "Successfully assigned %s/%s to %s", pod->meta.ns,
			 pod->meta.name, pod->node);
		ctl_api_pod_event(p->c, pod, "Normal", "Scheduled", why, "default-scheduler");
		ctl_nodes_take(nodes, node, ip);
		w->group->own[node]++;
		log_info("pod %s/%s: %s on %s, %s", pod->meta.ns, pod->meta.name,
			 fresh ? "created" : "scheduled", pod->node, inet_ntoa(ip));
		return;
	}
	if (!fresh && strcmp(pod->unsched_reason, "Unschedulable") == 0 &&
	    strcmp(pod->unsched_message, why) == 0)
		return;
	/* The condition's status stays False while only its message changes,
	 * so its transition time stays too. */
	if (!pod->unsched_since[0])
		memcpy(pod->unsched_since, p->now, sizeof(pod->unsched_since));
	snprintf(pod->unsched_reason, sizeof(pod->unsched_reason), "Unschedulable");
	snprintf(pod->unsched_message, sizeof(pod->unsched_message), "%s", why);
	if (ctl_pod_unschedulable(p, pod) < 0)
		return;
	/* Once per message: a pod Pending for the same reason is not
	 * written again, nor reported again. */
	ctl_api_pod_event(p->c, pod, "Warning", "FailedScheduling", why, "default-scheduler");
	log_debug("pod %s/%s: %s, Pending: %s", pod->meta.ns, pod->meta.name,
		  fresh ? "created" : "still", why);
	p->n_unsched++;
	memcpy(p->unsched_why, why, sizeof(p->unsched_why));
}

/* kube-scheduler's part: every live pod without a node, oldest first, goes
 * to a node or stays Pending with the reason. */
static void ctl_schedule_pending(struct ctl_pass *p, struct ctl_nodes *nodes)
{
	struct ctl_waiting *w = NULL;
	struct ctl_group *g = NULL;
	int n_w = 0, n_g = 0, k = 0;

	for (int i = 0; i < p->n_pods; i++)
		n_w += !p->pods[i].node[0] && !p->pods[i].meta.deleting[0];
	if (n_w == 0)
		return;
	w = malloc((size_t)n_w * sizeof(*w));
	g = malloc((size_t)n_w * sizeof(*g));
	if (!w || !g) {
		log_error("scheduler: out of memory");
		goto out;
	}
	for (int i = 0; i < p->n_pods; i++) {
		const struct model_pod *pod = &p->pods[i];

		if (pod->node[0] || pod->meta.deleting[0])
			continue;
		g[n_g] = (struct ctl_group){ pod->meta.ns, pod->owner, pod->template_hash, { 0 } };
		n_g++;
	}
	qsort(g, (size_t)n_g, sizeof(*g), ctl_group_cmp);
	for (int i = 0; i < n_g; i++)
		if (k == 0 || ctl_group_cmp(&g[i], &g[k - 1]) != 0)
			g[k++] = g[i];
	n_g = k;
	/* The spread counts the pods already placed, terminating ones not. */
	for (int i = 0; i < p->n_pods; i++) {
		const struct model_pod *pod = &p->pods[i];
		int node = lab_node_index(pod->node);
		struct ctl_group *x;

		if (node < 0 || node >= LAB_MAX_NODES || pod->meta.deleting[0])
			continue;
		x = ctl_group_find(g, n_g, pod);
		if (x)
			x->own[node]++;
	}
	n_w = 0;
	for (int i = 0; i < p->n_pods; i++) {
		const struct model_pod *pod = &p->pods[i];

		if (pod->node[0] || pod->meta.deleting[0])
			continue;
		w[n_w++] = (struct ctl_waiting){ i, model_time_parse(pod->meta.created),
						 ctl_group_find(g, n_g, pod) };
	}
	qsort(w, (size_t)n_w, sizeof(*w), ctl_waiting_cmp);
	for (int i = 0; i < n_w; i++)
		ctl_bind(p, nodes, &w[i]);
	if (p->n_unsched)
		log_info("%d pod(s) Pending: %s", p->n_unsched, p->unsched_why);
out:
	free(w);
	free(g);
}

/* Node readiness for the pass, and its changes in the log. */
static void ctl_nodes_observe(struct ctl_pass *p, struct ctl_nodes *nodes)
{
	struct ctl *c = p->c;

	ctl_nodes_init(nodes, c->nodes, c->max_pods, p->pods, p->n_pods);
	ctl_nodes_status(nodes, p->nodes.st, p->nodes.n, (int64_t)time(NULL), c->grace_s);
	for (int i = 0; i < nodes->n; i++) {
		if (nodes->state[i] == c->node_state[i])
			continue;
		if (nodes->state[i] == CTL_NODE_READY)
			log_info("node%d: Ready", i);
		else if (nodes->state[i] == CTL_NODE_NOT_READY)
			log_info("node%d: NotReady (no heartbeat for %d s): no new pods go there", i,
				 c->grace_s);
		else
			log_info("node%d: not registered (no status)", i);
		c->node_state[i] = nodes->state[i];
	}
}

static void ctl_sync_deployments(struct ctl_pass *p)
{
	struct ctl_nodes nodes;
	int n_old = p->n_pods;
	int *mine = NULL;

	p->by_owner = malloc(ctl_count(n_old) * sizeof(*p->by_owner));
	mine = malloc(ctl_count(n_old) * sizeof(*mine));
	if (!p->by_owner || !mine) {
		log_error("out of memory");
		goto out;
	}
	for (int i = 0; i < n_old; i++)
		p->by_owner[i] = i;
	qsort_r(p->by_owner, (size_t)n_old, sizeof(*p->by_owner), ctl_owner_cmp_r, p->pods);

	/* The nodes as the pass finds them: the DaemonSets follow them, and
	 * the scheduler places what was created. Pods created meanwhile have
	 * no node yet, so the occupancy stays true. */
	ctl_nodes_observe(p, &nodes);
	for (int k = 0; k < p->n_deps; k++) {
		const struct model_deployment *d = &p->deps[k];
		int lo = ctl_owner_lower(p, n_old, d->meta.ns, d->meta.name), n_mine = 0;

		/* by_owner only covers pods from disk; pods created in this pass
		 * belong to earlier Deployments. A Deployment and a DaemonSet
		 * may share a name. */
		for (int j = lo; j < n_old; j++) {
			const struct model_pod *x = &p->pods[p->by_owner[j]];

			if (ctl_key_cmp(x->meta.ns, x->owner, d->meta.ns, d->meta.name) != 0)
				break;
			if (x->daemon_set == d->daemon_set)
				mine[n_mine++] = p->by_owner[j];
		}
		if (d->daemon_set)
			ctl_sync_daemonset(p, d, mine, n_mine, &nodes);
		else
			ctl_sync_deployment(p, d, mine, n_mine);
	}

	/* Pods of Deployments and DaemonSets that are gone, as the garbage
	 * collector does. Gone means not in the API: one the model refuses is a mistake
	 * to fix, not a reason to delete every pod. */
	for (int i = 0; i < n_old; i++) {
		const struct model_pod *pod = &p->pods[i];
		bool owned = pod->daemon_set
			? ctl_api_has(&p->api, CTL_DAEMONSETS, pod->meta.ns, pod->owner)
			: ctl_api_has(&p->api, CTL_DEPLOYMENTS, pod->meta.ns, pod->owner);

		if (pod->owner[0] && !pod->meta.deleting[0] && !owned)
			ctl_mark_deleting(p, i, pod->daemon_set ? "its daemonset is gone"
								: "its deployment is gone");
	}

	/* Then the scheduler, over the pods as they now are. */
	ctl_schedule_pending(p, &nodes);
out:
	free(mine);
}

/* ---- endpoints ---------------------------------------------------------- */

/* One label of one pod: the index from selector pairs to candidate pods,
 * so a Service looks only at pods carrying its rarest selector pair. */
struct ctl_label_ref {
	const char *ns, *key, *value;
	int pod;
};

static int ctl_label_cmp(const void *a, const void *b)
{
	const struct ctl_label_ref *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	if (!c)
		c = strcmp(x->key, y->key);
	if (!c)
		c = strcmp(x->value, y->value);
	return c;
}

/* [*lo, *hi) of refs equal to key. */
static void ctl_label_range(const struct ctl_label_ref *refs, int n,
			    const struct ctl_label_ref *key, int *lo_out, int *hi_out)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (ctl_label_cmp(&refs[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*lo_out = lo;
	hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (ctl_label_cmp(&refs[mid], key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*hi_out = lo;
}

static int ctl_count_ready(const struct model_endpoints *e)
{
	int n = 0;

	for (int i = 0; i < e->n; i++)
		n += e->items[i].ready;
	return n;
}

/* Writes a Service's EndpointSlices and Endpoints; names its slices in
 * wanted ("namespace/name" -> true). */
static void ctl_write_endpoints(struct ctl_pass *p, const struct model_service *svc,
				const struct model_endpoints *eps, json_t *wanted)
{
	static const char *const slice_fields[] = { "addressType", "endpoints", "ports", NULL };
	static const char *const v1_fields[] = { "subsets", NULL };
	json_t *slices = ctl_endpoint_slices(svc, eps), *v1 = ctl_endpoints_v1(svc, eps), *slice;
	char path[LAB_PATH_MAX], key[2 * MODEL_NAME_MAX + 2];
	const char *name;
	int written = 0, rc;

	if (!slices || !v1) {
		log_error("endpoints %s/%s: out of memory", svc->meta.ns, svc->meta.name);
		goto out;
	}
	snprintf(path, sizeof(path), "/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices",
		 svc->meta.ns);
	json_object_foreach(slices, name, slice) {
		snprintf(key, sizeof(key), "%s/%s", svc->meta.ns, name);
		json_object_set_new(wanted, key, json_true());
		rc = ctl_api_ensure(p->c, &p->api, CTL_ENDPOINTSLICES, path, slice, slice_fields);
		written += rc > 0;
	}
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/endpoints", svc->meta.ns);
	written += ctl_api_ensure(p->c, &p->api, CTL_ENDPOINTS, path, v1, v1_fields) > 0;
	if (written)
		log_info("endpoints %s/%s: %d address(es), %d ready", svc->meta.ns,
			 svc->meta.name, eps->n, ctl_count_ready(eps));
out:
	json_decref(slices);
	json_decref(v1);
}

/* What the controller wrote and no longer wants: its slices not in
 * wanted, and the Endpoints of Services that are gone (as the Endpoints
 * controller deletes them; a Service without a selector keeps the
 * Endpoints someone else wrote for it). */
static void ctl_prune_endpoints(struct ctl_pass *p, const json_t *wanted)
{
	char path[LAB_PATH_MAX], what[2 * MODEL_NAME_MAX + 32];
	const char *key;
	json_t *obj;

	json_object_foreach(p->api.coll[CTL_ENDPOINTSLICES], key, obj) {
		const json_t *md = json_object_get(obj, "metadata");
		const char *by = json_string_value(json_object_get(json_object_get(md, "labels"),
						  "endpointslice.kubernetes.io/managed-by"));

		if (!by || strcmp(by, CTL_ENDPOINTS_MANAGER) != 0 || json_object_get(wanted, key))
			continue;
		snprintf(path, sizeof(path), "/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices/%s",
			 json_string_value(json_object_get(md, "namespace")) ?: "",
			 json_string_value(json_object_get(md, "name")) ?: "");
		snprintf(what, sizeof(what), "endpointslice %s", key);
		if (ctl_api_delete(p->c, path, what) == 0)
			log_info("endpointslice %s: deleted", key);
	}
	json_object_foreach(p->api.coll[CTL_ENDPOINTS], key, obj) {
		if (json_object_get(p->api.coll[CTL_SERVICES], key))
			continue;
		snprintf(path, sizeof(path), "/api/v1/namespaces/%s/endpoints/%s",
			 json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "namespace")) ?: "",
			 json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "name")) ?: "");
		snprintf(what, sizeof(what), "endpoints %s", key);
		if (ctl_api_delete(p->c, path, what) == 0)
			log_info("endpoints %s: deleted with its Service", key);
	}
}

static void ctl_sync_endpoints(struct ctl_pass *p)
{
	const struct model_pod_status **cand_st = NULL;
	const struct model_pod **cand = NULL;
	struct ctl_label_ref *refs = NULL;
	json_t *wanted = json_object();
	int n_refs = 0;

	for (int i = 0; i < p->n_pods; i++)
		n_refs += p->pods[i].meta.labels.n;
	refs = malloc(ctl_count(n_refs) * sizeof(*refs));
	cand = malloc(ctl_count(p->n_pods) * sizeof(*cand));
	cand_st = malloc(ctl_count(p->n_pods) * sizeof(*cand_st));
	if (!refs || !cand || !cand_st || !wanted) {
		log_error("endpoints: out of memory");
		goto out;
	}
	n_refs = 0;
	for (int i = 0; i < p->n_pods; i++) {
		const struct model_map *l = &p->pods[i].meta.labels;

		for (int j = 0; j < l->n; j++)
			refs[n_refs++] = (struct ctl_label_ref){
				p->pods[i].meta.ns, l->items[j].key, l->items[j].value, i };
	}
	qsort(refs, (size_t)n_refs, sizeof(*refs), ctl_label_cmp);

	for (int k = 0; k < p->n_svcs; k++) {
		const struct model_service *svc = &p->svcs[k];
		struct model_endpoints eps;
		int best_lo = 0, best_hi = -1, n_cand = 0;

		/* A Service without a selector has no managed endpoints. */
		if (svc->selector.n == 0)
			continue;
		for (int j = 0; j < svc->selector.n; j++) {
			struct ctl_label_ref key = { svc->meta.ns, svc->selector.items[j].key,
						     svc->selector.items[j].value, 0 };
			int lo, hi;

			ctl_label_range(refs, n_refs, &key, &lo, &hi);
			if (best_hi < 0 || hi - lo < best_hi - best_lo) {
				best_lo = lo;
				best_hi = hi;
			}
		}
		for (int r = best_lo; r < best_hi; r++) {
			cand[n_cand] = &p->pods[refs[r].pod];
			cand_st[n_cand] = p->st_of[refs[r].pod];
			n_cand++;
		}
		if (ctl_endpoints_build(svc, cand, cand_st, n_cand, &eps) < 0) {
			log_error("endpoints %s/%s: out of memory", svc->meta.ns, svc->meta.name);
			continue;
		}
		ctl_write_endpoints(p, svc, &eps, wanted);
		model_endpoints_free(&eps);
	}
	ctl_prune_endpoints(p, wanted);
out:
	json_decref(wanted);
	free(cand);
	free(cand_st);
	free(refs);
}

/* ---- the pass ------------------------------------------------------------ */

/* A pod object of the view, by namespace and name. */
struct ctl_pod_ref {
	const char *ns, *name, *key;
	const json_t *obj;
};

static int ctl_pod_ref_cmp(const void *a, const void *b)
{
	const struct ctl_pod_ref *x = a, *y = b;

	return ctl_key_cmp(x->ns, x->name, y->ns, y->name);
}

/* The pass's pods in (namespace, name) order, each with what its kubelet
 * reported from the same object. A pod the model refuses is logged and
 * left out. -ENOMEM or 0. */
static int ctl_pods_from_api(struct ctl_pass *p)
{
	size_t n = json_object_size(p->api.coll[CTL_PODS]), k = 0;
	struct ctl_pod_ref *refs = calloc(n + 1, sizeof(*refs));
	const char *key;
	json_t *obj;

	p->pods = calloc(n + 1, sizeof(*p->pods));
	p->sts = calloc(n + 1, sizeof(*p->sts));
	p->st_of = calloc(n + 1, sizeof(*p->st_of));
	if (!refs || !p->pods || !p->sts || !p->st_of) {
		free(refs);
		return -ENOMEM;
	}
	json_object_foreach(p->api.coll[CTL_PODS], key, obj) {
		const json_t *md = json_object_get(obj, "metadata");

		refs[k++] = (struct ctl_pod_ref){
			json_string_value(json_object_get(md, "namespace")) ?: "",
			json_string_value(json_object_get(md, "name")) ?: "", key, obj };
	}
	qsort(refs, k, sizeof(*refs), ctl_pod_ref_cmp);
	for (size_t i = 0; i < k; i++) {
		char err[256];

		if (model_pod_from_value(refs[i].obj, &p->pods[p->n_pods], err, sizeof(err)) < 0) {
			log_warn("pod %s: %s", refs[i].key, err);
			continue;
		}
		if (apiobj_pod_status(refs[i].obj, &p->sts[p->n_pods]))
			p->st_of[p->n_pods] = &p->sts[p->n_pods];
		p->n_pods++;
	}
	free(refs);
	p->cap_pods = (int)n + 1;
	p->n_sorted = p->n_pods;
	return 0;
}

int ctl_sync(struct ctl *c)
{
	struct ctl_pass p = { .c = c };
	struct lab_info li;
	char err[256];
	int rc = -1;

	if (labinfo_load(c->lab, &li, err, sizeof(err)) < 0) {
		if (!c->lab_missing)
			log_warn("%s; waiting for it", err);
		c->lab_missing = true;
		return -1;
	}
	if (c->lab_missing || c->nodes != li.nodes)
		log_info("lab %s: %d node(s)", c->lab, li.nodes);
	c->lab_missing = false;
	c->nodes = li.nodes;
	rc = ctl_api_begin(c, &p.api, err, sizeof(err));
	if (rc == -EAGAIN) {
		/* Its own write is on the way: the event asks for the pass. */
		log_debug("%s", err);
		return -1;
	}
	if (rc < 0) {
		rc = -1;
		if (!c->api_waiting)
			log_info("%s", err);
		c->api_waiting = true;
		return -1;
	}
	if (c->api_waiting)
		log_info("the API server's objects are in");
	c->api_waiting = false;
	rc = -1;
	if (ctl_nodes_begin(&p.api, &p.nodes) < 0 || ctl_api_workloads(&p.api, &p.deps, &p.hashes, &p.n_deps) < 0 ||
	    ctl_api_services(&p.api, &p.svcs, &p.n_svcs) < 0) {
		log_error("out of memory");
		goto out;
	}
	ctl_nodes_lifecycle(c, &p.nodes, (int64_t)time(NULL));
	model_time_now(p.now);

	p.made_rs = json_object();
	if (!p.made_rs || ctl_pods_from_api(&p) < 0) {
		log_error("out of memory");
		goto out;
	}
	p.n_disk = p.n_pods;
	ctl_sync_deployments(&p);
	ctl_sync_endpoints(&p);
	rc = 0;
out:
	free(p.deps);
	free(p.hashes);
	free(p.svcs);
	free(p.pods);
	free(p.sts);
	free(p.st_of);
	free(p.by_owner);
	json_decref(p.made_rs);
	ctl_nodes_end(&p.nodes);
	ctl_api_end(&p.api);
	return rc;
}
