/* lb_alloc.h — frontend IPs for LoadBalancer Services.
 *
 * The pool is 203.0.113.0/24. A Service keeps the frontend it already has
 * (its status file is the record, so a restarted load balancer hands out
 * the same addresses); spec.loadBalancerIP is honoured when it lies in the
 * pool and nobody holds it; everything else gets the lowest free address
 * from .LB_FRONTEND_FIRST up. A Service that cannot get an address stays
 * pending with a message saying why, as a cloud controller's event would.
 *
 * The function is pure: the daemon feeds it every LoadBalancer Service at
 * once, in a stable order (namespace, then name), and publishes the result.
 */
#ifndef CLIENTIP_LB_ALLOC_H
#define CLIENTIP_LB_ALLOC_H

#include <netinet/in.h>
#include <stdbool.h>

#include "lb_conf.h"

struct lb_alloc {
	/* in */
	const char *ns, *name;
	struct in_addr requested;      /* spec.loadBalancerIP, 0 if unset */
	struct in_addr current;        /* the frontend it holds now, 0 if none */
	/* out */
	struct in_addr ip;             /* 0: pending */
	char reason[LB_EVENT_REASON_MAX];
	char message[LB_EVENT_MESSAGE_MAX];
};

/* true for host addresses of 203.0.113.0/24 (.1 to .254). */
bool lb_alloc_in_pool(struct in_addr a);

/* Decides a->ip for all n entries. Returns how many stay pending. */
int lb_alloc_frontends(struct lb_alloc *a, int n);

#endif
