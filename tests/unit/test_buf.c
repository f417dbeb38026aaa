/* Unit tests for lib/buf.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "buf.h"

static void test_empty_is_empty_string(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(b.len, 0);
}

static void test_append_grows(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 2000);
	assert_memory_equal(b.data, "0,1,2,", 6);
	assert_int_equal(b.data[b.len], '\0');
	assert_false(b.oom);
	buf_free(&b);
}

static void test_reset_keeps_capacity(void **state)
{
	struct buf b = BUF_INIT;
	size_t cap;

	(void)state;
	buf_puts(&b, "hello world");
	cap = b.cap;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	assert_string_equal(buf_str(&b), "");
	buf_putc(&b, 'x');
	assert_string_equal(buf_str(&b), "x");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_empty_string),
		cmocka_unit_test(test_append_grows),
		cmocka_unit_test(test_reset_keeps_capacity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
