/* api_exec.c — pods/<name>/exec over WebSocket (see api_server.h).
 *
 * kubectl 1.30 and later speak the channel protocol over WebSocket
 * ("v5.channel.k8s.io"; "v4" without the stdin-close message): every
 * binary message starts with a channel byte — 0 stdin, 1 stdout, 2 stderr,
 * 3 the final Status, 255 a close of a channel (v5) — and the server ends
 * with a Status on channel 3: Success, or Failure with reason
 * NonZeroExitCode and the exit code as a cause, which kubectl exits with.
 *
 * In Kubernetes the API server hands the stream to the pod's kubelet and
 * the container runtime. A lab's pods are network namespaces on this
 * machine, so the server runs the command itself, in the pod's network
 * namespace with a sysfs of it (as `clientip exec` does); the difference is
 * listed in docs/ARCHITECTURE.md. Older kubectl asks for SPDY, which gets a
 * 400 that says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_json.h"
#include "api_server.h"
#include "lab.h"
#include "log.h"
#include "netns.h"

#define API_EXEC_MAX_ARGS 64
#define API_EXEC_ARG_MAX  4096

enum { API_EXEC_STDIN, API_EXEC_STDOUT, API_EXEC_STDERR, API_EXEC_STATUS,
       API_EXEC_CLOSE = 255 };

struct api_exec {
	struct api_server *s;
	struct api_http_conn *c;
	pid_t pid;
	int pidfd;                   /* readable once the command has exited */
	int in, out, err;            /* our ends of its stdin, stdout, stderr; -1 once closed */
	int status;                  /* waitpid status, once exited */
	bool exited;
};

static void api_exec_close_fd(struct api_exec *x, int *fd)
{
	if (*fd < 0)
		return;
	ev_unwatch(x->s->loop, *fd);
	close(*fd);
	*fd = -1;
}

static void api_exec_free(struct api_exec *x)
{
	if (!x->exited && x->pid > 0) {
		/* The client went away: the command goes too, as with a
		 * kubelet's exec session. */
		kill(x->pid, SIGKILL);
		waitpid(x->pid, NULL, 0);
	}
	api_exec_close_fd(x, &x->in);
	api_exec_close_fd(x, &x->out);
	api_exec_close_fd(x, &x->err);
	api_exec_close_fd(x, &x->pidfd);
	free(x);
}

static void api_exec_on_close(struct api_http_conn *c, void *data)
{
	(void)c;
	api_exec_free(data);
}

/* Once the command has exited and its output is drained: the Status, then
 * the close. */
static void api_exec_finish_if_done(struct api_exec *x)
{
	char msg[512];
	int len, code;

	if (!x->exited || x->out >= 0 || x->err >= 0)
		return;
	code = WIFEXITED(x->status) ? WEXITSTATUS(x->status) : 128 + WTERMSIG(x->status);
	msg[0] = API_EXEC_STATUS;
	if (code == 0)
		len = snprintf(msg + 1, sizeof(msg) - 1, "{\"metadata\":{},\"status\":\"Success\"}");
	else
		len = snprintf(msg + 1, sizeof(msg) - 1,
			       "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command "
			       "terminated with non-zero exit code: error executing command, exit "
			       "status %d\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
			       "[{\"reason\":\"ExitCode\",\"message\":\"%d\"}]}}", code, code);
	api_http_on_close(x->c, NULL, NULL);
	api_http_ws_send(x->c, true, msg, (size_t)len + 1);
	api_http_ws_close(x->c, 1000);
	api_exec_free(x);
}

static void api_exec_on_output(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct api_exec *x = data;
	char buf[32768];
	ssize_t n;

	(void)loop;
	(void)events;
	buf[0] = fd == x->out ? API_EXEC_STDOUT : API_EXEC_STDERR;
	n = read(fd, buf + 1, sizeof(buf) - 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		api_exec_close_fd(x, fd == x->out ? &x->out : &x->err);
		api_exec_finish_if_done(x);
		return;
	}
	/* A client that stops reading is cut by the transport (16 MiB). */
	api_http_ws_send(x->c, true, buf, (size_t)n + 1);
}

static void api_exec_on_exit(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct api_exec *x = data;

	(void)loop;
	(void)fd;
	(void)events;
	if (waitpid(x->pid, &x->status, WNOHANG) != x->pid)
		return;
	x->exited = true;
	api_exec_close_fd(x, &x->pidfd);
	api_exec_finish_if_done(x);
}

static void api_exec_on_msg(struct api_http_conn *c, bool binary, const char *data, size_t len,
			    void *cbdata)
{
	struct api_exec *x = cbdata;

	(void)c;
	(void)binary;
	if (len == 0)
		return;
	if ((unsigned char)data[0] == API_EXEC_STDIN && x->in >= 0) {
		/* Blocking write: a command that does not read its stdin stalls
		 * only this session's input, and kubectl sends small pieces. */
		for (size_t off = 1; off < len;) {
			ssize_t n = write(x->in, data + off, len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				api_exec_close_fd(x, &x->in);
				break;
			}
			off += (size_t)n;
		}
	} else if ((unsigned char)data[0] == API_EXEC_CLOSE && len >= 2 &&
		   data[1] == API_EXEC_STDIN) {
		api_exec_close_fd(x, &x->in);
	}
}

/* The first of the offered subprotocols that this server speaks. */
static const char *api_exec_protocol(const char *offered)
{
	static const char *const ours[] = { "v5.channel.k8s.io", "v4.channel.k8s.io" };

	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		const char *p = strstr(offered, ours[i]);
		size_t n = strlen(ours[i]);
		if (p && (p == offered || p[-1] == ' ' || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return ours[i];
	}
	return NULL;
}

static void api_exec_reply(struct api_http_conn *c, json_t *st)
{
	char *text = json_dumps(st, JSON_COMPACT);

	api_http_respond(c, api_status_code(st), "application/json", NULL, text ? text : "{}",
			 text ? strlen(text) : 2);
	free(text);
	json_decref(st);
}

/* The environment a command in the container sees, as a kubelet gives it:
 * PATH, HOSTNAME (the pod's name), HOME, then the container's env. A
 * malloc'd NULL-terminated array of malloc'd strings. */
static char **api_exec_environ(const json_t *pod, const char *container)
{
	const json_t *list = api_json_path(pod, "spec.containers"), *ct = NULL, *e;
	char **env;
	size_t i, n = 0;

	json_array_foreach(list, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		if (!ct || (container[0] && name && strcmp(name, container) == 0))
			ct = e;
	}
	env = calloc(json_array_size(json_object_get(ct, "env")) + 4, sizeof(*env));
	if (!env)
		return NULL;
	if (asprintf(&env[n++], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:"
		     "/bin") < 0 ||
	    asprintf(&env[n++], "HOSTNAME=%s", api_json_meta(pod, "name")) < 0 ||
	    asprintf(&env[n++], "HOME=/root") < 0)
		env[--n] = NULL;
	json_array_foreach(json_object_get(ct, "env"), i, e) {
		const char *k = json_string_value(json_object_get(e, "name"));
		const char *v = json_string_value(json_object_get(e, "value"));
		if (k && v && asprintf(&env[n], "%s=%s", k, v) >= 0)
			n++;
	}
	return env;
}

static void api_exec_environ_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/* In the child: only async-signal-safe calls until exec. */
static void api_exec_child(int nsfd, int in, int out, int err, char *const argv[],
			   char *const envp[])
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (netns_enter(nsfd) < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(err, 2) < 0)
		_exit(126);
	netns_private_sysfs();
	if (chdir("/") < 0)
		_exit(126);
	execvpe(argv[0], argv, envp);
	dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

void api_exec_serve(struct api_server *s, struct api_http_conn *c, const struct api_http_req *req,
		    const json_t *pod)
{
	char (*args)[API_EXEC_ARG_MAX] = NULL, netns[512], flag[8];
	char *argv[API_EXEC_MAX_ARGS + 1], **envp = NULL, container[254];
	const char *cursor = NULL, *proto, *phase;
	int n = 0, pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 }, nsfd;
	bool want_in;
	struct api_exec *x;
	pid_t pid;

	if (strcasecmp(req->upgrade, "websocket") != 0) {
		api_exec_reply(c, api_status_new(400, "BadRequest", NULL, "exec is served over "
						  "WebSocket (kubectl 1.30 or later; 1.29 with "
						  "KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true); this "
						  "request asked for \"%s\"",
						  req->upgrade[0] ? req->upgrade : "no upgrade"));
		return;
	}
	args = malloc(sizeof(*args) * API_EXEC_MAX_ARGS);
	if (!args) {
		api_exec_reply(c, api_status_new(500, "InternalError", NULL, "out of memory"));
		return;
	}
	while (n < API_EXEC_MAX_ARGS &&
	       api_http_query_next(req->query, "command", &cursor, args[n], sizeof(args[n])))
		argv[n] = args[n], n++;
	argv[n] = NULL;
	if (n == 0) {
		api_exec_reply(c, api_status_new(400, "BadRequest", NULL, "you must specify at "
						  "least 1 command"));
		goto out;
	}
	phase = json_string_value(api_json_path(pod, "status.phase"));
	if (!phase || strcmp(phase, "Running") != 0) {
		api_exec_reply(c, api_status_new(400, "BadRequest", NULL, "pod %s is not running "
						  "(phase %s)", api_json_meta(pod, "name"),
						  phase ? phase : "unknown"));
		goto out;
	}
	proto = api_exec_protocol(req->ws_protocols);
	if (!proto) {
		api_exec_reply(c, api_status_new(400, "BadRequest", NULL, "none of the offered "
						  "WebSocket subprotocols (%s) is served: "
						  "v5.channel.k8s.io, v4.channel.k8s.io",
						  req->ws_protocols));
		goto out;
	}
	lab_pod_netns_name(s->lab, api_json_meta(pod, "namespace"), api_json_meta(pod, "name"),
			   netns, sizeof(netns));
	nsfd = netns_open(netns);
	if (nsfd < 0) {
		api_exec_reply(c, api_status_new(500, "InternalError", NULL, "pod %s: network "
						  "namespace %s: %s", api_json_meta(pod, "name"),
						  netns, strerror(-nsfd)));
		goto out;
	}
	if (!api_http_query_get(req->query, "container", container, sizeof(container)))
		container[0] = '\0';
	envp = api_exec_environ(pod, container);
	want_in = api_http_query_get(req->query, "stdin", flag, sizeof(flag)) &&
		  strcmp(flag, "true") == 0;
	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0 ||
	    (pid = fork()) < 0) {
		api_exec_reply(c, api_status_new(500, "InternalError", NULL, "exec: %s",
						  strerror(errno)));
		goto fail;
	}
	if (pid == 0)
		api_exec_child(nsfd, pin[0], pout[1], perr[1], argv, envp);
	close(nsfd);
	nsfd = -1;
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	x = calloc(1, sizeof(*x));
	if (!x || api_http_ws_accept(c, proto, api_exec_on_msg, x) < 0) {
		free(x);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(pin[1]);
		close(pout[0]);
		close(perr[0]);
		goto out;
	}
	*x = (struct api_exec){ .s = s, .c = c, .pid = pid, .in = pin[1], .out = pout[0],
				.err = perr[0] };
	x->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (!want_in)
		api_exec_close_fd(x, &x->in);
	fcntl(x->out, F_SETFL, O_NONBLOCK);
	fcntl(x->err, F_SETFL, O_NONBLOCK);
	api_http_on_close(c, api_exec_on_close, x);
	if (x->pidfd < 0 || ev_watch(s->loop, x->pidfd, EV_READ, api_exec_on_exit, x) < 0 ||
	    ev_watch(s->loop, x->out, EV_READ, api_exec_on_output, x) < 0 ||
	    ev_watch(s->loop, x->err, EV_READ, api_exec_on_output, x) < 0) {
		log_warn("exec in %s: cannot watch the command", netns);
		api_http_on_close(c, NULL, NULL);
		api_http_ws_close(c, 1011);
		api_exec_free(x);
	}
	goto out;
fail:
	for (int i = 0; i < 2; i++) {
		if (pin[i] >= 0)
			close(pin[i]);
		if (pout[i] >= 0)
			close(pout[i]);
		if (perr[i] >= 0)
			close(perr[i]);
	}
	if (nsfd >= 0)
		close(nsfd);
out:
	api_exec_environ_free(envp);
	free(args);
}
