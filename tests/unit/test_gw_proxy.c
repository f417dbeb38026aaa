/* Unit tests of the gateway's data path, gateway/gw_proxy.c and
 * gw_upstream.c: the gateway's loop runs in a thread of its own on
 * 127.0.0.1, with routes and endpoints set by the test; the test is both
 * the client and the pod (plain blocking sockets), so it sees exactly what
 * each side of the gateway sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw.h"
#include "gw_proxy_int.h"
#include "log.h"
#include "loopback.h"
#include "sock.h"

struct fixture {
	struct gw gw;
	pthread_t thread;
	int stop[2];          /* a byte here stops the gateway's loop */
	int pod;              /* the pod's listener */
	int pod_port, gw_port;
	bool stopped;         /* the test stopped the loop itself */
};

static void on_stop(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	(void)fd;
	(void)events;
	(void)data;
	ev_stop(loop);
}

static void *run(void *arg)
{
	struct fixture *f = arg;

	ev_run(f->gw.loop);
	return NULL;
}

static json_t *load(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *load(const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	json_t *v;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	v = json_loads(text, 0, NULL);
	assert_non_null(v);
	return v;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	log_init("test_gw_proxy", LOG_LEVEL_ERROR);
	f->pod = loopback_listen(0, 16, &f->pod_port);
	f->gw.loop = ev_loop_new();
	f->gw.lfd = -1;
	f->gw.listen_addr.sin_family = AF_INET;
	f->gw.listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->gw.source.s_addr = htonl(INADDR_LOOPBACK);
	f->gw.rr = json_object();
	f->gw.kinds[GW_INGRESSES].objs = load(
		"{\"i\":{\"metadata\":{\"namespace\":\"d\",\"name\":\"i\"},\"spec\":{"
		"\"ingressClassName\":\"azure-application-gateway\",\"rules\":[{\"host\":\"h\","
		"\"http\":{\"paths\":["
		"{\"path\":\"/\",\"pathType\":\"Prefix\",\"backend\":{\"service\":{"
		"\"name\":\"app\","
		"\"port\":{\"number\":80}}}},"
		"{\"path\":\"/dead\",\"pathType\":\"Prefix\",\"backend\":{\"service\":{"
		"\"name\":\"dead\","
		"\"port\":{\"number\":80}}}}]}}]}}}");
	f->gw.kinds[GW_SERVICES].objs = load(
		"{\"a\":{\"metadata\":{\"namespace\":\"d\",\"name\":\"app\"},\"spec\":{\"ports\":[{"
		"\"port\":80}]}},\"b\":{\"metadata\":{\"namespace\":\"d\",\"name\":\"dead\"},"
		"\"spec\":{"
		"\"ports\":[{\"port\":80}]}}}");
	f->gw.kinds[GW_SLICES].objs = load(
		"{\"a\":{\"metadata\":{\"namespace\":\"d\",\"name\":\"app-1\",\"labels\":{"
		"\"kubernetes.io/service-name\":\"app\"}},\"addressType\":\"IPv4\",\"ports\":[{"
		"\"port\":%d}],\"endpoints\":[{\"addresses\":[\"127.0.0.1\"]}]},"
		"\"b\":{\"metadata\":{\"namespace\":\"d\",\"name\":\"dead-1\",\"labels\":{"
		"\"kubernetes.io/service-name\":\"dead\"}},\"addressType\":\"IPv4\",\"ports\":[{"
		"\"port\":%d}],\"endpoints\":[{\"addresses\":[\"127.0.0.1\"]}]}}",
		f->pod_port, loopback_closed_port());
	assert_int_equal(gw_routes_build(f->gw.kinds[GW_INGRESSES].objs, &f->gw.routes), 0);
	assert_int_equal(gw_proxy_start(&f->gw, err, sizeof(err)), 0);
	f->gw_port = ntohs(f->gw.listen_addr.sin_port);
	assert_true(f->gw_port > 0);
	assert_int_equal(pipe(f->stop), 0);
	ev_watch(f->gw.loop, f->stop[0], EV_READ, on_stop, NULL);
	assert_int_equal(pthread_create(&f->thread, NULL, run, f), 0);
	*state = f;
	return 0;
}

/* Stops the gateway's loop and waits for its thread: its state may then
 * be read. */
static void stop(struct fixture *f)
{
	if (f->stopped)
		return;
	assert_int_equal(write(f->stop[1], "x", 1), 1);
	pthread_join(f->thread, NULL);
	f->stopped = true;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	stop(f);
	gw_proxy_stop(&f->gw);
	for (int i = 0; i < GW_NKINDS; i++)
		json_decref(f->gw.kinds[i].objs);
	json_decref(f->gw.rr);
	gw_routes_free(&f->gw.routes);
	ev_unwatch(f->gw.loop, f->stop[0]);
	ev_loop_free(f->gw.loop);
	close(f->stop[0]);
	close(f->stop[1]);
	close(f->pod);
	free(f);
	return 0;
}

static void timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 5 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int client(struct fixture *f)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons((uint16_t)f->gw_port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	timeouts(fd);
	return fd;
}

static int pod_accept(struct fixture *f)
{
	int fd = accept(f->pod, NULL, NULL);

	assert_true(fd >= 0);
	timeouts(fd);
	return fd;
}

static void put(int fd, const char *s)
{
	assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Reads until text ends with end (or the peer closes); the text read. */
static char *get_until(int fd, const char *end)
{
	static char buf[65536];
	size_t n = 0, el = strlen(end);

	while (n < sizeof(buf) - 1) {
		ssize_t r = recv(fd, buf + n, 1, 0);

		if (r <= 0)
			break;
		n++;
		if (n >= el && memcmp(buf + n - el, end, el) == 0)
			break;
	}
	buf[n] = '\0';
	return buf;
}

static char *get_n(int fd, size_t want)
{
	static char buf[65536];
	size_t n = 0;

	while (n < want && n < sizeof(buf) - 1) {
		ssize_t r = recv(fd, buf + n, want - n, 0);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return buf;
}

static void test_request_rewritten(void **state)
{
	struct fixture *f = *state;
	int c = client(f), p;
	char *head;

	put(c, "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n"
	       "X-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Proto: https\r\nTE: trailers\r\n"
	       "Accept: */*\r\n\r\n");
	p = pod_accept(f);
	head = get_until(p, "\r\n\r\n");
	assert_non_null(strstr(head, "GET /a?x=1 HTTP/1.1\r\n"));
	assert_non_null(strstr(head, "Host: h\r\n"));
	assert_non_null(strstr(head, "Accept: */*\r\n"));
	/* The client's list, then the client as the gateway saw it. */
	assert_non_null(strstr(head, "X-Forwarded-For: 192.0.2.1, 127.0.0.1:"));
	assert_non_null(strstr(head, "X-Forwarded-Proto: http\r\n"));
	assert_null(strstr(head, "https"));
	assert_non_null(strstr(head, "X-Original-Host: h\r\n"));
	assert_non_null(strstr(head, "X-Original-URL: /a?x=1\r\n"));
	assert_non_null(strstr(head, "X-AppGW-Trace-Id: "));
	/* Hop-by-hop headers are the gateway's own. */
	assert_null(strstr(head, "keep-alive"));
	assert_null(strstr(head, "TE:"));
	assert_non_null(strstr(head, "Connection: close\r\n"));
	put(p, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\nX-App: 1\r\n\r\nhi");
	close(p);
	head = get_until(c, "\r\n\r\n");
	assert_non_null(strstr(head, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(head, "X-App: 1\r\n"));
	/* The pod's close is not the client's. */
	assert_null(strstr(head, "Connection"));
	assert_string_equal(get_n(c, 2), "hi");

	/* The same client connection carries the next request. */
	put(c, "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
	p = pod_accept(f);
	assert_non_null(strstr(get_until(p, "\r\n\r\n"), "GET /b HTTP/1.1\r\n"));
	put(p, "HTTP/1.1 204 No Content\r\n\r\n");
	close(p);
	assert_non_null(strstr(get_until(c, "\r\n\r\n"), "HTTP/1.1 204 No Content\r\n"));
	close(c);
}

static void test_bodies(void **state)
{
	struct fixture *f = *state;
	int c = client(f), p;
	char *got;

	/* A chunked request body reaches the pod chunked, whole. */
	put(c, "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
	p = pod_accept(f);
	got = get_until(p, "\r\n\r\n");
	assert_non_null(strstr(got, "Transfer-Encoding: chunked\r\n"));
	assert_string_equal(get_until(p, "0\r\n\r\n"), "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
	/* A response ended by the pod's close reaches an HTTP/1.1 client
	 * chunked, and the client's connection stays. */
	put(p, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nbody");
	close(p);
	got = get_until(c, "\r\n\r\n");
	assert_non_null(strstr(got, "Transfer-Encoding: chunked\r\n"));
	assert_string_equal(get_until(c, "0\r\n\r\n"), "4\r\nbody\r\n0\r\n\r\n");

	/* HEAD: a Content-Length and no body; then the next request. */
	put(c, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
	p = pod_accept(f);
	get_until(p, "\r\n\r\n");
	put(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
	got = get_until(c, "\r\n\r\n");
	assert_non_null(strstr(got, "Content-Length: 5\r\n"));
	close(p);
	put(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
	p = pod_accept(f);
	got = get_until(p, "\r\n\r\n");
	assert_non_null(strstr(got, "Content-Length: 3\r\n"));
	assert_string_equal(get_n(p, 3), "abc");
	put(p, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk");
	close(p);
	got = get_until(c, "\r\n\r\n");
	assert_non_null(strstr(got, "200 OK"));
	assert_string_equal(get_n(c, 1), "k");
	close(c);
}

static void test_own_answers(void **state)
{
	struct fixture *f = *state;
	int c = client(f);
	char *got;

	/* No endpoint answers: 502, and the connection is closed. */
	put(c, "GET /dead HTTP/1.1\r\nHost: h\r\n\r\n");
	got = get_until(c, "</html>\r\n");
	assert_non_null(strstr(got, "HTTP/1.1 502 Bad Gateway\r\n"));
	assert_non_null(strstr(got, "Connection: close\r\n"));
	assert_int_equal(recv(c, got, 1, 0), 0);
	close(c);

	/* Not HTTP: 400. */
	c = client(f);
	put(c, "NOT HTTP\r\n\r\n");
	assert_non_null(strstr(get_until(c, "\r\n\r\n"), "HTTP/1.1 400 Bad Request\r\n"));
	close(c);
}

static void test_no_route(void **state)
{
	struct fixture *f = *state;
	int c = client(f);
	char *got;

	put(c, "GET / HTTP/1.1\r\nHost: other\r\n\r\n");
	got = get_until(c, "</html>\r\n");
	assert_non_null(strstr(got, "HTTP/1.1 404 Not Found\r\n"));
	/* A 404 keeps the connection: the next request is answered too. */
	assert_null(strstr(got, "Connection: close"));
	put(c, "GET /x HTTP/1.1\r\nHost: other\r\n\r\n");
	assert_non_null(strstr(get_until(c, "</html>\r\n"), "404"));
	/* Pipelined: each answered, in order, and the connection still reads. */
	put(c, "GET /1 HTTP/1.1\r\nHost: other\r\n\r\nGET /2 HTTP/1.1\r\nHost: other\r\n\r\n");
	assert_non_null(strstr(get_until(c, "</html>\r\n"), "404"));
	assert_non_null(strstr(get_until(c, "</html>\r\n"), "404"));
	put(c, "GET /3 HTTP/1.1\r\nHost: other\r\n\r\n");
	assert_non_null(strstr(get_until(c, "</html>\r\n"), "404"));
	close(c);
}

/* A pod that answers 101 to a request that asked for no upgrade: the
 * client gets 502, not silence. */
static void test_pod_switches_protocols(void **state)
{
	struct fixture *f = *state;
	int c = client(f), p;

	put(c, "GET /ws HTTP/1.1\r\nHost: h\r\n\r\n");
	p = pod_accept(f);
	get_until(p, "\r\n\r\n");
	put(p, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: other\r\nConnection: Upgrade\r\n\r\n");
	assert_non_null(strstr(get_until(c, "</html>\r\n"), "HTTP/1.1 502 Bad Gateway\r\n"));
	close(p);
	close(c);
}

/* A request no route takes (the gateway answers 404 itself), sent on c
 * without reading, up to PUSH_MAX bytes or until the gateway stops taking
 * them (a send would block for a second). The number of requests sent. */
#define UNROUTED "GET /x HTTP/1.1\r\nHost: other\r\n\r\n"
#define PUSH_MAX (8u << 20)

static size_t push_unanswered(int c)
{
	size_t pushed = 0;

	while (pushed < PUSH_MAX) {
		struct pollfd pfd = { c, POLLOUT, 0 };
		ssize_t w;

		if (poll(&pfd, 1, 1000) <= 0)
			break;
		w = send(c, UNROUTED, sizeof(UNROUTED) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0)
			pushed += (size_t)w;
	}
	/* Whole requests only: a send takes all of one or none. */
	assert_int_equal(pushed % (sizeof(UNROUTED) - 1), 0);
	return pushed / (sizeof(UNROUTED) - 1);
}

/* A client that pipelines requests the gateway answers itself and never
 * reads: the gateway stops reading once GW_PROXY_HIGH of answers wait,
 * instead of queueing them without end. */
static void test_unread_answers_bounded(void **state)
{
	struct fixture *f = *state;
	int c = client(f), small = 4096;
	struct gw_conn *conn;

	setsockopt(c, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	assert_true(push_unanswered(c) < PUSH_MAX / (sizeof(UNROUTED) - 1));
	stop(f);
	conn = f->gw.conns;
	assert_non_null(conn);
	assert_true(conn->out.len - conn->out_off <= GW_PROXY_HIGH + 4096);
	close(c);
}

/* The same client, once it reads: every request it sent gets its answer,
 * those that waited while it did not read too. */
static void test_unread_answers_resume(void **state)
{
	struct fixture *f = *state;
	static const char end[] = "</html>\r\n";
	int c = client(f);
	size_t sent = push_unanswered(c), answers = 0, matched = 0;
	char buf[65536];

	/* Count the answers (by their last line) until all came or the
	 * gateway says nothing for 5 s. */
	while (answers < sent) {
		ssize_t r = recv(c, buf, sizeof(buf), 0);

		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			matched = buf[i] == end[matched] ? matched + 1 : buf[i] == end[0] ? 1 : 0;
			if (matched == sizeof(end) - 1) {
				answers++;
				matched = 0;
			}
		}
	}
	assert_int_equal(answers, sent);
	close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pod_switches_protocols, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unread_answers_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unread_answers_resume, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
