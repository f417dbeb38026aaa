/* unix_srv: the listening half of the unit tests' scripted servers. A Unix
 * socket in a fresh temporary directory, and a thread that serves it; what
 * it answers is each test's own script. */
#ifndef UNIX_SRV_H
#define UNIX_SRV_H

#include <pthread.h>

/* How long the server waits for anything before it gives up: a client that
 * hangs fails its test instead of stalling it. */
#define UNIX_SRV_IO_MS 5000

struct unix_srv {
	char dir[64];
	char path[100];   /* the socket, for the client under test */
	int lfd;
	pthread_t thread;
};

/* Listens on a new DIR_PREFIX-XXXXXX/apiserver.sock and runs serve(arg) in
 * a thread; fails the test where it cannot. */
void unix_srv_start(struct unix_srv *u, const char *dir_prefix, void *(*serve)(void *),
		    void *arg);
/* Waits for the thread to end (its script played), then removes the socket
 * and its directory. */
void unix_srv_stop(struct unix_srv *u);
/* poll() of one descriptor for UNIX_SRV_IO_MS. */
int unix_srv_poll(int fd, short events);
/* The next connection, or -1 when none came in time. */
int unix_srv_accept(struct unix_srv *u);
/* Reads and drops until the client closes (or goes quiet too long). */
void unix_srv_wait_eof(int fd);

#endif
