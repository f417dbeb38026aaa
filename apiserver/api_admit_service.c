/* api_admit_service.c — a Service's admission (api_admit_int.h): its
 * defaults and validation, and what it is allocated.
 *
 * Allocation follows the real server: ClusterIPs from the Service CIDR
 * 10.0.0.0/16 (the lowest free from 10.0.0.10, so tests can predict them),
 * NodePorts and health check node ports from 30000-32767 (lowest free),
 * requested values checked for range and conflicts, and what a Service
 * already has kept across updates. What the other Services hold is
 * counted by api_alloc.c, which api_admit_start fills from storage and
 * keeps in step with it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_admit_int.h"
#include "api_alloc.h"
#include "api_json.h"
#include "api_server.h"
#include "log.h"

/* ---- services ----------------------------------------------------------------- */

static bool api_admit_ip_of(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

static void api_admit_alloc_cb(const struct api_event *ev, void *data)
{
	struct api_server *s = data;
	char key[512];

	if (strcmp(ev->res->kind, "Service") != 0)
		return;
	snprintf(key, sizeof(key), "%s/%s", api_json_meta(ev->obj, "namespace"),
		 api_json_meta(ev->obj, "name"));
	if (api_alloc_set(s->alloc, key, ev->type == API_EVENT_DELETED ? NULL : ev->obj) < 0)
		log_warn("service %s: out of memory counting its addresses and ports", key);
}

int api_admit_start(struct api_server *s, char *err, size_t errlen)
{
	const struct api_resource *r = api_registry_find("", "v1", "services");
	json_t *all, *svc;
	size_t i;

	s->alloc = api_alloc_new();
	if (!s->alloc || !r) {
		snprintf(err, errlen, "allocator: out of memory");
		return -1;
	}
	all = api_objects_list(s->objects, r, NULL);
	json_array_foreach(all, i, svc) {
		struct api_event ev = { .type = API_EVENT_ADDED, .res = r, .obj = svc };
		api_admit_alloc_cb(&ev, s);
	}
	json_decref(all);
	s->alloc_watcher = api_objects_watch(s->objects, api_admit_alloc_cb, s);
	if (!s->alloc_watcher) {
		snprintf(err, errlen, "allocator: out of memory");
		return -1;
	}
	return 0;
}

void api_admit_stop(struct api_server *s)
{
	if (s->alloc_watcher)
		api_objects_unwatch(s->objects, s->alloc_watcher);
	s->alloc_watcher = NULL;
	api_alloc_free(s->alloc);
	s->alloc = NULL;
}

/* The node ports of the Service being admitted: those of other Services
 * are in s->alloc; these are checked and allocated against both. */
struct api_admit_ports {
	struct api_alloc *alloc;
	const char *key;              /* "namespace/name" */
	int *taken;
	size_t n, cap;
};

static bool api_admit_port_used(const struct api_admit_ports *u, json_int_t p)
{
	for (size_t i = 0; i < u->n; i++)
		if (u->taken[i] == p)
			return true;
	return api_alloc_port_used(u->alloc, (int)p, u->key);
}

static void api_admit_mark_port(struct api_admit_ports *u, json_int_t p)
{
	if (p < API_NODE_PORT_FIRST || p > API_NODE_PORT_LAST || u->n == u->cap)
		return;
	u->taken[u->n++] = (int)p;
}

static json_int_t api_admit_free_port(struct api_admit_ports *u)
{
	int p = api_alloc_free_port(u->alloc, u->taken, u->n);

	if (p)
		api_admit_mark_port(u, p);
	return p;
}

/* A requested node port: in range and free (nodePort of port i, or the
 * health check port when i < 0). */
static bool api_admit_take_port(struct api_admit_ports *u, json_int_t p, const char *field,
				json_t *causes)
{
	if (p < API_NODE_PORT_FIRST || p > API_NODE_PORT_LAST) {
		api_status_cause(causes, "FieldValueInvalid", field, "Invalid value: %lld: provided "
				 "port is not in the valid range. The range of valid ports is "
				 "30000-32767", (long long)p);
		return false;
	}
	if (api_admit_port_used(u, p)) {
		api_status_cause(causes, "FieldValueInvalid", field, "Invalid value: %lld: provided "
				 "port is already allocated", (long long)p);
		return false;
	}
	api_admit_mark_port(u, p);
	return true;
}

static const json_t *api_admit_old_port(const json_t *old, const json_t *port)
{
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(json_object_get(old, "spec"), "ports"), i, p) {
		if (json_equal(json_object_get(p, "port"), json_object_get(port, "port")) &&
		    json_equal(json_object_get(p, "protocol"), json_object_get(port, "protocol")))
			return p;
	}
	return NULL;
}

void api_admit_service(struct api_server *s, const struct api_resource *r, const char *ns,
		       json_t *obj, const json_t *old, json_t *causes)
{
	json_t *spec = api_admit_obj(obj, "spec");
	const json_t *ospec = json_object_get(old, "spec");
	json_t *ports = json_object_get(spec, "ports"), *p;
	const char *type, *cip, *etp, *aff;
	struct api_admit_ports used = { .alloc = s->alloc };
	bool node_ports, lb, local;
	char f[128], key[512];
	size_t i;
	uint32_t ip;

	(void)r;
	snprintf(key, sizeof(key), "%s/%s", ns,
		 api_admit_str(json_object_get(obj, "metadata"), "name") ?: "");
	used.key = key;
	used.cap = json_array_size(ports) + 1;
	used.taken = calloc(used.cap, sizeof(*used.taken));
	if (!used.taken) {
		api_status_cause(causes, "InternalError", "spec", "out of memory");
		return;
	}
	api_admit_default_str(spec, "type", "ClusterIP");
	type = api_admit_str(spec, "type");
	if (!type || (strcmp(type, "ClusterIP") && strcmp(type, "NodePort") &&
		      strcmp(type, "LoadBalancer"))) {
		api_status_cause(causes, "FieldValueNotSupported", "spec.type",
				 "Unsupported value: \"%s\": supported values: \"ClusterIP\", "
				 "\"LoadBalancer\", \"NodePort\"", type ? type : "");
		goto out;
	}
	lb = strcmp(type, "LoadBalancer") == 0;
	node_ports = lb || strcmp(type, "NodePort") == 0;
	api_admit_default_str(spec, "sessionAffinity", "None");
	aff = api_admit_str(spec, "sessionAffinity");
	if (aff && strcmp(aff, "ClientIP") == 0) {
		json_t *cfg = api_admit_obj(api_admit_obj(spec, "sessionAffinityConfig"),
					    "clientIP");
		api_admit_default_int(cfg, "timeoutSeconds", 10800);
	} else if (!aff || strcmp(aff, "None") != 0) {
		api_status_cause(causes, "FieldValueNotSupported", "spec.sessionAffinity",
				 "Unsupported value: \"%s\": supported values: \"ClientIP\", "
				 "\"None\"", aff ? aff : "");
	}
	if (lb && !json_object_get(spec, "allocateLoadBalancerNodePorts"))
		json_object_set_new(spec, "allocateLoadBalancerNodePorts", json_true());
	api_admit_default_str(spec, "internalTrafficPolicy", "Cluster");
	if (node_ports)
		api_admit_default_str(spec, "externalTrafficPolicy", "Cluster");
	else
		json_object_del(spec, "externalTrafficPolicy");
	etp = api_admit_str(spec, "externalTrafficPolicy");
	if (etp && strcmp(etp, "Cluster") && strcmp(etp, "Local"))
		api_status_cause(causes, "FieldValueNotSupported", "spec.externalTrafficPolicy",
				 "Unsupported value: \"%s\": supported values: \"Cluster\", "
				 "\"Local\"", etp);
	local = lb && etp && strcmp(etp, "Local") == 0;

	/* clusterIP: immutable once set; "" or absent means "allocate". */
	cip = api_admit_str(spec, "clusterIP");
	if (old && api_admit_str(ospec, "clusterIP") && (!cip || !cip[0])) {
		json_object_set(spec, "clusterIP", json_object_get(ospec, "clusterIP"));
	} else if (old && cip && !json_equal(json_object_get(spec, "clusterIP"),
					     json_object_get(ospec, "clusterIP"))) {
		api_status_cause(causes, "FieldValueInvalid", "spec.clusterIPs[0]",
				 "Invalid value: []string{\"%s\"}: may not change once set", cip);
	} else if (cip && cip[0] && strcmp(cip, "None") != 0) {
		if (!api_admit_ip_of(cip, &ip) || (ip & 0xffff0000u) != API_CLUSTER_IP_NET)
			api_status_cause(causes, "FieldValueInvalid", "spec.clusterIPs",
					 "Invalid value: []string{\"%s\"}: failed to allocate IP "
					 "%s: the provided IP (%s) is not in the valid range. The "
					 "range of valid IPs is 10.0.0.0/16", cip, cip, cip);
		else if (!old && api_alloc_ip_used(s->alloc, ip, key))
			api_status_cause(causes, "FieldValueInvalid", "spec.clusterIPs",
					 "Invalid value: []string{\"%s\"}: failed to allocate IP "
					 "%s: provided IP is already allocated", cip, cip);
	} else if (!cip || !cip[0]) {
		char text[16];
		ip = api_alloc_free_ip(s->alloc);
		if (!ip) {
			api_status_cause(causes, "FieldValueInvalid", "spec.clusterIPs",
					 "Internal error: failed to allocate a serviceIP: range "
					 "is full");
		} else {
			struct in_addr a = { htonl(ip) };
			inet_ntop(AF_INET, &a, text, sizeof(text));
			json_object_set_new(spec, "clusterIP", json_string(text));
		}
	}
	if (api_admit_str(spec, "clusterIP"))
		json_object_set_new(spec, "clusterIPs",
				    json_pack("[O]", json_object_get(spec, "clusterIP")));
	api_admit_default_str(spec, "ipFamilyPolicy", "SingleStack");
	if (!json_object_get(spec, "ipFamilies"))
		json_object_set_new(spec, "ipFamilies", json_pack("[s]", "IPv4"));

	if (!json_is_array(ports) || json_array_size(ports) == 0) {
		api_status_cause(causes, "FieldValueRequired", "spec.ports", "Required value");
		goto out;
	}
	json_array_foreach(ports, i, p) {
		json_t *port = json_object_get(p, "port"), *np;
		const char *proto, *pname = api_admit_str(p, "name");
		const json_t *op;

		if (!json_is_object(p))
			continue;
		api_admit_default_str(p, "protocol", "TCP");
		proto = api_admit_str(p, "protocol");
		if (!proto || (strcmp(proto, "TCP") && strcmp(proto, "UDP") &&
			       strcmp(proto, "SCTP"))) {
			snprintf(f, sizeof(f), "spec.ports[%zu].protocol", i);
			api_status_cause(causes, "FieldValueNotSupported", f, "Unsupported value: "
					 "\"%s\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
					 proto ? proto : "");
		}
		if (!json_is_integer(port) || json_integer_value(port) < 1 ||
		    json_integer_value(port) > 65535) {
			snprintf(f, sizeof(f), "spec.ports[%zu].port", i);
			api_status_cause(causes, json_is_integer(port) ? "FieldValueInvalid"
					 : "FieldValueRequired", f, json_is_integer(port) ?
					 "Invalid value: must be between 1 and 65535, inclusive" :
					 "Required value");
			continue;
		}
		if (json_array_size(ports) > 1 && (!pname || !pname[0])) {
			snprintf(f, sizeof(f), "spec.ports[%zu].name", i);
			api_status_cause(causes, "FieldValueRequired", f, "Required value");
		}
		if (!json_object_get(p, "targetPort"))
			json_object_set(p, "targetPort", port);
		np = json_object_get(p, "nodePort");
		op = api_admit_old_port(old, p);
		snprintf(f, sizeof(f), "spec.ports[%zu].nodePort", i);
		if (!node_ports) {
			json_object_del(p, "nodePort");
		} else if (json_is_integer(np) && json_integer_value(np) != 0) {
			api_admit_take_port(&used, json_integer_value(np), f, causes);
		} else if (op && json_integer_value(json_object_get(op, "nodePort"))) {
			json_object_set(p, "nodePort", json_object_get(op, "nodePort"));
			api_admit_mark_port(&used, json_integer_value(json_object_get(p,
										      "nodePort")));
		} else {
			json_int_t np2 = api_admit_free_port(&used);
			if (!np2)
				api_status_cause(causes, "FieldValueInvalid", f, "Internal error: "
						 "failed to allocate a nodePort: range is full");
			else
				json_object_set_new(p, "nodePort", json_integer(np2));
		}
	}
	if (local) {
		json_t *h = json_object_get(spec, "healthCheckNodePort");
		json_int_t oh = json_integer_value(json_object_get(ospec, "healthCheckNodePort"));
		if (json_is_integer(h) && json_integer_value(h) && json_integer_value(h) != oh) {
			api_admit_take_port(&used, json_integer_value(h),
					    "spec.healthCheckNodePort", causes);
		} else if (oh) {
			json_object_set_new(spec, "healthCheckNodePort", json_integer(oh));
		} else {
			json_int_t hp = api_admit_free_port(&used);
			if (hp)
				json_object_set_new(spec, "healthCheckNodePort", json_integer(hp));
		}
	} else {
		json_object_del(spec, "healthCheckNodePort");
	}
out:
	free(used.taken);
}
