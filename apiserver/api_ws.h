/* api_ws.h — WebSocket (RFC 6455), server side, on a connection of
 * api_http.h: what `exec` speaks to kubectl 1.30 and later. A handler
 * accepts the upgrade (api_ws_accept) instead of answering; the
 * connection then carries messages both ways until either side closes.
 * While a handler holds it, api_http_on_close and api_http_pause_input
 * apply as to any kept connection.
 */
#ifndef CLIENTIP_API_WS_H
#define CLIENTIP_API_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api_http.h"

/* Accepts the upgrade with the given subprotocol ("v5.channel.k8s.io");
 * after it, every complete message the client sends arrives at on_msg
 * (fragments joined, pings answered, client masks removed). 0, or -1 (a
 * 400 has been sent). */
typedef void api_ws_msg_cb(struct api_http_conn *c, bool binary, const char *data, size_t len,
			   void *cbdata);
int api_ws_accept(struct api_http_conn *c, const char *protocol, api_ws_msg_cb *on_msg,
		  void *cbdata);
/* One unfragmented binary (or text) frame. 0 or -1 (as
 * api_http_stream_write, same 16 MiB cut). */
int api_ws_send(struct api_http_conn *c, bool binary, const void *data, size_t len);
/* A close frame with code, then the connection closes once flushed (the
 * close callback does not run: the handler ended it). A close frame from
 * the client is answered in kind and does run the close callback. */
void api_ws_close(struct api_http_conn *c, uint16_t code);

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 4.2.2): base64 of
 * SHA-1 of key and the protocol's GUID. out holds at least 29 bytes.
 * 0, or -1 if key is not the base64 of 16 bytes. */
int api_ws_accept_key(const char *key, char *out, size_t outlen);

#endif
