/* cmd_logs.c — logs: a pod's output as the API server has it from the
 * pod's kubelet (pods/NAME/log), printed whole or followed, for a pod or
 * for the first pod of a Deployment or DaemonSet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiclient.h"
#include "cli.h"
#include "ev.h"
#include "manifest.h"
#include "objapi.h"
#include "objects.h"
#include "options.h"

static void logs_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip logs POD|deployment/NAME|daemonset/NAME [-c CONTAINER] [-f] [--tail N]\n"
		"\n"
		"Prints a pod's output, as the API server has it from the pod's kubelet.\n"
		"-f follows it until the pod's process is over for good, the pod is gone\n"
		"or Ctrl-C; --tail N starts N lines from the end (-1: all).\n"
		"\n"
		"Example:\n"
		"  clientip logs -f deployment/node-deployment\n");
}

/* A followed log: each line as it comes, until the stream ends. */
#define LOGS_TIMEOUT_MS 15000

struct logs_follow {
	struct ev_loop *loop;
	int rc;
};

static void logs_on_line(struct apiclient_watch *w, const char *line, size_t len, void *data)
{
	(void)w;
	(void)data;
	fwrite(line, 1, len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

static void logs_on_end(struct apiclient_watch *w, int err, const char *msg, void *data)
{
	struct logs_follow *f = data;

	(void)w;
	if (err == -1) {
		json_t *st = json_loads(msg, 0, NULL);

		fprintf(stderr, "Error from server (%s): %s\n", st ? objapi_reason(st) : "",
			st ? objapi_message(st) : msg);
		json_decref(st);
		f->rc = 1;
	} else if (err < 0) {
		fprintf(stderr, "error: the log stream ended: %s\n", msg);
		f->rc = 1;
	}
	ev_stop(f->loop);
}

static int logs_follow(struct objapi *a, const char *path)
{
	struct logs_follow f = { .loop = ev_loop_new() };
	struct apiclient_watch *w = NULL;
	char err[256];

	if (!f.loop) {
		fprintf(stderr, "error: out of memory\n");
		return 1;
	}
	w = apiclient_watch_start(f.loop, a->sock, path, logs_on_line, logs_on_end, &f, err,
				  sizeof(err));
	if (!w) {
		objapi_say_down(a, err);
		f.rc = 1;
	} else if (ev_run(f.loop) < 0) {
		f.rc = 1;
	}
	apiclient_watch_free(w);
	ev_loop_free(f.loop);
	return f.rc;
}

int cmd_logs(struct cli *cli, int argc, char **argv)
{
	const char *args[8], *tail = NULL, *pod_name = NULL, *container = NULL;
	char pick[MODEL_NAME_MAX], query[320], path[1024];
	struct objapi a;
	struct buf text = BUF_INIT;
	json_t *st = NULL;
	int nargs = 0, rc, code;
	bool follow = false;
	long tail_n = -1;

	for (int i = 1; i < argc; i++) {
		int r;

		if (opt_is_help(argv[i])) {
			logs_usage(stdout);
			return 0;
		}
		if ((r = opt_value(argc, argv, &i, NULL, "--tail", &tail)) != 0) {
			if (r < 0)
				return 2;
		} else if ((r = opt_value(argc, argv, &i, "-c", "--container", &container)) != 0) {
			if (r < 0)
				return 2;
		} else if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--follow") == 0) {
			follow = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "error: unknown flag \"%s\"\n", argv[i]);
			return 2;
		} else if (nargs < (int)(sizeof(args) / sizeof(args[0]))) {
			args[nargs++] = argv[i];
		}
	}
	if (nargs != 1) {
		fprintf(stderr, "error: expected POD or TYPE/NAME\n");
		logs_usage(stderr);
		return 2;
	}
	if (tail) {
		char *end;

		tail_n = strtol(tail, &end, 10);
		if (*end || *tail == '\0') {
			fprintf(stderr, "error: invalid --tail \"%s\"\n", tail);
			return 2;
		}
	}
	if (container && manifest_check_dns1123_label(container)) {
		fprintf(stderr, "error: invalid container name \"%s\"\n", container);
		return 2;
	}
	pod_name = args[0];
	if (strchr(args[0], '/')) {
		enum obj_res res;
		const char *name = NULL;

		if (obj_res_arg(args[0], &res, &name) != 1)
			return 1;
		if (res == OBJ_RES_DEPLOYMENTS || res == OBJ_RES_DAEMONSETS) {
			struct obj_world w;
			int found = 0;

			if (obj_world_load(cli, &w) < 0)
				return 1;
			for (int i = 0; i < w.n_pods; i++)
				if (strcmp(w.pods[i].meta.ns, cli->ns) == 0 &&
				    strcmp(w.pods[i].owner, name) == 0 && !w.pods[i].meta.deleting[0] &&
				    w.pods[i].daemon_set == (res == OBJ_RES_DAEMONSETS) && !found++)
					snprintf(pick, sizeof(pick), "%s", w.pods[i].meta.name);
			obj_world_free(&w);
			if (!found) {
				fprintf(stderr, "error: no pods of %s/%s\n", obj_res_singular(res), name);
				return 1;
			}
			if (found > 1)
				fprintf(stderr, "Found %d pods, using pod/%s\n", found, pick);
			pod_name = pick;
		} else if (res == OBJ_RES_PODS) {
			pod_name = name;
		} else {
			fprintf(stderr, "error: cannot get logs of %s\n", obj_res_plural(res));
			return 1;
		}
	}
	/* A name that cannot be a pod's would not fit in a path either. */
	if (strlen(pod_name) >= MODEL_NAME_MAX || strpbrk(pod_name, "/?#%& ")) {
		obj_err_not_found(OBJ_RES_PODS, pod_name);
		return 1;
	}
	rc = snprintf(query, sizeof(query), "%s%s%s", follow ? "follow=true&" : "",
		      container ? "container=" : "", container ? container : "");
	if (tail_n >= 0)
		snprintf(query + rc, sizeof(query) - (size_t)rc, "%stailLines=%ld",
			 rc && query[rc - 1] != '&' ? "&" : "", tail_n);
	{
		char res_path[512];

		objapi_path("pods", cli->ns, pod_name, NULL, res_path, sizeof(res_path));
		snprintf(path, sizeof(path), "%s/log%s%s", res_path, query[0] ? "?" : "", query);
	}
	if (objapi_open(cli, &a) < 0)
		return 1;
	if (follow) {
		rc = logs_follow(&a, path);
		objapi_close(&a);
		return rc;
	}
	/* The server gives the kubelet API_LOG_HEAD_MS (10 s) to start its
	 * answer: wait longer, so that a silent kubelet is reported as the
	 * server reports it, not as a server that does not answer. */
	apiclient_set_timeout(a.c, LOGS_TIMEOUT_MS);
	code = objapi_get_text(&a, path, &text, &st);
	rc = 0;
	if (code == 200) {
		fwrite(text.data ? text.data : "", 1, text.len, stdout);
	} else if (code > 0) {
		fprintf(stderr, "Error from server (%s): %s\n", st ? objapi_reason(st) : "",
			st ? objapi_message(st) : buf_str(&text));
		rc = 1;
	} else {
		rc = 1;
	}
	json_decref(st);
	buf_free(&text);
	objapi_close(&a);
	return rc;
}
