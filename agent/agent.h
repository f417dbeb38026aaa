/* agent.h — what the node agent's parts share.
 *
 * clientip-agent runs inside one node's namespace (cip-<lab>-node<i>) and
 * plays two Kubernetes roles there: kubelet (kubelet.h: pods as processes
 * in their own namespaces) and kube-proxy (proxy.h: Services on nftables,
 * health check node ports). agent_main.c owns the event loop and calls
 * both whenever the lab's state changes.
 */
#ifndef CLIENTIP_AGENT_H
#define CLIENTIP_AGENT_H

#include <netinet/in.h>

#include "lab.h"

struct agent_config {
	char lab[LAB_NAME_MAX + 1];
	char statedir[LAB_PATH_MAX];
	char bindir[LAB_PATH_MAX];     /* where clientip-echo and friends live */
	char node[16];                 /* "node<i>" */
	int node_index;
	struct in_addr node_addr;      /* 10.240.0.(4+i) */
	struct in_addr pod_gateway;    /* 10.244.i.1, cbr0 */
};

#endif
