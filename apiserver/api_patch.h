/* api_patch.h — the four patch types of the Kubernetes API, on jansson
 * values.
 *
 *   application/merge-patch+json           RFC 7386 JSON merge patch
 *   application/json-patch+json            RFC 6902 JSON patch
 *   application/strategic-merge-patch+json Kubernetes' strategic merge patch
 *   application/apply-patch+yaml           server-side apply (see api_apply)
 *
 * Each takes the current object and the patch and returns a new object
 * (the inputs are not modified), or NULL with a message in err that the
 * server returns as a 422/400 Status. None of them checks the result
 * against a schema: the caller validates the patched object as it would a
 * create.
 */
#ifndef CLIENTIP_API_PATCH_H
#define CLIENTIP_API_PATCH_H

#include <stddef.h>

#include <jansson.h>

/* RFC 7386: null deletes a key, objects merge recursively, anything else
 * (arrays included) replaces. NULL only when out of memory or without a
 * patch. */
json_t *api_patch_merge(const json_t *target, const json_t *patch);

/* RFC 6902: add, remove, replace, move, copy, test, with RFC 6901
 * pointers ("~0", "~1", "-" for the end of an array). All operations
 * apply or none. Numbers compare by value in test (1 equals 1.0). Errors
 * name the operation by its index in the array, counted from 0:
 * `json patch: op 2 (remove): path "/spec/x" does not exist`. At most
 * 10000 operations, the API server's own limit. */
json_t *api_patch_json(const json_t *target, const json_t *ops, char *err, size_t errlen);

/* Strategic merge patch, with the merge keys and strategies of the kinds
 * clientip serves (kind is the object's kind: "Deployment", "Service",
 * ...; unknown kinds merge lists by replacement, as for a CRD). Honours
 * $patch (replace, merge, delete), $setElementOrder/<field>,
 * $deleteFromPrimitiveList/<field> and $retainKeys; none of them is left
 * in the result. Target and patch must be objects. Merged lists come out
 * in the order the Kubernetes API server gives them: $setElementOrder
 * first, then the patch's order, items only in the current list keeping
 * their places relative to those; a new item without a $setElementOrder
 * therefore lands before the current items that follow it. Errors read
 * `strategic merge patch: spec.template.spec.containers: ...`.
 *
 * Three differences from the API server, on purpose: "$patch": "merge" in
 * an object is the default merge (the server rejects it), "$patch":
 * "replace" on an object that does not exist yet creates it (the server
 * drops it), and $deleteFromPrimitiveList applies after the list's
 * additions (the server's order between the two is random). */
json_t *api_patch_strategic(const json_t *target, const json_t *patch, const char *kind,
			    char *err, size_t errlen);

/* The merge key of the list at a dotted path within kind ("spec.template.
 * spec.containers" -> "name"), "" for a list of primitives merged as a set
 * ("metadata.finalizers"), or NULL when the list is atomic (replaced as a
 * whole). Paths leave out list indices. */
const char *api_patch_merge_key(const char *kind, const char *path);

#endif
