/* cmd_lab.c — placeholder until this group of commands is built. */
#include "cli.h"
#include "log.h"

int cmd_lab(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

