/* proxy_handover.c — when a node without a local endpoint still forwards a
 * Local Service's external traffic (see proxy_handover.h). */
#include "proxy_handover.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The load balancer's probe settings, as the Service carries them for the
 * cloud provider; the same defaults as Azure's. */
#define HANDOVER_ANN_INTERVAL "service.beta.kubernetes.io/azure-load-balancer-health-probe-interval"
#define HANDOVER_ANN_NUM      "service.beta.kubernetes.io/azure-load-balancer-health-probe-num-of-probe"
#define HANDOVER_DEFAULT_INTERVAL_S 5
#define HANDOVER_DEFAULT_NUM        2
#define HANDOVER_MAX_S              3600

/* A whole number in 1..max from an annotation, else def. */
static long handover_number(const struct model_service *svc, const char *key, long max, long def)
{
	const char *s = model_map_get(&svc->meta.annotations, key);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	return *end || v < 1 || v > max ? def : v;
}

uint64_t proxy_handover_window_ms(const struct model_service *svc)
{
	const char *s = model_map_get(&svc->meta.annotations, PROXY_ANN_HANDOVER);
	long interval, num, secs;
	char *end;

	if (!s || svc->type != MODEL_SVC_LOAD_BALANCER ||
	    svc->external_policy != MODEL_POLICY_LOCAL)
		return 0;
	if (strcmp(s, "true") == 0) {
		interval = handover_number(svc, HANDOVER_ANN_INTERVAL, HANDOVER_MAX_S,
					   HANDOVER_DEFAULT_INTERVAL_S);
		num = handover_number(svc, HANDOVER_ANN_NUM, HANDOVER_MAX_S, HANDOVER_DEFAULT_NUM);
		/* One interval more: the probe that fails first may be sent
		 * almost an interval after the endpoint went away. */
		return (uint64_t)(interval * (num + 1)) * 1000;
	}
	secs = strtol(s, &end, 10);
	if (end == s || *end || secs < 1 || secs > HANDOVER_MAX_S)
		return 0;
	return (uint64_t)secs * 1000;
}

/* A ready endpoint on this node, or a serving terminating one (which the
 * proxy then uses, KEP-1669): the node serves the Service itself. */
static bool handover_has_local(const char *node, const struct model_service *svc,
			       const struct model_endpoints *eps, int n_eps)
{
	for (int i = 0; i < n_eps; i++) {
		const struct model_endpoints *e = &eps[i];

		if (strcmp(e->ns, svc->meta.ns) != 0 || strcmp(e->name, svc->meta.name) != 0)
			continue;
		for (int j = 0; j < e->n; j++)
			if (strcmp(e->items[j].node, node) == 0 &&
			    (e->items[j].ready || (e->items[j].serving && e->items[j].terminating)))
				return true;
	}
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
