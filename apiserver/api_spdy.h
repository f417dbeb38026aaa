/* api_spdy.h — SPDY/3.1 frames, the transport of `kubectl exec` before
 * kubectl 1.30 (and of Kubernetes' port-forward), as a pure codec.
 *
 * A frame starts with 8 bytes. A control frame: bit 31 set, version 3 in
 * the next 15 bits, the type in 16, then 8 bits of flags and a 24-bit
 * length. A data frame: bit 31 clear, the 31-bit stream id, then flags and
 * length. SYN_STREAM, SYN_REPLY and HEADERS carry a name/value block: a
 * 32-bit count of pairs, each a 32-bit length and bytes for the name
 * (lowercase) and the value (several values separated by NUL), all
 * compressed with zlib — one deflate stream per direction for the whole
 * session, primed with the protocol's dictionary, each block ended by a
 * sync flush. Hence a session object: the two zlib streams.
 */
#ifndef CLIENTIP_API_SPDY_H
#define CLIENTIP_API_SPDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum api_spdy_type {
	API_SPDY_DATA = 0,         /* not a control frame */
	API_SPDY_SYN_STREAM = 1,
	API_SPDY_SYN_REPLY = 2,
	API_SPDY_RST_STREAM = 3,
	API_SPDY_SETTINGS = 4,
	API_SPDY_PING = 6,
	API_SPDY_GOAWAY = 7,
	API_SPDY_HEADERS = 8,
	API_SPDY_WINDOW_UPDATE = 9,
};

#define API_SPDY_FLAG_FIN            0x01
#define API_SPDY_FLAG_UNIDIRECTIONAL 0x02  /* SYN_STREAM */

/* RST_STREAM status codes used here. */
#define API_SPDY_PROTOCOL_ERROR 1
#define API_SPDY_INVALID_STREAM 2
#define API_SPDY_REFUSED_STREAM 3

/* The largest name/value block accepted once decompressed. */
#define API_SPDY_MAX_HEADERS (64u << 10)
/* The largest frame payload accepted (the length field allows 16 MiB). */
#define API_SPDY_MAX_FRAME (1u << 20)

struct api_spdy;

/* One parsed frame. Pointers go into the input (data) or into the session
 * (headers) and are valid until the next call on the session. */
struct api_spdy_frame {
	enum api_spdy_type type;   /* API_SPDY_DATA for data frames; unknown types too
				      are returned, with their number */
	uint8_t flags;
	uint32_t stream;           /* the stream id: data, SYN_*, RST_STREAM, HEADERS,
				      WINDOW_UPDATE; GOAWAY: the last good stream;
				      PING: the ping id */
	uint32_t value;            /* RST_STREAM, GOAWAY: the status; WINDOW_UPDATE: the
				      delta; SYN_STREAM: the associated stream */
	const char *data;          /* data frames: the payload */
	size_t len;
	const char *headers;       /* SYN_*, HEADERS: the decompressed block */
	size_t headers_len;
};

/* NULL when out of memory. */
struct api_spdy *api_spdy_new(void);
void api_spdy_free(struct api_spdy *sp);

/* Parses the frame at the start of in. Returns its length in bytes (> 0)
 * with *f filled, 0 if in holds only part of a frame, -1 on a protocol
 * error (a message in err): a frame of a version other than 3, too long, a
 * name/value block that does not decompress or does not parse. After a -1
 * the session is unusable (its decompressor is out of step). */
long api_spdy_parse(struct api_spdy *sp, const char *in, size_t len, struct api_spdy_frame *f,
		    char *err, size_t errlen);

/* The value of name (lowercase) in a parsed name/value block, cut at
 * outlen - 1 bytes; NULL if absent. Values that hold several are returned
 * as sent (NUL-separated, so the first). Returns out. */
const char *api_spdy_header(const char *block, size_t len, const char *name, char *out,
			    size_t outlen);

/* Frames appended to out. hdrs: name, value, name, value, ..., NULL (names
 * lowercase). The header encoders compress with the session's deflater:
 * the frames must be sent in the order they were made. 0, or -1 (out of
 * memory, or the deflater failed). */
int api_spdy_syn_stream(struct api_spdy *sp, struct buf *out, uint32_t stream, uint8_t flags,
			const char *const *hdrs);
int api_spdy_syn_reply(struct api_spdy *sp, struct buf *out, uint32_t stream, uint8_t flags,
		       const char *const *hdrs);
/* len is at most API_SPDY_MAX_FRAME. */
void api_spdy_data(struct buf *out, uint32_t stream, uint8_t flags, const void *data, size_t len);
void api_spdy_rst_stream(struct buf *out, uint32_t stream, uint32_t status);
void api_spdy_ping(struct buf *out, uint32_t id);
void api_spdy_goaway(struct buf *out, uint32_t last_stream, uint32_t status);
void api_spdy_window_update(struct buf *out, uint32_t stream, uint32_t delta);

#endif
