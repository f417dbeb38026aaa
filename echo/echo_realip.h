/* echo_realip.h — which address is the client's.
 *
 * The peer of the connection is the client unless it is a trusted proxy
 * (--trust). Then X-Forwarded-For is walked right to left, each hop
 * appended by the proxy in front of it, skipping trusted addresses; the
 * first untrusted one is the client (nginx's real_ip_recursive on). Values
 * from an untrusted peer are never looked at: anyone can send the header.
 */
#ifndef CLIENTIP_ECHO_REALIP_H
#define CLIENTIP_ECHO_REALIP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "cidr.h"

struct echo_str {
	const char *p;
	size_t n;
};

/* Parses one X-Forwarded-For element: "1.2.3.4", "1.2.3.4:80", "::1",
 * "[::1]", "[::1]:80" (some proxies append the port). Port 0 in the result.
 * 0 or -EINVAL. */
int echo_realip_parse_elem(const char *s, size_t n, struct sockaddr_storage *out);

/* Derives the client from peer and the X-Forwarded-For header lines, in
 * the order they came (n of them, read as one comma-separated list).
 * Writes the client to *client and returns true when it came from the
 * header, false when it is the peer. An element that is not an address
 * stops the walk at the last trusted hop: nothing to its left can be
 * vouched for. When every hop is trusted, the leftmost is the client. */
bool echo_realip_client(const struct cidr *trust, size_t ntrust, const struct sockaddr *peer,
			const struct echo_str *xff, size_t n, struct sockaddr_storage *client);

#endif
