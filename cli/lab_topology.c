/* lab_topology.c — see lab_topology.h. */
#include "lab_topology.h"
#include "ev.h"

#include <arpa/inet.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "lab.h"
#include "nftrun.h"
#include "log.h"
#include "netns.h"
#include "nl.h"

#define LABTOPO_INET_BRIDGE "inet"
#define LABTOPO_VNET_BRIDGE "vnet"
#define LABTOPO_POD_BRIDGE  "cbr0"
#define LABTOPO_IFNAME      "eth0"

/* The edge forwards what a cloud edge forwards and nothing else:
 *  - replies and related ICMP of flows it let through;
 *  - new flows from the internet side to the frontend pool. The match is on
 *    the flow's original destination, so it holds whether the load
 *    balancer forwards to a node unchanged (floating IP) or DNATs the flow
 *    to a node port: the forward hook sees the translated address.
 * Nodes and pods are never reachable from the internet directly. The
 * edge's own traffic (health probes, the data-path check) does not cross
 * the forward hook. The first two commands make the load idempotent:
 * nft 1.0.6 has no `destroy` (lib/README.md, "nftables 1.0.6").
 *
 * Flows to clientip-gateway's frontend end on the edge itself (input, not
 * forward): the load balancer's table lets them be (Application Gateway is
 * a resource apart from the load balancer). */
static const char labtopo_edge_ruleset[] =
	"table inet " LABTOPO_EDGE_TABLE "\n"
	"delete table inet " LABTOPO_EDGE_TABLE "\n"
	"table inet " LABTOPO_EDGE_TABLE " {\n"
	"\tchain forward {\n"
	"\t\ttype filter hook forward priority filter; policy drop;\n"
	"\t\tct state established,related accept\n"
	"\t\tiifname \"" LABTOPO_INET_BRIDGE "\" ct state new ct original ip daddr "
	LAB_FRONTEND_CIDR " accept\n"
	"\t\tcounter comment \"dropped: not a frontend flow\"\n"
	"\t}\n"
	"}\n";

static void labtopo_ns_name(const char *lab, const char *role, char *buf, size_t len)
{
	lab_netns_name(lab, role, buf, len);
}

struct labtopo_nft {
	char *err;
	size_t errlen;
};

/* Runs inside the edge: a libnftables context talks to the namespace it
 * was created in. */
static int labtopo_nft_here(void *arg)
{
	struct labtopo_nft *c = arg;
	struct nft_ctx *nft = nftrun_ctx_new();
	char msg[256];
	int rc = 0;

	if (!nft) {
		snprintf(c->err, c->errlen, "edge nftables: cannot create a context");
		return -ENOMEM;
	}
	if (nftrun_cmd(nft, labtopo_edge_ruleset, NULL, msg, sizeof(msg)) < 0) {
		snprintf(c->err, c->errlen, "edge nftables table %s: %s", LABTOPO_EDGE_TABLE, msg);
		rc = -EINVAL;
	}
	nft_ctx_free(nft);
	return rc;
}

enum labtopo_role { LABTOPO_EDGE, LABTOPO_NODE, LABTOPO_HOST };

struct labtopo_sysctl {
	const char *key;
	const char *value;
	bool optional;      /* br_netfilter's keys exist only when it is loaded */
};

/* The sysctls a namespace needs by role. A new namespace copies some of
 * these from the host, so they are written explicitly rather than trusted.
 *  - rp_filter is off where paths are asymmetric on purpose: the edge hands
 *    floating-IP flows to a node that answers from an address the edge
 *    does not route back the same way, and nodes see pod and service
 *    traffic arrive on one link and leave by another.
 *  - br_netfilter, when the kernel has it, would pass frames bridged on the
 *    edge (node to node on the VNet, client to client) through the edge's
 *    forward hook and its drop policy: a cloud edge does not filter inside
 *    a subnet, so the edge turns it off. Nodes turn it on, as kubenet
 *    requires, so that replies bridged between two pods on one cbr0 still
 *    meet the conntrack entry of the service DNAT that started the flow. */
static int labtopo_sysctls(int nsfd, enum labtopo_role role, char *err, size_t errlen)
{
	static const struct labtopo_sysctl edge[] = {
		{ "net.ipv4.conf.all.rp_filter", "0", false },
		{ "net.ipv4.conf.default.rp_filter", "0", false },
		{ "net.ipv4.ip_forward", "1", false },
		{ "net.bridge.bridge-nf-call-iptables", "0", true },
		{ "net.bridge.bridge-nf-call-ip6tables", "0", true },
		{ "net.bridge.bridge-nf-call-arptables", "0", true },
	};
	static const struct labtopo_sysctl node[] = {
		{ "net.ipv4.conf.all.rp_filter", "0", false },
		{ "net.ipv4.conf.default.rp_filter", "0", false },
		{ "net.ipv4.ip_forward", "1", false },
		{ "net.bridge.bridge-nf-call-iptables", "1", true },
		{ "net.bridge.bridge-nf-call-ip6tables", "1", true },
	};
	static const struct labtopo_sysctl host[] = {
		{ "net.ipv4.ip_forward", "0", false },
	};
	const struct labtopo_sysctl *keys = role == LABTOPO_EDGE ? edge :
					    role == LABTOPO_NODE ? node : host;
	size_t n = role == LABTOPO_EDGE ? sizeof(edge) / sizeof(edge[0]) :
		   role == LABTOPO_NODE ? sizeof(node) / sizeof(node[0]) :
		   sizeof(host) / sizeof(host[0]);

	for (size_t i = 0; i < n; i++) {
		int rc = nl_sysctl_set(nsfd, keys[i].key, keys[i].value, err, errlen);

		if (rc == -ENOENT && keys[i].optional)
			continue;
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Creates one namespace of the lab with lo up and its sysctls, and opens
 * a handle and a netlink socket on it. */
static int labtopo_make_ns(const char *lab, const char *role, enum labtopo_role kind, int *fd,
			   struct nl *nl, char *err, size_t errlen)
{
	char name[128];
	int rc;

	labtopo_ns_name(lab, role, name, sizeof(name));
	rc = netns_create(name, err, errlen);
	if (rc < 0)
		return rc;
	*fd = netns_open(name);
	if (*fd < 0) {
		snprintf(err, errlen, "open namespace %s: %s", name, strerror(-*fd));
		return *fd;
	}
	rc = labtopo_sysctls(*fd, kind, err, errlen);
	if (rc < 0)
		return rc;
	rc = nl_open(nl, *fd, err, errlen);
	if (rc < 0)
		return rc;
	return nl_link_set_up(nl, "lo", true, err, errlen);
}

static int labtopo_addr_up(struct nl *nl, const char *dev, struct in_addr addr, int prefix,
			   char *err, size_t errlen)
{
	int rc = nl_link_set_up(nl, dev, true, err, errlen);

	return rc < 0 ? rc : nl_addr_add(nl, dev, addr, prefix, err, errlen);
}

/* A veth from the edge (edge_if, on bridge) to eth0 in the other
 * namespace, both ends up. */
static int labtopo_uplink(struct nl *edge, const char *edge_if, const char *bridge, int peer_fd,
			  struct nl *peer, char *err, size_t errlen)
{
	int rc;

	if ((rc = nl_veth_add(edge, edge_if, LABTOPO_IFNAME, peer_fd, err, errlen)) < 0 ||
	    (rc = nl_link_set_master(edge, edge_if, bridge, err, errlen)) < 0 ||
	    (rc = nl_link_set_up(edge, edge_if, true, err, errlen)) < 0 ||
	    (rc = nl_link_set_up(peer, LABTOPO_IFNAME, true, err, errlen)) < 0)
		return rc;
	return 0;
}

static int labtopo_node(const char *lab, int i, int nodes, struct nl *edge, char *err,
			size_t errlen)
{
	struct nl nl = { 0 };
	struct nl_route r = { .prefix = 0, .dev = LABTOPO_IFNAME };
	char role[24], edge_if[24];
	int fd = -1, rc;

	snprintf(role, sizeof(role), "node%d", i);
	snprintf(edge_if, sizeof(edge_if), "n%d", i);
	rc = labtopo_make_ns(lab, role, LABTOPO_NODE, &fd, &nl, err, errlen);
	if (rc < 0)
		goto out;
	rc = labtopo_uplink(edge, edge_if, LABTOPO_VNET_BRIDGE, fd, &nl, err, errlen);
	if (rc < 0)
		goto out;
	rc = nl_addr_add(&nl, LABTOPO_IFNAME, lab_node_addr(i), LAB_VNET_PREFIX, err, errlen);
	if (rc < 0)
		goto out;
	rc = nl_bridge_add(&nl, LABTOPO_POD_BRIDGE, NULL, err, errlen);
	if (rc < 0)
		goto out;
	rc = labtopo_addr_up(&nl, LABTOPO_POD_BRIDGE, lab_node_pod_gateway(i), LAB_POD_PREFIX,
			     err, errlen);
	if (rc < 0)
		goto out;
	inet_pton(AF_INET, LAB_VNET_GATEWAY, &r.gateway);
	rc = nl_route_add(&nl, &r, err, errlen);
	if (rc < 0)
		goto out;
	/* kubenet: every other node's pod CIDR through that node. */
	for (int j = 0; j < nodes; j++) {
		struct nl_route pr = { .prefix = LAB_POD_PREFIX, .dev = LABTOPO_IFNAME };

		if (j == i)
			continue;
		pr.dst = lab_node_pod_subnet(j);
		pr.gateway = lab_node_addr(j);
		rc = nl_route_add(&nl, &pr, err, errlen);
		if (rc < 0)
			goto out;
	}
out:
	nl_close(&nl);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int labtopo_client(const char *lab, int i, struct nl *edge, char *err, size_t errlen)
{
	struct nl nl = { 0 };
	struct nl_route r = { .prefix = 0, .dev = LABTOPO_IFNAME };
	char role[24], edge_if[24];
	int fd = -1, rc;

	snprintf(role, sizeof(role), "client%d", i);
	snprintf(edge_if, sizeof(edge_if), "c%d", i);
	rc = labtopo_make_ns(lab, role, LABTOPO_HOST, &fd, &nl, err, errlen);
	if (rc < 0)
		goto out;
	rc = labtopo_uplink(edge, edge_if, LABTOPO_INET_BRIDGE, fd, &nl, err, errlen);
	if (rc < 0)
		goto out;
	rc = nl_addr_add(&nl, LABTOPO_IFNAME, lab_client_addr(i), LAB_INET_PREFIX, err, errlen);
	if (rc < 0)
		goto out;
	inet_pton(AF_INET, LAB_INET_GATEWAY, &r.gateway);
	rc = nl_route_add(&nl, &r, err, errlen);
out:
	nl_close(&nl);
	if (fd >= 0)
		close(fd);
	return rc;
}

int labtopo_build(const char *lab, int nodes, int clients, char *err, size_t errlen)
{
	struct nl edge = { 0 }, ctl = { 0 };
	struct labtopo_nft nft = { err, errlen };
	struct in_addr a;
	int edge_fd = -1, ctl_fd = -1, rc;

	err[0] = '\0';
	rc = labtopo_make_ns(lab, "edge", LABTOPO_EDGE, &edge_fd, &edge, err, errlen);
	if (rc < 0)
		goto out;
	rc = labtopo_make_ns(lab, "control", LABTOPO_HOST, &ctl_fd, &ctl, err, errlen);
	if (rc < 0)
		goto out;
	inet_pton(AF_INET, LAB_INET_GATEWAY, &a);
	if ((rc = nl_bridge_add(&edge, LABTOPO_INET_BRIDGE, NULL, err, errlen)) < 0 ||
	    (rc = labtopo_addr_up(&edge, LABTOPO_INET_BRIDGE, a, LAB_INET_PREFIX, err, errlen)) < 0)
		goto out;
	inet_pton(AF_INET, LAB_VNET_GATEWAY, &a);
	if ((rc = nl_bridge_add(&edge, LABTOPO_VNET_BRIDGE, NULL, err, errlen)) < 0 ||
	    (rc = labtopo_addr_up(&edge, LABTOPO_VNET_BRIDGE, a, LAB_VNET_PREFIX, err, errlen)) < 0)
		goto out;
	/* clientip-gateway's frontend, and its own subnet towards the pods. */
	inet_pton(AF_INET, LAB_GATEWAY_IP, &a);
	if ((rc = nl_addr_add(&edge, LABTOPO_INET_BRIDGE, a, 32, err, errlen)) < 0)
		goto out;
	inet_pton(AF_INET, LAB_GATEWAY_SOURCE_IP, &a);
	if ((rc = nl_addr_add(&edge, LABTOPO_VNET_BRIDGE, a, LAB_GATEWAY_PREFIX, err, errlen)) < 0)
		goto out;
	/* The filter goes in before any client is linked: there is never a
	 * moment when the internet side reaches the VNet. */
	rc = netns_run(edge_fd, labtopo_nft_here, &nft);
	if (rc < 0) {
		if (!*err)
			snprintf(err, errlen, "enter the edge namespace: %s", strerror(-rc));
		goto out;
	}
	for (int i = 0; i < nodes; i++) {
		rc = labtopo_node(lab, i, nodes, &edge, err, errlen);
		if (rc < 0)
			goto out;
	}
	/* The VNet's route table under kubenet: each node's pod CIDR via the
	 * node, so the gateway reaches pods by their own addresses. */
	for (int i = 0; i < nodes; i++) {
		struct nl_route pr = { .prefix = LAB_POD_PREFIX, .dev = LABTOPO_VNET_BRIDGE };

		pr.dst = lab_node_pod_subnet(i);
		pr.gateway = lab_node_addr(i);
		rc = nl_route_add(&edge, &pr, err, errlen);
		if (rc < 0)
			goto out;
	}
	for (int i = 0; i < clients; i++) {
		rc = labtopo_client(lab, i, &edge, err, errlen);
		if (rc < 0)
			goto out;
	}
out:
	nl_close(&ctl);
	nl_close(&edge);
	if (ctl_fd >= 0)
		close(ctl_fd);
	if (edge_fd >= 0)
		close(edge_fd);
	return rc;
}

int labtopo_namespaces(const char *lab, char ***names)
{
	char prefix[64];
	int n, kept = 0;

	snprintf(prefix, sizeof(prefix), "cip-%s-", lab);
	n = netns_list(prefix, names);
	if (n <= 0)
		return n;
	/* The prefix alone is enough to tell "t1" from "t12" (lab names have
	 * no '-'); the role check also leaves alone anything that merely
	 * looks like ours. */
	for (int i = 0; i < n; i++) {
		if (lab_netns_belongs(lab, (*names)[i]))
			(*names)[kept++] = (*names)[i];
		else
			free((*names)[i]);
	}
	return kept;
}

static void labtopo_reap(void)
{
	/* Daemons this very process started (a failed lab up) are its
	 * children: reap them so they stop counting as alive. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* The processes in any of the named namespaces now. */
static int labtopo_scan(char **names, int n, pid_t **pids)
{
	struct netns_id *ids = calloc((size_t)n + 1, sizeof(*ids));
	size_t nids = 0;
	int rc;

	*pids = NULL;
	if (!ids)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		if (netns_id_of(names[i], &ids[nids]) == 0)
			nids++;
	}
	rc = nids ? netns_pids(ids, nids, pids) : 0;
	free(ids);
	return rc;
}

static void labtopo_signal(const pid_t *pids, int n, int sig)
{
	for (int i = 0; i < n; i++)
		kill(pids[i], sig);
}

/* SIGTERM everything in the namespaces, wait up to term_ms, then SIGKILL
 * what is left (re-scanning each time, so processes forked meanwhile, such
 * as a pod an agent restarted, are caught too). 0, or -EBUSY if processes
 * survive SIGKILL for seconds. */
static int labtopo_kill(char **names, int n, int term_ms)
{
	static const struct timespec tick = { 0, 20 * 1000 * 1000 };
	long long deadline;
	pid_t *pids = NULL;
	int np, rc = 0;
	bool killing = false;

	np = labtopo_scan(names, n, &pids);
	if (np <= 0)
		return np;
	log_debug("stopping %d processes", np);
	labtopo_signal(pids, np, SIGTERM);
	/* A stopped process (`lab kill --signal STOP`) handles SIGTERM only
	 * once it runs again. */
	labtopo_signal(pids, np, SIGCONT);
	deadline = (long long)ev_now_ms() + term_ms;
	for (;;) {
		free(pids);
		labtopo_reap();
		np = labtopo_scan(names, n, &pids);
		if (np <= 0) {
			rc = np;
			break;
		}
		if ((long long)ev_now_ms() >= deadline) {
			if (killing) {
				rc = -EBUSY;
				break;
			}
			killing = true;
			deadline = (long long)ev_now_ms() + 5000;
		}
		if (killing)
			labtopo_signal(pids, np, SIGKILL);
		nanosleep(&tick, NULL);
	}
	free(pids);
	return rc;
}

int labtopo_teardown(const char *lab, int term_ms, char *err, size_t errlen)
{
	char statedir[LAB_PATH_MAX];
	char **names = NULL;
	int n = 0, rc = 0;
	bool clean = false;

	/* A process killed in one round may have created a namespace after
	 * the listing (an agent attaching a pod): go round until none is left. */
	for (int round = 0; round < 10 && !clean; round++) {
		n = labtopo_namespaces(lab, &names);
		if (n < 0) {
			snprintf(err, errlen, "list %s: %s", NETNS_RUN_DIR, strerror(-n));
			return n;
		}
		if (n == 0) {
			clean = true;
			break;
		}
		rc = labtopo_kill(names, n, term_ms);
		if (rc < 0) {
			snprintf(err, errlen, "processes in lab %s survive SIGKILL: %s", lab,
				 strerror(-rc));
			goto out;
		}
		for (int i = 0; i < n; i++) {
			int drc = netns_delete(names[i]);

			if (drc < 0 && drc != -ENOENT) {
				snprintf(err, errlen, "delete namespace %s: %s", names[i],
					 strerror(-drc));
				rc = drc;
				goto out;
			}
			log_debug("deleted namespace %s", names[i]);
		}
		netns_names_free(names, n);
		names = NULL;
		n = 0;
	}
	if (!clean) {
		snprintf(err, errlen, "namespaces of lab %s keep coming back", lab);
		rc = -EBUSY;
		goto out;
	}
	lab_state_dir(lab, statedir, sizeof(statedir));
	rc = fs_remove_tree(statedir);
	if (rc < 0)
		snprintf(err, errlen, "remove %s: %s", statedir, strerror(-rc));
out:
	netns_names_free(names, n);
	return rc;
}
