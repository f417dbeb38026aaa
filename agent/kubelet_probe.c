/* kubelet_probe.c — readiness probes on the agent's event loop.
 *
 * The proxy shares the loop, so a probe never blocks: each one is a
 * lib/probe attempt from the node's namespace to the pod's IP, with
 * timeoutSeconds as its timeout. Probes of one pod never overlap: the
 * next one is scheduled periodSeconds after the previous one started, or
 * right after it finished if it took longer than that.
 */
#include "kubelet_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

/* What kubelet sends, so an app that logs or checks probes sees the same. */
#define KUBELET_PROBE_HEADERS "User-Agent: kube-probe/1.29\r\nAccept: */*\r\n"

static void kl_probe_run(struct ev_loop *loop, uint64_t id, void *data);

static const struct model_probe *kl_probe_spec(const struct kubelet_pod *kp)
{
	return &kp->c->readiness;
}

/* What a failed probe reports, in kubelet's words (Go's error texts, as
 * `kubectl describe pod` shows them in the Unhealthy Event), or "" when
 * there is nothing to say (no such port). */
static void kl_probe_output(const struct kubelet_pod *kp, const struct probe_result *r,
			    char *out, size_t len)
{
	const struct model_probe *p = kl_probe_spec(kp);
	bool http = p->kind == MODEL_PROBE_HTTP;
	char hostport[64], get[MODEL_PATH_MAX + 96], err[96];
	int port = kl_probe_port(kp->c, p);

	snprintf(hostport, sizeof(hostport), "%s:%d", inet_ntoa(kp->pod.ip), port);
	/* Go's syscall errors are glibc's with a lower-case first letter. */
	snprintf(err, sizeof(err), "%s", strerror(r->error));
	err[0] = (char)tolower((unsigned char)err[0]);
	snprintf(get, sizeof(get), "Get \"http://%s%s\": ", hostport, p->path[0] ? p->path : "/");
	if (r->outcome == PROBE_TIMEOUT)
		snprintf(out, len, http ? "%scontext deadline exceeded (Client.Timeout exceeded "
				   "while awaiting headers)" : "%sdial tcp %s: i/o timeout",
			 http ? get : "", hostport);
	else if (r->outcome == PROBE_OK)
		snprintf(out, len, "HTTP probe failed with statuscode: %d", r->status);
	else if (r->stage == PROBE_CONNECT)
		snprintf(out, len, "%sdial tcp %s: connect: %s", http ? get : "", hostport, err);
	else if (r->stage == PROBE_SEND)
		snprintf(out, len, "%swrite tcp %s: %s", get, hostport, err);
	else if (r->error == 0)
		snprintf(out, len, "%sEOF", get);
	else if (r->error == EPROTO)
		snprintf(out, len, "%snet/http: HTTP/1.x transport connection broken: malformed "
			 "HTTP response", get);
	else
		snprintf(out, len, "%sread tcp %s: %s", get, hostport, err);
}

static void kl_probe_done(struct kubelet_pod *kp, bool ok, const char *why,
			  const char *output)
{
	const struct model_probe *p = kl_probe_spec(kp);
	struct kubelet_prober *pr = &kp->prober;
	uint64_t period = (uint64_t)(p->period_s > 0 ? p->period_s : 10) * 1000u;
	uint64_t took = ev_now_ms() - pr->started_ms;

	if (!ok)
		log_debug("pod %s/%s: readiness probe failed: %s", kp->pod.meta.ns,
			  kp->pod.meta.name, why);
	/* kubelet records every failure; repeats count on one Event. */
	if (!ok && output && output[0]) {
		char msg[MODEL_PATH_MAX + 560];

		snprintf(msg, sizeof(msg), "Readiness probe failed: %s", output);
		kl_pod_event(kp, "Warning", "Unhealthy", msg);
	}
	if (kl_probe_record(&kp->probe, p, ok)) {
		if (kp->probe.ready)
			log_info("pod %s/%s: ready", kp->pod.meta.ns, kp->pod.meta.name);
		else
			log_info("pod %s/%s: not ready: %s", kp->pod.meta.ns, kp->pod.meta.name,
				 why);
		kp->status.ready = kp->probe.ready;
		kl_pod_report(kp);
	}
	pr->next_timer = ev_timer_add(kp->k->loop, took < period ? period - took : 0,
				      kl_probe_run, kp);
}

static void kl_probe_result(const struct probe_result *r, void *data)
{
	struct kubelet_pod *kp = data;
	char why[128], output[MODEL_PATH_MAX + 512];
	bool ok;

	kl_probe_output(kp, r, output, sizeof(output));
	if (r->outcome == PROBE_TIMEOUT) {
		kl_probe_done(kp, false, "timeout", output);
		return;
	}
	if (r->outcome == PROBE_OK) {
		if (kl_probe_spec(kp)->kind == MODEL_PROBE_TCP) {
			kl_probe_done(kp, true, "", NULL);
			return;
		}
		/* kubelet's rule: 200 <= code < 400 is a success. */
		ok = r->status >= 200 && r->status < 400;
		kl_probe_done(kp, ok, output, output);
		return;
	}
	if (r->stage == PROBE_CONNECT)
		snprintf(why, sizeof(why), "connect: %s", strerror(r->error));
	else if (r->stage == PROBE_SEND)
		snprintf(why, sizeof(why), "send: %s", strerror(r->error));
	else if (r->error == 0)
		snprintf(why, sizeof(why), "connection closed before a status line");
	else if (r->error == EPROTO)
		snprintf(why, sizeof(why), "not an HTTP response");
	else
		snprintf(why, sizeof(why), "recv: %s", strerror(r->error));
	kl_probe_done(kp, false, why, output);
}

static void kl_probe_run(struct ev_loop *loop, uint64_t id, void *data)
{
	struct kubelet_pod *kp = data;
	struct kubelet_prober *pr = &kp->prober;
	const struct model_probe *p = kl_probe_spec(kp);
	struct probe_spec ps = {
		.kind = p->kind == MODEL_PROBE_HTTP ? PROBE_HTTP : PROBE_TCP,
		.addr = kp->pod.ip,
		.path = p->path,
		.headers = KUBELET_PROBE_HEADERS,
		.timeout_ms = (uint32_t)(p->timeout_s > 0 ? p->timeout_s : 1) * 1000u,
	};
	int rc;

	(void)id;
	pr->next_timer = 0;
	pr->started_ms = ev_now_ms();
	ps.port = kl_probe_port(kp->c, p);
	if (ps.port <= 0) {
		if (!pr->warned)
			log_warn("pod %s/%s: readiness probe port \"%s\" is not a container port",
				 kp->pod.meta.ns, kp->pod.meta.name, p->port_name);
		pr->warned = true;
		kl_probe_done(kp, false, "no such port", NULL);
		return;
	}
	rc = probe_start(&pr->attempt, loop, &ps, kl_probe_result, kp);
	if (rc < 0) {
		char why[128];

		struct probe_result r = { .outcome = PROBE_FAILED, .stage = PROBE_CONNECT,
					  .error = -rc };
		char output[MODEL_PATH_MAX + 512];

		snprintf(why, sizeof(why), "connect: %s", strerror(-rc));
		kl_probe_output(kp, &r, output, sizeof(output));
		kl_probe_done(kp, false, why, output);
	}
}

void kl_probe_begin(struct kubelet_pod *kp, uint64_t first_ms)
{
	kl_probe_end(kp);
	kp->prober.warned = false;
	kp->prober.next_timer = ev_timer_add(kp->k->loop, first_ms, kl_probe_run, kp);
}

void kl_probe_end(struct kubelet_pod *kp)
{
	probe_cancel(&kp->prober.attempt);
	if (kp->prober.next_timer) {
		ev_timer_cancel(kp->k->loop, kp->prober.next_timer);
		kp->prober.next_timer = 0;
	}
}
