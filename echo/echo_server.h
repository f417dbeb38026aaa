/* echo_server.h — clientip-echo's server: workers, connections, requests.
 *
 *   server     binds the listeners, runs one worker per thread, turns
 *              SIGTERM into a drain (echo_server.c)
 *   worker     one epoll loop: accepts, keeps its connections on timeout
 *              lists, drains (echo_worker.c)
 *   connection reads, parses with llhttp, answers, writes; PROXY header
 *              first where required (echo_conn.c; the llhttp callbacks
 *              in echo_conn_request.c, the answers in echo_conn_answer.c)
 *
 * Nothing is allocated per request: a connection's buffers live in its
 * struct, and closed connections go to the worker's free list for reuse.
 * The types are public so unit tests and the fuzz target can drive a
 * connection over a socketpair without a running loop.
 */
#ifndef CLIENTIP_ECHO_SERVER_H
#define CLIENTIP_ECHO_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "buf.h"
#include "echo_config.h"
#include "ev.h"
#include "llhttp.h"
#include "proxyproto.h"
#include "sock.h"

#define ECHO_IN_SIZE   8192      /* read buffer of a connection */
#define ECHO_HEAD_MAX  8192      /* request line + headers; more is 431 */
#define ECHO_BODY_MAX  (1u << 20) /* bodies are read and dropped up to this; more is 413 */
#define ECHO_OUT_HIGH  65536     /* stop parsing pipelined requests above this much unsent */
#define ECHO_MAX_FWD   32        /* forwarding header lines per request; more is 431 */
#define ECHO_LINGER_MS 2000      /* longest wait for the peer's FIN after our last answer */
#define ECHO_FREE_MAX  256       /* closed connections kept per worker for reuse */

struct echo_server;
struct echo_worker;

/* A captured piece of the request head, as an offset into the arena. */
struct echo_span {
	uint16_t off, len;
};

enum echo_hdr_kind {
	ECHO_HDR_OTHER,
	ECHO_HDR_XFF,        /* X-Forwarded-For */
	ECHO_HDR_XREALIP,    /* X-Real-IP */
	ECHO_HDR_FORWARDED,  /* Forwarded (RFC 7239) */
	ECHO_HDR_ACCEPT,
	ECHO_HDR_EXPECT,
};

/* What one request carried that matters here. Reset per request. */
struct echo_req {
	struct echo_span url;
	struct echo_span fwd[ECHO_MAX_FWD];   /* forwarding headers, in order */
	uint8_t fwd_kind[ECHO_MAX_FWD];
	uint8_t nfwd;
	uint8_t cur_kind;       /* header whose value is being read */
	uint8_t name_len;
	char name[16];          /* header name so far, lowercased; longer ones are OTHER */
	struct echo_span cur;   /* value being read */
	bool accept_json;
	bool expect_continue;
	bool too_many;          /* more forwarding headers than ECHO_MAX_FWD */
	bool arena_full;
	uint8_t nhost;          /* Host lines in the head, up to 2 */
	uint8_t version_len;    /* of version; 4: longer than "D.D" */
	char version[3];        /* the HTTP version as sent, "1.1" */
	uint16_t refuse;        /* status a parser callback stopped the request with */
	uint16_t arena_len;
	/* Taken at the end of the head, before llhttp moves on. */
	uint8_t method;         /* enum llhttp_method */
	uint8_t http_major, http_minor;
	bool keep_alive;
	bool upgrade;           /* Upgrade or CONNECT: answered, then closed */
	uint64_t body_bytes;    /* also counts discarded bytes while lingering */
};

enum echo_conn_state {
	ECHO_CONN_PROXY,        /* waiting for the PROXY header */
	ECHO_CONN_HTTP,
	ECHO_CONN_LINGER,       /* answered for the last time; reading until the peer's FIN */
};

enum echo_tmo {
	ECHO_TMO_HEADER,        /* request head, keep-alive idle, send */
	ECHO_TMO_LINGER,
	ECHO_TMO_COUNT,
};

struct echo_listener {
	int fd;
	const struct echo_listen *conf;
	struct echo_worker *w;
};

struct echo_conn {
	/* Timeout list: each list holds one fixed timeout, so appending at
	 * the tail keeps it sorted by deadline. */
	struct echo_conn *prev, *next;
	uint64_t deadline;
	struct echo_worker *w;
	const struct echo_listener *l;
	int fd;
	uint8_t state;
	uint8_t tmo;            /* which timeout list */
	unsigned watching;      /* EV_READ/EV_WRITE as registered with the loop */
	bool in_head;           /* between requests or inside a request head */
	bool close_after;       /* close once the answers so far are sent */
	bool request_whole;     /* ...after a whole request, not in the middle of one */
	bool stop;              /* parse no further input */
	bool peer_eof;
	bool has_proxy;
	bool backpressure;      /* parsing stopped until the output drains */
	uint8_t pause;          /* which llhttp callback paused the parser */
	bool after_break;       /* the input parsed so far ends in a line break and blanks */
	uint32_t head_bytes;    /* bytes of the current request head so far */
	struct sockaddr_storage peer;
	struct proxyproto_hdr proxy;
	/* The client when no header changes it: the peer, or the PROXY source. */
	struct sockaddr_storage base;
	char base_str[SOCK_IP_STRLEN];
	uint8_t base_len;
	llhttp_t parser;
	struct echo_req req;
	struct buf out;
	size_t out_off;
	size_t in_off, in_len;
	char in[ECHO_IN_SIZE];
	char arena[ECHO_HEAD_MAX];
};

struct echo_worker {
	struct echo_server *srv;
	const struct echo_config *cfg;
	unsigned id;
	struct ev_loop *loop;
	struct echo_listener *listeners;
	unsigned nlisteners;
	bool accepting;
	int wake_fd;            /* eventfd: the server asks for a drain or a stop */
	int signal_fd;          /* worker 0 only: SIGTERM/SIGINT */
	bool draining;
	unsigned nconns;
	struct echo_conn *free;
	unsigned nfree;
	struct echo_conn head[ECHO_TMO_COUNT]; /* sentinels of the timeout lists */
	uint64_t sweep_at;      /* deadline of the pending sweep timer, 0: none */
	uint64_t sweep_id;
	uint64_t drain_timer;
	uint64_t drain_accept_timer; /* the drain's first part: still accepting */
	uint64_t accept_timer;  /* re-enables accepting after running out of fds */
	uint64_t tmo_ms[ECHO_TMO_COUNT];
	struct buf scratch;     /* JSON bodies are built here first */
	time_t date_t;
	size_t date_len;
	char date[48];          /* "Date: ...\r\n" for date_t */
	pthread_t thread;
};

struct echo_server {
	const struct echo_config *cfg;
	struct echo_worker *workers;
	unsigned nworkers;
	unsigned max_conns;
	atomic_uint nconns;     /* across workers, for --max-conns */
	atomic_int phase;       /* enum echo_phase */
	atomic_bool drain_accept; /* the drain keeps accepting first (SIGTERM, not SIGINT) */
};

enum echo_phase {
	ECHO_PHASE_RUN,
	ECHO_PHASE_DRAIN,
	ECHO_PHASE_STOP,
};

/* --- server (echo_server.c) --- */
/* Binds, serves until drained or stopped; returns the exit status. */
int echo_server_run(const struct echo_config *cfg);

/* --- worker (echo_worker.c) --- */
/* A worker with its own loop; listeners are attached by the server.
 * 0 or -errno. */
int echo_worker_init(struct echo_worker *w, struct echo_server *srv, unsigned id);
void echo_worker_fini(struct echo_worker *w);
/* Takes over an accepted, non-blocking socket. The caller has counted it
 * in srv->nconns. 0, or -errno and the fd is closed. */
int echo_worker_adopt(struct echo_worker *w, int fd, const struct sockaddr_storage *peer,
		      const struct echo_listener *l);
void echo_worker_start_listening(struct echo_worker *w);
/* Starts a graceful drain: listeners closed, answers say Connection: close. */
void echo_worker_drain(struct echo_worker *w);
/* Closes every connection now. */
void echo_worker_close_all(struct echo_worker *w);
/* Connection bookkeeping for echo_conn.c. */
void echo_worker_set_timeout(struct echo_worker *w, struct echo_conn *c, enum echo_tmo tmo);
void echo_worker_release(struct echo_worker *w, struct echo_conn *c);
/* "Date: <IMF-fixdate>\r\n" for now, cached per second. */
const char *echo_worker_date(struct echo_worker *w, size_t *len);
/* The same for t, into out (at least 40 bytes, no NUL); returns the length.
 * Years 1000 to 9999. */
size_t echo_worker_format_date(time_t t, char *out);

/* --- connection (echo_conn.c) --- */
void echo_conn_init(struct echo_conn *c, struct echo_worker *w, int fd,
		    const struct sockaddr_storage *peer, const struct echo_listener *l);
/* The loop's callback; also called directly by tests. */
void echo_conn_on_io(struct ev_loop *loop, int fd, unsigned events, void *data);
/* Closes the socket and hands the struct back to the worker. */
void echo_conn_close(struct echo_conn *c);

#endif
