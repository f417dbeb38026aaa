/* lb_report.c — what the API says of a Service's load balancer: its
 * frontend in status.loadBalancer.ingress, its reports (a pending
 * frontend, a refused spec, the conf's warnings) as Warning Events posted
 * once while they stand, the service controller's Events around a first
 * frontend, and the Event that says what a switch to
 * externalTrafficPolicy Local does next.
 */
#include "lb_daemon.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "lb_api.h"
#include "lb_daemon_int.h"
#include "log.h"

#define LB_SYNC_FAILED "SyncLoadBalancerFailed"
#define LB_COMPONENT   "clientip-lb"

/* One of the Service's reports, as an Event once: reports already posted
 * (in s->events, one JSON object each) are not posted again while they
 * stand. */
static void lb_svc_report(struct lb_svc *s, struct buf *now, const char *reason,
			  const char *message)
{
	struct buf one = BUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &one, false);
	jsonw_begin_object(&w);
	jsonw_kv_str(&w, "reason", reason);
	jsonw_kv_str(&w, "message", message);
	jsonw_end_object(&w);
	buf_printf(now, "%s\n", buf_str(&one));
	if (!strstr(buf_str(&s->events), buf_str(&one)) &&
	    lb_api_event(s->lbd->api, &s->spec.meta, "Warning", reason, message, LB_COMPONENT) < 0)
		/* Not posted: leave it out, so the next sync posts it. */
		now->len -= one.len + 1;
	buf_free(&one);
}

/* Publishes the frontend through the Service's status, when the server's
 * status (api_ingress) differs from it, and the reports as Events. */
void lb_svc_publish(struct lb_svc *s, struct in_addr api_ingress)
{
	struct buf events = BUF_INIT, now = BUF_INIT;
	char ip[INET_ADDRSTRLEN] = "";

	if (s->pending_reason[0])
		lb_svc_report(s, &events, s->pending_reason, s->pending_message);
	if (s->error[0]) {
		char msg[LB_EVENT_MESSAGE_MAX + 80];

		/* The words of Kubernetes' service controller around the cloud
		 * provider's error. */
		snprintf(msg, sizeof(msg), "Error syncing load balancer: failed to ensure load "
			 "balancer: %s", s->error);
		lb_svc_report(s, &events, LB_SYNC_FAILED, msg);
	}
	for (int i = 0; i < s->conf.n_events; i++)
		lb_svc_report(s, &events, s->conf.events[i].reason, s->conf.events[i].message);
	buf_reset(&s->events);
	buf_puts(&s->events, buf_str(&events));
	if (s->frontend.s_addr != api_ingress.s_addr &&
	    lb_api_put_status(s->lbd->api, s->spec.meta.ns, s->spec.meta.name, s->frontend) == 0 &&
	    s->frontend.s_addr && !api_ingress.s_addr) {
		/* What Kubernetes' service controller records around the cloud
		 * provider's EnsureLoadBalancer. */
		lb_api_event(s->lbd->api, &s->spec.meta, "Normal", "EnsuringLoadBalancer",
			     "Ensuring load balancer", "service-controller");
		lb_api_event(s->lbd->api, &s->spec.meta, "Normal", "EnsuredLoadBalancer",
			     "Ensured load balancer", "service-controller");
	}
	if (s->frontend.s_addr)
		inet_ntop(AF_INET, &s->frontend, ip, sizeof(ip));
	buf_printf(&now, "%s %s", ip, buf_str(&events));
	if (s->status.len && strcmp(buf_str(&now), buf_str(&s->status)) == 0)
		goto out;
	if (s->error[0])
		log_warn("%s/%s: %s: %s", s->spec.meta.ns, s->spec.meta.name, LB_SYNC_FAILED,
			 s->error);
	else if (s->frontend.s_addr)
		log_info("%s/%s: frontend %s", s->spec.meta.ns, s->spec.meta.name, ip);
	else
		log_warn("%s/%s: frontend pending: %s", s->spec.meta.ns, s->spec.meta.name,
			 s->pending_message);
	buf_reset(&s->status);
	buf_puts(&s->status, buf_str(&now));
out:
	buf_free(&events);
	buf_free(&now);
}

/* A live Service switched from Cluster to Local: what happens next is
 * not visible anywhere else. Nodes without a ready pod fail their probe at
 * once, but the pool keeps them until the probe has failed num-of-probe
 * times, and the new flows sent to them meanwhile are dropped there (as on
 * AKS), unless the Service asks its nodes to hand them over. */
void lb_svc_tell_local(struct lb_svc *s, const struct model_service *spec,
			      const struct lb_conf *c)
{
	const struct lb_probe_conf *p = c->n_probes > 0 ? &c->probes[0] : NULL;
	int window = p ? p->interval_s * p->threshold : 0;
	char msg[LB_EVENT_MESSAGE_MAX];

	if (model_map_get(&spec->meta.annotations, MODEL_ANN_LOCAL_HANDOVER)) {
		snprintf(msg, sizeof(msg), "externalTrafficPolicy is now Local: nodes without a ready "
			 "pod leave the pool after %d failed probes (about %d s); meanwhile they hand "
			 "the flows they get over to other nodes, masqueraded (%s)",
			 p ? p->threshold : 0, window, MODEL_ANN_LOCAL_HANDOVER);
		lb_api_event(s->lbd->api, &s->spec.meta, "Normal", "ExternalTrafficPolicyLocal", msg,
			     LB_COMPONENT);
		return;
	}
	snprintf(msg, sizeof(msg), "externalTrafficPolicy is now Local: nodes without a ready pod "
		 "stay in the pool until their probe has failed %d times (about %d s), and drop "
		 "the new flows they get meanwhile; annotate %s to have them forwarded instead",
		 p ? p->threshold : 0, window, MODEL_ANN_LOCAL_HANDOVER);
	lb_api_event(s->lbd->api, &s->spec.meta, "Warning", "ExternalTrafficPolicyLocal", msg,
		     LB_COMPONENT);
}
