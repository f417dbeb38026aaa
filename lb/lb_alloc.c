/* lb_alloc.c — see lb_alloc.h. */
#include "lb_alloc.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "lb.h"

#define LB_POOL_NET 0xcb007100u   /* 203.0.113.0 */

bool lb_alloc_in_pool(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return (h & 0xffffff00u) == LB_POOL_NET && (h & 0xffu) != 0 && (h & 0xffu) != 255;
}

static int lb_octet(struct in_addr a)
{
	return (int)(ntohl(a.s_addr) & 0xffu);
}

static struct in_addr lb_pool_addr(int octet)
{
	struct in_addr a = { htonl(LB_POOL_NET | (uint32_t)octet) };

	return a;
}

int lb_alloc_frontends(struct lb_alloc *a, int n)
{
	int owner[256];  /* pool octet -> index into a, -1 when free */
	int pending = 0;

	for (int i = 0; i < 256; i++)
		owner[i] = -1;
	for (int i = 0; i < n; i++) {
		a[i].ip.s_addr = 0;
		a[i].reason[0] = a[i].message[0] = '\0';
	}
	/* 1. Holders keep what they have, unless they now ask for another
	 *    address: an address in use is never taken away from a Service. */
	for (int i = 0; i < n; i++) {
		struct in_addr c = a[i].current;

		if (!c.s_addr || !lb_alloc_in_pool(c) || owner[lb_octet(c)] >= 0)
			continue;
		if (a[i].requested.s_addr && a[i].requested.s_addr != c.s_addr)
			continue;
		owner[lb_octet(c)] = i;
		a[i].ip = c;
	}
	/* 2. Requested addresses, first come (in the caller's order) first served. */
	for (int i = 0; i < n; i++) {
		struct in_addr r = a[i].requested;
		char ip[INET_ADDRSTRLEN];
		int o;

		if (a[i].ip.s_addr || !r.s_addr)
			continue;
		inet_ntop(AF_INET, &r, ip, sizeof(ip));
		if (!lb_alloc_in_pool(r)) {
			snprintf(a[i].reason, sizeof(a[i].reason), "InvalidLoadBalancerIP");
			snprintf(a[i].message, sizeof(a[i].message),
				 "spec.loadBalancerIP %s is not in the frontend pool %s",
				 ip, LAB_FRONTEND_CIDR);
			continue;
		}
		o = lb_octet(r);
		if (owner[o] >= 0) {
			snprintf(a[i].reason, sizeof(a[i].reason), "LoadBalancerIPInUse");
			snprintf(a[i].message, sizeof(a[i].message),
				 "spec.loadBalancerIP %s is in use by service %s/%s",
				 ip, a[owner[o]].ns, a[owner[o]].name);
			continue;
		}
		owner[o] = i;
		a[i].ip = r;
	}
	/* 3. Everybody else: the lowest free address. */
	for (int i = 0; i < n; i++) {
		int o = LB_FRONTEND_FIRST;

		if (a[i].ip.s_addr || a[i].requested.s_addr)
			continue;
		while (o < 255 && owner[o] >= 0)
			o++;
		if (o >= 255) {
			snprintf(a[i].reason, sizeof(a[i].reason), "FrontendPoolExhausted");
			snprintf(a[i].message, sizeof(a[i].message),
				 "no free address left in the frontend pool %s", LAB_FRONTEND_CIDR);
			continue;
		}
		owner[o] = i;
		a[i].ip = lb_pool_addr(o);
	}
	for (int i = 0; i < n; i++)
		pending += !a[i].ip.s_addr;
	return pending;
}
