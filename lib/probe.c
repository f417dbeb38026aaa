/* probe.c — see probe.h. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpd.h"
#include "sock.h"

static int probe_on_status(llhttp_t *parser, const char *at, size_t len)
{
	struct probe *p = parser->data;
	size_t room = sizeof(p->reason) - 1 - p->reason_len;

	if (len > room)
		len = room;
	memcpy(p->reason + p->reason_len, at, len);
	p->reason_len += len;
	p->reason[p->reason_len] = '\0';
	return 0;
}

static int probe_on_headers_complete(llhttp_t *parser)
{
	struct probe *p = parser->data;

	p->head_done = true;
	p->status = llhttp_get_status_code(parser);
	/* Without a body buffer nothing after the header matters: stop
	 * parsing here. */
	return p->body ? HPE_OK : HPE_PAUSED;
}

static int probe_on_body(llhttp_t *parser, const char *at, size_t len)
{
	struct probe *p = parser->data;
	size_t room = p->body_max - 1 - p->body_len;

	if (len > room)
		len = room;
	memcpy(p->body + p->body_len, at, len);
	p->body_len += len;
	p->body[p->body_len] = '\0';
	if (p->body_len < p->body_max - 1)
		return HPE_OK;
	p->msg_done = true;   /* the rest would not fit anyway */
	return HPE_PAUSED;
}

static int probe_on_message_complete(llhttp_t *parser)
{
	struct probe *p = parser->data;

	p->msg_done = true;
	return HPE_PAUSED;
}

static const llhttp_settings_t probe_http_settings = {
	.on_status = probe_on_status,
	.on_headers_complete = probe_on_headers_complete,
	.on_body = probe_on_body,
	.on_message_complete = probe_on_message_complete,
};

int probe_request(char *buf, size_t len, const struct probe_spec *spec)
{
	const char *path = spec->path && spec->path[0] ? spec->path : "/";
	char ip[INET_ADDRSTRLEN];
	int n;

	inet_ntop(AF_INET, &spec->addr, ip, sizeof(ip));
	if (spec->host)
		n = snprintf(buf, len, "GET %s%s HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n",
			     path[0] == '/' ? "" : "/", path, spec->host,
			     spec->headers ? spec->headers : "");
	else
		n = snprintf(buf, len, "GET %s%s HTTP/1.1\r\nHost: %s:%d\r\n%sConnection: close\r\n\r\n",
			     path[0] == '/' ? "" : "/", path, ip, spec->port,
			     spec->headers ? spec->headers : "");
	return n < 0 || (size_t)n >= len ? -1 : n;
}

void probe_status_text(int status, const char *reason, char *out, size_t len)
{
	/* llhttp's own status table aborts on codes it does not know. */
	const char *phrase = httpd_status_phrase(status);

	if (phrase) {
		snprintf(out, len, "%d %s", status, phrase);
		return;
	}
	snprintf(out, len, "%d%s%s", status, reason && *reason ? " " : "", reason ? reason : "");
}

const char *probe_error_text(int err)
{
	switch (err) {
	case ECONNREFUSED: return "connection refused";
	case ECONNRESET: return "connection reset";
	case EHOSTUNREACH: return "no route to host";
	case ENETUNREACH: return "network unreachable";
	case ETIMEDOUT: return "timeout";
	case EPIPE: return "connection closed";
	default: return strerror(err);
	}
}

static void probe_close(struct probe *p, bool reset)
{
	ev_unwatch(p->loop, p->fd);
	if (reset) {
		/* RST instead of FIN: no TIME_WAIT on our side. */
		struct linger lg = { 1, 0 };

		setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(p->fd);
	p->fd = -1;
}

/* Ends the attempt and tells the owner; r has its outcome, error, status
 * and text filled in. The timer is left to fire (see probe.h). */
static void probe_end(struct probe *p, struct probe_result *r, bool reset)
{
	probe_close(p, reset && p->reset);
	p->running = false;
	r->stage = p->stage;
	r->latency_ms = (uint32_t)(ev_now_ms() - p->start_ms);
	p->cb(r, p->data);
}

static void probe_fail(struct probe *p, int err)
{
	struct probe_result r = { .outcome = PROBE_FAILED, .error = err };

	snprintf(r.text, sizeof(r.text), "%s", probe_error_text(err));
	/* The connection is gone already, or broken: nothing to reset. */
	probe_end(p, &r, false);
}

static void probe_io(struct ev_loop *loop, int fd, unsigned events, void *data);

/* The header is in (and, with a body buffer, what of the body could be
 * had): an answer. */
static void probe_answered(struct probe *p, bool reset)
{
	struct probe_result r = { .outcome = PROBE_OK, .status = p->status,
				  .body_len = p->body_len };

	snprintf(r.reason, sizeof(r.reason), "%s", p->reason);
	probe_status_text(p->status, p->reason, r.text, sizeof(r.text));
	probe_end(p, &r, reset);
}

static void probe_recv(struct probe *p)
{
	struct probe_result r = { .outcome = PROBE_FAILED };
	char buf[2048];

	for (;;) {
		ssize_t n = read(p->fd, buf, sizeof(buf));
		llhttp_errno_t herr;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				probe_fail(p, errno);
			return;
		}
		if (n == 0) {
			if (p->head_done) {
				/* A body that runs to the close ends here. */
				llhttp_finish(&p->parser);
				probe_answered(p, false);
				return;
			}
			snprintf(r.text, sizeof(r.text), "closed before a response");
			probe_end(p, &r, false);
			return;
		}
		herr = llhttp_execute(&p->parser, buf, (size_t)n);
		/* A body that breaks off malformed still leaves the header's
		 * answer and what came before. */
		if (p->head_done && (!p->body || p->msg_done || herr != HPE_OK)) {
			/* The server may still be sending: a reset is fine, the
			 * answer is in. */
			probe_answered(p, true);
			return;
		}
		if (herr != HPE_OK) {
			r.error = EPROTO;
			snprintf(r.text, sizeof(r.text), "malformed HTTP response");
			probe_end(p, &r, true);
			return;
		}
	}
}

static void probe_send(struct probe *p)
{
	int rc = sock_send_pending(p->fd, p->req, p->req_len, &p->req_sent);

	if (rc < 0)
		probe_fail(p, -rc);
	if (rc != 0)
		return;
	p->stage = PROBE_RECV;
	if (ev_watch(p->loop, p->fd, EV_READ, probe_io, p) < 0)
		probe_fail(p, ENOMEM);
}

static void probe_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct probe *p = data;

	(void)loop;
	(void)fd;
	if (p->stage == PROBE_CONNECT) {
		struct probe_result r = { .outcome = PROBE_OK };
		int rc;

		if (!(events & EV_WRITE))
			return;
		rc = sock_error(p->fd);
		if (rc < 0) {
			probe_fail(p, -rc);
			return;
		}
		if (p->kind == PROBE_TCP) {
			snprintf(r.text, sizeof(r.text), "connected");
			probe_end(p, &r, true);
			return;
		}
		p->stage = PROBE_SEND;
	}
	if (p->stage == PROBE_SEND)
		probe_send(p);
	else if (events & EV_READ)
		probe_recv(p);
}

/* The deadline came: one last look at the socket first. The loop may have
 * been held up elsewhere in the process (a blocking call) while the
 * answer came in, and a turn runs its timers before its sockets' events:
 * an answer that is there is no fault of the peer's. true if that look
 * ended the attempt. */
static bool probe_catch_up(struct probe *p)
{
	struct pollfd pfd = { .fd = p->fd,
			      .events = p->stage == PROBE_RECV ? POLLIN : POLLOUT };
	unsigned attempt = p->attempt, events = 0;

	if (poll(&pfd, 1, 0) <= 0)
		return false;
	if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
		events |= EV_READ;
	if (pfd.revents & (POLLOUT | POLLHUP | POLLERR))
		events |= EV_WRITE;
	probe_io(p->loop, p->fd, events, p);
	/* Over, or over and a new attempt started from the callback. */
	return !p->running || p->attempt != attempt;
}

static void probe_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	struct probe *p = data;
	struct probe_result r = { .outcome = PROBE_TIMEOUT };
	enum probe_stage stage;

	(void)loop;
	(void)id;
	p->timer = 0;
	if (!p->running)
		return;   /* the attempt ended before its deadline */
	if (p->early_error) {
		probe_fail(p, p->early_error);
		return;
	}
	/* The stage the deadline found: a connect completed only by the look
	 * below is still the peer's late answer to connect. (An HTTP request
	 * sent by that look has had no time to be answered; the attempt is
	 * over all the same, as the caller's schedule wants.) */
	stage = p->stage;
	if (probe_catch_up(p))
		return;
	/* No answer within the timeout: a blackholed peer ends here (no
	 * SYN-ACK, no RST), as does one that accepts and stays mute. */
	snprintf(r.text, sizeof(r.text), "%s", stage == PROBE_CONNECT
		 ? "timeout (no answer to connect)" : "timeout (no HTTP response)");
	p->stage = stage;
	probe_end(p, &r, true);
}

int probe_start(struct probe *p, struct ev_loop *loop, const struct probe_spec *spec,
		probe_cb *cb, void *data)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd, len = 0;

	probe_cancel(p);
	if (spec->kind == PROBE_HTTP) {
		len = probe_request(p->req, sizeof(p->req), spec);
		if (len < 0)
			return -EMSGSIZE;
	}
	/* By hand rather than sock_connect_tcp(): a socket we cannot make is
	 * ours to report, a connect that fails is the peer's result. */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	p->loop = loop;
	p->cb = cb;
	p->data = data;
	p->kind = spec->kind;
	p->reset = spec->reset;
	p->stage = PROBE_CONNECT;
	p->fd = fd;
	p->early_error = 0;
	p->start_ms = ev_now_ms();
	p->req_len = (size_t)len;
	p->req_sent = 0;
	p->head_done = false;
	p->status = 0;
	p->reason[0] = '\0';
	p->reason_len = 0;
	p->body = spec->kind == PROBE_HTTP && spec->body && spec->body_max ? spec->body : NULL;
	p->body_max = p->body ? spec->body_max : 0;
	p->body_len = 0;
	p->msg_done = false;
	if (p->body)
		p->body[0] = '\0';
	if (spec->kind == PROBE_HTTP) {
		llhttp_init(&p->parser, HTTP_RESPONSE, &probe_http_settings);
		p->parser.data = p;
	}
	sa.sin_addr = spec->addr;
	sa.sin_port = htons((uint16_t)spec->port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
		p->early_error = errno;
	else if (ev_watch(loop, fd, EV_WRITE, probe_io, p) < 0)
		p->early_error = ENOMEM;
	/* An early failure is told on the next turn of the loop, so the
	 * callback never runs inside probe_start(). Without a timeout of its
	 * own the attempt waits for the caller's deadline. */
	if (p->early_error || spec->timeout_ms) {
		p->timer = ev_timer_add(loop, p->early_error ? 0 : spec->timeout_ms, probe_timer, p);
		if (!p->timer) {
			ev_unwatch(loop, fd);
			close(fd);
			return -ENOMEM;
		}
	}
	p->running = true;
	p->attempt++;
	return 0;
}

bool probe_running(const struct probe *p)
{
	return p->running;
}

int probe_local_addr(const struct probe *p, struct sockaddr_in *out)
{
	struct sockaddr_storage ss;
	int rc;

	if (!p->running)
		return -ENOTCONN;
	rc = sock_local_addr(p->fd, &ss);
	if (rc < 0)
		return rc;
	if (ss.ss_family != AF_INET)
		return -EAFNOSUPPORT;
	memcpy(out, &ss, sizeof(*out));
	return 0;
}

void probe_cancel(struct probe *p)
{
	if (p->timer) {
		ev_timer_cancel(p->loop, p->timer);
		p->timer = 0;
	}
	if (p->running) {
		probe_close(p, p->reset);
		p->running = false;
	}
}
