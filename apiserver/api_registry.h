/* api_registry.h — the resources clientip-apiserver serves.
 *
 * One static table: group, version, plural resource name, kind, scope,
 * short names, whether `kubectl get all` includes it, and its
 * subresources. Discovery, OpenAPI, routing and Tables all read it, so a
 * kind is added in one place.
 */
#ifndef CLIENTIP_API_REGISTRY_H
#define CLIENTIP_API_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

struct api_resource {
	const char *group;              /* "" for the core group */
	const char *version;            /* "v1" */
	const char *resource;           /* plural, the URL segment: "deployments" */
	const char *singular;           /* "deployment" */
	const char *kind;               /* "Deployment" */
	bool namespaced;
	const char *const *short_names; /* NULL-terminated, may be NULL */
	bool in_all;                    /* categories: ["all"] */
	const char *const *subresources;/* NULL-terminated: "status", "scale", "log", "exec" */
};

/* Every served resource, in discovery order. */
const struct api_resource *api_registry_all(size_t *n);
/* By URL parts; group "" for /api/v1. NULL if not served. */
const struct api_resource *api_registry_find(const char *group, const char *version,
					     const char *resource);
/* By apiVersion ("v1", "apps/v1") and kind. NULL if not served. */
const struct api_resource *api_registry_by_kind(const char *api_version, const char *kind);
/* The object's apiVersion: "v1" or "group/version". */
const char *api_resource_api_version(const struct api_resource *r, char *buf, size_t len);
bool api_resource_has_sub(const struct api_resource *r, const char *sub);

/* The served groups, in discovery order ("" first); NULL-terminated. */
const char *const *api_registry_groups(void);
/* The one version served of a group ("v1"). */
const char *api_registry_group_version(const char *group);

#endif
