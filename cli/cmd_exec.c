/* cmd_exec.c — placeholder until this group of commands is built. */
#include "cli.h"
#include "log.h"

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

int cmd_curl(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

