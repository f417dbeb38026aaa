/* kubelet_status.c — a pod's status, reported where it changed: the
 * agent's checkpoint (status/pods), the API server's pods/NAME/status,
 * the Events kubelet records for what changed, and the final delete of a
 * stopped pod being deleted (kubelet_int.h).
 *
 * Apart from the pods' lifecycle (kubelet_pod.c) because every transition
 * ends in a report, and what a report does to the API (skip while it is
 * quiet, derive Events, delete for good) is one rule, not the
 * transitions' concern.
 */
#include "kubelet_int.h"

#include <stdio.h>
#include <string.h>

#include "apiobj.h"
#include "log.h"
#include "store.h"

static bool kl_status_same(const struct model_pod_status *a, const struct model_pod_status *b)
{
	/* Everything but `updated`, which only says when the file was written. */
	return strcmp(a->ns, b->ns) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->uid, b->uid) == 0 && a->phase == b->phase && a->ready == b->ready &&
	       a->terminating == b->terminating && a->terminated == b->terminated &&
	       a->restarts == b->restarts && a->pid == b->pid &&
	       strcmp(a->reason, b->reason) == 0 && strcmp(a->message, b->message) == 0 &&
	       strcmp(a->started, b->started) == 0;
}

void kl_pod_event(struct kubelet_pod *kp, const char *type, const char *reason,
		  const char *message)
{
	const struct model_meta *m = &kp->pod.meta;

	/* Each one may be the request that times out: the next ones wait
	 * with the reports (lost, as a failed Event is). */
	if (kl_api_quiet(kp->k))
		return;
	kl_event(kp->k, m->ns, "Pod", m->ns, m->name, m->uid, type, reason, message);
}

/* The pod's Events, from what changed in its status since the last report,
 * as kubelet records them when it does each thing: the container started
 * (Pulled, Created, Started: the image is a program already on the node),
 * the image could not be pulled, the back-offs, the stop. */
static void kl_pod_events(struct kubelet_pod *kp)
{
	const struct model_pod_status *was = &kp->reported, *now = &kp->status;
	const struct model_container *c = &kp->pod.spec.containers[0];
	const struct model_meta *m = &kp->pod.meta;
	char msg[MODEL_IMAGE_MAX + sizeof(kp->status.message) + 2 * MODEL_NAME_MAX + 64];

	/* A new process is a container start, the first or a restart. */
	if (now->phase == MODEL_POD_RUNNING && now->pid > 0 && now->pid != was->pid) {
		snprintf(msg, sizeof(msg), "Container image \"%s\" already present on machine",
			 c->image);
		kl_pod_event(kp, "Normal", "Pulled", msg);
		snprintf(msg, sizeof(msg), "Created container %s", c->name);
		kl_pod_event(kp, "Normal", "Created", msg);
		snprintf(msg, sizeof(msg), "Started container %s", c->name);
		kl_pod_event(kp, "Normal", "Started", msg);
	}
	if (strcmp(now->reason, was->reason) != 0) {
		if (strcmp(now->reason, "ErrImagePull") == 0) {
			snprintf(msg, sizeof(msg), "Failed to pull image \"%s\": %s", c->image,
				 now->message);
			kl_pod_event(kp, "Warning", "Failed", msg);
		} else if (strcmp(now->reason, "ImagePullBackOff") == 0) {
			snprintf(msg, sizeof(msg), "Back-off pulling image \"%s\"", c->image);
			kl_pod_event(kp, "Normal", "BackOff", msg);
		} else if (strcmp(now->reason, "CrashLoopBackOff") == 0) {
			snprintf(msg, sizeof(msg), "Back-off restarting failed container %s "
				 "in pod %s", c->name, m->name);
			kl_pod_event(kp, "Warning", "BackOff", msg);
		}
	}
	if (now->terminating && !was->terminating) {
		snprintf(msg, sizeof(msg), "Stopping container %s", c->name);
		kl_pod_event(kp, "Normal", "Killing", msg);
	}
	kp->reported = *now;
}

void kl_pod_report(struct kubelet_pod *kp)
{
	int rc;

	/* While the API server does not answer, only the checkpoint is
	 * written; the Events are derived later from the last report. */
	if (!kl_api_quiet(kp->k))
		kl_pod_events(kp);
	if (!kp->have_written || !kl_status_same(&kp->status, &kp->written)) {
		model_time_now(kp->status.updated);
		rc = store_put_pod_status(kp->k->cfg->statedir, &kp->status);
		if (rc < 0) {
			/* The next sync reports again. */
			log_warn("pod %s/%s: write status: %s", kp->pod.meta.ns,
				 kp->pod.meta.name, strerror(-rc));
			return;
		}
		/* A pod gone from the API has no status to report. */
		if (!kp->gone && !kp->removed) {
			if (kl_api_quiet(kp->k))
				return;
			/* 404, 409: gone, or another pod has the name now. */
			rc = kl_pod_status_send(kp->k, &kp->pod, &kp->status, &kp->written_rv);
			if (rc != 200 && rc != 404 && rc != 409)
				return;
		}
		kp->written = kp->status;
		kp->have_written = true;
	}
	if (kp->status.terminated && kp->pod.meta.deleting[0] && !kp->net_dirty && !kp->gone &&
	    !kp->removed && !kl_api_quiet(kp->k)) {
		rc = kl_pod_remove(kp->k, &kp->pod);
		/* 409: the name is another pod's by now. */
		if (rc == 200 || rc == 404 || rc == 409) {
			kp->removed = true;
			log_info("pod %s/%s: deleted", kp->pod.meta.ns, kp->pod.meta.name);
		}
	}
}

void kl_pod_reconcile(struct kubelet_pod *kp, const json_t *obj)
{
	struct model_pod_status api;

	/* Before the watch brings this kubelet's own last write, the API's
	 * copy is older than the report, not different from it. */
	if (!obj || !kp->have_written || !kp->written_rv || kp->gone || kp->removed ||
	    apiobj_rv(obj) < kp->written_rv)
		return;
	apiobj_pod_status(obj, &api);
	if (strcmp(api.uid, kp->written.uid) != 0 || api.ready == kp->written.ready)
		return;
	log_info("pod %s/%s: the API says Ready %s, this node reported %s: reporting again",
		 kp->pod.meta.ns, kp->pod.meta.name, api.ready ? "True" : "False",
		 kp->written.ready ? "True" : "False");
	kp->have_written = false;
}
