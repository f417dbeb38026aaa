/* proxy_rules_dsr.c — the ruleset's part for forwarding-mode dsr
 * (proxy_dsr.h): the netdev table at the underlay's ingress, with a pick
 * chain per frontend port and a forwarding chain per peer node. The ip
 * table's DSR rules are built with the rest (proxy_rules_svc.c,
 * proxy_rules.c).
 */
#include "proxy_rules_int.h"
#include "proxy_dsr.h"

#include <arpa/inet.h>
#include <stdint.h>

#include "buf.h"
#include "lab.h"

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
int gen_dsr_ingress(struct gen *g, const struct model_service *svcs, int n_svcs,
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
			gen_port_label(sp->name, sp->port, label, sizeof(label));
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
