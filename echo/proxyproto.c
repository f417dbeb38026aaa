/* proxyproto.c — see proxyproto.h.
 *
 * Each version is checked against what the specification allows as far as
 * the bytes received go, so garbage is refused on its first bad byte
 * rather than after a timeout.
 */
#include "proxyproto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#define PP_V1_PREFIX "PROXY "
#define PP_V1_PREFIXLEN 6

#define PP_V2_CMD_LOCAL 0x0
#define PP_V2_CMD_PROXY 0x1
#define PP_V2_AF_UNSPEC 0x0
#define PP_V2_AF_INET   0x1
#define PP_V2_AF_INET6  0x2
#define PP_V2_AF_UNIX   0x3

static int pp_v1_port(const char *s, size_t n, uint16_t *port)
{
	unsigned v = 0;

	/* Decimal, no sign, no leading zero (except "0" itself). */
	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return -EPROTO;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EPROTO;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return -EPROTO;
	*port = (uint16_t)v;
	return 0;
}

static int pp_v1_addr(const char *s, size_t n, int af, uint16_t port, struct sockaddr_storage *ss)
{
	char tmp[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(tmp))
		return -EPROTO;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, tmp, &in->sin_addr) != 1)
			return -EPROTO;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, tmp, &in6->sin6_addr) != 1)
			return -EPROTO;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
	}
	return 0;
}

/* Parses the line between "PROXY " and CRLF: [p, end). */
static int pp_v1_line(const char *p, const char *end, struct proxyproto_hdr *out)
{
	const char *f[5];
	size_t flen[5];
	uint16_t sport, dport;
	int af, n = 0;

	/* Fields separated by exactly one space: an empty field is an error. */
	while (n < 5) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));

		f[n] = p;
		flen[n] = (size_t)((sp ? sp : end) - p);
		n++;
		if (!sp)
			break;
		p = sp + 1;
		/* UNKNOWN: whatever follows the protocol is to be ignored. */
		if (n == 1 && flen[0] == 7 && memcmp(f[0], "UNKNOWN", 7) == 0)
			break;
	}
	if (flen[0] == 7 && memcmp(f[0], "UNKNOWN", 7) == 0) {
		out->has_addr = false;
		return 0;
	}
	if (flen[0] == 4 && memcmp(f[0], "TCP4", 4) == 0)
		af = AF_INET;
	else if (flen[0] == 4 && memcmp(f[0], "TCP6", 4) == 0)
		af = AF_INET6;
	else
		return -EPROTO;
	/* Five fields, and the fifth must have ended the line. */
	if (n != 5 || f[4] + flen[4] != end)
		return -EPROTO;
	if (pp_v1_port(f[3], flen[3], &sport) < 0 || pp_v1_port(f[4], flen[4], &dport) < 0)
		return -EPROTO;
	if (pp_v1_addr(f[1], flen[1], af, sport, &out->src) < 0 ||
	    pp_v1_addr(f[2], flen[2], af, dport, &out->dst) < 0)
		return -EPROTO;
	out->has_addr = true;
	out->transport = SOCK_STREAM;
	return 0;
}

static int pp_v1(const char *buf, size_t len, struct proxyproto_hdr *out)
{
	size_t n = len < PROXYPROTO_V1_MAX ? len : PROXYPROTO_V1_MAX;

	if (memcmp(buf, PP_V1_PREFIX, n < PP_V1_PREFIXLEN ? n : PP_V1_PREFIXLEN) != 0)
		return -EPROTO;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\r') {
			if (i + 1 == len)
				return 0; /* the LF may be in the next read */
			if (buf[i + 1] != '\n' || i + 2 > PROXYPROTO_V1_MAX)
				return -EPROTO;
			if (i < PP_V1_PREFIXLEN)
				return -EPROTO;
			memset(out, 0, sizeof(*out));
			out->version = 1;
			if (pp_v1_line(buf + PP_V1_PREFIXLEN, buf + i, out) < 0)
				return -EPROTO;
			return (int)(i + 2);
		}
		/* The line is printable ASCII; anything else is not a v1 header. */
		if (c < 0x20 || c > 0x7e)
			return -EPROTO;
	}
	return len >= PROXYPROTO_V1_MAX ? -EPROTO : 0;
}

static uint16_t pp_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* TLVs fill the rest of the header exactly: type, 16-bit length, value. */
static int pp_v2_tlvs(const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t vlen;

		if (n < 3)
			return -EPROTO;
		vlen = pp_be16(p + 1);
		if (vlen > n - 3)
			return -EPROTO;
		p += 3 + vlen;
		n -= 3 + vlen;
	}
	return 0;
}

static int pp_v2(const uint8_t *buf, size_t len, struct proxyproto_hdr *out)
{
	size_t n = len < PROXYPROTO_V2_SIGLEN ? len : PROXYPROTO_V2_SIGLEN;
	unsigned cmd, af, tp;
	size_t body, need;

	if (memcmp(buf, PROXYPROTO_V2_SIG, n) != 0)
		return -EPROTO;
	if (len > 12 && ((buf[12] >> 4) != 2 || (buf[12] & 0xf) > PP_V2_CMD_PROXY))
		return -EPROTO;
	if (len > 13 && ((buf[13] >> 4) > PP_V2_AF_UNIX || (buf[13] & 0xf) > 2))
		return -EPROTO;
	if (len < PROXYPROTO_V2_MIN)
		return 0;
	cmd = buf[12] & 0xf;
	af = buf[13] >> 4;
	tp = buf[13] & 0xf;
	body = pp_be16(buf + 14);
	switch (af) {
	case PP_V2_AF_INET: need = 12; break;
	case PP_V2_AF_INET6: need = 36; break;
	case PP_V2_AF_UNIX: need = 216; break;
	default: need = 0; break;
	}
	if (cmd == PP_V2_CMD_PROXY && body < need)
		return -EPROTO;
	if (len < PROXYPROTO_V2_MIN + body)
		return 0;
	/* TLVs follow the addresses; a LOCAL header may omit both, and an
	 * UNSPEC one has no address layout to skip. */
	if (af != PP_V2_AF_UNSPEC && body >= need && pp_v2_tlvs(buf + PROXYPROTO_V2_MIN + need, body - need) < 0)
		return -EPROTO;

	memset(out, 0, sizeof(*out));
	out->version = 2;
	out->local = cmd == PP_V2_CMD_LOCAL;
	out->transport = tp == 1 ? SOCK_STREAM : tp == 2 ? SOCK_DGRAM : 0;
	if (cmd == PP_V2_CMD_PROXY && af == PP_V2_AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&out->src;
		struct sockaddr_in *d = (struct sockaddr_in *)&out->dst;

		s->sin_family = d->sin_family = AF_INET;
		memcpy(&s->sin_addr, buf + 16, 4);
		memcpy(&d->sin_addr, buf + 20, 4);
		memcpy(&s->sin_port, buf + 24, 2);
		memcpy(&d->sin_port, buf + 26, 2);
		out->has_addr = true;
	} else if (cmd == PP_V2_CMD_PROXY && af == PP_V2_AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&out->src;
		struct sockaddr_in6 *d = (struct sockaddr_in6 *)&out->dst;

		s->sin6_family = d->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, buf + 16, 16);
		memcpy(&d->sin6_addr, buf + 32, 16);
		memcpy(&s->sin6_port, buf + 48, 2);
		memcpy(&d->sin6_port, buf + 50, 2);
		out->has_addr = true;
	}
	return (int)(PROXYPROTO_V2_MIN + body);
}

int proxyproto_parse(const void *buf, size_t len, struct proxyproto_hdr *out)
{
	const uint8_t *b = buf;

	if (len == 0)
		return 0;
	if (b[0] == 'P')
		return pp_v1(buf, len, out);
	if (b[0] == '\r')
		return pp_v2(b, len, out);
	return -EPROTO;
}
