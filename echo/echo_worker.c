/* echo_worker.c — one event loop: accept, timeouts, drain.
 *
 * Timeouts do not use one loop timer per connection. Each kind of timeout
 * has one fixed length, so a list per kind, appended to at the tail when a
 * connection's deadline moves, stays sorted by deadline: moving costs two
 * pointer updates, and a single "sweep" timer at the earliest deadline
 * closes whatever has expired. A request on a keep-alive connection thus
 * costs no timer-heap work at all.
 */
#include "echo_server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cidr.h"
#include "log.h"
#include "sock.h"

#define ECHO_ACCEPT_BATCH 64
#define ECHO_ACCEPT_PAUSE_MS 100

static void echo_worker_list_unlink(struct echo_conn *c)
{
	if (!c->prev)
		return;
	c->prev->next = c->next;
	c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

static void echo_worker_sweep(struct ev_loop *loop, uint64_t id, void *data);

static void echo_worker_arm_sweep(struct echo_worker *w)
{
	uint64_t next = 0, now;

	for (int t = 0; t < ECHO_TMO_COUNT; t++) {
		struct echo_conn *first = w->head[t].next;

		if (first != &w->head[t] && (next == 0 || first->deadline < next))
			next = first->deadline;
	}
	if (next == 0 || (w->sweep_at != 0 && w->sweep_at <= next))
		return;
	if (w->sweep_id)
		ev_timer_cancel(w->loop, w->sweep_id);
	now = ev_now_ms();
	w->sweep_id = ev_timer_add(w->loop, next > now ? next - now : 0, echo_worker_sweep, w);
	w->sweep_at = w->sweep_id ? next : 0;
}

static void echo_worker_sweep(struct ev_loop *loop, uint64_t id, void *data)
{
	struct echo_worker *w = data;
	uint64_t now = ev_now_ms();

	(void)loop;
	if (id != w->sweep_id)
		return; /* replaced by an earlier one */
	w->sweep_id = 0;
	w->sweep_at = 0;
	for (int t = 0; t < ECHO_TMO_COUNT; t++) {
		while (w->head[t].next != &w->head[t] && w->head[t].next->deadline <= now) {
			struct echo_conn *c = w->head[t].next;

			if (w->cfg->verbose)
				log_debug("%s: %s timeout", c->base_str,
					  t == ECHO_TMO_HEADER ? "header" : "linger");
			echo_conn_close(c);
		}
	}
	echo_worker_arm_sweep(w);
}

void echo_worker_set_timeout(struct echo_worker *w, struct echo_conn *c, enum echo_tmo tmo)
{
	struct echo_conn *head = &w->head[tmo];

	c->deadline = ev_now_ms() + w->tmo_ms[tmo];
	c->tmo = (uint8_t)tmo;
	echo_worker_list_unlink(c);
	c->prev = head->prev;
	c->next = head;
	head->prev->next = c;
	head->prev = c;
	if (w->sweep_at == 0 || c->deadline < w->sweep_at)
		echo_worker_arm_sweep(w);
}

static char *echo_worker_put2(char *p, int v)
{
	*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/* Civil date of a day count since 1970-01-01 (H. Hinnant's algorithm). */
static void echo_worker_civil(int64_t days, int *y, int *m, int *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* IMF-fixdate by hand: gmtime_r() loads the time zone database and
 * strftime() the locale machinery, pages and all, for a format that never
 * changes and is always UTC. */
size_t echo_worker_format_date(time_t t, char *out)
{
	static const char wdays[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t days = (int64_t)t / 86400, secs = (int64_t)t % 86400;
	int y, m, d;
	char *p = out;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	echo_worker_civil(days, &y, &m, &d);
	memcpy(p, "Date: ", 6);
	p += 6;
	memcpy(p, wdays[((days % 7) + 11) % 7], 3); /* 1970-01-01 was a Thursday */
	p += 3;
	*p++ = ',';
	*p++ = ' ';
	p = echo_worker_put2(p, d);
	*p++ = ' ';
	memcpy(p, months[m - 1], 3);
	p += 3;
	*p++ = ' ';
	p = echo_worker_put2(p, y / 100);
	p = echo_worker_put2(p, y % 100);
	*p++ = ' ';
	p = echo_worker_put2(p, (int)(secs / 3600));
	*p++ = ':';
	p = echo_worker_put2(p, (int)(secs / 60 % 60));
	*p++ = ':';
	p = echo_worker_put2(p, (int)(secs % 60));
	memcpy(p, " GMT\r\n", 6);
	p += 6;
	return (size_t)(p - out);
}

const char *echo_worker_date(struct echo_worker *w, size_t *len)
{
	time_t now = time(NULL);

	if (now != w->date_t) {
		w->date_len = echo_worker_format_date(now, w->date);
		w->date_t = now;
	}
	*len = w->date_len;
	return w->date;
}

void echo_worker_release(struct echo_worker *w, struct echo_conn *c)
{
	echo_worker_list_unlink(c);
	w->nconns--;
	atomic_fetch_sub(&w->srv->nconns, 1);
	/* Keep warm structs for the next connections, but not a burst's worth. */
	if (w->nfree < ECHO_FREE_MAX) {
		if (c->out.cap > 4 * ECHO_OUT_HIGH)
			buf_free(&c->out);
		c->next = w->free;
		w->free = c;
		w->nfree++;
	} else {
		buf_free(&c->out);
		free(c);
	}
	if (w->draining && w->nconns == 0 && !w->drain_accept_timer)
		ev_stop(w->loop);
}

int echo_worker_adopt(struct echo_worker *w, int fd, const struct sockaddr_storage *peer,
		      const struct echo_listener *l)
{
	struct echo_conn *c = w->free;

	if (c) {
		w->free = c->next;
		w->nfree--;
	} else {
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			atomic_fetch_sub(&w->srv->nconns, 1);
			return -ENOMEM;
		}
	}
	echo_conn_init(c, w, fd, peer, l);
	w->nconns++;
	echo_worker_set_timeout(w, c, ECHO_TMO_HEADER);
	if (ev_watch(w->loop, fd, EV_READ, echo_conn_on_io, c) < 0) {
		echo_conn_close(c);
		return -ENOMEM;
	}
	c->watching = EV_READ;
	return 0;
}

static void echo_worker_on_accept(struct ev_loop *loop, int lfd, unsigned events, void *data);

static void echo_worker_resume_accept(struct ev_loop *loop, uint64_t id, void *data)
{
	struct echo_worker *w = data;

	(void)loop;
	(void)id;
	w->accept_timer = 0;
	if (!w->draining || w->drain_accept_timer)
		echo_worker_start_listening(w);
}

void echo_worker_start_listening(struct echo_worker *w)
{
	for (unsigned i = 0; i < w->nlisteners; i++) {
		struct echo_listener *l = &w->listeners[i];

		if (l->fd >= 0 && ev_watch(w->loop, l->fd, EV_READ, echo_worker_on_accept, l) < 0)
			log_warn("cannot watch a listener: out of memory");
	}
	w->accepting = true;
}

static void echo_worker_stop_listening(struct echo_worker *w)
{
	for (unsigned i = 0; i < w->nlisteners; i++) {
		if (w->listeners[i].fd >= 0)
			ev_unwatch(w->loop, w->listeners[i].fd);
	}
	w->accepting = false;
}

/* Accepts up to max connections from l. true if it stopped at max with
 * more possibly waiting; false once the queue is empty (or accepting
 * paused). */
static bool echo_worker_accept_batch(struct echo_listener *l, int max)
{
	struct echo_worker *w = l->w;
	struct echo_server *srv = w->srv;
	int lfd = l->fd;

	for (int i = 0; i < max && w->accepting; i++) {
		struct sockaddr_storage peer;
		int fd = sock_accept(lfd, &peer, NULL);

		if (fd == -EAGAIN)
			return false;
		if (fd == -EINTR || fd == -ECONNABORTED || fd == -EPROTO || fd == -EPERM)
			continue;
		if (fd < 0) {
			/* Out of fds or memory: the listener would stay readable
			 * and spin the loop. Pause, let connections close, retry. */
			log_warn("accept: %s; pausing for %d ms", strerror(-fd), ECHO_ACCEPT_PAUSE_MS);
			echo_worker_stop_listening(w);
			w->accept_timer = ev_timer_add(w->loop, ECHO_ACCEPT_PAUSE_MS,
						       echo_worker_resume_accept, w);
			return false;
		}
		if (atomic_fetch_add(&srv->nconns, 1) >= srv->max_conns) {
			atomic_fetch_sub(&srv->nconns, 1);
			close(fd);
			if (w->cfg->verbose)
				log_debug("refused a connection: --max-conns %u reached", srv->max_conns);
			continue;
		}
		/* PROXY headers are believed from trusted proxies only; anyone
		 * else could claim to be anybody. */
		if (l->conf->proxy && !cidr_match_sockaddr(w->cfg->trust, w->cfg->ntrust,
							   (struct sockaddr *)&peer)) {
			atomic_fetch_sub(&srv->nconns, 1);
			close(fd);
			if (w->cfg->verbose) {
				char a[SOCK_ADDR_STRLEN];

				sock_format_addr((struct sockaddr *)&peer, false, a, sizeof(a));
				log_debug("refused %s: PROXY protocol from an untrusted peer", a);
			}
			continue;
		}
		echo_worker_adopt(w, fd, &peer, l);
	}
	return w->accepting;
}

static void echo_worker_on_accept(struct ev_loop *loop, int lfd, unsigned events, void *data)
{
	(void)loop;
	(void)lfd;
	(void)events;
	/* One per wake-up, as nginx does without multi_accept: the listener
	 * is level-triggered, so the loop comes back at once for the next,
	 * and a second accept() would mostly find the queue empty. */
	echo_worker_accept_batch(data, 1);
}

static void echo_worker_drain_expired(struct ev_loop *loop, uint64_t id, void *data)
{
	struct echo_worker *w = data;

	(void)id;
	w->drain_timer = 0;
	if (w->nconns > 0)
		log_info("drain timeout: closing %u connection%s", w->nconns, w->nconns == 1 ? "" : "s");
	echo_worker_close_all(w);
	ev_stop(loop);
}

static void echo_worker_drain_close(struct echo_worker *w);

static void echo_worker_drain_accept_end(struct ev_loop *loop, uint64_t id, void *data)
{
	struct echo_worker *w = data;

	(void)loop;
	(void)id;
	w->drain_accept_timer = 0;
	echo_worker_drain_close(w);
}

/* A drain has two parts. First, for --drain-accept after SIGTERM, new
 * connections are still accepted and every answer says Connection: close
 * (/healthz 503): a load balancer or a node's proxy that has not yet seen
 * the pod go keeps being answered, and its probes see the 503. Being idle
 * for a moment does not end this part; only its time does. Then the
 * listeners close and open connections get --drain-timeout to finish. */
void echo_worker_drain(struct echo_worker *w)
{
	if (w->draining)
		return;
	w->draining = true;
	if (atomic_load(&w->srv->drain_accept)) {
		w->drain_accept_timer = ev_timer_add(w->loop, w->cfg->drain_accept_ms,
						     echo_worker_drain_accept_end, w);
		if (w->drain_accept_timer)
			return;
		/* No timer (out of memory): close now rather than never. */
	}
	echo_worker_drain_close(w);
}

static void echo_worker_drain_close(struct echo_worker *w)
{
	/* The connections the kernel has already accepted for us, still in
	 * the listen queue, are taken and answered (with Connection: close)
	 * rather than reset by closing the listener under them. A SYN that
	 * arrives after the close is refused: the load balancer and the
	 * proxies have to stop sending before then: the first part, or a
	 * preStop hook, gives them the time to. */
	for (unsigned i = 0; i < w->nlisteners; i++) {
		for (int batches = 0; batches < 64 && w->listeners[i].fd >= 0 &&
				      echo_worker_accept_batch(&w->listeners[i], ECHO_ACCEPT_BATCH);
				      batches++)
			;
	}
	echo_worker_stop_listening(w);
	for (unsigned i = 0; i < w->nlisteners; i++) {
		if (w->listeners[i].fd >= 0)
			close(w->listeners[i].fd);
		w->listeners[i].fd = -1;
	}
	/* Idle keep-alive connections stay: their next request is answered
	 * with Connection: close, which a client that raced the drain prefers
	 * to a reset. */
	if (w->nconns == 0) {
		ev_stop(w->loop);
		return;
	}
	w->drain_timer = ev_timer_add(w->loop, w->cfg->drain_ms, echo_worker_drain_expired, w);
}

void echo_worker_close_all(struct echo_worker *w)
{
	for (int t = 0; t < ECHO_TMO_COUNT; t++) {
		while (w->head[t].next != &w->head[t])
			echo_conn_close(w->head[t].next);
	}
}

static void echo_worker_on_wake(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct echo_worker *w = data;
	uint64_t v;

	(void)events;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("worker %u: wake-up read: %s", w->id, strerror(errno));
	switch (atomic_load(&w->srv->phase)) {
	case ECHO_PHASE_DRAIN:
		echo_worker_drain(w);
		break;
	case ECHO_PHASE_STOP:
		echo_worker_close_all(w);
		ev_stop(loop);
		break;
	default:
		break;
	}
}

int echo_worker_init(struct echo_worker *w, struct echo_server *srv, unsigned id)
{
	memset(w, 0, sizeof(*w));
	w->srv = srv;
	w->cfg = srv->cfg;
	w->id = id;
	w->wake_fd = -1;
	w->signal_fd = -1;
	for (int t = 0; t < ECHO_TMO_COUNT; t++)
		w->head[t].prev = w->head[t].next = &w->head[t];
	w->tmo_ms[ECHO_TMO_HEADER] = w->cfg->header_ms;
	w->tmo_ms[ECHO_TMO_LINGER] = w->cfg->header_ms < ECHO_LINGER_MS ? w->cfg->header_ms
									: ECHO_LINGER_MS;
	w->loop = ev_loop_new();
	if (!w->loop)
		return -ENOMEM;
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wake_fd < 0)
		return -errno;
	return ev_watch(w->loop, w->wake_fd, EV_READ, echo_worker_on_wake, w);
}

void echo_worker_fini(struct echo_worker *w)
{
	if (w->loop)
		echo_worker_close_all(w);
	for (unsigned i = 0; i < w->nlisteners; i++) {
		if (w->listeners[i].fd >= 0)
			close(w->listeners[i].fd);
	}
	free(w->listeners);
	while (w->free) {
		struct echo_conn *c = w->free;

		w->free = c->next;
		buf_free(&c->out);
		free(c);
	}
	buf_free(&w->scratch);
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	if (w->signal_fd >= 0)
		close(w->signal_fd);
	ev_loop_free(w->loop);
	memset(w, 0, sizeof(*w));
}
