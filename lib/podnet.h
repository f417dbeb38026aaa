/* podnet.h — a pod's network: its namespace and its link to the node.
 *
 * What kubenet's bridge plugin does for a Kubernetes pod, on a lab node:
 *
 *   node namespace cip-<lab>-node<i>          pod namespace (cip-<lab>-pod-<ns>-<pod>)
 *     cbr0 10.244.i.1/24 ── vethXXXXXXXX ═══ eth0 10.244.i.x/24, default via 10.244.i.1
 *
 * The node agent calls these from inside its node's namespace; they work
 * from any namespace, since every namespace is reached by name. Both calls
 * converge: attach after a crash (namespace there, veth there or not,
 * address right or wrong) ends in the state above, and detach of a pod
 * that is half gone or already gone succeeds.
 */
#ifndef CLIENTIP_PODNET_H
#define CLIENTIP_PODNET_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>

/* The node-side veth name of a pod: "veth" and 8 hex digits of a hash of
 * "<pod_ns>/<pod>" (interface names are limited to 15 characters).
 * buf has at least IF_NAMESIZE bytes. Returns buf. */
char *podnet_veth_name(const char *pod_ns, const char *pod, char *buf, size_t len);

/* Creates (or repairs) the pod namespace pod_netns and its link to node
 * node_index of lab: host_veth on the node's cbr0, eth0 in the pod with
 * ip/24, lo up, default route via the node's cbr0 address. 0 or -errno. */
int podnet_attach(const char *lab, int node_index, const char *pod_netns, struct in_addr ip,
		  const char *host_veth, char *err, size_t errlen);

/* Removes host_veth from the node and the pod namespace. Processes still
 * inside the namespace keep it alive but unnamed and unlinked: stop them
 * first. Missing pieces are not errors. 0 or -errno. */
int podnet_detach(const char *lab, int node_index, const char *pod_netns,
		  const char *host_veth, char *err, size_t errlen);

#endif
