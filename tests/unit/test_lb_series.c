/* Unit tests for lb/lb_series.c: 1 s ring, 1 min aggregation (average of
 * health, sum of flows), gaps, wrap-around and restore. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "lb_series.h"

#define T0 1700000040  /* a minute boundary: 1700000040 % 60 == 0 */

static void add(struct lb_series *s, int64_t t, float h0, float h1, float dpa, uint64_t f0)
{
	float health[2] = { h0, h1 };
	uint64_t flows[2] = { f0, 0 };
	struct lb_sample in = { health, dpa, flows, NULL, NULL };

	lb_series_add(s, t, &in);
}

static void test_seconds_and_pool(void **state)
{
	struct lb_series *s = lb_series_new(2);
	struct lb_columns c;

	(void)state;
	assert_int_equal(T0 % 60, 0);
	add(s, T0, 100, 100, 100, 1);
	add(s, T0 + 1, 100, 0, 100, 2);
	/* T0 + 2 missing: a gap. */
	add(s, T0 + 3, 100, NAN, 0, 0);
	assert_int_equal(lb_series_export(s, LB_GRAN_1S, T0, T0 + 3, &c), 0);
	assert_int_equal(c.len, 4);
	assert_int_equal(c.step, 1);
	assert_int_equal(c.start, T0);
	assert_float_equal(c.pool[0], 100, 0.01);
	assert_float_equal(c.pool[1], 50, 0.01);
	assert_true(isnan(c.pool[2]));
	/* A backend without a result does not count: 1 of 1 known = 100 %. */
	assert_float_equal(c.pool[3], 100, 0.01);
	assert_float_equal(c.health[1 * c.len + 1], 0, 0.01);
	assert_true(isnan(c.health[1 * c.len + 3]));
	assert_float_equal(c.dpa[3], 0, 0.01);
	assert_float_equal(c.flows[1], 2, 0.01);
	lb_columns_free(&c);
	lb_series_free(s);
}

static void test_minute_average(void **state)
{
	struct lb_series *s = lb_series_new(2);
	struct lb_columns c;

	(void)state;
	/* Minute 0: backend 1 up for 15 s, down for 45 s -> 25 %; pool 62.5 %. */
	for (int i = 0; i < 60; i++)
		add(s, T0 + i, 100, i < 15 ? 100 : 0, 100, 1);
	/* Minute 1: only 10 samples, all up. */
	for (int i = 0; i < 10; i++)
		add(s, T0 + 60 + i, 100, 100, 0, 2);
	assert_int_equal(lb_series_export(s, LB_GRAN_1M, T0, T0 + 119, &c), 0);
	assert_int_equal(c.len, 2);
	assert_int_equal(c.step, 60);
	assert_float_equal(c.health[0], 100, 0.01);
	assert_float_equal(c.health[1 * c.len + 0], 25, 0.01);
	assert_float_equal(c.pool[0], 62.5, 0.01);
	assert_float_equal(c.flows[0], 60, 0.01);
	assert_float_equal(c.pool[1], 100, 0.01);
	assert_float_equal(c.dpa[1], 0, 0.01);
	assert_float_equal(c.flows[1], 20, 0.01);
	lb_columns_free(&c);
	/* A window that does not start on a minute is rounded down. */
	assert_int_equal(lb_series_export(s, LB_GRAN_1M, T0 + 30, T0 + 61, &c), 0);
	assert_int_equal(c.start, T0);
	assert_int_equal(c.len, 2);
	lb_columns_free(&c);
	lb_series_free(s);
}

static void test_second_sampled_twice(void **state)
{
	struct lb_series *s = lb_series_new(2);
	struct lb_columns c;

	(void)state;
	add(s, T0, 100, 100, 100, 3);
	add(s, T0, 100, 0, 100, 4);
	assert_int_equal(lb_series_export(s, LB_GRAN_1S, T0, T0, &c), 0);
	/* The second keeps the last health, and both intervals' flows. */
	assert_float_equal(c.health[1 * c.len], 0, 0.01);
	assert_float_equal(c.flows[0], 7, 0.01);
	lb_columns_free(&c);
	lb_series_free(s);
}

static void test_wraparound_drops_old(void **state)
{
	struct lb_series *s = lb_series_new(1);
	struct lb_columns c;
	float h = 100;
	struct lb_sample in = { &h, NAN, NULL, NULL, NULL };
	int64_t end = T0 + LB_SERIES_SECONDS + 99;

	(void)state;
	for (int64_t t = T0; t <= end; t++)
		lb_series_add(s, t, &in);
	/* Asking for more than the ring holds returns the newest slots. */
	assert_int_equal(lb_series_export(s, LB_GRAN_1S, T0, end, &c), 0);
	assert_int_equal(c.len, LB_SERIES_SECONDS);
	assert_int_equal(c.start, end - LB_SERIES_SECONDS + 1);
	for (int i = 0; i < c.len; i++)
		assert_false(isnan(c.pool[i]));
	lb_columns_free(&c);
	/* A slot reused for a newer second no longer answers for the old one. */
	assert_int_equal(lb_series_export(s, LB_GRAN_1S, T0, T0 + 5, &c), 0);
	for (int i = 0; i < c.len; i++)
		assert_true(isnan(c.pool[i]));
	lb_columns_free(&c);
	/* 30 minutes of 1 s points, and the minutes, are all there. */
	assert_int_equal(lb_series_export(s, LB_GRAN_1M, end - 1800, end, &c), 0);
	assert_int_equal(c.len, 31);
	for (int i = 0; i < c.len; i++)
		assert_float_equal(c.pool[i], 100, 0.01);
	lb_columns_free(&c);
	lb_series_free(s);
}

static void test_restore(void **state)
{
	struct lb_series *a = lb_series_new(2), *b = lb_series_new(2);
	struct lb_columns sec, min, c;

	(void)state;
	for (int i = 0; i < 90; i++)
		add(a, T0 + i, 100, i < 30 ? 0 : 100, 100, 1);
	assert_int_equal(lb_series_export(a, LB_GRAN_1S, T0, T0 + 89, &sec), 0);
	assert_int_equal(lb_series_export(a, LB_GRAN_1M, T0, T0 + 89, &min), 0);
	lb_series_restore(b, &sec);
	lb_series_restore(b, &min);
	assert_int_equal(lb_series_export(b, LB_GRAN_1M, T0, T0 + 89, &c), 0);
	assert_float_equal(c.health[1 * c.len + 0], 50, 0.01);
	assert_float_equal(c.pool[1], 100, 0.01);
	lb_columns_free(&c);
	assert_int_equal(lb_series_export(b, LB_GRAN_1S, T0, T0 + 89, &c), 0);
	assert_float_equal(c.health[1 * c.len + 29], 0, 0.01);
	assert_float_equal(c.health[1 * c.len + 30], 100, 0.01);
	assert_float_equal(c.flows[5], 1, 0.01);
	lb_columns_free(&c);
	lb_columns_free(&sec);
	lb_columns_free(&min);
	lb_series_free(a);
	lb_series_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seconds_and_pool),
		cmocka_unit_test(test_minute_average),
		cmocka_unit_test(test_second_sampled_twice),
		cmocka_unit_test(test_wraparound_drops_old),
		cmocka_unit_test(test_restore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
