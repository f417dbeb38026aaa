/* cmd_objects.c — apply, create and delete: manifests to a lab's API server.
 *
 * A manifest file is one transaction, as the issue asks and unlike
 * kubectl: every object is parsed and validated here first (errors as
 * file:line:column), then planned against what the API server holds
 * (immutable fields, created/configured/unchanged), then sent to the server
 * as a dry run (?dryRun=All) one object at a time; only when the server
 * accepts every one is the file sent for real. The server validates again
 * and allocates ClusterIPs and NodePorts; its refusals are reported at the
 * field's position in the file.
 *
 * What remains is the window between the dry run and the real requests:
 * another client may take a requested port or change an object in it. A
 * real request refused then undoes the ones of the file already made
 * (deletes what was created, puts back what was replaced), as far as the
 * server still answers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lab.h"
#include "labels.h"
#include "manifest.h"
#include "objapi.h"
#include "objects.h"
#include "options.h"
#include "store.h"

#define APPLY_RESTARTED_AT "kubectl.kubernetes.io/restartedAt"

enum apply_mode { APPLY_APPLY, APPLY_CREATE };
enum apply_result { APPLY_CREATED, APPLY_CONFIGURED, APPLY_UNCHANGED };

struct apply_item {
	struct manifest_object *o;        /* becomes the object to send */
	bool existed;
	struct manifest_object *old;      /* the stored version (heap), for compare */
	json_t *cur;                      /* the server's object, NULL if none */
	json_t *sent;                     /* the server's answer to the real request */
	enum apply_result result;
	bool written;
};

/* This file's Services as planned: two of them asking for the same
 * ClusterIP or node port are refused here, as the dry run sends one at a
 * time and the server would accept each alone. */
struct apply_view {
	struct model_service *svcs;
	int n;
};

struct apply_ctx {
	struct cli *cli;
	struct objapi *api;
	struct manifest *m;
	enum apply_mode mode;
	struct apply_view view;
	struct buf server_errors;         /* kubectl's "Error from server (...)" lines */
	/* Namespaces of the file the server does not have: made first. */
	char (*new_ns)[MODEL_NAME_MAX];
	int n_new_ns;
	bool ns_made;
};

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

static bool apply_same(const struct model_meta *m, const char *ns, const char *name)
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

static void apply_already_exists(struct apply_ctx *c, struct manifest_object *o)
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

static int apply_plan(struct apply_ctx *c, struct apply_item *items, int idx)
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

static void apply_print_msgs(const struct manifest *m)
{
	for (int i = 0; i < m->n_msgs; i++)
		fprintf(stderr, "%s\n", m->msgs[i].text);
	if (m->n_errors > m->n_msgs)
		fprintf(stderr, "%s: ... and %d more errors\n", m->file, m->n_errors - m->n_msgs);
}

/* The namespace check kubectl makes when -n names another one. */
static int apply_check_ns(struct cli *cli, const struct manifest *m)
{
	for (int i = 0; i < m->n_objects; i++) {
		const struct manifest_object *o = &m->objects[i];
		const struct model_meta *meta = manifest_object_meta(o);

		if (o->ns_explicit && cli->ns_given && strcmp(meta->ns, cli->ns) != 0) {
			fprintf(stderr, "error: the namespace from the provided object \"%s\" does not "
				"match the namespace \"%s\". You must pass '--namespace=%s' to perform "
				"this operation.\n", meta->ns, cli->ns, meta->ns);
			return -1;
		}
	}
	return 0;
}

/* ---- sending ------------------------------------------------------------------ */

/* Where in the file a field the server names stands. */
static struct manifest_pos apply_field_pos(const struct manifest_object *o, const char *field)
{
	int k;

	if (strncmp(field, "spec.clusterIP", 14) == 0)
		return o->cluster_ip_pos;
	if (strcmp(field, "spec.healthCheckNodePort") == 0)
		return o->hc_node_port_pos;
	if (strncmp(field, "spec.selector", 13) == 0)
		return o->selector_pos;
	if (strncmp(field, "metadata.namespace", 18) == 0)
		return o->ns_pos;
	if (sscanf(field, "spec.ports[%d].nodePort", &k) == 1 && k >= 0 && k < MODEL_MAX_PORTS &&
	    strstr(field, "].nodePort"))
		return o->node_port_pos[k];
	return o->pos;
}

/* A refusal of the server, recorded as the file's error: an invalid field
 * at its position, anything else as kubectl prints it. */
static void apply_refused(struct apply_ctx *c, struct apply_item *it, int code, const json_t *st)
{
	const json_t *causes = json_object_get(json_object_get(st, "details"), "causes"), *cause;
	const struct model_meta *m = manifest_object_meta(it->o);
	size_t i;

	if (code == 409 && strcmp(objapi_reason(st), "AlreadyExists") == 0) {
		apply_already_exists(c, it->o);
		return;
	}
	if (code == 422 && json_array_size(causes) > 0) {
		json_array_foreach(causes, i, cause) {
			const char *field = json_string_value(json_object_get(cause, "field")) ?: "";
			const char *msg = json_string_value(json_object_get(cause, "message")) ?: "";

			manifest_add_error(c->m, apply_field_pos(it->o, field), field, "%s", msg);
		}
		return;
	}
	buf_printf(&c->server_errors, "Error from server (%s): error when %s \"%s\": %s %s/%s: %s\n",
		   objapi_reason(st)[0] ? objapi_reason(st) : "InternalError",
		   it->existed ? "replacing" : "creating", c->m->file,
		   manifest_kind_resource(it->o->kind), m->ns, m->name,
		   objapi_message(st)[0] ? objapi_message(st) : "no message");
}

/* The object's body: the file's object as the lab models it; an update
 * carries the resourceVersion planning read (a change made since then is
 * a 409 Conflict, not lost) and the annotations the model has no room for
 * (kubectl's last-applied configuration). */
static json_t *apply_body(const struct apply_item *it, const json_t *base)
{
	json_t *body = it->o->kind != MANIFEST_SERVICE ? objapi_from_deployment(&it->o->deployment)
							    : objapi_from_service(&it->o->service);
	const json_t *bm = json_object_get(base, "metadata");
	json_t *meta = json_object_get(body, "metadata"), *ann, *v;
	const char *k;

	if (!body || !base)
		return body;
	json_object_set(meta, "resourceVersion", json_object_get(bm, "resourceVersion"));
	json_object_foreach(json_object_get(bm, "annotations"), k, v) {
		if (json_string_length(v) < MODEL_VALUE_MAX && strlen(k) < MODEL_KEY_MAX &&
		    strncmp(k, "deployment.kubernetes.io/", 25) != 0)
			continue;
		ann = json_object_get(meta, "annotations");
		if (!ann) {
			ann = json_object();
			json_object_set_new(meta, "annotations", ann);
		}
		json_object_set(ann, k, v);
	}
	return body;
}

/* The server's object this item replaces: the one planning read, or the
 * answer to an earlier document of the file naming the same object. */
static const json_t *apply_base(struct apply_item *items, int idx)
{
	const struct model_meta *m = manifest_object_meta(items[idx].o);

	for (int i = idx - 1; i >= 0; i--)
		if (items[i].o->kind == items[idx].o->kind &&
		    apply_same(manifest_object_meta(items[i].o), m->ns, m->name))
			return items[i].sent ? items[i].sent : items[i].cur;
	return items[idx].cur;
}

static bool apply_ns_new(const struct apply_ctx *c, const char *ns)
{
	for (int i = 0; i < c->n_new_ns; i++)
		if (strcmp(c->new_ns[i], ns) == 0)
			return true;
	return false;
}

/* Finds the file's namespaces the server does not have. 0, or -1 (message
 * printed). */
static int apply_ns_plan(struct apply_ctx *c)
{
	for (int i = 0; i < c->m->n_objects; i++) {
		const char *ns = manifest_object_meta(&c->m->objects[i])->ns;
		char path[512];
		json_t *resp = NULL;
		int code;

		if (apply_ns_new(c, ns))
			continue;
		snprintf(path, sizeof(path), "/api/v1/namespaces/%s", ns);
		code = objapi_call(c->api, "GET", path, NULL, &resp);
		json_decref(resp);
		if (code < 0)
			return -1;
		if (code != 404)
			continue;
		c->new_ns = realloc(c->new_ns, sizeof(*c->new_ns) * (size_t)(c->n_new_ns + 1));
		if (!c->new_ns) {
			fprintf(stderr, "error: out of memory\n");
			return -1;
		}
		snprintf(c->new_ns[c->n_new_ns++], MODEL_NAME_MAX, "%s", ns);
	}
	return 0;
}

/* Makes (make) or removes the namespaces apply_ns_plan found; 0, or -1
 * (message printed). */
static int apply_ns_send(struct apply_ctx *c, bool make)
{
	for (int i = 0; i < c->n_new_ns; i++) {
		json_t *body = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind",
					 "Namespace", "metadata", "name", c->new_ns[i]);
		json_t *resp = NULL;
		char path[512];
		int code;

		snprintf(path, sizeof(path), "/api/v1/namespaces%s%s", make ? "" : "/",
			 make ? "" : c->new_ns[i]);
		code = objapi_call(c->api, make ? "POST" : "DELETE", path, make ? body : NULL,
				   &resp);
		json_decref(body);
		if (code >= 0 && (code < 200 || code >= 300) && !(make && code == 409))
			fprintf(stderr, "Error from server (%s): %s\n", objapi_reason(resp),
				objapi_message(resp));
		json_decref(resp);
		if (code < 200 || code >= 300)
			return -1;
	}
	return 0;
}

/* Sends items[idx]: created (POST) or replaced (PUT). 0 accepted, 1
 * refused (recorded in c), -1 the server did not answer. */
static int apply_send(struct apply_ctx *c, struct apply_item *items, int idx, bool dry)
{
	struct apply_item *it = &items[idx];
	const struct model_meta *m = manifest_object_meta(it->o);
	const json_t *base = it->existed ? apply_base(items, idx) : NULL;
	json_t *body, *resp = NULL;
	char path[512];
	int code;

	/* A later document of the file for an object the file creates, or
	 * an object in a namespace the file brings: its dry run has nothing
	 * to go into yet. */
	if (dry && ((it->existed && !base) || apply_ns_new(c, m->ns)))
		return 0;
	body = apply_body(it, base);
	if (!body) {
		fprintf(stderr, "error: out of memory\n");
		return -1;
	}
	objapi_path(objapi_resource(it->o->kind), m->ns, it->existed ? m->name : NULL,
		    dry ? "dryRun=All" : NULL, path, sizeof(path));
	code = objapi_call(c->api, it->existed ? "PUT" : "POST", path, body, &resp);
	json_decref(body);
	if (code < 0)
		return -1;
	if (code == 200 || code == 201) {
		if (!dry)
			it->sent = resp;
		else
			json_decref(resp);
		return 0;
	}
	apply_refused(c, it, code, resp);
	json_decref(resp);
	return 1;
}

/* Undoes the requests of items[0..n) after a refused one: what was created
 * is deleted, what was replaced is put back. */
static void apply_rollback(struct apply_ctx *c, struct apply_item *items, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		const struct model_meta *m = manifest_object_meta(items[i].o);
		json_t *resp = NULL, *body;
		char path[512];
		int code;

		if (!items[i].written)
			continue;
		objapi_path(objapi_resource(items[i].o->kind), m->ns, m->name, NULL, path,
			    sizeof(path));
		if (!items[i].existed || !items[i].cur) {
			code = objapi_call(c->api, "DELETE", path, NULL, &resp);
		} else {
			body = json_deep_copy(items[i].cur);
			json_object_set(json_object_get(body, "metadata"), "resourceVersion",
					json_object_get(json_object_get(items[i].sent, "metadata"),
							"resourceVersion"));
			json_object_del(json_object_get(body, "metadata"), "managedFields");
			code = objapi_call(c->api, "PUT", path, body, &resp);
			json_decref(body);
		}
		if (code < 200 || code >= 300)
			fprintf(stderr, "error: %s \"%s\" could not be put back: %s\n",
				manifest_kind_resource(items[i].o->kind), m->name,
				code < 0 ? "no answer" : objapi_message(resp));
		json_decref(resp);
	}
}

/* The errors of planning or of the server, then that nothing was applied. */
static void apply_print_refusal(struct apply_ctx *c)
{
	for (int i = 0; i < c->m->n_msgs; i++)
		if (!c->m->msgs[i].warning)
			fprintf(stderr, "%s\n", c->m->msgs[i].text);
	fputs(buf_str(&c->server_errors), stderr);
	fprintf(stderr, "error: %s: nothing applied\n", c->m->file);
}

static int apply_file(struct cli *cli, struct objapi *api, const char *file, enum apply_mode mode,
		      const char *dry_run, enum manifest_validation validation)
{
	struct apply_ctx c = { .cli = cli, .api = api, .mode = mode, .server_errors = BUF_INIT };
	struct apply_item *items = NULL;
	struct manifest m;
	char err[512];
	int rc, status = 1;

	rc = manifest_parse_file(file, cli->ns, validation, &m, err, sizeof(err));
	c.m = &m;
	if (rc < 0 && rc != -1) {
		fprintf(stderr, "error: %s\n", err);
		goto out;
	}
	if (rc == -1) {
		apply_print_msgs(&m);
		fprintf(stderr, "error: %s: %d error%s, nothing applied\n", m.file, m.n_errors,
			m.n_errors == 1 ? "" : "s");
		goto out;
	}
	apply_print_msgs(&m);   /* warnings */
	if (m.n_objects <= 0) {
		fprintf(stderr, "error: no objects passed to %s\n", mode == APPLY_CREATE ? "create"
											 : "apply");
		goto out;
	}
	if (apply_check_ns(cli, &m) < 0)
		goto out;
	items = calloc((size_t)m.n_objects, sizeof(*items));
	if (!items) {
		fprintf(stderr, "error: out of memory\n");
		goto out;
	}
	for (int i = 0; i < m.n_objects; i++) {
		items[i].o = &m.objects[i];
		if (apply_plan(&c, items, i) < 0)
			goto out;
	}
	if (m.n_errors > 0 || c.server_errors.len > 0) {
		apply_print_refusal(&c);
		goto out;
	}
	if (apply_ns_plan(&c) < 0)
		goto out;
	/* The whole file as a dry run first: the server's validation and
	 * allocation refuse it before anything is stored. */
	for (int i = 0; i < m.n_objects && (!dry_run || strcmp(dry_run, "server") == 0); i++) {
		if (items[i].result == APPLY_UNCHANGED)
			continue;
		if (apply_send(&c, items, i, true) < 0)
			goto out;
	}
	if (m.n_errors > 0 || c.server_errors.len > 0) {
		apply_print_refusal(&c);
		goto out;
	}
	if (!dry_run && c.n_new_ns) {
		if (apply_ns_send(&c, true) < 0) {
			fprintf(stderr, "error: %s: nothing applied\n", m.file);
			goto out;
		}
		c.ns_made = true;
	}
	for (int i = 0; i < m.n_objects && !dry_run; i++) {
		if (items[i].result == APPLY_UNCHANGED)
			continue;
		rc = apply_send(&c, items, i, false);
		if (rc != 0) {
			if (rc > 0)
				apply_print_refusal(&c);
			apply_rollback(&c, items, i);
			if (c.ns_made)
				apply_ns_send(&c, false);
			if (rc < 0)
				fprintf(stderr, "error: %s: nothing applied\n", m.file);
			goto out;
		}
		items[i].written = true;
	}
	for (int i = 0; i < m.n_objects; i++) {
		static const char *const words[] = { "created", "configured", "unchanged" };

		printf("%s/%s %s%s\n", manifest_kind_resource(items[i].o->kind),
		       manifest_object_meta(items[i].o)->name, words[items[i].result],
		       !dry_run ? "" : strcmp(dry_run, "server") == 0 ? " (server dry run)"
								  : " (dry run)");
	}
	status = 0;
out:
	for (int i = 0; items && i < m.n_objects; i++) {
		free(items[i].old);
		json_decref(items[i].cur);
		json_decref(items[i].sent);
	}
	free(items);
	free(c.view.svcs);
	free(c.new_ns);
	buf_free(&c.server_errors);
	manifest_free(&m);
	return status;
}

static void apply_usage(FILE *out, enum apply_mode mode)
{
	const char *verb = mode == APPLY_CREATE ? "create" : "apply";

	fprintf(out,
		"usage: clientip %s -f FILE|- [-f FILE...] [--dry-run=none|client|server]\n"
		"       [--validate=strict|warn|ignore]\n"
		"\n"
		"%s\n"
		"\n"
		"FILE holds one or more YAML or JSON documents (`---`): apps/v1 Deployment,\n"
		"v1 Service, or a v1 List of them. Each file is one transaction: every object\n"
		"is validated and allocated first, and nothing of the file is written if any\n"
		"object has an error (file:line:column: field: message).\n"
		"\n"
		"--validate says what a field Kubernetes does not have (a typo such as\n"
		"externalTraficPolicy) or a key written twice in one mapping is: strict\n"
		"(the default; also true) makes it an error, so nothing is applied; warn\n"
		"prints a warning and applies the rest (of a duplicate key, the last value);\n"
		"ignore (also false) says nothing. Fields Kubernetes has and clientip does\n"
		"not model (resources, nodeSelector, ...) are accepted in every mode.\n"
		"\n"
		"Examples:\n"
		"  clientip %s -f deploy/deploy.yaml\n"
		"  cat svc.yaml | clientip %s -f -\n",
		verb,
		mode == APPLY_CREATE
		? "Creates the objects of FILE; fails (AlreadyExists) if one already exists."
		: "Creates or updates the objects of FILE, printing for each whether it was\n"
		  "created, configured or unchanged.",
		verb, verb);
}

/* kubectl's --validate[=VALUE]: 1 if argv[i] is it (*out set), 0 if it is
 * not, -1 (message printed) if its value is not one kubectl takes. */
static int apply_validate_flag(const char *arg, enum manifest_validation *out)
{
	char err[160];

	if (strcmp(arg, "--validate") == 0) {
		*out = MANIFEST_VALIDATE_STRICT;
		return 1;
	}
	if (strncmp(arg, "--validate=", 11) != 0)
		return 0;
	if (manifest_validation_parse(arg + 11, out, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return -1;
	}
	return 1;
}

static int apply_main(struct cli *cli, int argc, char **argv, enum apply_mode mode)
{
	const char *files[32], *dry_run = NULL;
	enum manifest_validation validation = MANIFEST_VALIDATE_STRICT;
	struct objapi api;
	struct lab_info li;
	int nfiles = 0, status = 0;

	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;

		if (opt_is_help(argv[i])) {
			apply_usage(stdout, mode);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "-f", "--filename", &v)) != 0) {
			if (r < 0)
				return 2;
			if (nfiles == (int)(sizeof(files) / sizeof(files[0]))) {
				fprintf(stderr, "error: too many -f\n");
				return 2;
			}
			files[nfiles++] = v;
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			dry_run = "client";
		} else if (strncmp(argv[i], "--dry-run=", 10) == 0) {
			v = argv[i] + 10;
			if (strcmp(v, "none") == 0) {
				dry_run = NULL;
			} else if (strcmp(v, "client") == 0 || strcmp(v, "server") == 0) {
				dry_run = v;
			} else {
				fprintf(stderr, "error: Invalid dry-run value (%s). Must be \"none\", "
					"\"server\", or \"client\".\n", v);
				return 2;
			}
		} else if ((r = apply_validate_flag(argv[i], &validation)) != 0) {
			if (r < 0)
				return 2;
		} else {
			fprintf(stderr, "error: unknown flag or argument \"%s\"\n", argv[i]);
			apply_usage(stderr, mode);
			return 2;
		}
	}
	if (nfiles == 0) {
		fprintf(stderr, "error: must specify one of -f and -k\n");
		apply_usage(stderr, mode);
		return 2;
	}
	if (obj_lab_open(cli, &li) < 0 || objapi_open(cli, &api) < 0)
		return 1;
	for (int i = 0; i < nfiles; i++)
		if (apply_file(cli, &api, files[i], mode, dry_run, validation) != 0)
			status = 1;
	objapi_close(&api);
	return status;
}

int cmd_apply(struct cli *cli, int argc, char **argv)
{
	return apply_main(cli, argc, argv, APPLY_APPLY);
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
	return apply_main(cli, argc, argv, APPLY_CREATE);
}

/* ---- delete ------------------------------------------------------------------ */

struct delete_opts {
	bool ignore_not_found;
	bool all;
	const char *selector;
	const char *dry_run;
	enum manifest_validation validation;  /* for -f */
};

static int delete_one(struct objapi *api, enum obj_res res, const char *ns, const char *name,
		      const struct delete_opts *opt, const char *file)
{
	bool client_dry = opt->dry_run && strcmp(opt->dry_run, "client") == 0;
	json_t *resp = NULL;
	char path[512];
	int code, status = 1;

	objapi_path(obj_res_api(res), ns, name, opt->dry_run && !client_dry ?
		    "dryRun=All" : NULL, path, sizeof(path));
	/* A client dry run only looks. */
	code = objapi_call(api, client_dry ? "GET" : "DELETE", path, NULL, &resp);
	if (code < 0)
		goto out;
	if (code == 404) {
		if (opt->ignore_not_found)
			status = 0;
		else if (file)
			fprintf(stderr, "Error from server (NotFound): error when deleting \"%s\": "
				"%s \"%s\" not found\n", file, obj_res_plural(res), name);
		else
			obj_err_not_found(res, name);
		goto out;
	}
	if (code < 200 || code >= 300) {
		fprintf(stderr, "Error from server (%s): %s\n", objapi_reason(resp),
			objapi_message(resp));
		goto out;
	}
	printf("%s \"%s\" deleted%s\n", obj_res_singular(res), name,
	       opt->dry_run ? (strcmp(opt->dry_run, "server") == 0 ? " (server dry run)"
								    : " (dry run)") : "");
	status = 0;
out:
	json_decref(resp);
	return status;
}

static int delete_refuse(enum obj_res res)
{
	if (res == OBJ_RES_PODS)
		fprintf(stderr, "error: pods here belong to their Deployment and only the controller "
			"writes them; restart them with \"clientip rollout restart deployment/NAME\" "
			"or change their number with \"clientip scale\"\n");
	else if (res == OBJ_RES_ENDPOINTS)
		fprintf(stderr, "error: endpoints are derived from Services by the controller; "
			"delete the Service instead\n");
	else
		fprintf(stderr, "error: nodes are part of the lab; use \"clientip lab down\"\n");
	return 1;
}

static int delete_file(struct cli *cli, struct objapi *api, const char *file,
		       const struct delete_opts *opt)
{
	struct manifest m;
	char err[512];
	int rc, status = 0;

	rc = manifest_parse_file(file, cli->ns, opt->validation, &m, err, sizeof(err));
	if (rc < 0 && rc != -1) {
		fprintf(stderr, "error: %s\n", err);
		manifest_free(&m);
		return 1;
	}
	if (rc == -1) {
		apply_print_msgs(&m);
		fprintf(stderr, "error: %s: %d error%s, nothing deleted\n", m.file, m.n_errors,
			m.n_errors == 1 ? "" : "s");
		manifest_free(&m);
		return 1;
	}
	for (int i = 0; i < m.n_objects && !api->down_said; i++) {
		const struct model_meta *meta = manifest_object_meta(&m.objects[i]);
		enum manifest_kind kind = m.objects[i].kind;
		enum obj_res res = kind == MANIFEST_DEPLOYMENT ? OBJ_RES_DEPLOYMENTS
				   : kind == MANIFEST_DAEMONSET ? OBJ_RES_DAEMONSETS : OBJ_RES_SERVICES;

		if (delete_one(api, res, meta->ns, meta->name, opt, m.file) != 0)
			status = 1;
	}
	manifest_free(&m);
	return status;
}

/* All objects of a type in the namespace(s), filtered by -l, as the server
 * lists them. */
static int delete_matching(struct cli *cli, struct objapi *api, enum obj_res res,
			   const struct delete_opts *opt)
{
	struct labels_selector sel;
	json_t *list = NULL, *item;
	char err[256], path[512];
	int status = 0, count = 0, code;
	size_t i;

	if (labels_selector_parse(opt->selector ? opt->selector : "", &sel, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return 1;
	}
	objapi_path(obj_res_api(res), cli->all_namespaces ? NULL : cli->ns, NULL, NULL,
		    path, sizeof(path));
	code = objapi_call(api, "GET", path, NULL, &list);
	if (code != 200) {
		if (code >= 0)
			fprintf(stderr, "Error from server (%s): %s\n", objapi_reason(list),
				objapi_message(list));
		json_decref(list);
		return 1;
	}
	json_array_foreach(json_object_get(list, "items"), i, item) {
		const json_t *meta = json_object_get(item, "metadata"), *v;
		const char *ns = json_string_value(json_object_get(meta, "namespace")) ?: "";
		const char *name = json_string_value(json_object_get(meta, "name")) ?: "";
		struct model_map labels = { .n = 0 };
		const char *k;

		json_object_foreach((json_t *)json_object_get(meta, "labels"), k, v)
			if (json_is_string(v))
				model_map_set(&labels, k, json_string_value(v));
		if (!labels_selector_matches(&sel, &labels))
			continue;
		count++;
		if (api->down_said || delete_one(api, res, ns, name, opt, NULL) != 0)
			status = 1;
	}
	json_decref(list);
	if (count == 0)
		fprintf(stderr, "No resources found\n");
	return status;
}

static void delete_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip delete -f FILE|- [--ignore-not-found]\n"
		"                [--validate=strict|warn|ignore]\n"
		"       clientip delete TYPE NAME... | TYPE/NAME...\n"
		"       clientip delete TYPE (-l SELECTOR | --all)\n"
		"\n"
		"Deletes Deployments and Services, named by a manifest or on the command\n"
		"line. TYPE is deployment (deploy, deployments) or service (svc, services).\n"
		"The controller then removes a Deployment's pods and a Service's endpoints.\n"
		"A manifest is read as apply reads it, --validate included (see apply --help):\n"
		"a file apply refuses deletes nothing.\n"
		"\n"
		"Examples:\n"
		"  clientip delete -f deploy/deploy.yaml\n"
		"  clientip delete svc node-service\n"
		"  clientip delete deployment/node-deployment\n");
}

/* Deletes what -f files or the arguments name. */
static int delete_names(struct cli *cli, struct objapi *api, const char *const *files,
			int nfiles, const char *const *args, int nargs,
			const struct delete_opts *opt)
{
	enum obj_res res = OBJ_RES_PODS;
	int status = 0;

	for (int i = 0; i < nfiles; i++)
		if (delete_file(cli, api, files[i], opt) != 0)
			status = 1;
	if (nfiles)
		return status;
	/* TYPE NAME... or TYPE/NAME... (kubectl does not mix them). */
	for (int i = 0; i < nargs; i++) {
		const char *name = NULL;
		enum obj_res r;
		int k = obj_res_arg(args[i], &r, &name);

		if (k < 0)
			return 1;
		if (k == 1) {
			if (!obj_res_api(r)) {
				status |= delete_refuse(r);
				continue;
			}
			if (delete_one(api, r, cli->ns, name, opt, NULL) != 0)
				status = 1;
			continue;
		}
		if (i != 0) {
			fprintf(stderr, "error: there is no need to specify a resource type as a "
				"separate argument when passing arguments in resource/name form\n");
			return 2;
		}
		res = r;
		if (!obj_res_api(res))
			return delete_refuse(res);
		if (nargs == 1) {
			if (!opt->all && !opt->selector) {
				fprintf(stderr, "error: resource(s) were provided, but no name was "
					"specified\n");
				return 2;
			}
			return delete_matching(cli, api, res, opt);
		}
		for (i = 1; i < nargs; i++)
			if (delete_one(api, res, cli->ns, args[i], opt, NULL) != 0)
				status = 1;
		break;
	}
	return status;
}

int cmd_delete(struct cli *cli, int argc, char **argv)
{
	struct delete_opts opt = { 0 };
	const char *files[32], *args[64];
	int nfiles = 0, nargs = 0, status = 0;
	struct objapi api;
	struct lab_info li;

	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;

		if (opt_is_help(argv[i])) {
			delete_usage(stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, "-f", "--filename", &v)) != 0) {
			if (r < 0)
				return 2;
			if (nfiles < (int)(sizeof(files) / sizeof(files[0])))
				files[nfiles++] = v;
		} else if ((r = opt_value(argc, argv, &i, "-l", "--selector", &v)) != 0) {
			if (r < 0)
				return 2;
			opt.selector = v;
		} else if (strcmp(argv[i], "--all") == 0) {
			opt.all = true;
		} else if ((r = apply_validate_flag(argv[i], &opt.validation)) != 0) {
			if (r < 0)
				return 2;
		} else if (strcmp(argv[i], "--ignore-not-found") == 0 ||
			   strcmp(argv[i], "--ignore-not-found=true") == 0) {
			opt.ignore_not_found = true;
		} else if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "--dry-run=client") == 0) {
			opt.dry_run = "client";
		} else if (strcmp(argv[i], "--dry-run=server") == 0) {
			opt.dry_run = "server";
		} else if (strncmp(argv[i], "--wait", 6) == 0 || strncmp(argv[i], "--now", 5) == 0 ||
			   strncmp(argv[i], "--grace-period", 14) == 0) {
			/* deletes here are immediate; the controller handles grace */
			if (strcmp(argv[i], "--grace-period") == 0)
				i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "error: unknown flag \"%s\"\n", argv[i]);
			return 2;
		} else if (nargs < (int)(sizeof(args) / sizeof(args[0]))) {
			args[nargs++] = argv[i];
		}
	}
	if (nfiles == 0 && nargs == 0) {
		fprintf(stderr, "error: You must provide one or more resources by argument or "
			"filename.\n");
		delete_usage(stderr);
		return 2;
	}
	if (nfiles > 0 && nargs > 0) {
		fprintf(stderr, "error: cannot name resources together with -f\n");
		return 2;
	}
	if (obj_lab_open(cli, &li) < 0 || objapi_open(cli, &api) < 0)
		return 1;
	status = delete_names(cli, &api, files, nfiles, args, nargs, &opt);
	objapi_close(&api);
	return status;
}
