/* unix_srv: see unix_srv.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unix_srv.h"

void unix_srv_start(struct unix_srv *u, const char *dir_prefix, void *(*serve)(void *),
		    void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memset(u, 0, sizeof(*u));
	snprintf(u->dir, sizeof(u->dir), "%s-XXXXXX", dir_prefix);
	assert_non_null(mkdtemp(u->dir));
	snprintf(u->path, sizeof(u->path), "%s/apiserver.sock", u->dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", u->path);
	u->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(u->lfd >= 0);
	assert_int_equal(bind(u->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(u->lfd, 16), 0);
	assert_int_equal(pthread_create(&u->thread, NULL, serve, arg), 0);
}

void unix_srv_stop(struct unix_srv *u)
{
	pthread_join(u->thread, NULL);
	close(u->lfd);
	unlink(u->path);
	rmdir(u->dir);
}

int unix_srv_poll(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, UNIX_SRV_IO_MS);
}

int unix_srv_accept(struct unix_srv *u)
{
	if (unix_srv_poll(u->lfd, POLLIN) <= 0)
		return -1;
	return accept(u->lfd, NULL, NULL);
}

void unix_srv_wait_eof(int fd)
{
	char chunk[4096];

	while (unix_srv_poll(fd, POLLIN) > 0 && recv(fd, chunk, sizeof(chunk), 0) > 0)
		;
}
