/* api_discovery.h — what a client reads before it asks for objects:
 * /version, discovery (legacy and aggregated) and OpenAPI v3.
 *
 * Every document is built from the registry (api_registry.h). The
 * functions return new jansson references; the HTTP layer serialises
 * them with the Content-Type given below.
 */
#ifndef CLIENTIP_API_DISCOVERY_H
#define CLIENTIP_API_DISCOVERY_H

#include <stdbool.h>

#include <jansson.h>

/* The version clientip-apiserver reports (/version gitVersion), e.g.
 * "v1.33.0": the Google Cloud SDK's kubectl dispatcher picks the bundled
 * kubectl nearest to it. */
extern const char api_server_git_version[];

json_t *api_discovery_version(void);            /* GET /version */

/* Legacy discovery. */
json_t *api_discovery_api_versions(void);       /* GET /api: APIVersions */
json_t *api_discovery_group_list(void);         /* GET /apis: APIGroupList */
/* GET /api/v1, /apis/<group>/<version>: APIResourceList; NULL if the
 * group/version is not served. */
json_t *api_discovery_resource_list(const char *group, const char *version);
/* GET /apis/<group>: APIGroup; NULL if not served. */
json_t *api_discovery_group(const char *group);

/* Aggregated discovery (apidiscovery.k8s.io): core is true for /api,
 * false for /apis; version is "v2" or "v2beta1" (the reply's apiVersion
 * follows it). The reply's Content-Type must be exactly
 * application/json;g=apidiscovery.k8s.io;v=<version>;as=APIGroupDiscoveryList */
json_t *api_discovery_aggregated(bool core, const char *version);

/* OpenAPI v3. GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL":
 * "/openapi/v3/api/v1?hash=..."}, "apis/apps/v1": ...}}. */
json_t *api_openapi_v3_root(void);
/* GET /openapi/v3/api/v1, /openapi/v3/apis/<g>/<v>: paths with get, put,
 * patch (with a fieldValidation query parameter), delete operations
 * carrying x-kubernetes-group-version-kind, and components.schemas for
 * every kind (enough for `kubectl explain` and for kubectl to see that the
 * server validates fields itself). NULL if not served. */
json_t *api_openapi_v3_group_version(const char *group, const char *version);

/* Server-side field validation: the fields a kind's object may have.
 * Returns 0 if obj has no unknown fields, else the number found, each
 * appended to causes as {"reason":"FieldValueInvalid"... see below} and
 * worded as the API server words it:
 *   .spec.foo: field not declared in schema   (unknown field "spec.foo")
 * causes may be NULL. */
int api_openapi_unknown_fields(const char *kind, const json_t *obj, json_t *causes);

#endif
