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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fsutil.h"
#include "netns.h"
#include "sock.h"

#define LABD_LISTEN_FD 3
#define LABD_LISTEN_FD_TEXT "3"

int labd_list(int nodes, struct labd *out, int max)
{
	int n = 0;

	/* The API server first: the others are its clients. */
	if (n < max) {
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "apiserver");
		snprintf(out[n].prog, sizeof(out[n].prog), "clientip-apiserver");
		snprintf(out[n].role, sizeof(out[n].role), "control");
		n++;
	}
	if (n < max) {
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "controller");
		snprintf(out[n].prog, sizeof(out[n].prog), "clientip-controller");
		snprintf(out[n].role, sizeof(out[n].role), "control");
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
		snprintf(out[n].name, sizeof(out[n].name), "gateway");
		snprintf(out[n].prog, sizeof(out[n].prog), "clientip-gateway");
		snprintf(out[n].role, sizeof(out[n].role), "edge");
		n++;
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
static void labd_child(int nsfd, int logfd, int errfd, int listenfd, const char *path,
		       char *const argv[])
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
	/* The API server's listener becomes fd 3 (dup2 onto itself would keep
	 * close-on-exec, so clear the flag instead). */
	if (listenfd >= 0 && (listenfd == LABD_LISTEN_FD ?
			      fcntl(listenfd, F_SETFD, 0) : dup2(listenfd, LABD_LISTEN_FD)) < 0)
		goto fail;
	execv(path, argv);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0) {
		/* nothing left to tell anyone */
	}
	_exit(127);
}

/* The API server's TCP listener, made here in the caller's (the host's)
 * network namespace before the server moves into the lab's control-plane
 * namespace: kubectl on the host reaches it at 127.0.0.1:PORT while nothing
 * else of the lab touches the host's network. The port of the lab's last
 * server is taken again when free, so a kubeconfig stays valid across a
 * restart. The port is written to <statedir>/apiserver.port. */
int labd_api_listen(const char *statedir, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_storage bound;
	char path[LAB_PATH_MAX], *text = NULL, out[16];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/apiserver.port", statedir);
	if (fs_read_all(path, &text, NULL) == 0) {
		sa.sin_port = htons((uint16_t)atoi(text));
		free(text);
	}
	fd = sock_listen_tcp((struct sockaddr *)&sa, sizeof(sa), 0, 512);
	if (fd < 0 && sa.sin_port) {
		sa.sin_port = 0;
		fd = sock_listen_tcp((struct sockaddr *)&sa, sizeof(sa), 0, 512);
	}
	if (fd < 0 || (rc = sock_local_addr(fd, &bound)) < 0) {
		errno = fd < 0 ? -fd : -rc;
		goto fail;
	}
	snprintf(out, sizeof(out), "%u\n", sock_port((struct sockaddr *)&bound));
	rc = fs_write_atomic(path, out, strlen(out), 0644);
	if (rc < 0) {
		errno = -rc;
		goto fail;
	}
	return fd;
fail:
	rc = -errno;
	snprintf(err, errlen, "apiserver: listen on 127.0.0.1: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

int labd_start(const char *lab, const char *bindir, const char *statedir, const struct labd *d,
	       int api_listenfd, pid_t *pid, char *err, size_t errlen)
{
	char path[LAB_PATH_MAX], log[LAB_PATH_MAX], pidfile[LAB_PATH_MAX], netns[128], text[32];
	char *argv[10];
	int pipefd[2] = { -1, -1 }, nsfd = -1, logfd = -1, listenfd = -1, e = 0, rc, argc = 0;
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
	if (strcmp(d->prog, "clientip-apiserver") == 0) {
		if (api_listenfd < 0) {
			snprintf(err, errlen, "%s: no listener to hand over", d->name);
			return -EINVAL;
		}
		listenfd = api_listenfd;
		argv[argc++] = (char *)"--listen-fd";
		argv[argc++] = (char *)LABD_LISTEN_FD_TEXT;
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
		labd_child(nsfd, logfd, pipefd[1], listenfd, path, argv);
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
