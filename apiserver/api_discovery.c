/* api_discovery.c — see api_discovery.h.
 *
 * The shapes follow what kube-apiserver 1.33 serves, because kubectl and
 * client-go decode them with typed structs: a missing "scope" makes kubectl
 * build cluster-scoped URLs for namespaced kinds, a missing "verbs" hides a
 * resource from `kubectl api-resources`, and a reply to aggregated
 * discovery whose Content-Type lacks the exact g/v/as parameters is read as
 * the legacy documents instead.
 */
#include "api_discovery.h"

#include <stdio.h>
#include <string.h>

#include "lab.h"

const char api_server_git_version[] = LAB_KUBE_VERSION;

#if defined(__x86_64__)
#define API_DISCOVERY_ARCH "amd64"
#elif defined(__aarch64__)
#define API_DISCOVERY_ARCH "arm64"
#else
#define API_DISCOVERY_ARCH "unknown"
#endif

json_t *api_discovery_version(void)
{
	/* The 1.33 fields emulation* and minCompatibility* are there too:
	 * clients that know them expect an emulated version, others ignore
	 * them. gitCommit is not a kubernetes commit: there is none. */
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "major", "1", "minor", "33",
			 "emulationMajor", "1", "emulationMinor", "33",
			 "minCompatibilityMajor", "1", "minCompatibilityMinor", "32",
			 "gitVersion", api_server_git_version,
			 "gitCommit", "0000000000000000000000000000000000000000",
			 "gitTreeState", "clean",
			 "buildDate", "2025-04-23T00:00:00Z",
			 "goVersion", "go1.24.2",
			 "compiler", "gc",
			 "platform", "linux/" API_DISCOVERY_ARCH);
}

static const char *const api_discovery_verbs_all[] = {
	"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch", NULL
};
/* Namespaces are deleted one at a time (each runs its finalizers). */
static const char *const api_discovery_verbs_no_collection[] = {
	"create", "delete", "get", "list", "patch", "update", "watch", NULL
};
static const char *const api_discovery_verbs_rw[] = { "get", "patch", "update", NULL };
static const char *const api_discovery_verbs_get[] = { "get", NULL };
static const char *const api_discovery_verbs_connect[] = { "create", "get", NULL };
static const char *const api_discovery_verbs_create[] = { "create", NULL };

const char *const *api_discovery_verbs(const struct api_resource *r)
{
	if (r->group[0] == '\0' && strcmp(r->resource, "namespaces") == 0)
		return api_discovery_verbs_no_collection;
	return api_discovery_verbs_all;
}

const char *const *api_discovery_sub_verbs(const char *sub)
{
	if (strcmp(sub, "status") == 0 || strcmp(sub, "scale") == 0)
		return api_discovery_verbs_rw;
	if (strcmp(sub, "log") == 0)
		return api_discovery_verbs_get;
	if (strcmp(sub, "exec") == 0)
		return api_discovery_verbs_connect;
	if (strcmp(sub, "binding") == 0)
		return api_discovery_verbs_create;
	return NULL;
}

bool api_discovery_sub_kind(const struct api_resource *r, const char *sub, const char **group,
			    const char **version, const char **kind)
{
	*group = "";
	*version = "";
	if (strcmp(sub, "status") == 0) {
		*kind = r->kind;
	} else if (strcmp(sub, "scale") == 0) {
		*group = "autoscaling";
		*version = "v1";
		*kind = "Scale";
	} else if (strcmp(sub, "log") == 0) {
		*kind = "Pod";
	} else if (strcmp(sub, "exec") == 0) {
		*kind = "PodExecOptions";
	} else if (strcmp(sub, "binding") == 0) {
		*kind = "Binding";
	} else {
		return false;
	}
	return true;
}

/* A NULL-terminated list as a JSON array; an empty array for NULL. */
static json_t *api_discovery_strings(const char *const *list)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (const char *const *s = list; s && *s; s++) {
		if (json_array_append_new(a, json_string(*s)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Sets key to a new value; drops obj and returns NULL when either failed
 * to allocate, so builders chain without checking every step. */
static json_t *api_discovery_set(json_t *obj, const char *key, json_t *val)
{
	if (!obj || !val || json_object_set_new(obj, key, val) < 0) {
		json_decref(obj);
		json_decref(val);
		return NULL;
	}
	return obj;
}

static json_t *api_discovery_append(json_t *arr, json_t *val)
{
	if (!arr || !val || json_array_append_new(arr, val) < 0) {
		json_decref(arr);
		json_decref(val);
		return NULL;
	}
	return arr;
}

static json_t *api_discovery_gv(const char *group, const char *version)
{
	char gv[128];

	if (group[0])
		snprintf(gv, sizeof(gv), "%s/%s", group, version);
	else
		snprintf(gv, sizeof(gv), "%s", version);
	return json_pack("{s:s, s:s}", "groupVersion", gv, "version", version);
}

json_t *api_discovery_api_versions(void)
{
	return json_pack("{s:s, s:[s], s:[{s:s, s:s}]}", "kind", "APIVersions",
			 "versions", api_registry_group_version(""),
			 "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0",
			 "serverAddress", "127.0.0.1:6443");
}

json_t *api_discovery_group(const char *group)
{
	const char *version;
	json_t *g;

	if (group[0] == '\0' || !(version = api_registry_group_version(group)))
		return NULL;
	g = json_pack("{s:s, s:s, s:s}", "kind", "APIGroup", "apiVersion", "v1", "name", group);
	g = api_discovery_set(g, "versions",
			      api_discovery_append(json_array(), api_discovery_gv(group, version)));
	return api_discovery_set(g, "preferredVersion", api_discovery_gv(group, version));
}

json_t *api_discovery_group_list(void)
{
	json_t *groups = json_array();

	for (const char *const *g = api_registry_groups(); *g && groups; g++) {
		json_t *one;

		if ((*g)[0] == '\0')
			continue;
		one = api_discovery_group(*g);
		/* Members of the list do not repeat kind and apiVersion. */
		if (one) {
			json_object_del(one, "kind");
			json_object_del(one, "apiVersion");
		}
		groups = api_discovery_append(groups, one);
	}
	return api_discovery_set(json_pack("{s:s, s:s}", "kind", "APIGroupList",
					   "apiVersion", "v1"),
				 "groups", groups);
}

/* Legacy discovery's entry of one resource or subresource. */
static json_t *api_discovery_legacy_resource(const struct api_resource *r, const char *sub)
{
	const char *group = "", *version = "", *kind = r->kind;
	const char *const *verbs = api_discovery_verbs(r);
	char name[128];
	json_t *o;

	if (sub) {
		snprintf(name, sizeof(name), "%s/%s", r->resource, sub);
		api_discovery_sub_kind(r, sub, &group, &version, &kind);
		verbs = api_discovery_sub_verbs(sub);
	} else {
		snprintf(name, sizeof(name), "%s", r->resource);
	}
	o = json_pack("{s:s, s:s, s:b, s:s}", "name", name, "singularName", sub ? "" : r->singular,
		      "namespaced", r->namespaced, "kind", kind);
	if (group[0] || version[0]) {
		o = api_discovery_set(o, "group", json_string(group));
		o = api_discovery_set(o, "version", json_string(version));
	}
	o = api_discovery_set(o, "verbs", api_discovery_strings(verbs));
	if (!sub && r->short_names)
		o = api_discovery_set(o, "shortNames", api_discovery_strings(r->short_names));
	if (!sub && r->in_all)
		o = api_discovery_set(o, "categories", json_pack("[s]", "all"));
	return o;
}

json_t *api_discovery_resource_list(const char *group, const char *version)
{
	const char *served = api_registry_group_version(group);
	const struct api_resource *all;
	size_t n;
	json_t *list, *res;
	char gv[128];

	if (!served || strcmp(served, version) != 0)
		return NULL;
	all = api_registry_all(&n);
	res = json_array();
	for (size_t i = 0; i < n && res; i++) {
		const struct api_resource *r = &all[i];

		if (strcmp(r->group, group) != 0 || strcmp(r->version, version) != 0)
			continue;
		res = api_discovery_append(res, api_discovery_legacy_resource(r, NULL));
		for (const char *const *s = r->subresources; s && *s && res; s++)
			res = api_discovery_append(res, api_discovery_legacy_resource(r, *s));
	}
	/* The core list has no apiVersion; the named groups' lists do. */
	if (group[0]) {
		snprintf(gv, sizeof(gv), "%s/%s", group, version);
		list = json_pack("{s:s, s:s, s:s}", "kind", "APIResourceList", "apiVersion", "v1",
				 "groupVersion", gv);
	} else {
		list = json_pack("{s:s, s:s}", "kind", "APIResourceList", "groupVersion", version);
	}
	return api_discovery_set(list, "resources", res);
}

static json_t *api_discovery_gvk(const char *group, const char *version, const char *kind)
{
	return json_pack("{s:s, s:s, s:s}", "group", group, "version", version, "kind", kind);
}

/* APIResourceDiscovery of one resource with its subresources. */
static json_t *api_discovery_aggregated_resource(const struct api_resource *r)
{
	json_t *o, *subs;

	o = json_pack("{s:s, s:o, s:s, s:s}", "resource", r->resource,
		      "responseKind", api_discovery_gvk("", "", r->kind),
		      "scope", r->namespaced ? "Namespaced" : "Cluster",
		      "singularResource", r->singular);
	o = api_discovery_set(o, "verbs", api_discovery_strings(api_discovery_verbs(r)));
	if (r->short_names)
		o = api_discovery_set(o, "shortNames", api_discovery_strings(r->short_names));
	if (r->in_all)
		o = api_discovery_set(o, "categories", json_pack("[s]", "all"));
	if (!r->subresources || !o)
		return o;
	subs = json_array();
	for (const char *const *s = r->subresources; *s && subs; s++) {
		const char *group, *version, *kind;

		if (!api_discovery_sub_kind(r, *s, &group, &version, &kind))
			continue;
		json_t *verbs = api_discovery_strings(api_discovery_sub_verbs(*s));

		subs = api_discovery_append(subs, json_pack("{s:s, s:o, s:o}", "subresource", *s,
							    "responseKind",
							    api_discovery_gvk(group, version, kind),
							    "verbs", verbs));
	}
	return api_discovery_set(o, "subresources", subs);
}

/* APIGroupDiscovery of one group. */
static json_t *api_discovery_aggregated_group(const char *group)
{
	const char *version = api_registry_group_version(group);
	const struct api_resource *all;
	json_t *res, *ver;
	size_t n;

	all = api_registry_all(&n);
	res = json_array();
	for (size_t i = 0; i < n && res; i++)
		if (strcmp(all[i].group, group) == 0 && strcmp(all[i].version, version) == 0)
			res = api_discovery_append(res, api_discovery_aggregated_resource(&all[i]));
	ver = api_discovery_set(json_pack("{s:s}", "version", version), "resources", res);
	ver = api_discovery_set(ver, "freshness", json_string("Current"));
	return api_discovery_set(json_pack("{s:{s:s, s:n}}", "metadata", "name", group,
					   "creationTimestamp"),
				 "versions", api_discovery_append(json_array(), ver));
}

json_t *api_discovery_aggregated(bool core, const char *version)
{
	char api_version[64];
	json_t *items;

	if (strcmp(version, "v2") != 0 && strcmp(version, "v2beta1") != 0)
		return NULL;
	snprintf(api_version, sizeof(api_version), "apidiscovery.k8s.io/%s", version);
	items = json_array();
	for (const char *const *g = api_registry_groups(); *g && items; g++)
		if (((*g)[0] == '\0') == core)
			items = api_discovery_append(items, api_discovery_aggregated_group(*g));
	return api_discovery_set(json_pack("{s:s, s:s, s:{}}", "kind", "APIGroupDiscoveryList",
					   "apiVersion", api_version, "metadata"),
				 "items", items);
}
