/* Unit tests for lib/apiobj.c: API objects as the lab's model reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
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

/* A fake API server for apiobj_event_record: remembers each request and
 * answers with the next code of its list. */
struct fake_api {
	char method[8][8], path[8][256];
	json_t *body[8];
	int codes[8], n;
};

static int fake_send(void *ctx, const char *method, const char *path, const char *content_type,
		     json_t *body)
{
	struct fake_api *f = ctx;

	(void)content_type;
	assert_true(f->n < 8);
	snprintf(f->method[f->n], sizeof(f->method[0]), "%s", method);
	snprintf(f->path[f->n], sizeof(f->path[0]), "%s", path);
	f->body[f->n] = json_deep_copy(body);
	return f->codes[f->n++];
}

/* A Pod's status as its kubelet reports it, read back into the model; the
 * address the scheduler put on the Binding until the kubelet reports one. */
static void test_pod_status(void **state)
{
	json_t *pod = parse("{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\","
		"\"uid\":\"u-1\"},\"status\":{\"phase\":\"Running\",\"startTime\":"
		"\"2026-12-05T10:00:00Z\",\"conditions\":[{\"type\":\"PodScheduled\","
		"\"status\":\"True\"},{\"type\":\"Ready\",\"status\":\"True\"}],"
		"\"containerStatuses\":[{\"name\":\"c\",\"restartCount\":3,"
		"\"containerID\":\"pid://4242\",\"state\":{\"running\":{}}}]}}");
	json_t *waiting = parse("{\"metadata\":{\"name\":\"web-2\",\"namespace\":\"default\","
		"\"deletionTimestamp\":\"2026-12-05T10:01:00Z\"},\"status\":{\"phase\":\"Pending\","
		"\"containerStatuses\":[{\"name\":\"c\",\"restartCount\":0,\"state\":{\"waiting\":"
		"{\"reason\":\"ImagePullBackOff\",\"message\":\"no such image\"}}}]}}");
	json_t *fresh = parse("{\"metadata\":{\"name\":\"web-3\",\"namespace\":\"default\"},"
		"\"status\":{\"phase\":\"Pending\"}}");
	struct model_pod_status st;

	(void)state;
	assert_true(apiobj_pod_status(pod, &st));
	assert_string_equal(st.name, "web-1");
	assert_string_equal(st.uid, "u-1");
	assert_int_equal(st.phase, MODEL_POD_RUNNING);
	assert_true(st.ready);
	assert_false(st.terminating);
	assert_int_equal(st.restarts, 3);
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.started, "2026-12-05T10:00:00Z");
	assert_true(apiobj_pod_status(waiting, &st));
	assert_int_equal(st.phase, MODEL_POD_PENDING);
	assert_false(st.ready);
	assert_true(st.terminating);
	assert_false(st.terminated);
	assert_int_equal(st.pid, 0);
	assert_string_equal(st.reason, "ImagePullBackOff");
	assert_string_equal(st.message, "no such image");
	/* Nothing reported yet by a kubelet. */
	assert_false(apiobj_pod_status(fresh, &st));
	assert_string_equal(st.name, "web-3");
	json_decref(pod);
	json_decref(waiting);
	json_decref(fresh);
}

static void test_event_repeats(void **state)
{
	static struct apiobj_events log;
	struct fake_api f = { .codes = { 201, 200, 201, 404, 201 } };
	json_t *ev = apiobj_event_new("web", "v1", "Pod", "web", "app-1", "uid-1", "Warning",
				      "BackOff", "Back-off restarting failed container app in pod app-1",
				      "kubelet");
	json_t *other = apiobj_event_new("web", "v1", "Pod", "web", "app-1", "uid-1", "Normal",
					 "Started", "Started container app", "kubelet");
	char first[128];

	(void)state;
	memset(&log, 0, sizeof(log));
	/* The first is created; its repeat counts on it. */
	assert_int_equal(apiobj_event_record(&log, ev, fake_send, &f), 201);
	assert_string_equal(f.method[0], "POST");
	assert_string_equal(f.path[0], "/api/v1/namespaces/web/events");
	snprintf(first, sizeof(first), "/api/v1/namespaces/web/events/%s",
		 json_string_value(json_object_get(json_object_get(ev, "metadata"), "name")));
	assert_int_equal(apiobj_event_record(&log, ev, fake_send, &f), 200);
	assert_string_equal(f.method[1], "PATCH");
	assert_string_equal(f.path[1], first);
	assert_int_equal(json_integer_value(json_object_get(f.body[1], "count")), 2);
	assert_non_null(json_string_value(json_object_get(f.body[1], "lastTimestamp")));
	/* Another reason is another Event. */
	assert_int_equal(apiobj_event_record(&log, other, fake_send, &f), 201);
	assert_string_equal(f.method[2], "POST");
	/* The first one gone from the server meanwhile: recorded anew. */
	assert_int_equal(apiobj_event_record(&log, ev, fake_send, &f), 201);
	assert_string_equal(f.method[3], "PATCH");
	assert_int_equal(json_integer_value(json_object_get(f.body[3], "count")), 3);
	assert_string_equal(f.method[4], "POST");
	for (int i = 0; i < f.n; i++)
		json_decref(f.body[i]);
	json_decref(ev);
	json_decref(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_with_lease),
		cmocka_unit_test(test_node_not_ready),
		cmocka_unit_test(test_event_repeats),
		cmocka_unit_test(test_pod_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
