/* lb_json.h — typed member access on the small JSON documents clientip-lb
 * deals with (its own state files, `nft -j` output), parsed quietly with
 * lib/fyjson: a malformed file becomes an error message, never stderr.
 */
#ifndef CLIENTIP_LB_JSON_H
#define CLIENTIP_LB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fy_document;
struct fy_node;

/* Members of an object; NULL or the default when absent or mistyped. */
struct fy_node *lb_json_get(struct fy_node *obj, const char *key);
/* Copies a string member into out (truncated); false if absent. */
bool lb_json_str(struct fy_node *obj, const char *key, char *out, size_t len);
int64_t lb_json_int(struct fy_node *obj, const char *key, int64_t dflt);
uint64_t lb_json_u64(struct fy_node *obj, const char *key, uint64_t dflt);
double lb_json_double(struct fy_node *obj, const char *key, double dflt);
bool lb_json_bool(struct fy_node *obj, const char *key, bool dflt);
/* A scalar node as a number; NAN for null or non-numbers. */
double lb_json_number(struct fy_node *n);

#endif
