/* api_lab.c — the API server in front of a running lab.
 *
 * The lab's controller and the node agents' kubelet half still share pods
 * and their status as files (docs/STATE.md): the controller writes
 * api/pods from what it reads of the API (Deployments, DaemonSets,
 * Services, Nodes), the agents run the pods and write status/pods. Until
 * they exchange pods through the API, this module reads those files back
 * into API objects after every change (Pods, and the ReplicaSets derived
 * from them), so that kubectl sees the lab as it is.
 *
 * Pods and ReplicaSets are therefore the lab's:
 * a client may read and watch them but not write them (405), as only the
 * lab's controller and agents may. Files are compared with API objects
 * through the lab's model (lib/model.h), so what the API adds (defaults,
 * annotations such as kubectl's last-applied configuration, fields the lab
 * does not use) is kept, and a round trip changes nothing. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_json.h"
#include "api_patch.h"
#include "api_server.h"
#include "apiobj.h"
#include "buf.h"
#include "jsonw.h"
#include "lab.h"
#include "log.h"
#include "store.h"
#include "watch.h"

#define API_LAB_DEBOUNCE_MS 10
#define API_LAB_RESYNC_MS   2000

/* ---- model <-> JSON --------------------------------------------------------- */

/* The lab's JSON of a model object (and its status, for the kinds whose
 * status the lab keeps apart), as a jansson value. */
typedef void api_lab_emit_fn(struct jsonw *w, const void *obj, const void *status);

static json_t *api_lab_to_json(api_lab_emit_fn *emit, const void *obj, const void *status)
{
	struct buf b = { 0 };
	struct jsonw w;
	json_t *v;

	jsonw_init(&w, &b, false);
	emit(&w, obj, status);
	v = json_loadb(buf_str(&b), b.len, 0, NULL);
	buf_free(&b);
	return v;
}

static void api_lab_emit_pod(struct jsonw *w, const void *o, const void *st)
{
	model_pod_to_json(w, o, st);
}

/* ---- files -> API ---------------------------------------------------------------- */

static const struct api_resource *api_lab_res(const char *group, const char *resource)
{
	return api_registry_find(group, "v1", resource);
}

static void api_lab_put(struct api_server *s, const struct api_resource *r, json_t *obj)
{
	char err[256];

	if (api_objects_put(s->objects, r, obj, err, sizeof(err)) < 0)
		log_warn("%s: %s", r->resource, err);
}

/* Namespaces that objects in the lab's files use exist in the API too. */
static void api_lab_ensure_namespace(struct api_server *s, const char *ns)
{
	const struct api_resource *r = api_lab_res("", "namespaces");
	json_t *obj, *st;

	if (!ns[0] || api_objects_get(s->objects, r, "", ns))
		return;
	obj = json_pack("{s:{s:s}}", "metadata", "name", ns);
	st = api_admit(s, r, API_ADMIT_CREATE, "", NULL, obj);
	if (st) {
		json_decref(st);
		json_decref(obj);
		return;
	}
	api_lab_put(s, r, obj);
}

/* Gives obj (stolen) the identity of the API object it replaces, or a new
 * one, and stores it if it differs from cur. */
static void api_lab_mirror(struct api_server *s, const struct api_resource *r, json_t *cur,
			   json_t *obj)
{
	json_t *meta = json_object_get(obj, "metadata"), *a, *b;
	const json_t *cm = json_object_get(cur, "metadata");
	char uid[40], now[32];
	bool same;

	if (cur) {
		json_object_set(meta, "uid", json_object_get(cm, "uid"));
		json_object_set(meta, "creationTimestamp", json_object_get(cm, "creationTimestamp"));
	} else {
		if (!json_string_value(json_object_get(meta, "uid"))) {
			model_uid_new(uid);
			json_object_set_new(meta, "uid", json_string(uid));
		}
		if (!json_string_value(json_object_get(meta, "creationTimestamp"))) {
			api_now_rfc3339(now);
			json_object_set_new(meta, "creationTimestamp", json_string(now));
		}
	}
	a = json_deep_copy(cur);
	json_object_del(json_object_get(a, "metadata"), "resourceVersion");
	b = json_deep_copy(obj);
	json_object_del(json_object_get(b, "metadata"), "resourceVersion");
	same = cur && json_equal(a, b);
	json_decref(a);
	json_decref(b);
	if (same)
		json_decref(obj);
	else
		api_lab_put(s, r, obj);
}

/* Removes API objects of r that the files no longer have. */
static void api_lab_prune(struct api_server *s, const struct api_resource *r, json_t *seen)
{
	json_t *all = api_objects_list(s->objects, r, NULL), *obj;
	size_t i;

	json_array_foreach(all, i, obj) {
		const json_t *m = json_object_get(obj, "metadata");
		char key[600];
		snprintf(key, sizeof(key), "%s/%s", json_string_value(json_object_get(m,
			 "namespace")) ?: "", json_string_value(json_object_get(m, "name")) ?: "");
		if (!json_object_get(seen, key))
			api_objects_remove(s->objects, r, json_string_value(json_object_get(m,
					   "namespace")) ?: "", json_string_value(json_object_get(m,
					   "name")) ?: "");
	}
	json_decref(all);
}

static void api_lab_seen(json_t *seen, const json_t *obj)
{
	const json_t *m = json_object_get(obj, "metadata");
	char key[600];

	snprintf(key, sizeof(key), "%s/%s", json_string_value(json_object_get(m, "namespace")) ?: "",
		 json_string_value(json_object_get(m, "name")) ?: "");
	json_object_set_new(seen, key, json_true());
}

/* The lab's pods with their statuses, read once per import. */
struct api_lab_pods {
	struct model_pod *pods;
	struct model_pod_status *sts;
	const struct model_pod_status **st_of;   /* per pod, NULL if none yet */
	int n, nst;
};

static int api_lab_pods_load(struct api_server *s, struct api_lab_pods *p)
{
	char err[256];

	memset(p, 0, sizeof(*p));
	if (store_list_pods(s->statedir, NULL, &p->pods, &p->n, err, sizeof(err)) < 0 ||
	    store_list_pod_statuses(s->statedir, &p->sts, &p->nst, err, sizeof(err)) < 0) {
		log_warn("lab state: %s", err);
		return -1;
	}
	p->st_of = calloc((size_t)p->n + 1, sizeof(*p->st_of));
	if (!p->st_of)
		return -1;
	for (int i = 0; i < p->n; i++)
		for (int j = 0; j < p->nst; j++)
			if (!strcmp(p->sts[j].ns, p->pods[i].meta.ns) &&
			    !strcmp(p->sts[j].name, p->pods[i].meta.name) &&
			    (!p->sts[j].uid[0] || !strcmp(p->sts[j].uid, p->pods[i].meta.uid)))
				p->st_of[i] = &p->sts[j];
	return 0;
}

static void api_lab_pods_free(struct api_lab_pods *p)
{
	free(p->pods);
	free(p->sts);
	free(p->st_of);
}

/* The ReplicaSet a pod of a Deployment belongs to: "<deployment>-<hash>". */
static void api_lab_rs_name(const char *deployment, const char *hash, char *out, size_t len)
{
	snprintf(out, len, "%s-%s", deployment, hash);
}

/* The Event the pod's owner (a ReplicaSet or DaemonSet controller) records
 * for a pod the lab's controller made, from its state before (NULL if new)
 * and after. (The scheduler's and the kubelet's are their own.) */
static void api_lab_pod_events(struct api_server *s, const json_t *before, const json_t *after,
			       const json_t *owner)
{
	if (!after)
		return;
	if (!before && owner)
		api_event_record(s, owner, "Normal", "SuccessfulCreate",
				 strcmp(json_string_value(json_object_get(owner, "kind")) ?: "",
					"DaemonSet") == 0 ? "daemonset-controller"
							  : "replicaset-controller",
				 "Created pod: %s", api_json_meta(after, "name"));
}

static void api_lab_import_pods(struct api_server *s, const struct api_lab_pods *p)
{
	const struct api_resource *r = api_lab_res("", "pods");
	const struct api_resource *rsr = api_lab_res("apps", "replicasets");
	const struct api_resource *dsr = api_lab_res("apps", "daemonsets");
	json_t *seen = json_object();

	for (int i = 0; i < p->n; i++) {
		const struct model_pod *pod = &p->pods[i];
		json_t *obj = api_lab_to_json(api_lab_emit_pod, pod, p->st_of[i]), *owner, *cur;
		char owner_name[160];

		if (!obj)
			continue;
		if (!p->st_of[i])
			json_object_set_new(json_object_get(obj, "status"), "phase",
					    json_string("Pending"));
		/* Owned by its ReplicaSet, as a Deployment's pods are, or by
		 * its DaemonSet. */
		if (pod->daemon_set)
			snprintf(owner_name, sizeof(owner_name), "%s", pod->owner);
		else
			api_lab_rs_name(pod->owner, pod->template_hash, owner_name,
					sizeof(owner_name));
		owner = pod->owner[0] ? api_objects_get(s->objects, pod->daemon_set ? dsr : rsr,
						     pod->meta.ns, owner_name) : NULL;
		if (owner)
			json_object_set_new(json_object_get(obj, "metadata"), "ownerReferences",
					    json_pack("[{s:s, s:s, s:s, s:s, s:b, s:b}]",
						      "apiVersion", "apps/v1", "kind",
						      pod->daemon_set ? "DaemonSet" : "ReplicaSet",
						      "name", owner_name, "uid", api_json_meta(owner, "uid"),
						      "controller", 1, "blockOwnerDeletion", 1));
		api_lab_ensure_namespace(s, pod->meta.ns);
		api_lab_seen(seen, obj);
		cur = api_objects_get(s->objects, r, pod->meta.ns, pod->meta.name);
		if (cur)
			json_incref(cur);
		api_lab_mirror(s, r, cur, obj);
		api_lab_pod_events(s, cur, api_objects_get(s->objects, r, pod->meta.ns,
							   pod->meta.name), owner);
		json_decref(cur);
	}
	api_lab_prune(s, r, seen);
	json_decref(seen);
}

/* Pods of a Deployment's template hash: all, ready, and not being deleted. */
static void api_lab_count(const struct api_lab_pods *p, const char *ns, const char *owner,
			  const char *hash, int *all, int *ready, int *live)
{
	*all = *ready = *live = 0;
	for (int i = 0; i < p->n; i++) {
		const struct model_pod *pod = &p->pods[i];
		if (pod->daemon_set || strcmp(pod->meta.ns, ns) || strcmp(pod->owner, owner) ||
		    strcmp(pod->template_hash, hash))
			continue;
		(*all)++;
		if (!pod->meta.deleting[0]) {
			(*live)++;
			if (p->st_of[i] && p->st_of[i]->ready)
				(*ready)++;
		}
	}
}

/* A new ReplicaSet for a Deployment's current template, as the Deployment
 * controller makes it: the template with pod-template-hash added to its
 * labels and to the selector, the next revision, owned by the Deployment. */
static json_t *api_lab_rs_new(const json_t *dep, const char *hash, long revision)
{
	json_t *tmpl = json_deep_copy(api_json_path(dep, "spec.template"));
	json_t *sel = json_deep_copy(api_json_path(dep, "spec.selector"));
	json_t *labels, *rs;
	char name[160], rev[24];

	if (!json_is_object(tmpl) || !json_is_object(sel)) {
		json_decref(tmpl);
		json_decref(sel);
		return NULL;
	}
	labels = json_object_get(json_object_get(tmpl, "metadata"), "labels");
	if (json_is_object(labels))
		json_object_set_new(labels, "pod-template-hash", json_string(hash));
	if (!json_is_object(json_object_get(sel, "matchLabels")))
		json_object_set_new(sel, "matchLabels", json_object());
	json_object_set_new(json_object_get(sel, "matchLabels"), "pod-template-hash",
			    json_string(hash));
	api_lab_rs_name(api_json_meta(dep, "name"), hash, name, sizeof(name));
	snprintf(rev, sizeof(rev), "%ld", revision);
	rs = json_pack("{s:s, s:s, s:{s:s, s:s, s:O?, s:{s:s}, s:[{s:s, s:s, s:s, s:s, s:b, s:b}]},"
		       " s:{s:i, s:o, s:o}}",
		       "apiVersion", "apps/v1", "kind", "ReplicaSet",
		       "metadata", "name", name, "namespace", api_json_meta(dep, "namespace"),
		       "labels", labels,
		       "annotations", "deployment.kubernetes.io/revision", rev,
		       "ownerReferences", "apiVersion", "apps/v1", "kind", "Deployment",
		       "name", api_json_meta(dep, "name"), "uid", api_json_meta(dep, "uid"),
		       "controller", 1, "blockOwnerDeletion", 1,
		       "spec", "replicas", 0, "selector", sel, "template", tmpl);
	return rs;
}

static long api_lab_revision(const json_t *obj)
{
	const char *r = json_string_value(json_object_get(json_object_get(json_object_get(obj,
		"metadata"), "annotations"), "deployment.kubernetes.io/revision"));

	return r ? strtol(r, NULL, 10) : 0;
}

/* ReplicaSets from the lab's Deployments and pods. The lab's controller
 * makes pods straight from a Deployment, labelled with the template's
 * hash; each hash is one ReplicaSet here, kept after its pods are gone
 * (up to revisionHistoryLimit), so that `rollout history` and `rollout
 * undo` find the templates of earlier revisions. */
static void api_lab_import_replicasets(struct api_server *s, const struct api_lab_pods *p)
{
	const struct api_resource *dr = api_lab_res("apps", "deployments");
	const struct api_resource *rr = api_lab_res("apps", "replicasets");
	json_t *deps = api_objects_list(s->objects, dr, NULL), *all_rs, *dep, *rs;
	size_t i, j;

	json_array_foreach(deps, i, dep) {
		const char *ns = api_json_meta(dep, "namespace"), *name = api_json_meta(dep, "name");
		/* The template the controller rolls towards, as its status says. */
		const char *target = json_string_value(api_json_path(dep, "status.podTemplateHash"));
		long top = 0, current_rev = 0;
		json_t *mine = json_array(), *cur = NULL, *next;
		char rsname[160];

		all_rs = api_objects_list(s->objects, rr, ns);
		json_array_foreach(all_rs, j, rs) {
			const json_t *ref = json_array_get(api_json_path(rs, "metadata.ownerReferences"),
							   0);
			if (strcmp(json_string_value(json_object_get(ref, "uid")) ?: "",
				   api_json_meta(dep, "uid")) == 0) {
				json_array_append(mine, rs);
				if (api_lab_revision(rs) > top)
					top = api_lab_revision(rs);
			}
		}
		json_decref(all_rs);
		if (target && target[0]) {
			api_lab_rs_name(name, target, rsname, sizeof(rsname));
			cur = api_objects_get(s->objects, rr, ns, rsname);
			if (!cur && (next = api_lab_rs_new(dep, target, top + 1))) {
				json_t *stc = api_admit(s, rr, API_ADMIT_CREATE, ns, NULL, next);
				if (stc) {
					json_decref(stc);
					json_decref(next);
				} else {
					api_lab_put(s, rr, next);
					cur = next;
					json_array_append(mine, cur);
				}
			}
			/* A template that comes back (rollout undo) takes the
			 * next revision, as its ReplicaSet does in Kubernetes. */
			if (cur && api_lab_revision(cur) < top) {
				char rev[24];
				json_t *bumped = json_deep_copy(cur);
				snprintf(rev, sizeof(rev), "%ld", top + 1);
				json_object_set_new(json_object_get(json_object_get(bumped, "metadata"),
								     "annotations"),
						    "deployment.kubernetes.io/revision", json_string(rev));
				api_lab_put(s, rr, bumped);
				for (size_t k = 0; k < json_array_size(mine); k++)
					if (json_array_get(mine, k) == cur)
						json_array_set(mine, k, bumped);
				cur = bumped;
			}
			current_rev = cur ? api_lab_revision(cur) : 0;
		}
		/* Replicas and status of each, and old ones beyond the
		 * history limit go. */
		json_array_foreach(mine, j, rs) {
			const char *hash = json_string_value(api_json_path(rs,
				"spec.selector.matchLabels.pod-template-hash")) ?: "";
			long limit = json_integer_value(api_json_path(dep, "spec.revisionHistoryLimit"));
			int all, ready, live;
			json_t *copy;

			api_lab_count(p, ns, name, hash, &all, &ready, &live);
			if (rs != cur && all == 0 && current_rev - api_lab_revision(rs) > limit) {
				api_objects_remove(s->objects, rr, ns, api_json_meta(rs, "name"));
				continue;
			}
			copy = json_deep_copy(rs);
			json_object_set_new(json_object_get(copy, "spec"), "replicas",
					    json_integer(rs == cur ?
							 json_integer_value(api_json_path(dep,
								"spec.replicas")) : live));
			/* Terminating pods are not the ReplicaSet's any more: the
			 * ReplicaSet controller counts active pods only. */
			json_object_set_new(copy, "status", json_pack("{s:i, s:i, s:i, s:i, s:I}",
				"replicas", live, "fullyLabeledReplicas", live, "readyReplicas", ready,
				"availableReplicas", ready, "observedGeneration",
				json_integer_value(api_json_path(rs, "metadata.generation"))));
			{
				json_int_t from = json_integer_value(api_json_path(rs, "spec.replicas"));
				json_int_t to = json_integer_value(api_json_path(copy, "spec.replicas"));
				bool fresh = !api_json_path(rs, "status");
				if (from != to || (fresh && to > 0))
					api_event_record(s, dep, "Normal", "ScalingReplicaSet",
							 "deployment-controller",
							 "Scaled %s replica set %s to %lld from %lld",
							 to > from || fresh ? "up" : "down",
							 api_json_meta(rs, "name"), (long long)to,
							 (long long)(fresh ? 0 : from));
			}
			api_lab_mirror(s, rr, rs, copy);
		}
		/* kubectl reads the Deployment's revision from this annotation. */
		if (current_rev) {
			char rev[24];
			json_t *d = json_deep_copy(dep);
			json_t *ann = json_object_get(json_object_get(d, "metadata"), "annotations");
			snprintf(rev, sizeof(rev), "%ld", current_rev);
			if (!json_is_object(ann)) {
				ann = json_object();
				json_object_set_new(json_object_get(d, "metadata"), "annotations", ann);
			}
			json_object_set_new(ann, "deployment.kubernetes.io/revision", json_string(rev));
			api_lab_mirror(s, dr, dep, d);
		}
		json_decref(mine);
	}
	/* ReplicaSets whose Deployment is gone go with it. */
	all_rs = api_objects_list(s->objects, rr, NULL);
	json_array_foreach(all_rs, j, rs) {
		const json_t *ref = json_array_get(api_json_path(rs, "metadata.ownerReferences"), 0);
		const char *owner = json_string_value(json_object_get(ref, "name")) ?: "";
		json_t *d = api_objects_get(s->objects, dr, api_json_meta(rs, "namespace"), owner);
		if (!d || strcmp(api_json_meta(d, "uid"),
				 json_string_value(json_object_get(ref, "uid")) ?: ""))
			api_objects_remove(s->objects, rr, api_json_meta(rs, "namespace"),
					   api_json_meta(rs, "name"));
	}
	json_decref(all_rs);
	json_decref(deps);
}

static void api_lab_import(struct api_server *s)
{
	struct api_lab_pods pods;

	s->lab_importing = true;
	if (api_lab_pods_load(s, &pods) == 0) {
		api_lab_import_replicasets(s, &pods);
		api_lab_import_pods(s, &pods);
	}
	api_lab_pods_free(&pods);
	api_events_expire(s);
	s->lab_importing = false;
}

static void api_lab_on_change(struct watch *w, void *data)
{
	(void)w;
	api_lab_import(data);
}

bool api_lab_owns(const struct api_server *s, const struct api_resource *r)
{
	static const char *const lab_kinds[] = { "Pod", "ReplicaSet" };

	if (!s->lab_watch)
		return false;
	for (size_t i = 0; i < sizeof(lab_kinds) / sizeof(lab_kinds[0]); i++)
		if (strcmp(r->kind, lab_kinds[i]) == 0)
			return true;
	return false;
}

int api_lab_start(struct api_server *s, char *err, size_t errlen)
{
	static const char *const dirs[] = {
		"api/pods", "status/pods", NULL,
	};
	static const char *const builtin[] = { "default", "kube-system", "kube-public",
					       "kube-node-lease" };
	int rc = store_init(s->statedir);

	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", s->statedir, strerror(-rc));
		return -1;
	}
	s->lab_importing = true;
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		api_lab_ensure_namespace(s, builtin[i]);
	s->lab_importing = false;
	s->lab_watch = watch_new(s->loop, s->statedir, dirs, API_LAB_DEBOUNCE_MS, API_LAB_RESYNC_MS,
				 api_lab_on_change, s, err, errlen);
	if (!s->lab_watch)
		return -1;
	api_lab_import(s);
	return 0;
}

void api_lab_stop(struct api_server *s)
{
	watch_free(s->lab_watch);
	s->lab_watch = NULL;
}
