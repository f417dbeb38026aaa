/* echo_server.c — listeners, worker threads, signals.
 *
 * Each worker owns a listening socket per --listen address, all in one
 * SO_REUSEPORT group, so the kernel spreads new connections over the
 * workers and no two loops ever wake for the same one. The first socket
 * binds exclusively (SOCK_REUSEPORT_FIRST): a port somebody else holds is
 * an error, not a silent share.
 *
 * Worker 0 runs on the main thread and reads SIGTERM/SIGINT from a
 * signalfd (the signals are blocked in every thread); it moves the server
 * to the next phase and wakes every worker through its eventfd. The first
 * signal drains, a second one stops at once.
 */
#include "echo_server.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"
#include "sock.h"

#define ECHO_BACKLOG 4096
/* File descriptors kept back from --max-conns' default for listeners,
 * loops and logging. */
#define ECHO_FD_RESERVE 64

static void echo_server_wake_all(struct echo_server *srv)
{
	uint64_t one = 1;

	for (unsigned i = 0; i < srv->nworkers; i++) {
		if (write(srv->workers[i].wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_warn("waking worker %u: %s", i, strerror(errno));
	}
}

static void echo_server_on_signal(struct ev_loop *loop, int signo, void *data)
{
	struct echo_server *srv = data;

	(void)loop;
	if (atomic_load(&srv->phase) == ECHO_PHASE_RUN) {
		/* SIGTERM is how Kubernetes and the load balancer's world stop
		 * a server; SIGINT is someone at a terminal, who does not want
		 * to wait for probes. */
		bool accept = signo == SIGTERM && srv->cfg->drain_accept_ms > 0;

		if (accept)
			log_info("%s: draining: accepting for %u ms more, then up to %u ms for open connections",
				 strsignal(signo), srv->cfg->drain_accept_ms,
				 srv->cfg->drain_ms);
		else
			log_info("%s: draining (up to %u ms)", strsignal(signo),
				 srv->cfg->drain_ms);
		atomic_store(&srv->drain_accept, accept);
		atomic_store(&srv->phase, ECHO_PHASE_DRAIN);
	} else {
		log_info("%s: stopping now", strsignal(signo));
		atomic_store(&srv->phase, ECHO_PHASE_STOP);
	}
	echo_server_wake_all(srv);
}

static void *echo_server_thread(void *arg)
{
	struct echo_worker *w = arg;
	int rc = ev_run(w->loop);

	if (rc < 0)
		log_error("worker %u: event loop: %s", w->id, strerror(-rc));
	return NULL;
}

/* Open-file limit raised to its hard maximum; returns the soft limit. */
static unsigned echo_server_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur > 1u << 24 ? 1u << 24 : (unsigned)rl.rlim_cur;
}

static int echo_server_bind(struct echo_server *srv)
{
	const struct echo_config *cfg = srv->cfg;

	for (unsigned i = 0; i < srv->nworkers; i++) {
		struct echo_worker *w = &srv->workers[i];

		w->listeners = calloc(cfg->nlisten, sizeof(*w->listeners));
		if (!w->listeners)
			return -ENOMEM;
		w->nlisteners = cfg->nlisten;
		for (unsigned j = 0; j < cfg->nlisten; j++)
			w->listeners[j].fd = -1;
	}
	for (unsigned j = 0; j < cfg->nlisten; j++) {
		struct sockaddr_storage addr = cfg->listen[j].addr;
		char text[SOCK_ADDR_STRLEN];

		for (unsigned i = 0; i < srv->nworkers; i++) {
			struct echo_listener *l = &srv->workers[i].listeners[j];
			unsigned flags = srv->nworkers == 1 ? 0 : i == 0 ? SOCK_REUSEPORT_FIRST : SOCK_REUSEPORT;
			int fd = sock_listen_tcp((struct sockaddr *)&addr, cfg->listen[j].addrlen, flags,
						 ECHO_BACKLOG);

			sock_format_addr((struct sockaddr *)&addr, false, text, sizeof(text));
			if (fd < 0) {
				log_error("listen %s: %s", text, strerror(-fd));
				return fd;
			}
			/* Answers go out in one send() each: Nagle would only
			 * delay them. Accepted sockets inherit the option from
			 * their listener (Linux), which saves a setsockopt() per
			 * connection. */
			sock_set_nodelay(fd, true);
			l->fd = fd;
			l->conf = &cfg->listen[j];
			l->w = &srv->workers[i];
			/* Port 0: the others join the port the kernel picked. */
			if (i == 0 && sock_local_addr(fd, &addr) < 0)
				return -errno;
		}
		sock_format_addr((struct sockaddr *)&addr, false, text, sizeof(text));
		log_info("listening on %s%s%s", text,
			 cfg->listen[j].proxy ? " (PROXY protocol)" : "",
			 srv->nworkers > 1 ? ", SO_REUSEPORT" : "");
	}
	return 0;
}

int echo_server_run(const struct echo_config *cfg)
{
	static const int stop_signals[] = { SIGTERM, SIGINT };
	struct echo_server srv = { .cfg = cfg };
	unsigned started = 0, nofile;
	sigset_t sigs;
	int status = 1, rc;

	nofile = echo_server_raise_nofile();
	srv.max_conns = cfg->max_conns;
	if (!srv.max_conns)
		srv.max_conns = nofile > 2 * ECHO_FD_RESERVE ? nofile - ECHO_FD_RESERVE : nofile / 2;
	atomic_init(&srv.nconns, 0);
	atomic_init(&srv.phase, ECHO_PHASE_RUN);

	signal(SIGPIPE, SIG_IGN);

	srv.nworkers = cfg->workers;
	srv.workers = calloc(srv.nworkers, sizeof(*srv.workers));
	if (!srv.workers) {
		log_error("out of memory");
		return 1;
	}
	for (unsigned i = 0; i < srv.nworkers; i++) {
		rc = echo_worker_init(&srv.workers[i], &srv, i);
		if (rc < 0) {
			log_error("worker %u: %s", i, strerror(-rc));
			goto out;
		}
	}
	if (echo_server_bind(&srv) < 0)
		goto out;
	/* Blocked before any other thread starts, so every thread inherits
	 * the mask and only worker 0's signalfd sees the signals. */
	rc = ev_on_signals(srv.workers[0].loop, stop_signals, 2, echo_server_on_signal, &srv);
	if (rc < 0) {
		log_error("signalfd: %s", strerror(-rc));
		goto out;
	}
	srv.workers[0].signal_fd = rc;
	for (unsigned i = 0; i < srv.nworkers; i++)
		echo_worker_start_listening(&srv.workers[i]);
	for (started = 1; started < srv.nworkers; started++) {
		rc = pthread_create(&srv.workers[started].thread, NULL, echo_server_thread,
				    &srv.workers[started]);
		if (rc != 0) {
			log_error("starting worker %u: %s", started, strerror(rc));
			atomic_store(&srv.phase, ECHO_PHASE_STOP);
			echo_server_wake_all(&srv);
			goto join;
		}
	}
	rc = ev_run(srv.workers[0].loop);
	if (rc < 0) {
		log_error("event loop: %s", strerror(-rc));
		atomic_store(&srv.phase, ECHO_PHASE_STOP);
		echo_server_wake_all(&srv);
		goto join;
	}
	status = 0;
join:
	/* Worker 0 is done; the others finish their drains. A signal now
	 * still means "stop at once". */
	sigemptyset(&sigs);
	for (unsigned i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(&sigs, stop_signals[i]);
	for (unsigned i = 1; i < started; i++) {
		while (pthread_tryjoin_np(srv.workers[i].thread, NULL) == EBUSY) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };

			if (sigtimedwait(&sigs, NULL, &ts) > 0) {
				atomic_store(&srv.phase, ECHO_PHASE_STOP);
				echo_server_wake_all(&srv);
			}
		}
	}
out:
	for (unsigned i = 0; i < srv.nworkers; i++)
		echo_worker_fini(&srv.workers[i]);
	free(srv.workers);
	if (status == 0)
		log_info("stopped");
	return status;
}
