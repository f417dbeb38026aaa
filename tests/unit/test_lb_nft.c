/* Unit tests for lb/lb_nft.c: the rendered ruleset against golden files
 * (tests/golden/lb/), counter carry-over, and parsing `nft -j` counters.
 * LB_GOLDEN_UPDATE=1 rewrites the golden files from the current output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "lb_maglev.h"
#include "lb_nft.h"

static void check_golden(const char *name, const struct buf *got)
{
	char path[512];
	char *want = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s", LB_GOLDEN_DIR, name);
	if (getenv("LB_GOLDEN_UPDATE")) {
		assert_int_equal(fs_write_atomic(path, got->data, got->len, 0644), 0);
		return;
	}
	assert_int_equal(fs_read_all(path, &want, &len), 0);
	if (strcmp(want, buf_str(got)) != 0) {
		fprintf(stderr, "%s differs; got:\n%s", path, buf_str(got));
		fail();
	}
	free(want);
}

static void svc(struct lb_nft_svc *s, const char *key, const char *fe, int n_backends)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->key, sizeof(s->key), "%s", key);
	inet_pton(AF_INET, fe, &s->frontend);
	s->n_backends = n_backends;
	s->floating_ip = true;
}

static void test_empty_table(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	lb_nft_render(NULL, 0, NULL, 0, &b);
	check_golden("empty.nft", &b);
	buf_free(&b);
}

static void test_scenario_rules(void **state)
{
	struct lb_nft_svc s[3];
	struct lb_nft_counter carry[2] = {
		{ "flows_default_node-service_node0", 7, 420 },
		{ "traffic_default_node-service_node1", 100, 6400 },
	};
	struct buf b = BUF_INIT;

	(void)state;
	/* The scenario's Service under Local: only node0 passes the probe. */
	svc(&s[0], "default_node-service", "203.0.113.10", 2);
	s[0].n_ports = 1;
	s[0].ports[0] = (struct lb_nft_port){ .proto = MODEL_PROTO_TCP, .port = 80, .node_port = 31234 };
	s[0].ports[0].healthy[s[0].ports[0].n_healthy++] = 0;
	/* Azure's default idle timeout, 4 minutes, with TCP reset. */
	s[0].idle_timeout_s = 240;
	s[0].tcp_reset = true;
	/* Floating IP off, SourceIP distribution, two ports: both nodes up in
	 * the TCP rule's pool, node1 alone in the UDP rule's. */
	svc(&s[1], "shop_web", "203.0.113.11", 2);
	s[1].floating_ip = false;
	s[1].source_ip_affinity = true;
	s[1].n_ports = 2;
	s[1].ports[0] = (struct lb_nft_port){ .proto = MODEL_PROTO_TCP, .port = 443, .node_port = 30443 };
	s[1].ports[1] = (struct lb_nft_port){ .proto = MODEL_PROTO_UDP, .port = 53, .node_port = 30053 };
	s[1].ports[0].healthy[s[1].ports[0].n_healthy++] = 0;
	s[1].ports[0].healthy[s[1].ports[0].n_healthy++] = 1;
	s[1].ports[1].healthy[s[1].ports[1].n_healthy++] = 1;
	/* 30 minutes, reset disabled: forgotten flows get silence. */
	s[1].idle_timeout_s = 1800;
	/* Every backend down: new flows dropped. */
	svc(&s[2], "default_down", "203.0.113.12", 2);
	s[2].n_ports = 1;
	s[2].ports[0] = (struct lb_nft_port){ .proto = MODEL_PROTO_TCP, .port = 8080, .node_port = 31000 };
	lb_nft_render(s, 3, carry, 2, &b);
	check_golden("scenario.nft", &b);
	buf_free(&b);
}

/* The marks of a rendered rule's lookup map, by slot; returns the count. */
static int rule_marks(const char *text, uint32_t *marks, int max)
{
	const char *p = strstr(text, " map { 0 : ");
	int n = 0;

	assert_non_null(p);
	p += strlen(" map { ");
	for (;;) {
		int slot;
		unsigned int mark;
		int used;

		assert_int_equal(sscanf(p, "%d : %x%n", &slot, &mark, &used), 2);
		assert_int_equal(slot, n);
		assert_true(n < max);
		marks[n++] = mark;
		p += used;
		if (strncmp(p, ", ", 2) != 0)
			break;
		p += 2;
	}
	assert_true(strncmp(p, " }\n", 3) == 0);
	return n;
}

static void svc_healthy(struct lb_nft_svc *s, int n_backends, const int *healthy, int n)
{
	svc(s, "default_x", "203.0.113.20", n_backends);
	s->n_ports = 1;
	s->ports[0] = (struct lb_nft_port){ .proto = MODEL_PROTO_TCP, .port = 80, .node_port = 30080 };
	for (int i = 0; i < n; i++)
		s->ports[0].healthy[s->ports[0].n_healthy++] = healthy[i];
}

static void test_hash_covers_healthy_only(void **state)
{
	static uint32_t marks[LB_MAGLEV_SIZE];
	struct lb_nft_svc s;
	struct buf b = BUF_INIT;
	int n, n1 = 0, n3 = 0;

	(void)state;
	svc_healthy(&s, 4, (const int[]){ 1, 3 }, 2);
	lb_nft_render(&s, 1, NULL, 0, &b);
	/* A Maglev table over nodes 1 and 3, half each; flows of node 0 and
	 * 2 keep counting. */
	assert_non_null(strstr(buf_str(&b), "th dport mod 1021 seed 0x00c1e4f7 map { 0 : "));
	n = rule_marks(buf_str(&b), marks, LB_MAGLEV_SIZE);
	assert_int_equal(n, LB_MAGLEV_SIZE);
	for (int j = 0; j < n; j++) {
		n1 += marks[j] == 0x4c420002;
		n3 += marks[j] == 0x4c420004;
	}
	assert_int_equal(n1 + n3, LB_MAGLEV_SIZE);
	assert_in_range(n1, LB_MAGLEV_SIZE / 2, LB_MAGLEV_SIZE / 2 + 1);
	assert_non_null(strstr(buf_str(&b), "0x4c420001 : \"flows_default_x_node0\""));
	assert_non_null(strstr(buf_str(&b), "counter flows_default_x_node2 { packets 0 bytes 0 }"));
	buf_free(&b);

	/* One healthy node: no hash at all. */
	svc_healthy(&s, 4, (const int[]){ 2 }, 1);
	lb_nft_render(&s, 1, NULL, 0, &b);
	assert_non_null(strstr(buf_str(&b), "\t\tct mark set 0x4c420003\n"));
	assert_null(strstr(buf_str(&b), "jhash"));
	buf_free(&b);
}

/* What the rendered rules do when node 1 of 4 leaves the pool: the slots
 * that were node 1's go to the others, and nearly every other slot keeps
 * its node. The former modulo scheme, rendered for comparison, moves most
 * of them. */
static void test_node_down_moves_its_flows_only(void **state)
{
	static uint32_t before[LB_MAGLEV_SIZE], after[LB_MAGLEV_SIZE];
	struct lb_nft_svc s;
	struct buf b = BUF_INIT;
	int own = 0, extra = 0;

	(void)state;
	svc_healthy(&s, 4, (const int[]){ 0, 1, 2, 3 }, 4);
	lb_nft_render(&s, 1, NULL, 0, &b);
	rule_marks(buf_str(&b), before, LB_MAGLEV_SIZE);
	buf_free(&b);
	svc_healthy(&s, 4, (const int[]){ 0, 2, 3 }, 3);
	lb_nft_render(&s, 1, NULL, 0, &b);
	rule_marks(buf_str(&b), after, LB_MAGLEV_SIZE);
	buf_free(&b);
	for (int j = 0; j < LB_MAGLEV_SIZE; j++) {
		assert_int_not_equal(after[j], 0x4c420002);
		if (before[j] == 0x4c420002)
			own++;
		else if (after[j] != before[j])
			extra++;
	}
	assert_in_range(own, LB_MAGLEV_SIZE / 4, LB_MAGLEV_SIZE / 4 + 1);
	assert_true(extra <= LB_MAGLEV_SIZE / 20);

	/* The former scheme, as bench/ renders it: mod 4, then mod 3. */
	svc_healthy(&s, 4, (const int[]){ 0, 2, 3 }, 3);
	s.table_size = LB_NFT_MODULO;
	lb_nft_render(&s, 1, NULL, 0, &b);
	assert_non_null(strstr(buf_str(&b), "th dport mod 3 seed 0x00c1e4f7 map { 0 : 0x4c420001, "
					    "1 : 0x4c420003, 2 : 0x4c420004 }"));
	buf_free(&b);
	/* A smaller table when asked for; a size that is no prime falls back
	 * to the modulo. */
	s.table_size = 251;
	lb_nft_render(&s, 1, NULL, 0, &b);
	assert_int_equal(rule_marks(buf_str(&b), before, LB_MAGLEV_SIZE), 251);
	buf_free(&b);
	s.table_size = 250;
	lb_nft_render(&s, 1, NULL, 0, &b);
	assert_int_equal(rule_marks(buf_str(&b), before, LB_MAGLEV_SIZE), 3);
	buf_free(&b);
	/* Nor does a size out of range (as unsigned, -5 would be a prime). */
	s.table_size = -5;
	lb_nft_render(&s, 1, NULL, 0, &b);
	assert_int_equal(rule_marks(buf_str(&b), before, LB_MAGLEV_SIZE), 3);
	buf_free(&b);
}

static void test_parse_counters(void **state)
{
	static const char json[] =
		"{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"json_schema_version\": 1}},"
		" {\"counter\": {\"family\": \"ip\", \"name\": \"flows_default_a_node0\","
		" \"table\": \"azure-lb\", \"handle\": 4, \"packets\": 3, \"bytes\": 180}},"
		" {\"counter\": {\"family\": \"ip\", \"name\": \"traffic_default_a_node0\","
		" \"table\": \"azure-lb\", \"handle\": 5, \"packets\": 12345678901234,"
		" \"bytes\": 9223372036854775807}}]}";
	struct lb_nft_counter *c = NULL;
	const struct lb_nft_counter *t;
	char err[256];
	int n;

	(void)state;
	n = lb_nft_parse_counters(json, strlen(json), &c, err, sizeof(err));
	assert_int_equal(n, 2);
	assert_string_equal(c[0].name, "flows_default_a_node0");
	assert_int_equal(c[0].packets, 3);
	assert_int_equal(c[0].bytes, 180);
	t = lb_nft_counter_find(c, n, "traffic_default_a_node0");
	assert_non_null(t);
	assert_true(t->packets == 12345678901234ull);
	/* Exact up to 2^63 - 1, jansson's integers. */
	assert_true(t->bytes == 9223372036854775807ull);
	assert_null(lb_nft_counter_find(c, n, "nope"));
	free(c);
	assert_int_equal(lb_nft_parse_counters("{", 1, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "JSON"));
	/* Beyond that (8 EiB), the listing is refused whole, with a message. */
	{
		static const char big[] = "{\"nftables\": [{\"counter\": {\"name\": \"x\","
			" \"packets\": 1, \"bytes\": 18446744073709551615}}]}";

		err[0] = '\0';
		assert_int_equal(lb_nft_parse_counters(big, strlen(big), &c, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "JSON"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_scenario_rules),
		cmocka_unit_test(test_hash_covers_healthy_only),
		cmocka_unit_test(test_node_down_moves_its_flows_only),
		cmocka_unit_test(test_parse_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
