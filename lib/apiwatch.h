/* apiwatch.h — one resource of the lab's API server, listed then watched.
 *
 * What client-go's informers do for a controller, in the small: the
 * objects of one collection (GET path) are listed, then watched from the
 * list's resourceVersion with bookmarks, and the watch's events keep a
 * cache of the objects as the server has them. When the stream ends, or
 * the server says the resourceVersion is too old (410 Expired), the
 * collection is listed again. While the server does not answer, the cache
 * stays as it was (a daemon keeps serving what it last knew) and the list
 * is tried again, APIWATCH_RETRY_MS later, then twice as long each time
 * up to APIWATCH_RETRY_MAX_MS.
 */
#ifndef CLIENTIP_APIWATCH_H
#define CLIENTIP_APIWATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ev.h"
#include "model.h"

#define APIWATCH_RETRY_MS     1000
#define APIWATCH_RETRY_MAX_MS 4000
/* Per list request: a frozen server holds the loop for at most this long. */
#define APIWATCH_TIMEOUT_MS   1000

struct apiwatch;

/* Runs (from the loop) after the cache changed: a watch event or a new
 * list. relisted: the cache was listed anew, after a start or a gap in
 * which changes may have been missed. */
typedef void apiwatch_change_cb(bool relisted, void *data);

/* path: the collection, "/api/v1/services", with a query if it selects
 * ("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode0"); what names it in the log
 * ("services"). Nothing is sent yet. NULL on OOM. */
struct apiwatch *apiwatch_new(struct ev_loop *loop, const char *socket_path, const char *path,
			      const char *what, apiwatch_change_cb *on_change, void *data);
void apiwatch_free(struct apiwatch *w);
/* Lists, then watches; on failure retries on its own. */
void apiwatch_start(struct apiwatch *w);
/* True once a list succeeded: the cache is the server's. */
bool apiwatch_synced(const struct apiwatch *w);
/* The resourceVersion of the list or the last event the cache has (0
 * before the first list): every change up to it is in the cache. */
uint64_t apiwatch_rv(const struct apiwatch *w);
/* The cache: an object "namespace/name" -> the server's object (borrowed;
 * valid until the next return to the loop). */
const json_t *apiwatch_objects(const struct apiwatch *w);

/* The cached Services as the lab's model holds them (status ingress in
 * ingress_ip), sorted by namespace and name: a malloc'd array (free() it).
 * A Service the model refuses is logged and left out. 0, or -1 with err
 * (out of memory). */
int apiwatch_services(const struct apiwatch *w, struct model_service **out, int *n, char *err,
		      size_t errlen);
/* The cached Pods as the lab's model holds them (spec, node, address,
 * owner, deletion), sorted by namespace and name: a malloc'd array (free()
 * it). A Pod the model refuses is logged and left out. 0, or -1 with err
 * (out of memory). */
int apiwatch_pods(const struct apiwatch *w, struct model_pod **out, int *n, char *err,
		  size_t errlen);
/* The cached EndpointSlices as the lab's model of each Service's
 * endpoints: the slices of one Service (label kubernetes.io/service-name)
 * merged into one struct model_endpoints named after it, sorted by
 * namespace and name. A malloc'd array; model_endpoints_free() each, then
 * free() it. 0, or -1 with err (out of memory). */
int apiwatch_endpoints(const struct apiwatch *w, struct model_endpoints **out, int *n,
		       char *err, size_t errlen);

#endif
