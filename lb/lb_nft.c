/* lb_nft.c — see lb_nft.h. */
#include "lb_nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "nftrun.h"
#include "apiobj.h"
#include "lb_json.h"
#include "lb_maglev.h"

_Static_assert(LB_MAX_BACKENDS <= LB_MAGLEV_MAX_BACKENDS && LB_MAX_BACKENDS <= LB_MAGLEV_SIZE,
	       "every lab node count gets a Maglev table");

struct lb_nft {
	struct nft_ctx *ctx;
};

void lb_nft_chain_name(const char *key, const struct lb_nft_port *p, char *out, size_t len)
{
	snprintf(out, len, "svc_%s_%s_%d", key, p->proto == MODEL_PROTO_UDP ? "udp" : "tcp",
		 p->port);
}

void lb_nft_flows_name(const char *key, int node, char *out, size_t len)
{
	snprintf(out, len, "flows_%s_node%d", key, node);
}

void lb_nft_traffic_name(const char *key, int node, char *out, size_t len)
{
	snprintf(out, len, "traffic_%s_node%d", key, node);
}

void lb_nft_nobackend_name(const char *key, char *out, size_t len)
{
	snprintf(out, len, "nobackend_%s", key);
}

const struct lb_nft_counter *lb_nft_counter_find(const struct lb_nft_counter *c, int n,
						  const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return &c[i];
	return NULL;
}

static void lb_nft_counter_decl(struct buf *out, const char *name,
				const struct lb_nft_counter *carry, int n_carry)
{
	const struct lb_nft_counter *c = lb_nft_counter_find(carry, n_carry, name);

	buf_printf(out, "\tcounter %s { packets %" PRIu64 " bytes %" PRIu64 " }\n", name,
		   c ? c->packets : 0, c ? c->bytes : 0);
}

static const char *lb_nft_proto(enum model_proto p)
{
	return p == MODEL_PROTO_UDP ? "udp" : "tcp";
}

static void lb_nft_ip(struct in_addr a, char *out)
{
	inet_ntop(AF_INET, &a, out, INET_ADDRSTRLEN);
}

static void lb_nft_maps(const struct lb_nft_svc *svcs, int n, struct buf *out)
{
	char ip[INET_ADDRSTRLEN], name[LB_COUNTER_NAME_MAX];
	bool first = true;

	/* Every packet of a flow is counted against (frontend, backend mark):
	 * the frontend names the Service, the mark the node. Services that
	 * share a frontend IP share these packet and byte counts, kept under
	 * the first of them (the key cannot tell their flows apart: the
	 * original destination port is not usable in a concatenation here);
	 * their new flows are counted per rule all the same. */
	buf_puts(out, "\tmap backend_traffic {\n\t\ttype ipv4_addr . mark : counter\n");
	for (int i = 0; i < n; i++) {
		bool shared = false;

		for (int j = 0; j < i && !shared; j++)
			shared = svcs[j].frontend.s_addr == svcs[i].frontend.s_addr;
		if (shared)
			continue;
		lb_nft_ip(svcs[i].frontend, ip);
		for (int b = 0; b < svcs[i].n_backends; b++) {
			buf_puts(out, first ? "\t\telements = { " : ",\n\t\t\t     ");
			first = false;
			lb_nft_traffic_name(svcs[i].key, b, name, sizeof(name));
			buf_printf(out, "%s . 0x%08x : \"%s\"", ip, lb_node_mark(b), name);
		}
	}
	buf_puts(out, first ? "\t}\n" : " }\n\t}\n");

	/* One element per load-balancing rule (frontend IP, protocol, port). */
	first = true;
	buf_puts(out, "\tmap frontends {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n");
	for (int i = 0; i < n; i++) {
		lb_nft_ip(svcs[i].frontend, ip);
		for (int p = 0; p < svcs[i].n_ports; p++) {
			buf_puts(out, first ? "\t\telements = { " : ",\n\t\t\t     ");
			first = false;
			lb_nft_chain_name(svcs[i].key, &svcs[i].ports[p], name, sizeof(name));
			buf_printf(out, "%s . %s . %d : jump %s", ip,
				   lb_nft_proto(svcs[i].ports[p].proto), svcs[i].ports[p].port, name);
		}
	}
	buf_puts(out, first ? "\t}\n" : " }\n\t}\n");

	/* Floating IP off: frontend port and backend -> node address, NodePort. */
	for (int proto = MODEL_PROTO_TCP; proto <= MODEL_PROTO_UDP; proto++) {
		first = true;
		buf_printf(out, "\tmap dnat_%s {\n\t\ttype ipv4_addr . inet_service . mark : "
			   "ipv4_addr . inet_service\n", lb_nft_proto((enum model_proto)proto));
		for (int i = 0; i < n; i++) {
			if (svcs[i].floating_ip)
				continue;
			lb_nft_ip(svcs[i].frontend, ip);
			for (int p = 0; p < svcs[i].n_ports; p++) {
				const struct lb_nft_port *pt = &svcs[i].ports[p];

				if ((int)pt->proto != proto || pt->node_port <= 0)
					continue;
				for (int b = 0; b < svcs[i].n_backends; b++) {
					char node[INET_ADDRSTRLEN];

					lb_nft_ip(lab_node_addr(b), node);
					buf_puts(out, first ? "\t\telements = { " : ",\n\t\t\t     ");
					first = false;
					buf_printf(out, "%s . %d . 0x%08x : %s . %d", ip, pt->port,
						   lb_node_mark(b), node, pt->node_port);
				}
			}
		}
		buf_puts(out, first ? "\t}\n" : " }\n\t}\n");
	}
}

/* Per Service with a TCP rule: its conntrack timeout policy, and its TCP
 * frontends in idle_reset (forgotten flows get an RST) or idle_quiet
 * (they get nothing). */
static void lb_nft_idle(const struct lb_nft_svc *svcs, int n, struct buf *out)
{
	char ip[INET_ADDRSTRLEN];

	for (int i = 0; i < n; i++) {
		if (svcs[i].idle_timeout_s <= 0)
			continue;
		buf_printf(out, "\tct timeout idle_%s {\n\t\tprotocol tcp; l3proto ip\n"
			   "\t\tpolicy = { established: %d }\n\t}\n", svcs[i].key,
			   svcs[i].idle_timeout_s);
	}
	for (int reset = 1; reset >= 0; reset--) {
		bool first = true;

		buf_printf(out, "\tset idle_%s {\n\t\ttype ipv4_addr . inet_service\n",
			   reset ? "reset" : "quiet");
		for (int i = 0; i < n; i++) {
			if (svcs[i].idle_timeout_s <= 0 || svcs[i].tcp_reset != (bool)reset)
				continue;
			lb_nft_ip(svcs[i].frontend, ip);
			for (int p = 0; p < svcs[i].n_ports; p++) {
				if (svcs[i].ports[p].proto != MODEL_PROTO_TCP)
					continue;
				buf_puts(out, first ? "\t\telements = { " : ",\n\t\t\t     ");
				first = false;
				buf_printf(out, "%s . %d", ip, svcs[i].ports[p].port);
			}
		}
		buf_puts(out, first ? "\t}\n" : " }\n\t}\n");
	}
}

/* The node of a new flow, as its ct mark (the mark names the node, so the
 * choice lives on in the flow's conntrack entry). The flow's hash indexes
 * the rule's Maglev table over its healthy nodes (lb_maglev.h): when a node
 * leaves or joins the pool, only about 1/N of new flows change node, where
 * the hash modulo the number of healthy nodes moved most of them. A lone
 * healthy node needs no hash. */
static void lb_nft_pick(const struct lb_nft_svc *s, const struct lb_nft_port *r,
			struct buf *out)
{
	const char *tuple = s->source_ip_affinity
		? "ip saddr" : "ip saddr . ip daddr . meta l4proto . th sport . th dport";
	char names[LB_MAX_BACKENDS][16], err[128];
	const char *pn[LB_MAX_BACKENDS] = { NULL };
	int table[LB_MAGLEV_MAX_SIZE], m = s->table_size ? s->table_size : LB_MAGLEV_SIZE;

	if (r->n_healthy == 1) {
		buf_printf(out, "\t\tct mark set 0x%08x\n", lb_node_mark(r->healthy[0]));
		return;
	}
	/* A backend's permutation comes from its node's name, which never
	 * changes with the pool, so a node keeps its slots across changes. */
	for (int h = 0; h < r->n_healthy; h++) {
		snprintf(names[h], sizeof(names[h]), "node%d", r->healthy[h]);
		pn[h] = names[h];
	}
	if (m < 2 || m > LB_MAGLEV_MAX_SIZE ||
	    lb_maglev_build(pn, r->n_healthy, (uint32_t)m, table, err, sizeof(err)) < 0) {
		/* Asked for, or (for LB_MAGLEV_SIZE and a lab's node count:
		 * see the static assertion) cannot happen: the hash modulo
		 * the healthy count. */
		m = r->n_healthy;
		for (int j = 0; j < m; j++)
			table[j] = j;
	}
	buf_printf(out, "\t\tct mark set jhash %s mod %d seed 0x%08x map { ", tuple, m,
		   LB_HASH_SEED);
	for (int j = 0; j < m; j++)
		buf_printf(out, "%s%d : 0x%08x", j ? ", " : "", j,
			   lb_node_mark(r->healthy[table[j]]));
	buf_puts(out, " }\n");
}

static void lb_nft_rule_chain(const struct lb_nft_svc *s, const struct lb_nft_port *r,
			      struct buf *out)
{
	char name[LB_COUNTER_NAME_MAX];

	lb_nft_chain_name(s->key, r, name, sizeof(name));
	buf_printf(out, "\tchain %s {\n", name);
	if (r->n_healthy == 0) {
		/* All backends down: new flows are dropped; flows already
		 * established never come here (see chain steer). */
		lb_nft_nobackend_name(s->key, name, sizeof(name));
		buf_printf(out, "\t\tcounter name \"%s\" drop\n\t}\n", name);
		return;
	}
	/* The Service's idle timeout rides on the flow's conntrack entry. */
	if (r->proto == MODEL_PROTO_TCP && s->idle_timeout_s > 0)
		buf_printf(out, "\t\tct timeout set \"idle_%s\"\n", s->key);
	lb_nft_pick(s, r, out);
	buf_puts(out, "\t\tcounter name ct mark map { ");
	for (int b = 0; b < s->n_backends; b++) {
		lb_nft_flows_name(s->key, b, name, sizeof(name));
		buf_printf(out, "%s0x%08x : \"%s\"", b ? ", " : "", lb_node_mark(b), name);
	}
	buf_puts(out, " }\n\t\tjump steer\n\t}\n");
}

static void lb_nft_hook_chain(struct buf *out, const char *name, const char *type,
			      const char *hook)
{
	buf_printf(out,
		   "\tchain %s {\n"
		   "\t\ttype %s hook %s priority mangle; policy accept;\n", name, type, hook);
	if (strcmp(hook, "prerouting") == 0)
		/* A TCP packet that is not a SYN and has no conntrack entry
		 * belongs to a flow the edge forgot after its idle timeout:
		 * either end's next packet gets an RST (or nothing), instead of
		 * being balanced again as a new flow. */
		buf_puts(out,
			 "\t\tct state new tcp flags & (syn | ack | rst) == ack "
			 "ip daddr . th dport @idle_reset reject with tcp reset\n"
			 "\t\tct state new tcp flags & (syn | ack | rst) == ack "
			 "ip saddr . th sport @idle_reset reject with tcp reset\n"
			 "\t\tct state new tcp flags & syn == 0 ip daddr . th dport @idle_quiet drop\n"
			 "\t\tct state new tcp flags & syn == 0 ip saddr . th sport @idle_quiet drop\n"
			 "\t\tct state new tcp flags & syn == 0 ip daddr . th dport @idle_reset drop\n"
			 "\t\tct state new tcp flags & syn == 0 ip saddr . th sport @idle_reset drop\n");
	buf_printf(out,
		   "\t\tct mark & 0x%08x == 0x%08x jump steer\n"
		   "\t\tct state new ip daddr . meta l4proto . th dport vmap @frontends\n",
		   LB_MARK_MASK, LB_MARK_BASE);
	if (strcmp(hook, "prerouting") == 0)
		/* A cloud edge forwards only what a rule names: other ports of
		 * the frontend pool go nowhere. The L7 gateway's address is in
		 * the pool but not the load balancer's (a resource apart). */
		buf_printf(out, "\t\tip daddr %s ip daddr != %s ct state new counter name \"unmatched\" drop\n",
			   LAB_FRONTEND_CIDR, LAB_GATEWAY_IP);
	buf_puts(out, "\t}\n");
}

void lb_nft_render(const struct lb_nft_svc *svcs, int n,
		   const struct lb_nft_counter *carry, int n_carry, struct buf *out)
{
	char name[LB_COUNTER_NAME_MAX];

	buf_puts(out, "table ip " LB_TABLE " {}\n"
		      "delete table ip " LB_TABLE "\n"
		      "table ip " LB_TABLE " {\n");
	for (int i = 0; i < n; i++) {
		for (int b = 0; b < svcs[i].n_backends; b++) {
			lb_nft_flows_name(svcs[i].key, b, name, sizeof(name));
			lb_nft_counter_decl(out, name, carry, n_carry);
			lb_nft_traffic_name(svcs[i].key, b, name, sizeof(name));
			lb_nft_counter_decl(out, name, carry, n_carry);
		}
		lb_nft_nobackend_name(svcs[i].key, name, sizeof(name));
		lb_nft_counter_decl(out, name, carry, n_carry);
	}
	lb_nft_counter_decl(out, "unmatched", carry, n_carry);
	lb_nft_idle(svcs, n, out);
	lb_nft_maps(svcs, n, out);
	/* Every packet of a flow that has a backend: only the original
	 * direction is steered (replies go back to the client by the main
	 * table); both directions are counted. */
	buf_puts(out,
		 "\tchain steer {\n"
		 "\t\tct direction original meta mark set ct mark\n"
		 "\t\tcounter name ct original ip daddr . ct mark map @backend_traffic\n"
		 "\t\taccept\n"
		 "\t}\n");
	for (int i = 0; i < n; i++)
		for (int p = 0; p < svcs[i].n_ports; p++)
			lb_nft_rule_chain(&svcs[i], &svcs[i].ports[p], out);
	lb_nft_hook_chain(out, "prerouting", "filter", "prerouting");
	/* The edge's own connections to a frontend (the data path check) take
	 * the same path; a route chain reroutes them after the mark is set. */
	lb_nft_hook_chain(out, "output", "route", "output");
	buf_puts(out,
		 "\tchain dnat_prerouting {\n"
		 "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
		 "\t\tmeta l4proto tcp dnat ip to ip daddr . th dport . ct mark map @dnat_tcp\n"
		 "\t\tmeta l4proto udp dnat ip to ip daddr . th dport . ct mark map @dnat_udp\n"
		 "\t}\n"
		 "\tchain dnat_output {\n"
		 "\t\ttype nat hook output priority -100; policy accept;\n"
		 "\t\tmeta l4proto tcp dnat ip to ip daddr . th dport . ct mark map @dnat_tcp\n"
		 "\t\tmeta l4proto udp dnat ip to ip daddr . th dport . ct mark map @dnat_udp\n"
		 "\t}\n"
		 "}\n");
}

struct lb_nft *lb_nft_new(char *err, size_t errlen)
{
	struct lb_nft *nft = calloc(1, sizeof(*nft));

	if (!nft) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	nft->ctx = nftrun_ctx_new();
	if (!nft->ctx) {
		snprintf(err, errlen, "cannot create a libnftables context");
		free(nft);
		return NULL;
	}
	return nft;
}

void lb_nft_free(struct lb_nft *nft)
{
	if (!nft)
		return;
	nft_ctx_free(nft->ctx);
	free(nft);
}

/* Copies libnftables' error buffer right away: the next command reuses it. */
int lb_nft_run(struct lb_nft *nft, const char *text, char *err, size_t errlen)
{
	nft_ctx_output_set_flags(nft->ctx, 0);
	return nftrun_cmd(nft->ctx, text, NULL, err, errlen);
}

int lb_nft_parse_counters(const char *json, size_t len, struct lb_nft_counter **out,
			  char *err, size_t errlen)
{
	json_t *doc = apiobj_parse(json, len, err, errlen);
	struct lb_nft_counter *c = NULL;
	const json_t *list, *item;
	int n = 0, cap = 0, rc = -1;
	size_t i;

	*out = NULL;
	if (!doc)
		return -1;
	list = lb_json_get(doc, "nftables");
	if (!json_is_array(list)) {
		snprintf(err, errlen, "nft counters: no \"nftables\" list");
		goto out;
	}
	json_array_foreach(list, i, item) {
		const json_t *cn = lb_json_get(item, "counter");
		char name[LB_COUNTER_NAME_MAX];

		if (!cn || !lb_json_str(cn, "name", name, sizeof(name)))
			continue;
		if (n == cap) {
			int ncap = cap ? cap * 2 : 32;
			struct lb_nft_counter *p = realloc(c, (size_t)ncap * sizeof(*p));

			if (!p) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			c = p;
			cap = ncap;
		}
		memcpy(c[n].name, name, sizeof(name));
		c[n].packets = lb_json_u64(cn, "packets", 0);
		c[n].bytes = lb_json_u64(cn, "bytes", 0);
		n++;
	}
	*out = c;
	c = NULL;
	rc = n;
out:
	free(c);
	json_decref(doc);
	return rc;
}

int lb_nft_read_counters(struct lb_nft *nft, struct lb_nft_counter **out,
			 char *err, size_t errlen)
{
	struct buf json = BUF_INIT;
	int rc;

	*out = NULL;
	nft_ctx_output_set_flags(nft->ctx, NFT_CTX_OUTPUT_JSON);
	rc = nftrun_cmd(nft->ctx, "list counters table ip " LB_TABLE, &json, err, errlen);
	nft_ctx_output_set_flags(nft->ctx, 0);
	if (rc < 0) {
		buf_free(&json);
		/* No table yet: nothing to carry over. */
		return strstr(err, "No such file or directory") ? 0 : -1;
	}
	rc = json.len ? lb_nft_parse_counters(json.data, json.len, out, err, errlen) : 0;
	buf_free(&json);
	return rc;
}
