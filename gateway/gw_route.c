/* gw_route.c — see gw_route.h. */
#include "gw_route.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *gw_route_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

bool gw_route_ours(const json_t *ing)
{
	const json_t *spec = json_object_get(ing, "spec");
	const json_t *ann = json_object_get(json_object_get(ing, "metadata"), "annotations");

	if (strcmp(gw_route_str(spec, "ingressClassName"), GW_INGRESS_CLASS) == 0)
		return true;
	return strcmp(gw_route_str(ann, GW_INGRESS_CLASS_ANNOTATION), GW_INGRESS_CLASS_LEGACY) == 0;
}

/* A backend of an Ingress: false unless it names a Service and a port. */
static bool gw_route_backend(const json_t *be, const char *ns, struct gw_backend *out)
{
	const json_t *svc = json_object_get(be, "service");
	const json_t *port = json_object_get(svc, "port");
	const char *name = gw_route_str(svc, "name");

	memset(out, 0, sizeof(*out));
	if (!*name || strlen(name) >= sizeof(out->service) || strlen(ns) >= sizeof(out->ns))
		return false;
	snprintf(out->ns, sizeof(out->ns), "%s", ns);
	snprintf(out->service, sizeof(out->service), "%s", name);
	out->port_number = (int)json_integer_value(json_object_get(port, "number"));
	snprintf(out->port_name, sizeof(out->port_name), "%s", gw_route_str(port, "name"));
	return out->port_number > 0 || out->port_name[0];
}

static int gw_route_cmp_ingress(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	const json_t *mx = json_object_get(x, "metadata"), *my = json_object_get(y, "metadata");
	int c = strcmp(gw_route_str(mx, "namespace"), gw_route_str(my, "namespace"));

	return c ? c : strcmp(gw_route_str(mx, "name"), gw_route_str(my, "name"));
}

static int gw_route_add(struct gw_routes *r, size_t *cap, const struct gw_rule *rule)
{
	if (r->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct gw_rule *p = realloc(r->rules, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		r->rules = p;
		*cap = ncap;
	}
	r->rules[r->n++] = *rule;
	return 0;
}

/* The rules of one Ingress. */
static int gw_route_ingress(struct gw_routes *r, size_t *cap, const json_t *ing)
{
	const json_t *meta = json_object_get(ing, "metadata");
	const json_t *spec = json_object_get(ing, "spec"), *rule, *p;
	const char *ns = gw_route_str(meta, "namespace");
	size_t i, j;

	if (!r->has_default && json_object_get(spec, "defaultBackend"))
		r->has_default = gw_route_backend(json_object_get(spec, "defaultBackend"), ns,
						  &r->default_backend);
	json_array_foreach(json_object_get(spec, "rules"), i, rule) {
		const char *host = gw_route_str(rule, "host");

		if (strlen(host) >= GW_NAME_MAX)
			continue;
		json_array_foreach(json_object_get(json_object_get(rule, "http"), "paths"), j, p) {
			struct gw_rule g;
			const char *path = gw_route_str(p, "path");
			size_t len = strlen(path);

			memset(&g, 0, sizeof(g));
			if (!gw_route_backend(json_object_get(p, "backend"), ns, &g.backend) ||
			    len >= sizeof(g.path))
				continue;
			for (size_t k = 0; host[k]; k++)
				g.host[k] = (char)tolower((unsigned char)host[k]);
			g.type = strcmp(gw_route_str(p, "pathType"), "Exact") == 0 ? GW_PATH_EXACT :
			         GW_PATH_PREFIX;
			/* "/a/" and "/a" are one prefix; "" and "/" the root. */
			if (g.type == GW_PATH_PREFIX)
				while (len > 0 && path[len - 1] == '/')
					len--;
			memcpy(g.path, path, len);
			g.path[len] = '\0';
			snprintf(g.ingress, sizeof(g.ingress), "%s/%s", ns,
				 gw_route_str(meta, "name"));
			if (gw_route_add(r, cap, &g) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

int gw_routes_build(const json_t *ingresses, struct gw_routes *out)
{
	size_t n = 0, cap = 0, i;
	const json_t **list = NULL, *v;
	const char *key;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	n = json_is_array(ingresses) ? json_array_size(ingresses) : json_object_size(ingresses);
	if (n == 0)
		return 0;
	list = calloc(n, sizeof(*list));
	if (!list)
		return -ENOMEM;
	n = 0;
	if (json_is_array(ingresses)) {
		json_array_foreach(ingresses, i, v)
			if (gw_route_ours(v))
				list[n++] = v;
	} else {
		json_object_foreach((json_t *)ingresses, key, v)
			if (gw_route_ours(v))
				list[n++] = v;
	}
	/* Stable precedence between Ingresses, whatever order they came in. */
	qsort(list, n, sizeof(*list), gw_route_cmp_ingress);
	for (i = 0; i < n && rc == 0; i++)
		rc = gw_route_ingress(out, &cap, list[i]);
	free(list);
	if (rc < 0)
		gw_routes_free(out);
	return rc;
}

void gw_routes_free(struct gw_routes *r)
{
	free(r->rules);
	memset(r, 0, sizeof(*r));
}

/* 3 an exact host, 2 a wildcard, 1 no host; 0 no match. host is lower
 * case, without its port. */
static int gw_route_host_rank(const char *rule, const char *host)
{
	const char *dot;

	if (!rule[0])
		return 1;
	if (rule[0] != '*')
		return strcmp(rule, host) == 0 ? 3 : 0;
	/* "*.a.example": exactly one more label in front. */
	dot = strchr(host, '.');
	return dot && dot != host && strcmp(dot, rule + 1) == 0 ? 2 : 0;
}

static bool gw_route_path_match(const struct gw_rule *g, const char *path)
{
	size_t len = strlen(g->path);

	if (g->type == GW_PATH_EXACT)
		return strcmp(g->path, path) == 0;
	if (len == 0)
		return true;
	return strncmp(g->path, path, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

const struct gw_backend *gw_routes_match(const struct gw_routes *r, const char *host,
					 const char *path)
{
	char h[GW_NAME_MAX];
	const struct gw_rule *best = NULL;
	int best_rank = 0;
	size_t i, n = 0;

	/* "Host: a.example:8080" and "[::1]:80": the name alone, lower case. */
	if (host && host[0] == '[') {
		const char *end = strchr(host, ']');

		n = end ? (size_t)(end - host) + 1 : strlen(host);
	} else if (host) {
		n = strcspn(host, ":");
	}
	if (n >= sizeof(h))
		n = 0;
	for (i = 0; i < n; i++)
		h[i] = (char)tolower((unsigned char)host[i]);
	h[n] = '\0';
	for (i = 0; i < r->n; i++) {
		const struct gw_rule *g = &r->rules[i];
		int rank = gw_route_host_rank(g->host, h);

		if (!rank || !gw_route_path_match(g, path))
			continue;
		if (!best || rank > best_rank ||
		    (rank == best_rank && strlen(g->path) > strlen(best->path)) ||
		    (rank == best_rank && strlen(g->path) == strlen(best->path) &&
		     g->type == GW_PATH_EXACT && best->type != GW_PATH_EXACT)) {
			best = g;
			best_rank = rank;
		}
	}
	if (best)
		return &best->backend;
	return r->has_default ? &r->default_backend : NULL;
}

/* The name of the Service port b names ("" for an unnamed one); false if
 * the Service or the port does not exist. */
static bool gw_route_port_name(const struct gw_backend *b, const json_t *services,
			       const char **name)
{
	const json_t *svc, *p;
	const char *key;
	size_t i;

	json_object_foreach((json_t *)services, key, svc) {
		const json_t *meta = json_object_get(svc, "metadata");

		if (strcmp(gw_route_str(meta, "namespace"), b->ns) != 0 ||
		    strcmp(gw_route_str(meta, "name"), b->service) != 0)
			continue;
		json_array_foreach(json_object_get(json_object_get(svc, "spec"), "ports"), i, p) {
			const char *pn = gw_route_str(p, "name");

			if ((b->port_number > 0 &&
			     json_integer_value(json_object_get(p, "port")) == b->port_number) ||
			    (b->port_number <= 0 && strcmp(pn, b->port_name) == 0)) {
				*name = pn;
				return true;
			}
		}
		return false;
	}
	return false;
}

static int gw_route_cmp_ep(const void *a, const void *b)
{
	const struct gw_endpoint *x = a, *y = b;
	uint32_t ha = ntohl(x->addr.s_addr), hb = ntohl(y->addr.s_addr);

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return x->port - y->port;
}

int gw_route_endpoints(const struct gw_backend *b, const json_t *services, const json_t *slices,
		       struct gw_endpoint *out, int max)
{
	const char *port_name = NULL, *key;
	const json_t *slice;
	int n = 0;

	if (!gw_route_port_name(b, services, &port_name))
		return 0;
	json_object_foreach((json_t *)slices, key, slice) {
		const json_t *meta = json_object_get(slice, "metadata"), *p, *ep;
		const json_t *labels = json_object_get(meta, "labels");
		int port = 0;
		size_t i;

		if (strcmp(gw_route_str(meta, "namespace"), b->ns) != 0 ||
		    strcmp(gw_route_str(labels, "kubernetes.io/service-name"), b->service) != 0 ||
		    strcmp(gw_route_str(slice, "addressType"), "IPv4") != 0)
			continue;
		json_array_foreach(json_object_get(slice, "ports"), i, p)
			if (strcmp(gw_route_str(p, "name"), port_name) == 0)
				port = (int)json_integer_value(json_object_get(p, "port"));
		if (port <= 0 || port > 65535)
			continue;
		json_array_foreach(json_object_get(slice, "endpoints"), i, ep) {
			const json_t *ready = json_object_get(json_object_get(ep, "conditions"),
							      "ready");
			const char *addr = json_string_value(json_array_get(
				json_object_get(ep, "addresses"), 0));

			/* An unknown readiness is ready, as the API documents. */
			if (json_is_false(ready) || !addr || n >= max)
				continue;
			if (inet_pton(AF_INET, addr, &out[n].addr) != 1)
				continue;
			out[n].port = port;
			n++;
		}
	}
	qsort(out, (size_t)n, sizeof(*out), gw_route_cmp_ep);
	return n;
}
