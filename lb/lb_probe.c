/* lb_probe.c — see lb_probe.h. */
#include "lb_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <llhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LB_PROBE_REQ_MAX (MODEL_PATH_MAX + 160)
#define LB_REASON_MAX 40

enum lb_phase {
	LB_PHASE_IDLE,       /* waiting for the next attempt */
	LB_PHASE_CONNECT,
	LB_PHASE_SEND,
	LB_PHASE_RECV,
};

struct lb_prober {
	struct ev_loop *loop;
	llhttp_settings_t http;      /* callbacks shared by every HTTP probe */
	struct lb_prober_stats stats;
};

struct lb_probe {
	struct lb_prober *pr;
	struct lb_probe_spec spec;
	struct lb_health_state health;
	lb_probe_cb *cb;
	void *data;
	uint64_t timer;              /* the one pending timer */
	uint64_t attempt_start;      /* monotonic ms */
	enum lb_phase phase;
	bool have_result;            /* this attempt's result was taken */
	int fd;
	/* HTTP */
	char req[LB_PROBE_REQ_MAX];
	size_t req_len, req_sent;
	llhttp_t parser;
	bool headers_done;
	int status;
	char reason[LB_REASON_MAX];
	size_t reason_len;
};

const char *lb_health_name(enum lb_health h)
{
	switch (h) {
	case LB_HEALTH_UP: return "Up";
	case LB_HEALTH_DOWN: return "Down";
	case LB_HEALTH_UNKNOWN: break;
	}
	return "Unknown";
}

bool lb_health_feed(struct lb_health_state *h, bool ok, int threshold,
		    const char *result, int64_t now_ms)
{
	enum lb_health before = h->state;

	if (threshold < 1)
		threshold = 1;
	if (h->last_probe_ms && h->last_ok == ok)
		h->consecutive++;
	else
		h->consecutive = 1;
	h->last_ok = ok;
	h->last_probe_ms = now_ms;
	snprintf(h->last_result, sizeof(h->last_result), "%s", result);
	if (ok)
		h->successes++;
	else
		h->failures++;
	if (h->state == LB_HEALTH_UNKNOWN)
		h->state = ok ? LB_HEALTH_UP : LB_HEALTH_DOWN;
	else if (h->state == LB_HEALTH_UP && !ok && h->consecutive >= threshold)
		h->state = LB_HEALTH_DOWN;
	else if (h->state == LB_HEALTH_DOWN && ok && h->consecutive >= threshold)
		h->state = LB_HEALTH_UP;
	if (h->state == before)
		return false;
	h->last_change_ms = now_ms;
	return true;
}

uint32_t lb_probe_timeout_ms(uint32_t interval_ms)
{
	uint32_t t = interval_ms / 5 * 4;

	return t < 5000 ? t : 5000;
}

void lb_probe_http_result(int status, const char *reason, char *out, size_t len)
{
	/* The standard phrase reads the same whatever the server wrote;
	 * llhttp's own status table aborts on codes it does not know. */
	static const struct { int code; const char *phrase; } known[] = {
		{ 200, "OK" }, { 204, "No Content" }, { 301, "Moved Permanently" },
		{ 302, "Found" }, { 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 408, "Request Timeout" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (known[i].code == status) {
			snprintf(out, len, "%d %s", status, known[i].phrase);
			return;
		}
	}
	snprintf(out, len, "%d%s%s", status, reason && *reason ? " " : "", reason ? reason : "");
}

static int lb_on_status(llhttp_t *parser, const char *at, size_t len)
{
	struct lb_probe *p = parser->data;
	size_t room = sizeof(p->reason) - 1 - p->reason_len;

	if (len > room)
		len = room;
	memcpy(p->reason + p->reason_len, at, len);
	p->reason_len += len;
	p->reason[p->reason_len] = '\0';
	return 0;
}

static int lb_on_headers_complete(llhttp_t *parser)
{
	struct lb_probe *p = parser->data;

	p->headers_done = true;
	p->status = parser->status_code;
	/* Nothing after the status matters; stop parsing here. */
	return HPE_PAUSED;
}

struct lb_prober *lb_prober_new(struct ev_loop *loop)
{
	struct lb_prober *pr = calloc(1, sizeof(*pr));

	if (!pr)
		return NULL;
	pr->loop = loop;
	llhttp_settings_init(&pr->http);
	pr->http.on_status = lb_on_status;
	pr->http.on_headers_complete = lb_on_headers_complete;
	return pr;
}

void lb_prober_free(struct lb_prober *pr)
{
	free(pr);
}

const struct lb_prober_stats *lb_prober_stats(const struct lb_prober *pr)
{
	return &pr->stats;
}

const struct lb_health_state *lb_probe_health(const struct lb_probe *p)
{
	return &p->health;
}

const struct lb_probe_spec *lb_probe_get_spec(const struct lb_probe *p)
{
	return &p->spec;
}

static void lb_probe_close(struct lb_probe *p, bool reset)
{
	if (p->fd < 0)
		return;
	ev_unwatch(p->pr->loop, p->fd);
	if (reset) {
		/* RST instead of FIN: no TIME_WAIT on our side. */
		struct linger lg = { 1, 0 };

		setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(p->fd);
	p->fd = -1;
	p->pr->stats.in_flight--;
}

/* Takes the attempt's result (once) and tells the owner. */
static void lb_probe_result(struct lb_probe *p, bool ok, const char *result)
{
	bool changed;

	if (p->have_result)
		return;
	p->have_result = true;
	p->phase = LB_PHASE_IDLE;
	if (ok)
		p->pr->stats.ok++;
	else
		p->pr->stats.failed++;
	p->health.last_latency_ms = (int)(ev_now_ms() - p->attempt_start);
	changed = lb_health_feed(&p->health, ok, p->spec.threshold, result, ev_wall_ms());
	if (p->cb)
		p->cb(p, changed, p->data);
}

static const char *lb_errno_result(int e)
{
	switch (e) {
	case ECONNREFUSED: return "connection refused";
	case ECONNRESET: return "connection reset";
	case EHOSTUNREACH: return "no route to host";
	case ENETUNREACH: return "network unreachable";
	case ETIMEDOUT: return "timeout";
	case EPIPE: return "connection closed";
	default: return strerror(e);
	}
}

static void lb_probe_fail_errno(struct lb_probe *p, int e)
{
	lb_probe_close(p, false);
	lb_probe_result(p, false, lb_errno_result(e));
}

static void lb_probe_io(struct ev_loop *loop, int fd, unsigned events, void *data);

static void lb_probe_recv(struct lb_probe *p)
{
	char buf[2048];

	for (;;) {
		ssize_t n = read(p->fd, buf, sizeof(buf));
		llhttp_errno_t herr;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			lb_probe_fail_errno(p, errno);
			return;
		}
		if (n == 0) {
			lb_probe_close(p, false);
			lb_probe_result(p, false, "closed before a response");
			return;
		}
		herr = llhttp_execute(&p->parser, buf, (size_t)n);
		if (p->headers_done) {
			char result[LB_RESULT_MAX];

			lb_probe_http_result(p->status, p->reason, result, sizeof(result));
			/* The server may still be sending: a reset is fine, the
			 * answer is in. */
			lb_probe_close(p, true);
			lb_probe_result(p, p->status == 200, result);
			return;
		}
		if (herr != HPE_OK) {
			lb_probe_close(p, true);
			lb_probe_result(p, false, "malformed HTTP response");
			return;
		}
	}
}

static void lb_probe_send(struct lb_probe *p)
{
	while (p->req_sent < p->req_len) {
		ssize_t n = send(p->fd, p->req + p->req_sent, p->req_len - p->req_sent,
				 MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			lb_probe_fail_errno(p, errno);
			return;
		}
		p->req_sent += (size_t)n;
	}
	p->phase = LB_PHASE_RECV;
	if (ev_watch(p->pr->loop, p->fd, EV_READ, lb_probe_io, p) < 0)
		lb_probe_fail_errno(p, ENOMEM);
}

static void lb_probe_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct lb_probe *p = data;

	(void)loop;
	(void)fd;
	if (p->phase == LB_PHASE_CONNECT) {
		int e = 0;
		socklen_t len = sizeof(e);

		if (!(events & EV_WRITE))
			return;
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
			e = errno;
		if (e) {
			lb_probe_fail_errno(p, e);
			return;
		}
		if (p->spec.proto != LB_PROBE_HTTP) {
			lb_probe_close(p, true);
			lb_probe_result(p, true, "connected");
			return;
		}
		p->phase = LB_PHASE_SEND;
	}
	if (p->phase == LB_PHASE_SEND)
		lb_probe_send(p);
	else if (p->phase == LB_PHASE_RECV && (events & EV_READ))
		lb_probe_recv(p);
}

static void lb_probe_tick(struct ev_loop *loop, uint64_t id, void *data);

static void lb_probe_begin(struct lb_probe *p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd;

	p->attempt_start = ev_now_ms();
	p->have_result = false;
	p->pr->stats.attempts++;
	/* The timer goes first: whatever happens next, the probe stays alive. */
	p->timer = ev_timer_add(p->pr->loop, p->spec.timeout_ms, lb_probe_tick, p);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		/* Our own shortage (EMFILE, ENOBUFS) says nothing about the
		 * backend: skip the round rather than fail it. */
		p->pr->stats.skipped++;
		p->have_result = true;
		return;
	}
	p->fd = fd;
	p->pr->stats.in_flight++;
	sa.sin_addr = p->spec.addr;
	sa.sin_port = htons((uint16_t)p->spec.port);
	p->phase = LB_PHASE_CONNECT;
	if (p->spec.proto == LB_PROBE_HTTP) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &p->spec.addr, ip, sizeof(ip));
		p->req_len = (size_t)snprintf(p->req, sizeof(p->req),
			"GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: clientip-lb-probe/1.0\r\n"
			"Accept: */*\r\nConnection: close\r\n\r\n",
			p->spec.path[0] ? p->spec.path : "/", ip, p->spec.port);
		if (p->req_len >= sizeof(p->req))
			p->req_len = sizeof(p->req) - 1;
		p->req_sent = 0;
		llhttp_init(&p->parser, HTTP_RESPONSE, &p->pr->http);
		p->parser.data = p;
		p->headers_done = false;
		p->status = 0;
		p->reason[0] = '\0';
		p->reason_len = 0;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		lb_probe_fail_errno(p, errno);
		return;
	}
	if (ev_watch(p->pr->loop, fd, EV_WRITE, lb_probe_io, p) < 0)
		lb_probe_fail_errno(p, ENOMEM);
}

static void lb_probe_tick(struct ev_loop *loop, uint64_t id, void *data)
{
	struct lb_probe *p = data;
	uint64_t elapsed, wait;

	(void)loop;
	(void)id;
	p->timer = 0;
	if (p->phase == LB_PHASE_IDLE && p->have_result) {
		/* The attempt ended early, or this is the first start. */
	} else if (p->phase != LB_PHASE_IDLE) {
		/* No answer within the timeout: a blackholed backend ends here
		 * (no SYN-ACK, no RST), as does one that accepts and stays mute. */
		const char *what = p->phase == LB_PHASE_CONNECT ? "timeout (no answer to connect)"
								: "timeout (no HTTP response)";

		p->pr->stats.timeouts++;
		lb_probe_close(p, true);
		lb_probe_result(p, false, what);
	}
	if (p->attempt_start == 0) {
		lb_probe_begin(p);
		return;
	}
	elapsed = ev_now_ms() - p->attempt_start;
	if (elapsed >= p->spec.interval_ms) {
		lb_probe_begin(p);
		return;
	}
	wait = p->spec.interval_ms - elapsed;
	p->attempt_start = 0;   /* the next tick starts an attempt */
	p->timer = ev_timer_add(p->pr->loop, wait, lb_probe_tick, p);
}

struct lb_probe *lb_probe_start(struct lb_prober *pr, const struct lb_probe_spec *spec,
				const struct lb_health_state *initial,
				lb_probe_cb *cb, void *data)
{
	struct lb_probe *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pr = pr;
	p->spec = *spec;
	if (p->spec.interval_ms < 100)
		p->spec.interval_ms = 100;
	if (p->spec.timeout_ms == 0 || p->spec.timeout_ms > p->spec.interval_ms)
		p->spec.timeout_ms = lb_probe_timeout_ms(p->spec.interval_ms);
	if (initial)
		p->health = *initial;
	p->cb = cb;
	p->data = data;
	p->fd = -1;
	p->phase = LB_PHASE_IDLE;
	p->have_result = true;
	p->timer = ev_timer_add(pr->loop, spec->first_delay_ms, lb_probe_tick, p);
	if (!p->timer) {
		free(p);
		return NULL;
	}
	return p;
}

void lb_probe_stop(struct lb_probe *p)
{
	if (!p)
		return;
	if (p->timer)
		ev_timer_cancel(p->pr->loop, p->timer);
	lb_probe_close(p, true);
	free(p);
}
