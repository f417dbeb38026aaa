/* lb_conntrack.c — see lb_conntrack.h. */
#include "lb_conntrack.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "lab.h"
#include "lb.h"

struct lb_ct_scan {
	const struct lb_nft_svc *svcs;
	int n;
	struct nf_conntrack **victims;
	int n_victims, cap;
	bool oom;
};

bool lb_conntrack_is_stale(const struct lb_nft_svc *svcs, int n, uint32_t dst,
			   enum model_proto proto, int dport, uint32_t mark, bool seen_reply)
{
	if (seen_reply || (mark & LB_MARK_MASK) != LB_MARK_BASE)
		return false;
	for (int i = 0; i < n; i++) {
		if (svcs[i].frontend.s_addr != dst)
			continue;
		for (int p = 0; p < svcs[i].n_ports; p++) {
			const struct lb_nft_port *pt = &svcs[i].ports[p];

			if (pt->proto != proto || pt->port != dport)
				continue;
			for (int h = 0; h < pt->n_healthy; h++)
				if (lb_node_mark(pt->healthy[h]) == mark)
					return false;
			return true;
		}
	}
	/* Steered by us to a rule or a frontend that is gone: nothing will
	 * answer. */
	return true;
}

static int lb_ct_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct lb_ct_scan *s = data;
	enum model_proto proto;
	uint32_t status;
	uint8_t l4;

	(void)type;
	if (nfct_get_attr_u8(ct, ATTR_L3PROTO) != AF_INET)
		return NFCT_CB_CONTINUE;
	l4 = nfct_get_attr_u8(ct, ATTR_L4PROTO);
	if (l4 != IPPROTO_TCP && l4 != IPPROTO_UDP)
		return NFCT_CB_CONTINUE;
	proto = l4 == IPPROTO_TCP ? MODEL_PROTO_TCP : MODEL_PROTO_UDP;
	status = nfct_get_attr_u32(ct, ATTR_STATUS);
	if (!lb_conntrack_is_stale(s->svcs, s->n, nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST), proto,
				   ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST)),
				   nfct_get_attr_u32(ct, ATTR_MARK), status & IPS_SEEN_REPLY))
		return NFCT_CB_CONTINUE;
	if (s->n_victims == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		struct nf_conntrack **v = realloc(s->victims, (size_t)cap * sizeof(*v));

		if (!v) {
			s->oom = true;
			return NFCT_CB_STOP;
		}
		s->victims = v;
		s->cap = cap;
	}
	/* No deletes inside a dump on the same socket: collect, then delete. */
	s->victims[s->n_victims] = nfct_clone(ct);
	if (s->victims[s->n_victims])
		s->n_victims++;
	return NFCT_CB_CONTINUE;
}

int lb_conntrack_unpin(const struct lb_nft_svc *svcs, int n, char *err, size_t errlen)
{
	struct lb_ct_scan s = { .svcs = svcs, .n = n };
	struct nfct_handle *h;
	uint32_t family = AF_INET;
	int deleted = 0, rc = -1;

	h = nfct_open(CONNTRACK, 0);
	if (!h) {
		snprintf(err, errlen, "nfct_open: %s", strerror(errno));
		return -1;
	}
	nfct_callback_register(h, NFCT_T_ALL, lb_ct_cb, &s);
	if (nfct_query(h, NFCT_Q_DUMP, &family) < 0) {
		snprintf(err, errlen, "conntrack dump: %s", strerror(errno));
		goto out;
	}
	nfct_callback_unregister(h);
	for (int i = 0; i < s.n_victims; i++)
		/* ENOENT: it expired or got its answer meanwhile. */
		if (nfct_query(h, NFCT_Q_DESTROY, s.victims[i]) == 0)
			deleted++;
	rc = s.oom ? -1 : deleted;
	if (s.oom)
		snprintf(err, errlen, "%s", strerror(ENOMEM));
out:
	for (int i = 0; i < s.n_victims; i++)
		nfct_destroy(s.victims[i]);
	free(s.victims);
	nfct_close(h);
	return rc;
}
