/* Unit tests for lib/cidr.c: parsing, host bits, IPv4 in IPv6 form, matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "sock.h"

static bool match_text(const char *prefix, const char *addr)
{
	struct cidr c;
	uint8_t a[16];

	assert_int_equal(cidr_parse(prefix, &c), 0);
	assert_int_equal(cidr_addr_parse(addr, strlen(addr), a, NULL), 0);
	return cidr_match(&c, a);
}

static void test_parse_and_format(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "10.0.0.0/8", "10.0.0.0/8" },
		{ "10.1.2.3/8", "10.0.0.0/8" },         /* host bits cleared */
		{ "192.168.1.77/30", "192.168.1.76/30" },
		{ "1.2.3.4", "1.2.3.4/32" },
		{ "0.0.0.0/0", "0.0.0.0/0" },
		{ "2001:db8::/32", "2001:db8::/32" },
		{ "2001:db8:ffff::1/33", "2001:db8:8000::/33" },
		{ "::1", "::1/128" },
		{ "::/0", "::/0" },
		{ "::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104" },
	};
	char buf[CIDR_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cidr c;

		assert_int_equal(cidr_parse(cases[i].in, &c), 0);
		assert_true(cidr_format(&c, buf, sizeof(buf)) > 0);
		assert_string_equal(buf, cases[i].out);
	}
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/8x",
		"10.0.0/8", "10.0.0.256", "::/129", "2001:db8::/-1", "host/8",
		"10.0.0.0/8/8", " 10.0.0.0/8", "10.0.0.0 /8", "1.2.3.4/1000",
	};
	struct cidr c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cidr_parse(bad[i], &c), -EINVAL);
}

static void test_match_v4_v6_mapped(void **state)
{
	(void)state;
	assert_true(match_text("10.0.0.0/8", "10.255.1.2"));
	assert_false(match_text("10.0.0.0/8", "11.0.0.1"));
	/* The same IPv4 client seen on a dual-stack socket. */
	assert_true(match_text("10.0.0.0/8", "::ffff:10.1.2.3"));
	assert_true(match_text("::ffff:10.0.0.0/104", "10.1.2.3"));
	assert_true(match_text("192.168.1.76/30", "192.168.1.79"));
	assert_false(match_text("192.168.1.76/30", "192.168.1.80"));
	assert_true(match_text("0.0.0.0/0", "203.0.113.9"));
	assert_false(match_text("0.0.0.0/0", "2001:db8::1"));
	assert_true(match_text("::/0", "203.0.113.9"));
	assert_true(match_text("2001:db8::/32", "2001:db8:1::1"));
	assert_false(match_text("2001:db8::/32", "2001:db9::1"));
	assert_true(match_text("::1", "::1"));
	assert_false(match_text("::1", "::2"));
	assert_true(match_text("127.0.0.1", "127.0.0.1"));
	assert_false(match_text("127.0.0.1", "127.0.0.2"));
	assert_true(match_text("2001:db8::/31", "2001:db9::1"));
}

static void test_match_sockaddr(void **state)
{
	struct cidr list[2];
	struct sockaddr_storage ss;

	(void)state;
	assert_int_equal(cidr_parse("127.0.0.0/8", &list[0]), 0);
	assert_int_equal(cidr_parse("fd00::/8", &list[1]), 0);
	assert_int_equal(sock_parse_ip("127.0.0.1", 9, &ss), 0);
	assert_true(cidr_match_sockaddr(list, 2, (struct sockaddr *)&ss));
	assert_int_equal(sock_parse_ip("::ffff:127.0.0.1", 16, &ss), 0);
	assert_true(cidr_match_sockaddr(list, 2, (struct sockaddr *)&ss));
	assert_int_equal(sock_parse_ip("fd12::1", 7, &ss), 0);
	assert_true(cidr_match_sockaddr(list, 2, (struct sockaddr *)&ss));
	assert_int_equal(sock_parse_ip("::1", 3, &ss), 0);
	assert_false(cidr_match_sockaddr(list, 2, (struct sockaddr *)&ss));
	assert_false(cidr_match_sockaddr(list, 0, (struct sockaddr *)&ss));
	ss.ss_family = AF_UNIX;
	assert_false(cidr_match_sockaddr(list, 2, (struct sockaddr *)&ss));
}

static void test_every_prefix_length(void **state)
{
	uint8_t a[16];
	struct cidr c;
	char text[64];

	(void)state;
	/* 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff lies in 2001:db8::/n only for n <= 32. */
	assert_int_equal(cidr_addr_parse("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 38, a, NULL), 0);
	for (unsigned n = 0; n <= 128; n++) {
		snprintf(text, sizeof(text), "2001:db8::/%u", n);
		assert_int_equal(cidr_parse(text, &c), 0);
		assert_int_equal(cidr_match(&c, a), n <= 32);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_format),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_match_v4_v6_mapped),
		cmocka_unit_test(test_match_sockaddr),
		cmocka_unit_test(test_every_prefix_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
