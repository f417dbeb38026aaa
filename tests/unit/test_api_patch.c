/* Unit tests for apiserver/api_patch*.c. Test documents are written with
 * single quotes, turned into double quotes before parsing (\' in a C
 * string becomes \" in the JSON: a quote inside a JSON string). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api_patch.h"
#include "tjson.h"

/* Compares got (which it releases) with the JSON text want. */
static void tp_expect(const char *name, json_t *got, const char *want)
{
	json_t *w = tjson_quoted(want);

	if (!got)
		fail_msg("%s: no result", name);
	if (!json_equal(got, w)) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
		char *x = json_dumps(w, JSON_COMPACT | JSON_ENCODE_ANY);

		print_error("%s:\n  got  %s\n  want %s\n", name, g, x);
		free(g);
		free(x);
		fail_msg("%s: wrong result", name);
	}
	json_decref(w);
	json_decref(got);
}

/* A refused patch: no result, and an error that says `want`. */
static void tp_refused(const char *name, json_t *out, const char *err, const char *want)
{
	if (out)
		fail_msg("%s: applied", name);
	if (!strstr(err, want))
		fail_msg("%s: error \"%s\" lacks \"%s\"", name, err, want);
}

/* A patch never changes its inputs: target is still t0 and patch still p0
 * (p0 NULL: patch not compared). Releases all four. */
static void tp_inputs_kept(const char *name, json_t *target, json_t *t0, json_t *patch,
			   json_t *p0)
{
	if (!json_equal(target, t0) || (p0 && !json_equal(patch, p0)))
		fail_msg("%s: an input changed", name);
	json_decref(target);
	json_decref(t0);
	json_decref(patch);
	json_decref(p0);
}

/* No directive key anywhere in v. */
static void tp_no_directives(const char *name, const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, m) {
			if (strcmp(key, "$patch") == 0 || strcmp(key, "$retainKeys") == 0 ||
			    strncmp(key, "$setElementOrder", 16) == 0 ||
			    strncmp(key, "$deleteFromPrimitiveList", 24) == 0)
				fail_msg("%s: directive %s left in the result", name, key);
			tp_no_directives(name, m);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			tp_no_directives(name, m);
	}
}

/* ---- RFC 7386 ------------------------------------------------------------ */

struct tp_case {
	const char *name;
	const char *target;
	const char *patch;
	const char *want;       /* the result, or a part of the error message */
};

/* RFC 7386 appendix A, and the example of section 3. */
static const struct tp_case tp_merge_cases[] = {
	{ "A1", "{'a':'b'}", "{'a':'c'}", "{'a':'c'}" },
	{ "A2", "{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}" },
	{ "A3", "{'a':'b'}", "{'a':null}", "{}" },
	{ "A4", "{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}" },
	{ "A5", "{'a':['b']}", "{'a':'c'}", "{'a':'c'}" },
	{ "A6", "{'a':'c'}", "{'a':['b']}", "{'a':['b']}" },
	{ "A7", "{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}" },
	{ "A8", "{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}" },
	{ "A9", "['a','b']", "['c','d']", "['c','d']" },
	{ "A10", "{'a':'b'}", "['c']", "['c']" },
	{ "A11", "{'a':'foo'}", "null", "null" },
	{ "A12", "{'a':'foo'}", "'bar'", "'bar'" },
	{ "A13", "{'e':null}", "{'a':1}", "{'e':null,'a':1}" },
	{ "A14", "[1,2]", "{'a':'b','c':null}", "{'a':'b'}" },
	{ "A15", "{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}" },
	{ "section 3",
	  "{'title':'Goodbye!','author':{'givenName':'John','familyName':'Doe'},"
	  "'tags':['example','sample'],'content':'This will be unchanged'}",
	  "{'title':'Hello!','phoneNumber':'+01-123-456-7890','author':{'familyName':null},"
	  "'tags':['example']}",
	  "{'title':'Hello!','author':{'givenName':'John'},'tags':['example'],"
	  "'content':'This will be unchanged','phoneNumber':'+01-123-456-7890'}" },
	{ "deep merge keeps siblings",
	  "{'metadata':{'labels':{'a':'1','b':'2'},'name':'x'},'spec':{'replicas':1}}",
	  "{'metadata':{'labels':{'b':null,'c':'3'}},'spec':{'replicas':3}}",
	  "{'metadata':{'labels':{'a':'1','c':'3'},'name':'x'},'spec':{'replicas':3}}" },
	{ "object over a scalar", "{'a':1}", "{'a':{'b':2,'c':null}}", "{'a':{'b':2}}" },
	{ "lists are replaced, nulls in them kept", "{'a':[1,2,3]}", "{'a':[null,{'b':null}]}",
	  "{'a':[null,{'b':null}]}" },
	{ "empty patch", "{'a':1}", "{}", "{'a':1}" },
};

static void test_merge_rfc7386(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tp_merge_cases) / sizeof(tp_merge_cases[0]); i++) {
		const struct tp_case *t = &tp_merge_cases[i];
		json_t *target = tjson_quoted(t->target), *patch = tjson_quoted(t->patch);
		json_t *t0 = json_deep_copy(target), *p0 = json_deep_copy(patch);

		tp_expect(t->name, api_patch_merge(target, patch), t->want);
		tp_inputs_kept(t->name, target, t0, patch, p0);
	}
}

static void test_merge_result_is_a_copy(void **state)
{
	json_t *target = tjson_quoted("{'a':{'b':[1]}}"), *patch = tjson_quoted("{'c':{'d':1}}");
	json_t *out = api_patch_merge(target, patch);

	(void)state;
	assert_non_null(out);
	/* Editing the result touches neither input. */
	json_array_append_new(json_object_get(json_object_get(out, "a"), "b"), json_integer(2));
	json_object_set_new(json_object_get(out, "c"), "e", json_integer(3));
	tp_expect("target", json_incref(target), "{'a':{'b':[1]}}");
	tp_expect("patch", json_incref(patch), "{'c':{'d':1}}");
	assert_null(api_patch_merge(target, NULL));
	json_decref(out);
	json_decref(target);
	json_decref(patch);
}

/* ---- RFC 6902 ------------------------------------------------------------ */

/* RFC 6902 appendix A (A.13, a document with two "op" members, cannot be
 * written once parsed). want NULL: the patch must fail. */
static const struct {
	const char *name;
	const char *target;
	const char *ops;
	const char *want;
} tp_json_cases[] = {
	{ "A.1 add an object member", "{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux'}]",
	  "{'baz':'qux','foo':'bar'}" },
	{ "A.2 add an array element", "{'foo':['bar','baz']}",
	  "[{'op':'add','path':'/foo/1','value':'qux'}]", "{'foo':['bar','qux','baz']}" },
	{ "A.3 remove an object member", "{'baz':'qux','foo':'bar'}",
	  "[{'op':'remove','path':'/baz'}]", "{'foo':'bar'}" },
	{ "A.4 remove an array element", "{'foo':['bar','qux','baz']}",
	  "[{'op':'remove','path':'/foo/1'}]", "{'foo':['bar','baz']}" },
	{ "A.5 replace a value", "{'baz':'qux','foo':'bar'}",
	  "[{'op':'replace','path':'/baz','value':'boo'}]", "{'baz':'boo','foo':'bar'}" },
	{ "A.6 move a value", "{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}",
	  "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]",
	  "{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}" },
	{ "A.7 move an array element", "{'foo':['all','grass','cows','eat']}",
	  "[{'op':'move','from':'/foo/1','path':'/foo/3'}]",
	  "{'foo':['all','cows','eat','grass']}" },
	{ "A.8 test a value: success", "{'baz':'qux','foo':['a',2,'c']}",
	  "[{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}]",
	  "{'baz':'qux','foo':['a',2,'c']}" },
	{ "A.9 test a value: error", "{'baz':'qux'}", "[{'op':'test','path':'/baz','value':'bar'}]",
	  NULL },
	{ "A.10 add a nested member object", "{'foo':'bar'}",
	  "[{'op':'add','path':'/child','value':{'grandchild':{}}}]",
	  "{'foo':'bar','child':{'grandchild':{}}}" },
	{ "A.11 ignore unrecognized elements", "{'foo':'bar'}",
	  "[{'op':'add','path':'/baz','value':'qux','xyz':123}]", "{'foo':'bar','baz':'qux'}" },
	{ "A.12 add to a nonexistent target", "{'foo':'bar'}",
	  "[{'op':'add','path':'/baz/bat','value':'qux'}]", NULL },
	{ "A.14 ~ escape ordering", "{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':10}]",
	  "{'/':9,'~1':10}" },
	{ "A.15 compare strings and numbers", "{'/':9,'~1':10}",
	  "[{'op':'test','path':'/~01','value':'10'}]", NULL },
	{ "A.16 add an array value", "{'foo':['bar']}",
	  "[{'op':'add','path':'/foo/-','value':['abc','def']}]",
	  "{'foo':['bar',['abc','def']]}" },
	/* Beyond the appendix. */
	{ "add replaces an existing member", "{'a':1}", "[{'op':'add','path':'/a','value':2}]",
	  "{'a':2}" },
	{ "add at the end index", "{'a':[1]}", "[{'op':'add','path':'/a/1','value':2}]",
	  "{'a':[1,2]}" },
	{ "add the whole document", "{'a':1}", "[{'op':'add','path':'','value':[1]}]", "[1]" },
	{ "replace the whole document", "{'a':1}", "[{'op':'replace','path':'','value':{'b':2}}]",
	  "{'b':2}" },
	{ "add null", "{}", "[{'op':'add','path':'/a','value':null}]", "{'a':null}" },
	{ "~1 and ~0 in a member name", "{'a/b':{'c~d':1}}",
	  "[{'op':'replace','path':'/a~1b/c~0d','value':2}]", "{'a/b':{'c~d':2}}" },
	{ "empty member name", "{'':1}", "[{'op':'replace','path':'/','value':2}]", "{'':2}" },
	{ "copy is deep", "{'a':{'b':1}}",
	  "[{'op':'copy','from':'/a','path':'/c'},{'op':'add','path':'/c/b','value':2}]",
	  "{'a':{'b':1},'c':{'b':2}}" },
	{ "move to the same place", "{'a':1}", "[{'op':'move','from':'/a','path':'/a'}]",
	  "{'a':1}" },
	{ "move up a level", "{'a':{'b':{'c':1}}}", "[{'op':'move','from':'/a/b','path':'/b'}]",
	  "{'a':{},'b':{'c':1}}" },
	{ "test compares numbers by value", "{'a':1,'b':{'c':[1.0]}}",
	  "[{'op':'test','path':'/a','value':1.0},{'op':'test','path':'/b','value':{'c':[1]}}]",
	  "{'a':1,'b':{'c':[1.0]}}" },
	{ "test the whole document", "{'a':1}", "[{'op':'test','path':'','value':{'a':1}}]",
	  "{'a':1}" },
	{ "ops see earlier ops", "{'spec':{'ports':[]}}",
	  "[{'op':'add','path':'/spec/ports/-','value':{'port':80}},"
	  "{'op':'replace','path':'/spec/ports/0/port','value':81},"
	  "{'op':'test','path':'/spec/ports/0','value':{'port':81}}]",
	  "{'spec':{'ports':[{'port':81}]}}" },
	{ "no ops", "{'a':1}", "[]", "{'a':1}" },
};

static void test_json_rfc6902(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tp_json_cases) / sizeof(tp_json_cases[0]); i++) {
		json_t *target = tjson_quoted(tp_json_cases[i].target);
		json_t *ops = tjson_quoted(tp_json_cases[i].ops);
		json_t *t0 = json_deep_copy(target);
		char err[256] = "";
		json_t *out = api_patch_json(target, ops, err, sizeof(err));

		if (tp_json_cases[i].want) {
			if (!out)
				fail_msg("%s: %s", tp_json_cases[i].name, err);
			tp_expect(tp_json_cases[i].name, out, tp_json_cases[i].want);
		} else {
			if (out)
				fail_msg("%s: applied", tp_json_cases[i].name);
			assert_true(strncmp(err, "json patch: op ", 15) == 0);
		}
		tp_inputs_kept(tp_json_cases[i].name, target, t0, ops, NULL);
	}
}

static const struct tp_case tp_json_errors[] = {
	{ "not an array", "{}", "{'op':'add'}", "json patch: the patch must be a JSON array" },
	{ "op not an object", "{}", "[1]", "json patch: op 0: not an object" },
	{ "missing op", "{}", "[{'path':'/a'}]", "json patch: op 0: missing \"op\"" },
	{ "op not a string", "{}", "[{'op':1,'path':'/a'}]", "\"op\" is not a string" },
	{ "unknown op", "{}", "[{'op':'increment','path':'/a'}]",
	  "json patch: op 0: unknown op \"increment\"" },
	{ "missing path", "{}", "[{'op':'remove'}]",
	  "json patch: op 0 (remove): missing \"path\"" },
	{ "path not a string", "{}", "[{'op':'remove','path':1}]", "\"path\" is not a string" },
	{ "path without slash", "{'a':1}", "[{'op':'remove','path':'a'}]",
	  "path \"a\" is not a JSON pointer" },
	{ "bad escape", "{'a':1}", "[{'op':'remove','path':'/~2'}]", "is not a JSON pointer" },
	{ "trailing tilde", "{'a':1}", "[{'op':'remove','path':'/a~'}]", "is not a JSON pointer" },
	{ "missing value", "{}", "[{'op':'add','path':'/a'}]", "op 0 (add): missing \"value\"" },
	{ "replace missing value", "{'a':1}", "[{'op':'replace','path':'/a'}]",
	  "missing \"value\"" },
	{ "test missing value", "{'a':1}", "[{'op':'test','path':'/a'}]", "missing \"value\"" },
	{ "missing from", "{'a':1}", "[{'op':'move','path':'/b'}]", "missing \"from\"" },
	{ "bad from", "{'a':1}", "[{'op':'copy','from':'a','path':'/b'}]",
	  "from \"a\" is not a JSON pointer" },
	{ "remove a missing member", "{'spec':{}}",
	  "[{'op':'test','path':'/spec','value':{}},{'op':'remove','path':'/spec/x'}]",
	  "json patch: op 1 (remove): path \"/spec/x\" does not exist" },
	{ "remove through a missing member", "{}", "[{'op':'remove','path':'/a/b'}]",
	  "path \"/a/b\" does not exist" },
	{ "remove the document", "{}", "[{'op':'remove','path':''}]", "cannot remove the whole" },
	{ "remove past the end", "{'a':[1]}", "[{'op':'remove','path':'/a/1'}]", "does not exist" },
	{ "remove with -", "{'a':[1]}", "[{'op':'remove','path':'/a/-'}]", "does not exist" },
	{ "index with a leading zero", "{'a':[1,2]}", "[{'op':'remove','path':'/a/01'}]",
	  "does not exist" },
	{ "negative index", "{'a':[1,2]}", "[{'op':'replace','path':'/a/-1','value':0}]",
	  "does not exist" },
	{ "huge index", "{'a':[1]}",
	  "[{'op':'add','path':'/a/99999999999999999999999','value':0}]", "is not an array index" },
	{ "add at a bad index", "{'a':[1]}", "[{'op':'add','path':'/a/x','value':0}]",
	  "path \"/a/x\": \"x\" is not an array index" },
	{ "add past the end", "{'a':[1]}", "[{'op':'add','path':'/a/2','value':0}]",
	  "index \"2\" is out of range (the array has 1 items)" },
	{ "add into a scalar", "{'a':1}", "[{'op':'add','path':'/a/b','value':0}]",
	  "its parent is not an object or an array" },
	{ "replace a missing member", "{}", "[{'op':'replace','path':'/a','value':1}]",
	  "path \"/a\" does not exist" },
	{ "move from a missing member", "{}", "[{'op':'move','from':'/a','path':'/b'}]",
	  "op 0 (move): path \"/a\" does not exist" },
	{ "move into itself", "{'a':{'b':1}}", "[{'op':'move','from':'/a','path':'/a/b/c'}]",
	  "cannot move \"/a\" into itself" },
	{ "move the document", "{'a':1}", "[{'op':'move','from':'','path':'/b'}]",
	  "into itself" },
	{ "copy from a missing member", "{}", "[{'op':'copy','from':'/a','path':'/b'}]",
	  "does not exist" },
	{ "test a missing member", "{}", "[{'op':'test','path':'/a','value':1}]",
	  "does not exist" },
	{ "test failure", "{'a':[1,2]}", "[{'op':'test','path':'/a','value':[2,1]}]",
	  "json patch: op 0 (test): the value at \"/a\" is not the expected one" },
	{ "later op fails", "{'a':1}",
	  "[{'op':'add','path':'/b','value':2},{'op':'remove','path':'/b'},"
	  "{'op':'remove','path':'/b'}]",
	  "json patch: op 2 (remove): path \"/b\" does not exist" },
};

static void test_json_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tp_json_errors) / sizeof(tp_json_errors[0]); i++) {
		const struct tp_case *t = &tp_json_errors[i];
		json_t *target = tjson_quoted(t->target), *ops = tjson_quoted(t->patch);
		json_t *t0 = json_deep_copy(target);
		char err[256] = "";
		json_t *out = api_patch_json(target, ops, err, sizeof(err));

		tp_refused(t->name, out, err, t->want);
		/* All or nothing: the target is as it was. */
		tp_inputs_kept(t->name, target, t0, ops, NULL);
	}
}

static void test_json_limits_and_messages(void **state)
{
	json_t *target = tjson_quoted("{'spec':{'x':1}}"), *ops = json_array(), *out;
	char err[256];

	(void)state;
	/* The exact wording the server returns. */
	json_array_append_new(ops, tjson_quoted("{'op':'remove','path':'/spec/x'}"));
	json_array_append_new(ops, tjson_quoted("{'op':'remove','path':'/spec/x'}"));
	assert_null(api_patch_json(target, ops, err, sizeof(err)));
	assert_string_equal(err, "json patch: op 1 (remove): path \"/spec/x\" does not exist");
	/* A tiny buffer is filled, not overrun; no buffer at all is fine. */
	assert_null(api_patch_json(target, ops, err, 8));
	assert_string_equal(err, "json pa");
	assert_null(api_patch_json(target, ops, NULL, 0));
	/* Success clears the message. */
	json_array_remove(ops, 1);
	out = api_patch_json(target, ops, err, sizeof(err));
	assert_string_equal(err, "");
	tp_expect("one remove", out, "{'spec':{}}");
	assert_null(api_patch_json(NULL, ops, err, sizeof(err)));
	/* More operations than the server allows. */
	json_array_clear(ops);
	for (int i = 0; i <= 10000; i++)
		json_array_append_new(ops, tjson_quoted("{'op':'test','path':'','value':{}}"));
	assert_null(api_patch_json(target, ops, err, sizeof(err)));
	assert_non_null(strstr(err, "more than the 10000 allowed"));
	json_decref(target);
	json_decref(ops);
}

/* ---- strategic merge patch ----------------------------------------------- */

struct tp_smp {
	const char *name;
	const char *kind;
	const char *target;
	const char *patch;
	const char *want;       /* result, or a part of the error */
};

#define TP_DEPLOY(containers) \
	"{'kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':1,'template':" \
	"{'metadata':{'labels':{'app':'web'}},'spec':{'containers':" containers "}}}}"
#define TP_DEPLOY_PATCH(spec) "{'spec':{'template':{'spec':" spec "}}}"
#define TP_POD(spec) "{'kind':'Pod','metadata':{'name':'p'},'spec':" spec "}"
#define TP_CS(list) TP_POD("{'containers':" list "}")
#define TP_CS_PATCH(list) "{'spec':{'containers':" list "}}"

static const struct tp_smp tp_smp_cases[] = {
	/* Maps. */
	{ "maps merge, null deletes", "ConfigMap",
	  "{'metadata':{'name':'c','labels':{'a':'1'}},'data':{'a':'1','b':'2'}}",
	  "{'metadata':{'labels':{'b':'2'}},'data':{'b':null,'c':'3'}}",
	  "{'metadata':{'name':'c','labels':{'a':'1','b':'2'}},'data':{'a':'1','c':'3'}}" },
	{ "null for a missing key", "ConfigMap", "{'data':{'a':'1'}}",
	  "{'data':{'x':null},'y':null}",
	  "{'data':{'a':'1'}}" },
	{ "scalar replaces a map", "ConfigMap", "{'a':{'b':1}}", "{'a':5}", "{'a':5}" },
	{ "map over a scalar drops its nulls", "ConfigMap", "{'a':5}",
	  "{'a':{'b':null,'c':{'d':null}}}",
	  "{'a':{'c':{}}}" },
	{ "new map drops its nulls", "ConfigMap", "{}", "{'a':{'b':null,'c':1}}", "{'a':{'c':1}}" },
	{ "empty patch", "Pod", TP_CS("[{'name':'a'}]"), "{}", TP_CS("[{'name':'a'}]") },
	{ "$patch replace on a map", "Pod", TP_POD("{'nodeSelector':{'a':'1','b':'2'}}"),
	  "{'spec':{'nodeSelector':{'$patch':'replace','c':'3'}}}",
	  TP_POD("{'nodeSelector':{'c':'3'}}") },
	{ "$patch replace on a missing map", "Pod", TP_POD("{}"),
	  "{'spec':{'nodeSelector':{'$patch':'replace','c':'3','d':null}}}",
	  TP_POD("{'nodeSelector':{'c':'3'}}") },
	{ "$patch delete on a map", "Pod", TP_POD("{'nodeSelector':{'a':'1'},'x':1}"),
	  "{'spec':{'nodeSelector':{'$patch':'delete'}}}", TP_POD("{'nodeSelector':{},'x':1}") },
	{ "$patch delete on a missing map", "Pod", TP_POD("{'x':1}"),
	  "{'spec':{'nodeSelector':{'$patch':'delete'}}}", TP_POD("{'x':1}") },
	{ "$patch merge on a map", "Pod", TP_POD("{'nodeSelector':{'a':'1'}}"),
	  "{'spec':{'nodeSelector':{'$patch':'merge','b':'2'}}}",
	  TP_POD("{'nodeSelector':{'a':'1','b':'2'}}") },
	{ "$patch replace on the object", "ConfigMap", "{'data':{'a':'1'},'kind':'ConfigMap'}",
	  "{'$patch':'replace','data':{'b':'2'}}", "{'data':{'b':'2'}}" },
	/* Lists merged on a key. */
	{ "container merged by name", "Deployment",
	  TP_DEPLOY("[{'name':'app','image':'a:1','args':['x']},{'name':'side','image':'s:1'}]"),
	  TP_DEPLOY_PATCH("{'containers':[{'name':'app','image':'a:2','args':null}]}"),
	  TP_DEPLOY("[{'name':'app','image':'a:2'},{'name':'side','image':'s:1'}]") },
	{ "new item without an order goes first", "Pod",
	  TP_CS("[{'name':'a'},{'name':'b'}]"), TP_CS_PATCH("[{'name':'c','image':'c'}]"),
	  TP_CS("[{'name':'c','image':'c'},{'name':'a'},{'name':'b'}]") },
	{ "new item after the patch's known items", "Pod",
	  TP_CS("[{'name':'a'},{'name':'b'}]"), TP_CS_PATCH("[{'name':'a','x':1},{'name':'c'}]"),
	  TP_CS("[{'name':'a','x':1},{'name':'c'},{'name':'b'}]") },
	{ "patch order wins", "Pod",
	  TP_CS("[{'name':'1'},{'name':'2','value':'b'},{'name':'3'}]"),
	  TP_CS_PATCH("[{'name':'3','value':'c'},{'name':'1','value':'a'},{'name':'2',"
		      "'other':'x'}]"),
	  TP_CS("[{'name':'3','value':'c'},{'name':'1','value':'a'},"
		"{'name':'2','value':'b','other':'x'}]") },
	{ "patch order with a server-only item", "Pod",
	  TP_CS("[{'name':'1'},{'name':'2','value':'b'},{'name':'3'}]"),
	  TP_CS_PATCH("[{'name':'3','value':'c'},{'name':'1','value':'a'}]"),
	  TP_CS("[{'name':'2','value':'b'},{'name':'3','value':'c'},{'name':'1','value':'a'}]") },
	{ "$patch delete an item", "Pod", TP_CS("[{'name':'a'},{'name':'b'},{'name':'c'}]"),
	  TP_CS_PATCH("[{'$patch':'delete','name':'b'}]"), TP_CS("[{'name':'a'},{'name':'c'}]") },
	{ "$patch delete a missing item", "Pod", TP_CS("[{'name':'a'}]"),
	  TP_CS_PATCH("[{'$patch':'delete','name':'zz'}]"), TP_CS("[{'name':'a'}]") },
	{ "$patch delete removes duplicates", "Pod",
	  TP_CS("[{'name':'1'},{'name':'1'},{'name':'2','value':'a'},{'name':'3'},{'name':'3'}]"),
	  TP_CS_PATCH("[{'name':'1','$patch':'delete'},{'name':'3','$patch':'delete'}]"),
	  TP_CS("[{'name':'2','value':'a'}]") },
	{ "$patch delete and add", "Pod", TP_CS("[{'name':'a'},{'name':'b'}]"),
	  TP_CS_PATCH("[{'name':'c'},{'$patch':'delete','name':'a'}]"),
	  TP_CS("[{'name':'c'},{'name':'b'}]") },
	{ "$patch replace empties a list", "Pod", TP_CS("[{'name':'a'},{'name':'b'}]"),
	  TP_CS_PATCH("[{'$patch':'replace'}]"), TP_CS("[]") },
	{ "$patch replace with items", "Pod", TP_CS("[{'name':'a','image':'x'},{'name':'b'}]"),
	  TP_CS_PATCH("[{'name':'c','image':null},{'$patch':'replace'},{'name':'a'}]"),
	  TP_CS("[{'name':'c'},{'name':'a'}]") },
	{ "a new list is built from the patch", "Pod", TP_POD("{}"),
	  TP_CS_PATCH("[{'name':'a','env':[{'name':'X','value':'1'},{'$patch':'delete',"
		      "'name':'Y'}]}]"),
	  TP_CS("[{'name':'a','env':[{'name':'X','value':'1'}]}]") },
	{ "merge into an empty list", "Pod", TP_CS("[]"), TP_CS_PATCH("[{'name':'a'}]"),
	  TP_CS("[{'name':'a'}]") },
	{ "empty patch list", "Pod", TP_CS("[{'name':'a'}]"), TP_CS_PATCH("[]"),
	  TP_CS("[{'name':'a'}]") },
	{ "a list over a scalar", "Pod", TP_POD("{'containers':3}"), TP_CS_PATCH("[{'name':'a'}]"),
	  TP_CS("[{'name':'a'}]") },
	{ "null deletes a merged list", "Pod", TP_CS("[{'name':'a'}]"), TP_CS_PATCH("null"),
	  TP_POD("{}") },
	{ "ports by containerPort, 80 equals 80.0", "Pod",
	  TP_CS("[{'name':'a','ports':[{'containerPort':80,'name':'http'},"
		"{'containerPort':443}]}]"),
	  TP_CS_PATCH("[{'name':'a','ports':[{'containerPort':80.0,'protocol':'TCP'}]}]"),
	  TP_CS("[{'name':'a','ports':[{'containerPort':80.0,'name':'http','protocol':'TCP'},"
		"{'containerPort':443}]}]") },
	{ "env by name, volumeMounts by mountPath", "Pod",
	  TP_CS("[{'name':'a','env':[{'name':'A','value':'1'}],"
		"'volumeMounts':[{'name':'v','mountPath':'/d'}]}]"),
	  TP_CS_PATCH("[{'name':'a','env':[{'name':'A','value':'2'}],"
		      "'volumeMounts':[{'mountPath':'/d','readOnly':true}]}]"),
	  TP_CS("[{'name':'a','env':[{'name':'A','value':'2'}],"
		"'volumeMounts':[{'name':'v','mountPath':'/d','readOnly':true}]}]") },
	{ "initContainers and volumes by name", "Pod",
	  TP_POD("{'initContainers':[{'name':'i','image':'x'}],'volumes':[{'name':'v',"
		 "'emptyDir':{}}]}"),
	  "{'spec':{'initContainers':[{'name':'i','image':'y'}],'volumes':[{'name':'w',"
	  "'emptyDir':{}}]}}",
	  TP_POD("{'initContainers':[{'name':'i','image':'y'}],"
		 "'volumes':[{'name':'w','emptyDir':{}},{'name':'v','emptyDir':{}}]}") },
	{ "ReplicaSet template like a Deployment's", "ReplicaSet",
	  "{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b'}]}}}}",
	  "{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'2'}]}}}}",
	  "{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'2'},{'name':'b'}]}}}}" },
	{ "Service ports by port", "Service",
	  "{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':443,'targetPort':8443}]}}",
	  "{'spec':{'ports':[{'port':443,'targetPort':9443}]}}",
	  "{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':443,'targetPort':9443}]}}" },
	{ "Node conditions and addresses by type", "Node",
	  "{'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'DiskPressure',"
	  "'status':'False'}],'addresses':[{'type':'InternalIP','address':'10.0.0.1'}]}}",
	  "{'status':{'conditions':[{'type':'Ready','status':'True'}],"
	  "'addresses':[{'type':'Hostname','address':'n1'}]}}",
	  "{'status':{'conditions':[{'type':'Ready','status':'True'},{'type':'DiskPressure',"
	  "'status':'False'}],'addresses':[{'type':'Hostname','address':'n1'},"
	  "{'type':'InternalIP','address':'10.0.0.1'}]}}" },
	{ "ownerReferences by uid", "ReplicaSet",
	  "{'metadata':{'ownerReferences':[{'uid':'u1','name':'a'},{'uid':'u2','name':'b'}]}}",
	  "{'metadata':{'ownerReferences':[{'uid':'u2','controller':true}]}}",
	  "{'metadata':{'ownerReferences':[{'uid':'u1','name':'a'},"
	  "{'uid':'u2','name':'b','controller':true}]}}" },
	{ "ServiceAccount secrets by name", "ServiceAccount", "{'secrets':[{'name':'a'}]}",
	  "{'secrets':[{'name':'a','namespace':'n'}]}",
	  "{'secrets':[{'name':'a','namespace':'n'}]}" },
	/* Lists of primitives with the merge strategy. */
	{ "finalizers merge as a set", "Namespace", "{'metadata':{'finalizers':['1','2']}}",
	  "{'metadata':{'finalizers':['2','3']}}", "{'metadata':{'finalizers':['1','2','3']}}" },
	{ "finalizers keep the patch's order", "Namespace",
	  "{'metadata':{'finalizers':['1','2','3']}}", "{'metadata':{'finalizers':['3','1']}}",
	  "{'metadata':{'finalizers':['2','3','1']}}" },
	{ "finalizers lose duplicates", "Pod", "{'metadata':{'finalizers':['a','a']}}",
	  "{'metadata':{'finalizers':['b','b']}}", "{'metadata':{'finalizers':['b','a']}}" },
	{ "Node podCIDRs merge as a set", "Node", "{'spec':{'podCIDRs':['10.0.0.0/24']}}",
	  "{'spec':{'podCIDRs':['10.0.0.0/24','fd00::/64']}}",
	  "{'spec':{'podCIDRs':['10.0.0.0/24','fd00::/64']}}" },
	{ "$deleteFromPrimitiveList", "Pod", "{'metadata':{'finalizers':['a','b','c']}}",
	  "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b']}}",
	  "{'metadata':{'finalizers':['a','c']}}" },
	{ "$deleteFromPrimitiveList of a missing value", "Pod", "{'metadata':{'finalizers':['a']}}",
	  "{'metadata':{'$deleteFromPrimitiveList/finalizers':['z']}}",
	  "{'metadata':{'finalizers':['a']}}" },
	{ "$deleteFromPrimitiveList of a missing list", "Pod", "{'metadata':{'name':'x'}}",
	  "{'metadata':{'$deleteFromPrimitiveList/finalizers':['z']}}",
	  "{'metadata':{'name':'x'}}" },
	{ "$deleteFromPrimitiveList on an atomic list", "Pod",
	  TP_CS("[{'name':'a','args':['1','2','3']}]"),
	  TP_CS_PATCH("[{'name':'a','$deleteFromPrimitiveList/args':['2']}]"),
	  TP_CS("[{'name':'a','args':['1','3']}]") },
	{ "$deleteFromPrimitiveList with additions", "Pod", "{'metadata':{'finalizers':['a','b']}}",
	  "{'metadata':{'finalizers':['c'],'$deleteFromPrimitiveList/finalizers':['a'],"
	  "'$setElementOrder/finalizers':['b','c']}}",
	  "{'metadata':{'finalizers':['b','c']}}" },
	/* $setElementOrder. */
	{ "$setElementOrder alone reorders", "Pod",
	  TP_CS("[{'name':'1','x':'a'},{'name':'3','value':3},{'name':'4','value':4},"
		"{'name':'2'}]"),
	  "{'spec':{'$setElementOrder/containers':[{'name':'4'},{'name':'2'},{'name':'3'},"
	  "{'name':'1'}]}}",
	  TP_CS("[{'name':'4','value':4},{'name':'2'},{'name':'3','value':3},{'name':'1',"
		"'x':'a'}]") },
	{ "$setElementOrder with a server-only item", "Pod",
	  TP_CS("[{'name':'1'},{'name':'2'},{'name':'9'},{'name':'3'},{'name':'4'}]"),
	  "{'spec':{'$setElementOrder/containers':[{'name':'2'},{'name':'1'},{'name':'4'},"
	  "{'name':'3'}]}}",
	  TP_CS("[{'name':'2'},{'name':'1'},{'name':'9'},{'name':'4'},{'name':'3'}]") },
	{ "$setElementOrder with server-only items", "Pod",
	  TP_CS("[{'name':'1'},{'name':'2'},{'name':'7'},{'name':'9'},{'name':'8'},{'name':'3'},"
		"{'name':'4'}]"),
	  "{'spec':{'$setElementOrder/containers':[{'name':'2'},{'name':'1'},{'name':'4'},"
	  "{'name':'3'}]}}",
	  TP_CS("[{'name':'2'},{'name':'1'},{'name':'7'},{'name':'9'},{'name':'8'},{'name':'4'},"
		"{'name':'3'}]") },
	{ "$setElementOrder places added items", "Pod",
	  TP_CS("[{'name':'1','other':'a'},{'name':'2','value':2,'other':'b'}]"),
	  "{'spec':{'$setElementOrder/containers':[{'name':'1'},{'name':'4'},{'name':'2'},"
	  "{'name':'3'}],'containers':[{'name':'4','value':4},{'name':'3','value':3}]}}",
	  TP_CS("[{'name':'1','other':'a'},{'name':'4','value':4},"
		"{'name':'2','value':2,'other':'b'},{'name':'3','value':3}]") },
	{ "$setElementOrder naming a missing item", "Pod", TP_CS("[{'name':'1'},{'name':'3'}]"),
	  "{'spec':{'$setElementOrder/containers':[{'name':'3'},{'name':'2'},{'name':'1'}],"
	  "'containers':[{'name':'3','value':3},{'name':'1','value':1}]}}",
	  TP_CS("[{'name':'3','value':3},{'name':'1','value':1}]") },
	{ "$setElementOrder of primitives", "Pod", "{'metadata':{'finalizers':['1','3']}}",
	  "{'metadata':{'$setElementOrder/finalizers':['3','2','1']}}",
	  "{'metadata':{'finalizers':['3','1']}}" },
	{ "$setElementOrder of primitives with server-only items", "Pod",
	  "{'metadata':{'finalizers':['1','2','9','3','4']}}",
	  "{'metadata':{'$setElementOrder/finalizers':['2','1','4','3']}}",
	  "{'metadata':{'finalizers':['2','1','9','4','3']}}" },
	{ "$setElementOrder for a missing list", "Pod", TP_POD("{}"),
	  "{'spec':{'$setElementOrder/containers':[{'name':'a'}]}}", TP_POD("{}") },
	{ "$setElementOrder with a new list", "Pod", TP_POD("{}"),
	  "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],"
	  "'containers':[{'name':'b'},{'name':'a'}]}}",
	  TP_CS("[{'name':'b'},{'name':'a'}]") },
	{ "$setElementOrder on an atomic list", "Pod", TP_POD("{'tolerations':[{'key':'a'}]}"),
	  "{'spec':{'$setElementOrder/tolerations':[{'key':'b'}],'tolerations':[{'key':'b'}]}}",
	  TP_POD("{'tolerations':[{'key':'b'}]}") },
	/* $retainKeys. */
	{ "$retainKeys clears the other fields", "Deployment",
	  "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}",
	  "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate','rollingUpdate':null}}}",
	  "{'spec':{'strategy':{'type':'Recreate'}}}" },
	{ "$retainKeys in a volume", "Pod", TP_POD("{'volumes':[{'name':'v','emptyDir':{}}]}"),
	  "{'spec':{'volumes':[{'name':'v','$retainKeys':['configMap','name'],"
	  "'configMap':{'name':'cm'}}]}}",
	  TP_POD("{'volumes':[{'name':'v','configMap':{'name':'cm'}}]}") },
	{ "$retainKeys keeps listed fields the patch leaves alone", "Deployment",
	  "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1},'x':1}}}",
	  "{'spec':{'strategy':{'$retainKeys':['type','rollingUpdate']}}}",
	  "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}" },
	/* Atomic lists. */
	{ "tolerations are atomic", "Pod",
	  TP_POD("{'tolerations':[{'key':'a','operator':'Exists'},{'key':'b'}]}"),
	  "{'spec':{'tolerations':[{'key':'c','effect':null}]}}",
	  TP_POD("{'tolerations':[{'key':'c'}]}") },
	{ "Endpoints subsets are atomic", "Endpoints",
	  "{'subsets':[{'addresses':[{'ip':'10.0.0.1'}],'ports':[{'port':80}]}]}",
	  "{'subsets':[{'addresses':[{'ip':'10.0.0.2'}]}]}",
	  "{'subsets':[{'addresses':[{'ip':'10.0.0.2'}]}]}" },
	{ "EndpointSlice endpoints are atomic", "EndpointSlice",
	  "{'endpoints':[{'addresses':['10.0.0.1']},{'addresses':['10.0.0.2']}]}",
	  "{'endpoints':[{'addresses':['10.0.0.3']}]}",
	  "{'endpoints':[{'addresses':['10.0.0.3']}]}" },
	{ "Service externalIPs are atomic", "Service", "{'spec':{'externalIPs':['1.1.1.1']}}",
	  "{'spec':{'externalIPs':['2.2.2.2']}}", "{'spec':{'externalIPs':['2.2.2.2']}}" },
	{ "unknown kinds replace lists", "Widget",
	  "{'spec':{'containers':[{'name':'a'},{'name':'b'}]},'metadata':{'finalizers':['x']}}",
	  "{'spec':{'containers':[{'name':'c'}]},'metadata':{'finalizers':['y']}}",
	  "{'spec':{'containers':[{'name':'c'}]},'metadata':{'finalizers':['y']}}" },
	{ "no kind replaces lists", NULL, TP_CS("[{'name':'a'}]"), TP_CS_PATCH("[{'name':'b'}]"),
	  TP_CS("[{'name':'b'}]") },
	{ "atomic lists drop directive items", "Pod", TP_POD("{'tolerations':[{'key':'a'}]}"),
	  "{'spec':{'tolerations':[{'$patch':'replace'},{'key':'b','x':{'y':null}},[1,"
	  "{'z':null}]]}}",
	  TP_POD("{'tolerations':[{'key':'b','x':{}},[1,{}]]}") },
	{ "a merge list inside an atomic list", "Pod",
	  "{'status':{'containerStatuses':[{'name':'a','volumeMounts':[{'mountPath':'/x'}]}]}}",
	  "{'status':{'containerStatuses':[{'name':'a','volumeMounts':[{'mountPath':'/y'},"
	  "{'$patch':'delete','mountPath':'/z'}]}]}}",
	  "{'status':{'containerStatuses':[{'name':'a','volumeMounts':[{'mountPath':'/y'}]}]}}" },
	{ "PodDisruptionBudget selector is replaced", "PodDisruptionBudget",
	  "{'spec':{'selector':{'matchLabels':{'a':'1'}},'minAvailable':1}}",
	  "{'spec':{'selector':{'matchExpressions':[{'key':'b','operator':'Exists'}]}}}",
	  "{'spec':{'selector':{'matchExpressions':[{'key':'b','operator':'Exists'}]},"
	  "'minAvailable':1}}" },
	{ "unknown $ fields are fields", "Widget", "{}", "{'$ref':1}", "{'$ref':1}" },
	/* What kubectl sends. */
	{ "kubectl apply: a port removed", "Deployment",
	  "{'metadata':{'name':'web',"
	  "'annotations':{'kubectl.kubernetes.io/last-applied-configuration':"
	  "'{}'}},'spec':{'template':{'spec':{'containers':[{'name':'app','image':'nginx',"
	  "'ports':[{'containerPort':8080,'protocol':'TCP'},{'containerPort':9090,"
	  "'protocol':'TCP'}]}]}}}}",
	  "{'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':"
	  "'{\\'kind\\':\\'Deployment\\'}'}},'spec':{'template':{'spec':{"
	  "'$setElementOrder/containers':[{'name':'app'}],'containers':[{"
	  "'$setElementOrder/ports':[{'containerPort':8080}],'name':'app','ports':["
	  "{'containerPort':8080},{'$patch':'delete','containerPort':9090}]}]}}}}",
	  "{'metadata':{'name':'web',"
	  "'annotations':{'kubectl.kubernetes.io/last-applied-configuration':"
	  "'{\\'kind\\':\\'Deployment\\'}'}},"
	  "'spec':{'template':{'spec':{'containers':[{'name':'app',"
	  "'image':'nginx','ports':[{'containerPort':8080,'protocol':'TCP'}]}]}}}}" },
	{ "kubectl apply: env, port, new container, order", "Deployment",
	  TP_DEPLOY("[{'name':'app','image':'a:1','env':[{'name':'A','value':'1'},{'name':'B',"
		    "'value':'2'}],'ports':[{'containerPort':80},{'containerPort':81}]},"
		    "{'name':'side','image':'s:1'}]"),
	  TP_DEPLOY_PATCH("{'$setElementOrder/containers':[{'name':'side'},{'name':'app'},"
			  "{'name':'log'}],'containers':[{'$setElementOrder/env':[{'name':'A'}],"
			  "'$setElementOrder/ports':[{'containerPort':80}],'name':'app','env':["
			  "{'$patch':'delete','name':'B'}],'ports':[{'$patch':'delete',"
			  "'containerPort':81}]},{'name':'log','image':'busybox'}]}"),
	  TP_DEPLOY("[{'name':'side','image':'s:1'},{'name':'app','image':'a:1','env':[{'name':'A',"
		    "'value':'1'}],'ports':[{'containerPort':80}]},{'name':'log',"
		    "'image':'busybox'}]") },
	{ "kubectl apply: one container for another, a server-only one kept", "Pod",
	  TP_CS("[{'name':'old'},{'name':'app'},{'name':'injected'}]"),
	  "{'spec':{'$setElementOrder/containers':[{'name':'app'},{'name':'new'}],"
	  "'containers':[{'name':'new','image':'n'},{'$patch':'delete','name':'old'}]}}",
	  TP_CS("[{'name':'app'},{'name':'injected'},{'name':'new','image':'n'}]") },
	{ "kubectl apply: no deletion, the new container before server-only ones", "Pod",
	  TP_CS("[{'name':'app'},{'name':'injected'}]"),
	  "{'spec':{'$setElementOrder/containers':[{'name':'app'},{'name':'new'}],"
	  "'containers':[{'name':'new','image':'n'}]}}",
	  TP_CS("[{'name':'app'},{'name':'new','image':'n'},{'name':'injected'}]") },
	{ "kubectl apply: a new container with its own directives", "Deployment",
	  TP_DEPLOY("[{'name':'app'}]"),
	  TP_DEPLOY_PATCH("{'$setElementOrder/containers':[{'name':'app'},{'name':'new'}],"
			  "'containers':[{'$setElementOrder/ports':[{'containerPort':2},"
			  "{'containerPort':1}],'name':'new','ports':[{'containerPort':2},"
			  "{'containerPort':1}],'resources':{'$retainKeys':['limits'],'limits':{}},"
			  "'securityContext':null}]}"),
	  TP_DEPLOY("[{'name':'app'},{'name':'new','ports':[{'containerPort':2},"
		    "{'containerPort':1}],'resources':{'limits':{}}}]") },
	{ "kubectl apply: replicas and an env var added", "Deployment",
	  TP_DEPLOY("[{'name':'app','env':[{'name':'A','value':'1'}]}]"),
	  "{'spec':{'replicas':3,"
	  "'template':{'spec':{'$setElementOrder/containers':[{'name':'app'}],"
	  "'containers':[{'$setElementOrder/env':[{'name':'A'},{'name':'B'}],'name':'app',"
	  "'env':[{'name':'B','value':'2'}]}]}}}}",
	  "{'kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':3,'template':"
	  "{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'app','env':["
	  "{'name':'A','value':'1'},{'name':'B','value':'2'}]}]}}}}" },
	{ "kubectl rollout restart", "Deployment",
	  "{'spec':{'template':{'metadata':{'labels':{'app':'web'},'annotations':{'a':'b'}},"
	  "'spec':{'containers':[{'name':'app'}]}}}}",
	  "{'spec':{'template':{'metadata':{'annotations':{'kubectl.kubernetes.io/restartedAt':"
	  "'2026-12-04T10:00:00Z'}}}}}",
	  "{'spec':{'template':{'metadata':{'labels':{'app':'web'},'annotations':{'a':'b',"
	  "'kubectl.kubernetes.io/restartedAt':'2026-12-04T10:00:00Z'}},"
	  "'spec':{'containers':[{'name':'app'}]}}}}" },
	{ "kubectl patch: an image", "Deployment",
	  TP_DEPLOY("[{'name':'app','image':'a:1'},{'name':'side','image':'s:1'}]"),
	  TP_DEPLOY_PATCH("{'containers':[{'name':'side','image':'s:2'}]}"),
	  TP_DEPLOY("[{'name':'app','image':'a:1'},{'name':'side','image':'s:2'}]") },
	{ "kubectl label: a label removed", "Pod", "{'metadata':{'labels':{'a':'1','b':'2'}}}",
	  "{'metadata':{'labels':{'b':null}}}", "{'metadata':{'labels':{'a':'1'}}}" },
	{ "kubectl scale through a patch", "Deployment", "{'spec':{'replicas':1}}",
	  "{'spec':{'replicas':0}}", "{'spec':{'replicas':0}}" },
};

static void test_strategic_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tp_smp_cases) / sizeof(tp_smp_cases[0]); i++) {
		const struct tp_smp *t = &tp_smp_cases[i];
		json_t *target = tjson_quoted(t->target), *patch = tjson_quoted(t->patch);
		json_t *t0 = json_deep_copy(target), *p0 = json_deep_copy(patch);
		char err[256] = "x";
		json_t *out = api_patch_strategic(target, patch, t->kind, err, sizeof(err));

		if (!out)
			fail_msg("%s: %s", t->name, err);
		assert_string_equal(err, "");
		tp_no_directives(t->name, out);
		tp_expect(t->name, out, t->want);
		tp_inputs_kept(t->name, target, t0, patch, p0);
	}
}

static const struct tp_smp tp_smp_errors[] = {
	{ "patch not an object", "Pod", "{}", "[1]",
	  "strategic merge patch: the patch must be a JSON object" },
	{ "object not an object", "Pod", "[]", "{}", "the object is not a JSON object" },
	{ "unknown $patch in a map", "Pod", TP_POD("{}"), "{'spec':{'$patch':'remove'}}",
	  "strategic merge patch: spec: unknown $patch value \"remove\" (replace,"
	  " merge or delete)" },
	{ "$patch not a string", "Pod", TP_POD("{}"), "{'spec':{'x':{'$patch':1}}}",
	  "spec.x: $patch must be a string" },
	{ "unknown $patch at the top", "Pod", "{}", "{'$patch':'nope'}",
	  "strategic merge patch: unknown $patch value \"nope\"" },
	{ "unknown $patch in a list", "Deployment", TP_DEPLOY("[{'name':'a'}]"),
	  TP_DEPLOY_PATCH("{'containers':[{'$patch':'nope','name':'a'}]}"),
	  "spec.template.spec.containers: unknown $patch value \"nope\"" },
	{ "delete item without its key", "Deployment", TP_DEPLOY("[{'name':'a'}]"),
	  TP_DEPLOY_PATCH("{'containers':[{'$patch':'delete','image':'a'}]}"),
	  "strategic merge patch: spec.template.spec.containers: a $patch: delete item has no "
	  "merge key \"name\"" },
	{ "item without its key", "Pod", TP_CS("[{'name':'a'}]"),
	  TP_CS_PATCH("[{'name':'a'},{'image':'x'}]"),
	  "spec.containers: item 1 of the patch has no merge key \"name\"" },
	{ "item without its key in a new list", "Pod", TP_POD("{}"), TP_CS_PATCH("[{'image':'x'}]"),
	  "has no merge key \"name\"" },
	{ "port without containerPort", "Pod", TP_CS("[{'name':'a','ports':[]}]"),
	  TP_CS_PATCH("[{'name':'a','ports':[{'name':'http'}]}]"),
	  "spec.containers.ports: item 0 of the patch has no merge key \"containerPort\"" },
	{ "current item without its key", "Pod", TP_CS("[{'image':'x'}]"),
	  TP_CS_PATCH("[{'name':'a'}]"),
	  "spec.containers: item 0 of the current list has no merge key \"name\"" },
	{ "$patch merge in a list", "Pod", TP_CS("[{'name':'a'}]"),
	  TP_CS_PATCH("[{'$patch':'merge','name':'a'}]"),
	  "$patch: merge is not supported in a list" },
	{ "$patch in an atomic list", "Pod", TP_POD("{}"),
	  "{'spec':{'tolerations':[{'$patch':'bogus'}]}}",
	  "spec.tolerations: unknown $patch value \"bogus\"" },
	{ "mixed item types", "Pod", "{'metadata':{'finalizers':['a']}}",
	  "{'metadata':{'finalizers':[1]}}",
	  "metadata.finalizers: the list items are not all of one type" },
	{ "list of lists", "Pod", "{}", "{'metadata':{'finalizers':[['a']]}}",
	  "lists of lists cannot be merged" },
	{ "objects in a set", "Pod", "{}", "{'metadata':{'finalizers':[{'a':1}]}}",
	  "metadata.finalizers: a list of objects cannot be merged without a merge key" },
	{ "$setElementOrder not a list", "Pod", TP_CS("[{'name':'a'}]"),
	  "{'spec':{'$setElementOrder/containers':{'name':'a'}}}",
	  "spec.containers: $setElementOrder must be a list" },
	{ "$setElementOrder item without its key", "Pod", TP_CS("[{'name':'a'}]"),
	  "{'spec':{'$setElementOrder/containers':[{'image':'a'}]}}",
	  "item 0 of $setElementOrder has no merge key \"name\"" },
	{ "$setElementOrder out of the patch's order", "Pod",
	  TP_CS("[{'name':'1'},{'name':'3'},{'name':'2'}]"),
	  "{'spec':{'$setElementOrder/containers':[{'name':'1'},{'name':'2'},{'name':'3'}],"
	  "'containers':[{'name':'3','value':3},{'name':'1','value':1}]}}",
	  "the order of the patch list does not match $setElementOrder" },
	{ "$setElementOrder of primitives out of order", "Pod",
	  "{'metadata':{'finalizers':['1','3','2']}}",
	  "{'metadata':{'$setElementOrder/finalizers':['1','2','3'],'finalizers':['3','1']}}",
	  "does not match $setElementOrder" },
	{ "$setElementOrder over a non-list", "Pod", TP_POD("{'containers':{}}"),
	  "{'spec':{'$setElementOrder/containers':[]}}", "applies to a list" },
	{ "$setElementOrder with a non-list value", "Pod", TP_CS("[]"),
	  "{'spec':{'$setElementOrder/containers':[],'containers':null}}",
	  "the patch value must be a list" },
	{ "$setElementOrder without a field", "Pod", "{}", "{'$setElementOrder':[]}",
	  "bad directive \"$setElementOrder\" (want $setElementOrder/<field>)" },
	{ "$deleteFromPrimitiveList misspelt", "Pod", "{}",
	  "{'metadata':{'$deleteFromPrimitiveListfinalizers':['a']}}",
	  "metadata: bad directive \"$deleteFromPrimitiveListfinalizers\"" },
	{ "$deleteFromPrimitiveList not a list", "Pod", "{'metadata':{'finalizers':['a']}}",
	  "{'metadata':{'$deleteFromPrimitiveList/finalizers':'a'}}",
	  "metadata.finalizers: $deleteFromPrimitiveList must be a list" },
	{ "$retainKeys not a list", "Deployment", "{'spec':{'strategy':{}}}",
	  "{'spec':{'strategy':{'$retainKeys':'type'}}}",
	  "spec.strategy: $retainKeys must be a list of field names" },
	{ "$retainKeys with a number", "Deployment", "{'spec':{'strategy':{}}}",
	  "{'spec':{'strategy':{'$retainKeys':[1]}}}", "$retainKeys must be a list" },
	{ "$retainKeys missing a field the patch sets", "Deployment", "{'spec':{'strategy':{}}}",
	  "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate','rollingUpdate':{}}}}",
	  "the patch sets \"rollingUpdate\", which $retainKeys does not list" },
	{ "a late error undoes earlier changes", "Pod", TP_CS("[{'name':'a'}]"),
	  "{'metadata':{'labels':{'x':'1'}},'spec':{'containers':[{'name':'a','image':'b'}],"
	  "'volumes':[{'emptyDir':{}}]}}",
	  "spec.volumes: item 0 of the patch has no merge key \"name\"" },
};

static void test_strategic_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tp_smp_errors) / sizeof(tp_smp_errors[0]); i++) {
		const struct tp_smp *t = &tp_smp_errors[i];
		json_t *target = tjson_quoted(t->target), *patch = tjson_quoted(t->patch);
		json_t *t0 = json_deep_copy(target), *p0 = json_deep_copy(patch);
		char err[256] = "";
		json_t *out = api_patch_strategic(target, patch, t->kind, err, sizeof(err));

		tp_refused(t->name, out, err, t->want);
		assert_true(strncmp(err, "strategic merge patch: ", 23) == 0);
		tp_inputs_kept(t->name, target, t0, patch, p0);
	}
}

/* The same patch twice gives the same object: what kubectl apply relies
 * on when nothing changed. */
static void test_strategic_idempotent(void **state)
{
	json_t *target = tjson_quoted(TP_DEPLOY("[{'name':'app','ports':[{'containerPort':80}]},"
						"{'name':'side'}]"));
	json_t *patch = tjson_quoted(
		TP_DEPLOY_PATCH("{'$setElementOrder/containers':[{'name':'side'},"
				"{'name':'app'}],'containers':[{'name':'app',"
				"'ports':[{'containerPort':81}]}]}"));
	char err[256];
	json_t *once, *twice;

	(void)state;
	once = api_patch_strategic(target, patch, "Deployment", err, sizeof(err));
	assert_non_null(once);
	twice = api_patch_strategic(once, patch, "Deployment", err, sizeof(err));
	assert_non_null(twice);
	assert_true(json_equal(once, twice));
	tp_expect("twice", twice, TP_DEPLOY("[{'name':'side'},{'name':'app','ports':["
					    "{'containerPort':81},{'containerPort':80}]}]"));
	json_decref(once);
	json_decref(target);
	json_decref(patch);
}

/* Paths deeper than the path buffer still merge (as atomic lists). */
static void test_strategic_deep(void **state)
{
	json_t *target = json_object(), *patch = json_object(), *t = target, *p = patch, *out;
	char err[256], key[64];

	(void)state;
	for (int i = 0; i < 100; i++) {
		json_t *tn = json_object(), *pn = json_object();

		snprintf(key, sizeof(key), "level-%02d-with-a-longish-name", i);
		json_object_set_new(t, key, tn);
		json_object_set_new(p, key, pn);
		t = tn;
		p = pn;
	}
	json_object_set_new(t, "list", tjson_quoted("[1,2]"));
	json_object_set_new(t, "keep", json_true());
	json_object_set_new(p, "list", tjson_quoted("[3]"));
	json_object_set_new(p, "bad", tjson_quoted("{'$patch':'nope'}"));
	assert_null(api_patch_strategic(target, patch, "Pod", err, sizeof(err)));
	if (strncmp(err, "strategic merge patch: ...level-", 32) != 0 ||
	    !strstr(err, "name...: unknown $patch value \"nope\""))
		fail_msg("deep error: %s", err);
	json_object_del(p, "bad");
	out = api_patch_strategic(target, patch, "Pod", err, sizeof(err));
	assert_non_null(out);
	json_object_set_new(t, "list", tjson_quoted("[3]"));
	assert_true(json_equal(out, target));
	json_decref(out);
	json_decref(target);
	json_decref(patch);
}

static void test_merge_key_table(void **state)
{
	static const struct {
		const char *kind, *path, *key;
	} t[] = {
		{ "Deployment", "spec.template.spec.containers", "name" },
		{ "Deployment", "spec.template.spec.containers.ports", "containerPort" },
		{ "Deployment", "spec.template.spec.initContainers.env", "name" },
		{ "Deployment", "spec.template.spec.containers.volumeMounts", "mountPath" },
		{ "Deployment", "spec.template.spec.containers.volumeDevices", "devicePath" },
		{ "Deployment", "spec.template.spec.volumes", "name" },
		{ "Deployment", "spec.template.metadata.finalizers", "" },
		{ "Deployment", "status.conditions", "type" },
		{ "Deployment", "spec.containers", NULL },
		{ "Deployment", "spec.template.spec.tolerations", NULL },
		{ "ReplicaSet", "spec.template.spec.containers", "name" },
		{ "ReplicaSet", "metadata.ownerReferences", "uid" },
		{ "StatefulSet", "spec.template.spec.ephemeralContainers", "name" },
		{ "Job", "spec.template.spec.containers.env", "name" },
		{ "CronJob", "spec.jobTemplate.spec.template.spec.containers", "name" },
		{ "PodTemplate", "template.spec.containers", "name" },
		{ "Pod", "spec.containers", "name" },
		{ "Pod", "spec.containers.ports", "containerPort" },
		{ "Pod", "spec.ephemeralContainers.volumeMounts", "mountPath" },
		{ "Pod", "spec.imagePullSecrets", "name" },
		{ "Pod", "spec.hostAliases", "ip" },
		{ "Pod", "spec.topologySpreadConstraints", "topologyKey" },
		{ "Pod", "spec.schedulingGates", "name" },
		{ "Pod", "spec.tolerations", NULL },
		{ "Pod", "spec.containers.args", NULL },
		{ "Pod", "spec.containers.resources.claims", NULL },
		{ "Pod", "status.conditions", "type" },
		{ "Pod", "status.podIPs", "ip" },
		{ "Pod", "status.containerStatuses", NULL },
		{ "Pod", "metadata.finalizers", "" },
		{ "Pod", "metadata.ownerReferences", "uid" },
		{ "Pod", "metadata.managedFields", NULL },
		{ "Pod", "spec.template.spec.containers", NULL },
		{ "Service", "spec.ports", "port" },
		{ "Service", "status.conditions", "type" },
		{ "Service", "spec.ipFamilies", NULL },
		{ "Node", "status.addresses", "type" },
		{ "Node", "status.conditions", "type" },
		{ "Node", "spec.podCIDRs", "" },
		{ "Node", "spec.taints", NULL },
		{ "Namespace", "status.conditions", "type" },
		{ "Namespace", "spec.finalizers", NULL },
		{ "ServiceAccount", "secrets", "name" },
		{ "Endpoints", "subsets", NULL },
		{ "Endpoints", "metadata.finalizers", "" },
		{ "EndpointSlice", "endpoints", NULL },
		{ "EndpointSlice", "metadata.ownerReferences", "uid" },
		{ "ConfigMap", "metadata.ownerReferences", "uid" },
		{ "PodDisruptionBudget", "spec.selector", NULL },
		{ "Widget", "metadata.finalizers", NULL },
		{ "Widget", "spec.containers", NULL },
		{ "deployment", "spec.template.spec.containers", NULL },
		{ "Deployment", "spec.template.spec", NULL },
		{ "Deployment", "spec.template.spec.containersx", NULL },
		{ "Deployment", "", NULL },
		{ NULL, "spec.containers", NULL },
		{ "Pod", NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got = api_patch_merge_key(t[i].kind, t[i].path);

		if (t[i].key && (!got || strcmp(got, t[i].key) != 0))
			fail_msg("%s %s: got %s, want %s", t[i].kind, t[i].path, got ? got : "NULL",
				 t[i].key);
		if (!t[i].key && got)
			fail_msg("%s %s: got %s, want NULL", t[i].kind ? t[i].kind : "NULL",
				 t[i].path ? t[i].path : "NULL", got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_rfc7386),
		cmocka_unit_test(test_merge_result_is_a_copy),
		cmocka_unit_test(test_json_rfc6902),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_json_limits_and_messages),
		cmocka_unit_test(test_strategic_cases),
		cmocka_unit_test(test_strategic_errors),
		cmocka_unit_test(test_strategic_idempotent),
		cmocka_unit_test(test_strategic_deep),
		cmocka_unit_test(test_merge_key_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
