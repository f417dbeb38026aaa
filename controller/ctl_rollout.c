/* ctl_rollout.c — the Deployment controller's decisions, over pods.
 *
 * Kubernetes does this with ReplicaSets (one per template) whose replica
 * counts the Deployment controller moves; here the pods of each template
 * are counted directly. The arithmetic is the same as deployment/rolling.go:
 * scale the new template up to min(replicas+maxSurge - all, replicas - new),
 * then remove old pods, unready ones first, while the pods that are ready
 * stay at or above replicas-maxUnavailable.
 */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctl_scaled_value(struct model_int_or_percent v, int total, bool round_up)
{
	int64_t x;

	if (!v.percent)
		return v.value < 0 ? 0 : v.value;
	x = (int64_t)v.value * total;
	x = round_up ? (x + 99) / 100 : x / 100;
	return x < 0 ? 0 : x > INT32_MAX ? INT32_MAX : (int)x;
}

void ctl_rollout_bounds(const struct model_deployment *d, int *surge, int *unavailable)
{
	*surge = ctl_scaled_value(d->max_surge, d->replicas, true);
	*unavailable = ctl_scaled_value(d->max_unavailable, d->replicas, false);
	if (*surge == 0 && *unavailable == 0)
		*unavailable = 1;
}

/* Deletion order, most deletable first, as the ReplicaSet controller ranks
 * pods: unscheduled before scheduled, not ready before ready, newer before
 * older, then pods sharing a node with more of their kind (keeps the
 * spread), then by name so the choice is deterministic. */
static int ctl_rank_cmp(const void *a, const void *b)
{
	const struct ctl_rpod *x = *(const struct ctl_rpod *const *)a;
	const struct ctl_rpod *y = *(const struct ctl_rpod *const *)b;

	if (x->assigned != y->assigned)
		return x->assigned ? 1 : -1;
	if (x->ready != y->ready)
		return x->ready ? 1 : -1;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	if (x->colocated != y->colocated)
		return x->colocated > y->colocated ? -1 : 1;
	return -strcmp(x->name, y->name);
}

/* Picks up to `count` live pods of the current or the old templates in
 * rank order into plan->del, all or (unready_only) only unready ones;
 * taken[] is indexed like pods. */
static int ctl_pick(const struct ctl_rpod *pods, const struct ctl_rpod **ranked, int n,
		    bool current, bool unready_only, int count, bool *taken, struct ctl_plan *plan)
{
	int picked = 0;

	for (int i = 0; i < n && picked < count; i++) {
		const struct ctl_rpod *p = ranked[i];

		if (p->deleting || p->current != current || taken[p - pods])
			continue;
		if (unready_only && p->ready)
			continue;
		taken[p - pods] = true;
		plan->del[plan->n_del++] = p->idx;
		picked++;
	}
	return picked;
}

void ctl_rollout_plan(const struct ctl_rpod *pods, int n, int replicas, int surge,
		      int unavailable, struct ctl_plan *plan)
{
	const struct ctl_rpod **ranked = NULL;
	bool *taken = NULL;
	int new_live = 0, new_ready = 0, old_live = 0, old_ready = 0, old_unready;
	int min_available, all, new_unavailable, max_scaled_down, cleaned, available;

	plan->create = 0;
	plan->n_del = 0;
	if (replicas < 0)
		replicas = 0;
	for (int i = 0; i < n; i++) {
		if (pods[i].deleting)
			continue;
		if (pods[i].current) {
			new_live++;
			new_ready += pods[i].ready;
		} else {
			old_live++;
			old_ready += pods[i].ready;
		}
	}
	ranked = malloc((size_t)(n ? n : 1) * sizeof(*ranked));
	taken = calloc((size_t)(n ? n : 1), sizeof(*taken));
	if (!ranked || !taken)
		goto out;   /* nothing planned; the next pass tries again */
	for (int i = 0; i < n; i++)
		ranked[i] = &pods[i];
	qsort(ranked, (size_t)n, sizeof(*ranked), ctl_rank_cmp);

	/* The current template: up to replicas, within the surge while old
	 * pods remain. */
	if (new_live > replicas) {
		ctl_pick(pods, ranked, n, true, false, new_live - replicas, taken, plan);
		new_ready = 0;
		for (int i = 0; i < n; i++)
			if (!pods[i].deleting && pods[i].current && pods[i].ready && !taken[i])
				new_ready++;
		new_live = replicas;
	} else if (new_live < replicas) {
		int room = old_live ? replicas + surge - (new_live + old_live)
				    : replicas - new_live;

		if (room > replicas - new_live)
			room = replicas - new_live;
		plan->create = room > 0 ? room : 0;
		new_live += plan->create;
	}
	if (old_live == 0)
		goto out;

	/* Old templates, as reconcileOldReplicaSets: never below the minimum
	 * available, counting the current template's unready pods as the
	 * unavailability they are. */
	min_available = replicas - unavailable;
	if (min_available < 0)
		min_available = 0;
	all = new_live + old_live;
	new_unavailable = new_live - new_ready;
	max_scaled_down = all - min_available - new_unavailable;
	if (max_scaled_down <= 0)
		goto out;
	old_unready = old_live - old_ready;
	cleaned = ctl_pick(pods, ranked, n, false, true,
			   old_unready < max_scaled_down ? old_unready : max_scaled_down,
			   taken, plan);
	old_live -= cleaned;
	/* Unready pods going away cost nothing; ready ones only above the
	 * minimum. */
	available = new_ready + old_ready;
	if (available > min_available) {
		int down = available - min_available;

		if (down > max_scaled_down - cleaned)
			down = max_scaled_down - cleaned;
		if (down > old_live)
			down = old_live;
		ctl_pick(pods, ranked, n, false, false, down, taken, plan);
	}
out:
	free(ranked);
	free(taken);
}

static void ctl_condition(struct model_condition *c, const char *type, bool status,
			  const char *reason, const char *message)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->type, sizeof(c->type), "%s", type);
	c->status = status;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	snprintf(c->message, sizeof(c->message), "%s", message);
}

void ctl_deployment_status(const struct model_deployment *d, const char *hash,
			   const struct ctl_rpod *pods, int n, int unavailable,
			   struct model_deployment_status *st)
{
	char msg[MODEL_MESSAGE_MAX];
	int min_available = d->replicas - unavailable;
	bool complete;

	memset(st, 0, sizeof(*st));
	snprintf(st->ns, sizeof(st->ns), "%s", d->meta.ns);
	snprintf(st->name, sizeof(st->name), "%s", d->meta.name);
	snprintf(st->template_hash, sizeof(st->template_hash), "%s", hash);
	st->observed_generation = d->meta.generation;
	for (int i = 0; i < n; i++) {
		if (pods[i].deleting)
			continue;
		st->replicas++;
		st->updated_replicas += pods[i].current;
		st->ready_replicas += pods[i].ready;
	}
	/* minReadySeconds is always 0: ready is available. */
	st->available_replicas = st->ready_replicas;
	st->unavailable_replicas = d->replicas > st->available_replicas
					   ? d->replicas - st->available_replicas : 0;
	if (min_available < 0)
		min_available = 0;
	if (st->available_replicas >= min_available)
		ctl_condition(&st->conditions[0], "Available", true, "MinimumReplicasAvailable",
			      "Deployment has minimum availability.");
	else
		ctl_condition(&st->conditions[0], "Available", false, "MinimumReplicasUnavailable",
			      "Deployment does not have minimum availability.");
	complete = st->updated_replicas == d->replicas && st->replicas == d->replicas &&
		   st->available_replicas == d->replicas;
	snprintf(msg, sizeof(msg), "ReplicaSet \"%.*s-%s\" %s.", MODEL_NAME_MAX - 1, d->meta.name,
		 hash, complete ? "has successfully progressed" : "is progressing");
	ctl_condition(&st->conditions[1], "Progressing", true,
		      complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated", msg);
	st->n_conditions = 2;
}
