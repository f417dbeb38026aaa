/* nl.c — see nl.h. The rtnetlink socket itself: opening it inside a
 * namespace, closing it, sending one request and reading its replies, and
 * the error text every call returns (with the kernel's extended ack).
 *
 * The calls that build requests are in their own files, one per kind of
 * object (nl_link.c, nl_addr.c, nl_route.c), and share what is here
 * through nl_int.h; sysctls, which are files rather than netlink, are in
 * nl_sysctl.c.
 */
#include "nl_int.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"

/* Big enough for one dump batch: the kernel sizes dump replies to the
 * reader's buffer up to 32 KiB and truncates beyond it. */
#define NL_BUF_SIZE 32768

void nl_set_err(char *err, size_t errlen, int rc, const char *kmsg, const char *fmt, ...)
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

struct nlmsghdr *nl_msg(struct nl *nl, uint16_t type, uint16_t flags)
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
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_reply_fn *fn, void *data,
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
int nl_request(struct nl *nl, struct nlmsghdr *nlh, char *err, size_t errlen,
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
