/* api_admit_int.h — what the two parts of admission share (not an API):
 * api_admit.c (identity, every kind's defaults and validation) and
 * api_admit_service.c (Services and their allocations).
 */
#ifndef CLIENTIP_API_ADMIT_INT_H
#define CLIENTIP_API_ADMIT_INT_H

#include <jansson.h>

#include "api_registry.h"
#include "api_server.h"

/* ---- api_admit.c: small JSON helpers ------------------------------------ */

/* obj[key], created as an empty object when absent or not an object. */
json_t *api_admit_obj(json_t *obj, const char *key);
/* obj[key] = value unless obj has key. */
void api_admit_default_str(json_t *obj, const char *key, const char *value);
void api_admit_default_int(json_t *obj, const char *key, json_int_t value);
/* obj[key] if it is a string, else NULL. */
const char *api_admit_str(const json_t *obj, const char *key);

/* ---- api_admit_service.c -------------------------------------------------- */

/* A Service's defaults, validation (causes appended) and allocations;
 * old is the Service before an update, NULL on create. */
void api_admit_service(struct api_server *s, const struct api_resource *r, const char *ns,
		       json_t *obj, const json_t *old, json_t *causes);

#endif
