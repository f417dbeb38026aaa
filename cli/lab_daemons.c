/* lab_daemons.c — see lab_daemons.h. */
#include "lab_daemons.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "netns.h"

int labd_list(int nodes, struct labd *out, int max)
{
	int n = 0;

	if (n < max) {
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "controller");
		snprintf(out[n].prog, sizeof(out[n].prog), "clientip-controller");
		snprintf(out[n].role, sizeof(out[n].role), "ctl");
		n++;
	}
	for (int i = 0; i < nodes && n < max; i++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "agent-node%d", i);
		snprintf(out[n].prog, sizeof(out[n].prog), "clientip-agent");
		snprintf(out[n].role, sizeof(out[n].role), "node%d", i);
		snprintf(out[n].node, sizeof(out[n].node), "node%d", i);
	}
	if (n < max) {
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "lb");
		snprintf(out[n].prog, sizeof(out[n].prog), "clientip-lb");
		snprintf(out[n].role, sizeof(out[n].role), "edge");
		n++;
	}
	return n;
}

/* In the child, between fork and exec: only async-signal-safe calls.
 * Failures are reported to the parent as an errno over the pipe. */
static void labd_child(int nsfd, int logfd, int errfd, const char *path, char *const argv[])
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD };
	struct sigaction sa;
	sigset_t none;
	int e, null;

	/* A daemon must not inherit a shell's ignored signals or our mask:
	 * lab down stops it with SIGTERM. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setns(nsfd, CLONE_NEWNET) < 0 || setsid() < 0)
		goto fail;
	/* Whatever else the caller had open (a test harness's pipes, say)
	 * must not be held for the daemon's lifetime: a reader waiting for
	 * EOF on one would wait until lab down. Marked, not closed, so the
	 * error pipe still works should exec fail. */
	if (close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		goto fail;
	null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
		goto fail;
	execv(path, argv);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0) {
		/* nothing left to tell anyone */
	}
	_exit(127);
}

int labd_start(const char *lab, const char *bindir, const char *statedir, const struct labd *d,
	       pid_t *pid, char *err, size_t errlen)
{
	char path[LAB_PATH_MAX], log[LAB_PATH_MAX], pidfile[LAB_PATH_MAX], netns[128], text[32];
	char *argv[8];
	int pipefd[2] = { -1, -1 }, nsfd = -1, logfd = -1, e = 0, rc, argc = 0;
	ssize_t n;
	pid_t child;

	/* A truncated path would look like a daemon that is not built, or
	 * put its pid where `lab status` never looks: refuse instead. */
	if (snprintf(path, sizeof(path), "%s/%s", bindir, d->prog) >= (int)sizeof(path) ||
	    snprintf(log, sizeof(log), "%s/%s/%s.log", statedir, LAB_STATE_LOGS,
		     d->name) >= (int)sizeof(log) ||
	    snprintf(pidfile, sizeof(pidfile), "%s/%s/%s.pid", statedir, LAB_STATE_RUN,
		     d->name) >= (int)sizeof(pidfile)) {
		snprintf(err, errlen, "%s: path too long", d->name);
		return -ENAMETOOLONG;
	}
	if (access(path, X_OK) < 0)
		return 1;
	lab_netns_name(lab, d->role, netns, sizeof(netns));
	argv[argc++] = path;
	argv[argc++] = (char *)"--lab";
	argv[argc++] = (char *)lab;
	if (d->node[0]) {
		argv[argc++] = (char *)"--node";
		argv[argc++] = (char *)d->node;
	}
	argv[argc] = NULL;

	nsfd = netns_open(netns);
	if (nsfd < 0) {
		rc = nsfd;
		snprintf(err, errlen, "%s: namespace %s: %s", d->name, netns, strerror(-rc));
		goto out;
	}
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s: %s", d->name, log, strerror(errno));
		goto out;
	}
	/* close-on-exec: the parent reads EOF when exec succeeds and the
	 * child's errno when it does not. */
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: pipe: %s", d->name, strerror(errno));
		goto out;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: fork: %s", d->name, strerror(errno));
		goto out;
	}
	if (child == 0)
		labd_child(nsfd, logfd, pipefd[1], path, argv);
	close(pipefd[1]);
	pipefd[1] = -1;
	do {
		n = read(pipefd[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(e)) {
		rc = -e;
		snprintf(err, errlen, "%s: start %s in %s: %s", d->name, path, netns, strerror(e));
		goto out;
	}
	*pid = child;
	snprintf(text, sizeof(text), "%ld\n", (long)child);
	rc = fs_write_atomic(pidfile, text, strlen(text), 0644);
	if (rc < 0)
		snprintf(err, errlen, "%s: write %s: %s", d->name, pidfile, strerror(-rc));
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (logfd >= 0)
		close(logfd);
	if (nsfd >= 0)
		close(nsfd);
	return rc;
}

pid_t labd_pid(const char *statedir, const struct labd *d)
{
	char pidfile[LAB_PATH_MAX], *text = NULL, *end;
	long v;
	int rc;

	if (snprintf(pidfile, sizeof(pidfile), "%s/%s/%s.pid", statedir, LAB_STATE_RUN,
		     d->name) >= (int)sizeof(pidfile))
		return -ENAMETOOLONG;
	rc = fs_read_all(pidfile, &text, NULL);
	if (rc < 0)
		return rc;
	v = strtol(text, &end, 10);
	if (end == text || (*end != '\n' && *end != '\0') || v <= 0)
		v = -EINVAL;
	free(text);
	return (pid_t)v;
}

bool labd_running(const char *lab, const struct labd *d, pid_t pid)
{
	struct netns_id want, have;
	char netns[128];

	if (pid <= 0 || kill(pid, 0) < 0)
		return false;
	lab_netns_name(lab, d->role, netns, sizeof(netns));
	/* A zombie has no namespace left: stat fails and it counts as dead. */
	if (netns_id_of(netns, &want) < 0 || netns_id_of_pid(pid, &have) < 0)
		return false;
	return want.dev == have.dev && want.ino == have.ino;
}
