/* lb_reconcile.c — the Services into frontends: the daemon's table of
 * LoadBalancer Services (sorted by key), each one's conf worked out from
 * its spec and annotations, the frontends allocated for all at once, and
 * each Service's new conf applied (probes retuned, status and Events
 * published) or, when refused, its old one kept. A Service gone from the
 * API, or no longer of type LoadBalancer, is removed and its frontend
 * released.
 */
#include "lb_daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_alloc.h"
#include "lb_api.h"
#include "lb_daemon_int.h"
#include "log.h"

void lb_svc_free(struct lb_svc *s)
{
	if (!s)
		return;
	for (int p = 0; p < LB_MAX_PROBES; p++)
		for (int b = 0; b < LB_MAX_BACKENDS; b++)
			lb_probe_stop(s->probes[p][b]);
	for (int r = 0; r < LB_MAX_RULES; r++)
		lb_probe_stop(s->dpa[r]);
	lb_series_free(s->series);
	buf_free(&s->status);
	buf_free(&s->events);
	free(s);
}

static struct lb_svc *lb_svc_new(struct lb_daemon *lbd, const struct model_service *spec)
{
	struct lb_svc *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->lbd = lbd;
	snprintf(s->key, sizeof(s->key), "%s_%s", spec->meta.ns, spec->meta.name);
	s->spec = *spec;
	s->n_backends = lbd->info.nodes;
	for (int i = 0; i < s->n_backends; i++) {
		s->backends[i].svc = s;
		s->backends[i].node = i;
		/* A rule without probe: every backend in, from the start. */
		s->fixed[i].state = LB_HEALTH_UP;
		snprintf(s->fixed[i].last_result, sizeof(s->fixed[i].last_result), "no probe");
		s->fixed[i].last_change_ms = ev_wall_ms();
	}
	s->series = lb_series_new(s->n_backends);
	if (!s->series) {
		free(s);
		return NULL;
	}
	return s;
}

static struct lb_svc *lb_daemon_find(struct lb_daemon *lbd, const char *key, int *pos)
{
	int lo = 0, hi = lbd->n_svcs;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(lbd->svcs[mid]->key, key);

		if (c == 0) {
			*pos = mid;
			return lbd->svcs[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return NULL;
}

static int lb_daemon_insert(struct lb_daemon *lbd, int pos, struct lb_svc *s)
{
	if (lbd->n_svcs == lbd->cap_svcs) {
		int cap = lbd->cap_svcs ? lbd->cap_svcs * 2 : 16;
		struct lb_svc **p = realloc(lbd->svcs, (size_t)cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		lbd->svcs = p;
		lbd->cap_svcs = cap;
	}
	memmove(lbd->svcs + pos + 1, lbd->svcs + pos,
		(size_t)(lbd->n_svcs - pos) * sizeof(*lbd->svcs));
	lbd->svcs[pos] = s;
	lbd->n_svcs++;
	return 0;
}

static void lb_daemon_conf_opts(const struct lb_daemon *lbd, struct lb_conf_opts *o)
{
	o->lab_interval_s = lbd->info.probe_interval_s;
	o->idle_in_seconds = lbd->info.idle_timeout_in_seconds;
	o->mode = lbd->info.cluster_probe_mode == LABINFO_PROBE_SHARED ? LB_PROBE_MODE_SHARED
								       : LB_PROBE_MODE_SERVICE_NODE_PORT;
}

/* Applies spec with conf c (valid), or, when c is NULL (spec refused),
 * keeps the frontend, rules and probes as they were and reports why:
 * the next sync tries again. */
static void lb_svc_update(struct lb_svc *s, const struct model_service *spec,
			  const struct lb_conf *c, const char *error, const struct lb_alloc *a,
			  const struct lb_health_state (*restored)[LB_MAX_BACKENDS])
{
	struct lb_conf *old;

	if (!c) {
		snprintf(s->error, sizeof(s->error), "%s", error);
		lb_svc_publish(s, spec->ingress_ip);
		return;
	}
	old = malloc(sizeof(*old));
	if (!old) {
		log_error("%s: not updated: out of memory", s->key);
		return;
	}
	*old = s->conf;
	s->error[0] = '\0';
	if (s->applied && s->spec.external_policy == MODEL_POLICY_CLUSTER &&
	    spec->external_policy == MODEL_POLICY_LOCAL)
		lb_svc_tell_local(s, spec, c);
	s->spec = *spec;
	s->conf = *c;
	s->applied = true;
	s->frontend = a->ip;
	snprintf(s->pending_reason, sizeof(s->pending_reason), "%s", a->reason);
	snprintf(s->pending_message, sizeof(s->pending_message), "%s", a->message);
	lb_svc_probes(s, old, restored);
	lb_svc_dpa(s);
	lb_svc_publish(s, spec->ingress_ip);
	free(old);
}

/* Says what a new Service got: one line per rule. */
static void lb_svc_log(const struct lb_svc *s)
{
	log_info("%s/%s: load balancer for %d node(s), policy %s, %d rule(s)", s->spec.meta.ns,
		 s->spec.meta.name, s->n_backends, model_policy_name(s->spec.external_policy),
		 s->conf.n_rules);
	for (int r = 0; r < s->conf.n_rules; r++) {
		const struct lb_rule_conf *rc = &s->conf.rules[r];
		const struct lb_probe_conf *p = rc->probe >= 0 ? &s->conf.probes[rc->probe] : NULL;

		if (!p) {
			log_info("  rule %s: no probe%s", rc->name,
				 rc->no_probe_rule ? " (no_probe_rule)" : "");
			continue;
		}
		log_info("  rule %s: probe %s :%d%s every %d s, threshold %d%s%s", rc->name,
			 lb_probe_proto_name(p->proto), p->port, p->path, p->interval_s,
			 p->threshold, p->lab_interval ? " (lab-wide interval)" : "",
			 p->shared ? " (shared)" : "");
	}
}

static void lb_daemon_remove(struct lb_daemon *lbd, int pos)
{
	struct lb_svc *s = lbd->svcs[pos];

	log_info("%s/%s: load balancer removed, frontend released", s->spec.meta.ns,
		 s->spec.meta.name);
	lb_metrics_forget(lbd, s);
	lb_svc_free(s);
	memmove(lbd->svcs + pos, lbd->svcs + pos + 1,
		(size_t)(lbd->n_svcs - pos - 1) * sizeof(*lbd->svcs));
	lbd->n_svcs--;
}

void lb_daemon_reconcile(struct lb_daemon *lbd)
{
	struct model_service *list = NULL;
	struct lb_alloc *al = NULL;
	struct lb_conf *conf = NULL;
	struct lb_health_state (*restored)[LB_MAX_BACKENDS] = NULL;
	struct lb_conf_opts opts;
	char (*rerr)[256] = NULL;
	bool *ok = NULL;
	int *idx = NULL;
	char err[256];
	int n = 0, m = 0;

	/* Before the first list, nothing is known: the data path stays. */
	if (!lb_api_synced(lbd->api))
		return;
	if (lb_api_services(lbd->api, &list, &n, err, sizeof(err)) < 0) {
		log_error("services: %s", err);
		return;
	}
	lb_daemon_conf_opts(lbd, &opts);
	al = calloc((size_t)(n ? n : 1), sizeof(*al));
	idx = calloc((size_t)(n ? n : 1), sizeof(*idx));
	ok = calloc((size_t)(n ? n : 1), sizeof(*ok));
	rerr = calloc((size_t)(n ? n : 1), sizeof(*rerr));
	conf = malloc(sizeof(*conf));
	restored = calloc(LB_MAX_RULES, sizeof(*restored));
	if (!al || !idx || !ok || !rerr || !conf || !restored) {
		log_error("reconcile: out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		const struct model_service *sv = &list[i], *basis;
		char key[LB_KEY_MAX];
		struct lb_svc *s;
		int pos;

		if (sv->type != MODEL_SVC_LOAD_BALANCER || sv->meta.deleting[0]) {
			/* No longer a load balancer's (its type changed): its
			 * frontend is released, and the status says so. */
			if (sv->ingress_ip.s_addr)
				lb_api_put_status(lbd->api, sv->meta.ns, sv->meta.name,
						  (struct in_addr){ 0 });
			continue;
		}
		snprintf(key, sizeof(key), "%s_%s", sv->meta.ns, sv->meta.name);
		s = lb_daemon_find(lbd, key, &pos);
		/* Worked out again below: one conf at a time, not one per Service. */
		ok[m] = lb_conf_from_service(sv, &opts, conf) == 0;
		al[m].ns = sv->meta.ns;
		al[m].name = sv->meta.name;
		/* A refused Service keeps what it had, address included. */
		basis = ok[m] || !s ? sv : &s->spec;
		if (lb_alloc_requested(basis, &al[m].requested, rerr[m], sizeof(rerr[m])) < 0)
			al[m].request_error = rerr[m];
		for (int p = 0; p < basis->n_ports && p < MODEL_MAX_PORTS; p++) {
			al[m].ports[p].proto = (int)basis->ports[p].proto;
			al[m].ports[p].port = basis->ports[p].port;
		}
		al[m].n_ports = basis->n_ports;
		/* Our own memory first, else what the status says (a restart). */
		al[m].current = s ? s->frontend : sv->ingress_ip;
		idx[m++] = i;
	}
	lb_alloc_frontends(al, m);
	for (int i = 0; i < lbd->n_svcs; i++)
		lbd->svcs[i]->seen = false;
	for (int k = 0; k < m; k++) {
		const struct model_service *sv = &list[idx[k]];
		const struct lb_conf *c = NULL;
		char key[LB_KEY_MAX];
		struct lb_svc *s;
		int pos;

		if (lb_conf_from_service(sv, &opts, conf) == 0 && ok[k])
			c = conf;
		snprintf(key, sizeof(key), "%s_%s", sv->meta.ns, sv->meta.name);
		s = lb_daemon_find(lbd, key, &pos);
		if (!s) {
			s = lb_svc_new(lbd, sv);
			if (!s || lb_daemon_insert(lbd, pos, s) < 0) {
				log_error("%s: out of memory", key);
				lb_svc_free(s);
				continue;
			}
			memset(restored, 0, LB_MAX_RULES * sizeof(*restored));
			if (c)
				lb_metrics_restore(lbd, s, c, restored);
			lb_svc_update(s, sv, c, conf->error, &al[k], restored);
			if (c)
				lb_svc_log(s);
		} else {
			lb_svc_update(s, sv, c, conf->error, &al[k], NULL);
		}
		s->seen = true;
	}
	for (int i = lbd->n_svcs - 1; i >= 0; i--)
		if (!lbd->svcs[i]->seen)
			lb_daemon_remove(lbd, i);
	lb_daemon_shared(lbd);
	lb_daemon_mark_dirty(lbd);
	/* A refusal shows in `clientip probes` at once. */
	lbd->files_dirty = true;
out:
	free(al);
	free(idx);
	free(ok);
	free(rerr);
	free(conf);
	free(restored);
	free(list);
}
