/* lab_topology.h — builds and removes a lab's network (cli/README.md,
 * "The lab").
 *
 *   cip-<lab>-client<i>        cip-<lab>-edge                      cip-<lab>-node<i>
 *   eth0 198.51.100.(10+i) ── c<i> ─ inet 198.51.100.1/24
 *                                    vnet 10.240.0.1/16 ─ n<i> ── eth0 10.240.0.(4+i)/16
 *                                                                 cbr0 10.244.i.1/24
 *   cip-<lab>-control: lo only (the control plane needs no network)
 *
 * Every link is created from inside a lab namespace, with the far end of a
 * veth created directly in its namespace: the host's own namespace is never
 * touched. Removing the namespaces removes every link, address, route and
 * nftables table with them.
 */
#ifndef CLIENTIP_LAB_TOPOLOGY_H
#define CLIENTIP_LAB_TOPOLOGY_H

#include <stddef.h>

/* The base filter on the edge. The load balancer adds its own tables
 * beside it. */
#define LABTOPO_EDGE_TABLE "edge_filter"

/* Builds lab's namespaces and links for the given counts. Stops at the
 * first failure (the caller tears down what exists). 0 or -errno. */
int labtopo_build(const char *lab, int nodes, int clients, char *err, size_t errlen);

/* The lab's namespaces now in /run/netns, sorted (netns_names_free).
 * The count or -errno. */
int labtopo_namespaces(const char *lab, char ***names);

/* Removes every process, namespace and the state dir of lab, whatever
 * state a crash left them in. Processes get SIGTERM, then SIGKILL after
 * term_ms. Logs progress when verbose. 0 or -errno. */
int labtopo_teardown(const char *lab, int term_ms, char *err, size_t errlen);

#endif
