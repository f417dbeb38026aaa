/* proxy_handover.c — when a node without a local endpoint still forwards a
 * Local Service's external traffic (see proxy_handover.h). */
#include "proxy_handover.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define HANDOVER_MAX_S 3600

/* How long the load balancer may go on sending a node new flows after its
 * probe of port started failing: num-of-probe failed probes, and one
 * interval more, as the probe that fails first may be sent almost an
 * interval after the endpoint went away. A setting the load balancer
 * refuses leaves the Service without a frontend, so any window will do:
 * Azure's defaults. */
static uint64_t handover_probe_ms(const struct model_service *svc, int port)
{
	struct model_probe_timing t;
	char why[256];

	if (model_probe_timing(svc, port, &t, why, sizeof(why)) < 0) {
		t.interval_s = MODEL_PROBE_DEFAULT_INTERVAL_S;
		t.num = MODEL_PROBE_DEFAULT_NUM;
	}
	return (uint64_t)t.interval_s * (uint64_t)(t.num + 1) * 1000;
}

uint64_t proxy_handover_window_ms(const struct model_service *svc)
{
	const char *s = model_map_get(&svc->meta.annotations, PROXY_ANN_HANDOVER);
	uint64_t window;
	long secs;
	char *end;

	if (!s || svc->type != MODEL_SVC_LOAD_BALANCER ||
	    svc->external_policy != MODEL_POLICY_LOCAL)
		return 0;
	if (strcmp(s, "true") == 0) {
		/* The load balancer probes the health check node port, and
		 * each port that has a probe port of its own, each with the
		 * settings of its port_<port>_ annotations: the node is
		 * drained when the slowest of them has failed. Every port
		 * counts here, one without a probe of its own too: a window
		 * too long masquerades a few more flows, one too short loses
		 * them. */
		window = handover_probe_ms(svc, svc->health_check_node_port);
		for (int i = 0; i < svc->n_ports; i++) {
			uint64_t w = handover_probe_ms(svc, svc->ports[i].port);

			if (w > window)
				window = w;
		}
		return window;
	}
	secs = strtol(s, &end, 10);
	if (end == s || *end || secs < 1 || secs > HANDOVER_MAX_S)
		return 0;
	return (uint64_t)secs * 1000;
}

static int handover_cmp_eps(const void *key, const void *elem)
{
	const struct model_service *svc = key;
	const struct model_endpoints *e = elem;
	int c = strcmp(svc->meta.ns, e->ns);

	return c ? c : strcmp(svc->meta.name, e->name);
}

/* A ready endpoint on this node, or a serving terminating one (which the
 * proxy then uses, KEP-1669): the node serves the Service itself. eps is
 * sorted by namespace and name, so finding the Service's costs log E, not
 * a scan of every Service's endpoints. */
static bool handover_has_local(const char *node, const struct model_service *svc,
			       const struct model_endpoints *eps, int n_eps)
{
	const struct model_endpoints *e;

	if (n_eps <= 0)
		return false;
	e = bsearch(svc, eps, (size_t)n_eps, sizeof(*eps), handover_cmp_eps);
	if (!e)
		return false;
	for (int j = 0; j < e->n; j++)
		if (strcmp(e->items[j].node, node) == 0 &&
		    (e->items[j].ready || (e->items[j].serving && e->items[j].terminating)))
			return true;
	return false;
}

static struct proxy_handover_entry *handover_find(struct proxy_handover *h,
						  const struct model_service *svc)
{
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->v[i].ns, svc->meta.ns) == 0 && strcmp(h->v[i].name, svc->meta.name) == 0)
			return &h->v[i];
	return NULL;
}

int64_t proxy_handover_decide(struct proxy_handover *h, const char *node,
			      const struct model_service *svcs, int n,
			      const struct model_endpoints *eps, int n_eps, uint64_t now_ms,
			      bool *out)
{
	struct proxy_handover next = { 0 };
	int64_t earliest = 0;

	memset(out, 0, (size_t)n * sizeof(*out));
	/* Entries of Services that no longer opt in (or are gone) are dropped
	 * by rebuilding the table from this list. */
	for (int i = 0; i < n; i++) {
		const struct model_service *svc = &svcs[i];
		uint64_t window = proxy_handover_window_ms(svc);
		struct proxy_handover_entry *old, *e;

		if (!window)
			continue;
		if (next.n == next.cap) {
			int cap = next.cap ? next.cap * 2 : 8;
			void *v = realloc(next.v, (size_t)cap * sizeof(*next.v));

			if (!v) {
				free(next.v);
				memset(out, 0, (size_t)n * sizeof(*out));
				return -1;
			}
			next.v = v;
			next.cap = cap;
		}
		old = handover_find(h, svc);
		e = &next.v[next.n++];
		memset(e, 0, sizeof(*e));
		memcpy(e->ns, svc->meta.ns, sizeof(e->ns));
		memcpy(e->name, svc->meta.name, sizeof(e->name));
		if (handover_has_local(node, svc, eps, n_eps)) {
			e->had_local = true;
			continue;
		}
		if (!old || old->had_local) {
			e->until_ms = now_ms + window;
			log_info("proxy: %s/%s: no local endpoint: external traffic handed over "
				 "(masqueraded to other nodes) for %llu ms", svc->meta.ns,
				 svc->meta.name, (unsigned long long)window);
		} else {
			e->until_ms = old->until_ms;
		}
		out[i] = e->handing_over = now_ms < e->until_ms;
		if (old && old->handing_over && !out[i])
			log_info("proxy: %s/%s: hand-over ended: external traffic dropped here",
				 svc->meta.ns, svc->meta.name);
		if (out[i] && (!earliest || (int64_t)e->until_ms < earliest))
			earliest = (int64_t)e->until_ms;
	}
	proxy_handover_free(h);
	*h = next;
	return earliest;
}

void proxy_handover_free(struct proxy_handover *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}
