/* ctl_api.c — what the controller reads from the lab's API server.
 *
 * The objects people write (Deployments, DaemonSets, Services, and the
 * ConfigMaps and Secrets a pod's environment names) and the nodes' own
 * (Nodes, Leases) are listed and watched, as a Kubernetes controller's
 * informers do (lib/apiwatch); each change asks for a pass. A pass takes
 * its view of all of them at once (ctl_api_begin): the caches the watches
 * keep, or, under --once, collections listed for that pass.
 */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiobj.h"
#include "buf.h"
#include "hash.h"
#include "log.h"
#include "store.h"

#define CTL_API_TIMEOUT_MS 1000

static const struct {
	const char *path, *what;
} ctl_colls[CTL_COLL_COUNT] = {
	[CTL_NODES] = { "/api/v1/nodes", "nodes" },
	[CTL_LEASES] = { "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
			 "leases" },
	[CTL_DEPLOYMENTS] = { "/apis/apps/v1/deployments", "deployments" },
	[CTL_DAEMONSETS] = { "/apis/apps/v1/daemonsets", "daemonsets" },
	[CTL_SERVICES] = { "/api/v1/services", "services" },
	[CTL_CONFIGMAPS] = { "/api/v1/configmaps", "configmaps" },
	[CTL_SECRETS] = { "/api/v1/secrets", "secrets" },
	[CTL_ENDPOINTSLICES] = { "/apis/discovery.k8s.io/v1/endpointslices", "endpointslices" },
	[CTL_ENDPOINTS] = { "/api/v1/endpoints", "endpoints" },
	[CTL_PODS] = { "/api/v1/pods", "pods" },
	[CTL_REPLICASETS] = { "/apis/apps/v1/replicasets", "replicasets" },
};

static void ctl_api_key(const json_t *obj, char *out, size_t len)
{
	const json_t *md = json_object_get(obj, "metadata");

	snprintf(out, len, "%s/%s", json_string_value(json_object_get(md, "namespace")) ?: "",
		 json_string_value(json_object_get(md, "name")) ?: "");
}

/* A collection listed once, keyed as the watch caches are: "namespace/name"
 * -> object. NULL with err on failure. */
static json_t *ctl_api_list(struct ctl *c, const char *path, char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	json_t *list = NULL, *map = NULL, *item;
	int code;
	size_t i;

	code = apiclient_request(c->api, "GET", path, NULL, NULL, 0, &b, err, errlen);
	if (code < 0)
		goto out;
	list = json_loadb(buf_str(&b), b.len, 0, NULL);
	if (code != 200 || !json_is_array(json_object_get(list, "items"))) {
		snprintf(err, errlen, "GET %s: HTTP %d", path, code);
		goto out;
	}
	map = json_object();
	json_array_foreach(json_object_get(list, "items"), i, item) {
		char key[2 * MODEL_NAME_MAX + 2];

		ctl_api_key(item, key, sizeof(key));
		json_object_set(map, key, item);
	}
out:
	json_decref(list);
	buf_free(&b);
	return map;
}

int ctl_api_begin(struct ctl *c, struct ctl_api_view *v, char *err, size_t errlen)
{
	memset(v, 0, sizeof(*v));
	for (int k = 0; k < CTL_COLL_COUNT; k++) {
		if (c->w[k]) {
			/* A pass without a collection would take every object of
			 * it for gone: every pod of a DaemonSet deleted, say. */
			if (!apiwatch_synced(c->w[k])) {
				snprintf(err, errlen, "waiting for the API server's %s",
					 ctl_colls[k].what);
				ctl_api_end(v);
				return -1;
			}
			if (apiwatch_rv(c->w[k]) < c->wrote_rv[k]) {
				snprintf(err, errlen, "waiting for the API server's %s to bring "
					 "resourceVersion %llu", ctl_colls[k].what,
					 (unsigned long long)c->wrote_rv[k]);
				ctl_api_end(v);
				return -EAGAIN;
			}
			v->coll[k] = json_incref((json_t *)apiwatch_objects(c->w[k]));
		} else {
			v->coll[k] = ctl_api_list(c, ctl_colls[k].path, err, errlen);
			if (!v->coll[k]) {
				ctl_api_end(v);
				return -1;
			}
		}
	}
	return 0;
}

void ctl_api_end(struct ctl_api_view *v)
{
	for (int k = 0; k < CTL_COLL_COUNT; k++)
		json_decref(v->coll[k]);
	memset(v, 0, sizeof(*v));
}

bool ctl_api_has(const struct ctl_api_view *v, enum ctl_coll k, const char *ns,
		 const char *name)
{
	char key[2 * MODEL_NAME_MAX + 2];

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	return json_object_get(v->coll[k], key) != NULL;
}

static const json_t *ctl_api_lookup(bool secret, const char *ns, const char *name, void *data)
{
	const struct ctl_api_view *v = data;
	char key[2 * MODEL_NAME_MAX + 2];

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	return json_object_get(v->coll[secret ? CTL_SECRETS : CTL_CONFIGMAPS], key);
}

/* A workload and its pod-template-hash, while they are sorted together. */
struct ctl_api_workload {
	struct model_deployment d;
	char hash[CTL_HASH_LEN + 1];
};

static int ctl_api_workload_cmp(const void *a, const void *b)
{
	const struct ctl_api_workload *x = a, *y = b;
	int c = strcmp(x->d.meta.ns, y->d.meta.ns);

	return c ? c : strcmp(x->d.meta.name, y->d.meta.name);
}

/* A reference (a valueFrom, an envFrom source) as a value that stands for
 * it: FNV-1a of its JSON. */
static json_t *ctl_api_ref_text(const char *what, const json_t *ref)
{
	char *text = json_dumps(ref, JSON_COMPACT | JSON_SORT_KEYS), buf[48];

	snprintf(buf, sizeof(buf), "%s:%08x", what,
		 text ? hash_fnv1a32(HASH_FNV1A32_INIT, text, strlen(text)) : 0u);
	free(text);
	return json_string(buf);
}

/* The template as written, for its hash: each reference of the
 * environment replaced by a value that stands for it, so that the hash
 * changes with the template, not with the ConfigMaps it names (a
 * ConfigMap's change does not roll a Deployment, as in Kubernetes). */
static void ctl_api_refs_as_values(json_t *obj)
{
	json_t *containers = json_object_get(json_object_get(json_object_get(json_object_get(
		obj, "spec"), "template"), "spec"), "containers"), *c, *e;
	size_t i, j;

	json_array_foreach(containers, i, c) {
		json_t *env = json_array();
		char name[32];

		json_array_foreach(json_object_get(c, "envFrom"), j, e) {
			snprintf(name, sizeof(name), "envFrom%zu", j);
			json_array_append_new(env, json_pack("{s:s, s:o}", "name", name, "value",
							     ctl_api_ref_text("envFrom", e)));
		}
		json_array_foreach(json_object_get(c, "env"), j, e) {
			const json_t *vf = json_object_get(e, "valueFrom");

			if (!vf)
				json_array_append(env, e);
			else
				json_array_append_new(env, json_pack("{s:O, s:o}", "name",
								     json_object_get(e, "name"),
								     "value",
								     ctl_api_ref_text("valueFrom", vf)));
		}
		json_object_del(c, "envFrom");
		json_object_set_new(c, "env", env);
	}
}

/* One object as the model reads it (obj is changed). 0, or -1 logged. */
static int ctl_api_model(json_t *obj, const char *what, struct model_deployment *out)
{
	char err[256];
	int rc = model_deployment_from_value(obj, out, err, sizeof(err));

	if (rc < 0)
		log_warn("%s: %s", what, err);
	return rc;
}

/* The objects of one collection the model takes, each with its hash; kind
 * is set on each (a list's items carry none). */
static int ctl_api_workloads_of(const struct ctl_api_view *v, enum ctl_coll k, const char *kind,
				struct ctl_api_workload *out, int *n)
{
	const char *key;
	json_t *obj;
	int m = 0;

	json_object_foreach(v->coll[k], key, obj) {
		json_t *copy = apiobj_model_copy(obj), *written;
		struct model_deployment *as_written = malloc(sizeof(*as_written));
		char what[2 * MODEL_NAME_MAX + 16];
		int rc;

		if (!copy || !as_written || json_object_set_new(copy, "kind", json_string(kind)) < 0 ||
		    !(written = json_deep_copy(copy))) {
			json_decref(copy);
			free(as_written);
			return -ENOMEM;
		}
		snprintf(what, sizeof(what), "%s %s", kind, key);
		ctl_api_refs_as_values(written);
		rc = ctl_api_model(written, what, as_written);
		if (rc == 0 && ctl_template_hash(as_written, out[m].hash) < 0) {
			json_decref(written);
			json_decref(copy);
			free(as_written);
			return -ENOMEM;
		}
		/* Resolved now, as a kubelet would when the pod starts: the
		 * lab's agents take values, not references. */
		apiobj_resolve_env(copy, ctl_api_lookup, (void *)v);
		if (rc == 0 && ctl_api_model(copy, what, &out[m].d) == 0)
			m++;
		json_decref(written);
		json_decref(copy);
		free(as_written);
	}
	*n = m;
	return 0;
}

int ctl_api_workloads(const struct ctl_api_view *v, struct model_deployment **out,
		      char (**hashes)[CTL_HASH_LEN + 1], int *n)
{
	size_t cap = json_object_size(v->coll[CTL_DEPLOYMENTS]) +
		     json_object_size(v->coll[CTL_DAEMONSETS]) + 1;
	struct ctl_api_workload *all = calloc(cap, sizeof(*all));
	int n_dep = 0, n_ds = 0, rc;

	*out = NULL;
	*hashes = NULL;
	*n = 0;
	if (!all)
		return -ENOMEM;
	rc = ctl_api_workloads_of(v, CTL_DEPLOYMENTS, "Deployment", all, &n_dep);
	if (rc == 0)
		rc = ctl_api_workloads_of(v, CTL_DAEMONSETS, "DaemonSet", all + n_dep, &n_ds);
	if (rc == 0) {
		qsort(all, (size_t)n_dep, sizeof(*all), ctl_api_workload_cmp);
		qsort(all + n_dep, (size_t)n_ds, sizeof(*all), ctl_api_workload_cmp);
		*out = calloc(cap, sizeof(**out));
		*hashes = calloc(cap, sizeof(**hashes));
		rc = *out && *hashes ? 0 : -ENOMEM;
	}
	if (rc < 0) {
		free(*out);
		free(*hashes);
		*out = NULL;
		*hashes = NULL;
		free(all);
		return rc;
	}
	for (int i = 0; i < n_dep + n_ds; i++) {
		(*out)[i] = all[i].d;
		memcpy((*hashes)[i], all[i].hash, sizeof(all[i].hash));
	}
	*n = n_dep + n_ds;
	free(all);
	return 0;
}

static int ctl_api_service_cmp(const void *a, const void *b)
{
	const struct model_service *x = a, *y = b;
	int c = strcmp(x->meta.ns, y->meta.ns);

	return c ? c : strcmp(x->meta.name, y->meta.name);
}

int ctl_api_services(const struct ctl_api_view *v, struct model_service **out, int *n)
{
	struct model_service *list = calloc(json_object_size(v->coll[CTL_SERVICES]) + 1,
					    sizeof(*list));
	const char *key;
	json_t *obj;
	int m = 0;

	*out = NULL;
	*n = 0;
	if (!list)
		return -ENOMEM;
	json_object_foreach(v->coll[CTL_SERVICES], key, obj) {
		char err[256];

		if (model_service_from_value(obj, &list[m], err, sizeof(err)) < 0)
			log_warn("Service %s: %s", key, err);
		else
			m++;
	}
	qsort(list, (size_t)m, sizeof(*list), ctl_api_service_cmp);
	*out = list;
	*n = m;
	return 0;
}

/* One request with the body's content type given. */
static int ctl_api_request(struct ctl *c, const char *method, const char *path,
			   const char *content_type, const json_t *body, const char *what,
			   int quiet, enum ctl_coll k, json_t **answer)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL, err[200];
	struct buf b = BUF_INIT;
	json_t *got = NULL;
	int code;

	if (answer)
		*answer = NULL;
	if (body && !text)
		return -1;
	code = apiclient_request(c->api, method, path, body ? content_type : NULL, text,
				 text ? strlen(text) : 0, &b, err, sizeof(err));
	if (code < 0)
		log_warn("%s: %s", what, err);
	else if ((code < 200 || code >= 300) && code != quiet)
		log_warn("%s: %s %s: HTTP %d: %.200s", what, method, path, code, buf_str(&b));
	if (code >= 200 && code < 300 && (answer || k != CTL_COLL_COUNT))
		got = json_loadb(buf_str(&b), b.len, 0, NULL);
	if (got && k != CTL_COLL_COUNT) {
		uint64_t n = apiobj_rv(got);

		if (n > c->wrote_rv[k])
			c->wrote_rv[k] = n;
	}
	if (answer)
		*answer = got;
	else
		json_decref(got);
	free(text);
	buf_free(&b);
	return code;
}

int ctl_api_send_quiet(struct ctl *c, const char *method, const char *path,
		       const char *content_type, const json_t *body, const char *what, int quiet)
{
	return ctl_api_request(c, method, path, content_type, body, what, quiet, CTL_COLL_COUNT,
			       NULL);
}

int ctl_api_call(struct ctl *c, const char *method, const char *path, const json_t *body,
		 const char *what, int quiet, enum ctl_coll k, json_t **answer)
{
	return ctl_api_request(c, method, path, strcmp(method, "PATCH") == 0
			       ? "application/merge-patch+json" : "application/json", body, what,
			       quiet, k, answer);
}

int ctl_api_send(struct ctl *c, const char *method, const char *path, const char *content_type,
		 const json_t *body, const char *what)
{
	return ctl_api_send_quiet(c, method, path, content_type, body, what, 0);
}

/* Whether a and b hold the same value at key (both without it too). */
static bool ctl_api_same(const json_t *a, const json_t *b, const char *key)
{
	const json_t *x = json_object_get(a, key), *y = json_object_get(b, key);

	return (!x && !y) || (x && y && json_equal(x, y));
}

int ctl_api_ensure(struct ctl *c, const struct ctl_api_view *v, enum ctl_coll k,
		   const char *coll_path, const json_t *want, const char *const *fields)
{
	const json_t *wmd = json_object_get(want, "metadata"), *held, *hmd;
	char key[2 * MODEL_NAME_MAX + 2], path[LAB_PATH_MAX], what[2 * MODEL_NAME_MAX + 32];
	json_t *body;
	bool same;
	int code;

	ctl_api_key(want, key, sizeof(key));
	snprintf(what, sizeof(what), "%s %s", ctl_colls[k].what, key);
	held = json_object_get(v->coll[k], key);
	hmd = json_object_get(held, "metadata");
	same = held && ctl_api_same(wmd, hmd, "labels") &&
	       ctl_api_same(wmd, hmd, "ownerReferences");
	for (int i = 0; same && fields[i]; i++)
		same = ctl_api_same(want, held, fields[i]);
	if (same)
		return 0;
	/* 409 is the watch running behind this controller's own writes: the
	 * object was created, or changed, after the view was taken. The
	 * watch brings it, and the pass it wakes compares again. */
	if (!held) {
		code = ctl_api_send_quiet(c, "POST", coll_path, "application/json", want, what,
					  409);
		return code == 201 || code == 200 ? 1 : -EIO;
	}
	/* The server's copy with what the controller owns replaced: its
	 * resourceVersion makes the write fail (409) rather than undo a
	 * change made meanwhile. */
	body = json_deep_copy(held);
	if (!body)
		return -ENOMEM;
	json_object_set(json_object_get(body, "metadata"), "labels",
			json_object_get(wmd, "labels"));
	if (json_object_get(wmd, "ownerReferences"))
		json_object_set(json_object_get(body, "metadata"), "ownerReferences",
				json_object_get(wmd, "ownerReferences"));
	else
		json_object_del(json_object_get(body, "metadata"), "ownerReferences");
	for (int i = 0; fields[i]; i++) {
		if (json_object_get(want, fields[i]))
			json_object_set(body, fields[i], json_object_get(want, fields[i]));
		else
			json_object_del(body, fields[i]);
	}
	snprintf(path, sizeof(path), "%s/%s", coll_path,
		 json_string_value(json_object_get(wmd, "name")) ?: "");
	code = ctl_api_send_quiet(c, "PUT", path, "application/json", body, what, 409);
	json_decref(body);
	return code == 200 ? 1 : -EIO;
}

static int ctl_api_event_send(void *ctx, const char *method, const char *path,
			      const char *content_type, json_t *body)
{
	return ctl_api_send(ctx, method, path, content_type, body, "event");
}

void ctl_api_event(struct ctl *c, const char *ns, const char *api_version, const char *kind,
		   const char *name, const char *uid, const char *type, const char *reason,
		   const char *message, const char *component)
{
	json_t *ev = apiobj_event_new(ns, api_version, kind, ns, name, uid, type, reason, message,
				      component);

	if (ev)
		apiobj_event_record(&c->events, ev, ctl_api_event_send, c);
	json_decref(ev);
}

void ctl_api_pod_event(struct ctl *c, const struct model_pod *pod, const char *type,
		       const char *reason, const char *message, const char *component)
{
	ctl_api_event(c, pod->meta.ns, "v1", "Pod", pod->meta.name, pod->meta.uid, type, reason,
		      message, component);
}

int ctl_api_delete(struct ctl *c, const char *path, const char *what)
{
	struct buf b = BUF_INIT;
	char err[200];
	int code = apiclient_request(c->api, "DELETE", path, NULL, NULL, 0, &b, err, sizeof(err));

	if (code < 0)
		log_warn("%s: %s", what, err);
	else if (code != 200 && code != 202 && code != 404)
		log_warn("%s: DELETE %s: HTTP %d: %.200s", what, path, code, buf_str(&b));
	buf_free(&b);
	return code == 200 || code == 202 || code == 404 ? 0 : -EIO;
}

int ctl_api_put_status(struct ctl *c, const struct ctl_api_view *v,
		       const struct model_deployment_status *st)
{
	enum ctl_coll k = st->daemon_set ? CTL_DAEMONSETS : CTL_DEPLOYMENTS;
	char key[2 * MODEL_NAME_MAX + 2], path[3 * MODEL_NAME_MAX + 64], what[3 * MODEL_NAME_MAX];
	const json_t *obj, *held;
	json_t *mine = NULL, *patch = NULL, *doc, *v2;
	const char *f;
	int code, rc = -ENOMEM;

	snprintf(key, sizeof(key), "%s/%s", st->ns, st->name);
	obj = json_object_get(v->coll[k], key);
	if (!obj)
		return 0;   /* gone meanwhile: its status goes with it */
	held = json_object_get(obj, "status");
	doc = model_deployment_status_to_value(st);
	mine = json_incref(json_object_get(doc, "status"));
	json_decref(doc);
	if (!mine)
		goto out;
	if (json_equal(mine, held)) {
		rc = 0;
		goto out;
	}
	/* A merge patch keeps what it does not name: what the controller no
	 * longer reports is removed by name. */
	patch = json_deep_copy(mine);
	json_object_foreach((json_t *)held, f, v2)
		if (!json_object_get(patch, f))
			json_object_set_new(patch, f, json_null());
	v2 = json_pack("{s:o}", "status", patch);
	patch = NULL;
	if (!v2)
		goto out;
	snprintf(path, sizeof(path), "/apis/apps/v1/namespaces/%s/%s/%s/status", st->ns,
		 st->daemon_set ? "daemonsets" : "deployments", st->name);
	snprintf(what, sizeof(what), "%s %s: status", st->daemon_set ? "daemonset" : "deployment",
		 key);
	code = ctl_api_send(c, "PATCH", path, "application/merge-patch+json", v2, what);
	json_decref(v2);
	/* 404: gone meanwhile, its status with it. */
	rc = code == 200 ? 1 : code == 404 ? 0 : -EIO;
out:
	json_decref(patch);
	json_decref(mine);
	return rc;
}

int ctl_api_open(struct ctl *c)
{
	char sock[LAB_PATH_MAX + 32];

	snprintf(sock, sizeof(sock), "%s/apiserver.sock", c->statedir);
	c->api = apiclient_new(sock);
	if (!c->api)
		return -ENOMEM;
	apiclient_set_timeout(c->api, CTL_API_TIMEOUT_MS);
	return 0;
}

int ctl_api_watch(struct ctl *c, apiwatch_change_cb *on_change, void *data)
{
	char sock[LAB_PATH_MAX + 32];

	snprintf(sock, sizeof(sock), "%s/apiserver.sock", c->statedir);
	for (int k = 0; k < CTL_COLL_COUNT; k++) {
		c->w[k] = apiwatch_new(c->loop, sock, ctl_colls[k].path, ctl_colls[k].what,
				       on_change, data);
		if (!c->w[k])
			return -ENOMEM;
	}
	for (int k = 0; k < CTL_COLL_COUNT; k++)
		apiwatch_start(c->w[k]);
	return 0;
}

void ctl_api_close(struct ctl *c)
{
	for (int k = 0; k < CTL_COLL_COUNT; k++) {
		apiwatch_free(c->w[k]);
		c->w[k] = NULL;
	}
	apiclient_free(c->api);
	c->api = NULL;
}
