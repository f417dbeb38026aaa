/* ctl_sync_int.h — one reconcile pass's state and the parts of the pass,
 * shared by ctl_sync*.c (not an API: the pass's entry point is ctl_sync()
 * in ctl.h).
 *
 *   ctl_sync.c            the pass: the API server's view read, the parts
 *                         run, the view let go; pod lookups
 *   ctl_sync_workloads.c  Deployments and DaemonSets: their pods created
 *                         and deleted, ReplicaSets written
 *   ctl_sync_sched.c      the scheduler: pending pods bound or marked
 *                         unschedulable; the nodes the pass sees
 *   ctl_sync_endpoints.c  each Service's EndpointSlice and Endpoints
 */
#ifndef CLIENTIP_CTL_SYNC_INT_H
#define CLIENTIP_CTL_SYNC_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ctl.h"

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

/* ---- lookups (ctl_sync.c) ------------------------------------------------ */

/* (ns1, n1) against (ns2, n2), as strcmp. */
int ctl_key_cmp(const char *ns1, const char *n1, const char *ns2, const char *n2);
/* Whether the pass has a pod ns/name, read or created. */
bool ctl_pod_exists(const struct ctl_pass *p, const char *ns, const char *name);
/* An element count for an allocation: at least 1, so that malloc never
 * returns NULL for an empty list. */
size_t ctl_count(int n);
/* Whether pods[i] is ready and not being deleted. */
bool ctl_ready(const struct ctl_pass *p, int i);

/* ---- workloads (ctl_sync_workloads.c) ------------------------------------ */

/* A pod's API path, with a subresource (NULL: none). */
void ctl_pod_path(const struct model_pod *pod, const char *sub, char *out, size_t len);
/* Every Deployment's and DaemonSet's pods, the pods of those gone, then
 * the scheduler over the pods as they now are. */
void ctl_sync_deployments(struct ctl_pass *p);

/* ---- the scheduler (ctl_sync_sched.c) ------------------------------------- */

/* Node readiness for the pass, and its changes in the log. */
void ctl_nodes_observe(struct ctl_pass *p, struct ctl_nodes *nodes);
/* kube-scheduler's part: every live pod without a node, oldest first, goes
 * to a node or stays Pending with the reason. */
void ctl_schedule_pending(struct ctl_pass *p, struct ctl_nodes *nodes);

/* ---- endpoints (ctl_sync_endpoints.c) ------------------------------------- */

/* Each Service's EndpointSlice and Endpoints, and those of Services gone. */
void ctl_sync_endpoints(struct ctl_pass *p);

#endif
