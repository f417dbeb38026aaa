/* Unit tests for lib/store.c, lib/model_read.c, lib/model_write.c and
 * lib/model.c: JSON round trips of every kind, defaults for missing
 * fields, and the files API in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "store.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* v's text as `get -o json` prints it and the files hold it; v, a new
 * reference, is released. */
static char *to_json(json_t *v)
{
	char *s;

	assert_non_null(v);
	s = json_dumps(v, JSON_INDENT(2));
	assert_non_null(s);
	json_decref(v);
	return s;
}

/* ---- fixtures: normalised objects with odd values ---------------------- */

static void fill_container(struct model_container *c, int k)
{
	snprintf(c->name, sizeof(c->name), "app%d", k);
	snprintf(c->image, sizeof(c->image), "registry.example:5000/team/nodejs-ip:v%d", k);
	c->n_command = 2;
	strcpy(c->command[0], "/bin/sh");
	strcpy(c->command[1], "-c");
	c->n_args = 3;
	strcpy(c->args[0], "echo \"quoted\" \\ back\\slash\ttab\nnewline");
	strcpy(c->args[1], "");
	strcpy(c->args[2], "unicode \xc3\xa9\xe2\x82\xac \x01 ctl");
	c->n_env = 2;
	strcpy(c->env[0].name, "PORT");
	strcpy(c->env[0].value, "8080");
	strcpy(c->env[1].name, "EMPTY");
	c->n_ports = 2;
	strcpy(c->ports[0].name, "http");
	c->ports[0].port = 8080;
	c->ports[1].port = 5353;
	c->ports[1].proto = MODEL_PROTO_UDP;
	if (k == 0) {
		model_probe_init(&c->readiness, MODEL_PROBE_HTTP);
		strcpy(c->readiness.path, "/healthz?x=\"1\"");
		strcpy(c->readiness.port_name, "http");
		c->readiness.initial_delay_s = 2;
		c->readiness.period_s = 1;
		c->readiness.failure_threshold = 7;
	} else if (k == 1) {
		model_probe_init(&c->readiness, MODEL_PROBE_TCP);
		c->readiness.port = 8080;
		c->readiness.timeout_s = 0;
	}
	/* One preStop hook of each kind. */
	if (k == 0) {
		c->pre_stop.kind = MODEL_HOOK_HTTP;
		strcpy(c->pre_stop.path, "/drain?why=\"scale\"");
		strcpy(c->pre_stop.port_name, "http");
		strcpy(c->pre_stop.host, "10.244.1.9");
		c->pre_stop.https = true;
		c->pre_stop.n_headers = 2;
		strcpy(c->pre_stop.headers[0].name, "X-Drain");
		strcpy(c->pre_stop.headers[0].value, "now");
		strcpy(c->pre_stop.headers[1].name, "X-Empty");
	} else if (k == 1) {
		c->pre_stop.kind = MODEL_HOOK_EXEC;
		c->pre_stop.n_command = 3;
		strcpy(c->pre_stop.command[0], "sh");
		strcpy(c->pre_stop.command[1], "-c");
		strcpy(c->pre_stop.command[2], "kill -USR1 1 && sleep \"5\"");
	} else {
		c->pre_stop.kind = MODEL_HOOK_SLEEP;
		c->pre_stop.sleep_s = 0;
	}
}

static void fill_deployment(struct model_deployment *d)
{
	model_deployment_init(d);
	strcpy(d->meta.ns, "team-a");
	strcpy(d->meta.name, "web");
	strcpy(d->meta.uid, "8d1c4a66-53c1-4a43-9e0c-3b9d3bb3f0a1");
	d->meta.generation = 7;
	strcpy(d->meta.created, "2026-11-27T08:00:00Z");
	for (int i = 0; i < MODEL_MAX_LABELS; i++) {
		char k[32], v[32];

		snprintf(k, sizeof(k), "example.com/key-%02d", i);
		snprintf(v, sizeof(v), "v%d", i);
		assert_int_equal(model_map_set(&d->meta.labels, k, v), 0);
	}
	assert_int_equal(model_map_set(&d->meta.labels, "overflow", "x"), -ENOSPC);
	model_map_set(&d->meta.annotations, "note", "a \"quoted\" {json: [1,2]} value");
	model_map_set(&d->selector, "app", "web");
	model_map_set(&d->template_labels, "app", "web");
	model_map_set(&d->template_labels, "tier", "");
	model_map_set(&d->template_annotations, "kubectl.kubernetes.io/restartedAt",
		      "2026-11-27T08:05:00Z");
	d->replicas = 0;
	d->max_surge = (struct model_int_or_percent){ 3, false };
	d->max_unavailable = (struct model_int_or_percent){ 0, true };
	d->pod.n_containers = 3;
	d->pod.termination_grace_s = 0;
	for (int k = 0; k < 3; k++)
		fill_container(&d->pod.containers[k], k);
}

static void fill_service(struct model_service *s)
{
	model_service_init(s);
	strcpy(s->meta.name, "web-lb");
	strcpy(s->meta.uid, "uid-1");
	s->meta.generation = 1;
	model_map_set(&s->meta.annotations,
		      "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path",
		      "/healthz");
	model_map_set(&s->meta.annotations,
		      "service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip", "true");
	s->type = MODEL_SVC_LOAD_BALANCER;
	model_map_set(&s->selector, "app", "web");
	s->n_ports = 3;
	strcpy(s->ports[0].name, "http");
	s->ports[0].port = 80;
	s->ports[0].target_port = 8080;
	s->ports[0].node_port = 31080;
	strcpy(s->ports[1].name, "named");
	s->ports[1].port = 81;
	strcpy(s->ports[1].target_port_name, "http");
	s->ports[1].node_port = 30000;
	strcpy(s->ports[2].name, "dns");
	s->ports[2].proto = MODEL_PROTO_UDP;
	s->ports[2].port = 53;
	s->ports[2].target_port = 53;
	s->ports[2].node_port = 32767;
	s->cluster_ip = ip("10.0.12.34");
	s->external_policy = MODEL_POLICY_LOCAL;
	s->internal_policy = MODEL_POLICY_LOCAL;
	s->health_check_node_port = 32000;
	s->affinity_client_ip = true;
	s->affinity_timeout_s = 60;
	s->load_balancer_ip = ip("203.0.113.9");
	s->ingress_ip = ip("203.0.113.9");
	s->external_ips[0] = ip("192.0.2.7");
	s->external_ips[1] = ip("192.0.2.8");
	s->n_external_ips = 2;
	s->source_ranges[0].addr = ip("198.51.100.0");
	s->source_ranges[0].prefix = 24;
	s->n_source_ranges = 1;
}

static void fill_pod(struct model_pod *p)
{
	struct model_deployment *d = calloc(1, sizeof(*d));

	fill_deployment(d);
	memset(p, 0, sizeof(*p));
	strcpy(p->meta.ns, "team-a");
	strcpy(p->meta.name, "web-5d59d67564-x7k2p");
	strcpy(p->meta.uid, "uid-pod");
	strcpy(p->meta.created, "2026-11-27T08:00:01Z");
	strcpy(p->meta.deleting, "2026-11-27T09:00:00Z");
	model_map_set(&p->meta.labels, "app", "web");
	model_map_set(&p->meta.labels, "pod-template-hash", "5d59d67564");
	strcpy(p->owner, "web");
	strcpy(p->template_hash, "5d59d67564");
	strcpy(p->node, "node1");
	p->ip = ip("10.244.1.254");
	p->spec = d->pod;
	free(d);
}

/* A fresh directory of its own. */
static char *tmpdir(void)
{
	char tmpl[] = "/tmp/test_store.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

/* ---- round trips -------------------------------------------------------- */

static void test_roundtrip_deployment(void **state)
{
	struct model_deployment *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char err[256], *js;

	(void)state;
	fill_deployment(a);
	js = to_json(model_deployment_to_value(a));
	assert_int_equal(model_deployment_from_json(js, strlen(js), b, err, sizeof(err)), 0);
	assert_memory_equal(a, b, sizeof(*a));
	free(js);
	/* Percentages and a pending deletion survive too. */
	a->max_surge = (struct model_int_or_percent){ 100, true };
	a->max_unavailable = (struct model_int_or_percent){ 1, false };
	strcpy(a->meta.deleting, "2026-11-27T08:10:00Z");
	a->pod.n_containers = 0;
	memset(a->pod.containers, 0, sizeof(a->pod.containers));
	js = to_json(model_deployment_to_value(a));
	assert_int_equal(model_deployment_from_json(js, strlen(js), b, err, sizeof(err)), 0);
	assert_memory_equal(a, b, sizeof(*a));
	free(js);
	free(a);
	free(b);
}

/* A DaemonSet: its own kind, directory and status fields; its pods name it
 * as owner and carry the node pin. */
static void test_roundtrip_daemonset(void **state)
{
	struct model_deployment *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct model_deployment_status st = { .daemon_set = true, .observed_generation = 2,
					      .desired_scheduled = 3, .replicas = 3,
					      .misscheduled = 1, .ready_replicas = 2,
					      .updated_replicas = 1, .available_replicas = 2,
					      .unavailable_replicas = 1 }, back;
	struct model_pod *p = calloc(1, sizeof(*p)), *q = calloc(1, sizeof(*q));
	char *dir = tmpdir(), err[256], *js;

	(void)state;
	fill_deployment(a);
	a->daemon_set = true;
	a->replicas = 0;
	a->max_surge = (struct model_int_or_percent){ 1, false };
	a->max_unavailable = (struct model_int_or_percent){ 0, false };
	js = to_json(model_deployment_to_value(a));
	assert_non_null(strstr(js, "\"kind\": \"DaemonSet\""));
	assert_non_null(strstr(js, "\"updateStrategy\""));
	assert_null(strstr(js, "\"replicas\""));
	assert_int_equal(model_deployment_from_json(js, strlen(js), b, err, sizeof(err)), 0);
	assert_memory_equal(a, b, sizeof(*a));
	free(js);
	/* Its status in DaemonSet terms, and back. */
	assert_int_equal(store_init(dir), 0);
	strcpy(st.ns, a->meta.ns);
	strcpy(st.name, a->meta.name);
	strcpy(st.template_hash, "6d8f9b7c5d");
	js = to_json(model_deployment_status_to_value(&st));
	assert_non_null(strstr(js, "\"numberMisscheduled\": 1"));
	assert_int_equal(model_deployment_status_from_json(js, strlen(js), &back, err, sizeof(err)), 0);
	assert_memory_equal(&st, &back, sizeof(st));
	free(js);
	/* A DaemonSet's pod. */
	fill_pod(p);
	p->daemon_set = true;
	model_map_del(&p->meta.labels, "pod-template-hash");
	model_map_set(&p->meta.labels, "controller-revision-hash", "5d59d67564");
	strcpy(p->spec.node_affinity, "node1");
	js = to_json(model_pod_to_value(p, NULL));
	assert_non_null(strstr(js, "\"kind\": \"DaemonSet\""));
	assert_non_null(strstr(js, "\"matchFields\""));
	assert_int_equal(model_pod_from_json(js, strlen(js), q, err, sizeof(err)), 0);
	assert_memory_equal(p, q, sizeof(*p));
	free(js);
	fs_remove_tree(dir);
	free(dir);
	free(a);
	free(b);
	free(p);
	free(q);
}

static void test_roundtrip_service(void **state)
{
	struct model_service *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char err[256], *js;

	(void)state;
	fill_service(a);
	js = to_json(model_service_to_value(a));
	assert_non_null(strstr(js, "\"healthCheckNodePort\": 32000"));
	assert_non_null(strstr(js, "\"timeoutSeconds\": 60"));
	assert_non_null(strstr(js, "\"ip\": \"203.0.113.9\""));
	assert_non_null(strstr(js, "\"targetPort\": \"http\""));
	assert_non_null(strstr(js, "\"externalIPs\": [\n"));
	assert_non_null(strstr(js, "\"192.0.2.8\""));
	assert_non_null(strstr(js, "\"198.51.100.0/24\""));
	assert_int_equal(model_service_from_json(js, strlen(js), b, err, sizeof(err)), 0);
	assert_memory_equal(a, b, sizeof(*a));
	free(js);
	/* A plain ClusterIP Service with nothing allocated yet. */
	model_service_init(a);
	strcpy(a->meta.name, "plain");
	a->n_ports = 1;
	a->ports[0].port = 80;
	a->ports[0].target_port = 80;
	js = to_json(model_service_to_value(a));
	assert_null(strstr(js, "externalTrafficPolicy"));
	assert_null(strstr(js, "sessionAffinityConfig"));
	assert_int_equal(model_service_from_json(js, strlen(js), b, err, sizeof(err)), 0);
	assert_memory_equal(a, b, sizeof(*a));
	free(js);
	free(a);
	free(b);
}

static void test_roundtrip_pod(void **state)
{
	struct model_pod *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct model_pod_status st = { .phase = MODEL_POD_RUNNING, .ready = true, .pid = 42 };
	char err[256], *js;

	(void)state;
	fill_pod(a);
	js = to_json(model_pod_to_value(a, NULL));
	assert_non_null(strstr(js, "\"hostIP\": \"10.240.0.5\""));
	/* Owned by its ReplicaSet; the model names the Deployment. */
	assert_non_null(strstr(js, "\"kind\": \"ReplicaSet\""));
	assert_non_null(strstr(js, "\"name\": \"web-5d59d67564\""));
	assert_int_equal(model_pod_from_json(js, strlen(js), b, err, sizeof(err)), 0);
	assert_memory_equal(a, b, sizeof(*a));
	free(js);
	/* With its status merged it still reads back as the same pod. */
	js = to_json(model_pod_to_value(a, &st));
	assert_non_null(strstr(js, "\"phase\": \"Running\""));
	assert_non_null(strstr(js, "\"running\""));
	assert_non_null(strstr(js, "\"containerID\": \"pid://42\""));
	assert_int_equal(model_pod_from_json(js, strlen(js), b, err, sizeof(err)), 0);
	assert_memory_equal(a, b, sizeof(*a));
	free(js);
	free(a);
	free(b);
}

static void test_roundtrip_statuses(void **state)
{
	struct model_pod_status ps = { 0 }, ps2;
	struct model_deployment_status ds = { 0 }, ds2;
	char err[256], *js;

	(void)state;
	strcpy(ps.ns, "default");
	strcpy(ps.name, "web-abc-12345");
	strcpy(ps.uid, "u");
	ps.phase = MODEL_POD_FAILED;
	ps.terminating = true;
	ps.terminated = true;
	ps.restarts = 12;
	ps.pid = 0;
	strcpy(ps.reason, "ErrImagePull");
	strcpy(ps.message, "image \"nope\" is not in the image table");
	strcpy(ps.started, "2026-11-27T08:00:00Z");
	strcpy(ps.updated, "2026-11-27T08:00:09Z");
	js = to_json(model_pod_status_to_value(&ps));
	assert_int_equal(model_pod_status_from_json(js, strlen(js), &ps2, err, sizeof(err)), 0);
	assert_memory_equal(&ps, &ps2, sizeof(ps));
	free(js);

	strcpy(ds.ns, "default");
	strcpy(ds.name, "web");
	ds.observed_generation = 4;
	ds.replicas = 3;
	ds.updated_replicas = 2;
	ds.ready_replicas = 1;
	ds.available_replicas = 1;
	ds.unavailable_replicas = 2;
	strcpy(ds.template_hash, "5d59d67564");
	ds.n_conditions = 2;
	strcpy(ds.conditions[0].type, "Available");
	strcpy(ds.conditions[0].reason, "MinimumReplicasUnavailable");
	strcpy(ds.conditions[0].message, "Deployment does not have minimum availability.");
	strcpy(ds.conditions[1].type, "Progressing");
	ds.conditions[1].status = true;
	strcpy(ds.conditions[1].reason, "ReplicaSetUpdated");
	js = to_json(model_deployment_status_to_value(&ds));
	assert_int_equal(model_deployment_status_from_json(js, strlen(js), &ds2, err,
							   sizeof(err)), 0);
	assert_memory_equal(&ds, &ds2, sizeof(ds));
	free(js);
}

static void fill_endpoints(struct model_endpoints *e, int n, int n_ports)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->ns, "default");
	strcpy(e->name, "web");
	e->items = calloc((size_t)n + 1, sizeof(*e->items));
	e->n = n;
	e->n_ports = n_ports;
	for (int i = 0; i < n_ports; i++) {
		snprintf(e->ports[i].name, sizeof(e->ports[i].name), "p%d", i);
		e->ports[i].proto = i % 2 ? MODEL_PROTO_UDP : MODEL_PROTO_TCP;
	}
	for (int i = 0; i < n; i++) {
		struct model_endpoint *ep = &e->items[i];
		char a[32];

		snprintf(a, sizeof(a), "10.244.%d.%d", i % 3, 2 + i);
		ep->addr = ip(a);
		snprintf(ep->node, sizeof(ep->node), "node%d", i % 3);
		snprintf(ep->pod, sizeof(ep->pod), "web-5d59d67564-%05d", i);
		ep->ready = i % 3 == 0;
		ep->serving = i % 3 != 2;
		ep->terminating = i % 2 == 1;
		for (int j = 0; j < n_ports; j++)
			ep->ports[j] = j == 1 && i == 1 ? 0 : 8080 + j;
	}
}

static void test_roundtrip_endpoints(void **state)
{
	struct model_endpoints a, b;
	char err[256], *js;

	(void)state;
	fill_endpoints(&a, 5, 3);
	js = to_json(model_endpoints_to_value(&a));
	assert_non_null(strstr(js, "\"kind\": \"EndpointSlice\""));
	assert_int_equal(model_endpoints_from_json(js, strlen(js), &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, a.n);
	assert_int_equal(b.n_ports, a.n_ports);
	assert_memory_equal(a.ports, b.ports, sizeof(a.ports));
	assert_memory_equal(a.items, b.items, sizeof(*a.items) * (size_t)a.n);
	free(js);
	model_endpoints_free(&b);
	/* Service ports unknown (n_ports 0): the endpoints' own ports remain. */
	a.n_ports = 0;
	memset(a.ports, 0, sizeof(a.ports));
	js = to_json(model_endpoints_to_value(&a));
	assert_int_equal(model_endpoints_from_json(js, strlen(js), &b, err, sizeof(err)), 0);
	assert_int_equal(b.n_ports, 0);
	assert_memory_equal(a.items, b.items, sizeof(*a.items) * (size_t)a.n);
	free(js);
	model_endpoints_free(&b);
	model_endpoints_free(&a);
	/* No endpoints at all. */
	fill_endpoints(&a, 0, 1);
	js = to_json(model_endpoints_to_value(&a));
	assert_int_equal(model_endpoints_from_json(js, strlen(js), &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.n_ports, 1);
	free(js);
	model_endpoints_free(&b);
	model_endpoints_free(&a);
}

/* Each value read back in place, without its text: the same model. */
static void test_roundtrip_in_place(void **state)
{
	struct model_deployment *d = calloc(1, sizeof(*d)), *d2 = calloc(1, sizeof(*d2));
	struct model_service *s = calloc(1, sizeof(*s)), *s2 = calloc(1, sizeof(*s2));
	struct model_pod *p = calloc(1, sizeof(*p)), *p2 = calloc(1, sizeof(*p2));
	struct model_pod_status ps = { .phase = MODEL_POD_RUNNING, .ready = true, .pid = 7 }, ps2;
	struct model_deployment_status ds = { .observed_generation = 2, .replicas = 3,
					      .n_conditions = 1 }, ds2;
	struct model_endpoints e, e2;
	char err[256];
	json_t *v;

	(void)state;
	fill_deployment(d);
	v = model_deployment_to_value(d);
	assert_int_equal(model_deployment_from_value(v, d2, err, sizeof(err)), 0);
	assert_memory_equal(d, d2, sizeof(*d));
	json_decref(v);

	fill_service(s);
	v = model_service_to_value(s);
	assert_int_equal(model_service_from_value(v, s2, err, sizeof(err)), 0);
	assert_memory_equal(s, s2, sizeof(*s));
	json_decref(v);

	fill_pod(p);
	v = model_pod_to_value(p, &ps);
	assert_int_equal(model_pod_from_value(v, p2, err, sizeof(err)), 0);
	assert_memory_equal(p, p2, sizeof(*p));
	json_decref(v);

	strcpy(ps.ns, "default");
	strcpy(ps.name, "web-abc-12345");
	strcpy(ps.message, "started");
	v = model_pod_status_to_value(&ps);
	assert_int_equal(model_pod_status_from_value(v, &ps2, err, sizeof(err)), 0);
	assert_memory_equal(&ps, &ps2, sizeof(ps));
	json_decref(v);

	strcpy(ds.ns, "default");
	strcpy(ds.name, "web");
	strcpy(ds.conditions[0].type, "Available");
	v = model_deployment_status_to_value(&ds);
	assert_int_equal(model_deployment_status_from_value(v, &ds2, err, sizeof(err)), 0);
	assert_memory_equal(&ds, &ds2, sizeof(ds));
	json_decref(v);

	fill_endpoints(&e, 4, 2);
	v = model_endpoints_to_value(&e);
	assert_int_equal(model_endpoints_from_value(v, &e2, err, sizeof(err)), 0);
	assert_int_equal(e2.n, e.n);
	assert_memory_equal(e.ports, e2.ports, sizeof(e.ports));
	assert_memory_equal(e.items, e2.items, sizeof(*e.items) * (size_t)e.n);
	json_decref(v);
	model_endpoints_free(&e);
	model_endpoints_free(&e2);
	free(d);
	free(d2);
	free(s);
	free(s2);
	free(p);
	free(p2);
}

/* A fixed-size field cut inside a character is still written (jansson
 * takes only UTF-8): each byte that is not part of a character as U+FFFD,
 * in values and in keys alike. */
static void test_invalid_utf8(void **state)
{
	struct model_pod_status ps = { .phase = MODEL_POD_FAILED };
	struct model_map labels = { .n = 0 }, none = { .n = 0 };
	struct model_pod_spec spec = { .termination_grace_s = 30 };
	json_t *v;
	char *js;

	(void)state;
	strcpy(ps.ns, "default");
	strcpy(ps.name, "web");
	strcpy(ps.message, "caf\xc3\xa9 \xe2\x82");
	v = model_pod_status_to_value(&ps);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "status"),
							      "message")),
			    "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd");
	json_decref(v);

	model_map_set(&labels, "app", "caf\xc3");
	model_map_set(&labels, "k\xff", "v");
	v = model_pod_template_to_value(&labels, &none, &spec);
	assert_non_null(v);
	js = json_dumps(v, JSON_COMPACT);
	assert_string_equal(js, "{\"metadata\":{\"labels\":{\"app\":\"caf\xef\xbf\xbd\","
			    "\"k\xef\xbf\xbd\":\"v\"}},\"spec\":{\"containers\":[],"
			    "\"restartPolicy\":\"Always\",\"terminationGracePeriodSeconds\":30}}");
	free(js);
	json_decref(v);
}

/* ---- defaults and bad input -------------------------------------------- */

static void test_defaults_minimal(void **state)
{
	static const char dep[] =
		"{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"
		"\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\","
		"\"readinessProbe\":{\"httpGet\":{\"port\":8080}},\"unknown\":1}]}}}}";
	static const char svc[] =
		"{\"kind\":\"Service\",\"metadata\":{\"name\":\"s\",\"namespace\":null},"
		"\"spec\":{\"ports\":[{\"port\":80},{\"port\":\"x\"}],\"type\":\"Bogus\"}}";
	static const char eps[] =
		"{\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"s\"},"
		"\"endpoints\":[{\"addresses\":[\"10.244.0.2\"]},{\"addresses\":[\"bad\"]}],"
		"\"ports\":[{\"name\":\"http\",\"port\":8080}]}";
	struct model_deployment *d = calloc(1, sizeof(*d));
	struct model_service *s = calloc(1, sizeof(*s));
	struct model_endpoints e;
	char err[256];

	(void)state;
	assert_int_equal(model_deployment_from_json(dep, sizeof(dep) - 1, d, err, sizeof(err)), 0);
	assert_string_equal(d->meta.ns, "default");
	assert_int_equal(d->replicas, 1);
	assert_true(d->max_surge.percent);
	assert_int_equal(d->max_surge.value, 25);
	assert_int_equal(d->max_unavailable.value, 25);
	assert_int_equal(d->pod.termination_grace_s, 30);
	assert_int_equal(d->pod.n_containers, 1);
	assert_int_equal(d->pod.containers[0].readiness.kind, MODEL_PROBE_HTTP);
	assert_string_equal(d->pod.containers[0].readiness.path, "/");
	assert_int_equal(d->pod.containers[0].readiness.period_s, 10);
	assert_int_equal(d->pod.containers[0].readiness.timeout_s, 1);
	assert_int_equal(d->pod.containers[0].readiness.success_threshold, 1);
	assert_int_equal(d->pod.containers[0].readiness.failure_threshold, 3);

	assert_int_equal(model_service_from_json(svc, sizeof(svc) - 1, s, err, sizeof(err)), 0);
	assert_string_equal(s->meta.ns, "default");
	assert_int_equal(s->type, MODEL_SVC_CLUSTER_IP);
	assert_int_equal(s->n_ports, 1);
	assert_int_equal(s->ports[0].target_port, 80);
	assert_int_equal(s->affinity_timeout_s, 10800);

	assert_int_equal(model_endpoints_from_json(eps, sizeof(eps) - 1, &e, err, sizeof(err)), 0);
	assert_int_equal(e.n, 1);
	assert_true(e.items[0].ready && e.items[0].serving && !e.items[0].terminating);
	assert_int_equal(e.items[0].ports[0], 8080);
	model_endpoints_free(&e);

	/* The wrong kind, no name, not JSON at all. */
	assert_int_equal(model_service_from_json(dep, sizeof(dep) - 1, s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kind Deployment"));
	assert_int_equal(model_service_from_json("{\"kind\":\"Service\"}", 18, s, err,
						 sizeof(err)), -1);
	assert_non_null(strstr(err, "metadata.name"));
	assert_int_equal(model_service_from_json("{\"kind\": [", 10, s, err, sizeof(err)), -1);
	assert_int_equal(model_service_from_json("[1,2]", 5, s, err, sizeof(err)), -1);
	free(d);
	free(s);
}

static void test_model_helpers(void **state)
{
	struct model_map sel = { .n = 0 }, labels = { .n = 0 };
	enum model_service_type t;
	char uid[40], now[MODEL_TIME_MAX];

	(void)state;
	assert_false(model_selector_matches(&sel, &labels));
	model_map_set(&labels, "app", "web");
	model_map_set(&labels, "tier", "fe");
	model_map_set(&sel, "app", "web");
	assert_true(model_selector_matches(&sel, &labels));
	model_map_set(&sel, "tier", "be");
	assert_false(model_selector_matches(&sel, &labels));
	model_map_set(&sel, "tier", "fe");
	assert_int_equal(sel.n, 2);
	assert_true(model_selector_matches(&sel, &labels));
	model_map_del(&sel, "app");
	assert_int_equal(sel.n, 1);
	assert_string_equal(sel.items[0].key, "tier");
	assert_null(model_map_get(&sel, "app"));

	assert_string_equal(model_service_type_name(MODEL_SVC_LOAD_BALANCER), "LoadBalancer");
	assert_string_equal(model_phase_name(MODEL_POD_RUNNING), "Running");
	assert_int_equal(model_service_type_parse("NodePort", &t), 0);
	assert_int_equal(t, MODEL_SVC_NODE_PORT);
	assert_int_equal(model_service_type_parse("nodeport", &t), -EINVAL);

	assert_int_equal(model_time_parse("1970-01-01T00:01:00Z"), 60);
	assert_int_equal(model_time_parse("1970-01-01T01:01:00.5+01:00"), 60);
	assert_int_equal(model_time_parse("1970-01-01 00:01:00"), -1);
	assert_true(model_time_parse(model_time_now(now)) > 1700000000);
	model_uid_new(uid);
	assert_int_equal(strlen(uid), 36);
	assert_int_equal(uid[14], '4');
}

/* The RFC 3339 formatters, byte for byte as before they were shared, and
 * back through model_time_parse(). */
static void test_model_time(void **state)
{
	static const struct {
		int64_t sec;
		const char *text;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 59, "1970-01-01T00:00:59Z" },
		{ 951782400, "2000-02-29T00:00:00Z" },
		{ 1795766400, "2026-11-27T08:00:00Z" },
		{ 1798761599, "2026-12-31T23:59:59Z" },
		{ 253402300799, "9999-12-31T23:59:59Z" },
	};
	char out[MODEL_TIME_MAX], small[21];
	int64_t now;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(model_time_format(cases[i].sec, out, sizeof(out)), 0);
		assert_string_equal(out, cases[i].text);
		assert_int_equal(model_time_parse(out), cases[i].sec);
		/* Fractions (metav1.MicroTime's six digits) are truncated and
		 * read back as the same second. */
		assert_int_equal(model_time_format_frac(cases[i].sec, 123456789, 6, out,
							sizeof(out)), 0);
		assert_int_equal(strlen(out), strlen(cases[i].text) + 7);
		assert_memory_equal(out, cases[i].text, 19);
		assert_string_equal(out + 19, ".123456Z");
		assert_int_equal(model_time_parse(out), cases[i].sec);
	}
	assert_int_equal(model_time_format_frac(1795766400, 7000000, 3, out, sizeof(out)), 0);
	assert_string_equal(out, "2026-11-27T08:00:00.007Z");
	assert_int_equal(model_time_format_frac(1795766400, 999999999, 9, out, sizeof(out)), 0);
	assert_string_equal(out, "2026-11-27T08:00:00.999999999Z");
	assert_int_equal(model_time_format_frac(1795766400, 0, 6, out, sizeof(out)), 0);
	assert_string_equal(out, "2026-11-27T08:00:00.000000Z");
	assert_int_equal(model_time_format_frac(1795766400, 999999, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "2026-11-27T08:00:00Z");

	/* Exactly enough room, then one byte short: "" and -1, never a
	 * cut-off time. */
	assert_int_equal(model_time_format(1795766400, small, sizeof(small)), 0);
	assert_string_equal(small, "2026-11-27T08:00:00Z");
	assert_int_equal(model_time_format(1795766400, small, sizeof(small) - 1), -1);
	assert_string_equal(small, "");
	strcpy(out, "x");
	assert_int_equal(model_time_format_frac(1795766400, 5, 6, out, 27), -1);
	assert_string_equal(out, "");
	assert_int_equal(model_time_format_frac(1795766400, 5, 6, out, 28), 0);
	assert_string_equal(out, "2026-11-27T08:00:00.000000Z");
	assert_int_equal(model_time_format_frac(0, 1000000000, 6, out, sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(model_time_format_frac(0, -1, 6, out, sizeof(out)), -1);
	assert_int_equal(model_time_format_frac(0, 0, 10, out, sizeof(out)), -1);
	assert_int_equal(model_time_format(INT64_MAX, out, sizeof(out)), -1);
	assert_string_equal(out, "");

	now = model_time_parse(model_time_now(out));
	assert_true(now > 1700000000);
	assert_int_equal(model_time_format(now, small, sizeof(small)), 0);
	assert_string_equal(small, out);
}

/* ---- files ------------------------------------------------------------ */

static void put_text(const char *dir, const char *rel, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(fs_write_atomic(path, text, strlen(text), 0644), 0);
}

/* An API object read in place: what the model has no room for (kubectl's
 * last-applied configuration, the Deployment controller's annotations,
 * managedFields) is skipped, the rest read as from text. */
static void test_from_value(void **state)
{
	struct model_service *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char big[400], err[256], *text;
	json_t *obj;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	obj = json_pack("{s:s, s:{s:s, s:s, s:{s:s, s:s, s:s}, s:[{s:s}]},"
			" s:{s:s, s:{s:s}, s:[{s:i, s:i}]}}",
			"kind", "Service", "metadata", "name", "web", "namespace", "prod",
			"annotations", "kubectl.kubernetes.io/last-applied-configuration", big,
			"deployment.kubernetes.io/revision", "3", "keep", "me",
			"managedFields", "manager", "kubectl",
			"spec", "type", "LoadBalancer", "selector", "app", "web", "ports", "port", 80,
			"targetPort", 8080);
	assert_non_null(obj);
	assert_int_equal(model_service_from_value(obj, a, err, sizeof(err)), 0);
	assert_string_equal(a->meta.ns, "prod");
	assert_int_equal(a->meta.annotations.n, 1);
	assert_string_equal(a->meta.annotations.items[0].key, "keep");
	assert_int_equal(a->ports[0].target_port, 8080);
	/* The same as the text of the object without what is skipped. */
	json_object_del(json_object_get(json_object_get(obj, "metadata"), "annotations"),
			"kubectl.kubernetes.io/last-applied-configuration");
	json_object_del(json_object_get(json_object_get(obj, "metadata"), "annotations"),
			"deployment.kubernetes.io/revision");
	text = json_dumps(obj, JSON_COMPACT);
	assert_int_equal(model_service_from_json(text, strlen(text), b, err, sizeof(err)), 0);
	assert_memory_equal(a, b, sizeof(*a));
	/* Not an object of the kind: refused with a message. */
	json_object_set_new(obj, "kind", json_string("Pod"));
	assert_int_equal(model_service_from_value(obj, a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected Service"));
	free(text);
	json_decref(obj);
	free(a);
	free(b);
}

static void test_files(void **state)
{
	static const char *const order[][2] = {
		{ "a", "z" }, { "a", "z-1" }, { "a-b", "a" }, { "default", "web" },
	};
	struct model_pod_status st, *sts = NULL;
	struct store_key *keys = NULL;
	char *dir = tmpdir(), err[256];
	int n;

	(void)state;
	assert_int_equal(store_list_pod_statuses(dir, &sts, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	free(sts);
	assert_int_equal(store_init(dir), 0);
	memset(&st, 0, sizeof(st));
	st.phase = MODEL_POD_RUNNING;
	st.pid = 4242;
	for (int i = 3; i >= 0; i--) {
		strcpy(st.ns, order[i][0]);
		strcpy(st.name, order[i][1]);
		assert_int_equal(store_put_pod_status(dir, &st), 0);
	}
	/* Broken and temporary files are skipped. */
	put_text(dir, "status/pods/x_broken.json", "{\"kind\": ");
	put_text(dir, "status/pods/x_wrong.json",
		 "{\"kind\":\"Service\",\"metadata\":{\"name\":\"p\"}}");
	put_text(dir, "status/pods/default_web.json.tmp.123", "{}");
	assert_int_equal(store_list_pod_statuses(dir, &sts, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(sts[i].ns, order[i][0]);
		assert_string_equal(sts[i].name, order[i][1]);
		assert_int_equal(sts[i].pid, 4242);
	}
	free(sts);
	assert_int_equal(store_list_keys(dir, STORE_POD_STATUS, &keys, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 6);
	free(keys);
	assert_int_equal(store_delete(dir, STORE_POD_STATUS, "x", "broken"), 0);
	assert_int_equal(store_delete(dir, STORE_POD_STATUS, "x", "broken"), 0);
	assert_int_equal(store_delete(dir, STORE_POD_STATUS, "x", "wrong"), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(store_delete(dir, STORE_POD_STATUS, order[i][0], order[i][1]), 0);
	assert_int_equal(store_list_keys(dir, STORE_POD_STATUS, &keys, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	free(keys);

	assert_int_equal(fs_remove_tree(dir), 0);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_deployment),
		cmocka_unit_test(test_roundtrip_daemonset),
		cmocka_unit_test(test_roundtrip_service),
		cmocka_unit_test(test_roundtrip_pod),
		cmocka_unit_test(test_roundtrip_statuses),
		cmocka_unit_test(test_roundtrip_endpoints),
		cmocka_unit_test(test_roundtrip_in_place),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_defaults_minimal),
		cmocka_unit_test(test_model_helpers),
		cmocka_unit_test(test_model_time),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_from_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
