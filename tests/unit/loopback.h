/* loopback: TCP listeners on 127.0.0.1 for the unit tests' fake servers and
 * backends, on ports the kernel picks. */
#ifndef LOOPBACK_H
#define LOOPBACK_H

/* A listening socket (SOCK_CLOEXEC, plus `flags`: SOCK_NONBLOCK or 0) and
 * its port in *port. Backlog 0 and never accepting: a queue that is full
 * after one connection. Fails the test where it cannot. */
int loopback_listen(int flags, int backlog, int *port);
/* A port nobody listens on: bound, never listened on, then closed. */
int loopback_closed_port(void);

#endif
