/* Unit tests for lib/apiobj.c: API objects as the lab's model reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "apiobj.h"
#include "model.h"

static json_t *parse(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);

	assert_non_null(v);
	return v;
}

static void test_node_with_lease(void **state)
{
	json_t *node = parse("{\"metadata\":{\"name\":\"node1\"},\"spec\":{\"unschedulable\":true},"
			     "\"status\":{"
			     "\"addresses\":[{\"type\":\"Hostname\",\"address\":\"node1\"},"
			     "{\"type\":\"InternalIP\",\"address\":\"10.240.0.5\"}],"
			     "\"conditions\":[{\"type\":\"MemoryPressure\",\"status\":\"False\"},"
			     "{\"type\":\"Ready\",\"status\":\"True\","
			     "\"lastHeartbeatTime\":\"2026-12-05T08:00:00Z\"}]}}");
	json_t *lease = parse("{\"spec\":{\"renewTime\":\"2026-12-05T08:04:10.123456Z\"}}");
	struct model_node_status st;
	char ip[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(apiobj_node_status(node, lease, &st), 0);
	assert_string_equal(st.name, "node1");
	assert_string_equal(inet_ntop(AF_INET, &st.addr, ip, sizeof(ip)), "10.240.0.5");
	assert_true(st.posted_ready);
	assert_true(st.unschedulable);
	/* The Lease is the later sign of life. */
	assert_string_equal(st.heartbeat, "2026-12-05T08:04:10.123456Z");
	assert_true(model_node_ready(&st, model_time_parse("2026-12-05T08:04:49Z"), 40));
	assert_false(model_node_ready(&st, model_time_parse("2026-12-05T08:04:51Z"), 40));
	/* Without its Lease, the condition's heartbeat is all there is. */
	assert_int_equal(apiobj_node_status(node, NULL, &st), 0);
	assert_string_equal(st.heartbeat, "2026-12-05T08:00:00Z");
	json_decref(node);
	json_decref(lease);
}

static void test_node_not_ready(void **state)
{
	json_t *unknown = parse("{\"metadata\":{\"name\":\"node0\"},\"status\":{\"conditions\":"
				"[{\"type\":\"Ready\",\"status\":\"Unknown\","
				"\"lastHeartbeatTime\":\"2026-12-05T08:00:00Z\"}]}}");
	json_t *bare = parse("{\"metadata\":{\"name\":\"node2\"}}");
	json_t *lease = parse("{\"spec\":{\"renewTime\":\"2026-12-05T08:00:30.000001Z\"}}");
	json_t *nameless = parse("{\"metadata\":{},\"status\":{}}");
	struct model_node_status st;

	(void)state;
	/* A fresh Lease, but the Ready condition is Unknown: not Ready. */
	assert_int_equal(apiobj_node_status(unknown, lease, &st), 0);
	assert_false(st.posted_ready);
	assert_true(model_node_fresh(&st, model_time_parse("2026-12-05T08:00:31Z"), 40));
	assert_false(model_node_ready(&st, model_time_parse("2026-12-05T08:00:31Z"), 40));
	/* Registered, nothing posted yet: no address, no heartbeat. */
	assert_int_equal(apiobj_node_status(bare, NULL, &st), 0);
	assert_string_equal(st.name, "node2");
	assert_int_equal(st.addr.s_addr, 0);
	assert_false(st.unschedulable);
	assert_string_equal(st.heartbeat, "");
	assert_false(model_node_fresh(&st, model_time_parse("2026-12-05T08:00:31Z"), 40));
	assert_int_equal(apiobj_node_status(nameless, NULL, &st), -1);
	assert_null(apiobj_condition(bare, "Ready"));
	json_decref(unknown);
	json_decref(bare);
	json_decref(lease);
	json_decref(nameless);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_with_lease),
		cmocka_unit_test(test_node_not_ready),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
