/* httpd.h — a tiny HTTP/1.1 server on the event loop, for health checks,
 * /healthz and /metrics.
 *
 * Requests are parsed with llhttp; one request per connection is in
 * flight at a time (pipelined requests wait their turn), keep-alive is
 * honoured, and the server never dies of a client: malformed requests get
 * 400 and a close, oversized ones 431/414, slow or idle ones are closed
 * after a timeout, and connections beyond a cap are refused. Handlers run
 * synchronously on the loop and fill in a response; the server adds
 * Content-Length, Date-less minimal headers and Connection handling.
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
	struct sockaddr_in peer;      /* the client */
};

struct httpd_resp {
	int status;                   /* 200 if the handler does not set it */
	char content_type[64];        /* "text/plain; charset=utf-8" if left empty */
	struct buf headers;           /* extra header lines, each "Name: value\r\n" */
	struct buf body;
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
/* The port actually bound. */
int httpd_port(const struct httpd *h);
/* Closes the listener and every connection. */
void httpd_free(struct httpd *h);

/* Appends a header line to resp ("Name: value\r\n"). */
void httpd_resp_header(struct httpd_resp *resp, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The standard reason phrase of a status code ("OK", "Service
 * Unavailable"); NULL for a code this table does not know. The one table of
 * the HTTP servers and the probes. */
const char *httpd_status_phrase(int status);
/* The same for a status line: "Unknown" for a code the table does not know. */
const char *httpd_reason(int status);

#endif
