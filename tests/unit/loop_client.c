/* loop_client: see loop_client.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop_client.h"

struct loop_client {
	void (*client)(void *);
	void *arg;
	int done_pipe[2];   /* the thread's "done", read on the loop */
};

static void *loop_client_thread(void *data)
{
	struct loop_client *lc = data;
	char c = 1;

	lc->client(lc->arg);
	if (write(lc->done_pipe[1], &c, 1) < 0)
		return NULL;
	return NULL;
}

static void loop_client_on_done(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	(void)fd;
	(void)events;
	(void)data;
	ev_stop(loop);
}

void loop_client_run(struct ev_loop *loop, void (*client)(void *), void *arg)
{
	struct loop_client lc = { .client = client, .arg = arg };
	pthread_t th;

	assert_int_equal(pipe(lc.done_pipe), 0);
	ev_watch(loop, lc.done_pipe[0], EV_READ, loop_client_on_done, &lc);
	assert_int_equal(pthread_create(&th, NULL, loop_client_thread, &lc), 0);
	ev_run(loop);
	pthread_join(th, NULL);
	ev_unwatch(loop, lc.done_pipe[0]);
	close(lc.done_pipe[0]);
	close(lc.done_pipe[1]);
}

int loop_client_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void loop_client_send_n(int fd, const void *data, size_t len)
{
	const char *s = data;
	size_t off = 0;

	while (off < len) {
		ssize_t w = send(fd, s + off, len - off, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

void loop_client_send(int fd, const char *s)
{
	loop_client_send_n(fd, s, strlen(s));
}
