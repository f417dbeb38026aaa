/* ctl_sched.c — where a new pod goes, and its address. */
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#define CTL_HOST_FIRST 2     /* .1 is the node's cbr0 */
#define CTL_HOST_LAST  254   /* .255 is the broadcast address */

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

void ctl_nodes_init(struct ctl_nodes *c, int nodes, const struct model_pod *pods, int n)
{
	memset(c, 0, sizeof(*c));
	c->n = nodes < 0 ? 0 : nodes > LAB_MAX_NODES ? LAB_MAX_NODES : nodes;
	for (int i = 0; i < n; i++) {
		int node = lab_node_index(pods[i].node), host, subnet;

		/* The address counts wherever it is: it may still be configured
		 * in a terminating pod's namespace. */
		subnet = ctl_ip_node(c, pods[i].ip, &host);
		if (subnet >= 0)
			ctl_mark(c, subnet, host);
		if (node >= 0 && node < c->n && !pods[i].meta.deleting[0])
			c->pods[node]++;
	}
}

static int ctl_free_host(const struct ctl_nodes *c, int node)
{
	for (int h = CTL_HOST_FIRST; h <= CTL_HOST_LAST; h++)
		if (!ctl_used(c, node, h))
			return h;
	return -1;
}

int ctl_schedule(const struct ctl_nodes *c, const int *own, int *node, struct in_addr *ip)
{
	int best = -1, host = -1;

	for (int i = 0; i < c->n; i++) {
		int h = ctl_free_host(c, i);

		if (h < 0)
			continue;
		/* Strictly better only, so ties go to the lowest index. */
		if (best < 0 || own[i] < own[best] ||
		    (own[i] == own[best] && c->pods[i] < c->pods[best])) {
			best = i;
			host = h;
		}
	}
	if (best < 0)
		return -ENOSPC;
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
