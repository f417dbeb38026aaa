/* daemon_args.h — the command line of a lab's edge daemons (the load
 * balancer, the gateway): `--lab NAME [--debug] [--help]` and a few string
 * options of the daemon's own.
 *
 * One parser, so that both take the lab the same way: the name from
 * --lab, else $CLIENTIP_LAB, else "default", checked before anything is
 * touched; --debug (or $CLIENTIP_DEBUG) for debug logging; no operands.
 */
#ifndef CLIENTIP_DAEMON_ARGS_H
#define CLIENTIP_DAEMON_ARGS_H

#include <stdio.h>

#define DAEMON_ARGS_RUN      (-1)   /* parsed: the daemon runs */
#define DAEMON_ARGS_MAX_OPTS 8

/* --name VALUE, stored into *value (left as it is when absent). */
struct daemon_args_opt {
	const char *name;
	const char **value;
};

/* Parses argv with the daemon's own options (n_opts of them, at most
 * DAEMON_ARGS_MAX_OPTS) and starts the log as prog. DAEMON_ARGS_RUN with
 * *lab set; otherwise the status main returns: 0 after --help (usage on
 * stdout), 2 for a bad option (usage on stderr), an operand or a bad lab
 * name (on the log). */
int daemon_args_parse(int argc, char **argv, const char *prog, void (*usage)(FILE *out),
		      const struct daemon_args_opt *opts, int n_opts, const char **lab);

#endif
