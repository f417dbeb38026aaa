/* api_openapi.c — OpenAPI v3 documents; declared in api_discovery.h.
 *
 * Each served group version is one document: a path item per collection,
 * per object and per subresource with the operations kubectl looks for
 * (explain reads their schemas; apply reads the fieldValidation parameter
 * of the patch operations and then leaves unknown-field checks to the
 * server), and in components the schema of every type they use, from the
 * table of api_openapi_types.c.
 */
#include "api_discovery.h"
#include "api_openapi_int.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define API_OPENAPI_REF_PREFIX "#/components/schemas/"
#define API_OPENAPI_QUANTITY "io.k8s.apimachinery.pkg.api.resource.Quantity"
#define API_OPENAPI_INT_OR_STRING "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
#define API_OPENAPI_TIME "io.k8s.apimachinery.pkg.apis.meta.v1.Time"
#define API_OPENAPI_MICRO_TIME "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"
#define API_OPENAPI_LIST_META "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"

/* ---- building documents ---- */

struct api_openapi_doc {
	json_t *schemas;        /* components.schemas */
	bool oom;
};

static void api_openapi_set(struct api_openapi_doc *d, json_t *obj, const char *key, json_t *val)
{
	/* jansson drops val when the set fails. */
	if (!obj || json_object_set_new(obj, key, val) < 0)
		d->oom = true;
}

static void api_openapi_append(struct api_openapi_doc *d, json_t *arr, json_t *val)
{
	if (!arr || json_array_append_new(arr, val) < 0)
		d->oom = true;
}

/* {"allOf":[{"$ref":...}]}: how the real documents refer to a named
 * schema, leaving room for a description beside the reference. */
static json_t *api_openapi_ref(const char *schema_name)
{
	char ref[256];

	snprintf(ref, sizeof(ref), API_OPENAPI_REF_PREFIX "%s", schema_name);
	return json_pack("{s:[{s:s}]}", "allOf", "$ref", ref);
}

static void api_openapi_add_type(struct api_openapi_doc *d, const struct api_openapi_type *t);

/* The strings/quantities/times that have a name of their own. */
static void api_openapi_add_primitive(struct api_openapi_doc *d, const char *name)
{
	json_t *s;

	if (json_object_get(d->schemas, name))
		return;
	if (strcmp(name, API_OPENAPI_QUANTITY) == 0)
		/* No "type": kubectl explain then names the field's type
		 * after the schema (Quantity, IntOrString). */
		s = json_pack("{s:s, s:[{s:s}, {s:s}]}", "description",
			      "A fixed-point number with an optional suffix (100m, 0.5, 1Gi, 2e3), "
			      "written as a string or a number.",
			      "oneOf", "type", "string", "type", "number");
	else if (strcmp(name, API_OPENAPI_INT_OR_STRING) == 0)
		s = json_pack("{s:s, s:s, s:b}", "description",
			      "An integer or a string, such as a port number or a port name.",
			      "format", "int-or-string", "x-kubernetes-int-or-string", 1);
	else if (strcmp(name, API_OPENAPI_MICRO_TIME) == 0)
		s = json_pack("{s:s, s:s, s:s}", "description",
			      "A time in RFC 3339 form, to the microsecond "
			      "(2006-01-02T15:04:05.000000Z).",
			      "type", "string", "format", "date-time");
	else
		s = json_pack("{s:s, s:s, s:s}", "description",
			      "A time in RFC 3339 form, to the second.",
			      "type", "string", "format", "date-time");
	api_openapi_set(d, d->schemas, name, s);
}

/* The schema of a type spec of a field list. */
static json_t *api_openapi_spec_schema(struct api_openapi_doc *d,
				       const struct api_openapi_type *from, const char *spec,
				       size_t len)
{
	const struct api_openapi_type *t;
	const char *prim = NULL;
	char name[160];

	if (len == 0)
		return NULL;
	/* A type name may start with a scalar's letter (IngressSpec, I). */
	switch (api_openapi_is_ref(spec, len) ? '\0' : spec[0]) {
	case '[':
		return json_pack("{s:s, s:o}", "type", "array", "items",
				 api_openapi_spec_schema(d, from, spec + 1, len - 1));
	case '{':
		return json_pack("{s:s, s:o}", "type", "object", "additionalProperties",
				 api_openapi_spec_schema(d, from, spec + 1, len - 1));
	case 's':
		return json_pack("{s:s}", "type", "string");
	case 'i':
		return json_pack("{s:s, s:s}", "type", "integer", "format", "int32");
	case 'I':
		return json_pack("{s:s, s:s}", "type", "integer", "format", "int64");
	case 'b':
		return json_pack("{s:s}", "type", "boolean");
	case 'n':
		return json_pack("{s:s, s:s}", "type", "number", "format", "double");
	case 'B':
		return json_pack("{s:s, s:s}", "type", "string", "format", "byte");
	case '*':
		return json_pack("{s:s, s:b}", "type", "object",
				 "x-kubernetes-preserve-unknown-fields", 1);
	case 'q':
		prim = API_OPENAPI_QUANTITY;
		break;
	case 'o':
		prim = API_OPENAPI_INT_OR_STRING;
		break;
	case 't':
		prim = API_OPENAPI_TIME;
		break;
	case 'T':
		prim = API_OPENAPI_MICRO_TIME;
		break;
	default:
		t = api_openapi_resolve(from, spec, len);
		if (!t)
			return NULL;
		api_openapi_add_type(d, t);
		api_openapi_schema_name(t, name, sizeof(name));
		return api_openapi_ref(name);
	}
	api_openapi_add_primitive(d, prim);
	return api_openapi_ref(prim);
}

static json_t *api_openapi_gvk(const char *group, const char *version, const char *kind)
{
	return json_pack("{s:s, s:s, s:s}", "group", group, "version", version, "kind", kind);
}

/* Adds the schema of t, and of every type it refers to, to components. */
static void api_openapi_add_type(struct api_openapi_doc *d, const struct api_openapi_type *t)
{
	const char *p = t->fields, *group, *kind;
	struct api_openapi_field f;
	json_t *schema, *props, *required;
	char name[160], version[32];

	api_openapi_schema_name(t, name, sizeof(name));
	if (json_object_get(d->schemas, name))
		return;
	/* In components before its fields are built, so a type that refers
	 * back to itself ends the recursion. */
	schema = json_pack("{s:s, s:s}", "description", t->desc, "type", "object");
	api_openapi_set(d, d->schemas, name, schema);
	if (!schema || d->oom)
		return;
	props = json_object();
	required = json_array();
	api_openapi_set(d, schema, "properties", props);
	while (props && api_openapi_next_field(&p, &f)) {
		char fname[96];
		const char *desc = api_openapi_field_desc(t, &f);
		json_t *prop = api_openapi_spec_schema(d, t, f.type, f.type_len);

		if (!prop || f.name_len >= sizeof(fname)) {
			json_decref(prop);
			d->oom = true;
			break;
		}
		memcpy(fname, f.name, f.name_len);
		fname[f.name_len] = '\0';
		if (!desc && api_openapi_is_ref(f.type, f.type_len)) {
			const struct api_openapi_type *rt;

			rt = api_openapi_resolve(t, f.type, f.type_len);
			desc = rt ? rt->desc : NULL;
		}
		if (desc)
			api_openapi_set(d, prop, "description", json_string(desc));
		if (f.merge) {
			api_openapi_set(d, prop, "x-kubernetes-patch-strategy",
					json_string("merge"));
			if (f.merge_key) {
				char key[64];
				snprintf(key, sizeof(key), "%.*s", (int)f.merge_key_len,
					 f.merge_key);
				api_openapi_set(d, prop, "x-kubernetes-patch-merge-key",
						json_string(key));
			}
		}
		if (f.required)
			api_openapi_append(d, required, json_string(fname));
		api_openapi_set(d, props, fname, prop);
	}
	if (json_array_size(required))
		api_openapi_set(d, schema, "required", required);
	else
		json_decref(required);
	if (api_openapi_type_gvk(t, &group, version, sizeof(version), &kind))
		api_openapi_set(d, schema, "x-kubernetes-group-version-kind",
				json_pack("[o]", api_openapi_gvk(group, version, kind)));
}

/* <Kind>List, which the list operations answer with. */
static void api_openapi_add_list(struct api_openapi_doc *d, const struct api_resource *r,
				 const struct api_openapi_type *t)
{
	const struct api_openapi_type *meta = api_openapi_type_by_name("meta.v1.ListMeta");
	char name[160], list_name[176], list_kind[96], desc[160];
	json_t *props;

	api_openapi_schema_name(t, name, sizeof(name));
	snprintf(list_name, sizeof(list_name), "%sList", name);
	snprintf(list_kind, sizeof(list_kind), "%sList", r->kind);
	snprintf(desc, sizeof(desc), "A list of %s objects.", r->kind);
	if (meta)
		api_openapi_add_type(d, meta);
	props = json_pack("{s:{s:s}, s:{s:s}, s:o, s:{s:s, s:o}}",
			  "apiVersion", "type", "string", "kind", "type", "string",
			  "metadata", api_openapi_ref(API_OPENAPI_LIST_META),
			  "items", "type", "array", "items", api_openapi_ref(name));
	api_openapi_set(d, d->schemas, list_name,
			json_pack("{s:s, s:s, s:o, s:[s], s:[o]}", "description", desc,
				  "type", "object", "properties", props, "required", "items",
				  "x-kubernetes-group-version-kind",
				  api_openapi_gvk(r->group, r->version, list_kind)));
}

static json_t *api_openapi_param(const char *name, const char *in, const char *desc,
				 const char *type)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:b}}", "name", name, "in", in,
			 "description", desc, "required", strcmp(in, "path") == 0,
			 "schema", "type", type, "uniqueItems", 1);
}

static const struct {
	const char *name;
	const char *type;
	const char *desc;
} api_openapi_query_params[] = {
	{ "dryRun", "string", "\"All\": run every stage of the request but persist nothing." },
	{ "fieldManager", "string", "Name of the actor making the change, for managed fields." },
	{ "fieldValidation", "string",
	  "What to do with unknown or duplicate fields in the object: \"Ignore\", \"Warn\" "
	  "(the default) or \"Strict\" (reject the request)." },
	{ "force", "boolean", "Take over fields owned by other managers (apply patches only)." },
	{ "labelSelector", "string", "Return only objects whose labels match this selector." },
	{ "fieldSelector", "string", "Return only objects whose fields match this selector." },
	{ "limit", "integer", "The most objects to return; continue with the continue token." },
	{ "continue", "string", "The token from a previous page of a paged list." },
	{ "resourceVersion", "string", "The resource version the list or watch starts from." },
	{ "resourceVersionMatch", "string", "How resourceVersion applies: Exact or NotOlderThan." },
	{ "watch", "boolean", "Stream changes after the list instead of returning it." },
	{ "allowWatchBookmarks", "boolean", "Let a watch send BOOKMARK events." },
	{ "sendInitialEvents", "boolean", "Start a watch with ADDED events for every object." },
	{ "timeoutSeconds", "integer", "End the list or watch after this many seconds." },
	{ "gracePeriodSeconds", "integer", "Seconds before the object is deleted; 0 at once." },
	{ "propagationPolicy", "string",
	  "Whether and how dependents are deleted: Orphan, Background or Foreground." },
	{ "container", "string", "The container, when the pod has more than one." },
	{ "follow", "boolean", "Stream the log as it grows." },
	{ "previous", "boolean", "The log of the previous, terminated container." },
	{ "sinceSeconds", "integer", "Only lines newer than this many seconds." },
	{ "sinceTime", "string", "Only lines newer than this RFC 3339 time." },
	{ "tailLines", "integer", "Only this many lines from the end." },
	{ "timestamps", "boolean", "Prefix every line with its RFC 3339 time." },
	{ "limitBytes", "integer", "Stop after this many bytes." },
	{ "command", "string", "The command to run; repeat the parameter for each argument." },
	{ "stdin", "boolean", "Attach the standard input." },
	{ "stdout", "boolean", "Attach the standard output." },
	{ "stderr", "boolean", "Attach the standard error." },
	{ "tty", "boolean", "Allocate a terminal." },
};

#define API_OPENAPI_NPARAMS (sizeof(api_openapi_query_params) / sizeof(api_openapi_query_params[0]))

/* The query parameters of an operation: a space-separated list of names. */
static json_t *api_openapi_params(struct api_openapi_doc *d, const char *names)
{
	json_t *a = json_array();

	for (const char *p = names; a && *p; ) {
		size_t n = strcspn(p, " ");

		for (size_t i = 0; i < API_OPENAPI_NPARAMS; i++) {
			const char *name = api_openapi_query_params[i].name;

			if (strlen(name) != n || memcmp(name, p, n) != 0)
				continue;
			api_openapi_append(d, a,
					   api_openapi_param(name, "query",
							     api_openapi_query_params[i].desc,
							     api_openapi_query_params[i].type));
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return a;
}

/* CoreV1, AppsV1, DiscoveryV1: the infix of operation ids. */
static void api_openapi_id_infix(const struct api_resource *r, char *buf, size_t len)
{
	const char *g = r->group[0] ? r->group : "core";
	size_t glen = strcspn(g, ".");

	snprintf(buf, len, "%c%.*s%c%s", g[0] - 'a' + 'A', (int)glen - 1, g + 1,
		 r->version[0] - 'a' + 'A', r->version + 1);
}

/* What an operation sends and answers. */
struct api_openapi_op_spec {
	const char *method;     /* get, put, post, patch, delete */
	const char *action;     /* x-kubernetes-action */
	const char *verb;       /* operation id prefix: read, list, create, ... */
	const char *what;       /* description */
	const char *params;     /* query parameter names */
	const char *schema;     /* request and response schema; NULL: text */
	bool body;              /* has a request body */
};

/* Adds one operation to a path item; group, version and kind are its
 * x-kubernetes-group-version-kind. */
static void api_openapi_add_op(struct api_openapi_doc *d, json_t *item,
			       const struct api_resource *r, const struct api_openapi_op_spec *op,
			       const char *id_suffix, const char *group, const char *version,
			       const char *kind)
{
	char infix[64], id[160], tag[64], ref[256];
	json_t *o, *content;

	api_openapi_id_infix(r, infix, sizeof(infix));
	snprintf(id, sizeof(id), "%s%s%s", op->verb, infix, id_suffix);
	snprintf(tag, sizeof(tag), "%.*s_%s", (int)strcspn(r->group[0] ? r->group : "core", "."),
		 r->group[0] ? r->group : "core", r->version);
	if (op->schema) {
		snprintf(ref, sizeof(ref), API_OPENAPI_REF_PREFIX "%s", op->schema);
		content = json_pack("{s:{s:{s:s}}}", "application/json", "schema", "$ref", ref);
	} else {
		content = json_pack("{s:{s:{s:s}}}", "text/plain", "schema", "type", "string");
	}
	o = json_pack("{s:s, s:s, s:[s], s:o, s:{s:{s:s, s:O}}, s:s, s:o}",
		      "operationId", id, "description", op->what, "tags", tag,
		      "parameters", api_openapi_params(d, op->params),
		      "responses", "200", "description", "OK", "content", content,
		      "x-kubernetes-action", op->action,
		      "x-kubernetes-group-version-kind", api_openapi_gvk(group, version, kind));
	/* Patch operations have no requestBody on purpose (op->body false):
	 * kubectl apply computes its strategic merge patch from the document's
	 * schemas only when the patch operation lists that content type, and
	 * otherwise from the types compiled into it, which carry every merge
	 * key and strategy of the real API. */
	if (o && op->body && op->schema)
		api_openapi_set(d, o, "requestBody",
				json_pack("{s:{s:{s:{s:s}}}, s:b}", "content", "*/*", "schema",
					  "$ref", ref, "required", 1));
	json_decref(content);
	api_openapi_set(d, item, op->method, o);
}

/* A path item with its path-level parameters. */
static json_t *api_openapi_path_item(struct api_openapi_doc *d, json_t *paths, const char *path,
				     bool ns, bool name)
{
	json_t *item = json_object(), *params = json_array();

	if (name)
		api_openapi_append(d, params, api_openapi_param("name", "path",
								"Name of the object.", "string"));
	if (ns)
		api_openapi_append(d, params, api_openapi_param("namespace", "path",
								"Namespace of the objects.",
								"string"));
	api_openapi_append(d, params, api_openapi_param("pretty", "query", "Indent the output.",
							"string"));
	api_openapi_set(d, item, "parameters", params);
	api_openapi_set(d, paths, path, item);
	return d->oom ? NULL : item;
}

static void api_openapi_add_resource(struct api_openapi_doc *d, json_t *paths,
				     const struct api_resource *r)
{
	const struct api_openapi_type *t = api_openapi_kind_type(r), *status;
	char prefix[96], coll[192], path[256], kind_schema[160], list_schema[176];
	char scale_schema[160], sfx[96];
	const char *ns = r->namespaced ? "Namespaced" : "";
	json_t *item;

	if (!t) {
		d->oom = true;  /* a kind without a schema: a table bug, caught by tests */
		return;
	}
	api_openapi_add_type(d, t);
	api_openapi_add_list(d, r, t);
	api_openapi_schema_name(t, kind_schema, sizeof(kind_schema));
	snprintf(list_schema, sizeof(list_schema), "%sList", kind_schema);
	if (r->group[0])
		snprintf(prefix, sizeof(prefix), "/apis/%s/%s", r->group, r->version);
	else
		snprintf(prefix, sizeof(prefix), "/api/%s", r->version);
	if (r->namespaced)
		snprintf(coll, sizeof(coll), "%s/namespaces/{namespace}/%s", prefix, r->resource);
	else
		snprintf(coll, sizeof(coll), "%s/%s", prefix, r->resource);

	const struct api_openapi_op_spec list = { "get", "list", "list", "List or watch objects.",
		"labelSelector fieldSelector limit continue resourceVersion resourceVersionMatch "
		"watch allowWatchBookmarks sendInitialEvents timeoutSeconds", list_schema, false };
	const struct api_openapi_op_spec create = { "post", "post", "create", "Create an object.",
		"dryRun fieldManager fieldValidation", kind_schema, true };
	const struct api_openapi_op_spec delcoll = { "delete", "deletecollection",
		"deleteCollection", "Delete the objects a selector matches.",
		"labelSelector fieldSelector dryRun gracePeriodSeconds propagationPolicy",
		"io.k8s.apimachinery.pkg.apis.meta.v1.Status", false };
	const struct api_openapi_op_spec read = { "get", "get", "read", "Read an object.", "",
		kind_schema, false };
	const struct api_openapi_op_spec replace = { "put", "put", "replace", "Replace an object.",
		"dryRun fieldManager fieldValidation", kind_schema, true };
	const struct api_openapi_op_spec patch = { "patch", "patch", "patch",
		"Partially update an object (JSON patch, merge patch, strategic merge patch or "
		"apply patch).", "dryRun fieldManager fieldValidation force", kind_schema, false };
	const struct api_openapi_op_spec del = { "delete", "delete", "delete", "Delete an object.",
		"dryRun gracePeriodSeconds propagationPolicy", kind_schema, false };

	status = api_openapi_type_by_name("meta.v1.Status");
	if (!status) {
		d->oom = true;
		return;
	}
	api_openapi_add_type(d, status);

	/* The collection. */
	item = api_openapi_path_item(d, paths, coll, r->namespaced, false);
	if (!item)
		return;
	snprintf(sfx, sizeof(sfx), "%s%s", ns, r->kind);
	api_openapi_add_op(d, item, r, &list, sfx, r->group, r->version, r->kind);
	api_openapi_add_op(d, item, r, &create, sfx, r->group, r->version, r->kind);
	for (const char *const *v = api_discovery_verbs(r); *v; v++)
		if (strcmp(*v, "deletecollection") == 0)
			api_openapi_add_op(d, item, r, &delcoll, sfx,
					   r->group, r->version, r->kind);
	/* Every namespace at once. */
	if (r->namespaced) {
		snprintf(path, sizeof(path), "%s/%s", prefix, r->resource);
		item = api_openapi_path_item(d, paths, path, false, false);
		snprintf(sfx, sizeof(sfx), "%sForAllNamespaces", r->kind);
		if (item)
			api_openapi_add_op(d, item, r, &list, sfx,
					   r->group, r->version, r->kind);
		snprintf(sfx, sizeof(sfx), "%s%s", ns, r->kind);
	}
	/* One object. */
	snprintf(path, sizeof(path), "%s/{name}", coll);
	item = api_openapi_path_item(d, paths, path, r->namespaced, true);
	if (!item)
		return;
	api_openapi_add_op(d, item, r, &read, sfx, r->group, r->version, r->kind);
	api_openapi_add_op(d, item, r, &replace, sfx, r->group, r->version, r->kind);
	api_openapi_add_op(d, item, r, &patch, sfx, r->group, r->version, r->kind);
	api_openapi_add_op(d, item, r, &del, sfx, r->group, r->version, r->kind);

	for (const char *const *s = r->subresources; s && *s && !d->oom; s++) {
		const char *group, *version, *kind;
		struct api_openapi_op_spec rd = read, rp = replace, pa = patch;
		char subsfx[128];

		/* The scheduler's binding is not a kind kubectl explains. */
		if (!api_discovery_sub_kind(r, *s, &group, &version, &kind) ||
		    strcmp(*s, "binding") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/{name}/%s", coll, *s);
		snprintf(subsfx, sizeof(subsfx), "%s%c%s", sfx, (*s)[0] - 'a' + 'A', *s + 1);
		item = api_openapi_path_item(d, paths, path, r->namespaced, true);
		if (!item)
			return;
		if (strcmp(*s, "status") == 0 || strcmp(*s, "scale") == 0) {
			/* The status operations carry the resource's own kind, as the
			 * real ones do: kubectl takes the first patch operation of a
			 * kind it meets, so each must list fieldValidation. */
			if (strcmp(*s, "scale") == 0) {
				const struct api_openapi_type *st =
					api_openapi_type_by_name("autoscaling.v1.Scale");
				if (!st) {
					d->oom = true;
					return;
				}
				api_openapi_add_type(d, st);
				api_openapi_schema_name(st, scale_schema, sizeof(scale_schema));
				rd.schema = rp.schema = pa.schema = scale_schema;
			} else {
				group = r->group;
				version = r->version;
			}
			api_openapi_add_op(d, item, r, &rd, subsfx, group, version, kind);
			api_openapi_add_op(d, item, r, &rp, subsfx, group, version, kind);
			api_openapi_add_op(d, item, r, &pa, subsfx, group, version, kind);
		} else if (strcmp(*s, "log") == 0) {
			const struct api_openapi_op_spec log = { "get", "get", "read",
				"Read the log of a container.", "container follow previous "
				"sinceSeconds sinceTime tailLines timestamps limitBytes", NULL,
				false };
			api_openapi_add_op(d, item, r, &log, subsfx,
					   r->group, r->version, r->kind);
		} else if (strcmp(*s, "exec") == 0) {
			const struct api_openapi_op_spec get = { "get", "connect", "connectGet",
				"Run a command in a container (a streaming upgrade).",
				"command container stdin stdout stderr tty", NULL, false };
			const struct api_openapi_op_spec post = { "post", "connect", "connectPost",
				"Run a command in a container (a streaming upgrade).",
				"command container stdin stdout stderr tty", NULL, false };
			api_openapi_add_op(d, item, r, &get, subsfx,
					   r->group, r->version, kind);
			api_openapi_add_op(d, item, r, &post, subsfx,
					   r->group, r->version, kind);
		}
	}
}

static bool api_openapi_served(const char *group, const char *version)
{
	const char *v = api_registry_group_version(group);

	return v && strcmp(v, version) == 0;
}

json_t *api_openapi_v3_group_version(const char *group, const char *version)
{
	struct api_openapi_doc d = { .schemas = json_object(), .oom = false };
	const struct api_resource *all;
	json_t *paths, *doc;
	size_t n;

	if (!api_openapi_served(group, version)) {
		json_decref(d.schemas);
		return NULL;
	}
	paths = json_object();
	if (!paths || !d.schemas)
		d.oom = true;
	all = api_registry_all(&n);
	for (size_t i = 0; i < n && !d.oom; i++)
		if (strcmp(all[i].group, group) == 0 && strcmp(all[i].version, version) == 0)
			api_openapi_add_resource(&d, paths, &all[i]);
	if (d.oom) {
		json_decref(paths);
		json_decref(d.schemas);
		return NULL;
	}
	doc = json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:o}}", "openapi", "3.0.0",
			"info", "title", "Kubernetes", "version", api_server_git_version,
			"paths", paths, "components", "schemas", d.schemas);
	return doc;
}

/* FNV-1a of the document: the hash only has to change when the document
 * does, since clients cache a document by its URL. */
static uint64_t api_openapi_hash(const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, text, text ? strlen(text) : 0);

	free(text);
	return h;
}

json_t *api_openapi_v3_root(void)
{
	json_t *paths = json_object();

	for (const char *const *g = api_registry_groups(); *g && paths; g++) {
		const char *version = api_registry_group_version(*g);
		char key[128], url[192];
		json_t *doc = api_openapi_v3_group_version(*g, version);

		if (!doc) {
			json_decref(paths);
			return NULL;
		}
		if ((*g)[0])
			snprintf(key, sizeof(key), "apis/%s/%s", *g, version);
		else
			snprintf(key, sizeof(key), "api/%s", version);
		snprintf(url, sizeof(url), "/openapi/v3/%s?hash=%016" PRIX64, key,
			 api_openapi_hash(doc));
		json_decref(doc);
		if (json_object_set_new(paths, key,
					json_pack("{s:s}", "serverRelativeURL", url)) < 0) {
			json_decref(paths);
			return NULL;
		}
	}
	return paths ? json_pack("{s:o}", "paths", paths) : NULL;
}
