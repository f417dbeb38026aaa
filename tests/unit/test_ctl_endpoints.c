/* Unit tests for controller/ctl_endpoints.c: endpoint conditions, ports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static void pod_init(struct model_pod *p, const char *ns, const char *name, const char *ip,
		     const char *app, int http_port)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->meta.ns, ns);
	strcpy(p->meta.name, name);
	strcpy(p->node, "node1");
	if (ip)
		inet_pton(AF_INET, ip, &p->ip);
	model_map_set(&p->meta.labels, "app", app);
	model_map_set(&p->meta.labels, "pod-template-hash", "5d59d67564");
	p->spec.n_containers = 2;
	p->spec.containers[0].n_ports = 1;
	p->spec.containers[0].ports[0].port = 9999;
	strcpy(p->spec.containers[0].ports[0].name, "metrics");
	p->spec.containers[1].n_ports = 2;
	p->spec.containers[1].ports[0].port = 5353;
	p->spec.containers[1].ports[0].proto = MODEL_PROTO_UDP;
	strcpy(p->spec.containers[1].ports[0].name, "http");
	p->spec.containers[1].ports[1].port = http_port;
	strcpy(p->spec.containers[1].ports[1].name, "http");
}

static void service_init(struct model_service *s)
{
	model_service_init(s);
	strcpy(s->meta.name, "web");
	model_map_set(&s->selector, "app", "web");
	s->n_ports = 4;
	strcpy(s->ports[0].name, "numeric");
	s->ports[0].port = 80;
	s->ports[0].target_port = 8080;
	strcpy(s->ports[1].name, "named");
	s->ports[1].port = 81;
	strcpy(s->ports[1].target_port_name, "http");
	strcpy(s->ports[2].name, "default");
	s->ports[2].port = 82;
	strcpy(s->ports[3].name, "missing");
	s->ports[3].port = 83;
	strcpy(s->ports[3].target_port_name, "nope");
}

static void test_target_ports(void **state)
{
	struct model_pod *p = calloc(1, sizeof(*p));
	struct model_service *s = calloc(1, sizeof(*s));

	(void)state;
	pod_init(p, "default", "a", "10.244.1.2", "web", 8080);
	service_init(s);
	assert_int_equal(ctl_target_port(&s->ports[0], &p->spec), 8080);
	/* Named: the TCP port of that name, not the UDP one before it. */
	assert_int_equal(ctl_target_port(&s->ports[1], &p->spec), 8080);
	assert_int_equal(ctl_target_port(&s->ports[2], &p->spec), 82);
	assert_int_equal(ctl_target_port(&s->ports[3], &p->spec), 0);
	s->ports[1].proto = MODEL_PROTO_UDP;
	assert_int_equal(ctl_target_port(&s->ports[1], &p->spec), 5353);
	free(p);
	free(s);
}

static void test_build(void **state)
{
	enum { N = 8 };
	struct model_pod *pods = calloc(N, sizeof(*pods));
	const struct model_pod *ptr[N];
	struct model_pod_status st[N];
	const struct model_pod_status *stp[N];
	struct model_service *s = calloc(1, sizeof(*s));
	struct model_endpoints e;

	(void)state;
	memset(st, 0, sizeof(st));
	service_init(s);
	/* ready; ready but deleting; not ready; no status yet; other app;
	 * other namespace; no address; terminated. */
	pod_init(&pods[0], "default", "web-a", "10.244.1.10", "web", 8080);
	pod_init(&pods[1], "default", "web-b", "10.244.0.9", "web", 8081);
	pod_init(&pods[2], "default", "web-c", "10.244.1.2", "web", 8080);
	pod_init(&pods[3], "default", "web-d", "10.244.2.2", "web", 8080);
	pod_init(&pods[4], "default", "db-a", "10.244.0.3", "db", 8080);
	pod_init(&pods[5], "other", "web-x", "10.244.0.4", "web", 8080);
	pod_init(&pods[6], "default", "web-y", NULL, "web", 8080);
	pod_init(&pods[7], "default", "web-z", "10.244.0.5", "web", 8080);
	strcpy(pods[1].meta.deleting, "2026-11-27T08:00:00Z");
	strcpy(pods[7].meta.deleting, "2026-11-27T08:00:00Z");
	for (int i = 0; i < N; i++) {
		st[i].ready = i != 2;
		st[i].terminated = i == 7;
		ptr[i] = &pods[i];
		stp[i] = i == 3 ? NULL : &st[i];
	}
	assert_int_equal(ctl_endpoints_build(s, ptr, stp, N, &e), 0);
	assert_string_equal(e.ns, "default");
	assert_string_equal(e.name, "web");
	assert_int_equal(e.n_ports, 4);
	assert_string_equal(e.ports[1].name, "named");
	assert_int_equal(e.n, 4);
	/* By address, as numbers: .1.2 before .1.10. */
	assert_string_equal(e.items[0].pod, "web-b");
	assert_string_equal(e.items[1].pod, "web-c");
	assert_string_equal(e.items[2].pod, "web-a");
	assert_string_equal(e.items[3].pod, "web-d");
	/* Terminating but still passing readiness: serving, not ready. */
	assert_false(e.items[0].ready);
	assert_true(e.items[0].serving);
	assert_true(e.items[0].terminating);
	assert_int_equal(e.items[0].ports[0], 8080);
	assert_int_equal(e.items[0].ports[1], 8081);
	assert_int_equal(e.items[0].ports[2], 82);
	assert_int_equal(e.items[0].ports[3], 0);
	assert_true(e.items[2].ready && e.items[2].serving && !e.items[2].terminating);
	assert_int_equal(e.items[2].ports[1], 8080);
	assert_string_equal(e.items[2].node, "node1");
	assert_true(!e.items[1].ready && !e.items[1].serving && !e.items[1].terminating);
	assert_true(!e.items[3].ready && !e.items[3].serving);
	model_endpoints_free(&e);

	/* No selector matches nothing; no pods gives an empty list. */
	s->selector.n = 0;
	assert_int_equal(ctl_endpoints_build(s, ptr, stp, N, &e), 0);
	assert_int_equal(e.n, 0);
	model_endpoints_free(&e);
	assert_int_equal(ctl_endpoints_build(s, NULL, NULL, 0, &e), 0);
	assert_int_equal(e.n, 0);
	model_endpoints_free(&e);
	free(pods);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_ports),
		cmocka_unit_test(test_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
