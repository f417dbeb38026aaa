/* lb_route.c — see lb_route.h. */
#include "lb_route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include "lab.h"
#include "lb.h"

int lb_route_setup(struct nl *nl, int n_nodes, char *err, size_t errlen)
{
	struct nl_route fe = { .prefix = 24, .dev = LB_VNET_DEV };
	int rc;

	for (int i = 0; i < n_nodes; i++) {
		struct nl_route r = {
			.prefix = 0,
			.gateway = lab_node_addr(i),
			.dev = LB_VNET_DEV,
			.table = LB_RT_TABLE_BASE + (uint32_t)i,
		};
		struct nl_rule rule = {
			.fwmark = lb_node_mark(i),
			.fwmask = 0xffffffffu,
			.table = LB_RT_TABLE_BASE + (uint32_t)i,
			.priority = LB_RULE_PRIO_BASE + (uint32_t)i,
		};

		rc = nl_route_replace(nl, &r, err, errlen);
		if (rc < 0)
			return rc;
		rc = nl_rule_add(nl, &rule, err, errlen);
		if (rc < 0 && rc != -EEXIST)
			return rc;
	}
	inet_pton(AF_INET, "203.0.113.0", &fe.dst);
	rc = nl_route_replace(nl, &fe, err, errlen);
	return rc < 0 ? rc : 0;
}
