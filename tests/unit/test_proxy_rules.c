/* Unit tests for agent/proxy_rules*.c: golden rulesets for fixed scenarios
 * (tests/golden/proxy/), the diff a sync sends, and — as root, inside a
 * throwaway `unshare -n` namespace — that nft accepts every golden file and
 * that full(A) + diff(A->B) programs exactly what full(B) does.
 *
 * PROXY_GOLDEN_UPDATE=1 rewrites the golden files from the generator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "lab.h"
#include "proxy_int.h"
#include "proxy_dsr.h"
#include "proxy_handover.h"
#include "proxy_render.h"
#include "proxy_rules.h"

#ifndef PROXY_GOLDEN_DIR
#error "PROXY_GOLDEN_DIR must be defined by the build"
#endif

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct proxy_node node(const char *name, enum proxy_layout layout)
{
	struct proxy_node n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	n.cluster_cidr = ip("10.244.0.0");
	n.cluster_prefix = 16;
	n.service_cidr = ip("10.0.0.0");
	n.service_prefix = 16;
	n.node_ip = ip(strcmp(name, "node1") == 0 ? "10.240.0.5" : "10.240.0.4");
	n.layout = layout;
	return n;
}

/* The scenario's Service: LoadBalancer, port 80 -> 8080. */
static void scenario_svc(struct model_service *s, enum model_traffic_policy policy)
{
	model_service_init(s);
	snprintf(s->meta.name, sizeof(s->meta.name), "node-service");
	s->type = MODEL_SVC_LOAD_BALANCER;
	s->n_ports = 1;
	s->ports[0].proto = MODEL_PROTO_TCP;
	s->ports[0].port = 80;
	s->ports[0].target_port = 8080;
	s->ports[0].node_port = 31080;
	s->cluster_ip = ip("10.0.166.24");
	s->ingress_ip = ip("203.0.113.10");
	s->external_policy = policy;
	if (policy == MODEL_POLICY_LOCAL)
		s->health_check_node_port = 32080;
}

static struct model_endpoint ep(const char *addr, const char *node_name, int port,
				bool ready, bool serving, bool terminating)
{
	struct model_endpoint e;

	memset(&e, 0, sizeof(e));
	e.addr = ip(addr);
	snprintf(e.node, sizeof(e.node), "%s", node_name);
	snprintf(e.pod, sizeof(e.pod), "pod-%s", addr);
	e.ready = ready;
	e.serving = serving;
	e.terminating = terminating;
	e.ports[0] = port;
	return e;
}

static void eps_of(struct model_endpoints *e, const char *name, const struct model_endpoint *items,
		   int n)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->ns, sizeof(e->ns), "default");
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->items = calloc((size_t)(n ? n : 1), sizeof(*items));
	assert_non_null(e->items);
	memcpy(e->items, items, (size_t)n * sizeof(*items));
	e->n = n;
}

/* Builds the ruleset, which must succeed. */
static void build(const struct proxy_node *n, const struct model_service *s, int ns,
		  const struct model_endpoints *e, int ne, struct proxy_ruleset *rs)
{
	char err[128];

	assert_int_equal(proxy_rules_build(n, s, ns, e, ne, rs, err, sizeof(err)), 0);
}

static char *render(const struct proxy_node *n, const struct model_service *svcs, int nsvc,
		    const struct model_endpoints *eps, int neps)
{
	struct proxy_ruleset rs;
	struct buf b = BUF_INIT;
	char *s;

	build(n, svcs, nsvc, eps, neps, &rs);
	proxy_render_full(&rs, &b);
	assert_false(b.oom);
	s = strdup(buf_str(&b));
	buf_free(&b);
	proxy_rules_free(&rs);
	return s;
}

/* The scenario as one node sees it: the Service with a policy, and its
 * one pod, 10.244.0.2, ready on node0. */
struct scen {
	struct proxy_node n;
	struct model_service s;
	struct model_endpoints e;
};

static void scen_init(struct scen *sc, const char *node_name, enum model_traffic_policy policy)
{
	const struct model_endpoint pod = ep("10.244.0.2", "node0", 8080, true, true, false);

	sc->n = node(node_name, PROXY_LAYOUT_AUTO);
	scenario_svc(&sc->s, policy);
	eps_of(&sc->e, "node-service", &pod, 1);
}

static char *scen_render(const struct scen *sc)
{
	return render(&sc->n, &sc->s, 1, &sc->e, 1);
}

static void scen_free(struct scen *sc)
{
	model_endpoints_free(&sc->e);
}

static void golden(const char *name, const char *got)
{
	char path[512];
	char *want = NULL;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.nft", PROXY_GOLDEN_DIR, name);
	if (getenv("PROXY_GOLDEN_UPDATE")) {
		assert_int_equal(fs_write_atomic(path, got, strlen(got), 0644), 0);
		return;
	}
	rc = fs_read_all(path, &want, &len);
	if (rc < 0)
		fail_msg("%s: cannot read (%d); PROXY_GOLDEN_UPDATE=1 writes it", path, rc);
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "---- %s differs; generated:\n%s\n", path, got);
		fail_msg("%s differs from the generator's output", path);
	}
	free(want);
}

static void test_cluster_pod_here(void **state)
{
	struct scen sc;
	char *got;

	(void)state;
	scen_init(&sc, "node0", MODEL_POLICY_CLUSTER);
	got = scen_render(&sc);
	/* Cluster: every external packet is marked for masquerade. */
	assert_non_null(strstr(got, "\tchain external-"));
	assert_non_null(strstr(got, "\t\tjump mark-for-masquerade\n\t\tgoto service-"));
	golden("cluster-pod-here", got);
	free(got);
	scen_free(&sc);
}

static void test_cluster_pod_elsewhere(void **state)
{
	struct scen sc;
	char *got;

	(void)state;
	scen_init(&sc, "node1", MODEL_POLICY_CLUSTER);
	got = scen_render(&sc);
	golden("cluster-pod-elsewhere", got);
	free(got);
	scen_free(&sc);
}

static void test_local_pod_here(void **state)
{
	struct scen sc;
	struct proxy_ruleset rs;
	char *got;

	(void)state;
	scen_init(&sc, "node0", MODEL_POLICY_LOCAL);
	got = scen_render(&sc);
	assert_non_null(strstr(got, "short-circuit pod traffic"));
	assert_non_null(strstr(got, "\tchain local-"));
	assert_null(strstr(got, ": drop"));
	golden("local-pod-here", got);
	build(&sc.n, &sc.s, 1, &sc.e, 1, &rs);
	assert_int_equal(rs.n_stats, 1);
	assert_int_equal(rs.stats[0].health_check_port, 32080);
	assert_int_equal(rs.stats[0].local_ready, 1);
	assert_false(rs.stats[0].no_local_external);
	proxy_rules_free(&rs);
	free(got);
	scen_free(&sc);
}

static void test_local_pod_elsewhere(void **state)
{
	struct scen sc;
	struct proxy_ruleset rs;
	char *got;

	(void)state;
	scen_init(&sc, "node1", MODEL_POLICY_LOCAL);
	got = scen_render(&sc);
	/* No local endpoint: the frontend IP and the NodePort drop what the
	 * short-circuits do not take; ClusterIP still works. */
	assert_non_null(strstr(got, "203.0.113.10 . tcp . 80 comment \"default/node-service:80\" : drop"));
	assert_non_null(strstr(got, "tcp . 31080 comment \"default/node-service:80\" : drop"));
	assert_null(strstr(got, "\tchain local-"));
	golden("local-pod-elsewhere", got);
	build(&sc.n, &sc.s, 1, &sc.e, 1, &rs);
	assert_int_equal(rs.stats[0].local_ready, 0);
	assert_int_equal(rs.stats[0].remote_ready, 1);
	assert_true(rs.stats[0].no_local_external);
	proxy_rules_free(&rs);
	free(got);
	scen_free(&sc);
}

/* The hand-over: a Local Service's node without a local endpoint forwards
 * external traffic to the other nodes' endpoints, masqueraded, instead of
 * dropping it; the health check still reports no local endpoint. */
static void test_local_handover(void **state)
{
	struct scen sc;
	struct proxy_ruleset rs, off;
	struct buf b = BUF_INIT;
	bool on = true;
	char err[128];
	const char *t;

	(void)state;
	scen_init(&sc, "node1", MODEL_POLICY_LOCAL);
	assert_int_equal(proxy_rules_build_from(&sc.n, &sc.s, 1, &sc.e, 1, &on, NULL, &rs, err,
							 sizeof(err)), 0);
	proxy_render_full(&rs, &b);
	t = buf_str(&b);
	assert_null(strstr(t, "203.0.113.10 . tcp . 80 comment \"default/node-service:80\" : drop"));
	assert_null(strstr(t, "tcp . 31080 comment \"default/node-service:80\" : drop"));
	assert_non_null(strstr(t, "jump mark-for-masquerade comment \"hand-over: no local endpoint yet\""));
	assert_true(rs.stats[0].handing_over);
	assert_false(rs.stats[0].no_local_external);
	assert_int_equal(rs.stats[0].local_ready, 0);
	assert_int_equal(rs.stats[0].health_check_port, 32080);
	/* Reusing the part must notice the window's end. */
	on = false;
	assert_int_equal(proxy_rules_build_from(&sc.n, &sc.s, 1, &sc.e, 1, &on, &rs, &off, err,
							 sizeof(err)), 0);
	assert_true(off.stats[0].no_local_external);
	assert_false(off.stats[0].handing_over);
	proxy_rules_free(&off);
	proxy_rules_free(&rs);
	/* A node with a local endpoint uses it: no hand-over, no SNAT. */
	on = true;
	assert_int_equal(proxy_rules_build_from(&sc.n, &sc.s, 1, &sc.e, 1, &on, NULL, &rs, err,
							 sizeof(err)), 0);
	proxy_rules_free(&rs);
	sc.n = node("node0", PROXY_LAYOUT_AUTO);
	assert_int_equal(proxy_rules_build_from(&sc.n, &sc.s, 1, &sc.e, 1, &on, NULL, &rs, err,
							 sizeof(err)), 0);
	assert_false(rs.stats[0].handing_over);
	proxy_rules_free(&rs);
	buf_free(&b);
	scen_free(&sc);
}

static void handover_svc(struct model_service *s, const char *value)
{
	scenario_svc(s, MODEL_POLICY_LOCAL);
	if (value)
		model_map_set(&s->meta.annotations, PROXY_ANN_HANDOVER, value);
}

static void test_handover_window(void **state)
{
	struct model_service s;

	(void)state;
	handover_svc(&s, NULL);
	assert_int_equal(proxy_handover_window_ms(&s), 0);
	handover_svc(&s, "true");
	assert_int_equal(proxy_handover_window_ms(&s), 15000);   /* 5 s x (2 + 1) */
	model_map_set(&s.meta.annotations,
		      "service.beta.kubernetes.io/azure-load-balancer-health-probe-interval", "10");
	model_map_set(&s.meta.annotations,
		      "service.beta.kubernetes.io/azure-load-balancer-health-probe-num-of-probe", "3");
	assert_int_equal(proxy_handover_window_ms(&s), 40000);   /* 10 s x (3 + 1) */
	/* A port's own settings win over the Service's, and the slowest of
	 * the load balancer's probes sets the window. */
	model_map_set(&s.meta.annotations,
		      "service.beta.kubernetes.io/port_80_health-probe_interval", "20");
	assert_int_equal(proxy_handover_window_ms(&s), 80000);   /* 20 s x (3 + 1) */
	model_map_set(&s.meta.annotations,
		      "service.beta.kubernetes.io/port_80_health-probe_interval", "5");
	/* The health check node port's probe still takes 10 s x (3 + 1). */
	assert_int_equal(proxy_handover_window_ms(&s), 40000);
	model_map_set(&s.meta.annotations,
		      "service.beta.kubernetes.io/port_32080_health-probe_num-of-probe", "5");
	assert_int_equal(proxy_handover_window_ms(&s), 60000);   /* 10 s x (5 + 1) */
	/* A setting the load balancer refuses: Azure's defaults. */
	handover_svc(&s, "true");
	model_map_set(&s.meta.annotations,
		      "service.beta.kubernetes.io/port_80_health-probe_interval", "2");
	assert_int_equal(proxy_handover_window_ms(&s), 15000);
	handover_svc(&s, "40");
	assert_int_equal(proxy_handover_window_ms(&s), 40000);
	handover_svc(&s, "false");
	assert_int_equal(proxy_handover_window_ms(&s), 0);
	handover_svc(&s, "0");
	assert_int_equal(proxy_handover_window_ms(&s), 0);
	handover_svc(&s, "9999");
	assert_int_equal(proxy_handover_window_ms(&s), 0);
	/* Cluster needs none. */
	scenario_svc(&s, MODEL_POLICY_CLUSTER);
	model_map_set(&s.meta.annotations, PROXY_ANN_HANDOVER, "true");
	assert_int_equal(proxy_handover_window_ms(&s), 0);
}

static void test_handover_decide(void **state)
{
	struct proxy_handover h = { 0 };
	struct model_service s;
	struct model_endpoints e;
	struct model_endpoint here[] = { ep("10.244.1.2", "node1", 8080, true, true, false),
					 ep("10.244.0.2", "node0", 8080, true, true, false) };
	struct model_endpoint leaving[] = { ep("10.244.1.2", "node1", 8080, false, true, true),
					    ep("10.244.0.2", "node0", 8080, true, true, false) };
	bool on;

	(void)state;
	handover_svc(&s, "10");
	/* First seen Local without a local endpoint: a window from now. */
	eps_of(&e, "node-service", here + 1, 1);
	assert_int_equal(proxy_handover_decide(&h, "node1", &s, 1, &e, 1, 1000, &on), 11000);
	assert_true(on);
	/* Later syncs keep the same window, and it ends. */
	assert_int_equal(proxy_handover_decide(&h, "node1", &s, 1, &e, 1, 5000, &on), 11000);
	assert_true(on);
	assert_int_equal(proxy_handover_decide(&h, "node1", &s, 1, &e, 1, 11000, &on), 0);
	assert_false(on);
	model_endpoints_free(&e);
	/* A pod arrives: nothing to hand over; a serving terminating one still
	 * counts as local; when it is gone a new window starts. */
	eps_of(&e, "node-service", here, 2);
	assert_int_equal(proxy_handover_decide(&h, "node1", &s, 1, &e, 1, 20000, &on), 0);
	assert_false(on);
	model_endpoints_free(&e);
	eps_of(&e, "node-service", leaving, 2);
	assert_int_equal(proxy_handover_decide(&h, "node1", &s, 1, &e, 1, 21000, &on), 0);
	assert_false(on);
	model_endpoints_free(&e);
	eps_of(&e, "node-service", here + 1, 1);
	assert_int_equal(proxy_handover_decide(&h, "node1", &s, 1, &e, 1, 22000, &on), 32000);
	assert_true(on);
	/* Without the annotation (or as Cluster) there is none, and a later
	 * opt-in starts afresh. */
	handover_svc(&s, NULL);
	assert_int_equal(proxy_handover_decide(&h, "node1", &s, 1, &e, 1, 23000, &on), 0);
	assert_false(on);
	assert_int_equal(h.n, 0);
	handover_svc(&s, "10");
	assert_int_equal(proxy_handover_decide(&h, "node1", &s, 1, &e, 1, 24000, &on), 34000);
	assert_true(on);
	model_endpoints_free(&e);
	proxy_handover_free(&h);
}

/* Several Services and their Endpoints, sorted as the API watch gives
 * them: each Service is judged by its own endpoints only. */
static void test_handover_decide_many(void **state)
{
	static const char *const names[] = { "alpha", "beta", "gamma", "omega" };
	struct proxy_handover h = { 0 };
	struct model_service s[4];
	struct model_endpoints e[3];
	struct model_endpoint here = ep("10.244.1.2", "node1", 8080, true, true, false);
	struct model_endpoint there = ep("10.244.0.2", "node0", 8080, true, true, false);
	bool on[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		handover_svc(&s[i], "10");
		snprintf(s[i].meta.name, sizeof(s[i].meta.name), "%s", names[i]);
	}
	/* alpha is served here, beta elsewhere, gamma has no endpoints
	 * object, omega's endpoints are all on this node. */
	eps_of(&e[0], "alpha", &here, 1);
	eps_of(&e[1], "beta", &there, 1);
	eps_of(&e[2], "omega", &here, 1);
	assert_int_equal(proxy_handover_decide(&h, "node1", s, 4, e, 3, 1000, on), 11000);
	assert_false(on[0]);
	assert_true(on[1]);
	assert_true(on[2]);
	assert_false(on[3]);
	assert_int_equal(h.n, 4);
	for (int i = 0; i < 3; i++)
		model_endpoints_free(&e[i]);
	proxy_handover_free(&h);
}

/* forwarding-mode dsr: the frontend's flows are spread over every
 * endpoint by the tc program's stateless hash at the underlay's ingress.
 * Its map gets one entry per frontend port, a slot per endpoint: a remote
 * one holds its node's underlay address, a local one 0. The ip table takes
 * a local pick (and what the program unwrapped) to the local endpoint
 * without SNAT, and gives the flows the program unwrapped an MSS that fits
 * the tunnel; the NodePort stays Cluster's. */
static void test_dsr(void **state)
{
	struct model_service s;
	struct model_endpoints e;
	struct model_endpoint items[] = { ep("10.244.0.2", "node0", 8080, true, true, false),
					  ep("10.244.1.2", "node1", 8080, true, true, false) };
	struct proxy_node n = node("node1", PROXY_LAYOUT_AUTO);
	struct proxy_ruleset rs;
	char *got, *plain;

	(void)state;
	scenario_svc(&s, MODEL_POLICY_CLUSTER);
	model_map_set(&s.meta.annotations, PROXY_ANN_FORWARDING_MODE, "dsr");
	eps_of(&e, "node-service", items, 2);
	/* Without the program, a Cluster Service like any other. */
	plain = render(&n, &s, 1, &e, 1);
	assert_null(strstr(plain, "dsr"));
	build(&n, &s, 1, &e, 1, &rs);
	assert_int_equal(rs.n_dsr, 0);
	proxy_rules_free(&rs);
	n.dsr = true;
	build(&n, &s, 1, &e, 1, &rs);
	assert_int_equal(rs.n_dsr, 1);
	assert_int_equal(rs.dsr_entries[0].frontend.addr, ip("203.0.113.10").s_addr);
	assert_int_equal(rs.dsr_entries[0].frontend.port, htons(80));
	assert_int_equal(rs.dsr_entries[0].frontend.proto, IPPROTO_TCP);
	assert_int_equal(rs.dsr_entries[0].frontend.pad, 0);
	assert_int_equal(rs.dsr_entries[0].slots.n, 2);
	assert_int_equal(rs.dsr_entries[0].slots.node[0], lab_node_addr(0).s_addr);
	assert_int_equal(rs.dsr_entries[0].slots.node[1], 0);
	assert_int_equal(rs.dsr_entries[0].slots.node[2], 0);
	proxy_rules_free(&rs);
	got = render(&n, &s, 1, &e, 1);
	assert_non_null(strstr(got, "iifname \"eth0\" ip daddr 203.0.113.10 goto local-"));
	assert_non_null(strstr(got, "meta mark & 0x10000 == 0x10000 ct mark set ct mark | 0x10000"));
	assert_non_null(strstr(got, "ct mark & 0x10000 == 0x10000 tcp flags & (syn | ack) == syn | ack "
				    "tcp option maxseg size > 1440 tcp option maxseg size set 1440"));
	/* Nothing is routed between the nodes by the IP stack. */
	assert_null(strstr(got, "meta mark set jhash"));
	assert_null(strstr(got, "netdev"));
	golden("dsr", got);
/* A Local Service keeps the client's address already: no DSR. */
	free(got);
	scenario_svc(&s, MODEL_POLICY_LOCAL);
	model_map_set(&s.meta.annotations, PROXY_ANN_FORWARDING_MODE, "dsr");
	got = render(&n, &s, 1, &e, 1);
	assert_null(strstr(got, "dsr"));
	build(&n, &s, 1, &e, 1, &rs);
	assert_int_equal(rs.n_dsr, 0);
	proxy_rules_free(&rs);
	free(got);
	free(plain);
	model_endpoints_free(&e);
}

static void test_nodeport_two_endpoints(void **state)
{
	struct model_service s;
	struct model_endpoints e;
	struct model_endpoint items[] = {
		ep("10.244.1.2", "node1", 8080, true, true, false),
		ep("10.244.0.2", "node0", 8080, true, true, false),
	};
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	char *got;

	(void)state;
	model_service_init(&s);
	snprintf(s.meta.name, sizeof(s.meta.name), "web");
	s.type = MODEL_SVC_NODE_PORT;
	s.n_ports = 1;
	snprintf(s.ports[0].name, sizeof(s.ports[0].name), "http");
	s.ports[0].port = 8000;
	s.ports[0].target_port = 8080;
	s.ports[0].node_port = 30080;
	s.cluster_ip = ip("10.0.0.80");
	eps_of(&e, "web", items, 2);
	got = render(&n, &s, 1, &e, 1);
	assert_non_null(strstr(got, "numgen random mod 2 vmap { 0 : goto endpoint-"));
	golden("nodeport", got);
	free(got);
	model_endpoints_free(&e);
}

static void test_no_endpoints(void **state)
{
	struct model_service s[2];
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	char *got;

	(void)state;
	scenario_svc(&s[0], MODEL_POLICY_CLUSTER);
	model_service_init(&s[1]);
	snprintf(s[1].meta.name, sizeof(s[1].meta.name), "quiet");
	s[1].n_ports = 1;
	s[1].ports[0].port = 80;
	s[1].cluster_ip = ip("10.0.0.81");
	got = render(&n, s, 2, NULL, 0);
	assert_non_null(strstr(got, "10.0.166.24 . tcp . 80 comment \"default/node-service:80\" : goto reject-chain"));
	assert_non_null(strstr(got, "203.0.113.10 . tcp . 80 comment \"default/node-service:80\" : goto reject-chain"));
	assert_non_null(strstr(got, "tcp . 31080 comment \"default/node-service:80\" : goto reject-chain"));
	assert_null(strstr(got, "\tchain service-"));
	golden("no-endpoints", got);
	free(got);
}

static void test_terminating_fallback(void **state)
{
	struct model_service s;
	struct model_endpoints e;
	/* Nothing ready: one serving+terminating endpoint here, one elsewhere,
	 * one terminating and no longer serving (never used). */
	struct model_endpoint items[] = {
		ep("10.244.0.2", "node0", 8080, false, true, true),
		ep("10.244.1.2", "node1", 8080, false, true, true),
		ep("10.244.1.3", "node1", 8080, false, false, true),
	};
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	struct proxy_ruleset rs;
	char *got;

	(void)state;
	scenario_svc(&s, MODEL_POLICY_LOCAL);
	eps_of(&e, "node-service", items, 3);
	got = render(&n, &s, 1, &e, 1);
	assert_null(strstr(got, "10.244.1.3"));
	assert_non_null(strstr(got, "numgen random mod 2 vmap"));
	golden("terminating-fallback", got);
	/* Health checks count only ready endpoints. */
	build(&n, &s, 1, &e, 1, &rs);
	assert_int_equal(rs.stats[0].local_ready, 0);
	assert_int_equal(rs.stats[0].local_serving_terminating, 1);
	proxy_rules_free(&rs);
	free(got);
	model_endpoints_free(&e);
}

static void test_terminating_ignored_when_ready(void **state)
{
	struct model_service s;
	struct model_endpoints e;
	struct model_endpoint items[] = {
		ep("10.244.0.2", "node0", 8080, false, true, true),
		ep("10.244.1.2", "node1", 8080, true, true, false),
	};
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	char *got;

	(void)state;
	scenario_svc(&s, MODEL_POLICY_CLUSTER);
	eps_of(&e, "node-service", items, 2);
	got = render(&n, &s, 1, &e, 1);
	assert_null(strstr(got, "10.244.0.2"));
	assert_non_null(strstr(got, "dnat to 10.244.1.2:8080"));
	free(got);
	model_endpoints_free(&e);
}

static void test_affinity(void **state)
{
	struct model_service s;
	struct model_endpoints e;
	struct model_endpoint items[] = {
		ep("10.244.0.2", "node0", 8080, true, true, false),
		ep("10.244.1.2", "node1", 8080, true, true, false),
	};
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	char *got;

	(void)state;
	scenario_svc(&s, MODEL_POLICY_CLUSTER);
	s.affinity_client_ip = true;
	s.affinity_timeout_s = 600;
	eps_of(&e, "node-service", items, 2);
	got = render(&n, &s, 1, &e, 1);
	assert_non_null(strstr(got, "\t\ttimeout 600s\n"));
	assert_non_null(strstr(got, "update @affinity-"));
	golden("affinity", got);
	free(got);
	model_endpoints_free(&e);
}

static void test_internal_local(void **state)
{
	struct model_service s[2];
	struct model_endpoints e[2];
	struct model_endpoint there[] = { ep("10.244.1.2", "node1", 8080, true, true, false) };
	struct model_endpoint both[] = {
		ep("10.244.0.5", "node0", 8080, true, true, false),
		ep("10.244.1.5", "node1", 8080, true, true, false),
	};
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	char *got;

	(void)state;
	for (int i = 0; i < 2; i++) {
		model_service_init(&s[i]);
		s[i].internal_policy = MODEL_POLICY_LOCAL;
		s[i].n_ports = 1;
		s[i].ports[0].port = 80;
	}
	snprintf(s[0].meta.name, sizeof(s[0].meta.name), "itp-away");
	s[0].cluster_ip = ip("10.0.0.90");
	snprintf(s[1].meta.name, sizeof(s[1].meta.name), "itp-here");
	s[1].cluster_ip = ip("10.0.0.91");
	eps_of(&e[0], "itp-away", there, 1);
	eps_of(&e[1], "itp-here", both, 2);
	got = render(&n, s, 2, e, 2);
	/* No local endpoint: ClusterIP traffic dropped, not rejected. */
	assert_non_null(strstr(got, "10.0.0.90 . tcp . 80 comment \"default/itp-away:80\" : drop"));
	/* With one: only that one, never the remote endpoint. */
	assert_null(strstr(got, "10.244.1.5"));
	golden("internal-local", got);
	free(got);
	model_endpoints_free(&e[0]);
	model_endpoints_free(&e[1]);
}

static void test_udp(void **state)
{
	struct model_service s;
	struct model_endpoints e;
	struct model_endpoint items[] = { ep("10.244.0.7", "node0", 5353, true, true, false) };
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	struct proxy_ruleset rs;
	char *got;

	(void)state;
	model_service_init(&s);
	snprintf(s.meta.name, sizeof(s.meta.name), "dns");
	s.type = MODEL_SVC_NODE_PORT;
	s.n_ports = 1;
	snprintf(s.ports[0].name, sizeof(s.ports[0].name), "dns");
	s.ports[0].proto = MODEL_PROTO_UDP;
	s.ports[0].port = 53;
	s.ports[0].node_port = 30053;
	s.cluster_ip = ip("10.0.0.10");
	eps_of(&e, "dns", items, 1);
	got = render(&n, &s, 1, &e, 1);
	assert_non_null(strstr(got, "meta l4proto udp dnat to 10.244.0.7:5353"));
	assert_non_null(strstr(got, "10.0.0.10 . udp . 53 : goto service-"));
	golden("udp", got);
	build(&n, &s, 1, &e, 1, &rs);
	assert_int_equal(rs.n_udp, 1);
	assert_int_equal(rs.udp[0].node_port, 30053);
	assert_int_equal(rs.udp[0].n_ep, 1);
	assert_int_equal(rs.udp_eps[0].addr.s_addr, ip("10.244.0.7").s_addr);
	proxy_rules_free(&rs);
	free(got);
	model_endpoints_free(&e);
}

/* cluster-ips-check: every ClusterIP is in cluster-ips, with or without
 * endpoints; the service CIDR is dropped after that. */
static void test_cluster_ips_check(void **state)
{
	struct model_service s[2];
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	char *got;

	(void)state;
	scenario_svc(&s[0], MODEL_POLICY_CLUSTER);
	model_service_init(&s[1]);
	snprintf(s[1].meta.name, sizeof(s[1].meta.name), "quiet");
	s[1].n_ports = 1;
	s[1].ports[0].port = 80;
	s[1].cluster_ip = ip("10.0.0.81");
	got = render(&n, s, 2, NULL, 0);
	assert_non_null(strstr(got, "\tset cluster-ips {\n\t\ttype ipv4_addr\n"
				    "\t\tcomment \"Active ClusterIPs\"\n"
				    "\t\telements = { 10.0.166.24,\n\t\t\t     10.0.0.81 }"));
	assert_non_null(strstr(got, "\tchain cluster-ips-check {\n"
				    "\t\tip daddr @cluster-ips reject comment"));
	assert_non_null(strstr(got, "\t\tip daddr 10.0.0.0/16 drop comment"));
	assert_non_null(strstr(got, "\t\tct state new jump endpoints-check\n"
				    "\t\tct state new jump cluster-ips-check\n"));
	free(got);
	/* No service CIDR known: no drop rule. */
	n.service_cidr.s_addr = 0;
	got = render(&n, s, 2, NULL, 0);
	assert_null(strstr(got, "drop comment \"Drop traffic to unallocated ClusterIPs\""));
	free(got);
}

/* NodePorts only on the node's primary address, unless none is known. */
static void test_nodeport_ips(void **state)
{
	struct scen sc;
	char *got;

	(void)state;
	scen_init(&sc, "node0", MODEL_POLICY_CLUSTER);
	got = scen_render(&sc);
	assert_non_null(strstr(got, "elements = { 10.240.0.4 }"));
	assert_non_null(strstr(got, "\t\tip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports\n"));
	assert_non_null(strstr(got, "\t\tip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports\n"));
	assert_null(strstr(got, "fib daddr type local"));
	free(got);
	sc.n.node_ip.s_addr = 0;
	got = scen_render(&sc);
	assert_null(strstr(got, "nodeport-ips"));
	assert_non_null(strstr(got, "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports"));
	free(got);
	scen_free(&sc);
}

/* externalIPs: external traffic, with externalTrafficPolicy's semantics. */
static void test_external_ips(void **state)
{
	struct model_service s[2];
	struct model_endpoints e[2];
	struct model_endpoint items[] = { ep("10.244.0.2", "node0", 8080, true, true, false) };
	struct proxy_node n = node("node1", PROXY_LAYOUT_AUTO);
	struct proxy_ruleset rs;
	char *got;

	(void)state;
	model_service_init(&s[0]);
	snprintf(s[0].meta.name, sizeof(s[0].meta.name), "ext");
	s[0].n_ports = 1;
	s[0].ports[0].port = 80;
	s[0].ports[0].target_port = 8080;
	s[0].cluster_ip = ip("10.0.0.90");
	s[0].external_ips[0] = ip("192.0.2.90");
	s[0].external_ips[1] = ip("192.0.2.91");
	s[0].n_external_ips = 2;
	s[1] = s[0];
	snprintf(s[1].meta.name, sizeof(s[1].meta.name), "ext-local");
	s[1].cluster_ip = ip("10.0.0.91");
	s[1].external_ips[0] = ip("192.0.2.92");
	s[1].n_external_ips = 1;
	s[1].external_policy = MODEL_POLICY_LOCAL;
	eps_of(&e[0], "ext", items, 1);
	eps_of(&e[1], "ext-local", items, 1);
	got = render(&n, s, 2, e, 2);
	/* Cluster: both addresses to the external chain, which masquerades. */
	assert_non_null(strstr(got, "192.0.2.90 . tcp . 80 : goto external-"));
	assert_non_null(strstr(got, "192.0.2.91 . tcp . 80 : goto external-"));
	/* Local on a node without the pod: short-circuits, else dropped. */
	assert_non_null(strstr(got, "192.0.2.92 . tcp . 80 : goto external-"));
	assert_non_null(strstr(got, "192.0.2.92 . tcp . 80 comment \"default/ext-local:80\" : drop"));
	assert_non_null(strstr(got, "comment \"short-circuit pod traffic\""));
	golden("external-ips", got);
	build(&n, s, 2, e, 2, &rs);
	assert_true(rs.stats[1].no_local_external);
	assert_false(rs.stats[0].no_local_external);
	proxy_rules_free(&rs);
	free(got);
	/* Without endpoints: rejected, as the ClusterIP is. */
	got = render(&n, s, 1, NULL, 0);
	assert_non_null(strstr(got, "192.0.2.90 . tcp . 80 comment \"default/ext:80\" : goto reject-chain"));
	assert_null(strstr(got, "192.0.2.90 . tcp . 80 : goto"));
	free(got);
	model_endpoints_free(&e[0]);
	model_endpoints_free(&e[1]);
}

/* loadBalancerSourceRanges: firewall-ips sends the frontend IP (not the
 * NodePort) to a chain dropping other sources; a node inside the ranges
 * may use the frontend IP as its source. */
static void test_source_ranges(void **state)
{
	struct scen sc;
	char *got;

	(void)state;
	scen_init(&sc, "node0", MODEL_POLICY_LOCAL);
	sc.s.source_ranges[0].addr = ip("198.51.100.10");
	sc.s.source_ranges[0].prefix = 32;
	sc.s.source_ranges[1].addr = ip("192.0.2.0");
	sc.s.source_ranges[1].prefix = 24;
	sc.s.n_source_ranges = 2;
	got = scen_render(&sc);
	assert_non_null(strstr(got, "elements = { 203.0.113.10 . tcp . 80 : goto firewall-HWLXDAHM-default/node-service/tcp/80 }"));
	assert_non_null(strstr(got, "\tchain firewall-HWLXDAHM-default/node-service/tcp/80 {\n"
				    "\t\tip saddr != { 198.51.100.10/32, 192.0.2.0/24 } drop\n"));
	assert_null(strstr(got, "tcp . 31080 : goto firewall"));
	golden("source-ranges", got);
	free(got);
	/* The node's own network in the ranges: the frontend IP is allowed. */
	sc.s.source_ranges[1].addr = ip("10.240.0.0");
	sc.s.source_ranges[1].prefix = 16;
	got = scen_render(&sc);
	assert_non_null(strstr(got, "ip saddr != { 198.51.100.10/32, 10.240.0.0/16, 203.0.113.10 } drop"));
	free(got);
	/* No frontend IP yet: nothing to guard. */
	sc.s.ingress_ip.s_addr = 0;
	got = scen_render(&sc);
	assert_null(strstr(got, "chain firewall-H"));
	free(got);
	scen_free(&sc);
}

/* Stale UDP entries, kube-proxy's rule: a frontend's entry goes unless its
 * reply source is a serving endpoint's address, any policy, terminating
 * or not; Services without serving endpoints are left alone. */
static void test_udp_stale(void **state)
{
	struct model_service s[2];
	struct model_endpoints e[2];
	struct model_endpoint items[] = {
		ep("10.244.0.7", "node0", 5353, true, true, false),
		ep("10.244.1.7", "node1", 5353, false, true, true),    /* terminating, serving */
		ep("10.244.1.8", "node1", 5353, false, false, true),   /* no longer serving */
	};
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	struct proxy_ruleset rs;
	uint32_t cip = ip("10.0.0.10").s_addr, eip = ip("192.0.2.53").s_addr;

	(void)state;
	model_service_init(&s[0]);
	snprintf(s[0].meta.name, sizeof(s[0].meta.name), "dns");
	s[0].type = MODEL_SVC_NODE_PORT;
	s[0].external_policy = MODEL_POLICY_LOCAL;
	s[0].n_ports = 1;
	s[0].ports[0].proto = MODEL_PROTO_UDP;
	s[0].ports[0].port = 53;
	s[0].ports[0].node_port = 30053;
	s[0].cluster_ip = ip("10.0.0.10");
	s[0].external_ips[0] = ip("192.0.2.53");
	s[0].n_external_ips = 1;
	s[1] = s[0];
	snprintf(s[1].meta.name, sizeof(s[1].meta.name), "empty");
	s[1].cluster_ip = ip("10.0.0.11");
	s[1].ports[0].node_port = 30054;
	s[1].n_external_ips = 0;
	eps_of(&e[0], "dns", items, 3);
	eps_of(&e[1], "empty", items, 0);
	build(&n, s, 2, e, 2, &rs);
	assert_int_equal(rs.n_udp, 1);
	/* Serving endpoints, ready or terminating, local or not: kept. */
	assert_false(proxy_conntrack_stale(&rs, cip, 53, ip("10.244.0.7").s_addr));
	assert_false(proxy_conntrack_stale(&rs, cip, 53, ip("10.244.1.7").s_addr));
	/* Not serving, or never DNATed: gone, on every frontend. */
	assert_true(proxy_conntrack_stale(&rs, cip, 53, ip("10.244.1.8").s_addr));
	assert_true(proxy_conntrack_stale(&rs, cip, 53, cip));
	assert_true(proxy_conntrack_stale(&rs, eip, 53, eip));
	assert_false(proxy_conntrack_stale(&rs, eip, 53, ip("10.244.1.7").s_addr));
	assert_true(proxy_conntrack_stale(&rs, ip("10.240.0.4").s_addr, 30053,
					  ip("10.240.0.4").s_addr));
	/* Another port, or a Service without endpoints: left alone. */
	assert_false(proxy_conntrack_stale(&rs, cip, 54, cip));
	assert_false(proxy_conntrack_stale(&rs, ip("10.0.0.11").s_addr, 53, ip("10.0.0.11").s_addr));
	assert_false(proxy_conntrack_stale(&rs, ip("10.240.0.4").s_addr, 30054,
					   ip("10.240.0.4").s_addr));
	proxy_rules_free(&rs);
	model_endpoints_free(&e[0]);
	model_endpoints_free(&e[1]);
}

static void test_compact(void **state)
{
	struct model_service s[2];
	struct model_endpoints e[2];
	struct model_endpoint items[] = {
		ep("10.244.0.2", "node0", 8080, true, true, false),
		ep("10.244.1.2", "node1", 8080, true, true, false),
		ep("10.244.1.3", "node1", 8080, true, true, false),
	};
	struct proxy_node n = node("node0", PROXY_LAYOUT_COMPACT);
	char *got;

	(void)state;
	scenario_svc(&s[0], MODEL_POLICY_LOCAL);
	scenario_svc(&s[1], MODEL_POLICY_CLUSTER);
	snprintf(s[1].meta.name, sizeof(s[1].meta.name), "sticky");
	s[1].cluster_ip = ip("10.0.0.99");
	s[1].ingress_ip = ip("203.0.113.11");
	s[1].ports[0].node_port = 31099;
	s[1].affinity_client_ip = true;
	eps_of(&e[0], "node-service", items, 3);
	eps_of(&e[1], "sticky", items, 2);
	got = render(&n, s, 2, e, 2);
	assert_non_null(strstr(got, "numgen random mod 3 0 meta l4proto tcp dnat to 10.244.0.2:8080"));
	assert_non_null(strstr(got, "@hairpin-endpoints jump mark-for-masquerade"));
	assert_non_null(strstr(got, "update @affinity-"));
	golden("compact", got);
	free(got);
	model_endpoints_free(&e[0]);
	model_endpoints_free(&e[1]);
}

static void test_auto_switches_to_compact(void **state)
{
	struct model_service s;
	struct model_endpoints e;
	struct model_endpoint items[] = {
		ep("10.244.0.2", "node0", 8080, true, true, false),
		ep("10.244.1.2", "node1", 8080, true, true, false),
	};
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	struct proxy_ruleset rs;

	(void)state;
	scenario_svc(&s, MODEL_POLICY_CLUSTER);
	eps_of(&e, "node-service", items, 2);
	n.compact_above = 1;
	build(&n, &s, 1, &e, 1, &rs);
	assert_true(rs.compact);
	proxy_rules_free(&rs);
	n.compact_above = 2;
	build(&n, &s, 1, &e, 1, &rs);
	assert_false(rs.compact);
	proxy_rules_free(&rs);
	model_endpoints_free(&e);
}

static void test_chain_names(void **state)
{
	char a[256], b[256];

	(void)state;
	proxy_chain_base("default", "node-service", MODEL_PROTO_TCP, "", 80, a, sizeof(a));
	assert_int_equal(strlen(a), 8 + 1 + strlen("default/node-service/tcp/80"));
	assert_string_equal(a + 9, "default/node-service/tcp/80");
	for (int i = 0; i < 8; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", a[i]));
	proxy_chain_base("default", "node-service", MODEL_PROTO_UDP, "", 80, b, sizeof(b));
	assert_string_not_equal(a, b);
	assert_memory_not_equal(a, b, 8);
	proxy_chain_base("default", "web", MODEL_PROTO_TCP, "http", 8000, a, sizeof(a));
	assert_string_equal(a + 9, "default/web/tcp/http");
}

/* ---- diffs ---------------------------------------------------------------- */

struct two {
	struct model_service s[2];
	struct model_endpoints e[2];
};

static void two_init(struct two *t, int n_web_eps, bool affinity)
{
	struct model_endpoint items[] = {
		ep("10.244.0.2", "node0", 8080, true, true, false),
		ep("10.244.1.2", "node1", 8080, true, true, false),
		ep("10.244.1.3", "node1", 8080, true, true, false),
	};

	scenario_svc(&t->s[0], MODEL_POLICY_LOCAL);
	model_service_init(&t->s[1]);
	snprintf(t->s[1].meta.name, sizeof(t->s[1].meta.name), "web");
	t->s[1].n_ports = 1;
	t->s[1].ports[0].port = 8000;
	t->s[1].cluster_ip = ip("10.0.0.80");
	t->s[1].affinity_client_ip = affinity;
	eps_of(&t->e[0], "node-service", items, 1);
	eps_of(&t->e[1], "web", items, n_web_eps);
}

static void two_free(struct two *t)
{
	model_endpoints_free(&t->e[0]);
	model_endpoints_free(&t->e[1]);
}

/* A diff test on node0: its Services, and what proxy_render_diff keeps
 * between syncs (stale chains), writes and counts. */
struct dfx {
	struct proxy_node n;
	struct two t;
	struct proxy_stale stale;
	struct proxy_diff_stats st;
	struct buf out;
};

static void dfx_init(struct dfx *f, int n_web_eps, bool affinity)
{
	memset(f, 0, sizeof(*f));
	f->n = node("node0", PROXY_LAYOUT_AUTO);
	two_init(&f->t, n_web_eps, affinity);
}

static void dfx_free(struct dfx *f)
{
	buf_free(&f->out);
	proxy_render_stale_clear(&f->stale);
	two_free(&f->t);
}

static void test_diff_same_is_empty(void **state)
{
	struct proxy_ruleset a, b;
	struct dfx f;

	(void)state;
	dfx_init(&f, 2, false);
	build(&f.n, f.t.s, 2, f.t.e, 2, &a);
	build(&f.n, f.t.s, 2, f.t.e, 2, &b);
	assert_int_equal(proxy_render_diff(&a, &b, &f.stale, 1000, 1000, &f.out, &f.st), 0);
	assert_int_equal(f.out.len, 0);
	proxy_rules_free(&a);
	proxy_rules_free(&b);
	dfx_free(&f);
}

static void test_diff_endpoint_added(void **state)
{
	struct proxy_ruleset a, b;
	struct dfx f;
	struct two tb;
	const char *s;

	(void)state;
	dfx_init(&f, 2, false);
	two_init(&tb, 3, false);
	build(&f.n, f.t.s, 2, f.t.e, 2, &a);
	build(&f.n, tb.s, 2, tb.e, 2, &b);
	assert_int_equal(proxy_render_diff(&a, &b, &f.stale, 1000, 1000, &f.out, &f.st), 1);
	s = buf_str(&f.out);
	/* One new endpoint chain, the service chain rewritten, no element
	 * touched, nothing else. */
	assert_int_equal(f.st.chains_added, 1);
	assert_int_equal(f.st.chains_changed, 1);
	assert_int_equal(f.st.elems_added + f.st.elems_deleted + f.st.chains_flushed, 0);
	assert_non_null(strstr(s, "add chain ip kube-proxy endpoint-"));
	assert_non_null(strstr(s, "__10.244.1.3/8080\n"));
	assert_non_null(strstr(s, "flush chain ip kube-proxy service-"));
	assert_null(strstr(s, "node-service"));
	proxy_rules_free(&a);
	proxy_rules_free(&b);
	dfx_free(&f);
	two_free(&tb);
}

/* DSR's map entries follow the endpoints: a sync that changes nothing
 * keeps them, one that adds an endpoint on another node adds its slot
 * beside the ip table's change. An entry stays while every endpoint is on
 * this node: the program takes the IPIP packets a peer sends only for a
 * frontend it knows. */
static void test_diff_dsr_entries(void **state)
{
	struct model_service s;
	struct model_endpoints one, two;
	struct model_endpoint items[] = { ep("10.244.0.2", "node0", 8080, true, true, false),
					  ep("10.244.1.2", "node1", 8080, true, true, false) };
	struct proxy_ruleset a, b, c;
	struct dfx f;

	(void)state;
	dfx_init(&f, 2, false);
	f.n.dsr = true;
	scenario_svc(&s, MODEL_POLICY_CLUSTER);
	model_map_set(&s.meta.annotations, PROXY_ANN_FORWARDING_MODE, "dsr");
	eps_of(&one, "node-service", items, 1);
	eps_of(&two, "node-service", items, 2);
	build(&f.n, &s, 1, &one, 1, &a);
	build(&f.n, &s, 1, &one, 1, &b);
	assert_int_equal(proxy_render_diff(&a, &b, &f.stale, 1000, 1000, &f.out, &f.st), 0);
	assert_int_equal(f.out.len, 0);
	assert_int_equal(a.n_dsr, 1);
	assert_memory_equal(a.dsr_entries, b.dsr_entries, sizeof(*a.dsr_entries));
	assert_int_equal(a.dsr_entries[0].slots.n, 1);
	assert_int_equal(a.dsr_entries[0].slots.node[0], 0);
	build(&f.n, &s, 1, &two, 1, &c);
	assert_int_equal(proxy_render_diff(&b, &c, &f.stale, 1000, 1000, &f.out, &f.st), 1);
	assert_non_null(strstr(buf_str(&f.out), "flush chain ip kube-proxy service-"));
	assert_int_equal(c.n_dsr, 1);
	assert_int_equal(c.dsr_entries[0].slots.n, 2);
	assert_int_equal(c.dsr_entries[0].slots.node[0], 0);
	assert_int_equal(c.dsr_entries[0].slots.node[1], lab_node_addr(1).s_addr);
	proxy_rules_free(&a);
	proxy_rules_free(&b);
	proxy_rules_free(&c);
	model_endpoints_free(&one);
	model_endpoints_free(&two);
	dfx_free(&f);
}

static void test_diff_service_removed_then_stale(void **state)
{
	struct proxy_ruleset a, b, c;
	struct dfx f;

	(void)state;
	dfx_init(&f, 2, true);
	build(&f.n, f.t.s, 2, f.t.e, 2, &a);
	build(&f.n, f.t.s, 1, f.t.e, 1, &b);   /* "web" is gone */
	assert_int_equal(proxy_render_diff(&a, &b, &f.stale, 1000, 1000, &f.out, &f.st), 1);
	assert_int_equal(f.st.chains_flushed, 3);   /* service + 2 endpoints */
	assert_int_equal(f.st.sets_deleted, 2);     /* affinity sets */
	assert_int_equal(f.st.elems_deleted, 2);   /* service-ips, cluster-ips */
	assert_int_equal(f.st.stale_deleted, 0);
	assert_int_equal(f.stale.n, 3);
	/* Sets go after the chains using them are flushed. */
	assert_true(strstr(buf_str(&f.out), "flush chain ip kube-proxy endpoint-") <
		    strstr(buf_str(&f.out), "delete set ip kube-proxy affinity-"));
	/* A second later, the next sync (even an empty one) deletes them. */
	buf_reset(&f.out);
	build(&f.n, f.t.s, 1, f.t.e, 1, &c);
	assert_int_equal(proxy_render_diff(&b, &c, &f.stale, 1500, 1000, &f.out, &f.st), 0);
	assert_int_equal(f.stale.n, 3);
	assert_int_equal(proxy_render_diff(&b, &c, &f.stale, 2000, 1000, &f.out, &f.st), 1);
	assert_int_equal(f.st.stale_deleted, 3);
	assert_int_equal(f.stale.n, 0);
	assert_non_null(strstr(buf_str(&f.out), "delete chain ip kube-proxy service-"));
	proxy_rules_free(&a);
	proxy_rules_free(&b);
	proxy_rules_free(&c);
	dfx_free(&f);
}

static void test_diff_revives_stale_chain(void **state)
{
	struct proxy_ruleset a, b;
	struct dfx f;

	(void)state;
	dfx_init(&f, 2, false);
	build(&f.n, f.t.s, 2, f.t.e, 2, &a);
	build(&f.n, f.t.s, 1, f.t.e, 1, &b);
	assert_int_equal(proxy_render_diff(&a, &b, &f.stale, 1000, 1000, &f.out, &f.st), 1);
	assert_int_equal(f.stale.n, 3);
	buf_reset(&f.out);
	/* "web" comes back before its chains were deleted: refill, do not
	 * create (they still exist, empty). */
	assert_int_equal(proxy_render_diff(&b, &a, &f.stale, 1100, 1000, &f.out, &f.st), 1);
	assert_int_equal(f.stale.n, 0);
	assert_int_equal(f.st.chains_added, 0);
	assert_int_equal(f.st.chains_changed, 3);
	/* "add chain NAME { rules }" fills; a bare "add chain NAME" creates. */
	for (const char *l = buf_str(&f.out); (l = strstr(l, "add chain")); l++)
		assert_true(memchr(l, '{', (size_t)(strchr(l, '\n') - l)) != NULL);
	proxy_rules_free(&a);
	proxy_rules_free(&b);
	dfx_free(&f);
}

static void test_diff_layout_change_needs_full(void **state)
{
	struct proxy_node c = node("node0", PROXY_LAYOUT_COMPACT);
	struct proxy_ruleset a, b;
	struct dfx f;

	(void)state;
	dfx_init(&f, 2, false);
	f.n = node("node0", PROXY_LAYOUT_KUBE);
	build(&f.n, f.t.s, 2, f.t.e, 2, &a);
	build(&c, f.t.s, 2, f.t.e, 2, &b);
	assert_int_equal(proxy_render_diff(&a, &b, &f.stale, 1000, 1000, &f.out, &f.st), -1);
	proxy_rules_free(&a);
	proxy_rules_free(&b);
	dfx_free(&f);
}

static void test_duplicate_frontends(void **state)
{
	struct model_service s[2];
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	struct proxy_ruleset rs;
	int cnt = 0;

	(void)state;
	for (int i = 0; i < 2; i++) {
		model_service_init(&s[i]);
		s[i].n_ports = 1;
		s[i].ports[0].port = 80;
		s[i].cluster_ip = ip("10.0.0.5");   /* both claim it */
	}
	snprintf(s[0].meta.name, sizeof(s[0].meta.name), "a");
	snprintf(s[1].meta.name, sizeof(s[1].meta.name), "b");
	build(&n, s, 2, NULL, 0, &rs);
	for (int i = 0; i < rs.n_elems_unique; i++)
		cnt += rs.elems[rs.elem_order[i]].map == PROXY_MAP_NO_EP_SERVICES;
	assert_int_equal(cnt, 1);
	proxy_rules_free(&rs);
}

/* Reusing the previous model gives exactly what a fresh build gives. */
static void check_reuse(const struct proxy_node *n, const struct proxy_ruleset *prev,
			const struct model_service *s, int ns, const struct model_endpoints *e, int ne)
{
	struct proxy_ruleset fresh, reused;
	struct buf a = BUF_INIT, b = BUF_INIT, da = BUF_INIT, db = BUF_INIT;
	struct proxy_stale sa = { 0 }, sb = { 0 };
	struct proxy_diff_stats st;
	char err[128];

	build(n, s, ns, e, ne, &fresh);
	assert_int_equal(proxy_rules_build_from(n, s, ns, e, ne, NULL, prev, &reused, err, sizeof(err)), 0);
	proxy_render_full(&fresh, &a);
	proxy_render_full(&reused, &b);
	assert_string_equal(buf_str(&a), buf_str(&b));
	assert_int_equal(fresh.nrules, reused.nrules);
	assert_int_equal(fresh.n_udp, reused.n_udp);
	assert_int_equal(fresh.n_stats, reused.n_stats);
	assert_memory_equal(fresh.stats, reused.stats, (size_t)fresh.n_stats * sizeof(*fresh.stats));
	assert_int_equal(proxy_render_diff(prev, &fresh, &sa, 0, 0, &da, &st),
			 proxy_render_diff(prev, &reused, &sb, 0, 0, &db, &st));
	assert_string_equal(buf_str(&da), buf_str(&db));
	/* And a model reused twice still is. */
	{
		struct proxy_ruleset again;

		assert_int_equal(proxy_rules_build_from(n, s, ns, e, ne, NULL, &reused, &again, err,
							sizeof(err)), 0);
		buf_reset(&b);
		proxy_render_full(&again, &b);
		assert_string_equal(buf_str(&a), buf_str(&b));
		proxy_rules_free(&again);
	}
	proxy_rules_free(&fresh);
	proxy_rules_free(&reused);
	proxy_render_stale_clear(&sa);
	proxy_render_stale_clear(&sb);
	buf_free(&a);
	buf_free(&b);
	buf_free(&da);
	buf_free(&db);
}

static void test_build_reuses_unchanged_services(void **state)
{
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	struct proxy_node c = node("node0", PROXY_LAYOUT_COMPACT);
	struct proxy_ruleset prev, prevc;
	struct two t2, t3, ta;
	struct model_service udp[3];
	struct model_endpoints ue[3];
	struct model_endpoint items[] = { ep("10.244.0.7", "node0", 5353, true, true, false) };

	(void)state;
	two_init(&t2, 2, false);
	two_init(&t3, 3, false);
	two_init(&ta, 3, true);
	build(&n, t2.s, 2, t2.e, 2, &prev);
	build(&c, t2.s, 2, t2.e, 2, &prevc);
	check_reuse(&n, &prev, t2.s, 2, t2.e, 2);   /* nothing changed */
	check_reuse(&n, &prev, t3.s, 2, t3.e, 2);   /* an endpoint added */
	check_reuse(&n, &prev, ta.s, 2, ta.e, 2);   /* affinity on */
	check_reuse(&n, &prev, t2.s, 1, t2.e, 1);   /* a Service gone */
	check_reuse(&n, &prev, t2.s + 1, 1, t2.e + 1, 1);
	check_reuse(&c, &prev, t3.s, 2, t3.e, 2);   /* another layout: nothing reused */
	check_reuse(&c, &prevc, t3.s, 2, t3.e, 2);
	/* UDP parts carry their conntrack data along; a duplicate frontend
	 * stays dropped. */
	for (int i = 0; i < 3; i++) {
		model_service_init(&udp[i]);
		snprintf(udp[i].meta.name, sizeof(udp[i].meta.name), "dns%d", i);
		udp[i].n_ports = 1;
		udp[i].ports[0].proto = MODEL_PROTO_UDP;
		udp[i].ports[0].port = 53;
		udp[i].cluster_ip = ip(i == 2 ? "10.0.0.10" : (i ? "10.0.0.11" : "10.0.0.10"));
		eps_of(&ue[i], udp[i].meta.name, items, 1);
	}
	proxy_rules_free(&prev);
	build(&n, udp, 3, ue, 3, &prev);
	check_reuse(&n, &prev, udp, 3, ue, 3);
	check_reuse(&n, &prev, udp + 1, 2, ue + 1, 2);
	ue[1].items[0].ready = false;
	check_reuse(&n, &prev, udp, 3, ue, 3);
	for (int i = 0; i < 3; i++)
		model_endpoints_free(&ue[i]);
	proxy_rules_free(&prev);
	proxy_rules_free(&prevc);
	two_free(&t2);
	two_free(&t3);
	two_free(&ta);
}

/* ---- against a kernel (root only) ----------------------------------------- */

static bool have_root_nft(void)
{
	return geteuid() == 0 && access("/usr/sbin/nft", X_OK) == 0 &&
	       system("unshare -n true >/dev/null 2>&1") == 0;
}

static int run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_golden_files_load(void **state)
{
	static const char *const names[] = {
		"cluster-pod-here", "cluster-pod-elsewhere", "local-pod-here",
		"local-pod-elsewhere", "nodeport", "no-endpoints", "terminating-fallback",
		"affinity", "internal-local", "udp", "compact", "external-ips", "source-ranges",
		"dsr",
	};
	char cmd[1024];

	(void)state;
	if (!have_root_nft())
		skip();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(cmd, sizeof(cmd), "unshare -n sh -c 'nft -c -f %s/%s.nft'",
			 PROXY_GOLDEN_DIR, names[i]);
		if (run(cmd) != 0)
			fail_msg("nft -c rejects %s.nft", names[i]);
		/* Loaded for real too: check mode skips some kernel checks. */
		snprintf(cmd, sizeof(cmd), "unshare -n sh -c 'nft -f %s/%s.nft'",
			 PROXY_GOLDEN_DIR, names[i]);
		if (run(cmd) != 0)
			fail_msg("nft -f rejects %s.nft", names[i]);
	}
}

static void write_tmp(const char *path, const struct buf *b)
{
	assert_int_equal(fs_write_atomic(path, b->data ? b->data : "", b->len, 0600), 0);
}

/* full(a) then diff(a->b) must leave what full(b) leaves. */
static void check_diff_on_kernel(const struct proxy_ruleset *a, const struct proxy_ruleset *b,
				 uint64_t stale_after)
{
	struct proxy_stale stale = { 0 };
	struct proxy_diff_stats st;
	struct buf fa = BUF_INIT, fb = BUF_INIT, d = BUF_INIT;
	char dir[] = "/tmp/test_proxy_rules.XXXXXX", cmd[2048];
	int rc;

	assert_non_null(mkdtemp(dir));
	proxy_render_full(a, &fa);
	proxy_render_full(b, &fb);
	rc = proxy_render_diff(a, b, &stale, 1000, stale_after, &d, &st);
	assert_true(rc >= 0);
	snprintf(cmd, sizeof(cmd), "%s/a.nft", dir);
	write_tmp(cmd, &fa);
	snprintf(cmd, sizeof(cmd), "%s/b.nft", dir);
	write_tmp(cmd, &fb);
	snprintf(cmd, sizeof(cmd), "%s/d.nft", dir);
	write_tmp(cmd, &d);
	/* Listings compared as sorted lines with elements one per line:
	 * chains and elements may come in another order. Partial syncs leave
	 * hairpin-endpoints pairs behind on purpose (proxy_rules.c): those
	 * lines ("a . a") are not compared. */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && unshare -n sh -c '"
		 "norm() { nft list table ip kube-proxy | sed -e \"s/elements = { //\" -e \"s/ }$//\" "
		 "-e \"s/,$//\" -e \"s/^[[:space:]]*//\" | grep -v \"^}\\?$\" | "
		 "grep -Ev \"^([0-9.]+) [.] \\1$\" | sort; }; "
		 "nft -f a.nft && nft -f d.nft && norm > x && nft -f b.nft && norm > y && "
		 "diff x y' >%s/out 2>&1 || { cat %s/out; exit 1; }",
		 dir, dir, dir);
	rc = run(cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
	assert_int_equal(rc, 0);
	buf_free(&fa);
	buf_free(&fb);
	buf_free(&d);
	proxy_render_stale_clear(&stale);
}

static void test_diff_applies_like_full(void **state)
{
	struct proxy_node n = node("node0", PROXY_LAYOUT_AUTO);
	struct proxy_node c = node("node0", PROXY_LAYOUT_COMPACT);
	struct proxy_ruleset r[6];
	struct two t2, t3, ta;

	(void)state;
	if (!have_root_nft())
		skip();
	two_init(&t2, 2, false);
	two_init(&t3, 3, false);
	two_init(&ta, 3, true);
	build(&n, t2.s, 2, t2.e, 2, &r[0]);
	build(&n, t3.s, 2, t3.e, 2, &r[1]);
	build(&n, t2.s, 1, t2.e, 1, &r[2]);
	build(&n, ta.s, 2, ta.e, 2, &r[3]);
	build(&c, t2.s, 2, t2.e, 2, &r[4]);
	build(&c, ta.s, 2, ta.e, 2, &r[5]);
	check_diff_on_kernel(&r[0], &r[1], 1000);   /* endpoint added */
	check_diff_on_kernel(&r[1], &r[0], 0);      /* endpoint removed, chain deleted at once */
	check_diff_on_kernel(&r[0], &r[2], 0);      /* service removed */
	check_diff_on_kernel(&r[2], &r[0], 0);      /* service added */
	check_diff_on_kernel(&r[1], &r[3], 0);      /* affinity switched on */
	check_diff_on_kernel(&r[3], &r[1], 0);      /* and off */
	check_diff_on_kernel(&r[4], &r[5], 0);      /* compact layout */
	check_diff_on_kernel(&r[5], &r[4], 0);
	for (int i = 0; i < 6; i++)
		proxy_rules_free(&r[i]);
	two_free(&t2);
	two_free(&t3);
	two_free(&ta);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cluster_pod_here),
		cmocka_unit_test(test_cluster_pod_elsewhere),
		cmocka_unit_test(test_local_pod_here),
		cmocka_unit_test(test_local_pod_elsewhere),
		cmocka_unit_test(test_local_handover),
		cmocka_unit_test(test_handover_window),
		cmocka_unit_test(test_handover_decide),
		cmocka_unit_test(test_handover_decide_many),
		cmocka_unit_test(test_dsr),
		cmocka_unit_test(test_diff_dsr_entries),
		cmocka_unit_test(test_nodeport_two_endpoints),
		cmocka_unit_test(test_no_endpoints),
		cmocka_unit_test(test_terminating_fallback),
		cmocka_unit_test(test_terminating_ignored_when_ready),
		cmocka_unit_test(test_affinity),
		cmocka_unit_test(test_internal_local),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_cluster_ips_check),
		cmocka_unit_test(test_nodeport_ips),
		cmocka_unit_test(test_external_ips),
		cmocka_unit_test(test_source_ranges),
		cmocka_unit_test(test_udp_stale),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_auto_switches_to_compact),
		cmocka_unit_test(test_chain_names),
		cmocka_unit_test(test_diff_same_is_empty),
		cmocka_unit_test(test_diff_endpoint_added),
		cmocka_unit_test(test_diff_service_removed_then_stale),
		cmocka_unit_test(test_diff_revives_stale_chain),
		cmocka_unit_test(test_diff_layout_change_needs_full),
		cmocka_unit_test(test_duplicate_frontends),
		cmocka_unit_test(test_build_reuses_unchanged_services),
		cmocka_unit_test(test_golden_files_load),
		cmocka_unit_test(test_diff_applies_like_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
