/* gw_proxy_int.h — what the two sides of the gateway's data path share
 * (not an API; the data path's API is gw_proxy_start and gw_proxy_stop in
 * gw.h): a client's connection, with the pod's connection it opens per
 * request.
 *
 *   gw_proxy.c     the client's side: accept, the request and its rebuilt
 *                  head for the pod, the backend choice, the gateway's own
 *                  answers, moving the bytes, the timeouts
 *   gw_upstream.c  the pod's side: the connect to the next endpoint, the
 *                  response parsed and rebuilt for the client
 */
#ifndef CLIENTIP_GW_PROXY_INT_H
#define CLIENTIP_GW_PROXY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <llhttp.h>

#include "buf.h"
#include "ev.h"
#include "gw.h"

#define GW_PROXY_MAX_CONNS   4096
#define GW_PROXY_HEAD_MAX    32768          /* request or response head */
#define GW_PROXY_HIGH        (1u << 20)     /* bytes waiting before reading stops */
#define GW_PROXY_READ        16384
#define GW_PROXY_MAX_EPS     64
#define GW_PROXY_IDLE_MS     60000          /* a client between requests */
#define GW_PROXY_HEAD_MS     30000          /* a client sending a head */
#define GW_PROXY_CONNECT_MS  3000           /* per endpoint */
#define GW_PROXY_RESPONSE_MS 20000          /* Application Gateway's request timeout */

enum gw_phase {
	GW_WAIT_HEAD,       /* between requests, or inside a request's head */
	GW_CONNECTING,      /* head parsed, connecting to an endpoint */
	GW_EXCHANGE,        /* connected: request out, response in */
	GW_LOCAL,           /* answered by the gateway; discarding the request's body */
};

struct gw_conn {
	struct gw *gw;
	struct gw_conn *prev, *next;
	int fd;
	struct sockaddr_storage peer;
	enum gw_phase phase;
	uint64_t timer;

	llhttp_t req;
	struct buf in;                /* from the client, not yet parsed */
	size_t in_off;
	struct buf out;               /* to the client */
	size_t out_off;
	bool req_done;                /* the request's message is complete */
	bool resp_done;               /* its response is complete */
	bool keep_alive;              /* the client's connection survives this request */
	bool close_now;               /* close once out is written */
	bool head_method;
	bool req_chunked;             /* re-chunk the request body */
	bool resume;                  /* llhttp needs a call after the head pause */
	int http_minor;

	/* the request head being parsed */
	struct buf url, field, value;
	struct buf head;              /* kept header lines, "Name: value\r\n" */
	struct buf xff;               /* the client's X-Forwarded-For, joined */
	char host[GW_NAME_MAX];
	bool host_seen;
	size_t head_bytes;

	/* upstream */
	int ufd;
	llhttp_t resp;
	struct buf uout;              /* to the pod */
	size_t uout_off;
	struct gw_endpoint eps[GW_PROXY_MAX_EPS];
	int n_eps, tried, next_ep;
	bool resp_started;            /* a response head went to the client */
	bool resp_chunked;            /* re-chunk the response body */
	struct buf rhead;             /* the response head being parsed */
	struct buf rfield, rvalue, reason;
};

static inline struct gw_conn *gw_conn_of(llhttp_t *p)
{
	return p->data;
}

/* gw_proxy.c */
bool gw_hdr_is(const struct buf *b, const char *name);
/* Headers that describe one connection, not the message (RFC 9110 7.6.1),
 * and the forwarding headers the gateway sets itself. */
bool gw_hdr_hop(const struct buf *b);
void gw_conn_arm(struct gw_conn *c, uint64_t ms);
/* An error page as Application Gateway sends one. */
void gw_conn_local(struct gw_conn *c, int status, bool close);
/* Moves whatever can move, then decides what to watch. */
void gw_conn_update(struct gw_conn *c);

/* gw_upstream.c */
void gw_conn_up_close(struct gw_conn *c);
/* Connects to the next endpoint not tried yet. 0, or -1 when all were. */
int gw_conn_connect_next(struct gw_conn *c);
void gw_conn_up_io(struct ev_loop *loop, int fd, unsigned events, void *data);

#endif
