/* proxy.h — kube-proxy's role on a node (nftables mode).
 *
 * Lists and watches Services and EndpointSlices through the lab's API
 * server (<statedir>/apiserver.sock), programs this node's
 * nftables ruleset in one atomic batch per sync, serves the health check
 * node ports of LoadBalancer Services with externalTrafficPolicy Local and
 * the proxy's own /healthz and /livez on port 10256, and its metrics on
 * port 10249 (also written to <statedir>/status/nodes/<node>.metrics after
 * every sync). agent/README.md, "Service proxy", has the details.
 *
 * $CLIENTIP_PROXY_LAYOUT (auto, kube-proxy, compact) forces a ruleset
 * layout; the default, auto, is kube-proxy's below a few thousand
 * endpoint chains (proxy_rules.h). $CLIENTIP_PROXY_SYNC_PERIOD_S (1-3600,
 * default 30) is kube-proxy's --sync-period.
 */
#ifndef CLIENTIP_PROXY_H
#define CLIENTIP_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "ev.h"

struct proxy;

struct proxy *proxy_new(struct ev_loop *loop, const struct agent_config *cfg,
			char *err, size_t errlen);
/* Lists Services and EndpointSlices, then watches them: each change
 * syncs a moment later, and a sync runs every PROXY_TICK_MS regardless
 * (it builds only when something changed or the sync period is up). */
void proxy_start(struct proxy *p);
/* Syncs the ruleset and health servers with what the API server said
 * last. */
void proxy_sync(struct proxy *p);
/* Closes servers; leaves the ruleset in place so established and new
 * connections keep working while the agent restarts, as kube-proxy does. */
void proxy_free(struct proxy *p);

/* kube-proxy's rule: true from start-up on, false once a change has
 * waited more than twice the sync period without being programmed (what
 * /healthz and the health check node ports' serviceProxyHealthy report). */
bool proxy_healthy(const struct proxy *p);

#endif
