/* lb_series.c — see lb_series.h. */
#include "lb_series.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct lb_ring {
	int slots;
	int64_t *t;                    /* slot time, -1 empty */
	/* sums and counts make the minute average; the second ring uses
	 * count 1 (overwrite) */
	double *health_sum;            /* slots * n */
	int *health_cnt;
	double *pool_sum, *dpa_sum;
	int *pool_cnt, *dpa_cnt;
	double *flows, *packets, *bytes; /* slots * n */
};

struct lb_series {
	int n;
	struct lb_ring sec, min;
};

static int lb_ring_init(struct lb_ring *r, int slots, int n)
{
	size_t sn = (size_t)slots * (size_t)(n > 0 ? n : 1);

	r->slots = slots;
	r->t = malloc((size_t)slots * sizeof(*r->t));
	r->health_sum = calloc(sn, sizeof(double));
	r->health_cnt = calloc(sn, sizeof(int));
	r->pool_sum = calloc((size_t)slots, sizeof(double));
	r->dpa_sum = calloc((size_t)slots, sizeof(double));
	r->pool_cnt = calloc((size_t)slots, sizeof(int));
	r->dpa_cnt = calloc((size_t)slots, sizeof(int));
	r->flows = calloc(sn, sizeof(double));
	r->packets = calloc(sn, sizeof(double));
	r->bytes = calloc(sn, sizeof(double));
	if (!r->t || !r->health_sum || !r->health_cnt || !r->pool_sum || !r->dpa_sum ||
	    !r->pool_cnt || !r->dpa_cnt || !r->flows || !r->packets || !r->bytes)
		return -ENOMEM;
	for (int i = 0; i < slots; i++)
		r->t[i] = -1;
	return 0;
}

static void lb_ring_free(struct lb_ring *r)
{
	free(r->t);
	free(r->health_sum);
	free(r->health_cnt);
	free(r->pool_sum);
	free(r->dpa_sum);
	free(r->pool_cnt);
	free(r->dpa_cnt);
	free(r->flows);
	free(r->packets);
	free(r->bytes);
}

struct lb_series *lb_series_new(int n_backends)
{
	struct lb_series *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->n = n_backends;
	if (lb_ring_init(&s->sec, LB_SERIES_SECONDS, n_backends) < 0 ||
	    lb_ring_init(&s->min, LB_SERIES_MINUTES, n_backends) < 0) {
		lb_series_free(s);
		return NULL;
	}
	return s;
}

void lb_series_free(struct lb_series *s)
{
	if (!s)
		return;
	lb_ring_free(&s->sec);
	lb_ring_free(&s->min);
	free(s);
}

static int64_t lb_floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* The slot of time t (already rounded to the ring's step), cleared if it
 * held an older time. */
static int lb_ring_slot(struct lb_ring *r, int n, int64_t t, int step)
{
	int64_t k = lb_floor_div(t, step);
	int i = (int)(((k % r->slots) + r->slots) % r->slots);

	if (r->t[i] != t) {
		r->t[i] = t;
		r->pool_sum[i] = r->dpa_sum[i] = 0;
		r->pool_cnt[i] = r->dpa_cnt[i] = 0;
		for (int b = 0; b < n; b++) {
			size_t j = (size_t)i * (size_t)n + (size_t)b;

			r->health_sum[j] = 0;
			r->health_cnt[j] = 0;
			r->flows[j] = r->packets[j] = r->bytes[j] = 0;
		}
	}
	return i;
}

static void lb_ring_put(struct lb_ring *r, int n, int64_t t, int step, bool overwrite,
			const struct lb_sample *in)
{
	int64_t ts = lb_floor_div(t, step) * step;
	int i = lb_ring_slot(r, n, ts, step);
	double pool = 0;
	int have = 0;

	if (overwrite) {
		r->pool_sum[i] = r->dpa_sum[i] = 0;
		r->pool_cnt[i] = r->dpa_cnt[i] = 0;
	}
	for (int b = 0; b < n; b++) {
		size_t j = (size_t)i * (size_t)n + (size_t)b;

		if (overwrite) {
			r->health_sum[j] = 0;
			r->health_cnt[j] = 0;
		}
		if (!isnan(in->health[b])) {
			r->health_sum[j] += in->health[b];
			r->health_cnt[j]++;
			pool += in->health[b];
			have++;
		}
		/* Deltas add up in both rings: a second sampled twice saw two
		 * distinct intervals of traffic. */
		r->flows[j] += in->flows ? (double)in->flows[b] : 0;
		r->packets[j] += in->packets ? (double)in->packets[b] : 0;
		r->bytes[j] += in->bytes ? (double)in->bytes[b] : 0;
	}
	/* The pool's status is the average over the backends that have a
	 * result: 1 of 2 up reads 50 %. */
	if (have) {
		r->pool_sum[i] += pool / have;
		r->pool_cnt[i]++;
	}
	if (!isnan(in->dpa)) {
		r->dpa_sum[i] += in->dpa;
		r->dpa_cnt[i]++;
	}
}

void lb_series_add(struct lb_series *s, int64_t t, const struct lb_sample *in)
{
	lb_ring_put(&s->sec, s->n, t, 1, true, in);
	lb_ring_put(&s->min, s->n, t, 60, false, in);
}

void lb_series_restore(struct lb_series *s, const struct lb_columns *c)
{
	struct lb_ring *r = c->step == 60 ? &s->min : c->step == 1 ? &s->sec : NULL;
	int n = c->n < s->n ? c->n : s->n;

	if (!r || !c->pool)
		return;
	for (int k = 0; k < c->len; k++) {
		int64_t t = c->start + (int64_t)k * c->step;
		bool any = !isnan(c->pool[k]) || !isnan(c->dpa[k]);
		int i;

		for (int b = 0; b < n && !any; b++)
			any = !isnan(c->health[(size_t)b * (size_t)c->len + (size_t)k]);
		if (!any)
			continue;
		i = lb_ring_slot(r, s->n, t, c->step);
		if (!isnan(c->pool[k])) {
			r->pool_sum[i] = c->pool[k];
			r->pool_cnt[i] = 1;
		}
		if (!isnan(c->dpa[k])) {
			r->dpa_sum[i] = c->dpa[k];
			r->dpa_cnt[i] = 1;
		}
		for (int b = 0; b < n; b++) {
			size_t o = (size_t)b * (size_t)c->len + (size_t)k;
			size_t j = (size_t)i * (size_t)s->n + (size_t)b;

			if (!isnan(c->health[o])) {
				r->health_sum[j] = c->health[o];
				r->health_cnt[j] = 1;
			}
			r->flows[j] = isnan(c->flows[o]) ? 0 : c->flows[o];
			r->packets[j] = isnan(c->packets[o]) ? 0 : c->packets[o];
			r->bytes[j] = isnan(c->bytes[o]) ? 0 : c->bytes[o];
		}
	}
}

int lb_columns_alloc(struct lb_columns *c, int64_t start, int step, int len, int n)
{
	size_t ln = (size_t)len * (size_t)(n > 0 ? n : 1);

	memset(c, 0, sizeof(*c));
	c->start = start;
	c->step = step;
	c->len = len;
	c->n = n;
	c->pool = malloc((size_t)(len > 0 ? len : 1) * sizeof(float));
	c->dpa = malloc((size_t)(len > 0 ? len : 1) * sizeof(float));
	c->health = malloc((ln ? ln : 1) * sizeof(float));
	c->flows = malloc((ln ? ln : 1) * sizeof(double));
	c->packets = malloc((ln ? ln : 1) * sizeof(double));
	c->bytes = malloc((ln ? ln : 1) * sizeof(double));
	if (!c->pool || !c->dpa || !c->health || !c->flows || !c->packets || !c->bytes) {
		lb_columns_free(c);
		return -ENOMEM;
	}
	for (int i = 0; i < len; i++)
		c->pool[i] = c->dpa[i] = NAN;
	for (size_t i = 0; i < ln; i++) {
		c->health[i] = NAN;
		c->flows[i] = c->packets[i] = c->bytes[i] = NAN;
	}
	return 0;
}

void lb_columns_free(struct lb_columns *c)
{
	free(c->pool);
	free(c->dpa);
	free(c->health);
	free(c->flows);
	free(c->packets);
	free(c->bytes);
	memset(c, 0, sizeof(*c));
}

int lb_series_export(const struct lb_series *s, enum lb_gran g, int64_t from, int64_t to,
		     struct lb_columns *out)
{
	const struct lb_ring *r = g == LB_GRAN_1M ? &s->min : &s->sec;
	int step = g == LB_GRAN_1M ? 60 : 1;
	int64_t a = lb_floor_div(from, step) * step, z = lb_floor_div(to, step) * step;
	int64_t len64 = z < a ? 0 : (z - a) / step + 1;
	int rc;

	if (len64 > r->slots) {
		/* Older slots than the ring holds would all be gaps. */
		a = z - (int64_t)(r->slots - 1) * step;
		len64 = r->slots;
	}
	rc = lb_columns_alloc(out, a, step, (int)len64, s->n);
	if (rc < 0)
		return rc;
	for (int k = 0; k < out->len; k++) {
		int64_t t = a + (int64_t)k * step;
		int64_t q = lb_floor_div(t, step);
		int i = (int)(((q % r->slots) + r->slots) % r->slots);

		if (r->t[i] != t)
			continue;
		if (r->pool_cnt[i])
			out->pool[k] = (float)(r->pool_sum[i] / r->pool_cnt[i]);
		if (r->dpa_cnt[i])
			out->dpa[k] = (float)(r->dpa_sum[i] / r->dpa_cnt[i]);
		for (int b = 0; b < s->n; b++) {
			size_t j = (size_t)i * (size_t)s->n + (size_t)b;
			size_t o = (size_t)b * (size_t)out->len + (size_t)k;

			if (r->health_cnt[j])
				out->health[o] = (float)(r->health_sum[j] / r->health_cnt[j]);
			out->flows[o] = r->flows[j];
			out->packets[o] = r->packets[j];
			out->bytes[o] = r->bytes[j];
		}
	}
	return 0;
}
