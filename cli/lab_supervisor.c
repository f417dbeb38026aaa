/* lab_supervisor.c — see lab_supervisor.h. */
#include "lab_supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/pidfd.h>
#include <sys/wait.h>

#include "ev.h"
#include "fsutil.h"
#include "lab.h"
#include "lab_daemons.h"
#include "log.h"
#include "netns.h"

struct labsup_daemon {
	struct labd d;
	pid_t pid;                  /* 0: not running */
	int pidfd;
	uint64_t started_ms;
	uint64_t backoff_ms;        /* the delay before the last start */
	uint64_t restart_timer;     /* 0: none pending */
	struct labsup_record rec;
	struct labsup *sup;
};

struct labsup {
	const char *lab, *bindir, *statedir;
	struct ev_loop *loop;
	int api_listenfd;
	bool stopping;
	uint64_t kill_timer;
	int n;
	struct labsup_daemon daemons[LABD_MAX];
};

uint64_t labsup_backoff_ms(uint64_t previous_ms, uint64_t ran_ms)
{
	if (ran_ms >= LABSUP_STABLE_MS)
		return 0;
	if (previous_ms < LABSUP_BACKOFF_MIN_MS)
		return LABSUP_BACKOFF_MIN_MS;
	return previous_ms * 2 < LABSUP_BACKOFF_MAX_MS ? previous_ms * 2 : LABSUP_BACKOFF_MAX_MS;
}

static void labsup_record_path(const char *statedir, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s/%s.restarts", statedir, LAB_STATE_RUN, name);
}

int labsup_record_read(const char *statedir, const char *name, struct labsup_record *out)
{
	char path[LAB_PATH_MAX + 64], *text = NULL, *nl;
	long long when;
	int n = 0, rc;

	memset(out, 0, sizeof(*out));
	labsup_record_path(statedir, name, path, sizeof(path));
	rc = fs_read_all(path, &text, NULL);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	if (sscanf(text, "%d %lld %n", &out->restarts, &when, &n) != 2 || n == 0 ||
	    out->restarts < 0) {
		free(text);
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	out->last_exit_unix = when;
	nl = strchr(text + n, '\n');
	if (nl)
		*nl = '\0';
	snprintf(out->last_exit, sizeof(out->last_exit), "%s", text + n);
	free(text);
	return 0;
}

static void labsup_record_write(struct labsup_daemon *sd)
{
	char path[LAB_PATH_MAX + 64], line[128];
	int rc;

	labsup_record_path(sd->sup->statedir, sd->d.name, path, sizeof(path));
	snprintf(line, sizeof(line), "%d %lld %s\n", sd->rec.restarts,
		 (long long)sd->rec.last_exit_unix, sd->rec.last_exit);
	rc = fs_write_atomic(path, line, strlen(line), 0644);
	if (rc < 0)
		log_warn("%s: %s", path, strerror(-rc));
}

/* "killed by SIGKILL", "exited with status 1". */
static void labsup_describe_exit(const siginfo_t *si, char *out, size_t len)
{
	if (si->si_code == CLD_EXITED)
		snprintf(out, len, "exited with status %d", si->si_status);
	else if (sigabbrev_np(si->si_status))
		snprintf(out, len, "killed by SIG%s%s", sigabbrev_np(si->si_status),
			 si->si_code == CLD_DUMPED ? " (core dumped)" : "");
	else
		snprintf(out, len, "killed by signal %d", si->si_status);
}

static void labsup_on_exit(struct ev_loop *loop, int fd, unsigned events, void *data);
static void labsup_restart(struct ev_loop *loop, uint64_t timer, void *data);

/* 0 started, 1 not built, or -errno (logged, and err filled). */
static int labsup_start(struct labsup_daemon *sd, char *err, size_t errlen)
{
	struct labsup *sup = sd->sup;
	pid_t pid = 0;
	int rc, fd;

	rc = labd_start(sup->lab, sup->bindir, sup->statedir, &sd->d, sup->api_listenfd, &pid,
			err, errlen);
	if (rc != 0)
		return rc;
	/* Our child stays a zombie until we reap it: the pid cannot be reused
	 * before the pidfd pins it. */
	fd = pidfd_open(pid, 0);
	if (fd < 0 || ev_watch(sup->loop, fd, EV_READ, labsup_on_exit, sd) < 0) {
		rc = fd < 0 ? -errno : -ENOMEM;
		snprintf(err, errlen, "%s: cannot watch pid %ld: %s", sd->d.name, (long)pid,
			 strerror(-rc));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	sd->pid = pid;
	sd->pidfd = fd;
	sd->started_ms = ev_now_ms();
	return 0;
}

/* Schedules the next start of sd after its back-off. */
static void labsup_schedule(struct labsup_daemon *sd, uint64_t ran_ms)
{
	sd->backoff_ms = labsup_backoff_ms(sd->backoff_ms, ran_ms);
	sd->restart_timer = ev_timer_add(sd->sup->loop, sd->backoff_ms, labsup_restart, sd);
	if (!sd->restart_timer)
		log_error("%s: cannot schedule its restart", sd->d.name);
}

static void labsup_restart(struct ev_loop *loop, uint64_t timer, void *data)
{
	struct labsup_daemon *sd = data;
	char err[512];
	int rc;

	(void)loop;
	(void)timer;
	sd->restart_timer = 0;
	if (sd->sup->stopping)
		return;
	rc = labsup_start(sd, err, sizeof(err));
	if (rc == 0) {
		sd->rec.restarts++;
		labsup_record_write(sd);
		log_info("%s: restarted as pid %ld (restart %d)", sd->d.name, (long)sd->pid,
			 sd->rec.restarts);
		return;
	}
	if (rc == 1)
		snprintf(err, sizeof(err), "%s/%s is gone", sd->sup->bindir, sd->d.prog);
	log_error("%s: restart failed: %s", sd->d.name, err);
	labsup_schedule(sd, 0);
}

static bool labsup_all_gone(const struct labsup *sup)
{
	for (int i = 0; i < sup->n; i++)
		if (sup->daemons[i].pid > 0)
			return false;
	return true;
}

/* A stop signal may be waiting behind the exit being handled (lab down
 * signals every process of the lab at once): never restart past one. */
static bool labsup_stop_pending(void)
{
	sigset_t pending;

	return sigpending(&pending) == 0 &&
	       (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1);
}

static void labsup_on_exit(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct labsup_daemon *sd = data;
	uint64_t ran_ms = ev_now_ms() - sd->started_ms;
	siginfo_t si;

	(void)events;
	memset(&si, 0, sizeof(si));
	while (waitid(P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG) < 0 && errno == EINTR)
		;
	if (si.si_pid == 0)
		return;   /* not gone after all */
	ev_unwatch(loop, fd);
	close(fd);
	sd->pidfd = -1;
	sd->pid = 0;
	if (sd->sup->stopping) {
		if (labsup_all_gone(sd->sup))
			ev_stop(loop);
		return;
	}
	labsup_describe_exit(&si, sd->rec.last_exit, sizeof(sd->rec.last_exit));
	sd->rec.last_exit_unix = (int64_t)time(NULL);
	labsup_record_write(sd);
	if (labsup_stop_pending()) {
		log_info("%s: %s while the lab stops", sd->d.name, sd->rec.last_exit);
		return;
	}
	log_warn("%s: %s after %llu ms; restarting in %llu ms", sd->d.name, sd->rec.last_exit,
		 (unsigned long long)ran_ms,
		 (unsigned long long)labsup_backoff_ms(sd->backoff_ms, ran_ms));
	labsup_schedule(sd, ran_ms);
}

static void labsup_kill_rest(struct ev_loop *loop, uint64_t timer, void *data)
{
	struct labsup *sup = data;

	(void)loop;
	(void)timer;
	sup->kill_timer = 0;
	for (int i = 0; i < sup->n; i++) {
		if (sup->daemons[i].pid > 0) {
			log_warn("%s: still running %d ms after SIGTERM: SIGKILL",
				 sup->daemons[i].d.name, LABSUP_TERM_MS);
			pidfd_send_signal(sup->daemons[i].pidfd, SIGKILL, NULL, 0);
		}
	}
}

static void labsup_on_signal(struct ev_loop *loop, int signo, void *data)
{
	struct labsup *sup = data;

	if (sup->stopping)
		return;
	log_info("signal %d: stopping the lab's daemons", signo);
	sup->stopping = true;
	for (int i = 0; i < sup->n; i++) {
		struct labsup_daemon *sd = &sup->daemons[i];

		if (sd->restart_timer) {
			ev_timer_cancel(loop, sd->restart_timer);
			sd->restart_timer = 0;
		}
		/* SIGCONT after it: a daemon frozen with `lab kill --signal
		 * STOP` handles its SIGTERM too, as systemd does it. */
		if (sd->pid > 0) {
			pidfd_send_signal(sd->pidfd, SIGTERM, NULL, 0);
			pidfd_send_signal(sd->pidfd, SIGCONT, NULL, 0);
		}
	}
	if (labsup_all_gone(sup)) {
		ev_stop(loop);
		return;
	}
	sup->kill_timer = ev_timer_add(loop, LABSUP_TERM_MS, labsup_kill_rest, sup);
}

/* One line of the start-up report; a reader that went away is no reason
 * to stop supervising. */
static void labsup_report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void labsup_report(int fd, const char *fmt, ...)
{
	char line[640];
	va_list ap;
	int n;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	if (write(fd, line, (size_t)n) < 0) {
		/* lab up died: carry on, lab down still finds us */
	}
}

int labsup_run(const char *lab, const char *bindir, const char *statedir, int nodes,
	       int api_listenfd, int report_fd)
{
	struct labsup sup = {
		.lab = lab, .bindir = bindir, .statedir = statedir, .api_listenfd = api_listenfd,
	};
	static const int stop_signals[] = { SIGTERM, SIGINT };
	struct labd list[LABD_MAX];
	int sigfd = -1, rc = 1, started = 0;

	/* A daemon's death must reach us as its pidfd, and a stop signal as a
	 * read on the signalfd; SIGPIPE from a closed report pipe is noise. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sup.loop = ev_loop_new();
	if (!sup.loop) {
		log_error("start-up: out of memory");
		goto out;
	}
	sigfd = ev_on_signals(sup.loop, stop_signals, 2, labsup_on_signal, &sup);
	if (sigfd < 0) {
		log_error("signalfd: %s", strerror(-sigfd));
		goto out;
	}
	sup.n = labd_list(nodes, list, LABD_MAX);
	for (int i = 0; i < sup.n; i++) {
		struct labsup_daemon *sd = &sup.daemons[i];
		char err[512];
		int r;

		sd->d = list[i];
		sd->sup = &sup;
		sd->pidfd = -1;
		/* A supervisor started again on a lab keeps counting. */
		if (labsup_record_read(statedir, sd->d.name, &sd->rec) < 0)
			memset(&sd->rec, 0, sizeof(sd->rec));
		r = labsup_start(sd, err, sizeof(err));
		if (r == 1) {
			labsup_report(report_fd, "skipped %s\n", sd->d.name);
			continue;
		}
		if (r < 0) {
			/* lab up undoes the lab when a daemon cannot start. */
			log_error("%s", err);
			labsup_report(report_fd, "failed %s %s\n", sd->d.name, err);
			goto out;
		}
		labsup_report(report_fd, "started %s %ld\n", sd->d.name, (long)sd->pid);
		started++;
	}
	log_info("supervising %d daemons of lab %s", started, lab);
	if (report_fd >= 0) {
		close(report_fd);
		report_fd = -1;
	}
	if (ev_run(sup.loop) < 0)
		log_error("event loop: %s", strerror(errno));
	else
		rc = 0;
	log_info("every daemon of lab %s stopped", lab);
out:
	/* Whatever is still running would be an orphan nobody restarts. */
	for (int i = 0; i < sup.n; i++) {
		if (sup.daemons[i].pid > 0) {
			pidfd_send_signal(sup.daemons[i].pidfd, SIGKILL, NULL, 0);
			waitpid(sup.daemons[i].pid, NULL, 0);
		}
		if (sup.daemons[i].pidfd >= 0)
			close(sup.daemons[i].pidfd);
	}
	if (report_fd >= 0)
		close(report_fd);
	if (sup.loop)
		ev_loop_free(sup.loop);
	if (sigfd >= 0)
		close(sigfd);
	return rc;
}

pid_t labsup_pid(const char *lab, const char *statedir)
{
	struct labd self = { .role = "control" };
	char path[LAB_PATH_MAX + 64], *text = NULL, *end;
	long v;
	int rc;

	snprintf(path, sizeof(path), "%s/%s/supervisor.pid", statedir, LAB_STATE_RUN);
	rc = fs_read_all(path, &text, NULL);
	if (rc < 0)
		return rc;
	v = strtol(text, &end, 10);
	free(text);
	if (v <= 0 || !labd_running(lab, &self, (pid_t)v))
		return -ESRCH;
	return (pid_t)v;
}

int labsup_stop(const char *lab, const char *statedir, int wait_ms)
{
	static const struct timespec tick = { 0, 20 * 1000 * 1000 };
	pid_t pid = labsup_pid(lab, statedir);
	uint64_t deadline = ev_now_ms() + (uint64_t)wait_ms;
	struct labd self = { .role = "control" };

	if (pid <= 0)
		return 0;
	kill(pid, SIGTERM);
	while (labd_running(lab, &self, pid)) {
		/* Our own child when lab up is undoing itself. */
		waitpid(pid, NULL, WNOHANG);
		if (ev_now_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL);
	}
	return 0;
}
