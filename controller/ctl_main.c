/* ctl_main.c — clientip-controller: the API server and controllers of a lab. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "store.h"

#define CTL_DEBOUNCE_MS 20
#define CTL_RESYNC_MS   2000

static void ctl_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip-controller --lab NAME [--once]\n"
		"\n"
		"The control plane of a clientip lab: Deployments become ReplicaSets and\n"
		"Pods (scheduled over the lab's nodes, addresses from each node's pod\n"
		"CIDR, rolling updates by maxSurge/maxUnavailable), DaemonSets get a pod on\n"
		"every Ready node (replaced node by node on a template change), Services\n"
		"get EndpointSlices and Endpoints from the pods' readiness. Everything it\n"
		"reads and writes goes through the lab's API server (<state dir>/\n"
		"apiserver.sock, listed and watched); the node agents report their pods'\n"
		"status there too. It never touches the network. `clientip lab up` starts\n"
		"it in the lab's namespace cip-NAME-control. The state directory,\n"
		"/run/clientip/NAME ($CLIENTIP_RUN_DIR replaces /run/clientip), needs\n"
		"lab.json.\n"
		"\n"
		"  --lab NAME   the lab (default: $CLIENTIP_LAB, else \"default\")\n"
		"  --once       one reconcile pass, then exit\n"
		"\n"
		"Pods go, like kube-scheduler's, only to Ready nodes (a Node whose agent\n"
		"posted Ready and renewed its Lease less than %d s ago), at most %d per node\n"
		"(kubelet's maxPods),\n"
		"spread over the nodes by Deployment and template. A pod that fits nowhere is\n"
		"still created, Pending with no node and a PodScheduled=False condition\n"
		"(reason Unschedulable, kube-scheduler's message), and placed as soon as a\n"
		"node has room. Both limits can be lowered for tests; `clientip lab up`\n"
		"passes its environment on to the lab's daemons, so the agents report the\n"
		"same capacity. A node silent for the grace period gets its Ready\n"
		"condition set to Unknown and the node.kubernetes.io/unreachable taint, as\n"
		"the node lifecycle controller does:\n"
		"\n"
		"  CLIENTIP_MAX_PODS=N       pods a node takes, 1-%d (default %d)\n"
		"  CLIENTIP_NODE_GRACE_S=S   NotReady after S s without a heartbeat, 1-3600\n"
		"                            (default %d)\n"
		"\n"
		"It makes a pass on every change and every %d ms.\n", MODEL_NODE_GRACE_S,
		MODEL_NODE_MAX_PODS, MODEL_NODE_POD_ADDRS, MODEL_NODE_MAX_PODS, MODEL_NODE_GRACE_S,
		CTL_RESYNC_MS);
}

/* The pass timer: every change, debounced, and every CTL_RESYNC_MS. */
static void ctl_on_change(struct watch *w, void *data)
{
	(void)w;
	ctl_sync(data);
}

/* An object of the API changed: a pass soon, debounced. */
static void ctl_on_api_change(bool relisted, void *data)
{
	struct ctl *c = data;

	(void)relisted;
	if (c->watch)
		watch_poke(c->watch);
}

static int ctl_parse(struct ctl *c, bool *once, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *lab = NULL;
	char err[128];
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'l': lab = optarg; break;
		case 'o': *once = true; break;
		case 'h': ctl_usage(stdout); exit(0);
		default: ctl_usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument %s", argv[optind]);
		return -1;
	}
	lab = lab_name_default(lab);
	if (!lab_name_valid(lab, err, sizeof(err))) {
		log_error("--lab %s: %s", lab, err);
		return -1;
	}
	snprintf(c->lab, sizeof(c->lab), "%s", lab);
	lab_state_dir(lab, c->statedir, sizeof(c->statedir));
	c->max_pods = model_node_max_pods();
	c->grace_s = model_node_grace_s();
	if (c->max_pods != MODEL_NODE_MAX_PODS || c->grace_s != MODEL_NODE_GRACE_S)
		log_info("nodes take %d pods each, NotReady after %d s without a heartbeat",
			 c->max_pods, c->grace_s);
	return 0;
}

int main(int argc, char **argv)
{
	/* No files: the watch is the debounce and the resync. */
	static const char *const watched[] = { NULL };
	struct ctl c = { .sigfd = -1 };
	bool once = false;
	char err[256];
	int rc = 1;

	log_init("clientip-controller",
		 getenv("CLIENTIP_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (ctl_parse(&c, &once, argc, argv) < 0)
		return 2;
	rc = store_init(c.statedir);
	if (rc < 0) {
		log_error("%s: %s", c.statedir, strerror(-rc));
		return 1;
	}
	if (ctl_api_open(&c) < 0) {
		log_error("out of memory");
		return 1;
	}
	if (once) {
		rc = ctl_sync(&c) < 0 ? 1 : 0;
		ctl_api_close(&c);
		return rc;
	}

	rc = 1;
	c.loop = ev_loop_new();
	if (!c.loop || (c.sigfd = ev_stop_on_signals(c.loop)) < 0) {
		log_error("start-up: %s", strerror(c.loop ? -c.sigfd : ENOMEM));
		goto out;
	}
	c.watch = watch_new(c.loop, c.statedir, watched, CTL_DEBOUNCE_MS, CTL_RESYNC_MS,
			    ctl_on_change, &c, err, sizeof(err));
	if (!c.watch) {
		log_error("%s", err);
		goto out;
	}
	if (ctl_api_watch(&c, ctl_on_api_change, &c) < 0) {
		log_error("out of memory");
		goto out;
	}
	log_info("lab %s: running on %s", c.lab, c.statedir);
	ctl_sync(&c);
	rc = ev_run(c.loop) < 0 ? 1 : 0;
out:
	ctl_api_close(&c);
	watch_free(c.watch);
	ev_loop_free(c.loop);
	if (c.sigfd >= 0)
		close(c.sigfd);
	return rc;
}
