/* api_handlers.c — the REST verbs of the Kubernetes API (see api_server.h).
 *
 * URLs: /api/v1/<resource>[/<name>[/<sub>]] for cluster-scoped resources
 * and all-namespace lists, /api/v1/namespaces/<ns>/<resource>[/<name>[/
 * <sub>]] for namespaced ones, and the same under /apis/<group>/<version>.
 * Every reply is JSON: the object, a List, a Table when the client asks
 * for one (kubectl get does), or a Status for errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libfyaml.h>

#include "api_json.h"
#include "api_discovery.h"
#include "api_patch.h"
#include "api_proto.h"
#include "api_select.h"
#include "api_server.h"
#include "api_table.h"
#include "buf.h"
#include "hash.h"
#include "log.h"

#define API_JSON "application/json"

/* A request's target, split. */
struct api_route {
	const struct api_resource *res;
	char ns[254];                 /* "" for cluster-scoped or all namespaces */
	char name[254];               /* "" for a collection */
	char sub[32];                 /* "status", "scale", "log", "exec" or "" */
};

/* ---- replies ---------------------------------------------------------------- */

static void api_reply_json(struct api_http_conn *c, int code, const json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);

	if (!text) {
		api_http_respond(c, 500, API_JSON, NULL, "{}", 2);
		return;
	}
	api_http_respond(c, code, API_JSON, NULL, text, strlen(text));
	free(text);
}

/* Replies with a Status (stolen) and its code. */
static void api_reply_status(struct api_http_conn *c, json_t *status)
{
	int code = api_status_code(status);

	api_reply_json(c, code ? code : 500, status);
	json_decref(status);
}

static bool api_wants_table(const struct api_http_req *req)
{
	/* "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;
	 * as=Table;v=v1beta1;..." — the first offer that we serve wins; a
	 * Table offer anywhere means the client prints columns. */
	return strstr(req->accept, "as=Table") != NULL;
}

static void api_reply_object(struct api_http_conn *c, const struct api_http_req *req, int code,
			     const struct api_resource *r, json_t *obj)
{
	if (api_wants_table(req)) {
		char inc[32];
		json_t *one = json_pack("[O]", obj), *lm = json_pack("{s:O?}", "resourceVersion",
			json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
		json_t *t = api_table_build(r, one, lm,
			httpd_query_get(req->query, "includeObject", inc, sizeof(inc)) ?
			inc : "Metadata", (int64_t)time(NULL));
		api_reply_json(c, code, t);
		json_decref(t);
		json_decref(one);
		json_decref(lm);
		return;
	}
	api_reply_json(c, code, obj);
}

/* ---- bodies ------------------------------------------------------------------ */

/* JSON, or YAML for the content types that carry it (apply-patch+yaml,
 * application/yaml): libfyaml turns YAML into JSON text first. */
/* The media types of request bodies the server reads; a body of any other
 * type gets 415, as from the real server. No Content-Type at all is read
 * as JSON. */
static bool api_media_type_known(const char *ct)
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

static json_t *api_parse_body(const struct api_http_req *req, json_t **status)
{
	json_error_t jerr;
	json_t *v;

	if (!api_media_type_known(req->content_type)) {
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

/* ---- routing ----------------------------------------------------------------- */

static int api_split(const char *path, char seg[][254], int max)
{
	int n = 0;
	const char *p = path;

	while (*p == '/')
		p++;
	while (*p && n < max) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len >= 254)
			return -1;
		memcpy(seg[n], p, len);
		seg[n][len] = '\0';
		n++;
		p += len;
		while (*p == '/')
			p++;
	}
	return *p ? -1 : n;
}

/* Fills route from a resource URL. 0, or -1 when it names nothing we
 * serve (404). */
static int api_route_parse(const char *path, struct api_route *rt)
{
	char seg[8][254];
	int n = api_split(path, seg, 8), i;
	const char *group, *version;

	memset(rt, 0, sizeof(*rt));
	if (n < 3)
		return -1;
	if (strcmp(seg[0], "api") == 0) {
		group = "";
		version = seg[1];
		i = 2;
	} else if (strcmp(seg[0], "apis") == 0 && n >= 4) {
		group = seg[1];
		version = seg[2];
		i = 3;
	} else {
		return -1;
	}
	/* namespaces/<ns>/<resource>...: a namespaced resource; otherwise
	 * <resource>[/<name>[/<sub>]], namespaces themselves included. */
	if (strcmp(seg[i], "namespaces") == 0 && n - i >= 3) {
		const struct api_resource *r = api_registry_find(group, version, seg[i + 2]);
		if (r && r->namespaced) {
			snprintf(rt->ns, sizeof(rt->ns), "%s", seg[i + 1]);
			i += 2;
		}
	}
	rt->res = api_registry_find(group, version, seg[i]);
	if (!rt->res)
		return -1;
	if (n - i > 3)
		return -1;
	if (n - i >= 2)
		snprintf(rt->name, sizeof(rt->name), "%s", seg[i + 1]);
	if (n - i == 3) {
		if (snprintf(rt->sub, sizeof(rt->sub), "%s", seg[i + 2]) >= (int)sizeof(rt->sub) ||
		    !api_resource_has_sub(rt->res, rt->sub))
			return -1;
	}
	return 0;
}

/* ---- objects ----------------------------------------------------------------- */

static bool api_query_true(const struct api_http_req *req, const char *key)
{
	char v[16];

	/* Go's strconv.ParseBool, as the real server parses it: Python's
	 * client sends "True". */
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };

	if (!httpd_query_get(req->query, key, v, sizeof(v)))
		return false;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcmp(v, yes[i]) == 0)
			return true;
	return false;
}

static bool api_dry_run(const struct api_http_req *req)
{
	char v[16];

	return httpd_query_get(req->query, "dryRun", v, sizeof(v)) && strcmp(v, "All") == 0;
}

enum api_field_validation { API_FV_IGNORE, API_FV_WARN, API_FV_STRICT };

/* The request's fieldValidation; Warn, the real server's default, when
 * absent. */
static enum api_field_validation api_field_validation(const struct api_http_req *req)
{
	char v[16];

	if (!httpd_query_get(req->query, "fieldValidation", v, sizeof(v)))
		return API_FV_WARN;
	return strcmp(v, "Strict") == 0 ? API_FV_STRICT :
	       strcmp(v, "Ignore") == 0 ? API_FV_IGNORE : API_FV_WARN;
}

/* A Warning header (RFC 7234 5.5) as kube-apiserver sends one: code 299,
 * no agent ("-"), the text quoted with '"' and '\' escaped. kubectl prints
 * "Warning: <text>". */
static void api_warn(struct api_http_conn *c, const char *text)
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

static const struct api_resource *api_ns_res(void)
{
	return api_registry_find("", "v1", "namespaces");
}

/* Removes the field at a path as api_openapi_unknown_fields() names it
 * ("spec.template.spec.containers[0].bogus"). */
static void api_prune_field(json_t *obj, const char *path)
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
static json_t *api_check_fields(struct api_http_conn *c, const struct api_http_req *req,
				const struct api_resource *r, json_t *obj)
{
	enum api_field_validation fv = api_field_validation(req);
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
	if (fv != API_FV_STRICT) {
		json_array_foreach(unknown, i, cause) {
			api_prune_field(obj, json_string_value(json_object_get(cause, "field")) ?: "");
			if (fv == API_FV_WARN)
				api_warn(c, json_string_value(json_object_get(cause, "message")) ?: "");
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
static json_t *api_check_namespace(struct api_server *s, const char *ns)
{
	json_t *nso = api_objects_get(s->objects, api_ns_res(), "", ns);

	if (!nso)
		return api_status_new(404, "NotFound", api_status_details(api_ns_res(), ns),
				      "namespaces \"%s\" not found", ns);
	if (api_json_meta(nso, "deletionTimestamp")[0])
		return api_status_new(403, "Forbidden", NULL, "%s: unable to create new content "
				      "in namespace %s because it is being terminated", ns, ns);
	return NULL;
}

/* A client may name the namespace in the object too; it must agree. */
static json_t *api_check_body_ns(const struct api_route *rt, const json_t *obj)
{
	const char *bns = api_json_meta(obj, "namespace");

	if (rt->res->namespaced && bns[0] && strcmp(bns, rt->ns) != 0)
		return api_status_new(400, "BadRequest", NULL, "the namespace of the provided "
				      "object does not match the namespace sent on the request");
	return NULL;
}

static json_t *api_check_kind(const struct api_route *rt, const json_t *obj)
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
static void api_store_reply(struct api_server *s, struct api_http_conn *c,
			    const struct api_http_req *req, const struct api_resource *r,
			    json_t *obj, int code)
{
	char err[256];

	if (api_dry_run(req)) {
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

static void api_create(struct api_server *s, struct api_http_conn *c,
		       const struct api_http_req *req, const struct api_route *rt, json_t *obj)
{
	json_t *st;
	const char *name;

	if ((st = api_check_kind(rt, obj)) || (st = api_check_body_ns(rt, obj)) ||
	    (st = api_check_fields(c, req, rt->res, obj)) ||
	    (rt->res->namespaced && (st = api_check_namespace(s, rt->ns))) ||
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
	api_store_reply(s, c, req, rt->res, obj, 201);
}

/* Carries the old status over an update of the main resource (status
 * changes only through /status), and only the status over an update of
 * /status. */
static void api_keep_status(const struct api_route *rt, const json_t *old, json_t *obj)
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
static void api_update(struct api_server *s, struct api_http_conn *c,
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
	if (!rt->sub[0] && (st = api_check_fields(c, req, rt->res, obj))) {
		json_decref(obj);
		api_reply_status(c, st);
		return;
	}
	api_keep_status(rt, old, obj);
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
	api_store_reply(s, c, req, rt->res, obj, 200);
}

/* ---- scale --------------------------------------------------------------------- */

static json_t *api_scale_of(const json_t *obj)
{
	const json_t *meta = json_object_get(obj, "metadata");
	const json_t *spec = json_object_get(obj, "spec"), *st = json_object_get(obj, "status");
	char *sel = api_select_from_object(json_object_get(spec, "selector"), NULL, 0);
	json_t *scale = json_pack("{s:s, s:s, s:{s:O?, s:O?, s:O?, s:O?, s:O?}, s:{s:O?}, "
				  "s:{s:I, s:s}}",
				  "kind", "Scale", "apiVersion", "autoscaling/v1", "metadata",
				  "name", json_object_get(meta, "name"),
				  "namespace", json_object_get(meta, "namespace"),
				  "uid", json_object_get(meta, "uid"),
				  "resourceVersion", json_object_get(meta, "resourceVersion"),
				  "creationTimestamp", json_object_get(meta, "creationTimestamp"),
				  "spec", "replicas", json_object_get(spec, "replicas"),
				  "status", "replicas",
				  (json_int_t)json_integer_value(json_object_get(st, "replicas")),
				  "selector", sel ? sel : "");
	free(sel);
	return scale;
}

/* A changed Scale becomes the owner's spec.replicas. */
static void api_scale_apply(struct api_server *s, struct api_http_conn *c,
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
	if (!api_dry_run(req)) {
		json_incref(obj);
		if (api_objects_put(s->objects, rt->res, obj, err, sizeof(err)) < 0) {
			json_decref(obj);
			api_reply_status(c, api_status_new(500, "InternalError", NULL, "%s", err));
			return;
		}
	}
	reply = api_scale_of(obj);
	api_reply_json(c, 200, reply);
	json_decref(reply);
	json_decref(obj);
}

/* ---- patch --------------------------------------------------------------------- */

/* Server-side apply: a missing object is created from the applied
 * configuration; otherwise it merges into the live one (api_apply). patch
 * is taken. */
static void api_patch_apply(struct api_server *s, struct api_http_conn *c,
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
		api_create(s, c, req, &crt, patch);
		return;
	}
	result = api_apply_merge(old, patch, rt->res->kind, fm, err, sizeof(err));
	json_decref(patch);
	if (!result) {
		api_reply_status(c, api_status_new(422, "Invalid", NULL, "%s", err));
		return;
	}
	api_update(s, c, req, rt, old, result);
}

static void api_patch(struct api_server *s, struct api_http_conn *c,
		      const struct api_http_req *req, const struct api_route *rt, json_t *old)
{
	const char *ct = req->content_type;
	bool scale = strcmp(rt->sub, "scale") == 0;
	json_t *st = NULL, *patch, *base, *result = NULL;
	char err[512] = "";

	patch = api_parse_body(req, &st);
	if (!patch) {
		api_reply_status(c, st);
		return;
	}
	if (strncmp(ct, "application/apply-patch", 23) == 0 && !scale) {
		api_patch_apply(s, c, req, rt, old, patch);
		return;
	}
	if (!old) {
		json_decref(patch);
		api_reply_status(c, api_status_not_found(rt->res, rt->name));
		return;
	}
	/* A patch of /scale applies to the Scale the client sees. */
	base = scale ? api_scale_of(old) : json_incref(old);
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
		api_scale_apply(s, c, req, rt, old, result);
	else
		api_update(s, c, req, rt, old, result);   /* its resourceVersion is a precondition */
}

/* ---- delete -------------------------------------------------------------------- */

json_t *api_delete_object(struct api_server *s, const struct api_resource *r, const char *ns,
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

static void api_delete(struct api_server *s, struct api_http_conn *c,
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
	if (obj && api_dry_run(req)) {
		api_reply_object(c, req, 200, rt->res, obj);
		return;
	}
	st = api_delete_object(s, rt->res, rt->ns, rt->name, grace, &result);
	if (st) {
		api_reply_status(c, st);
		return;
	}
	api_reply_object(c, req, 200, rt->res, result);
	json_decref(result);
}

/* ---- get and list ------------------------------------------------------------- */

/* Orders "namespace/name" keys as lists are ordered: by namespace, then
 * by name. */
static int api_list_key_cmp(const char *a, const char *b)
{
	size_t na = strcspn(a, "/"), nb = strcspn(b, "/");
	int c = strncmp(a, b, na < nb ? na : nb);

	if (c == 0 && na != nb)
		c = na < nb ? -1 : 1;
	return c ? c : strcmp(a + na, b + nb);
}

static void api_list(struct api_server *s, struct api_http_conn *c,
		     const struct api_http_req *req, const struct api_route *rt)
{
	char q[4096], rvtext[24], apiv[64], kind[80], err[512], after[520];
	struct api_selector *ls = NULL, *fs = NULL;
	json_t *all, *items, *obj, *lm, *reply;
	size_t i, limit = 0;

	if (httpd_query_get(req->query, "labelSelector", q, sizeof(q))) {
		ls = api_select_labels(q, err, sizeof(err));
		if (!ls) {
			api_reply_status(c, api_status_new(400, "BadRequest", NULL, "%s", err));
			return;
		}
	}
	if (httpd_query_get(req->query, "fieldSelector", q, sizeof(q))) {
		fs = api_select_fields(q, rt->res->kind, err, sizeof(err));
		if (!fs) {
			api_select_free(ls);
			api_reply_status(c, api_status_new(400, "BadRequest", NULL, "%s", err));
			return;
		}
	}
	if (api_query_true(req, "watch")) {
		char rv[32] = "", to[16];
		int timeout = 0;
		if (httpd_query_get(req->query, "timeoutSeconds", to, sizeof(to)))
			timeout = atoi(to);
		httpd_query_get(req->query, "resourceVersion", rv, sizeof(rv));
		api_watch_serve(s, c, rt->res, rt->ns[0] ? rt->ns : NULL, rv, ls, fs, timeout,
				api_query_true(req, "allowWatchBookmarks"), api_wants_table(req));
		return;
	}
	if (httpd_query_get(req->query, "limit", q, sizeof(q)))
		limit = strtoul(q, NULL, 10);
	/* The continue token names the last object of the previous page
	 * ("namespace/name"): the next page starts after it in list order, so
	 * objects deleted or added meanwhile move nothing else. */
	if (!httpd_query_get(req->query, "continue", after, sizeof(after)))
		after[0] = '\0';
	if (after[0] && !strchr(after, '/')) {
		api_select_free(ls);
		api_select_free(fs);
		api_reply_status(c, api_status_new(400, "BadRequest", NULL, "continue key is not "
						   "valid: %s", after));
		return;
	}
	snprintf(rvtext, sizeof(rvtext), "%" PRIu64, api_objects_rv(s->objects));
	all = api_objects_list(s->objects, rt->res, rt->ns[0] ? rt->ns : NULL);
	items = json_array();
	lm = json_pack("{s:s}", "resourceVersion", rvtext);
	json_array_foreach(all, i, obj) {
		char key[520];

		if (!api_select_match(ls, obj) || !api_select_match(fs, obj))
			continue;
		snprintf(key, sizeof(key), "%s/%s", api_json_meta(obj, "namespace"),
			 api_json_meta(obj, "name"));
		if (after[0] && api_list_key_cmp(key, after) <= 0)
			continue;
		if (limit && json_array_size(items) == limit) {
			const json_t *last = json_array_get(items, limit - 1);
			char tok[520];
			snprintf(tok, sizeof(tok), "%s/%s", api_json_meta(last, "namespace"),
				 api_json_meta(last, "name"));
			json_object_set_new(lm, "continue", json_string(tok));
			break;
		}
		json_array_append(items, obj);
	}
	api_select_free(ls);
	api_select_free(fs);
	if (api_wants_table(req)) {
		char inc[32];
		reply = api_table_build(rt->res, items, lm,
			httpd_query_get(req->query, "includeObject", inc, sizeof(inc)) ?
			inc : "Metadata", (int64_t)time(NULL));
	} else {
		snprintf(kind, sizeof(kind), "%sList", rt->res->kind);
		reply = json_pack("{s:s, s:s, s:O, s:O}", "kind", kind, "apiVersion",
				  api_resource_api_version(rt->res, apiv, sizeof(apiv)), "metadata",
				  lm, "items", items);
	}
	api_reply_json(c, 200, reply);
	json_decref(reply);
	json_decref(items);
	json_decref(all);
	json_decref(lm);
}

/* ---- the dispatcher --------------------------------------------------------------- */

/* POST pods/NAME/binding: the scheduler's decision. The pod gets the
 * Binding's target as spec.nodeName, once (a bound pod answers 409), the
 * Binding's annotations, and PodScheduled=True, as the real server's
 * binding storage does. */
static void api_bind(struct api_server *s, struct api_http_conn *c,
		     const struct api_http_req *req, const struct api_route *rt, const json_t *old)
{
	json_t *b, *st, *pod, *spec, *md, *ann, *conds, *cond, *v;
	const char *node, *held, *key;
	char now[32], err[256];
	size_t i;

	b = api_parse_body(req, &st);
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

static void api_resource_request(struct api_server *s, struct api_http_conn *c,
				 const struct api_http_req *req)
{
	struct api_route rt;
	json_t *obj = NULL, *st = NULL, *old;
	const char *m = req->method;

	if (api_route_parse(req->path, &rt) < 0) {
		api_reply_status(c, api_status_new(404, "NotFound", NULL, "the server could not "
						   "find the requested resource"));
		return;
	}
	old = rt.name[0] ? api_objects_get(s->objects, rt.res, rt.ns, rt.name) : NULL;
	if (old)
		json_incref(old);

	if (!rt.name[0]) {
		if (strcmp(m, "GET") == 0) {
			api_list(s, c, req, &rt);
		} else if (strcmp(m, "POST") == 0 && (!rt.res->namespaced || rt.ns[0])) {
			obj = api_parse_body(req, &st);
			if (obj)
				api_create(s, c, req, &rt, obj);
			else
				api_reply_status(c, st);
		} else {
			api_reply_status(c, api_status_new(405, "MethodNotAllowed", NULL, "the server "
							   "does not allow this method on the "
							   "requested resource"));
		}
		goto out;
	}
	if (strcmp(rt.sub, "log") == 0 && strcmp(m, "GET") == 0) {
		if (old)
			api_log_serve(s, c, req, old);
		else
			api_reply_status(c, api_status_not_found(rt.res, rt.name));
		goto out;
	}
	if (strcmp(rt.sub, "exec") == 0) {
		if (old)
			api_exec_serve(s, c, req, old);
		else
			api_reply_status(c, api_status_not_found(rt.res, rt.name));
		goto out;
	}
	if (strcmp(rt.sub, "binding") == 0) {
		if (!old)
			api_reply_status(c, api_status_not_found(rt.res, rt.name));
		else if (strcmp(m, "POST") != 0)
			api_reply_status(c, api_status_new(405, "MethodNotAllowed", NULL, "the "
							   "server does not allow this method on "
							   "the requested resource"));
		else
			api_bind(s, c, req, &rt, old);
		goto out;
	}
	if (strcmp(m, "PATCH") == 0) {
		api_patch(s, c, req, &rt, old);
		goto out;
	}
	if (!old) {
		api_reply_status(c, api_status_not_found(rt.res, rt.name));
		goto out;
	}
	if (strcmp(m, "GET") == 0) {
		if (strcmp(rt.sub, "scale") == 0) {
			json_t *scale = api_scale_of(old);
			api_reply_json(c, 200, scale);
			json_decref(scale);
		} else {
			api_reply_object(c, req, 200, rt.res, old);
		}
	} else if (strcmp(m, "PUT") == 0) {
		obj = api_parse_body(req, &st);
		if (!obj)
			api_reply_status(c, st);
		else if (strcmp(rt.sub, "scale") == 0)
			api_scale_apply(s, c, req, &rt, old, obj);
		else if ((st = api_check_kind(&rt, obj)) || (st = api_check_body_ns(&rt, obj))) {
			json_decref(obj);
			api_reply_status(c, st);
		} else
			api_update(s, c, req, &rt, old, obj);
	} else if (strcmp(m, "DELETE") == 0 && !rt.sub[0]) {
		api_delete(s, c, req, &rt);
	} else {
		api_reply_status(c, api_status_new(405, "MethodNotAllowed", NULL, "the server does "
						   "not allow this method on the requested "
						   "resource"));
	}
out:
	json_decref(old);
}

static void api_reply_doc(struct api_http_conn *c, json_t *doc, const char *content_type)
{
	char *text;

	if (!doc) {
		api_reply_status(c, api_status_new(404, "NotFound", NULL, "the server could not "
						   "find the requested resource"));
		return;
	}
	text = json_dumps(doc, JSON_COMPACT);
	api_http_respond(c, 200, content_type, NULL, text ? text : "{}", text ? strlen(text) : 2);
	free(text);
	json_decref(doc);
}

/* /api and /apis: aggregated discovery when the client offers it (v2 or
 * v2beta1, in the order it lists them), the legacy documents otherwise. */
static void api_discovery_root(struct api_http_conn *c, const struct api_http_req *req, bool core)
{
	const char *v2 = strstr(req->accept, "g=apidiscovery.k8s.io;v=v2;");
	const char *v2b = strstr(req->accept, "g=apidiscovery.k8s.io;v=v2beta1;");
	const char *ver = NULL;
	char ct[128];

	if (v2 && (!v2b || v2 < v2b))
		ver = "v2";
	else if (v2b)
		ver = "v2beta1";
	if (ver) {
		snprintf(ct, sizeof(ct), "application/json;g=apidiscovery.k8s.io;v=%s;"
			 "as=APIGroupDiscoveryList", ver);
		api_reply_doc(c, api_discovery_aggregated(core, ver), ct);
		return;
	}
	api_reply_doc(c, core ? api_discovery_api_versions() : api_discovery_group_list(),
		      API_JSON);
}

/* ---- OpenAPI documents ------------------------------------------------------- */

/* One OpenAPI document as served. The documents depend only on the served
 * kinds, fixed at build time, so each is made on its first request and
 * kept until the server stops (made per request, /openapi/v2 took 13-37 ms
 * and the v3 root 9 ms, for every kubectl command that validates). */
struct api_doc {
	struct api_doc *next;
	char key[576];                /* the path, or "/openapi/v2 <content type>" */
	char *body;
	size_t len;
	char etag[24];                /* "\"<16 hex digits>\"" */
};

void api_docs_free(struct api_server *s)
{
	while (s->docs) {
		struct api_doc *d = s->docs;
		s->docs = d->next;
		free(d->body);
		free(d);
	}
}

/* FNV-1a of the body: the same hash api_openapi_v3_root() puts in the v3
 * documents' URLs, since those are serialised with sorted keys. */
static uint64_t api_doc_hash(const char *p, size_t len)
{
	return hash_fnv1a64(HASH_FNV1A64_INIT, p, len);
}

static const struct api_doc *api_doc_find(const struct api_server *s, const char *key)
{
	for (const struct api_doc *d = s->docs; d; d = d->next)
		if (strcmp(d->key, key) == 0)
			return d;
	return NULL;
}

/* Keeps body (taken); NULL when out of memory (body is freed). */
static const struct api_doc *api_doc_keep(struct api_server *s, const char *key, char *body,
					  size_t len)
{
	struct api_doc *d = calloc(1, sizeof(*d));

	if (!d || !body) {
		free(d);
		free(body);
		return NULL;
	}
	snprintf(d->key, sizeof(d->key), "%s", key);
	d->body = body;
	d->len = len;
	snprintf(d->etag, sizeof(d->etag), "\"%016" PRIX64 "\"", api_doc_hash(body, len));
	d->next = s->docs;
	s->docs = d;
	return d;
}

/* Whether an If-None-Match list ("\"a\", W/\"b\"" or "*") names etag. */
static bool api_etag_matches(const char *list, const char *etag)
{
	size_t elen = strlen(etag);

	while (*list) {
		size_t n;

		list += strspn(list, " \t,");
		if (strncmp(list, "W/", 2) == 0)
			list += 2;
		n = strcspn(list, " \t,");
		if ((n == 1 && list[0] == '*') || (n == elen && strncmp(list, etag, n) == 0))
			return true;
		list += n;
	}
	return false;
}

/* A kept document with its ETag, or 304 Not Modified for a client that
 * has it, as kube-apiserver's OpenAPI handlers answer. immutable: the
 * request named the document's hash (?hash= of a v3 URL from the root),
 * which a client may cache for good. */
static void api_doc_reply(struct api_http_conn *c, const struct api_http_req *req,
			  const struct api_doc *d, const char *content_type, bool immutable)
{
	char hdrs[128];

	snprintf(hdrs, sizeof(hdrs), "ETag: %s\r\n%s", d->etag,
		 immutable ? "Cache-Control: public, immutable\r\n" : "");
	if (api_etag_matches(req->if_none_match, d->etag))
		api_http_respond(c, 304, NULL, hdrs, NULL, 0);
	else
		api_http_respond(c, 200, content_type, hdrs, d->body, d->len);
}

static void api_reply_oom(struct api_http_conn *c)
{
	api_reply_status(c, api_status_new(500, "InternalError", NULL, "out of memory"));
}

/* /openapi/v2: protobuf for kubectl, JSON for the rest; 406 for a client
 * that takes neither, as the real server answers. */
static void api_openapi_v2_reply(struct api_server *s, struct api_http_conn *c,
				 const struct api_http_req *req)
{
	const char *ct = api_openapi_v2_content_type(req->accept);
	const struct api_doc *d;
	char key[160];

	if (!ct) {
		api_reply_status(c, api_status_new(406, "NotAcceptable", NULL, "only the "
						   "following media types are accepted: "
						   API_OPENAPI_V2_JSON ", " API_OPENAPI_V2_PROTOBUF));
		return;
	}
	snprintf(key, sizeof(key), "/openapi/v2 %s", ct);
	d = api_doc_find(s, key);
	if (!d) {
		json_t *doc = api_openapi_v2();
		char *body = NULL;
		size_t len = 0;

		if (doc && strcmp(ct, API_OPENAPI_V2_PROTOBUF) == 0) {
			body = api_openapi_v2_proto(doc, &len);
		} else if (doc) {
			body = json_dumps(doc, JSON_COMPACT);
			len = body ? strlen(body) : 0;
		}
		json_decref(doc);
		d = api_doc_keep(s, key, body, len);
	}
	if (d)
		api_doc_reply(c, req, d, ct, false);
	else
		api_reply_oom(c);
}

/* /openapi/v3 and /openapi/v3/<api/v1 | apis/G/V>; 404 for a group or
 * version not served (not kept: clients choose those names). */
static void api_openapi_v3_reply(struct api_server *s, struct api_http_conn *c,
				 const struct api_http_req *req, const char *rel)
{
	char seg[4][254], hash[24], key[576];
	int n = rel[0] ? api_split(rel, seg, 4) : 0;
	const struct api_doc *d;

	/* Kept by the document's name, not the path as sent ("api//v1"). */
	if (n == 2 && strcmp(seg[0], "api") == 0)
		snprintf(key, sizeof(key), "/openapi/v3/api/%s", seg[1]);
	else if (n == 3 && strcmp(seg[0], "apis") == 0)
		snprintf(key, sizeof(key), "/openapi/v3/apis/%s/%s", seg[1], seg[2]);
	else if (!rel[0])
		snprintf(key, sizeof(key), "/openapi/v3");
	else
		key[0] = '\0';
	d = key[0] ? api_doc_find(s, key) : NULL;
	if (!d) {
		json_t *doc = NULL;
		char *body;

		if (!rel[0])
			doc = api_openapi_v3_root();
		else if (n == 2 && key[0])
			doc = api_openapi_v3_group_version("", seg[1]);
		else if (n == 3 && key[0])
			doc = api_openapi_v3_group_version(seg[1], seg[2]);
		if (!doc) {
			if (rel[0])
				api_reply_doc(c, NULL, API_JSON);
			else
				api_reply_oom(c);
			return;
		}
		body = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(doc);
		d = api_doc_keep(s, key, body, body ? strlen(body) : 0);
		if (!d) {
			api_reply_oom(c);
			return;
		}
	}
	api_doc_reply(c, req, d, API_JSON, rel[0] &&
		      httpd_query_get(req->query, "hash", hash, sizeof(hash)) &&
		      strlen(hash) == 16 && strncmp(d->etag + 1, hash, 16) == 0);
}

void api_handle(struct api_http_conn *c, const struct api_http_req *req, void *data)
{
	struct api_server *s = data;
	const char *p = req->path;
	char seg[4][254];
	int n;

	if (strcmp(p, "/version") == 0 || strcmp(p, "/version/") == 0) {
		api_reply_doc(c, api_discovery_version(), API_JSON);
	} else if (strcmp(p, "/healthz") == 0 || strcmp(p, "/livez") == 0 ||
		   strcmp(p, "/readyz") == 0) {
		api_http_respond(c, 200, "text/plain; charset=utf-8", NULL, "ok", 2);
	} else if (strcmp(p, "/api") == 0 || strcmp(p, "/api/") == 0) {
		api_discovery_root(c, req, true);
	} else if (strcmp(p, "/apis") == 0 || strcmp(p, "/apis/") == 0) {
		api_discovery_root(c, req, false);
	} else if (strcmp(p, "/openapi/v2") == 0 || strcmp(p, "/openapi/v2/") == 0) {
		api_openapi_v2_reply(s, c, req);
	} else if (strcmp(p, "/openapi/v3") == 0 || strcmp(p, "/openapi/v3/") == 0) {
		api_openapi_v3_reply(s, c, req, "");
	} else if (strncmp(p, "/openapi/v3/", 12) == 0) {
		api_openapi_v3_reply(s, c, req, p + 12);
	} else if ((n = api_split(p, seg, 4)) == 2 && strcmp(seg[0], "api") == 0) {
		api_reply_doc(c, api_discovery_resource_list("", seg[1]), API_JSON);
	} else if (n == 2 && strcmp(seg[0], "apis") == 0) {
		api_reply_doc(c, api_discovery_group(seg[1]), API_JSON);
	} else if (n == 3 && strcmp(seg[0], "apis") == 0) {
		api_reply_doc(c, api_discovery_resource_list(seg[1], seg[2]), API_JSON);
	} else if (strncmp(p, "/api/", 5) == 0 || strncmp(p, "/apis/", 6) == 0) {
		api_resource_request(s, c, req);
	} else {
		api_reply_status(c, api_status_new(404, "NotFound", NULL, "the server could not "
						   "find the requested resource"));
	}
}
