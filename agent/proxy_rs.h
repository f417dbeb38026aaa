/* proxy_rs.h — the ruleset model's string arena, as the builder
 * (proxy_rules.c) and the renderer (proxy_render.c) both read it. Private
 * to those two. */
#ifndef CLIENTIP_PROXY_RS_H
#define CLIENTIP_PROXY_RS_H

#include <stdbool.h>
#include <string.h>

#include "proxy_rules.h"

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
