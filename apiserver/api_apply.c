/* api_apply.c — server-side apply (PATCH application/apply-patch+yaml).
 *
 * The real API server tracks, per field, which manager set it
 * (managedFields, structured-merge-diff) and reports conflicts between
 * managers. clientip keeps the part a single user relies on: each
 * manager's last applied field set is recorded in managedFields in the
 * real FieldsV1 shape ("f:spec": {"f:replicas": {}}, list items keyed
 * "k:{\"name\":\"app\"}"), and a new apply removes what the manager applied
 * before and applies no more, then merges the new configuration with the
 * kinds' merge keys. Conflicts between managers are not detected: every
 * apply behaves as with --force-conflicts. apiserver/README.md lists it
 * among the differences.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_patch.h"
#include "api_server.h"

static void api_apply_path(char *out, size_t len, const char *path, const char *key)
{
	snprintf(out, len, "%s%s%s", path, path[0] ? "." : "", key);
}

/* "k:{\"name\":\"app\"}" for an item of a list merged on key. */
static char *api_apply_item_key(const json_t *item, const char *key)
{
	json_t *k = json_pack("{s:O?}", key, json_object_get(item, key));
	char *text = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS), *out = NULL;

	json_decref(k);
	if (text && asprintf(&out, "k:%s", text) < 0)
		out = NULL;
	free(text);
	return out;
}

static json_t *api_apply_fieldset(const json_t *v, const char *kind, const char *path)
{
	json_t *set = json_object();
	const char *k;
	json_t *child;
	char sub[512], fk[300];

	if (!json_is_object(v))
		return set;
	json_object_foreach((json_t *)v, k, child) {
		const char *mk;
		api_apply_path(sub, sizeof(sub), path, k);
		snprintf(fk, sizeof(fk), "f:%s", k);
		if (json_is_array(child) && (mk = api_patch_merge_key(kind, sub))) {
			json_t *items = json_object();
			size_t i;
			json_t *it;
			json_array_foreach(child, i, it) {
				char *ik = api_apply_item_key(it, mk);
				json_t *fs = api_apply_fieldset(it, kind, sub);
				if (ik) {
					json_object_set_new(fs, ".", json_object());
					json_object_set_new(items, ik, fs);
				} else {
					json_decref(fs);
				}
				free(ik);
			}
			json_object_set_new(set, fk, items);
		} else {
			json_object_set_new(set, fk, api_apply_fieldset(child, kind, sub));
		}
	}
	return set;
}

static json_t *api_apply_find_item(json_t *list, const char *ikey, const char *mk)
{
	size_t i;
	json_t *it;

	json_array_foreach(list, i, it) {
		char *k = api_apply_item_key(it, mk);
		bool same = k && strcmp(k, ikey) == 0;
		free(k);
		if (same)
			return it;
	}
	return NULL;
}

/* Removes from obj what prev (the manager's last field set) has and
 * applied no longer has. */
static void api_apply_prune(json_t *obj, const json_t *prev, const json_t *applied,
			    const char *kind, const char *path)
{
	const char *fk;
	json_t *fs;

	if (!json_is_object(obj))
		return;
	json_object_foreach((json_t *)prev, fk, fs) {
		const char *k = fk + 2;
		json_t *live, *want;
		char sub[512];

		if (strncmp(fk, "f:", 2) != 0)
			continue;
		live = json_object_get(obj, k);
		want = json_object_get(applied, k);
		if (!want) {
			json_object_del(obj, k);
			continue;
		}
		api_apply_path(sub, sizeof(sub), path, k);
		if (json_is_object(live) && json_is_object(want)) {
			api_apply_prune(live, fs, want, kind, sub);
		} else if (json_is_array(live) && json_is_array(want)) {
			const char *mk = api_patch_merge_key(kind, sub);
			const char *ik;
			json_t *ifs;
			if (!mk)
				continue;
			json_object_foreach(fs, ik, ifs) {
				json_t *li = api_apply_find_item(live, ik, mk);
				json_t *wi = api_apply_find_item(want, ik, mk);
				size_t i;
				json_t *it;
				if (!li)
					continue;
				if (wi) {
					api_apply_prune(li, ifs, wi, kind, sub);
					continue;
				}
				json_array_foreach(live, i, it) {
					if (it == li) {
						json_array_remove(live, i);
						break;
					}
				}
			}
		}
	}
}

static json_t *api_apply_entry(const json_t *managed, const char *manager)
{
	size_t i;
	json_t *e;

	json_array_foreach(managed, i, e) {
		const char *m = json_string_value(json_object_get(e, "manager"));
		const char *op = json_string_value(json_object_get(e, "operation"));
		if (m && op && strcmp(m, manager) == 0 && strcmp(op, "Apply") == 0)
			return e;
	}
	return NULL;
}

void api_apply_record(json_t *obj, const json_t *old, const char *manager)
{
	json_t *meta = json_object_get(obj, "metadata");
	const json_t *om;
	json_t *managed = json_array(), *e, *clean;
	const char *apiv = json_string_value(json_object_get(obj, "apiVersion"));
	char now[32];
	size_t i;

	om = json_object_get(json_object_get(old, "metadata"), "managedFields");
	json_array_foreach(om, i, e) {
		const char *m = json_string_value(json_object_get(e, "manager"));
		const char *op = json_string_value(json_object_get(e, "operation"));
		if (!(m && op && strcmp(m, manager) == 0 && strcmp(op, "Apply") == 0))
			json_array_append(managed, e);
	}
	/* The field set covers what the user applied, not what the server
	 * adds (identity, managedFields itself). */
	clean = json_deep_copy(obj);
	json_object_del(clean, "apiVersion");
	json_object_del(clean, "kind");
	json_object_del(clean, "status");
	{
		json_t *cm = json_object_get(clean, "metadata");
		static const char *const server[] = { "uid", "resourceVersion", "generation",
						      "creationTimestamp", "managedFields",
						      "namespace", "deletionTimestamp" };
		for (size_t k = 0; k < sizeof(server) / sizeof(server[0]); k++)
			json_object_del(cm, server[k]);
	}
	api_now_rfc3339(now);
	json_array_append_new(managed, json_pack("{s:s, s:s, s:s?, s:s, s:s, s:o}", "manager",
						 manager, "operation", "Apply", "apiVersion", apiv,
						 "time", now, "fieldsType", "FieldsV1", "fieldsV1",
						 api_apply_fieldset(clean, json_string_value(
							 json_object_get(obj, "kind")) ?
							 json_string_value(json_object_get(obj, "kind"))
							 : "", "")));
	json_decref(clean);
	if (json_is_object(meta))
		json_object_set_new(meta, "managedFields", managed);
	else
		json_decref(managed);
}

json_t *api_apply_merge(const json_t *old, const json_t *applied, const char *kind,
			const char *manager, char *err, size_t errlen)
{
	const json_t *managed = json_object_get(json_object_get(old, "metadata"), "managedFields");
	json_t *entry = api_apply_entry(managed, manager);
	json_t *live = json_deep_copy(old), *patch, *result, *rec;

	if (entry)
		api_apply_prune(live, json_object_get(entry, "fieldsV1"), applied, kind, "");
	patch = json_deep_copy(applied);
	json_object_del(json_object_get(patch, "metadata"), "managedFields");
	result = api_patch_strategic(live, patch, kind, err, errlen);
	json_decref(patch);
	json_decref(live);
	if (!result)
		return NULL;
	/* The record uses the applied configuration, not the merged object. */
	rec = json_deep_copy(applied);
	if (!json_is_object(json_object_get(rec, "metadata")))
		json_object_set_new(rec, "metadata", json_object());
	json_object_set(rec, "kind", json_object_get(old, "kind"));
	json_object_set(rec, "apiVersion", json_object_get(old, "apiVersion"));
	api_apply_record(rec, old, manager);
	json_object_set(json_object_get(result, "metadata"), "managedFields",
			json_object_get(json_object_get(rec, "metadata"), "managedFields"));
	json_decref(rec);
	return result;
}
