/* manifest_read.c — the walk over libfyaml's trees that the object parsers
 * are written in (see manifest_int.h).
 *
 * Each value is read with the path of its field in hand ("spec.ports[0].port",
 * kept in struct mp as the walk goes down), so every message names the
 * field and points at the node it is about. Scalars are typed the way
 * kubectl's YAML decoder (go-yaml v2) types them: a plain `80` is an
 * integer, `"80"` a string, `yes` a boolean, and a string where an integer
 * belongs is an error, as it is for the API server. Unknown and repeated
 * keys are found here too, where the validation mode is known.
 *
 * libfyaml 0.7 exposes a start mark only for scalar tokens, so a mapping or
 * sequence is placed at its first scalar (for a block mapping that is where
 * it starts) and an empty one at the key that holds it.
 */
#include "manifest_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MP_MAX_MSGS     500   /* a file this broken has made its point */

/* ---- messages ----------------------------------------------------------- */

/* Copies src into dst, cutting it if it does not fit (callers have checked
 * lengths where a cut would matter). */
void mp_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void mp_cat(char *dst, size_t len, const char *src)
{
	size_t used = strnlen(dst, len - 1);

	mp_copy(dst + used, len - used, src);
}

void mp_vadd(struct manifest *m, bool warning, struct manifest_pos pos, const char *field,
	     const char *fmt, va_list ap)
{
	struct manifest_msg *msg;
	char loc[MANIFEST_FILE_MAX + 32], body[MANIFEST_MSG_MAX];

	if (warning)
		m->n_warnings++;
	else
		m->n_errors++;
	if (m->n_msgs >= MP_MAX_MSGS)
		return;
	if (m->n_msgs % 16 == 0) {
		struct manifest_msg *n = realloc(m->msgs, sizeof(*n) * (size_t)(m->n_msgs + 16));

		if (!n)
			return;
		m->msgs = n;
	}
	msg = &m->msgs[m->n_msgs++];
	msg->warning = warning;
	msg->pos = pos;
	if (pos.line > 0)
		snprintf(loc, sizeof(loc), "%s:%d:%d", m->file, pos.line, pos.column);
	else
		snprintf(loc, sizeof(loc), "%s", m->file);
	vsnprintf(body, sizeof(body), fmt, ap);
	mp_copy(msg->text, sizeof(msg->text), loc);
	mp_cat(msg->text, sizeof(msg->text), warning ? ": Warning: " : ": ");
	if (!warning && field && *field) {
		mp_cat(msg->text, sizeof(msg->text), field);
		mp_cat(msg->text, sizeof(msg->text), ": ");
	}
	mp_cat(msg->text, sizeof(msg->text), body);
}

/* ---- positions, the field path, scalar texts ---------------------------- */

static struct manifest_pos mp_node_pos_depth(struct fy_node *n, int depth)
{
	struct manifest_pos pos = { 0, 0 };
	void *it = NULL;

	if (!n || depth > 64)
		return pos;
	if (fy_node_is_scalar(n)) {
		struct fy_token *t = fy_node_get_scalar_token(n);
		const struct fy_mark *mk = t ? fy_token_start_mark(t) : NULL;

		if (mk && mk->line >= 0) {
			enum fy_node_style st = fy_node_get_style(n);

			pos.line = mk->line + 1;
			pos.column = mk->column + 1;
			/* A quoted scalar's token starts inside the quotes; an
			 * editor user expects the opening quote. */
			if ((st == FYNS_SINGLE_QUOTED || st == FYNS_DOUBLE_QUOTED) && pos.column > 1)
				pos.column--;
		}
		return pos;
	}
	if (fy_node_is_mapping(n)) {
		struct fy_node_pair *pair = fy_node_mapping_iterate(n, &it);

		return pair ? mp_node_pos_depth(fy_node_pair_key(pair), depth + 1) : pos;
	}
	return mp_node_pos_depth(fy_node_sequence_iterate(n, &it), depth + 1);
}

/* Where a message about node n should point: n itself, else its key. */
struct manifest_pos mp_pos(struct mp *p, struct fy_node *n)
{
	struct manifest_pos pos = mp_node_pos_depth(n, 0);

	return pos.line > 0 ? pos : p->key_pos;
}

void mp_err(struct mp *p, struct fy_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mp_vadd(p->m, false, mp_pos(p, n), p->path, fmt, ap);
	va_end(ap);
}

/* An error about a child field of the current path (often a missing one). */
void mp_err_child(struct mp *p, struct fy_node *at, const char *child, const char *fmt, ...)
{
	char field[MP_PATH_MAX + 64];
	va_list ap;

	snprintf(field, sizeof(field), "%s%s%s", p->path, p->plen && child[0] != '[' ? "." : "",
		 child);
	va_start(ap, fmt);
	mp_vadd(p->m, false, mp_pos(p, at), field, fmt, ap);
	va_end(ap);
}

void mp_warn(struct mp *p, struct manifest_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mp_vadd(p->m, true, pos, NULL, fmt, ap);
	va_end(ap);
}

size_t mp_push(struct mp *p, const char *key)
{
	size_t old = p->plen;
	int n = snprintf(p->path + p->plen, sizeof(p->path) - p->plen, "%s%s",
			 p->plen ? "." : "", key);

	if (n > 0)
		p->plen = p->plen + (size_t)n < sizeof(p->path) ? p->plen + (size_t)n
								 : sizeof(p->path) - 1;
	return old;
}

static size_t mp_push_index(struct mp *p, int i)
{
	size_t old = p->plen;
	int n = snprintf(p->path + p->plen, sizeof(p->path) - p->plen, "[%d]", i);

	if (n > 0)
		p->plen = p->plen + (size_t)n < sizeof(p->path) ? p->plen + (size_t)n
								 : sizeof(p->path) - 1;
	return old;
}

void mp_pop(struct mp *p, size_t old)
{
	p->plen = old;
	p->path[old] = '\0';
}

/* len bytes freed with the parse, or NULL. */
static char *mp_alloc(struct mp *p, size_t len)
{
	struct mp_text_buf *b = malloc(sizeof(*b) + len);

	if (!b)
		return NULL;
	b->next = p->texts;
	p->texts = b;
	return b->text;
}

/* A single-quoted scalar's content from the source: '' is a quote, line
 * breaks fold (trailing blanks dropped, one space, or one newline per
 * empty line). start is just after the opening quote. */
static char *mp_decode_single(struct mp *p, size_t start, size_t *len)
{
	size_t o = 0, i = start;
	char *text = mp_alloc(p, (p->src_len - start) + 1);

	if (!text)
		return NULL;
	while (i < p->src_len) {
		char c = p->src[i];

		if (c == '\'') {
			if (i + 1 < p->src_len && p->src[i + 1] == '\'') {
				text[o++] = '\'';
				i += 2;
				continue;
			}
			break;
		}
		if (c == '\n' || c == '\r') {
			int empty = 0;

			while (o > 0 && (text[o - 1] == ' ' || text[o - 1] == '\t'))
				o--;
			for (;;) {
				if (p->src[i] == '\r' && i + 1 < p->src_len && p->src[i + 1] == '\n')
					i++;
				i++;
				while (i < p->src_len && (p->src[i] == ' ' || p->src[i] == '\t'))
					i++;
				if (i < p->src_len && (p->src[i] == '\n' || p->src[i] == '\r')) {
					empty++;
					continue;
				}
				break;
			}
			if (empty == 0)
				text[o++] = ' ';
			while (empty-- > 0)
				text[o++] = '\n';
			continue;
		}
		text[o++] = c;
		i++;
	}
	text[o] = '\0';
	*len = o;
	return text;
}

/* A scalar's text. libfyaml 0.7 leaks the buffer it builds for a
 * single-quoted scalar with several '' escapes, so those are decoded here
 * from the source instead. */
static const char *mp_text(struct mp *p, struct fy_node *n, size_t *len)
{
	struct fy_token *t;
	const struct fy_mark *mk;

	*len = 0;
	if (!n || !fy_node_is_scalar(n))
		return NULL;
	if (fy_node_get_style(n) == FYNS_SINGLE_QUOTED && p->src &&
	    (t = fy_node_get_scalar_token(n)) && (mk = fy_token_start_mark(t)) &&
	    mk->input_pos > 0 && mk->input_pos <= p->src_len &&
	    p->src[mk->input_pos - 1] == '\'') {
		const char *q = memchr(p->src + mk->input_pos, '\'', p->src_len - mk->input_pos);

		/* Without an escape libfyaml copies nothing: let it do the work. */
		if (q && (size_t)(q - p->src) + 1 < p->src_len && q[1] == '\'')
			return mp_decode_single(p, mk->input_pos, len);
	}
	return fy_node_get_scalar(n, len);
}

/* The value of key in mapping n (compared on mp_text), or NULL. Of keys
 * written twice the last wins, as in mp_next. */
struct fy_node *mp_lookup(struct mp *p, struct fy_node *n, const char *key)
{
	struct fy_node_pair *pair;
	struct fy_node *found = NULL;
	size_t klen = strlen(key);
	void *it = NULL;

	if (!n || !fy_node_is_mapping(n))
		return NULL;
	while ((pair = fy_node_mapping_iterate(n, &it))) {
		size_t len;
		const char *s = mp_text(p, fy_node_pair_key(pair), &len);

		if (s && len == klen && memcmp(s, key, len) == 0)
			found = fy_node_pair_value(pair);
	}
	return found;
}

/* Where item k of a sequence (or its field) is; the sequence if unknown. */
struct manifest_pos mp_item_pos(struct mp *p, struct fy_node *seq, int k, const char *field)
{
	struct fy_node *item = NULL, *f = NULL;
	struct manifest_pos pos;

	if (seq && fy_node_is_sequence(seq))
		item = fy_node_sequence_get_by_index(seq, k);
	if (item && fy_node_is_alias(item))
		item = fy_node_resolve_alias(item);
	if (item && field && fy_node_is_mapping(item))
		f = mp_lookup(p, item, field);
	pos = mp_node_pos_depth(f ? f : item, 0);
	return pos.line ? pos : mp_pos(p, seq);
}

/* ---- scalar typing ------------------------------------------------------ */

const char *const mp_type_names[] = {
	"null", "boolean", "integer", "number", "string", "object", "array",
};

static bool mp_is_int(const char *s, size_t n, long long *out)
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

struct fy_node *mp_deref(struct mp *p, struct fy_node *n)
{
	if (n && fy_node_is_alias(n)) {
		struct fy_node *r = fy_node_resolve_alias(n);

		if (!r)
			mp_err(p, n, "Invalid value: alias does not refer to an anchor");
		return r;
	}
	return n;
}

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

/* ---- mapping iteration -------------------------------------------------- */

/* A message about the schema itself (unknown and duplicate fields): an
 * error, a warning or nothing, as kubectl's --validate asks. */
static void mp_schema_msg(struct mp *p, struct manifest_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void mp_schema_msg(struct mp *p, struct manifest_pos pos, const char *fmt, ...)
{
	va_list ap;

	if (p->validation == MANIFEST_VALIDATE_IGNORE)
		return;
	va_start(ap, fmt);
	mp_vadd(p->m, p->validation == MANIFEST_VALIDATE_WARN, pos, NULL, fmt, ap);
	va_end(ap);
}

struct mp_key_ref {
	const char *s;
	size_t len;
	int index;
};

static int mp_key_ref_cmp(const void *a, const void *b)
{
	const struct mp_key_ref *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	if (c == 0 && x->len != y->len)
		c = x->len < y->len ? -1 : 1;
	return c ? c : x->index - y->index;
}

#define MP_DUP_SHADOWED 1  /* a later pair has the same key: skipped */
#define MP_DUP_REPEATED 2  /* an earlier pair has the same key: reported */

/* A mark per pair of mapping n for keys written more than once, or NULL in
 * *out if none is. The API server's decoder keeps the last value, so the
 * earlier pairs are skipped: a field is never read twice (a second `ports`
 * would otherwise be appended to the first). Sorting keeps a mapping of
 * many keys from costing a comparison per pair of keys. Returns -1 if out
 * of memory. */
static int mp_dup_marks(struct mp *p, struct fy_node *n, const char **out)
{
	int count = fy_node_mapping_item_count(n), k = 0, nrefs = 0;
	struct mp_key_ref *refs;
	struct fy_node_pair *pair;
	char *marks = NULL;
	void *it = NULL;

	*out = NULL;
	if (count < 2)
		return 0;
	refs = malloc(sizeof(*refs) * (size_t)count);
	if (!refs)
		return -1;
	while ((pair = fy_node_mapping_iterate(n, &it)) && k < count) {
		struct fy_node *key = fy_node_pair_key(pair);
		size_t len = 0;
		const char *text;

		if (key && fy_node_is_alias(key))
			key = fy_node_resolve_alias(key);
		text = key && fy_node_is_scalar(key) ? mp_text(p, key, &len) : NULL;
		if (text)
			refs[nrefs++] = (struct mp_key_ref){ text, len, k };
		k++;
	}
	qsort(refs, (size_t)nrefs, sizeof(*refs), mp_key_ref_cmp);
	for (int r = 1; r < nrefs; r++) {
		if (refs[r].len != refs[r - 1].len ||
		    memcmp(refs[r].s, refs[r - 1].s, refs[r].len) != 0)
			continue;
		if (!marks) {
			if (!(marks = mp_alloc(p, (size_t)count))) {
				free(refs);
				return -1;
			}
			memset(marks, 0, (size_t)count);
		}
		marks[refs[r - 1].index] |= MP_DUP_SHADOWED;
		marks[refs[r].index] |= MP_DUP_REPEATED;
	}
	free(refs);
	*out = marks;
	return 0;
}

/* Starts iterating mapping n; false (with a type error) if n is not one. */
bool mp_iter_start(struct mp *p, struct mp_iter *i, struct fy_node *n)
{
	memset(i, 0, sizeof(*i));
	i->saved_key_pos = p->key_pos;
	n = mp_deref(p, n);
	if (!mp_expect(p, n, MP_OBJECT))
		return false;
	if (mp_dup_marks(p, n, &i->dup) < 0) {
		mp_err(p, n, "out of memory");
		return false;
	}
	i->map = n;
	return true;
}

/* Next key/value; pushes the key onto the path (popped by the next call). */
bool mp_next(struct mp *p, struct mp_iter *i)
{
	struct fy_node_pair *pair;

	if (i->pushed) {
		mp_pop(p, i->saved);
		i->pushed = false;
	}
	while (i->map && (pair = fy_node_mapping_iterate(i->map, &i->it))) {
		struct fy_node *k = mp_deref(p, fy_node_pair_key(pair));
		char mark = i->dup ? i->dup[i->index] : 0;
		const char *s;
		size_t len = 0;

		i->index++;
		if (!k || !fy_node_is_scalar(k) || !(s = mp_text(p, k, &len))) {
			mp_err(p, k, "Invalid type: object keys must be strings");
			continue;
		}
		if (len >= sizeof(i->key))
			len = sizeof(i->key) - 1;
		memcpy(i->key, s, len);
		i->key[len] = '\0';
		i->key_node = k;
		p->key_pos = mp_node_pos_depth(k, 0);
		if (p->key_pos.line == 0)
			p->key_pos = i->saved_key_pos;
		i->val = fy_node_pair_value(pair);
		if (i->val && fy_node_is_alias(i->val))
			i->val = mp_deref(p, i->val);
		i->saved = mp_push(p, i->key);
		i->pushed = true;
		if (mark & MP_DUP_REPEATED)
			mp_schema_msg(p, p->key_pos, "duplicate field \"%s\"", p->path);
		if (mark & MP_DUP_SHADOWED) {
			mp_pop(p, i->saved);
			i->pushed = false;
			continue;
		}
		return true;
	}
	p->key_pos = i->saved_key_pos;
	return false;
}

/* A key Kubernetes does not have here, named by its path as the API
 * server's strict decoding names it. */
void mp_unknown(struct mp *p, struct mp_iter *i)
{
	struct manifest_pos pos = mp_node_pos_depth(i->key_node, 0);

	mp_schema_msg(p, pos.line > 0 ? pos : p->key_pos, "unknown field \"%s\"", p->path);
}

/* A field Kubernetes has and clientip does not model, which matters. */
void mp_ignored(struct mp *p, struct mp_iter *i)
{
	long long iv;
	bool bv;

	/* Null, false, 0 and empty collections change nothing: stay quiet. */
	switch (mp_type_of(p, i->val, &iv, &bv)) {
	case MP_NULL:
		return;
	case MP_BOOL:
		if (!bv)
			return;
		break;
	case MP_INT:
		if (iv == 0)
			return;
		break;
	case MP_OBJECT:
		if (fy_node_mapping_item_count(i->val) == 0)
			return;
		break;
	case MP_ARRAY:
		if (fy_node_sequence_item_count(i->val) == 0)
			return;
		break;
	default:
		break;
	}
	mp_warn(p, mp_node_pos_depth(i->key_node, 0),
		"field \"%s\" is not supported by clientip and is ignored", p->path);
}

bool mp_key_in(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(key, *list) == 0)
			return true;
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

bool mp_seq_start(struct mp *p, struct mp_seq *s, struct fy_node *n, int max)
{
	memset(s, 0, sizeof(*s));
	s->index = -1;
	n = mp_deref(p, n);
	if (!mp_expect(p, n, MP_ARRAY))
		return false;
	if (fy_node_sequence_item_count(n) > max) {
		mp_err(p, n, "Too many: %d: must have at most %d items",
		       fy_node_sequence_item_count(n), max);
		return false;
	}
	s->seq = n;
	return true;
}

bool mp_seq_next(struct mp *p, struct mp_seq *s)
{
	if (s->pushed) {
		mp_pop(p, s->saved);
		s->pushed = false;
	}
	if (!s->seq || !(s->item = fy_node_sequence_iterate(s->seq, &s->it)))
		return false;
	s->item = mp_deref(p, s->item);
	s->index++;
	s->saved = mp_push_index(p, s->index);
	s->pushed = true;
	return true;
}
