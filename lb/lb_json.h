/* lb_json.h — typed member access on the small JSON documents clientip-lb
 * deals with (its own state files, `nft -j` output), parsed with jansson:
 * a malformed file becomes an error message, never stderr, and a member
 * that is absent or of another type reads as the caller's default.
 */
#ifndef CLIENTIP_LB_JSON_H
#define CLIENTIP_LB_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Documents are parsed with apiobj_parse (lib/apiobj.h). Counters above
 * 2^63 - 1 do not parse: jansson holds integers as int64_t (8 EiB of
 * bytes). */
/* Members of an object; NULL or the default when absent or mistyped. */
const json_t *lb_json_get(const json_t *obj, const char *key);
/* Copies a string member into out (truncated); false if absent. */
bool lb_json_str(const json_t *obj, const char *key, char *out, size_t len);
int64_t lb_json_int(const json_t *obj, const char *key, int64_t dflt);
uint64_t lb_json_u64(const json_t *obj, const char *key, uint64_t dflt);
double lb_json_double(const json_t *obj, const char *key, double dflt);
bool lb_json_bool(const json_t *obj, const char *key, bool dflt);
/* A value as a number; NAN for null or non-numbers. */
double lb_json_number(const json_t *n);

#endif
