/* lb_health.c — which backends are in each rule's pool: the probes of
 * every Service against every node, started, kept or retuned when the
 * Service's conf changes (a new probe starts with the health the rule
 * had), the shared probe of kube-proxy's /healthz while a Service uses it,
 * and the data path checks through each frontend. A probe that flips a
 * backend marks the data path dirty (lb_apply.c).
 */
#include "lb_daemon.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_daemon_int.h"
#include "log.h"

/* The state of a probe not started yet: Unknown. */
static const struct lb_health_state lb_no_result;

const struct lb_health_state *lb_rule_health(const struct lb_svc *s, int rule, int node)
{
	int p = s->conf.rules[rule].probe;
	const struct lb_probe *pr;

	if (p < 0)
		return &s->fixed[node];
	pr = s->conf.probes[p].shared ? s->lbd->shared[node] : s->probes[p][node];
	return pr ? lb_probe_health(pr) : &lb_no_result;
}

int lb_svc_main_rule(const struct lb_svc *s)
{
	for (int r = 0; r < s->conf.n_rules; r++)
		if (s->conf.rules[r].probe >= 0)
			return r;
	return 0;
}

static void lb_on_probe(struct lb_probe *p, bool changed, void *data)
{
	struct lb_backend *b = data;
	const struct lb_health_state *h = lb_probe_health(p);
	const struct lb_probe_spec *spec = lb_probe_get_spec(p);
	char ip[INET_ADDRSTRLEN];
	struct in_addr a;

	if (!changed)
		return;
	a = lab_node_addr(b->node);
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	log_info("%s/%s: node%d (%s) is %s on %s :%d%s: %s (%d in a row)", b->svc->spec.meta.ns,
		 b->svc->spec.meta.name, b->node, ip, lb_health_name(h->state),
		 lb_probe_proto_name(spec->proto), spec->port, spec->path, h->last_result,
		 h->consecutive);
	b->svc->lbd->files_dirty = true;
	lb_daemon_mark_dirty(b->svc->lbd);
}

static void lb_on_shared_probe(struct lb_probe *p, bool changed, void *data)
{
	struct lb_shared_ref *ref = data;
	const struct lb_health_state *h = lb_probe_health(p);

	if (!changed)
		return;
	log_info("node%d is %s on the shared probe HTTP :%d%s: %s (%d in a row)", ref->node,
		 lb_health_name(h->state), LAB_PROXY_HEALTH_PORT, LB_SHARED_PROBE_PATH,
		 h->last_result, h->consecutive);
	ref->lbd->files_dirty = true;
	lb_daemon_mark_dirty(ref->lbd);
}

/* The spec of probe pc against node; seed staggers probes that start
 * together. */
static void lb_probe_spec_of(const struct lb_probe_conf *pc, int node, int seed,
			     struct lb_probe_spec *spec)
{
	uint32_t interval = (uint32_t)pc->interval_s * 1000u;
	uint32_t spread = interval < 1000 ? interval : 1000;

	memset(spec, 0, sizeof(*spec));
	spec->proto = pc->proto;
	spec->addr = lab_node_addr(node);
	spec->port = pc->port;
	snprintf(spec->path, sizeof(spec->path), "%s", pc->https_as_tcp ? "" : pc->path);
	spec->interval_ms = interval;
	spec->timeout_ms = lb_probe_timeout_ms(interval);
	spec->threshold = pc->threshold;
	/* Probes that start together are staggered, not sent in one burst;
	 * the first round still completes within a second. */
	spec->first_delay_ms = (uint32_t)(node * 97 + seed * 13) % (spread / 4 + 1);
}

static bool lb_spec_equal(const struct lb_probe_spec *a, const struct lb_probe_spec *b)
{
	return a->proto == b->proto && a->addr.s_addr == b->addr.s_addr && a->port == b->port &&
	       strcmp(a->path, b->path) == 0 && a->interval_ms == b->interval_ms &&
	       a->timeout_ms == b->timeout_ms && a->threshold == b->threshold;
}

/* The health node had in the rule of conf old (with probes old_probes)
 * that has the frontend port of r, or NULL if there was none. */
static const struct lb_health_state *lb_old_health(const struct lb_svc *s,
						   const struct lb_conf *old,
						   struct lb_probe *old_probes[][LB_MAX_BACKENDS],
						   const struct lb_rule_conf *r, int node)
{
	for (int i = 0; i < old->n_rules; i++) {
		const struct lb_rule_conf *o = &old->rules[i];
		int p = o->probe;

		if (o->proto != r->proto || o->port != r->port || p < 0)
			continue;
		if (old->probes[p].shared)
			return s->lbd->shared[node] ? lb_probe_health(s->lbd->shared[node]) : NULL;
		return old_probes[p][node] ? lb_probe_health(old_probes[p][node]) : NULL;
	}
	return NULL;
}

/* Starts, keeps or stops the probes of s to match s->conf (old: the conf
 * they were started for). A probe whose spec is unchanged goes on; a new
 * one starts with the health the rule had (switching Cluster to Local must
 * not send every backend back to Unknown, no new flows, while the new
 * probe runs) or, after a restart, the health restored[rule][node]. */
void lb_svc_probes(struct lb_svc *s, const struct lb_conf *old,
			  const struct lb_health_state (*restored)[LB_MAX_BACKENDS])
{
	struct lb_probe *(*prev)[LB_MAX_BACKENDS] = calloc(LB_MAX_PROBES, sizeof(*prev));
	struct lb_health_state (*keep)[LB_MAX_BACKENDS] = calloc(LB_MAX_PROBES, sizeof(*keep));

	if (!prev || !keep) {
		log_error("%s: probes not updated: out of memory", s->key);
		goto out;
	}
	memcpy(prev, s->probes, sizeof(s->probes));
	memset(s->probes, 0, sizeof(s->probes));
	/* The health each new probe would start with, read before any old
	 * probe moves to a new place. */
	for (int p = 0; p < s->conf.n_probes; p++) {
		int first = 0;

		while (first < s->conf.n_rules && s->conf.rules[first].probe != p)
			first++;
		for (int b = 0; b < s->n_backends && first < s->conf.n_rules; b++) {
			const struct lb_health_state *h =
				restored ? &restored[first][b]
					 : lb_old_health(s, old, prev, &s->conf.rules[first], b);

			keep[p][b] = h ? *h : lb_no_result;
		}
	}
	for (int p = 0; p < s->conf.n_probes; p++) {
		const struct lb_probe_conf *pc = &s->conf.probes[p];

		if (pc->shared)
			continue;
		for (int b = 0; b < s->n_backends; b++) {
			struct lb_probe_spec spec;

			lb_probe_spec_of(pc, b, s->key[0] + p, &spec);
			for (int q = 0; q < LB_MAX_PROBES && !s->probes[p][b]; q++) {
				if (prev[q][b] && lb_spec_equal(lb_probe_get_spec(prev[q][b]), &spec)) {
					s->probes[p][b] = prev[q][b];
					prev[q][b] = NULL;
				}
			}
			if (s->probes[p][b])
				continue;
			s->probes[p][b] = lb_probe_start(s->lbd->prober, &spec, &keep[p][b],
							 lb_on_probe, &s->backends[b]);
			if (!s->probes[p][b])
				log_error("%s: cannot start a probe of node%d: out of memory", s->key, b);
		}
	}
	for (int q = 0; q < LB_MAX_PROBES; q++)
		for (int b = 0; b < LB_MAX_BACKENDS; b++)
			lb_probe_stop(prev[q][b]);
out:
	free(prev);
	free(keep);
}

/* Runs the shared probe while a Service uses it, with the settings that
 * Service's conf gives it (the same for all: Azure's defaults or the
 * lab-wide interval). */
void lb_daemon_shared(struct lb_daemon *lbd)
{
	const struct lb_probe_conf *pc = NULL;

	for (int i = 0; i < lbd->n_svcs && !pc; i++) {
		const struct lb_svc *s = lbd->svcs[i];

		for (int p = 0; p < s->conf.n_probes && !pc; p++)
			if (s->conf.probes[p].shared)
				pc = &s->conf.probes[p];
	}
	for (int b = 0; b < lbd->info.nodes && b < LB_MAX_BACKENDS; b++) {
		struct lb_health_state keep = lb_no_result;
		struct lb_probe_spec spec;

		if (!pc) {
			lb_probe_stop(lbd->shared[b]);
			lbd->shared[b] = NULL;
			continue;
		}
		lb_probe_spec_of(pc, b, 0, &spec);
		if (lbd->shared[b] && lb_spec_equal(lb_probe_get_spec(lbd->shared[b]), &spec))
			continue;
		if (lbd->shared[b])
			keep = *lb_probe_health(lbd->shared[b]);
		lb_probe_stop(lbd->shared[b]);
		lbd->shared_refs[b] = (struct lb_shared_ref){ lbd, b };
		lbd->shared[b] = lb_probe_start(lbd->prober, &spec, &keep, lb_on_shared_probe,
						&lbd->shared_refs[b]);
		if (!lbd->shared[b])
			log_error("cannot start the shared probe of node%d: out of memory", b);
	}
}

/* The interval the Service's probes run at: its first probe's, else the
 * default (or the lab-wide one). */
static int lb_svc_interval(const struct lb_svc *s)
{
	int r = lb_svc_main_rule(s);

	if (r < s->conf.n_rules && s->conf.rules[r].probe >= 0)
		return s->conf.probes[s->conf.rules[r].probe].interval_s;
	return s->lbd->info.probe_interval_s > 0 ? s->lbd->info.probe_interval_s
						 : LB_DEFAULT_INTERVAL_S;
}

/* The data path checks: a TCP connect from the edge through the frontend
 * to each TCP rule's port, at the probe interval. */
void lb_svc_dpa(struct lb_svc *s)
{
	for (int r = 0; r < LB_MAX_RULES; r++) {
		struct lb_probe_spec spec = { 0 };

		if (!s->frontend.s_addr || r >= s->conf.n_rules ||
		    s->conf.rules[r].proto != MODEL_PROTO_TCP) {
			lb_probe_stop(s->dpa[r]);
			s->dpa[r] = NULL;
			continue;
		}
		spec.proto = LB_PROBE_TCP;
		spec.addr = s->frontend;
		spec.port = s->conf.rules[r].port;
		spec.interval_ms = (uint32_t)lb_svc_interval(s) * 1000u;
		spec.timeout_ms = lb_probe_timeout_ms(spec.interval_ms);
		spec.threshold = 1;
		/* After the first ruleset for this frontend is in. */
		spec.first_delay_ms = 200;
		if (s->dpa[r] && lb_spec_equal(&s->dpa_spec[r], &spec))
			continue;
		lb_probe_stop(s->dpa[r]);
		s->dpa_spec[r] = spec;
		s->dpa[r] = lb_probe_start(s->lbd->prober, &spec, NULL, NULL, NULL);
	}
}
