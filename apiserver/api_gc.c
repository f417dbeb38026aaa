/* api_gc.c — the API server's housekeeping: deletions that take time
 * (namespaces and owned objects), the system namespaces, Event expiry (see
 * api_server.h).
 *
 * In Kubernetes the namespace controller and the garbage collector do this
 * outside the API server; a lab has one control plane, so a pass here,
 * after changes, does both: a Terminating namespace loses its objects
 * (pods gracefully, through their kubelet) and goes once empty, and an
 * object whose owners (metadata.ownerReferences) are all gone is deleted,
 * as background propagation does.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_json.h"
#include "api_server.h"
#include "model.h"
#include "log.h"

#define API_GC_DELAY_MS 50
/* A Terminating namespace is emptied from this many seconds after its
 * deletion on (deletionTimestamp has whole seconds: 1 to 2 s). The
 * namespace controller is as unhurried in Kubernetes, and `kubectl delete
 * -f` of a file that holds a namespace and its objects deletes the
 * namespace first, then each object: they must still be there to be
 * deleted, not gone already (NotFound). */
#define API_GC_NAMESPACE_GRACE_S 2
/* While a namespace waits for its pods, look again. */
#define API_GC_RETRY_MS 500
/* Events live an hour after their last occurrence (the API server's
 * default --event-ttl); they are looked at once a minute. */
#define API_GC_EVENT_TTL_S     3600
#define API_GC_EVENT_EXPIRY_MS 60000

/* Empties one Terminating namespace; true once it is gone. */
static bool api_gc_namespace(struct api_server *s, const char *ns)
{
	size_t n, left = 0;
	const struct api_resource *res = api_registry_all(&n);

	for (size_t i = 0; i < n; i++) {
		json_t *all, *obj, *result;
		size_t j;

		if (!res[i].namespaced)
			continue;
		all = api_objects_list(s->objects, &res[i], ns);
		json_array_foreach(all, j, obj) {
			json_t *st = api_verbs_delete_object(s, &res[i], ns,
							     api_json_meta(obj, "name"), -1,
							     &result);
			json_decref(st);
			json_decref(result);
			if (api_objects_get(s->objects, &res[i], ns, api_json_meta(obj, "name")))
				left++;
		}
		json_decref(all);
	}
	if (left)
		return false;
	api_objects_remove(s->objects, api_registry_find("", "v1", "namespaces"), "", ns);
	log_info("namespace %s: deleted", ns);
	return true;
}

/* True if obj has owners and none of them exists any more. */
static bool api_gc_orphan(const json_t *obj, const json_t *uids)
{
	json_t *refs = json_object_get(json_object_get(obj, "metadata"), "ownerReferences"), *ref;
	size_t i;

	if (json_array_size(refs) == 0)
		return false;
	json_array_foreach(refs, i, ref) {
		const char *uid = json_string_value(json_object_get(ref, "uid"));
		if (!uid || json_object_get(uids, uid))
			return false;
	}
	return true;
}

static bool api_gc_pass(struct api_server *s)
{
	size_t n;
	const struct api_resource *res = api_registry_all(&n);
	const struct api_resource *nsr = api_registry_find("", "v1", "namespaces");
	json_t *namespaces = api_objects_list(s->objects, nsr, NULL), *obj;
	json_t *uids = json_object();
	bool again = false;
	size_t i, j;

	json_array_foreach(namespaces, i, obj) {
		const char *since = api_json_meta(obj, "deletionTimestamp");
		int64_t t;

		if (!since[0])
			continue;
		if ((t = model_time_parse(since)) >= 0 && time(NULL) - t < API_GC_NAMESPACE_GRACE_S)
			again = true;
		else if (!api_gc_namespace(s, api_json_meta(obj, "name")))
			again = true;
	}
	json_decref(namespaces);

	for (i = 0; i < n; i++) {
		json_t *all = api_objects_list(s->objects, &res[i], NULL);
		json_array_foreach(all, j, obj)
			json_object_set_new(uids, api_json_meta(obj, "uid"), json_true());
		json_decref(all);
	}
	for (i = 0; i < n; i++) {
		json_t *all = api_objects_list(s->objects, &res[i], NULL);
		json_array_foreach(all, j, obj) {
			json_t *result = NULL, *st;
			if (!api_gc_orphan(obj, uids))
				continue;
			st = api_verbs_delete_object(s, &res[i], api_json_meta(obj, "namespace"),
						     api_json_meta(obj, "name"), -1, &result);
			json_decref(st);
			json_decref(result);
		}
		json_decref(all);
	}
	json_decref(uids);
	return again;
}

static void api_gc_on_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_server *s = data;

	(void)id;
	s->gc_timer = 0;
	if (api_gc_pass(s) && !s->gc_timer)
		s->gc_timer = ev_timer_add(loop, API_GC_RETRY_MS, api_gc_on_timer, s);
}

void api_gc_poke(struct api_server *s)
{
	if (!s->gc_timer && s->loop)
		s->gc_timer = ev_timer_add(s->loop, API_GC_DELAY_MS, api_gc_on_timer, s);
}

/* ---- housekeeping ------------------------------------------------------ */

static void api_gc_events_expire(struct api_server *s)
{
	const struct api_resource *er = api_registry_find("", "v1", "events");
	json_t *all = api_objects_list(s->objects, er, NULL), *e;
	int64_t now = (int64_t)time(NULL);
	size_t i;

	json_array_foreach(all, i, e) {
		int64_t last = model_time_parse(json_string_value(json_object_get(e,
								       "lastTimestamp")) ?: "");
		if (last > 0 && now - last > API_GC_EVENT_TTL_S)
			api_objects_remove(s->objects, er, api_json_meta(e, "namespace"),
					   api_json_meta(e, "name"));
	}
	json_decref(all);
}

static void api_gc_events_on_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_server *s = data;

	(void)id;
	api_gc_events_expire(s);
	s->events_timer = ev_timer_add(loop, API_GC_EVENT_EXPIRY_MS, api_gc_events_on_timer, s);
}

void api_housekeeping_start(struct api_server *s)
{
	static const char *const system[] = { "default", "kube-system", "kube-public",
					      "kube-node-lease" };
	const struct api_resource *r = api_registry_find("", "v1", "namespaces");
	char err[256];

	for (size_t i = 0; i < sizeof(system) / sizeof(system[0]); i++) {
		json_t *obj, *st;

		if (api_objects_get(s->objects, r, "", system[i]))
			continue;
		obj = json_pack("{s:{s:s}}", "metadata", "name", system[i]);
		st = obj ? api_admit(s, r, API_ADMIT_CREATE, "", NULL, obj) : NULL;
		if (!obj || st || api_objects_put(s->objects, r, obj, err, sizeof(err)) < 0) {
			log_warn("namespace %s: %s", system[i], st || !obj ? "refused" : err);
			json_decref(obj);
		}
		json_decref(st);
	}
	api_gc_events_expire(s);
	s->events_timer = ev_timer_add(s->loop, API_GC_EVENT_EXPIRY_MS, api_gc_events_on_timer, s);
}

void api_housekeeping_stop(struct api_server *s)
{
	if (s->events_timer)
		ev_timer_cancel(s->loop, s->events_timer);
	s->events_timer = 0;
}
