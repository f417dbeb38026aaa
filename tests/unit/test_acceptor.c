/* Unit tests for lib/acceptor.c: connections handed over in batches, the
 * errors of one connection skipped, and a rest (not a spin) when the
 * process runs out of descriptors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "acceptor.h"
#include "ev.h"
#include "sock.h"

struct taken {
	int fds[256];
	int n;
	int stop_at;            /* stop the loop after this many */
	struct ev_loop *loop;
};

static void on_conn(int fd, const struct sockaddr_storage *peer, void *data)
{
	struct taken *t = data;

	assert_int_equal(peer->ss_family, AF_INET);
	assert_true(t->n < 256);
	t->fds[t->n++] = fd;
	if (t->n == t->stop_at)
		ev_stop(t->loop);
}

static void on_deadline(struct ev_loop *loop, uint64_t id, void *data)
{
	(void)id;
	(void)data;
	ev_stop(loop);
}

static int listen_loopback(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int fd;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = sock_listen_tcp((struct sockaddr *)sa, sizeof(*sa), 0, 512);
	assert_true(fd >= 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sa, &len), 0);
	return fd;
}

static int connect_blocking(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (const struct sockaddr *)sa, sizeof(*sa)), 0);
	return fd;
}

/* More connections than one batch: all are handed over, across turns. */
static void test_accepts_every_pending_connection(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct sockaddr_in sa;
	int lfd = listen_loopback(&sa), clients[ACCEPTOR_BATCH * 2 + 3];
	int n = (int)(sizeof(clients) / sizeof(clients[0]));
	struct taken t = { .stop_at = n, .loop = loop };
	struct acceptor *a;

	(void)state;
	for (int i = 0; i < n; i++)
		clients[i] = connect_blocking(&sa);
	a = acceptor_new(loop, lfd, on_conn, &t);
	assert_non_null(a);
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(t.n, n);
	assert_int_equal(acceptor_pauses(a), 0);
	for (int i = 0; i < t.n; i++)
		close(t.fds[i]);
	for (int i = 0; i < n; i++)
		close(clients[i]);
	acceptor_free(a);
	close(lfd);
	ev_loop_free(loop);
}

/* The process out of descriptors: the limit lowered just above lfd and
 * every descriptor below it taken by dups of lfd. */
struct shortage {
	struct rlimit old;
	int spare[64];
	int n;
};

static void shortage_begin(struct shortage *sh, int lfd)
{
	struct rlimit low;

	sh->n = 0;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &sh->old), 0);
	low = sh->old;
	low.rlim_cur = (rlim_t)lfd + 16;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	for (;;) {
		int fd = dup(lfd);

		if (fd < 0) {
			assert_int_equal(errno, EMFILE);
			break;
		}
		assert_true(sh->n < 64);
		sh->spare[sh->n++] = fd;
	}
}

static void shortage_end(struct shortage *sh)
{
	for (int i = 0; i < sh->n; i++)
		close(sh->spare[i]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &sh->old), 0);
}

/* A loop, a listener with one connection waiting, and its acceptor. */
struct waiting {
	struct ev_loop *loop;
	int lfd, client;
	struct taken t;
	struct acceptor *a;
};

static void waiting_begin(struct waiting *w)
{
	struct sockaddr_in sa;

	w->loop = ev_loop_new();
	assert_non_null(w->loop);
	w->lfd = listen_loopback(&sa);
	w->client = connect_blocking(&sa);
	w->t = (struct taken){ .stop_at = 1, .loop = w->loop };
	w->a = acceptor_new(w->loop, w->lfd, on_conn, &w->t);
	assert_non_null(w->a);
}

static void waiting_end(struct waiting *w)
{
	for (int i = 0; i < w->t.n; i++)
		close(w->t.fds[i]);
	close(w->client);
	acceptor_free(w->a);
	close(w->lfd);
	ev_loop_free(w->loop);
}

/* Out of descriptors: the acceptor stops watching and rests between
 * tries, so the tries while the shortage lasts are counted by its rests,
 * not by how often a level-triggered loop would call it. Once descriptors
 * are free again, the waiting connection is taken. */
static void test_rests_when_out_of_descriptors(void **state)
{
	struct shortage sh;
	struct waiting w;

	(void)state;
	waiting_begin(&w);
	shortage_begin(&sh, w.lfd);
	/* Two and a half rests long: the acceptor tries at the start and
	 * after each rest, three times at the most. */
	ev_timer_add(w.loop, ACCEPTOR_PAUSE_MS * 5 / 2, on_deadline, NULL);
	assert_int_equal(ev_run(w.loop), 0);
	assert_int_equal(w.t.n, 0);
	assert_in_range(acceptor_pauses(w.a), 1, 3);

	shortage_end(&sh);
	assert_int_equal(ev_run(w.loop), 0);
	assert_int_equal(w.t.n, 1);
	waiting_end(&w);
}

/* Freed while resting: its timer goes with it. */
static void test_free_while_resting(void **state)
{
	struct shortage sh;
	struct waiting w;

	(void)state;
	waiting_begin(&w);
	shortage_begin(&sh, w.lfd);
	ev_timer_add(w.loop, ACCEPTOR_PAUSE_MS / 2, on_deadline, NULL);
	assert_int_equal(ev_run(w.loop), 0);
	assert_int_equal(acceptor_pauses(w.a), 1);
	acceptor_free(w.a);
	w.a = NULL;
	shortage_end(&sh);
	/* Nothing of the acceptor fires any more: only our deadline does. */
	ev_timer_add(w.loop, ACCEPTOR_PAUSE_MS * 2, on_deadline, NULL);
	assert_int_equal(ev_run(w.loop), 0);
	assert_int_equal(w.t.n, 0);
	waiting_end(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_every_pending_connection),
		cmocka_unit_test(test_rests_when_out_of_descriptors),
		cmocka_unit_test(test_free_while_resting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
