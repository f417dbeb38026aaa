/* cmd_workload.c — scale, rollout and wait: the verbs that act on a
 * Deployment's (or a DaemonSet's) pods or wait for them. Changes go to the lab's API server;
 * waiting means polling the store (status files are small and replaced
 * atomically): every 50 ms, as tests/integration/lib.sh's t_wait does. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apiclient.h"
#include "cli.h"
#include "duration.h"
#include "ev.h"
#include "fsutil.h"
#include "labels.h"
#include "objapi.h"
#include "objects.h"
#include "options.h"
#include "store.h"

#define WL_POLL_MS 50
#define WL_CONFLICT_TRIES 10
#define WL_RESTARTED_AT "kubectl.kubernetes.io/restartedAt"

static void wl_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* "TYPE NAME" or "TYPE/NAME" at args[0..], TYPE a Deployment (or, if
 * daemonsets, a DaemonSet: *res says which); returns the name or NULL
 * (message printed). */
static const char *wl_workload_arg(const char *const *args, int nargs, const char *verb,
				   bool daemonsets, enum obj_res *out)
{
	enum obj_res res;
	const char *name = NULL;
	int k;

	if (nargs < 1) {
		fprintf(stderr, "error: required resource not specified\n");
		return NULL;
	}
	if ((k = obj_res_arg(args[0], &res, &name)) < 0)
		return NULL;
	if (k == 0) {
		if (nargs < 2) {
			fprintf(stderr, "error: required resource name not specified\n");
			return NULL;
		}
		name = args[1];
	}
	if (res != OBJ_RES_DEPLOYMENTS && (!daemonsets || res != OBJ_RES_DAEMONSETS)) {
		fprintf(stderr, "error: %s is supported for deployments%s only here, not %s\n",
			verb, daemonsets ? " and daemonsets" : "", obj_res_plural(res));
		return NULL;
	}
	*out = res;
	return name;
}

/* Reads, changes (fn) and writes back a workload (res: a Deployment or a
 * DaemonSet) through the API server,
 * at the resourceVersion it read: a change made by another client in
 * between is a 409 Conflict, and fn is applied again to a fresh copy, as
 * kubectl's RetryOnConflict does. fn returns true if it changed the object
 * (nothing is sent otherwise). */
typedef bool wl_change_fn(json_t *d, const void *arg);

static int wl_update(struct cli *cli, enum obj_res res, const char *name, wl_change_fn *fn,
		     const void *arg)
{
	struct objapi api;
	json_t *d = NULL, *resp = NULL;
	char path[512];
	int code, status = 1;

	if (objapi_open(cli, &api) < 0)
		return 1;
	objapi_path(obj_res_api(res), cli->ns, name, NULL, path, sizeof(path));
	for (int tries = 0;; tries++) {
		json_decref(d);
		json_decref(resp);
		d = resp = NULL;
		code = objapi_call(&api, "GET", path, NULL, &d);
		if (code < 0)
			goto out;
		if (code == 404) {
			obj_err_not_found(res, name);
			goto out;
		}
		if (code != 200 || !json_is_object(d)) {
			fprintf(stderr, "Error from server (%s): %s\n", objapi_reason(d),
				objapi_message(d));
			goto out;
		}
		if (!fn(d, arg))
			break;
		code = objapi_call(&api, "PUT", path, d, &resp);
		if (code < 0)
			goto out;
		if (code == 409 && tries < WL_CONFLICT_TRIES)
			continue;
		if (code != 200) {
			fprintf(stderr, "Error from server (%s): %s\n", objapi_reason(resp),
				objapi_message(resp));
			goto out;
		}
		break;
	}
	status = 0;
out:
	json_decref(d);
	json_decref(resp);
	objapi_close(&api);
	return status;
}

/* An object of d at a key, made if missing. */
static json_t *wl_object_at(json_t *d, const char *key)
{
	json_t *v = json_object_get(d, key);

	if (!json_is_object(v)) {
		v = json_object();
		json_object_set_new(d, key, v);
	}
	return v;
}

/* ---- scale ---------------------------------------------------------------- */

static bool wl_set_replicas(json_t *d, const void *arg)
{
	int n = *(const int *)arg;
	json_t *spec = wl_object_at(d, "spec");
	json_t *cur = json_object_get(spec, "replicas");

	if (json_is_integer(cur) && json_integer_value(cur) == n)
		return false;
	json_object_set_new(spec, "replicas", json_integer(n));
	return true;
}

static void scale_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip scale deployment NAME --replicas N\n"
		"       clientip scale deployment/NAME --replicas=N\n"
		"\n"
		"Sets the number of pods of a Deployment; the controller starts or stops\n"
		"pods to match. A later `apply` of a manifest without spec.replicas keeps it.\n"
		"\n"
		"Example:\n"
		"  clientip scale deployment node-deployment --replicas 2\n");
}

int cmd_scale(struct cli *cli, int argc, char **argv)
{
	const char *args[8], *replicas = NULL, *name;
	struct lab_info li;
	enum obj_res res;
	int nargs = 0, n;
	char *end;

	for (int i = 1; i < argc; i++) {
		int r;

		if (opt_is_help(argv[i])) {
			scale_usage(stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, NULL, "--replicas", &replicas)) != 0) {
			if (r < 0)
				return 2;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "error: unknown flag \"%s\"\n", argv[i]);
			return 2;
		} else if (nargs < (int)(sizeof(args) / sizeof(args[0]))) {
			args[nargs++] = argv[i];
		}
	}
	if (!replicas) {
		fprintf(stderr, "error: required flag(s) \"replicas\" not set\n");
		scale_usage(stderr);
		return 2;
	}
	n = (int)strtol(replicas, &end, 10);
	if (*replicas == '\0' || *end || n < 0 || n > 1000) {
		fprintf(stderr, "error: invalid --replicas \"%s\": a number from 0 to 1000\n", replicas);
		return 2;
	}
	if (!(name = wl_workload_arg(args, nargs, "scale", false, &res)))
		return 2;
	if (obj_lab_open(cli, &li) < 0)
		return 1;
	if (wl_update(cli, res, name, wl_set_replicas, &n) != 0)
		return 1;
	printf("deployment.apps/%s scaled\n", name);
	return 0;
}

/* ---- rollout ----------------------------------------------------------------- */

static bool wl_restart(json_t *d, const void *arg)
{
	char now[MODEL_TIME_MAX];
	json_t *tmeta = wl_object_at(wl_object_at(wl_object_at(d, "spec"), "template"),
				     "metadata");

	(void)arg;
	model_time_now(now);
	json_object_set_new(wl_object_at(tmeta, "annotations"), WL_RESTARTED_AT, json_string(now));
	return true;
}

/* kubectl's DeploymentStatusViewer. Returns 1 done, 0 waiting, -1 failed;
 * msg gets the line to print. */
static int wl_rollout_state(struct cli *cli, const char *name, const struct obj_world *w,
			    char *msg, size_t len)
{
	struct objapi_workload *dw = malloc(sizeof(*dw));
	const struct model_deployment *d;
	struct model_deployment_status st;
	bool observed;
	int rc;

	if (!dw) {
		snprintf(msg, len, "error: out of memory");
		return -1;
	}
	rc = objapi_get_workload(cli, "deployments", cli->ns, name, dw);
	if (rc < 0) {
		if (rc == -ENOENT)
			snprintf(msg, len, "Error from server (NotFound): deployments.apps \"%s\" not "
				 "found", name);
		else
			snprintf(msg, len, "error: deployment \"%s\" could not be read", name);
		free(dw);
		return -1;
	}
	d = &dw->spec;
	obj_deployment_status(dw, w, &st, &observed);
	rc = 0;
	if (!observed) {
		snprintf(msg, len, "Waiting for deployment spec update to be observed...");
		goto out;
	}
	for (int i = 0; i < st.n_conditions && i < MODEL_MAX_CONDITIONS; i++)
		if (strcmp(st.conditions[i].type, "Progressing") == 0 &&
		    strcmp(st.conditions[i].reason, "ProgressDeadlineExceeded") == 0) {
			snprintf(msg, len, "error: deployment \"%s\" exceeded its progress deadline", name);
			rc = -1;
			goto out;
		}
	if (st.updated_replicas < d->replicas)
		snprintf(msg, len, "Waiting for deployment \"%s\" rollout to finish: %d out of %d new "
			 "replicas have been updated...", name, st.updated_replicas, d->replicas);
	else if (st.replicas > st.updated_replicas)
		snprintf(msg, len, "Waiting for deployment \"%s\" rollout to finish: %d old replicas "
			 "are pending termination...", name, st.replicas - st.updated_replicas);
	else if (st.available_replicas < st.updated_replicas)
		snprintf(msg, len, "Waiting for deployment \"%s\" rollout to finish: %d of %d updated "
			 "replicas are available...", name, st.available_replicas,
			 st.updated_replicas);
	else {
		snprintf(msg, len, "deployment \"%s\" successfully rolled out", name);
		rc = 1;
	}
out:
	free(dw);
	return rc;
}

/* kubectl's DaemonSetStatusViewer, over the DaemonSet as the API server
 * has it. Returns 1 done, 0 waiting, -1 failed; msg gets the line. */
static int wl_rollout_state_ds(struct cli *cli, const char *name, char *msg, size_t len)
{
	struct objapi_workload *ds = malloc(sizeof(*ds));
	const struct model_deployment_status *st;
	int rc;

	if (!ds) {
		snprintf(msg, len, "error: out of memory");
		return -1;
	}
	rc = objapi_get_workload(cli, "daemonsets", cli->ns, name, ds);
	if (rc < 0) {
		if (rc == -ENOENT)
			snprintf(msg, len, "Error from server (NotFound): daemonsets.apps \"%s\" not "
				 "found", name);
		else
			snprintf(msg, len, "error: daemon set \"%s\" could not be read", name);
		free(ds);
		return -1;
	}
	st = &ds->status;
	rc = 0;
	if (!ds->reported || ds->spec.meta.generation > st->observed_generation)
		snprintf(msg, len, "Waiting for daemon set spec update to be observed...");
	else if (st->updated_replicas < st->desired_scheduled)
		snprintf(msg, len, "Waiting for daemon set \"%s\" rollout to finish: %d out of %d "
			 "new pods have been updated...", name, st->updated_replicas,
			 st->desired_scheduled);
	else if (st->available_replicas < st->desired_scheduled)
		snprintf(msg, len, "Waiting for daemon set \"%s\" rollout to finish: %d of %d "
			 "updated pods are available...", name, st->available_replicas,
			 st->desired_scheduled);
	else {
		snprintf(msg, len, "daemon set \"%s\" successfully rolled out", name);
		rc = 1;
	}
	free(ds);
	return rc;
}

static int wl_rollout_status(struct cli *cli, enum obj_res res, const char *name,
			     int64_t timeout_ms, bool watch)
{
	int64_t deadline = timeout_ms > 0 ? (int64_t)ev_now_ms() + timeout_ms : 0;
	char msg[512], last[512] = "";

	for (;;) {
		struct obj_world w;
		int rc;

		if (res == OBJ_RES_DAEMONSETS) {
			rc = wl_rollout_state_ds(cli, name, msg, sizeof(msg));
		} else {
			if (obj_world_load(cli, &w) < 0)
				return 1;
			rc = wl_rollout_state(cli, name, &w, msg, sizeof(msg));
			obj_world_free(&w);
		}
		if (rc < 0) {
			fprintf(stderr, "%s\n", msg);
			return 1;
		}
		if (strcmp(msg, last) != 0) {
			printf("%s\n", msg);
			fflush(stdout);
			snprintf(last, sizeof(last), "%s", msg);
		}
		if (rc == 1 || !watch)
			return 0;
		if (deadline && (int64_t)ev_now_ms() >= deadline) {
			fprintf(stderr, "error: timed out waiting for the condition\n");
			return 1;
		}
		wl_sleep_ms(WL_POLL_MS);
	}
}

static void rollout_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip rollout restart deployment|daemonset NAME\n"
		"       clientip rollout status deployment|daemonset NAME [--timeout 60s]\n"
		"                               [--watch=false]\n"
		"\n"
		"restart: sets the pod template's kubectl.kubernetes.io/restartedAt annotation,\n"
		"so the controller replaces every pod by a rolling update (a DaemonSet's node by\n"
		"node).\n"
		"status: follows the rollout until every replica (every node's pod) is updated\n"
		"and available (--timeout 0, the default, waits forever).\n"
		"\n"
		"Examples:\n"
		"  clientip rollout restart deployment/node-deployment\n"
		"  clientip rollout status deployment/node-deployment --timeout 60s\n"
		"  clientip rollout restart ds/whoami\n");
}

int cmd_rollout(struct cli *cli, int argc, char **argv)
{
	const char *args[8], *timeout = NULL, *name;
	struct lab_info li;
	enum obj_res res;
	int nargs = 0;
	bool watch = true;
	int64_t timeout_ms = 0;

	for (int i = 1; i < argc; i++) {
		int r;

		if (opt_is_help(argv[i])) {
			rollout_usage(stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, NULL, "--timeout", &timeout)) != 0) {
			if (r < 0)
				return 2;
		} else if (strcmp(argv[i], "--watch=false") == 0 || strcmp(argv[i], "-w=false") == 0) {
			watch = false;
		} else if (strcmp(argv[i], "--watch") == 0 || strcmp(argv[i], "--watch=true") == 0 ||
			   strcmp(argv[i], "-w") == 0) {
			watch = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "error: unknown flag \"%s\"\n", argv[i]);
			return 2;
		} else if (nargs < (int)(sizeof(args) / sizeof(args[0]))) {
			args[nargs++] = argv[i];
		}
	}
	if (nargs < 1) {
		rollout_usage(stderr);
		return 2;
	}
	if (timeout && (timeout_ms = duration_parse_ms(timeout)) < 0) {
		fprintf(stderr, "error: invalid --timeout \"%s\" (e.g. 60s, 2m)\n", timeout);
		return 2;
	}
	if (strcmp(args[0], "restart") != 0 && strcmp(args[0], "status") != 0) {
		fprintf(stderr, "error: unknown rollout command \"%s\"; clientip knows restart and "
			"status\n", args[0]);
		return 2;
	}
	if (!(name = wl_workload_arg(args + 1, nargs - 1, "rollout", true, &res)))
		return 2;
	if (obj_lab_open(cli, &li) < 0)
		return 1;
	if (strcmp(args[0], "status") == 0)
		return wl_rollout_status(cli, res, name, timeout_ms, watch);
	if (wl_update(cli, res, name, wl_restart, NULL) != 0)
		return 1;
	printf("%s/%s restarted\n", obj_res_singular(res), name);
	return 0;
}

/* ---- wait ------------------------------------------------------------------ */

enum wl_for { WL_FOR_READY, WL_FOR_AVAILABLE, WL_FOR_DELETE };

struct wl_target {
	enum obj_res res;
	char name[MODEL_NAME_MAX];
	bool met;
};

/* Whether target t meets the condition now (want: the condition's value). */
static bool wl_met(struct cli *cli, const struct obj_world *w, const struct wl_target *t,
		   enum wl_for cond, bool want)
{
	if (t->res == OBJ_RES_PODS) {
		for (int i = 0; i < w->n_pods; i++) {
			const struct model_pod *p = &w->pods[i];

			if (strcmp(p->meta.ns, cli->ns) != 0 || strcmp(p->meta.name, t->name) != 0)
				continue;
			if (cond == WL_FOR_DELETE)
				return false;
			return obj_pod_ready(p, obj_pod_status(w, p)) == want;
		}
		return cond == WL_FOR_DELETE;
	}
	if (t->res == OBJ_RES_DEPLOYMENTS) {
		struct objapi_workload *dw = malloc(sizeof(*dw));
		struct model_deployment_status st;
		bool observed, met = false, have_cond = false;
		int rc;

		if (!dw)
			return false;
		rc = objapi_get_workload(cli, "deployments", cli->ns, t->name, dw);
		if (rc < 0) {
			free(dw);
			return cond == WL_FOR_DELETE && rc == -ENOENT;
		}
		if (cond == WL_FOR_DELETE) {
			free(dw);
			return false;
		}
		obj_deployment_status(dw, w, &st, &observed);
		for (int i = 0; i < st.n_conditions && i < MODEL_MAX_CONDITIONS; i++)
			if (strcasecmp(st.conditions[i].type, "Available") == 0) {
				have_cond = true;
				met = st.conditions[i].status;
			}
		if (!have_cond)
			met = st.available_replicas >= dw->spec.replicas;
		free(dw);
		return observed && met == want;
	}
	{
		struct model_service s;
		int rc = objapi_get_service(cli, cli->ns, t->name, &s);

		return cond == WL_FOR_DELETE && rc == -ENOENT;
	}
}

/* The pods or Deployments of the namespace that sel matches. */
static int wl_select(struct cli *cli, const struct obj_world *w, enum obj_res res,
		     const struct labels_selector *sel, struct wl_target *targets, int max)
{
	int nt = 0;

	if (res == OBJ_RES_PODS) {
		for (int p = 0; p < w->n_pods && nt < max; p++) {
			if (strcmp(w->pods[p].meta.ns, cli->ns) != 0 ||
			    !labels_selector_matches(sel, &w->pods[p].meta.labels))
				continue;
			targets[nt].res = res;
			snprintf(targets[nt].name, sizeof(targets[nt].name), "%s", w->pods[p].meta.name);
			targets[nt++].met = false;
		}
	} else {
		struct objapi_workload *ds = NULL;
		int n = 0;

		if (objapi_list_deployments(cli, &ds, &n) == 0)
			for (int p = 0; p < n && nt < max; p++) {
				const struct model_meta *m = &ds[p].spec.meta;

				if (strcmp(m->ns, cli->ns) != 0 ||
				    !labels_selector_matches(sel, &m->labels))
					continue;
				targets[nt].res = res;
				snprintf(targets[nt].name, sizeof(targets[nt].name), "%s", m->name);
				targets[nt++].met = false;
			}
		free(ds);
	}
	return nt;
}

static void wait_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip wait --for=condition=Ready pod (-l SELECTOR | --all | NAME...)\n"
		"       clientip wait --for=condition=Ready pod/NAME... [--timeout 60s]\n"
		"       clientip wait --for=condition=Available deployment/NAME\n"
		"       clientip wait --for=delete pod/NAME|deployment/NAME|svc/NAME\n"
		"\n"
		"Waits until every object meets the condition (default timeout 30s),\n"
		"printing \"pod/NAME condition met\" for each; polls every 50 ms. With -l or\n"
		"--all it first waits, within the timeout, for objects to match.\n"
		"\n"
		"Example:\n"
		"  clientip wait --for=condition=Ready pod -l app=node --timeout 60s\n");
}

int cmd_wait(struct cli *cli, int argc, char **argv)
{
	const char *args[64], *forv = NULL, *timeout = "30s", *selector = NULL;
	struct wl_target targets[256];
	int nargs = 0, nt = 0, status = 0;
	enum wl_for cond = WL_FOR_READY;
	bool want = true, all = false;
	struct obj_world w;
	struct lab_info li;
	int64_t timeout_ms, deadline;
	enum obj_res res = OBJ_RES_PODS;

	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;

		if (opt_is_help(argv[i])) {
			wait_usage(stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, NULL, "--for", &forv)) != 0 ||
		    (r = opt_value(argc, argv, &i, NULL, "--timeout", &timeout)) != 0) {
			if (r < 0)
				return 2;
		} else if ((r = opt_value(argc, argv, &i, "-l", "--selector", &v)) != 0) {
			if (r < 0)
				return 2;
			selector = v;
		} else if (strcmp(argv[i], "--all") == 0) {
			all = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "error: unknown flag \"%s\"\n", argv[i]);
			return 2;
		} else if (nargs < (int)(sizeof(args) / sizeof(args[0]))) {
			args[nargs++] = argv[i];
		}
	}
	if (!forv) {
		fprintf(stderr, "error: --for must be specified\n");
		wait_usage(stderr);
		return 2;
	}
	if (strcmp(forv, "delete") == 0) {
		cond = WL_FOR_DELETE;
	} else if (strncasecmp(forv, "condition=", 10) == 0) {
		const char *c = forv + 10, *eq = strchr(c, '=');
		size_t n = eq ? (size_t)(eq - c) : strlen(c);

		if (n == 5 && strncasecmp(c, "Ready", 5) == 0)
			cond = WL_FOR_READY;
		else if (n == 9 && strncasecmp(c, "Available", 9) == 0)
			cond = WL_FOR_AVAILABLE;
		else {
			fprintf(stderr, "error: unsupported condition \"%.*s\"; clientip waits for "
				"Ready (pods) and Available (deployments)\n", (int)n, c);
			return 2;
		}
		if (eq)
			want = strcasecmp(eq + 1, "false") != 0;
	} else {
		fprintf(stderr, "error: unrecognized condition: \"%s\"\n", forv);
		return 2;
	}
	if ((timeout_ms = duration_parse_ms(timeout)) < 0) {
		fprintf(stderr, "error: invalid --timeout \"%s\" (e.g. 60s, 2m)\n", timeout);
		return 2;
	}
	if (nargs == 0) {
		fprintf(stderr, "error: resource(s) were not specified\n");
		wait_usage(stderr);
		return 2;
	}
	if (obj_lab_open(cli, &li) < 0 || obj_world_load(cli, &w) < 0)
		return 1;
	deadline = (int64_t)ev_now_ms() + timeout_ms;

	/* The objects to wait for are fixed once found, as kubectl fixes them. */
	for (int i = 0; i < nargs && status == 0; i++) {
		const char *name = NULL;
		int k = obj_res_arg(args[i], &res, &name);

		if (k < 0) {
			status = 2;
			break;
		}
		if ((cond == WL_FOR_READY && res != OBJ_RES_PODS) ||
		    (cond == WL_FOR_AVAILABLE && res != OBJ_RES_DEPLOYMENTS) ||
		    res == OBJ_RES_NODES || res == OBJ_RES_ENDPOINTS || res == OBJ_RES_DAEMONSETS) {
			fprintf(stderr, "error: condition not supported for %s\n", obj_res_plural(res));
			status = 2;
			break;
		}
		if (k == 1 || i > 0) {
			if (nt < (int)(sizeof(targets) / sizeof(targets[0]))) {
				targets[nt].res = res;
				snprintf(targets[nt].name, sizeof(targets[nt].name), "%s",
					 k == 1 ? name : args[i]);
				targets[nt++].met = false;
			}
			continue;
		}
		/* A bare TYPE: the names follow, or -l / --all choose. */
		if (nargs > 1) {
			for (int j = 1; j < nargs && nt < (int)(sizeof(targets) / sizeof(targets[0])); j++) {
				targets[nt].res = res;
				snprintf(targets[nt].name, sizeof(targets[nt].name), "%s", args[j]);
				targets[nt++].met = false;
			}
			break;
		}
		if (!selector && !all) {
			fprintf(stderr, "error: resource(s) were provided, but no name was specified\n");
			status = 2;
			break;
		}
		{
			struct labels_selector sel;
			char err[256];

			if (labels_selector_parse(selector ? selector : "", &sel, err,
						  sizeof(err)) < 0) {
				fprintf(stderr, "error: %s\n", err);
				status = 2;
				break;
			}
			/* Right after an apply the controller may not have made the
			 * pods yet: wait for some to match, within the timeout
			 * (kubectl would fail at once). */
			for (;;) {
				nt = wl_select(cli, &w, res, &sel, targets,
					       (int)(sizeof(targets) / sizeof(targets[0])));
				if (nt > 0 || (int64_t)ev_now_ms() >= deadline)
					break;
				wl_sleep_ms(WL_POLL_MS);
				obj_world_free(&w);
				if (obj_world_load(cli, &w) < 0)
					return 1;
			}
		}
	}
	if (status == 0 && nt == 0) {
		fprintf(stderr, "error: no matching resources found\n");
		status = 1;
	}
	while (status == 0) {
		int pending = 0;

		for (int i = 0; i < nt; i++) {
			if (targets[i].met)
				continue;
			if (wl_met(cli, &w, &targets[i], cond, want)) {
				targets[i].met = true;
				printf("%s/%s condition met\n", obj_res_singular(targets[i].res),
				       targets[i].name);
				fflush(stdout);
			} else {
				pending++;
			}
		}
		if (pending == 0)
			break;
		if ((int64_t)ev_now_ms() >= deadline) {
			for (int i = 0; i < nt; i++)
				if (!targets[i].met)
					fprintf(stderr, "error: timed out waiting for the condition on %s/%s\n",
						obj_res_plural(targets[i].res), targets[i].name);
			status = 1;
			break;
		}
		wl_sleep_ms(WL_POLL_MS);
		obj_world_free(&w);
		if (obj_world_load(cli, &w) < 0)
			return 1;
	}
	obj_world_free(&w);
	return status;
}
