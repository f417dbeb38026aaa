/* kubelet_hook.c — a container's preStop hook, run on the agent's event loop.
 *
 * The proxy shares the loop, so no hook blocks it: `sleep` is a timer,
 * `exec` a process in the pod's namespaces watched through its pidfd, and
 * `httpGet` a lib/probe attempt from the node's namespace to the pod,
 * done when a response header arrives. Whatever the handler, its end
 * goes to kl_pod_hook_done(), which sends SIGTERM; the deadline (the
 * pod's grace period) is kubelet_pod.c's timer, which cancels a hook still
 * running.
 */
#include "kubelet_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

/* The argv and environment of an exec hook, with execve's pointer arrays. */
struct kubelet_hook_cmd {
	char env[KUBELET_ENV_MAX][KUBELET_ENV_LEN];
	char *argp[MODEL_HOOK_MAX_ARGS + 1];
	char *envp[KUBELET_ENV_MAX + 1];
	char path[LAB_PATH_MAX];
};

/* Ends the hook and reports it; later events of the same hook are ignored. */
static void kl_hook_end(struct kubelet_pod *kp, bool ok, const char *msg)
{
	struct kubelet_hook *h = &kp->hook;

	if (!h->running)
		return;
	h->running = false;
	if (h->timer) {
		ev_timer_cancel(kp->k->loop, h->timer);
		h->timer = 0;
	}
	probe_cancel(&h->http);
	kl_pod_hook_done(kp, ok, msg);
}

/* Pod "name_ns(uid)", as kubelet names a pod in its messages. */
static void kl_hook_pod(const struct kubelet_pod *kp, char *buf, size_t len)
{
	snprintf(buf, len, "%s_%s(%s)", kp->pod.meta.name, kp->pod.meta.ns, kp->pod.meta.uid);
}

/* ---- sleep -------------------------------------------------------------------- */

static void kl_hook_slept(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet_pod *kp = data;

	(void)loop;
	(void)id;
	kp->hook.timer = 0;
	kl_hook_end(kp, true, "");
}

/* ---- exec ---------------------------------------------------------------------- */

static void kl_hook_reaped(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct kubelet_pod *kp = data;
	struct kubelet_hook *h = &kp->hook;
	const struct model_hook *spec = &kp->c->pre_stop;
	char desc[96], cmd[512], pod[192], msg[1024];
	size_t off = 0;
	int code;

	(void)events;
	code = kl_proc_reap(fd, true, desc, sizeof(desc));
	ev_unwatch(loop, fd);
	close(fd);
	h->pidfd = -1;
	h->pid = 0;
	if (code == 0) {
		kl_hook_end(kp, true, "");
		return;
	}
	cmd[0] = '\0';
	for (int i = 0; i < spec->n_command && off < sizeof(cmd); i++) {
		int n = snprintf(cmd + off, sizeof(cmd) - off, "%s%s", i ? " " : "",
				 spec->command[i]);

		off += n > 0 ? (size_t)n : 0;
	}
	kl_hook_pod(kp, pod, sizeof(pod));
	if (code > 0)
		snprintf(desc, sizeof(desc), "exited with %d", code);
	snprintf(msg, sizeof(msg), "Exec lifecycle hook ([%.200s]) for Container \"%s\" "
		 "in Pod \"%s\" failed - error: command '%.200s' %s", cmd, kp->c->name, pod,
		 cmd, desc);
	kl_hook_end(kp, false, msg);
}

static int kl_hook_exec(struct kubelet_pod *kp, char *err, size_t errlen)
{
	const struct model_hook *spec = &kp->c->pre_stop;
	struct kubelet_hook *h = &kp->hook;
	struct kubelet_hook_cmd *cmd = calloc(1, sizeof(*cmd));
	struct kubelet_spawn sp;
	int envc, rc = -1, pidfd;
	pid_t pid;

	if (!cmd) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The container's environment, as the runtime gives an exec. */
	envc = kl_env_compose(kp->c, kp->pod.meta.name, cmd->env, KUBELET_ENV_MAX, err,
			      errlen);
	if (envc < 0)
		goto out;
	for (int i = 0; i < envc; i++)
		cmd->envp[i] = cmd->env[i];
	for (int i = 0; i < spec->n_command; i++)
		cmd->argp[i] = (char *)spec->command[i];
	rc = kl_find_exec(spec->command[0], kl_env_get(cmd->env, envc, "PATH"),
			  cmd->path, sizeof(cmd->path));
	if (rc < 0) {
		const char *why = rc == -EACCES ? "permission denied"
				  : strchr(spec->command[0], '/')
					? "no such file or directory"
					: "executable file not found in $PATH";

		snprintf(err, errlen, "exec: \"%.200s\": %s", spec->command[0], why);
		rc = -1;
		goto out;
	}
	/* Its output goes to the pod's log: there is no exec stream to keep
	 * it in, and the log is where a lab user looks. */
	sp = (struct kubelet_spawn){
		.netns = kp->netns, .hostname = kp->pod.meta.name, .log_path = kp->log_path,
		.path = cmd->path, .argv = cmd->argp, .envp = cmd->envp,
	};
	pid = kl_proc_spawn(&sp, &pidfd, err, errlen);
	if (pid < 0) {
		rc = -1;
		goto out;
	}
	if (ev_watch(kp->k->loop, pidfd, EV_READ, kl_hook_reaped, kp) < 0) {
		pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		waitid(P_PIDFD, (id_t)pidfd, NULL, WEXITED);
		close(pidfd);
		snprintf(err, errlen, "event loop full");
		rc = -1;
		goto out;
	}
	h->pid = pid;
	h->pidfd = pidfd;
	rc = 0;
out:
	free(cmd);
	return rc;
}

/* ---- httpGet ------------------------------------------------------------------- */

static void kl_hook_http_fail(struct kubelet_pod *kp, const char *why)
{
	char pod[192], msg[1024];

	kl_hook_pod(kp, pod, sizeof(pod));
	snprintf(msg, sizeof(msg), "HTTP lifecycle hook (%.200s) for Container \"%s\" "
		 "in Pod \"%s\" failed - error: %s", kp->c->pre_stop.path, kp->c->name, pod,
		 why);
	kl_hook_end(kp, false, msg);
}

static void kl_hook_answered(const struct probe_result *r, void *data)
{
	struct kubelet_pod *kp = data;
	char why[160];

	/* kubelet does not look at the status code of a hook's answer: any
	 * HTTP response is a hook that ran. */
	if (r->outcome == PROBE_OK) {
		kl_hook_end(kp, true, "");
		return;
	}
	if (r->stage == PROBE_CONNECT)
		snprintf(why, sizeof(why), "dial tcp %s: connect: %s", kp->hook.dest,
			 strerror(r->error));
	else if (r->stage == PROBE_SEND)
		snprintf(why, sizeof(why), "write: %s", strerror(r->error));
	else if (r->error == 0)
		snprintf(why, sizeof(why), "EOF before a status line");
	else if (r->error == EPROTO)
		snprintf(why, sizeof(why), "malformed HTTP response");
	else
		snprintf(why, sizeof(why), "read: %s", strerror(r->error));
	kl_hook_http_fail(kp, why);
}

static int kl_hook_http(struct kubelet_pod *kp, char *err, size_t errlen)
{
	const struct model_hook *spec = &kp->c->pre_stop;
	struct kubelet_hook *h = &kp->hook;
	struct model_probe as_probe;
	/* No timeout of its own: the deadline is the pod's grace period. */
	struct probe_spec ps = { .kind = PROBE_HTTP, .path = spec->path };
	char host[INET_ADDRSTRLEN], headers[PROBE_REQ_MAX];
	int rc;

	if (!spec->host[0]) {
		ps.addr = kp->pod.ip;
	} else if (inet_pton(AF_INET, spec->host, &ps.addr) != 1) {
		snprintf(err, errlen, "host \"%s\": the lab's kubelet takes an IPv4 address only",
			 spec->host);
		return -1;
	}
	inet_ntop(AF_INET, &ps.addr, host, sizeof(host));
	/* A named port resolves as a probe's does. */
	memset(&as_probe, 0, sizeof(as_probe));
	as_probe.port = spec->port;
	snprintf(as_probe.port_name, sizeof(as_probe.port_name), "%s", spec->port_name);
	ps.port = kl_probe_port(kp->c, &as_probe);
	if (ps.port <= 0) {
		snprintf(err, errlen, "couldn't find port: %s in container %s", spec->port_name,
			 kp->c->name);
		return -1;
	}
	snprintf(h->dest, sizeof(h->dest), "%s:%d", host, ps.port);
	if (kl_hook_headers(headers, sizeof(headers), spec, &ps.host) < 0) {
		snprintf(err, errlen, "request too long");
		return -1;
	}
	ps.headers = headers;
	/* kubelet tries HTTPS, and when the server answers in plain HTTP it
	 * asks again in HTTP; the lab speaks no TLS, so it starts there. */
	if (spec->https)
		log_info("pod %s/%s: preStop hook asks for HTTPS: sent as HTTP", kp->pod.meta.ns,
			 kp->pod.meta.name);
	rc = probe_start(&h->http, kp->k->loop, &ps, kl_hook_answered, kp);
	if (rc == -EMSGSIZE) {
		snprintf(err, errlen, "request too long");
		return -1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "dial tcp %s: connect: %s", h->dest, strerror(-rc));
		return -1;
	}
	return 0;
}

/* ---- start and stop --------------------------------------------------------------- */

/* A hook that could not even start fails on the next turn of the loop, so
 * kl_pod_hook_done() never runs inside kl_pod_stop(). */
static void kl_hook_failed_start(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet_pod *kp = data;

	(void)loop;
	(void)id;
	kp->hook.timer = 0;
	kl_hook_end(kp, false, kp->hook.fail);
}

void kl_hook_start(struct kubelet_pod *kp)
{
	const struct model_hook *spec = &kp->c->pre_stop;
	struct kubelet_hook *h = &kp->hook;
	char err[512], pod[192];
	int rc = 0;

	kl_hook_cancel(kp);
	h->running = true;
	err[0] = '\0';
	switch (spec->kind) {
	case MODEL_HOOK_SLEEP:
		h->timer = ev_timer_add(kp->k->loop, (uint64_t)spec->sleep_s * 1000u,
					kl_hook_slept, kp);
		return;
	case MODEL_HOOK_EXEC:
		rc = spec->n_command > 0 ? kl_hook_exec(kp, err, sizeof(err)) : -1;
		break;
	case MODEL_HOOK_HTTP:
		rc = kl_hook_http(kp, err, sizeof(err));
		if (rc < 0) {
			kl_hook_pod(kp, pod, sizeof(pod));
			snprintf(h->fail, sizeof(h->fail), "HTTP lifecycle hook (%.200s) "
				 "for Container \"%.64s\" in Pod \"%.190s\" failed - error: %.500s",
				 spec->path, kp->c->name, pod, err);
			h->timer = ev_timer_add(kp->k->loop, 0, kl_hook_failed_start, kp);
			return;
		}
		break;
	case MODEL_HOOK_NONE:
		rc = -1;
		snprintf(err, sizeof(err), "no handler");
		break;
	}
	if (rc < 0) {
		kl_hook_pod(kp, pod, sizeof(pod));
		snprintf(h->fail, sizeof(h->fail), "Exec lifecycle hook for Container \"%.64s\" in "
			 "Pod \"%.190s\" failed - error: %.500s", kp->c->name, pod, err);
		h->timer = ev_timer_add(kp->k->loop, 0, kl_hook_failed_start, kp);
	}
}

void kl_hook_cancel(struct kubelet_pod *kp)
{
	struct kubelet_hook *h = &kp->hook;

	h->running = false;
	if (h->timer) {
		ev_timer_cancel(kp->k->loop, h->timer);
		h->timer = 0;
	}
	probe_cancel(&h->http);
	/* An exec hook's process dies now; its pidfd stays watched until it
	 * is reaped, and the end of a hook no longer running is not news. */
	if (h->pidfd >= 0)
		pidfd_send_signal(h->pidfd, SIGKILL, NULL, 0);
}

void kl_hook_free(struct kubelet_pod *kp)
{
	struct kubelet_hook *h = &kp->hook;

	kl_hook_cancel(kp);
	if (h->pidfd >= 0) {
		siginfo_t si;

		ev_unwatch(kp->k->loop, h->pidfd);
		/* SIGKILLed above: reap it if it is gone already; otherwise init
		 * does once the agent exits. */
		waitid(P_PIDFD, (id_t)h->pidfd, &si, WEXITED | WNOHANG);
		close(h->pidfd);
		h->pidfd = -1;
	}
}
