/* fuzz_api_spdy.c — libFuzzer target for apiserver/api_spdy.c.
 *
 * The bytes a client sends after an exec's SPDY/3.1 upgrade, parsed frame
 * by frame on one session as the server does, each SYN_STREAM answered
 * with a SYN_REPLY. The parser must never crash, read out of bounds or
 * leak; it takes a frame whole, asks for more, or says why it refuses.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "api_spdy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_spdy *sp = api_spdy_new();
	const char *in = (const char *)data;
	struct buf out = BUF_INIT;
	char err[160], v[64];

	if (!sp)
		return 0;
	for (;;) {
		struct api_spdy_frame f;
		long n;

		err[0] = '\0';
		n = api_spdy_parse(sp, in, size, &f, err, sizeof(err));
		if (n < 0 && !err[0])
			abort();
		if (n <= 0)
			break;
		if ((size_t)n > size)
			abort();
		if (f.type == API_SPDY_SYN_STREAM) {
			if (!f.headers || f.headers_len < 4)
				abort();
			api_spdy_header(f.headers, f.headers_len, "streamtype", v, sizeof(v));
			buf_reset(&out);
			if (api_spdy_syn_reply(sp, &out, f.stream, 0, NULL) < 0)
				abort();
		}
		in += n;
		size -= (size_t)n;
	}
	buf_free(&out);
	api_spdy_free(sp);
	return 0;
}
