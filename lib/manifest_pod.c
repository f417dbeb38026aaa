/* manifest_pod.c — a workload's spec.template (see manifest_int.h): the
 * pod's labels and annotations, its spec (grace period, spread
 * constraints, restart policy) and each container's name, image, command,
 * environment, ports, readiness probe and preStop hook.
 *
 * The rules that span fields (a probe's named port is one of its
 * container's ports, port names are unique in the pod, a preStop sleep
 * fits in the grace period) are checked once the part they span is read,
 * since YAML gives the fields in any order. A probe's defaults depend on
 * its handler, so they are laid over what was read (mp_probe).
 */
#include "manifest_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- probes, container ports, environment -------------------------------- */

static void mp_probe_port(struct mp *p, struct fy_node *n, struct model_probe *pr, bool *seen)
{
	long long num = 0;
	char name[sizeof(pr->port_name) + 16];
	int r = mp_int_or_str(p, n, &num, name, sizeof(name));

	if (r != 0)
		*seen = true;
	if (r <= 0)
		return;
	if (r == 1) {
		if (num < 1 || num > 65535)
			mp_err(p, n, "Invalid value: %lld: %s", num, mp_port_range_msg);
		else
			pr->port = (int)num;
		return;
	}
	if (mp_invalid(p, n, name, mp_check_port_name(name)))
		return;
	mp_copy(pr->port_name, sizeof(pr->port_name), name);
	pr->port = 0;
}

static void mp_http_get(struct mp *p, struct fy_node *n, struct model_probe *pr,
			struct manifest_pos *port_pos)
{
	struct mp_iter i;
	bool port_seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	pr->kind = MODEL_PROBE_HTTP;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "path") == 0) {
			mp_checked_str(p, i.val, pr->path, sizeof(pr->path), mp_check_abs_path);
		} else if (strcmp(i.key, "port") == 0) {
			*port_pos = mp_pos(p, i.val);
			mp_probe_port(p, i.val, pr, &port_seen);
		} else if (strcmp(i.key, "scheme") == 0) {
			char scheme[16];

			if (mp_str(p, i.val, scheme, sizeof(scheme)) > 0 && strcmp(scheme, "HTTP") != 0) {
				char q[40];

				mp_err(p, i.val, "Unsupported value: %s: supported values: \"HTTP\"",
				       mp_quote(scheme, strlen(scheme), q, sizeof(q)));
			}
		} else if (strcmp(i.key, "host") == 0 || strcmp(i.key, "httpHeaders") == 0 ||
			   strcmp(i.key, "protocol") == 0) {
			mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!port_seen)
		mp_err_child(p, n, "port", "Required value");
}

static void mp_tcp_socket(struct mp *p, struct fy_node *n, struct model_probe *pr,
			  struct manifest_pos *port_pos)
{
	struct mp_iter i;
	bool port_seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	pr->kind = MODEL_PROBE_TCP;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "port") == 0) {
			*port_pos = mp_pos(p, i.val);
			mp_probe_port(p, i.val, pr, &port_seen);
		} else if (strcmp(i.key, "host") == 0) {
			mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!port_seen)
		mp_err_child(p, n, "port", "Required value");
}

/* A probe's integer field: 0 keeps the default, as in Kubernetes. */
static void mp_probe_int(struct mp *p, struct fy_node *n, int *out)
{
	long long v;

	if (mp_int(p, n, &v) <= 0)
		return;
	if (v < 0) {
		mp_err(p, n, "Invalid value: %lld: must be greater than or equal to 0", v);
		return;
	}
	if (v > 0)
		*out = (int)v;
}

static void mp_probe(struct mp *p, struct fy_node *n, struct model_probe *out,
		     struct manifest_pos *port_pos)
{
	/* Fields may come in any order, and defaults depend on the handler:
	 * read into zeros (0 means "default" for Kubernetes too), then lay
	 * the values over the handler's defaults. */
	struct model_probe tmp, *pr = &tmp;
	struct mp_iter i;
	int handlers = 0;

	memset(&tmp, 0, sizeof(tmp));
	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		long long iv;
		bool bv;
		/* `exec: null`, as some exporters write, is no handler */
		bool set = i.val && mp_type_of(p, i.val, &iv, &bv) != MP_NULL;

		if (strcmp(i.key, "httpGet") == 0) {
			if (set && ++handlers == 1)
				mp_http_get(p, i.val, pr, port_pos);
		} else if (strcmp(i.key, "tcpSocket") == 0) {
			if (set && ++handlers == 1)
				mp_tcp_socket(p, i.val, pr, port_pos);
		} else if (strcmp(i.key, "exec") == 0 || strcmp(i.key, "grpc") == 0) {
			if (set && ++handlers == 1)
				mp_ignored(p, &i);
		} else if (strcmp(i.key, "initialDelaySeconds") == 0) {
			mp_probe_int(p, i.val, &pr->initial_delay_s);
		} else if (strcmp(i.key, "periodSeconds") == 0) {
			mp_probe_int(p, i.val, &pr->period_s);
		} else if (strcmp(i.key, "timeoutSeconds") == 0) {
			mp_probe_int(p, i.val, &pr->timeout_s);
		} else if (strcmp(i.key, "successThreshold") == 0) {
			mp_probe_int(p, i.val, &pr->success_threshold);
		} else if (strcmp(i.key, "failureThreshold") == 0) {
			mp_probe_int(p, i.val, &pr->failure_threshold);
		} else if (strcmp(i.key, "terminationGracePeriodSeconds") == 0) {
			/* liveness/startup only in Kubernetes; harmless here */
		} else {
			mp_unknown(p, &i);
		}
	}
	if (handlers == 0)
		mp_err(p, n, "Required value: must specify a handler type");
	else if (handlers > 1)
		mp_err(p, n, "Forbidden: may not specify more than 1 handler type");
	model_probe_init(out, tmp.kind);
	if (tmp.kind == MODEL_PROBE_NONE)
		return;
	if (tmp.kind == MODEL_PROBE_HTTP && tmp.path[0])
		snprintf(out->path, sizeof(out->path), "%s", tmp.path);
	out->port = tmp.port;
	snprintf(out->port_name, sizeof(out->port_name), "%s", tmp.port_name);
	out->initial_delay_s = tmp.initial_delay_s;
	if (tmp.period_s)
		out->period_s = tmp.period_s;
	if (tmp.timeout_s)
		out->timeout_s = tmp.timeout_s;
	if (tmp.success_threshold)
		out->success_threshold = tmp.success_threshold;
	if (tmp.failure_threshold)
		out->failure_threshold = tmp.failure_threshold;
}

static void mp_container_port(struct mp *p, struct fy_node *n, struct model_container_port *cp)
{
	struct mp_iter i;
	bool port_seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	cp->proto = MODEL_PROTO_TCP;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "containerPort") == 0) {
			long long v;
			int r = mp_int(p, i.val, &v);

			if (r == 0)
				continue;
			port_seen = true;
			if (r < 0)
				continue;
			if (v < 1 || v > 65535)
				mp_err(p, i.val, "Invalid value: %lld: %s", v, mp_port_range_msg);
			else
				cp->port = (int)v;
		} else if (strcmp(i.key, "name") == 0) {
			char name[64];

			/* Unlike most names, an empty one is checked (and refused). */
			if (mp_str(p, i.val, name, sizeof(name)) <= 0)
				continue;
			if (!mp_invalid(p, i.val, name, mp_check_port_name(name)))
				mp_copy(cp->name, sizeof(cp->name), name);
		} else if (strcmp(i.key, "protocol") == 0) {
			char proto[16], q[40];

			if (mp_str(p, i.val, proto, sizeof(proto)) <= 0)
				continue;
			if (strcmp(proto, "TCP") == 0)
				cp->proto = MODEL_PROTO_TCP;
			else if (strcmp(proto, "UDP") == 0)
				cp->proto = MODEL_PROTO_UDP;
			else
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"TCP\", \"UDP\"",
				       mp_quote(proto, strlen(proto), q, sizeof(q)));
		} else if (strcmp(i.key, "hostPort") == 0 || strcmp(i.key, "hostIP") == 0) {
			mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!port_seen)
		mp_err_child(p, n, "containerPort", "Required value");
}

static void mp_env(struct mp *p, struct fy_node *n, struct model_env *e)
{
	struct mp_iter i;
	bool named = false;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "name") == 0) {
			if (mp_checked_str(p, i.val, e->name, sizeof(e->name), mp_check_env_name) != 0)
				named = true;
		} else if (strcmp(i.key, "value") == 0) {
			mp_str(p, i.val, e->value, sizeof(e->value));
		} else if (strcmp(i.key, "valueFrom") == 0) {
			mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!named)
		mp_err_child(p, n, "name", "Required value");
}

/* ---- lifecycle hooks ----------------------------------------------------- */

static void mp_hook_exec(struct mp *p, struct fy_node *n, struct model_hook *h)
{
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	h->kind = MODEL_HOOK_EXEC;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "command") == 0)
			h->n_command = mp_strings(p, i.val, h->command, MODEL_HOOK_MAX_ARGS);
		else
			mp_unknown(p, &i);
	}
	if (h->n_command == 0)
		mp_err_child(p, n, "command", "Required value");
}

static void mp_hook_header(struct mp *p, struct fy_node *n, struct model_http_header *hd)
{
	struct mp_iter i;
	bool named = false;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "name") == 0) {
			if (mp_checked_str(p, i.val, hd->name, sizeof(hd->name),
					   mp_check_header_name) != 0)
				named = true;
		} else if (strcmp(i.key, "value") == 0) {
			mp_str(p, i.val, hd->value, sizeof(hd->value));
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!named)
		mp_err_child(p, n, "name", "Required value");
}

static void mp_hook_http(struct mp *p, struct fy_node *n, struct model_hook *h)
{
	struct model_probe pr;
	struct mp_iter i;
	bool port_seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	memset(&pr, 0, sizeof(pr));
	h->kind = MODEL_HOOK_HTTP;
	snprintf(h->path, sizeof(h->path), "/");
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "path") == 0) {
			char path[MODEL_PATH_MAX];

			if (mp_checked_str(p, i.val, path, sizeof(path), mp_check_abs_path) > 0)
				snprintf(h->path, sizeof(h->path), "%s", path);
		} else if (strcmp(i.key, "port") == 0) {
			/* The same IntOrString rules as a probe's port. */
			mp_probe_port(p, i.val, &pr, &port_seen);
		} else if (strcmp(i.key, "host") == 0) {
			mp_str(p, i.val, h->host, sizeof(h->host));
		} else if (strcmp(i.key, "scheme") == 0) {
			char scheme[16], q[40];

			if (mp_str(p, i.val, scheme, sizeof(scheme)) <= 0)
				continue;
			if (strcmp(scheme, "HTTPS") == 0)
				h->https = true;
			else if (strcmp(scheme, "HTTP") != 0)
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"HTTP\", "
				       "\"HTTPS\"", mp_quote(scheme, strlen(scheme), q, sizeof(q)));
		} else if (strcmp(i.key, "httpHeaders") == 0) {
			struct mp_seq s;

			if (!mp_seq_start(p, &s, i.val, MODEL_HOOK_MAX_HEADERS))
				continue;
			while (mp_seq_next(p, &s))
				mp_hook_header(p, s.item, &h->headers[h->n_headers++]);
		} else {
			mp_unknown(p, &i);
		}
	}
	h->port = pr.port;
	snprintf(h->port_name, sizeof(h->port_name), "%s", pr.port_name);
	if (!port_seen)
		mp_err_child(p, n, "port", "Required value");
}

static void mp_hook_sleep(struct mp *p, struct fy_node *n, struct model_hook *h)
{
	struct mp_iter i;
	bool seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	h->kind = MODEL_HOOK_SLEEP;
	while (mp_next(p, &i)) {
		long long v;

		if (strcmp(i.key, "seconds") != 0) {
			mp_unknown(p, &i);
			continue;
		}
		if (mp_int(p, i.val, &v) <= 0)
			continue;
		seen = true;
		/* The upper bound, terminationGracePeriodSeconds, is the pod's:
		 * mp_pod_spec checks it once the whole spec is read. */
		if (v < 0)
			mp_err(p, i.val, "Invalid value: %lld: must be greater than or equal to 0", v);
		else
			h->sleep_s = (int)v;
	}
	if (!seen)
		mp_err_child(p, n, "seconds", "Required value");
}

/* A LifecycleHandler: exactly one of exec, httpGet, sleep. */
static void mp_hook(struct mp *p, struct fy_node *n, struct model_hook *h)
{
	struct mp_iter i;
	int handlers = 0;

	memset(h, 0, sizeof(*h));
	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (!i.val && (strcmp(i.key, "exec") == 0 || strcmp(i.key, "httpGet") == 0 ||
			       strcmp(i.key, "sleep") == 0 || strcmp(i.key, "tcpSocket") == 0))
			continue;
		if (strcmp(i.key, "exec") == 0) {
			if (++handlers == 1)
				mp_hook_exec(p, i.val, h);
		} else if (strcmp(i.key, "httpGet") == 0) {
			if (++handlers == 1)
				mp_hook_http(p, i.val, h);
		} else if (strcmp(i.key, "sleep") == 0) {
			if (++handlers == 1)
				mp_hook_sleep(p, i.val, h);
		} else if (strcmp(i.key, "tcpSocket") == 0) {
			/* Kept by the API for old objects; kubelet fails it at run
			 * time. Here it is no hook at all. */
			if (++handlers == 1)
				mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
	if (handlers == 0)
		mp_err(p, n, "Required value: must specify a handler type");
	else if (handlers > 1)
		mp_err(p, n, "Forbidden: may not specify more than 1 handler type");
	if (handlers != 1)
		memset(h, 0, sizeof(*h));
}

static void mp_lifecycle(struct mp *p, struct fy_node *n, struct model_container *c)
{
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "preStop") == 0) {
			if (i.val)
				mp_hook(p, i.val, &c->pre_stop);
		} else if (strcmp(i.key, "postStart") == 0 || strcmp(i.key, "stopSignal") == 0) {
			mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
}

/* sleep.seconds may not exceed the pod's grace period, which is known only
 * once the pod spec is read (its fields come in any order). */
static void mp_pod_hooks_check(struct mp *p, struct fy_node *pod_spec,
			       const struct model_pod_spec *ps)
{
	static const char *const path[] = { "lifecycle", "preStop", "sleep", "seconds" };
	struct fy_node *containers = mp_lookup(p, pod_spec, "containers");

	for (int c = 0; c < ps->n_containers; c++) {
		const struct model_hook *h = &ps->containers[c].pre_stop;
		struct fy_node *at = NULL;
		char field[MP_PATH_MAX + 96];

		if (h->kind != MODEL_HOOK_SLEEP || h->sleep_s <= ps->termination_grace_s)
			continue;
		if (containers && fy_node_is_sequence(containers))
			at = fy_node_sequence_get_by_index(containers, c);
		at = at ? mp_deref(p, at) : NULL;
		for (int k = 0; at && k < 4; k++)
			at = mp_deref(p, mp_lookup(p, at, path[k]));
		snprintf(field, sizeof(field), "%s%scontainers[%d].lifecycle.preStop.sleep.seconds",
			 p->path, p->plen ? "." : "", c);
		manifest_add_error(p->m, at ? mp_pos(p, at) : mp_pos(p, pod_spec), field,
				   "Invalid value: %d: must be non-negative and less than "
				   "terminationGracePeriodSeconds (%d)", h->sleep_s,
				   ps->termination_grace_s);
	}
}

/* ---- containers, the pod spec, the template ------------------------------ */

static void mp_container(struct mp *p, struct fy_node *n, struct model_container *c)
{
	static const char *const silent[] = {
		"imagePullPolicy", "resources", "terminationMessagePath",
		"terminationMessagePolicy", "securityContext", "stdin", "stdinOnce", "tty", NULL,
	};
	static const char *const ignored[] = {
		"livenessProbe", "startupProbe", "volumeMounts", "volumeDevices",
		"workingDir", "envFrom", "resizePolicy", "restartPolicy", "restartPolicyRules",
		NULL,
	};
	struct manifest_pos probe_port_pos = { 0, 0 };
	struct fy_node *probe_node = NULL;
	struct mp_iter i;
	bool named = false, imaged = false;
	size_t base = p->plen;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "name") == 0) {
			if (mp_checked_str(p, i.val, c->name, sizeof(c->name),
					   manifest_check_dns1123_label) != 0)
				named = true;
		} else if (strcmp(i.key, "image") == 0) {
			if (mp_str(p, i.val, c->image, sizeof(c->image)) > 0 && c->image[0])
				imaged = true;
		} else if (strcmp(i.key, "command") == 0) {
			c->n_command = mp_strings(p, i.val, c->command, MODEL_MAX_ARGS);
		} else if (strcmp(i.key, "args") == 0) {
			c->n_args = mp_strings(p, i.val, c->args, MODEL_MAX_ARGS);
		} else if (strcmp(i.key, "env") == 0) {
			struct mp_seq s;

			if (!mp_seq_start(p, &s, i.val, MODEL_MAX_ENV))
				continue;
			while (mp_seq_next(p, &s))
				mp_env(p, s.item, &c->env[c->n_env++]);
		} else if (strcmp(i.key, "ports") == 0) {
			struct mp_seq s;

			if (!mp_seq_start(p, &s, i.val, MODEL_MAX_PORTS))
				continue;
			while (mp_seq_next(p, &s))
				mp_container_port(p, s.item, &c->ports[c->n_ports++]);
		} else if (strcmp(i.key, "readinessProbe") == 0) {
			if (!i.val)
				continue;
			probe_node = i.val;
			mp_probe(p, i.val, &c->readiness, &probe_port_pos);
		} else if (strcmp(i.key, "lifecycle") == 0) {
			if (i.val)
				mp_lifecycle(p, i.val, c);
		} else if (mp_key_in(i.key, ignored)) {
			mp_ignored(p, &i);
		} else if (!mp_key_in(i.key, silent)) {
			mp_unknown(p, &i);
		}
	}
	if (!named)
		mp_err_child(p, n, "name", "Required value");
	if (!imaged)
		mp_err_child(p, n, "image", "Required value");
	/* A named probe port must be one of this container's ports, or the
	 * pod could never become ready. */
	if (c->readiness.kind != MODEL_PROBE_NONE && c->readiness.port_name[0]) {
		bool found = false;

		for (int k = 0; k < c->n_ports; k++)
			if (strcmp(c->ports[k].name, c->readiness.port_name) == 0)
				found = true;
		if (!found) {
			char field[MP_PATH_MAX + 64];

			snprintf(field, sizeof(field), "%.*s.readinessProbe.%s.port", (int)base,
				 p->path, c->readiness.kind == MODEL_PROBE_HTTP ? "httpGet" : "tcpSocket");
			manifest_add_error(p->m, probe_port_pos.line ? probe_port_pos : mp_pos(p, probe_node),
					   field, "Invalid value: \"%s\": no containerPort named \"%s\" "
					   "in this container", c->readiness.port_name,
					   c->readiness.port_name);
		}
	}
}

/* One topologySpreadConstraint, checked as the API server checks it; the
 * first over kubernetes.io/hostname is kept (the lab's nodes have no other
 * topology label). The pods counted are the group's (its template's), as
 * the usual labelSelector selects them. */
static void mp_spread(struct mp *p, struct fy_node *n, struct model_pod_spec *ps)
{
	static const char *const silent[] = {
		"labelSelector", "matchLabelKeys", "minDomains", "nodeAffinityPolicy",
		"nodeTaintsPolicy", NULL,
	};
	char key[MODEL_KEY_MAX + 1] = "", when[32] = "", q[MODEL_KEY_MAX + 8];
	long long skew = 0;
	bool has_skew = false;
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "maxSkew") == 0) {
			if (mp_int(p, i.val, &skew) <= 0)
				continue;
			has_skew = true;
			if (skew <= 0 || skew > INT32_MAX)
				mp_err(p, i.val, "Invalid value: %lld: must be greater than zero", skew);
		} else if (strcmp(i.key, "topologyKey") == 0) {
			mp_str(p, i.val, key, sizeof(key));
		} else if (strcmp(i.key, "whenUnsatisfiable") == 0) {
			if (mp_str(p, i.val, when, sizeof(when)) > 0 &&
			    strcmp(when, "DoNotSchedule") != 0 && strcmp(when, "ScheduleAnyway") != 0)
				mp_err(p, i.val, "Unsupported value: %s: supported values: "
				       "\"DoNotSchedule\", \"ScheduleAnyway\"",
				       mp_quote(when, strlen(when), q, sizeof(q)));
		} else if (!mp_key_in(i.key, silent)) {
			mp_unknown(p, &i);
		}
	}
	if (!has_skew)
		mp_err_child(p, n, "maxSkew", "Required value");
	if (!key[0])
		mp_err_child(p, n, "topologyKey", "Required value: can not be empty");
	if (!when[0])
		mp_err_child(p, n, "whenUnsatisfiable", "Required value");
	if (key[0] && strcmp(key, MODEL_SPREAD_KEY) != 0) {
		mp_warn(p, mp_pos(p, n), "%s: topologyKey %s: the lab's only topology domain is "
			MODEL_SPREAD_KEY " (one per node); this constraint is not applied", p->path,
			mp_quote(key, strlen(key), q, sizeof(q)));
		return;
	}
	if (key[0] && has_skew && skew > 0 && skew <= INT32_MAX && !ps->spread_max_skew) {
		ps->spread_max_skew = (int)skew;
		ps->spread_hard = strcmp(when, "DoNotSchedule") == 0;
	}
}

static void mp_pod_spec(struct mp *p, struct fy_node *n, struct model_pod_spec *ps, bool *has_containers)
{
	static const char *const silent[] = {
		"dnsPolicy", "schedulerName", "serviceAccountName", "serviceAccount",
		"securityContext", "imagePullSecrets", "enableServiceLinks",
		"automountServiceAccountToken", "priorityClassName", "priority",
		"preemptionPolicy", "resources", NULL,
	};
	static const char *const ignored[] = {
		"initContainers", "volumes", "nodeSelector", "nodeName", "affinity", "tolerations",
		"hostNetwork", "hostPID", "hostIPC", "dnsConfig",
		"hostAliases", "shareProcessNamespace", "activeDeadlineSeconds", "readinessGates",
		"runtimeClassName", "overhead", "os", "ephemeralContainers", "setHostnameAsFQDN",
		"resourceClaims", "schedulingGates", "hostname", "subdomain", "hostUsers",
		"hostnameOverride", "schedulingGroup", "evictionResponders", NULL,
	};
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "containers") == 0) {
			struct mp_seq s;

			if (!mp_seq_start(p, &s, i.val, MODEL_MAX_CONTAINERS))
				continue;
			if (fy_node_sequence_item_count(s.seq) > 0)
				*has_containers = true;
			while (mp_seq_next(p, &s)) {
				struct model_container *c = &ps->containers[ps->n_containers++];

				mp_container(p, s.item, c);
				/* The API server names the second of two equal names. */
				for (int k = 0; k < ps->n_containers - 1 && c->name[0]; k++)
					if (strcmp(ps->containers[k].name, c->name) == 0)
						mp_err_child(p, s.item, "name", "Duplicate value: \"%s\"",
							     c->name);
			}
		} else if (strcmp(i.key, "terminationGracePeriodSeconds") == 0) {
			long long v;

			if (mp_int(p, i.val, &v) <= 0)
				continue;
			if (v < 0)
				mp_err(p, i.val, "Invalid value: %lld: must be greater than or equal to 0", v);
			else
				ps->termination_grace_s = (int)v;
		} else if (strcmp(i.key, "topologySpreadConstraints") == 0) {
			struct mp_seq s;

			if (!mp_seq_start(p, &s, i.val, 64))
				continue;
			while (mp_seq_next(p, &s))
				mp_spread(p, s.item, ps);
		} else if (strcmp(i.key, "restartPolicy") == 0) {
			char rp[32], q[48];

			if (mp_str(p, i.val, rp, sizeof(rp)) > 0 && strcmp(rp, "Always") != 0)
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"Always\"",
				       mp_quote(rp, strlen(rp), q, sizeof(q)));
		} else if (mp_key_in(i.key, ignored)) {
			mp_ignored(p, &i);
		} else if (!mp_key_in(i.key, silent)) {
			mp_unknown(p, &i);
		}
	}
	mp_pod_hooks_check(p, mp_deref(p, n), ps);
}

/* Container port names are unique across the pod. */
static void mp_pod_port_names(struct mp *p, struct fy_node *pod_spec,
			      const struct model_pod_spec *ps, const char *base)
{
	struct fy_node *containers = pod_spec && fy_node_is_mapping(pod_spec)
		? mp_lookup(p, pod_spec, "containers") : NULL;

	for (int c = 0; c < ps->n_containers; c++) {
		for (int k = 0; k < ps->containers[c].n_ports; k++) {
			const char *name = ps->containers[c].ports[k].name;
			bool dup = false;

			if (!name[0])
				continue;
			for (int c2 = 0; c2 <= c && !dup; c2++)
				for (int k2 = 0; k2 < (c2 == c ? k : ps->containers[c2].n_ports); k2++)
					if (strcmp(ps->containers[c2].ports[k2].name, name) == 0)
						dup = true;
			if (dup) {
				char field[MP_PATH_MAX + 64];
				struct fy_node *cn = NULL, *ports = NULL;

				if (containers && fy_node_is_sequence(containers))
					cn = fy_node_sequence_get_by_index(containers, c);
				if (cn && fy_node_is_mapping(cn))
					ports = mp_lookup(p, cn, "ports");
				snprintf(field, sizeof(field), "%s.containers[%d].ports[%d].name", base, c, k);
				manifest_add_error(p->m, mp_item_pos(p, ports ? ports : pod_spec, k, "name"),
						   field, "Duplicate value: \"%s\"", name);
			}
		}
	}
}

void mp_template(struct mp *p, struct fy_node *n, struct model_deployment *d,
		 struct fy_node **labels_node, bool *has_containers)
{
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "metadata") == 0) {
			/* The rest of ObjectMeta: the controller sets
			 * these on each pod itself. */
			static const char *const silent[] = {
				"name", "namespace", "creationTimestamp", "generateName", "uid",
				"resourceVersion", "selfLink", "generation", "deletionTimestamp",
				"deletionGracePeriodSeconds", "ownerReferences", "finalizers",
				"managedFields", NULL,
			};
			struct mp_iter j;

			if (!i.val || !mp_iter_start(p, &j, i.val))
				continue;
			while (mp_next(p, &j)) {
				if (strcmp(j.key, "labels") == 0) {
					*labels_node = j.val;
					mp_map(p, j.val, &d->template_labels, MP_MAP_LABELS);
				} else if (strcmp(j.key, "annotations") == 0) {
					mp_map(p, j.val, &d->template_annotations, MP_MAP_ANNOTATIONS);
				} else if (!mp_key_in(j.key, silent)) {
					mp_unknown(p, &j);
				}
			}
		} else if (strcmp(i.key, "spec") == 0) {
			if (i.val)
				mp_pod_spec(p, i.val, &d->pod, has_containers);
			mp_pod_port_names(p, i.val, &d->pod, p->path);
		} else {
			mp_unknown(p, &i);
		}
	}
}
