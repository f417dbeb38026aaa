/* Unit tests for lb/lb_conntrack.c's decision: which edge conntrack
 * entries are let go after the pool changed (never answered, steered by
 * the load balancer to a node outside the frontend's healthy set, or to a
 * frontend that is gone), and which are kept (answered, or not ours). The
 * deletion itself runs in tests/integration/test_lb_unpin.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "lb.h"
#include "lb_conntrack.h"

#define T MODEL_PROTO_TCP

static void test_is_stale(void **state)
{
	struct lb_nft_svc svcs[2];
	uint32_t fe0 = inet_addr("203.0.113.10"), fe1 = inet_addr("203.0.113.11");

	(void)state;
	memset(svcs, 0, sizeof(svcs));
	svcs[0].frontend.s_addr = fe0;
	svcs[0].n_backends = 3;
	svcs[0].n_ports = 2;
	svcs[0].ports[0] = (struct lb_nft_port){ .proto = MODEL_PROTO_TCP, .port = 80,
						 .healthy = { 0, 2 }, .n_healthy = 2 };
	/* Port 81's own probe says only node1. */
	svcs[0].ports[1] = (struct lb_nft_port){ .proto = MODEL_PROTO_TCP, .port = 81,
						 .healthy = { 1 }, .n_healthy = 1 };
	svcs[1].frontend.s_addr = fe1;
	svcs[1].n_backends = 3;
	svcs[1].n_ports = 1;
	svcs[1].ports[0] = (struct lb_nft_port){ .proto = MODEL_PROTO_TCP, .port = 80 };

	/* Steered to node1, which left the pool of fe0: let go. */
	assert_true(lb_conntrack_is_stale(svcs, 2, fe0, T, 80, lb_node_mark(1), false));
	/* ... unless it has been answered: an established flow stays. */
	assert_false(lb_conntrack_is_stale(svcs, 2, fe0, T, 80, lb_node_mark(1), true));
	/* Nodes in the pool keep their flows. */
	assert_false(lb_conntrack_is_stale(svcs, 2, fe0, T, 80, lb_node_mark(0), false));
	assert_false(lb_conntrack_is_stale(svcs, 2, fe0, T, 80, lb_node_mark(2), false));
	/* Each rule has its own pool: node1 serves 81, node0 does not. */
	assert_false(lb_conntrack_is_stale(svcs, 2, fe0, T, 81, lb_node_mark(1), false));
	assert_true(lb_conntrack_is_stale(svcs, 2, fe0, T, 81, lb_node_mark(0), false));
	/* A rule that is gone (another port, or UDP on 80). */
	assert_true(lb_conntrack_is_stale(svcs, 2, fe0, T, 82, lb_node_mark(0), false));
	assert_true(lb_conntrack_is_stale(svcs, 2, fe0, MODEL_PROTO_UDP, 80, lb_node_mark(0),
					  false));
	/* A rule with no healthy node: every unanswered flow goes. */
	assert_true(lb_conntrack_is_stale(svcs, 2, fe1, T, 80, lb_node_mark(0), false));
	/* A frontend that is gone, answered or not. */
	assert_true(lb_conntrack_is_stale(svcs, 2, inet_addr("203.0.113.12"), T, 80,
					  lb_node_mark(0), false));
	assert_true(lb_conntrack_is_stale(svcs, 2, inet_addr("203.0.113.12"), T, 80,
					  lb_node_mark(0), true));
	assert_true(lb_conntrack_is_stale(svcs, 2, fe0, T, 82, lb_node_mark(0), true));
	/* Not marked by the load balancer (the edge's own traffic): never. */
	assert_false(lb_conntrack_is_stale(svcs, 2, fe0, T, 80, 0, false));
	assert_false(lb_conntrack_is_stale(svcs, 2, fe0, T, 80, 0x12340001u, false));
	assert_false(lb_conntrack_is_stale(NULL, 0, fe0, T, 80, 0, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_stale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
