/* fuzz_proxy.c — the PROXY protocol v1/v2 parser.
 *
 * Besides memory safety, checks the parser's contract on every input:
 *   - a complete header's length is within the input, and every shorter
 *     prefix of it asks for more bytes (0), never refuses;
 *   - "need more" on n bytes means "need more" on n - 1 as well;
 *   - once refused, more bytes never make it valid;
 *   - addresses reported are IPv4 or IPv6, and print.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxyproto.h"
#include "sock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_addr(const struct sockaddr_storage *ss)
{
	char text[SOCK_ADDR_STRLEN];

	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		__builtin_trap();
	if (sock_format_addr((const struct sockaddr *)ss, false, text, sizeof(text)) <= 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxyproto_hdr h, tmp;
	int n = proxyproto_parse(data, size, &h);

	if (n > 0) {
		size_t probe[] = { 0, 1, (size_t)n / 2, (size_t)n - 1 };

		if ((size_t)n > size)
			__builtin_trap();
		if (h.version != 1 && h.version != 2)
			__builtin_trap();
		for (size_t i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
			if (probe[i] < (size_t)n && proxyproto_parse(data, probe[i], &tmp) != 0)
				__builtin_trap();
		}
		if (proxyproto_parse(data, (size_t)n, &tmp) != n)
			__builtin_trap();
		if (h.has_addr) {
			fuzz_check_addr(&h.src);
			fuzz_check_addr(&h.dst);
			if (h.src.ss_family != h.dst.ss_family)
				__builtin_trap();
		}
	} else if (n == 0) {
		if (size >= PROXYPROTO_V2_MIN + 65535)
			__builtin_trap();
		if (size > 0 && proxyproto_parse(data, size - 1, &tmp) != 0)
			__builtin_trap();
	} else {
		uint8_t *more;

		if (n != -EPROTO)
			__builtin_trap();
		more = malloc(size + 1);
		if (!more)
			return 0;
		memcpy(more, data, size);
		more[size] = '\n';
		if (proxyproto_parse(more, size + 1, &tmp) >= 0)
			__builtin_trap();
		free(more);
	}
	return 0;
}
