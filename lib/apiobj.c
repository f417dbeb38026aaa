/* apiobj.c — see apiobj.h. */
#include "apiobj.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "model.h"
#include "store.h"

json_t *apiobj_parse(const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, 0, &e);

	if (!v)
		snprintf(err, errlen, "not valid JSON: line %d, column %d: %s", e.line, e.column,
			 e.text);
	return v;
}

json_t *apiobj_model_copy(const json_t *obj)
{
	json_t *copy = json_deep_copy(obj);
	json_t *md = json_object_get(copy, "metadata");
	json_t *ann = json_object_get(md, "annotations"), *v;
	const char *k;
	void *tmp;

	json_object_foreach_safe(ann, tmp, k, v) {
		if (!json_is_string(v) || json_string_length(v) >= MODEL_VALUE_MAX ||
		    strlen(k) >= MODEL_KEY_MAX || strncmp(k, "deployment.kubernetes.io/", 25) == 0)
			json_object_del(ann, k);
	}
	json_object_del(md, "managedFields");
	return copy;
}

uint64_t apiobj_rv(const json_t *obj)
{
	const char *rv = json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "resourceVersion"));

	return rv ? strtoull(rv, NULL, 10) : 0;
}

const json_t *apiobj_condition(const json_t *obj, const char *type)
{
	const json_t *conds = json_object_get(json_object_get(obj, "status"), "conditions");
	const json_t *c;
	size_t i;

	json_array_foreach(conds, i, c) {
		const char *t = json_string_value(json_object_get(c, "type"));

		if (t && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

/* The later of two RFC 3339 times into out (either may be NULL or bad). */
static void apiobj_later(const char *a, const char *b, char out[MODEL_TIME_MAX])
{
	int64_t ta = model_time_parse(a), tb = model_time_parse(b);
	const char *pick = ta >= tb ? a : b;

	snprintf(out, MODEL_TIME_MAX, "%s", (ta > 0 || tb > 0) && pick ? pick : "");
}

int apiobj_node_status(const json_t *node, const json_t *lease, struct model_node_status *out)
{
	const char *name = json_string_value(json_object_get(json_object_get(node, "metadata"),
							     "name"));
	const json_t *ready = apiobj_condition(node, "Ready");
	const json_t *addrs = json_object_get(json_object_get(node, "status"), "addresses"), *a;
	const char *status = json_string_value(json_object_get(ready, "status"));
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!name || strlen(name) >= sizeof(out->name))
		return -1;
	memcpy(out->name, name, strlen(name) + 1);
	json_array_foreach(addrs, i, a) {
		const char *type = json_string_value(json_object_get(a, "type"));
		const char *addr = json_string_value(json_object_get(a, "address"));

		if (type && addr && strcmp(type, "InternalIP") == 0 &&
		    inet_pton(AF_INET, addr, &out->addr) == 1)
			break;
	}
	out->posted_ready = status && strcmp(status, "True") == 0;
	out->unschedulable = json_is_true(json_object_get(json_object_get(node, "spec"),
							  "unschedulable"));
	apiobj_later(json_string_value(json_object_get(ready, "lastHeartbeatTime")),
		     json_string_value(json_object_get(json_object_get(lease, "spec"), "renewTime")),
		     out->heartbeat);
	return 0;
}

static void apiobj_copy_str(char *out, size_t len, const json_t *v)
{
	snprintf(out, len, "%s", json_string_value(v) ?: "");
}

bool apiobj_pod_status(const json_t *pod, struct model_pod_status *out)
{
	const json_t *md = json_object_get(pod, "metadata"), *st = json_object_get(pod, "status");
	const json_t *cs = json_array_get(json_object_get(st, "containerStatuses"), 0);
	const json_t *state = json_object_get(cs, "state"), *ready = apiobj_condition(pod, "Ready");
	const json_t *why = json_object_get(state, "waiting");
	const char *id = json_string_value(json_object_get(cs, "containerID"));
	bool deleting = json_string_value(json_object_get(md, "deletionTimestamp")) != NULL;

	memset(out, 0, sizeof(*out));
	apiobj_copy_str(out->ns, sizeof(out->ns), json_object_get(md, "namespace"));
	apiobj_copy_str(out->name, sizeof(out->name), json_object_get(md, "name"));
	apiobj_copy_str(out->uid, sizeof(out->uid), json_object_get(md, "uid"));
	if (model_phase_parse(json_string_value(json_object_get(st, "phase")) ?: "",
			      &out->phase) < 0)
		out->phase = MODEL_POD_PENDING;
	out->ready = strcmp(json_string_value(json_object_get(ready, "status")) ?: "", "True") == 0;
	out->terminating = deleting;
	if (json_object_get(state, "terminated")) {
		why = json_object_get(state, "terminated");
		out->terminated = deleting;
	}
	out->restarts = (int)json_integer_value(json_object_get(cs, "restartCount"));
	if (json_object_get(state, "running") && id && strncmp(id, "pid://", 6) == 0)
		out->pid = atoi(id + 6);
	apiobj_copy_str(out->reason, sizeof(out->reason), json_object_get(why, "reason"));
	apiobj_copy_str(out->message, sizeof(out->message), json_object_get(why, "message"));
	apiobj_copy_str(out->started, sizeof(out->started), json_object_get(st, "startTime"));
	return cs != NULL;
}

/* RFC 4648 base64 (padding optional) to a JSON string; NULL if it is not
 * base64 or the bytes are not UTF-8 text. */
static json_t *apiobj_base64_text(const char *in)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = in ? strlen(in) : 0, o = 0;
	unsigned acc = 0;
	int bits = 0;
	char *out = malloc(n * 3 / 4 + 1);
	json_t *v;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n && in[i] != '='; i++) {
		const char *p = strchr(alphabet, in[i]);

		if (!p) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (unsigned)(p - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits & 0xff);
		}
	}
	v = json_stringn(out, o);
	free(out);
	return v;
}

/* A data value of a ConfigMap, or of a Secret decoded; a new reference or
 * NULL. */
static json_t *apiobj_data_value(const json_t *obj, const char *key, bool secret)
{
	const char *v = key ? json_string_value(json_object_get(json_object_get(obj, "data"), key))
			    : NULL;

	if (!v)
		return NULL;
	return secret ? apiobj_base64_text(v) : json_string(v);
}

/* Every name=value a ConfigMap or Secret gives through envFrom, in order. */
static void apiobj_env_from(const json_t *from, const char *ns, apiobj_lookup_fn *lookup,
			    void *data, json_t *env)
{
	const json_t *src;
	size_t i;

	json_array_foreach(from, i, src) {
		bool secret = json_is_object(json_object_get(src, "secretRef"));
		const json_t *ref = json_object_get(src, secret ? "secretRef" : "configMapRef");
		const char *name = json_string_value(json_object_get(ref, "name"));
		const char *prefix = json_string_value(json_object_get(src, "prefix"));
		const json_t *obj = name ? lookup(secret, ns, name, data) : NULL;
		const char *k;
		json_t *v;

		json_object_foreach((json_t *)json_object_get(obj, "data"), k, v) {
			json_t *val = apiobj_data_value(obj, k, secret);
			char full[512];

			snprintf(full, sizeof(full), "%s%s", prefix ? prefix : "", k);
			if (val)
				json_array_append_new(env, json_pack("{s:s, s:o}", "name", full,
								     "value", val));
		}
	}
}

void apiobj_resolve_env(json_t *obj, apiobj_lookup_fn *lookup, void *data)
{
	const char *ns = json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "namespace"));
	json_t *containers = json_object_get(json_object_get(json_object_get(json_object_get(
		obj, "spec"), "template"), "spec"), "containers"), *c;
	size_t i, j;

	json_array_foreach(containers, i, c) {
		json_t *env = json_array(), *e;

		apiobj_env_from(json_object_get(c, "envFrom"), ns ? ns : "", lookup, data, env);
		json_array_foreach(json_object_get(c, "env"), j, e) {
			const json_t *vf = json_object_get(e, "valueFrom");
			bool secret = json_object_get(vf, "secretKeyRef") != NULL;
			const json_t *ref = json_object_get(vf, secret ? "secretKeyRef"
								       : "configMapKeyRef");
			const char *name = json_string_value(json_object_get(ref, "name"));
			const json_t *src = name ? lookup(secret, ns ? ns : "", name, data) : NULL;
			json_t *val;

			if (!vf) {
				json_array_append(env, e);
				continue;
			}
			val = apiobj_data_value(src, json_string_value(json_object_get(ref, "key")),
						secret);
			if (val)
				json_array_append_new(env, json_pack("{s:O, s:o}", "name",
								     json_object_get(e, "name"),
								     "value", val));
		}
		json_object_del(c, "envFrom");
		if (json_array_size(env))
			json_object_set_new(c, "env", env);
		else
			json_decref(env);
	}
}

json_t *apiobj_event_new(const char *ns, const char *api_version, const char *kind,
			 const char *ref_ns, const char *name, const char *uid, const char *type,
			 const char *reason, const char *message, const char *component)
{
	char ev_name[MODEL_NAME_MAX + 24], now[MODEL_TIME_MAX];
	struct timespec ts;
	json_t *ev, *ref;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(ev_name, sizeof(ev_name), "%s.%" PRIx64, name,
		 (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	model_time_now(now);
	ref = json_pack("{s:s, s:s, s:s}", "apiVersion", api_version, "kind", kind, "name", name);
	if (ref && ref_ns && ref_ns[0])
		json_object_set_new(ref, "namespace", json_string(ref_ns));
	if (ref && uid && uid[0])
		json_object_set_new(ref, "uid", json_string(uid));
	ev = ref ? json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:s, s:{s:s}, s:s, s:s,"
			     " s:i, s:s, s:s}",
			     "apiVersion", "v1", "kind", "Event", "metadata", "name", ev_name,
			     "namespace", ns, "involvedObject", ref, "type", type, "reason", reason,
			     "message", message, "source", "component", component,
			     "firstTimestamp", now, "lastTimestamp", now, "count", 1,
			     "reportingComponent", component, "reportingInstance", component)
		 : NULL;
	return ev;
}

int apiobj_slice_endpoints(const json_t *slice, struct model_endpoints *out, char *err,
			   size_t errlen)
{
	const char *svc = json_string_value(json_object_get(json_object_get(json_object_get(
		slice, "metadata"), "labels"), "kubernetes.io/service-name"));
	int rc;

	memset(out, 0, sizeof(*out));
	if (!svc || !svc[0] || strlen(svc) >= sizeof(out->name))
		return 1;
	rc = model_endpoints_from_value(slice, out, err, errlen);
	if (rc < 0) {
		model_endpoints_free(out);
		return -1;
	}
	snprintf(out->name, sizeof(out->name), "%s", svc);
	return 0;
}

static int apiobj_eps_cmp(const void *x, const void *y)
{
	const struct model_endpoints *a = x, *b = y;
	int c = strcmp(a->ns, b->ns);

	return c ? c : strcmp(a->name, b->name);
}

/* The slot of port p in e's ports, added if missing: -1 when e has no room. */
static int apiobj_port_slot(struct model_endpoints *e, const struct model_endpoint_port *p)
{
	for (int k = 0; k < e->n_ports; k++)
		if (e->ports[k].proto == p->proto && strcmp(e->ports[k].name, p->name) == 0)
			return k;
	if (e->n_ports >= MODEL_MAX_PORTS)
		return -1;
	e->ports[e->n_ports] = *p;
	return e->n_ports++;
}

/* Appends the endpoints of `from` (another slice of to's Service) to `to`. */
static int apiobj_merge_one(struct model_endpoints *to, const struct model_endpoints *from)
{
	struct model_endpoint *items = realloc(to->items, (size_t)(to->n + from->n + 1) *
					       sizeof(*items));
	int slot[MODEL_MAX_PORTS];

	if (!items)
		return -1;
	to->items = items;
	for (int j = 0; j < from->n_ports && j < MODEL_MAX_PORTS; j++)
		slot[j] = apiobj_port_slot(to, &from->ports[j]);
	for (int i = 0; i < from->n; i++) {
		struct model_endpoint *ep = &to->items[to->n++];

		*ep = from->items[i];
		memset(ep->ports, 0, sizeof(ep->ports));
		for (int j = 0; j < from->n_ports && j < MODEL_MAX_PORTS; j++)
			if (slot[j] >= 0)
				ep->ports[slot[j]] = from->items[i].ports[j];
	}
	return 0;
}

int apiobj_endpoints_merge(struct model_endpoints *list, int *n)
{
	int k = 0, rc = 0;

	if (*n > 1)
		qsort(list, (size_t)*n, sizeof(*list), apiobj_eps_cmp);
	/* A Service's slices are neighbours now. */
	for (int i = 0; i < *n; i++) {
		if (k > 0 && apiobj_eps_cmp(&list[k - 1], &list[i]) == 0) {
			if (apiobj_merge_one(&list[k - 1], &list[i]) < 0)
				rc = -1;
			model_endpoints_free(&list[i]);
			continue;
		}
		list[k++] = list[i];
	}
	*n = k;
	return rc < 0 ? -1 : k;
}

/* An Event's identity for counting repeats: its object, type, reason,
 * message; never 0. */
static uint64_t apiobj_event_key(const json_t *ev)
{
	const json_t *ref = json_object_get(ev, "involvedObject");
	const char *parts[] = {
		json_string_value(json_object_get(ref, "kind")),
		json_string_value(json_object_get(ref, "namespace")),
		json_string_value(json_object_get(ref, "name")),
		json_string_value(json_object_get(ref, "uid")),
		json_string_value(json_object_get(ev, "type")),
		json_string_value(json_object_get(ev, "reason")),
		json_string_value(json_object_get(ev, "message")),
	};
	uint64_t h = HASH_FNV1A64_INIT;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		/* The NUL too, so that ("ab", "c") and ("a", "bc") differ. */
		h = hash_fnv1a64(h, parts[i] ? parts[i] : "", parts[i] ? strlen(parts[i]) + 1 : 1);
	return h ? h : 1;
}

int apiobj_event_record(struct apiobj_events *log, const json_t *ev, apiobj_send_fn *send,
			void *ctx)
{
	const json_t *md = json_object_get(ev, "metadata");
	const char *ns = json_string_value(json_object_get(md, "namespace")) ?: "default";
	const char *name = json_string_value(json_object_get(md, "name")) ?: "";
	uint64_t key = apiobj_event_key(ev);
	int64_t now = (int64_t)time(NULL);
	struct apiobj_event_seen *e;
	char path[256], stamp[MODEL_TIME_MAX];
	int code;

	for (int i = 0; i < APIOBJ_EVENTS_KEPT; i++) {
		json_t *patch;

		e = &log->seen[i];
		if (e->key != key || now - e->last >= 3600)
			continue;
		model_time_now(stamp);
		snprintf(path, sizeof(path), "/api/v1/namespaces/%s/events/%s", e->ns, e->name);
		patch = json_pack("{s:I, s:s}", "count", (json_int_t)(e->count + 1),
				  "lastTimestamp", stamp);
		code = patch ? send(ctx, "PATCH", path, "application/merge-patch+json", patch) : -1;
		json_decref(patch);
		if (code == 404) {
			e->key = 0;   /* gone meanwhile: recorded anew below */
			break;
		}
		if (code >= 200 && code < 300) {
			e->count++;
			e->last = now;
		}
		return code;
	}
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/events", ns);
	code = send(ctx, "POST", path, "application/json", (json_t *)ev);
	if (code >= 200 && code < 300 && strlen(ns) < sizeof(e->ns) &&
	    strlen(name) < sizeof(e->name)) {
		e = &log->seen[log->next];
		log->next = (log->next + 1) % APIOBJ_EVENTS_KEPT;
		*e = (struct apiobj_event_seen){ .key = key, .count = 1, .last = now };
		snprintf(e->ns, sizeof(e->ns), "%s", ns);
		snprintf(e->name, sizeof(e->name), "%s", name);
	}
	return code;
}
