/* nl_addr.c — what sits on a link (see nl.h): IPv4 addresses (add,
 * delete, list) and neighbour entries (a stale ARP entry forgotten).
 *
 * Apart from links (nl_link.c) and routes (nl_route.c) because these are
 * attached to one link, named by the caller and looked up here, and each
 * has its own message (ifaddrmsg, ndmsg).
 */
#include "nl_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* --- addresses ------------------------------------------------------ */

static int nl_addr_change(struct nl *nl, uint16_t type, uint16_t flags, const char *dev,
			  struct in_addr addr, int prefix, char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	char a[INET_ADDRSTRLEN];
	int idx;

	inet_ntop(AF_INET, &addr, a, sizeof(a));
	if (prefix < 0 || prefix > 32) {
		snprintf(err, errlen, "address %s/%d: bad prefix length", a, prefix);
		return -EINVAL;
	}
	idx = nl_ifindex(nl, dev, err, errlen);
	if (idx < 0)
		return idx;
	nlh = nl_msg(nl, type, flags);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)idx;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	return nl_request(nl, nlh, err, errlen, "%s address %s/%d on %s",
			  type == RTM_NEWADDR ? "add" : "delete", a, prefix, dev);
}

int nl_addr_add(struct nl *nl, const char *dev, struct in_addr addr, int prefix,
		char *err, size_t errlen)
{
	return nl_addr_change(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, dev, addr, prefix,
			      err, errlen);
}

int nl_addr_del(struct nl *nl, const char *dev, struct in_addr addr, int prefix,
		char *err, size_t errlen)
{
	return nl_addr_change(nl, RTM_DELADDR, 0, dev, addr, prefix, err, errlen);
}

int nl_neigh_del(struct nl *nl, const char *dev, struct in_addr addr, char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	struct ndmsg *nd;
	char kmsg[256], a[INET_ADDRSTRLEN];
	int idx, rc;

	idx = nl_ifindex(nl, dev, err, errlen);
	if (idx < 0)
		return idx;
	nlh = nl_msg(nl, RTM_DELNEIGH, 0);
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = idx;
	mnl_attr_put(nlh, NDA_DST, sizeof(addr), &addr);
	rc = nl_talk(nl, nlh, NULL, NULL, kmsg, sizeof(kmsg));
	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		inet_ntop(AF_INET, &addr, a, sizeof(a));
		nl_set_err(err, errlen, rc, kmsg, "delete neighbour %s on %s", a, dev);
	}
	return rc;
}

struct nl_addr_dump {
	int index;
	struct nl_addr *out;
	int max;
	int count;
};

static int nl_addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if ((type == IFA_LOCAL || type == IFA_ADDRESS) &&
	    mnl_attr_validate2(attr, MNL_TYPE_BINARY, sizeof(struct in_addr)) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int nl_addr_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { NULL };
	const struct nlattr *a;
	struct nl_addr_dump *d = data;

	if (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return 0;
	if (ifa->ifa_family != AF_INET || (int)ifa->ifa_index != d->index)
		return 0;
	mnl_attr_parse(nlh, sizeof(*ifa), nl_addr_attr_cb, tb);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return 0;
	if (d->count < d->max) {
		memcpy(&d->out[d->count].addr, mnl_attr_get_payload(a), sizeof(struct in_addr));
		d->out[d->count].prefix = ifa->ifa_prefixlen;
	}
	d->count++;
	return 0;
}

int nl_addr_list(struct nl *nl, const char *dev, struct nl_addr *out, int max,
		 char *err, size_t errlen)
{
	struct nl_addr_dump d = { 0, out, max, 0 };
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	char kmsg[256];
	int rc;

	d.index = nl_ifindex(nl, dev, err, errlen);
	if (d.index < 0)
		return d.index;
	nlh = nl_msg(nl, RTM_GETADDR, NLM_F_DUMP);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	rc = nl_talk(nl, nlh, nl_addr_reply, &d, kmsg, sizeof(kmsg));
	if (rc < 0) {
		nl_set_err(err, errlen, rc, kmsg, "list addresses of %s", dev);
		return rc;
	}
	return d.count;
}
