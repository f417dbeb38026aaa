/* Unit tests for lb/lb_state.c: the per-Service state file survives a
 * write/parse round trip, gaps included, and bad files are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lb_state.h"

static void test_round_trip(void **state)
{
	struct lb_view v, w;
	struct buf out = BUF_INIT;
	char err[256];

	(void)state;
	memset(&v, 0, sizeof(v));
	snprintf(v.ns, sizeof(v.ns), "default");
	snprintf(v.name, sizeof(v.name), "node-service");
	snprintf(v.frontend, sizeof(v.frontend), "203.0.113.10");
	snprintf(v.updated, sizeof(v.updated), "2024-05-01T12:00:00Z");
	v.updated_unix = 1714564800;
	v.floating_ip = true;
	v.n_ports = 1;
	v.ports[0] = (struct lb_view_port){ MODEL_PROTO_TCP, 80, 31234 };
	snprintf(v.probe_proto, sizeof(v.probe_proto), "HTTP");
	v.probe_port = 32145;
	snprintf(v.probe_path, sizeof(v.probe_path), "/healthz");
	v.interval_s = 1;
	v.threshold = 2;
	v.timeout_ms = 1000;
	v.lab_interval_s = 1;
	v.lab_interval_applies = true;
	v.health_percent = 50;
	v.backends_up = 1;
	v.n_backends = 2;
	snprintf(v.backends[0].node, sizeof(v.backends[0].node), "node0");
	snprintf(v.backends[0].address, sizeof(v.backends[0].address), "10.240.0.4");
	snprintf(v.backends[0].state, sizeof(v.backends[0].state), "Up");
	snprintf(v.backends[0].last_result, sizeof(v.backends[0].last_result), "200 OK");
	v.backends[0].last_ok = true;
	v.backends[0].consecutive = 12;
	v.backends[0].bytes = 9223372036854775807ull;
	snprintf(v.backends[1].node, sizeof(v.backends[1].node), "node1");
	snprintf(v.backends[1].address, sizeof(v.backends[1].address), "10.240.0.5");
	snprintf(v.backends[1].state, sizeof(v.backends[1].state), "Down");
	snprintf(v.backends[1].last_result, sizeof(v.backends[1].last_result),
		 "503 Service Unavailable");
	v.dpa_known = true;
	v.dpa_ok = false;
	v.dpa_percent = 50;
	snprintf(v.dpa_result, sizeof(v.dpa_result), "connection timed out");
	/* Two frontend ports, each with its own data path check. */
	assert_int_equal(lb_view_rules_alloc(&v, 2), 0);
	v.rules[0].proto = MODEL_PROTO_TCP;
	v.rules[0].port = 80;
	v.rules[0].dpa_known = true;
	v.rules[0].dpa_ok = true;
	snprintf(v.rules[0].dpa_result, sizeof(v.rules[0].dpa_result), "connected");
	v.rules[1].proto = MODEL_PROTO_TCP;
	v.rules[1].port = 81;
	v.rules[1].dpa_known = true;
	snprintf(v.rules[1].dpa_result, sizeof(v.rules[1].dpa_result), "connection timed out");
	v.n_events = 1;
	snprintf(v.events[0].reason, sizeof(v.events[0].reason), "InvalidHealthProbeInterval");
	snprintf(v.events[0].message, sizeof(v.events[0].message), "a \"quoted\" message");
	assert_int_equal(lb_columns_alloc(&v.sec, 1714564790, 1, 3, 2), 0);
	v.sec.pool[0] = 100;
	v.sec.pool[2] = 50;
	v.sec.health[0] = 100;
	v.sec.health[3 + 2] = 0;
	v.sec.flows[1] = 4;
	lb_view_write(&v, &out);
	assert_int_equal(lb_view_parse(out.data, out.len, &w, err, sizeof(err)), 0);
	assert_string_equal(w.ns, "default");
	assert_string_equal(w.name, "node-service");
	assert_string_equal(w.frontend, "203.0.113.10");
	assert_int_equal(w.updated_unix, 1714564800);
	assert_true(w.floating_ip);
	assert_false(w.source_ip);
	assert_int_equal(w.ports[0].node_port, 31234);
	assert_string_equal(w.probe_proto, "HTTP");
	assert_string_equal(w.probe_path, "/healthz");
	assert_int_equal(w.probe_port, 32145);
	assert_int_equal(w.lab_interval_s, 1);
	assert_true(w.lab_interval_applies);
	assert_float_equal(w.health_percent, 50, 0.001);
	assert_int_equal(w.n_backends, 2);
	assert_string_equal(w.backends[1].state, "Down");
	assert_string_equal(w.backends[1].last_result, "503 Service Unavailable");
	assert_int_equal(w.backends[0].consecutive, 12);
	assert_true(w.backends[0].bytes == 9223372036854775807ull);
	assert_true(w.dpa_known && !w.dpa_ok);
	assert_float_equal(w.dpa_percent, 50, 0.001);
	assert_int_equal(w.n_rules, 2);
	assert_true(w.rules[0].dpa_known && w.rules[0].dpa_ok);
	assert_string_equal(w.rules[0].dpa_result, "connected");
	assert_true(w.rules[1].dpa_known && !w.rules[1].dpa_ok);
	assert_int_equal(w.rules[1].port, 81);
	assert_string_equal(w.events[0].message, "a \"quoted\" message");
	assert_int_equal(w.sec.len, 3);
	assert_int_equal(w.sec.start, 1714564790);
	assert_float_equal(w.sec.pool[0], 100, 0.001);
	assert_true(isnan(w.sec.pool[1]));
	assert_float_equal(w.sec.health[3 + 2], 0, 0.001);
	assert_true(isnan(w.sec.health[3 + 0 + 1]));
	assert_float_equal(w.sec.flows[1], 4, 0.001);
	assert_null(w.min.pool);
	lb_view_free(&w);
	lb_view_free(&v);
	buf_free(&out);
}

static void test_pending_and_bad(void **state)
{
	static const char pending[] =
		"{\"service\":{\"namespace\":\"a\",\"name\":\"b\"},\"frontend\":null,"
		"\"healthProbeStatus\":null,\"dataPath\":{\"available\":null}}";
	struct lb_view v;
	char err[256];

	(void)state;
	assert_int_equal(lb_view_parse(pending, strlen(pending), &v, err, sizeof(err)), 0);
	assert_string_equal(v.frontend, "");
	assert_true(isnan(v.health_percent));
	assert_false(v.dpa_known);
	lb_view_free(&v);
	assert_int_equal(lb_view_parse("{\"x\":1}", 7, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "service"));
	lb_view_free(&v);
	assert_int_equal(lb_view_parse("[1,", 3, &v, err, sizeof(err)), -1);
	lb_view_free(&v);
	assert_int_equal(lb_view_load("/nonexistent/x.json", &v, err, sizeof(err)), -ENOENT);
	lb_view_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_pending_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
