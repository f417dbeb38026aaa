/* acceptor.h — takes connections off a listening socket on an event loop.
 *
 * The one accept loop of the servers in the tree (the API server,
 * lib/httpd, the gateway). It accepts a bounded batch per readiness event,
 * so that one busy listener does not starve the rest of the loop, and skips
 * what one client's misfortune returns (a connection reset before it was
 * taken). When the process runs out of descriptors or memory it rests: the
 * pending connection stays queued and the listener stays readable, so on a
 * level-triggered loop accepting again at once would only spin. After
 * ACCEPTOR_PAUSE_MS it tries again; connections closed meanwhile have
 * freed what it needs.
 *
 * clientip-echo keeps its own loop: it takes one connection per wake-up,
 * as nginx does, and its drain stops and restarts all its listeners
 * together.
 */
#ifndef CLIENTIP_ACCEPTOR_H
#define CLIENTIP_ACCEPTOR_H

#include <sys/socket.h>

struct ev_loop;
struct acceptor;

#define ACCEPTOR_BATCH    64
#define ACCEPTOR_PAUSE_MS 100

/* One accepted connection: fd is non-blocking and close-on-exec, and the
 * callback owns it (refusing it is closing it). peer is the client's
 * address (for a Unix socket, AF_UNIX and nothing more). */
typedef void acceptor_cb(int fd, const struct sockaddr_storage *peer, void *data);

/* Watches lfd (listening, non-blocking) on loop. NULL when out of memory
 * or when the loop cannot watch it (errno set). */
struct acceptor *acceptor_new(struct ev_loop *loop, int lfd, acceptor_cb *cb, void *data);
/* Stops watching and frees; lfd stays open, it is the caller's. */
void acceptor_free(struct acceptor *a);
/* Times the acceptor has rested since it was made: for metrics and tests. */
unsigned long acceptor_pauses(const struct acceptor *a);

#endif
