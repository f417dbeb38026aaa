/* api_main.c — clientip-apiserver: a lab's Kubernetes API server. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_server.h"
#include "fsutil.h"
#include "lab.h"
#include "log.h"

static void api_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip-apiserver --lab NAME [--listen ADDR:PORT] [--socket PATH]\n"
		"\n"
		"The Kubernetes API server of a clientip lab: kubectl, client libraries and\n"
		"the lab's own daemons create, read, watch and change the lab's objects\n"
		"through it. Objects are kept in memory and in\n"
		"/run/clientip/NAME/apiserver/ ($CLIENTIP_RUN_DIR replaces /run/clientip),\n"
		"one JSON file each, so a restarted server finds them again.\n"
		"\n"
		"  --lab NAME          the lab (default: $CLIENTIP_LAB, else \"default\")\n"
		"  --listen ADDR:PORT  TCP listener for kubectl (default 127.0.0.1:0, any\n"
		"                      free port); the port is written to\n"
		"                      <state dir>/apiserver.port\n"
		"  --socket PATH       Unix socket for the lab's daemons (default\n"
		"                      <state dir>/apiserver.sock)\n"
		"  --listen-fd N       serve kubectl on this listening TCP socket instead of\n"
		"                      --listen (`lab up` makes it on the host's loopback\n"
		"                      before the server moves into the lab's namespace)\n"
		"\n"
		"`clientip lab up` starts it and `clientip lab kubeconfig` prints a\n"
		"kubeconfig that points kubectl at it.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "listen", required_argument, NULL, 'L' },
		{ "socket", required_argument, NULL, 's' },
		{ "listen-fd", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct api_server s = { 0 };
	const char *lab = NULL, *listen_at = "127.0.0.1:0", *sock = NULL;
	char err[512], path[4200], addr[64], portfile[4200], text[16];
	int opt, rc = 1, sigfd = -1, n, listen_fd = -1;
	char *colon;

	log_init("clientip-apiserver", getenv("CLIENTIP_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'l': lab = optarg; break;
		case 'L': listen_at = optarg; break;
		case 's': sock = optarg; break;
		case 'f': listen_fd = atoi(optarg); break;
		case 'h': api_usage(stdout); return 0;
		default: api_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument %s", argv[optind]);
		return 2;
	}
	lab = lab_name_default(lab);
	if (!lab_name_valid(lab, err, sizeof(err))) {
		log_error("--lab %s: %s", lab, err);
		return 2;
	}
	snprintf(s.lab, sizeof(s.lab), "%s", lab);
	lab_state_dir(lab, s.statedir, sizeof(s.statedir));
	snprintf(addr, sizeof(addr), "%s", listen_at);
	colon = strrchr(addr, ':');
	if (!colon) {
		log_error("--listen %s: expected ADDR:PORT", listen_at);
		return 2;
	}
	*colon = '\0';

	snprintf(path, sizeof(path), "%s/apiserver", s.statedir);
	s.objects = api_objects_open(path, err, sizeof(err));
	if (!s.objects) {
		log_error("%s", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	s.loop = ev_loop_new();
	if (!s.loop || (sigfd = ev_stop_on_signals(s.loop)) < 0) {
		log_error("start-up: %s", strerror(s.loop ? -sigfd : ENOMEM));
		goto out;
	}
	s.http = api_http_new(s.loop, NULL, api_handle, &s);
	if (!s.http || (listen_fd >= 0 ?
			api_http_listen_fd(s.http, listen_fd, err, sizeof(err)) :
			api_http_listen_tcp(s.http, addr, atoi(colon + 1), err, sizeof(err))) < 0) {
		log_error("listen %s: %s", listen_at, s.http ? err : "out of memory");
		goto out;
	}
	if (!sock) {
		snprintf(path, sizeof(path), "%s/apiserver.sock", s.statedir);
		sock = path;
	}
	if (api_http_listen_unix(s.http, sock, err, sizeof(err)) < 0) {
		log_error("listen %s: %s", sock, err);
		goto out;
	}
	/* The port last: whoever waits for this file can connect at once. */
	snprintf(portfile, sizeof(portfile), "%s/apiserver.port", s.statedir);
	n = snprintf(text, sizeof(text), "%d\n", api_http_tcp_port(s.http));
	if (fs_write_atomic(portfile, text, (size_t)n, 0644) < 0) {
		log_error("%s: %s", portfile, strerror(errno));
		goto out;
	}
	if (api_admit_start(&s, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	api_housekeeping_start(&s);
	log_info("lab %s: serving on %s:%d and %s", lab, addr, api_http_tcp_port(s.http), sock);
	api_gc_poke(&s);
	rc = ev_run(s.loop) < 0 ? 1 : 0;
out:
	api_housekeeping_stop(&s);
	api_admit_stop(&s);
	if (s.gc_timer)
		ev_timer_cancel(s.loop, s.gc_timer);
	api_http_free(s.http);
	api_docs_free(&s);
	api_objects_close(s.objects);
	ev_loop_free(s.loop);
	if (sigfd >= 0)
		close(sigfd);
	return rc;
}
