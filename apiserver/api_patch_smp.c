/* api_patch_smp.c — Kubernetes' strategic merge patch (see api_patch.h).
 *
 * It follows what the API server does with the patches kubectl sends
 * (apply's three-way diff and `kubectl patch`): the list ordering rules, in
 * particular, reproduce the server's so that a Deployment's containers come
 * out in the order a real cluster would give. Where the server would keep
 * directive keys in a value and rely on the typed decoder to drop them,
 * this code drops them itself: objects are stored as JSON here, and nothing
 * else would. Like the other patch types it edits a deep copy of the
 * target, so a patch applies whole or not at all.
 *
 * The kinds' merge keys and list strategies are api_patch_keys.c's. What
 * is left here, some 850 lines, is one job: the recursive merge, with
 * its directives ($patch, $retainKeys, $setElementOrder,
 * $deleteFromPrimitiveList) and the server's list order.
 */
#include "api_patch.h"
#include "api_patch_int.h"
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- strategic merge patch ----------------------------------------------- */

struct api_patch_smp {
	const char *kind;
	char path[API_PATCH_PATH_MAX];  /* dotted, of the value being merged */
	size_t len;
	unsigned overflow;              /* levels that did not fit in path */
	char *err;
	size_t errlen;
};

enum api_patch_dir {
	API_PATCH_DIR_FIELD,    /* an ordinary field */
	API_PATCH_DIR_PATCH,    /* $patch */
	API_PATCH_DIR_RETAIN,   /* $retainKeys */
	API_PATCH_DIR_ORDER,    /* $setElementOrder/<field> */
	API_PATCH_DIR_DELETE,   /* $deleteFromPrimitiveList/<field> */
	API_PATCH_DIR_BAD,      /* one of the two prefixes without "/<field>" */
};

static void api_patch_smp_fail(struct api_patch_smp *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void api_patch_smp_fail(struct api_patch_smp *c, const char *fmt, ...)
{
	const char *shown = c->path;
	bool cut = false;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->len == 0) {
		log_errf(c->err, c->errlen, "strategic merge patch: %s", msg);
		return;
	}
	/* A very deep path keeps its tail, so the message still fits a
	 * Status and says what went wrong. */
	if (c->len > API_PATCH_PATH_SHOWN) {
		shown = c->path + c->len - API_PATCH_PATH_SHOWN;
		shown += strcspn(shown, ".");
		shown += *shown == '.';
		cut = true;
	}
	log_errf(c->err, c->errlen, "strategic merge patch: %s%s%s: %s", cut ? "..." : "",
		 shown, c->overflow ? "..." : "", msg);
}

static size_t api_patch_smp_push(struct api_patch_smp *c, const char *name)
{
	size_t old = c->len, n = strlen(name);

	if (c->overflow || old + n + 2 > sizeof(c->path)) {
		c->overflow++;
		return SIZE_MAX;
	}
	if (old)
		c->path[c->len++] = '.';
	memcpy(c->path + c->len, name, n + 1);
	c->len += n;
	return old;
}

static void api_patch_smp_pop(struct api_patch_smp *c, size_t old)
{
	if (old == SIZE_MAX) {
		c->overflow--;
		return;
	}
	c->len = old;
	c->path[old] = '\0';
}

static const struct api_patch_field *api_patch_smp_field_meta(const struct api_patch_smp *c)
{
	return c->overflow ? NULL : api_patch_field_find(c->kind, c->path);
}

static enum api_patch_dir api_patch_smp_directive(const char *key, const char **field)
{
	static const struct {
		const char *prefix;
		enum api_patch_dir dir;
	} prefixed[] = {
		{ "$setElementOrder", API_PATCH_DIR_ORDER },
		{ "$deleteFromPrimitiveList", API_PATCH_DIR_DELETE },
	};

	if (key[0] != '$')
		return API_PATCH_DIR_FIELD;
	if (strcmp(key, "$patch") == 0)
		return API_PATCH_DIR_PATCH;
	if (strcmp(key, "$retainKeys") == 0)
		return API_PATCH_DIR_RETAIN;
	for (size_t i = 0; i < API_PATCH_LEN(prefixed); i++) {
		size_t n = strlen(prefixed[i].prefix);

		if (strncmp(key, prefixed[i].prefix, n) != 0)
			continue;
		if (key[n] != '/' || key[n + 1] == '\0')
			return API_PATCH_DIR_BAD;
		*field = key + n + 1;
		return prefixed[i].dir;
	}
	return API_PATCH_DIR_FIELD;
}

/* The value of a $patch member: 0 replace, 1 merge, 2 delete, -1 bad. */
static int api_patch_smp_patch_kind(const json_t *dir)
{
	const char *s = json_string_value(dir);

	if (!s)
		return -1;
	if (strcmp(s, "replace") == 0)
		return 0;
	if (strcmp(s, "merge") == 0)
		return 1;
	if (strcmp(s, "delete") == 0)
		return 2;
	return -1;
}

static void api_patch_smp_bad_patch(struct api_patch_smp *c, const json_t *dir)
{
	if (json_is_string(dir))
		api_patch_smp_fail(c, "unknown $patch value \"%s\" (replace, merge or delete)",
				   json_string_value(dir));
	else
		api_patch_smp_fail(c, "$patch must be a string (replace, merge or delete)");
}

static json_t *api_patch_smp_map(struct api_patch_smp *c, json_t *obj, const json_t *patch);
static json_t *api_patch_smp_list(struct api_patch_smp *c, const struct api_patch_field *f,
				  const json_t *cur, const json_t *patch, json_t **natural);

/* A patch list for a field replaced whole: items carrying $patch are
 * dropped (a list-level directive means nothing here) and objects lose
 * their nulls and directives. */
static json_t *api_patch_smp_clean_list(struct api_patch_smp *c, const json_t *patch)
{
	json_t *out = json_array();
	size_t i;
	json_t *item;

	if (!out)
		goto oom;
	json_array_foreach(patch, i, item) {
		json_t *dir, *v;

		if (json_is_object(item) && (dir = json_object_get(item, "$patch"))) {
			if (api_patch_smp_patch_kind(dir) < 0) {
				api_patch_smp_bad_patch(c, dir);
				goto fail;
			}
			continue;
		}
		if (json_is_object(item))
			v = api_patch_smp_map(c, NULL, item);
		else if (json_is_array(item))
			v = api_patch_smp_clean_list(c, item);
		else if (!(v = json_deep_copy(item)))
			goto oom;
		if (!v)
			goto fail;
		if (json_array_append_new(out, v) < 0)
			goto oom;
	}
	return out;
oom:
	api_patch_smp_fail(c, "out of memory");
fail:
	json_decref(out);
	return NULL;
}

/* ---- list ordering ---- */

struct api_patch_rank {
	json_t *item;
	size_t rank;            /* in the list that orders it; SIZE_MAX: absent */
	size_t server;          /* in the current list; SIZE_MAX: absent */
};

/* The position in list of the item with item's merge key (or equal to
 * item when key is NULL). */
static size_t api_patch_smp_index(const json_t *list, const json_t *item, const char *key)
{
	const json_t *want = key ? json_object_get(item, key) : item;
	size_t i;
	json_t *v;

	if (!want || !list)
		return SIZE_MAX;
	json_array_foreach(list, i, v) {
		const json_t *have = key ? json_object_get(v, key) : v;

		if (have && api_patch_equal(have, want))
			return i;
	}
	return SIZE_MAX;
}

static void api_patch_smp_sort(struct api_patch_rank *r, size_t n)
{
	/* Insertion sort: stable, and the lists are short. */
	for (size_t i = 1; i < n; i++) {
		struct api_patch_rank t = r[i];
		size_t j = i;

		for (; j > 0 && r[j - 1].rank > t.rank; j--)
			r[j] = r[j - 1];
		r[j] = t;
	}
}

/* Orders a merged list the way the API server does: the items named in
 * order (the patch's list or its $setElementOrder) take that order, the
 * others ("server-only") keep theirs from the current list, and the two
 * runs are interleaved, a server-only item going first only while it sat
 * before the next ordered item in the current list. An ordered item that
 * is new therefore comes before the server-only items that follow it. */
static json_t *api_patch_smp_order(struct api_patch_smp *c, const json_t *merged,
				   const json_t *order, const json_t *server, const char *key)
{
	size_t n = json_array_size(merged), np = 0, ns = 0, i, a = 0, b = 0;
	struct api_patch_rank *p = calloc(n ? n : 1, sizeof(*p));
	struct api_patch_rank *s = calloc(n ? n : 1, sizeof(*s));
	json_t *out = json_array(), *item;

	if (!p || !s || !out) {
		api_patch_smp_fail(c, "out of memory");
		goto fail;
	}
	json_array_foreach(merged, i, item) {
		size_t r;

		if (key && !json_object_get(item, key)) {
			api_patch_smp_fail(c, "item %zu of the current list has no merge key "
					   "\"%s\"", i, key);
			goto fail;
		}
		r = api_patch_smp_index(order, item, key);
		if (r != SIZE_MAX)
			p[np++] = (struct api_patch_rank){ item, r, SIZE_MAX };
		else
			s[ns++] = (struct api_patch_rank){ item, SIZE_MAX, SIZE_MAX };
	}
	for (i = 0; i < np; i++)
		p[i].server = api_patch_smp_index(server, p[i].item, key);
	for (i = 0; i < ns; i++)
		s[i].rank = s[i].server = api_patch_smp_index(server, s[i].item, key);
	api_patch_smp_sort(p, np);
	api_patch_smp_sort(s, ns);
	while (a < ns || b < np) {
		bool left = b >= np || (a < ns && s[a].server != SIZE_MAX &&
					p[b].server != SIZE_MAX && s[a].server < p[b].server);

		if (json_array_append(out, left ? s[a++].item : p[b++].item) < 0) {
			api_patch_smp_fail(c, "out of memory");
			goto fail;
		}
	}
	free(p);
	free(s);
	return out;
fail:
	free(p);
	free(s);
	json_decref(out);
	return NULL;
}

/* ---- lists ---- */

/* The one type every item of the lists shares (numbers are one type, as
 * are booleans), JSON_NULL for empty lists, or -1 with an error. */
static int api_patch_smp_item_type(struct api_patch_smp *c, const json_t *a, const json_t *b)
{
	const json_t *lists[2] = { a, b };
	int type = JSON_NULL;
	bool seen = false;

	for (size_t l = 0; l < 2; l++) {
		size_t i;
		json_t *item;

		json_array_foreach(lists[l], i, item) {
			int t = (int)json_typeof(item);

			if (t == JSON_REAL)
				t = JSON_INTEGER;
			if (t == JSON_FALSE)
				t = JSON_TRUE;
			if (t == JSON_ARRAY) {
				api_patch_smp_fail(c, "lists of lists cannot be merged");
				return -1;
			}
			if (seen && t != type) {
				api_patch_smp_fail(c, "the list items are not all of one type");
				return -1;
			}
			type = t;
			seen = true;
		}
	}
	return type;
}

/* A list of primitives merged as a set: the union, without duplicates. */
static json_t *api_patch_smp_set(struct api_patch_smp *c, const json_t *cur, const json_t *patch)
{
	const json_t *lists[2] = { cur, patch };
	json_t *all = json_array(), *out;

	if (!all)
		goto oom;
	for (size_t l = 0; l < 2; l++) {
		size_t i;
		json_t *item;

		json_array_foreach(lists[l], i, item) {
			if (api_patch_smp_index(all, item, NULL) != SIZE_MAX)
				continue;
			if (json_array_append_new(all, json_deep_copy(item)) < 0)
				goto oom;
		}
	}
	out = api_patch_smp_order(c, all, patch, cur, NULL);
	json_decref(all);
	return out;
oom:
	api_patch_smp_fail(c, "out of memory");
	json_decref(all);
	return NULL;
}

/* Removes every item of list whose merge key equals want. */
static void api_patch_smp_delete_key(json_t *list, const char *key, const json_t *want)
{
	for (size_t i = json_array_size(list); i-- > 0;) {
		const json_t *have = json_object_get(json_array_get(list, i), key);

		if (have && api_patch_equal(have, want))
			json_array_remove(list, i);
	}
}

/* A list of objects merged on key. *natural (when asked for) gets the
 * merged list before ordering: the current items that remain, then the
 * new ones in the patch's order. */
static json_t *api_patch_smp_keyed(struct api_patch_smp *c, const char *key, const json_t *cur,
				   const json_t *patch, json_t **natural)
{
	json_t *work = json_array(), *order = json_array(), *out = NULL, *item;
	bool replace = false;
	size_t i;

	if (!work || !order)
		goto oom;
	if (cur && json_array_extend(work, (json_t *)cur) < 0)
		goto oom;
	/* Directive items first: deletions apply to the current list, and a
	 * replace drops it. */
	json_array_foreach(patch, i, item) {
		const json_t *dir = json_object_get(item, "$patch");
		json_t *kv;

		if (!dir) {
			if (!json_object_get(item, key)) {
				api_patch_smp_fail(c, "item %zu of the patch has no merge key "
						   "\"%s\"", i, key);
				goto fail;
			}
			/* order only lends the items out: it is read, never changed. */
			if (json_array_append(order, item) < 0)
				goto oom;
			continue;
		}
		switch (api_patch_smp_patch_kind(dir)) {
		case 2:
			if (!(kv = json_object_get(item, key))) {
				api_patch_smp_fail(c, "a $patch: delete item has no merge key "
						   "\"%s\"", key);
				goto fail;
			}
			api_patch_smp_delete_key(work, key, kv);
			break;
		case 0:
			replace = true;
			break;
		case 1:
			api_patch_smp_fail(c, "$patch: merge is not supported in a list");
			goto fail;
		default:
			api_patch_smp_bad_patch(c, dir);
			goto fail;
		}
	}
	if (replace)
		json_array_clear(work);
	json_array_foreach(order, i, item) {
		size_t at = replace ? SIZE_MAX : api_patch_smp_index(work, item, key);
		json_t *v;

		if (at != SIZE_MAX) {
			v = api_patch_smp_map(c, json_incref(json_array_get(work, at)), item);
			if (!v)
				goto fail;
			if (json_array_set_new(work, at, v) < 0)
				goto oom;
		} else {
			if (!(v = api_patch_smp_map(c, NULL, item)))
				goto fail;
			if (json_array_append_new(work, v) < 0)
				goto oom;
		}
	}
	/* After a replace the list is the patch's, in the patch's order. */
	out = replace ? json_incref(work) : api_patch_smp_order(c, work, order, cur, key);
	if (out && natural && !replace)
		*natural = json_incref(work);
	goto done;
oom:
	api_patch_smp_fail(c, "out of memory");
fail:
	out = NULL;
done:
	json_decref(work);
	json_decref(order);
	return out;
}

/* A patch list for a field with the merge strategy; cur is the current
 * list or NULL. natural: see api_patch_smp_keyed (left alone for other
 * lists). */
static json_t *api_patch_smp_list(struct api_patch_smp *c, const struct api_patch_field *f,
				  const json_t *cur, const json_t *patch, json_t **natural)
{
	int type = api_patch_smp_item_type(c, cur, patch);
	json_t *out;

	if (type < 0)
		return NULL;
	if (json_array_size(cur) == 0 && json_array_size(patch) == 0) {
		if (!(out = json_array()))
			api_patch_smp_fail(c, "out of memory");
		return out;
	}
	if (type != JSON_OBJECT)
		return api_patch_smp_set(c, cur, patch);
	if (!f->key) {
		api_patch_smp_fail(c, "a list of objects cannot be merged without a merge key");
		return NULL;
	}
	return api_patch_smp_keyed(c, f->key, cur, patch, natural);
}

/* Whether the items of the patch list that are not directives appear in
 * $setElementOrder in the same relative order. */
static int api_patch_smp_check_order(struct api_patch_smp *c, const json_t *list,
				     const json_t *order, const char *key)
{
	size_t pi = 0, oi = 0, np = json_array_size(list), no = json_array_size(order);

	while (pi < np && oi < no) {
		const json_t *p = json_array_get(list, pi), *o = json_array_get(order, oi);
		const json_t *pv = p, *ov = o;

		if (json_is_object(p) && json_object_get(p, "$patch")) {
			pi++;
			continue;
		}
		if (key) {
			pv = json_object_get(p, key);
			ov = json_object_get(o, key);
			if (!pv) {
				api_patch_smp_fail(c, "item %zu of the patch has no merge key "
						   "\"%s\"", pi, key);
				return -1;
			}
		}
		if (api_patch_equal(pv, ov))
			pi++;
		oi++;
	}
	while (pi < np && json_is_object(json_array_get(list, pi)) &&
	       json_object_get(json_array_get(list, pi), "$patch"))
		pi++;
	if (pi < np) {
		api_patch_smp_fail(c, "the order of the patch list does not match "
				   "$setElementOrder");
		return -1;
	}
	return 0;
}

/* $setElementOrder/<name>: merges patch[name] (when there is one) and
 * orders the result. */
static int api_patch_smp_set_order(struct api_patch_smp *c, json_t *obj, const char *name,
				   const json_t *order, const json_t *list)
{
	size_t mark = api_patch_smp_push(c, name), i;
	const struct api_patch_field *f = api_patch_smp_field_meta(c);
	json_t *cur = json_object_get(obj, name), *merged = NULL, *out = NULL, *item;
	json_t *natural = NULL, *server = NULL;
	const char *key;
	int rc = -1;

	if (!json_is_array(order)) {
		api_patch_smp_fail(c, "$setElementOrder must be a list");
		goto out;
	}
	if (cur && !json_is_array(cur)) {
		api_patch_smp_fail(c, "$setElementOrder applies to a list, and this is not one");
		goto out;
	}
	if (list && !json_is_array(list)) {
		api_patch_smp_fail(c, "the patch value must be a list to go with $setElementOrder");
		goto out;
	}
	if (!f || f->how == API_PATCH_REPLACE_MAP) {
		/* An atomic list has no order to set apart from its own. */
		if (list) {
			if (!(out = api_patch_smp_clean_list(c, list)))
				goto out;
			if (json_object_set_new(obj, name, out) < 0) {
				api_patch_smp_fail(c, "out of memory");
				goto out;
			}
		}
		rc = 0;
		goto out;
	}
	key = f->key;
	json_array_foreach(order, i, item) {
		if (key && !json_object_get(item, key)) {
			api_patch_smp_fail(c, "item %zu of $setElementOrder has no merge key "
					   "\"%s\"", i, key);
			goto out;
		}
	}
	if (list && api_patch_smp_check_order(c, list, order, key) < 0)
		goto out;
	if (list) {
		merged = api_patch_smp_list(c, f, cur, list, &natural);
	} else if (cur) {
		if (api_patch_smp_item_type(c, cur, NULL) < 0)
			goto out;
		merged = json_incref(cur);
	} else {
		rc = 0;
		goto out;
	}
	if (!merged)
		goto out;
	/* The API server removes and appends items inside the current list's
	 * own storage before it orders them, so the order it then consults
	 * for the server-only items is the first len(current) items of the
	 * unordered merge: after a deletion a new item takes the freed place,
	 * and server-only items that sat after that place stay after it.
	 * Ordering by the same list gives the same result. */
	if (natural && cur) {
		if (!(server = json_array())) {
			api_patch_smp_fail(c, "out of memory");
			goto out;
		}
		for (i = 0; i < json_array_size(natural) && i < json_array_size(cur); i++) {
			if (json_array_append(server, json_array_get(natural, i)) < 0) {
				api_patch_smp_fail(c, "out of memory");
				goto out;
			}
		}
	}
	if (!(out = api_patch_smp_order(c, merged, order, server ? server : cur, key)))
		goto out;
	if (json_object_set_new(obj, name, out) < 0) {
		api_patch_smp_fail(c, "out of memory");
		goto out;
	}
	rc = 0;
out:
	json_decref(merged);
	json_decref(natural);
	json_decref(server);
	api_patch_smp_pop(c, mark);
	return rc;
}

static bool api_patch_smp_listed(const json_t *names, const char *key)
{
	size_t i;
	json_t *item;

	json_array_foreach(names, i, item)
		if (strcmp(json_string_value(item), key) == 0)
			return true;
	return false;
}

/* $retainKeys: the fields of obj not in the list are cleared; every field
 * the patch sets must be in it. */
static int api_patch_smp_retain(struct api_patch_smp *c, json_t *obj, const json_t *patch)
{
	const json_t *keep = json_object_get(patch, "$retainKeys");
	const char *key, *field;
	json_t *v, *item;
	void *tmp;
	size_t i;

	if (!keep)
		return 0;
	if (!json_is_array(keep)) {
		api_patch_smp_fail(c, "$retainKeys must be a list of field names");
		return -1;
	}
	json_array_foreach(keep, i, item) {
		if (!json_is_string(item)) {
			api_patch_smp_fail(c, "$retainKeys must be a list of field names");
			return -1;
		}
	}
	json_object_foreach((json_t *)patch, key, v) {
		if (json_is_null(v) || api_patch_smp_directive(key, &field) != API_PATCH_DIR_FIELD)
			continue;
		if (!api_patch_smp_listed(keep, key)) {
			api_patch_smp_fail(c, "the patch sets \"%s\", which $retainKeys does "
					   "not list", key);
			return -1;
		}
	}
	json_object_foreach_safe(obj, tmp, key, v) {
		if (!api_patch_smp_listed(keep, key))
			json_object_del(obj, key);
	}
	return 0;
}

/* $deleteFromPrimitiveList/<name>: removes the listed values. */
static int api_patch_smp_delete_values(struct api_patch_smp *c, json_t *obj, const char *name,
				       const json_t *values)
{
	json_t *cur = json_object_get(obj, name);
	size_t mark;

	if (!json_is_array(values)) {
		mark = api_patch_smp_push(c, name);
		api_patch_smp_fail(c, "$deleteFromPrimitiveList must be a list");
		api_patch_smp_pop(c, mark);
		return -1;
	}
	if (!json_is_array(cur))
		return 0;
	for (size_t i = json_array_size(cur); i-- > 0;)
		if (api_patch_smp_index(values, json_array_get(cur, i), NULL) != SIZE_MAX)
			json_array_remove(cur, i);
	return 0;
}

/* Whether patch orders the list field name (then the order pass merged it). */
static bool api_patch_smp_ordered(const json_t *patch, const char *name)
{
	const char *key, *field;
	json_t *v;

	json_object_foreach((json_t *)patch, key, v) {
		if (api_patch_smp_directive(key, &field) == API_PATCH_DIR_ORDER &&
		    strcmp(field, name) == 0)
			return true;
	}
	return false;
}

static bool api_patch_smp_is_delete(const json_t *v)
{
	return json_is_object(v) && api_patch_smp_patch_kind(json_object_get(v, "$patch")) == 2;
}

/* One ordinary field of patch into obj. */
static int api_patch_smp_field(struct api_patch_smp *c, json_t *obj, const char *key,
			       const json_t *val)
{
	json_t *cur = json_object_get(obj, key), *out;
	const struct api_patch_field *f;
	size_t mark;
	int rc = -1;

	if (json_is_null(val)) {
		json_object_del(obj, key);
		return 0;
	}
	mark = api_patch_smp_push(c, key);
	f = api_patch_smp_field_meta(c);
	if (json_is_object(val)) {
		if (api_patch_smp_is_delete(val) && !json_is_object(cur)) {
			/* Deleting what is not there leaves nothing behind. */
			json_object_del(obj, key);
			rc = 0;
			goto out;
		}
		if (json_is_object(cur) && !(f && f->how == API_PATCH_REPLACE_MAP))
			out = api_patch_smp_map(c, json_incref(cur), val);
		else
			out = api_patch_smp_map(c, NULL, val);
	} else if (json_is_array(val)) {
		if (f && f->how != API_PATCH_REPLACE_MAP)
			out = api_patch_smp_list(c, f, json_is_array(cur) ? cur : NULL, val, NULL);
		else
			out = api_patch_smp_clean_list(c, val);
	} else if (!(out = json_deep_copy(val))) {
		api_patch_smp_fail(c, "out of memory");
	}
	if (!out)
		goto out;
	if (json_object_set_new(obj, key, out) < 0) {
		api_patch_smp_fail(c, "out of memory");
		goto out;
	}
	rc = 0;
out:
	api_patch_smp_pop(c, mark);
	return rc;
}

/* Merges patch into obj (a reference this call takes; NULL for none) and
 * returns the result, or NULL with the error set. */
static json_t *api_patch_smp_map(struct api_patch_smp *c, json_t *obj, const json_t *patch)
{
	const json_t *dir = json_object_get(patch, "$patch");
	const char *key, *field;
	json_t *val;

	if (dir) {
		switch (api_patch_smp_patch_kind(dir)) {
		case 0:
			/* Replace: the patch, directives applied to nothing. */
			json_decref(obj);
			obj = NULL;
			break;
		case 1:
			break;
		case 2:
			json_decref(obj);
			if (!(obj = json_object()))
				api_patch_smp_fail(c, "out of memory");
			return obj;
		default:
			api_patch_smp_bad_patch(c, dir);
			goto fail;
		}
	}
	if (!obj && !(obj = json_object())) {
		api_patch_smp_fail(c, "out of memory");
		return NULL;
	}
	if (api_patch_smp_retain(c, obj, patch) < 0)
		goto fail;
	/* Ordered lists first, as the server does: their merge and their
	 * order are one step. */
	json_object_foreach((json_t *)patch, key, val) {
		switch (api_patch_smp_directive(key, &field)) {
		case API_PATCH_DIR_BAD:
			api_patch_smp_fail(c, "bad directive \"%s\" (want %s/<field>)", key,
					   key[1] == 's' ? "$setElementOrder" :
					   "$deleteFromPrimitiveList");
			goto fail;
		case API_PATCH_DIR_ORDER:
			if (api_patch_smp_set_order(c, obj, field, val,
						    json_object_get(patch, field)) < 0)
				goto fail;
			break;
		default:
			break;
		}
	}
	json_object_foreach((json_t *)patch, key, val) {
		if (api_patch_smp_directive(key, &field) != API_PATCH_DIR_FIELD ||
		    api_patch_smp_ordered(patch, key))
			continue;
		if (api_patch_smp_field(c, obj, key, val) < 0)
			goto fail;
	}
	/* Deletions from primitive lists last: kubectl never adds and deletes
	 * one value in one patch, so this order only matters to hand-written
	 * patches, where the deletion wins. */
	json_object_foreach((json_t *)patch, key, val) {
		if (api_patch_smp_directive(key, &field) != API_PATCH_DIR_DELETE)
			continue;
		if (api_patch_smp_delete_values(c, obj, field, val) < 0)
			goto fail;
	}
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

json_t *api_patch_strategic(const json_t *target, const json_t *patch, const char *kind,
			    char *err, size_t errlen)
{
	struct api_patch_smp *c;
	json_t *doc, *out = NULL;

	log_errf(err, errlen, "%s", "");
	if (!json_is_object(target)) {
		log_errf(err, errlen,
			 "strategic merge patch: the object is not a JSON object");
		return NULL;
	}
	if (!json_is_object(patch)) {
		log_errf(err, errlen,
			 "strategic merge patch: the patch must be a JSON object");
		return NULL;
	}
	/* The context holds a path buffer: keep it off the stack of a
	 * recursion-heavy caller. */
	if (!(c = calloc(1, sizeof(*c))) || !(doc = json_deep_copy(target))) {
		log_errf(err, errlen, "strategic merge patch: out of memory");
		free(c);
		return NULL;
	}
	c->kind = kind;
	c->err = err;
	c->errlen = errlen;
	out = api_patch_smp_map(c, doc, patch);
	free(c);
	return out;
}
