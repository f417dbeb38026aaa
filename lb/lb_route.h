/* lb_route.h — policy routing on the edge: one routing table per node.
 *
 * Floating IP means the packet keeps the frontend IP as its destination,
 * so the edge cannot route it by destination to the node it chose. The
 * choice travels as the firewall mark (lb.h); for node i there is
 *
 *   ip rule  fwmark LB_MARK_BASE|(i+1) lookup LB_RT_TABLE_BASE+i  (priority LB_RULE_PRIO_BASE+i)
 *   ip route default via 10.240.0.(4+i) dev vnet table LB_RT_TABLE_BASE+i
 *
 * plus, in the main table, 203.0.113.0/24 dev vnet: the edge's own
 * connections to a frontend (the data path check) need a route before the
 * output hook can mark them, and replies from a floating-IP backend come
 * from a frontend address on vnet, which strict reverse-path filtering
 * accepts only if vnet is the way back to it.
 *
 * Everything is added through lib/nl (netlink), idempotently, and left in
 * place on exit: established flows keep being steered while the daemon
 * restarts.
 */
#ifndef CLIENTIP_LB_ROUTE_H
#define CLIENTIP_LB_ROUTE_H

#include <stddef.h>

#include "nl.h"

/* Installs rules and routes for nodes 0 .. n_nodes-1. 0 or -errno. */
int lb_route_setup(struct nl *nl, int n_nodes, char *err, size_t errlen);

#endif
