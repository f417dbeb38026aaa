/* gw_upstream.c — the gateway's data path, the pod's side.
 *
 * For each request the client's side (gw_proxy.c) has routed, a
 * non-blocking connect from the gateway's own address to the next ready
 * endpoint, round robin; a connect that fails moves on to the next one.
 * The pod's response is parsed by llhttp and its head rebuilt for the
 * client (hop-by-hop headers dropped); a body delimited by the pod's close
 * is chunked for an HTTP/1.1 client, so the client's connection stays
 * open.
 */
#include "gw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <llhttp.h>

#include "buf.h"
#include "gw_proxy_int.h"
#include "log.h"
#include "sock.h"

/* ---- the response ------------------------------------------------------------- */

static int gw_resp_on_message_begin(llhttp_t *p)
{
	struct gw_conn *c = gw_conn_of(p);

	buf_reset(&c->rhead);
	buf_reset(&c->rfield);
	buf_reset(&c->rvalue);
	buf_reset(&c->reason);
	return 0;
}

static int gw_resp_on_status(llhttp_t *p, const char *at, size_t len)
{
	struct gw_conn *c = gw_conn_of(p);

	buf_append(&c->reason, at, len);
	return c->reason.len > 256 ? HPE_USER : 0;
}

static int gw_resp_on_field(llhttp_t *p, const char *at, size_t len)
{
	struct gw_conn *c = gw_conn_of(p);

	buf_append(&c->rfield, at, len);
	return c->rhead.len + c->rfield.len > GW_PROXY_HEAD_MAX ? HPE_USER : 0;
}

static int gw_resp_on_value(llhttp_t *p, const char *at, size_t len)
{
	struct gw_conn *c = gw_conn_of(p);

	buf_append(&c->rvalue, at, len);
	return c->rhead.len + c->rvalue.len > GW_PROXY_HEAD_MAX ? HPE_USER : 0;
}

static int gw_resp_on_value_complete(llhttp_t *p)
{
	struct gw_conn *c = gw_conn_of(p);

	if (!gw_hdr_hop(&c->rfield)) {
		buf_append(&c->rhead, c->rfield.data, c->rfield.len);
		buf_printf(&c->rhead, ": %s\r\n", buf_str(&c->rvalue));
	}
	buf_reset(&c->rfield);
	buf_reset(&c->rvalue);
	return 0;
}

static int gw_resp_on_headers_complete(llhttp_t *p)
{
	struct gw_conn *c = gw_conn_of(p);
	int status = p->status_code;
	bool no_body = c->head_method || status == 204 || status == 304 || status < 200;

	/* The gateway asks for no upgrade (Upgrade is hop-by-hop, dropped):
	 * a 101 is a pod that answers something else than HTTP from here on.
	 * An error, so that the client gets 502 rather than no answer. */
	if (status == 101) {
		llhttp_set_error_reason(p, "101 Switching Protocols, though no upgrade was asked for");
		return -1;
	}
	/* An interim answer (100 Continue) goes on as it is; the real one
	 * follows on the same stream. */
	if (status >= 100 && status < 200) {
		buf_printf(&c->out, "HTTP/1.1 %d %s\r\n%s\r\n", status, buf_str(&c->reason),
			   buf_str(&c->rhead));
		return 0;
	}
	c->resp_chunked = false;
	if (!no_body && !(p->flags & (F_CHUNKED | F_CONTENT_LENGTH))) {
		/* Delimited by the pod's close: chunked for an HTTP/1.1 client,
		 * whose connection then stays open; an HTTP/1.0 one reads to
		 * the close. */
		if (c->http_minor >= 1) {
			buf_puts(&c->rhead, "Transfer-Encoding: chunked\r\n");
			c->resp_chunked = true;
		} else {
			c->keep_alive = false;
		}
	} else if (p->flags & F_CHUNKED) {
		c->resp_chunked = true;
	}
	/* The pod's own "Connection: close" (the gateway asked for it) was
	 * dropped with the other hop-by-hop headers: the client's connection
	 * is the gateway's business. */
	buf_printf(&c->out, "HTTP/1.1 %d %s\r\n%s%s\r\n", status, buf_str(&c->reason),
		   buf_str(&c->rhead),
		   !c->keep_alive ? "Connection: close\r\n" :
		   c->http_minor == 0 ? "Connection: keep-alive\r\n" : "");
	c->resp_started = true;
	/* llhttp needs to be told that the answer to HEAD has no body. */
	return c->head_method ? 1 : 0;
}

static int gw_resp_on_body(llhttp_t *p, const char *at, size_t len)
{
	struct gw_conn *c = gw_conn_of(p);

	if (c->resp_chunked)
		buf_printf(&c->out, "%zx\r\n", len);
	buf_append(&c->out, at, len);
	if (c->resp_chunked)
		buf_puts(&c->out, "\r\n");
	return 0;
}

static int gw_resp_on_message_complete(llhttp_t *p)
{
	struct gw_conn *c = gw_conn_of(p);
	int status = p->status_code;

	if (status >= 100 && status < 200)
		return 0;
	if (c->resp_chunked)
		buf_puts(&c->out, "0\r\n\r\n");
	c->resp_done = true;
	return HPE_PAUSED;
}

static const llhttp_settings_t gw_resp_settings = {
	.on_message_begin = gw_resp_on_message_begin,
	.on_status = gw_resp_on_status,
	.on_header_field = gw_resp_on_field,
	.on_header_value = gw_resp_on_value,
	.on_header_value_complete = gw_resp_on_value_complete,
	.on_headers_complete = gw_resp_on_headers_complete,
	.on_body = gw_resp_on_body,
	.on_message_complete = gw_resp_on_message_complete,
};

void gw_conn_up_close(struct gw_conn *c)
{
	if (c->ufd >= 0) {
		ev_unwatch(c->gw->loop, c->ufd);
		close(c->ufd);
		c->ufd = -1;
	}
}

/* A non-blocking connect from the gateway's own address. */
static int gw_conn_dial(struct gw_conn *c, const struct gw_endpoint *ep)
{
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr = c->gw->source };
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_addr = ep->addr,
				   .sin_port = htons((uint16_t)ep->port) };
	int fd = sock_connect_tcp_from((struct sockaddr *)&dst, sizeof(dst),
				       c->gw->source.s_addr ? (struct sockaddr *)&src : NULL);

	if (fd >= 0)
		sock_set_nodelay(fd, true);
	return fd;
}

/* Connects to the next endpoint not tried yet. 0, or -1 when all were. */
int gw_conn_connect_next(struct gw_conn *c)
{
	gw_conn_up_close(c);
	while (c->tried < c->n_eps) {
		const struct gw_endpoint *ep = &c->eps[(c->next_ep + c->tried) % c->n_eps];
		char a[INET_ADDRSTRLEN];
		int fd;

		c->tried++;
		fd = gw_conn_dial(c, ep);
		if (fd < 0) {
			log_info("connect %s:%d: %s", inet_ntop(AF_INET, &ep->addr, a, sizeof(a)),
				 ep->port, strerror(-fd));
			continue;
		}
		c->ufd = fd;
		c->phase = GW_CONNECTING;
		llhttp_init(&c->resp, HTTP_RESPONSE, &gw_resp_settings);
		c->resp.data = c;
		ev_watch(c->gw->loop, fd, EV_WRITE, gw_conn_up_io, c);
		gw_conn_arm(c, GW_PROXY_CONNECT_MS);
		return 0;
	}
	return -1;
}

void gw_conn_up_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct gw_conn *c = data;
	char a[INET_ADDRSTRLEN];

	(void)loop;
	if (c->phase == GW_CONNECTING) {
		int e = sock_error(fd);
		const struct gw_endpoint *ep = &c->eps[(c->next_ep + c->tried - 1) % c->n_eps];

		if (e < 0) {
			log_info("connect %s:%d: %s", inet_ntop(AF_INET, &ep->addr, a, sizeof(a)),
				 ep->port, strerror(-e));
			if (gw_conn_connect_next(c) < 0)
				gw_conn_local(c, 502, true);
			gw_conn_update(c);
			return;
		}
		c->phase = GW_EXCHANGE;
		gw_conn_arm(c, GW_PROXY_RESPONSE_MS);
	}
	if (c->phase == GW_EXCHANGE && (events & EV_READ)) {
		char tmp[GW_PROXY_READ];
		ssize_t r = recv(fd, tmp, sizeof(tmp), 0);

		if (r > 0) {
			llhttp_errno_t e = llhttp_execute(&c->resp, tmp, (size_t)r);

			if (e != HPE_OK && e != HPE_PAUSED) {
				log_info("bad response from %s: %s", c->host,
					 llhttp_get_error_reason(&c->resp));
				if (!c->resp_started)
					gw_conn_local(c, 502, true);
				else
					c->close_now = true;
				c->resp_done = true;
				gw_conn_up_close(c);
			}
			gw_conn_arm(c, GW_PROXY_RESPONSE_MS);
		} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
			/* The pod closed: the end of a response read to the close,
			 * or a response cut short. */
			llhttp_errno_t e = r == 0 ? llhttp_finish(&c->resp) : HPE_OK;

			/* on_message_complete pauses, from llhttp_finish too. */
			if (r == 0 && (e == HPE_OK || e == HPE_PAUSED) && c->resp_done) {
				gw_conn_up_close(c);
			} else if (!c->resp_started) {
				gw_conn_up_close(c);
				gw_conn_local(c, 502, true);
			} else {
				gw_conn_up_close(c);
				c->resp_done = true;
				c->close_now = true;
			}
		}
	}
	gw_conn_update(c);
}
