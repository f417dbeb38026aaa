/* Unit tests for controller/ctl_api.c: the API server's objects as the
 * controller's model of them, from a hand-made view (no server). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* A view of the API with the collections given as JSON maps ("ns/name" ->
 * object); the others empty. */
static void view_init(struct ctl_api_view *v)
{
	memset(v, 0, sizeof(*v));
	for (int k = 0; k < CTL_COLL_COUNT; k++)
		v->coll[k] = json_object();
}

static void put(struct ctl_api_view *v, enum ctl_coll k, const char *key, const char *json)
{
	json_t *obj = json_loads(json, 0, NULL);

	assert_non_null(obj);
	assert_int_equal(json_object_set_new(v->coll[k], key, obj), 0);
}

#define WEB_DEPLOYMENT(CM) \
	"{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"generation\":1}," \
	"\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}," \
	"\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[" \
	"{\"name\":\"web\",\"image\":\"nfranssens/nodejs-ip\"," \
	"\"envFrom\":[{\"configMapRef\":{\"name\":\"" CM "\"},\"prefix\":\"C_\"}]," \
	"\"env\":[{\"name\":\"PLAIN\",\"value\":\"1\"}," \
	"{\"name\":\"TOKEN\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"s\",\"key\":\"t\"}}}," \
	"{\"name\":\"GONE\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"nope\",\"key\":\"x\"}}}]" \
	"}]}}}}"

static const char *env_of(const struct model_deployment *d, const char *name)
{
	const struct model_container *c = &d->pod.containers[0];

	for (int i = 0; i < c->n_env; i++)
		if (strcmp(c->env[i].name, name) == 0)
			return c->env[i].value;
	return NULL;
}

static void workloads(struct ctl_api_view *v, struct model_deployment **d,
		      char (**h)[CTL_HASH_LEN + 1], int *n)
{
	assert_int_equal(ctl_api_workloads(v, d, h, n), 0);
}

static void test_env_resolved_hash_as_written(void **state)
{
	struct ctl_api_view v;
	struct model_deployment *d;
	char (*h)[CTL_HASH_LEN + 1], first[CTL_HASH_LEN + 1];
	int n;

	(void)state;
	view_init(&v);
	put(&v, CTL_DEPLOYMENTS, "default/web", WEB_DEPLOYMENT("cfg"));
	put(&v, CTL_CONFIGMAPS, "default/cfg", "{\"data\":{\"MODE\":\"fast\"}}");
	/* "c2VjcmV0" is base64 for "secret". */
	put(&v, CTL_SECRETS, "default/s", "{\"data\":{\"t\":\"c2VjcmV0\"}}");
	workloads(&v, &d, &h, &n);
	assert_int_equal(n, 1);
	assert_false(d[0].daemon_set);
	assert_int_equal(d[0].replicas, 2);
	/* envFrom first, with its prefix; a value that does not resolve is left out. */
	assert_string_equal(d[0].pod.containers[0].env[0].name, "C_MODE");
	assert_string_equal(env_of(&d[0], "C_MODE"), "fast");
	assert_string_equal(env_of(&d[0], "PLAIN"), "1");
	assert_string_equal(env_of(&d[0], "TOKEN"), "secret");
	assert_null(env_of(&d[0], "GONE"));
	memcpy(first, h[0], sizeof(first));
	assert_int_equal(strlen(first), CTL_HASH_LEN);
	free(d);
	free(h);

	/* The ConfigMap changes: new values, the same template hash. */
	put(&v, CTL_CONFIGMAPS, "default/cfg", "{\"data\":{\"MODE\":\"slow\"}}");
	workloads(&v, &d, &h, &n);
	assert_string_equal(env_of(&d[0], "C_MODE"), "slow");
	assert_string_equal(h[0], first);
	free(d);
	free(h);

	/* The template names another ConfigMap: a new hash. */
	put(&v, CTL_DEPLOYMENTS, "default/web", WEB_DEPLOYMENT("cfg2"));
	workloads(&v, &d, &h, &n);
	assert_string_not_equal(h[0], first);
	assert_null(env_of(&d[0], "C_MODE"));
	free(d);
	free(h);
	ctl_api_end(&v);
}

static void test_order_and_kinds(void **state)
{
	static const char dep[] =
		"{\"metadata\":{\"name\":\"%s\",\"namespace\":\"%s\"},\"spec\":{"
		"\"selector\":{\"matchLabels\":{\"app\":\"a\"}},\"template\":{\"metadata\":{"
		"\"labels\":{\"app\":\"a\"}},\"spec\":{\"containers\":[{\"name\":\"a\","
		"\"image\":\"nfranssens/nodejs-ip\"}]}}}}";
	struct ctl_api_view v;
	struct model_deployment *d;
	struct model_service *svcs;
	char (*h)[CTL_HASH_LEN + 1], text[512];
	int n;

	(void)state;
	view_init(&v);
	snprintf(text, sizeof(text), dep, "b", "default");
	put(&v, CTL_DEPLOYMENTS, "default/b", text);
	snprintf(text, sizeof(text), dep, "a", "x");
	put(&v, CTL_DEPLOYMENTS, "x/a", text);
	snprintf(text, sizeof(text), dep, "a", "default");
	put(&v, CTL_DAEMONSETS, "default/a", text);
	/* One the model refuses (no name) is left out, the others stay. */
	put(&v, CTL_DEPLOYMENTS, "default/broken", "{\"metadata\":{\"namespace\":\"default\"}}");
	workloads(&v, &d, &h, &n);
	assert_int_equal(n, 3);
	/* Deployments sorted by namespace then name, then the DaemonSets. */
	assert_string_equal(d[0].meta.name, "b");
	assert_string_equal(d[n - 2].meta.ns, "x");
	assert_true(d[n - 1].daemon_set);
	assert_string_equal(d[n - 1].meta.name, "a");
	free(d);
	free(h);
	assert_true(ctl_api_has(&v, CTL_DEPLOYMENTS, "default", "broken"));
	assert_false(ctl_api_has(&v, CTL_DEPLOYMENTS, "default", "a"));

	put(&v, CTL_SERVICES, "default/z", "{\"metadata\":{\"name\":\"z\",\"namespace\":\"default\"},"
					   "\"spec\":{\"ports\":[{\"port\":80}]}}");
	put(&v, CTL_SERVICES, "default/y", "{\"metadata\":{\"name\":\"y\",\"namespace\":\"default\"},"
					   "\"spec\":{\"ports\":[{\"port\":81}]}}");
	assert_int_equal(ctl_api_services(&v, &svcs, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(svcs[0].meta.name, "y");
	free(svcs);
	ctl_api_end(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_resolved_hash_as_written),
		cmocka_unit_test(test_order_and_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
