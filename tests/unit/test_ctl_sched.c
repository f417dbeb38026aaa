/* Unit tests for controller/ctl_sched.c: spreading pods, pod addresses. */
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

static void test_spread_round_robin(void **state)
{
	static const char *const want[] = {
		"0 10.244.0.2", "1 10.244.1.2", "2 10.244.2.2", "0 10.244.0.3", "1 10.244.1.3",
	};
	struct ctl_nodes c;
	int own[LAB_MAX_NODES] = { 0 };

	(void)state;
	ctl_nodes_init(&c, 3, NULL, 0);
	for (int i = 0; i < 5; i++) {
		struct in_addr ip;
		char got[64];
		int node;

		assert_int_equal(ctl_schedule(&c, own, &node, &ip), 0);
		snprintf(got, sizeof(got), "%d %s", node, ip_str(ip));
		assert_string_equal(got, want[i]);
		ctl_nodes_take(&c, node, ip);
		own[node]++;
	}
}

static void test_tie_breaks(void **state)
{
	/* Another Deployment has two pods on node0 and one on node1. */
	static const int node[] = { 0, 0, 1 }, host[] = { 2, 3, 2 };
	struct model_pod *p = pods_on(3, node, host, NULL);
	int own[LAB_MAX_NODES] = { 0 };
	struct ctl_nodes c;
	struct in_addr ip;
	int n;

	(void)state;
	ctl_nodes_init(&c, 3, p, 3);
	assert_int_equal(c.pods[0], 2);
	assert_int_equal(c.pods[1], 1);
	/* Equal for this Deployment: the emptiest node overall. */
	assert_int_equal(ctl_schedule(&c, own, &n, &ip), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ip_str(ip), "10.244.2.2");
	/* This Deployment's own spread comes first, over the total. */
	own[2] = 1;
	assert_int_equal(ctl_schedule(&c, own, &n, &ip), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ip_str(ip), "10.244.1.3");
	/* All equal: the lowest index. */
	own[0] = 1;
	own[1] = 1;
	c.pods[0] = c.pods[1] = c.pods[2] = 4;
	assert_int_equal(ctl_schedule(&c, own, &n, &ip), 0);
	assert_int_equal(n, 0);
	assert_string_equal(ip_str(ip), "10.244.0.4");
	free(p);
}

static void test_addresses(void **state)
{
	/* Holes are reused; a terminating pod keeps its address but not its
	 * place in the count. */
	static const int node[] = { 0, 0, 0, 0 }, host[] = { 2, 4, 3, 6 };
	static const bool deleting[] = { false, false, true, true };
	struct model_pod *p = pods_on(4, node, host, deleting);
	int own[LAB_MAX_NODES] = { 0 };
	struct ctl_nodes c;
	struct in_addr ip;
	int n;

	(void)state;
	ctl_nodes_init(&c, 1, p, 4);
	assert_int_equal(c.pods[0], 2);
	assert_int_equal(ctl_schedule(&c, own, &n, &ip), 0);
	assert_string_equal(ip_str(ip), "10.244.0.5");
	ctl_nodes_take(&c, n, ip);
	assert_int_equal(ctl_schedule(&c, own, &n, &ip), 0);
	assert_string_equal(ip_str(ip), "10.244.0.7");
	free(p);
}

static void test_full_nodes(void **state)
{
	int own[LAB_MAX_NODES] = { 0 };
	struct ctl_nodes c;
	struct in_addr ip;
	int n, placed = 0;

	(void)state;
	ctl_nodes_init(&c, 2, NULL, 0);
	own[1] = 1000;  /* node1 has far more of this Deployment's pods */
	while (ctl_schedule(&c, own, &n, &ip) == 0) {
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
	assert_int_equal(ctl_schedule(&c, own, &n, &ip), -ENOSPC);
	/* No nodes at all. */
	ctl_nodes_init(&c, 0, NULL, 0);
	assert_int_equal(ctl_schedule(&c, own, &n, &ip), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spread_round_robin),
		cmocka_unit_test(test_tie_breaks),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_full_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
