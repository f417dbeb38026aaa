/* netns.h — named network namespaces, the way iproute2 keeps them.
 *
 * A named namespace is a file /run/netns/NAME with the namespace's nsfs
 * inode bind-mounted on it, so `ip netns` and every program here see the
 * same set. /run/netns itself is made a shared mount (as `ip netns add`
 * does) so the bind mounts propagate to other mount namespaces.
 *
 * A thread's network namespace is per thread: every helper that enters
 * another namespace returns the calling thread to where it was before it
 * returns (or aborts the process if the kernel refuses to go back, since
 * carrying on in the wrong namespace would program the wrong network).
 * netns_enter() is the one exception: it is for a child about to exec.
 */
#ifndef CLIENTIP_NETNS_H
#define CLIENTIP_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NETNS_RUN_DIR "/run/netns"

/* A namespace's identity: the nsfs device and inode of its handle. */
struct netns_id {
	dev_t dev;
	ino_t ino;
};

/* Creates the named namespace (with nothing in it, not even lo up).
 * 0, -EEXIST if the name is taken, or -errno with a message in err. */
int netns_create(const char *name, char *err, size_t errlen);
/* Unmounts and removes /run/netns/NAME. The namespace itself disappears
 * when no process and no open handle keeps it alive. 0 or -errno
 * (-ENOENT if there was no such name). */
int netns_delete(const char *name);
/* true if /run/netns/NAME exists (even half-created). */
bool netns_exists(const char *name);
/* An O_RDONLY|O_CLOEXEC handle on the named namespace, or -errno. */
int netns_open(const char *name);
/* A handle on the calling thread's own namespace, or -errno. */
int netns_open_self(void);

/* Runs fn(arg) with the calling thread inside namespace nsfd and returns
 * its result; -errno if the namespace cannot be entered (fn not run). */
int netns_run(int nsfd, int (*fn)(void *arg), void *arg);
/* The same for a named namespace. */
int netns_run_name(const char *name, int (*fn)(void *arg), void *arg);
/* Moves the calling thread into nsfd for good (before an exec). 0 or -errno. */
int netns_enter(int nsfd);

/* After netns_enter(), before an exec: a mount namespace of the caller's
 * own with a sysfs of the entered network namespace, as `ip netns exec`
 * gives, so tools reading /sys/class/net agree with netlink. Best effort
 * (logged at debug level): netlink-based tools work without it. */
void netns_private_sysfs(void);

/* Identity of the named namespace / of a process's namespace. 0 or -errno. */
int netns_id_of(const char *name, struct netns_id *id);
int netns_id_of_pid(pid_t pid, struct netns_id *id);

/* Every process one of whose threads lives in one of the n namespaces
 * ids[]. *pids is malloc'd (free it); the calling process is left out.
 * The count, or -errno. */
int netns_pids(const struct netns_id *ids, size_t n, pid_t **pids);

/* Names in /run/netns that begin with prefix, sorted; *names and each
 * name are malloc'd (netns_names_free). The count, or -errno. A missing
 * /run/netns is an empty list. */
int netns_list(const char *prefix, char ***names);
void netns_names_free(char **names, int n);

#endif
