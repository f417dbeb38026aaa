/* proxy_metrics.c — the proxy's metrics, Prometheus text exposition.
 *
 * Served on :10249/metrics (kube-proxy's metrics port) and written to
 * <statedir>/status/nodes/<node>.metrics after every sync, so the CLI can
 * show them without sending traffic into the lab. kube-proxy's own names
 * are used where kube-proxy has the metric; clientip_proxy_* ones are this
 * project's additions (per-Service endpoints and packet counts).
 *
 * Packets dropped for lack of a local endpoint (externalTrafficPolicy or
 * internalTrafficPolicy Local on a node without one) and rejected for lack
 * of any endpoint are the kernel's own per-element counters of the
 * no-endpoint-services and no-endpoint-nodeports maps. An element is
 * deleted and re-added when its Service changes, which resets its
 * counter, so reads are turned into deltas here and summed per Service.
 */
#include "proxy_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fsutil.h"
#include "log.h"
#include "prom.h"

static double proxy_bucket(int i)
{
	double b = 0.001;

	while (i-- > 0)
		b *= 2;
	return b;
}

void proxy_hist_observe(struct proxy_hist *h, double seconds)
{
	h->counts[prom_bucket(proxy_bucket, PROXY_HIST_BUCKETS, seconds)]++;
	h->count++;
	h->sum += seconds;
}

static void proxy_hist_render(const struct proxy_hist *h, const char *name, const char *help,
			      struct buf *out)
{
	prom_histogram(out, name, help, proxy_bucket, h->counts, PROXY_HIST_BUCKETS, h->sum,
		       h->count);
}

/* kube-proxy's network programming buckets: 0.25 and 0.5 s, then every
 * second to 59, every 5 s to 115, every 10 s from 300 to 600. */
static double proxy_netprog_bucket(int i)
{
	if (i < 2)
		return 0.25 * (i + 1);
	if (i < 61)
		return (double)(i - 1);
	if (i < 73)
		return 60.0 + 5.0 * (i - 61);
	return 300.0 + 10.0 * (i - 73);
}

void proxy_netprog_observe(struct proxy_metrics *m, double seconds)
{
	m->netprog[prom_bucket(proxy_netprog_bucket, PROXY_NETPROG_BUCKETS, seconds)]++;
	m->netprog_count++;
	m->netprog_sum += seconds;
}

static void proxy_netprog_render(const struct proxy_metrics *m, struct buf *out)
{
	prom_histogram(out, "kubeproxy_network_programming_duration_seconds",
		       "In Cluster Network Programming Latency in seconds", proxy_netprog_bucket,
		       m->netprog, PROXY_NETPROG_BUCKETS, m->netprog_sum, m->netprog_count);
}

/* ---- counters ------------------------------------------------------------ */

static int proxy_ctr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct proxy_ctr *)a)->key, ((const struct proxy_ctr *)b)->key);
}

static int proxy_reading_cmp(const void *a, const void *b)
{
	return proxy_ctr_cmp(&((const struct proxy_reading *)a)->ctr,
			     &((const struct proxy_reading *)b)->ctr);
}

static int proxy_svc_cmp(const void *a, const void *b)
{
	const struct proxy_svc_ctr *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

static struct proxy_svc_ctr *proxy_svc_ctr_get(struct proxy_metrics *m, const char *ns,
					       const char *name)
{
	struct proxy_svc_ctr key, *hit;
	int lo = 0, hi = m->n_svc;

	snprintf(key.ns, sizeof(key.ns), "%s", ns);
	snprintf(key.name, sizeof(key.name), "%s", name);
	hit = m->n_svc ? bsearch(&key, m->svc, (size_t)m->n_svc, sizeof(*m->svc), proxy_svc_cmp)
		       : NULL;
	if (hit)
		return hit;
	if (m->n_svc == m->cap_svc) {
		int cap = m->cap_svc ? m->cap_svc * 2 : 16;
		struct proxy_svc_ctr *n = realloc(m->svc, (size_t)cap * sizeof(*n));

		if (!n)
			return NULL;
		m->svc = n;
		m->cap_svc = cap;
	}
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (proxy_svc_cmp(&m->svc[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->n_svc)
		memmove(&m->svc[lo + 1], &m->svc[lo], (size_t)(m->n_svc - lo) * sizeof(*m->svc));
	memset(&m->svc[lo], 0, sizeof(*m->svc));
	m->svc[lo] = key;
	m->svc[lo].dropped = m->svc[lo].rejected = 0;
	m->n_svc++;
	return &m->svc[lo];
}

/* "<map>|<element key>", the key as nft writes it ("10.96.0.10 . tcp .
 * 80"): only compared with the next reading's, so any stable text would
 * do, but this one reads like the ruleset. */
static void proxy_elem_key(const char *map, const json_t *val, char *out, size_t len)
{
	const json_t *parts = json_object_get(val, "concat");
	struct buf b = BUF_INIT;
	size_t i;
	const json_t *v;

	buf_printf(&b, "%s|", map);
	if (!json_is_array(parts)) {
		char *text = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);

		buf_puts(&b, text ? text : "");
		free(text);
	}
	json_array_foreach(parts, i, v) {
		if (i)
			buf_puts(&b, " . ");
		if (json_is_string(v)) {
			buf_puts(&b, json_string_value(v));
		} else if (json_is_integer(v)) {
			buf_printf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		} else {
			char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

			buf_puts(&b, text ? text : "");
			free(text);
		}
	}
	snprintf(out, len, "%s", buf_str(&b));
	buf_free(&b);
}

/* The Service named by an element's comment, "ns/name:port". */
static void proxy_elem_service(const char *comment, struct proxy_reading *r)
{
	char label[2 * MODEL_NAME_MAX + 32];
	char *slash, *port;

	snprintf(label, sizeof(label), "%s", comment);
	slash = strchr(label, '/');
	port = strrchr(label, ':');
	if (port)
		*port = '\0';
	if (!slash)
		return;
	*slash = '\0';
	snprintf(r->ns, sizeof(r->ns), "%.*s", MODEL_NAME_MAX - 1, label);
	snprintf(r->name, sizeof(r->name), "%.*s", MODEL_NAME_MAX - 1, slash + 1);
}

/* libnftables' JSON of a no-endpoint map (json_schema_version 1):
 *   {"nftables": [{"metainfo": {...}},
 *     {"map": {"name": "no-endpoint-services", ...,
 *       "elem": [[{"elem": {"val": {"concat": ["10.96.0.10", "tcp", 80]},
 *                           "comment": "ns/name:port",
 *                           "counter": {"packets": N, "bytes": M}}},
 *                 {"drop": null}],
 *                [..., {"goto": {"target": "reject-chain"}}]]}}]}
 * An element with neither counter nor comment would be a bare value
 * instead of {"elem": ...}; the map's declaration gives every element a
 * counter, so none is. */
int proxy_metrics_parse_map(const char *json, size_t len, const char *map,
			    struct proxy_reading **rd, int *n, int *cap, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(json, len, 0, &jerr), *list, *item, *m = NULL, *pair;
	size_t i;
	int rc = -1;

	if (!doc) {
		snprintf(err, errlen, "nft map %s: not JSON: %d:%d: %s", map, jerr.line, jerr.column,
			 jerr.text);
		return -1;
	}
	list = json_object_get(doc, "nftables");
	json_array_foreach(list, i, item) {
		json_t *cand = json_object_get(item, "map");
		const char *name = json_string_value(json_object_get(cand, "name"));

		if (name && strcmp(name, map) == 0) {
			m = cand;
			break;
		}
	}
	if (!m) {
		snprintf(err, errlen, "nft map %s: not in the listing", map);
		goto out;
	}
	/* No "elem" member: the map is empty. */
	json_array_foreach(json_object_get(m, "elem"), i, pair) {
		json_t *elem = json_object_get(json_array_get(pair, 0), "elem");
		json_t *verdict = json_array_get(pair, 1);
		json_t *packets = json_object_get(json_object_get(elem, "counter"), "packets");
		const char *comment = json_string_value(json_object_get(elem, "comment"));
		struct proxy_reading *r;

		if (!json_is_integer(packets))
			continue;
		if (*n == *cap) {
			int c = *cap ? *cap * 2 : 32;
			struct proxy_reading *x = realloc(*rd, (size_t)c * sizeof(*x));

			if (!x) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			*rd = x;
			*cap = c;
		}
		r = &(*rd)[*n];
		memset(r, 0, sizeof(*r));
		proxy_elem_key(map, json_object_get(elem, "val"), r->ctr.key, sizeof(r->ctr.key));
		r->ctr.packets = (uint64_t)json_integer_value(packets);
		if (comment)
			proxy_elem_service(comment, r);
		r->drop = json_object_get(verdict, "drop") != NULL;
		(*n)++;
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

void proxy_metrics_read_counters(struct proxy *p)
{
	static const char *const maps[] = { "no-endpoint-services", "no-endpoint-nodeports" };
	struct proxy_metrics *m = &p->m;
	struct proxy_reading *rd = NULL;
	struct proxy_ctr *next = NULL;
	struct buf out = BUF_INIT;
	int n = 0, cap = 0, i, j;
	char err[256], cmd[128];

	if (!p->have_cur)
		return;
	for (size_t k = 0; k < sizeof(maps) / sizeof(maps[0]); k++) {
		unsigned flags = nft_ctx_output_get_flags(p->nft);
		int rc;

		buf_reset(&out);
		snprintf(cmd, sizeof(cmd), "list map ip " PROXY_TABLE " %s", maps[k]);
		/* JSON only for this listing: with the flag set, libnftables
		 * also tries every script it runs as JSON first. */
		nft_ctx_output_set_flags(p->nft, flags | NFT_CTX_OUTPUT_JSON);
		rc = proxy_nft_query(p, cmd, &out, err, sizeof(err));
		nft_ctx_output_set_flags(p->nft, flags);
		/* A failed reading is skipped whole: the next one catches up,
		 * counters being cumulative. */
		if (rc < 0 || proxy_metrics_parse_map(buf_str(&out), out.len, maps[k], &rd, &n, &cap,
						      err, sizeof(err)) < 0)
			goto out;
	}
	if (n > 1)
		qsort(rd, (size_t)n, sizeof(*rd), proxy_reading_cmp);
	next = malloc((size_t)(n ? n : 1) * sizeof(*next));
	if (!next)
		goto out;
	/* Merge with the previous reading: counters only grow while an
	 * element lives, so a smaller value means a new element. */
	for (i = 0, j = 0; i < n; i++) {
		uint64_t delta = rd[i].ctr.packets;
		struct proxy_svc_ctr *s;

		while (j < m->n_ctrs && strcmp(m->ctrs[j].key, rd[i].ctr.key) < 0)
			j++;
		if (j < m->n_ctrs && strcmp(m->ctrs[j].key, rd[i].ctr.key) == 0 &&
		    m->ctrs[j].packets <= rd[i].ctr.packets)
			delta = rd[i].ctr.packets - m->ctrs[j].packets;
		next[i] = rd[i].ctr;
		if (delta == 0 || !rd[i].ns[0])
			continue;
		s = proxy_svc_ctr_get(m, rd[i].ns, rd[i].name);
		if (!s)
			continue;
		if (rd[i].drop)
			s->dropped += delta;
		else
			s->rejected += delta;
	}
	free(m->ctrs);
	m->ctrs = next;
	m->n_ctrs = n;
	next = NULL;
out:
	free(next);
	free(rd);
	buf_free(&out);
}

/* ---- exposition ---------------------------------------------------------- */

static void proxy_svc_sample(struct buf *out, const char *metric, const char *ns,
			     const char *name, const char *extra, uint64_t v)
{
	buf_puts(out, metric);
	prom_label(out, "namespace", ns, true);
	prom_label(out, "service", name, false);
	buf_printf(out, "%s} %" PRIu64 "\n", extra ? extra : "", v);
}

void proxy_metrics_render(struct proxy *p, struct buf *out)
{
	const struct proxy_metrics *m = &p->m;
	const struct proxy_ruleset *rs = &p->cur;
	int no_local_int = 0, no_local_ext = 0, elems = 0;

	for (int i = 0; i < rs->n_stats; i++) {
		no_local_int += rs->stats[i].no_local_internal_ports;
		no_local_ext += rs->stats[i].no_local_external_ports;
	}
	elems = rs->n_elems_unique;

	proxy_hist_render(&m->sync, "kubeproxy_sync_proxy_rules_duration_seconds",
			  "SyncProxyRules latency in seconds", out);
	proxy_hist_render(&m->full, "kubeproxy_sync_full_proxy_rules_duration_seconds",
			  "SyncProxyRules latency in seconds for full resyncs", out);
	proxy_hist_render(&m->partial, "kubeproxy_sync_partial_proxy_rules_duration_seconds",
			  "SyncProxyRules latency in seconds for partial resyncs", out);
	prom_single(out, "kubeproxy_sync_proxy_rules_last_timestamp_seconds", "gauge",
		    "The last time proxy rules were successfully synced",
		    "%.3f", m->last_sync_ts);
	prom_single(out, "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds", "gauge",
		    "The last time a sync of proxy rules was queued",
		    "%.3f", m->last_queued_ts);
	prom_single(out, "kubeproxy_sync_proxy_rules_endpoint_changes_pending", "gauge",
		    "Pending proxy rules Endpoint changes",
		    "%d", m->eps_pending);
	prom_single(out, "kubeproxy_sync_proxy_rules_endpoint_changes_total", "counter",
		    "Cumulative proxy rules Endpoint changes",
		    "%" PRIu64, m->eps_changes);
	prom_single(out, "kubeproxy_sync_proxy_rules_service_changes_pending", "gauge",
		    "Pending proxy rules Service changes",
		    "%d", m->svc_pending);
	prom_single(out, "kubeproxy_sync_proxy_rules_service_changes_total", "counter",
		    "Cumulative proxy rules Service changes",
		    "%" PRIu64, m->svc_changes);
	prom_head(out, "kubeproxy_proxy_healthz_total", "counter",
			 "Cumulative proxy healthz HTTP status");
	buf_printf(out, "kubeproxy_proxy_healthz_total{code=\"200\"} %" PRIu64 "\n",
		   (uint64_t)m->healthz[0]);
	buf_printf(out, "kubeproxy_proxy_healthz_total{code=\"503\"} %" PRIu64 "\n",
		   (uint64_t)m->healthz[1]);
	prom_head(out, "kubeproxy_proxy_livez_total", "counter",
			 "Cumulative proxy livez HTTP status");
	buf_printf(out, "kubeproxy_proxy_livez_total{code=\"200\"} %" PRIu64 "\n",
		   (uint64_t)m->livez[0]);
	buf_printf(out, "kubeproxy_proxy_livez_total{code=\"503\"} %" PRIu64 "\n",
		   (uint64_t)m->livez[1]);
	proxy_netprog_render(m, out);
	prom_single(out, "kubeproxy_sync_proxy_rules_nftables_sync_failures_total", "counter",
		    "Reported nftables sync failures",
		    "%" PRIu64, m->sync_failures);
	prom_single(out, "kubeproxy_sync_proxy_rules_nftables_cleanup_failures_total", "counter",
		    "Reported nftables cleanup failures",
		    "%" PRIu64, m->cleanup_failures);
	prom_head(out, "kubeproxy_sync_proxy_rules_no_local_endpoints_total", "gauge",
			 "Number of service ports with a Local traffic policy and no local "
			 "endpoints");
	buf_printf(out, "kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy=\"internal\"} %d\n",
		   no_local_int);
	buf_printf(out, "kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy=\"external\"} %d\n",
		   no_local_ext);

	prom_head(out, "clientip_proxy_syncs_total", "counter",
			 "Syncs that changed the ruleset, by kind (full: the table replaced in one batch)");
	buf_printf(out, "clientip_proxy_syncs_total{kind=\"full\"} %" PRIu64 "\n", m->full_syncs);
	buf_printf(out, "clientip_proxy_syncs_total{kind=\"partial\"} %" PRIu64 "\n", m->partial_syncs);
	prom_single(out, "clientip_proxy_healthy", "gauge",
		    "1 when the last sync succeeded recently (what /healthz reports)",
		    "%d", proxy_healthy(p) ? 1 : 0);
	prom_head(out, "clientip_proxy_nftables_objects", "gauge",
			 "Objects of table ip kube-proxy programmed by the last sync (base chains not counted)");
	buf_printf(out, "clientip_proxy_nftables_objects{kind=\"chains\"} %d\n", proxy_rules_nchains(rs));
	buf_printf(out, "clientip_proxy_nftables_objects{kind=\"rules\"} %d\n", rs->nrules);
	buf_printf(out, "clientip_proxy_nftables_objects{kind=\"map_elements\"} %d\n", elems);
	prom_single(out, "clientip_proxy_compact_layout", "gauge",
		    "1 when the ruleset uses the compact layout instead of kube-proxy's",
		    "%d", rs->compact ? 1 : 0);
	prom_single(out, "clientip_proxy_stale_udp_conntrack_entries_deleted_total", "counter",
		    "UDP conntrack entries deleted because their endpoint went away",
		    "%" PRIu64, m->stale_udp_entries_deleted);

	prom_head(out, "clientip_proxy_service_local_endpoints", "gauge",
			 "Endpoints of the Service on this node, by condition");
	for (int i = 0; i < rs->n_stats; i++) {
		proxy_svc_sample(out, "clientip_proxy_service_local_endpoints", rs->stats[i].ns,
				 rs->stats[i].name, ",condition=\"ready\"",
				 (uint64_t)rs->stats[i].local_ready);
		proxy_svc_sample(out, "clientip_proxy_service_local_endpoints", rs->stats[i].ns,
				 rs->stats[i].name, ",condition=\"serving_terminating\"",
				 (uint64_t)rs->stats[i].local_serving_terminating);
	}
	prom_head(out, "clientip_proxy_service_remote_endpoints", "gauge",
			 "Ready endpoints of the Service on other nodes");
	for (int i = 0; i < rs->n_stats; i++)
		proxy_svc_sample(out, "clientip_proxy_service_remote_endpoints", rs->stats[i].ns,
				 rs->stats[i].name, NULL, (uint64_t)rs->stats[i].remote_ready);
	prom_head(out, "clientip_proxy_service_health_check", "gauge",
			 "HTTP status this node's health check node port answers (LoadBalancer, externalTrafficPolicy Local)");
	for (int i = 0; i < p->n_hcs; i++) {
		char extra[48];

		snprintf(extra, sizeof(extra), ",port=\"%d\"", p->hcs[i].port);
		proxy_svc_sample(out, "clientip_proxy_service_health_check", p->hcs[i].ns,
				 p->hcs[i].name, extra,
				 p->hcs[i].local_ready > 0 && proxy_healthy(p) ? 200 : 503);
	}
	prom_head(out, "clientip_proxy_packets_dropped_no_local_endpoints_total", "counter",
			 "Packets dropped because the node has no local endpoint for a Local traffic policy");
	for (int i = 0; i < m->n_svc; i++)
		proxy_svc_sample(out, "clientip_proxy_packets_dropped_no_local_endpoints_total",
				 m->svc[i].ns, m->svc[i].name, NULL, m->svc[i].dropped);
	prom_head(out, "clientip_proxy_packets_rejected_no_endpoints_total", "counter",
			 "Packets rejected because the Service has no endpoints at all");
	for (int i = 0; i < m->n_svc; i++)
		proxy_svc_sample(out, "clientip_proxy_packets_rejected_no_endpoints_total",
				 m->svc[i].ns, m->svc[i].name, NULL, m->svc[i].rejected);
}

void proxy_metrics_write_file(struct proxy *p)
{
	char path[LAB_PATH_MAX + 64];
	struct buf b = BUF_INIT;
	int rc;

	proxy_metrics_render(p, &b);
	/* Unchanged: leave the file (and whoever watches its directory) be. */
	if (b.oom || (b.len == p->metrics_last.len && b.len &&
		      memcmp(b.data, p->metrics_last.data, b.len) == 0))
		goto out;
	snprintf(path, sizeof(path), "%s/status/nodes/%s.metrics", p->cfg.statedir, p->cfg.node);
	rc = fs_write_atomic(path, b.data, b.len, 0644);
	if (rc == -ENOENT) {
		char dir[LAB_PATH_MAX + 32];

		snprintf(dir, sizeof(dir), "%s/status/nodes", p->cfg.statedir);
		if (fs_mkdir_p(dir, 0755) == 0)
			rc = fs_write_atomic(path, b.data, b.len, 0644);
	}
	if (rc < 0) {
		log_warn("proxy: writing %s: %s", path, strerror(-rc));
	} else {
		buf_reset(&p->metrics_last);
		buf_append(&p->metrics_last, b.data, b.len);
	}
out:
	buf_free(&b);
}

void proxy_metrics_free(struct proxy_metrics *m)
{
	free(m->ctrs);
	free(m->svc);
	memset(m, 0, sizeof(*m));
}
