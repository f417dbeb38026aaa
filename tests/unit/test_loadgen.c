/* Unit tests for cli/loadgen.c's pure parts: URL parsing (literal
 * addresses only, ports, paths, bad input) and the longest stretch without
 * an answered new connection. The load itself runs against a real lab in
 * tests/integration/test_load.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "loadgen.h"
#include "sock.h"

static void test_parse_url(void **state)
{
	struct loadgen_config c;
	char err[256], ip[SOCK_ADDR_STRLEN];

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(loadgen_parse_url("http://203.0.113.10/", &c, err, sizeof(err)), 0);
	sock_format_addr((struct sockaddr *)&c.addr, true, ip, sizeof(ip));
	assert_string_equal(ip, "203.0.113.10:80");
	assert_string_equal(c.host, "203.0.113.10");
	assert_string_equal(c.path, "/");

	assert_int_equal(loadgen_parse_url("http://10.0.0.10:8080/json?x=1", &c, err, sizeof(err)), 0);
	sock_format_addr((struct sockaddr *)&c.addr, true, ip, sizeof(ip));
	assert_string_equal(ip, "10.0.0.10:8080");
	assert_string_equal(c.host, "10.0.0.10:8080");
	assert_string_equal(c.path, "/json?x=1");

	assert_int_equal(loadgen_parse_url("http://[::1]:81", &c, err, sizeof(err)), 0);
	sock_format_addr((struct sockaddr *)&c.addr, false, ip, sizeof(ip));
	assert_string_equal(ip, "[::1]:81");
	assert_string_equal(c.host, "[::1]:81");
	assert_string_equal(c.path, "/");

	assert_int_equal(loadgen_parse_url("https://203.0.113.10/", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "only http://"));
	assert_int_equal(loadgen_parse_url("http://example.com/", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "IP address"));
	assert_int_equal(loadgen_parse_url("http://1.2.3.4:0/", &c, err, sizeof(err)), -1);
	assert_int_equal(loadgen_parse_url("http://1.2.3.4:65536/", &c, err, sizeof(err)), -1);
	assert_int_equal(loadgen_parse_url("http://1.2.3.4:80x/", &c, err, sizeof(err)), -1);
	assert_int_equal(loadgen_parse_url("http:///", &c, err, sizeof(err)), -1);
	assert_int_equal(loadgen_parse_url("http://[::1/", &c, err, sizeof(err)), -1);
}

static void test_longest_gap(void **state)
{
	/* Starts every 100 ms over 1 s; 300-600 ms fail: the gap runs from the
	 * last answered start (200) to the next (700). */
	uint64_t start[10];
	bool ok[10];

	(void)state;
	for (int i = 0; i < 10; i++) {
		start[i] = (uint64_t)i * 100;
		ok[i] = i < 3 || i > 6;
	}
	assert_int_equal(loadgen_longest_gap(start, ok, 10, 1000), 500);
	/* All answered: the widest spacing, or the tail to the end. */
	for (int i = 0; i < 10; i++)
		ok[i] = true;
	assert_int_equal(loadgen_longest_gap(start, ok, 10, 1000), 100);
	/* The first ones fail: measured from the start of the run. */
	ok[0] = ok[1] = ok[2] = ok[3] = false;
	assert_int_equal(loadgen_longest_gap(start, ok, 10, 1000), 400);
	/* Nothing answered: the whole run. */
	for (int i = 0; i < 10; i++)
		ok[i] = false;
	assert_int_equal(loadgen_longest_gap(start, ok, 10, 1000), 1000);
	assert_int_equal(loadgen_longest_gap(NULL, NULL, 0, 2500), 2500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_url),
		cmocka_unit_test(test_longest_gap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
