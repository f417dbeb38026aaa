/* Unit tests for cli/cmd_compare.c's pure parts: the --strategies list, an
 * answer of clientip-echo's /json naming the client or not, and the spread
 * of requests over pods. The strategies are measured in a real lab by
 * tests/integration/test_compare.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "compare.h"

static void test_parse_strategies(void **state)
{
	bool want[CMP_NSTRATEGIES];

	(void)state;
	memset(want, 0, sizeof(want));
	assert_int_equal(cmp_parse_strategies("local,gateway", want), 0);
	assert_false(want[0]);
	assert_true(want[1]);
	assert_false(want[2]);
	assert_false(want[3]);
	assert_true(want[4]);

	/* local-spread is a name of its own, not local followed by junk. */
	memset(want, 0, sizeof(want));
	assert_int_equal(cmp_parse_strategies("local-spread", want), 0);
	assert_false(want[1]);
	assert_true(want[2]);

	memset(want, 0, sizeof(want));
	assert_int_equal(cmp_parse_strategies("dsr,dsr", want), 0);
	assert_true(want[3]);

	assert_int_equal(cmp_parse_strategies("cluster,nosuch", want), -1);
	assert_int_equal(cmp_parse_strategies("Cluster", want), -1);
	assert_int_equal(cmp_parse_strategies("", want), -1);
	assert_int_equal(cmp_parse_strategies(",", want), -1);
}

static bool saw(const char *text, const char *addr)
{
	json_t *answer = json_loads(text, JSON_DECODE_ANY, NULL);
	bool r = cmp_saw_client(answer, addr);

	json_decref(answer);
	return r;
}

static void test_saw_client(void **state)
{
	(void)state;
	/* As clientip-echo answers through the load balancer (an IPv6 socket:
	 * mapped) and behind the gateway (from X-Forwarded-For: plain). */
	assert_true(saw("{\"client\":\"::ffff:198.51.100.10\",\"name\":\"p\"}", "198.51.100.10"));
	assert_true(saw("{\"client\":\"198.51.100.11\",\"remoteAddress\":\"10.225.0.4\"}",
			"198.51.100.11"));
	/* SNAT: a node's address. */
	assert_false(saw("{\"client\":\"::ffff:10.240.0.5\"}", "198.51.100.10"));
	/* Another client, and one whose address only starts the same. */
	assert_false(saw("{\"client\":\"::ffff:198.51.100.11\"}", "198.51.100.10"));
	assert_false(saw("{\"client\":\"198.51.100.100\"}", "198.51.100.10"));
	/* Not an answer of /json, and the address elsewhere than as the client. */
	assert_false(saw("::ffff:198.51.100.10", "198.51.100.10"));
	assert_false(saw("{\"name\":\"\\\"client\\\":\\\"198.51.100.10\\\"\"}", "198.51.100.10"));
	assert_false(saw("{\"headers\":{\"client\":\"198.51.100.10\"}}", "198.51.100.10"));
}

/* The rules and counters of `nft -j` output, as nft 1.0 prints them. */
static void test_nft_next(void **state)
{
	json_t *doc = json_loads("{\"nftables\":[{\"metainfo\":{\"version\":\"1.0.6\"}},"
				 "{\"chain\":{\"family\":\"inet\",\"name\":\"forward\",\"handle\":1}},"
				 "{\"rule\":{\"handle\":7,\"comment\":\"a\"}},"
				 "{\"counter\":{\"name\":\"n0\",\"packets\":42,\"bytes\":2520}},"
				 "{\"rule\":{\"handle\":9}}]}", 0, NULL);
	const json_t *o;
	size_t i = 0;

	(void)state;
	assert_non_null(doc);
	o = cmp_nft_next(doc, "rule", &i);
	assert_int_equal(json_integer_value(json_object_get(o, "handle")), 7);
	o = cmp_nft_next(doc, "rule", &i);
	assert_int_equal(json_integer_value(json_object_get(o, "handle")), 9);
	assert_null(cmp_nft_next(doc, "rule", &i));
	i = 0;
	o = cmp_nft_next(doc, "counter", &i);
	assert_int_equal(json_integer_value(json_object_get(o, "packets")), 42);
	i = 0;
	assert_null(cmp_nft_next(NULL, "rule", &i));
	json_decref(doc);
}

static void test_spread(void **state)
{
	const int one[] = { 60 }, even[] = { 30, 30 }, uneven[] = { 40, 20 }, starved[] = { 60, 0 };

	(void)state;
	assert_true(cmp_spread(one, 1) == 1.0);
	assert_true(cmp_spread(even, 2) == 1.0);
	assert_true(cmp_spread(uneven, 2) == 2.0);
	assert_true(cmp_spread(starved, 2) < 0);
	assert_true(cmp_spread(one, 0) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_strategies),
		cmocka_unit_test(test_saw_client),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_nft_next),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
