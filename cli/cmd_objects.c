/* cmd_objects.c — placeholder until this group of commands is built. */
#include "cli.h"
#include "log.h"

int cmd_apply(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

int cmd_delete(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

int cmd_get(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

int cmd_describe(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

int cmd_scale(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

int cmd_rollout(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

int cmd_wait(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

int cmd_logs(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	log_error("%s: not available yet", argv[0]);
	return 1;
}

