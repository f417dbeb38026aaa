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
#include <netinet/in.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "ctdel.h"

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

static bool proxy_ct_match(const struct nf_conntrack *ct, void *data)
{
	const struct proxy_ruleset *rs = data;

	if (nfct_get_attr_u8(ct, ATTR_L3PROTO) != AF_INET ||
	    nfct_get_attr_u8(ct, ATTR_L4PROTO) != IPPROTO_UDP)
		return false;
	return proxy_conntrack_stale(rs, nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST),
				     ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST)),
				     nfct_get_attr_u32(ct, ATTR_REPL_IPV4_SRC));
}

int proxy_conntrack_clean(const struct proxy_ruleset *rs, char *err, size_t errlen)
{
	if (rs->n_udp == 0)
		return 0;
	/* An entry that expired between the dump and its deletion is as good. */
	return ctdel_delete_if(proxy_ct_match, (void *)rs, err, errlen);
}
