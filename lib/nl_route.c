/* nl_route.c — where packets go (see nl.h): IPv4 routes (add, replace,
 * delete; on-link too) and fwmark policy rules (by incoming link too).
 *
 * Apart from addresses and neighbours (nl_addr.c) because routes and rules
 * belong to a table rather than to one link: the two messages (rtmsg,
 * fib_rule_hdr) are built alike, and nothing else uses them.
 */
#include "nl_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <sys/socket.h>

/* --- routes --------------------------------------------------------- */

static int nl_route_change(struct nl *nl, uint16_t type, uint16_t flags, const struct nl_route *r,
			   char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	char dst[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	uint32_t table = r->table ? r->table : RT_TABLE_MAIN;
	int idx = 0;
	const char *verb = type == RTM_DELROUTE ? "delete" :
			   (flags & NLM_F_REPLACE) ? "replace" : "add";

	inet_ntop(AF_INET, &r->dst, dst, sizeof(dst));
	inet_ntop(AF_INET, &r->gateway, gw, sizeof(gw));
	if (r->prefix < 0 || r->prefix > 32) {
		snprintf(err, errlen, "route %s/%d: bad prefix length", dst, r->prefix);
		return -EINVAL;
	}
	if (r->dev) {
		idx = nl_ifindex(nl, r->dev, err, errlen);
		if (idx < 0)
			return idx;
	}
	nlh = nl_msg(nl, type, flags);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (unsigned char)r->prefix;
	rtm->rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	rtm->rtm_type = RTN_UNICAST;
	if (type == RTM_DELROUTE) {
		/* As `ip route del`: match any scope and origin. */
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	} else {
		/* proto boot is what `ip route add` records, so the lab's routes
		 * read in `ip route` exactly as hand-made ones would. */
		rtm->rtm_protocol = RTPROT_BOOT;
		rtm->rtm_scope = r->gateway.s_addr ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	}
	if (r->prefix > 0)
		mnl_attr_put(nlh, RTA_DST, sizeof(r->dst), &r->dst);
	if (r->gateway.s_addr)
		mnl_attr_put(nlh, RTA_GATEWAY, sizeof(r->gateway), &r->gateway);
	if (idx > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)idx);
	if (r->onlink)
		rtm->rtm_flags |= RTNH_F_ONLINK;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	return nl_request(nl, nlh, err, errlen, "%s route %s/%d%s%s%s%s table %u", verb, dst,
			  r->prefix, r->gateway.s_addr ? " via " : "",
			  r->gateway.s_addr ? gw : "", r->dev ? " dev " : "",
			  r->dev ? r->dev : "", (unsigned)table);
}

int nl_route_add(struct nl *nl, const struct nl_route *r, char *err, size_t errlen)
{
	return nl_route_change(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r, err, errlen);
}

int nl_route_replace(struct nl *nl, const struct nl_route *r, char *err, size_t errlen)
{
	return nl_route_change(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r, err, errlen);
}

int nl_route_del(struct nl *nl, const struct nl_route *r, char *err, size_t errlen)
{
	return nl_route_change(nl, RTM_DELROUTE, 0, r, err, errlen);
}

/* --- policy rules --------------------------------------------------- */

static int nl_rule_change(struct nl *nl, uint16_t type, uint16_t flags, const struct nl_rule *r,
			  char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh;

	nlh = nl_msg(nl, type, flags);
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	frh->action = FR_ACT_TO_TBL;
	frh->table = r->table < 256 ? (unsigned char)r->table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_FWMARK, r->fwmark);
	mnl_attr_put_u32(nlh, FRA_FWMASK, r->fwmask ? r->fwmask : 0xffffffffu);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, r->priority);
	mnl_attr_put_u32(nlh, FRA_TABLE, r->table);
	if (r->iif)
		mnl_attr_put_strz(nlh, FRA_IIFNAME, r->iif);
	return nl_request(nl, nlh, err, errlen, "%s rule fwmark 0x%x/0x%x table %u pref %u",
			  type == RTM_NEWRULE ? "add" : "delete", r->fwmark,
			  r->fwmask ? r->fwmask : 0xffffffffu, r->table, r->priority);
}

int nl_rule_add(struct nl *nl, const struct nl_rule *r, char *err, size_t errlen)
{
	return nl_rule_change(nl, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r, err, errlen);
}

int nl_rule_del(struct nl *nl, const struct nl_rule *r, char *err, size_t errlen)
{
	return nl_rule_change(nl, RTM_DELRULE, 0, r, err, errlen);
}
