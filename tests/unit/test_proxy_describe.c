/* Unit tests for cli/describe_proxy.c: the per-node view of a Service,
 * from its endpoints, the registered nodes and the proxy's metrics files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "describe_proxy.h"
#include "fsutil.h"
#include "tabwriter.h"

struct fixture {
	char dir[64];
	struct cli cli;
	struct model_service svc;
	struct model_endpoint items[2];
	struct model_endpoints eps;
	struct model_node_status nodes[2];   /* node0 and node1 registered, Ready */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct model_endpoints *e;
	struct model_endpoint *items;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_proxy_describe.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->cli.statedir, sizeof(f->cli.statedir), "%s/status/nodes", f->dir);
	if (fs_mkdir_p(f->cli.statedir, 0755) < 0)
		return -1;
	snprintf(f->cli.statedir, sizeof(f->cli.statedir), "%s", f->dir);
	model_service_init(&f->svc);
	snprintf(f->svc.meta.name, sizeof(f->svc.meta.name), "node-service");
	f->svc.type = MODEL_SVC_LOAD_BALANCER;
	f->svc.external_policy = MODEL_POLICY_LOCAL;
	f->svc.health_check_node_port = 32080;
	f->svc.n_ports = 1;
	f->svc.ports[0].port = 80;

	e = &f->eps;
	items = f->items;
	snprintf(e->ns, sizeof(e->ns), "default");
	snprintf(e->name, sizeof(e->name), "node-service");
	inet_pton(AF_INET, "10.244.0.2", &items[0].addr);
	snprintf(items[0].node, sizeof(items[0].node), "node0");
	items[0].ready = items[0].serving = true;
	items[0].ports[0] = 8080;
	inet_pton(AF_INET, "10.244.2.2", &items[1].addr);
	snprintf(items[1].node, sizeof(items[1].node), "node2");
	items[1].serving = items[1].terminating = true;
	items[1].ports[0] = 8080;
	e->items = items;
	e->n = 2;
	for (int i = 0; i < 2; i++) {
		struct model_node_status *ns = &f->nodes[i];

		snprintf(ns->name, sizeof(ns->name), "node%d", i);
		ns->addr = lab_node_addr(i);
		ns->posted_ready = true;
		model_time_now(ns->heartbeat);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fs_remove_tree(f->dir);
	free(f);
	return 0;
}

static void put_metrics(const struct fixture *f, const char *node, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/status/nodes/%s.metrics", f->dir, node);
	assert_int_equal(fs_write_atomic(path, text, strlen(text), 0644), 0);
}

static char *render(const struct fixture *f)
{
	FILE *out = tmpfile();
	struct buf b = BUF_INIT;
	char *text;
	long len;

	assert_non_null(out);
	/* Aligned as `describe svc` aligns it. */
	describe_svc_proxy_lines(&f->cli, &f->svc, &f->eps, f->nodes, 2, &b);
	tabwriter_write(out, buf_str(&b), 0, 2);
	buf_free(&b);
	len = ftell(out);
	assert_true(len > 0);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	rewind(out);
	assert_int_equal(fread(text, 1, (size_t)len, out), (size_t)len);
	fclose(out);
	return text;
}

static const char *line_of(const char *text, const char *start)
{
	const char *p = strstr(text, start);

	assert_non_null(p);
	return p;
}

static void test_per_node(void **state)
{
	struct fixture *f = *state;
	char *text, *l0, *l1, *l2;

	put_metrics(f, "node0",
		    "clientip_proxy_healthy 1\n"
		    "clientip_proxy_service_health_check{namespace=\"default\",service=\"node-service\",port=\"32080\"} 200\n"
		    "clientip_proxy_packets_dropped_no_local_endpoints_total{namespace=\"default\",service=\"other\"} 9\n");
	put_metrics(f, "node1",
		    "clientip_proxy_healthy 1\n"
		    "clientip_proxy_service_health_check{namespace=\"default\",service=\"node-service\",port=\"32080\"} 503\n"
		    "clientip_proxy_packets_dropped_no_local_endpoints_total{namespace=\"default\",service=\"node-service\"} 17\n");
	text = render(f);
	assert_non_null(strstr(text, "Service Proxy:\n"));
	l0 = strndup(line_of(text, "  node0 "), 200);
	l1 = strndup(line_of(text, "  node1 "), 200);
	l2 = strndup(line_of(text, "  node2 "), 200);
	*strchr(l0, '\n') = *strchr(l1, '\n') = *strchr(l2, '\n') = '\0';
	assert_non_null(strstr(l0, "10.240.0.4"));
	assert_non_null(strstr(l0, "healthy"));
	assert_non_null(strstr(l0, "10.244.0.2 (ready)"));
	assert_non_null(strstr(l0, ":32080 200"));
	assert_string_equal(l0 + strlen(l0) - 1, "0");   /* another Service's drops */
	assert_non_null(strstr(l1, "<none>"));
	assert_non_null(strstr(l1, ":32080 503"));
	assert_string_equal(l1 + strlen(l1) - 2, "17");
	/* A node with an endpoint but no agent: shown, health derived. */
	assert_non_null(strstr(l2, "no agent"));
	assert_non_null(strstr(l2, "10.244.2.2 (terminating, serving)"));
	assert_non_null(strstr(l2, ":32080 503 (expected)"));
	/* Columns line up. */
	assert_int_equal(strstr(l0, "healthy") - l0, strstr(l1, "healthy") - l1);
	free(l0);
	free(l1);
	free(l2);
	free(text);
}

static void test_cluster_policy_has_no_health_check(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;

	f->svc.external_policy = MODEL_POLICY_CLUSTER;
	f->svc.health_check_node_port = 0;
	put_metrics(f, "node0", "clientip_proxy_healthy 1\n");
	describe_svc_proxy_lines(&f->cli, &f->svc, &f->eps, f->nodes, 2, &b);
	assert_null(strstr(buf_str(&b), ":32080"));
	assert_non_null(strstr(buf_str(&b), "  node0\t10.240.0.4\thealthy\t10.244.0.2 (ready)\t-\t"));
	buf_free(&b);
}

/* The agent's state from the Node and the proxy's own gauge. */
static void test_agent_states(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;

	f->nodes[1].posted_ready = false;   /* Unknown: the controller saw it go silent */
	put_metrics(f, "node0", "clientip_proxy_healthy 0\n");
	describe_svc_proxy_lines(&f->cli, &f->svc, &f->eps, f->nodes, 2, &b);
	assert_non_null(strstr(buf_str(&b), "  node0\t10.240.0.4\tunhealthy\t10.244.0.2 (ready)\t"
					   ":32080 503 (expected)\t"));
	assert_non_null(strstr(buf_str(&b), "  node1\t10.240.0.5\tagent down\t<none>\t"));
	assert_non_null(strstr(buf_str(&b), "  node2\t-\tno agent\t"));
	buf_reset(&b);
	/* No metrics yet from a Ready node: its proxy has not synced. */
	describe_svc_proxy_lines(&f->cli, &f->svc, &f->eps, f->nodes + 1, 0, &b);
	assert_non_null(strstr(buf_str(&b), "  node0\t-\tno agent\t10.244.0.2 (ready)\t"
					   ":32080 503 (expected)\t"));
	buf_reset(&b);
	f->nodes[1].posted_ready = true;
	describe_svc_proxy_lines(&f->cli, &f->svc, &f->eps, f->nodes, 2, &b);
	assert_non_null(strstr(buf_str(&b), "  node1\t10.240.0.5\tstarting\t"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_per_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_policy_has_no_health_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agent_states, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
