/* Unit tests for lib/jsonw.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "jsonw.h"

static void test_nested_compact(void **state)
{
	struct buf b = BUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &b, false);
	jsonw_begin_object(&w);
	jsonw_key(&w, "service");
	jsonw_begin_object(&w);
	jsonw_kv_str(&w, "namespace", "default");
	jsonw_kv_str(&w, "name", "node-service");
	jsonw_end_object(&w);
	jsonw_kv_int(&w, "localEndpoints", 1);
	jsonw_kv_bool(&w, "serviceProxyHealthy", true);
	jsonw_end_object(&w);
	assert_string_equal(buf_str(&b),
		"{\"service\":{\"namespace\":\"default\",\"name\":\"node-service\"},"
		"\"localEndpoints\":1,\"serviceProxyHealthy\":true}");
	buf_free(&b);
}

static void test_arrays_and_empty(void **state)
{
	struct buf b = BUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &b, false);
	jsonw_begin_array(&w);
	jsonw_int(&w, -3);
	jsonw_begin_object(&w);
	jsonw_end_object(&w);
	jsonw_begin_array(&w);
	jsonw_end_array(&w);
	jsonw_null(&w);
	jsonw_end_array(&w);
	assert_string_equal(buf_str(&b), "[-3,{},[],null]");
	buf_free(&b);
}

static void test_escaping(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	jsonw_escape(&b, "a\"b\\c\n\x01\x7f", 8);
	assert_string_equal(buf_str(&b), "\"a\\\"b\\\\c\\n\\u0001\\u007f\"");
	buf_free(&b);
}

static void test_pretty(void **state)
{
	struct buf b = BUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &b, true);
	jsonw_begin_object(&w);
	jsonw_kv_int(&w, "a", 1);
	jsonw_key(&w, "b");
	jsonw_begin_array(&w);
	jsonw_str(&w, "x");
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	assert_string_equal(buf_str(&b), "{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_compact),
		cmocka_unit_test(test_arrays_and_empty),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_pretty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
