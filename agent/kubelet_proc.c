/* kubelet_proc.c — pod processes: spawn, adopt, reap, kill.
 *
 * Every pod process is watched through a pidfd, whether the agent forked
 * it or adopted it after a restart: a pidfd turns readable when its
 * process exits, so one mechanism on the event loop serves both, and
 * signals sent through it can never hit a recycled pid. The agent does
 * not become a child subreaper: a process that a pod leaves behind
 * re-parents to init, which reaps it, and the agent's own children are
 * reaped with waitid(P_PIDFD) as their pidfds fire.
 */
#include "kubelet_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"

/* Between fork and exec: async-signal-safe calls only. The agent's health
 * servers run on a thread of their own (proxy_health.c), which may hold a
 * lock (malloc's, stdio's) at the moment of the fork; the child has only
 * this thread, and a lock taken here would never be released. */
static void kl_child_fail(const char *what, const char *path)
{
	/* A static string, no locale lookup (strerror may take a lock). */
	const char *why = strerrordesc_np(errno);

	if (!why)
		why = "unknown error";

	/* stderr is the pod's log by now, or still the agent's. */
	if (write(2, "clientip-agent: ", 16) < 0 || write(2, what, strlen(what)) < 0 ||
	    write(2, path, strlen(path)) < 0 || write(2, ": ", 2) < 0 ||
	    write(2, why, strlen(why)) < 0 || write(2, "\n", 1) < 0) {
		/* nowhere else to tell */
	}
	_exit(127);
}

static void kl_child(const struct kubelet_spawn *s, int nsfd, int nullfd, int logfd)
{
	struct sigaction sa;
	sigset_t none;

	/* Ignored signals stay ignored across exec and the mask is inherited:
	 * a pod must see SIGTERM and SIGPIPE as any fresh process does. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0 || dup2(nullfd, 0) < 0)
		kl_child_fail("redirect output to ", s->log_path);
	if (setns(nsfd, CLONE_NEWNET) < 0)
		kl_child_fail("enter network namespace ", s->netns);
	/* Its own session: no signal meant for the agent's process group
	 * (a terminal's ^C, a kill of the group) reaches the pod. */
	if (setsid() < 0)
		kl_child_fail("new session for ", s->path);
	/* Its own hostname, as a pod has; not worth failing the pod over. */
	if (unshare(CLONE_NEWUTS) == 0 && sethostname(s->hostname, strlen(s->hostname)) < 0) {
		/* keep the node's name */
	}
	close_range(3, ~0u, 0);
	if (chdir("/") < 0)
		kl_child_fail("chdir ", "/");
	umask(022);
	execve(s->path, s->argv, s->envp);
	kl_child_fail("exec ", s->path);
}

pid_t kl_proc_spawn(const struct kubelet_spawn *s, int *pidfd, char *err, size_t errlen)
{
	int nsfd = -1, nullfd = -1, logfd = -1, fd;
	pid_t pid = -1;

	*pidfd = -1;
	nsfd = netns_open(s->netns);
	if (nsfd < 0) {
		pid = nsfd;
		snprintf(err, errlen, "namespace %s: %s", s->netns, strerror(-nsfd));
		goto out;
	}
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	logfd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (nullfd < 0 || logfd < 0) {
		pid = -errno;
		snprintf(err, errlen, "open %s: %s", nullfd < 0 ? "/dev/null" : s->log_path,
			 strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		pid = -errno;
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		kl_child(s, nsfd, nullfd, logfd);
	/* Our child stays a zombie until we reap it, so its pid cannot be
	 * recycled before the pidfd is open. */
	fd = pidfd_open(pid, 0);
	if (fd < 0) {
		int e = errno;

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -e;
		snprintf(err, errlen, "pidfd_open: %s", strerror(e));
		goto out;
	}
	*pidfd = fd;
out:
	if (nsfd >= 0)
		close(nsfd);
	if (nullfd >= 0)
		close(nullfd);
	if (logfd >= 0)
		close(logfd);
	return pid;
}

int kl_proc_adopt(pid_t pid, const char *netns, int *pidfd)
{
	struct netns_id want, have;
	int fd, rc;

	*pidfd = -1;
	if (pid <= 1)
		return -ESRCH;
	rc = netns_id_of(netns, &want);
	if (rc < 0)
		return rc;
	fd = pidfd_open(pid, 0);
	if (fd < 0)
		return -errno;
	/* The pidfd pins the process that has this pid now; once we know
	 * that process is alive after the namespace check, the check was
	 * about it and not about a successor with a recycled pid. */
	rc = netns_id_of_pid(pid, &have);
	if (rc < 0)
		goto fail;
	if (have.dev != want.dev || have.ino != want.ino) {
		rc = -EPERM;
		goto fail;
	}
	if (pidfd_send_signal(fd, 0, NULL, 0) < 0) {
		rc = -errno;
		goto fail;
	}
	*pidfd = fd;
	return 0;
fail:
	close(fd);
	return rc;
}

int kl_proc_reap(int pidfd, bool child, char *desc, size_t desclen)
{
	siginfo_t si;

	snprintf(desc, desclen, "exited");
	if (!child)
		return -1;
	memset(&si, 0, sizeof(si));
	while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (!si.si_pid)
		return -1;
	kl_exit_describe(si.si_code, si.si_status, desc, desclen);
	return si.si_code == CLD_EXITED ? si.si_status : -1;
}

int kl_proc_kill_netns(const char *netns, int sig)
{
	struct netns_id id, self;
	pid_t *pids = NULL;
	int n;

	n = netns_id_of(netns, &id);
	if (n < 0)
		return n == -ENOENT ? 0 : n;
	/* A pod namespace is never ours; refuse rather than signal our node. */
	if (netns_id_of_pid(getpid(), &self) == 0 && self.dev == id.dev && self.ino == id.ino)
		return -EINVAL;
	n = netns_pids(&id, 1, &pids);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct netns_id now;
		int fd = pidfd_open(pids[i], 0);

		/* The pid may have been reused since the scan: pin the process
		 * with a pidfd, then check it is still in the pod's namespace
		 * before signalling through that pidfd. */
		if (fd < 0)
			continue;
		if (netns_id_of_pid(pids[i], &now) == 0 && now.dev == id.dev && now.ino == id.ino)
			pidfd_send_signal(fd, sig, NULL, 0);
		close(fd);
	}
	free(pids);
	return n;
}
