/* ctl_replicaset.c — a Deployment's ReplicaSets, as the Deployment and
 * ReplicaSet controllers keep them (ctl.h).
 *
 * One ReplicaSet per pod template, named "<deployment>-<pod-template-hash>":
 * the template with pod-template-hash added to its labels and selector,
 * owned by the Deployment, its revision in the
 * deployment.kubernetes.io/revision annotation. The current template's
 * ReplicaSet holds the Deployment's replicas, an old one its pods still
 * alive, so `kubectl get rs` reads like a cluster's during a rollout. Old
 * ones without pods stay up to revisionHistoryLimit, so that `rollout
 * history` and `rollout undo` find the templates of earlier revisions.
 */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define CTL_RS_REVISION "deployment.kubernetes.io/revision"

static const char *ctl_rs_str(const json_t *obj, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(obj, a), b)) ?: "";
}

static long ctl_rs_revision(const json_t *obj)
{
	const char *r = json_string_value(json_object_get(json_object_get(json_object_get(obj,
		"metadata"), "annotations"), CTL_RS_REVISION));

	return r ? strtol(r, NULL, 10) : 0;
}

static const char *ctl_rs_hash(const json_t *rs)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(json_object_get(
		rs, "spec"), "selector"), "matchLabels"), "pod-template-hash")) ?: "";
}

void ctl_rs_name(const char *deployment, const char *hash, char out[2 * MODEL_NAME_MAX])
{
	snprintf(out, 2 * MODEL_NAME_MAX, "%s-%s", deployment, hash);
}

const char *ctl_rs_uid(const struct ctl_api_view *v, const json_t *made, const char *ns,
		       const char *name)
{
	char key[3 * MODEL_NAME_MAX];
	const json_t *rs;

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	rs = json_object_get(made, key);
	if (!rs)
		rs = json_object_get(v->coll[CTL_REPLICASETS], key);
	return json_string_value(json_object_get(json_object_get(rs, "metadata"), "uid"));
}

/* The ReplicaSets whose controller is the Deployment with this uid: from
 * the view, with the pass's own writes (made, "ns/name" -> object) in
 * their place. A new array. */
static json_t *ctl_rs_of(const struct ctl_api_view *v, const json_t *made, const char *uid)
{
	json_t *mine = json_array(), *rs;
	const char *key;

	json_object_foreach(v->coll[CTL_REPLICASETS], key, rs) {
		const json_t *ref = json_array_get(json_object_get(json_object_get(rs, "metadata"),
								   "ownerReferences"), 0);
		if (strcmp(json_string_value(json_object_get(ref, "uid")) ?: "", uid) != 0 ||
		    json_object_get(made, key))
			continue;
		json_array_append(mine, rs);
	}
	json_object_foreach((json_t *)made, key, rs) {
		const json_t *ref = json_array_get(json_object_get(json_object_get(rs, "metadata"),
								   "ownerReferences"), 0);
		if (strcmp(json_string_value(json_object_get(ref, "uid")) ?: "", uid) == 0)
			json_array_append(mine, rs);
	}
	return mine;
}

/* A new ReplicaSet for the Deployment's template as the Deployment
 * controller makes it, with no replicas yet. */
static json_t *ctl_rs_new(const json_t *dep, const char *hash, long revision)
{
	json_t *tmpl = json_deep_copy(json_object_get(json_object_get(dep, "spec"), "template"));
	json_t *sel = json_deep_copy(json_object_get(json_object_get(dep, "spec"), "selector"));
	json_t *md, *labels;
	char name[2 * MODEL_NAME_MAX], rev[24];

	if (!json_is_object(tmpl) || !json_is_object(sel)) {
		json_decref(tmpl);
		json_decref(sel);
		return NULL;
	}
	md = json_object_get(tmpl, "metadata");
	if (!json_is_object(md)) {
		md = json_object();
		json_object_set_new(tmpl, "metadata", md);
	}
	labels = json_object_get(md, "labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(md, "labels", labels);
	}
	json_object_set_new(labels, "pod-template-hash", json_string(hash));
	if (!json_is_object(json_object_get(sel, "matchLabels")))
		json_object_set_new(sel, "matchLabels", json_object());
	json_object_set_new(json_object_get(sel, "matchLabels"), "pod-template-hash",
			    json_string(hash));
	ctl_rs_name(ctl_rs_str(dep, "metadata", "name"), hash, name);
	snprintf(rev, sizeof(rev), "%ld", revision);
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:O, s:{s:s}, s:[{s:s, s:s, s:s, s:s, s:b, s:b}]},"
			 " s:{s:i, s:o, s:o}}",
			 "apiVersion", "apps/v1", "kind", "ReplicaSet",
			 "metadata", "name", name, "namespace", ctl_rs_str(dep, "metadata",
									  "namespace"),
			 "labels", labels,
			 "annotations", CTL_RS_REVISION, rev,
			 "ownerReferences", "apiVersion", "apps/v1", "kind", "Deployment",
			 "name", ctl_rs_str(dep, "metadata", "name"),
			 "uid", ctl_rs_str(dep, "metadata", "uid"),
			 "controller", 1, "blockOwnerDeletion", 1,
			 "spec", "replicas", 0, "selector", sel, "template", tmpl);
}

/* Sets the revision annotation of obj (a ReplicaSet or its Deployment)
 * when it differs. The answer, or NULL. */
static json_t *ctl_rs_set_revision(struct ctl *c, const json_t *obj, const char *coll,
				   enum ctl_coll k, long revision)
{
	char path[3 * MODEL_NAME_MAX + 64], what[3 * MODEL_NAME_MAX], rev[24];
	json_t *patch, *answer = NULL;

	if (ctl_rs_revision(obj) == revision)
		return NULL;
	snprintf(rev, sizeof(rev), "%ld", revision);
	snprintf(path, sizeof(path), "/apis/apps/v1/namespaces/%s/%s/%s",
		 ctl_rs_str(obj, "metadata", "namespace"), coll, ctl_rs_str(obj, "metadata", "name"));
	snprintf(what, sizeof(what), "%s %s/%s", coll, ctl_rs_str(obj, "metadata", "namespace"),
		 ctl_rs_str(obj, "metadata", "name"));
	patch = json_pack("{s:{s:{s:s}}}", "metadata", "annotations", CTL_RS_REVISION, rev);
	if (patch)
		ctl_api_call(c, "PATCH", path, patch, what, 0, k, &answer);
	json_decref(patch);
	return answer;
}

const char *ctl_rs_current(struct ctl *c, const struct ctl_api_view *v, json_t *made,
			   const char *ns, const char *deployment, const char *hash)
{
	char key[3 * MODEL_NAME_MAX], name[2 * MODEL_NAME_MAX], path[4 * MODEL_NAME_MAX];
	const json_t *dep;
	json_t *mine, *cur, *rs, *answer;
	long top = 0;
	size_t i;

	snprintf(key, sizeof(key), "%s/%s", ns, deployment);
	dep = json_object_get(v->coll[CTL_DEPLOYMENTS], key);
	if (!dep)
		return NULL;
	mine = ctl_rs_of(v, made, ctl_rs_str(dep, "metadata", "uid"));
	json_array_foreach(mine, i, rs)
		if (ctl_rs_revision(rs) > top)
			top = ctl_rs_revision(rs);
	json_decref(mine);
	ctl_rs_name(deployment, hash, name);
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	cur = json_object_get(made, key);
	if (!cur)
		cur = json_object_get(v->coll[CTL_REPLICASETS], key);
	if (!cur) {
		json_t *want = ctl_rs_new(dep, hash, top + 1);
		char what[4 * MODEL_NAME_MAX];
		int code;

		if (!want)
			return NULL;
		snprintf(path, sizeof(path), "/apis/apps/v1/namespaces/%s/replicasets", ns);
		snprintf(what, sizeof(what), "replicaset %s", key);
		code = ctl_api_call(c, "POST", path, want, what, 0, CTL_REPLICASETS, &answer);
		json_decref(want);
		if (code != 201 || !answer) {
			json_decref(answer);
			return NULL;
		}
		log_info("replicaset %s: created (revision %ld)", key, top + 1);
		json_object_set_new(made, key, answer);
		cur = answer;
	} else if (ctl_rs_revision(cur) < top) {
		/* A template that comes back (rollout undo) takes the next
		 * revision, as its ReplicaSet does in Kubernetes. */
		answer = ctl_rs_set_revision(c, cur, "replicasets", CTL_REPLICASETS, top + 1);
		if (answer) {
			json_object_set_new(made, key, answer);
			cur = answer;
		}
	}
	return ctl_rs_str(cur, "metadata", "uid")[0] ? ctl_rs_str(cur, "metadata", "uid") : NULL;
}

/* The Event the Deployment controller records when it scales one. */
static void ctl_rs_scaled(struct ctl *c, const json_t *dep, const json_t *rs, json_int_t from,
			  json_int_t to)
{
	char msg[3 * MODEL_NAME_MAX + 64];

	snprintf(msg, sizeof(msg), "Scaled %s replica set %s to %lld from %lld",
		 to > from ? "up" : "down", ctl_rs_str(rs, "metadata", "name"), (long long)to,
		 (long long)from);
	ctl_api_event(c, ctl_rs_str(dep, "metadata", "namespace"), "apps/v1", "Deployment",
		      ctl_rs_str(dep, "metadata", "name"), ctl_rs_str(dep, "metadata", "uid"),
		      "Normal", "ScalingReplicaSet", msg, "deployment-controller");
}

/* One ReplicaSet's replicas and status. */
static void ctl_rs_update(struct ctl *c, const json_t *dep, const json_t *rs, json_int_t replicas,
			  const struct ctl_rs_count *n)
{
	char path[3 * MODEL_NAME_MAX + 64], what[3 * MODEL_NAME_MAX];
	json_int_t held = json_integer_value(json_object_get(json_object_get(rs, "spec"),
							     "replicas"));
	json_t *want, *patch;

	snprintf(path, sizeof(path), "/apis/apps/v1/namespaces/%s/replicasets/%s",
		 ctl_rs_str(rs, "metadata", "namespace"), ctl_rs_str(rs, "metadata", "name"));
	snprintf(what, sizeof(what), "replicaset %s/%s", ctl_rs_str(rs, "metadata", "namespace"),
		 ctl_rs_str(rs, "metadata", "name"));
	if (held != replicas) {
		patch = json_pack("{s:{s:I}}", "spec", "replicas", replicas);
		if (patch && ctl_api_call(c, "PATCH", path, patch, what, 0, CTL_REPLICASETS,
					  NULL) == 200)
			ctl_rs_scaled(c, dep, rs, held, replicas);
		json_decref(patch);
	}
	/* Terminating pods are not the ReplicaSet's any more: the ReplicaSet
	 * controller counts active pods only. */
	want = json_pack("{s:i, s:i, s:i, s:i, s:I}", "replicas", n->live,
			 "fullyLabeledReplicas", n->live, "readyReplicas", n->ready,
			 "availableReplicas", n->ready, "observedGeneration",
			 json_integer_value(json_object_get(json_object_get(rs, "metadata"),
							    "generation")));
	if (want && !json_equal(want, json_object_get(rs, "status"))) {
		char spath[sizeof(path) + 8];

		snprintf(spath, sizeof(spath), "%s/status", path);
		patch = json_pack("{s:O}", "status", want);
		if (patch)
			ctl_api_call(c, "PATCH", spath, patch, what, 404, CTL_REPLICASETS, NULL);
		json_decref(patch);
	}
	json_decref(want);
}

void ctl_rs_sync(struct ctl *c, const struct ctl_api_view *v, const json_t *made,
		 const struct model_deployment *d, const char *hash,
		 const struct ctl_rs_count *counts, int n_counts)
{
	char key[3 * MODEL_NAME_MAX], name[2 * MODEL_NAME_MAX];
	const json_t *dep;
	json_t *mine, *rs, *cur = NULL, *answer;
	long current_rev = 0, limit;
	size_t i;

	snprintf(key, sizeof(key), "%s/%s", d->meta.ns, d->meta.name);
	dep = json_object_get(v->coll[CTL_DEPLOYMENTS], key);
	if (!dep)
		return;
	limit = (long)json_integer_value(json_object_get(json_object_get(dep, "spec"),
							  "revisionHistoryLimit"));
	mine = ctl_rs_of(v, made, ctl_rs_str(dep, "metadata", "uid"));
	ctl_rs_name(d->meta.name, hash, name);
	json_array_foreach(mine, i, rs)
		if (strcmp(ctl_rs_str(rs, "metadata", "name"), name) == 0)
			cur = rs;
	current_rev = cur ? ctl_rs_revision(cur) : 0;
	json_array_foreach(mine, i, rs) {
		struct ctl_rs_count n = { NULL, 0, 0, 0 };

		for (int k = 0; k < n_counts; k++)
			if (strcmp(counts[k].hash, ctl_rs_hash(rs)) == 0)
				n = counts[k];
		if (rs != cur && n.all == 0 && current_rev - ctl_rs_revision(rs) > limit) {
			char path[3 * MODEL_NAME_MAX + 64], what[3 * MODEL_NAME_MAX];

			snprintf(path, sizeof(path), "/apis/apps/v1/namespaces/%s/replicasets/%s",
				 d->meta.ns, ctl_rs_str(rs, "metadata", "name"));
			snprintf(what, sizeof(what), "replicaset %s/%s", d->meta.ns,
				 ctl_rs_str(rs, "metadata", "name"));
			if (ctl_api_delete(c, path, what) == 0)
				log_info("%s: beyond the revision history, deleted", what);
			continue;
		}
		ctl_rs_update(c, dep, rs, rs == cur ? d->replicas : n.live, &n);
	}
	json_decref(mine);
	/* kubectl reads the Deployment's revision from this annotation. */
	if (current_rev) {
		answer = ctl_rs_set_revision(c, dep, "deployments", CTL_DEPLOYMENTS, current_rev);
		json_decref(answer);
	}
}
