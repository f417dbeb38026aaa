/* echo_realip.c — see echo_realip.h. */
#include "echo_realip.h"

#include <errno.h>
#include <string.h>

#include "sock.h"

/* A port: 1 to 5 digits, at most 65535. */
static bool echo_realip_port(const char *s, size_t n)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= 65535;
}

int echo_realip_parse_elem(const char *s, size_t n, struct sockaddr_storage *out)
{
	const char *colon;

	if (n > 0 && s[0] == '[') {
		const char *end = memchr(s, ']', n);
		size_t rest;

		if (!end)
			return -EINVAL;
		rest = n - (size_t)(end + 1 - s);
		if (rest > 0 && (end[1] != ':' || !echo_realip_port(end + 2, rest - 1)))
			return -EINVAL;
		if (!memchr(s + 1, ':', (size_t)(end - s - 1)))
			return -EINVAL;
		return sock_parse_ip(s + 1, (size_t)(end - s - 1), out);
	}
	colon = memchr(s, ':', n);
	/* One colon: IPv4 with a port. More: a bare IPv6 address. */
	if (colon && !memchr(colon + 1, ':', n - (size_t)(colon + 1 - s))) {
		if (!echo_realip_port(colon + 1, n - (size_t)(colon + 1 - s)))
			return -EINVAL;
		n = (size_t)(colon - s);
		if (memchr(s, ':', n))
			return -EINVAL;
	}
	return sock_parse_ip(s, n, out);
}

static bool echo_realip_ows(char c)
{
	return c == ' ' || c == '\t';
}

bool echo_realip_client(const struct cidr *trust, size_t ntrust, const struct sockaddr *peer,
			const struct echo_str *xff, size_t n, struct sockaddr_storage *client)
{
	struct sockaddr_storage hop;
	bool from_header = false;

	memcpy(client, peer, sock_addr_len(peer));
	if (!cidr_match_sockaddr(trust, ntrust, peer))
		return false;
	for (size_t i = n; i-- > 0;) {
		const char *start = xff[i].p, *end = xff[i].p + xff[i].n;

		while (end > start) {
			const char *e = end, *b;

			/* One element: back to the previous comma, then trim. */
			b = e;
			while (b > start && b[-1] != ',')
				b--;
			end = b > start ? b - 1 : start;
			while (e > b && echo_realip_ows(e[-1]))
				e--;
			while (b < e && echo_realip_ows(*b))
				b++;
			if (b == e)
				continue; /* empty list elements are allowed and mean nothing */
			if (echo_realip_parse_elem(b, (size_t)(e - b), &hop) < 0)
				return from_header;
			memcpy(client, &hop, sizeof(hop));
			from_header = true;
			if (!cidr_match_sockaddr(trust, ntrust, (struct sockaddr *)&hop))
				return true;
		}
	}
	return from_header;
}
