/* kubelet.c — kubelet's role: this node's pods as processes (kubelet.h).
 *
 * One struct kubelet_pod per pod bound to this node. This file keeps them
 * in step with the API: kubelet_sync() on every change of the node's pods
 * in the API (and every resync) creates a kubelet_pod for a new pod
 * (adopting the process a previous agent left running, from status/pods),
 * stops a pod being deleted or gone from the API, and forgets it once it
 * is down; it also cleans up pods deleted while the agent was away, and
 * runs the node heartbeat. A pod's own life (start, exit, back-off, stop)
 * is kubelet_pod.c, driven by a pidfd per process and timers; its status
 * report is kubelet_status.c. A deleted pod whose process is gone is
 * deleted from the API for good by its kubelet, as in Kubernetes.
 */
#include "kubelet_int.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apiwatch.h"
#include "fsutil.h"
#include "log.h"
#include "netns.h"
#include "nl.h"
#include "podnet.h"
#include "store.h"

/* ---- pods --------------------------------------------------------------- */

struct kubelet_pod *kl_find(struct kubelet *k, const char *ns, const char *name)
{
	for (int i = 0; i < k->n_pods; i++) {
		struct kubelet_pod *kp = k->pods[i];

		if (strcmp(kp->pod.meta.ns, ns) == 0 && strcmp(kp->pod.meta.name, name) == 0)
			return kp;
	}
	return NULL;
}

static const struct model_pod_status *kl_find_status(const struct model_pod_status *st,
							 int n, const struct model_pod *p)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(st[i].ns, p->meta.ns) == 0 && strcmp(st[i].name, p->meta.name) == 0 &&
		    strcmp(st[i].uid, p->meta.uid) == 0)
			return &st[i];
	}
	return NULL;
}

/* Picks up where an earlier agent left the pod: its restart count and, if
 * its process still runs in the pod's namespace, the process itself. */
static bool kl_pod_adopt(struct kubelet_pod *kp, const struct model_pod_status *prev)
{
	const struct agent_config *cfg = kp->k->cfg;
	char err[256];
	int64_t started;
	int pidfd, rc;

	kp->status.restarts = prev->restarts;
	kp->status.phase = prev->phase;
	snprintf(kp->status.started, sizeof(kp->status.started), "%s", prev->started);
	kp->ever_started = prev->phase != MODEL_POD_PENDING || prev->restarts > 0;
	/* Whatever it was, its namespace may exist. */
	kp->net_dirty = true;
	if (prev->terminated) {
		kp->state = KUBELET_POD_DONE;
		kp->status.terminating = kp->status.terminated = true;
		return true;
	}
	if (prev->pid <= 0)
		return false;
	rc = kl_proc_adopt(prev->pid, kp->netns, &pidfd);
	if (rc < 0) {
		log_info("pod %s/%s: pid %d from the last agent is gone (%s): starting afresh",
			 kp->pod.meta.ns, kp->pod.meta.name, prev->pid, strerror(-rc));
		return false;
	}
	/* Repairs the network if the last agent died half-way; a no-op when
	 * everything is in place, so the pod's connections go on. */
	rc = podnet_attach(cfg->lab, cfg->node_index, kp->netns, kp->pod.ip, kp->veth, err,
			   sizeof(err));
	if (rc < 0)
		log_warn("pod %s/%s: network check: %s", kp->pod.meta.ns, kp->pod.meta.name, err);
	else
		kp->net_ready = true;
	kp->pid = prev->pid;
	kp->pidfd = pidfd;
	kp->child = false;
	started = model_time_parse(prev->started);
	kp->started_ms = ev_now_ms();
	if (started > 0 && started <= (int64_t)time(NULL))
		kp->started_ms -= (uint64_t)((int64_t)time(NULL) - started) * 1000u;
	kp->state = KUBELET_POD_RUNNING;
	kp->status.phase = MODEL_POD_RUNNING;
	kp->status.pid = prev->pid;
	kp->status.terminating = prev->terminating;
	/* Its container started under the last agent, which said so. */
	kp->reported = *prev;
	/* Readiness carries over: a probe result, not a restart, changes it. */
	kp->status.ready = kp->has_probe ? prev->ready : true;
	memset(&kp->probe, 0, sizeof(kp->probe));
	kp->probe.ready = kp->status.ready;
	if (ev_watch(kp->k->loop, pidfd, EV_READ, kl_pod_exited, kp) < 0)
		log_error("pod %s/%s: cannot watch pid %d", kp->pod.meta.ns, kp->pod.meta.name,
			  prev->pid);
	if (kp->has_probe)
		kl_probe_begin(kp, 0);
	log_info("pod %s/%s: adopted running process %d", kp->pod.meta.ns, kp->pod.meta.name,
		 prev->pid);
	return true;
}

static struct kubelet_pod *kl_pod_new(struct kubelet *k, const struct model_pod *p,
				      const struct model_pod_status *st, int n_st)
{
	const struct model_pod_status *prev;
	struct kubelet_pod *kp;

	if (k->n_pods == k->cap_pods) {
		int cap = k->cap_pods ? k->cap_pods * 2 : 16;
		struct kubelet_pod **v = realloc(k->pods, (size_t)cap * sizeof(*v));

		if (!v)
			return NULL;
		k->pods = v;
		k->cap_pods = cap;
	}
	kp = calloc(1, sizeof(*kp));
	if (!kp)
		return NULL;
	k->pods[k->n_pods++] = kp;
	kp->k = k;
	kp->pod = *p;
	kp->c = &kp->pod.spec.containers[0];
	kp->pidfd = -1;
	kp->hook.pidfd = -1;
	kp->state = KUBELET_POD_WAITING;
	lab_pod_netns_name(k->cfg->lab, p->meta.ns, p->meta.name, kp->netns, sizeof(kp->netns));
	podnet_veth_name(p->meta.ns, p->meta.name, kp->veth, sizeof(kp->veth));
	if ((size_t)snprintf(kp->log_path, sizeof(kp->log_path), "%s/logs/pods/%s_%s.log",
			     k->cfg->statedir, p->meta.ns, p->meta.name) >= sizeof(kp->log_path))
		snprintf(kp->log_path, sizeof(kp->log_path), "/dev/null");
	kp->has_probe = p->spec.n_containers > 0 && kp->c->readiness.kind != MODEL_PROBE_NONE;
	if (p->spec.n_containers > 1)
		log_warn("pod %s/%s: only the first of its %d containers runs", p->meta.ns,
			 p->meta.name, p->spec.n_containers);
	snprintf(kp->status.ns, sizeof(kp->status.ns), "%s", p->meta.ns);
	snprintf(kp->status.name, sizeof(kp->status.name), "%s", p->meta.name);
	snprintf(kp->status.uid, sizeof(kp->status.uid), "%s", p->meta.uid);
	kp->status.phase = MODEL_POD_PENDING;
	kl_pod_say(kp, "ContainerCreating", "%s", "");
	prev = kl_find_status(st, n_st, p);
	if (prev && kl_pod_adopt(kp, prev))
		return kp;
	if (!p->meta.deleting[0])
		kl_pod_start(kp);
	return kp;
}

static void kl_pod_free(struct kubelet_pod *kp)
{
	struct kubelet *k = kp->k;

	kl_probe_end(kp);
	kl_hook_free(kp);
	if (kp->retry_timer)
		ev_timer_cancel(k->loop, kp->retry_timer);
	if (kp->kill_timer)
		ev_timer_cancel(k->loop, kp->kill_timer);
	if (kp->pidfd >= 0) {
		ev_unwatch(k->loop, kp->pidfd);
		close(kp->pidfd);
	}
	free(kp);
}

/* Is there a veth named after pod "<ns>-<name>" (rest) on this node? The
 * namespace name does not say where the pod's namespace ends and its name
 * begins (both may hold '-'), so every split is tried; the veth's name is
 * a hash of the pair. */
static bool kl_orphan_here(struct nl *nl, const char *rest, char *ns, char *name,
			   char veth[IF_NAMESIZE])
{
	struct nl_link link;
	char err[128];

	for (const char *dash = strchr(rest, '-'); dash; dash = strchr(dash + 1, '-')) {
		size_t nlen = (size_t)(dash - rest);

		if (nlen == 0 || nlen >= MODEL_NAME_MAX || !dash[1] ||
		    strlen(dash + 1) >= MODEL_NAME_MAX)
			continue;
		memcpy(ns, rest, nlen);
		ns[nlen] = '\0';
		snprintf(name, MODEL_NAME_MAX, "%s", dash + 1);
		podnet_veth_name(ns, name, veth, IF_NAMESIZE);
		if (nl_link_get(nl, veth, &link, err, sizeof(err)) == 0)
			return true;
	}
	return false;
}

/* After the agent was away: pod namespaces linked to this node's cbr0 that
 * no pod object names any more (deleted by hand, or by a lab operation
 * while nobody watched) are stopped and removed, with their status. */
static void kl_cleanup_orphans(struct kubelet *k)
{
	const struct agent_config *cfg = k->cfg;
	char prefix[64], err[256], netns[256], ns[MODEL_NAME_MAX], name[MODEL_NAME_MAX];
	char veth[IF_NAMESIZE];
	struct model_pod *all = NULL;
	char **names = NULL;
	int n_all = 0, n_names;
	struct nl nl;

	snprintf(prefix, sizeof(prefix), "cip-%s-pod-", cfg->lab);
	n_names = netns_list(prefix, &names);
	if (n_names <= 0)
		return;
	/* The pods of this node are enough: only their namespaces can hang
	 * off this node's cbr0. */
	if (apiwatch_pods(k->pods_w, &all, &n_all, err, sizeof(err)) < 0 ||
	    nl_open(&nl, -1, err, sizeof(err)) < 0) {
		log_warn("look for pods deleted while the agent was away: %s", err);
		goto out;
	}
	for (int i = 0; i < n_names; i++) {
		bool known = false;

		for (int j = 0; j < n_all && !known; j++) {
			lab_pod_netns_name(cfg->lab, all[j].meta.ns, all[j].meta.name, netns,
					   sizeof(netns));
			known = strcmp(netns, names[i]) == 0;
		}
		for (int j = 0; j < k->n_pods && !known; j++)
			known = strcmp(k->pods[j]->netns, names[i]) == 0;
		if (known || !kl_orphan_here(&nl, names[i] + strlen(prefix), ns, name, veth))
			continue;
		log_info("pod %s/%s: deleted while the agent was away: cleaning up", ns, name);
		kl_proc_kill_netns(names[i], SIGKILL);
		if (podnet_detach(cfg->lab, cfg->node_index, names[i], veth, err,
				  sizeof(err)) < 0) {
			log_warn("pod %s/%s: remove network: %s", ns, name, err);
			continue;
		}
		store_delete(cfg->statedir, STORE_POD_STATUS, ns, name);
	}
	nl_close(&nl);
out:
	free(all);
	netns_names_free(names, n_names);
}

static void kl_resync(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet *k = data;

	(void)loop;
	(void)id;
	k->resync_timer = 0;
	kubelet_sync(k);
}

void kubelet_sync(struct kubelet *k)
{
	const struct agent_config *cfg = k->cfg;
	struct model_pod_status *st = NULL;
	struct model_pod *pods = NULL;
	char err[256];
	int n = 0, n_st = -1, w;
	bool freed = false;

	/* Never read "not listed yet" or a failed listing as "no pods": that
	 * would stop them all. */
	if (!apiwatch_synced(k->pods_w))
		return;
	if (apiwatch_pods(k->pods_w, &pods, &n, err, sizeof(err)) < 0) {
		log_warn("list pods: %s", err);
		return;
	}
	for (int i = 0; i < k->n_pods; i++)
		k->pods[i]->seen = false;
	for (int i = 0; i < n; i++) {
		const struct model_pod *p = &pods[i];
		struct kubelet_pod *kp = kl_find(k, p->meta.ns, p->meta.name);

		if (kp && strcmp(kp->pod.meta.uid, p->meta.uid) != 0)
			continue; /* a new pod of the same name waits until the old one is gone */
		if (!kp) {
			if (n_st < 0 &&
			    store_list_pod_statuses(cfg->statedir, &st, &n_st, err,
						    sizeof(err)) < 0) {
				log_warn("list pod statuses: %s", err);
				n_st = 0;
			}
			kp = kl_pod_new(k, p, st, n_st < 0 ? 0 : n_st);
			if (!kp) {
				log_error("pod %s/%s: out of memory", p->meta.ns, p->meta.name);
				continue;
			}
		} else {
			char key[2 * MODEL_NAME_MAX + 2];

			kp->pod = *p;
			snprintf(key, sizeof(key), "%s/%s", p->meta.ns, p->meta.name);
			kl_pod_reconcile(kp, json_object_get(apiwatch_objects(k->pods_w), key));
		}
		kp->seen = true;
		if (p->meta.deleting[0])
			kl_pod_stop(kp);
	}
	for (int i = 0; i < k->n_pods; i++) {
		struct kubelet_pod *kp = k->pods[i];

		if (!kp->seen) {
			kp->gone = true;
			kl_pod_stop(kp);
		}
		if (kp->state == KUBELET_POD_DONE && kp->net_dirty)
			kl_pod_finish(kp);
		kl_pod_report(kp);
	}
	/* Forget pods whose api object is gone once they are fully down. */
	w = 0;
	for (int i = 0; i < k->n_pods; i++) {
		struct kubelet_pod *kp = k->pods[i];

		if (kp->gone && kp->state == KUBELET_POD_DONE && !kp->net_dirty) {
			store_delete(cfg->statedir, STORE_POD_STATUS, kp->pod.meta.ns,
				     kp->pod.meta.name);
			kl_pod_free(kp);
			freed = true;
			continue;
		}
		k->pods[w++] = kp;
	}
	k->n_pods = w;
	if (!k->first_sync_done) {
		kl_cleanup_orphans(k);
		k->first_sync_done = true;
	}
	/* A pod that waited for its predecessor of the same name can start now. */
	if (freed && !k->resync_timer)
		k->resync_timer = ev_timer_add(k->loop, 0, kl_resync, k);
	free(st);
	free(pods);
}

/* ---- node heartbeat ------------------------------------------------------ */

static void kl_heartbeat(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet *k = data;

	(void)id;
	kl_node_heartbeat(k);
	k->heartbeat_timer = ev_timer_add(loop, KUBELET_HEARTBEAT_MS, kl_heartbeat, k);
}

/* ---- lifecycle ------------------------------------------------------------ */

/* This node's pods changed in the API server (or were listed anew). */
static void kl_on_pods(bool relisted, void *data)
{
	(void)relisted;
	kubelet_sync(data);
}

struct kubelet *kubelet_new(struct ev_loop *loop, const struct agent_config *cfg,
			    char *err, size_t errlen)
{
	struct kubelet *k;
	char path[LAB_PATH_MAX + 16], pods_path[128];
	int rc;

	rc = store_init(cfg->statedir);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/logs/pods", cfg->statedir);
		rc = fs_mkdir_p(path, 0755);
	}
	if (rc < 0) {
		snprintf(err, errlen, "state directory %s: %s", cfg->statedir, strerror(-rc));
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->loop = loop;
	k->cfg = cfg;
	snprintf(path, sizeof(path), "%s/apiserver.sock", cfg->statedir);
	snprintf(pods_path, sizeof(pods_path), "/api/v1/pods?fieldSelector=spec.nodeName%%3D%s",
		 cfg->node);
	k->pods_w = apiwatch_new(loop, path, pods_path, "pods", kl_on_pods, k);
	if (!k->pods_w || kl_node_new(k) < 0) {
		kubelet_free(k);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (kl_logs_start(k, err, errlen) < 0) {
		kubelet_free(k);
		return NULL;
	}
	k->backoff_base_ms = kl_backoff_base(getenv(KUBELET_BACKOFF_ENV));
	if (k->backoff_base_ms != KUBELET_BACKOFF_BASE_MS)
		log_info("restart back-off starts at %" PRIu64 " ms (%s)", k->backoff_base_ms,
			 KUBELET_BACKOFF_ENV);
	/* The first heartbeat goes out as soon as the loop runs. */
	k->heartbeat_timer = ev_timer_add(loop, 0, kl_heartbeat, k);
	return k;
}

void kubelet_free(struct kubelet *k)
{
	if (!k)
		return;
	for (int i = 0; i < k->n_pods; i++)
		kl_pod_free(k->pods[i]);
	free(k->pods);
	kl_logs_stop(k);
	if (k->heartbeat_timer)
		ev_timer_cancel(k->loop, k->heartbeat_timer);
	if (k->resync_timer)
		ev_timer_cancel(k->loop, k->resync_timer);
	kl_node_free(k);
	apiwatch_free(k->pods_w);
	free(k);
}

void kubelet_start(struct kubelet *k)
{
	apiwatch_start(k->pods_w);
}
