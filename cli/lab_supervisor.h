/* lab_supervisor.h — the process that keeps a lab's daemons running.
 *
 * On a Kubernetes node, systemd restarts a kubelet that dies and the kubelet
 * restarts the control plane's static pods; nothing in the lab did, so a
 * killed node agent took its health check ports with it for good. `lab up`
 * now starts one supervisor per lab, `clientip --lab L lab supervise`, in
 * the lab's control-plane namespace. It starts every daemon of
 * lab_daemons.h as its child and, when one dies, starts it again:
 *
 *  - at once if it had been running for LABSUP_STABLE_MS or more, so a
 *    crash costs well under a second;
 *  - otherwise after a back-off that doubles from LABSUP_BACKOFF_MIN_MS up
 *    to LABSUP_BACKOFF_MAX_MS, as the kubelet's CrashLoopBackOff does, so a
 *    daemon that cannot start does not spin.
 *
 * Each restart is counted in <statedir>/run/<name>.restarts (one line:
 * count, Unix time of the last exit, how it exited), which `lab status`
 * shows. The API server's listener is made once by `lab up` and handed to
 * every start of the server, so its port never changes and kubectl's
 * connections wait in the queue while the server restarts.
 *
 * SIGTERM or SIGINT stop the supervisor: it stops restarting, sends SIGTERM
 * to every daemon, SIGKILL to those still there after the grace period,
 * and exits when all are gone. `lab down` does that first, so that nothing
 * it stops comes back behind its back.
 */
#ifndef CLIENTIP_LAB_SUPERVISOR_H
#define CLIENTIP_LAB_SUPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LABSUP_STABLE_MS      10000
#define LABSUP_BACKOFF_MIN_MS 100
#define LABSUP_BACKOFF_MAX_MS 10000
/* How long the daemons get between SIGTERM and SIGKILL when it stops. */
#define LABSUP_TERM_MS        2000

/* The delay before restarting a daemon that ran for ran_ms, given the
 * delay used before its last start (0 for none). */
uint64_t labsup_backoff_ms(uint64_t previous_ms, uint64_t ran_ms);

/* Runs the supervisor of lab until SIGTERM/SIGINT: starts the daemons of a
 * lab with that many nodes, reporting each start on report_fd (if >= 0)
 * as one line, "started NAME PID", "skipped NAME" (not built) or "failed
 * NAME MESSAGE", then closing it. api_listenfd is the API server's
 * listener (labd_api_listen). The exit status for the process. */
int labsup_run(const char *lab, const char *bindir, const char *statedir, int nodes,
	       int api_listenfd, int report_fd);

/* What the supervisor recorded about one daemon. */
struct labsup_record {
	int restarts;
	int64_t last_exit_unix;     /* 0: never exited */
	char last_exit[64];         /* "killed by SIGKILL", "exited with status 1" */
};

/* Reads run/<name>.restarts; a daemon never restarted reads as zeros.
 * 0, or -errno for an unreadable or malformed file. */
int labsup_record_read(const char *statedir, const char *name, struct labsup_record *out);

/* The supervisor's pid from run/supervisor.pid, if that process is alive
 * in the lab's control-plane namespace; -ESRCH or -ENOENT otherwise. */
pid_t labsup_pid(const char *lab, const char *statedir);

/* Stops the lab's supervisor, if there is one, and waits up to wait_ms
 * for it (and so its daemons) to be gone. 0, or -ETIMEDOUT. */
int labsup_stop(const char *lab, const char *statedir, int wait_ms);

#endif
