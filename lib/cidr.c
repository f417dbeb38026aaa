/* cidr.c — see cidr.h. */
#include "cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static const uint8_t cidr_v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int cidr_addr_parse(const char *s, size_t len, uint8_t out[16], bool *v4)
{
	char tmp[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (memchr(tmp, ':', len)) {
		if (inet_pton(AF_INET6, tmp, out) != 1)
			return -EINVAL;
		if (v4)
			*v4 = false;
		return 0;
	}
	memcpy(out, cidr_v4mapped, 12);
	if (inet_pton(AF_INET, tmp, out + 12) != 1)
		return -EINVAL;
	if (v4)
		*v4 = true;
	return 0;
}

int cidr_addr_from_sockaddr(const struct sockaddr *sa, uint8_t out[16])
{
	if (sa->sa_family == AF_INET) {
		memcpy(out, cidr_v4mapped, 12);
		memcpy(out + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

static void cidr_clear_host_bits(struct cidr *c)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned lo = i * 8;

		if (c->bits >= lo + 8)
			continue;
		if (c->bits <= lo)
			c->addr[i] = 0;
		else
			c->addr[i] &= (uint8_t)(0xff00u >> (c->bits - lo));
	}
}

int cidr_parse(const char *s, struct cidr *out)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned bits = 0, max;

	memset(out, 0, sizeof(*out));
	if (cidr_addr_parse(s, alen, out->addr, &out->v4) < 0)
		return -EINVAL;
	max = out->v4 ? 32 : 128;
	if (slash) {
		const char *p = slash + 1;

		if (!*p || strlen(p) > 3)
			return -EINVAL;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			bits = bits * 10 + (unsigned)(*p - '0');
		}
		/* "/08" is not a prefix length anyone means to write. */
		if (slash[1] == '0' && slash[2])
			return -EINVAL;
		if (bits > max)
			return -EINVAL;
	} else {
		bits = max;
	}
	out->bits = (uint8_t)(out->v4 ? bits + 96 : bits);
	cidr_clear_host_bits(out);
	return 0;
}

bool cidr_match(const struct cidr *c, const uint8_t addr[16])
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (memcmp(c->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return (addr[full] & (uint8_t)(0xff00u >> rest)) == c->addr[full];
}

bool cidr_match_any(const struct cidr *list, size_t n, const uint8_t addr[16])
{
	for (size_t i = 0; i < n; i++) {
		if (cidr_match(&list[i], addr))
			return true;
	}
	return false;
}

bool cidr_match_sockaddr(const struct cidr *list, size_t n, const struct sockaddr *sa)
{
	uint8_t a[16];

	if (cidr_addr_from_sockaddr(sa, a) < 0)
		return false;
	return cidr_match_any(list, n, a);
}

int cidr_format(const struct cidr *c, char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	if (c->v4)
		inet_ntop(AF_INET, c->addr + 12, ip, sizeof(ip));
	else
		inet_ntop(AF_INET6, c->addr, ip, sizeof(ip));
	n = snprintf(out, outlen, "%s/%u", ip, c->v4 ? c->bits - 96u : c->bits);
	if (n < 0 || (size_t)n >= outlen)
		return -ENOSPC;
	return n;
}
