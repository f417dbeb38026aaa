/* lb_main.c — `clientip-lb --lab NAME`: the cloud load balancer of a lab.
 *
 * `clientip lab up` starts it inside the lab's edge namespace. It refuses
 * to run anywhere else: every rule, route and probe it makes belongs to
 * the edge, and the host's own namespace must never be touched. If it is
 * started outside (by hand), it moves into cip-<lab>-edge first.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon_args.h"
#include "lab.h"
#include "lb_daemon.h"
#include "log.h"

static void lb_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip-lb --lab NAME [--debug]\n"
		"\n"
		"The cloud load balancer of a clientip lab (Azure Load Balancer's role):\n"
		"frontend IPs for LoadBalancer Services, flow distribution with nftables,\n"
		"health probes and metrics. Runs in the lab's edge namespace.\n");
}

/* Thousands of probe sockets at once need more than the default 1024. */
static void lb_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	const char *lab;
	struct lb_daemon lbd;
	char err[512];
	int rc = daemon_args_parse(argc, argv, "clientip-lb", lb_usage, NULL, 0, &lab);

	if (rc != DAEMON_ARGS_RUN)
		return rc;
	rc = 1;
	/* Single-threaded here, so the whole process moves. */
	if (lab_enter_netns(lab, "edge", err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	lb_raise_nofile();
	if (lb_daemon_init(&lbd, lab, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	log_info("lab %s: %d node(s), probe interval %s%d s, Cluster Services probed %s", lab,
		 lbd.info.nodes, lbd.info.probe_interval_s ? "(lab-wide) " : "(default) ",
		 lbd.info.probe_interval_s ? lbd.info.probe_interval_s : LB_DEFAULT_INTERVAL_S,
		 lbd.info.cluster_probe_mode == LABINFO_PROBE_SHARED
		 ? "by one shared probe of kube-proxy's :10256/healthz (mode shared)"
		 : "per port on its NodePort (mode servicenodeport)");
	rc = lb_daemon_run(&lbd) < 0 ? 1 : 0;
out:
	lb_daemon_fini(&lbd);
	return rc;
}
