/* manifest_scalar.c — the JSON type of a scalar (see manifest_int.h),
 * typed the way kubectl's YAML decoder (go-yaml v2) types it: a plain `80`
 * is an integer, `"80"` a string, `yes` and `on` booleans (only true and
 * false in JSON input), `0x1f` an integer, `.inf` a number, and an explicit
 * `!!str` or `!!int` tag decides over the text.
 *
 * A file of its own because these rules are YAML 1.1's, not the walk's nor
 * the API server's: the walk (manifest_read.c) and the typed readers
 * (manifest_value.c) only ask what type a node has.
 */
#include "manifest_int.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

const char *const mp_type_names[] = {
	"null", "boolean", "integer", "number", "string", "object", "array",
};

bool mp_is_int(const char *s, size_t n, long long *out)
{
	unsigned long long v = 0;
	bool neg = false;
	size_t i = 0;
	int base = 10;

	if (n == 0)
		return false;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i++;
	}
	if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o')) {
		base = s[i + 1] == 'x' ? 16 : 8;
		i += 2;
	}
	if (i >= n)
		return false;
	for (; i < n; i++) {
		int d;

		if (isdigit((unsigned char)s[i]))
			d = s[i] - '0';
		else if (base == 16 && isxdigit((unsigned char)s[i]))
			d = tolower((unsigned char)s[i]) - 'a' + 10;
		else
			return false;
		if (d >= base)
			return false;
		if (v > (UINT64_MAX - (unsigned)d) / (unsigned)base)
			v = UINT64_MAX;  /* saturate: range checks report it */
		else
			v = v * (unsigned)base + (unsigned)d;
	}
	if (v > (unsigned long long)INT64_MAX)
		v = (unsigned long long)INT64_MAX;
	*out = neg ? -(long long)v : (long long)v;
	return true;
}

/* Moves *i past the digits of s[*i..n); returns how many there were. */
static size_t mp_skip_digits(const char *s, size_t n, size_t *i)
{
	size_t start = *i;

	while (*i < n && isdigit((unsigned char)s[*i]))
		(*i)++;
	return *i - start;
}

static bool mp_is_float(const char *s, size_t n)
{
	static const char *const special[] = {
		".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
		".nan", ".NaN", ".NAN",
	};
	size_t i = 0, digits = 0;

	for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++)
		if (strlen(special[k]) == n && memcmp(special[k], s, n) == 0)
			return true;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	digits = mp_skip_digits(s, n, &i);
	if (i < n && s[i] == '.') {
		i++;
		digits += mp_skip_digits(s, n, &i);
	}
	if (digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		if (mp_skip_digits(s, n, &i) == 0)
			return false;
	}
	return i == n;
}

static bool mp_word_in(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(*words, s, n) == 0)
			return true;
	return false;
}

/* The JSON type kubectl's decoder would give node n (aliases resolved by
 * the caller). *iv and *bv receive integer and boolean values. */
enum mp_type mp_type_of(struct mp *p, struct fy_node *n, long long *iv, bool *bv)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const yes[] = {
		"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL,
	};
	static const char *const no[] = {
		"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL,
	};
	static const char *const json_yes[] = { "true", NULL };
	static const char *const json_no[] = { "false", NULL };
	const char *s, *tag;
	size_t n_s = 0, n_tag = 0;

	if (!n)
		return MP_NULL;
	if (fy_node_is_mapping(n))
		return MP_OBJECT;
	if (fy_node_is_sequence(n))
		return MP_ARRAY;
	s = mp_text(p, n, &n_s);
	if (!s)
		return MP_NULL;
	tag = fy_node_get_tag(n, &n_tag);
	if (tag && n_tag > 0) {
		/* An explicit tag decides: `!!str 80` is a string. */
		if ((n_tag >= 3 && memcmp(tag + n_tag - 3, "str", 3) == 0) ||
		    (n_tag == 1 && tag[0] == '!'))
			return MP_STRING;
		if (n_tag >= 3 && memcmp(tag + n_tag - 3, "int", 3) == 0)
			return mp_is_int(s, n_s, iv) ? MP_INT : MP_STRING;
	}
	if (fy_node_get_style(n) != FYNS_PLAIN)
		return MP_STRING;
	if (mp_word_in(s, n_s, nulls))
		return MP_NULL;
	if (mp_word_in(s, n_s, p->json ? json_yes : yes)) {
		*bv = true;
		return MP_BOOL;
	}
	if (mp_word_in(s, n_s, p->json ? json_no : no)) {
		*bv = false;
		return MP_BOOL;
	}
	if (mp_is_int(s, n_s, iv))
		return MP_INT;
	if (mp_is_float(s, n_s))
		return MP_FLOAT;
	return MP_STRING;
}
