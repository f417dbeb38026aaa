/* api_log.c — GET pods/<name>/log (see api_server.h).
 *
 * The real API server asks the pod's kubelet for its container's log. In a
 * lab the kubelet role (clientip-agent) writes each pod's output to
 * <statedir>/logs/pods/<namespace>_<pod>.log and the API server runs on the
 * same machine, so it reads that file: the one place where it reads a file
 * another component writes, listed in apiserver/README.md. With
 * follow=true the reply stays open and new output is sent as it appears,
 * until the pod is gone or the client leaves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_server.h"

#define API_LOG_POLL_MS 200
#define API_LOG_CHUNK   65536

struct api_log_follow {
	struct api_server *s;
	struct api_http_conn *c;
	int fd;
	char ns[254], name[254], uid[64];
	uint64_t timer;
};

static void api_log_follow_free(struct api_log_follow *f)
{
	if (f->timer)
		ev_timer_cancel(f->s->loop, f->timer);
	if (f->fd >= 0)
		close(f->fd);
	free(f);
}

static void api_log_on_close(struct api_http_conn *c, void *data)
{
	(void)c;
	api_log_follow_free(data);
}

/* Sends what the file has beyond the offset; false if the client is gone. */
static bool api_log_pump(struct api_log_follow *f)
{
	char buf[API_LOG_CHUNK];
	ssize_t n;

	while ((n = read(f->fd, buf, sizeof(buf))) > 0)
		if (api_http_stream_write(f->c, buf, (size_t)n) < 0)
			return false;
	return true;
}

static void api_log_on_timer(struct ev_loop *loop, uint64_t id, void *data)
{
	struct api_log_follow *f = data;
	const json_t *pod;
	const char *uid;

	(void)id;
	f->timer = 0;
	if (!api_log_pump(f))
		return;
	pod = api_objects_get(f->s->objects, api_registry_find("", "v1", "pods"), f->ns, f->name);
	uid = json_string_value(json_object_get(json_object_get(pod, "metadata"), "uid"));
	if (!pod || !uid || strcmp(uid, f->uid) != 0) {
		api_http_on_close(f->c, NULL, NULL);
		api_http_stream_end(f->c);
		api_log_follow_free(f);
		return;
	}
	f->timer = ev_timer_add(loop, API_LOG_POLL_MS, api_log_on_timer, f);
}

/* Where the last n lines of the file start. */
static off_t api_log_tail_offset(int fd, long lines)
{
	struct stat st;
	char buf[4096];
	off_t pos;
	long seen = 0;

	if (fstat(fd, &st) < 0 || st.st_size == 0)
		return 0;
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

void api_log_serve(struct api_server *s, struct api_http_conn *c, const struct api_http_req *req,
		   const json_t *pod)
{
	const json_t *meta = json_object_get(pod, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	const char *uid = json_string_value(json_object_get(meta, "uid"));
	struct api_log_follow *f;
	char path[8192], q[32];
	int fd;

	snprintf(path, sizeof(path), "%s/logs/pods/%s_%s.log", s->statedir, ns ? ns : "",
		 name ? name : "");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		json_t *st = api_status_new(400, "BadRequest", NULL, "container \"%s\" in pod \"%s\" "
					    "is waiting to start: ContainerCreating",
					    json_string_value(json_object_get(json_array_get(
						    json_object_get(json_object_get(pod, "spec"),
								    "containers"), 0), "name")) ?: "",
					    name ? name : "");
		char *text = json_dumps(st, JSON_COMPACT);
		api_http_respond(c, 400, "application/json", NULL, text, strlen(text));
		free(text);
		json_decref(st);
		return;
	}
	if (api_http_query_get(req->query, "tailLines", q, sizeof(q)))
		lseek(fd, api_log_tail_offset(fd, strtol(q, NULL, 10)), SEEK_SET);
	if (!api_http_query_get(req->query, "follow", q, sizeof(q)) || strcmp(q, "true") != 0) {
		struct stat st;
		off_t off = lseek(fd, 0, SEEK_CUR);
		size_t len = fstat(fd, &st) == 0 && st.st_size > off ? (size_t)(st.st_size - off) : 0;
		char *body = malloc(len ? len : 1);
		ssize_t n = body ? pread(fd, body, len, off) : -1;
		if (api_http_query_get(req->query, "limitBytes", q, sizeof(q)) &&
		    strtol(q, NULL, 10) > 0 && n > strtol(q, NULL, 10))
			n = strtol(q, NULL, 10);
		api_http_respond(c, 200, "text/plain", NULL, body ? body : "", n > 0 ? (size_t)n : 0);
		free(body);
		close(fd);
		return;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		api_http_respond(c, 500, "text/plain", NULL, "", 0);
		return;
	}
	*f = (struct api_log_follow){ .s = s, .c = c, .fd = fd };
	snprintf(f->ns, sizeof(f->ns), "%s", ns ? ns : "");
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "");
	snprintf(f->uid, sizeof(f->uid), "%s", uid ? uid : "");
	api_http_stream_start(c, 200, "text/plain");
	api_http_on_close(c, api_log_on_close, f);
	if (api_log_pump(f))
		f->timer = ev_timer_add(s->loop, API_LOG_POLL_MS, api_log_on_timer, f);
}
