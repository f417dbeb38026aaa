/* api_http_req.c — reading requests on a connection (api_http_int.h):
 * llhttp's callbacks gather the target, the headers the server looks at
 * and the body, within the limits, and each complete request becomes an
 * api_http_req for the handler. The request head is refused with 431
 * past max_head, a body with 413 past max_body (before any of it is read
 * when its length is declared), anything llhttp refuses with 400.
 */
#include "api_http.h"
#include "api_http_int.h"

#include <string.h>
#include <strings.h>

#include <llhttp.h>

#include "buf.h"
#include "httpd.h"

/* The headers kept (API_HTTP_H_*), as llhttp hands their names over,
 * compared without case. */
static const char *const api_http_hdr_names[API_HTTP_NHDR] = {
	"accept",
	"content-type",
	"user-agent",
	"upgrade",
	"sec-websocket-key",
	"sec-websocket-protocol",
	"sec-websocket-version",
	"expect",
	"x-stream-protocol-version",
	"if-none-match",
};

/* ---- parser callbacks ----------------------------------------------------------- */

static int api_http_too_big(struct api_http_conn *c, size_t len)
{
	c->head_bytes += len;
	if (c->head_bytes <= c->srv->lim.max_head)
		return 0;
	c->err_status = 431;
	c->err_msg = "request header fields too large";
	return HPE_USER;
}

static int api_http_on_message_begin(llhttp_t *p)
{
	struct api_http_conn *c = p->data;

	c->in_message = true;
	c->head_bytes = 0;
	c->cur_hdr = -1;
	c->upgrade = false;
	c->head_only = false;
	buf_reset(&c->url);
	buf_reset(&c->field);
	buf_reset(&c->body);
	buf_reset(&c->more_hdrs);
	for (int i = 0; i < API_HTTP_NHDR; i++)
		buf_reset(&c->hdr[i]);
	return 0;
}

static int api_http_on_url(llhttp_t *p, const char *at, size_t len)
{
	struct api_http_conn *c = p->data;

	if (api_http_too_big(c, len))
		return HPE_USER;
	buf_append(&c->url, at, len);
	return 0;
}

static int api_http_on_header_field(llhttp_t *p, const char *at, size_t len)
{
	struct api_http_conn *c = p->data;

	if (api_http_too_big(c, len + 4)) /* ": " and CRLF count too */
		return HPE_USER;
	buf_append(&c->field, at, len);
	return 0;
}

static int api_http_on_header_field_complete(llhttp_t *p)
{
	struct api_http_conn *c = p->data;

	c->cur_hdr = -1;
	for (int i = 0; i < API_HTTP_NHDR; i++) {
		if (strcasecmp(buf_str(&c->field), api_http_hdr_names[i]) == 0) {
			c->cur_hdr = i;
			/* A repeated header is one comma-separated list (RFC 7230 3.2.2). */
			if (c->hdr[i].len)
				buf_puts(&c->hdr[i], ", ");
			break;
		}
	}
	buf_reset(&c->field);
	return 0;
}

static int api_http_on_header_value(llhttp_t *p, const char *at, size_t len)
{
	struct api_http_conn *c = p->data;

	if (api_http_too_big(c, len))
		return HPE_USER;
	if (c->cur_hdr >= 0)
		buf_append(&c->hdr[c->cur_hdr], at, len);
	return 0;
}

static int api_http_on_header_value_complete(llhttp_t *p)
{
	struct api_http_conn *c = p->data;

	c->cur_hdr = -1;
	return 0;
}

static int api_http_on_headers_complete(llhttp_t *p)
{
	struct api_http_conn *c = p->data;
	bool has_body = (p->flags & F_CHUNKED) || p->content_length > 0;

	c->upgrade = llhttp_get_upgrade(p) != 0;
	c->head_only = llhttp_get_method(p) == HTTP_HEAD;
	c->http10 = llhttp_get_http_major(p) == 1 && llhttp_get_http_minor(p) == 0;
	/* Refuse a declared oversized body before any of it is read. */
	if ((p->flags & F_CONTENT_LENGTH) && p->content_length > c->srv->lim.max_body) {
		c->err_status = 413;
		c->err_msg = "request entity too large";
		return -1;
	}
	if ((p->flags & F_CONTENT_LENGTH) && p->content_length > 0 &&
	    buf_reserve(&c->body, (size_t)p->content_length) < 0) {
		c->err_status = 500;
		c->err_msg = "out of memory";
		return -1;
	}
	/* curl waits a second for this before sending a large body. */
	if (has_body && !c->http10 && strcasecmp(buf_str(&c->hdr[API_HTTP_H_EXPECT]),
						 "100-continue") == 0)
		buf_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
	return 0;
}

static int api_http_on_body(llhttp_t *p, const char *at, size_t len)
{
	struct api_http_conn *c = p->data;

	/* A chunked body has no declared length: it is cut where it passes
	 * the limit, and the rest is never buffered. */
	if (c->body.len + len > c->srv->lim.max_body) {
		c->err_status = 413;
		c->err_msg = "request entity too large";
		return HPE_USER;
	}
	buf_append(&c->body, at, len);
	if (c->body.oom) {
		c->err_status = 500;
		c->err_msg = "out of memory";
		return HPE_USER;
	}
	return 0;
}

/* Pause after each request: it is answered before the next is parsed. */
static int api_http_on_message_complete(llhttp_t *p)
{
	struct api_http_conn *c = p->data;

	c->complete = true;
	c->in_message = false;
	c->keep_alive = llhttp_should_keep_alive(p) != 0;
	return HPE_PAUSED;
}

/* ---- requests ---------------------------------------------------------------- */

static void api_http_dispatch(struct api_http_conn *c)
{
	struct api_http *s = c->srv;
	struct api_http_req req;
	const char *target = buf_str(&c->url), *p = target;
	const char *q;

	c->complete = false;
	c->state = API_HTTP_HANDLER;
	if (!c->keep_alive)
		c->close_after = true;
	/* absolute-form ("http://host/path"), as a proxy would send it */
	if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
		p = strstr(p, "//") + 2;
		p += strcspn(p, "/?");
	}
	q = strchr(p, '?');
	buf_reset(&c->path);
	if (*p != '/' && *p != '?')
		buf_putc(&c->path, '/');
	buf_append(&c->path, p, q ? (size_t)(q - p) : strlen(p));
	if (c->path.oom || httpd_path_decode(c->path.data) < 0) {
		api_http_fail(c, 400, "malformed request path");
		return;
	}
	memset(&req, 0, sizeof(req));
	req.method = llhttp_method_name((llhttp_method_t)llhttp_get_method(&c->parser));
	req.target = target;
	req.path = c->path.data;
	req.query = q ? q + 1 : "";
	req.accept = buf_str(&c->hdr[API_HTTP_H_ACCEPT]);
	req.content_type = buf_str(&c->hdr[API_HTTP_H_CTYPE]);
	req.user_agent = buf_str(&c->hdr[API_HTTP_H_UA]);
	req.upgrade = buf_str(&c->hdr[API_HTTP_H_UPGRADE]);
	req.ws_key = buf_str(&c->hdr[API_HTTP_H_WSKEY]);
	req.ws_protocols = buf_str(&c->hdr[API_HTTP_H_WSPROTO]);
	req.stream_protocols = buf_str(&c->hdr[API_HTTP_H_STREAMPROTO]);
	req.if_none_match = buf_str(&c->hdr[API_HTTP_H_INM]);
	req.body = buf_str(&c->body);
	req.body_len = c->body.len;
	req.local_socket = c->local;
	s->fn(c, &req, s->data);
	if (c->state == API_HTTP_HANDLER)
		api_http_fail(c, 500, "the request was not answered");
	if (c->state == API_HTTP_READ)
		c->close_cb = NULL;
	/* After an upgrade request llhttp expects another protocol; one that
	 * was not accepted leaves plain HTTP, so start the parser afresh. */
	if (c->upgrade && c->state != API_HTTP_WS && c->state != API_HTTP_RAW)
		llhttp_reset(&c->parser);
	/* The next request gets its own head timeout. */
	api_http_arm(c, API_HTTP_T_NONE);
}

/* Parses buffered input up to the end of one request and dispatches it.
 * true if something happened (a request answered or refused). */
bool api_http_parse(struct api_http_conn *c)
{
	while (c->in.len > 0) {
		llhttp_errno_t e = llhttp_execute(&c->parser, c->in.data, c->in.len);
		size_t used = c->in.len;

		if (e == HPE_PAUSED || e == HPE_PAUSED_UPGRADE) {
			used = (size_t)(llhttp_get_error_pos(&c->parser) - c->in.data);
			if (e == HPE_PAUSED)
				llhttp_resume(&c->parser);
		} else if (e != HPE_OK) {
			api_http_fail(c, c->err_status ? c->err_status : 400,
				      c->err_msg ? c->err_msg : "malformed HTTP request");
			return true;
		}
		api_http_in_consume(c, used);
		if (c->complete) {
			api_http_dispatch(c);
			return true;
		}
		if (e == HPE_PAUSED_UPGRADE) {
			/* Not reached: every request pauses at its end first. */
			llhttp_reset(&c->parser);
		}
	}
	return false;
}

void api_http_parser_settings(llhttp_settings_t *s)
{
	llhttp_settings_init(s);
	s->on_message_begin = api_http_on_message_begin;
	s->on_url = api_http_on_url;
	s->on_header_field = api_http_on_header_field;
	s->on_header_field_complete = api_http_on_header_field_complete;
	s->on_header_value = api_http_on_header_value;
	s->on_header_value_complete = api_http_on_header_value_complete;
	s->on_headers_complete = api_http_on_headers_complete;
	s->on_body = api_http_on_body;
	s->on_message_complete = api_http_on_message_complete;
}
