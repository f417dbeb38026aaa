/* objects.c — see objects.h. */
#include "objects.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "manifest.h"
#include "objapi.h"
#include "store.h"

/* ---- the lab ---------------------------------------------------------- */

int obj_lab_open(const struct cli *cli, struct lab_info *li)
{
	char path[PATH_MAX], err[256];
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (snprintf(path, sizeof(path), "%s/%s", cli->statedir, LABINFO_FILE) >= (int)sizeof(path)) {
		fprintf(stderr, "error: %s: path too long\n", cli->statedir);
		return -1;
	}
	rc = fs_read_all(path, &text, &len);
	if (rc == -ENOENT) {
		fprintf(stderr, "error: lab \"%s\" does not exist (no %s); create it with "
			"\"clientip --lab %s lab up\"\n", cli->lab, path, cli->lab);
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "error: lab \"%s\": %s: %s\n", cli->lab, path, strerror(-rc));
		return -1;
	}
	rc = labinfo_parse(text, len, li, err, sizeof(err));
	free(text);
	if (rc < 0) {
		fprintf(stderr, "error: lab \"%s\": %s: %s\n", cli->lab, path, err);
		return -1;
	}
	return 0;
}

/* ---- resource types ----------------------------------------------------- */

static const struct {
	const char *plural, *singular;
	const char *names[8];
	bool namespaced;
} obj_res_table[OBJ_RES_COUNT] = {
	[OBJ_RES_NODES] = { "nodes", "node", { "nodes", "node", "no" }, false },
	[OBJ_RES_PODS] = { "pods", "pod", { "pods", "pod", "po" }, true },
	[OBJ_RES_SERVICES] = { "services", "service", { "services", "service", "svc" }, true },
	[OBJ_RES_ENDPOINTS] = { "endpoints", "endpoints", { "endpoints", "ep", "endpoint" }, true },
	[OBJ_RES_DEPLOYMENTS] = { "deployments.apps", "deployment.apps",
				  { "deployments", "deployment", "deploy", "deployments.apps",
				    "deployment.apps", "deployments.v1.apps" }, true },
	[OBJ_RES_DAEMONSETS] = { "daemonsets.apps", "daemonset.apps",
				 { "daemonsets", "daemonset", "ds", "daemonsets.apps",
				   "daemonset.apps", "daemonsets.v1.apps" }, true },
};

int obj_res_parse(const char *s, enum obj_res *out)
{
	for (int r = 0; r < OBJ_RES_COUNT; r++)
		for (int k = 0; k < 8 && obj_res_table[r].names[k]; k++)
			if (strcmp(s, obj_res_table[r].names[k]) == 0) {
				*out = (enum obj_res)r;
				return 0;
			}
	return -1;
}

const char *obj_res_plural(enum obj_res r) { return obj_res_table[r].plural; }
const char *obj_res_singular(enum obj_res r) { return obj_res_table[r].singular; }
bool obj_res_namespaced(enum obj_res r) { return obj_res_table[r].namespaced; }

const char *obj_res_api(enum obj_res r)
{
	return r == OBJ_RES_DEPLOYMENTS ? "deployments" : r == OBJ_RES_DAEMONSETS ? "daemonsets"
	       : r == OBJ_RES_SERVICES ? "services" : NULL;
}

void obj_err_unknown_type(const char *type)
{
	fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n", type);
}

void obj_err_not_found(enum obj_res r, const char *name)
{
	fprintf(stderr, "Error from server (NotFound): %s \"%s\" not found\n", obj_res_plural(r),
		name);
}

int obj_res_arg(const char *arg, enum obj_res *res, const char **name)
{
	const char *slash = strchr(arg, '/');
	char type[64];
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg);

	if (n >= sizeof(type)) {
		obj_err_unknown_type(arg);
		return -1;
	}
	memcpy(type, arg, n);
	type[n] = '\0';
	if (obj_res_parse(type, res) < 0) {
		obj_err_unknown_type(type);
		return -1;
	}
	if (!slash)
		return 0;
	if (slash[1] == '\0' || strchr(slash + 1, '/')) {
		fprintf(stderr, "error: arguments in resource/name form must have a single "
			"resource and name\n");
		return -1;
	}
	*name = slash + 1;
	return 1;
}

/* ---- objects ---------------------------------------------------------------- */

int obj_world_load(const struct cli *cli, struct obj_world *w)
{
	memset(w, 0, sizeof(*w));
	return objapi_list_pods(cli, &w->pods, &w->n_pods, &w->statuses, &w->n_statuses);
}

void obj_world_free(struct obj_world *w)
{
	free(w->pods);
	free(w->statuses);
	memset(w, 0, sizeof(*w));
}

const struct model_pod_status *obj_pod_status(const struct obj_world *w,
					      const struct model_pod *p)
{
	for (int i = 0; i < w->n_statuses; i++) {
		const struct model_pod_status *s = &w->statuses[i];

		if (strcmp(s->ns, p->meta.ns) == 0 && strcmp(s->name, p->meta.name) == 0 &&
		    (!s->uid[0] || !p->meta.uid[0] || strcmp(s->uid, p->meta.uid) == 0))
			return s;
	}
	return NULL;
}

const char *obj_pod_phase_text(const struct model_pod *p, const struct model_pod_status *st)
{
	if (p->meta.deleting[0] || (st && st->terminating))
		return "Terminating";
	if (!st)
		return p->node[0] ? "ContainerCreating" : "Pending";
	if (st->phase == MODEL_POD_SUCCEEDED)
		return st->reason[0] ? st->reason : "Completed";
	if (st->phase == MODEL_POD_FAILED)
		return st->reason[0] ? st->reason : "Error";
	/* A waiting container's reason wins over the phase, as in kubectl. */
	if (st->pid <= 0 && st->reason[0])
		return st->reason;
	if (st->phase == MODEL_POD_RUNNING)
		return "Running";
	return st->reason[0] ? st->reason : "Pending";
}

bool obj_pod_ready(const struct model_pod *p, const struct model_pod_status *st)
{
	return st && st->ready && !p->meta.deleting[0];
}

void obj_deployment_status(const struct objapi_workload *dw, const struct obj_world *w,
			   struct model_deployment_status *st, bool *observed)
{
	const struct model_deployment *d = &dw->spec;

	if (dw->reported) {
		*st = dw->status;
		*observed = st->observed_generation >= d->meta.generation;
		return;
	}
	/* No controller status yet: count what the pods say. Without the
	 * controller's template hash every live pod counts as updated. */
	memset(st, 0, sizeof(*st));
	snprintf(st->ns, sizeof(st->ns), "%s", d->meta.ns);
	snprintf(st->name, sizeof(st->name), "%s", d->meta.name);
	for (int i = 0; w && i < w->n_pods; i++) {
		const struct model_pod *p = &w->pods[i];

		if (strcmp(p->meta.ns, d->meta.ns) != 0 || strcmp(p->owner, d->meta.name) != 0 ||
		    p->daemon_set || p->meta.deleting[0])
			continue;
		st->replicas++;
		st->updated_replicas++;
		if (obj_pod_ready(p, obj_pod_status(w, p))) {
			st->ready_replicas++;
			st->available_replicas++;
		}
	}
	st->unavailable_replicas = d->replicas > st->available_replicas
		? d->replicas - st->available_replicas : 0;
	/* The pods are the truth here: nothing is left to observe. */
	*observed = true;
}

void obj_print_manifest_msgs(const struct manifest *m)
{
	for (int i = 0; i < m->n_msgs; i++)
		fprintf(stderr, "%s\n", m->msgs[i].text);
	if (m->n_errors > m->n_msgs)
		fprintf(stderr, "%s: ... and %d more errors\n", m->file, m->n_errors - m->n_msgs);
}
