/* watch.h — "something in these state directories changed", debounced.
 *
 * Daemons watch a few flat directories of the state store (docs/STATE.md)
 * with inotify and re-read what they need when anything changes. Bursts of
 * events (an apply writes several files) collapse into one callback after
 * a short quiet period, and a periodic resync covers anything missed.
 */
#ifndef CLIENTIP_WATCH_H
#define CLIENTIP_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "ev.h"

struct watch;

typedef void watch_cb(struct watch *w, void *data);

/* Watches <statedir>/<subdirs[i]> (NULL-terminated; created if missing).
 * cb runs debounce_ms after the last event of a burst, and every
 * resync_ms regardless (0: never). NULL on failure with a message in err. */
struct watch *watch_new(struct ev_loop *loop, const char *statedir,
			const char *const *subdirs, uint64_t debounce_ms,
			uint64_t resync_ms, watch_cb *cb, void *data,
			char *err, size_t errlen);
/* Asks for a callback soon, as if a file had changed. */
void watch_poke(struct watch *w);
void watch_free(struct watch *w);

#endif
