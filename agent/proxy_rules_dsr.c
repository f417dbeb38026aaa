/* proxy_rules_dsr.c — the ruleset's part for forwarding-mode dsr
 * (proxy_dsr.h): the entries of the tc program's frontend map, one per
 * frontend port. The ip table's DSR rules are built with the rest
 * (proxy_rules_svc.c, proxy_rules.c).
 */
#include "proxy_rules_int.h"
#include "proxy_dsr.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* One frontend port's pick (proxy_dsr.h): a slot per endpoint of the
 * Cluster set, in the nat chains' order. A remote endpoint's slot holds
 * its node's underlay address; a local one (or one on a node the lab does
 * not know) 0, which sends the flow on into this node's IP stack, whose
 * nat chains take it to the endpoint. */
static void gen_dsr_slots(const struct gen *g, struct proxy_dsr_slots *slots)
{
	int n = g->n_cluster < PROXY_DSR_MAX_SLOTS ? g->n_cluster : PROXY_DSR_MAX_SLOTS;

	memset(slots, 0, sizeof(*slots));
	slots->n = (uint32_t)n;
	for (int i = 0; i < n; i++) {
		const struct gen_ep *ep = &g->eps[g->cluster[i]];

		if (!ep->local && ep->node_index >= 0 && ep->node_index < LAB_MAX_NODES)
			slots->node[i] = lab_node_addr(ep->node_index).s_addr;
	}
}

static int gen_dsr_push(struct proxy_ruleset *rs, const struct proxy_dsr_entry *entry)
{
	if (rs->n_dsr == rs->cap_dsr) {
		int cap = rs->cap_dsr ? rs->cap_dsr * 2 : 8;
		struct proxy_dsr_entry *grown = realloc(rs->dsr_entries, (size_t)cap * sizeof(*grown));

		if (!grown)
			return -1;
		rs->dsr_entries = grown;
		rs->cap_dsr = cap;
	}
	rs->dsr_entries[rs->n_dsr++] = *entry;
	return 0;
}

/* DSR's frontend map (proxy_dsr.h) into rs->dsr_entries: every frontend
 * port of a DSR Service, also one whose endpoints are all on this node
 * (no pick, but the program takes the IPIP packets its peers send for it
 * only when it knows the frontend). */
int gen_dsr_frontends(struct gen *g, const struct model_service *svcs, int n_svcs,
		      const struct model_endpoints *const *sorted, int n_eps)
{
	int eps_cursor = 0;

	for (int si = 0; si < n_svcs; si++) {
		const struct model_service *svc = &svcs[si];
		const struct model_endpoints *e;

		if (svc->type != MODEL_SVC_LOAD_BALANCER || !svc->ingress_ip.s_addr ||
		    !svc->cluster_ip.s_addr || !model_service_dsr(svc))
			continue;
		e = gen_find_eps(sorted, n_eps, svc->meta.ns, svc->meta.name, &eps_cursor);
		for (int pi = 0; pi < svc->n_ports && pi < MODEL_MAX_PORTS; pi++) {
			const struct model_service_port *sp = &svc->ports[pi];
			struct proxy_dsr_entry entry;
			char label[MODEL_NAME_MAX];

			if (sp->port <= 0 || sp->port > 65535)
				continue;
			gen_port_label(sp->name, sp->port, label, sizeof(label));
			if (gen_collect(g, svc, sp, pi, e, label) < 0)
				return -1;
			gen_categorize(g, true, true);
			memset(&entry, 0, sizeof(entry));
			entry.frontend.addr = svc->ingress_ip.s_addr;
			entry.frontend.port = htons((uint16_t)sp->port);
			entry.frontend.proto = sp->proto == MODEL_PROTO_TCP ? IPPROTO_TCP : IPPROTO_UDP;
			gen_dsr_slots(g, &entry.slots);
			if (gen_dsr_push(g->rs, &entry) < 0)
				return -1;
		}
	}
	return 0;
}
