/* proxy_dsr.c — the node-to-node overlay that DSR's forwarding uses (see
 * proxy_dsr.h); the rules that pick and mark are in proxy_rules.c. */
#include "proxy_dsr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"

#define DSR_UNDERLAY_DEV "eth0"

uint32_t proxy_dsr_mark(int node_index)
{
	return PROXY_DSR_MARK + (uint32_t)node_index;
}

/* Node i's overlay MAC: fixed, so that every peer knows it without asking. */
static void dsr_mac(int node_index, uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x02, 0xc1, 0xd5, 0x00, 0x00, 0x00 };

	memcpy(mac, base, sizeof(base));
	mac[5] = (uint8_t)node_index;
}

/* A next hop for node i inside the overlay: link-local, never on the wire
 * as an address, only resolved to node i's MAC by a static entry. */
static struct in_addr dsr_hop(int node_index)
{
	struct in_addr a;

	a.s_addr = htonl(0xa9fe4d00u | (uint32_t)(node_index + 1));   /* 169.254.77.(i+1) */
	return a;
}

int proxy_dsr_setup(const struct agent_config *cfg, int n_nodes, char *err, size_t errlen)
{
	struct nl nl;
	uint8_t mac[6];
	int rc;

	rc = nl_open(&nl, -1, err, errlen);
	if (rc < 0)
		return rc;
	/* An earlier agent's device and rules go first: the lab may have
	 * been rebuilt with other nodes. */
	nl_link_del(&nl, PROXY_DSR_DEV, err, errlen);
	for (int i = 0; i < LAB_MAX_NODES; i++) {
		struct nl_rule old = { .fwmark = proxy_dsr_mark(i), .table = PROXY_DSR_TABLE + i,
				       .priority = PROXY_DSR_RULE_PREF + i,
				       .iif = DSR_UNDERLAY_DEV };

		while (nl_rule_del(&nl, &old, err, errlen) == 0)
			;
	}
	dsr_mac(cfg->node_index, mac);
	rc = nl_vxlan_add(&nl, PROXY_DSR_DEV, PROXY_DSR_VNI, cfg->node_addr, PROXY_DSR_PORT,
			  DSR_UNDERLAY_DEV, mac, PROXY_DSR_MTU, err, errlen);
	if (rc < 0)
		goto out;
	/* Packets decapsulated here have a client's source address that is
	 * routed out of eth0, not the overlay. */
	rc = nl_sysctl_set(-1, "net.ipv4.conf." PROXY_DSR_DEV ".rp_filter", "0", err, errlen);
	if (rc < 0)
		goto out;
	rc = nl_link_set_up(&nl, PROXY_DSR_DEV, true, err, errlen);
	for (int i = 0; rc == 0 && i < n_nodes; i++) {
		struct nl_route r = { .gateway = dsr_hop(i), .dev = PROXY_DSR_DEV,
				      .table = PROXY_DSR_TABLE + i, .onlink = true };
		/* Only forwarded packets: the overlay's own UDP packets, sent
		 * from here, keep the mark of the packet they carry and must
		 * not be routed into the overlay again. */
		struct nl_rule rule = { .fwmark = proxy_dsr_mark(i), .table = PROXY_DSR_TABLE + i,
					.priority = PROXY_DSR_RULE_PREF + i,
					.iif = DSR_UNDERLAY_DEV };

		if (i == cfg->node_index)
			continue;
		dsr_mac(i, mac);
		if ((rc = nl_neigh_set(&nl, PROXY_DSR_DEV, dsr_hop(i), mac, err, errlen)) < 0 ||
		    (rc = nl_fdb_append(&nl, PROXY_DSR_DEV, mac, lab_node_addr(i), err,
					errlen)) < 0 ||
		    (rc = nl_route_replace(&nl, &r, err, errlen)) < 0 ||
		    (rc = nl_rule_add(&nl, &rule, err, errlen)) < 0)
			break;
	}
out:
	nl_close(&nl);
	return rc;
}
