/* Unit tests for what the object verbs share: kubectl's ages and durations
 * (cli/duration.c), tabwriter layout (cli/tabwriter.c), YAML output
 * (cli/yaml_out.c), selectors (cli/labels.c) and resource names
 * (cli/objects.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "labels.h"
#include "objects.h"
#include "tabwriter.h"
#include "yaml_out.h"

static void test_age(void **state)
{
	static const struct { int64_t s; const char *want; } cases[] = {
		{ -5, "<invalid>" }, { -1, "0s" }, { 0, "0s" }, { 5, "5s" }, { 119, "119s" },
		{ 120, "2m" }, { 182, "3m2s" }, { 599, "9m59s" }, { 600, "10m" },
		{ 3 * 3600 - 1, "179m" }, { 3 * 3600, "3h" }, { 5 * 3600 + 120, "5h2m" },
		{ 8 * 3600, "8h" }, { 47 * 3600, "47h" }, { 48 * 3600, "2d" },
		{ 2 * 86400 + 3 * 3600, "2d3h" }, { 8 * 86400, "8d" }, { 400 * 86400, "400d" },
		{ 730 * 86400, "2y" }, { 731 * 86400, "2y1d" }, { 3000 * 86400, "8y" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		duration_human(cases[i].s, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
	duration_age_since("", buf, sizeof(buf));
	assert_string_equal(buf, "<unknown>");
}

/* Runs tabwriter_write into a string. */
static char *tabwrite(const char *text, int minwidth, int padding)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	tabwriter_write(f, text, minwidth, padding);
	fclose(f);
	return out;
}

static void test_tabwriter_table(void **state)
{
	char *s;

	(void)state;
	/* kubectl get svc with the default kubernetes Service. */
	s = tabwrite("NAME\tTYPE\tCLUSTER-IP\tEXTERNAL-IP\tPORT(S)\tAGE\n"
		     "kubernetes\tClusterIP\t10.0.0.1\t<none>\t443/TCP\t5d\n", 6, 3);
	assert_string_equal(s,
		"NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
		"kubernetes   ClusterIP   10.0.0.1     <none>        443/TCP   5d\n");
	free(s);
	/* Short columns still get the minimum width. */
	s = tabwrite("A\tB\n1\t2\n", 6, 3);
	assert_string_equal(s, "A     B\n1     2\n");
	free(s);
}

static void test_tabwriter_blocks(void **state)
{
	char *s;

	(void)state;
	/* describe: a line without a tab ends the alignment block. */
	s = tabwrite("Name:\tweb\nNamespace:\tdefault\nContainers:\n  web:\n"
		     "    Image:\tx\n    Restart Count:\t0\n", 0, 2);
	assert_string_equal(s, "Name:       web\nNamespace:  default\nContainers:\n  web:\n"
			       "    Image:          x\n    Restart Count:  0\n");
	free(s);
	/* Port lines have an extra column aligned only among themselves. */
	s = tabwrite("Port:\t<unset>\t80/TCP\nTargetPort:\t8080/TCP\n", 0, 2);
	assert_string_equal(s, "Port:        <unset>  80/TCP\nTargetPort:  8080/TCP\n");
	free(s);
}

static void yaml_equal(const char *json, const char *want)
{
	struct buf b = BUF_INIT;
	char err[128];

	assert_int_equal(yaml_out_from_json(json, strlen(json), &b, err, sizeof(err)), 0);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void test_yaml(void **state)
{
	(void)state;
	yaml_equal("{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"web\", "
		   "\"uid\": \"86d624b8-131e-4c12-aa77-042aa6f5e408\", "
		   "\"creationTimestamp\": \"2024-05-01T12:00:00Z\", \"labels\": {}}, "
		   "\"spec\": {\"ports\": [{\"port\": 80, \"targetPort\": \"http\"}], "
		   "\"clusterIP\": \"10.0.0.10\", \"ipFamilies\": [\"IPv4\"], \"x\": []}}",
		   "apiVersion: v1\n"
		   "kind: Service\n"
		   "metadata:\n"
		   "  name: web\n"
		   "  uid: 86d624b8-131e-4c12-aa77-042aa6f5e408\n"
		   "  creationTimestamp: \"2024-05-01T12:00:00Z\"\n"
		   "  labels: {}\n"
		   "spec:\n"
		   "  ports:\n"
		   "  - port: 80\n"
		   "    targetPort: http\n"
		   "  clusterIP: 10.0.0.10\n"
		   "  ipFamilies:\n"
		   "  - IPv4\n"
		   "  x: []\n");
	/* Strings YAML would read as something else stay quoted. */
	yaml_equal("{\"a\": \"80\", \"b\": \"true\", \"c\": \"yes\", \"d\": \"\", \"e\": \"a: b\", "
		   "\"f\": \"1e3\", \"g\": \"--port\", \"h\": \"-1\", \"i\": \"line\\nbreak\", "
		   "\"j\": null, \"k\": false, \"l\": \"0x1F\", \"m\": \"~\"}",
		   "a: \"80\"\nb: \"true\"\nc: \"yes\"\nd: \"\"\ne: \"a: b\"\nf: \"1e3\"\n"
		   "g: --port\nh: \"-1\"\ni: \"line\\nbreak\"\nj: null\nk: false\nl: \"0x1F\"\n"
		   "m: \"~\"\n");
}

static void test_selector(void **state)
{
	struct labels_selector sel;
	struct model_map labels = { 0 };
	char err[128];

	(void)state;
	model_map_set(&labels, "app", "web");
	model_map_set(&labels, "tier", "front");
	assert_int_equal(labels_selector_parse("app=web", &sel, err, sizeof(err)), 0);
	assert_true(labels_selector_matches(&sel, &labels));
	assert_int_equal(labels_selector_parse("app==web, tier!=db,tier", &sel, err, sizeof(err)), 0);
	assert_true(labels_selector_matches(&sel, &labels));
	assert_int_equal(labels_selector_parse("app=web,!tier", &sel, err, sizeof(err)), 0);
	assert_false(labels_selector_matches(&sel, &labels));
	assert_int_equal(labels_selector_parse("app=db", &sel, err, sizeof(err)), 0);
	assert_false(labels_selector_matches(&sel, &labels));
	assert_int_equal(labels_selector_parse("", &sel, err, sizeof(err)), 0);
	assert_true(labels_selector_matches(&sel, &labels));
	assert_int_equal(labels_selector_parse("=x", &sel, err, sizeof(err)), -1);
}

static void test_duration(void **state)
{
	(void)state;
	assert_int_equal(duration_parse_ms("0"), 0);
	assert_int_equal(duration_parse_ms("60s"), 60000);
	assert_int_equal(duration_parse_ms("500ms"), 500);
	assert_int_equal(duration_parse_ms("1m30s"), 90000);
	assert_int_equal(duration_parse_ms("1h"), 3600000);
	assert_int_equal(duration_parse_ms("1.5s"), 1500);
	assert_int_equal(duration_parse_ms("60"), -1);
	assert_int_equal(duration_parse_ms("x"), -1);
}

static void test_resources(void **state)
{
	static const struct { const char *name; enum obj_res want; } cases[] = {
		{ "svc", OBJ_RES_SERVICES }, { "service", OBJ_RES_SERVICES },
		{ "services", OBJ_RES_SERVICES }, { "deploy", OBJ_RES_DEPLOYMENTS },
		{ "deployment", OBJ_RES_DEPLOYMENTS }, { "deployments.apps", OBJ_RES_DEPLOYMENTS },
		{ "po", OBJ_RES_PODS }, { "pod", OBJ_RES_PODS }, { "pods", OBJ_RES_PODS },
		{ "ep", OBJ_RES_ENDPOINTS }, { "endpoints", OBJ_RES_ENDPOINTS },
		{ "no", OBJ_RES_NODES }, { "node", OBJ_RES_NODES }, { "nodes", OBJ_RES_NODES },
	};
	enum obj_res r;
	const char *name = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(obj_res_parse(cases[i].name, &r), 0);
		assert_int_equal(r, cases[i].want);
	}
	assert_int_equal(obj_res_parse("widgets", &r), -1);
	assert_int_equal(obj_res_arg("deploy/web", &r, &name), 1);
	assert_int_equal(r, OBJ_RES_DEPLOYMENTS);
	assert_string_equal(name, "web");
	assert_int_equal(obj_res_arg("svc", &r, &name), 0);
	assert_string_equal(obj_res_plural(OBJ_RES_DEPLOYMENTS), "deployments.apps");
	assert_string_equal(obj_res_singular(OBJ_RES_SERVICES), "service");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_tabwriter_table),
		cmocka_unit_test(test_tabwriter_blocks),
		cmocka_unit_test(test_yaml),
		cmocka_unit_test(test_selector),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_resources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
