/* lb_api.c — Services from the lab's API server, status and Events back. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "apiclient.h"
#include "apiobj.h"
#include "apiwatch.h"
#include "buf.h"
#include "lab.h"
#include "lb_api.h"
#include "log.h"
#include "store.h"

struct lb_api {
	struct ev_loop *loop;
	char sock[LAB_PATH_MAX + 32];
	struct apiclient *c;           /* status and Events */
	struct apiwatch *svcs;         /* the Services, listed and watched */
	bool down_said;                /* "not answering" was logged */
	uint64_t quiet_until;          /* no request before (ev_now_ms) after a failure */
	struct apiobj_events events;   /* recorded, for counting repeats */
	const char *event_what;        /* for lb_api_event_send's log lines */
};

struct lb_api *lb_api_new(struct ev_loop *loop, const char *socket_path,
			  lb_api_change_cb *on_change, void *data)
{
	struct lb_api *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->loop = loop;
	snprintf(a->sock, sizeof(a->sock), "%s", socket_path);
	a->c = apiclient_new(socket_path);
	a->svcs = apiwatch_new(loop, socket_path, "/api/v1/services", "services", on_change, data);
	if (!a->c || !a->svcs) {
		lb_api_free(a);
		return NULL;
	}
	apiclient_set_timeout(a->c, LB_API_TIMEOUT_MS);
	return a;
}

void lb_api_free(struct lb_api *a)
{
	if (!a)
		return;
	apiwatch_free(a->svcs);
	apiclient_free(a->c);
	free(a);
}

bool lb_api_synced(const struct lb_api *a)
{
	return apiwatch_synced(a->svcs);
}

/* A failed request: said once until the server answers again, and no
 * other request for a while, so that a frozen server costs the loop one
 * timeout per LB_API_RETRY_MS rather than one per Service. */
static void lb_api_failed(struct lb_api *a, const char *what, const char *err)
{
	if (!a->down_said)
		log_warn("API server at %s: %s: %s; the data path stays as it is, retrying",
			 a->sock, what, err);
	a->down_said = true;
	a->quiet_until = ev_now_ms() + LB_API_RETRY_MS;
}

static void lb_api_answered(struct lb_api *a)
{
	if (a->down_said)
		log_info("API server at %s answers again", a->sock);
	a->down_said = false;
}

void lb_api_start(struct lb_api *a)
{
	apiwatch_start(a->svcs);
}

int lb_api_services(const struct lb_api *a, struct model_service **out, int *n, char *err,
		    size_t errlen)
{
	return apiwatch_services(a->svcs, out, n, err, errlen);
}

/* One request, unless the server failed a moment ago. The HTTP status, or
 * -1 (logged). */
static int lb_api_send(struct lb_api *a, const char *method, const char *path,
		       const char *content_type, json_t *body, const char *what)
{
	struct buf b = BUF_INIT;
	char *text = json_dumps(body, JSON_COMPACT), err[256];
	int code = -1;

	if (!text)
		return -1;
	if (a->quiet_until && ev_now_ms() < a->quiet_until)
		goto out;
	code = apiclient_request(a->c, method, path, content_type, text, strlen(text), &b, err,
				 sizeof(err));
	if (code < 0) {
		lb_api_failed(a, what, err);
		goto out;
	}
	lb_api_answered(a);
	if (code < 200 || code >= 300)
		log_warn("%s: HTTP %d: %.300s", what, code, buf_str(&b));
out:
	free(text);
	buf_free(&b);
	return code;
}

int lb_api_put_status(struct lb_api *a, const char *ns, const char *name, struct in_addr ip)
{
	char path[600], addr[INET_ADDRSTRLEN], what[300];
	json_t *body;
	int code;

	/* A merge patch: null removes the ingress, and nothing else of the
	 * status is touched. */
	if (ip.s_addr)
		body = json_pack("{s:{s:{s:[{s:s, s:s}]}}}", "status", "loadBalancer", "ingress",
				 "ip", inet_ntop(AF_INET, &ip, addr, sizeof(addr)), "ipMode", "VIP");
	else
		body = json_pack("{s:{s:{s:n}}}", "status", "loadBalancer", "ingress");
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/services/%s/status", ns, name);
	snprintf(what, sizeof(what), "%s/%s: writing the status", ns, name);
	code = lb_api_send(a, "PATCH", path, "application/merge-patch+json", body, what);
	json_decref(body);
	return code >= 200 && code < 300 ? 0 : -1;
}

static int lb_api_event_send(void *ctx, const char *method, const char *path,
			     const char *content_type, json_t *body)
{
	struct lb_api *a = ctx;

	return lb_api_send(a, method, path, content_type, body, a->event_what);
}

int lb_api_event(struct lb_api *a, const struct model_meta *svc, const char *type,
		 const char *reason, const char *message, const char *component)
{
	char what[300];
	json_t *body = apiobj_event_new(svc->ns, "v1", "Service", svc->ns, svc->name, svc->uid, type,
					reason, message, component);
	int code;

	if (!body)
		return -1;
	snprintf(what, sizeof(what), "%s/%s: recording %s", svc->ns, svc->name, reason);
	a->event_what = what;
	code = apiobj_event_record(&a->events, body, lb_api_event_send, a);
	a->event_what = NULL;
	json_decref(body);
	return code >= 200 && code < 300 ? 0 : -1;
}
