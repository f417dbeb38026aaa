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

#include "api_registry.h"

/* The version clientip-apiserver reports (/version gitVersion), e.g.
 * "v1.33.0": the Google Cloud SDK's kubectl dispatcher picks the bundled
 * kubectl nearest to it. */
extern const char api_server_git_version[];

json_t *api_discovery_version(void);            /* GET /version */

/* The verbs of a resource as discovery lists them ("create", "delete",
 * "deletecollection", "get", "list", "patch", "update", "watch"); NULL-
 * terminated, static. */
const char *const *api_discovery_verbs(const struct api_resource *r);
/* The verbs of a subresource ("status" and "scale": get, patch, update;
 * "log": get; "exec": create, get); NULL for an unknown subresource. */
const char *const *api_discovery_sub_verbs(const char *sub);
/* The kind a subresource answers with. group and version are "" when the
 * kind is in the resource's own group and version, as the real server
 * reports them (status: the resource's kind; log: Pod; exec:
 * PodExecOptions), else they name it (scale: autoscaling/v1 Scale). false
 * for an unknown subresource. */
bool api_discovery_sub_kind(const struct api_resource *r, const char *sub, const char **group,
			    const char **version, const char **kind);

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
 * "/openapi/v3/api/v1?hash=<16 hex>"}, "apis/apps/v1": ...}}. The hash is
 * of the group-version document, so the root builds all of them (a few
 * milliseconds); both are the same for the life of the process and may be
 * cached by the caller. The ?hash query of a document's URL is ignored. */
json_t *api_openapi_v3_root(void);
/* GET /openapi/v3/api/v1, /openapi/v3/apis/<g>/<v> (Content-Type
 * application/json): paths for list, create, deletecollection, read,
 * replace, patch, delete and the subresources, every operation carrying
 * x-kubernetes-group-version-kind and every patch operation a
 * fieldValidation query parameter (kubectl then sends
 * fieldValidation=Strict and leaves unknown fields to the server), and
 * components.schemas for every kind (kubectl explain). Patch operations
 * carry no requestBody, so kubectl builds strategic merge patches from its
 * compiled-in types. NULL if not served. */
json_t *api_openapi_v3_group_version(const char *group, const char *version);

/* OpenAPI v2 (api_openapi_v2.c), GET /openapi/v2: what kubectl 1.27 and
 * 1.28 read before apply and explain, and kubectl 1.20 validates against.
 * The same paths, operations and schemas as the v3 documents of every
 * served group, in Swagger 2.0 form: {"swagger":"2.0","info":{"title":
 * "Kubernetes","version":<api_server_git_version>},"paths":{...},
 * "definitions":{...}}. Every patch operation lists fieldValidation and
 * carries x-kubernetes-group-version-kind (kubectl then sends
 * fieldValidation=Strict and skips its own validation); patch operations
 * do not list application/strategic-merge-patch+json among what they
 * consume, so kubectl apply builds its patches from its compiled-in types.
 * NULL if out of memory. */
json_t *api_openapi_v2(void);

/* kubectl asks for application/com.github.proto-openapi.spec.v2@v1.0+protobuf
 * but parses the reply's Content-Type with Go's mime package, which refuses
 * '@': the reply says ".v1.0", as the real server's does. */
#define API_OPENAPI_V2_PROTOBUF "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
#define API_OPENAPI_V2_JSON "application/json"

/* The Content-Type to answer an Accept header with: API_OPENAPI_V2_PROTOBUF
 * when the client lists the protobuf type (either spelling) before anything
 * JSON, API_OPENAPI_V2_JSON for
 * application/json, application/ *, * / * or no Accept at all; NULL when
 * nothing listed can be served (406). Ranges with q=0 are refusals. */
const char *api_openapi_v2_content_type(const char *accept);

/* doc (from api_openapi_v2()) as gnostic's openapi.v2.Document protobuf
 * message (github.com/google/gnostic-models openapiv2/OpenAPIv2.proto);
 * vendor extensions are NamedAny values holding YAML text. malloc'd (free
 * it), *len bytes; NULL if doc is not an object or out of memory. */
char *api_openapi_v2_proto(const json_t *doc, size_t *len);

/* Server-side field validation (fieldValidation=Strict or Warn): walks obj,
 * an object of the given kind, against the same schemas the OpenAPI
 * documents publish and finds every member no schema declares, in document
 * order. Members of free-form maps (labels, annotations, data, selector,
 * nodeSelector, resources.limits, ...) are never unknown, nor is what is
 * inside a field declared free-form. The top-level status is not checked
 * (writes to the main resource reset it). Fields a kind does not have are
 * unknown at the top level too: a ConfigMap's "spec" is rejected, as the
 * real server rejects it. Values of the wrong type are not walked into
 * (decoding them is the caller's business).
 *
 * Returns the number of unknown fields (0 for an unknown kind or a non-
 * object). Each is appended to causes (may be NULL) as
 *   {"reason":"FieldValueInvalid","message":"unknown field \"spec.foo\"",
 *    "field":"spec.foo"}
 * with the path written as the real server writes it: members joined by
 * dots, list elements by index, e.g.
 *   unknown field "spec.template.spec.containers[0].bogus"
 * For Warn, each message is one Warning header. For Strict, the reply
 * wraps api_openapi_strict_error():
 *   create, update: 400 BadRequest, message
 *     <Kind> in version "<v>" cannot be handled as a <Kind>: <strict error>
 *   patch: 422 Invalid with one cause {"reason":"FieldValueInvalid",
 *     "field":"patch", "message":"Invalid value: \"...\": <strict error>"} */
int api_openapi_unknown_fields(const char *kind, const json_t *obj, json_t *causes);
/* "strict decoding error: unknown field \"a\", unknown field \"b\"" from
 * the causes api_openapi_unknown_fields() appended; malloc'd (free it), NULL
 * if out of memory. */
char *api_openapi_strict_error(const json_t *causes);

#endif
