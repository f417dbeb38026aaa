/* test_api_discovery.c — /version, legacy and aggregated discovery, the
 * OpenAPI v3 documents and strict field validation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api_discovery.h"
#include "tjson.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The member of an array whose key is value. */
static json_t *find(const json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e) {
		const char *v = str(e, key);
		if (v && strcmp(v, value) == 0)
			return e;
	}
	return NULL;
}

static bool has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
			return true;
	return false;
}

/* obj's list `key` holds the string s. */
static bool lists(const json_t *obj, const char *key, const char *s)
{
	return has_string(json_object_get(obj, key), s);
}

static void test_version(void **state)
{
	json_t *v = api_discovery_version();

	(void)state;
	assert_non_null(v);
	assert_string_equal(str(v, "gitVersion"), api_server_git_version);
	assert_string_equal(str(v, "gitVersion"), "v1.33.0");
	assert_string_equal(str(v, "major"), "1");
	assert_string_equal(str(v, "minor"), "33");
	assert_string_equal(str(v, "compiler"), "gc");
	assert_string_equal(str(v, "gitTreeState"), "clean");
	assert_int_equal(strncmp(str(v, "platform"), "linux/", 6), 0);
	assert_non_null(str(v, "gitCommit"));
	assert_non_null(str(v, "buildDate"));
	assert_non_null(str(v, "goVersion"));
	json_decref(v);
}

/* The one version of the only item of an aggregated list for a group. */
static json_t *agg_resources(const json_t *list, const char *group)
{
	json_t *item = NULL, *e, *ver;
	size_t i;

	json_array_foreach(json_object_get(list, "items"), i, e)
		if (strcmp(str(json_object_get(e, "metadata"), "name"), group) == 0)
			item = e;
	assert_non_null(item);
	assert_int_equal(json_array_size(json_object_get(item, "versions")), 1);
	ver = json_array_get(json_object_get(item, "versions"), 0);
	assert_string_equal(str(ver, "version"), "v1");
	assert_string_equal(str(ver, "freshness"), "Current");
	return json_object_get(ver, "resources");
}

static void assert_gvk(const json_t *gvk, const char *group, const char *version,
		       const char *kind)
{
	assert_non_null(gvk);
	assert_string_equal(str(gvk, "group"), group);
	assert_string_equal(str(gvk, "version"), version);
	assert_string_equal(str(gvk, "kind"), kind);
}

static void test_aggregated_core_v2(void **state)
{
	json_t *l = api_discovery_aggregated(true, "v2");
	json_t *res, *pods, *nodes, *cm, *subs;

	(void)state;
	assert_non_null(l);
	assert_string_equal(str(l, "kind"), "APIGroupDiscoveryList");
	assert_string_equal(str(l, "apiVersion"), "apidiscovery.k8s.io/v2");
	assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
	res = agg_resources(l, "");

	pods = find(res, "resource", "pods");
	assert_non_null(pods);
	assert_string_equal(str(pods, "scope"), "Namespaced");
	assert_string_equal(str(pods, "singularResource"), "pod");
	assert_gvk(json_object_get(pods, "responseKind"), "", "", "Pod");
	assert_true(lists(pods, "shortNames", "po"));
	assert_true(lists(pods, "categories", "all"));
	assert_true(lists(pods, "verbs", "watch"));
	assert_true(lists(pods, "verbs", "deletecollection"));
	subs = json_object_get(pods, "subresources");
	assert_int_equal(json_array_size(subs), 4);
	/* The scheduler's: create only. */
	assert_gvk(json_object_get(find(subs, "subresource", "binding"), "responseKind"), "", "",
		   "Binding");
	assert_true(lists(find(subs, "subresource", "binding"), "verbs", "create"));
	assert_false(lists(find(subs, "subresource", "binding"), "verbs", "get"));
	assert_gvk(json_object_get(find(subs, "subresource", "log"), "responseKind"), "", "",
		   "Pod");
	assert_true(lists(find(subs, "subresource", "log"), "verbs", "get"));
	assert_gvk(json_object_get(find(subs, "subresource", "exec"), "responseKind"), "", "",
		   "PodExecOptions");
	assert_true(lists(find(subs, "subresource", "exec"), "verbs", "create"));
	assert_true(lists(find(subs, "subresource", "status"), "verbs", "patch"));

	nodes = find(res, "resource", "nodes");
	assert_string_equal(str(nodes, "scope"), "Cluster");
	assert_string_equal(str(find(res, "resource", "namespaces"), "scope"), "Cluster");
	assert_false(lists(find(res, "resource", "namespaces"), "verbs", "deletecollection"));
	/* Not in `kubectl get all`, no subresources: the keys are absent. */
	cm = find(res, "resource", "configmaps");
	assert_null(json_object_get(cm, "categories"));
	assert_null(json_object_get(cm, "subresources"));
	assert_null(json_object_get(find(res, "resource", "secrets"), "shortNames"));
	assert_null(find(res, "resource", "deployments"));
	json_decref(l);
}

static void test_aggregated_groups_v2beta1(void **state)
{
	json_t *l = api_discovery_aggregated(false, "v2beta1");
	json_t *apps, *deploy, *scale, *slices, *ing, *lease;

	(void)state;
	assert_non_null(l);
	assert_string_equal(str(l, "apiVersion"), "apidiscovery.k8s.io/v2beta1");
	assert_int_equal(json_array_size(json_object_get(l, "items")), 4);
	apps = agg_resources(l, "apps");
	deploy = find(apps, "resource", "deployments");
	assert_non_null(deploy);
	assert_string_equal(str(deploy, "scope"), "Namespaced");
	assert_true(lists(deploy, "shortNames", "deploy"));
	assert_true(lists(deploy, "categories", "all"));
	scale = find(json_object_get(deploy, "subresources"), "subresource", "scale");
	assert_gvk(json_object_get(scale, "responseKind"), "autoscaling", "v1", "Scale");
	assert_true(lists(scale, "verbs", "update"));
	assert_gvk(json_object_get(find(json_object_get(deploy, "subresources"), "subresource",
					"status"), "responseKind"), "", "", "Deployment");
	slices = agg_resources(l, "discovery.k8s.io");
	assert_non_null(find(slices, "resource", "endpointslices"));
	ing = find(agg_resources(l, "networking.k8s.io"), "resource", "ingresses");
	assert_non_null(ing);
	assert_true(lists(ing, "shortNames", "ing"));
	assert_non_null(find(json_object_get(ing, "subresources"), "subresource", "status"));
	lease = find(agg_resources(l, "coordination.k8s.io"), "resource", "leases");
	assert_non_null(lease);
	assert_string_equal(str(lease, "scope"), "Namespaced");
	assert_string_equal(str(lease, "singularResource"), "lease");
	assert_gvk(json_object_get(lease, "responseKind"), "", "", "Lease");
	assert_null(json_object_get(lease, "shortNames"));
	assert_null(json_object_get(lease, "categories"));
	assert_int_equal(json_array_size(json_object_get(lease, "subresources")), 0);
	assert_true(lists(lease, "verbs", "deletecollection"));
	json_decref(l);
}

static void test_aggregated_bad_version(void **state)
{
	(void)state;
	assert_null(api_discovery_aggregated(true, "v1"));
	assert_null(api_discovery_aggregated(false, ""));
}

static void test_legacy(void **state)
{
	json_t *v = api_discovery_api_versions(), *gl = api_discovery_group_list();
	json_t *g = api_discovery_group("apps"), *core = api_discovery_resource_list("", "v1");
	json_t *apps = api_discovery_resource_list("apps", "v1"), *groups, *res, *e;

	(void)state;
	assert_string_equal(str(v, "kind"), "APIVersions");
	assert_true(lists(v, "versions", "v1"));
	assert_int_equal(json_array_size(json_object_get(v, "serverAddressByClientCIDRs")), 1);

	assert_string_equal(str(gl, "kind"), "APIGroupList");
	groups = json_object_get(gl, "groups");
	assert_int_equal(json_array_size(groups), 4);
	assert_null(find(groups, "name", ""));
	assert_non_null(find(groups, "name", "networking.k8s.io"));
	e = find(groups, "name", "coordination.k8s.io");
	assert_string_equal(str(json_object_get(e, "preferredVersion"), "groupVersion"),
			    "coordination.k8s.io/v1");
	e = find(groups, "name", "discovery.k8s.io");
	assert_string_equal(str(json_object_get(e, "preferredVersion"), "groupVersion"),
			    "discovery.k8s.io/v1");

	assert_string_equal(str(g, "kind"), "APIGroup");
	assert_string_equal(str(g, "name"), "apps");
	assert_string_equal(str(json_array_get(json_object_get(g, "versions"), 0), "groupVersion"),
			    "apps/v1");
	assert_null(api_discovery_group(""));
	assert_null(api_discovery_group("batch"));

	assert_string_equal(str(core, "kind"), "APIResourceList");
	assert_string_equal(str(core, "groupVersion"), "v1");
	assert_null(json_object_get(core, "apiVersion"));
	res = json_object_get(core, "resources");
	e = find(res, "name", "services");
	assert_true(json_is_true(json_object_get(e, "namespaced")));
	assert_string_equal(str(e, "singularName"), "service");
	assert_string_equal(str(e, "kind"), "Service");
	assert_true(lists(e, "shortNames", "svc"));
	assert_true(lists(e, "categories", "all"));
	e = find(res, "name", "pods/log");
	assert_string_equal(str(e, "kind"), "Pod");
	assert_string_equal(str(e, "singularName"), "");
	assert_int_equal(json_array_size(json_object_get(e, "verbs")), 1);
	assert_null(json_object_get(e, "group"));
	assert_true(json_is_false(json_object_get(find(res, "name", "nodes"), "namespaced")));
	assert_non_null(find(res, "name", "nodes/status"));

	assert_string_equal(str(apps, "apiVersion"), "v1");
	assert_string_equal(str(apps, "groupVersion"), "apps/v1");
	e = find(json_object_get(apps, "resources"), "name", "replicasets/scale");
	assert_string_equal(str(e, "group"), "autoscaling");
	assert_string_equal(str(e, "version"), "v1");
	assert_string_equal(str(e, "kind"), "Scale");

	assert_null(api_discovery_resource_list("apps", "v1beta1"));
	assert_null(api_discovery_resource_list("batch", "v1"));
	json_decref(v);
	json_decref(gl);
	json_decref(g);
	json_decref(core);
	json_decref(apps);
}

static void test_sub_helpers(void **state)
{
	size_t n;
	const struct api_resource *all = api_registry_all(&n);
	const char *g, *v, *k;

	(void)state;
	assert_non_null(api_discovery_sub_verbs("status"));
	assert_null(api_discovery_sub_verbs("eviction"));
	assert_false(api_discovery_sub_kind(&all[0], "proxy", &g, &v, &k));
	/* Every subresource of the registry is described. */
	for (size_t i = 0; i < n; i++)
		for (const char *const *s = all[i].subresources; s && *s; s++) {
			assert_true(api_discovery_sub_kind(&all[i], *s, &g, &v, &k));
			assert_non_null(api_discovery_sub_verbs(*s));
		}
}

static void test_openapi_root(void **state)
{
	json_t *r = api_openapi_v3_root(), *again = api_openapi_v3_root(), *paths;
	const char *url;

	(void)state;
	assert_non_null(r);
	paths = json_object_get(r, "paths");
	assert_int_equal(json_object_size(paths), 5);
	assert_non_null(json_object_get(paths, "apis/networking.k8s.io/v1"));
	assert_non_null(json_object_get(paths, "apis/coordination.k8s.io/v1"));
	url = str(json_object_get(paths, "api/v1"), "serverRelativeURL");
	assert_non_null(url);
	assert_int_equal(strncmp(url, "/openapi/v3/api/v1?hash=", 24), 0);
	assert_int_equal(strspn(url + 24, "0123456789ABCDEF"), 16);
	url = str(json_object_get(paths, "apis/apps/v1"), "serverRelativeURL");
	assert_int_equal(strncmp(url, "/openapi/v3/apis/apps/v1?hash=", 30), 0);
	assert_non_null(json_object_get(paths, "apis/discovery.k8s.io/v1"));
	/* Clients cache by URL: the same document gives the same hash, and
	 * the groups' documents differ. */
	assert_true(json_equal(r, again));
	assert_string_not_equal(str(json_object_get(paths, "api/v1"), "serverRelativeURL") + 24,
				url + 30);
	json_decref(r);
	json_decref(again);
}

/* Every "$ref" under j names a schema of components. */
static int check_refs(const json_t *j, const json_t *schemas)
{
	const char *key;
	json_t *v;
	size_t i;
	int n = 0;

	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, key, v) {
			if (strcmp(key, "$ref") == 0) {
				const char *ref = json_string_value(v);
				assert_non_null(ref);
				assert_int_equal(strncmp(ref, "#/components/schemas/", 21), 0);
				if (!json_object_get(schemas, ref + 21))
					fail_msg("unresolved %s", ref);
				n++;
			} else {
				n += check_refs(v, schemas);
			}
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			n += check_refs(v, schemas);
	}
	return n;
}

static bool has_query_param(const json_t *op, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(op, "parameters"), i, p)
		if (strcmp(str(p, "name"), name) == 0 && strcmp(str(p, "in"), "query") == 0)
			return true;
	return false;
}

/* What kubectl does before it sends fieldValidation=Strict: a patch
 * operation for the kind, with the query parameter; and what every patch
 * operation must then offer, since kubectl stops at the first one. */
static void check_patch_ops(const json_t *doc, const char *group, const char *kind)
{
	const char *path;
	json_t *item;
	int seen = 0;

	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		json_t *op = json_object_get(item, "patch"), *gvk;

		if (!op)
			continue;
		assert_true(has_query_param(op, "fieldValidation"));
		/* No request body: kubectl then builds strategic merge patches
		 * from its own types. */
		assert_null(json_object_get(op, "requestBody"));
		gvk = json_object_get(op, "x-kubernetes-group-version-kind");
		assert_true(json_is_object(gvk));
		if (strcmp(str(gvk, "kind"), kind) == 0 && strcmp(str(gvk, "group"), group) == 0)
			seen++;
	}
	assert_true(seen >= 1);
}

static void test_openapi_apps(void **state)
{
	json_t *doc = api_openapi_v3_group_version("apps", "v1");
	json_t *paths, *schemas, *item, *op, *s, *p;

	(void)state;
	assert_non_null(doc);
	assert_string_equal(str(doc, "openapi"), "3.0.0");
	paths = json_object_get(doc, "paths");
	schemas = json_object_get(json_object_get(doc, "components"), "schemas");

	item = json_object_get(paths, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}");
	assert_non_null(item);
	op = json_object_get(item, "patch");
	assert_non_null(op);
	assert_true(has_query_param(op, "fieldValidation"));
	assert_gvk(json_object_get(op, "x-kubernetes-group-version-kind"), "apps", "v1",
		   "Deployment");
	assert_string_equal(str(op, "x-kubernetes-action"), "patch");
	assert_string_equal(str(op, "operationId"), "patchAppsV1NamespacedDeployment");
	assert_non_null(json_object_get(item, "get"));
	assert_non_null(json_object_get(item, "put"));
	assert_non_null(json_object_get(item, "delete"));
	assert_non_null(json_object_get(json_object_get(paths,
		"/apis/apps/v1/namespaces/{namespace}/deployments"), "post"));
	assert_non_null(json_object_get(json_object_get(paths, "/apis/apps/v1/deployments"),
					"get"));
	op = json_object_get(json_object_get(paths,
		"/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"), "patch");
	assert_gvk(json_object_get(op, "x-kubernetes-group-version-kind"), "autoscaling", "v1",
		   "Scale");
	op = json_object_get(json_object_get(paths,
		"/apis/apps/v1/namespaces/{namespace}/replicasets/{name}/status"), "put");
	assert_gvk(json_object_get(op, "x-kubernetes-group-version-kind"), "apps", "v1",
		   "ReplicaSet");
	check_patch_ops(doc, "apps", "Deployment");
	check_patch_ops(doc, "apps", "ReplicaSet");

	/* kubectl explain: the kind's schema, found by its GVK, and $refs. */
	s = json_object_get(schemas, "io.k8s.api.apps.v1.Deployment");
	assert_non_null(s);
	assert_gvk(json_array_get(json_object_get(s, "x-kubernetes-group-version-kind"), 0),
		   "apps", "v1", "Deployment");
	p = json_object_get(json_object_get(s, "properties"), "spec");
	assert_string_equal(str(json_array_get(json_object_get(p, "allOf"), 0), "$ref"),
			    "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec");
	s = json_object_get(schemas, "io.k8s.api.apps.v1.DeploymentSpec");
	p = json_object_get(json_object_get(s, "properties"), "replicas");
	assert_string_equal(str(p, "type"), "integer");
	assert_non_null(str(p, "description"));
	assert_true(lists(s, "required", "selector"));
	assert_true(json_is_true(json_object_get(json_object_get(schemas,
		"io.k8s.apimachinery.pkg.util.intstr.IntOrString"), "x-kubernetes-int-or-string")));
	p = json_object_get(json_object_get(json_object_get(schemas,
		"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"), "properties"), "labels");
	assert_string_equal(str(json_object_get(p, "additionalProperties"), "type"), "string");
	p = json_object_get(json_object_get(json_object_get(schemas,
		"io.k8s.api.core.v1.PodSpec"), "properties"), "containers");
	assert_string_equal(str(p, "type"), "array");
	assert_string_equal(str(p, "x-kubernetes-patch-merge-key"), "name");
	assert_non_null(json_object_get(schemas, "io.k8s.api.apps.v1.DeploymentList"));
	assert_non_null(json_object_get(schemas, "io.k8s.api.autoscaling.v1.Scale"));
	/* Pod kinds live in api/v1, not here. */
	assert_null(json_object_get(json_object_get(schemas, "io.k8s.api.core.v1.Pod"),
				    "x-kubernetes-group-version-kind"));
	assert_true(check_refs(doc, schemas) > 100);
	json_decref(doc);
}

static json_t *prop(const json_t *schemas, const char *type, const char *field)
{
	return json_object_get(json_object_get(json_object_get(schemas, type), "properties"),
			       field);
}

static void test_openapi_core(void **state)
{
	json_t *doc = api_openapi_v3_group_version("", "v1"), *schemas, *p, *op;

	(void)state;
	assert_non_null(doc);
	schemas = json_object_get(json_object_get(doc, "components"), "schemas");
	p = prop(schemas, "io.k8s.api.core.v1.Secret", "data");
	assert_string_equal(str(json_object_get(p, "additionalProperties"), "format"), "byte");
	p = prop(schemas, "io.k8s.api.core.v1.ServicePort", "targetPort");
	assert_string_equal(str(json_array_get(json_object_get(p, "allOf"), 0), "$ref"),
			    "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString");
	p = prop(schemas, "io.k8s.api.core.v1.ResourceRequirements", "limits");
	assert_string_equal(str(json_array_get(json_object_get(json_object_get(p,
		"additionalProperties"), "allOf"), 0), "$ref"),
		"#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity");
	p = prop(schemas, "io.k8s.api.core.v1.Probe", "terminationGracePeriodSeconds");
	assert_string_equal(str(p, "format"), "int64");
	/* The deprecated volume plugins are free-form. */
	p = prop(schemas, "io.k8s.api.core.v1.Volume", "awsElasticBlockStore");
	assert_true(json_is_true(json_object_get(p, "x-kubernetes-preserve-unknown-fields")));
	/* Cluster-scoped kinds have no namespace in their paths. */
	assert_non_null(json_object_get(json_object_get(doc, "paths"),
					"/api/v1/nodes/{name}/status"));
	assert_null(json_object_get(json_object_get(doc, "paths"),
				    "/api/v1/namespaces/{namespace}/nodes"));
	op = json_object_get(json_object_get(json_object_get(doc, "paths"),
		"/api/v1/namespaces/{namespace}/pods/{name}/log"), "get");
	assert_true(has_query_param(op, "tailLines"));
	assert_non_null(json_object_get(json_object_get(json_object_get(op, "responses"), "200"),
					"content"));
	op = json_object_get(json_object_get(json_object_get(doc, "paths"),
		"/api/v1/namespaces/{namespace}/pods/{name}/exec"), "post");
	assert_gvk(json_object_get(op, "x-kubernetes-group-version-kind"), "", "v1",
		   "PodExecOptions");
	/* Namespaces are not deleted as a collection. */
	assert_null(json_object_get(json_object_get(json_object_get(doc, "paths"),
						    "/api/v1/namespaces"), "delete"));
	assert_non_null(json_object_get(json_object_get(json_object_get(doc, "paths"),
							"/api/v1/nodes"), "delete"));
	json_decref(doc);
}

/* Every served kind, in every document: the operations kubectl explain
 * looks its GVK up in, a schema carrying that GVK, refs that resolve. */
static void test_openapi_every_kind(void **state)
{
	size_t n;
	const struct api_resource *all = api_registry_all(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct api_resource *r = &all[i];
		json_t *doc = api_openapi_v3_group_version(r->group, r->version);
		json_t *paths, *schemas, *item, *schema;
		char path[256], name[160];
		const char *key;
		bool found = false;

		assert_non_null(doc);
		paths = json_object_get(doc, "paths");
		schemas = json_object_get(json_object_get(doc, "components"), "schemas");
		if (r->group[0])
			snprintf(path, sizeof(path), "/apis/%s/%s/%s%s", r->group, r->version,
				 r->namespaced ? "namespaces/{namespace}/" : "", r->resource);
		else
			snprintf(path, sizeof(path), "/api/%s/%s%s", r->version,
				 r->namespaced ? "namespaces/{namespace}/" : "", r->resource);
		item = json_object_get(paths, path);
		if (!item)
			fail_msg("no path %s", path);
		assert_gvk(json_object_get(json_object_get(item, "get"),
					   "x-kubernetes-group-version-kind"),
			   r->group, r->version, r->kind);
		check_patch_ops(doc, r->group, r->kind);
		json_object_foreach(schemas, key, schema) {
			json_t *gvk = json_array_get(json_object_get(schema,
						     "x-kubernetes-group-version-kind"), 0);
			if (gvk && strcmp(str(gvk, "kind"), r->kind) == 0 &&
			    strcmp(str(gvk, "group"), r->group) == 0)
				found = true;
		}
		assert_true(found);
		snprintf(name, sizeof(name), "io.k8s.api.%s.%s.%s",
			 !r->group[0] ? "core" : strcmp(r->group, "apps") == 0 ? "apps" :
			 strcmp(r->group, "networking.k8s.io") == 0 ? "networking" :
			 strcmp(r->group, "coordination.k8s.io") == 0 ? "coordination" : "discovery",
			 r->version, r->kind);
		assert_non_null(json_object_get(schemas, name));
		check_refs(doc, schemas);
		json_decref(doc);
	}
}

/* Type names that start with a scalar's letter (I, B) are types. */
static void test_openapi_networking(void **state)
{
	json_t *doc = api_openapi_v3_group_version("networking.k8s.io", "v1");
	json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
	json_t *spec = json_object_get(json_object_get(json_object_get(schemas,
		"io.k8s.api.networking.v1.Ingress"), "properties"), "spec");
	json_t *is = json_object_get(schemas, "io.k8s.api.networking.v1.IngressSpec");

	(void)state;
	assert_non_null(doc);
	assert_non_null(spec);
	assert_non_null(json_object_get(json_object_get(is, "properties"), "rules"));
	assert_non_null(json_object_get(schemas, "io.k8s.api.networking.v1.HTTPIngressPath"));
	json_decref(doc);
}

/* Lease's times are MicroTime (RFC 3339 in microseconds), its own schema. */
static void test_openapi_coordination(void **state)
{
	json_t *doc = api_openapi_v3_group_version("coordination.k8s.io", "v1");
	json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
	json_t *lease = json_object_get(schemas, "io.k8s.api.coordination.v1.Lease");
	json_t *props = json_object_get(json_object_get(schemas,
		"io.k8s.api.coordination.v1.LeaseSpec"), "properties");
	json_t *mt = json_object_get(schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime");
	const char *const fields[] = { "holderIdentity", "leaseDurationSeconds", "acquireTime",
				       "renewTime", "leaseTransitions", "strategy",
				       "preferredHolder" };

	(void)state;
	assert_non_null(doc);
	assert_gvk(json_array_get(json_object_get(lease, "x-kubernetes-group-version-kind"), 0),
		   "coordination.k8s.io", "v1", "Lease");
	assert_null(json_object_get(json_object_get(lease, "properties"), "status"));
	assert_int_equal(json_object_size(props), 7);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		assert_non_null(json_object_get(props, fields[i]));
	assert_string_equal(str(json_object_get(props, "leaseDurationSeconds"), "format"),
			    "int32");
	assert_string_equal(str(json_array_get(json_object_get(json_object_get(props,
		"renewTime"), "allOf"), 0), "$ref"),
		"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime");
	assert_string_equal(str(mt, "type"), "string");
	assert_string_equal(str(mt, "format"), "date-time");
	assert_non_null(json_object_get(schemas,
		"io.k8s.api.coordination.v1.LeaseList"));
	json_decref(doc);
}

static void test_openapi_unserved(void **state)
{
	(void)state;
	assert_null(api_openapi_v3_group_version("apps", "v1beta1"));
	assert_null(api_openapi_v3_group_version("batch", "v1"));
	assert_null(api_openapi_v3_group_version("", "v2"));
}

static const char deployment_ok[] =
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
	"\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\",\"labels\":{\"app\":\"web\","
	"\"tier/any.key\":\"x\"},\"annotations\":{\"deployment.kubernetes.io/revision\":\"3\"}},"
	"\"spec\":{\"replicas\":3,\"revisionHistoryLimit\":5,\"progressDeadlineSeconds\":600,"
	"\"minReadySeconds\":2,\"paused\":false,"
	"\"selector\":{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":[{\"key\":\"tier\","
	"\"operator\":\"In\",\"values\":[\"a\"]}]},"
	"\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"25%\","
	"\"maxUnavailable\":0}},"
	"\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
	"\"serviceAccountName\":\"web\",\"terminationGracePeriodSeconds\":30,"
	"\"dnsPolicy\":\"ClusterFirst\",\"restartPolicy\":\"Always\",\"hostNetwork\":false,"
	"\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"},"
	"\"securityContext\":{\"runAsNonRoot\":true,\"fsGroup\":2000,"
	"\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},"
	"\"affinity\":{\"podAntiAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":"
	"[{\"weight\":100,\"podAffinityTerm\":{\"topologyKey\":\"kubernetes.io/hostname\","
	"\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}}}}]},"
	"\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{"
	"\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\","
	"\"values\":[\"a\",\"b\"]}]}]}}},"
	"\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"web\","
	"\"effect\":\"NoSchedule\",\"tolerationSeconds\":30}],"
	"\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\","
	"\"whenUnsatisfiable\":\"ScheduleAnyway\",\"labelSelector\":{\"matchLabels\":"
	"{\"app\":\"web\"}}}],"
	"\"imagePullSecrets\":[{\"name\":\"reg\"}],"
	"\"initContainers\":[{\"name\":\"init\",\"image\":\"busybox\",\"command\":[\"sh\",\"-c\","
	"\"true\"]}],"
	"\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\",\"imagePullPolicy\":"
	"\"IfNotPresent\",\"args\":[\"-g\",\"daemon off;\"],\"workingDir\":\"/\","
	"\"ports\":[{\"name\":\"http\",\"containerPort\":80,\"protocol\":\"TCP\"}],"
	"\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"POD\",\"valueFrom\":{\"fieldRef\":"
	"{\"fieldPath\":\"metadata.name\"}}},{\"name\":\"PW\",\"valueFrom\":{\"secretKeyRef\":"
	"{\"name\":\"db\",\"key\":\"pw\",\"optional\":true}}},{\"name\":\"CPU\",\"valueFrom\":"
	"{\"resourceFieldRef\":{\"resource\":\"limits.cpu\",\"divisor\":\"1m\"}}}],"
	"\"envFrom\":[{\"configMapRef\":{\"name\":\"cfg\"}},{\"prefix\":\"S_\",\"secretRef\":"
	"{\"name\":\"sec\"}}],"
	"\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"},\"limits\":"
	"{\"memory\":\"128Mi\",\"nvidia.com/gpu\":1}},"
	"\"readinessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":\"http\","
	"\"httpHeaders\":[{\"name\":\"X\",\"value\":\"y\"}]},\"periodSeconds\":5},"
	"\"livenessProbe\":{\"tcpSocket\":{\"port\":80},\"initialDelaySeconds\":10},"
	"\"startupProbe\":{\"exec\":{\"command\":[\"true\"]},\"failureThreshold\":30},"
	"\"lifecycle\":{\"preStop\":{\"sleep\":{\"seconds\":5}},\"postStart\":{\"exec\":"
	"{\"command\":[\"true\"]}}},"
	"\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/data\",\"readOnly\":true}],"
	"\"securityContext\":{\"allowPrivilegeEscalation\":false,\"readOnlyRootFilesystem\":true,"
	"\"capabilities\":{\"drop\":[\"ALL\"]}}},"
	"{\"name\":\"grpc\",\"image\":\"srv\",\"livenessProbe\":{\"grpc\":{\"port\":9090}}}],"
	"\"volumes\":[{\"name\":\"data\",\"emptyDir\":{\"sizeLimit\":\"1Gi\"}},{\"name\":\"cfg\","
	"\"configMap\":{\"name\":\"cfg\",\"items\":[{\"key\":\"a\",\"path\":\"a.conf\"}]}},"
	"{\"name\":\"tok\",\"projected\":{\"sources\":[{\"serviceAccountToken\":{\"path\":\"t\","
	"\"expirationSeconds\":3600}}]}},{\"name\":\"old\",\"awsElasticBlockStore\":"
	"{\"volumeID\":\"vol-1\",\"anything\":1}}]}}},"
	"\"status\":{\"replicas\":3,\"whatever\":true}}";

static void test_unknown_none(void **state)
{
	json_t *d = tjson_load(deployment_ok), *causes = json_array();

	(void)state;
	assert_int_equal(api_openapi_unknown_fields("Deployment", d, causes), 0);
	assert_int_equal(json_array_size(causes), 0);
	assert_int_equal(api_openapi_unknown_fields("Deployment", d, NULL), 0);
	json_decref(d);
	json_decref(causes);
}

static void assert_cause(const json_t *causes, size_t i, const char *field)
{
	const json_t *c = json_array_get(causes, i);
	char msg[256];

	assert_non_null(c);
	snprintf(msg, sizeof(msg), "unknown field \"%s\"", field);
	assert_string_equal(str(c, "reason"), "FieldValueInvalid");
	assert_string_equal(str(c, "field"), field);
	assert_string_equal(str(c, "message"), msg);
}

static void test_unknown_deployment(void **state)
{
	static const char prefix[] = "strict decoding error: unknown field \"metadata.lables\", "
				     "unknown field \"spec.template.spec.tolerations[0].Key\", ";
	json_t *d = tjson_load(deployment_ok), *causes = json_array(), *spec, *c0, *c1;
	char *msg;

	(void)state;
	spec = json_object_get(json_object_get(json_object_get(d, "spec"), "template"), "spec");
	c0 = json_array_get(json_object_get(spec, "containers"), 0);
	c1 = json_array_get(json_object_get(spec, "containers"), 1);
	json_object_set_new(d, "extra", json_true());
	json_object_set_new(json_object_get(d, "metadata"), "lables", json_object());
	json_object_set_new(json_object_get(d, "spec"), "replica", json_integer(1));
	json_object_set_new(c0, "bogus", json_integer(1));
	json_object_set_new(json_object_get(json_object_get(c0, "readinessProbe"), "httpGet"),
			    "portt", json_integer(1));
	json_object_set_new(json_array_get(json_object_get(c0, "env"), 2), "valueFromm",
			    json_null());
	json_object_set_new(c1, "ports", tjson_load(
		"[{\"containerPort\":1},{\"containerPortZ\":2}]"));
	/* Case matters, as in the real decoder. */
	json_object_set_new(json_array_get(json_object_get(spec, "tolerations"), 0), "Key",
			    json_string("k"));

	assert_int_equal(api_openapi_unknown_fields("Deployment", d, causes), 8);
	assert_int_equal(json_array_size(causes), 8);
	/* Document order. */
	assert_cause(causes, 0, "metadata.lables");
	assert_cause(causes, 1, "spec.template.spec.tolerations[0].Key");
	assert_cause(causes, 2, "spec.template.spec.containers[0].env[2].valueFromm");
	assert_cause(causes, 3, "spec.template.spec.containers[0].readinessProbe.httpGet.portt");
	assert_cause(causes, 4, "spec.template.spec.containers[0].bogus");
	assert_cause(causes, 5, "spec.template.spec.containers[1].ports[1].containerPortZ");
	assert_cause(causes, 6, "spec.replica");
	assert_cause(causes, 7, "extra");

	msg = api_openapi_strict_error(causes);
	assert_non_null(msg);
	assert_int_equal(strncmp(msg, prefix, strlen(prefix)), 0);
	assert_non_null(strstr(msg, ", unknown field \"extra\""));
	assert_int_equal(msg[strlen(msg) - 1], '"');
	free(msg);

	/* Without causes the count is the same. */
	assert_int_equal(api_openapi_unknown_fields("Deployment", d, NULL), 8);
	json_decref(d);
	json_decref(causes);
}

static void test_unknown_service_pod(void **state)
{
	json_t *svc = tjson_load(
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":"
		"\"web\"},\"spec\":{\"type\":\"LoadBalancer\",\"selector\":{\"app\":"
		"\"web\"},\"externalTrafficPolicy\":\"Local\",\"internalTrafficPolicy\":"
		"\"Cluster\",\"healthCheckNodePort\":32000,\"sessionAffinity\":"
		"\"ClientIP\",\"sessionAffinityConfig\":{\"clientIP\":{"
		"\"timeoutSeconds\":60}},\"loadBalancerSourceRanges\":[\"10.0.0.0/8\"],"
		"\"ipFamilies\":[\"IPv4\"],\"ipFamilyPolicy\":\"SingleStack\","
		"\"allocateLoadBalancerNodePorts\":true,\"clusterIP\":\"10.96.0.10\","
		"\"clusterIPs\":[\"10.96.0.10\"],\"publishNotReadyAddresses\":false,"
		"\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":80,"
		"\"targetPort\":\"http\",\"nodePort\":30080,"
		"\"appProtocol\":\"http\"}]}}");
	json_t *pod = tjson_load(
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
		"\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}],"
		"\"initContainers\":[{\"name\":\"i\",\"image\":\"i\",\"env\":[{\"name\":"
		"\"X\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"m\",\"key\":\"k\","
		"\"bogus\":1}}}]}],\"volumes\":[{\"name\":\"v\",\"secret\":"
		"{\"secretName\":\"s\",\"defaultMode\":420,\"itemz\":[]}}]}}");
	json_t *causes = json_array();

	(void)state;
	assert_int_equal(api_openapi_unknown_fields("Service", svc, causes), 0);
	json_object_set_new(json_array_get(json_object_get(json_object_get(svc, "spec"), "ports"),
					   0), "targetport", json_integer(8080));
	assert_int_equal(api_openapi_unknown_fields("Service", svc, causes), 1);
	assert_cause(causes, 0, "spec.ports[0].targetport");

	json_array_clear(causes);
	assert_int_equal(api_openapi_unknown_fields("Pod", pod, causes), 2);
	assert_cause(causes, 0, "spec.initContainers[0].env[0].valueFrom.configMapKeyRef.bogus");
	assert_cause(causes, 1, "spec.volumes[0].secret.itemz");
	json_decref(svc);
	json_decref(pod);
	json_decref(causes);
}

static void test_unknown_other_kinds(void **state)
{
	json_t *cm = tjson_load(
		"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
		"\"c\"},\"immutable\":true,\"data\":{\"any key\":\"v\",\"b.conf\":\"x\"},"
		"\"binaryData\":{\"k\":\"AAAA\"}}");
	json_t *sec = tjson_load(
		"{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":"
		"\"s\"},\"type\":\"Opaque\",\"stringData\":{\"pw\":\"x\"},\"data\":{}}");
	json_t *slice = tjson_load(
		"{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\","
		"\"metadata\":{\"name\":\"e\"},\"addressType\":\"IPv4\",\"endpoints\":"
		"[{\"addresses\":[\"10.0.0.1\"],\"conditions\":{\"ready\":true},"
		"\"nodeName\":\"n\",\"targetRef\":{\"kind\":\"Pod\",\"name\":\"p\"}}],"
		"\"ports\":[{\"name\":\"\",\"port\":80,\"protocol\":\"TCP\","
		"\"portt\":1}]}");
	json_t *lease = tjson_load(
		"{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":"
		"{\"name\":\"node-1\",\"namespace\":\"kube-node-lease\"},\"spec\":{"
		"\"holderIdentity\":\"node-1\",\"leaseDurationSeconds\":40,"
		"\"acquireTime\":\"2026-12-05T08:00:00.123456Z\","
		"\"renewTime\":\"2026-12-05T08:00:10.654321Z\",\"leaseTransitions\":0,"
		"\"strategy\":\"OldestEmulationVersion\",\"preferredHolder\":\"node-2\"}}");
	json_t *causes = json_array();

	(void)state;
	assert_int_equal(api_openapi_unknown_fields("ConfigMap", cm, causes), 0);
	assert_int_equal(api_openapi_unknown_fields("Secret", sec, causes), 0);
	assert_int_equal(api_openapi_unknown_fields("EndpointSlice", slice, causes), 1);
	assert_cause(causes, 0, "ports[0].portt");
	assert_int_equal(api_openapi_unknown_fields("Lease", lease, NULL), 0);
	json_object_set_new(json_object_get(lease, "spec"), "renewTimee", json_string("x"));
	json_object_set_new(lease, "status", json_object());
	json_array_clear(causes);
	/* A Lease has no status: it is an unknown field, not a skipped one. */
	assert_int_equal(api_openapi_unknown_fields("Lease", lease, causes), 2);
	assert_cause(causes, 0, "spec.renewTimee");
	assert_cause(causes, 1, "status");
	/* A ConfigMap has no spec, and the real server says so. */
	json_object_set_new(cm, "spec", json_object());
	assert_int_equal(api_openapi_unknown_fields("ConfigMap", cm, NULL), 1);
	/* Nothing to judge. */
	assert_int_equal(api_openapi_unknown_fields("CronJob", cm, NULL), 0);
	assert_int_equal(api_openapi_unknown_fields(NULL, cm, NULL), 0);
	assert_int_equal(api_openapi_unknown_fields("ConfigMap", NULL, NULL), 0);
	json_decref(cm);
	json_decref(sec);
	json_decref(slice);
	json_decref(lease);
	json_decref(causes);
}

static void test_unknown_wrong_shapes(void **state)
{
	/* Type mismatches are the decoder's business, not unknown fields:
	 * nothing is walked into, nothing crashes. */
	json_t *d = tjson_load("{\"spec\":{\"template\":{\"spec\":{\"containers\":{\"name\":1},"
			       "\"volumes\":[1,\"x\",null,[]]}},\"selector\":\"app=web\"},"
			       "\"metadata\":[]}");
	json_t *causes = json_array();
	char *msg;

	(void)state;
	assert_int_equal(api_openapi_unknown_fields("Deployment", d, causes), 0);
	msg = api_openapi_strict_error(causes);
	assert_string_equal(msg, "strict decoding error: ");
	free(msg);
	json_decref(d);
	json_decref(causes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_aggregated_core_v2),
		cmocka_unit_test(test_aggregated_groups_v2beta1),
		cmocka_unit_test(test_aggregated_bad_version),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_sub_helpers),
		cmocka_unit_test(test_openapi_root),
		cmocka_unit_test(test_openapi_apps),
		cmocka_unit_test(test_openapi_core),
		cmocka_unit_test(test_openapi_every_kind),
		cmocka_unit_test(test_openapi_networking),
		cmocka_unit_test(test_openapi_coordination),
		cmocka_unit_test(test_openapi_unserved),
		cmocka_unit_test(test_unknown_none),
		cmocka_unit_test(test_unknown_deployment),
		cmocka_unit_test(test_unknown_service_pod),
		cmocka_unit_test(test_unknown_other_kinds),
		cmocka_unit_test(test_unknown_wrong_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
