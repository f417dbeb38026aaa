/* manifest_value.c — the typed readers (see manifest_int.h): a string,
 * a 32-bit integer, an IntOrString, a count or percentage, a sequence of
 * strings, a labels or annotations map, each into its model field.
 *
 * Each reader checks the node's type (manifest_scalar.c) and reports its
 * own errors against p->path with the API server's wording ("Invalid
 * value", "Invalid type", "Too long", "Too many"), so the object parsers
 * only say which field goes where. Apart from the walk (manifest_read.c),
 * which moves through mappings and sequences and reads nothing into the
 * model.
 */
#include "manifest_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void mp_type_error(struct mp *p, struct fy_node *n, enum mp_type got, const char *want)
{
	mp_err(p, n, "Invalid type: got \"%s\", expected \"%s\"", mp_type_names[got], want);
}

/* ---- value readers: each reports its own errors against p->path --------- */

/* A JSON-ish quoted rendering of s (for "Invalid value: ..."), cut with
 * "..." if it does not fit. */
const char *mp_quote(const char *s, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	if (len < 16) {
		buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[8];
		size_t tn;

		if (c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			tn = 2;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			tn = 4;
		} else {
			tmp[0] = (char)c;
			tn = 1;
		}
		/* Keep room for "...", the closing quote and the NUL. */
		if (o + tn + 5 > len) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, tmp, tn);
		o += tn;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* Reads a string into dst. Returns 1 if set, 0 if null/absent, -1 on error. */
int mp_str(struct mp *p, struct fy_node *n, char *dst, size_t dstlen)
{
	long long iv;
	bool bv;
	enum mp_type t;
	const char *s;
	size_t len = 0;

	dst[0] = '\0';
	n = mp_deref(p, n);
	t = mp_type_of(p, n, &iv, &bv);
	if (t == MP_NULL)
		return 0;
	if (t != MP_STRING) {
		mp_type_error(p, n, t, "string");
		return -1;
	}
	s = mp_text(p, n, &len);
	if (memchr(s, '\0', len)) {
		char q[80];

		mp_err(p, n, "Invalid value: %s: must not contain NUL characters",
		       mp_quote(s, len, q, sizeof(q)));
		return -1;
	}
	if (len >= dstlen) {
		mp_err(p, n, "Too long: must have at most %zu bytes", dstlen - 1);
		return -1;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 1;
}

bool mp_invalid(struct mp *p, struct fy_node *n, const char *value, const char *why)
{
	char q[160];

	if (!why)
		return false;
	mp_err(p, n, "Invalid value: %s: %s", mp_quote(value, strlen(value), q, sizeof(q)), why);
	return true;
}

int mp_checked_str(struct mp *p, struct fy_node *n, char *dst, size_t dstlen,
		   mp_name_rule_fn *rule)
{
	if (mp_str(p, n, dst, dstlen) <= 0 || !dst[0])
		return 0;
	return mp_invalid(p, n, dst, rule(dst)) ? -1 : 1;
}

/* iv into *out if it fits the 32 bits the API server keeps: 1, else -1
 * with an error about n. */
static int mp_int32(struct mp *p, struct fy_node *n, long long iv, long long *out)
{
	if (iv < INT32_MIN || iv > INT32_MAX) {
		mp_err(p, n, "Invalid value: %lld: must fit in a 32-bit integer", iv);
		return -1;
	}
	*out = iv;
	return 1;
}

/* Reads an integer. Returns 1 if set, 0 if null, -1 on error. */
int mp_int(struct mp *p, struct fy_node *n, long long *out)
{
	long long iv = 0;
	bool bv;
	enum mp_type t;

	n = mp_deref(p, n);
	t = mp_type_of(p, n, &iv, &bv);
	if (t == MP_NULL)
		return 0;
	if (t != MP_INT) {
		mp_type_error(p, n, t, "integer");
		return -1;
	}
	return mp_int32(p, n, iv, out);
}

/* IntOrString (targetPort, probe ports, maxSurge). Returns 1 for an
 * integer (in *num), 2 for a string (in str), 0 for null, -1 on error. */
int mp_int_or_str(struct mp *p, struct fy_node *n, long long *num, char *str, size_t len)
{
	long long iv = 0;
	bool bv;
	enum mp_type t;

	n = mp_deref(p, n);
	t = mp_type_of(p, n, &iv, &bv);
	if (t == MP_NULL)
		return 0;
	if (t == MP_INT)
		return mp_int32(p, n, iv, num);
	if (t != MP_STRING) {
		mp_type_error(p, n, t, "integer or string");
		return -1;
	}
	return mp_str(p, n, str, len) < 0 ? -1 : 2;
}

void mp_int_or_percent(struct mp *p, struct fy_node *n, struct model_int_or_percent *out,
		       bool *set)
{
	long long num = 0;
	char s[32], q[48];
	int r = mp_int_or_str(p, n, &num, s, sizeof(s));

	if (r <= 0)
		return;
	*set = true;
	if (r == 1) {
		if (num < 0) {
			mp_err(p, n, "Invalid value: %lld: must be greater than or equal to 0", num);
			return;
		}
		out->value = (int)num;
		out->percent = false;
		return;
	}
	{
		size_t len = strlen(s);
		long long v = 0;

		if (len < 2 || s[len - 1] != '%' || !mp_is_int(s, len - 1, &v) || s[0] == '-' ||
		    s[0] == '+' || (len > 3 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) ||
		    v > 1000000) {
			mp_err(p, n, "Invalid value: %s: a valid percent string must be a numeric "
			       "string followed by an ending '%%' (e.g. '1%%',  or '93%%', regex used "
			       "for validation is '[0-9]+%%')", mp_quote(s, len, q, sizeof(q)));
			return;
		}
		out->value = (int)v;
		out->percent = true;
	}
}

bool mp_expect(struct mp *p, struct fy_node *n, enum mp_type want)
{
	long long iv;
	bool bv;
	enum mp_type t = mp_type_of(p, n, &iv, &bv);

	if (t == want)
		return true;
	if (t != MP_NULL)
		mp_type_error(p, n, t, mp_type_names[want]);
	return false;
}

/* ---- labels and annotations --------------------------------------------- */

void mp_map(struct mp *p, struct fy_node *n, struct model_map *out, enum mp_map_kind kind)
{
	struct mp_iter i;
	const int max = kind == MP_MAP_LABELS ? MODEL_MAX_LABELS : MODEL_MAX_ANNOTATIONS;
	size_t base = p->plen;

	out->n = 0;
	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		struct model_kv *kv;
		char why_buf[320], q[96];
		const char *why;

		/* Messages name the map, as the API server does, not the key. */
		mp_pop(p, base);
		i.pushed = false;
		/* A 3-way merge is not modelled, and this copy of the whole
		 * object would not fit: drop it rather than refuse manifests
		 * exported from a real cluster. */
		if (kind == MP_MAP_ANNOTATIONS &&
		    strcmp(i.key, "kubectl.kubernetes.io/last-applied-configuration") == 0)
			continue;
		why = mp_check_qualified_name(i.key, why_buf, sizeof(why_buf));
		if (mp_invalid(p, i.key_node, i.key, why))
			continue;
		if (out->n >= max) {
			mp_err(p, i.key_node, "Too many: %d: must have at most %d items",
			       (int)fy_node_mapping_item_count(i.map), max);
			break;
		}
		if (strlen(i.key) >= sizeof(out->items[0].key)) {
			mp_err(p, i.key_node, "Invalid value: %s: must be no more than %zu characters",
			       mp_quote(i.key, strlen(i.key), q, sizeof(q)),
			       sizeof(out->items[0].key) - 1);
			continue;
		}
		kv = &out->items[out->n];
		mp_copy(kv->key, sizeof(kv->key), i.key);
		if (mp_str(p, i.val, kv->value, sizeof(kv->value)) < 0)
			continue;
		if (kind == MP_MAP_LABELS &&
		    mp_invalid(p, i.val, kv->value, mp_check_label_value(kv->value)))
			continue;
		out->n++;
	}
}

/* ---- sequences ---------------------------------------------------------- */

/* A sequence of strings (command, args). */
int mp_strings(struct mp *p, struct fy_node *n, char (*out)[MODEL_ARG_MAX], int max)
{
	struct fy_node *item;
	void *it = NULL;
	int count = 0;

	n = mp_deref(p, n);
	if (!mp_expect(p, n, MP_ARRAY))
		return 0;
	if (fy_node_sequence_item_count(n) > max) {
		mp_err(p, n, "Too many: %d: must have at most %d items",
		       fy_node_sequence_item_count(n), max);
		return 0;
	}
	while ((item = fy_node_sequence_iterate(n, &it))) {
		size_t old = mp_push_index(p, count);

		if (mp_str(p, item, out[count], MODEL_ARG_MAX) < 0)
			out[count][0] = '\0';
		mp_pop(p, old);
		count++;
	}
	return count;
}
