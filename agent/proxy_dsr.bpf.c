/* proxy_dsr.bpf.c — forwarding-mode dsr's data path (proxy_dsr.h): a tc
 * program at the ingress of a node's underlay device, built with clang for
 * the BPF target and loaded by the agent (proxy_dsr.c).
 *
 * For each IPv4 packet that arrives on the underlay:
 *  - IPIP to this node's address, carrying a packet for a DSR frontend:
 *    the outer header is removed and the inner packet goes on into this
 *    node's IP stack as if it had arrived bare (DNAT to the local endpoint,
 *    no SNAT; the reply leaves from here);
 *  - TCP or UDP to a DSR frontend: a hash of the client's address and port
 *    picks a slot (the same one for every packet of the flow, no state);
 *    a local slot goes on into the IP stack, a remote one is wrapped in an
 *    IPIP header to that node and sent out of the underlay again, before
 *    this node's IP stack sees it (no conntrack, route lookup or
 *    forwarding hooks);
 *  - anything else goes on untouched.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "proxy_dsr_map.h"

/* From the libc and kernel headers this program cannot include. */
#define DSR_AF_INET   2
#define DSR_IP_DF     0x4000
#define DSR_IP_MF     0x2000
#define DSR_IP_OFFSET 0x1fff

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROXY_DSR_MAX_FRONTENDS);
	__type(key, struct proxy_dsr_frontend);
	__type(value, struct proxy_dsr_slots);
} dsr_frontends SEC(".maps");

/* Set by the agent before it loads the program. */
const volatile __u32 dsr_node_addr;   /* this node's underlay address, network order */
const volatile __u32 dsr_ifindex;     /* the underlay device */

/* The pick's hash: the client's address and port through MurmurHash3's
 * finalizer, so that neighbouring ports spread over the slots. */
static __always_inline __u32 dsr_hash(__u32 addr, __u16 port)
{
	__u32 h = addr * 0x9e3779b1u ^ port;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static __always_inline __u16 dsr_csum_fold(__s64 sum)
{
	__u32 s = (__u32)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* The frontend a packet is for, read at offset off of the frame (its IPv4
 * header), and its client port. 0, or -1 for a packet that is no TCP or
 * UDP first fragment. */
static __always_inline int dsr_read_frontend(struct __sk_buff *skb, __u32 off,
					     struct proxy_dsr_frontend *fe, __u32 *client,
					     __u16 *client_port)
{
	struct iphdr ip;
	__u16 ports[2];

	if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)) < 0 || ip.version != 4 || ip.ihl < 5)
		return -1;
	if (ip.protocol != IPPROTO_TCP && ip.protocol != IPPROTO_UDP)
		return -1;
	/* Later fragments carry no ports; a first one is picked as usual
	 * and its followers go on into the IP stack, which drops them. */
	if (ip.frag_off & bpf_htons(DSR_IP_OFFSET))
		return -1;
	if (bpf_skb_load_bytes(skb, off + ip.ihl * 4u, ports, sizeof(ports)) < 0)
		return -1;
	fe->addr = ip.daddr;
	fe->port = ports[1];
	fe->proto = ip.protocol;
	fe->pad = 0;
	*client = ip.saddr;
	*client_port = ports[0];
	return 0;
}

/* Wraps the frame's IPv4 packet in an IPIP header to node and sends it out
 * of the underlay, to that node's MAC as the neighbour table has it. */
static __always_inline int dsr_encap(struct __sk_buff *skb, __u32 node)
{
	struct iphdr inner, outer = {
		.version = 4,
		.ihl = 5,
		.ttl = 64,
		.protocol = IPPROTO_IPIP,
		.saddr = dsr_node_addr,
		.daddr = node,
	};
	struct bpf_redir_neigh nh = { .nh_family = DSR_AF_INET, .ipv4_nh = node };

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &inner, sizeof(inner)) < 0)
		return TC_ACT_SHOT;
	outer.tos = inner.tos;
	outer.frag_off = inner.frag_off & bpf_htons(DSR_IP_DF);
	outer.tot_len = bpf_htons(bpf_ntohs(inner.tot_len) + sizeof(outer));
	outer.check = dsr_csum_fold(bpf_csum_diff(0, 0, (__be32 *)&outer, sizeof(outer), 0));
	if (bpf_skb_adjust_room(skb, sizeof(outer), BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_ENCAP_L3_IPV4) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, ETH_HLEN, &outer, sizeof(outer), 0) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect_neigh(dsr_ifindex, &nh, sizeof(nh), 0);
}

SEC("tc")
int dsr_ingress(struct __sk_buff *skb)
{
	struct proxy_dsr_frontend fe;
	struct proxy_dsr_slots *slots;
	struct iphdr ip;
	__u16 client_port;
	__u32 client, n, slot, node;

	if (skb->protocol != bpf_htons(ETH_P_IP) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0 || ip.ihl < 5)
		return TC_ACT_OK;

	if (ip.protocol == IPPROTO_IPIP) {
		__u32 outer_len = ip.ihl * 4u;

		if (ip.daddr != dsr_node_addr || (ip.frag_off & bpf_htons(DSR_IP_MF | DSR_IP_OFFSET)))
			return TC_ACT_OK;
		/* Only what a peer's pick sent here: a node is no open
		 * relay for whatever an IPIP packet carries. */
		if (dsr_read_frontend(skb, ETH_HLEN + outer_len, &fe, &client, &client_port) < 0 ||
		    !bpf_map_lookup_elem(&dsr_frontends, &fe))
			return TC_ACT_SHOT;
		if (bpf_skb_adjust_room(skb, -(__s32)outer_len, BPF_ADJ_ROOM_MAC, 0) < 0)
			return TC_ACT_SHOT;
		skb->mark |= PROXY_DSR_MARK;
		return TC_ACT_OK;
	}

	if (dsr_read_frontend(skb, ETH_HLEN, &fe, &client, &client_port) < 0)
		return TC_ACT_OK;
	slots = bpf_map_lookup_elem(&dsr_frontends, &fe);
	if (!slots)
		return TC_ACT_OK;
	n = slots->n;
	if (n == 0 || n > PROXY_DSR_MAX_SLOTS)
		return TC_ACT_OK;
	slot = dsr_hash(client, client_port) % n;
	/* The verifier bounds an index by a mask, not by n; the compiler
	 * would drop a mask it can prove useless, so it cannot see this one. */
	asm volatile("" : "+r"(slot));
	node = slots->node[slot & (PROXY_DSR_MAX_SLOTS - 1)];
	if (node == 0)
		return TC_ACT_OK;
	return dsr_encap(skb, node);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
