/* prom.h — the Prometheus text exposition format (version 0.0.4), the one
 * writer of every /metrics page: the node proxy's and the load balancer's.
 *
 * A sample is written as name, then labels, then value:
 *
 *	prom_head(out, "x_total", "counter", "Things done.");
 *	buf_puts(out, "x_total");
 *	prom_label(out, "namespace", ns, true);
 *	prom_label(out, "service", name, false);
 *	buf_printf(out, "} %d\n", n);
 */
#ifndef CLIENTIP_PROM_H
#define CLIENTIP_PROM_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

/* "# HELP name help" and "# TYPE name type" (help must be one line). */
void prom_head(struct buf *out, const char *name, const char *type, const char *help);

/* A metric of one unlabelled sample: its head, then "name value" with the
 * value written by fmt ("%d", "%.3f", "%" PRIu64). */
void prom_single(struct buf *out, const char *name, const char *type, const char *help,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* One label: `{key="value"` if first, else `,key="value"`; the value
 * escaped as the format requires (backslash, double quote, newline). The
 * caller closes the braces. */
void prom_label(struct buf *out, const char *key, const char *value, bool first);

/* A histogram's upper bound of bucket i (0 <= i < n, increasing). */
typedef double prom_bound_fn(int i);

/* The bucket a value falls in: the first whose bound is >= v, or n (the
 * +Inf bucket). */
int prom_bucket(prom_bound_fn *bound, int n, double v);

/* A histogram from per-bucket counts (n + 1 of them, the last the +Inf
 * bucket): the cumulative _bucket lines, _sum and _count. */
void prom_histogram(struct buf *out, const char *name, const char *help, prom_bound_fn *bound,
		    const uint64_t *counts, int n, double sum, uint64_t count);

#endif
