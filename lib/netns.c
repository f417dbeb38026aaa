/* netns.c — see netns.h. */
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* /proc/thread-self, not /proc/self: the namespace is per thread. */
#define NETNS_SELF "/proc/thread-self/ns/net"

static int netns_path(const char *name, char *buf, size_t len)
{
	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s/%s", NETNS_RUN_DIR, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Makes /run/netns exist and be a shared mount point, as iproute2 does, so
 * that namespace handles mounted there propagate to every mount namespace
 * that shares /run. A lock on the directory keeps two concurrent callers
 * (parallel labs) from stacking two bind mounts on it. */
static int netns_prepare_dir(char *err, size_t errlen)
{
	int fd, rc = 0;
	bool bound = false;

	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "mkdir %s: %s", NETNS_RUN_DIR, strerror(errno));
		return rc;
	}
	fd = open(NETNS_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "open %s: %s", NETNS_RUN_DIR, strerror(errno));
		return rc;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			snprintf(err, errlen, "lock %s: %s", NETNS_RUN_DIR, strerror(errno));
			goto out;
		}
	}
	/* MS_SHARED fails with EINVAL when the directory is not a mount point
	 * yet: bind it onto itself once, then try again. */
	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || bound) {
			rc = -errno;
			snprintf(err, errlen, "make %s a shared mount: %s", NETNS_RUN_DIR,
				 strerror(errno));
			goto out;
		}
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0) {
			rc = -errno;
			snprintf(err, errlen, "bind-mount %s: %s", NETNS_RUN_DIR, strerror(errno));
			goto out;
		}
		bound = true;
	}
out:
	close(fd); /* drops the lock */
	return rc;
}

/* Returns the calling thread to saved. Failing here would leave the thread
 * in a namespace its caller does not expect, and every later netlink or
 * nftables call would silently act on the wrong network: stop instead. */
static void netns_return(int saved)
{
	if (setns(saved, CLONE_NEWNET) < 0) {
		fprintf(stderr, "netns: cannot return to the original network namespace: %s\n",
			strerror(errno));
		abort();
	}
	close(saved);
}

int netns_create(const char *name, char *err, size_t errlen)
{
	char path[512];
	int fd, saved = -1, rc;

	rc = netns_path(name, path, sizeof(path));
	if (rc < 0) {
		snprintf(err, errlen, "bad namespace name \"%s\"", name);
		return rc;
	}
	rc = netns_prepare_dir(err, errlen);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "namespace %s: %s", name,
			 errno == EEXIST ? "already exists" : strerror(errno));
		return rc;
	}
	close(fd);
	saved = netns_open_self();
	if (saved < 0) {
		rc = saved;
		snprintf(err, errlen, "open %s: %s", NETNS_SELF, strerror(-rc));
		goto fail;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		rc = -errno;
		snprintf(err, errlen, "new network namespace: %s", strerror(errno));
		close(saved);
		goto fail;
	}
	if (mount(NETNS_SELF, path, "none", MS_BIND, NULL) < 0) {
		rc = -errno;
		snprintf(err, errlen, "bind-mount namespace on %s: %s", path, strerror(errno));
		netns_return(saved);
		goto fail;
	}
	netns_return(saved);
	return 0;
fail:
	unlink(path);
	return rc;
}

int netns_delete(const char *name)
{
	char path[512];
	int rc = netns_path(name, path, sizeof(path));

	if (rc < 0)
		return rc;
	/* MNT_DETACH: a process that still has the namespace open keeps it;
	 * the name goes away now either way. EINVAL means not mounted (a
	 * half-created name), which unlink below still cleans up. */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

bool netns_exists(const char *name)
{
	char path[512];

	return netns_path(name, path, sizeof(path)) == 0 && access(path, F_OK) == 0;
}

int netns_open(const char *name)
{
	char path[512];
	int rc = netns_path(name, path, sizeof(path));
	int fd;

	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int netns_open_self(void)
{
	int fd = open(NETNS_SELF, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int netns_run(int nsfd, int (*fn)(void *arg), void *arg)
{
	int saved = netns_open_self();
	int rc;

	if (saved < 0)
		return saved;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		rc = -errno;
		close(saved);
		return rc;
	}
	rc = fn(arg);
	netns_return(saved);
	return rc;
}

int netns_run_name(const char *name, int (*fn)(void *arg), void *arg)
{
	int fd = netns_open(name);
	int rc;

	if (fd < 0)
		return fd;
	rc = netns_run(fd, fn, arg);
	close(fd);
	return rc;
}

int netns_enter(int nsfd)
{
	return setns(nsfd, CLONE_NEWNET) < 0 ? -errno : 0;
}

int netns_id_of(const char *name, struct netns_id *id)
{
	char path[512];
	struct stat st;
	int rc = netns_path(name, path, sizeof(path));

	if (rc < 0)
		return rc;
	if (stat(path, &st) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

int netns_id_of_pid(pid_t pid, struct netns_id *id)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%ld/ns/net", (long)pid);
	if (stat(path, &st) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

static bool netns_id_in(const struct stat *st, const struct netns_id *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ids[i].dev == st->st_dev && ids[i].ino == st->st_ino)
			return true;
	}
	return false;
}

/* A process belongs to a namespace if any of its threads is in it: a
 * thread that setns()ed away keeps the namespace alive just the same. */
static bool netns_pid_matches(int procfd, long pid, const struct netns_id *ids, size_t n)
{
	char path[96];
	struct stat st;
	struct dirent *de;
	DIR *tasks;
	int fd;
	bool hit = false;

	snprintf(path, sizeof(path), "%ld/ns/net", pid);
	if (fstatat(procfd, path, &st, 0) == 0 && netns_id_in(&st, ids, n))
		return true;
	snprintf(path, sizeof(path), "%ld/task", pid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	tasks = fdopendir(fd);
	if (!tasks) {
		close(fd);
		return false;
	}
	while (!hit && (de = readdir(tasks)) != NULL) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end != '\0' || tid <= 0)
			continue;
		snprintf(path, sizeof(path), "%ld/ns/net", tid);
		if (fstatat(dirfd(tasks), path, &st, 0) == 0 && netns_id_in(&st, ids, n))
			hit = true;
	}
	closedir(tasks);
	return hit;
}

int netns_pids(const struct netns_id *ids, size_t n, pid_t **pids)
{
	pid_t self = getpid(), *out = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;
	DIR *proc;
	int rc = 0;

	*pids = NULL;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((de = readdir(proc)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end != '\0' || pid <= 0 || pid == (long)self)
			continue;
		if (!netns_pid_matches(dirfd(proc), pid, ids, n))
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			pid_t *p = realloc(out, ncap * sizeof(*p));

			if (!p) {
				rc = -ENOMEM;
				goto out;
			}
			out = p;
			cap = ncap;
		}
		out[count++] = (pid_t)pid;
	}
out:
	closedir(proc);
	if (rc < 0) {
		free(out);
		return rc;
	}
	*pids = out;
	return (int)count;
}

static int netns_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int netns_list(const char *prefix, char ***names)
{
	size_t plen = strlen(prefix), count = 0, cap = 0;
	char **out = NULL;
	struct dirent *de;
	DIR *dir;
	int rc = 0;

	*names = NULL;
	dir = opendir(NETNS_RUN_DIR);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, plen) != 0)
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **p = realloc(out, ncap * sizeof(*p));

			if (!p) {
				rc = -ENOMEM;
				goto out;
			}
			out = p;
			cap = ncap;
		}
		out[count] = strdup(de->d_name);
		if (!out[count]) {
			rc = -ENOMEM;
			goto out;
		}
		count++;
	}
	if (count > 1)
		qsort(out, count, sizeof(*out), netns_cmp);
out:
	closedir(dir);
	if (rc < 0) {
		netns_names_free(out, (int)count);
		return rc;
	}
	*names = out;
	return (int)count;
}

void netns_names_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* /sys shows the network devices of the namespace that mounted it. */
void netns_private_sysfs(void)
{
	if (unshare(CLONE_NEWNS) < 0) {
		log_debug("unshare mount namespace: %s", strerror(errno));
		return;
	}
	/* Slave first, or the new sysfs would propagate back to the host. */
	if (mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		log_debug("make / a slave mount: %s", strerror(errno));
		return;
	}
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		log_debug("mount sysfs: %s", strerror(errno));
}
