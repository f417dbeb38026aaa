/* ctl_daemonset.c — the DaemonSet controller's decisions: which node gets a
 * pod, which pod goes, and the status that follows. Pure functions over the
 * DaemonSet's pods and the nodes' states; ctl_sync_workloads.c applies them. */
#include "ctl.h"

#include <stdio.h>
#include <string.h>

/* A node's pods as the plan sees them: the oldest live pod of the current
 * template and the oldest live old one (-1 for none). */
struct ctl_ds_node {
	int cur, old;
};

static bool ctl_ds_older(const struct ctl_dspod *a, const struct ctl_dspod *b)
{
	return a->created != b->created ? a->created < b->created : a->idx < b->idx;
}

static void ctl_ds_del(struct ctl_ds_plan *plan, const struct ctl_dspod *p)
{
	plan->del[plan->n_del++] = p->idx;
}

void ctl_daemonset_bounds(const struct model_deployment *d, int desired, int *surge,
			  int *unavailable)
{
	*surge = ctl_scaled_value(d->max_surge, desired, true);
	*unavailable = ctl_scaled_value(d->max_unavailable, desired, true);
	if (*surge == 0 && *unavailable == 0)
		*unavailable = 1;
}

void ctl_daemonset_plan(const struct ctl_dspod *pods, int n, const enum ctl_node_state *state,
			int nodes, int surge, int unavailable, struct ctl_ds_plan *plan)
{
	struct ctl_ds_node per[LAB_MAX_NODES];
	int lacking = 0, surging = 0;

	memset(plan->create, 0, sizeof(plan->create));
	plan->n_del = 0;
	if (nodes > LAB_MAX_NODES)
		nodes = LAB_MAX_NODES;
	for (int i = 0; i < nodes; i++)
		per[i] = (struct ctl_ds_node){ -1, -1 };
	/* One pod of each kind per node, the oldest; the others go, and so
	 * do pods of nodes that are not registered (or not in the lab). */
	for (int k = 0; k < n; k++) {
		const struct ctl_dspod *p = &pods[k];
		int *slot;

		if (p->deleting)
			continue;
		if (p->node < 0 || p->node >= nodes || state[p->node] == CTL_NODE_ABSENT) {
			ctl_ds_del(plan, p);
			continue;
		}
		slot = p->current ? &per[p->node].cur : &per[p->node].old;
		if (*slot < 0) {
			*slot = k;
		} else if (ctl_ds_older(p, &pods[*slot])) {
			ctl_ds_del(plan, &pods[*slot]);
			*slot = k;
		} else {
			ctl_ds_del(plan, p);
		}
	}
	for (int i = 0; i < nodes; i++) {
		const struct ctl_ds_node *x = &per[i];
		bool ready = (x->cur >= 0 && pods[x->cur].ready) ||
			     (x->old >= 0 && pods[x->old].ready);

		if (state[i] != CTL_NODE_READY)
			continue;
		if (x->cur < 0 && x->old < 0)
			plan->create[i] = true;
		if (!ready)
			lacking++;
		if (x->cur >= 0 && x->old >= 0)
			surging++;
	}
	/* The rolling update, node by node in order. */
	for (int i = 0; i < nodes; i++) {
		const struct ctl_ds_node *x = &per[i];

		if (x->old < 0)
			continue;
		if (x->cur >= 0) {
			/* A surge under way: the old pod goes once the new
			 * one is ready. */
			if (pods[x->cur].ready) {
				ctl_ds_del(plan, &pods[x->old]);
				surging--;
			}
			continue;
		}
		if (surge > 0) {
			/* An old pod that is not ready is replaced at once;
			 * a ready one only within the surge. */
			if (state[i] == CTL_NODE_READY && (!pods[x->old].ready || surging < surge)) {
				plan->create[i] = true;
				surging += pods[x->old].ready;
			}
			continue;
		}
		if (!pods[x->old].ready) {
			ctl_ds_del(plan, &pods[x->old]);
		} else if (lacking < unavailable) {
			ctl_ds_del(plan, &pods[x->old]);
			lacking++;
		}
	}
}

void ctl_daemonset_status(const struct model_deployment *d, const char *hash,
			  const struct ctl_dspod *pods, int n, const enum ctl_node_state *state,
			  int nodes, struct model_deployment_status *st)
{
	bool any[LAB_MAX_NODES] = { false }, ready[LAB_MAX_NODES] = { false };
	bool old[LAB_MAX_NODES] = { false };

	memset(st, 0, sizeof(*st));
	st->daemon_set = true;
	memcpy(st->ns, d->meta.ns, sizeof(st->ns));
	memcpy(st->name, d->meta.name, sizeof(st->name));
	st->observed_generation = d->meta.generation;
	snprintf(st->template_hash, sizeof(st->template_hash), "%s", hash);
	if (nodes > LAB_MAX_NODES)
		nodes = LAB_MAX_NODES;
	for (int k = 0; k < n; k++) {
		const struct ctl_dspod *p = &pods[k];

		if (p->deleting || p->node < 0 || p->node >= nodes)
			continue;
		any[p->node] = true;
		ready[p->node] |= p->ready;
		old[p->node] |= !p->current;
	}
	for (int i = 0; i < nodes; i++) {
		if (state[i] != CTL_NODE_READY) {
			st->misscheduled += any[i];
			continue;
		}
		st->desired_scheduled++;
		st->replicas += any[i];
		st->ready_replicas += ready[i];
		st->available_replicas += ready[i];
		st->updated_replicas += any[i] && !old[i];
	}
	st->unavailable_replicas = st->desired_scheduled - st->available_replicas;
}
