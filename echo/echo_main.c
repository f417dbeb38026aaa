/* echo_main.c — clientip-echo: the scenario's demo app.
 *
 * Answers every HTTP request with the client address its socket sees, as
 * the scenario's four-line Node.js server does, and adds what a real
 * deployment needs: forwarding headers and PROXY protocol from trusted
 * proxies, JSON details, a health endpoint, graceful drain.
 */
#include <stdio.h>
#include <unistd.h>

#include "echo_config.h"
#include "echo_server.h"
#include "log.h"

extern char **environ;

int main(int argc, char **argv)
{
	struct echo_config cfg;
	char err[256];

	log_init("clientip-echo", LOG_LEVEL_INFO);
	switch (echo_config_parse(&cfg, argc, argv, (const char *const *)environ, stdout, err, sizeof(err))) {
	case ECHO_CONFIG_EXIT:
		return 0;
	case ECHO_CONFIG_ERROR:
		log_error("%s", err);
		fprintf(stderr, "Try 'clientip-echo --help'.\n");
		return 2;
	case ECHO_CONFIG_RUN:
		break;
	}
	if (cfg.verbose)
		log_init("clientip-echo", LOG_LEVEL_DEBUG);
	return echo_server_run(&cfg);
}
