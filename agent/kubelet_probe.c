/* kubelet_probe.c — readiness probes on the agent's event loop.
 *
 * The proxy shares the loop, so a probe never blocks: a non-blocking
 * connect from the node's namespace to the pod's IP, the request written
 * and the status line read as the socket allows, and a timer for
 * timeoutSeconds. Probes of one pod never overlap: the next one is
 * scheduled periodSeconds after the previous one started, or right after
 * it finished if it took longer than that.
 */
#include "kubelet_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "sock.h"

static void kubelet_probe_run(struct ev_loop *loop, uint64_t id, void *data);

/* The outcome of a non-blocking connect: 0 or -errno. */
static int kubelet_probe_sock_error(int fd)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		return -errno;
	return -e;
}

static const struct model_probe *kubelet_probe_spec(const struct kubelet_pod *kp)
{
	return &kp->c->readiness;
}

static void kubelet_probe_close(struct kubelet_pod *kp)
{
	struct kubelet_prober *pr = &kp->prober;

	if (pr->fd >= 0) {
		ev_unwatch(kp->k->loop, pr->fd);
		close(pr->fd);
		pr->fd = -1;
	}
	if (pr->timeout_timer) {
		ev_timer_cancel(kp->k->loop, pr->timeout_timer);
		pr->timeout_timer = 0;
	}
}

static void kubelet_probe_done(struct kubelet_pod *kp, bool ok, const char *why)
{
	const struct model_probe *p = kubelet_probe_spec(kp);
	struct kubelet_prober *pr = &kp->prober;
	uint64_t period = (uint64_t)(p->period_s > 0 ? p->period_s : 10) * 1000u;
	uint64_t took = ev_now_ms() - pr->started_ms;

	kubelet_probe_close(kp);
	if (!ok)
		log_debug("pod %s/%s: readiness probe failed: %s", kp->pod.meta.ns,
			  kp->pod.meta.name, why);
	if (kubelet_probe_record(&kp->probe, p, ok)) {
		if (kp->probe.ready)
			log_info("pod %s/%s: ready", kp->pod.meta.ns, kp->pod.meta.name);
		else
			log_info("pod %s/%s: not ready: %s", kp->pod.meta.ns, kp->pod.meta.name, why);
		kp->status.ready = kp->probe.ready;
		kubelet_pod_report(kp);
	}
	pr->next_timer = ev_timer_add(kp->k->loop, took < period ? period - took : 0,
				      kubelet_probe_run, kp);
}

static void kubelet_probe_timeout(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet_pod *kp = data;

	(void)loop;
	(void)id;
	kp->prober.timeout_timer = 0;
	kubelet_probe_done(kp, false, "timeout");
}

static void kubelet_probe_io(struct ev_loop *loop, int fd, unsigned events, void *data)
{
	struct kubelet_pod *kp = data;
	struct kubelet_prober *pr = &kp->prober;
	char why[128];
	int rc, code;
	ssize_t n;

	(void)events;
	if (pr->sent == 0 && pr->resp_len == 0) {
		rc = kubelet_probe_sock_error(fd);
		if (rc < 0) {
			snprintf(why, sizeof(why), "connect: %s", strerror(-rc));
			kubelet_probe_done(kp, false, why);
			return;
		}
		if (kubelet_probe_spec(kp)->kind == MODEL_PROBE_TCP) {
			kubelet_probe_done(kp, true, "");
			return;
		}
	}
	if (pr->sent < pr->req_len) {
		n = send(fd, pr->req + pr->sent, pr->req_len - pr->sent, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			snprintf(why, sizeof(why), "send: %s", strerror(errno));
			kubelet_probe_done(kp, false, why);
			return;
		}
		if (n > 0)
			pr->sent += (size_t)n;
		if (pr->sent == pr->req_len)
			ev_watch(loop, fd, EV_READ, kubelet_probe_io, kp);
		return;
	}
	n = recv(fd, pr->resp + pr->resp_len, sizeof(pr->resp) - pr->resp_len, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		snprintf(why, sizeof(why), "recv: %s", strerror(errno));
		kubelet_probe_done(kp, false, why);
		return;
	}
	pr->resp_len += (size_t)n;
	code = kubelet_http_status(pr->resp, pr->resp_len);
	if (code == 0 && n > 0 && pr->resp_len < sizeof(pr->resp))
		return;
	if (code <= 0) {
		kubelet_probe_done(kp, false, n == 0 ? "connection closed before a status line"
						      : "not an HTTP response");
		return;
	}
	/* kubelet's rule: 200 <= code < 400 is a success. */
	snprintf(why, sizeof(why), "HTTP probe failed with statuscode: %d", code);
	kubelet_probe_done(kp, code >= 200 && code < 400, why);
}

static void kubelet_probe_run(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet_pod *kp = data;
	struct kubelet_prober *pr = &kp->prober;
	const struct model_probe *p = kubelet_probe_spec(kp);
	struct sockaddr_in sin;
	int fd;

	(void)id;
	pr->next_timer = 0;
	pr->started_ms = ev_now_ms();
	pr->sent = pr->resp_len = 0;
	pr->port = kubelet_probe_port(kp->c, p);
	if (pr->port <= 0) {
		if (!pr->warned)
			log_warn("pod %s/%s: readiness probe port \"%s\" is not a container port",
				 kp->pod.meta.ns, kp->pod.meta.name, p->port_name);
		pr->warned = true;
		kubelet_probe_done(kp, false, "no such port");
		return;
	}
	if (p->kind == MODEL_PROBE_HTTP) {
		int len = kubelet_probe_request(pr->req, sizeof(pr->req), p, kp->pod.ip, pr->port);

		pr->req_len = len > 0 ? (size_t)len : 0;
	} else {
		pr->req_len = 0;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = kp->pod.ip;
	sin.sin_port = htons((uint16_t)pr->port);
	fd = sock_connect_tcp((struct sockaddr *)&sin, sizeof(sin));
	if (fd < 0) {
		char why[128];

		snprintf(why, sizeof(why), "connect: %s", strerror(-fd));
		kubelet_probe_done(kp, false, why);
		return;
	}
	pr->fd = fd;
	if (ev_watch(loop, fd, EV_WRITE, kubelet_probe_io, kp) < 0) {
		kubelet_probe_done(kp, false, "event loop full");
		return;
	}
	pr->timeout_timer = ev_timer_add(loop, (uint64_t)(p->timeout_s > 0 ? p->timeout_s : 1) * 1000u,
					 kubelet_probe_timeout, kp);
}

void kubelet_probe_begin(struct kubelet_pod *kp, uint64_t first_ms)
{
	kubelet_probe_end(kp);
	kp->prober.warned = false;
	kp->prober.next_timer = ev_timer_add(kp->k->loop, first_ms, kubelet_probe_run, kp);
}

void kubelet_probe_end(struct kubelet_pod *kp)
{
	kubelet_probe_close(kp);
	if (kp->prober.next_timer) {
		ev_timer_cancel(kp->k->loop, kp->prober.next_timer);
		kp->prober.next_timer = 0;
	}
}
