/* Unit tests for controller/ctl_sched.c: spreading pods, pod addresses,
 * node readiness and capacity, and kube-scheduler's message for a pod that
 * fits nowhere. */
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

#include "ctl.h"

static const char *ip_str(struct in_addr a)
{
	static char s[INET_ADDRSTRLEN];

	return inet_ntop(AF_INET, &a, s, sizeof(s));
}

/* n pods: node of each, last octet of each; deleting[i] marks terminating. */
static struct model_pod *pods_on(int n, const int *node, const int *host, const bool *deleting)
{
	struct model_pod *p = calloc((size_t)n + 1, sizeof(*p));

	for (int i = 0; i < n; i++) {
		char a[32];

		snprintf(p[i].meta.name, sizeof(p[i].meta.name), "p%d", i);
		snprintf(p[i].node, sizeof(p[i].node), "node%d", node[i]);
		snprintf(a, sizeof(a), "10.244.%d.%d", node[i], host[i]);
		inet_pton(AF_INET, a, &p[i].ip);
		if (deleting && deleting[i])
			strcpy(p[i].meta.deleting, "2026-11-27T08:00:00Z");
	}
	return p;
}

/* Every node Ready. */
static void all_ready(struct ctl_nodes *c)
{
	for (int i = 0; i < c->n; i++)
		c->state[i] = CTL_NODE_READY;
}

static int sched(const struct ctl_nodes *c, const int *own, int *node, struct in_addr *ip)
{
	char why[MODEL_MESSAGE_MAX];

	return ctl_schedule(c, own, NULL, node, ip, why, sizeof(why));
}

/* Where the next pod goes, as "NODE IP"; with `take`, it takes that place
 * and counts as one of `own`. */
static const char *next_place(struct ctl_nodes *c, int *own, bool take)
{
	static char where[64];
	struct in_addr ip;
	int node;

	assert_int_equal(sched(c, own, &node, &ip), 0);
	snprintf(where, sizeof(where), "%d %s", node, ip_str(ip));
	if (take) {
		ctl_nodes_take(c, node, ip);
		own[node]++;
	}
	return where;
}

static void test_spread_round_robin(void **state)
{
	static const char *const want[] = {
		"0 10.244.0.2", "1 10.244.1.2", "2 10.244.2.2", "0 10.244.0.3", "1 10.244.1.3",
	};
	struct ctl_nodes c;
	int own[LAB_MAX_NODES] = { 0 };

	(void)state;
	ctl_nodes_init(&c, 3, 110, NULL, 0);
	all_ready(&c);
	for (int i = 0; i < 5; i++)
		assert_string_equal(next_place(&c, own, true), want[i]);
}

static void test_tie_breaks(void **state)
{
	/* Another Deployment has two pods on node0 and one on node1. */
	static const int node[] = { 0, 0, 1 }, host[] = { 2, 3, 2 };
	struct model_pod *p = pods_on(3, node, host, NULL);
	int own[LAB_MAX_NODES] = { 0 };
	struct ctl_nodes c;

	(void)state;
	ctl_nodes_init(&c, 3, 110, p, 3);
	all_ready(&c);
	assert_int_equal(c.pods[0], 2);
	assert_int_equal(c.pods[1], 1);
	/* Equal for this Deployment: the emptiest node overall. */
	assert_string_equal(next_place(&c, own, false), "2 10.244.2.2");
	/* This Deployment's own spread comes first, over the total. */
	own[2] = 1;
	assert_string_equal(next_place(&c, own, false), "1 10.244.1.3");
	/* All equal: the lowest index. */
	own[0] = 1;
	own[1] = 1;
	c.pods[0] = c.pods[1] = c.pods[2] = 4;
	assert_string_equal(next_place(&c, own, false), "0 10.244.0.4");
	free(p);
}

static void test_addresses(void **state)
{
	/* Holes are reused; a terminating pod keeps its address and its
	 * place on the node until it is gone. */
	static const int node[] = { 0, 0, 0, 0 }, host[] = { 2, 4, 3, 6 };
	static const bool deleting[] = { false, false, true, true };
	struct model_pod *p = pods_on(4, node, host, deleting);
	int own[LAB_MAX_NODES] = { 0 };
	struct ctl_nodes c;

	(void)state;
	ctl_nodes_init(&c, 1, 110, p, 4);
	all_ready(&c);
	assert_int_equal(c.pods[0], 4);
	assert_string_equal(next_place(&c, own, true), "0 10.244.0.5");
	assert_string_equal(next_place(&c, own, false), "0 10.244.0.7");
	free(p);
}

static void test_full_nodes(void **state)
{
	int own[LAB_MAX_NODES] = { 0 };
	char why[MODEL_MESSAGE_MAX];
	struct ctl_nodes c;
	struct in_addr ip;
	int n, placed = 0;

	(void)state;
	/* maxPods above the pod CIDR: the addresses bound the node. */
	ctl_nodes_init(&c, 2, 1000, NULL, 0);
	all_ready(&c);
	own[1] = 1000;  /* node1 has far more of this Deployment's pods */
	while (sched(&c, own, &n, &ip) == 0) {
		ctl_nodes_take(&c, n, ip);
		own[n]++;
		placed++;
		if (placed == 253) {
			/* node0 is full: .2 to .254, never .1 or .255. */
			assert_string_equal(ip_str(ip), "10.244.0.254");
		}
		assert_true(placed <= 506);
	}
	assert_int_equal(placed, 506);
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes "
			    "are available: 2 No preemption victims found for incoming pod.");
	/* No nodes at all. */
	ctl_nodes_init(&c, 0, 110, NULL, 0);
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "no nodes available to schedule pods");
}

/* topologySpreadConstraints over the hostname: DoNotSchedule refuses a
 * node that would be more than maxSkew above the emptiest one, NotReady
 * nodes included (taints are ignored by the constraint); ScheduleAnyway
 * only prefers. */
static void test_spread_constraint(void **state)
{
	struct model_pod_spec hard = { .spread_max_skew = 1, .spread_hard = true };
	struct model_pod_spec soft = { .spread_max_skew = 1, .spread_hard = false };
	struct ctl_nodes c;
	int own[LAB_MAX_NODES] = { 1, 0 }, n;
	struct in_addr ip;
	char why[MODEL_MESSAGE_MAX];

	(void)state;
	ctl_nodes_init(&c, 2, 110, NULL, 0);
	all_ready(&c);
	assert_int_equal(ctl_schedule(&c, own, &hard, &n, &ip, why, sizeof(why)), 0);
	assert_int_equal(n, 1);
	/* node1 cannot take pods: node0 would reach 2 against node1's 0. */
	c.state[1] = CTL_NODE_NOT_READY;
	assert_int_equal(ctl_schedule(&c, own, &hard, &n, &ip, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "0/2 nodes are available: 1 node(s) didn't match pod topology "
			    "spread constraints, 1 node(s) had untolerated taint(s). preemption: "
			    "0/2 nodes are available: 1 No preemption victims found for incoming "
			    "pod, 1 Preemption is not helpful for scheduling.");
	/* ScheduleAnyway, or no constraint: node0 takes it. */
	assert_int_equal(ctl_schedule(&c, own, &soft, &n, &ip, why, sizeof(why)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), 0);
	assert_int_equal(n, 0);
	/* maxSkew 2 allows it. */
	hard.spread_max_skew = 2;
	assert_int_equal(ctl_schedule(&c, own, &hard, &n, &ip, why, sizeof(why)), 0);
	assert_int_equal(n, 0);
}

static void test_max_pods(void **state)
{
	/* kubelet's maxPods per node, terminating pods included; then the
	 * pod waits with kube-scheduler's reason. */
	static const int node[] = { 0, 0, 1 }, host[] = { 2, 3, 2 };
	static const bool deleting[] = { false, true, false };
	struct model_pod *p = pods_on(3, node, host, deleting);
	int own[LAB_MAX_NODES] = { 0 };
	char why[MODEL_MESSAGE_MAX];
	struct ctl_nodes c;
	struct in_addr ip;
	int n;

	(void)state;
	ctl_nodes_init(&c, 2, 2, p, 3);
	all_ready(&c);
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ip_str(ip), "10.244.1.3");
	ctl_nodes_take(&c, n, ip);
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes "
			    "are available: 2 No preemption victims found for incoming pod.");
	free(p);
}

static void test_readiness(void **state)
{
	struct model_node_status st[4] = { { .name = "node0", .posted_ready = true },
					   { .name = "node1", .posted_ready = true },
					   { .name = "node2" }, { .name = "node3" } };
	int own[LAB_MAX_NODES] = { 0 };
	char why[MODEL_MESSAGE_MAX];
	struct ctl_nodes c;
	struct in_addr ip;
	int n;

	(void)state;
	/* node0 reported 10 s ago, node1 40 s ago (the grace is over),
	 * node2 never: it is not counted at all. */
	strcpy(st[0].heartbeat, "2026-11-27T08:00:50Z");
	strcpy(st[1].heartbeat, "2026-11-27T08:00:20Z");
	ctl_nodes_init(&c, 4, 1, NULL, 0);
	ctl_nodes_status(&c, st, 2, model_time_parse("2026-11-27T08:01:00Z"), 40);
	assert_int_equal(c.state[0], CTL_NODE_READY);
	assert_int_equal(c.state[1], CTL_NODE_NOT_READY);
	assert_int_equal(c.state[2], CTL_NODE_ABSENT);
	/* The spread would prefer node1: it is NotReady. */
	own[0] = 5;
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), 0);
	assert_int_equal(n, 0);
	ctl_nodes_take(&c, n, ip);
	/* node0 is full now: the reasons in kube-scheduler's order. */
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "0/2 nodes are available: 1 Too many pods, 1 node(s) had "
			    "untolerated taint(s). preemption: 0/2 nodes are available: 1 No "
			    "preemption victims found for incoming pod, 1 Preemption is not "
			    "helpful for scheduling.");
	/* Only NotReady nodes. */
	c.state[0] = CTL_NODE_NOT_READY;
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "0/2 nodes are available: 2 node(s) had untolerated taint(s). "
			    "preemption: 0/2 nodes are available: 2 Preemption is not helpful "
			    "for scheduling.");
	/* 10 or more sort before 2 as strings, as in sort.Strings. */
	ctl_nodes_init(&c, 12, 0, NULL, 0);
	for (int i = 0; i < 12; i++)
		c.state[i] = i < 2 ? CTL_NODE_NOT_READY : CTL_NODE_READY;
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "0/12 nodes are available: 10 Too many pods, 2 node(s) had "
			    "untolerated taint(s). preemption: 0/12 nodes are available: 10 No "
			    "preemption victims found for incoming pod, 2 Preemption is not "
			    "helpful for scheduling.");
	/* Ready: fresh, and the agent posted Ready. */
	assert_true(model_node_ready(&st[0], model_time_parse("2026-11-27T08:01:29Z"), 40));
	assert_false(model_node_ready(&st[0], model_time_parse("2026-11-27T08:01:30Z"), 40));
	assert_false(model_node_ready(&st[2], model_time_parse("2026-11-27T08:01:00Z"), 40));
	/* A fresh Lease does not make a node Ready whose condition is not
	 * True (set Unknown while its agent was away, until it posts again). */
	strcpy(st[3].heartbeat, "2026-11-27T08:00:59Z");
	assert_true(model_node_fresh(&st[3], model_time_parse("2026-11-27T08:01:00Z"), 40));
	assert_false(model_node_ready(&st[3], model_time_parse("2026-11-27T08:01:00Z"), 40));
}

/* kubectl cordon: spec.unschedulable keeps new pods off a node, first
 * among the filters, except a pod pinned there (a DaemonSet's tolerates it). */
static void test_cordoned(void **state)
{
	struct model_node_status st[2] = { { .name = "node0", .posted_ready = true },
					   { .name = "node1", .posted_ready = true,
					     .unschedulable = true } };
	struct model_pod_spec pinned = { 0 };
	int own[LAB_MAX_NODES] = { 0 }, n;
	char why[MODEL_MESSAGE_MAX];
	struct ctl_nodes c;
	struct in_addr ip;

	(void)state;
	strcpy(st[0].heartbeat, "2026-11-27T08:00:50Z");
	strcpy(st[1].heartbeat, "2026-11-27T08:00:50Z");
	ctl_nodes_init(&c, 2, 1, NULL, 0);
	ctl_nodes_status(&c, st, 2, model_time_parse("2026-11-27T08:01:00Z"), 40);
	assert_true(c.cordoned[1]);
	assert_int_equal(c.state[1], CTL_NODE_READY);
	/* The spread would take node1 (node0 has one of the group): cordoned. */
	own[0] = 1;
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), 0);
	assert_int_equal(n, 0);
	ctl_nodes_take(&c, n, ip);
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "0/2 nodes are available: 1 Too many pods, 1 node(s) were "
			    "unschedulable. preemption: 0/2 nodes are available: 1 No preemption "
			    "victims found for incoming pod, 1 Preemption is not helpful for "
			    "scheduling.");
	/* A cordoned node that is also NotReady counts once, as cordoned. */
	c.state[1] = CTL_NODE_NOT_READY;
	assert_int_equal(ctl_schedule(&c, own, NULL, &n, &ip, why, sizeof(why)), -ENOSPC);
	assert_non_null(strstr(why, "1 node(s) were unschedulable"));
	assert_null(strstr(why, "taint"));
	/* A DaemonSet's pod, pinned to node1, goes there all the same. */
	c.state[1] = CTL_NODE_READY;
	strcpy(pinned.node_affinity, "node1");
	assert_int_equal(ctl_schedule(&c, own, &pinned, &n, &ip, why, sizeof(why)), 0);
	assert_int_equal(n, 1);
}

static void test_env(void **state)
{
	(void)state;
	unsetenv("CLIENTIP_MAX_PODS");
	unsetenv("CLIENTIP_NODE_GRACE_S");
	assert_int_equal(model_node_max_pods(), 110);
	assert_int_equal(model_node_grace_s(), 40);
	setenv("CLIENTIP_MAX_PODS", "3", 1);
	setenv("CLIENTIP_NODE_GRACE_S", "8", 1);
	assert_int_equal(model_node_max_pods(), 3);
	assert_int_equal(model_node_grace_s(), 8);
	/* Nonsense and values past the pod CIDR leave the defaults. */
	setenv("CLIENTIP_MAX_PODS", "254", 1);
	setenv("CLIENTIP_NODE_GRACE_S", "8s", 1);
	assert_int_equal(model_node_max_pods(), 110);
	assert_int_equal(model_node_grace_s(), 40);
	unsetenv("CLIENTIP_MAX_PODS");
	unsetenv("CLIENTIP_NODE_GRACE_S");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spread_round_robin),
		cmocka_unit_test(test_tie_breaks),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_full_nodes),
		cmocka_unit_test(test_max_pods),
		cmocka_unit_test(test_spread_constraint),
		cmocka_unit_test(test_readiness),
		cmocka_unit_test(test_cordoned),
		cmocka_unit_test(test_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
