/* apiclient.h — a client of the lab's API server over its Unix socket.
 *
 * The lab's daemons and the CLI reach clientip-apiserver at
 * <statedir>/apiserver.sock from whatever network namespace they run in.
 * Requests are plain HTTP/1.1 with JSON bodies; a client keeps one
 * keep-alive connection and reconnects on its own when the server went
 * away (a restart of the API server is invisible to callers beyond one
 * failed request at most).
 *
 * apiclient_request() blocks, with a timeout: the server is local and
 * answers from memory. Watches run on the event loop instead: the server
 * streams newline-delimited JSON events (chunked) and each complete line
 * reaches the callback.
 */
#ifndef CLIENTIP_APICLIENT_H
#define CLIENTIP_APICLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ev.h"

struct apiclient;

/* No connection is made yet. NULL only on OOM. */
struct apiclient *apiclient_new(const char *socket_path);
void apiclient_free(struct apiclient *c);
/* Per request, connect included; default 10 s. 0 fails every request. */
void apiclient_set_timeout(struct apiclient *c, uint64_t timeout_ms);

/* Sends one request (body may be NULL; content_type then ignored) and
 * reads the whole response body into resp (reset first; chunked,
 * Content-Length or up to the server's close). Returns the HTTP status, or
 * -1 with a message in err when no answer came (connect refused, timeout,
 * malformed reply). One retry on a fresh connection when a kept connection
 * turns out closed before any byte of the answer (a server restarted
 * between requests). A server that died while handling the first copy may
 * have acted on it: a repeated create then answers 409 AlreadyExists.
 * method is an upper-case token and path a printable target without
 * spaces ("/api/v1/pods?labelSelector=a%3Db"); anything else is refused
 * before connecting. Bodies over 256 MiB are refused as malformed. */
int apiclient_request(struct apiclient *c, const char *method, const char *path,
		      const char *content_type, const char *body, size_t body_len,
		      struct buf *resp, char *err, size_t errlen);

/* A watch: GET path (which carries ?watch=true&resourceVersion=...) kept
 * open on the loop. on_event gets each line (one JSON event, without its
 * newline or a CR before it, NUL-terminated; empty lines are skipped);
 * on_end runs once when the stream ends: err 0 for a clean end (the server
 * ended the stream, e.g. timeoutSeconds; a last line without its newline is
 * still delivered), else -errno (-ECONNRESET: the stream was cut before its
 * end, -EPROTO: not HTTP, -EMSGSIZE: a line over 16 MiB) with a message in
 * msg, or -1 for a non-200 answer (its body in msg, at most 64 KiB). msg is
 * never NULL. The watch is finished after on_end: free it (from on_end is
 * fine) and start a new one. apiclient_watch_free() may also be called from
 * on_event: no callback runs after it.
 *
 * Returns NULL with a message in err when the socket cannot be connected
 * (the server is not up, or its backlog is full) or the path is invalid; no
 * callback runs then. Callbacks only ever run from the loop, never from
 * apiclient_watch_start(). */
struct apiclient_watch;
typedef void apiclient_event_cb(struct apiclient_watch *w, const char *line, size_t len,
				void *data);
typedef void apiclient_end_cb(struct apiclient_watch *w, int err, const char *msg, void *data);
struct apiclient_watch *apiclient_watch_start(struct ev_loop *loop, const char *socket_path,
					      const char *path, apiclient_event_cb *on_event,
					      apiclient_end_cb *on_end, void *data, char *err,
					      size_t errlen);
void apiclient_watch_free(struct apiclient_watch *w);

#endif
