/* api_objects.c — see api_objects.h. */
#include "api_json.h"
#include "api_objects.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"

/* How many changes a watch can resume across. A lab makes a few changes a
 * second; the real API server keeps about five minutes of history (etcd
 * compaction), which this covers many times over. */
#define API_HISTORY 16384

struct api_objects_watcher {
	struct api_objects_watcher *next;
	api_objects_cb *cb;
	void *data;
	bool dead;
};

struct api_objects {
	char *dir;
	uint64_t rv;
	size_t n_res;
	const struct api_resource *res;   /* the registry's array */
	json_t **by_res;                  /* per resource: "ns/name" -> object */
	struct api_event *hist;           /* ring of the last API_HISTORY events */
	size_t hist_start, hist_len;
	struct api_objects_watcher *watchers;
	int notifying;                    /* depth of callbacks running */
};

const char *api_event_type_name(enum api_event_type t)
{
	switch (t) {
	case API_EVENT_ADDED: return "ADDED";
	case API_EVENT_MODIFIED: return "MODIFIED";
	case API_EVENT_DELETED: return "DELETED";
	}
	return "ERROR";
}

static size_t api_objects_index(const struct api_objects *o, const struct api_resource *r)
{
	return (size_t)(r - o->res);
}

static void api_objects_key(const char *ns, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", ns ? ns : "", name);
}

/* <dir>/<group or "core">/<resource>/ */
static void api_objects_res_dir(const struct api_objects *o, const struct api_resource *r,
				char *out, size_t len)
{
	snprintf(out, len, "%s/%s/%s", o->dir, r->group[0] ? r->group : "core", r->resource);
}

static void api_objects_path(const struct api_objects *o, const struct api_resource *r,
			     const char *ns, const char *name, char *out, size_t len)
{
	char d[4096];

	api_objects_res_dir(o, r, d, sizeof(d));
	if (ns && ns[0])
		snprintf(out, len, "%s/%s_%s.json", d, ns, name);
	else
		snprintf(out, len, "%s/%s.json", d, name);
}

static uint64_t api_objects_obj_rv(const json_t *obj)
{
	const char *s = api_json_meta(obj, "resourceVersion");
	return strtoull(s, NULL, 10);
}

static int api_objects_save_rv(struct api_objects *o)
{
	char path[4096], text[32];
	int n = snprintf(text, sizeof(text), "%" PRIu64 "\n", o->rv);

	snprintf(path, sizeof(path), "%s/resourceVersion", o->dir);
	return fs_write_atomic(path, text, (size_t)n, 0600);
}

static void api_objects_load_res(struct api_objects *o, const struct api_resource *r)
{
	char d[4096];
	DIR *dir;
	struct dirent *de;

	api_objects_res_dir(o, r, d, sizeof(d));
	if (fs_mkdir_p(d, 0700) < 0)
		return;
	dir = opendir(d);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char path[8192], key[600];
		size_t nl = strlen(de->d_name);
		json_error_t jerr;
		json_t *obj;

		if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", d, de->d_name);
		obj = json_load_file(path, 0, &jerr);
		if (!obj || !json_is_object(obj) || !api_json_meta(obj, "name")[0]) {
			log_warn("%s: skipped: %s", path, obj ? "no metadata.name" : jerr.text);
			json_decref(obj);
			continue;
		}
		api_objects_key(r->namespaced ? api_json_meta(obj, "namespace") : "",
				api_json_meta(obj, "name"), key, sizeof(key));
		json_object_set_new(o->by_res[api_objects_index(o, r)], key, obj);
		if (api_objects_obj_rv(obj) > o->rv)
			o->rv = api_objects_obj_rv(obj);
	}
	closedir(dir);
}

struct api_objects *api_objects_open(const char *dir, char *err, size_t errlen)
{
	struct api_objects *o = calloc(1, sizeof(*o));
	char path[4096];
	char *text = NULL;
	size_t len;
	int rc;

	if (!o)
		goto oom;
	o->res = api_registry_all(&o->n_res);
	o->dir = strdup(dir);
	o->by_res = calloc(o->n_res, sizeof(*o->by_res));
	o->hist = calloc(API_HISTORY, sizeof(*o->hist));
	if (!o->dir || !o->by_res || !o->hist)
		goto oom;
	rc = fs_mkdir_p(dir, 0700);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
		api_objects_close(o);
		return NULL;
	}
	/* The counter survives deletions, so versions never go back after a
	 * restart even when the newest object is gone. */
	snprintf(path, sizeof(path), "%s/resourceVersion", dir);
	if (fs_read_all(path, &text, &len) == 0) {
		o->rv = strtoull(text, NULL, 10);
		free(text);
	}
	for (size_t i = 0; i < o->n_res; i++) {
		o->by_res[i] = json_object();
		if (!o->by_res[i])
			goto oom;
		api_objects_load_res(o, &o->res[i]);
	}
	return o;
oom:
	snprintf(err, errlen, "out of memory");
	api_objects_close(o);
	return NULL;
}

void api_objects_close(struct api_objects *o)
{
	if (!o)
		return;
	for (size_t i = 0; o->by_res && i < o->n_res; i++)
		json_decref(o->by_res[i]);
	for (size_t i = 0; o->hist && i < o->hist_len; i++)
		json_decref(o->hist[(o->hist_start + i) % API_HISTORY].obj);
	while (o->watchers) {
		struct api_objects_watcher *w = o->watchers;
		o->watchers = w->next;
		free(w);
	}
	free(o->hist);
	free(o->by_res);
	free(o->dir);
	free(o);
}

uint64_t api_objects_rv(const struct api_objects *o)
{
	return o->rv;
}

json_t *api_objects_get(struct api_objects *o, const struct api_resource *r, const char *ns,
			const char *name)
{
	char key[600];

	api_objects_key(r->namespaced ? ns : "", name, key, sizeof(key));
	return json_object_get(o->by_res[api_objects_index(o, r)], key);
}

/* "ns/name" keys in namespace-then-name order. A plain strcmp is not: '-'
 * sorts before '/', which would put namespace "a-b" before "a". */
static int api_objects_cmp_key(const void *a, const void *b)
{
	const char *ka = *(const char *const *)a, *kb = *(const char *const *)b;
	size_t na = strcspn(ka, "/"), nb = strcspn(kb, "/");
	int c = strncmp(ka, kb, na < nb ? na : nb);

	if (c == 0 && na != nb)
		return na < nb ? -1 : 1;  /* one namespace is a prefix of the other */
	return c ? c : strcmp(ka + na, kb + nb);
}

json_t *api_objects_list(struct api_objects *o, const struct api_resource *r, const char *ns)
{
	json_t *map = o->by_res[api_objects_index(o, r)];
	size_t n = json_object_size(map), k = 0, nslen = ns ? strlen(ns) : 0;
	const char **keys = malloc((n ? n : 1) * sizeof(*keys));
	json_t *out = json_array();
	const char *key;
	json_t *v;

	if (!keys || !out) {
		free(keys);
		json_decref(out);
		return NULL;
	}
	json_object_foreach(map, key, v) {
		/* "ns/name": a namespace filter is a prefix up to the slash. */
		if (ns && (strncmp(key, ns, nslen) != 0 || key[nslen] != '/'))
			continue;
		keys[k++] = key;
	}
	qsort(keys, k, sizeof(*keys), api_objects_cmp_key);
	for (size_t i = 0; i < k; i++)
		json_array_append(out, json_object_get(map, keys[i]));
	free(keys);
	return out;
}

size_t api_objects_count(struct api_objects *o, const struct api_resource *r)
{
	return json_object_size(o->by_res[api_objects_index(o, r)]);
}

static void api_objects_notify(struct api_objects *o, enum api_event_type type,
			       const struct api_resource *r, json_t *obj)
{
	struct api_event *slot;
	struct api_event ev = { .rv = o->rv, .type = type, .res = r, .obj = obj };

	if (o->hist_len == API_HISTORY) {
		json_decref(o->hist[o->hist_start].obj);
		o->hist_start = (o->hist_start + 1) % API_HISTORY;
		o->hist_len--;
	}
	slot = &o->hist[(o->hist_start + o->hist_len) % API_HISTORY];
	*slot = ev;
	json_incref(obj);
	o->hist_len++;

	o->notifying++;
	for (struct api_objects_watcher *w = o->watchers; w; w = w->next)
		if (!w->dead)
			w->cb(&ev, w->data);
	o->notifying--;
	if (o->notifying == 0) {
		struct api_objects_watcher **pp = &o->watchers;
		while (*pp) {
			struct api_objects_watcher *w = *pp;
			if (w->dead) {
				*pp = w->next;
				free(w);
			} else {
				pp = &w->next;
			}
		}
	}
}

int api_objects_put(struct api_objects *o, const struct api_resource *r, json_t *obj,
		    char *err, size_t errlen)
{
	char key[600], path[8192], rvtext[24];
	const char *ns = r->namespaced ? api_json_meta(obj, "namespace") : "";
	const char *name = api_json_meta(obj, "name");
	json_t *map = o->by_res[api_objects_index(o, r)];
	json_t *meta = json_object_get(obj, "metadata");
	bool existed;
	char *text;
	int rc;

	if (!json_is_object(meta) || !name[0]) {
		snprintf(err, errlen, "object without metadata.name");
		json_decref(obj);
		return -1;
	}
	api_objects_key(ns, name, key, sizeof(key));
	existed = json_object_get(map, key) != NULL;
	snprintf(rvtext, sizeof(rvtext), "%" PRIu64, o->rv + 1);
	json_object_set_new(meta, "resourceVersion", json_string(rvtext));

	text = json_dumps(obj, JSON_COMPACT);
	api_objects_path(o, r, ns, name, path, sizeof(path));
	rc = text ? fs_write_atomic(path, text, strlen(text), 0600) : -ENOMEM;
	free(text);
	if (rc < 0) {
		snprintf(err, errlen, "storing %s: %s", path, strerror(-rc));
		json_decref(obj);
		return -1;
	}
	o->rv++;
	if (api_objects_save_rv(o) < 0)
		log_warn("%s/resourceVersion: not saved", o->dir);
	json_object_set_new(map, key, obj);
	api_objects_notify(o, existed ? API_EVENT_MODIFIED : API_EVENT_ADDED, r, obj);
	return 0;
}

int api_objects_remove(struct api_objects *o, const struct api_resource *r, const char *ns,
		       const char *name)
{
	char key[600], path[8192], rvtext[24];
	json_t *map = o->by_res[api_objects_index(o, r)];
	json_t *obj, *last;

	api_objects_key(r->namespaced ? ns : "", name, key, sizeof(key));
	obj = json_object_get(map, key);
	if (!obj)
		return -ENOENT;
	api_objects_path(o, r, r->namespaced ? ns : "", name, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("%s: %s", path, strerror(errno));
	/* The DELETED event carries the last state at a version of its own, as
	 * the real API server sends it. */
	last = json_deep_copy(obj);
	json_object_del(map, key);
	if (!last)
		return -ENOMEM;
	o->rv++;
	if (api_objects_save_rv(o) < 0)
		log_warn("%s/resourceVersion: not saved", o->dir);
	snprintf(rvtext, sizeof(rvtext), "%" PRIu64, o->rv);
	json_object_set_new(json_object_get(last, "metadata"), "resourceVersion",
			    json_string(rvtext));
	api_objects_notify(o, API_EVENT_DELETED, r, last);
	json_decref(last);
	return 0;
}

struct api_objects_watcher *api_objects_watch(struct api_objects *o, api_objects_cb *cb,
					      void *data)
{
	struct api_objects_watcher *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->cb = cb;
	w->data = data;
	w->next = o->watchers;
	o->watchers = w;
	return w;
}

void api_objects_unwatch(struct api_objects *o, struct api_objects_watcher *w)
{
	if (!w)
		return;
	if (o->notifying) {
		w->dead = true;
		return;
	}
	for (struct api_objects_watcher **pp = &o->watchers; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			free(w);
			return;
		}
	}
}

int api_objects_replay(struct api_objects *o, uint64_t rv, api_objects_cb *cb, void *data)
{
	size_t i = 0;

	if (rv >= o->rv)
		return 0;
	/* The oldest event kept must be the very next one after rv, or some
	 * change in between is lost. */
	if (o->hist_len == 0 || o->hist[o->hist_start].rv > rv + 1)
		return -ESTALE;
	for (; i < o->hist_len; i++) {
		const struct api_event *ev = &o->hist[(o->hist_start + i) % API_HISTORY];
		if (ev->rv > rv)
			cb(ev, data);
	}
	return 0;
}
