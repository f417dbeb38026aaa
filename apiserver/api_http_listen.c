/* api_http_listen.c — the server (api_http_new, api_http_free) and its
 * listeners: TCP, one inherited from another network namespace, the Unix
 * socket. lib/acceptor takes their connections; here each one is refused
 * beyond the cap or set up.
 */
#include "api_http.h"
#include "api_http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <llhttp.h>

#include "acceptor.h"
#include "sock.h"

struct api_http_listener {
	struct api_http *h;
	struct api_http_listener *next;
	int fd;
	bool local;
	char *path;                 /* Unix socket file, removed on free */
	struct acceptor *acceptor;
};

/* ---- accepting ------------------------------------------------------------------ */

/* One connection from lib/acceptor: refused beyond the cap, else set up
 * and given the head timeout (a client that connects and says nothing). */
static void api_http_adopt(int cfd, const struct sockaddr_storage *peer, void *data)
{
	struct api_http_listener *l = data;
	struct api_http *s = l->h;
	struct api_http_conn *c;

	(void)peer;
	if (s->n_conns >= s->lim.max_conns || !(c = calloc(1, sizeof(*c)))) {
		close(cfd);
		return;
	}
	c->srv = s;
	c->fd = cfd;
	c->local = l->local;
	c->cur_hdr = -1;
	llhttp_init(&c->parser, HTTP_REQUEST, &s->settings);
	c->parser.data = c;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
	if (!l->local)
		sock_set_nodelay(cfd, true); /* one small chunk per watch event */
	if (ev_watch(s->loop, cfd, EV_READ, api_http_conn_io, c) < 0) {
		api_http_conn_close(c);
		return;
	}
	c->watched = EV_READ;
	api_http_arm(c, API_HTTP_T_HEAD);
}

/* ---- server --------------------------------------------------------------------- */

struct api_http *api_http_new(struct ev_loop *loop, const struct api_http_limits *limits,
			      api_http_handler *fn, void *data)
{
	struct api_http *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->loop = loop;
	h->fn = fn;
	h->data = data;
	if (limits)
		h->lim = *limits;
	if (h->lim.max_conns <= 0)
		h->lim.max_conns = 1024;
	if (!h->lim.max_head)
		h->lim.max_head = 64u << 10;
	if (!h->lim.max_body)
		h->lim.max_body = 3u << 20;
	if (!h->lim.head_timeout_ms)
		h->lim.head_timeout_ms = 30000;
	if (!h->lim.idle_timeout_ms)
		h->lim.idle_timeout_ms = 300000;
	api_http_parser_settings(&h->settings);
	return h;
}

static int api_http_add_listener(struct api_http *h, int fd, const char *path, char *err,
				 size_t errlen)
{
	struct api_http_listener *l = calloc(1, sizeof(*l));

	if (!l || (path && !(l->path = strdup(path)))) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	l->h = h;
	l->fd = fd;
	l->local = path != NULL;
	if (!(l->acceptor = acceptor_new(h->loop, fd, api_http_adopt, l))) {
		snprintf(err, errlen, "watch listener: %s", strerror(errno));
		goto fail;
	}
	l->next = h->listeners;
	h->listeners = l;
	return 0;
fail:
	if (l)
		free(l->path);
	free(l);
	return -1;
}

int api_http_listen_tcp(struct api_http *h, const char *addr, int port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	const char *a = addr && *addr ? addr : "127.0.0.1";
	size_t alen = strlen(a);
	int fd, rc;

	if (errlen)
		err[0] = '\0';
	if (a[0] == '[' && alen > 2 && a[alen - 1] == ']') {
		a++;
		alen -= 2;
	}
	if (port < 0 || port > 65535 || sock_parse_ip(a, alen, &ss) < 0) {
		snprintf(err, errlen, "bad listen address %s port %d", addr ? addr : "", port);
		return -1;
	}
	sock_set_port(&ss, (uint16_t)port);
	fd = sock_listen_tcp((struct sockaddr *)&ss, sock_addr_len((struct sockaddr *)&ss), 0, 511);
	if (fd < 0) {
		snprintf(err, errlen, "listen on %s port %d: %s", addr ? addr : a, port,
			 strerror(-fd));
		return -1;
	}
	rc = sock_local_addr(fd, &ss);
	if (rc < 0) {
		snprintf(err, errlen, "getsockname: %s", strerror(-rc));
		close(fd);
		return -1;
	}
	if (api_http_add_listener(h, fd, NULL, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	if (!h->tcp_port)
		h->tcp_port = sock_port((struct sockaddr *)&ss);
	return 0;
}

int api_http_listen_fd(struct api_http *h, int fd, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int rc;

	if (sock_set_nonblock(fd, true) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(err, errlen, "listening socket %d: %s", fd, strerror(errno));
		return -1;
	}
	rc = sock_local_addr(fd, &ss);
	if (rc < 0) {
		snprintf(err, errlen, "listening socket %d: %s", fd, strerror(-rc));
		return -1;
	}
	if (api_http_add_listener(h, fd, NULL, err, errlen) < 0)
		return -1;
	if (!h->tcp_port && (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
		h->tcp_port = sock_port((struct sockaddr *)&ss);
	return 0;
}

int api_http_listen_unix(struct api_http *h, const char *path, char *err, size_t errlen)
{
	int fd = sock_listen_unix(path, 511);

	if (fd < 0) {
		if (fd == -EADDRINUSE)
			snprintf(err, errlen, "%s: another server is listening", path);
		else if (fd == -ENOTSOCK)
			snprintf(err, errlen, "%s exists and is not a socket", path);
		else if (fd == -EINVAL || fd == -ENAMETOOLONG)
			snprintf(err, errlen, "bad socket path \"%s\"", path ? path : "");
		else
			snprintf(err, errlen, "listen on %s: %s", path, strerror(-fd));
		return -1;
	}
	if (api_http_add_listener(h, fd, path, err, errlen) < 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	return 0;
}

int api_http_tcp_port(const struct api_http *h)
{
	return h->tcp_port;
}

void api_http_free(struct api_http *h)
{
	if (!h)
		return;
	while (h->listeners) {
		struct api_http_listener *l = h->listeners;

		h->listeners = l->next;
		acceptor_free(l->acceptor);
		close(l->fd);
		if (l->path)
			unlink(l->path);
		free(l->path);
		free(l);
	}
	while (h->conns)
		api_http_conn_close(h->conns);
	free(h);
}
