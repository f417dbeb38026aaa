/* cmd_lab.c — `clientip lab up | down | supervise`, and the `lab` command's
 * dispatch: building a lab, starting its supervisor, tearing it down.
 * The verbs on a lab that exists (status, list, kubeconfig, kill) are
 * cmd_lab_status.c; cmd_lab_int.h is what the two share.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sys/wait.h>

#include "apiclient.h"
#include "apiobj.h"
#include "buf.h"
#include "cli.h"
#include "cmd_lab_int.h"
#include "fsutil.h"
#include "lab_daemons.h"
#include "lab_supervisor.h"
#include "lab_topology.h"
#include "labinfo.h"
#include "log.h"
#include "netns.h"

/* How long lab down lets processes handle SIGTERM before SIGKILL. Pods
 * have grace periods of their own, but tearing a lab down is not a pod
 * deletion: nobody waits for them. */
#define LAB_DOWN_TERM_MS 2000

static void labcmd_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip [--lab NAME] lab up [--nodes N] [--clients N]"
		" [--probe-interval SEC]\n"
		"                                    [--cluster-probe-mode"
		" servicenodeport|shared]\n"
		"                                    [--idle-timeout-unit minutes|seconds]\n"
		"       clientip [--lab NAME] lab down\n"
		"       clientip [--lab NAME] lab status\n"
		"       clientip [--lab NAME] lab kubeconfig\n"
		"       clientip [--lab NAME] lab kill DAEMON [--signal SIG]\n"
		"       clientip lab list\n"
		"\n"
		"up      builds the lab's namespaces, links and routes and starts its\n"
		"        daemons (the address plan: cli/README.md, \"The lab\"), then waits\n"
		"        (up to 30 s) until every node is Ready;\n"
		"        defaults: 2 nodes, 1 client, the load balancer's default probe\n"
		"        interval; --cluster-probe-mode shared probes every Cluster Service\n"
		"        with one HTTP probe per node on the proxy's :10256/healthz, as\n"
		"        cloud-provider-azure's clusterServiceLoadBalancerHealthProbeMode:\n"
		"        shared does (default servicenodeport: a probe per Service port);\n"
		"        --idle-timeout-unit seconds reads the load balancer's TCP idle\n"
		"        timeouts (Azure: minutes, 4 to 100, default 4) as seconds, to\n"
		"        watch one expire\n"
		"down    stops every process of the lab and removes its namespaces and\n"
		"        state; safe to repeat and after any crash\n"
		"status  nodes, clients and daemons of the lab, with each daemon's restarts\n"
		"kubeconfig\n"
		"        writes a kubeconfig for the lab's API server (context clientip-NAME,\n"
		"        server http://127.0.0.1:PORT) and prints its path:\n"
		"        export KUBECONFIG=$(clientip --lab NAME lab kubeconfig)\n"
		"kill    sends a signal (default KILL) to one of the lab's daemons, as a\n"
		"        crash would: apiserver, controller, agent-nodeN, lb or gateway; the\n"
		"        lab's supervisor starts it again at once (with a back-off if it\n"
		"        keeps dying) and `lab status` counts the restart\n"
		"list    the labs on this machine\n"
		"\n"
		"lab up also starts `clientip --lab NAME lab supervise`, the process that\n"
		"keeps the daemons running; it is not meant to be run by hand.\n");
}

/* Parses "--opt N", "--opt=N"; 1 if argv[*i] was opt, 0 if not, -1 on a
 * bad value (reported). */
static int labcmd_int_opt(int argc, char **argv, int *i, const char *opt, int min, int max,
			  int *out)
{
	size_t n = strlen(opt);
	const char *v;
	char *end;
	long x;

	if (strncmp(argv[*i], opt, n) != 0 || (argv[*i][n] != '\0' && argv[*i][n] != '='))
		return 0;
	if (argv[*i][n] == '=') {
		v = argv[*i] + n + 1;
	} else if (*i + 1 < argc) {
		v = argv[++*i];
	} else {
		log_error("%s needs a value", opt);
		return -1;
	}
	errno = 0;
	x = strtol(v, &end, 10);
	if (!*v || *end || errno || x < min || x > max) {
		log_error("%s %s: want a whole number from %d to %d", opt, v, min, max);
		return -1;
	}
	*out = (int)x;
	return 1;
}

bool cmd_lab_need_root(const char *what)
{
	if (geteuid() == 0)
		return true;
	log_error("lab %s needs root: it creates and removes network namespaces", what);
	return false;
}

bool cmd_lab_exists(struct cli *cli, int *nns)
{
	struct stat st;
	char **names = NULL;
	int n = labtopo_namespaces(cli->lab, &names);

	if (n > 0)
		netns_names_free(names, n);
	*nns = n > 0 ? n : 0;
	return *nns > 0 || stat(cli->statedir, &st) == 0;
}

static int labcmd_mkdirs(const char *statedir, char *err, size_t errlen)
{
	static const char *const subdirs[] = { LAB_STATE_LOGS, LAB_STATE_RUN };
	char path[LAB_PATH_MAX];

	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		int rc;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", statedir, subdirs[i]) >=
		    sizeof(path))
			rc = -ENAMETOOLONG;
		else
			rc = fs_mkdir_p(path, 0755);
		if (rc < 0) {
			log_errf(err, errlen, "mkdir %s: %s", path, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* The state dir doubles as the lab's claim: mkdir is atomic, so of two
 * concurrent `lab up` of one name exactly one gets past here. */
static int labcmd_claim(struct cli *cli, char *err, size_t errlen)
{
	char parent[LAB_PATH_MAX], *slash;
	int rc;

	snprintf(parent, sizeof(parent), "%s", cli->statedir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		rc = fs_mkdir_p(parent, 0755);
		if (rc < 0) {
			log_errf(err, errlen, "mkdir %s: %s", parent, strerror(-rc));
			return rc;
		}
	}
	if (mkdir(cli->statedir, 0755) < 0) {
		rc = -errno;
		if (errno == EEXIST)
			log_errf(err, errlen, "lab %s already exists (%s)", cli->lab,
				 cli->statedir);
		else
			log_errf(err, errlen, "mkdir %s: %s", cli->statedir, strerror(errno));
		return rc;
	}
	return 0;
}

/* The supervisor first, so that it stops its daemons and restarts none of
 * them, then every process and namespace of the lab. */
static int labcmd_teardown(struct cli *cli, char *err, size_t errlen)
{
	if (labsup_stop(cli->lab, cli->statedir, LABSUP_TERM_MS + 1000) < 0)
		log_warn("lab %s: its supervisor did not stop in time; stopping everything",
			 cli->lab);
	return labtopo_teardown(cli->lab, LAB_DOWN_TERM_MS, err, errlen);
}

#define LAB_SUP_LISTEN_FD 3
#define LAB_SUP_REPORT_FD 4

/* In the supervisor's child, between fork and exec: only async-signal-safe
 * calls. It runs in the control-plane namespace, in a session of its own,
 * with the API server's listener as fd 3 and the report pipe as fd 4. */
static void labcmd_supervisor_child(int nsfd, int logfd, int listenfd, int reportfd,
				    char *const argv[])
{
	sigset_t none;
	int null, l, r;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setns(nsfd, CLONE_NEWNET) < 0 || setsid() < 0)
		_exit(127);
	/* Out of the way of 3 and 4 first, whatever numbers they have now. */
	l = fcntl(listenfd, F_DUPFD_CLOEXEC, 10);
	r = fcntl(reportfd, F_DUPFD_CLOEXEC, 10);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (l < 0 || r < 0 || null < 0 || close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) < 0 ||
	    dup2(null, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0 ||
	    dup2(l, LAB_SUP_LISTEN_FD) < 0 || dup2(r, LAB_SUP_REPORT_FD) < 0)
		_exit(127);
	execv("/proc/self/exe", argv);
	_exit(127);
}

/* Starts the lab's supervisor and prints, from its report, each daemon it
 * started. *started: how many. 0, or -errno with a message in err (a
 * daemon that could not start included). */
static int labcmd_start_supervisor(struct cli *cli, int *started, char *err, size_t errlen)
{
	char netns[128], log[LAB_PATH_MAX + 64], pidfile[LAB_PATH_MAX + 64], text[32];
	char listen_arg[8], report_arg[8];
	char *argv[] = { (char *)"clientip", (char *)"--lab", (char *)cli->lab, (char *)"lab",
			 (char *)"supervise", (char *)"--listen-fd", listen_arg,
			 (char *)"--report-fd", report_arg, NULL };
	int listenfd = -1, nsfd = -1, logfd = -1, report[2] = { -1, -1 }, rc = 0, lines = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *in = NULL;
	pid_t child;

	*started = 0;
	snprintf(listen_arg, sizeof(listen_arg), "%d", LAB_SUP_LISTEN_FD);
	snprintf(report_arg, sizeof(report_arg), "%d", LAB_SUP_REPORT_FD);
	snprintf(log, sizeof(log), "%s/%s/supervisor.log", cli->statedir, LAB_STATE_LOGS);
	snprintf(pidfile, sizeof(pidfile), "%s/%s/supervisor.pid", cli->statedir, LAB_STATE_RUN);
	lab_netns_name(cli->lab, "control", netns, sizeof(netns));
	listenfd = labd_api_listen(cli->statedir, err, errlen);
	if (listenfd < 0)
		return listenfd;
	nsfd = netns_open(netns);
	if (nsfd < 0) {
		rc = nsfd;
		snprintf(err, errlen, "supervisor: namespace %s: %s", netns, strerror(-rc));
		goto out;
	}
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0 || pipe2(report, O_CLOEXEC) < 0) {
		rc = -errno;
		snprintf(err, errlen, "supervisor: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		rc = -errno;
		snprintf(err, errlen, "supervisor: fork: %s", strerror(errno));
		goto out;
	}
	if (child == 0)
		labcmd_supervisor_child(nsfd, logfd, listenfd, report[1], argv);
	close(report[1]);
	report[1] = -1;
	snprintf(text, sizeof(text), "%ld\n", (long)child);
	rc = fs_write_atomic(pidfile, text, strlen(text), 0644);
	if (rc < 0) {
		snprintf(err, errlen, "write %.300s: %s", pidfile, strerror(-rc));
		goto out;
	}
	printf("  %-12s pid %ld in %s\n", "supervisor", (long)child, netns);
	in = fdopen(report[0], "r");
	if (!in) {
		rc = -errno;
		snprintf(err, errlen, "supervisor: %s", strerror(errno));
		goto out;
	}
	report[0] = -1;
	/* Until the supervisor closes its end: every daemon has been tried. */
	while (getline(&line, &cap, in) > 0) {
		char name[32] = "", rest[600] = "";

		lines++;
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "started %31s %599s", name, rest) == 2) {
			struct labd d[LABD_MAX];
			int n = labd_list(LAB_MAX_NODES, d, LABD_MAX);

			for (int i = 0; i < n; i++)
				if (strcmp(d[i].name, name) == 0)
					lab_netns_name(cli->lab, d[i].role, netns, sizeof(netns));
			printf("  %-12s pid %s in %s\n", name, rest, netns);
			(*started)++;
		} else if (sscanf(line, "skipped %31s", name) == 1) {
			printf("  %-12s not started: it is not built in %s\n", name, cli->bindir);
		} else if (strncmp(line, "failed ", 7) == 0) {
			snprintf(err, errlen, "%s", line + 7);
			rc = -EIO;
		}
	}
	if (rc == 0 && lines == 0) {
		snprintf(err, errlen, "the supervisor did not start (see %.300s)", log);
		rc = -ECHILD;
	}
out:
	free(line);
	if (in)
		fclose(in);
	for (int i = 0; i < 2; i++)
		if (report[i] >= 0)
			close(report[i]);
	if (logfd >= 0)
		close(logfd);
	if (nsfd >= 0)
		close(nsfd);
	close(listenfd);
	return rc;
}

/* How many of the lab's Nodes say Ready, from the API server; -1 when it
 * does not answer. */
static int labcmd_nodes_ready(struct apiclient *c)
{
	struct buf body = BUF_INIT;
	json_t *list = NULL, *node;
	char err[256];
	int code, n = -1;
	size_t i;

	code = apiclient_request(c, "GET", "/api/v1/nodes", NULL, NULL, 0, &body, err,
				 sizeof(err));
	if (code == 200 && (list = json_loadb(buf_str(&body), body.len, 0, NULL))) {
		n = 0;
		json_array_foreach(json_object_get(list, "items"), i, node) {
			const json_t *ready = apiobj_condition(node, "Ready");

			n += strcmp(json_string_value(json_object_get(ready, "status")) ?: "",
				    "True") == 0;
		}
	}
	json_decref(list);
	buf_free(&body);
	return n;
}

/* Waits, up to LAB_NODES_WAIT_S, until every node's agent has registered
 * its Node and posted Ready, so that the lab is usable when `lab up`
 * returns: a Deployment applied at once spreads over all the nodes. A
 * node that stays away is said, not fatal: its pods go elsewhere. */
#define LAB_NODES_WAIT_S 30
static void labcmd_wait_nodes(struct cli *cli, int nodes)
{
	char path[LAB_PATH_MAX + 32];
	struct timespec t0, now;
	struct apiclient *c;
	int ready = -1;

	snprintf(path, sizeof(path), "%s/apiserver.sock", cli->statedir);
	c = apiclient_new(path);
	if (!c)
		return;
	apiclient_set_timeout(c, 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ready = labcmd_nodes_ready(c);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ready >= nodes || now.tv_sec - t0.tv_sec >= LAB_NODES_WAIT_S)
			break;
		usleep(100 * 1000);
	}
	apiclient_free(c);
	if (ready < nodes)
		log_warn("lab up %s: %d of %d nodes Ready after %d s (see the agents' logs in "
			 "%s/logs)", cli->lab, ready < 0 ? 0 : ready, nodes, LAB_NODES_WAIT_S,
			 cli->statedir);
}

static int labcmd_up(struct cli *cli, int argc, char **argv)
{
	struct lab_info li = { .nodes = 2, .clients = 1 };
	char err[512], down_err[512];
	int nns, rc, started = 0;

	for (int i = 1; i < argc; i++) {
		int r;

		if ((r = labcmd_int_opt(argc, argv, &i, "--nodes", 1, LAB_MAX_NODES,
					&li.nodes)) != 0 ||
		    (r = labcmd_int_opt(argc, argv, &i, "--clients", 1, LAB_MAX_CLIENTS,
					&li.clients)) != 0 ||
		    (r = labcmd_int_opt(argc, argv, &i, "--probe-interval", 1, 3600,
					&li.probe_interval_s)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		if (strcmp(argv[i], "--idle-timeout-unit") == 0) {
			if (i + 1 >= argc ||
			    (strcmp(argv[i + 1], "seconds") != 0 &&
			     strcmp(argv[i + 1], "minutes") != 0)) {
				log_error("lab up: --idle-timeout-unit takes minutes or seconds");
				return 2;
			}
			li.idle_timeout_in_seconds = strcmp(argv[++i], "seconds") == 0;
			continue;
		}
		if (strcmp(argv[i], "--cluster-probe-mode") == 0) {
			if (i + 1 >= argc ||
			    labinfo_probe_mode_parse(argv[++i], &li.cluster_probe_mode) < 0) {
				log_error("lab up: --cluster-probe-mode takes servicenodeport "
					  "or shared");
				return 2;
			}
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			labcmd_usage(stdout);
			return 0;
		}
		log_error("lab up: unexpected argument \"%s\"", argv[i]);
		labcmd_usage(stderr);
		return 2;
	}
	if (!cmd_lab_need_root("up"))
		return 1;
	if (cmd_lab_exists(cli, &nns)) {
		if (nns)
			log_error("lab %s already exists (%d of its network namespaces are "
				  "present); remove it first with `clientip --lab %s lab down`",
				  cli->lab, nns, cli->lab);
		else
			log_error("lab %s already exists (%s); remove it first with "
				  "`clientip --lab %s lab down`", cli->lab, cli->statedir,
				  cli->lab);
		return 1;
	}
	if (labcmd_claim(cli, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}

	/* From here on, whatever fails undoes everything (as lab down does). */
	snprintf(li.name, sizeof(li.name), "%s", cli->lab);
	li.created = time(NULL);
	rc = labcmd_mkdirs(cli->statedir, err, sizeof(err));
	if (rc < 0)
		goto fail;
	rc = labinfo_save(&li, err, sizeof(err));
	if (rc < 0)
		goto fail;
	rc = labtopo_build(cli->lab, li.nodes, li.clients, err, sizeof(err));
	if (rc < 0)
		goto fail;
	rc = labcmd_start_supervisor(cli, &started, err, sizeof(err));
	if (rc < 0)
		goto fail;
	labcmd_wait_nodes(cli, li.nodes);
	printf("lab %s is up: %d node%s, %d client%s, %d daemon%s\n", cli->lab, li.nodes,
	       li.nodes == 1 ? "" : "s", li.clients, li.clients == 1 ? "" : "s", started,
	       started == 1 ? "" : "s");
	printf("kubectl: export KUBECONFIG=$(clientip --lab %s lab kubeconfig)\n", cli->lab);
	return 0;
fail:
	log_error("lab up %s: %s", cli->lab, err);
	fflush(NULL);
	if (labcmd_teardown(cli, down_err, sizeof(down_err)) < 0)
		log_error("undoing lab up %s: %s; run `clientip --lab %s lab down`", cli->lab,
			  down_err, cli->lab);
	else
		log_error("lab %s: removed what had been built", cli->lab);
	return 1;
}

static int labcmd_down(struct cli *cli, int argc, char **argv)
{
	char err[512];
	int nns;
	bool existed;

	if (argc > 1) {
		log_error("lab down: unexpected argument \"%s\"", argv[1]);
		return 2;
	}
	if (!cmd_lab_need_root("down"))
		return 1;
	existed = cmd_lab_exists(cli, &nns);
	if (labcmd_teardown(cli, err, sizeof(err)) < 0) {
		log_error("lab down %s: %s", cli->lab, err);
		return 1;
	}
	if (existed)
		printf("lab %s is down\n", cli->lab);
	else
		printf("lab %s does not exist: nothing to do\n", cli->lab);
	return 0;
}

/* `lab supervise --listen-fd N --report-fd N`: what lab up starts. */
static int labcmd_supervise(struct cli *cli, int argc, char **argv)
{
	int listenfd = -1, reportfd = -1;
	struct lab_info li;
	char err[512];

	for (int i = 1; i < argc; i++) {
		int r;

		if ((r = labcmd_int_opt(argc, argv, &i, "--listen-fd", 3, 1023, &listenfd)) != 0 ||
		    (r = labcmd_int_opt(argc, argv, &i, "--report-fd", 3, 1023, &reportfd)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		log_error("lab supervise: unexpected argument \"%s\"", argv[i]);
		return 2;
	}
	if (listenfd < 0) {
		log_error("lab supervise is started by `clientip lab up`, which hands it the "
			  "API server's listener (--listen-fd)");
		return 2;
	}
	log_init("clientip-supervisor",
		 getenv("CLIENTIP_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (labinfo_load(cli->lab, &li, err, sizeof(err)) < 0) {
		log_error("lab supervise: %s", err);
		return 1;
	}
	fcntl(listenfd, F_SETFD, FD_CLOEXEC);
	if (reportfd >= 0)
		fcntl(reportfd, F_SETFD, FD_CLOEXEC);
	return labsup_run(cli->lab, cli->bindir, cli->statedir, li.nodes, listenfd, reportfd);
}

int cmd_lab(struct cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		labcmd_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		labcmd_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "up") == 0)
		return labcmd_up(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "down") == 0)
		return labcmd_down(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cmd_lab_status(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_lab_list(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "kubeconfig") == 0)
		return cmd_lab_kubeconfig(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "kill") == 0)
		return cmd_lab_kill(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "supervise") == 0)
		return labcmd_supervise(cli, argc - 1, argv + 1);
	log_error("lab: unknown subcommand \"%s\" (up, down, status, list, kubeconfig, kill)",
		  argv[1]);
	return 2;
}
