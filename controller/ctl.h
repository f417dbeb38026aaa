/* ctl.h — clientip-controller: the lab's controllers.
 *
 * The controller turns desired state (Deployments, DaemonSets and Services
 * from the lab's API server) and observed state (Nodes, Leases and the
 * pods' status, written by the node agents) into derived objects, all
 * through the API: ReplicaSets, Pods and their binding to a node, the
 * Services' EndpointSlices and Endpoints, the Deployments' and DaemonSets'
 * status, like Kubernetes' Deployment, ReplicaSet, DaemonSet, scheduler
 * and EndpointSlice controllers together. Every
 * decision is a pure function over arrays of model structs (below), so
 * it is tested without files; ctl_sync() does the reading and writing.
 * Everything is derived anew on each pass, so a controller killed
 * at any moment converges when it starts again.
 */
#ifndef CLIENTIP_CTL_H
#define CLIENTIP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "apiclient.h"
#include "apiobj.h"
#include "apiwatch.h"
#include "ev.h"
#include "lab.h"
#include "model.h"
#include "watch.h"

/* ---- names (ctl_hash.c) ------------------------------------------------ */

#define CTL_HASH_LEN   10   /* pod-template-hash */
#define CTL_SUFFIX_LEN 5    /* random end of a pod name */

/* Kubernetes' SafeEncodeString alphabet: no vowels, no 0/1/3, so generated
 * names never spell words or look like numbers. */
#define CTL_ALPHABET "bcdfghjklmnpqrstvwxz2456789"

/* pod-template-hash of a Deployment's pod template (containers, grace
 * period, template labels and annotations, the maps in key order):
 * FNV-1a over the template's JSON, its 32-bit value in decimal (10 digits)
 * mapped onto CTL_ALPHABET as Kubernetes does. 0, or -ENOMEM. */
int ctl_template_hash(const struct model_deployment *d, char out[CTL_HASH_LEN + 1]);
/* "<deployment>-<hash>-<suffix>" ("<daemonset>-<suffix>" when hash is NULL
 * or ""): the suffix is CTL_SUFFIX_LEN characters of CTL_ALPHABET picked by
 * rnd; the base is cut to keep the name within 63 characters, as
 * Kubernetes' generateName does. */
void ctl_pod_name(const char *deployment, const char *hash,
		  const unsigned char rnd[CTL_SUFFIX_LEN], char out[MODEL_NAME_MAX]);

/* ---- scheduling and addresses (ctl_sched.c) ---------------------------- */

/* What the scheduler knows of a node. A node without a Node object has
 * never registered: kube-scheduler does not know it, so it is not counted
 * in "0/N nodes are available". */
enum ctl_node_state { CTL_NODE_ABSENT, CTL_NODE_NOT_READY, CTL_NODE_READY };

/* Most pods created for one Deployment in one pass: the ReplicaSet
 * controller's burstReplicas. */
#define CTL_BURST_REPLICAS 500

struct ctl_nodes {
	int n;                                /* nodes in the lab */
	int max_pods;                         /* pods a node takes (maxPods) */
	enum ctl_node_state state[LAB_MAX_NODES];
	int pods[LAB_MAX_NODES];              /* pods bound to the node, terminating too */
	bool cordoned[LAB_MAX_NODES];         /* spec.unschedulable (kubectl cordon) */
	uint8_t used[LAB_MAX_NODES][32];      /* host bytes of 10.244.i.0/24 in use */
};

/* Occupancy from the pods that exist, being deleted or not: until it is
 * gone, a terminating pod holds its address and its place among the node's
 * max_pods, as in kube-scheduler's cache. Every node starts absent. */
void ctl_nodes_init(struct ctl_nodes *c, int nodes, int max_pods, const struct model_pod *pods,
		    int n);
/* Each node's state from its Node and Lease (ctl_nodes_begin): Ready if
 * its agent posted Ready and reported less than grace_s seconds before now
 * (model_node_ready); and whether it is cordoned. */
void ctl_nodes_status(struct ctl_nodes *c, const struct model_node_status *st, int n,
		      int64_t now, int grace_s);
/* Picks the node for a new pod whose owner (same Deployment and template)
 * has own[i] live pods on node i. Feasible nodes are not cordoned (a pod
 * pinned to a node, a DaemonSet's, tolerates that), Ready, hold fewer than
 * max_pods pods and have a free address. Among them: fewest of own, then
 * fewest pods in all, then the lowest index; the address is the node's
 * lowest free one in 10.244.i.2-254. spec (may be NULL) brings the pod's
 * hostname spread constraint: under DoNotSchedule a node where the group
 * would stand more than maxSkew above the emptiest node is not feasible.
 * 0, or -ENOSPC when no node is
 * feasible, with why set to kube-scheduler's message for it ("0/2 nodes
 * are available: 2 Too many pods. preemption: ..."). */
int ctl_schedule(const struct ctl_nodes *c, const int *own, const struct model_pod_spec *spec,
		 int *node, struct in_addr *ip, char *why, size_t whylen);
/* Records a pod placed by ctl_schedule. */
void ctl_nodes_take(struct ctl_nodes *c, int node, struct in_addr ip);

/* ---- rolling updates (ctl_rollout.c) ----------------------------------- */

/* One of a Deployment's pods, as the rollout sees it. */
struct ctl_rpod {
	int idx;            /* the caller's index of the pod */
	bool current;       /* has the current pod-template-hash */
	bool assigned;      /* bound to a node (not Pending unscheduled) */
	bool ready;         /* its status says ready, and it is not being deleted */
	bool deleting;
	int64_t created;    /* creationTimestamp, seconds */
	int colocated;      /* the Deployment's live pods on the same node */
	const char *name;
};

struct ctl_plan {
	int create;         /* pods of the current template to add */
	int *del;           /* ctl_rpod.idx of pods to delete; room for n entries */
	int n_del;
};

/* An int-or-percent of total; percentages round up (surge) or down. */
int ctl_scaled_value(struct model_int_or_percent v, int total, bool round_up);
/* maxSurge and maxUnavailable as pod counts; both 0 is invalid and counts
 * as maxUnavailable 1, so a rollout can always progress. */
void ctl_rollout_bounds(const struct model_deployment *d, int *surge, int *unavailable);
/* One step of the Deployment controller over pods (n of them): scale to
 * replicas, or roll from old templates to the current one creating at
 * most replicas+surge pods in all and deleting old ones only while at
 * least replicas-unavailable stay ready. plan->del must have room for n. */
void ctl_rollout_plan(const struct ctl_rpod *pods, int n, int replicas, int surge,
		      int unavailable, struct ctl_plan *plan);
/* The status a Deployment has once a plan is applied: pods are the
 * Deployment's pods after the step (created ones current and not ready,
 * deleted ones deleting). */
void ctl_deployment_status(const struct model_deployment *d, const char *hash,
			   const struct ctl_rpod *pods, int n, int unavailable,
			   struct model_deployment_status *st);

/* ---- DaemonSets (ctl_daemonset.c) -------------------------------------- */

/* One of a DaemonSet's pods, as its controller sees it. */
struct ctl_dspod {
	int idx;            /* the caller's index of the pod */
	int node;           /* the node it is on, or pinned to; -1 if neither */
	bool current;       /* has the current template's hash */
	bool ready;         /* its status says ready */
	bool deleting;
	int64_t created;    /* creationTimestamp, seconds */
};

struct ctl_ds_plan {
	bool create[LAB_MAX_NODES];   /* a pod of the current template for node i */
	int *del;                     /* ctl_dspod.idx of pods to delete; room for n */
	int n_del;
};

/* One step of the DaemonSet controller over its pods (n of them) and the
 * nodes (state[0..nodes)): a pod on every Ready node (a NotReady one keeps
 * the pod it has and gets none: the DaemonSet's pods do not tolerate the
 * unreachable NoSchedule taint), none on a node that is not registered,
 * one per node (the oldest stays), and a rolling update node by node: with
 * surge 0, old pods go while fewer than unavailable nodes lack a ready pod
 * (old pods that are not ready go at once); with surge > 0, a new pod
 * starts next to the old one on up to surge nodes at a time, and the old
 * one goes when the new one is ready. plan->del must have room for n. */
void ctl_daemonset_plan(const struct ctl_dspod *pods, int n, const enum ctl_node_state *state,
			int nodes, int surge, int unavailable, struct ctl_ds_plan *plan);
/* maxSurge and maxUnavailable as node counts of desired (percentages round
 * up, as the DaemonSet controller scales them); both 0 counts as
 * maxUnavailable 1. */
void ctl_daemonset_bounds(const struct model_deployment *d, int desired, int *surge,
			  int *unavailable);
/* The DaemonSet's status from its pods (as they are after the plan) and
 * the nodes: desired are the Ready nodes, a node is up to date once all of
 * its pods have the current template. */
void ctl_daemonset_status(const struct model_deployment *d, const char *hash,
			  const struct ctl_dspod *pods, int n, const enum ctl_node_state *state,
			  int nodes, struct model_deployment_status *st);

/* ---- endpoints (ctl_endpoints.c) --------------------------------------- */

/* The port a Service port reaches on a pod: a numeric targetPort, the
 * container port carrying a named one (same protocol), or the Service port
 * itself; 0 if the name is not on the pod. */
int ctl_target_port(const struct model_service_port *sp, const struct model_pod_spec *spec);
/* The Endpoints of a Service: every pod of its namespace matching its
 * selector with an address and not yet terminated, sorted by address.
 * status[i] is pods[i]'s status (NULL if none). ready = ready and not
 * deleting, serving = ready, terminating = deleting. out->items is
 * malloc'd. 0 or -ENOMEM. */
int ctl_endpoints_build(const struct model_service *svc, const struct model_pod *const *pods,
			const struct model_pod_status *const *status, int n,
			struct model_endpoints *out);

/* The EndpointSlices' endpointslice.kubernetes.io/managed-by. */
#define CTL_ENDPOINTS_MANAGER "clientip-controller"

/* A Service's endpoints as discovery.k8s.io/v1 EndpointSlices, the way
 * the EndpointSlice controller writes them: one slice per distinct set of
 * resolved ports (a named targetPort may be a different number on each
 * pod), the endpoints' conditions as they are, the Service's labels with
 * kubernetes.io/service-name and managed-by CTL_ENDPOINTS_MANAGER, owned
 * by the Service; one empty slice when there are no endpoints. Each slice
 * is named after its Service and its port set, so it keeps its name from
 * pass to pass. A JSON object name -> slice, or NULL on OOM. */
json_t *ctl_endpoint_slices(const struct model_service *svc, const struct model_endpoints *e);
/* The same as core/v1 Endpoints, as the Endpoints controller writes them:
 * one subset per port set, ready addresses apart from the not-ready ones,
 * terminating pods left out, the Service's labels with
 * endpointslice.kubernetes.io/skip-mirror. NULL on OOM. */
json_t *ctl_endpoints_v1(const struct model_service *svc, const struct model_endpoints *e);

/* ---- the daemon (ctl_sync*.c, ctl_main.c) ------------------------------ */

/* What the controller lists and watches on the API server (ctl_api.c). */
enum ctl_coll {
	CTL_NODES,
	CTL_LEASES,        /* kube-node-lease's */
	CTL_DEPLOYMENTS,
	CTL_DAEMONSETS,
	CTL_SERVICES,
	CTL_CONFIGMAPS,    /* for the pods' environment */
	CTL_SECRETS,
	CTL_ENDPOINTSLICES,  /* written by the controller, read back */
	CTL_ENDPOINTS,
	CTL_PODS,            /* created, bound and deleted by the controller */
	CTL_REPLICASETS,     /* the Deployments', made by the controller */
	CTL_COLL_COUNT,
};

struct ctl {
	char lab[LAB_NAME_MAX + 1];
	char statedir[LAB_PATH_MAX];
	struct ev_loop *loop;
	struct watch *watch;
	struct apiclient *api;          /* the lab's API server */
	struct apiwatch *w[CTL_COLL_COUNT];   /* NULL under --once (listed then) */
	int sigfd;
	int nodes;              /* from lab.json, read on every pass */
	bool lab_missing;       /* reported once until it appears */
	bool api_waiting;       /* likewise, the API's collections not listed yet */
	int max_pods;           /* pods a node takes (model_node_max_pods) */
	int grace_s;            /* NotReady after this long without a heartbeat */
	/* Each node's state at the last pass, to log changes once. */
	enum ctl_node_state node_state[LAB_MAX_NODES];
	struct apiobj_events events;    /* recorded, for counting repeats */
	/* The resourceVersion of the controller's last write to each
	 * collection: a pass waits until the collection's watch has it, so
	 * that no decision is taken twice on a view from before the write
	 * (a pod created again, an address handed out twice). */
	uint64_t wrote_rv[CTL_COLL_COUNT];
};

/* One reconcile pass over the API server's objects. 0, or -1 if they could
 * not be read, or the view does not have the controller's own last write
 * yet (the next pass retries). */
int ctl_sync(struct ctl *c);

/* ---- the API server (ctl_api.c) --------------------------------------- */

/* A pass's view of the API server: each collection, "namespace/name" ->
 * object (a reference, json_decref'd by ctl_api_end). */
struct ctl_api_view {
	json_t *coll[CTL_COLL_COUNT];
};

/* The API server's client. -ENOMEM or 0; ctl_api_close() releases it and
 * the watches. */
int ctl_api_open(struct ctl *c);
/* For the daemon: every collection listed and watched; on_change runs
 * after each change. -ENOMEM or 0. */
int ctl_api_watch(struct ctl *c, apiwatch_change_cb *on_change, void *data);
void ctl_api_close(struct ctl *c);
/* The collections as the watches have them (without watches, as listed
 * now). -1 with err while a watch has not listed yet or the server does
 * not answer: a pass without a collection would take all of it for gone;
 * -EAGAIN while a watch has not yet seen the controller's own last write
 * to its collection (the event that brings it asks for the next pass). */
int ctl_api_begin(struct ctl *c, struct ctl_api_view *v, char *err, size_t errlen);
void ctl_api_end(struct ctl_api_view *v);
/* Whether the collection holds ns/name ("" for a Node's namespace), as
 * the model reads it or not. */
bool ctl_api_has(const struct ctl_api_view *v, enum ctl_coll k, const char *ns,
		 const char *name);
/* The Deployments, then the DaemonSets (daemon_set set), each group sorted
 * by namespace and name, with their containers' environment resolved from
 * the ConfigMaps and Secrets, and each one's pod-template-hash in
 * hashes[i] (ctl_template_hash over the template as written: a reference
 * hashes as itself, so a ConfigMap's change does not roll the pods); the
 * Services, likewise sorted. An object the model refuses is logged and
 * left out. Malloc'd arrays. -ENOMEM or 0. */
int ctl_api_workloads(const struct ctl_api_view *v, struct model_deployment **out,
		      char (**hashes)[CTL_HASH_LEN + 1], int *n);
int ctl_api_services(const struct ctl_api_view *v, struct model_service **out, int *n);
/* One write to the API server with a JSON body: the HTTP status, or -1
 * when no answer came; anything but 2xx is logged, prefixed with what. */
int ctl_api_send(struct ctl *c, const char *method, const char *path, const char *content_type,
		 const json_t *body, const char *what);
/* The same, with the answer `quiet` (404, say: gone meanwhile) not logged. */
int ctl_api_send_quiet(struct ctl *c, const char *method, const char *path,
		       const char *content_type, const json_t *body, const char *what, int quiet);
/* One request (body may be NULL; a PATCH is a JSON merge patch): the
 * HTTP status, or -1 when no answer came; answers but 2xx and `quiet` (0:
 * none) are logged, prefixed with what. The answer's object into *answer
 * when asked for (NULL if none). The resourceVersion of an answer about
 * an object of collection k (CTL_COLL_COUNT: none) is the controller's
 * last write to it (ctl_api_begin). */
int ctl_api_call(struct ctl *c, const char *method, const char *path, const json_t *body,
		 const char *what, int quiet, enum ctl_coll k, json_t **answer);
/* Makes the API's object `want` (a namespaced object of collection k
 * under coll_path, e.g. "/api/v1/namespaces/NS/endpoints") what want says:
 * created when missing, replaced (keeping the server's metadata) when one
 * of `fields` or the labels or owners differ, left alone otherwise. 1
 * written, 0 nothing to write, -errno (logged, but for 409: the watch
 * brings the newer object and the next pass tries again). */
int ctl_api_ensure(struct ctl *c, const struct ctl_api_view *v, enum ctl_coll k,
		   const char *coll_path, const json_t *want, const char *const *fields);
/* An Event about the namespaced object kind/name (api_version, uid) from
 * `component`, a repeat counted on the Event already recorded; a failure is
 * only logged. */
void ctl_api_event(struct ctl *c, const char *ns, const char *api_version, const char *kind,
		   const char *name, const char *uid, const char *type, const char *reason,
		   const char *message, const char *component);
/* An Event about a pod from `component` (the scheduler's Scheduled and
 * FailedScheduling), a repeat counted on the Event already recorded;
 * a failure is only logged. */
void ctl_api_pod_event(struct ctl *c, const struct model_pod *pod, const char *type,
		       const char *reason, const char *message, const char *component);
/* DELETE of path; 404 counts as done. 0 or -EIO (logged). */
int ctl_api_delete(struct ctl *c, const char *path, const char *what);
/* A Deployment's or DaemonSet's status (st->daemon_set) into its object's
 * status subresource, when it differs from what the view holds; fields the
 * status no longer has are removed. 1 sent, 0 nothing to send (or the
 * object is gone), -errno (logged). */
int ctl_api_put_status(struct ctl *c, const struct ctl_api_view *v,
		       const struct model_deployment_status *st);


/* ---- ReplicaSets (ctl_replicaset.c) ------------------------------------ */

/* A Deployment's pods of one pod-template-hash: all, live (not being
 * deleted), and ready among the live. */
struct ctl_rs_count {
	const char *hash;
	int all, live, ready;
};

/* "<deployment>-<hash>", the ReplicaSet's name. */
void ctl_rs_name(const char *deployment, const char *hash, char out[2 * MODEL_NAME_MAX]);
/* The uid of the ReplicaSet ns/name as the pass knows it (made first, then
 * the view), or NULL. */
const char *ctl_rs_uid(const struct ctl_api_view *v, const json_t *made, const char *ns,
		       const char *name);
/* The uid of the Deployment's ReplicaSet for the template hash, created
 * (with the next revision) when there is none, or given the next revision
 * when an older template comes back. What the pass wrote goes into made
 * ("ns/name" -> the server's object), which the view does not have yet.
 * NULL when it could not be made (logged). */
const char *ctl_rs_current(struct ctl *c, const struct ctl_api_view *v, json_t *made,
			   const char *ns, const char *deployment, const char *hash);
/* Once the pass's pods are planned: each ReplicaSet of d holds its
 * replicas (the current one d's, an old one its live pods) and its status
 * from counts (by hash; none counted means none), old ones without pods
 * beyond revisionHistoryLimit are deleted, and d carries its current
 * revision. */
void ctl_rs_sync(struct ctl *c, const struct ctl_api_view *v, const json_t *made,
		 const struct model_deployment *d, const char *hash,
		 const struct ctl_rs_count *counts, int n_counts);

/* ---- nodes (ctl_nodes.c) ----------------------------------------------- */

/* The Nodes of one pass, each with its Lease. */
struct ctl_node_view {
	struct model_node_status *st;   /* st[i] is obj[i] as the model reads it */
	const json_t **obj;             /* borrowed from the ctl_api_view */
	int n;
};

/* -ENOMEM or 0. ctl_nodes_end() either way. */
int ctl_nodes_begin(const struct ctl_api_view *api, struct ctl_node_view *v);
void ctl_nodes_end(struct ctl_node_view *v);
/* The node lifecycle controller: a node silent for c->grace_s (counted
 * from its creation until its agent first reports) gets Ready Unknown and
 * the unreachable NoSchedule taint, and its pods (of `pods`, the API's
 * collection) Ready False; the taint goes once the agent reports again and
 * has posted Ready, the pods' Ready is their kubelet's to report again. */
void ctl_nodes_lifecycle(struct ctl *c, const struct ctl_node_view *v, const json_t *pods,
			 int64_t now);

#endif
