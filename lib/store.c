/* store.c — see store.h and docs/STATE.md.
 *
 * Objects are written and read as jansson values: writing builds each one
 * member by member in kubectl's order (sw_*, below); reading takes each
 * field through the lenient accessors (sj_*) that give the model its
 * defaults.
 */
#include "store.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiobj.h"
#include "fsutil.h"
#include "lab.h"
#include "log.h"

/* ---- paths ------------------------------------------------------------ */

static const char *const store_dirs[STORE_KIND_COUNT] = {
	[STORE_POD_STATUS] = "status/pods",
};

const char *store_kind_dir(enum store_kind kind)
{
	return (unsigned)kind < STORE_KIND_COUNT ? store_dirs[kind] : "invalid";
}

char *store_path(const char *statedir, enum store_kind kind, const char *ns,
		 const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s_%s.json", statedir, store_kind_dir(kind), ns, name);
	return buf;
}

int store_init(const char *statedir)
{
	char path[PATH_MAX];

	for (int k = 0; k < STORE_KIND_COUNT; k++) {
		int rc;

		snprintf(path, sizeof(path), "%s/%s", statedir, store_dirs[k]);
		rc = fs_mkdir_p(path, 0755);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int store_delete(const char *statedir, enum store_kind kind, const char *ns, const char *name)
{
	char path[PATH_MAX];

	store_path(statedir, kind, ns, name, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

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

/* ---- reading: small pieces ------------------------------------------- */

static void sj_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void sj_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- a parsed JSON value ------------------------------------------------
 * Objects and files are parsed by jansson; the readers below take each
 * field through a few accessors that are as lenient as Kubernetes' own
 * defaulting: a scalar's text is the same whether it was written as a
 * string or as a number ("80" and 80 are one port), and a field of the
 * wrong shape reads as missing, so the model's default applies. */

/* A scalar's text (a string's own; a number's or a boolean's as JSON
 * writes it, in buf), or NULL for null, an object, an array or no value. */
static const char *sj_text(const json_t *n, char buf[40], size_t *len)
{
	if (json_is_string(n)) {
		*len = json_string_length(n);
		return json_string_value(n);
	}
	if (json_is_integer(n))
		snprintf(buf, 40, "%" JSON_INTEGER_FORMAT, json_integer_value(n));
	else if (json_is_real(n))
		snprintf(buf, 40, "%.17g", json_real_value(n));
	else if (json_is_boolean(n))
		snprintf(buf, 40, "%s", json_is_true(n) ? "true" : "false");
	else
		return NULL;
	*len = strlen(buf);
	return buf;
}

static const json_t *sj_get(const json_t *map, const char *key)
{
	return json_is_object(map) ? json_object_get(map, key) : NULL;
}

/* sj_get along a path of keys, NULL-terminated. */
static const json_t *sj_at(const json_t *n, ...)
{
	const char *key;
	va_list ap;

	va_start(ap, n);
	while (n && (key = va_arg(ap, const char *)))
		n = sj_get(n, key);
	va_end(ap);
	return n;
}

/* Copies a scalar's text, truncating at size; false (out untouched) if n
 * is not a scalar. */
static bool sj_str(const json_t *n, char *out, size_t size)
{
	char buf[40];
	size_t len;
	const char *s = sj_text(n, buf, &len);

	if (!s)
		return false;
	if (len >= size)
		len = size - 1;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

static bool sj_parse_int(const char *s, size_t len, int64_t *out)
{
	char tmp[32], *end;
	long long v;

	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool sj_int64(const json_t *n, int64_t *out)
{
	char buf[40];
	size_t len;
	const char *s = sj_text(n, buf, &len);

	return s && sj_parse_int(s, len, out);
}

static bool sj_int(const json_t *n, int *out)
{
	int64_t v;

	if (!sj_int64(n, &v) || v < INT_MIN || v > INT_MAX)
		return false;
	*out = (int)v;
	return true;
}

static bool sj_bool(const json_t *n, bool *out)
{
	char buf[40];
	size_t len;
	const char *s = sj_text(n, buf, &len);

	if (!s)
		return false;
	if (len == 4 && memcmp(s, "true", 4) == 0)
		*out = true;
	else if (len == 5 && memcmp(s, "false", 5) == 0)
		*out = false;
	else
		return false;
	return true;
}

static bool sj_ip(const json_t *n, struct in_addr *out)
{
	char s[INET_ADDRSTRLEN + 8];

	return sj_str(n, s, sizeof(s)) && inet_pton(AF_INET, s, out) == 1;
}

/* "a.b.c.d/n", host bits cleared. */
static bool svc_read_cidr(const json_t *n, struct model_cidr4 *out)
{
	char s[INET_ADDRSTRLEN + 8], *slash, *end;
	long bits;

	if (!sj_str(n, s, sizeof(s)) || !(slash = strchr(s, '/')))
		return false;
	*slash = '\0';
	bits = strtol(slash + 1, &end, 10);
	if (end == slash + 1 || *end || bits < 0 || bits > 32 ||
	    inet_pton(AF_INET, s, &out->addr) != 1)
		return false;
	out->prefix = (int)bits;
	out->addr.s_addr &= bits ? htonl(0xffffffffu << (32 - bits)) : 0;
	return true;
}

static void sj_map(const json_t *n, struct model_map *m)
{
	int cap = (int)(sizeof(m->items) / sizeof(m->items[0]));
	const char *key;
	json_t *v;

	if (!json_is_object(n))
		return;
	json_object_foreach((json_t *)n, key, v) {
		struct model_kv *kv = &m->items[m->n];

		if (m->n == cap)
			break;
		snprintf(kv->key, sizeof(kv->key), "%s", key);
		if (!sj_str(v, kv->value, sizeof(kv->value)))
			kv->value[0] = '\0';
		m->n++;
	}
}

/* The next item of an array (*it 0: the first); NULL at the end or if seq
 * is not an array. */
static const json_t *sj_seq_next(const json_t *seq, size_t *it)
{
	return json_is_array(seq) ? json_array_get(seq, (*it)++) : NULL;
}

/* An int-or-string port reference: a number, or a name. */
static void sj_port_ref(const json_t *n, int *port, char *name, size_t size)
{
	if (sj_int(n, port))
		return;
	sj_str(n, name, size);
}

static void sj_int_or_percent(const json_t *n, struct model_int_or_percent *v)
{
	char buf[40];
	size_t len;
	const char *s = sj_text(n, buf, &len);
	int64_t x;

	if (!s)
		return;
	if (len > 1 && s[len - 1] == '%' && sj_parse_int(s, len - 1, &x) && x >= 0 &&
	    x <= INT_MAX) {
		v->value = (int)x;
		v->percent = true;
	} else if (sj_parse_int(s, len, &x) && x >= 0 && x <= INT_MAX) {
		v->value = (int)x;
		v->percent = false;
	}
}

static int sj_check_kind(const json_t *root, const char *kind, char *err, size_t errlen)
{
	char k[64];

	if (!json_is_object(root)) {
		sj_err(err, errlen, "not a JSON object");
		return -1;
	}
	if (sj_str(sj_get(root, "kind"), k, sizeof(k)) && strcmp(k, kind) != 0) {
		sj_err(err, errlen, "kind %s, expected %s", k, kind);
		return -1;
	}
	return 0;
}

/* The identity every object has; ns defaults to "default". */
static int sj_ident(const json_t *md, char *ns, char *name, char *err, size_t errlen)
{
	if (!sj_str(sj_get(md, "name"), name, MODEL_NAME_MAX) || !name[0]) {
		sj_err(err, errlen, "metadata.name missing");
		return -1;
	}
	if (!sj_str(sj_get(md, "namespace"), ns, MODEL_NAME_MAX) || !ns[0])
		strcpy(ns, "default");
	return 0;
}

/* metadata.annotations as the model keeps them: what it has no room for (a
 * value of MODEL_VALUE_MAX bytes or more, kubectl's last-applied
 * configuration among them; a key of MODEL_KEY_MAX or more) and the
 * Deployment controller's own (deployment.kubernetes.io/) are left out, so
 * that an API object reads as its apiobj_model_copy() does. */
static void sj_annotations(const json_t *n, struct model_map *m)
{
	int cap = (int)(sizeof(m->items) / sizeof(m->items[0]));
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)n, key, v) {
		if (m->n == cap)
			break;
		if (!json_is_string(v) || json_string_length(v) >= MODEL_VALUE_MAX ||
		    strlen(key) >= MODEL_KEY_MAX || strncmp(key, "deployment.kubernetes.io/", 25) == 0)
			continue;
		snprintf(m->items[m->n].key, sizeof(m->items[m->n].key), "%s", key);
		snprintf(m->items[m->n].value, sizeof(m->items[m->n].value), "%s",
			 json_string_value(v));
		m->n++;
	}
}

static int sj_meta(const json_t *root, struct model_meta *m, char *err, size_t errlen)
{
	const json_t *md = sj_get(root, "metadata");

	if (sj_ident(md, m->ns, m->name, err, errlen) < 0)
		return -1;
	sj_str(sj_get(md, "uid"), m->uid, sizeof(m->uid));
	sj_int64(sj_get(md, "generation"), &m->generation);
	sj_str(sj_get(md, "creationTimestamp"), m->created, sizeof(m->created));
	sj_str(sj_get(md, "deletionTimestamp"), m->deleting, sizeof(m->deleting));
	sj_map(sj_get(md, "labels"), &m->labels);
	sj_annotations(sj_get(md, "annotations"), &m->annotations);
	return 0;
}

static void sj_probe(const json_t *n, struct model_probe *p)
{
	const json_t *h, *t;

	if (!n)
		return;
	h = sj_get(n, "httpGet");
	t = sj_get(n, "tcpSocket");
	if (!h && !t)
		return;
	model_probe_init(p, h ? MODEL_PROBE_HTTP : MODEL_PROBE_TCP);
	if (h)
		sj_str(sj_get(h, "path"), p->path, sizeof(p->path));
	sj_port_ref(sj_get(h ? h : t, "port"), &p->port, p->port_name, sizeof(p->port_name));
	sj_int(sj_get(n, "initialDelaySeconds"), &p->initial_delay_s);
	sj_int(sj_get(n, "periodSeconds"), &p->period_s);
	sj_int(sj_get(n, "timeoutSeconds"), &p->timeout_s);
	sj_int(sj_get(n, "successThreshold"), &p->success_threshold);
	sj_int(sj_get(n, "failureThreshold"), &p->failure_threshold);
}

static int sj_strings(const json_t *seq, char (*v)[MODEL_ARG_MAX])
{
	const json_t *it_n;
	size_t it = 0;
	int n = 0;

	while (n < MODEL_MAX_ARGS && (it_n = sj_seq_next(seq, &it)))
		if (sj_str(it_n, v[n], MODEL_ARG_MAX))
			n++;
	return n;
}

static void sj_pre_stop(const json_t *n, struct model_hook *h)
{
	const json_t *e = sj_get(n, "exec"), *g = sj_get(n, "httpGet");
	const json_t *sl = sj_get(n, "sleep"), *x;
	size_t it = 0;
	char scheme[16] = "";

	/* A null handler ("exec": null) is no handler. */
	e = json_is_object(e) ? e : NULL;
	g = json_is_object(g) ? g : NULL;
	sl = json_is_object(sl) ? sl : NULL;
	if (e) {
		h->kind = MODEL_HOOK_EXEC;
		while (h->n_command < MODEL_HOOK_MAX_ARGS &&
		       (x = sj_seq_next(sj_get(e, "command"), &it)))
			if (sj_str(x, h->command[h->n_command], MODEL_ARG_MAX))
				h->n_command++;
	} else if (g) {
		h->kind = MODEL_HOOK_HTTP;
		snprintf(h->path, sizeof(h->path), "/");
		sj_str(sj_get(g, "path"), h->path, sizeof(h->path));
		if (!h->path[0])
			snprintf(h->path, sizeof(h->path), "/");
		sj_port_ref(sj_get(g, "port"), &h->port, h->port_name, sizeof(h->port_name));
		sj_str(sj_get(g, "host"), h->host, sizeof(h->host));
		sj_str(sj_get(g, "scheme"), scheme, sizeof(scheme));
		h->https = strcmp(scheme, "HTTPS") == 0;
		while (h->n_headers < MODEL_HOOK_MAX_HEADERS &&
		       (x = sj_seq_next(sj_get(g, "httpHeaders"), &it))) {
			struct model_http_header *hd = &h->headers[h->n_headers];

			if (!sj_str(sj_get(x, "name"), hd->name, sizeof(hd->name)))
				continue;
			sj_str(sj_get(x, "value"), hd->value, sizeof(hd->value));
			h->n_headers++;
		}
	} else if (sl) {
		h->kind = MODEL_HOOK_SLEEP;
		sj_int(sj_get(sl, "seconds"), &h->sleep_s);
	}
}

static void sj_container(const json_t *n, struct model_container *c)
{
	const json_t *x;
	size_t it = 0;

	sj_str(sj_get(n, "name"), c->name, sizeof(c->name));
	sj_str(sj_get(n, "image"), c->image, sizeof(c->image));
	c->n_command = sj_strings(sj_get(n, "command"), c->command);
	c->n_args = sj_strings(sj_get(n, "args"), c->args);
	while (c->n_env < MODEL_MAX_ENV && (x = sj_seq_next(sj_get(n, "env"), &it))) {
		struct model_env *e = &c->env[c->n_env];

		if (!sj_str(sj_get(x, "name"), e->name, sizeof(e->name)))
			continue;
		sj_str(sj_get(x, "value"), e->value, sizeof(e->value));
		c->n_env++;
	}
	it = 0;
	while (c->n_ports < MODEL_MAX_PORTS && (x = sj_seq_next(sj_get(n, "ports"), &it))) {
		struct model_container_port *p = &c->ports[c->n_ports];
		char proto[8];

		if (!sj_int(sj_get(x, "containerPort"), &p->port))
			continue;
		sj_str(sj_get(x, "name"), p->name, sizeof(p->name));
		if (sj_str(sj_get(x, "protocol"), proto, sizeof(proto)))
			model_proto_parse(proto, &p->proto);
		c->n_ports++;
	}
	sj_probe(sj_get(n, "readinessProbe"), &c->readiness);
	sj_pre_stop(sj_get(sj_get(n, "lifecycle"), "preStop"), &c->pre_stop);
}

static void sj_pod_spec(const json_t *n, struct model_pod_spec *s)
{
	const json_t *x;
	size_t it = 0;

	s->termination_grace_s = 30;
	sj_int(sj_get(n, "terminationGracePeriodSeconds"), &s->termination_grace_s);
	while (s->n_containers < MODEL_MAX_CONTAINERS &&
	       (x = sj_seq_next(sj_get(n, "containers"), &it)))
		sj_container(x, &s->containers[s->n_containers++]);
	/* The first constraint over the hostname; other keys have no domain
	 * in the lab. */
	it = 0;
	while (!s->spread_max_skew && (x = sj_seq_next(sj_get(n, "topologySpreadConstraints"), &it))) {
		char key[64] = "", when[32] = "";

		sj_str(sj_get(x, "topologyKey"), key, sizeof(key));
		if (strcmp(key, MODEL_SPREAD_KEY) != 0)
			continue;
		sj_int(sj_get(x, "maxSkew"), &s->spread_max_skew);
		sj_str(sj_get(x, "whenUnsatisfiable"), when, sizeof(when));
		s->spread_hard = strcmp(when, "DoNotSchedule") == 0;
	}
	/* The DaemonSet controller's pin: the first term's field match on
	 * the node's name. */
	it = 0;
	x = sj_seq_next(sj_at(n, "affinity", "nodeAffinity",
			      "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms",
			      NULL), &it);
	it = 0;
	while ((x = sj_seq_next(sj_get(x, "matchFields"), &it))) {
		char key[32] = "", op[8] = "";
		size_t vit = 0;

		sj_str(sj_get(x, "key"), key, sizeof(key));
		sj_str(sj_get(x, "operator"), op, sizeof(op));
		if (strcmp(key, "metadata.name") == 0 && strcmp(op, "In") == 0) {
			sj_str(sj_seq_next(sj_get(x, "values"), &vit), s->node_affinity,
			       sizeof(s->node_affinity));
			break;
		}
	}
}

static void sj_condition(const json_t *n, struct model_condition *c)
{
	char st[16] = "";

	sj_str(sj_get(n, "type"), c->type, sizeof(c->type));
	sj_str(sj_get(n, "status"), st, sizeof(st));
	c->status = strcmp(st, "True") == 0;
	sj_str(sj_get(n, "reason"), c->reason, sizeof(c->reason));
	sj_str(sj_get(n, "message"), c->message, sizeof(c->message));
}

/* ---- reading: objects -------------------------------------------------
 * The *_read functions expect `out` zeroed (a fresh calloc'd list slot)
 * and set every non-zero default themselves; a list of thousands of large
 * structs then only touches the memory the fields use. */

static int deployment_read(const json_t *root, struct model_deployment *d,
			   char *err, size_t errlen)
{
	const json_t *spec, *ru, *tpl;
	char kind[16] = "";

	sj_str(sj_get(root, "kind"), kind, sizeof(kind));
	d->daemon_set = strcmp(kind, "DaemonSet") == 0;
	if (sj_check_kind(root, d->daemon_set ? "DaemonSet" : "Deployment", err, errlen) < 0 ||
	    sj_meta(root, &d->meta, err, errlen) < 0)
		return -1;
	spec = sj_get(root, "spec");
	if (d->daemon_set) {
		d->max_surge = (struct model_int_or_percent){ 0, false };
		d->max_unavailable = (struct model_int_or_percent){ 1, false };
	} else {
		d->replicas = 1;
		sj_int(sj_get(spec, "replicas"), &d->replicas);
		d->max_surge = (struct model_int_or_percent){ 25, true };
		d->max_unavailable = (struct model_int_or_percent){ 25, true };
	}
	sj_map(sj_at(spec, "selector", "matchLabels", NULL), &d->selector);
	ru = sj_at(spec, d->daemon_set ? "updateStrategy" : "strategy", "rollingUpdate", NULL);
	sj_int_or_percent(sj_get(ru, "maxSurge"), &d->max_surge);
	sj_int_or_percent(sj_get(ru, "maxUnavailable"), &d->max_unavailable);
	tpl = sj_get(spec, "template");
	sj_map(sj_at(tpl, "metadata", "labels", NULL), &d->template_labels);
	sj_map(sj_at(tpl, "metadata", "annotations", NULL), &d->template_annotations);
	sj_pod_spec(sj_get(tpl, "spec"), &d->pod);
	return 0;
}

static int service_read(const json_t *root, struct model_service *s, char *err, size_t errlen)
{
	const json_t *spec, *x;
	char tmp[32];
	size_t it = 0;

	if (sj_check_kind(root, "Service", err, errlen) < 0 ||
	    sj_meta(root, &s->meta, err, errlen) < 0)
		return -1;
	spec = sj_get(root, "spec");
	if (sj_str(sj_get(spec, "type"), tmp, sizeof(tmp)))
		model_service_type_parse(tmp, &s->type);
	sj_map(sj_get(spec, "selector"), &s->selector);
	while (s->n_ports < MODEL_MAX_PORTS && (x = sj_seq_next(sj_get(spec, "ports"), &it))) {
		struct model_service_port *p = &s->ports[s->n_ports];

		if (!sj_int(sj_get(x, "port"), &p->port))
			continue;
		sj_str(sj_get(x, "name"), p->name, sizeof(p->name));
		if (sj_str(sj_get(x, "protocol"), tmp, sizeof(tmp)))
			model_proto_parse(tmp, &p->proto);
		sj_port_ref(sj_get(x, "targetPort"), &p->target_port, p->target_port_name,
			    sizeof(p->target_port_name));
		if (!p->target_port && !p->target_port_name[0])
			p->target_port = p->port;
		sj_int(sj_get(x, "nodePort"), &p->node_port);
		sj_str(sj_get(x, "appProtocol"), p->app_protocol, sizeof(p->app_protocol));
		s->n_ports++;
	}
	sj_ip(sj_get(spec, "clusterIP"), &s->cluster_ip);
	if (sj_str(sj_get(spec, "externalTrafficPolicy"), tmp, sizeof(tmp)))
		model_policy_parse(tmp, &s->external_policy);
	if (sj_str(sj_get(spec, "internalTrafficPolicy"), tmp, sizeof(tmp)))
		model_policy_parse(tmp, &s->internal_policy);
	sj_int(sj_get(spec, "healthCheckNodePort"), &s->health_check_node_port);
	if (sj_str(sj_get(spec, "sessionAffinity"), tmp, sizeof(tmp)))
		s->affinity_client_ip = strcmp(tmp, "ClientIP") == 0;
	s->affinity_timeout_s = 10800;
	sj_int(sj_at(spec, "sessionAffinityConfig", "clientIP", "timeoutSeconds", NULL),
	       &s->affinity_timeout_s);
	sj_ip(sj_get(spec, "loadBalancerIP"), &s->load_balancer_ip);
	it = 0;
	while (s->n_external_ips < MODEL_MAX_EXTERNAL_IPS &&
	       (x = sj_seq_next(sj_get(spec, "externalIPs"), &it)))
		if (sj_ip(x, &s->external_ips[s->n_external_ips]))
			s->n_external_ips++;
	it = 0;
	while (s->n_source_ranges < MODEL_MAX_SOURCE_RANGES &&
	       (x = sj_seq_next(sj_get(spec, "loadBalancerSourceRanges"), &it)))
		if (svc_read_cidr(x, &s->source_ranges[s->n_source_ranges]))
			s->n_source_ranges++;
	it = 0;
	x = sj_seq_next(sj_at(root, "status", "loadBalancer", "ingress", NULL), &it);
	sj_ip(sj_get(x, "ip"), &s->ingress_ip);
	return 0;
}

static int pod_read(const json_t *root, struct model_pod *p, char *err, size_t errlen)
{
	const json_t *x, *own = NULL;
	const char *hash;
	size_t it = 0;

	if (sj_check_kind(root, "Pod", err, errlen) < 0 || sj_meta(root, &p->meta, err, errlen) < 0)
		return -1;
	while ((x = sj_seq_next(sj_at(root, "metadata", "ownerReferences", NULL), &it))) {
		bool ctl = false;

		if (!own || (sj_bool(sj_get(x, "controller"), &ctl) && ctl))
			own = x;
	}
	sj_str(sj_get(own, "name"), p->owner, sizeof(p->owner));
	{
		char kind[16] = "";

		sj_str(sj_get(own, "kind"), kind, sizeof(kind));
		p->daemon_set = strcmp(kind, "DaemonSet") == 0;
	}
	hash = model_map_get(&p->meta.labels, p->daemon_set ? "controller-revision-hash"
								: "pod-template-hash");
	if (hash)
		snprintf(p->template_hash, sizeof(p->template_hash), "%s", hash);
	/* A Deployment's pod is its ReplicaSet's, "<deployment>-<hash>": the
	 * model names the Deployment. */
	if (!p->daemon_set && p->template_hash[0]) {
		size_t ol = strlen(p->owner), hl = strlen(p->template_hash);

		if (ol > hl + 1 && p->owner[ol - hl - 1] == '-' &&
		    strcmp(p->owner + ol - hl, p->template_hash) == 0)
			memset(p->owner + ol - hl - 1, 0, hl + 1);
	}
	x = sj_get(root, "spec");
	sj_str(sj_get(x, "nodeName"), p->node, sizeof(p->node));
	sj_pod_spec(x, &p->spec);
	if (!sj_ip(sj_at(root, "status", "podIP", NULL), &p->ip)) {
		const char *ip = model_map_get(&p->meta.annotations, MODEL_ANN_POD_IP);

		if (!ip || inet_pton(AF_INET, ip, &p->ip) != 1)
			p->ip.s_addr = 0;
	}
	it = 0;
	while ((x = sj_seq_next(sj_at(root, "status", "conditions", NULL), &it))) {
		char type[32] = "", status[16] = "";

		sj_str(sj_get(x, "type"), type, sizeof(type));
		sj_str(sj_get(x, "status"), status, sizeof(status));
		if (strcmp(type, "PodScheduled") != 0 || strcmp(status, "False") != 0)
			continue;
		sj_str(sj_get(x, "reason"), p->unsched_reason, sizeof(p->unsched_reason));
		sj_str(sj_get(x, "message"), p->unsched_message, sizeof(p->unsched_message));
		sj_str(sj_get(x, "lastTransitionTime"), p->unsched_since, sizeof(p->unsched_since));
	}
	return 0;
}

static int pod_status_read(const json_t *root, struct model_pod_status *s,
			   char *err, size_t errlen)
{
	const json_t *md = sj_get(root, "metadata"), *st;
	char phase[16];

	if (sj_check_kind(root, "Pod", err, errlen) < 0 ||
	    sj_ident(md, s->ns, s->name, err, errlen) < 0)
		return -1;
	sj_str(sj_get(md, "uid"), s->uid, sizeof(s->uid));
	st = sj_get(root, "status");
	if (sj_str(sj_get(st, "phase"), phase, sizeof(phase)))
		model_phase_parse(phase, &s->phase);
	sj_bool(sj_get(st, "ready"), &s->ready);
	sj_bool(sj_get(st, "terminating"), &s->terminating);
	sj_bool(sj_get(st, "terminated"), &s->terminated);
	sj_int(sj_get(st, "restartCount"), &s->restarts);
	sj_int(sj_get(st, "pid"), &s->pid);
	sj_str(sj_get(st, "reason"), s->reason, sizeof(s->reason));
	sj_str(sj_get(st, "message"), s->message, sizeof(s->message));
	sj_str(sj_get(st, "startTime"), s->started, sizeof(s->started));
	sj_str(sj_get(st, "lastUpdateTime"), s->updated, sizeof(s->updated));
	return 0;
}

static int endpoints_read(const json_t *root, struct model_endpoints *e,
			  char *err, size_t errlen)
{
	const json_t *eps = sj_get(root, "endpoints"), *x;
	int slice_port[MODEL_MAX_PORTS] = { 0 };
	size_t it = 0;
	int cap;

	if (sj_check_kind(root, "EndpointSlice", err, errlen) < 0 ||
	    sj_ident(sj_get(root, "metadata"), e->ns, e->name, err, errlen) < 0)
		return -1;
	while (e->n_ports < MODEL_MAX_PORTS && (x = sj_seq_next(sj_get(root, "ports"), &it))) {
		struct model_endpoint_port *p = &e->ports[e->n_ports];
		char proto[8];

		sj_str(sj_get(x, "name"), p->name, sizeof(p->name));
		if (sj_str(sj_get(x, "protocol"), proto, sizeof(proto)))
			model_proto_parse(proto, &p->proto);
		sj_int(sj_get(x, "port"), &slice_port[e->n_ports]);
		e->n_ports++;
	}
	cap = (int)json_array_size(eps);
	e->items = calloc(cap > 0 ? (size_t)cap : 1, sizeof(*e->items));
	if (!e->items) {
		sj_err(err, errlen, "out of memory");
		return -1;
	}
	it = 0;
	while (e->n < cap && (x = sj_seq_next(eps, &it))) {
		struct model_endpoint *ep = &e->items[e->n];
		const json_t *cond = sj_get(x, "conditions"), *ports, *pn;
		size_t it2 = 0;
		int np = 0;

		if (!sj_ip(sj_seq_next(sj_get(x, "addresses"), &it2), &ep->addr))
			continue;
		/* EndpointSlice semantics: ready unset means ready, serving
		 * unset means as ready. */
		ep->ready = true;
		sj_bool(sj_get(cond, "ready"), &ep->ready);
		ep->serving = ep->ready;
		sj_bool(sj_get(cond, "serving"), &ep->serving);
		sj_bool(sj_get(cond, "terminating"), &ep->terminating);
		sj_str(sj_get(x, "nodeName"), ep->node, sizeof(ep->node));
		sj_str(sj_at(x, "targetRef", "name", NULL), ep->pod, sizeof(ep->pod));
		ports = sj_get(x, "ports");
		if (ports) {
			it2 = 0;
			while (np < MODEL_MAX_PORTS && (pn = sj_seq_next(ports, &it2)))
				sj_int(pn, &ep->ports[np++]);
		} else {
			memcpy(ep->ports, slice_port, sizeof(ep->ports));
		}
		e->n++;
	}
	return 0;
}

static int deployment_status_read(const json_t *root, struct model_deployment_status *s,
				  char *err, size_t errlen)
{
	const json_t *st, *x;
	size_t it = 0;
	char kind[16] = "";

	sj_str(sj_get(root, "kind"), kind, sizeof(kind));
	s->daemon_set = strcmp(kind, "DaemonSet") == 0;
	if (sj_check_kind(root, s->daemon_set ? "DaemonSet" : "Deployment", err, errlen) < 0 ||
	    sj_ident(sj_get(root, "metadata"), s->ns, s->name, err, errlen) < 0)
		return -1;
	st = sj_get(root, "status");
	sj_int64(sj_get(st, "observedGeneration"), &s->observed_generation);
	if (s->daemon_set) {
		sj_int(sj_get(st, "desiredNumberScheduled"), &s->desired_scheduled);
		sj_int(sj_get(st, "currentNumberScheduled"), &s->replicas);
		sj_int(sj_get(st, "numberMisscheduled"), &s->misscheduled);
		sj_int(sj_get(st, "numberReady"), &s->ready_replicas);
		sj_int(sj_get(st, "updatedNumberScheduled"), &s->updated_replicas);
		sj_int(sj_get(st, "numberAvailable"), &s->available_replicas);
		sj_int(sj_get(st, "numberUnavailable"), &s->unavailable_replicas);
		sj_str(sj_get(st, "podTemplateHash"), s->template_hash, sizeof(s->template_hash));
		return 0;
	}
	sj_int(sj_get(st, "replicas"), &s->replicas);
	sj_int(sj_get(st, "updatedReplicas"), &s->updated_replicas);
	sj_int(sj_get(st, "readyReplicas"), &s->ready_replicas);
	sj_int(sj_get(st, "availableReplicas"), &s->available_replicas);
	sj_int(sj_get(st, "unavailableReplicas"), &s->unavailable_replicas);
	sj_str(sj_get(st, "podTemplateHash"), s->template_hash, sizeof(s->template_hash));
	while (s->n_conditions < MODEL_MAX_CONDITIONS &&
	       (x = sj_seq_next(sj_get(st, "conditions"), &it)))
		sj_condition(x, &s->conditions[s->n_conditions++]);
	return 0;
}

/* ---- parsing ------------------------------------------------------------ */

/* Each object kind gets a from_json; `fail` undoes a failed read's
 * allocations. */
#define STORE_FROM(kind, type, reader, fail) \
int model_##kind##_from_value(const json_t *v, type *out, char *err, size_t errlen) \
{ \
	int rc_; \
	memset(out, 0, sizeof(*out)); \
	rc_ = reader(v, out, err, errlen); \
	if (rc_ < 0) \
		fail(out); \
	return rc_; \
} \
int model_##kind##_from_json(const char *text, size_t len, type *out, char *err, size_t errlen) \
{ \
	char msg_[200]; \
	json_t *root_; \
	int rc_ = -1; \
	memset(out, 0, sizeof(*out)); \
	if (!(root_ = apiobj_parse(text, len, msg_, sizeof(msg_)))) \
		sj_err(err, errlen, "%s", msg_); \
	else \
		rc_ = model_##kind##_from_value(root_, out, err, errlen); \
	json_decref(root_); \
	return rc_; \
}

/* The reader of a kind the state dir holds, for store_list(). */
#define STORE_FILE_READER(reader, type) \
static int reader##_v(const json_t *root, void *out, char *err, size_t errlen) \
{ \
	return reader(root, (type *)out, err, errlen); \
}

static void store_keep_nothing(void *p)
{
	(void)p;
}

static void store_endpoints_fail(void *e)
{
	model_endpoints_free(e);
}

STORE_FROM(deployment, struct model_deployment, deployment_read, store_keep_nothing)
STORE_FROM(service, struct model_service, service_read, store_keep_nothing)
STORE_FROM(pod, struct model_pod, pod_read, store_keep_nothing)
STORE_FROM(pod_status, struct model_pod_status, pod_status_read, store_keep_nothing)
STORE_FROM(endpoints, struct model_endpoints, endpoints_read, store_endpoints_fail)
STORE_FROM(deployment_status, struct model_deployment_status, deployment_status_read,
	   store_keep_nothing)
STORE_FILE_READER(pod_status_read, struct model_pod_status)

/* ---- files ------------------------------------------------------------ */

/* Reads and parses a file (json_decref it). NULL with rc -ENOENT if it
 * does not exist, else NULL with a message in err. */
static json_t *store_load(const char *path, int *rc, char *err, size_t errlen)
{
	char *text = NULL, msg[200];
	json_t *root;
	size_t len;

	*rc = fs_read_all(path, &text, &len);
	if (*rc < 0) {
		sj_err(err, errlen, "%s: %s", path, strerror(-*rc));
		return NULL;
	}
	root = apiobj_parse(text, len, msg, sizeof(msg));
	free(text);
	if (!root) {
		*rc = -EINVAL;
		sj_err(err, errlen, "%s: %s", path, msg);
	}
	return root;
}

typedef int store_read_fn(const json_t *root, void *out, char *err, size_t errlen);

static int store_key_cmp(const void *a, const void *b)
{
	const struct store_key *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

int store_list_keys(const char *statedir, enum store_kind kind, struct store_key **out, int *n,
		    char *err, size_t errlen)
{
	struct store_key *keys = NULL;
	char path[PATH_MAX];
	struct dirent *de;
	int cap = 0, cnt = 0;
	DIR *dir;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", statedir, store_kind_dir(kind));
	dir = opendir(path);
	if (!dir) {
		if (errno == ENOENT)   /* nothing written yet */
			goto done;
		sj_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		const char *us;
		struct store_key *k;

		/* Temporary files of an atomic write end in .tmp.<pid>. */
		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		len -= 5;
		us = memchr(de->d_name, '_', len);
		if (!us)
			continue;
		if (cnt == cap) {
			int ncap = cap ? cap * 2 : 64;
			struct store_key *nk = realloc(keys, (size_t)ncap * sizeof(*nk));

			if (!nk) {
				closedir(dir);
				free(keys);
				sj_err(err, errlen, "out of memory");
				return -1;
			}
			keys = nk;
			cap = ncap;
		}
		k = &keys[cnt];
		{
			size_t nsl = (size_t)(us - de->d_name), nl = len - nsl - 1;

			if (nsl >= sizeof(k->ns) || nl >= sizeof(k->name) || nl == 0)
				continue;
			memcpy(k->ns, de->d_name, nsl);
			k->ns[nsl] = '\0';
			memcpy(k->name, us + 1, nl);
			k->name[nl] = '\0';
		}
		cnt++;
	}
	closedir(dir);
	if (cnt > 1)
		qsort(keys, (size_t)cnt, sizeof(*keys), store_key_cmp);
done:
	if (!keys) {
		keys = calloc(1, sizeof(*keys));
		if (!keys) {
			sj_err(err, errlen, "out of memory");
			return -1;
		}
	}
	*out = keys;
	*n = cnt;
	return 0;
}

/* Reads every file of a kind into a calloc'd array of `size`-byte objects
 * in key order, skipping (with a warning) files that do not parse. */
static int store_list(const char *statedir, enum store_kind kind, size_t size,
		      store_read_fn *rd, void (*fail)(void *), void **out, int *n, char *err,
		      size_t errlen)
{
	struct store_key *keys;
	char path[PATH_MAX], msg[512];
	int nkeys, cnt = 0;
	char *arr;

	*out = NULL;
	*n = 0;
	if (store_list_keys(statedir, kind, &keys, &nkeys, err, errlen) < 0)
		return -1;
	/* calloc: large, mostly-unused structs stay untouched zero pages. */
	arr = calloc(nkeys > 0 ? (size_t)nkeys : 1, size);
	if (!arr) {
		free(keys);
		sj_err(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < nkeys; i++) {
		void *slot = arr + (size_t)cnt * size;
		json_t *root;
		int rc;

		store_path(statedir, kind, keys[i].ns, keys[i].name, path, sizeof(path));
		root = store_load(path, &rc, msg, sizeof(msg));
		if (!root) {
			/* Deleted since the directory was read: not an error. */
			if (rc != -ENOENT)
				log_warn("%s, skipped", msg);
			continue;
		}
		if (rd(root, slot, msg, sizeof(msg)) == 0) {
			cnt++;
		} else {
			log_warn("%s: %s, skipped", path, msg);
			if (fail)
				fail(slot);
			memset(slot, 0, size);
		}
		json_decref(root);
	}
	free(keys);
	*out = arr;
	*n = cnt;
	return 0;
}

int store_list_pod_statuses(const char *statedir, struct model_pod_status **out, int *n,
			    char *err, size_t errlen)
{
	return store_list(statedir, STORE_POD_STATUS, sizeof(**out), pod_status_read_v,
			  NULL, (void **)out, n, err, errlen);
}

/* ---- writes ----------------------------------------------------------- */

/* Replaces path with the buffer's content; with only_if_changed, leaves an
 * identical file alone. 1 written, 0 unchanged, -errno. */
static int store_write(const char *path, struct buf *b, bool only_if_changed)
{
	int rc;

	if (b->oom)
		return -ENOMEM;
	buf_putc(b, '\n');
	if (only_if_changed) {
		char *old = NULL;
		size_t len;

		if (fs_read_all(path, &old, &len) == 0 && len == b->len &&
		    memcmp(old, b->data, len) == 0) {
			free(old);
			return 0;
		}
		free(old);
	}
	rc = fs_write_atomic(path, b->data, b->len, 0644);
	if (rc == -ENOENT) {
		/* The kind's directory is made on first use. */
		char dir[PATH_MAX];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			if (fs_mkdir_p(dir, 0755) == 0)
				rc = fs_write_atomic(path, b->data, b->len, 0644);
		}
	}
	return rc < 0 ? rc : 1;
}

/* Writes obj (released here; NULL after an allocation failed) as kubectl
 * prints it. */
static int store_put_json(const char *statedir, enum store_kind kind, const char *ns,
			  const char *name, json_t *obj, bool only_if_changed)
{
	char *text = obj ? json_dumps(obj, JSON_INDENT(2)) : NULL;
	struct buf b = BUF_INIT;
	char path[PATH_MAX];
	int rc;

	json_decref(obj);
	if (!text)
		return -ENOMEM;
	buf_puts(&b, text);
	free(text);
	store_path(statedir, kind, ns, name, path, sizeof(path));
	rc = store_write(path, &b, only_if_changed);
	buf_free(&b);
	return rc;
}

static int store_put_result(int rc)
{
	return rc < 0 ? rc : 0;
}

int store_put_pod_status(const char *statedir, const struct model_pod_status *s)
{
	return store_put_result(store_put_json(statedir, STORE_POD_STATUS, s->ns, s->name,
					       model_pod_status_to_value(s), false));
}
