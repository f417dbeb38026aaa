/* daemon_args.c — see daemon_args.h. */
#include "daemon_args.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>

#include "lab.h"
#include "log.h"

enum { DAEMON_ARGS_LAB = 256, DAEMON_ARGS_DEBUG, DAEMON_ARGS_OWN };

int daemon_args_parse(int argc, char **argv, const char *prog, void (*usage)(FILE *out),
		      const struct daemon_args_opt *opts, int n_opts, const char **lab)
{
	struct option all[DAEMON_ARGS_MAX_OPTS + 4] = {
		{ "lab", required_argument, NULL, DAEMON_ARGS_LAB },
		{ "debug", no_argument, NULL, DAEMON_ARGS_DEBUG },
		{ "help", no_argument, NULL, 'h' },
	};
	bool debug = getenv("CLIENTIP_DEBUG") != NULL;
	char err[512];
	int c;

	*lab = NULL;
	for (int i = 0; i < n_opts && i < DAEMON_ARGS_MAX_OPTS; i++)
		all[3 + i] = (struct option){ opts[i].name, required_argument, NULL,
					      DAEMON_ARGS_OWN + i };
	while ((c = getopt_long(argc, argv, "h", all, NULL)) != -1) {
		if (c == DAEMON_ARGS_LAB) {
			*lab = optarg;
		} else if (c == DAEMON_ARGS_DEBUG) {
			debug = true;
		} else if (c >= DAEMON_ARGS_OWN && c < DAEMON_ARGS_OWN + n_opts) {
			*opts[c - DAEMON_ARGS_OWN].value = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	log_init(prog, debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	*lab = lab_name_default(*lab);
	if (optind < argc) {
		log_error("unexpected argument \"%s\"", argv[optind]);
		return 2;
	}
	if (!lab_name_valid(*lab, err, sizeof(err))) {
		log_error("%s", err);
		return 2;
	}
	return DAEMON_ARGS_RUN;
}
