/* lb_daemon.h — the daemon: its top-level context and what reacts to what.
 *
 *   Services change (the API server's watch, lb_api.c; debounced, and
 *       every 2 s) -> lb_daemon_reconcile(): frontends, each Service's
 *       status.loadBalancer and Events, probes started/stopped/retuned,
 *       data path marked dirty
 *   a probe flips a backend      -> the data path is re-rendered (at most
 *       once per loop turn, however many probes flipped) and the state
 *       files rewritten
 *   every second                 -> lb_metrics_tick(): counters, samples,
 *       lb/<ns>_<name>.json, lb/metrics.prom
 *
 * All mutable state lives in struct lb_daemon; nothing is global. The
 * files that make up the daemon are listed in lb_daemon_int.h.
 */
#ifndef CLIENTIP_LB_DAEMON_H
#define CLIENTIP_LB_DAEMON_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "ev.h"
#include "labinfo.h"
#include "lb.h"
#include "lb_conf.h"
#include "lb_nft.h"
#include "lb_probe.h"
#include "lb_series.h"
#include "model.h"
#include "nl.h"

struct lb_daemon;
struct lb_svc;

/* A Service's backend node: the callback data of its probes, and its
 * traffic counters. */
struct lb_backend {
	struct lb_svc *svc;
	int node;
	/* nft counter totals: latest read and at the previous sample */
	uint64_t flows, packets, bytes;
	uint64_t prev_flows, prev_packets, prev_bytes;
	bool have_prev;
};

struct lb_svc {
	struct lb_daemon *lbd;
	char key[LB_KEY_MAX];          /* "<ns>_<name>" */
	struct model_service spec;     /* as last applied */
	struct lb_conf conf;           /* in effect: rules and their probes */
	bool applied;                  /* spec and conf were applied once */
	char error[LB_EVENT_MESSAGE_MAX]; /* why the last sync failed, "" if it did not */
	struct in_addr frontend;       /* 0: pending */
	char pending_reason[LB_EVENT_REASON_MAX];
	char pending_message[LB_EVENT_MESSAGE_MAX];
	struct lb_backend backends[LB_MAX_BACKENDS];
	int n_backends;
	/* probes[p][node] runs conf.probes[p] against node (NULL for the
	 * shared probe: the lb_daemon runs that one for every Service). */
	struct lb_probe *probes[LB_MAX_PROBES][LB_MAX_BACKENDS];
	struct lb_health_state fixed[LB_MAX_BACKENDS];  /* a rule without probe: Up */
	/* The data path checks, once there is a frontend: one per TCP rule
	 * (frontend port), as Azure measures Data Path Availability per
	 * frontend port; NULL for the others. */
	struct lb_probe *dpa[LB_MAX_RULES];
	struct lb_probe_spec dpa_spec[LB_MAX_RULES];
	struct lb_series *series;
	int64_t first_sample;          /* Unix s of the oldest sample kept */
	struct buf status;             /* the state last logged (frontend + reports) */
	struct buf events;             /* the reports posted as Events, one JSON a line */
	bool seen;                     /* mark for reconcile's sweep */
};

/* Callback data of the shared probe of one node. */
struct lb_shared_ref {
	struct lb_daemon *lbd;
	int node;
};

struct lb_daemon {
	char lab[LAB_NAME_MAX + 1];
	char statedir[LAB_PATH_MAX];
	struct lab_info info;
	struct ev_loop *loop;
	struct lb_api *api;            /* the Services, from the API server */
	uint64_t debounce_timer, resync_timer;
	struct lb_prober *prober;
	struct lb_nft *nft;            /* NULL: data path not programmed (tests) */
	struct nl nl;
	bool nl_open;
	/* cloud-provider-azure's shared probe: one HTTP probe of kube-proxy's
	 * :10256/healthz per node, for every Cluster Service, while one uses
	 * it (lab.json clusterServiceLoadBalancerHealthProbeMode shared). */
	struct lb_probe *shared[LB_MAX_BACKENDS];
	struct lb_shared_ref shared_refs[LB_MAX_BACKENDS];
	struct lb_svc **svcs;          /* sorted by key */
	int n_svcs, cap_svcs;
	struct buf nft_key;            /* the ruleset last applied, counters left out */
	bool nft_dirty;
	bool files_dirty;              /* a backend flipped since the files were written */
	uint64_t nft_timer;
	uint64_t tick_timer;
	int sigfd;
	uint64_t applies, apply_errors;
	int64_t last_apply_ms;
};

/* Sets up everything but the loop's work. 0 or -1 with err. */
int lb_daemon_init(struct lb_daemon *lbd, const char *lab, char *err, size_t errlen);
/* Runs until SIGTERM/SIGINT. 0 or -1. */
int lb_daemon_run(struct lb_daemon *lbd);
void lb_daemon_fini(struct lb_daemon *lbd);

/* Converges on the Services as the API server last listed or watched them. */
void lb_daemon_reconcile(struct lb_daemon *lbd);
/* Asks for the data path to be re-rendered soon. */
void lb_daemon_mark_dirty(struct lb_daemon *lbd);
/* Renders and applies the data path now. 0 or -1. */
int lb_daemon_apply(struct lb_daemon *lbd);

/* The health node has now in rule's pool: its probe's state, Up for a
 * rule without probe, Unknown before a first result. */
const struct lb_health_state *lb_rule_health(const struct lb_svc *s, int rule, int node);
/* The first rule with a probe, else 0 (what one-probe readers show). */
int lb_svc_main_rule(const struct lb_svc *s);

/* lb_metrics.c: the per-second work, and the Prometheus text. */
void lb_metrics_tick(struct lb_daemon *lbd, int64_t now_ms);
/* Rewrites the state files and metrics.prom without sampling: after a
 * probe flips a backend, the CLI sees it at once, not at the next tick. */
void lb_metrics_write(struct lb_daemon *lbd, int64_t now_ms);
void lb_metrics_prometheus(const struct lb_daemon *lbd, struct buf *out);
/* Loads a Service's kept state (probe states per rule, series) from its
 * state file, if there is one, after a restart: health[r][node] for rule r
 * of conf (matched by protocol and port). */
void lb_metrics_restore(struct lb_daemon *lbd, struct lb_svc *s, const struct lb_conf *conf,
			struct lb_health_state (*health)[LB_MAX_BACKENDS]);
/* Removes a Service's state file. */
void lb_metrics_forget(struct lb_daemon *lbd, const struct lb_svc *s);

#endif
