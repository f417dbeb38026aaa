/* httpd.h — a tiny HTTP/1.1 server on the event loop, for health checks,
 * /healthz, /metrics and the kubelet's container logs.
 *
 * Requests are parsed with llhttp; one request per connection is in
 * flight at a time (pipelined requests wait their turn), keep-alive is
 * honoured, and the server never dies of a client: malformed requests get
 * 400 and a close, oversized ones 431/414, slow or idle ones are closed
 * after a timeout, and connections beyond a cap are refused. Handlers run
 * synchronously on the loop and fill in a response; the server adds
 * Content-Length, Date-less minimal headers and Connection handling. A
 * handler may instead stream its body (httpd_resp_stream), as a log that
 * is followed.
 */
#ifndef CLIENTIP_HTTPD_H
#define CLIENTIP_HTTPD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ev.h"

struct httpd;

struct httpd_req {
	const char *method;           /* "GET", "HEAD", ... */
	const char *target;           /* as sent: "/healthz?x=1" */
	const char *path;             /* the target without its query */
	struct sockaddr_in peer;      /* the client; all zero on a Unix socket */
};

struct httpd_conn;

struct httpd_resp {
	int status;                   /* 200 if the handler does not set it */
	char content_type[64];        /* "text/plain; charset=utf-8" if left empty */
	struct buf headers;           /* extra header lines, each "Name: value\r\n" */
	struct buf body;
	struct httpd_conn *conn;      /* private: the connection being answered */
};

/* Fills in resp for req. Runs on the loop; must not block. */
typedef void httpd_handler(const struct httpd_req *req, struct httpd_resp *resp, void *data);

struct httpd_limits {
	int max_conns;                /* 0: 256 */
	size_t max_head;              /* request line + headers, bytes; 0: 8192 */
	uint64_t head_timeout_ms;     /* to receive a whole request head; 0: 10000 */
	uint64_t idle_timeout_ms;     /* between keep-alive requests; 0: 30000 */
};

/* Listens on addr:port (IPv4; port 0 picks one) and serves with fn.
 * limits may be NULL. NULL on failure with a message in err. */
struct httpd *httpd_new(struct ev_loop *loop, struct in_addr addr, int port,
			const struct httpd_limits *limits, httpd_handler *fn, void *data,
			char *err, size_t errlen);
/* Serves on a listening socket (TCP or Unix, non-blocking), which it owns
 * from then on, also when it fails: NULL only on out-of-memory. */
struct httpd *httpd_new_listener(struct ev_loop *loop, int fd, const struct httpd_limits *limits,
				 httpd_handler *fn, void *data);
/* The port actually bound (0 for a Unix socket). */
int httpd_port(const struct httpd *h);
/* Closes the listener and every connection. */
void httpd_free(struct httpd *h);

/* Appends a header line to resp ("Name: value\r\n"). */
void httpd_resp_header(struct httpd_resp *resp, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Streaming. Called from a handler, makes the response's body open-ended:
 * the status, headers and whatever resp->body holds go out at once without
 * a Content-Length, and the rest follows through httpd_stream_write() from
 * anywhere on the loop until httpd_stream_end(). The body ends with the
 * connection (Connection: close), as a client reading to the end of the
 * stream expects. on_gone runs once, from the loop, when the client leaves
 * (or the server is freed) before the end; the stream is gone after it.
 * NULL on out-of-memory (the response is then an ordinary one). */
struct httpd_stream;
typedef void httpd_stream_gone_cb(struct httpd_stream *st, void *data);
struct httpd_stream *httpd_resp_stream(struct httpd_resp *resp, httpd_stream_gone_cb *on_gone,
				       void *data);
/* Queues bytes of the body. 0, or -1 when the client does not keep up
 * (HTTPD_STREAM_MAX_QUEUED bytes not yet taken): end the stream then.
 * Never calls on_gone itself. */
#define HTTPD_STREAM_MAX_QUEUED (4u << 20)
int httpd_stream_write(struct httpd_stream *st, const void *data, size_t len);
/* Bytes written and not yet taken by the client: a writer with more to
 * send waits while this is high (back-pressure) instead of meeting
 * HTTPD_STREAM_MAX_QUEUED. */
size_t httpd_stream_queued(const struct httpd_stream *st);
/* The body is complete: the connection closes once it is out. No callback
 * runs after this. */
void httpd_stream_end(struct httpd_stream *st);

/* Percent-decodes a request path in place. A bad escape or an encoded NUL
 * (which would cut the C string short and let two paths look alike) is
 * -1; 0 otherwise. */
int httpd_path_decode(char *s);
/* The percent-decoded value of key in a query string (the part of a
 * target after '?'; '+' is a space, the first occurrence wins, a longer
 * value is cut at len - 1 bytes); NULL if absent ("a&b" gives "" for a).
 * Returns out. */
const char *httpd_query_get(const char *query, const char *key, char *out, size_t len);
/* The next value of a key that may repeat ("command=ip&command=addr"):
 * *cursor starts NULL and moves past each match. NULL when no more. */
const char *httpd_query_next(const char *query, const char *key, const char **cursor,
			     char *out, size_t len);

/* The standard reason phrase of a status code ("OK", "Service
 * Unavailable"); NULL for a code this table does not know. The one table of
 * the HTTP servers and the probes. */
const char *httpd_status_phrase(int status);
/* The same for a status line: "Unknown" for a code the table does not know. */
const char *httpd_reason(int status);

#endif
