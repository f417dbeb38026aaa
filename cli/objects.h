/* objects.h — what the kubectl-like verbs share about objects
 * (cli/objects.c): the lab they act on, kubectl's resource types and
 * errors, and the pods, their statuses and a Deployment's status.
 *
 * The verbs (apply, get, describe, ...) send and read objects through the
 * lab's API server (objapi.h); pods, their statuses and the nodes' are
 * still read from the lab's state files (docs/STATE.md). Output
 * imitates kubectl's: the same resource names, columns, padding, ages and
 * error lines, so a Kubernetes user reads it without thinking. The
 * verbs' other shared parts each have a file of their own: tabwriter.h
 * (columns), yaml_out.h (-o yaml), duration.h (ages, --timeout),
 * labels.h (-l, label maps), options.h (flags).
 */
#ifndef CLIENTIP_CLI_OBJECTS_H
#define CLIENTIP_CLI_OBJECTS_H

#include <stdbool.h>

#include "cli.h"
#include "labinfo.h"
#include "model.h"

/* ---- the lab ---------------------------------------------------------- */

/* Reads <statedir>/lab.json. Prints kubectl's kind of error and returns -1
 * if the lab does not exist or its lab.json is unreadable. */
int obj_lab_open(const struct cli *cli, struct lab_info *li);

/* ---- resource types ----------------------------------------------------- */

enum obj_res {
	OBJ_RES_NODES, OBJ_RES_PODS, OBJ_RES_SERVICES, OBJ_RES_ENDPOINTS, OBJ_RES_DEPLOYMENTS,
	OBJ_RES_DAEMONSETS, OBJ_RES_COUNT,
};

/* kubectl's names and short names ("svc", "deploy", "po", "deployments.apps",
 * ...). 0, or -1 for an unknown type. */
int obj_res_parse(const char *s, enum obj_res *out);
/* "pods", "services", "deployments.apps": as in NotFound messages. */
const char *obj_res_plural(enum obj_res r);
/* "pod", "service", "deployment.apps": as in "pod/x" and "... deleted". */
const char *obj_res_singular(enum obj_res r);
bool obj_res_namespaced(enum obj_res r);
/* The API server's resource of a type the object verbs write
 * ("deployments", "daemonsets", "services"; NULL for the others). */
const char *obj_res_api(enum obj_res r);

/* Splits "TYPE/NAME" (returns 1, name in *name), accepts a bare TYPE
 * (returns 0), or prints kubectl's error and returns -1. */
int obj_res_arg(const char *arg, enum obj_res *res, const char **name);

/* `error: the server doesn't have a resource type "x"` */
void obj_err_unknown_type(const char *type);
/* `Error from server (NotFound): pods "x" not found` */
void obj_err_not_found(enum obj_res r, const char *name);

struct manifest;
/* A manifest file's messages (errors, warnings) on stderr, and how many
 * errors there were past the ones kept: apply, create and delete -f. */
void obj_print_manifest_msgs(const struct manifest *m);

/* ---- objects ------------------------------------------------------------ */

/* Pods of a deployment that are not being deleted, their statuses, ...:
 * loaded once per command. */
struct obj_world {
	struct model_pod *pods;
	int n_pods;
	struct model_pod_status *statuses;
	int n_statuses;
};

int obj_world_load(const struct cli *cli, struct obj_world *w);
void obj_world_free(struct obj_world *w);
/* The status the pod's agent wrote for this pod (uid must match), or NULL. */
const struct model_pod_status *obj_pod_status(const struct obj_world *w,
					      const struct model_pod *p);
/* kubectl's STATUS column: Running, Pending, ContainerCreating, Terminating,
 * ErrImagePull, CrashLoopBackOff, Completed, Error, ... */
const char *obj_pod_phase_text(const struct model_pod *p, const struct model_pod_status *st);
bool obj_pod_ready(const struct model_pod *p, const struct model_pod_status *st);

/* A Deployment's status: the one its controller reported (through the API
 * server), observed set when it describes the current generation; else,
 * before any report, computed from the pods. */
struct objapi_workload;
void obj_deployment_status(const struct objapi_workload *d, const struct obj_world *w,
			   struct model_deployment_status *st, bool *observed);

#endif
