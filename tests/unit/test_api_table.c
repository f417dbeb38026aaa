/* Unit tests for apiserver/api_table*.c: the Table's shape, each kind's
 * columns and cells computed from realistic objects, -o wide columns,
 * includeObject modes and kubectl's ages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_table.h"
#include "model.h"
#include "tjson.h"

/* Every object below was created at T0 - 5 minutes unless it says. */
#define T0 "2026-12-04T12:00:00Z"
#define CREATED "\"creationTimestamp\":\"2026-12-04T11:55:00Z\""

static int64_t now(void)
{
	return model_time_parse(T0);
}

static const struct api_resource *resource(const char *kind)
{
	size_t n;
	const struct api_resource *all = api_registry_all(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].kind, kind) == 0)
			return &all[i];
	fail_msg("no resource for %s", kind);
	return NULL;
}

/* A Table of one object, metadata rows. */
static json_t *table1(const char *kind, const char *obj)
{
	json_t *objs = json_array();
	json_t *t;

	json_array_append_new(objs, tjson_load(obj));
	t = api_table_build(resource(kind), objs, NULL, NULL, now());
	assert_non_null(t);
	json_decref(objs);
	return t;
}

static const json_t *cell(const json_t *t, size_t col)
{
	const json_t *c = json_array_get(json_object_get(json_array_get(json_object_get(t, "rows"),
									 0), "cells"), col);

	if (!c)
		fail_msg("no cell %zu", col);
	return c;
}

/* Cell `col` of a one-object Table of `kind` is the string `want`. */
static void cell_is(const char *kind, const char *obj, size_t col, const char *want)
{
	json_t *t = table1(kind, obj);

	assert_string_equal(json_string_value(cell(t, col)), want);
	json_decref(t);
}

/* The string cells of row 0 joined by '|', numbers written as numbers
 * with a '#' in front, so a test sees types as well. */
static void row_is(const json_t *t, const char *want)
{
	const json_t *cells = json_object_get(json_array_get(json_object_get(t, "rows"), 0),
					      "cells");
	const json_t *c;
	char got[1024] = "";
	size_t i, len = 0;

	json_array_foreach(cells, i, c) {
		if (json_is_integer(c))
			len += (size_t)snprintf(got + len, sizeof(got) - len, "%s#%lld",
						i ? "|" : "", (long long)json_integer_value(c));
		else
			len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i ? "|" : "",
						json_string_value(c) ? json_string_value(c) : "?");
	}
	assert_string_equal(got, want);
}

/* Column names, with a '*' after those only -o wide shows. */
static void columns_are(const json_t *t, const char *want)
{
	const json_t *c;
	char got[1024] = "";
	size_t i, len = 0;

	json_array_foreach(json_object_get(t, "columnDefinitions"), i, c) {
		json_int_t prio = json_integer_value(json_object_get(c, "priority"));

		assert_true(json_is_string(json_object_get(c, "type")));
		assert_true(json_is_string(json_object_get(c, "format")));
		assert_true(json_is_string(json_object_get(c, "description")));
		assert_true(prio == 0 || prio == 1);
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s%s", i ? "|" : "",
					json_string_value(json_object_get(c, "name")),
					prio ? "*" : "");
	}
	assert_string_equal(got, want);
}

static void test_age(void **state)
{
	static const struct { int64_t s; const char *want; } cases[] = {
		{ -5, "<invalid>" }, { -1, "0s" }, { 0, "0s" }, { 45, "45s" }, { 119, "119s" },
		{ 120, "2m" }, { 182, "3m2s" }, { 599, "9m59s" }, { 600, "10m" },
		{ 3 * 3600 - 1, "179m" }, { 3 * 3600, "3h" }, { 4 * 3600 + 5 * 60, "4h5m" },
		{ 8 * 3600, "8h" }, { 47 * 3600, "47h" }, { 48 * 3600, "2d" },
		{ 2 * 86400 + 3 * 3600, "2d3h" }, { 8 * 86400, "8d" }, { 400 * 86400, "400d" },
		{ 730 * 86400, "2y" }, { 731 * 86400, "2y1d" }, { 3000 * 86400, "8y" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		api_table_age(cases[i].s, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_table_shape(void **state)
{
	json_t *objs = tjson_load("[{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":"
				  "{\"name\":\"default\",\"uid\":\"u1\",\"resourceVersion\":\"7\","
				  CREATED "},\"status\":{\"phase\":\"Active\"}},"
				  "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":"
				  "{\"name\":\"old\"},\"status\":{\"phase\":\"Terminating\"}}]");
	json_t *lm = tjson_load("{\"resourceVersion\":\"42\",\"continue\":\"abc\"}");
	json_t *t = api_table_build(resource("Namespace"), objs, lm, NULL, now());
	const json_t *rows, *o, *col;

	(void)state;
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "kind")), "Table");
	assert_string_equal(json_string_value(json_object_get(t, "apiVersion")), "meta.k8s.io/v1");
	assert_true(json_equal(json_object_get(t, "metadata"), lm));
	columns_are(t, "Name|Status|Age");
	col = json_array_get(json_object_get(t, "columnDefinitions"), 0);
	assert_string_equal(json_string_value(json_object_get(col, "format")), "name");
	assert_string_equal(json_string_value(json_object_get(col, "type")), "string");
	rows = json_object_get(t, "rows");
	assert_int_equal(json_array_size(rows), 2);
	row_is(t, "default|Active|5m");
	/* No creationTimestamp: the age is unknown. */
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(json_array_get(rows, 1), "cells"), 2)), "<unknown>");
	/* The default includeObject is the metadata alone. */
	o = json_object_get(json_array_get(rows, 0), "object");
	assert_string_equal(json_string_value(json_object_get(o, "kind")), "PartialObjectMetadata");
	assert_string_equal(json_string_value(json_object_get(o, "apiVersion")), "meta.k8s.io/v1");
	assert_true(json_equal(json_object_get(o, "metadata"),
			       json_object_get(json_array_get(objs, 0), "metadata")));
	assert_null(json_object_get(o, "status"));
	json_decref(t);

	t = api_table_build(resource("Namespace"), objs, NULL, "Object", now());
	assert_true(json_equal(json_object_get(json_array_get(json_object_get(t, "rows"), 1),
					       "object"), json_array_get(objs, 1)));
	assert_true(json_is_object(json_object_get(t, "metadata")));
	assert_int_equal(json_object_size(json_object_get(t, "metadata")), 0);
	json_decref(t);

	t = api_table_build(resource("Namespace"), objs, NULL, "None", now());
	assert_null(json_object_get(json_array_get(json_object_get(t, "rows"), 0), "object"));
	assert_non_null(json_object_get(json_array_get(json_object_get(t, "rows"), 0), "cells"));
	json_decref(t);

	t = api_table_build(resource("Namespace"), objs, NULL, "Metadata", now());
	o = json_object_get(json_array_get(json_object_get(t, "rows"), 1), "object");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "metadata"),
							      "name")), "old");
	json_decref(t);

	/* An empty list is still a Table with its columns. */
	json_array_clear(objs);
	t = api_table_build(resource("Pod"), objs, lm, NULL, now());
	assert_int_equal(json_array_size(json_object_get(t, "rows")), 0);
	assert_int_equal(json_array_size(json_object_get(t, "columnDefinitions")), 9);
	json_decref(t);
	json_decref(lm);
	json_decref(objs);
}

#define POD_META "\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\"," CREATED

static void test_pod_running(void **state)
{
	json_t *t = table1("Pod", "{" POD_META "},"
			   "\"spec\":{\"nodeName\":\"node-1\",\"containers\":[{\"name\":\"web\"},"
			   "{\"name\":\"log\"}]},"
			   "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.1.5\","
			   "\"podIPs\":[{\"ip\":\"10.244.1.5\"},{\"ip\":\"fd00::5\"}],"
			   "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}],"
			   "\"containerStatuses\":["
			   "{\"name\":\"web\",\"ready\":true,\"restartCount\":0,"
			   "\"state\":{\"running\":{\"startedAt\":\"2026-12-04T11:55:02Z\"}}},"
			   "{\"name\":\"log\",\"ready\":true,\"restartCount\":0,"
			   "\"state\":{\"running\":{}}}]}}");

	(void)state;
	columns_are(t, "Name|Ready|Status|Restarts|Age|IP*|Node*|Nominated Node*|Readiness Gates*");
	row_is(t, "web-1|2/2|Running|0|5m|10.244.1.5|node-1|<none>|<none>");
	assert_null(json_object_get(json_array_get(json_object_get(t, "rows"), 0), "conditions"));
	json_decref(t);
}

static void test_pod_pending_and_waiting(void **state)
{
	json_t *t;

	(void)state;
	/* Not scheduled yet: nothing but the phase. */
	t = table1("Pod", "{" POD_META "},\"spec\":{\"containers\":[{\"name\":\"web\"}]},"
		   "\"status\":{\"phase\":\"Pending\"}}");
	row_is(t, "web-1|0/1|Pending|0|5m|<none>|<none>|<none>|<none>");
	json_decref(t);

	/* A waiting container's reason wins over the phase; restarts show
	 * how long ago the last one ended. */
	t = table1("Pod", "{" POD_META "},\"spec\":{\"nodeName\":\"node-1\","
		   "\"containers\":[{\"name\":\"web\"}]},"
		   "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.1.6\","
		   "\"containerStatuses\":[{\"name\":\"web\",\"ready\":false,\"restartCount\":3,"
		   "\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}},"
		   "\"lastState\":{\"terminated\":{\"exitCode\":1,\"reason\":\"Error\","
		   "\"finishedAt\":\"2026-12-04T11:58:00Z\"}}}]}}");
	row_is(t, "web-1|0/1|CrashLoopBackOff|3 (2m ago)|5m|10.244.1.6|node-1|<none>|<none>");
	json_decref(t);

	/* Restarts without a last termination time are a plain number. */
	t = table1("Pod", "{" POD_META "},\"spec\":{\"containers\":[{\"name\":\"web\"}]},"
		   "\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"web\","
		   "\"ready\":true,\"restartCount\":2,\"state\":{\"running\":{}}}]}}");
	assert_string_equal(json_string_value(cell(t, 3)), "2");
	assert_string_equal(json_string_value(cell(t, 1)), "1/1");
	json_decref(t);

	/* A terminated container without a reason shows its exit code. */
	cell_is("Pod", "{" POD_META "},\"spec\":{\"containers\":[{\"name\":\"web\"}]},"
		"\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"web\","
		"\"state\":{\"terminated\":{\"exitCode\":137}}}]}}", 2, "ExitCode:137");
}

static void test_pod_init_and_sidecar(void **state)
{
	json_t *t;

	(void)state;
	cell_is("Pod", "{" POD_META "},\"spec\":{\"initContainers\":[{\"name\":\"setup\"}],"
		"\"containers\":[{\"name\":\"web\"}]},"
		"\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":["
		"{\"name\":\"setup\","
		"\"state\":{\"waiting\":{\"reason\":\"PodInitializing\"}}}],"
		"\"containerStatuses\":[{\"name\":\"web\",\"state\":{\"waiting\":"
		"{\"reason\":\"PodInitializing\"}}}]}}", 2, "Init:0/1");

	t = table1("Pod", "{" POD_META "},\"spec\":{\"initContainers\":[{\"name\":\"setup\"}],"
		   "\"containers\":[{\"name\":\"web\"}]},"
		   "\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":["
		   "{\"name\":\"setup\",\"restartCount\":1,\"state\":{\"terminated\":"
		   "{\"exitCode\":1,\"reason\":\"Error\"}}}]}}");
	assert_string_equal(json_string_value(cell(t, 2)), "Init:Error");
	assert_string_equal(json_string_value(cell(t, 3)), "1");
	json_decref(t);

	/* A sidecar (restartable init container) counts as a container. */
	t = table1("Pod", "{" POD_META "},\"spec\":{\"initContainers\":[{\"name\":\"proxy\","
		   "\"restartPolicy\":\"Always\"}],\"containers\":[{\"name\":\"web\"}]},"
		   "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Initialized\","
		   "\"status\":\"True\"}],\"initContainerStatuses\":[{\"name\":\"proxy\","
		   "\"ready\":true,\"started\":true,\"state\":{\"running\":{}}}],"
		   "\"containerStatuses\":[{\"name\":\"web\",\"ready\":true,"
		   "\"state\":{\"running\":{}}}]}}");
	assert_string_equal(json_string_value(cell(t, 1)), "2/2");
	assert_string_equal(json_string_value(cell(t, 2)), "Running");
	json_decref(t);
}

static void test_pod_terminal_and_deleting(void **state)
{
	json_t *t;
	const json_t *conds;

	(void)state;
	t = table1("Pod", "{" POD_META "},\"spec\":{\"containers\":[{\"name\":\"job\"}]},"
		   "\"status\":{\"phase\":\"Succeeded\",\"containerStatuses\":[{\"name\":\"job\","
		   "\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}]}}");
	assert_string_equal(json_string_value(cell(t, 2)), "Completed");
	assert_string_equal(json_string_value(cell(t, 1)), "0/1");
	conds = json_object_get(json_array_get(json_object_get(t, "rows"), 0), "conditions");
	assert_int_equal(json_array_size(conds), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(conds, 0), "type")),
			    "Completed");
	assert_string_equal(json_string_value(json_object_get(json_array_get(conds, 0), "reason")),
			    "Succeeded");
	json_decref(t);

	cell_is("Pod", "{\"metadata\":{\"name\":\"web-1\"," CREATED ",\"deletionTimestamp\":"
		"\"2026-12-04T11:59:50Z\"},\"spec\":{\"containers\":[{\"name\":\"web\"}]},"
		"\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"web\","
		"\"ready\":true,\"state\":{\"running\":{}}}]}}", 2, "Terminating");

	/* A finished pod being deleted keeps its final status. */
	cell_is("Pod", "{\"metadata\":{\"name\":\"web-1\",\"deletionTimestamp\":"
		"\"2026-12-04T11:59:50Z\"},\"spec\":{\"containers\":[{\"name\":\"web\"}]},"
		"\"status\":{\"phase\":\"Failed\",\"reason\":\"Evicted\"}}", 2, "Evicted");
}

static void test_pod_wide_cells(void **state)
{
	json_t *t = table1("Pod", "{" POD_META "},\"spec\":{\"containers\":[{\"name\":\"web\"}],"
			   "\"readinessGates\":[{\"conditionType\":\"lb/ready\"},"
			   "{\"conditionType\":\"other\"}]},"
			   "\"status\":{\"phase\":\"Pending\",\"nominatedNodeName\":\"node-2\","
			   "\"conditions\":[{\"type\":\"lb/ready\",\"status\":\"True\"}]}}");

	(void)state;
	assert_string_equal(json_string_value(cell(t, 7)), "node-2");
	assert_string_equal(json_string_value(cell(t, 8)), "1/2");
	json_decref(t);
}

static void test_service(void **state)
{
	json_t *t;

	(void)state;
	t = table1("Service", "{\"metadata\":{\"name\":\"web\"," CREATED "},\"spec\":{"
		   "\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.0.10\",\"clusterIPs\":"
		   "[\"10.96.0.10\"],\"selector\":{\"tier\":\"fe\",\"app\":\"web\"},"
		   "\"ports\":[{\"port\":80,\"protocol\":\"TCP\",\"targetPort\":8080}]}}");
	columns_are(t, "Name|Type|Cluster-IP|External-IP|Port(s)|Age|Selector*");
	row_is(t, "web|ClusterIP|10.96.0.10|<none>|80/TCP|5m|app=web,tier=fe");
	json_decref(t);

	t = table1("Service", "{\"metadata\":{\"name\":\"web\"," CREATED "},\"spec\":{"
		   "\"type\":\"NodePort\",\"clusterIP\":\"10.96.0.11\","
		   "\"ports\":[{\"port\":80,\"nodePort\":30000,\"protocol\":\"TCP\"},"
		   "{\"port\":443,\"nodePort\":30001,\"protocol\":\"TCP\"},"
		   "{\"port\":53,\"protocol\":\"UDP\"}]}}");
	row_is(t, "web|NodePort|10.96.0.11|<none>|80:30000/TCP,443:30001/TCP,53/UDP|5m|<none>");
	json_decref(t);

	/* A load balancer nobody has answered for yet. */
	t = table1("Service", "{\"metadata\":{\"name\":\"lb\"," CREATED "},\"spec\":{"
		   "\"type\":\"LoadBalancer\",\"clusterIPs\":[\"10.96.0.12\"],"
		   "\"ports\":[{\"port\":80,\"nodePort\":31000,\"protocol\":\"TCP\"}],"
		   "\"selector\":{\"app\":\"web\"}},\"status\":{\"loadBalancer\":{}}}");
	row_is(t, "lb|LoadBalancer|10.96.0.12|<pending>|80:31000/TCP|5m|app=web");
	json_decref(t);

	t = table1("Service", "{\"metadata\":{\"name\":\"lb\"},\"spec\":{"
		   "\"type\":\"LoadBalancer\",\"clusterIPs\":[\"10.96.0.12\"],"
		   "\"externalIPs\":[\"198.51.100.7\"]},\"status\":{\"loadBalancer\":{\"ingress\":["
		   "{\"ip\":\"203.0.113.10\"},{\"ip\":\"203.0.113.10\"},"
		   "{\"hostname\":\"lb.test\"}]}}}");
	assert_string_equal(json_string_value(cell(t, 3)), "203.0.113.10,lb.test,198.51.100.7");
	assert_string_equal(json_string_value(cell(t, 4)), "<none>");
	json_decref(t);

	t = table1("Service", "{\"metadata\":{\"name\":\"ext\"},\"spec\":{"
		   "\"type\":\"ExternalName\",\"externalName\":\"db.example.com\"}}");
	assert_string_equal(json_string_value(cell(t, 2)), "<none>");
	assert_string_equal(json_string_value(cell(t, 3)), "db.example.com");
	json_decref(t);

	t = table1("Service", "{\"metadata\":{\"name\":\"hl\"},\"spec\":{\"type\":\"ClusterIP\","
		   "\"clusterIP\":\"None\",\"externalIPs\":[\"192.0.2.1\",\"192.0.2.2\"]}}");
	assert_string_equal(json_string_value(cell(t, 2)), "None");
	assert_string_equal(json_string_value(cell(t, 3)), "192.0.2.1,192.0.2.2");
	json_decref(t);
}

#define TEMPLATE \
	"\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[" \
	"{\"name\":\"web\",\"image\":\"nginx:1.25\"},{\"name\":\"log\",\"image\":\"busybox\"}]}}"

static void test_deployment_and_replicaset(void **state)
{
	json_t *t;

	(void)state;
	t = table1("Deployment", "{\"metadata\":{\"name\":\"web\"," CREATED "},\"spec\":{"
		   "\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}," TEMPLATE "},"
		   "\"status\":{\"replicas\":3,\"readyReplicas\":2,\"updatedReplicas\":3,"
		   "\"availableReplicas\":2}}");
	columns_are(t, "Name|Ready|Up-to-date|Available|Age|Containers*|Images*|Selector*");
	row_is(t, "web|2/3|#3|#2|5m|web,log|nginx:1.25,busybox|app=web");
	json_decref(t);

	/* Before the controller has written any status. */
	t = table1("Deployment", "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":1,"
		   "\"selector\":{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":[{\"key\":"
		   "\"track\",\"operator\":\"NotIn\",\"values\":[\"canary\"]}]}}}");
	row_is(t, "web|0/1|#0|#0|<unknown>|||app=web,track notin (canary)");
	json_decref(t);

	cell_is("Deployment", "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"selector\":{"
		"\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Bad\"}]}}}", 7, "<invalid>");

	t = table1("ReplicaSet", "{\"metadata\":{\"name\":\"web-5d4f\"," CREATED "},\"spec\":{"
		   "\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\","
		   "\"pod-template-hash\":\"5d4f\"}}," TEMPLATE "},"
		   "\"status\":{\"replicas\":3,\"readyReplicas\":2}}");
	columns_are(t, "Name|Desired|Current|Ready|Age|Containers*|Images*|Selector*");
	row_is(t, "web-5d4f|#3|#3|#2|5m|web,log|nginx:1.25,busybox|app=web,pod-template-hash=5d4f");
	json_decref(t);

	cell_is("ReplicaSet", "{\"metadata\":{\"name\":\"rs\"},\"spec\":{\"selector\":{}}}",
		7, "<none>");
	cell_is("ReplicaSet", "{\"metadata\":{\"name\":\"rs\"},\"spec\":{\"selector\":{"
		"\"matchLabels\":{\"a\":\"-bad\"}}}}", 7, "<error>");
}

static void test_endpoints(void **state)
{
	json_t *t;

	(void)state;
	t = table1("Endpoints", "{\"metadata\":{\"name\":\"web\"," CREATED "},\"subsets\":[{"
		   "\"addresses\":[{\"ip\":\"10.244.0.2\"},{\"ip\":\"10.244.1.2\"}],"
		   "\"ports\":[{\"port\":8080,\"protocol\":\"TCP\"}]}]}");
	columns_are(t, "Name|Endpoints|Age");
	row_is(t, "web|10.244.0.2:8080,10.244.1.2:8080|5m");
	json_decref(t);

	t = table1("Endpoints", "{\"metadata\":{\"name\":\"web\"},\"subsets\":[{"
		   "\"addresses\":[{\"ip\":\"10.0.0.1\"},{\"ip\":\"10.0.0.2\"},"
		   "{\"ip\":\"10.0.0.3\"}],"
		   "\"ports\":[{\"port\":80},{\"port\":443}]},"
		   "{\"addresses\":[{\"ip\":\"fd00::1\"}],\"ports\":[{\"port\":80}]}]}");
	assert_string_equal(json_string_value(cell(t, 1)),
			    "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 4 more...");
	json_decref(t);

	cell_is("Endpoints", "{\"metadata\":{\"name\":\"v6\"},\"subsets\":[{"
		"\"addresses\":[{\"ip\":\"fd00::1\"}],\"ports\":[{\"port\":80}]},"
		"{\"addresses\":[{\"ip\":\"10.0.0.9\"}]}]}", 1, "[fd00::1]:80,10.0.0.9");

	cell_is("Endpoints", "{\"metadata\":{\"name\":\"none\"}}", 1, "<none>");

	t = table1("EndpointSlice", "{\"metadata\":{\"name\":\"web-abcde\"," CREATED "},"
		   "\"addressType\":\"IPv4\",\"ports\":[{\"name\":\"http\",\"port\":8080,"
		   "\"protocol\":\"TCP\"}],\"endpoints\":[{\"addresses\":[\"10.244.0.2\"]},"
		   "{\"addresses\":[\"10.244.1.2\"]}]}");
	columns_are(t, "Name|AddressType|Ports|Endpoints|Age");
	row_is(t, "web-abcde|IPv4|8080|10.244.0.2,10.244.1.2|5m");
	json_decref(t);

	t = table1("EndpointSlice", "{\"metadata\":{\"name\":\"s\"},\"addressType\":\"IPv4\","
		   "\"ports\":[{\"name\":\"a\"},{},{\"port\":1},{\"port\":2}],"
		   "\"endpoints\":[]}");
	assert_string_equal(json_string_value(cell(t, 2)), "a,*,1 + 1 more...");
	assert_string_equal(json_string_value(cell(t, 3)), "<unset>");
	json_decref(t);
}

static void test_node(void **state)
{
	json_t *t;

	(void)state;
	t = table1("Node", "{\"metadata\":{\"name\":\"node-1\"," CREATED ",\"labels\":{"
		   "\"node-role.kubernetes.io/control-plane\":\"\",\"kubernetes.io/hostname\":"
		   "\"node-1\"}},\"spec\":{},\"status\":{\"conditions\":[{\"type\":"
		   "\"MemoryPressure\",\"status\":\"False\"},"
		   "{\"type\":\"Ready\",\"status\":\"True\"}],"
		   "\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"172.18.0.2\"},"
		   "{\"type\":\"Hostname\",\"address\":\"node-1\"}],"
		   "\"nodeInfo\":{\"kubeletVersion\":"
		   "\"v1.31.0\",\"osImage\":\"Debian GNU/Linux 12 (bookworm)\",\"kernelVersion\":"
		   "\"6.1.0-18-amd64\",\"containerRuntimeVersion\":\"containerd://1.7.13\"}}}");
	columns_are(t, "Name|Status|Roles|Age|Version|Internal-IP*|External-IP*|OS-Image*|"
		    "Kernel-Version*|Container-Runtime*");
	row_is(t, "node-1|Ready|control-plane|5m|v1.31.0|172.18.0.2|<none>|"
	       "Debian GNU/Linux 12 (bookworm)|6.1.0-18-amd64|containerd://1.7.13");
	json_decref(t);

	t = table1("Node", "{\"metadata\":{\"name\":\"node-2\",\"labels\":{"
		   "\"node-role.kubernetes.io/worker\":\"\",\"kubernetes.io/role\":\"edge\","
		   "\"node-role.kubernetes.io/\":\"\"}},\"spec\":{\"unschedulable\":true},"
		   "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Unknown\"}],"
		   "\"addresses\":[{\"type\":\"ExternalIP\",\"address\":\"198.51.100.2\"}]}}");
	row_is(t, "node-2|NotReady,SchedulingDisabled|edge,worker|<unknown>||<none>|198.51.100.2|"
	       "<unknown>|<unknown>|<unknown>");
	json_decref(t);

	t = table1("Node", "{\"metadata\":{\"name\":\"node-3\"}}");
	assert_string_equal(json_string_value(cell(t, 1)), "Unknown");
	assert_string_equal(json_string_value(cell(t, 2)), "<none>");
	json_decref(t);
}

static void test_event(void **state)
{
	json_t *t;

	(void)state;
	t = table1("Event", "{\"metadata\":{\"name\":\"web-1.17f\",\"namespace\":\"default\"},"
		   "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"web-1\",\"namespace\":"
		   "\"default\",\"fieldPath\":\"spec.containers{web}\"},\"reason\":\"Pulled\","
		   "\"message\":\"  Container image \\\"nginx\\\" already present\\n\","
		   "\"source\":{\"component\":\"kubelet\",\"host\":\"node-1\"},"
		   "\"firstTimestamp\":\"2026-12-04T11:50:00Z\",\"lastTimestamp\":"
		   "\"2026-12-04T11:59:30Z\",\"count\":4,\"type\":\"Normal\"}");
	columns_are(t, "Last Seen|Type|Reason|Object|Subobject*|Source*|Message|First Seen*|"
		    "Count*|Name*");
	row_is(t, "30s|Normal|Pulled|pod/web-1|spec.containers{web}|kubelet, node-1|"
	       "Container image \"nginx\" already present|10m|#4|web-1.17f");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(t, "columnDefinitions"), 9), "format")), "name");
	json_decref(t);

	/* A new-style event: eventTime, a series, the reporting controller. */
	t = table1("Event", "{\"metadata\":{\"name\":\"e2\"},\"involvedObject\":{\"kind\":"
		   "\"Node\"},\"reason\":\"Starting\",\"type\":\"Warning\",\"eventTime\":"
		   "\"2026-12-04T11:00:00.123456Z\",\"series\":{\"count\":7,\"lastObservedTime\":"
		   "\"2026-12-04T11:58:00.000001Z\"},\"reportingComponent\":\"kube-proxy\","
		   "\"reportingInstance\":\"kube-proxy-node-1\"}");
	row_is(t, "2m|Warning|Starting|node||kube-proxy, kube-proxy-node-1||60m|#7|e2");
	json_decref(t);

	/* Singleton events without a count show 1; no last time means the first. */
	t = table1("Event", "{\"metadata\":{\"name\":\"e3\"},\"involvedObject\":{\"kind\":"
		   "\"Deployment\",\"name\":\"web\"},\"firstTimestamp\":\"2026-12-04T11:59:00Z\"}");
	row_is(t, "60s|||deployment/web||||60s|#1|e3");
	json_decref(t);
}

static void test_small_kinds(void **state)
{
	json_t *t;

	(void)state;
	t = table1("ConfigMap", "{\"metadata\":{\"name\":\"cfg\"," CREATED "},"
		   "\"data\":{\"a\":\"1\","
		   "\"b\":\"2\"},\"binaryData\":{\"c\":\"AAE=\"}}");
	columns_are(t, "Name|Data|Age");
	row_is(t, "cfg|#3|5m");
	json_decref(t);

	t = table1("ConfigMap", "{\"metadata\":{\"name\":\"empty\"}}");
	row_is(t, "empty|#0|<unknown>");
	json_decref(t);

	t = table1("Secret", "{\"metadata\":{\"name\":\"tls\"," CREATED "},\"type\":"
		   "\"kubernetes.io/tls\",\"data\":{\"tls.crt\":\"AA==\",\"tls.key\":\"AA==\"},"
		   "\"stringData\":{\"tls.key\":\"x\",\"ca.crt\":\"y\"}}");
	columns_are(t, "Name|Type|Data|Age");
	row_is(t, "tls|kubernetes.io/tls|#3|5m");
	json_decref(t);

	t = table1("ServiceAccount", "{\"metadata\":{\"name\":\"default\"," CREATED "},"
		   "\"secrets\":[{\"name\":\"default-token\"}]}");
	columns_are(t, "Name|Secrets|Age");
	row_is(t, "default|#1|5m");
	json_decref(t);

	t = table1("Namespace", "{\"metadata\":{\"name\":\"kube-system\"," CREATED "},"
		   "\"status\":{\"phase\":\"Active\"}}");
	row_is(t, "kube-system|Active|5m");
	json_decref(t);
}

static void test_ingress(void **state)
{
	json_t *t;

	(void)state;
	t = table1("Ingress", "{\"metadata\":{\"name\":\"web\"," CREATED "},\"spec\":{"
		   "\"ingressClassName\":\"azure-application-gateway\",\"rules\":[{\"host\":"
		   "\"a.example\"},{},{\"host\":\"b.example\"}]},\"status\":{\"loadBalancer\":"
		   "{\"ingress\":[{\"ip\":\"203.0.113.2\"},{\"hostname\":\"gw.example\"}]}}}");
	columns_are(t, "Name|Class|Hosts|Address|Ports|Age");
	row_is(t, "web|azure-application-gateway|a.example,b.example|203.0.113.2,gw.example|80|5m");
	json_decref(t);

	/* No class, no host, TLS, no address yet; four hosts show three. */
	t = table1("Ingress", "{\"metadata\":{\"name\":\"all\"," CREATED "},\"spec\":{"
		   "\"tls\":[{}],\"rules\":[{\"http\":{}}]}}");
	row_is(t, "all|<none>|*||80, 443|5m");
	json_decref(t);
	t = table1("Ingress", "{\"metadata\":{\"name\":\"many\"," CREATED "},\"spec\":{"
		   "\"rules\":[{\"host\":\"a\"},{\"host\":\"b\"},{\"host\":\"c\"},"
		   "{\"host\":\"d\"}]}}");
	row_is(t, "many|<none>|a,b,c + 1 more...||80|5m");
	json_decref(t);
}

/* As kube-apiserver prints leases: NAME HOLDER AGE; no holder, no text. */
static void test_lease(void **state)
{
	json_t *t;

	(void)state;
	t = table1("Lease", "{\"metadata\":{\"name\":\"node-1\",\"namespace\":"
		   "\"kube-node-lease\"," CREATED "},\"spec\":{\"holderIdentity\":\"node-1\","
		   "\"leaseDurationSeconds\":40,\"renewTime\":\"2026-12-04T11:59:59.123456Z\"}}");
	columns_are(t, "Name|Holder|Age");
	row_is(t, "node-1|node-1|5m");
	json_decref(t);
	t = table1("Lease", "{\"metadata\":{\"name\":\"free\"," CREATED "},\"spec\":{}}");
	row_is(t, "free||5m");
	json_decref(t);
}

static void test_unknown_kind(void **state)
{
	json_t *objs = tjson_load("[{\"metadata\":{\"name\":\"x\"," CREATED "}}]");
	json_t *t = api_table_build(NULL, objs, NULL, "None", now());

	(void)state;
	columns_are(t, "Name|Created At");
	row_is(t, "x|2026-12-04T11:55:00Z");
	json_decref(t);
	json_decref(objs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_pod_running),
		cmocka_unit_test(test_pod_pending_and_waiting),
		cmocka_unit_test(test_pod_init_and_sidecar),
		cmocka_unit_test(test_pod_terminal_and_deleting),
		cmocka_unit_test(test_pod_wide_cells),
		cmocka_unit_test(test_service),
		cmocka_unit_test(test_deployment_and_replicaset),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_node),
		cmocka_unit_test(test_event),
		cmocka_unit_test(test_small_kinds),
		cmocka_unit_test(test_ingress),
		cmocka_unit_test(test_lease),
		cmocka_unit_test(test_unknown_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
