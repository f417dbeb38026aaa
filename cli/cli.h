/* cli.h — what every `clientip` command receives.
 *
 * main.c strips the global options (--lab, -n/--namespace, -A) from argv
 * wherever they stand, as kubectl does, then hands the rest to the command:
 * argv[0] is the command's name ("get", "lab", ...).
 */
#ifndef CLIENTIP_CLI_H
#define CLIENTIP_CLI_H

#include <stdbool.h>

#include "lab.h"

struct cli {
	const char *lab;               /* --lab, $CLIENTIP_LAB, "default" */
	bool lab_given;                /* --lab was on the command line */
	const char *ns;                /* -n/--namespace, "default" */
	bool ns_given;                 /* -n/--namespace was on the command line */
	bool all_namespaces;           /* -A/--all-namespaces */
	char bindir[LAB_PATH_MAX];     /* directory of the clientip binary: daemons live beside it */
	char statedir[LAB_PATH_MAX];   /* lab_state_dir(lab) */
};

/* A command returns the process exit status (0 ok, 1 failure, 2 usage). */
typedef int cli_cmd_fn(struct cli *cli, int argc, char **argv);

/* cmd_lab.c */
cli_cmd_fn cmd_lab;
/* cmd_exec.c */
cli_cmd_fn cmd_exec;
cli_cmd_fn cmd_curl;
/* cmd_load.c */
cli_cmd_fn cmd_load;
/* cmd_apply.c */
cli_cmd_fn cmd_apply;
cli_cmd_fn cmd_create;
/* cmd_delete.c */
cli_cmd_fn cmd_delete;
/* cmd_get.c, cmd_describe.c */
cli_cmd_fn cmd_get;
cli_cmd_fn cmd_describe;
/* cmd_workload.c */
cli_cmd_fn cmd_scale;
cli_cmd_fn cmd_rollout;
cli_cmd_fn cmd_wait;
/* cmd_logs.c */
cli_cmd_fn cmd_logs;
/* cmd_explain.c */
cli_cmd_fn cmd_explain;
/* cmd_compare.c */
cli_cmd_fn cmd_compare;
/* cmd_lb.c */
cli_cmd_fn cmd_probes;
cli_cmd_fn cmd_metrics;

#endif
