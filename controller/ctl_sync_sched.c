/* ctl_sync_sched.c — the scheduler's part of a reconcile pass
 * (ctl_sync_int.h): each pending pod created through the API, then bound
 * to the node ctl_sched.c chooses, or its PodScheduled condition set
 * False with kube-scheduler's message; the nodes the pass sees.
 */
#include "ctl_sync_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "log.h"
#include "model_json.h"

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
void ctl_schedule_pending(struct ctl_pass *p, struct ctl_nodes *nodes)
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
void ctl_nodes_observe(struct ctl_pass *p, struct ctl_nodes *nodes)
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
