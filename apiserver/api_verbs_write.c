/* api_verbs_write.c — the verbs that write (api_handlers_int.h): create,
 * update (409 on a stale resourceVersion or uid), patch of the four
 * types, server-side apply, delete (graceful for a pod on a node), the
 * scale subresource and a pod's binding, each with dry run; the request
 * bodies they read (JSON, YAML, protobuf) and the checks they share, the
 * unknown fields under fieldValidation among them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libfyaml.h>

#include "api_discovery.h"
#include "api_handlers_int.h"
#include "api_json.h"
#include "api_patch.h"
#include "api_proto.h"
#include "api_select.h"
#include "api_server.h"
#include "buf.h"

/* ---- bodies ------------------------------------------------------------------ */

/* The media types of request bodies the server reads; a body of any other
 * type gets 415, as from the real server. No Content-Type at all is read
 * as JSON. */
static bool api_verbs_media_type_known(const char *ct)
{
	static const char *const known[] = {
		"application/json", "application/yaml", "application/vnd.kubernetes.protobuf",
		"application/merge-patch+json", "application/json-patch+json",
		"application/strategic-merge-patch+json", "application/apply-patch+yaml",
	};
	size_t n = strcspn(ct, "; ");

	if (n == 0)
		return true;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == n && strncasecmp(ct, known[i], n) == 0)
			return true;
	return false;
}

/* JSON, or YAML for the content types that carry it (apply-patch+yaml,
 * application/yaml): libfyaml turns YAML into JSON text first. */
json_t *api_verbs_parse_body(const struct api_http_req *req, json_t **status)
{
	json_error_t jerr;
	json_t *v;

	if (!api_verbs_media_type_known(req->content_type)) {
		*status = api_status_new(415, "UnsupportedMediaType", NULL,
					 "the body of the request was in an unknown format - accepted "
					 "media types include: application/json, application/yaml, "
					 "application/vnd.kubernetes.protobuf");
		return NULL;
	}
	if (strncmp(req->content_type, "application/vnd.kubernetes.protobuf", 35) == 0) {
		/* kubectl's typed clients (create namespace, deployment, ...) */
		char perr[512];

		v = api_proto_decode(req->body, req->body_len, perr, sizeof(perr));
		if (!v)
			*status = api_status_new(400, "BadRequest", NULL, "%s", perr);
		return v;
	}
	v = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (v)
		return v;
	if (strstr(req->content_type, "yaml")) {
		struct fy_document *fyd = fy_document_build_from_string(NULL, req->body,
									req->body_len);
		char *text = fyd ? fy_emit_document_to_string(fyd, FYECF_MODE_JSON_ONELINE) : NULL;
		fy_document_destroy(fyd);
		if (text) {
			v = json_loads(text, 0, &jerr);
			free(text);
			if (v)
				return v;
		}
	}
	*status = api_status_new(400, "BadRequest", NULL, "the request body is not valid JSON: "
				 "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	return NULL;
}

/* ---- objects ----------------------------------------------------------------- */

static bool api_verbs_dry_run(const struct api_http_req *req)
{
	char v[16];

	return httpd_query_get(req->query, "dryRun", v, sizeof(v)) && strcmp(v, "All") == 0;
}

enum api_verbs_field_validation { API_VERBS_FV_IGNORE, API_VERBS_FV_WARN, API_VERBS_FV_STRICT };

/* The request's fieldValidation; Warn, the real server's default, when
 * absent. */
static enum api_verbs_field_validation api_verbs_field_validation(const struct api_http_req *req)
{
	char v[16];

	if (!httpd_query_get(req->query, "fieldValidation", v, sizeof(v)))
		return API_VERBS_FV_WARN;
	return strcmp(v, "Strict") == 0 ? API_VERBS_FV_STRICT :
	       strcmp(v, "Ignore") == 0 ? API_VERBS_FV_IGNORE : API_VERBS_FV_WARN;
}

/* A Warning header (RFC 7234 5.5) as kube-apiserver sends one: code 299,
 * no agent ("-"), the text quoted with '"' and '\' escaped. kubectl prints
 * "Warning: <text>". */
static void api_verbs_warn(struct api_http_conn *c, const char *text)
{
	struct buf v = BUF_INIT;

	buf_puts(&v, "299 - \"");
	for (const char *p = text; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(&v, '\\');
		buf_putc(&v, *p);
	}
	buf_putc(&v, '"');
	if (!v.oom)
		api_http_add_header(c, "Warning", v.data);
	buf_free(&v);
}

static const struct api_resource *api_verbs_ns_res(void)
{
	return api_registry_find("", "v1", "namespaces");
}

/* Removes the field at a path as api_openapi_unknown_fields() names it
 * ("spec.template.spec.containers[0].bogus"). */
static void api_verbs_prune_field(json_t *obj, const char *path)
{
	char part[256];
	const char *p = path;

	while (obj && *p) {
		size_t len = strcspn(p, ".[");
		bool last;

		if (len >= sizeof(part))
			return;
		memcpy(part, p, len);
		part[len] = '\0';
		p += len;
		last = *p == '\0';
		if (last) {
			json_object_del(obj, part);
			return;
		}
		if (len)
			obj = json_object_get(obj, part);
		if (*p == '[') {
			char *end;
			size_t i = strtoul(p + 1, &end, 10);
			if (*end != ']')
				return;
			obj = json_array_get(obj, i);
			p = end + 1;
		}
		if (*p == '.')
			p++;
	}
}

/* Unknown fields are never stored, as the real server's decoding drops
 * them. With fieldValidation=Strict they are errors, worded as the real
 * server words them: 400 for an object sent whole, 422 with a cause on
 * "patch" for a patch; with Warn (the default) each is named in a Warning
 * header of the reply; with Ignore they go silently. */
static json_t *api_verbs_check_fields(struct api_http_conn *c, const struct api_http_req *req,
				      const struct api_resource *r, json_t *obj)
{
	enum api_verbs_field_validation fv = api_verbs_field_validation(req);
	json_t *unknown, *st = NULL, *cause;
	size_t i;
	char *msg;

	if (!json_is_object(obj))
		return NULL;
	unknown = json_array();
	if (api_openapi_unknown_fields(r->kind, obj, unknown) == 0) {
		json_decref(unknown);
		return NULL;
	}
	if (fv != API_VERBS_FV_STRICT) {
		json_array_foreach(unknown, i, cause) {
			api_verbs_prune_field(obj, json_string_value(json_object_get(cause, "field")) ?: "");
			if (fv == API_VERBS_FV_WARN)
				api_verbs_warn(c, json_string_value(json_object_get(cause, "message")) ?: "");
		}
	} else if ((msg = api_openapi_strict_error(unknown))) {
		if (strcmp(req->method, "PATCH") == 0) {
			json_t *causes = json_array();
			api_status_cause(causes, "FieldValueInvalid", "patch", "Invalid value: "
					 "\"%.*s\": %s", (int)(req->body_len > 200 ? 200 : req->body_len),
					 req->body, msg);
			st = api_status_invalid(r, api_json_meta(obj, "name"), causes);
		} else {
			st = api_status_new(400, "BadRequest", NULL, "%s in version \"%s\" cannot be "
					    "handled as a %s: %s", r->kind, r->version, r->kind, msg);
		}
		free(msg);
	}
	json_decref(unknown);
	return st;
}

/* The namespace must exist and not be going away for a create in it. */
static json_t *api_verbs_check_namespace(struct api_server *s, const char *ns)
{
	json_t *nso = api_objects_get(s->objects, api_verbs_ns_res(), "", ns);

	if (!nso)
		return api_status_new(404, "NotFound", api_status_details(api_verbs_ns_res(), ns),
				      "namespaces \"%s\" not found", ns);
	if (api_json_meta(nso, "deletionTimestamp")[0])
		return api_status_new(403, "Forbidden", NULL, "%s: unable to create new content "
				      "in namespace %s because it is being terminated", ns, ns);
	return NULL;
}

/* A client may name the namespace in the object too; it must agree. */
json_t *api_verbs_check_body_ns(const struct api_route *rt, const json_t *obj)
{
	const char *bns = api_json_meta(obj, "namespace");

	if (rt->res->namespaced && bns[0] && strcmp(bns, rt->ns) != 0)
		return api_status_new(400, "BadRequest", NULL, "the namespace of the provided "
				      "object does not match the namespace sent on the request");
	return NULL;
}

json_t *api_verbs_check_kind(const struct api_route *rt, const json_t *obj)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const char *apiv = json_string_value(json_object_get(obj, "apiVersion"));
	char want[64];

	api_resource_api_version(rt->res, want, sizeof(want));
	if (kind && strcmp(kind, rt->res->kind) != 0)
		return api_status_new(400, "BadRequest", NULL, "the kind in the data (%s) does "
				      "not match the expected kind (%s)", kind, rt->res->kind);
	if (apiv && strcmp(apiv, want) != 0)
		return api_status_new(400, "BadRequest", NULL, "the API version in the data (%s) "
				      "does not match the expected API version (%s)", apiv, want);
	return NULL;
}

/* Stores obj (stolen) unless dry run, and replies with it. */
static void api_verbs_store_reply(struct api_server *s, struct api_http_conn *c,
				  const struct api_http_req *req, const struct api_resource *r,
				  json_t *obj, int code)
{
	char err[256];

	if (api_verbs_dry_run(req)) {
		api_reply_object(c, req, code, r, obj);
		json_decref(obj);
		return;
	}
	json_incref(obj);
	if (api_objects_put(s->objects, r, obj, err, sizeof(err)) < 0) {
		json_decref(obj);
		api_reply_status(c, api_status_new(500, "InternalError", NULL, "%s", err));
		return;
	}
	api_reply_object(c, req, code, r, obj);
	/* Only an object with owners can be garbage the moment it is stored
	 * (its owner may be gone already); deletions poke the collector
	 * themselves. */
	if (json_array_size(json_object_get(json_object_get(obj, "metadata"), "ownerReferences")))
		api_gc_poke(s);
	json_decref(obj);
}

void api_verbs_create(struct api_server *s, struct api_http_conn *c,
		      const struct api_http_req *req, const struct api_route *rt, json_t *obj)
{
	json_t *st;
	const char *name;

	if ((st = api_verbs_check_kind(rt, obj)) || (st = api_verbs_check_body_ns(rt, obj)) ||
	    (st = api_verbs_check_fields(c, req, rt->res, obj)) ||
	    (rt->res->namespaced && (st = api_verbs_check_namespace(s, rt->ns))) ||
	    (st = api_admit(s, rt->res, API_ADMIT_CREATE, rt->ns, NULL, obj))) {
		json_decref(obj);
		api_reply_status(c, st);
		return;
	}
	name = api_json_meta(obj, "name");
	if (api_objects_get(s->objects, rt->res, rt->ns, name)) {
		api_reply_status(c, api_status_exists(rt->res, name));
		json_decref(obj);
		return;
	}
	api_verbs_store_reply(s, c, req, rt->res, obj, 201);
}

/* Carries the old status over an update of the main resource (status
 * changes only through /status), and only the status over an update of
 * /status. */
static void api_verbs_keep_status(const struct api_route *rt, const json_t *old, json_t *obj)
{
	bool has_status = api_resource_has_sub(rt->res, "status");

	if (rt->sub[0] && strcmp(rt->sub, "status") == 0) {
		json_t *st = json_object_get(obj, "status");
		json_t *copy = json_deep_copy(old);
		if (st)
			json_object_set(copy, "status", st);
		else
			json_object_del(copy, "status");
		/* The caller's obj becomes the old object with the new status. */
		json_object_update(obj, copy);
		json_object_clear(copy);
		json_decref(copy);
		return;
	}
	if (has_status) {
		json_t *ost = json_object_get(old, "status");
		if (ost)
			json_object_set(obj, "status", ost);
		else
			json_object_del(obj, "status");
	}
}

/* Update of an existing object to obj (stolen): preconditions, status
 * rules, admission, store. */
void api_verbs_update(struct api_server *s, struct api_http_conn *c,
		      const struct api_http_req *req, const struct api_route *rt, json_t *old,
		      json_t *obj)
{
	const char *rv = api_json_meta(obj, "resourceVersion");
	json_t *st;

	if (rv[0] && strcmp(rv, api_json_meta(old, "resourceVersion")) != 0) {
		json_decref(obj);
		api_reply_status(c, api_status_conflict(rt->res, rt->name));
		return;
	}
	/* A uid in the object is a precondition: a client (kubelet's status
	 * manager) writes to one incarnation, not to a new object that took
	 * the name. */
	if (api_json_meta(obj, "uid")[0] && strcmp(api_json_meta(obj, "uid"),
						    api_json_meta(old, "uid")) != 0) {
		api_reply_status(c, api_status_new(409, "Conflict", NULL, "Precondition failed: "
						   "UID in precondition: %s, UID in object meta: "
						   "%s", api_json_meta(obj, "uid"),
						   api_json_meta(old, "uid")));
		json_decref(obj);
		return;
	}
	if (strcmp(api_json_meta(obj, "name"), rt->name) != 0) {
		json_decref(obj);
		api_reply_status(c, api_status_new(400, "BadRequest", NULL, "the name of the object "
						   "(%s) does not match the name on the URL (%s)",
						   api_json_meta(obj, "name"), rt->name));
		return;
	}
	if (!rt->sub[0] && (st = api_verbs_check_fields(c, req, rt->res, obj))) {
		json_decref(obj);
		api_reply_status(c, st);
		return;
	}
	api_verbs_keep_status(rt, old, obj);
	st = api_admit(s, rt->res, API_ADMIT_UPDATE, rt->ns, old, obj);
	if (st) {
		json_decref(obj);
		api_reply_status(c, st);
		return;
	}
	/* A no-op update does not bump the version, as the real server (etcd
	 * compare) does not: watchers are not woken for nothing. */
	{
		json_t *a = json_deep_copy(old), *b = json_deep_copy(obj);
		json_object_del(json_object_get(a, "metadata"), "resourceVersion");
		json_object_del(json_object_get(b, "metadata"), "resourceVersion");
		bool same = json_equal(a, b);
		json_decref(a);
		json_decref(b);
		if (same) {
			json_decref(obj);
			api_reply_object(c, req, 200, rt->res, old);
			return;
		}
	}
	api_verbs_store_reply(s, c, req, rt->res, obj, 200);
}

/* A changed Scale becomes the owner's spec.replicas. */

void api_verbs_scale_apply(struct api_server *s, struct api_http_conn *c,
			   const struct api_http_req *req, const struct api_route *rt,
			   json_t *old, json_t *scale)
{
	json_t *replicas = json_object_get(json_object_get(scale, "spec"), "replicas");
	const char *rv = api_json_meta(scale, "resourceVersion");
	json_t *obj, *st, *reply;
	char err[256];

	if (!json_is_integer(replicas) || json_integer_value(replicas) < 0) {
		json_t *causes = json_array();
		api_status_cause(causes, "FieldValueInvalid", "spec.replicas", "Invalid value: "
				 "must be greater than or equal to 0");
		json_decref(scale);
		api_reply_status(c, api_status_invalid(rt->res, rt->name, causes));
		return;
	}
	if (rv[0] && strcmp(rv, api_json_meta(old, "resourceVersion")) != 0) {
		json_decref(scale);
		api_reply_status(c, api_status_conflict(rt->res, rt->name));
		return;
	}
	obj = json_deep_copy(old);
	json_object_set(json_object_get(obj, "spec"), "replicas", replicas);
	json_decref(scale);
	st = api_admit(s, rt->res, API_ADMIT_UPDATE, rt->ns, old, obj);
	if (st) {
		json_decref(obj);
		api_reply_status(c, st);
		return;
	}
	if (!api_verbs_dry_run(req)) {
		json_incref(obj);
		if (api_objects_put(s->objects, rt->res, obj, err, sizeof(err)) < 0) {
			json_decref(obj);
			api_reply_status(c, api_status_new(500, "InternalError", NULL, "%s", err));
			return;
		}
	}
	reply = api_verbs_scale_of(obj);
	api_reply_json(c, 200, reply);
	json_decref(reply);
	json_decref(obj);
}

/* ---- patch --------------------------------------------------------------------- */

/* Server-side apply: a missing object is created from the applied
 * configuration; otherwise it merges into the live one (api_apply). patch
 * is taken. */
static void api_verbs_apply(struct api_server *s, struct api_http_conn *c,
			    const struct api_http_req *req, const struct api_route *rt,
			    json_t *old, json_t *patch)
{
	struct api_route crt = *rt;
	char fm[128], err[512] = "";
	json_t *result;

	if (!httpd_query_get(req->query, "fieldManager", fm, sizeof(fm)) || !fm[0]) {
		/* The options are validated as an object of their own, as
		 * kube-apiserver does: 422 on PatchOptions, not on the kind. */
		json_t *causes = json_array();

		json_decref(patch);
		api_status_cause(causes, "FieldValueRequired", "fieldManager",
				 "Required value: is required for apply patch");
		api_reply_status(c, api_status_new(422, "Invalid",
						   json_pack("{s:s, s:s, s:o}", "group",
							     "meta.k8s.io", "kind", "PatchOptions",
							     "causes", causes),
						   "PatchOptions.meta.k8s.io \"\" is invalid: "
						   "fieldManager: Required value: is required for "
						   "apply patch"));
		return;
	}
	if (!json_is_object(json_object_get(patch, "metadata")) ||
	    strcmp(api_json_meta(patch, "name"), rt->name) != 0) {
		json_decref(patch);
		api_reply_status(c, api_status_new(400, "BadRequest", NULL, "the name of the object "
						   "does not match the name on the URL"));
		return;
	}
	if (!old) {
		crt.name[0] = '\0';
		api_apply_record(patch, NULL, fm);
		api_verbs_create(s, c, req, &crt, patch);
		return;
	}
	result = api_apply_merge(old, patch, rt->res->kind, fm, err, sizeof(err));
	json_decref(patch);
	if (!result) {
		api_reply_status(c, api_status_new(422, "Invalid", NULL, "%s", err));
		return;
	}
	api_verbs_update(s, c, req, rt, old, result);
}

void api_verbs_patch(struct api_server *s, struct api_http_conn *c,
		     const struct api_http_req *req, const struct api_route *rt, json_t *old)
{
	const char *ct = req->content_type;
	bool scale = strcmp(rt->sub, "scale") == 0;
	json_t *st = NULL, *patch, *base, *result = NULL;
	char err[512] = "";

	patch = api_verbs_parse_body(req, &st);
	if (!patch) {
		api_reply_status(c, st);
		return;
	}
	if (strncmp(ct, "application/apply-patch", 23) == 0 && !scale) {
		api_verbs_apply(s, c, req, rt, old, patch);
		return;
	}
	if (!old) {
		json_decref(patch);
		api_reply_status(c, api_status_not_found(rt->res, rt->name));
		return;
	}
	/* A patch of /scale applies to the Scale the client sees. */
	base = scale ? api_verbs_scale_of(old) : json_incref(old);
	if (strncmp(ct, "application/merge-patch+json", 28) == 0)
		result = api_patch_merge(base, patch);
	else if (strncmp(ct, "application/json-patch+json", 27) == 0)
		result = api_patch_json(base, patch, err, sizeof(err));
	else if (strncmp(ct, "application/strategic-merge-patch+json", 38) == 0)
		result = api_patch_strategic(base, patch, scale ? "Scale" : rt->res->kind, err,
					     sizeof(err));
	else
		st = api_status_new(415, "UnsupportedMediaType", NULL, "the body of the request "
				    "was in an unknown format - accepted media types include: "
				    "application/json-patch+json, application/merge-patch+json, "
				    "application/strategic-merge-patch+json, "
				    "application/apply-patch+yaml");
	json_decref(base);
	json_decref(patch);
	if (st) {
		api_reply_status(c, st);
		return;
	}
	if (!result) {
		api_reply_status(c, api_status_new(422, "Invalid", NULL, "%s",
						   err[0] ? err : "the patch could not be applied"));
		return;
	}
	if (scale)
		api_verbs_scale_apply(s, c, req, rt, old, result);
	else
		api_verbs_update(s, c, req, rt, old, result);   /* its resourceVersion is a precondition */
}

/* ---- delete -------------------------------------------------------------------- */

json_t *api_verbs_delete_object(struct api_server *s, const struct api_resource *r, const char *ns,
				const char *name, int64_t grace_s, json_t **result)
{
	json_t *obj = api_objects_get(s->objects, r, ns, name), *copy;
	char err[256], now[32];
	const char *kind = r->kind;

	*result = NULL;
	if (!obj)
		return api_status_not_found(r, name);
	api_now_rfc3339(now);
	/* A pod on a node ends gracefully: it is marked, its kubelet stops
	 * it and then deletes it for good (grace 0). */
	if (strcmp(kind, "Pod") == 0) {
		const char *node = json_string_value(json_object_get(json_object_get(obj, "spec"),
								     "nodeName"));
		if (grace_s < 0)
			grace_s = json_integer_value(json_object_get(json_object_get(obj, "spec"),
								     "terminationGracePeriodSeconds"));
		if (node && node[0] && grace_s > 0) {
			if (api_json_meta(obj, "deletionTimestamp")[0]) {
				*result = json_incref(obj);
				return NULL;
			}
			copy = json_deep_copy(obj);
			json_object_set_new(json_object_get(copy, "metadata"), "deletionTimestamp",
					    json_string(now));
			json_object_set_new(json_object_get(copy, "metadata"),
					    "deletionGracePeriodSeconds", json_integer(grace_s));
			*result = json_incref(copy);
			if (api_objects_put(s->objects, r, copy, err, sizeof(err)) < 0) {
				json_decref(*result);
				*result = NULL;
				return api_status_new(500, "InternalError", NULL, "%s", err);
			}
			return NULL;
		}
	}
	/* A namespace goes Terminating and takes its objects with it; api_gc
	 * removes it once it is empty. */
	if (strcmp(kind, "Namespace") == 0) {
		if (!api_json_meta(obj, "deletionTimestamp")[0]) {
			copy = json_deep_copy(obj);
			json_object_set_new(json_object_get(copy, "metadata"), "deletionTimestamp",
					    json_string(now));
			json_object_set_new(json_object_get(copy, "metadata"),
					    "deletionGracePeriodSeconds", json_integer(0));
			json_object_set_new(json_object_get(copy, "status"), "phase",
					    json_string("Terminating"));
			if (api_objects_put(s->objects, r, copy, err, sizeof(err)) < 0)
				return api_status_new(500, "InternalError", NULL, "%s", err);
			obj = copy;
		}
		*result = json_incref(obj);
		api_gc_poke(s);
		return NULL;
	}
	*result = json_deep_copy(obj);
	api_objects_remove(s->objects, r, ns, name);
	api_gc_poke(s);
	return NULL;
}

void api_verbs_delete(struct api_server *s, struct api_http_conn *c,
		      const struct api_http_req *req, const struct api_route *rt)
{
	int64_t grace = -1;
	char q[32];
	json_t *opts = NULL, *result = NULL, *st, *obj;

	if (req->body_len) {
		json_error_t jerr;
		opts = json_loadb(req->body, req->body_len, 0, &jerr);
		if (!json_is_object(opts)) {
			json_decref(opts);
			api_reply_status(c, api_status_new(400, "BadRequest", NULL, "DeleteOptions: "
							   "%s", jerr.text));
			return;
		}
	}
	if (json_is_integer(json_object_get(opts, "gracePeriodSeconds")))
		grace = json_integer_value(json_object_get(opts, "gracePeriodSeconds"));
	if (httpd_query_get(req->query, "gracePeriodSeconds", q, sizeof(q)))
		grace = strtoll(q, NULL, 10);
	obj = api_objects_get(s->objects, rt->res, rt->ns, rt->name);
	if (obj && json_is_object(json_object_get(opts, "preconditions"))) {
		json_t *pre = json_object_get(opts, "preconditions");
		const char *uid = json_string_value(json_object_get(pre, "uid"));
		const char *rv = json_string_value(json_object_get(pre, "resourceVersion"));
		if ((uid && strcmp(uid, api_json_meta(obj, "uid"))) ||
		    (rv && strcmp(rv, api_json_meta(obj, "resourceVersion")))) {
			json_decref(opts);
			api_reply_status(c, api_status_conflict(rt->res, rt->name));
			return;
		}
	}
	json_decref(opts);
	if (obj && api_verbs_dry_run(req)) {
		api_reply_object(c, req, 200, rt->res, obj);
		return;
	}
	st = api_verbs_delete_object(s, rt->res, rt->ns, rt->name, grace, &result);
	if (st) {
		api_reply_status(c, st);
		return;
	}
	api_reply_object(c, req, 200, rt->res, result);
	json_decref(result);
}

/* ---- binding ------------------------------------------------------------------ */

/* POST pods/NAME/binding: the scheduler's decision. The pod gets the
 * Binding's target as spec.nodeName, once (a bound pod answers 409), the
 * Binding's annotations, and PodScheduled=True, as the real server's
 * binding storage does. */
void api_verbs_bind(struct api_server *s, struct api_http_conn *c,
		    const struct api_http_req *req, const struct api_route *rt, const json_t *old)
{
	json_t *b, *st, *pod, *spec, *md, *ann, *conds, *cond, *v;
	const char *node, *held, *key;
	char now[32], err[256];
	size_t i;

	b = api_verbs_parse_body(req, &st);
	if (!b) {
		api_reply_status(c, st);
		return;
	}
	node = json_string_value(json_object_get(json_object_get(b, "target"), "name"));
	if (!node || !node[0]) {
		json_decref(b);
		api_reply_status(c, api_status_new(422, "Invalid", NULL, "Binding \"%s\" is "
						   "invalid: target.name: Required value",
						   rt->name));
		return;
	}
	held = json_string_value(json_object_get(json_object_get(old, "spec"), "nodeName"));
	if (held && held[0]) {
		api_reply_status(c, api_status_new(409, "Conflict", NULL, "Operation cannot be "
						   "fulfilled on pods/binding \"%s\": pod %s is "
						   "already assigned to node \"%s\"", rt->name,
						   rt->name, held));
		json_decref(b);
		return;
	}
	if (api_json_meta(old, "deletionTimestamp")[0]) {
		api_reply_status(c, api_status_new(409, "Conflict", NULL, "Operation cannot be "
						   "fulfilled on pods/binding \"%s\": pod %s is "
						   "being deleted, cannot be assigned to a host",
						   rt->name, rt->name));
		json_decref(b);
		return;
	}
	pod = json_deep_copy(old);
	spec = json_object_get(pod, "spec");
	md = json_object_get(pod, "metadata");
	json_object_set_new(spec, "nodeName", json_string(node));
	json_object_foreach(json_object_get(json_object_get(b, "metadata"), "annotations"), key, v) {
		ann = json_object_get(md, "annotations");
		if (!json_is_object(ann)) {
			ann = json_object();
			json_object_set_new(md, "annotations", ann);
		}
		json_object_set(ann, key, v);
	}
	json_decref(b);
	if (!json_is_object(json_object_get(pod, "status")))
		json_object_set_new(pod, "status", json_object());
	conds = json_array();
	json_array_foreach(json_object_get(json_object_get(pod, "status"), "conditions"), i, cond)
		if (strcmp(json_string_value(json_object_get(cond, "type")) ?: "", "PodScheduled"))
			json_array_append(conds, cond);
	api_now_rfc3339(now);
	json_array_append_new(conds, json_pack("{s:s, s:s, s:n, s:s}", "type", "PodScheduled",
					       "status", "True", "lastProbeTime",
					       "lastTransitionTime", now));
	json_object_set_new(json_object_get(pod, "status"), "conditions", conds);
	if (api_objects_put(s->objects, rt->res, pod, err, sizeof(err)) < 0) {
		json_decref(pod);
		api_reply_status(c, api_status_new(500, "InternalError", NULL, "%s", err));
		return;
	}
	st = json_pack("{s:s, s:s, s:{}, s:s, s:i}", "kind", "Status", "apiVersion", "v1",
		       "metadata", "status", "Success", "code", 201);
	api_reply_json(c, 201, st);
	json_decref(st);
}
