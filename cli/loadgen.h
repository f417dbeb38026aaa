/* loadgen.h — a load that counts every connection.
 *
 * wrk and ab measure throughput and report "0 errors" while their
 * connections hang: a SYN that the network drops is just a slow request to
 * them. What matters when a pool changes under load is whether each new
 * connection got its answer. loadgen opens new connections at a fixed rate
 * (one request each, `Connection: close`) and keeps a number of keep-alive
 * connections busy at the same time, and accounts for each one:
 *
 *   answered    a complete HTTP response arrived within the timeout
 *   refused     the connect failed (RST to the SYN, ICMP unreachable)
 *   reset       the connection died before a complete response
 *   timed out   no complete response within the timeout (a blackhole)
 *
 * A keep-alive connection that loses a request (reset, timeout) is
 * "dropped" and not reopened: its client saw an error. One the server
 * closes in order (an answer with "Connection: close", as a draining pod
 * sends, or a close while idle) is reopened for the next request, as any
 * client's connection pool does, and counted as reopened.
 * The longest gap is the longest time between the starts of two answered
 * new connections (the run's edges included): how long the service was
 * out for a client that kept trying.
 *
 * One thread, one event loop (lib/ev), non-blocking sockets; the responses
 * are parsed by llhttp. IPv4 and IPv6 literal addresses only (no DNS: the
 * lab has none).
 */
#ifndef CLIENTIP_LOADGEN_H
#define CLIENTIP_LOADGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define LOADGEN_MAX_ANSWERS 16      /* distinct answer bodies counted */
#define LOADGEN_ANSWER_MAX  64      /* bytes of an answer kept (its first line) */

struct loadgen_config {
	struct sockaddr_storage addr;   /* the server, port included */
	socklen_t addrlen;
	char host[256];                 /* Host header */
	char path[1024];                /* request target, "/" */
	uint64_t duration_ms;
	double rate;                    /* new connections per second; 0: none */
	uint64_t timeout_ms;            /* per request, connect included */
	int keepalive;                  /* keep-alive connections; 0: none */
	uint64_t keepalive_interval_ms; /* between requests on each of them */
};

struct loadgen_answer {
	char text[LOADGEN_ANSWER_MAX];  /* the body's first line, "::ffff:198.51.100.10" */
	uint64_t count;
};

struct loadgen_result {
	/* New connections. */
	uint64_t sent, answered, refused, reset, timed_out, non_2xx;
	uint64_t longest_gap_ms;
	/* Keep-alive connections. */
	int ka_opened, ka_dropped;
	uint64_t ka_reopened;           /* after an orderly close by the server */
	uint64_t ka_requests, ka_answered;
	/* Answer bodies of both kinds, most frequent first; `other` counts
	 * those beyond LOADGEN_MAX_ANSWERS distinct ones. */
	struct loadgen_answer answers[LOADGEN_MAX_ANSWERS];
	int n_answers;
	uint64_t other_answers;
	/* Failed new connections by the second they were started in. */
	uint64_t *failed_per_s;
	int seconds;
};

/* Parses "http://HOST[:PORT][/PATH]" with a literal IP as HOST into c's
 * addr, host and path. 0, or -1 with a message in err. */
int loadgen_parse_url(const char *url, struct loadgen_config *c, char *err, size_t errlen);

/* Runs the load in the caller's network namespace; blocks for about
 * duration + timeout. 0 (whatever the failures: they are the result), or
 * -1 with a message in err when it could not run at all. */
int loadgen_run(const struct loadgen_config *c, struct loadgen_result *r, char *err,
		size_t errlen);
void loadgen_result_free(struct loadgen_result *r);

/* Failed new connections: refused + reset + timed out. */
uint64_t loadgen_failed(const struct loadgen_result *r);

/* The longest stretch without an answered start, from the starts (ms since
 * the run began, in start order) and whether each was answered, over a run
 * of duration_ms. Exposed for the unit test. */
uint64_t loadgen_longest_gap(const uint64_t *start_ms, const bool *ok, size_t n,
			     uint64_t duration_ms);

#endif
