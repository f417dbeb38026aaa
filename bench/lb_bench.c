/* lb_bench.c — what a change of the pool does to new flows, and what the
 * edge's ruleset costs to replace. bench/lb_churn.sh drives it.
 *
 *   lb_bench table FLOWS N...
 *       Over the lookup, no kernel: FLOWS flow hashes (uniform 32-bit
 *       values, reduced to a slot as nft's jhash does) are assigned a node
 *       among N healthy ones, then among N-1 after each node in turn goes
 *       Down (its return moves the same flows back). Prints per N the
 *       fraction of assignments that change, for the Maglev table the edge
 *       renders and for the former hash modulo the healthy count.
 *   lb_bench replace NODES RULES SIZE ROUNDS
 *       In a throwaway network namespace of its own: the ruleset of RULES
 *       Services of one TCP rule each over NODES nodes, SIZE a Maglev table
 *       size or "modulo"; applies it, then replaces it ROUNDS times, every
 *       other time with node 1 out of every pool (each replace changes
 *       every rule, as a node going Down does). Prints the ruleset's size,
 *       the render time and the median and worst replace time.
 *
 * Output is key=value lines.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "lb_maglev.h"
#include "lb_nft.h"

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64: a fixed sequence of well-spread flow hashes. */
static uint32_t bench_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)(z ^ (z >> 31));
}

/* nft's jhash `mod m`: the kernel scales the 32-bit hash into [0, m). */
static int bench_slot(uint32_t h, int m)
{
	return (int)(((uint64_t)h * (uint64_t)m) >> 32);
}

/* The node of every flow under a pool (node indices), by either scheme. */
static int bench_assign(const uint32_t *hash, int flows, const int *pool, int n, bool maglev,
			int *node)
{
	static int table[LB_MAGLEV_SIZE];
	const char *names[LB_MAGLEV_MAX_BACKENDS];
	char buf[LB_MAGLEV_MAX_BACKENDS][16], err[128];

	if (maglev) {
		for (int i = 0; i < n; i++) {
			snprintf(buf[i], sizeof(buf[i]), "node%d", pool[i]);
			names[i] = buf[i];
		}
		if (lb_maglev_build(names, n, LB_MAGLEV_SIZE, table, err, sizeof(err)) < 0) {
			fprintf(stderr, "lb_bench: %s\n", err);
			return -1;
		}
	}
	for (int f = 0; f < flows; f++)
		node[f] = maglev ? pool[table[bench_slot(hash[f], LB_MAGLEV_SIZE)]]
				 : pool[bench_slot(hash[f], n)];
	return 0;
}

static double bench_changed(const int *a, const int *b, int flows)
{
	int c = 0;

	for (int f = 0; f < flows; f++)
		c += a[f] != b[f];
	return (double)c / flows;
}

static int bench_table(int flows, int argc, char **argv)
{
	uint32_t *hash = calloc((size_t)flows, sizeof(*hash));
	int *all = calloc((size_t)flows, sizeof(*all));
	int *less = calloc((size_t)flows, sizeof(*less));
	uint64_t seed = 42;
	int rc = 1;

	if (!hash || !all || !less)
		goto out;
	for (int f = 0; f < flows; f++)
		hash[f] = bench_rand(&seed);
	for (int a = 0; a < argc; a++) {
		int n = atoi(argv[a]), pool[LB_MAGLEV_MAX_BACKENDS], sub[LB_MAGLEV_MAX_BACKENDS];

		if (n < 2 || n > LB_MAGLEV_MAX_BACKENDS) {
			fprintf(stderr, "lb_bench: N from 2 to %d\n", LB_MAGLEV_MAX_BACKENDS);
			goto out;
		}
		for (int i = 0; i < n; i++)
			pool[i] = i;
		for (int maglev = 1; maglev >= 0; maglev--) {
			double down = 0, worst = 0;

			if (bench_assign(hash, flows, pool, n, maglev, all) < 0)
				goto out;
			/* Each node in turn goes Down. Its return changes the
			 * same assignments back, so a join of one node to N-1
			 * moves the same fraction. */
			for (int k = 0; k < n; k++) {
				double c;
				int m = 0;

				for (int i = 0; i < n; i++)
					if (i != k)
						sub[m++] = i;
				if (bench_assign(hash, flows, sub, m, maglev, less) < 0)
					goto out;
				c = bench_changed(all, less, flows);
				down += c;
				worst = c > worst ? c : worst;
			}
			printf("n=%d scheme=%s down_mean=%.4f down_worst=%.4f ideal=%.4f\n", n,
			       maglev ? "maglev" : "modulo", down / n, worst, 1.0 / n);
		}
	}
	rc = 0;
out:
	free(hash);
	free(all);
	free(less);
	return rc;
}

static void bench_svcs(struct lb_nft_svc *v, int rules, int nodes, int size, bool without1)
{
	memset(v, 0, (size_t)rules * sizeof(*v));
	for (int i = 0; i < rules; i++) {
		struct lb_nft_port *p = &v[i].ports[0];

		snprintf(v[i].key, sizeof(v[i].key), "default_svc%d", i);
		v[i].frontend.s_addr = htonl(0xcb00710au + (uint32_t)i);  /* 203.0.113.10 + i */
		v[i].n_ports = 1;
		v[i].floating_ip = true;
		v[i].n_backends = nodes;
		v[i].idle_timeout_s = 240;
		v[i].tcp_reset = true;
		v[i].table_size = size;
		*p = (struct lb_nft_port){ .proto = MODEL_PROTO_TCP, .port = 80,
					   .node_port = 30000 + i };
		for (int b = 0; b < nodes; b++)
			if (!(without1 && b == 1))
				p->healthy[p->n_healthy++] = b;
	}
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int bench_replace(int nodes, int rules, int size, int rounds)
{
	struct lb_nft_svc *v = calloc((size_t)rules, sizeof(*v));
	double *t = calloc((size_t)rounds + 1, sizeof(*t)), t0, render = 0;
	struct lb_nft *nft = NULL;
	struct buf text = BUF_INIT;
	char err[1024];
	size_t bytes = 0;
	int rc = 1;

	if (!v || !t || nodes < 2 || nodes > LB_MAX_BACKENDS || rules < 1 || rounds < 1) {
		fprintf(stderr, "lb_bench: replace NODES(2-%d) RULES ROUNDS\n", LB_MAX_BACKENDS);
		goto out;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "lb_bench: unshare: %s (run as root)\n", strerror(errno));
		goto out;
	}
	nft = lb_nft_new(err, sizeof(err));
	if (!nft) {
		fprintf(stderr, "lb_bench: %s\n", err);
		goto out;
	}
	for (int r = 0; r <= rounds; r++) {
		bench_svcs(v, rules, nodes, size, r % 2 == 1);
		buf_reset(&text);
		t0 = bench_now();
		lb_nft_render(v, rules, NULL, 0, &text);
		render += bench_now() - t0;
		bytes = text.len > bytes ? text.len : bytes;
		t0 = bench_now();
		if (lb_nft_run(nft, buf_str(&text), err, sizeof(err)) < 0) {
			fprintf(stderr, "lb_bench: nft: %s\n", err);
			goto out;
		}
		/* Round 0 creates the table; the others replace it. */
		t[r] = bench_now() - t0;
	}
	qsort(t + 1, (size_t)rounds, sizeof(*t), bench_cmp);
	if (size == LB_NFT_MODULO)
		printf("nodes=%d rules=%d size=modulo", nodes, rules);
	else
		printf("nodes=%d rules=%d size=%d", nodes, rules, size);
	printf(" bytes=%zu render_ms=%.3f replace_median_ms=%.3f replace_max_ms=%.3f\n", bytes,
	       render * 1000 / (rounds + 1),
	       t[1 + rounds / 2] * 1000, t[rounds] * 1000);
	rc = 0;
out:
	buf_free(&text);
	lb_nft_free(nft);
	free(t);
	free(v);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "table") == 0)
		return bench_table(atoi(argv[2]), argc - 3, argv + 3);
	if (argc == 6 && strcmp(argv[1], "replace") == 0)
		return bench_replace(atoi(argv[2]), atoi(argv[3]),
				     strcmp(argv[4], "modulo") == 0 ? LB_NFT_MODULO : atoi(argv[4]),
				     atoi(argv[5]));
	fprintf(stderr, "usage: lb_bench table FLOWS N... | replace NODES RULES SIZE|modulo ROUNDS\n");
	return 2;
}
