/* DSR's tc program (agent/proxy_dsr.bpf.c), run by the kernel on packets
 * built here (BPF_PROG_TEST_RUN): the pick, the IPIP header it pushes, the
 * one it removes, and what it leaves alone. Needs root (loading BPF);
 * skipped otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "proxy_dsr.h"
#include "proxy_dsr.skel.h"

#define NODE0    "10.240.0.4"
#define NODE1    "10.240.0.5"   /* the node the program runs on */
#define FRONTEND "203.0.113.10"
#define CLIENT   "198.51.100.10"

struct fixture {
	struct proxy_dsr_bpf *skel;
	int prog_fd;
};

static uint32_t addr(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static uint16_t ip_csum(const void *hdr, size_t len)
{
	const uint8_t *p = hdr;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An IPv4 header of protocol proto carrying payload bytes, checksum set. */
static void ip_header(struct iphdr *ip, uint8_t proto, const char *src, const char *dst,
		      size_t payload)
{
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->frag_off = htons(0x4000);   /* DF */
	ip->protocol = proto;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + payload));
	ip->saddr = addr(src);
	ip->daddr = addr(dst);
	ip->check = htons(ip_csum(ip, sizeof(*ip)));
}

/* Ethernet, IPv4 and a bare TCP SYN from CLIENT:sport to dst:dport;
 * returns its length. */
static size_t tcp_frame(uint8_t *buf, const char *dst, uint16_t sport, uint16_t dport)
{
	struct ethhdr eth = { .h_proto = htons(ETH_P_IP) };
	struct iphdr ip;
	struct tcphdr tcp = { .source = htons(sport), .dest = htons(dport), .doff = 5, .syn = 1 };

	memset(eth.h_dest, 0x02, ETH_ALEN);
	memset(eth.h_source, 0x04, ETH_ALEN);
	ip_header(&ip, IPPROTO_TCP, CLIENT, dst, sizeof(tcp));
	memcpy(buf, &eth, sizeof(eth));
	memcpy(buf + sizeof(eth), &ip, sizeof(ip));
	memcpy(buf + sizeof(eth) + sizeof(ip), &tcp, sizeof(tcp));
	return sizeof(eth) + sizeof(ip) + sizeof(tcp);
}

/* frame's IPv4 packet wrapped in IPIP from src to dst, into out. */
static size_t ipip_frame(uint8_t *out, const uint8_t *frame, size_t len,
			 const char *src, const char *dst)
{
	struct iphdr outer;

	ip_header(&outer, IPPROTO_IPIP, src, dst, len - ETH_HLEN);
	memcpy(out, frame, ETH_HLEN);
	memcpy(out + ETH_HLEN, &outer, sizeof(outer));
	memcpy(out + ETH_HLEN + sizeof(outer), frame + ETH_HLEN, len - ETH_HLEN);
	return len + sizeof(outer);
}

struct run {
	int verdict;
	uint8_t out[256];
	uint32_t out_len;
	uint32_t mark;
};

static void run(const struct fixture *f, const uint8_t *frame, size_t len, struct run *r)
{
	struct __sk_buff ctx_in = { 0 }, ctx_out = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = frame, .data_size_in = (uint32_t)len,
		    .data_out = r->out, .data_size_out = sizeof(r->out),
		    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out),
		    .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(f->prog_fd, &opts), 0);
	r->verdict = (int)opts.retval;
	r->out_len = opts.data_size_out;
	r->mark = ctx_out.mark;
}

static int setup(void **state)
{
	static struct fixture f;
	struct proxy_dsr_frontend fe = { .addr = 0, .port = htons(80), .proto = IPPROTO_TCP };
	struct proxy_dsr_slots slots = { .n = 2 };

	memset(&f, 0, sizeof(f));
	*state = &f;
	if (geteuid() != 0)
		return 0;
	f.skel = proxy_dsr_bpf__open();
	assert_non_null(f.skel);
	f.skel->rodata->dsr_node_addr = addr(NODE1);
	f.skel->rodata->dsr_ifindex = 1;
	if (proxy_dsr_bpf__load(f.skel) < 0) {
		proxy_dsr_bpf__destroy(f.skel);
		f.skel = NULL;
		return 0;
	}
	f.prog_fd = bpf_program__fd(f.skel->progs.dsr_ingress);
	/* Two endpoints: one on node0, one here. */
	fe.addr = addr(FRONTEND);
	slots.node[0] = addr(NODE0);
	slots.node[1] = 0;
	assert_int_equal(bpf_map__update_elem(f.skel->maps.dsr_frontends, &fe, sizeof(fe),
					      &slots, sizeof(slots), BPF_ANY), 0);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	proxy_dsr_bpf__destroy(f->skel);
	return 0;
}

static const struct fixture *need_bpf(void **state)
{
	const struct fixture *f = *state;

	if (!f->skel)
		skip();   /* not root, or no BPF here */
	return f;
}

/* Client ports spread over both slots; every packet of a flow gets the
 * same pick; a remote pick leaves as IPIP from this node to node0, with
 * the inner packet unchanged and a valid outer header. */
static void test_pick_and_wrap(void **state)
{
	const struct fixture *f = need_bpf(state);
	uint8_t frame[128];
	int local = 0, remote = 0;

	for (uint16_t sport = 40000; sport < 40064; sport++) {
		size_t len = tcp_frame(frame, FRONTEND, sport, 80);
		struct run r, again;
		struct iphdr outer;

		run(f, frame, len, &r);
		run(f, frame, len, &again);
		assert_int_equal(r.verdict, again.verdict);
		if (r.verdict == TC_ACT_OK) {
			local++;
			assert_int_equal(r.out_len, len);
			assert_memory_equal(r.out, frame, len);
			continue;
		}
		assert_int_equal(r.verdict, TC_ACT_REDIRECT);
		remote++;
		assert_int_equal(r.out_len, len + sizeof(struct iphdr));
		/* After 14 bytes of Ethernet: not aligned for an iphdr. */
		memcpy(&outer, r.out + ETH_HLEN, sizeof(outer));
		assert_int_equal(outer.version, 4);
		assert_int_equal(outer.ihl, 5);
		assert_int_equal(outer.protocol, IPPROTO_IPIP);
		assert_int_equal(outer.saddr, addr(NODE1));
		assert_int_equal(outer.daddr, addr(NODE0));
		assert_int_equal(ntohs(outer.tot_len), len - ETH_HLEN + sizeof(struct iphdr));
		assert_int_equal(outer.frag_off, htons(0x4000));   /* the inner DF */
		assert_int_equal(ip_csum(&outer, sizeof(outer)), 0);
		assert_memory_equal(r.out + ETH_HLEN + sizeof(struct iphdr), frame + ETH_HLEN,
				    len - ETH_HLEN);
	}
	assert_true(local > 0);
	assert_true(remote > 0);
}

/* What a peer wrapped for a frontend this node knows is unwrapped and
 * marked; IPIP for another node, or carrying anything else, is not. */
static void test_unwrap(void **state)
{
	const struct fixture *f = need_bpf(state);
	uint8_t frame[128], wrapped[160];
	size_t len = tcp_frame(frame, FRONTEND, 40000, 80), wlen;
	struct run r;

	wlen = ipip_frame(wrapped, frame, len, NODE0, NODE1);
	run(f, wrapped, wlen, &r);
	assert_int_equal(r.verdict, TC_ACT_OK);
	assert_int_equal(r.out_len, len);
	assert_memory_equal(r.out + ETH_HLEN, frame + ETH_HLEN, len - ETH_HLEN);
	assert_int_equal(r.mark & PROXY_DSR_MARK, PROXY_DSR_MARK);

	/* To another node: not ours to unwrap. */
	wlen = ipip_frame(wrapped, frame, len, NODE0, "10.240.0.6");
	run(f, wrapped, wlen, &r);
	assert_int_equal(r.verdict, TC_ACT_OK);
	assert_int_equal(r.out_len, wlen);
	assert_int_equal(r.mark, 0);

	/* Carrying a packet for no DSR frontend: dropped, no relay. */
	len = tcp_frame(frame, "192.0.2.1", 40000, 80);
	wlen = ipip_frame(wrapped, frame, len, NODE0, NODE1);
	run(f, wrapped, wlen, &r);
	assert_int_equal(r.verdict, TC_ACT_SHOT);
}

/* Packets for other addresses or ports go on untouched. */
static void test_leaves_others_alone(void **state)
{
	const struct fixture *f = need_bpf(state);
	uint8_t frame[128];
	size_t len;
	struct run r;

	for (uint16_t sport = 40000; sport < 40016; sport++) {
		len = tcp_frame(frame, FRONTEND, sport, 443);
		run(f, frame, len, &r);
		assert_int_equal(r.verdict, TC_ACT_OK);
		assert_memory_equal(r.out, frame, len);
		len = tcp_frame(frame, NODE1, sport, 80);
		run(f, frame, len, &r);
		assert_int_equal(r.verdict, TC_ACT_OK);
		assert_memory_equal(r.out, frame, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_and_wrap),
		cmocka_unit_test(test_unwrap),
		cmocka_unit_test(test_leaves_others_alone),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
