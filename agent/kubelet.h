/* kubelet.h — kubelet's role on a node: the node's pods as processes.
 *
 * Each pod bound to this node (spec.nodeName, listed and watched on the
 * lab's API server with a field selector, as kubelet does) gets a network
 * namespace attached to cbr0 and a process chosen from the image table;
 * readiness probes, restarts with back-off and graceful termination are
 * reported in status/pods/. Pods outlive an agent restart: a new agent
 * adopts the running processes instead of restarting them. The node
 * registers its Node with the lab's API server and renews its Lease from
 * here too, every KUBELET_HEARTBEAT_MS. agent/README.md "Pods (kubelet role)" and
 * docs/IMAGES.md describe the behaviour.
 */
#ifndef CLIENTIP_KUBELET_H
#define CLIENTIP_KUBELET_H

#include <stddef.h>

#include "agent.h"
#include "ev.h"

#define KUBELET_HEARTBEAT_MS 2000

struct kubelet;

struct kubelet *kubelet_new(struct ev_loop *loop, const struct agent_config *cfg,
			    char *err, size_t errlen);
/* Lists and watches this node's pods on the lab's API server; every change
 * converges (kubelet_sync). */
void kubelet_start(struct kubelet *k);
/* Converges processes to this node's pods as the API server last said. */
void kubelet_sync(struct kubelet *k);
/* Leaves pods running (a restarted agent adopts them). */
void kubelet_free(struct kubelet *k);

#endif
