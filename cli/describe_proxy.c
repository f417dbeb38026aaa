/* describe_proxy.c — see describe_proxy.h. */
#include "describe_proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

/* The value of one sample of `metric` for this Service in a node's metrics
 * file, matched on its namespace and service labels; false if absent. */
static bool dp_metric(const char *text, const char *metric, const struct model_service *svc,
		      char *value, size_t len, char *labels_out, size_t llen)
{
	char want[3 * MODEL_NAME_MAX];
	size_t mlen = strlen(metric);
	const char *p = text;

	snprintf(want, sizeof(want), "namespace=\"%s\",service=\"%s\"", svc->meta.ns,
		 svc->meta.name);
	while (p && *p) {
		const char *eol = strchr(p, '\n'), *brace, *close, *sp;

		if (!eol)
			eol = p + strlen(p);
		if (strncmp(p, metric, mlen) == 0 && p[mlen] == '{' &&
		    (brace = p + mlen + 1) && (close = memchr(brace, '}', (size_t)(eol - brace))) &&
		    strncmp(brace, want, strlen(want)) == 0) {
			sp = close + 1;
			while (*sp == ' ')
				sp++;
			snprintf(value, len, "%.*s", (int)(eol - sp), sp);
			if (labels_out)
				snprintf(labels_out, llen, "%.*s", (int)(close - brace), brace);
			return true;
		}
		p = *eol ? eol + 1 : NULL;
	}
	return false;
}

/* The proxy's own gauge, clientip_proxy_healthy, in its metrics: 1 or 0,
 * or -1 when the file does not have it (no sync written yet). */
static int dp_proxy_healthy(const char *text)
{
	static const char name[] = "clientip_proxy_healthy ";

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, name, sizeof(name) - 1) == 0)
			return p[sizeof(name) - 1] == '1';
	return -1;
}

static const char *dp_condition(const struct model_endpoint *ep)
{
	if (ep->ready)
		return "ready";
	if (ep->serving && ep->terminating)
		return "terminating, serving";
	if (ep->terminating)
		return "terminating";
	return "not ready";
}

/* A node of the view: a registered Node, or only the name an endpoint
 * gives. */
struct dp_node {
	struct model_node_status st;
	bool registered;
};

static int dp_node_cmp(const void *a, const void *b)
{
	const struct model_node_status *x = &((const struct dp_node *)a)->st;
	const struct model_node_status *y = &((const struct dp_node *)b)->st;
	int ix = lab_node_index(x->name), iy = lab_node_index(y->name);

	if (ix != iy)
		return ix < iy ? -1 : 1;
	return strcmp(x->name, y->name);
}

void describe_svc_proxy_lines(const struct cli *cli, const struct model_service *svc,
			      const struct model_endpoints *eps,
			      const struct model_node_status *known, int n_known, struct buf *out)
{
	static const struct model_endpoints none;
	const struct model_endpoints *e = eps ? eps : &none;
	struct dp_node *nodes = calloc((size_t)(n_known + e->n) + 1, sizeof(*nodes));
	bool local_policy;
	int n_nodes = n_known;

	if (!nodes)
		return;
	for (int i = 0; i < n_known; i++)
		nodes[i] = (struct dp_node){ known[i], true };
	/* Nodes that hold endpoints but are not registered are shown too. */
	for (int i = 0; i < e->n; i++) {
		bool seen = false;

		for (int j = 0; j < n_nodes && !seen; j++)
			seen = strcmp(nodes[j].st.name, e->items[i].node) == 0;
		if (!seen && e->items[i].node[0]) {
			snprintf(nodes[n_nodes].st.name, sizeof(nodes[n_nodes].st.name), "%s",
				 e->items[i].node);
			n_nodes++;
		}
	}
	if (n_nodes > 1)
		qsort(nodes, (size_t)n_nodes, sizeof(*nodes), dp_node_cmp);
	local_policy = svc->type == MODEL_SVC_LOAD_BALANCER &&
		       svc->external_policy == MODEL_POLICY_LOCAL && svc->health_check_node_port > 0;

	buf_puts(out, "Service Proxy:\n");
	if (n_nodes == 0) {
		buf_puts(out, "  <no nodes have registered yet>\n");
		goto out;
	}
	buf_puts(out, "  Node\tAddress\tProxy\tLocal Endpoints\tHealth Check\tDropped (no local endpoint)\n");
	buf_puts(out, "  ----\t-------\t-----\t---------------\t------------\t---------------------------\n");
	for (int i = 0; i < n_nodes; i++) {
		const struct model_node_status *n = &nodes[i].st;
		char path[LAB_PATH_MAX + 96], addr[INET_ADDRSTRLEN] = "-", hc[64] = "-", dropped[32] = "-";
		bool registered = nodes[i].registered, healthy = true;
		char *metrics = NULL;
		const char *proxy;
		size_t mlen;
		int ready = 0, shown = 0;

		if (n->addr.s_addr)
			inet_ntop(AF_INET, &n->addr, addr, sizeof(addr));
		snprintf(path, sizeof(path), "%s/status/nodes/%s.metrics", cli->statedir, n->name);
		if (fs_read_all(path, &metrics, &mlen) < 0)
			metrics = NULL;
		/* The Node's Ready condition says whether its agent runs (the
		 * controller sets it to Unknown when the agent goes silent);
		 * the proxy's own gauge whether its rules are programmed. */
		if (!registered) {
			proxy = "no agent";
		} else if (!n->posted_ready) {
			proxy = "agent down";
		} else {
			int h = metrics ? dp_proxy_healthy(metrics) : -1;

			healthy = h != 0;
			proxy = h < 0 ? "starting" : h ? "healthy" : "unhealthy";
		}

		buf_printf(out, "  %s\t%s\t%s\t", n->name, addr, proxy);
		for (int k = 0; k < e->n; k++) {
			const struct model_endpoint *ep = &e->items[k];
			char ip[INET_ADDRSTRLEN];

			if (strcmp(ep->node, n->name) != 0)
				continue;
			inet_ntop(AF_INET, &ep->addr, ip, sizeof(ip));
			buf_printf(out, "%s%s (%s)", shown++ ? ", " : "", ip, dp_condition(ep));
			ready += ep->ready;
		}
		if (!shown)
			buf_puts(out, "<none>");
		if (local_policy) {
			char code[16];

			/* What the node's proxy serves, as of its last sync; what it
			 * should serve when it has not said. */
			if (metrics && dp_metric(metrics, "clientip_proxy_service_health_check", svc,
						 code, sizeof(code), NULL, 0))
				snprintf(hc, sizeof(hc), ":%d %s", svc->health_check_node_port, code);
			else
				snprintf(hc, sizeof(hc), ":%d %s (expected)", svc->health_check_node_port,
					 ready > 0 && registered && healthy ? "200" : "503");
		}
		if (metrics && !dp_metric(metrics, "clientip_proxy_packets_dropped_no_local_endpoints_total",
					  svc, dropped, sizeof(dropped), NULL, 0))
			snprintf(dropped, sizeof(dropped), "0");
		buf_printf(out, "\t%s\t%s\n", hc, dropped);
		free(metrics);
	}
out:
	free(nodes);
}
