/* httpd.c — see httpd.h. */
#include "httpd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <llhttp.h>

#include "acceptor.h"
#include "sock.h"

#define HTTPD_URL_MAX 2048

struct httpd_conn {
	struct httpd *srv;
	struct httpd_conn *prev, *next;
	int fd;
	llhttp_t parser;
	struct sockaddr_in peer;
	struct buf in;                /* received, not yet parsed */
	struct buf out;               /* response bytes not yet written */
	size_t out_off;
	struct buf url;
	size_t head_bytes;            /* of the request being parsed */
	bool in_message;              /* a request has started */
	bool complete;                /* a request is parsed and awaits its response */
	bool close_after;             /* close once out is written */
	bool error;                   /* respond with err_status, then close */
	bool draining;                /* error sent, write side shut: discarding input */
	int err_status;
	uint64_t timer;
	/* The timer is the request's head timeout, armed at its first byte
	 * (or at accept): more bytes do not push it back. */
	bool head_timing;

	/* A streamed response (httpd_resp_stream): the stream is the
	 * connection itself. */
	bool streaming;
	bool stream_ended;
	httpd_stream_gone_cb *on_gone;
	void *gone_data;
};

/* What a handler streams to is the connection; the type only hides it. */
struct httpd_stream {
	struct httpd_conn conn;
};

struct httpd {
	struct ev_loop *loop;
	int fd;
	struct acceptor *acceptor;
	int port;
	struct httpd_limits lim;
	httpd_handler *fn;
	void *data;
	llhttp_settings_t settings;
	struct httpd_conn *conns;
	int n_conns;
};

static void httpd_conn_close(struct httpd_conn *c);
static void httpd_conn_io(struct ev_loop *loop, int fd, unsigned events, void *data);
static void httpd_conn_advance(struct httpd_conn *c);

const char *httpd_status_phrase(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Request Entity Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 426: return "Upgrade Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return NULL;
	}
}

const char *httpd_reason(int status)
{
	const char *phrase = httpd_status_phrase(status);

	return phrase ? phrase : "Unknown";
}

void httpd_resp_header(struct httpd_resp *resp, const char *name, const char *fmt, ...)
{
	va_list ap;

	buf_printf(&resp->headers, "%s: ", name);
	va_start(ap, fmt);
	buf_vprintf(&resp->headers, fmt, ap);
	va_end(ap);
	buf_puts(&resp->headers, "\r\n");
}

/* ---- query strings -------------------------------------------------------- */

static int httpd_hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int httpd_path_decode(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (*r == '%') {
			int hi = httpd_hexval((unsigned char)r[1]);
			int lo = hi < 0 ? -1 : httpd_hexval((unsigned char)r[2]);

			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*w++ = (char)(hi << 4 | lo);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return 0;
}

/* The next byte of a form-encoded query component: '+' is a space, %XX
 * its byte; a malformed escape stands for itself, as browsers leave it. */
static char httpd_qs_next(const char **pp)
{
	const char *p = *pp;
	int hi, lo;

	if (*p == '+') {
		*pp = p + 1;
		return ' ';
	}
	if (*p == '%' && (hi = httpd_hexval((unsigned char)p[1])) >= 0 &&
	    (lo = httpd_hexval((unsigned char)p[2])) >= 0) {
		*pp = p + 3;
		return (char)(hi << 4 | lo);
	}
	*pp = p + 1;
	return *p;
}

static bool httpd_qs_key_is(const char *p, const char *end, const char *key)
{
	while (p < end) {
		if (!*key || httpd_qs_next(&p) != *key)
			return false;
		key++;
	}
	return *key == '\0';
}

const char *httpd_query_next(const char *query, const char *key, const char **cursor,
				char *out, size_t len)
{
	const char *p = *cursor ? *cursor : query;

	if (!query || !key || !out || !len)
		return NULL;
	while (*p) {
		const char *end = strchr(p, '&');
		const char *eq;

		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		*cursor = *end ? end + 1 : end;
		if (end > p && httpd_qs_key_is(p, eq ? eq : end, key)) {
			const char *v = eq ? eq + 1 : end;
			size_t n = 0;

			/* Longer values are cut at len - 1 bytes. */
			while (v < end && n + 1 < len)
				out[n++] = httpd_qs_next(&v);
			out[n] = '\0';
			return out;
		}
		p = *cursor;
	}
	return NULL;
}

const char *httpd_query_get(const char *query, const char *key, char *out, size_t len)
{
	const char *cursor = NULL;

	return httpd_query_next(query, key, &cursor, out, len);
}

/* ---- parser callbacks ----------------------------------------------------- */

static int httpd_on_message_begin(llhttp_t *p)
{
	struct httpd_conn *c = p->data;

	c->in_message = true;
	buf_reset(&c->url);
	return 0;
}

static int httpd_on_url(llhttp_t *p, const char *at, size_t len)
{
	struct httpd_conn *c = p->data;

	if (c->url.len + len > HTTPD_URL_MAX) {
		c->err_status = 414;
		return HPE_USER;
	}
	buf_append(&c->url, at, len);
	return 0;
}

static int httpd_on_headers_complete(llhttp_t *p)
{
	(void)p;
	return 0;
}

/* Pause after each request: it is answered before the next one is
 * parsed, so responses go out in order. */
static int httpd_on_message_complete(llhttp_t *p)
{
	struct httpd_conn *c = p->data;

	c->complete = true;
	c->in_message = false;
	return HPE_PAUSED;
}

/* ---- connections ---------------------------------------------------------- */

static void httpd_conn_timeout(struct ev_loop *loop, uint64_t id, void *data)
{
	struct httpd_conn *c = data;

	(void)loop;
	(void)id;
	c->timer = 0;
	httpd_conn_close(c);
}

static void httpd_conn_arm(struct httpd_conn *c, uint64_t ms)
{
	if (c->timer)
		ev_timer_cancel(c->srv->loop, c->timer);
	c->timer = ev_timer_add(c->srv->loop, ms, httpd_conn_timeout, c);
}

static struct httpd_stream *httpd_conn_stream(struct httpd_conn *c)
{
	return (struct httpd_stream *)c;
}

static void httpd_conn_close(struct httpd_conn *c)
{
	struct httpd *s = c->srv;

	if (c->streaming && !c->stream_ended && c->on_gone)
		c->on_gone(httpd_conn_stream(c), c->gone_data);
	if (c->timer)
		ev_timer_cancel(s->loop, c->timer);
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
	free(c);
}

static void httpd_queue_response(struct httpd_conn *c, int status, const char *ctype,
				 const struct buf *headers, const struct buf *body, bool head_only)
{
	buf_printf(&c->out, "HTTP/1.1 %d %s\r\n", status, httpd_reason(status));
	buf_printf(&c->out, "Content-Type: %s\r\n", ctype);
	if (headers && headers->len)
		buf_append(&c->out, headers->data, headers->len);
	if (!c->streaming)
		buf_printf(&c->out, "Content-Length: %zu\r\n", body ? body->len : 0);
	if (c->close_after)
		buf_puts(&c->out, "Connection: close\r\n");
	buf_puts(&c->out, "\r\n");
	if (body && body->len && !head_only)
		buf_append(&c->out, body->data, body->len);
}

static void httpd_conn_error(struct httpd_conn *c, int status)
{
	struct buf body = BUF_INIT;

	buf_printf(&body, "%s\n", httpd_reason(status));
	c->close_after = true;
	c->error = true;
	httpd_queue_response(c, status, "text/plain; charset=utf-8", NULL, &body, false);
	buf_free(&body);
}

static void httpd_conn_respond(struct httpd_conn *c)
{
	struct httpd *s = c->srv;
	struct httpd_resp resp;
	struct httpd_req req;
	const char *method = llhttp_method_name((llhttp_method_t)llhttp_get_method(&c->parser));
	char path[HTTPD_URL_MAX + 1];
	char *q;

	memset(&resp, 0, sizeof(resp));
	memset(&req, 0, sizeof(req));
	snprintf(path, sizeof(path), "%s", buf_str(&c->url));
	q = strpbrk(path, "?#");
	if (q)
		*q = '\0';
	req.method = method;
	req.target = buf_str(&c->url);
	req.path = path;
	memcpy(&req.peer, &c->peer, sizeof(c->peer));
	resp.status = 200;
	resp.conn = c;
	if (!llhttp_should_keep_alive(&c->parser))
		c->close_after = true;
	s->fn(&req, &resp, s->data);
	if (c->streaming)
		c->close_after = true;
	httpd_queue_response(c, resp.status ? resp.status : 200,
			     resp.content_type[0] ? resp.content_type : "text/plain; charset=utf-8",
			     &resp.headers, &resp.body, strcmp(method, "HEAD") == 0);
	if (resp.headers.oom || resp.body.oom || c->out.oom)
		c->close_after = true;
	buf_free(&resp.headers);
	buf_free(&resp.body);
}

/* Writes what is queued; 0 when all is out, 1 when the socket is full,
 * -1 on error. */
static int httpd_conn_flush(struct httpd_conn *c)
{
	int rc = sock_send_pending(c->fd, c->out.data, c->out.len, &c->out_off);

	if (rc != 0)
		return rc > 0 ? 1 : -1;
	buf_reset(&c->out);
	c->out_off = 0;
	return 0;
}

/* Parses what is buffered, answering each complete request in turn. */
static void httpd_conn_parse(struct httpd_conn *c)
{
	while (c->in.len > 0 && !c->complete && !c->error) {
		llhttp_errno_t e = llhttp_execute(&c->parser, c->in.data, c->in.len);
		size_t used = c->in.len;

		if (e == HPE_PAUSED) {
			used = (size_t)(llhttp_get_error_pos(&c->parser) - c->in.data);
			llhttp_resume(&c->parser);
		} else if (e != HPE_OK) {
			httpd_conn_error(c, c->err_status ? c->err_status : 400);
			return;
		}
		/* Counted also when the request ended in this very chunk. */
		if (c->in_message || c->complete)
			c->head_bytes += used;
		memmove(c->in.data, c->in.data + used, c->in.len - used);
		c->in.len -= used;
		if (c->in.data)
			c->in.data[c->in.len] = '\0';
		if (c->head_bytes > c->srv->lim.max_head) {
			httpd_conn_error(c, 431);
			return;
		}
		if (c->complete) {
			c->head_bytes = 0;
			c->head_timing = false;
			httpd_conn_respond(c);
		}
	}
}

static void httpd_conn_advance(struct httpd_conn *c)
{
	for (;;) {
		int rc = httpd_conn_flush(c);

		if (rc < 0) {
			httpd_conn_close(c);
			return;
		}
		if (rc > 0) {
			ev_watch(c->srv->loop, c->fd, EV_WRITE, httpd_conn_io, c);
			return;
		}
		if (c->streaming && !c->stream_ended) {
			/* All that was written is out; more comes from the
			 * handler. Reading tells when the client leaves. */
			if (c->timer)
				ev_timer_cancel(c->srv->loop, c->timer);
			c->timer = 0;
			c->head_timing = false;
			ev_watch(c->srv->loop, c->fd, EV_READ, httpd_conn_io, c);
			return;
		}
		if (c->close_after && c->error && !c->draining) {
			/* Closing with unread input would send a reset, and a
			 * reset may destroy the error response before the client
			 * reads it: shut the write side, read what is left (a
			 * bounded time), then close — a lingering close. */
			c->draining = true;
			shutdown(c->fd, SHUT_WR);
			ev_watch(c->srv->loop, c->fd, EV_READ, httpd_conn_io, c);
			httpd_conn_arm(c, 2000);
			return;
		}
		if (c->close_after) {
			httpd_conn_close(c);
			return;
		}
		if (!c->complete)
			break;
		/* Answered: parse the next request if one is buffered. */
		c->complete = false;
		httpd_conn_parse(c);
		if (!c->complete && !c->error)
			break;
	}
	ev_watch(c->srv->loop, c->fd, EV_READ, httpd_conn_io, c);
	if (!c->in_message && !c->in.len) {
		httpd_conn_arm(c, c->srv->lim.idle_timeout_ms);
		c->head_timing = false;
	} else if (!c->head_timing) {
		/* A request has begun: its whole head within the timeout, however
		 * it trickles in (a byte every few seconds would otherwise hold
		 * the connection, and enough of them every connection). */
		httpd_conn_arm(c, c->srv->lim.head_timeout_ms);
		c->head_timing = c->timer != 0;
	}
}

static void httpd_conn_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct httpd_conn *c = data;
	char chunk[4096];

	(void)loop;
	if (c->draining || c->streaming) {
		/* Nothing more is read from a client that is being streamed
		 * to; its end (or an error) is its leaving. */
		if (events & EV_READ) {
			ssize_t n = recv(fd, chunk, sizeof(chunk), 0);

			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				httpd_conn_close(c);
				return;
			}
		}
		if (c->draining)
			return;
		httpd_conn_advance(c);
		return;
	}
	if (events & EV_READ) {
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			httpd_conn_close(c);
			return;
		}
		if (n > 0) {
			/* Bytes that do not fit in a request head are not kept. */
			if (c->in.len + (size_t)n > c->srv->lim.max_head + sizeof(chunk)) {
				httpd_conn_error(c, 431);
			} else {
				buf_append(&c->in, chunk, (size_t)n);
				if (c->in.oom) {
					httpd_conn_close(c);
					return;
				}
				if (!c->complete)
					httpd_conn_parse(c);
			}
		}
	}
	httpd_conn_advance(c);
}

/* One connection from lib/acceptor: refused beyond the cap, else given
 * the head timeout. */
static void httpd_adopt(int cfd, const struct sockaddr_storage *peer, void *data)
{
	struct httpd *s = data;
	struct httpd_conn *c;

	if (s->n_conns >= s->lim.max_conns || !(c = calloc(1, sizeof(*c)))) {
		close(cfd);
		return;
	}
	c->srv = s;
	c->fd = cfd;
	if (peer->ss_family == AF_INET)
		memcpy(&c->peer, peer, sizeof(c->peer));
	llhttp_init(&c->parser, HTTP_REQUEST, &s->settings);
	c->parser.data = c;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
	if (ev_watch(s->loop, cfd, EV_READ, httpd_conn_io, c) < 0) {
		httpd_conn_close(c);
		return;
	}
	/* A client that connects and says nothing gets the head timeout. */
	httpd_conn_arm(c, s->lim.head_timeout_ms);
	c->head_timing = c->timer != 0;
}

struct httpd *httpd_new_listener(struct ev_loop *loop, int fd, const struct httpd_limits *limits,
				 httpd_handler *fn, void *data)
{
	struct sockaddr_storage ss;
	struct httpd *s = calloc(1, sizeof(*s));

	if (!s) {
		close(fd);
		return NULL;
	}
	s->loop = loop;
	s->fd = fd;
	s->fn = fn;
	s->data = data;
	if (limits)
		s->lim = *limits;
	if (s->lim.max_conns <= 0)
		s->lim.max_conns = 256;
	if (!s->lim.max_head)
		s->lim.max_head = 8192;
	if (!s->lim.head_timeout_ms)
		s->lim.head_timeout_ms = 10000;
	if (!s->lim.idle_timeout_ms)
		s->lim.idle_timeout_ms = 30000;
	llhttp_settings_init(&s->settings);
	s->settings.on_message_begin = httpd_on_message_begin;
	s->settings.on_url = httpd_on_url;
	s->settings.on_headers_complete = httpd_on_headers_complete;
	s->settings.on_message_complete = httpd_on_message_complete;
	if (sock_local_addr(fd, &ss) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
		s->port = sock_port((struct sockaddr *)&ss);
	if (!(s->acceptor = acceptor_new(loop, fd, httpd_adopt, s))) {
		close(fd);
		free(s);
		return NULL;
	}
	return s;
}

struct httpd *httpd_new(struct ev_loop *loop, struct in_addr addr, int port,
			const struct httpd_limits *limits, httpd_handler *fn, void *data,
			char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = addr,
				  .sin_port = htons((uint16_t)port) };
	int fd = sock_listen_tcp((struct sockaddr *)&sa, sizeof(sa), 0, 128);
	struct httpd *s;

	if (fd < 0) {
		snprintf(err, errlen, "listen on port %d: %s", port, strerror(-fd));
		return NULL;
	}
	s = httpd_new_listener(loop, fd, limits, fn, data);
	if (!s)
		snprintf(err, errlen, "listen on port %d: %s", port, strerror(ENOMEM));
	return s;
}

struct httpd_stream *httpd_resp_stream(struct httpd_resp *resp, httpd_stream_gone_cb *on_gone,
				       void *data)
{
	struct httpd_conn *c = resp->conn;

	if (!c)
		return NULL;
	c->streaming = true;
	c->on_gone = on_gone;
	c->gone_data = data;
	return httpd_conn_stream(c);
}

int httpd_stream_write(struct httpd_stream *st, const void *data, size_t len)
{
	struct httpd_conn *c = &st->conn;

	if (c->stream_ended || c->out.len - c->out_off > HTTPD_STREAM_MAX_QUEUED)
		return -1;
	buf_append(&c->out, data, len);
	if (c->out.oom)
		return -1;
	/* Written from the loop's next turn: a write error then closes the
	 * connection there, never under the caller. */
	return ev_watch(c->srv->loop, c->fd, EV_READ | EV_WRITE, httpd_conn_io, c) < 0 ? -1 : 0;
}

size_t httpd_stream_queued(const struct httpd_stream *st)
{
	return st->conn.out.len - st->conn.out_off;
}

void httpd_stream_end(struct httpd_stream *st)
{
	struct httpd_conn *c = &st->conn;

	c->stream_ended = true;
	ev_watch(c->srv->loop, c->fd, EV_READ | EV_WRITE, httpd_conn_io, c);
}

int httpd_port(const struct httpd *h)
{
	return h->port;
}

void httpd_free(struct httpd *h)
{
	if (!h)
		return;
	while (h->conns)
		httpd_conn_close(h->conns);
	acceptor_free(h->acceptor);
	close(h->fd);
	free(h);
}
