/* echo_conn.c — one client connection: read, parse, answer, write.
 *
 * llhttp is a streaming parser: it never buffers, and it hands header
 * values over in pieces that may straddle reads. The few values that
 * matter (URL, forwarding headers, Accept, Expect) are copied into the
 * connection's arena as they arrive; everything else is parsed and
 * forgotten. The parser is paused at the end of every request head and
 * every request, which tells exactly how many bytes the head took (431
 * above ECHO_HEAD_MAX) and lets pipelined requests be answered one by one
 * into the output buffer, written with one send() per batch.
 *
 * llhttp 8 runs with its lenient flags off, yet lets through requests
 * that RFC 9112 has a server refuse with 400: whitespace between a field
 * name and its colon, an HTTP/1.1 request without a Host, more than one
 * Host in any request; and obs-fold lines, which it allows refusing. A
 * proxy and a server that read such a request differently is how requests
 * are smuggled past the proxy, so the callbacks refuse them (400), as well
 * as CONNECT (400: nothing to tunnel to) and any version but 1.0 and 1.1
 * (505).
 *
 * The connection's life:
 *
 *   PROXY --header ok--> HTTP --answer with Connection: close--> LINGER --FIN--> closed
 *     \--bad header--> closed    \--bad request: 400/413/431/505-/
 *
 * LINGER half-closes our side and reads until the peer's FIN so that a
 * peer still sending (a refused body, pipelined requests) gets our last
 * answer instead of a reset.
 */
#include "echo_server.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_realip.h"
#include "jsonw.h"
#include "log.h"
#include "sock.h"

enum {
	ECHO_PAUSE_NONE,
	ECHO_PAUSE_HEADERS,
	ECHO_PAUSE_MESSAGE,
};

enum echo_route {
	ECHO_ROUTE_TEXT,
	ECHO_ROUTE_JSON,
	ECHO_ROUTE_HEALTHZ,
};

static struct echo_conn *echo_conn_of(llhttp_t *p)
{
	return p->data;
}

/* --- capturing the request head ------------------------------------- */

static void echo_conn_arena_add(struct echo_conn *c, struct echo_span *sp, const char *at, size_t len)
{
	struct echo_req *r = &c->req;

	/* Pieces of one value arrive back to back with nothing appended in
	 * between, so the span grows in place. An overflowing head is
	 * answered with 431 anyway; the flag makes sure of it. */
	if (len > (size_t)(ECHO_HEAD_MAX - r->arena_len)) {
		r->arena_full = true;
		return;
	}
	memcpy(c->arena + r->arena_len, at, len);
	r->arena_len = (uint16_t)(r->arena_len + len);
	sp->len = (uint16_t)(sp->len + len);
}

static int echo_conn_on_message_begin(llhttp_t *p)
{
	struct echo_conn *c = echo_conn_of(p);

	memset(&c->req, 0, sizeof(c->req));
	return 0;
}

/* Stops the parser; the request is answered with status and the
 * connection closed. */
static int echo_conn_refuse(struct echo_req *r, uint16_t status)
{
	r->refuse = status;
	return HPE_USER;
}

static int echo_conn_on_url(llhttp_t *p, const char *at, size_t len)
{
	struct echo_conn *c = echo_conn_of(p);

	echo_conn_arena_add(c, &c->req.url, at, len);
	return 0;
}

static int echo_conn_on_version(llhttp_t *p, const char *at, size_t len)
{
	struct echo_req *r = &echo_conn_of(p)->req;

	/* llhttp refuses a version it does not know (2.5, 9.9) and a
	 * malformed one alike; only the text tells 505 from 400. */
	if (r->version_len > sizeof(r->version) || len > sizeof(r->version) - r->version_len) {
		r->version_len = sizeof(r->version) + 1;
		return 0;
	}
	memcpy(r->version + r->version_len, at, len);
	r->version_len = (uint8_t)(r->version_len + len);
	return 0;
}

static int echo_conn_on_header_field(llhttp_t *p, const char *at, size_t len)
{
	struct echo_req *r = &echo_conn_of(p)->req;

	/* llhttp 8 takes "Host : x" for a field "Host " (RFC 9112 5.1: must
	 * be 400). A proxy that trims the name and one that keeps it disagree
	 * about which headers the request has. */
	if (memchr(at, ' ', len) || memchr(at, '\t', len))
		return echo_conn_refuse(r, 400);
	/* Names longer than the buffer are none of the ones looked for. */
	if (r->name_len + len >= sizeof(r->name)) {
		r->name_len = sizeof(r->name);
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		char ch = at[i];

		r->name[r->name_len++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
	}
	return 0;
}

static bool echo_conn_name_is(const struct echo_req *r, const char *name, size_t n)
{
	return r->name_len == n && memcmp(r->name, name, n) == 0;
}

static int echo_conn_on_header_field_complete(llhttp_t *p)
{
	struct echo_conn *c = echo_conn_of(p);
	struct echo_req *r = &c->req;

	/* Counted for the check at the end of the head; a Host in trailers is
	 * not the request's. */
	if (c->in_head && r->nhost < 2 && echo_conn_name_is(r, "host", 4))
		r->nhost++;
	/* Trailers of a chunked body come after the head a proxy vouched for:
	 * an X-Forwarded-For there would pass for the nearest hop. */
	if (!c->in_head)
		r->cur_kind = ECHO_HDR_OTHER;
	else if (echo_conn_name_is(r, "x-forwarded-for", 15))
		r->cur_kind = ECHO_HDR_XFF;
	else if (echo_conn_name_is(r, "x-real-ip", 9))
		r->cur_kind = ECHO_HDR_XREALIP;
	else if (echo_conn_name_is(r, "forwarded", 9))
		r->cur_kind = ECHO_HDR_FORWARDED;
	else if (echo_conn_name_is(r, "accept", 6))
		r->cur_kind = ECHO_HDR_ACCEPT;
	else if (echo_conn_name_is(r, "expect", 6))
		r->cur_kind = ECHO_HDR_EXPECT;
	else
		r->cur_kind = ECHO_HDR_OTHER;
	r->name_len = 0;
	r->cur.off = r->arena_len;
	r->cur.len = 0;
	return 0;
}

/* Whether the bytes before end, back to the last line break, are blanks
 * only; at begin the answer is carried over from earlier input, before. */
static bool echo_conn_after_break(const char *begin, const char *end, bool before)
{
	while (end > begin && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end > begin ? end[-1] == '\n' : before;
}

static int echo_conn_on_header_value(llhttp_t *p, const char *at, size_t len)
{
	struct echo_conn *c = echo_conn_of(p);

	/* A piece of a value that starts a line, after blanks, is an obs-fold
	 * continuation line, which llhttp 8 joins to the value (or takes for
	 * the value when the line before had none). RFC 9112 5.2 lets a server
	 * refuse it; one that joins and one that does not read different
	 * values. Any other piece follows the colon and its blanks, or the end
	 * of the previous read. (An empty value is an empty piece after its
	 * line break.) */
	if (len > 0 && echo_conn_after_break(c->in + c->in_off, at, c->after_break))
		return echo_conn_refuse(&c->req, 400);
	if (c->req.cur_kind != ECHO_HDR_OTHER)
		echo_conn_arena_add(c, &c->req.cur, at, len);
	return 0;
}

static bool echo_conn_ci_eq(const char *a, size_t n, const char *lower)
{
	return strlen(lower) == n && strncasecmp(a, lower, n) == 0;
}

/* True if an Accept value lists application/json as a media range. */
static bool echo_conn_accepts_json(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t b = i, e;

		while (i < n && v[i] != ',')
			i++;
		e = i++;
		for (size_t k = b; k < e; k++) {
			if (v[k] == ';') {
				e = k; /* parameters (q=...) do not change the type */
				break;
			}
		}
		while (b < e && (v[b] == ' ' || v[b] == '\t'))
			b++;
		while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (echo_conn_ci_eq(v + b, e - b, "application/json"))
			return true;
	}
	return false;
}

static int echo_conn_on_header_value_complete(llhttp_t *p)
{
	struct echo_conn *c = echo_conn_of(p);
	struct echo_req *r = &c->req;
	const char *v = c->arena + r->cur.off;

	while (r->cur.len > 0 && (v[r->cur.len - 1] == ' ' || v[r->cur.len - 1] == '\t'))
		r->cur.len--;
	switch (r->cur_kind) {
	case ECHO_HDR_XFF:
	case ECHO_HDR_XREALIP:
	case ECHO_HDR_FORWARDED:
		/* Dropping a line could hide the hop a trusted proxy added:
		 * too many is refused (431), never truncated. */
		if (r->nfwd == ECHO_MAX_FWD) {
			r->too_many = true;
			break;
		}
		r->fwd[r->nfwd] = r->cur;
		r->fwd_kind[r->nfwd] = r->cur_kind;
		r->nfwd++;
		return 0;
	case ECHO_HDR_ACCEPT:
		r->accept_json = r->accept_json || echo_conn_accepts_json(v, r->cur.len);
		break;
	case ECHO_HDR_EXPECT:
		r->expect_continue = echo_conn_ci_eq(v, r->cur.len, "100-continue");
		break;
	default:
		return 0;
	}
	r->arena_len = r->cur.off; /* the value is used up */
	return 0;
}

static int echo_conn_on_headers_complete(llhttp_t *p)
{
	struct echo_conn *c = echo_conn_of(p);
	struct echo_req *r = &c->req;

	r->method = llhttp_get_method(p);
	r->http_major = llhttp_get_http_major(p);
	r->http_minor = llhttp_get_http_minor(p);
	r->keep_alive = llhttp_should_keep_alive(p);
	r->upgrade = llhttp_get_upgrade(p);
	c->pause = ECHO_PAUSE_HEADERS;
	return HPE_PAUSED;
}

static int echo_conn_on_body(llhttp_t *p, const char *at, size_t len)
{
	struct echo_conn *c = echo_conn_of(p);

	(void)at;
	c->req.body_bytes += len;
	return c->req.body_bytes > ECHO_BODY_MAX ? echo_conn_refuse(&c->req, 413) : 0;
}

static int echo_conn_on_message_complete(llhttp_t *p)
{
	echo_conn_of(p)->pause = ECHO_PAUSE_MESSAGE;
	return HPE_PAUSED;
}

static const llhttp_settings_t echo_conn_settings = {
	.on_message_begin = echo_conn_on_message_begin,
	.on_url = echo_conn_on_url,
	.on_version = echo_conn_on_version,
	.on_header_field = echo_conn_on_header_field,
	.on_header_field_complete = echo_conn_on_header_field_complete,
	.on_header_value = echo_conn_on_header_value,
	.on_header_value_complete = echo_conn_on_header_value_complete,
	.on_headers_complete = echo_conn_on_headers_complete,
	.on_body = echo_conn_on_body,
	.on_message_complete = echo_conn_on_message_complete,
};

/* --- answers ---------------------------------------------------------- */

/* Every status this file sends; the reason phrases are RFC 9110's. */
static const struct {
	int status;
	const char *line;
	const char *body;       /* the text of an answer that has no other */
} echo_conn_statuses[] = {
	{ 200, "HTTP/1.1 200 OK\r\n", "ok\n" },
	{ 400, "HTTP/1.1 400 Bad Request\r\n", "bad request\n" },
	{ 413, "HTTP/1.1 413 Content Too Large\r\n", "content too large\n" },
	{ 431, "HTTP/1.1 431 Request Header Fields Too Large\r\n",
	  "request header fields too large\n" },
	{ 500, "HTTP/1.1 500 Internal Server Error\r\n", "internal server error\n" },
	{ 503, "HTTP/1.1 503 Service Unavailable\r\n", "service unavailable\n" },
	{ 505, "HTTP/1.1 505 HTTP Version Not Supported\r\n", "http version not supported\n" },
};

#define ECHO_CONN_NSTATUS (sizeof(echo_conn_statuses) / sizeof(echo_conn_statuses[0]))

/* The table entry of status; a status missing from it is a bug here, and
 * is sent as 500 rather than under another status's reason phrase. */
static size_t echo_conn_status_index(int status)
{
	size_t i500 = 0;

	for (size_t i = 0; i < ECHO_CONN_NSTATUS; i++) {
		if (echo_conn_statuses[i].status == status)
			return i;
		if (echo_conn_statuses[i].status == 500)
			i500 = i;
	}
	log_error("no reason phrase for status %d; answering 500", status);
	return i500;
}

static void echo_conn_put(struct buf *b, const char *s, size_t n)
{
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

#define ECHO_PUT_LIT(b, lit) echo_conn_put((b), (lit), sizeof(lit) - 1)

/* Writes the status line and headers. The hot path: one reservation, then
 * plain copies. */
static void echo_conn_put_head(struct echo_conn *c, int status, const char *ctype,
			       size_t body_len, bool keep_alive)
{
	struct buf *b = &c->out;
	const struct echo_req *r = &c->req;
	const char *sline = echo_conn_statuses[echo_conn_status_index(status)].line;
	size_t slen = strlen(sline), dlen, clen = strlen(ctype);
	const char *date = echo_worker_date(c->w, &dlen);
	char num[24], *n = num + sizeof(num);

	/* status, 4 header names, CRLFs, a 20-digit length: 128 covers the rest. */
	if (buf_reserve(b, slen + clen + dlen + 128) < 0) {
		c->close_after = true;
		c->stop = true;
		return;
	}
	echo_conn_put(b, sline, slen);
	ECHO_PUT_LIT(b, "Content-Type: ");
	echo_conn_put(b, ctype, clen);
	ECHO_PUT_LIT(b, "\r\nContent-Length: ");
	do {
		*--n = (char)('0' + body_len % 10);
		body_len /= 10;
	} while (body_len);
	echo_conn_put(b, n, (size_t)(num + sizeof(num) - n));
	ECHO_PUT_LIT(b, "\r\n");
	echo_conn_put(b, date, dlen);
	if (!keep_alive)
		ECHO_PUT_LIT(b, "Connection: close\r\n");
	else if (r->http_major == 1 && r->http_minor == 0)
		ECHO_PUT_LIT(b, "Connection: keep-alive\r\n");
	ECHO_PUT_LIT(b, "\r\n");
	b->data[b->len] = '\0';
}

/* An error answer ends the connection: after a bad request the stream
 * cannot be trusted to be at a request boundary. body NULL: the status's
 * own text. */
static void echo_conn_error(struct echo_conn *c, int status, const char *body)
{
	size_t i = echo_conn_status_index(status), n;

	status = echo_conn_statuses[i].status;
	if (!body)
		body = echo_conn_statuses[i].body;
	n = strlen(body);
	echo_conn_put_head(c, status, "text/plain", n, false);
	buf_append(&c->out, body, n);
	c->close_after = true;
	c->stop = true;
	if (c->w->cfg->verbose)
		log_debug("%s: answered %d", c->base_str, status);
}

static enum echo_route echo_conn_route(const struct echo_conn *c)
{
	const struct echo_req *r = &c->req;
	const char *u = c->arena + r->url.off, *end = u + r->url.len, *path = u;
	size_t n;

	/* An absolute-form target (http://host/path) routes by its path. */
	if (r->url.len > 0 && u[0] != '/') {
		const char *scheme = memmem(u, r->url.len, "://", 3);

		path = end;
		if (scheme) {
			const char *slash = memchr(scheme + 3, '/', (size_t)(end - scheme - 3));

			if (slash)
				path = slash;
		}
	}
	n = (size_t)(end - path);
	for (size_t i = 0; i < n; i++) {
		if (path[i] == '?' || path[i] == '#') {
			n = i;
			break;
		}
	}
	if (n == 8 && memcmp(path, "/healthz", 8) == 0)
		return ECHO_ROUTE_HEALTHZ;
	if ((n == 5 && memcmp(path, "/json", 5) == 0) || r->accept_json)
		return ECHO_ROUTE_JSON;
	return ECHO_ROUTE_TEXT;
}

/* The client as text into out (SOCK_IP_STRLEN bytes); returns its length. */
static size_t echo_conn_client(struct echo_conn *c, char *out, const char **text)
{
	const struct echo_config *cfg = c->w->cfg;
	const struct echo_req *r = &c->req;
	struct echo_str xff[ECHO_MAX_FWD];
	struct sockaddr_storage client;
	size_t n = 0;
	int len;

	if (cfg->ntrust > 0) {
		for (unsigned i = 0; i < r->nfwd; i++) {
			if (r->fwd_kind[i] == ECHO_HDR_XFF)
				xff[n++] = (struct echo_str){ c->arena + r->fwd[i].off, r->fwd[i].len };
		}
	}
	if (n > 0 && echo_realip_client(cfg->trust, cfg->ntrust, (struct sockaddr *)&c->base,
					xff, n, &client)) {
		len = sock_format_ip((struct sockaddr *)&client, cfg->unmap, out, SOCK_IP_STRLEN);
		if (len > 0) {
			*text = out;
			return (size_t)len;
		}
	}
	*text = c->base_str;
	return c->base_len;
}

static void echo_conn_json_addr(struct jsonw *j, const char *akey, const char *pkey,
				const struct sockaddr_storage *ss, bool unmap)
{
	char ip[SOCK_IP_STRLEN];

	if (sock_format_ip((const struct sockaddr *)ss, unmap, ip, sizeof(ip)) < 0) {
		jsonw_key(j, akey);
		jsonw_null(j);
		jsonw_key(j, pkey);
		jsonw_null(j);
		return;
	}
	jsonw_kv_str(j, akey, ip);
	jsonw_kv_int(j, pkey, sock_port((const struct sockaddr *)ss));
}

static void echo_conn_json(struct echo_conn *c, const char *client, size_t client_len)
{
	static const char *const hdr_names[] = {
		[ECHO_HDR_XFF] = "x-forwarded-for",
		[ECHO_HDR_XREALIP] = "x-real-ip",
		[ECHO_HDR_FORWARDED] = "forwarded",
	};
	const struct echo_config *cfg = c->w->cfg;
	const struct echo_req *r = &c->req;
	struct buf *b = &c->w->scratch;
	struct sockaddr_storage local;
	struct jsonw j;
	char version[8];

	buf_reset(b);
	jsonw_init(&j, b, false);
	jsonw_begin_object(&j);
	jsonw_key(&j, "client");
	jsonw_strn(&j, client, client_len);
	echo_conn_json_addr(&j, "remoteAddress", "remotePort", &c->peer, cfg->unmap);
	if (sock_local_addr(c->fd, &local) < 0)
		local.ss_family = AF_UNSPEC;
	echo_conn_json_addr(&j, "localAddress", "localPort", &local, cfg->unmap);
	jsonw_kv_str(&j, "name", cfg->name);

	jsonw_key(&j, "proxy");
	if (!c->has_proxy) {
		jsonw_null(&j);
	} else {
		jsonw_begin_object(&j);
		jsonw_kv_int(&j, "version", c->proxy.version);
		jsonw_kv_str(&j, "command", c->proxy.local ? "LOCAL" :
			     c->proxy.has_addr ? "PROXY" : "UNKNOWN");
		if (c->proxy.has_addr) {
			echo_conn_json_addr(&j, "sourceAddress", "sourcePort", &c->proxy.src, cfg->unmap);
			echo_conn_json_addr(&j, "destinationAddress", "destinationPort",
					    &c->proxy.dst, cfg->unmap);
		}
		jsonw_end_object(&j);
	}

	/* As seen: one string per header line, in the order received. */
	jsonw_key(&j, "headers");
	jsonw_begin_object(&j);
	for (unsigned k = ECHO_HDR_XFF; k <= ECHO_HDR_FORWARDED; k++) {
		jsonw_key(&j, hdr_names[k]);
		jsonw_begin_array(&j);
		for (unsigned i = 0; i < r->nfwd; i++) {
			if (r->fwd_kind[i] == k)
				jsonw_strn(&j, c->arena + r->fwd[i].off, r->fwd[i].len);
		}
		jsonw_end_array(&j);
	}
	jsonw_end_object(&j);

	jsonw_key(&j, "request");
	jsonw_begin_object(&j);
	jsonw_kv_str(&j, "method", llhttp_method_name((llhttp_method_t)r->method));
	jsonw_key(&j, "url");
	jsonw_strn(&j, c->arena + r->url.off, r->url.len);
	snprintf(version, sizeof(version), "%u.%u", r->http_major, r->http_minor);
	jsonw_kv_str(&j, "httpVersion", version);
	jsonw_end_object(&j);
	jsonw_end_object(&j);
	if (cfg->newline)
		buf_putc(b, '\n');
}

static void echo_conn_respond(struct echo_conn *c)
{
	const struct echo_config *cfg = c->w->cfg;
	const struct echo_req *r = &c->req;
	bool keep = r->keep_alive && !r->upgrade && !c->w->draining && !c->close_after;
	bool head = r->method == HTTP_HEAD;
	char client[SOCK_IP_STRLEN + 1];
	const char *body, *ctype = "text/plain";
	size_t blen;
	int status = 200;

	switch (echo_conn_route(c)) {
	case ECHO_ROUTE_HEALTHZ:
		if (c->w->draining) {
			status = 503;
			body = cfg->newline ? "draining\n" : "draining";
		} else {
			body = cfg->newline ? "ok\n" : "ok";
		}
		blen = strlen(body);
		break;
	case ECHO_ROUTE_JSON:
		blen = echo_conn_client(c, client, &body);
		echo_conn_json(c, body, blen);
		if (c->w->scratch.oom) {
			echo_conn_error(c, 503, "out of memory\n");
			return;
		}
		body = c->w->scratch.data;
		blen = c->w->scratch.len;
		ctype = "application/json";
		break;
	default:
		blen = echo_conn_client(c, client, &body);
		if (cfg->newline) {
			if (body != client)
				memcpy(client, body, blen);
			client[blen++] = '\n';
			body = client;
		}
		break;
	}
	echo_conn_put_head(c, status, ctype, blen, keep);
	if (!head)
		buf_append(&c->out, body, blen);
	if (!keep) {
		c->close_after = true;
		c->stop = true;
		c->request_whole = true;
	}
}

/* --- parsing ---------------------------------------------------------- */

/* True for a version this server speaks: 1.0 and 1.1. */
static bool echo_conn_version_ok(unsigned major, unsigned minor)
{
	return major == 1 && minor <= 1;
}

/* True if the request line had a well-formed version ("D.D") that llhttp
 * refused because it does not speak it. */
static bool echo_conn_version_unknown(const struct echo_req *r)
{
	const char *v = r->version;

	return r->version_len == 3 && v[0] >= '0' && v[0] <= '9' && v[1] == '.' &&
	       v[2] >= '0' && v[2] <= '9' &&
	       !echo_conn_version_ok((unsigned)(v[0] - '0'), (unsigned)(v[2] - '0'));
}

static void echo_conn_headers_done(struct echo_conn *c)
{
	const struct echo_req *r = &c->req;

	c->in_head = false;
	if (c->head_bytes > ECHO_HEAD_MAX || r->arena_full || r->too_many) {
		echo_conn_error(c, 431, NULL);
		return;
	}
	/* llhttp accepts 0.9 and 2.0 request lines; neither is spoken here. */
	if (!echo_conn_version_ok(r->http_major, r->http_minor)) {
		echo_conn_error(c, 505, NULL);
		return;
	}
	/* RFC 9112 3.2: one Host in every HTTP/1.1 request, never two in any. */
	if (r->nhost > 1 || (r->http_minor == 1 && r->nhost == 0) || r->method == HTTP_CONNECT) {
		echo_conn_error(c, 400, NULL);
		return;
	}
	if ((c->parser.flags & F_CONTENT_LENGTH) && c->parser.content_length > ECHO_BODY_MAX) {
		echo_conn_error(c, 413, NULL);
		return;
	}
	/* Without this, a client that asked waits a second before sending
	 * the body it would have sent anyway. */
	if (r->expect_continue && r->http_major == 1 && r->http_minor >= 1 &&
	    ((c->parser.flags & F_CHUNKED) ||
	     ((c->parser.flags & F_CONTENT_LENGTH) && c->parser.content_length > 0)))
		buf_append(&c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
}

static void echo_conn_message_done(struct echo_conn *c)
{
	echo_conn_respond(c);
	c->in_head = true;
	c->head_bytes = 0;
	/* The next request gets a full header timeout of its own. */
	if (!c->stop)
		echo_worker_set_timeout(c->w, c, ECHO_TMO_HEADER);
}

static void echo_conn_parse(struct echo_conn *c)
{
	/* After a pause at the end of a head, llhttp needs one more call,
	 * even without input, to finish a request that has no body. */
	bool resume = false;

	while (!c->stop && (c->in_off < c->in_len || resume)) {
		const char *p = c->in + c->in_off;
		size_t n = c->in_len - c->in_off, used;
		llhttp_errno_t err;

		c->pause = ECHO_PAUSE_NONE;
		err = llhttp_execute(&c->parser, p, n);
		if (err == HPE_OK) {
			c->after_break = echo_conn_after_break(p, p + n, c->after_break);
			c->in_off = c->in_len;
			if (c->in_head) {
				c->head_bytes += (uint32_t)n;
				if (c->head_bytes > ECHO_HEAD_MAX || c->req.arena_full)
					echo_conn_error(c, 431, NULL);
			}
			return;
		}
		if (err == HPE_PAUSED && c->pause != ECHO_PAUSE_NONE) {
			used = (size_t)(llhttp_get_error_pos(&c->parser) - p);
			c->after_break = echo_conn_after_break(p, p + used, c->after_break);
			c->in_off += used;
			llhttp_resume(&c->parser);
			resume = c->pause == ECHO_PAUSE_HEADERS;
			if (resume) {
				c->head_bytes += (uint32_t)used;
				echo_conn_headers_done(c);
			} else {
				echo_conn_message_done(c);
				/* A client pipelining faster than it reads waits
				 * here, between requests, until its answers drain. */
				if (c->out.len - c->out_off >= ECHO_OUT_HIGH && c->in_off < c->in_len) {
					c->backpressure = true;
					return;
				}
			}
			continue;
		}
		if (err == HPE_USER && c->req.refuse)
			echo_conn_error(c, c->req.refuse, NULL);
		else if ((err == HPE_INVALID_VERSION && echo_conn_version_unknown(&c->req)) ||
			 err == HPE_PAUSED_H2_UPGRADE)
			echo_conn_error(c, 505, NULL); /* HTTP/2's preface, PRI * HTTP/2.0, too */
		else
			echo_conn_error(c, 400, NULL);
		return;
	}
}

static void echo_conn_set_base(struct echo_conn *c, const struct sockaddr_storage *ss)
{
	int n;

	memcpy(&c->base, ss, sizeof(*ss));
	n = sock_format_ip((const struct sockaddr *)ss, c->w->cfg->unmap, c->base_str,
			   sizeof(c->base_str));
	if (n < 0) {
		/* Not an IP peer (a test's socketpair): say so rather than nothing. */
		snprintf(c->base_str, sizeof(c->base_str), "unknown");
		n = 7;
	}
	c->base_len = (uint8_t)n;
}

/* Returns -1 when the connection must close without a word. */
static int echo_conn_input(struct echo_conn *c)
{
	if (c->state == ECHO_CONN_PROXY) {
		int n = proxyproto_parse(c->in, c->in_len, &c->proxy);

		if (n == 0) {
			if (c->in_len < ECHO_IN_SIZE && !c->peer_eof)
				return 0;
			n = -EPROTO;
		}
		if (n < 0) {
			if (c->w->cfg->verbose)
				log_debug("%s: bad PROXY protocol header", c->base_str);
			return -1;
		}
		c->in_off = (size_t)n;
		c->state = ECHO_CONN_HTTP;
		c->has_proxy = true;
		if (c->proxy.has_addr && !c->proxy.local)
			echo_conn_set_base(c, &c->proxy.src);
	}
	c->backpressure = false;
	echo_conn_parse(c);
	if (c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
	return 0;
}

/* --- I/O -------------------------------------------------------------- */

/* 0: all sent; 1: the socket is full; -1: the connection is broken. */
static int echo_conn_flush(struct echo_conn *c, bool *progress)
{
	size_t before = c->out_off;
	int rc = sock_send_pending(c->fd, c->out.data, c->out.len, &c->out_off);

	if (c->out_off != before)
		*progress = true;
	if (rc != 0)
		return rc > 0 ? 1 : -1;
	c->out.len = 0;
	c->out_off = 0;
	return 0;
}

static int echo_conn_watch(struct echo_conn *c, unsigned events)
{
	if (c->watching == events)
		return 0;
	if (ev_watch(c->w->loop, c->fd, events, echo_conn_on_io, c) < 0)
		return -1;
	c->watching = events;
	return 0;
}

static void echo_conn_linger_read(struct echo_conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in, sizeof(c->in), 0);

		if (n > 0) {
			/* Bounded: a peer may not keep us reading forever. */
			c->req.body_bytes += (size_t)n;
			if (c->req.body_bytes > ECHO_BODY_MAX)
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		break; /* FIN or error: done */
	}
	echo_conn_close(c);
}

static void echo_conn_linger(struct echo_conn *c)
{
	if (c->peer_eof || shutdown(c->fd, SHUT_WR) < 0) {
		echo_conn_close(c);
		return;
	}
	c->state = ECHO_CONN_LINGER;
	c->req.body_bytes = 0;
	echo_worker_set_timeout(c->w, c, ECHO_TMO_LINGER);
	if (echo_conn_watch(c, EV_READ) < 0) {
		echo_conn_close(c);
		return;
	}
	echo_conn_linger_read(c);
}

/* Reads, answers and writes until the socket would block either way. */
static void echo_conn_run(struct echo_conn *c, bool readable)
{
	/* Reads per wake-up: a client sending without pause must not keep the
	 * loop from its other connections. Level-triggered epoll calls again. */
	int budget = 16;

	for (;;) {
		bool progress = false;
		size_t room;
		ssize_t n;
		int r;

		if (c->in_off < c->in_len && !c->stop && echo_conn_input(c) < 0)
			goto close;
		r = echo_conn_flush(c, &progress);
		if (r < 0)
			goto close;
		if (r > 0) {
			/* A reader this slow still gets a full timeout per step. */
			if (progress || c->watching != EV_WRITE)
				echo_worker_set_timeout(c->w, c, ECHO_TMO_HEADER);
			if (echo_conn_watch(c, EV_WRITE) < 0)
				goto close;
			return;
		}
		if (c->close_after) {
			/* After a whole request whose bytes were the last the
			 * socket held (the last read was short), nothing of the
			 * client's is unread: close at once, as nginx does. Else
			 * a close would reset the connection, and the client
			 * could lose the answer: send FIN and read until its own. */
			if (c->request_whole && !readable && c->in_off == c->in_len)
				goto close;
			echo_conn_linger(c);
			return;
		}
		if (c->backpressure)
			continue;
		if (c->peer_eof)
			goto close; /* all answered; a partial request dies with the peer */
		if (!readable || budget-- == 0)
			break;
		if (c->in_off > 0) {
			memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
			c->in_len -= c->in_off;
			c->in_off = 0;
		}
		room = ECHO_IN_SIZE - c->in_len;
		if (room == 0)
			break;
		n = recv(c->fd, c->in + c->in_len, room, 0);
		if (n > 0) {
			c->in_len += (size_t)n;
			/* A full read may have left more behind; a short one did not. */
			readable = (size_t)n == room;
			continue;
		}
		if (n == 0) {
			c->peer_eof = true;
			if (c->state == ECHO_CONN_PROXY)
				goto close;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		goto close;
	}
	if (echo_conn_watch(c, EV_READ) < 0)
		goto close;
	return;
close:
	echo_conn_close(c);
}

void echo_conn_on_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct echo_conn *c = data;

	(void)loop;
	(void)fd;
	if (c->state == ECHO_CONN_LINGER) {
		echo_conn_linger_read(c);
		return;
	}
	echo_conn_run(c, (events & EV_READ) != 0);
}

void echo_conn_init(struct echo_conn *c, struct echo_worker *w, int fd,
		    const struct sockaddr_storage *peer, const struct echo_listener *l)
{
	struct buf out = c->out;

	/* Everything before the buffers; those are overwritten before use. */
	memset(c, 0, offsetof(struct echo_conn, in));
	buf_reset(&out);
	c->out = out;
	c->w = w;
	c->l = l;
	c->fd = fd;
	c->state = l && l->conf && l->conf->proxy ? ECHO_CONN_PROXY : ECHO_CONN_HTTP;
	c->in_head = true;
	memcpy(&c->peer, peer, sizeof(*peer));
	echo_conn_set_base(c, peer);
	llhttp_init(&c->parser, HTTP_REQUEST, &echo_conn_settings);
	c->parser.data = c;
}

void echo_conn_close(struct echo_conn *c)
{
	ev_close(c->w->loop, c->fd);
	c->fd = -1;
	echo_worker_release(c->w, c);
}
