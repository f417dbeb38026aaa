/* ctl_nodes.c — the nodes as the API server has them, and the node
 * lifecycle controller's part.
 *
 * Each node's agent registers a Node and renews its Lease in
 * kube-node-lease (agent/kubelet_node.c). The controller reads both
 * (ctl_api.c) and judges each node as the node
 * lifecycle controller does: an agent silent for longer than the grace
 * period gets its Node's Ready condition set to Unknown and the
 * node.kubernetes.io/unreachable:NoSchedule taint, which goes again once
 * the agent posts Ready, and the Ready condition of each of its pods set
 * to False (MarkPodsNotReady), so that their endpoints stop taking the
 * other nodes' traffic until the kubelet is back and reports them again.
 * The scheduler and the DaemonSet controller act on the same judgement
 * (model_node_ready).
 */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apiobj.h"
#include "log.h"

#define CTL_NODES_PATH  "/api/v1/nodes"
#define CTL_TAINT_KEY   "node.kubernetes.io/unreachable"

int ctl_nodes_begin(const struct ctl_api_view *api, struct ctl_node_view *v)
{
	const json_t *nodes = api->coll[CTL_NODES], *leases = api->coll[CTL_LEASES];
	const char *key;
	json_t *node;

	memset(v, 0, sizeof(*v));
	v->st = calloc(json_object_size(nodes) + 1, sizeof(*v->st));
	v->obj = calloc(json_object_size(nodes) + 1, sizeof(*v->obj));
	if (!v->st || !v->obj) {
		ctl_nodes_end(v);
		return -ENOMEM;
	}
	json_object_foreach((json_t *)nodes, key, node) {
		const char *name = json_string_value(
			json_object_get(json_object_get(node, "metadata"), "name"));
		char lkey[MODEL_NAME_MAX + 24];

		snprintf(lkey, sizeof(lkey), "kube-node-lease/%s", name ? name : "");
		if (apiobj_node_status(node, json_object_get(leases, lkey), &v->st[v->n]) == 0)
			v->obj[v->n++] = node;
	}
	return 0;
}

void ctl_nodes_end(struct ctl_node_view *v)
{
	free(v->st);
	free(v->obj);
	memset(v, 0, sizeof(*v));
}

/* Whether the Node carries the unreachable taint. */
static bool ctl_node_tainted(const json_t *node)
{
	const json_t *t;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(node, "spec"), "taints"), i, t) {
		const char *key = json_string_value(json_object_get(t, "key"));

		if (key && strcmp(key, CTL_TAINT_KEY) == 0)
			return true;
	}
	return false;
}

static int ctl_node_patch(struct ctl *c, const char *name, const char *sub,
			  const char *content_type, json_t *patch)
{
	char path[MODEL_NAME_MAX + 32], what[MODEL_NAME_MAX + 8];
	int code;

	snprintf(path, sizeof(path), CTL_NODES_PATH "/%s%s", name, sub);
	snprintf(what, sizeof(what), "node %s", name);
	code = patch ? ctl_api_send(c, "PATCH", path, content_type, patch, what) : -1;
	json_decref(patch);
	return code == 200 ? 0 : -1;
}

/* "NodeNotReady", as the node lifecycle controller records it when it
 * marks a node; a failure is only logged. */
static void ctl_node_event(struct ctl *c, const json_t *node, const char *name)
{
	const char *uid = json_string_value(json_object_get(json_object_get(node, "metadata"),
							    "uid"));
	char msg[MODEL_NAME_MAX + 48], what[MODEL_NAME_MAX + 32];
	json_t *ev;

	snprintf(msg, sizeof(msg), "Node %s status is now: NodeNotReady", name);
	snprintf(what, sizeof(what), "node %s: NodeNotReady event", name);
	ev = apiobj_event_new("default", "v1", "Node", "", name, uid, "Normal", "NodeNotReady", msg,
			      "node-controller");
	if (ev)
		ctl_api_send(c, "POST", "/api/v1/namespaces/default/events", "application/json", ev,
			     what);
	json_decref(ev);
}

/* The node lifecycle controller's MarkPodsNotReady: each pod bound to a
 * node that stopped being Ready, whose Ready condition is still True,
 * gets it False (a strategic merge patch of that one condition, the pod's
 * uid as a precondition) and a NodeNotReady Event. Run on every pass while
 * the node is silent, so that a patch that failed is tried again; a pod
 * already False costs nothing. */
static void ctl_node_pods_not_ready(struct ctl *c, const json_t *pods, const char *node,
				    const char *stamp)
{
	const char *key;
	json_t *pod;

	json_object_foreach((json_t *)pods, key, pod) {
		const json_t *md = json_object_get(pod, "metadata");
		const char *on = json_string_value(json_object_get(json_object_get(pod, "spec"),
								   "nodeName"));
		const char *ready = json_string_value(json_object_get(apiobj_condition(pod, "Ready"),
								      "status"));
		const char *ns = json_string_value(json_object_get(md, "namespace"));
		const char *name = json_string_value(json_object_get(md, "name"));
		const char *uid = json_string_value(json_object_get(md, "uid"));
		char path[3 * MODEL_NAME_MAX + 32], what[2 * MODEL_NAME_MAX + 32];
		json_t *patch;
		int code;

		(void)key;
		if (!on || strcmp(on, node) != 0 || !ready || strcmp(ready, "True") != 0 || !ns ||
		    !name || !uid)
			continue;
		snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s/status", ns, name);
		snprintf(what, sizeof(what), "pod %s/%s: not ready", ns, name);
		patch = json_pack("{s:{s:s}, s:{s:[{s:s, s:s, s:s}]}}", "metadata", "uid", uid,
				  "status", "conditions", "type", "Ready", "status", "False",
				  "lastTransitionTime", stamp);
		code = patch ? ctl_api_send_quiet(c, "PATCH", path,
						  "application/strategic-merge-patch+json", patch,
						  what, 404) : -1;
		json_decref(patch);
		if (code != 200)
			continue;
		log_info("pod %s/%s: Ready False (%s is not ready)", ns, name, node);
		ctl_api_event(c, ns, "v1", "Pod", name, uid, "Warning", "NodeNotReady",
			      "Node is not ready", "node-controller");
	}
}

/* The Node's taints with the unreachable one added (add) or removed; a
 * JSON merge patch of spec.taints, which has no merge key. */
static json_t *ctl_taints_patch(const json_t *node, bool add, const char *now)
{
	const json_t *taints = json_object_get(json_object_get(node, "spec"), "taints"), *t;
	json_t *list = json_array();
	size_t i;

	json_array_foreach(taints, i, t) {
		const char *key = json_string_value(json_object_get(t, "key"));

		if (!key || strcmp(key, CTL_TAINT_KEY) != 0)
			json_array_append(list, (json_t *)t);
	}
	if (add)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "key", CTL_TAINT_KEY,
						      "effect", "NoSchedule", "timeAdded", now));
	if (json_array_size(list) == 0) {
		json_decref(list);
		list = json_null();
	}
	return json_pack("{s:{s:o}}", "spec", "taints", list);
}

void ctl_nodes_lifecycle(struct ctl *c, const struct ctl_node_view *v, const json_t *pods,
			 int64_t now)
{
	char stamp[MODEL_TIME_MAX];

	model_time_now(stamp);
	for (int i = 0; i < v->n; i++) {
		const struct model_node_status *st = &v->st[i];
		const json_t *node = v->obj[i];
		const json_t *ready = apiobj_condition(node, "Ready");
		const char *status = json_string_value(json_object_get(ready, "status"));
		int64_t created = model_time_parse(json_string_value(
			json_object_get(json_object_get(node, "metadata"), "creationTimestamp")));
		bool tainted = ctl_node_tainted(node), silent;

		/* A Node its agent has not reported on yet gets the grace period
		 * from its creation, as the node lifecycle controller gives it. */
		silent = !model_node_fresh(st, now, c->grace_s) &&
			 !(!st->heartbeat[0] && created > 0 && now - created < c->grace_s);
		if (silent && (!status || strcmp(status, "Unknown") != 0)) {
			const char *hb = json_string_value(json_object_get(ready, "lastHeartbeatTime"));
			json_t *cond = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "Ready", "status",
						 "Unknown", "reason", ready ? "NodeStatusUnknown"
						 : "NodeStatusNeverUpdated", "message", ready
						 ? "Kubelet stopped posting node status."
						 : "Kubelet never posted node status.",
						 "lastTransitionTime", stamp);

			json_object_set_new(cond, "lastHeartbeatTime", json_string(hb ? hb : stamp));
			if (ctl_node_patch(c, st->name, "/status", "application/strategic-merge-patch+json",
					   json_pack("{s:{s:[o]}}", "status", "conditions", cond)) == 0) {
				log_info("%s: Ready Unknown (no heartbeat for %d s)", st->name,
					 c->grace_s);
				ctl_node_event(c, node, st->name);
			}
		}
		if (silent)
			ctl_node_pods_not_ready(c, pods, st->name, stamp);
		/* The taint stays until the agent is back and has said Ready. */
		if (silent && !tainted)
			ctl_node_patch(c, st->name, "", "application/merge-patch+json",
				       ctl_taints_patch(node, true, stamp));
		else if (tainted && !silent && st->posted_ready)
			ctl_node_patch(c, st->name, "", "application/merge-patch+json",
				       ctl_taints_patch(node, false, stamp));
	}
}
