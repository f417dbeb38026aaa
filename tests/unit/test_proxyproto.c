/* Unit tests for echo/proxyproto.c: PROXY protocol v1 and v2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "proxyproto.h"
#include "sock.h"

static const char *ip_of(const struct sockaddr_storage *ss)
{
	static char buf[4][SOCK_ADDR_STRLEN];
	static int n;
	char *b = buf[n++ % 4];

	if (sock_format_addr((const struct sockaddr *)ss, false, b, SOCK_ADDR_STRLEN) < 0)
		return "?";
	return b;
}

/* Every proper prefix of a valid header asks for more; the whole parses. */
static int parse_all_prefixes(const void *buf, size_t len, struct proxyproto_hdr *h)
{
	for (size_t i = 0; i < len; i++) {
		struct proxyproto_hdr tmp;
		int rc = proxyproto_parse(buf, i, &tmp);

		if (rc != 0)
			fail_msg("prefix of %zu bytes: %d", i, rc);
	}
	return proxyproto_parse(buf, len, h);
}

static void test_v1_tcp4(void **state)
{
	const char *s = "PROXY TCP4 198.51.100.10 10.240.0.4 56324 8080\r\nGET / HTTP/1.1\r\n";
	size_t hl = strlen("PROXY TCP4 198.51.100.10 10.240.0.4 56324 8080\r\n");
	struct proxyproto_hdr h;

	(void)state;
	assert_int_equal(parse_all_prefixes(s, hl, &h), (int)hl);
	/* Bytes after the header do not change the result. */
	assert_int_equal(proxyproto_parse(s, strlen(s), &h), (int)hl);
	assert_int_equal(h.version, 1);
	assert_true(h.has_addr);
	assert_false(h.local);
	assert_string_equal(ip_of(&h.src), "198.51.100.10:56324");
	assert_string_equal(ip_of(&h.dst), "10.240.0.4:8080");
}

static void test_v1_tcp6_and_unknown(void **state)
{
	const char *s6 = "PROXY TCP6 2001:db8::1 ::ffff:10.0.0.1 0 65535\r\n";
	const char *u1 = "PROXY UNKNOWN\r\n";
	const char *u2 = "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n";
	struct proxyproto_hdr h;

	(void)state;
	assert_int_equal(parse_all_prefixes(s6, strlen(s6), &h), (int)strlen(s6));
	assert_string_equal(ip_of(&h.src), "[2001:db8::1]:0");
	assert_string_equal(ip_of(&h.dst), "[::ffff:10.0.0.1]:65535");
	assert_int_equal(parse_all_prefixes(u1, strlen(u1), &h), (int)strlen(u1));
	assert_false(h.has_addr);
	assert_int_equal(parse_all_prefixes(u2, strlen(u2), &h), (int)strlen(u2));
	assert_false(h.has_addr);
}

static void test_v1_longest(void **state)
{
	/* The specification's worst case is exactly 107 bytes. */
	const char *s = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
			"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	char longer[160];
	struct proxyproto_hdr h;

	(void)state;
	assert_int_equal(strlen(s), PROXYPROTO_V1_MAX);
	assert_int_equal(parse_all_prefixes(s, strlen(s), &h), PROXYPROTO_V1_MAX);
	/* 108 bytes: too long, refused once the limit is passed. */
	snprintf(longer, sizeof(longer), "PROXY UNKNOWN %0*d\r\n", 92, 0);
	assert_int_equal(strlen(longer), 108);
	assert_int_equal(proxyproto_parse(longer, 100, &h), 0);
	assert_int_equal(proxyproto_parse(longer, strlen(longer), &h), -EPROTO);
}

static void test_v1_rejects(void **state)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\n\r\n",
		"PROXY\r\n",
		"PROXY \r\n",
		"proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",
		"PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
		"PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n",
		"PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n",
		"PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n",
		"PROXY UNKNOWNX\r\n",
	};
	struct proxyproto_hdr h;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = proxyproto_parse(bad[i], strlen(bad[i]), &h);

		if (rc != -EPROTO)
			fail_msg("accepted %zu: %s (%d)", i, bad[i], rc);
	}
}

static void test_v1_early_refusal(void **state)
{
	struct proxyproto_hdr h;

	(void)state;
	/* Garbage is refused on its first byte, not after a timeout. */
	assert_int_equal(proxyproto_parse("G", 1, &h), -EPROTO);
	assert_int_equal(proxyproto_parse("PRO", 3, &h), 0);
	assert_int_equal(proxyproto_parse("PROX ", 5, &h), -EPROTO);
	assert_int_equal(proxyproto_parse("PROXY TCP4 \x01", 12, &h), -EPROTO);
	assert_int_equal(proxyproto_parse("", 0, &h), 0);
}

/* Builds a v2 header: cmd (0 LOCAL, 1 PROXY), fam byte, payload. */
static size_t v2(uint8_t *out, unsigned cmd, uint8_t fam, const void *payload, size_t plen)
{
	memcpy(out, PROXYPROTO_V2_SIG, PROXYPROTO_V2_SIGLEN);
	out[12] = (uint8_t)(0x20 | cmd);
	out[13] = fam;
	out[14] = (uint8_t)(plen >> 8);
	out[15] = (uint8_t)plen;
	memcpy(out + 16, payload, plen);
	return 16 + plen;
}

static void test_v2_inet(void **state)
{
	uint8_t p[12 + 7], buf[64];
	struct proxyproto_hdr h;
	size_t n;

	(void)state;
	inet_pton(AF_INET, "203.0.113.7", p);
	inet_pton(AF_INET, "10.240.0.5", p + 4);
	p[8] = 0xdc; p[9] = 0x05;  /* 56325 */
	p[10] = 0x1f; p[11] = 0x90; /* 8080 */
	/* One TLV: PP2_TYPE_AUTHORITY "a.b" */
	p[12] = 0x02; p[13] = 0; p[14] = 3; memcpy(p + 15, "a.b", 3);
	n = v2(buf, 1, 0x11, p, 18);
	assert_int_equal(parse_all_prefixes(buf, n, &h), (int)n);
	assert_int_equal(h.version, 2);
	assert_true(h.has_addr);
	assert_false(h.local);
	assert_int_equal(h.transport, SOCK_STREAM);
	assert_string_equal(ip_of(&h.src), "203.0.113.7:56325");
	assert_string_equal(ip_of(&h.dst), "10.240.0.5:8080");
	/* Without the TLV. */
	n = v2(buf, 1, 0x11, p, 12);
	assert_int_equal(proxyproto_parse(buf, n + 5, &h), (int)n);
}

static void test_v2_inet6_local_unspec_unix(void **state)
{
	uint8_t p[216], buf[300];
	struct proxyproto_hdr h;
	size_t n;

	(void)state;
	memset(p, 0, sizeof(p));
	inet_pton(AF_INET6, "2001:db8::7", p);
	inet_pton(AF_INET6, "2001:db8::1", p + 16);
	p[32] = 0x30; p[33] = 0x39; /* 12345 */
	p[34] = 0x00; p[35] = 0x50; /* 80 */
	n = v2(buf, 1, 0x21, p, 36);
	assert_int_equal(parse_all_prefixes(buf, n, &h), (int)n);
	assert_string_equal(ip_of(&h.src), "[2001:db8::7]:12345");
	assert_string_equal(ip_of(&h.dst), "[2001:db8::1]:80");

	/* LOCAL: health checks from the proxy itself; no addresses. */
	n = v2(buf, 0, 0x00, p, 0);
	assert_int_equal(parse_all_prefixes(buf, n, &h), 16);
	assert_true(h.local);
	assert_false(h.has_addr);
	/* LOCAL with an address block: skipped, not used. */
	n = v2(buf, 0, 0x11, p, 12);
	assert_int_equal(proxyproto_parse(buf, n, &h), 28);
	assert_true(h.local);
	assert_false(h.has_addr);

	/* PROXY over UNSPEC or UNIX: accepted, the addresses are not IP. */
	n = v2(buf, 1, 0x00, p, 4);
	assert_int_equal(proxyproto_parse(buf, n, &h), 20);
	assert_false(h.has_addr);
	n = v2(buf, 1, 0x31, p, 216);
	assert_int_equal(proxyproto_parse(buf, n, &h), 232);
	assert_false(h.has_addr);
	/* DGRAM is reported as such. */
	n = v2(buf, 1, 0x12, p, 12);
	assert_int_equal(proxyproto_parse(buf, n, &h), 28);
	assert_int_equal(h.transport, SOCK_DGRAM);
}

static void test_v2_rejects(void **state)
{
	uint8_t p[64], buf[128];
	struct proxyproto_hdr h;
	size_t n;

	(void)state;
	memset(p, 0, sizeof(p));
	/* Wrong version nibble, command, family, transport. */
	n = v2(buf, 1, 0x11, p, 12);
	buf[12] = 0x11;
	assert_int_equal(proxyproto_parse(buf, 13, &h), -EPROTO);
	n = v2(buf, 2, 0x11, p, 12);
	assert_int_equal(proxyproto_parse(buf, 13, &h), -EPROTO);
	n = v2(buf, 1, 0x41, p, 12);
	assert_int_equal(proxyproto_parse(buf, 14, &h), -EPROTO);
	n = v2(buf, 1, 0x13, p, 12);
	assert_int_equal(proxyproto_parse(buf, 14, &h), -EPROTO);
	/* Address block shorter than the family needs: known at 16 bytes. */
	n = v2(buf, 1, 0x11, p, 11);
	assert_int_equal(proxyproto_parse(buf, 16, &h), -EPROTO);
	n = v2(buf, 1, 0x21, p, 35);
	assert_int_equal(proxyproto_parse(buf, n, &h), -EPROTO);
	/* A TLV running past the end, and a stray byte after the TLVs. */
	p[12] = 0x04; p[13] = 0; p[14] = 9;
	n = v2(buf, 1, 0x11, p, 12 + 3 + 8);
	assert_int_equal(proxyproto_parse(buf, n, &h), -EPROTO);
	p[14] = 0;
	n = v2(buf, 1, 0x11, p, 12 + 3 + 1);
	assert_int_equal(proxyproto_parse(buf, n, &h), -EPROTO);
	n = v2(buf, 1, 0x11, p, 12 + 3);
	assert_int_equal(proxyproto_parse(buf, n, &h), 31);
	/* A corrupt signature is refused at the first differing byte. */
	n = v2(buf, 1, 0x11, p, 12);
	buf[5] = 'x';
	assert_int_equal(proxyproto_parse(buf, 5, &h), 0);
	assert_int_equal(proxyproto_parse(buf, 6, &h), -EPROTO);
	(void)n;
}

static void test_v2_large(void **state)
{
	static uint8_t buf[16 + 65535];
	struct proxyproto_hdr h;

	(void)state;
	/* The largest header: addresses then one NOOP TLV filling the rest. */
	memcpy(buf, PROXYPROTO_V2_SIG, 12);
	buf[12] = 0x21;
	buf[13] = 0x11;
	buf[14] = 0xff;
	buf[15] = 0xff;
	memset(buf + 16, 0, 12);
	buf[28] = 0x04;
	buf[29] = (uint8_t)((65535 - 15) >> 8);
	buf[30] = (uint8_t)(65535 - 15);
	assert_int_equal(proxyproto_parse(buf, 1000, &h), 0);
	assert_int_equal(proxyproto_parse(buf, sizeof(buf), &h), (int)sizeof(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_tcp4),
		cmocka_unit_test(test_v1_tcp6_and_unknown),
		cmocka_unit_test(test_v1_longest),
		cmocka_unit_test(test_v1_rejects),
		cmocka_unit_test(test_v1_early_refusal),
		cmocka_unit_test(test_v2_inet),
		cmocka_unit_test(test_v2_inet6_local_unspec_unix),
		cmocka_unit_test(test_v2_rejects),
		cmocka_unit_test(test_v2_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
