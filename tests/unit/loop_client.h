/* loop_client: the unit tests' way to test a server that runs on an event
 * loop: the loop runs on the test's thread, a client thread talks to the
 * server over loopback, and the loop stops once the client is done. */
#ifndef LOOP_CLIENT_H
#define LOOP_CLIENT_H

#include <stddef.h>

#include "ev.h"

/* Runs client(arg) in a thread while `loop` runs here; returns once the
 * client returned and the loop stopped. Fails the test where it cannot. */
void loop_client_run(struct ev_loop *loop, void (*client)(void *), void *arg);
/* A TCP connection to 127.0.0.1:port, or -1. */
int loop_client_connect(int port);
/* Writes all of data, or stops where the server closed. */
void loop_client_send_n(int fd, const void *data, size_t len);
void loop_client_send(int fd, const char *s);

#endif
