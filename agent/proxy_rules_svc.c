/* proxy_rules_svc.c — one Service's part of the ruleset (proxy_rules.h):
 * per port its service, external and local chains, endpoint chains and
 * affinity sets, its elements in the dispatch maps, its firewall chain,
 * its UDP frontends for stale conntrack entries, and its stats for health
 * checks and metrics. The choices are kube-proxy's (pkg/proxy/nftables).
 */
#include "proxy_rules_int.h"
#include "proxy_dsr.h"
#include "proxy_rs.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int gen_service_part(struct gen *g, const struct model_service *svc,
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
		gen_port_label(sp->name, sp->port, label, sizeof(label));
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
			 * it (through the IPIP tunnel): a local endpoint, no SNAT. */
			if (dsr && uses_local_chain)
				gen_line(g, "iifname \"%s\" ip daddr %s goto %s",
					 PROXY_DSR_UNDERLAY_DEV, lbip, local_chain);
			else if (dsr)
				gen_line(g, "iifname \"%s\" ip daddr %s drop "
					 "comment \"picked for a local endpoint that is gone\"",
					 PROXY_DSR_UNDERLAY_DEV, lbip);
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
