/* lb_conf.h — what a LoadBalancer Service asks of the load balancer.
 *
 * cloud-provider-azure turns a Service and its annotations into Azure Load
 * Balancer rules and probes; lb_conf_from_service() does the same for this
 * lab, with the same defaults and the same validation:
 *
 *   externalTrafficPolicy Local   HTTP GET <healthCheckNodePort>/healthz
 *   externalTrafficPolicy Cluster TCP connect to the first port's NodePort,
 *                                 or HTTP(S) to request-path (default "/")
 *                                 with ...-health-probe-protocol
 *   ...-health-probe-interval     seconds, >= 5, default 5
 *   ...-health-probe-num-of-probe >= 2, default 2; interval x num < 120
 *   azure-disable-load-balancer-floating-ip "true" -> DNAT to the NodePort
 *   sessionAffinity ClientIP      -> SourceIP distribution
 *
 * A value Azure would reject is reported as an event (reason + message, as
 * `kubectl describe` shows events) and the default is used instead, so a
 * typo never leaves a Service without a load balancer.
 *
 * The lab-wide interval (lab.json probeIntervalSeconds) replaces the
 * default interval, not an explicit valid annotation: tests and the demo
 * run fast while a Service that names its interval keeps it.
 */
#ifndef CLIENTIP_LB_CONF_H
#define CLIENTIP_LB_CONF_H

#include <stdbool.h>

#include "model.h"

#define LB_ANN_PREFIX          "service.beta.kubernetes.io/"
#define LB_ANN_NO_FLOATING_IP  LB_ANN_PREFIX "azure-disable-load-balancer-floating-ip"
#define LB_ANN_PROBE_PROTOCOL  LB_ANN_PREFIX "azure-load-balancer-health-probe-protocol"
#define LB_ANN_PROBE_INTERVAL  LB_ANN_PREFIX "azure-load-balancer-health-probe-interval"
#define LB_ANN_PROBE_NUM       LB_ANN_PREFIX "azure-load-balancer-health-probe-num-of-probe"
#define LB_ANN_PROBE_PATH      LB_ANN_PREFIX "azure-load-balancer-health-probe-request-path"

#define LB_DEFAULT_INTERVAL_S  5
#define LB_DEFAULT_THRESHOLD   2
#define LB_MIN_INTERVAL_S      5
#define LB_MIN_THRESHOLD       2
#define LB_MAX_PROBE_TOTAL_S   120   /* interval x num-of-probe must stay below */
#define LB_LOCAL_PROBE_PATH    "/healthz"

#define LB_MAX_EVENTS          8
#define LB_EVENT_REASON_MAX    64
#define LB_EVENT_MESSAGE_MAX   320

enum lb_probe_proto {
	LB_PROBE_NONE,   /* nothing to probe (UDP-only Cluster service): always up */
	LB_PROBE_TCP,
	LB_PROBE_HTTP,
};

struct lb_event {
	char reason[LB_EVENT_REASON_MAX];
	char message[LB_EVENT_MESSAGE_MAX];
};

struct lb_conf {
	bool floating_ip;              /* false: DNAT to node:NodePort */
	bool source_ip_affinity;       /* hash of the source address only */
	enum lb_probe_proto probe;
	bool https_as_tcp;             /* https asked for, probed by TCP connect */
	int probe_port;                /* healthCheckNodePort or first NodePort */
	char probe_path[MODEL_PATH_MAX];
	int interval_s;                /* in effect */
	int threshold;                 /* in effect (num-of-probe) */
	bool lab_interval;             /* interval_s comes from lab.json */
	struct lb_event events[LB_MAX_EVENTS];
	int n_events;
};

/* Fills c from s; lab_interval_s > 0 is the lab-wide interval. Never
 * fails: every problem becomes an event in c->events. */
void lb_conf_from_service(const struct model_service *s, int lab_interval_s,
			  struct lb_conf *c);

/* Appends an event (dropped silently beyond LB_MAX_EVENTS). */
void lb_conf_event(struct lb_conf *c, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "TCP", "HTTP", "none". */
const char *lb_probe_proto_name(enum lb_probe_proto p);

/* Strict decimal integer with optional surrounding blanks, as Go's
 * strconv.Atoi after TrimSpace. 0 or -EINVAL/-ERANGE. */
int lb_parse_int(const char *s, int *out);

#endif
