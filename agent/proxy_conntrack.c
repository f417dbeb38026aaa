/* proxy_conntrack.c — stale UDP conntrack entries, as kube-proxy clears them.
 *
 * UDP has no connection to end: a client that keeps sending to a Service
 * keeps its conntrack entry, and with it the DNAT to an endpoint that may
 * be gone, for as long as it keeps sending. So every sync, for each UDP
 * Service port with serving endpoints, entries whose original destination
 * is one of its frontends (ClusterIP:port, load balancer IP:port,
 * externalIP:port, any address:NodePort) are deleted unless their reply
 * source is the address of one of its serving endpoints — whatever the
 * traffic policies or terminating states, so that a policy change does not
 * cut a flow a TCP connection would keep. An entry that was never DNATed
 * (sent while the Service had no endpoints) has the frontend itself as
 * reply source and goes as soon as there are some. Services without
 * serving endpoints are left alone. TCP needs none of this: a reset or a
 * timeout ends the flow.
 */
#include "proxy_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

struct proxy_ct_scan {
	const struct proxy_ruleset *rs;
	struct nf_conntrack **victims;
	int n, cap;
	bool oom;
};

static bool proxy_ct_is_ep(const struct proxy_ruleset *rs, const struct proxy_udp_port *u,
			   uint32_t addr)
{
	for (int i = 0; i < u->n_ep; i++)
		if (rs->udp_eps[u->first_ep + i].addr.s_addr == addr)
			return true;
	return false;
}

bool proxy_conntrack_stale(const struct proxy_ruleset *rs, uint32_t odst, uint16_t odport,
			   uint32_t rsrc)
{
	for (int i = 0; i < rs->n_udp; i++) {
		const struct proxy_udp_port *u = &rs->udp[i];
		bool hit = u->node_port && odport == u->node_port;

		for (int k = 0; k < u->n_ips && !hit; k++)
			hit = odst == u->ips[k].s_addr && odport == u->port;
		if (hit && !proxy_ct_is_ep(rs, u, rsrc))
			return true;
	}
	return false;
}

static int proxy_ct_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct proxy_ct_scan *s = data;
	uint32_t odst, rsrc;
	uint16_t odport;

	(void)type;
	if (nfct_get_attr_u8(ct, ATTR_L3PROTO) != AF_INET ||
	    nfct_get_attr_u8(ct, ATTR_L4PROTO) != IPPROTO_UDP)
		return NFCT_CB_CONTINUE;
	odst = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST);
	odport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
	rsrc = nfct_get_attr_u32(ct, ATTR_REPL_IPV4_SRC);
	if (!proxy_conntrack_stale(s->rs, odst, odport, rsrc))
		return NFCT_CB_CONTINUE;
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		struct nf_conntrack **v = realloc(s->victims, (size_t)cap * sizeof(*v));

		if (!v) {
			s->oom = true;
			return NFCT_CB_STOP;
		}
		s->victims = v;
		s->cap = cap;
	}
	/* Deleting from inside a dump on the same socket is not allowed:
	 * collect, delete afterwards. */
	s->victims[s->n] = nfct_clone(ct);
	if (s->victims[s->n])
		s->n++;
	return NFCT_CB_CONTINUE;
}

int proxy_conntrack_clean(const struct proxy_ruleset *rs, char *err, size_t errlen)
{
	struct proxy_ct_scan s = { .rs = rs };
	struct nfct_handle *h;
	uint32_t family = AF_INET;
	int deleted = 0, rc = -1;

	if (rs->n_udp == 0)
		return 0;
	h = nfct_open(CONNTRACK, 0);
	if (!h) {
		snprintf(err, errlen, "nfct_open: %s", strerror(errno));
		return -1;
	}
	nfct_callback_register(h, NFCT_T_ALL, proxy_ct_cb, &s);
	if (nfct_query(h, NFCT_Q_DUMP, &family) < 0) {
		snprintf(err, errlen, "conntrack dump: %s", strerror(errno));
		goto out;
	}
	nfct_callback_unregister(h);
	for (int i = 0; i < s.n; i++)
		/* ENOENT: it expired meanwhile, which is as good. */
		if (nfct_query(h, NFCT_Q_DESTROY, s.victims[i]) == 0)
			deleted++;
	rc = s.oom ? -1 : deleted;
	if (s.oom)
		snprintf(err, errlen, "%s", strerror(ENOMEM));
out:
	for (int i = 0; i < s.n; i++)
		nfct_destroy(s.victims[i]);
	free(s.victims);
	nfct_close(h);
	return rc;
}
