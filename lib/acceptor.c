/* acceptor.c — see acceptor.h. */
#include "acceptor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "log.h"
#include "sock.h"

struct acceptor {
	struct ev_loop *loop;
	int lfd;
	acceptor_cb *cb;
	void *data;
	uint64_t pause_timer;
	unsigned long pauses;
};

static void acceptor_on_readable(struct ev_loop *loop, int fd, unsigned events, void *data);

static void acceptor_resume(struct ev_loop *loop, uint64_t id, void *data)
{
	struct acceptor *a = data;

	(void)id;
	a->pause_timer = 0;
	if (ev_watch(loop, a->lfd, EV_READ, acceptor_on_readable, a) < 0)
		log_warn("accept: cannot watch the listening socket again");
}

/* Errors that belong to one connection, not to the listener or to us: the
 * client gave up before we took it (ECONNABORTED), a firewall hook said no
 * (EPERM), the protocol failed (EPROTO). The next one may be fine. */
static bool acceptor_skippable(int err)
{
	return err == EINTR || err == ECONNABORTED || err == EPROTO || err == EPERM;
}

static void acceptor_on_readable(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct acceptor *a = data;

	(void)events;
	for (int i = 0; i < ACCEPTOR_BATCH; i++) {
		struct sockaddr_storage peer;
		int cfd = sock_accept(fd, &peer, NULL);

		if (cfd == -EAGAIN)
			return;
		if (cfd < 0 && acceptor_skippable(-cfd))
			continue;
		if (cfd < 0) {
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM: ours, not the
			 * client's. Stop watching (the level-triggered loop
			 * would call us again at once) and rest; without a
			 * timer to wake us, keep watching rather than stop
			 * for good. */
			if (a->pauses++ == 0 || a->pauses % 100 == 0)
				log_warn("accept: %s; resting %d ms (rest %lu)",
					 strerror(-cfd), ACCEPTOR_PAUSE_MS, a->pauses);
			a->pause_timer = ev_timer_add(loop, ACCEPTOR_PAUSE_MS, acceptor_resume, a);
			if (a->pause_timer)
				ev_unwatch(loop, fd);
			return;
		}
		a->cb(cfd, &peer, a->data);
	}
}

struct acceptor *acceptor_new(struct ev_loop *loop, int lfd, acceptor_cb *cb, void *data)
{
	struct acceptor *a = calloc(1, sizeof(*a));
	int rc;

	if (!a)
		return NULL;
	a->loop = loop;
	a->lfd = lfd;
	a->cb = cb;
	a->data = data;
	if ((rc = ev_watch(loop, lfd, EV_READ, acceptor_on_readable, a)) < 0) {
		free(a);
		errno = -rc;
		return NULL;
	}
	return a;
}

void acceptor_free(struct acceptor *a)
{
	if (!a)
		return;
	if (a->pause_timer)
		ev_timer_cancel(a->loop, a->pause_timer);
	ev_unwatch(a->loop, a->lfd);
	free(a);
}

unsigned long acceptor_pauses(const struct acceptor *a)
{
	return a->pauses;
}
