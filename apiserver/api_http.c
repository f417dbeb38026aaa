/* api_http.c — see api_http.h.
 *
 * One connection is a small state machine: READ (parsing the next
 * request), HANDLER (the handler runs), STREAM (a chunked response kept
 * open), WS (after a WebSocket upgrade), RAW (after an upgrade to another
 * protocol, SPDY/3.1, whose frames the handler parses). Requests are answered one at a
 * time in order; llhttp is paused after each complete request so that
 * pipelined ones wait in the input buffer.
 *
 * Handlers and stream writers call in from anywhere on the loop, often
 * from inside another connection's callback. So nothing they call frees a
 * connection: a failed write marks it dead and a zero-delay timer (the
 * "kick") finishes the work from the loop's top level, where the close
 * callback can run without surprising a caller half-way through.
 */
#include "api_http.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <llhttp.h>

#include "buf.h"
#include "httpd.h"
#include "sock.h"

/* Unsent output beyond which a stream or WebSocket is cut. */
#define API_HTTP_OUT_MAX (16u << 20)
/* Unsent output beyond which no further pipelined request is parsed. */
#define API_HTTP_OUT_HIGH (1u << 20)
/* Unparsed input kept while not upgraded; above it the socket is not read. */
#define API_HTTP_IN_CAP (64u << 10)
/* How long an error response lingers for the client to read it. */
#define API_HTTP_LINGER_MS 2000
/* How long the accept loop rests after running out of descriptors. */
#define API_HTTP_ACCEPT_PAUSE_MS 100

/* API_HTTP_DEFER: the handler returned and answers later, from the loop
 * (api_http_defer). */
enum api_http_state { API_HTTP_READ, API_HTTP_HANDLER, API_HTTP_DEFER, API_HTTP_STREAM,
		       API_HTTP_WS, API_HTTP_RAW };

enum api_http_timer { API_HTTP_T_NONE, API_HTTP_T_HEAD, API_HTTP_T_IDLE, API_HTTP_T_LINGER };

/* The request headers kept, in the order of api_http_hdr_names. */
enum {
	API_HTTP_H_ACCEPT,
	API_HTTP_H_CTYPE,
	API_HTTP_H_UA,
	API_HTTP_H_UPGRADE,
	API_HTTP_H_WSKEY,
	API_HTTP_H_WSPROTO,
	API_HTTP_H_WSVERSION,
	API_HTTP_H_EXPECT,
	API_HTTP_H_STREAMPROTO,
	API_HTTP_H_INM,
	API_HTTP_NHDR
};

static const char *const api_http_hdr_names[API_HTTP_NHDR] = {
	"accept",
	"content-type",
	"user-agent",
	"upgrade",
	"sec-websocket-key",
	"sec-websocket-protocol",
	"sec-websocket-version",
	"expect",
	"x-stream-protocol-version",
	"if-none-match",
};

struct api_http_listener {
	struct api_http *h;
	struct api_http_listener *next;
	int fd;
	bool local;
	char *path;                 /* Unix socket file, removed on free */
	uint64_t pause_timer;
};

struct api_http_conn {
	struct api_http *srv;
	struct api_http_conn *prev, *next;
	int fd;
	bool local;
	enum api_http_state state;
	llhttp_t parser;
	struct buf in;              /* received, not yet parsed */
	struct buf out;             /* not yet sent, from out_off */
	size_t out_off;

	/* the request being parsed */
	struct buf url, field, path, body;
	struct buf hdr[API_HTTP_NHDR];
	int cur_hdr;                /* index into hdr of the value being read, -1 */
	size_t head_bytes;
	bool in_message;            /* a request has started */
	bool complete;              /* ... and ended; it awaits dispatch */
	bool upgrade;               /* llhttp saw Connection: upgrade + Upgrade */
	bool keep_alive;
	bool head_only;             /* HEAD: the response has no body */
	bool http10;
	int err_status;             /* set by a parser callback that failed */
	const char *err_msg;

	/* the response side */
	struct buf more_hdrs;       /* api_http_add_header's, for the next response head */
	bool close_after;           /* close once out is sent */
	bool draining;              /* write side shut, discarding input */
	bool peer_eof;
	bool dead;                  /* close at the next chance; nothing more goes out */
	bool stream_raw;            /* HTTP/1.0 stream: no chunk framing */
	api_http_close_cb *close_cb;
	void *close_data;

	/* WebSocket */
	api_http_ws_msg_cb *ws_msg;
	void *ws_data;
	struct buf ws_frag;         /* a fragmented message being joined */
	bool ws_in_frag;
	bool ws_frag_binary;
	bool ws_close_sent;

	bool in_paused;             /* WS, RAW: input is not handed on */

	/* RAW */
	api_http_raw_cb *raw_data;
	void *raw_cbdata;

	unsigned watched;           /* events last given to ev_watch, 0x100: none yet */
	enum api_http_timer timer_kind;
	uint64_t timer;
	uint64_t kick;
};

struct api_http {
	struct ev_loop *loop;
	struct api_http_limits lim;
	api_http_handler *fn;
	void *data;
	llhttp_settings_t settings;
	struct api_http_conn *conns;
	int n_conns;
	struct api_http_listener *listeners;
	int tcp_port;
};

static void api_http_advance(struct api_http_conn *c);
static void api_http_conn_io(struct ev_loop *loop, int fd, unsigned events, void *data);

/* ---- small codecs ----------------------------------------------------------- */

/* RFC 7231 IMF-fixdate, spelled out by hand: strftime's names follow the
 * locale. out holds at least 30 bytes. */
static void api_http_date(char *out, size_t len)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = (time_t)(ev_wall_ms() / 1000);
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(out, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
		 months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* SHA-1 (FIPS 180-4), written out here: the WebSocket handshake is its
 * only use and none of the libraries linked so far carries one. */
static uint32_t api_http_rol(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

static void api_http_sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = api_http_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
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
		t = api_http_rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = api_http_rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

static void api_http_sha1(const void *data, size_t len, unsigned char out[20])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	const unsigned char *p = data;
	unsigned char tail[128] = { 0 };
	uint64_t bits = (uint64_t)len * 8;
	size_t rest, tlen;

	for (; len >= 64; p += 64, len -= 64)
		api_http_sha1_block(h, p);
	rest = len;
	memcpy(tail, p, rest);
	tail[rest] = 0x80;
	tlen = rest + 9 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[tlen - 1 - (size_t)i] = (unsigned char)(bits >> (8 * i));
	api_http_sha1_block(h, tail);
	if (tlen == 128)
		api_http_sha1_block(h, tail + 64);
	for (int i = 0; i < 20; i++)
		out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static const char api_http_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A Sec-WebSocket-Key is the base64 of 16 bytes: 22 digits and "==". */
static bool api_http_ws_key_valid(const char *key)
{
	if (strlen(key) != 24 || strcmp(key + 22, "==") != 0)
		return false;
	for (int i = 0; i < 22; i++)
		if (!key[i] || !strchr(api_http_b64, key[i]))
			return false;
	return true;
}

int api_http_ws_accept_key(const char *key, char *out, size_t outlen)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	unsigned char in[24 + sizeof(guid)], d[21] = { 0 };
	size_t o = 0;

	if (!key || !api_http_ws_key_valid(key) || outlen < 29)
		return -1;
	memcpy(in, key, 24);
	memcpy(in + 24, guid, sizeof(guid) - 1);
	api_http_sha1(in, 24 + sizeof(guid) - 1, d);
	/* 20 bytes: six groups of three and a pair with one '=' (d[20] is
	 * the zero that pads the last group). */
	for (int i = 0; i < 21; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];

		out[o++] = api_http_b64[v >> 18 & 63];
		out[o++] = api_http_b64[v >> 12 & 63];
		out[o++] = api_http_b64[v >> 6 & 63];
		out[o++] = i + 3 < 21 ? api_http_b64[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

/* ---- output ----------------------------------------------------------------- */

static size_t api_http_unsent(const struct api_http_conn *c)
{
	return c->out.len - c->out_off;
}

/* Drops what was sent from the front before appending, so a stream that
 * the peer reads at about the rate it is written does not grow forever. */
static void api_http_out_compact(struct api_http_conn *c)
{
	if (c->out_off == 0 || c->out_off < c->out.len / 2)
		return;
	memmove(c->out.data, c->out.data + c->out_off, c->out.len - c->out_off);
	c->out.len -= c->out_off;
	c->out.data[c->out.len] = '\0';
	c->out_off = 0;
}

/* Writes what is queued: 0 when all is out, 1 when the socket is full,
 * -1 when the peer is gone. */
static int api_http_flush(struct api_http_conn *c)
{
	int rc = sock_send_pending(c->fd, c->out.data, c->out.len, &c->out_off);

	if (rc != 0)
		return rc > 0 ? 1 : -1;
	/* A long list answered, do not keep its megabytes for the idle time. */
	if (c->out.cap > API_HTTP_OUT_HIGH)
		buf_free(&c->out);
	buf_reset(&c->out);
	c->out_off = 0;
	return 0;
}

static void api_http_kicked(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_http_conn *c = data;

	(void)loop;
	(void)id;
	c->kick = 0;
	api_http_advance(c);
}

/* Has the loop call api_http_advance(c) soon, from its top level. */
static void api_http_kick(struct api_http_conn *c)
{
	if (!c->kick)
		c->kick = ev_timer_add(c->srv->loop, 0, api_http_kicked, c);
}

static void api_http_kill(struct api_http_conn *c)
{
	c->dead = true;
	api_http_kick(c);
}

static size_t api_http_in_cap(const struct api_http_conn *c)
{
	return c->state == API_HTTP_WS || c->state == API_HTTP_RAW ? c->srv->lim.max_body + API_HTTP_IN_CAP : API_HTTP_IN_CAP;
}

static void api_http_update_watch(struct api_http_conn *c)
{
	unsigned ev = 0;

	if (c->dead)
		return;
	if (c->draining) {
		ev = EV_READ;
	} else {
		if (api_http_unsent(c))
			ev |= EV_WRITE;
		/* While a response streams, a little input is still read so that
		 * a peer's EOF is seen; beyond the cap the socket is left alone
		 * until the stream ends. */
		if (!c->peer_eof && c->in.len < api_http_in_cap(c) &&
		    !(c->close_after && c->state == API_HTTP_READ))
			ev |= EV_READ;
	}
	/* Every stream write passes here: no system call when nothing changed. */
	if (ev == c->watched)
		return;
	if (ev_watch(c->srv->loop, c->fd, ev, api_http_conn_io, c) < 0) {
		api_http_kill(c);
		return;
	}
	c->watched = ev;
}

/* Sends what it can right away (watch events are latency-sensitive); the
 * rest waits for EPOLLOUT. */
static int api_http_push(struct api_http_conn *c)
{
	if (c->out.oom || api_http_flush(c) < 0) {
		api_http_kill(c);
		return -1;
	}
	api_http_update_watch(c);
	return 0;
}

/* Status line and the headers every response carries. */
static void api_http_head(struct api_http_conn *c, int status, const char *ctype,
			  const char *extra)
{
	char date[40];

	api_http_out_compact(c);
	api_http_date(date, sizeof(date));
	buf_printf(&c->out, "HTTP/1.1 %d %s\r\n", status, httpd_reason(status));
	if (ctype && *ctype)
		buf_printf(&c->out, "Content-Type: %s\r\n", ctype);
	if (extra)
		buf_puts(&c->out, extra);
	if (c->more_hdrs.len) {
		buf_append(&c->out, c->more_hdrs.data, c->more_hdrs.len);
		buf_reset(&c->more_hdrs);
	}
	buf_printf(&c->out, "Date: %s\r\n", date);
	if (c->close_after)
		buf_puts(&c->out, "Connection: close\r\n");
	else if (c->http10)
		buf_puts(&c->out, "Connection: keep-alive\r\n");
}

static void api_http_queue_response(struct api_http_conn *c, int status, const char *ctype,
				    const char *extra, const char *body, size_t len)
{
	/* RFC 7230 3.3.2: no Content-Length (and no body) on 1xx, 204, 304. */
	bool bodyless = status < 200 || status == 204 || status == 304;

	api_http_head(c, status, ctype, extra);
	if (!bodyless)
		buf_printf(&c->out, "Content-Length: %zu\r\n", len);
	buf_puts(&c->out, "\r\n");
	if (!bodyless && !c->head_only && len)
		buf_append(&c->out, body, len);
	if (c->out.oom)
		c->dead = true;
}

/* An answer of the transport itself (bad request, limits, a handler that
 * did not answer), in the Status shape kubectl prints; the connection then
 * closes. */
static void api_http_fail(struct api_http_conn *c, int status, const char *msg)
{
	const char *reason = status == 400 ? "BadRequest" :
			     status == 413 ? "RequestEntityTooLarge" :
			     status == 500 ? "InternalError" : NULL;
	struct buf body = BUF_INIT;

	buf_printf(&body, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
			  "\"status\":\"Failure\",\"message\":\"%s\",", msg);
	if (reason)
		buf_printf(&body, "\"reason\":\"%s\",", reason);
	buf_printf(&body, "\"code\":%d}\n", status);
	c->close_after = true;
	api_http_queue_response(c, status, "application/json", NULL, buf_str(&body), body.len);
	if (body.oom)
		c->dead = true;
	buf_free(&body);
	c->state = API_HTTP_READ;
}

/* ---- timers ------------------------------------------------------------------- */

static void api_http_conn_close(struct api_http_conn *c);

static void api_http_timeout(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_http_conn *c = data;

	(void)loop;
	(void)id;
	c->timer = 0;
	api_http_conn_close(c);
}

static void api_http_arm(struct api_http_conn *c, enum api_http_timer kind)
{
	uint64_t ms = 0;

	if (kind == c->timer_kind && (kind == API_HTTP_T_NONE || c->timer))
		return;
	if (c->timer)
		ev_timer_cancel(c->srv->loop, c->timer);
	c->timer = 0;
	c->timer_kind = kind;
	switch (kind) {
	case API_HTTP_T_NONE: return;
	case API_HTTP_T_HEAD: ms = c->srv->lim.head_timeout_ms; break;
	case API_HTTP_T_IDLE: ms = c->srv->lim.idle_timeout_ms; break;
	case API_HTTP_T_LINGER: ms = API_HTTP_LINGER_MS; break;
	}
	c->timer = ev_timer_add(c->srv->loop, ms, api_http_timeout, c);
}

/* Picks the timer for the connection's state. Timers are armed once per
 * phase, not on every read: a client trickling a byte at a time still
 * runs out of time for its request head. */
static void api_http_arm_for_state(struct api_http_conn *c)
{
	if (c->draining)
		api_http_arm(c, API_HTTP_T_LINGER);
	else if (c->state == API_HTTP_STREAM || c->state == API_HTTP_WS ||
		 c->state == API_HTTP_RAW || c->state == API_HTTP_DEFER)
		api_http_arm(c, API_HTTP_T_NONE);
	else if (c->in_message || c->in.len)
		api_http_arm(c, API_HTTP_T_HEAD);
	else
		api_http_arm(c, API_HTTP_T_IDLE);
}

/* ---- parser callbacks ----------------------------------------------------------- */

static int api_http_too_big(struct api_http_conn *c, size_t len)
{
	c->head_bytes += len;
	if (c->head_bytes <= c->srv->lim.max_head)
		return 0;
	c->err_status = 431;
	c->err_msg = "request header fields too large";
	return HPE_USER;
}

static int api_http_on_message_begin(llhttp_t *p)
{
	struct api_http_conn *c = p->data;

	c->in_message = true;
	c->head_bytes = 0;
	c->cur_hdr = -1;
	c->upgrade = false;
	c->head_only = false;
	buf_reset(&c->url);
	buf_reset(&c->field);
	buf_reset(&c->body);
	buf_reset(&c->more_hdrs);
	for (int i = 0; i < API_HTTP_NHDR; i++)
		buf_reset(&c->hdr[i]);
	return 0;
}

static int api_http_on_url(llhttp_t *p, const char *at, size_t len)
{
	struct api_http_conn *c = p->data;

	if (api_http_too_big(c, len))
		return HPE_USER;
	buf_append(&c->url, at, len);
	return 0;
}

static int api_http_on_header_field(llhttp_t *p, const char *at, size_t len)
{
	struct api_http_conn *c = p->data;

	if (api_http_too_big(c, len + 4)) /* ": " and CRLF count too */
		return HPE_USER;
	buf_append(&c->field, at, len);
	return 0;
}

static int api_http_on_header_field_complete(llhttp_t *p)
{
	struct api_http_conn *c = p->data;

	c->cur_hdr = -1;
	for (int i = 0; i < API_HTTP_NHDR; i++) {
		if (strcasecmp(buf_str(&c->field), api_http_hdr_names[i]) == 0) {
			c->cur_hdr = i;
			/* A repeated header is one comma-separated list (RFC 7230 3.2.2). */
			if (c->hdr[i].len)
				buf_puts(&c->hdr[i], ", ");
			break;
		}
	}
	buf_reset(&c->field);
	return 0;
}

static int api_http_on_header_value(llhttp_t *p, const char *at, size_t len)
{
	struct api_http_conn *c = p->data;

	if (api_http_too_big(c, len))
		return HPE_USER;
	if (c->cur_hdr >= 0)
		buf_append(&c->hdr[c->cur_hdr], at, len);
	return 0;
}

static int api_http_on_header_value_complete(llhttp_t *p)
{
	struct api_http_conn *c = p->data;

	c->cur_hdr = -1;
	return 0;
}

static int api_http_on_headers_complete(llhttp_t *p)
{
	struct api_http_conn *c = p->data;
	bool has_body = (p->flags & F_CHUNKED) || p->content_length > 0;

	c->upgrade = llhttp_get_upgrade(p) != 0;
	c->head_only = llhttp_get_method(p) == HTTP_HEAD;
	c->http10 = llhttp_get_http_major(p) == 1 && llhttp_get_http_minor(p) == 0;
	/* Refuse a declared oversized body before any of it is read. */
	if ((p->flags & F_CONTENT_LENGTH) && p->content_length > c->srv->lim.max_body) {
		c->err_status = 413;
		c->err_msg = "request entity too large";
		return -1;
	}
	if ((p->flags & F_CONTENT_LENGTH) && p->content_length > 0 &&
	    buf_reserve(&c->body, (size_t)p->content_length) < 0) {
		c->err_status = 500;
		c->err_msg = "out of memory";
		return -1;
	}
	/* curl waits a second for this before sending a large body. */
	if (has_body && !c->http10 && strcasecmp(buf_str(&c->hdr[API_HTTP_H_EXPECT]),
						 "100-continue") == 0)
		buf_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
	return 0;
}

static int api_http_on_body(llhttp_t *p, const char *at, size_t len)
{
	struct api_http_conn *c = p->data;

	/* A chunked body has no declared length: it is cut where it passes
	 * the limit, and the rest is never buffered. */
	if (c->body.len + len > c->srv->lim.max_body) {
		c->err_status = 413;
		c->err_msg = "request entity too large";
		return HPE_USER;
	}
	buf_append(&c->body, at, len);
	if (c->body.oom) {
		c->err_status = 500;
		c->err_msg = "out of memory";
		return HPE_USER;
	}
	return 0;
}

/* Pause after each request: it is answered before the next is parsed. */
static int api_http_on_message_complete(llhttp_t *p)
{
	struct api_http_conn *c = p->data;

	c->complete = true;
	c->in_message = false;
	c->keep_alive = llhttp_should_keep_alive(p) != 0;
	return HPE_PAUSED;
}

/* ---- requests ---------------------------------------------------------------- */

static void api_http_in_consume(struct api_http_conn *c, size_t used)
{
	memmove(c->in.data, c->in.data + used, c->in.len - used);
	c->in.len -= used;
	if (c->in.data)
		c->in.data[c->in.len] = '\0';
	/* Megabytes taken by one large WebSocket frame are not kept. */
	if (!c->in.len && c->in.cap > 2 * API_HTTP_IN_CAP)
		buf_free(&c->in);
}

static void api_http_dispatch(struct api_http_conn *c)
{
	struct api_http *s = c->srv;
	struct api_http_req req;
	const char *target = buf_str(&c->url), *p = target;
	const char *q;

	c->complete = false;
	c->state = API_HTTP_HANDLER;
	if (!c->keep_alive)
		c->close_after = true;
	/* absolute-form ("http://host/path"), as a proxy would send it */
	if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
		p = strstr(p, "//") + 2;
		p += strcspn(p, "/?");
	}
	q = strchr(p, '?');
	buf_reset(&c->path);
	if (*p != '/' && *p != '?')
		buf_putc(&c->path, '/');
	buf_append(&c->path, p, q ? (size_t)(q - p) : strlen(p));
	if (c->path.oom || httpd_path_decode(c->path.data) < 0) {
		api_http_fail(c, 400, "malformed request path");
		return;
	}
	memset(&req, 0, sizeof(req));
	req.method = llhttp_method_name((llhttp_method_t)llhttp_get_method(&c->parser));
	req.target = target;
	req.path = c->path.data;
	req.query = q ? q + 1 : "";
	req.accept = buf_str(&c->hdr[API_HTTP_H_ACCEPT]);
	req.content_type = buf_str(&c->hdr[API_HTTP_H_CTYPE]);
	req.user_agent = buf_str(&c->hdr[API_HTTP_H_UA]);
	req.upgrade = buf_str(&c->hdr[API_HTTP_H_UPGRADE]);
	req.ws_key = buf_str(&c->hdr[API_HTTP_H_WSKEY]);
	req.ws_protocols = buf_str(&c->hdr[API_HTTP_H_WSPROTO]);
	req.stream_protocols = buf_str(&c->hdr[API_HTTP_H_STREAMPROTO]);
	req.if_none_match = buf_str(&c->hdr[API_HTTP_H_INM]);
	req.body = buf_str(&c->body);
	req.body_len = c->body.len;
	req.local_socket = c->local;
	s->fn(c, &req, s->data);
	if (c->state == API_HTTP_HANDLER)
		api_http_fail(c, 500, "the request was not answered");
	if (c->state == API_HTTP_READ)
		c->close_cb = NULL;
	/* After an upgrade request llhttp expects another protocol; one that
	 * was not accepted leaves plain HTTP, so start the parser afresh. */
	if (c->upgrade && c->state != API_HTTP_WS && c->state != API_HTTP_RAW)
		llhttp_reset(&c->parser);
	/* The next request gets its own head timeout. */
	api_http_arm(c, API_HTTP_T_NONE);
}

/* Parses buffered input up to the end of one request and dispatches it.
 * true if something happened (a request answered or refused). */
static bool api_http_parse(struct api_http_conn *c)
{
	while (c->in.len > 0) {
		llhttp_errno_t e = llhttp_execute(&c->parser, c->in.data, c->in.len);
		size_t used = c->in.len;

		if (e == HPE_PAUSED || e == HPE_PAUSED_UPGRADE) {
			used = (size_t)(llhttp_get_error_pos(&c->parser) - c->in.data);
			if (e == HPE_PAUSED)
				llhttp_resume(&c->parser);
		} else if (e != HPE_OK) {
			api_http_fail(c, c->err_status ? c->err_status : 400,
				      c->err_msg ? c->err_msg : "malformed HTTP request");
			return true;
		}
		api_http_in_consume(c, used);
		if (c->complete) {
			api_http_dispatch(c);
			return true;
		}
		if (e == HPE_PAUSED_UPGRADE) {
			/* Not reached: every request pauses at its end first. */
			llhttp_reset(&c->parser);
		}
	}
	return false;
}

/* ---- WebSocket frames -------------------------------------------------------- */

enum { API_HTTP_WS_CONT = 0, API_HTTP_WS_TEXT = 1, API_HTTP_WS_BIN = 2, API_HTTP_WS_CLOSE = 8,
       API_HTTP_WS_PING = 9, API_HTTP_WS_PONG = 10 };

static void api_http_ws_frame(struct api_http_conn *c, unsigned op, const void *data, size_t len)
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
static void api_http_ws_fail(struct api_http_conn *c, uint16_t code)
{
	unsigned char b[2] = { (unsigned char)(code >> 8), (unsigned char)code };

	if (!c->ws_close_sent)
		api_http_ws_frame(c, API_HTTP_WS_CLOSE, b, 2);
	c->ws_close_sent = true;
	c->close_after = true;
}

static void api_http_ws_deliver(struct api_http_conn *c, bool binary, const char *data,
				size_t len)
{
	if (c->ws_msg && !c->ws_close_sent)
		c->ws_msg(c, binary, data, len, c->ws_data);
}

/* Handles one whole frame from the input. true if one was consumed. */
static bool api_http_ws_process(struct api_http_conn *c)
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
		api_http_ws_fail(c, 1002);
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
		api_http_ws_fail(c, 1002);
		return true;
	}
	if (len > max || (op == API_HTTP_WS_CONT && c->ws_frag.len + len > max)) {
		api_http_ws_fail(c, 1009);
		return true;
	}
	if (avail < hdr + 4 + len)
		return false;
	payload = c->in.data + hdr + 4;
	for (size_t i = 0; i < len; i++)
		payload[i] ^= (char)b[hdr + (i & 3)];
	switch (op) {
	case API_HTTP_WS_CONT:
		if (!c->ws_in_frag) {
			api_http_ws_fail(c, 1002);
			return true;
		}
		buf_append(&c->ws_frag, payload, len);
		if (c->ws_frag.oom) {
			api_http_ws_fail(c, 1011);
			return true;
		}
		if (fin) {
			c->ws_in_frag = false;
			api_http_ws_deliver(c, c->ws_frag_binary, c->ws_frag.data, c->ws_frag.len);
			buf_free(&c->ws_frag);
		}
		break;
	case API_HTTP_WS_TEXT:
	case API_HTTP_WS_BIN:
		if (c->ws_in_frag) {
			api_http_ws_fail(c, 1002);
			return true;
		}
		if (fin) {
			api_http_ws_deliver(c, op == API_HTTP_WS_BIN, payload, len);
		} else {
			c->ws_in_frag = true;
			c->ws_frag_binary = op == API_HTTP_WS_BIN;
			buf_reset(&c->ws_frag);
			buf_append(&c->ws_frag, payload, len);
		}
		break;
	case API_HTTP_WS_CLOSE:
		/* Echo the peer's code (RFC 6455 5.5.1), then close once sent. */
		if (!c->ws_close_sent)
			api_http_ws_frame(c, API_HTTP_WS_CLOSE, payload, len >= 2 ? 2 : 0);
		c->ws_close_sent = true;
		c->close_after = true;
		break;
	case API_HTTP_WS_PING:
		if (!c->ws_close_sent)
			api_http_ws_frame(c, API_HTTP_WS_PONG, payload, len);
		break;
	case API_HTTP_WS_PONG:
		break;
	default:
		api_http_ws_fail(c, 1002);
		return true;
	}
	api_http_in_consume(c, hdr + 4 + len);
	if (c->out.oom || api_http_unsent(c) > API_HTTP_OUT_MAX)
		c->dead = true;
	return true;
}

/* ---- other upgraded protocols ------------------------------------------------- */

/* Hands the buffered input to the handler's parser. true if it took some. */
static bool api_http_raw_process(struct api_http_conn *c)
{
	size_t used;

	if (c->close_after || !c->in.len || !c->raw_data)
		return false;
	used = c->raw_data(c, c->in.data, c->in.len, c->raw_cbdata);
	if (used > c->in.len) {
		/* The handler refused the input: a protocol error. */
		c->close_after = true;
		c->raw_data = NULL;
		return true;
	}
	if (!used) {
		/* An incomplete unit bigger than the input cap never completes. */
		if (c->in.len >= api_http_in_cap(c))
			c->dead = true;
		return false;
	}
	api_http_in_consume(c, used);
	if (c->out.oom || api_http_unsent(c) > API_HTTP_OUT_MAX)
		c->dead = true;
	return true;
}

/* ---- connections --------------------------------------------------------------- */

static void api_http_conn_close(struct api_http_conn *c)
{
	struct api_http *s = c->srv;
	api_http_close_cb *cb = c->close_cb;

	c->close_cb = NULL;
	c->dead = true;
	if (cb)
		cb(c, c->close_data);
	if (c->timer)
		ev_timer_cancel(s->loop, c->timer);
	if (c->kick)
		ev_timer_cancel(s->loop, c->kick);
	ev_unwatch(s->loop, c->fd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->url);
	buf_free(&c->field);
	buf_free(&c->path);
	buf_free(&c->body);
	buf_free(&c->more_hdrs);
	for (int i = 0; i < API_HTTP_NHDR; i++)
		buf_free(&c->hdr[i]);
	buf_free(&c->ws_frag);
	free(c);
}

/* Closing with unread input would send a reset, which may destroy the
 * last response before the client reads it: shut the write side and read
 * what is left for a bounded time — a lingering close. */
static void api_http_linger(struct api_http_conn *c)
{
	if (shutdown(c->fd, SHUT_WR) < 0) {
		api_http_conn_close(c);
		return;
	}
	c->draining = true;
	api_http_update_watch(c);
	api_http_arm_for_state(c);
}

/* Does all that can be done now: send, answer buffered requests, handle
 * frames, close. Runs only from the loop's top level (I/O, timers). */
static void api_http_advance(struct api_http_conn *c)
{
	if (c->draining && !c->dead)
		return;
	for (;;) {
		int rc;

		if (c->dead) {
			api_http_conn_close(c);
			return;
		}
		rc = api_http_flush(c);
		if (rc < 0) {
			api_http_conn_close(c);
			return;
		}
		/* A stream on a closing connection closes when it ends. */
		if (rc == 0 && c->close_after && c->state != API_HTTP_STREAM) {
			api_http_linger(c);
			return;
		}
		if (c->state == API_HTTP_READ && !c->close_after &&
		    api_http_unsent(c) < API_HTTP_OUT_HIGH) {
			if (api_http_parse(c))
				continue;
			/* The peer is done sending and every request it sent is
			 * answered. */
			if (c->peer_eof) {
				c->close_after = true;
				continue;
			}
		} else if (c->state == API_HTTP_WS && !c->in_paused) {
			if (api_http_ws_process(c))
				continue;
		} else if (c->state == API_HTTP_RAW && !c->in_paused) {
			if (api_http_raw_process(c))
				continue;
		}
		break;
	}
	api_http_update_watch(c);
	api_http_arm_for_state(c);
}

static void api_http_conn_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct api_http_conn *c = data;

	(void)loop;
	if ((events & EV_READ) && c->draining) {
		char junk[4096];
		ssize_t n = recv(fd, junk, sizeof(junk), 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			api_http_conn_close(c);
		return;
	}
	if (events & EV_READ) {
		size_t cap = api_http_in_cap(c);
		size_t want = cap > c->in.len ? cap - c->in.len : 0;
		ssize_t n = 0;

		if (want > API_HTTP_IN_CAP)
			want = API_HTTP_IN_CAP;
		if (want && buf_reserve(&c->in, want) < 0) {
			api_http_conn_close(c);
			return;
		}
		if (want)
			n = recv(fd, c->in.data + c->in.len, want, 0);
		if (n > 0) {
			c->in.len += (size_t)n;
			c->in.data[c->in.len] = '\0';
		} else if (want && (n == 0 || (errno != EAGAIN && errno != EINTR))) {
			/* The peer left. A stream or WebSocket is over; plain
			 * requests already received are still answered. */
			if (n < 0 || c->state != API_HTTP_READ) {
				api_http_conn_close(c);
				return;
			}
			c->peer_eof = true;
		}
	}
	api_http_advance(c);
}

static void api_http_accept(struct ev_loop *loop, int fd, unsigned events, void *data);

static void api_http_accept_resume(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_http_listener *l = data;

	(void)id;
	l->pause_timer = 0;
	ev_watch(loop, l->fd, EV_READ, api_http_accept, l);
}

static void api_http_accept(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct api_http_listener *l = data;
	struct api_http *s = l->h;

	(void)events;
	/* A bounded batch, so one busy listener does not starve the rest. */
	for (int i = 0; i < 64; i++) {
		struct api_http_conn *c;
		int cfd = sock_accept(fd, NULL, NULL);

		if (cfd == -EMFILE || cfd == -ENFILE || cfd == -ENOBUFS || cfd == -ENOMEM) {
			/* The pending connection stays queued and the listener
			 * readable: rest, or the loop would spin on it. */
			ev_watch(loop, fd, 0, api_http_accept, l);
			if (!l->pause_timer)
				l->pause_timer = ev_timer_add(loop, API_HTTP_ACCEPT_PAUSE_MS,
							      api_http_accept_resume, l);
			return;
		}
		if (cfd == -EINTR || cfd == -ECONNABORTED)
			continue;
		if (cfd < 0)
			return;
		if (s->n_conns >= s->lim.max_conns) {
			close(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(cfd);
			continue;
		}
		c->srv = s;
		c->fd = cfd;
		c->local = l->local;
		c->cur_hdr = -1;
		llhttp_init(&c->parser, HTTP_REQUEST, &s->settings);
		c->parser.data = c;
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->n_conns++;
		if (!l->local)
			sock_set_nodelay(cfd, true); /* one small chunk per watch event */
		if (ev_watch(loop, cfd, EV_READ, api_http_conn_io, c) < 0) {
			api_http_conn_close(c);
			continue;
		}
		c->watched = EV_READ;
		/* A client that connects and says nothing gets the head timeout. */
		api_http_arm(c, API_HTTP_T_HEAD);
	}
}

/* ---- server --------------------------------------------------------------------- */

struct api_http *api_http_new(struct ev_loop *loop, const struct api_http_limits *limits,
			      api_http_handler *fn, void *data)
{
	struct api_http *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->loop = loop;
	h->fn = fn;
	h->data = data;
	if (limits)
		h->lim = *limits;
	if (h->lim.max_conns <= 0)
		h->lim.max_conns = 1024;
	if (!h->lim.max_head)
		h->lim.max_head = 64u << 10;
	if (!h->lim.max_body)
		h->lim.max_body = 3u << 20;
	if (!h->lim.head_timeout_ms)
		h->lim.head_timeout_ms = 30000;
	if (!h->lim.idle_timeout_ms)
		h->lim.idle_timeout_ms = 300000;
	llhttp_settings_init(&h->settings);
	h->settings.on_message_begin = api_http_on_message_begin;
	h->settings.on_url = api_http_on_url;
	h->settings.on_header_field = api_http_on_header_field;
	h->settings.on_header_field_complete = api_http_on_header_field_complete;
	h->settings.on_header_value = api_http_on_header_value;
	h->settings.on_header_value_complete = api_http_on_header_value_complete;
	h->settings.on_headers_complete = api_http_on_headers_complete;
	h->settings.on_body = api_http_on_body;
	h->settings.on_message_complete = api_http_on_message_complete;
	return h;
}

static int api_http_add_listener(struct api_http *h, int fd, const char *path, char *err,
				 size_t errlen)
{
	struct api_http_listener *l = calloc(1, sizeof(*l));

	if (!l || (path && !(l->path = strdup(path)))) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	l->h = h;
	l->fd = fd;
	l->local = path != NULL;
	if (ev_watch(h->loop, fd, EV_READ, api_http_accept, l) < 0) {
		snprintf(err, errlen, "watch listener: %s", strerror(ENOMEM));
		goto fail;
	}
	l->next = h->listeners;
	h->listeners = l;
	return 0;
fail:
	if (l)
		free(l->path);
	free(l);
	return -1;
}

int api_http_listen_tcp(struct api_http *h, const char *addr, int port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	const char *a = addr && *addr ? addr : "127.0.0.1";
	size_t alen = strlen(a);
	int fd, rc;

	if (errlen)
		err[0] = '\0';
	if (a[0] == '[' && alen > 2 && a[alen - 1] == ']') {
		a++;
		alen -= 2;
	}
	if (port < 0 || port > 65535 || sock_parse_ip(a, alen, &ss) < 0) {
		snprintf(err, errlen, "bad listen address %s port %d", addr ? addr : "", port);
		return -1;
	}
	sock_set_port(&ss, (uint16_t)port);
	fd = sock_listen_tcp((struct sockaddr *)&ss, sock_addr_len((struct sockaddr *)&ss), 0, 511);
	if (fd < 0) {
		snprintf(err, errlen, "listen on %s port %d: %s", addr ? addr : a, port,
			 strerror(-fd));
		return -1;
	}
	rc = sock_local_addr(fd, &ss);
	if (rc < 0) {
		snprintf(err, errlen, "getsockname: %s", strerror(-rc));
		close(fd);
		return -1;
	}
	if (api_http_add_listener(h, fd, NULL, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	if (!h->tcp_port)
		h->tcp_port = sock_port((struct sockaddr *)&ss);
	return 0;
}

int api_http_listen_fd(struct api_http *h, int fd, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int rc;

	if (sock_set_nonblock(fd, true) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(err, errlen, "listening socket %d: %s", fd, strerror(errno));
		return -1;
	}
	rc = sock_local_addr(fd, &ss);
	if (rc < 0) {
		snprintf(err, errlen, "listening socket %d: %s", fd, strerror(-rc));
		return -1;
	}
	if (api_http_add_listener(h, fd, NULL, err, errlen) < 0)
		return -1;
	if (!h->tcp_port && (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
		h->tcp_port = sock_port((struct sockaddr *)&ss);
	return 0;
}

int api_http_listen_unix(struct api_http *h, const char *path, char *err, size_t errlen)
{
	int fd = sock_listen_unix(path, 511);

	if (fd < 0) {
		if (fd == -EADDRINUSE)
			snprintf(err, errlen, "%s: another server is listening", path);
		else if (fd == -ENOTSOCK)
			snprintf(err, errlen, "%s exists and is not a socket", path);
		else if (fd == -EINVAL || fd == -ENAMETOOLONG)
			snprintf(err, errlen, "bad socket path \"%s\"", path ? path : "");
		else
			snprintf(err, errlen, "listen on %s: %s", path, strerror(-fd));
		return -1;
	}
	if (api_http_add_listener(h, fd, path, err, errlen) < 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	return 0;
}

int api_http_tcp_port(const struct api_http *h)
{
	return h->tcp_port;
}

void api_http_free(struct api_http *h)
{
	if (!h)
		return;
	while (h->listeners) {
		struct api_http_listener *l = h->listeners;

		h->listeners = l->next;
		if (l->pause_timer)
			ev_timer_cancel(h->loop, l->pause_timer);
		ev_unwatch(h->loop, l->fd);
		close(l->fd);
		if (l->path)
			unlink(l->path);
		free(l->path);
		free(l);
	}
	while (h->conns)
		api_http_conn_close(h->conns);
	free(h);
}

/* ---- responses ----------------------------------------------------------------- */

void api_http_defer(struct api_http_conn *c)
{
	if (!c->dead && c->state == API_HTTP_HANDLER)
		c->state = API_HTTP_DEFER;
}

void api_http_respond(struct api_http_conn *c, int status, const char *content_type,
		      const char *extra_headers, const char *body, size_t len)
{
	bool deferred = c->state == API_HTTP_DEFER;

	if (c->dead || (c->state != API_HTTP_HANDLER && !deferred))
		return;
	api_http_queue_response(c, status, content_type, extra_headers, body, len);
	c->state = API_HTTP_READ;
	if (deferred) {
		/* Answered from the loop: send it, then read on as after any
		 * other request. */
		c->close_cb = NULL;
		if (api_http_push(c) == 0)
			api_http_kick(c);
	}
}

void api_http_stream_start(struct api_http_conn *c, int status, const char *content_type)
{
	if (c->dead || (c->state != API_HTTP_HANDLER && c->state != API_HTTP_DEFER))
		return;
	/* HTTP/1.0 has no chunked coding: the body ends with the connection. */
	if (c->http10) {
		c->stream_raw = true;
		c->close_after = true;
	}
	api_http_head(c, status, content_type, NULL);
	if (!c->stream_raw)
		buf_puts(&c->out, "Transfer-Encoding: chunked\r\n");
	buf_puts(&c->out, "\r\n");
	c->state = API_HTTP_STREAM;
	api_http_push(c);
}

int api_http_stream_write(struct api_http_conn *c, const char *data, size_t len)
{
	if (c->dead || c->state != API_HTTP_STREAM)
		return -1;
	if (!len || c->head_only)
		return 0;
	if (api_http_unsent(c) + len > API_HTTP_OUT_MAX) {
		api_http_kill(c);
		return -1;
	}
	api_http_out_compact(c);
	if (!c->stream_raw)
		buf_printf(&c->out, "%zx\r\n", len);
	buf_append(&c->out, data, len);
	if (!c->stream_raw)
		buf_puts(&c->out, "\r\n");
	return api_http_push(c);
}

void api_http_stream_end(struct api_http_conn *c)
{
	if (c->dead || c->state != API_HTTP_STREAM)
		return;
	if (!c->stream_raw && !c->head_only)
		buf_puts(&c->out, "0\r\n\r\n");
	c->state = API_HTTP_READ;
	c->close_cb = NULL;
	c->stream_raw = false;
	api_http_push(c);
	/* Pipelined requests may be waiting; they are read from the loop,
	 * not from inside whoever ended this stream. */
	api_http_kick(c);
}

void api_http_on_close(struct api_http_conn *c, api_http_close_cb *cb, void *data)
{
	if (c->dead)
		return;
	c->close_cb = cb;
	c->close_data = data;
}

/* ---- WebSocket ----------------------------------------------------------------- */

/* Whether a comma-separated header value lists token (case-insensitive). */
static bool api_http_has_token(const char *list, const char *token)
{
	size_t tlen = strlen(token);

	while (*list) {
		size_t n;

		list += strspn(list, " \t,");
		n = strcspn(list, " \t,");
		if (n == tlen && strncasecmp(list, token, n) == 0)
			return true;
		list += n;
	}
	return false;
}

int api_http_ws_accept(struct api_http_conn *c, const char *protocol, api_http_ws_msg_cb *on_msg,
		       void *cbdata)
{
	char accept[32];
	struct buf extra = BUF_INIT;

	if (c->dead || c->state != API_HTTP_HANDLER)
		return -1;
	if (!c->upgrade || llhttp_get_method(&c->parser) != HTTP_GET ||
	    !api_http_has_token(buf_str(&c->hdr[API_HTTP_H_UPGRADE]), "websocket") ||
	    strcmp(buf_str(&c->hdr[API_HTTP_H_WSVERSION]), "13") != 0 ||
	    api_http_ws_accept_key(buf_str(&c->hdr[API_HTTP_H_WSKEY]), accept,
				   sizeof(accept)) < 0) {
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

int api_http_ws_send(struct api_http_conn *c, bool binary, const void *data, size_t len)
{
	if (c->dead || c->state != API_HTTP_WS || c->ws_close_sent)
		return -1;
	if (api_http_unsent(c) + len > API_HTTP_OUT_MAX) {
		api_http_kill(c);
		return -1;
	}
	api_http_ws_frame(c, binary ? API_HTTP_WS_BIN : API_HTTP_WS_TEXT, data, len);
	return api_http_push(c);
}

void api_http_ws_close(struct api_http_conn *c, uint16_t code)
{
	unsigned char b[2] = { (unsigned char)(code >> 8), (unsigned char)code };

	if (c->dead || c->state != API_HTTP_WS || c->ws_close_sent)
		return;
	api_http_ws_frame(c, API_HTTP_WS_CLOSE, b, 2);
	c->ws_close_sent = true;
	c->close_after = true;
	c->close_cb = NULL;
	api_http_push(c);
	api_http_kick(c);
}

/* ---- other upgraded protocols -------------------------------------------------- */

int api_http_raw_accept(struct api_http_conn *c, const char *upgrade, const char *extra_headers,
			api_http_raw_cb *on_data, void *cbdata)
{
	struct buf extra = BUF_INIT;

	if (c->dead || c->state != API_HTTP_HANDLER)
		return -1;
	if (!c->upgrade || !api_http_has_token(buf_str(&c->hdr[API_HTTP_H_UPGRADE]), upgrade)) {
		c->close_after = true;
		api_http_fail(c, 400, "bad upgrade request");
		return -1;
	}
	buf_printf(&extra, "Connection: Upgrade\r\nUpgrade: %s\r\n%s", upgrade,
		   extra_headers ? extra_headers : "");
	c->close_after = false;
	c->http10 = false;
	c->head_only = false;
	api_http_queue_response(c, 101, NULL, buf_str(&extra), NULL, 0);
	buf_free(&extra);
	c->state = API_HTTP_RAW;
	c->raw_data = on_data;
	c->raw_cbdata = cbdata;
	return 0;
}

int api_http_raw_send(struct api_http_conn *c, const void *data, size_t len)
{
	if (c->dead || c->state != API_HTTP_RAW || c->close_after)
		return -1;
	if (api_http_unsent(c) + len > API_HTTP_OUT_MAX) {
		api_http_kill(c);
		return -1;
	}
	api_http_out_compact(c);
	buf_append(&c->out, data, len);
	return api_http_push(c);
}

void api_http_raw_close(struct api_http_conn *c)
{
	if (c->dead || c->state != API_HTTP_RAW || c->close_after)
		return;
	c->close_after = true;
	c->close_cb = NULL;
	c->raw_data = NULL;
	api_http_push(c);
	api_http_kick(c);
}

void api_http_pause_input(struct api_http_conn *c, bool paused)
{
	if (c->dead || c->in_paused == paused)
		return;
	c->in_paused = paused;
	/* What is buffered is handed on from the loop, not from inside the
	 * caller. */
	if (!paused)
		api_http_kick(c);
}

void api_http_add_header(struct api_http_conn *c, const char *name, const char *value)
{
	if (c->dead || c->state != API_HTTP_HANDLER)
		return;
	/* A value never ends a header line early. */
	buf_printf(&c->more_hdrs, "%s: %.*s\r\n", name, (int)strcspn(value, "\r\n"), value);
}
