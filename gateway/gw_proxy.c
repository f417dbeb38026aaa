/* gw_proxy.c — the gateway's data path, the client's side.
 *
 * A client connection is kept alive across requests. Each request is
 * parsed by llhttp; at the end of its head the route is chosen, the
 * request's head is rebuilt for the pod (hop-by-hop headers dropped,
 * X-Forwarded-For appended with the client's address and port,
 * X-Forwarded-Proto and X-Forwarded-Port set, "Connection: close") and a
 * connection to the next ready endpoint of the backend (round robin) is
 * opened from the gateway's own address. A connect that fails moves on to
 * the next endpoint; when none answers the client gets 502, as from
 * Application Gateway. Bodies are passed on as llhttp hands them over
 * (chunked ones chunked again), so each side's framing is the gateway's
 * own: the response head is rebuilt too, and a response delimited by the
 * pod's close reaches an HTTP/1.1 client chunked, which keeps the client's
 * connection open.
 *
 * One request at a time per client: pipelined requests wait in the input
 * buffer until the previous response is complete. Input is not read while
 * more than GW_PROXY_HIGH bytes wait to be written the other way.
 *
 * This file is the client's connection: accepting it, parsing its
 * requests, choosing the backend and building the pod's request head, the
 * gateway's own answers, moving the bytes and the timeouts. The connection
 * to the pod and its response are gw_upstream.c's; gw_proxy_int.h has what
 * both share.
 */
#include "gw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <llhttp.h>

#include "acceptor.h"
#include "buf.h"
#include "gw_proxy_int.h"
#include "log.h"
#include "sock.h"

static void gw_conn_close(struct gw_conn *c);
static void gw_conn_parse(struct gw_conn *c);
static void gw_conn_client_io(struct ev_loop *loop, int fd, unsigned events, void *data);

bool gw_hdr_is(const struct buf *b, const char *name)
{
	return b->len == strlen(name) && strncasecmp(b->data, name, b->len) == 0;
}

/* Headers that describe one connection, not the message (RFC 9110 7.6.1),
 * and the forwarding headers the gateway sets itself. */
bool gw_hdr_hop(const struct buf *b)
{
	static const char *const hop[] = { "connection", "keep-alive", "proxy-connection", "te",
					   "trailer", "upgrade" };

	for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		if (gw_hdr_is(b, hop[i]))
			return true;
	return false;
}

/* ---- answers of the gateway itself ----------------------------------------- */

static const char *gw_reason(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 431: return "Request Header Fields Too Large";
	case 502: return "Bad Gateway";
	case 504: return "Gateway Time-out";
	default: return "Error";
	}
}

/* An error page as Application Gateway sends one. A request whose body is
 * still coming is read to its end (and dropped) before the next one. */
void gw_conn_local(struct gw_conn *c, int status, bool close)
{
	struct buf body = BUF_INIT;

	gw_conn_up_close(c);
	buf_reset(&c->uout);
	c->uout_off = 0;

	buf_printf(&body, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n"
		   "<center><h1>%d %s</h1></center>\r\n<hr><center>clientip-gateway</center>\r\n"
		   "</body>\r\n</html>\r\n", status, gw_reason(status), status, gw_reason(status));
	if (close)
		c->keep_alive = false;
	buf_printf(&c->out, "HTTP/1.1 %d %s\r\nServer: clientip-gateway\r\n"
		   "Content-Type: text/html\r\nContent-Length: %zu\r\n%s\r\n", status,
		   gw_reason(status), body.len, c->keep_alive ? "" : "Connection: close\r\n");
	if (!c->head_method)
		buf_append(&c->out, body.data, body.len);
	buf_free(&body);
	c->resp_done = true;
	c->resp_started = true;
	c->phase = GW_LOCAL;
}

/* ---- the request ------------------------------------------------------------- */

static int gw_req_on_message_begin(llhttp_t *p)
{
	struct gw_conn *c = gw_conn_of(p);

	buf_reset(&c->url);
	buf_reset(&c->field);
	buf_reset(&c->value);
	buf_reset(&c->head);
	buf_reset(&c->xff);
	c->host[0] = '\0';
	c->host_seen = false;
	c->head_bytes = 0;
	c->req_done = c->resp_done = c->resp_started = false;
	c->req_chunked = c->head_method = false;
	if (c->phase == GW_WAIT_HEAD)
		gw_conn_arm(c, GW_PROXY_HEAD_MS);
	return 0;
}

static int gw_req_count(struct gw_conn *c, size_t len)
{
	c->head_bytes += len;
	return c->head_bytes > GW_PROXY_HEAD_MAX ? HPE_USER : 0;
}

static int gw_req_on_url(llhttp_t *p, const char *at, size_t len)
{
	struct gw_conn *c = gw_conn_of(p);

	buf_append(&c->url, at, len);
	return gw_req_count(c, len);
}

static int gw_req_on_field(llhttp_t *p, const char *at, size_t len)
{
	struct gw_conn *c = gw_conn_of(p);

	buf_append(&c->field, at, len);
	return gw_req_count(c, len);
}

static int gw_req_on_value(llhttp_t *p, const char *at, size_t len)
{
	struct gw_conn *c = gw_conn_of(p);

	buf_append(&c->value, at, len);
	return gw_req_count(c, len);
}

static int gw_req_on_value_complete(llhttp_t *p)
{
	struct gw_conn *c = gw_conn_of(p);
	const char *v = buf_str(&c->value);

	if (gw_hdr_is(&c->field, "host")) {
		snprintf(c->host, sizeof(c->host), "%s", v);
		c->host_seen = true;
		buf_printf(&c->head, "Host: %s\r\n", v);
	} else if (gw_hdr_is(&c->field, "x-forwarded-for")) {
		/* Several lines are one list; the client's address goes last. */
		buf_printf(&c->xff, "%s%s", c->xff.len ? ", " : "", v);
	} else if (!gw_hdr_hop(&c->field) && !gw_hdr_is(&c->field, "x-forwarded-proto") &&
		   !gw_hdr_is(&c->field, "x-forwarded-port") &&
		   !gw_hdr_is(&c->field, "x-original-host") &&
		   !gw_hdr_is(&c->field, "x-original-url") &&
		   !gw_hdr_is(&c->field, "x-appgw-trace-id")) {
		buf_append(&c->head, c->field.data, c->field.len);
		buf_printf(&c->head, ": %s\r\n", v);
	}
	buf_reset(&c->field);
	buf_reset(&c->value);
	return 0;
}

static int gw_req_on_headers_complete(llhttp_t *p)
{
	struct gw_conn *c = gw_conn_of(p);

	c->keep_alive = llhttp_should_keep_alive(p) && !llhttp_get_upgrade(p);
	c->head_method = llhttp_get_method(p) == HTTP_HEAD;
	c->req_chunked = (p->flags & F_CHUNKED) != 0;
	c->http_minor = llhttp_get_http_minor(p);
	return HPE_PAUSED;
}

static int gw_req_on_body(llhttp_t *p, const char *at, size_t len)
{
	struct gw_conn *c = gw_conn_of(p);

	if (c->phase == GW_LOCAL)
		return 0;
	if (c->req_chunked)
		buf_printf(&c->uout, "%zx\r\n", len);
	buf_append(&c->uout, at, len);
	if (c->req_chunked)
		buf_puts(&c->uout, "\r\n");
	return 0;
}

static int gw_req_on_message_complete(llhttp_t *p)
{
	struct gw_conn *c = gw_conn_of(p);

	if (c->req_chunked && c->phase != GW_LOCAL)
		buf_puts(&c->uout, "0\r\n\r\n");
	c->req_done = true;
	return HPE_PAUSED;
}

static const llhttp_settings_t gw_req_settings = {
	.on_message_begin = gw_req_on_message_begin,
	.on_url = gw_req_on_url,
	.on_header_field = gw_req_on_field,
	.on_header_value = gw_req_on_value,
	.on_header_value_complete = gw_req_on_value_complete,
	.on_headers_complete = gw_req_on_headers_complete,
	.on_body = gw_req_on_body,
	.on_message_complete = gw_req_on_message_complete,
};

/* ---- connections ---------------------------------------------------------------- */

static void gw_conn_timeout(struct ev_loop *loop, uint64_t id, void *data)
{
	struct gw_conn *c = data;

	(void)loop;
	(void)id;
	c->timer = 0;
	switch (c->phase) {
	case GW_CONNECTING:
		/* This endpoint does not answer: the next one, or 502. */
		if (gw_conn_connect_next(c) < 0)
			gw_conn_local(c, 502, true);
		break;
	case GW_EXCHANGE:
		if (!c->resp_started) {
			log_info("%s: no response in %d s", c->url.data ? c->url.data : "",
				 GW_PROXY_RESPONSE_MS / 1000);
			gw_conn_local(c, 504, true);
			break;
		}
		gw_conn_close(c);
		return;
	default:
		gw_conn_close(c);
		return;
	}
	gw_conn_update(c);
}

void gw_conn_arm(struct gw_conn *c, uint64_t ms)
{
	if (c->timer)
		ev_timer_cancel(c->gw->loop, c->timer);
	c->timer = ev_timer_add(c->gw->loop, ms, gw_conn_timeout, c);
}

static void gw_conn_close(struct gw_conn *c)
{
	struct gw *gw = c->gw;

	gw_conn_up_close(c);
	if (c->timer)
		ev_timer_cancel(gw->loop, c->timer);
	ev_unwatch(gw->loop, c->fd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		gw->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	gw->n_conns--;
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->url);
	buf_free(&c->field);
	buf_free(&c->value);
	buf_free(&c->head);
	buf_free(&c->xff);
	buf_free(&c->uout);
	buf_free(&c->rhead);
	buf_free(&c->rfield);
	buf_free(&c->rvalue);
	buf_free(&c->reason);
	free(c);
}

/* The head is parsed: choose the backend, build the pod's request head. */
static void gw_conn_route(struct gw_conn *c)
{
	struct gw *gw = c->gw;
	const struct gw_backend *b;
	char path[GW_PATH_MAX], client[SOCK_ADDR_STRLEN], key[GW_NAME_MAX + 160];
	const char *url = buf_str(&c->url);
	size_t plen = strcspn(url, "?#");
	json_t *pos;

	gw->requests++;
	if (url[0] != '/' || plen >= sizeof(path)) {
		gw_conn_local(c, 400, true);
		return;
	}
	memcpy(path, url, plen);
	path[plen] = '\0';
	b = gw_routes_match(&gw->routes, c->host, path);
	if (!b) {
		gw_conn_local(c, 404, false);
		return;
	}
	c->n_eps = gw_route_endpoints(b, gw_objects(gw, GW_SERVICES), gw_objects(gw, GW_SLICES),
				      c->eps, GW_PROXY_MAX_EPS);
	c->tried = 0;
	/* Round robin per backend, across clients. */
	snprintf(key, sizeof(key), "%s/%s:%d%s", b->ns, b->service, b->port_number, b->port_name);
	pos = json_object_get(gw->rr, key);
	c->next_ep = c->n_eps ? (int)(json_integer_value(pos) % c->n_eps) : 0;
	json_object_set_new(gw->rr, key, json_integer(c->next_ep + 1));
	if (c->n_eps == 0) {
		log_debug("%s %s: no ready endpoint of %s/%s", c->host, path, b->ns, b->service);
		gw_conn_local(c, 502, false);
		return;
	}
	if (sock_format_addr((struct sockaddr *)&c->peer, true, client, sizeof(client)) < 0)
		snprintf(client, sizeof(client), "unknown");
	buf_reset(&c->uout);
	c->uout_off = 0;
	/* HTTP/1.1 requires a Host; an HTTP/1.0 client may not have sent one. */
	if (!c->host_seen) {
		char a[SOCK_ADDR_STRLEN];

		sock_format_addr((struct sockaddr *)&gw->listen_addr, true, a, sizeof(a));
		buf_printf(&c->head, "Host: %s\r\n", a);
	}
	buf_printf(&c->uout, "%s %s HTTP/1.1\r\n%sX-Forwarded-For: %s%s%s\r\n"
		   "X-Forwarded-Proto: http\r\nX-Forwarded-Port: %d\r\n",
		   llhttp_method_name(llhttp_get_method(&c->req)), url, buf_str(&c->head),
		   buf_str(&c->xff), c->xff.len ? ", " : "", client,
		   ntohs(gw->listen_addr.sin_port));
	/* The other headers Application Gateway adds: the request's own host
	 * and URL, and an id per request. */
	if (c->host_seen)
		buf_printf(&c->uout, "X-Original-Host: %s\r\n", c->host);
	buf_printf(&c->uout, "X-Original-URL: %s\r\nX-AppGW-Trace-Id: %016" PRIx64 "%016" PRIx64
		   "\r\nConnection: close\r\n\r\n", url, gw->trace_seed, gw->requests);
	if (gw_conn_connect_next(c) < 0)
		gw_conn_local(c, 502, false);
}

/* Both halves of an exchange are done: on to the next request, or close. */
static void gw_conn_finish(struct gw_conn *c)
{
	gw_conn_up_close(c);
	buf_reset(&c->uout);
	c->uout_off = 0;
	if (!c->keep_alive) {
		c->close_now = true;
		return;
	}
	c->phase = GW_WAIT_HEAD;
	c->req_done = c->resp_done = false;
	llhttp_resume(&c->req);
	gw_conn_arm(c, GW_PROXY_IDLE_MS);
}

static void gw_conn_parse(struct gw_conn *c)
{
	while (!c->close_now && c->phase != GW_CONNECTING && !c->req_done &&
	       (c->in_off < c->in.len || c->resume)) {
		const char *p = c->in.data + c->in_off;
		size_t n = c->in.len - c->in_off, used;
		llhttp_errno_t e;

		/* The pod's side is full: wait for it to drain. */
		if (c->uout.len - c->uout_off > GW_PROXY_HIGH)
			return;
		e = llhttp_execute(&c->req, p, n);
		c->resume = false;
		if (e == HPE_OK) {
			c->in_off = c->in.len;
			break;
		}
		if (e != HPE_PAUSED) {
			gw_conn_local(c, e == HPE_USER ? 431 : 400, true);
			c->req_done = true;
			break;
		}
		used = (size_t)(llhttp_get_error_pos(&c->req) - p);
		c->in_off += used;
		llhttp_resume(&c->req);
		if (!c->req_done) {
			/* The end of a head. One more call, even without input,
			 * finishes a request without a body. */
			c->resume = true;
			gw_conn_route(c);
		}
		/* After the end of a message, the next request waits until this
		 * exchange is over (the loop's condition). */
	}
	if (c->in_off == c->in.len) {
		buf_reset(&c->in);
		c->in_off = 0;
	}
}

/* Moves whatever can move, then decides what to watch. */
void gw_conn_update(struct gw_conn *c)
{
	struct gw *gw = c->gw;
	unsigned cev = 0, uev = 0;

	gw_conn_parse(c);
again:
	/* Pipelined requests the gateway answers itself finish at once, as
	 * long as the client takes the answers: beyond GW_PROXY_HIGH unsent,
	 * the rest waits (and the client's socket is not read), or a client
	 * that pipelines and never reads would grow them without end. */
	while (c->req_done && c->resp_done && !c->close_now &&
	       c->out.len - c->out_off <= GW_PROXY_HIGH) {
		gw_conn_finish(c);
		gw_conn_parse(c);
	}
	if (c->out.len > c->out_off) {
		ssize_t w = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL);

		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			gw_conn_close(c);
			return;
		}
		if (w > 0)
			c->out_off += (size_t)w;
		if (c->out_off == c->out.len) {
			buf_reset(&c->out);
			c->out_off = 0;
		}
		/* The client took enough: the answers that waited go on. */
		if (w > 0 && c->req_done && c->resp_done && !c->close_now &&
		    c->out.len - c->out_off <= GW_PROXY_HIGH)
			goto again;
	}
	if (c->close_now && c->out.len == 0) {
		gw_conn_close(c);
		return;
	}
	if (c->ufd >= 0 && c->phase == GW_EXCHANGE && c->uout.len > c->uout_off) {
		ssize_t w = send(c->ufd, c->uout.data + c->uout_off, c->uout.len - c->uout_off,
				 MSG_NOSIGNAL);

		if (w > 0)
			c->uout_off += (size_t)w;
		if (c->uout_off == c->uout.len) {
			buf_reset(&c->uout);
			c->uout_off = 0;
		}
	}
	if (c->out.len > c->out_off)
		cev |= EV_WRITE;
	if (!c->close_now && !c->req_done && c->in.len < GW_PROXY_HIGH &&
	    c->out.len - c->out_off <= GW_PROXY_HIGH &&
	    (c->phase == GW_WAIT_HEAD || c->uout.len - c->uout_off <= GW_PROXY_HIGH))
		cev |= EV_READ;
	ev_watch(gw->loop, c->fd, cev, gw_conn_client_io, c);
	if (c->ufd >= 0) {
		if (c->phase == GW_CONNECTING || c->uout.len > c->uout_off)
			uev |= EV_WRITE;
		if (c->phase == GW_EXCHANGE && !c->resp_done && c->out.len <= GW_PROXY_HIGH)
			uev |= EV_READ;
		ev_watch(gw->loop, c->ufd, uev, gw_conn_up_io, c);
	}
}

static void gw_conn_client_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct gw_conn *c = data;

	(void)loop;
	if (events & EV_READ) {
		ssize_t r;

		if (buf_reserve(&c->in, GW_PROXY_READ) < 0) {
			gw_conn_close(c);
			return;
		}
		r = recv(fd, c->in.data + c->in.len, GW_PROXY_READ, 0);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			/* The client is gone (or half-closed between requests,
			 * which it may do only when it wants nothing more). */
			gw_conn_close(c);
			return;
		}
		if (r > 0) {
			c->in.len += (size_t)r;
			c->in.data[c->in.len] = '\0';
		}
	}
	gw_conn_update(c);
}

/* One connection from lib/acceptor: refused beyond the cap, else read with
 * the idle timeout armed. */
static void gw_proxy_adopt(int cfd, const struct sockaddr_storage *peer, void *data)
{
	struct gw *gw = data;
	struct gw_conn *c;

	if (gw->n_conns >= GW_PROXY_MAX_CONNS || !(c = calloc(1, sizeof(*c)))) {
		close(cfd);
		return;
	}
	sock_set_nodelay(cfd, true);
	c->gw = gw;
	c->fd = cfd;
	c->ufd = -1;
	c->peer = *peer;
	llhttp_init(&c->req, HTTP_REQUEST, &gw_req_settings);
	c->req.data = c;
	c->next = gw->conns;
	if (gw->conns)
		gw->conns->prev = c;
	gw->conns = c;
	gw->n_conns++;
	gw_conn_arm(c, GW_PROXY_IDLE_MS);
	if (ev_watch(gw->loop, cfd, EV_READ, gw_conn_client_io, c) < 0)
		gw_conn_close(c);
}

int gw_proxy_start(struct gw *gw, char *err, size_t errlen)
{
	char a[SOCK_ADDR_STRLEN];

	sock_format_addr((struct sockaddr *)&gw->listen_addr, true, a, sizeof(a));
	gw->lfd = sock_listen_tcp((struct sockaddr *)&gw->listen_addr, sizeof(gw->listen_addr), 0,
				  1024);
	if (gw->lfd < 0) {
		snprintf(err, errlen, "listen %s: %s", a, strerror(-gw->lfd));
		return -1;
	}
	if (!(gw->acceptor = acceptor_new(gw->loop, gw->lfd, gw_proxy_adopt, gw))) {
		snprintf(err, errlen, "listen %s: cannot watch", a);
		close(gw->lfd);
		gw->lfd = -1;
		return -1;
	}
	/* Port 0 (tests) picked one: X-Forwarded-Port names the real one. */
	if (gw->listen_addr.sin_port == 0) {
		struct sockaddr_storage ss;

		if (sock_local_addr(gw->lfd, &ss) == 0 && ss.ss_family == AF_INET)
			memcpy(&gw->listen_addr, &ss, sizeof(gw->listen_addr));
		sock_format_addr((struct sockaddr *)&gw->listen_addr, true, a, sizeof(a));
	}
	log_info("listening on %s", a);
	return 0;
}

void gw_proxy_stop(struct gw *gw)
{
	while (gw->conns)
		gw_conn_close(gw->conns);
	acceptor_free(gw->acceptor);
	gw->acceptor = NULL;
	if (gw->lfd >= 0) {
		close(gw->lfd);
		gw->lfd = -1;
	}
}
