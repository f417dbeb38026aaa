/* lab.h — the lab's names and address plan (cli/README.md, "The
 * lab"), in one place.
 *
 * Every program derives names and addresses from here so the CLI, the
 * controller, the node agents and the load balancer agree without asking
 * each other:
 *
 *   state dir         /run/clientip/<lab>/    ($CLIENTIP_RUN_DIR overrides /run/clientip)
 *                     lab.json (lib/labinfo.h), logs/<daemon>.log, run/<daemon>.pid;
 *                     daemons "controller", "agent-node<i>", "gateway", "lb"
 *   namespaces        cip-<lab>-edge, cip-<lab>-control, cip-<lab>-node<i>,
 *                     cip-<lab>-client<i>, cip-<lab>-pod-<podns>-<pod>
 *   node i            name "node<i>", VNet 10.240.0.(4+i)/16 on eth0,
 *                     pod bridge cbr0 10.244.<i>.1/24
 *   client i          name "client<i>", 198.51.100.(10+i)/24 on eth0
 *   edge              198.51.100.1/24 on bridge "inet", 10.240.0.1/16 on
 *                     bridge "vnet"; veth "n<i>" to node i, "c<i>" to client i
 *   frontend pool     203.0.113.0/24 (load balancer frontends)
 *   gateway           203.0.113.2/32 on the edge's "inet" (clientip-gateway's
 *                     frontend), 10.225.0.4/16 on its "vnet" (the gateway's subnet);
 *                     the edge routes node i's pod CIDR via node i
 *   services          ClusterIPs 10.0.0.0/16, NodePorts 30000-32767
 *
 * Interface names are per namespace, so only namespace names carry the lab
 * name; lab names are short enough that every derived name stays valid.
 */
#ifndef CLIENTIP_LAB_H
#define CLIENTIP_LAB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAB_NAME_MAX      12   /* [a-z0-9], starts with a letter */
#define LAB_MAX_NODES     32
#define LAB_MAX_CLIENTS   32
#define LAB_PATH_MAX      4096

#define LAB_VNET_GATEWAY  "10.240.0.1"
#define LAB_VNET_PREFIX   16
#define LAB_INET_GATEWAY  "198.51.100.1"
#define LAB_INET_PREFIX   24
#define LAB_POD_PREFIX    24
#define LAB_SERVICE_CIDR  "10.0.0.0/16"
#define LAB_FRONTEND_CIDR "203.0.113.0/24"
/* clientip-gateway's frontend: in the public range but below the load
 * balancer's automatic frontends (from .10), so no Service gets it unless
 * it asks for it by hand. Its subnet is apart from the nodes', as
 * Application Gateway always has a subnet of its own: its requests to pods
 * come from there, and that is the prefix an app trusts for
 * X-Forwarded-For. */
#define LAB_GATEWAY_IP        "203.0.113.2"
#define LAB_GATEWAY_PORT      80
#define LAB_GATEWAY_SUBNET    "10.225.0.0/16"
#define LAB_GATEWAY_SOURCE_IP "10.225.0.4"
#define LAB_GATEWAY_PREFIX    16
#define LAB_NODEPORT_MIN  30000
#define LAB_NODEPORT_MAX  32767
#define LAB_PROXY_HEALTH_PORT 10256  /* kube-proxy's /healthz and /livez */
/* The Kubernetes release the lab plays: the API server's /version and
 * the kubelet and kube-proxy versions each node reports. */
#define LAB_KUBE_VERSION "v1.33.0"

/* true if name is a valid lab name; otherwise writes why into err. */
bool lab_name_valid(const char *name, char *err, size_t errlen);

/* The lab name from --lab, else $CLIENTIP_LAB, else "default". */
const char *lab_name_default(const char *from_flag);

/* /run/clientip/<lab> (or $CLIENTIP_RUN_DIR/<lab>). Returns buf. */
char *lab_state_dir(const char *lab, char *buf, size_t len);

/* Namespace names; role is "edge", "control", "node<i>", "client<i>". */
char *lab_netns_name(const char *lab, const char *role, char *buf, size_t len);
/* Moves the calling process (single-threaded still) into the lab's
 * namespace for role, unless it already runs there (a daemon started by
 * the lab's supervisor is born in it; one started by hand is not). 0, or
 * -errno with a message. */
int lab_enter_netns(const char *lab, const char *role, char *err, size_t errlen);
char *lab_pod_netns_name(const char *lab, const char *pod_ns, const char *pod,
			 char *buf, size_t len);

/* true if netns is one of lab's namespaces: "cip-<lab>-" followed by
 * exactly a role (edge, control, node<i>, client<i>) or "pod-<podns>-<pod>".
 * Lab "t1" never claims lab "t12"'s names. */
bool lab_netns_belongs(const char *lab, const char *netns);
/* The lab a namespace name belongs to, copied into buf; NULL if netns is
 * not a lab namespace name. */
const char *lab_netns_lab(const char *netns, char *buf, size_t len);

/* Subdirectories of the state dir and the daemons' file names in them. */
#define LAB_STATE_LOGS "logs"   /* <daemon>.log: the daemon's stdout and stderr */
#define LAB_STATE_RUN  "run"    /* <daemon>.pid */

/* The kubelet's own HTTP API (containerLogs) of the node named node: a
 * Unix socket, <statedir>/run/kubelet-<node>.sock. A real kubelet listens
 * on its node's port 10250; the lab's API server runs in the host's
 * namespace and never sends to a lab address, so it reaches the kubelet
 * through the file system instead. Returns buf, or NULL when node is not a
 * plain name (empty, a slash, a leading dot) or the path does not fit. */
char *lab_kubelet_socket(const char *statedir, const char *node, char *buf, size_t len);

/* Address plan. Indices start at 0. */
struct in_addr lab_node_addr(int node);         /* 10.240.0.(4+i) */
struct in_addr lab_node_pod_gateway(int node);  /* 10.244.i.1 (cbr0) */
struct in_addr lab_node_pod_subnet(int node);   /* 10.244.i.0 (/24) */
struct in_addr lab_client_addr(int client);     /* 198.51.100.(10+i) */

/* "node3" -> 3; -1 if the name is not a node name. Same for clients. */
int lab_node_index(const char *name);
int lab_client_index(const char *name);

/* The load balancer marks each flow for its node, in the edge's conntrack
 * entry: LAB_LB_MARK_BASE | (node index + 1). `clientip explain` reads it
 * back. */
#define LAB_LB_MARK_BASE 0x4c420000u   /* "LB" in the upper half */
#define LAB_LB_MARK_MASK 0xffff0000u
/* The node a load balancer mark names; -1 if it names none. */
int lab_lb_mark_node(uint32_t mark);

#endif
