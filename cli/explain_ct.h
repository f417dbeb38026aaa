/* explain_ct.h — conntrack entries of one namespace, for `clientip explain`. */
#ifndef CLIENTIP_EXPLAIN_CT_H
#define CLIENTIP_EXPLAIN_CT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct explain_ct_entry {
	int proto;                      /* IPPROTO_TCP, IPPROTO_UDP */
	struct in_addr orig_src, orig_dst;
	uint16_t orig_sport, orig_dport;
	/* The reply tuple: after DNAT its source is the real destination;
	 * after SNAT its destination is the address the source was rewritten to. */
	struct in_addr repl_src, repl_dst;
	uint16_t repl_sport, repl_dport;
	uint32_t mark;                  /* ct mark (the load balancer's backend choice) */
};

struct explain_ct_set {
	struct explain_ct_entry *items;
	size_t n, cap;
};

/* Dumps the IPv4 conntrack table of the named namespace. 0 or -errno. */
int explain_ct_dump(const char *netns_name, struct explain_ct_set *out);
void explain_ct_free(struct explain_ct_set *set);

/* The entry whose original tuple is exactly this, or NULL. */
const struct explain_ct_entry *explain_ct_find_orig(const struct explain_ct_set *set, int proto,
						    struct in_addr src, uint16_t sport,
						    struct in_addr dst, uint16_t dport);
/* Whether the flow's destination / source was rewritten in this namespace. */
bool explain_ct_dnat(const struct explain_ct_entry *e);
bool explain_ct_snat(const struct explain_ct_entry *e);

#endif
