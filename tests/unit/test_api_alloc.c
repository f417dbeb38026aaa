/* Unit tests for apiserver/api_alloc.c: the ClusterIPs and NodePorts held
 * by Services, followed through creates, changes and deletions, and
 * checked against a scan of the same Services (what admission did before
 * the allocator existed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "api_alloc.h"

/* A Service holding ip (10.0.x.y as the low 16 bits; "" when ip < 0) and
 * node ports (0: none). */
static json_t *svc(int ip, int np1, int np2, int hc)
{
	char text[32] = "";
	json_t *ports = json_array(), *spec;

	if (ip >= 0)
		snprintf(text, sizeof(text), "10.0.%d.%d", ip >> 8, ip & 0xff);
	json_array_append_new(ports, json_pack("{s:i, s:i}", "port", 80, "nodePort", np1));
	if (np2)
		json_array_append_new(ports, json_pack("{s:i, s:i}", "port", 81, "nodePort", np2));
	spec = json_pack("{s:s, s:o}", "clusterIP", text, "ports", ports);
	if (hc)
		json_object_set_new(spec, "healthCheckNodePort", json_integer(hc));
	return json_pack("{s:o}", "spec", spec);
}

static void set(struct api_alloc *a, const char *key, json_t *obj)
{
	assert_int_equal(api_alloc_set(a, key, obj), 0);
	json_decref(obj);
}

static void test_empty(void **state)
{
	struct api_alloc *a = api_alloc_new();

	(void)state;
	assert_non_null(a);
	assert_int_equal(api_alloc_free_ip(a), API_CLUSTER_IP_FIRST);
	assert_int_equal(api_alloc_free_port(a, NULL, 0), API_NODE_PORT_FIRST);
	assert_false(api_alloc_ip_used(a, API_CLUSTER_IP_FIRST, NULL));
	assert_false(api_alloc_port_used(a, API_NODE_PORT_FIRST, NULL));
	api_alloc_free(a);
}

static void test_follow_changes(void **state)
{
	struct api_alloc *a = api_alloc_new();
	int taken[] = { 30002, 30003 };

	(void)state;
	set(a, "ns/a", svc(10, 30000, 0, 30001));
	assert_int_equal(api_alloc_free_ip(a), API_CLUSTER_IP_NET | 11);
	assert_int_equal(api_alloc_free_port(a, NULL, 0), 30002);
	/* The request's own ports count too. */
	assert_int_equal(api_alloc_free_port(a, taken, 2), 30004);
	assert_true(api_alloc_ip_used(a, API_CLUSTER_IP_NET | 10, NULL));
	assert_true(api_alloc_ip_used(a, API_CLUSTER_IP_NET | 10, "ns/b"));
	/* What a Service holds is not "used" for itself (its update). */
	assert_false(api_alloc_ip_used(a, API_CLUSTER_IP_NET | 10, "ns/a"));
	assert_false(api_alloc_port_used(a, 30001, "ns/a"));
	assert_true(api_alloc_port_used(a, 30001, "other/a"));

	/* A change releases what it no longer holds. */
	set(a, "ns/a", svc(12, 30005, 0, 0));
	assert_int_equal(api_alloc_free_ip(a), API_CLUSTER_IP_NET | 10);
	assert_false(api_alloc_port_used(a, 30000, NULL));
	assert_false(api_alloc_port_used(a, 30001, NULL));
	assert_true(api_alloc_port_used(a, 30005, NULL));

	/* Two Services on one address (stored without admission): it stays
	 * used until both let go. */
	set(a, "ns/b", svc(12, 0, 0, 0));
	assert_true(api_alloc_ip_used(a, API_CLUSTER_IP_NET | 12, "ns/a"));
	assert_int_equal(api_alloc_set(a, "ns/a", NULL), 0);
	assert_true(api_alloc_ip_used(a, API_CLUSTER_IP_NET | 12, NULL));
	assert_false(api_alloc_port_used(a, 30005, NULL));
	assert_int_equal(api_alloc_set(a, "ns/b", NULL), 0);
	assert_false(api_alloc_ip_used(a, API_CLUSTER_IP_NET | 12, NULL));
	/* Deleting what is not there is harmless. */
	assert_int_equal(api_alloc_set(a, "ns/none", NULL), 0);
	api_alloc_free(a);
}

static void test_outside_ranges_ignored(void **state)
{
	struct api_alloc *a = api_alloc_new();
	json_t *o = json_pack("{s:{s:s, s:[{s:i, s:i}], s:i}}", "spec", "clusterIP",
			      "192.168.0.10", "ports", "port", 80, "nodePort", 80,
			      "healthCheckNodePort", 40000);

	(void)state;
	set(a, "ns/x", o);
	set(a, "ns/headless", json_pack("{s:{s:s}}", "spec", "clusterIP", "None"));
	assert_int_equal(api_alloc_free_ip(a), API_CLUSTER_IP_FIRST);
	assert_int_equal(api_alloc_free_port(a, NULL, 0), API_NODE_PORT_FIRST);
	assert_false(api_alloc_port_used(a, 80, NULL));
	api_alloc_free(a);
}

static void test_words_and_full(void **state)
{
	struct api_alloc *a = api_alloc_new();
	char key[32];

	(void)state;
	/* 10.0.0.10 to 10.0.0.199 taken but for a hole at .100: across the
	 * bitmap's 64-bit words. */
	for (int i = 10; i < 200; i++) {
		snprintf(key, sizeof(key), "ns/s%d", i);
		set(a, key, svc(i, 0, 0, 0));
	}
	assert_int_equal(api_alloc_set(a, "ns/s100", NULL), 0);
	assert_int_equal(api_alloc_free_ip(a), API_CLUSTER_IP_NET | 100);
	set(a, "ns/s100", svc(100, 0, 0, 0));
	assert_int_equal(api_alloc_free_ip(a), API_CLUSTER_IP_NET | 200);

	/* Every node port taken: none left, then the last one freed. */
	for (int p = API_NODE_PORT_FIRST; p <= API_NODE_PORT_LAST; p++) {
		snprintf(key, sizeof(key), "np/p%d", p);
		set(a, key, svc(-1, p, 0, 0));
	}
	assert_int_equal(api_alloc_free_port(a, NULL, 0), 0);
	snprintf(key, sizeof(key), "np/p%d", API_NODE_PORT_LAST);
	assert_int_equal(api_alloc_set(a, key, NULL), 0);
	assert_int_equal(api_alloc_free_port(a, NULL, 0), API_NODE_PORT_LAST);
	{
		int last = API_NODE_PORT_LAST;
		assert_int_equal(api_alloc_free_port(a, &last, 1), 0);
	}
	api_alloc_free(a);
}

/* ---- against a scan -------------------------------------------------------- */

#define KEYS 40

struct model {
	int ip[KEYS];                 /* -1: none */
	int np[KEYS][3];
	bool live[KEYS];
};

static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static bool scan_ip_used(const struct model *m, int ip, int except)
{
	for (int k = 0; k < KEYS; k++)
		if (m->live[k] && k != except && m->ip[k] == ip)
			return true;
	return false;
}

static bool scan_port_used(const struct model *m, int p, int except)
{
	for (int k = 0; k < KEYS; k++)
		for (int j = 0; j < 3; j++)
			if (m->live[k] && k != except && m->np[k][j] == p)
				return true;
	return false;
}

static void test_against_scan(void **state)
{
	struct api_alloc *a = api_alloc_new();
	struct model m;
	uint32_t x = 2463534242u;
	char key[16];

	(void)state;
	memset(&m, 0, sizeof(m));
	for (int op = 0; op < 4000; op++) {
		int k = (int)(rnd(&x) % KEYS);

		snprintf(key, sizeof(key), "ns/k%d", k);
		if (rnd(&x) % 4 == 0) {
			m.live[k] = false;
			assert_int_equal(api_alloc_set(a, key, NULL), 0);
		} else {
			/* Small ranges, so that Services share and collide. */
			m.live[k] = true;
			m.ip[k] = rnd(&x) % 8 ? 10 + (int)(rnd(&x) % 30) : -1;
			for (int j = 0; j < 3; j++)
				m.np[k][j] = rnd(&x) % 3 ? 30000 + (int)(rnd(&x) % 40) : 0;
			set(a, key, svc(m.ip[k], m.np[k][0], m.np[k][1], m.np[k][2]));
		}
		for (int probe = 0; probe < 8; probe++) {
			int ip = 10 + (int)(rnd(&x) % 32), p = 30000 + (int)(rnd(&x) % 42);
			int who = (int)(rnd(&x) % (KEYS + 1));
			char wkey[16];

			snprintf(wkey, sizeof(wkey), "ns/k%d", who);
			assert_int_equal(api_alloc_ip_used(a, API_CLUSTER_IP_NET | (uint32_t)ip,
							   who < KEYS ? wkey : NULL),
					 scan_ip_used(&m, ip, who));
			assert_int_equal(api_alloc_port_used(a, p, who < KEYS ? wkey : NULL),
					 scan_port_used(&m, p, who));
		}
		{
			int ip = 10, p = 30000;
			while (scan_ip_used(&m, ip, -1))
				ip++;
			while (scan_port_used(&m, p, -1))
				p++;
			assert_int_equal(api_alloc_free_ip(a), API_CLUSTER_IP_NET | (uint32_t)ip);
			assert_int_equal(api_alloc_free_port(a, NULL, 0), p);
		}
	}
	api_alloc_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_follow_changes),
		cmocka_unit_test(test_outside_ranges_ignored),
		cmocka_unit_test(test_words_and_full),
		cmocka_unit_test(test_against_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
