/* objapi.h — the object verbs' side of the lab's API server.
 *
 * Deployments, DaemonSets and Services are written only through the lab's
 * API server (<statedir>/apiserver.sock): the verbs that change them send
 * requests here, and the server validates, allocates and stores. A verb reads an
 * object as API JSON (jansson) and, where it compares or plans, through
 * the lab's model (lib/model.h).
 */
#ifndef CLIENTIP_OBJAPI_H
#define CLIENTIP_OBJAPI_H

#include <jansson.h>
#include <stdbool.h>

#include "buf.h"
#include "cli.h"
#include "manifest.h"
#include "model.h"

struct apiclient;

struct objapi {
	struct apiclient *c;
	const char *lab;
	char sock[LAB_PATH_MAX + 32];
	bool down_said;                /* the "does not answer" line was printed */
};

/* No connection yet. 0, or -1 (message printed) on OOM. */
int objapi_open(const struct cli *cli, struct objapi *a);
void objapi_close(struct objapi *a);

/* "deployments", "daemonsets" or "services": the resource of a manifest's
 * kind. */
const char *objapi_resource(enum manifest_kind kind);
/* The path of an object of resource ("deployments", "daemonsets",
 * "services", "endpointslices", "pods"...; name
 * NULL: the namespace's collection; ns NULL too: every namespace's), with
 * query appended if not NULL ("dryRun=All"). */
void objapi_path(const char *resource, const char *ns, const char *name, const char *query,
		 char *out, size_t len);

/* Sends body (NULL: none) and parses the answer into *resp (NULL if it is
 * not JSON; json_decref it). Returns the HTTP status, or -1 when the server
 * did not answer: the lab, its socket and why are then printed once. */
int objapi_call(struct objapi *a, const char *method, const char *path, const json_t *body,
		json_t **resp);

/* GET path as text (a pod's log) into text (reset first). Returns the
 * HTTP status, or -1 when the server did not answer (said as objapi_call
 * says it); for any other status than 200, *status is its Status (NULL if
 * not JSON; json_decref it). */
int objapi_get_text(struct objapi *a, const char *path, struct buf *text, json_t **status);

/* Says once that the lab's API server did not answer (err: why), naming
 * the lab and its socket. */
void objapi_say_down(struct objapi *a, const char *err);

/* A Status answer's reason and message ("" if absent). */
const char *objapi_reason(const json_t *status);
const char *objapi_message(const json_t *status);

/* The lab's model of an API Deployment or Service. Annotations the model
 * has no room for are left out. 0, or -1 with a message in err. */
int objapi_to_deployment(const json_t *obj, struct model_deployment *out, char *err,
			 size_t errlen);
int objapi_to_service(const json_t *obj, struct model_service *out, char *err, size_t errlen);

/* A model object as the body of a create or update: its Kubernetes JSON
 * without what the server owns (status, uid, creationTimestamp,
 * generation, resourceVersion). NULL on OOM. */
json_t *objapi_from_deployment(const struct model_deployment *d);
json_t *objapi_from_service(const struct model_service *s);

/* A Deployment or DaemonSet and the status its controller reported
 * (reported: the server's object has one). spec comes first: lists are
 * sorted through it. */
struct objapi_workload {
	struct model_deployment spec;
	struct model_deployment_status status;
	bool reported;
};

/* Every Deployment (DaemonSet, Service, EndpointSlice as the lab's
 * Endpoints) the server holds, in all namespaces, as the lab's model,
 * sorted by namespace then name as the store's lists are (free() the
 * array; each Endpoints' items with model_endpoints_free); an object the
 * model refuses is skipped with a warning. 0, or -1 (message printed). */
int objapi_list_deployments(const struct cli *cli, struct objapi_workload **out, int *n);
int objapi_list_daemonsets(const struct cli *cli, struct objapi_workload **out, int *n);
int objapi_list_services(const struct cli *cli, struct model_service **out, int *n);
/* Every pod, sorted by namespace and name, and what the kubelets reported
 * of them (one status per pod that has one, apiobj_pod_status): malloc'd
 * arrays. 0, or -1 (what went wrong printed). */
int objapi_list_pods(const struct cli *cli, struct model_pod **pods, int *n_pods,
		     struct model_pod_status **sts, int *n_sts);
int objapi_list_endpoints(const struct cli *cli, struct model_endpoints **out, int *n);

/* A Node as the server holds it (obj: its JSON, a reference) and as the
 * model reads it (st: InternalIP, whether its Ready condition is True). */
struct objapi_node {
	struct model_node_status st;
	json_t *obj;
};

/* Every Node the server holds, node0, node1 ... node10 in index order
 * (other names after them, by name). objapi_nodes_free() the array. 0, or
 * -1 (message printed). */
int objapi_list_nodes(const struct cli *cli, struct objapi_node **out, int *n);
void objapi_nodes_free(struct objapi_node *nodes, int n);
/* A Node's labels as the model holds them (what does not fit is left out). */
void objapi_node_labels(const json_t *node, struct model_map *m);
/* kubectl's ROLES: the node-role.kubernetes.io/<role> labels, comma
 * separated, else the kubernetes.io/role label, else <none>. */
void objapi_node_roles(const json_t *node, char *out, size_t len);

/* One object: 0, -ENOENT when the server has none (nothing printed, so
 * that the caller words it), or -1 (what went wrong printed). resource is
 * "deployments" or "daemonsets". The Service's status (its load balancer
 * address) is in out->ingress_ip. */
int objapi_get_workload(const struct cli *cli, const char *resource, const char *ns,
			const char *name, struct objapi_workload *out);
int objapi_get_service(const struct cli *cli, const char *ns, const char *name,
		       struct model_service *out);
int objapi_get_endpoints(const struct cli *cli, const char *ns, const char *name,
			 struct model_endpoints *out);

#endif
