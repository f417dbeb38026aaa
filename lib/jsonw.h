/* jsonw.h — a small streaming JSON writer on top of struct buf.
 *
 * It tracks nesting so callers never place commas by hand:
 *
 *   jsonw_begin_object(&w);
 *   jsonw_key(&w, "service"); jsonw_begin_object(&w);
 *   jsonw_kv_str(&w, "name", "node-service");
 *   jsonw_end_object(&w);
 *   jsonw_kv_int(&w, "localEndpoints", 1);
 *   jsonw_end_object(&w);
 *
 * produces {"service":{"name":"node-service"},"localEndpoints":1}.
 * With `pretty` set it indents by two spaces, as kubectl -o json does.
 */
#ifndef CLIENTIP_JSONW_H
#define CLIENTIP_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
	struct buf *out;
	bool pretty;
	int depth;
	bool first[JSONW_MAX_DEPTH]; /* no member written yet at this depth */
	bool after_key;              /* a key was written; the value follows */
};

void jsonw_init(struct jsonw *w, struct buf *out, bool pretty);

void jsonw_begin_object(struct jsonw *w);
void jsonw_end_object(struct jsonw *w);
void jsonw_begin_array(struct jsonw *w);
void jsonw_end_array(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);

void jsonw_str(struct jsonw *w, const char *s);
void jsonw_strn(struct jsonw *w, const char *s, size_t len);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_double(struct jsonw *w, double v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);

void jsonw_kv_str(struct jsonw *w, const char *key, const char *s);
void jsonw_kv_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_kv_bool(struct jsonw *w, const char *key, bool v);

/* Appends `s` (len bytes) to `out` as a quoted JSON string. */
void jsonw_escape(struct buf *out, const char *s, size_t len);

#endif
