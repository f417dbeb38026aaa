/* api_json.h — reading Kubernetes objects held as jansson values.
 *
 * The API server's modules read fields by their dotted paths, as field
 * selectors and printer columns name them ("status.podIP"), and read an
 * object's metadata over and over; these are the one way to do both.
 */
#ifndef CLIENTIP_API_JSON_H
#define CLIENTIP_API_JSON_H

#include <jansson.h>

/* The value at a dotted path of object keys ("spec.template.spec"); NULL
 * if any step is missing or not an object. List indices are not paths. */
const json_t *api_json_path(const json_t *obj, const char *path);
/* metadata.<key> as a string; "" when absent or not a string. */
const char *api_json_meta(const json_t *obj, const char *key);

#endif
