/* Unit tests for lib/sock.c: address text both ways, TCP and Unix
 * listeners, connect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sock.h"

static void roundtrip(const char *in, const char *out, bool unmap)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[SOCK_ADDR_STRLEN];

	assert_int_equal(sock_parse_addr(in, &ss, &len), 0);
	assert_int_equal(len, sock_addr_len((struct sockaddr *)&ss));
	assert_true(sock_format_addr((struct sockaddr *)&ss, unmap, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, out);
}

static void test_parse_addr(void **state)
{
	(void)state;
	roundtrip("127.0.0.1:8080", "127.0.0.1:8080", false);
	roundtrip("[::1]:80", "[::1]:80", false);
	roundtrip("[::]:8080", "[::]:8080", false);
	roundtrip(":8080", "[::]:8080", false);
	roundtrip("*:1", "[::]:1", false);
	roundtrip("[::ffff:127.0.0.1]:0", "[::ffff:127.0.0.1]:0", false);
	roundtrip("[::ffff:127.0.0.1]:65535", "127.0.0.1:65535", true);
	roundtrip("[2001:db8::1]:443", "[2001:db8::1]:443", true);
}

static void test_parse_addr_rejects(void **state)
{
	static const char *const bad[] = {
		"", "8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
		"127.0.0.1:80x", "::1:80", "[::1]80", "[::1", "[1.2.3.4]:80", "host:80",
		"127.0.0.1:123456", "[::1]:", "300.0.0.1:80",
	};
	struct sockaddr_storage ss;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sock_parse_addr(bad[i], &ss, NULL), -EINVAL);
}

static void test_format_ip_unmapped(void **state)
{
	struct sockaddr_storage ss;
	char buf[SOCK_IP_STRLEN];

	(void)state;
	assert_int_equal(sock_parse_ip("::ffff:10.244.0.1", 17, &ss), 0);
	assert_true(sock_is_v4mapped((struct sockaddr *)&ss));
	assert_int_equal(sock_format_ip((struct sockaddr *)&ss, false, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "::ffff:10.244.0.1");
	assert_int_equal(sock_format_ip((struct sockaddr *)&ss, true, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "10.244.0.1");
	sock_set_port(&ss, 99);
	assert_int_equal(sock_port((struct sockaddr *)&ss), 99);
	/* Not mapped: written as it is, unmapping or not. */
	assert_int_equal(sock_parse_ip("2001:db8::1", 11, &ss), 0);
	assert_false(sock_is_v4mapped((struct sockaddr *)&ss));
	assert_int_equal(sock_format_ip((struct sockaddr *)&ss, true, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(sock_format_ip((struct sockaddr *)&ss, false, buf, 4), -ENOSPC);
	ss.ss_family = AF_UNIX;
	assert_int_equal(sock_format_ip((struct sockaddr *)&ss, false, buf, sizeof(buf)), -EAFNOSUPPORT);
	assert_int_equal(sock_parse_ip("1.2.3.4x", 8, &ss), -EINVAL);
	assert_int_equal(sock_parse_ip("1.2.3.4", 0, &ss), -EINVAL);
}

static void test_addr_equal(void **state)
{
	struct sockaddr_storage a, b;

	(void)state;
	assert_int_equal(sock_parse_addr("[::1]:80", &a, NULL), 0);
	assert_int_equal(sock_parse_addr("[::1]:80", &b, NULL), 0);
	assert_true(sock_addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	sock_set_port(&b, 81);
	assert_false(sock_addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	assert_int_equal(sock_parse_addr("127.0.0.1:80", &b, NULL), 0);
	assert_false(sock_addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
}

/* A listener on an ephemeral loopback port, a non-blocking connect to it,
 * accept, and the addresses both ends report. */
static void test_listen_connect_accept(void **state)
{
	struct sockaddr_storage addr, peer, local;
	socklen_t len;
	char buf[SOCK_ADDR_STRLEN];
	struct pollfd pfd;
	int lfd, cfd, afd;

	(void)state;
	assert_int_equal(sock_parse_addr("[::ffff:127.0.0.1]:0", &addr, &len), 0);
	lfd = sock_listen_tcp((struct sockaddr *)&addr, len, 0, 16);
	assert_true(lfd >= 0);
	assert_int_equal(sock_accept(lfd, NULL, NULL), -EAGAIN);
	assert_int_equal(sock_local_addr(lfd, &local), 0);
	assert_true(sock_port((struct sockaddr *)&local) != 0);

	/* IPv4 client to a dual-stack socket bound to a mapped address. */
	assert_int_equal(sock_parse_addr("127.0.0.1:0", &addr, &len), 0);
	sock_set_port(&addr, sock_port((struct sockaddr *)&local));
	cfd = sock_connect_tcp((struct sockaddr *)&addr, len);
	assert_true(cfd >= 0);
	pfd = (struct pollfd){ .fd = cfd, .events = POLLOUT };
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(sock_error(cfd), 0);
	pfd = (struct pollfd){ .fd = lfd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	afd = sock_accept(lfd, &peer, &len);
	assert_true(afd >= 0);
	assert_int_equal(peer.ss_family, AF_INET6);
	assert_true(sock_format_ip((struct sockaddr *)&peer, false, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "::ffff:127.0.0.1");
	assert_int_equal(sock_set_nodelay(afd, true), 0);
	assert_int_equal(sock_set_nonblock(afd, false), 0);
	assert_int_equal(sock_set_nonblock(afd, true), 0);
	assert_int_equal(sock_peer_addr(cfd, &peer), 0);
	assert_int_equal(sock_port((struct sockaddr *)&peer), sock_port((struct sockaddr *)&local));
	close(afd);
	close(cfd);
	close(lfd);
}

static void test_reuseport_first(void **state)
{
	struct sockaddr_storage addr, local;
	socklen_t len;
	int a, b, c;

	(void)state;
	assert_int_equal(sock_parse_addr("127.0.0.1:0", &addr, &len), 0);
	a = sock_listen_tcp((struct sockaddr *)&addr, len, SOCK_REUSEPORT_FIRST, 16);
	assert_true(a >= 0);
	assert_int_equal(sock_local_addr(a, &local), 0);
	/* Our own group accepts a second member ... */
	b = sock_listen_tcp((struct sockaddr *)&local, len, SOCK_REUSEPORT, 16);
	assert_true(b >= 0);
	/* ... a plain bind is still refused. */
	c = sock_listen_tcp((struct sockaddr *)&local, len, 0, 16);
	assert_int_equal(c, -EADDRINUSE);
	/* And an exclusive first bind refuses a port already taken. */
	c = sock_listen_tcp((struct sockaddr *)&local, len, SOCK_REUSEPORT_FIRST, 16);
	assert_int_equal(c, -EADDRINUSE);
	close(a);
	close(b);
}

static void test_connect_refused(void **state)
{
	struct sockaddr_storage addr, local;
	socklen_t len;
	struct pollfd pfd;
	int lfd, fd;

	(void)state;
	/* A port that was free a moment ago: bind one, note it, close it. */
	assert_int_equal(sock_parse_addr("127.0.0.1:0", &addr, &len), 0);
	lfd = sock_listen_tcp((struct sockaddr *)&addr, len, 0, 1);
	assert_true(lfd >= 0);
	assert_int_equal(sock_local_addr(lfd, &local), 0);
	close(lfd);
	fd = sock_connect_tcp((struct sockaddr *)&local, len);
	assert_true(fd >= 0);
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(sock_error(fd), -ECONNREFUSED);
	close(fd);
}

/* A Unix listener takes over the file of a server that is gone, never the
 * socket of one that still listens, nor a file that is not a socket. */
static void test_listen_unix(void **state)
{
	char dir[] = "/tmp/test_sock.XXXXXX", path[128], big[200];
	struct stat st;
	int lfd, again, cfd, afd, file;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	lfd = sock_listen_unix(path, 4);
	assert_true(lfd >= 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(sock_listen_unix(path, 4), -EADDRINUSE);
	cfd = sock_connect_unix(path);
	assert_true(cfd >= 0);
	afd = sock_accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	close(afd);
	close(cfd);
	/* Closed, the file stays behind: stale, and taken over. */
	close(lfd);
	assert_int_equal(sock_connect_unix(path), -ECONNREFUSED);
	again = sock_listen_unix(path, 4);
	assert_true(again >= 0);
	close(again);
	unlink(path);
	assert_int_equal(sock_connect_unix(path), -ENOENT);

	snprintf(path, sizeof(path), "%s/plain", dir);
	file = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(file >= 0);
	close(file);
	assert_int_equal(sock_listen_unix(path, 4), -ENOTSOCK);
	unlink(path);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(sock_listen_unix(big, 4), -ENAMETOOLONG);
	assert_int_equal(sock_connect_unix(big), -ENAMETOOLONG);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_parse_addr_rejects),
		cmocka_unit_test(test_format_ip_unmapped),
		cmocka_unit_test(test_addr_equal),
		cmocka_unit_test(test_listen_connect_accept),
		cmocka_unit_test(test_reuseport_first),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_listen_unix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
