/* model_read.c — Kubernetes-shaped JSON read into the model's objects
 * (model_*_from_value and model_*_from_json, declared in model_json.h): API
 * objects as the server, a watch or a file holds them.
 *
 * Each field goes through the lenient accessors (sj_*) that give the model
 * its defaults. One job, long because the pod and its template have many
 * parts.
 */
#include "model_json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiobj.h"
#include "log.h"

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
		log_errf(err, errlen, "not a JSON object");
		return -1;
	}
	if (sj_str(sj_get(root, "kind"), k, sizeof(k)) && strcmp(k, kind) != 0) {
		log_errf(err, errlen, "kind %s, expected %s", k, kind);
		return -1;
	}
	return 0;
}

/* The identity every object has; ns defaults to "default". */
static int sj_ident(const json_t *md, char *ns, char *name, char *err, size_t errlen)
{
	if (!sj_str(sj_get(md, "name"), name, MODEL_NAME_MAX) || !name[0]) {
		log_errf(err, errlen, "metadata.name missing");
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
		    strlen(key) >= MODEL_KEY_MAX ||
		    strncmp(key, "deployment.kubernetes.io/", 25) == 0)
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
	while (!s->spread_max_skew &&
	       (x = sj_seq_next(sj_get(n, "topologySpreadConstraints"), &it))) {
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
		log_errf(err, errlen, "out of memory");
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
#define MODEL_FROM(kind, type, reader, fail) \
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
		log_errf(err, errlen, "%s", msg_); \
	else \
		rc_ = model_##kind##_from_value(root_, out, err, errlen); \
	json_decref(root_); \
	return rc_; \
}

static void sj_keep_nothing(void *p)
{
	(void)p;
}

static void sj_endpoints_fail(void *e)
{
	model_endpoints_free(e);
}

MODEL_FROM(deployment, struct model_deployment, deployment_read, sj_keep_nothing)
MODEL_FROM(service, struct model_service, service_read, sj_keep_nothing)
MODEL_FROM(pod, struct model_pod, pod_read, sj_keep_nothing)
MODEL_FROM(pod_status, struct model_pod_status, pod_status_read, sj_keep_nothing)
MODEL_FROM(endpoints, struct model_endpoints, endpoints_read, sj_endpoints_fail)
MODEL_FROM(deployment_status, struct model_deployment_status, deployment_status_read,
	   sj_keep_nothing)
