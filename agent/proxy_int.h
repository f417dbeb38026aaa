/* proxy_int.h — what the parts of the service proxy share (not an API).
 *
 *   proxy.c            lifecycle, sync (API server -> rules -> nftables)
 *   proxy_rules*.c     the ruleset as data (pure; proxy_rules.h, proxy_rules_int.h)
 *   proxy_health.c     health check node ports, /healthz and /livez
 *   proxy_metrics.c    Prometheus text, nft counters, the metrics file
 *   proxy_conntrack.c  stale UDP conntrack entries
 */
#ifndef CLIENTIP_PROXY_INT_H
#define CLIENTIP_PROXY_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <nftables/libnftables.h>

#include "agent.h"
#include "apiwatch.h"
#include "buf.h"
#include "ev.h"
#include "httpd.h"
#include "proxy.h"
#include "proxy_handover.h"
#include "proxy_render.h"
#include "proxy_rules.h"

#define PROXY_METRICS_PORT       10249   /* kube-proxy's --metrics-bind-address port */
#define PROXY_STALE_AFTER_MS     1000    /* emptied chains are deleted this much later */
/* kube-proxy's --sync-period: rebuild at least this often, changed or not;
 * a change left unprogrammed for twice this long makes the proxy
 * unhealthy. $CLIENTIP_PROXY_SYNC_PERIOD_S (1-3600) overrides it. */
#define PROXY_SYNC_PERIOD_MS     30000
/* How soon a change from the API server is built (a burst of watch
 * events, an apply's Service and its EndpointSlice, makes one sync), and
 * how often the housekeeping of every sync (stale UDP conntrack entries,
 * health check ports, counters, the metrics file) runs with no change. */
#define PROXY_DEBOUNCE_MS        20
#define PROXY_TICK_MS            2000
#define PROXY_HIST_BUCKETS       15      /* kube-proxy: 1 ms doubling, 15 buckets */
#define PROXY_NETPROG_BUCKETS    104     /* network_programming_duration_seconds' */

struct proxy_hist {
	uint64_t counts[PROXY_HIST_BUCKETS + 1];   /* the last one is +Inf */
	uint64_t count;
	double sum;
};

/* A health check node port: one per LoadBalancer Service with
 * externalTrafficPolicy Local, as the last sync left it. Its server runs on
 * the health thread (proxy_health.c), which gets a copy. */
struct proxy_hc {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
	int port;
	int local_ready;
};

struct proxy_health_srv;

/* Packets counted by an element of a no-endpoint map, remembered between
 * reads so that totals survive the element being deleted and re-added. */
struct proxy_ctr {
	char key[112];                /* "<map>|<element key>" */
	uint64_t packets;
};

/* One element of a no-endpoint map as read: its counter, the Service its
 * comment names ("ns/name:port"; ns empty when it names none) and whether
 * its verdict is drop (else it rejects). */
struct proxy_reading {
	struct proxy_ctr ctr;
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
	bool drop;
};

struct proxy_svc_ctr {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
	uint64_t dropped;             /* for lack of a local endpoint */
	uint64_t rejected;            /* for lack of any endpoint */
};

/* A Service or Endpoints object as last read, to count changes. */
struct proxy_objhash {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
	uint64_t h;
};

struct proxy_metrics {
	struct proxy_hist sync, full, partial;
	uint64_t netprog[PROXY_NETPROG_BUCKETS + 1];   /* the last one is +Inf */
	uint64_t netprog_count;
	double netprog_sum;
	uint64_t sync_failures;
	uint64_t cleanup_failures;    /* deleting stale chains failed */
	uint64_t svc_changes, eps_changes;          /* seen, ever */
	int svc_pending, eps_pending;               /* seen, not yet programmed */
	/* answers 200, 503; counted on the health thread */
	_Atomic uint64_t healthz[2], livez[2];
	double last_queued_ts;        /* wall clock, seconds: a change was queued */
	uint64_t full_syncs, partial_syncs;
	uint64_t stale_udp_entries_deleted;
	double last_sync_ts;          /* wall clock, seconds */
	struct proxy_ctr *ctrs;
	int n_ctrs;
	struct proxy_svc_ctr *svc;
	int n_svc, cap_svc;
};

struct proxy {
	struct ev_loop *loop;
	struct agent_config cfg;
	struct proxy_node node;
	struct nft_ctx *nft;
	struct proxy_dsr *dsr;        /* DSR's tc program; NULL: dsr is served as snat */

	struct proxy_ruleset cur;     /* what the kernel has */
	bool have_cur;                /* false: the next sync replaces the table */
	struct proxy_stale stale;
	uint64_t stale_timer;
	/* Local Services this node hands over (proxy_handover.h), and the
	 * timer that ends the first running window. */
	struct proxy_handover handover;
	uint64_t handover_timer;
	bool handover_due;            /* a window ended: the next sync must build */

	bool synced_once;
	/* Services and EndpointSlices, listed and watched (lib/apiwatch.h):
	 * what every build reads. changed: an event or a list came since the
	 * last build, which a sync with nothing changed skips until the sync
	 * period is up. */
	struct apiwatch *api_svcs, *api_slices;
	/* This node's Node object: kube-proxy's NodeEligible (no deletion
	 * under way, no ToBeDeletedByClusterAutoscaler taint), which /healthz
	 * answers on the health thread. */
	struct apiwatch *api_node;
	_Atomic bool node_eligible;
	bool changed;
	int64_t eps_changed_wall_ms;  /* the newest EndpointSlice event */
	uint64_t debounce_timer, tick_timer;
	uint64_t input_checked_ms;
	uint64_t sync_period_ms;
	/* Health as kube-proxy's ProxyHealthServer keeps it: the oldest change
	 * not programmed yet (0: none), and the last time all was. The health
	 * thread reads the atomic ones. */
	_Atomic uint64_t queued_mono_ms;
	uint64_t updated_mono_ms;
	_Atomic int64_t updated_wall_ms;
	struct proxy_objhash *seen_svc, *seen_eps;  /* sorted by ns/name */
	int n_seen_svc, n_seen_eps;

	/* :10256 /healthz, /livez and the health check node ports, on their
	 * own thread */
	struct proxy_health_srv *health;
	struct httpd *metrics_srv;    /* :10249 /metrics, on the agent's loop */
	struct proxy_hc *hcs;         /* as the last sync left them */
	int n_hcs, cap_hcs;

	struct proxy_metrics m;
	struct buf script;            /* reused between syncs */
	struct buf metrics_last;      /* what the metrics file holds */
};

/* proxy.c: runs an nft script in this namespace. 0, or -1 with nft's
 * message (copied out of its buffer at once) in err. */
int proxy_nft_run(struct proxy *p, const char *script, char *err, size_t errlen);
/* The same with the output captured into out. */
int proxy_nft_query(struct proxy *p, const char *cmd, struct buf *out, char *err, size_t errlen);

/* proxy_health.c: the health servers' thread and the metrics port.
 * proxy_health_start binds :10256 and :10249 (errors in err) and starts
 * the thread; proxy_health_stop joins it. */
int proxy_health_start(struct proxy *p, char *err, size_t errlen);
/* After a sync: the health check node ports it wants, handed to the
 * thread, which opens, closes and updates their servers. */
void proxy_health_sync(struct proxy *p);
void proxy_health_stop(struct proxy *p);

/* proxy_metrics.c */
void proxy_hist_observe(struct proxy_hist *h, double seconds);
void proxy_netprog_observe(struct proxy_metrics *m, double seconds);
/* Reads the per-element counters of the no-endpoint maps. */
void proxy_metrics_read_counters(struct proxy *p);
/* Appends the elements of map found in json[0..len), libnftables' JSON
 * output of `list map`, to (*rd)[*n..], growing *rd (*cap its room). An
 * element without a counter is skipped. 0, or -1 with a message in err
 * (not JSON, not the map's listing, out of memory). */
int proxy_metrics_parse_map(const char *json, size_t len, const char *map,
			    struct proxy_reading **rd, int *n, int *cap, char *err, size_t errlen);
/* Prometheus text exposition of everything. */
void proxy_metrics_render(struct proxy *p, struct buf *out);
/* <statedir>/status/nodes/<node>.metrics, atomically. */
void proxy_metrics_write_file(struct proxy *p);
void proxy_metrics_free(struct proxy_metrics *m);

/* proxy_conntrack.c: deletes UDP entries towards a Service frontend whose
 * reply source is none of its serving endpoints (kube-proxy's rule, run
 * every sync). Returns how many were deleted, or -1 with err. */
int proxy_conntrack_clean(const struct proxy_ruleset *rs, char *err, size_t errlen);
/* Whether an entry (original destination and port, reply source; network
 * byte order addresses, host order port) is one of those. */
bool proxy_conntrack_stale(const struct proxy_ruleset *rs, uint32_t odst, uint16_t odport,
			   uint32_t rsrc);

#endif
