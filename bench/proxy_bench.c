/* proxy_bench.c — times the service proxy's ruleset syncs at scale.
 *
 *   proxy_bench sync N [E] [LAYOUT]
 *       In a throwaway network namespace of its own: N ClusterIP Services
 *       of E endpoints (default 5) each. Prints, as key=value lines, the
 *       time to build the ruleset, a full sync into an empty namespace, a
 *       full replacement of that table (an agent restart), and a sync of
 *       one endpoint changed (build + diff + nft), plus the object counts.
 *   proxy_bench load N [E] [LAYOUT] IP:PORT...
 *       In the current namespace: programs N Services where the first,
 *       10.0.0.1:80/TCP, has the given endpoints and the others have E
 *       endpoints nobody answers on; leaves the table for a traffic test.
 *
 * LAYOUT is auto (default), kube-proxy or compact. bench/proxy.sh drives
 * both modes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nftables/libnftables.h>

#include "proxy_render.h"
#include "proxy_rules.h"

struct bench_world {
	struct model_service *svcs;
	struct model_endpoints *eps;
	int n;
};

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct in_addr bench_ip(uint32_t host_order)
{
	return (struct in_addr){ htonl(host_order) };
}

/* Service i: 10.0.0.0/16 + i + 1 (then 10.1.x.x past 65534), endpoints
 * from 10.128.0.0/9, spread over two nodes so some are local. */
static int bench_world_init(struct bench_world *w, int n, int e)
{
	uint32_t next_ep = (10u << 24) | (128u << 16) | 1;

	w->n = n;
	w->svcs = calloc((size_t)n, sizeof(*w->svcs));
	w->eps = calloc((size_t)n, sizeof(*w->eps));
	if (!w->svcs || !w->eps)
		return -1;
	for (int i = 0; i < n; i++) {
		struct model_service *s = &w->svcs[i];
		struct model_endpoints *x = &w->eps[i];

		model_service_init(s);
		snprintf(s->meta.name, sizeof(s->meta.name), "svc%d", i);
		s->n_ports = 1;
		s->ports[0].proto = MODEL_PROTO_TCP;
		s->ports[0].port = 80;
		s->ports[0].target_port = 8080;
		s->cluster_ip = bench_ip(((10u << 24) | 1) + (uint32_t)i);
		snprintf(x->ns, sizeof(x->ns), "default");
		snprintf(x->name, sizeof(x->name), "svc%d", i);
		x->items = calloc((size_t)e, sizeof(*x->items));
		if (!x->items)
			return -1;
		x->n = e;
		for (int j = 0; j < e; j++) {
			struct model_endpoint *ep = &x->items[j];

			ep->addr = bench_ip(next_ep++);
			snprintf(ep->node, sizeof(ep->node), "node%d", j % 2);
			ep->ready = ep->serving = true;
			ep->ports[0] = 8080;
		}
	}
	return 0;
}

static void bench_world_free(struct bench_world *w)
{
	for (int i = 0; i < w->n; i++)
		free(w->eps[i].items);
	free(w->eps);
	free(w->svcs);
}

static int bench_run(struct nft_ctx *nft, const char *script, const char *what)
{
	if (nft_run_cmd_from_buffer(nft, script) != 0) {
		const char *e = nft_ctx_get_error_buffer(nft);

		fprintf(stderr, "proxy_bench: %s: %.2000s\n", what, e ? e : "?");
		return -1;
	}
	return 0;
}

static struct proxy_node bench_node(const char *layout)
{
	struct proxy_node n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "node0");
	inet_pton(AF_INET, "10.244.0.0", &n.cluster_cidr);
	n.cluster_prefix = 16;
	n.layout = PROXY_LAYOUT_AUTO;
	if (layout && strcmp(layout, "compact") == 0)
		n.layout = PROXY_LAYOUT_COMPACT;
	else if (layout && strcmp(layout, "kube-proxy") == 0)
		n.layout = PROXY_LAYOUT_KUBE;
	return n;
}

static int bench_sync(int n, int e, const char *layout)
{
	struct proxy_node node = bench_node(layout);
	struct proxy_ruleset a, b;
	struct proxy_stale stale = { 0 };
	struct proxy_diff_stats st;
	struct buf script = BUF_INIT, diff = BUF_INIT;
	struct bench_world w = { 0 };
	struct nft_ctx *nft = NULL;
	double t0, t_build, t_render, t_full, t_replace, t_cb, t_cd, t_cs;
	char err[256];
	int rc = 1;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "proxy_bench: unshare: %s (run as root)\n", strerror(errno));
		return 1;
	}
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft || nft_ctx_buffer_error(nft) < 0 || nft_ctx_buffer_output(nft) < 0 ||
	    bench_world_init(&w, n, e) < 0)
		goto out;

	t0 = bench_now();
	if (proxy_rules_build(&node, w.svcs, n, w.eps, n, &a, err, sizeof(err)) < 0)
		goto out;
	t_build = bench_now() - t0;
	t0 = bench_now();
	proxy_render_full(&a, &script);
	t_render = bench_now() - t0;
	t0 = bench_now();
	if (bench_run(nft, buf_str(&script), "full sync") < 0)
		goto out;
	t_full = bench_now() - t0;
	t0 = bench_now();
	if (bench_run(nft, buf_str(&script), "full replace") < 0)
		goto out;
	t_replace = bench_now() - t0;

	/* As the agent does after a full replacement (proxy.c says why): a new
	 * context, whose first call (the agent's counter read) sets it up. */
	if (!getenv("PROXY_BENCH_REUSE")) {
		nft_ctx_free(nft);
		nft = nft_ctx_new(NFT_CTX_DEFAULT);
		if (!nft || nft_ctx_buffer_error(nft) < 0 || nft_ctx_buffer_output(nft) < 0 ||
		    bench_run(nft, "list map ip kube-proxy no-endpoint-services", "counters") < 0)
			goto out;
	}

	/* One endpoint of the middle Service moves to a new address. */
	w.eps[n / 2].items[0].addr = bench_ip((10u << 24) | (127u << 16) | 1);
	t0 = bench_now();
	if (proxy_rules_build_from(&node, w.svcs, n, w.eps, n, NULL, &a, &b, err, sizeof(err)) < 0)
		goto out;
	t_cb = bench_now() - t0;
	t0 = bench_now();
	if (proxy_render_diff(&a, &b, &stale, 0, 0, &diff, &st) <= 0)
		goto out;
	t_cd = bench_now() - t0;
	t0 = bench_now();
	if (bench_run(nft, buf_str(&diff), "one-endpoint sync") < 0)
		goto out;
	t_cs = bench_now() - t0;

	printf("services=%d\nendpoints_per_service=%d\nlayout=%s\n", n, e,
	       a.compact ? "compact" : "kube-proxy");
	printf("chains=%d\nrules=%d\nelements=%d\nscript_bytes=%zu\n", proxy_rules_nchains(&a),
	       a.nrules, a.n_elems_unique, script.len);
	printf("build_s=%.4f\nrender_s=%.4f\nfull_nft_s=%.4f\nfull_total_s=%.4f\nreplace_nft_s=%.4f\n",
	       t_build, t_render, t_full, t_build + t_render + t_full, t_replace);
	printf("change_build_s=%.4f\nchange_diff_s=%.4f\nchange_nft_s=%.4f\nchange_total_s=%.4f\n",
	       t_cb, t_cd, t_cs, t_cb + t_cd + t_cs);
	printf("change_script_bytes=%zu\n", diff.len);
	if (getenv("PROXY_BENCH_DUMP")) {
		/* For looking at with nft -f by hand. */
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/full.nft", getenv("PROXY_BENCH_DUMP"));
		if ((f = fopen(path, "w"))) {
			fputs(buf_str(&script), f);
			fclose(f);
		}
		snprintf(path, sizeof(path), "%s/change.nft", getenv("PROXY_BENCH_DUMP"));
		if ((f = fopen(path, "w"))) {
			fputs(buf_str(&diff), f);
			fclose(f);
		}
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "proxy_bench: sync benchmark failed %s\n", err);
	proxy_rules_free(&a);
	proxy_rules_free(&b);
	proxy_render_stale_clear(&stale);
	buf_free(&script);
	buf_free(&diff);
	bench_world_free(&w);
	if (nft)
		nft_ctx_free(nft);
	return rc;
}

static int bench_load(int n, int e, const char *layout, char **targets, int n_targets)
{
	struct proxy_node node = bench_node(layout);
	struct proxy_ruleset rs;
	struct buf script = BUF_INIT;
	struct bench_world w = { 0 };
	struct nft_ctx *nft = NULL;
	struct model_endpoints *x;
	char err[256];
	int rc = 1;

	memset(&rs, 0, sizeof(rs));
	if (bench_world_init(&w, n, e) < 0)
		goto out;
	x = &w.eps[0];
	free(x->items);
	x->items = calloc((size_t)n_targets, sizeof(*x->items));
	if (!x->items)
		goto out;
	x->n = n_targets;
	for (int i = 0; i < n_targets; i++) {
		char ip[32];
		int port;

		if (sscanf(targets[i], "%31[0-9.]:%d", ip, &port) != 2 ||
		    inet_pton(AF_INET, ip, &x->items[i].addr) != 1) {
			fprintf(stderr, "proxy_bench: bad target %s\n", targets[i]);
			goto out;
		}
		x->items[i].ports[0] = port;
		x->items[i].ready = x->items[i].serving = true;
		snprintf(x->items[i].node, sizeof(x->items[i].node), "node0");
	}
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft || nft_ctx_buffer_error(nft) < 0 || nft_ctx_buffer_output(nft) < 0)
		goto out;
	if (proxy_rules_build(&node, w.svcs, n, w.eps, n, &rs, err, sizeof(err)) < 0)
		goto out;
	proxy_render_full(&rs, &script);
	if (bench_run(nft, buf_str(&script), "load") < 0)
		goto out;
	printf("loaded services=%d layout=%s chains=%d\n", n, rs.compact ? "compact" : "kube-proxy",
	       proxy_rules_nchains(&rs));
	rc = 0;
out:
	proxy_rules_free(&rs);
	buf_free(&script);
	bench_world_free(&w);
	if (nft)
		nft_ctx_free(nft);
	return rc;
}

int main(int argc, char **argv)
{
	int n, e = 5;

	if (argc < 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: proxy_bench sync N [E] [LAYOUT]\n"
				"       proxy_bench load N [E] [LAYOUT] IP:PORT...\n");
		return 2;
	}
	if (argc > 3)
		e = atoi(argv[3]);
	if (e <= 0)
		e = 5;
	if (strcmp(argv[1], "sync") == 0)
		return bench_sync(n, e, argc > 4 ? argv[4] : NULL);
	if (strcmp(argv[1], "build") == 0) {
		/* Only the generator, 10 times: for profiling. */
		struct proxy_node node = bench_node(argc > 4 ? argv[4] : NULL);
		struct bench_world w = { 0 };
		char err[256];
		double t0 = bench_now();

		if (bench_world_init(&w, n, e) < 0)
			return 1;
		struct proxy_ruleset prev;

		for (int i = 0; i < (getenv("PROXY_BENCH_ONLY_REBUILD") ? 0 : 10); i++) {
			struct proxy_ruleset rs;

			if (proxy_rules_build(&node, w.svcs, n, w.eps, n, &rs, err, sizeof(err)) < 0)
				return 1;
			proxy_rules_free(&rs);
		}
		printf("build_avg_s=%.4f\n", (bench_now() - t0) / 10);
		if (proxy_rules_build(&node, w.svcs, n, w.eps, n, &prev, err, sizeof(err)) < 0)
			return 1;
		t0 = bench_now();
		for (int i = 0; i < (getenv("PROXY_BENCH_ONLY_REBUILD") ? 200 : 10); i++) {
			struct proxy_ruleset rs;

			w.eps[n / 2].items[0].addr.s_addr ^= htonl((uint32_t)i + 1);
			if (proxy_rules_build_from(&node, w.svcs, n, w.eps, n, NULL, &prev, &rs, err,
						   sizeof(err)) < 0)
				return 1;
			proxy_rules_free(&prev);
			prev = rs;
		}
		printf("rebuild_avg_s=%.4f\n",
		       (bench_now() - t0) / (getenv("PROXY_BENCH_ONLY_REBUILD") ? 200 : 10));
		proxy_rules_free(&prev);
		bench_world_free(&w);
		return 0;
	}
	if (strcmp(argv[1], "load") == 0 && argc > 5)
		return bench_load(n, e, argv[4], argv + 5, argc - 5);
	fprintf(stderr, "proxy_bench: unknown mode %s\n", argv[1]);
	return 2;
}
