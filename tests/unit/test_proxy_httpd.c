/* Unit tests for lib/httpd.c (the health check and metrics server of the
 * service proxy, the kubelet's log server): keep-alive, pipelining, HEAD,
 * malformed and oversized requests, timeouts, the connection cap,
 * streamed answers, a Unix listener and query strings. The server runs on the test's
 * event loop; a client thread talks to it over loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpd.h"
#include "sock.h"
#include "loop_client.h"

struct t_ctx {
	struct ev_loop *loop;
	struct httpd *srv;
	int port;
	void (*client)(struct t_ctx *);
	int requests;
	struct httpd_stream *st;     /* the /stream or /follow answer */
	int gone;                    /* on_gone calls */
	char unix_path[128];         /* test_unix_listener's socket */
	int keep_fd;                 /* a client connection the test closes itself */
	/* results, written by the client thread */
	char out[8][4096];
	int n_out;
};

static void t_on_gone(struct httpd_stream *st, void *data)
{
	struct t_ctx *t = data;

	assert_ptr_equal(st, t->st);
	t->st = NULL;
	t->gone++;
}

/* The rest of /stream, from the loop as a followed log's reads come. */
static void t_stream_more(struct ev_loop *loop, uint64_t id, void *data)
{
	struct t_ctx *t = data;

	(void)loop;
	(void)id;
	assert_int_equal(httpd_stream_write(t->st, "second\n", 7), 0);
	httpd_stream_end(t->st);
	t->st = NULL;
}

static void t_handler(const struct httpd_req *req, struct httpd_resp *resp, void *data)
{
	struct t_ctx *t = data;

	t->requests++;
	if (strcmp(req->path, "/stream") == 0 || strcmp(req->path, "/follow") == 0) {
		t->st = httpd_resp_stream(resp, t_on_gone, t);
		assert_non_null(t->st);
		buf_puts(&resp->body, "first\n");
		if (strcmp(req->path, "/stream") == 0)
			ev_timer_add(t->loop, 0, t_stream_more, t);
		return;
	}
	if (strcmp(req->path, "/gone") == 0) {
		buf_printf(&resp->body, "%d", t->gone);
		return;
	}
	if (strcmp(req->path, "/missing") == 0) {
		resp->status = 404;
		return;
	}
	snprintf(resp->content_type, sizeof(resp->content_type), "application/json");
	httpd_resp_header(resp, "X-Test", "%d", t->requests);
	buf_printf(&resp->body, "{\"path\":\"%s\",\"method\":\"%s\"}", req->path, req->method);
}

/* Reads until the peer closes, `want` bytes arrived, or timeout_ms passes. */
static size_t t_read(int fd, char *buf, size_t cap, size_t want, int timeout_ms)
{
	size_t n = 0;

	while (n < cap - 1 && (want == 0 || n < want)) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, timeout_ms) <= 0)
			break;
		r = recv(fd, buf + n, cap - 1 - n, 0);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return n;
}

/* Reads one whole response (head and Content-Length body), waiting up
 * to 5 s: a loaded machine may take a while to run the server's loop. */
static void t_read_response(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	while (n < cap - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		const char *end = strstr(buf, "\r\n\r\n"), *cl = strstr(buf, "Content-Length: ");
		ssize_t r;

		if (end && cl && cl < end && n >= (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10))
			return;
		if (poll(&p, 1, 5000) <= 0)
			return;
		r = recv(fd, buf + n, cap - 1 - n, 0);
		if (r <= 0)
			return;
		n += (size_t)r;
		buf[n] = '\0';
	}
}

static void t_client_main(void *arg)
{
	struct t_ctx *t = arg;

	t->client(t);
}

static void t_run(struct t_ctx *t, const struct httpd_limits *lim, void (*client)(struct t_ctx *))
{
	char err[128];

	memset(t, 0, sizeof(*t));
	t->loop = ev_loop_new();
	assert_non_null(t->loop);
	t->srv = httpd_new(t->loop, (struct in_addr){ htonl(INADDR_LOOPBACK) }, 0, lim, t_handler, t,
			   err, sizeof(err));
	assert_non_null(t->srv);
	t->port = httpd_port(t->srv);
	assert_true(t->port > 0);
	t->client = client;
	loop_client_run(t->loop, t_client_main, t);
	httpd_free(t->srv);
	ev_loop_free(t->loop);
}

/* ---- clients ---------------------------------------------------------------- */

/* /stream: head without Content-Length, the body in two parts, the end of
 * the body the connection's close. */
static void c_stream(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
	t_read(fd, t->out[0], sizeof(t->out[0]), 0, 5000);
	close(fd);
}

static void test_stream(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_stream);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 200 OK\r\n"));
	assert_null(strstr(t.out[0], "Content-Length"));
	assert_non_null(strstr(t.out[0], "Connection: close\r\n"));
	assert_non_null(strstr(t.out[0], "\r\n\r\nfirst\nsecond\n"));
	/* Ended by the handler: never "gone". */
	assert_int_equal(t.gone, 0);
}

/* /follow stays open; the client leaves, and the server says so. */
static void c_follow_leave(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /follow HTTP/1.1\r\nHost: x\r\n\r\n");
	t_read(fd, t->out[0], sizeof(t->out[0]), 0, 300);
	close(fd);
	/* Polled: the server notices the close on its loop. */
	for (int i = 0; i < 500; i++) {
		fd = loop_client_connect(t->port);
		loop_client_send(fd, "GET /gone HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		t_read_response(fd, t->out[1], sizeof(t->out[1]));
		close(fd);
		if (strstr(t->out[1], "\r\n\r\n1"))
			break;
		usleep(10000);
	}
}

static void test_stream_client_leaves(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_follow_leave);
	assert_non_null(strstr(t.out[0], "\r\n\r\nfirst\n"));
	assert_non_null(strstr(t.out[1], "\r\n\r\n1"));
	assert_int_equal(t.gone, 1);
	assert_null(t.st);
}

/* A stream still open when the server is freed is gone too. */
static void c_follow_stay(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /follow HTTP/1.1\r\nHost: x\r\n\r\n");
	t_read(fd, t->out[0], sizeof(t->out[0]), 0, 300);
	t->keep_fd = fd;  /* closed by the test, after the server */
}

static void test_stream_server_freed(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_follow_stay);
	assert_non_null(strstr(t.out[0], "\r\n\r\nfirst\n"));
	assert_int_equal(t.gone, 1);
	close(t.keep_fd);
}

/* The same server on a Unix socket (the kubelet's). */
static void c_unix(void *arg)
{
	struct t_ctx *t = arg;
	int fd = sock_connect_unix(t->unix_path);

	if (fd < 0)
		return;
	if (sock_set_nonblock(fd, false) == 0) {
		loop_client_send(fd, "GET /unix HTTP/1.1\r\nHost: x\r\n\r\n");
		t_read_response(fd, t->out[0], sizeof(t->out[0]));
	}
	close(fd);
}

static void test_unix_listener(void **state)
{
	char dir[] = "/tmp/test_httpd.XXXXXX";
	struct t_ctx t;
	int lfd;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.loop = ev_loop_new();
	assert_non_null(t.loop);
	assert_non_null(mkdtemp(dir));
	snprintf(t.unix_path, sizeof(t.unix_path), "%s/kubelet.sock", dir);
	lfd = sock_listen_unix(t.unix_path, 8);
	assert_true(lfd >= 0);
	t.srv = httpd_new_listener(t.loop, lfd, NULL, t_handler, &t);
	assert_non_null(t.srv);
	assert_int_equal(httpd_port(t.srv), 0);
	loop_client_run(t.loop, c_unix, &t);
	httpd_free(t.srv);
	ev_loop_free(t.loop);
	unlink(t.unix_path);
	rmdir(dir);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(t.out[0], "{\"path\":\"/unix\",\"method\":\"GET\"}"));
}

static void test_query(void **state)
{
	char v[16];
	const char *cursor = NULL;

	(void)state;
	assert_string_equal(httpd_query_get("follow=true&tailLines=10", "tailLines", v, sizeof(v)), "10");
	assert_string_equal(httpd_query_get("a%20b=c+d&x", "a b", v, sizeof(v)), "c d");
	assert_string_equal(httpd_query_get("a%20b=c+d&x", "x", v, sizeof(v)), "");
	assert_null(httpd_query_get("follow=true", "tail", v, sizeof(v)));
	assert_string_equal(httpd_query_get("k=0123456789abcdefXYZ", "k", v, sizeof(v)),
			    "0123456789abcde");
	assert_string_equal(httpd_query_next("c=ip&c=addr", "c", &cursor, v, sizeof(v)), "ip");
	assert_string_equal(httpd_query_next("c=ip&c=addr", "c", &cursor, v, sizeof(v)), "addr");
	assert_null(httpd_query_next("c=ip&c=addr", "c", &cursor, v, sizeof(v)));
}

static void test_path_decode(void **state)
{
	char ok[] = "/api/v1/namespaces/a%2Db/pods%2fx", nul[] = "/a%00b", bad[] = "/a%zz",
	     cut[] = "/a%4";

	(void)state;
	assert_int_equal(httpd_path_decode(ok), 0);
	assert_string_equal(ok, "/api/v1/namespaces/a-b/pods/x");
	assert_int_equal(httpd_path_decode(nul), -1);
	assert_int_equal(httpd_path_decode(bad), -1);
	assert_int_equal(httpd_path_decode(cut), -1);
}

static void c_keepalive(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	t_read_response(fd, t->out[0], sizeof(t->out[0]));
	loop_client_send(fd, "GET /second?q=1 HTTP/1.1\r\nHost: x\r\n\r\n");
	t_read_response(fd, t->out[1], sizeof(t->out[1]));
	close(fd);
}

static void test_keepalive(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_keepalive);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(t.out[0], "Content-Type: application/json\r\n"));
	assert_non_null(strstr(t.out[0], "X-Test: 1\r\n"));
	assert_non_null(strstr(t.out[0], "Content-Length: 34\r\n"));
	assert_non_null(strstr(t.out[0], "\r\n\r\n{\"path\":\"/healthz\",\"method\":\"GET\"}"));
	assert_null(strstr(t.out[0], "Connection: close"));
	/* Same connection, query stripped from the path. */
	assert_non_null(strstr(t.out[1], "X-Test: 2\r\n"));
	assert_non_null(strstr(t.out[1], "{\"path\":\"/second\",\"method\":\"GET\"}"));
}

static void c_pipelined(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
			     "GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	t_read(fd, t->out[0], sizeof(t->out[0]), 0, 5000);   /* until the server closes */
	close(fd);
}

static void test_pipelined_head_close(void **state)
{
	struct t_ctx t;
	const char *a, *b, *c;

	(void)state;
	t_run(&t, NULL, c_pipelined);
	a = strstr(t.out[0], "{\"path\":\"/a\"");
	b = strstr(t.out[0], "X-Test: 2");
	c = strstr(t.out[0], "HTTP/1.1 404 Not Found");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(a < b && b < c);
	/* HEAD: headers with the length, no body. */
	assert_null(strstr(t.out[0], "\"/b\""));
	assert_non_null(strstr(c, "Connection: close\r\n"));
	assert_int_equal(t.requests, 3);
}

static void c_garbage(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GARBAGE\x01 / HTTP/1.1\r\n\r\n");
	t_read(fd, t->out[0], sizeof(t->out[0]), 0, 5000);
	close(fd);
}

static void test_bad_request(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_garbage);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 400 Bad Request\r\n"));
	assert_non_null(strstr(t.out[0], "Connection: close\r\n"));
	assert_int_equal(t.requests, 0);
}

static void c_huge(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);
	static char req[20000];

	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nX-Big: ");
	memset(req + strlen(req), 'a', 12000);
	loop_client_send(fd, req);
	loop_client_send(fd, "\r\n\r\n");
	t_read(fd, t->out[0], sizeof(t->out[0]), 0, 5000);
	close(fd);
	fd = loop_client_connect(t->port);
	snprintf(req, sizeof(req), "GET /");
	memset(req + 5, 'u', 3000);
	strcpy(req + 3005, " HTTP/1.1\r\n\r\n");
	loop_client_send(fd, req);
	t_read(fd, t->out[1], sizeof(t->out[1]), 0, 5000);
	close(fd);
}

static void test_oversized(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_huge);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 431 "));
	assert_non_null(strstr(t.out[1], "HTTP/1.1 414 URI Too Long"));
	assert_int_equal(t.requests, 0);
}

static void c_idle(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);
	char buf[64];

	/* Half a request, then nothing: closed after the head timeout. */
	loop_client_send(fd, "GET / HTTP/1.1\r\n");
	snprintf(t->out[0], sizeof(t->out[0]), "%zu", t_read(fd, buf, sizeof(buf), 0, 2000));
	close(fd);
}

static void test_timeout(void **state)
{
	struct httpd_limits lim = { .head_timeout_ms = 100, .idle_timeout_ms = 100 };
	struct t_ctx t;

	(void)state;
	t_run(&t, &lim, c_idle);
	assert_string_equal(t.out[0], "0");   /* closed, nothing sent */
}

static void c_trickle(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port), sent = 0;
	char buf[64];
	struct pollfd p = { fd, POLLIN, 0 };

	/* A request head one byte at a time (a path that never ends), every
	 * 50 ms: the connection goes at the 200 ms head timeout, not when the
	 * bytes stop. */
	loop_client_send(fd, "GET /");
	while (sent < 200) {
		if (poll(&p, 1, 50) > 0)
			break;           /* closed (EOF): readable */
		if (send(fd, "a", 1, MSG_NOSIGNAL) != 1)
			break;
		sent++;
	}
	snprintf(t->out[0], sizeof(t->out[0]), "%zu", t_read(fd, buf, sizeof(buf), 0, 2000));
	snprintf(t->out[1], sizeof(t->out[1]), "%d", sent);
	close(fd);
}

static void test_head_timeout_from_first_byte(void **state)
{
	struct httpd_limits lim = { .head_timeout_ms = 200, .idle_timeout_ms = 200 };
	struct t_ctx t;

	(void)state;
	t_run(&t, &lim, c_trickle);
	assert_string_equal(t.out[0], "0");   /* closed, nothing sent */
	/* About 4 bytes went out before the close; 200 (10 s) would mean the
	 * trickle kept pushing the deadline back. */
	assert_true(atoi(t.out[1]) < 100);
}

static void c_cap(struct t_ctx *t)
{
	int a = loop_client_connect(t->port), b = loop_client_connect(t->port);
	int c = loop_client_connect(t->port);
	char buf[64];

	/* The third is over the cap: closed without an answer (EOF). */
	snprintf(t->out[0], sizeof(t->out[0]), "%zu", t_read(c, buf, sizeof(buf), 0, 5000));
	loop_client_send(a, "GET / HTTP/1.1\r\n\r\n");
	t_read_response(a, t->out[1], sizeof(t->out[1]));
	close(a);
	close(b);
	close(c);
}

static void test_connection_cap(void **state)
{
	struct httpd_limits lim = { .max_conns = 2 };
	struct t_ctx t;

	(void)state;
	t_run(&t, &lim, c_cap);
	assert_string_equal(t.out[0], "0");
	assert_non_null(strstr(t.out[1], "HTTP/1.1 200 OK"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_pipelined_head_close),
		cmocka_unit_test(test_bad_request),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_connection_cap),
		cmocka_unit_test(test_head_timeout_from_first_byte),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_client_leaves),
		cmocka_unit_test(test_stream_server_freed),
		cmocka_unit_test(test_unix_listener),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_path_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
