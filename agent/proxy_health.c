/* proxy_health.c — kube-proxy's HTTP endpoints on a node.
 *
 * Health check node ports: for every LoadBalancer Service with
 * externalTrafficPolicy Local, a server on <node address>:<healthCheckNodePort>
 * answering any path. The cloud load balancer probes it: 200 while this
 * node has a ready endpoint of the Service (and the proxy is healthy),
 * 503 otherwise, so it sends new flows only to nodes that can serve them
 * without SNAT. Terminating endpoints do not count, so a node whose pods
 * are shutting down drains.
 *
 * Port 10256: /healthz (the proxy's own health, what a load balancer
 * with policy Cluster could probe) and /livez; port 10249: /metrics.
 */
#include "proxy_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "lab.h"
#include "log.h"
#include "model.h"

/* Unix ms as RFC 3339 with milliseconds, "2026-11-27T08:00:00.123Z". */
static void proxy_rfc3339(int64_t ms, char *out, size_t len)
{
	model_time_format_frac(ms / 1000, (long)(ms % 1000) * 1000000, 3, out, len);
}

static void proxy_json_headers(struct httpd_resp *resp)
{
	snprintf(resp->content_type, sizeof(resp->content_type), "application/json");
	httpd_resp_header(resp, "X-Content-Type-Options", "nosniff");
}

static void proxy_hc_handle(const struct httpd_req *req, struct httpd_resp *resp, void *data)
{
	const struct proxy_hc *hc = data;
	bool healthy = proxy_healthy(hc->p);
	struct jsonw w;

	(void)req;
	proxy_json_headers(resp);
	httpd_resp_header(resp, "X-Load-Balancing-Endpoint-Weight", "%d", hc->local_ready);
	resp->status = hc->local_ready > 0 && healthy ? 200 : 503;
	jsonw_init(&w, &resp->body, false);
	jsonw_begin_object(&w);
	jsonw_key(&w, "service");
	jsonw_begin_object(&w);
	jsonw_kv_str(&w, "namespace", hc->ns);
	jsonw_kv_str(&w, "name", hc->name);
	jsonw_end_object(&w);
	jsonw_kv_int(&w, "localEndpoints", hc->local_ready);
	jsonw_kv_bool(&w, "serviceProxyHealthy", healthy);
	jsonw_end_object(&w);
}

/* kube-proxy's /healthz and /livez: 200 while healthy (lastUpdated is then
 * the current time, as kube-proxy keeps it for older clients), else 503
 * with the last time everything was programmed; "status" per IP family
 * (IPv4 only here). /healthz adds nodeEligible: a lab node is never
 * marked for deletion by an autoscaler. */
static void proxy_healthz_handle(const struct httpd_req *req, struct httpd_resp *resp, void *data)
{
	struct proxy *p = data;
	bool healthy = proxy_healthy(p), livez = strcmp(req->path, "/livez") == 0;
	char last[64] = "", fam_last[64], now[64];
	int64_t now_ms = ev_wall_ms();
	struct jsonw w;

	if (!livez && strcmp(req->path, "/healthz") != 0) {
		resp->status = 404;
		buf_puts(&resp->body, "404 page not found\n");
		return;
	}
	proxy_rfc3339(now_ms, now, sizeof(now));
	proxy_rfc3339(p->updated_wall_ms, fam_last, sizeof(fam_last));
	snprintf(last, sizeof(last), "%s", healthy ? now : fam_last);
	proxy_json_headers(resp);
	resp->status = healthy ? 200 : 503;
	if (livez)
		p->m.livez[!healthy]++;
	else
		p->m.healthz[!healthy]++;
	jsonw_init(&w, &resp->body, false);
	jsonw_begin_object(&w);
	jsonw_kv_str(&w, "lastUpdated", last);
	jsonw_kv_str(&w, "currentTime", now);
	if (!livez)
		jsonw_kv_bool(&w, "nodeEligible", true);
	jsonw_kv_bool(&w, "healthy", healthy);
	jsonw_key(&w, "status");
	jsonw_begin_object(&w);
	jsonw_key(&w, "IPv4");
	jsonw_begin_object(&w);
	jsonw_kv_str(&w, "lastUpdated", fam_last);
	jsonw_kv_bool(&w, "healthy", healthy);
	jsonw_end_object(&w);
	jsonw_end_object(&w);
	jsonw_end_object(&w);
}

static void proxy_metrics_handle(const struct httpd_req *req, struct httpd_resp *resp, void *data)
{
	struct proxy *p = data;

	if (strcmp(req->path, "/metrics") != 0) {
		resp->status = 404;
		buf_puts(&resp->body, "404 page not found\n");
		return;
	}
	snprintf(resp->content_type, sizeof(resp->content_type),
		 "text/plain; version=0.0.4; charset=utf-8");
	proxy_metrics_read_counters(p);
	proxy_metrics_render(p, &resp->body);
}

static struct in_addr proxy_any(void)
{
	return (struct in_addr){ htonl(INADDR_ANY) };
}

int proxy_health_start(struct proxy *p, char *err, size_t errlen)
{
	p->healthz = httpd_new(p->loop, proxy_any(), LAB_PROXY_HEALTH_PORT, NULL,
			       proxy_healthz_handle, p, err, errlen);
	if (!p->healthz)
		return -1;
	p->metrics_srv = httpd_new(p->loop, proxy_any(), PROXY_METRICS_PORT, NULL,
				   proxy_metrics_handle, p, err, errlen);
	if (!p->metrics_srv)
		return -1;
	return 0;
}

static void proxy_hc_open(struct proxy_hc *hc)
{
	/* On the node's primary address only, as kube-proxy binds them to
	 * its --nodeport-addresses. */
	struct in_addr at = hc->p->node.node_ip.s_addr ? hc->p->node.node_ip : proxy_any();
	char err[256];

	hc->srv = httpd_new(hc->p->loop, at, hc->port, NULL, proxy_hc_handle, hc, err,
			    sizeof(err));
	if (!hc->srv) {
		/* Retried at every sync; said once. */
		if (!hc->warned)
			log_warn("proxy: health check node port for %s/%s: %s (retrying)",
				 hc->ns, hc->name, err);
		hc->warned = true;
		return;
	}
	hc->warned = false;
	log_info("proxy: health check node port %d for %s/%s open", hc->port, hc->ns, hc->name);
}

static void proxy_hc_free(struct proxy_hc *hc)
{
	if (hc->srv)
		log_info("proxy: health check node port %d for %s/%s closed", hc->port, hc->ns,
			 hc->name);
	httpd_free(hc->srv);
	free(hc);
}

void proxy_health_sync(struct proxy *p)
{
	const struct proxy_ruleset *rs = &p->cur;
	int w = 0;

	for (int i = 0; i < p->n_hcs; i++)
		p->hcs[i]->seen = false;
	for (int i = 0; i < rs->n_stats; i++) {
		const struct proxy_svc_stat *st = &rs->stats[i];
		struct proxy_hc *hc = NULL;

		if (st->health_check_port <= 0)
			continue;
		for (int j = 0; j < p->n_hcs && !hc; j++)
			if (strcmp(p->hcs[j]->ns, st->ns) == 0 && strcmp(p->hcs[j]->name, st->name) == 0)
				hc = p->hcs[j];
		if (!hc) {
			if (p->n_hcs == p->cap_hcs) {
				int cap = p->cap_hcs ? p->cap_hcs * 2 : 8;
				struct proxy_hc **n = realloc(p->hcs, (size_t)cap * sizeof(*n));

				if (!n)
					break;
				p->hcs = n;
				p->cap_hcs = cap;
			}
			/* Each entry is its own allocation: its server's handler
			 * holds its address. */
			hc = calloc(1, sizeof(*hc));
			if (!hc)
				break;
			hc->p = p;
			snprintf(hc->ns, sizeof(hc->ns), "%s", st->ns);
			snprintf(hc->name, sizeof(hc->name), "%s", st->name);
			hc->port = st->health_check_port;
			p->hcs[p->n_hcs++] = hc;
		}
		if (hc->port != st->health_check_port) {
			httpd_free(hc->srv);
			hc->srv = NULL;
			hc->port = st->health_check_port;
		}
		hc->local_ready = st->local_ready;
		hc->seen = true;
	}
	for (int i = 0; i < p->n_hcs; i++) {
		if (!p->hcs[i]->seen) {
			proxy_hc_free(p->hcs[i]);
			continue;
		}
		p->hcs[w++] = p->hcs[i];
	}
	p->n_hcs = w;
	for (int i = 0; i < p->n_hcs; i++)
		if (!p->hcs[i]->srv)
			proxy_hc_open(p->hcs[i]);
}

void proxy_health_stop(struct proxy *p)
{
	for (int i = 0; i < p->n_hcs; i++) {
		httpd_free(p->hcs[i]->srv);
		free(p->hcs[i]);
	}
	free(p->hcs);
	p->hcs = NULL;
	p->n_hcs = p->cap_hcs = 0;
	httpd_free(p->healthz);
	httpd_free(p->metrics_srv);
	p->healthz = p->metrics_srv = NULL;
}
