/* proxy_handover.h — the opt-in hand-over of a Local Service's external
 * traffic.
 *
 * With externalTrafficPolicy Local, kube-proxy drops external traffic on a
 * node that has no endpoint of the Service, and its health check node port
 * answers 503. The load balancer stops sending to the node only after its
 * probe has failed num-of-probe times, so every new flow it sends the node
 * in between is lost: when a Service is switched from Cluster to Local, and
 * when a node's last pod of the Service goes away.
 *
 * A Service annotated `clientip.io/local-handover` asks each such node to
 * keep forwarding that traffic for a window, masqueraded to the other
 * nodes' endpoints as under Cluster, while the health check already
 * answers 503: the load balancer drains the node without a failed
 * connection. The price: the flows that arrive during the window reach the
 * app with the node's address instead of the client's. The value is
 * "true" (the window is the load balancer's probe interval times its
 * num-of-probe, plus one interval, read from the Service's annotations as
 * the load balancer reads them, per port: the longest over the health
 * check node port and the Service's ports) or a number of seconds
 * (1..3600).
 *
 * The window starts when the node is seen without a local endpoint after
 * having had one, or when the Service is first seen Local by this agent
 * (so a restarted agent grants a new window: harmless, as the load
 * balancer has taken the node out already).
 */
#ifndef CLIENTIP_PROXY_HANDOVER_H
#define CLIENTIP_PROXY_HANDOVER_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

#define PROXY_ANN_HANDOVER MODEL_ANN_LOCAL_HANDOVER

struct proxy_handover_entry {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
	bool had_local;         /* a local endpoint at the last decision */
	uint64_t until_ms;      /* end of the window (monotonic), when !had_local */
	bool handing_over;      /* in the window at the last decision */
};

struct proxy_handover {
	struct proxy_handover_entry *v;
	int n, cap;
};

/* The Service's window in milliseconds; 0 if it does not opt in (not a
 * Local LoadBalancer, no annotation, or a value that is neither "true" nor
 * 1..3600). */
uint64_t proxy_handover_window_ms(const struct model_service *svc);

/* Decides, for each of the n Services, whether this node (node: its name)
 * hands its external traffic over now (out[i]); eps holds one object per
 * Service, sorted by namespace and name, as apiwatch_endpoints gives
 * them. Returns the earliest end of a running window (monotonic ms), 0 if
 * none: the caller syncs again then. -1 on OOM (out all false). */
int64_t proxy_handover_decide(struct proxy_handover *h, const char *node,
			      const struct model_service *svcs, int n,
			      const struct model_endpoints *eps, int n_eps, uint64_t now_ms,
			      bool *out);

void proxy_handover_free(struct proxy_handover *h);

#endif
