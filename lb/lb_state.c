/* lb_state.c — see lb_state.h. */
#include "lb_state.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "jsonw.h"
#include "apiobj.h"
#include "lb_json.h"

char *lb_state_path(const char *statedir, const char *ns, const char *name,
		    char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s_%s.json", statedir, LB_STATE_DIR, ns, name);
	return buf;
}

void lb_time_format(int64_t unix_ms, char *out, size_t len)
{
	if (unix_ms <= 0) {
		if (len)
			out[0] = '\0';
		return;
	}
	model_time_format(unix_ms / 1000, out, len);
}

/* Two decimals are plenty for percentages and keep the file small. */
static void lb_write_num(struct jsonw *w, double v)
{
	if (isnan(v))
		jsonw_null(w);
	else
		jsonw_double(w, round(v * 100) / 100);
}

static void lb_write_fcol(struct jsonw *w, const char *key, const float *v, int len)
{
	jsonw_key(w, key);
	jsonw_begin_array(w);
	for (int i = 0; i < len; i++)
		lb_write_num(w, v[i]);
	jsonw_end_array(w);
}

static void lb_write_dcol(struct jsonw *w, const char *key, const double *v, int len)
{
	jsonw_key(w, key);
	jsonw_begin_array(w);
	for (int i = 0; i < len; i++)
		lb_write_num(w, v[i]);
	jsonw_end_array(w);
}

static void lb_write_columns(struct jsonw *w, const struct lb_view *v, const char *key,
			     const struct lb_columns *c)
{
	if (!c->pool)
		return;
	jsonw_key(w, key);
	jsonw_begin_object(w);
	jsonw_kv_int(w, "start", c->start);
	jsonw_kv_int(w, "step", c->step);
	jsonw_kv_int(w, "len", c->len);
	lb_write_fcol(w, "pool", c->pool, c->len);
	lb_write_fcol(w, "dataPath", c->dpa, c->len);
	jsonw_key(w, "backends");
	jsonw_begin_array(w);
	for (int b = 0; b < c->n; b++) {
		size_t o = (size_t)b * (size_t)c->len;

		jsonw_begin_object(w);
		jsonw_kv_str(w, "address", b < v->n_backends ? v->backends[b].address : "");
		lb_write_fcol(w, "health", c->health + o, c->len);
		lb_write_dcol(w, "flows", c->flows + o, c->len);
		lb_write_dcol(w, "packets", c->packets + o, c->len);
		lb_write_dcol(w, "bytes", c->bytes + o, c->len);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_end_object(w);
}

int lb_view_rules_alloc(struct lb_view *v, int n)
{
	free(v->rules);
	v->n_rules = 0;
	v->rules = calloc((size_t)(n > 0 ? n : 1), sizeof(*v->rules));
	if (!v->rules)
		return -ENOMEM;
	v->n_rules = n;
	for (int i = 0; i < n; i++)
		v->rules[i].health_percent = NAN;
	return 0;
}

static void lb_write_probe(struct jsonw *w, const struct lb_view_probe *p, int lab_interval_s)
{
	jsonw_begin_object(w);
	jsonw_kv_str(w, "protocol", p->proto);
	jsonw_kv_int(w, "port", p->port);
	jsonw_kv_str(w, "path", p->path);
	jsonw_kv_int(w, "intervalSeconds", p->interval_s);
	jsonw_kv_int(w, "numberOfProbes", p->threshold);
	jsonw_kv_int(w, "timeoutMs", p->timeout_ms);
	jsonw_kv_int(w, "labIntervalSeconds", lab_interval_s);
	jsonw_kv_bool(w, "labIntervalApplies", p->lab_interval_applies);
	jsonw_kv_bool(w, "httpsAsTcp", p->https_as_tcp);
	jsonw_kv_bool(w, "shared", p->shared);
	jsonw_end_object(w);
}

static void lb_write_backends(struct jsonw *w, const struct lb_view_backend *bs, int n,
			      bool counters)
{
	jsonw_key(w, "backends");
	jsonw_begin_array(w);
	for (int i = 0; i < n; i++) {
		const struct lb_view_backend *b = &bs[i];

		jsonw_begin_object(w);
		jsonw_kv_str(w, "node", b->node);
		jsonw_kv_str(w, "address", b->address);
		jsonw_kv_str(w, "state", b->state);
		jsonw_kv_str(w, "lastResult", b->last_result);
		jsonw_kv_bool(w, "lastOk", b->last_ok);
		jsonw_kv_int(w, "consecutive", b->consecutive);
		jsonw_kv_str(w, "lastChange", b->last_change);
		jsonw_kv_str(w, "lastProbe", b->last_probe);
		jsonw_kv_int(w, "latencyMs", b->latency_ms);
		jsonw_kv_int(w, "successes", (int64_t)b->successes);
		jsonw_kv_int(w, "failures", (int64_t)b->failures);
		if (counters) {
			jsonw_kv_int(w, "flows", (int64_t)b->flows);
			jsonw_kv_int(w, "packets", (int64_t)b->packets);
			jsonw_kv_int(w, "bytes", (int64_t)b->bytes);
		}
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
}

void lb_view_write(const struct lb_view *v, struct buf *out)
{
	struct jsonw w;

	jsonw_init(&w, out, false);
	jsonw_begin_object(&w);
	jsonw_key(&w, "service");
	jsonw_begin_object(&w);
	jsonw_kv_str(&w, "namespace", v->ns);
	jsonw_kv_str(&w, "name", v->name);
	jsonw_end_object(&w);
	if (v->frontend[0])
		jsonw_kv_str(&w, "frontend", v->frontend);
	else {
		jsonw_key(&w, "frontend");
		jsonw_null(&w);
	}
	jsonw_kv_str(&w, "updated", v->updated);
	jsonw_kv_int(&w, "updatedUnix", v->updated_unix);
	jsonw_kv_bool(&w, "floatingIP", v->floating_ip);
	jsonw_kv_str(&w, "distribution", v->source_ip ? "SourceIP" : "Default");
	jsonw_key(&w, "ports");
	jsonw_begin_array(&w);
	for (int i = 0; i < v->n_ports; i++) {
		jsonw_begin_object(&w);
		jsonw_kv_str(&w, "protocol", model_proto_name(v->ports[i].proto));
		jsonw_kv_int(&w, "port", v->ports[i].port);
		jsonw_kv_int(&w, "nodePort", v->ports[i].node_port);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	jsonw_kv_str(&w, "probeMode", v->probe_mode);
	jsonw_kv_str(&w, "syncError", v->sync_error);
	jsonw_key(&w, "probe");
	{
		struct lb_view_probe p = { .port = v->probe_port, .interval_s = v->interval_s,
					   .threshold = v->threshold, .timeout_ms = v->timeout_ms,
					   .lab_interval_applies = v->lab_interval_applies,
					   .https_as_tcp = v->https_as_tcp, .shared = v->probe_shared };

		snprintf(p.proto, sizeof(p.proto), "%s", v->probe_proto);
		snprintf(p.path, sizeof(p.path), "%s", v->probe_path);
		lb_write_probe(&w, &p, v->lab_interval_s);
	}
	jsonw_key(&w, "healthProbeStatus");
	lb_write_num(&w, v->health_percent);
	jsonw_kv_int(&w, "backendsUp", v->backends_up);
	lb_write_backends(&w, v->backends, v->n_backends, true);
	jsonw_key(&w, "rules");
	jsonw_begin_array(&w);
	for (int i = 0; i < v->n_rules; i++) {
		const struct lb_view_rule *r = &v->rules[i];

		jsonw_begin_object(&w);
		jsonw_kv_str(&w, "name", r->name);
		jsonw_kv_str(&w, "protocol", model_proto_name(r->proto));
		jsonw_kv_int(&w, "port", r->port);
		jsonw_kv_int(&w, "nodePort", r->node_port);
		jsonw_kv_bool(&w, "noProbeRule", r->no_probe_rule);
		jsonw_key(&w, "probe");
		if (strcmp(r->probe.proto, "none") == 0 || !r->probe.proto[0])
			jsonw_null(&w);
		else
			lb_write_probe(&w, &r->probe, v->lab_interval_s);
		jsonw_key(&w, "healthProbeStatus");
		lb_write_num(&w, r->health_percent);
		jsonw_kv_int(&w, "backendsUp", r->backends_up);
		lb_write_backends(&w, r->backends, r->n_backends, false);
		jsonw_key(&w, "dataPath");
		jsonw_begin_object(&w);
		jsonw_key(&w, "available");
		if (r->dpa_known)
			jsonw_bool(&w, r->dpa_ok);
		else
			jsonw_null(&w);
		jsonw_kv_str(&w, "lastResult", r->dpa_result);
		jsonw_end_object(&w);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	jsonw_key(&w, "dataPath");
	jsonw_begin_object(&w);
	if (v->dpa_known)
		jsonw_kv_bool(&w, "available", v->dpa_ok);
	else {
		jsonw_key(&w, "available");
		jsonw_null(&w);
	}
	jsonw_key(&w, "percent");
	lb_write_num(&w, v->dpa_percent);
	jsonw_kv_str(&w, "lastResult", v->dpa_result);
	jsonw_kv_str(&w, "lastProbe", v->dpa_last);
	jsonw_end_object(&w);
	jsonw_key(&w, "events");
	jsonw_begin_array(&w);
	for (int i = 0; i < v->n_events; i++) {
		jsonw_begin_object(&w);
		jsonw_kv_str(&w, "type", "Warning");
		jsonw_kv_str(&w, "reason", v->events[i].reason);
		jsonw_kv_str(&w, "message", v->events[i].message);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	jsonw_key(&w, "series");
	jsonw_begin_object(&w);
	lb_write_columns(&w, v, "1s", &v->sec);
	lb_write_columns(&w, v, "1m", &v->min);
	jsonw_end_object(&w);
	jsonw_end_object(&w);
	buf_putc(out, '\n');
}

/* Reads a numeric array of exactly len values into out (float or double). */
static void lb_read_col(const json_t *obj, const char *key, int len, float *f, double *d)
{
	const json_t *arr = lb_json_get(obj, key), *item;
	size_t k;
	int i = 0;

	json_array_foreach(arr, k, item) {
		double v = lb_json_number(item);

		if (i == len)
			break;

		if (f)
			f[i] = (float)v;
		else
			d[i] = v;
		i++;
	}
}

static int lb_read_columns(const json_t *series, const char *key, int n_backends,
			   struct lb_columns *c)
{
	const json_t *o = lb_json_get(series, key), *backends, *item;
	int64_t start, len, step;
	size_t k;
	int b = 0;

	if (!o)
		return 0;
	start = lb_json_int(o, "start", 0);
	step = lb_json_int(o, "step", 1);
	len = lb_json_int(o, "len", 0);
	/* Only what the daemon writes is accepted: 1 s or 1 min columns,
	 * at most a day of points, times within ±2^40 s (no overflow later
	 * in start + k * step). */
	if (len < 0 || len > 86400 || (step != 1 && step != 60) ||
	    start < -(INT64_C(1) << 40) || start > (INT64_C(1) << 40))
		return -EINVAL;
	if (lb_columns_alloc(c, start, (int)step, (int)len, n_backends) < 0)
		return -ENOMEM;
	lb_read_col(o, "pool", c->len, c->pool, NULL);
	lb_read_col(o, "dataPath", c->len, c->dpa, NULL);
	backends = lb_json_get(o, "backends");
	json_array_foreach(backends, k, item) {
		size_t off = (size_t)b * (size_t)c->len;

		if (b == n_backends)
			break;
		lb_read_col(item, "health", c->len, c->health + off, NULL);
		lb_read_col(item, "flows", c->len, NULL, c->flows + off);
		lb_read_col(item, "packets", c->len, NULL, c->packets + off);
		lb_read_col(item, "bytes", c->len, NULL, c->bytes + off);
		b++;
	}
	return 0;
}

static void lb_read_probe(const json_t *probe, struct lb_view_probe *p)
{
	lb_json_str(probe, "protocol", p->proto, sizeof(p->proto));
	p->port = (int)lb_json_int(probe, "port", 0);
	lb_json_str(probe, "path", p->path, sizeof(p->path));
	p->interval_s = (int)lb_json_int(probe, "intervalSeconds", 0);
	p->threshold = (int)lb_json_int(probe, "numberOfProbes", 0);
	p->timeout_ms = (int)lb_json_int(probe, "timeoutMs", 0);
	p->lab_interval_applies = lb_json_bool(probe, "labIntervalApplies", false);
	p->https_as_tcp = lb_json_bool(probe, "httpsAsTcp", false);
	p->shared = lb_json_bool(probe, "shared", false);
}

static int lb_read_backends(const json_t *arr, struct lb_view_backend *bs)
{
	const json_t *item;
	size_t k;
	int n = 0;

	json_array_foreach(arr, k, item) {
		struct lb_view_backend *b;

		if (n == LB_MAX_BACKENDS)
			break;
		b = &bs[n++];
		lb_json_str(item, "node", b->node, sizeof(b->node));
		lb_json_str(item, "address", b->address, sizeof(b->address));
		lb_json_str(item, "state", b->state, sizeof(b->state));
		lb_json_str(item, "lastResult", b->last_result, sizeof(b->last_result));
		b->last_ok = lb_json_bool(item, "lastOk", false);
		b->consecutive = (int)lb_json_int(item, "consecutive", 0);
		lb_json_str(item, "lastChange", b->last_change, sizeof(b->last_change));
		lb_json_str(item, "lastProbe", b->last_probe, sizeof(b->last_probe));
		b->latency_ms = (int)lb_json_int(item, "latencyMs", 0);
		b->successes = lb_json_u64(item, "successes", 0);
		b->failures = lb_json_u64(item, "failures", 0);
		b->flows = lb_json_u64(item, "flows", 0);
		b->packets = lb_json_u64(item, "packets", 0);
		b->bytes = lb_json_u64(item, "bytes", 0);
	}
	return n;
}

/* true if key holds true or false (not null, not absent). */
static bool lb_json_known_bool(const json_t *map, const char *key)
{
	return json_is_boolean(lb_json_get(map, key));
}

static int lb_read_rules(const json_t *arr, struct lb_view *v)
{
	const json_t *item, *dp;
	size_t k;
	int n = 0;

	if (!json_is_array(arr))
		return lb_view_rules_alloc(v, 0);
	if (lb_view_rules_alloc(v, json_array_size(arr) < MODEL_MAX_PORTS
					   ? (int)json_array_size(arr) : MODEL_MAX_PORTS) < 0)
		return -ENOMEM;
	json_array_foreach(arr, k, item) {
		struct lb_view_rule *r;
		const json_t *probe = lb_json_get(item, "probe");
		char proto[8] = "";

		if (n == v->n_rules)
			break;
		r = &v->rules[n++];
		lb_json_str(item, "name", r->name, sizeof(r->name));
		lb_json_str(item, "protocol", proto, sizeof(proto));
		r->proto = strcmp(proto, "UDP") == 0 ? MODEL_PROTO_UDP : MODEL_PROTO_TCP;
		r->port = (int)lb_json_int(item, "port", 0);
		r->node_port = (int)lb_json_int(item, "nodePort", 0);
		r->no_probe_rule = lb_json_bool(item, "noProbeRule", false);
		if (json_is_object(probe))
			lb_read_probe(probe, &r->probe);
		else
			snprintf(r->probe.proto, sizeof(r->probe.proto), "none");
		r->health_percent = lb_json_double(item, "healthProbeStatus", NAN);
		r->backends_up = (int)lb_json_int(item, "backendsUp", 0);
		r->n_backends = lb_read_backends(lb_json_get(item, "backends"), r->backends);
		dp = lb_json_get(item, "dataPath");
		if (dp) {
			r->dpa_known = lb_json_known_bool(dp, "available");
			r->dpa_ok = lb_json_bool(dp, "available", false);
			lb_json_str(dp, "lastResult", r->dpa_result, sizeof(r->dpa_result));
		}
	}
	return 0;
}

int lb_view_parse(const char *text, size_t len, struct lb_view *v, char *err, size_t errlen)
{
	const json_t *svc, *probe, *arr, *item, *dp, *series;
	json_t *root;
	char proto[8];
	size_t k;
	int rc = -1;

	memset(v, 0, sizeof(*v));
	v->health_percent = NAN;
	root = apiobj_parse(text, len, err, errlen);
	if (!root)
		return -1;
	svc = lb_json_get(root, "service");
	if (!svc || !lb_json_str(svc, "namespace", v->ns, sizeof(v->ns)) ||
	    !lb_json_str(svc, "name", v->name, sizeof(v->name))) {
		snprintf(err, errlen, "no \"service\" with namespace and name");
		goto out;
	}
	lb_json_str(root, "frontend", v->frontend, sizeof(v->frontend));
	if (strcmp(v->frontend, "null") == 0)
		v->frontend[0] = '\0';
	lb_json_str(root, "updated", v->updated, sizeof(v->updated));
	v->updated_unix = lb_json_int(root, "updatedUnix", 0);
	v->floating_ip = lb_json_bool(root, "floatingIP", true);
	{
		char dist[16] = "";

		lb_json_str(root, "distribution", dist, sizeof(dist));
		v->source_ip = strcmp(dist, "SourceIP") == 0;
	}
	arr = lb_json_get(root, "ports");
	json_array_foreach(arr, k, item) {
		struct lb_view_port *p;

		if (v->n_ports == MODEL_MAX_PORTS)
			break;
		p = &v->ports[v->n_ports++];
		proto[0] = '\0';
		lb_json_str(item, "protocol", proto, sizeof(proto));
		p->proto = strcmp(proto, "UDP") == 0 ? MODEL_PROTO_UDP : MODEL_PROTO_TCP;
		p->port = (int)lb_json_int(item, "port", 0);
		p->node_port = (int)lb_json_int(item, "nodePort", 0);
	}
	lb_json_str(root, "probeMode", v->probe_mode, sizeof(v->probe_mode));
	lb_json_str(root, "syncError", v->sync_error, sizeof(v->sync_error));
	probe = lb_json_get(root, "probe");
	{
		struct lb_view_probe p = { 0 };

		lb_read_probe(probe, &p);
		snprintf(v->probe_proto, sizeof(v->probe_proto), "%s", p.proto);
		v->probe_port = p.port;
		snprintf(v->probe_path, sizeof(v->probe_path), "%s", p.path);
		v->interval_s = p.interval_s;
		v->threshold = p.threshold;
		v->timeout_ms = p.timeout_ms;
		v->lab_interval_applies = p.lab_interval_applies;
		v->https_as_tcp = p.https_as_tcp;
		v->probe_shared = p.shared;
	}
	v->lab_interval_s = (int)lb_json_int(probe, "labIntervalSeconds", 0);
	v->health_percent = lb_json_double(root, "healthProbeStatus", NAN);
	v->backends_up = (int)lb_json_int(root, "backendsUp", 0);
	v->n_backends = lb_read_backends(lb_json_get(root, "backends"), v->backends);
	if (lb_read_rules(lb_json_get(root, "rules"), v) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	dp = lb_json_get(root, "dataPath");
	v->dpa_percent = NAN;
	if (dp) {
		v->dpa_known = lb_json_known_bool(dp, "available");
		v->dpa_ok = lb_json_bool(dp, "available", false);
		v->dpa_percent = lb_json_double(dp, "percent", v->dpa_known ? (v->dpa_ok ? 100 : 0)
										  : NAN);
		lb_json_str(dp, "lastResult", v->dpa_result, sizeof(v->dpa_result));
		lb_json_str(dp, "lastProbe", v->dpa_last, sizeof(v->dpa_last));
	}
	arr = lb_json_get(root, "events");
	json_array_foreach(arr, k, item) {
		struct lb_event *e;

		if (v->n_events == LB_MAX_EVENTS)
			break;
		e = &v->events[v->n_events++];
		lb_json_str(item, "reason", e->reason, sizeof(e->reason));
		lb_json_str(item, "message", e->message, sizeof(e->message));
	}
	series = lb_json_get(root, "series");
	if (lb_read_columns(series, "1s", v->n_backends, &v->sec) < 0 ||
	    lb_read_columns(series, "1m", v->n_backends, &v->min) < 0) {
		snprintf(err, errlen, "malformed series");
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int lb_view_load(const char *path, struct lb_view *v, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc = fs_read_all(path, &text, &len);

	memset(v, 0, sizeof(*v));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = lb_view_parse(text, len, v, err, errlen);
	free(text);
	return rc;
}

void lb_view_free(struct lb_view *v)
{
	free(v->rules);
	v->rules = NULL;
	v->n_rules = 0;
	lb_columns_free(&v->sec);
	lb_columns_free(&v->min);
}
