/* buf.h — a growable byte buffer.
 *
 * Used to build responses, JSON documents and nft scripts. Growth is
 * geometric; buf_reset() keeps the allocation so a hot path that reuses one
 * buffer stops allocating after warm-up.
 */
#ifndef CLIENTIP_BUF_H
#define CLIENTIP_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;     /* always NUL-terminated when len > 0 or cap > 0 */
	size_t len;
	size_t cap;
	bool oom;       /* an append failed; the content is truncated */
};

#define BUF_INIT { NULL, 0, 0, false }

void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* Makes room for at least `extra` more bytes; -1 on allocation failure. */
int buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The content as a C string ("" for an empty buffer). */
const char *buf_str(const struct buf *b);

#endif
