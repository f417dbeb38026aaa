/* describe_proxy.h — the service proxy's per-node view of a Service, for
 * `clientip describe svc`.
 *
 * The Service's endpoints and the nodes come from the caller (the API
 * server's EndpointSlices and Nodes); the metrics each node's proxy writes
 * after every sync come from the lab's state dir; nothing is sent into the
 * lab. Per node: its local endpoints
 * and their conditions, what its health check node port answers (for a
 * LoadBalancer Service with externalTrafficPolicy Local) and how many
 * packets it dropped for lack of a local endpoint.
 */
#ifndef CLIENTIP_DESCRIBE_PROXY_H
#define CLIENTIP_DESCRIBE_PROXY_H

#include "buf.h"
#include "cli.h"
#include "model.h"

/* Appends a "Service Proxy:" block of tab-separated lines, for a
 * tabwriter (cli/tabwriter.h); `describe svc` calls it. eps:
 * the Service's endpoints, NULL if it has none yet; nodes: the registered
 * Nodes (n of them). A node an endpoint names that is not registered is
 * shown as "no agent"; one whose Ready condition is not True as "agent
 * down"; else the proxy's health as its metrics say. */
void describe_svc_proxy_lines(const struct cli *cli, const struct model_service *svc,
			      const struct model_endpoints *eps,
			      const struct model_node_status *nodes, int n, struct buf *out);

#endif
