/* cmd_describe.c — `describe svc|pod|deployment|node [NAME]`: kubectl's
 * "Label:  value" blocks, aligned by the same tabwriter rules. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "describe_proxy.h"
#include "duration.h"
#include "lab.h"
#include "labels.h"
#include "objapi.h"
#include "objects.h"
#include "options.h"
#include "tabwriter.h"

/* "Labels:  a=b" then one "\tc=d" line per further entry, as kubectl's
 * printLabelsMultiline does. */
static void describe_map(struct buf *b, const char *label, const struct model_map *m,
			 const char *indent)
{
	if (m->n == 0) {
		buf_printf(b, "%s%s:\t<none>\n", indent, label);
		return;
	}
	for (int i = 0; i < m->n; i++)
		buf_printf(b, "%s%s\t%s=%s\n", indent, i == 0 ? label : "", m->items[i].key,
			   m->items[i].value);
}

static void describe_labels(struct buf *b, const char *label, const struct model_map *m)
{
	char l[64];

	snprintf(l, sizeof(l), "%s:", label);
	if (m->n == 0) {
		buf_printf(b, "%s\t<none>\n", l);
		return;
	}
	describe_map(b, l, m, "");
}

/* "Mon, 01 May 2024 12:00:00 +0000" (kubectl's RFC 1123 with numeric zone). */
static void describe_time(const char *rfc3339, char *buf, size_t len)
{
	int64_t t = model_time_parse(rfc3339);
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0) {
		snprintf(buf, len, "<unknown>");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

static void describe_flush(struct buf *b)
{
	tabwriter_write(stdout, buf_str(b), 0, 2);
	buf_reset(b);
}

/* ---- events, from the API server -------------------------------------------------- */

/* The Events of a Service as kubectl describe lists them (the load
 * balancer's reports among them). When the API server does not answer,
 * that is said instead (and on stderr once). */
static void describe_events(struct cli *cli, struct buf *b, const char *kind,
			    const struct model_meta *m)
{
	struct objapi api;
	json_t *list = NULL, *ev;
	char path[600];
	size_t i;
	int code, n = 0;

	if (objapi_open(cli, &api) < 0)
		return;
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/events?fieldSelector="
		 "involvedObject.kind%%3D%s%%2CinvolvedObject.name%%3D%s", m->ns, kind, m->name);
	code = objapi_call(&api, "GET", path, NULL, &list);
	objapi_close(&api);
	if (code != 200) {
		buf_puts(b, "Events:\t<unknown: the lab's API server does not answer>\n");
		json_decref(list);
		return;
	}
	json_array_foreach(json_object_get(list, "items"), i, ev) {
		const char *t = json_string_value(json_object_get(ev, "lastTimestamp"));
		const char *from = json_string_value(json_object_get(json_object_get(ev, "source"),
								     "component"));
		char age[32] = "<unknown>";

		if (n++ == 0)
			buf_puts(b, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n"
				 "  ----\t------\t----\t----\t-------\n");
		if (t)
			duration_age_since(t, age, sizeof(age));
		buf_printf(b, "  %s\t%s\t%s\t%s\t%s\n",
			   json_string_value(json_object_get(ev, "type")) ?: "Normal",
			   json_string_value(json_object_get(ev, "reason")) ?: "", age,
			   from ? from : "", json_string_value(json_object_get(ev, "message")) ?: "");
	}
	if (n == 0)
		buf_puts(b, "Events:\t<none>\n");
	json_decref(list);
}

/* ---- Service ------------------------------------------------------------------ */

static void describe_endpoints_for(const struct model_endpoints *e,
				   const struct model_service *s, int port_index, char *buf,
				   size_t len)
{
	int shown = 0, total = 0, slot = e ? model_endpoints_port_slot(e, &s->ports[port_index],
								      port_index) : -1;
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; slot >= 0 && i < e->n; i++) {
		char ip[INET_ADDRSTRLEN];
		int port = e->items[i].ports[slot];

		if (!e->items[i].ready || !port)
			continue;
		total++;
		if (shown < 3 && o < len) {
			int w = snprintf(buf + o, len - o, "%s%s:%d", shown ? "," : "",
					 inet_ntop(AF_INET, &e->items[i].addr, ip, sizeof(ip)), port);

			if (w > 0)
				o += (size_t)w;
			shown++;
		}
	}
	if (total == 0)
		snprintf(buf, len, "<none>");
	else if (total > shown && o < len)
		snprintf(buf + o, len - o, " + %d more...", total - shown);
}

/* The service proxy's view per node, over the Nodes the server holds (none
 * when it does not answer: the endpoints still show). */
static void describe_svc_nodes(struct cli *cli, const struct model_service *s,
			       const struct model_endpoints *e, struct buf *b)
{
	struct model_node_status *st = NULL;
	struct objapi_node *nodes = NULL;
	int n = 0;

	if (objapi_list_nodes(cli, &nodes, &n) == 0 && n > 0) {
		st = calloc((size_t)n, sizeof(*st));
		for (int i = 0; st && i < n; i++)
			st[i] = nodes[i].st;
	}
	describe_svc_proxy_lines(cli, s, e, st, st ? n : 0, b);
	free(st);
	objapi_nodes_free(nodes, n);
}

static void describe_service(struct cli *cli, const struct model_service *s)
{
	struct model_endpoints e;
	struct buf b = BUF_INIT;
	bool have_eps;
	char ip[INET_ADDRSTRLEN], sel[1024];

	memset(&e, 0, sizeof(e));
	have_eps = objapi_get_endpoints(cli, s->meta.ns, s->meta.name, &e) == 0;
	buf_printf(&b, "Name:\t%s\n", s->meta.name);
	buf_printf(&b, "Namespace:\t%s\n", s->meta.ns);
	describe_labels(&b, "Labels", &s->meta.labels);
	describe_labels(&b, "Annotations", &s->meta.annotations);
	labels_format(&s->selector, sel, sizeof(sel));
	buf_printf(&b, "Selector:\t%s\n", s->selector.n ? sel : "");
	buf_printf(&b, "Type:\t%s\n", model_service_type_name(s->type));
	buf_puts(&b, "IP Family Policy:\tSingleStack\nIP Families:\tIPv4\n");
	if (s->cluster_ip.s_addr) {
		inet_ntop(AF_INET, &s->cluster_ip, ip, sizeof(ip));
		buf_printf(&b, "IP:\t%s\nIPs:\t%s\n", ip, ip);
	} else {
		buf_puts(&b, "IP:\t<none>\n");
	}
	if (s->load_balancer_ip.s_addr)
		buf_printf(&b, "LoadBalancer IP:\t%s\n",
			   inet_ntop(AF_INET, &s->load_balancer_ip, ip, sizeof(ip)));
	if (s->type == MODEL_SVC_LOAD_BALANCER && s->ingress_ip.s_addr)
		buf_printf(&b, "LoadBalancer Ingress:\t%s\n",
			   inet_ntop(AF_INET, &s->ingress_ip, ip, sizeof(ip)));
	for (int k = 0; k < s->n_ports; k++) {
		const struct model_service_port *p = &s->ports[k];
		const char *name = p->name[0] ? p->name : "<unset>";
		const char *proto = model_proto_name(p->proto);
		char eps[512];

		buf_printf(&b, "Port:\t%s\t%d/%s\n", name, p->port, proto);
		if (p->target_port_name[0])
			buf_printf(&b, "TargetPort:\t%s/%s\n", p->target_port_name, proto);
		else
			buf_printf(&b, "TargetPort:\t%d/%s\n", p->target_port, proto);
		if (p->node_port)
			buf_printf(&b, "NodePort:\t%s\t%d/%s\n", name, p->node_port, proto);
		describe_endpoints_for(have_eps ? &e : NULL, s, k, eps, sizeof(eps));
		buf_printf(&b, "Endpoints:\t%s\n", eps);
	}
	buf_printf(&b, "Session Affinity:\t%s\n", s->affinity_client_ip ? "ClientIP" : "None");
	if (s->affinity_client_ip)
		buf_printf(&b, "Session Affinity Timeout:\t%ds\n", s->affinity_timeout_s);
	if (s->type != MODEL_SVC_CLUSTER_IP)
		buf_printf(&b, "External Traffic Policy:\t%s\n", model_policy_name(s->external_policy));
	buf_printf(&b, "Internal Traffic Policy:\t%s\n", model_policy_name(s->internal_policy));
	if (s->health_check_node_port)
		buf_printf(&b, "HealthCheck NodePort:\t%d\n", s->health_check_node_port);
	/* per node: local endpoints, health check */
	describe_svc_nodes(cli, s, have_eps ? &e : NULL, &b);
	describe_events(cli, &b, "Service", &s->meta);
	describe_flush(&b);
	buf_free(&b);
	model_endpoints_free(&e);
}

/* ---- Pod ---------------------------------------------------------------------- */

static void describe_probe(struct buf *b, const struct model_probe *p)
{
	char port[32];

	if (p->kind == MODEL_PROBE_NONE)
		return;
	if (p->port_name[0])
		snprintf(port, sizeof(port), "%s", p->port_name);
	else
		snprintf(port, sizeof(port), "%d", p->port);
	if (p->kind == MODEL_PROBE_HTTP)
		buf_printf(b, "    Readiness:\thttp-get http://:%s%s", port, p->path);
	else
		buf_printf(b, "    Readiness:\ttcp-socket :%s", port);
	buf_printf(b, " delay=%ds timeout=%ds period=%ds #success=%d #failure=%d\n",
		   p->initial_delay_s, p->timeout_s, p->period_s, p->success_threshold,
		   p->failure_threshold);
}

static void describe_pod(struct cli *cli, const struct model_pod *p,
			 const struct model_pod_status *st)
{
	struct buf b = BUF_INIT;
	char ip[INET_ADDRSTRLEN], t[64];
	int node = lab_node_index(p->node);
	bool ready = obj_pod_ready(p, st);

	(void)cli;
	buf_printf(&b, "Name:\t%s\n", p->meta.name);
	buf_printf(&b, "Namespace:\t%s\n", p->meta.ns);
	buf_puts(&b, "Priority:\t0\nService Account:\tdefault\n");
	if (node >= 0) {
		struct in_addr a = lab_node_addr(node);

		buf_printf(&b, "Node:\t%s/%s\n", p->node, inet_ntop(AF_INET, &a, ip, sizeof(ip)));
	} else {
		buf_puts(&b, "Node:\t<none>\n");
	}
	if (st && st->started[0]) {
		describe_time(st->started, t, sizeof(t));
		buf_printf(&b, "Start Time:\t%s\n", t);
	}
	describe_labels(&b, "Labels", &p->meta.labels);
	describe_labels(&b, "Annotations", &p->meta.annotations);
	buf_printf(&b, "Status:\t%s\n", obj_pod_phase_text(p, st));
	if (p->meta.deleting[0]) {
		describe_time(p->meta.deleting, t, sizeof(t));
		buf_printf(&b, "Termination Grace Period:\t%ds\n", p->spec.termination_grace_s);
	}
	if (st && st->message[0] && st->pid <= 0)
		buf_printf(&b, "Message:\t%s\n", st->message);
	if (p->ip.s_addr) {
		inet_ntop(AF_INET, &p->ip, ip, sizeof(ip));
		buf_printf(&b, "IP:\t%s\nIPs:\n  IP:\t%s\n", ip, ip);
	} else {
		buf_puts(&b, "IP:\t\nIPs:\t<none>\n");
	}
	if (p->owner[0] && (p->daemon_set || !p->template_hash[0]))
		buf_printf(&b, "Controlled By:\t%s/%s\n", p->daemon_set ? "DaemonSet" : "Deployment",
			   p->owner);
	else if (p->owner[0])
		buf_printf(&b, "Controlled By:\tReplicaSet/%s-%s\n", p->owner, p->template_hash);
	buf_puts(&b, "Containers:\n");
	for (int c = 0; c < p->spec.n_containers; c++) {
		const struct model_container *ct = &p->spec.containers[c];

		buf_printf(&b, "  %s:\n", ct->name);
		buf_printf(&b, "    Image:\t%s\n", ct->image);
		buf_printf(&b, "    %s\t", ct->n_ports > 1 ? "Ports:" : "Port:");
		if (ct->n_ports == 0)
			buf_puts(&b, "<none>");
		for (int k = 0; k < ct->n_ports; k++) {
			buf_printf(&b, "%s%d/%s", k ? ", " : "", ct->ports[k].port,
				   model_proto_name(ct->ports[k].proto));
			if (ct->ports[k].name[0])
				buf_printf(&b, " (%s)", ct->ports[k].name);
		}
		buf_putc(&b, '\n');
		for (int k = 0; k < ct->n_command; k++)
			buf_printf(&b, "    %s\t%s\n", k == 0 ? "Command:" : "", ct->command[k]);
		for (int k = 0; k < ct->n_args; k++)
			buf_printf(&b, "    %s\t%s\n", k == 0 ? "Args:" : "", ct->args[k]);
		if (st && st->pid > 0) {
			buf_puts(&b, "    State:\tRunning\n");
			if (st->started[0]) {
				describe_time(st->started, t, sizeof(t));
				buf_printf(&b, "      Started:\t%s\n", t);
			}
		} else if (st && (st->terminated || st->phase == MODEL_POD_FAILED ||
				  st->phase == MODEL_POD_SUCCEEDED)) {
			buf_printf(&b, "    State:\tTerminated\n      Reason:\t%s\n",
				   st->reason[0] ? st->reason : "Completed");
		} else {
			buf_printf(&b, "    State:\tWaiting\n      Reason:\t%s\n",
				   st && st->reason[0] ? st->reason : "ContainerCreating");
		}
		buf_printf(&b, "    Ready:\t%s\n", ready ? "True" : "False");
		buf_printf(&b, "    Restart Count:\t%d\n", st ? st->restarts : 0);
		describe_probe(&b, &ct->readiness);
		if (ct->n_env == 0)
			buf_puts(&b, "    Environment:\t<none>\n");
		else
			buf_puts(&b, "    Environment:\n");
		for (int k = 0; k < ct->n_env; k++)
			buf_printf(&b, "      %s:\t%s\n", ct->env[k].name, ct->env[k].value);
	}
	buf_puts(&b, "Conditions:\n  Type\tStatus\n");
	buf_printf(&b, "  PodScheduled\t%s\n", p->node[0] ? "True" : "False");
	buf_printf(&b, "  Initialized\t%s\n", p->node[0] ? "True" : "False");
	buf_printf(&b, "  ContainersReady\t%s\n", ready ? "True" : "False");
	buf_printf(&b, "  Ready\t%s\n", ready ? "True" : "False");
	buf_puts(&b, "Events:\t<none>\n");
	describe_flush(&b);
	buf_free(&b);
}

/* ---- Deployment ------------------------------------------------------------------ */

static void describe_deployment(struct cli *cli, const struct objapi_workload *dw,
				const struct obj_world *w)
{
	const struct model_deployment *d = &dw->spec;
	struct model_deployment_status st;
	struct buf b = BUF_INIT;
	char t[64], sel[1024];
	bool observed;

	obj_deployment_status(dw, w, &st, &observed);
	buf_printf(&b, "Name:\t%s\n", d->meta.name);
	buf_printf(&b, "Namespace:\t%s\n", d->meta.ns);
	describe_time(d->meta.created, t, sizeof(t));
	buf_printf(&b, "CreationTimestamp:\t%s\n", t);
	describe_labels(&b, "Labels", &d->meta.labels);
	describe_labels(&b, "Annotations", &d->meta.annotations);
	labels_format(&d->selector, sel, sizeof(sel));
	buf_printf(&b, "Selector:\t%s\n", sel);
	buf_printf(&b, "Replicas:\t%d desired | %d updated | %d total | %d available | %d unavailable\n",
		   d->replicas, st.updated_replicas, st.replicas, st.available_replicas,
		   st.unavailable_replicas);
	buf_puts(&b, "StrategyType:\tRollingUpdate\nMinReadySeconds:\t0\n");
	buf_printf(&b, "RollingUpdateStrategy:\t%d%s max unavailable, %d%s max surge\n",
		   d->max_unavailable.value, d->max_unavailable.percent ? "%" : "",
		   d->max_surge.value, d->max_surge.percent ? "%" : "");
	buf_puts(&b, "Pod Template:\n");
	describe_map(&b, "  Labels:", &d->template_labels, "");
	if (d->template_annotations.n)
		describe_map(&b, "  Annotations:", &d->template_annotations, "");
	buf_puts(&b, "  Containers:\n");
	for (int c = 0; c < d->pod.n_containers; c++) {
		const struct model_container *ct = &d->pod.containers[c];

		buf_printf(&b, "   %s:\n", ct->name);
		buf_printf(&b, "    Image:\t%s\n", ct->image);
		for (int k = 0; k < ct->n_ports; k++)
			buf_printf(&b, "    %s\t%d/%s\n", k == 0 ? "Port:" : "", ct->ports[k].port,
				   model_proto_name(ct->ports[k].proto));
		describe_probe(&b, &ct->readiness);
	}
	if (st.n_conditions > 0) {
		buf_puts(&b, "Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n");
		for (int i = 0; i < st.n_conditions && i < MODEL_MAX_CONDITIONS; i++)
			buf_printf(&b, "  %s\t%s\t%s\n", st.conditions[i].type,
				   st.conditions[i].status ? "True" : "False", st.conditions[i].reason);
	}
	buf_puts(&b, "Events:\t<none>\n");
	describe_flush(&b);
	buf_free(&b);
}

/* ---- Node ------------------------------------------------------------------------- */

static const char *describe_str(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v ? v : "";
}

/* A quantity map (capacity, allocatable), one "  name:\tvalue" line each. */
static void describe_quantities(struct buf *b, const char *label, const json_t *q)
{
	const char *k;
	json_t *v;

	buf_printf(b, "%s:\n", label);
	json_object_foreach((json_t *)q, k, v)
		buf_printf(b, "  %s:\t%s\n", k, json_string_value(v) ? json_string_value(v) : "");
}

/* As kubectl describe node prints a Node, from the API server's Node and
 * its Lease (lease may be NULL), with the pods bound to it. */
static void describe_node(struct cli *cli, const struct objapi_node *n, const json_t *lease,
			  const struct obj_world *w)
{
	const json_t *node = n->obj, *md = json_object_get(node, "metadata");
	const json_t *spec = json_object_get(node, "spec"), *st = json_object_get(node, "status");
	const json_t *info = json_object_get(st, "nodeInfo"), *x;
	static const char *const info_rows[][2] = {
		{ "Kernel Version", "kernelVersion" }, { "OS Image", "osImage" },
		{ "Operating System", "operatingSystem" }, { "Architecture", "architecture" },
		{ "Container Runtime Version", "containerRuntimeVersion" },
		{ "Kubelet Version", "kubeletVersion" }, { "Kube-Proxy Version", "kubeProxyVersion" },
	};
	struct model_meta ev_meta = { 0 };
	struct buf b = BUF_INIT;
	struct model_map labels;
	char roles[256], t1[64], t2[64];
	int n_pods = 0;
	size_t i;

	objapi_node_labels(node, &labels);
	objapi_node_roles(node, roles, sizeof(roles));
	buf_printf(&b, "Name:\t%s\n", n->st.name);
	buf_printf(&b, "Roles:\t%s\n", roles);
	describe_labels(&b, "Labels", &labels);
	describe_time(describe_str(md, "creationTimestamp"), t1, sizeof(t1));
	buf_printf(&b, "CreationTimestamp:\t%s\n", t1);
	if (json_array_size(json_object_get(spec, "taints")) == 0)
		buf_puts(&b, "Taints:\t<none>\n");
	json_array_foreach(json_object_get(spec, "taints"), i, x)
		buf_printf(&b, "%s\t%s:%s\n", i ? "" : "Taints:", describe_str(x, "key"),
			   describe_str(x, "effect"));
	buf_printf(&b, "Unschedulable:\t%s\n", n->st.unschedulable ? "true" : "false");
	if (lease) {
		const json_t *ls = json_object_get(lease, "spec");

		describe_time(describe_str(ls, "renewTime"), t1, sizeof(t1));
		buf_printf(&b, "Lease:\n  HolderIdentity:\t%s\n  RenewTime:\t%s\n",
			   describe_str(ls, "holderIdentity"), t1);
	}
	buf_puts(&b, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\t"
		 "Reason\tMessage\n  ----\t------\t-----------------\t------------------\t"
		 "------\t-------\n");
	json_array_foreach(json_object_get(st, "conditions"), i, x) {
		describe_time(describe_str(x, "lastHeartbeatTime"), t1, sizeof(t1));
		describe_time(describe_str(x, "lastTransitionTime"), t2, sizeof(t2));
		buf_printf(&b, "  %s\t%s\t%s\t%s\t%s\t%s\n", describe_str(x, "type"),
			   describe_str(x, "status"), t1, t2, describe_str(x, "reason"),
			   describe_str(x, "message"));
	}
	buf_puts(&b, "Addresses:\n");
	json_array_foreach(json_object_get(st, "addresses"), i, x)
		buf_printf(&b, "  %s:\t%s\n", describe_str(x, "type"), describe_str(x, "address"));
	describe_quantities(&b, "Capacity", json_object_get(st, "capacity"));
	describe_quantities(&b, "Allocatable", json_object_get(st, "allocatable"));
	buf_puts(&b, "System Info:\n");
	for (i = 0; i < sizeof(info_rows) / sizeof(info_rows[0]); i++)
		buf_printf(&b, "  %s:\t%s\n", info_rows[i][0], describe_str(info, info_rows[i][1]));
	buf_printf(&b, "PodCIDR:\t%s\n", describe_str(spec, "podCIDR"));
	for (int k = 0; k < w->n_pods; k++)
		n_pods += strcmp(w->pods[k].node, n->st.name) == 0;
	buf_printf(&b, "Non-terminated Pods:\t(%d in total)\n", n_pods);
	if (n_pods)
		buf_puts(&b, "  Namespace\tName\tAge\n  ---------\t----\t---\n");
	for (int k = 0; k < w->n_pods; k++) {
		const struct model_pod *p = &w->pods[k];

		if (strcmp(p->node, n->st.name) != 0)
			continue;
		duration_age_since(p->meta.created, t1, sizeof(t1));
		buf_printf(&b, "  %s\t%s\t%s\n", p->meta.ns, p->meta.name, t1);
	}
	/* A Node's Events are recorded in the default namespace. */
	snprintf(ev_meta.ns, sizeof(ev_meta.ns), "default");
	snprintf(ev_meta.name, sizeof(ev_meta.name), "%s", n->st.name);
	describe_events(cli, &b, "Node", &ev_meta);
	describe_flush(&b);
	buf_free(&b);
}

/* The Node's Lease in kube-node-lease, or NULL (json_decref it). */
static json_t *describe_lease(struct cli *cli, const char *node)
{
	struct objapi api;
	json_t *lease = NULL;
	char path[200];

	if (objapi_open(cli, &api) < 0)
		return NULL;
	snprintf(path, sizeof(path),
		 "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/%s", node);
	if (objapi_call(&api, "GET", path, NULL, &lease) != 200) {
		json_decref(lease);
		lease = NULL;
	}
	objapi_close(&api);
	return lease;
}

/* ---- the command ------------------------------------------------------------------ */

static void describe_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip describe TYPE [NAME...] | TYPE/NAME\n"
		"\n"
		"Shows an object in detail, as kubectl describe does. TYPE is service (svc),\n"
		"pod (po), deployment (deploy) or node (no); without NAME, every object of\n"
		"that type in the namespace (every node). A Service shows its ports,\n"
		"NodePorts, endpoints, traffic policies, health check node port and the load\n"
		"balancer's events; a node its conditions, Lease, addresses, capacity, pods\n"
		"and events.\n"
		"\n"
		"Examples:\n"
		"  clientip describe svc node-service\n"
		"  clientip describe pod -l app=node\n");
}

int cmd_describe(struct cli *cli, int argc, char **argv)
{
	const char *args[64], *selector = "";
	struct labels_selector sel;
	struct obj_world w = { 0 };
	struct lab_info li;
	enum obj_res res;
	const char *name = NULL;
	char err[256];
	int nargs = 0, status = 0, shown = 0, k;

	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;

		if (opt_is_help(argv[i])) {
			describe_usage(stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "-l", "--selector", &v)) != 0) {
			if (r < 0)
				return 2;
			selector = v;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "error: unknown flag \"%s\"\n", argv[i]);
			return 2;
		} else if (nargs < (int)(sizeof(args) / sizeof(args[0]))) {
			args[nargs++] = argv[i];
		}
	}
	if (nargs == 0) {
		fprintf(stderr, "error: You must specify the type of resource to describe.\n");
		describe_usage(stderr);
		return 2;
	}
	if ((k = obj_res_arg(args[0], &res, &name)) < 0)
		return 1;
	if (k == 1) {
		args[0] = name;
	} else {
		for (int i = 1; i < nargs; i++)
			args[i - 1] = args[i];
		nargs--;
	}
	if (labels_selector_parse(selector, &sel, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return 2;
	}
	if (res == OBJ_RES_ENDPOINTS || res == OBJ_RES_DAEMONSETS) {
		fprintf(stderr, "error: describe supports services, pods, deployments and nodes; try "
			"\"clientip get %s -o yaml\"\n", obj_res_plural(res));
		return 1;
	}
	if (obj_lab_open(cli, &li) < 0 || obj_world_load(cli, &w) < 0)
		return 1;

	for (int pass = 0; pass < (nargs ? nargs : 1); pass++) {
		const char *want = nargs ? args[pass] : NULL;
		int found = 0;

		if (res == OBJ_RES_SERVICES) {
			struct model_service *ss = NULL;
			int n = 0;

			if (objapi_list_services(cli, &ss, &n) < 0) {
				status = 1;
				break;
			}
			for (int i = 0; i < n; i++) {
				if ((!cli->all_namespaces && strcmp(ss[i].meta.ns, cli->ns) != 0) ||
				    (want && strcmp(ss[i].meta.name, want) != 0) ||
				    !labels_selector_matches(&sel, &ss[i].meta.labels))
					continue;
				if (shown++)
					putchar('\n');
				describe_service(cli, &ss[i]);
				found++;
			}
			free(ss);
		} else if (res == OBJ_RES_NODES) {
			struct objapi_node *nodes = NULL;
			int n = 0;

			if (objapi_list_nodes(cli, &nodes, &n) < 0) {
				status = 1;
				break;
			}
			for (int i = 0; i < n; i++) {
				struct model_map labels;
				json_t *lease;

				objapi_node_labels(nodes[i].obj, &labels);
				if ((want && strcmp(nodes[i].st.name, want) != 0) ||
				    !labels_selector_matches(&sel, &labels))
					continue;
				if (shown++)
					putchar('\n');
				lease = describe_lease(cli, nodes[i].st.name);
				describe_node(cli, &nodes[i], lease, &w);
				json_decref(lease);
				found++;
			}
			objapi_nodes_free(nodes, n);
		} else if (res == OBJ_RES_PODS) {
			for (int i = 0; i < w.n_pods; i++) {
				const struct model_pod *p = &w.pods[i];

				if ((!cli->all_namespaces && strcmp(p->meta.ns, cli->ns) != 0) ||
				    (want && strcmp(p->meta.name, want) != 0) ||
				    !labels_selector_matches(&sel, &p->meta.labels))
					continue;
				if (shown++)
					putchar('\n');
				describe_pod(cli, p, obj_pod_status(&w, p));
				found++;
			}
		} else {
			struct objapi_workload *ds = NULL;
			int n = 0;

			if (objapi_list_deployments(cli, &ds, &n) < 0) {
				status = 1;
				break;
			}
			for (int i = 0; i < n; i++) {
				const struct model_meta *m = &ds[i].spec.meta;

				if ((!cli->all_namespaces && strcmp(m->ns, cli->ns) != 0) ||
				    (want && strcmp(m->name, want) != 0) ||
				    !labels_selector_matches(&sel, &m->labels))
					continue;
				if (shown++)
					putchar('\n');
				describe_deployment(cli, &ds[i], &w);
				found++;
			}
			free(ds);
		}
		if (want && !found) {
			obj_err_not_found(res, want);
			status = 1;
		}
	}
	if (nargs == 0 && shown == 0 && res == OBJ_RES_NODES)
		fprintf(stderr, "No resources found\n");
	else if (nargs == 0 && shown == 0)
		fprintf(stderr, "No resources found in %s namespace.\n", cli->ns);
	obj_world_free(&w);
	return status;
}
