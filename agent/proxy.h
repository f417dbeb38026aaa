/* proxy.h — kube-proxy's role on a node (nftables mode).
 *
 * Reads Services and Endpoints from the store, programs this node's
 * nftables ruleset in one atomic batch per sync, serves the health check
 * node ports of LoadBalancer Services with externalTrafficPolicy Local and
 * the proxy's own /healthz and /livez on port 10256.
 */
#ifndef CLIENTIP_PROXY_H
#define CLIENTIP_PROXY_H

#include <stddef.h>

#include "agent.h"
#include "ev.h"

struct proxy;

struct proxy *proxy_new(struct ev_loop *loop, const struct agent_config *cfg,
			char *err, size_t errlen);
/* Re-reads Services and Endpoints and syncs the ruleset and health servers. */
void proxy_sync(struct proxy *p);
/* Closes servers; leaves the ruleset in place so established and new
 * connections keep working while the agent restarts, as kube-proxy does. */
void proxy_free(struct proxy *p);

#endif
