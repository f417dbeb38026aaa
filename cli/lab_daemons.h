/* lab_daemons.h — the lab's daemons: which, where, started how.
 *
 *   apiserver      clientip-apiserver --lab L --listen-fd 3  in cip-L-control
 *                  (its TCP listener on the host's 127.0.0.1, for kubectl)
 *   controller     clientip-controller --lab L               in cip-L-control
 *   agent-node<i>  clientip-agent --lab L --node node<i>     in cip-L-node<i>
 *   gateway        clientip-gateway --lab L                  in cip-L-edge
 *   lb             clientip-lb --lab L                       in cip-L-edge
 *
 * Each runs in its own session with stdin on /dev/null and stdout and
 * stderr appended to <statedir>/logs/<name>.log; its pid is in
 * <statedir>/run/<name>.pid. The binaries live next to `clientip`. They
 * are children of the lab's supervisor (lab_supervisor.h), which restarts
 * them when they die.
 */
#ifndef CLIENTIP_LAB_DAEMONS_H
#define CLIENTIP_LAB_DAEMONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lab.h"

#define LABD_MAX (LAB_MAX_NODES + 4)

struct labd {
	char name[24];    /* "controller", "agent-node0", "gateway", "lb": file names */
	char prog[32];    /* "clientip-controller" */
	char role[16];    /* namespace role: "control", "node0", "edge" */
	char node[16];    /* agents: "node0"; others: "" */
};

/* The daemons of a lab with that many nodes, in start order. The count. */
int labd_list(int nodes, struct labd *out, int max);

/* The API server's TCP listener on the host's 127.0.0.1, made in the
 * caller's (the host's) network namespace; the port of the lab's last
 * server again when it is free, so a kubeconfig stays valid. The port goes
 * to <statedir>/apiserver.port. The fd (close-on-exec), or -errno. */
int labd_api_listen(const char *statedir, char *err, size_t errlen);

/* Starts d as a child of the caller. The API server gets api_listenfd as
 * its fd 3 (the caller keeps its copy: every restart of the server takes
 * over the same socket, so kubectl's connections queue instead of being
 * refused); other daemons ignore it. 0 started (*pid set), 1 the binary
 * does not exist (not built yet: skipped), or -errno with a message in
 * err. */
int labd_start(const char *lab, const char *bindir, const char *statedir, const struct labd *d,
	       int api_listenfd, pid_t *pid, char *err, size_t errlen);

/* The pid recorded for d, or -errno (-ENOENT: never started). */
pid_t labd_pid(const char *statedir, const struct labd *d);

/* true if pid is alive and lives in d's namespace of lab (a recycled pid
 * elsewhere does not count). */
bool labd_running(const char *lab, const struct labd *d, pid_t pid);

#endif
