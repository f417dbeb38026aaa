/* sock.h — socket helpers: address parsing and formatting, TCP and Unix
 * listeners, accept, non-blocking connect.
 *
 * After redis' anet: thin wrappers that fold the usual setsockopt dance into
 * one call and return -errno instead of touching errno-plus-minus-one.
 * Addresses travel as struct sockaddr_storage so IPv4 and IPv6 share code.
 *
 * Text forms follow what servers print: "1.2.3.4", "::1", "::ffff:1.2.3.4"
 * for addresses; "1.2.3.4:80" and "[::1]:80" with a port.
 */
#ifndef CLIENTIP_SOCK_H
#define CLIENTIP_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest text sock_format_ip() writes, NUL included ("ffff:...:255.255.255.255"). */
#define SOCK_IP_STRLEN 46
/* Longest text sock_format_addr() writes, NUL included ("[...]:65535"). */
#define SOCK_ADDR_STRLEN (SOCK_IP_STRLEN + 8)

/* Listener flags. */
#define SOCK_V6ONLY          1u /* AF_INET6 only; the default is dual-stack */
#define SOCK_REUSEPORT       2u /* join a SO_REUSEPORT group already bound */
/* Bind exclusively (fail with -EADDRINUSE if anyone holds the port), then
 * open a SO_REUSEPORT group that later SOCK_REUSEPORT sockets of this user
 * join: several listeners per port without silently sharing it with a
 * stranger. */
#define SOCK_REUSEPORT_FIRST 4u

/* Parses "ADDR:PORT": "1.2.3.4:80", "[::1]:80", "[::]:8080", or ":8080"
 * (all addresses, dual-stack, i.e. "[::]:8080"). Numeric only.
 * 0 or -EINVAL. */
int sock_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len);
/* Parses a bare numeric address of len bytes ("1.2.3.4", "::1"); port 0.
 * 0 or -EINVAL. */
int sock_parse_ip(const char *s, size_t len, struct sockaddr_storage *ss);
socklen_t sock_addr_len(const struct sockaddr *sa);

/* The address as text. With unmap, an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is written as a.b.c.d. Returns the length written,
 * or -EAFNOSUPPORT / -ENOSPC. */
int sock_format_ip(const struct sockaddr *sa, bool unmap, char *out, size_t outlen);
/* Address and port: "1.2.3.4:80", "[::1]:80". Same returns. */
int sock_format_addr(const struct sockaddr *sa, bool unmap, char *out, size_t outlen);
uint16_t sock_port(const struct sockaddr *sa);
void sock_set_port(struct sockaddr_storage *ss, uint16_t port);
bool sock_is_v4mapped(const struct sockaddr *sa);
/* Equal family, address and port. */
bool sock_addr_equal(const struct sockaddr *a, const struct sockaddr *b);

int sock_set_nonblock(int fd, bool on);
int sock_set_nodelay(int fd, bool on);

/* Sends data[*off..len) on a non-blocking socket, advancing *off past what
 * went out (signals suppressed, EINTR retried): 0 once all of it is out, 1
 * when the socket is full, -errno when the peer is gone or the send failed. */
int sock_send_pending(int fd, const void *data, size_t len, size_t *off);

/* A non-blocking, close-on-exec TCP listener bound to sa. SO_REUSEADDR is
 * always set; AF_INET6 sockets are dual-stack unless SOCK_V6ONLY.
 * Returns the fd or -errno. */
int sock_listen_tcp(const struct sockaddr *sa, socklen_t len, unsigned flags, int backlog);
/* A non-blocking, close-on-exec listener on the Unix socket file path,
 * which only its owner may connect to (mode 0600). A socket file left by a
 * server that is gone is replaced; one that still answers is not
 * (-EADDRINUSE), nor is a file that is not a socket (-ENOTSOCK).
 * -ENAMETOOLONG when path does not fit in sun_path. Returns the fd or
 * -errno. */
int sock_listen_unix(const char *path, int backlog);
/* Starts a non-blocking connect to the Unix socket file path. Returns the
 * fd (connected: a Unix connect completes at once) or -errno (-EAGAIN: the
 * listener's backlog is full). */
int sock_connect_unix(const char *path);
/* accept4() with SOCK_NONBLOCK|SOCK_CLOEXEC; peer may be NULL.
 * Returns the fd or -errno (-EAGAIN when nothing is pending). */
int sock_accept(int lfd, struct sockaddr_storage *peer, socklen_t *peerlen);
/* Starts a non-blocking connect. Returns the fd (connected or in progress:
 * wait for writability, then sock_error()) or -errno. */
int sock_connect_tcp(const struct sockaddr *sa, socklen_t len);
/* The same from the local address src (its port 0: picked at connect
 * time, per destination); src NULL lets the kernel choose. */
int sock_connect_tcp_from(const struct sockaddr *sa, socklen_t len, const struct sockaddr *src);
/* The pending error of a socket (SO_ERROR) as -errno, or 0. */
int sock_error(int fd);
/* getsockname()/getpeername() into a sockaddr_storage. 0 or -errno. */
int sock_local_addr(int fd, struct sockaddr_storage *ss);
int sock_peer_addr(int fd, struct sockaddr_storage *ss);

#endif
