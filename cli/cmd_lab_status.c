/* cmd_lab_status.c — `clientip lab status | list | kubeconfig | kill`: the
 * verbs on labs that exist, reading their state dir, namespaces and
 * daemons (and, for kill, signalling one). Apart from cmd_lab.c, which
 * builds and removes labs, because none of these changes a lab's shape:
 * they need only what cmd_lab_int.h shares.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apiclient.h"
#include "buf.h"
#include "cli.h"
#include "cmd_lab_int.h"
#include "fsutil.h"
#include "lab_daemons.h"
#include "lab_supervisor.h"
#include "labinfo.h"
#include "log.h"
#include "netns.h"

static const char *labcmd_ntoa(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* "" if the role's namespace exists; otherwise a note, and *missing grows. */
static const char *labcmd_ns_state(const char *lab, const char *role, int *missing)
{
	char netns[128];

	lab_netns_name(lab, role, netns, sizeof(netns));
	if (netns_exists(netns))
		return "";
	(*missing)++;
	return "  (namespace missing)";
}

/* The API server's address and whether it answers, asked over its Unix
 * socket as the lab's daemons reach it. */
static void labcmd_print_apiserver(struct cli *cli)
{
	char path[LAB_PATH_MAX + 32], err[256] = "", *text = NULL;
	struct buf body = BUF_INIT;
	struct apiclient *c;
	long port = 0;
	int code = -1;

	snprintf(path, sizeof(path), "%s/apiserver.port", cli->statedir);
	if (fs_read_all(path, &text, NULL) == 0) {
		port = strtol(text, NULL, 10);
		free(text);
	}
	snprintf(path, sizeof(path), "%s/apiserver.sock", cli->statedir);
	c = apiclient_new(path);
	if (c) {
		apiclient_set_timeout(c, 2000);
		code = apiclient_request(c, "GET", "/readyz", NULL, NULL, 0, &body, err,
					 sizeof(err));
		apiclient_free(c);
	}
	buf_free(&body);
	if (code == 200)
		snprintf(err, sizeof(err), "ready");
	else if (code > 0)
		snprintf(err, sizeof(err), "not ready: /readyz answers %d", code);
	printf("API server:      http://127.0.0.1:%ld (%s)\n", port, err[0] ? err : "no answer");
}

int cmd_lab_status(struct cli *cli, int argc, char **argv)
{
	struct labd daemons[LABD_MAX];
	struct lab_info li;
	char err[512], when[32], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], role[24];
	int nd, nns, rc, missing = 0;

	if (argc > 1) {
		log_error("lab status: unexpected argument \"%s\"", argv[1]);
		return 2;
	}
	if (!cmd_lab_exists(cli, &nns)) {
		log_error("lab %s does not exist (start it with `clientip --lab %s lab up`)",
			  cli->lab, cli->lab);
		return 1;
	}
	rc = labinfo_load(cli->lab, &li, err, sizeof(err));
	if (rc < 0) {
		log_error("lab %s is incomplete (%s; %d namespace%s present); "
			  "`clientip --lab %s lab down` removes it",
			  cli->lab, err, nns, nns == 1 ? "" : "s", cli->lab);
		return 1;
	}
	labinfo_time_format(li.created, when, sizeof(when));
	printf("Lab:             %s\n", li.name);
	printf("Created:         %s\n", when);
	printf("State:           %s\n", cli->statedir);
	if (li.probe_interval_s > 0)
		printf("Probe interval:  %ds\n", li.probe_interval_s);
	else
		printf("Probe interval:  default\n");
	printf("Cluster probes:  %s\n", labinfo_probe_mode_name(li.cluster_probe_mode));
	printf("Idle timeouts:   in %s%s\n", li.idle_timeout_in_seconds ? "seconds" : "minutes",
	       li.idle_timeout_in_seconds ? " (Azure: minutes)" : "");
	labcmd_print_apiserver(cli);
	printf("Edge:            %s/%d (internet), %s/%d (VNet), frontends %s%s\n",
	       LAB_INET_GATEWAY, LAB_INET_PREFIX, LAB_VNET_GATEWAY, LAB_VNET_PREFIX,
	       LAB_FRONTEND_CIDR, labcmd_ns_state(cli->lab, "edge", &missing));
	printf("Gateway:         http://%s:%d (frontend), from %s (subnet %s)\n", LAB_GATEWAY_IP,
	       LAB_GATEWAY_PORT, LAB_GATEWAY_SOURCE_IP, LAB_GATEWAY_SUBNET);
	printf("Nodes:\n  %-8s %-15s %s\n", "NAME", "ADDRESS", "POD CIDR");
	for (int i = 0; i < li.nodes; i++) {
		snprintf(role, sizeof(role), "node%d", i);
		printf("  %-8s %-15s %s/%d%s\n", role, labcmd_ntoa(lab_node_addr(i), a),
		       labcmd_ntoa(lab_node_pod_subnet(i), b), LAB_POD_PREFIX,
		       labcmd_ns_state(cli->lab, role, &missing));
	}
	printf("Clients:\n  %-8s %s\n", "NAME", "ADDRESS");
	for (int i = 0; i < li.clients; i++) {
		snprintf(role, sizeof(role), "client%d", i);
		printf("  %-8s %s%s\n", role, labcmd_ntoa(lab_client_addr(i), a),
		       labcmd_ns_state(cli->lab, role, &missing));
	}
	printf("Daemons:\n  %-12s %-8s %-12s %-9s %s\n", "NAME", "PID", "STATUS", "RESTARTS",
	       "LAST EXIT");
	{
		pid_t sup = labsup_pid(cli->lab, cli->statedir);
		char pidtext[16] = "-";

		if (sup > 0)
			snprintf(pidtext, sizeof(pidtext), "%ld", (long)sup);
		printf("  %-12s %-8s %-12s %-9s %s\n", "supervisor", pidtext,
		       sup > 0 ? "running" : "dead", "-",
		       sup > 0 ? "" : "(nothing restarts the daemons: lab down, then lab up)");
	}
	nd = labd_list(li.nodes, daemons, LABD_MAX);
	for (int i = 0; i < nd; i++) {
		pid_t pid = labd_pid(cli->statedir, &daemons[i]);
		struct labsup_record rec;
		char pidtext[16] = "-", restarts[16] = "0", last[128] = "";
		const char *state = "not started";

		if (pid > 0) {
			snprintf(pidtext, sizeof(pidtext), "%ld", (long)pid);
			state = labd_running(cli->lab, &daemons[i], pid) ? "running" : "dead";
		}
		if (labsup_record_read(cli->statedir, daemons[i].name, &rec) == 0) {
			snprintf(restarts, sizeof(restarts), "%d", rec.restarts);
			if (rec.last_exit_unix > 0)
				snprintf(last, sizeof(last), "%s, %llds ago", rec.last_exit,
					 (long long)(time(NULL) - rec.last_exit_unix));
		}
		printf("  %-12s %-8s %-12s %-9s %s\n", daemons[i].name, pidtext, state, restarts,
		       last);
	}
	labcmd_ns_state(cli->lab, "control", &missing);
	if (missing) {
		/* A crash during lab up or a namespace removed by hand: the lab
		 * cannot work, so say so in the exit status too. */
		log_error("lab %s is incomplete: %d namespace%s missing; "
			  "`clientip --lab %s lab down` removes it", cli->lab, missing,
			  missing == 1 ? "" : "s", cli->lab);
		return 1;
	}
	return 0;
}

static int labcmd_name_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Adds name to the set names[0..*n) unless present. */
static void labcmd_set_add(char ***names, int *n, int *cap, const char *name)
{
	for (int i = 0; i < *n; i++) {
		if (strcmp((*names)[i], name) == 0)
			return;
	}
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 16;
		char **p = realloc(*names, (size_t)ncap * sizeof(*p));

		if (!p)
			return;
		*names = p;
		*cap = ncap;
	}
	(*names)[*n] = strdup(name);
	if ((*names)[*n])
		(*n)++;
}

/* Labs are found both by state dir and by namespace, so a lab half-built
 * or half-removed by a crash shows up too. */
int cmd_lab_list(struct cli *cli, int argc, char **argv)
{
	char root[LAB_PATH_MAX], lab[LAB_NAME_MAX + 1], why[128], *slash;
	char **labs = NULL, **ns = NULL;
	int n = 0, cap = 0, nns;
	struct dirent *de;
	DIR *dir;

	(void)cli;
	if (argc > 1) {
		log_error("lab list: unexpected argument \"%s\"", argv[1]);
		return 2;
	}
	lab_state_dir("x", root, sizeof(root));
	slash = strrchr(root, '/');
	if (slash)
		*slash = '\0';
	dir = opendir(root);
	if (dir) {
		while ((de = readdir(dir)) != NULL) {
			if (lab_name_valid(de->d_name, why, sizeof(why)))
				labcmd_set_add(&labs, &n, &cap, de->d_name);
		}
		closedir(dir);
	}
	nns = netns_list("cip-", &ns);
	for (int i = 0; i < nns; i++) {
		if (lab_netns_lab(ns[i], lab, sizeof(lab)))
			labcmd_set_add(&labs, &n, &cap, lab);
	}
	if (nns > 0)
		netns_names_free(ns, nns);
	if (n > 1)
		qsort(labs, (size_t)n, sizeof(*labs), labcmd_name_cmp);
	printf("%-14s %-6s %-8s %s\n", "NAME", "NODES", "CLIENTS", "CREATED");
	for (int i = 0; i < n; i++) {
		struct lab_info li;
		char when[32];

		if (labinfo_load(labs[i], &li, why, sizeof(why)) == 0) {
			labinfo_time_format(li.created, when, sizeof(when));
			printf("%-14s %-6d %-8d %s\n", labs[i], li.nodes, li.clients, when);
		} else {
			printf("%-14s %-6s %-8s %s\n", labs[i], "-", "-", "(incomplete)");
		}
		free(labs[i]);
	}
	free(labs);
	return 0;
}

/* <statedir>/kubeconfig for the lab's API server; 0 with its path in
 * path, or -1 with a message in err. */
static int labcmd_write_kubeconfig(struct cli *cli, char *path, size_t len, char *err,
				   size_t errlen)
{
	char portfile[LAB_PATH_MAX + 32], *text = NULL, *end;
	struct buf b = { 0 };
	long port;
	int rc;

	snprintf(portfile, sizeof(portfile), "%s/apiserver.port", cli->statedir);
	rc = fs_read_all(portfile, &text, NULL);
	if (rc < 0) {
		snprintf(err, errlen, "lab %s has no API server (%s: %s); is it up?", cli->lab,
			 portfile, strerror(-rc));
		return -1;
	}
	port = strtol(text, &end, 10);
	free(text);
	if (port <= 0 || port > 65535) {
		snprintf(err, errlen, "%s: not a port", portfile);
		return -1;
	}
	/* No credentials: the server listens on the host's loopback only, as
	 * a local development cluster's does. */
	buf_printf(&b,
		   "apiVersion: v1\n"
		   "kind: Config\n"
		   "clusters:\n"
		   "- name: clientip-%s\n"
		   "  cluster:\n"
		   "    server: http://127.0.0.1:%ld\n"
		   "contexts:\n"
		   "- name: clientip-%s\n"
		   "  context:\n"
		   "    cluster: clientip-%s\n"
		   "    user: clientip-%s\n"
		   "    namespace: default\n"
		   "current-context: clientip-%s\n"
		   "users:\n"
		   "- name: clientip-%s\n"
		   "  user: {}\n",
		   cli->lab, port, cli->lab, cli->lab, cli->lab, cli->lab, cli->lab);
	if (snprintf(path, len, "%s/kubeconfig", cli->statedir) >= (int)len) {
		buf_free(&b);
		snprintf(err, errlen, "%s: path too long", cli->statedir);
		return -1;
	}
	rc = fs_write_atomic(path, buf_str(&b), b.len, 0600);
	buf_free(&b);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return -1;
	}
	return 0;
}

int cmd_lab_kubeconfig(struct cli *cli, int argc, char **argv)
{
	char path[LAB_PATH_MAX], err[LAB_PATH_MAX * 2 + 128];

	if (argc > 1) {
		log_error("lab kubeconfig: unexpected argument \"%s\"", argv[1]);
		return 2;
	}
	if (labcmd_write_kubeconfig(cli, path, sizeof(path), err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	printf("%s\n", path);
	return 0;
}

/* Whether pid is stopped (state T in /proc/PID/stat). The state follows
 * the command name, which may itself hold spaces and parentheses: it is
 * read after the last ')'. */
static bool labcmd_pid_stopped(pid_t pid)
{
	char path[64], text[512], *paren;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	paren = strrchr(text, ')');
	return paren && paren[1] == ' ' && paren[2] == 'T';
}

/* SIGSTOP takes effect when the kernel next schedules the process: a
 * caller told "frozen" must be able to rely on it, so this waits (5 s at
 * most) until the process is seen stopped. */
static bool labcmd_wait_stopped(pid_t pid)
{
	for (int i = 0; i < 5000; i++) {
		if (labcmd_pid_stopped(pid))
			return true;
		nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
	}
	return false;
}

/* `lab kill DAEMON [--signal SIG]`: a crash on purpose. */
int cmd_lab_kill(struct cli *cli, int argc, char **argv)
{
	struct labd daemons[LABD_MAX];
	const char *name = NULL, *signame = "KILL";
	struct lab_info li;
	char err[512];
	int sig = -1, nd;
	pid_t pid;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--signal") == 0 && i + 1 < argc)
			signame = argv[++i];
		else if (strncmp(argv[i], "--signal=", 9) == 0)
			signame = argv[i] + 9;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else {
			log_error("lab kill: unexpected argument \"%s\"", argv[i]);
			return 2;
		}
	}
	if (strncmp(signame, "SIG", 3) == 0)
		signame += 3;
	for (int s = 1; s < NSIG; s++)
		if (sigabbrev_np(s) && strcasecmp(sigabbrev_np(s), signame) == 0)
			sig = s;
	if (sig < 0) {
		char *end;
		long v = strtol(signame, &end, 10);

		if (*signame && !*end && v > 0 && v < NSIG)
			sig = (int)v;
	}
	if (!name || sig < 0) {
		log_error(!name ? "lab kill: which daemon? "
				  "(apiserver, controller, agent-nodeN, lb, gateway)"
				: "lab kill: unknown signal \"%s\"", signame);
		return 2;
	}
	if (!cmd_lab_need_root("kill"))
		return 1;
	if (labinfo_load(cli->lab, &li, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	nd = labd_list(li.nodes, daemons, LABD_MAX);
	for (int i = 0; i < nd; i++) {
		if (strcmp(daemons[i].name, name) != 0)
			continue;
		pid = labd_pid(cli->statedir, &daemons[i]);
		if (pid <= 0 || !labd_running(cli->lab, &daemons[i], pid)) {
			log_error("lab kill: %s is not running", name);
			return 1;
		}
		if (kill(pid, sig) < 0) {
			log_error("lab kill: %s (pid %ld): %s", name, (long)pid, strerror(errno));
			return 1;
		}
		if (sig == SIGSTOP && !labcmd_wait_stopped(pid)) {
			log_error("lab kill: %s (pid %ld) was sent SIGSTOP but is not seen stopped",
				  name, (long)pid);
			return 1;
		}
		printf("sent SIG%s to %s (pid %ld)\n", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?",
		       name, (long)pid);
		return 0;
	}
	log_error("lab kill: lab %s has no daemon \"%s\" (apiserver, controller, agent-node0..%d, "
		  "lb, gateway)", cli->lab, name, li.nodes - 1);
	return 1;
}
