/* proxy_rules_ep.c — a Service port's endpoints for the ruleset builder
 * (proxy_rules_int.h): the Service's Endpoints found, the port's
 * endpoints collected, sorted and deduplicated, then categorised as
 * kube-proxy's pkg/proxy/topology.go does.
 */
#include "proxy_rules_int.h"
#include "proxy_rs.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

const struct model_endpoints *gen_find_eps(const struct model_endpoints *const *sorted,
					   int n, const char *ns, const char *name, int *cursor)
{
	int lo = 0, hi = n - 1;

	/* Services and Endpoints come from the store in the same order, so
	 * the next one is almost always the one after the last hit. */
	if (cursor && *cursor < n && strcmp(sorted[*cursor]->name, name) == 0 &&
	    strcmp(sorted[*cursor]->ns, ns) == 0)
		return sorted[(*cursor)++];

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(sorted[mid]->ns, ns);

		if (c == 0)
			c = strcmp(sorted[mid]->name, name);
		if (c == 0) {
			if (cursor)
				*cursor = mid + 1;
			return sorted[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

int gen_cmp_eps_ptr(const void *a, const void *b)
{
	const struct model_endpoints *x = *(const struct model_endpoints *const *)a;
	const struct model_endpoints *y = *(const struct model_endpoints *const *)b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

static int gen_cmp_ep(const void *a, const void *b)
{
	const struct gen_ep *x = a, *y = b;
	uint32_t xa = ntohl(x->addr.s_addr), ya = ntohl(y->addr.s_addr);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	return x->port - y->port;
}

/* The three index arrays share one capacity. */
static int gen_grow_idx(struct gen *g, int need)
{
	int cap = g->cap_idx;
	int *p;

	if (need <= cap)
		return 0;
	while (cap < need)
		cap = cap ? cap * 2 : 64;
	if (!(p = realloc(g->cluster, (size_t)cap * sizeof(int))))
		return -1;
	g->cluster = p;
	if (!(p = realloc(g->local, (size_t)cap * sizeof(int))))
		return -1;
	g->local = p;
	if (!(p = realloc(g->reach, (size_t)cap * sizeof(int))))
		return -1;
	g->reach = p;
	g->cap_idx = cap;
	return 0;
}

/* The endpoints of one Service port, sorted and without duplicates. */
int gen_collect(struct gen *g, const struct model_service *svc,
		const struct model_service_port *sp, int idx,
		const struct model_endpoints *e, const char *label)
{
	int slot, n = 0;

	g->n_eps = 0;
	if (!e)
		return 0;
	slot = model_endpoints_port_slot(e, sp, idx);
	if (slot < 0)
		return 0;
	if (rs_grow((void **)&g->eps, &g->cap_eps, e->n, sizeof(*g->eps)) < 0)
		return -1;
	for (int i = 0; i < e->n; i++) {
		const struct model_endpoint *m = &e->items[i];
		struct gen_ep *ep = &g->eps[n];

		if (m->ports[slot] <= 0 || m->ports[slot] > 65535 || m->addr.s_addr == 0)
			continue;
		ep->addr = m->addr;
		ep->port = m->ports[slot];
		ep->local = strcmp(m->node, g->node->name) == 0;
		ep->node_index = lab_node_index(m->node);
		ep->ready = m->ready;
		ep->serving = m->serving;
		ep->terminating = m->terminating;
		n++;
	}
	if (n > 1)
		qsort(g->eps, (size_t)n, sizeof(*g->eps), gen_cmp_ep);
	g->n_eps = 0;
	for (int i = 0; i < n; i++) {
		if (g->n_eps > 0 && gen_cmp_ep(&g->eps[g->n_eps - 1], &g->eps[i]) == 0)
			continue;
		g->eps[g->n_eps] = g->eps[i];
		gen_endpoint_base(svc->meta.ns, svc->meta.name, sp->proto, label,
				    g->eps[g->n_eps].addr, g->eps[g->n_eps].port,
				    g->eps[g->n_eps].base, sizeof(g->eps[g->n_eps].base));
		g->n_eps++;
	}
	return gen_grow_idx(g, g->n_eps);
}

/* kube-proxy's CategorizeEndpoints: which endpoints serve Cluster and
 * Local traffic, with the KEP-1669 fallback to serving+terminating
 * endpoints, applied to each set independently. */
bool gen_categorize(struct gen *g, bool uses_cluster, bool uses_local)
{
	bool has_any = false, local_ready = false, local_st = false;

	g->n_cluster = g->n_local = g->n_reach = 0;
	if (uses_cluster) {
		for (int i = 0; i < g->n_eps; i++)
			if (g->eps[i].ready)
				g->cluster[g->n_cluster++] = i;
		if (g->n_cluster == 0)
			for (int i = 0; i < g->n_eps; i++)
				if (g->eps[i].serving && g->eps[i].terminating)
					g->cluster[g->n_cluster++] = i;
		has_any = g->n_cluster > 0;
	}
	if (uses_local) {
		for (int i = 0; i < g->n_eps; i++) {
			const struct gen_ep *ep = &g->eps[i];

			if (ep->ready) {
				has_any = true;
				local_ready |= ep->local;
			} else if (ep->serving && ep->terminating) {
				has_any = true;
				local_st |= ep->local;
			}
		}
		for (int i = 0; i < g->n_eps; i++) {
			const struct gen_ep *ep = &g->eps[i];

			if (!ep->local)
				continue;
			if (local_ready ? ep->ready : (local_st && ep->serving && ep->terminating))
				g->local[g->n_local++] = i;
		}
	}
	/* Endpoints reachable from this node: the union, in address order. */
	for (int i = 0, c = 0, l = 0; i < g->n_eps; i++) {
		bool in = false;

		while (c < g->n_cluster && g->cluster[c] < i)
			c++;
		while (l < g->n_local && g->local[l] < i)
			l++;
		in = (c < g->n_cluster && g->cluster[c] == i) ||
		     (l < g->n_local && g->local[l] == i);
		if (in)
			g->reach[g->n_reach++] = i;
	}
	return has_any;
}
