/* Unit tests for apiserver/api_select*.c: label selector grammar and the
 * API server's error texts, matching, field selectors per kind, and
 * LabelSelector objects as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_select.h"
#include "tjson.h"

#define QNAME_RE "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define NAME_PART_MSG \
	"name part must consist of alphanumeric characters, '-', '_' or '.', and must start " \
	"and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or " \
	"'123-abc', regex used for validation is '" QNAME_RE "')"
#define VALUE_MSG \
	"a valid label must be an empty string or consist of alphanumeric characters, '-', " \
	"'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  " \
	"or 'my_value',  or '12345', regex used for validation is '(" QNAME_RE ")?')"

/* Does label selector sel select an object with these labels (JSON)? */
static bool lmatch(const char *sel, const char *labels)
{
	char err[1024], buf[512];
	struct api_selector *s = api_select_labels(sel, err, sizeof(err));
	json_t *o;
	bool m;

	if (!s)
		fail_msg("'%s' did not parse: %s", sel, err);
	snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"x\"%s%s}}",
		 labels ? ",\"labels\":" : "", labels ? labels : "");
	o = tjson_load(buf);
	m = api_select_match(s, o);
	json_decref(o);
	api_select_free(s);
	return m;
}

/* The error for a label selector that must not parse. */
static void lerr(const char *sel, const char *want)
{
	char err[4096] = "";
	struct api_selector *s = api_select_labels(sel, err, sizeof(err));

	if (s)
		fail_msg("'%s' parsed", sel);
	assert_string_equal(err, want);
}

static void test_label_everything(void **state)
{
	char err[128];
	struct api_selector *s;
	json_t *o = tjson_load("{\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"y\"}}}");

	(void)state;
	s = api_select_labels(NULL, err, sizeof(err));
	assert_non_null(s);
	assert_true(api_select_match(s, o));
	api_select_free(s);
	s = api_select_labels(" \t", err, sizeof(err));
	assert_non_null(s);
	assert_true(api_select_match(s, o));
	api_select_free(s);
	assert_true(api_select_match(NULL, o));
	assert_true(lmatch("", NULL));
	json_decref(o);
}

static void test_label_equality(void **state)
{
	(void)state;
	assert_true(lmatch("app=web", "{\"app\":\"web\"}"));
	assert_true(lmatch("app==web", "{\"app\":\"web\",\"tier\":\"fe\"}"));
	assert_false(lmatch("app=web", "{\"app\":\"db\"}"));
	assert_false(lmatch("app=web", NULL));
	assert_true(lmatch("app!=web", "{\"app\":\"db\"}"));
	assert_true(lmatch("app!=web", NULL)); /* absent is "not equal" */
	assert_false(lmatch("app!=web", "{\"app\":\"web\"}"));
	assert_true(lmatch("app=", "{\"app\":\"\"}"));
	assert_false(lmatch("app=", NULL));
	assert_true(lmatch(" app = web ", "{\"app\":\"web\"}"));
	assert_true(lmatch("app.kubernetes.io/name=web", "{\"app.kubernetes.io/name\":\"web\"}"));
}

static void test_label_sets(void **state)
{
	(void)state;
	assert_true(lmatch("env in (prod, staging)", "{\"env\":\"staging\"}"));
	assert_false(lmatch("env in (prod,staging)", "{\"env\":\"dev\"}"));
	assert_false(lmatch("env in (prod)", NULL));
	assert_true(lmatch("env notin (prod)", "{\"env\":\"dev\"}"));
	assert_true(lmatch("env notin (prod)", NULL));
	assert_false(lmatch("env notin (prod,dev)", "{\"env\":\"dev\"}"));
	/* Empty values: "(foo,,baz)" holds "", and "()" is just "". */
	assert_true(lmatch("x in (foo,,baz),y,z notin ()", "{\"x\":\"\",\"y\":\"1\",\"z\":\"a\"}"));
	assert_false(lmatch("x in (foo,,baz)", "{\"x\":\"bar\"}"));
	assert_true(lmatch("x in (a,)", "{\"x\":\"\"}"));
	/* "in" and "notin" are also names and values. */
	assert_true(lmatch("in=notin", "{\"in\":\"notin\"}"));
	assert_true(lmatch("k in (in,notin)", "{\"k\":\"in\"}"));
}

static void test_label_exists_and_and(void **state)
{
	(void)state;
	assert_true(lmatch("tier", "{\"tier\":\"\"}"));
	assert_false(lmatch("tier", "{\"app\":\"x\"}"));
	assert_true(lmatch("!tier", "{\"app\":\"x\"}"));
	assert_false(lmatch("!tier", "{\"tier\":\"fe\"}"));
	assert_true(lmatch("app=web,!canary,tier", "{\"app\":\"web\",\"tier\":\"fe\"}"));
	assert_false(lmatch("app=web,!canary", "{\"app\":\"web\",\"canary\":\"1\"}"));
	assert_false(lmatch("app=web,tier=be", "{\"app\":\"web\",\"tier\":\"fe\"}"));
}

static void test_label_gt_lt(void **state)
{
	(void)state;
	assert_true(lmatch("gen>2", "{\"gen\":\"3\"}"));
	assert_false(lmatch("gen>2", "{\"gen\":\"2\"}"));
	assert_false(lmatch("gen>2", "{\"gen\":\"abc\"}"));
	assert_false(lmatch("gen>2", NULL));
	assert_true(lmatch("gen<3", "{\"gen\":\"1\"}"));
	assert_false(lmatch("gen<3", "{\"gen\":\"3\"}"));
	/* A negative bound is a number but not a label value. */
	lerr("gen<-1", "unable to parse requirement: values[0][gen]: Invalid value: \"-1\": "
	     VALUE_MSG);
}

static void test_label_syntax_errors(void **state)
{
	(void)state;
	lerr("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, "
	     "gt, lt");
	lerr("a,", "found '', expected: identifier after ','");
	lerr("a=b c", "found 'c', expected: ',' or 'end of string'");
	lerr(",a", "found ',', expected: !, identifier, or 'end of string'");
	lerr("a in b", "unable to parse requirement: found 'b' expected: '('");
	lerr("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'");
	lerr("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or "
	     "identifier");
	lerr("a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier");
	lerr("a=(", "unable to parse requirement: found '(', expected: identifier");
	lerr("!", "unable to parse requirement: found '', expected: identifier");
	lerr("!a=b", "found '=', expected: ',' or 'end of string'");
	lerr("a==b==c", "found '==', expected: ',' or 'end of string'");
}

static void test_label_key_errors(void **state)
{
	(void)state;
	/* What the API server answers to kubectl get pods -l app:monolith. */
	lerr("app:monolith", "unable to parse requirement: <nil>: Invalid value: \"app:monolith\": "
	     NAME_PART_MSG);
	lerr("app.kubernetes_io/name=x",
	     "unable to parse requirement: <nil>: Invalid value: \"app.kubernetes_io/name\": "
	     "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
	     "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
	     "'example.com', regex used for validation is "
	     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
	lerr("a/b/c ?=? def",
	     "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name "
	     "must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
	     "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
	     "used for validation is '" QNAME_RE "') with an optional DNS subdomain prefix and "
	     "'/' (e.g. 'example.com/MyName')");
	lerr("/a", "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must "
	     "be non-empty");
	lerr("a/=x", "unable to parse requirement: <nil>: Invalid value: \"a/\": name part must "
	     "be non-empty; " NAME_PART_MSG);
	lerr("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	     "unable to parse requirement: <nil>: Invalid value: "
	     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": name part "
	     "must be no more than 63 characters");
	lerr("a\"b", "unable to parse requirement: <nil>: Invalid value: \"a\\\"b\": "
	     NAME_PART_MSG);
}

static void test_label_value_errors(void **state)
{
	(void)state;
	lerr("a=-b", "unable to parse requirement: values[0][a]: Invalid value: \"-b\": "
	     VALUE_MSG);
	lerr("a=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
	     "unable to parse requirement: values[0][a]: Invalid value: "
	     "\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\": must be no "
	     "more than 63 characters");
	lerr("a>b", "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', "
	     "'Lt' operators, the value must be an integer");
	/* Several bad values aggregate; the set is sorted, so -x comes first. */
	lerr("a in (-y,-x)", "unable to parse requirement: [values[0][a]: Invalid value: \"-x\": "
	     VALUE_MSG ", values[1][a]: Invalid value: \"-y\": " VALUE_MSG "]");
}

/* Does field selector sel on kind select o (JSON)? */
static bool fmatch(const char *kind, const char *sel, const char *json)
{
	char err[512];
	struct api_selector *s = api_select_fields(sel, kind, err, sizeof(err));
	json_t *o = tjson_load(json);
	bool m;

	if (!s)
		fail_msg("'%s' did not parse for %s: %s", sel, kind, err);
	m = api_select_match(s, o);
	json_decref(o);
	api_select_free(s);
	return m;
}

static void ferr(const char *kind, const char *sel, const char *want)
{
	char err[512] = "";
	struct api_selector *s = api_select_fields(sel, kind, err, sizeof(err));

	if (s)
		fail_msg("'%s' parsed for %s", sel, kind ? kind : "(null)");
	assert_string_equal(err, want);
}

static const char pod[] =
	"{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\"},"
	"\"spec\":{\"nodeName\":\"node-1\",\"restartPolicy\":\"Always\","
	"\"schedulerName\":\"default-scheduler\",\"serviceAccountName\":\"default\"},"
	"\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.1.5\","
	"\"podIPs\":[{\"ip\":\"10.244.1.5\"}]}}";

static void test_field_pod(void **state)
{
	(void)state;
	assert_true(fmatch("Pod", "status.phase=Running,spec.nodeName=node-1", pod));
	assert_false(fmatch("Pod", "status.phase!=Running", pod));
	assert_true(fmatch("Pod", "status.phase!=Pending", pod));
	assert_true(fmatch("Pod", "metadata.name==web-1,metadata.namespace=default", pod));
	assert_true(fmatch("Pod", "spec.restartPolicy=Always,spec.schedulerName=default-scheduler,"
			   "spec.serviceAccountName=default", pod));
	assert_true(fmatch("Pod", "status.podIP=10.244.1.5", pod));
	assert_true(fmatch("Pod", "status.nominatedNodeName=", pod));
	/* Upstream formats the bool; an absent hostNetwork is "false". */
	assert_true(fmatch("Pod", "spec.hostNetwork=false", pod));
	assert_false(fmatch("Pod", "spec.hostNetwork=true", pod));
	assert_true(fmatch("Pod", "spec.hostNetwork=true",
			   "{\"spec\":{\"hostNetwork\":true}}"));
	/* Old clients' spec.host means spec.nodeName. */
	assert_true(fmatch("Pod", "spec.host=node-1", pod));
	assert_false(fmatch("Pod", "spec.host=node-2", pod));
	/* podIP alone (no podIPs) still counts. */
	assert_true(fmatch("Pod", "status.podIP=10.0.0.9",
			   "{\"status\":{\"podIP\":\"10.0.0.9\"}}"));
	assert_true(fmatch("Pod", "", pod));
	assert_true(fmatch("Pod", NULL, pod));
}

static void test_field_other_kinds(void **state)
{
	static const char ev[] =
		"{\"metadata\":{\"name\":\"web-1.17\",\"namespace\":\"default\"},"
		"\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"web-1\",\"namespace\":\"default\","
		"\"uid\":\"u-1\",\"fieldPath\":\"spec.containers{web}\"},\"reason\":\"Pulled\","
		"\"type\":\"Normal\",\"source\":{\"component\":\"kubelet\"}}";
	static const char ev2[] =
		"{\"metadata\":{\"name\":\"e\"},\"reportingComponent\":\"my-controller\"}";

	(void)state;
	assert_true(fmatch("Event", "involvedObject.kind=Pod,involvedObject.name=web-1,"
			   "involvedObject.uid=u-1,reason=Pulled,type=Normal", ev));
	assert_true(fmatch("Event", "involvedObject.fieldPath=spec.containers{web}", ev));
	assert_true(fmatch("Event", "source=kubelet", ev));
	assert_false(fmatch("Event", "type=Warning", ev));
	/* source falls back to the reporting controller, as upstream. */
	assert_true(fmatch("Event", "source=my-controller,reportingComponent=my-controller", ev2));
	assert_true(fmatch("Node", "spec.unschedulable=true",
			   "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"unschedulable\":true}}"));
	assert_true(fmatch("Node", "spec.unschedulable=false", "{\"metadata\":{\"name\":\"n\"}}"));
	assert_true(fmatch("Namespace", "status.phase=Active",
			   "{\"metadata\":{\"name\":\"dev\"},\"status\":{\"phase\":\"Active\"}}"));
	assert_true(fmatch("Secret", "type=kubernetes.io/tls", "{\"type\":\"kubernetes.io/tls\"}"));
	assert_true(fmatch("Service", "spec.type=NodePort,spec.clusterIP=10.96.0.7",
			   "{\"spec\":{\"type\":\"NodePort\",\"clusterIP\":\"10.96.0.7\"}}"));
	assert_true(fmatch("ConfigMap", "metadata.name=cfg", "{\"metadata\":{\"name\":\"cfg\"}}"));
	assert_false(fmatch("ConfigMap", "metadata.name!=cfg",
			    "{\"metadata\":{\"name\":\"cfg\"}}"));
	assert_true(fmatch(NULL, "metadata.namespace=kube-system",
			   "{\"metadata\":{\"namespace\":\"kube-system\"}}"));
}

static void test_field_escapes(void **state)
{
	(void)state;
	assert_true(fmatch("Pod", "metadata.name=a\\,b", "{\"metadata\":{\"name\":\"a,b\"}}"));
	assert_true(fmatch("Pod", "metadata.name=a\\=b\\\\",
			   "{\"metadata\":{\"name\":\"a=b\\\\\"}}"));
	ferr("Pod", "metadata.name=a\\x", "invalid field selector: invalid escape sequence: \\x");
	ferr("Pod", "metadata.name=a\\", "invalid field selector: invalid escape sequence: \\");
	ferr("Pod", "metadata.name=a=b",
	     "invalid field selector: unescaped character in value: 61");
}

static void test_field_errors(void **state)
{
	(void)state;
	ferr("Pod", "spec.foo=bar", "field label not supported: spec.foo");
	ferr("Pod", "status.phase", "invalid selector: 'status.phase'; can't understand "
	     "'status.phase'");
	/* Terms are sorted before they are checked. */
	ferr("Pod", "z=1,spec.foo=2", "field label not supported: spec.foo");
	ferr("Node", "metadata.namespace=x", "field label not supported: metadata.namespace");
	ferr("Namespace", "metadata.namespace=x", "field label not supported: metadata.namespace");
	ferr("Event", "message=x", "field label not supported: message");
	ferr("ConfigMap", "data.x=1",
	     "\"data.x\" is not a known field selector: only \"metadata.name\", "
	     "\"metadata.namespace\"");
	/* The real server refuses this one, whatever the documentation says. */
	ferr("ReplicaSet", "status.replicas=1",
	     "\"status.replicas\" is not a known field selector: only \"metadata.name\", "
	     "\"metadata.namespace\"");
	ferr("Deployment", "spec.replicas=1",
	     "\"spec.replicas\" is not a known field selector: only \"metadata.name\", "
	     "\"metadata.namespace\"");
}

static void from_object(const char *json, const char *want)
{
	char err[512] = "";
	json_t *o = json ? tjson_load(json) : NULL;
	char *s = api_select_from_object(o, err, sizeof(err));

	if (!s)
		fail_msg("%s: %s", json, err);
	assert_string_equal(s, want);
	free(s);
	json_decref(o);
}

static void from_object_err(const char *json, const char *want)
{
	char err[1024] = "";
	json_t *o = tjson_load(json);
	char *s = api_select_from_object(o, err, sizeof(err));

	assert_null(s);
	assert_string_equal(err, want);
	json_decref(o);
}

static void test_from_object(void **state)
{
	char err[128];
	json_t *o;
	char *text;
	struct api_selector *s;
	json_t *p;

	(void)state;
	from_object(NULL, "");
	from_object("{}", "");
	from_object("{\"matchLabels\":{\"b\":\"2\",\"a\":\"1\"}}", "a=1,b=2");
	from_object("{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":["
		    "{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"b\",\"a\"]},"
		    "{\"key\":\"env\",\"operator\":\"NotIn\",\"values\":[\"prod\"]},"
		    "{\"key\":\"x\",\"operator\":\"Exists\"},"
		    "{\"key\":\"canary\",\"operator\":\"DoesNotExist\"}]}",
		    "app=web,!canary,env notin (prod),tier in (a,b),x");

	/* The text parses back to a selector that means the same. */
	o = tjson_load("{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":["
		       "{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"fe\",\"be\"]}]}");
	text = api_select_from_object(o, err, sizeof(err));
	assert_non_null(text);
	s = api_select_labels(text, err, sizeof(err));
	assert_non_null(s);
	p = tjson_load("{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"be\"}}}");
	assert_true(api_select_match(s, p));
	json_decref(p);
	p = tjson_load("{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"db\"}}}");
	assert_false(api_select_match(s, p));
	json_decref(p);
	api_select_free(s);
	free(text);
	json_decref(o);

	from_object_err("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Foo\"}]}",
			"\"Foo\" is not a valid label selector operator");
	from_object_err("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\"}]}",
			"values: Invalid value: null: for 'in', 'notin' operators, values set "
			"can't be empty");
	from_object_err("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\","
			"\"values\":[\"x\"]}]}",
			"values: Invalid value: [\"x\"]: values set must be empty for exists and "
			"does not exist");
	from_object_err("{\"matchLabels\":{\"a b\":\"x\"}}",
			"key: Invalid value: \"a b\": " NAME_PART_MSG);
	/* Callers that only want the text may pass no error buffer. */
	o = tjson_load("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Foo\"}]}");
	assert_null(api_select_from_object(o, NULL, 0));
	json_decref(o);
	assert_null(api_select_labels("a b", NULL, 0));
	assert_null(api_select_labels("a=-b", NULL, 0));
	assert_null(api_select_fields("spec.x=1", "Pod", NULL, 0));
	from_object_err("{\"matchLabels\":{\"a\":\"x y\"}}",
			"values[0][a]: Invalid value: \"x y\": " VALUE_MSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_everything),
		cmocka_unit_test(test_label_equality),
		cmocka_unit_test(test_label_sets),
		cmocka_unit_test(test_label_exists_and_and),
		cmocka_unit_test(test_label_gt_lt),
		cmocka_unit_test(test_label_syntax_errors),
		cmocka_unit_test(test_label_key_errors),
		cmocka_unit_test(test_label_value_errors),
		cmocka_unit_test(test_field_pod),
		cmocka_unit_test(test_field_other_kinds),
		cmocka_unit_test(test_field_escapes),
		cmocka_unit_test(test_field_errors),
		cmocka_unit_test(test_from_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
