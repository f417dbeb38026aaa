/* lb_json.c — see lb_json.h. */
#include "lb_json.h"

#include <libfyaml.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lb_json_diag {
	char text[200];
	size_t len;
};

static void lb_json_diag_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	struct lb_json_diag *d = user;

	(void)diag;
	if (len > sizeof(d->text) - 1 - d->len)
		len = sizeof(d->text) - 1 - d->len;
	memcpy(d->text + d->len, buf, len);
	d->len += len;
	d->text[d->len] = '\0';
}

struct fy_document *lb_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_FORCE };
	struct lb_json_diag captured = { "", 0 };
	struct fy_diag_cfg dcfg;
	struct fy_document *doc;
	struct fy_diag *diag;
	char *nl;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = lb_json_diag_output;
	dcfg.user = &captured;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cfg.diag = diag;
	doc = fy_document_build_from_string(&cfg, text, len);
	if (!doc) {
		nl = strchr(captured.text, '\n');
		if (nl)
			*nl = '\0';
		snprintf(err, errlen, "not valid JSON%s%s", captured.text[0] ? ": " : "",
			 captured.text);
	} else if (!fy_document_root(doc)) {
		snprintf(err, errlen, "empty document");
		fy_document_destroy(doc);
		doc = NULL;
	}
	fy_diag_destroy(diag);
	return doc;
}

struct fy_node *lb_json_get(struct fy_node *obj, const char *key)
{
	if (!obj || !fy_node_is_mapping(obj))
		return NULL;
	return fy_node_mapping_lookup_by_string(obj, key, FY_NT);
}

static const char *lb_json_scalar(struct fy_node *n, size_t *len)
{
	if (!n || !fy_node_is_scalar(n))
		return NULL;
	return fy_node_get_scalar(n, len);
}

bool lb_json_str(struct fy_node *obj, const char *key, char *out, size_t len)
{
	size_t n = 0;
	const char *s = lb_json_scalar(lb_json_get(obj, key), &n);

	if (!s || len == 0)
		return false;
	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

double lb_json_number(struct fy_node *n)
{
	char t[64], *end;
	size_t len = 0;
	const char *s = lb_json_scalar(n, &len);
	double v;

	if (!s || len == 0 || len >= sizeof(t) || fy_node_get_style(n) != FYNS_PLAIN)
		return NAN;
	memcpy(t, s, len);
	t[len] = '\0';
	v = strtod(t, &end);
	return *end ? NAN : v;
}

/* Integers are read as integers: byte counters pass 2^53. */
static bool lb_json_integer(struct fy_node *n, bool is_signed, int64_t *s64, uint64_t *u64)
{
	char t[32], *end;
	size_t len = 0;
	const char *s = lb_json_scalar(n, &len);

	if (!s || len == 0 || len >= sizeof(t) || fy_node_get_style(n) != FYNS_PLAIN)
		return false;
	memcpy(t, s, len);
	t[len] = '\0';
	if (is_signed)
		*s64 = strtoll(t, &end, 10);
	else
		*u64 = strtoull(t, &end, 10);
	return *end == '\0';
}

int64_t lb_json_int(struct fy_node *obj, const char *key, int64_t dflt)
{
	struct fy_node *n = lb_json_get(obj, key);
	int64_t v = 0;
	double d;

	if (lb_json_integer(n, true, &v, NULL))
		return v;
	d = lb_json_number(n);
	return isnan(d) ? dflt : (int64_t)d;
}

uint64_t lb_json_u64(struct fy_node *obj, const char *key, uint64_t dflt)
{
	uint64_t v = 0;

	return lb_json_integer(lb_json_get(obj, key), false, NULL, &v) ? v : dflt;
}

double lb_json_double(struct fy_node *obj, const char *key, double dflt)
{
	double v = lb_json_number(lb_json_get(obj, key));

	return isnan(v) ? dflt : v;
}

bool lb_json_bool(struct fy_node *obj, const char *key, bool dflt)
{
	size_t len = 0;
	const char *s = lb_json_scalar(lb_json_get(obj, key), &len);

	if (s && len == 4 && memcmp(s, "true", 4) == 0)
		return true;
	if (s && len == 5 && memcmp(s, "false", 5) == 0)
		return false;
	return dflt;
}
