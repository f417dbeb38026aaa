/* manifest_workload.c — apps/v1 Deployment and DaemonSet (see
 * manifest_int.h): metadata, spec.replicas, spec.selector, the rollout
 * strategy, and the pod template (read by manifest_pod.c).
 *
 * A DaemonSet is read by the same code into the same model struct
 * (daemon_set set): it has no replicas, and its strategy is
 * spec.updateStrategy. The checks that need the whole object (a name, a
 * selector that matches the template's labels, at least one container)
 * come after the walk, since the fields come in any order.
 */
#include "manifest_int.h"

#include <stdio.h>
#include <string.h>

/* ---- strategy ------------------------------------------------------------ */

/* A Deployment's spec.strategy, or a DaemonSet's spec.updateStrategy
 * (RollingUpdate only: the lab's controller rolls every DaemonSet). */
static void mp_strategy(struct mp *p, struct fy_node *n, struct model_deployment *d)
{
	struct mp_iter i;
	struct fy_node *ru_node = NULL, *unavail_node = NULL;
	bool recreate = false, set = false;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "type") == 0) {
			char type[32], q[48];

			if (mp_str(p, i.val, type, sizeof(type)) <= 0)
				continue;
			if (d->daemon_set && strcmp(type, "RollingUpdate") != 0)
				mp_err(p, i.val, "Unsupported value: %s: supported values: "
				       "\"RollingUpdate\" (a clientip lab does not do \"OnDelete\")",
				       mp_quote(type, strlen(type), q, sizeof(q)));
			else if (strcmp(type, "Recreate") == 0)
				recreate = true;
			else if (strcmp(type, "RollingUpdate") != 0)
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"Recreate\", "
				       "\"RollingUpdate\"", mp_quote(type, strlen(type), q, sizeof(q)));
		} else if (strcmp(i.key, "rollingUpdate") == 0) {
			struct mp_iter j;

			if (!i.val || !mp_iter_start(p, &j, i.val))
				continue;
			ru_node = i.val;
			while (mp_next(p, &j)) {
				if (strcmp(j.key, "maxSurge") == 0) {
					mp_int_or_percent(p, j.val, &d->max_surge, &set);
				} else if (strcmp(j.key, "maxUnavailable") == 0) {
					unavail_node = j.val;
					mp_int_or_percent(p, j.val, &d->max_unavailable, &set);
				} else {
					mp_unknown(p, &j);
				}
			}
		} else {
			mp_unknown(p, &i);
		}
	}
	if (recreate) {
		if (ru_node) {
			mp_err_child(p, ru_node, "rollingUpdate", "Forbidden: may not be specified "
				     "when strategy `type` is 'Recreate'");
			return;
		}
		/* Recreate is a rolling update that stops every old pod before
		 * starting any new one. */
		d->max_surge = (struct model_int_or_percent){ 0, false };
		d->max_unavailable = (struct model_int_or_percent){ 100, true };
		return;
	}
	if (d->max_unavailable.percent && d->max_unavailable.value > 100) {
		size_t old = mp_push(p, "rollingUpdate.maxUnavailable");

		mp_err(p, unavail_node, "Invalid value: \"%d%%\": must not be greater than 100%%",
		       d->max_unavailable.value);
		mp_pop(p, old);
	}
	if (d->max_surge.value == 0 && d->max_unavailable.value == 0) {
		size_t old = mp_push(p, "rollingUpdate.maxUnavailable");

		if (d->max_unavailable.percent)
			mp_err(p, unavail_node ? unavail_node : ru_node,
			       "Invalid value: \"0%%\": may not be 0 when `maxSurge` is 0");
		else
			mp_err(p, unavail_node ? unavail_node : ru_node,
			       "Invalid value: 0: may not be 0 when `maxSurge` is 0");
		mp_pop(p, old);
	}
}

/* m as Go's %#v prints a map[string]string: the API server's message
 * shows template labels this way. */
static void mp_map_go(const struct model_map *m, char *buf, size_t len)
{
	size_t o = 0;

	o += (size_t)snprintf(buf, len, "map[string]string{");
	for (int k = 0; k < m->n && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s\"%s\":\"%s\"", k ? ", " : "",
				      m->items[k].key, m->items[k].value);
	if (o < len)
		snprintf(buf + o, len - o, "}");
	if (m->n == 0)
		snprintf(buf, len, "map[string]string(nil)");
}

/* ---- Deployment and DaemonSet -------------------------------------------- */

/* A Deployment, or a DaemonSet (daemon_set): no replicas, and its
 * strategy is spec.updateStrategy. */
void mp_deployment(struct mp *p, struct fy_node *root, struct manifest_object *o,
		   bool daemon_set)
{
	struct model_deployment *d = &o->deployment;
	struct fy_node *spec_node = NULL, *sel_node = NULL, *labels_node = NULL, *tmpl_node = NULL;
	bool named = false, has_containers = false, sel_seen = false;
	struct mp_iter i;

	if (daemon_set)
		model_daemonset_init(d);
	else
		model_deployment_init(d);
	snprintf(d->meta.ns, sizeof(d->meta.ns), "%s", p->default_ns);
	if (!mp_iter_start(p, &i, root))
		return;
	while (mp_next(p, &i)) {
		if (mp_key_in(i.key, mp_object_keys_skipped))
			continue;
		if (strcmp(i.key, "metadata") == 0) {
			mp_meta(p, i.val, &d->meta, o, MP_NAME_SUBDOMAIN, &named);
		} else if (strcmp(i.key, "spec") == 0) {
			struct mp_iter j;
			static const char *const silent[] = {
				"revisionHistoryLimit", "progressDeadlineSeconds", NULL,
			};
			static const char *const ds_silent[] = { "revisionHistoryLimit", NULL };

			spec_node = i.val;
			if (!i.val || !mp_iter_start(p, &j, i.val))
				continue;
			while (mp_next(p, &j)) {
				if (strcmp(j.key, "replicas") == 0 && !daemon_set) {
					long long v;

					if (mp_int(p, j.val, &v) <= 0)
						continue;
					if (v < 0)
						mp_err(p, j.val, "Invalid value: %lld: must be greater than "
						       "or equal to 0", v);
					else if (v > 1000)
						mp_err(p, j.val, "Invalid value: %lld: must be no more than "
						       "1000 in a lab", v);
					else
						d->replicas = (int)v;
					o->replicas_set = true;
				} else if (strcmp(j.key, "selector") == 0) {
					struct mp_iter k;

					sel_node = j.val;
					o->selector_pos = mp_pos(p, j.val);
					if (!j.val || !mp_iter_start(p, &k, j.val))
						continue;
					sel_seen = true;
					while (mp_next(p, &k)) {
						if (strcmp(k.key, "matchLabels") == 0) {
							mp_map(p, k.val, &d->selector, MP_MAP_LABELS);
						} else if (strcmp(k.key, "matchExpressions") == 0) {
							if (k.val && (!fy_node_is_sequence(k.val) ||
								      fy_node_sequence_item_count(k.val) > 0))
								mp_err(p, k.val, "Forbidden: not supported by "
								       "clientip; use matchLabels");
						} else {
							mp_unknown(p, &k);
						}
					}
				} else if (strcmp(j.key, "template") == 0) {
					tmpl_node = j.val;
					if (j.val)
						mp_template(p, j.val, d, &labels_node, &has_containers);
				} else if (strcmp(j.key, daemon_set ? "updateStrategy" : "strategy") == 0) {
					if (j.val)
						mp_strategy(p, j.val, d);
				} else if (strcmp(j.key, "minReadySeconds") == 0 ||
					   (strcmp(j.key, "paused") == 0 && !daemon_set)) {
					mp_ignored(p, &j);
				} else if (!mp_key_in(j.key, daemon_set ? ds_silent : silent)) {
					mp_unknown(p, &j);
				}
			}
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!named)
		manifest_add_error(p->m, o->pos, "metadata.name",
				   "Required value: name or generateName is required");
	if (!sel_seen) {
		manifest_add_error(p->m, spec_node ? mp_pos(p, spec_node) : o->pos, "spec.selector",
				   "Required value");
	} else if (d->selector.n == 0) {
		manifest_add_error(p->m, mp_pos(p, sel_node), "spec.selector",
				   "Invalid value: {}: empty selector is invalid for %s",
				   daemon_set ? "daemonset" : "deployment");
	} else if (!model_selector_matches(&d->selector, &d->template_labels)) {
		char go[512];

		mp_map_go(&d->template_labels, go, sizeof(go));
		manifest_add_error(p->m, labels_node ? mp_pos(p, labels_node)
				   : tmpl_node ? mp_pos(p, tmpl_node) : o->selector_pos,
				   "spec.template.metadata.labels",
				   "Invalid value: %s: `selector` does not match template `labels`", go);
	}
	if (!has_containers)
		manifest_add_error(p->m, tmpl_node ? mp_pos(p, tmpl_node)
				   : spec_node ? mp_pos(p, spec_node) : o->pos,
				   "spec.template.spec.containers", "Required value");
}
