/* Unit tests for lib/apiwatch.c against a scripted server: a thread that
 * answers each connection on a Unix socket with one canned response (a
 * list, then a watch stream it keeps open until the client goes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "apiwatch.h"
#include "buf.h"
#include "ev.h"
#include "unix_srv.h"

struct srv {
	struct unix_srv u;            /* u.path: the socket */
	const char *const *replies;   /* one per connection; NULL ends */
	struct buf log;               /* request lines received */
};

/* Reads one request's head; appends its request line to the log. */
static int srv_read_head(struct srv *s, int fd)
{
	char in[8192];
	size_t n = 0;

	for (;;) {
		ssize_t r;

		if (unix_srv_poll(fd, POLLIN) <= 0 || n >= sizeof(in) - 1)
			return -1;
		r = read(fd, in + n, sizeof(in) - 1 - n);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		in[n] = '\0';
		if (strstr(in, "\r\n\r\n")) {
			buf_append(&s->log, in, strcspn(in, "\r"));
			buf_append(&s->log, "\n", 1);
			return 0;
		}
	}
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	for (size_t i = 0; s->replies[i]; i++) {
		const char *reply = s->replies[i];
		int fd = unix_srv_accept(&s->u);

		if (fd < 0)
			break;
		if (srv_read_head(s, fd) == 0 &&
		    write(fd, reply, strlen(reply)) != (ssize_t)strlen(reply))
			fprintf(stderr, "srv: short write\n");
		/* Held open until the client closes: a watch stays open. */
		unix_srv_wait_eof(fd);
		close(fd);
	}
	return NULL;
}

static void srv_start(struct srv *s, const char *const *replies)
{
	memset(s, 0, sizeof(*s));
	s->replies = replies;
	unix_srv_start(&s->u, "/tmp/apiwatch-test", srv_main, s);
}

static void srv_stop(struct srv *s)
{
	unix_srv_stop(&s->u);
}

#define SLICE(name, svc, ip) \
	"{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\"," \
	"\"metadata\":{\"name\":\"" name "\",\"namespace\":\"default\",\"resourceVersion\":\"3\"" \
	svc "},\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[\"" ip "\"]," \
	"\"conditions\":{\"ready\":true},\"nodeName\":\"node0\"}]," \
	"\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":8080}]}"
#define LABEL(svc) ",\"labels\":{\"kubernetes.io/service-name\":\"" svc "\"}"

#define LIST_BODY "{\"kind\":\"EndpointSliceList\",\"metadata\":{\"resourceVersion\":\"5\"}," \
	"\"items\":[" SLICE("a-1", LABEL("a"), "10.244.0.2") "," \
	SLICE("a-2", LABEL("a"), "10.244.0.3") "," SLICE("stray", "", "10.244.0.9") "]}"

#define CHUNK(s) s "\n"

struct rec {
	struct ev_loop *loop;
	struct apiwatch *w;
	int changes, relists;
	int want;                     /* stop the loop after this many changes */
	int n_a_after_list;           /* endpoints of default/a after the first list */
	int n_svcs_after_list;
};

static void rec_on_change(bool relisted, void *data)
{
	struct rec *r = data;
	struct model_endpoints *eps;
	char err[128];
	int n;

	r->changes++;
	r->relists += relisted;
	if (r->changes == 1) {
		assert_int_equal(apiwatch_endpoints(r->w, &eps, &n, err, sizeof(err)), 0);
		r->n_svcs_after_list = n;
		r->n_a_after_list = n > 0 ? eps[0].n : -1;
		for (int i = 0; i < n; i++)
			model_endpoints_free(&eps[i]);
		free(eps);
	}
	if (r->changes == r->want)
		ev_stop(r->loop);
}

static void rec_guard(struct ev_loop *loop, uint64_t id, void *data)
{
	(void)id;
	(void)data;
	ev_stop(loop);
}

static void rec_run(struct rec *r, const struct srv *s, int want, uint64_t ms)
{
	uint64_t guard;

	memset(r, 0, sizeof(*r));
	r->loop = ev_loop_new();
	assert_non_null(r->loop);
	r->want = want;
	r->w = apiwatch_new(r->loop, s->u.path, "/apis/discovery.k8s.io/v1/endpointslices",
			    "endpointslices", rec_on_change, r);
	assert_non_null(r->w);
	apiwatch_start(r->w);
	guard = ev_timer_add(r->loop, ms, rec_guard, r);
	assert_int_equal(ev_run(r->loop), 0);
	ev_timer_cancel(r->loop, guard);
}

static void test_list_then_watch(void **state)
{
	char list[4096], stream[4096];
	const char *replies[3] = { list, stream, NULL };
	struct model_endpoints *eps;
	char err[128];
	struct srv s;
	struct rec r;
	int n;

	(void)state;
	snprintf(list, sizeof(list), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		 "Connection: close\r\nContent-Length: %zu\r\n\r\n%s", strlen(LIST_BODY),
		 LIST_BODY);
	{
		const char *events =
			CHUNK("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"EndpointSlice\","
			      "\"metadata\":{\"resourceVersion\":\"9\"}}}")
			CHUNK("{\"type\":\"ADDED\",\"object\":" SLICE("b-1", LABEL("b"),
								       "10.244.1.2") "}")
			CHUNK("{\"type\":\"DELETED\",\"object\":" SLICE("a-2", LABEL("a"),
									 "10.244.0.3") "}");

		snprintf(stream, sizeof(stream), "HTTP/1.1 200 OK\r\n"
			 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
			 "%zx\r\n%s\r\n", strlen(events), events);
	}
	srv_start(&s, replies);
	/* The list, then two events: the bookmark changes nothing. */
	rec_run(&r, &s, 3, 5000);
	assert_int_equal(r.changes, 3);
	assert_int_equal(r.relists, 1);
	assert_true(apiwatch_synced(r.w));
	/* After the list: a's two slices merged, the unlabelled one left out. */
	assert_int_equal(r.n_svcs_after_list, 1);
	assert_int_equal(r.n_a_after_list, 2);
	assert_int_equal(apiwatch_endpoints(r.w, &eps, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(eps[0].name, "a");
	assert_int_equal(eps[0].n, 1);
	assert_string_equal(eps[1].name, "b");
	assert_int_equal(eps[1].n, 1);
	assert_int_equal(eps[1].items[0].ports[0], 8080);
	assert_int_equal(eps[1].n_ports, 1);
	for (int i = 0; i < n; i++)
		model_endpoints_free(&eps[i]);
	free(eps);
	apiwatch_free(r.w);
	ev_loop_free(r.loop);
	srv_stop(&s);
	assert_non_null(strstr(buf_str(&s.log),
			       "GET /apis/discovery.k8s.io/v1/endpointslices HTTP/1.1\n"
			       "GET /apis/discovery.k8s.io/v1/endpointslices?watch=true"
			       "&allowWatchBookmarks=true&resourceVersion=5 HTTP/1.1\n"));
	buf_free(&s.log);
}

#define POD(name, ip) \
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name "\"," \
	"\"namespace\":\"default\",\"uid\":\"uid-" name "\",\"resourceVersion\":\"4\"}," \
	"\"spec\":{\"nodeName\":\"node0\",\"containers\":[{\"name\":\"app\"," \
	"\"image\":\"nfranssens/nodejs-ip\"}]},\"status\":{\"podIP\":\"" ip "\"}}"
#define PODS_BODY "{\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"7\"}," \
	"\"items\":[" POD("web-2", "10.244.0.3") "," POD("web-1", "10.244.0.2") "]}"

static void stop_after_two(bool relisted, void *data)
{
	struct rec *r = data;

	(void)relisted;
	if (++r->changes == 2)
		ev_stop(r->loop);
}

/* A collection with a selector: the watch's parameters follow it with
 * '&'; the cached pods as the model reads them, sorted. */
static void test_selected_pods(void **state)
{
	char list[4096], stream[4096];
	const char *replies[3] = { list, stream, NULL };
	const char *event = CHUNK("{\"type\":\"ADDED\",\"object\":" POD("api-1", "10.244.0.9") "}");
	struct model_pod *pods;
	char err[128], ip[16];
	struct srv s;
	struct rec r = { 0 };
	uint64_t guard;
	int n;

	(void)state;
	snprintf(list, sizeof(list), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		 "Connection: close\r\nContent-Length: %zu\r\n\r\n%s", strlen(PODS_BODY),
		 PODS_BODY);
	snprintf(stream, sizeof(stream), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n", strlen(event), event);
	srv_start(&s, replies);
	r.loop = ev_loop_new();
	assert_non_null(r.loop);
	r.w = apiwatch_new(r.loop, s.u.path, "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode0",
			   "pods", stop_after_two, &r);
	assert_non_null(r.w);
	apiwatch_start(r.w);
	guard = ev_timer_add(r.loop, 5000, rec_guard, &r);
	assert_int_equal(ev_run(r.loop), 0);
	ev_timer_cancel(r.loop, guard);
	assert_int_equal(r.changes, 2);
	assert_int_equal(apiwatch_pods(r.w, &pods, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(pods[0].meta.name, "api-1");
	assert_string_equal(pods[1].meta.name, "web-1");
	assert_string_equal(pods[1].meta.uid, "uid-web-1");
	assert_string_equal(pods[1].node, "node0");
	assert_string_equal(inet_ntop(AF_INET, &pods[2].ip, ip, sizeof(ip)), "10.244.0.3");
	free(pods);
	apiwatch_free(r.w);
	ev_loop_free(r.loop);
	srv_stop(&s);
	assert_non_null(strstr(buf_str(&s.log),
			       "GET /api/v1/pods?fieldSelector=spec.nodeName%3Dnode0 HTTP/1.1\n"
			       "GET /api/v1/pods?fieldSelector=spec.nodeName%3Dnode0&watch=true"
			       "&allowWatchBookmarks=true&resourceVersion=7 HTTP/1.1\n"));
	buf_free(&s.log);
}

static void test_failed_list_is_retried(void **state)
{
	static const char fail[] = "HTTP/1.1 500 Internal Server Error\r\n"
				   "Connection: close\r\nContent-Length: 2\r\n\r\n{}";
	char list[4096];
	const char *replies[4] = { fail, list, "", NULL };
	struct srv s;
	struct rec r;

	(void)state;
	snprintf(list, sizeof(list), "HTTP/1.1 200 OK\r\nConnection: close\r\n"
		 "Content-Length: %zu\r\n\r\n%s", strlen(LIST_BODY), LIST_BODY);
	/* The last "reply" is the watch: accepted, never answered. */
	srv_start(&s, replies);
	rec_run(&r, &s, 1, 5000);
	assert_int_equal(r.changes, 1);
	assert_int_equal(r.relists, 1);
	assert_true(apiwatch_synced(r.w));
	assert_int_equal(r.n_a_after_list, 2);
	apiwatch_free(r.w);
	ev_loop_free(r.loop);
	srv_stop(&s);
	buf_free(&s.log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_then_watch),
		cmocka_unit_test(test_selected_pods),
		cmocka_unit_test(test_failed_list_is_retried),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
