/* proxy_dsr_map.h — what the agent and DSR's tc program (proxy_dsr.bpf.c)
 * share: the layout of the frontend map. Included by both, so only kernel
 * types (linux/types.h) and no libc.
 */
#ifndef CLIENTIP_PROXY_DSR_MAP_H
#define CLIENTIP_PROXY_DSR_MAP_H

#include <linux/types.h>

/* Slots of one frontend port: one per endpoint of its Cluster set, as the
 * nat chains count them. A power of two (the program masks an index with
 * it); more endpoints than this are served by the first ones. */
#define PROXY_DSR_MAX_SLOTS    64
/* Frontend ports of DSR Services on one node. */
#define PROXY_DSR_MAX_FRONTENDS 1024

/* The packet mark the program sets on what it unwraps, and the conntrack
 * mark the ip table then gives its flow (a bit kube-proxy's marks leave
 * alone). */
#define PROXY_DSR_MARK          0x10000

/* A frontend: address and port in network order, as on the wire. */
struct proxy_dsr_frontend {
	__u32 addr;
	__u16 port;
	__u8 proto;     /* IPPROTO_TCP, IPPROTO_UDP */
	__u8 pad;       /* zero: the key is hashed whole */
};

/* Its pick: a flow takes slot hash(client address, client port) % n. A
 * slot holds the underlay address of the node that has the endpoint, in
 * network order, or 0 for an endpoint on this node (the flow goes on into
 * this node's IP stack). */
struct proxy_dsr_slots {
	__u32 n;
	__u32 node[PROXY_DSR_MAX_SLOTS];
};

#endif
