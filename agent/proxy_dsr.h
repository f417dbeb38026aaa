/* proxy_dsr.h — direct server return for a LoadBalancer Service.
 *
 * Under externalTrafficPolicy Cluster a node that receives a flow for a
 * pod on another node DNATs and SNATs it there: the pod sees the node's
 * address, and the reply comes back through the first node. A Service
 * annotated `clientip.io/forwarding-mode: dsr` keeps Cluster's spreading
 * without the SNAT, as Cilium's DSR mode with IPIP dispatch does:
 *
 *  - the node that receives a flow for the frontend address picks one of
 *    the Service's ready endpoints by a hash of the client's address and
 *    port (the same pick for every packet of the flow, no state kept);
 *    the pick runs in a tc program at the ingress of the node's underlay
 *    device (proxy_dsr.bpf.c), before the IP stack;
 *  - a local pick goes on into the IP stack as under Local (DNAT, no SNAT);
 *  - a remote pick never enters this node's IP stack (no conntrack, no
 *    route lookup, no forwarding hooks): the program wraps it in an IPIP
 *    header to the endpoint's node and sends it out of the underlay again;
 *  - the same program on that node removes the IPIP header, and the inner
 *    packet is DNATed to the local endpoint; the reply leaves from there
 *    straight to the client with the frontend address as its source (the
 *    conntrack entry of the DNAT undoes it).
 *
 * The agent fills the program's frontend map (proxy_dsr_map.h) after each
 * sync of the ip table (proxy_rules.h builds the entries with the rest).
 * NodePort traffic of such a Service stays Cluster's (SNAT). The load
 * balancer probes the Service as any Cluster one: every node can serve.
 */
#ifndef CLIENTIP_PROXY_DSR_H
#define CLIENTIP_PROXY_DSR_H

#include <stdbool.h>
#include <stddef.h>

#include "agent.h"
#include "model.h"
#include "proxy_dsr_map.h"

#define PROXY_ANN_FORWARDING_MODE MODEL_ANN_FORWARDING_MODE
#define PROXY_DSR_UNDERLAY_DEV "eth0"    /* the node's VNet link */
/* The IPIP header's 20 bytes inside the VNet's 1500: what a pod behind a
 * DSR frontend may announce as its MSS, so that what clients send it fits
 * in the tunnel. */
#define PROXY_DSR_MSS         (1500 - 20 - 40)

/* One frontend port's map entry. */
struct proxy_dsr_entry {
	struct proxy_dsr_frontend frontend;
	struct proxy_dsr_slots slots;
};

struct proxy_dsr;

/* Loads the program for this node (its underlay address and device),
 * without attaching it: the first proxy_dsr_sync does, once the map holds
 * the frontends. 0, or -1 with a message (no BPF, no underlay device). */
int proxy_dsr_open(struct proxy_dsr **out, const struct agent_config *cfg,
		   char *err, size_t errlen);

/* Makes the frontend map hold exactly these entries. With some, the
 * program is then attached at the underlay's ingress if it is not yet
 * (replacing what an earlier agent attached); with none, it is detached.
 * 0, or -1 with a message. */
int proxy_dsr_sync(struct proxy_dsr *d, const struct proxy_dsr_entry *entries, int n,
		   char *err, size_t errlen);

/* Frees the agent's handle. The attached program and its map stay, as the
 * agent's nftables rules do when it exits: the data path does not depend
 * on the agent running. */
void proxy_dsr_close(struct proxy_dsr *d);

#endif
