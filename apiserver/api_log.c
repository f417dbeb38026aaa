/* api_log.c — GET pods/<name>/log (see api_server.h).
 *
 * As the real API server does, this asks the pod's kubelet: GET
 * /containerLogs/<namespace>/<pod>/<container> with the same tailLines,
 * limitBytes and follow, on the kubelet's socket of the pod's node
 * (lab_kubelet_socket, where a real kubelet has port 10250). The kubelet's
 * answer is passed on as it arrives, so a followed log stays open as long
 * as the kubelet sends; an error from the kubelet becomes a Status with
 * the kubelet's code and its text as the message, as the real server's
 * proxy reports it ("container ... is waiting to start"). The server
 * never reads a pod's log file itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llhttp.h>

#include "api_handlers_int.h"
#include "api_server.h"
#include "buf.h"
#include "lab.h"
#include "sock.h"

/* How long the kubelet has to start its answer; a followed log may then
 * stay quiet as long as it likes. */
#define API_LOG_HEAD_MS  10000
/* An error's text kept for the Status. */
#define API_LOG_ERR_MAX  4096

struct api_log_proxy {
	struct api_server *s;
	struct api_http_conn *c;
	int fd;                      /* to the kubelet */
	llhttp_t parser;
	llhttp_settings_t settings;
	struct buf out;              /* the request, until it is sent */
	size_t out_off;
	bool relaying;               /* a 200: the body goes to the client as it comes */
	bool complete;               /* the kubelet's answer ended */
	struct buf err;              /* a non-200's body */
	uint64_t timer;
	char target[512];            /* what was asked of the kubelet, for messages */
};

static void api_log_proxy_free(struct api_log_proxy *p)
{
	if (p->timer)
		ev_timer_cancel(p->s->loop, p->timer);
	if (p->fd >= 0) {
		ev_unwatch(p->s->loop, p->fd);
		close(p->fd);
	}
	buf_free(&p->out);
	buf_free(&p->err);
	free(p);
}

/* The client left: nothing more to relay. */
static void api_log_on_close(struct api_http_conn *c, void *data)
{
	(void)c;
	api_log_proxy_free(data);
}

/* Ends the client's request, the proxy freed: the relayed body closed, or
 * a Status for what went wrong (msg, else the kubelet's error). */
static void api_log_finish(struct api_log_proxy *p, const char *msg)
{
	struct api_http_conn *c = p->c;

	api_http_on_close(c, NULL, NULL);
	if (p->relaying) {
		api_http_stream_end(c);
	} else if (msg) {
		api_reply_status(c, api_status_new(500, "InternalError", NULL, "%s", msg));
	} else {
		int code = llhttp_get_status_code(&p->parser);

		/* The kubelet's one line, without its newline. */
		while (p->err.len && (p->err.data[p->err.len - 1] == '\n' ||
				      p->err.data[p->err.len - 1] == '\r'))
			p->err.len--;
		if (code < 400 || code > 599)
			code = 500;
		api_reply_status(c, api_status_new(code, api_status_reason(code), NULL, "%.*s",
						(int)p->err.len, p->err.data ? p->err.data : ""));
	}
	api_log_proxy_free(p);
}

static int api_log_on_headers(llhttp_t *parser)
{
	struct api_log_proxy *p = parser->data;

	if (llhttp_get_status_code(parser) == 200) {
		p->relaying = true;
		api_http_stream_start(p->c, 200, "text/plain");
	}
	if (p->timer)
		ev_timer_cancel(p->s->loop, p->timer);
	p->timer = 0;
	return 0;
}

static int api_log_on_body(llhttp_t *parser, const char *at, size_t len)
{
	struct api_log_proxy *p = parser->data;

	if (p->relaying)
		return api_http_stream_write(p->c, at, len) < 0 ? HPE_USER : 0;
	if (p->err.len < API_LOG_ERR_MAX)
		buf_append(&p->err, at, len < API_LOG_ERR_MAX - p->err.len ? len :
					API_LOG_ERR_MAX - p->err.len);
	return 0;
}

static int api_log_on_complete(llhttp_t *parser)
{
	struct api_log_proxy *p = parser->data;

	p->complete = true;
	return HPE_PAUSED;
}

static void api_log_on_timeout(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_log_proxy *p = data;
	char msg[640];

	(void)loop;
	(void)id;
	p->timer = 0;
	snprintf(msg, sizeof(msg), "Get \"%s\": the kubelet did not answer within %d s",
		 p->target, API_LOG_HEAD_MS / 1000);
	api_log_finish(p, msg);
}

static void api_log_on_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct api_log_proxy *p = data;
	char chunk[65536], msg[640];
	ssize_t n;
	llhttp_errno_t e;

	(void)loop;
	if (p->out.len) {
		int rc = sock_send_pending(fd, p->out.data, p->out.len, &p->out_off);

		if (rc < 0) {
			snprintf(msg, sizeof(msg), "Get \"%s\": %s", p->target, strerror(-rc));
			api_log_finish(p, msg);
			return;
		}
		if (rc == 0) {
			buf_reset(&p->out);
			ev_watch(p->s->loop, fd, EV_READ, api_log_on_io, p);
		}
	}
	if (!(events & EV_READ))
		return;
	n = recv(fd, chunk, sizeof(chunk), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		snprintf(msg, sizeof(msg), "Get \"%s\": %s", p->target, strerror(errno));
		api_log_finish(p, p->relaying ? NULL : msg);
		return;
	}
	/* A body that lasts until the kubelet closes ends here. */
	e = n == 0 ? llhttp_finish(&p->parser) : llhttp_execute(&p->parser, chunk, (size_t)n);
	if (e == HPE_USER) {
		/* The client does not keep up and is being cut: its close
		 * callback, from the loop, frees the rest. */
		ev_unwatch(p->s->loop, fd);
		close(fd);
		p->fd = -1;
		return;
	}
	if (e != HPE_OK && e != HPE_PAUSED) {
		snprintf(msg, sizeof(msg), "Get \"%s\": malformed answer: %s", p->target,
			 llhttp_errno_name(e));
		api_log_finish(p, p->relaying ? NULL : msg);
		return;
	}
	if (p->complete || n == 0) {
		if (!p->complete && !p->relaying && !llhttp_get_status_code(&p->parser)) {
			snprintf(msg, sizeof(msg), "Get \"%s\": the kubelet closed the connection",
				 p->target);
			api_log_finish(p, msg);
			return;
		}
		api_log_finish(p, NULL);
	}
}

/* The pod's container a log is asked of: ?container=, else its first. */
static const char *api_log_container(const json_t *pod, const char *asked)
{
	const json_t *ctrs = json_object_get(json_object_get(pod, "spec"), "containers");
	size_t i;
	const json_t *ctr;

	json_array_foreach(ctrs, i, ctr) {
		const char *name = json_string_value(json_object_get(ctr, "name"));

		if (name && (!asked || strcmp(asked, name) == 0))
			return name;
	}
	return NULL;
}

void api_log_serve(struct api_server *s, struct api_http_conn *c, const struct api_http_req *req,
		   const json_t *pod)
{
	const json_t *meta = json_object_get(pod, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	const char *node = json_string_value(json_object_get(json_object_get(pod, "spec"),
							     "nodeName"));
	char asked[256] = "", sock[8192], q[32];
	const char *ctr;
	struct api_log_proxy *p;
	int fd;

	ns = ns ? ns : "";
	name = name ? name : "";
	ctr = api_log_container(pod, httpd_query_get(req->query, "container", asked, sizeof(asked)));
	if (!ctr) {
		api_reply_status(c, api_status_new(400, "BadRequest", NULL, "container %s is not valid "
						"for pod %s", asked, name));
		return;
	}
	/* Not yet on a node: nothing has run, nobody to ask. */
	if (!node || !*node) {
		api_reply_status(c, api_status_new(400, "BadRequest", NULL, "container \"%s\" in pod "
						"\"%s\" is waiting to start: ContainerCreating",
						ctr, name));
		return;
	}
	if (!lab_kubelet_socket(s->statedir, node, sock, sizeof(sock))) {
		api_reply_status(c, api_status_new(400, "BadRequest", NULL, "pod %s: node name "
						"\"%s\" has no kubelet", name, node));
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		api_reply_status(c, api_status_new(500, "InternalError", NULL, "out of memory"));
		return;
	}
	p->s = s;
	p->c = c;
	p->fd = -1;
	snprintf(p->target, sizeof(p->target), "http://%s/containerLogs/%s/%s/%s", node, ns, name,
		 ctr);
	buf_printf(&p->out, "GET /containerLogs/%s/%s/%s?", ns, name, ctr);
	/* Numbers and a flag only: nothing the kubelet would misread. */
	if (httpd_query_get(req->query, "tailLines", q, sizeof(q)) && strspn(q, "0123456789") == strlen(q))
		buf_printf(&p->out, "tailLines=%s&", q);
	if (httpd_query_get(req->query, "limitBytes", q, sizeof(q)) && strspn(q, "0123456789") == strlen(q))
		buf_printf(&p->out, "limitBytes=%s&", q);
	if (httpd_query_get(req->query, "follow", q, sizeof(q)) && strcmp(q, "true") == 0)
		buf_puts(&p->out, "follow=true");
	buf_printf(&p->out, " HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", node);
	fd = sock_connect_unix(sock);
	if (fd < 0 || p->out.oom) {
		api_reply_status(c, api_status_new(500, "InternalError", NULL, "Get \"%s\": dial unix "
						"%s: %s", p->target, sock,
						strerror(fd < 0 ? -fd : ENOMEM)));
		if (fd >= 0)
			close(fd);
		api_log_proxy_free(p);
		return;
	}
	p->fd = fd;
	llhttp_settings_init(&p->settings);
	p->settings.on_headers_complete = api_log_on_headers;
	p->settings.on_body = api_log_on_body;
	p->settings.on_message_complete = api_log_on_complete;
	llhttp_init(&p->parser, HTTP_RESPONSE, &p->settings);
	p->parser.data = p;
	if (ev_watch(s->loop, fd, EV_READ | EV_WRITE, api_log_on_io, p) < 0) {
		api_log_proxy_free(p);
		api_reply_status(c, api_status_new(500, "InternalError", NULL, "out of memory"));
		return;
	}
	p->timer = ev_timer_add(s->loop, API_LOG_HEAD_MS, api_log_on_timeout, p);
	api_http_defer(c);
	api_http_on_close(c, api_log_on_close, p);
}
