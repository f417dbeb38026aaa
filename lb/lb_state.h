/* lb_state.h — what the load balancer knows about one Service, as the file
 * <statedir>/lb/<ns>_<name>.json that clientip-lb rewrites (atomically)
 * every second and `clientip probes` / `clientip metrics` read. The CLI
 * never has to send anything into the lab to show probe state.
 *
 *   {"service":{"namespace":"default","name":"node-service"},
 *    "frontend":"203.0.113.10","updated":"2024-05-01T12:00:00Z","updatedUnix":...,
 *    "floatingIP":true,"distribution":"Default",
 *    "ports":[{"protocol":"TCP","port":80,"nodePort":31234}],
 *    "probeMode":"servicenodeport","syncError":"",
 *    "probe":{"protocol":"HTTP","port":32145,"path":"/healthz","intervalSeconds":1,
 *             "numberOfProbes":2,"timeoutMs":1000,"labIntervalSeconds":1,
 *             "labIntervalApplies":true,"httpsAsTcp":false,"shared":false},
 *    "healthProbeStatus":50,"backendsUp":1,
 *    "backends":[{"node":"node0","address":"10.240.0.4","state":"Up",
 *                 "lastResult":"200 OK","lastOk":true,"consecutive":7,
 *                 "lastChange":"...","lastProbe":"...","latencyMs":1,
 *                 "successes":7,"failures":0,"flows":3,"packets":30,"bytes":4000}],
 *    "rules":[{"name":"default_node-service-TCP-80","protocol":"TCP","port":80,
 *              "nodePort":31234,"noProbeRule":false,"probe":{...as above...},
 *              "healthProbeStatus":50,"backendsUp":1,
 *              "backends":[{"node":"node0","address":"10.240.0.4","state":"Up",...}]}],
 *    "dataPath":{"available":true,"lastResult":"connected","lastProbe":"..."},
 *    "events":[{"type":"Warning","reason":"...","message":"..."}],
 *    "series":{"1s":{"start":...,"step":1,"len":1800,"pool":[...],"dataPath":[...],
 *                    "backends":[{"address":"10.240.0.4","health":[...],
 *                                 "flows":[...],"packets":[...],"bytes":[...]}]},
 *              "1m":{...}}}
 *
 * Each rule (frontend port) has its own probe and pool: "rules". The
 * top-level "probe" and the backends' states are those of the first rule
 * with a probe (all a one-port Service has); the top-level
 * healthProbeStatus averages every rule's backends, as Azure's metric does
 * when it is not split by port; "backends" carries the traffic counters.
 * A rule without probe has "probe":null.
 *
 * null in a series is a slot without data.
 */
#ifndef CLIENTIP_LB_STATE_H
#define CLIENTIP_LB_STATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "lb.h"
#include "lb_conf.h"
#include "lb_series.h"
#include "model.h"

#define LB_STATE_DIR   "lb"
#define LB_METRICS_FILE "metrics.prom"
#define LB_TIME_MAX    32

struct lb_view_backend {
	char node[MODEL_NAME_MAX];
	char address[INET_ADDRSTRLEN];
	char state[16];                /* "Up", "Down", "Unknown" */
	char last_result[64];
	bool last_ok;
	int consecutive;
	char last_change[LB_TIME_MAX]; /* RFC 3339 UTC, "" never */
	char last_probe[LB_TIME_MAX];
	int latency_ms;
	uint64_t successes, failures;
	uint64_t flows, packets, bytes;
};

struct lb_view_port {
	enum model_proto proto;
	int port;
	int node_port;
};

struct lb_view_probe {
	char proto[8];                   /* "HTTP", "TCP", "none" */
	int port;
	char path[MODEL_PATH_MAX];
	int interval_s;
	int threshold;
	int timeout_ms;
	bool lab_interval_applies;
	bool https_as_tcp;
	bool shared;                     /* the shared probe of kube-proxy's health */
};

/* A load-balancing rule: a frontend port, its probe and its pool. */
struct lb_view_rule {
	char name[LB_RULE_NAME_MAX];
	enum model_proto proto;
	int port;
	int node_port;
	bool no_probe_rule;
	struct lb_view_probe probe;      /* proto "none": the rule has no probe */
	double health_percent;           /* NAN: no result yet */
	int backends_up;
	struct lb_view_backend backends[LB_MAX_BACKENDS];   /* health only */
	int n_backends;
	bool dpa_known;                  /* a data path check of this port has run */
	bool dpa_ok;
	char dpa_result[64];
};

struct lb_view {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
	char frontend[INET_ADDRSTRLEN];  /* "" while pending */
	char updated[LB_TIME_MAX];
	int64_t updated_unix;
	bool floating_ip;
	bool source_ip;                  /* SourceIP distribution */
	struct lb_view_port ports[MODEL_MAX_PORTS];
	int n_ports;
	char probe_proto[8];             /* "HTTP", "TCP", "none" */
	int probe_port;
	char probe_path[MODEL_PATH_MAX];
	int interval_s;
	int threshold;
	int timeout_ms;
	int lab_interval_s;              /* 0: none set */
	bool lab_interval_applies;
	bool https_as_tcp;
	bool probe_shared;
	char probe_mode[16];             /* "servicenodeport", "shared" */
	char sync_error[LB_EVENT_MESSAGE_MAX];   /* the last sync's refusal, "" none */
	double health_percent;           /* NAN: no result yet */
	int backends_up;
	struct lb_view_backend backends[LB_MAX_BACKENDS];
	int n_backends;
	struct lb_view_rule *rules;      /* malloc'd, n_rules of them (lb_view_free) */
	int n_rules;
	bool dpa_known;                  /* any port's check has run */
	bool dpa_ok;                     /* every port's last check connected */
	double dpa_percent;              /* their average; NAN: none yet */
	char dpa_result[64];             /* a failing port's, else the first's */
	char dpa_last[LB_TIME_MAX];
	struct lb_event events[LB_MAX_EVENTS];
	int n_events;
	struct lb_columns sec, min;      /* zeroed when absent */
};

/* <statedir>/lb/<ns>_<name>.json */
char *lb_state_path(const char *statedir, const char *ns, const char *name,
		    char *buf, size_t len);

/* Room for n rules in v->rules, zeroed. 0 or -ENOMEM. */
int lb_view_rules_alloc(struct lb_view *v, int n);

/* Appends the file's JSON text. */
void lb_view_write(const struct lb_view *v, struct buf *out);
/* Parses it back. 0 or -1 with err; lb_view_free() afterwards either way. */
int lb_view_parse(const char *text, size_t len, struct lb_view *v, char *err, size_t errlen);
/* Reads the file: 0, -ENOENT, or -1/-errno with err. */
int lb_view_load(const char *path, struct lb_view *v, char *err, size_t errlen);
void lb_view_free(struct lb_view *v);

/* Unix ms -> "2024-05-01T12:00:00Z" ("" for 0). */
void lb_time_format(int64_t unix_ms, char *out, size_t len);

#endif
