/* ev.c — see ev.h.
 *
 * File events are kept in an array indexed by fd (fds are small integers),
 * timers in a binary min-heap ordered by deadline. Cancelling a timer
 * clears its callback where it sits (a linear scan: the daemons' heaps hold
 * at most a few thousand timers) instead of restructuring the heap; dead
 * slots are dropped when they reach the top.
 */
#include "ev.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

struct ev_fd {
	ev_fd_cb *cb;
	void *data;
	unsigned events; /* 0: not watched */
	bool in_epoll;   /* registered with the kernel (not while events == 0) */
};

struct ev_timer {
	uint64_t deadline;
	uint64_t id;
	ev_timer_cb *cb;
	void *data;
};

struct ev_loop {
	int epfd;
	bool stop;
	struct ev_fd *fds;
	int nfds;
	struct ev_timer *heap;
	size_t heap_len, heap_cap;
	uint64_t next_id;
	ev_signal_cb *on_signal;      /* ev_on_signals */
	void *signal_data;
};

uint64_t ev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t ev_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct ev_loop *ev_loop_new(void)
{
	struct ev_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->next_id = 1;
	return loop;
}

void ev_loop_free(struct ev_loop *loop)
{
	if (!loop)
		return;
	close(loop->epfd);
	free(loop->fds);
	free(loop->heap);
	free(loop);
}

static int ev_grow_fds(struct ev_loop *loop, int fd)
{
	int n = loop->nfds ? loop->nfds : 64;
	struct ev_fd *p;

	while (n <= fd)
		n *= 2;
	p = realloc(loop->fds, (size_t)n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p + loop->nfds, 0, (size_t)(n - loop->nfds) * sizeof(*p));
	loop->fds = p;
	loop->nfds = n;
	return 0;
}

int ev_watch(struct ev_loop *loop, int fd, unsigned events, ev_fd_cb *cb, void *data)
{
	struct epoll_event ee = { 0 };
	struct ev_fd *f;
	int op, rc;

	if (fd < 0)
		return -EBADF;
	if (fd >= loop->nfds && ev_grow_fds(loop, fd) < 0)
		return -ENOMEM;
	f = &loop->fds[fd];
	if (events & (EV_READ | EV_WRITE)) {
		op = f->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
		ee.events = (events & EV_READ ? EPOLLIN : 0u) | (events & EV_WRITE ? EPOLLOUT : 0u);
		ee.data.fd = fd;
		rc = epoll_ctl(loop->epfd, op, fd, &ee);
		/* A caller that closed an fd without ev_unwatch() and got its
		 * number back: the kernel forgot the old registration, this table
		 * did not. Register the new file rather than fail. */
		if (rc < 0 && op == EPOLL_CTL_MOD && errno == ENOENT)
			rc = epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ee);
		else if (rc < 0 && op == EPOLL_CTL_ADD && errno == EEXIST)
			rc = epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ee);
		if (rc < 0)
			return -errno;
		f->in_epoll = true;
	} else if (f->in_epoll) {
		/* Watching nothing: leave epoll altogether, or a hang-up, which
		 * epoll reports whatever the mask, would wake the loop forever
		 * with no callback to take it. */
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
		f->in_epoll = false;
	}
	f->cb = cb;
	f->data = data;
	/* Remember "watched" even for events == 0. */
	f->events = events | 0x80u;
	return 0;
}

void ev_close(struct ev_loop *loop, int fd)
{
	if (fd < 0)
		return;
	if (fd < loop->nfds)
		memset(&loop->fds[fd], 0, sizeof(loop->fds[fd]));
	close(fd);
}

void ev_unwatch(struct ev_loop *loop, int fd)
{
	if (fd < 0 || fd >= loop->nfds || !loop->fds[fd].events)
		return;
	if (loop->fds[fd].in_epoll)
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(&loop->fds[fd], 0, sizeof(loop->fds[fd]));
}

static void ev_heap_swap(struct ev_timer *a, struct ev_timer *b)
{
	struct ev_timer t = *a;

	*a = *b;
	*b = t;
}

static bool ev_timer_before(const struct ev_timer *a, const struct ev_timer *b)
{
	/* Ties broken by id so timers with one deadline fire in creation order. */
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->id < b->id);
}

uint64_t ev_timer_add(struct ev_loop *loop, uint64_t ms, ev_timer_cb *cb, void *data)
{
	uint64_t id = loop->next_id;
	size_t i;

	if (loop->heap_len == loop->heap_cap) {
		size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
		struct ev_timer *p = realloc(loop->heap, cap * sizeof(*p));

		if (!p)
			return 0;
		loop->heap = p;
		loop->heap_cap = cap;
	}
	i = loop->heap_len++;
	loop->next_id++;
	loop->heap[i] = (struct ev_timer){ ev_now_ms() + ms, id, cb, data };
	while (i > 0 && ev_timer_before(&loop->heap[i], &loop->heap[(i - 1) / 2])) {
		ev_heap_swap(&loop->heap[i], &loop->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return id;
}

void ev_timer_cancel(struct ev_loop *loop, uint64_t timer_id)
{
	/* Disarm in place: the entry stays in the heap until its deadline and
	 * is dropped when popped. Nothing to allocate, so a cancel never fails
	 * and a caller may free the timer's data right after. */
	if (!timer_id)
		return;
	for (size_t i = 0; i < loop->heap_len; i++) {
		if (loop->heap[i].id == timer_id) {
			loop->heap[i].cb = NULL;
			return;
		}
	}
}

static struct ev_timer ev_heap_pop(struct ev_loop *loop)
{
	struct ev_timer top = loop->heap[0];
	size_t i = 0;

	loop->heap[0] = loop->heap[--loop->heap_len];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < loop->heap_len && ev_timer_before(&loop->heap[l], &loop->heap[m]))
			m = l;
		if (r < loop->heap_len && ev_timer_before(&loop->heap[r], &loop->heap[m]))
			m = r;
		if (m == i)
			break;
		ev_heap_swap(&loop->heap[i], &loop->heap[m]);
		i = m;
	}
	return top;
}

/* Fires due timers; returns the wait in ms until the next one (-1: none). */
static int ev_fire_timers(struct ev_loop *loop)
{
	uint64_t now = ev_now_ms();

	while (loop->heap_len > 0) {
		struct ev_timer t;

		if (loop->heap[0].deadline > now) {
			uint64_t wait = loop->heap[0].deadline - now;

			return wait > 60000 ? 60000 : (int)wait;
		}
		t = ev_heap_pop(loop);
		if (!t.cb)
			continue; /* cancelled */
		t.cb(loop, t.id, t.data);
		if (loop->stop)
			return 0;
	}
	return -1;
}

int ev_run(struct ev_loop *loop)
{
	struct epoll_event events[256];

	loop->stop = false;
	while (!loop->stop) {
		int timeout = ev_fire_timers(loop);
		int n;

		if (loop->stop)
			break;
		n = epoll_wait(loop->epfd, events, 256, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !loop->stop; i++) {
			int fd = events[i].data.fd;
			unsigned ev = 0;
			struct ev_fd *f;

			if (fd >= loop->nfds)
				continue;
			f = &loop->fds[fd];
			/* An earlier callback in this batch may have unwatched fd. */
			if (!f->events || !f->cb)
				continue;
			if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				ev |= EV_READ;
			if (events[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
				ev |= EV_WRITE;
			ev &= f->events;
			if (ev)
				f->cb(loop, fd, ev, f->data);
		}
	}
	return 0;
}

void ev_stop(struct ev_loop *loop)
{
	loop->stop = true;
}

static void ev_signal_read(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)data;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		loop->on_signal(loop, (int)si.ssi_signo, loop->signal_data);
}

int ev_on_signals(struct ev_loop *loop, const int *sigs, int n, ev_signal_cb *cb, void *data)
{
	sigset_t mask;
	int fd, rc;

	sigemptyset(&mask);
	for (int i = 0; i < n; i++)
		sigaddset(&mask, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	loop->on_signal = cb;
	loop->signal_data = data;
	rc = ev_watch(loop, fd, EV_READ, ev_signal_read, NULL);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

static void ev_stop_on_signal(struct ev_loop *loop, int signo, void *data)
{
	(void)data;
	log_info("signal %d: stopping", signo);
	ev_stop(loop);
}

int ev_stop_on_signals(struct ev_loop *loop)
{
	static const int sigs[] = { SIGTERM, SIGINT };

	return ev_on_signals(loop, sigs, 2, ev_stop_on_signal, NULL);
}
