/* model_write.c — the model's objects as Kubernetes-shaped jansson values
 * (model_*_to_value, declared in model_json.h): request bodies, `get -o
 * json`, pod-template-hash and the agents' checkpoints all come from here.
 *
 * Each object is built member by member in kubectl's order through the
 * small sw_* pieces below. One job, long because the pod and its template
 * have many parts.
 */
#include "model_json.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "lab.h"

/* ---- writing: small pieces -------------------------------------------
 * Each object is built as a jansson value, its members added in the order
 * kubectl prints them (jansson keeps an object's insertion order when it
 * dumps it). A failed allocation anywhere is noted in struct sw and fails
 * the whole object once, at the end (sw_done), so the pieces below need no
 * checks of their own: a NULL value or a set into a NULL object is such a
 * failure. */

struct sw {
	bool oom;
};

static void sw_set(struct sw *w, json_t *obj, const char *key, json_t *v)
{
	/* jansson releases v when the set fails. */
	if (!v || json_object_set_new(obj, key, v) < 0)
		w->oom = true;
}

static void sw_append(struct sw *w, json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v) < 0)
		w->oom = true;
}

/* obj, or NULL (obj released) when any part of it failed. */
static json_t *sw_done(struct sw *w, json_t *obj)
{
	if (w->oom || !obj) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t sw_utf8_len(const unsigned char *s)
{
	unsigned c = s[0], cp;
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
		 : (c & 0xf8) == 0xf0 ? 4 : 0;

	if (n <= 1)
		return n;
	cp = c & (0x7fu >> n);
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* jansson holds only valid UTF-8, and the model's fixed-size fields cut a
 * long value at a byte count, which can split a character: s itself when
 * it is valid, else a copy in fixed with each byte that is not part of a
 * valid sequence replaced by U+FFFD, as Go's encoding/json writes such a
 * string. NULL on OOM. */
static const char *sw_utf8(const char *s, struct buf *fixed)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t valid = 0, n;

	while (p[valid] && (n = sw_utf8_len(p + valid)) > 0)
		valid += n;
	if (!p[valid])
		return s;
	buf_append(fixed, s, valid);
	for (p += valid; *p; p += n ? n : 1) {
		n = sw_utf8_len(p);
		if (n)
			buf_append(fixed, p, n);
		else
			buf_puts(fixed, "\xef\xbf\xbd");
	}
	return fixed->oom ? NULL : buf_str(fixed);
}

static json_t *sw_str(const char *s)
{
	struct buf fixed = BUF_INIT;
	const char *valid = sw_utf8(s, &fixed);
	json_t *v = valid ? json_string(valid) : NULL;

	buf_free(&fixed);
	return v;
}

static void sw_set_str(struct sw *w, json_t *obj, const char *key, const char *s)
{
	sw_set(w, obj, key, sw_str(s));
}

static void sw_set_str_opt(struct sw *w, json_t *obj, const char *key, const char *s)
{
	if (s[0])
		sw_set_str(w, obj, key, s);
}

static void sw_set_int(struct sw *w, json_t *obj, const char *key, json_int_t v)
{
	sw_set(w, obj, key, json_integer(v));
}

static void sw_set_bool(struct sw *w, json_t *obj, const char *key, bool v)
{
	sw_set(w, obj, key, json_boolean(v));
}

static json_t *sw_ip(struct in_addr a)
{
	char s[INET_ADDRSTRLEN];

	return json_string(inet_ntop(AF_INET, &a, s, sizeof(s)));
}

static json_t *sw_map(struct sw *w, const struct model_map *m)
{
	json_t *o = json_object();

	for (int i = 0; i < m->n; i++) {
		struct buf fixed = BUF_INIT;
		const char *key = sw_utf8(m->items[i].key, &fixed);

		if (key)
			sw_set(w, o, key, sw_str(m->items[i].value));
		else
			w->oom = true;
		buf_free(&fixed);
	}
	return o;
}

static json_t *sw_int_or_percent(struct model_int_or_percent v)
{
	char s[16];

	if (!v.percent)
		return json_integer(v.value);
	snprintf(s, sizeof(s), "%d%%", v.value);
	return json_string(s);
}

/* metadata's common members (a pod adds its ownerReferences). */
static json_t *sw_meta(struct sw *w, const struct model_meta *m, int grace_if_deleting)
{
	json_t *o = json_object();

	sw_set_str(w, o, "name", m->name);
	sw_set_str(w, o, "namespace", m->ns);
	sw_set_str_opt(w, o, "uid", m->uid);
	if (m->generation)
		sw_set_int(w, o, "generation", m->generation);
	sw_set_str_opt(w, o, "creationTimestamp", m->created);
	if (m->deleting[0]) {
		sw_set_str(w, o, "deletionTimestamp", m->deleting);
		if (grace_if_deleting >= 0)
			sw_set_int(w, o, "deletionGracePeriodSeconds", grace_if_deleting);
	}
	if (m->labels.n)
		sw_set(w, o, "labels", sw_map(w, &m->labels));
	if (m->annotations.n)
		sw_set(w, o, "annotations", sw_map(w, &m->annotations));
	return o;
}

static json_t *sw_port_ref(int port, const char *name)
{
	return name[0] ? sw_str(name) : json_integer(port);
}

static json_t *sw_probe(struct sw *w, const struct model_probe *p)
{
	json_t *how = json_object();

	if (p->kind == MODEL_PROBE_HTTP) {
		sw_set_str(w, how, "path", p->path);
		sw_set(w, how, "port", sw_port_ref(p->port, p->port_name));
		sw_set_str(w, how, "scheme", "HTTP");
	} else {
		sw_set(w, how, "port", sw_port_ref(p->port, p->port_name));
	}
	return json_pack("{s:o, s:i, s:i, s:i, s:i, s:i}",
			 p->kind == MODEL_PROBE_HTTP ? "httpGet" : "tcpSocket", how,
			 "initialDelaySeconds", p->initial_delay_s, "periodSeconds", p->period_s,
			 "timeoutSeconds", p->timeout_s, "successThreshold", p->success_threshold,
			 "failureThreshold", p->failure_threshold);
}

static void sw_set_strings(struct sw *w, json_t *obj, const char *key,
			   const char (*v)[MODEL_ARG_MAX], int n)
{
	json_t *arr;

	if (n <= 0)
		return;
	arr = json_array();
	for (int i = 0; i < n; i++)
		sw_append(w, arr, sw_str(v[i]));
	sw_set(w, obj, key, arr);
}

/* lifecycle.preStop, in the API's shape. */
static json_t *sw_lifecycle(struct sw *w, const struct model_hook *h)
{
	json_t *how = json_object(), *headers;

	switch (h->kind) {
	case MODEL_HOOK_EXEC:
		sw_set_strings(w, how, "command", h->command, h->n_command);
		break;
	case MODEL_HOOK_HTTP:
		sw_set_str(w, how, "path", h->path[0] ? h->path : "/");
		sw_set(w, how, "port", sw_port_ref(h->port, h->port_name));
		sw_set_str_opt(w, how, "host", h->host);
		sw_set_str(w, how, "scheme", h->https ? "HTTPS" : "HTTP");
		if (h->n_headers > 0) {
			headers = json_array();
			for (int i = 0; i < h->n_headers; i++) {
				const struct model_http_header *hd = &h->headers[i];

				sw_append(w, headers, json_pack("{s:o, s:o}",
								"name", sw_str(hd->name),
								"value", sw_str(hd->value)));
			}
			sw_set(w, how, "httpHeaders", headers);
		}
		break;
	case MODEL_HOOK_SLEEP:
		sw_set_int(w, how, "seconds", h->sleep_s);
		break;
	case MODEL_HOOK_NONE:
		break;
	}
	return json_pack("{s:{s:o}}", "preStop",
			 h->kind == MODEL_HOOK_EXEC ? "exec"
			 : h->kind == MODEL_HOOK_HTTP ? "httpGet" : "sleep", how);
}

static json_t *sw_container(struct sw *w, const struct model_container *c)
{
	json_t *o = json_object(), *list;

	sw_set_str(w, o, "name", c->name);
	sw_set_str(w, o, "image", c->image);
	sw_set_strings(w, o, "command", c->command, c->n_command);
	sw_set_strings(w, o, "args", c->args, c->n_args);
	if (c->n_env > 0) {
		list = json_array();
		for (int i = 0; i < c->n_env; i++)
			sw_append(w, list, json_pack("{s:o, s:o}", "name", sw_str(c->env[i].name),
						     "value", sw_str(c->env[i].value)));
		sw_set(w, o, "env", list);
	}
	if (c->n_ports > 0) {
		list = json_array();
		for (int i = 0; i < c->n_ports; i++) {
			json_t *port = json_object();

			sw_set_str_opt(w, port, "name", c->ports[i].name);
			sw_set_int(w, port, "containerPort", c->ports[i].port);
			sw_set_str(w, port, "protocol", model_proto_name(c->ports[i].proto));
			sw_append(w, list, port);
		}
		sw_set(w, o, "ports", list);
	}
	if (c->readiness.kind != MODEL_PROBE_NONE)
		sw_set(w, o, "readinessProbe", sw_probe(w, &c->readiness));
	if (c->pre_stop.kind != MODEL_HOOK_NONE)
		sw_set(w, o, "lifecycle", sw_lifecycle(w, &c->pre_stop));
	return o;
}

/* A pod's spec; node is NULL in a template. */
static json_t *sw_pod_spec(struct sw *w, const struct model_pod_spec *s, const char *node)
{
	json_t *o = json_object(), *containers = json_array();

	if (node)
		sw_set_str_opt(w, o, "nodeName", node);
	for (int i = 0; i < s->n_containers; i++)
		sw_append(w, containers, sw_container(w, &s->containers[i]));
	sw_set(w, o, "containers", containers);
	sw_set_str(w, o, "restartPolicy", "Always");
	sw_set_int(w, o, "terminationGracePeriodSeconds", s->termination_grace_s);
	if (s->spread_max_skew > 0)
		sw_set(w, o, "topologySpreadConstraints",
		       json_pack("[{s:i, s:s, s:s}]", "maxSkew", s->spread_max_skew,
				 "topologyKey", MODEL_SPREAD_KEY, "whenUnsatisfiable",
				 s->spread_hard ? "DoNotSchedule" : "ScheduleAnyway"));
	/* As the DaemonSet controller pins its pods: a required term on the
	 * node's name. */
	if (s->node_affinity[0])
		sw_set(w, o, "affinity",
		       json_pack("{s:{s:{s:[{s:[{s:s, s:s, s:[o]}]}]}}}", "nodeAffinity",
				 "requiredDuringSchedulingIgnoredDuringExecution",
				 "nodeSelectorTerms", "matchFields", "key", "metadata.name",
				 "operator", "In", "values", sw_str(s->node_affinity)));
	return o;
}

static json_t *sw_pod_template(struct sw *w, const struct model_map *labels,
			       const struct model_map *annotations,
			       const struct model_pod_spec *spec)
{
	json_t *meta = json_object();

	if (labels->n)
		sw_set(w, meta, "labels", sw_map(w, labels));
	if (annotations->n)
		sw_set(w, meta, "annotations", sw_map(w, annotations));
	return json_pack("{s:o, s:o}", "metadata", meta, "spec", sw_pod_spec(w, spec, NULL));
}

static json_t *sw_condition(struct sw *w, const struct model_condition *c)
{
	json_t *o = json_pack("{s:o, s:s}", "type", sw_str(c->type),
			      "status", c->status ? "True" : "False");

	sw_set_str_opt(w, o, "reason", c->reason);
	sw_set_str_opt(w, o, "message", c->message);
	return o;
}

static json_t *sw_deployment_status(struct sw *w, const struct model_deployment_status *s)
{
	json_t *o, *conditions;

	if (s->daemon_set) {
		o = json_pack("{s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
			      "observedGeneration", (json_int_t)s->observed_generation,
			      "desiredNumberScheduled", s->desired_scheduled,
			      "currentNumberScheduled", s->replicas,
			      "numberMisscheduled", s->misscheduled,
			      "numberReady", s->ready_replicas,
			      "updatedNumberScheduled", s->updated_replicas,
			      "numberAvailable", s->available_replicas,
			      "numberUnavailable", s->unavailable_replicas);
		sw_set_str_opt(w, o, "podTemplateHash", s->template_hash);
		return o;
	}
	o = json_pack("{s:I, s:i, s:i, s:i, s:i, s:i}",
		      "observedGeneration", (json_int_t)s->observed_generation,
		      "replicas", s->replicas, "updatedReplicas", s->updated_replicas,
		      "readyReplicas", s->ready_replicas,
		      "availableReplicas", s->available_replicas,
		      "unavailableReplicas", s->unavailable_replicas);
	sw_set_str_opt(w, o, "podTemplateHash", s->template_hash);
	conditions = json_array();
	for (int i = 0; i < s->n_conditions && i < MODEL_MAX_CONDITIONS; i++)
		sw_append(w, conditions, sw_condition(w, &s->conditions[i]));
	sw_set(w, o, "conditions", conditions);
	return o;
}

/* ---- writing: objects ------------------------------------------------- */

json_t *model_pod_template_to_value(const struct model_map *labels,
				    const struct model_map *annotations,
				    const struct model_pod_spec *spec)
{
	struct sw w = { false };
	json_t *tmpl = sw_pod_template(&w, labels, annotations, spec);

	return sw_done(&w, tmpl);
}

json_t *model_deployment_with_status_to_value(const struct model_deployment *d,
					      const struct model_deployment_status *st)
{
	struct sw w = { false };
	json_t *spec = json_object(), *obj;

	if (!d->daemon_set)
		sw_set_int(&w, spec, "replicas", d->replicas);
	sw_set(&w, spec, "selector", json_pack("{s:o}", "matchLabels", sw_map(&w, &d->selector)));
	sw_set(&w, spec, d->daemon_set ? "updateStrategy" : "strategy",
	       json_pack("{s:s, s:{s:o, s:o}}", "type", "RollingUpdate", "rollingUpdate",
			 "maxSurge", sw_int_or_percent(d->max_surge),
			 "maxUnavailable", sw_int_or_percent(d->max_unavailable)));
	sw_set(&w, spec, "template", sw_pod_template(&w, &d->template_labels,
						     &d->template_annotations, &d->pod));
	obj = json_pack("{s:s, s:s, s:o, s:o, s:o}", "apiVersion", "apps/v1",
			"kind", d->daemon_set ? "DaemonSet" : "Deployment",
			"metadata", sw_meta(&w, &d->meta, -1), "spec", spec,
			"status", st ? sw_deployment_status(&w, st) : json_object());
	return sw_done(&w, obj);
}

json_t *model_deployment_to_value(const struct model_deployment *d)
{
	return model_deployment_with_status_to_value(d, NULL);
}

json_t *model_deployment_status_to_value(const struct model_deployment_status *s)
{
	struct sw w = { false };
	json_t *obj = json_pack("{s:s, s:s, s:{s:o, s:o}, s:o}", "apiVersion", "apps/v1",
				"kind", s->daemon_set ? "DaemonSet" : "Deployment",
				"metadata", "name", sw_str(s->name), "namespace", sw_str(s->ns),
				"status", sw_deployment_status(&w, s));

	return sw_done(&w, obj);
}

json_t *model_service_to_value(const struct model_service *s)
{
	struct sw w = { false };
	json_t *spec = json_object(), *ports = json_array(), *balancer = json_object(), *obj;

	sw_set_str(&w, spec, "type", model_service_type_name(s->type));
	if (s->selector.n)
		sw_set(&w, spec, "selector", sw_map(&w, &s->selector));
	for (int i = 0; i < s->n_ports; i++) {
		const struct model_service_port *p = &s->ports[i];
		json_t *port = json_object();

		sw_set_str_opt(&w, port, "name", p->name);
		sw_set_str(&w, port, "protocol", model_proto_name(p->proto));
		sw_set_str_opt(&w, port, "appProtocol", p->app_protocol);
		sw_set_int(&w, port, "port", p->port);
		if (p->target_port_name[0] || p->target_port)
			sw_set(&w, port, "targetPort",
			       sw_port_ref(p->target_port, p->target_port_name));
		if (p->node_port)
			sw_set_int(&w, port, "nodePort", p->node_port);
		sw_append(&w, ports, port);
	}
	sw_set(&w, spec, "ports", ports);
	if (s->cluster_ip.s_addr) {
		sw_set(&w, spec, "clusterIP", sw_ip(s->cluster_ip));
		sw_set(&w, spec, "clusterIPs", json_pack("[o]", sw_ip(s->cluster_ip)));
	}
	sw_set(&w, spec, "ipFamilies", json_pack("[s]", "IPv4"));
	sw_set_str(&w, spec, "ipFamilyPolicy", "SingleStack");
	/* Kubernetes shows externalTrafficPolicy only where it means something. */
	if (s->type != MODEL_SVC_CLUSTER_IP || s->external_policy != MODEL_POLICY_CLUSTER)
		sw_set_str(&w, spec, "externalTrafficPolicy",
			   model_policy_name(s->external_policy));
	sw_set_str(&w, spec, "internalTrafficPolicy", model_policy_name(s->internal_policy));
	if (s->health_check_node_port)
		sw_set_int(&w, spec, "healthCheckNodePort", s->health_check_node_port);
	if (s->load_balancer_ip.s_addr)
		sw_set(&w, spec, "loadBalancerIP", sw_ip(s->load_balancer_ip));
	if (s->n_external_ips > 0) {
		json_t *ips = json_array();

		for (int i = 0; i < s->n_external_ips && i < MODEL_MAX_EXTERNAL_IPS; i++)
			sw_append(&w, ips, sw_ip(s->external_ips[i]));
		sw_set(&w, spec, "externalIPs", ips);
	}
	if (s->n_source_ranges > 0) {
		json_t *ranges = json_array();
		char ip[INET_ADDRSTRLEN], cidr[INET_ADDRSTRLEN + 4];

		for (int i = 0; i < s->n_source_ranges && i < MODEL_MAX_SOURCE_RANGES; i++) {
			inet_ntop(AF_INET, &s->source_ranges[i].addr, ip, sizeof(ip));
			snprintf(cidr, sizeof(cidr), "%s/%d", ip, s->source_ranges[i].prefix);
			sw_append(&w, ranges, json_string(cidr));
		}
		sw_set(&w, spec, "loadBalancerSourceRanges", ranges);
	}
	sw_set_str(&w, spec, "sessionAffinity", s->affinity_client_ip ? "ClientIP" : "None");
	if (s->affinity_client_ip || s->affinity_timeout_s != 10800)
		sw_set(&w, spec, "sessionAffinityConfig",
		       json_pack("{s:{s:i}}", "clientIP", "timeoutSeconds", s->affinity_timeout_s));
	if (s->ingress_ip.s_addr)
		sw_set(&w, balancer, "ingress",
		       json_pack("[{s:o, s:s}]", "ip", sw_ip(s->ingress_ip), "ipMode", "VIP"));
	obj = json_pack("{s:s, s:s, s:o, s:o, s:{s:o}}", "apiVersion", "v1", "kind", "Service",
			"metadata", sw_meta(&w, &s->meta, -1), "spec", spec,
			"status", "loadBalancer", balancer);
	return sw_done(&w, obj);
}

/* A pod's status as its kubelet reports it: st, or what the scheduler
 * said of a pod it could not place (st NULL). */
static json_t *sw_pod_status(struct sw *w, const struct model_pod *p,
			     const struct model_pod_status *st)
{
	json_t *o = json_object();
	int node = lab_node_index(p->node);

	if (st) {
		sw_set_str(w, o, "phase", model_phase_name(st->phase));
		/* The four conditions kubelet reports, in its order. */
		sw_set(w, o, "conditions",
		       json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]",
				 "type", "Initialized", "status", "True",
				 "type", "Ready", "status", st->ready ? "True" : "False",
				 "type", "ContainersReady", "status", st->ready ? "True" : "False",
				 "type", "PodScheduled", "status", "True"));
	} else if (!p->node[0] && p->unsched_reason[0]) {
		/* The scheduler found no node: Pending, and why. */
		json_t *scheduled = json_pack("{s:s, s:s}", "type", "PodScheduled",
					      "status", "False");

		sw_set_str_opt(w, scheduled, "lastTransitionTime", p->unsched_since);
		sw_set_str(w, scheduled, "reason", p->unsched_reason);
		sw_set_str_opt(w, scheduled, "message", p->unsched_message);
		sw_set_str(w, o, "phase", "Pending");
		sw_set(w, o, "conditions", json_pack("[o]", scheduled));
	}
	if (node >= 0)
		sw_set(w, o, "hostIP", sw_ip(lab_node_addr(node)));
	if (p->ip.s_addr) {
		sw_set(w, o, "podIP", sw_ip(p->ip));
		sw_set(w, o, "podIPs", json_pack("[{s:o}]", "ip", sw_ip(p->ip)));
	}
	if (st) {
		json_t *statuses = json_array();

		sw_set_str_opt(w, o, "startTime", st->started);
		/* A pod here runs one process for all its containers, so every
		 * container shows the pod's state. */
		for (int i = 0; i < p->spec.n_containers; i++) {
			json_t *c = json_object(), *state = json_object(), *detail;

			sw_set_str(w, c, "name", p->spec.containers[i].name);
			sw_set_str(w, c, "image", p->spec.containers[i].image);
			sw_set_bool(w, c, "ready", st->ready);
			sw_set_int(w, c, "restartCount", st->restarts);
			sw_set_bool(w, c, "started", st->pid > 0);
			/* A container here is a process: its id is the pid. */
			if (st->pid > 0) {
				char id[32];

				snprintf(id, sizeof(id), "pid://%d", st->pid);
				sw_set_str(w, c, "containerID", id);
			}
			detail = json_object();
			if (st->pid > 0) {
				sw_set_str_opt(w, detail, "startedAt", st->started);
				sw_set(w, state, "running", detail);
			} else if (st->terminated || st->phase == MODEL_POD_SUCCEEDED ||
				   st->phase == MODEL_POD_FAILED) {
				sw_set_str(w, detail, "reason",
					   st->reason[0] ? st->reason : "Completed");
				sw_set_str_opt(w, detail, "message", st->message);
				sw_set(w, state, "terminated", detail);
			} else {
				sw_set_str(w, detail, "reason", st->reason[0] ? st->reason
									  : "ContainerCreating");
				sw_set_str_opt(w, detail, "message", st->message);
				sw_set(w, state, "waiting", detail);
			}
			sw_set(w, c, "state", state);
			sw_append(w, statuses, c);
		}
		sw_set(w, o, "containerStatuses", statuses);
	}
	return o;
}

json_t *model_pod_to_value(const struct model_pod *p, const struct model_pod_status *st)
{
	struct sw w = { false };
	json_t *meta = sw_meta(&w, &p->meta, p->spec.termination_grace_s), *obj;

	if (p->owner[0]) {
		/* A Deployment's pod is its ReplicaSet's; a DaemonSet owns its
		 * pods. (The model has no uid for the owner: the controller
		 * adds it when it creates the pod.) */
		bool rs = !p->daemon_set && p->template_hash[0];
		char owner[2 * MODEL_NAME_MAX];

		snprintf(owner, sizeof(owner), rs ? "%s-%s" : "%s", p->owner, p->template_hash);
		sw_set(&w, meta, "ownerReferences",
		       json_pack("[{s:s, s:s, s:o, s:b, s:b}]", "apiVersion", "apps/v1",
				 "kind",
				 p->daemon_set ? "DaemonSet" : rs ? "ReplicaSet" : "Deployment",
				 "name", sw_str(owner), "controller", true,
				 "blockOwnerDeletion", true));
	}
	obj = json_pack("{s:s, s:s, s:o, s:o, s:o}", "apiVersion", "v1", "kind", "Pod",
			"metadata", meta, "spec", sw_pod_spec(&w, &p->spec, p->node),
			"status", sw_pod_status(&w, p, st));
	return sw_done(&w, obj);
}

json_t *model_pod_status_to_value(const struct model_pod_status *s)
{
	struct sw w = { false };
	json_t *meta = json_pack("{s:o, s:o}", "name", sw_str(s->name), "namespace", sw_str(s->ns));
	json_t *status = json_pack("{s:s, s:b, s:b, s:b, s:i, s:i}",
				   "phase", model_phase_name(s->phase), "ready", s->ready,
				   "terminating", s->terminating, "terminated", s->terminated,
				   "restartCount", s->restarts, "pid", s->pid);

	sw_set_str_opt(&w, meta, "uid", s->uid);
	sw_set_str_opt(&w, status, "reason", s->reason);
	sw_set_str_opt(&w, status, "message", s->message);
	sw_set_str_opt(&w, status, "startTime", s->started);
	sw_set_str_opt(&w, status, "lastUpdateTime", s->updated);
	return sw_done(&w, json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "v1", "kind", "Pod",
				     "metadata", meta, "status", status));
}

/* How many of an endpoint's ports to write: the Service's port count if
 * known, else up to the last resolved one. */
static int sw_endpoint_nports(const struct model_endpoints *e, const struct model_endpoint *ep)
{
	int n = e->n_ports > MODEL_MAX_PORTS ? MODEL_MAX_PORTS : e->n_ports;

	for (int i = MODEL_MAX_PORTS - 1; i >= n; i--)
		if (ep->ports[i])
			return i + 1;
	return n;
}

json_t *model_endpoints_to_value(const struct model_endpoints *e)
{
	struct sw w = { false };
	json_t *endpoints = json_array(), *ports = json_array(), *obj;

	for (int i = 0; i < e->n; i++) {
		const struct model_endpoint *ep = &e->items[i];
		int np = sw_endpoint_nports(e, ep);
		json_t *o = json_pack("{s:[o], s:{s:b, s:b, s:b}}", "addresses", sw_ip(ep->addr),
				      "conditions", "ready", ep->ready, "serving", ep->serving,
				      "terminating", ep->terminating);
		json_t *numbers = json_array();

		sw_set_str_opt(&w, o, "nodeName", ep->node);
		if (ep->pod[0])
			sw_set(&w, o, "targetRef", json_pack("{s:s, s:o, s:o}", "kind", "Pod",
							     "namespace", sw_str(e->ns),
							     "name", sw_str(ep->pod)));
		/* Not in a real EndpointSlice, which splits into one slice per
		 * distinct port set instead: a named targetPort can resolve to a
		 * different number on each pod. */
		for (int j = 0; j < np; j++)
			sw_append(&w, numbers, json_integer(ep->ports[j]));
		sw_set(&w, o, "ports", numbers);
		sw_append(&w, endpoints, o);
	}
	for (int j = 0; j < e->n_ports && j < MODEL_MAX_PORTS; j++) {
		int port = e->n ? e->items[0].ports[j] : 0;
		json_t *o = json_pack("{s:o, s:s}", "name", sw_str(e->ports[j].name),
				      "protocol", model_proto_name(e->ports[j].proto));

		for (int i = 1; i < e->n; i++)
			if (e->items[i].ports[j] != port)
				port = 0;
		/* The slice-wide number only when every endpoint agrees. */
		if (port)
			sw_set_int(&w, o, "port", port);
		sw_append(&w, ports, o);
	}
	obj = json_pack("{s:s, s:s, s:{s:o, s:o, s:{s:o, s:s}}, s:s, s:o, s:o}",
			"apiVersion", "discovery.k8s.io/v1", "kind", "EndpointSlice",
			"metadata", "name", sw_str(e->name), "namespace", sw_str(e->ns),
			"labels", "kubernetes.io/service-name", sw_str(e->name),
			"endpointslice.kubernetes.io/managed-by", "clientip-controller",
			"addressType", "IPv4", "endpoints", endpoints, "ports", ports);
	return sw_done(&w, obj);
}
