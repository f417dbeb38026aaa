/* Unit tests for lib/probe.c: one attempt against listeners on 127.0.0.1
 * on the same loop — refused, connected, 200, 503, something not HTTP, a
 * peer that closes, one that accepts and never answers, a full accept
 * queue (no answer to connect), an answer that waits while the loop is held
 * past the deadline, RST or FIN on close, cancel, the body for
 * a caller that wants it, the source address — and the request and result
 * texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ev.h"
#include "loopback.h"
#include "probe.h"

/* ---- a small server on the same loop ------------------------------------ */

enum srv_mode {
	SRV_HOLD,     /* accept, read, never answer */
	SRV_ANSWER,   /* read the request, write `answer`, close */
	SRV_CLOSE,    /* read the request, close without a word */
};

struct srv {
	struct ev_loop *loop;
	int lfd;
	int port;
	enum srv_mode mode;
	const char *answer;
	char request[1024];     /* what the last connection sent */
	size_t request_len;
	int conn;               /* the accepted connection, -1 none */
	int read_end;           /* the last read on conn: bytes, or -errno */
};

static void srv_conn(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct srv *s = data;
	ssize_t n;

	(void)events;
	n = read(fd, s->request + s->request_len, sizeof(s->request) - 1 - s->request_len);
	if (n < 0 && errno == EAGAIN)
		return;
	s->read_end = n < 0 ? -errno : (int)n;
	if (n <= 0) {
		/* The probe closed: keep the connection for the test to look at. */
		ev_unwatch(loop, fd);
		return;
	}
	s->request_len += (size_t)n;
	s->request[s->request_len] = '\0';
	if (!strstr(s->request, "\r\n\r\n") || s->mode == SRV_HOLD)
		return;
	if (s->mode == SRV_ANSWER && write(fd, s->answer, strlen(s->answer)) < 0)
		fail_msg("write: %s", strerror(errno));
	ev_unwatch(loop, fd);
	close(fd);
	s->conn = -1;
}

static void srv_accept(struct ev_loop *loop, int lfd, unsigned events, void *data)
{
	struct srv *s = data;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)events;
	if (fd < 0)
		return;
	s->conn = fd;
	assert_int_equal(ev_watch(loop, fd, EV_READ, srv_conn, s), 0);
}

/* A listener on 127.0.0.1; not accepting with backlog 0 fills its queue
 * with one connection. */
static void srv_start(struct srv *s, struct ev_loop *loop, enum srv_mode mode, bool accepting)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->mode = mode;
	s->conn = -1;
	s->lfd = loopback_listen(SOCK_NONBLOCK, accepting ? 16 : 0, &s->port);
	if (accepting)
		assert_int_equal(ev_watch(loop, s->lfd, EV_READ, srv_accept, s), 0);
}

static void srv_stop(struct srv *s)
{
	ev_unwatch(s->loop, s->lfd);
	close(s->lfd);
	if (s->conn >= 0) {
		ev_unwatch(s->loop, s->conn);
		close(s->conn);
	}
}

/* ---- running one attempt -------------------------------------------------- */

struct rec {
	int calls;
	struct probe_result r;
};

static void on_result(const struct probe_result *r, void *data)
{
	struct rec *rec = data;

	rec->calls++;
	rec->r = *r;
}

static void stop_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	(void)id;
	(void)data;
	ev_stop(loop);
}

/* Polls the loop until cond(arg) holds; a hung attempt fails the test
 * after 5 s instead of hanging it. */
static void run_until(struct ev_loop *loop, bool (*cond)(const void *), const void *arg)
{
	uint64_t give_up = ev_now_ms() + 5000;

	while (!cond(arg)) {
		assert_true(ev_now_ms() < give_up);
		ev_timer_add(loop, 5, stop_timer, NULL);
		assert_int_equal(ev_run(loop), 0);
	}
}

static bool have_result(const void *arg)
{
	return ((const struct rec *)arg)->calls > 0;
}

/* The request is on its way: the attempt waits for the answer. */
static bool sent(const void *arg)
{
	return ((const struct probe *)arg)->stage == PROBE_RECV;
}

static void spec_init(struct probe_spec *spec, enum probe_kind kind, int port)
{
	memset(spec, 0, sizeof(*spec));
	spec->kind = kind;
	spec->addr.s_addr = htonl(INADDR_LOOPBACK);
	spec->port = port;
	spec->path = "/healthz";
	spec->headers = "User-Agent: test-probe\r\n";
	spec->timeout_ms = 3000;
}

/* Runs one attempt to its end; the callback must come exactly once. */
static void run_attempt(struct ev_loop *loop, const struct probe_spec *spec, struct rec *rec)
{
	struct probe p = { 0 };

	assert_int_equal(probe_start(&p, loop, spec, on_result, rec), 0);
	/* Never from within probe_start(). */
	assert_int_equal(rec->calls, 0);
	assert_true(probe_running(&p));
	run_until(loop, have_result, rec);
	assert_false(probe_running(&p));
	probe_cancel(&p);
	assert_int_equal(rec->calls, 1);
}

/* ---- outcomes -------------------------------------------------------------- */

/* Each test's loop, probe spec, result and (if it started one) server. */
struct fx {
	struct ev_loop *loop;
	struct probe_spec spec;
	struct rec rec;
	struct srv s;
	bool serving;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || !(f->loop = ev_loop_new()))
		return -1;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	if (f->serving)
		srv_stop(&f->s);
	ev_loop_free(f->loop);
	free(f);
	return 0;
}

/* A server in mode, and a probe of kind aimed at it. */
static void fx_serve(struct fx *f, enum srv_mode mode, bool accepting, enum probe_kind kind)
{
	srv_start(&f->s, f->loop, mode, accepting);
	f->serving = true;
	spec_init(&f->spec, kind, f->s.port);
}

/* An HTTP attempt against a server that answers with answer. */
static const struct probe_result *fx_answered(struct fx *f, const char *answer)
{
	fx_serve(f, SRV_ANSWER, true, PROBE_HTTP);
	f->s.answer = answer;
	run_attempt(f->loop, &f->spec, &f->rec);
	return &f->rec.r;
}

static void test_refused(void **state)
{
	struct fx *f = *state;

	spec_init(&f->spec, PROBE_HTTP, loopback_closed_port());
	run_attempt(f->loop, &f->spec, &f->rec);
	assert_int_equal(f->rec.r.outcome, PROBE_FAILED);
	assert_int_equal(f->rec.r.stage, PROBE_CONNECT);
	assert_int_equal(f->rec.r.error, ECONNREFUSED);
	assert_string_equal(f->rec.r.text, "connection refused");
}

static void test_tcp_connected(void **state)
{
	struct fx *f = *state;

	fx_serve(f, SRV_HOLD, true, PROBE_TCP);
	run_attempt(f->loop, &f->spec, &f->rec);
	assert_int_equal(f->rec.r.outcome, PROBE_OK);
	assert_int_equal(f->rec.r.status, 0);
	assert_string_equal(f->rec.r.text, "connected");
}

static void test_http_200(void **state)
{
	struct fx *f = *state;
	const struct probe_result *r =
		fx_answered(f, "HTTP/1.1 200 Fine\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");

	assert_int_equal(r->outcome, PROBE_OK);
	assert_int_equal(r->stage, PROBE_RECV);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->reason, "Fine");
	assert_string_equal(r->text, "200 OK");
	/* What the server got: the request line, Host, the caller's headers. */
	assert_non_null(strstr(f->s.request, "GET /healthz HTTP/1.1\r\n"));
	assert_non_null(strstr(f->s.request, "\r\nHost: 127.0.0.1:"));
	assert_non_null(strstr(f->s.request, "\r\nUser-Agent: test-probe\r\n"));
}

static void test_http_503(void **state)
{
	const struct probe_result *r = fx_answered(*state, "HTTP/1.0 503 Draining\r\n\r\n");

	/* An answer is an OK attempt: whether 503 is healthy is the caller's. */
	assert_int_equal(r->outcome, PROBE_OK);
	assert_int_equal(r->status, 503);
	assert_string_equal(r->reason, "Draining");
	assert_string_equal(r->text, "503 Service Unavailable");
}

static void test_not_http(void **state)
{
	const struct probe_result *r = fx_answered(*state, "SSH-2.0-OpenSSH_9.6\r\n");

	assert_int_equal(r->outcome, PROBE_FAILED);
	assert_int_equal(r->error, EPROTO);
	assert_string_equal(r->text, "malformed HTTP response");
}

static void test_closed_before_response(void **state)
{
	struct fx *f = *state;

	fx_serve(f, SRV_CLOSE, true, PROBE_HTTP);
	run_attempt(f->loop, &f->spec, &f->rec);
	assert_int_equal(f->rec.r.outcome, PROBE_FAILED);
	assert_int_equal(f->rec.r.stage, PROBE_RECV);
	assert_int_equal(f->rec.r.error, 0);
	assert_string_equal(f->rec.r.text, "closed before a response");
}

static void test_no_response_times_out(void **state)
{
	struct fx *f = *state;

	fx_serve(f, SRV_HOLD, true, PROBE_HTTP);
	f->spec.timeout_ms = 100;
	run_attempt(f->loop, &f->spec, &f->rec);
	assert_int_equal(f->rec.r.outcome, PROBE_TIMEOUT);
	assert_int_equal(f->rec.r.stage, PROBE_RECV);
	assert_string_equal(f->rec.r.text, "timeout (no HTTP response)");
}

/* A server on a thread of its own, so that it answers while the loop is
 * held up: accept one connection, read the request, answer once the loop
 * is held, close. */
struct thread_srv {
	int lfd;
	const char *answer;
	atomic_bool go;          /* the loop is held: answer now */
	atomic_bool answered;
};

static void *thread_srv_main(void *arg)
{
	struct thread_srv *t = arg;
	char req[1024];
	size_t n = 0;
	int fd = accept(t->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	while (n < sizeof(req) - 1) {
		ssize_t r = read(fd, req + n, sizeof(req) - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	while (!atomic_load(&t->go))
		usleep(1000);
	if (write(fd, t->answer, strlen(t->answer)) == (ssize_t)strlen(t->answer))
		atomic_store(&t->answered, true);
	close(fd);
	return NULL;
}

struct hold {
	struct thread_srv *srv;
	uint64_t until_ms;
};

/* Holds the loop, as a blocking call in another socket's callback would
 * (the kubelet's request to an API server that does not answer), until
 * the answer is written and the probe's deadline has passed. The loop's
 * next turn then finds the deadline due and the answer unread. */
static void hold_loop(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct hold *h = data;
	char c;

	(void)events;
	ev_unwatch(loop, fd);
	assert_int_equal(read(fd, &c, 1), 1);
	atomic_store(&h->srv->go, true);
	while (!atomic_load(&h->srv->answered) || ev_now_ms() <= h->until_ms)
		usleep(1000);
}

/* The answer came within the timeout, but the loop was held up past the
 * deadline: the attempt is answered, not timed out. */
static void test_loop_held_past_deadline(void **state)
{
	struct fx *f = *state;
	struct thread_srv t = {
		.answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	};
	struct probe p = { 0 };
	struct hold h = { .srv = &t };
	pthread_t th;
	int port, kick[2];

	t.lfd = loopback_listen(0, 16, &port);
	assert_int_equal(pthread_create(&th, NULL, thread_srv_main, &t), 0);
	spec_init(&f->spec, PROBE_HTTP, port);
	f->spec.timeout_ms = 100;
	assert_int_equal(probe_start(&p, f->loop, &f->spec, on_result, &f->rec), 0);
	/* Connected and sent within the first turns, then the loop is held. */
	run_until(f->loop, sent, &p);
	h.until_ms = p.start_ms + f->spec.timeout_ms;
	assert_int_equal(pipe2(kick, O_CLOEXEC), 0);
	assert_int_equal(write(kick[1], "x", 1), 1);
	assert_int_equal(ev_watch(f->loop, kick[0], EV_READ, hold_loop, &h), 0);
	run_until(f->loop, have_result, &f->rec);
	close(kick[0]);
	close(kick[1]);
	assert_int_equal(f->rec.calls, 1);
	assert_int_equal(f->rec.r.outcome, PROBE_OK);
	assert_int_equal(f->rec.r.status, 200);
	probe_cancel(&p);
	pthread_join(th, NULL);
	close(t.lfd);
}

static void test_full_queue_times_out_connect(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fillers[4];

	/* Backlog 0, never accepting: once the queue holds a connection the
	 * kernel drops further SYNs, which is what a blackholed peer does. */
	fx_serve(f, SRV_HOLD, false, PROBE_TCP);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)f->s.port);
	for (int i = 0; i < 4; i++) {
		fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fillers[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	f->spec.timeout_ms = 200;
	run_attempt(f->loop, &f->spec, &f->rec);
	assert_int_equal(f->rec.r.outcome, PROBE_TIMEOUT);
	assert_int_equal(f->rec.r.stage, PROBE_CONNECT);
	assert_string_equal(f->rec.r.text, "timeout (no answer to connect)");
	for (int i = 0; i < 4; i++)
		close(fillers[i]);
}

/* ---- the body, for a caller that gives room for it ----------------------- */

static const struct probe_result *fx_body(struct fx *f, const char *answer, char *body,
					  size_t body_max)
{
	fx_serve(f, SRV_ANSWER, true, PROBE_HTTP);
	f->s.answer = answer;
	f->spec.body = body;
	f->spec.body_max = body_max;
	run_attempt(f->loop, &f->spec, &f->rec);
	return &f->rec.r;
}

static void test_body_by_length(void **state)
{
	char body[128];
	const struct probe_result *r = fx_body(*state, "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n"
					       "\r\n::ffff:198.51.100.10\n", body, sizeof(body));

	assert_int_equal(r->outcome, PROBE_OK);
	assert_int_equal(r->status, 200);
	assert_string_equal(body, "::ffff:198.51.100.10\n");
	assert_int_equal(r->body_len, strlen(body));
}

/* No length: the body runs to the close. */
static void test_body_to_close(void **state)
{
	char body[128];
	const struct probe_result *r = fx_body(*state, "HTTP/1.0 404 Not Found\r\n\r\n10.244.0.1",
					       body, sizeof(body));

	assert_int_equal(r->outcome, PROBE_OK);
	assert_int_equal(r->status, 404);
	assert_string_equal(body, "10.244.0.1");
}

static void test_body_chunked(void **state)
{
	char body[128];
	const struct probe_result *r = fx_body(*state, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
					       "\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
					       body, sizeof(body));

	assert_int_equal(r->outcome, PROBE_OK);
	assert_string_equal(body, "hello world");
}

/* A body longer than the room: its start, and the answer all the same. */
static void test_body_cut_to_room(void **state)
{
	char body[6];
	const struct probe_result *r = fx_body(*state, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
					       "\r\n0123456789", body, sizeof(body));

	assert_int_equal(r->outcome, PROBE_OK);
	assert_string_equal(body, "01234");
	assert_int_equal(r->body_len, 5);
}

static void test_body_empty(void **state)
{
	char body[16] = "stale";
	const struct probe_result *r = fx_body(*state, "HTTP/1.1 204 No Content\r\n\r\n", body,
					       sizeof(body));

	assert_int_equal(r->outcome, PROBE_OK);
	assert_int_equal(r->status, 204);
	assert_string_equal(body, "");
	assert_int_equal(r->body_len, 0);
}

static bool srv_has_conn(const void *arg)
{
	return ((const struct srv *)arg)->conn >= 0;
}

/* The source address is there before the answer, and is what the peer sees. */
static void test_local_addr(void **state)
{
	struct fx *f = *state;
	struct probe p = { 0 };
	struct sockaddr_in local, peer;
	socklen_t len = sizeof(peer);

	assert_int_equal(probe_local_addr(&p, &local), -ENOTCONN);
	fx_serve(f, SRV_HOLD, true, PROBE_HTTP);
	assert_int_equal(probe_start(&p, f->loop, &f->spec, on_result, &f->rec), 0);
	assert_int_equal(probe_local_addr(&p, &local), 0);
	assert_int_equal(local.sin_family, AF_INET);
	assert_int_equal(ntohl(local.sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_not_equal(local.sin_port, 0);
	run_until(f->loop, srv_has_conn, &f->s);
	assert_int_equal(getpeername(f->s.conn, (struct sockaddr *)&peer, &len), 0);
	assert_int_equal(peer.sin_port, local.sin_port);
	probe_cancel(&p);
	assert_int_equal(f->rec.calls, 0);
}

static bool conn_ended(const void *arg)
{
	return ((const struct srv *)arg)->read_end <= 0;
}

/* The peer sees how a TCP probe closes: RST with reset, FIN without. */
static void close_seen(bool reset, int want)
{
	void *state = NULL;
	struct fx *f;

	assert_int_equal(fx_setup(&state), 0);
	f = state;
	fx_serve(f, SRV_HOLD, true, PROBE_TCP);
	f->s.read_end = 1;
	f->spec.reset = reset;
	run_attempt(f->loop, &f->spec, &f->rec);
	assert_int_equal(f->rec.r.outcome, PROBE_OK);
	run_until(f->loop, conn_ended, &f->s);
	assert_int_equal(f->s.read_end, want);
	fx_teardown(&state);
}

static void test_reset_closes_with_rst(void **state)
{
	(void)state;
	close_seen(true, -ECONNRESET);
	close_seen(false, 0);
}

static void test_cancel_means_no_callback(void **state)
{
	struct fx *f = *state;
	struct probe p = { 0 };

	fx_serve(f, SRV_HOLD, true, PROBE_HTTP);
	f->spec.timeout_ms = 50;
	assert_int_equal(probe_start(&p, f->loop, &f->spec, on_result, &f->rec), 0);
	probe_cancel(&p);
	assert_false(probe_running(&p));
	/* Well past the timeout: neither the connect nor the timer report. */
	ev_timer_add(f->loop, 200, stop_timer, NULL);
	assert_int_equal(ev_run(f->loop), 0);
	assert_int_equal(f->rec.calls, 0);
	/* The probe can run again after a cancel. */
	f->spec.kind = PROBE_TCP;
	run_attempt(f->loop, &f->spec, &f->rec);
	assert_int_equal(f->rec.r.outcome, PROBE_OK);
}

/* ---- texts ---------------------------------------------------------------- */

static void test_request(void **state)
{
	struct probe_spec spec;
	char buf[512];
	int n;

	(void)state;
	spec_init(&spec, PROBE_HTTP, 8080);
	inet_pton(AF_INET, "10.244.1.7", &spec.addr);
	spec.path = "/healthz?full=1";
	n = probe_request(buf, sizeof(buf), &spec);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "GET /healthz?full=1 HTTP/1.1\r\nHost: 10.244.1.7:8080\r\n"
				 "User-Agent: test-probe\r\nConnection: close\r\n\r\n");
	/* No path is "/", a path without its slash gets one. */
	spec.path = NULL;
	spec.headers = NULL;
	probe_request(buf, sizeof(buf), &spec);
	assert_string_equal(buf, "GET / HTTP/1.1\r\nHost: 10.244.1.7:8080\r\n"
				 "Connection: close\r\n\r\n");
	spec.path = "ready";
	spec.host = "app.example";
	probe_request(buf, sizeof(buf), &spec);
	assert_string_equal(buf, "GET /ready HTTP/1.1\r\nHost: app.example\r\n"
				 "Connection: close\r\n\r\n");
	assert_int_equal(probe_request(buf, 20, &spec), -1);
}

static void test_status_text(void **state)
{
	char out[64];

	(void)state;
	probe_status_text(200, "Fine", out, sizeof(out));
	assert_string_equal(out, "200 OK");
	probe_status_text(503, "", out, sizeof(out));
	assert_string_equal(out, "503 Service Unavailable");
	probe_status_text(299, "Odd", out, sizeof(out));
	assert_string_equal(out, "299 Odd");
	probe_status_text(299, "", out, sizeof(out));
	assert_string_equal(out, "299");
	assert_string_equal(probe_error_text(EHOSTUNREACH), "no route to host");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_connected, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_http_200, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_http_503, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_not_http, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_closed_before_response, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_response_times_out, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_loop_held_past_deadline, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_full_queue_times_out_connect, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_body_by_length, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_body_to_close, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_body_chunked, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_body_cut_to_room, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_body_empty, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_local_addr, fx_setup, fx_teardown),
		cmocka_unit_test(test_reset_closes_with_rst),
		cmocka_unit_test_setup_teardown(test_cancel_means_no_callback, fx_setup, fx_teardown),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_status_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
