/* lb_alloc.h — frontend IPs for LoadBalancer Services.
 *
 * The pool is 203.0.113.0/24. A Service keeps the frontend it already has
 * (its status file is the record, so a restarted load balancer hands out
 * the same addresses); a requested address (the
 * service.beta.kubernetes.io/azure-load-balancer-ipv4 annotation, else
 * spec.loadBalancerIP, as cloud-provider-azure reads them) is honoured when
 * it lies in the pool and no Service holding it uses one of the same ports:
 * as on Azure, Services may share a frontend IP on different ports, each
 * with its own rules. Everything else gets the lowest address nobody holds
 * from .LB_FRONTEND_FIRST up (a public IP of its own). A Service that cannot
 * get an address stays pending with a message saying why, as a cloud
 * controller's event would.
 *
 * The function is pure: the daemon feeds it every LoadBalancer Service at
 * once, in a stable order (namespace, then name), and publishes the result.
 */
#ifndef CLIENTIP_LB_ALLOC_H
#define CLIENTIP_LB_ALLOC_H

#include <netinet/in.h>
#include <stdbool.h>

#include "lb_conf.h"
#include "model.h"

/* A frontend port of a Service: what two Services sharing an address must
 * not both use. */
struct lb_alloc_port {
	int proto;                     /* enum model_proto */
	int port;
};

struct lb_alloc {
	/* in */
	const char *ns, *name;
	struct in_addr requested;      /* annotation or spec.loadBalancerIP, 0 if unset */
	const char *request_error;     /* non-NULL: the request is unreadable, say this */
	struct lb_alloc_port ports[MODEL_MAX_PORTS];
	int n_ports;
	struct in_addr current;        /* the frontend it holds now, 0 if none */
	/* out */
	struct in_addr ip;             /* 0: pending */
	char reason[LB_EVENT_REASON_MAX];
	char message[LB_EVENT_MESSAGE_MAX];
};

/* true for host addresses of 203.0.113.0/24 (.1 to .254). */
bool lb_alloc_in_pool(struct in_addr a);

/* The address a Service asks for: the azure-load-balancer-ipv4 annotation
 * wins over spec.loadBalancerIP. 0 (out set, 0 if neither), or -1 with a
 * message in err for an annotation that is no IPv4 address. */
#define LB_ALLOC_IPV4_ANNOTATION "service.beta.kubernetes.io/azure-load-balancer-ipv4"
int lb_alloc_requested(const struct model_service *s, struct in_addr *out, char *err,
		       size_t errlen);

/* Decides a->ip for all n entries. Returns how many stay pending. */
int lb_alloc_frontends(struct lb_alloc *a, int n);

#endif
