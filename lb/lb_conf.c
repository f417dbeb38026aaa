/* lb_conf.c — see lb_conf.h. */
#include "lb_conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *lb_probe_proto_name(enum lb_probe_proto p)
{
	switch (p) {
	case LB_PROBE_TCP: return "TCP";
	case LB_PROBE_HTTP: return "HTTP";
	case LB_PROBE_NONE: break;
	}
	return "none";
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

int lb_parse_int(const char *s, int *out)
{
	char t[32], *end;
	long v;

	if (!lb_trim(s, t, sizeof(t)) || t[0] == '\0')
		return -EINVAL;
	/* strtol would accept "0x10" with base 0 and " 5" twice trimmed; base 10
	 * and a full-string check keep it to what Atoi accepts. */
	errno = 0;
	v = strtol(t, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
		return -ERANGE;
	*out = (int)v;
	return 0;
}

/* Reads an integer annotation; *set tells whether a valid value was found.
 * Invalid or below min -> event, *set false. */
static int lb_int_annotation(const struct model_service *s, struct lb_conf *c,
			     const char *key, int min, const char *reason, bool *set)
{
	const char *v = model_map_get(&s->meta.annotations, key);
	int n = 0;

	*set = false;
	if (!v)
		return 0;
	if (lb_parse_int(v, &n) < 0) {
		lb_conf_event(c, reason, "%s: \"%s\" is not an integer; using the default", key, v);
		return 0;
	}
	if (n < min) {
		lb_conf_event(c, reason, "%s: the minimum value is %d, got %d; using the default",
			      key, min, n);
		return 0;
	}
	*set = true;
	return n;
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

static void lb_conf_probe(const struct model_service *s, struct lb_conf *c)
{
	const struct model_map *ann = &s->meta.annotations;
	const char *proto = model_map_get(ann, LB_ANN_PROBE_PROTOCOL);
	const char *path = model_map_get(ann, LB_ANN_PROBE_PATH);
	char p[16] = "";

	if (s->external_policy == MODEL_POLICY_LOCAL && s->health_check_node_port > 0) {
		/* kube-proxy's health check node port answers 200 only on nodes
		 * with a ready local endpoint: that is what turns 100 % into 50 %. */
		c->probe = LB_PROBE_HTTP;
		c->probe_port = s->health_check_node_port;
		snprintf(c->probe_path, sizeof(c->probe_path), "%s", LB_LOCAL_PROBE_PATH);
		return;
	}
	/* Probe the first TCP port; a Service with only UDP ports gets no
	 * probe, as Azure adds none for a UDP rule (every backend counts up). */
	for (int i = 0; i < s->n_ports && !c->probe_port; i++) {
		if (s->ports[i].proto == MODEL_PROTO_TCP)
			c->probe_port = s->ports[i].node_port;
	}
	if (!c->probe_port) {
		c->probe = LB_PROBE_NONE;
		return;
	}
	if (proto && !lb_trim(proto, p, sizeof(p)))
		p[0] = '\0';
	if (!proto || strcasecmp(p, "tcp") == 0) {
		c->probe = LB_PROBE_TCP;
	} else if (strcasecmp(p, "http") == 0) {
		c->probe = LB_PROBE_HTTP;
	} else if (strcasecmp(p, "https") == 0) {
		/* A TLS handshake needs a TLS library this project does not link;
		 * a TCP connect to the same port is the honest subset. */
		c->probe = LB_PROBE_TCP;
		c->https_as_tcp = true;
		lb_conf_event(c, "HTTPSProbeAsTCP",
			      "%s: https is probed with a TCP connect to port %d (no TLS "
			      "handshake in this lab)", LB_ANN_PROBE_PROTOCOL, c->probe_port);
	} else {
		/* cloud-provider-azure falls back to TCP for unknown protocols. */
		c->probe = LB_PROBE_TCP;
		lb_conf_event(c, "InvalidHealthProbeProtocol",
			      "%s: \"%s\" is not one of Tcp, Http, Https; using Tcp",
			      LB_ANN_PROBE_PROTOCOL, proto);
	}
	if (c->probe == LB_PROBE_HTTP || c->https_as_tcp) {
		char t[MODEL_PATH_MAX] = "";

		if (path && lb_trim(path, t, sizeof(t)) && t[0] == '/' && lb_path_clean(t))
			snprintf(c->probe_path, sizeof(c->probe_path), "%s", t);
		else {
			if (path)
				lb_conf_event(c, "InvalidHealthProbeRequestPath",
					      "%s: \"%s\" is not a path (it must start with \"/\" and "
					      "hold no spaces or control characters); using \"/\"",
					      LB_ANN_PROBE_PATH, path);
			snprintf(c->probe_path, sizeof(c->probe_path), "/");
		}
	}
	if (c->https_as_tcp)
		c->probe_path[0] = '\0';
}

static void lb_conf_timing(const struct model_service *s, int lab_interval_s, struct lb_conf *c)
{
	bool has_interval, has_num;
	int interval = lb_int_annotation(s, c, LB_ANN_PROBE_INTERVAL, LB_MIN_INTERVAL_S,
					 "InvalidHealthProbeInterval", &has_interval);
	int num = lb_int_annotation(s, c, LB_ANN_PROBE_NUM, LB_MIN_THRESHOLD,
				    "InvalidHealthProbeNumOfProbe", &has_num);

	if (!has_interval)
		interval = LB_DEFAULT_INTERVAL_S;
	if (!has_num)
		num = LB_DEFAULT_THRESHOLD;
	if ((has_interval || has_num) && (long)interval * num >= LB_MAX_PROBE_TOTAL_S) {
		lb_conf_event(c, "InvalidHealthProbeConfig",
			      "interval %d s x num-of-probe %d = %ld s: the total must be less than "
			      "%d s; using interval %d s and num-of-probe %d",
			      interval, num, (long)interval * num, LB_MAX_PROBE_TOTAL_S,
			      LB_DEFAULT_INTERVAL_S, LB_DEFAULT_THRESHOLD);
		has_interval = false;
		interval = LB_DEFAULT_INTERVAL_S;
		num = LB_DEFAULT_THRESHOLD;
	}
	if (!has_interval && lab_interval_s > 0) {
		interval = lab_interval_s;
		c->lab_interval = true;
	}
	c->interval_s = interval;
	c->threshold = num;
}

void lb_conf_from_service(const struct model_service *s, int lab_interval_s, struct lb_conf *c)
{
	const char *fip = model_map_get(&s->meta.annotations, LB_ANN_NO_FLOATING_IP);
	char t[16];

	memset(c, 0, sizeof(*c));
	c->floating_ip = true;
	if (fip) {
		if (lb_trim(fip, t, sizeof(t)) && strcasecmp(t, "true") == 0)
			c->floating_ip = false;
		else if (!lb_trim(fip, t, sizeof(t)) || strcasecmp(t, "false") != 0)
			lb_conf_event(c, "InvalidFloatingIPAnnotation",
				      "%s: \"%s\" is neither \"true\" nor \"false\"; floating IP stays on",
				      LB_ANN_NO_FLOATING_IP, fip);
	}
	c->source_ip_affinity = s->affinity_client_ip;
	lb_conf_probe(s, c);
	lb_conf_timing(s, lab_interval_s, c);
}
