/* prom.c — see prom.h. */
#include "prom.h"

#include <inttypes.h>
#include <stdarg.h>

void prom_head(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prom_single(struct buf *out, const char *name, const char *type, const char *help,
		 const char *fmt, ...)
{
	va_list ap;

	prom_head(out, name, type, help);
	buf_printf(out, "%s ", name);
	va_start(ap, fmt);
	buf_vprintf(out, fmt, ap);
	va_end(ap);
	buf_putc(out, '\n');
}

void prom_label(struct buf *out, const char *key, const char *value, bool first)
{
	buf_printf(out, "%s%s=\"", first ? "{" : ",", key);
	for (const char *s = value; *s; s++) {
		if (*s == '\n')
			buf_puts(out, "\\n");
		else if (*s == '"' || *s == '\\')
			buf_printf(out, "\\%c", *s);
		else
			buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

int prom_bucket(prom_bound_fn *bound, int n, double v)
{
	int i = 0;

	while (i < n && v > bound(i))
		i++;
	return i;
}

void prom_histogram(struct buf *out, const char *name, const char *help, prom_bound_fn *bound,
		    const uint64_t *counts, int n, double sum, uint64_t count)
{
	uint64_t cum = 0;

	prom_head(out, name, "histogram", help);
	for (int i = 0; i < n; i++) {
		cum += counts[i];
		buf_printf(out, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, bound(i), cum);
	}
	cum += counts[n];
	buf_printf(out, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, cum);
	buf_printf(out, "%s_sum %.6f\n%s_count %" PRIu64 "\n", name, sum, name, count);
}
