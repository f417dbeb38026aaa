/* echo_conn_answer.c — a connection's answers: the client's address as
 * text (the scenario app's answer) or as JSON (/json, or Accept:
 * application/json), /healthz, and the error answers that end the
 * connection, each written into the output buffer. The status line and
 * headers are plain copies into one reservation: this is the hot path.
 */
#include "echo_server.h"

#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "echo_conn_int.h"
#include "echo_realip.h"
#include "jsonw.h"
#include "log.h"
#include "sock.h"

enum echo_route {
	ECHO_ROUTE_TEXT,
	ECHO_ROUTE_JSON,
	ECHO_ROUTE_HEALTHZ,
};

/* --- answers ---------------------------------------------------------- */

/* Every status this file sends; the reason phrases are RFC 9110's. */
static const struct {
	int status;
	const char *line;
	const char *body;       /* the text of an answer that has no other */
} echo_conn_statuses[] = {
	{ 200, "HTTP/1.1 200 OK\r\n", "ok\n" },
	{ 400, "HTTP/1.1 400 Bad Request\r\n", "bad request\n" },
	{ 413, "HTTP/1.1 413 Content Too Large\r\n", "content too large\n" },
	{ 431, "HTTP/1.1 431 Request Header Fields Too Large\r\n",
	  "request header fields too large\n" },
	{ 500, "HTTP/1.1 500 Internal Server Error\r\n", "internal server error\n" },
	{ 503, "HTTP/1.1 503 Service Unavailable\r\n", "service unavailable\n" },
	{ 505, "HTTP/1.1 505 HTTP Version Not Supported\r\n", "http version not supported\n" },
};

#define ECHO_CONN_NSTATUS (sizeof(echo_conn_statuses) / sizeof(echo_conn_statuses[0]))

/* The table entry of status; a status missing from it is a bug here, and
 * is sent as 500 rather than under another status's reason phrase. */
static size_t echo_conn_status_index(int status)
{
	size_t i500 = 0;

	for (size_t i = 0; i < ECHO_CONN_NSTATUS; i++) {
		if (echo_conn_statuses[i].status == status)
			return i;
		if (echo_conn_statuses[i].status == 500)
			i500 = i;
	}
	log_error("no reason phrase for status %d; answering 500", status);
	return i500;
}

static void echo_conn_put(struct buf *b, const char *s, size_t n)
{
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

#define ECHO_PUT_LIT(b, lit) echo_conn_put((b), (lit), sizeof(lit) - 1)

/* Writes the status line and headers. The hot path: one reservation, then
 * plain copies. */
static void echo_conn_put_head(struct echo_conn *c, int status, const char *ctype,
			       size_t body_len, bool keep_alive)
{
	struct buf *b = &c->out;
	const struct echo_req *r = &c->req;
	const char *sline = echo_conn_statuses[echo_conn_status_index(status)].line;
	size_t slen = strlen(sline), dlen, clen = strlen(ctype);
	const char *date = echo_worker_date(c->w, &dlen);
	char num[24], *n = num + sizeof(num);

	/* status, 4 header names, CRLFs, a 20-digit length: 128 covers the rest. */
	if (buf_reserve(b, slen + clen + dlen + 128) < 0) {
		c->close_after = true;
		c->stop = true;
		return;
	}
	echo_conn_put(b, sline, slen);
	ECHO_PUT_LIT(b, "Content-Type: ");
	echo_conn_put(b, ctype, clen);
	ECHO_PUT_LIT(b, "\r\nContent-Length: ");
	do {
		*--n = (char)('0' + body_len % 10);
		body_len /= 10;
	} while (body_len);
	echo_conn_put(b, n, (size_t)(num + sizeof(num) - n));
	ECHO_PUT_LIT(b, "\r\n");
	echo_conn_put(b, date, dlen);
	if (!keep_alive)
		ECHO_PUT_LIT(b, "Connection: close\r\n");
	else if (r->http_major == 1 && r->http_minor == 0)
		ECHO_PUT_LIT(b, "Connection: keep-alive\r\n");
	ECHO_PUT_LIT(b, "\r\n");
	b->data[b->len] = '\0';
}

/* An error answer ends the connection: after a bad request the stream
 * cannot be trusted to be at a request boundary. body NULL: the status's
 * own text. */
void echo_conn_error(struct echo_conn *c, int status, const char *body)
{
	size_t i = echo_conn_status_index(status), n;

	status = echo_conn_statuses[i].status;
	if (!body)
		body = echo_conn_statuses[i].body;
	n = strlen(body);
	echo_conn_put_head(c, status, "text/plain", n, false);
	buf_append(&c->out, body, n);
	c->close_after = true;
	c->stop = true;
	if (c->w->cfg->verbose)
		log_debug("%s: answered %d", c->base_str, status);
}

static enum echo_route echo_conn_route(const struct echo_conn *c)
{
	const struct echo_req *r = &c->req;
	const char *u = c->arena + r->url.off, *end = u + r->url.len, *path = u;
	size_t n;

	/* An absolute-form target (http://host/path) routes by its path. */
	if (r->url.len > 0 && u[0] != '/') {
		const char *scheme = memmem(u, r->url.len, "://", 3);

		path = end;
		if (scheme) {
			const char *slash = memchr(scheme + 3, '/', (size_t)(end - scheme - 3));

			if (slash)
				path = slash;
		}
	}
	n = (size_t)(end - path);
	for (size_t i = 0; i < n; i++) {
		if (path[i] == '?' || path[i] == '#') {
			n = i;
			break;
		}
	}
	if (n == 8 && memcmp(path, "/healthz", 8) == 0)
		return ECHO_ROUTE_HEALTHZ;
	if ((n == 5 && memcmp(path, "/json", 5) == 0) || r->accept_json)
		return ECHO_ROUTE_JSON;
	return ECHO_ROUTE_TEXT;
}

/* The client as text into out (SOCK_IP_STRLEN bytes); returns its length. */
static size_t echo_conn_client(struct echo_conn *c, char *out, const char **text)
{
	const struct echo_config *cfg = c->w->cfg;
	const struct echo_req *r = &c->req;
	struct echo_str xff[ECHO_MAX_FWD];
	struct sockaddr_storage client;
	size_t n = 0;
	int len;

	if (cfg->ntrust > 0) {
		for (unsigned i = 0; i < r->nfwd; i++) {
			if (r->fwd_kind[i] == ECHO_HDR_XFF)
				xff[n++] = (struct echo_str){ c->arena + r->fwd[i].off, r->fwd[i].len };
		}
	}
	if (n > 0 && echo_realip_client(cfg->trust, cfg->ntrust, (struct sockaddr *)&c->base,
					xff, n, &client)) {
		len = sock_format_ip((struct sockaddr *)&client, cfg->unmap, out, SOCK_IP_STRLEN);
		if (len > 0) {
			*text = out;
			return (size_t)len;
		}
	}
	*text = c->base_str;
	return c->base_len;
}

static void echo_conn_json_addr(struct jsonw *j, const char *akey, const char *pkey,
				const struct sockaddr_storage *ss, bool unmap)
{
	char ip[SOCK_IP_STRLEN];

	if (sock_format_ip((const struct sockaddr *)ss, unmap, ip, sizeof(ip)) < 0) {
		jsonw_key(j, akey);
		jsonw_null(j);
		jsonw_key(j, pkey);
		jsonw_null(j);
		return;
	}
	jsonw_kv_str(j, akey, ip);
	jsonw_kv_int(j, pkey, sock_port((const struct sockaddr *)ss));
}

static void echo_conn_json(struct echo_conn *c, const char *client, size_t client_len)
{
	static const char *const hdr_names[] = {
		[ECHO_HDR_XFF] = "x-forwarded-for",
		[ECHO_HDR_XREALIP] = "x-real-ip",
		[ECHO_HDR_FORWARDED] = "forwarded",
	};
	const struct echo_config *cfg = c->w->cfg;
	const struct echo_req *r = &c->req;
	struct buf *b = &c->w->scratch;
	struct sockaddr_storage local;
	struct jsonw j;
	char version[8];

	buf_reset(b);
	jsonw_init(&j, b, false);
	jsonw_begin_object(&j);
	jsonw_key(&j, "client");
	jsonw_strn(&j, client, client_len);
	echo_conn_json_addr(&j, "remoteAddress", "remotePort", &c->peer, cfg->unmap);
	if (sock_local_addr(c->fd, &local) < 0)
		local.ss_family = AF_UNSPEC;
	echo_conn_json_addr(&j, "localAddress", "localPort", &local, cfg->unmap);
	jsonw_kv_str(&j, "name", cfg->name);

	jsonw_key(&j, "proxy");
	if (!c->has_proxy) {
		jsonw_null(&j);
	} else {
		jsonw_begin_object(&j);
		jsonw_kv_int(&j, "version", c->proxy.version);
		jsonw_kv_str(&j, "command", c->proxy.local ? "LOCAL" :
			     c->proxy.has_addr ? "PROXY" : "UNKNOWN");
		if (c->proxy.has_addr) {
			echo_conn_json_addr(&j, "sourceAddress", "sourcePort", &c->proxy.src, cfg->unmap);
			echo_conn_json_addr(&j, "destinationAddress", "destinationPort",
					    &c->proxy.dst, cfg->unmap);
		}
		jsonw_end_object(&j);
	}

	/* As seen: one string per header line, in the order received. */
	jsonw_key(&j, "headers");
	jsonw_begin_object(&j);
	for (unsigned k = ECHO_HDR_XFF; k <= ECHO_HDR_FORWARDED; k++) {
		jsonw_key(&j, hdr_names[k]);
		jsonw_begin_array(&j);
		for (unsigned i = 0; i < r->nfwd; i++) {
			if (r->fwd_kind[i] == k)
				jsonw_strn(&j, c->arena + r->fwd[i].off, r->fwd[i].len);
		}
		jsonw_end_array(&j);
	}
	jsonw_end_object(&j);

	jsonw_key(&j, "request");
	jsonw_begin_object(&j);
	jsonw_kv_str(&j, "method", llhttp_method_name((llhttp_method_t)r->method));
	jsonw_key(&j, "url");
	jsonw_strn(&j, c->arena + r->url.off, r->url.len);
	snprintf(version, sizeof(version), "%u.%u", r->http_major, r->http_minor);
	jsonw_kv_str(&j, "httpVersion", version);
	jsonw_end_object(&j);
	jsonw_end_object(&j);
	if (cfg->newline)
		buf_putc(b, '\n');
}

void echo_conn_respond(struct echo_conn *c)
{
	const struct echo_config *cfg = c->w->cfg;
	const struct echo_req *r = &c->req;
	bool keep = r->keep_alive && !r->upgrade && !c->w->draining && !c->close_after;
	bool head = r->method == HTTP_HEAD;
	char client[SOCK_IP_STRLEN + 1];
	const char *body, *ctype = "text/plain";
	size_t blen;
	int status = 200;

	switch (echo_conn_route(c)) {
	case ECHO_ROUTE_HEALTHZ:
		if (c->w->draining) {
			status = 503;
			body = cfg->newline ? "draining\n" : "draining";
		} else {
			body = cfg->newline ? "ok\n" : "ok";
		}
		blen = strlen(body);
		break;
	case ECHO_ROUTE_JSON:
		blen = echo_conn_client(c, client, &body);
		echo_conn_json(c, body, blen);
		if (c->w->scratch.oom) {
			echo_conn_error(c, 503, "out of memory\n");
			return;
		}
		body = c->w->scratch.data;
		blen = c->w->scratch.len;
		ctype = "application/json";
		break;
	default:
		blen = echo_conn_client(c, client, &body);
		if (cfg->newline) {
			if (body != client)
				memcpy(client, body, blen);
			client[blen++] = '\n';
			body = client;
		}
		break;
	}
	echo_conn_put_head(c, status, ctype, blen, keep);
	if (!head)
		buf_append(&c->out, body, blen);
	if (!keep) {
		c->close_after = true;
		c->stop = true;
		c->request_whole = true;
	}
}
