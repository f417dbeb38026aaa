/* nl_sysctl.c — sysctls as seen from a network namespace (see nl.h):
 * nl_sysctl_set and nl_sysctl_get.
 *
 * Not netlink at all: a sysctl is a file under /proc/sys, read or written
 * from inside the namespace. It is declared in nl.h, beside the links and
 * routes it is set up with, and shares only nl.c's error text.
 */
#include "nl_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

/* --- sysctls -------------------------------------------------------- */

struct nl_sysctl {
	char path[256];
	const char *value;    /* set */
	char *out;            /* get */
	size_t outlen;
};

/* /proc/sys/net resolves to the namespace of the thread that opens it, so
 * the file is opened (not just written) inside the namespace. */
static int nl_sysctl_here(void *arg)
{
	struct nl_sysctl *s = arg;
	int fd = open(s->path, (s->value ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (s->value) {
		size_t len = strlen(s->value);
		ssize_t n = write(fd, s->value, len);

		if (n < 0)
			rc = -errno;
		else if ((size_t)n != len)
			rc = -EIO;
	} else {
		ssize_t n = read(fd, s->out, s->outlen - 1);

		if (n < 0) {
			rc = -errno;
		} else {
			s->out[n] = '\0';
			while (n > 0 && (s->out[n - 1] == '\n' || s->out[n - 1] == ' '))
				s->out[--n] = '\0';
		}
	}
	close(fd);
	return rc;
}

static int nl_sysctl_path(struct nl_sysctl *s, const char *key)
{
	bool dots;
	size_t n;

	/* Said out loud: gcc's -fsanitize=undefined otherwise takes key for
	 * possibly null in the snprintf below and fails the build. */
	if (!key)
		return -EINVAL;
	dots = strchr(key, '/') == NULL;
	if ((size_t)snprintf(s->path, sizeof(s->path), "/proc/sys/%s", key) >= sizeof(s->path))
		return -ENAMETOOLONG;
	if (strstr(key, ".."))
		return -EINVAL;
	if (dots) {
		n = strlen("/proc/sys/");
		for (char *p = s->path + n; *p; p++)
			if (*p == '.')
				*p = '/';
	}
	return 0;
}

static int nl_sysctl_do(int nsfd, struct nl_sysctl *s)
{
	return nsfd >= 0 ? netns_run(nsfd, nl_sysctl_here, s) : nl_sysctl_here(s);
}

int nl_sysctl_set(int nsfd, const char *key, const char *value, char *err, size_t errlen)
{
	struct nl_sysctl s = { .value = value };
	int rc = nl_sysctl_path(&s, key);

	if (rc == 0)
		rc = nl_sysctl_do(nsfd, &s);
	if (rc < 0)
		nl_set_err(err, errlen, rc, NULL, "sysctl %s=%s", key, value);
	return rc;
}

int nl_sysctl_get(int nsfd, const char *key, char *value, size_t len, char *err, size_t errlen)
{
	struct nl_sysctl s = { .out = value, .outlen = len };
	int rc = len > 1 ? nl_sysctl_path(&s, key) : -EINVAL;

	if (rc == 0)
		rc = nl_sysctl_do(nsfd, &s);
	if (rc < 0)
		nl_set_err(err, errlen, rc, NULL, "sysctl %s", key);
	return rc;
}
