/* test_api_openapi_v2.c — the OpenAPI v2 document: its Swagger 2.0 JSON
 * form, content negotiation, and its protobuf form read back with a small
 * wire-format reader written here (field numbers of gnostic's
 * openapiv2/OpenAPIv2.proto). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_discovery.h"
#include "tjson.h"

#define DEPLOY_PATH "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
#define KUBECTL_ACCEPT "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"

/* ---- a protobuf reader ---- */

struct pb {
	const uint8_t *p;
	size_t len;
};

static bool pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* Walks every field of m; fails the test on malformed input. Returns the
 * n-th (from 0) occurrence of field in *out (length-delimited: the bytes;
 * varint: the value in *num). */
static bool pb_get(struct pb m, int field, int n, struct pb *out, uint64_t *num)
{
	const uint8_t *p = m.p, *end = m.p + m.len;
	bool found = false;

	while (p < end) {
		uint64_t key, v;

		assert_true(pb_varint(&p, end, &key));
		switch (key & 7) {
		case 0:
			assert_true(pb_varint(&p, end, &v));
			if ((int)(key >> 3) == field && n-- == 0 && !found) {
				found = true;
				if (num)
					*num = v;
			}
			break;
		case 2:
			assert_true(pb_varint(&p, end, &v));
			assert_true(v <= (uint64_t)(end - p));
			if ((int)(key >> 3) == field && n-- == 0 && !found) {
				found = true;
				if (out)
					*out = (struct pb){ p, (size_t)v };
			}
			p += v;
			break;
		default:
			fail_msg("unexpected wire type %d", (int)(key & 7));
		}
	}
	assert_true(p == end);
	return found;
}

static struct pb pb_msg(struct pb m, int field)
{
	struct pb out = { NULL, 0 };

	if (!pb_get(m, field, 0, &out, NULL))
		fail_msg("no field %d", field);
	return out;
}

static bool pb_str_is(struct pb m, int field, const char *s)
{
	struct pb v;

	return pb_get(m, field, 0, &v, NULL) && v.len == strlen(s) && memcmp(v.p, s, v.len) == 0;
}

/* The value of the repeated Named* (name 1, value 2) of m whose name is name. */
static bool pb_named(struct pb m, int field, const char *name, struct pb *value)
{
	struct pb e;

	for (int i = 0; pb_get(m, field, i, &e, NULL); i++)
		if (pb_str_is(e, 1, name)) {
			*value = pb_msg(e, 2);
			return true;
		}
	return false;
}

/* The YAML text of a vendor extension (NamedAny{name, Any{yaml 2}}). */
static char *pb_ext(struct pb m, int field, const char *name)
{
	struct pb any, yaml;
	char *s;

	if (!pb_named(m, field, name, &any) || !pb_get(any, 2, 0, &yaml, NULL))
		return NULL;
	s = malloc(yaml.len + 1);
	assert_non_null(s);
	memcpy(s, yaml.p, yaml.len);
	s[yaml.len] = '\0';
	return s;
}

/* The vendor extension `name` is there, its YAML text `want`. */
static void assert_ext(struct pb m, int field, const char *name, const char *want)
{
	char *yaml = pb_ext(m, field, name);

	assert_non_null(yaml);
	assert_string_equal(yaml, want);
	free(yaml);
}

/* The query parameter (ParametersItem.parameter.non_body_parameter.
 * query_parameter_sub_schema) of an operation named name. */
static bool pb_query_param(struct pb op, const char *name, struct pb *q)
{
	struct pb item, param, nonbody;

	for (int i = 0; pb_get(op, 8, i, &item, NULL); i++)
		if (pb_get(item, 1, 0, &param, NULL) && pb_get(param, 2, 0, &nonbody, NULL) &&
		    pb_get(nonbody, 3, 0, q, NULL) && pb_str_is(*q, 4, name))
			return true;
	return false;
}

static struct pb encode(const json_t *doc, char **bytes)
{
	size_t len = 0;

	*bytes = api_openapi_v2_proto(doc, &len);
	assert_non_null(*bytes);
	assert_true(len > 0);
	return (struct pb){ (const uint8_t *)*bytes, len };
}

/* ---- content negotiation ---- */

static void test_content_type(void **state)
{
	(void)state;
	/* kubectl 1.27/1.28 and 1.20 send exactly this. */
	assert_string_equal(api_openapi_v2_content_type(KUBECTL_ACCEPT), API_OPENAPI_V2_PROTOBUF);
	assert_string_equal(api_openapi_v2_content_type(API_OPENAPI_V2_PROTOBUF),
			    API_OPENAPI_V2_PROTOBUF);
	/* The reply's type has no '@', which Go's mime parser refuses. */
	assert_null(strchr(API_OPENAPI_V2_PROTOBUF, '@'));
	assert_string_equal(api_openapi_v2_content_type("application/json"), "application/json");
	assert_string_equal(api_openapi_v2_content_type(""), "application/json");
	assert_string_equal(api_openapi_v2_content_type(NULL), "application/json");
	assert_string_equal(api_openapi_v2_content_type("*/*"), "application/json");
	assert_string_equal(api_openapi_v2_content_type("text/html, application/*;q=0.5"),
			    "application/json");
	assert_string_equal(api_openapi_v2_content_type("application/json, " KUBECTL_ACCEPT),
			    "application/json");
	assert_string_equal(api_openapi_v2_content_type(" " KUBECTL_ACCEPT " ; q=1, */*"),
			    API_OPENAPI_V2_PROTOBUF);
	/* Refusals and what cannot be served. */
	assert_string_equal(api_openapi_v2_content_type(KUBECTL_ACCEPT ";q=0, application/json"),
			    "application/json");
	assert_null(api_openapi_v2_content_type("application/json;q=0.0"));
	assert_null(api_openapi_v2_content_type("text/html"));
	assert_null(api_openapi_v2_content_type("application/yaml, text/plain"));
	assert_null(api_openapi_v2_content_type(",,"));
}

/* ---- the Swagger 2.0 document ---- */

static const json_t *param_named(const json_t *params, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(params, i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
			return p;
	return NULL;
}

static void test_json_document(void **state)
{
	json_t *doc = api_openapi_v2(), *paths, *item, *op, *v;
	const json_t *p;
	const char *path;
	char *text;
	int patches = 0;

	(void)state;
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "swagger")), "2.0");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "info"),
							      "version")), api_server_git_version);
	paths = json_object_get(doc, "paths");
	/* Every served group is in the one document. */
	assert_non_null(json_object_get(paths, DEPLOY_PATH));
	assert_non_null(json_object_get(paths, "/api/v1/namespaces/{namespace}/pods/{name}"));
	assert_non_null(json_object_get(paths, "/api/v1/namespaces/{name}"));
	assert_non_null(json_object_get(paths,
			"/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices"));

	/* Every patch operation names its kind and takes fieldValidation, and
	 * none offers strategic merge patch. */
	json_object_foreach(paths, path, item) {
		op = json_object_get(item, "patch");
		if (!op)
			continue;
		patches++;
		p = param_named(json_object_get(op, "parameters"), "fieldValidation");
		assert_non_null(p);
		assert_string_equal(json_string_value(json_object_get(p, "in")), "query");
		assert_string_equal(json_string_value(json_object_get(p, "type")), "string");
		assert_null(json_object_get(p, "schema"));
		assert_true(json_is_object(json_object_get(op, "x-kubernetes-group-version-kind")));
		text = json_dumps(json_object_get(op, "consumes"), 0);
		assert_non_null(text);
		assert_null(strstr(text, "strategic-merge-patch"));
		assert_non_null(strstr(text, "application/merge-patch+json"));
		free(text);
	}
	assert_true(patches >= 10);

	item = json_object_get(paths, DEPLOY_PATH);
	assert_non_null(param_named(json_object_get(item, "parameters"), "namespace"));
	assert_true(json_is_true(json_object_get(param_named(json_object_get(item, "parameters"),
							       "name"), "required")));
	/* A request body becomes a body parameter. */
	op = json_object_get(item, "put");
	p = param_named(json_object_get(op, "parameters"), "body");
	assert_non_null(p);
	assert_string_equal(json_string_value(json_object_get(p, "in")), "body");
	v = json_object_get(p, "schema");
	assert_string_equal(json_string_value(json_object_get(v, "$ref")),
			    "#/definitions/io.k8s.api.apps.v1.Deployment");
	/* Response content becomes a schema. */
	v = json_object_get(json_object_get(json_object_get(op, "responses"), "200"), "schema");
	assert_string_equal(json_string_value(json_object_get(v, "$ref")),
			    "#/definitions/io.k8s.api.apps.v1.Deployment");

	/* Definitions: references point into them, allOf wrappers are gone. */
	v = json_object_get(json_object_get(doc, "definitions"), "io.k8s.api.apps.v1.Deployment");
	assert_non_null(v);
	assert_true(json_is_array(json_object_get(v, "x-kubernetes-group-version-kind")));
	v = json_object_get(json_object_get(v, "properties"), "spec");
	assert_string_equal(json_string_value(json_object_get(v, "$ref")),
			    "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
	assert_null(json_object_get(v, "allOf"));
	assert_non_null(json_object_get(v, "description"));
	v = json_object_get(json_object_get(doc, "definitions"),
			    "io.k8s.apimachinery.pkg.api.resource.Quantity");
	assert_string_equal(json_string_value(json_object_get(v, "type")), "string");
	assert_null(json_object_get(v, "oneOf"));
	v = json_object_get(json_object_get(doc, "definitions"),
			    "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
	assert_string_equal(json_string_value(json_object_get(v, "type")), "string");
	assert_string_equal(json_string_value(json_object_get(v, "format")), "int-or-string");
	text = json_dumps(doc, 0);
	assert_non_null(text);
	assert_null(strstr(text, "#/components/"));
	assert_null(strstr(text, "requestBody"));
	assert_null(strstr(text, "\"allOf\""));
	free(text);
	json_decref(doc);
}

/* ---- the protobuf document ---- */

static void test_proto_document(void **state)
{
	json_t *doc = api_openapi_v2();
	struct pb m, info, paths, item, op, q, defs, schema, props, spec, t;
	char *bytes;
	uint64_t num = 0;

	(void)state;
	assert_non_null(doc);
	m = encode(doc, &bytes);
	assert_true(pb_str_is(m, 1, "2.0"));
	info = pb_msg(m, 2);
	assert_true(pb_str_is(info, 1, "Kubernetes"));
	assert_true(pb_str_is(info, 2, api_server_git_version));

	/* paths (8) -> NamedPathItem (2) -> PathItem -> patch (8). */
	paths = pb_msg(m, 8);
	assert_true(pb_named(paths, 2, DEPLOY_PATH, &item));
	op = pb_msg(item, 8);
	assert_true(pb_str_is(op, 5, "patchAppsV1NamespacedDeployment"));
	assert_true(pb_query_param(op, "fieldValidation", &q));
	assert_true(pb_str_is(q, 2, "query"));
	assert_true(pb_str_is(q, 6, "string"));
	assert_false(pb_query_param(op, "bogus", &q));
	assert_ext(op, 13, "x-kubernetes-group-version-kind",
		   "group: apps\nversion: v1\nkind: Deployment\n");
	assert_ext(op, 13, "x-kubernetes-action", "patch\n");
	/* consumes (7): no strategic merge patch. */
	for (int i = 0; pb_get(op, 7, i, &t, NULL); i++)
		assert_null(memmem(t.p, t.len, "strategic", 9));
	assert_true(pb_get(op, 7, 0, NULL, NULL));
	/* The path's parameters (9): name is a required path parameter. */
	{
		struct pb pi, par, nb, path_p;
		bool seen = false;

		for (int i = 0; pb_get(item, 9, i, &pi, NULL); i++) {
			par = pb_msg(pi, 1);
			nb = pb_msg(par, 2);
			if (pb_get(nb, 4, 0, &path_p, NULL) && pb_str_is(path_p, 4, "name")) {
				seen = true;
				assert_true(pb_get(path_p, 1, 0, NULL, &num));
				assert_int_equal(num, 1);
				assert_true(pb_str_is(path_p, 5, "string"));
			}
		}
		assert_true(seen);
	}
	/* put (3) has a body parameter with the kind's schema. */
	{
		struct pb put = pb_msg(item, 3), pi, par, body, s;
		bool seen = false;

		for (int i = 0; pb_get(put, 8, i, &pi, NULL); i++) {
			par = pb_msg(pi, 1);
			if (!pb_get(par, 1, 0, &body, NULL))
				continue;
			seen = true;
			assert_true(pb_str_is(body, 3, "body"));
			s = pb_msg(body, 5);
			assert_true(pb_str_is(s, 1, "#/definitions/io.k8s.api.apps.v1.Deployment"));
		}
		assert_true(seen);
	}
	/* The core group is written as an empty string, not left out. */
	assert_true(pb_named(paths, 2, "/api/v1/namespaces/{name}", &item));
	assert_ext(pb_msg(item, 8), 13, "x-kubernetes-group-version-kind",
		   "group: \"\"\nversion: v1\nkind: Namespace\n");

	/* definitions (9) -> NamedSchema (1) -> Schema. */
	defs = pb_msg(m, 9);
	assert_true(pb_named(defs, 1, "io.k8s.api.apps.v1.Deployment", &schema));
	t = pb_msg(schema, 22);
	assert_true(pb_str_is(t, 1, "object"));
	assert_ext(schema, 31, "x-kubernetes-group-version-kind",
		   "- group: apps\n  version: v1\n  kind: Deployment\n");
	props = pb_msg(schema, 25);
	assert_true(pb_named(props, 1, "spec", &spec));
	assert_true(pb_str_is(spec, 1, "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"));
	/* A list merged by key: items (23) and the patch extensions. */
	assert_true(pb_named(defs, 1, "io.k8s.api.core.v1.Container", &schema));
	assert_true(pb_named(pb_msg(schema, 25), 1, "ports", &spec));
	assert_true(pb_str_is(pb_msg(spec, 22), 1, "array"));
	assert_true(pb_str_is(pb_msg(pb_msg(spec, 23), 1), 1,
			      "#/definitions/io.k8s.api.core.v1.ContainerPort"));
	assert_ext(spec, 31, "x-kubernetes-patch-merge-key", "containerPort\n");
	/* A map: additionalProperties (21) -> schema (1). */
	assert_true(pb_named(defs, 1, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", &schema));
	assert_true(pb_named(pb_msg(schema, 25), 1, "labels", &spec));
	assert_true(pb_str_is(pb_msg(pb_msg(pb_msg(spec, 21), 1), 22), 1, "string"));
	/* required (19) */
	assert_true(pb_named(defs, 1, "io.k8s.api.core.v1.PodSpec", &schema));
	assert_true(pb_str_is(schema, 19, "containers"));

	free(bytes);
	json_decref(doc);
}

/* Documents the server never builds: members without a field are left
 * out, odd strings are quoted in the YAML, false booleans of a oneof are
 * written. */
static void test_proto_edges(void **state)
{
	json_t *doc;
	struct pb m, paths, item, op, pi, par, nb, h, defs, s;
	char *bytes;
	int nparams = 0;
	uint64_t num = 7;

	(void)state;
	{
		/* Single quotes for readability. */
		char text[] = "{'swagger':'2.0','paths':{'/x':{'get':{"
			      "'parameters':[{'name':'f','in':'formData','type':'string'},"
			      "{'name':'noin'},{'name':'h','in':'header','type':'integer',"
			      "'format':'int32'},{'name':'body','in':'body'}],"
			      "'x-yes':'yes','x-empty':'','x-num':'12','x-spaced':'a: b',"
			      "'x-bool':true,'x-map':{'k':'v','n':1,'l':[],'o':{},"
			      "'nested':{'a':['b',2]}},"
			      "'x-list':['a',{'b':'c','d':'e'},[1]]}}},"
			      "'definitions':{'M':{'type':'object','additionalProperties':false},"
			      "'E':{'properties':{}}}}";
		for (char *c = text; *c; c++)
			if (*c == '\'')
				*c = '"';
		doc = tjson_load(text);
	}
	m = encode(doc, &bytes);
	paths = pb_msg(m, 8);
	assert_true(pb_named(paths, 2, "/x", &item));
	op = pb_msg(item, 2);
	/* formData and a parameter without "in" are left out. */
	for (int i = 0; pb_get(op, 8, i, &pi, NULL); i++)
		nparams++;
	assert_int_equal(nparams, 2);
	pi = pb_msg(op, 8);
	par = pb_msg(pi, 1);
	nb = pb_msg(par, 2);
	h = pb_msg(nb, 1);
	assert_true(pb_str_is(h, 4, "h"));
	assert_true(pb_str_is(h, 5, "integer"));
	assert_true(pb_str_is(h, 6, "int32"));
	assert_false(pb_get(h, 1, 0, NULL, NULL));  /* required false: not written */

	assert_ext(op, 13, "x-yes", "\"yes\"\n");
	assert_ext(op, 13, "x-empty", "\"\"\n");
	assert_ext(op, 13, "x-num", "\"12\"\n");
	assert_ext(op, 13, "x-spaced", "\"a: b\"\n");
	assert_ext(op, 13, "x-bool", "true\n");
	/* "n" is a boolean to YAML 1.1, so it is quoted. */
	assert_ext(op, 13, "x-map",
		   "k: v\n\"n\": 1\nl: []\no: {}\nnested:\n  a:\n    - b\n    - 2\n");
	assert_ext(op, 13, "x-list", "- a\n- b: c\n  d: e\n- [1]\n");
	assert_null(pb_ext(op, 13, "summary"));

	defs = pb_msg(m, 9);
	assert_true(pb_named(defs, 1, "M", &s));
	assert_true(pb_get(pb_msg(s, 21), 2, 0, NULL, &num));
	assert_int_equal(num, 0);
	/* Empty properties are present (an object kind, not an arbitrary value). */
	assert_true(pb_named(defs, 1, "E", &s));
	assert_true(pb_get(s, 25, 0, &h, NULL));
	assert_int_equal(h.len, 0);
	free(bytes);
	json_decref(doc);
}

static void test_proto_bad_input(void **state)
{
	json_t *arr = json_array(), *empty = json_object();
	size_t len = 99;
	char *bytes;

	(void)state;
	assert_null(api_openapi_v2_proto(NULL, &len));
	assert_int_equal(len, 0);
	len = 99;
	assert_null(api_openapi_v2_proto(arr, &len));
	assert_int_equal(len, 0);
	/* An empty document still has its (empty) info and paths. */
	bytes = api_openapi_v2_proto(empty, &len);
	assert_non_null(bytes);
	assert_int_equal(len, 4);
	assert_memory_equal(bytes, "\x12\x00\x42\x00", 4);
	free(bytes);
	json_decref(arr);
	json_decref(empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_json_document),
		cmocka_unit_test(test_proto_document),
		cmocka_unit_test(test_proto_edges),
		cmocka_unit_test(test_proto_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
