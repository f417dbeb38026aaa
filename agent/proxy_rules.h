/* proxy_rules.h — a node's Services as an nftables ruleset, as data.
 *
 * proxy_rules_build() is a pure function: Services + Endpoints + this
 * node's identity in, a ruleset model out; no kernel, no files, no clock.
 * The model renders (proxy_render.h) either as one full, atomic replacement script
 * (proxy_render_full: what a start-up or a recovery programs, and
 * what tests/golden/proxy/ holds) or as the difference from the model last
 * programmed (proxy_render_diff: what an ordinary sync sends).
 *
 * The layout is kube-proxy's nftables mode (agent/README.md,
 * "Service proxy"): table ip kube-proxy, verdict maps service-ips and
 * service-nodeports for dispatch, per service port chains
 * service-/external-/local-<hash>-<ns>/<name>/<proto>/<port>, per endpoint
 * chains endpoint-<hash>-...__<ip>/<port>, numgen vmaps for the endpoint
 * choice. Above PROXY_COMPACT_ABOVE endpoint chains the "compact" layout
 * takes over: same names and dispatch, but endpoint choice and DNAT are
 * inline rules of the service chain, because this kernel's costs for many
 * anonymous sets and many chains grow faster than linearly (measured in
 * docs/BENCHMARKS.md).
 *
 * With a Service of forwarding-mode dsr (proxy_dsr.h) the model also holds
 * the entries of the DSR program's frontend map, which the agent writes to
 * the map after the table.
 */
#ifndef CLIENTIP_PROXY_RULES_H
#define CLIENTIP_PROXY_RULES_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "model.h"

struct proxy_dsr_entry;             /* proxy_dsr.h */

#define PROXY_TABLE          "kube-proxy"
#define PROXY_MASQ_MARK      0x4000
#define PROXY_CLUSTER_CIDR   "10.244.0.0/16"   /* kube-proxy's --cluster-cidr */
#define PROXY_COMPACT_ABOVE  2000              /* endpoint chains, AUTO layout */
#define PROXY_AFFINITY_DEFAULT_S 10800

enum proxy_layout {
	PROXY_LAYOUT_AUTO,     /* kube-proxy's up to PROXY_COMPACT_ABOVE endpoint chains */
	PROXY_LAYOUT_KUBE,     /* always kube-proxy's */
	PROXY_LAYOUT_COMPACT,  /* always compact */
};

/* Who is asking: what makes an endpoint local and a source a pod. */
struct proxy_node {
	char name[MODEL_NAME_MAX];        /* "node0": endpoints with this nodeName are local */
	struct in_addr cluster_cidr;      /* network address of the pod CIDR */
	int cluster_prefix;
	struct in_addr service_cidr;      /* ClusterIPs come from here; 0: none */
	int service_prefix;
	/* The node's primary address: the only one NodePorts answer on
	 * (--nodeport-addresses primary, nftables mode's default). 0: every
	 * local address, as iptables mode's default. */
	struct in_addr node_ip;
	enum proxy_layout layout;
	int compact_above;                /* 0: PROXY_COMPACT_ABOVE */
	bool dsr;                         /* DSR's tc program is loaded (proxy_dsr.h) */
};

/* The maps and sets whose elements a sync adds and deletes one by one. */
enum proxy_map {
	PROXY_MAP_SERVICE_IPS,            /* service-ips */
	PROXY_MAP_SERVICE_NODEPORTS,      /* service-nodeports */
	PROXY_MAP_NO_EP_SERVICES,         /* no-endpoint-services (per-element counters) */
	PROXY_MAP_NO_EP_NODEPORTS,        /* no-endpoint-nodeports (per-element counters) */
	PROXY_SET_HAIRPIN,                /* hairpin-endpoints (compact layout only) */
	PROXY_SET_MASQ_CLUSTER_IPS,       /* masquerade-cluster-ips (compact layout only) */
	PROXY_SET_CLUSTER_IPS,            /* cluster-ips: every Service's ClusterIP */
	PROXY_MAP_FIREWALL_IPS,           /* firewall-ips: frontends with source ranges */
	PROXY_MAP_COUNT,
};


/* Strings live in one arena (rs->text); objects hold offsets into it. */
struct proxy_str {
	uint32_t off;
	uint32_t len;
};

enum proxy_obj_kind { PROXY_OBJ_CHAIN, PROXY_OBJ_SET };

/* A regular chain (body: one rule per line) or an affinity set (body: its
 * declaration, one statement per line). */
struct proxy_obj {
	uint64_t h;                       /* hash of the name: diffs order by it */
	struct proxy_str name;
	struct proxy_str body;
	int nrules;
	enum proxy_obj_kind kind;
};

/* One element: key, and what follows the key (comment and ": verdict"). */
struct proxy_elem {
	uint64_t h;                       /* hash of the key: diffs order by it */
	struct proxy_str key;
	struct proxy_str rest;
	enum proxy_map map;
};

/* What health checks, metrics and describe need about a Service. */
struct proxy_svc_stat {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
	int health_check_port;            /* LoadBalancer + Local: the port to serve, else 0 */
	int local_ready;                  /* distinct ready endpoints on this node */
	int local_serving_terminating;    /* distinct serving+terminating ones on this node */
	int remote_ready;                 /* distinct ready endpoints elsewhere */
	bool external_local;              /* externalTrafficPolicy Local and reachable from outside */
	bool handing_over;                /* Local, no local endpoint, forwarded masqueraded */
	bool internal_local;              /* internalTrafficPolicy Local */
	bool no_local_external;           /* external traffic from outside is dropped here */
	bool no_local_internal;           /* ClusterIP traffic is dropped here */
	int no_local_external_ports;      /* the same, by Service port (kube-proxy's metric) */
	int no_local_internal_ports;
};

/* A UDP Service port with serving endpoints, and their addresses, for
 * stale conntrack entry removal (kube-proxy's rule: entries towards its
 * frontends whose reply source is none of these go). */
struct proxy_udp_ep {
	struct in_addr addr;
};

#define PROXY_UDP_IPS (2 + MODEL_MAX_EXTERNAL_IPS)

struct proxy_udp_port {
	struct in_addr ips[PROXY_UDP_IPS];  /* ClusterIP, frontend IP, externalIPs */
	int n_ips;
	uint16_t port;
	uint16_t node_port;               /* 0 if none */
	int first_ep;                     /* into proxy_ruleset.udp_eps */
	int n_ep;
};

/* Where one Service's part of the model lives, so the next build can
 * reuse it when the Service and its endpoints did not change. */
struct proxy_svc_rec {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
	uint64_t hash;                    /* of everything the part was built from */
	uint32_t text_off, text_len;      /* its strings in the arena */
	int obj0, n_obj, elem0, n_elem, udp0, n_udp, udp_ep0, n_udp_ep;
	int nrules;
};

struct proxy_ruleset {
	struct buf text;                  /* the arena */
	struct proxy_str base;            /* table comment, base and fixed chains, map declarations */
	struct proxy_obj *objs;           /* in generation order (service by service) */
	int n_objs;
	struct proxy_elem *elems;         /* in generation order */
	int n_elems;
	struct proxy_svc_stat *stats;     /* one per Service, in input order */
	int n_stats;
	struct proxy_udp_port *udp;
	int n_udp;
	struct proxy_udp_ep *udp_eps;
	int n_udp_eps;
	struct proxy_svc_rec *recs;       /* one per Service, like stats */
	bool compact;                     /* the layout chosen */
	bool dsr;                         /* a DSR Service: its base chains and map entries */
	/* The DSR program's frontend map, in Service order (proxy_dsr.h). */
	struct proxy_dsr_entry *dsr_entries;
	int n_dsr, cap_dsr;
	int nrules;                       /* rules in regular chains (base chains not counted) */
	/* Sorted views for diffs, duplicates left out (the first generated
	 * wins, the others are marked dead). */
	int *obj_order;
	int n_objs_unique;
	int *elem_order;
	int n_elems_unique;
	unsigned char *obj_dead, *elem_dead;
};

/* Builds the ruleset for this node. endpoints are matched to services by
 * namespace and name (any order). 0, or -1 with a message in err (out of
 * memory); out must be freed with proxy_rules_free either way. */
int proxy_rules_build(const struct proxy_node *node,
		      const struct model_service *svcs, int n_svcs,
		      const struct model_endpoints *eps, int n_eps,
		      struct proxy_ruleset *out, char *err, size_t errlen);
/* The same, reusing prev's part for every Service whose inputs are
 * unchanged (prev may be NULL): what a sync after a small change costs is
 * then mostly copying. The result is identical to proxy_rules_build's.
 * handover (NULL: none), one per Service: this node hands the Service's
 * external traffic over (a Local Service without a local endpoint still
 * forwards it, masqueraded, to the other nodes' endpoints; see
 * proxy_handover_decide in proxy.c). */
int proxy_rules_build_from(const struct proxy_node *node,
			   const struct model_service *svcs, int n_svcs,
			   const struct model_endpoints *eps, int n_eps,
			   const bool *handover,
			   const struct proxy_ruleset *prev,
			   struct proxy_ruleset *out, char *err, size_t errlen);
void proxy_rules_free(struct proxy_ruleset *rs);

/* Chain name parts, exposed for tests and describe:
 * "<HASH>-<ns>/<name>/<proto>/<port>" with HASH 8 base32 characters. */
void proxy_chain_base(const char *ns, const char *name, enum model_proto proto,
		      const char *port_name, int port, char *out, size_t outlen);

/* What the proxy reads of a Service and of an Endpoints object, hashed:
 * the sync counts service and endpoint changes as kube-proxy does. */
uint64_t proxy_rules_hash_service(const struct model_service *svc);
uint64_t proxy_rules_hash_endpoints(const struct model_endpoints *e);

/* Counts of programmed objects, for metrics. */
int proxy_rules_nchains(const struct proxy_ruleset *rs);

#endif
