/* lb_series.h — metric time series at 1 s and 1 min granularity.
 *
 * Azure's portal shows load balancer metrics per minute over 30 minutes and
 * more; the lab also wants second-by-second detail to watch a probe flip.
 * A series keeps both in ring buffers sized once at creation:
 *
 *   1 s   LB_SERIES_SECONDS slots (31 min), one sample per second
 *   1 min LB_SERIES_MINUTES slots (24 h), each the aggregate of its seconds:
 *         Health Probe Status and Data Path Availability are averaged over
 *         the seconds that had data (as Azure's "Avg" aggregation),
 *         flows, packets and bytes are summed
 *
 * Values per slot: per backend health (100 up, 0 down), the pool's average,
 * data path availability, and per backend flows/packets/bytes in that
 * slot. A slot with no sample reads as NAN (a gap, drawn as a break).
 * Slots are addressed by Unix time, so a restart or a stalled second shows
 * up as a gap instead of shifting the timeline.
 */
#ifndef CLIENTIP_LB_SERIES_H
#define CLIENTIP_LB_SERIES_H

#include <stdint.h>

#define LB_SERIES_SECONDS 1860
#define LB_SERIES_MINUTES 1440

enum lb_gran { LB_GRAN_1S, LB_GRAN_1M };

/* One second of input; arrays have the series' n entries. health[i] NAN:
 * backend i had no result yet (not counted in the pool average). */
struct lb_sample {
	const float *health;
	float dpa;                     /* 100, 0 or NAN */
	const uint64_t *flows, *packets, *bytes;  /* deltas over the second; NULL: 0 */
};

/* A window of a series, column by column; index i is time start + i*step.
 * Per-backend columns are n consecutive runs of len values (backend b at
 * [b*len, (b+1)*len)). NAN marks a slot without data. */
struct lb_columns {
	int64_t start;
	int step;                      /* seconds: 1 or 60 */
	int len;
	int n;                         /* backends */
	float *pool;
	float *dpa;
	float *health;
	double *flows, *packets, *bytes;
};

struct lb_series;

struct lb_series *lb_series_new(int n_backends);
void lb_series_free(struct lb_series *s);

/* Records the sample of second t (Unix time). A second sampled twice keeps
 * the last sample in the 1 s ring and both in the minute's average. */
void lb_series_add(struct lb_series *s, int64_t t, const struct lb_sample *in);

/* Puts the slots of c (step 1 or 60) back into the matching ring as
 * single samples: after a restart the chart keeps its history. */
void lb_series_restore(struct lb_series *s, const struct lb_columns *c);

/* Copies slots [from, to] (Unix seconds, inclusive, rounded down to the
 * granularity) into out, allocating its columns. 0 or -ENOMEM/-EINVAL. */
int lb_series_export(const struct lb_series *s, enum lb_gran g, int64_t from, int64_t to,
		     struct lb_columns *out);

/* Allocates columns for len slots of n backends, all NAN. 0 or -ENOMEM. */
int lb_columns_alloc(struct lb_columns *c, int64_t start, int step, int len, int n);
void lb_columns_free(struct lb_columns *c);

#endif
