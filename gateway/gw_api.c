/* gw_api.c — the gateway as a client of the lab's API server.
 *
 * Each kind is listed, then watched from the list's resourceVersion, as an
 * informer does; a watch that ends (the server's timeout, a restart of the
 * server) or answers 410 Expired is followed by a fresh list after a short
 * pause. Every change schedules one rebuild of the routes on the next loop
 * turn, so a burst of events (a rollout) costs one rebuild. The rebuild also
 * writes status.loadBalancer.ingress of each Ingress of the gateway's class
 * that does not show the gateway's address yet, as Application Gateway's
 * controller publishes the gateway's public IP.
 */
#include "gw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

#define GW_API_RELIST_MS    200     /* after a clean end of a watch */
#define GW_API_RETRY_MIN_MS 500     /* after a failure, doubling ... */
#define GW_API_RETRY_MAX_MS 5000    /* ... up to this */
#define GW_API_TIMEOUT_MS   3000

static const char *const gw_api_paths[GW_NKINDS] = {
	[GW_INGRESSES] = "/apis/networking.k8s.io/v1/ingresses",
	[GW_SERVICES] = "/api/v1/services",
	[GW_SLICES] = "/apis/discovery.k8s.io/v1/endpointslices",
};

static void gw_api_list(struct gw_kind *k);

static void gw_api_key(const json_t *obj, char *key, size_t len)
{
	const json_t *meta = json_object_get(obj, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));

	snprintf(key, len, "%s/%s", ns ? ns : "", name ? name : "");
}

/* The status the gateway gives its Ingresses. */
static json_t *gw_api_lb_ingress(const struct gw *gw)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &gw->listen_addr.sin_addr, ip, sizeof(ip));
	return json_pack("[{s:s}]", "ip", ip);
}

static void gw_api_write_status(struct gw *gw, const json_t *ing, const json_t *want)
{
	const json_t *meta = json_object_get(ing, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	json_t *patch;
	char path[512], err[256], *body;
	struct buf resp = BUF_INIT;
	int code;

	if (!ns || !name)
		return;
	patch = json_pack("{s:{s:{s:O}}}", "status", "loadBalancer", "ingress", want);
	body = patch ? json_dumps(patch, JSON_COMPACT) : NULL;
	json_decref(patch);
	if (!body)
		return;
	snprintf(path, sizeof(path), "/apis/networking.k8s.io/v1/namespaces/%s/ingresses/%s/status",
		 ns, name);
	code = apiclient_request(gw->api, "PATCH", path, "application/merge-patch+json", body,
				 strlen(body), &resp, err, sizeof(err));
	if (code == 200)
		log_info("ingress %s/%s: address %s", ns, name,
			 json_string_value(json_object_get(json_array_get(want, 0), "ip")));
	else if (code != 404) /* deleted meanwhile: nothing to say */
		log_warn("ingress %s/%s: writing its status: %s", ns, name,
			 code < 0 ? err : buf_str(&resp));
	free(body);
	buf_free(&resp);
}

static void gw_api_rebuild(struct ev_loop *loop, uint64_t id, void *data)
{
	struct gw *gw = data;
	struct gw_routes r;
	const json_t *ing;
	json_t *want;
	const char *key;

	(void)loop;
	(void)id;
	gw->rebuild_timer = 0;
	if (gw_routes_build(gw->kinds[GW_INGRESSES].objs, &r) < 0) {
		log_error("routes: out of memory; keeping the previous ones");
		return;
	}
	gw_routes_free(&gw->routes);
	gw->routes = r;
	log_debug("routes: %zu rule(s)%s", r.n, r.has_default ? " and a default backend" : "");
	want = gw_api_lb_ingress(gw);
	json_object_foreach(gw->kinds[GW_INGRESSES].objs, key, ing) {
		const json_t *have = json_object_get(json_object_get(json_object_get(ing, "status"),
								     "loadBalancer"), "ingress");

		if (want && gw_route_ours(ing) && !json_equal(have, want))
			gw_api_write_status(gw, ing, want);
	}
	json_decref(want);
}

static void gw_api_changed(struct gw *gw)
{
	if (!gw->rebuild_timer)
		gw->rebuild_timer = ev_timer_add(gw->loop, 0, gw_api_rebuild, gw);
}

static void gw_api_retry_cb(struct ev_loop *loop, uint64_t id, void *data)
{
	struct gw_kind *k = data;

	(void)loop;
	(void)id;
	k->retry_timer = 0;
	gw_api_list(k);
}

static void gw_api_retry(struct gw_kind *k, bool failed)
{
	uint64_t ms = GW_API_RELIST_MS;

	if (failed) {
		ms = GW_API_RETRY_MIN_MS << (k->failures < 4 ? k->failures : 4);
		if (ms > GW_API_RETRY_MAX_MS)
			ms = GW_API_RETRY_MAX_MS;
		k->failures++;
	}
	if (!k->retry_timer)
		k->retry_timer = ev_timer_add(k->gw->loop, ms, gw_api_retry_cb, k);
}

static void gw_api_on_event(struct apiclient_watch *w, const char *line, size_t len, void *data)
{
	struct gw_kind *k = data;
	json_t *ev = json_loadb(line, len, 0, NULL), *obj;
	const char *type, *rv;
	char key[384];

	(void)w;
	type = json_string_value(json_object_get(ev, "type"));
	obj = json_object_get(ev, "object");
	if (!type || !json_is_object(obj)) {
		log_warn("%s: unreadable watch event", k->path);
		goto out;
	}
	if (strcmp(type, "ERROR") == 0) {
		/* 410 Expired: list again (on_end follows when the stream ends). */
		const char *msg = json_string_value(json_object_get(obj, "message"));

		log_info("%s: %s; listing again", k->path, msg ? msg : "watch error");
		k->rv[0] = '\0';
		goto out;
	}
	rv = json_string_value(json_object_get(json_object_get(obj, "metadata"),
					       "resourceVersion"));
	if (rv)
		snprintf(k->rv, sizeof(k->rv), "%s", rv);
	if (strcmp(type, "BOOKMARK") == 0)
		goto out;
	gw_api_key(obj, key, sizeof(key));
	if (strcmp(type, "DELETED") == 0)
		json_object_del(k->objs, key);
	else
		json_object_set(k->objs, key, obj);
	gw_api_changed(k->gw);
out:
	json_decref(ev);
}

static void gw_api_on_end(struct apiclient_watch *w, int err, const char *msg, void *data)
{
	struct gw_kind *k = data;

	apiclient_watch_free(w);
	k->watch = NULL;
	if (err)
		log_warn("%s: watch ended: %s", k->path, msg);
	gw_api_retry(k, err != 0);
}

/* GET the list, replace what the kind held, then watch from its version. */
static void gw_api_list(struct gw_kind *k)
{
	struct gw *gw = k->gw;
	struct buf resp = BUF_INIT;
	char err[256], path[256];
	json_t *list = NULL, *objs, *item;
	const char *rv;
	size_t i;
	int code;

	code = apiclient_request(gw->api, "GET", k->path, NULL, NULL, 0, &resp, err, sizeof(err));
	if (code != 200) {
		if (k->failures == 0 || k->listed)
			log_warn("list %s: %s", k->path, code < 0 ? err : buf_str(&resp));
		goto fail;
	}
	list = json_loadb(resp.data, resp.len, 0, NULL);
	rv = json_string_value(json_object_get(json_object_get(list, "metadata"),
					       "resourceVersion"));
	objs = json_object();
	if (!rv || !objs) {
		json_decref(objs);
		log_warn("list %s: unreadable answer", k->path);
		goto fail;
	}
	json_array_foreach(json_object_get(list, "items"), i, item) {
		char key[384];

		gw_api_key(item, key, sizeof(key));
		json_object_set(objs, key, item);
	}
	json_decref(k->objs);
	k->objs = objs;
	snprintf(k->rv, sizeof(k->rv), "%s", rv);
	snprintf(path, sizeof(path), "%s?watch=true&allowWatchBookmarks=true&resourceVersion=%s",
		 k->path, k->rv);
	k->watch = apiclient_watch_start(gw->loop, gw->sock_path, path, gw_api_on_event,
					 gw_api_on_end, k, err, sizeof(err));
	if (!k->watch) {
		log_warn("watch %s: %s", k->path, err);
		goto fail;
	}
	if (!k->listed)
		log_info("%s: %zu object(s), watching from resourceVersion %s", k->path,
			 json_object_size(objs), k->rv);
	k->listed = true;
	k->failures = 0;
	gw_api_changed(gw);
	json_decref(list);
	buf_free(&resp);
	return;
fail:
	json_decref(list);
	buf_free(&resp);
	gw_api_retry(k, true);
}

int gw_api_start(struct gw *gw, char *err, size_t errlen)
{
	gw->api = apiclient_new(gw->sock_path);
	gw->rr = json_object();
	if (!gw->api || !gw->rr) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	apiclient_set_timeout(gw->api, GW_API_TIMEOUT_MS);
	for (int i = 0; i < GW_NKINDS; i++) {
		struct gw_kind *k = &gw->kinds[i];

		k->gw = gw;
		k->path = gw_api_paths[i];
		k->objs = json_object();
		if (!k->objs) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	/* Not ready yet is not an error: the server may be starting too. */
	for (int i = 0; i < GW_NKINDS; i++)
		gw_api_list(&gw->kinds[i]);
	return 0;
}

void gw_api_stop(struct gw *gw)
{
	for (int i = 0; i < GW_NKINDS; i++) {
		struct gw_kind *k = &gw->kinds[i];

		if (k->watch)
			apiclient_watch_free(k->watch);
		if (k->retry_timer)
			ev_timer_cancel(gw->loop, k->retry_timer);
		json_decref(k->objs);
		memset(k, 0, sizeof(*k));
	}
	if (gw->rebuild_timer)
		ev_timer_cancel(gw->loop, gw->rebuild_timer);
	gw->rebuild_timer = 0;
	gw_routes_free(&gw->routes);
	json_decref(gw->rr);
	gw->rr = NULL;
	apiclient_free(gw->api);
	gw->api = NULL;
}
