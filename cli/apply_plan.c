/* apply_plan.c — apply and create's plan for each object of a manifest
 * file (apply_int.h): compared with what the API server holds (immutable
 * fields, created/configured/unchanged), with what the server keeps of
 * the stored object (allocated ClusterIPs and NodePorts), and with the
 * file's other Services, whose ClusterIPs and node ports the dry run
 * cannot compare as it sends one object at a time.
 */
#include "apply_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

/* ---- comparing ------------------------------------------------------------- */

static int apply_kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct model_kv *)a)->key, ((const struct model_kv *)b)->key);
}

static void apply_sort_map(struct model_map *m)
{
	qsort(m->items, (size_t)m->n, sizeof(m->items[0]), apply_kv_cmp);
}

static bool apply_map_equal(const struct model_map *a, const struct model_map *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++) {
		const char *v = model_map_get(b, a->items[i].key);

		if (!v || strcmp(v, a->items[i].value) != 0)
			return false;
	}
	return true;
}

/* x and y (both released here) are equal; false when either could not
 * be made. */
static bool apply_json_equal(json_t *x, json_t *y)
{
	bool eq = x && y && json_equal(x, y);

	json_decref(x);
	json_decref(y);
	return eq;
}

/* Equal Kubernetes JSON means equal objects: the store writes and reads
 * exactly that, and it leaves out nothing that matters. Maps are sorted
 * first so that reordering labels is no change, as for the API server. */
static bool apply_deployment_spec_equal(const struct model_deployment *a,
					const struct model_deployment *b)
{
	struct model_deployment *x = malloc(sizeof(*x)), *y = malloc(sizeof(*y));
	bool eq = false;

	if (!x || !y)
		goto out;
	*x = *a;
	*y = *b;
	/* Only the spec: metadata is compared on its own. */
	memset(&x->meta, 0, sizeof(x->meta));
	memset(&y->meta, 0, sizeof(y->meta));
	apply_sort_map(&x->selector);
	apply_sort_map(&y->selector);
	apply_sort_map(&x->template_labels);
	apply_sort_map(&y->template_labels);
	apply_sort_map(&x->template_annotations);
	apply_sort_map(&y->template_annotations);
	eq = apply_json_equal(model_deployment_to_value(x), model_deployment_to_value(y));
out:
	free(x);
	free(y);
	return eq;
}

static bool apply_service_spec_equal(const struct model_service *a, const struct model_service *b)
{
	struct model_service x = *a, y = *b;

	memset(&x.meta, 0, sizeof(x.meta));
	memset(&y.meta, 0, sizeof(y.meta));
	x.ingress_ip.s_addr = y.ingress_ip.s_addr = 0;
	apply_sort_map(&x.selector);
	apply_sort_map(&y.selector);
	return apply_json_equal(model_service_to_value(&x), model_service_to_value(&y));
}

static bool apply_meta_equal(const struct model_meta *a, const struct model_meta *b)
{
	return apply_map_equal(&a->labels, &b->labels) &&
	       apply_map_equal(&a->annotations, &b->annotations);
}

/* ---- what the server keeps ---------------------------------------------------- */

bool apply_same(const struct model_meta *m, const char *ns, const char *name)
{
	return strcmp(m->ns, ns) == 0 && strcmp(m->name, name) == 0;
}

/* Is this ClusterIP asked for by another Service of the file? */
static bool apply_ip_taken(const struct apply_view *v, const char *ns, const char *name,
			   struct in_addr ip)
{
	for (int i = 0; i < v->n; i++)
		if (!apply_same(&v->svcs[i].meta, ns, name) && v->svcs[i].cluster_ip.s_addr == ip.s_addr)
			return true;
	return false;
}

/* Is this node port (NodePort or health check) asked for by another Service
 * of the file? */
static bool apply_port_taken(const struct apply_view *v, const char *ns, const char *name, int port)
{
	for (int i = 0; i < v->n; i++) {
		const struct model_service *s = &v->svcs[i];

		if (apply_same(&s->meta, ns, name))
			continue;
		if (s->health_check_node_port == port)
			return true;
		for (int k = 0; k < s->n_ports; k++)
			if (s->ports[k].node_port == port)
				return true;
	}
	return false;
}

/* Held by this Service's own ports (other than index skip) or health check? */
static bool apply_port_own(const struct model_service *s, int port, int skip)
{
	if (s->health_check_node_port == port)
		return true;
	for (int k = 0; k < s->n_ports; k++)
		if (k != skip && s->ports[k].node_port == port)
			return true;
	return false;
}

static void apply_view_put(struct apply_view *v, const struct model_service *s)
{
	struct model_service *n;

	for (int i = 0; i < v->n; i++)
		if (apply_same(&v->svcs[i].meta, s->meta.ns, s->meta.name)) {
			v->svcs[i] = *s;
			return;
		}
	n = realloc(v->svcs, sizeof(*n) * (size_t)(v->n + 1));
	if (!n)
		return;  /* the server still refuses a conflict, one request later */
	v->svcs = n;
	v->svcs[v->n++] = *s;
}

/* What the server keeps of an existing Service when the file leaves it out
 * (the ClusterIP, the NodePort of the same service port, the health check
 * port) is filled in here too, so that an unchanged file compares equal;
 * what is new the server allocates. */
static void apply_keep_service(struct apply_ctx *c, struct manifest_object *o,
			       const struct model_service *old)
{
	struct model_service *s = &o->service;
	const char *ns = s->meta.ns, *name = s->meta.name;
	char ip[INET_ADDRSTRLEN], field[64];

	if (s->cluster_ip.s_addr) {
		inet_ntop(AF_INET, &s->cluster_ip, ip, sizeof(ip));
		if (old && old->cluster_ip.s_addr && old->cluster_ip.s_addr != s->cluster_ip.s_addr)
			manifest_add_error(c->m, o->cluster_ip_pos, "spec.clusterIP",
					   "Invalid value: \"%s\": field is immutable", ip);
		else if (apply_ip_taken(&c->view, ns, name, s->cluster_ip))
			manifest_add_error(c->m, o->cluster_ip_pos, "spec.clusterIPs",
					   "Invalid value: []string{\"%s\"}: failed to allocate IP "
					   "%s: provided IP is already allocated", ip, ip);
	} else if (old && old->cluster_ip.s_addr) {
		s->cluster_ip = old->cluster_ip;
	}

	if (s->type == MODEL_SVC_CLUSTER_IP) {
		for (int k = 0; k < s->n_ports; k++)
			s->ports[k].node_port = 0;
	}
	for (int k = 0; k < s->n_ports && s->type != MODEL_SVC_CLUSTER_IP; k++) {
		int p = s->ports[k].node_port;

		if (p && apply_port_taken(&c->view, ns, name, p)) {
			snprintf(field, sizeof(field), "spec.ports[%d].nodePort", k);
			manifest_add_error(c->m, o->node_port_pos[k], field,
					   "Invalid value: %d: provided port is already allocated", p);
		}
	}
	if (s->health_check_node_port && apply_port_taken(&c->view, ns, name, s->health_check_node_port))
		manifest_add_error(c->m, o->hc_node_port_pos, "spec.healthCheckNodePort",
				   "Invalid value: %d: provided port is already allocated",
				   s->health_check_node_port);
	for (int k = 0; k < s->n_ports && s->type != MODEL_SVC_CLUSTER_IP; k++) {
		struct model_service_port *sp = &s->ports[k];

		/* The same service port (number and protocol) keeps its NodePort. */
		for (int j = 0; !sp->node_port && old && old->type != MODEL_SVC_CLUSTER_IP &&
				j < old->n_ports; j++) {
			const struct model_service_port *op = &old->ports[j];

			if (op->node_port && op->port == sp->port && op->proto == sp->proto &&
			    !apply_port_own(s, op->node_port, k))
				sp->node_port = op->node_port;
		}
	}
	/* healthCheckNodePort: only LoadBalancer + Local; released otherwise. */
	if (s->type == MODEL_SVC_LOAD_BALANCER && s->external_policy == MODEL_POLICY_LOCAL) {
		if (!s->health_check_node_port && old && old->health_check_node_port &&
		    !apply_port_own(s, old->health_check_node_port, -1))
			s->health_check_node_port = old->health_check_node_port;
	} else {
		s->health_check_node_port = 0;
	}
}

/* ---- planning ---------------------------------------------------------------- */

/* The object as an earlier document of this file leaves it, if any. */
static const struct manifest_object *apply_earlier(struct apply_item *items, int upto,
						   enum manifest_kind kind, const struct model_meta *m)
{
	for (int i = upto - 1; i >= 0; i--)
		if (items[i].o->kind == kind && apply_same(manifest_object_meta(items[i].o), m->ns,
								   m->name))
			return items[i].o;
	return NULL;
}

void apply_already_exists(struct apply_ctx *c, struct manifest_object *o)
{
	const struct model_meta *m = manifest_object_meta(o);

	buf_printf(&c->server_errors, "Error from server (AlreadyExists): error when creating "
		   "\"%s\": %s \"%s\" already exists\n", c->m->file,
		   o->kind == MANIFEST_DEPLOYMENT ? "deployments.apps"
		   : o->kind == MANIFEST_DAEMONSET ? "daemonsets.apps" : "services", m->name);
}

static void apply_selector_go(const struct model_map *m, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "v1.LabelSelector{MatchLabels:map[string]string{");

	for (int i = 0; i < m->n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s\"%s\":\"%s\"", i ? ", " : "",
				      m->items[i].key, m->items[i].value);
	if (o < len)
		snprintf(buf + o, len - o, "}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}");
}

int apply_plan(struct apply_ctx *c, struct apply_item *items, int idx)
{
	struct apply_item *it = &items[idx];
	struct manifest_object *o = it->o;
	struct model_meta *meta = o->kind != MANIFEST_SERVICE ? &o->deployment.meta
							      : &o->service.meta;
	const struct manifest_object *earlier = apply_earlier(items, idx, o->kind, meta);
	char err[256], now[MODEL_TIME_MAX];
	bool spec_changed, meta_changed;
	int rc;

	it->old = calloc(1, sizeof(*it->old));
	if (!it->old) {
		fprintf(stderr, "error: out of memory\n");
		return -1;
	}
	it->old->kind = o->kind;
	if (earlier) {
		*it->old = *earlier;
		rc = 0;
	} else {
		char path[512];
		int code;

		objapi_path(objapi_resource(o->kind), meta->ns, meta->name, NULL, path,
			    sizeof(path));
		code = objapi_call(c->api, "GET", path, NULL, &it->cur);
		if (code < 0)
			return -1;
		if (code == 404) {
			json_decref(it->cur);
			it->cur = NULL;
			rc = -ENOENT;
		} else if (code != 200) {
			fprintf(stderr, "Error from server (%s): %s\n", objapi_reason(it->cur),
				objapi_message(it->cur));
			return -1;
		} else {
			rc = o->kind != MANIFEST_SERVICE
			     ? objapi_to_deployment(it->cur, &it->old->deployment, err, sizeof(err))
			     : objapi_to_service(it->cur, &it->old->service, err, sizeof(err));
		}
	}
	if (rc < 0 && rc != -ENOENT) {
		fprintf(stderr, "error: %s \"%s\" as the API server has it: %s\n",
			manifest_kind_resource(o->kind), meta->name, err);
		return -1;
	}
	it->existed = rc == 0;
	if (it->existed && c->mode == APPLY_CREATE && !earlier)
		apply_already_exists(c, o);

	if (o->kind != MANIFEST_SERVICE) {
		struct model_deployment *d = &o->deployment, *od = &it->old->deployment;

		if (it->existed) {
			if (!apply_map_equal(&d->selector, &od->selector)) {
				char go[512];

				apply_selector_go(&d->selector, go, sizeof(go));
				manifest_add_error(c->m, o->selector_pos, "spec.selector",
						   "Invalid value: %s: field is immutable", go);
			}
			/* What apply did not write, a later command may have: a
			 * scaled replica count, `rollout restart`'s annotation. */
			if (!o->replicas_set)
				d->replicas = od->replicas;
			if (!model_map_get(&d->template_annotations, APPLY_RESTARTED_AT) &&
			    model_map_get(&od->template_annotations, APPLY_RESTARTED_AT))
				model_map_set(&d->template_annotations, APPLY_RESTARTED_AT,
					      model_map_get(&od->template_annotations,
							    APPLY_RESTARTED_AT));
		}
	} else {
		apply_keep_service(c, o, it->existed ? &it->old->service : NULL);
		apply_view_put(&c->view, &o->service);
	}

	if (!it->existed) {
		model_uid_new(meta->uid);
		snprintf(meta->created, sizeof(meta->created), "%s", model_time_now(now));
		meta->generation = 1;
		it->result = APPLY_CREATED;
		return 0;
	}
	{
		const struct model_meta *om = manifest_object_meta(it->old);

		snprintf(meta->uid, sizeof(meta->uid), "%s", om->uid);
		snprintf(meta->created, sizeof(meta->created), "%s", om->created);
		meta->generation = om->generation > 0 ? om->generation : 1;
		meta_changed = !apply_meta_equal(meta, om);
	}
	if (o->kind != MANIFEST_SERVICE)
		spec_changed = !apply_deployment_spec_equal(&o->deployment, &it->old->deployment);
	else
		spec_changed = !apply_service_spec_equal(&o->service, &it->old->service);
	if (spec_changed)
		meta->generation++;
	it->result = spec_changed || meta_changed ? APPLY_CONFIGURED : APPLY_UNCHANGED;
	return 0;
}
