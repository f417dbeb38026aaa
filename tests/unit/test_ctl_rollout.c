/* Unit tests for controller/ctl_rollout.c: scaling and rolling updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* A Deployment's pods as the rollout sees them, and a driver that applies
 * plans the way ctl_sync does. */
struct sim {
	struct ctl_rpod pods[64];
	char names[64][16];
	int n;
	int64_t clock;
};

static int sim_add(struct sim *s, bool current, bool ready)
{
	struct ctl_rpod *p = &s->pods[s->n];

	snprintf(s->names[s->n], sizeof(s->names[0]), "p%02d", s->n);
	*p = (struct ctl_rpod){ .idx = s->n, .current = current, .ready = ready,
				.created = s->clock++, .name = s->names[s->n] };
	return s->n++;
}

static void sim_apply(struct sim *s, const struct ctl_plan *plan)
{
	for (int k = 0; k < plan->n_del; k++) {
		struct ctl_rpod *p = &s->pods[plan->del[k]];

		assert_false(p->deleting);
		p->deleting = true;
		p->ready = false;
	}
	for (int k = 0; k < plan->create; k++)
		sim_add(s, true, false);
}

static void sim_count(const struct sim *s, int *new_live, int *old_live, int *ready)
{
	*new_live = *old_live = *ready = 0;
	for (int i = 0; i < s->n; i++) {
		if (s->pods[i].deleting)
			continue;
		*new_live += s->pods[i].current;
		*old_live += !s->pods[i].current;
		*ready += s->pods[i].ready;
	}
}

static void plan_for(struct sim *s, int replicas, int surge, int unavailable,
		     struct ctl_plan *plan, int *del)
{
	plan->del = del;
	ctl_rollout_plan(s->pods, s->n, replicas, surge, unavailable, plan);
}

static void test_scaled_values(void **state)
{
	struct model_deployment d;
	int surge, unav;

	(void)state;
	assert_int_equal(ctl_scaled_value((struct model_int_or_percent){ 25, true }, 3, true), 1);
	assert_int_equal(ctl_scaled_value((struct model_int_or_percent){ 25, true }, 3, false), 0);
	assert_int_equal(ctl_scaled_value((struct model_int_or_percent){ 25, true }, 4, false), 1);
	assert_int_equal(ctl_scaled_value((struct model_int_or_percent){ 50, true }, 5, true), 3);
	assert_int_equal(ctl_scaled_value((struct model_int_or_percent){ 50, true }, 5, false), 2);
	assert_int_equal(ctl_scaled_value((struct model_int_or_percent){ 2, false }, 5, false), 2);
	model_deployment_init(&d);
	d.replicas = 1;
	ctl_rollout_bounds(&d, &surge, &unav);
	assert_int_equal(surge, 1);
	assert_int_equal(unav, 0);
	/* Both zero is invalid: one pod may be unavailable. */
	d.max_surge = (struct model_int_or_percent){ 0, false };
	d.max_unavailable = (struct model_int_or_percent){ 10, true };
	ctl_rollout_bounds(&d, &surge, &unav);
	assert_int_equal(surge, 0);
	assert_int_equal(unav, 1);
}

static void test_scale_up_and_down(void **state)
{
	struct sim s = { .n = 0 };
	struct ctl_plan plan;
	int del[64];

	(void)state;
	plan_for(&s, 3, 1, 0, &plan, del);
	assert_int_equal(plan.create, 3);
	assert_int_equal(plan.n_del, 0);
	sim_apply(&s, &plan);
	plan_for(&s, 3, 1, 0, &plan, del);
	assert_int_equal(plan.create, 0);
	assert_int_equal(plan.n_del, 0);

	/* p0..p3 ready, p4 not ready, p5 being deleted: down to 2 takes the
	 * unready one, then the newest ready ones. */
	s.n = 0;
	for (int i = 0; i < 6; i++)
		sim_add(&s, true, i != 4);
	s.pods[5].deleting = true;
	s.pods[5].ready = false;
	plan_for(&s, 2, 1, 0, &plan, del);
	assert_int_equal(plan.create, 0);
	assert_int_equal(plan.n_del, 3);
	assert_int_equal(del[0], 4);
	assert_int_equal(del[1], 3);
	assert_int_equal(del[2], 2);

	/* Same age: the node with more of them loses one first. */
	s.n = 0;
	s.clock = 0;
	for (int i = 0; i < 3; i++) {
		sim_add(&s, true, true);
		s.pods[i].created = 100;
	}
	s.pods[0].colocated = 1;
	s.pods[1].colocated = 2;
	s.pods[2].colocated = 2;
	plan_for(&s, 2, 1, 0, &plan, del);
	assert_int_equal(plan.n_del, 1);
	assert_int_equal(del[0], 2);   /* then the name breaks the tie */
	plan_for(&s, 0, 1, 0, &plan, del);
	assert_int_equal(plan.n_del, 3);
}

/* Rolls replicas old ready pods to the current template, making every new
 * pod ready one step after it appears; checks the bounds at every step. */
static int roll(int replicas, int surge, int unavailable)
{
	struct sim s = { .n = 0 };
	struct ctl_plan plan;
	int del[64], steps = 0;

	for (int i = 0; i < replicas; i++)
		sim_add(&s, false, true);
	for (;;) {
		int nl, ol, ready;

		plan_for(&s, replicas, surge, unavailable, &plan, del);
		sim_apply(&s, &plan);
		sim_count(&s, &nl, &ol, &ready);
		assert_true(nl + ol <= replicas + surge);
		assert_true(ready >= replicas - unavailable);
		if (ol == 0 && nl == replicas && ready == replicas && !plan.create && !plan.n_del)
			break;
		/* The agent reports the new pods ready. */
		for (int i = 0; i < s.n; i++)
			if (s.pods[i].current && !s.pods[i].deleting)
				s.pods[i].ready = true;
		assert_true(++steps < 50);
	}
	return steps;
}

static void test_rolling_update(void **state)
{
	struct sim s = { .n = 0 };
	struct ctl_plan plan;
	int del[64];

	(void)state;
	/* The scenario's defaults with 1 replica: surge 1, unavailable 0. */
	sim_add(&s, false, true);
	plan_for(&s, 1, 1, 0, &plan, del);
	assert_int_equal(plan.create, 1);
	assert_int_equal(plan.n_del, 0);
	sim_apply(&s, &plan);
	/* The new pod is not ready yet: nothing happens. */
	plan_for(&s, 1, 1, 0, &plan, del);
	assert_int_equal(plan.create, 0);
	assert_int_equal(plan.n_del, 0);
	s.pods[1].ready = true;
	plan_for(&s, 1, 1, 0, &plan, del);
	assert_int_equal(plan.create, 0);
	assert_int_equal(plan.n_del, 1);
	assert_int_equal(del[0], 0);

	/* Surge 0, unavailable 1: an old pod goes before a new one comes. */
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 3; i++)
		sim_add(&s, false, true);
	plan_for(&s, 3, 0, 1, &plan, del);
	assert_int_equal(plan.create, 0);
	assert_int_equal(plan.n_del, 1);
	sim_apply(&s, &plan);
	plan_for(&s, 3, 0, 1, &plan, del);
	assert_int_equal(plan.create, 1);
	assert_int_equal(plan.n_del, 0);

	/* Unready old pods are cleaned up first, without waiting. */
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 3; i++)
		sim_add(&s, false, i != 1);
	plan_for(&s, 3, 1, 1, &plan, del);
	assert_int_equal(plan.create, 1);
	assert_true(plan.n_del >= 1);
	assert_int_equal(del[0], 1);

	assert_int_equal(roll(1, 1, 0), 2);
	assert_int_equal(roll(3, 1, 0), 6);
	assert_int_equal(roll(4, 1, 1), 4);
	assert_int_equal(roll(4, 4, 0), 2);
	assert_int_equal(roll(10, 3, 2), 4);
	roll(5, 0, 1);
	roll(2, 0, 2);
}

static void test_status(void **state)
{
	struct model_deployment d;
	struct model_deployment_status st;
	struct sim s = { .n = 0 };

	(void)state;
	model_deployment_init(&d);
	strcpy(d.meta.name, "web");
	d.meta.generation = 3;
	d.replicas = 3;
	sim_add(&s, false, true);
	sim_add(&s, false, true);
	sim_add(&s, false, false);
	s.pods[2].deleting = true;
	sim_add(&s, true, true);
	sim_add(&s, true, false);
	ctl_deployment_status(&d, "5d59d67564", s.pods, s.n, 0, &st);
	assert_int_equal(st.observed_generation, 3);
	assert_int_equal(st.replicas, 4);
	assert_int_equal(st.updated_replicas, 2);
	assert_int_equal(st.ready_replicas, 3);
	assert_int_equal(st.available_replicas, 3);
	assert_int_equal(st.unavailable_replicas, 0);
	assert_int_equal(st.n_conditions, 2);
	assert_string_equal(st.conditions[0].type, "Available");
	assert_true(st.conditions[0].status);
	assert_string_equal(st.conditions[1].reason, "ReplicaSetUpdated");
	assert_string_equal(st.conditions[1].message,
			    "ReplicaSet \"web-5d59d67564\" is progressing.");

	s.n = 0;
	for (int i = 0; i < 3; i++)
		sim_add(&s, true, i > 0);
	ctl_deployment_status(&d, "5d59d67564", s.pods, s.n, 0, &st);
	assert_false(st.conditions[0].status);
	assert_string_equal(st.conditions[0].reason, "MinimumReplicasUnavailable");
	assert_int_equal(st.unavailable_replicas, 1);
	s.pods[0].ready = true;
	ctl_deployment_status(&d, "5d59d67564", s.pods, s.n, 0, &st);
	assert_string_equal(st.conditions[1].reason, "NewReplicaSetAvailable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scaled_values),
		cmocka_unit_test(test_scale_up_and_down),
		cmocka_unit_test(test_rolling_update),
		cmocka_unit_test(test_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
