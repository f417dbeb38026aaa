/* lb_conf.c — see lb_conf.h. */
#include "lb_conf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lab.h"

const char *lb_probe_proto_name(enum lb_probe_proto p)
{
	switch (p) {
	case LB_PROBE_TCP: return "TCP";
	case LB_PROBE_HTTP: return "HTTP";
	case LB_PROBE_NONE: break;
	}
	return "none";
}

bool lb_probe_conf_equal(const struct lb_probe_conf *a, const struct lb_probe_conf *b)
{
	return a->proto == b->proto && a->https_as_tcp == b->https_as_tcp &&
	       a->shared == b->shared && a->port == b->port && strcmp(a->path, b->path) == 0 &&
	       a->interval_s == b->interval_s && a->threshold == b->threshold &&
	       a->lab_interval == b->lab_interval;
}

void lb_conf_event(struct lb_conf *c, const char *reason, const char *fmt, ...)
{
	struct lb_event *e;
	va_list ap;

	if (c->n_events >= LB_MAX_EVENTS)
		return;
	e = &c->events[c->n_events++];
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

/* Leading and trailing blanks removed into out; false if it did not fit. */
static bool lb_trim(const char *s, char *out, size_t len)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= len)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* The path goes into the probe's request line as it is: no byte that would
 * end the line or the request target (spaces, CR, LF, other controls). */
static bool lb_path_clean(const char *path)
{
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if (*c <= 0x20 || *c == 0x7f)
			return false;
	}
	return true;
}

/* The Service is refused: why, into c->error. Always -1. */
__attribute__((format(printf, 2, 3)))
static int lb_conf_fail(struct lb_conf *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* The value of port_<port>_<param>, with its key in key. */
static const char *lb_ann_port(const struct model_service *s, int port, const char *param,
			       char *key, size_t len)
{
	snprintf(key, len, LB_ANN_PORT_FMT, port, param);
	return model_map_get(&s->meta.annotations, key);
}

/* port_<port>_<param> is "true" in any case (no blanks), as
 * cloud-provider-azure reads its switches. */
static bool lb_ann_port_true(const struct model_service *s, int port, const char *param)
{
	char key[MODEL_KEY_MAX];
	const char *v = lb_ann_port(s, port, param, key, sizeof(key));

	return v && strcasecmp(v, "true") == 0;
}

/* Interval and num-of-probe of a probe for port (a Service port, or the
 * health check node port under Local). */
static int lb_conf_timing(const struct model_service *s, const struct lb_conf_opts *o,
			  struct lb_conf *c, const char *what, int port, struct lb_probe_conf *p)
{
	struct model_probe_timing t;
	char why[sizeof(c->error)];

	if (model_probe_timing(s, port, &t, why, sizeof(why)) < 0)
		return lb_conf_fail(c, "%s: failed to parse health probe config for port %d: %s",
				    what, port, why);
	if (!t.interval_set && o->lab_interval_s > 0) {
		t.interval_s = o->lab_interval_s;
		p->lab_interval = true;
	}
	p->interval_s = t.interval_s;
	p->threshold = t.num;
	return 0;
}

/* The index of probe p among c's probes, added if it is new. */
static int lb_conf_add_probe(struct lb_conf *c, const struct lb_probe_conf *p)
{
	for (int i = 0; i < c->n_probes; i++)
		if (lb_probe_conf_equal(&c->probes[i], p))
			return i;
	if (c->n_probes >= LB_MAX_PROBES)
		return -1;
	c->probes[c->n_probes] = *p;
	return c->n_probes++;
}

/* port_<n>_health-probe_port: a port name of the Service (its NodePort), a
 * port number of the Service (its NodePort) or another number (as it is).
 * 0 with *port set (0 if the annotation is absent), or -1 with c->error. */
static int lb_conf_probe_port(const struct model_service *s, struct lb_conf *c,
			      const struct lb_rule_conf *r, int *port)
{
	char key[MODEL_KEY_MAX];
	const char *v = lb_ann_port(s, r->port, "health-probe_port", key, sizeof(key));
	int n;

	*port = 0;
	if (!v)
		return 0;
	if (model_parse_int(v, &n) < 0) {
		for (int i = 0; i < s->n_ports; i++)
			if (s->ports[i].name[0] && strcasecmp(s->ports[i].name, v) == 0)
				*port = s->ports[i].node_port;
		if (!*port)
			return lb_conf_fail(c, "rule %s: failed to parse annotation %s: port %s not "
					    "found in service", r->name, key, v);
		return 0;
	}
	/* Azure takes 1-65535; port 0 cannot be probed either. */
	if (n < 1 || n > 65535)
		return lb_conf_fail(c, "rule %s: failed to parse annotation %s: port %d is out of "
				    "range", r->name, key, n);
	*port = n;
	for (int i = 0; i < s->n_ports; i++)
		if (s->ports[i].port == n) {
			*port = s->ports[i].node_port;
			break;
		}
	if (!*port)
		return lb_conf_fail(c, "rule %s: annotation %s: port %d of the Service has no "
				    "NodePort", r->name, key, n);
	return 0;
}

/* The probe of one TCP port of its own (buildHealthProbeRulesForPort),
 * on probe_port. */
static int lb_conf_port_probe(const struct model_service *s, const struct lb_conf_opts *o,
			      struct lb_conf *c, const struct model_service_port *sp,
			      const struct lb_rule_conf *r, int probe_port, struct lb_probe_conf *p)
{
	const struct model_map *ann = &s->meta.annotations;
	char key[MODEL_KEY_MAX], t[16] = "";
	const char *proto, *path;

	memset(p, 0, sizeof(*p));
	p->port = probe_port;
	proto = lb_ann_port(s, r->port, "health-probe_protocol", key, sizeof(key));
	if (!proto && sp->app_protocol[0])
		proto = sp->app_protocol;
	if (!proto)
		proto = model_map_get(ann, LB_ANN_PROBE_PROTOCOL);
	if (!proto || !lb_trim(proto, t, sizeof(t)))
		t[0] = '\0';
	/* Unknown protocols (an appProtocol such as kubernetes.io/h2c) are Tcp,
	 * silently, as in cloud-provider-azure. */
	if (strcasecmp(t, "http") == 0) {
		p->proto = LB_PROBE_HTTP;
	} else if (strcasecmp(t, "https") == 0) {
		/* A TLS handshake needs a TLS library this project does not link;
		 * a TCP connect to the same port is the honest subset. */
		p->proto = LB_PROBE_TCP;
		p->https_as_tcp = true;
		lb_conf_event(c, "HTTPSProbeAsTCP",
			      "rule %s: https is probed with a TCP connect to port %d (no TLS "
			      "handshake in this lab)", r->name, probe_port);
	} else {
		p->proto = LB_PROBE_TCP;
	}
	if (p->proto == LB_PROBE_HTTP) {
		char pk[MODEL_KEY_MAX], v[MODEL_PATH_MAX] = "";
		const char *k = pk;

		path = lb_ann_port(s, r->port, "health-probe_request-path", pk, sizeof(pk));
		if (!path) {
			path = model_map_get(ann, LB_ANN_PROBE_PATH);
			k = LB_ANN_PROBE_PATH;
		}
		/* The path goes into the request line as it is: a lab guard, not
		 * Azure's rule. */
		if (path && lb_trim(path, v, sizeof(v)) && v[0] == '/' && lb_path_clean(v)) {
			snprintf(p->path, sizeof(p->path), "%s", v);
		} else {
			if (path)
				lb_conf_event(c, "InvalidHealthProbeRequestPath",
					      "%s: \"%s\" is not a path (it must start with \"/\" and "
					      "hold no spaces or control characters); using \"/\"",
					      k, path);
			snprintf(p->path, sizeof(p->path), "/");
		}
	}
	{
		char what[LB_RULE_NAME_MAX + 8];

		snprintf(what, sizeof(what), "rule %s", r->name);
		return lb_conf_timing(s, o, c, what, r->port, p);
	}
}

/* The TCP idle timeout and reset switches, as cloud-provider-azure reads
 * them: a whole number of minutes from 4 to 100, anything else refuses the
 * Service. */
static int lb_conf_idle(const struct model_service *s, const struct lb_conf_opts *o,
			struct lb_conf *c)
{
	const char *v = model_map_get(&s->meta.annotations, LB_ANN_IDLE_TIMEOUT);
	const char *r = model_map_get(&s->meta.annotations, LB_ANN_NO_TCP_RESET);
	char t[16];
	int n = LB_DEFAULT_IDLE_MIN;

	if (v && (model_parse_int(v, &n) < 0 || n < LB_MIN_IDLE_MIN || n > LB_MAX_IDLE_MIN))
		return lb_conf_fail(c, "failed to parse annotation %s: \"%s\": the TCP idle timeout "
				    "is a whole number of minutes from %d to %d", LB_ANN_IDLE_TIMEOUT,
				    v, LB_MIN_IDLE_MIN, LB_MAX_IDLE_MIN);
	c->idle_timeout_min = n;
	c->idle_timeout_s = o->idle_in_seconds ? n : n * 60;
	c->tcp_reset = true;
	if (r) {
		if (lb_trim(r, t, sizeof(t)) && strcasecmp(t, "true") == 0)
			c->tcp_reset = false;
		else if (!lb_trim(r, t, sizeof(t)) || strcasecmp(t, "false") != 0)
			lb_conf_event(c, "InvalidTCPResetAnnotation",
				      "%s: \"%s\" is neither \"true\" nor \"false\"; TCP reset stays on",
				      LB_ANN_NO_TCP_RESET, r);
	}
	return 0;
}

int lb_conf_from_service(const struct model_service *s, const struct lb_conf_opts *o,
			 struct lb_conf *c)
{
	const char *fip = model_map_get(&s->meta.annotations, LB_ANN_NO_FLOATING_IP);
	bool local = s->external_policy == MODEL_POLICY_LOCAL && s->health_check_node_port > 0;
	bool shared = !local && o->mode == LB_PROBE_MODE_SHARED;
	struct lb_probe_conf node_probe = { 0 };   /* Local's or the shared one */
	char t[16];

	memset(c, 0, sizeof(*c));
	c->floating_ip = true;
	c->mode = o->mode;
	if (fip) {
		if (lb_trim(fip, t, sizeof(t)) && strcasecmp(t, "true") == 0)
			c->floating_ip = false;
		else if (!lb_trim(fip, t, sizeof(t)) || strcasecmp(t, "false") != 0)
			lb_conf_event(c, "InvalidFloatingIPAnnotation",
				      "%s: \"%s\" is neither \"true\" nor \"false\"; floating IP stays on",
				      LB_ANN_NO_FLOATING_IP, fip);
	}
	c->source_ip_affinity = s->affinity_client_ip;
	if (lb_conf_idle(s, o, c) < 0)
		return -1;
	if (local) {
		/* kube-proxy's health check node port answers 200 only on nodes
		 * with a ready local endpoint: that is what turns 100 % into 50 %. */
		char what[LB_RULE_NAME_MAX + 8];

		snprintf(what, sizeof(what), "rule %s_%s-TCP-%d", s->meta.ns, s->meta.name,
			 s->health_check_node_port);
		node_probe.proto = LB_PROBE_HTTP;
		node_probe.port = s->health_check_node_port;
		snprintf(node_probe.path, sizeof(node_probe.path), "%s", LB_LOCAL_PROBE_PATH);
		if (lb_conf_timing(s, o, c, what, s->health_check_node_port, &node_probe) < 0)
			return -1;
	} else if (shared) {
		/* One probe of the node itself for every Cluster Service, with
		 * Azure's defaults: the Service's annotations do not apply. */
		node_probe.proto = LB_PROBE_HTTP;
		node_probe.shared = true;
		node_probe.port = LAB_PROXY_HEALTH_PORT;
		snprintf(node_probe.path, sizeof(node_probe.path), "%s", LB_SHARED_PROBE_PATH);
		node_probe.interval_s = LB_DEFAULT_INTERVAL_S;
		node_probe.threshold = LB_DEFAULT_THRESHOLD;
		if (o->lab_interval_s > 0) {
			node_probe.interval_s = o->lab_interval_s;
			node_probe.lab_interval = true;
		}
	}
	for (int i = 0; i < s->n_ports; i++) {
		const struct model_service_port *sp = &s->ports[i];
		struct lb_rule_conf *r = &c->rules[c->n_rules];
		struct lb_probe_conf p;
		int probe_port = 0;

		if (lb_ann_port_true(s, sp->port, "no_lb_rule"))
			continue;
		snprintf(r->name, sizeof(r->name), "%s_%s-%s-%d", s->meta.ns, s->meta.name,
			 model_proto_name(sp->proto), sp->port);
		r->proto = sp->proto;
		r->port = sp->port;
		r->node_port = sp->node_port;
		r->probe = -1;
		c->n_rules++;
		if (lb_ann_port_true(s, sp->port, "no_probe_rule")) {
			r->no_probe_rule = true;
			continue;
		}
		if (!shared && sp->proto == MODEL_PROTO_TCP) {
			if (lb_conf_probe_port(s, c, r, &probe_port) < 0)
				return -1;
			/* Under Local only a port with a probe port of its own
			 * leaves the health check node port's probe. */
			if (!probe_port && !local)
				probe_port = sp->node_port;
		}
		if (probe_port) {
			if (lb_conf_port_probe(s, o, c, sp, r, probe_port, &p) < 0)
				return -1;
			r->probe = lb_conf_add_probe(c, &p);
		} else if (local || shared) {
			r->probe = lb_conf_add_probe(c, &node_probe);
		}
		/* else a UDP rule under Cluster: Azure adds no probe, every
		 * backend counts up. */
	}
	return 0;
}
