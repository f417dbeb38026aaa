/* lb_json.c — see lb_json.h. */
#include "lb_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const json_t *lb_json_get(const json_t *obj, const char *key)
{
	return json_is_object(obj) ? json_object_get(obj, key) : NULL;
}

bool lb_json_str(const json_t *obj, const char *key, char *out, size_t len)
{
	const char *s = json_string_value(lb_json_get(obj, key));

	if (!s || len == 0)
		return false;
	snprintf(out, len, "%s", s);
	return true;
}

double lb_json_number(const json_t *n)
{
	return json_is_number(n) ? json_number_value(n) : NAN;
}

int64_t lb_json_int(const json_t *obj, const char *key, int64_t dflt)
{
	const json_t *n = lb_json_get(obj, key);
	double d;

	if (json_is_integer(n))
		return json_integer_value(n);
	d = lb_json_number(n);
	/* A cast of a double outside int64_t's range is undefined: a file
	 * saying 1e30 gets the default like any other mistyped value. */
	if (!isfinite(d) || d < -9.2e18 || d > 9.2e18)
		return dflt;
	return (int64_t)d;
}

uint64_t lb_json_u64(const json_t *obj, const char *key, uint64_t dflt)
{
	const json_t *n = lb_json_get(obj, key);

	return json_is_integer(n) && json_integer_value(n) >= 0
		? (uint64_t)json_integer_value(n) : dflt;
}

double lb_json_double(const json_t *obj, const char *key, double dflt)
{
	double v = lb_json_number(lb_json_get(obj, key));

	return isnan(v) ? dflt : v;
}

bool lb_json_bool(const json_t *obj, const char *key, bool dflt)
{
	const json_t *n = lb_json_get(obj, key);

	return json_is_boolean(n) ? json_is_true(n) : dflt;
}
