/* Unit tests for lb/lb_conf.c: a rule and a probe per port, chosen and
 * validated as cloud-provider-azure's buildHealthProbeRulesForPort does. */
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

static int conf(const struct model_service *s, int lab, enum lb_probe_mode mode,
		struct lb_conf *c)
{
	struct lb_conf_opts o = { .lab_interval_s = lab, .mode = mode };

	return lb_conf_from_service(s, &o, c);
}

/* The probe of rule r (NULL if it has none). */
static const struct lb_probe_conf *probe_of(const struct lb_conf *c, int r)
{
	assert_true(r < c->n_rules);
	return c->rules[r].probe >= 0 ? &c->probes[c->rules[r].probe] : NULL;
}

/* A second TCP port 81 -> NodePort 31235, named "admin". */
static void add_port(struct model_service *s)
{
	s->ports[1] = s->ports[0];
	s->ports[1].port = 81;
	s->ports[1].node_port = 31235;
	snprintf(s->ports[1].name, sizeof(s->ports[1].name), "admin");
	s->n_ports = 2;
}

static void test_cluster_defaults(void **state)
{
	struct model_service s;
	struct lb_conf c;
	const struct lb_probe_conf *p;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_true(c.floating_ip);
	assert_false(c.source_ip_affinity);
	assert_int_equal(c.n_rules, 1);
	assert_string_equal(c.rules[0].name, "default_node-service-TCP-80");
	p = probe_of(&c, 0);
	assert_non_null(p);
	assert_int_equal(p->proto, LB_PROBE_TCP);
	assert_int_equal(p->port, 31234);
	assert_string_equal(p->path, "");
	assert_int_equal(p->interval_s, 5);
	assert_int_equal(p->threshold, 2);
	assert_false(p->lab_interval);
	assert_int_equal(c.n_events, 0);
}

/* Two ports, two probes: each rule decides its own pool. */
static void test_probe_per_port(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	add_port(&s);
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(c.n_rules, 2);
	assert_int_equal(c.n_probes, 2);
	assert_int_equal(probe_of(&c, 0)->port, 31234);
	assert_int_equal(probe_of(&c, 1)->port, 31235);
	assert_string_equal(c.rules[1].name, "default_node-service-TCP-81");
}

/* port_<n>_ annotation, then appProtocol, then the global annotation. */
static void test_protocol_order(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	add_port(&s);
	snprintf(s.ports[0].app_protocol, sizeof(s.ports[0].app_protocol), "http");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->proto, LB_PROBE_HTTP);
	assert_string_equal(probe_of(&c, 0)->path, "/");
	assert_int_equal(probe_of(&c, 1)->proto, LB_PROBE_TCP);

	/* The global annotation comes after appProtocol... */
	annotate(&s, LB_ANN_PROBE_PROTOCOL, "Tcp");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->proto, LB_PROBE_HTTP);
	/* ...the port's own before it. */
	annotate(&s, LB_ANN_PREFIX "port_80_health-probe_protocol", "tcp");
	annotate(&s, LB_ANN_PREFIX "port_81_health-probe_protocol", " HTTP ");
	annotate(&s, LB_ANN_PREFIX "port_81_health-probe_request-path", "/ready");
	annotate(&s, LB_ANN_PROBE_PATH, "/global");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->proto, LB_PROBE_TCP);
	assert_int_equal(probe_of(&c, 1)->proto, LB_PROBE_HTTP);
	assert_string_equal(probe_of(&c, 1)->path, "/ready");
	assert_int_equal(c.n_events, 0);
}

static void test_protocol_fallbacks(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_PROTOCOL, "HTTP");
	annotate(&s, LB_ANN_PROBE_PATH, "/global");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->proto, LB_PROBE_HTTP);
	assert_string_equal(probe_of(&c, 0)->path, "/global");

	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_PROTOCOL, "https");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->proto, LB_PROBE_TCP);
	assert_true(probe_of(&c, 0)->https_as_tcp);
	assert_true(has_event(&c, "HTTPSProbeAsTCP"));

	/* Unknown values, an appProtocol such as kubernetes.io/h2c included,
	 * are Tcp without a word. */
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_PROTOCOL, "grpc");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->proto, LB_PROBE_TCP);
	assert_int_equal(c.n_events, 0);
	svc_init(&s, MODEL_POLICY_CLUSTER);
	snprintf(s.ports[0].app_protocol, sizeof(s.ports[0].app_protocol), "kubernetes.io/h2c");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->proto, LB_PROBE_TCP);
}

static void test_local_probes_health_check_node_port(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_LOCAL);
	add_port(&s);
	/* Protocol, path and appProtocol do not apply to the health check node
	 * port; interval and count do. */
	annotate(&s, LB_ANN_PROBE_PROTOCOL, "tcp");
	annotate(&s, LB_ANN_PROBE_PATH, "/x");
	annotate(&s, LB_ANN_PROBE_INTERVAL, "7");
	snprintf(s.ports[0].app_protocol, sizeof(s.ports[0].app_protocol), "tcp");
	assert_int_equal(conf(&s, 1, LB_PROBE_MODE_SHARED, &c), 0);
	assert_int_equal(c.n_probes, 1);
	for (int r = 0; r < 2; r++) {
		assert_int_equal(probe_of(&c, r)->proto, LB_PROBE_HTTP);
		assert_int_equal(probe_of(&c, r)->port, 32145);
		assert_string_equal(probe_of(&c, r)->path, "/healthz");
		assert_int_equal(probe_of(&c, r)->interval_s, 7);
		assert_false(probe_of(&c, r)->shared);
	}
	/* A port with a probe port of its own gets its own probe. */
	annotate(&s, LB_ANN_PREFIX "port_81_health-probe_port", "81");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(c.n_probes, 2);
	assert_int_equal(probe_of(&c, 0)->port, 32145);
	assert_int_equal(probe_of(&c, 1)->port, 31235);
	assert_int_equal(probe_of(&c, 1)->proto, LB_PROBE_TCP);
}

static void test_probe_port_annotation(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	add_port(&s);
	annotate(&s, LB_ANN_PREFIX "port_80_health-probe_port", "ADMIN");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->port, 31235);
	/* Both rules probe the same port the same way: one probe. */
	assert_int_equal(c.n_probes, 1);

	/* A number that is no port of the Service is probed as it is. */
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PREFIX "port_80_health-probe_port", "10256");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->port, 10256);

	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PREFIX "port_80_health-probe_port", "metrics");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), -1);
	assert_non_null(strstr(c.error, "rule default_node-service-TCP-80"));
	assert_non_null(strstr(c.error, "port_80_health-probe_port"));
	assert_non_null(strstr(c.error, "port metrics not found in service"));

	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PREFIX "port_80_health-probe_port", "70000");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), -1);
	assert_non_null(strstr(c.error, "out of range"));
}

static void test_no_probe_and_no_lb_rule(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	add_port(&s);
	annotate(&s, LB_ANN_PREFIX "port_80_no_probe_rule", "TRUE");
	annotate(&s, LB_ANN_PREFIX "port_81_no_lb_rule", "true");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(c.n_rules, 1);
	assert_int_equal(c.rules[0].port, 80);
	assert_true(c.rules[0].no_probe_rule);
	assert_null(probe_of(&c, 0));
	assert_int_equal(c.n_probes, 0);
}

/* A UDP port first does not hide the TCP port after it; a UDP rule has no
 * probe under Cluster, the health check node port's under Local. */
static void test_udp_rules(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	s.ports[1] = s.ports[0];
	s.ports[0].proto = MODEL_PROTO_UDP;
	s.ports[0].port = 53;
	s.ports[0].node_port = 30053;
	s.n_ports = 2;
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_null(probe_of(&c, 0));
	assert_false(c.rules[0].no_probe_rule);
	assert_int_equal(probe_of(&c, 1)->port, 31234);

	s.external_policy = MODEL_POLICY_LOCAL;
	s.health_check_node_port = 32145;
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->port, 32145);
}

/* Shared mode: every rule of a Cluster Service, UDP too, on kube-proxy's
 * :10256/healthz with Azure's defaults; the annotations are not read. */
static void test_shared_mode(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	add_port(&s);
	s.ports[1].proto = MODEL_PROTO_UDP;
	annotate(&s, LB_ANN_PROBE_INTERVAL, "3");
	annotate(&s, LB_ANN_PROBE_PROTOCOL, "tcp");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SHARED, &c), 0);
	assert_int_equal(c.n_probes, 1);
	for (int r = 0; r < 2; r++) {
		const struct lb_probe_conf *p = probe_of(&c, r);

		assert_true(p->shared);
		assert_int_equal(p->proto, LB_PROBE_HTTP);
		assert_int_equal(p->port, 10256);
		assert_string_equal(p->path, "/healthz");
		assert_int_equal(p->interval_s, 5);
		assert_int_equal(p->threshold, 2);
	}
	assert_int_equal(conf(&s, 1, LB_PROBE_MODE_SHARED, &c), 0);
	assert_int_equal(probe_of(&c, 0)->interval_s, 1);
	assert_true(probe_of(&c, 0)->lab_interval);
}

static void test_bad_request_path(void **state)
{
	static const char *const bad[] = { "healthz", "/health z", "/h\r\nX-Injected: 1", "/a\tb" };
	struct model_service s;
	struct lb_conf c;

	(void)state;
	/* The path goes into the request line: spaces and CR/LF would break
	 * it or inject headers, so such a path is refused like a relative one. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		svc_init(&s, MODEL_POLICY_CLUSTER);
		annotate(&s, LB_ANN_PROBE_PROTOCOL, "http");
		annotate(&s, LB_ANN_PROBE_PATH, bad[i]);
		assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
		assert_string_equal(probe_of(&c, 0)->path, "/");
		assert_true(has_event(&c, "InvalidHealthProbeRequestPath"));
	}
}

static void test_interval_and_num_valid(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	add_port(&s);
	annotate(&s, LB_ANN_PROBE_INTERVAL, "10");
	annotate(&s, LB_ANN_PROBE_NUM, "3");
	annotate(&s, LB_ANN_PREFIX "port_81_health-probe_interval", "6");
	assert_int_equal(conf(&s, 1, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	/* An explicit valid interval wins over the lab-wide one. */
	assert_int_equal(probe_of(&c, 0)->interval_s, 10);
	assert_int_equal(probe_of(&c, 0)->threshold, 3);
	assert_false(probe_of(&c, 0)->lab_interval);
	assert_int_equal(probe_of(&c, 1)->interval_s, 6);
	assert_int_equal(probe_of(&c, 1)->threshold, 3);
	assert_int_equal(c.n_events, 0);
}

/* Out of range or not a number: the Service is refused, with the rule and
 * the annotation named. */
static void test_refused(void **state)
{
	static const struct {
		const char *key, *value, *words;
	} bad[] = {
		{ LB_ANN_PROBE_INTERVAL, "3", "the minimum value of interval is 5, got 3" },
		{ LB_ANN_PROBE_INTERVAL, "4", "the minimum value of interval is 5" },
		{ LB_ANN_PROBE_NUM, "1", "the minimum value of num-of-probe is 2" },
		{ LB_ANN_PROBE_NUM, "two", "\"two\" is not a whole number" },
		{ LB_ANN_PROBE_INTERVAL, "0x10", "is not a whole number" },
		{ LB_ANN_PREFIX "port_80_health-probe_interval", "2", "port_80_health-probe_interval" },
		{ LB_ANN_PREFIX "port_80_health-probe_num-of-probe", "x", "port_80_health-probe_num" },
	};
	struct model_service s;
	struct lb_conf c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		svc_init(&s, MODEL_POLICY_CLUSTER);
		annotate(&s, bad[i].key, bad[i].value);
		/* The lab-wide interval does not excuse an annotation. */
		assert_int_equal(conf(&s, 1, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), -1);
		if (!strstr(c.error, bad[i].words) || !strstr(c.error, bad[i].key) ||
		    !strstr(c.error, "rule default_node-service-TCP-80"))
			fail_msg("%s=%s: %s", bad[i].key, bad[i].value, c.error);
	}
	/* Under Local the health check node port's probe is checked. */
	svc_init(&s, MODEL_POLICY_LOCAL);
	annotate(&s, LB_ANN_PROBE_INTERVAL, "3");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), -1);
	assert_non_null(strstr(c.error, "rule default_node-service-TCP-32145"));
	/* A UDP-only Cluster Service has no probe to check. */
	svc_init(&s, MODEL_POLICY_CLUSTER);
	s.ports[0].proto = MODEL_PROTO_UDP;
	annotate(&s, LB_ANN_PROBE_INTERVAL, "3");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
}

static void test_total_must_stay_below_120(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_INTERVAL, "60");
	annotate(&s, LB_ANN_PROBE_NUM, "2");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), -1);
	assert_non_null(strstr(c.error, "must be less than 120 s"));

	/* 59 x 2 = 118 is fine. */
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_PROBE_INTERVAL, "59");
	annotate(&s, LB_ANN_PROBE_NUM, "2");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->interval_s, 59);
}

static void test_lab_interval_replaces_default(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_LOCAL);
	assert_int_equal(conf(&s, 1, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(probe_of(&c, 0)->interval_s, 1);
	assert_true(probe_of(&c, 0)->lab_interval);
	assert_int_equal(probe_of(&c, 0)->threshold, 2);
}

static void test_floating_ip_and_affinity(void **state)
{
	struct model_service s;
	struct lb_conf c;

	(void)state;
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_NO_FLOATING_IP, "True");
	s.affinity_client_ip = true;
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_false(c.floating_ip);
	assert_true(c.source_ip_affinity);

	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_NO_FLOATING_IP, "false");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_true(c.floating_ip);
	assert_int_equal(c.n_events, 0);

	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_NO_FLOATING_IP, "yes");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_true(c.floating_ip);
	assert_true(has_event(&c, "InvalidFloatingIPAnnotation"));
}

static void test_idle_timeout(void **state)
{
	struct lb_conf_opts secs = { .idle_in_seconds = true };
	static const char *const refused[] = { "3", "101", "four", "4.5", "" };
	struct model_service s;
	struct lb_conf c;

	(void)state;
	/* Azure's default: 4 minutes, TCP reset on. */
	svc_init(&s, MODEL_POLICY_CLUSTER);
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(c.idle_timeout_min, 4);
	assert_int_equal(c.idle_timeout_s, 240);
	assert_true(c.tcp_reset);
	/* A lab that reads minutes as seconds. */
	assert_int_equal(lb_conf_from_service(&s, &secs, &c), 0);
	assert_int_equal(c.idle_timeout_s, 4);

	svc_init(&s, MODEL_POLICY_LOCAL);
	annotate(&s, LB_ANN_IDLE_TIMEOUT, "30");
	annotate(&s, LB_ANN_NO_TCP_RESET, "TRUE");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_int_equal(c.idle_timeout_s, 1800);
	assert_false(c.tcp_reset);

	/* Out of 4..100 or not a whole number: refused, as AKS refuses it. */
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		svc_init(&s, MODEL_POLICY_CLUSTER);
		annotate(&s, LB_ANN_IDLE_TIMEOUT, refused[i]);
		assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), -1);
		assert_non_null(strstr(c.error, LB_ANN_IDLE_TIMEOUT));
		assert_non_null(strstr(c.error, "from 4 to 100"));
	}
	/* A reset switch that is neither true nor false: a warning, reset on. */
	svc_init(&s, MODEL_POLICY_CLUSTER);
	annotate(&s, LB_ANN_NO_TCP_RESET, "maybe");
	assert_int_equal(conf(&s, 0, LB_PROBE_MODE_SERVICE_NODE_PORT, &c), 0);
	assert_true(c.tcp_reset);
	assert_true(has_event(&c, "InvalidTCPResetAnnotation"));
}

static void test_parse_int(void **state)
{
	int v = 0;

	(void)state;
	assert_int_equal(model_parse_int(" 15 ", &v), 0);
	assert_int_equal(v, 15);
	assert_int_equal(model_parse_int("-3", &v), 0);
	assert_int_equal(v, -3);
	assert_true(model_parse_int("", &v) < 0);
	assert_true(model_parse_int("5s", &v) < 0);
	assert_true(model_parse_int("99999999999", &v) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cluster_defaults),
		cmocka_unit_test(test_probe_per_port),
		cmocka_unit_test(test_protocol_order),
		cmocka_unit_test(test_protocol_fallbacks),
		cmocka_unit_test(test_local_probes_health_check_node_port),
		cmocka_unit_test(test_probe_port_annotation),
		cmocka_unit_test(test_no_probe_and_no_lb_rule),
		cmocka_unit_test(test_udp_rules),
		cmocka_unit_test(test_shared_mode),
		cmocka_unit_test(test_bad_request_path),
		cmocka_unit_test(test_interval_and_num_valid),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_total_must_stay_below_120),
		cmocka_unit_test(test_lab_interval_replaces_default),
		cmocka_unit_test(test_floating_ip_and_affinity),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_parse_int),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
