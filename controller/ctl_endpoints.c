/* ctl_endpoints.c — a Service's endpoints, EndpointSlice-style. */
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ctl_target_port(const struct model_service_port *sp, const struct model_pod_spec *spec)
{
	if (sp->target_port > 0)
		return sp->target_port;
	if (!sp->target_port_name[0])
		return sp->port;
	/* As FindPort: the first container port with that name and protocol. */
	for (int c = 0; c < spec->n_containers; c++) {
		const struct model_container *ct = &spec->containers[c];

		for (int p = 0; p < ct->n_ports; p++)
			if (ct->ports[p].proto == sp->proto &&
			    strcmp(ct->ports[p].name, sp->target_port_name) == 0)
				return ct->ports[p].port;
	}
	return 0;
}

static int ctl_endpoint_cmp(const void *a, const void *b)
{
	const struct model_endpoint *x = a, *y = b;
	uint32_t ax = ntohl(x->addr.s_addr), ay = ntohl(y->addr.s_addr);

	if (ax != ay)
		return ax < ay ? -1 : 1;
	return strcmp(x->pod, y->pod);
}

int ctl_endpoints_build(const struct model_service *svc, const struct model_pod *const *pods,
			const struct model_pod_status *const *status, int n,
			struct model_endpoints *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->ns, svc->meta.ns, sizeof(out->ns));
	memcpy(out->name, svc->meta.name, sizeof(out->name));
	out->n_ports = svc->n_ports > MODEL_MAX_PORTS ? MODEL_MAX_PORTS : svc->n_ports;
	for (int j = 0; j < out->n_ports; j++) {
		memcpy(out->ports[j].name, svc->ports[j].name, sizeof(out->ports[j].name));
		out->ports[j].proto = svc->ports[j].proto;
	}
	out->items = calloc(n > 0 ? (size_t)n : 1, sizeof(*out->items));
	if (!out->items)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const struct model_pod *p = pods[i];
		const struct model_pod_status *st = status ? status[i] : NULL;
		struct model_endpoint *ep;
		bool ready = st && st->ready;

		if (strcmp(p->meta.ns, svc->meta.ns) != 0 || !p->ip.s_addr ||
		    !model_selector_matches(&svc->selector, &p->meta.labels))
			continue;
		/* Its process is gone; the pod object only waits for removal. */
		if (st && st->terminated)
			continue;
		ep = &out->items[out->n++];
		ep->addr = p->ip;
		memcpy(ep->node, p->node, sizeof(ep->node));
		memcpy(ep->pod, p->meta.name, sizeof(ep->pod));
		/* KEP-1672: a terminating pod that still passes readiness keeps
		 * serving, so proxies can fall back to it. */
		ep->terminating = p->meta.deleting[0] != '\0';
		ep->serving = ready;
		ep->ready = ready && !ep->terminating;
		for (int j = 0; j < out->n_ports; j++)
			ep->ports[j] = ctl_target_port(&svc->ports[j], &p->spec);
	}
	qsort(out->items, (size_t)out->n, sizeof(*out->items), ctl_endpoint_cmp);
	return 0;
}
