/* proxy_dsr.c — the node-to-node overlay that DSR's forwarding uses (see
 * proxy_dsr.h); the rules that pick and forward are in proxy_rules_dsr.c. */
#include "proxy_dsr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"

void proxy_dsr_mac(int node_index, uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x02, 0xc1, 0xd5, 0x00, 0x00, 0x00 };

	memcpy(mac, base, sizeof(base));
	mac[5] = (uint8_t)node_index;
}

int proxy_dsr_setup(const struct agent_config *cfg, int n_nodes, char *err, size_t errlen)
{
	struct nl nl;
	uint8_t mac[6];
	int rc;

	rc = nl_open(&nl, -1, err, errlen);
	if (rc < 0)
		return rc;
	/* An earlier agent's device goes first: the lab may have been
	 * rebuilt with other nodes. */
	nl_link_del(&nl, PROXY_DSR_DEV, err, errlen);
	proxy_dsr_mac(cfg->node_index, mac);
	rc = nl_vxlan_add(&nl, PROXY_DSR_DEV, PROXY_DSR_VNI, cfg->node_addr, PROXY_DSR_PORT,
			  PROXY_DSR_UNDERLAY_DEV, mac, PROXY_DSR_MTU, err, errlen);
	if (rc < 0)
		goto out;
	/* Packets decapsulated here have a client's source address that is
	 * routed out of eth0, not the overlay. */
	rc = nl_sysctl_set(-1, "net.ipv4.conf." PROXY_DSR_DEV ".rp_filter", "0", err, errlen);
	if (rc < 0)
		goto out;
	rc = nl_link_set_up(&nl, PROXY_DSR_DEV, true, err, errlen);
	/* Frames for peer i's overlay MAC go to its underlay address. No
	 * route, neighbour or rule: the ingress pick hands frames to the
	 * device with that MAC already set. */
	for (int i = 0; rc == 0 && i < n_nodes; i++) {
		if (i == cfg->node_index)
			continue;
		proxy_dsr_mac(i, mac);
		rc = nl_fdb_append(&nl, PROXY_DSR_DEV, mac, lab_node_addr(i), err, errlen);
	}
out:
	nl_close(&nl);
	return rc;
}
