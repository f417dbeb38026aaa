/* proxy.c — kube-proxy's sync loop: API server -> ruleset -> nftables.
 *
 * Services and EndpointSlices come from the lab's API server, listed and
 * then watched; each change asks for a sync a moment later, which builds
 * from the copy in memory. While the server is away that copy stays, and
 * with it what is programmed and the health check node ports.
 *
 * Each sync builds the whole desired ruleset as data (proxy_rules.c) and
 * sends the kernel only the difference from what it programmed last, in
 * one atomic batch. The first sync after a start, and the one after any
 * failure, instead replaces the whole table in one batch: it does not
 * trust what an earlier agent (or a failed batch) left behind, and no
 * packet ever sees a half-built or empty table. The table is never deleted
 * on exit, so a killed agent's Services keep working until the next one
 * converges.
 */
#include "nftrun.h"
#include "proxy_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lab.h"
#include "log.h"
#include "model.h"
#include "proxy_dsr.h"

/* A context keeps the cache of the objects it listed or created, which is
 * stale as soon as its batch commits: the next call first frees it, then
 * lists afresh. After a full replacement that cache is the whole table
 * (tens of milliseconds to free at 10,000 Services), so the context is
 * replaced instead; otherwise it is kept (a new one costs ~10 ms on its
 * first call). Still one context at a time, made in the agent's
 * namespace. */
static void proxy_nft_renew(struct proxy *p)
{
	struct nft_ctx *n = nftrun_ctx_new();

	if (!n)
		return;   /* keep the old one: it works, only slower */
	nft_ctx_free(p->nft);
	p->nft = n;
}

int proxy_nft_run(struct proxy *p, const char *script, char *err, size_t errlen)
{
	return nftrun_cmd(p->nft, script, NULL, err, errlen);
}

int proxy_nft_query(struct proxy *p, const char *cmd, struct buf *out, char *err, size_t errlen)
{
	return nftrun_cmd(p->nft, cmd, out, err, errlen);
}

/* kube-proxy's rule: healthy from start-up on, and while every change
 * seen gets programmed; unhealthy once one has waited twice the sync
 * period (a failing sync). */
bool proxy_healthy(const struct proxy *p)
{
	uint64_t queued, now;

	if (!p)
		return false;
	/* Read once, and the clock after it: the health thread asks while
	 * the agent's loop queues and programs changes. */
	queued = p->queued_mono_ms;
	if (!queued)
		return true;
	now = ev_now_ms();
	return now <= queued || now - queued < 2 * p->sync_period_ms;
}

/* A change to program: the oldest one not programmed is what health is
 * measured against. */
static void proxy_queue(struct proxy *p)
{
	if (p->queued_mono_ms)
		return;
	p->queued_mono_ms = ev_now_ms();
	p->m.last_queued_ts = (double)ev_wall_ms() / 1000.0;
}

static void proxy_updated(struct proxy *p)
{
	p->queued_mono_ms = 0;
	p->updated_mono_ms = ev_now_ms();
	p->updated_wall_ms = ev_wall_ms();
}

static int proxy_objhash_cmp(const void *a, const void *b)
{
	const struct proxy_objhash *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

/* Objects added, removed or changed since the last read; the new list
 * replaces *seen. -1 when out of memory (nothing counted). */
static int proxy_count_changes(struct proxy_objhash **seen, int *n_seen,
			       struct proxy_objhash *next, int n)
{
	int i = 0, j = 0, changes = 0;

	if (n > 1)
		qsort(next, (size_t)n, sizeof(*next), proxy_objhash_cmp);
	while (i < *n_seen || j < n) {
		int c = i >= *n_seen ? 1 : j >= n ? -1 : proxy_objhash_cmp(&(*seen)[i], &next[j]);

		if (c != 0 || (*seen)[i].h != next[j].h)
			changes++;
		i += c <= 0;
		j += c >= 0;
	}
	free(*seen);
	*seen = next;
	*n_seen = n;
	return changes;
}

static void proxy_track_changes(struct proxy *p, const struct model_service *svcs, int n_svcs,
				const struct model_endpoints *eps, int n_eps)
{
	struct proxy_objhash *a = calloc((size_t)(n_svcs ? n_svcs : 1), sizeof(*a));
	struct proxy_objhash *b = calloc((size_t)(n_eps ? n_eps : 1), sizeof(*b));
	int n;

	if (!a || !b) {
		free(a);
		free(b);
		return;
	}
	for (int i = 0; i < n_svcs; i++) {
		snprintf(a[i].ns, sizeof(a[i].ns), "%s", svcs[i].meta.ns);
		snprintf(a[i].name, sizeof(a[i].name), "%s", svcs[i].meta.name);
		a[i].h = proxy_rules_hash_service(&svcs[i]);
	}
	for (int i = 0; i < n_eps; i++) {
		snprintf(b[i].ns, sizeof(b[i].ns), "%s", eps[i].ns);
		snprintf(b[i].name, sizeof(b[i].name), "%s", eps[i].name);
		b[i].h = proxy_rules_hash_endpoints(&eps[i]);
	}
	n = proxy_count_changes(&p->seen_svc, &p->n_seen_svc, a, n_svcs);
	p->m.svc_changes += (uint64_t)n;
	p->m.svc_pending += n;
	n = proxy_count_changes(&p->seen_eps, &p->n_seen_eps, b, n_eps);
	p->m.eps_changes += (uint64_t)n;
	p->m.eps_pending += n;
}

/* network_programming_duration_seconds: from an Endpoints change to its
 * rules being in the kernel. kube-proxy takes the change's time from the
 * EndpointSlice's last-change-trigger-time; the lab's slices do not carry
 * it, so here it is when the watch delivered the newest EndpointSlice
 * event, and every change programmed by this sync is measured from the
 * last of them. Changes older than the agent (its first list) are not
 * measured (kube-proxy skips them too). */
static void proxy_observe_netprog(struct proxy *p)
{
	double now = (double)ev_wall_ms() / 1000.0;
	double t = (double)p->eps_changed_wall_ms / 1000.0;

	if (!p->synced_once || p->eps_changed_wall_ms == 0 || now < t)
		return;
	for (int i = 0; i < p->m.eps_pending; i++)
		proxy_netprog_observe(&p->m, now - t);
}

static void proxy_stale_fire(struct ev_loop *loop, uint64_t id, void *data);

/* Emptied chains may be deleted a second later; make sure some sync comes
 * then even if nothing else changes. */
static void proxy_stale_schedule(struct proxy *p)
{
	if (p->stale.n == 0 || p->stale_timer)
		return;
	p->stale_timer = ev_timer_add(p->loop, PROXY_STALE_AFTER_MS + 50, proxy_stale_fire, p);
}

static void proxy_stale_fire(struct ev_loop *loop, uint64_t id, void *data)
{
	struct proxy *p = data;
	char err[512];

	(void)loop;
	(void)id;
	p->stale_timer = 0;
	if (!p->have_cur)
		return;
	buf_reset(&p->script);
	if (proxy_render_stale(&p->stale, ev_now_ms(), PROXY_STALE_AFTER_MS, &p->script) > 0 &&
	    proxy_nft_run(p, buf_str(&p->script), err, sizeof(err)) < 0) {
		/* Harmless: an empty chain. The next full sync removes it. */
		log_warn("proxy: deleting stale chains: %s", err);
		p->m.cleanup_failures++;
	}
	proxy_stale_schedule(p);
}

/* Programs `next`: the difference from what is programmed, or the whole
 * table. 0 on success (next then describes the kernel), -1 on failure. */
static int proxy_program(struct proxy *p, struct proxy_ruleset *next, bool *full, bool *changed)
{
	struct proxy_diff_stats st;
	char err[1024];
	int rc;

	*full = !p->have_cur;
	*changed = true;
	buf_reset(&p->script);
	if (!*full) {
		rc = proxy_render_diff(&p->cur, next, &p->stale, ev_now_ms(),
					     PROXY_STALE_AFTER_MS, &p->script, &st);
		if (rc == 0) {
			*changed = false;
			return 0;
		}
		if (rc > 0) {
			if (proxy_nft_run(p, buf_str(&p->script), err, sizeof(err)) == 0) {
				log_debug("proxy: sync: +%d ~%d -%d chains, +%d -%d elements",
					  st.chains_added, st.chains_changed, st.chains_flushed,
					  st.elems_added, st.elems_deleted);
				return 0;
			}
			/* kube-proxy's rule: after a failed partial sync, the next
			 * one is a full one. Do it now. */
			log_warn("proxy: partial sync failed (%s); replacing the table", err);
			p->m.sync_failures++;
		}
		*full = true;
		buf_reset(&p->script);
	}
	proxy_render_stale_clear(&p->stale);
	proxy_render_full(next, &p->script);
	if (p->script.oom) {
		log_error("proxy: out of memory rendering the ruleset");
		return -1;
	}
	if (proxy_nft_run(p, buf_str(&p->script), err, sizeof(err)) < 0) {
		log_error("proxy: replacing table ip " PROXY_TABLE ": %s", err);
		return -1;
	}
	proxy_nft_renew(p);
	return 0;
}

/* true when nothing the ruleset depends on changed since the last build,
 * so this sync may skip it; at least once per sync period it does not. */
static bool proxy_inputs_unchanged(const struct proxy *p)
{
	return p->have_cur && !p->changed && p->stale.n == 0 && !p->handover_due &&
	       ev_now_ms() - p->input_checked_ms <= p->sync_period_ms;
}

static void proxy_handover_fire(struct ev_loop *loop, uint64_t id, void *data)
{
	struct proxy *p = data;

	(void)loop;
	(void)id;
	p->handover_timer = 0;
	p->handover_due = true;
	proxy_sync(p);
}

/* Which Services this node hands over now, and a sync when the first
 * running window ends (its Service's traffic is then dropped here, as
 * kube-proxy drops it). NULL on OOM: no hand-over this time. */
static bool *proxy_handover_now(struct proxy *p, const struct model_service *svcs, int n_svcs,
				const struct model_endpoints *eps, int n_eps)
{
	bool *on = calloc((size_t)(n_svcs > 0 ? n_svcs : 1), sizeof(*on));
	uint64_t now = ev_now_ms();
	int64_t until;

	if (!on)
		return NULL;
	until = proxy_handover_decide(&p->handover, p->node.name, svcs, n_svcs, eps, n_eps, now,
				      on);
	if (p->handover_timer)
		ev_timer_cancel(p->loop, p->handover_timer);
	p->handover_timer = 0;
	if (until > 0)
		p->handover_timer = ev_timer_add(p->loop, (uint64_t)until - now + 1,
						 proxy_handover_fire, p);
	return on;
}

void proxy_sync(struct proxy *p)
{
	bool *handover = NULL;
	struct model_service *svcs = NULL;
	struct model_endpoints *eps = NULL;
	struct proxy_ruleset next;
	int n_svcs = 0, n_eps = 0;
	bool full = false, changed = false;
	uint64_t t0 = ev_now_ms();
	struct timespec a, b;
	char err[512];
	double secs;
	bool changed_in = p->changed;

	memset(&next, 0, sizeof(next));
	if (!apiwatch_synced(p->api_svcs) || !apiwatch_synced(p->api_slices)) {
		/* kube-proxy's rule: no sync before the first list of both.
		 * Until then whatever an earlier agent programmed stays. */
		goto out;
	}
	if (proxy_inputs_unchanged(p)) {
		/* What is programmed is what the API server said last. */
		proxy_updated(p);
		goto out;
	}
	if (!p->have_cur || changed_in)
		proxy_queue(p);
	clock_gettime(CLOCK_MONOTONIC, &a);
	p->changed = false;
	if (apiwatch_services(p->api_svcs, &svcs, &n_svcs, err, sizeof(err)) < 0 ||
	    apiwatch_endpoints(p->api_slices, &eps, &n_eps, err, sizeof(err)) < 0) {
		log_warn("proxy: %s", err);
		p->changed = true;
		goto out;
	}
	proxy_track_changes(p, svcs, n_svcs, eps, n_eps);
	handover = proxy_handover_now(p, svcs, n_svcs, eps, n_eps);
	p->handover_due = false;
	/* The model describes the inputs, not the kernel: reusing it is right
	 * even after a failed sync. */
	if (proxy_rules_build_from(&p->node, svcs, n_svcs, eps, n_eps, handover, &p->cur, &next,
				   err, sizeof(err)) < 0) {
		log_error("proxy: %s", err);
		p->m.sync_failures++;
		p->changed = true;     /* built again at the next tick */
		goto out;
	}
	if (proxy_program(p, &next, &full, &changed) < 0) {
		p->m.sync_failures++;
		p->have_cur = false;   /* unknown state: replace it all next time */
		proxy_rules_free(&next);
		goto out;
	}
	/* The map after the table: a flow the program picks for this node
	 * finds the nat rules that take it to the endpoint. */
	if (p->dsr && proxy_dsr_sync(p->dsr, next.dsr_entries, next.n_dsr, err, sizeof(err)) < 0) {
		log_warn("proxy: %s (will retry)", err);
		p->m.sync_failures++;
	}
	p->input_checked_ms = ev_now_ms();
	proxy_rules_free(&p->cur);
	p->cur = next;
	p->have_cur = true;
	proxy_observe_netprog(p);
	p->m.svc_pending = p->m.eps_pending = 0;
	proxy_updated(p);
	if (changed) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		proxy_hist_observe(&p->m.sync, secs);
		proxy_hist_observe(full ? &p->m.full : &p->m.partial, secs);
		if (full)
			p->m.full_syncs++;
		else
			p->m.partial_syncs++;
		p->m.last_sync_ts = (double)p->updated_wall_ms / 1000.0;
		if (full || !p->synced_once)
			log_info("proxy: table ip " PROXY_TABLE " %s: %d services, %d chains, %d rules (%s layout) in %.3f s",
				 full ? "replaced" : "synced", p->cur.n_stats,
				 proxy_rules_nchains(&p->cur), p->cur.nrules,
				 p->cur.compact ? "compact" : "kube-proxy", secs);
	}
	p->synced_once = true;
	proxy_stale_schedule(p);
out:
	/* Every sync, changed or not, as kube-proxy does: an entry created
	 * between two syncs (a client sending while the endpoint went away)
	 * is caught by the next one, and a failed cleanup is retried. */
	if (p->have_cur) {
		int n = proxy_conntrack_clean(&p->cur, err, sizeof(err));

		if (n < 0) {
			log_warn("proxy: stale UDP conntrack entries: %s (will retry)", err);
		} else if (n > 0) {
			p->m.stale_udp_entries_deleted += (uint64_t)n;
			log_info("proxy: deleted %d stale UDP conntrack entries", n);
		}
	}
	proxy_health_sync(p);
	proxy_metrics_read_counters(p);
	proxy_metrics_write_file(p);
	for (int i = 0; i < n_eps; i++)
		model_endpoints_free(&eps[i]);
	free(eps);
	free(svcs);
	free(handover);
	if (ev_now_ms() - t0 > 1000)
		log_info("proxy: sync took %llu ms", (unsigned long long)(ev_now_ms() - t0));
}

static void proxy_debounced(struct ev_loop *loop, uint64_t id, void *data)
{
	struct proxy *p = data;

	(void)loop;
	(void)id;
	p->debounce_timer = 0;
	proxy_sync(p);
}

/* A change from the API server: counted by the sync that builds it. */
static void proxy_api_changed(struct proxy *p)
{
	p->changed = true;
	if (!p->debounce_timer)
		p->debounce_timer = ev_timer_add(p->loop, PROXY_DEBOUNCE_MS, proxy_debounced, p);
}

static void proxy_on_services(bool relisted, void *data)
{
	(void)relisted;
	proxy_api_changed(data);
}

static void proxy_on_slices(bool relisted, void *data)
{
	struct proxy *p = data;

	/* A list after a gap holds changes of unknown age: measured from now,
	 * as a watch event is. */
	(void)relisted;
	p->eps_changed_wall_ms = ev_wall_ms();
	proxy_api_changed(p);
}

/* kube-proxy's SyncNode: a node being deleted, or marked for deletion by
 * the cluster autoscaler, is not eligible for load balancer traffic, and
 * its /healthz says so (503) so that a load balancer probing it drains
 * it. A Node not (yet) listed counts as eligible. */
#define PROXY_TO_BE_DELETED_TAINT "ToBeDeletedByClusterAutoscaler"

static void proxy_on_node(bool relisted, void *data)
{
	struct proxy *p = data;
	char key[MODEL_NAME_MAX + 2];
	const json_t *node, *taint;
	bool eligible = true;
	size_t i;

	(void)relisted;
	snprintf(key, sizeof(key), "/%s", p->cfg.node);
	node = json_object_get(apiwatch_objects(p->api_node), key);
	if (json_string_value(json_object_get(json_object_get(node, "metadata"),
					      "deletionTimestamp")))
		eligible = false;
	json_array_foreach(json_object_get(json_object_get(node, "spec"), "taints"), i, taint) {
		const char *k = json_string_value(json_object_get(taint, "key"));

		if (k && strcmp(k, PROXY_TO_BE_DELETED_TAINT) == 0)
			eligible = false;
	}
	if (eligible != p->node_eligible)
		log_info("proxy: node %s is %s for load balancer traffic (/healthz %s)",
			 p->cfg.node, eligible ? "eligible again" : "not eligible",
			 eligible ? "200 when healthy" : "503");
	p->node_eligible = eligible;
}

static void proxy_tick(struct ev_loop *loop, uint64_t id, void *data)
{
	struct proxy *p = data;

	(void)id;
	p->tick_timer = ev_timer_add(loop, PROXY_TICK_MS, proxy_tick, p);
	proxy_sync(p);
}

static uint64_t proxy_sync_period_from_env(void)
{
	const char *s = getenv("CLIENTIP_PROXY_SYNC_PERIOD_S");
	char *end;
	long v;

	if (!s || !*s)
		return PROXY_SYNC_PERIOD_MS;
	v = strtol(s, &end, 10);
	return *end || v < 1 || v > 3600 ? PROXY_SYNC_PERIOD_MS : (uint64_t)v * 1000;
}

static enum proxy_layout proxy_layout_from_env(void)
{
	const char *s = getenv("CLIENTIP_PROXY_LAYOUT");

	if (s && strcmp(s, "compact") == 0)
		return PROXY_LAYOUT_COMPACT;
	if (s && strcmp(s, "kube-proxy") == 0)
		return PROXY_LAYOUT_KUBE;
	return PROXY_LAYOUT_AUTO;
}

struct proxy *proxy_new(struct ev_loop *loop, const struct agent_config *cfg,
			char *err, size_t errlen)
{
	struct proxy *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	p->loop = loop;
	p->cfg = *cfg;
	snprintf(p->node.name, sizeof(p->node.name), "%s", cfg->node);
	inet_pton(AF_INET, "10.244.0.0", &p->node.cluster_cidr);
	p->node.cluster_prefix = 16;
	{
		char net[INET_ADDRSTRLEN];
		int idx = lab_node_index(cfg->node);

		/* LAB_SERVICE_CIDR is "a.b.c.d/n". */
		if (sscanf(LAB_SERVICE_CIDR, "%15[0-9.]/%d", net, &p->node.service_prefix) == 2)
			inet_pton(AF_INET, net, &p->node.service_cidr);
		/* The node's primary address: its VNet address, what its Node
		 * object reports and what NodePorts answer on. */
		if (idx >= 0)
			p->node.node_ip = lab_node_addr(idx);
	}
	p->node.layout = proxy_layout_from_env();
	p->sync_period_ms = proxy_sync_period_from_env();
	p->node_eligible = true;
	{
		char why[256];

		/* Without the program, DSR Services are served as Cluster ones. */
		if (proxy_dsr_open(&p->dsr, cfg, why, sizeof(why)) < 0)
			log_warn("proxy: no DSR program, forwarding-mode dsr is served as snat: %s",
				 why);
		else
			p->node.dsr = true;
	}
	/* Healthy at start-up, as kube-proxy's SyncLoop says before its
	 * first sync. */
	proxy_updated(p);
	p->m.last_queued_ts = (double)ev_wall_ms() / 1000.0;
	/* Created here, and renewed here only: the agent runs in the node's
	 * namespace, and a context talks to the namespace it was made in. */
	p->nft = nftrun_ctx_new();
	if (!p->nft) {
		snprintf(err, errlen, "cannot create a libnftables context");
		goto fail;
	}
	if (proxy_health_start(p, err, errlen) < 0)
		goto fail;
	{
		char sock[LAB_PATH_MAX + 32], path[MODEL_NAME_MAX + 64];

		/* The agent runs in the node's namespace; the API server's Unix
		 * socket is reached by its path all the same. */
		snprintf(sock, sizeof(sock), "%s/apiserver.sock", cfg->statedir);
		p->api_svcs = apiwatch_new(loop, sock, "/api/v1/services", "services",
					   proxy_on_services, p);
		p->api_slices = apiwatch_new(loop, sock, "/apis/discovery.k8s.io/v1/endpointslices",
					     "endpointslices", proxy_on_slices, p);
		snprintf(path, sizeof(path), "/api/v1/nodes?fieldSelector=metadata.name%%3D%s",
			 cfg->node);
		p->api_node = apiwatch_new(loop, sock, path, "this node", proxy_on_node, p);
		if (!p->api_svcs || !p->api_slices || !p->api_node) {
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			goto fail;
		}
	}
	return p;
fail:
	proxy_free(p);
	return NULL;
}

void proxy_start(struct proxy *p)
{
	apiwatch_start(p->api_svcs);
	apiwatch_start(p->api_slices);
	apiwatch_start(p->api_node);
	p->tick_timer = ev_timer_add(p->loop, PROXY_TICK_MS, proxy_tick, p);
}

void proxy_free(struct proxy *p)
{
	if (!p)
		return;
	if (p->debounce_timer)
		ev_timer_cancel(p->loop, p->debounce_timer);
	if (p->tick_timer)
		ev_timer_cancel(p->loop, p->tick_timer);
	apiwatch_free(p->api_svcs);
	apiwatch_free(p->api_slices);
	apiwatch_free(p->api_node);
	if (p->stale_timer)
		ev_timer_cancel(p->loop, p->stale_timer);
	if (p->handover_timer)
		ev_timer_cancel(p->loop, p->handover_timer);
	proxy_handover_free(&p->handover);
	proxy_health_stop(p);
	/* The table stays: see the top of this file. DSR's program too. */
	if (p->nft)
		nft_ctx_free(p->nft);
	proxy_dsr_close(p->dsr);
	proxy_rules_free(&p->cur);
	proxy_render_stale_clear(&p->stale);
	proxy_metrics_free(&p->m);
	free(p->seen_svc);
	free(p->seen_eps);
	buf_free(&p->script);
	buf_free(&p->metrics_last);
	free(p);
}
