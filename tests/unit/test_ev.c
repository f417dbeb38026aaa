/* Unit tests for lib/ev.c: timer order, cancellation, fd events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <unistd.h>

#include "ev.h"

struct record {
	int order[8];
	int n;
	uint64_t to_cancel;
};

static void on_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	struct record *r = data;

	(void)id;
	r->order[r->n++] = (int)id;
	if (r->to_cancel) {
		ev_timer_cancel(loop, r->to_cancel);
		r->to_cancel = 0;
	}
	if (r->n == 3)
		ev_stop(loop);
}

static void test_timers_fire_in_deadline_order(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct record r = { 0 };
	uint64_t a, b, c, d;

	(void)state;
	a = ev_timer_add(loop, 30, on_timer, &r);
	b = ev_timer_add(loop, 10, on_timer, &r);
	c = ev_timer_add(loop, 20, on_timer, &r);
	d = ev_timer_add(loop, 25, on_timer, &r);
	ev_timer_cancel(loop, d);
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.order[0], (int)b);
	assert_int_equal(r.order[1], (int)c);
	assert_int_equal(r.order[2], (int)a);
	ev_loop_free(loop);
}

static void test_cancel_from_callback(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct record r = { 0 };
	uint64_t first, victim;

	(void)state;
	first = ev_timer_add(loop, 1, on_timer, &r);
	victim = ev_timer_add(loop, 5, on_timer, &r);
	r.to_cancel = victim;
	ev_timer_add(loop, 6, on_timer, &r);
	ev_timer_add(loop, 7, on_timer, &r);
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(r.order[0], (int)first);
	assert_int_not_equal(r.order[1], (int)victim);
	assert_int_not_equal(r.order[2], (int)victim);
	ev_loop_free(loop);
}

static void stop_after(struct ev_loop *loop, uint64_t id, void *data)
{
	(void)id;
	(void)data;
	ev_stop(loop);
}

/* A server re-arms a connection's timer on every request: what it cancels
 * goes at once, it does not wait in the heap for its deadline. */
static void test_cancelled_timers_leave_no_trace(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct record r = { 0 };
	uint64_t t = 0;

	(void)state;
	for (int i = 0; i < 100000; i++) {
		ev_timer_cancel(loop, t);
		t = ev_timer_add(loop, 300000, on_timer, &r);
		assert_int_not_equal(t, 0);
	}
	assert_int_equal(ev_timers_pending(loop), 1);
	ev_timer_cancel(loop, t);
	assert_int_equal(ev_timers_pending(loop), 0);
	ev_loop_free(loop);
}

/* An id that fired is not its slot's next timer: cancelling it again
 * leaves the new one armed. */
static void test_stale_id_cancels_nothing(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct record r = { 0 };
	uint64_t first, second;

	(void)state;
	first = ev_timer_add(loop, 0, on_timer, &r);
	r.n = 2;                      /* the third call stops the loop */
	assert_int_equal(ev_run(loop), 0);
	second = ev_timer_add(loop, 0, on_timer, &r);
	assert_int_not_equal(second, first);
	ev_timer_cancel(loop, first);
	assert_int_equal(ev_timers_pending(loop), 1);
	ev_timer_cancel(loop, second);
	ev_timer_cancel(loop, second);
	assert_int_equal(ev_timers_pending(loop), 0);
	ev_loop_free(loop);
}

static void on_order(struct ev_loop *loop, uint64_t id, void *data)
{
	uint64_t *seen = data;

	(void)loop;
	(void)id;
	seen[seen[0] + 1] = (uint64_t)(uintptr_t)id;
	seen[0]++;
}

/* Timers added and cancelled in a scrambled order fire exactly once each
 * if not cancelled, never if cancelled, in deadline order (ties in the
 * order they were added). */
static void test_heap_order_under_cancels(void **state)
{
	enum { N = 400 };
	struct ev_loop *loop = ev_loop_new();
	static uint64_t seen[N + 1];
	uint64_t ids[N], deadline[N], added_from[N], added_to[N];
	bool cancelled[N] = { false };
	int kept = 0;
	unsigned seed = 12345;

	(void)state;
	seen[0] = 0;
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		deadline[i] = (seed >> 16) % 8;          /* ms: many ties */
		/* The clock may tick while the timers are added: each one's
		 * deadline is known to within these bounds. */
		added_from[i] = ev_now_ms() + deadline[i];
		ids[i] = ev_timer_add(loop, deadline[i], on_order, seen);
		added_to[i] = ev_now_ms() + deadline[i];
	}
	for (int i = 0; i < N; i += 3) {
		ev_timer_cancel(loop, ids[(i * 7) % N]);
		cancelled[(i * 7) % N] = true;
	}
	for (int i = 0; i < N; i++)
		kept += !cancelled[i];
	assert_int_equal(ev_timers_pending(loop), (size_t)kept);
	ev_timer_add(loop, 50, stop_after, NULL);
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(seen[0], (uint64_t)kept);
	/* Each fired id is a kept one, in order of (deadline, addition). */
	for (uint64_t k = 1, j = 0; k <= seen[0]; k++, j++) {
		int idx = -1;

		for (int i = 0; i < N; i++)
			if (ids[i] == seen[k])
				idx = i;
		assert_true(idx >= 0);
		assert_false(cancelled[idx]);
		if (k > 1) {
			int prev = -1;

			for (int i = 0; i < N; i++)
				if (ids[i] == seen[k - 1])
					prev = i;
			/* Not after it, and of one deadline, added before it. */
			assert_true(added_from[prev] <= added_to[idx]);
			if (added_from[prev] == added_to[prev] && added_from[idx] == added_to[idx] &&
			    added_from[prev] == added_from[idx])
				assert_true(prev < idx);
		}
	}
	ev_loop_free(loop);
}

static void on_readable(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	char c;

	assert_true(events & EV_READ);
	assert_int_equal(read(fd, &c, 1), 1);
	*(char *)data = c;
	ev_unwatch(loop, fd);
	ev_stop(loop);
}

static void test_fd_readable(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	char got = 0;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(ev_watch(loop, p[0], EV_READ, on_readable, &got), 0);
	assert_int_equal(write(p[1], "z", 1), 1);
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(got, 'z');
	close(p[0]);
	close(p[1]);
	ev_loop_free(loop);
}

/* A watched fd closed with ev_close() leaves no trace: its number, handed
 * out again by the kernel, is watched afresh and reports the new file. */
static void test_close_then_reuse(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	char got = 0;
	int p[2], q[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(ev_watch(loop, p[0], EV_READ, on_readable, &got), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	ev_close(loop, p[0]);
	close(p[1]);
	assert_int_equal(pipe(q), 0);
	assert_int_equal(q[0], p[0]);
	assert_int_equal(ev_watch(loop, q[0], EV_READ, on_readable, &got), 0);
	assert_int_equal(write(q[1], "y", 1), 1);
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(got, 'y');
	close(q[0]);
	close(q[1]);
	ev_loop_free(loop);
}

/* Signals arrive as calls on the loop, each with its number. */
static int got[4], n_got;

static void on_signal(struct ev_loop *loop, int signo, void *data)
{
	assert_ptr_equal(data, &n_got);
	if (n_got < 4)
		got[n_got++] = signo;
	if (signo == SIGUSR2)
		ev_stop(loop);
}

static void test_signals(void **state)
{
	static const int sigs[] = { SIGUSR1, SIGUSR2 };
	struct ev_loop *loop = ev_loop_new();
	sigset_t mask, old;
	int fd;

	(void)state;
	assert_non_null(loop);
	sigprocmask(SIG_SETMASK, NULL, &old);
	fd = ev_on_signals(loop, sigs, 2, on_signal, &n_got);
	assert_true(fd >= 0);
	/* Blocked now: raising them leaves them pending for the signalfd. */
	raise(SIGUSR1);
	raise(SIGUSR2);
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(n_got, 2);
	assert_int_equal(got[0], SIGUSR1);
	assert_int_equal(got[1], SIGUSR2);
	sigprocmask(SIG_SETMASK, NULL, &mask);
	assert_true(sigismember(&mask, SIGUSR1) && sigismember(&mask, SIGUSR2));
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fd);
	ev_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_deadline_order),
		cmocka_unit_test(test_cancel_from_callback),
		cmocka_unit_test(test_cancelled_timers_leave_no_trace),
		cmocka_unit_test(test_stale_id_cancels_nothing),
		cmocka_unit_test(test_heap_order_under_cancels),
		cmocka_unit_test(test_fd_readable),
		cmocka_unit_test(test_close_then_reuse),
		cmocka_unit_test(test_signals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
