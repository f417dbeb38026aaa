/* sock.c — see sock.h. */
#include "sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const uint8_t sock_v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

socklen_t sock_addr_len(const struct sockaddr *sa)
{
	switch (sa->sa_family) {
	case AF_INET: return sizeof(struct sockaddr_in);
	case AF_INET6: return sizeof(struct sockaddr_in6);
	default: return 0;
	}
}

int sock_parse_ip(const char *s, size_t len, struct sockaddr_storage *ss)
{
	char tmp[SOCK_IP_STRLEN];

	/* inet_pton wants a C string; anything longer is no address. */
	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (memchr(tmp, ':', len)) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, tmp, &in6->sin6_addr) != 1)
			return -EINVAL;
		in6->sin6_family = AF_INET6;
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, tmp, &in->sin_addr) != 1)
			return -EINVAL;
		in->sin_family = AF_INET;
	}
	return 0;
}

static int sock_parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int sock_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *host, *colon;
	size_t hostlen;
	uint16_t port;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		host = s + 1;
		hostlen = (size_t)(end - host);
		colon = end + 1;
		/* Brackets are for IPv6 only; "[1.2.3.4]:80" is a typo. */
		if (!memchr(host, ':', hostlen))
			return -EINVAL;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		host = s;
		hostlen = (size_t)(colon - s);
		/* An unbracketed IPv6 address would be ambiguous. */
		if (memchr(host, ':', hostlen))
			return -EINVAL;
	}
	if (sock_parse_port(colon + 1, &port) < 0)
		return -EINVAL;
	if (hostlen == 0 || (hostlen == 1 && host[0] == '*')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		memset(ss, 0, sizeof(*ss));
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_any;
	} else if (sock_parse_ip(host, hostlen, ss) < 0) {
		return -EINVAL;
	}
	sock_set_port(ss, port);
	if (len)
		*len = sock_addr_len((struct sockaddr *)ss);
	return 0;
}

bool sock_is_v4mapped(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

	return sa->sa_family == AF_INET6 &&
	       memcmp(in6->sin6_addr.s6_addr, sock_v4mapped_prefix, 12) == 0;
}

uint16_t sock_port(const struct sockaddr *sa)
{
	switch (sa->sa_family) {
	case AF_INET: return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	case AF_INET6: return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	default: return 0;
	}
}

void sock_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

bool sock_addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

int sock_format_ip(const struct sockaddr *sa, bool unmap, char *out, size_t outlen)
{
	const void *src;
	int af = sa->sa_family;

	if (af == AF_INET) {
		src = &((const struct sockaddr_in *)sa)->sin_addr;
	} else if (af == AF_INET6) {
		src = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (unmap && sock_is_v4mapped(sa)) {
			src = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr + 12;
			af = AF_INET;
		}
	} else {
		return -EAFNOSUPPORT;
	}
	if (!inet_ntop(af, src, out, (socklen_t)outlen))
		return -ENOSPC;
	return (int)strlen(out);
}

int sock_format_addr(const struct sockaddr *sa, bool unmap, char *out, size_t outlen)
{
	char ip[SOCK_IP_STRLEN];
	int n = sock_format_ip(sa, unmap, ip, sizeof(ip));
	bool v6;

	if (n < 0)
		return n;
	v6 = strchr(ip, ':') != NULL;
	n = snprintf(out, outlen, v6 ? "[%s]:%u" : "%s:%u", ip, (unsigned)sock_port(sa));
	if (n < 0 || (size_t)n >= outlen)
		return -ENOSPC;
	return n;
}

int sock_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	if (fcntl(fd, F_SETFL, fl) < 0)
		return -errno;
	return 0;
}

int sock_set_nodelay(int fd, bool on)
{
	int v = on;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) < 0)
		return -errno;
	return 0;
}

int sock_send_pending(int fd, const void *data, size_t len, size_t *off)
{
	while (*off < len) {
		ssize_t n = send(fd, (const char *)data + *off, len - *off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -errno;
		}
		*off += (size_t)n;
	}
	return 0;
}

int sock_listen_tcp(const struct sockaddr *sa, socklen_t len, unsigned flags, int backlog)
{
	int fd, one = 1, v6only = (flags & SOCK_V6ONLY) != 0, rc;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	/* Set V6ONLY explicitly either way: the system default
	 * (net.ipv6.bindv6only) must not decide whether v4 clients connect. */
	if (sa->sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0)
		goto fail;
	if ((flags & SOCK_REUSEPORT) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (bind(fd, sa, len) < 0)
		goto fail;
	/* The reuseport group forms when the socket is hashed at listen(), so
	 * setting the option after an exclusive bind still opens a group. */
	if ((flags & SOCK_REUSEPORT_FIRST) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (listen(fd, backlog) < 0)
		goto fail;
	return fd;
fail:
	rc = -errno;
	close(fd);
	return rc;
}

/* Fills sa with path; -ENAMETOOLONG when it does not fit. */
static int sock_unix_addr(const char *path, struct sockaddr_un *sa)
{
	size_t len = path ? strlen(path) : 0;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

int sock_connect_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc = sock_unix_addr(path, &sa);

	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int sock_listen_unix(const char *path, int backlog)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc = sock_unix_addr(path, &sa);

	if (rc < 0)
		return rc;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -ENOTSOCK;
		/* A socket file that answers belongs to a live server: never
		 * take it over. */
		fd = sock_connect_unix(path);
		if (fd >= 0 || fd == -EAGAIN) {
			if (fd >= 0)
				close(fd);
			return -EADDRINUSE;
		}
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* Nobody can connect between bind and listen, so the mode is
	 * tightened before the socket is reachable. */
	if (chmod(path, 0600) < 0 || listen(fd, backlog) < 0) {
		rc = -errno;
		close(fd);
		unlink(path);
		return rc;
	}
	return fd;
}

int sock_accept(int lfd, struct sockaddr_storage *peer, socklen_t *peerlen)
{
	struct sockaddr_storage tmp;
	socklen_t len = sizeof(tmp);
	int fd;

	fd = accept4(lfd, (struct sockaddr *)(peer ? peer : &tmp), &len,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (peerlen)
		*peerlen = len;
	return fd;
}

int sock_connect_tcp(const struct sockaddr *sa, socklen_t len)
{
	return sock_connect_tcp_from(sa, len, NULL);
}

int sock_connect_tcp_from(const struct sockaddr *sa, socklen_t len, const struct sockaddr *src)
{
	int fd, rc, one = 1;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (src) {
		/* The port is picked at connect time, per destination: a busy
		 * client does not run out of ephemeral ports at bind. */
		if (src->sa_family == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(fd, src, sock_addr_len(src)) < 0) {
			rc = -errno;
			close(fd);
			return rc;
		}
	}
	if (connect(fd, sa, len) < 0 && errno != EINPROGRESS) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int sock_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return -err;
}

int sock_local_addr(int fd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);

	if (getsockname(fd, (struct sockaddr *)ss, &len) < 0)
		return -errno;
	return 0;
}

int sock_peer_addr(int fd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);

	if (getpeername(fd, (struct sockaddr *)ss, &len) < 0)
		return -errno;
	return 0;
}
