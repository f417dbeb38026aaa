/* gw_route.h — Ingress rules to routes, and the backends of a route.
 *
 * Pure functions over API objects (jansson): the gateway's watches hand in
 * every Ingress, Service and EndpointSlice they hold, and get back a table
 * that answers "which Service port serves this host and path" and "which
 * pod addresses serve that Service port". Application Gateway's ingress
 * controller merges all Ingresses of its class into one gateway the same
 * way: one listener, rules from every Ingress.
 *
 * Matching, as the Ingress API defines it:
 *   host   a rule's host is exact ("a.example") or a wildcard of one label
 *          ("*.example" matches "b.example", not "example" nor "c.b.example");
 *          a rule without host matches every host. Compared without case,
 *          the request's port stripped.
 *   path   Exact: the whole path; Prefix: by elements split on '/' ("/a"
 *          matches "/a", "/a/" and "/a/b", not "/ab"; a trailing '/' of the
 *          rule's path is ignored); ImplementationSpecific is read as Prefix.
 * Precedence: an exact host over a wildcard over no host, then the longest
 * path, then Exact over Prefix, then the order of Ingresses by namespace and
 * name. Nothing matches: the first Ingress's defaultBackend, else 404.
 */
#ifndef CLIENTIP_GW_ROUTE_H
#define CLIENTIP_GW_ROUTE_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

/* The class this gateway serves (spec.ingressClassName), and the older
 * annotation Application Gateway's controller also honours. */
#define GW_INGRESS_CLASS            "azure-application-gateway"
#define GW_INGRESS_CLASS_ANNOTATION "kubernetes.io/ingress.class"
#define GW_INGRESS_CLASS_LEGACY     "azure/application-gateway"

#define GW_NAME_MAX 254
#define GW_PATH_MAX 1024

enum gw_path_type { GW_PATH_PREFIX, GW_PATH_EXACT };

/* A Service port an Ingress names: by number, or by name (number 0). */
struct gw_backend {
	char ns[64];
	char service[GW_NAME_MAX];
	int port_number;
	char port_name[64];
};

struct gw_rule {
	char host[GW_NAME_MAX];       /* "" all hosts; "*.a.example" a wildcard */
	char path[GW_PATH_MAX];       /* without a trailing '/' ("" for "/") */
	enum gw_path_type type;
	struct gw_backend backend;
	char ingress[GW_NAME_MAX + 64];  /* "ns/name", for logs */
};

struct gw_routes {
	struct gw_rule *rules;
	size_t n;
	bool has_default;
	struct gw_backend default_backend;
};

/* true if an Ingress object is of this gateway's class. */
bool gw_route_ours(const json_t *ingress);

/* Builds routes from Ingress objects (a JSON object of any keys, or an
 * array); Ingresses of other classes and rules without a service backend
 * are left out. 0, or -ENOMEM. Free with gw_routes_free. */
int gw_routes_build(const json_t *ingresses, struct gw_routes *out);
void gw_routes_free(struct gw_routes *r);

/* The backend for a request's Host header (may be NULL or carry a port) and
 * path (without the query). NULL when nothing matches and there is no
 * default backend. */
const struct gw_backend *gw_routes_match(const struct gw_routes *r, const char *host,
					 const char *path);

/* One ready endpoint of a backend. */
struct gw_endpoint {
	struct in_addr addr;
	int port;
};

/* The ready endpoints of b: the Service's port (by number or name) gives
 * the port name the EndpointSlices use; every ready endpoint of the
 * Service's slices with a port of that name is listed (IPv4 only, the
 * lab's family), in a stable order. services and slices are JSON objects
 * of objects, keyed by anything. The count (up to max); 0 when the Service,
 * its port or ready endpoints are missing. */
int gw_route_endpoints(const struct gw_backend *b, const json_t *services, const json_t *slices,
		       struct gw_endpoint *out, int max);

#endif
