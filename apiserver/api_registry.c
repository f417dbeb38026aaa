/* api_registry.c — see api_registry.h. */
#include "api_registry.h"

#include <stdio.h>
#include <string.h>

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Discovery order within a group follows the real API server's (alphabetical
 * by resource); kubectl does not depend on it, people reading it do. */
static const struct api_resource api_resources[] = {
	{ "", "v1", "configmaps", "configmap", "ConfigMap", true, NAMES("cm"), false, NULL },
	{ "", "v1", "endpoints", "endpoints", "Endpoints", true, NAMES("ep"), false, NULL },
	{ "", "v1", "events", "event", "Event", true, NAMES("ev"), false, NULL },
	{ "", "v1", "namespaces", "namespace", "Namespace", false, NAMES("ns"), false,
	  NAMES("status") },
	{ "", "v1", "nodes", "node", "Node", false, NAMES("no"), false, NAMES("status") },
	{ "", "v1", "pods", "pod", "Pod", true, NAMES("po"), true,
	  NAMES("status", "binding", "log", "exec") },
	{ "", "v1", "secrets", "secret", "Secret", true, NULL, false, NULL },
	{ "", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, NAMES("sa"),
	  false, NULL },
	{ "", "v1", "services", "service", "Service", true, NAMES("svc"), true,
	  NAMES("status") },
	{ "apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, NAMES("ds"), true,
	  NAMES("status") },
	{ "apps", "v1", "deployments", "deployment", "Deployment", true, NAMES("deploy"), true,
	  NAMES("status", "scale") },
	{ "apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, NAMES("rs"), true,
	  NAMES("status", "scale") },
	/* Stored only: each node agent renews its node's Lease in
	 * kube-node-lease, as a kubelet does. */
	{ "coordination.k8s.io", "v1", "leases", "lease", "Lease", true, NULL, false, NULL },
	{ "discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true,
	  NULL, false, NULL },
	/* Stored only: clientip-gateway reads them and writes their status. */
	{ "networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", true, NAMES("ing"), false,
	  NAMES("status") },
};

#define API_N_RESOURCES (sizeof(api_resources) / sizeof(api_resources[0]))

static const char *const api_groups[] = { "", "apps", "coordination.k8s.io", "discovery.k8s.io",
					   "networking.k8s.io", NULL };

const struct api_resource *api_registry_all(size_t *n)
{
	*n = API_N_RESOURCES;
	return api_resources;
}

const struct api_resource *api_registry_find(const char *group, const char *version,
					     const char *resource)
{
	for (size_t i = 0; i < API_N_RESOURCES; i++) {
		const struct api_resource *r = &api_resources[i];
		if (strcmp(r->group, group) == 0 && strcmp(r->version, version) == 0 &&
		    strcmp(r->resource, resource) == 0)
			return r;
	}
	return NULL;
}

const struct api_resource *api_registry_by_kind(const char *api_version, const char *kind)
{
	const char *slash = strchr(api_version, '/');
	size_t glen = slash ? (size_t)(slash - api_version) : 0;
	const char *version = slash ? slash + 1 : api_version;

	for (size_t i = 0; i < API_N_RESOURCES; i++) {
		const struct api_resource *r = &api_resources[i];
		if (strcmp(r->kind, kind) != 0 || strcmp(r->version, version) != 0)
			continue;
		if (strlen(r->group) == glen && strncmp(r->group, api_version, glen) == 0)
			return r;
	}
	return NULL;
}

const char *api_resource_api_version(const struct api_resource *r, char *buf, size_t len)
{
	if (r->group[0])
		snprintf(buf, len, "%s/%s", r->group, r->version);
	else
		snprintf(buf, len, "%s", r->version);
	return buf;
}

bool api_resource_has_sub(const struct api_resource *r, const char *sub)
{
	for (const char *const *s = r->subresources; s && *s; s++)
		if (strcmp(*s, sub) == 0)
			return true;
	return false;
}

const char *const *api_registry_groups(void)
{
	return api_groups;
}

const char *api_registry_group_version(const char *group)
{
	for (size_t i = 0; i < API_N_RESOURCES; i++)
		if (strcmp(api_resources[i].group, group) == 0)
			return api_resources[i].version;
	return NULL;
}
