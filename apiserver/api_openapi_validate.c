/* api_openapi_validate.c — server-side field validation (declared in
 * api_discovery.h): an object's fields walked against the kind's type in
 * the table of api_openapi_types.c, each field the type does not have
 * named with its path, as the real server's strict decoding names it.
 * What to do about them (refuse, warn, drop) is the caller's, per the
 * request's fieldValidation.
 */
#include "api_discovery.h"
#include "api_openapi_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

struct api_openapi_walk {
	json_t *causes;
	int found;
	struct buf path;        /* spec.template.spec.containers[0] */
};

static void api_openapi_walk_object(struct api_openapi_walk *w, const struct api_openapi_type *t,
				    const json_t *obj, bool top);

static void api_openapi_path_cut(struct api_openapi_walk *w, size_t len)
{
	w->path.len = len;
	if (w->path.data)
		w->path.data[len] = '\0';
}

static void api_openapi_report(struct api_openapi_walk *w)
{
	const char *path = buf_str(&w->path);
	char *msg;
	size_t len = strlen(path) + sizeof("unknown field \"\"");

	w->found++;
	if (!w->causes || !(msg = malloc(len)))
		return;
	snprintf(msg, len, "unknown field \"%s\"", path);
	json_array_append_new(w->causes, json_pack("{s:s, s:s, s:s}", "reason",
						   "FieldValueInvalid", "message", msg,
						   "field", path));
	free(msg);
}

static void api_openapi_walk_value(struct api_openapi_walk *w, const struct api_openapi_type *from,
				   const char *spec, size_t len, const json_t *val)
{
	const struct api_openapi_type *t;
	size_t mark = w->path.len;

	if (len == 0)
		return;
	if (spec[0] == '[') {
		size_t i;
		const json_t *elem;

		if (!json_is_array(val))
			return;
		json_array_foreach(val, i, elem) {
			buf_printf(&w->path, "[%zu]", i);
			api_openapi_walk_value(w, from, spec + 1, len - 1, elem);
			api_openapi_path_cut(w, mark);
		}
		return;
	}
	/* Maps hold scalars or quantities only; the other types are
	 * scalars, or free-form. */
	if (!api_openapi_is_ref(spec, len) || !json_is_object(val))
		return;
	t = api_openapi_resolve(from, spec, len);
	if (t)
		api_openapi_walk_object(w, t, val, false);
}

static void api_openapi_walk_object(struct api_openapi_walk *w, const struct api_openapi_type *t,
				    const json_t *obj, bool top)
{
	const char *key;
	const json_t *val;
	size_t mark = w->path.len;
	struct api_openapi_field f;

	json_object_foreach((json_t *)obj, key, val) {
		bool known = api_openapi_find_field(t, key, strlen(key), &f);

		if (top && known && strcmp(key, "status") == 0)
			continue;
		if (mark)
			buf_putc(&w->path, '.');
		buf_puts(&w->path, key);
		if (known)
			api_openapi_walk_value(w, t, f.type, f.type_len, val);
		else
			api_openapi_report(w);
		api_openapi_path_cut(w, mark);
	}
}

int api_openapi_unknown_fields(const char *kind, const json_t *obj, json_t *causes)
{
	struct api_openapi_walk w = { causes, 0, BUF_INIT };
	const struct api_resource *all;
	const struct api_openapi_type *t = NULL;
	size_t n;

	if (!kind || !json_is_object(obj))
		return 0;
	all = api_registry_all(&n);
	for (size_t i = 0; i < n && !t; i++)
		if (strcmp(all[i].kind, kind) == 0)
			t = api_openapi_kind_type(&all[i]);
	if (!t)
		return 0;
	api_openapi_walk_object(&w, t, obj, true);
	buf_free(&w.path);
	return w.found;
}

char *api_openapi_strict_error(const json_t *causes)
{
	struct buf b = BUF_INIT;
	const json_t *c;
	size_t i;
	char *out;

	buf_puts(&b, "strict decoding error: ");
	json_array_foreach(causes, i, c) {
		const char *msg = json_string_value(json_object_get(c, "message"));

		if (!msg)
			continue;
		buf_printf(&b, "%s%s", i ? ", " : "", msg);
	}
	out = b.oom ? NULL : strdup(buf_str(&b));
	buf_free(&b);
	return out;
}
