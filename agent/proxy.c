/* proxy.c — kube-proxy's sync loop: store -> ruleset -> nftables.
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
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "model.h"
#include "store.h"

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

bool proxy_healthy(const struct proxy *p)
{
	return p && p->last_ok && ev_now_ms() - p->last_ok_mono_ms < PROXY_HEALTH_TIMEOUT_MS;
}

int64_t proxy_last_sync_ms(const struct proxy *p)
{
	return p ? p->last_ok_wall_ms : 0;
}

int proxy_local_endpoints(const struct proxy *p, const char *ns, const char *name)
{
	if (!p || !p->have_cur)
		return -1;
	for (int i = 0; i < p->cur.n_stats; i++)
		if (strcmp(p->cur.stats[i].ns, ns) == 0 && strcmp(p->cur.stats[i].name, name) == 0)
			return p->cur.stats[i].local_ready;
	return -1;
}

void proxy_node_hook(struct model_node_status *s, void *data)
{
	const struct proxy *p = data;

	s->proxy_healthy = proxy_healthy(p);
	s->last_sync_ms = proxy_last_sync_ms(p);
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
	if (proxy_stale_render(&p->stale, ev_now_ms(), PROXY_STALE_AFTER_MS, &p->script) > 0 &&
	    proxy_nft_run(p, buf_str(&p->script), err, sizeof(err)) < 0)
		/* Harmless: an empty chain. The next full sync removes it. */
		log_warn("proxy: deleting stale chains: %s", err);
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
		rc = proxy_rules_render_diff(&p->cur, next, &p->stale, ev_now_ms(),
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
	proxy_stale_clear(&p->stale);
	proxy_rules_render_full(next, &p->script);
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

/* What the ruleset is built from; the store replaces files by rename, so
 * any change moves its directory's mtime. */
static const char *const proxy_inputs[3] = { "api/services", "api/endpoints", "status/services" };

static void proxy_input_mtimes(const struct proxy *p, struct timespec out[3])
{
	char path[LAB_PATH_MAX + 32];
	struct stat st;

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", p->cfg.statedir, proxy_inputs[i]);
		out[i] = stat(path, &st) == 0 ? st.st_mtim : (struct timespec){ 0, 0 };
	}
}

/* true when nothing the ruleset depends on changed since the last build,
 * so this sync may skip it; at least every PROXY_RECHECK_MS it does not. */
static bool proxy_inputs_unchanged(struct proxy *p, struct timespec now_mt[3])
{
	proxy_input_mtimes(p, now_mt);
	if (!p->have_cur || p->stale.n > 0 || ev_now_ms() - p->input_checked_ms > PROXY_RECHECK_MS)
		return false;
	for (int i = 0; i < 3; i++)
		if (now_mt[i].tv_sec != p->input_mtime[i].tv_sec ||
		    now_mt[i].tv_nsec != p->input_mtime[i].tv_nsec)
			return false;
	return true;
}

void proxy_sync(struct proxy *p)
{
	struct model_service *svcs = NULL;
	struct model_endpoints *eps = NULL;
	struct proxy_ruleset next;
	int n_svcs = 0, n_eps = 0;
	bool full = false, changed = false, udp_changed;
	uint64_t t0 = ev_now_ms();
	struct timespec a, b, mt[3];
	char err[512];
	double secs;

	memset(&next, 0, sizeof(next));
	if (proxy_inputs_unchanged(p, mt)) {
		p->last_ok_mono_ms = ev_now_ms();
		p->last_ok_wall_ms = ev_wall_ms();
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (store_list_services(p->cfg.statedir, &svcs, &n_svcs, err, sizeof(err)) < 0 ||
	    store_list_endpoints(p->cfg.statedir, &eps, &n_eps, err, sizeof(err)) < 0) {
		/* Keep what is programmed: a store hiccup is not a reason to
		 * take Services down. */
		log_warn("proxy: reading the store: %s", err);
		goto out;
	}
	/* The model describes the inputs, not the kernel: reusing it is right
	 * even after a failed sync. */
	if (proxy_rules_build_from(&p->node, svcs, n_svcs, eps, n_eps, &p->cur, &next, err,
				   sizeof(err)) < 0) {
		log_error("proxy: %s", err);
		p->m.sync_failures++;
		p->last_ok = false;
		goto out;
	}
	if (proxy_program(p, &next, &full, &changed) < 0) {
		p->m.sync_failures++;
		p->last_ok = false;
		p->have_cur = false;   /* unknown state: replace it all next time */
		proxy_rules_free(&next);
		goto out;
	}
	memcpy(p->input_mtime, mt, sizeof(p->input_mtime));
	p->input_checked_ms = ev_now_ms();
	udp_changed = !p->have_cur || proxy_conntrack_changed(&p->cur, &next);
	proxy_rules_free(&p->cur);
	p->cur = next;
	p->have_cur = true;
	p->last_ok = true;
	p->last_ok_mono_ms = ev_now_ms();
	p->last_ok_wall_ms = ev_wall_ms();
	if (changed) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		proxy_hist_observe(&p->m.sync, secs);
		proxy_hist_observe(full ? &p->m.full : &p->m.partial, secs);
		if (full)
			p->m.full_syncs++;
		else
			p->m.partial_syncs++;
		p->m.last_sync_ts = (double)p->last_ok_wall_ms / 1000.0;
		if (full || !p->synced_once)
			log_info("proxy: table ip " PROXY_TABLE " %s: %d services, %d chains, %d rules (%s layout) in %.3f s",
				 full ? "replaced" : "synced", p->cur.n_stats,
				 proxy_rules_nchains(&p->cur), p->cur.nrules,
				 p->cur.compact ? "compact" : "kube-proxy", secs);
	}
	p->synced_once = true;
	if (udp_changed)
		p->ct_pending = true;
	proxy_stale_schedule(p);
out:
	/* Outside the "inputs changed" path so a failed cleanup is retried by
	 * the next sync, as kube-proxy retries it: otherwise UDP flows would
	 * stay pinned to a removed endpoint for good. */
	if (p->ct_pending && p->have_cur) {
		int n = proxy_conntrack_clean(&p->cur, err, sizeof(err));

		if (n < 0) {
			log_warn("proxy: stale UDP conntrack entries: %s (will retry)", err);
		} else {
			p->ct_pending = false;
			if (n > 0) {
				p->m.stale_udp_entries_deleted += (uint64_t)n;
				log_info("proxy: deleted %d stale UDP conntrack entries", n);
			}
		}
	}
	proxy_health_sync(p);
	proxy_metrics_read_counters(p);
	proxy_metrics_write_file(p);
	for (int i = 0; i < n_eps; i++)
		model_endpoints_free(&eps[i]);
	free(eps);
	free(svcs);
	if (ev_now_ms() - t0 > 1000)
		log_info("proxy: sync took %llu ms", (unsigned long long)(ev_now_ms() - t0));
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
	p->node.layout = proxy_layout_from_env();
	/* Created here, and renewed here only: the agent runs in the node's
	 * namespace, and a context talks to the namespace it was made in. */
	p->nft = nftrun_ctx_new();
	if (!p->nft) {
		snprintf(err, errlen, "cannot create a libnftables context");
		goto fail;
	}
	if (proxy_health_start(p, err, errlen) < 0)
		goto fail;
	return p;
fail:
	proxy_free(p);
	return NULL;
}

void proxy_free(struct proxy *p)
{
	if (!p)
		return;
	if (p->stale_timer)
		ev_timer_cancel(p->loop, p->stale_timer);
	proxy_health_stop(p);
	/* The table stays: see the top of this file. */
	if (p->nft)
		nft_ctx_free(p->nft);
	proxy_rules_free(&p->cur);
	proxy_stale_clear(&p->stale);
	proxy_metrics_free(&p->m);
	buf_free(&p->script);
	buf_free(&p->metrics_last);
	free(p);
}
