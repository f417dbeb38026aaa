/* api_http.c — see api_http.h: one connection, from its first byte to its
 * close.
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
 *
 * The connection's other parts are files of their own (api_http_int.h):
 * reading requests (api_http_req.c), listeners and accepting
 * (api_http_listen.c), WebSocket frames (api_ws.c). A RAW upgrade stays
 * here: it frames nothing, it only hands bytes through to the handler.
 */
#include "api_http.h"
#include "api_http_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "httpd.h"
#include "sock.h"

/* How long an error response lingers for the client to read it. */
#define API_HTTP_LINGER_MS 2000

static void api_http_advance(struct api_http_conn *c);

/* ---- the Date header -------------------------------------------------------- */

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

/* ---- output ----------------------------------------------------------------- */

size_t api_http_unsent(const struct api_http_conn *c)
{
	return c->out.len - c->out_off;
}

/* Drops what was sent from the front before appending, so a stream that
 * the peer reads at about the rate it is written does not grow forever. */
void api_http_out_compact(struct api_http_conn *c)
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
void api_http_kick(struct api_http_conn *c)
{
	if (!c->kick)
		c->kick = ev_timer_add(c->srv->loop, 0, api_http_kicked, c);
}

void api_http_kill(struct api_http_conn *c)
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
int api_http_push(struct api_http_conn *c)
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

void api_http_queue_response(struct api_http_conn *c, int status, const char *ctype,
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
void api_http_fail(struct api_http_conn *c, int status, const char *msg)
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

static void api_http_timeout(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_http_conn *c = data;

	(void)loop;
	(void)id;
	c->timer = 0;
	api_http_conn_close(c);
}

void api_http_arm(struct api_http_conn *c, enum api_http_timer kind)
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

/* ---- input ------------------------------------------------------------------ */

void api_http_in_consume(struct api_http_conn *c, size_t used)
{
	memmove(c->in.data, c->in.data + used, c->in.len - used);
	c->in.len -= used;
	if (c->in.data)
		c->in.data[c->in.len] = '\0';
	/* Megabytes taken by one large WebSocket frame are not kept. */
	if (!c->in.len && c->in.cap > 2 * API_HTTP_IN_CAP)
		buf_free(&c->in);
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

void api_http_conn_close(struct api_http_conn *c)
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
			if (api_ws_process(c))
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

void api_http_conn_io(struct ev_loop *loop, int fd, unsigned events, void *data)
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

/* ---- upgrades ----------------------------------------------------------------- */

/* Whether a comma-separated header value lists token (case-insensitive). */
bool api_http_has_token(const char *list, const char *token)
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
