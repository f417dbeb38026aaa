/* Unit tests for lib/apiclient.c against a scripted server: a thread that
 * accepts connections on a Unix socket in a temporary directory and answers
 * each request with a canned raw response. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "apiclient.h"
#include "buf.h"
#include "ev.h"
#include "unix_srv.h"

/* In a canned reply: write what came before, pause, go on. Lets a test
 * split a response across reads at a chosen byte. */
#define SRV_PAUSE "\x01"

/* What the server does with a connection once its replies are written. */
enum srv_after {
	SRV_WAIT_EOF,   /* read until the client closes */
	SRV_CLOSE,      /* close at once */
	SRV_DROP,       /* read one more request, close without answering */
	SRV_MUTE,       /* read one more request, answer nothing, wait for the close */
};

struct srv_conn {
	const char *replies[4];  /* one per request, in order; NULL ends */
	enum srv_after after;
};

struct srv {
	struct unix_srv u;       /* u.path: the socket */
	const struct srv_conn *script;
	size_t n_script;
	/* Written by the thread, read after the join. */
	int accepted;
	struct buf log;          /* every request received, raw */
	sem_t closed;            /* posted after each connection the server closes */
};

/* Reads one request (head and Content-Length body) into the log.
 * 0, or -1 on EOF, error or timeout. */
static int srv_read_request(struct srv *s, int fd, struct buf *in)
{
	for (;;) {
		char chunk[4096];
		const char *end = in->len ? strstr(in->data, "\r\n\r\n") : NULL;
		ssize_t n;

		if (end) {
			size_t head = (size_t)(end - in->data) + 4, body = 0;
			const char *cl = strcasestr(in->data, "\r\nContent-Length:");

			if (cl && cl < end)
				body = strtoul(cl + 17, NULL, 10);
			if (in->len >= head + body) {
				buf_append(&s->log, in->data, head + body);
				memmove(in->data, in->data + head + body, in->len - head - body);
				in->len -= head + body;
				in->data[in->len] = '\0';
				return 0;
			}
		}
		if (unix_srv_poll(fd, POLLIN) <= 0)
			return -1;
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0)
			return -1;
		buf_append(in, chunk, (size_t)n);
	}
}

static void srv_write(int fd, const char *reply)
{
	while (*reply) {
		const char *pause = strchr(reply, SRV_PAUSE[0]);
		size_t len = pause ? (size_t)(pause - reply) : strlen(reply);
		size_t off = 0;

		while (off < len) {
			ssize_t n = send(fd, reply + off, len - off, MSG_NOSIGNAL);

			if (n < 0)
				return; /* the client hung up: its test judges that */
			off += (size_t)n;
		}
		if (!pause)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 30 * 1000 * 1000 }, NULL);
		reply = pause + 1;
	}
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	for (size_t i = 0; i < s->n_script; i++) {
		const struct srv_conn *sc = &s->script[i];
		struct buf in = BUF_INIT;
		int fd;

		fd = unix_srv_accept(&s->u);
		if (fd < 0)
			break;
		s->accepted++;
		for (size_t r = 0; r < 4 && sc->replies[r]; r++) {
			if (srv_read_request(s, fd, &in) < 0)
				break;
			srv_write(fd, sc->replies[r]);
		}
		switch (sc->after) {
		case SRV_WAIT_EOF:
			unix_srv_wait_eof(fd);
			break;
		case SRV_CLOSE:
			break;
		case SRV_DROP:
			srv_read_request(s, fd, &in);
			break;
		case SRV_MUTE:
			srv_read_request(s, fd, &in);
			unix_srv_wait_eof(fd);
			break;
		}
		close(fd);
		buf_free(&in);
		sem_post(&s->closed);
	}
	return NULL;
}

static void srv_start(struct srv *s, const struct srv_conn *script, size_t n)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(sem_init(&s->closed, 0, 0), 0);
	s->script = script;
	s->n_script = n;
	unix_srv_start(&s->u, "/tmp/apiclient-test", srv_main, s);
}

static void srv_stop(struct srv *s)
{
	unix_srv_stop(&s->u);
	sem_destroy(&s->closed);
}

/* For a test that does not look at the requests. */
static void srv_done(struct srv *s)
{
	srv_stop(s);
	buf_free(&s->log);
}

/* Waits until the server closed its next connection. */
static void srv_wait_closed(struct srv *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += UNIX_SRV_IO_MS / 1000;
	assert_int_equal(sem_timedwait(&s->closed, &ts), 0);
}

/* The client under test and its scripted server. */
struct fix {
	struct srv s;
	struct apiclient *c;
	struct buf resp;
	char err[256];
};

/* Starts the server on `script` and a client of it; timeout_ms 0 keeps the
 * client's default. */
static void fix_start(struct fix *f, const struct srv_conn *script, size_t n, int timeout_ms)
{
	memset(f, 0, sizeof(*f));
	srv_start(&f->s, script, n);
	f->c = apiclient_new(f->s.u.path);
	assert_non_null(f->c);
	if (timeout_ms)
		apiclient_set_timeout(f->c, timeout_ms);
}

/* A request without a body: its status, or -1 with f->err set. */
static int fix_request(struct fix *f, const char *method, const char *path)
{
	return apiclient_request(f->c, method, path, NULL, NULL, 0, &f->resp, f->err,
				 sizeof(f->err));
}

/* Ends the client and waits for the server's end; f->s.accepted and
 * f->s.log stay to be looked at (the log freed by the caller). */
static void fix_stop(struct fix *f)
{
	apiclient_free(f->c);
	srv_stop(&f->s);
	buf_free(&f->resp);
}

/* For a test that does not look at the requests. */
static void fix_done(struct fix *f)
{
	fix_stop(f);
	buf_free(&f->s.log);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- requests ------------------------------------------------------------- */

static void test_content_length_body(void **state)
{
	static const struct srv_conn script[] = {
		{ { "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
		    "Content-Length: 14\r\n\r\n{\"kind\":\"Pod\"}" }, SRV_WAIT_EOF },
	};
	struct fix f;
	int status;

	(void)state;
	fix_start(&f, script, N(script), 0);
	status = apiclient_request(f.c, "POST", "/api/v1/namespaces/default/pods",
				   "application/json", "{\"x\":1}", 7, &f.resp, f.err, sizeof(f.err));
	assert_int_equal(status, 201);
	assert_string_equal(buf_str(&f.resp), "{\"kind\":\"Pod\"}");
	fix_stop(&f);
	assert_int_equal(f.s.accepted, 1);
	assert_non_null(strstr(buf_str(&f.s.log),
			       "POST /api/v1/namespaces/default/pods HTTP/1.1\r\n"));
	assert_non_null(strstr(buf_str(&f.s.log), "\r\nHost: localhost\r\n"));
	assert_non_null(strstr(buf_str(&f.s.log), "\r\nAccept: application/json\r\n"));
	assert_non_null(strstr(buf_str(&f.s.log), "\r\nContent-Type: application/json\r\n"));
	assert_non_null(strstr(buf_str(&f.s.log), "\r\nContent-Length: 7\r\n\r\n{\"x\":1}"));
	buf_free(&f.s.log);
}

static void test_chunked_body_across_reads(void **state)
{
	static const struct srv_conn script[] = {
		{ { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "5\r\nhel" SRV_PAUSE "lo\r\n" SRV_PAUSE "1" SRV_PAUSE "\r\n,\r\n"
		    "6\r\n world\r\n0\r\n\r\n" }, SRV_WAIT_EOF },
	};
	struct fix f;

	(void)state;
	fix_start(&f, script, N(script), 0);
	assert_int_equal(fix_request(&f, "GET", "/api/v1/pods"), 200);
	assert_string_equal(buf_str(&f.resp), "hello, world");
	fix_stop(&f);
	/* A GET carries no body and no length. */
	assert_null(strstr(buf_str(&f.s.log), "Content-Length"));
	buf_free(&f.s.log);
}

static void test_keep_alive_reuses_one_connection(void **state)
{
	static const struct srv_conn script[] = {
		{ { "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none",
		    "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found" },
		  SRV_WAIT_EOF },
	};
	struct fix f;

	(void)state;
	fix_start(&f, script, N(script), 0);
	assert_int_equal(fix_request(&f, "GET", "/a"), 200);
	assert_string_equal(buf_str(&f.resp), "one");
	/* A status other than 2xx is an answer, not an error. */
	assert_int_equal(fix_request(&f, "DELETE", "/b"), 404);
	assert_string_equal(buf_str(&f.resp), "not found");
	fix_stop(&f);
	assert_int_equal(f.s.accepted, 1);
	assert_non_null(strstr(buf_str(&f.s.log), "GET /a HTTP/1.1\r\n"));
	assert_non_null(strstr(buf_str(&f.s.log), "DELETE /b HTTP/1.1\r\n"));
	buf_free(&f.s.log);
}

static void test_reconnects_when_kept_connection_closed(void **state)
{
	static const struct srv_conn script[] = {
		{ { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst" }, SRV_CLOSE },
		{ { "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond" }, SRV_WAIT_EOF },
	};
	struct fix f;

	(void)state;
	fix_start(&f, script, N(script), 0);
	assert_int_equal(fix_request(&f, "GET", "/a"), 200);
	assert_string_equal(buf_str(&f.resp), "first");
	srv_wait_closed(&f.s);
	assert_int_equal(apiclient_request(f.c, "PUT", "/b", "application/json", "{}", 2,
					   &f.resp, f.err, sizeof(f.err)), 200);
	assert_string_equal(buf_str(&f.resp), "second");
	fix_stop(&f);
	assert_int_equal(f.s.accepted, 2);
	assert_non_null(strstr(buf_str(&f.s.log), "PUT /b HTTP/1.1\r\n"));
	buf_free(&f.s.log);
}

static void test_retries_only_once(void **state)
{
	static const struct srv_conn script[] = {
		{ { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst" }, SRV_CLOSE },
		{ { NULL }, SRV_DROP },
	};
	struct fix f;

	(void)state;
	fix_start(&f, script, N(script), 2000);
	assert_int_equal(fix_request(&f, "GET", "/a"), 200);
	srv_wait_closed(&f.s);
	assert_int_equal(fix_request(&f, "GET", "/b"), -1);
	assert_string_equal(f.err, "connection closed before a response");
	assert_int_equal(f.resp.len, 0);
	fix_done(&f);
	assert_int_equal(f.s.accepted, 2);
}

static void test_fresh_connection_closed_is_an_error(void **state)
{
	static const struct srv_conn script[] = {
		{ { NULL }, SRV_DROP },
	};
	struct fix f;

	(void)state;
	fix_start(&f, script, N(script), 0);
	/* A retry would wait in the backlog and time out instead. */
	apiclient_set_timeout(f.c, 1000);
	assert_int_equal(fix_request(&f, "GET", "/a"), -1);
	assert_string_equal(f.err, "connection closed before a response");
	fix_done(&f);
	assert_int_equal(f.s.accepted, 1);
}

static void test_connection_close_is_honoured(void **state)
{
	/* The first connection stays open after "Connection: close": a client
	 * that sent its second request there would wait for nothing. */
	static const struct srv_conn script[] = {
		{ { "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok" },
		  SRV_WAIT_EOF },
		{ { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain" }, SRV_WAIT_EOF },
	};
	struct fix f;

	(void)state;
	fix_start(&f, script, N(script), 2000);
	assert_int_equal(fix_request(&f, "GET", "/a"), 200);
	assert_string_equal(buf_str(&f.resp), "ok");
	assert_int_equal(fix_request(&f, "GET", "/b"), 200);
	assert_string_equal(buf_str(&f.resp), "again");
	fix_done(&f);
	assert_int_equal(f.s.accepted, 2);
}

static void test_body_until_close_and_head(void **state)
{
	static const struct srv_conn script[] = {
		{ { "HTTP/1.1 200 OK\r\n\r\nto the " SRV_PAUSE "end" }, SRV_CLOSE },
		/* Announces a body HEAD does not get: the client must not wait for it. */
		{ { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" }, SRV_WAIT_EOF },
	};
	struct fix f;

	(void)state;
	fix_start(&f, script, N(script), 2000);
	assert_int_equal(fix_request(&f, "GET", "/a"), 200);
	assert_string_equal(buf_str(&f.resp), "to the end");
	assert_int_equal(fix_request(&f, "HEAD", "/b"), 200);
	assert_int_equal(f.resp.len, 0);
	fix_done(&f);
	assert_int_equal(f.s.accepted, 2);
}

static void test_timeout(void **state)
{
	static const struct srv_conn script[] = {
		{ { NULL }, SRV_MUTE },
	};
	struct fix f;
	uint64_t t0, elapsed;

	(void)state;
	fix_start(&f, script, N(script), 200);
	t0 = ev_now_ms();
	assert_int_equal(fix_request(&f, "GET", "/slow"), -1);
	elapsed = ev_now_ms() - t0;
	assert_string_equal(f.err, "timed out after 200 ms");
	assert_true(elapsed >= 195);
	assert_true(elapsed < 2000);
	/* The timed-out connection is dropped: the server sees its end. */
	srv_wait_closed(&f.s);
	fix_done(&f);
}

static void test_connect_errors(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/apiclient-test-XXXXXX", path[100], want[256], err[256] = "";
	struct buf resp = BUF_INIT;
	struct apiclient *c;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/apiserver.sock", dir);
	c = apiclient_new(path);
	assert_int_equal(apiclient_request(c, "GET", "/a", NULL, NULL, 0, &resp, err, sizeof(err)),
			 -1);
	snprintf(want, sizeof(want), "connect %s: No such file or directory", path);
	assert_string_equal(err, want);

	/* Bound but not listening: a server mid-restart. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(apiclient_request(c, "GET", "/a", NULL, NULL, 0, &resp, err, sizeof(err)),
			 -1);
	snprintf(want, sizeof(want), "connect %s: Connection refused", path);
	assert_string_equal(err, want);
	apiclient_free(c);
	close(fd);
	unlink(path);
	rmdir(dir);

	c = apiclient_new("/tmp/a-socket-path-far-too-long-for-sun-path-xxxxxxxxxxxxxxxxxxxxxxxxx"
			  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/apiserver.sock");
	assert_int_equal(apiclient_request(c, "GET", "/a", NULL, NULL, 0, &resp, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "File name too long"));
	apiclient_free(c);
	buf_free(&resp);
}

static void test_malformed_responses(void **state)
{
	static const struct srv_conn script[] = {
		{ { "HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n" }, SRV_WAIT_EOF },
		{ { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc" }, SRV_CLOSE },
		{ { "SSH-2.0-OpenSSH\r\n" }, SRV_WAIT_EOF },
	};
	struct fix f;

	(void)state;
	fix_start(&f, script, N(script), 2000);
	assert_int_equal(fix_request(&f, "GET", "/a"), -1);
	assert_true(strncmp(f.err, "malformed response: ", 20) == 0);
	/* Cut short: not an answer, even with a status. */
	assert_int_equal(fix_request(&f, "GET", "/b"), -1);
	assert_string_equal(f.err, "malformed response: connection closed mid-response");
	assert_int_equal(fix_request(&f, "GET", "/c"), -1);
	assert_true(strncmp(f.err, "malformed response: ", 20) == 0);
	fix_done(&f);
	assert_int_equal(f.s.accepted, 3);
}

static void test_invalid_requests_refused(void **state)
{
	static const char *const bad_paths[] = { "", "api/v1/pods", "/a b", "/a\r\nX-Evil: 1",
						  "/\x7f", "/caf\xc3\xa9" };
	static const char *const bad_methods[] = { "", "get", "GE T", "GET\r\n",
						    "AVERYLONGMETHODNAME" };
	struct buf resp = BUF_INIT;
	struct apiclient *c = apiclient_new("/nonexistent/apiserver.sock");
	char err[256];

	(void)state;
	for (size_t i = 0; i < N(bad_paths); i++) {
		err[0] = '\0';
		assert_int_equal(apiclient_request(c, "GET", bad_paths[i], NULL, NULL, 0, &resp,
						   err, sizeof(err)), -1);
		assert_string_equal(err, "invalid request path");
	}
	for (size_t i = 0; i < N(bad_methods); i++) {
		assert_int_equal(apiclient_request(c, bad_methods[i], "/a", NULL, NULL, 0, &resp,
						   err, sizeof(err)), -1);
		assert_string_equal(err, "invalid request method");
	}
	assert_int_equal(apiclient_request(c, "POST", "/a", "application/json\r\nX: y", "{}", 2,
					   &resp, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid content type");
	/* A valid request gets as far as the connect. */
	assert_int_equal(apiclient_request(c, "GET", "/api/v1/pods?labelSelector=app%3Dweb", NULL,
					   NULL, 0, &resp, err, sizeof(err)), -1);
	assert_string_equal(err, "connect /nonexistent/apiserver.sock: No such file or directory");
	apiclient_free(c);
	apiclient_free(NULL);
	buf_free(&resp);
}

/* ---- watches -------------------------------------------------------------- */

struct wrec {
	struct ev_loop *loop;
	struct apiclient_watch *w;
	char events[8][128];
	int n_events;
	size_t longest;
	int free_after;          /* free the watch from on_event after this many; 0: never */
	int ends;
	int end_err;
	char end_msg[256];
	bool guard_fired;
};

static void wrec_on_event(struct apiclient_watch *w, const char *line, size_t len, void *data)
{
	struct wrec *r = data;

	assert_ptr_equal(w, r->w);
	assert_int_equal(strlen(line), len);
	if (len > r->longest)
		r->longest = len;
	if (r->n_events < 8)
		snprintf(r->events[r->n_events], sizeof(r->events[0]), "%s", line);
	r->n_events++;
	if (r->free_after && r->n_events == r->free_after) {
		apiclient_watch_free(w);
		r->w = NULL;
		ev_stop(r->loop);
	}
}

static void wrec_on_end(struct apiclient_watch *w, int err, const char *msg, void *data)
{
	struct wrec *r = data;

	assert_ptr_equal(w, r->w);
	assert_non_null(msg);
	r->ends++;
	r->end_err = err;
	snprintf(r->end_msg, sizeof(r->end_msg), "%s", msg);
	apiclient_watch_free(w);
	r->w = NULL;
	ev_stop(r->loop);
}

static void wrec_guard(struct ev_loop *loop, uint64_t id, void *data)
{
	struct wrec *r = data;

	(void)id;
	r->guard_fired = true;
	ev_stop(loop);
}

/* Starts a watch on the server and runs the loop until the watch is done
 * or `ms` passed. */
static void wrec_run(struct wrec *r, const struct srv *s, int free_after, uint64_t ms)
{
	char err[256] = "";
	uint64_t guard;

	memset(r, 0, sizeof(*r));
	r->loop = ev_loop_new();
	assert_non_null(r->loop);
	r->free_after = free_after;
	r->w = apiclient_watch_start(r->loop, s->u.path,
				     "/api/v1/pods?watch=true&resourceVersion=7",
				     wrec_on_event, wrec_on_end, r, err, sizeof(err));
	assert_non_null(r->w);
	guard = ev_timer_add(r->loop, ms, wrec_guard, r);
	assert_int_equal(ev_run(r->loop), 0);
	ev_timer_cancel(r->loop, guard);
}

static void wrec_done(struct wrec *r)
{
	apiclient_watch_free(r->w);
	ev_loop_free(r->loop);
}

#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
		     "Transfer-Encoding: chunked\r\n\r\n"

static void test_watch_lines_across_chunks(void **state)
{
	/* Chunk 1 ends inside event 1; chunk 2 holds the rest of it, all of
	 * event 2 and the start of 3; the chunk framing itself is cut across
	 * reads too. */
	static const struct srv_conn script[] = {
		{ { CHUNKED_HEAD "7\r\n{\"n\":1," SRV_PAUSE "\r\n1" SRV_PAUSE
		   "5\r\n\"x\":\"a\"}\n{\"n\":2}\n{\"n\"\r\n" SRV_PAUSE
		   "6\r\n:3}\r\n\n\r\n" SRV_PAUSE "0\r\n\r\n" }, SRV_WAIT_EOF },
	};
	struct wrec r;
	struct srv s;

	(void)state;
	srv_start(&s, script, N(script));
	wrec_run(&r, &s, 0, 5000);
	assert_false(r.guard_fired);
	/* The CR before a newline and the empty line are not events. */
	assert_int_equal(r.n_events, 3);
	assert_string_equal(r.events[0], "{\"n\":1,\"x\":\"a\"}");
	assert_string_equal(r.events[1], "{\"n\":2}");
	assert_string_equal(r.events[2], "{\"n\":3}");
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.end_err, 0);
	assert_string_equal(r.end_msg, "");
	wrec_done(&r);
	srv_stop(&s);
	assert_non_null(strstr(buf_str(&s.log),
			       "GET /api/v1/pods?watch=true&resourceVersion=7 HTTP/1.1\r\n"));
	buf_free(&s.log);
}

static void test_watch_last_line_without_newline(void **state)
{
	static const struct srv_conn script[] = {
		{ { CHUNKED_HEAD "f\r\n{\"a\":1}\n{\"b\":2}\r\n0\r\n\r\n" }, SRV_WAIT_EOF },
	};
	struct wrec r;
	struct srv s;

	(void)state;
	srv_start(&s, script, N(script));
	wrec_run(&r, &s, 0, 5000);
	assert_int_equal(r.n_events, 2);
	assert_string_equal(r.events[1], "{\"b\":2}");
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.end_err, 0);
	wrec_done(&r);
	srv_done(&s);
}

static void test_watch_gone(void **state)
{
	static const struct srv_conn script[] = {
		{ { "HTTP/1.1 410 Gone\r\nContent-Type: application/json\r\n"
		    "Content-Length: 41\r\n\r\n"
		    "{\"kind\":\"Status\",\"code\":410,\"reason\":\"" SRV_PAUSE "x\"}" },
		  SRV_WAIT_EOF },
	};
	struct wrec r;
	struct srv s;

	(void)state;
	srv_start(&s, script, N(script));
	wrec_run(&r, &s, 0, 5000);
	assert_int_equal(r.n_events, 0);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.end_err, -1);
	assert_string_equal(r.end_msg, "{\"kind\":\"Status\",\"code\":410,\"reason\":\"x\"}");
	wrec_done(&r);
	srv_done(&s);
}

static void test_watch_cut_stream(void **state)
{
	/* No terminal chunk: the server went away mid-stream. */
	static const struct srv_conn script[] = {
		{ { CHUNKED_HEAD "c\r\n{\"n\":1}\n{\"n\"\r\n" }, SRV_CLOSE },
	};
	struct wrec r;
	struct srv s;

	(void)state;
	srv_start(&s, script, N(script));
	wrec_run(&r, &s, 0, 5000);
	assert_int_equal(r.n_events, 1);
	assert_string_equal(r.events[0], "{\"n\":1}");
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.end_err, -ECONNRESET);
	assert_string_equal(r.end_msg, "connection closed before the end of the stream");
	wrec_done(&r);
	srv_done(&s);
}

static void test_watch_malformed(void **state)
{
	static const struct srv_conn script[] = {
		{ { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" }, SRV_WAIT_EOF },
	};
	struct wrec r;
	struct srv s;

	(void)state;
	srv_start(&s, script, N(script));
	wrec_run(&r, &s, 0, 5000);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.end_err, -EPROTO);
	assert_true(strncmp(r.end_msg, "malformed response: ", 20) == 0);
	wrec_done(&r);
	srv_done(&s);
}

static void test_watch_free_from_event(void **state)
{
	static const struct srv_conn script[] = {
		{ { CHUNKED_HEAD "18\r\n{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n\r\n0\r\n\r\n" },
		  SRV_WAIT_EOF },
	};
	struct wrec r;
	struct srv s;
	uint64_t guard;

	(void)state;
	srv_start(&s, script, N(script));
	wrec_run(&r, &s, 1, 5000);
	assert_null(r.w);
	/* Nothing more reaches the callbacks, even with lines buffered. */
	guard = ev_timer_add(r.loop, 100, wrec_guard, &r);
	assert_int_equal(ev_run(r.loop), 0);
	ev_timer_cancel(r.loop, guard);
	assert_int_equal(r.n_events, 1);
	assert_string_equal(r.events[0], "{\"n\":1}");
	assert_int_equal(r.ends, 0);
	wrec_done(&r);
	/* The server sees the connection end. */
	srv_done(&s);
	assert_int_equal(s.accepted, 1);
}

static void test_watch_line_too_long(void **state)
{
	size_t len = ((size_t)16 << 20) + 100;
	struct srv_conn script[1];
	struct buf reply = BUF_INIT;
	struct wrec r;
	struct srv s;

	(void)state;
	buf_printf(&reply, CHUNKED_HEAD "%zx\r\n", len + 1);
	assert_int_equal(buf_reserve(&reply, len + 16), 0);
	memset(reply.data + reply.len, 'x', len);
	reply.len += len;
	buf_puts(&reply, "\n\r\n0\r\n\r\n");
	memset(script, 0, sizeof(script));
	script[0].replies[0] = reply.data;
	script[0].after = SRV_WAIT_EOF;
	srv_start(&s, script, N(script));
	wrec_run(&r, &s, 0, 10000);
	assert_false(r.guard_fired);
	assert_int_equal(r.n_events, 0);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.end_err, -EMSGSIZE);
	wrec_done(&r);
	srv_done(&s);
	buf_free(&reply);
}

static void test_watch_start_errors(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct wrec r;
	char err[256] = "";

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_null(apiclient_watch_start(loop, "/nonexistent/apiserver.sock", "/api/v1/pods",
					  wrec_on_event, wrec_on_end, &r, err, sizeof(err)));
	assert_string_equal(err, "connect /nonexistent/apiserver.sock: No such file or directory");
	assert_null(apiclient_watch_start(loop, "/nonexistent/apiserver.sock", "/api/v1/pods x",
					  wrec_on_event, wrec_on_end, &r, err, sizeof(err)));
	assert_string_equal(err, "invalid request path");
	assert_null(apiclient_watch_start(loop, "/nonexistent/apiserver.sock", "/api/v1/pods",
					  wrec_on_event, NULL, &r, err, sizeof(err)));
	assert_int_equal(r.ends, 0);
	apiclient_watch_free(NULL);
	ev_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_length_body),
		cmocka_unit_test(test_chunked_body_across_reads),
		cmocka_unit_test(test_keep_alive_reuses_one_connection),
		cmocka_unit_test(test_reconnects_when_kept_connection_closed),
		cmocka_unit_test(test_retries_only_once),
		cmocka_unit_test(test_fresh_connection_closed_is_an_error),
		cmocka_unit_test(test_connection_close_is_honoured),
		cmocka_unit_test(test_body_until_close_and_head),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_connect_errors),
		cmocka_unit_test(test_malformed_responses),
		cmocka_unit_test(test_invalid_requests_refused),
		cmocka_unit_test(test_watch_lines_across_chunks),
		cmocka_unit_test(test_watch_last_line_without_newline),
		cmocka_unit_test(test_watch_gone),
		cmocka_unit_test(test_watch_cut_stream),
		cmocka_unit_test(test_watch_malformed),
		cmocka_unit_test(test_watch_free_from_event),
		cmocka_unit_test(test_watch_line_too_long),
		cmocka_unit_test(test_watch_start_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
