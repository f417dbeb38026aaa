/* proxy_rules.c — see proxy_rules.h.
 *
 * Builds kube-proxy's nftables ruleset for one node as data. The decisions
 * follow kube-proxy's proxier (pkg/proxy/nftables) and its endpoint
 * categorisation (pkg/proxy/topology.go): which endpoints serve Cluster and
 * Local traffic, when traffic is dropped or rejected, when it is marked for
 * masquerade. Names and the overall shape are kube-proxy's, so `nft list
 * ruleset` on a lab node reads like a real node's.
 */
#include "proxy_rules.h"
#include "proxy_dsr.h"
#include "proxy_rs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

/* ---- names --------------------------------------------------------------- */

/* kube-proxy prefixes names with 8 base32 characters of a hash of the name
 * so that near-identical names (endpoints differing in one digit) are told
 * apart at a glance. It uses SHA-256; FNV-1a gives the same property here
 * without a crypto dependency, and nothing compares these hashes with a
 * real kube-proxy's. */
static void proxy_hash8(const char *s, char out[9])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, s, strlen(s));

	for (int i = 0; i < 8; i++)
		out[i] = alphabet[(h >> (59 - 5 * i)) & 31];
	out[8] = '\0';
}

static void proxy_port_label(const char *port_name, int port, char *out, size_t outlen)
{
	/* kube-proxy names by the port's name; an unnamed port (allowed for a
	 * single-port Service) would leave the part empty, so use its number. */
	if (port_name && port_name[0])
		snprintf(out, outlen, "%s", port_name);
	else
		snprintf(out, outlen, "%d", port);
}

void proxy_chain_base(const char *ns, const char *name, enum model_proto proto,
		      const char *port_name, int port, char *out, size_t outlen)
{
	char plain[3 * MODEL_NAME_MAX + 16], label[MODEL_NAME_MAX], hash[9];

	proxy_port_label(port_name, port, label, sizeof(label));
	snprintf(plain, sizeof(plain), "%s/%s/%s/%s", ns, name,
		 proto == MODEL_PROTO_UDP ? "udp" : "tcp", label);
	proxy_hash8(plain, hash);
	snprintf(out, outlen, "%s-%s", hash, plain);
}

static void proxy_endpoint_base(const char *ns, const char *name, enum model_proto proto,
				const char *label, struct in_addr addr, int port,
				char *out, size_t outlen)
{
	char plain[3 * MODEL_NAME_MAX + 48], ip[INET_ADDRSTRLEN], hash[9];

	inet_ntop(AF_INET, &addr, ip, sizeof(ip));
	snprintf(plain, sizeof(plain), "%s/%s/%s/%s__%s/%d", ns, name,
		 proto == MODEL_PROTO_UDP ? "udp" : "tcp", label, ip, port);
	proxy_hash8(plain, hash);
	snprintf(out, outlen, "%s-%s", hash, plain);
}

/* ---- building ------------------------------------------------------------ */

#define PROXY_NAME_MAX 256   /* nftables' limit for chain and set names */

struct gen_ep {
	struct in_addr addr;
	int port;
	bool local, ready, serving, terminating;
	int node_index;                   /* lab_node_index of its node, -1 unknown */
	char base[PROXY_NAME_MAX];        /* endpoint chain / affinity set suffix */
};

struct gen {
	struct proxy_ruleset *rs;
	const struct proxy_node *node;
	const struct proxy_ruleset *prev;
	const struct proxy_svc_rec **prev_sorted;   /* prev's records by ns/name */
	int prev_cursor;
	uint64_t seed;                              /* node and layout: what every part depends on */
	int cap_objs, cap_elems, cap_stats, cap_udp, cap_udp_eps;
	char cidr[INET_ADDRSTRLEN + 4];
	bool compact;
	/* scratch, per service port */
	struct gen_ep *eps;
	int n_eps, cap_eps;
	int *cluster, *local, *reach;
	int n_cluster, n_local, n_reach;
	int cap_idx;
	bool oom;
};

static void gen_obj_begin(struct gen *g, enum proxy_obj_kind kind, const char *prefix,
			  const char *base)
{
	struct proxy_ruleset *rs = g->rs;
	struct proxy_obj *o;

	if (rs_grow((void **)&rs->objs, &g->cap_objs, rs->n_objs + 1, sizeof(*rs->objs)) < 0) {
		g->oom = true;
		return;
	}
	o = &rs->objs[rs->n_objs++];
	o->kind = kind;
	o->nrules = 0;
	o->name = rs_printf(rs, "%s%s", prefix, base);
	o->h = rs_hash(rs_str(rs, o->name), o->name.len);
	o->body = rs_mark(rs);
}

/* Appends one rule (or set declaration line) to the object being built. */
static void gen_line(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void gen_line(struct gen *g, const char *fmt, ...)
{
	struct proxy_ruleset *rs = g->rs;
	struct proxy_obj *o;
	va_list ap;

	if (g->oom || rs->n_objs == 0)
		return;
	o = &rs->objs[rs->n_objs - 1];
	va_start(ap, fmt);
	rs_vappend(&rs->text, fmt, ap);
	va_end(ap);
	buf_putc(&rs->text, '\n');
	rs_close(rs, &o->body);
	if (o->kind == PROXY_OBJ_CHAIN) {
		o->nrules++;
		rs->nrules++;
	}
}

static void gen_elem(struct gen *g, enum proxy_map map, const char *key, const char *rest)
{
	struct proxy_ruleset *rs = g->rs;
	struct proxy_elem *e;

	if (rs_grow((void **)&rs->elems, &g->cap_elems, rs->n_elems + 1, sizeof(*rs->elems)) < 0) {
		g->oom = true;
		return;
	}
	e = &rs->elems[rs->n_elems++];
	e->map = map;
	e->key = rs_printf(rs, "%s", key);
	e->rest = rs_printf(rs, "%s", rest);
	/* 56 bits: the map goes on top when sorting (rs_index). */
	e->h = rs_hash(key, e->key.len) & 0x00ffffffffffffffull;
}

/* Dispatch of external traffic to addr:port (an externalIP or the load
 * balancer's frontend): to the Service's external chain when it has
 * endpoints at all, and a drop (or reject, with none anywhere) in
 * no-endpoint-services when none is usable for external traffic. */
static void gen_external_dispatch(struct gen *g, const char *addr, const char *proto, int port,
				  bool has_any, bool has_external, const char *ext_chain,
				  const char *comment)
{
	char key[96], rest[PROXY_NAME_MAX + 300];

	snprintf(key, sizeof(key), "%s . %s . %d", addr, proto, port);
	if (has_any) {
		snprintf(rest, sizeof(rest), " : goto %s", ext_chain);
		gen_elem(g, PROXY_MAP_SERVICE_IPS, key, rest);
	}
	if (!has_external) {
		snprintf(rest, sizeof(rest), " comment \"%s\" : %s", comment,
			 has_any ? "drop" : "goto reject-chain");
		gen_elem(g, PROXY_MAP_NO_EP_SERVICES, key, rest);
	}
}


static const struct model_endpoints *gen_find_eps(const struct model_endpoints *const *sorted,
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

static int gen_cmp_eps_ptr(const void *a, const void *b)
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
static int gen_collect(struct gen *g, const struct model_service *svc,
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
		proxy_endpoint_base(svc->meta.ns, svc->meta.name, sp->proto, label,
				    g->eps[g->n_eps].addr, g->eps[g->n_eps].port,
				    g->eps[g->n_eps].base, sizeof(g->eps[g->n_eps].base));
		g->n_eps++;
	}
	return gen_grow_idx(g, g->n_eps);
}

/* kube-proxy's CategorizeEndpoints: which endpoints serve Cluster and
 * Local traffic, with the KEP-1669 fallback to serving+terminating
 * endpoints, applied to each set independently. */
static bool gen_categorize(struct gen *g, bool uses_cluster, bool uses_local)
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

static const char *gen_proto(enum model_proto p)
{
	return p == MODEL_PROTO_UDP ? "udp" : "tcp";
}

/* The rules of a cluster or local policy chain that pick an endpoint. */
static void gen_pick(struct gen *g, const int *idx, int n, bool affinity, bool inline_dnat,
		     enum model_proto proto)
{
	char ip[INET_ADDRSTRLEN];

	if (affinity)
		for (int i = 0; i < n; i++)
			gen_line(g, "ip saddr @affinity-%s goto endpoint-%s",
				 g->eps[idx[i]].base, g->eps[idx[i]].base);
	if (!g->compact) {
		struct buf *t = &g->rs->text;
		struct proxy_obj *o = &g->rs->objs[g->rs->n_objs - 1];

		/* The vmap is one rule; build it in place. */
		buf_printf(t, "numgen random mod %d vmap { ", n);
		for (int i = 0; i < n; i++)
			buf_printf(t, "%s%d : goto endpoint-%s", i ? ", " : "", i,
				   g->eps[idx[i]].base);
		buf_puts(t, " }\n");
		rs_close(g->rs, &o->body);
		o->nrules++;
		g->rs->nrules++;
		return;
	}
	/* Compact: the iptables-mode cascade, rule i taken with probability
	 * 1/(n-i), which picks uniformly without a set per Service. */
	for (int i = 0; i < n; i++) {
		const struct gen_ep *ep = &g->eps[idx[i]];
		char cond[48] = "";

		if (i < n - 1)
			snprintf(cond, sizeof(cond), "numgen random mod %d 0 ", n - i);
		inet_ntop(AF_INET, &ep->addr, ip, sizeof(ip));
		if (inline_dnat)
			gen_line(g, "%smeta l4proto %s dnat to %s:%d", cond, gen_proto(proto),
				 ip, ep->port);
		else
			gen_line(g, "%sgoto endpoint-%s", cond, ep->base);
	}
}

/* DSR's pick (proxy_dsr.h) for one frontend port, as a chain of the
 * ingress table: one slot per endpoint of the Cluster set, chosen by a
 * hash of the client's address and port so that every packet of a flow
 * takes the same one without a conntrack entry. A remote endpoint's slot
 * goes to its node's forwarding chain (to-node<i>, gen_dsr_ingress), never
 * reaching this node's IP stack; a local one is accepted into the IP
 * stack, whose nat chains take it to the endpoint. Some endpoint is
 * remote. */
static void gen_dsr_pick(struct gen *g, struct buf *chains, const char *base,
			 uint64_t *peers)
{
	buf_printf(chains, "\n\tchain dsr-%s {\n"
		   "\t\tjhash ip saddr . th sport mod %d seed 0x%x vmap { ",
		   base, g->n_cluster, PROXY_DSR_SEED);
	for (int i = 0; i < g->n_cluster; i++) {
		const struct gen_ep *ep = &g->eps[g->cluster[i]];

		if (ep->local || ep->node_index < 0 || ep->node_index >= LAB_MAX_NODES) {
			buf_printf(chains, "%s%d : accept", i ? ", " : "", i);
			continue;
		}
		buf_printf(chains, "%s%d : goto to-node%d", i ? ", " : "", i, ep->node_index);
		*peers |= 1ull << ep->node_index;
	}
	buf_puts(chains, " }\n\t}\n");
}

/* Whether some endpoint of the Cluster set is on another node. */
static bool gen_dsr_any_remote(const struct gen *g)
{
	for (int i = 0; i < g->n_cluster; i++) {
		const struct gen_ep *ep = &g->eps[g->cluster[i]];

		if (!ep->local && ep->node_index >= 0 && ep->node_index < LAB_MAX_NODES)
			return true;
	}
	return false;
}

/* DSR's ingress table (proxy_dsr.h) into rs->ingress: the frontends of
 * DSR Services in a verdict map at the underlay's ingress hook, a pick
 * chain per frontend port, and per peer node a chain that hands the
 * frame to the overlay. Built from the inputs on every build (a few
 * Services at most), not reused part by part as the ip table is. */
static int gen_dsr_ingress(struct gen *g, const struct model_service *svcs, int n_svcs,
			   const struct model_endpoints *const *sorted, int n_eps)
{
	struct buf elems = BUF_INIT, chains = BUF_INIT;
	struct buf *out = &g->rs->ingress;
	uint64_t peers = 0;
	int n_elems = 0, eps_cursor = 0, rc = -1;

	for (int si = 0; si < n_svcs; si++) {
		const struct model_service *svc = &svcs[si];
		const struct model_endpoints *e;
		char lbip[INET_ADDRSTRLEN];

		if (svc->type != MODEL_SVC_LOAD_BALANCER || !svc->ingress_ip.s_addr ||
		    !svc->cluster_ip.s_addr || !model_service_dsr(svc))
			continue;
		e = gen_find_eps(sorted, n_eps, svc->meta.ns, svc->meta.name, &eps_cursor);
		inet_ntop(AF_INET, &svc->ingress_ip, lbip, sizeof(lbip));
		for (int pi = 0; pi < svc->n_ports && pi < MODEL_MAX_PORTS; pi++) {
			const struct model_service_port *sp = &svc->ports[pi];
			char base[PROXY_NAME_MAX], label[MODEL_NAME_MAX];

			if (sp->port <= 0 || sp->port > 65535)
				continue;
			proxy_port_label(sp->name, sp->port, label, sizeof(label));
			proxy_chain_base(svc->meta.ns, svc->meta.name, sp->proto, sp->name,
					 sp->port, base, sizeof(base));
			if (gen_collect(g, svc, sp, pi, e, label) < 0)
				goto out;
			gen_categorize(g, true, true);
			/* Every slot local (the pod's own node, with one pod):
			 * no pick, the frontend is left out of the map and its
			 * packets go on into the IP stack after one lookup. */
			if (!gen_dsr_any_remote(g))
				continue;
			buf_printf(&elems, "%s%s . %s . %d : goto dsr-%s",
				   n_elems++ ? ",\n\t\t\t     " : "\t\telements = { ",
				   lbip, gen_proto(sp->proto), sp->port, base);
			gen_dsr_pick(g, &chains, base, &peers);
		}
	}
	buf_puts(out, "table netdev " PROXY_DSR_NFT_TABLE " {\n"
		      "\tcomment \"forwarding-mode dsr: the pick, before the IP stack\"\n"
		      "\n\tmap dsr-frontends {\n"
		      "\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n"
		      "\t\tcomment \"frontends of Services with forwarding-mode dsr\"\n");
	if (n_elems)
		buf_printf(out, "%s }\n", buf_str(&elems));
	buf_printf(out, "\t}\n"
		   "\n\tchain ingress {\n"
		   "\t\ttype filter hook ingress device \"%s\" priority -500; policy accept;\n"
		   "\t\tip daddr . meta l4proto . th dport vmap @dsr-frontends\n"
		   "\t}\n", PROXY_DSR_UNDERLAY_DEV);
	/* The overlay's MTU is 50 bytes short of the underlay's: SYNs get an
	 * MSS that fits. The MAC is the one the overlay's forwarding entry
	 * sends to node i's underlay address. */
	for (int i = 0; i < LAB_MAX_NODES; i++) {
		uint8_t mac[6];

		if (!(peers & (1ull << i)))
			continue;
		proxy_dsr_mac(i, mac);
		buf_printf(out, "\n\tchain to-node%d {\n"
			   "\t\ttcp flags syn tcp option maxseg size > %d "
			   "tcp option maxseg size set %d\n"
			   "\t\tether daddr set %02x:%02x:%02x:%02x:%02x:%02x fwd to \"%s\"\n"
			   "\t}\n", i, PROXY_DSR_MSS, PROXY_DSR_MSS,
			   mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], PROXY_DSR_DEV);
	}
	buf_append(out, chains.data ? chains.data : "", chains.len);
	buf_puts(out, "}\n");
	rc = elems.oom || chains.oom || out->oom ? -1 : 0;
out:
	buf_free(&elems);
	buf_free(&chains);
	return rc;
}

struct gen_svc_acc {                /* per Service, across its ports */
	struct in_addr *local_ready, *local_st, *remote_ready;
	int n_lr, n_lst, n_rr, cap;
};

static void gen_acc_add(struct in_addr **arr, int *n, struct in_addr a)
{
	for (int i = 0; i < *n; i++)
		if ((*arr)[i].s_addr == a.s_addr)
			return;
	(*arr)[(*n)++] = a;
}

/* ---- reuse ------------------------------------------------------------ */

static uint64_t gen_mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ull;
	return h ^ (h >> 29);
}

static uint64_t gen_mix_str(uint64_t h, const char *s)
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

static int gen_cmp_rec_ptr(const void *a, const void *b)
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

static int gen_service_part(struct gen *g, const struct model_service *svc,
			    const struct model_endpoints *e, bool handover);

/* One Service: reused from the previous model when its inputs are the
 * same, built otherwise; either way recorded for the next build. */
static int gen_service(struct gen *g, const struct model_service *svc,
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

/* The firewall chain: sources outside the ranges are dropped. A node
 * inside them may reach the frontend IP from itself, and then the frontend
 * IP is its source (kube-proxy's allowFromNode). */
static void gen_firewall(struct gen *g, const struct model_service *svc, const char *chain,
			 const char *lbip)
{
	struct proxy_ruleset *rs = g->rs;
	struct proxy_obj *o;
	bool from_node = false;
	uint32_t node = ntohl(g->node->node_ip.s_addr);

	gen_obj_begin(g, PROXY_OBJ_CHAIN, "", chain);
	if (g->oom)
		return;
	buf_puts(&rs->text, "ip saddr != { ");
	for (int i = 0; i < svc->n_source_ranges && i < MODEL_MAX_SOURCE_RANGES; i++) {
		const struct model_cidr4 *c = &svc->source_ranges[i];
		uint32_t mask = c->prefix ? 0xffffffffu << (32 - c->prefix) : 0;
		char net[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &c->addr, net, sizeof(net));
		buf_printf(&rs->text, "%s%s/%d", i ? ", " : "", net, c->prefix);
		if (node && (node & mask) == (ntohl(c->addr.s_addr) & mask))
			from_node = true;
	}
	if (from_node)
		buf_printf(&rs->text, ", %s", lbip);
	buf_puts(&rs->text, " } drop\n");
	o = &rs->objs[rs->n_objs - 1];
	rs_close(rs, &o->body);
	o->nrules++;
	rs->nrules++;
}

/* A UDP port's frontends and the addresses of all its serving endpoints,
 * whatever the traffic policies or terminating states; none without
 * serving endpoints (kube-proxy leaves those entries alone). */
static int gen_udp(struct gen *g, const struct model_service *svc,
		   const struct model_service_port *sp, bool has_ingress, int node_port)
{
	struct proxy_ruleset *rs = g->rs;
	struct proxy_udp_port *u;
	int first = rs->n_udp_eps;

	if (rs_grow((void **)&rs->udp_eps, &g->cap_udp_eps, rs->n_udp_eps + g->n_eps,
		    sizeof(*rs->udp_eps)) < 0)
		return -1;
	for (int i = 0; i < g->n_eps; i++) {
		const struct gen_ep *ep = &g->eps[i];
		bool dup = false;

		if (!ep->serving && !ep->ready)
			continue;
		for (int j = first; j < rs->n_udp_eps && !dup; j++)
			dup = rs->udp_eps[j].addr.s_addr == ep->addr.s_addr;
		if (!dup)
			rs->udp_eps[rs->n_udp_eps++].addr = ep->addr;
	}
	if (rs->n_udp_eps == first)
		return 0;
	if (rs_grow((void **)&rs->udp, &g->cap_udp, rs->n_udp + 1, sizeof(*rs->udp)) < 0)
		return -1;
	u = &rs->udp[rs->n_udp++];
	memset(u, 0, sizeof(*u));
	u->ips[u->n_ips++] = svc->cluster_ip;
	if (has_ingress)
		u->ips[u->n_ips++] = svc->ingress_ip;
	for (int i = 0; i < svc->n_external_ips && u->n_ips < PROXY_UDP_IPS; i++)
		u->ips[u->n_ips++] = svc->external_ips[i];
	u->port = (uint16_t)sp->port;
	u->node_port = (uint16_t)node_port;
	u->first_ep = first;
	u->n_ep = rs->n_udp_eps - first;
	return 0;
}

static int gen_service_part(struct gen *g, const struct model_service *svc,
			    const struct model_endpoints *e, bool handover)
{
	struct proxy_ruleset *rs = g->rs;
	struct proxy_svc_stat *st;
	struct gen_svc_acc acc = { 0 };
	char cip[INET_ADDRSTRLEN], lbip[INET_ADDRSTRLEN];
	bool lb = svc->type == MODEL_SVC_LOAD_BALANCER;
	bool has_ingress = lb && svc->ingress_ip.s_addr != 0;
	bool dsr = g->rs->dsr && has_ingress && model_service_dsr(svc);
	int rc = -1;

	st = &rs->stats[rs->n_stats++];
	memset(st, 0, sizeof(*st));
	snprintf(st->ns, sizeof(st->ns), "%s", svc->meta.ns);
	snprintf(st->name, sizeof(st->name), "%s", svc->meta.name);
	st->internal_local = svc->internal_policy == MODEL_POLICY_LOCAL;
	if (lb && svc->external_policy == MODEL_POLICY_LOCAL)
		st->health_check_port = svc->health_check_node_port;
	/* Headless Services (no ClusterIP) are not proxied. */
	if (svc->cluster_ip.s_addr == 0)
		return 0;
	if (e && e->n > 0) {
		acc.cap = e->n;
		acc.local_ready = calloc((size_t)acc.cap, sizeof(struct in_addr));
		acc.local_st = calloc((size_t)acc.cap, sizeof(struct in_addr));
		acc.remote_ready = calloc((size_t)acc.cap, sizeof(struct in_addr));
		if (!acc.local_ready || !acc.local_st || !acc.remote_ready)
			goto out;
	}
	inet_ntop(AF_INET, &svc->cluster_ip, cip, sizeof(cip));
	inet_ntop(AF_INET, &svc->ingress_ip, lbip, sizeof(lbip));

	for (int pi = 0; pi < svc->n_ports && pi < MODEL_MAX_PORTS; pi++) {
		const struct model_service_port *sp = &svc->ports[pi];
		const char *proto = gen_proto(sp->proto);
		char base[PROXY_NAME_MAX], label[MODEL_NAME_MAX], comment[3 * MODEL_NAME_MAX];
		char key[96], rest[PROXY_NAME_MAX + 96];
		int node_port = (svc->type != MODEL_SVC_CLUSTER_IP) ? sp->node_port : 0;
		bool ext_access = node_port > 0 || has_ingress || svc->n_external_ips > 0;
		bool uses_fw = has_ingress && svc->n_source_ranges > 0;
		bool ext_local = ext_access && svc->external_policy == MODEL_POLICY_LOCAL;
		bool int_local = svc->internal_policy == MODEL_POLICY_LOCAL;
		bool uses_cluster = !int_local || ext_access;
		/* DSR: what this node keeps of the frontend's flows goes to its
		 * own endpoints, as under Local. */
		bool uses_local = int_local || ext_local || dsr;
		bool has_any, has_internal, has_external, uses_cluster_chain, uses_local_chain;
		bool uses_ext_chain, affinity = svc->affinity_client_ip;
		bool inline_dnat, handing_over;
		const char *int_chain, *ext_policy_chain;
		char cluster_chain[PROXY_NAME_MAX + 16], local_chain[PROXY_NAME_MAX + 16];
		char ext_chain[PROXY_NAME_MAX + 16], fw_chain[PROXY_NAME_MAX + 16];

		if (sp->port <= 0 || sp->port > 65535)
			continue;
		proxy_port_label(sp->name, sp->port, label, sizeof(label));
		proxy_chain_base(svc->meta.ns, svc->meta.name, sp->proto, sp->name, sp->port,
				 base, sizeof(base));
		snprintf(comment, sizeof(comment), "%s/%s:%s", svc->meta.ns, svc->meta.name, label);
		snprintf(cluster_chain, sizeof(cluster_chain), "service-%s", base);
		snprintf(local_chain, sizeof(local_chain), "local-%s", base);
		snprintf(ext_chain, sizeof(ext_chain), "external-%s", base);
		snprintf(fw_chain, sizeof(fw_chain), "firewall-%s", base);
		if (gen_collect(g, svc, sp, pi, e, label) < 0)
			goto out;
		has_any = gen_categorize(g, uses_cluster, uses_local);

		for (int i = 0; i < g->n_eps; i++) {
			const struct gen_ep *ep = &g->eps[i];

			if (ep->local && ep->ready)
				gen_acc_add(&acc.local_ready, &acc.n_lr, ep->addr);
			else if (ep->local && ep->serving && ep->terminating)
				gen_acc_add(&acc.local_st, &acc.n_lst, ep->addr);
			else if (!ep->local && ep->ready)
				gen_acc_add(&acc.remote_ready, &acc.n_rr, ep->addr);
		}

		uses_cluster_chain = g->n_cluster > 0 && uses_cluster;
		uses_local_chain = g->n_local > 0 && uses_local;
		int_chain = int_local ? local_chain : cluster_chain;
		has_internal = has_any && (!int_local || g->n_local > 0);
		ext_policy_chain = ext_local ? local_chain : cluster_chain;
		/* The hand-over: no local endpoint, yet external traffic is
		 * forwarded masqueraded, as under Cluster, until the load balancer
		 * has seen the health check fail (see proxy_handover_decide). */
		handing_over = handover && ext_local && g->n_local == 0 && g->n_cluster > 0;
		has_external = has_any && (!ext_local || g->n_local > 0 || handing_over);
		if (handing_over)
			ext_policy_chain = cluster_chain;
		uses_ext_chain = has_any && ext_access;
		/* Affinity needs per-endpoint state, so those Services keep their
		 * endpoint chains in the compact layout too. */
		inline_dnat = g->compact && !affinity;
		if (ext_access && !has_external && has_any) {
			st->no_local_external = true;
			st->no_local_external_ports++;
		}
		if (!has_internal && has_any) {
			st->no_local_internal = true;
			st->no_local_internal_ports++;
		}
		st->external_local |= ext_local;
		st->handing_over |= handing_over;

		/* Dispatch: ClusterIP. */
		snprintf(key, sizeof(key), "%s . %s . %d", cip, proto, sp->port);
		if (has_internal) {
			snprintf(rest, sizeof(rest), " : goto %s", int_chain);
			gen_elem(g, PROXY_MAP_SERVICE_IPS, key, rest);
			/* Compact: one set and one rule in "services" instead of a
			 * rule per Service chain (a rule costs far more than an
			 * element to program). */
			if (g->compact)
				gen_elem(g, PROXY_SET_MASQ_CLUSTER_IPS, key, "");
		} else {
			snprintf(rest, sizeof(rest), " comment \"%s\" : %s", comment,
				 has_any ? "drop" : "goto reject-chain");
			gen_elem(g, PROXY_MAP_NO_EP_SERVICES, key, rest);
		}
		/* Every ClusterIP, whatever its endpoints: what is still addressed
		 * to one after DNAT is a port no Service has (cluster-ips-check). */
		snprintf(key, sizeof(key), "%s", cip);
		gen_elem(g, PROXY_SET_CLUSTER_IPS, key, "");
		/* Dispatch: externalIPs, external traffic as the frontend IP is. */
		for (int x = 0; x < svc->n_external_ips && x < MODEL_MAX_EXTERNAL_IPS; x++) {
			char eip[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &svc->external_ips[x], eip, sizeof(eip));
			gen_external_dispatch(g, eip, proto, sp->port, has_any, has_external,
					      ext_chain, comment);
		}
		/* Dispatch: the load balancer's frontend IP (floating IP: packets
		 * arrive with it as their destination). */
		if (uses_fw) {
			snprintf(key, sizeof(key), "%s . %s . %d", lbip, proto, sp->port);
			snprintf(rest, sizeof(rest), " : goto %s", fw_chain);
			gen_elem(g, PROXY_MAP_FIREWALL_IPS, key, rest);
		}
		if (has_ingress)
			gen_external_dispatch(g, lbip, proto, sp->port, has_any, has_external,
					      ext_chain, comment);
		/* Dispatch: NodePort on the node's own addresses. */
		if (node_port > 0) {
			snprintf(key, sizeof(key), "%s . %d", proto, node_port);
			if (has_any) {
				snprintf(rest, sizeof(rest), " : goto %s", ext_chain);
				gen_elem(g, PROXY_MAP_SERVICE_NODEPORTS, key, rest);
			}
			if (!has_external) {
				snprintf(rest, sizeof(rest), " comment \"%s\" : %s", comment,
					 has_any ? "drop" : "goto reject-chain");
				gen_elem(g, PROXY_MAP_NO_EP_NODEPORTS, key, rest);
			}
		}

		/* Affinity sets, one per endpoint as kube-proxy keeps them: a
		 * client stays with an endpoint for as long as it keeps coming
		 * back within the timeout. */
		if (affinity)
			for (int i = 0; i < g->n_reach; i++) {
				gen_obj_begin(g, PROXY_OBJ_SET, "affinity-", g->eps[g->reach[i]].base);
				gen_line(g, "type ipv4_addr");
				gen_line(g, "flags dynamic,timeout");
				gen_line(g, "timeout %ds", svc->affinity_timeout_s > 0
					 ? svc->affinity_timeout_s : PROXY_AFFINITY_DEFAULT_S);
			}

		/* The Cluster policy chain: "service-...". */
		if (uses_cluster_chain) {
			gen_obj_begin(g, PROXY_OBJ_CHAIN, "", cluster_chain);
			if (has_internal && !int_local && !g->compact)
				gen_line(g, "ip daddr %s %s dport %d ip saddr != %s jump mark-for-masquerade",
					 cip, proto, sp->port, g->cidr);
			gen_pick(g, g->cluster, g->n_cluster, affinity, inline_dnat, sp->proto);
		}
		/* The Local policy chain: "local-...". */
		if (uses_local_chain) {
			gen_obj_begin(g, PROXY_OBJ_CHAIN, "", local_chain);
			if (has_internal && int_local && !g->compact)
				gen_line(g, "ip daddr %s %s dport %d ip saddr != %s jump mark-for-masquerade",
					 cip, proto, sp->port, g->cidr);
			gen_pick(g, g->local, g->n_local, affinity, inline_dnat, sp->proto);
		}
		/* The external chain: NodePort and frontend IP traffic. */
		if (uses_ext_chain) {
			gen_obj_begin(g, PROXY_OBJ_CHAIN, "", ext_chain);
			/* DSR: a frontend flow is here because this node was
			 * picked for it, by itself or by the node that received
			 * it (through the overlay): a local endpoint, no SNAT. */
			if (dsr && uses_local_chain)
				gen_line(g, "iifname { \"eth0\", \"%s\" } ip daddr %s goto %s",
					 PROXY_DSR_DEV, lbip, local_chain);
			else if (dsr)
				gen_line(g, "iifname { \"eth0\", \"%s\" } ip daddr %s drop "
					 "comment \"picked for a local endpoint that is gone\"",
					 PROXY_DSR_DEV, lbip);
			if (!ext_local) {
				/* The endpoint may be on another node: SNAT so that
				 * replies come back through this one. */
				gen_line(g, "jump mark-for-masquerade");
			} else {
				gen_line(g, "ip saddr %s goto %s comment \"short-circuit pod traffic\"",
					 g->cidr, cluster_chain);
				gen_line(g, "fib saddr type local jump mark-for-masquerade comment \"masquerade local traffic\"");
				gen_line(g, "fib saddr type local goto %s comment \"short-circuit local traffic\"",
					 cluster_chain);
				if (handing_over)
					gen_line(g, "jump mark-for-masquerade comment \"hand-over: no local endpoint yet\"");
			}
			if (has_external)
				gen_line(g, "goto %s", ext_policy_chain);
		}
		/* loadBalancerSourceRanges: before DNAT, only for the frontend IP
		 * (NodePorts are not subject to them, as in kube-proxy). */
		if (uses_fw)
			gen_firewall(g, svc, fw_chain, lbip);
		/* Endpoint chains: hairpin SNAT, affinity, DNAT. In the compact
		 * layout only affinity Services have them; a set of
		 * endpoint . endpoint pairs does the hairpin check instead. */
		for (int i = 0; i < g->n_reach; i++) {
			const struct gen_ep *ep = &g->eps[g->reach[i]];
			char ip[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &ep->addr, ip, sizeof(ip));
			/* A flow is DNATed back to its source on the source's own
			 * node (local endpoints), except for a pod reaching another
			 * node's NodePort of a Local Service, which short-circuits
			 * without SNAT: only those pairs are needed. */
			if (g->compact && (ep->local || (ext_local && node_port > 0))) {
				snprintf(key, sizeof(key), "%s . %s", ip, ip);
				gen_elem(g, PROXY_SET_HAIRPIN, key, "");
			}
			if (inline_dnat)
				continue;
			gen_obj_begin(g, PROXY_OBJ_CHAIN, "endpoint-", ep->base);
			if (!g->compact)
				gen_line(g, "ip saddr %s jump mark-for-masquerade", ip);
			if (affinity)
				gen_line(g, "update @affinity-%s { ip saddr }", ep->base);
			gen_line(g, "meta l4proto %s dnat to %s:%d", proto, ip, ep->port);
		}

		/* What stale UDP conntrack entries are measured against. */
		if (sp->proto == MODEL_PROTO_UDP && gen_udp(g, svc, sp, has_ingress, node_port) < 0)
			goto out;
		if (g->oom)
			goto out;
	}
	st->local_ready = acc.n_lr;
	st->local_serving_terminating = acc.n_lst;
	st->remote_ready = acc.n_rr;
	rc = 0;
out:
	free(acc.local_ready);
	free(acc.local_st);
	free(acc.remote_ready);
	return rc;
}

/* The chains every node has, whatever its Services. */
static void gen_base(struct gen *g)
{
	struct proxy_ruleset *rs = g->rs;
	static const struct {
		const char *name, *hook;
		const char *type;
		int prio;
		const char *rules;
	} base[] = {
		/* loadBalancerSourceRanges are checked before DNAT, while the
		 * destination is still the frontend IP (kube-proxy: dstnat - 10). */
		{ "filter-prerouting", "prerouting", "filter", -110,
		  "ct state new jump firewall-check" },
		{ "filter-output-pre-dnat", "output", "filter", -110,
		  "ct state new jump firewall-check" },
		/* The drop/reject checks run after DNAT (priority filter), as in
		 * current kube-proxy: what a short-circuit rule DNATed (a node
		 * reaching a Local Service it has no endpoint for) no longer has
		 * the Service's address and passes; what nothing DNATed still
		 * has it and is dropped or rejected. cluster-ips-check comes
		 * last: only what is still addressed to the service CIDR after
		 * both is an unknown port or an unallocated address. */
		{ "filter-input", "input", "filter", 0, "ct state new jump endpoints-check" },
		{ "filter-forward", "forward", "filter", 0,
		  "ct state new jump endpoints-check\n\t\tct state new jump cluster-ips-check" },
		{ "filter-output", "output", "filter", 0,
		  "ct state new jump endpoints-check\n\t\tct state new jump cluster-ips-check" },
		/* nft 1.0.6 wants numeric priorities for NAT on output. */
		{ "nat-prerouting", "prerouting", "nat", -100, "jump services" },
		{ "nat-output", "output", "nat", -100, "jump services" },
		{ "nat-postrouting", "postrouting", "nat", 100, "jump masquerading" },
	};
	char nodeports[64] = "fib daddr type local ip daddr != 127.0.0.0/8";

	rs->base = rs_mark(rs);
	buf_puts(&rs->text, "\tcomment \"rules for kube-proxy\"\n");
	if (g->node->node_ip.s_addr) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &g->node->node_ip, ip, sizeof(ip));
		buf_printf(&rs->text,
			   "\n\tset nodeport-ips {\n"
			   "\t\ttype ipv4_addr\n"
			   "\t\tcomment \"IPs that accept NodePort traffic\"\n"
			   "\t\telements = { %s }\n"
			   "\t}\n", ip);
		snprintf(nodeports, sizeof(nodeports), "ip daddr @nodeport-ips");
	}
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		buf_printf(&rs->text,
			   "\n\tchain %s {\n"
			   "\t\ttype %s hook %s priority %d; policy accept;\n"
			   "\t\t%s\n"
			   "\t}\n",
			   base[i].name, base[i].type, base[i].hook, base[i].prio, base[i].rules);
	buf_printf(&rs->text,
		   "\n\tchain endpoints-check {\n"
		   "\t\tip daddr . meta l4proto . th dport vmap @no-endpoint-services\n"
		   "\t\t%s meta l4proto . th dport vmap @no-endpoint-nodeports\n"
		   "\t}\n"
		   "\n\tchain reject-chain {\n"
		   "\t\tmeta l4proto tcp reject with tcp reset\n"
		   "\t\treject\n"
		   "\t}\n"
		   "\n\tchain firewall-check {\n"
		   "\t\tip daddr . meta l4proto . th dport vmap @firewall-ips\n"
		   "\t}\n"
		   "\n\tchain cluster-ips-check {\n"
		   "\t\tip daddr @cluster-ips reject "
		   "comment \"Reject traffic to invalid ports of ClusterIPs\"\n",
		   nodeports);
	if (g->node->service_cidr.s_addr) {
		char net[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &g->node->service_cidr, net, sizeof(net));
		buf_printf(&rs->text,
			   "\t\tip daddr %s/%d drop "
			   "comment \"Drop traffic to unallocated ClusterIPs\"\n",
			   net, g->node->service_prefix);
	}
	buf_puts(&rs->text, "\t}\n\n\tchain services {\n");
	if (g->compact)
		buf_printf(&rs->text,
			   "\t\tip saddr != %s ip daddr . meta l4proto . th dport @masquerade-cluster-ips jump mark-for-masquerade\n",
			   g->cidr);
	buf_printf(&rs->text,
		   "\t\tip daddr . meta l4proto . th dport vmap @service-ips\n"
		   "\t\t%s meta l4proto . th dport vmap @service-nodeports\n"
		   "\t}\n", nodeports);
	buf_printf(&rs->text,
		   "\n\tchain mark-for-masquerade {\n"
		   "\t\tmeta mark set meta mark or 0x%x\n"
		   "\t}\n"
		   "\n\tchain masquerading {\n"
		   "%s"
		   "\t\tmeta mark & 0x%x == 0 return\n"
		   "\t\tmeta mark set meta mark xor 0x%x\n"
		   "\t\tmasquerade fully-random\n"
		   "\t}\n",
		   PROXY_MASQ_MARK,
		   g->compact ? "\t\tct status dnat ip saddr . ip daddr @hairpin-endpoints jump mark-for-masquerade\n" : "",
		   PROXY_MASQ_MARK, PROXY_MASQ_MARK);
	if (rs->dsr)
		/* DSR's pick runs at the underlay's ingress (gen_dsr_ingress):
		 * what it hands to the overlay never reaches these hooks. The
		 * overlay's own UDP packets are not tracked, sent or received:
		 * VXLAN takes their source port from a hash of the flow they
		 * carry, so each new connection would otherwise cost a UDP
		 * entry on both nodes, held 30 s after it is over. */
		buf_printf(&rs->text,
			   "\n\tchain dsr-prerouting {\n"
			   "\t\ttype filter hook prerouting priority -300; policy accept;\n"
			   "\t\tiifname \"%s\" udp dport %d notrack\n"
			   "\t}\n"
			   "\n\tchain dsr-output {\n"
			   "\t\ttype filter hook output priority -300; policy accept;\n"
			   "\t\toifname \"%s\" udp dport %d notrack\n"
			   "\t}\n", PROXY_DSR_UNDERLAY_DEV, PROXY_DSR_PORT,
			   PROXY_DSR_UNDERLAY_DEV, PROXY_DSR_PORT);
	rs_close(rs, &rs->base);
}

/* The number of endpoint chains kube-proxy's layout would create. */
static int gen_count_endpoint_chains(const struct model_service *svcs, int n_svcs,
				     const struct model_endpoints *const *sorted, int n_eps)
{
	long total = 0;

	for (int i = 0; i < n_svcs; i++) {
		const struct model_endpoints *e =
			gen_find_eps(sorted, n_eps, svcs[i].meta.ns, svcs[i].meta.name, NULL);

		if (e && svcs[i].cluster_ip.s_addr)
			total += (long)e->n * svcs[i].n_ports;
		if (total > 1000000000L)
			break;
	}
	return (int)total;
}

int proxy_rules_build(const struct proxy_node *node,
		      const struct model_service *svcs, int n_svcs,
		      const struct model_endpoints *eps, int n_eps,
		      struct proxy_ruleset *out, char *err, size_t errlen)
{
	return proxy_rules_build_from(node, svcs, n_svcs, eps, n_eps, NULL, NULL, out, err, errlen);
}

int proxy_rules_build_from(const struct proxy_node *node,
			   const struct model_service *svcs, int n_svcs,
			   const struct model_endpoints *eps, int n_eps,
			   const bool *handover,
			   const struct proxy_ruleset *prev,
			   struct proxy_ruleset *out, char *err, size_t errlen)
{
	const struct model_endpoints **sorted = NULL;
	struct gen g = { .rs = out, .node = node };
	char net[INET_ADDRSTRLEN];
	int threshold, eps_cursor = 0, rc = -1;
	bool in_order = true;

	memset(out, 0, sizeof(*out));
	sorted = malloc((size_t)(n_eps ? n_eps : 1) * sizeof(*sorted));
	if (!sorted)
		goto out;
	for (int i = 0; i < n_eps; i++) {
		sorted[i] = &eps[i];
		if (i > 0 && in_order && gen_cmp_eps_ptr(&sorted[i - 1], &sorted[i]) > 0)
			in_order = false;
	}
	if (!in_order)
		qsort(sorted, (size_t)n_eps, sizeof(*sorted), gen_cmp_eps_ptr);

	inet_ntop(AF_INET, &node->cluster_cidr, net, sizeof(net));
	snprintf(g.cidr, sizeof(g.cidr), "%s/%d", net, node->cluster_prefix);
	threshold = node->compact_above > 0 ? node->compact_above : PROXY_COMPACT_ABOVE;
	switch (node->layout) {
	case PROXY_LAYOUT_KUBE: g.compact = false; break;
	case PROXY_LAYOUT_COMPACT: g.compact = true; break;
	default:
		g.compact = gen_count_endpoint_chains(svcs, n_svcs, sorted, n_eps) > threshold;
		break;
	}
	out->compact = g.compact;
	for (int i = 0; node->dsr && !out->dsr && i < n_svcs; i++)
		out->dsr = svcs[i].ingress_ip.s_addr && model_service_dsr(&svcs[i]);
	/* Every part depends on the node, its pod CIDR and the layout. */
	g.seed = gen_mix_str(gen_mix_str(HASH_FNV1A64_INIT, node->name), g.cidr);
	g.seed = gen_mix(g.seed, g.compact);
	g.seed = gen_mix(g.seed, out->dsr);
	/* The firewall chains depend on the node's address. */
	g.seed = gen_mix(g.seed, node->node_ip.s_addr);
	if (prev && prev->recs && prev->n_stats > 0 && prev->compact == g.compact &&
	    prev->dsr == out->dsr) {
		g.prev = prev;
		g.prev_sorted = malloc((size_t)prev->n_stats * sizeof(*g.prev_sorted));
		if (!g.prev_sorted)
			goto out;
		in_order = true;
		for (int i = 0; i < prev->n_stats; i++) {
			g.prev_sorted[i] = &prev->recs[i];
			if (i > 0 && in_order && gen_cmp_rec_ptr(&g.prev_sorted[i - 1], &g.prev_sorted[i]) > 0)
				in_order = false;
		}
		if (!in_order)
			qsort(g.prev_sorted, (size_t)prev->n_stats, sizeof(*g.prev_sorted),
			      gen_cmp_rec_ptr);
	}
	gen_base(&g);
	for (int i = 0; i < n_svcs; i++) {
		const struct model_service *s = &svcs[i];

		if (gen_service(&g, s, gen_find_eps(sorted, n_eps, s->meta.ns, s->meta.name,
						    &eps_cursor), handover && handover[i]) < 0 ||
		    g.oom)
			goto out;
	}
	if (out->dsr && gen_dsr_ingress(&g, svcs, n_svcs, sorted, n_eps) < 0)
		goto out;
	if (out->text.oom || rs_index(out) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		snprintf(err, errlen, "building the ruleset: %s", strerror(ENOMEM));
	free(sorted);
	free(g.prev_sorted);
	free(g.eps);
	free(g.cluster);
	free(g.local);
	free(g.reach);
	return rc;
}

void proxy_rules_free(struct proxy_ruleset *rs)
{
	if (!rs)
		return;
	buf_free(&rs->text);
	buf_free(&rs->ingress);
	free(rs->objs);
	free(rs->elems);
	free(rs->stats);
	free(rs->udp);
	free(rs->udp_eps);
	free(rs->obj_order);
	free(rs->elem_order);
	free(rs->obj_dead);
	free(rs->elem_dead);
	free(rs->recs);
	memset(rs, 0, sizeof(*rs));
}

int proxy_rules_nchains(const struct proxy_ruleset *rs)
{
	int n = 0;

	for (int i = 0; i < rs->n_objs_unique; i++)
		n += rs->objs[rs->obj_order[i]].kind == PROXY_OBJ_CHAIN;
	return n;
}
