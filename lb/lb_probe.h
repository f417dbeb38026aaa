/* lb_probe.h — health probes: the state machine and their schedule.
 *
 * The state machine is Azure Load Balancer's: a backend starts Unknown and
 * takes the state of its first result; after that it goes Down after
 * `threshold` consecutive failures and Up again after as many consecutive
 * successes. Unknown and Down backends get no new flows.
 *
 * The probes run on one lib/ev loop, each attempt a lib/probe one (after
 * keepalived's check_tcp: one non-blocking socket, no thread, no blocking
 * call). Each probe has one timer of its own, for the next attempt, one
 * interval after the previous start; an attempt's timeout (at most the
 * interval) fails it if it is still running then, whether the peer
 * answered nothing — a blackholed node — or accepted and never replied.
 * A result is taken as soon as it is known, so a refusal counts at once,
 * and no timer is ever cancelled on the hot path.
 *
 *   TCP   success = the connect completes; closed with RST so thousands
 *         of probes a second leave no TIME_WAIT behind
 *   HTTP  GET path, success = status 200 (anything else, or no complete
 *         response header before the timeout, is a failure)
 */
#ifndef CLIENTIP_LB_PROBE_H
#define CLIENTIP_LB_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "ev.h"
#include "lb_conf.h"
#include "model.h"

#define LB_RESULT_MAX 64

enum lb_health { LB_HEALTH_UNKNOWN, LB_HEALTH_UP, LB_HEALTH_DOWN };

struct lb_health_state {
	enum lb_health state;
	bool last_ok;                  /* meaningful once last_probe_ms != 0 */
	int consecutive;               /* results in a row equal to last_ok */
	char last_result[LB_RESULT_MAX]; /* "200 OK", "connection refused", "timeout" */
	int64_t last_probe_ms;         /* wall clock of the last result, 0 none yet */
	int64_t last_change_ms;        /* wall clock of the last state change, 0 never */
	int last_latency_ms;
	uint64_t successes, failures;
};

/* "Up", "Down", "Unknown". */
const char *lb_health_name(enum lb_health h);

/* Feeds one result at wall-clock now_ms; true when the state changed. */
bool lb_health_feed(struct lb_health_state *h, bool ok, int threshold,
		    const char *result, int64_t now_ms);

struct lb_probe_spec {
	enum lb_probe_proto proto;     /* LB_PROBE_TCP or LB_PROBE_HTTP */
	struct in_addr addr;
	int port;
	char path[MODEL_PATH_MAX];     /* HTTP only */
	uint32_t interval_ms;
	uint32_t timeout_ms;           /* <= interval_ms */
	int threshold;
	uint32_t first_delay_ms;       /* spreads probes that start together */
};

struct lb_prober;
struct lb_probe;

/* Runs after every result, with changed set when the state flipped. It
 * must not stop the probe it is called for. */
typedef void lb_probe_cb(struct lb_probe *p, bool changed, void *data);

struct lb_prober_stats {
	uint64_t attempts;
	uint64_t ok;
	uint64_t failed;
	uint64_t timeouts;
	uint64_t skipped;              /* no socket could be made: not counted as a result */
	int in_flight;
};

struct lb_prober *lb_prober_new(struct ev_loop *loop);
/* Every probe must have been stopped. */
void lb_prober_free(struct lb_prober *pr);
const struct lb_prober_stats *lb_prober_stats(const struct lb_prober *pr);

/* Starts probing; initial (may be NULL) restores a state kept from before
 * a restart. NULL on allocation failure. */
struct lb_probe *lb_probe_start(struct lb_prober *pr, const struct lb_probe_spec *spec,
				const struct lb_health_state *initial,
				lb_probe_cb *cb, void *data);
void lb_probe_stop(struct lb_probe *p);
const struct lb_health_state *lb_probe_health(const struct lb_probe *p);
const struct lb_probe_spec *lb_probe_get_spec(const struct lb_probe *p);

/* The timeout a probe of this interval gets: min(4/5 of the interval, 5 s).
 * Below the interval, so that a node that answers nothing is out within
 * interval x threshold + one interval even when it fails just after a
 * successful probe, with room to spare for a busy loop. */
uint32_t lb_probe_timeout_ms(uint32_t interval_ms);

#endif
