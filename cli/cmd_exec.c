/* cmd_exec.c — `clientip exec HOST -- CMD...` and `clientip curl`.
 *
 * Both replace the clientip process with the command, inside the host's
 * network namespace, so the command's stdio and exit status are the
 * caller's: `clientip exec node0 -- ip -4 addr` reads like `ip netns exec`.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "netns.h"

/* The namespace of HOST: edge, control, node<i>, client<i>, or a pod of the
 * Kubernetes namespace cli->ns. */
static void exec_host_netns(struct cli *cli, const char *host, char *buf, size_t len)
{
	if (strcmp(host, "edge") == 0 || strcmp(host, "control") == 0 ||
	    lab_node_index(host) >= 0 || lab_client_index(host) >= 0)
		lab_netns_name(cli->lab, host, buf, len);
	else
		lab_pod_netns_name(cli->lab, cli->ns, host, buf, len);
}

static int exec_in(struct cli *cli, const char *host, char **cmd)
{
	char netns[256];
	struct stat st;
	int fd, rc;

	exec_host_netns(cli, host, netns, sizeof(netns));
	fd = netns_open(netns);
	if (fd < 0) {
		char edge[128];

		lab_netns_name(cli->lab, "edge", edge, sizeof(edge));
		if (!netns_exists(edge) && stat(cli->statedir, &st) < 0)
			log_error("lab %s does not exist (start it with `clientip --lab %s lab up`)",
				  cli->lab, cli->lab);
		else if (fd == -ENOENT)
			log_error("no host or pod \"%s\" in lab %s (namespace %s); hosts are edge, "
				  "control, node<i>, client<i> or a pod name (-n picks its namespace)",
				  host, cli->lab, netns);
		else
			log_error("%s: %s", netns, strerror(-fd));
		return 1;
	}
	rc = netns_enter(fd);
	close(fd);
	if (rc < 0) {
		log_error("enter %s: %s", netns, strerror(-rc));
		return 1;
	}
	netns_private_sysfs();
	execvp(cmd[0], cmd);
	log_error("%s: %s", cmd[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	int first = 2;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: clientip [--lab NAME] [-n NS] exec HOST -- CMD [ARGS...]\n"
		       "HOST: edge, control, node<i>, client<i>, or a pod name (in namespace NS)\n");
		return 0;
	}
	if (argc >= 3 && strcmp(argv[2], "--") == 0)
		first = 3;
	if (argc <= first) {
		log_error("usage: clientip exec HOST -- CMD [ARGS...]");
		return 2;
	}
	return exec_in(cli, argv[1], argv + first);
}

int cmd_curl(struct cli *cli, int argc, char **argv)
{
	static const char *const base[] = { "curl", "-sS", "--max-time", "10" };
	const size_t nbase = sizeof(base) / sizeof(base[0]);
	const char *from = "client0";
	char **cmd;
	int n = 0, rc, nargs = 0;

	cmd = calloc(nbase + (size_t)argc + 1, sizeof(*cmd));
	if (!cmd) {
		log_error("out of memory");
		return 1;
	}
	for (size_t i = 0; i < nbase; i++)
		cmd[n++] = (char *)base[i];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--from") == 0) {
			if (i + 1 >= argc) {
				log_error("--from needs a client name");
				rc = 2;
				goto out;
			}
			from = argv[++i];
		} else if (strncmp(argv[i], "--from=", 7) == 0) {
			from = argv[i] + 7;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: clientip [--lab NAME] curl [--from client<i>] URL [CURL ARGS...]\n"
			       "Runs `curl -sS --max-time 10 ...` on an internet client (default client0).\n");
			rc = 0;
			goto out;
		} else {
			cmd[n++] = argv[i];
			nargs++;
		}
	}
	if (nargs == 0) {
		log_error("usage: clientip curl [--from CLIENT] URL [CURL ARGS...]");
		rc = 2;
		goto out;
	}
	if (lab_client_index(from) < 0) {
		log_error("--from %s: not a client name (client0, client1, ...)", from);
		rc = 2;
		goto out;
	}
	rc = exec_in(cli, from, cmd);
out:
	free(cmd);
	return rc;
}
