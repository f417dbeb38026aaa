/* lb.h — constants every part of clientip-lb agrees on.
 *
 * clientip-lb plays Azure Load Balancer and the part of cloud-provider-azure
 * that configures it, inside a lab's edge namespace (cip-<lab>-edge). The
 * pieces and where they live:
 *
 *   lb_conf    a Service's annotations -> probe, distribution, floating IP
 *   lb_alloc   frontend IPs from 203.0.113.0/24
 *   lb_nft     the `table ip azure-lb` ruleset (text, apply, counters)
 *   lb_route   one policy-routing table per node (netlink)
 *   lb_probe   health state machine and the non-blocking probe engine
 *   lb_series  1 s / 1 min ring buffers of the metrics
 *   lb_state   the per-Service state file the CLI reads
 *   lb_svg     the Health Probe Status chart
 *   lb_metrics samples, state files and Prometheus text
 *   lb_api     Services listed and watched through the lab's API server; status
 *              and Events written back
 *   lb_daemon  the daemon: its context and loop (its parts, lb_reconcile,
 *              lb_health, lb_report and lb_apply: reconcile Services,
 *              probe nodes, report status and Events, react to probe
 *              results; see lb_daemon_int.h)
 *
 * Packets of a load-balanced flow carry a firewall mark naming the backend
 * node: LB_MARK_BASE | (node index + 1). The mark is chosen once per flow,
 * stored in the flow's conntrack entry (ct mark) and copied to every packet
 * of the flow, so a flow stays on its node whatever happens to probes later.
 */
#ifndef CLIENTIP_LB_H
#define CLIENTIP_LB_H

#include <stdint.h>

#include "lab.h"

#define LB_TABLE          "azure-lb"
#define LB_MARK_BASE      LAB_LB_MARK_BASE
#define LB_MARK_MASK      LAB_LB_MARK_MASK
/* Routing table and rule priority of node i: base + i. Rule priorities
 * below 32766 are consulted before the main table. */
#define LB_RT_TABLE_BASE  4200u
#define LB_RULE_PRIO_BASE 4200u
/* The jhash seed is fixed so a restarted daemon distributes new flows the
 * same way as before. */
#define LB_HASH_SEED      0x00c1e4f7u
/* Automatic frontends start at .10 (.1-.9 stay free for hand-picked
 * loadBalancerIPs, as a cloud keeps a few addresses of a range). */
#define LB_FRONTEND_FIRST 10
#define LB_MAX_BACKENDS   LAB_MAX_NODES
/* The lab's VNet bridge in the edge namespace: every node is behind it. */
#define LB_VNET_DEV       "vnet"

static inline uint32_t lb_node_mark(int node)
{
	return LB_MARK_BASE | (uint32_t)(node + 1);
}

#endif
