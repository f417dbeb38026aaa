/* api_objects.h — the API server's storage: every object of a lab, its
 * resource versions and the recent history that watches replay.
 *
 * Objects live in memory as jansson values (one map per resource, keyed
 * "namespace/name") and on disk as one JSON file each under the storage
 * directory, replaced atomically on every change, so a restarted server
 * finds them again. One counter gives every change its resourceVersion, as
 * etcd's revision does for the real API server; the last changes are kept
 * in a ring so that a watch can resume from a resourceVersion it saw, and
 * an older one gets 410 Gone.
 *
 * Callers hand over finished objects: identity, defaults and validation
 * are api_admit's job; here only metadata.resourceVersion is set.
 */
#ifndef CLIENTIP_API_OBJECTS_H
#define CLIENTIP_API_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api_registry.h"

struct api_objects;

enum api_event_type { API_EVENT_ADDED, API_EVENT_MODIFIED, API_EVENT_DELETED };

struct api_event {
	uint64_t rv;
	enum api_event_type type;
	const struct api_resource *res;
	json_t *obj;                  /* the object after the change (before, for DELETED) */
};

const char *api_event_type_name(enum api_event_type t); /* "ADDED" ... */

/* Loads everything under dir (created if missing). Files that do not
 * parse are skipped with a warning. NULL with a message in err. */
struct api_objects *api_objects_open(const char *dir, char *err, size_t errlen);
void api_objects_close(struct api_objects *o);

/* The newest resourceVersion handed out. */
uint64_t api_objects_rv(const struct api_objects *o);

/* A borrowed reference, valid until the object changes; NULL if absent.
 * ns is "" for cluster-scoped resources. */
json_t *api_objects_get(struct api_objects *o, const struct api_resource *r, const char *ns,
			const char *name);
/* The objects of r in namespace ns (NULL: all), sorted by namespace then
 * name, as a new array (its items are shared references: do not modify). */
json_t *api_objects_list(struct api_objects *o, const struct api_resource *r, const char *ns);
size_t api_objects_count(struct api_objects *o, const struct api_resource *r);

/* Stores obj (the reference is taken), replacing any object of the same
 * namespace and name, with metadata.resourceVersion set to the next
 * version. Writes it to disk, records the event and tells the watchers.
 * 0, or -1 with a message in err (nothing changed). */
int api_objects_put(struct api_objects *o, const struct api_resource *r, json_t *obj,
		    char *err, size_t errlen);
/* Removes an object; its DELETED event carries the last state with a new
 * resourceVersion. 0, or -ENOENT. */
int api_objects_remove(struct api_objects *o, const struct api_resource *r, const char *ns,
		       const char *name);

/* Watchers: cb runs for every change of any resource, after it is stored. */
typedef void api_objects_cb(const struct api_event *ev, void *data);
struct api_objects_watcher;
struct api_objects_watcher *api_objects_watch(struct api_objects *o, api_objects_cb *cb,
					      void *data);
/* Safe from inside a callback. */
void api_objects_unwatch(struct api_objects *o, struct api_objects_watcher *w);

/* Replays the recorded events newer than rv, oldest first. 0, or -ESTALE
 * when events after rv have already left the history (410 Gone). */
int api_objects_replay(struct api_objects *o, uint64_t rv, api_objects_cb *cb, void *data);

#endif
