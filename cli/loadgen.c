/* loadgen.c — see loadgen.h. */
#include "loadgen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llhttp.h>

#include "ev.h"
#include "sock.h"

enum loadgen_outcome { LOADGEN_ANSWERED, LOADGEN_REFUSED, LOADGEN_RESET, LOADGEN_TIMED_OUT };

struct loadgen;

struct loadgen_conn {
	struct loadgen *g;
	int fd;
	bool keepalive;
	bool connected;
	bool busy;                      /* a request is on its way or being answered */
	bool dropped;                   /* keep-alive: lost a request, not reopened */
	size_t index;                   /* new connections: index into the starts */
	uint64_t timeout_timer;
	uint64_t next_timer;            /* keep-alive: the next request */
	size_t req_sent;
	llhttp_t parser;
	bool complete;
	char body[LOADGEN_ANSWER_MAX];
	size_t body_len;
	bool body_line_done;
};

struct loadgen {
	const struct loadgen_config *c;
	struct loadgen_result *r;
	struct ev_loop *loop;
	llhttp_settings_t http;
	char req_close[1400], req_keep[1400];
	size_t req_close_len, req_keep_len;
	uint64_t t0;
	bool ending;
	int in_flight;                  /* requests not finished, both kinds */
	uint64_t *start_ms;
	bool *ok;
	size_t n_starts, cap_starts;
	struct loadgen_conn **ka;
};

uint64_t loadgen_failed(const struct loadgen_result *r)
{
	return r->refused + r->reset + r->timed_out;
}

uint64_t loadgen_longest_gap(const uint64_t *start_ms, const bool *ok, size_t n,
			     uint64_t duration_ms)
{
	uint64_t last = 0, longest = 0;

	for (size_t i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		if (start_ms[i] - last > longest)
			longest = start_ms[i] - last;
		last = start_ms[i];
	}
	if (duration_ms > last && duration_ms - last > longest)
		longest = duration_ms - last;
	return longest;
}

int loadgen_parse_url(const char *url, struct loadgen_config *c, char *err, size_t errlen)
{
	const char *p, *host, *host_end, *path;
	char ip[SOCK_IP_STRLEN];
	long port = 80;

	if (strncmp(url, "http://", 7) != 0) {
		snprintf(err, errlen, "%s: only http:// URLs", url);
		return -1;
	}
	host = url + 7;
	path = strchr(host, '/');
	if (!path)
		path = host + strlen(host);
	if (*host == '[') {
		host_end = memchr(host, ']', (size_t)(path - host));
		if (!host_end)
			goto bad;
		p = host_end + 1;
		host++;
	} else {
		host_end = memchr(host, ':', (size_t)(path - host));
		if (!host_end)
			host_end = path;
		p = host_end;
	}
	if (*p == ':') {
		char *end;

		port = strtol(p + 1, &end, 10);
		if (end != path || port < 1 || port > 65535)
			goto bad;
	} else if (p != path) {
		goto bad;
	}
	if ((size_t)(host_end - host) >= sizeof(ip) || host_end == host)
		goto bad;
	memcpy(ip, host, (size_t)(host_end - host));
	ip[host_end - host] = '\0';
	if (sock_parse_ip(ip, strlen(ip), &c->addr) < 0) {
		snprintf(err, errlen, "%s: the host must be an IP address (the lab has no DNS)", url);
		return -1;
	}
	sock_set_port(&c->addr, (uint16_t)port);
	c->addrlen = sock_addr_len((struct sockaddr *)&c->addr);
	snprintf(c->host, sizeof(c->host), "%.*s", (int)(path - (url + 7)), url + 7);
	snprintf(c->path, sizeof(c->path), "%s", *path ? path : "/");
	return 0;
bad:
	snprintf(err, errlen, "%s: expected http://ADDRESS[:PORT][/PATH]", url);
	return -1;
}

static void loadgen_note_answer(struct loadgen_result *r, const char *text)
{
	for (int i = 0; i < r->n_answers; i++) {
		if (strcmp(r->answers[i].text, text) == 0) {
			r->answers[i].count++;
			return;
		}
	}
	if (r->n_answers == LOADGEN_MAX_ANSWERS) {
		r->other_answers++;
		return;
	}
	snprintf(r->answers[r->n_answers].text, sizeof(r->answers[0].text), "%s", text);
	r->answers[r->n_answers++].count = 1;
}

static int loadgen_on_body(llhttp_t *parser, const char *at, size_t len)
{
	struct loadgen_conn *cn = parser->data;

	/* The first line is enough: clientip-echo answers one address. */
	for (size_t i = 0; i < len && !cn->body_line_done; i++) {
		if (at[i] == '\n' || at[i] == '\r') {
			cn->body_line_done = true;
			break;
		}
		if (cn->body_len + 1 < sizeof(cn->body))
			cn->body[cn->body_len++] = at[i];
	}
	return 0;
}

static int loadgen_on_message_complete(llhttp_t *parser)
{
	struct loadgen_conn *cn = parser->data;

	cn->complete = true;
	/* One response per request: stop here, whatever follows is not ours. */
	return HPE_PAUSED;
}

static void loadgen_maybe_stop(struct loadgen *g)
{
	if (g->ending && g->in_flight == 0)
		ev_stop(g->loop);
}

static void loadgen_close(struct loadgen_conn *cn)
{
	if (cn->fd >= 0) {
		ev_unwatch(cn->g->loop, cn->fd);
		close(cn->fd);
		cn->fd = -1;
	}
	if (cn->timeout_timer) {
		ev_timer_cancel(cn->g->loop, cn->timeout_timer);
		cn->timeout_timer = 0;
	}
	if (cn->next_timer) {
		ev_timer_cancel(cn->g->loop, cn->next_timer);
		cn->next_timer = 0;
	}
}

static void loadgen_send_next(struct ev_loop *loop, uint64_t timer, void *data);
static void loadgen_connect(struct loadgen_conn *cn);

/* The end of one request, however it ended. */
static void loadgen_finish(struct loadgen_conn *cn, enum loadgen_outcome how)
{
	struct loadgen *g = cn->g;
	struct loadgen_result *r = g->r;

	if (!cn->busy)
		return;
	cn->busy = false;
	g->in_flight--;
	if (cn->timeout_timer) {
		ev_timer_cancel(g->loop, cn->timeout_timer);
		cn->timeout_timer = 0;
	}
	if (how == LOADGEN_ANSWERED) {
		cn->body[cn->body_len] = '\0';
		loadgen_note_answer(r, cn->body);
		if (!cn->keepalive && (cn->parser.status_code < 200 || cn->parser.status_code > 299))
			r->non_2xx++;
	}
	if (cn->keepalive) {
		if (how == LOADGEN_ANSWERED) {
			r->ka_answered++;
			/* "Connection: close" is the server's orderly way out (a
			 * draining pod says it): the next request opens a new
			 * connection, as any client's pool does. */
			if (!llhttp_should_keep_alive(&cn->parser))
				loadgen_close(cn);
			if (!g->ending)
				cn->next_timer = ev_timer_add(g->loop, g->c->keepalive_interval_ms,
							      loadgen_send_next, cn);
		} else {
			r->ka_dropped++;
			cn->dropped = true;
			loadgen_close(cn);
		}
		loadgen_maybe_stop(g);
		return;
	}
	switch (how) {
	case LOADGEN_ANSWERED:
		r->answered++;
		g->ok[cn->index] = true;
		break;
	case LOADGEN_REFUSED: r->refused++; break;
	case LOADGEN_RESET: r->reset++; break;
	case LOADGEN_TIMED_OUT: r->timed_out++; break;
	}
	if (how != LOADGEN_ANSWERED) {
		int s = (int)(g->start_ms[cn->index] / 1000);

		if (s >= 0 && s < r->seconds)
			r->failed_per_s[s]++;
	}
	loadgen_close(cn);
	free(cn);
	loadgen_maybe_stop(g);
}

static enum loadgen_outcome loadgen_outcome_of(int e)
{
	switch (e) {
	case -ECONNREFUSED: case -EHOSTUNREACH: case -ENETUNREACH: case -EADDRNOTAVAIL:
		return LOADGEN_REFUSED;
	case -ETIMEDOUT:
		return LOADGEN_TIMED_OUT;
	default:
		return LOADGEN_RESET;
	}
}

static void loadgen_on_timeout(struct ev_loop *loop, uint64_t timer, void *data)
{
	struct loadgen_conn *cn = data;

	(void)loop;
	(void)timer;
	cn->timeout_timer = 0;
	loadgen_finish(cn, LOADGEN_TIMED_OUT);
}

static void loadgen_io(struct ev_loop *loop, int fd, unsigned events, void *data);

/* Writes what is left of the request; 0, or the outcome's -errno. */
static int loadgen_write(struct loadgen_conn *cn)
{
	const char *req = cn->keepalive ? cn->g->req_keep : cn->g->req_close;
	size_t len = cn->keepalive ? cn->g->req_keep_len : cn->g->req_close_len;

	while (cn->req_sent < len) {
		ssize_t n = send(cn->fd, req + cn->req_sent, len - cn->req_sent, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return ev_watch(cn->g->loop, cn->fd, EV_READ | EV_WRITE, loadgen_io, cn);
			return -errno;
		}
		cn->req_sent += (size_t)n;
	}
	return ev_watch(cn->g->loop, cn->fd, EV_READ, loadgen_io, cn);
}

static void loadgen_begin_request(struct loadgen_conn *cn)
{
	struct loadgen *g = cn->g;

	cn->busy = true;
	g->in_flight++;
	cn->req_sent = 0;
	cn->complete = false;
	cn->body_len = 0;
	cn->body_line_done = false;
	llhttp_init(&cn->parser, HTTP_RESPONSE, &g->http);
	cn->parser.data = cn;
	cn->timeout_timer = ev_timer_add(g->loop, g->c->timeout_ms, loadgen_on_timeout, cn);
}

static void loadgen_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct loadgen_conn *cn = data;
	char buf[16384];
	int e;

	(void)loop;
	(void)fd;
	if (!cn->connected) {
		if (!(events & EV_WRITE))
			return;
		e = sock_error(cn->fd);
		if (e < 0) {
			loadgen_finish(cn, loadgen_outcome_of(e));
			return;
		}
		cn->connected = true;
	}
	if (events & EV_WRITE) {
		e = loadgen_write(cn);
		if (e < 0) {
			loadgen_finish(cn, loadgen_outcome_of(e));
			return;
		}
	}
	if (!(events & EV_READ))
		return;
	for (;;) {
		ssize_t n = recv(cn->fd, buf, sizeof(buf), 0);
		llhttp_errno_t herr;

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			loadgen_finish(cn, loadgen_outcome_of(-errno));
			return;
		}
		if (n == 0) {
			/* A body that runs to the close is complete at EOF. */
			if (!cn->complete && cn->busy && llhttp_finish(&cn->parser) == HPE_OK &&
			    cn->complete) {
				loadgen_finish(cn, LOADGEN_ANSWERED);
			} else if (cn->busy) {
				loadgen_finish(cn, cn->complete ? LOADGEN_ANSWERED : LOADGEN_RESET);
			} else if (cn->keepalive) {
				/* The server closed an idle keep-alive connection: the
				 * next request opens a new one. */
				loadgen_close(cn);
			}
			return;
		}
		if (!cn->busy)
			continue;   /* bytes after a response: not ours to judge */
		herr = llhttp_execute(&cn->parser, buf, (size_t)n);
		if (cn->complete) {
			bool keep = cn->keepalive;

			loadgen_finish(cn, LOADGEN_ANSWERED);
			if (!keep)
				return;   /* cn is freed */
			continue;
		}
		if (herr != HPE_OK) {
			loadgen_finish(cn, LOADGEN_RESET);
			return;
		}
	}
}

static void loadgen_send_next(struct ev_loop *loop, uint64_t timer, void *data)
{
	struct loadgen_conn *cn = data;
	int e;

	(void)loop;
	(void)timer;
	cn->next_timer = 0;
	if (cn->g->ending || cn->dropped)
		return;
	cn->g->r->ka_requests++;
	if (cn->fd < 0) {
		cn->g->r->ka_reopened++;
		cn->connected = false;
		loadgen_connect(cn);
		return;
	}
	loadgen_begin_request(cn);
	e = loadgen_write(cn);
	if (e < 0)
		loadgen_finish(cn, loadgen_outcome_of(e));
}

/* Connects cn and sends its first request once connected. */
static void loadgen_connect(struct loadgen_conn *cn)
{
	struct loadgen *g = cn->g;
	int fd;

	loadgen_begin_request(cn);
	fd = sock_connect_tcp((const struct sockaddr *)&g->c->addr, g->c->addrlen);
	if (fd < 0) {
		loadgen_finish(cn, loadgen_outcome_of(fd));
		return;
	}
	cn->fd = fd;
	if (ev_watch(g->loop, fd, EV_WRITE, loadgen_io, cn) < 0)
		loadgen_finish(cn, LOADGEN_RESET);
}

static int loadgen_start_one(struct loadgen *g, uint64_t at_ms)
{
	struct loadgen_conn *cn;

	if (g->n_starts == g->cap_starts) {
		size_t cap = g->cap_starts ? g->cap_starts * 2 : 1024;
		uint64_t *s = realloc(g->start_ms, cap * sizeof(*s));
		bool *ok;

		if (!s)
			return -ENOMEM;
		g->start_ms = s;
		ok = realloc(g->ok, cap * sizeof(*ok));
		if (!ok)
			return -ENOMEM;
		g->ok = ok;
		g->cap_starts = cap;
	}
	cn = calloc(1, sizeof(*cn));
	if (!cn)
		return -ENOMEM;
	cn->g = g;
	cn->fd = -1;
	cn->index = g->n_starts;
	g->start_ms[g->n_starts] = at_ms;
	g->ok[g->n_starts++] = false;
	g->r->sent++;
	loadgen_connect(cn);
	return 0;
}

/* Starts the new connections that are due and re-arms itself for the
 * next one; at the end of the run, lets what is in flight finish. */
static void loadgen_tick(struct ev_loop *loop, uint64_t timer, void *data)
{
	struct loadgen *g = data;
	uint64_t elapsed = ev_now_ms() - g->t0, due, next_ms;

	(void)timer;
	if (elapsed >= g->c->duration_ms) {
		g->ending = true;
		for (int i = 0; i < g->c->keepalive; i++) {
			if (g->ka[i] && g->ka[i]->next_timer) {
				ev_timer_cancel(loop, g->ka[i]->next_timer);
				g->ka[i]->next_timer = 0;
			}
		}
		loadgen_maybe_stop(g);
		return;
	}
	if (g->c->rate > 0) {
		due = (uint64_t)((double)elapsed * g->c->rate / 1000.0) + 1;
		while (g->r->sent < due)
			if (loadgen_start_one(g, ev_now_ms() - g->t0) < 0)
				break;
		next_ms = (uint64_t)((double)g->r->sent * 1000.0 / g->c->rate);
	} else {
		next_ms = g->c->duration_ms;
	}
	if (next_ms > g->c->duration_ms)
		next_ms = g->c->duration_ms;
	ev_timer_add(loop, next_ms > elapsed ? next_ms - elapsed : 1, loadgen_tick, g);
}

static int loadgen_request_text(const struct loadgen_config *c, bool keep, char *out, size_t len)
{
	int n = snprintf(out, len, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: clientip-load\r\n"
			 "%s\r\n", c->path, c->host, keep ? "" : "Connection: close\r\n");

	return n > 0 && (size_t)n < len ? n : -1;
}

int loadgen_run(const struct loadgen_config *c, struct loadgen_result *r, char *err,
		size_t errlen)
{
	struct loadgen g = { .c = c, .r = r };
	int n, rc = -1;

	memset(r, 0, sizeof(*r));
	if (c->duration_ms == 0 || c->timeout_ms == 0 || (c->rate <= 0 && c->keepalive <= 0)) {
		snprintf(err, errlen, "nothing to do: give a duration, a timeout and a rate or "
			 "keep-alive connections");
		return -1;
	}
	r->seconds = (int)((c->duration_ms + 999) / 1000);
	r->failed_per_s = calloc((size_t)r->seconds, sizeof(*r->failed_per_s));
	g.ka = calloc((size_t)(c->keepalive > 0 ? c->keepalive : 1), sizeof(*g.ka));
	g.loop = ev_loop_new();
	if (!r->failed_per_s || !g.ka || !g.loop) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	n = loadgen_request_text(c, false, g.req_close, sizeof(g.req_close));
	if (n < 0 || loadgen_request_text(c, true, g.req_keep, sizeof(g.req_keep)) < 0) {
		snprintf(err, errlen, "the URL is too long");
		goto out;
	}
	g.req_close_len = (size_t)n;
	g.req_keep_len = strlen(g.req_keep);
	llhttp_settings_init(&g.http);
	g.http.on_body = loadgen_on_body;
	g.http.on_message_complete = loadgen_on_message_complete;
	g.t0 = ev_now_ms();
	for (int i = 0; i < c->keepalive; i++) {
		g.ka[i] = calloc(1, sizeof(*g.ka[i]));
		if (!g.ka[i]) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		g.ka[i]->g = &g;
		g.ka[i]->fd = -1;
		g.ka[i]->keepalive = true;
		r->ka_opened++;
		r->ka_requests++;
		loadgen_connect(g.ka[i]);
	}
	loadgen_tick(g.loop, 0, &g);
	if (ev_run(g.loop) < 0) {
		snprintf(err, errlen, "event loop: %s", strerror(errno));
		goto out;
	}
	r->longest_gap_ms = c->rate > 0 ? loadgen_longest_gap(g.start_ms, g.ok, g.n_starts,
							      c->duration_ms) : 0;
	/* Most frequent answer first. */
	for (int i = 1; i < r->n_answers; i++) {
		struct loadgen_answer a = r->answers[i];
		int j = i - 1;

		for (; j >= 0 && r->answers[j].count < a.count; j--)
			r->answers[j + 1] = r->answers[j];
		r->answers[j + 1] = a;
	}
	rc = 0;
out:
	for (int i = 0; g.ka && i < c->keepalive; i++) {
		if (g.ka[i]) {
			loadgen_close(g.ka[i]);
			free(g.ka[i]);
		}
	}
	free(g.ka);
	free(g.start_ms);
	free(g.ok);
	if (g.loop)
		ev_loop_free(g.loop);
	if (rc < 0)
		loadgen_result_free(r);
	return rc;
}

void loadgen_result_free(struct loadgen_result *r)
{
	free(r->failed_per_s);
	r->failed_per_s = NULL;
	r->seconds = 0;
}
