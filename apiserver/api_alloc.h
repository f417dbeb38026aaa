/* api_alloc.h — the ClusterIPs and NodePorts the stored Services hold.
 *
 * A count per address and per node port, with a bitmap of those in use so
 * that the lowest free one is found a 64-bit word at a time; what each
 * Service holds is remembered by "namespace/name", so that a change or a
 * deletion releases exactly what it held. It is filled from the stored
 * Services at start and follows every stored change after
 * (api_admit_service.c hooks it to the storage's watchers), instead of
 * admission scanning all Services on every write. Counts, not bits,
 * because Services that reach storage without admission (the lab's
 * import) may share an address.
 */
#ifndef CLIENTIP_API_ALLOC_H
#define CLIENTIP_API_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define API_CLUSTER_IP_FIRST 0x0a00000au   /* 10.0.0.10 */
#define API_CLUSTER_IP_LAST  0x0a00fffeu   /* 10.0.255.254 */
#define API_CLUSTER_IP_NET   0x0a000000u   /* 10.0.0.0/16 */
#define API_NODE_PORT_FIRST  30000
#define API_NODE_PORT_LAST   32767

struct api_alloc;

/* NULL when out of memory. */
struct api_alloc *api_alloc_new(void);
void api_alloc_free(struct api_alloc *a);

/* The Service key ("namespace/name") now is svc (stored or replaced), or
 * is gone (svc NULL): what it held is released, what svc holds (its
 * spec.clusterIP in 10.0.0.0/16, each spec.ports[].nodePort and
 * spec.healthCheckNodePort in range) is counted. 0, or -1 when out of
 * memory (then the key holds nothing). */
int api_alloc_set(struct api_alloc *a, const char *key, const json_t *svc);

/* Whether a Service other than key holds the address (host order) or the
 * node port; key may be NULL. */
bool api_alloc_ip_used(const struct api_alloc *a, uint32_t ip, const char *key);
bool api_alloc_port_used(const struct api_alloc *a, int port, const char *key);

/* The lowest ClusterIP from API_CLUSTER_IP_FIRST that no Service holds, 0
 * if the range is full. */
uint32_t api_alloc_free_ip(const struct api_alloc *a);
/* The lowest node port no Service holds and not among taken[0..ntaken)
 * (the ones the request being admitted has taken already), 0 if none. */
int api_alloc_free_port(const struct api_alloc *a, const int *taken, size_t ntaken);

#endif
