/* watch.c — see watch.h. */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "fsutil.h"

struct watch {
	struct ev_loop *loop;
	int fd;
	uint64_t debounce_ms, resync_ms;
	uint64_t debounce_timer, resync_timer;
	watch_cb *cb;
	void *data;
};

static void watch_fire(struct ev_loop *loop, uint64_t id, void *data);

static void watch_arm_resync(struct watch *w)
{
	if (w->resync_timer)
		ev_timer_cancel(w->loop, w->resync_timer);
	w->resync_timer = w->resync_ms ? ev_timer_add(w->loop, w->resync_ms, watch_fire, w) : 0;
}

static void watch_fire(struct ev_loop *loop, uint64_t id, void *data)
{
	struct watch *w = data;

	(void)loop;
	if (id == w->debounce_timer)
		w->debounce_timer = 0;
	if (id == w->resync_timer)
		w->resync_timer = 0;
	/* Whatever fired, the next periodic resync counts from now. */
	watch_arm_resync(w);
	w->cb(w, w->data);
}

void watch_poke(struct watch *w)
{
	/* Restarting the timer on each event is what collapses a burst. */
	if (w->debounce_timer)
		ev_timer_cancel(w->loop, w->debounce_timer);
	w->debounce_timer = ev_timer_add(w->loop, w->debounce_ms, watch_fire, w);
}

static void watch_readable(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;

	(void)loop;
	(void)events;
	for (;;) {
		ssize_t n = read(fd, ev, sizeof(ev));

		if (n <= 0)
			break;
		any = true;
	}
	if (any)
		watch_poke(data);
}

struct watch *watch_new(struct ev_loop *loop, const char *statedir,
			const char *const *subdirs, uint64_t debounce_ms,
			uint64_t resync_ms, watch_cb *cb, void *data,
			char *err, size_t errlen)
{
	struct watch *w = calloc(1, sizeof(*w));
	char path[PATH_MAX];
	int rc;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->loop = loop;
	w->debounce_ms = debounce_ms;
	w->resync_ms = resync_ms;
	w->cb = cb;
	w->data = data;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		snprintf(err, errlen, "inotify: %s", strerror(errno));
		goto fail;
	}
	for (const char *const *s = subdirs; *s; s++) {
		snprintf(path, sizeof(path), "%s/%s", statedir, *s);
		rc = fs_mkdir_p(path, 0755);
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(-rc));
			goto fail;
		}
		/* Atomic replaces arrive as IN_MOVED_TO; deletions as IN_DELETE. */
		if (inotify_add_watch(w->fd, path, IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE |
				      IN_MOVED_FROM) < 0) {
			snprintf(err, errlen, "watch %s: %s", path, strerror(errno));
			goto fail;
		}
	}
	rc = ev_watch(loop, w->fd, EV_READ, watch_readable, w);
	if (rc < 0) {
		snprintf(err, errlen, "event loop: %s", strerror(-rc));
		goto fail;
	}
	watch_arm_resync(w);
	return w;
fail:
	if (w->fd >= 0)
		close(w->fd);
	free(w);
	return NULL;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	ev_unwatch(w->loop, w->fd);
	ev_timer_cancel(w->loop, w->debounce_timer);
	ev_timer_cancel(w->loop, w->resync_timer);
	close(w->fd);
	free(w);
}
