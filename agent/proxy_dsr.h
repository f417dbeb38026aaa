/* proxy_dsr.h — direct server return for a LoadBalancer Service.
 *
 * Under externalTrafficPolicy Cluster a node that receives a flow for a
 * pod on another node DNATs and SNATs it there: the pod sees the node's
 * address, and the reply comes back through the first node. A Service
 * annotated `clientip.io/forwarding-mode: dsr` keeps Cluster's spreading
 * without the SNAT, as Cilium's DSR mode does:
 *
 *  - the node that receives a flow for the frontend address picks one of
 *    the Service's ready endpoints by a hash of the client's address and
 *    port (the same pick for every packet of the flow, no state kept);
 *  - a local pick goes on as under Local (DNAT, no SNAT);
 *  - a remote pick is not tracked here and is sent, unchanged, to the
 *    endpoint's node through a VXLAN overlay between the nodes (device
 *    PROXY_DSR_DEV, one routing table per peer node, chosen by the packet's
 *    mark);
 *  - that node decapsulates it and DNATs it to its local endpoint; the
 *    reply leaves from there straight to the client with the frontend
 *    address as its source (the conntrack entry of the DNAT undoes it).
 *
 * NodePort traffic of such a Service stays Cluster's (SNAT). The load
 * balancer probes the Service as any Cluster one: every node can serve.
 */
#ifndef CLIENTIP_PROXY_DSR_H
#define CLIENTIP_PROXY_DSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "model.h"

#define PROXY_ANN_FORWARDING_MODE MODEL_ANN_FORWARDING_MODE
#define PROXY_DSR_DEV         "cip-dsr"
#define PROXY_DSR_VNI         4242
#define PROXY_DSR_PORT        4789     /* IANA's VXLAN port */
/* VXLAN's 50 bytes of headers inside the VNet's 1500. */
#define PROXY_DSR_MTU         1450
/* Packets for peer node i carry mark PROXY_DSR_MARK + i and look up table
 * PROXY_DSR_TABLE + i: routed into the overlay towards node i. */
#define PROXY_DSR_MARK        0x20000u
#define PROXY_DSR_TABLE       2000u
#define PROXY_DSR_RULE_PREF   100u
#define PROXY_DSR_SEED        0xd5d5d5d5u   /* the same pick on every node */

/* The mark that sends a packet to node index i's endpoints. */
uint32_t proxy_dsr_mark(int node_index);

/* The overlay in this node's namespace, for a lab of n_nodes nodes: the
 * VXLAN device, a neighbour and forwarding entry per peer, a routing
 * table and a mark rule per peer. Replaces what an earlier agent left.
 * 0, or -errno with a message. */
int proxy_dsr_setup(const struct agent_config *cfg, int n_nodes, char *err, size_t errlen);

#endif
