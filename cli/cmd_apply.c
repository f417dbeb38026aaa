/* cmd_apply.c — apply and create: manifests to a lab's API server.
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
 *
 * Each object's plan is apply_plan.c's.
 */
#include "apply_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects.h"
#include "options.h"

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
		obj_print_manifest_msgs(&m);
		fprintf(stderr, "error: %s: %d error%s, nothing applied\n", m.file, m.n_errors,
			m.n_errors == 1 ? "" : "s");
		goto out;
	}
	obj_print_manifest_msgs(&m);   /* warnings */
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
		} else if ((r = opt_validate_flag(argv[i], &validation)) != 0) {
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
