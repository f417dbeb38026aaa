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

int lb_alloc_requested(const struct model_service *s, struct in_addr *out, char *err,
		       size_t errlen)
{
	const char *v = model_map_get(&s->meta.annotations, LB_ALLOC_IPV4_ANNOTATION);

	*out = s->load_balancer_ip;
	if (!v)
		return 0;
	if (inet_pton(AF_INET, v, out) != 1) {
		out->s_addr = 0;
		snprintf(err, errlen, "annotation %s: \"%s\" is not an IPv4 address",
			 LB_ALLOC_IPV4_ANNOTATION, v);
		return -1;
	}
	return 0;
}

/* The first Service of a[0..n) other than i that holds ip and uses one of
 * i's ports; -1 if none. *port gets the port in common. */
static int lb_alloc_clash(const struct lb_alloc *a, int n, int i, struct in_addr ip,
			  const struct lb_alloc_port **port)
{
	for (int j = 0; j < n; j++) {
		if (j == i || a[j].ip.s_addr != ip.s_addr)
			continue;
		for (int p = 0; p < a[i].n_ports; p++) {
			for (int q = 0; q < a[j].n_ports; q++) {
				if (a[i].ports[p].proto == a[j].ports[q].proto &&
				    a[i].ports[p].port == a[j].ports[q].port) {
					*port = &a[i].ports[p];
					return j;
				}
			}
		}
	}
	return -1;
}

int lb_alloc_frontends(struct lb_alloc *a, int n)
{
	bool held[256] = { false };  /* pool octets somebody holds */
	int pending = 0;

	for (int i = 0; i < n; i++) {
		a[i].ip.s_addr = 0;
		a[i].reason[0] = a[i].message[0] = '\0';
		if (a[i].request_error) {
			snprintf(a[i].reason, sizeof(a[i].reason), "InvalidLoadBalancerIP");
			snprintf(a[i].message, sizeof(a[i].message), "%s", a[i].request_error);
		}
	}
	/* 1. Holders keep what they have, unless they now ask for another
	 *    address: an address in use is never taken away from a Service
	 *    (of two that clash on a port, the first in the caller's order). */
	for (int i = 0; i < n; i++) {
		const struct lb_alloc_port *pt;
		struct in_addr c = a[i].current;

		if (!c.s_addr || !lb_alloc_in_pool(c) || a[i].request_error)
			continue;
		if (a[i].requested.s_addr && a[i].requested.s_addr != c.s_addr)
			continue;
		if (lb_alloc_clash(a, n, i, c, &pt) >= 0)
			continue;
		held[lb_octet(c)] = true;
		a[i].ip = c;
	}
	/* 2. Requested addresses, first come (in the caller's order) first
	 *    served; shared when the ports differ. */
	for (int i = 0; i < n; i++) {
		const struct lb_alloc_port *pt = NULL;
		struct in_addr r = a[i].requested;
		char ip[INET_ADDRSTRLEN];
		int j;

		if (a[i].ip.s_addr || !r.s_addr || a[i].request_error)
			continue;
		inet_ntop(AF_INET, &r, ip, sizeof(ip));
		if (!lb_alloc_in_pool(r)) {
			snprintf(a[i].reason, sizeof(a[i].reason), "InvalidLoadBalancerIP");
			snprintf(a[i].message, sizeof(a[i].message),
				 "requested frontend IP %s is not in the frontend pool %s",
				 ip, LAB_FRONTEND_CIDR);
			continue;
		}
		if (strcmp(ip, LAB_GATEWAY_IP) == 0) {
			/* On Azure a public IP belongs to one resource. */
			snprintf(a[i].reason, sizeof(a[i].reason), "LoadBalancerIPInUse");
			snprintf(a[i].message, sizeof(a[i].message),
				 "frontend IP %s is the L7 gateway's", ip);
			continue;
		}
		j = lb_alloc_clash(a, n, i, r, &pt);
		if (j >= 0) {
			snprintf(a[i].reason, sizeof(a[i].reason), "LoadBalancerIPInUse");
			snprintf(a[i].message, sizeof(a[i].message),
				 "frontend IP %s port %d/%s is in use by service %s/%s",
				 ip, pt->port, pt->proto == MODEL_PROTO_UDP ? "UDP" : "TCP",
				 a[j].ns, a[j].name);
			continue;
		}
		held[lb_octet(r)] = true;
		a[i].ip = r;
	}
	/* 3. Everybody else: the lowest address nobody holds. */
	for (int i = 0; i < n; i++) {
		int o = LB_FRONTEND_FIRST;

		if (a[i].ip.s_addr || a[i].requested.s_addr || a[i].request_error)
			continue;
		while (o < 255 && held[o])
			o++;
		if (o >= 255) {
			snprintf(a[i].reason, sizeof(a[i].reason), "FrontendPoolExhausted");
			snprintf(a[i].message, sizeof(a[i].message),
				 "no free address left in the frontend pool %s", LAB_FRONTEND_CIDR);
			continue;
		}
		held[o] = true;
		a[i].ip = lb_pool_addr(o);
	}
	for (int i = 0; i < n; i++)
		pending += !a[i].ip.s_addr;
	return pending;
}
