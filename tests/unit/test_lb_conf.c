/* Unit tests for lb/lb_conf.c: annotations, defaults and Azure's
 * validation ranges, as cloud-provider-azure applies them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lb_conf.h"

static void svc_init(struct model_service *s, enum model_traffic_policy policy)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->meta.ns, sizeof(s->meta.ns), "default");
	snprintf(s->meta.name, sizeof(s->meta.name), "node-service");
	s->type = MODEL_SVC_LOAD_BALANCER;
	s->n_ports = 1;
	s->ports[0].proto = MODEL_PROTO_TCP;
	s->ports[0].port = 80;
	s->ports[0].target_port = 8080;
	s->ports[0].node_port = 31234;
	s->external_policy = policy;
	if (policy == MODEL_POLICY_LOCAL)
		s->health_check_node_port = 32145;
}

static void annotate(struct model_service *s, const char *key, const char *value)
{
	struct model_kv *kv = &s->meta.annotations.items[s->meta.annotations.n++];

	snprintf(kv->key, sizeof(kv->key), "%s", key);
	snprintf(kv->value, sizeof(kv->value), "%s", value);
}

static bool has_event(const struct lb_conf *c, const char *reason)
{
	for (int i = 0; i < c->n_events; i++)
		if (strcmp(c->events[i].reason, reason) == 0)
			return true;
	return false;
}

static void test_cluster_defaults(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	lb_conf_from_service(&s, 0, &c);
	assert_true(c.floating_ip);
	assert_false(c.source_ip_affinity);
	assert_int_equal(c.probe, LB_PROBE_TCP);
	assert_int_equal(c.probe_port, 31234);
	assert_string_equal(c.probe_path, "");
	assert_int_equal(c.interval_s, 5);
	assert_int_equal(c.threshold, 2);
	assert_false(c.lab_interval);
	assert_int_equal(c.n_events, 0);
}

static void test_local_probes_health_check_node_port(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_LOCAL);
	/* The protocol annotation does not apply to the health check node port. */
	annotate(&s, LB_ANN_PROBE_PROTOCOL, "tcp");
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.probe, LB_PROBE_HTTP);
	assert_int_equal(c.probe_port, 32145);
	assert_string_equal(c.probe_path, "/healthz");
}

static void test_protocol_annotation(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_PROTOCOL, " HTTP ");
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.probe, LB_PROBE_HTTP);
	assert_string_equal(c.probe_path, "/");
	assert_int_equal(c.n_events, 0);

	annotate(&s, LB_ANN_PROBE_PATH, "/ready");
	lb_conf_from_service(&s, 0, &c);
	assert_string_equal(c.probe_path, "/ready");

	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_PROTOCOL, "https");
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.probe, LB_PROBE_TCP);
	assert_true(c.https_as_tcp);
	assert_true(has_event(&c, "HTTPSProbeAsTCP"));

	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_PROTOCOL, "grpc");
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.probe, LB_PROBE_TCP);
	assert_true(has_event(&c, "InvalidHealthProbeProtocol"));
}

static void test_bad_request_path(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_PROTOCOL, "http");
	annotate(&s, LB_ANN_PROBE_PATH, "healthz");
	lb_conf_from_service(&s, 0, &c);
	assert_string_equal(c.probe_path, "/");
	assert_true(has_event(&c, "InvalidHealthProbeRequestPath"));
}

/* The path goes into the request line: spaces and CR/LF would break it or
 * inject headers, so such a path is refused like a relative one. */
static void test_request_path_with_controls(void **state)
{
	static const char *const bad[] = { "/health z", "/h\r\nX-Injected: 1", "/a\tb" };
	struct model_service s;
	struct lb_conf c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		svc_init(&s, MODEL_POLICY_CLUSTER);
		annotate(&s, LB_ANN_PROBE_PROTOCOL, "http");
		annotate(&s, LB_ANN_PROBE_PATH, bad[i]);
		lb_conf_from_service(&s, 0, &c);
		assert_string_equal(c.probe_path, "/");
		assert_true(has_event(&c, "InvalidHealthProbeRequestPath"));
	}
}

/* A UDP port first does not hide the TCP port after it; only a Service
 * with no TCP port at all goes unprobed. */
static void test_probe_first_tcp_port(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	s.ports[1] = s.ports[0];
	s.ports[0].proto = MODEL_PROTO_UDP;
	s.ports[0].node_port = 30053;
	s.n_ports = 2;
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.probe, LB_PROBE_TCP);
	assert_int_equal(c.probe_port, 31234);

	s.n_ports = 1;
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.probe, LB_PROBE_NONE);
}

static void test_interval_and_num_valid(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_INTERVAL, "10");
	annotate(&s, LB_ANN_PROBE_NUM, "3");
	lb_conf_from_service(&s, 1, &c);
	/* An explicit valid interval wins over the lab-wide one. */
	assert_int_equal(c.interval_s, 10);
	assert_int_equal(c.threshold, 3);
	assert_false(c.lab_interval);
	assert_int_equal(c.n_events, 0);
}

static void test_interval_below_minimum(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_INTERVAL, "4");
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.interval_s, 5);
	assert_true(has_event(&c, "InvalidHealthProbeInterval"));
	assert_non_null(strstr(c.events[0].message, "minimum value is 5"));
}

static void test_num_below_minimum_and_garbage(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_NUM, "1");
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.threshold, 2);
	assert_true(has_event(&c, "InvalidHealthProbeNumOfProbe"));

	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_NUM, "two");
	annotate(&s, LB_ANN_PROBE_INTERVAL, "0x10");
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.threshold, 2);
	assert_int_equal(c.interval_s, 5);
	assert_int_equal(c.n_events, 2);
}

static void test_total_must_stay_below_120(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_INTERVAL, "60");
	annotate(&s, LB_ANN_PROBE_NUM, "2");
	lb_conf_from_service(&s, 0, &c);
	assert_true(has_event(&c, "InvalidHealthProbeConfig"));
	assert_int_equal(c.interval_s, 5);
	assert_int_equal(c.threshold, 2);

	/* 59 x 2 = 118 is fine. */
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_INTERVAL, "59");
	annotate(&s, LB_ANN_PROBE_NUM, "2");
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.n_events, 0);
	assert_int_equal(c.interval_s, 59);
}

static void test_lab_interval_replaces_default(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_LOCAL);
	lb_conf_from_service(&s, 1, &c);
	assert_int_equal(c.interval_s, 1);
	assert_true(c.lab_interval);
	assert_int_equal(c.threshold, 2);

	/* An invalid annotation falls back to the default, which the lab-wide
	 * interval replaces. */
	annotate(&s, LB_ANN_PROBE_INTERVAL, "3");
	lb_conf_from_service(&s, 2, &c);
	assert_int_equal(c.interval_s, 2);
	assert_true(c.lab_interval);
	assert_int_equal(c.n_events, 1);
}

static void test_floating_ip_and_affinity(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_NO_FLOATING_IP, "True");
	s.affinity_client_ip = true;
	lb_conf_from_service(&s, 0, &c);
	assert_false(c.floating_ip);
	assert_true(c.source_ip_affinity);

	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_NO_FLOATING_IP, "false");
	lb_conf_from_service(&s, 0, &c);
	assert_true(c.floating_ip);
	assert_int_equal(c.n_events, 0);

	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_NO_FLOATING_IP, "yes");
	lb_conf_from_service(&s, 0, &c);
	assert_true(c.floating_ip);
	assert_true(has_event(&c, "InvalidFloatingIPAnnotation"));
}

static void test_udp_cluster_has_no_probe(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	s.ports[0].proto = MODEL_PROTO_UDP;
	lb_conf_from_service(&s, 0, &c);
	assert_int_equal(c.probe, LB_PROBE_NONE);
}

static void test_parse_int(void **state)
{
	int v = 0;

	(void)state;
	assert_int_equal(lb_parse_int(" 15 ", &v), 0);
	assert_int_equal(v, 15);
	assert_int_equal(lb_parse_int("-3", &v), 0);
	assert_int_equal(v, -3);
	assert_true(lb_parse_int("", &v) < 0);
	assert_true(lb_parse_int("5s", &v) < 0);
	assert_true(lb_parse_int("99999999999", &v) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cluster_defaults),
		cmocka_unit_test(test_local_probes_health_check_node_port),
		cmocka_unit_test(test_protocol_annotation),
		cmocka_unit_test(test_bad_request_path),
		cmocka_unit_test(test_request_path_with_controls),
		cmocka_unit_test(test_probe_first_tcp_port),
		cmocka_unit_test(test_interval_and_num_valid),
		cmocka_unit_test(test_interval_below_minimum),
		cmocka_unit_test(test_num_below_minimum_and_garbage),
		cmocka_unit_test(test_total_must_stay_below_120),
		cmocka_unit_test(test_lab_interval_replaces_default),
		cmocka_unit_test(test_floating_ip_and_affinity),
		cmocka_unit_test(test_udp_cluster_has_no_probe),
		cmocka_unit_test(test_parse_int),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
