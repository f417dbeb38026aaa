/* apiobj.h — objects of the API server (jansson values) as the lab's model
 * reads them.
 *
 * The model (lib/model.h) has fixed-size room: an annotation value up to
 * MODEL_VALUE_MAX, a key up to MODEL_KEY_MAX. What the API holds beyond
 * that — kubectl's last-applied configuration, managedFields, the
 * Deployment controller's own annotations — means nothing to the lab's
 * daemons and is left out before the model parses the JSON.
 */
#ifndef CLIENTIP_APIOBJ_H
#define CLIENTIP_APIOBJ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* JSON text as one value (json_decref it), or NULL with "not valid JSON:
 * line L, column C: why" in err: how every JSON document is read. */
json_t *apiobj_parse(const char *text, size_t len, char *err, size_t errlen);

/* A deep copy of obj without what the model cannot hold. NULL on OOM. */
json_t *apiobj_model_copy(const json_t *obj);

/* The ConfigMap or Secret (secret true) ns/name as the caller holds it
 * (borrowed), or NULL. */
typedef const json_t *apiobj_lookup_fn(bool secret, const char *ns, const char *name,
				       void *data);

/* The lab's pods take environment values, not references: in a
 * Deployment's or DaemonSet's pod template (obj, changed in place), every
 * container's envFrom and valueFrom (configMapKeyRef, secretKeyRef) are
 * replaced by the values they name, as a kubelet resolves them when it
 * starts a container; Secret values are base64-decoded. A reference that
 * does not resolve is left out (a kubelet would hold the container back
 * with CreateContainerConfigError). */
void apiobj_resolve_env(json_t *obj, apiobj_lookup_fn *lookup, void *data);

/* A core/v1 Event about an object, as Kubernetes' event recorder makes
 * them: named after the object with a unique suffix, in ns (the object's
 * namespace, "default" for a cluster-scoped one such as a Node), count 1,
 * source and reporting component `component`. ref_ns is the object's own
 * namespace ("" for a Node), uid may be NULL. NULL on OOM. */
json_t *apiobj_event_new(const char *ns, const char *api_version, const char *kind,
			 const char *ref_ns, const char *name, const char *uid, const char *type,
			 const char *reason, const char *message, const char *component);

/* Events a client recorded, for counting repeats as client-go's event
 * correlator does: a repeat of an Event (the same object, type, reason and
 * message) is a count on the Event already recorded, not another Event. */
#define APIOBJ_EVENTS_KEPT 64
struct apiobj_events {
	struct apiobj_event_seen {
		uint64_t key;              /* 0: unused */
		char ns[64];
		char name[96];
		long count;
		int64_t last;              /* time of the last occurrence */
	} seen[APIOBJ_EVENTS_KEPT];
	int next;                          /* the slot a new Event takes */
};

/* One request to the API server with a JSON body; its HTTP status, or -1
 * when no answer came. */
typedef int apiobj_send_fn(void *ctx, const char *method, const char *path,
			   const char *content_type, json_t *body);

/* Records ev (from apiobj_event_new; borrowed): a PATCH of count and
 * lastTimestamp when the same Event was recorded in the last hour (the
 * Event's life on the API server), else a POST (also when the Event is
 * gone meanwhile). The last request's HTTP status, or -1. */
int apiobj_event_record(struct apiobj_events *log, const json_t *ev, apiobj_send_fn *send,
			void *ctx);

struct model_pod_status;

/* What a Pod's status says of its first container, as the model holds it
 * (the pod's kubelet wrote it): phase, readiness (the Ready condition),
 * restarts, the waiting or terminated reason and message, the start time,
 * the pid (containerID "pid://N"); terminating once the pod is being
 * deleted, terminated once its container ended after that. False when
 * the kubelet has reported nothing yet (no containerStatuses); out is
 * filled either way. */
bool apiobj_pod_status(const json_t *pod, struct model_pod_status *out);

struct model_endpoints;

/* One EndpointSlice as the model reads it, named after its Service (the
 * kubernetes.io/service-name label, as kube-proxy groups slices): 0, 1
 * for a slice of no Service (kube-proxy ignores it too; out is empty), or
 * -1 with err. */
int apiobj_slice_endpoints(const json_t *slice, struct model_endpoints *out, char *err,
			   size_t errlen);
/* Each Service's slices (from apiobj_slice_endpoints) as one entry: list
 * sorted by namespace and name, a Service's entries merged into its first
 * (each endpoint's ports moved to the merged entry's port of the same name
 * and protocol: slices of one Service may list different ports, one slice
 * per distinct port set). The entries left, or -1 on OOM (list still
 * valid, with *n entries to free). */
int apiobj_endpoints_merge(struct model_endpoints *list, int *n);

struct model_node_status;

/* The Ready condition of a Node (or of anything with status.conditions):
 * the condition object, borrowed, or NULL. */
const json_t *apiobj_condition(const json_t *obj, const char *type);
/* An object's metadata.resourceVersion as a number (the lab's server
 * counts them up), 0 when it has none. */
uint64_t apiobj_rv(const json_t *obj);

/* What the lab needs of a Node and of its Lease (lease may be NULL): its
 * name, its InternalIP, whether its Ready condition is True, whether it is
 * cordoned (spec.unschedulable), and the
 * agent's latest sign of life (the later of the Lease's renewTime and the
 * Ready condition's lastHeartbeatTime). 0, or -1 for a Node without a
 * name. */
int apiobj_node_status(const json_t *node, const json_t *lease,
		       struct model_node_status *out);

#endif
