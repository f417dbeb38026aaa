/* Unit tests for apiserver/api_http*.c and api_ws.c: keep-alive,
 * pipelining, request bodies (Content-Length, chunked, Expect), the
 * transport's own errors (400, 413, 431, 500), timeouts, the connection
 * cap, chunked streams (in order with pipelined requests, peer leaving, a
 * reader that never reads), WebSocket (handshake, masked and fragmented
 * messages, 16- and 64-bit lengths, ping, close from either side, protocol
 * errors), the Unix socket listener and query decoding. The server runs
 * on the test's event loop; a client thread drives it with raw sockets
 * over loopback and a Unix socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api_http.h"
#include "api_ws.h"
#include "buf.h"
#include "httpd.h"
#include "loop_client.h"

#define T_RFC_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define T_RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define T_BIG (4u << 20)

struct t_ctx {
	struct ev_loop *loop;
	struct api_http *srv;
	int port;
	char dir[64];
	char sock_path[128];
	void (*client)(struct t_ctx *);
	/* server side, written on the loop */
	int requests;
	bool saw_local, saw_tcp;
	char last_ua[64];
	struct api_http_conn *streaming;
	int stream_step;
	int flood_writes, flood_rc;
	int ws_msgs;
	atomic_int closes;
	/* client side */
	int keep_fd;          /* left open for the test to close after free */
	bool ok[8];
	char out[8][8192];
};

/* ---- the server's handler ----------------------------------------------------- */

static void t_on_close(struct api_http_conn *c, void *data)
{
	struct t_ctx *t = data;

	(void)c;
	if (t->streaming == c)
		t->streaming = NULL;
	atomic_fetch_add(&t->closes, 1);
}

static void t_stream_step(struct ev_loop *loop, uint64_t id, void *data)
{
	struct t_ctx *t = data;
	static const char *const words[] = { "two\n", "three\n" };

	(void)id;
	if (!t->streaming)
		return;
	if (t->stream_step < 2) {
		api_http_stream_write(t->streaming, words[t->stream_step],
				      strlen(words[t->stream_step]));
		t->stream_step++;
		ev_timer_add(loop, 20, t_stream_step, t);
		return;
	}
	api_http_stream_end(t->streaming);
	t->streaming = NULL;
}

static void t_ws_msg(struct api_http_conn *c, bool binary, const char *data, size_t len,
		     void *cbdata)
{
	struct t_ctx *t = cbdata;

	t->ws_msgs++;
	if (len == 3 && memcmp(data, "bye", 3) == 0) {
		api_ws_close(c, 1000);
		return;
	}
	api_ws_send(c, binary, data, len);
}

static void t_raw_resume(struct ev_loop *loop, uint64_t id, void *data)
{
	(void)loop;
	(void)id;
	api_http_pause_input(data, false);
}

/* The raw protocol of the tests: lines, each echoed; "pause" holds the
 * input for 50 ms, "close" ends the connection, "bad" is an error. */
static size_t t_raw_data(struct api_http_conn *c, const char *data, size_t len, void *cbdata)
{
	struct t_ctx *t = cbdata;
	const char *nl = memchr(data, '\n', len);
	size_t n;

	if (!nl)
		return 0;
	n = (size_t)(nl - data) + 1;
	if (n == 4 && memcmp(data, "bad\n", 4) == 0)
		return len + 1;
	api_http_raw_send(c, data, n);
	if (n == 6 && memcmp(data, "pause\n", 6) == 0) {
		api_http_pause_input(c, true);
		ev_timer_add(t->loop, 50, t_raw_resume, c);
	} else if (n == 6 && memcmp(data, "close\n", 6) == 0) {
		api_http_raw_close(c);
	}
	return n;
}

/* /later's answer, from the loop; not if its client left meanwhile. */
static void t_answer_later(struct ev_loop *loop, uint64_t id, void *data)
{
	struct t_ctx *t = data;

	(void)loop;
	(void)id;
	if (t->streaming)
		api_http_respond(t->streaming, 200, "text/plain", NULL, "later", 5);
	t->streaming = NULL;
}

static void t_handler(struct api_http_conn *c, const struct api_http_req *req, void *data)
{
	struct t_ctx *t = data;
	struct buf b = BUF_INIT;

	t->requests++;
	if (req->local_socket)
		t->saw_local = true;
	else
		t->saw_tcp = true;
	snprintf(t->last_ua, sizeof(t->last_ua), "%s", req->user_agent);
	if (strcmp(req->path, "/stream") == 0) {
		api_http_stream_start(c, 200, "application/json");
		api_http_on_close(c, t_on_close, t);
		api_http_stream_write(c, "one\n", 4);
		t->streaming = c;
		t->stream_step = 0;
		ev_timer_add(t->loop, 20, t_stream_step, t);
	} else if (strcmp(req->path, "/hold") == 0) {
		api_http_stream_start(c, 200, "application/json");
		api_http_on_close(c, t_on_close, t);
		api_http_stream_write(c, "first\n", 6);
		/* A zero-length write must not end the stream. */
		api_http_stream_write(c, "", 0);
	} else if (strcmp(req->path, "/flood") == 0) {
		char *mb = malloc(1u << 20);

		assert_non_null(mb);
		memset(mb, 'f', 1u << 20);
		api_http_stream_start(c, 200, "application/json");
		api_http_on_close(c, t_on_close, t);
		for (t->flood_writes = 0; t->flood_writes < 200; t->flood_writes++) {
			t->flood_rc = api_http_stream_write(c, mb, 1u << 20);
			if (t->flood_rc < 0)
				break;
		}
		/* Once cut, the connection takes nothing more. */
		assert_int_equal(api_http_stream_write(c, "x", 1), -1);
		free(mb);
	} else if (strcmp(req->path, "/ws") == 0) {
		if (api_ws_accept(c, "v5.channel.k8s.io", t_ws_msg, t) == 0) {
			api_http_on_close(c, t_on_close, t);
			api_ws_send(c, false, "hello", 5);
		}
	} else if (strcmp(req->path, "/raw") == 0) {
		buf_printf(&b, "X-Stream-Protocol-Version: %s\r\n", req->stream_protocols);
		if (api_http_raw_accept(c, "SPDY/3.1", b.data, t_raw_data, t) == 0)
			api_http_on_close(c, t_on_close, t);
	} else if (strcmp(req->path, "/warn") == 0) {
		api_http_add_header(c, "Warning", "299 - \"one\"");
		api_http_add_header(c, "Warning", "299 - \"two\"\r\nX-Injected: no");
		api_http_respond(c, 200, "text/plain", NULL, "ok", 2);
	} else if (strcmp(req->path, "/later") == 0 || strcmp(req->path, "/never") == 0) {
		api_http_defer(c);
		api_http_on_close(c, t_on_close, t);
		t->streaming = c;
		if (strcmp(req->path, "/later") == 0)
			ev_timer_add(t->loop, 20, t_answer_later, t);
	} else if (strcmp(req->path, "/noanswer") == 0) {
		/* the transport answers 500 */
	} else if (strcmp(req->path, "/empty") == 0) {
		api_http_respond(c, 204, NULL, NULL, NULL, 0);
	} else if (strcmp(req->path, "/big") == 0) {
		char *big = malloc(T_BIG);

		assert_non_null(big);
		memset(big, 'b', T_BIG);
		api_http_respond(c, 200, "text/plain", NULL, big, T_BIG);
		free(big);
	} else {
		buf_printf(&b, "{\"method\":\"%s\",\"path\":\"%s\",\"query\":\"%s\","
			       "\"accept\":\"%s\",\"ctype\":\"%s\",\"len\":%zu,\"body\":\"%s\"}",
			   req->method, req->path, req->query, req->accept, req->content_type,
			   req->body_len, req->body);
		api_http_respond(c, strcmp(req->path, "/missing") == 0 ? 404 : 200,
				 "application/json", "X-Test: yes\r\n", b.data, b.len);
		/* A second answer is ignored. */
		api_http_respond(c, 500, "text/plain", NULL, "no", 2);
	}
	buf_free(&b);
}

/* ---- client helpers ------------------------------------------------------------ */

static int t_connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Exactly n bytes within 5 s (a loaded machine runs the loop late). */
static bool t_recv_n(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, 5000) <= 0)
			return false;
		r = recv(fd, p + got, n - got, 0);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* Reads up to the blank line ending a response head, not a byte more. */
static bool t_read_head(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	while (n + 1 < cap) {
		if (!t_recv_n(fd, buf + n, 1))
			return false;
		buf[++n] = '\0';
		if (n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0)
			return true;
	}
	return false;
}

/* One whole response: head and its Content-Length or chunked body. */
static bool t_read_response(int fd, char *buf, size_t cap, bool head_only)
{
	const char *cl;
	size_t n;

	if (!t_read_head(fd, buf, cap))
		return false;
	n = strlen(buf);
	if (head_only)
		return true;
	cl = strstr(buf, "Content-Length: ");
	if (cl) {
		size_t len = strtoul(cl + 16, NULL, 10);

		if (n + len + 1 > cap || !t_recv_n(fd, buf + n, len))
			return false;
		buf[n + len] = '\0';
		return true;
	}
	if (strstr(buf, "Transfer-Encoding: chunked")) {
		while (n + 1 < cap) {
			if (!t_recv_n(fd, buf + n, 1))
				return false;
			buf[++n] = '\0';
			if (n >= 5 && memcmp(buf + n - 5, "0\r\n\r\n", 5) == 0)
				return true;
		}
		return false;
	}
	return true;
}

/* true if the server closes the connection within ms. */
static bool t_wait_eof(int fd, int ms)
{
	char junk[4096];

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, ms) <= 0)
			return false;
		r = recv(fd, junk, sizeof(junk), 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return true;
		if (r < 0)
			return false;
	}
}

static bool t_wait_closes(struct t_ctx *t, int n)
{
	for (int i = 0; i < 500; i++) {
		if (atomic_load(&t->closes) >= n)
			return true;
		usleep(10000);
	}
	return false;
}

/* A client frame: always masked (RFC 6455 5.3). */
static void t_ws_send(int fd, unsigned op, bool fin, const void *data, size_t len)
{
	static const unsigned char mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	unsigned char *f = malloc(len + 14);
	const unsigned char *d = data;
	size_t n = 0;

	assert_non_null(f);
	f[n++] = (unsigned char)((fin ? 0x80u : 0u) | op);
	if (len < 126) {
		f[n++] = (unsigned char)(0x80u | len);
	} else if (len <= 0xffff) {
		f[n++] = 0x80 | 126;
		f[n++] = (unsigned char)(len >> 8);
		f[n++] = (unsigned char)len;
	} else {
		f[n++] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			f[n++] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	}
	memcpy(f + n, mask, 4);
	n += 4;
	for (size_t i = 0; i < len; i++)
		f[n + i] = d[i] ^ mask[i & 3];
	loop_client_send_n(fd, f, n + len);
	free(f);
}

/* A server frame: returns its payload length (-1 on error); *op gets the
 * opcode with the FIN bit, *len7 the 7-bit length field. */
static long t_ws_read(int fd, unsigned *op, unsigned *len7, unsigned char *buf, size_t cap)
{
	unsigned char h[10];
	uint64_t len;

	if (!t_recv_n(fd, h, 2) || (h[1] & 0x80))
		return -1;
	*op = h[0];
	*len7 = h[1] & 0x7f;
	len = h[1] & 0x7f;
	if (len == 126) {
		if (!t_recv_n(fd, h + 2, 2))
			return -1;
		len = (uint64_t)h[2] << 8 | h[3];
	} else if (len == 127) {
		if (!t_recv_n(fd, h + 2, 8))
			return -1;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | h[2 + i];
	}
	if (len > cap || !t_recv_n(fd, buf, (size_t)len))
		return -1;
	return (long)len;
}

/* ---- running a server ---------------------------------------------------------- */

static void t_client_main(void *arg)
{
	struct t_ctx *t = arg;

	t->client(t);
}

static void t_start(struct t_ctx *t, const struct api_http_limits *lim)
{
	char err[256];

	memset(t, 0, sizeof(*t));
	t->keep_fd = -1;
	t->loop = ev_loop_new();
	assert_non_null(t->loop);
	t->srv = api_http_new(t->loop, lim, t_handler, t);
	assert_non_null(t->srv);
	assert_int_equal(api_http_listen_tcp(t->srv, "127.0.0.1", 0, err, sizeof(err)), 0);
	t->port = api_http_tcp_port(t->srv);
	assert_true(t->port > 0);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_api_http.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->sock_path, sizeof(t->sock_path), "%s/api.sock", t->dir);
	assert_int_equal(api_http_listen_unix(t->srv, t->sock_path, err, sizeof(err)), 0);
}

static void t_finish(struct t_ctx *t)
{
	api_http_free(t->srv);
	/* The socket file goes with the server. */
	assert_int_equal(access(t->sock_path, F_OK), -1);
	rmdir(t->dir);
	ev_loop_free(t->loop);
	if (t->keep_fd >= 0)
		close(t->keep_fd);
}

static void t_run(struct t_ctx *t, const struct api_http_limits *lim,
		  void (*client)(struct t_ctx *))
{
	t_start(t, lim);
	t->client = client;
	loop_client_run(t->loop, t_client_main, t);
	t_finish(t);
}

/* ---- plain requests --------------------------------------------------------------- */

static void c_keepalive(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nACCEPT: application/json\r\n"
			     "User-Agent: kubectl/v1.30\r\n\r\n");
	t->ok[0] = t_read_response(fd, t->out[0], sizeof(t->out[0]), false);
	loop_client_send(fd, "GET /api/v1/namespaces/a%20b/pods?limit=500&labelSelector=app%3Dweb "
			     "HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[1] = t_read_response(fd, t->out[1], sizeof(t->out[1]), false);
	close(fd);
}

static void test_keepalive(void **state)
{
	struct t_ctx t;
	const char *date;

	(void)state;
	t_run(&t, NULL, c_keepalive);
	assert_true(t.ok[0] && t.ok[1]);
	assert_int_equal(t.requests, 2);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(t.out[0], "Content-Type: application/json\r\n"));
	assert_non_null(strstr(t.out[0], "X-Test: yes\r\n"));
	assert_non_null(strstr(t.out[0], "\"path\":\"/api/v1/pods\""));
	assert_non_null(strstr(t.out[0], "\"accept\":\"application/json\""));
	assert_null(strstr(t.out[0], "Connection: close"));
	assert_string_equal(t.last_ua, "");
	/* Date: IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". */
	date = strstr(t.out[0], "\r\nDate: ");
	assert_non_null(date);
	date += 8;
	assert_int_equal(strcspn(date, "\r"), 29);
	assert_true(date[3] == ',' && date[4] == ' ' && date[7] == ' ' && date[11] == ' ');
	assert_memory_equal(date + 25, " GMT", 4);
	/* The second request on the same connection: decoded path, raw query. */
	assert_non_null(strstr(t.out[1], "\"path\":\"/api/v1/namespaces/a b/pods\""));
	assert_non_null(strstr(t.out[1], "\"query\":\"limit=500&labelSelector=app%3Dweb\""));
	assert_true(t.saw_tcp && !t.saw_local);
}

static void c_pipelined(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
			     "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
			     "GET /empty HTTP/1.1\r\nHost: x\r\n"
			     "Connection: close\r\n\r\n");
	t->ok[0] = t_read_response(fd, t->out[0], sizeof(t->out[0]), false);
	t->ok[1] = t_read_response(fd, t->out[1], sizeof(t->out[1]), true);
	t->ok[2] = t_read_response(fd, t->out[2], sizeof(t->out[2]), false);
	t->ok[3] = t_read_response(fd, t->out[3], sizeof(t->out[3]), false);
	t->ok[4] = t_wait_eof(fd, 5000);
	close(fd);
}

static void test_pipelined(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_pipelined);
	assert_true(t.ok[0] && t.ok[1] && t.ok[2] && t.ok[3]);
	assert_non_null(strstr(t.out[0], "\"path\":\"/a\""));
	/* HEAD: the length of the body it would have, and no body. */
	assert_non_null(strstr(t.out[1], "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(t.out[1], "Content-Length: "));
	assert_non_null(strstr(t.out[2], "HTTP/1.1 404 Not Found\r\n"));
	assert_non_null(strstr(t.out[2], "\"method\":\"GET\",\"path\":\"/missing\""));
	assert_non_null(strstr(t.out[3], "HTTP/1.1 204 No Content\r\n"));
	assert_null(strstr(t.out[3], "Content-Length"));
	assert_non_null(strstr(t.out[3], "Connection: close\r\n"));
	assert_true(t.ok[4]);
	assert_int_equal(t.requests, 4);
}

static void c_bodies(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);
	char head[512];

	loop_client_send(fd, "POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n"
			     "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n"
			     "{\"kind\":\"Ns\"}");
	t->ok[0] = t_read_response(fd, t->out[0], sizeof(t->out[0]), false);
	loop_client_send(fd, "PATCH /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
			     "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n");
	t->ok[1] = t_read_response(fd, t->out[1], sizeof(t->out[1]), false);
	/* Expect: 100-continue gets its interim answer before the body. */
	loop_client_send(fd, "PUT /q HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
			     "Content-Length: 5\r\n\r\n");
	t->ok[2] = t_read_head(fd, head, sizeof(head)) &&
		   strcmp(head, "HTTP/1.1 100 Continue\r\n\r\n") == 0;
	loop_client_send(fd, "hello");
	t->ok[3] = t_read_response(fd, t->out[3], sizeof(t->out[3]), false);
	close(fd);
}

static void test_bodies(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_bodies);
	assert_true(t.ok[0] && t.ok[1] && t.ok[2] && t.ok[3]);
	assert_non_null(strstr(t.out[0], "\"method\":\"POST\""));
	assert_non_null(strstr(t.out[0], "\"ctype\":\"application/json\",\"len\":13,"
					 "\"body\":\"{\"kind\":\"Ns\"}\""));
	assert_non_null(strstr(t.out[1], "\"method\":\"PATCH\""));
	assert_non_null(strstr(t.out[1], "\"len\":9,\"body\":\"Wikipedia\""));
	assert_non_null(strstr(t.out[3], "\"len\":5,\"body\":\"hello\""));
}

/* ---- the transport's own errors --------------------------------------------------- */

static void c_errors(struct t_ctx *t)
{
	static const char *const reqs[] = {
		/* declared too large: refused before the body is sent */
		"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n",
		/* chunked, passing the limit on the way */
		"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		"300\r\n",
		"GARBAGE\r\n\r\n",
		"GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n",
		NULL, /* 431, built below */
		"GET /noanswer HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /x HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
	};
	char big[2048];

	snprintf(big, sizeof(big), "GET /x HTTP/1.1\r\nHost: x\r\nX-Big: %01500d\r\n\r\n", 7);
	for (int i = 0; i < 8; i++) {
		int fd = loop_client_connect(t->port);

		loop_client_send(fd, reqs[i] ? reqs[i] : big);
		if (i == 1) {
			char chunk[0x300];

			memset(chunk, 'c', sizeof(chunk));
			loop_client_send_n(fd, chunk, sizeof(chunk));
			loop_client_send(fd, "\r\n300\r\n");
			loop_client_send_n(fd, chunk, sizeof(chunk));
		}
		t->ok[i] = t_read_response(fd, t->out[i], sizeof(t->out[i]), false) &&
			   strstr(t->out[i], "Connection: close\r\n") && t_wait_eof(fd, 5000);
		close(fd);
	}
}

static void test_errors(void **state)
{
	struct api_http_limits lim = { .max_body = 1024, .max_head = 1024 };
	struct t_ctx t;

	(void)state;
	t_run(&t, &lim, c_errors);
	for (int i = 0; i < 8; i++)
		assert_true(t.ok[i]);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 413 Request Entity Too Large\r\n"));
	assert_non_null(strstr(t.out[0], "\"kind\":\"Status\""));
	assert_non_null(strstr(t.out[0], "\"reason\":\"RequestEntityTooLarge\",\"code\":413"));
	assert_non_null(strstr(t.out[1], "HTTP/1.1 413 "));
	assert_non_null(strstr(t.out[2], "HTTP/1.1 400 Bad Request\r\n"));
	assert_non_null(strstr(t.out[2], "\"reason\":\"BadRequest\""));
	assert_non_null(strstr(t.out[3], "HTTP/1.1 400 "));
	assert_non_null(strstr(t.out[4], "HTTP/1.1 400 "));
	assert_non_null(strstr(t.out[5], "HTTP/1.1 431 Request Header Fields Too Large\r\n"));
	assert_non_null(strstr(t.out[6], "HTTP/1.1 500 Internal Server Error\r\n"));
	assert_non_null(strstr(t.out[6], "\"code\":500"));
	assert_non_null(strstr(t.out[7], "HTTP/1.1 400 "));
	/* Only /noanswer reached the handler. */
	assert_int_equal(t.requests, 1);
}

static void c_http10(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /old HTTP/1.0\r\n\r\n");
	t->ok[0] = t_read_response(fd, t->out[0], sizeof(t->out[0]), false) && t_wait_eof(fd, 5000);
	close(fd);
	fd = loop_client_connect(t->port);
	loop_client_send(fd, "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	t->ok[1] = t_read_response(fd, t->out[1], sizeof(t->out[1]), false);
	loop_client_send(fd, "GET /again HTTP/1.0\r\n\r\n");
	t->ok[2] = t_read_response(fd, t->out[2], sizeof(t->out[2]), false) && t_wait_eof(fd, 5000);
	close(fd);
	/* A client that shuts its side after sending still gets its answers. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, "GET /h1 HTTP/1.1\r\nHost: x\r\n\r\n"
			     "GET /h2 HTTP/1.1\r\nHost: x\r\n\r\n");
	shutdown(fd, SHUT_WR);
	t->ok[3] = t_read_response(fd, t->out[3], sizeof(t->out[3]), false) &&
		   t_read_response(fd, t->out[4], sizeof(t->out[4]), false) && t_wait_eof(fd, 5000);
	close(fd);
}

static void test_http10_and_half_close(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_http10);
	assert_true(t.ok[0] && t.ok[1] && t.ok[2] && t.ok[3]);
	assert_non_null(strstr(t.out[0], "Connection: close\r\n"));
	assert_non_null(strstr(t.out[1], "Connection: keep-alive\r\n"));
	assert_non_null(strstr(t.out[2], "\"path\":\"/again\""));
	assert_non_null(strstr(t.out[3], "\"path\":\"/h1\""));
	assert_non_null(strstr(t.out[4], "\"path\":\"/h2\""));
}

/* true if the connection is still open after ms (nothing arrives). */
static bool t_still_open(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	return poll(&pfd, 1, ms) == 0;
}

static void c_head_timeout(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	/* A head that never ends. */
	loop_client_send(fd, "GET / HTTP/1.1\r\nHost: x\r\n");
	t->ok[0] = t_wait_eof(fd, 5000);
	close(fd);
	/* Trickling does not extend the head timeout. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, "GET / HTTP/1.1\r\nX-Slow: ");
	t->ok[1] = true;
	for (int i = 0; i < 20 && t->ok[1]; i++) {
		loop_client_send(fd, "a");
		t->ok[1] = t_still_open(fd, 30);
	}
	t->ok[1] = !t->ok[1] && t_wait_eof(fd, 5000);
	close(fd);
	/* A connection between requests has the (long) idle timeout. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[2] = t_read_response(fd, t->out[2], sizeof(t->out[2]), false) &&
		   t_still_open(fd, 500);
	close(fd);
}

static void c_idle_timeout(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[0] = t_read_response(fd, t->out[0], sizeof(t->out[0]), false) && t_wait_eof(fd, 5000);
	close(fd);
	/* A request under way has the (long) head timeout. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, "GET / HTTP/1.1\r\n");
	t->ok[1] = t_still_open(fd, 500);
	close(fd);
}

static void test_timeouts(void **state)
{
	struct api_http_limits head = { .head_timeout_ms = 150, .idle_timeout_ms = 60000 };
	struct api_http_limits idle = { .head_timeout_ms = 60000, .idle_timeout_ms = 150 };
	struct t_ctx t;

	(void)state;
	t_run(&t, &head, c_head_timeout);
	assert_true(t.ok[0]);
	assert_true(t.ok[1]);
	assert_true(t.ok[2]);
	t_run(&t, &idle, c_idle_timeout);
	assert_true(t.ok[0]);
	assert_true(t.ok[1]);
}

static void c_max_conns(struct t_ctx *t)
{
	int a = loop_client_connect(t->port), b;

	loop_client_send(a, "GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[0] = t_read_response(a, t->out[0], sizeof(t->out[0]), false);
	b = loop_client_connect(t->port);
	t->ok[1] = b >= 0 && t_wait_eof(b, 5000);
	if (b >= 0)
		close(b);
	loop_client_send(a, "GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[2] = t_read_response(a, t->out[2], sizeof(t->out[2]), false);
	close(a);
}

static void test_max_conns(void **state)
{
	struct api_http_limits lim = { .max_conns = 1 };
	struct t_ctx t;

	(void)state;
	t_run(&t, &lim, c_max_conns);
	assert_true(t.ok[0] && t.ok[1] && t.ok[2]);
	assert_non_null(strstr(t.out[2], "\"path\":\"/two\""));
	assert_int_equal(t.requests, 2);
}

static void c_big(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);
	char *body = malloc(T_BIG);
	size_t n;

	assert_non_null(body);
	loop_client_send(fd, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n"
			     "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
	/* Let the server fill the socket and wait for EPOLLOUT. */
	usleep(200000);
	t->ok[0] = t_read_head(fd, t->out[0], sizeof(t->out[0]));
	t->ok[1] = t_recv_n(fd, body, T_BIG);
	n = 0;
	while (n < T_BIG && body[n] == 'b')
		n++;
	t->ok[2] = n == T_BIG;
	t->ok[3] = t_read_response(fd, t->out[3], sizeof(t->out[3]), false);
	free(body);
	close(fd);
}

static void test_big_response_slow_reader(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_big);
	assert_true(t.ok[0] && t.ok[1] && t.ok[2] && t.ok[3]);
	assert_non_null(strstr(t.out[0], "Content-Length: 4194304\r\n"));
	assert_non_null(strstr(t.out[3], "\"path\":\"/after\""));
}

/* ---- streams ------------------------------------------------------------------- */

static void c_stream(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	/* The second request is pipelined behind the stream and must wait. */
	loop_client_send(fd, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"
			     "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[0] = t_read_response(fd, t->out[0], sizeof(t->out[0]), false);
	t->ok[1] = t_read_response(fd, t->out[1], sizeof(t->out[1]), false);
	loop_client_send(fd, "GET /last HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[2] = t_read_response(fd, t->out[2], sizeof(t->out[2]), false);
	close(fd);
}

static void test_stream(void **state)
{
	struct t_ctx t;
	const char *body;

	(void)state;
	t_run(&t, NULL, c_stream);
	assert_true(t.ok[0] && t.ok[1] && t.ok[2]);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(t.out[0], "Transfer-Encoding: chunked\r\n"));
	assert_null(strstr(t.out[0], "Content-Length"));
	body = strstr(t.out[0], "\r\n\r\n");
	assert_non_null(body);
	assert_string_equal(body + 4, "4\r\none\n\r\n4\r\ntwo\n\r\n6\r\nthree\n\r\n0\r\n\r\n");
	assert_non_null(strstr(t.out[1], "\"path\":\"/next\""));
	assert_non_null(strstr(t.out[2], "\"path\":\"/last\""));
	/* Ended by the handler: no close callback. */
	assert_int_equal(atomic_load(&t.closes), 0);
	assert_int_equal(t.requests, 3);
}

static void c_stream_closing(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	/* A stream asked for with Connection: close ends, then the connection. */
	loop_client_send(fd, "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	t->ok[0] = t_read_response(fd, t->out[0], sizeof(t->out[0]), false) &&
		   t_wait_eof(fd, 5000);
	close(fd);
	/* HTTP/1.0 has no chunks: the body runs to the close. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, "GET /stream HTTP/1.0\r\n\r\n");
	t->ok[1] = t_read_head(fd, t->out[1], sizeof(t->out[1])) &&
		   t_recv_n(fd, t->out[2], 14) && t_wait_eof(fd, 5000);
	t->out[2][14] = '\0';
	close(fd);
}

static void test_stream_closing(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_stream_closing);
	assert_true(t.ok[0]);
	assert_true(t.ok[1]);
	assert_non_null(strstr(t.out[0], "Connection: close\r\n"));
	assert_non_null(strstr(t.out[0], "\r\n\r\n4\r\none\n\r\n4\r\ntwo\n\r\n"
					 "6\r\nthree\n\r\n0\r\n\r\n"));
	assert_null(strstr(t.out[1], "Transfer-Encoding"));
	assert_non_null(strstr(t.out[1], "Connection: close\r\n"));
	assert_string_equal(t.out[2], "one\ntwo\nthree\n");
	assert_int_equal(atomic_load(&t.closes), 0);
}

static void c_stream_peer_close(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[0] = t_read_head(fd, t->out[0], sizeof(t->out[0]));
	t->ok[1] = t_recv_n(fd, t->out[1], 11) && memcmp(t->out[1], "6\r\nfirst\n\r\n", 11) == 0;
	close(fd);
	t->ok[2] = t_wait_closes(t, 1);
	/* A stream left open is closed by api_http_free (callback included). */
	t->keep_fd = t_connect_unix(t->sock_path);
	loop_client_send(t->keep_fd, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[3] = t_read_head(t->keep_fd, t->out[3], sizeof(t->out[3]));
}

static void test_stream_peer_close(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_stream_peer_close);
	assert_true(t.ok[0] && t.ok[1] && t.ok[2] && t.ok[3]);
	/* Once for the peer that left, once for the server's end. */
	assert_int_equal(atomic_load(&t.closes), 2);
}

/* A deferred answer comes in its turn, and the connection serves the
 * next request after it; a client that leaves while the answer is pending
 * is seen to leave. */
static void c_deferred(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /later HTTP/1.1\r\nHost: x\r\n\r\n"
			     "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[0] = t_read_head(fd, t->out[0], sizeof(t->out[0])) && t_recv_n(fd, t->out[1], 5);
	t->ok[1] = t_read_head(fd, t->out[2], sizeof(t->out[2]));
	close(fd);
	fd = loop_client_connect(t->port);
	/* Sent and left at once: the server reads the request, defers it,
	 * then reads the end. */
	loop_client_send(fd, "GET /never HTTP/1.1\r\nHost: x\r\n\r\n");
	close(fd);
	t->ok[2] = t_wait_closes(t, 1);
}

static void test_deferred(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_deferred);
	assert_true(t.ok[0] && t.ok[1] && t.ok[2]);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(t.out[0], "Content-Length: 5\r\n"));
	assert_memory_equal(t.out[1], "later", 5);
	assert_non_null(strstr(t.out[2], "HTTP/1.1 200 OK\r\n"));
	/* Only the client that left while its answer was pending. */
	assert_int_equal(atomic_load(&t.closes), 1);
}

static void c_flood(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);

	loop_client_send(fd, "GET /flood HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[0] = t_wait_closes(t, 1);
	t->ok[1] = t_wait_eof(fd, 5000);
	close(fd);
}

static void test_stream_cut(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_flood);
	assert_true(t.ok[0]);
	assert_true(t.ok[1]);
	assert_int_equal(t.flood_rc, -1);
	/* 16 MiB queued, plus what the socket buffers took. */
	assert_true(t.flood_writes >= 16 && t.flood_writes < 200);
	assert_int_equal(atomic_load(&t.closes), 1);
}

/* ---- WebSocket ----------------------------------------------------------------- */

static const char t_ws_upgrade[] =
	"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	"Sec-WebSocket-Key: " T_RFC_KEY "\r\nSec-WebSocket-Version: 13\r\n"
	"Sec-WebSocket-Protocol: v4.channel.k8s.io\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n"
	"\r\n";

static void c_ws(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);
	unsigned char *big = malloc(70000), *in = malloc(70000);
	unsigned char msg[300];
	unsigned op, len7;
	long n;

	assert_non_null(big);
	assert_non_null(in);
	/* A ping already behind the upgrade request, in the same segment. */
	loop_client_send(fd, t_ws_upgrade);
	t_ws_send(fd, 9, true, "p0", 2);
	t->ok[0] = t_read_head(fd, t->out[0], sizeof(t->out[0]));
	n = t_ws_read(fd, &op, &len7, in, 70000);
	t->ok[1] = n == 5 && op == 0x81 && memcmp(in, "hello", 5) == 0;
	n = t_ws_read(fd, &op, &len7, in, 70000);
	t->ok[1] = t->ok[1] && n == 2 && op == 0x8a && memcmp(in, "p0", 2) == 0;

	/* A masked binary message with a 16-bit length. */
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)i;
	t_ws_send(fd, 2, true, msg, sizeof(msg));
	n = t_ws_read(fd, &op, &len7, in, 70000);
	t->ok[2] = n == 300 && op == 0x82 && len7 == 126 && memcmp(in, msg, 300) == 0;

	/* Fragments, with a ping between them, join into one message. */
	t_ws_send(fd, 1, false, "frag", 4);
	t_ws_send(fd, 9, true, "p1", 2);
	t_ws_send(fd, 0, true, "mented", 6);
	n = t_ws_read(fd, &op, &len7, in, 70000);
	t->ok[3] = n == 2 && op == 0x8a && memcmp(in, "p1", 2) == 0;
	n = t_ws_read(fd, &op, &len7, in, 70000);
	t->ok[3] = t->ok[3] && n == 10 && op == 0x81 && memcmp(in, "fragmented", 10) == 0;

	/* A 64-bit length each way. */
	for (size_t i = 0; i < 70000; i++)
		big[i] = (unsigned char)(i * 7);
	t_ws_send(fd, 2, true, big, 70000);
	n = t_ws_read(fd, &op, &len7, in, 70000);
	t->ok[4] = n == 70000 && op == 0x82 && len7 == 127 && memcmp(in, big, 70000) == 0;

	/* The client closes: the server echoes the code and hangs up. */
	t_ws_send(fd, 8, true, "\x03\xe8", 2);
	n = t_ws_read(fd, &op, &len7, in, 70000);
	t->ok[5] = n == 2 && op == 0x88 && in[0] == 0x03 && in[1] == 0xe8 && t_wait_eof(fd, 5000);
	close(fd);
	t->ok[6] = t_wait_closes(t, 1);
	free(big);
	free(in);
}

static void test_websocket(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_ws);
	assert_true(t.ok[0]);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 101 Switching Protocols\r\n"));
	assert_non_null(strstr(t.out[0], "Upgrade: websocket\r\n"));
	assert_non_null(strstr(t.out[0], "Connection: Upgrade\r\n"));
	assert_non_null(strstr(t.out[0], "Sec-WebSocket-Accept: " T_RFC_ACCEPT "\r\n"));
	assert_non_null(strstr(t.out[0], "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n"));
	assert_null(strstr(t.out[0], "Content-Length"));
	assert_true(t.ok[1]);
	assert_true(t.ok[2]);
	assert_true(t.ok[3]);
	assert_true(t.ok[4]);
	assert_true(t.ok[5]);
	assert_true(t.ok[6]);
	assert_int_equal(t.ws_msgs, 3);
	/* The peer ended it: the close callback ran, once. */
	assert_int_equal(atomic_load(&t.closes), 1);
}

static void c_ws_server_close(struct t_ctx *t)
{
	int fd = t_connect_unix(t->sock_path);
	unsigned char in[64];
	unsigned op, len7;
	long n;

	loop_client_send(fd, t_ws_upgrade);
	t->ok[0] = t_read_head(fd, t->out[0], sizeof(t->out[0])) &&
		   strstr(t->out[0], " 101 ") != NULL;
	n = t_ws_read(fd, &op, &len7, in, sizeof(in));
	t->ok[1] = n == 5;
	t_ws_send(fd, 2, true, "bye", 3);
	n = t_ws_read(fd, &op, &len7, in, sizeof(in));
	t->ok[2] = n == 2 && op == 0x88 && in[0] == 0x03 && in[1] == 0xe8;
	t_ws_send(fd, 8, true, "\x03\xe8", 2);
	t->ok[3] = t_wait_eof(fd, 5000);
	close(fd);

	/* Protocol errors: an unmasked frame gets a close with 1002. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, t_ws_upgrade);
	t_read_head(fd, t->out[4], sizeof(t->out[4]));
	t_ws_read(fd, &op, &len7, in, sizeof(in));
	loop_client_send_n(fd, "\x82\x01x", 3);
	n = t_ws_read(fd, &op, &len7, in, sizeof(in));
	t->ok[4] = n == 2 && op == 0x88 && in[0] == 0x03 && in[1] == 0xea && t_wait_eof(fd, 5000);
	close(fd);

	/* A bad key is no upgrade: 400. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
			     "Connection: Upgrade\r\n"
			     "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n");
	t->ok[5] = t_read_response(fd, t->out[5], sizeof(t->out[5]), false);
	close(fd);
	/* A plain GET to the WebSocket path: 400 too. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[6] = t_read_response(fd, t->out[6], sizeof(t->out[6]), false);
	close(fd);
	/* An upgrade the handler does not take: plain HTTP goes on. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, "GET /plain HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n"
			     "Connection: Upgrade\r\n\r\n"
			     "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[7] = t_read_response(fd, t->out[7], sizeof(t->out[7]), false) &&
		   t_read_response(fd, t->out[7], sizeof(t->out[7]), false);
	close(fd);
}

static void test_websocket_server_close_and_errors(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_ws_server_close);
	for (int i = 0; i < 8; i++)
		assert_true(t.ok[i]);
	assert_true(t.saw_local);
	assert_non_null(strstr(t.out[5], "HTTP/1.1 400 "));
	assert_non_null(strstr(t.out[6], "HTTP/1.1 400 "));
	assert_non_null(strstr(t.out[7], "\"path\":\"/after\""));
	/* The handler closed the first; the second died of a protocol error. */
	assert_int_equal(atomic_load(&t.closes), 1);
}

/* ---- Unix socket ----------------------------------------------------------------- */

static void c_unix(struct t_ctx *t)
{
	int fd = t_connect_unix(t->sock_path);

	t->ok[0] = fd >= 0;
	loop_client_send(fd, "GET /local HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[1] = t_read_response(fd, t->out[1], sizeof(t->out[1]), false);
	close(fd);
}

static const char t_raw_upgrade[] =
	"POST /raw HTTP/1.1\r\nHost: x\r\nUpgrade: SPDY/3.1\r\nConnection: Upgrade\r\n"
	"X-Stream-Protocol-Version: v4.channel.k8s.io\r\n"
	"X-Stream-Protocol-Version: v3.channel.k8s.io\r\n\r\n";

static void c_raw(struct t_ctx *t)
{
	int fd = loop_client_connect(t->port);
	char in[64];

	/* Bytes behind the request, half a line: kept for when more come. */
	loop_client_send(fd, t_raw_upgrade);
	loop_client_send(fd, "ab");
	t->ok[0] = t_read_head(fd, t->out[0], sizeof(t->out[0]));
	loop_client_send(fd, "c\n");
	t->ok[1] = t_recv_n(fd, in, 4) && memcmp(in, "abc\n", 4) == 0;
	/* Paused after the first line: the second waits, then comes. */
	loop_client_send(fd, "pause\nafter\n");
	t->ok[2] = t_recv_n(fd, in, 12) && memcmp(in, "pause\nafter\n", 12) == 0;
	/* The handler closes: what it sent arrives, then EOF, and the close
	 * callback does not run. */
	loop_client_send(fd, "close\n");
	t->ok[3] = t_recv_n(fd, in, 6) && memcmp(in, "close\n", 6) == 0 && t_wait_eof(fd, 5000);
	close(fd);

	/* A protocol error closes the connection; the close callback runs. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, t_raw_upgrade);
	t->ok[4] = t_read_head(fd, t->out[1], sizeof(t->out[1]));
	loop_client_send(fd, "bad\n");
	t->ok[5] = t_wait_eof(fd, 5000) && t_wait_closes(t, 1);
	close(fd);

	/* Extra headers of a plain response; a CR LF in a value ends it. */
	fd = loop_client_connect(t->port);
	loop_client_send(fd, "GET /warn HTTP/1.1\r\nHost: x\r\n\r\n");
	t->ok[6] = t_read_response(fd, t->out[2], sizeof(t->out[2]), false);
	close(fd);
}

static void test_raw_upgrade_and_headers(void **state)
{
	struct t_ctx t;

	(void)state;
	t_run(&t, NULL, c_raw);
	for (int i = 0; i < 7; i++)
		assert_true(t.ok[i]);
	assert_non_null(strstr(t.out[0], "HTTP/1.1 101 Switching Protocols\r\n"));
	assert_non_null(strstr(t.out[0], "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"));
	assert_non_null(strstr(t.out[0], "X-Stream-Protocol-Version: v4.channel.k8s.io, "
				       "v3.channel.k8s.io\r\n"));
	assert_null(strstr(t.out[0], "Content-Length"));
	assert_non_null(strstr(t.out[2], "Warning: 299 - \"one\"\r\nWarning: 299 - \"two\"\r\n"));
	assert_null(strstr(t.out[2], "X-Injected"));
	assert_int_equal(atomic_load(&t.closes), 1);
}

static void test_unix_socket(void **state)
{
	struct t_ctx t;
	struct stat st;
	char err[256], path[100];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	(void)state;
	t_start(&t, NULL);
	assert_int_equal(stat(t.sock_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	/* A live server's socket is not taken over. */
	assert_int_equal(api_http_listen_unix(t.srv, t.sock_path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "listening"));
	/* A file that is no socket is not removed. */
	snprintf(path, sizeof(path), "%s/file", t.dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(api_http_listen_unix(t.srv, path, err, sizeof(err)), -1);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
	/* A stale socket (nobody listening) is replaced. */
	snprintf(path, sizeof(path), "%s/stale.sock", t.dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(api_http_listen_unix(t.srv, path, err, sizeof(err)), 0);
	/* Bad TCP addresses. */
	assert_int_equal(api_http_listen_tcp(t.srv, "localhost", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "localhost"));
	assert_int_equal(api_http_listen_tcp(t.srv, "127.0.0.1", 70000, err, sizeof(err)), -1);
	assert_int_equal(api_http_listen_tcp(t.srv, "[::1]", 0, err, sizeof(err)) == 0 ||
			 strstr(err, "::1") != NULL, 1);
	/* The first TCP listener's port stays the one reported. */
	assert_int_equal(api_http_tcp_port(t.srv), t.port);

	t.client = c_unix;
	loop_client_run(t.loop, t_client_main, &t);
	t_finish(&t);
	assert_int_equal(access(path, F_OK), -1);
	assert_true(t.ok[0] && t.ok[1]);
	assert_non_null(strstr(t.out[1], "\"path\":\"/local\""));
	assert_true(t.saw_local && !t.saw_tcp);
}

/* ---- pure functions ----------------------------------------------------------- */

static void test_query_get(void **state)
{
	char out[64], small[4];
	const char *q = "limit=500&labelSelector=app%3Dweb%2Ctier+in+(a)&watch&x=%zz&"
			"fieldSelector=&a%62c=1&limit=9";

	(void)state;
	assert_string_equal(httpd_query_get(q, "limit", out, sizeof(out)), "500");
	assert_string_equal(httpd_query_get(q, "labelSelector", out, sizeof(out)),
			    "app=web,tier in (a)");
	assert_string_equal(httpd_query_get(q, "watch", out, sizeof(out)), "");
	assert_string_equal(httpd_query_get(q, "fieldSelector", out, sizeof(out)), "");
	/* A malformed escape stands for itself; keys are decoded too. */
	assert_string_equal(httpd_query_get(q, "x", out, sizeof(out)), "%zz");
	assert_string_equal(httpd_query_get(q, "abc", out, sizeof(out)), "1");
	assert_null(httpd_query_get(q, "lim", out, sizeof(out)));
	assert_null(httpd_query_get(q, "limit5", out, sizeof(out)));
	assert_null(httpd_query_get("", "a", out, sizeof(out)));
	assert_null(httpd_query_get(NULL, "a", out, sizeof(out)));
	assert_string_equal(httpd_query_get(q, "limit", small, sizeof(small)), "500");
	assert_string_equal(httpd_query_get("k=abcdef", "k", small, sizeof(small)), "abc");
	assert_string_equal(httpd_query_get("&&k=%41&", "k", out, sizeof(out)), "A");
}

static void test_accept_key_and_reasons(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(api_ws_accept_key(T_RFC_KEY, out, sizeof(out)), 0);
	assert_string_equal(out, T_RFC_ACCEPT);
	/* Another key, checked against an independent SHA-1 (coreutils sha1sum
	 * of the key and the GUID, then base64). */
	assert_int_equal(api_ws_accept_key("AQIDBAUGBwgJCgsMDQ4PEA==", out, sizeof(out)), 0);
	assert_string_equal(out, "C/0nmHhBztSRGR1CwL6Tf4ZjwpY=");
	assert_int_equal(api_ws_accept_key("short", out, sizeof(out)), -1);
	assert_int_equal(api_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ", out, sizeof(out)), -1);
	assert_int_equal(api_ws_accept_key("dGhlIHNhbXBsZSBub25j*Q==", out, sizeof(out)), -1);
	assert_int_equal(api_ws_accept_key(T_RFC_KEY, out, 28), -1);
	assert_string_equal(httpd_reason(201), "Created");
	assert_string_equal(httpd_reason(409), "Conflict");
	assert_string_equal(httpd_reason(422), "Unprocessable Entity");
	assert_string_equal(httpd_reason(429), "Too Many Requests");
	assert_string_equal(httpd_reason(101), "Switching Protocols");
	assert_string_equal(httpd_reason(799), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_http10_and_half_close),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_max_conns),
		cmocka_unit_test(test_big_response_slow_reader),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_closing),
		cmocka_unit_test(test_stream_peer_close),
		cmocka_unit_test(test_deferred),
		cmocka_unit_test(test_stream_cut),
		cmocka_unit_test(test_websocket),
		cmocka_unit_test(test_websocket_server_close_and_errors),
		cmocka_unit_test(test_raw_upgrade_and_headers),
		cmocka_unit_test(test_unix_socket),
		cmocka_unit_test(test_query_get),
		cmocka_unit_test(test_accept_key_and_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
