/* api_patch.c — see api_patch.h: RFC 7386 merge patch and RFC 6902 JSON
 * patch; the strategic merge patch is in api_patch_smp.c.
 *
 * All three patch types work on a deep copy of the target and edit it in
 * place; the patch is only read. A failure releases the copy, so a patch
 * applies whole or not at all.
 */
#include "api_patch.h"
#include "api_patch_int.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The server's own limit on a JSON patch's length. */
#define API_PATCH_JSON_MAX_OPS 10000

bool api_patch_equal(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return json_number_value(a) == json_number_value(b);
	}
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_object(a)) {
		const char *key;
		json_t *va;

		if (json_object_size(a) != json_object_size(b))
			return false;
		/* jansson's iterators take a non-const object; nothing is changed. */
		json_object_foreach((json_t *)a, key, va) {
			json_t *vb = json_object_get(b, key);

			if (!vb || !api_patch_equal(va, vb))
				return false;
		}
		return true;
	}
	if (json_is_array(a)) {
		size_t n = json_array_size(a);

		if (json_array_size(b) != n)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!api_patch_equal(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	return json_equal(a, b);
}

/* ---- RFC 7386 merge patch ------------------------------------------------ */

static int api_patch_merge_into(json_t *obj, const json_t *patch)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)patch, key, val) {
		json_t *cur, *next;

		if (json_is_null(val)) {
			json_object_del(obj, key);
			continue;
		}
		if (!json_is_object(val)) {
			if (json_object_set_new(obj, key, json_deep_copy(val)) < 0)
				return -1;
			continue;
		}
		cur = json_object_get(obj, key);
		if (json_is_object(cur)) {
			if (api_patch_merge_into(cur, val) < 0)
				return -1;
			continue;
		}
		/* A patch object over anything else merges into an empty object,
		 * which is what drops the nulls nested in it. */
		next = json_object();
		if (!next || api_patch_merge_into(next, val) < 0) {
			json_decref(next);
			return -1;
		}
		if (json_object_set_new(obj, key, next) < 0)
			return -1;
	}
	return 0;
}

json_t *api_patch_merge(const json_t *target, const json_t *patch)
{
	json_t *out;

	if (!patch)
		return NULL;
	if (!json_is_object(patch))
		return json_deep_copy(patch);
	out = json_is_object(target) ? json_deep_copy(target) : json_object();
	if (!out)
		return NULL;
	if (api_patch_merge_into(out, patch) < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* ---- RFC 6902 JSON patch ------------------------------------------------- */

struct api_patch_jp {
	char *err;
	size_t errlen;
	size_t idx;          /* of the operation being applied */
	const char *op;      /* its name, NULL before it is known */
};

static void api_patch_jp_fail(struct api_patch_jp *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void api_patch_jp_fail(struct api_patch_jp *j, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j->op)
		log_errf(j->err, j->errlen, "json patch: op %zu (%s): %s", j->idx, j->op,
			 msg);
	else
		log_errf(j->err, j->errlen, "json patch: op %zu: %s", j->idx, msg);
}

/* RFC 6901 syntax: "" or "/"-separated tokens where "~" only escapes 0 or 1. */
static bool api_patch_ptr_valid(const char *ptr)
{
	if (*ptr == '\0')
		return true;
	if (*ptr != '/')
		return false;
	for (const char *p = ptr; *p; p++)
		if (*p == '~' && p[1] != '0' && p[1] != '1')
			return false;
	return true;
}

/* Reads the token after the '/' at *p, unescaped, into a new string, and
 * leaves *p at the next '/' or the end. NULL when out of memory. */
static char *api_patch_ptr_token(const char **p)
{
	const char *s = *p + 1;
	size_t n = strcspn(s, "/");
	char *tok = malloc(n + 1), *o = tok;

	if (!tok)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~') {
			/* ~1 before ~0, so "~01" is "~1" and not "/" (RFC 6901 4). */
			*o++ = s[i + 1] == '1' ? '/' : '~';
			i++;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	*p = s + n;
	return tok;
}

/* An array index token: "0" or digits without a leading zero. */
static bool api_patch_ptr_index(const char *tok, size_t *idx)
{
	size_t v = 0;

	if (!*tok || (tok[0] == '0' && tok[1]))
		return false;
	for (const char *p = tok; *p; p++) {
		if (*p < '0' || *p > '9' || v > (SIZE_MAX - 9) / 10)
			return false;
		v = v * 10 + (size_t)(*p - '0');
	}
	*idx = v;
	return true;
}

static json_t *api_patch_jp_child(json_t *cur, const char *tok)
{
	size_t i;

	if (json_is_object(cur))
		return json_object_get(cur, tok);
	if (json_is_array(cur) && api_patch_ptr_index(tok, &i))
		return json_array_get(cur, i);
	return NULL;
}

/* Finds the value that holds what ptr (not "") names and the last token. */
static int api_patch_jp_parent(struct api_patch_jp *j, json_t *doc, const char *ptr,
			       json_t **parent, char **last)
{
	const char *p = ptr;
	json_t *cur = doc;

	for (;;) {
		char *tok = api_patch_ptr_token(&p);

		if (!tok) {
			api_patch_jp_fail(j, "out of memory");
			return -ENOMEM;
		}
		if (*p == '\0') {
			*parent = cur;
			*last = tok;
			return 0;
		}
		cur = api_patch_jp_child(cur, tok);
		free(tok);
		if (!cur) {
			api_patch_jp_fail(j, "path \"%s\" does not exist", ptr);
			return -ENOENT;
		}
	}
}

static json_t *api_patch_jp_get(struct api_patch_jp *j, json_t *doc, const char *ptr)
{
	json_t *parent, *v;
	char *last;

	if (*ptr == '\0')
		return doc;
	if (api_patch_jp_parent(j, doc, ptr, &parent, &last) < 0)
		return NULL;
	v = api_patch_jp_child(parent, last);
	free(last);
	if (!v)
		api_patch_jp_fail(j, "path \"%s\" does not exist", ptr);
	return v;
}

/* Adds value (a reference this call takes) at ptr; "" replaces the whole
 * document. */
static int api_patch_jp_add(struct api_patch_jp *j, json_t **doc, const char *ptr, json_t *value)
{
	json_t *parent;
	char *last = NULL;
	size_t i;
	int rc = -1;

	if (*ptr == '\0') {
		json_decref(*doc);
		*doc = value;
		return 0;
	}
	if (api_patch_jp_parent(j, *doc, ptr, &parent, &last) < 0)
		goto out;
	if (json_is_object(parent)) {
		rc = json_object_set(parent, last, value);
	} else if (json_is_array(parent) && strcmp(last, "-") == 0) {
		rc = json_array_append(parent, value);
	} else if (json_is_array(parent)) {
		if (!api_patch_ptr_index(last, &i)) {
			api_patch_jp_fail(j, "path \"%s\": \"%s\" is not an array index", ptr,
					  last);
			goto out;
		}
		if (i > json_array_size(parent)) {
			api_patch_jp_fail(j, "path \"%s\": index \"%s\" is out of range "
					  "(the array has %zu items)", ptr, last,
					  json_array_size(parent));
			goto out;
		}
		rc = json_array_insert(parent, i, value);
	} else {
		api_patch_jp_fail(j, "path \"%s\" does not exist (its parent is not an object "
				  "or an array)", ptr);
		goto out;
	}
	if (rc < 0)
		api_patch_jp_fail(j, "out of memory");
out:
	json_decref(value);
	free(last);
	return rc;
}

/* Removes the value at ptr; *removed (when asked for) gets a reference. */
static int api_patch_jp_remove(struct api_patch_jp *j, json_t *doc, const char *ptr,
			       json_t **removed)
{
	json_t *parent, *v;
	char *last = NULL;
	size_t i = 0;
	int rc = -1;

	if (*ptr == '\0') {
		api_patch_jp_fail(j, "cannot remove the whole document");
		return -1;
	}
	if (api_patch_jp_parent(j, doc, ptr, &parent, &last) < 0)
		return -1;
	v = api_patch_jp_child(parent, last);
	if (!v) {
		api_patch_jp_fail(j, "path \"%s\" does not exist", ptr);
		goto out;
	}
	if (removed)
		*removed = json_incref(v);
	if (json_is_object(parent)) {
		json_object_del(parent, last);
	} else {
		api_patch_ptr_index(last, &i);
		json_array_remove(parent, i);
	}
	rc = 0;
out:
	free(last);
	return rc;
}

static int api_patch_jp_replace(struct api_patch_jp *j, json_t **doc, const char *ptr,
				const json_t *value)
{
	json_t *parent, *copy;
	char *last = NULL;
	size_t i = 0;
	int rc = -1;

	if (!(copy = json_deep_copy(value))) {
		api_patch_jp_fail(j, "out of memory");
		return -1;
	}
	if (*ptr == '\0') {
		json_decref(*doc);
		*doc = copy;
		return 0;
	}
	if (api_patch_jp_parent(j, *doc, ptr, &parent, &last) < 0)
		goto out;
	if (!api_patch_jp_child(parent, last)) {
		api_patch_jp_fail(j, "path \"%s\" does not exist", ptr);
		goto out;
	}
	if (json_is_object(parent)) {
		rc = json_object_set(parent, last, copy);
	} else {
		api_patch_ptr_index(last, &i);
		rc = json_array_set(parent, i, copy);
	}
	if (rc < 0)
		api_patch_jp_fail(j, "out of memory");
out:
	json_decref(copy);
	free(last);
	return rc;
}

/* A string member of the operation that names a location. */
static const char *api_patch_jp_ptr(struct api_patch_jp *j, const json_t *op, const char *name)
{
	const json_t *v = json_object_get(op, name);
	const char *s = json_string_value(v);

	if (!v) {
		api_patch_jp_fail(j, "missing \"%s\"", name);
		return NULL;
	}
	if (!s) {
		api_patch_jp_fail(j, "\"%s\" is not a string", name);
		return NULL;
	}
	if (!api_patch_ptr_valid(s)) {
		api_patch_jp_fail(j, "%s \"%s\" is not a JSON pointer", name, s);
		return NULL;
	}
	return s;
}

static const json_t *api_patch_jp_value(struct api_patch_jp *j, const json_t *op)
{
	const json_t *v = json_object_get(op, "value");

	if (!v)
		api_patch_jp_fail(j, "missing \"value\"");
	return v;
}

static int api_patch_jp_apply(struct api_patch_jp *j, json_t **doc, const json_t *op)
{
	const char *name = json_string_value(json_object_get(op, "op"));
	const char *path, *from;
	const json_t *value;
	json_t *v;

	if (!json_is_object(op)) {
		api_patch_jp_fail(j, "not an object");
		return -1;
	}
	if (!name) {
		api_patch_jp_fail(j, json_object_get(op, "op") ? "\"op\" is not a string" :
				  "missing \"op\"");
		return -1;
	}
	if (strcmp(name, "add") && strcmp(name, "remove") && strcmp(name, "replace") &&
	    strcmp(name, "move") && strcmp(name, "copy") && strcmp(name, "test")) {
		api_patch_jp_fail(j, "unknown op \"%s\"", name);
		return -1;
	}
	j->op = name;
	if (!(path = api_patch_jp_ptr(j, op, "path")))
		return -1;

	if (strcmp(name, "add") == 0) {
		if (!(value = api_patch_jp_value(j, op)))
			return -1;
		if (!(v = json_deep_copy(value))) {
			api_patch_jp_fail(j, "out of memory");
			return -1;
		}
		return api_patch_jp_add(j, doc, path, v);
	}
	if (strcmp(name, "remove") == 0)
		return api_patch_jp_remove(j, *doc, path, NULL);
	if (strcmp(name, "replace") == 0) {
		if (!(value = api_patch_jp_value(j, op)))
			return -1;
		return api_patch_jp_replace(j, doc, path, value);
	}
	if (strcmp(name, "test") == 0) {
		if (!(value = api_patch_jp_value(j, op)))
			return -1;
		if (!(v = api_patch_jp_get(j, *doc, path)))
			return -1;
		if (!api_patch_equal(v, value)) {
			api_patch_jp_fail(j, "the value at \"%s\" is not the expected one", path);
			return -1;
		}
		return 0;
	}

	if (!(from = api_patch_jp_ptr(j, op, "from")))
		return -1;
	if (strcmp(name, "copy") == 0) {
		if (!(v = api_patch_jp_get(j, *doc, from)))
			return -1;
		if (!(v = json_deep_copy(v))) {
			api_patch_jp_fail(j, "out of memory");
			return -1;
		}
		return api_patch_jp_add(j, doc, path, v);
	}
	/* move */
	if (strcmp(from, path) == 0)
		return api_patch_jp_get(j, *doc, from) ? 0 : -1;
	if (strncmp(path, from, strlen(from)) == 0 && path[strlen(from)] == '/') {
		api_patch_jp_fail(j, "cannot move \"%s\" into itself (\"%s\")", from, path);
		return -1;
	}
	if (api_patch_jp_remove(j, *doc, from, &v) < 0)
		return -1;
	return api_patch_jp_add(j, doc, path, v);
}

json_t *api_patch_json(const json_t *target, const json_t *ops, char *err, size_t errlen)
{
	struct api_patch_jp j = { err, errlen, 0, NULL };
	json_t *doc;

	log_errf(err, errlen, "%s", "");
	if (!target) {
		log_errf(err, errlen, "json patch: no document");
		return NULL;
	}
	if (!json_is_array(ops)) {
		log_errf(err, errlen,
			 "json patch: the patch must be a JSON array of operations");
		return NULL;
	}
	if (json_array_size(ops) > API_PATCH_JSON_MAX_OPS) {
		log_errf(err, errlen, "json patch: %zu operations, more than the %d allowed",
			 json_array_size(ops), API_PATCH_JSON_MAX_OPS);
		return NULL;
	}
	if (!(doc = json_deep_copy(target))) {
		log_errf(err, errlen, "json patch: out of memory");
		return NULL;
	}
	for (j.idx = 0; j.idx < json_array_size(ops); j.idx++) {
		j.op = NULL;
		if (api_patch_jp_apply(&j, &doc, json_array_get(ops, j.idx)) < 0) {
			json_decref(doc);
			return NULL;
		}
	}
	return doc;
}
