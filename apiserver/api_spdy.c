/* api_spdy.c — see api_spdy.h.
 *
 * Flow control (WINDOW_UPDATE, the SETTINGS that size windows) is parsed
 * and left to the caller: Kubernetes' SPDY peer (moby/spdystream) neither
 * sends nor honours windows, and exec streams are small.
 */
#include "api_spdy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* The dictionary both zlib streams of a SPDY/3 session are primed with
 * (the SPDY/3 specification, section 2.6.10.1): the names and values a
 * header block of that time most likely held. */
static const char api_spdy_dict[] =
	"\000\000\000\007options\000\000\000\004head\000\000\000\004post\000\000\000\003put"
	"\000\000\000\006delete\000\000\000\005trace\000\000\000\006accept\000\000\000\016acc"
	"ept-charset\000\000\000\017accept-encoding\000\000\000\017accept-language\000\000"
	"\000\015accept-ranges\000\000\000\003age\000\000\000\005allow\000\000\000\015authori"
	"zation\000\000\000\015cache-control\000\000\000\012connection\000\000\000\014content"
	"-base\000\000\000\020content-encoding\000\000\000\020content-language\000\000\000"
	"\016content-length\000\000\000\020content-location\000\000\000\013content-md5\000"
	"\000\000\015content-range\000\000\000\014content-type\000\000\000\004date\000\000"
	"\000\004etag\000\000\000\006expect\000\000\000\007expires\000\000\000\004from\000"
	"\000\000\004host\000\000\000\010if-match\000\000\000\021if-modified-since\000\000"
	"\000\015if-none-match\000\000\000\010if-range\000\000\000\023if-unmodified-since\000"
	"\000\000\015last-modified\000\000\000\010location\000\000\000\014max-forwards\000"
	"\000\000\006pragma\000\000\000\022proxy-authenticate\000\000\000\023proxy-authorizat"
	"ion\000\000\000\005range\000\000\000\007referer\000\000\000\013retry-after\000\000"
	"\000\006server\000\000\000\002te\000\000\000\007trailer\000\000\000\021transfer-enco"
	"ding\000\000\000\007upgrade\000\000\000\012user-agent\000\000\000\004vary\000\000"
	"\000\003via\000\000\000\007warning\000\000\000\020www-authenticate\000\000\000\006me"
	"thod\000\000\000\003get\000\000\000\006status\000\000\000\006200 OK\000\000\000\007v"
	"ersion\000\000\000\010HTTP/1.1\000\000\000\003url\000\000\000\006public\000\000\000"
	"\012set-cookie\000\000\000\012keep-alive\000\000\000\006origin1001012012022052063003"
	"02303304305306307402405406407408409410411412413414415416417502504505203 Non-Authorit"
	"ative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized4"
	"03 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Una"
	"vailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu"
	", Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,"
	"application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,s"
	"dchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

struct api_spdy {
	z_stream in, out;
	bool in_ok, out_ok;            /* inflateInit / deflateInit succeeded */
	struct buf headers;            /* the last decompressed block */
	struct buf raw;                /* a block being encoded */
};

static uint32_t api_spdy_be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static void api_spdy_put32(struct buf *out, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	buf_append(out, b, 4);
}

struct api_spdy *api_spdy_new(void)
{
	struct api_spdy *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return NULL;
	sp->in_ok = inflateInit(&sp->in) == Z_OK;
	sp->out_ok = deflateInit(&sp->out, Z_DEFAULT_COMPRESSION) == Z_OK;
	if (!sp->in_ok || !sp->out_ok ||
	    deflateSetDictionary(&sp->out, (const Bytef *)api_spdy_dict,
				 sizeof(api_spdy_dict) - 1) != Z_OK) {
		api_spdy_free(sp);
		return NULL;
	}
	return sp;
}

void api_spdy_free(struct api_spdy *sp)
{
	if (!sp)
		return;
	if (sp->in_ok)
		inflateEnd(&sp->in);
	if (sp->out_ok)
		deflateEnd(&sp->out);
	buf_free(&sp->headers);
	buf_free(&sp->raw);
	free(sp);
}

/* Walks a name/value block: 0 if every length is within it. */
static int api_spdy_block_check(const char *b, size_t len)
{
	size_t off = 4;
	uint32_t n;

	if (len < 4)
		return -1;
	n = api_spdy_be32(b);
	for (uint32_t i = 0; i < n; i++) {
		for (int part = 0; part < 2; part++) {
			uint32_t l;

			if (len - off < 4)
				return -1;
			l = api_spdy_be32(b + off);
			off += 4;
			if (len - off < l)
				return -1;
			off += l;
		}
	}
	return off == len ? 0 : -1;
}

/* Inflates one compressed block (the session's stream goes on across
 * blocks) into sp->headers. */
static int api_spdy_inflate(struct api_spdy *sp, const char *in, size_t len, char *err,
			    size_t errlen)
{
	buf_reset(&sp->headers);
	if (len == 0) {
		snprintf(err, errlen, "empty name/value block");
		return -1;
	}
	sp->in.next_in = (Bytef *)(uintptr_t)in;
	sp->in.avail_in = (uInt)len;
	for (;;) {
		size_t room;
		int rc;

		if (buf_reserve(&sp->headers, 4096) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		room = sp->headers.cap - sp->headers.len - 1;
		sp->in.next_out = (Bytef *)sp->headers.data + sp->headers.len;
		sp->in.avail_out = (uInt)room;
		rc = inflate(&sp->in, Z_SYNC_FLUSH);
		if (rc == Z_NEED_DICT) {
			rc = inflateSetDictionary(&sp->in, (const Bytef *)api_spdy_dict,
						  sizeof(api_spdy_dict) - 1);
			if (rc != Z_OK) {
				snprintf(err, errlen, "name/value block: not the SPDY/3 dictionary");
				return -1;
			}
			continue;
		}
		sp->headers.len += room - sp->in.avail_out;
		sp->headers.data[sp->headers.len] = '\0';
		if (sp->headers.len > API_SPDY_MAX_HEADERS) {
			snprintf(err, errlen, "name/value block over %u bytes", API_SPDY_MAX_HEADERS);
			return -1;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			snprintf(err, errlen, "name/value block: zlib: %s",
				 sp->in.msg ? sp->in.msg : "corrupt data");
			return -1;
		}
		/* Done when all input is taken and the output did not fill. */
		if (sp->in.avail_in == 0 && sp->in.avail_out != 0)
			break;
		if (rc == Z_BUF_ERROR && sp->in.avail_out != 0) {
			snprintf(err, errlen, "name/value block: truncated");
			return -1;
		}
	}
	if (api_spdy_block_check(sp->headers.data, sp->headers.len) < 0) {
		snprintf(err, errlen, "malformed name/value block");
		return -1;
	}
	return 0;
}

long api_spdy_parse(struct api_spdy *sp, const char *in, size_t len, struct api_spdy_frame *f,
		    char *err, size_t errlen)
{
	uint32_t w0, w1, flen;
	const char *p = in + 8;
	size_t min = 0;

	if (len < 8)
		return 0;
	w0 = api_spdy_be32(in);
	w1 = api_spdy_be32(in + 4);
	flen = w1 & 0xffffff;
	if (flen > API_SPDY_MAX_FRAME) {
		snprintf(err, errlen, "frame of %u bytes, over %u", flen, API_SPDY_MAX_FRAME);
		return -1;
	}
	if (len - 8 < flen)
		return 0;
	memset(f, 0, sizeof(*f));
	f->flags = (uint8_t)(w1 >> 24);
	if (!(w0 & 0x80000000u)) {
		f->type = API_SPDY_DATA;
		f->stream = w0 & 0x7fffffff;
		f->data = p;
		f->len = flen;
		return (long)flen + 8;
	}
	if (((w0 >> 16) & 0x7fff) != 3) {
		snprintf(err, errlen, "SPDY version %u, not 3", (w0 >> 16) & 0x7fff);
		return -1;
	}
	f->type = (enum api_spdy_type)(w0 & 0xffff);
	switch (f->type) {
	case API_SPDY_SYN_STREAM:
		min = 10;
		break;
	case API_SPDY_SYN_REPLY:
	case API_SPDY_HEADERS:
	case API_SPDY_PING:
		min = 4;
		break;
	case API_SPDY_RST_STREAM:
	case API_SPDY_GOAWAY:
	case API_SPDY_WINDOW_UPDATE:
		min = 8;
		break;
	default:
		/* SETTINGS, NOOP, CREDENTIAL and the unknown: returned, not
		 * read. */
		return (long)flen + 8;
	}
	if (flen < min) {
		snprintf(err, errlen, "control frame %d of %u bytes, under %zu", (int)f->type,
			 flen, min);
		return -1;
	}
	f->stream = api_spdy_be32(p) & 0x7fffffff;
	if (min == 8)
		f->value = api_spdy_be32(p + 4) & (f->type == API_SPDY_WINDOW_UPDATE ?
						   0x7fffffffu : 0xffffffffu);
	if (f->type == API_SPDY_SYN_STREAM)
		f->value = api_spdy_be32(p + 4) & 0x7fffffff;
	if (f->type == API_SPDY_PING)
		f->stream = api_spdy_be32(p);
	if (f->type == API_SPDY_SYN_STREAM || f->type == API_SPDY_SYN_REPLY ||
	    f->type == API_SPDY_HEADERS) {
		if (f->stream == 0) {
			snprintf(err, errlen, "control frame %d on stream 0", (int)f->type);
			return -1;
		}
		if (api_spdy_inflate(sp, p + min, flen - min, err, errlen) < 0)
			return -1;
		f->headers = sp->headers.data;
		f->headers_len = sp->headers.len;
	}
	return (long)flen + 8;
}

const char *api_spdy_header(const char *block, size_t len, const char *name, char *out,
			    size_t outlen)
{
	size_t off = 4, nlen = strlen(name);
	uint32_t n;

	if (!block || api_spdy_block_check(block, len) < 0)
		return NULL;
	n = api_spdy_be32(block);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t kl = api_spdy_be32(block + off), vl;
		const char *k = block + off + 4, *v;

		off += 4 + kl;
		vl = api_spdy_be32(block + off);
		v = block + off + 4;
		off += 4 + vl;
		if (kl == nlen && memcmp(k, name, nlen) == 0) {
			size_t cut = strnlen(v, vl);

			if (outlen == 0)
				return out;
			if (cut > outlen - 1)
				cut = outlen - 1;
			memcpy(out, v, cut);
			out[cut] = '\0';
			return out;
		}
	}
	return NULL;
}

/* A SYN_STREAM or SYN_REPLY: the fixed part, then the compressed block. */
static int api_spdy_headers_frame(struct api_spdy *sp, struct buf *out, enum api_spdy_type type,
				  uint8_t flags, const char *fixed, size_t fixed_len,
				  const char *const *hdrs)
{
	size_t n = 0, start, clen;
	int rc;

	buf_reset(&sp->raw);
	for (n = 0; hdrs && hdrs[n] && hdrs[n + 1]; n += 2)
		;
	api_spdy_put32(&sp->raw, (uint32_t)(n / 2));
	for (size_t i = 0; i < n; i++) {
		api_spdy_put32(&sp->raw, (uint32_t)strlen(hdrs[i]));
		buf_puts(&sp->raw, hdrs[i]);
	}
	if (sp->raw.oom)
		return -1;
	api_spdy_put32(out, 0x80000000u | 3u << 16 | (uint32_t)type);
	start = out->len;
	api_spdy_put32(out, 0); /* flags and length, once known */
	buf_append(out, fixed, fixed_len);
	sp->out.next_in = (Bytef *)sp->raw.data;
	sp->out.avail_in = (uInt)sp->raw.len;
	do {
		size_t room;

		if (buf_reserve(out, 256) < 0)
			return -1;
		room = out->cap - out->len - 1;
		sp->out.next_out = (Bytef *)out->data + out->len;
		sp->out.avail_out = (uInt)room;
		rc = deflate(&sp->out, Z_SYNC_FLUSH);
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return -1;
		out->len += room - sp->out.avail_out;
	} while (sp->out.avail_out == 0 || sp->out.avail_in != 0);
	out->data[out->len] = '\0';
	clen = out->len - start - 4;
	out->data[start] = (char)flags;
	out->data[start + 1] = (char)(clen >> 16);
	out->data[start + 2] = (char)(clen >> 8);
	out->data[start + 3] = (char)clen;
	return out->oom ? -1 : 0;
}

int api_spdy_syn_stream(struct api_spdy *sp, struct buf *out, uint32_t stream, uint8_t flags,
			const char *const *hdrs)
{
	/* Stream id, associated stream 0, priority 0, slot 0. */
	char fixed[10] = { (char)(stream >> 24 & 0x7f), (char)(stream >> 16), (char)(stream >> 8),
			   (char)stream, 0, 0, 0, 0, 0, 0 };

	return api_spdy_headers_frame(sp, out, API_SPDY_SYN_STREAM, flags, fixed, sizeof(fixed),
				      hdrs);
}

int api_spdy_syn_reply(struct api_spdy *sp, struct buf *out, uint32_t stream, uint8_t flags,
		       const char *const *hdrs)
{
	char fixed[4] = { (char)(stream >> 24 & 0x7f), (char)(stream >> 16), (char)(stream >> 8),
			  (char)stream };

	return api_spdy_headers_frame(sp, out, API_SPDY_SYN_REPLY, flags, fixed, sizeof(fixed),
				      hdrs);
}

void api_spdy_data(struct buf *out, uint32_t stream, uint8_t flags, const void *data, size_t len)
{
	api_spdy_put32(out, stream & 0x7fffffff);
	api_spdy_put32(out, (uint32_t)flags << 24 | (uint32_t)(len & 0xffffff));
	if (len)
		buf_append(out, data, len);
}

/* A control frame with two 32-bit words (or one when b is absent). */
static void api_spdy_control(struct buf *out, enum api_spdy_type type, uint32_t a, uint32_t b,
			     bool two)
{
	api_spdy_put32(out, 0x80000000u | 3u << 16 | (uint32_t)type);
	api_spdy_put32(out, two ? 8 : 4);
	api_spdy_put32(out, a);
	if (two)
		api_spdy_put32(out, b);
}

void api_spdy_rst_stream(struct buf *out, uint32_t stream, uint32_t status)
{
	api_spdy_control(out, API_SPDY_RST_STREAM, stream & 0x7fffffff, status, true);
}

void api_spdy_ping(struct buf *out, uint32_t id)
{
	api_spdy_control(out, API_SPDY_PING, id, 0, false);
}

void api_spdy_goaway(struct buf *out, uint32_t last_stream, uint32_t status)
{
	api_spdy_control(out, API_SPDY_GOAWAY, last_stream & 0x7fffffff, status, true);
}

void api_spdy_window_update(struct buf *out, uint32_t stream, uint32_t delta)
{
	api_spdy_control(out, API_SPDY_WINDOW_UPDATE, stream & 0x7fffffff, delta & 0x7fffffff,
			 true);
}
