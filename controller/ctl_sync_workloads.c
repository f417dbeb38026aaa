/* ctl_sync_workloads.c — the part of a reconcile pass (ctl_sync_int.h)
 * that keeps each Deployment's and DaemonSet's pods: ReplicaSets written,
 * pods created and deleted through the API as the pure plans
 * (ctl_rollout.c, ctl_daemonset.c) say, and the pods of workloads that
 * are gone deleted, as the garbage collector does.
 */
#include "ctl_sync_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"

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

void ctl_pod_path(const struct model_pod *pod, const char *sub, char *out, size_t len)
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

void ctl_sync_deployments(struct ctl_pass *p)
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
