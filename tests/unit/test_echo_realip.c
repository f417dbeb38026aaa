/* Unit tests for echo/echo_realip.c: the X-Forwarded-For walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "echo_realip.h"
#include "sock.h"

struct trust {
	struct cidr c[4];
	size_t n;
};

static void trust_set(struct trust *t, const char *a, const char *b)
{
	t->n = 0;
	if (a)
		assert_int_equal(cidr_parse(a, &t->c[t->n++]), 0);
	if (b)
		assert_int_equal(cidr_parse(b, &t->c[t->n++]), 0);
}

/* The client for a peer and up to three header lines; "<peer>" marks a
 * result that is the peer itself. */
static const char *walk(const struct trust *t, const char *peer, const char *h1,
			const char *h2, const char *h3)
{
	static char out[SOCK_IP_STRLEN + 8];
	struct sockaddr_storage p, client;
	struct echo_str xff[3];
	size_t n = 0;
	bool from;

	assert_int_equal(sock_parse_ip(peer, strlen(peer), &p), 0);
	if (h1)
		xff[n++] = (struct echo_str){ h1, strlen(h1) };
	if (h2)
		xff[n++] = (struct echo_str){ h2, strlen(h2) };
	if (h3)
		xff[n++] = (struct echo_str){ h3, strlen(h3) };
	from = echo_realip_client(t->c, t->n, (struct sockaddr *)&p, xff, n, &client);
	assert_true(sock_format_ip((struct sockaddr *)&client, false, out, SOCK_IP_STRLEN) > 0);
	if (!from)
		assert_true(sock_addr_equal((struct sockaddr *)&client, (struct sockaddr *)&p));
	return from ? out : "<peer>";
}

static void test_untrusted_peer_is_the_client(void **state)
{
	struct trust t;

	(void)state;
	trust_set(&t, "10.0.0.0/8", NULL);
	/* Anyone can send the header: from an untrusted peer it is ignored. */
	assert_string_equal(walk(&t, "::ffff:203.0.113.9", "1.2.3.4", NULL, NULL), "<peer>");
	assert_string_equal(walk(&t, "203.0.113.9", "10.1.1.1", NULL, NULL), "<peer>");
	trust_set(&t, NULL, NULL);
	assert_string_equal(walk(&t, "10.0.0.1", "1.2.3.4", NULL, NULL), "<peer>");
}

static void test_walk_right_to_left(void **state)
{
	struct trust t;

	(void)state;
	trust_set(&t, "10.0.0.0/8", "192.168.0.0/16");
	assert_string_equal(walk(&t, "::ffff:10.0.0.1", "203.0.113.9", NULL, NULL), "203.0.113.9");
	/* A spoofed leftmost entry is passed over: the first untrusted from
	 * the right wins. */
	assert_string_equal(walk(&t, "10.0.0.1", "6.6.6.6, 198.51.100.10, 10.1.2.3", NULL, NULL),
			    "198.51.100.10");
	assert_string_equal(walk(&t, "10.0.0.1", "6.6.6.6, 198.51.100.10, 192.168.3.3, 10.1.2.3",
				 NULL, NULL), "198.51.100.10");
	/* Several header lines are one list, in order. */
	assert_string_equal(walk(&t, "10.0.0.1", "6.6.6.6", "198.51.100.10", "10.9.9.9"),
			    "198.51.100.10");
	assert_string_equal(walk(&t, "10.0.0.1", "6.6.6.6, 198.51.100.11", "10.9.9.9", NULL),
			    "198.51.100.11");
	/* All trusted: the leftmost. */
	assert_string_equal(walk(&t, "10.0.0.1", "192.168.1.1, 10.2.2.2", NULL, NULL), "192.168.1.1");
	/* Empty header or empty elements. */
	assert_string_equal(walk(&t, "10.0.0.1", "", NULL, NULL), "<peer>");
	assert_string_equal(walk(&t, "10.0.0.1", " , ,", NULL, NULL), "<peer>");
	assert_string_equal(walk(&t, "10.0.0.1", "198.51.100.10,,\t, ", NULL, NULL), "198.51.100.10");
	assert_string_equal(walk(&t, "10.0.0.1", NULL, NULL, NULL), "<peer>");
}

static void test_garbage_stops_the_walk(void **state)
{
	struct trust t;

	(void)state;
	trust_set(&t, "10.0.0.0/8", NULL);
	/* Nothing left of an entry that is not an address can be vouched for:
	 * the last trusted hop is the answer. */
	assert_string_equal(walk(&t, "10.0.0.1", "1.2.3.4, unknown", NULL, NULL), "<peer>");
	assert_string_equal(walk(&t, "10.0.0.1", "1.2.3.4, garbage, 10.5.5.5", NULL, NULL), "10.5.5.5");
	assert_string_equal(walk(&t, "10.0.0.1", "1.2.3.4 5.6.7.8", NULL, NULL), "<peer>");
}

static void test_elements_with_ports_and_v6(void **state)
{
	struct trust t;

	(void)state;
	trust_set(&t, "10.0.0.0/8", "2001:db8:ffff::/48");
	assert_string_equal(walk(&t, "10.0.0.1", "198.51.100.10:51234", NULL, NULL), "198.51.100.10");
	assert_string_equal(walk(&t, "10.0.0.1", "[2001:db8::5]:443", NULL, NULL), "2001:db8::5");
	assert_string_equal(walk(&t, "10.0.0.1", "[2001:db8::6]", NULL, NULL), "2001:db8::6");
	assert_string_equal(walk(&t, "10.0.0.1", "2001:db8::7", NULL, NULL), "2001:db8::7");
	assert_string_equal(walk(&t, "2001:db8:ffff::1", "2001:db8::8, 10.3.3.3", NULL, NULL),
			    "2001:db8::8");
	assert_string_equal(walk(&t, "10.0.0.1", "::ffff:198.51.100.12", NULL, NULL),
			    "::ffff:198.51.100.12");
	/* Mapped and plain IPv4 match the same trusted prefix. */
	assert_string_equal(walk(&t, "10.0.0.1", "198.51.100.13, ::ffff:10.7.7.7", NULL, NULL),
			    "198.51.100.13");
}

static void test_parse_elem(void **state)
{
	static const char *const good[] = {
		"1.2.3.4", "1.2.3.4:1", "1.2.3.4:65535", "::1", "[::1]", "[::1]:8",
		"2001:db8::1", "::ffff:1.2.3.4",
	};
	static const char *const bad[] = {
		"", "unknown", "1.2.3.4:", "1.2.3.4:x", "1.2.3.4:123456", "[1.2.3.4]",
		"[::1", "[::1]x", "[::1]:", "1.2.3", "_hidden", "1.2.3.4:5:6", "[::1]:99999",
	};
	struct sockaddr_storage ss;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(echo_realip_parse_elem(good[i], strlen(good[i]), &ss), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (echo_realip_parse_elem(bad[i], strlen(bad[i]), &ss) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untrusted_peer_is_the_client),
		cmocka_unit_test(test_walk_right_to_left),
		cmocka_unit_test(test_garbage_stops_the_walk),
		cmocka_unit_test(test_elements_with_ports_and_v6),
		cmocka_unit_test(test_parse_elem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
