/* api_openapi_v2.c — the OpenAPI v2 (Swagger 2.0) document; declared in
 * api_discovery.h.
 *
 * kubectl 1.27 and 1.28 read /openapi/v2 before apply, create and replace
 * (and explain reads its definitions); kubectl 1.20 validates objects
 * against its definitions before sending them. They ask for gnostic's
 * openapi_v2.Document in protobuf; other clients ask for JSON.
 *
 * The document is derived from the OpenAPI v3 documents of every served
 * group (api_openapi.c) rather than from the schema table again, so the
 * two can never disagree: parameters carry their type directly instead of
 * in a schema, request bodies become "body" parameters, response content
 * becomes a schema, and #/components/schemas/ becomes #/definitions/.
 *
 * The protobuf encoder knows the field numbers of the openapi_v2 messages
 * the document uses; members it has no field for are left out.
 */
#include "api_discovery.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

#define API_OPENAPI_V2_V3_REF "#/components/schemas/"
#define API_OPENAPI_V2_REF "#/definitions/"
/* The protobuf type as kubectl spells it in Accept. */
#define API_OPENAPI_V2_PROTOBUF_ASKED \
	"application/com.github.proto-openapi.spec.v2@v1.0+protobuf"

/* ---- Swagger 2.0 from the v3 documents ---------------------------------------- */

struct api_openapi_v2_conv {
	bool oom;
};

static void api_openapi_v2_set(struct api_openapi_v2_conv *cv, json_t *obj, const char *key,
			       json_t *val)
{
	/* jansson drops val when the set fails. */
	if (!val || !obj || json_object_set_new(obj, key, val) < 0)
		cv->oom = true;
}

static void api_openapi_v2_append(struct api_openapi_v2_conv *cv, json_t *arr, json_t *val)
{
	if (!val || !arr || json_array_append_new(arr, val) < 0)
		cv->oom = true;
}

static json_t *api_openapi_v2_schema(struct api_openapi_v2_conv *cv, const json_t *s);

/* "#/components/schemas/X" -> "#/definitions/X" */
static json_t *api_openapi_v2_ref(const char *ref)
{
	size_t plen = strlen(API_OPENAPI_V2_V3_REF);
	char out[256];

	if (strncmp(ref, API_OPENAPI_V2_V3_REF, plen) != 0)
		return json_string(ref);
	if (strlen(API_OPENAPI_V2_REF) + strlen(ref + plen) >= sizeof(out))
		return NULL;
	strcpy(out, API_OPENAPI_V2_REF);
	strcat(out, ref + plen);
	return json_string(out);
}

/* A member map whose values are schemas (properties). */
static json_t *api_openapi_v2_schema_map(struct api_openapi_v2_conv *cv, const json_t *m)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)m, k, v)
		api_openapi_v2_set(cv, out, k, api_openapi_v2_schema(cv, v));
	return out;
}

/* One schema. Swagger 2.0 has no oneOf, and a reference may stand beside
 * other members (a description), so the v3 form {"allOf":[{"$ref":X}],
 * "description":...} becomes {"$ref":X, "description":...} as the real
 * v2 document writes it. Quantity (oneOf string or number) and
 * IntOrString become strings with their format, as there: a client
 * validating against them accepts any scalar for a string. */
static json_t *api_openapi_v2_schema(struct api_openapi_v2_conv *cv, const json_t *s)
{
	json_t *out, *v, *all_of = json_object_get(s, "allOf");
	const char *k;

	if (!json_is_object(s))
		return json_deep_copy(s);
	out = json_object();
	if (json_array_size(all_of) == 1 && json_object_get(json_array_get(all_of, 0), "$ref")) {
		const char *ref = json_string_value(json_object_get(json_array_get(all_of, 0),
								    "$ref"));
		api_openapi_v2_set(cv, out, "$ref", api_openapi_v2_ref(ref ? ref : ""));
	}
	json_object_foreach((json_t *)s, k, v) {
		if (strcmp(k, "$ref") == 0 && json_is_string(v)) {
			api_openapi_v2_set(cv, out, k, api_openapi_v2_ref(json_string_value(v)));
		} else if (strcmp(k, "allOf") == 0) {
			if (json_object_get(out, "$ref"))
				continue;
			json_t *list = json_array(), *e;
			size_t i;

			json_array_foreach(v, i, e)
				api_openapi_v2_append(cv, list, api_openapi_v2_schema(cv, e));
			api_openapi_v2_set(cv, out, k, list);
		} else if (strcmp(k, "oneOf") == 0 ||
			   strcmp(k, "x-kubernetes-int-or-string") == 0) {
			if (!json_object_get(s, "type"))
				api_openapi_v2_set(cv, out, "type", json_string("string"));
		} else if (strcmp(k, "properties") == 0) {
			api_openapi_v2_set(cv, out, k, api_openapi_v2_schema_map(cv, v));
		} else if (strcmp(k, "items") == 0 || strcmp(k, "additionalProperties") == 0) {
			api_openapi_v2_set(cv, out, k, api_openapi_v2_schema(cv, v));
		} else {
			api_openapi_v2_set(cv, out, k, json_deep_copy(v));
		}
	}
	return out;
}

/* A v3 parameter ({"name","in","description","required","schema":{...}})
 * in the v2 form, where the schema's type stands in the parameter. */
static json_t *api_openapi_v2_param(struct api_openapi_v2_conv *cv, const json_t *p)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)p, k, v) {
		if (strcmp(k, "schema") == 0) {
			const char *sk;
			json_t *sv;

			json_object_foreach(v, sk, sv)
				api_openapi_v2_set(cv, out, sk, json_deep_copy(sv));
		} else {
			api_openapi_v2_set(cv, out, k, json_deep_copy(v));
		}
	}
	return out;
}

static json_t *api_openapi_v2_params(struct api_openapi_v2_conv *cv, const json_t *params)
{
	json_t *out = json_array(), *p;
	size_t i;

	json_array_foreach(params, i, p)
		api_openapi_v2_append(cv, out, api_openapi_v2_param(cv, p));
	return out;
}

/* The media types of a v3 content map, and the schema of its first. */
static json_t *api_openapi_v2_media(struct api_openapi_v2_conv *cv, const json_t *content,
				    json_t **schema)
{
	json_t *types = json_array(), *v;
	const char *k;

	*schema = NULL;
	json_object_foreach((json_t *)content, k, v) {
		api_openapi_v2_append(cv, types, json_string(k));
		if (!*schema && json_object_get(v, "schema"))
			*schema = api_openapi_v2_schema(cv, json_object_get(v, "schema"));
	}
	return types;
}

/* The media types a patch accepts. Strategic merge patch is left out on
 * purpose: kubectl apply builds a strategic merge patch from the document's
 * definitions when the patch operation lists it, and from the types
 * compiled into it otherwise, which carry every merge key of the real API
 * (the v3 documents leave the patch requestBody out for the same reason). */
static json_t *api_openapi_v2_patch_types(void)
{
	return json_pack("[s, s, s]", "application/json-patch+json",
			 "application/merge-patch+json", "application/apply-patch+yaml");
}

static json_t *api_openapi_v2_op(struct api_openapi_v2_conv *cv, const char *method,
				 const json_t *op)
{
	json_t *out = json_object(), *params, *body, *v, *responses, *code_v;
	const char *k, *code;

	json_object_foreach((json_t *)op, k, v) {
		if (strcmp(k, "operationId") == 0 || strcmp(k, "description") == 0 ||
		    strcmp(k, "tags") == 0 || strncmp(k, "x-", 2) == 0)
			api_openapi_v2_set(cv, out, k, json_deep_copy(v));
	}
	params = api_openapi_v2_params(cv, json_object_get(op, "parameters"));
	body = json_object_get(op, "requestBody");
	if (body) {
		json_t *schema, *types;

		types = api_openapi_v2_media(cv, json_object_get(body, "content"), &schema);
		api_openapi_v2_set(cv, out, "consumes", types);
		api_openapi_v2_append(cv, params,
				      json_pack("{s:s, s:s, s:b, s:o}", "name", "body", "in",
						"body", "required", 1, "schema",
						schema ? schema : json_object()));
	} else if (strcmp(method, "patch") == 0) {
		api_openapi_v2_set(cv, out, "consumes", api_openapi_v2_patch_types());
	}
	api_openapi_v2_set(cv, out, "parameters", params);
	responses = json_object();
	json_object_foreach(json_object_get(op, "responses"), code, code_v) {
		json_t *r = json_object(), *schema;
		json_t *types = api_openapi_v2_media(cv, json_object_get(code_v, "content"),
						     &schema);

		if (json_object_get(code_v, "description"))
			api_openapi_v2_set(cv, r, "description",
					   json_deep_copy(json_object_get(code_v, "description")));
		if (schema)
			api_openapi_v2_set(cv, r, "schema", schema);
		if (!json_object_get(out, "produces"))
			api_openapi_v2_set(cv, out, "produces", types);
		else
			json_decref(types);
		api_openapi_v2_set(cv, responses, code, r);
	}
	api_openapi_v2_set(cv, out, "responses", responses);
	return out;
}

static json_t *api_openapi_v2_path_item(struct api_openapi_v2_conv *cv, const json_t *item)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)item, k, v) {
		if (strcmp(k, "parameters") == 0)
			api_openapi_v2_set(cv, out, k, api_openapi_v2_params(cv, v));
		else if (json_is_object(v))
			api_openapi_v2_set(cv, out, k, api_openapi_v2_op(cv, k, v));
	}
	return out;
}

json_t *api_openapi_v2(void)
{
	struct api_openapi_v2_conv cv = { .oom = false };
	json_t *paths = json_object(), *defs = json_object(), *doc = NULL;

	for (const char *const *g = api_registry_groups(); *g && !cv.oom; g++) {
		json_t *v3 = api_openapi_v3_group_version(*g, api_registry_group_version(*g));
		json_t *schemas, *v;
		const char *k;

		if (!v3) {
			cv.oom = true;
			break;
		}
		json_object_foreach(json_object_get(v3, "paths"), k, v)
			api_openapi_v2_set(&cv, paths, k, api_openapi_v2_path_item(&cv, v));
		/* Types shared by groups (ObjectMeta, Status) are the same in each. */
		schemas = json_object_get(json_object_get(v3, "components"), "schemas");
		json_object_foreach(schemas, k, v)
			if (!json_object_get(defs, k))
				api_openapi_v2_set(&cv, defs, k, api_openapi_v2_schema(&cv, v));
		json_decref(v3);
	}
	if (!cv.oom && paths && defs)
		doc = json_pack("{s:s, s:{s:s, s:s}, s:O, s:O}", "swagger", "2.0", "info",
				"title", "Kubernetes", "version", api_server_git_version,
				"paths", paths, "definitions", defs);
	json_decref(paths);
	json_decref(defs);
	return doc;
}

/* ---- content negotiation -------------------------------------------------------- */

/* Whether one media range of an Accept header ("type/sub;q=0.5", len
 * bytes) names type and does not refuse it with q=0. */
static bool api_openapi_v2_range_is(const char *range, size_t len, const char *type)
{
	char r[160], *semi, *end;
	size_t tlen = strlen(type);

	if (len >= sizeof(r))
		return false;
	memcpy(r, range, len);
	r[len] = '\0';
	range = r + strspn(r, " \t");
	semi = strchr(range, ';');
	end = semi ? semi : r + len;
	while (end > range && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t)(end - range) != tlen || strncasecmp(range, type, tlen) != 0)
		return false;
	for (char *q = semi; q; q = strchr(q + 1, ';')) {
		const char *p = q + 1 + strspn(q + 1, " \t");

		if (strncmp(p, "q=", 2) == 0 && strtod(p + 2, NULL) <= 0.0)
			return false;
	}
	return true;
}

const char *api_openapi_v2_content_type(const char *accept)
{
	static const char *const json_ranges[] = { "application/json", "application/*", "*/*" };
	const char *p = accept ? accept : "";

	if (!*p)
		return API_OPENAPI_V2_JSON;
	/* The first range the server can answer wins: kubectl sends only the
	 * protobuf type, other clients list JSON. */
	while (*p) {
		size_t n = strcspn(p, ",");

		if (api_openapi_v2_range_is(p, n, API_OPENAPI_V2_PROTOBUF) ||
		    api_openapi_v2_range_is(p, n, API_OPENAPI_V2_PROTOBUF_ASKED))
			return API_OPENAPI_V2_PROTOBUF;
		for (size_t i = 0; i < sizeof(json_ranges) / sizeof(json_ranges[0]); i++)
			if (api_openapi_v2_range_is(p, n, json_ranges[i]))
				return API_OPENAPI_V2_JSON;
		p += n;
		if (*p == ',')
			p++;
	}
	return NULL;
}

/* ---- protobuf ------------------------------------------------------------------- */

/* Field numbers of github.com/google/gnostic-models openapiv2/OpenAPIv2.proto
 * (package openapi.v2). */
enum {
	API_PB_DOC_SWAGGER = 1, API_PB_DOC_INFO = 2, API_PB_DOC_PATHS = 8,
	API_PB_DOC_DEFINITIONS = 9,
	API_PB_INFO_TITLE = 1, API_PB_INFO_VERSION = 2,
	API_PB_PATHS_PATH = 2,                          /* repeated NamedPathItem */
	API_PB_NAMED_NAME = 1, API_PB_NAMED_VALUE = 2,  /* every Named* message */
	API_PB_DEFS_PROPS = 1,                          /* Definitions, Properties */
	API_PB_ITEM_PARAMETERS = 9, API_PB_ITEM_EXT = 10,
	API_PB_OP_TAGS = 1, API_PB_OP_DESCRIPTION = 3, API_PB_OP_ID = 5,
	API_PB_OP_PRODUCES = 6, API_PB_OP_CONSUMES = 7, API_PB_OP_PARAMETERS = 8,
	API_PB_OP_RESPONSES = 9, API_PB_OP_EXT = 13,
	API_PB_PARAMS_ITEM_PARAMETER = 1,               /* ParametersItem.parameter */
	API_PB_PARAM_BODY = 1, API_PB_PARAM_NON_BODY = 2,
	API_PB_NON_BODY_HEADER = 1, API_PB_NON_BODY_QUERY = 3, API_PB_NON_BODY_PATH = 4,
	API_PB_BODY_DESCRIPTION = 1, API_PB_BODY_NAME = 2, API_PB_BODY_IN = 3,
	API_PB_BODY_REQUIRED = 4, API_PB_BODY_SCHEMA = 5,
	API_PB_RESPONSES_CODE = 1,                      /* repeated NamedResponseValue */
	API_PB_RESPONSE_VALUE_RESPONSE = 1,
	API_PB_RESPONSE_DESCRIPTION = 1, API_PB_RESPONSE_SCHEMA = 2,
	API_PB_SCHEMA_ITEM_SCHEMA = 1,
	API_PB_ANY_YAML = 2,
	API_PB_SCHEMA_REF = 1, API_PB_SCHEMA_FORMAT = 2, API_PB_SCHEMA_TITLE = 3,
	API_PB_SCHEMA_DESCRIPTION = 4, API_PB_SCHEMA_UNIQUE_ITEMS = 16,
	API_PB_SCHEMA_REQUIRED = 19, API_PB_SCHEMA_ADDITIONAL = 21, API_PB_SCHEMA_TYPE = 22,
	API_PB_SCHEMA_ITEMS = 23, API_PB_SCHEMA_ALL_OF = 24, API_PB_SCHEMA_PROPERTIES = 25,
	API_PB_SCHEMA_READ_ONLY = 27, API_PB_SCHEMA_EXT = 31,
	API_PB_ADDITIONAL_SCHEMA = 1, API_PB_ADDITIONAL_BOOLEAN = 2,
	API_PB_TYPE_VALUE = 1, API_PB_ITEMS_SCHEMA = 1,
};

/* Query, path and header parameters share the first four fields; type,
 * format and uniqueItems sit where each message puts them. */
struct api_openapi_v2_nb_fields {
	const char *in;
	int oneof;
	int type, format, unique;
};

static const struct api_openapi_v2_nb_fields api_openapi_v2_nb[] = {
	{ "query", API_PB_NON_BODY_QUERY, 6, 7, 20 },
	{ "path", API_PB_NON_BODY_PATH, 5, 6, 19 },
	{ "header", API_PB_NON_BODY_HEADER, 5, 6, 19 },
};

#define API_OPENAPI_V2_NNB (sizeof(api_openapi_v2_nb) / sizeof(api_openapi_v2_nb[0]))

enum { API_PB_WIRE_VARINT = 0, API_PB_WIRE_LEN = 2 };

static void api_openapi_v2_varint(struct buf *b, uint64_t v)
{
	char out[10];
	size_t n = 0;

	do {
		out[n] = (char)(v & 0x7f);
		v >>= 7;
		if (v)
			out[n] |= (char)0x80;
		n++;
	} while (v);
	buf_append(b, out, n);
}

static void api_openapi_v2_tag(struct buf *b, int field, int wire)
{
	api_openapi_v2_varint(b, ((uint64_t)field << 3) | (uint64_t)wire);
}

static void api_openapi_v2_bytes(struct buf *b, int field, const void *data, size_t len)
{
	api_openapi_v2_tag(b, field, API_PB_WIRE_LEN);
	api_openapi_v2_varint(b, len);
	buf_append(b, data, len);
}

/* A string field; proto3 leaves empty strings out. */
static void api_openapi_v2_str(struct buf *b, int field, const char *s)
{
	if (s && *s)
		api_openapi_v2_bytes(b, field, s, strlen(s));
}

static void api_openapi_v2_bool(struct buf *b, int field, bool v)
{
	if (v) {
		api_openapi_v2_tag(b, field, API_PB_WIRE_VARINT);
		api_openapi_v2_varint(b, 1);
	}
}

/* A nested message, built in its own buffer: its length comes first. */
static void api_openapi_v2_msg(struct buf *b, int field, struct buf *sub)
{
	if (sub->oom)
		b->oom = true;
	else
		api_openapi_v2_bytes(b, field, sub->data ? sub->data : "", sub->len);
	buf_free(sub);
}

static void api_openapi_v2_member_str(struct buf *b, int field, const json_t *obj,
				      const char *key)
{
	api_openapi_v2_str(b, field, json_string_value(json_object_get(obj, key)));
}

/* A repeated string field from a JSON array of strings. */
static void api_openapi_v2_strs(struct buf *b, int field, const json_t *arr)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
		if (json_is_string(e))
			api_openapi_v2_bytes(b, field, json_string_value(e),
					     json_string_length(e));
}

/* ---- YAML of vendor extensions ---- */

/* A string YAML (1.1, as go-yaml v2 reads it) takes as written: starts
 * with a letter, holds only name characters, and is not a boolean or null
 * word. Everything else is written double-quoted, JSON escapes being YAML
 * escapes too. */
static bool api_openapi_v2_yaml_plain(const char *s)
{
	static const char *const words[] = { "y", "n", "yes", "no", "on", "off", "true",
		"false", "null" };

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-",
			    *p))
			return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	return true;
}

static void api_openapi_v2_yaml_scalar(struct buf *b, const json_t *v)
{
	char *text;

	if (json_is_string(v) && api_openapi_v2_yaml_plain(json_string_value(v))) {
		buf_puts(b, json_string_value(v));
		return;
	}
	/* Flow style for the rest: JSON is valid YAML. */
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!text) {
		b->oom = true;
		return;
	}
	buf_puts(b, text);
	free(text);
}

static bool api_openapi_v2_yaml_block(const json_t *v)
{
	return (json_is_object(v) && json_object_size(v) > 0) ||
	       (json_is_array(v) && json_array_size(v) > 0);
}

/* Block YAML of a value at indent; inline: the first line's indent is
 * already written (after "- "). */
static void api_openapi_v2_yaml(struct buf *b, const json_t *v, int indent, bool inline_first)
{
	const char *k;
	json_t *e;
	size_t i;
	bool first = true;

	if (json_is_object(v) && json_object_size(v) > 0) {
		json_object_foreach((json_t *)v, k, e) {
			json_t *key = json_string(k);

			if (!(first && inline_first))
				buf_printf(b, "%*s", indent, "");
			first = false;
			if (!key) {
				b->oom = true;
				return;
			}
			api_openapi_v2_yaml_scalar(b, key);
			json_decref(key);
			if (api_openapi_v2_yaml_block(e)) {
				buf_puts(b, ":\n");
				api_openapi_v2_yaml(b, e, indent + 2, false);
			} else {
				buf_puts(b, ": ");
				api_openapi_v2_yaml_scalar(b, e);
				buf_putc(b, '\n');
			}
		}
	} else if (json_is_array(v) && json_array_size(v) > 0) {
		json_array_foreach(v, i, e) {
			if (!(first && inline_first))
				buf_printf(b, "%*s", indent, "");
			first = false;
			buf_puts(b, "- ");
			if (json_is_object(e) && json_object_size(e) > 0) {
				api_openapi_v2_yaml(b, e, indent + 2, true);
			} else {
				api_openapi_v2_yaml_scalar(b, e);
				buf_putc(b, '\n');
			}
		}
	} else {
		api_openapi_v2_yaml_scalar(b, v);
		buf_putc(b, '\n');
	}
}

/* The vendor extensions (x-... members) of obj: NamedAny{name, Any{yaml}}. */
static void api_openapi_v2_exts(struct buf *b, int field, const json_t *obj)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v) {
		struct buf named = BUF_INIT, any = BUF_INIT, yaml = BUF_INIT;

		if (strncmp(k, "x-", 2) != 0)
			continue;
		api_openapi_v2_yaml(&yaml, v, 0, false);
		if (yaml.oom)
			any.oom = true;
		else
			api_openapi_v2_bytes(&any, API_PB_ANY_YAML, yaml.data, yaml.len);
		buf_free(&yaml);
		api_openapi_v2_str(&named, API_PB_NAMED_NAME, k);
		api_openapi_v2_msg(&named, API_PB_NAMED_VALUE, &any);
		api_openapi_v2_msg(b, field, &named);
	}
}

/* ---- messages ---- */

static void api_openapi_v2_pb_schema(struct buf *b, const json_t *s);

/* A Schema as a nested message of b. */
static void api_openapi_v2_pb_schema_field(struct buf *b, int field, const json_t *s)
{
	struct buf sub = BUF_INIT;

	api_openapi_v2_pb_schema(&sub, s);
	api_openapi_v2_msg(b, field, &sub);
}

/* A map of names to schemas (Definitions, Properties): repeated NamedSchema. */
static void api_openapi_v2_pb_named_schemas(struct buf *b, int field, const json_t *m)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)m, k, v) {
		struct buf named = BUF_INIT;

		api_openapi_v2_str(&named, API_PB_NAMED_NAME, k);
		api_openapi_v2_pb_schema_field(&named, API_PB_NAMED_VALUE, v);
		api_openapi_v2_msg(b, field, &named);
	}
}

static void api_openapi_v2_pb_schema(struct buf *b, const json_t *s)
{
	const json_t *v;

	api_openapi_v2_member_str(b, API_PB_SCHEMA_REF, s, "$ref");
	api_openapi_v2_member_str(b, API_PB_SCHEMA_FORMAT, s, "format");
	api_openapi_v2_member_str(b, API_PB_SCHEMA_TITLE, s, "title");
	api_openapi_v2_member_str(b, API_PB_SCHEMA_DESCRIPTION, s, "description");
	api_openapi_v2_bool(b, API_PB_SCHEMA_UNIQUE_ITEMS,
			    json_is_true(json_object_get(s, "uniqueItems")));
	api_openapi_v2_strs(b, API_PB_SCHEMA_REQUIRED, json_object_get(s, "required"));
	v = json_object_get(s, "additionalProperties");
	if (json_is_boolean(v) || json_is_object(v)) {
		struct buf add = BUF_INIT;

		if (json_is_object(v)) {
			api_openapi_v2_pb_schema_field(&add, API_PB_ADDITIONAL_SCHEMA, v);
		} else {
			/* Written even when false: a oneof member is present at 0. */
			api_openapi_v2_tag(&add, API_PB_ADDITIONAL_BOOLEAN, API_PB_WIRE_VARINT);
			api_openapi_v2_varint(&add, json_is_true(v));
		}
		api_openapi_v2_msg(b, API_PB_SCHEMA_ADDITIONAL, &add);
	}
	v = json_object_get(s, "type");
	if (json_is_string(v)) {
		struct buf t = BUF_INIT;

		api_openapi_v2_str(&t, API_PB_TYPE_VALUE, json_string_value(v));
		api_openapi_v2_msg(b, API_PB_SCHEMA_TYPE, &t);
	}
	v = json_object_get(s, "items");
	if (json_is_object(v)) {
		struct buf items = BUF_INIT;

		api_openapi_v2_pb_schema_field(&items, API_PB_ITEMS_SCHEMA, v);
		api_openapi_v2_msg(b, API_PB_SCHEMA_ITEMS, &items);
	}
	if (json_is_array(v = json_object_get(s, "allOf"))) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e)
			api_openapi_v2_pb_schema_field(b, API_PB_SCHEMA_ALL_OF, e);
	}
	if (json_is_object(v = json_object_get(s, "properties"))) {
		struct buf props = BUF_INIT;

		api_openapi_v2_pb_named_schemas(&props, API_PB_DEFS_PROPS, v);
		api_openapi_v2_msg(b, API_PB_SCHEMA_PROPERTIES, &props);
	}
	api_openapi_v2_bool(b, API_PB_SCHEMA_READ_ONLY,
			    json_is_true(json_object_get(s, "readOnly")));
	api_openapi_v2_exts(b, API_PB_SCHEMA_EXT, s);
}

/* A ParametersItem: Parameter{BodyParameter | NonBodyParameter{query, path
 * or header sub-schema}}. Parameters of other places are left out. */
static void api_openapi_v2_pb_param(struct buf *b, int field, const json_t *p)
{
	const char *in = json_string_value(json_object_get(p, "in"));
	struct buf inner = BUF_INIT, param = BUF_INIT, item = BUF_INIT;
	bool required = json_is_true(json_object_get(p, "required"));

	if (!in)
		return;
	if (strcmp(in, "body") == 0) {
		api_openapi_v2_member_str(&inner, API_PB_BODY_DESCRIPTION, p, "description");
		api_openapi_v2_member_str(&inner, API_PB_BODY_NAME, p, "name");
		api_openapi_v2_str(&inner, API_PB_BODY_IN, in);
		api_openapi_v2_bool(&inner, API_PB_BODY_REQUIRED, required);
		if (json_object_get(p, "schema"))
			api_openapi_v2_pb_schema_field(&inner, API_PB_BODY_SCHEMA,
						       json_object_get(p, "schema"));
		api_openapi_v2_msg(&param, API_PB_PARAM_BODY, &inner);
	} else {
		const struct api_openapi_v2_nb_fields *nb = NULL;
		struct buf nonbody = BUF_INIT;

		for (size_t i = 0; i < API_OPENAPI_V2_NNB; i++)
			if (strcmp(api_openapi_v2_nb[i].in, in) == 0)
				nb = &api_openapi_v2_nb[i];
		if (!nb)
			return;
		api_openapi_v2_bool(&inner, 1, required);
		api_openapi_v2_str(&inner, 2, in);
		api_openapi_v2_member_str(&inner, 3, p, "description");
		api_openapi_v2_member_str(&inner, 4, p, "name");
		api_openapi_v2_member_str(&inner, nb->type, p, "type");
		api_openapi_v2_member_str(&inner, nb->format, p, "format");
		api_openapi_v2_bool(&inner, nb->unique,
				    json_is_true(json_object_get(p, "uniqueItems")));
		api_openapi_v2_msg(&nonbody, nb->oneof, &inner);
		api_openapi_v2_msg(&param, API_PB_PARAM_NON_BODY, &nonbody);
	}
	api_openapi_v2_msg(&item, API_PB_PARAMS_ITEM_PARAMETER, &param);
	api_openapi_v2_msg(b, field, &item);
}

static void api_openapi_v2_pb_params(struct buf *b, int field, const json_t *params)
{
	size_t i;
	json_t *p;

	json_array_foreach(params, i, p)
		api_openapi_v2_pb_param(b, field, p);
}

static void api_openapi_v2_pb_op(struct buf *b, int field, const json_t *op)
{
	struct buf o = BUF_INIT, responses = BUF_INIT;
	const char *code;
	json_t *r;

	api_openapi_v2_strs(&o, API_PB_OP_TAGS, json_object_get(op, "tags"));
	api_openapi_v2_member_str(&o, API_PB_OP_DESCRIPTION, op, "description");
	api_openapi_v2_member_str(&o, API_PB_OP_ID, op, "operationId");
	api_openapi_v2_strs(&o, API_PB_OP_PRODUCES, json_object_get(op, "produces"));
	api_openapi_v2_strs(&o, API_PB_OP_CONSUMES, json_object_get(op, "consumes"));
	api_openapi_v2_pb_params(&o, API_PB_OP_PARAMETERS, json_object_get(op, "parameters"));
	json_object_foreach(json_object_get(op, "responses"), code, r) {
		struct buf named = BUF_INIT, value = BUF_INIT, resp = BUF_INIT;

		api_openapi_v2_member_str(&resp, API_PB_RESPONSE_DESCRIPTION, r, "description");
		if (json_object_get(r, "schema")) {
			struct buf item = BUF_INIT;

			api_openapi_v2_pb_schema_field(&item, API_PB_SCHEMA_ITEM_SCHEMA,
						       json_object_get(r, "schema"));
			api_openapi_v2_msg(&resp, API_PB_RESPONSE_SCHEMA, &item);
		}
		api_openapi_v2_msg(&value, API_PB_RESPONSE_VALUE_RESPONSE, &resp);
		api_openapi_v2_str(&named, API_PB_NAMED_NAME, code);
		api_openapi_v2_msg(&named, API_PB_NAMED_VALUE, &value);
		api_openapi_v2_msg(&responses, API_PB_RESPONSES_CODE, &named);
	}
	api_openapi_v2_msg(&o, API_PB_OP_RESPONSES, &responses);
	api_openapi_v2_exts(&o, API_PB_OP_EXT, op);
	api_openapi_v2_msg(b, field, &o);
}

/* PathItem's operations, by field number. */
static const struct {
	const char *method;
	int field;
} api_openapi_v2_methods[] = {
	{ "get", 2 }, { "put", 3 }, { "post", 4 }, { "delete", 5 }, { "options", 6 },
	{ "head", 7 }, { "patch", 8 },
};

static void api_openapi_v2_pb_path_item(struct buf *b, const json_t *item)
{
	for (size_t i = 0; i < sizeof(api_openapi_v2_methods) / sizeof(api_openapi_v2_methods[0]);
	     i++) {
		const json_t *op = json_object_get(item, api_openapi_v2_methods[i].method);

		if (json_is_object(op))
			api_openapi_v2_pb_op(b, api_openapi_v2_methods[i].field, op);
	}
	api_openapi_v2_pb_params(b, API_PB_ITEM_PARAMETERS, json_object_get(item, "parameters"));
	api_openapi_v2_exts(b, API_PB_ITEM_EXT, item);
}

char *api_openapi_v2_proto(const json_t *doc, size_t *len)
{
	struct buf out = BUF_INIT, info = BUF_INIT, paths = BUF_INIT, defs = BUF_INIT;
	const json_t *v;
	const char *k;

	*len = 0;
	if (!json_is_object(doc))
		return NULL;
	api_openapi_v2_member_str(&out, API_PB_DOC_SWAGGER, doc, "swagger");
	v = json_object_get(doc, "info");
	api_openapi_v2_member_str(&info, API_PB_INFO_TITLE, v, "title");
	api_openapi_v2_member_str(&info, API_PB_INFO_VERSION, v, "version");
	api_openapi_v2_msg(&out, API_PB_DOC_INFO, &info);
	json_object_foreach(json_object_get(doc, "paths"), k, v) {
		struct buf named = BUF_INIT, item = BUF_INIT;

		api_openapi_v2_pb_path_item(&item, v);
		api_openapi_v2_str(&named, API_PB_NAMED_NAME, k);
		api_openapi_v2_msg(&named, API_PB_NAMED_VALUE, &item);
		api_openapi_v2_msg(&paths, API_PB_PATHS_PATH, &named);
	}
	api_openapi_v2_msg(&out, API_PB_DOC_PATHS, &paths);
	if ((v = json_object_get(doc, "definitions"))) {
		api_openapi_v2_pb_named_schemas(&defs, API_PB_DEFS_PROPS, v);
		api_openapi_v2_msg(&out, API_PB_DOC_DEFINITIONS, &defs);
	}
	if (out.oom || !out.data) {
		buf_free(&out);
		return NULL;
	}
	*len = out.len;
	return out.data;
}
