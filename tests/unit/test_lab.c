/* Unit tests for lib/lab.c (names, address plan), lib/labinfo.c (lab.json)
 * and podnet_veth_name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "lab.h"
#include "labinfo.h"
#include "model.h"
#include "podnet.h"

static void assert_addr(struct in_addr a, const char *want)
{
	char text[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, text, sizeof(text));
	assert_string_equal(text, want);
}

static void test_name_valid(void **state)
{
	static const char *const good[] = { "a", "t1", "default", "abcdefghijkl", "x0y9" };
	static const char *const bad[] = { "", "1abc", "Abc", "a-b", "a_b", "abcdefghijklm", "a b",
					   "a.b", "t1/x" };
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(lab_name_valid(good[i], err, sizeof(err)));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_false(lab_name_valid(bad[i], err, sizeof(err)));
		assert_true(strlen(err) > 0);
	}
}

static void test_name_default(void **state)
{
	(void)state;
	unsetenv("CLIENTIP_LAB");
	assert_string_equal(lab_name_default(NULL), "default");
	assert_string_equal(lab_name_default(""), "default");
	setenv("CLIENTIP_LAB", "fromenv", 1);
	assert_string_equal(lab_name_default(NULL), "fromenv");
	assert_string_equal(lab_name_default("flag"), "flag");
	unsetenv("CLIENTIP_LAB");
}

static void test_state_dir(void **state)
{
	char buf[LAB_PATH_MAX];

	(void)state;
	unsetenv("CLIENTIP_RUN_DIR");
	assert_string_equal(lab_state_dir("t1", buf, sizeof(buf)), "/run/clientip/t1");
	setenv("CLIENTIP_RUN_DIR", "/tmp/x", 1);
	assert_string_equal(lab_state_dir("t1", buf, sizeof(buf)), "/tmp/x/t1");
	unsetenv("CLIENTIP_RUN_DIR");
}

static void test_netns_names(void **state)
{
	char buf[256];

	(void)state;
	assert_string_equal(lab_netns_name("t1", "edge", buf, sizeof(buf)), "cip-t1-edge");
	assert_string_equal(lab_netns_name("t1", "node3", buf, sizeof(buf)), "cip-t1-node3");
	assert_string_equal(lab_pod_netns_name("t1", "default", "web-5d8f-abcde", buf, sizeof(buf)),
			    "cip-t1-pod-default-web-5d8f-abcde");
}

static void test_address_plan(void **state)
{
	(void)state;
	assert_addr(lab_node_addr(0), "10.240.0.4");
	assert_addr(lab_node_addr(1), "10.240.0.5");
	assert_addr(lab_node_addr(LAB_MAX_NODES - 1), "10.240.0.35");
	assert_addr(lab_node_pod_gateway(0), "10.244.0.1");
	assert_addr(lab_node_pod_gateway(7), "10.244.7.1");
	assert_addr(lab_node_pod_subnet(1), "10.244.1.0");
	assert_addr(lab_client_addr(0), "198.51.100.10");
	assert_addr(lab_client_addr(LAB_MAX_CLIENTS - 1), "198.51.100.41");
}

static void test_indexes(void **state)
{
	(void)state;
	assert_int_equal(lab_node_index("node0"), 0);
	assert_int_equal(lab_node_index("node31"), 31);
	assert_int_equal(lab_node_index("node32"), -1);
	assert_int_equal(lab_node_index("node01"), -1);
	assert_int_equal(lab_node_index("node"), -1);
	assert_int_equal(lab_node_index("node-1"), -1);
	assert_int_equal(lab_node_index("node1x"), -1);
	assert_int_equal(lab_node_index("client1"), -1);
	assert_int_equal(lab_client_index("client2"), 2);
	assert_int_equal(lab_client_index("client"), -1);
	assert_int_equal(lab_client_index("node2"), -1);
}

static void test_netns_belongs(void **state)
{
	static const char *const mine[] = {
		"cip-t1-edge", "cip-t1-control", "cip-t1-node0", "cip-t1-node31", "cip-t1-client0",
		"cip-t1-pod-default-web-1", "cip-t1-pod-x",
	};
	static const char *const not_mine[] = {
		"cip-t12-edge", "cip-t12-node0", "cip-t1-", "cip-t1", "cip-t1-edge2", "cip-t1-node",
		"cip-t1-node01", "cip-t1-node32", "cip-t1-pod-", "cip-t1-foo", "xcip-t1-edge",
		"cip-t-edge", "t1-edge", "cip-t1x-edge",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
		assert_true(lab_netns_belongs("t1", mine[i]));
	for (size_t i = 0; i < sizeof(not_mine) / sizeof(not_mine[0]); i++) {
		if (lab_netns_belongs("t1", not_mine[i]))
			fail_msg("t1 claims %s", not_mine[i]);
	}
	assert_true(lab_netns_belongs("t12", "cip-t12-edge"));
	assert_false(lab_netns_belongs("t12", "cip-t1-edge"));
}

static void test_netns_lab(void **state)
{
	char lab[LAB_NAME_MAX + 1];

	(void)state;
	assert_non_null(lab_netns_lab("cip-t12-edge", lab, sizeof(lab)));
	assert_string_equal(lab, "t12");
	assert_non_null(lab_netns_lab("cip-default-pod-kube-system-dns", lab, sizeof(lab)));
	assert_string_equal(lab, "default");
	assert_null(lab_netns_lab("cip-t1", lab, sizeof(lab)));
	assert_null(lab_netns_lab("cip-T1-edge", lab, sizeof(lab)));
	assert_null(lab_netns_lab("cip-t1-other", lab, sizeof(lab)));
	assert_null(lab_netns_lab("cip--edge", lab, sizeof(lab)));
	assert_null(lab_netns_lab("cip-abcdefghijklm-edge", lab, sizeof(lab)));
	assert_null(lab_netns_lab("foo", lab, sizeof(lab)));
}

/* Every interface name the lab derives fits the kernel's 15 characters. */
static void test_interface_names_fit(void **state)
{
	char name[64];

	(void)state;
	snprintf(name, sizeof(name), "n%d", LAB_MAX_NODES - 1);
	assert_true(strlen(name) < IF_NAMESIZE);
	snprintf(name, sizeof(name), "c%d", LAB_MAX_CLIENTS - 1);
	assert_true(strlen(name) < IF_NAMESIZE);
	podnet_veth_name("a-very-long-kubernetes-namespace-name",
			 "a-very-long-deployment-name-5d8f7c9b4-abcde", name, sizeof(name));
	assert_int_equal(strlen(name), 12);
	assert_true(strlen(name) < IF_NAMESIZE);
}

static void test_veth_name(void **state)
{
	char a[IF_NAMESIZE], b[IF_NAMESIZE], c[IF_NAMESIZE], d[IF_NAMESIZE];

	(void)state;
	podnet_veth_name("default", "web-1", a, sizeof(a));
	podnet_veth_name("default", "web-1", b, sizeof(b));
	podnet_veth_name("default", "web-2", c, sizeof(c));
	podnet_veth_name("defaul", "tweb-1", d, sizeof(d));
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d); /* the separator counts */
	assert_memory_equal(a, "veth", 4);
	for (int i = 4; i < 12; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	/* Fixed forever: a changed hash would orphan the veths of running pods
	 * across an agent upgrade. FNV-1a of "default/web-1". */
	podnet_veth_name("default", "web-1", a, sizeof(a));
	assert_string_equal(a, "veth86bbd2e9");
}

static void test_time_round_trip(void **state)
{
	char text[32];

	(void)state;
	labinfo_time_format(0, text, sizeof(text));
	assert_string_equal(text, "1970-01-01T00:00:00Z");
	labinfo_time_format(1714564800, text, sizeof(text));
	assert_string_equal(text, "2024-05-01T12:00:00Z");
	/* What lab.json holds is read back by the one RFC 3339 parser. */
	assert_int_equal(model_time_parse(text), 1714564800);
	assert_int_equal(model_time_parse("2024-05-01T12:00:00.123Z"), 1714564800);
	assert_int_equal(model_time_parse("2024-05-01T14:00:00+02:00"), 1714564800);
	assert_int_equal(model_time_parse("2024-05-01"), -1);
	assert_int_equal(model_time_parse("yesterday"), -1);
}

static void test_labinfo_format(void **state)
{
	struct lab_info li = { .name = "t1", .nodes = 2, .clients = 1, .created = 1714564800 };
	struct buf b = BUF_INIT;

	(void)state;
	labinfo_format(&li, &b);
	assert_string_equal(buf_str(&b),
			    "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":null,"
			    "\"clusterServiceLoadBalancerHealthProbeMode\":\"servicenodeport\","
			    "\"idleTimeoutUnit\":\"minutes\","
			    "\"createdAt\":\"2024-05-01T12:00:00Z\"}\n");
	buf_reset(&b);
	li.probe_interval_s = 2;
	labinfo_format(&li, &b);
	assert_non_null(strstr(buf_str(&b), "\"probeIntervalSeconds\":2,"));
	buf_free(&b);
}

static void test_labinfo_round_trip(void **state)
{
	struct lab_info in = { .name = "round", .nodes = 32, .clients = 3, .probe_interval_s = 7,
			       .cluster_probe_mode = LABINFO_PROBE_SHARED, .created = 1700000000 };
	struct lab_info out;
	struct buf b = BUF_INIT;
	char err[256];

	(void)state;
	labinfo_format(&in, &b);
	assert_int_equal(labinfo_parse(b.data, b.len, &out, err, sizeof(err)), 0);
	assert_string_equal(out.name, in.name);
	assert_int_equal(out.nodes, in.nodes);
	assert_int_equal(out.clients, in.clients);
	assert_int_equal(out.probe_interval_s, in.probe_interval_s);
	assert_int_equal(out.cluster_probe_mode, LABINFO_PROBE_SHARED);
	assert_int_equal(out.created, in.created);
	buf_free(&b);
}

static void test_labinfo_parse_other_layouts(void **state)
{
	struct lab_info li;
	char err[256];
	const char *pretty = "{\n  \"createdAt\": \"2024-05-01T12:00:00Z\",\n  \"name\": \"t1\",\n"
			     "  \"clients\": 1, \"nodes\": 2, \"extra\": [1, 2],\n"
			     "  \"probeIntervalSeconds\": null\n}\n";

	(void)state;
	assert_int_equal(labinfo_parse(pretty, strlen(pretty), &li, err, sizeof(err)), 0);
	assert_string_equal(li.name, "t1");
	assert_int_equal(li.nodes, 2);
	assert_int_equal(li.probe_interval_s, 0);
	/* Written before the probe mode existed: cloud-provider-azure's default. */
	assert_int_equal(li.cluster_probe_mode, LABINFO_PROBE_SERVICE_NODE_PORT);
}

static void test_labinfo_probe_mode(void **state)
{
	enum labinfo_probe_mode m = LABINFO_PROBE_SERVICE_NODE_PORT;
	const char *shared = "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":null,"
			     "\"clusterServiceLoadBalancerHealthProbeMode\":\"Shared\","
			     "\"createdAt\":\"2024-05-01T12:00:00Z\"}";
	struct lab_info li;
	char err[256];

	(void)state;
	assert_int_equal(labinfo_probe_mode_parse("SERVICENODEPORT", &m), 0);
	assert_int_equal(m, LABINFO_PROBE_SERVICE_NODE_PORT);
	assert_int_equal(labinfo_probe_mode_parse("shared", &m), 0);
	assert_int_equal(m, LABINFO_PROBE_SHARED);
	assert_int_equal(labinfo_probe_mode_parse("nodeport", &m), -EINVAL);
	assert_string_equal(labinfo_probe_mode_name(LABINFO_PROBE_SHARED), "shared");
	assert_string_equal(labinfo_probe_mode_name(LABINFO_PROBE_SERVICE_NODE_PORT),
			    "servicenodeport");
	assert_int_equal(labinfo_parse(shared, strlen(shared), &li, err, sizeof(err)), 0);
	assert_int_equal(li.cluster_probe_mode, LABINFO_PROBE_SHARED);
	/* Without the field: minutes, as on Azure. */
	assert_false(li.idle_timeout_in_seconds);
}

static void test_labinfo_idle_unit(void **state)
{
	const char *secs = "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":null,"
			   "\"idleTimeoutUnit\":\"seconds\",\"createdAt\":\"2024-05-01T12:00:00Z\"}";
	const char *bad = "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":null,"
			  "\"idleTimeoutUnit\":\"hours\",\"createdAt\":\"2024-05-01T12:00:00Z\"}";
	struct lab_info li;
	struct buf b = BUF_INIT;
	char err[256];

	(void)state;
	assert_int_equal(labinfo_parse(secs, strlen(secs), &li, err, sizeof(err)), 0);
	assert_true(li.idle_timeout_in_seconds);
	labinfo_format(&li, &b);
	assert_non_null(strstr(buf_str(&b), "\"idleTimeoutUnit\":\"seconds\""));
	buf_free(&b);
	assert_int_equal(labinfo_parse(bad, strlen(bad), &li, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "idleTimeoutUnit"));
}

static void test_labinfo_parse_errors(void **state)
{
	static const struct {
		const char *json;
		const char *field;
	} bad[] = {
		{ "", "JSON" },
		{ "[1,2]", "object" },
		{ "{\"name\":", "JSON" },
		{ "{\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":null,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "name" },
		{ "{\"name\":\"Bad\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":null,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "name" },
		{ "{\"name\":\"t1\",\"clients\":1,\"probeIntervalSeconds\":null,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "nodes" },
		{ "{\"name\":\"t1\",\"nodes\":\"2\",\"clients\":1,\"probeIntervalSeconds\":null,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "nodes" },
		{ "{\"name\":\"t1\",\"nodes\":0,\"clients\":1,\"probeIntervalSeconds\":null,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "nodes" },
		{ "{\"name\":\"t1\",\"nodes\":33,\"clients\":1,\"probeIntervalSeconds\":null,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "nodes" },
		{ "{\"name\":\"t1\",\"nodes\":2.5,\"clients\":1,\"probeIntervalSeconds\":null,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "nodes" },
		{ "{\"name\":\"t1\",\"nodes\":2,\"clients\":[],\"probeIntervalSeconds\":null,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "clients" },
		{ "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "probeIntervalSeconds" },
		{ "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":0,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "probeIntervalSeconds" },
		{ "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":\"null\",\"createdAt\":\"2024-05-01T12:00:00Z\"}", "probeIntervalSeconds" },
		{ "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":null}", "createdAt" },
		{ "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":null,\"createdAt\":\"soon\"}", "createdAt" },
		{ "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":null,\"clusterServiceLoadBalancerHealthProbeMode\":\"nodeport\",\"createdAt\":\"2024-05-01T12:00:00Z\"}", "clusterServiceLoadBalancerHealthProbeMode" },
		{ "{\"name\":\"t1\",\"nodes\":2,\"clients\":1,\"probeIntervalSeconds\":null,\"clusterServiceLoadBalancerHealthProbeMode\":null,\"createdAt\":\"2024-05-01T12:00:00Z\"}", "clusterServiceLoadBalancerHealthProbeMode" },
	};
	struct lab_info li;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (labinfo_parse(bad[i].json, strlen(bad[i].json), &li, err, sizeof(err)) != -EINVAL)
			fail_msg("accepted: %s", bad[i].json);
		if (!strstr(err, bad[i].field))
			fail_msg("message for %s does not name %s: %s", bad[i].json, bad[i].field, err);
	}
}

static void test_labinfo_save_load(void **state)
{
	struct lab_info in = { .name = "disk", .nodes = 3, .clients = 2, .created = 1714564800 };
	struct lab_info out;
	char tmpl[] = "/tmp/clientip-test-lab.XXXXXX", dir[LAB_PATH_MAX], path[LAB_PATH_MAX];
	char err[512];
	char *root = mkdtemp(tmpl);

	(void)state;
	assert_non_null(root);
	setenv("CLIENTIP_RUN_DIR", root, 1);
	assert_int_equal(labinfo_load("disk", &out, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "lab.json"));
	lab_state_dir("disk", dir, sizeof(dir));
	assert_int_equal(fs_mkdir_p(dir, 0755), 0);
	assert_int_equal(labinfo_save(&in, err, sizeof(err)), 0);
	assert_int_equal(labinfo_load("disk", &out, err, sizeof(err)), 0);
	assert_string_equal(out.name, "disk");
	assert_int_equal(out.nodes, 3);
	assert_int_equal(out.clients, 2);
	assert_int_equal(out.probe_interval_s, 0);
	assert_int_equal(out.created, 1714564800);
	/* A lab.json copied from another lab is refused. */
	lab_state_dir("other", dir, sizeof(dir));
	assert_int_equal(fs_mkdir_p(dir, 0755), 0);
	snprintf(in.name, sizeof(in.name), "other");
	assert_int_equal(labinfo_save(&in, err, sizeof(err)), 0);
	strcat(dir, "/lab.json");
	lab_state_dir("disk", path, sizeof(path));
	strcat(path, "/lab.json");
	assert_int_equal(rename(dir, path), 0);
	assert_int_equal(labinfo_load("disk", &out, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "other"));
	unsetenv("CLIENTIP_RUN_DIR");
	assert_int_equal(fs_remove_tree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_name_default),
		cmocka_unit_test(test_state_dir),
		cmocka_unit_test(test_netns_names),
		cmocka_unit_test(test_address_plan),
		cmocka_unit_test(test_indexes),
		cmocka_unit_test(test_netns_belongs),
		cmocka_unit_test(test_netns_lab),
		cmocka_unit_test(test_interface_names_fit),
		cmocka_unit_test(test_veth_name),
		cmocka_unit_test(test_time_round_trip),
		cmocka_unit_test(test_labinfo_format),
		cmocka_unit_test(test_labinfo_round_trip),
		cmocka_unit_test(test_labinfo_parse_other_layouts),
		cmocka_unit_test(test_labinfo_probe_mode),
		cmocka_unit_test(test_labinfo_idle_unit),
		cmocka_unit_test(test_labinfo_parse_errors),
		cmocka_unit_test(test_labinfo_save_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
