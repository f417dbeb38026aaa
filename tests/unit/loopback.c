/* loopback: see loopback.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

/* A socket bound to 127.0.0.1 on a port the kernel picked. */
static int loopback_bind(int flags, int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

int loopback_listen(int flags, int backlog, int *port)
{
	int fd = loopback_bind(flags, port);

	assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

int loopback_closed_port(void)
{
	int port, fd = loopback_bind(0, &port);

	close(fd);
	return port;
}
