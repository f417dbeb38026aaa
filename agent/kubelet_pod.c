/* kubelet_pod.c — one pod's life on this node (kubelet_int.h):
 *
 *   WAITING --start--> RUNNING --exit--> WAITING (back-off) --> RUNNING ...
 *      |                  |
 *      |   deletionTimestamp, or the api object gone
 *      v                  v
 *     DONE <--exit--- STOPPING (SIGTERM; SIGKILL after the grace period)
 *
 * Starting a pod (network, image, environment, process), its exit and
 * back-off, and its stop (preStop hook, SIGTERM, SIGKILL, network
 * removed). Apart from the sync with the API's pods (kubelet.c), which
 * only decides which pods exist and which are being deleted: everything
 * here is driven by a pod's own pidfd and timers.
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
#include <unistd.h>

#include "log.h"
#include "podnet.h"

#define KUBELET_IMAGE_HELP \
	"(" IMAGES_SYSTEM_FILE ", $" IMAGES_ENV ", built-ins)"

/* ---- messages ----------------------------------------------------------- */

void kl_pod_say(struct kubelet_pod *kp, const char *reason, const char *fmt, ...)
{
	va_list ap;

	snprintf(kp->status.reason, sizeof(kp->status.reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(kp->status.message, sizeof(kp->status.message), fmt, ap);
	va_end(ap);
}

/* Durations as Go prints them in kubelet's messages: "10s", "2m40s", and
 * for shortened test schedules "200ms" or "1.6s". */
static void kl_duration(uint64_t ms, char *buf, size_t len)
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

static void kl_pod_retry(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet_pod *kp = data;

	(void)loop;
	(void)id;
	kp->retry_timer = 0;
	if (kp->state == KUBELET_POD_WAITING && !kp->gone && !kp->pod.meta.deleting[0])
		kl_pod_start(kp);
}

static void kl_pod_schedule(struct kubelet_pod *kp, uint64_t delay_ms)
{
	if (kp->retry_timer)
		ev_timer_cancel(kp->k->loop, kp->retry_timer);
	kp->retry_timer = ev_timer_add(kp->k->loop, delay_ms, kl_pod_retry, kp);
}

/* A start that failed before any process ran (network, image, config):
 * retried with the same back-off kubelet uses for image pulls. */
static uint64_t kl_pod_wait_delay(struct kubelet_pod *kp)
{
	if (kp->wait_failures < 1000)
		kp->wait_failures++;
	return kl_backoff_delay(kp->k->backoff_base_ms, kp->wait_failures);
}

/* The container's process is gone, or could not be started: wait, then
 * start it again (restartPolicy Always). */
static void kl_pod_crashed(struct kubelet_pod *kp, uint64_t ran_ms, const char *reason,
			   const char *what)
{
	uint64_t delay = kl_backoff_next(&kp->crash, kp->k->backoff_base_ms, ran_ms);
	char d[32];

	kp->state = KUBELET_POD_WAITING;
	kp->ever_started = true;
	kp->status.pid = 0;
	kp->status.ready = false;
	if (delay == 0) {
		kl_pod_say(kp, reason, "%s", what);
	} else {
		kl_duration(delay, d, sizeof(d));
		kl_pod_say(kp, "CrashLoopBackOff",
			   "back-off %s restarting failed container=%s pod=%s_%s(%s): %s", d,
			   kp->c->name, kp->pod.meta.name, kp->pod.meta.ns, kp->pod.meta.uid, what);
		log_info("pod %s/%s: %s; restarting in %s", kp->pod.meta.ns, kp->pod.meta.name,
			 what, d);
	}
	kl_pod_schedule(kp, delay);
	kl_pod_report(kp);
}

static void kl_pod_forget_process(struct kubelet_pod *kp)
{
	/* Whatever ends the process ends the hook that was to precede its
	 * SIGTERM (an exec hook's process dies with the pod's anyway). */
	kl_hook_cancel(kp);
	if (kp->pidfd >= 0) {
		ev_unwatch(kp->k->loop, kp->pidfd);
		close(kp->pidfd);
		kp->pidfd = -1;
	}
	kp->pid = 0;
	kp->status.pid = 0;
	kp->status.ready = false;
	kl_probe_end(kp);
	if (kp->kill_timer) {
		ev_timer_cancel(kp->k->loop, kp->kill_timer);
		kp->kill_timer = 0;
	}
}

/* Nothing of the pod runs any more: remove its network, report it
 * terminated. A failed detach is retried by the next sync. */
void kl_pod_finish(struct kubelet_pod *kp)
{
	const struct agent_config *cfg = kp->k->cfg;
	char err[256];
	int rc;

	if (kp->retry_timer) {
		ev_timer_cancel(kp->k->loop, kp->retry_timer);
		kp->retry_timer = 0;
	}
	kl_pod_forget_process(kp);
	if (kp->state != KUBELET_POD_DONE)
		log_info("pod %s/%s: terminated", kp->pod.meta.ns, kp->pod.meta.name);
	kp->state = KUBELET_POD_DONE;
	if (kp->net_dirty) {
		kl_proc_kill_netns(kp->netns, SIGKILL);
		rc = podnet_detach(cfg->lab, cfg->node_index, kp->netns, kp->veth, err,
				   sizeof(err));
		if (rc < 0) {
			log_warn("pod %s/%s: remove network: %s", kp->pod.meta.ns,
				 kp->pod.meta.name, err);
		} else {
			kp->net_dirty = false;
			kp->net_ready = false;
		}
	}
	kp->status.terminating = true;
	kp->status.terminated = true;
	kp->status.reason[0] = '\0';
	kp->status.message[0] = '\0';
	kl_pod_report(kp);
}

void kl_pod_exited(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct kubelet_pod *kp = data;
	uint64_t ran = ev_now_ms() - kp->started_ms;
	char desc[96];

	(void)loop;
	(void)fd;
	(void)events;
	kl_proc_reap(kp->pidfd, kp->child, desc, sizeof(desc));
	log_info("pod %s/%s: process %d %s", kp->pod.meta.ns, kp->pod.meta.name, (int)kp->pid,
		 desc);
	kl_pod_forget_process(kp);
	/* As when a container's init process ends: whatever else it started
	 * in the pod goes with it, so the next start finds its ports free. */
	kl_proc_kill_netns(kp->netns, SIGKILL);
	if (kp->state == KUBELET_POD_STOPPING || kp->gone || kp->pod.meta.deleting[0]) {
		kl_pod_finish(kp);
		return;
	}
	kl_pod_crashed(kp, ran, "Error", desc);
}

static void kl_pod_kill(struct ev_loop *loop, uint64_t id, void *data);

/* SIGTERM now, SIGKILL after window_ms. */
static void kl_pod_term(struct kubelet_pod *kp, uint64_t window_ms)
{
	char d[32];

	kl_duration(window_ms, d, sizeof(d));
	log_info("pod %s/%s: SIGTERM to %d, SIGKILL in %s", kp->pod.meta.ns, kp->pod.meta.name,
		 (int)kp->pid, d);
	kp->term_sent = true;
	if (pidfd_send_signal(kp->pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH)
		log_warn("pod %s/%s: SIGTERM: %s", kp->pod.meta.ns, kp->pod.meta.name,
			 strerror(errno));
	if (kp->kill_timer)
		ev_timer_cancel(kp->k->loop, kp->kill_timer);
	kp->kill_timer = ev_timer_add(kp->k->loop, window_ms, kl_pod_kill, kp);
}

/* The kill timer: the end of the grace period, or of the window after a
 * hook. A hook still running at the end of the grace period is given up
 * and the container gets SIGTERM with kubelet's minimum window; otherwise
 * this is SIGKILL. */
static void kl_pod_kill(struct ev_loop *loop, uint64_t id, void *data)
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
		kl_hook_cancel(kp);
		kl_pod_term(kp, kl_term_window_ms(kp->pod.spec.termination_grace_s,
						  ev_now_ms() - kp->stop_ms));
		return;
	}
	log_info("pod %s/%s: grace period over: SIGKILL", kp->pod.meta.ns, kp->pod.meta.name);
	pidfd_send_signal(kp->pidfd, SIGKILL, NULL, 0);
	kl_proc_kill_netns(kp->netns, SIGKILL);
}

void kl_pod_hook_done(struct kubelet_pod *kp, bool ok, const char *msg)
{
	uint64_t took = ev_now_ms() - kp->stop_ms;
	char d[32];

	if (kp->state != KUBELET_POD_STOPPING || kp->term_sent || kp->pidfd < 0)
		return;
	kl_duration(took, d, sizeof(d));
	/* As kubelet: a failed hook is reported, and SIGTERM follows anyway. */
	if (ok)
		log_info("pod %s/%s: preStop hook done after %s", kp->pod.meta.ns,
			 kp->pod.meta.name, d);
	else
		log_warn("pod %s/%s: FailedPreStopHook after %s: %s", kp->pod.meta.ns,
			 kp->pod.meta.name, d, msg);
	kl_pod_term(kp, kl_term_window_ms(kp->pod.spec.termination_grace_s, took));
}

/* Deletion, or the api object disappeared: the preStop hook if there is
 * one, then SIGTERM, then SIGKILL at the end of the grace period, which
 * counts from here, the hook included. The pod keeps probing meanwhile,
 * so it stays serving-but-terminating as long as it still answers
 * (proxies fall back to such endpoints when a Service has no ready one). */
void kl_pod_stop(struct kubelet_pod *kp)
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
						      kl_pod_kill, kp);
			kl_hook_start(kp);
		} else {
			log_info("pod %s/%s: stopping: grace period %ds", kp->pod.meta.ns,
				 kp->pod.meta.name, grace);
			kl_pod_term(kp, (uint64_t)grace * 1000u);
		}
		kl_pod_report(kp);
		break;
	case KUBELET_POD_WAITING:
		kl_pod_finish(kp);
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
static int kl_images(struct kubelet *k, struct images_table *t)
{
	char err[320];
	int rc = images_load(t, k->cfg->bindir, NULL, NULL, err, sizeof(err));

	if (rc > 0 && strcmp(err, k->last_images_warning) != 0) {
		log_warn("%s", err);
		snprintf(k->last_images_warning, sizeof(k->last_images_warning), "%s", err);
	}
	return rc < 0 ? -1 : 0;
}

void kl_pod_start(struct kubelet_pod *kp)
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
		kl_pod_say(kp, "CreateContainerConfigError", "the pod has no containers");
		goto out;
	}
	/* Say ContainerCreating before the slow part (the pod network). */
	kl_pod_report(kp);
	kp->net_dirty = true;
	if (!kp->net_ready) {
		rc = podnet_attach(cfg->lab, cfg->node_index, kp->netns, kp->pod.ip, kp->veth,
				   err, sizeof(err));
		if (rc < 0) {
			delay = kl_pod_wait_delay(kp);
			kl_pod_say(kp, "ContainerCreating", "failed to set up the pod network: %s",
				   err);
			log_warn("pod %s/%s: network: %s", kp->pod.meta.ns, kp->pod.meta.name, err);
			kl_pod_schedule(kp, delay);
			goto out;
		}
		kp->net_ready = true;
	}
	cmd = calloc(1, sizeof(*cmd));
	if (!cmd || kl_images(k, &table) < 0) {
		kl_pod_say(kp, "ContainerCreating", "out of memory");
		kl_pod_schedule(kp, kl_pod_wait_delay(kp));
		goto out;
	}
	img = images_lookup(&table, kp->c->image);
	if (!img) {
		delay = kl_pod_wait_delay(kp);
		/* As kubelet: the failed attempt itself shows ErrImagePull, the
		 * waits between later attempts ImagePullBackOff. The status shows
		 * ErrImagePull only until the first retry; the log keeps the
		 * reason each attempt reported. */
		reason = kp->wait_failures == 1 ? "ErrImagePull" : "ImagePullBackOff";
		kl_pod_say(kp, reason,
			   "image \"%s\" not found in the image table " KUBELET_IMAGE_HELP,
			   kp->c->image);
		kl_duration(delay, d, sizeof(d));
		log_warn("pod %s/%s: %s: image \"%s\" is not in the image table; retrying in %s",
			 kp->pod.meta.ns, kp->pod.meta.name, reason, kp->c->image, d);
		kl_pod_schedule(kp, delay);
		goto out;
	}
	cmd->argc = images_compose(img, kp->c, cmd->argv, MODEL_MAX_ARGS, err, sizeof(err));
	cmd->envc = cmd->argc < 0 ? -1 :
		kl_env_compose(kp->c, kp->pod.meta.name, cmd->env, KUBELET_ENV_MAX,
			       err, sizeof(err));
	if (cmd->argc < 0 || cmd->envc < 0) {
		kl_pod_say(kp, "CreateContainerConfigError", "%s", err);
		kl_pod_schedule(kp, kl_pod_wait_delay(kp));
		goto out;
	}
	for (int i = 0; i < cmd->argc; i++)
		cmd->argp[i] = cmd->argv[i];
	for (int i = 0; i < cmd->envc; i++)
		cmd->envp[i] = cmd->env[i];
	rc = kl_find_exec(cmd->argv[0], kl_env_get(cmd->env, cmd->envc, "PATH"),
			  cmd->path, sizeof(cmd->path));
	if (rc < 0) {
		/* runc's wording, which is what a Kubernetes user sees. */
		snprintf(err, sizeof(err), "exec: \"%.200s\": %s", cmd->argv[0],
			 rc == -EACCES ? "permission denied"
				       : strchr(cmd->argv[0], '/')
					     ? "no such file or directory"
					     : "executable file not found in $PATH");
		if (kp->ever_started)
			kp->status.restarts++;
		kl_pod_crashed(kp, 0, "RunContainerError", err);
		goto out;
	}
	kp->wait_failures = 0;
	sp = (struct kubelet_spawn){
		.netns = kp->netns, .hostname = kp->pod.meta.name, .log_path = kp->log_path,
		.path = cmd->path, .argv = cmd->argp, .envp = cmd->envp,
	};
	pid = kl_proc_spawn(&sp, &pidfd, err, sizeof(err));
	if (kp->ever_started)
		kp->status.restarts++;
	if (pid < 0) {
		kl_pod_crashed(kp, 0, "RunContainerError", err);
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
	if (ev_watch(k->loop, pidfd, EV_READ, kl_pod_exited, kp) < 0)
		log_error("pod %s/%s: cannot watch pid %d", kp->pod.meta.ns, kp->pod.meta.name,
			  (int)pid);
	if (kp->has_probe)
		kl_probe_begin(kp, (uint64_t)kp->c->readiness.initial_delay_s * 1000u);
	log_info("pod %s/%s: started %s (pid %d, %s)", kp->pod.meta.ns, kp->pod.meta.name,
		 cmd->path, (int)pid, kp->c->image);
out:
	kl_pod_report(kp);
	images_table_free(&table);
	free(cmd);
}
