/* api_table.c — see api_table.h: the Table and how its cells are
 * written.
 *
 * kubectl prints the cells exactly as the server sends them, so each
 * kind's cells are computed the way the real API server's printers compute
 * them (the STATUS of a pod from its container states, "<none>" and
 * "<pending>" placeholders, "+ 2 more..." lists, "2 (5m ago)" restarts).
 * Cell types follow upstream too: some counts are JSON numbers, others
 * strings, and kubectl does not care which. The kinds' columns and cells
 * are api_table_printers.c's; the cell writers they share are here
 * (api_table_int.h).
 */
#include "api_json.h"
#include "api_table.h"
#include "api_table_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_select.h"
#include "buf.h"
#include "model.h"

/* ---- cells ------------------------------------------------------------ */

void api_table_age(int64_t seconds, char *out, size_t len)
{
	int64_t minutes = seconds / 60, hours = seconds / 3600, days = hours / 24;

	/* Up to a second in the future is clock skew, not an error. */
	if (seconds < -1) {
		snprintf(out, len, "<invalid>");
	} else if (seconds < 0) {
		snprintf(out, len, "0s");
	} else if (seconds < 120) {
		snprintf(out, len, "%llds", (long long)seconds);
	} else if (minutes < 10) {
		if (seconds % 60)
			snprintf(out, len, "%lldm%llds", (long long)minutes,
				 (long long)(seconds % 60));
		else
			snprintf(out, len, "%lldm", (long long)minutes);
	} else if (minutes < 180) {
		snprintf(out, len, "%lldm", (long long)minutes);
	} else if (hours < 8) {
		if (minutes % 60)
			snprintf(out, len, "%lldh%lldm", (long long)hours,
				 (long long)(minutes % 60));
		else
			snprintf(out, len, "%lldh", (long long)hours);
	} else if (hours < 48) {
		snprintf(out, len, "%lldh", (long long)hours);
	} else if (hours < 24 * 8) {
		if (hours % 24)
			snprintf(out, len, "%lldd%lldh", (long long)days, (long long)(hours % 24));
		else
			snprintf(out, len, "%lldd", (long long)days);
	} else if (hours < 24 * 365 * 2) {
		snprintf(out, len, "%lldd", (long long)days);
	} else if (hours < 24 * 365 * 8) {
		if (days % 365)
			snprintf(out, len, "%lldy%lldd", (long long)(days / 365),
				 (long long)(days % 365));
		else
			snprintf(out, len, "%lldy", (long long)(days / 365));
	} else {
		snprintf(out, len, "%lldy", (long long)(days / 365));
	}
}

const char *api_table_str(const json_t *obj, const char *path)
{
	const json_t *v = api_json_path(obj, path);

	return json_is_string(v) ? json_string_value(v) : "";
}

json_int_t api_table_int(const json_t *obj, const char *path)
{
	const json_t *v = api_json_path(obj, path);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

size_t api_table_count(const json_t *obj, const char *path)
{
	const json_t *v = api_json_path(obj, path);

	return json_is_object(v) ? json_object_size(v) : json_array_size(v);
}

/* "<unknown>" for a missing or unreadable time, as kubectl shows it. */
void api_table_since(const char *rfc3339, int64_t now, char *out, size_t len)
{
	int64_t t = *rfc3339 ? model_time_parse(rfc3339) : -1;

	if (t < 0)
		snprintf(out, len, "<unknown>");
	else
		api_table_age(now - t, out, len);
}

void api_table_put(struct api_table_row *row, json_t *v)
{
	if (json_array_append_new(row->cells, v) < 0)
		row->oom = true;
}

void api_table_put_s(struct api_table_row *row, const char *s)
{
	json_t *v = json_string(s);

	/* Only invalid UTF-8 makes json_string fail short of memory. */
	api_table_put(row, v ? v : json_string(""));
}

void api_table_put_i(struct api_table_row *row, json_int_t i)
{
	api_table_put(row, json_integer(i));
}

void api_table_put_b(struct api_table_row *row, const struct buf *b)
{
	if (b->oom)
		row->oom = true;
	api_table_put_s(row, buf_str(b));
}

void api_table_put_age(struct api_table_row *row)
{
	char age[32];

	api_table_since(api_table_str(row->obj, "metadata.creationTimestamp"), row->now, age,
			sizeof(age));
	api_table_put_s(row, age);
}

void api_table_put_name(struct api_table_row *row)
{
	api_table_put_s(row, api_table_str(row->obj, "metadata.name"));
}

/* "k1=v1,k2=v2" by key, "<none>" if empty (labels.FormatLabels). */
int api_table_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void api_table_put_labels(struct api_table_row *row, const json_t *map)
{
	size_t n = json_object_size(map), i = 0;
	const char **keys = n ? calloc(n, sizeof(*keys)) : NULL;
	struct buf b = BUF_INIT;
	const char *k;
	const json_t *v;

	if (n && !keys) {
		row->oom = true;
		api_table_put_s(row, "");
		return;
	}
	json_object_foreach((json_t *)map, k, v)
		keys[i++] = k;
	if (n > 1)
		qsort(keys, n, sizeof(*keys), api_table_cmp_str);
	for (i = 0; i < n; i++) {
		v = json_object_get(map, keys[i]);
		buf_printf(&b, "%s%s=%s", i ? "," : "", keys[i],
			   json_is_string(v) ? json_string_value(v) : "");
	}
	if (!n)
		buf_puts(&b, "<none>");
	api_table_put_b(row, &b);
	buf_free(&b);
	free(keys);
}

/* The CONTAINERS and IMAGES cells of a pod template, comma-joined. */
void api_table_put_containers(struct api_table_row *row, const json_t *tmpl)
{
	const json_t *cs = api_json_path(tmpl, "spec.containers");
	struct buf names = BUF_INIT, images = BUF_INIT;
	const json_t *c;
	size_t i;

	json_array_foreach(cs, i, c) {
		buf_printf(&names, "%s%s", i ? "," : "", api_table_str(c, "name"));
		buf_printf(&images, "%s%s", i ? "," : "", api_table_str(c, "image"));
	}
	api_table_put_b(row, &names);
	api_table_put_b(row, &images);
	buf_free(&names);
	buf_free(&images);
}

/* A LabelSelector cell; bad selectors show as upstream's printers show
 * them ("<error>" or "<invalid>"), empty ones as empty_text. */
void api_table_put_selector(struct api_table_row *row, const json_t *sel,
			    const char *bad_text, const char *empty_text)
{
	char err[256];
	char *s = api_select_from_object(sel, err, sizeof(err));

	if (!s) {
		if (strcmp(err, "out of memory") == 0)
			row->oom = true;
		api_table_put_s(row, bad_text);
		return;
	}
	api_table_put_s(row, *s ? s : empty_text);
	free(s);
}

void api_table_list_add(struct api_table_list *l, const char *item)
{
	if (l->shown < 3) {
		buf_printf(&l->b, "%s%s", l->shown ? "," : "", item);
		l->shown++;
	}
	l->count++;
}

void api_table_list_put(struct api_table_row *row, struct api_table_list *l,
			const char *empty_text)
{
	if (l->count > 3)
		buf_printf(&l->b, " + %zu more...", l->count - 3);
	else if (!l->count)
		buf_puts(&l->b, empty_text);
	api_table_put_b(row, &l->b);
	buf_free(&l->b);
}

bool api_table_cond_true(const json_t *conds, const char *type)
{
	const json_t *c;
	size_t i;

	json_array_foreach(conds, i, c)
		if (strcmp(api_table_str(c, "type"), type) == 0)
			return strcmp(api_table_str(c, "status"), "True") == 0;
	return false;
}

/* ---- the Table -------------------------------------------------------- */

static json_t *api_table_columns(const struct api_table_printer *p)
{
	json_t *cols = json_array();

	for (size_t i = 0; cols && i < p->ncols; i++) {
		const struct api_table_col *c = &p->cols[i];

		if (json_array_append_new(cols, json_pack("{s:s, s:s, s:s, s:s, s:i}", "name",
							  c->name, "type", c->type, "format",
							  c->format, "description", c->desc,
							  "priority", c->priority)) < 0) {
			json_decref(cols);
			return NULL;
		}
	}
	return cols;
}

/* The row's "object": the object's metadata alone, all of it, or none. */
static int api_table_row_object(json_t *row, const json_t *obj, const char *include)
{
	json_t *md;

	if (include && strcmp(include, "None") == 0)
		return 0;
	if (include && strcmp(include, "Object") == 0)
		return json_object_set(row, "object", (json_t *)obj);
	md = json_object_get(obj, "metadata");
	return json_object_set_new(row, "object", json_pack(
		"{s:s, s:s, s:o}", "kind", "PartialObjectMetadata", "apiVersion", "meta.k8s.io/v1",
		"metadata", md ? json_incref(md) : json_object()));
}

json_t *api_table_build(const struct api_resource *r, const json_t *objs,
			const json_t *list_meta, const char *include_object, int64_t now)
{
	const struct api_table_printer *p = api_table_printer_for(r ? r->kind : "");
	json_t *table, *rows, *md;
	const json_t *obj;
	size_t i;

	md = json_is_object(list_meta) ? json_deep_copy(list_meta) : json_object();
	table = json_pack("{s:s, s:s, s:o, s:o, s:[]}", "kind", "Table", "apiVersion",
			  "meta.k8s.io/v1", "metadata", md, "columnDefinitions",
			  api_table_columns(p), "rows");
	if (!table)
		return NULL;
	rows = json_object_get(table, "rows");
	json_array_foreach(objs, i, obj) {
		struct api_table_row row = { obj, now, json_array(), NULL, false };
		json_t *jr;
		int rc = 0;

		if (row.cells)
			p->cells(&row);
		/* The _new setters take their reference even when they fail. */
		jr = json_object();
		rc |= json_object_set_new(jr, "cells", row.cells);
		if (row.conditions)
			rc |= json_object_set_new(jr, "conditions", row.conditions);
		rc |= api_table_row_object(jr, obj, include_object);
		if (!jr || row.oom || rc) {
			json_decref(jr);
			json_decref(table);
			return NULL;
		}
		if (json_array_append_new(rows, jr) < 0) {
			json_decref(table);
			return NULL;
		}
	}
	return table;
}
