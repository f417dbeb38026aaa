/* echo_conn.c — one client connection: read, parse, answer, write.
 *
 * llhttp is a streaming parser: it never buffers, and it hands header
 * values over in pieces that may straddle reads; its callbacks
 * (echo_conn_request.c) keep the few values that matter. The parser is
 * paused at the end of every request head and every request, which tells
 * exactly how many bytes the head took (431 above ECHO_HEAD_MAX) and lets
 * pipelined requests be answered one by one (echo_conn_answer.c) into the
 * output buffer, written with one send() per batch.
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
#include <sys/socket.h>
#include <unistd.h>

#include "echo_conn_int.h"
#include "log.h"
#include "sock.h"

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
