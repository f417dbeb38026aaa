/* kubelet_logs.c — the kubelet's own HTTP API: its pods' output.
 *
 *   GET /containerLogs/<namespace>/<pod>/<container>
 *       ?tailLines=N&limitBytes=N&follow=true
 *
 * answers with what the pod's process wrote to its log (kubelet_spawn's
 * log_path) as text/plain. This is where the API server's pods/log ends up,
 * as a real API server asks the pod's kubelet on its port 10250; the lab's
 * kubelet listens on a Unix socket instead (lab_kubelet_socket), so that
 * the API server, in the host's namespace, never sends to a lab address.
 *
 * Errors are a status with a one-line text body, which the API server
 * passes on as a Status's message: 404 for a pod or container this kubelet
 * does not run, 400 "... is waiting to start: ContainerCreating" before the
 * pod's first start wrote anything (the kubelet's own words).
 *
 * The answer is streamed from the file, never held whole: no more than
 * KUBELET_LOGS_QUEUE_HIGH waits for the client at a time, the rest is read
 * as the client takes it. Without follow it ends at the size the file had
 * when asked; limitBytes ends it sooner. follow=true keeps the answer open
 * and sends new output as it appears (read every KUBELET_LOGS_POLL_MS),
 * until limitBytes, or the pod is over — its process done for good, or
 * the pod (that uid) gone from this node — or the client leaves. One
 * process per pod here: every container of a pod shares its log, and the
 * container name only has to be one of the pod's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "httpd.h"
#include "kubelet_int.h"
#include "log.h"
#include "sock.h"

#define KUBELET_LOGS_POLL_MS 200
/* A client slower than the file: look again this soon. */
#define KUBELET_LOGS_BUSY_MS 10
#define KUBELET_LOGS_QUEUE_HIGH (1u << 20)
#define KUBELET_LOGS_CHUNK   65536

struct kubelet_log_stream {
	struct kubelet *k;
	struct httpd_stream *st;
	int fd;
	bool follow;
	long long left;           /* bytes still to send; -1: no limit */
	char ns[MODEL_NAME_MAX], name[MODEL_NAME_MAX], uid[40];
	uint64_t timer;
};

enum kl_pump {
	KL_PUMP_FAILED,           /* the stream is broken: end it */
	KL_PUMP_ALL,              /* the file's end for now */
	KL_PUMP_LIMIT,            /* all that was asked for is sent */
	KL_PUMP_MORE,             /* the client has enough waiting: later */
};

static void kl_log_stream_free(struct kubelet_log_stream *f)
{
	if (f->timer)
		ev_timer_cancel(f->k->loop, f->timer);
	if (f->fd >= 0)
		close(f->fd);
	free(f);
}

static void kl_log_on_gone(struct httpd_stream *st, void *data)
{
	(void)st;
	kl_log_stream_free(data);
}

/* Sends what the file has beyond the offset, as much as the client's
 * queue takes. */
static enum kl_pump kl_log_pump(struct kubelet_log_stream *f)
{
	char buf[KUBELET_LOGS_CHUNK];

	while (f->left != 0) {
		size_t want = sizeof(buf);
		ssize_t n;

		if (httpd_stream_queued(f->st) >= KUBELET_LOGS_QUEUE_HIGH)
			return KL_PUMP_MORE;
		if (f->left > 0 && (unsigned long long)f->left < want)
			want = (size_t)f->left;
		n = read(f->fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return KL_PUMP_FAILED;
		if (n == 0)
			return KL_PUMP_ALL;
		if (httpd_stream_write(f->st, buf, (size_t)n) < 0)
			return KL_PUMP_FAILED;
		if (f->left > 0)
			f->left -= n;
	}
	return KL_PUMP_LIMIT;
}

/* The pod this kubelet runs under that name and uid, while it may still
 * write output: NULL once it is gone or its process is done for good. */
static const struct kubelet_pod *kl_log_live(const struct kubelet_log_stream *f)
{
	const struct kubelet_pod *kp = kl_find(f->k, f->ns, f->name);

	if (!kp || strcmp(kp->pod.meta.uid, f->uid) != 0 || kp->removed ||
	    kp->state == KUBELET_POD_DONE)
		return NULL;
	return kp;
}

static void kl_log_on_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet_log_stream *f = data;
	bool live = kl_log_live(f) != NULL;

	enum kl_pump r;

	(void)id;
	f->timer = 0;
	/* Read after the check: what a process wrote before it ended is
	 * sent before the end. */
	r = kl_log_pump(f);
	if (r == KL_PUMP_FAILED || r == KL_PUMP_LIMIT ||
	    (r == KL_PUMP_ALL && (!f->follow || !live))) {
		httpd_stream_end(f->st);
		kl_log_stream_free(f);
		return;
	}
	f->timer = ev_timer_add(loop, r == KL_PUMP_MORE ? KUBELET_LOGS_BUSY_MS
						     : KUBELET_LOGS_POLL_MS, kl_log_on_timer, f);
}

/* Where the last n lines of the file start (n < 0: the whole file, 0:
 * its end). */
static off_t kl_log_tail_offset(int fd, long lines)
{
	struct stat st;
	char buf[4096];
	off_t pos;
	long seen = 0;

	if (lines < 0 || fstat(fd, &st) < 0 || st.st_size == 0)
		return 0;
	if (lines == 0)
		return st.st_size;
	pos = st.st_size;
	while (pos > 0) {
		size_t len = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
		ssize_t n = pread(fd, buf, len, pos - (off_t)len);

		if (n <= 0)
			return 0;
		for (ssize_t i = n - 1; i >= 0; i--) {
			/* The file's final newline ends the last line, it does
			 * not start a new one. */
			if (buf[i] == '\n' && pos - (off_t)len + i != st.st_size - 1 &&
			    ++seen == lines)
				return pos - (off_t)len + i + 1;
		}
		pos -= (off_t)len;
	}
	return 0;
}

static void kl_log_error(struct httpd_resp *resp, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void kl_log_error(struct httpd_resp *resp, int status, const char *fmt, ...)
{
	va_list ap;

	resp->status = status;
	va_start(ap, fmt);
	buf_vprintf(&resp->body, fmt, ap);
	va_end(ap);
	buf_puts(&resp->body, "\n");
}

/* A non-negative number, or -1 for an absent or malformed one. */
static long kl_log_query_num(const char *query, const char *key)
{
	char v[32], *end;
	long n;

	if (!query || !httpd_query_get(query, key, v, sizeof(v)) || !v[0])
		return -1;
	n = strtol(v, &end, 10);
	return *end || n < 0 ? -1 : n;
}

static bool kl_log_has_container(const struct kubelet_pod *kp, const char *name)
{
	for (int i = 0; i < kp->pod.spec.n_containers; i++)
		if (strcmp(kp->pod.spec.containers[i].name, name) == 0)
			return true;
	return false;
}

static void kl_logs_handle(const struct httpd_req *req, struct httpd_resp *resp, void *data)
{
	struct kubelet *k = data;
	const char *query = strchr(req->target, '?');
	char ns[MODEL_NAME_MAX], name[MODEL_NAME_MAX], ctr[MODEL_NAME_MAX], follow[8];
	const struct kubelet_pod *kp;
	struct kubelet_log_stream *f;
	long tail, limit;
	off_t off;
	int fd, n = 0;

	if (query)
		query++;
	if (sscanf(req->path, "/containerLogs/%63[^/]/%63[^/]/%63[^/]%n", ns, name, ctr, &n) != 3 ||
	    req->path[n] != '\0') {
		kl_log_error(resp, 404, "not found: %s", req->path);
		return;
	}
	if (strcmp(req->method, "GET") != 0) {
		kl_log_error(resp, 405, "method %s not allowed", req->method);
		return;
	}
	kp = kl_find(k, ns, name);
	if (!kp || kp->removed) {
		kl_log_error(resp, 404, "pod \"%s/%s\" not found", ns, name);
		return;
	}
	if (!kl_log_has_container(kp, ctr)) {
		kl_log_error(resp, 404, "container \"%s\" not found in pod \"%s/%s\"", ctr, ns,
			     name);
		return;
	}
	fd = open(kp->log_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			kl_log_error(resp, 400, "container \"%s\" in pod \"%s\" is waiting to "
				     "start: ContainerCreating", ctr, name);
		else
			kl_log_error(resp, 500, "%s: %s", kp->log_path, strerror(errno));
		return;
	}
	tail = kl_log_query_num(query, "tailLines");
	limit = kl_log_query_num(query, "limitBytes");
	off = kl_log_tail_offset(fd, tail);
	snprintf(resp->content_type, sizeof(resp->content_type), "text/plain");
	lseek(fd, off, SEEK_SET);
	f = calloc(1, sizeof(*f));
	if (f)
		f->st = httpd_resp_stream(resp, kl_log_on_gone, f);
	if (!f || !f->st) {
		free(f);
		close(fd);
		kl_log_error(resp, 500, "out of memory");
		return;
	}
	f->k = k;
	f->fd = fd;
	f->follow = query && httpd_query_get(query, "follow", follow, sizeof(follow)) &&
		    strcmp(follow, "true") == 0;
	f->left = limit > 0 ? limit : -1;
	if (!f->follow) {
		/* What the file holds now, not what the pod writes meanwhile. */
		struct stat st;
		long long now = fstat(fd, &st) == 0 && st.st_size > off
					? (long long)(st.st_size - off) : 0;

		if (f->left < 0 || now < f->left)
			f->left = now;
	}
	snprintf(f->ns, sizeof(f->ns), "%s", ns);
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->uid, sizeof(f->uid), "%s", kp->pod.meta.uid);
	/* The first bytes go out from the loop, as every later read. */
	f->timer = ev_timer_add(k->loop, 0, kl_log_on_timer, f);
}

int kl_logs_start(struct kubelet *k, char *err, size_t errlen)
{
	char path[LAB_PATH_MAX + 64], dir[LAB_PATH_MAX + 16];
	int fd, rc;

	if (!lab_kubelet_socket(k->cfg->statedir, k->cfg->node, path, sizeof(path))) {
		snprintf(err, errlen, "kubelet socket for %s: path too long", k->cfg->node);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", k->cfg->statedir, LAB_STATE_RUN);
	rc = fs_mkdir_p(dir, 0755);
	fd = rc < 0 ? rc : sock_listen_unix(path, 64);
	if (fd < 0) {
		snprintf(err, errlen, "listen on %s: %s", path, strerror(-fd));
		return -1;
	}
	k->logs_srv = httpd_new_listener(k->loop, fd, NULL, kl_logs_handle, k);
	if (!k->logs_srv) {
		unlink(path);
		snprintf(err, errlen, "listen on %s: %s", path, strerror(ENOMEM));
		return -1;
	}
	snprintf(k->logs_path, sizeof(k->logs_path), "%s", path);
	return 0;
}

void kl_logs_stop(struct kubelet *k)
{
	/* Every follower's on_gone frees it. */
	httpd_free(k->logs_srv);
	k->logs_srv = NULL;
	if (k->logs_path[0])
		unlink(k->logs_path);
	k->logs_path[0] = '\0';
}
