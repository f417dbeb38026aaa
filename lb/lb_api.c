/* lb_api.c — Services from the lab's API server, status and Events back. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <time.h>

#include "apiclient.h"
#include "apiobj.h"
#include "buf.h"
#include "lab.h"
#include "lb_api.h"
#include "log.h"
#include "store.h"

struct lb_api {
	struct ev_loop *loop;
	char sock[LAB_PATH_MAX + 32];
	struct apiclient *c;
	struct apiclient_watch *w;
	json_t *svcs;                  /* "ns/name" -> the server's Service */
	char rv[64];                   /* of the list, then of the last event */
	bool synced;
	bool down_said;                /* "not answering" was logged */
	uint64_t retry_timer;
	uint64_t quiet_until;          /* no request before (ev_now_ms) after a failure */
	lb_api_change_cb *on_change;
	void *data;
};

static void lb_api_list(struct lb_api *a);

struct lb_api *lb_api_new(struct ev_loop *loop, const char *socket_path,
			  lb_api_change_cb *on_change, void *data)
{
	struct lb_api *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->loop = loop;
	snprintf(a->sock, sizeof(a->sock), "%s", socket_path);
	a->c = apiclient_new(socket_path);
	a->svcs = json_object();
	if (!a->c || !a->svcs) {
		lb_api_free(a);
		return NULL;
	}
	apiclient_set_timeout(a->c, LB_API_TIMEOUT_MS);
	a->on_change = on_change;
	a->data = data;
	return a;
}

void lb_api_free(struct lb_api *a)
{
	if (!a)
		return;
	if (a->retry_timer)
		ev_timer_cancel(a->loop, a->retry_timer);
	apiclient_watch_free(a->w);
	apiclient_free(a->c);
	json_decref(a->svcs);
	free(a);
}

bool lb_api_synced(const struct lb_api *a)
{
	return a->synced;
}

/* A failed request: said once until the server answers again, and no
 * other request for a while, so that a frozen server costs the loop one
 * timeout per LB_API_RETRY_MS rather than one per Service. */
static void lb_api_failed(struct lb_api *a, const char *what, const char *err)
{
	if (!a->down_said)
		log_warn("API server at %s: %s: %s; the data path stays as it is, retrying",
			 a->sock, what, err);
	a->down_said = true;
	a->quiet_until = ev_now_ms() + LB_API_RETRY_MS;
}

static void lb_api_answered(struct lb_api *a)
{
	if (a->down_said)
		log_info("API server at %s answers again", a->sock);
	a->down_said = false;
}

static void lb_api_retry_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	struct lb_api *a = data;

	(void)loop;
	(void)id;
	a->retry_timer = 0;
	lb_api_list(a);
}

static void lb_api_retry(struct lb_api *a)
{
	apiclient_watch_free(a->w);
	a->w = NULL;
	if (!a->retry_timer)
		a->retry_timer = ev_timer_add(a->loop, LB_API_RETRY_MS, lb_api_retry_timer, a);
}

static void lb_api_key(const json_t *obj, char *out, size_t len)
{
	const json_t *m = json_object_get(obj, "metadata");

	snprintf(out, len, "%s/%s", json_string_value(json_object_get(m, "namespace")) ?: "",
		 json_string_value(json_object_get(m, "name")) ?: "");
}

static void lb_api_set_rv(struct lb_api *a, const json_t *obj)
{
	const char *rv = json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "resourceVersion"));

	if (rv)
		snprintf(a->rv, sizeof(a->rv), "%s", rv);
}

static void lb_api_on_event(struct apiclient_watch *w, const char *line, size_t len, void *data)
{
	struct lb_api *a = data;
	json_t *ev = json_loadb(line, len, 0, NULL);
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *obj = json_object_get(ev, "object");
	char key[600];

	(void)w;
	if (!type || !json_is_object(obj)) {
		log_warn("watch of services: an event that is not one: %.*s", (int)(len > 200 ? 200
										      : len), line);
		json_decref(ev);
		return;
	}
	if (strcmp(type, "ERROR") == 0) {
		/* 410 Expired: our resourceVersion is older than the server's
		 * history; anything else the same way: list again. */
		log_info("watch of services: %s; listing again",
			 json_string_value(json_object_get(obj, "message")) ?: "error");
		json_decref(ev);
		apiclient_watch_free(a->w);
		a->w = NULL;
		lb_api_list(a);
		return;
	}
	lb_api_set_rv(a, obj);
	if (strcmp(type, "BOOKMARK") == 0) {
		json_decref(ev);
		return;
	}
	lb_api_key(obj, key, sizeof(key));
	if (strcmp(type, "DELETED") == 0)
		json_object_del(a->svcs, key);
	else
		json_object_set(a->svcs, key, obj);
	json_decref(ev);
	a->on_change(false, a->data);
}

static void lb_api_on_end(struct apiclient_watch *w, int err, const char *msg, void *data)
{
	struct lb_api *a = data;

	(void)w;
	if (err == 0)
		log_info("watch of services ended; listing again");
	else
		log_warn("watch of services ended: %s; listing again", msg);
	apiclient_watch_free(a->w);
	a->w = NULL;
	lb_api_list(a);
}

/* Lists the Services, replaces the cache, and watches from the list's
 * resourceVersion. On failure the cache stays and the list is retried. */
static void lb_api_list(struct lb_api *a)
{
	struct buf b = BUF_INIT;
	json_t *list = NULL, *items, *obj, *svcs = NULL;
	char err[256], path[160], key[600];
	size_t i;
	int code;

	code = apiclient_request(a->c, "GET", "/api/v1/services", NULL, NULL, 0, &b, err,
				 sizeof(err));
	if (code != 200) {
		if (code >= 0)
			snprintf(err, sizeof(err), "HTTP %d: %.200s", code, buf_str(&b));
		lb_api_failed(a, "listing services", err);
		goto retry;
	}
	list = json_loadb(buf_str(&b), b.len, 0, NULL);
	items = json_object_get(list, "items");
	svcs = json_object();
	if (!json_is_array(items) || !svcs) {
		lb_api_failed(a, "listing services", "not a list");
		goto retry;
	}
	json_array_foreach(items, i, obj) {
		lb_api_key(obj, key, sizeof(key));
		json_object_set(svcs, key, obj);
	}
	lb_api_answered(a);
	lb_api_set_rv(a, list);
	snprintf(path, sizeof(path), "/api/v1/services?watch=true&allowWatchBookmarks=true"
		 "&resourceVersion=%s", a->rv);
	apiclient_watch_free(a->w);
	a->w = apiclient_watch_start(a->loop, a->sock, path, lb_api_on_event, lb_api_on_end, a,
				     err, sizeof(err));
	if (!a->w) {
		lb_api_failed(a, "watching services", err);
		goto retry;
	}
	json_decref(a->svcs);
	a->svcs = svcs;
	svcs = NULL;
	a->synced = true;
	a->quiet_until = 0;
	json_decref(list);
	buf_free(&b);
	a->on_change(true, a->data);
	return;
retry:
	json_decref(svcs);
	json_decref(list);
	buf_free(&b);
	lb_api_retry(a);
}

void lb_api_start(struct lb_api *a)
{
	lb_api_list(a);
}

static int lb_api_key_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The Service as the lab's model holds it: long annotations (kubectl's
 * last-applied configuration) have no room there and mean nothing here. */
static int lb_api_model(const json_t *obj, struct model_service *out, char *err, size_t errlen)
{
	char *text = apiobj_model_text(obj);
	int rc = -1;

	if (!text)
		snprintf(err, errlen, "out of memory");
	else
		rc = model_service_from_json(text, strlen(text), out, err, errlen);
	free(text);
	return rc;
}

int lb_api_services(const struct lb_api *a, struct model_service **out, int *n, char *err,
		    size_t errlen)
{
	size_t count = json_object_size(a->svcs), k = 0;
	const char **keys = calloc(count ? count : 1, sizeof(*keys));
	struct model_service *list = calloc(count ? count : 1, sizeof(*list));
	const char *key;
	json_t *v;
	int m = 0;

	*out = NULL;
	*n = 0;
	if (!keys || !list) {
		free(keys);
		free(list);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object_foreach(a->svcs, key, v)
		keys[k++] = key;
	qsort(keys, count, sizeof(*keys), lb_api_key_cmp);
	for (size_t i = 0; i < count; i++) {
		char e[256];

		/* One Service the model refuses does not stop the others. */
		if (lb_api_model(json_object_get(a->svcs, keys[i]), &list[m], e, sizeof(e)) < 0)
			log_warn("service %s: %s", keys[i], e);
		else
			m++;
	}
	free(keys);
	*out = list;
	*n = m;
	return 0;
}

/* One request, unless the server failed a moment ago. The HTTP status, or
 * -1 (logged). */
static int lb_api_send(struct lb_api *a, const char *method, const char *path,
		       const char *content_type, json_t *body, const char *what)
{
	struct buf b = BUF_INIT;
	char *text = json_dumps(body, JSON_COMPACT), err[256];
	int code = -1;

	if (!text)
		return -1;
	if (a->quiet_until && ev_now_ms() < a->quiet_until)
		goto out;
	code = apiclient_request(a->c, method, path, content_type, text, strlen(text), &b, err,
				 sizeof(err));
	if (code < 0) {
		lb_api_failed(a, what, err);
		goto out;
	}
	lb_api_answered(a);
	if (code < 200 || code >= 300)
		log_warn("%s: HTTP %d: %.300s", what, code, buf_str(&b));
out:
	free(text);
	buf_free(&b);
	return code;
}

int lb_api_put_status(struct lb_api *a, const char *ns, const char *name, struct in_addr ip)
{
	char path[600], addr[INET_ADDRSTRLEN], what[300];
	json_t *body;
	int code;

	/* A merge patch: null removes the ingress, and nothing else of the
	 * status is touched. */
	if (ip.s_addr)
		body = json_pack("{s:{s:{s:[{s:s, s:s}]}}}", "status", "loadBalancer", "ingress",
				 "ip", inet_ntop(AF_INET, &ip, addr, sizeof(addr)), "ipMode", "VIP");
	else
		body = json_pack("{s:{s:{s:n}}}", "status", "loadBalancer", "ingress");
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/services/%s/status", ns, name);
	snprintf(what, sizeof(what), "%s/%s: writing the status", ns, name);
	code = lb_api_send(a, "PATCH", path, "application/merge-patch+json", body, what);
	json_decref(body);
	return code >= 200 && code < 300 ? 0 : -1;
}

int lb_api_event(struct lb_api *a, const struct model_meta *svc, const char *type,
		 const char *reason, const char *message, const char *component)
{
	char path[600], name[300], now[MODEL_TIME_MAX], what[300];
	struct timespec ts;
	json_t *body;
	int code;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* Named as Kubernetes' event recorder names them: the object's name
	 * and a unique suffix. */
	snprintf(name, sizeof(name), "%s.%" PRIx64, svc->name,
		 (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	model_time_now(now);
	body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:s, s:s,"
			 " s:{s:s}, s:s, s:s, s:i, s:s, s:s}",
			 "apiVersion", "v1", "kind", "Event",
			 "metadata", "name", name, "namespace", svc->ns,
			 "involvedObject", "apiVersion", "v1", "kind", "Service", "namespace", svc->ns,
			 "name", svc->name, "uid", svc->uid,
			 "type", type, "reason", reason, "message", message,
			 "source", "component", component,
			 "firstTimestamp", now, "lastTimestamp", now, "count", 1,
			 "reportingComponent", component, "reportingInstance", component);
	if (!body)
		return -1;
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/events", svc->ns);
	snprintf(what, sizeof(what), "%s/%s: recording %s", svc->ns, svc->name, reason);
	code = lb_api_send(a, "POST", path, "application/json", body, what);
	json_decref(body);
	return code >= 200 && code < 300 ? 0 : -1;
}
