/* Unit tests for lb/lb_probe.c: the Up/Down state machine (threshold both
 * ways) and the engine against real sockets on 127.0.0.1 — refused,
 * 200/503, a server that never answers, a listener whose queue is full
 * (SYNs dropped, as a blackholed node), and many probes at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ev.h"
#include "lb_probe.h"
#include "loopback.h"

/* ---- state machine ------------------------------------------------------ */

static void test_first_result_decides(void **state)
{
	struct lb_health_state h = { 0 };

	(void)state;
	assert_int_equal(h.state, LB_HEALTH_UNKNOWN);
	assert_true(lb_health_feed(&h, true, 2, "200 OK", 1000));
	assert_int_equal(h.state, LB_HEALTH_UP);
	assert_int_equal(h.consecutive, 1);
	assert_int_equal(h.last_change_ms, 1000);

	memset(&h, 0, sizeof(h));
	assert_true(lb_health_feed(&h, false, 2, "503 Service Unavailable", 1000));
	assert_int_equal(h.state, LB_HEALTH_DOWN);
	assert_string_equal(h.last_result, "503 Service Unavailable");
}

static void test_threshold_down_and_up(void **state)
{
	struct lb_health_state h = { 0 };

	(void)state;
	lb_health_feed(&h, true, 3, "200 OK", 1);
	/* Two failures are not enough with threshold 3... */
	assert_false(lb_health_feed(&h, false, 3, "timeout", 2));
	assert_false(lb_health_feed(&h, false, 3, "timeout", 3));
	assert_int_equal(h.state, LB_HEALTH_UP);
	assert_int_equal(h.consecutive, 2);
	/* ...a success in between starts the count again... */
	assert_false(lb_health_feed(&h, true, 3, "200 OK", 4));
	assert_false(lb_health_feed(&h, false, 3, "timeout", 5));
	assert_false(lb_health_feed(&h, false, 3, "timeout", 6));
	/* ...the third in a row takes it out. */
	assert_true(lb_health_feed(&h, false, 3, "timeout", 7));
	assert_int_equal(h.state, LB_HEALTH_DOWN);
	assert_int_equal(h.last_change_ms, 7);
	/* The way back takes as many successes. */
	assert_false(lb_health_feed(&h, true, 3, "200 OK", 8));
	assert_false(lb_health_feed(&h, true, 3, "200 OK", 9));
	assert_true(lb_health_feed(&h, true, 3, "200 OK", 10));
	assert_int_equal(h.state, LB_HEALTH_UP);
	assert_int_equal(h.successes, 5);
	assert_int_equal(h.failures, 5);
}

static void test_timeout_ms(void **state)
{
	(void)state;
	assert_int_equal(lb_probe_timeout_ms(1000), 800);
	assert_int_equal(lb_probe_timeout_ms(5000), 4000);
	assert_int_equal(lb_probe_timeout_ms(15000), 5000);
}

/* ---- a small server on the same loop ------------------------------------ */

enum srv_mode { SRV_ACCEPT, SRV_HTTP, SRV_SILENT };

struct srv {
	struct ev_loop *loop;
	int lfd;
	int port;
	enum srv_mode mode;
	int codes[16];       /* HTTP status per request; the last repeats */
	int n_codes;
	int served;
	int held[64];        /* SRV_SILENT: connections kept open */
	int n_held;
};

static void srv_conn(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct srv *s = data;
	char buf[1024], resp[256];
	ssize_t n = read(fd, buf, sizeof(buf));
	int code;

	(void)events;
	if (n <= 0 || !memmem(buf, (size_t)n, "\r\n\r\n", 4)) {
		if (n <= 0) {
			ev_unwatch(loop, fd);
			close(fd);
		}
		return;
	}
	code = s->codes[s->served < s->n_codes ? s->served : s->n_codes - 1];
	s->served++;
	snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Length: 2\r\n"
		 "Connection: close\r\n\r\n{}", code);
	if (write(fd, resp, strlen(resp)) < 0) {
		/* the probe may be gone already */
	}
	ev_unwatch(loop, fd);
	close(fd);
}

static void srv_accept(struct ev_loop *loop, int lfd, unsigned events, void *data)
{
	struct srv *s = data;

	(void)events;
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (s->mode == SRV_ACCEPT) {
			close(fd);
		} else if (s->mode == SRV_SILENT && s->n_held < 64) {
			s->held[s->n_held++] = fd;
		} else if (s->mode == SRV_HTTP) {
			ev_watch(loop, fd, EV_READ, srv_conn, s);
		} else {
			close(fd);
		}
	}
}

/* A listener on 127.0.0.1; backlog 0 and not accepting = a full queue. */
static void srv_start(struct srv *s, struct ev_loop *loop, enum srv_mode mode, bool accepting)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->mode = mode;
	s->lfd = loopback_listen(SOCK_NONBLOCK, accepting ? 4096 : 0, &s->port);
	if (accepting)
		assert_int_equal(ev_watch(loop, s->lfd, EV_READ, srv_accept, s), 0);
}

static void srv_stop(struct srv *s)
{
	ev_unwatch(s->loop, s->lfd);
	close(s->lfd);
	for (int i = 0; i < s->n_held; i++)
		close(s->held[i]);
}

/* ---- the engine --------------------------------------------------------- */

struct rec {
	int results;
	int stop_after;
	int changes;
	enum lb_health states[32];
	char last[64];
	struct ev_loop *loop;
};

static void on_result(struct lb_probe *p, bool changed, void *data)
{
	struct rec *r = data;
	const struct lb_health_state *h = lb_probe_health(p);

	if (r->results < 32)
		r->states[r->results] = h->state;
	r->results++;
	r->changes += changed;
	snprintf(r->last, sizeof(r->last), "%s", h->last_result);
	if (r->stop_after && r->results >= r->stop_after)
		ev_stop(r->loop);
}

static void stop_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	(void)id;
	(void)data;
	ev_stop(loop);
}

static void spec_init(struct lb_probe_spec *spec, enum lb_probe_proto proto, int port,
		      uint32_t interval_ms, int threshold)
{
	memset(spec, 0, sizeof(*spec));
	spec->proto = proto;
	spec->addr.s_addr = htonl(INADDR_LOOPBACK);
	spec->port = port;
	snprintf(spec->path, sizeof(spec->path), "/healthz");
	spec->interval_ms = interval_ms;
	spec->timeout_ms = interval_ms;
	spec->threshold = threshold;
}

static void run_probe(struct ev_loop *loop, const struct lb_probe_spec *spec,
		      struct rec *rl, int results)
{
	struct lb_prober *pr = lb_prober_new(loop);
	struct lb_probe *p;

	rl->loop = loop;
	rl->stop_after = results;
	p = lb_probe_start(pr, spec, NULL, on_result, rl);
	assert_non_null(p);
	/* A safety net: a hung probe fails the test instead of hanging it. */
	ev_timer_add(loop, 10000, stop_timer, NULL);
	assert_int_equal(ev_run(loop), 0);
	lb_probe_stop(p);
	assert_int_equal(lb_prober_stats(pr)->in_flight, 0);
	lb_prober_free(pr);
}

static void test_tcp_connected(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct rec rl = { 0 };
	struct lb_probe_spec spec;
	struct srv s;

	(void)state;
	srv_start(&s, loop, SRV_ACCEPT, true);
	spec_init(&spec, LB_PROBE_TCP, s.port, 100, 2);
	run_probe(loop, &spec, &rl, 3);
	assert_int_equal(rl.results, 3);
	assert_int_equal(rl.states[2], LB_HEALTH_UP);
	assert_string_equal(rl.last, "connected");
	srv_stop(&s);
	ev_loop_free(loop);
}

static void test_tcp_refused(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct rec rl = { 0 };
	struct lb_probe_spec spec;

	(void)state;
	spec_init(&spec, LB_PROBE_TCP, loopback_closed_port(), 100, 2);
	run_probe(loop, &spec, &rl, 2);
	assert_int_equal(rl.states[1], LB_HEALTH_DOWN);
	assert_string_equal(rl.last, "connection refused");
	ev_loop_free(loop);
}

static void test_http_threshold_transitions(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct rec rl = { 0 };
	struct lb_probe_spec spec;
	struct srv s;
	static const int codes[] = { 200, 503, 200, 503, 503, 200, 200 };

	(void)state;
	srv_start(&s, loop, SRV_HTTP, true);
	memcpy(s.codes, codes, sizeof(codes));
	s.n_codes = 7;
	spec_init(&spec, LB_PROBE_HTTP, s.port, 100, 2);
	run_probe(loop, &spec, &rl, 7);
	/* Up; one 503 is tolerated; two in a row take it down; two 200s
	 * bring it back. */
	assert_int_equal(rl.states[0], LB_HEALTH_UP);
	assert_int_equal(rl.states[1], LB_HEALTH_UP);
	assert_int_equal(rl.states[2], LB_HEALTH_UP);
	assert_int_equal(rl.states[3], LB_HEALTH_UP);
	assert_int_equal(rl.states[4], LB_HEALTH_DOWN);
	assert_int_equal(rl.states[5], LB_HEALTH_DOWN);
	assert_int_equal(rl.states[6], LB_HEALTH_UP);
	assert_int_equal(rl.changes, 3);
	assert_string_equal(rl.last, "200 OK");
	assert_int_equal(s.served, 7);
	srv_stop(&s);
	ev_loop_free(loop);
}

static void test_http_no_response_times_out(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct rec rl = { 0 };
	struct lb_probe_spec spec;
	struct srv s;
	uint64_t t0 = ev_now_ms();

	(void)state;
	srv_start(&s, loop, SRV_SILENT, true);
	spec_init(&spec, LB_PROBE_HTTP, s.port, 200, 2);
	spec.timeout_ms = 150;
	run_probe(loop, &spec, &rl, 2);
	assert_int_equal(rl.states[1], LB_HEALTH_DOWN);
	assert_string_equal(rl.last, "timeout (no HTTP response)");
	/* Two attempts: the first times out at 150 ms, the second starts at
	 * 200 ms and times out at 350 ms. */
	assert_true(ev_now_ms() - t0 >= 340);
	srv_stop(&s);
	ev_loop_free(loop);
}

static void test_full_queue_times_out_connect(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct rec rl = { 0 };
	struct lb_probe_spec spec;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fillers[4];
	struct srv s;

	(void)state;
	/* Backlog 0, never accepting: once the queue holds a connection the
	 * kernel drops further SYNs, which is what a blackholed node does. */
	srv_start(&s, loop, SRV_ACCEPT, false);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)s.port);
	for (int i = 0; i < 4; i++) {
		fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fillers[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	usleep(50000);
	spec_init(&spec, LB_PROBE_TCP, s.port, 200, 2);
	run_probe(loop, &spec, &rl, 2);
	assert_int_equal(rl.states[1], LB_HEALTH_DOWN);
	assert_string_equal(rl.last, "timeout (no answer to connect)");
	for (int i = 0; i < 4; i++)
		close(fillers[i]);
	srv_stop(&s);
	ev_loop_free(loop);
}

static void test_restored_state_kept(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct lb_prober *pr = lb_prober_new(loop);
	struct lb_health_state initial = { .state = LB_HEALTH_UP, .consecutive = 9,
					   .last_ok = true, .last_probe_ms = 1 };
	struct lb_probe_spec spec;
	struct lb_probe *p;

	(void)state;
	spec_init(&spec, LB_PROBE_TCP, loopback_closed_port(), 1000, 2);
	spec.first_delay_ms = 5000;
	p = lb_probe_start(pr, &spec, &initial, NULL, NULL);
	assert_int_equal(lb_probe_health(p)->state, LB_HEALTH_UP);
	assert_int_equal(lb_probe_health(p)->consecutive, 9);
	lb_probe_stop(p);
	lb_prober_free(pr);
	ev_loop_free(loop);
}

/* Many probes on one loop: every one of them gets its results in time. */
struct many {
	int results;
	int up;
};

static void on_many(struct lb_probe *p, bool changed, void *data)
{
	struct many *m = data;

	m->results++;
	m->up += changed && lb_probe_health(p)->state == LB_HEALTH_UP;
}

static void test_many_probes(void **state)
{
	enum { N = 1000 };
	struct ev_loop *loop = ev_loop_new();
	struct lb_prober *pr = lb_prober_new(loop);
	static struct lb_probe *probes[N];
	struct lb_probe_spec spec;
	struct many m = { 0 };
	struct srv s;

	(void)state;
	srv_start(&s, loop, SRV_ACCEPT, true);
	for (int i = 0; i < N; i++) {
		spec_init(&spec, LB_PROBE_TCP, s.port, 500, 2);
		spec.first_delay_ms = (uint32_t)(i % 250);
		probes[i] = lb_probe_start(pr, &spec, NULL, on_many, &m);
		assert_non_null(probes[i]);
	}
	/* 1.2 s: the first round, the second (500 ms later) and the third. */
	ev_timer_add(loop, 1200, stop_timer, NULL);
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(m.up, N);
	assert_true(m.results >= 2 * N);
	assert_int_equal(lb_prober_stats(pr)->timeouts, 0);
	for (int i = 0; i < N; i++)
		lb_probe_stop(probes[i]);
	assert_int_equal(lb_prober_stats(pr)->in_flight, 0);
	lb_prober_free(pr);
	srv_stop(&s);
	ev_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_result_decides),
		cmocka_unit_test(test_threshold_down_and_up),
		cmocka_unit_test(test_timeout_ms),
		cmocka_unit_test(test_tcp_connected),
		cmocka_unit_test(test_tcp_refused),
		cmocka_unit_test(test_http_threshold_transitions),
		cmocka_unit_test(test_http_no_response_times_out),
		cmocka_unit_test(test_full_queue_times_out_connect),
		cmocka_unit_test(test_restored_state_kept),
		cmocka_unit_test(test_many_probes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
