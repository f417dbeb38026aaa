/* echo_conn_request.c — what a connection keeps of a request's head,
 * and what it refuses: llhttp's callbacks.
 *
 * The few values that matter (URL, forwarding headers, Accept, Expect)
 * are copied into the connection's arena as they arrive; everything else
 * is parsed and forgotten.
 *
 * llhttp 8 runs with its lenient flags off, yet lets through requests
 * that RFC 9112 has a server refuse with 400: whitespace between a field
 * name and its colon, an HTTP/1.1 request without a Host, more than one
 * Host in any request; and obs-fold lines, which it allows refusing. A
 * proxy and a server that read such a request differently is how requests
 * are smuggled past the proxy, so the callbacks refuse them (400), as well
 * as CONNECT (400: nothing to tunnel to) and any version but 1.0 and 1.1
 * (505). What needs the whole head (the Hosts, CONNECT, the version) is
 * checked at its end, in echo_conn.c.
 */
#include "echo_server.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "echo_conn_int.h"

static struct echo_conn *echo_conn_of(llhttp_t *p)
{
	return p->data;
}

/* --- capturing the request head ------------------------------------- */

static void echo_conn_arena_add(struct echo_conn *c, struct echo_span *sp, const char *at, size_t len)
{
	struct echo_req *r = &c->req;

	/* Pieces of one value arrive back to back with nothing appended in
	 * between, so the span grows in place. An overflowing head is
	 * answered with 431 anyway; the flag makes sure of it. */
	if (len > (size_t)(ECHO_HEAD_MAX - r->arena_len)) {
		r->arena_full = true;
		return;
	}
	memcpy(c->arena + r->arena_len, at, len);
	r->arena_len = (uint16_t)(r->arena_len + len);
	sp->len = (uint16_t)(sp->len + len);
}

static int echo_conn_on_message_begin(llhttp_t *p)
{
	struct echo_conn *c = echo_conn_of(p);

	memset(&c->req, 0, sizeof(c->req));
	return 0;
}

/* Stops the parser; the request is answered with status and the
 * connection closed. */
static int echo_conn_refuse(struct echo_req *r, uint16_t status)
{
	r->refuse = status;
	return HPE_USER;
}

static int echo_conn_on_url(llhttp_t *p, const char *at, size_t len)
{
	struct echo_conn *c = echo_conn_of(p);

	echo_conn_arena_add(c, &c->req.url, at, len);
	return 0;
}

static int echo_conn_on_version(llhttp_t *p, const char *at, size_t len)
{
	struct echo_req *r = &echo_conn_of(p)->req;

	/* llhttp refuses a version it does not know (2.5, 9.9) and a
	 * malformed one alike; only the text tells 505 from 400. */
	if (r->version_len > sizeof(r->version) || len > sizeof(r->version) - r->version_len) {
		r->version_len = sizeof(r->version) + 1;
		return 0;
	}
	memcpy(r->version + r->version_len, at, len);
	r->version_len = (uint8_t)(r->version_len + len);
	return 0;
}

static int echo_conn_on_header_field(llhttp_t *p, const char *at, size_t len)
{
	struct echo_req *r = &echo_conn_of(p)->req;

	/* llhttp 8 takes "Host : x" for a field "Host " (RFC 9112 5.1: must
	 * be 400). A proxy that trims the name and one that keeps it disagree
	 * about which headers the request has. */
	if (memchr(at, ' ', len) || memchr(at, '\t', len))
		return echo_conn_refuse(r, 400);
	/* Names longer than the buffer are none of the ones looked for. */
	if (r->name_len + len >= sizeof(r->name)) {
		r->name_len = sizeof(r->name);
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		char ch = at[i];

		r->name[r->name_len++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
	}
	return 0;
}

static bool echo_conn_name_is(const struct echo_req *r, const char *name, size_t n)
{
	return r->name_len == n && memcmp(r->name, name, n) == 0;
}

static int echo_conn_on_header_field_complete(llhttp_t *p)
{
	struct echo_conn *c = echo_conn_of(p);
	struct echo_req *r = &c->req;

	/* Counted for the check at the end of the head; a Host in trailers is
	 * not the request's. */
	if (c->in_head && r->nhost < 2 && echo_conn_name_is(r, "host", 4))
		r->nhost++;
	/* Trailers of a chunked body come after the head a proxy vouched for:
	 * an X-Forwarded-For there would pass for the nearest hop. */
	if (!c->in_head)
		r->cur_kind = ECHO_HDR_OTHER;
	else if (echo_conn_name_is(r, "x-forwarded-for", 15))
		r->cur_kind = ECHO_HDR_XFF;
	else if (echo_conn_name_is(r, "x-real-ip", 9))
		r->cur_kind = ECHO_HDR_XREALIP;
	else if (echo_conn_name_is(r, "forwarded", 9))
		r->cur_kind = ECHO_HDR_FORWARDED;
	else if (echo_conn_name_is(r, "accept", 6))
		r->cur_kind = ECHO_HDR_ACCEPT;
	else if (echo_conn_name_is(r, "expect", 6))
		r->cur_kind = ECHO_HDR_EXPECT;
	else
		r->cur_kind = ECHO_HDR_OTHER;
	r->name_len = 0;
	r->cur.off = r->arena_len;
	r->cur.len = 0;
	return 0;
}

static int echo_conn_on_header_value(llhttp_t *p, const char *at, size_t len)
{
	struct echo_conn *c = echo_conn_of(p);

	/* A piece of a value that starts a line, after blanks, is an obs-fold
	 * continuation line, which llhttp 8 joins to the value (or takes for
	 * the value when the line before had none). RFC 9112 5.2 lets a server
	 * refuse it; one that joins and one that does not read different
	 * values. Any other piece follows the colon and its blanks, or the end
	 * of the previous read. (An empty value is an empty piece after its
	 * line break.) */
	if (len > 0 && echo_conn_after_break(c->in + c->in_off, at, c->after_break))
		return echo_conn_refuse(&c->req, 400);
	if (c->req.cur_kind != ECHO_HDR_OTHER)
		echo_conn_arena_add(c, &c->req.cur, at, len);
	return 0;
}

static bool echo_conn_ci_eq(const char *a, size_t n, const char *lower)
{
	return strlen(lower) == n && strncasecmp(a, lower, n) == 0;
}

/* True if an Accept value lists application/json as a media range. */
static bool echo_conn_accepts_json(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t b = i, e;

		while (i < n && v[i] != ',')
			i++;
		e = i++;
		for (size_t k = b; k < e; k++) {
			if (v[k] == ';') {
				e = k; /* parameters (q=...) do not change the type */
				break;
			}
		}
		while (b < e && (v[b] == ' ' || v[b] == '\t'))
			b++;
		while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (echo_conn_ci_eq(v + b, e - b, "application/json"))
			return true;
	}
	return false;
}

static int echo_conn_on_header_value_complete(llhttp_t *p)
{
	struct echo_conn *c = echo_conn_of(p);
	struct echo_req *r = &c->req;
	const char *v = c->arena + r->cur.off;

	while (r->cur.len > 0 && (v[r->cur.len - 1] == ' ' || v[r->cur.len - 1] == '\t'))
		r->cur.len--;
	switch (r->cur_kind) {
	case ECHO_HDR_XFF:
	case ECHO_HDR_XREALIP:
	case ECHO_HDR_FORWARDED:
		/* Dropping a line could hide the hop a trusted proxy added:
		 * too many is refused (431), never truncated. */
		if (r->nfwd == ECHO_MAX_FWD) {
			r->too_many = true;
			break;
		}
		r->fwd[r->nfwd] = r->cur;
		r->fwd_kind[r->nfwd] = r->cur_kind;
		r->nfwd++;
		return 0;
	case ECHO_HDR_ACCEPT:
		r->accept_json = r->accept_json || echo_conn_accepts_json(v, r->cur.len);
		break;
	case ECHO_HDR_EXPECT:
		r->expect_continue = echo_conn_ci_eq(v, r->cur.len, "100-continue");
		break;
	default:
		return 0;
	}
	r->arena_len = r->cur.off; /* the value is used up */
	return 0;
}

static int echo_conn_on_headers_complete(llhttp_t *p)
{
	struct echo_conn *c = echo_conn_of(p);
	struct echo_req *r = &c->req;

	r->method = llhttp_get_method(p);
	r->http_major = llhttp_get_http_major(p);
	r->http_minor = llhttp_get_http_minor(p);
	r->keep_alive = llhttp_should_keep_alive(p);
	r->upgrade = llhttp_get_upgrade(p);
	c->pause = ECHO_PAUSE_HEADERS;
	return HPE_PAUSED;
}

static int echo_conn_on_body(llhttp_t *p, const char *at, size_t len)
{
	struct echo_conn *c = echo_conn_of(p);

	(void)at;
	c->req.body_bytes += len;
	return c->req.body_bytes > ECHO_BODY_MAX ? echo_conn_refuse(&c->req, 413) : 0;
}

static int echo_conn_on_message_complete(llhttp_t *p)
{
	echo_conn_of(p)->pause = ECHO_PAUSE_MESSAGE;
	return HPE_PAUSED;
}

const llhttp_settings_t echo_conn_settings = {
	.on_message_begin = echo_conn_on_message_begin,
	.on_url = echo_conn_on_url,
	.on_version = echo_conn_on_version,
	.on_header_field = echo_conn_on_header_field,
	.on_header_field_complete = echo_conn_on_header_field_complete,
	.on_header_value = echo_conn_on_header_value,
	.on_header_value_complete = echo_conn_on_header_value_complete,
	.on_headers_complete = echo_conn_on_headers_complete,
	.on_body = echo_conn_on_body,
	.on_message_complete = echo_conn_on_message_complete,
};
