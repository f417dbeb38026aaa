/* Unit tests for agent/proxy_metrics.c: reading the per-element counters
 * of the no-endpoint maps from libnftables' JSON output. The samples are
 * `nft -j list map ip kube-proxy ...` as nftables 1.0.6 printed them, with
 * packets sent into the maps (the agent asks libnftables for the same
 * JSON through its context). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proxy_int.h"

static const char services_json[] =
	"{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"release_name\": \"Lester Gooch #5\", "
	"\"json_schema_version\": 1}}, {\"map\": {\"family\": \"ip\", \"name\": \"no-endpoint-services\", "
	"\"table\": \"kube-proxy\", \"type\": [\"ipv4_addr\", \"inet_proto\", \"inet_service\"], "
	"\"handle\": 2, \"comment\": \"vmap to drop or reject packets to services with no endpoints\", "
	"\"map\": \"verdict\", \"elem\": [[{\"elem\": {\"val\": {\"concat\": [\"10.96.0.11\", \"udp\", 53]}, "
	"\"comment\": \"kube-system/dns:dns\", \"counter\": {\"packets\": 2, \"bytes\": 60}}}, "
	"{\"goto\": {\"target\": \"reject-chain\"}}], [{\"elem\": {\"val\": {\"concat\": [\"10.96.0.10\", "
	"\"tcp\", 80]}, \"comment\": \"default/web:http\", \"counter\": {\"packets\": 3, \"bytes\": 180}}}, "
	"{\"drop\": null}]], \"stmt\": [{\"counter\": null}]}}]}\n";

/* The second element has no comment: counted, but for no Service. */
static const char nodeports_json[] =
	"{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"release_name\": \"Lester Gooch #5\", "
	"\"json_schema_version\": 1}}, {\"map\": {\"family\": \"ip\", \"name\": \"no-endpoint-nodeports\", "
	"\"table\": \"kube-proxy\", \"type\": [\"inet_proto\", \"inet_service\"], \"handle\": 3, "
	"\"comment\": \"vmap to drop or reject packets to service nodeports with no endpoints\", "
	"\"map\": \"verdict\", \"elem\": [[{\"elem\": {\"val\": {\"concat\": [\"tcp\", 30080]}, "
	"\"comment\": \"default/web:http\", \"counter\": {\"packets\": 2, \"bytes\": 120}}}, "
	"{\"drop\": null}], [{\"elem\": {\"val\": {\"concat\": [\"tcp\", 30081]}, \"counter\": "
	"{\"packets\": 0, \"bytes\": 0}}}, {\"drop\": null}]], \"stmt\": [{\"counter\": null}]}}]}\n";

/* A map without elements has no "elem" member at all. */
static const char empty_json[] =
	"{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"release_name\": \"Lester Gooch #5\", "
	"\"json_schema_version\": 1}}, {\"map\": {\"family\": \"ip\", \"name\": \"no-endpoint-nodeports\", "
	"\"table\": \"kube-proxy\", \"type\": [\"inet_proto\", \"inet_service\"], \"handle\": 3, "
	"\"map\": \"verdict\", \"stmt\": [{\"counter\": null}]}}]}\n";

struct readings {
	struct proxy_reading *rd;
	int n, cap;
	char err[256];
};

static int parse(struct readings *r, const char *json, const char *map)
{
	return proxy_metrics_parse_map(json, strlen(json), map, &r->rd, &r->n, &r->cap, r->err,
				       sizeof(r->err));
}

static void test_services_map(void **state)
{
	struct readings r = { 0 };

	(void)state;
	assert_int_equal(parse(&r, services_json, "no-endpoint-services"), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.rd[0].ctr.key, "no-endpoint-services|10.96.0.11 . udp . 53");
	assert_int_equal(r.rd[0].ctr.packets, 2);
	assert_string_equal(r.rd[0].ns, "kube-system");
	assert_string_equal(r.rd[0].name, "dns");
	assert_false(r.rd[0].drop);   /* goto reject-chain */
	assert_string_equal(r.rd[1].ctr.key, "no-endpoint-services|10.96.0.10 . tcp . 80");
	assert_int_equal(r.rd[1].ctr.packets, 3);
	assert_string_equal(r.rd[1].ns, "default");
	assert_string_equal(r.rd[1].name, "web");
	assert_true(r.rd[1].drop);
	free(r.rd);
}

/* Both maps' readings go into one list, as the agent reads them. */
static void test_maps_append(void **state)
{
	struct readings r = { 0 };

	(void)state;
	assert_int_equal(parse(&r, services_json, "no-endpoint-services"), 0);
	assert_int_equal(parse(&r, nodeports_json, "no-endpoint-nodeports"), 0);
	assert_int_equal(parse(&r, empty_json, "no-endpoint-nodeports"), 0);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.rd[2].ctr.key, "no-endpoint-nodeports|tcp . 30080");
	assert_int_equal(r.rd[2].ctr.packets, 2);
	assert_string_equal(r.rd[2].ns, "default");
	assert_string_equal(r.rd[2].name, "web");
	assert_true(r.rd[2].drop);
	assert_string_equal(r.rd[3].ctr.key, "no-endpoint-nodeports|tcp . 30081");
	assert_int_equal(r.rd[3].ctr.packets, 0);
	assert_string_equal(r.rd[3].ns, "");
	free(r.rd);
}

/* More elements than the first allocation holds; counters past 2^32. */
static void test_many_elements(void **state)
{
	struct buf b = BUF_INIT;
	struct readings r = { 0 };

	(void)state;
	buf_puts(&b, "{\"nftables\": [{\"map\": {\"name\": \"no-endpoint-services\", \"elem\": [");
	for (int i = 0; i < 100; i++)
		buf_printf(&b, "%s[{\"elem\": {\"val\": {\"concat\": [\"10.96.1.%d\", \"tcp\", 80]}, "
			   "\"comment\": \"ns%d/svc%d:http\", \"counter\": {\"packets\": %llu, "
			   "\"bytes\": 0}}}, {\"drop\": null}]", i ? ", " : "", i, i, i,
			   5000000000ull + (unsigned long long)i);
	buf_puts(&b, "]}}]}");
	assert_int_equal(proxy_metrics_parse_map(b.data, b.len, "no-endpoint-services", &r.rd, &r.n,
						 &r.cap, r.err, sizeof(r.err)), 0);
	assert_int_equal(r.n, 100);
	assert_string_equal(r.rd[99].ctr.key, "no-endpoint-services|10.96.1.99 . tcp . 80");
	assert_true(r.rd[99].ctr.packets == 5000000099ull);
	assert_string_equal(r.rd[99].ns, "ns99");
	assert_string_equal(r.rd[99].name, "svc99");
	free(r.rd);
	buf_free(&b);
}

static void test_errors(void **state)
{
	struct readings r = { 0 };

	(void)state;
	assert_int_equal(parse(&r, "table ip kube-proxy {", "no-endpoint-services"), -1);
	assert_non_null(strstr(r.err, "not JSON"));
	/* The listing of another map is not this one's. */
	assert_int_equal(parse(&r, services_json, "no-endpoint-nodeports"), -1);
	assert_non_null(strstr(r.err, "not in the listing"));
	assert_int_equal(parse(&r, "", "no-endpoint-services"), -1);
	assert_int_equal(r.n, 0);
	free(r.rd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_services_map),
		cmocka_unit_test(test_maps_append),
		cmocka_unit_test(test_many_elements),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
