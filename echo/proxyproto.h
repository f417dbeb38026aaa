/* proxyproto.h — parser for the PROXY protocol, versions 1 and 2.
 *
 * haproxy's PROXY protocol (doc/proxy-protocol.txt) lets a proxy or load
 * balancer tell the server who the client was: one header before the
 * application's bytes. Version 1 is a text line ("PROXY TCP4 1.2.3.4
 * 5.6.7.8 1111 80\r\n", at most 107 bytes); version 2 is binary (a 12-byte
 * signature, command, family, length, addresses, TLVs).
 *
 * No library for it exists in Debian, so it is written here: strict (no
 * guessing whether a header is present) and incremental, so a caller can
 * feed the bytes received so far and learn "need more", "done" or "bad"
 * as early as the bytes allow.
 */
#ifndef CLIENTIP_PROXYPROTO_H
#define CLIENTIP_PROXYPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PROXYPROTO_V1_MAX 107       /* whole v1 line, CRLF included */
#define PROXYPROTO_V2_MIN 16        /* signature, command, family, length */
#define PROXYPROTO_V2_SIG "\r\n\r\n\0\r\nQUIT\n"
#define PROXYPROTO_V2_SIGLEN 12

struct proxyproto_hdr {
	uint8_t version;      /* 1 or 2 */
	/* False for v1 "UNKNOWN", v2 LOCAL, and v2 families without IP
	 * addresses (UNSPEC, UNIX): the connection's own addresses stand. */
	bool has_addr;
	/* v2 LOCAL (health checks from the proxy itself). */
	bool local;
	uint8_t transport;    /* SOCK_STREAM, SOCK_DGRAM or 0 (unspecified) */
	struct sockaddr_storage src, dst; /* AF_INET/AF_INET6 when has_addr */
};

/* Parses a header at the start of buf (len bytes received so far).
 * Returns the header's length (> 0) when it is complete and valid, 0 when
 * the bytes so far are a valid beginning and more are needed, or -EPROTO
 * as soon as they cannot begin a valid header. */
int proxyproto_parse(const void *buf, size_t len, struct proxyproto_hdr *out);

#endif
