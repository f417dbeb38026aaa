/* Unit tests for lb/lb_alloc.c: frontend IPs from 203.0.113.0/24, shared
 * by Services on different ports as Azure allows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "lb_alloc.h"

#define TCP80 .ports = { { MODEL_PROTO_TCP, 80 } }, .n_ports = 1

static struct in_addr ip(const char *s)
{
	struct in_addr a = { 0 };

	if (s)
		inet_pton(AF_INET, s, &a);
	return a;
}

static const char *str(struct in_addr a, char *buf)
{
	if (!a.s_addr)
		return "";
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void test_lowest_free_from_10(void **state)
{
	struct lb_alloc a[3] = {
		{ .ns = "default", .name = "a" },
		{ .ns = "default", .name = "b" },
		{ .ns = "default", .name = "c" },
	};
	char b[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(lb_alloc_frontends(a, 3), 0);
	assert_string_equal(str(a[0].ip, b), "203.0.113.10");
	assert_string_equal(str(a[1].ip, b), "203.0.113.11");
	assert_string_equal(str(a[2].ip, b), "203.0.113.12");
}

static void test_current_kept_holes_filled(void **state)
{
	/* After a restart: b keeps .11 from its status file, a gets .10
	 * back, c (new) takes the lowest hole left. */
	struct lb_alloc a[3] = {
		{ .ns = "default", .name = "a", .current = ip("203.0.113.10") },
		{ .ns = "default", .name = "b", .current = ip("203.0.113.12") },
		{ .ns = "default", .name = "c" },
	};
	char b[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(lb_alloc_frontends(a, 3), 0);
	assert_string_equal(str(a[0].ip, b), "203.0.113.10");
	assert_string_equal(str(a[1].ip, b), "203.0.113.12");
	assert_string_equal(str(a[2].ip, b), "203.0.113.11");
}

static void test_requested_honoured(void **state)
{
	struct lb_alloc a[2] = {
		{ .ns = "default", .name = "a" },
		{ .ns = "default", .name = "b", .requested = ip("203.0.113.10") },
	};
	char b[INET_ADDRSTRLEN];

	(void)state;
	/* b asked for .10: the automatic one steps aside. */
	assert_int_equal(lb_alloc_frontends(a, 2), 0);
	assert_string_equal(str(a[0].ip, b), "203.0.113.11");
	assert_string_equal(str(a[1].ip, b), "203.0.113.10");
}

static void test_requested_taken_stays_pending(void **state)
{
	struct lb_alloc a[2] = {
		{ .ns = "default", .name = "a", .current = ip("203.0.113.10"), TCP80 },
		{ .ns = "prod", .name = "b", .requested = ip("203.0.113.10"), TCP80 },
	};
	char b[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(lb_alloc_frontends(a, 2), 1);
	assert_string_equal(str(a[0].ip, b), "203.0.113.10");
	assert_int_equal(a[1].ip.s_addr, 0);
	assert_string_equal(a[1].reason, "LoadBalancerIPInUse");
	assert_non_null(strstr(a[1].message, "port 80/TCP is in use by service default/a"));
}

static void test_shared_on_other_ports(void **state)
{
	/* Three Services ask for .50: a (80/TCP) and b (81/TCP and 53/UDP)
	 * share it; c (80/TCP again) clashes with a and waits; d asks for
	 * nothing and gets an address nobody holds, not .50. 80/UDP is not
	 * 80/TCP. */
	struct lb_alloc a[5] = {
		{ .ns = "default", .name = "a", .requested = ip("203.0.113.50"), TCP80 },
		{ .ns = "default", .name = "b", .requested = ip("203.0.113.50"),
		  .ports = { { MODEL_PROTO_TCP, 81 }, { MODEL_PROTO_UDP, 53 } }, .n_ports = 2 },
		{ .ns = "default", .name = "c", .requested = ip("203.0.113.50"), TCP80 },
		{ .ns = "default", .name = "d", TCP80 },
		{ .ns = "default", .name = "e", .requested = ip("203.0.113.50"),
		  .ports = { { MODEL_PROTO_UDP, 80 } }, .n_ports = 1 },
	};
	char b[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(lb_alloc_frontends(a, 5), 1);
	assert_string_equal(str(a[0].ip, b), "203.0.113.50");
	assert_string_equal(str(a[1].ip, b), "203.0.113.50");
	assert_int_equal(a[2].ip.s_addr, 0);
	assert_string_equal(a[2].reason, "LoadBalancerIPInUse");
	assert_non_null(strstr(a[2].message, "203.0.113.50 port 80/TCP is in use by service default/a"));
	assert_string_equal(str(a[3].ip, b), "203.0.113.10");
	assert_string_equal(str(a[4].ip, b), "203.0.113.50");
	/* After a restart every holder keeps the shared address. */
	for (int i = 0; i < 5; i++)
		a[i].current = a[i].ip;
	assert_int_equal(lb_alloc_frontends(a, 5), 1);
	assert_string_equal(str(a[1].ip, b), "203.0.113.50");
	assert_string_equal(str(a[4].ip, b), "203.0.113.50");
	assert_int_equal(a[2].ip.s_addr, 0);
}

/* The L7 gateway's address is in the pool but never a Service's. */
static void test_requested_gateway_address(void **state)
{
	struct lb_alloc a[1] = {
		{ .ns = "default", .name = "a", .requested = ip(LAB_GATEWAY_IP) },
	};

	(void)state;
	assert_int_equal(lb_alloc_frontends(a, 1), 1);
	assert_int_equal(a[0].ip.s_addr, 0);
	assert_string_equal(a[0].reason, "LoadBalancerIPInUse");
	assert_non_null(strstr(a[0].message, "the L7 gateway's"));
}

static void test_requested_outside_pool(void **state)
{
	struct lb_alloc a[1] = {
		{ .ns = "default", .name = "a", .requested = ip("192.0.2.7") },
	};

	(void)state;
	assert_int_equal(lb_alloc_frontends(a, 1), 1);
	assert_string_equal(a[0].reason, "InvalidLoadBalancerIP");
	assert_non_null(strstr(a[0].message, "203.0.113.0/24"));
	/* Network and broadcast addresses are not hosts of the pool. */
	assert_false(lb_alloc_in_pool(ip("203.0.113.0")));
	assert_false(lb_alloc_in_pool(ip("203.0.113.255")));
	assert_true(lb_alloc_in_pool(ip("203.0.113.1")));
}

static void test_changed_request_moves(void **state)
{
	/* The user edits loadBalancerIP: the old address is released. */
	struct lb_alloc a[1] = {
		{ .ns = "default", .name = "a", .current = ip("203.0.113.10"),
		  .requested = ip("203.0.113.3") },
	};
	char b[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(lb_alloc_frontends(a, 1), 0);
	assert_string_equal(str(a[0].ip, b), "203.0.113.3");
}

static void test_pool_exhausted(void **state)
{
	static struct lb_alloc a[250];
	char names[250][8];

	(void)state;
	for (int i = 0; i < 250; i++) {
		snprintf(names[i], sizeof(names[i]), "s%d", i);
		a[i] = (struct lb_alloc){ .ns = "default", .name = names[i] };
	}
	/* .10 to .254 is 245 addresses. */
	assert_int_equal(lb_alloc_frontends(a, 250), 5);
	assert_string_equal(a[249].reason, "FrontendPoolExhausted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lowest_free_from_10),
		cmocka_unit_test(test_current_kept_holes_filled),
		cmocka_unit_test(test_requested_honoured),
		cmocka_unit_test(test_requested_taken_stays_pending),
		cmocka_unit_test(test_shared_on_other_ports),
		cmocka_unit_test(test_requested_outside_pool),
		cmocka_unit_test(test_requested_gateway_address),
		cmocka_unit_test(test_changed_request_moves),
		cmocka_unit_test(test_pool_exhausted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
