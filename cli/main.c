/* main.c — `clientip`: global options and command dispatch. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"

struct cli_command {
	const char *name;
	cli_cmd_fn *fn;
	const char *summary;
};

static const struct cli_command cli_commands[] = {
	{ "lab",      cmd_lab,      "up | down | status | list | kill: build, remove, show, list labs, crash a daemon" },
	{ "apply",    cmd_apply,    "-f FILE|-: create or update objects from a manifest" },
	{ "create",   cmd_create,   "-f FILE|-: create objects from a manifest" },
	{ "delete",   cmd_delete,   "-f FILE | TYPE NAME: delete objects" },
	{ "get",      cmd_get,      "nodes|pods|svc|endpoints|deployments [NAME] [-o wide|yaml|json]" },
	{ "describe", cmd_describe, "svc|pod|deploy NAME: details and events" },
	{ "scale",    cmd_scale,    "deployment NAME --replicas N" },
	{ "rollout",  cmd_rollout,  "restart|status deployment NAME" },
	{ "wait",     cmd_wait,     "--for=condition=Ready pod -l k=v | pod/NAME [--timeout 60s]" },
	{ "logs",     cmd_logs,     "POD: a pod's output" },
	{ "exec",     cmd_exec,     "HOST -- CMD...: run a command in a client, node or pod" },
	{ "curl",     cmd_curl,     "[--from CLIENT] URL: request a URL from an internet client" },
	{ "load",     cmd_load,     "URL [--rate N] [--duration 10s]: load that counts every failed connection" },
	{ "probes",   cmd_probes,   "SVC: the load balancer's health probes and pool status" },
	{ "metrics",  cmd_metrics,  "SVC [--since 30m] [--svg FILE]: load balancer metrics" },
	{ "explain",  cmd_explain,  "SVC [--from HOST]: where a request went and why the client address was kept or lost" },
	{ "compare",  cmd_compare,  "[--strategies LIST] [--quick] [--json]: the ways to keep the client IP, measured" },
};

static void cli_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip [--lab NAME] [-n NAMESPACE | -A] COMMAND [ARGS...]\n"
		"\n"
		"A kubectl-like CLI for a Kubernetes cluster built out of network\n"
		"namespaces on this machine (see clientip(1)).\n"
		"\n"
		"Global options (accepted anywhere before `--`):\n"
		"  --lab NAME          the lab to act on ($CLIENTIP_LAB, default \"default\")\n"
		"  -n, --namespace NS  the Kubernetes namespace (default \"default\")\n"
		"  -A, --all-namespaces\n"
		"  -h, --help          this help; `clientip COMMAND --help` for a command's\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++)
		fprintf(out, "  %-9s %s\n", cli_commands[i].name, cli_commands[i].summary);
}

/* Takes the value of a global option at argv[*i] ("--lab X" or "--lab=X"). */
static const char *cli_take_value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc) {
		log_error("option %s needs a value", opt);
		exit(2);
	}
	return argv[++*i];
}

static bool cli_is_opt(const char *arg, const char *opt)
{
	size_t n = strlen(opt);

	return strncmp(arg, opt, n) == 0 && (arg[n] == '\0' || (arg[n] == '=' && opt[1] == '-'));
}

/* Removes global options from argv in place; returns the new argc. */
static int cli_parse_globals(struct cli *cli, int argc, char **argv, const char **lab_flag)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (cli_is_opt(a, "--lab"))
			*lab_flag = cli_take_value(argc, argv, &i, "--lab");
		else if (cli_is_opt(a, "-n") || cli_is_opt(a, "--namespace")) {
			cli->ns = cli_take_value(argc, argv, &i, a[1] == '-' ? "--namespace" : "-n");
			cli->ns_given = true;
		}
		else if (strcmp(a, "-A") == 0 || strcmp(a, "--all-namespaces") == 0)
			cli->all_namespaces = true;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

static void cli_find_bindir(struct cli *cli, const char *argv0)
{
	char self[LAB_PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
	} else {
		snprintf(self, sizeof(self), "%s", argv0);
	}
	snprintf(cli->bindir, sizeof(cli->bindir), "%s", dirname(self));
}

int main(int argc, char **argv)
{
	struct cli cli = { .ns = "default" };
	const char *lab_flag = NULL;
	char err[256];

	log_init("clientip", getenv("CLIENTIP_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	argc = cli_parse_globals(&cli, argc, argv, &lab_flag);
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		cli_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cli.lab = lab_name_default(lab_flag);
	cli.lab_given = lab_flag != NULL;
	if (!lab_name_valid(cli.lab, err, sizeof(err))) {
		log_error("--lab %s: %s", cli.lab, err);
		return 2;
	}
	lab_state_dir(cli.lab, cli.statedir, sizeof(cli.statedir));
	cli_find_bindir(&cli, argv[0]);

	for (size_t i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++) {
		if (strcmp(argv[1], cli_commands[i].name) == 0)
			return cli_commands[i].fn(&cli, argc - 1, argv + 1);
	}
	log_error("unknown command \"%s\"; see `clientip --help`", argv[1]);
	return 2;
}
