/* apiwatch.c — list, then watch, one collection of the API server. */
#include "apiwatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiclient.h"
#include "apiobj.h"
#include "buf.h"
#include "log.h"
#include "store.h"

struct apiwatch {
	struct ev_loop *loop;
	char *sock;
	char *path;
	char *what;
	struct apiclient *c;
	struct apiclient_watch *w;
	json_t *objs;                  /* "ns/name" -> the server's object */
	char rv[64];                   /* of the list, then of the last event */
	bool synced;
	bool down_said;                /* "not answering" was logged */
	uint64_t retry_timer;
	uint64_t retry_ms;             /* the next wait before listing again */
	apiwatch_change_cb *on_change;
	void *data;
};

static void apiwatch_list(struct apiwatch *w);

struct apiwatch *apiwatch_new(struct ev_loop *loop, const char *socket_path, const char *path,
			      const char *what, apiwatch_change_cb *on_change, void *data)
{
	struct apiwatch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->loop = loop;
	w->sock = strdup(socket_path);
	w->path = strdup(path);
	w->what = strdup(what);
	w->c = apiclient_new(socket_path);
	w->objs = json_object();
	if (!w->sock || !w->path || !w->what || !w->c || !w->objs) {
		apiwatch_free(w);
		return NULL;
	}
	apiclient_set_timeout(w->c, APIWATCH_TIMEOUT_MS);
	w->on_change = on_change;
	w->data = data;
	return w;
}

void apiwatch_free(struct apiwatch *w)
{
	if (!w)
		return;
	if (w->retry_timer)
		ev_timer_cancel(w->loop, w->retry_timer);
	apiclient_watch_free(w->w);
	apiclient_free(w->c);
	json_decref(w->objs);
	free(w->sock);
	free(w->path);
	free(w->what);
	free(w);
}

bool apiwatch_synced(const struct apiwatch *w)
{
	return w->synced;
}

uint64_t apiwatch_rv(const struct apiwatch *w)
{
	return strtoull(w->rv, NULL, 10);
}

const json_t *apiwatch_objects(const struct apiwatch *w)
{
	return w->objs;
}

/* Said once until the server answers again. */
static void apiwatch_failed(struct apiwatch *w, const char *doing, const char *err)
{
	if (!w->down_said)
		log_warn("API server at %s: %s %s: %s; keeping what is known, retrying", w->sock,
			 doing, w->what, err);
	w->down_said = true;
}

static void apiwatch_retry_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	struct apiwatch *w = data;

	(void)loop;
	(void)id;
	w->retry_timer = 0;
	apiwatch_list(w);
}

static void apiwatch_retry(struct apiwatch *w)
{
	apiclient_watch_free(w->w);
	w->w = NULL;
	/* A frozen server costs each list a whole timeout on the loop: the
	 * waits between lists grow, so that a daemon with several watches
	 * still spends most of its time serving. */
	if (!w->retry_ms)
		w->retry_ms = APIWATCH_RETRY_MS;
	if (!w->retry_timer)
		w->retry_timer = ev_timer_add(w->loop, w->retry_ms, apiwatch_retry_timer, w);
	if (w->retry_ms < APIWATCH_RETRY_MAX_MS)
		w->retry_ms *= 2;
}

static void apiwatch_key(const json_t *obj, char *out, size_t len)
{
	const json_t *m = json_object_get(obj, "metadata");

	snprintf(out, len, "%s/%s", json_string_value(json_object_get(m, "namespace")) ?: "",
		 json_string_value(json_object_get(m, "name")) ?: "");
}

static void apiwatch_set_rv(struct apiwatch *w, const json_t *obj)
{
	const char *rv = json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "resourceVersion"));

	if (rv)
		snprintf(w->rv, sizeof(w->rv), "%s", rv);
}

static void apiwatch_on_event(struct apiclient_watch *aw, const char *line, size_t len,
			      void *data)
{
	struct apiwatch *w = data;
	json_t *ev = json_loadb(line, len, 0, NULL);
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *obj = json_object_get(ev, "object");
	char key[600];

	(void)aw;
	if (!type || !json_is_object(obj)) {
		log_warn("watch of %s: an event that is not one: %.*s", w->what,
			 (int)(len > 200 ? 200 : len), line);
		json_decref(ev);
		return;
	}
	if (strcmp(type, "ERROR") == 0) {
		/* 410 Expired: our resourceVersion is older than the server's
		 * history; anything else the same way: list again. */
		log_info("watch of %s: %s; listing again", w->what,
			 json_string_value(json_object_get(obj, "message")) ?: "error");
		json_decref(ev);
		apiclient_watch_free(w->w);
		w->w = NULL;
		apiwatch_list(w);
		return;
	}
	apiwatch_set_rv(w, obj);
	if (strcmp(type, "BOOKMARK") == 0) {
		json_decref(ev);
		return;
	}
	apiwatch_key(obj, key, sizeof(key));
	if (strcmp(type, "DELETED") == 0)
		json_object_del(w->objs, key);
	else
		json_object_set(w->objs, key, obj);
	json_decref(ev);
	w->on_change(false, w->data);
}

static void apiwatch_on_end(struct apiclient_watch *aw, int err, const char *msg, void *data)
{
	struct apiwatch *w = data;

	(void)aw;
	if (err == 0)
		log_info("watch of %s ended; listing again", w->what);
	else
		log_warn("watch of %s ended: %s; listing again", w->what, msg);
	apiclient_watch_free(w->w);
	w->w = NULL;
	apiwatch_list(w);
}

/* Lists the collection, replaces the cache, and watches from the list's
 * resourceVersion. On failure the cache stays and the list is retried. */
static void apiwatch_list(struct apiwatch *w)
{
	struct buf b = BUF_INIT;
	json_t *list = NULL, *items, *obj, *objs = NULL;
	char err[256], path[512], key[600];
	size_t i;
	int code;

	code = apiclient_request(w->c, "GET", w->path, NULL, NULL, 0, &b, err, sizeof(err));
	if (code != 200) {
		if (code >= 0)
			snprintf(err, sizeof(err), "HTTP %d: %.200s", code, buf_str(&b));
		apiwatch_failed(w, "listing", err);
		goto retry;
	}
	list = json_loadb(buf_str(&b), b.len, 0, NULL);
	items = json_object_get(list, "items");
	objs = json_object();
	if (!json_is_array(items) || !objs) {
		apiwatch_failed(w, "listing", "not a list");
		goto retry;
	}
	json_array_foreach(items, i, obj) {
		apiwatch_key(obj, key, sizeof(key));
		json_object_set(objs, key, obj);
	}
	apiwatch_set_rv(w, list);
	/* The collection's path may carry a selector already. */
	snprintf(path, sizeof(path), "%s%cwatch=true&allowWatchBookmarks=true&resourceVersion=%s",
		 w->path, strchr(w->path, '?') ? '&' : '?', w->rv);
	apiclient_watch_free(w->w);
	w->w = apiclient_watch_start(w->loop, w->sock, path, apiwatch_on_event, apiwatch_on_end,
				     w, err, sizeof(err));
	if (!w->w) {
		apiwatch_failed(w, "watching", err);
		goto retry;
	}
	if (w->down_said)
		log_info("API server at %s answers again: %s listed", w->sock, w->what);
	w->down_said = false;
	w->retry_ms = 0;
	json_decref(w->objs);
	w->objs = objs;
	objs = NULL;
	w->synced = true;
	json_decref(list);
	buf_free(&b);
	w->on_change(true, w->data);
	return;
retry:
	json_decref(objs);
	json_decref(list);
	buf_free(&b);
	apiwatch_retry(w);
}

void apiwatch_start(struct apiwatch *w)
{
	apiwatch_list(w);
}

static int apiwatch_key_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The cache's keys, sorted: a malloc'd array of borrowed strings. */
static const char **apiwatch_sorted_keys(const struct apiwatch *w, size_t *count)
{
	const char **keys, *key;
	size_t k = 0;
	json_t *v;

	*count = json_object_size(w->objs);
	keys = calloc(*count ? *count : 1, sizeof(*keys));
	if (!keys)
		return NULL;
	json_object_foreach(w->objs, key, v)
		keys[k++] = key;
	qsort(keys, *count, sizeof(*keys), apiwatch_key_cmp);
	return keys;
}

/* The start of a conversion of every object: their keys in order in *keys
 * and a zeroed array of as many elements of elem_size, returned; NULL (err
 * says why, nothing to free) when out of memory. */
static void *apiwatch_list_begin(const struct apiwatch *w, size_t elem_size, const char ***keys,
				 size_t *count, char *err, size_t errlen)
{
	void *list;

	*keys = apiwatch_sorted_keys(w, count);
	list = calloc(*count ? *count : 1, elem_size);
	if (!*keys || !list) {
		free(*keys);
		free(list);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return list;
}

/* The model's parser of one kind, over a malloc'd element. */
typedef int apiwatch_parse_fn(const json_t *obj, void *out, char *err, size_t errlen);

static int apiwatch_parse_service(const json_t *obj, void *out, char *err, size_t errlen)
{
	return model_service_from_value(obj, out, err, errlen);
}

static int apiwatch_parse_pod(const json_t *obj, void *out, char *err, size_t errlen)
{
	return model_pod_from_value(obj, out, err, errlen);
}

/* Every cached object as the model reads it, sorted by key; one the model
 * refuses is logged (as what) and left out. */
static int apiwatch_models(const struct apiwatch *w, size_t elem_size, apiwatch_parse_fn *parse,
			   const char *what, void **out, int *n, char *err, size_t errlen)
{
	size_t count;
	const char **keys;
	char *list = apiwatch_list_begin(w, elem_size, &keys, &count, err, errlen);
	int m = 0;

	*out = NULL;
	*n = 0;
	if (!list)
		return -1;
	for (size_t i = 0; i < count; i++) {
		char e[256];

		/* One object the model refuses does not stop the others. */
		if (parse(json_object_get(w->objs, keys[i]), list + (size_t)m * elem_size, e,
			  sizeof(e)) < 0)
			log_warn("%s %s: %s", what, keys[i], e);
		else
			m++;
	}
	free(keys);
	*out = list;
	*n = m;
	return 0;
}

int apiwatch_services(const struct apiwatch *w, struct model_service **out, int *n, char *err,
		      size_t errlen)
{
	return apiwatch_models(w, sizeof(**out), apiwatch_parse_service, "service", (void **)out,
			       n, err, errlen);
}

int apiwatch_pods(const struct apiwatch *w, struct model_pod **out, int *n, char *err,
		  size_t errlen)
{
	return apiwatch_models(w, sizeof(**out), apiwatch_parse_pod, "pod", (void **)out, n, err,
			       errlen);
}

int apiwatch_endpoints(const struct apiwatch *w, struct model_endpoints **out, int *n,
		       char *err, size_t errlen)
{
	size_t count;
	const char **keys;
	struct model_endpoints *list = apiwatch_list_begin(w, sizeof(*list), &keys, &count, err,
							   errlen);
	int m = 0;

	*out = NULL;
	*n = 0;
	if (!list)
		return -1;
	for (size_t i = 0; i < count; i++) {
		char msg[256];
		int rc = apiobj_slice_endpoints(json_object_get(w->objs, keys[i]), &list[m], msg,
						sizeof(msg));

		if (rc < 0)
			log_warn("endpointslice %s: %s", keys[i], msg);
		else if (rc == 0)
			m++;
	}
	free(keys);
	if (apiobj_endpoints_merge(list, &m) < 0)
		log_warn("endpointslices: out of memory");
	*out = list;
	*n = m;
	return 0;
}
