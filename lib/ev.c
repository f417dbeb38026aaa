/* ev.c — see ev.h.
 *
 * File events are kept in an array indexed by fd (fds are small integers),
 * timers in slots (reused through a free list) and a binary min-heap of
 * slot numbers ordered by deadline, each slot knowing its place in the
 * heap. A timer's id is its slot and the slot's generation, so a cancel
 * finds its timer at once and takes it out of the heap in O(log n), and
 * an id that already fired (its slot since reused) is told apart. Servers
 * re-arm a timer per request: cancelled timers must not stay behind until
 * their deadline, or a busy server's heap grows with requests x timeout.
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

#define EV_NOPOS UINT32_MAX

struct ev_timer {
	uint64_t deadline;
	uint64_t seq;      /* creation order: timers with one deadline fire in it */
	ev_timer_cb *cb;
	void *data;
	uint32_t gen;      /* the id's upper half; bumped when the slot is reused */
	uint32_t pos;      /* index in the heap, EV_NOPOS while the slot is free */
};

struct ev_loop {
	int epfd;
	bool stop;
	struct ev_fd *fds;
	int nfds;
	struct ev_timer *slots;
	uint32_t *free_slots;         /* a stack of free slot numbers */
	uint32_t *heap;               /* slot numbers */
	uint32_t n_slots, n_free, heap_len, cap;
	uint64_t next_seq;
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
	return loop;
}

void ev_loop_free(struct ev_loop *loop)
{
	if (!loop)
		return;
	close(loop->epfd);
	free(loop->fds);
	free(loop->slots);
	free(loop->free_slots);
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

static bool ev_timer_before(const struct ev_loop *loop, uint32_t a, uint32_t b)
{
	const struct ev_timer *x = &loop->slots[a], *y = &loop->slots[b];

	return x->deadline < y->deadline || (x->deadline == y->deadline && x->seq < y->seq);
}

static void ev_heap_set(struct ev_loop *loop, uint32_t i, uint32_t slot)
{
	loop->heap[i] = slot;
	loop->slots[slot].pos = i;
}

static void ev_heap_up(struct ev_loop *loop, uint32_t i)
{
	uint32_t slot = loop->heap[i];

	while (i > 0 && ev_timer_before(loop, slot, loop->heap[(i - 1) / 2])) {
		ev_heap_set(loop, i, loop->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	ev_heap_set(loop, i, slot);
}

static void ev_heap_down(struct ev_loop *loop, uint32_t i)
{
	uint32_t slot = loop->heap[i];

	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = l;

		if (l >= loop->heap_len)
			break;
		if (r < loop->heap_len && ev_timer_before(loop, loop->heap[r], loop->heap[l]))
			m = r;
		if (!ev_timer_before(loop, loop->heap[m], slot))
			break;
		ev_heap_set(loop, i, loop->heap[m]);
		i = m;
	}
	ev_heap_set(loop, i, slot);
}

/* Takes the timer at heap index i out of the heap and frees its slot. */
static void ev_heap_remove(struct ev_loop *loop, uint32_t i)
{
	uint32_t slot = loop->heap[i], last = loop->heap[--loop->heap_len];

	if (i < loop->heap_len) {
		ev_heap_set(loop, i, last);
		if (i > 0 && ev_timer_before(loop, last, loop->heap[(i - 1) / 2]))
			ev_heap_up(loop, i);
		else
			ev_heap_down(loop, i);
	}
	loop->slots[slot].pos = EV_NOPOS;
	loop->slots[slot].cb = NULL;
	loop->slots[slot].data = NULL;
	loop->free_slots[loop->n_free++] = slot;
}

/* Room for one more timer: the three arrays grow together, so that
 * freeing a slot never needs memory. */
static int ev_timer_room(struct ev_loop *loop)
{
	uint32_t cap;
	void *p;

	if (loop->n_free > 0 || loop->n_slots < loop->cap)
		return 0;
	if (loop->cap > UINT32_MAX / 4)
		return -ENOMEM;
	cap = loop->cap ? loop->cap * 2 : 64;
	if (!(p = realloc(loop->slots, (size_t)cap * sizeof(*loop->slots))))
		return -ENOMEM;
	loop->slots = p;
	if (!(p = realloc(loop->free_slots, (size_t)cap * sizeof(*loop->free_slots))))
		return -ENOMEM;
	loop->free_slots = p;
	if (!(p = realloc(loop->heap, (size_t)cap * sizeof(*loop->heap))))
		return -ENOMEM;
	loop->heap = p;
	loop->cap = cap;
	return 0;
}

uint64_t ev_timer_add(struct ev_loop *loop, uint64_t ms, ev_timer_cb *cb, void *data)
{
	struct ev_timer *t;
	uint32_t slot;

	if (ev_timer_room(loop) < 0)
		return 0;
	if (loop->n_free > 0) {
		slot = loop->free_slots[--loop->n_free];
	} else {
		slot = loop->n_slots++;
		loop->slots[slot].gen = 0;
	}
	t = &loop->slots[slot];
	/* Generation 0 is never handed out: no id is 0. */
	if (++t->gen == 0)
		t->gen = 1;
	t->deadline = ev_now_ms() + ms;
	t->seq = loop->next_seq++;
	t->cb = cb;
	t->data = data;
	loop->heap_len++;
	ev_heap_set(loop, loop->heap_len - 1, slot);
	ev_heap_up(loop, loop->heap_len - 1);
	return (uint64_t)t->gen << 32 | slot;
}

void ev_timer_cancel(struct ev_loop *loop, uint64_t timer_id)
{
	uint32_t slot = (uint32_t)timer_id, gen = (uint32_t)(timer_id >> 32);

	/* Nothing to allocate, so a cancel never fails and a caller may free
	 * the timer's data right after. An id that fired or was cancelled
	 * already is ignored: its slot is free, or another generation's. */
	if (!timer_id || slot >= loop->n_slots || loop->slots[slot].gen != gen ||
	    loop->slots[slot].pos == EV_NOPOS)
		return;
	ev_heap_remove(loop, loop->slots[slot].pos);
}

size_t ev_timers_pending(const struct ev_loop *loop)
{
	return loop->heap_len;
}

/* Fires due timers; returns the wait in ms until the next one (-1: none). */
static int ev_fire_timers(struct ev_loop *loop)
{
	uint64_t now = ev_now_ms();

	while (loop->heap_len > 0) {
		uint32_t slot = loop->heap[0];
		const struct ev_timer *t = &loop->slots[slot];
		ev_timer_cb *cb = t->cb;
		void *data = t->data;
		uint64_t id = (uint64_t)t->gen << 32 | slot;

		if (t->deadline > now) {
			uint64_t wait = t->deadline - now;

			return wait > 60000 ? 60000 : (int)wait;
		}
		/* Out of the heap first: the callback may add timers (the slot
		 * may be reused at once) or cancel its own id (a no-op now). */
		ev_heap_remove(loop, 0);
		cb(loop, id, data);
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
