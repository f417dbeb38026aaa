/* ctl_endpoints.c — a Service's endpoints, EndpointSlice-style. */
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

int ctl_target_port(const struct model_service_port *sp, const struct model_pod_spec *spec)
{
	if (sp->target_port > 0)
		return sp->target_port;
	if (!sp->target_port_name[0])
		return sp->port;
	/* As FindPort: the first container port with that name and protocol. */
	for (int c = 0; c < spec->n_containers; c++) {
		const struct model_container *ct = &spec->containers[c];

		for (int p = 0; p < ct->n_ports; p++)
			if (ct->ports[p].proto == sp->proto &&
			    strcmp(ct->ports[p].name, sp->target_port_name) == 0)
				return ct->ports[p].port;
	}
	return 0;
}

static int ctl_endpoint_cmp(const void *a, const void *b)
{
	const struct model_endpoint *x = a, *y = b;
	uint32_t ax = ntohl(x->addr.s_addr), ay = ntohl(y->addr.s_addr);

	if (ax != ay)
		return ax < ay ? -1 : 1;
	return strcmp(x->pod, y->pod);
}

int ctl_endpoints_build(const struct model_service *svc, const struct model_pod *const *pods,
			const struct model_pod_status *const *status, int n,
			struct model_endpoints *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->ns, svc->meta.ns, sizeof(out->ns));
	memcpy(out->name, svc->meta.name, sizeof(out->name));
	out->n_ports = svc->n_ports > MODEL_MAX_PORTS ? MODEL_MAX_PORTS : svc->n_ports;
	for (int j = 0; j < out->n_ports; j++) {
		memcpy(out->ports[j].name, svc->ports[j].name, sizeof(out->ports[j].name));
		out->ports[j].proto = svc->ports[j].proto;
	}
	out->items = calloc(n > 0 ? (size_t)n : 1, sizeof(*out->items));
	if (!out->items)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const struct model_pod *p = pods[i];
		const struct model_pod_status *st = status ? status[i] : NULL;
		struct model_endpoint *ep;
		bool ready = st && st->ready;

		if (strcmp(p->meta.ns, svc->meta.ns) != 0 || !p->ip.s_addr ||
		    !model_selector_matches(&svc->selector, &p->meta.labels))
			continue;
		/* Its process is gone; the pod object only waits for removal. */
		if (st && st->terminated)
			continue;
		ep = &out->items[out->n++];
		ep->addr = p->ip;
		memcpy(ep->node, p->node, sizeof(ep->node));
		memcpy(ep->pod, p->meta.name, sizeof(ep->pod));
		/* KEP-1672: a terminating pod that still passes readiness keeps
		 * serving, so proxies can fall back to it. */
		ep->terminating = p->meta.deleting[0] != '\0';
		ep->serving = ready;
		ep->ready = ready && !ep->terminating;
		for (int j = 0; j < out->n_ports; j++)
			ep->ports[j] = ctl_target_port(&svc->ports[j], &p->spec);
	}
	qsort(out->items, (size_t)out->n, sizeof(*out->items), ctl_endpoint_cmp);
	return 0;
}

/* ---- as API objects ------------------------------------------------------ */

/* Endpoints a and b resolve the Service's ports alike. */
static bool ctl_same_ports(const struct model_endpoints *e, const struct model_endpoint *a,
			   const struct model_endpoint *b)
{
	for (int j = 0; j < e->n_ports && j < MODEL_MAX_PORTS; j++)
		if (a->ports[j] != b->ports[j])
			return false;
	return true;
}

/* Whether endpoint k is in g's group (it resolves the ports as g does)
 * and not yet taken by an earlier one; takes it if so. */
static bool ctl_take(const struct model_endpoints *e, const struct model_endpoint *g, bool *done,
		     int k)
{
	if (done[k] || !ctl_same_ports(e, g, &e->items[k]))
		return false;
	done[k] = true;
	return true;
}

/* The ports one group resolves: {name, port, protocol} for each Service
 * port the group's pods have (a named targetPort a pod lacks is left out,
 * as the EndpointSlice controller leaves it out). */
static json_t *ctl_group_ports(const struct model_endpoints *e, const struct model_endpoint *g)
{
	json_t *ports = json_array();

	for (int j = 0; g && j < e->n_ports && j < MODEL_MAX_PORTS; j++)
		if (g->ports[j] > 0)
			json_array_append_new(ports, json_pack("{s:s, s:i, s:s}", "name",
							       e->ports[j].name, "port", g->ports[j],
							       "protocol",
							       model_proto_name(e->ports[j].proto)));
	return ports;
}

/* The name of the slice of one port set: the Service's name, cut as
 * generateName cuts it, and five characters of CTL_ALPHABET picked by a
 * hash of the ports, so the same set keeps its slice from pass to pass. */
static void ctl_slice_name(const struct model_service *svc, const json_t *ports,
			   char out[MODEL_NAME_MAX])
{
	char *text = json_dumps(ports, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, text ? text : "", text ? strlen(text) : 0);
	unsigned char rnd[CTL_SUFFIX_LEN];

	free(text);
	for (int i = 0; i < CTL_SUFFIX_LEN; i++)
		rnd[i] = (unsigned char)(h >> (8 * i));
	ctl_pod_name(svc->meta.name, NULL, rnd, out);
}

/* An endpoint's node and pod, as both kinds name them: nodeName and a
 * targetRef to the Pod, each when known. Returns x. */
static json_t *ctl_endpoint_refs(json_t *x, const struct model_endpoints *e,
				 const struct model_endpoint *ep)
{
	if (ep->node[0])
		json_object_set_new(x, "nodeName", json_string(ep->node));
	if (ep->pod[0])
		json_object_set_new(x, "targetRef", json_pack("{s:s, s:s, s:s}", "kind", "Pod",
							      "namespace", e->ns, "name", ep->pod));
	return x;
}

static json_t *ctl_labels(const struct model_map *m)
{
	json_t *o = json_object();

	for (int i = 0; i < m->n; i++)
		json_object_set_new(o, m->items[i].key, json_string(m->items[i].value));
	return o;
}

json_t *ctl_endpoint_slices(const struct model_service *svc, const struct model_endpoints *e)
{
	json_t *out = json_object();
	bool *done = calloc((size_t)e->n + 1, sizeof(*done));

	if (!out || !done) {
		json_decref(out);
		free(done);
		return NULL;
	}
	/* Each distinct port set is a slice; a Service without endpoints
	 * keeps one empty slice, as Kubernetes' placeholder. */
	for (int i = 0; i < e->n || (i == 0 && e->n == 0); i++) {
		const struct model_endpoint *g = e->n ? &e->items[i] : NULL;
		json_t *eps, *slice, *labels;
		char name[MODEL_NAME_MAX];

		if (g && done[i])
			continue;
		eps = json_array();
		for (int k = i; g && k < e->n; k++) {
			const struct model_endpoint *ep = &e->items[k];
			char ip[INET_ADDRSTRLEN];
			json_t *x;

			if (!ctl_take(e, g, done, k))
				continue;
			inet_ntop(AF_INET, &ep->addr, ip, sizeof(ip));
			x = json_pack("{s:[s], s:{s:b, s:b, s:b}}", "addresses", ip, "conditions",
				      "ready", ep->ready, "serving", ep->serving, "terminating",
				      ep->terminating);
			json_array_append_new(eps, ctl_endpoint_refs(x, e, ep));
		}
		labels = ctl_labels(&svc->meta.labels);
		json_object_set_new(labels, "kubernetes.io/service-name", json_string(svc->meta.name));
		json_object_set_new(labels, "endpointslice.kubernetes.io/managed-by",
				    json_string(CTL_ENDPOINTS_MANAGER));
		slice = json_pack("{s:s, s:s, s:{s:s, s:o, s:[{s:s, s:s, s:s, s:s, s:b, s:b}]}, "
				  "s:s, s:o, s:o}",
				  "apiVersion", "discovery.k8s.io/v1", "kind", "EndpointSlice",
				  "metadata", "namespace", svc->meta.ns, "labels", labels,
				  "ownerReferences", "apiVersion", "v1", "kind", "Service", "name",
				  svc->meta.name, "uid", svc->meta.uid, "controller", 1,
				  "blockOwnerDeletion", 1,
				  "addressType", "IPv4", "endpoints", eps, "ports",
				  ctl_group_ports(e, g));
		if (!slice) {
			free(done);
			json_decref(out);
			return NULL;
		}
		ctl_slice_name(svc, json_object_get(slice, "ports"), name);
		json_object_set_new(json_object_get(slice, "metadata"), "name", json_string(name));
		json_object_set_new(out, name, slice);
	}
	free(done);
	return out;
}

json_t *ctl_endpoints_v1(const struct model_service *svc, const struct model_endpoints *e)
{
	json_t *subsets = json_array(), *labels = ctl_labels(&svc->meta.labels), *out;
	bool *done = calloc((size_t)e->n + 1, sizeof(*done));

	if (!subsets || !labels || !done) {
		json_decref(subsets);
		json_decref(labels);
		free(done);
		return NULL;
	}
	/* One subset per distinct port set, ready addresses apart from the
	 * others; a terminating pod is in neither, as the Endpoints
	 * controller leaves it out. */
	for (int i = 0; i < e->n; i++) {
		const struct model_endpoint *g = &e->items[i];
		json_t *ready, *notready, *sub;

		if (done[i])
			continue;
		ready = json_array();
		notready = json_array();
		for (int k = i; k < e->n; k++) {
			const struct model_endpoint *ep = &e->items[k];
			char ip[INET_ADDRSTRLEN];
			json_t *a;

			if (!ctl_take(e, g, done, k))
				continue;
			if (ep->terminating)
				continue;
			inet_ntop(AF_INET, &ep->addr, ip, sizeof(ip));
			a = ctl_endpoint_refs(json_pack("{s:s}", "ip", ip), e, ep);
			json_array_append_new(ep->ready ? ready : notready, a);
		}
		sub = json_object();
		if (json_array_size(ready))
			json_object_set(sub, "addresses", ready);
		if (json_array_size(notready))
			json_object_set(sub, "notReadyAddresses", notready);
		json_object_set_new(sub, "ports", ctl_group_ports(e, g));
		if (json_array_size(ready) || json_array_size(notready))
			json_array_append(subsets, sub);
		json_decref(sub);
		json_decref(ready);
		json_decref(notready);
	}
	free(done);
	json_object_set_new(labels, "endpointslice.kubernetes.io/skip-mirror", json_string("true"));
	out = json_pack("{s:s, s:s, s:{s:s, s:s, s:o}}", "apiVersion", "v1", "kind", "Endpoints",
			"metadata", "name", svc->meta.name, "namespace", svc->meta.ns, "labels",
			labels);
	if (out && json_array_size(subsets))
		json_object_set(out, "subsets", subsets);
	json_decref(subsets);
	return out;
}
