/* lb_daemon.c — the daemon's loop (see lb_daemon.h): setting the context
 * up, running it and tearing it down; the timers and callbacks that start
 * a reconcile (a watch event, debounced, and the resync every 2 s), the
 * per-second tick, the stop signals. What a reconcile does is
 * lb_reconcile.c's; lb_daemon_int.h lists the other parts.
 */
#include "lb_daemon.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "lb_api.h"
#include "lb_daemon_int.h"
#include "lb_route.h"
#include "lb_state.h"
#include "log.h"

#define LB_DEBOUNCE_MS 30
#define LB_RESYNC_MS   2000

/* ---- loop --------------------------------------------------------------- */

static void lb_daemon_debounced(struct ev_loop *loop, uint64_t id, void *data)
{
	struct lb_daemon *lbd = data;

	(void)loop;
	(void)id;
	lbd->debounce_timer = 0;
	lb_daemon_reconcile(lbd);
}

/* A burst of changes (a manifest of many Services) is one reconcile. */
static void lb_daemon_on_api(bool relisted, void *data)
{
	struct lb_daemon *lbd = data;

	(void)relisted;
	if (!lbd->debounce_timer)
		lbd->debounce_timer = ev_timer_add(lbd->loop, LB_DEBOUNCE_MS, lb_daemon_debounced, lbd);
}

/* Every LB_RESYNC_MS from the cache as well: what failed (a status the
 * server did not take, an address that was taken) is tried again. */
static void lb_daemon_resync(struct ev_loop *loop, uint64_t id, void *data)
{
	struct lb_daemon *lbd = data;

	(void)id;
	lb_daemon_reconcile(lbd);
	lbd->resync_timer = ev_timer_add(loop, LB_RESYNC_MS, lb_daemon_resync, lbd);
}

static void lb_daemon_tick(struct ev_loop *loop, uint64_t id, void *data)
{
	struct lb_daemon *lbd = data;
	int64_t now = ev_wall_ms();

	(void)id;
	lb_metrics_tick(lbd, now);
	now = ev_wall_ms();
	/* Just after each second boundary, so each sample lands in its own
	 * second. */
	lbd->tick_timer = ev_timer_add(loop, (uint64_t)(1000 - now % 1000 + 20), lb_daemon_tick, lbd);
}

static void lb_daemon_on_signal(struct ev_loop *loop, int signo, void *data)
{
	(void)data;
	log_info("signal %d: stopping (the data path stays in place)", signo);
	ev_stop(loop);
}

int lb_daemon_init(struct lb_daemon *lbd, const char *lab, char *err, size_t errlen)
{
	static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };
	char path[LAB_PATH_MAX + 32];
	int rc;

	memset(lbd, 0, sizeof(*lbd));
	lbd->sigfd = -1;
	snprintf(lbd->lab, sizeof(lbd->lab), "%s", lab);
	lab_state_dir(lab, lbd->statedir, sizeof(lbd->statedir));
	rc = labinfo_load(lab, &lbd->info, err, errlen);
	if (rc < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", lbd->statedir, LB_STATE_DIR);
	rc = fs_mkdir_p(path, 0755);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return -1;
	}
	lbd->loop = ev_loop_new();
	lbd->prober = lbd->loop ? lb_prober_new(lbd->loop) : NULL;
	if (!lbd->prober) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lbd->nft = lb_nft_new(err, errlen);
	if (!lbd->nft)
		return -1;
	if (nl_open(&lbd->nl, -1, err, errlen) < 0)
		return -1;
	lbd->nl_open = true;
	if (lb_route_setup(&lbd->nl, lbd->info.nodes, err, errlen) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	lbd->sigfd = ev_on_signals(lbd->loop, stop_signals, 3, lb_daemon_on_signal, lbd);
	if (lbd->sigfd < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(-lbd->sigfd));
		lbd->sigfd = -1;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/apiserver.sock", lbd->statedir);
	lbd->api = lb_api_new(lbd->loop, path, lb_daemon_on_api, lbd);
	if (!lbd->api) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int lb_daemon_run(struct lb_daemon *lbd)
{
	int rc;

	lb_api_start(lbd->api);
	lb_daemon_reconcile(lbd);
	lbd->resync_timer = ev_timer_add(lbd->loop, LB_RESYNC_MS, lb_daemon_resync, lbd);
	/* The first ruleset goes in before any traffic is sampled. */
	if (lbd->nft_dirty && lb_daemon_apply(lbd) < 0)
		lb_daemon_mark_dirty(lbd);
	lbd->tick_timer = ev_timer_add(lbd->loop, 1000 - (uint64_t)(ev_wall_ms() % 1000) + 20,
				       lb_daemon_tick, lbd);
	rc = ev_run(lbd->loop);
	if (rc < 0) {
		log_error("event loop: %s", strerror(-rc));
		return -1;
	}
	/* Last state for the CLI: it keeps showing what was true at exit. */
	lb_metrics_tick(lbd, ev_wall_ms());
	return 0;
}

void lb_daemon_fini(struct lb_daemon *lbd)
{
	for (int i = 0; i < lbd->n_svcs; i++)
		lb_svc_free(lbd->svcs[i]);
	for (int b = 0; b < LB_MAX_BACKENDS; b++)
		lb_probe_stop(lbd->shared[b]);
	free(lbd->svcs);
	lbd->svcs = NULL;
	lbd->n_svcs = 0;
	lb_api_free(lbd->api);
	lb_prober_free(lbd->prober);
	lb_nft_free(lbd->nft);
	if (lbd->nl_open)
		nl_close(&lbd->nl);
	if (lbd->sigfd >= 0)
		close(lbd->sigfd);
	ev_loop_free(lbd->loop);
	buf_free(&lbd->nft_key);
	memset(lbd, 0, sizeof(*lbd));
	lbd->sigfd = -1;
}
