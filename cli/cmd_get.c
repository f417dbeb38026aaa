/* cmd_get.c — `get`: kubectl's tables, -o wide|json|yaml|name, -l, -A. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "duration.h"
#include "fsutil.h"
#include "lab.h"
#include "labels.h"
#include "objapi.h"
#include "objects.h"
#include "options.h"
#include "store.h"
#include "tabwriter.h"
#include "yaml_out.h"

enum get_output { GET_TABLE, GET_WIDE, GET_JSON, GET_YAML, GET_NAME };

struct get_ctx {
	struct cli *cli;
	struct lab_info li;
	enum get_output out;
	struct labels_selector sel;
	bool show_labels, no_headers, prefix_kind;
	bool world_loaded;
	struct obj_world world;
	struct model_service *svcs;
	int n_svcs;
	bool svcs_loaded;
	/* What is printed. */
	struct buf table;                 /* tab-separated rows of the current type */
	int rows;
	json_t *items;                    /* -o json/yaml: the objects, in order */
	int status;
};

static bool get_in_ns(const struct get_ctx *g, const char *ns)
{
	return g->cli->all_namespaces || strcmp(ns, g->cli->ns) == 0;
}

/* Whether an object is listed: in the namespace asked for (ns is NULL for
 * a cluster-scoped object), named on the command line if names were given,
 * and matched by the selector. Marks the names it answers in found, for
 * the "not found" errors. */
static bool get_selected(const struct get_ctx *g, const char *ns, const char *name,
			 const struct model_map *labels, const char *const *names, int n_names,
			 bool *found)
{
	bool named = n_names == 0;

	if (ns && !get_in_ns(g, ns))
		return false;
	for (int k = 0; k < n_names; k++)
		if (strcmp(names[k], name) == 0)
			named = true;
	if (!named || !labels_selector_matches(&g->sel, labels))
		return false;
	for (int k = 0; k < n_names; k++)
		if (strcmp(names[k], name) == 0)
			found[k] = true;
	return true;
}

static int get_load_world(struct get_ctx *g)
{
	if (g->world_loaded)
		return 0;
	if (obj_world_load(g->cli, &g->world) < 0)
		return -1;
	g->world_loaded = true;
	return 0;
}

static int get_load_svcs(struct get_ctx *g)
{
	if (g->svcs_loaded)
		return 0;
	if (objapi_list_services(g->cli, &g->svcs, &g->n_svcs) < 0)
		return -1;
	g->svcs_loaded = true;
	return 0;
}

/* Starts a row: NAMESPACE with -A, then the name (kind-prefixed when
 * several types are listed). */
static void get_row_start(struct get_ctx *g, enum obj_res res, const char *ns, const char *name)
{
	if (g->cli->all_namespaces && obj_res_namespaced(res))
		buf_printf(&g->table, "%s\t", ns);
	if (g->prefix_kind)
		buf_printf(&g->table, "%s/%s", obj_res_singular(res), name);
	else
		buf_puts(&g->table, name);
	g->rows++;
}

static void get_row_end(struct get_ctx *g, const struct model_map *labels)
{
	if (g->show_labels) {
		char l[2048];

		labels_format(labels, l, sizeof(l));
		buf_printf(&g->table, "\t%s", l);
	}
	buf_putc(&g->table, '\n');
}

static void get_header(struct get_ctx *g, enum obj_res res, const char *cols, const char *wide)
{
	if (g->no_headers)
		return;
	if (g->cli->all_namespaces && obj_res_namespaced(res))
		buf_puts(&g->table, "NAMESPACE\t");
	buf_puts(&g->table, cols);
	if (g->out == GET_WIDE && wide)
		buf_puts(&g->table, wide);
	if (g->show_labels)
		buf_puts(&g->table, "\tLABELS");
	buf_putc(&g->table, '\n');
}

static bool get_structured(const struct get_ctx *g)
{
	return g->out == GET_JSON || g->out == GET_YAML;
}

/* -o json/yaml: one more object (v a new reference, NULL on OOM). */
static void get_item(struct get_ctx *g, json_t *v)
{
	if (!v || json_array_append_new(g->items, v) < 0) {
		fprintf(stderr, "error: out of memory\n");
		g->status = 1;
	}
}

/* -o name prints here. Returns true if the caller should add a table row. */
static bool get_emit(struct get_ctx *g, enum obj_res res, const char *name)
{
	if (g->out == GET_NAME) {
		printf("%s/%s\n", obj_res_singular(res), name);
		g->rows++;
		return false;
	}
	return !get_structured(g);
}

/* ---- nodes -------------------------------------------------------------------- */

static const char *get_node_info(const json_t *node, const char *key)
{
	const char *v = json_string_value(json_object_get(
		json_object_get(json_object_get(node, "status"), "nodeInfo"), key));

	return v && *v ? v : "<unknown>";
}

static void get_nodes(struct get_ctx *g, const char *const *names, int n_names, bool *found)
{
	struct objapi_node *nodes;
	int n;

	if (objapi_list_nodes(g->cli, &nodes, &n) < 0) {
		g->status = 1;
		return;
	}
	get_header(g, OBJ_RES_NODES, "NAME\tSTATUS\tROLES\tAGE\tVERSION",
		   "\tINTERNAL-IP\tEXTERNAL-IP\tOS-IMAGE\tKERNEL-VERSION\tCONTAINER-RUNTIME");
	for (int i = 0; i < n; i++) {
		const json_t *node = nodes[i].obj;
		const char *name = nodes[i].st.name;
		const char *created = json_string_value(
			json_object_get(json_object_get(node, "metadata"), "creationTimestamp"));
		bool cordoned = json_is_true(json_object_get(json_object_get(node, "spec"),
							     "unschedulable"));
		char age[32], ip[INET_ADDRSTRLEN] = "<none>", roles[256];
		struct model_map labels;

		objapi_node_labels(node, &labels);
		if (!get_selected(g, NULL, name, &labels, names, n_names, found))
			continue;
		if (get_structured(g))
			get_item(g, json_deep_copy(node));
		if (!get_emit(g, OBJ_RES_NODES, name))
			continue;
		duration_age_since(created ? created : "", age, sizeof(age));
		objapi_node_roles(node, roles, sizeof(roles));
		if (nodes[i].st.addr.s_addr)
			inet_ntop(AF_INET, &nodes[i].st.addr, ip, sizeof(ip));
		get_row_start(g, OBJ_RES_NODES, "", name);
		buf_printf(&g->table, "\t%s%s\t%s\t%s\t%s",
			   nodes[i].st.posted_ready ? "Ready" : "NotReady",
			   cordoned ? ",SchedulingDisabled" : "", roles, age,
			   get_node_info(node, "kubeletVersion"));
		if (g->out == GET_WIDE)
			buf_printf(&g->table, "\t%s\t<none>\t%s\t%s\t%s", ip,
				   get_node_info(node, "osImage"), get_node_info(node, "kernelVersion"),
				   get_node_info(node, "containerRuntimeVersion"));
		get_row_end(g, &labels);
	}
	objapi_nodes_free(nodes, n);
}

/* ---- pods ------------------------------------------------------------------- */

static void get_pods(struct get_ctx *g, const char *const *names, int n_names, bool *found)
{
	if (get_load_world(g) < 0) {
		g->status = 1;
		return;
	}
	get_header(g, OBJ_RES_PODS, "NAME\tREADY\tSTATUS\tRESTARTS\tAGE",
		   "\tIP\tNODE\tNOMINATED NODE\tREADINESS GATES");
	for (int i = 0; i < g->world.n_pods; i++) {
		const struct model_pod *p = &g->world.pods[i];
		const struct model_pod_status *st = obj_pod_status(&g->world, p);
		int n = p->spec.n_containers;
		char age[32], ip[INET_ADDRSTRLEN];

		if (!get_selected(g, p->meta.ns, p->meta.name, &p->meta.labels, names, n_names,
				  found))
			continue;
		if (get_structured(g))
			get_item(g, model_pod_to_value(p, st));
		if (!get_emit(g, OBJ_RES_PODS, p->meta.name))
			continue;
		duration_age_since(p->meta.created, age, sizeof(age));
		get_row_start(g, OBJ_RES_PODS, p->meta.ns, p->meta.name);
		/* A terminating pod shows its containers' readiness, as kubectl does. */
		buf_printf(&g->table, "\t%d/%d\t%s\t%d\t%s", st && st->ready ? n : 0, n,
			   obj_pod_phase_text(p, st), st ? st->restarts : 0, age);
		if (g->out == GET_WIDE)
			buf_printf(&g->table, "\t%s\t%s\t<none>\t<none>",
				   p->ip.s_addr ? inet_ntop(AF_INET, &p->ip, ip, sizeof(ip)) : "<none>",
				   p->node[0] ? p->node : "<none>");
		get_row_end(g, &p->meta.labels);
	}
}

/* ---- services ----------------------------------------------------------------- */

/* EXTERNAL-IP as kubectl prints it: the load balancer's ingress address
 * and spec.externalIPs, comma-separated; <pending> for a LoadBalancer
 * without either, <none> for other types without externalIPs. */
static void get_svc_external_ip(const struct model_service *s, char *buf, size_t len)
{
	size_t used = 0;
	char ip[INET_ADDRSTRLEN];

	buf[0] = '\0';
	if (s->type == MODEL_SVC_LOAD_BALANCER && s->ingress_ip.s_addr)
		used += (size_t)snprintf(buf, len, "%s",
					 inet_ntop(AF_INET, &s->ingress_ip, ip, sizeof(ip)));
	for (int i = 0; i < s->n_external_ips && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
					 inet_ntop(AF_INET, &s->external_ips[i], ip, sizeof(ip)));
	if (!buf[0])
		snprintf(buf, len, "%s", s->type == MODEL_SVC_LOAD_BALANCER ? "<pending>" : "<none>");
}

static void get_svc_ports(const struct model_service *s, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (s->n_ports == 0)
		snprintf(buf, len, "<none>");
	for (int k = 0; k < s->n_ports && o < len; k++) {
		const struct model_service_port *p = &s->ports[k];
		int w;

		if (p->node_port)
			w = snprintf(buf + o, len - o, "%s%d:%d/%s", k ? "," : "", p->port, p->node_port,
				     model_proto_name(p->proto));
		else
			w = snprintf(buf + o, len - o, "%s%d/%s", k ? "," : "", p->port,
				     model_proto_name(p->proto));
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static void get_services(struct get_ctx *g, const char *const *names, int n_names, bool *found)
{
	if (get_load_svcs(g) < 0) {
		g->status = 1;
		return;
	}
	get_header(g, OBJ_RES_SERVICES, "NAME\tTYPE\tCLUSTER-IP\tEXTERNAL-IP\tPORT(S)\tAGE",
		   "\tSELECTOR");
	for (int i = 0; i < g->n_svcs; i++) {
		const struct model_service *s = &g->svcs[i];
		char age[32], cip[INET_ADDRSTRLEN], eip[256], ports[512], sel[1024];

		if (!get_selected(g, s->meta.ns, s->meta.name, &s->meta.labels, names, n_names,
				  found))
			continue;
		if (get_structured(g))
			get_item(g, model_service_to_value(s));
		if (!get_emit(g, OBJ_RES_SERVICES, s->meta.name))
			continue;
		duration_age_since(s->meta.created, age, sizeof(age));
		get_svc_external_ip(s, eip, sizeof(eip));
		get_svc_ports(s, ports, sizeof(ports));
		get_row_start(g, OBJ_RES_SERVICES, s->meta.ns, s->meta.name);
		buf_printf(&g->table, "\t%s\t%s\t%s\t%s\t%s", model_service_type_name(s->type),
			   s->cluster_ip.s_addr ? inet_ntop(AF_INET, &s->cluster_ip, cip, sizeof(cip))
						: "<none>", eip, ports, age);
		if (g->out == GET_WIDE) {
			labels_format(&s->selector, sel, sizeof(sel));
			buf_printf(&g->table, "\t%s", sel);
		}
		get_row_end(g, &s->meta.labels);
	}
}

/* ---- endpoints ---------------------------------------------------------------- */

/* kubectl's formatEndpoints: ready addresses, "ip:port" for every port,
 * at most three, then " + N more...". */
static void get_format_endpoints(const struct model_endpoints *e, int only_port, char *buf,
				 size_t len)
{
	int shown = 0, total = 0, nports = e->n_ports > 0 ? e->n_ports : MODEL_MAX_PORTS;
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < e->n; i++) {
		const struct model_endpoint *ep = &e->items[i];
		char ip[INET_ADDRSTRLEN];

		if (!ep->ready)
			continue;
		inet_ntop(AF_INET, &ep->addr, ip, sizeof(ip));
		for (int j = 0; j < nports && j < MODEL_MAX_PORTS; j++) {
			if (!ep->ports[j] || (only_port >= 0 && j != only_port))
				continue;
			total++;
			if (shown < 3 && o < len) {
				int w = snprintf(buf + o, len - o, "%s%s:%d", shown ? "," : "", ip,
						 ep->ports[j]);

				if (w > 0)
					o += (size_t)w;
				shown++;
			}
		}
	}
	if (total == 0)
		snprintf(buf, len, "<none>");
	else if (total > shown && o < len)
		snprintf(buf + o, len - o, " + %d more...", total - shown);
}

static void get_endpoints(struct get_ctx *g, const char *const *names, int n_names, bool *found)
{
	struct model_endpoints *eps = NULL;
	int n = 0;

	if (get_load_svcs(g) < 0 || objapi_list_endpoints(g->cli, &eps, &n) < 0) {
		g->status = 1;
		return;
	}
	get_header(g, OBJ_RES_ENDPOINTS, "NAME\tENDPOINTS\tAGE", NULL);
	for (int i = 0; i < n; i++) {
		const struct model_endpoints *e = &eps[i];
		const struct model_service *svc = NULL;
		static const struct model_map none;
		char list[512], age[32];

		for (int k = 0; k < g->n_svcs; k++)
			if (strcmp(g->svcs[k].meta.ns, e->ns) == 0 &&
			    strcmp(g->svcs[k].meta.name, e->name) == 0)
				svc = &g->svcs[k];
		if (!get_selected(g, e->ns, e->name, svc ? &svc->meta.labels : &none, names,
				  n_names, found))
			continue;
		if (get_structured(g))
			get_item(g, model_endpoints_to_value(e));
		if (!get_emit(g, OBJ_RES_ENDPOINTS, e->name))
			continue;
		get_format_endpoints(e, -1, list, sizeof(list));
		duration_age_since(svc ? svc->meta.created : NULL, age, sizeof(age));
		get_row_start(g, OBJ_RES_ENDPOINTS, e->ns, e->name);
		buf_printf(&g->table, "\t%s\t%s", list, age);
		get_row_end(g, svc ? &svc->meta.labels : &none);
	}
	for (int i = 0; i < n; i++)
		model_endpoints_free(&eps[i]);
	free(eps);
}

/* ---- deployments -------------------------------------------------------------- */

/* -o wide's CONTAINERS IMAGES SELECTOR of a Deployment or DaemonSet. */
static void get_wide_template(struct get_ctx *g, const struct model_deployment *d)
{
	char sel[1024];

	buf_putc(&g->table, '\t');
	for (int c = 0; c < d->pod.n_containers; c++)
		buf_printf(&g->table, "%s%s", c ? "," : "", d->pod.containers[c].name);
	buf_putc(&g->table, '\t');
	for (int c = 0; c < d->pod.n_containers; c++)
		buf_printf(&g->table, "%s%s", c ? "," : "", d->pod.containers[c].image);
	labels_format(&d->selector, sel, sizeof(sel));
	buf_printf(&g->table, "\t%s", sel);
}

static void get_deployments(struct get_ctx *g, const char *const *names, int n_names, bool *found)
{
	struct objapi_workload *ds = NULL;
	int n = 0;

	if (get_load_world(g) < 0 || objapi_list_deployments(g->cli, &ds, &n) < 0) {
		g->status = 1;
		return;
	}
	get_header(g, OBJ_RES_DEPLOYMENTS, "NAME\tREADY\tUP-TO-DATE\tAVAILABLE\tAGE",
		   "\tCONTAINERS\tIMAGES\tSELECTOR");
	for (int i = 0; i < n; i++) {
		const struct model_deployment *d = &ds[i].spec;
		struct model_deployment_status st;
		bool observed;
		char age[32];

		if (!get_selected(g, d->meta.ns, d->meta.name, &d->meta.labels, names, n_names,
				  found))
			continue;
		obj_deployment_status(&ds[i], &g->world, &st, &observed);
		if (get_structured(g))
			get_item(g, model_deployment_with_status_to_value(d, &st));
		if (!get_emit(g, OBJ_RES_DEPLOYMENTS, d->meta.name))
			continue;
		duration_age_since(d->meta.created, age, sizeof(age));
		get_row_start(g, OBJ_RES_DEPLOYMENTS, d->meta.ns, d->meta.name);
		buf_printf(&g->table, "\t%d/%d\t%d\t%d\t%s", st.ready_replicas, d->replicas,
			   st.updated_replicas, st.available_replicas, age);
		if (g->out == GET_WIDE)
			get_wide_template(g, d);
		get_row_end(g, &d->meta.labels);
	}
	free(ds);
}

static void get_daemonsets(struct get_ctx *g, const char *const *names, int n_names, bool *found)
{
	struct objapi_workload *ds = NULL;
	int n = 0;

	if (objapi_list_daemonsets(g->cli, &ds, &n) < 0) {
		g->status = 1;
		return;
	}
	get_header(g, OBJ_RES_DAEMONSETS,
		   "NAME\tDESIRED\tCURRENT\tREADY\tUP-TO-DATE\tAVAILABLE\tNODE SELECTOR\tAGE",
		   "\tCONTAINERS\tIMAGES\tSELECTOR");
	for (int i = 0; i < n; i++) {
		const struct model_deployment *d = &ds[i].spec;
		const struct model_deployment_status *st = &ds[i].status;
		char age[32];

		if (!get_selected(g, d->meta.ns, d->meta.name, &d->meta.labels, names, n_names,
				  found))
			continue;
		if (get_structured(g))
			get_item(g, model_deployment_with_status_to_value(d, st));
		if (!get_emit(g, OBJ_RES_DAEMONSETS, d->meta.name))
			continue;
		duration_age_since(d->meta.created, age, sizeof(age));
		get_row_start(g, OBJ_RES_DAEMONSETS, d->meta.ns, d->meta.name);
		/* The lab's pods have no nodeSelector. */
		buf_printf(&g->table, "\t%d\t%d\t%d\t%d\t%d\t<none>\t%s", st->desired_scheduled,
			   st->replicas, st->ready_replicas, st->updated_replicas,
			   st->available_replicas, age);
		if (g->out == GET_WIDE)
			get_wide_template(g, d);
		get_row_end(g, &d->meta.labels);
	}
	free(ds);
}

/* ---- the command ------------------------------------------------------------ */

static void get_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip get TYPE[,TYPE...] [NAME...] [-o wide|json|yaml|name] [-l SELECTOR]\n"
		"                    [--show-labels] [--no-headers]\n"
		"       clientip get TYPE/NAME...\n"
		"\n"
		"Lists objects as kubectl does. TYPE: nodes (no), pods (po), services (svc),\n"
		"endpoints (ep), deployments (deploy), daemonsets (ds), or all (pods, services,\n"
		"daemonsets, deployments).\n"
		"-n NS picks the namespace, -A lists all of them (NAMESPACE column).\n"
		"-o json / -o yaml print the objects in their Kubernetes shape (a List when\n"
		"more than one object was asked for).\n"
		"\n"
		"Examples:\n"
		"  clientip get svc node-service\n"
		"  clientip get pods -o wide -l app=node\n"
		"  clientip get deploy,svc -A\n"
		"  clientip get svc node-service -o yaml\n");
}

static void get_flush_table(struct get_ctx *g, bool *printed_any)
{
	if (g->out == GET_JSON || g->out == GET_YAML || g->out == GET_NAME)
		return;
	if (g->rows > 0) {
		if (*printed_any)
			putchar('\n');
		tabwriter_write(stdout, buf_str(&g->table), 6, 3);
		*printed_any = true;
	}
	buf_reset(&g->table);
	g->rows = 0;
}

static int get_print_items(struct get_ctx *g, bool single)
{
	struct buf yaml = BUF_INIT;
	json_t *doc;
	char err[256], *text;
	int rc = 0;

	/* One object asked for and found: itself; else kubectl's List. */
	if (single && json_array_size(g->items) == 1)
		doc = json_incref(json_array_get(g->items, 0));
	else
		doc = json_pack("{s:s, s:O, s:s, s:{s:s}}", "apiVersion", "v1", "items", g->items,
				"kind", "List", "metadata", "resourceVersion", "");
	/* Indented by two, as kubectl prints. */
	text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	if (!text) {
		fprintf(stderr, "error: out of memory\n");
		g->status = 1;
		return -1;
	}
	if (g->out == GET_JSON) {
		fputs(text, stdout);
		putchar('\n');
	} else if ((rc = yaml_out_from_json(text, strlen(text), &yaml, err, sizeof(err))) == 0) {
		fputs(buf_str(&yaml), stdout);
	} else {
		fprintf(stderr, "error: %s\n", err);
	}
	free(text);
	buf_free(&yaml);
	return rc;
}

int cmd_get(struct cli *cli, int argc, char **argv)
{
	struct get_ctx g = { .cli = cli, .table = BUF_INIT };
	const char *args[64], *types_arg = NULL, *selector = "";
	enum obj_res types[OBJ_RES_COUNT * 2];
	const char *slash_names[64];
	enum obj_res slash_types[64];
	int nargs = 0, ntypes = 0, nslash = 0;
	bool printed_any = false;
	char err[256];

	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;

		if (opt_is_help(argv[i])) {
			get_usage(stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "-o", "--output", &v)) != 0) {
			if (r < 0)
				return 2;
			if (strcmp(v, "wide") == 0)
				g.out = GET_WIDE;
			else if (strcmp(v, "json") == 0)
				g.out = GET_JSON;
			else if (strcmp(v, "yaml") == 0)
				g.out = GET_YAML;
			else if (strcmp(v, "name") == 0)
				g.out = GET_NAME;
			else {
				fprintf(stderr, "error: unable to match a printer suitable for the output "
					"format \"%s\", allowed formats are: json,name,wide,yaml\n", v);
				return 2;
			}
		} else if ((r = opt_value(argc, argv, &i, "-l", "--selector", &v)) != 0) {
			if (r < 0)
				return 2;
			selector = v;
		} else if (strcmp(argv[i], "--show-labels") == 0) {
			g.show_labels = true;
		} else if (strcmp(argv[i], "--no-headers") == 0) {
			g.no_headers = true;
		} else if (strcmp(argv[i], "-w") == 0 || strcmp(argv[i], "--watch") == 0) {
			fprintf(stderr, "error: --watch is not supported; try `watch clientip get ...`\n");
			return 2;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "error: unknown flag \"%s\"\n", argv[i]);
			return 2;
		} else if (nargs < (int)(sizeof(args) / sizeof(args[0]))) {
			args[nargs++] = argv[i];
		}
	}
	if (nargs == 0) {
		fprintf(stderr, "error: you must specify the type of resource to get. Use "
			"\"clientip get --help\" for the list of types.\n");
		return 2;
	}
	if (labels_selector_parse(selector, &g.sel, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return 2;
	}
	if (strchr(args[0], '/')) {
		for (int i = 0; i < nargs; i++) {
			const char *name = NULL;

			if (obj_res_arg(args[i], &slash_types[nslash], &name) != 1) {
				if (name == NULL && strchr(args[i], '/') == NULL)
					fprintf(stderr, "error: there is no need to specify a resource type "
						"as a separate argument when passing arguments in "
						"resource/name form\n");
				return 1;
			}
			slash_names[nslash++] = name;
		}
	} else {
		char copy[256], *save = NULL, *tok;

		types_arg = args[0];
		snprintf(copy, sizeof(copy), "%s", types_arg);
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (strcmp(tok, "all") == 0) {
				types[ntypes++] = OBJ_RES_PODS;
				types[ntypes++] = OBJ_RES_SERVICES;
				types[ntypes++] = OBJ_RES_DAEMONSETS;
				types[ntypes++] = OBJ_RES_DEPLOYMENTS;
				g.prefix_kind = true;
			} else if (ntypes < OBJ_RES_COUNT * 2 - 4 && obj_res_parse(tok, &types[ntypes]) == 0) {
				ntypes++;
			} else {
				obj_err_unknown_type(tok);
				return 1;
			}
		}
		if (ntypes > 1)
			g.prefix_kind = true;
	}
	if (obj_lab_open(cli, &g.li) < 0)
		return 1;
	/* Made once the arguments are taken, so that no early return
	 * leaves it behind. */
	g.items = json_array();
	if (!g.items) {
		fprintf(stderr, "error: out of memory\n");
		return 1;
	}
	if (nslash > 0) {
		/* Each TYPE/NAME on its own, in the order given. */
		for (int i = 0; i < nslash; i++) {
			bool found = false;
			const char *one[1] = { slash_names[i] };

			g.prefix_kind = nslash > 1 || g.prefix_kind;
			switch (slash_types[i]) {
			case OBJ_RES_NODES: get_nodes(&g, one, 1, &found); break;
			case OBJ_RES_PODS: get_pods(&g, one, 1, &found); break;
			case OBJ_RES_SERVICES: get_services(&g, one, 1, &found); break;
			case OBJ_RES_ENDPOINTS: get_endpoints(&g, one, 1, &found); break;
			case OBJ_RES_DAEMONSETS: get_daemonsets(&g, one, 1, &found); break;
			default: get_deployments(&g, one, 1, &found); break;
			}
			if (!found) {
				if (g.rows > 0 || g.no_headers)
					get_flush_table(&g, &printed_any);
				buf_reset(&g.table);
				g.rows = 0;
				obj_err_not_found(slash_types[i], slash_names[i]);
				g.status = 1;
				continue;
			}
			get_flush_table(&g, &printed_any);
		}
	} else {
		const char *const *names = (const char *const *)args + 1;
		int n_names = nargs - 1;
		bool found[64] = { false };

		for (int t = 0; t < ntypes; t++) {
			switch (types[t]) {
			case OBJ_RES_NODES: get_nodes(&g, names, n_names, found); break;
			case OBJ_RES_PODS: get_pods(&g, names, n_names, found); break;
			case OBJ_RES_SERVICES: get_services(&g, names, n_names, found); break;
			case OBJ_RES_ENDPOINTS: get_endpoints(&g, names, n_names, found); break;
			case OBJ_RES_DAEMONSETS: get_daemonsets(&g, names, n_names, found); break;
			default: get_deployments(&g, names, n_names, found); break;
			}
			get_flush_table(&g, &printed_any);
		}
		for (int k = 0; k < n_names; k++) {
			if (found[k])
				continue;
			obj_err_not_found(types[0], names[k]);
			g.status = 1;
		}
		if (n_names == 0 && g.rows == 0 && !printed_any && !get_structured(&g)) {
			if (cli->all_namespaces || (ntypes == 1 && !obj_res_namespaced(types[0])))
				fprintf(stderr, "No resources found\n");
			else
				fprintf(stderr, "No resources found in %s namespace.\n", cli->ns);
		}
	}
	if (g.out == GET_JSON || g.out == GET_YAML) {
		bool single = nslash == 1 || (nslash == 0 && nargs == 2 && ntypes == 1);

		if (json_array_size(g.items) > 0 || !single)
			get_print_items(&g, single);
	}
	if (g.world_loaded)
		obj_world_free(&g.world);
	free(g.svcs);
	json_decref(g.items);
	buf_free(&g.table);
	return g.status;
}
