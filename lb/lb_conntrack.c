/* lb_conntrack.c — see lb_conntrack.h. */
#include "lb_conntrack.h"

#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "ctdel.h"
#include "lab.h"
#include "lb.h"

struct lb_ct_ctx {
	const struct lb_nft_svc *svcs;
	int n;
};

bool lb_conntrack_is_stale(const struct lb_nft_svc *svcs, int n, uint32_t dst,
			   enum model_proto proto, int dport, uint32_t mark, bool seen_reply)
{
	if ((mark & LB_MARK_MASK) != LB_MARK_BASE)
		return false;
	for (int i = 0; i < n; i++) {
		if (svcs[i].frontend.s_addr != dst)
			continue;
		for (int p = 0; p < svcs[i].n_ports; p++) {
			const struct lb_nft_port *pt = &svcs[i].ports[p];

			if (pt->proto != proto || pt->port != dport)
				continue;
			if (seen_reply)
				return false;
			for (int h = 0; h < pt->n_healthy; h++)
				if (lb_node_mark(pt->healthy[h]) == mark)
					return false;
			return true;
		}
	}
	/* Steered by us to a rule or a frontend that is gone, answered or
	 * not: no rule forwards it any more, and an entry left behind would
	 * (a client's new SYN from a port of an earlier flow reopens a
	 * TIME_WAIT entry and follows its mark: a released frontend went on
	 * answering). */
	return true;
}

static bool lb_ct_match(const struct nf_conntrack *ct, void *data)
{
	const struct lb_ct_ctx *c = data;
	uint8_t l4;

	if (nfct_get_attr_u8(ct, ATTR_L3PROTO) != AF_INET)
		return false;
	l4 = nfct_get_attr_u8(ct, ATTR_L4PROTO);
	if (l4 != IPPROTO_TCP && l4 != IPPROTO_UDP)
		return false;
	return lb_conntrack_is_stale(c->svcs, c->n, nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST),
				     l4 == IPPROTO_TCP ? MODEL_PROTO_TCP : MODEL_PROTO_UDP,
				     ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST)),
				     nfct_get_attr_u32(ct, ATTR_MARK),
				     nfct_get_attr_u32(ct, ATTR_STATUS) & IPS_SEEN_REPLY);
}

int lb_conntrack_unpin(const struct lb_nft_svc *svcs, int n, char *err, size_t errlen)
{
	struct lb_ct_ctx c = { .svcs = svcs, .n = n };

	return ctdel_delete_if(lb_ct_match, &c, err, errlen);
}
