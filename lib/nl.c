/* nl.c — see nl.h. */
#include "nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"

/* Big enough for one dump batch: the kernel sizes dump replies to the
 * reader's buffer up to 32 KiB and truncates beyond it. */
#define NL_BUF_SIZE 32768

typedef int nl_reply_fn(const struct nlmsghdr *nlh, void *data);

static void nl_set_err(char *err, size_t errlen, int rc, const char *kmsg, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void nl_set_err(char *err, size_t errlen, int rc, const char *kmsg, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (kmsg && *kmsg)
		snprintf(err, errlen, "%s: %s (%s)", what, strerror(-rc), kmsg);
	else
		snprintf(err, errlen, "%s: %s", what, strerror(-rc));
}

struct nl_open_ctx {
	struct mnl_socket *sock;
	int err;
};

static int nl_open_here(void *arg)
{
	struct nl_open_ctx *c = arg;

	c->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	c->err = c->sock ? 0 : -errno;
	return 0;
}

int nl_open(struct nl *nl, int nsfd, char *err, size_t errlen)
{
	struct nl_open_ctx c = { NULL, 0 };
	int one = 1, rc;

	memset(nl, 0, sizeof(*nl));
	/* The socket belongs to the namespace it is created in, so only its
	 * creation happens inside nsfd; everything after works from here. */
	if (nsfd >= 0) {
		rc = netns_run(nsfd, nl_open_here, &c);
		if (rc < 0) {
			nl_set_err(err, errlen, rc, NULL, "enter network namespace");
			return rc;
		}
	} else {
		nl_open_here(&c);
	}
	if (!c.sock) {
		nl_set_err(err, errlen, c.err, NULL, "netlink socket");
		return c.err;
	}
	nl->sock = c.sock;
	/* Extended acks carry the kernel's reason for a refusal; capped acks
	 * keep it from echoing the whole request back. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		nl_set_err(err, errlen, rc, NULL, "netlink bind");
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->buf = malloc(NL_BUF_SIZE);
	if (!nl->buf) {
		rc = -ENOMEM;
		nl_set_err(err, errlen, rc, NULL, "netlink buffer");
		goto fail;
	}
	return 0;
fail:
	nl_close(nl);
	return rc;
}

int nl_open_name(struct nl *nl, const char *netns, char *err, size_t errlen)
{
	int fd, rc;

	if (!netns)
		return nl_open(nl, -1, err, errlen);
	fd = netns_open(netns);
	if (fd < 0) {
		memset(nl, 0, sizeof(*nl));
		nl_set_err(err, errlen, fd, NULL, "network namespace %s", netns);
		return fd;
	}
	rc = nl_open(nl, fd, err, errlen);
	close(fd);
	return rc;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	memset(nl, 0, sizeof(*nl));
}

static struct nlmsghdr *nl_msg(struct nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

/* Copies the kernel's extended ack message (NLMSGERR_ATTR_MSG), if any. */
static void nl_extack(const struct nlmsghdr *m, const struct nlmsgerr *e, char *kmsg, size_t len)
{
	const struct nlattr *attr;
	size_t off = sizeof(*e);

	if (!(m->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(m->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (mnl_nlmsg_size(off) > m->nlmsg_len)
		return;
	mnl_attr_for_each(attr, m, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(kmsg, len, "%s", mnl_attr_get_str(attr));
			return;
		}
	}
}

/* Sends one request and reads until its ack (or, for a dump, its end),
 * handing every other reply to fn. The request's sequence number tells its
 * replies from anything stale on the socket. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_reply_fn *fn, void *data,
		   char *kmsg, size_t kmsglen)
{
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	unsigned int seq = ++nl->seq;
	int cbrc = 0;

	kmsg[0] = '\0';
	nlh->nlmsg_seq = seq;
	if (!dump)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_BUF_SIZE);
		const struct nlmsghdr *m;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)n;
		for (m = (const struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != nl->portid)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

				if (m->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
					return -EBADMSG;
				if (e->error == 0)
					return cbrc;
				nl_extack(m, e, kmsg, kmsglen);
				return e->error;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				const int *e = mnl_nlmsg_get_payload(m);

				if (m->nlmsg_len >= mnl_nlmsg_size(sizeof(*e)) && *e < 0)
					return *e;
				return cbrc;
			}
			if (m->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (fn && cbrc == 0)
				cbrc = fn(m, data);
		}
	}
}

/* nl_talk for a request answered by an ack alone; on failure err says
 * what failed (fmt), why, and what the kernel added. */
static int nl_request(struct nl *nl, struct nlmsghdr *nlh, char *err, size_t errlen,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int nl_request(struct nl *nl, struct nlmsghdr *nlh, char *err, size_t errlen,
		      const char *fmt, ...)
{
	char kmsg[256], what[256];
	va_list ap;
	int rc = nl_talk(nl, nlh, NULL, NULL, kmsg, sizeof(kmsg));

	if (rc < 0) {
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		nl_set_err(err, errlen, rc, kmsg, "%s", what);
	}
	return rc;
}

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

int nl_vxlan_add(struct nl *nl, const char *name, uint32_t vni, struct in_addr local,
		 uint16_t port, const char *dev, const uint8_t *mac, int mtu,
		 char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct nlattr *info, *data;
	int rc = nl_name_ok(name, err, errlen), idx;

	if (rc < 0)
		return rc;
	idx = nl_ifindex(nl, dev, err, errlen);
	if (idx < 0)
		return idx;
	nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, vni);
	mnl_attr_put(nlh, IFLA_VXLAN_LOCAL, sizeof(local), &local);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, (uint32_t)idx);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(port));
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_request(nl, nlh, err, errlen, "create vxlan %s", name);
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

/* A message of type (RTM_NEWNEIGH, RTM_DELNEIGH) about the neighbour entry
 * of family for addr on link idx: the common part of add and delete. */
static struct nlmsghdr *nl_neigh_msg(struct nl *nl, uint16_t type, uint16_t nlflags,
				     uint8_t family, int idx, struct in_addr addr,
				     struct ndmsg **ndp)
{
	struct nlmsghdr *nlh = nl_msg(nl, type, nlflags);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));

	nd->ndm_family = family;
	nd->ndm_ifindex = idx;
	mnl_attr_put(nlh, NDA_DST, sizeof(addr), &addr);
	if (ndp)
		*ndp = nd;
	return nlh;
}

/* A permanent neighbour entry of family AF_INET (addr at mac) or AF_BRIDGE
 * (a VXLAN forwarding entry: mac to the VTEP at addr). */
static int nl_neigh_new(struct nl *nl, const char *dev, uint8_t family, uint16_t nlflags,
			struct in_addr addr, const uint8_t *mac, const char *what,
			char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	struct ndmsg *nd;
	char a[INET_ADDRSTRLEN];
	int idx;

	idx = nl_ifindex(nl, dev, err, errlen);
	if (idx < 0)
		return idx;
	nlh = nl_neigh_msg(nl, RTM_NEWNEIGH, NLM_F_CREATE | nlflags, family, idx, addr, &nd);
	nd->ndm_state = NUD_PERMANENT;
	if (family == AF_BRIDGE)
		nd->ndm_flags = NTF_SELF;
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	inet_ntop(AF_INET, &addr, a, sizeof(a));
	return nl_request(nl, nlh, err, errlen, "%s %s on %s", what, a, dev);
}

int nl_fdb_append(struct nl *nl, const char *dev, const uint8_t *mac, struct in_addr dst,
		  char *err, size_t errlen)
{
	return nl_neigh_new(nl, dev, AF_BRIDGE, NLM_F_APPEND, dst, mac, "forwarding entry to",
			    err, errlen);
}

int nl_neigh_del(struct nl *nl, const char *dev, struct in_addr addr, char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	char kmsg[256], a[INET_ADDRSTRLEN];
	int idx, rc;

	idx = nl_ifindex(nl, dev, err, errlen);
	if (idx < 0)
		return idx;
	nlh = nl_neigh_msg(nl, RTM_DELNEIGH, 0, AF_INET, idx, addr, NULL);
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

/* --- sysctls -------------------------------------------------------- */

struct nl_sysctl {
	char path[256];
	const char *value;    /* set */
	char *out;            /* get */
	size_t outlen;
};

/* /proc/sys/net resolves to the namespace of the thread that opens it, so
 * the file is opened (not just written) inside the namespace. */
static int nl_sysctl_here(void *arg)
{
	struct nl_sysctl *s = arg;
	int fd = open(s->path, (s->value ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (s->value) {
		size_t len = strlen(s->value);
		ssize_t n = write(fd, s->value, len);

		if (n < 0)
			rc = -errno;
		else if ((size_t)n != len)
			rc = -EIO;
	} else {
		ssize_t n = read(fd, s->out, s->outlen - 1);

		if (n < 0) {
			rc = -errno;
		} else {
			s->out[n] = '\0';
			while (n > 0 && (s->out[n - 1] == '\n' || s->out[n - 1] == ' '))
				s->out[--n] = '\0';
		}
	}
	close(fd);
	return rc;
}

static int nl_sysctl_path(struct nl_sysctl *s, const char *key)
{
	bool dots;
	size_t n;

	/* Said out loud: gcc's -fsanitize=undefined otherwise takes key for
	 * possibly null in the snprintf below and fails the build. */
	if (!key)
		return -EINVAL;
	dots = strchr(key, '/') == NULL;
	if ((size_t)snprintf(s->path, sizeof(s->path), "/proc/sys/%s", key) >= sizeof(s->path))
		return -ENAMETOOLONG;
	if (strstr(key, ".."))
		return -EINVAL;
	if (dots) {
		n = strlen("/proc/sys/");
		for (char *p = s->path + n; *p; p++)
			if (*p == '.')
				*p = '/';
	}
	return 0;
}

static int nl_sysctl_do(int nsfd, struct nl_sysctl *s)
{
	return nsfd >= 0 ? netns_run(nsfd, nl_sysctl_here, s) : nl_sysctl_here(s);
}

int nl_sysctl_set(int nsfd, const char *key, const char *value, char *err, size_t errlen)
{
	struct nl_sysctl s = { .value = value };
	int rc = nl_sysctl_path(&s, key);

	if (rc == 0)
		rc = nl_sysctl_do(nsfd, &s);
	if (rc < 0)
		nl_set_err(err, errlen, rc, NULL, "sysctl %s=%s", key, value);
	return rc;
}

int nl_sysctl_get(int nsfd, const char *key, char *value, size_t len, char *err, size_t errlen)
{
	struct nl_sysctl s = { .out = value, .outlen = len };
	int rc = len > 1 ? nl_sysctl_path(&s, key) : -EINVAL;

	if (rc == 0)
		rc = nl_sysctl_do(nsfd, &s);
	if (rc < 0)
		nl_set_err(err, errlen, rc, NULL, "sysctl %s", key);
	return rc;
}
