/* lb_conf.h — what a LoadBalancer Service asks of the load balancer.
 *
 * cloud-provider-azure turns a Service and its annotations into Azure Load
 * Balancer rules and probes; lb_conf_from_service() does the same for this
 * lab, with the same choices and the same validation. One rule per Service
 * port (frontend port), each with the probe that decides its pool:
 *
 *   externalTrafficPolicy Local   every rule: HTTP GET
 *                                 <healthCheckNodePort>/healthz
 *   Cluster, mode servicenodeport a probe per TCP port, on its NodePort;
 *                                 UDP rules have none (every backend in)
 *   Cluster, mode shared          every rule: HTTP GET :10256/healthz,
 *                                 kube-proxy's own health, 5 s x 2
 *
 * A port's probe, in the order cloud-provider-azure looks (prefix
 * service.beta.kubernetes.io/):
 *
 *   protocol   port_<n>_health-probe_protocol, spec.ports[].appProtocol,
 *              azure-load-balancer-health-probe-protocol, else Tcp;
 *              Tcp/Http/Https in any case, anything else is Tcp
 *   path       port_<n>_health-probe_request-path, ...-request-path, "/"
 *   port       port_<n>_health-probe_port: a port name or number of the
 *              Service (its NodePort), or any other number as it is; it
 *              gives the port its own probe even under Local
 *   interval   port_<n>_health-probe_interval, ...-interval: >= 5, default 5
 *   count      port_<n>_health-probe_num-of-probe, ...-num-of-probe: >= 2,
 *              default 2; interval x count < 120
 *   port_<n>_no_probe_rule "true"   the rule has no probe
 *   port_<n>_no_lb_rule "true"      the port has no rule at all
 *
 * Under Local, interval and count are looked up for the health check node
 * port (port_<healthCheckNodePort>_..., then the global ones).
 *
 * A value Azure would refuse (a number that is not one, out of range, a
 * probe port name the Service does not have) fails the whole Service, as
 * it fails cloud-provider-azure's sync: lb_conf_from_service() returns -1
 * with c->error naming the rule and the annotation, and the daemon keeps
 * the Service's load balancer as it was. Lab-only notes (an https probe
 * done as a TCP connect) are Warning events in c->events.
 *
 * The lab-wide interval (lab.json probeIntervalSeconds) replaces the
 * default interval, not an explicit valid annotation: tests and the demo
 * run fast while a Service that names its interval keeps it. It is not
 * held to the minimum of 5.
 */
#ifndef CLIENTIP_LB_CONF_H
#define CLIENTIP_LB_CONF_H

#include <stdbool.h>

#include "model.h"

#define LB_ANN_PREFIX          MODEL_ANN_LB_PREFIX
#define LB_ANN_NO_FLOATING_IP  LB_ANN_PREFIX "azure-disable-load-balancer-floating-ip"
#define LB_ANN_PROBE_PROTOCOL  LB_ANN_PREFIX "azure-load-balancer-health-probe-protocol"
#define LB_ANN_PROBE_INTERVAL  MODEL_ANN_PROBE_INTERVAL
#define LB_ANN_PROBE_NUM       MODEL_ANN_PROBE_NUM
#define LB_ANN_PROBE_PATH      LB_ANN_PREFIX "azure-load-balancer-health-probe-request-path"
#define LB_ANN_IDLE_TIMEOUT    LB_ANN_PREFIX "azure-load-balancer-tcp-idle-timeout"
#define LB_ANN_NO_TCP_RESET    LB_ANN_PREFIX "azure-load-balancer-disable-tcp-reset"
#define LB_ANN_PORT_FMT        MODEL_ANN_PORT_FMT

/* The probe timing's annotations, defaults and limits are in model.h
 * (model_probe_timing): the node proxy's hand-over window reads them too. */
#define LB_DEFAULT_INTERVAL_S  MODEL_PROBE_DEFAULT_INTERVAL_S
#define LB_DEFAULT_THRESHOLD   MODEL_PROBE_DEFAULT_NUM
#define LB_DEFAULT_IDLE_MIN    4     /* Azure's TCP idle timeout, minutes */
#define LB_MIN_IDLE_MIN        4
#define LB_MAX_IDLE_MIN        100
#define LB_LOCAL_PROBE_PATH    "/healthz"
#define LB_SHARED_PROBE_PATH   "/healthz"   /* kube-proxy's, on LAB_PROXY_HEALTH_PORT */

#define LB_MAX_EVENTS          8
#define LB_EVENT_REASON_MAX    64
#define LB_EVENT_MESSAGE_MAX   512
#define LB_MAX_RULES           MODEL_MAX_PORTS
/* One per rule at most, and the health check node port's. */
#define LB_MAX_PROBES          (LB_MAX_RULES + 1)
#define LB_RULE_NAME_MAX       (2 * MODEL_NAME_MAX + 16)

enum lb_probe_proto {
	LB_PROBE_NONE,   /* nothing to probe: every backend counts up */
	LB_PROBE_TCP,
	LB_PROBE_HTTP,
};

enum lb_probe_mode {
	LB_PROBE_MODE_SERVICE_NODE_PORT,   /* cloud-provider-azure's default */
	LB_PROBE_MODE_SHARED,
};

struct lb_event {
	char reason[LB_EVENT_REASON_MAX];
	char message[LB_EVENT_MESSAGE_MAX];
};

/* One probe, run against every node. */
struct lb_probe_conf {
	enum lb_probe_proto proto;     /* LB_PROBE_TCP or LB_PROBE_HTTP */
	bool https_as_tcp;             /* https asked for, probed by TCP connect */
	bool shared;                   /* the lab's one probe of kube-proxy's health */
	int port;
	char path[MODEL_PATH_MAX];     /* HTTP only */
	int interval_s;                /* in effect */
	int threshold;                 /* in effect (num-of-probe) */
	bool lab_interval;             /* interval_s comes from lab.json */
};

/* One load-balancing rule: a frontend port. */
struct lb_rule_conf {
	char name[LB_RULE_NAME_MAX];   /* "<ns>_<name>-TCP-80" */
	enum model_proto proto;
	int port;                      /* frontend port */
	int node_port;
	int probe;                     /* index in lb_conf.probes; -1: no probe */
	bool no_probe_rule;            /* probe -1 because of port_<n>_no_probe_rule */
};

struct lb_conf {
	bool floating_ip;              /* false: DNAT to node:NodePort */
	bool source_ip_affinity;       /* hash of the source address only */
	/* TCP idle timeout: an established flow idle this long is forgotten;
	 * with tcp_reset the next packet from either end gets an RST (Azure
	 * sends both at the timeout), without it the packet is dropped. */
	int idle_timeout_min;          /* as asked: 4 .. 100 */
	int idle_timeout_s;            /* in effect (minutes, or seconds in a lab that says so) */
	bool tcp_reset;
	enum lb_probe_mode mode;       /* the lab's mode for Cluster Services */
	struct lb_rule_conf rules[LB_MAX_RULES];
	int n_rules;
	struct lb_probe_conf probes[LB_MAX_PROBES];   /* distinct probes of the rules */
	int n_probes;
	struct lb_event events[LB_MAX_EVENTS];
	int n_events;
	char error[LB_EVENT_MESSAGE_MAX];   /* why the Service is refused; "" if it is not */
};

struct lb_conf_opts {
	int lab_interval_s;            /* > 0: the lab-wide interval */
	bool idle_in_seconds;          /* the lab reads idle timeouts as seconds */
	enum lb_probe_mode mode;
};

/* Fills c from s. 0, or -1 when Azure would refuse the Service: c->error
 * says why (rule and annotation); the rest of c is then not to be used. */
int lb_conf_from_service(const struct model_service *s, const struct lb_conf_opts *o,
			 struct lb_conf *c);

/* Appends an event (dropped silently beyond LB_MAX_EVENTS). */
void lb_conf_event(struct lb_conf *c, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "TCP", "HTTP", "none". */
const char *lb_probe_proto_name(enum lb_probe_proto p);

/* Two probes that would give the same results. */
bool lb_probe_conf_equal(const struct lb_probe_conf *a, const struct lb_probe_conf *b);

#endif
