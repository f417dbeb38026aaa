/* api_table_printers.c — each kind's columns and how its cells are
 * computed (api_table_int.h), after the real API server's printers
 * (kubernetes/pkg/printers/internalversion/printers.go): the column
 * names, types, descriptions and priorities it declares, the cells as it
 * fills them, the Name and Created At of a kind it has no printer for.
 *
 * The file is long because the kinds are many and a pod's STATUS alone
 * takes a hundred lines to compute as upstream does; it is one job, a
 * printer per kind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_json.h"
#include "api_table.h"
#include "api_table_int.h"
#include "buf.h"
#include "model.h"

/* ---- Pod -------------------------------------------------------------- */

static const struct api_table_col api_table_pod_cols[] = {
	{ "Name", "string", "name", "The name of the pod.", 0 },
	{ "Ready", "string", "", "Ready containers out of all containers.", 0 },
	{ "Status", "string", "", "The pod's phase, or why its containers are not running.", 0 },
	{ "Restarts", "string", "", "Container restarts, and how long ago the last one was.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
	{ "IP", "string", "", "The pod's first IP address.", 1 },
	{ "Node", "string", "", "The node the pod is bound to.", 1 },
	{ "Nominated Node", "string", "", "The node the scheduler nominated by preemption.", 1 },
	{ "Readiness Gates", "string", "", "Readiness gates that are true, out of all.", 1 },
};

/* The latest lastState.terminated.finishedAt of a container status. */
static void api_table_pod_last(const json_t *cs, int64_t *last)
{
	const char *fin = api_table_str(cs, "lastState.terminated.finishedAt");
	int64_t t = *fin ? model_time_parse(fin) : -1;

	if (t > *last)
		*last = t;
}

/* Sidecars are init containers with restartPolicy Always: they count as
 * containers and keep running. */
static bool api_table_pod_sidecar(const json_t *pod, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(api_json_path(pod, "spec.initContainers"), i, c)
		if (strcmp(api_table_str(c, "name"), name) == 0)
			return strcmp(api_table_str(c, "restartPolicy"), "Always") == 0;
	return false;
}

static void api_table_pod_status(const json_t *pod, struct buf *reason, int64_t *restarts,
				 int64_t *last, int64_t *ready)
{
	const json_t *status = json_object_get(pod, "status");
	const json_t *conds = json_object_get(status, "conditions");
	const json_t *c, *cs;
	const char *phase = api_table_str(status, "phase");
	int64_t side_restarts = 0, side_last = -1;
	bool initializing = false;
	size_t i;

	buf_puts(reason, *api_table_str(status, "reason") ? api_table_str(status, "reason") :
		 phase);
	json_array_foreach(conds, i, c)
		if (strcmp(api_table_str(c, "type"), "PodScheduled") == 0 &&
		    strcmp(api_table_str(c, "reason"), "SchedulingGated") == 0) {
			buf_reset(reason);
			buf_puts(reason, "SchedulingGated");
		}

	json_array_foreach(json_object_get(status, "initContainerStatuses"), i, cs) {
		const json_t *term = api_json_path(cs, "state.terminated");
		const json_t *wait = api_json_path(cs, "state.waiting");
		bool side = api_table_pod_sidecar(pod, api_table_str(cs, "name"));

		*restarts += api_table_int(cs, "restartCount");
		api_table_pod_last(cs, last);
		if (side) {
			side_restarts += api_table_int(cs, "restartCount");
			api_table_pod_last(cs, &side_last);
		}
		if (term && api_table_int(term, "exitCode") == 0)
			continue;
		if (side && json_is_true(json_object_get(cs, "started"))) {
			if (json_is_true(json_object_get(cs, "ready")))
				(*ready)++;
			continue;
		}
		buf_reset(reason);
		if (term && *api_table_str(term, "reason"))
			buf_printf(reason, "Init:%s", api_table_str(term, "reason"));
		else if (term && api_table_int(term, "signal"))
			buf_printf(reason, "Init:Signal:%lld",
				   (long long)api_table_int(term, "signal"));
		else if (term)
			buf_printf(reason, "Init:ExitCode:%lld",
				   (long long)api_table_int(term, "exitCode"));
		else if (wait && *api_table_str(wait, "reason") &&
			 strcmp(api_table_str(wait, "reason"), "PodInitializing") != 0)
			buf_printf(reason, "Init:%s", api_table_str(wait, "reason"));
		else
			buf_printf(reason, "Init:%zu/%zu", i,
				   json_array_size(api_json_path(pod, "spec.initContainers")));
		initializing = true;
		break;
	}

	if (!initializing || api_table_cond_true(conds, "Initialized")) {
		const json_t *all = json_object_get(status, "containerStatuses");
		bool running = false;

		*restarts = side_restarts;
		*last = side_last;
		/* Backwards, so the first container's state wins. */
		for (i = json_array_size(all); i-- > 0;) {
			const json_t *term, *wait;

			cs = json_array_get(all, i);
			term = api_json_path(cs, "state.terminated");
			wait = api_json_path(cs, "state.waiting");
			*restarts += api_table_int(cs, "restartCount");
			api_table_pod_last(cs, last);
			if (wait && *api_table_str(wait, "reason")) {
				buf_reset(reason);
				buf_puts(reason, api_table_str(wait, "reason"));
			} else if (term && *api_table_str(term, "reason")) {
				buf_reset(reason);
				buf_puts(reason, api_table_str(term, "reason"));
			} else if (term) {
				buf_reset(reason);
				if (api_table_int(term, "signal"))
					buf_printf(reason, "Signal:%lld",
						   (long long)api_table_int(term, "signal"));
				else
					buf_printf(reason, "ExitCode:%lld",
						   (long long)api_table_int(term, "exitCode"));
			} else if (json_is_true(json_object_get(cs, "ready")) &&
				   api_json_path(cs, "state.running")) {
				running = true;
				(*ready)++;
			}
		}
		if (strcmp(buf_str(reason), "Completed") == 0 && running) {
			buf_reset(reason);
			buf_puts(reason, api_table_cond_true(conds, "Ready") ? "Running" :
				 "NotReady");
		}
	}

	if (*api_table_str(pod, "metadata.deletionTimestamp")) {
		bool terminal = strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0;

		if (strcmp(api_table_str(status, "reason"), "NodeLost") == 0) {
			buf_reset(reason);
			buf_puts(reason, "Unknown");
		} else if (!terminal) {
			buf_reset(reason);
			buf_puts(reason, "Terminating");
		}
	}
}

static void api_table_pod(struct api_table_row *row)
{
	const json_t *pod = row->obj;
	const char *phase = api_table_str(pod, "status.phase");
	struct buf reason = BUF_INIT;
	int64_t restarts = 0, last = -1, ready = 0;
	size_t total = json_array_size(api_json_path(pod, "spec.containers"));
	const json_t *c, *gates;
	const char *ip;
	char cell[64], age[32];
	size_t i;

	json_array_foreach(api_json_path(pod, "spec.initContainers"), i, c)
		if (strcmp(api_table_str(c, "restartPolicy"), "Always") == 0)
			total++;
	api_table_pod_status(pod, &reason, &restarts, &last, &ready);

	/* kubectl hides completed pods' rows only on request; the condition
	 * tells it which they are. */
	if (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0) {
		bool ok = phase[0] == 'S';

		row->conditions = json_pack("[{s:s, s:s, s:s, s:s}]", "type", "Completed", "status",
					    "True", "reason", phase, "message",
					    ok ? "The pod has completed successfully." :
					    "The pod failed.");
		if (!row->conditions)
			row->oom = true;
	}

	api_table_put_name(row);
	snprintf(cell, sizeof(cell), "%lld/%zu", (long long)ready, total);
	api_table_put_s(row, cell);
	api_table_put_b(row, &reason);
	if (restarts && last >= 0) {
		api_table_age(row->now - last, age, sizeof(age));
		snprintf(cell, sizeof(cell), "%lld (%s ago)", (long long)restarts, age);
	} else {
		snprintf(cell, sizeof(cell), "%lld", (long long)restarts);
	}
	api_table_put_s(row, cell);
	api_table_put_age(row);

	ip = api_table_str(json_array_get(api_json_path(pod, "status.podIPs"), 0), "ip");
	if (!*ip)
		ip = api_table_str(pod, "status.podIP");
	api_table_put_s(row, *ip ? ip : "<none>");
	api_table_put_s(row, *api_table_str(pod, "spec.nodeName") ?
			api_table_str(pod, "spec.nodeName") : "<none>");
	api_table_put_s(row, *api_table_str(pod, "status.nominatedNodeName") ?
			api_table_str(pod, "status.nominatedNodeName") : "<none>");
	gates = api_json_path(pod, "spec.readinessGates");
	if (json_array_size(gates)) {
		const json_t *conds = api_json_path(pod, "status.conditions");
		size_t trues = 0;

		json_array_foreach(gates, i, c)
			if (api_table_cond_true(conds, api_table_str(c, "conditionType")))
				trues++;
		snprintf(cell, sizeof(cell), "%zu/%zu", trues, json_array_size(gates));
		api_table_put_s(row, cell);
	} else {
		api_table_put_s(row, "<none>");
	}
	buf_free(&reason);
}

/* ---- Service ---------------------------------------------------------- */

static const struct api_table_col api_table_service_cols[] = {
	{ "Name", "string", "name", "The name of the service.", 0 },
	{ "Type", "string", "", "How the service is exposed.", 0 },
	{ "Cluster-IP", "string", "", "The service's first cluster IP.", 0 },
	{ "External-IP", "string", "", "Load balancer and external addresses.", 0 },
	{ "Port(s)", "string", "", "Service ports, with node ports, and protocols.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
	{ "Selector", "string", "", "The labels of the pods the service routes to.", 1 },
};

static void api_table_join_strings(struct buf *b, const json_t *arr)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		buf_printf(b, "%s%s", b->len ? "," : "", json_string_value(v) ?
			   json_string_value(v) : "");
}

static void api_table_service_external(const json_t *svc, struct buf *b)
{
	const char *type = api_table_str(svc, "spec.type");
	const json_t *ext = api_json_path(svc, "spec.externalIPs");

	if (strcmp(type, "ClusterIP") == 0 || strcmp(type, "NodePort") == 0) {
		api_table_join_strings(b, ext);
		if (!b->len)
			buf_puts(b, "<none>");
	} else if (strcmp(type, "LoadBalancer") == 0) {
		const json_t *ing;
		size_t i;

		/* Each ingress point once, by IP or else hostname. */
		json_array_foreach(api_json_path(svc, "status.loadBalancer.ingress"), i, ing) {
			const char *a = *api_table_str(ing, "ip") ? api_table_str(ing, "ip") :
					api_table_str(ing, "hostname");
			bool seen = false;

			for (size_t j = 0; j < i && !seen; j++) {
				const json_t *o = json_array_get(
					api_json_path(svc, "status.loadBalancer.ingress"), j);
				const char *oa = *api_table_str(o, "ip") ? api_table_str(o, "ip") :
						 api_table_str(o, "hostname");
				seen = strcmp(a, oa) == 0;
			}
			if (*a && !seen)
				buf_printf(b, "%s%s", b->len ? "," : "", a);
		}
		api_table_join_strings(b, ext);
		if (!b->len)
			buf_puts(b, "<pending>");
	} else if (strcmp(type, "ExternalName") == 0) {
		buf_puts(b, api_table_str(svc, "spec.externalName"));
	} else {
		buf_puts(b, "<unknown>");
	}
}

static void api_table_service(struct api_table_row *row)
{
	const json_t *svc = row->obj;
	const char *ip = json_string_value(json_array_get(api_json_path(svc, "spec.clusterIPs"),
							    0));
	struct buf b = BUF_INIT;
	const json_t *p;
	size_t i;

	if (!ip || !*ip)
		ip = api_table_str(svc, "spec.clusterIP");
	api_table_put_name(row);
	api_table_put_s(row, api_table_str(svc, "spec.type"));
	api_table_put_s(row, *ip ? ip : "<none>");
	api_table_service_external(svc, &b);
	api_table_put_b(row, &b);
	buf_reset(&b);
	json_array_foreach(api_json_path(svc, "spec.ports"), i, p) {
		const char *proto = *api_table_str(p, "protocol") ? api_table_str(p, "protocol") :
				    "TCP";

		buf_printf(&b, "%s%lld", i ? "," : "", (long long)api_table_int(p, "port"));
		if (api_table_int(p, "nodePort") > 0)
			buf_printf(&b, ":%lld", (long long)api_table_int(p, "nodePort"));
		buf_printf(&b, "/%s", proto);
	}
	if (!b.len)
		buf_puts(&b, "<none>");
	api_table_put_b(row, &b);
	api_table_put_age(row);
	api_table_put_labels(row, api_json_path(svc, "spec.selector"));
	buf_free(&b);
}

/* ---- Deployment and ReplicaSet ---------------------------------------- */

static const struct api_table_col api_table_deployment_cols[] = {
	{ "Name", "string", "name", "The name of the deployment.", 0 },
	{ "Ready", "string", "", "Ready pods out of desired pods.", 0 },
	{ "Up-to-date", "string", "", "Pods running the current template.", 0 },
	{ "Available", "string", "", "Pods available to users.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
	{ "Containers", "string", "", "The template's container names.", 1 },
	{ "Images", "string", "", "The template's container images.", 1 },
	{ "Selector", "string", "", "The label selector of the deployment's pods.", 1 },
};

static void api_table_deployment(struct api_table_row *row)
{
	const json_t *d = row->obj;
	char cell[64];

	api_table_put_name(row);
	snprintf(cell, sizeof(cell), "%lld/%lld",
		 (long long)api_table_int(d, "status.readyReplicas"),
		 (long long)api_table_int(d, "spec.replicas"));
	api_table_put_s(row, cell);
	api_table_put_i(row, api_table_int(d, "status.updatedReplicas"));
	api_table_put_i(row, api_table_int(d, "status.availableReplicas"));
	api_table_put_age(row);
	api_table_put_containers(row, api_json_path(d, "spec.template"));
	api_table_put_selector(row, api_json_path(d, "spec.selector"), "<invalid>", "");
}

static const struct api_table_col api_table_replicaset_cols[] = {
	{ "Name", "string", "name", "The name of the replica set.", 0 },
	{ "Desired", "integer", "", "The number of pods wanted.", 0 },
	{ "Current", "integer", "", "The number of pods there are.", 0 },
	{ "Ready", "integer", "", "The number of ready pods.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
	{ "Containers", "string", "", "The template's container names.", 1 },
	{ "Images", "string", "", "The template's container images.", 1 },
	{ "Selector", "string", "", "The label selector of the replica set's pods.", 1 },
};

static void api_table_replicaset(struct api_table_row *row)
{
	const json_t *rs = row->obj;

	api_table_put_name(row);
	api_table_put_i(row, api_table_int(rs, "spec.replicas"));
	api_table_put_i(row, api_table_int(rs, "status.replicas"));
	api_table_put_i(row, api_table_int(rs, "status.readyReplicas"));
	api_table_put_age(row);
	api_table_put_containers(row, api_json_path(rs, "spec.template"));
	api_table_put_selector(row, api_json_path(rs, "spec.selector"), "<error>", "<none>");
}

/* ---- DaemonSet ---------------------------------------------------------- */

static const struct api_table_col api_table_daemonset_cols[] = {
	{ "Name", "string", "name", "The name of the daemon set.", 0 },
	{ "Desired", "integer", "", "The number of nodes that should run the daemon pod.", 0 },
	{ "Current", "integer", "", "The number of nodes running at least one daemon pod.", 0 },
	{ "Ready", "integer", "", "The number of nodes with a ready daemon pod.", 0 },
	{ "Up-to-date", "integer", "", "The number of nodes running the current template.", 0 },
	{ "Available", "integer", "", "The number of nodes with an available daemon pod.", 0 },
	{ "Node Selector", "string", "", "The node selector of the daemon pods.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
	{ "Containers", "string", "", "The template's container names.", 1 },
	{ "Images", "string", "", "The template's container images.", 1 },
	{ "Selector", "string", "", "The label selector of the daemon set's pods.", 1 },
};

static void api_table_daemonset(struct api_table_row *row)
{
	const json_t *ds = row->obj;

	api_table_put_name(row);
	api_table_put_i(row, api_table_int(ds, "status.desiredNumberScheduled"));
	api_table_put_i(row, api_table_int(ds, "status.currentNumberScheduled"));
	api_table_put_i(row, api_table_int(ds, "status.numberReady"));
	api_table_put_i(row, api_table_int(ds, "status.updatedNumberScheduled"));
	api_table_put_i(row, api_table_int(ds, "status.numberAvailable"));
	api_table_put_labels(row, api_json_path(ds, "spec.template.spec.nodeSelector"));
	api_table_put_age(row);
	api_table_put_containers(row, api_json_path(ds, "spec.template"));
	api_table_put_selector(row, api_json_path(ds, "spec.selector"), "<error>", "<none>");
}

/* ---- Endpoints and EndpointSlice -------------------------------------- */

static const struct api_table_col api_table_endpoints_cols[] = {
	{ "Name", "string", "name", "The name of the endpoints.", 0 },
	{ "Endpoints", "string", "", "Addresses and ports, the first three of them.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
};

static void api_table_endpoints(struct api_table_row *row)
{
	const json_t *subsets = api_json_path(row->obj, "subsets");
	struct api_table_list l = { BUF_INIT, 0, 0 };
	const json_t *ss, *a, *p;
	size_t i, j, k;

	json_array_foreach(subsets, i, ss) {
		const json_t *addrs = json_object_get(ss, "addresses");
		const json_t *ports = json_object_get(ss, "ports");

		/* A headless service may have addresses and no ports. */
		if (!json_array_size(ports)) {
			json_array_foreach(addrs, j, a)
				api_table_list_add(&l, api_table_str(a, "ip"));
			continue;
		}
		json_array_foreach(ports, k, p) {
			json_array_foreach(addrs, j, a) {
				const char *ip = api_table_str(a, "ip");
				char hp[128];

				/* net.JoinHostPort brackets IPv6 addresses. */
				if (strchr(ip, ':'))
					snprintf(hp, sizeof(hp), "[%s]:%lld", ip,
						 (long long)api_table_int(p, "port"));
				else
					snprintf(hp, sizeof(hp), "%s:%lld", ip,
						 (long long)api_table_int(p, "port"));
				api_table_list_add(&l, hp);
			}
		}
	}
	api_table_put_name(row);
	if (!json_array_size(subsets)) {
		buf_free(&l.b);
		api_table_put_s(row, "<none>");
	} else {
		api_table_list_put(row, &l, "");
	}
	api_table_put_age(row);
}

static const struct api_table_col api_table_endpointslice_cols[] = {
	{ "Name", "string", "name", "The name of the endpoint slice.", 0 },
	{ "AddressType", "string", "", "IPv4, IPv6 or FQDN.", 0 },
	{ "Ports", "string", "", "The slice's ports, the first three of them.", 0 },
	{ "Endpoints", "string", "", "The slice's addresses, the first three of them.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
};

static void api_table_endpointslice(struct api_table_row *row)
{
	struct api_table_list ports = { BUF_INIT, 0, 0 }, eps = { BUF_INIT, 0, 0 };
	const json_t *p, *e, *a;
	size_t i, j;

	json_array_foreach(api_json_path(row->obj, "ports"), i, p) {
		char num[32];
		const json_t *port = json_object_get(p, "port");

		if (json_is_integer(port)) {
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(port));
			api_table_list_add(&ports, num);
		} else if (json_is_string(json_object_get(p, "name"))) {
			api_table_list_add(&ports, api_table_str(p, "name"));
		} else {
			api_table_list_add(&ports, "*");
		}
	}
	json_array_foreach(api_json_path(row->obj, "endpoints"), i, e)
		json_array_foreach(json_object_get(e, "addresses"), j, a)
			api_table_list_add(&eps, json_string_value(a) ? json_string_value(a) : "");
	api_table_put_name(row);
	api_table_put_s(row, api_table_str(row->obj, "addressType"));
	api_table_list_put(row, &ports, "<unset>");
	api_table_list_put(row, &eps, "<unset>");
	api_table_put_age(row);
}

/* ---- Node ------------------------------------------------------------- */

static const struct api_table_col api_table_node_cols[] = {
	{ "Name", "string", "name", "The name of the node.", 0 },
	{ "Status", "string", "", "Ready or not, and whether scheduling is disabled.", 0 },
	{ "Roles", "string", "", "The node's roles, from its labels.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
	{ "Version", "string", "", "The kubelet's version.", 0 },
	{ "Internal-IP", "string", "", "The node's first internal address.", 1 },
	{ "External-IP", "string", "", "The node's first external address.", 1 },
	{ "OS-Image", "string", "", "The node's operating system.", 1 },
	{ "Kernel-Version", "string", "", "The node's kernel.", 1 },
	{ "Container-Runtime", "string", "", "The node's container runtime and its version.", 1 },
};

static const char *api_table_node_addr(const json_t *node, const char *type)
{
	const json_t *a;
	size_t i;

	json_array_foreach(api_json_path(node, "status.addresses"), i, a)
		if (strcmp(api_table_str(a, "type"), type) == 0)
			return api_table_str(a, "address");
	return "<none>";
}

/* Roles from node-role.kubernetes.io/<role> keys and kubernetes.io/role
 * values, each once, sorted. */
static void api_table_node_roles(const json_t *labels, struct buf *b)
{
	size_t n = json_object_size(labels), m = 0;
	const char **roles = n ? calloc(n, sizeof(*roles)) : NULL;
	const char *k;
	const json_t *v;

	if (n && !roles) {
		b->oom = true;
		return;
	}
	json_object_foreach((json_t *)labels, k, v) {
		const char *role = NULL;

		if (strncmp(k, "node-role.kubernetes.io/", 24) == 0 && k[24])
			role = k + 24;
		else if (strcmp(k, "kubernetes.io/role") == 0 && json_string_value(v) &&
			 *json_string_value(v))
			role = json_string_value(v);
		if (role)
			roles[m++] = role;
	}
	if (m > 1)
		qsort(roles, m, sizeof(*roles), api_table_cmp_str);
	for (size_t i = 0; i < m; i++)
		if (i == 0 || strcmp(roles[i], roles[i - 1]) != 0)
			buf_printf(b, "%s%s", b->len ? "," : "", roles[i]);
	free(roles);
}

static void api_table_node(struct api_table_row *row)
{
	const json_t *node = row->obj;
	const json_t *c;
	struct buf b = BUF_INIT;
	size_t i;
	static const char *const info[] = { "osImage", "kernelVersion",
					     "containerRuntimeVersion" };

	/* Only the Ready condition shows; without one the node is Unknown. */
	json_array_foreach(api_json_path(node, "status.conditions"), i, c)
		if (strcmp(api_table_str(c, "type"), "Ready") == 0) {
			buf_reset(&b);
			buf_puts(&b, strcmp(api_table_str(c, "status"), "True") == 0 ? "Ready" :
				 "NotReady");
		}
	if (!b.len)
		buf_puts(&b, "Unknown");
	if (json_is_true(api_json_path(node, "spec.unschedulable")))
		buf_puts(&b, ",SchedulingDisabled");
	api_table_put_name(row);
	api_table_put_b(row, &b);
	buf_reset(&b);
	api_table_node_roles(api_json_path(node, "metadata.labels"), &b);
	if (!b.len)
		buf_puts(&b, "<none>");
	api_table_put_b(row, &b);
	api_table_put_age(row);
	api_table_put_s(row, api_table_str(node, "status.nodeInfo.kubeletVersion"));
	api_table_put_s(row, api_table_node_addr(node, "InternalIP"));
	api_table_put_s(row, api_table_node_addr(node, "ExternalIP"));
	for (i = 0; i < sizeof(info) / sizeof(info[0]); i++) {
		const char *v = api_table_str(json_object_get(api_json_path(node, "status"),
							      "nodeInfo"), info[i]);

		api_table_put_s(row, *v ? v : "<unknown>");
	}
	buf_free(&b);
}

/* ---- Namespace, ConfigMap, Secret, ServiceAccount --------------------- */

static const struct api_table_col api_table_namespace_cols[] = {
	{ "Name", "string", "name", "The name of the namespace.", 0 },
	{ "Status", "string", "", "Active or Terminating.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
};

static void api_table_namespace(struct api_table_row *row)
{
	api_table_put_name(row);
	api_table_put_s(row, api_table_str(row->obj, "status.phase"));
	api_table_put_age(row);
}

static const struct api_table_col api_table_configmap_cols[] = {
	{ "Name", "string", "name", "The name of the config map.", 0 },
	{ "Data", "string", "", "The number of keys in data and binaryData.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
};

static void api_table_configmap(struct api_table_row *row)
{
	api_table_put_name(row);
	api_table_put_i(row, (json_int_t)(api_table_count(row->obj, "data") +
					  api_table_count(row->obj, "binaryData")));
	api_table_put_age(row);
}

static const struct api_table_col api_table_secret_cols[] = {
	{ "Name", "string", "name", "The name of the secret.", 0 },
	{ "Type", "string", "", "The type of the secret.", 0 },
	{ "Data", "string", "", "The number of keys in the secret.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
};

static void api_table_secret(struct api_table_row *row)
{
	const json_t *data = api_json_path(row->obj, "data");
	const json_t *sd = api_json_path(row->obj, "stringData");
	size_t n = json_object_size(data);
	const char *k;
	const json_t *v;

	/* stringData is write-only and folds into data; count a key once. */
	json_object_foreach((json_t *)sd, k, v)
		if (!json_object_get(data, k))
			n++;
	api_table_put_name(row);
	api_table_put_s(row, api_table_str(row->obj, "type"));
	api_table_put_i(row, (json_int_t)n);
	api_table_put_age(row);
}

static const struct api_table_col api_table_serviceaccount_cols[] = {
	{ "Name", "string", "name", "The name of the service account.", 0 },
	{ "Secrets", "string", "", "The number of secrets the account lists.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
};

static void api_table_serviceaccount(struct api_table_row *row)
{
	api_table_put_name(row);
	api_table_put_i(row, (json_int_t)api_table_count(row->obj, "secrets"));
	api_table_put_age(row);
}

/* ---- Event ------------------------------------------------------------ */

static const struct api_table_col api_table_event_cols[] = {
	{ "Last Seen", "string", "", "Time since the event was last seen.", 0 },
	{ "Type", "string", "", "Normal or Warning.", 0 },
	{ "Reason", "string", "", "Why the event happened, in one word.", 0 },
	{ "Object", "string", "", "The object the event is about.", 0 },
	{ "Subobject", "string", "", "The part of the object, such as a container.", 1 },
	{ "Source", "string", "", "The component, and host, that reported the event.", 1 },
	{ "Message", "string", "", "What happened.", 0 },
	{ "First Seen", "string", "", "Time since the event was first seen.", 1 },
	{ "Count", "string", "", "How many times the event happened.", 1 },
	{ "Name", "string", "name", "The name of the event.", 1 },
};

static void api_table_event(struct api_table_row *row)
{
	const json_t *ev = row->obj;
	const json_t *series = json_object_get(ev, "series");
	const char *kind = api_table_str(ev, "involvedObject.kind");
	const char *name = api_table_str(ev, "involvedObject.name");
	const char *comp = api_table_str(ev, "source.component");
	const char *host = api_table_str(ev, "source.host");
	const char *msg = api_table_str(ev, "message");
	char first[32], last[32];
	json_int_t count = api_table_int(ev, "count");
	struct buf b = BUF_INIT;
	size_t mlen;

	/* Old-style events carry timestamps; new-style ones eventTime and a
	 * series. */
	if (*api_table_str(ev, "firstTimestamp"))
		api_table_since(api_table_str(ev, "firstTimestamp"), row->now, first,
				sizeof(first));
	else
		api_table_since(api_table_str(ev, "eventTime"), row->now, first, sizeof(first));
	if (*api_table_str(ev, "lastTimestamp"))
		api_table_since(api_table_str(ev, "lastTimestamp"), row->now, last, sizeof(last));
	else
		snprintf(last, sizeof(last), "%s", first);
	if (json_is_object(series)) {
		api_table_since(api_table_str(series, "lastObservedTime"), row->now, last,
				sizeof(last));
		count = api_table_int(series, "count");
	} else if (count == 0) {
		count = 1;
	}

	api_table_put_s(row, last);
	api_table_put_s(row, api_table_str(ev, "type"));
	api_table_put_s(row, api_table_str(ev, "reason"));
	for (const char *p = kind; *p; p++)
		buf_putc(&b, (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
	if (*name)
		buf_printf(&b, "/%s", name);
	api_table_put_b(row, &b);
	api_table_put_s(row, api_table_str(ev, "involvedObject.fieldPath"));
	buf_reset(&b);
	buf_puts(&b, *comp ? comp : api_table_str(ev, "reportingComponent"));
	if (!*host)
		host = api_table_str(ev, "reportingInstance");
	if (*host)
		buf_printf(&b, ", %s", host);
	api_table_put_b(row, &b);
	buf_reset(&b);
	while (*msg == ' ' || *msg == '\t' || *msg == '\n' || *msg == '\r')
		msg++;
	mlen = strlen(msg);
	while (mlen && (msg[mlen - 1] == ' ' || msg[mlen - 1] == '\t' || msg[mlen - 1] == '\n' ||
			msg[mlen - 1] == '\r'))
		mlen--;
	buf_append(&b, msg, mlen);
	buf_puts(&b, "");
	api_table_put_b(row, &b);
	api_table_put_s(row, first);
	api_table_put_i(row, count);
	api_table_put_name(row);
	buf_free(&b);
}

/* ---- Ingress ---------------------------------------------------------- */

static const struct api_table_col api_table_ingress_cols[] = {
	{ "Name", "string", "name", "The name of the ingress.", 0 },
	{ "Class", "string", "", "The name of the IngressClass resource that should be used", 0 },
	{ "Hosts", "string", "",
	  "Hosts that incoming requests are matched against before the ingress rule", 0 },
	{ "Address", "string", "",
	  "Address is a list containing ingress points for the load-balancer", 0 },
	{ "Ports", "string", "", "Ports of TLS configurations that open", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
};

/* As the upstream printer: the first three hosts of the rules, "*" when no
 * rule names one, "+ N more..." for rules beyond three. */
static void api_table_ingress(struct api_table_row *row)
{
	const json_t *rules = api_json_path(row->obj, "spec.rules"), *r;
	const json_t *lbs = api_json_path(row->obj, "status.loadBalancer.ingress");
	const char *cls = api_table_str(row->obj, "spec.ingressClassName");
	struct buf hosts = BUF_INIT, addrs = BUF_INIT;
	size_t i, shown = 0;
	bool more = false;

	api_table_put_name(row);
	api_table_put_s(row, *cls ? cls : "<none>");
	json_array_foreach(rules, i, r) {
		const char *h = json_string_value(json_object_get(r, "host"));

		if (shown == 3)
			more = true;
		if (!more && h && *h)
			buf_printf(&hosts, "%s%s", shown++ ? "," : "", h);
	}
	if (!shown)
		buf_puts(&hosts, "*");
	else if (more)
		buf_printf(&hosts, " + %zu more...", json_array_size(rules) - 3);
	api_table_put_b(row, &hosts);
	json_array_foreach(lbs, i, r) {
		const char *ip = json_string_value(json_object_get(r, "ip"));
		const char *h = json_string_value(json_object_get(r, "hostname"));

		if (ip && *ip)
			buf_printf(&addrs, "%s%s", addrs.len ? "," : "", ip);
		else if (h && *h)
			buf_printf(&addrs, "%s%s", addrs.len ? "," : "", h);
	}
	api_table_put_b(row, &addrs);
	api_table_put_s(row, api_table_count(row->obj, "spec.tls") ? "80, 443" : "80");
	api_table_put_age(row);
	buf_free(&hosts);
	buf_free(&addrs);
}

/* ---- Lease ------------------------------------------------------------ */

static const struct api_table_col api_table_lease_cols[] = {
	{ "Name", "string", "name", "The name of the lease.", 0 },
	{ "Holder", "string", "", "The identity of the lease's current holder.", 0 },
	{ "Age", "string", "", "Time since the object was created.", 0 },
};

/* An unheld lease shows an empty Holder, as upstream's printer does. */
static void api_table_lease(struct api_table_row *row)
{
	api_table_put_name(row);
	api_table_put_s(row, api_table_str(row->obj, "spec.holderIdentity"));
	api_table_put_age(row);
}

/* ---- kinds without a printer ------------------------------------------ */

/* What the real server sends for a kind it has no printer for. */
static const struct api_table_col api_table_default_cols[] = {
	{ "Name", "string", "name", "The name of the object.", 0 },
	{ "Created At", "date", "", "When the object was created.", 0 },
};

static void api_table_default(struct api_table_row *row)
{
	api_table_put_name(row);
	api_table_put_s(row, api_table_str(row->obj, "metadata.creationTimestamp"));
}

#define API_TABLE_PRINTER(kind, cols, fn) { kind, cols, sizeof(cols) / sizeof(cols[0]), fn }

static const struct api_table_printer api_table_printers[] = {
	API_TABLE_PRINTER("Pod", api_table_pod_cols, api_table_pod),
	API_TABLE_PRINTER("Service", api_table_service_cols, api_table_service),
	API_TABLE_PRINTER("Deployment", api_table_deployment_cols, api_table_deployment),
	API_TABLE_PRINTER("DaemonSet", api_table_daemonset_cols, api_table_daemonset),
	API_TABLE_PRINTER("ReplicaSet", api_table_replicaset_cols, api_table_replicaset),
	API_TABLE_PRINTER("Endpoints", api_table_endpoints_cols, api_table_endpoints),
	API_TABLE_PRINTER("EndpointSlice", api_table_endpointslice_cols,
			  api_table_endpointslice),
	API_TABLE_PRINTER("Node", api_table_node_cols, api_table_node),
	API_TABLE_PRINTER("Namespace", api_table_namespace_cols, api_table_namespace),
	API_TABLE_PRINTER("Event", api_table_event_cols, api_table_event),
	API_TABLE_PRINTER("ConfigMap", api_table_configmap_cols, api_table_configmap),
	API_TABLE_PRINTER("Secret", api_table_secret_cols, api_table_secret),
	API_TABLE_PRINTER("ServiceAccount", api_table_serviceaccount_cols,
			  api_table_serviceaccount),
	API_TABLE_PRINTER("Ingress", api_table_ingress_cols, api_table_ingress),
	API_TABLE_PRINTER("Lease", api_table_lease_cols, api_table_lease),
};

static const struct api_table_printer api_table_fallback =
	API_TABLE_PRINTER("", api_table_default_cols, api_table_default);

const struct api_table_printer *api_table_printer_for(const char *kind)
{
	for (size_t i = 0; i < sizeof(api_table_printers) / sizeof(api_table_printers[0]); i++)
		if (strcmp(api_table_printers[i].kind, kind) == 0)
			return &api_table_printers[i];
	return &api_table_fallback;
}
