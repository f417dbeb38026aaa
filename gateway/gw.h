/* gw.h — clientip-gateway: an HTTP reverse proxy at the lab's edge, in the
 * role of Azure Application Gateway with its ingress controller (AGIC).
 *
 *   gw_main      options, entering the edge namespace
 *   gw_api       the API server's Ingresses, Services and EndpointSlices
 *                (list, then watch), rebuilt into routes; Ingress status
 *                written back
 *   gw_route     Ingress rules -> routes, a route -> ready pod endpoints
 *                (pure)
 *   gw_proxy     the data path, the client's side: client connections,
 *                requests parsed by llhttp and rebuilt for the pod
 *   gw_upstream  the data path, the pod's side: one connection to a pod
 *                per request, its response parsed and rebuilt for the
 *                client
 *
 * One thread, one ev loop. The context below is the daemon's only mutable
 * state.
 */
#ifndef CLIENTIP_GW_H
#define CLIENTIP_GW_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "apiclient.h"
#include "ev.h"
#include "gw_route.h"
#include "lab.h"

/* The lab's plan (lab.h) gives the gateway its addresses. */
#define GW_FRONTEND_IP   LAB_GATEWAY_IP
#define GW_FRONTEND_PORT LAB_GATEWAY_PORT
#define GW_SUBNET        LAB_GATEWAY_SUBNET
#define GW_SOURCE_IP     LAB_GATEWAY_SOURCE_IP

/* The kinds the gateway watches. */
enum gw_kind_id { GW_INGRESSES, GW_SERVICES, GW_SLICES, GW_NKINDS };

struct gw;
struct apiwatch;

/* One watched kind: its objects by "ns/name" are the watch's cache (objs
 * stands in for it where there is no watch: the unit tests' fixtures). */
struct gw_kind {
	struct apiwatch *w;
	json_t *objs;
};

struct gw_conn;

struct gw {
	struct ev_loop *loop;
	char lab[LAB_NAME_MAX + 1];
	char sock_path[LAB_PATH_MAX];
	struct sockaddr_in listen_addr;
	struct in_addr source;        /* backend connections' source address */
	int lfd;
	struct acceptor *acceptor;    /* takes lfd's connections */
	struct gw_conn *conns;
	int n_conns;
	struct apiclient *api;
	struct gw_kind kinds[GW_NKINDS];
	struct gw_routes routes;
	json_t *rr;                   /* round-robin position per backend */
	uint64_t rebuild_timer;
	uint64_t requests;
	uint64_t trace_seed;          /* random at start: trace ids differ across restarts */
};

/* gw_api.c */
/* Lists and watches every kind; changes rebuild the routes. 0 or -1. */
int gw_api_start(struct gw *gw, char *err, size_t errlen);
/* The objects of a kind, by "ns/name" (borrowed: valid until the next
 * return to the loop). */
const json_t *gw_objects(const struct gw *gw, enum gw_kind_id kind);
void gw_api_stop(struct gw *gw);

/* gw_proxy.c */
/* Opens the listener on gw->listen_addr and serves. 0 or -1. */
int gw_proxy_start(struct gw *gw, char *err, size_t errlen);
void gw_proxy_stop(struct gw *gw);

#endif
