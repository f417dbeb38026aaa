/* api_http.h — the API server's HTTP/1.1 transport.
 *
 * Unlike lib/httpd (health checks: one short answer per request), the API
 * server reads request bodies, holds connections open for watches and
 * `log?follow=true` (chunked transfer encoding, one chunk per event), and
 * upgrades `exec` requests to WebSocket (api_ws.h) or SPDY. It listens on
 * TCP (127.0.0.1, for kubectl) and on a Unix socket (for the lab's daemons
 * in their network namespaces). Requests are parsed with llhttp; the
 * server never dies of a client: malformed requests get 400, oversized
 * heads 431, bodies over the limit 413 (each with a close), idle and slow
 * connections time out, connections beyond a cap are refused.
 *
 * A handler either answers at once (api_http_respond) or keeps the
 * connection: api_http_stream_start, then api_http_stream_write from
 * anywhere on the loop until api_http_stream_end or the peer goes away
 * (the close callback). While a connection streams, further pipelined
 * requests on it wait: a little of their input is read (so that the peer's
 * EOF is noticed), the rest stays in the socket until the stream ends.
 *
 * Nothing called from a handler or a stream writer frees a connection on
 * the spot: a connection that fails is closed from the loop's top level
 * right after, and its close callback runs there.
 */
#ifndef CLIENTIP_API_HTTP_H
#define CLIENTIP_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ev.h"
#include "httpd.h"

struct api_http;
struct api_http_conn;

struct api_http_req {
	const char *method;        /* "GET", "PATCH", ... */
	const char *target;        /* as sent: "/api/v1/pods?limit=500" */
	const char *path;          /* percent-decoded, without the query */
	const char *query;         /* the raw query after '?', "" if none */
	const char *accept;        /* header values, "" when absent */
	const char *content_type;
	const char *user_agent;
	const char *upgrade;       /* "websocket" for exec */
	const char *ws_key;        /* Sec-WebSocket-Key */
	const char *ws_protocols;  /* Sec-WebSocket-Protocol, as sent */
	const char *stream_protocols; /* X-Stream-Protocol-Version, repeats joined by ", " */
	const char *if_none_match; /* If-None-Match, as sent */
	const char *body;          /* NUL-terminated; body_len bytes */
	size_t body_len;
	bool local_socket;         /* came over the Unix socket */
};

/* Must call api_http_respond or api_http_stream_start (or api_ws_accept,
 * or api_http_defer) before returning, or the request gets a 500. */
typedef void api_http_handler(struct api_http_conn *c, const struct api_http_req *req,
			      void *data);

struct api_http_limits {
	int max_conns;             /* 0: 1024 */
	size_t max_head;           /* 0: 64 KiB */
	size_t max_body;           /* 0: 3 MiB, the real API server's limit */
	uint64_t head_timeout_ms;  /* 0: 30 s */
	uint64_t idle_timeout_ms;  /* 0: 5 min between keep-alive requests */
};

struct api_http *api_http_new(struct ev_loop *loop, const struct api_http_limits *limits,
			      api_http_handler *fn, void *data);
/* Listeners; several may be added. addr is a numeric address ("127.0.0.1",
 * "::1", "[::1]"; NULL or "" is 127.0.0.1); port 0 picks one:
 * api_http_tcp_port() (the first TCP listener's). 0, or -1 with a message
 * in err. */
int api_http_listen_tcp(struct api_http *h, const char *addr, int port, char *err,
			size_t errlen);
/* Serves on a TCP socket already listening (inherited from the process
 * that made it, e.g. in another network namespace); the fd is taken. */
int api_http_listen_fd(struct api_http *h, int fd, char *err, size_t errlen);
/* Removes a stale socket file first (refusing a file that is no socket or
 * one a live server answers on); the socket is made mode 0600, and removed
 * by api_http_free. Requests over it have local_socket set. */
int api_http_listen_unix(struct api_http *h, const char *path, char *err, size_t errlen);
int api_http_tcp_port(const struct api_http *h);
/* Closes listeners and every connection (close callbacks run). */
void api_http_free(struct api_http *h);

/* One whole response. extra_headers: "Name: value\r\n" lines or NULL.
 * Content-Length, Date and Connection are added. */
void api_http_respond(struct api_http_conn *c, int status, const char *content_type,
		      const char *extra_headers, const char *body, size_t len);

/* One more header line on the response the handler is about to give
 * (api_http_respond, api_http_stream_start); may be called several times,
 * e.g. for Warning headers. A CR or LF in value ends it. */
void api_http_add_header(struct api_http_conn *c, const char *name, const char *value);

/* The handler answers later, from the loop (it waits for another
 * server): api_http_respond or api_http_stream_start then. Nothing more is
 * read from the client meanwhile but its leaving, which runs the close
 * callback (api_http_on_close) as for a stream. */
void api_http_defer(struct api_http_conn *c);

/* A chunked response kept open. */
void api_http_stream_start(struct api_http_conn *c, int status, const char *content_type);
/* Queues one chunk and sends what the socket takes. len 0 is a no-op.
 * 0, or -1 if the connection is gone or its unsent output is over 16 MiB
 * (a watcher that does not read is cut); after a -1 the close callback
 * follows from the loop, not from within this call. */
int api_http_stream_write(struct api_http_conn *c, const char *data, size_t len);
/* The final chunk; the connection then serves its next request. */
void api_http_stream_end(struct api_http_conn *c);

/* Runs once when a kept connection (stream or WebSocket) ends for any
 * reason other than the handler ending it; c is invalid afterwards. */
typedef void api_http_close_cb(struct api_http_conn *c, void *data);
void api_http_on_close(struct api_http_conn *c, api_http_close_cb *cb, void *data);

/* Another protocol over the connection (SPDY/3.1 for exec): a 101 with
 * "Connection: Upgrade", "Upgrade: <upgrade>" and extra_headers ("Name:
 * value\r\n" lines or NULL), then every byte the client sends is handed to
 * on_data, which returns how many it used from the start of data: 0 keeps
 * them for when more arrive (up to the body limit plus 64 KiB, beyond
 * which the connection is cut), more than len is a protocol error that
 * closes the connection (the close callback runs). 0, or -1 (a 400 has
 * been sent). */
typedef size_t api_http_raw_cb(struct api_http_conn *c, const char *data, size_t len,
			       void *cbdata);
int api_http_raw_accept(struct api_http_conn *c, const char *upgrade, const char *extra_headers,
			api_http_raw_cb *on_data, void *cbdata);
/* Queues bytes and sends what the socket takes: 0, or -1 as
 * api_http_stream_write (same 16 MiB cut). */
int api_http_raw_send(struct api_http_conn *c, const void *data, size_t len);
/* Closes once what is queued is sent; the close callback does not run. */
void api_http_raw_close(struct api_http_conn *c);

/* After a WebSocket or another upgrade: stops handing the client's input
 * to the handler (paused) or starts again. While paused the socket is read
 * up to the input cap, then left alone: TCP pushes back on the client (an
 * exec whose command reads its stdin slower than the client sends). */
void api_http_pause_input(struct api_http_conn *c, bool paused);

#endif
