/* cmd_objects.c — apply, create and delete: manifests into a lab's store.
 *
 * A manifest file is one transaction, as the issue asks and unlike
 * kubectl: every object is parsed and validated first, then, under the
 * store lock, every object is planned (ClusterIP and port allocation,
 * immutable fields, created/configured/unchanged); only if no object of the
 * file has an error are they all written. A failing write rolls back the
 * ones already written.
 *
 * Allocation follows the API server: ClusterIPs from 10.0.0.0/16 (from
 * 10.0.0.10 up, the lowest free: deterministic, so tests can predict it),
 * NodePorts and health check node ports from 30000-32767 (lowest free),
 * requested values checked for range and conflicts, and what a Service
 * already has kept across updates while it is still valid.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jsonw.h"
#include "lab.h"
#include "manifest.h"
#include "objects.h"
#include "store.h"

#define APPLY_RESTARTED_AT "kubectl.kubernetes.io/restartedAt"
#define APPLY_CLUSTER_IP_FIRST 0x0a00000au   /* 10.0.0.10 */
#define APPLY_CLUSTER_IP_LAST  0x0a00fffeu   /* 10.0.255.254 */

enum apply_mode { APPLY_APPLY, APPLY_CREATE };
enum apply_result { APPLY_CREATED, APPLY_CONFIGURED, APPLY_UNCHANGED };

struct apply_item {
	struct manifest_object *o;        /* becomes the object to write */
	bool existed;
	struct manifest_object *old;      /* the stored version (heap), for compare/rollback */
	enum apply_result result;
	bool written;
};

/* Services as they will be once the file is applied: the store's, with
 * this file's planned ones replacing or joining them. */
struct apply_view {
	struct model_service *svcs;
	int n;
};

struct apply_ctx {
	struct cli *cli;
	struct manifest *m;
	enum apply_mode mode;
	struct apply_view view;
	struct buf server_errors;         /* kubectl's "Error from server (...)" lines */
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

/* Equal Kubernetes JSON means equal objects: the store writes and reads
 * exactly that, and it leaves out nothing that matters. Maps are sorted
 * first so that reordering labels is no change, as for the API server. */
static bool apply_deployment_spec_equal(const struct model_deployment *a,
					const struct model_deployment *b)
{
	struct model_deployment *x = malloc(sizeof(*x)), *y = malloc(sizeof(*y));
	struct buf bx = BUF_INIT, by = BUF_INIT;
	struct jsonw w;
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
	jsonw_init(&w, &bx, false);
	model_deployment_to_json(&w, x);
	jsonw_init(&w, &by, false);
	model_deployment_to_json(&w, y);
	eq = !bx.oom && !by.oom && strcmp(buf_str(&bx), buf_str(&by)) == 0;
out:
	buf_free(&bx);
	buf_free(&by);
	free(x);
	free(y);
	return eq;
}

static bool apply_service_spec_equal(const struct model_service *a, const struct model_service *b)
{
	struct model_service x = *a, y = *b;
	struct buf bx = BUF_INIT, by = BUF_INIT;
	struct jsonw w;
	bool eq;

	memset(&x.meta, 0, sizeof(x.meta));
	memset(&y.meta, 0, sizeof(y.meta));
	x.ingress_ip.s_addr = y.ingress_ip.s_addr = 0;
	apply_sort_map(&x.selector);
	apply_sort_map(&y.selector);
	jsonw_init(&w, &bx, false);
	model_service_to_json(&w, &x);
	jsonw_init(&w, &by, false);
	model_service_to_json(&w, &y);
	eq = !bx.oom && !by.oom && strcmp(buf_str(&bx), buf_str(&by)) == 0;
	buf_free(&bx);
	buf_free(&by);
	return eq;
}

static bool apply_meta_equal(const struct model_meta *a, const struct model_meta *b)
{
	return apply_map_equal(&a->labels, &b->labels) &&
	       apply_map_equal(&a->annotations, &b->annotations);
}

/* ---- allocation ------------------------------------------------------------ */

static bool apply_same(const struct model_meta *m, const char *ns, const char *name)
{
	return strcmp(m->ns, ns) == 0 && strcmp(m->name, name) == 0;
}

/* Is this ClusterIP held by a Service other than ns/name? */
static bool apply_ip_taken(const struct apply_view *v, const char *ns, const char *name,
			   struct in_addr ip)
{
	for (int i = 0; i < v->n; i++)
		if (!apply_same(&v->svcs[i].meta, ns, name) && v->svcs[i].cluster_ip.s_addr == ip.s_addr)
			return true;
	return false;
}

/* Is this node port (NodePort or health check) held by another Service? */
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

static int apply_free_port(const struct apply_view *v, const struct model_service *s, int skip)
{
	for (int p = LAB_NODEPORT_MIN; p <= LAB_NODEPORT_MAX; p++)
		if (!apply_port_taken(v, s->meta.ns, s->meta.name, p) && !apply_port_own(s, p, skip))
			return p;
	return 0;
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
		return;  /* later conflict checks miss this one; the writes still happen */
	v->svcs = n;
	v->svcs[v->n++] = *s;
}

static void apply_alloc_service(struct apply_ctx *c, struct manifest_object *o,
				const struct model_service *old)
{
	struct model_service *s = &o->service;
	const char *ns = s->meta.ns, *name = s->meta.name;
	char ip[INET_ADDRSTRLEN], field[64];

	/* ClusterIP: given, kept, or the lowest free one. */
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
	} else {
		for (uint32_t a = APPLY_CLUSTER_IP_FIRST; a <= APPLY_CLUSTER_IP_LAST; a++) {
			struct in_addr cand = { htonl(a) };

			if (!apply_ip_taken(&c->view, ns, name, cand)) {
				s->cluster_ip = cand;
				break;
			}
		}
		if (!s->cluster_ip.s_addr)
			manifest_add_error(c->m, o->pos, "spec.clusterIPs", "Internal error: failed "
					   "to allocate a serviceIP: range is full");
	}

	/* NodePorts: requested ones first, so that kept and new ones avoid them. */
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

		if (sp->node_port)
			continue;
		/* The same service port (number and protocol) keeps its NodePort. */
		for (int j = 0; old && old->type != MODEL_SVC_CLUSTER_IP && j < old->n_ports; j++) {
			const struct model_service_port *op = &old->ports[j];

			if (op->node_port && op->port == sp->port && op->proto == sp->proto &&
			    !apply_port_own(s, op->node_port, k) &&
			    !apply_port_taken(&c->view, ns, name, op->node_port)) {
				sp->node_port = op->node_port;
				break;
			}
		}
		if (!sp->node_port && !(sp->node_port = apply_free_port(&c->view, s, k))) {
			snprintf(field, sizeof(field), "spec.ports[%d].nodePort", k);
			manifest_add_error(c->m, o->pos, field, "Internal error: failed to allocate "
					   "a nodePort: range is full");
		}
	}

	/* healthCheckNodePort: only LoadBalancer + Local; released otherwise. */
	if (s->type == MODEL_SVC_LOAD_BALANCER && s->external_policy == MODEL_POLICY_LOCAL) {
		if (!s->health_check_node_port && old && old->health_check_node_port &&
		    !apply_port_own(s, old->health_check_node_port, -1) &&
		    !apply_port_taken(&c->view, ns, name, old->health_check_node_port))
			s->health_check_node_port = old->health_check_node_port;
		if (!s->health_check_node_port &&
		    !(s->health_check_node_port = apply_free_port(&c->view, s, -1)))
			manifest_add_error(c->m, o->pos, "spec.healthCheckNodePort", "Internal error: "
					   "failed to allocate a nodePort: range is full");
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
		   o->kind == MANIFEST_DEPLOYMENT ? "deployments.apps" : "services", m->name);
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
	struct model_meta *meta = o->kind == MANIFEST_DEPLOYMENT ? &o->deployment.meta
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
	} else if (o->kind == MANIFEST_DEPLOYMENT) {
		rc = store_get_deployment(c->cli->statedir, meta->ns, meta->name, &it->old->deployment,
					  err, sizeof(err));
	} else {
		rc = store_get_service(c->cli->statedir, meta->ns, meta->name, &it->old->service,
				       err, sizeof(err));
	}
	if (rc < 0 && rc != -ENOENT) {
		fprintf(stderr, "error: %s\n", err);
		return -1;
	}
	it->existed = rc == 0;
	if (it->existed && c->mode == APPLY_CREATE && !earlier)
		apply_already_exists(c, o);

	if (o->kind == MANIFEST_DEPLOYMENT) {
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
		apply_alloc_service(c, o, it->existed ? &it->old->service : NULL);
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
	if (o->kind == MANIFEST_DEPLOYMENT)
		spec_changed = !apply_deployment_spec_equal(&o->deployment, &it->old->deployment);
	else
		spec_changed = !apply_service_spec_equal(&o->service, &it->old->service);
	if (spec_changed)
		meta->generation++;
	it->result = spec_changed || meta_changed ? APPLY_CONFIGURED : APPLY_UNCHANGED;
	return 0;
}

static int apply_put(struct cli *cli, const struct manifest_object *o)
{
	return o->kind == MANIFEST_DEPLOYMENT ? store_put_deployment(cli->statedir, &o->deployment)
					      : store_put_service(cli->statedir, &o->service);
}

/* Undoes the writes of items[0..n) after a failed write. */
static void apply_rollback(struct cli *cli, struct apply_item *items, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		const struct model_meta *m = manifest_object_meta(items[i].o);

		if (!items[i].written)
			continue;
		if (items[i].existed)
			apply_put(cli, items[i].old);
		else
			store_delete(cli->statedir, items[i].o->kind == MANIFEST_DEPLOYMENT
				     ? STORE_DEPLOYMENTS : STORE_SERVICES, m->ns, m->name);
	}
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

static int apply_file(struct cli *cli, const char *file, enum apply_mode mode, const char *dry_run,
		      enum manifest_validation validation)
{
	struct apply_ctx c = { .cli = cli, .mode = mode, .server_errors = BUF_INIT };
	struct apply_item *items = NULL;
	struct manifest m;
	char err[512];
	int rc, status = 1, lock = -1;

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
	if (m.n_objects == 0) {
		fprintf(stderr, "error: no objects passed to %s\n", mode == APPLY_CREATE ? "create"
											 : "apply");
		goto out;
	}
	if (apply_check_ns(cli, &m) < 0)
		goto out;
	if (!dry_run && (rc = store_init(cli->statedir)) < 0) {
		fprintf(stderr, "error: %s: %s\n", cli->statedir, strerror(-rc));
		goto out;
	}
	lock = store_lock(cli->statedir);
	if (lock < 0) {
		fprintf(stderr, "error: %s/lock: %s\n", cli->statedir, strerror(-lock));
		goto out;
	}
	if (store_list_services(cli->statedir, &c.view.svcs, &c.view.n, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		goto out;
	}
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
		int before = m.n_msgs;

		/* Only the planning's errors: warnings were shown already. */
		for (int i = 0; i < before; i++)
			if (!m.msgs[i].warning)
				fprintf(stderr, "%s\n", m.msgs[i].text);
		fputs(buf_str(&c.server_errors), stderr);
		fprintf(stderr, "error: %s: nothing applied\n", m.file);
		goto out;
	}
	for (int i = 0; i < m.n_objects && !dry_run; i++) {
		if (items[i].result == APPLY_UNCHANGED)
			continue;
		rc = apply_put(cli, items[i].o);
		if (rc < 0) {
			fprintf(stderr, "error: writing %s \"%s\": %s; nothing applied\n",
				manifest_kind_resource(items[i].o->kind),
				manifest_object_meta(items[i].o)->name, strerror(-rc));
			apply_rollback(cli, items, i);
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
	if (lock >= 0)
		store_unlock(lock);
	for (int i = 0; items && i < m.n_objects; i++)
		free(items[i].old);
	free(items);
	free(c.view.svcs);
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
	struct lab_info li;
	int nfiles = 0, status = 0;

	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;

		if (obj_is_help(argv[i])) {
			apply_usage(stdout, mode);
			return 0;
		}
		if ((r = obj_opt_value(argc, argv, &i, "-f", "--filename", &v)) != 0) {
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
	if (obj_lab_open(cli, &li) < 0)
		return 1;
	for (int i = 0; i < nfiles; i++)
		if (apply_file(cli, files[i], mode, dry_run, validation) != 0)
			status = 1;
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

static int delete_one(struct cli *cli, enum obj_res res, const char *ns, const char *name,
		      const struct delete_opts *opt, const char *file)
{
	enum store_kind kind = res == OBJ_RES_DEPLOYMENTS ? STORE_DEPLOYMENTS : STORE_SERVICES;
	char path[4096];
	FILE *f;
	int rc;

	store_path(cli->statedir, kind, ns, name, path, sizeof(path));
	f = fopen(path, "r");
	if (!f) {
		if (opt->ignore_not_found)
			return 0;
		if (file)
			fprintf(stderr, "Error from server (NotFound): error when deleting \"%s\": "
				"%s \"%s\" not found\n", file, obj_res_plural(res), name);
		else
			obj_err_not_found(res, name);
		return 1;
	}
	fclose(f);
	if (!opt->dry_run && (rc = store_delete(cli->statedir, kind, ns, name)) < 0) {
		fprintf(stderr, "error: deleting %s \"%s\": %s\n", obj_res_singular(res), name,
			strerror(-rc));
		return 1;
	}
	printf("%s \"%s\" deleted%s\n", obj_res_singular(res), name,
	       opt->dry_run ? (strcmp(opt->dry_run, "server") == 0 ? " (server dry run)"
								    : " (dry run)") : "");
	return 0;
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

static int delete_file(struct cli *cli, const char *file, const struct delete_opts *opt)
{
	struct manifest m;
	char err[512];
	int rc, status = 0, lock;

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
	lock = store_lock(cli->statedir);
	if (lock < 0) {
		fprintf(stderr, "error: %s/lock: %s\n", cli->statedir, strerror(-lock));
		manifest_free(&m);
		return 1;
	}
	for (int i = 0; i < m.n_objects; i++) {
		const struct model_meta *meta = manifest_object_meta(&m.objects[i]);
		enum obj_res res = m.objects[i].kind == MANIFEST_DEPLOYMENT ? OBJ_RES_DEPLOYMENTS
									    : OBJ_RES_SERVICES;

		if (delete_one(cli, res, meta->ns, meta->name, opt, m.file) != 0)
			status = 1;
	}
	store_unlock(lock);
	manifest_free(&m);
	return status;
}

/* All objects of a type in the namespace(s), filtered by -l, under lock. */
static int delete_matching(struct cli *cli, enum obj_res res, const struct delete_opts *opt)
{
	struct obj_selector sel;
	char err[256];
	int status = 0, n = 0, count = 0, lock;
	struct model_deployment *ds = NULL;
	struct model_service *ss = NULL;

	if (obj_selector_parse(opt->selector ? opt->selector : "", &sel, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return 1;
	}
	lock = store_lock(cli->statedir);
	if (lock < 0) {
		fprintf(stderr, "error: %s/lock: %s\n", cli->statedir, strerror(-lock));
		return 1;
	}
	if ((res == OBJ_RES_DEPLOYMENTS
	     ? store_list_deployments(cli->statedir, &ds, &n, err, sizeof(err))
	     : store_list_services(cli->statedir, &ss, &n, err, sizeof(err))) < 0) {
		fprintf(stderr, "error: %s\n", err);
		store_unlock(lock);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		const struct model_meta *m = res == OBJ_RES_DEPLOYMENTS ? &ds[i].meta : &ss[i].meta;

		if (!cli->all_namespaces && strcmp(m->ns, cli->ns) != 0)
			continue;
		if (!obj_selector_matches(&sel, &m->labels))
			continue;
		count++;
		if (delete_one(cli, res, m->ns, m->name, opt, NULL) != 0)
			status = 1;
	}
	store_unlock(lock);
	free(ds);
	free(ss);
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

int cmd_delete(struct cli *cli, int argc, char **argv)
{
	struct delete_opts opt = { 0 };
	const char *files[32], *args[64];
	int nfiles = 0, nargs = 0, status = 0;
	struct lab_info li;
	enum obj_res res = OBJ_RES_PODS;

	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;

		if (obj_is_help(argv[i])) {
			delete_usage(stdout);
			return 0;
		}
		if ((r = obj_opt_value(argc, argv, &i, "-f", "--filename", &v)) != 0) {
			if (r < 0)
				return 2;
			if (nfiles < (int)(sizeof(files) / sizeof(files[0])))
				files[nfiles++] = v;
		} else if ((r = obj_opt_value(argc, argv, &i, "-l", "--selector", &v)) != 0) {
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
	if (obj_lab_open(cli, &li) < 0)
		return 1;
	for (int i = 0; i < nfiles; i++)
		if (delete_file(cli, files[i], &opt) != 0)
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
			if (r != OBJ_RES_DEPLOYMENTS && r != OBJ_RES_SERVICES) {
				status |= delete_refuse(r);
				continue;
			}
			{
				int lock = store_lock(cli->statedir);

				if (delete_one(cli, r, cli->ns, name, &opt, NULL) != 0)
					status = 1;
				store_unlock(lock);
			}
			continue;
		}
		if (i != 0) {
			fprintf(stderr, "error: there is no need to specify a resource type as a "
				"separate argument when passing arguments in resource/name form\n");
			return 2;
		}
		res = r;
		if (res != OBJ_RES_DEPLOYMENTS && res != OBJ_RES_SERVICES)
			return delete_refuse(res);
		if (nargs == 1) {
			if (!opt.all && !opt.selector) {
				fprintf(stderr, "error: resource(s) were provided, but no name was "
					"specified\n");
				return 2;
			}
			return delete_matching(cli, res, &opt);
		}
		{
			int lock = store_lock(cli->statedir);

			for (i = 1; i < nargs; i++)
				if (delete_one(cli, res, cli->ns, args[i], &opt, NULL) != 0)
					status = 1;
			store_unlock(lock);
		}
		break;
	}
	return status;
}
