/* probe.h — one TCP or HTTP probe attempt on the event loop.
 *
 * The engine under the kubelet's readiness probes and preStop httpGet
 * hooks and the load balancer's health probes: a non-blocking connect
 * (TCP: success is the connect), then for HTTP a GET written as the socket
 * allows and the response read until its header is complete (llhttp), all
 * within an optional timeout. A caller that wants the start of the body
 * too (clientip explain: the address the app saw) gives a buffer for it,
 * and the response is then read on to its end. One callback tells the outcome; what counts
 * as healthy (kubelet: any status 200–399, Azure: 200 only), how often to
 * probe and how many results make a state are the caller's.
 *
 * A struct probe lives in its owner's struct and is reused attempt after
 * attempt; all zeroes is a probe at rest. The timeout timer of an attempt
 * that ended early is left to fire (the loop cancels timers by a linear
 * search, too slow for thousands of probes a second) and is ignored then;
 * probe_cancel() drops it, so the owner must call it before freeing the
 * struct.
 */
#ifndef CLIENTIP_PROBE_H
#define CLIENTIP_PROBE_H

#include <llhttp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ev.h"

/* Room for the whole request: line, Host, the caller's headers. */
#define PROBE_REQ_MAX    2560
#define PROBE_REASON_MAX 40
#define PROBE_TEXT_MAX   64

enum probe_kind { PROBE_TCP, PROBE_HTTP };

enum probe_outcome {
	PROBE_OK,          /* TCP: connected; HTTP: a response header arrived (any status) */
	PROBE_FAILED,
	PROBE_TIMEOUT,
};

/* How far the attempt got. */
enum probe_stage { PROBE_CONNECT, PROBE_SEND, PROBE_RECV };

struct probe_spec {
	enum probe_kind kind;
	struct in_addr addr;
	int port;
	const char *path;        /* HTTP: NULL or "" is "/"; a missing leading '/' is added */
	const char *host;        /* HTTP: the Host header; NULL is "addr:port" */
	const char *headers;     /* HTTP: more header lines, each ending in "\r\n", or NULL */
	uint32_t timeout_ms;     /* 0: none, the caller has its own deadline */
	/* Close with RST (SO_LINGER 0) once the answer is in or the attempt
	 * times out, so thousands of probes leave no TIME_WAIT behind. */
	bool reset;
	/* HTTP: NULL, or room for the start of the body (body_max - 1 bytes
	 * and a NUL). With it the attempt goes on after the header until the
	 * response ends, the peer closes or the room is full; the timeout
	 * covers that too. The buffer must outlive the attempt. */
	char *body;
	size_t body_max;
};

struct probe_result {
	enum probe_outcome outcome;
	enum probe_stage stage;  /* where the attempt ended */
	/* PROBE_FAILED: the socket's errno; 0 when the peer closed before a
	 * complete response header, EPROTO when it answered something that
	 * is not HTTP. */
	int error;
	int status;                     /* HTTP status code, 0 when none */
	char reason[PROBE_REASON_MAX];  /* the reason phrase as sent, cut short */
	/* "200 OK", "connected", "connection refused",
	 * "timeout (no answer to connect)", "timeout (no HTTP response)" ... */
	char text[PROBE_TEXT_MAX];
	uint32_t latency_ms;            /* from the start to the result */
	size_t body_len;                /* bytes in spec->body, 0 without one */
};

/* Called once per attempt, never from within probe_start(). The attempt
 * is over by then: the callback may start the next one on the same probe. */
typedef void probe_cb(const struct probe_result *r, void *data);

struct probe {
	struct ev_loop *loop;
	probe_cb *cb;
	void *data;
	bool running;
	bool reset;
	enum probe_kind kind;
	enum probe_stage stage;
	int fd;                  /* meaningful while running */
	int early_error;         /* connect() failed at once: told on the next turn */
	uint64_t timer;          /* the deadline, or the early failure's turn; 0 none */
	uint64_t start_ms;
	char req[PROBE_REQ_MAX];
	size_t req_len, req_sent;
	llhttp_t parser;
	bool head_done;
	int status;
	char reason[PROBE_REASON_MAX];
	size_t reason_len;
	char *body;              /* the spec's, or NULL */
	size_t body_max, body_len;
	bool msg_done;           /* the whole response (or all body room) is in */
	unsigned attempt;        /* counts starts: a callback may start the next one */
};

/* Starts an attempt on a probe at rest (or whose last attempt is over).
 * The callback may start the next attempt on the same probe, but must not
 * free it: the probe may be looked at after the callback returns.
 * 0, then exactly one callback unless probe_cancel() comes first;
 * -EMSGSIZE if the request does not fit, or -errno if no socket could be
 * made (our own shortage: it says nothing about the peer). */
int probe_start(struct probe *p, struct ev_loop *loop, const struct probe_spec *spec,
		probe_cb *cb, void *data);
bool probe_running(const struct probe *p);
/* The source address and port of a running attempt: known as soon as the
 * connect has started, so even a connection that never completes can be
 * found in conntrack. 0 or -errno. */
int probe_local_addr(const struct probe *p, struct sockaddr_in *out);
/* Ends a running attempt without a callback and drops its timer. Safe on
 * a probe at rest. */
void probe_cancel(struct probe *p);

/* The request an HTTP probe sends. Returns its length, or -1 if it does
 * not fit in len. */
int probe_request(char *buf, size_t len, const struct probe_spec *spec);
/* "200 OK", "503 Service Unavailable": the standard phrase when the code
 * has a common one (it reads the same whatever the server wrote), else
 * the server's reason. */
void probe_status_text(int status, const char *reason, char *out, size_t len);
/* "connection refused", "no route to host" ...: a socket error as a
 * probe result. */
const char *probe_error_text(int err);

#endif
