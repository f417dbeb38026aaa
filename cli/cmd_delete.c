/* cmd_delete.c — delete: by manifest file (-f), by name, by label
 * selector (-l) or --all, through the lab's API server, in kubectl's
 * words.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "labels.h"
#include "manifest.h"
#include "objapi.h"
#include "objects.h"
#include "options.h"

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
		obj_print_manifest_msgs(&m);
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
		} else if ((r = opt_validate_flag(argv[i], &opt.validation)) != 0) {
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
