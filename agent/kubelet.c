/* kubelet.c — kubelet's role: this node's pods as processes (kubelet.h).
 *
 * One struct kubelet_pod per pod bound to this node. Its life:
 *
 *   WAITING --start--> RUNNING --exit--> WAITING (back-off) --> RUNNING ...
 *      |                  |
 *      |   deletionTimestamp, or the api object gone
 *      v                  v
 *     DONE <--exit--- STOPPING (SIGTERM; SIGKILL after the grace period)
 *
 * Everything is driven from the event loop: kubelet_sync() on every change
 * of the node's pods in the API (and every resync), a pidfd per process for its exit, timers
 * for back-off, grace periods, probes and the node heartbeat. The status
 * each pod shows is kept in kp->status and reported only when it changes
 * (kubelet_pod_report): to the API server's pods/NAME/status, and to
 * status/pods, this agent's own checkpoint, from which a restarted agent
 * adopts the processes still running. A deleted pod whose process is gone
 * is deleted from the API for good by its kubelet, as in Kubernetes.
 */
#include "kubelet_int.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "apiwatch.h"
#include "fsutil.h"
#include "log.h"
#include "netns.h"
#include "nl.h"
#include "podnet.h"
#include "store.h"

#define KUBELET_IMAGE_HELP \
	"(" IMAGES_SYSTEM_FILE ", $" IMAGES_ENV ", built-ins)"

static void kubelet_pod_start(struct kubelet_pod *kp);

/* ---- status ------------------------------------------------------------ */

static bool kubelet_status_same(const struct model_pod_status *a, const struct model_pod_status *b)
{
	/* Everything but `updated`, which only says when the file was written. */
	return strcmp(a->ns, b->ns) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->uid, b->uid) == 0 && a->phase == b->phase && a->ready == b->ready &&
	       a->terminating == b->terminating && a->terminated == b->terminated &&
	       a->restarts == b->restarts && a->pid == b->pid &&
	       strcmp(a->reason, b->reason) == 0 && strcmp(a->message, b->message) == 0 &&
	       strcmp(a->started, b->started) == 0;
}

void kubelet_pod_event(struct kubelet_pod *kp, const char *type, const char *reason,
		       const char *message)
{
	const struct model_meta *m = &kp->pod.meta;

	/* Each one may be the request that times out: the next ones wait
	 * with the reports (lost, as a failed Event is). */
	if (kubelet_api_quiet(kp->k))
		return;
	kubelet_event(kp->k, m->ns, "Pod", m->ns, m->name, m->uid, type, reason, message);
}

/* The pod's Events, from what changed in its status since the last report,
 * as kubelet records them when it does each thing: the container started
 * (Pulled, Created, Started: the image is a program already on the node),
 * the image could not be pulled, the back-offs, the stop. */
static void kubelet_pod_events(struct kubelet_pod *kp)
{
	const struct model_pod_status *was = &kp->reported, *now = &kp->status;
	const struct model_container *c = &kp->pod.spec.containers[0];
	const struct model_meta *m = &kp->pod.meta;
	char msg[MODEL_IMAGE_MAX + sizeof(kp->status.message) + 2 * MODEL_NAME_MAX + 64];

	/* A new process is a container start, the first or a restart. */
	if (now->phase == MODEL_POD_RUNNING && now->pid > 0 && now->pid != was->pid) {
		snprintf(msg, sizeof(msg), "Container image \"%s\" already present on machine",
			 c->image);
		kubelet_pod_event(kp, "Normal", "Pulled", msg);
		snprintf(msg, sizeof(msg), "Created container %s", c->name);
		kubelet_pod_event(kp, "Normal", "Created", msg);
		snprintf(msg, sizeof(msg), "Started container %s", c->name);
		kubelet_pod_event(kp, "Normal", "Started", msg);
	}
	if (strcmp(now->reason, was->reason) != 0) {
		if (strcmp(now->reason, "ErrImagePull") == 0) {
			snprintf(msg, sizeof(msg), "Failed to pull image \"%s\": %s", c->image,
				 now->message);
			kubelet_pod_event(kp, "Warning", "Failed", msg);
		} else if (strcmp(now->reason, "ImagePullBackOff") == 0) {
			snprintf(msg, sizeof(msg), "Back-off pulling image \"%s\"", c->image);
			kubelet_pod_event(kp, "Normal", "BackOff", msg);
		} else if (strcmp(now->reason, "CrashLoopBackOff") == 0) {
			snprintf(msg, sizeof(msg), "Back-off restarting failed container %s in pod %s",
				 c->name, m->name);
			kubelet_pod_event(kp, "Warning", "BackOff", msg);
		}
	}
	if (now->terminating && !was->terminating) {
		snprintf(msg, sizeof(msg), "Stopping container %s", c->name);
		kubelet_pod_event(kp, "Normal", "Killing", msg);
	}
	kp->reported = *now;
}

void kubelet_pod_report(struct kubelet_pod *kp)
{
	int rc;

	/* While the API server does not answer, only the checkpoint is
	 * written; the Events are derived later from the last report. */
	if (!kubelet_api_quiet(kp->k))
		kubelet_pod_events(kp);
	if (!kp->have_written || !kubelet_status_same(&kp->status, &kp->written)) {
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
			if (kubelet_api_quiet(kp->k))
				return;
			/* 404, 409: gone, or another pod has the name now. */
			rc = kubelet_pod_status_send(kp->k, &kp->pod, &kp->status);
			if (rc != 200 && rc != 404 && rc != 409)
				return;
		}
		kp->written = kp->status;
		kp->have_written = true;
	}
	if (kp->status.terminated && kp->pod.meta.deleting[0] && !kp->net_dirty && !kp->gone &&
	    !kp->removed && !kubelet_api_quiet(kp->k)) {
		rc = kubelet_pod_remove(kp->k, &kp->pod);
		/* 409: the name is another pod's by now. */
		if (rc == 200 || rc == 404 || rc == 409) {
			kp->removed = true;
			log_info("pod %s/%s: deleted", kp->pod.meta.ns, kp->pod.meta.name);
		}
	}
}

static void kubelet_pod_say(struct kubelet_pod *kp, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the reason and message a waiting pod shows. */
static void kubelet_pod_say(struct kubelet_pod *kp, const char *reason, const char *fmt, ...)
{
	va_list ap;

	snprintf(kp->status.reason, sizeof(kp->status.reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(kp->status.message, sizeof(kp->status.message), fmt, ap);
	va_end(ap);
}

/* Durations as Go prints them in kubelet's messages: "10s", "2m40s", and
 * for shortened test schedules "200ms" or "1.6s". */
static void kubelet_duration(uint64_t ms, char *buf, size_t len)
{
	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (ms % 1000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000.0);
	else if (ms >= 60000)
		snprintf(buf, len, "%" PRIu64 "m%" PRIu64 "s", ms / 60000, ms / 1000 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
}

/* ---- timers and transitions --------------------------------------------- */

static void kubelet_pod_retry(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet_pod *kp = data;

	(void)loop;
	(void)id;
	kp->retry_timer = 0;
	if (kp->state == KUBELET_POD_WAITING && !kp->gone && !kp->pod.meta.deleting[0])
		kubelet_pod_start(kp);
}

static void kubelet_pod_schedule(struct kubelet_pod *kp, uint64_t delay_ms)
{
	if (kp->retry_timer)
		ev_timer_cancel(kp->k->loop, kp->retry_timer);
	kp->retry_timer = ev_timer_add(kp->k->loop, delay_ms, kubelet_pod_retry, kp);
}

/* A start that failed before any process ran (network, image, config):
 * retried with the same back-off kubelet uses for image pulls. */
static uint64_t kubelet_pod_wait_delay(struct kubelet_pod *kp)
{
	if (kp->wait_failures < 1000)
		kp->wait_failures++;
	return kubelet_backoff_delay(kp->k->backoff_base_ms, kp->wait_failures);
}

/* The container's process is gone, or could not be started: wait, then
 * start it again (restartPolicy Always). */
static void kubelet_pod_crashed(struct kubelet_pod *kp, uint64_t ran_ms, const char *reason,
				const char *what)
{
	uint64_t delay = kubelet_backoff_next(&kp->crash, kp->k->backoff_base_ms, ran_ms);
	char d[32];

	kp->state = KUBELET_POD_WAITING;
	kp->ever_started = true;
	kp->status.pid = 0;
	kp->status.ready = false;
	if (delay == 0) {
		kubelet_pod_say(kp, reason, "%s", what);
	} else {
		kubelet_duration(delay, d, sizeof(d));
		kubelet_pod_say(kp, "CrashLoopBackOff",
				"back-off %s restarting failed container=%s pod=%s_%s(%s): %s", d,
				kp->c->name, kp->pod.meta.name, kp->pod.meta.ns, kp->pod.meta.uid, what);
		log_info("pod %s/%s: %s; restarting in %s", kp->pod.meta.ns, kp->pod.meta.name,
			 what, d);
	}
	kubelet_pod_schedule(kp, delay);
	kubelet_pod_report(kp);
}

static void kubelet_pod_forget_process(struct kubelet_pod *kp)
{
	/* Whatever ends the process ends the hook that was to precede its
	 * SIGTERM (an exec hook's process dies with the pod's anyway). */
	kubelet_hook_cancel(kp);
	if (kp->pidfd >= 0) {
		ev_unwatch(kp->k->loop, kp->pidfd);
		close(kp->pidfd);
		kp->pidfd = -1;
	}
	kp->pid = 0;
	kp->status.pid = 0;
	kp->status.ready = false;
	kubelet_probe_end(kp);
	if (kp->kill_timer) {
		ev_timer_cancel(kp->k->loop, kp->kill_timer);
		kp->kill_timer = 0;
	}
}

/* Nothing of the pod runs any more: remove its network, report it
 * terminated. A failed detach is retried by the next sync. */
static void kubelet_pod_finish(struct kubelet_pod *kp)
{
	const struct agent_config *cfg = kp->k->cfg;
	char err[256];
	int rc;

	if (kp->retry_timer) {
		ev_timer_cancel(kp->k->loop, kp->retry_timer);
		kp->retry_timer = 0;
	}
	kubelet_pod_forget_process(kp);
	if (kp->state != KUBELET_POD_DONE)
		log_info("pod %s/%s: terminated", kp->pod.meta.ns, kp->pod.meta.name);
	kp->state = KUBELET_POD_DONE;
	if (kp->net_dirty) {
		kubelet_proc_kill_netns(kp->netns, SIGKILL);
		rc = podnet_detach(cfg->lab, cfg->node_index, kp->netns, kp->veth, err, sizeof(err));
		if (rc < 0) {
			log_warn("pod %s/%s: remove network: %s", kp->pod.meta.ns, kp->pod.meta.name,
				 err);
		} else {
			kp->net_dirty = false;
			kp->net_ready = false;
		}
	}
	kp->status.terminating = true;
	kp->status.terminated = true;
	kp->status.reason[0] = '\0';
	kp->status.message[0] = '\0';
	kubelet_pod_report(kp);
}

static void kubelet_pod_exited(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct kubelet_pod *kp = data;
	uint64_t ran = ev_now_ms() - kp->started_ms;
	char desc[96];

	(void)loop;
	(void)fd;
	(void)events;
	kubelet_proc_reap(kp->pidfd, kp->child, desc, sizeof(desc));
	log_info("pod %s/%s: process %d %s", kp->pod.meta.ns, kp->pod.meta.name, (int)kp->pid, desc);
	kubelet_pod_forget_process(kp);
	/* As when a container's init process ends: whatever else it started
	 * in the pod goes with it, so the next start finds its ports free. */
	kubelet_proc_kill_netns(kp->netns, SIGKILL);
	if (kp->state == KUBELET_POD_STOPPING || kp->gone || kp->pod.meta.deleting[0]) {
		kubelet_pod_finish(kp);
		return;
	}
	kubelet_pod_crashed(kp, ran, "Error", desc);
}

static void kubelet_pod_kill(struct ev_loop *loop, uint64_t id, void *data);

/* SIGTERM now, SIGKILL after window_ms. */
static void kubelet_pod_term(struct kubelet_pod *kp, uint64_t window_ms)
{
	char d[32];

	kubelet_duration(window_ms, d, sizeof(d));
	log_info("pod %s/%s: SIGTERM to %d, SIGKILL in %s", kp->pod.meta.ns, kp->pod.meta.name,
		 (int)kp->pid, d);
	kp->term_sent = true;
	if (pidfd_send_signal(kp->pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH)
		log_warn("pod %s/%s: SIGTERM: %s", kp->pod.meta.ns, kp->pod.meta.name,
			 strerror(errno));
	if (kp->kill_timer)
		ev_timer_cancel(kp->k->loop, kp->kill_timer);
	kp->kill_timer = ev_timer_add(kp->k->loop, window_ms, kubelet_pod_kill, kp);
}

/* The kill timer: the end of the grace period, or of the window after a
 * hook. A hook still running at the end of the grace period is given up
 * and the container gets SIGTERM with kubelet's minimum window; otherwise
 * this is SIGKILL. */
static void kubelet_pod_kill(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet_pod *kp = data;

	(void)loop;
	(void)id;
	kp->kill_timer = 0;
	if (kp->state != KUBELET_POD_STOPPING || kp->pidfd < 0)
		return;
	if (!kp->term_sent) {
		log_warn("pod %s/%s: preStop hook not completed in the grace period (%ds)",
			 kp->pod.meta.ns, kp->pod.meta.name, kp->pod.spec.termination_grace_s);
		kubelet_hook_cancel(kp);
		kubelet_pod_term(kp, kubelet_term_window_ms(kp->pod.spec.termination_grace_s,
							    ev_now_ms() - kp->stop_ms));
		return;
	}
	log_info("pod %s/%s: grace period over: SIGKILL", kp->pod.meta.ns, kp->pod.meta.name);
	pidfd_send_signal(kp->pidfd, SIGKILL, NULL, 0);
	kubelet_proc_kill_netns(kp->netns, SIGKILL);
}

void kubelet_pod_hook_done(struct kubelet_pod *kp, bool ok, const char *msg)
{
	uint64_t took = ev_now_ms() - kp->stop_ms;
	char d[32];

	if (kp->state != KUBELET_POD_STOPPING || kp->term_sent || kp->pidfd < 0)
		return;
	kubelet_duration(took, d, sizeof(d));
	/* As kubelet: a failed hook is reported, and SIGTERM follows anyway. */
	if (ok)
		log_info("pod %s/%s: preStop hook done after %s", kp->pod.meta.ns,
			 kp->pod.meta.name, d);
	else
		log_warn("pod %s/%s: FailedPreStopHook after %s: %s", kp->pod.meta.ns,
			 kp->pod.meta.name, d, msg);
	kubelet_pod_term(kp, kubelet_term_window_ms(kp->pod.spec.termination_grace_s, took));
}

/* Deletion, or the api object disappeared: the preStop hook if there is
 * one, then SIGTERM, then SIGKILL at the end of the grace period, which
 * counts from here, the hook included. The pod keeps probing meanwhile,
 * so it stays serving-but-terminating as long as it still answers
 * (proxies fall back to such endpoints when a Service has no ready one). */
static void kubelet_pod_stop(struct kubelet_pod *kp)
{
	int grace = kp->pod.spec.termination_grace_s;

	switch (kp->state) {
	case KUBELET_POD_RUNNING:
		if (grace < 0)
			grace = 0;
		kp->state = KUBELET_POD_STOPPING;
		kp->status.terminating = true;
		kp->stop_ms = ev_now_ms();
		kp->term_sent = false;
		/* kubelet runs the hook only if there is time for it. */
		if (kp->c->pre_stop.kind != MODEL_HOOK_NONE && grace > 0) {
			log_info("pod %s/%s: stopping: preStop hook, grace period %ds",
				 kp->pod.meta.ns, kp->pod.meta.name, grace);
			kp->kill_timer = ev_timer_add(kp->k->loop, (uint64_t)grace * 1000u,
						      kubelet_pod_kill, kp);
			kubelet_hook_start(kp);
		} else {
			log_info("pod %s/%s: stopping: grace period %ds", kp->pod.meta.ns,
				 kp->pod.meta.name, grace);
			kubelet_pod_term(kp, (uint64_t)grace * 1000u);
		}
		kubelet_pod_report(kp);
		break;
	case KUBELET_POD_WAITING:
		kubelet_pod_finish(kp);
		break;
	case KUBELET_POD_STOPPING:
	case KUBELET_POD_DONE:
		break;
	}
}

/* ---- starting ----------------------------------------------------------- */

/* argv and environment of one start, with the pointer arrays execve wants. */
struct kubelet_cmd {
	char argv[MODEL_MAX_ARGS][MODEL_ARG_MAX];
	char env[KUBELET_ENV_MAX][KUBELET_ENV_LEN];
	char *argp[MODEL_MAX_ARGS + 1];
	char *envp[KUBELET_ENV_MAX + 1];
	char path[LAB_PATH_MAX];
	int argc, envc;
};

/* Loads the image table afresh for each start, so an entry added to a file
 * takes effect at the next retry of an ErrImagePull pod. */
static int kubelet_images(struct kubelet *k, struct images_table *t)
{
	char err[320];
	int rc = images_load(t, k->cfg->bindir, NULL, NULL, err, sizeof(err));

	if (rc > 0 && strcmp(err, k->last_images_warning) != 0) {
		log_warn("%s", err);
		snprintf(k->last_images_warning, sizeof(k->last_images_warning), "%s", err);
	}
	return rc < 0 ? -1 : 0;
}

static void kubelet_pod_start(struct kubelet_pod *kp)
{
	struct kubelet *k = kp->k;
	const struct agent_config *cfg = k->cfg;
	struct images_table table = { 0 };
	const struct images_entry *img;
	struct kubelet_cmd *cmd = NULL;
	struct kubelet_spawn sp;
	const char *reason;
	char err[320], d[32];
	uint64_t delay;
	pid_t pid;
	int rc, pidfd = -1;

	kp->state = KUBELET_POD_WAITING;
	if (kp->pod.spec.n_containers < 1) {
		kubelet_pod_say(kp, "CreateContainerConfigError", "the pod has no containers");
		goto out;
	}
	/* Say ContainerCreating before the slow part (the pod network). */
	kubelet_pod_report(kp);
	kp->net_dirty = true;
	if (!kp->net_ready) {
		rc = podnet_attach(cfg->lab, cfg->node_index, kp->netns, kp->pod.ip, kp->veth,
				   err, sizeof(err));
		if (rc < 0) {
			delay = kubelet_pod_wait_delay(kp);
			kubelet_pod_say(kp, "ContainerCreating", "failed to set up the pod network: %s", err);
			log_warn("pod %s/%s: network: %s", kp->pod.meta.ns, kp->pod.meta.name, err);
			kubelet_pod_schedule(kp, delay);
			goto out;
		}
		kp->net_ready = true;
	}
	cmd = calloc(1, sizeof(*cmd));
	if (!cmd || kubelet_images(k, &table) < 0) {
		kubelet_pod_say(kp, "ContainerCreating", "out of memory");
		kubelet_pod_schedule(kp, kubelet_pod_wait_delay(kp));
		goto out;
	}
	img = images_lookup(&table, kp->c->image);
	if (!img) {
		delay = kubelet_pod_wait_delay(kp);
		/* As kubelet: the failed attempt itself shows ErrImagePull, the
		 * waits between later attempts ImagePullBackOff. The status shows
		 * ErrImagePull only until the first retry; the log keeps the
		 * reason each attempt reported. */
		reason = kp->wait_failures == 1 ? "ErrImagePull" : "ImagePullBackOff";
		kubelet_pod_say(kp, reason,
				"image \"%s\" not found in the image table " KUBELET_IMAGE_HELP,
				kp->c->image);
		kubelet_duration(delay, d, sizeof(d));
		log_warn("pod %s/%s: %s: image \"%s\" is not in the image table; retrying in %s",
			 kp->pod.meta.ns, kp->pod.meta.name, reason, kp->c->image, d);
		kubelet_pod_schedule(kp, delay);
		goto out;
	}
	cmd->argc = images_compose(img, kp->c, cmd->argv, MODEL_MAX_ARGS, err, sizeof(err));
	cmd->envc = cmd->argc < 0 ? -1 :
		kubelet_env_compose(kp->c, kp->pod.meta.name, cmd->env, KUBELET_ENV_MAX,
				    err, sizeof(err));
	if (cmd->argc < 0 || cmd->envc < 0) {
		kubelet_pod_say(kp, "CreateContainerConfigError", "%s", err);
		kubelet_pod_schedule(kp, kubelet_pod_wait_delay(kp));
		goto out;
	}
	for (int i = 0; i < cmd->argc; i++)
		cmd->argp[i] = cmd->argv[i];
	for (int i = 0; i < cmd->envc; i++)
		cmd->envp[i] = cmd->env[i];
	rc = kubelet_find_exec(cmd->argv[0], kubelet_env_get(cmd->env, cmd->envc, "PATH"),
			       cmd->path, sizeof(cmd->path));
	if (rc < 0) {
		/* runc's wording, which is what a Kubernetes user sees. */
		snprintf(err, sizeof(err), "exec: \"%.200s\": %s", cmd->argv[0],
			 rc == -EACCES ? "permission denied"
				       : strchr(cmd->argv[0], '/') ? "no such file or directory"
								    : "executable file not found in $PATH");
		if (kp->ever_started)
			kp->status.restarts++;
		kubelet_pod_crashed(kp, 0, "RunContainerError", err);
		goto out;
	}
	kp->wait_failures = 0;
	sp = (struct kubelet_spawn){
		.netns = kp->netns, .hostname = kp->pod.meta.name, .log_path = kp->log_path,
		.path = cmd->path, .argv = cmd->argp, .envp = cmd->envp,
	};
	pid = kubelet_proc_spawn(&sp, &pidfd, err, sizeof(err));
	if (kp->ever_started)
		kp->status.restarts++;
	if (pid < 0) {
		kubelet_pod_crashed(kp, 0, "RunContainerError", err);
		goto out;
	}
	kp->ever_started = true;
	kp->pid = pid;
	kp->pidfd = pidfd;
	kp->child = true;
	kp->started_ms = ev_now_ms();
	kp->state = KUBELET_POD_RUNNING;
	kp->status.phase = MODEL_POD_RUNNING;
	kp->status.pid = pid;
	kp->status.reason[0] = '\0';
	kp->status.message[0] = '\0';
	model_time_now(kp->status.started);
	memset(&kp->probe, 0, sizeof(kp->probe));
	kp->status.ready = !kp->has_probe;
	if (ev_watch(k->loop, pidfd, EV_READ, kubelet_pod_exited, kp) < 0)
		log_error("pod %s/%s: cannot watch pid %d", kp->pod.meta.ns, kp->pod.meta.name,
			  (int)pid);
	if (kp->has_probe)
		kubelet_probe_begin(kp, (uint64_t)kp->c->readiness.initial_delay_s * 1000u);
	log_info("pod %s/%s: started %s (pid %d, %s)", kp->pod.meta.ns, kp->pod.meta.name,
		 cmd->path, (int)pid, kp->c->image);
out:
	kubelet_pod_report(kp);
	images_table_free(&table);
	free(cmd);
}

/* ---- pods --------------------------------------------------------------- */

struct kubelet_pod *kubelet_find(struct kubelet *k, const char *ns, const char *name)
{
	for (int i = 0; i < k->n_pods; i++) {
		struct kubelet_pod *kp = k->pods[i];

		if (strcmp(kp->pod.meta.ns, ns) == 0 && strcmp(kp->pod.meta.name, name) == 0)
			return kp;
	}
	return NULL;
}

static const struct model_pod_status *kubelet_find_status(const struct model_pod_status *st,
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
static bool kubelet_pod_adopt(struct kubelet_pod *kp, const struct model_pod_status *prev)
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
	rc = kubelet_proc_adopt(prev->pid, kp->netns, &pidfd);
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
	if (ev_watch(kp->k->loop, pidfd, EV_READ, kubelet_pod_exited, kp) < 0)
		log_error("pod %s/%s: cannot watch pid %d", kp->pod.meta.ns, kp->pod.meta.name,
			  prev->pid);
	if (kp->has_probe)
		kubelet_probe_begin(kp, 0);
	log_info("pod %s/%s: adopted running process %d", kp->pod.meta.ns, kp->pod.meta.name,
		 prev->pid);
	return true;
}

static struct kubelet_pod *kubelet_pod_new(struct kubelet *k, const struct model_pod *p,
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
	kubelet_pod_say(kp, "ContainerCreating", "%s", "");
	prev = kubelet_find_status(st, n_st, p);
	if (prev && kubelet_pod_adopt(kp, prev))
		return kp;
	if (!p->meta.deleting[0])
		kubelet_pod_start(kp);
	return kp;
}

static void kubelet_pod_free(struct kubelet_pod *kp)
{
	struct kubelet *k = kp->k;

	kubelet_probe_end(kp);
	kubelet_hook_free(kp);
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
static bool kubelet_orphan_here(struct nl *nl, const char *rest, char *ns, char *name,
				char veth[IF_NAMESIZE])
{
	struct nl_link link;
	char err[128];

	for (const char *dash = strchr(rest, '-'); dash; dash = strchr(dash + 1, '-')) {
		size_t nlen = (size_t)(dash - rest);

		if (nlen == 0 || nlen >= MODEL_NAME_MAX || !dash[1] || strlen(dash + 1) >= MODEL_NAME_MAX)
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
static void kubelet_cleanup_orphans(struct kubelet *k)
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
		if (known || !kubelet_orphan_here(&nl, names[i] + strlen(prefix), ns, name, veth))
			continue;
		log_info("pod %s/%s: deleted while the agent was away: cleaning up", ns, name);
		kubelet_proc_kill_netns(names[i], SIGKILL);
		if (podnet_detach(cfg->lab, cfg->node_index, names[i], veth, err, sizeof(err)) < 0) {
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

static void kubelet_resync(struct ev_loop *loop, uint64_t id, void *data)
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
		struct kubelet_pod *kp = kubelet_find(k, p->meta.ns, p->meta.name);

		if (kp && strcmp(kp->pod.meta.uid, p->meta.uid) != 0)
			continue; /* a new pod of the same name waits until the old one is gone */
		if (!kp) {
			if (n_st < 0 &&
			    store_list_pod_statuses(cfg->statedir, &st, &n_st, err, sizeof(err)) < 0) {
				log_warn("list pod statuses: %s", err);
				n_st = 0;
			}
			kp = kubelet_pod_new(k, p, st, n_st < 0 ? 0 : n_st);
			if (!kp) {
				log_error("pod %s/%s: out of memory", p->meta.ns, p->meta.name);
				continue;
			}
		} else {
			kp->pod = *p;
		}
		kp->seen = true;
		if (p->meta.deleting[0])
			kubelet_pod_stop(kp);
	}
	for (int i = 0; i < k->n_pods; i++) {
		struct kubelet_pod *kp = k->pods[i];

		if (!kp->seen) {
			kp->gone = true;
			kubelet_pod_stop(kp);
		}
		if (kp->state == KUBELET_POD_DONE && kp->net_dirty)
			kubelet_pod_finish(kp);
		kubelet_pod_report(kp);
	}
	/* Forget pods whose api object is gone once they are fully down. */
	w = 0;
	for (int i = 0; i < k->n_pods; i++) {
		struct kubelet_pod *kp = k->pods[i];

		if (kp->gone && kp->state == KUBELET_POD_DONE && !kp->net_dirty) {
			store_delete(cfg->statedir, STORE_POD_STATUS, kp->pod.meta.ns, kp->pod.meta.name);
			kubelet_pod_free(kp);
			freed = true;
			continue;
		}
		k->pods[w++] = kp;
	}
	k->n_pods = w;
	if (!k->first_sync_done) {
		kubelet_cleanup_orphans(k);
		k->first_sync_done = true;
	}
	/* A pod that waited for its predecessor of the same name can start now. */
	if (freed && !k->resync_timer)
		k->resync_timer = ev_timer_add(k->loop, 0, kubelet_resync, k);
	free(st);
	free(pods);
}

/* ---- node heartbeat ------------------------------------------------------ */

static void kubelet_heartbeat(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet *k = data;

	(void)id;
	kubelet_node_heartbeat(k);
	k->heartbeat_timer = ev_timer_add(loop, KUBELET_HEARTBEAT_MS, kubelet_heartbeat, k);
}

/* ---- lifecycle ------------------------------------------------------------ */

/* This node's pods changed in the API server (or were listed anew). */
static void kubelet_on_pods(bool relisted, void *data)
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
	k->pods_w = apiwatch_new(loop, path, pods_path, "pods", kubelet_on_pods, k);
	if (!k->pods_w || kubelet_node_new(k) < 0) {
		kubelet_free(k);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (kubelet_logs_start(k, err, errlen) < 0) {
		kubelet_free(k);
		return NULL;
	}
	k->backoff_base_ms = kubelet_backoff_base(getenv(KUBELET_BACKOFF_ENV));
	if (k->backoff_base_ms != KUBELET_BACKOFF_BASE_MS)
		log_info("restart back-off starts at %" PRIu64 " ms (%s)", k->backoff_base_ms,
			 KUBELET_BACKOFF_ENV);
	/* The first heartbeat goes out as soon as the loop runs. */
	k->heartbeat_timer = ev_timer_add(loop, 0, kubelet_heartbeat, k);
	return k;
}

void kubelet_free(struct kubelet *k)
{
	if (!k)
		return;
	for (int i = 0; i < k->n_pods; i++)
		kubelet_pod_free(k->pods[i]);
	free(k->pods);
	kubelet_logs_stop(k);
	if (k->heartbeat_timer)
		ev_timer_cancel(k->loop, k->heartbeat_timer);
	if (k->resync_timer)
		ev_timer_cancel(k->loop, k->resync_timer);
	kubelet_node_free(k);
	apiwatch_free(k->pods_w);
	free(k);
}

void kubelet_start(struct kubelet *k)
{
	apiwatch_start(k->pods_w);
}
