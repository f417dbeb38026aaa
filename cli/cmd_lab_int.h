/* cmd_lab_int.h — what cmd_lab.c (lab up, down, supervise, the dispatch)
 * and cmd_lab_status.c (lab status, list, kubeconfig, kill) share.
 */
#ifndef CLIENTIP_CMD_LAB_INT_H
#define CLIENTIP_CMD_LAB_INT_H

#include <stdbool.h>

#include "cli.h"

/* cmd_lab.c: true if running as root; otherwise says that lab `what`
 * needs it (it creates and removes network namespaces). */
bool cmd_lab_need_root(const char *what);
/* cmd_lab.c: true if anything of the lab exists: its state dir or a
 * namespace (*nns of them). */
bool cmd_lab_exists(struct cli *cli, int *nns);

/* cmd_lab_status.c: the subcommands, argv[0] being the subcommand's name. */
cli_cmd_fn cmd_lab_status;
cli_cmd_fn cmd_lab_list;
cli_cmd_fn cmd_lab_kubeconfig;
cli_cmd_fn cmd_lab_kill;

#endif
