/* api_http_int.h — what the parts of the API server's HTTP transport
 * share (not an API): the connection and the server as every part sees
 * them, and the functions each part offers the others.
 *
 *   api_http.c         the connection: output, timers, responses and
 *                      streams, the raw upgrade, closing
 *   api_http_req.c     reading requests: llhttp's callbacks, dispatch
 *   api_http_listen.c  the server, its listeners, accepting
 *   api_ws.c           WebSocket frames and the handshake (api_ws.h)
 */
#ifndef CLIENTIP_API_HTTP_INT_H
#define CLIENTIP_API_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <llhttp.h>

#include "api_http.h"
#include "api_ws.h"
#include "buf.h"
#include "ev.h"

/* Unsent output beyond which a stream or WebSocket is cut. */
#define API_HTTP_OUT_MAX (16u << 20)
/* Unsent output beyond which no further pipelined request is parsed. */
#define API_HTTP_OUT_HIGH (1u << 20)
/* Unparsed input kept while not upgraded; above it the socket is not read. */
#define API_HTTP_IN_CAP (64u << 10)

/* API_HTTP_DEFER: the handler returned and answers later, from the loop
 * (api_http_defer). */
enum api_http_state { API_HTTP_READ, API_HTTP_HANDLER, API_HTTP_DEFER, API_HTTP_STREAM,
		       API_HTTP_WS, API_HTTP_RAW };

enum api_http_timer { API_HTTP_T_NONE, API_HTTP_T_HEAD, API_HTTP_T_IDLE, API_HTTP_T_LINGER };

/* The request headers kept, in the order of api_http_hdr_names
 * (api_http_req.c). */
enum {
	API_HTTP_H_ACCEPT,
	API_HTTP_H_CTYPE,
	API_HTTP_H_UA,
	API_HTTP_H_UPGRADE,
	API_HTTP_H_WSKEY,
	API_HTTP_H_WSPROTO,
	API_HTTP_H_WSVERSION,
	API_HTTP_H_EXPECT,
	API_HTTP_H_STREAMPROTO,
	API_HTTP_H_INM,
	API_HTTP_NHDR
};

struct api_http_listener;

struct api_http_conn {
	struct api_http *srv;
	struct api_http_conn *prev, *next;
	int fd;
	bool local;
	enum api_http_state state;
	llhttp_t parser;
	struct buf in;              /* received, not yet parsed */
	struct buf out;             /* not yet sent, from out_off */
	size_t out_off;

	/* the request being parsed */
	struct buf url, field, path, body;
	struct buf hdr[API_HTTP_NHDR];
	int cur_hdr;                /* index into hdr of the value being read, -1 */
	size_t head_bytes;
	bool in_message;            /* a request has started */
	bool complete;              /* ... and ended; it awaits dispatch */
	bool upgrade;               /* llhttp saw Connection: upgrade + Upgrade */
	bool keep_alive;
	bool head_only;             /* HEAD: the response has no body */
	bool http10;
	int err_status;             /* set by a parser callback that failed */
	const char *err_msg;

	/* the response side */
	struct buf more_hdrs;       /* api_http_add_header's, for the next response head */
	bool close_after;           /* close once out is sent */
	bool draining;              /* write side shut, discarding input */
	bool peer_eof;
	bool dead;                  /* close at the next chance; nothing more goes out */
	bool stream_raw;            /* HTTP/1.0 stream: no chunk framing */
	api_http_close_cb *close_cb;
	void *close_data;

	/* WebSocket */
	api_ws_msg_cb *ws_msg;
	void *ws_data;
	struct buf ws_frag;         /* a fragmented message being joined */
	bool ws_in_frag;
	bool ws_frag_binary;
	bool ws_close_sent;

	bool in_paused;             /* WS, RAW: input is not handed on */

	/* RAW */
	api_http_raw_cb *raw_data;
	void *raw_cbdata;

	unsigned watched;           /* events last given to ev_watch, 0x100: none yet */
	enum api_http_timer timer_kind;
	uint64_t timer;
	uint64_t kick;
};

struct api_http {
	struct ev_loop *loop;
	struct api_http_limits lim;
	api_http_handler *fn;
	void *data;
	llhttp_settings_t settings;
	struct api_http_conn *conns;
	int n_conns;
	struct api_http_listener *listeners;
	int tcp_port;
};

/* ---- api_http.c -------------------------------------------------------------- */

/* Bytes queued and not yet sent. */
size_t api_http_unsent(const struct api_http_conn *c);
/* Drops what was sent from the front of the output before appending. */
void api_http_out_compact(struct api_http_conn *c);
/* Has the loop go on with c soon, from its top level. */
void api_http_kick(struct api_http_conn *c);
/* Marks c dead; it is closed from the loop's top level. */
void api_http_kill(struct api_http_conn *c);
/* Sends what the socket takes now: 0, or -1 when c died. */
int api_http_push(struct api_http_conn *c);
/* Queues a whole response: status line, headers, body. */
void api_http_queue_response(struct api_http_conn *c, int status, const char *ctype,
			     const char *extra, const char *body, size_t len);
/* The transport's own answer (a Status), then the connection closes. */
void api_http_fail(struct api_http_conn *c, int status, const char *msg);
void api_http_arm(struct api_http_conn *c, enum api_http_timer kind);
/* Drops used bytes from the front of the input. */
void api_http_in_consume(struct api_http_conn *c, size_t used);
/* Whether a comma-separated header value lists token (case-insensitive). */
bool api_http_has_token(const char *list, const char *token);
/* Closes at once; the close callback runs. */
void api_http_conn_close(struct api_http_conn *c);
/* A connection's ev callback. */
void api_http_conn_io(struct ev_loop *loop, int fd, unsigned events, void *data);

/* ---- api_http_req.c ------------------------------------------------------------ */

/* llhttp's callbacks, for every connection's parser. */
void api_http_parser_settings(llhttp_settings_t *s);
/* Parses buffered input up to the end of one request and dispatches it.
 * true if something happened (a request answered or refused). */
bool api_http_parse(struct api_http_conn *c);

/* ---- api_ws.c --------------------------------------------------------------------- */

/* Handles one whole frame from the input of a WebSocket connection. true
 * if one was consumed. */
bool api_ws_process(struct api_http_conn *c);

#endif
