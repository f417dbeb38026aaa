/* proxy_rs.h — the ruleset model's string arena and the order of its
 * objects and elements, shared by the builder (proxy_rules*.c), which sorts
 * each new model, and the renderer (proxy_render.c), whose diffs walk two
 * models in that order. Private to those two. */
#ifndef CLIENTIP_PROXY_RS_H
#define CLIENTIP_PROXY_RS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "proxy_rules.h"

/* ---- the arena: every name, rule and element text of a model ---------- */

/* An empty string at the arena's end; rs_close() ends it there. */
struct proxy_str rs_mark(const struct proxy_ruleset *rs);
void rs_close(const struct proxy_ruleset *rs, struct proxy_str *s);
/* buf_vprintf measures, then writes: two passes over every format. This
 * keeps headroom instead and formats once, which matters when a build
 * formats a few hundred thousand strings. */
void rs_vappend(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
struct proxy_str rs_printf(struct proxy_ruleset *rs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Grows *arr (of *cap items of size bytes) to hold need; 0 or -1 (OOM). */
int rs_grow(void **arr, int *cap, int need, size_t size);
/* A name's hash, which orders names before their bytes do. */
uint64_t rs_hash(const char *s, size_t len);

/* ---- the order ---------------------------------------------------------- */

/* Objects by name hash, then name; elements by map, then key hash, then
 * key: a total order in which equal names sit together, cheap on the
 * hash. Across two models (a and b may differ). */
int rs_obj_cmp(const struct proxy_ruleset *a, const struct proxy_obj *x,
	       const struct proxy_ruleset *b, const struct proxy_obj *y);
int rs_elem_cmp(const struct proxy_ruleset *a, const struct proxy_elem *x,
		const struct proxy_ruleset *b, const struct proxy_elem *y);
/* Fills the model's sorted views (obj_order, elem_order) and drops
 * duplicates (same name; same map and key): the first one generated wins,
 * as two Services claiming one IP and port cannot both be served.
 * 0 or -1 (out of memory). */
int rs_index(struct proxy_ruleset *rs);

static inline const char *rs_str(const struct proxy_ruleset *rs, struct proxy_str s)
{
	return rs->text.data + s.off;
}

static inline bool rs_str_eq(const struct proxy_ruleset *a, struct proxy_str x,
			     const struct proxy_ruleset *b, struct proxy_str y)
{
	return x.len == y.len && memcmp(rs_str(a, x), rs_str(b, y), x.len) == 0;
}

#endif
