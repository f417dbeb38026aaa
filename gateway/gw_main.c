/* gw_main.c — `clientip-gateway --lab NAME`: the lab's L7 gateway.
 *
 * `clientip lab up` starts it inside the lab's edge namespace, where the
 * lab gave it its frontend address (GW_FRONTEND_IP) and its subnet address
 * (GW_SOURCE_IP), and routes to every node's pod CIDR. Started by hand
 * elsewhere, it moves into cip-<lab>-edge first, as the load balancer does:
 * it must never serve from the host's namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "daemon_args.h"
#include "gw.h"
#include "log.h"
#include "sock.h"

static void gw_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip-gateway --lab NAME [--listen ADDR:PORT] [--source ADDR]\n"
		"                        [--debug]\n"
		"\n"
		"The L7 gateway of a clientip lab (Azure Application Gateway's role, with its\n"
		"ingress controller): routes HTTP requests by the lab's Ingresses of class\n"
		"\"" GW_INGRESS_CLASS "\" straight to ready pod addresses, adding\n"
		"X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Port. Runs in the lab's\n"
		"edge namespace and reads the lab through its API server's socket.\n"
		"\n"
		"  --listen ADDR:PORT  frontend (default " GW_FRONTEND_IP ":%d)\n"
		"  --source ADDR       source address towards pods (default " GW_SOURCE_IP ",\n"
		"                      in the gateway's subnet " GW_SUBNET ")\n",
		GW_FRONTEND_PORT);
}

int main(int argc, char **argv)
{
	const char *lab, *listen = NULL, *source = GW_SOURCE_IP;
	const struct daemon_args_opt opts[] = {
		{ "listen", &listen },
		{ "source", &source },
	};
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct gw gw;
	char err[512], dir[LAB_PATH_MAX];
	int sfd = -1;
	int rc = daemon_args_parse(argc, argv, "clientip-gateway", gw_usage, opts,
				   (int)(sizeof(opts) / sizeof(opts[0])), &lab);

	if (rc != DAEMON_ARGS_RUN)
		return rc;
	rc = 1;
	memset(&gw, 0, sizeof(gw));
	gw.lfd = -1;
	if (!listen)
		snprintf(err, sizeof(err), "%s:%d", GW_FRONTEND_IP, GW_FRONTEND_PORT);
	if (sock_parse_addr(listen ? listen : err, &ss, &sslen) < 0 || ss.ss_family != AF_INET) {
		log_error("--listen %s: expected an IPv4 ADDR:PORT", listen);
		return 2;
	}
	memcpy(&gw.listen_addr, &ss, sizeof(gw.listen_addr));
	if (inet_pton(AF_INET, source, &gw.source) != 1) {
		log_error("--source %s: expected an IPv4 address", source);
		return 2;
	}
	snprintf(gw.lab, sizeof(gw.lab), "%s", lab);
	if (getrandom(&gw.trace_seed, sizeof(gw.trace_seed), 0) != (ssize_t)sizeof(gw.trace_seed))
		gw.trace_seed = (uint64_t)getpid() << 32 ^ (uint64_t)ev_wall_ms();
	snprintf(gw.sock_path, sizeof(gw.sock_path), "%s/apiserver.sock",
		 lab_state_dir(lab, dir, sizeof(dir)));
	if (lab_enter_netns(lab, "edge", err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	gw.loop = ev_loop_new();
	if (!gw.loop || (sfd = ev_stop_on_signals(gw.loop)) < 0) {
		log_error("event loop: %s", strerror(gw.loop ? -sfd : ENOMEM));
		goto out;
	}
	if (gw_proxy_start(&gw, err, sizeof(err)) < 0 || gw_api_start(&gw, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	log_info("lab %s: Ingresses of class %s, pods reached from %s", lab, GW_INGRESS_CLASS,
		 source);
	rc = ev_run(gw.loop) < 0 ? 1 : 0;
out:
	if (gw.loop) {
		gw_proxy_stop(&gw);
		gw_api_stop(&gw);
		ev_loop_free(gw.loop);
	}
	if (sfd >= 0)
		close(sfd);
	return rc;
}
