/* store.h — the node agents' checkpoints of their pods' status (read
 * back by an agent that starts again), one JSON file each in the model's
 * shapes (model_json.h, included here for the callers that read or write
 * those shapes along with the files).
 *
 * Layout and the one-writer-per-file rule are in docs/STATE.md. Every write
 * is an atomic file replace (fsutil), so readers never lock, and each kind
 * has one writer.
 *
 * List functions return a malloc'd array (free() it) and the count, sorted by
 * namespace then name. They return 0, or -1 with a message in err; a file
 * that does not parse is skipped with a warning rather than failing the
 * whole list, so one bad file cannot stop a daemon.
 */
#ifndef CLIENTIP_STORE_H
#define CLIENTIP_STORE_H

#include <stddef.h>

#include "model.h"
#include "model_json.h"

enum store_kind {
	STORE_POD_STATUS,      /* status/pods/  each node agent's checkpoint of its pods */
	STORE_KIND_COUNT,
};

/* "status/pods" etc., relative to the state dir. */
const char *store_kind_dir(enum store_kind kind);
/* <statedir>/<kind dir>/<ns>_<name>.json. */
char *store_path(const char *statedir, enum store_kind kind, const char *ns,
		 const char *name, char *buf, size_t len);

/* Creates the directory tree. 0 or -errno. */
int store_init(const char *statedir);

int store_list_pod_statuses(const char *statedir, struct model_pod_status **out, int *n,
			    char *err, size_t errlen);

/* Atomic writes. 0 or -errno. */
int store_put_pod_status(const char *statedir, const struct model_pod_status *s);
/* Removes one object's file; 0 if it did not exist. */
int store_delete(const char *statedir, enum store_kind kind, const char *ns, const char *name);

/* An object's identity, from its file name alone. */
struct store_key {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
};

/* The objects of one kind without reading them, sorted like the lists. */
int store_list_keys(const char *statedir, enum store_kind kind, struct store_key **out, int *n,
		    char *err, size_t errlen);

#endif
