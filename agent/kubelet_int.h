/* kubelet_int.h — the kubelet role's parts, shared by kubelet*.c (not an
 * API; the role's API is kubelet.h). Private prefix kl_.
 *
 *   kubelet.c        pods: sync with the API's pods of this node, adoption,
 *                    orphans, the heartbeat timer
 *   kubelet_pod.c    a pod's lifecycle: start, exit and back-off, stop
 *   kubelet_status.c a pod's status reported: checkpoint, API, Events
 *   kubelet_node.c   the node in the API: its Node, its status, its Lease
 *   kubelet_proc.c   processes: spawn into a pod namespace, adopt, reap, kill
 *   kubelet_probe.c  readiness probes on the event loop
 *   kubelet_hook.c   preStop hooks (exec, httpGet, sleep) on the event loop
 *   kubelet_logs.c   the kubelet's HTTP API: containerLogs, followed or not
 *   kubelet_util.c   pure pieces (back-off, probe thresholds, hook headers,
 *                    environment), unit-tested on their own
 */
#ifndef CLIENTIP_KUBELET_INT_H
#define CLIENTIP_KUBELET_INT_H

#include <jansson.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "httpd.h"
#include "images.h"
#include "kubelet.h"
#include "model.h"
#include "probe.h"

/* ---- back-off (kubelet_util.c) ------------------------------------------ */

/* kubelet's container restart back-off: 10 s, doubling, capped at 300 s,
 * forgotten after 10 min. CLIENTIP_BACKOFF_BASE_MS replaces the 10 s and
 * scales the cap (30x) and the reset window (60x) with it, so a lab or a
 * test can run the same schedule faster. */
#define KUBELET_BACKOFF_ENV      "CLIENTIP_BACKOFF_BASE_MS"
#define KUBELET_BACKOFF_BASE_MS  10000u
#define KUBELET_BACKOFF_CAP      30u   /* x base: 300 s */
#define KUBELET_BACKOFF_RESET    60u   /* x base: 600 s */

/* The base from the environment variable's value (NULL: unset). Values
 * that are not a positive number of milliseconds keep the default. */
uint64_t kl_backoff_base(const char *env_value);
/* The wait before retry number n (n >= 1): base, 2 base, 4 base ... cap.
 * n <= 0 is no wait. */
uint64_t kl_backoff_delay(uint64_t base_ms, int n);

/* Consecutive crashes of one container. */
struct kubelet_backoff {
	int crashes;
};

/* The container exited after running ran_ms: returns how long to wait
 * before starting it again. As kubelet does, the first crash restarts at
 * once and each further one waits twice as long; a run longer than the
 * reset window starts the count afresh. */
uint64_t kl_backoff_next(struct kubelet_backoff *b, uint64_t base_ms, uint64_t ran_ms);

/* ---- readiness thresholds (kubelet_util.c) ------------------------------ */

struct kubelet_probe_state {
	bool ready;
	int successes;   /* consecutive */
	int failures;    /* consecutive */
};

/* Records one probe result; true if `ready` changed. Ready needs
 * success_threshold successes in a row, not ready failure_threshold
 * failures in a row (a container starts not ready). */
bool kl_probe_record(struct kubelet_probe_state *s, const struct model_probe *p, bool ok);

/* The port a probe targets: its number, or the named containerPort's;
 * -1 if the name is not one of the container's ports. */
int kl_probe_port(const struct model_container *c, const struct model_probe *p);

/* ---- termination (kubelet_util.c) --------------------------------------- */

/* kubelet's floor on the time between SIGTERM and SIGKILL after a preStop
 * hook (minimumGracePeriodInSeconds). */
#define KUBELET_MIN_GRACE_MS 2000u

/* The preStop hook ended (or was given up at the deadline) hook_ms after
 * deletion began: how long the container gets between SIGTERM and
 * SIGKILL. What is left of the grace period, but never less than
 * KUBELET_MIN_GRACE_MS, so a hook that used it all still leaves the
 * process a moment to exit cleanly. */
uint64_t kl_term_window_ms(int grace_s, uint64_t hook_ms);

/* The header lines an httpGet hook sends besides Host: kubelet's
 * lifecycle headers, then the hook's httpHeaders (a User-Agent or Accept
 * among them replaces the default); *host is the hook's own Host header,
 * NULL if it has none. Returns the length, or -1 if it does not fit. */
int kl_hook_headers(char *buf, size_t len, const struct model_hook *h, const char **host);

/* ---- environment (kubelet_util.c) --------------------------------------- */

#define KUBELET_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define KUBELET_ENV_MAX      (MODEL_MAX_ENV + 2)
#define KUBELET_ENV_LEN      (128 + 1 + 1024)

/* A container's environment, as "NAME=value" strings: PATH and HOSTNAME
 * (the pod's name) first, then the container's env in order, a later
 * definition replacing an earlier one; values expand $(VAR) references
 * to variables defined before them, as in Kubernetes. Returns the count,
 * or -1 with a message in err. */
int kl_env_compose(const struct model_container *c, const char *hostname,
		   char (*env)[KUBELET_ENV_LEN], int max, char *err, size_t errlen);
/* The value of NAME in such a list, or NULL. */
const char *kl_env_get(char (*env)[KUBELET_ENV_LEN], int n, const char *name);

/* Finds cmd the way execvp would, in the colon-separated path (a cmd with
 * a slash is taken as is, relative to /). 0 with the file in out,
 * -ENOENT, or -EACCES if only non-executable candidates exist. */
int kl_find_exec(const char *cmd, const char *path, char *out, size_t outlen);

/* "exit code 1", "killed by signal 9 (KILL)" from waitid()'s si_code and
 * si_status. */
void kl_exit_describe(int code, int status, char *buf, size_t len);

/* ---- processes (kubelet_proc.c) ----------------------------------------- */

struct kubelet_spawn {
	const char *netns;        /* pod namespace name */
	const char *hostname;     /* the pod's name, in its own UTS namespace */
	const char *log_path;     /* stdout and stderr, appended */
	const char *path;         /* the executable */
	char *const *argv;
	char *const *envp;
};

/* Forks and execs s->path inside the pod's namespace, in a new session,
 * with stdin on /dev/null. Returns the pid with *pidfd set, or -errno with
 * a message in err. The child never outlives a failed exec: it reports to
 * the log and exits 127. */
pid_t kl_proc_spawn(const struct kubelet_spawn *s, int *pidfd, char *err, size_t errlen);
/* Takes over pid if it is still alive inside the named namespace: 0 with
 * *pidfd set, or -errno (-ESRCH: gone; -EPERM: a different process). */
int kl_proc_adopt(pid_t pid, const char *netns, int *pidfd);
/* After pidfd turned readable: collects the exit of a child (child true)
 * and describes it; an adopted process's exit status is not ours to know.
 * The exit code, or -1 if it was killed or is unknown. */
int kl_proc_reap(int pidfd, bool child, char *desc, size_t desclen);
/* Sends sig to every process in the named namespace (never to the
 * caller's own namespace). The number signalled, or -errno. */
int kl_proc_kill_netns(const char *netns, int sig);

/* ---- pods (kubelet.c, kubelet_pod.c, kubelet_status.c) ------------------ */

enum kubelet_pod_state {
	KUBELET_POD_WAITING,      /* not running: first start, or waiting to retry */
	KUBELET_POD_RUNNING,
	KUBELET_POD_STOPPING,     /* SIGTERM sent, grace period running */
	KUBELET_POD_DONE,         /* terminated: process gone, namespace removed */
};

/* A probe in flight or waiting for its next period. */
struct kubelet_prober {
	struct probe attempt;     /* the running probe, with its timeout */
	uint64_t next_timer;      /* the next probe */
	uint64_t started_ms;
	bool warned;              /* a bad probe (named port missing) was logged */
};

/* The preStop hook being run (kubelet_hook.c). */
struct kubelet_hook {
	bool running;             /* started, its end not yet handled */
	struct probe http;        /* httpGet: the request */
	char dest[32];            /* httpGet: "ip:port", for its messages */
	int pidfd;                /* exec: the command, -1 when none (watched until reaped) */
	pid_t pid;
	uint64_t timer;           /* sleep: its end */
	char fail[1024];          /* why a hook that could not start failed */
};

struct kubelet_pod {
	struct kubelet *k;
	struct model_pod pod;
	const struct model_container *c;  /* pod.spec.containers[0] */
	char netns[256];
	char veth[IF_NAMESIZE];
	char log_path[LAB_PATH_MAX];
	bool seen;                /* among the node's pods at the latest sync */
	bool gone;                /* its api object is gone: forget it once done */
	bool net_ready;           /* podnet_attach succeeded for this pod */
	bool net_dirty;           /* its namespace may exist: detach before forgetting it */
	enum kubelet_pod_state state;

	pid_t pid;
	int pidfd;                /* -1 when no process */
	bool child;               /* our child (waitable), not adopted */
	bool ever_started;
	uint64_t started_ms;      /* monotonic start of the current process */

	struct kubelet_backoff crash;
	int wait_failures;        /* failed starts before a process ran (image, sandbox) */
	uint64_t retry_timer;
	uint64_t kill_timer;      /* the deadline: end of grace, or SIGKILL after SIGTERM */
	uint64_t stop_ms;         /* monotonic start of the deletion */
	bool term_sent;           /* SIGTERM went out (after the preStop hook, if any) */
	struct kubelet_hook hook;

	bool has_probe;
	struct kubelet_probe_state probe;
	struct kubelet_prober prober;

	struct model_pod_status status;   /* what this agent reports */
	struct model_pod_status written;  /* what status/pods and the API hold */
	bool have_written;
	uint64_t written_rv;      /* the pod's resourceVersion after that report (0: unknown) */
	bool removed;             /* deleted for good (or found gone) in the API */
	/* The status the pod's Events were last derived from: all zero for a
	 * new pod, the last agent's for an adopted one (no second Started). */
	struct model_pod_status reported;
};

struct kubelet {
	struct ev_loop *loop;
	const struct agent_config *cfg;
	struct kubelet_pod **pods;
	int n_pods, cap_pods;
	uint64_t backoff_base_ms;
	uint64_t heartbeat_timer;
	uint64_t resync_timer;
	bool first_sync_done;
	struct kubelet_node *node;   /* kubelet_node.c */
	struct apiwatch *pods_w;     /* this node's pods, from the API server */
	struct httpd *logs_srv;      /* kubelet_logs.c */
	char logs_path[LAB_PATH_MAX + 64];
	char last_images_warning[320];
};

/* kubelet_node.c: registers the node when it is not yet, posts its status
 * when it differs from the API server's, renews its Lease. Every
 * KUBELET_HEARTBEAT_MS. */
void kl_node_heartbeat(struct kubelet *k);
/* An Event as kubelet records them (source kubelet), about the object
 * kind/name (a Node: ns "default", ref_ns ""; a Pod: both its namespace),
 * uid may be NULL. A failure is only logged. */
void kl_event(struct kubelet *k, const char *ns, const char *kind, const char *ref_ns,
	      const char *name, const char *uid, const char *type, const char *reason,
	      const char *message);
/* -ENOMEM or 0; nothing is sent yet. kl_node_free() either way. */
int kl_node_new(struct kubelet *k);
void kl_node_free(struct kubelet *k);

/* kubelet_status.c: the pod's status, when it changed since the last report: into the
 * agent's checkpoint (status/pods, read back by a restarted agent to
 * adopt its processes) and to the API server; a pod being deleted whose
 * container ended, with its network gone, is then deleted for good. */
void kl_pod_report(struct kubelet_pod *kp);
/* kubelet's status manager, reconciling: when the API's copy of the pod
 * (obj, from the watch) has caught up with this kubelet's last report and
 * says another Ready (the node lifecycle controller set it False while
 * the node was silent), the next kl_pod_report sends the status again. */
void kl_pod_reconcile(struct kubelet_pod *kp, const json_t *obj);
/* kubelet_node.c: the pod's status subresource as st says it (a merge
 * patch, the pod's uid a precondition: 409 for another pod of that name);
 * the pod deleted at once (grace period 0, only this uid), as
 * kubelet ends a deletion once the containers are gone. The HTTP status,
 * or -1 when no answer came; failures are logged once. rv (may be NULL):
 * the pod's resourceVersion after a status sent (200), else 0. */
int kl_pod_status_send(struct kubelet *k, const struct model_pod *pod,
		       const struct model_pod_status *st, uint64_t *rv);
int kl_pod_remove(struct kubelet *k, const struct model_pod *pod);
/* True for KUBELET_API_QUIET_MS after a request the API server did not
 * answer: the pods' reports to it (status, Events, removal) wait, so that
 * a frozen server costs the loop, which the service proxy shares, one
 * timeout per period rather than one per pod. */
#define KUBELET_API_QUIET_MS 2000
bool kl_api_quiet(const struct kubelet *k);
/* kubelet_status.c: an Event about the pod, as kl_event() records it,
 * unless the API server is quiet: then it is dropped, as a failed one is,
 * so that a pod's Events (the Unhealthy of every failed probe too) cost a
 * frozen server no more timeouts than its reports do. */
void kl_pod_event(struct kubelet_pod *kp, const char *type, const char *reason,
		  const char *message);

/* kubelet.c: the pod this kubelet runs as ns/name, NULL if none. */
struct kubelet_pod *kl_find(struct kubelet *k, const char *ns, const char *name);

/* kubelet_logs.c: serves the pods' logs on the node's kubelet socket
 * (lab_kubelet_socket). 0, or -1 with a message in err. */
int kl_logs_start(struct kubelet *k, char *err, size_t errlen);
/* Closes the socket and every log being followed. Safe when not started. */
void kl_logs_stop(struct kubelet *k);

/* kubelet_hook.c: runs the first container's preStop hook; its end is
 * reported to kl_pod_hook_done(), never from within kl_hook_start. */
void kl_hook_start(struct kubelet_pod *kp);
/* Gives up a running hook (an exec hook's process is killed); nothing is
 * reported. Safe when no hook runs. */
void kl_hook_cancel(struct kubelet_pod *kp);
/* Releases what the hook holds when the pod is freed. */
void kl_hook_free(struct kubelet_pod *kp);
/* kubelet_pod.c: the hook ended; ok false with what failed in msg. */
void kl_pod_hook_done(struct kubelet_pod *kp, bool ok, const char *msg);

/* kubelet_pod.c: the pod's lifecycle, as kubelet.c's sync drives it. */
/* Sets the reason and message a waiting pod shows. */
void kl_pod_say(struct kubelet_pod *kp, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Starts the pod's container: its network, then its process; a failure
 * is shown in its status and retried after the back-off. */
void kl_pod_start(struct kubelet_pod *kp);
/* The pidfd of the pod's process turned readable (an ev watch callback,
 * for a started or an adopted process): restart it, or finish the pod. */
void kl_pod_exited(struct ev_loop *loop, int fd, unsigned events, void *data);
/* Deletion, or the api object disappeared: preStop hook, SIGTERM,
 * SIGKILL at the end of the grace period. */
void kl_pod_stop(struct kubelet_pod *kp);
/* Nothing of the pod runs any more: its network removed, reported
 * terminated. A failed detach is retried by calling it again. */
void kl_pod_finish(struct kubelet_pod *kp);

/* kubelet_probe.c: starts probing a freshly running (or adopted) process;
 * first_ms is the delay to the first probe. */
void kl_probe_begin(struct kubelet_pod *kp, uint64_t first_ms);
/* Stops probing (process gone) and closes any probe in flight. */
void kl_probe_end(struct kubelet_pod *kp);

#endif
