/* lb_apply.c — the data path: the Services' frontends and the pools
 * their probes leave rendered into table ip azure-lb and replaced in one
 * batch, counters carried over, when the text changed; at most once per
 * loop turn however many probes flipped, and retried after a failure.
 * Flows left pinned to a node that left a pool are let go afterwards.
 */
#include "lb_daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_conntrack.h"
#include "lb_daemon_int.h"
#include "log.h"

#define LB_RETRY_MS    1000

/* ---- data path ---------------------------------------------------------- */

/* The data path's view of the Services: frontends with ports, and the
 * backends that take new flows. */
static int lb_daemon_nft_svcs(struct lb_daemon *lbd, struct lb_nft_svc **out)
{
	struct lb_nft_svc *v = calloc((size_t)(lbd->n_svcs ? lbd->n_svcs : 1), sizeof(*v));
	int n = 0;

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < lbd->n_svcs; i++) {
		const struct lb_svc *s = lbd->svcs[i];
		struct lb_nft_svc *d = &v[n];

		if (!s->frontend.s_addr || s->conf.n_rules == 0)
			continue;
		snprintf(d->key, sizeof(d->key), "%s", s->key);
		d->frontend = s->frontend;
		/* Each rule's pool: the backends its own probe says are up. */
		for (int r = 0; r < s->conf.n_rules; r++) {
			struct lb_nft_port *p = &d->ports[r];

			p->proto = s->conf.rules[r].proto;
			p->port = s->conf.rules[r].port;
			p->node_port = s->conf.rules[r].node_port;
			for (int b = 0; b < s->n_backends; b++)
				if (lb_rule_health(s, r, b)->state == LB_HEALTH_UP)
					p->healthy[p->n_healthy++] = b;
		}
		d->n_ports = s->conf.n_rules;
		d->floating_ip = s->conf.floating_ip;
		d->source_ip_affinity = s->conf.source_ip_affinity;
		d->idle_timeout_s = s->conf.idle_timeout_s;
		d->tcp_reset = s->conf.tcp_reset;
		d->n_backends = s->n_backends;
		n++;
	}
	*out = v;
	return n;
}

int lb_daemon_apply(struct lb_daemon *lbd)
{
	struct buf key = BUF_INIT, text = BUF_INIT;
	struct lb_nft_counter *carry = NULL;
	struct lb_nft_svc *svcs = NULL;
	char err[1024];
	int n, n_carry = 0, rc = -1;

	lbd->nft_dirty = false;
	if (!lbd->nft)
		return 0;
	n = lb_daemon_nft_svcs(lbd, &svcs);
	if (n < 0) {
		log_error("data path: out of memory");
		goto out;
	}
	/* Unchanged rules are not re-applied: probes that report the same
	 * state, or a resync with nothing new, cost nothing. */
	lb_nft_render(svcs, n, NULL, 0, &key);
	if (lbd->nft_key.len && strcmp(buf_str(&key), buf_str(&lbd->nft_key)) == 0) {
		rc = 0;
		goto out;
	}
	n_carry = lb_nft_read_counters(lbd->nft, &carry, err, sizeof(err));
	if (n_carry < 0) {
		log_warn("data path: reading counters: %s (they restart at zero)", err);
		n_carry = 0;
	}
	lb_nft_render(svcs, n, carry, n_carry, &text);
	if (lb_nft_run(lbd->nft, buf_str(&text), err, sizeof(err)) < 0) {
		lbd->apply_errors++;
		log_error("data path: nft: %s", err);
		goto out;
	}
	lbd->applies++;
	lbd->last_apply_ms = ev_wall_ms();
	/* The pool just changed: unanswered flows steered to a node that left
	 * it are let go, so that their next SYN goes to a node that is up.
	 * After the new rules are in, never before. */
	{
		int unpinned = lb_conntrack_unpin(svcs, n, err, sizeof(err));

		if (unpinned < 0)
			log_warn("data path: conntrack: %s (unanswered flows stay pinned)", err);
		else if (unpinned > 0)
			log_info("data path: %d unanswered flow(s) let go of a node that left the "
				 "pool", unpinned);
	}
	buf_reset(&lbd->nft_key);
	buf_puts(&lbd->nft_key, buf_str(&key));
	log_debug("data path: table ip %s replaced (%d frontend(s))", LB_TABLE, n);
	rc = 0;
out:
	free(svcs);
	free(carry);
	buf_free(&key);
	buf_free(&text);
	return rc;
}

static void lb_daemon_apply_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	struct lb_daemon *lbd = data;

	(void)id;
	lbd->nft_timer = 0;
	if (lb_daemon_apply(lbd) < 0) {
		/* Try again shortly; the ruleset is re-rendered from the state
		 * of that moment. */
		lbd->nft_dirty = true;
		lbd->nft_timer = ev_timer_add(loop, LB_RETRY_MS, lb_daemon_apply_timer, lbd);
	}
	/* After the rules: what `clientip probes` reads of a probe's state is
	 * then already in the data path. */
	if (lbd->files_dirty && lbd->tick_timer)
		lb_metrics_write(lbd, ev_wall_ms());
	lbd->files_dirty = false;
}

void lb_daemon_mark_dirty(struct lb_daemon *lbd)
{
	lbd->nft_dirty = true;
	/* A zero timer runs after the current loop turn: a burst of probe
	 * results (a node going down for every Service) is one replace. */
	if (!lbd->nft_timer && lbd->loop)
		lbd->nft_timer = ev_timer_add(lbd->loop, 0, lb_daemon_apply_timer, lbd);
}
