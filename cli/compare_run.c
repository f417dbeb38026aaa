/* compare_run.c — `clientip compare` runs every tool as a child process
 * (see cmd_compare.c): starting, waiting, interrupting, reading output. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compare_int.h"
#include "fsutil.h"

double cmp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

/* Sleeps ms unless SIGINT or SIGTERM arrives; false if one did. */
bool cmp_sleep(struct cmp *c, int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	if (c->interrupted)
		return false;
	if (sigtimedwait(&c->sigs, NULL, &ts) > 0) {
		c->interrupted = true;
		return false;
	}
	return true;
}

/* Starts argv with stdout into out_path (NULL: /dev/null) and stderr into
 * the run's error file; the child gets the signals compare blocks. */
pid_t cmp_spawn(struct cmp *c, const char *out_path, char *const argv[])
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	sigprocmask(SIG_UNBLOCK, &c->sigs, NULL);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		       0600);
	int errfd = open(c->errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (in < 0 || out < 0 || errfd < 0)
		_exit(127);
	dup2(in, 0);
	dup2(out, 1);
	dup2(errfd, 2);
	execvp(argv[0], argv);
	_exit(127);
}

/* Waits for pid; on SIGINT/SIGTERM stops it and returns -EINTR. Else its
 * exit status (128 + signal if killed). */
int cmp_wait(struct cmp *c, pid_t pid)
{
	struct timespec tick = { 0, 20 * 1000000L };
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0)
			return -errno;
		if (sigtimedwait(&c->sigs, NULL, &tick) > 0 || c->interrupted) {
			c->interrupted = true;
			kill(pid, SIGTERM);
			waitpid(pid, &status, 0);
			return -EINTR;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static void cmp_argv(char **argv, const char *first, va_list ap)
{
	int n = 0;

	for (const char *a = first; a && n < CMP_MAX_ARGS - 1; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	argv[n] = NULL;
}

/* Runs a command (NULL-terminated arguments) to its end; its stdout into out
 * (may be NULL). Its exit status, or negative errno. */
int cmp_run(struct cmp *c, struct buf *out, const char *first, ...)
{
	char *argv[CMP_MAX_ARGS], path[LAB_PATH_MAX + 16];
	va_list ap;
	pid_t pid;
	int rc;

	if (c->interrupted)
		return -EINTR;
	va_start(ap, first);
	cmp_argv(argv, first, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/out", c->tmp);
	pid = cmp_spawn(c, out ? path : NULL, argv);
	if (pid < 0)
		return -errno;
	rc = cmp_wait(c, pid);
	if (out) {
		char *data = NULL;
		size_t len = 0;

		buf_reset(out);
		if (fs_read_all(path, &data, &len) == 0)
			buf_append(out, data, len);
		free(data);
		buf_str(out);
	}
	return rc;
}

/* The first line of the last command's stderr, for messages. */
const char *cmp_lasterr(struct cmp *c, char *buf, size_t len)
{
	char *data = NULL, *nl;
	size_t n = 0;

	buf[0] = '\0';
	if (fs_read_all(c->errfile, &data, &n) == 0 && n > 0) {
		snprintf(buf, len, "%s", data);
		nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
	}
	free(data);
	return buf;
}

char *cmp_netns(struct cmp *c, const char *role, char *buf, size_t len)
{
	return lab_netns_name(c->lab, role, buf, len);
}

/* --- reading the tools' output ------------------------------------------------------ */

json_t *cmp_parse(const struct buf *b)
{
	return b->len ? json_loadb(b->data, b->len, 0, NULL) : NULL;
}

const json_t *cmp_jget(const json_t *n, const char *path)
{
	char seg[64];

	while (n && *path == '/') {
		size_t len = strcspn(++path, "/");
		char *end;
		unsigned long i;

		if (len >= sizeof(seg))
			return NULL;
		memcpy(seg, path, len);
		seg[len] = '\0';
		path += len;
		if (json_is_array(n)) {
			i = strtoul(seg, &end, 10);
			n = *seg && !*end ? json_array_get(n, i) : NULL;
		} else {
			n = json_object_get(n, seg);
		}
	}
	return n;
}

const char *cmp_jstr(const json_t *n, const char *path)
{
	return json_string_value(cmp_jget(n, path));
}

/* Whether tool is an executable in $PATH. */
bool cmp_have(const char *tool)
{
	const char *path = getenv("PATH");
	char dir[LAB_PATH_MAX], exe[LAB_PATH_MAX + 64];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
		snprintf(exe, sizeof(exe), "%s/%s", n ? dir : ".", tool);
		if (access(exe, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}
