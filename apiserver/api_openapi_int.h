/* api_openapi_int.h — what the parts of the OpenAPI module share (not an
 * API): the table of object types and its readers.
 *
 *   api_openapi_types.c     the table: every served kind's types, field
 *                           descriptions, and the lookups
 *   api_openapi.c           the v3 documents built from it
 *   api_openapi_validate.c  strict field validation against it
 *
 * (api_openapi_v2.c, the v2 document, is made from the v3 ones and needs
 * none of it.)
 */
#ifndef CLIENTIP_API_OPENAPI_INT_H
#define CLIENTIP_API_OPENAPI_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "api_registry.h"

/* An object type. name is "<package>.<version>.<Type>" with package core,
 * apps, coordination, discovery, networking, autoscaling (k8s.io/api) or meta
 * (apimachinery).
 *
 * fields is a space-separated list of "name:type" where type is
 *   s string, i int32, I int64, b boolean, n number, B base64 bytes,
 *   t time, T micro time, q quantity, o int-or-string, * a free-form object,
 *   [T a list of T, {T a map from string to T,
 *   Name another type of this table, looked up in the same package first.
 * A suffix "@key" marks a list merged by key under strategic merge patch,
 * "+" a list of scalars merged as a set, "!" a required field. */
struct api_openapi_type {
	const char *name;
	const char *desc;
	const char *fields;
};

/* One "name:type" token of a field list, as api_openapi_next_field reads
 * it. */
struct api_openapi_field {
	const char *name;
	size_t name_len;
	const char *type;       /* up to '@', '+', '!' or the end of the token */
	size_t type_len;
	const char *merge_key;
	size_t merge_key_len;
	bool merge;
	bool required;
};

/* Reads the next "name:type" token of a field list, advancing *p; false
 * at the end. */
bool api_openapi_next_field(const char **p, struct api_openapi_field *f);
/* The field key of t, into f; false if t has none of that name. */
bool api_openapi_find_field(const struct api_openapi_type *t, const char *key, size_t key_len,
			    struct api_openapi_field *f);
/* The type of that full name ("meta.v1.ListMeta"), or NULL. */
const struct api_openapi_type *api_openapi_type_by_name(const char *name);
/* A type reference of a field list: the type of that name in the
 * referring type's package, else the only other one of that name. */
const struct api_openapi_type *api_openapi_resolve(const struct api_openapi_type *from,
						   const char *ref, size_t len);
/* A type name, not one of the one-letter scalars (I, B and T are capitals). */
bool api_openapi_is_ref(const char *spec, size_t len);
/* The group, version and kind a type stands for when it is a served kind
 * (or autoscaling/v1 Scale, which the scale subresources answer with). */
bool api_openapi_type_gvk(const struct api_openapi_type *t, const char **group, char *version,
			  size_t vlen, const char **kind);
/* The type of a served resource's kind, or NULL. */
const struct api_openapi_type *api_openapi_kind_type(const struct api_resource *r);
/* io.k8s.api.apps.v1.Deployment, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta */
void api_openapi_schema_name(const struct api_openapi_type *t, char *buf, size_t len);
/* The description of a field of t, or NULL. */
const char *api_openapi_field_desc(const struct api_openapi_type *t,
				   const struct api_openapi_field *f);

#endif
