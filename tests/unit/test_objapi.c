/* Unit tests for cli/objapi.c: request paths, and objects between the
 * API's JSON and the lab's model (what a request body leaves to the server,
 * what a reply's long annotations become). No server: objapi_call is
 * exercised by tests/integration/test_cli_objects.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objapi.h"

static void test_path(void **state)
{
	char p[256];

	(void)state;
	objapi_path("deployments", "prod", "web", NULL, p, sizeof(p));
	assert_string_equal(p, "/apis/apps/v1/namespaces/prod/deployments/web");
	objapi_path(objapi_resource(MANIFEST_DAEMONSET), "prod", "web", NULL, p, sizeof(p));
	assert_string_equal(p, "/apis/apps/v1/namespaces/prod/daemonsets/web");
	objapi_path("services", "default", NULL, "dryRun=All", p, sizeof(p));
	assert_string_equal(p, "/api/v1/namespaces/default/services?dryRun=All");
	objapi_path(objapi_resource(MANIFEST_SERVICE), NULL, NULL, NULL, p, sizeof(p));
	assert_string_equal(p, "/api/v1/services");
	objapi_path("deployments", "a", "b", "dryRun=All", p, 20);   /* truncated, terminated */
	assert_int_equal(strlen(p), 19);
}

/* A body carries the object, not what the server owns. */
static void test_body(void **state)
{
	struct model_service *s = calloc(1, sizeof(*s)), *back = calloc(1, sizeof(*back));
	json_t *body, *meta;
	char err[256];

	(void)state;
	snprintf(s->meta.name, sizeof(s->meta.name), "web");
	snprintf(s->meta.ns, sizeof(s->meta.ns), "default");
	snprintf(s->meta.uid, sizeof(s->meta.uid), "u-1");
	snprintf(s->meta.created, sizeof(s->meta.created), "2026-01-01T00:00:00Z");
	s->meta.generation = 3;
	model_map_set(&s->meta.labels, "app", "web");
	s->type = MODEL_SVC_LOAD_BALANCER;
	s->n_ports = 1;
	s->ports[0].port = 80;
	s->ports[0].node_port = 30080;
	s->affinity_timeout_s = 10800;
	inet_pton(AF_INET, "10.0.0.12", &s->cluster_ip);
	inet_pton(AF_INET, "203.0.113.10", &s->ingress_ip);
	body = objapi_from_service(s);
	assert_non_null(body);
	meta = json_object_get(body, "metadata");
	assert_null(json_object_get(body, "status"));
	assert_null(json_object_get(meta, "uid"));
	assert_null(json_object_get(meta, "creationTimestamp"));
	assert_null(json_object_get(meta, "generation"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(meta, "labels"),
							      "app")), "web");
	assert_string_equal(json_string_value(json_object_get(json_object_get(body, "spec"),
							      "clusterIP")), "10.0.0.12");
	/* And back: the same Service, less what the body left out. */
	assert_int_equal(objapi_to_service(body, back, err, sizeof(err)), 0);
	assert_string_equal(back->meta.name, "web");
	assert_int_equal(back->ports[0].node_port, 30080);
	assert_int_equal(back->cluster_ip.s_addr, s->cluster_ip.s_addr);
	assert_int_equal(back->ingress_ip.s_addr, 0);
	json_decref(body);
	free(s);
	free(back);
}

/* The server's object may hold annotations the model has no room for
 * (kubectl's last-applied configuration): they are left out, not an
 * error. */
static void test_long_annotation(void **state)
{
	struct model_deployment *d = calloc(1, sizeof(*d));
	char *big = malloc(MODEL_VALUE_MAX + 100), err[256];
	json_t *obj;

	(void)state;
	memset(big, 'x', MODEL_VALUE_MAX + 99);
	big[MODEL_VALUE_MAX + 99] = '\0';
	obj = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}, s:[]},"
			" s:{s:i, s:{s:{s:s}}, s:{s:{s:{s:s}}, s:{s:[{s:s, s:s}]}}}}",
			"apiVersion", "apps/v1", "kind", "Deployment",
			"metadata", "name", "web", "namespace", "default", "resourceVersion", "7",
			"annotations", "kubectl.kubernetes.io/last-applied-configuration", big,
			"team", "a", "managedFields",
			"spec", "replicas", 2, "selector", "matchLabels", "app", "web",
			"template", "metadata", "labels", "app", "web",
			"spec", "containers", "name", "web", "image", "nginx");
	assert_non_null(obj);
	assert_int_equal(objapi_to_deployment(obj, d, err, sizeof(err)), 0);
	assert_int_equal(d->replicas, 2);
	assert_int_equal(d->meta.annotations.n, 1);
	assert_string_equal(model_map_get(&d->meta.annotations, "team"), "a");
	json_decref(obj);
	free(big);
	free(d);
}

static void test_status(void **state)
{
	json_t *st = json_pack("{s:s, s:s, s:i}", "reason", "Conflict", "message", "m", "code", 409);

	(void)state;
	assert_string_equal(objapi_reason(st), "Conflict");
	assert_string_equal(objapi_message(st), "m");
	assert_string_equal(objapi_reason(NULL), "");
	json_decref(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_long_annotation),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
