/* api_watch.c — watch streams (see api_server.h).
 *
 * A watch is a chunked response that stays open: one JSON line per event,
 * {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}, only
 * events newer than the resourceVersion the client gave. Without one (or
 * with "0") the client first gets every current object as ADDED, as the
 * real API server's "get state and start at most recent" semantics give.
 * A resourceVersion older than the history gets one ERROR event with a 410
 * Expired Status, after which clients list again.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_select.h"
#include "api_server.h"
#include "api_table.h"

/* kube-apiserver sends a bookmark about once a minute; a lab is small and
 * the clients gain from fresher versions. */
#define API_WATCH_BOOKMARK_MS 15000

struct api_watch {
	struct api_server *s;
	struct api_http_conn *c;
	const struct api_resource *r;
	char *ns;
	struct api_selector *labels, *fields;
	bool table, bookmarks;
	struct api_objects_watcher *watcher;
	uint64_t timeout_timer, bookmark_timer;
};

static void api_watch_free(struct api_watch *w)
{
	if (w->watcher)
		api_objects_unwatch(w->s->objects, w->watcher);
	if (w->timeout_timer)
		ev_timer_cancel(w->s->loop, w->timeout_timer);
	if (w->bookmark_timer)
		ev_timer_cancel(w->s->loop, w->bookmark_timer);
	api_select_free(w->labels);
	api_select_free(w->fields);
	free(w->ns);
	free(w);
}

static void api_watch_on_close(struct api_http_conn *c, void *data)
{
	(void)c;
	api_watch_free(data);
}

static void api_watch_finish(struct api_watch *w)
{
	api_http_on_close(w->c, NULL, NULL);
	api_http_stream_end(w->c);
	api_watch_free(w);
}

/* Writes one event; false when the connection is gone (w is freed). */
static bool api_watch_send(struct api_watch *w, const char *type, json_t *obj)
{
	json_t *ev, *payload = obj;
	char *text;
	int rc;

	if (w->table && strcmp(type, "BOOKMARK") && strcmp(type, "ERROR")) {
		json_t *one = json_pack("[O]", obj);
		payload = api_table_build(w->r, one, NULL, "Object", (int64_t)time(NULL));
		json_decref(one);
	} else {
		json_incref(payload);
	}
	ev = json_pack("{s:s, s:o}", "type", type, "object", payload);
	text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	if (!text)
		return true;
	/* One event per chunk, newline-terminated: clients split on lines. */
	rc = api_http_stream_write(w->c, text, strlen(text));
	if (rc == 0)
		rc = api_http_stream_write(w->c, "\n", 1);
	free(text);
	return rc == 0;
}

static bool api_watch_wants(const struct api_watch *w, const struct api_event *ev)
{
	const char *ns;

	if (ev->res != w->r)
		return false;
	if (w->ns) {
		ns = json_string_value(json_object_get(json_object_get(ev->obj, "metadata"),
						       "namespace"));
		if (!ns || strcmp(ns, w->ns) != 0)
			return false;
	}
	return api_select_match(w->labels, ev->obj) && api_select_match(w->fields, ev->obj);
}

static void api_watch_on_event(const struct api_event *ev, void *data)
{
	struct api_watch *w = data;

	if (!api_watch_wants(w, ev))
		return;
	if (!api_watch_send(w, api_event_type_name(ev->type), ev->obj)) {
		/* The transport closes the connection and runs the close
		 * callback, which frees w. */
		return;
	}
}

static void api_watch_on_timeout(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_watch *w = data;

	(void)loop;
	(void)id;
	w->timeout_timer = 0;
	api_watch_finish(w);
}

static void api_watch_on_bookmark(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_watch *w = data;
	char rv[24], apiv[64];
	json_t *bm;

	(void)id;
	w->bookmark_timer = ev_timer_add(loop, API_WATCH_BOOKMARK_MS, api_watch_on_bookmark, w);
	snprintf(rv, sizeof(rv), "%" PRIu64, api_objects_rv(w->s->objects));
	bm = json_pack("{s:s, s:s, s:{s:s}}", "kind", w->r->kind, "apiVersion",
		       api_resource_api_version(w->r, apiv, sizeof(apiv)), "metadata",
		       "resourceVersion", rv);
	api_watch_send(w, "BOOKMARK", bm);
	json_decref(bm);
}

void api_watch_serve(struct api_server *s, struct api_http_conn *c, const struct api_resource *r,
		     const char *ns, const char *rv_text, struct api_selector *labels,
		     struct api_selector *fields, int timeout_s, bool bookmarks, bool as_table)
{
	struct api_watch *w = calloc(1, sizeof(*w));
	uint64_t rv = 0;
	char *end = NULL;

	if (!w) {
		api_select_free(labels);
		api_select_free(fields);
		api_http_respond(c, 500, "application/json", NULL, "{}", 2);
		return;
	}
	*w = (struct api_watch){ .s = s, .c = c, .r = r, .ns = ns ? strdup(ns) : NULL,
				 .labels = labels, .fields = fields, .table = as_table,
				 .bookmarks = bookmarks };
	if (rv_text[0]) {
		rv = strtoull(rv_text, &end, 10);
		if (*end) {
			json_t *st = api_status_new(400, "BadRequest", NULL, "invalid resource version: "
						    "%s", rv_text);
			char *text = json_dumps(st, JSON_COMPACT);
			api_http_respond(c, 400, "application/json", NULL, text, strlen(text));
			free(text);
			json_decref(st);
			api_watch_free(w);
			return;
		}
	}
	api_http_stream_start(c, 200, "application/json");
	api_http_on_close(c, api_watch_on_close, w);
	if (rv == 0) {
		json_t *all = api_objects_list(s->objects, r, ns), *obj;
		size_t i;
		json_array_foreach(all, i, obj) {
			if (!api_select_match(labels, obj) || !api_select_match(fields, obj))
				continue;
			if (!api_watch_send(w, "ADDED", obj))
				break;
		}
		json_decref(all);
	} else if (api_objects_replay(s->objects, rv, api_watch_on_event, w) < 0) {
		char msg[128];
		json_t *st;
		snprintf(msg, sizeof(msg), "too old resource version: %" PRIu64 " (%" PRIu64 ")", rv,
			 api_objects_rv(s->objects));
		st = api_status_new(410, "Expired", NULL, "%s", msg);
		api_watch_send(w, "ERROR", st);
		json_decref(st);
		api_watch_finish(w);
		return;
	}
	w->watcher = api_objects_watch(s->objects, api_watch_on_event, w);
	if (timeout_s > 0)
		w->timeout_timer = ev_timer_add(s->loop, (uint64_t)timeout_s * 1000,
						api_watch_on_timeout, w);
	if (bookmarks)
		w->bookmark_timer = ev_timer_add(s->loop, API_WATCH_BOOKMARK_MS,
						 api_watch_on_bookmark, w);
}
