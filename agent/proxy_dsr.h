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
 *    the pick runs at the ingress hook of the node's underlay device
 *    (table netdev PROXY_DSR_NFT_TABLE), before the IP stack;
 *  - a local pick goes on into the IP stack as under Local (DNAT, no SNAT);
 *  - a remote pick never enters this node's IP stack (no conntrack, no
 *    route lookup, no forwarding hooks): its destination MAC is set to the
 *    endpoint node's overlay MAC and it is handed, unchanged otherwise, to
 *    the VXLAN device PROXY_DSR_DEV, whose forwarding entry for that MAC
 *    is the node's underlay address;
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
#define PROXY_DSR_UNDERLAY_DEV "eth0"    /* the node's VNet link */
#define PROXY_DSR_NFT_TABLE   "kube-proxy-dsr"   /* table netdev: the pick */
#define PROXY_DSR_VNI         4242
#define PROXY_DSR_PORT        4789     /* IANA's VXLAN port */
/* VXLAN's 50 bytes of headers inside the VNet's 1500. */
#define PROXY_DSR_MTU         1450
/* What a SYN sent into the overlay may announce: its MTU less the IPv4 and
 * TCP headers. */
#define PROXY_DSR_MSS         (PROXY_DSR_MTU - 40)
#define PROXY_DSR_SEED        0xd5d5d5d5u   /* the same pick on every node */

/* Node index i's MAC on the overlay: fixed, so that every peer knows it
 * without asking. */
void proxy_dsr_mac(int node_index, uint8_t mac[6]);

/* The overlay in this node's namespace, for a lab of n_nodes nodes: the
 * VXLAN device and a forwarding entry per peer (its overlay MAC behind its
 * underlay address). Replaces what an earlier agent left.
 * 0, or -errno with a message. */
int proxy_dsr_setup(const struct agent_config *cfg, int n_nodes, char *err, size_t errlen);

#endif
