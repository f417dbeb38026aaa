/* Unit tests for lib/prom.c: label values escaped as the exposition format
 * requires, and histograms cumulative with their +Inf bucket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "prom.h"

static void test_labels_escaped(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_puts(&b, "m");
	prom_label(&b, "a", "plain", true);
	prom_label(&b, "b", "q\"uote\\back\nline", false);
	buf_puts(&b, "} 1\n");
	assert_string_equal(buf_str(&b), "m{a=\"plain\",b=\"q\\\"uote\\\\back\\nline\"} 1\n");
	buf_free(&b);
}

static double bound(int i)
{
	return (double)(i + 1);   /* 1, 2, 3 */
}

static void test_histogram(void **state)
{
	uint64_t counts[4] = { 0 };
	struct buf b = BUF_INIT;
	double vals[] = { 0.5, 1.0, 2.5, 99.0, 3.0 }, sum = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		counts[prom_bucket(bound, 3, vals[i])]++;
		sum += vals[i];
	}
	assert_int_equal(prom_bucket(bound, 3, 1.0), 0);   /* bounds are inclusive */
	assert_int_equal(prom_bucket(bound, 3, 3.5), 3);   /* +Inf */
	prom_histogram(&b, "h_seconds", "A test.", bound, counts, 3, sum, 5);
	assert_string_equal(buf_str(&b),
			    "# HELP h_seconds A test.\n# TYPE h_seconds histogram\n"
			    "h_seconds_bucket{le=\"1\"} 2\n"
			    "h_seconds_bucket{le=\"2\"} 2\n"
			    "h_seconds_bucket{le=\"3\"} 4\n"
			    "h_seconds_bucket{le=\"+Inf\"} 5\n"
			    "h_seconds_sum 106.000000\nh_seconds_count 5\n");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels_escaped),
		cmocka_unit_test(test_histogram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
