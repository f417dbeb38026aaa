/* proxy_rules_reuse.c — what lets a build copy an unchanged Service's part
 * from the previous model instead of building it again
 * (proxy_rules_build_from): the hash of everything a part is built from,
 * the previous model's record of each Service, and the copy.
 */
#include "proxy_rules_int.h"
#include "proxy_rs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

uint64_t gen_mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ull;
	return h ^ (h >> 29);
}

uint64_t gen_mix_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = gen_mix(h, (unsigned char)*s);
	return gen_mix(h, 0xff);
}

/* A Service's fields that matter to the proxy, field by field (struct
 * padding is not data). */
static uint64_t gen_hash_svc_fields(uint64_t h, const struct model_service *svc)
{

	h = gen_mix(h, ((uint64_t)svc->type << 8) | ((uint64_t)svc->external_policy << 16) |
		       ((uint64_t)svc->internal_policy << 24) | ((uint64_t)svc->affinity_client_ip << 32));
	h = gen_mix(h, ((uint64_t)svc->cluster_ip.s_addr << 32) | svc->ingress_ip.s_addr);
	h = gen_mix(h, ((uint64_t)(uint32_t)svc->health_check_node_port << 32) |
		       (uint32_t)svc->affinity_timeout_s);
	for (int i = 0; i < svc->n_external_ips && i < MODEL_MAX_EXTERNAL_IPS; i++)
		h = gen_mix(h, 0x100000000ull | svc->external_ips[i].s_addr);
	for (int i = 0; i < svc->n_source_ranges && i < MODEL_MAX_SOURCE_RANGES; i++)
		h = gen_mix(h, ((uint64_t)(svc->source_ranges[i].prefix + 1) << 32) |
			       svc->source_ranges[i].addr.s_addr);
	h = gen_mix(h, (uint64_t)svc->n_ports);
	for (int i = 0; i < svc->n_ports && i < MODEL_MAX_PORTS; i++) {
		const struct model_service_port *sp = &svc->ports[i];

		h = gen_mix_str(h, sp->name);
		h = gen_mix(h, ((uint64_t)sp->proto << 48) | ((uint64_t)(uint32_t)sp->port << 16));
		h = gen_mix(h, (uint64_t)(uint32_t)sp->node_port);
	}
	return h;
}

static uint64_t gen_hash_eps(uint64_t h, const struct model_endpoints *e)
{
	if (!e)
		return gen_mix(h, 0);
	h = gen_mix(h, ((uint64_t)(uint32_t)e->n << 8) | (uint64_t)(uint32_t)e->n_ports);
	for (int j = 0; j < e->n_ports && j < MODEL_MAX_PORTS; j++)
		h = gen_mix(gen_mix_str(h, e->ports[j].name), (uint64_t)e->ports[j].proto);
	for (int i = 0; i < e->n; i++) {
		const struct model_endpoint *m = &e->items[i];

		h = gen_mix(h, ((uint64_t)m->addr.s_addr << 8) | ((uint64_t)m->ready << 2) |
			       ((uint64_t)m->serving << 1) | (uint64_t)m->terminating);
		h = gen_mix_str(h, m->node);
		for (int j = 0; j < MODEL_MAX_PORTS; j++)
			if (m->ports[j])
				h = gen_mix(h, ((uint64_t)j << 32) | (uint32_t)m->ports[j]);
	}
	return h;
}

/* Everything a Service's part is built from: its fields and its endpoints. */
static uint64_t gen_hash_service(uint64_t seed, const struct model_service *svc,
				 const struct model_endpoints *e, bool handover)
{
	uint64_t h = gen_mix_str(gen_mix_str(seed, svc->meta.ns), svc->meta.name);

	h = gen_mix(h, model_service_dsr(svc));
	return gen_mix(gen_hash_eps(gen_hash_svc_fields(h, svc), e), handover);
}

uint64_t proxy_rules_hash_service(const struct model_service *svc)
{
	return gen_hash_svc_fields(HASH_FNV1A64_INIT, svc);
}

uint64_t proxy_rules_hash_endpoints(const struct model_endpoints *e)
{
	return gen_hash_eps(HASH_FNV1A64_INIT, e);
}

int gen_cmp_rec_ptr(const void *a, const void *b)
{
	const struct proxy_svc_rec *x = *(const struct proxy_svc_rec *const *)a;
	const struct proxy_svc_rec *y = *(const struct proxy_svc_rec *const *)b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

static const struct proxy_svc_rec *gen_prev_rec(struct gen *g, const struct model_service *svc)
{
	struct proxy_svc_rec key;
	const struct proxy_svc_rec *kp = &key, *const *hit;

	if (!g->prev_sorted)
		return NULL;
	/* In the same order as last time, as a rule: try the next one first. */
	if (g->prev_cursor < g->prev->n_stats &&
	    strcmp(g->prev_sorted[g->prev_cursor]->name, svc->meta.name) == 0 &&
	    strcmp(g->prev_sorted[g->prev_cursor]->ns, svc->meta.ns) == 0)
		return g->prev_sorted[g->prev_cursor++];
	snprintf(key.ns, sizeof(key.ns), "%s", svc->meta.ns);
	snprintf(key.name, sizeof(key.name), "%s", svc->meta.name);
	hit = bsearch(&kp, g->prev_sorted, (size_t)g->prev->n_stats, sizeof(*g->prev_sorted),
		      gen_cmp_rec_ptr);
	if (hit)
		g->prev_cursor = (int)(hit - g->prev_sorted) + 1;
	return hit ? *hit : NULL;
}

/* Copies a Service's part from the previous model: one slice of the arena,
 * with every offset moved by the same amount. */
static int gen_reuse(struct gen *g, const struct proxy_svc_rec *pr, struct proxy_svc_rec *rec)
{
	const struct proxy_ruleset *prev = g->prev;
	struct proxy_ruleset *rs = g->rs;
	int64_t delta = (int64_t)rs->text.len - (int64_t)pr->text_off;

	if (rs_grow((void **)&rs->objs, &g->cap_objs, rs->n_objs + pr->n_obj, sizeof(*rs->objs)) < 0 ||
	    rs_grow((void **)&rs->elems, &g->cap_elems, rs->n_elems + pr->n_elem, sizeof(*rs->elems)) < 0 ||
	    rs_grow((void **)&rs->udp, &g->cap_udp, rs->n_udp + pr->n_udp, sizeof(*rs->udp)) < 0 ||
	    rs_grow((void **)&rs->udp_eps, &g->cap_udp_eps, rs->n_udp_eps + pr->n_udp_ep,
		    sizeof(*rs->udp_eps)) < 0)
		return -1;
	buf_append(&rs->text, prev->text.data + pr->text_off, pr->text_len);
	for (int i = 0; i < pr->n_obj; i++) {
		struct proxy_obj o = prev->objs[pr->obj0 + i];

		o.name.off = (uint32_t)(o.name.off + delta);
		o.body.off = (uint32_t)(o.body.off + delta);
		rs->objs[rs->n_objs++] = o;
	}
	for (int i = 0; i < pr->n_elem; i++) {
		struct proxy_elem e = prev->elems[pr->elem0 + i];

		e.key.off = (uint32_t)(e.key.off + delta);
		e.rest.off = (uint32_t)(e.rest.off + delta);
		rs->elems[rs->n_elems++] = e;
	}
	for (int i = 0; i < pr->n_udp; i++) {
		struct proxy_udp_port u = prev->udp[pr->udp0 + i];

		u.first_ep = u.first_ep - pr->udp_ep0 + rs->n_udp_eps;
		rs->udp[rs->n_udp++] = u;
	}
	if (pr->n_udp_ep > 0)
		memcpy(&rs->udp_eps[rs->n_udp_eps], &prev->udp_eps[pr->udp_ep0],
		       (size_t)pr->n_udp_ep * sizeof(*rs->udp_eps));
	rs->n_udp_eps += pr->n_udp_ep;
	rs->nrules += pr->nrules;
	rs->stats[rs->n_stats - 1] = prev->stats[pr - prev->recs];
	rec->hash = pr->hash;
	return 0;
}

/* One Service: reused from the previous model when its inputs are the
 * same, built otherwise; either way recorded for the next build. */
int gen_service(struct gen *g, const struct model_service *svc,
		const struct model_endpoints *e, bool handover)
{
	struct proxy_ruleset *rs = g->rs;
	const struct proxy_svc_rec *pr;
	struct proxy_svc_rec *rec;
	uint64_t h = gen_hash_service(g->seed, svc, e, handover);
	int nrules0 = rs->nrules, rc;

	if (rs_grow((void **)&rs->stats, &g->cap_stats, rs->n_stats + 1, sizeof(*rs->stats)) < 0)
		return -1;
	/* recs grows with stats: same capacity. */
	{
		struct proxy_svc_rec *r = realloc(rs->recs, (size_t)g->cap_stats * sizeof(*r));

		if (!r)
			return -1;
		rs->recs = r;
	}
	rec = &rs->recs[rs->n_stats];
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->ns, sizeof(rec->ns), "%s", svc->meta.ns);
	snprintf(rec->name, sizeof(rec->name), "%s", svc->meta.name);
	rec->text_off = (uint32_t)rs->text.len;
	rec->obj0 = rs->n_objs;
	rec->elem0 = rs->n_elems;
	rec->udp0 = rs->n_udp;
	rec->udp_ep0 = rs->n_udp_eps;
	pr = gen_prev_rec(g, svc);
	if (pr && pr->hash == h) {
		rs->n_stats++;
		rc = gen_reuse(g, pr, rec);
	} else {
		rc = gen_service_part(g, svc, e, handover);
		rec->hash = h;
	}
	if (rc < 0)
		return rc;
	rec = &rs->recs[rs->n_stats - 1];
	rec->text_len = (uint32_t)rs->text.len - rec->text_off;
	rec->n_obj = rs->n_objs - rec->obj0;
	rec->n_elem = rs->n_elems - rec->elem0;
	rec->n_udp = rs->n_udp - rec->udp0;
	rec->n_udp_ep = rs->n_udp_eps - rec->udp_ep0;
	rec->nrules = rs->nrules - nrules0;
	return 0;
}
