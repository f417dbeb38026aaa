/* Unit tests for echo/echo_conn.c, echo_conn_request.c and
 * echo_conn_answer.c: the request path of a connection, driven over a
 * socketpair without a running loop, so each test controls exactly how the
 * bytes arrive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "echo_server.h"
#include "sock.h"

struct h {
	struct echo_config cfg;
	struct echo_server srv;
	struct echo_worker w;
	struct echo_listener l;
	int fd;           /* the client's end */
	int server_fd;
	char out[1 << 20];
	size_t out_len;
	size_t out_total;   /* bytes received since h_connect */
};

static struct h *h_new(const char *const *args)
{
	struct h *h = calloc(1, sizeof(*h));
	char *argv[16] = { (char *)"clientip-echo" };
	int argc = 1;
	char err[256];

	assert_non_null(h);
	for (; args && *args; args++)
		argv[argc++] = (char *)*args;
	assert_int_equal(echo_config_parse(&h->cfg, argc, argv, NULL, stdout, err, sizeof(err)),
			 ECHO_CONFIG_RUN);
	snprintf(h->cfg.name, sizeof(h->cfg.name), "unit");
	h->srv.cfg = &h->cfg;
	h->srv.max_conns = 100;
	assert_int_equal(echo_worker_init(&h->w, &h->srv, 0), 0);
	h->l = (struct echo_listener){ .fd = -1, .conf = &h->cfg.listen[0], .w = &h->w };
	return h;
}

/* A connection from `peer` ("[::ffff:1.2.3.4]:5555"). */
static void h_connect(struct h *h, const char *peer)
{
	struct sockaddr_storage ss;
	int sv[2];

	assert_int_equal(sock_parse_addr(peer, &ss, NULL), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	h->fd = sv[1];
	h->server_fd = sv[0];
	h->out_len = 0;
	h->out_total = 0;
	atomic_fetch_add(&h->srv.nconns, 1);
	assert_int_equal(echo_worker_adopt(&h->w, sv[0], &ss, &h->l), 0);
}

static struct echo_conn *h_conn(struct h *h)
{
	for (int t = 0; t < ECHO_TMO_COUNT; t++) {
		if (h->w.head[t].next != &h->w.head[t])
			return h->w.head[t].next;
	}
	return NULL;
}

static bool h_open(struct h *h)
{
	return h->w.nconns > 0;
}

/* Lets the connection run as the loop would, and collects its output,
 * until neither side has anything more to say. */
static void h_pump(struct h *h)
{
	int idle = 0;

	while (idle < 2) {
		ssize_t n;

		if (h_open(h))
			echo_conn_on_io(h->w.loop, h->server_fd, EV_READ | EV_WRITE, h_conn(h));
		n = read(h->fd, h->out + h->out_len, sizeof(h->out) - 1 - h->out_len);
		if (n > 0) {
			h->out_len += (size_t)n;
			h->out_total += (size_t)n;
			idle = 0;
		} else {
			idle++;
		}
		h->out[h->out_len] = '\0';
	}
}

static void h_send(struct h *h, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(h->fd, p, len);

		if (n < 0 && errno == EAGAIN) {
			h_pump(h);
			continue;
		}
		if (n < 0) /* the server closed: the rest is lost, as on a network */
			break;
		p += n;
		len -= (size_t)n;
		h_pump(h);
	}
}

static void h_sends(struct h *h, const char *s)
{
	h_send(h, s, strlen(s));
}

/* Half-closes the client's side, as `printf ... | nc -N` would. */
static void h_shut(struct h *h)
{
	shutdown(h->fd, SHUT_WR);
	h_pump(h);
}

static void h_hangup(struct h *h)
{
	close(h->fd);
	h->fd = -1;
	if (h_open(h))
		echo_conn_on_io(h->w.loop, h->server_fd, EV_READ, h_conn(h));
}

static void h_free(struct h *h)
{
	if (h->fd >= 0)
		close(h->fd);
	echo_worker_fini(&h->w);
	free(h);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The body of the last answer in the output. */
static const char *last_body(struct h *h)
{
	const char *p = h->out, *b = NULL;

	while ((p = strstr(p, "\r\n\r\n")) != NULL) {
		b = p + 4;
		p += 4;
	}
	return b ? b : "";
}

static void test_get_default_answer(void **state)
{
	const char *head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n";
	struct h *h = h_new(NULL);
	const char *d;

	(void)state;
	h_connect(h, "[::ffff:198.51.100.10]:5555");
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	/* Byte for byte, around a date line such as
	 * "Date: Fri, 27 Nov 2026 08:30:58 GMT\r\n" (37 bytes). */
	if (strncmp(h->out, head, strlen(head)) != 0)
		fail_msg("got: %s", h->out);
	d = h->out + strlen(head);
	assert_int_equal(strncmp(d, "Date: ", 6), 0);
	assert_int_equal(strncmp(d + 31, " GMT\r\n", 6), 0);
	assert_string_equal(d + 37, "\r\n::ffff:198.51.100.10");
	assert_true(h_open(h));
	h_hangup(h);
	assert_false(h_open(h));
	h_free(h);
}

static void test_pipelining_in_one_write(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
		   "HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
		   "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
		   "GET /json HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(count(h->out, "HTTP/1.1 200 OK"), 4);
	assert_int_equal(count(h->out, "\r\n\r\n::ffff:1.2.3.4"), 2); /* GET and POST, not HEAD */
	assert_non_null(strstr(h->out, "\"url\":\"/json\""));
	assert_true(h_open(h));
	h_free(h);
}

static void test_byte_by_byte(void **state)
{
	struct h *h = h_new(NULL);
	const char *req = "GET /x HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 9.9.9.9\r\n\r\n"
			  "GET /y HTTP/1.1\r\nHost: x\r\n\r\n";

	(void)state;
	h_connect(h, "[::ffff:1.2.3.4]:1");
	for (size_t i = 0; req[i]; i++)
		h_send(h, req + i, 1);
	assert_int_equal(count(h->out, "HTTP/1.1 200 OK"), 2);
	assert_string_equal(last_body(h), "::ffff:1.2.3.4");
	h_free(h);
}

static void test_head_has_no_body(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(h->out, "Content-Length: 14\r\n"));
	assert_string_equal(last_body(h), "");
	h_free(h);
}

static void test_http10(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "GET / HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(h->out, "Connection: close\r\n"));
	assert_string_equal(last_body(h), "::ffff:1.2.3.4");
	/* Our side is shut; the connection waits for the client's FIN. */
	assert_int_equal(read(h->fd, h->out, 1), 0);
	h_hangup(h);
	assert_false(h_open(h));

	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	assert_non_null(strstr(h->out, "Connection: keep-alive\r\n"));
	assert_true(h_open(h));
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(count(h->out, "Connection: close\r\n"), 1);
	h_free(h);
}

static void test_bad_request(void **state)
{
	static const char *const bad[] = {
		"GARBAGE\r\n\r\n",
		"GET / HTTP/1.x\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1 \r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct h *h = h_new(NULL);

		h_connect(h, "[::ffff:1.2.3.4]:1");
		h_sends(h, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
		h_sends(h, bad[i]);
		if (count(h->out, "HTTP/1.1 400 Bad Request\r\n") != 1)
			fail_msg("case %zu: %s", i, h->out);
		assert_int_equal(count(h->out, "HTTP/1.1 200 OK\r\n"), 1);
		assert_non_null(strstr(h->out, "Connection: close\r\n"));
		h_shut(h);
		assert_false(h_open(h));
		h_free(h);
	}
}

/* What RFC 9112 makes a server refuse and llhttp 8 lets through, and the
 * versions not spoken here. Each one answered once, then the connection
 * closes. */
static void test_refused_requests(void **state)
{
	static const struct {
		const char *req;
		const char *status;
	} cases[] = {
		/* whitespace between a field name and its colon */
		{ "GET / HTTP/1.1\r\nHost : x\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nHost: x\r\nX-A  : 1\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.0\r\nX-Forwarded-For : 1.2.3.4\r\n\r\n", "400 Bad Request" },
		/* Host: exactly one in HTTP/1.1, at most one in 1.0 */
		{ "GET / HTTP/1.1\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nX-Host: x\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nHost: x\r\nhost: x\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nHOST: a\r\nX: 1\r\nHost: b\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.0\r\nHost: x\r\nHost: y\r\n\r\n", "400 Bad Request" },
		/* obs-fold, with a space or a tab, in the head or in trailers */
		{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\nHost: x\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nHost: x\r\n y\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nHost: x\r\nX-A:\r\n b\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: \r\n\t b\r\n\r\n", "400 Bad Request" },
		{ "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "0\r\nX-T: 1\r\n 2\r\n\r\n", "400 Bad Request" },
		/* CONNECT: nothing to tunnel to */
		{ "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", "400 Bad Request" },
		{ "CONNECT a:443 HTTP/1.0\r\n\r\n", "400 Bad Request" },
		/* versions: llhttp accepts 0.9 and 2.0, refuses the others */
		{ "GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505 HTTP Version Not Supported" },
		{ "GET / HTTP/0.9\r\n\r\n", "505 HTTP Version Not Supported" },
		{ "GET / HTTP/1.2\r\nHost: x\r\n\r\n", "505 HTTP Version Not Supported" },
		{ "GET / HTTP/9.9\r\nHost: x\r\n\r\n", "505 HTTP Version Not Supported" },
		{ "GET / HTTP/3.0\r\n\r\n", "505 HTTP Version Not Supported" },
		{ "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "505 HTTP Version Not Supported" },
	};
	char want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* At once, and byte by byte: a fold or a space must not hide
		 * behind a read boundary. */
		for (int bytewise = 0; bytewise < 2; bytewise++) {
			const char *req = cases[i].req;
			struct h *h = h_new(NULL);

			h_connect(h, "[::ffff:1.2.3.4]:1");
			/* None of llhttp's leniencies is turned on. */
			assert_int_equal(h_conn(h)->parser.lenient_flags, 0);
			h_sends(h, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
			if (bytewise) {
				for (size_t k = 0; req[k]; k++)
					h_send(h, req + k, 1);
			} else {
				h_sends(h, req);
			}
			snprintf(want, sizeof(want), "HTTP/1.1 %s\r\n", cases[i].status);
			if (count(h->out, want) != 1 || count(h->out, "HTTP/1.1 200 OK\r\n") != 1)
				fail_msg("case %zu%s: %s", i, bytewise ? " bytewise" : "", h->out);
			assert_non_null(strstr(h->out, "Connection: close\r\n"));
			h_shut(h);
			assert_false(h_open(h));
			h_free(h);
		}
	}
}

/* Near misses of the refused requests are fine: whitespace inside a value,
 * a value split by a read right before a space, HTTP/1.0 without Host. */
static void test_accepted_near_misses(void **state)
{
	static const char *const pieces[][3] = {
		{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: a", " b\r\n\r\n", NULL },
		{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: a ", "\tb \r\n\r\n", NULL },
		{ "GET / HTTP/1.1\r\nHost: x\r\nX-A:", " \t b\r\n\r\n", NULL },
		{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: ", "b\r\n\r\n", NULL },
		{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r", "\nX-B: b\r\n\r\n", NULL },
		{ "GET / HTTP/1.1\r\nHost:", "\r\n\r\n", NULL }, /* empty is valid: no authority */
		{ "GET / HTTP/1.0\r\n", "\r\n", NULL },
		{ "GET http://x/ HTTP/1.1\r\nhOsT: x\r\n", "\r\n", NULL },
		{ "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
		  "Host: a\r\nHost: b\r\n\r\n", NULL }, /* trailers are not the head */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		struct h *h = h_new(NULL);

		h_connect(h, "[::ffff:1.2.3.4]:1");
		for (size_t k = 0; pieces[i][k]; k++)
			h_sends(h, pieces[i][k]);
		if (count(h->out, "HTTP/1.1 200 OK\r\n") != 1)
			fail_msg("case %zu: %s", i, h->out);
		assert_string_equal(last_body(h), "::ffff:1.2.3.4");
		h_free(h);
	}
}

static void test_head_too_large(void **state)
{
	struct h *h = h_new(NULL);
	char *req = malloc(16384);
	int n;

	(void)state;
	/* Just under 8 KiB of head is fine ... */
	h_connect(h, "[::ffff:1.2.3.4]:1");
	n = snprintf(req, 16384, "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: %0*d\r\n\r\n", 8100, 0);
	assert_true(n < ECHO_HEAD_MAX);
	h_send(h, req, (size_t)n);
	assert_int_equal(count(h->out, "HTTP/1.1 200 OK"), 1);
	h_hangup(h);
	/* ... just over is 431, whether it arrives at once or in pieces. */
	for (int split = 0; split < 2; split++) {
		h_connect(h, "[::ffff:1.2.3.4]:1");
		n = snprintf(req, 16384, "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: %0*d\r\n\r\n",
			     8200, 0);
		if (split) {
			h_send(h, req, 4000);
			h_send(h, req + 4000, (size_t)n - 4000);
		} else {
			h_send(h, req, (size_t)n);
		}
		assert_non_null(strstr(h->out, "HTTP/1.1 431 Request Header Fields Too Large\r\n"));
		h_shut(h);
		assert_false(h_open(h));
	}
	/* A head that never ends is cut off at the limit, not buffered. */
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\nX-Endless: ");
	memset(req, 'a', 16384);
	h_send(h, req, 16384);
	assert_non_null(strstr(h->out, "HTTP/1.1 431 "));
	free(req);
	h_free(h);
}

static void test_body_limits(void **state)
{
	struct h *h = h_new(NULL);
	size_t clen = 7 + 0x40000 + 2;
	char *body = calloc(1, 256 * 1024), *chunk = calloc(1, clen);
	char head[128];

	(void)state;
	/* A body within the bound is read and dropped; the next request works. */
	h_connect(h, "[::ffff:1.2.3.4]:1");
	snprintf(head, sizeof(head), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n",
		 256 * 1024);
	h_sends(h, head);
	h_send(h, body, 256 * 1024);
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(count(h->out, "HTTP/1.1 200 OK"), 2);
	h_hangup(h);

	/* A declared length over the bound: 413 at once, before any body. */
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n");
	assert_non_null(strstr(h->out, "HTTP/1.1 413 Content Too Large\r\n"));
	assert_non_null(strstr(h->out, "Connection: close\r\n"));
	/* The client keeps sending; lingering reads it without a reset. */
	h_send(h, body, 64 * 1024);
	h_shut(h);
	assert_false(h_open(h));
	h_hangup(h);

	/* A chunked body growing past the bound: four 256 KiB chunks are
	 * exactly 1 MiB and fine, the fifth is too much. */
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
	memcpy(chunk, "40000\r\n", 7);
	memcpy(chunk + clen - 2, "\r\n", 2);
	for (int i = 0; i < 4; i++)
		h_send(h, chunk, clen);
	assert_int_equal(h->out_len, 0);
	h_send(h, chunk, clen);
	assert_non_null(strstr(h->out, "HTTP/1.1 413 "));
	free(chunk);
	free(body);
	h_free(h);
}

static void test_expect_continue(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
		   "Content-Length: 3\r\n\r\n");
	assert_string_equal(h->out, "HTTP/1.1 100 Continue\r\n\r\n");
	h_sends(h, "abc");
	assert_int_equal(count(h->out, "HTTP/1.1 200 OK"), 1);
	h_free(h);
}

static void test_json(void **state)
{
	struct h *h = h_new((const char *const[]){ "--trust", "10.0.0.0/8", NULL });

	(void)state;
	h_connect(h, "[::ffff:10.0.0.9]:4321");
	h_sends(h, "GET /json?x=1 HTTP/1.1\r\nHost: x\r\n"
		   "X-Forwarded-For: 6.6.6.6, 198.51.100.10\r\n"
		   "X-Real-IP: 198.51.100.10\r\nForwarded: for=198.51.100.10;proto=http\r\n"
		   "X-Forwarded-For: 10.1.1.1  \r\n\r\n");
	assert_non_null(strstr(h->out, "Content-Type: application/json\r\n"));
	assert_string_equal(last_body(h),
		"{\"client\":\"198.51.100.10\",\"remoteAddress\":\"::ffff:10.0.0.9\",\"remotePort\":4321,"
		"\"localAddress\":null,\"localPort\":null,\"name\":\"unit\",\"proxy\":null,"
		"\"headers\":{\"x-forwarded-for\":[\"6.6.6.6, 198.51.100.10\",\"10.1.1.1\"],"
		"\"x-real-ip\":[\"198.51.100.10\"],\"forwarded\":[\"for=198.51.100.10;proto=http\"]},"
		"\"request\":{\"method\":\"GET\",\"url\":\"/json?x=1\",\"httpVersion\":\"1.1\"}}");
	/* Accept: application/json on any path; text otherwise. */
	h->out_len = 0;
	h_sends(h, "GET /other HTTP/1.1\r\nHost: x\r\n"
		   "Accept: text/html;q=0.9, Application/JSON ; q=1\r\n\r\n");
	assert_non_null(strstr(h->out, "application/json"));
	h->out_len = 0;
	h_sends(h, "GET /other HTTP/1.1\r\nHost: x\r\nAccept: application/jsonx\r\n\r\n");
	assert_string_equal(last_body(h), "::ffff:10.0.0.9");
	h_free(h);
}

static void test_xff_only_from_trusted(void **state)
{
	struct h *h = h_new((const char *const[]){ "--trust", "10.0.0.0/8", NULL });

	(void)state;
	h_connect(h, "[::ffff:203.0.113.5]:1");
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n");
	assert_string_equal(last_body(h), "::ffff:203.0.113.5");
	h_hangup(h);
	h_connect(h, "[::ffff:10.0.0.1]:1");
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\n"
		   "X-Forwarded-For: 1.1.1.1, 198.51.100.10, 10.2.2.2\r\n\r\n");
	assert_string_equal(last_body(h), "198.51.100.10");
	/* Trailers are not headers: an X-Forwarded-For there is ignored. */
	h->out_len = 0;
	h_sends(h, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
		   "X-Forwarded-For: 198.51.100.10\r\n\r\n"
		   "1\r\na\r\n0\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n");
	assert_string_equal(last_body(h), "198.51.100.10");
	/* Per request: the next one without the header is the peer again. */
	h->out_len = 0;
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_string_equal(last_body(h), "::ffff:10.0.0.1");
	h_free(h);
}

static void test_too_many_forwarding_lines(void **state)
{
	struct h *h = h_new((const char *const[]){ "--trust", "10.0.0.0/8", NULL });
	char req[4096];
	int n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: x\r\n");

	(void)state;
	for (int i = 0; i <= ECHO_MAX_FWD; i++)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "X-Forwarded-For: 1.1.1.%d\r\n", i);
	snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
	h_connect(h, "[::ffff:10.0.0.1]:1");
	h_sends(h, req);
	assert_non_null(strstr(h->out, "HTTP/1.1 431 "));
	h_free(h);
}

static void test_healthz_and_drain(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_string_equal(last_body(h), "ok");
	echo_worker_drain(&h->w);
	assert_true(h_open(h)); /* idle keep-alive connections stay for their next request */
	h->out_len = 0;
	h_sends(h, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(h->out, "HTTP/1.1 503 Service Unavailable\r\n"));
	assert_non_null(strstr(h->out, "Connection: close\r\n"));
	assert_string_equal(last_body(h), "draining");
	h_shut(h);
	assert_false(h_open(h));
	h_free(h);
}

static void test_options_unmap_newline(void **state)
{
	struct h *h = h_new((const char *const[]){ "--unmap", "--newline", NULL });

	(void)state;
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(h->out, "Content-Length: 8\r\n"));
	assert_string_equal(last_body(h), "1.2.3.4\n");
	h_hangup(h);
	h_connect(h, "[2001:db8::1]:1");
	h->out_len = 0;
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_string_equal(last_body(h), "2001:db8::1\n");
	h_free(h);
}

static void test_proxy_protocol(void **state)
{
	struct h *h = h_new((const char *const[]){ "--proxy-protocol", "--trust", "10.0.0.0/8", NULL });
	static const uint8_t v2[] = {
		'\r', '\n', '\r', '\n', 0, '\r', '\n', 'Q', 'U', 'I', 'T', '\n',
		0x21, 0x11, 0, 12, 203, 0, 113, 7, 10, 240, 0, 5, 0xdc, 0x05, 0x1f, 0x90,
	};

	(void)state;
	h_connect(h, "[::ffff:10.0.0.1]:1");
	h_sends(h, "PROXY TCP4 198.51.100.10 10.240.0.4 56324 8080\r\n"
		   "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_string_equal(last_body(h), "198.51.100.10");
	h->out_len = 0;
	h_sends(h, "GET /json HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(h->out, "\"proxy\":{\"version\":1,\"command\":\"PROXY\","
				      "\"sourceAddress\":\"198.51.100.10\",\"sourcePort\":56324,"
				      "\"destinationAddress\":\"10.240.0.4\",\"destinationPort\":8080}"));
	h_hangup(h);

	/* v2, split inside the header. */
	h_connect(h, "[::ffff:10.0.0.1]:1");
	h_send(h, v2, 10);
	h_send(h, v2 + 10, sizeof(v2) - 10);
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_string_equal(last_body(h), "203.0.113.7");
	h_hangup(h);

	/* No header where one is required: closed without an answer. */
	h_connect(h, "[::ffff:10.0.0.1]:1");
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_false(h_open(h));
	assert_int_equal(h->out_len, 0);
	close(h->fd);
	h->fd = -1;

	/* A header cut short by the client's FIN. */
	h_connect(h, "[::ffff:10.0.0.1]:1");
	h_sends(h, "PROXY TCP4 1.2.3.4");
	assert_true(h_open(h));
	h_shut(h);
	assert_false(h_open(h));
	h_free(h);
}

static void test_upgrade_is_answered_then_closed(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
		   "\x81\x05hello");
	assert_int_equal(count(h->out, "HTTP/1.1 200 OK"), 1);
	assert_non_null(strstr(h->out, "Connection: close\r\n"));
	h_shut(h);
	assert_false(h_open(h));
	h_free(h);
}

/* A client that pipelines far more than it reads: the server stops
 * reading instead of buffering without bound, and nothing is lost. */
static void test_pipelining_backpressure(void **state)
{
	struct h *h = h_new(NULL);
	const char *req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t rlen = strlen(req), total = 20000, sent = 0, one;
	char *all = malloc(rlen * total);

	(void)state;
	for (size_t i = 0; i < total; i++)
		memcpy(all + i * rlen, req, rlen);
	h_connect(h, "[::ffff:1.2.3.4]:1");
	h_sends(h, req);
	one = h->out_total; /* every answer has the same length */
	h->out_total = 0;
	/* Write without reading until the socket refuses, then drain. */
	while (sent < rlen * total) {
		ssize_t n = write(h->fd, all + sent, rlen * total - sent);

		if (n > 0) {
			sent += (size_t)n;
			echo_conn_on_io(h->w.loop, h->server_fd, EV_READ | EV_WRITE, h_conn(h));
			assert_true(h_conn(h)->out.len <= ECHO_OUT_HIGH + one);
			continue;
		}
		h->out_len = 0;
		h_pump(h);
	}
	h->out_len = 0;
	h_pump(h);
	assert_int_equal(h->out_total, one * total);
	assert_true(h_open(h));
	free(all);
	h_free(h);
}

/* The hand-made Date header against strftime, over centuries. */
static void test_date_header(void **state)
{
	static const time_t fixed[] = {
		0, 86399, 86400, 951782400 /* 2000-02-29 */, 951868800, 4107542400 /* 2100-03-01 */,
		-86400, 1795768778, 253402300799 /* 9999-12-31 23:59:59 */,
	};
	char mine[48], ref[64];
	struct tm tm;

	(void)state;
	for (int i = 0; i < 20000 + (int)(sizeof(fixed) / sizeof(fixed[0])); i++) {
		time_t t = i < (int)(sizeof(fixed) / sizeof(fixed[0])) ? fixed[i]
			   : (time_t)i * 12345679 + (time_t)i * 7 % 86400;
		size_t n = echo_worker_format_date(t, mine);

		gmtime_r(&t, &tm);
		strftime(ref, sizeof(ref), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
		mine[n] = '\0';
		if (strcmp(mine, ref) != 0)
			fail_msg("%lld: %s != %s", (long long)t, mine, ref);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_default_answer),
		cmocka_unit_test(test_pipelining_in_one_write),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_head_has_no_body),
		cmocka_unit_test(test_http10),
		cmocka_unit_test(test_bad_request),
		cmocka_unit_test(test_refused_requests),
		cmocka_unit_test(test_accepted_near_misses),
		cmocka_unit_test(test_head_too_large),
		cmocka_unit_test(test_body_limits),
		cmocka_unit_test(test_expect_continue),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_xff_only_from_trusted),
		cmocka_unit_test(test_too_many_forwarding_lines),
		cmocka_unit_test(test_healthz_and_drain),
		cmocka_unit_test(test_options_unmap_newline),
		cmocka_unit_test(test_proxy_protocol),
		cmocka_unit_test(test_upgrade_is_answered_then_closed),
		cmocka_unit_test(test_pipelining_backpressure),
		cmocka_unit_test(test_date_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
