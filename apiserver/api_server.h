/* api_server.h — the API server's state and the parts its modules share.
 *
 * api_main builds one struct api_server; api_handlers routes each request
 * to a verb; api_admit prepares objects before they are stored;
 * api_watch streams changes; api_status builds the Status objects errors
 * are made of; api_gc finishes what deletions start (namespaces, owners).
 */
#ifndef CLIENTIP_API_SERVER_H
#define CLIENTIP_API_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api_http.h"
#include "api_objects.h"
#include "api_registry.h"
#include "ev.h"

struct watch;

struct api_server {
	struct ev_loop *loop;
	struct api_http *http;
	struct api_objects *objects;
	char lab[64];
	char statedir[4096];
	uint64_t gc_timer;            /* pending pass of api_gc, 0 if none */
	uint64_t events_timer;        /* api_gc: the next expiry of old Events */
	struct api_doc *docs;         /* api_docs: OpenAPI documents as served, kept */
	struct api_alloc *alloc;      /* api_admit: the Services' ClusterIPs and NodePorts */
	struct api_objects_watcher *alloc_watcher;
};

/* ---- api_status.c: errors as the API returns them ---------------------- */

/* A Status object: {"kind":"Status","apiVersion":"v1","metadata":{},
 * "status":"Failure","message":...,"reason":...,"code":...}. details (a
 * new reference or NULL) is stolen. */
json_t *api_status_new(int code, const char *reason, json_t *details, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* details {"name","group","kind"} of a resource, for NotFound and friends. */
json_t *api_status_details(const struct api_resource *r, const char *name);
/* 404 NotFound: 'pods "x" not found' */
json_t *api_status_not_found(const struct api_resource *r, const char *name);
/* 409 AlreadyExists: 'pods "x" already exists' */
json_t *api_status_exists(const struct api_resource *r, const char *name);
/* 409 Conflict on a stale resourceVersion */
json_t *api_status_conflict(const struct api_resource *r, const char *name);
/* 422 Invalid: 'Deployment.apps "x" is invalid: <causes joined>'; causes
 * (an array of {"reason","message","field"}, stolen) must not be empty. */
json_t *api_status_invalid(const struct api_resource *r, const char *name, json_t *causes);
/* Appends one cause to an array. */
void api_status_cause(json_t *causes, const char *reason, const char *field, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));
/* The code of a Status. */
int api_status_code(const json_t *status);
/* The StatusReason the API gives an HTTP error code ("NotFound" for 404),
 * as the real server names another server's error it passes on;
 * "InternalError" for a code without one. */
const char *api_status_reason(int code);

/* ---- api_admit.c: what the API server does before it stores ------------ */

enum api_admit_op { API_ADMIT_CREATE, API_ADMIT_UPDATE };

/* Prepares obj in place for storage under r in namespace ns ("" for
 * cluster-scoped): on create, identity (name from generateName, uid,
 * creationTimestamp, generation 1); on update, what may not change is
 * carried over from old and generation follows spec changes; then the
 * kind's defaults, validation and allocations (ClusterIPs, NodePorts).
 * Returns NULL when obj may be stored, or a Status to answer with (a new
 * reference). Unknown fields are the caller's to check first (they depend
 * on the request's fieldValidation). */
json_t *api_admit(struct api_server *s, const struct api_resource *r, enum api_admit_op op,
		  const char *ns, const json_t *old, json_t *obj);

/* Counts the ClusterIPs and NodePorts the stored Services hold
 * (api_alloc.h) and follows every change of them from now on; admission
 * allocates against that (api_admit_service.c). 0, or -1 with a message
 * in err. */
int api_admit_start(struct api_server *s, char *err, size_t errlen);
void api_admit_stop(struct api_server *s);

/* "2026-12-04T10:00:00Z" of now (model_time_now()). */
void api_now_rfc3339(char out[32]);

/* ---- api_gc.c: deletions that take time -------------------------------- */

/* Asks for a pass soon: namespaces being deleted lose their objects and
 * then go; objects whose owners are gone are deleted (background
 * propagation). */
void api_gc_poke(struct api_server *s);

/* ---- api_watch.c ------------------------------------------------------- */

/* Serves GET ...?watch=true on c: replays from resourceVersion rv_text
 * ("" or "0": every current object as ADDED first), then streams events
 * for r in ns (NULL: all) that pass the selectors (taken), until
 * timeoutSeconds. as_table: each object as a one-row Table. */
struct api_selector;
void api_watch_serve(struct api_server *s, struct api_http_conn *c, const struct api_resource *r,
		     const char *ns, const char *rv_text, struct api_selector *labels,
		     struct api_selector *fields, int timeout_s, bool bookmarks, bool as_table);

/* ---- api_apply.c: server-side apply --------------------------------- */

/* Records in obj's metadata.managedFields that manager applied the
 * configuration applied (old: the object before, whose other managers'
 * entries are kept; NULL on create). */
void api_apply_record(json_t *obj, const json_t *old, const char *manager);
/* The live object old with the configuration applied by manager merged
 * in: fields the manager applied last time and no longer applies are
 * removed, the rest merges as a strategic merge patch would. A new
 * object, or NULL with a message in err. */
json_t *api_apply_merge(const json_t *old, const json_t *applied, const char *kind,
			const char *manager, char *err, size_t errlen);

/* ---- api_log.c --------------------------------------------------------- */

/* GET pods/<name>/log: the pod's output (tailLines, limitBytes, follow). */
void api_log_serve(struct api_server *s, struct api_http_conn *c, const struct api_http_req *req,
		   const json_t *pod);

/* ---- api_gc.c (also) ---------------------------------------------------- */

/* The server's own housekeeping from start-up on: the namespaces every
 * cluster has (default, kube-system, kube-public, kube-node-lease) exist,
 * and Events go an hour after their last occurrence (--event-ttl). */
void api_housekeeping_start(struct api_server *s);
void api_housekeeping_stop(struct api_server *s);

/* ---- api_exec.c -------------------------------------------------------- */

/* pods/<name>/exec: the command in the pod's network namespace, its
 * stdin, stdout and stderr over WebSocket (v5/v4.channel.k8s.io). */
void api_exec_serve(struct api_server *s, struct api_http_conn *c, const struct api_http_req *req,
		    const json_t *pod);

/* ---- api_handlers.c ---------------------------------------------------- */

void api_handle(struct api_http_conn *c, const struct api_http_req *req, void *data);

/* ---- api_docs.c -------------------------------------------------------- */

/* Frees the documents api_handle kept (s->docs). */
void api_docs_free(struct api_server *s);

/* ---- api_verbs_write.c ------------------------------------------------- */

/* Deletes one object as the API does (graceful for pods on a node,
 * Terminating for namespaces, immediate otherwise). Returns NULL and sets
 * *result to the object as the reply shows it, or a Status. */
json_t *api_verbs_delete_object(struct api_server *s, const struct api_resource *r,
				const char *ns, const char *name, int64_t grace_s,
				json_t **result);

#endif
