/* lb_probe.c — see lb_probe.h. */
#include "lb_probe.h"

#include <stdio.h>
#include <stdlib.h>

#include "probe.h"

struct lb_prober {
	struct ev_loop *loop;
	struct lb_prober_stats stats;
};

struct lb_probe {
	struct lb_prober *pr;
	struct lb_probe_spec spec;
	struct lb_health_state health;
	lb_probe_cb *cb;
	void *data;
	uint64_t timer;              /* the next attempt */
	struct probe attempt;
};

const char *lb_health_name(enum lb_health h)
{
	switch (h) {
	case LB_HEALTH_UP: return "Up";
	case LB_HEALTH_DOWN: return "Down";
	case LB_HEALTH_UNKNOWN: break;
	}
	return "Unknown";
}

bool lb_health_feed(struct lb_health_state *h, bool ok, int threshold,
		    const char *result, int64_t now_ms)
{
	enum lb_health before = h->state;

	if (threshold < 1)
		threshold = 1;
	if (h->last_probe_ms && h->last_ok == ok)
		h->consecutive++;
	else
		h->consecutive = 1;
	h->last_ok = ok;
	h->last_probe_ms = now_ms;
	snprintf(h->last_result, sizeof(h->last_result), "%s", result);
	if (ok)
		h->successes++;
	else
		h->failures++;
	if (h->state == LB_HEALTH_UNKNOWN)
		h->state = ok ? LB_HEALTH_UP : LB_HEALTH_DOWN;
	else if (h->state == LB_HEALTH_UP && !ok && h->consecutive >= threshold)
		h->state = LB_HEALTH_DOWN;
	else if (h->state == LB_HEALTH_DOWN && ok && h->consecutive >= threshold)
		h->state = LB_HEALTH_UP;
	if (h->state == before)
		return false;
	h->last_change_ms = now_ms;
	return true;
}

uint32_t lb_probe_timeout_ms(uint32_t interval_ms)
{
	uint32_t t = interval_ms / 5 * 4;

	return t < 5000 ? t : 5000;
}

struct lb_prober *lb_prober_new(struct ev_loop *loop)
{
	struct lb_prober *pr = calloc(1, sizeof(*pr));

	if (!pr)
		return NULL;
	pr->loop = loop;
	return pr;
}

void lb_prober_free(struct lb_prober *pr)
{
	free(pr);
}

const struct lb_prober_stats *lb_prober_stats(const struct lb_prober *pr)
{
	return &pr->stats;
}

const struct lb_health_state *lb_probe_health(const struct lb_probe *p)
{
	return &p->health;
}

const struct lb_probe_spec *lb_probe_get_spec(const struct lb_probe *p)
{
	return &p->spec;
}

/* Azure's rule: a TCP probe succeeds when it connects, an HTTP probe only
 * on 200. */
static void lb_probe_done(const struct probe_result *r, void *data)
{
	struct lb_probe *p = data;
	bool ok = r->outcome == PROBE_OK && (p->spec.proto != LB_PROBE_HTTP || r->status == 200);
	bool changed;

	p->pr->stats.in_flight--;
	if (r->outcome == PROBE_TIMEOUT)
		p->pr->stats.timeouts++;
	if (ok)
		p->pr->stats.ok++;
	else
		p->pr->stats.failed++;
	p->health.last_latency_ms = (int)r->latency_ms;
	changed = lb_health_feed(&p->health, ok, p->spec.threshold, r->text, ev_wall_ms());
	if (p->cb)
		p->cb(p, changed, p->data);
}

static void lb_probe_tick(struct ev_loop *loop, uint64_t id, void *data)
{
	struct lb_probe *p = data;
	struct probe_spec ps = {
		.kind = p->spec.proto == LB_PROBE_HTTP ? PROBE_HTTP : PROBE_TCP,
		.addr = p->spec.addr,
		.port = p->spec.port,
		.path = p->spec.path,
		.headers = "User-Agent: clientip-lb-probe/1.0\r\nAccept: */*\r\n",
		.timeout_ms = p->spec.timeout_ms,
		.reset = true,
	};

	(void)id;
	p->pr->stats.attempts++;
	/* The previous attempt is over: its timeout is at most the interval,
	 * and its timer, added before this one, fires first. */
	if (probe_start(&p->attempt, loop, &ps, lb_probe_done, p) == 0) {
		p->pr->stats.in_flight++;
	} else {
		/* Our own shortage (EMFILE, ENOBUFS) says nothing about the
		 * backend: skip the round rather than fail it. */
		p->pr->stats.skipped++;
	}
	p->timer = ev_timer_add(loop, p->spec.interval_ms, lb_probe_tick, p);
}

struct lb_probe *lb_probe_start(struct lb_prober *pr, const struct lb_probe_spec *spec,
				const struct lb_health_state *initial,
				lb_probe_cb *cb, void *data)
{
	struct lb_probe *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pr = pr;
	p->spec = *spec;
	if (p->spec.interval_ms < 100)
		p->spec.interval_ms = 100;
	if (p->spec.timeout_ms == 0 || p->spec.timeout_ms > p->spec.interval_ms)
		p->spec.timeout_ms = lb_probe_timeout_ms(p->spec.interval_ms);
	if (initial)
		p->health = *initial;
	p->cb = cb;
	p->data = data;
	p->timer = ev_timer_add(pr->loop, spec->first_delay_ms, lb_probe_tick, p);
	if (!p->timer) {
		free(p);
		return NULL;
	}
	return p;
}

void lb_probe_stop(struct lb_probe *p)
{
	if (!p)
		return;
	if (p->timer)
		ev_timer_cancel(p->pr->loop, p->timer);
	if (probe_running(&p->attempt))
		p->pr->stats.in_flight--;
	probe_cancel(&p->attempt);
	free(p);
}
