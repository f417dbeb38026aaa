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
 *
 * The health check node ports and :10256 run on a thread of their own with
 * its own event loop, as kube-proxy's health servers run beside its sync
 * loop: whatever holds the agent's loop (a sync of a large ruleset, the
 * kubelet's request to an API server that does not answer) never delays a
 * load balancer's probe. The thread owns its servers; each sync hands it
 * the ports it wants (under a mutex, with an eventfd to wake it), and
 * health is read from atomics the agent's loop writes. /metrics stays on
 * the agent's loop: it reads everything the proxy keeps.
 */
#include "proxy_int.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

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

/* A health check node port's server, the thread's own. */
struct proxy_hc_srv {
	struct proxy_health_srv *hs;
	struct proxy_hc hc;
	struct httpd *srv;            /* NULL while the port cannot be bound */
	bool warned;                  /* the bind failure was logged (once per failure spell) */
	bool seen;                    /* still wanted after this update */
};

struct proxy_health_srv {
	struct proxy *p;
	struct ev_loop *loop;         /* the thread's */
	pthread_t thread;
	bool running;
	int wake_fd;                  /* eventfd: news from the agent's loop */
	struct in_addr at;            /* where health check node ports listen */
	struct httpd *healthz;        /* :10256 */
	struct proxy_hc_srv **srvs;
	int n_srvs, cap_srvs;

	pthread_mutex_t mu;           /* guards what follows */
	struct proxy_hc *want;        /* the last sync's ports */
	int n_want, cap_want;
	bool stop;
};

static void proxy_hc_handle(const struct httpd_req *req, struct httpd_resp *resp, void *data)
{
	const struct proxy_hc_srv *hs = data;
	const struct proxy_hc *hc = &hs->hc;
	bool healthy = proxy_healthy(hs->hs->p);
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
 * (IPv4 only here). /healthz adds nodeEligible, and is 503 too while the
 * node is not (being deleted, or tainted ToBeDeletedByClusterAutoscaler):
 * a load balancer that probes it drains the node. */
static void proxy_healthz_handle(const struct httpd_req *req, struct httpd_resp *resp, void *data)
{
	struct proxy *p = data;
	bool proxy_ok = proxy_healthy(p), livez = strcmp(req->path, "/livez") == 0;
	bool eligible = p->node_eligible, healthy = proxy_ok && (livez || eligible);
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
	snprintf(last, sizeof(last), "%s", proxy_ok ? now : fam_last);
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
		jsonw_kv_bool(&w, "nodeEligible", eligible);
	jsonw_kv_bool(&w, "healthy", healthy);
	jsonw_key(&w, "status");
	jsonw_begin_object(&w);
	jsonw_key(&w, "IPv4");
	jsonw_begin_object(&w);
	jsonw_kv_str(&w, "lastUpdated", fam_last);
	jsonw_kv_bool(&w, "healthy", proxy_ok);
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

static void proxy_hc_open(struct proxy_hc_srv *hs)
{
	char err[256];

	hs->srv = httpd_new(hs->hs->loop, hs->hs->at, hs->hc.port, NULL, proxy_hc_handle, hs, err,
			    sizeof(err));
	if (!hs->srv) {
		/* Retried at every sync; said once. */
		if (!hs->warned)
			log_warn("proxy: health check node port for %s/%s: %s (retrying)",
				 hs->hc.ns, hs->hc.name, err);
		hs->warned = true;
		return;
	}
	hs->warned = false;
	log_info("proxy: health check node port %d for %s/%s open", hs->hc.port, hs->hc.ns,
		 hs->hc.name);
}

static void proxy_hc_free(struct proxy_hc_srv *hs, bool quiet)
{
	if (hs->srv && !quiet)
		log_info("proxy: health check node port %d for %s/%s closed", hs->hc.port,
			 hs->hc.ns, hs->hc.name);
	httpd_free(hs->srv);
	free(hs);
}

/* On the thread: its servers made to match want (a copy, taken under the
 * mutex). */
static void proxy_health_apply(struct proxy_health_srv *h, const struct proxy_hc *want, int n)
{
	int w = 0;

	for (int i = 0; i < h->n_srvs; i++)
		h->srvs[i]->seen = false;
	for (int i = 0; i < n; i++) {
		struct proxy_hc_srv *hs = NULL;

		for (int j = 0; j < h->n_srvs && !hs; j++)
			if (strcmp(h->srvs[j]->hc.ns, want[i].ns) == 0 &&
			    strcmp(h->srvs[j]->hc.name, want[i].name) == 0)
				hs = h->srvs[j];
		if (!hs) {
			if (h->n_srvs == h->cap_srvs) {
				int cap = h->cap_srvs ? h->cap_srvs * 2 : 8;
				struct proxy_hc_srv **m = realloc(h->srvs, (size_t)cap * sizeof(*m));

				if (!m)
					break;
				h->srvs = m;
				h->cap_srvs = cap;
			}
			/* Each entry is its own allocation: its server's handler
			 * holds its address. */
			hs = calloc(1, sizeof(*hs));
			if (!hs)
				break;
			hs->hs = h;
			hs->hc = want[i];
			h->srvs[h->n_srvs++] = hs;
		}
		if (hs->hc.port != want[i].port) {
			httpd_free(hs->srv);
			hs->srv = NULL;
		}
		hs->hc = want[i];
		hs->seen = true;
	}
	for (int i = 0; i < h->n_srvs; i++) {
		if (!h->srvs[i]->seen) {
			proxy_hc_free(h->srvs[i], false);
			continue;
		}
		h->srvs[w++] = h->srvs[i];
	}
	h->n_srvs = w;
	for (int i = 0; i < h->n_srvs; i++)
		if (!h->srvs[i]->srv)
			proxy_hc_open(h->srvs[i]);
}

static void proxy_health_on_wake(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct proxy_health_srv *h = data;
	struct proxy_hc *want = NULL;
	uint64_t n;
	int n_want = 0;
	bool stop, short_of_memory = false;

	(void)events;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("proxy: health thread: read eventfd: %s", strerror(errno));

	pthread_mutex_lock(&h->mu);
	stop = h->stop;
	if (!stop && h->n_want) {
		want = malloc((size_t)h->n_want * sizeof(*want));
		if (want) {
			memcpy(want, h->want, (size_t)h->n_want * sizeof(*want));
			n_want = h->n_want;
		} else {
			short_of_memory = true;
		}
	}
	pthread_mutex_unlock(&h->mu);
	if (stop) {
		ev_stop(loop);
		return;
	}
	/* Out of memory: keep every server as it is (closing them would fail
	 * the load balancer's probes); the next sync wakes us again. */
	if (short_of_memory)
		return;
	proxy_health_apply(h, want, n_want);
	free(want);
}

static void *proxy_health_main(void *arg)
{
	struct proxy_health_srv *h = arg;

	if (ev_run(h->loop) < 0)
		log_error("proxy: health thread: event loop failed");
	return NULL;
}

static void proxy_health_wake(struct proxy_health_srv *h)
{
	uint64_t one = 1;

	if (write(h->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("proxy: health thread: write eventfd: %s", strerror(errno));
}

/* Frees what the thread owned; the thread is not running (never started,
 * or joined). */
static void proxy_health_free(struct proxy_health_srv *h)
{
	if (!h)
		return;
	for (int i = 0; i < h->n_srvs; i++)
		proxy_hc_free(h->srvs[i], true);
	free(h->srvs);
	httpd_free(h->healthz);
	if (h->wake_fd >= 0) {
		if (h->loop)
			ev_unwatch(h->loop, h->wake_fd);
		close(h->wake_fd);
	}
	if (h->loop)
		ev_loop_free(h->loop);
	pthread_mutex_destroy(&h->mu);
	free(h->want);
	free(h);
}

int proxy_health_start(struct proxy *p, char *err, size_t errlen)
{
	struct proxy_health_srv *h = calloc(1, sizeof(*h));
	sigset_t all, old;
	int rc;

	if (!h) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	pthread_mutex_init(&h->mu, NULL);
	h->p = p;
	h->wake_fd = -1;
	/* On the node's primary address only, as kube-proxy binds health
	 * check node ports to its --nodeport-addresses. */
	h->at = p->node.node_ip.s_addr ? p->node.node_ip : proxy_any();
	h->loop = ev_loop_new();
	h->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!h->loop || h->wake_fd < 0 ||
	    ev_watch(h->loop, h->wake_fd, EV_READ, proxy_health_on_wake, h) < 0) {
		snprintf(err, errlen, "health thread: %s", strerror(h->wake_fd < 0 ? errno : ENOMEM));
		proxy_health_free(h);
		return -1;
	}
	h->healthz = httpd_new(h->loop, proxy_any(), LAB_PROXY_HEALTH_PORT, NULL,
			       proxy_healthz_handle, p, err, errlen);
	if (!h->healthz) {
		proxy_health_free(h);
		return -1;
	}
	p->metrics_srv = httpd_new(p->loop, proxy_any(), PROXY_METRICS_PORT, NULL,
				   proxy_metrics_handle, p, err, errlen);
	if (!p->metrics_srv) {
		proxy_health_free(h);
		return -1;
	}
	/* Signals are the agent's loop's (a signalfd): the thread starts with
	 * every one blocked, so none is delivered to it. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&h->thread, NULL, proxy_health_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "health thread: %s", strerror(rc));
		proxy_health_free(h);
		return -1;
	}
	h->running = true;
	p->health = h;
	return 0;
}

void proxy_health_sync(struct proxy *p)
{
	const struct proxy_ruleset *rs = &p->cur;
	struct proxy_health_srv *h = p->health;
	int n = 0;

	for (int i = 0; i < rs->n_stats; i++) {
		const struct proxy_svc_stat *st = &rs->stats[i];
		struct proxy_hc *hc;

		if (st->health_check_port <= 0)
			continue;
		if (n == p->cap_hcs) {
			int cap = p->cap_hcs ? p->cap_hcs * 2 : 8;
			struct proxy_hc *m = realloc(p->hcs, (size_t)cap * sizeof(*m));

			if (!m)
				break;
			p->hcs = m;
			p->cap_hcs = cap;
		}
		hc = &p->hcs[n++];
		/* Whole, padding and the bytes after each name included: the
		 * list is compared with the last one byte for byte. */
		memset(hc, 0, sizeof(*hc));
		snprintf(hc->ns, sizeof(hc->ns), "%s", st->ns);
		snprintf(hc->name, sizeof(hc->name), "%s", st->name);
		hc->port = st->health_check_port;
		hc->local_ready = st->local_ready;
	}
	p->n_hcs = n;
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	/* Most syncs change no health check port and no count: nothing to
	 * hand over, no wake-up. */
	if (n == h->n_want && (n == 0 || memcmp(h->want, p->hcs, (size_t)n * sizeof(*p->hcs)) == 0)) {
		pthread_mutex_unlock(&h->mu);
		return;
	}
	if (n > h->cap_want) {
		struct proxy_hc *m = realloc(h->want, (size_t)n * sizeof(*m));

		if (m) {
			h->want = m;
			h->cap_want = n;
		}
	}
	/* Out of memory: the thread keeps what it has until a later sync. */
	if (n <= h->cap_want) {
		if (n)
			memcpy(h->want, p->hcs, (size_t)n * sizeof(*p->hcs));
		h->n_want = n;
	}
	pthread_mutex_unlock(&h->mu);
	proxy_health_wake(h);
}

void proxy_health_stop(struct proxy *p)
{
	struct proxy_health_srv *h = p->health;

	if (h) {
		pthread_mutex_lock(&h->mu);
		h->stop = true;
		pthread_mutex_unlock(&h->mu);
		proxy_health_wake(h);
		if (h->running)
			pthread_join(h->thread, NULL);
		proxy_health_free(h);
		p->health = NULL;
	}
	free(p->hcs);
	p->hcs = NULL;
	p->n_hcs = p->cap_hcs = 0;
	httpd_free(p->metrics_srv);
	p->metrics_srv = NULL;
}
