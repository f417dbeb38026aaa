/* agent_main.c — clientip-agent: the node agent of one lab node. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "ev.h"
#include "kubelet.h"
#include "log.h"
#include "proxy.h"
#include "watch.h"

struct agent {
	struct agent_config cfg;
	struct ev_loop *loop;
	struct watch *watch;
	struct kubelet *kubelet;
	struct proxy *proxy;
	int sigfd;
};

static void agent_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip-agent --lab NAME --node node<i>\n"
		"\n"
		"The node agent of a clientip lab: kubelet's role (pods as processes in\n"
		"their own network namespaces) and kube-proxy's (Services on nftables,\n"
		"health check node ports, /healthz and /livez on port %d).\n"
		"`clientip lab up` starts one in each node's namespace.\n",
		LAB_PROXY_HEALTH_PORT);
}

static void agent_on_change(struct watch *w, void *data)
{
	struct agent *a = data;

	(void)w;
	kubelet_sync(a->kubelet);
}

static int agent_parse(struct agent_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "node", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *lab = NULL, *node = NULL;
	char err[128], self[LAB_PATH_MAX];
	ssize_t len;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lab = optarg; break;
		case 'n': node = optarg; break;
		case 'h': agent_usage(stdout); exit(0);
		default: agent_usage(stderr); return -1;
		}
	}
	lab = lab_name_default(lab);
	if (!lab_name_valid(lab, err, sizeof(err))) {
		log_error("--lab %s: %s", lab, err);
		return -1;
	}
	if (!node || lab_node_index(node) < 0) {
		log_error("--node wants a node name like node0");
		return -1;
	}
	snprintf(cfg->lab, sizeof(cfg->lab), "%s", lab);
	snprintf(cfg->node, sizeof(cfg->node), "%s", node);
	cfg->node_index = lab_node_index(node);
	cfg->node_addr = lab_node_addr(cfg->node_index);
	cfg->pod_gateway = lab_node_pod_gateway(cfg->node_index);
	lab_state_dir(lab, cfg->statedir, sizeof(cfg->statedir));
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0)
		len = 0;
	self[len] = '\0';
	snprintf(cfg->bindir, sizeof(cfg->bindir), "%s", dirname(self));
	return 0;
}

int main(int argc, char **argv)
{
	/* No directory: the kubelet and the proxy are clients of the API
	 * server; the watch only brings the kubelet's 2 s resync. */
	static const char *const watched[] = { NULL };
	struct agent a = { .sigfd = -1 };
	char err[256];
	int rc = 1;

	log_init("clientip-agent", getenv("CLIENTIP_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (agent_parse(&a.cfg, argc, argv) < 0)
		return 2;
	/* Pod processes are our children; their exits are watched per pod. */
	signal(SIGPIPE, SIG_IGN);
	a.loop = ev_loop_new();
	if (!a.loop || (a.sigfd = ev_stop_on_signals(a.loop)) < 0) {
		log_error("start-up: %s", strerror(a.loop ? -a.sigfd : ENOMEM));
		goto out;
	}
	a.kubelet = kubelet_new(a.loop, &a.cfg, err, sizeof(err));
	if (!a.kubelet) {
		log_error("kubelet: %s", err);
		goto out;
	}
	a.proxy = proxy_new(a.loop, &a.cfg, err, sizeof(err));
	if (!a.proxy) {
		log_error("proxy: %s", err);
		goto out;
	}
	a.watch = watch_new(a.loop, a.cfg.statedir, watched, 20, 2000, agent_on_change, &a,
			    err, sizeof(err));
	if (!a.watch) {
		log_error("%s", err);
		goto out;
	}
	log_info("lab %s, %s (%s): running", a.cfg.lab, a.cfg.node, inet_ntoa(a.cfg.node_addr));
	kubelet_start(a.kubelet);
	proxy_start(a.proxy);
	rc = ev_run(a.loop) < 0 ? 1 : 0;
out:
	watch_free(a.watch);
	proxy_free(a.proxy);
	kubelet_free(a.kubelet);
	ev_loop_free(a.loop);
	if (a.sigfd >= 0)
		close(a.sigfd);
	return rc;
}
