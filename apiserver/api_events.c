/* api_events.c — Events, as the components of a cluster record them (see
 * api_server.h).
 *
 * kubectl describe lists the Events whose involvedObject is the object
 * described. Repeats of the same event (same object, reason, message and
 * type) are counted on one Event, as client-go's event correlator does;
 * Events go one hour after their last occurrence, the API server's
 * default --event-ttl.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_json.h"
#include "api_server.h"
#include "log.h"
#include "model.h"

#define API_EVENT_TTL_S 3600

static const struct api_resource *api_events_res(void)
{
	return api_registry_find("", "v1", "events");
}

static void api_event_put(struct api_server *s, const json_t *obj, const char *type,
			  const char *reason, const char *component, const char *msg)
{
	const struct api_resource *er = api_events_res();
	const char *ns = api_json_meta(obj, "namespace"), *uid = api_json_meta(obj, "uid");
	char now[32], name[320], err[256];
	json_t *all, *ev, *e;
	struct timespec ts;
	size_t i;

	api_now_rfc3339(now);
	/* Events of cluster-scoped objects (nodes) live in "default". */
	if (!ns[0])
		ns = "default";
	all = api_objects_list(s->objects, er, ns);
	json_array_foreach(all, i, e) {
		if (strcmp(json_string_value(api_json_path(e, "involvedObject.uid")) ?: "", uid) ||
		    strcmp(json_string_value(json_object_get(e, "reason")) ?: "", reason) ||
		    strcmp(json_string_value(json_object_get(e, "message")) ?: "", msg) ||
		    strcmp(json_string_value(json_object_get(e, "type")) ?: "", type))
			continue;
		ev = json_deep_copy(e);
		json_object_set_new(ev, "count",
				    json_integer(json_integer_value(json_object_get(e, "count")) + 1));
		json_object_set_new(ev, "lastTimestamp", json_string(now));
		json_decref(all);
		if (api_objects_put(s->objects, er, ev, err, sizeof(err)) < 0)
			log_warn("event: %s", err);
		return;
	}
	json_decref(all);
	/* Named as client-go names them: the object's name and a unique
	 * hexadecimal suffix. */
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, sizeof(name), "%.240s.%llx", api_json_meta(obj, "name"),
		 (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec);
	ev = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:O?, s:O?, s:s, s:s, s:s}, s:s, s:s, "
		       "s:s, s:{s:s}, s:s, s:s, s:i, s:s}",
		       "apiVersion", "v1", "kind", "Event",
		       "metadata", "name", name, "namespace", ns, "creationTimestamp", now,
		       "involvedObject", "kind", json_object_get(obj, "kind"),
		       "apiVersion", json_object_get(obj, "apiVersion"),
		       "namespace", api_json_meta(obj, "namespace"),
		       "name", api_json_meta(obj, "name"), "uid", uid,
		       "reason", reason, "message", msg, "type", type,
		       "source", "component", component, "reportingComponent", component,
		       "firstTimestamp", now, "count", 1, "lastTimestamp", now);
	if (!ev)
		return;
	{
		char uidbuf[40];
		model_uid_new(uidbuf);
		json_object_set_new(json_object_get(ev, "metadata"), "uid", json_string(uidbuf));
	}
	if (api_objects_put(s->objects, er, ev, err, sizeof(err)) < 0)
		log_warn("event: %s", err);
}

void api_events_expire(struct api_server *s)
{
	const struct api_resource *er = api_events_res();
	json_t *all = api_objects_list(s->objects, er, NULL), *e;
	int64_t now = (int64_t)time(NULL);
	size_t i;

	json_array_foreach(all, i, e) {
		int64_t last = model_time_parse(json_string_value(json_object_get(e,
								       "lastTimestamp")) ?: "");
		if (last > 0 && now - last > API_EVENT_TTL_S)
			api_objects_remove(s->objects, er, api_json_meta(e, "namespace"),
					   api_json_meta(e, "name"));
	}
	json_decref(all);
}

void api_event_record(struct api_server *s, const json_t *obj, const char *type,
		      const char *reason, const char *component, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_event_put(s, obj, type, reason, component, msg);
}
