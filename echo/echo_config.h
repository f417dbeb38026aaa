/* echo_config.h — clientip-echo's settings: flags, environment, defaults.
 *
 * Every flag has an environment variable (CLIENTIP_ECHO_<FLAG>); a flag on
 * the command line wins over its variable. PORT, as on most platforms that
 * run containers, sets the port of the default listener.
 */
#ifndef CLIENTIP_ECHO_CONFIG_H
#define CLIENTIP_ECHO_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "cidr.h"

#define ECHO_DEFAULT_PORT 8080
#define ECHO_MAX_LISTEN 16
#define ECHO_MAX_TRUST 128
#define ECHO_MAX_WORKERS 256
#define ECHO_NAME_MAX 255

struct echo_listen {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool proxy;     /* a PROXY protocol header is required first */
};

struct echo_config {
	struct echo_listen listen[ECHO_MAX_LISTEN];
	unsigned nlisten;
	struct cidr trust[ECHO_MAX_TRUST];
	unsigned ntrust;
	char name[ECHO_NAME_MAX + 1];
	bool unmap;
	bool newline;
	bool proxy_protocol;     /* on every listener */
	unsigned drain_ms;
	unsigned drain_accept_ms;  /* SIGTERM: keep accepting this long first */
	unsigned header_ms;      /* request head, idle keep-alive and send timeout */
	unsigned max_conns;      /* 0: derived from the open-file limit */
	unsigned workers;
	bool verbose;
};

enum echo_config_result {
	ECHO_CONFIG_RUN = 0,     /* cfg is filled in: start serving */
	ECHO_CONFIG_EXIT = 1,    /* --help or --version was printed */
	ECHO_CONFIG_ERROR = -1,  /* err holds the reason */
};

/* Fills cfg from defaults, then envp ("KEY=VALUE" strings, NULL-terminated;
 * NULL for none), then argv. Reentrant: resets getopt itself. --help and
 * --version print to out. */
enum echo_config_result echo_config_parse(struct echo_config *cfg, int argc, char **argv,
					  const char *const *envp, FILE *out,
					  char *err, size_t errlen);
void echo_config_usage(FILE *out);

#endif
