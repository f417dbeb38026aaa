/* explain_ct.c — reads a namespace's conntrack table for `clientip explain`.
 *
 * The kernel's own record of a flow is its conntrack entry: the original
 * tuple (as the packet arrived) and the reply tuple (as replies will look,
 * i.e. after DNAT and SNAT). Comparing the two in each namespace on the
 * path tells which NAT happened where without guessing from rules.
 */
#include "explain_ct.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "netns.h"

struct explain_ct_dump_ctx {
	struct explain_ct_set *set;
	int err;
};

static int explain_ct_on_entry(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct explain_ct_dump_ctx *ctx = data;
	struct explain_ct_set *set = ctx->set;
	struct explain_ct_entry *e;

	(void)type;
	if (nfct_get_attr_u8(ct, ATTR_L3PROTO) != AF_INET)
		return NFCT_CB_CONTINUE;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct explain_ct_entry *p = realloc(set->items, cap * sizeof(*p));

		if (!p) {
			ctx->err = -ENOMEM;
			return NFCT_CB_STOP;
		}
		set->items = p;
		set->cap = cap;
	}
	e = &set->items[set->n++];
	memset(e, 0, sizeof(*e));
	e->proto = nfct_get_attr_u8(ct, ATTR_L4PROTO);
	e->orig_src.s_addr = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC);
	e->orig_dst.s_addr = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST);
	e->repl_src.s_addr = nfct_get_attr_u32(ct, ATTR_REPL_IPV4_SRC);
	e->repl_dst.s_addr = nfct_get_attr_u32(ct, ATTR_REPL_IPV4_DST);
	if (e->proto == IPPROTO_TCP || e->proto == IPPROTO_UDP) {
		e->orig_sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC));
		e->orig_dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
		e->repl_sport = ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_SRC));
		e->repl_dport = ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_DST));
	}
	if (nfct_attr_is_set(ct, ATTR_MARK))
		e->mark = nfct_get_attr_u32(ct, ATTR_MARK);
	return NFCT_CB_CONTINUE;
}

static int explain_ct_dump_here(void *arg)
{
	struct explain_ct_dump_ctx *ctx = arg;
	uint32_t family = AF_INET;
	struct nfct_handle *h;
	int rc;

	/* The netlink socket belongs to the namespace it is opened in. */
	h = nfct_open(CONNTRACK, 0);
	if (!h)
		return -errno;
	nfct_callback_register(h, NFCT_T_ALL, explain_ct_on_entry, ctx);
	rc = nfct_query(h, NFCT_Q_DUMP, &family);
	if (rc < 0)
		rc = -errno;
	nfct_close(h);
	return ctx->err ? ctx->err : rc;
}

int explain_ct_dump(const char *netns_name, struct explain_ct_set *out)
{
	struct explain_ct_dump_ctx ctx = { out, 0 };

	out->n = 0;
	return netns_run_name(netns_name, explain_ct_dump_here, &ctx);
}

void explain_ct_free(struct explain_ct_set *set)
{
	free(set->items);
	memset(set, 0, sizeof(*set));
}

const struct explain_ct_entry *explain_ct_find_orig(const struct explain_ct_set *set, int proto,
						    struct in_addr src, uint16_t sport,
						    struct in_addr dst, uint16_t dport)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct explain_ct_entry *e = &set->items[i];

		if (e->proto == proto && e->orig_src.s_addr == src.s_addr &&
		    e->orig_sport == sport && e->orig_dst.s_addr == dst.s_addr &&
		    e->orig_dport == dport)
			return e;
	}
	return NULL;
}

bool explain_ct_dnat(const struct explain_ct_entry *e)
{
	return e->repl_src.s_addr != e->orig_dst.s_addr || e->repl_sport != e->orig_dport;
}

bool explain_ct_snat(const struct explain_ct_entry *e)
{
	return e->repl_dst.s_addr != e->orig_src.s_addr || e->repl_dport != e->orig_sport;
}
