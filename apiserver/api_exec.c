/* api_exec.c — pods/<name>/exec over WebSocket or SPDY (see api_server.h).
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
 * listed in apiserver/README.md.
 *
 * Older kubectl (and 1.30+ when the WebSocket upgrade fails) asks for
 * SPDY/3.1 with X-Stream-Protocol-Version v4 (v3, v2) of channel.k8s.io:
 * after the 101 the client opens one SPDY stream per channel, each with a
 * "streamtype" header (error, stdin, stdout, stderr, resize) and answered
 * with a SYN_REPLY; the streams carry the bytes without a channel byte, a
 * FIN on stdin is its end, and the server ends with the Status (v4; a
 * message in v2/v3, none on success) on the error stream, FIN on each of
 * its streams and the connection closed. Output is read only once every
 * stream the query asked for is open, as a kubelet waits for them.
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
#include "api_spdy.h"
#include "api_ws.h"
#include "buf.h"
#include "lab.h"
#include "log.h"
#include "netns.h"

#define API_EXEC_MAX_ARGS 64
#define API_EXEC_ARG_MAX  4096
/* How long a SPDY client has to open the streams it asked for, as a
 * kubelet's stream creation timeout. */
#define API_EXEC_STREAMS_MS 30000

enum { API_EXEC_STDIN, API_EXEC_STDOUT, API_EXEC_STDERR, API_EXEC_STATUS, API_EXEC_RESIZE,
       API_EXEC_NCHAN, API_EXEC_CLOSE = 255 };

/* The SPDY stream types, by channel. */
static const char *const api_exec_stream_types[API_EXEC_NCHAN] = {
	"stdin", "stdout", "stderr", "error", "resize",
};

struct api_exec {
	struct api_server *s;
	struct api_http_conn *c;
	pid_t pid;
	int pidfd;                   /* readable once the command has exited */
	int in, out, err;            /* our ends of its stdin, stdout, stderr; -1 once closed */
	struct buf inq;              /* stdin the command has not taken yet */
	bool in_eof;                 /* the client ended stdin: close once inq is written */
	int status;                  /* waitpid status, once exited */
	bool exited;
	bool watching;               /* the command's output is read */

	/* SPDY; spdy is NULL over WebSocket */
	struct api_spdy *spdy;
	int version;                 /* N of vN.channel.k8s.io */
	unsigned want;               /* the channels (1 << API_EXEC_*) the query asked for */
	uint32_t sid[API_EXEC_NCHAN]; /* their streams, 0 until opened */
	uint32_t last_sid;
	uint64_t open_timer;         /* until every stream asked for is open */
	struct buf frame;            /* a frame being made */
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
	if (x->open_timer)
		ev_timer_cancel(x->s->loop, x->open_timer);
	api_spdy_free(x->spdy);
	buf_free(&x->frame);
	buf_free(&x->inq);
	free(x);
}

/* Bytes on a channel to the client: a WebSocket message that starts with
 * the channel's byte (data points one past room for it), or a SPDY data
 * frame on the channel's stream (none if the client did not open it). */
static void api_exec_send(struct api_exec *x, int chan, char *data, size_t len, bool fin)
{
	if (!x->spdy) {
		data[-1] = (char)chan;
		api_ws_send(x->c, true, data - 1, len + 1);
		return;
	}
	if (!x->sid[chan])
		return;
	buf_reset(&x->frame);
	api_spdy_data(&x->frame, x->sid[chan], fin ? API_SPDY_FLAG_FIN : 0, data, len);
	api_http_raw_send(x->c, x->frame.data, x->frame.len);
	if (fin)
		x->sid[chan] = 0;
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
	if (x->spdy && x->version < 4)
		/* v2, v3: the error's text, nothing on success. */
		len = code == 0 ? 0 :
		      snprintf(msg + 1, sizeof(msg) - 1, "command terminated with non-zero exit "
			       "code: error executing command, exit status %d", code);
	else if (code == 0)
		len = snprintf(msg + 1, sizeof(msg) - 1, "{\"metadata\":{},\"status\":\"Success\"}");
	else
		len = snprintf(msg + 1, sizeof(msg) - 1,
			       "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command "
			       "terminated with non-zero exit code: error executing command, exit "
			       "status %d\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
			       "[{\"reason\":\"ExitCode\",\"message\":\"%d\"}]}}", code, code);
	api_http_on_close(x->c, NULL, NULL);
	if (x->spdy) {
		if (len > 0)
			api_exec_send(x, API_EXEC_STATUS, msg + 1, (size_t)len, false);
		for (int i = 0; i < API_EXEC_NCHAN; i++)
			api_exec_send(x, i, msg + 1, 0, true);
		api_http_raw_close(x->c);
	} else {
		api_exec_send(x, API_EXEC_STATUS, msg + 1, (size_t)len, false);
		api_ws_close(x->c, 1000);
	}
	api_exec_free(x);
}

static void api_exec_on_output(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct api_exec *x = data;
	char buf[32768];
	int chan = fd == x->out ? API_EXEC_STDOUT : API_EXEC_STDERR;
	ssize_t n;

	(void)loop;
	(void)events;
	n = read(fd, buf + 1, sizeof(buf) - 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		api_exec_close_fd(x, fd == x->out ? &x->out : &x->err);
		if (x->spdy)
			api_exec_send(x, chan, buf + 1, 0, true);
		api_exec_finish_if_done(x);
		return;
	}
	/* A client that stops reading is cut by the transport (16 MiB). */
	api_exec_send(x, chan, buf + 1, (size_t)n, false);
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

/* Writes what the command takes of data; 0 with *used set, or -1 if its
 * stdin is gone. */
static int api_exec_write_in(struct api_exec *x, const char *data, size_t len, size_t *used)
{
	*used = 0;
	while (*used < len) {
		ssize_t n = write(x->in, data + *used, len - *used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		*used += (size_t)n;
	}
	return 0;
}

static void api_exec_stdin_done(struct api_exec *x)
{
	buf_free(&x->inq);
	api_exec_close_fd(x, &x->in);
	api_http_pause_input(x->c, false);
}

/* The command's stdin has room again: the queue, then the client's input
 * once more. */
static void api_exec_on_stdin_room(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct api_exec *x = data;
	size_t used;

	(void)loop;
	(void)fd;
	(void)events;
	if (api_exec_write_in(x, x->inq.data, x->inq.len, &used) < 0) {
		api_exec_stdin_done(x);
		return;
	}
	memmove(x->inq.data, x->inq.data + used, x->inq.len - used);
	x->inq.len -= used;
	if (x->inq.len)
		return;
	ev_watch(x->s->loop, x->in, 0, api_exec_on_stdin_room, x);
	if (x->in_eof)
		api_exec_close_fd(x, &x->in);
	api_http_pause_input(x->c, false);
}

/* Input for the command. Its stdin is non-blocking: what it does not take
 * now is queued, and the client's input waits (TCP pushes back) until the
 * queue is written, so that a command slow to read never stalls the
 * server. */
static void api_exec_stdin(struct api_exec *x, const char *data, size_t len)
{
	size_t used;

	if (x->in < 0 || len == 0)
		return;
	if (x->inq.len == 0) {
		if (api_exec_write_in(x, data, len, &used) < 0) {
			api_exec_stdin_done(x);
			return;
		}
		if (used == len)
			return;
		data += used;
		len -= used;
	}
	buf_append(&x->inq, data, len);
	if (x->inq.oom || ev_watch(x->s->loop, x->in, EV_WRITE, api_exec_on_stdin_room, x) < 0) {
		api_exec_stdin_done(x);
		return;
	}
	api_http_pause_input(x->c, true);
}

/* The client ended stdin: the command sees EOF once it has read the rest. */
static void api_exec_stdin_eof(struct api_exec *x)
{
	if (x->inq.len)
		x->in_eof = true;
	else
		api_exec_close_fd(x, &x->in);
}

static void api_exec_on_msg(struct api_http_conn *c, bool binary, const char *data, size_t len,
			    void *cbdata)
{
	struct api_exec *x = cbdata;

	(void)c;
	(void)binary;
	if (len == 0)
		return;
	if ((unsigned char)data[0] == API_EXEC_STDIN) {
		api_exec_stdin(x, data + 1, len - 1);
	} else if ((unsigned char)data[0] == API_EXEC_CLOSE && len >= 2 &&
		   data[1] == API_EXEC_STDIN) {
		api_exec_stdin_eof(x);
	}
}

static const char *const api_exec_ws_protocols[] = { "v5.channel.k8s.io", "v4.channel.k8s.io",
						     NULL };
static const char *const api_exec_spdy_protocols[] = { "v4.channel.k8s.io", "v3.channel.k8s.io",
						       "v2.channel.k8s.io", NULL };

/* The first of ours that the client offers (a comma-separated list). */
static const char *api_exec_protocol(const char *offered, const char *const *ours)
{
	for (size_t i = 0; ours[i]; i++) {
		const char *p = strstr(offered, ours[i]);
		size_t n = strlen(ours[i]);
		if (p && (p == offered || p[-1] == ' ' || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return ours[i];
	}
	return NULL;
}

static bool api_exec_is_spdy(const char *upgrade)
{
	return strcasecmp(upgrade, "SPDY/3.1") == 0;
}

/* A boolean of PodExecOptions in the query ("true", "1"). */
static bool api_exec_flag(const char *query, const char *key, char *tmp, size_t len)
{
	return httpd_query_get(query, key, tmp, len) &&
	       (strcmp(tmp, "true") == 0 || strcmp(tmp, "1") == 0);
}

static int api_exec_watch_output(struct api_exec *x)
{
	if (x->watching)
		return 0;
	x->watching = true;
	if (ev_watch(x->s->loop, x->out, EV_READ, api_exec_on_output, x) < 0 ||
	    ev_watch(x->s->loop, x->err, EV_READ, api_exec_on_output, x) < 0)
		return -1;
	return 0;
}

/* A stream the client opens: its channel from the streamtype header. 0, or
 * -1 if the session cannot go on. */
static int api_exec_spdy_open(struct api_exec *x, const struct api_spdy_frame *f)
{
	char type[32];
	int chan = -1;

	if (api_spdy_header(f->headers, f->headers_len, "streamtype", type, sizeof(type)))
		for (int i = 0; i < API_EXEC_NCHAN; i++)
			if (strcmp(type, api_exec_stream_types[i]) == 0)
				chan = i;
	if (f->stream > x->last_sid)
		x->last_sid = f->stream;
	buf_reset(&x->frame);
	if (chan < 0 || x->sid[chan] || !(x->want & (1u << chan))) {
		api_spdy_rst_stream(&x->frame, f->stream, API_SPDY_REFUSED_STREAM);
		api_http_raw_send(x->c, x->frame.data, x->frame.len);
		return 0;
	}
	if (api_spdy_syn_reply(x->spdy, &x->frame, f->stream, 0, NULL) < 0)
		return -1;
	api_http_raw_send(x->c, x->frame.data, x->frame.len);
	x->sid[chan] = f->stream;
	x->want &= ~(1u << chan);
	if (chan == API_EXEC_STDIN && (f->flags & API_SPDY_FLAG_FIN))
		api_exec_stdin_eof(x);
	if (x->want)
		return 0;
	if (x->open_timer)
		ev_timer_cancel(x->s->loop, x->open_timer);
	x->open_timer = 0;
	return api_exec_watch_output(x);
}

static void api_exec_streams_late(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_exec *x = data;

	(void)loop;
	(void)id;
	x->open_timer = 0;
	log_warn("exec: the client did not open its streams within %d s",
		 API_EXEC_STREAMS_MS / 1000);
	api_http_on_close(x->c, NULL, NULL);
	api_http_raw_close(x->c);
	api_exec_free(x);
}

/* Every frame the client sends. */
static size_t api_exec_spdy_on_data(struct api_http_conn *c, const char *data, size_t len,
				    void *cbdata)
{
	struct api_exec *x = cbdata;
	struct api_spdy_frame f;
	char err[160];
	long n = api_spdy_parse(x->spdy, data, len, &f, err, sizeof(err));

	if (n > 0 && f.type == API_SPDY_SYN_STREAM && api_exec_spdy_open(x, &f) < 0) {
		snprintf(err, sizeof(err), "cannot open stream %u", f.stream);
		n = -1;
	}
	if (n <= 0) {
		if (n < 0) {
			log_warn("exec: SPDY from the client: %s", err);
			buf_reset(&x->frame);
			api_spdy_goaway(&x->frame, x->last_sid, API_SPDY_PROTOCOL_ERROR);
			api_http_raw_send(c, x->frame.data, x->frame.len);
			return len + 1;
		}
		return 0;
	}
	switch (f.type) {
	case API_SPDY_DATA:
		if (f.stream && f.stream == x->sid[API_EXEC_STDIN]) {
			api_exec_stdin(x, f.data, f.len);
			if (f.flags & API_SPDY_FLAG_FIN)
				api_exec_stdin_eof(x);
		}
		/* resize: a lab's pod has no terminal to size. */
		break;
	case API_SPDY_RST_STREAM:
		if (f.stream && f.stream == x->sid[API_EXEC_STDIN])
			api_exec_stdin_done(x);
		for (int i = 0; i < API_EXEC_NCHAN; i++)
			if (x->sid[i] == f.stream)
				x->sid[i] = 0;
		break;
	case API_SPDY_PING:
		buf_reset(&x->frame);
		api_spdy_ping(&x->frame, f.stream);
		api_http_raw_send(c, x->frame.data, x->frame.len);
		break;
	default:
		/* GOAWAY: the connection's close follows; WINDOW_UPDATE,
		 * SETTINGS: the client's flow control is not enforced. */
		break;
	}
	return (size_t)n;
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
	bool want_in, spdy;
	struct api_exec *x;
	pid_t pid;

	args = malloc(sizeof(*args) * API_EXEC_MAX_ARGS);
	if (!args) {
		api_exec_reply(c, api_status_new(500, "InternalError", NULL, "out of memory"));
		return;
	}
	spdy = api_exec_is_spdy(req->upgrade);
	if (!spdy && strcasecmp(req->upgrade, "websocket") != 0) {
		api_exec_reply(c, api_status_new(400, "BadRequest", NULL, "exec is served over "
						  "WebSocket or SPDY/3.1; this request asked for "
						  "\"%s\"", req->upgrade[0] ? req->upgrade :
						  "no upgrade"));
		goto out;
	}
	while (n < API_EXEC_MAX_ARGS &&
	       httpd_query_next(req->query, "command", &cursor, args[n], sizeof(args[n])))
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
	proto = api_exec_protocol(spdy ? req->stream_protocols : req->ws_protocols,
				  spdy ? api_exec_spdy_protocols : api_exec_ws_protocols);
	if (!proto && spdy) {
		/* kube-apiserver's answer to the same. */
		api_exec_reply(c, api_status_new(403, "Forbidden", NULL, "unable to upgrade: unable "
						  "to negotiate protocol: client supports [%s], "
						  "server accepts [v4.channel.k8s.io, "
						  "v3.channel.k8s.io, v2.channel.k8s.io]",
						  req->stream_protocols));
		goto out;
	}
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
	if (!httpd_query_get(req->query, "container", container, sizeof(container)))
		container[0] = '\0';
	envp = api_exec_environ(pod, container);
	want_in = api_exec_flag(req->query, "stdin", flag, sizeof(flag));
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
	if (x && spdy) {
		char extra[128];

		snprintf(extra, sizeof(extra), "X-Stream-Protocol-Version: %s\r\n", proto);
		x->spdy = api_spdy_new();
		x->version = proto[1] - '0';
		if (!x->spdy || api_http_raw_accept(c, "SPDY/3.1", extra, api_exec_spdy_on_data,
						    x) < 0) {
			api_spdy_free(x->spdy);
			free(x);
			x = NULL;
		}
	} else if (x && api_ws_accept(c, proto, api_exec_on_msg, x) < 0) {
		free(x);
		x = NULL;
	}
	if (!x) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(pin[1]);
		close(pout[0]);
		close(perr[0]);
		goto out;
	}
	x->s = s;
	x->c = c;
	x->pid = pid;
	x->in = pin[1];
	x->out = pout[0];
	x->err = perr[0];
	x->want = 1u << API_EXEC_STATUS;
	if (want_in)
		x->want |= 1u << API_EXEC_STDIN;
	if (api_exec_flag(req->query, "stdout", flag, sizeof(flag)))
		x->want |= 1u << API_EXEC_STDOUT;
	if (api_exec_flag(req->query, "tty", flag, sizeof(flag))) {
		if (x->version >= 3)
			x->want |= 1u << API_EXEC_RESIZE;
	} else if (api_exec_flag(req->query, "stderr", flag, sizeof(flag))) {
		x->want |= 1u << API_EXEC_STDERR;
	}
	x->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (!want_in)
		api_exec_close_fd(x, &x->in);
	if (x->in >= 0)
		fcntl(x->in, F_SETFL, O_NONBLOCK);
	fcntl(x->out, F_SETFL, O_NONBLOCK);
	fcntl(x->err, F_SETFL, O_NONBLOCK);
	api_http_on_close(c, api_exec_on_close, x);
	if (spdy)
		x->open_timer = ev_timer_add(s->loop, API_EXEC_STREAMS_MS, api_exec_streams_late, x);
	if (x->pidfd < 0 || ev_watch(s->loop, x->pidfd, EV_READ, api_exec_on_exit, x) < 0 ||
	    (spdy && !x->open_timer) || (!spdy && api_exec_watch_output(x) < 0)) {
		log_warn("exec in %s: cannot watch the command", netns);
		api_http_on_close(c, NULL, NULL);
		if (spdy)
			api_http_raw_close(c);
		else
			api_ws_close(c, 1011);
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
