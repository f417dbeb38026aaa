/* ev.h — a single-threaded epoll event loop with millisecond timers.
 *
 * Modelled on redis' ae: file events and timers, one loop per thread, no
 * hidden allocation per event. Callbacks may add and remove file events and
 * timers, including their own, while the loop runs.
 */
#ifndef CLIENTIP_EV_H
#define CLIENTIP_EV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EV_READ  1u
#define EV_WRITE 2u

struct ev_loop;

typedef void ev_fd_cb(struct ev_loop *loop, int fd, unsigned events, void *data);
/* A timer fires once; re-arm from the callback for periodic work. */
typedef void ev_timer_cb(struct ev_loop *loop, uint64_t timer_id, void *data);

struct ev_loop *ev_loop_new(void);
void ev_loop_free(struct ev_loop *loop);

/* Watches fd for `events` (EV_READ|EV_WRITE); replaces an earlier watch.
 * Returns 0 or -errno. A callback may be called when its fd is not ready
 * after all (an fd closed and reused within one batch of events): reads
 * and writes must be non-blocking and take EAGAIN in their stride. */
int ev_watch(struct ev_loop *loop, int fd, unsigned events, ev_fd_cb *cb, void *data);
/* Stops watching fd. Safe to call for an fd that is not watched. */
void ev_unwatch(struct ev_loop *loop, int fd);
/* Stops watching fd and closes it, without telling epoll: closing the
 * last descriptor of a file takes it out of every epoll set anyway, which
 * saves a system call per connection. Only for descriptors that no other
 * descriptor shares (no dup(), no fork() that keeps it). */
void ev_close(struct ev_loop *loop, int fd);

/* Calls cb after `ms` milliseconds. Returns a non-zero id, 0 on failure. */
uint64_t ev_timer_add(struct ev_loop *loop, uint64_t ms, ev_timer_cb *cb, void *data);
/* Cancels a pending timer at once (O(log n), it leaves no trace); ids
 * that already fired or were cancelled are ignored. */
void ev_timer_cancel(struct ev_loop *loop, uint64_t timer_id);
/* Timers armed and neither fired nor cancelled: for tests and metrics. */
size_t ev_timers_pending(const struct ev_loop *loop);

/* Runs until ev_stop(). Returns 0, or -errno if epoll failed. */
int ev_run(struct ev_loop *loop);
void ev_stop(struct ev_loop *loop);
/* Signals as events: blocks the n signals in sigs (call it before starting
 * threads, so that it holds for the process) and hands each one that
 * arrives to cb on the loop, through a signalfd. One such set per loop.
 * Returns the signalfd, for the caller to close after the loop, or
 * -errno. */
typedef void ev_signal_cb(struct ev_loop *loop, int signo, void *data);
int ev_on_signals(struct ev_loop *loop, const int *sigs, int n, ev_signal_cb *cb, void *data);
/* A daemon's way out: ev_on_signals for SIGTERM and SIGINT, stopping the
 * loop with a log line. */
int ev_stop_on_signals(struct ev_loop *loop);

/* Monotonic clock in milliseconds, as the loop sees it. */
uint64_t ev_now_ms(void);
/* Wall clock (UTC) in milliseconds since the epoch: for timestamps that
 * leave the process (state files, metrics), never for timeouts. */
int64_t ev_wall_ms(void);

#endif
