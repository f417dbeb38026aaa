/* objects.h — what the kubectl-like verbs share (cli/objects.c).
 *
 * The verbs (apply, get, describe, ...) send and read objects through the
 * lab's API server (objapi.h); pods, their statuses and the nodes' are
 * still read from the lab's state files (docs/STATE.md). Output
 * imitates kubectl's: the same resource names, columns, padding, ages and
 * error lines, so a Kubernetes user reads it without thinking.
 */
#ifndef CLIENTIP_CLI_OBJECTS_H
#define CLIENTIP_CLI_OBJECTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "cli.h"
#include "labinfo.h"
#include "model.h"
#include "store.h"

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

/* ---- label selectors (-l) ----------------------------------------------- */

#define OBJ_SEL_MAX 16

struct obj_selector {
	struct {
		char key[MODEL_KEY_MAX];
		char value[MODEL_VALUE_MAX];
		enum { OBJ_SEL_EQ, OBJ_SEL_NE, OBJ_SEL_EXISTS, OBJ_SEL_NOT_EXISTS } op;
	} req[OBJ_SEL_MAX];
	int n;
};

/* "app=web,tier!=db,canary,!legacy". 0, or -1 with a message in err. */
int obj_selector_parse(const char *s, struct obj_selector *sel, char *err, size_t errlen);
/* An empty selector matches everything. */
bool obj_selector_matches(const struct obj_selector *sel, const struct model_map *labels);

/* ---- time ------------------------------------------------------------- */

/* kubectl's AGE (HumanDuration): "5s", "3m2s", "2d", "<invalid>". */
void obj_age(int64_t seconds, char *buf, size_t len);
/* AGE of an RFC 3339 timestamp relative to now; "<unknown>" if empty. */
void obj_age_since(const char *rfc3339, char *buf, size_t len);
/* "10s", "1m30s", "2h", "500ms" -> milliseconds; -1 if malformed. */
int64_t obj_parse_duration_ms(const char *s);
/* The same, or a bare number ("10", "1.5") counted in units of unit_ms. */
int64_t obj_parse_duration_or_number_ms(const char *s, int64_t unit_ms);
int64_t obj_now_ms(void);

/* ---- text output -------------------------------------------------------- */

/* Go's text/tabwriter, as kubectl uses it: cells end at '\t', a column's
 * width is its widest cell plus padding (at least minwidth), computed per
 * block of consecutive lines that have that column. `get` tables use
 * minwidth 6, padding 3; `describe` uses 0 and 2. */
void obj_tabwrite(FILE *out, const char *text, int minwidth, int padding);

/* The Kubernetes JSON of an object (as the store writes it) as YAML in
 * kubectl's style: block mappings, "- " sequences at the parent's indent,
 * strings quoted only where YAML would read them as something else. */
int obj_json_to_yaml(const char *json, size_t len, struct buf *out, char *err, size_t errlen);

/* "app=node,tier=web" or "<none>". */
void obj_map_format(const struct model_map *m, char *buf, size_t len);

/* ---- option parsing ------------------------------------------------------ */

/* Matches argv[*i] against a short (may be NULL) and long option taking a
 * value ("-f X", "-fX", "--filename X", "--filename=X"). Sets *val and
 * advances *i past a separate value. Returns 1 matched, 0 not, -1 when the
 * value is missing (message printed). */
int obj_opt_value(int argc, char **argv, int *i, const char *shrt, const char *lng,
		  const char **val);
bool obj_is_help(const char *arg);

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
