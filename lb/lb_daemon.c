/* lb_daemon.c — see lb_daemon.h. */
#include "lb_daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "jsonw.h"
#include "lb_alloc.h"
#include "lb_api.h"
#include "lb_conntrack.h"
#include "lb_route.h"
#include "lb_state.h"
#include "log.h"
#include "store.h"

#define LB_DEBOUNCE_MS 30
#define LB_RESYNC_MS   2000
#define LB_RETRY_MS    1000
#define LB_SYNC_FAILED "SyncLoadBalancerFailed"
#define LB_COMPONENT   "clientip-lb"

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

/* ---- probes ------------------------------------------------------------- */

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
static void lb_svc_probes(struct lb_svc *s, const struct lb_conf *old,
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
static void lb_daemon_shared(struct lb_daemon *lbd)
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
static void lb_svc_dpa(struct lb_svc *s)
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

/* ---- services ----------------------------------------------------------- */

static void lb_svc_free(struct lb_svc *s)
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

/* One of the Service's reports, as an Event once: reports already posted
 * (in s->events, one JSON object each) are not posted again while they
 * stand. */
static void lb_svc_report(struct lb_svc *s, struct buf *now, const char *reason,
			  const char *message)
{
	struct buf one = BUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &one, false);
	jsonw_begin_object(&w);
	jsonw_kv_str(&w, "reason", reason);
	jsonw_kv_str(&w, "message", message);
	jsonw_end_object(&w);
	buf_printf(now, "%s\n", buf_str(&one));
	if (!strstr(buf_str(&s->events), buf_str(&one)) &&
	    lb_api_event(s->lbd->api, &s->spec.meta, "Warning", reason, message, LB_COMPONENT) < 0)
		/* Not posted: leave it out, so the next sync posts it. */
		now->len -= one.len + 1;
	buf_free(&one);
}

/* Publishes the frontend through the Service's status, when the server's
 * status (api_ingress) differs from it, and the reports as Events. */
static void lb_svc_publish(struct lb_svc *s, struct in_addr api_ingress)
{
	struct buf events = BUF_INIT, now = BUF_INIT;
	char ip[INET_ADDRSTRLEN] = "";

	if (s->pending_reason[0])
		lb_svc_report(s, &events, s->pending_reason, s->pending_message);
	if (s->error[0]) {
		char msg[LB_EVENT_MESSAGE_MAX + 80];

		/* The words of Kubernetes' service controller around the cloud
		 * provider's error. */
		snprintf(msg, sizeof(msg), "Error syncing load balancer: failed to ensure load "
			 "balancer: %s", s->error);
		lb_svc_report(s, &events, LB_SYNC_FAILED, msg);
	}
	for (int i = 0; i < s->conf.n_events; i++)
		lb_svc_report(s, &events, s->conf.events[i].reason, s->conf.events[i].message);
	buf_reset(&s->events);
	buf_puts(&s->events, buf_str(&events));
	if (s->frontend.s_addr != api_ingress.s_addr &&
	    lb_api_put_status(s->lbd->api, s->spec.meta.ns, s->spec.meta.name, s->frontend) == 0 &&
	    s->frontend.s_addr && !api_ingress.s_addr) {
		/* What Kubernetes' service controller records around the cloud
		 * provider's EnsureLoadBalancer. */
		lb_api_event(s->lbd->api, &s->spec.meta, "Normal", "EnsuringLoadBalancer",
			     "Ensuring load balancer", "service-controller");
		lb_api_event(s->lbd->api, &s->spec.meta, "Normal", "EnsuredLoadBalancer",
			     "Ensured load balancer", "service-controller");
	}
	if (s->frontend.s_addr)
		inet_ntop(AF_INET, &s->frontend, ip, sizeof(ip));
	buf_printf(&now, "%s %s", ip, buf_str(&events));
	if (s->status.len && strcmp(buf_str(&now), buf_str(&s->status)) == 0)
		goto out;
	if (s->error[0])
		log_warn("%s/%s: %s: %s", s->spec.meta.ns, s->spec.meta.name, LB_SYNC_FAILED,
			 s->error);
	else if (s->frontend.s_addr)
		log_info("%s/%s: frontend %s", s->spec.meta.ns, s->spec.meta.name, ip);
	else
		log_warn("%s/%s: frontend pending: %s", s->spec.meta.ns, s->spec.meta.name,
			 s->pending_message);
	buf_reset(&s->status);
	buf_puts(&s->status, buf_str(&now));
out:
	buf_free(&events);
	buf_free(&now);
}

static void lb_daemon_conf_opts(const struct lb_daemon *lbd, struct lb_conf_opts *o)
{
	o->lab_interval_s = lbd->info.probe_interval_s;
	o->idle_in_seconds = lbd->info.idle_timeout_in_seconds;
	o->mode = lbd->info.cluster_probe_mode == LABINFO_PROBE_SHARED ? LB_PROBE_MODE_SHARED
								       : LB_PROBE_MODE_SERVICE_NODE_PORT;
}

/* A live Service switched from Cluster to Local: what happens next is
 * not visible anywhere else. Nodes without a ready pod fail their probe at
 * once, but the pool keeps them until the probe has failed num-of-probe
 * times, and the new flows sent to them meanwhile are dropped there (as on
 * AKS), unless the Service asks its nodes to hand them over. */
static void lb_svc_tell_local(struct lb_svc *s, const struct model_service *spec,
			      const struct lb_conf *c)
{
	const struct lb_probe_conf *p = c->n_probes > 0 ? &c->probes[0] : NULL;
	int window = p ? p->interval_s * p->threshold : 0;
	char msg[LB_EVENT_MESSAGE_MAX];

	if (model_map_get(&spec->meta.annotations, MODEL_ANN_LOCAL_HANDOVER)) {
		snprintf(msg, sizeof(msg), "externalTrafficPolicy is now Local: nodes without a ready "
			 "pod leave the pool after %d failed probes (about %d s); meanwhile they hand "
			 "the flows they get over to other nodes, masqueraded (%s)",
			 p ? p->threshold : 0, window, MODEL_ANN_LOCAL_HANDOVER);
		lb_api_event(s->lbd->api, &s->spec.meta, "Normal", "ExternalTrafficPolicyLocal", msg,
			     LB_COMPONENT);
		return;
	}
	snprintf(msg, sizeof(msg), "externalTrafficPolicy is now Local: nodes without a ready pod "
		 "stay in the pool until their probe has failed %d times (about %d s), and drop "
		 "the new flows they get meanwhile; annotate %s to have them forwarded instead",
		 p ? p->threshold : 0, window, MODEL_ANN_LOCAL_HANDOVER);
	lb_api_event(s->lbd->api, &s->spec.meta, "Warning", "ExternalTrafficPolicyLocal", msg,
		     LB_COMPONENT);
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
