/* model.h — the Kubernetes objects a lab understands, as plain C structs.
 *
 * These are the normalised, validated forms: defaults are filled in, ports
 * are numbers, names are checked. The on-disk form of each object is its
 * Kubernetes JSON shape (see docs/STATE.md); model_json.h reads and writes it.
 *
 * Sizes are fixed so an object is one allocation and copies are plain
 * assignments; the limits are far above what a lab needs and validation
 * rejects anything beyond them with a clear message.
 */
#ifndef CLIENTIP_MODEL_H
#define CLIENTIP_MODEL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_NAME_MAX        64   /* DNS-1123 label (63) + NUL */
#define MODEL_KEY_MAX         254  /* label/annotation key: prefix/name */
#define MODEL_VALUE_MAX       256  /* label values are <= 63; annotations longer ones truncate with an error */
#define MODEL_MAX_LABELS      16
#define MODEL_MAX_ANNOTATIONS 16
#define MODEL_MAX_PORTS       16
#define MODEL_MAX_CONTAINERS  4
#define MODEL_MAX_ENV         32
#define MODEL_MAX_ARGS        32
#define MODEL_ARG_MAX         256
#define MODEL_IMAGE_MAX       256
#define MODEL_PATH_MAX        256
#define MODEL_TIME_MAX        32   /* RFC 3339, "2026-11-27T08:00:00Z" */
#define MODEL_REASON_MAX      64
#define MODEL_MESSAGE_MAX     256
#define MODEL_MAX_EXTERNAL_IPS 8   /* spec.externalIPs */
#define MODEL_MAX_SOURCE_RANGES 16 /* spec.loadBalancerSourceRanges */

/* clientip's own Service annotations (agent/README.md, node proxy):
 * direct server return under Cluster ("dsr"; "snat" is kube-proxy's), and
 * the hand-over of a Local Service's external traffic ("true" or seconds). */
#define MODEL_ANN_FORWARDING_MODE "clientip.io/forwarding-mode"
#define MODEL_ANN_LOCAL_HANDOVER  "clientip.io/local-handover"
/* A pod's address, chosen by the lab's scheduler with the node (Kubernetes
 * leaves it to the node's network plugin) and carried on the Binding's
 * annotations, which the API server copies onto the pod; the kubelet sets
 * up the pod's network with it and reports it as status.podIP. */
#define MODEL_ANN_POD_IP          "clientip.io/pod-ip"
/* The cloud load balancer's health probe timing, as cloud-provider-azure
 * reads it from a Service: port_<port>_health-probe_<param> for one port,
 * else the Service-wide annotation, else Azure's default. The load
 * balancer probes by it; the node proxy sizes its hand-over window by it. */
#define MODEL_ANN_LB_PREFIX        "service.beta.kubernetes.io/"
#define MODEL_ANN_PROBE_INTERVAL   MODEL_ANN_LB_PREFIX "azure-load-balancer-health-probe-interval"
#define MODEL_ANN_PROBE_NUM        MODEL_ANN_LB_PREFIX "azure-load-balancer-health-probe-num-of-probe"
/* port_<n>_health-probe_<param>, port_<n>_no_probe_rule, port_<n>_no_lb_rule */
#define MODEL_ANN_PORT_FMT         MODEL_ANN_LB_PREFIX "port_%d_%s"
#define MODEL_PROBE_DEFAULT_INTERVAL_S 5
#define MODEL_PROBE_DEFAULT_NUM        2
#define MODEL_PROBE_MIN_INTERVAL_S     5
#define MODEL_PROBE_MIN_NUM            2
#define MODEL_PROBE_MAX_TOTAL_S        120   /* interval x num-of-probe must stay below */
/* The one topology key the lab's scheduler knows: each node a domain. */
#define MODEL_SPREAD_KEY "kubernetes.io/hostname"

enum model_proto { MODEL_PROTO_TCP, MODEL_PROTO_UDP };

struct model_kv {
	char key[MODEL_KEY_MAX];
	char value[MODEL_VALUE_MAX];
};

struct model_map {            /* labels, selectors, annotations */
	struct model_kv items[MODEL_MAX_LABELS > MODEL_MAX_ANNOTATIONS ? MODEL_MAX_LABELS
								   : MODEL_MAX_ANNOTATIONS];
	int n;
};

struct model_meta {
	char ns[MODEL_NAME_MAX];           /* metadata.namespace, "default" if absent */
	char name[MODEL_NAME_MAX];
	char uid[40];                      /* assigned on create */
	int64_t generation;                /* bumped when spec changes */
	char created[MODEL_TIME_MAX];      /* creationTimestamp */
	char deleting[MODEL_TIME_MAX];     /* deletionTimestamp, "" if not being deleted */
	struct model_map labels;
	struct model_map annotations;
};

/* ---- workloads ---------------------------------------------------------- */

struct model_container_port {
	char name[16];                     /* IANA_SVC_NAME, may be "" */
	int port;                          /* containerPort */
	enum model_proto proto;
};

enum model_probe_kind { MODEL_PROBE_NONE, MODEL_PROBE_HTTP, MODEL_PROBE_TCP };

struct model_probe {                   /* readinessProbe */
	enum model_probe_kind kind;
	char path[MODEL_PATH_MAX];         /* httpGet.path, default "/" */
	int port;                          /* resolved number; 0 if port_name is set */
	char port_name[16];                /* a named containerPort */
	int initial_delay_s;               /* default 0 */
	int period_s;                      /* default 10 */
	int timeout_s;                     /* default 1 */
	int success_threshold;             /* default 1 */
	int failure_threshold;             /* default 3 */
};

/* lifecycle.preStop: what the kubelet runs before it sends SIGTERM. */
enum model_hook_kind { MODEL_HOOK_NONE, MODEL_HOOK_EXEC, MODEL_HOOK_HTTP, MODEL_HOOK_SLEEP };

#define MODEL_HOOK_MAX_ARGS    16
#define MODEL_HOOK_MAX_HEADERS 8

struct model_http_header {
	char name[64];
	char value[MODEL_VALUE_MAX];
};

struct model_hook {
	enum model_hook_kind kind;
	/* exec */
	char command[MODEL_HOOK_MAX_ARGS][MODEL_ARG_MAX];
	int n_command;
	/* httpGet */
	char path[MODEL_PATH_MAX];         /* default "/" */
	int port;                          /* resolved number; 0 if port_name is set */
	char port_name[16];
	char host[MODEL_NAME_MAX];         /* "" : the pod's IP */
	bool https;                        /* scheme HTTPS (the lab speaks HTTP only) */
	struct model_http_header headers[MODEL_HOOK_MAX_HEADERS];
	int n_headers;
	/* sleep */
	int sleep_s;
};

struct model_env {
	char name[128];
	char value[MODEL_VALUE_MAX];
};

struct model_container {
	char name[MODEL_NAME_MAX];
	char image[MODEL_IMAGE_MAX];
	char command[MODEL_MAX_ARGS][MODEL_ARG_MAX];  /* overrides the image's entrypoint */
	int n_command;
	char args[MODEL_MAX_ARGS][MODEL_ARG_MAX];
	int n_args;
	struct model_env env[MODEL_MAX_ENV];
	int n_env;
	struct model_container_port ports[MODEL_MAX_PORTS];
	int n_ports;
	struct model_probe readiness;
	struct model_hook pre_stop;        /* lifecycle.preStop */
};

struct model_pod_spec {
	struct model_container containers[MODEL_MAX_CONTAINERS];
	int n_containers;
	int termination_grace_s;           /* default 30 */
	/* restartPolicy is always Always, as for a Deployment's pods. */
	/* A topologySpreadConstraint over kubernetes.io/hostname, the lab's
	 * only topology domain: at most spread_max_skew more of the group's
	 * pods on one node than on the emptiest (0: none); spread_hard is
	 * whenUnsatisfiable DoNotSchedule (else ScheduleAnyway). */
	int spread_max_skew;
	bool spread_hard;
	/* The one node the pod may go to (a required node affinity on
	 * metadata.name, as the DaemonSet controller writes it), "" for any. */
	char node_affinity[MODEL_NAME_MAX];
};

/* maxSurge / maxUnavailable: an absolute number or a percentage. */
struct model_int_or_percent {
	int value;
	bool percent;
};

/* A Deployment, or a DaemonSet (daemon_set): the same template and
 * selector, but one pod per node instead of replicas, and a rolling update
 * that replaces pods node by node (updateStrategy.rollingUpdate: max_surge
 * default 0, max_unavailable default 1). */
struct model_deployment {
	struct model_meta meta;
	bool daemon_set;
	int replicas;                      /* default 1; unused by a DaemonSet */
	struct model_map selector;         /* spec.selector.matchLabels */
	struct model_map template_labels;  /* spec.template.metadata.labels */
	struct model_map template_annotations; /* restartedAt lives here */
	struct model_pod_spec pod;
	struct model_int_or_percent max_surge;        /* default 25% */
	struct model_int_or_percent max_unavailable;  /* default 25% */
};

/* A pod as the controller creates it and the API server holds it. */
struct model_pod {
	struct model_meta meta;            /* labels include pod-template-hash */
	char owner[MODEL_NAME_MAX];        /* the Deployment's (or DaemonSet's) name; the
					    * pod's owner is the Deployment's ReplicaSet,
					    * "<owner>-<template_hash>" */
	bool daemon_set;                   /* owned by a DaemonSet */
	char template_hash[16];            /* pod-template-hash */
	char node[MODEL_NAME_MAX];         /* spec.nodeName, "node<i>" */
	struct in_addr ip;                 /* status.podIP, allocated with the pod */
	struct model_pod_spec spec;
	/* While the pod is on no node: the scheduler's PodScheduled=False
	 * condition ("Unschedulable", kube-scheduler's message, since when). */
	char unsched_reason[MODEL_REASON_MAX];
	char unsched_message[MODEL_MESSAGE_MAX];
	char unsched_since[MODEL_TIME_MAX];
};

enum model_pod_phase {
	MODEL_POD_PENDING, MODEL_POD_RUNNING, MODEL_POD_SUCCEEDED, MODEL_POD_FAILED,
};

/* A pod as its node's agent observes and reports it (its status in the
 * API; the agent's own checkpoint in status/pods/). */
struct model_pod_status {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
	char uid[40];                      /* the pod's uid this status belongs to */
	enum model_pod_phase phase;
	bool ready;                        /* readiness probe passing (or no probe and running) */
	bool terminating;                  /* SIGTERM sent, grace period running */
	bool terminated;                   /* the process is gone after deletion */
	int restarts;
	int pid;                           /* 0 when not running */
	char reason[MODEL_REASON_MAX];     /* "ErrImagePull", "CrashLoopBackOff", ... */
	char message[MODEL_MESSAGE_MAX];
	char started[MODEL_TIME_MAX];
	char updated[MODEL_TIME_MAX];
};

/* ---- services ----------------------------------------------------------- */

enum model_service_type {
	MODEL_SVC_CLUSTER_IP, MODEL_SVC_NODE_PORT, MODEL_SVC_LOAD_BALANCER,
};

enum model_traffic_policy { MODEL_POLICY_CLUSTER, MODEL_POLICY_LOCAL };

struct model_service_port {
	char name[MODEL_NAME_MAX];
	enum model_proto proto;
	int port;
	int target_port;                   /* 0 when target_port_name is used */
	char target_port_name[16];
	int node_port;                     /* allocated for NodePort/LoadBalancer */
	/* spec.ports[].appProtocol, "" if unset: the cloud load balancer picks
	 * an HTTP probe for "http"/"https". */
	char app_protocol[MODEL_NAME_MAX];
};

struct model_service {
	struct model_meta meta;            /* annotations kept: the load balancer reads them */
	enum model_service_type type;
	struct model_map selector;
	struct model_service_port ports[MODEL_MAX_PORTS];
	int n_ports;
	struct in_addr cluster_ip;         /* allocated from 10.0.0.0/16 */
	enum model_traffic_policy external_policy;
	enum model_traffic_policy internal_policy;
	int health_check_node_port;        /* LoadBalancer + Local only, else 0 */
	bool affinity_client_ip;           /* sessionAffinity: ClientIP */
	int affinity_timeout_s;            /* default 10800 */
	struct in_addr load_balancer_ip;   /* spec.loadBalancerIP, 0 if unset */
	/* spec.externalIPs: addresses routed to some node by someone else;
	 * the proxy takes traffic to them on the Service's ports. */
	struct in_addr external_ips[MODEL_MAX_EXTERNAL_IPS];
	int n_external_ips;
	/* spec.loadBalancerSourceRanges: the only clients the load balancer
	 * frontend IP admits (IPv4 prefixes, host bits cleared). */
	struct model_cidr4 {
		struct in_addr addr;
		int prefix;
	} source_ranges[MODEL_MAX_SOURCE_RANGES];
	int n_source_ranges;
	/* Written by the load balancer (status/services/), merged in on load. */
	struct in_addr ingress_ip;         /* 0 while <pending> */
};

/* One endpoint of a Service (EndpointSlice-style conditions). */
struct model_endpoint {
	struct in_addr addr;
	char node[MODEL_NAME_MAX];
	char pod[MODEL_NAME_MAX];
	bool ready;
	bool serving;
	bool terminating;
	/* Resolved target port for each of the Service's ports (same index as
	 * model_service.ports); 0 if a named targetPort does not exist on this pod. */
	int ports[MODEL_MAX_PORTS];
};

struct model_endpoints {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];         /* the Service's name */
	struct model_endpoint *items;      /* malloc'd; model_endpoints_free() */
	int n;
	/* The Service's ports (same index as each endpoint's ports[]), so the
	 * object reads on its own as `get endpoints` shows it. n_ports 0: not
	 * filled in; each endpoint's ports are still written and read. */
	struct model_endpoint_port {
		char name[MODEL_NAME_MAX];
		enum model_proto proto;
	} ports[MODEL_MAX_PORTS];
	int n_ports;
};

/* ---- nodes ------------------------------------------------------------ */

/* A Node as the API server holds it, with its Lease (kube-node-lease):
 * what the node's agent last said, and when (apiobj_node_status()). */
struct model_node_status {
	char name[MODEL_NAME_MAX];
	struct in_addr addr;               /* status.addresses, InternalIP */
	bool posted_ready;                 /* its Ready condition is True */
	bool unschedulable;                /* spec.unschedulable: cordoned */
	/* The agent's latest sign of life: its Lease's renewTime or the
	 * Ready condition's lastHeartbeatTime, whichever is later. */
	char heartbeat[MODEL_TIME_MAX];
};

/* A node whose agent has not reported for this long is NotReady: the node
 * lifecycle controller's default grace period (node-monitor-grace-period).
 * The controller reads it through model_node_grace_s(), and it is the only
 * one to judge: it sets the Ready condition of a silent node to Unknown. */
#define MODEL_NODE_GRACE_S 40
/* The pods a node takes: kubelet's default maxPods. */
#define MODEL_NODE_MAX_PODS 110
/* Pod addresses in a node's /24 pod CIDR (.2 to .254): no node can take
 * more pods than that, whatever its maxPods. */
#define MODEL_NODE_POD_ADDRS 253

/* $CLIENTIP_NODE_GRACE_S if it is a whole number of seconds from 1 to
 * 3600, else MODEL_NODE_GRACE_S. A test shortens it to see a stopped agent's
 * node turn NotReady without waiting 40 s. */
int model_node_grace_s(void);
/* $CLIENTIP_MAX_PODS if it is a number from 1 to MODEL_NODE_POD_ADDRS,
 * else MODEL_NODE_MAX_PODS: kubelet's --max-pods, for every node. */
int model_node_max_pods(void);
/* Whether a node's agent reported less than grace_s seconds before now. */
bool model_node_fresh(const struct model_node_status *n, int64_t now, int grace_s);
/* Ready: fresh, and its agent says so (a node whose Ready condition was set
 * to Unknown stays NotReady until its agent posts Ready again). */
bool model_node_ready(const struct model_node_status *n, int64_t now, int grace_s);

/* ---- deployments' observed state ---------------------------------------- */

struct model_condition {               /* a status condition, as Kubernetes lists them */
	char type[32];                     /* "Available", "Progressing" */
	bool status;                       /* "True" / "False" */
	char reason[MODEL_REASON_MAX];
	char message[MODEL_MESSAGE_MAX];
};

#define MODEL_MAX_CONDITIONS 4

/* A Deployment's or DaemonSet's status, as the controller reports it in the
 * object's status subresource: what `rollout status` reads.
 * Pods being deleted are not counted, as in Kubernetes. */
struct model_deployment_status {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
	int64_t observed_generation;       /* the Deployment's generation this describes */
	int replicas;                      /* pods not being deleted, any template */
	int updated_replicas;              /* of those, with the current template */
	int ready_replicas;
	int available_replicas;            /* ready (minReadySeconds is 0) */
	int unavailable_replicas;          /* spec replicas - available, >= 0 */
	char template_hash[16];            /* the current pod-template-hash */
	/* A DaemonSet's: the counts above are per node (replicas is
	 * currentNumberScheduled, updated_replicas updatedNumberScheduled,
	 * ready_replicas numberReady, available_replicas numberAvailable,
	 * unavailable_replicas numberUnavailable), and these two: */
	bool daemon_set;
	int desired_scheduled;             /* desiredNumberScheduled */
	int misscheduled;                  /* numberMisscheduled */
	struct model_condition conditions[MODEL_MAX_CONDITIONS];
	int n_conditions;
};

/* ---- helpers ------------------------------------------------------------ */

const char *model_proto_name(enum model_proto p);              /* "TCP" */
const char *model_service_type_name(enum model_service_type t); /* "LoadBalancer" */
const char *model_policy_name(enum model_traffic_policy p);     /* "Cluster" */
const char *model_phase_name(enum model_pod_phase p);           /* "Running" */

/* NULL if absent. */
const char *model_map_get(const struct model_map *m, const char *key);
/* true if every selector pair is in labels (an empty selector matches nothing,
 * as a Service without selector has no managed endpoints). */
bool model_selector_matches(const struct model_map *selector, const struct model_map *labels);
/* The Service asks for direct server return (MODEL_ANN_FORWARDING_MODE
 * "dsr") and can have it: a LoadBalancer with externalTrafficPolicy
 * Cluster (Local keeps the client's address already). The node proxy
 * programs it and `clientip explain` describes it by this one rule. */
bool model_service_dsr(const struct model_service *svc);

struct model_probe_timing {
	int interval_s;
	int num;                           /* num-of-probe: failures before a node is out */
	bool interval_set;                 /* by an annotation, not the default */
};

/* A whole number in decimal with blanks around it allowed, as
 * cloud-provider-azure reads its numbers (strconv.Atoi after TrimSpace).
 * 0, -EINVAL if it is not one, -ERANGE if it does not fit an int. */
int model_parse_int(const char *s, int *out);
/* The timing of the load balancer's probe of port (a Service port, or the
 * health check node port under Local), read in cloud-provider-azure's
 * order: num-of-probe, interval, then their product. 0, or -1 with why in
 * err ("failed to parse annotation <key>: ..."): the load balancer then
 * refuses the Service. */
int model_probe_timing(const struct model_service *svc, int port, struct model_probe_timing *t,
		       char *err, size_t errlen);

void model_endpoints_free(struct model_endpoints *e);
/* Which of e's port slots serves Service port sp (the idx-th): by name and
 * protocol when e lists its ports, else by position; -1 if none. */
int model_endpoints_port_slot(const struct model_endpoints *e,
			      const struct model_service_port *sp, int idx);

/* Reverse of the *_name functions (exact Kubernetes spelling); 0, or
 * -EINVAL for an unknown name (out untouched). */
int model_proto_parse(const char *s, enum model_proto *out);
int model_service_type_parse(const char *s, enum model_service_type *out);
int model_policy_parse(const char *s, enum model_traffic_policy *out);
int model_phase_parse(const char *s, enum model_pod_phase *out);

/* Adds key=value or replaces the value of key. 0, -ENOSPC when the map is
 * full, -ENAMETOOLONG when key or value does not fit. */
int model_map_set(struct model_map *m, const char *key, const char *value);
/* Removes key if present. */
void model_map_del(struct model_map *m, const char *key);

/* Objects with every default of this file filled in and everything else
 * zero. A probe of kind MODEL_PROBE_NONE is all zero (its defaults apply
 * only once a probe exists); model_probe_init() gives an HTTP probe's. */
void model_deployment_init(struct model_deployment *d);
/* A DaemonSet with the API server's defaults. */
void model_daemonset_init(struct model_deployment *d);
void model_service_init(struct model_service *s);
void model_probe_init(struct model_probe *p, enum model_probe_kind kind);

/* Times as Kubernetes writes them: RFC 3339 in UTC with a "Z". metav1.Time
 * has whole seconds ("2026-11-27T08:00:00Z", model_time_format());
 * metav1.MicroTime six digits of fraction ("2026-11-27T08:00:00.123456Z",
 * model_time_format_frac() with frac_digits 6; 3 gives milliseconds). sec
 * counts from the epoch; frac_digits (0 to 9) of nsec are written, truncated
 * rather than rounded, as Go does. 0, or -1 with out "" when sec is beyond
 * struct tm, nsec is not 0 to 999999999 or out is too small.
 * model_time_parse() reads them all back. */
int model_time_format(int64_t sec, char *out, size_t len);
int model_time_format_frac(int64_t sec, long nsec, int frac_digits, char *out, size_t len);
/* The current time as model_time_format() writes it; returns out. */
char *model_time_now(char out[MODEL_TIME_MAX]);
/* Seconds since the epoch of an RFC 3339 time (fraction and offset
 * allowed); -1 if s is not one. */
int64_t model_time_parse(const char *s);
/* A random RFC 4122 version 4 UUID, for metadata.uid. */
void model_uid_new(char out[40]);

#endif
