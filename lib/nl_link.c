/* nl_link.c — links (see nl.h): looking one up by name, creating veth
 * pairs and bridges, deleting, enslaving to a bridge, setting
 * up or down, renaming.
 *
 * Apart from the socket plumbing (nl.c) because links are a job of their
 * own: their messages, attributes and name rules are shared by nothing
 * else, while every other part of the module looks links up through
 * nl_ifindex.
 */
#include "nl_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

/* --- links ---------------------------------------------------------- */

static int nl_name_ok(const char *name, char *err, size_t errlen)
{
	if (!name || !*name || strlen(name) >= IF_NAMESIZE || strchr(name, '/') ||
	    strchr(name, ' ')) {
		snprintf(err, errlen, "bad interface name \"%s\" (1 to %d characters)",
			 name ? name : "", IF_NAMESIZE - 1);
		return -EINVAL;
	}
	return 0;
}

static int nl_link_kind_cb(const struct nlattr *attr, void *data)
{
	struct nl_link *link = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		snprintf(link->kind, sizeof(link->kind), "%.*s",
			 (int)strnlen(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr)),
			 (const char *)mnl_attr_get_payload(attr));
	return MNL_CB_OK;
}

static int nl_link_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl_link *link = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(link->name, sizeof(link->name), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_MASTER:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			link->master = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, nl_link_kind_cb, link);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int nl_link_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct nl_link *link = data;

	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)))
		return 0;
	link->index = ifm->ifi_index;
	link->flags = ifm->ifi_flags;
	mnl_attr_parse(nlh, sizeof(*ifm), nl_link_attr_cb, link);
	return 0;
}

int nl_link_get(struct nl *nl, const char *name, struct nl_link *link, char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	char kmsg[256];
	int rc = nl_name_ok(name, err, errlen);

	if (rc < 0)
		return rc;
	memset(link, 0, sizeof(*link));
	nlh = nl_msg(nl, RTM_GETLINK, 0);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	rc = nl_talk(nl, nlh, nl_link_reply, link, kmsg, sizeof(kmsg));
	if (rc == 0 && link->index <= 0)
		rc = -ENODEV;
	if (rc < 0)
		nl_set_err(err, errlen, rc, kmsg, "link %s", name);
	return rc;
}

int nl_ifindex(struct nl *nl, const char *name, char *err, size_t errlen)
{
	struct nl_link link;
	int rc = nl_link_get(nl, name, &link, err, errlen);

	return rc < 0 ? rc : link.index;
}

int nl_veth_add(struct nl *nl, const char *name, const char *peer_name, int peer_nsfd,
		char *err, size_t errlen)
{
	struct nlattr *info, *data, *peer;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	int rc;

	if ((rc = nl_name_ok(name, err, errlen)) < 0 ||
	    (rc = nl_name_ok(peer_name, err, errlen)) < 0)
		return rc;
	nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's attributes follow its own (zeroed) ifinfomsg. Giving the
	 * namespace here creates the peer directly inside it: it never exists
	 * in ours, whatever namespace "ours" is. */
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	if (peer_nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_nsfd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_request(nl, nlh, err, errlen, "create veth %s (peer %s)", name, peer_name);
}

int nl_bridge_add(struct nl *nl, const char *name, const uint8_t *mac, char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct nlattr *info;
	uint8_t addr[6];
	int rc = nl_name_ok(name, err, errlen);

	if (rc < 0)
		return rc;
	if (mac) {
		memcpy(addr, mac, sizeof(addr));
	} else {
		if (getrandom(addr, sizeof(addr), 0) != (ssize_t)sizeof(addr)) {
			rc = -EIO;
			nl_set_err(err, errlen, rc, NULL, "random MAC for %s", name);
			return rc;
		}
		addr[0] = (uint8_t)((addr[0] & 0xfe) | 0x02); /* unicast, locally administered */
	}
	nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(addr), addr);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	return nl_request(nl, nlh, err, errlen, "create bridge %s", name);
}

/* A message of type (RTM_NEWLINK, RTM_DELLINK) about an existing link: the
 * common part of delete, set-master, up/down and rename. */
static struct nlmsghdr *nl_link_msg(struct nl *nl, uint16_t type, int idx,
				    struct ifinfomsg **ifmp)
{
	struct nlmsghdr *nlh = nl_msg(nl, type, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = idx;
	if (ifmp)
		*ifmp = ifm;
	return nlh;
}

int nl_link_del(struct nl *nl, const char *name, char *err, size_t errlen)
{
	int idx = nl_ifindex(nl, name, err, errlen);

	if (idx < 0)
		return idx;
	return nl_request(nl, nl_link_msg(nl, RTM_DELLINK, idx, NULL), err, errlen,
			  "delete link %s", name);
}

int nl_link_set_master(struct nl *nl, const char *name, const char *master,
		       char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	int idx, midx = 0;

	idx = nl_ifindex(nl, name, err, errlen);
	if (idx < 0)
		return idx;
	if (master) {
		midx = nl_ifindex(nl, master, err, errlen);
		if (midx < 0)
			return midx;
	}
	nlh = nl_link_msg(nl, RTM_NEWLINK, idx, NULL);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)midx);
	return nl_request(nl, nlh, err, errlen, "set master of %s to %s", name,
			  master ? master : "none");
}

int nl_link_set_up(struct nl *nl, const char *name, bool up, char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	int idx = nl_ifindex(nl, name, err, errlen);

	if (idx < 0)
		return idx;
	nlh = nl_link_msg(nl, RTM_NEWLINK, idx, &ifm);
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	return nl_request(nl, nlh, err, errlen, "set %s %s", name, up ? "up" : "down");
}

int nl_link_rename(struct nl *nl, const char *name, const char *newname,
		   char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	int idx, rc;

	if ((rc = nl_name_ok(newname, err, errlen)) < 0)
		return rc;
	idx = nl_ifindex(nl, name, err, errlen);
	if (idx < 0)
		return idx;
	nlh = nl_link_msg(nl, RTM_NEWLINK, idx, NULL);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
	return nl_request(nl, nlh, err, errlen, "rename %s to %s", name, newname);
}
