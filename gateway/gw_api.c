/* gw_api.c — the gateway as a client of the lab's API server.
 *
 * Each kind is listed, then watched (lib/apiwatch: an informer in the
 * small, as the load balancer and the node proxy use it). Every change
 * schedules one rebuild of the routes on the next loop turn, so a burst of
 * events (a rollout) costs one rebuild. The rebuild also
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

#include "apiwatch.h"
#include "buf.h"
#include "log.h"

#define GW_API_TIMEOUT_MS   3000    /* a status write */

static const struct {
	const char *path, *what;
} gw_api_kinds[GW_NKINDS] = {
	[GW_INGRESSES] = { "/apis/networking.k8s.io/v1/ingresses", "ingresses" },
	[GW_SERVICES] = { "/api/v1/services", "services" },
	[GW_SLICES] = { "/apis/discovery.k8s.io/v1/endpointslices", "endpointslices" },
};

const json_t *gw_objects(const struct gw *gw, enum gw_kind_id kind)
{
	const struct gw_kind *k = &gw->kinds[kind];

	return k->w ? apiwatch_objects(k->w) : k->objs;
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
	if (gw_routes_build(gw_objects(gw, GW_INGRESSES), &r) < 0) {
		log_error("routes: out of memory; keeping the previous ones");
		return;
	}
	gw_routes_free(&gw->routes);
	gw->routes = r;
	log_debug("routes: %zu rule(s)%s", r.n, r.has_default ? " and a default backend" : "");
	want = gw_api_lb_ingress(gw);
	json_object_foreach((json_t *)gw_objects(gw, GW_INGRESSES), key, ing) {
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

static void gw_api_on_change(bool relisted, void *data)
{
	(void)relisted;
	gw_api_changed(data);
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
		gw->kinds[i].w = apiwatch_new(gw->loop, gw->sock_path, gw_api_kinds[i].path,
					      gw_api_kinds[i].what, gw_api_on_change, gw);
		if (!gw->kinds[i].w) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	/* Not ready yet is not an error: the server may be starting too, and
	 * the watches retry on their own. */
	for (int i = 0; i < GW_NKINDS; i++)
		apiwatch_start(gw->kinds[i].w);
	return 0;
}

void gw_api_stop(struct gw *gw)
{
	for (int i = 0; i < GW_NKINDS; i++) {
		apiwatch_free(gw->kinds[i].w);
		json_decref(gw->kinds[i].objs);
		memset(&gw->kinds[i], 0, sizeof(gw->kinds[i]));
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
