/* Unit tests for controller/ctl_endpoints.c: endpoint conditions, ports,
 * and the EndpointSlices and Endpoints written from them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiobj.h"
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

/* The endpoints of test_build: web-b (terminating) resolves "named" to
 * 8081, the three others to 8080; "missing" resolves on none. */
static void build_four(struct model_service *s, struct model_endpoints *e)
{
	struct model_pod pods[4];
	struct model_pod_status st[4];
	const struct model_pod *ptr[4];
	const struct model_pod_status *stp[4];
	static const char *const names[] = { "web-a", "web-b", "web-c", "web-d" };
	static const char *const ips[] = { "10.244.1.10", "10.244.0.9", "10.244.1.2", "10.244.2.2" };

	memset(st, 0, sizeof(st));
	service_init(s);
	strcpy(s->meta.uid, "0b6f8d4e-uid");
	model_map_set(&s->meta.labels, "team", "edge");
	for (int i = 0; i < 4; i++) {
		pod_init(&pods[i], "default", names[i], ips[i], "web", i == 1 ? 8081 : 8080);
		st[i].ready = i != 2;
		ptr[i] = &pods[i];
		stp[i] = i == 3 ? NULL : &st[i];
	}
	strcpy(pods[1].meta.deleting, "2026-11-27T08:00:00Z");
	assert_int_equal(ctl_endpoints_build(s, ptr, stp, 4, e), 0);
}

static const json_t *slice_with(const json_t *slices, size_t n_endpoints)
{
	const char *name;
	json_t *sl;

	json_object_foreach((json_t *)slices, name, sl)
		if (json_array_size(json_object_get(sl, "endpoints")) == n_endpoints)
			return sl;
	return NULL;
}

static void test_slices(void **state)
{
	struct model_service *s = calloc(1, sizeof(*s));
	struct model_endpoints e, none = { 0 }, merged[2];
	json_t *slices, *again, *port, *md;
	const json_t *big, *small;
	const char *name;
	json_t *sl;
	char err[128];
	int n = 0;

	(void)state;
	build_four(s, &e);
	slices = ctl_endpoint_slices(s, &e);
	assert_non_null(slices);
	/* Two port sets, two slices, named after the Service and their ports. */
	assert_int_equal(json_object_size(slices), 2);
	json_object_foreach(slices, name, sl) {
		md = json_object_get(sl, "metadata");
		assert_int_equal(strlen(name), strlen("web-") + CTL_SUFFIX_LEN);
		assert_memory_equal(name, "web-", 4);
		assert_string_equal(json_string_value(json_object_get(md, "name")), name);
		assert_string_equal(json_string_value(json_object_get(json_object_get(md, "labels"),
				    "kubernetes.io/service-name")), "web");
		assert_string_equal(json_string_value(json_object_get(json_object_get(md, "labels"),
				    "endpointslice.kubernetes.io/managed-by")), CTL_ENDPOINTS_MANAGER);
		assert_string_equal(json_string_value(json_object_get(json_object_get(md, "labels"),
				    "team")), "edge");
		assert_string_equal(json_string_value(json_object_get(json_array_get(
				    json_object_get(md, "ownerReferences"), 0), "uid")), "0b6f8d4e-uid");
		assert_string_equal(json_string_value(json_object_get(sl, "addressType")), "IPv4");
	}
	big = slice_with(slices, 3);
	small = slice_with(slices, 1);
	assert_non_null(big);
	assert_non_null(small);
	/* The port no pod has is in neither slice. */
	assert_int_equal(json_array_size(json_object_get(big, "ports")), 3);
	port = json_array_get(json_object_get(small, "ports"), 1);
	assert_string_equal(json_string_value(json_object_get(port, "name")), "named");
	assert_int_equal(json_integer_value(json_object_get(port, "port")), 8081);
	assert_true(json_is_true(json_object_get(json_object_get(json_array_get(
		json_object_get(small, "endpoints"), 0), "conditions"), "terminating")));
	/* The same endpoints give the same slices. */
	again = ctl_endpoint_slices(s, &e);
	assert_true(json_equal(slices, again));
	json_decref(again);

	/* Read back as kube-proxy reads them: one Service, every endpoint with
	 * its own ports at the merged entry's port of the same name. */
	assert_int_equal(apiobj_slice_endpoints(big, &merged[0], err, sizeof(err)), 0);
	assert_int_equal(apiobj_slice_endpoints(small, &merged[1], err, sizeof(err)), 0);
	n = 2;
	assert_int_equal(apiobj_endpoints_merge(merged, &n), 1);
	assert_string_equal(merged[0].name, "web");
	assert_int_equal(merged[0].n, 4);
	for (int i = 0; i < merged[0].n; i++) {
		const struct model_endpoint *ep = &merged[0].items[i];
		int named = -1;

		for (int j = 0; j < merged[0].n_ports; j++)
			if (strcmp(merged[0].ports[j].name, "named") == 0)
				named = j;
		assert_true(named >= 0);
		assert_int_equal(ep->ports[named], strcmp(ep->pod, "web-b") == 0 ? 8081 : 8080);
	}
	model_endpoints_free(&merged[0]);
	json_decref(slices);

	/* No endpoints: one empty slice, as Kubernetes keeps a placeholder. */
	slices = ctl_endpoint_slices(s, &none);
	assert_int_equal(json_object_size(slices), 1);
	assert_non_null(slice_with(slices, 0));
	json_decref(slices);
	/* A slice without the Service's label belongs to no Service. */
	sl = json_pack("{s:s, s:{s:s}}", "kind", "EndpointSlice", "metadata", "name", "x");
	assert_int_equal(apiobj_slice_endpoints(sl, &merged[0], err, sizeof(err)), 1);
	json_decref(sl);
	model_endpoints_free(&e);
	free(s);
}

static void test_endpoints_v1(void **state)
{
	struct model_service *s = calloc(1, sizeof(*s));
	struct model_endpoints e, none = { 0 };
	json_t *v1, *sub, *labels;

	(void)state;
	build_four(s, &e);
	v1 = ctl_endpoints_v1(s, &e);
	assert_non_null(v1);
	assert_string_equal(json_string_value(json_object_get(v1, "kind")), "Endpoints");
	labels = json_object_get(json_object_get(v1, "metadata"), "labels");
	assert_string_equal(json_string_value(json_object_get(labels,
			    "endpointslice.kubernetes.io/skip-mirror")), "true");
	assert_string_equal(json_string_value(json_object_get(labels, "team")), "edge");
	/* The terminating pod's port set had only it: no subset for it. */
	assert_int_equal(json_array_size(json_object_get(v1, "subsets")), 1);
	sub = json_array_get(json_object_get(v1, "subsets"), 0);
	assert_int_equal(json_array_size(json_object_get(sub, "addresses")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(sub, "addresses"), 0), "ip")), "10.244.1.10");
	assert_int_equal(json_array_size(json_object_get(sub, "notReadyAddresses")), 2);
	assert_int_equal(json_array_size(json_object_get(sub, "ports")), 3);
	json_decref(v1);
	/* No endpoints: no subsets at all. */
	v1 = ctl_endpoints_v1(s, &none);
	assert_null(json_object_get(v1, "subsets"));
	json_decref(v1);
	model_endpoints_free(&e);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_ports),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_slices),
		cmocka_unit_test(test_endpoints_v1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
