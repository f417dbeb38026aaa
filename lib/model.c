/* model.c — see model.h. */
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define MODEL_MAP_CAP ((int)(sizeof(((struct model_map *)0)->items) / sizeof(struct model_kv)))

static const char *const model_proto_names[] = { "TCP", "UDP" };
static const char *const model_type_names[] = { "ClusterIP", "NodePort", "LoadBalancer" };
static const char *const model_policy_names[] = { "Cluster", "Local" };
static const char *const model_phase_names[] = { "Pending", "Running", "Succeeded", "Failed" };

#define MODEL_NAME_OF(table, v) \
	((unsigned)(v) < sizeof(table) / sizeof(table[0]) ? table[(unsigned)(v)] : "Unknown")

const char *model_proto_name(enum model_proto p)
{
	return MODEL_NAME_OF(model_proto_names, p);
}

const char *model_service_type_name(enum model_service_type t)
{
	return MODEL_NAME_OF(model_type_names, t);
}

const char *model_policy_name(enum model_traffic_policy p)
{
	return MODEL_NAME_OF(model_policy_names, p);
}

const char *model_phase_name(enum model_pod_phase p)
{
	return MODEL_NAME_OF(model_phase_names, p);
}

static int model_lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (s && strcmp(names[i], s) == 0)
			return i;
	return -1;
}

#define MODEL_PARSE(table, s, out, type) do { \
	int i_ = model_lookup(table, (int)(sizeof(table) / sizeof(table[0])), s); \
	if (i_ < 0) \
		return -EINVAL; \
	*(out) = (type)i_; \
	return 0; \
} while (0)

int model_proto_parse(const char *s, enum model_proto *out)
{
	MODEL_PARSE(model_proto_names, s, out, enum model_proto);
}

int model_service_type_parse(const char *s, enum model_service_type *out)
{
	MODEL_PARSE(model_type_names, s, out, enum model_service_type);
}

int model_policy_parse(const char *s, enum model_traffic_policy *out)
{
	MODEL_PARSE(model_policy_names, s, out, enum model_traffic_policy);
}

int model_phase_parse(const char *s, enum model_pod_phase *out)
{
	MODEL_PARSE(model_phase_names, s, out, enum model_pod_phase);
}

const char *model_map_get(const struct model_map *m, const char *key)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->items[i].key, key) == 0)
			return m->items[i].value;
	return NULL;
}

int model_map_set(struct model_map *m, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);
	int i;

	if (kl >= MODEL_KEY_MAX || vl >= MODEL_VALUE_MAX)
		return -ENAMETOOLONG;
	for (i = 0; i < m->n; i++)
		if (strcmp(m->items[i].key, key) == 0)
			break;
	if (i == m->n) {
		if (m->n >= MODEL_MAP_CAP)
			return -ENOSPC;
		memcpy(m->items[i].key, key, kl + 1);
		m->n++;
	}
	memcpy(m->items[i].value, value, vl + 1);
	return 0;
}

void model_map_del(struct model_map *m, const char *key)
{
	for (int i = 0; i < m->n; i++) {
		if (strcmp(m->items[i].key, key) != 0)
			continue;
		/* Keep the order: it is the order the user wrote them in. */
		memmove(&m->items[i], &m->items[i + 1],
			(size_t)(m->n - i - 1) * sizeof(m->items[0]));
		m->n--;
		memset(&m->items[m->n], 0, sizeof(m->items[0]));
		return;
	}
}

bool model_service_dsr(const struct model_service *svc)
{
	const char *mode = model_map_get(&svc->meta.annotations, MODEL_ANN_FORWARDING_MODE);

	return mode && strcmp(mode, "dsr") == 0 && svc->type == MODEL_SVC_LOAD_BALANCER &&
	       svc->external_policy == MODEL_POLICY_CLUSTER;
}

int model_parse_int(const char *s, int *out)
{
	char t[32], *end;
	size_t n;
	long v;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(t))
		return -EINVAL;
	memcpy(t, s, n);
	t[n] = '\0';
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

/* One integer probe setting: port_<port>_health-probe_<param>, else the
 * Service-wide key; *out untouched when neither is there. */
static int model_probe_int(const struct model_service *svc, int port, const char *param,
			   const char *global, int min, int *out, bool *set, char *err,
			   size_t errlen)
{
	char key[MODEL_KEY_MAX], hp[48];
	const char *v, *k = key;
	int n = 0;

	*set = false;
	snprintf(hp, sizeof(hp), "health-probe_%s", param);
	snprintf(key, sizeof(key), MODEL_ANN_PORT_FMT, port, hp);
	v = model_map_get(&svc->meta.annotations, key);
	if (!v) {
		v = model_map_get(&svc->meta.annotations, global);
		k = global;
	}
	if (!v)
		return 0;
	if (model_parse_int(v, &n) < 0) {
		snprintf(err, errlen, "failed to parse annotation %s: \"%s\" is not a whole number",
			 k, v);
		return -1;
	}
	if (n < min) {
		snprintf(err, errlen, "failed to parse annotation %s: the minimum value of %s is %d, "
			 "got %d", k, param, min, n);
		return -1;
	}
	*out = n;
	*set = true;
	return 0;
}

int model_probe_timing(const struct model_service *svc, int port, struct model_probe_timing *t,
		       char *err, size_t errlen)
{
	bool has_num;

	t->interval_s = MODEL_PROBE_DEFAULT_INTERVAL_S;
	t->num = MODEL_PROBE_DEFAULT_NUM;
	if (model_probe_int(svc, port, "num-of-probe", MODEL_ANN_PROBE_NUM, MODEL_PROBE_MIN_NUM,
			    &t->num, &has_num, err, errlen) < 0 ||
	    model_probe_int(svc, port, "interval", MODEL_ANN_PROBE_INTERVAL,
			    MODEL_PROBE_MIN_INTERVAL_S, &t->interval_s, &t->interval_set, err,
			    errlen) < 0)
		return -1;
	if ((long)t->interval_s * t->num >= MODEL_PROBE_MAX_TOTAL_S) {
		snprintf(err, errlen, "interval %d s x num-of-probe %d = %ld s: the total must be "
			 "less than %d s", t->interval_s, t->num, (long)t->interval_s * t->num,
			 MODEL_PROBE_MAX_TOTAL_S);
		return -1;
	}
	return 0;
}

bool model_selector_matches(const struct model_map *selector, const struct model_map *labels)
{
	if (selector->n == 0)
		return false;
	for (int i = 0; i < selector->n; i++) {
		const char *v = model_map_get(labels, selector->items[i].key);

		if (!v || strcmp(v, selector->items[i].value) != 0)
			return false;
	}
	return true;
}

int model_endpoints_port_slot(const struct model_endpoints *e,
			      const struct model_service_port *sp, int idx)
{
	if (e->n_ports <= 0)
		return idx < MODEL_MAX_PORTS ? idx : -1;
	for (int j = 0; j < e->n_ports && j < MODEL_MAX_PORTS; j++)
		if (strcmp(e->ports[j].name, sp->name) == 0 && e->ports[j].proto == sp->proto)
			return j;
	return -1;
}

void model_endpoints_free(struct model_endpoints *e)
{
	if (!e)
		return;
	free(e->items);
	e->items = NULL;
	e->n = 0;
}

void model_probe_init(struct model_probe *p, enum model_probe_kind kind)
{
	memset(p, 0, sizeof(*p));
	if (kind == MODEL_PROBE_NONE)
		return;
	p->kind = kind;
	if (kind == MODEL_PROBE_HTTP)
		strcpy(p->path, "/");
	p->period_s = 10;
	p->timeout_s = 1;
	p->success_threshold = 1;
	p->failure_threshold = 3;
}

void model_deployment_init(struct model_deployment *d)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->meta.ns, "default");
	d->replicas = 1;
	d->pod.termination_grace_s = 30;
	d->max_surge = (struct model_int_or_percent){ 25, true };
	d->max_unavailable = (struct model_int_or_percent){ 25, true };
}

void model_daemonset_init(struct model_deployment *d)
{
	model_deployment_init(d);
	d->daemon_set = true;
	d->replicas = 0;
	d->max_surge = (struct model_int_or_percent){ 0, false };
	d->max_unavailable = (struct model_int_or_percent){ 1, false };
}

void model_service_init(struct model_service *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->meta.ns, "default");
	s->affinity_timeout_s = 10800;
}

int model_time_format_frac(int64_t sec, long nsec, int frac_digits, char *out, size_t len)
{
	time_t t = (time_t)sec;
	long unit = 1;
	struct tm tm;
	size_t n;
	int w;

	if (len == 0)
		return -1;
	out[0] = '\0';
	if (frac_digits < 0 || frac_digits > 9 || nsec < 0 || nsec > 999999999 ||
	    (int64_t)t != sec || !gmtime_r(&t, &tm))
		return -1;
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0) {
		out[0] = '\0';
		return -1;
	}
	for (int i = frac_digits; i < 9; i++)
		unit *= 10;
	if (frac_digits > 0)
		w = snprintf(out + n, len - n, ".%0*ldZ", frac_digits, nsec / unit);
	else
		w = snprintf(out + n, len - n, "Z");
	if (w < 0 || (size_t)w >= len - n) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

int model_time_format(int64_t sec, char *out, size_t len)
{
	return model_time_format_frac(sec, 0, 0, out, len);
}

char *model_time_now(char out[MODEL_TIME_MAX])
{
	model_time_format(time(NULL), out, MODEL_TIME_MAX);
	return out;
}

int64_t model_time_parse(const char *s)
{
	struct tm tm = { 0 };
	int off_h = 0, off_m = 0, n = 0;
	int64_t t;
	const char *p;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -1;
	p = s + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = (int64_t)timegm(&tm);
	if (*p == 'Z' || *p == 'z')
		return p[1] ? -1 : t;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d%n", &off_h, &off_m, &n) == 2 &&
	    !p[1 + n])
		return t - (*p == '+' ? 1 : -1) * (int64_t)(off_h * 3600 + off_m * 60);
	return -1;
}

/* A whole number from lo to hi in $name, else def. */
static int model_env_int(const char *name, int lo, int hi, int def)
{
	const char *v = getenv(name);
	char *end;
	long x;

	if (!v || !*v)
		return def;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return def;
	return (int)x;
}

int model_node_grace_s(void)
{
	return model_env_int("CLIENTIP_NODE_GRACE_S", 1, 3600, MODEL_NODE_GRACE_S);
}

int model_node_max_pods(void)
{
	return model_env_int("CLIENTIP_MAX_PODS", 1, MODEL_NODE_POD_ADDRS, MODEL_NODE_MAX_PODS);
}

bool model_node_fresh(const struct model_node_status *n, int64_t now, int grace_s)
{
	int64_t beat = model_time_parse(n->heartbeat);

	return beat > 0 && now - beat < grace_s;
}

bool model_node_ready(const struct model_node_status *n, int64_t now, int grace_s)
{
	return n->posted_ready && model_node_fresh(n, now, grace_s);
}

void model_uid_new(char out[40])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* No entropy source at all: still unique enough per process. */
			for (; got < sizeof(b); got++)
				b[got] = (unsigned char)(rand() ^ (int)got);
			break;
		}
		got += (size_t)r;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
}
