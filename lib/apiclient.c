/* apiclient.c — see apiclient.h.
 *
 * Responses are parsed with llhttp in response mode. A blocking request
 * waits with poll() against one monotonic deadline taken at its start, so
 * connect, send and receive share the timeout instead of each getting a
 * fresh one. A watch is a non-blocking connection on the event loop whose
 * body bytes collect in a line buffer; complete lines are handed out after
 * llhttp has returned, so a callback that frees the watch never runs inside
 * the parser.
 */
#include "apiclient.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <llhttp.h>

#include "sock.h"

#define APICLIENT_DEFAULT_TIMEOUT_MS 10000
/* A list of every object of a lab is a few MiB; past this it is not an answer. */
#define APICLIENT_BODY_MAX ((size_t)256 << 20)
#define APICLIENT_LINE_MAX ((size_t)16 << 20)
#define APICLIENT_MSG_MAX ((size_t)64 << 10)
#define APICLIENT_METHOD_MAX 16
/* apiclient_exchange(): the kept connection was gone before any byte of an
 * answer arrived; worth one retry on a fresh connection. */
#define APICLIENT_STALE (-2)

struct apiclient {
	char *path;
	uint64_t timeout_ms;
	int fd;                 /* the kept connection, -1 when none */
};

/* One response being read by apiclient_request(). */
struct apiclient_rx {
	llhttp_t parser;
	struct buf *body;
	bool head;              /* answer to HEAD: no body whatever the headers say */
	bool done;
	bool too_big;
};

struct apiclient_watch {
	struct ev_loop *loop;
	int fd;                 /* -1 once the stream ended */
	llhttp_t parser;
	apiclient_event_cb *on_event;
	apiclient_end_cb *on_end;
	void *data;
	struct buf out;         /* the request while not all of it is sent */
	size_t out_off;
	struct buf lines;       /* body not yet handed out: whole lines, then a partial one */
	size_t scanned;         /* lines.data[0..scanned) holds no newline */
	struct buf msg;         /* body of a non-200 answer, bounded */
	int status;             /* 0 until the head is parsed */
	bool complete;          /* the response ended (terminal chunk) */
	bool oom;
	bool in_cb;             /* inside apiclient_watch_io(): a free is deferred */
	bool doomed;            /* freed while in_cb */
};

/* ---- shared helpers ------------------------------------------------------- */

static bool apiclient_method_valid(const char *method)
{
	size_t n = strlen(method);

	if (n == 0 || n > APICLIENT_METHOD_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (method[i] < 'A' || method[i] > 'Z')
			return false;
	}
	return true;
}

/* A request target that cannot split the request line or inject headers:
 * "/..." of printable ASCII without spaces. */
static bool apiclient_path_valid(const char *path)
{
	if (path[0] != '/')
		return false;
	for (const char *p = path; *p; p++) {
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	}
	return true;
}

static bool apiclient_header_value_valid(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if ((*p < ' ' && *p != '\t') || *p == 0x7f)
			return false;
	}
	return true;
}

static int apiclient_addr(const char *path, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

static void apiclient_put_head(struct buf *b, const char *method, const char *path)
{
	buf_printf(b, "%s %s HTTP/1.1\r\n", method, path);
	buf_puts(b, "Host: localhost\r\nUser-Agent: clientip\r\nAccept: application/json\r\n");
}

/* ---- blocking requests ---------------------------------------------------- */

static int apiclient_rx_on_headers_complete(llhttp_t *p)
{
	struct apiclient_rx *rx = p->data;

	/* 1: the message has no body (llhttp cannot know the request was HEAD). */
	return rx->head ? 1 : 0;
}

static int apiclient_rx_on_body(llhttp_t *p, const char *at, size_t len)
{
	struct apiclient_rx *rx = p->data;

	if (len > APICLIENT_BODY_MAX - rx->body->len) {
		rx->too_big = true;
		llhttp_set_error_reason(p, "body over 256 MiB");
		return HPE_USER;
	}
	buf_append(rx->body, at, len);
	if (rx->body->oom) {
		llhttp_set_error_reason(p, "out of memory");
		return HPE_USER;
	}
	return 0;
}

/* Pause on completion: bytes after the answer are not ours to parse. */
static int apiclient_rx_on_message_complete(llhttp_t *p)
{
	struct apiclient_rx *rx = p->data;

	rx->done = true;
	return HPE_PAUSED;
}

static const llhttp_settings_t apiclient_rx_settings = {
	.on_headers_complete = apiclient_rx_on_headers_complete,
	.on_body = apiclient_rx_on_body,
	.on_message_complete = apiclient_rx_on_message_complete,
};

static int apiclient_timed_out(const struct apiclient *c, char *err, size_t errlen)
{
	snprintf(err, errlen, "timed out after %llu ms", (unsigned long long)c->timeout_ms);
	return -1;
}

/* Waits for events on fd until the deadline: 0, -ETIMEDOUT or -errno. */
static int apiclient_wait(int fd, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		uint64_t now = ev_now_ms();
		int rc;

		if (now >= deadline)
			return -ETIMEDOUT;
		rc = poll(&pfd, 1, deadline - now > 60000 ? 60000 : (int)(deadline - now));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

static void apiclient_disconnect(struct apiclient *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int apiclient_connect(struct apiclient *c, uint64_t deadline, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	socklen_t len;
	int fd, rc;

	if (apiclient_addr(c->path, &sun, &len) < 0) {
		snprintf(err, errlen, "connect %s: %s", c->path, strerror(ENAMETOOLONG));
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A Unix connect completes at once unless the listener's backlog is
	 * full. Then a non-blocking socket fails with EAGAIN and leaves nothing
	 * to poll for, while a blocking one waits for room, bounded by
	 * SO_SNDTIMEO: set that to the time left. */
	for (;;) {
		uint64_t now = ev_now_ms();
		struct timeval tv;

		if (now >= deadline) {
			close(fd);
			return apiclient_timed_out(c, err, errlen);
		}
		tv.tv_sec = (time_t)((deadline - now) / 1000);
		tv.tv_usec = (suseconds_t)((deadline - now) % 1000 * 1000);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		rc = connect(fd, (struct sockaddr *)&sun, len);
		if (rc == 0 || errno != EINTR)
			break;
	}
	if (rc < 0) {
		int e = errno;

		close(fd);
		if (e == EAGAIN && ev_now_ms() >= deadline)
			return apiclient_timed_out(c, err, errlen);
		snprintf(err, errlen, "connect %s: %s", c->path, strerror(e));
		return -1;
	}
	rc = sock_set_nonblock(fd, true);
	if (rc < 0) {
		close(fd);
		snprintf(err, errlen, "connect %s: %s", c->path, strerror(-rc));
		return -1;
	}
	c->fd = fd;
	return 0;
}

static int apiclient_send(struct apiclient *c, const struct buf *req, uint64_t deadline,
			  char *err, size_t errlen)
{
	size_t off = 0;

	while (off < req->len) {
		ssize_t n = send(c->fd, req->data + off, req->len - off, MSG_NOSIGNAL);
		int rc;

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			int e = errno;

			snprintf(err, errlen, "send: %s", strerror(e));
			return e == EPIPE || e == ECONNRESET ? APICLIENT_STALE : -1;
		}
		rc = apiclient_wait(c->fd, POLLOUT, deadline);
		if (rc == -ETIMEDOUT)
			return apiclient_timed_out(c, err, errlen);
		if (rc < 0) {
			snprintf(err, errlen, "poll: %s", strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* Reads one answer. 0 when complete (rx->done), else -1 or
 * APICLIENT_STALE with a message in err. *keep says whether the connection
 * may carry another request. */
static int apiclient_receive(struct apiclient *c, struct apiclient_rx *rx, uint64_t deadline,
			     bool *keep, char *err, size_t errlen)
{
	char chunk[16384];
	size_t got = 0;

	*keep = false;
	for (;;) {
		ssize_t n = recv(c->fd, chunk, sizeof(chunk), 0);
		llhttp_errno_t e;

		if (n < 0) {
			int rc;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				int saved = errno;

				snprintf(err, errlen, "recv: %s", strerror(saved));
				return got == 0 && saved == ECONNRESET ? APICLIENT_STALE : -1;
			}
			rc = apiclient_wait(c->fd, POLLIN, deadline);
			if (rc == -ETIMEDOUT)
				return apiclient_timed_out(c, err, errlen);
			if (rc < 0) {
				snprintf(err, errlen, "poll: %s", strerror(-rc));
				return -1;
			}
			continue;
		}
		if (n == 0) {
			if (got == 0) {
				snprintf(err, errlen, "connection closed before a response");
				return APICLIENT_STALE;
			}
			/* A body that runs to the close ends here. */
			e = llhttp_finish(&rx->parser);
			if ((e == HPE_OK || e == HPE_PAUSED) && rx->done)
				return 0;
			snprintf(err, errlen, "malformed response: connection closed mid-response");
			return -1;
		}
		got += (size_t)n;
		e = llhttp_execute(&rx->parser, chunk, (size_t)n);
		if (e == HPE_PAUSED && rx->done) {
			const char *end = llhttp_get_error_pos(&rx->parser);

			/* Bytes past the answer were never asked for: do not
			 * reuse a connection whose framing is in doubt. */
			*keep = llhttp_should_keep_alive(&rx->parser) && end == chunk + n;
			return 0;
		}
		if (e != HPE_OK) {
			if (e == HPE_USER && rx->body->oom)
				snprintf(err, errlen, "out of memory");
			else
				snprintf(err, errlen, "malformed response: %s",
					 llhttp_get_error_reason(&rx->parser));
			return -1;
		}
	}
}

/* One request on the current connection: the status, -1 or APICLIENT_STALE. */
static int apiclient_exchange(struct apiclient *c, const char *method, const struct buf *req,
			      uint64_t deadline, struct buf *resp, char *err, size_t errlen)
{
	struct apiclient_rx rx;
	bool keep;
	int rc;

	rc = apiclient_send(c, req, deadline, err, errlen);
	if (rc < 0)
		return rc;
	memset(&rx, 0, sizeof(rx));
	llhttp_init(&rx.parser, HTTP_RESPONSE, &apiclient_rx_settings);
	rx.parser.data = &rx;
	rx.body = resp;
	rx.head = strcmp(method, "HEAD") == 0;
	buf_reset(resp);
	rc = apiclient_receive(c, &rx, deadline, &keep, err, errlen);
	if (rc < 0)
		return rc;
	if (!keep)
		apiclient_disconnect(c);
	return llhttp_get_status_code(&rx.parser);
}

struct apiclient *apiclient_new(const char *socket_path)
{
	struct apiclient *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->path = strdup(socket_path);
	if (!c->path) {
		free(c);
		return NULL;
	}
	c->timeout_ms = APICLIENT_DEFAULT_TIMEOUT_MS;
	c->fd = -1;
	return c;
}

void apiclient_free(struct apiclient *c)
{
	if (!c)
		return;
	apiclient_disconnect(c);
	free(c->path);
	free(c);
}

void apiclient_set_timeout(struct apiclient *c, uint64_t timeout_ms)
{
	c->timeout_ms = timeout_ms;
}

int apiclient_request(struct apiclient *c, const char *method, const char *path,
		      const char *content_type, const char *body, size_t body_len,
		      struct buf *resp, char *err, size_t errlen)
{
	uint64_t now = ev_now_ms();
	uint64_t deadline = c->timeout_ms > UINT64_MAX - now ? UINT64_MAX : now + c->timeout_ms;
	struct buf req = BUF_INIT;
	int status = -1;

	buf_reset(resp);
	if (!apiclient_method_valid(method)) {
		snprintf(err, errlen, "invalid request method");
		return -1;
	}
	if (!apiclient_path_valid(path)) {
		snprintf(err, errlen, "invalid request path");
		return -1;
	}
	if (body && content_type && !apiclient_header_value_valid(content_type)) {
		snprintf(err, errlen, "invalid content type");
		return -1;
	}
	apiclient_put_head(&req, method, path);
	if (body) {
		if (content_type)
			buf_printf(&req, "Content-Type: %s\r\n", content_type);
		buf_printf(&req, "Content-Length: %zu\r\n\r\n", body_len);
		buf_append(&req, body, body_len);
	} else if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
		   strcmp(method, "DELETE") == 0) {
		buf_puts(&req, "\r\n");
	} else {
		/* A POST or PUT without a length would read to the close. */
		buf_puts(&req, "Content-Length: 0\r\n\r\n");
	}
	if (req.oom) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (int attempt = 0;; attempt++) {
		bool reused = c->fd >= 0;
		int rc;

		if (!reused && apiclient_connect(c, deadline, err, errlen) < 0)
			goto out;
		rc = apiclient_exchange(c, method, &req, deadline, resp, err, errlen);
		if (rc >= 0) {
			status = rc;
			goto out;
		}
		/* After an error the connection's state is unknown: drop it. */
		apiclient_disconnect(c);
		if (rc != APICLIENT_STALE || !reused || attempt > 0)
			goto out;
	}
out:
	buf_free(&req);
	return status;
}

/* ---- watches -------------------------------------------------------------- */

static void apiclient_watch_io(struct ev_loop *loop, int fd, unsigned events, void *data);

static int apiclient_watch_on_headers_complete(llhttp_t *p)
{
	struct apiclient_watch *w = p->data;

	w->status = llhttp_get_status_code(p);
	return 0;
}

static int apiclient_watch_on_body(llhttp_t *p, const char *at, size_t len)
{
	struct apiclient_watch *w = p->data;

	if (w->status != 200) {
		if (w->msg.len < APICLIENT_MSG_MAX) {
			size_t room = APICLIENT_MSG_MAX - w->msg.len;

			buf_append(&w->msg, at, len < room ? len : room);
		}
	} else {
		/* At most one receive's worth past the limit, checked after the
		 * complete lines are out. */
		buf_append(&w->lines, at, len);
	}
	if (w->msg.oom || w->lines.oom) {
		w->oom = true;
		return HPE_USER;
	}
	return 0;
}

static int apiclient_watch_on_message_complete(llhttp_t *p)
{
	struct apiclient_watch *w = p->data;

	w->complete = true;
	return HPE_PAUSED;
}

static const llhttp_settings_t apiclient_watch_settings = {
	.on_headers_complete = apiclient_watch_on_headers_complete,
	.on_body = apiclient_watch_on_body,
	.on_message_complete = apiclient_watch_on_message_complete,
};

/* Stops the watch's I/O; safe to call more than once. */
static void apiclient_watch_close(struct apiclient_watch *w)
{
	if (w->fd < 0)
		return;
	ev_unwatch(w->loop, w->fd);
	close(w->fd);
	w->fd = -1;
}

static void apiclient_watch_destroy(struct apiclient_watch *w)
{
	apiclient_watch_close(w);
	buf_free(&w->out);
	buf_free(&w->lines);
	buf_free(&w->msg);
	free(w);
}

/* Closes first, so that on_end may start a new watch that gets the same
 * fd number. */
static void apiclient_watch_end(struct apiclient_watch *w, int err, const char *msg)
{
	apiclient_watch_close(w);
	w->on_end(w, err, msg, w->data);
}

/* Hands out one line at data[0..len) (the newline excluded). */
static void apiclient_watch_emit(struct apiclient_watch *w, char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	line[len] = '\0';
	w->on_event(w, line, len, w->data);
}

/* Hands out the complete lines buffered; stops early when a callback freed
 * the watch. -1 when a line, complete or not, is over the limit. */
static int apiclient_watch_deliver(struct apiclient_watch *w)
{
	size_t start = 0;

	while (!w->doomed && w->scanned < w->lines.len) {
		char *nl = memchr(w->lines.data + w->scanned, '\n', w->lines.len - w->scanned);
		size_t at;

		if (!nl) {
			w->scanned = w->lines.len;
			break;
		}
		at = (size_t)(nl - w->lines.data);
		if (at - start > APICLIENT_LINE_MAX)
			return -1;
		w->scanned = at + 1;
		apiclient_watch_emit(w, w->lines.data + start, at - start);
		start = at + 1;
	}
	if (w->doomed)
		return 0;
	if (w->lines.len - start > APICLIENT_LINE_MAX)
		return -1;
	if (start == 0)
		return 0;
	memmove(w->lines.data, w->lines.data + start, w->lines.len - start);
	w->lines.len -= start;
	w->scanned -= start;
	w->lines.data[w->lines.len] = '\0';
	return 0;
}

/* The response ended as HTTP says it should. */
static void apiclient_watch_finish(struct apiclient_watch *w)
{
	if (w->status != 200) {
		apiclient_watch_end(w, -1, buf_str(&w->msg));
		return;
	}
	/* Whatever follows the last newline is still what the server sent. */
	if (w->lines.len > 0) {
		buf_putc(&w->lines, '\0');
		if (w->lines.oom) {
			apiclient_watch_end(w, -ENOMEM, "out of memory");
			return;
		}
		apiclient_watch_emit(w, w->lines.data, w->lines.len - 1);
		if (w->doomed)
			return;
		buf_reset(&w->lines);
	}
	apiclient_watch_end(w, 0, "");
}

static void apiclient_watch_eof(struct apiclient_watch *w)
{
	llhttp_errno_t e = llhttp_finish(&w->parser);

	if ((e == HPE_OK || e == HPE_PAUSED) && w->complete) {
		/* A body without framing, read to the close: its lines were
		 * handed out as they came. */
		apiclient_watch_finish(w);
		return;
	}
	if (w->status != 0 && w->status != 200) {
		apiclient_watch_end(w, -1, buf_str(&w->msg));
		return;
	}
	apiclient_watch_end(w, -ECONNRESET,
			    w->status ? "connection closed before the end of the stream"
				      : "connection closed before a response");
}

static void apiclient_watch_read(struct apiclient_watch *w)
{
	char chunk[65536];
	ssize_t n = recv(w->fd, chunk, sizeof(chunk), 0);
	llhttp_errno_t e;
	char msg[160];
	int rc;

	if (n < 0) {
		int saved = errno;

		if (saved == EAGAIN || saved == EWOULDBLOCK || saved == EINTR)
			return;
		snprintf(msg, sizeof(msg), "recv: %s", strerror(saved));
		apiclient_watch_end(w, -saved, msg);
		return;
	}
	if (n == 0) {
		apiclient_watch_eof(w);
		return;
	}
	e = llhttp_execute(&w->parser, chunk, (size_t)n);
	if (e != HPE_OK && !(e == HPE_PAUSED && w->complete)) {
		if (w->oom) {
			apiclient_watch_end(w, -ENOMEM, "out of memory");
		} else {
			snprintf(msg, sizeof(msg), "malformed response: %s",
				 llhttp_get_error_reason(&w->parser));
			apiclient_watch_end(w, -EPROTO, msg);
		}
		return;
	}
	rc = apiclient_watch_deliver(w);
	if (w->doomed)
		return;
	if (rc < 0) {
		apiclient_watch_end(w, -EMSGSIZE, "event line over 16 MiB");
		return;
	}
	if (w->complete)
		apiclient_watch_finish(w);
}

static void apiclient_watch_write(struct apiclient_watch *w)
{
	char msg[160];
	int rc;

	rc = sock_send_pending(w->fd, w->out.data, w->out.len, &w->out_off);
	if (rc > 0)
		return;
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "send: %s", strerror(-rc));
		apiclient_watch_end(w, rc, msg);
		return;
	}
	buf_free(&w->out);
	w->out_off = 0;
	rc = ev_watch(w->loop, w->fd, EV_READ, apiclient_watch_io, w);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "watch: %s", strerror(-rc));
		apiclient_watch_end(w, rc, msg);
	}
}

static void apiclient_watch_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct apiclient_watch *w = data;

	(void)loop;
	(void)fd;
	w->in_cb = true;
	if (w->out.len > 0) {
		if (events & EV_WRITE)
			apiclient_watch_write(w);
	} else if (events & EV_READ) {
		apiclient_watch_read(w);
	}
	w->in_cb = false;
	if (w->doomed)
		apiclient_watch_destroy(w);
}

struct apiclient_watch *apiclient_watch_start(struct ev_loop *loop, const char *socket_path,
					      const char *path, apiclient_event_cb *on_event,
					      apiclient_end_cb *on_end, void *data, char *err,
					      size_t errlen)
{
	struct apiclient_watch *w;
	struct sockaddr_un sun;
	socklen_t len;
	int rc;

	if (!on_event || !on_end) {
		snprintf(err, errlen, "a watch needs both callbacks");
		return NULL;
	}
	if (!apiclient_path_valid(path)) {
		snprintf(err, errlen, "invalid request path");
		return NULL;
	}
	if (apiclient_addr(socket_path, &sun, &len) < 0) {
		snprintf(err, errlen, "connect %s: %s", socket_path, strerror(ENAMETOOLONG));
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->loop = loop;
	w->on_event = on_event;
	w->on_end = on_end;
	w->data = data;
	llhttp_init(&w->parser, HTTP_RESPONSE, &apiclient_watch_settings);
	w->parser.data = w;
	w->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (w->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	/* Unix connects complete at once or fail (EAGAIN: backlog full). */
	if (connect(w->fd, (struct sockaddr *)&sun, len) < 0) {
		snprintf(err, errlen, "connect %s: %s", socket_path, strerror(errno));
		goto fail;
	}
	apiclient_put_head(&w->out, "GET", path);
	buf_puts(&w->out, "\r\n");
	if (w->out.oom) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* The first writable event sends the request: every outcome after
	 * the connect reaches on_end from the loop. */
	rc = ev_watch(loop, w->fd, EV_WRITE, apiclient_watch_io, w);
	if (rc < 0) {
		snprintf(err, errlen, "watch: %s", strerror(-rc));
		goto fail;
	}
	return w;
fail:
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	apiclient_watch_destroy(w);
	return NULL;
}

void apiclient_watch_free(struct apiclient_watch *w)
{
	if (!w)
		return;
	/* No callback may run after this, even from a batch of events the
	 * loop already holds. */
	apiclient_watch_close(w);
	if (w->in_cb) {
		w->doomed = true;
		return;
	}
	apiclient_watch_destroy(w);
}
