/* Unit tests for controller/ctl_daemonset.c: a pod per node, rolling
 * updates node by node, the status; and the pin in ctl_schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

#define R CTL_NODE_READY
#define NR CTL_NODE_NOT_READY
#define A CTL_NODE_ABSENT

/* A DaemonSet's pods and a driver that applies plans as ctl_sync does. */
struct sim {
	struct ctl_dspod pods[64];
	int n;
	int64_t clock;
	int del[64];
};

static int sim_add(struct sim *s, int node, bool current, bool ready)
{
	s->pods[s->n] = (struct ctl_dspod){ .idx = s->n, .node = node, .current = current,
					    .ready = ready, .created = s->clock++ };
	return s->n++;
}

static void sim_step(struct sim *s, const enum ctl_node_state *state, int nodes, int surge,
		     int unavailable, struct ctl_ds_plan *plan)
{
	plan->del = s->del;
	ctl_daemonset_plan(s->pods, s->n, state, nodes, surge, unavailable, plan);
	for (int k = 0; k < plan->n_del; k++) {
		struct ctl_dspod *p = &s->pods[plan->del[k]];

		assert_false(p->deleting);
		p->deleting = true;
		p->ready = false;
	}
	for (int i = 0; i < nodes; i++)
		if (plan->create[i])
			sim_add(s, i, true, false);
}

/* Live pods of the current template on node, and of any template. */
static int sim_live(const struct sim *s, int node, bool current_only)
{
	int n = 0;

	for (int k = 0; k < s->n; k++)
		n += !s->pods[k].deleting && s->pods[k].node == node &&
		     (!current_only || s->pods[k].current);
	return n;
}

static void test_a_pod_per_ready_node(void **state)
{
	const enum ctl_node_state nodes[] = { R, R, NR, A };
	struct sim s = { 0 };
	struct ctl_ds_plan plan;

	(void)state;
	sim_step(&s, nodes, 4, 0, 1, &plan);
	assert_true(plan.create[0]);
	assert_true(plan.create[1]);
	assert_false(plan.create[2]);   /* NotReady: none made there */
	assert_false(plan.create[3]);
	assert_int_equal(plan.n_del, 0);
	/* Nothing more to do once each Ready node has one. */
	sim_step(&s, nodes, 4, 0, 1, &plan);
	assert_false(plan.create[0] || plan.create[1]);
	assert_int_equal(plan.n_del, 0);
}

static void test_extra_and_stray_pods_go(void **state)
{
	const enum ctl_node_state nodes[] = { R, NR, A };
	struct sim s = { 0 };
	struct ctl_ds_plan plan;
	int oldest, twin, on_not_ready, on_absent, nowhere;

	(void)state;
	oldest = sim_add(&s, 0, true, true);
	twin = sim_add(&s, 0, true, true);
	on_not_ready = sim_add(&s, 1, true, true);
	on_absent = sim_add(&s, 2, true, true);
	nowhere = sim_add(&s, 7, true, false);
	sim_step(&s, nodes, 3, 0, 1, &plan);
	assert_false(s.pods[oldest].deleting);          /* the oldest stays */
	assert_true(s.pods[twin].deleting);
	assert_false(s.pods[on_not_ready].deleting);    /* a NotReady node keeps its pod */
	assert_true(s.pods[on_absent].deleting);
	assert_true(s.pods[nowhere].deleting);
	assert_int_equal(plan.n_del, 3);
}

static void test_rolling_update_one_node_at_a_time(void **state)
{
	const enum ctl_node_state nodes[] = { R, R, R };
	struct sim s = { 0 };
	struct ctl_ds_plan plan;
	int steps = 0;

	(void)state;
	for (int i = 0; i < 3; i++)
		sim_add(&s, i, false, true);
	/* Until every node has a current pod: never more than one node
	 * without a ready pod. */
	while (sim_live(&s, 0, true) + sim_live(&s, 1, true) + sim_live(&s, 2, true) < 3 ||
	       sim_live(&s, 0, false) + sim_live(&s, 1, false) + sim_live(&s, 2, false) > 3) {
		int lacking = 0;

		assert_true(++steps < 20);
		sim_step(&s, nodes, 3, 0, 1, &plan);
		for (int i = 0; i < 3; i++) {
			bool ready = false;

			for (int k = 0; k < s.n; k++)
				ready |= !s.pods[k].deleting && s.pods[k].node == i && s.pods[k].ready;
			lacking += !ready;
		}
		assert_true(lacking <= 1);
		/* The pods made in this step start and turn ready. */
		for (int k = 0; k < s.n; k++)
			if (!s.pods[k].deleting && s.pods[k].current)
				s.pods[k].ready = true;
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(sim_live(&s, i, true), 1);
		assert_int_equal(sim_live(&s, i, false), 1);
	}
}

static void test_old_pod_not_ready_goes_at_once(void **state)
{
	const enum ctl_node_state nodes[] = { R, R };
	struct sim s = { 0 };
	struct ctl_ds_plan plan;
	int a, b;

	(void)state;
	a = sim_add(&s, 0, false, false);
	b = sim_add(&s, 1, false, false);
	sim_step(&s, nodes, 2, 0, 1, &plan);
	assert_true(s.pods[a].deleting);
	assert_true(s.pods[b].deleting);
}

static void test_surge_starts_the_new_pod_first(void **state)
{
	const enum ctl_node_state nodes[] = { R, R };
	struct sim s = { 0 };
	struct ctl_ds_plan plan;
	int old0, old1, new0;

	(void)state;
	old0 = sim_add(&s, 0, false, true);
	old1 = sim_add(&s, 1, false, true);
	sim_step(&s, nodes, 2, 1, 0, &plan);
	assert_true(plan.create[0]);
	assert_false(plan.create[1]);                   /* surge 1: one node at a time */
	assert_int_equal(plan.n_del, 0);
	new0 = s.n - 1;
	/* Not ready yet: the old pod stays, the surge is used up. */
	sim_step(&s, nodes, 2, 1, 0, &plan);
	assert_false(plan.create[1]);
	assert_false(s.pods[old0].deleting);
	s.pods[new0].ready = true;
	sim_step(&s, nodes, 2, 1, 0, &plan);
	assert_true(s.pods[old0].deleting);
	assert_true(plan.create[1]);
	assert_false(s.pods[old1].deleting);
}

static void test_bounds(void **state)
{
	struct model_deployment d;
	int surge, unavailable;

	(void)state;
	model_daemonset_init(&d);
	ctl_daemonset_bounds(&d, 3, &surge, &unavailable);
	assert_int_equal(surge, 0);
	assert_int_equal(unavailable, 1);
	d.max_unavailable = (struct model_int_or_percent){ 10, true };
	ctl_daemonset_bounds(&d, 3, &surge, &unavailable);
	assert_int_equal(unavailable, 1);               /* 0.3 rounds up */
	d.max_unavailable = (struct model_int_or_percent){ 0, false };
	ctl_daemonset_bounds(&d, 3, &surge, &unavailable);
	assert_int_equal(unavailable, 1);               /* both 0 */
	d.max_surge = (struct model_int_or_percent){ 50, true };
	ctl_daemonset_bounds(&d, 3, &surge, &unavailable);
	assert_int_equal(surge, 2);
	assert_int_equal(unavailable, 0);
}

static void test_status(void **state)
{
	const enum ctl_node_state nodes[] = { R, R, R, NR };
	struct model_deployment d;
	struct model_deployment_status st;
	struct sim s = { 0 };

	(void)state;
	model_daemonset_init(&d);
	snprintf(d.meta.name, sizeof(d.meta.name), "whoami");
	d.meta.generation = 3;
	sim_add(&s, 0, true, true);                     /* up to date, ready */
	sim_add(&s, 1, false, true);                    /* old, ready */
	sim_add(&s, 1, true, false);                    /* and its surge, not ready */
	sim_add(&s, 3, true, true);                     /* on a NotReady node */
	s.pods[sim_add(&s, 2, true, true)].deleting = true;
	ctl_daemonset_status(&d, "6d8f9b7c5d", s.pods, s.n, nodes, 4, &st);
	assert_true(st.daemon_set);
	assert_int_equal(st.observed_generation, 3);
	assert_int_equal(st.desired_scheduled, 3);
	assert_int_equal(st.replicas, 2);               /* currentNumberScheduled */
	assert_int_equal(st.misscheduled, 1);
	assert_int_equal(st.ready_replicas, 2);
	assert_int_equal(st.updated_replicas, 1);       /* node1 still has its old pod */
	assert_int_equal(st.available_replicas, 2);
	assert_int_equal(st.unavailable_replicas, 1);
	assert_string_equal(st.template_hash, "6d8f9b7c5d");
}

static void test_schedule_honours_the_pin(void **state)
{
	struct ctl_nodes c;
	struct model_pod_spec spec = { 0 };
	int own[LAB_MAX_NODES] = { 0 }, node = -1;
	struct in_addr ip;
	char why[512];

	(void)state;
	ctl_nodes_init(&c, 3, 110, NULL, 0);
	c.state[0] = c.state[1] = c.state[2] = CTL_NODE_READY;
	snprintf(spec.node_affinity, sizeof(spec.node_affinity), "node2");
	assert_int_equal(ctl_schedule(&c, own, &spec, &node, &ip, why, sizeof(why)), 0);
	assert_int_equal(node, 2);
	assert_string_equal(inet_ntoa(ip), "10.244.2.2");
	c.state[2] = CTL_NODE_NOT_READY;
	assert_int_equal(ctl_schedule(&c, own, &spec, &node, &ip, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "0/3 nodes are available: 1 node(s) had untolerated taint(s), "
			    "2 node(s) didn't match Pod's node affinity/selector. preemption: "
			    "0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_pod_per_ready_node),
		cmocka_unit_test(test_extra_and_stray_pods_go),
		cmocka_unit_test(test_rolling_update_one_node_at_a_time),
		cmocka_unit_test(test_old_pod_not_ready_goes_at_once),
		cmocka_unit_test(test_surge_starts_the_new_pod_first),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_schedule_honours_the_pin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
