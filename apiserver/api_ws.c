/* api_ws.c — see api_ws.h: WebSocket (RFC 6455) on an upgraded
 * api_http connection: the handshake (Sec-WebSocket-Accept, with the
 * SHA-1 and base64 it needs), the frames the client sends (unmasked,
 * fragments joined, pings answered, a close echoed) and the frames the
 * server sends. The connection's state, buffers and output are
 * api_http's (api_http_int.h); api_http.c hands each frame's bytes here
 * (api_ws_process).
 */
#include "api_http.h"
#include "api_http_int.h"
#include "api_ws.h"

#include <stdint.h>
#include <string.h>

#include <llhttp.h>

#include "buf.h"

/* ---- the handshake's key ------------------------------------------------------ */

/* SHA-1 (FIPS 180-4), written out here: the WebSocket handshake is its
 * only use and none of the libraries linked so far carries one. */
static uint32_t api_ws_rol(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

static void api_ws_sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = api_ws_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = api_ws_rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = api_ws_rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

static void api_ws_sha1(const void *data, size_t len, unsigned char out[20])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	const unsigned char *p = data;
	unsigned char tail[128] = { 0 };
	uint64_t bits = (uint64_t)len * 8;
	size_t rest, tlen;

	for (; len >= 64; p += 64, len -= 64)
		api_ws_sha1_block(h, p);
	rest = len;
	memcpy(tail, p, rest);
	tail[rest] = 0x80;
	tlen = rest + 9 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[tlen - 1 - (size_t)i] = (unsigned char)(bits >> (8 * i));
	api_ws_sha1_block(h, tail);
	if (tlen == 128)
		api_ws_sha1_block(h, tail + 64);
	for (int i = 0; i < 20; i++)
		out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static const char api_ws_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A Sec-WebSocket-Key is the base64 of 16 bytes: 22 digits and "==". */
static bool api_ws_key_valid(const char *key)
{
	if (strlen(key) != 24 || strcmp(key + 22, "==") != 0)
		return false;
	for (int i = 0; i < 22; i++)
		if (!key[i] || !strchr(api_ws_b64, key[i]))
			return false;
	return true;
}

int api_ws_accept_key(const char *key, char *out, size_t outlen)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	unsigned char in[24 + sizeof(guid)], d[21] = { 0 };
	size_t o = 0;

	if (!key || !api_ws_key_valid(key) || outlen < 29)
		return -1;
	memcpy(in, key, 24);
	memcpy(in + 24, guid, sizeof(guid) - 1);
	api_ws_sha1(in, 24 + sizeof(guid) - 1, d);
	/* 20 bytes: six groups of three and a pair with one '=' (d[20] is
	 * the zero that pads the last group). */
	for (int i = 0; i < 21; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];

		out[o++] = api_ws_b64[v >> 18 & 63];
		out[o++] = api_ws_b64[v >> 12 & 63];
		out[o++] = api_ws_b64[v >> 6 & 63];
		out[o++] = i + 3 < 21 ? api_ws_b64[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

/* ---- WebSocket frames -------------------------------------------------------- */

enum { API_WS_CONT = 0, API_WS_TEXT = 1, API_WS_BIN = 2, API_WS_CLOSE = 8,
       API_WS_PING = 9, API_WS_PONG = 10 };

static void api_ws_frame(struct api_http_conn *c, unsigned op, const void *data, size_t len)
{
	unsigned char hdr[10];
	size_t n = 2;

	api_http_out_compact(c);
	hdr[0] = (unsigned char)(0x80u | op);
	if (len < 126) {
		hdr[1] = (unsigned char)len;
	} else if (len <= 0xffff) {
		hdr[1] = 126;
		hdr[2] = (unsigned char)(len >> 8);
		hdr[3] = (unsigned char)len;
		n = 4;
	} else {
		hdr[1] = 127;
		for (int i = 0; i < 8; i++)
			hdr[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
		n = 10;
	}
	buf_append(&c->out, hdr, n);
	if (len)
		buf_append(&c->out, data, len);
}

/* A protocol error or an oversized message: say why, then close. */
static void api_ws_fail(struct api_http_conn *c, uint16_t code)
{
	unsigned char b[2] = { (unsigned char)(code >> 8), (unsigned char)code };

	if (!c->ws_close_sent)
		api_ws_frame(c, API_WS_CLOSE, b, 2);
	c->ws_close_sent = true;
	c->close_after = true;
}

static void api_ws_deliver(struct api_http_conn *c, bool binary, const char *data, size_t len)
{
	if (c->ws_msg && !c->ws_close_sent)
		c->ws_msg(c, binary, data, len, c->ws_data);
}

/* Handles one whole frame from the input. true if one was consumed. */
bool api_ws_process(struct api_http_conn *c)
{
	unsigned char *b = (unsigned char *)c->in.data;
	size_t avail = c->in.len, hdr = 2, max = c->srv->lim.max_body;
	uint64_t len;
	unsigned op;
	bool fin;
	char *payload;

	if (c->close_after || avail < 2)
		return false;
	fin = b[0] & 0x80;
	op = b[0] & 0x0f;
	len = b[1] & 0x7f;
	/* RFC 6455 5.1: a client masks every frame; no extension is agreed,
	 * so the RSV bits are 0. */
	if (!(b[1] & 0x80) || (b[0] & 0x70)) {
		api_ws_fail(c, 1002);
		return true;
	}
	if (len == 126) {
		if (avail < 4)
			return false;
		len = (uint64_t)b[2] << 8 | b[3];
		hdr = 4;
	} else if (len == 127) {
		if (avail < 10)
			return false;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | b[2 + i];
		hdr = 10;
	}
	if (op >= 8 && (!fin || len > 125)) {
		api_ws_fail(c, 1002);
		return true;
	}
	if (len > max || (op == API_WS_CONT && c->ws_frag.len + len > max)) {
		api_ws_fail(c, 1009);
		return true;
	}
	if (avail < hdr + 4 + len)
		return false;
	payload = c->in.data + hdr + 4;
	for (size_t i = 0; i < len; i++)
		payload[i] ^= (char)b[hdr + (i & 3)];
	switch (op) {
	case API_WS_CONT:
		if (!c->ws_in_frag) {
			api_ws_fail(c, 1002);
			return true;
		}
		buf_append(&c->ws_frag, payload, len);
		if (c->ws_frag.oom) {
			api_ws_fail(c, 1011);
			return true;
		}
		if (fin) {
			c->ws_in_frag = false;
			api_ws_deliver(c, c->ws_frag_binary, c->ws_frag.data, c->ws_frag.len);
			buf_free(&c->ws_frag);
		}
		break;
	case API_WS_TEXT:
	case API_WS_BIN:
		if (c->ws_in_frag) {
			api_ws_fail(c, 1002);
			return true;
		}
		if (fin) {
			api_ws_deliver(c, op == API_WS_BIN, payload, len);
		} else {
			c->ws_in_frag = true;
			c->ws_frag_binary = op == API_WS_BIN;
			buf_reset(&c->ws_frag);
			buf_append(&c->ws_frag, payload, len);
		}
		break;
	case API_WS_CLOSE:
		/* Echo the peer's code (RFC 6455 5.5.1), then close once sent. */
		if (!c->ws_close_sent)
			api_ws_frame(c, API_WS_CLOSE, payload, len >= 2 ? 2 : 0);
		c->ws_close_sent = true;
		c->close_after = true;
		break;
	case API_WS_PING:
		if (!c->ws_close_sent)
			api_ws_frame(c, API_WS_PONG, payload, len);
		break;
	case API_WS_PONG:
		break;
	default:
		api_ws_fail(c, 1002);
		return true;
	}
	api_http_in_consume(c, hdr + 4 + len);
	if (c->out.oom || api_http_unsent(c) > API_HTTP_OUT_MAX)
		c->dead = true;
	return true;
}

/* ---- the upgrade and what the handler sends ------------------------------------ */

int api_ws_accept(struct api_http_conn *c, const char *protocol, api_ws_msg_cb *on_msg,
		  void *cbdata)
{
	char accept[32];
	struct buf extra = BUF_INIT;

	if (c->dead || c->state != API_HTTP_HANDLER)
		return -1;
	if (!c->upgrade || llhttp_get_method(&c->parser) != HTTP_GET ||
	    !api_http_has_token(buf_str(&c->hdr[API_HTTP_H_UPGRADE]), "websocket") ||
	    strcmp(buf_str(&c->hdr[API_HTTP_H_WSVERSION]), "13") != 0 ||
	    api_ws_accept_key(buf_str(&c->hdr[API_HTTP_H_WSKEY]), accept, sizeof(accept)) < 0) {
		c->close_after = true;
		api_http_fail(c, 400, "bad WebSocket upgrade request");
		return -1;
	}
	buf_printf(&extra, "Upgrade: websocket\r\nConnection: Upgrade\r\n"
			   "Sec-WebSocket-Accept: %s\r\n", accept);
	if (protocol && *protocol)
		buf_printf(&extra, "Sec-WebSocket-Protocol: %s\r\n", protocol);
	c->close_after = false;
	c->http10 = false;
	c->head_only = false;
	api_http_queue_response(c, 101, NULL, buf_str(&extra), NULL, 0);
	buf_free(&extra);
	c->state = API_HTTP_WS;
	c->ws_msg = on_msg;
	c->ws_data = cbdata;
	return 0;
}

int api_ws_send(struct api_http_conn *c, bool binary, const void *data, size_t len)
{
	if (c->dead || c->state != API_HTTP_WS || c->ws_close_sent)
		return -1;
	if (api_http_unsent(c) + len > API_HTTP_OUT_MAX) {
		api_http_kill(c);
		return -1;
	}
	api_ws_frame(c, binary ? API_WS_BIN : API_WS_TEXT, data, len);
	return api_http_push(c);
}

void api_ws_close(struct api_http_conn *c, uint16_t code)
{
	unsigned char b[2] = { (unsigned char)(code >> 8), (unsigned char)code };

	if (c->dead || c->state != API_HTTP_WS || c->ws_close_sent)
		return;
	api_ws_frame(c, API_WS_CLOSE, b, 2);
	c->ws_close_sent = true;
	c->close_after = true;
	c->close_cb = NULL;
	api_http_push(c);
	api_http_kick(c);
}
