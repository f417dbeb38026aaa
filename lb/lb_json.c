/* lb_json.c — see lb_json.h. */
#include "lb_json.h"

#include <libfyaml.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	/* A cast of a double outside int64_t's range is undefined: a file
	 * saying 1e30 gets the default like any other mistyped value. */
	if (!isfinite(d) || d < -9.2e18 || d > 9.2e18)
		return dflt;
	return (int64_t)d;
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
