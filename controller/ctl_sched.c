/* ctl_sched.c — where a new pod goes, and its address; and, when it can go
 * nowhere, kube-scheduler's words for why. */
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTL_HOST_FIRST 2     /* .1 is the node's cbr0 */
#define CTL_HOST_LAST  254   /* .255 is the broadcast address */

/* Filter reasons as kube-scheduler's plugins word them: a NotReady node
 * carries the node lifecycle controller's unreachable taint
 * (TaintToleration), a full one fails NodeResourcesFit's pod count. */
#define CTL_WHY_TAINT    "node(s) had untolerated taint(s)"
#define CTL_WHY_FULL     "Too many pods"
#define CTL_WHY_SPREAD   "node(s) didn't match pod topology spread constraints"
#define CTL_WHY_AFFINITY "node(s) didn't match Pod's node affinity/selector"
#define CTL_WHY_CORDONED "node(s) were unschedulable"
/* DefaultPreemption's verdicts: a taint is not resolved by evicting
 * anyone; on a full node every pod has the same priority (the lab has no
 * PriorityClasses), so there is no lower-priority victim. */
#define CTL_PREEMPT_TAINT "Preemption is not helpful for scheduling"
#define CTL_PREEMPT_FULL  "No preemption victims found for incoming pod"

static bool ctl_used(const struct ctl_nodes *c, int node, int host)
{
	return c->used[node][host / 8] & (1u << (host % 8));
}

static void ctl_mark(struct ctl_nodes *c, int node, int host)
{
	c->used[node][host / 8] |= (uint8_t)(1u << (host % 8));
}

/* The node whose pod subnet holds ip, or -1. */
static int ctl_ip_node(const struct ctl_nodes *c, struct in_addr ip, int *host)
{
	uint32_t a = ntohl(ip.s_addr);

	if ((a >> 16) != ((10u << 8) | 244u) || (int)((a >> 8) & 0xff) >= c->n)
		return -1;
	*host = (int)(a & 0xff);
	return (int)((a >> 8) & 0xff);
}

void ctl_nodes_init(struct ctl_nodes *c, int nodes, int max_pods, const struct model_pod *pods,
		    int n)
{
	memset(c, 0, sizeof(*c));
	c->n = nodes < 0 ? 0 : nodes > LAB_MAX_NODES ? LAB_MAX_NODES : nodes;
	c->max_pods = max_pods;
	for (int i = 0; i < n; i++) {
		int node = lab_node_index(pods[i].node), host, subnet;

		/* The address counts wherever it is: it may still be configured
		 * in a terminating pod's namespace. */
		subnet = ctl_ip_node(c, pods[i].ip, &host);
		if (subnet >= 0)
			ctl_mark(c, subnet, host);
		if (node >= 0 && node < c->n)
			c->pods[node]++;
	}
}

void ctl_nodes_status(struct ctl_nodes *c, const struct model_node_status *st, int n,
		      int64_t now, int grace_s)
{
	for (int i = 0; i < n; i++) {
		int node = lab_node_index(st[i].name);

		if (node >= 0 && node < c->n) {
			c->state[node] = model_node_ready(&st[i], now, grace_s) ? CTL_NODE_READY
										 : CTL_NODE_NOT_READY;
			c->cordoned[node] = st[i].unschedulable;
		}
	}
}

static int ctl_free_host(const struct ctl_nodes *c, int node)
{
	for (int h = CTL_HOST_FIRST; h <= CTL_HOST_LAST; h++)
		if (!ctl_used(c, node, h))
			return h;
	return -1;
}

/* "a A, b B" with the parts in sort.Strings order, as kube-scheduler lists
 * its reasons; a part with a zero count is left out. */
struct ctl_reason {
	int n;
	const char *text;
};

static int ctl_str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* "N reason" per distinct reason, equal reasons summed, sorted as strings
 * and joined, as kube-scheduler's FitError and DefaultPreemption word it. */
static void ctl_histogram(char *out, size_t len, struct ctl_reason *r, int nr)
{
	char s[8][128];
	int ns = 0;
	size_t o = 0;

	for (int i = 0; i < nr; i++)
		for (int j = i + 1; j < nr; j++)
			if (r[i].n && r[j].n && strcmp(r[i].text, r[j].text) == 0) {
				r[i].n += r[j].n;
				r[j].n = 0;
			}
	for (int i = 0; i < nr && ns < 8; i++)
		if (r[i].n)
			snprintf(s[ns++], sizeof(s[0]), "%d %s", r[i].n, r[i].text);
	qsort(s, (size_t)ns, sizeof(s[0]), ctl_str_cmp);
	out[0] = '\0';
	for (int i = 0; i < ns && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? ", " : "", s[i]);
}

/* FitError's message: the filters' reasons, then DefaultPreemption's (a
 * full node and a spread constraint might be helped by evicting someone,
 * a taint or a node affinity not). */
static void ctl_why(char *why, size_t len, int known, int cordoned, int not_ready, int affinity,
		    int full, int spread)
{
	struct ctl_reason f[] = {
		{ full, CTL_WHY_FULL }, { not_ready, CTL_WHY_TAINT }, { spread, CTL_WHY_SPREAD },
		{ affinity, CTL_WHY_AFFINITY }, { cordoned, CTL_WHY_CORDONED },
	};
	struct ctl_reason pr[] = {
		{ full, CTL_PREEMPT_FULL }, { not_ready, CTL_PREEMPT_TAINT },
		{ spread, CTL_PREEMPT_FULL }, { affinity, CTL_PREEMPT_TAINT },
		{ cordoned, CTL_PREEMPT_TAINT },
	};
	char filter[400], preempt[300];

	if (known == 0) {
		snprintf(why, len, "no nodes available to schedule pods");
		return;
	}
	ctl_histogram(filter, sizeof(filter), f, 5);
	ctl_histogram(preempt, sizeof(preempt), pr, 5);
	snprintf(why, len, "0/%d nodes are available: %s. preemption: 0/%d nodes are available: %s.",
		 known, filter, known, preempt);
}

int ctl_schedule(const struct ctl_nodes *c, const int *own, const struct model_pod_spec *spec,
		 int *node, struct in_addr *ip, char *why, size_t whylen)
{
	int best = -1, host = -1, known = 0, cordoned = 0, not_ready = 0, affinity = 0, full = 0;
	int spread = 0;
	int min_own = -1;
	int pinned = spec && spec->node_affinity[0] ? lab_node_index(spec->node_affinity) : -1;
	bool hard = spec && spec->spread_hard && spec->spread_max_skew > 0;

	/* The skew is measured against the emptiest node, NotReady ones
	 * included: PodTopologySpread ignores taints by default
	 * (nodeTaintsPolicy Ignore), so a NotReady node with none of the
	 * group's pods holds the others back. */
	for (int i = 0; hard && i < c->n; i++)
		if (c->state[i] != CTL_NODE_ABSENT && (min_own < 0 || own[i] < min_own))
			min_own = own[i];
	for (int i = 0; i < c->n; i++) {
		int h;

		if (c->state[i] == CTL_NODE_ABSENT)
			continue;
		known++;
		/* Each node reports its first failing filter, in
		 * kube-scheduler's order: NodeUnschedulable (a pinned pod, a
		 * DaemonSet's, tolerates a cordon), TaintToleration, then
		 * NodeAffinity. */
		if (c->cordoned[i] && pinned < 0) {
			cordoned++;
			continue;
		}
		if (c->state[i] == CTL_NODE_NOT_READY) {
			not_ready++;
			continue;
		}
		if (spec && spec->node_affinity[0] && i != pinned) {
			affinity++;
			continue;
		}
		/* The pod CIDR bounds the node as well as maxPods: a node out
		 * of addresses is as full as one at maxPods. */
		h = c->pods[i] < c->max_pods ? ctl_free_host(c, i) : -1;
		if (h < 0) {
			full++;
			continue;
		}
		if (hard && own[i] + 1 - min_own > spec->spread_max_skew) {
			spread++;
			continue;
		}
		/* Spread first (PodTopologySpread's default hostname
		 * constraint), then the least loaded node; strictly better
		 * only, so ties go to the lowest index. */
		if (best < 0 || own[i] < own[best] ||
		    (own[i] == own[best] && c->pods[i] < c->pods[best])) {
			best = i;
			host = h;
		}
	}
	if (best < 0) {
		ctl_why(why, whylen, known, cordoned, not_ready, affinity, full, spread);
		return -ENOSPC;
	}
	*node = best;
	ip->s_addr = htonl((10u << 24) | (244u << 16) | ((unsigned)best << 8) | (unsigned)host);
	return 0;
}

void ctl_nodes_take(struct ctl_nodes *c, int node, struct in_addr ip)
{
	int host, subnet = ctl_ip_node(c, ip, &host);

	if (subnet >= 0)
		ctl_mark(c, subnet, host);
	if (node >= 0 && node < c->n)
		c->pods[node]++;
}
