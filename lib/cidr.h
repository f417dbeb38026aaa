/* cidr.h — address prefixes ("10.0.0.0/8", "2001:db8::/32") and matching.
 *
 * Every prefix and address is held in IPv6 form: an IPv4 prefix a.b.c.d/n
 * becomes ::ffff:a.b.c.d/(96+n). A peer seen as AF_INET, and the same peer
 * seen as ::ffff:a.b.c.d on a dual-stack socket, then match the same IPv4
 * prefixes with one code path. An IPv6 prefix that covers ::ffff:0:0/96
 * (such as ::/0) also covers every IPv4 address.
 */
#ifndef CLIENTIP_CIDR_H
#define CLIENTIP_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest text cidr_format() writes, NUL included. */
#define CIDR_STRLEN 50

struct cidr {
	uint8_t addr[16]; /* bits past `bits` are zero */
	uint8_t bits;     /* 0..128, in IPv6 terms */
	bool v4;          /* written as IPv4: format it that way */
};

/* Parses "ADDR/N" or a bare "ADDR" (a host prefix). Bits past the prefix
 * are cleared: "10.1.2.3/8" is 10.0.0.0/8. 0 or -EINVAL. */
int cidr_parse(const char *s, struct cidr *out);
/* Parses a bare numeric address of len bytes into IPv6 form; *v4 (may be
 * NULL) tells whether it was written as IPv4. 0 or -EINVAL. */
int cidr_addr_parse(const char *s, size_t len, uint8_t out[16], bool *v4);
/* An AF_INET or AF_INET6 address in IPv6 form. 0 or -EAFNOSUPPORT. */
int cidr_addr_from_sockaddr(const struct sockaddr *sa, uint8_t out[16]);

bool cidr_match(const struct cidr *c, const uint8_t addr[16]);
/* True if any of the n prefixes contains addr. */
bool cidr_match_any(const struct cidr *list, size_t n, const uint8_t addr[16]);
bool cidr_match_sockaddr(const struct cidr *list, size_t n, const struct sockaddr *sa);

/* "10.0.0.0/8", "2001:db8::/32". Returns the length or -ENOSPC. */
int cidr_format(const struct cidr *c, char *out, size_t outlen);

#endif
