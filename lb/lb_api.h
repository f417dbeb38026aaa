/* lb_api.h — the load balancer as a client of the lab's API server.
 *
 * Services come from a list and a watch from the list's resourceVersion
 * (lib/apiwatch.h): a cache of the Services as the server has them, kept
 * as it was while the server does not answer (and with it the data path).
 *
 * What the load balancer says goes back the same way: a Service's
 * status.loadBalancer.ingress through services/NAME/status, and its
 * reports as core/v1 Events on the Service.
 */
#ifndef CLIENTIP_LB_API_H
#define CLIENTIP_LB_API_H

#include <netinet/in.h>
#include <stdbool.h>

#include "ev.h"
#include "model.h"

#define LB_API_RETRY_MS   1000
/* Per request: a frozen server holds the loop for at most this long. */
#define LB_API_TIMEOUT_MS 1000

struct lb_api;

/* on_change runs (from the loop) after the cache changed (apiwatch.h). */
typedef void lb_api_change_cb(bool relisted, void *data);

/* Nothing is sent yet. NULL on OOM. */
struct lb_api *lb_api_new(struct ev_loop *loop, const char *socket_path,
			  lb_api_change_cb *on_change, void *data);
void lb_api_free(struct lb_api *a);
/* Lists, then watches; on failure retries on its own. */
void lb_api_start(struct lb_api *a);
/* True once a list succeeded: the cache is the server's. */
bool lb_api_synced(const struct lb_api *a);

/* The cached Services (status ingress in ingress_ip), sorted by namespace
 * and name: a malloc'd array (free() it). 0, or -1 with err. */
int lb_api_services(const struct lb_api *a, struct model_service **out, int *n, char *err,
		    size_t errlen);

/* Sets status.loadBalancer.ingress of ns/name to ip (0: none). 0, or -1
 * (logged) when the server did not take it. */
int lb_api_put_status(struct lb_api *a, const char *ns, const char *name, struct in_addr ip);
/* Records an Event on the Service: type "Normal" or "Warning", component
 * the reporting one ("clientip-lb", or "service-controller" for what
 * Kubernetes' service controller reports). 0 or -1 (logged). */
int lb_api_event(struct lb_api *a, const struct model_meta *svc, const char *type,
		 const char *reason, const char *message, const char *component);

#endif
