/* api_handlers_int.h — what the parts of the request handlers share (not
 * an API): a request's target as routed, and the functions each part
 * offers the others.
 *
 *   api_handlers.c     routing: api_handle, resource URLs
 *   api_reply.c        the replies: JSON, Status, an object or its Table
 *   api_verbs_read.c   list and watch, the Scale view
 *   api_verbs_write.c  create, update, patch, delete, scale, binding;
 *                      request bodies
 *   api_docs.c         discovery and the OpenAPI documents, kept
 */
#ifndef CLIENTIP_API_HANDLERS_INT_H
#define CLIENTIP_API_HANDLERS_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "api_http.h"
#include "api_registry.h"
#include "api_server.h"

#define API_JSON "application/json"

/* A request's target, split. */
struct api_route {
	const struct api_resource *res;
	char ns[254];                 /* "" for cluster-scoped or all namespaces */
	char name[254];               /* "" for a collection */
	char sub[32];                 /* "status", "scale", "log", "exec" or "" */
};

/* ---- api_handlers.c ------------------------------------------------------ */

/* Splits a path into at most max segments on '/' (runs of '/' count as
 * one). The number of segments, or -1 when one is too long or more are
 * left. */
int api_handlers_split(const char *path, char seg[][254], int max);

/* ---- api_reply.c ---------------------------------------------------------- */

void api_reply_json(struct api_http_conn *c, int code, const json_t *body);
/* Replies with a Status (stolen) and its code. */
void api_reply_status(struct api_http_conn *c, json_t *status);
/* Whether the client asked for a Table (kubectl get does). */
bool api_reply_wants_table(const struct api_http_req *req);
/* obj, or a Table of it when the client asked for one. */
void api_reply_object(struct api_http_conn *c, const struct api_http_req *req, int code,
		      const struct api_resource *r, json_t *obj);
/* doc (stolen) as JSON of content_type; NULL is a 404. */
void api_reply_doc(struct api_http_conn *c, json_t *doc, const char *content_type);
/* 500, out of memory. */
void api_reply_oom(struct api_http_conn *c);

/* ---- api_verbs_read.c ---------------------------------------------------- */

/* The autoscaling/v1 Scale of a Deployment, ReplicaSet or the like. */
json_t *api_verbs_scale_of(const json_t *obj);
/* GET of a collection: a List or a Table, or a watch. */
void api_verbs_list(struct api_server *s, struct api_http_conn *c,
		    const struct api_http_req *req, const struct api_route *rt);

/* ---- api_verbs_write.c --------------------------------------------------- */

/* The request's body as JSON (YAML and protobuf converted), or NULL with
 * *status set (415, 400). */
json_t *api_verbs_parse_body(const struct api_http_req *req, json_t **status);
/* The object's namespace and kind must agree with the URL: NULL, or a
 * Status. */
json_t *api_verbs_check_body_ns(const struct api_route *rt, const json_t *obj);
json_t *api_verbs_check_kind(const struct api_route *rt, const json_t *obj);
/* Each replies. create, update and scale_apply take obj or scale
 * (stolen); old is the stored object (not taken), NULL for a patch that
 * may create one by apply. patch, delete and bind read their body (the
 * patch, DeleteOptions, the Binding) from req. */
void api_verbs_create(struct api_server *s, struct api_http_conn *c,
		      const struct api_http_req *req, const struct api_route *rt, json_t *obj);
void api_verbs_update(struct api_server *s, struct api_http_conn *c,
		      const struct api_http_req *req, const struct api_route *rt, json_t *old,
		      json_t *obj);
void api_verbs_scale_apply(struct api_server *s, struct api_http_conn *c,
			   const struct api_http_req *req, const struct api_route *rt,
			   json_t *old, json_t *scale);
void api_verbs_patch(struct api_server *s, struct api_http_conn *c,
		     const struct api_http_req *req, const struct api_route *rt, json_t *old);
void api_verbs_delete(struct api_server *s, struct api_http_conn *c,
		      const struct api_http_req *req, const struct api_route *rt);
void api_verbs_bind(struct api_server *s, struct api_http_conn *c,
		    const struct api_http_req *req, const struct api_route *rt, const json_t *old);

/* ---- api_docs.c ------------------------------------------------------------ */

/* /api (core) or /apis. */
void api_docs_discovery(struct api_http_conn *c, const struct api_http_req *req, bool core);
void api_docs_openapi_v2(struct api_server *s, struct api_http_conn *c,
			 const struct api_http_req *req);
/* rel: what follows /openapi/v3/, "" for the root. */
void api_docs_openapi_v3(struct api_server *s, struct api_http_conn *c,
			 const struct api_http_req *req, const char *rel);

#endif
