/* proxy_rules.c — see proxy_rules.h.
 *
 * Builds kube-proxy's nftables ruleset for one node as data. The decisions
 * follow kube-proxy's proxier (pkg/proxy/nftables) and its endpoint
 * categorisation (pkg/proxy/topology.go): which endpoints serve Cluster and
 * Local traffic, when traffic is dropped or rejected, when it is marked for
 * masquerade. Names and the overall shape are kube-proxy's, so `nft list
 * ruleset` on a lab node reads like a real node's.
 *
 * This file holds the entry points, the fixed chains and the pieces every
 * part appends with; the parts are listed in proxy_rules_int.h.
 */
#include "proxy_rules.h"
#include "proxy_rules_int.h"
#include "proxy_dsr.h"
#include "proxy_rs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
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
static void gen_hash8(const char *s, char out[9])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, s, strlen(s));

	for (int i = 0; i < 8; i++)
		out[i] = alphabet[(h >> (59 - 5 * i)) & 31];
	out[8] = '\0';
}

void gen_port_label(const char *port_name, int port, char *out, size_t outlen)
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

	gen_port_label(port_name, port, label, sizeof(label));
	snprintf(plain, sizeof(plain), "%s/%s/%s/%s", ns, name,
		 proto == MODEL_PROTO_UDP ? "udp" : "tcp", label);
	gen_hash8(plain, hash);
	snprintf(out, outlen, "%s-%s", hash, plain);
}

void gen_endpoint_base(const char *ns, const char *name, enum model_proto proto,
		       const char *label, struct in_addr addr, int port,
		       char *out, size_t outlen)
{
	char plain[3 * MODEL_NAME_MAX + 48], ip[INET_ADDRSTRLEN], hash[9];

	inet_ntop(AF_INET, &addr, ip, sizeof(ip));
	snprintf(plain, sizeof(plain), "%s/%s/%s/%s__%s/%d", ns, name,
		 proto == MODEL_PROTO_UDP ? "udp" : "tcp", label, ip, port);
	gen_hash8(plain, hash);
	snprintf(out, outlen, "%s-%s", hash, plain);
}

/* ---- appending ------------------------------------------------------------ */

void gen_obj_begin(struct gen *g, enum proxy_obj_kind kind, const char *prefix,
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

void gen_line(struct gen *g, const char *fmt, ...)
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

void gen_elem(struct gen *g, enum proxy_map map, const char *key, const char *rest)
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

/* ---- the table ------------------------------------------------------------ */

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
		/* What a client sends a pod behind a DSR frontend may come
		 * through the IPIP tunnel (proxy_dsr.h), 20 bytes short of the
		 * VNet's MTU, and the tc program that wraps it does not
		 * fragment. The program marks what it unwraps; the flow keeps the
		 * mark, and the pod's SYN-ACK announces a segment size that
		 * fits. */
		buf_printf(&rs->text,
			   "\n\tchain dsr-prerouting {\n"
			   "\t\ttype filter hook prerouting priority -150; policy accept;\n"
			   "\t\tmeta mark & 0x%x == 0x%x ct mark set ct mark | 0x%x\n"
			   "\t}\n"
			   "\n\tchain dsr-mss {\n"
			   "\t\ttype filter hook forward priority -150; policy accept;\n"
			   "\t\tct mark & 0x%x == 0x%x tcp flags & (syn | ack) == syn | ack "
			   "tcp option maxseg size > %d tcp option maxseg size set %d\n"
			   "\t}\n", PROXY_DSR_MARK, PROXY_DSR_MARK, PROXY_DSR_MARK,
			   PROXY_DSR_MARK, PROXY_DSR_MARK, PROXY_DSR_MSS, PROXY_DSR_MSS);
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
	if (out->dsr && gen_dsr_frontends(&g, svcs, n_svcs, sorted, n_eps) < 0)
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
	free(rs->dsr_entries);
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
