/* manifest.c — see manifest.h.
 *
 * libfyaml builds one document tree per `---`; this file walks each tree
 * with the Kubernetes schema in hand (one function per object type), so
 * every field is checked where it is read and every message can point at
 * the node it is about. Scalars are typed the way kubectl's YAML decoder
 * (go-yaml v2) types them: a plain `80` is an integer, `"80"` a string,
 * `yes` a boolean, and a string where an integer belongs is an error, as it
 * is for the API server.
 *
 * libfyaml 0.7 exposes a start mark only for scalar tokens, so a mapping or
 * sequence is placed at its first scalar (for a block mapping that is where
 * it starts) and an empty one at the key that holds it.
 */
#include "manifest.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "lab.h"

#define MP_PATH_MAX     320
#define MP_MAX_MSGS     500   /* a file this broken has made its point */
#define MP_MAX_OBJECTS  128
#define MP_KEY_MAX      256

/* ---- messages ----------------------------------------------------------- */

/* Copies src into dst, cutting it if it does not fit (callers have checked
 * lengths where a cut would matter). */
static void mp_copy(char *dst, size_t len, const char *src)
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

static void manifest_vadd(struct manifest *m, bool warning, struct manifest_pos pos,
			  const char *field, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static void manifest_vadd(struct manifest *m, bool warning, struct manifest_pos pos,
			  const char *field, const char *fmt, va_list ap)
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

void manifest_add_error(struct manifest *m, struct manifest_pos pos, const char *field,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	manifest_vadd(m, false, pos, field, fmt, ap);
	va_end(ap);
}

/* ---- parse context ------------------------------------------------------ */

/* Memory that lives as long as the parse: scalar texts decoded here rather
 * than by libfyaml (see mp_text), duplicate-key marks (see mp_dup_marks). */
struct mp_text_buf {
	struct mp_text_buf *next;
	char text[];
};

struct mp {
	struct manifest *m;
	const char *default_ns;
	const char *src;               /* the input, for decoding single-quoted scalars */
	size_t src_len;
	struct mp_text_buf *texts;
	bool json;                     /* JSON input: only true/false are booleans */
	enum manifest_validation validation;
	char path[MP_PATH_MAX];        /* the field being read, "spec.ports[0].port" */
	size_t plen;
	struct manifest_pos key_pos;   /* the key holding the current value */
};

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
static struct manifest_pos mp_pos(struct mp *p, struct fy_node *n)
{
	struct manifest_pos pos = mp_node_pos_depth(n, 0);

	return pos.line > 0 ? pos : p->key_pos;
}

static void mp_err(struct mp *p, struct fy_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void mp_err(struct mp *p, struct fy_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	manifest_vadd(p->m, false, mp_pos(p, n), p->path, fmt, ap);
	va_end(ap);
}

/* An error about a child field of the current path (often a missing one). */
static void mp_err_child(struct mp *p, struct fy_node *at, const char *child,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void mp_err_child(struct mp *p, struct fy_node *at, const char *child,
			 const char *fmt, ...)
{
	char field[MP_PATH_MAX + 64];
	va_list ap;

	snprintf(field, sizeof(field), "%s%s%s", p->path, p->plen && child[0] != '[' ? "." : "",
		 child);
	va_start(ap, fmt);
	manifest_vadd(p->m, false, mp_pos(p, at), field, fmt, ap);
	va_end(ap);
}

static void mp_warn(struct mp *p, struct manifest_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void mp_warn(struct mp *p, struct manifest_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	manifest_vadd(p->m, true, pos, NULL, fmt, ap);
	va_end(ap);
}

static size_t mp_push(struct mp *p, const char *key)
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

static void mp_pop(struct mp *p, size_t old)
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
static struct fy_node *mp_lookup(struct mp *p, struct fy_node *n, const char *key)
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

/* ---- scalar typing ------------------------------------------------------ */

enum mp_type { MP_NULL, MP_BOOL, MP_INT, MP_FLOAT, MP_STRING, MP_OBJECT, MP_ARRAY };

static const char *const mp_type_names[] = {
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
	while (i < n && isdigit((unsigned char)s[i])) {
		i++;
		digits++;
	}
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && isdigit((unsigned char)s[i])) {
			i++;
			digits++;
		}
	}
	if (digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp_digits = 0;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < n && isdigit((unsigned char)s[i])) {
			i++;
			exp_digits++;
		}
		if (exp_digits == 0)
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
static enum mp_type mp_type_of(struct mp *p, struct fy_node *n, long long *iv, bool *bv)
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

static struct fy_node *mp_deref(struct mp *p, struct fy_node *n)
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
static const char *mp_quote(const char *s, size_t n, char *buf, size_t len)
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
static int mp_str(struct mp *p, struct fy_node *n, char *dst, size_t dstlen)
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

/* Reads an integer. Returns 1 if set, 0 if null, -1 on error. */
static int mp_int(struct mp *p, struct fy_node *n, long long *out)
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
	if (iv < INT32_MIN || iv > INT32_MAX) {
		mp_err(p, n, "Invalid value: %lld: must fit in a 32-bit integer", iv);
		return -1;
	}
	*out = iv;
	return 1;
}

/* IntOrString (targetPort, probe ports, maxSurge). Returns 1 for an
 * integer (in *num), 2 for a string (in str), 0 for null, -1 on error. */
static int mp_int_or_str(struct mp *p, struct fy_node *n, long long *num, char *str, size_t len)
{
	long long iv = 0;
	bool bv;
	enum mp_type t;

	n = mp_deref(p, n);
	t = mp_type_of(p, n, &iv, &bv);
	if (t == MP_NULL)
		return 0;
	if (t == MP_INT) {
		if (iv < INT32_MIN || iv > INT32_MAX) {
			mp_err(p, n, "Invalid value: %lld: must fit in a 32-bit integer", iv);
			return -1;
		}
		*num = iv;
		return 1;
	}
	if (t != MP_STRING) {
		mp_type_error(p, n, t, "integer or string");
		return -1;
	}
	return mp_str(p, n, str, len) < 0 ? -1 : 2;
}

static bool mp_expect(struct mp *p, struct fy_node *n, enum mp_type want)
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

struct mp_iter {
	struct fy_node *map;
	void *it;
	int index;                     /* of the pair mp_next returns next */
	const char *dup;               /* mp_dup_marks of map, or NULL */
	bool pushed;
	size_t saved;
	struct manifest_pos saved_key_pos;
	char key[MP_KEY_MAX];
	struct fy_node *key_node;
	struct fy_node *val;           /* aliases resolved; NULL for a null value */
};

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
	manifest_vadd(p->m, p->validation == MANIFEST_VALIDATE_WARN, pos, NULL, fmt, ap);
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
static bool mp_iter_start(struct mp *p, struct mp_iter *i, struct fy_node *n)
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
static bool mp_next(struct mp *p, struct mp_iter *i)
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
static void mp_unknown(struct mp *p, struct mp_iter *i)
{
	struct manifest_pos pos = mp_node_pos_depth(i->key_node, 0);

	mp_schema_msg(p, pos.line > 0 ? pos : p->key_pos, "unknown field \"%s\"", p->path);
}

/* A field Kubernetes has and clientip does not model, which matters. */
static void mp_ignored(struct mp *p, struct mp_iter *i)
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

static bool mp_key_in(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(key, *list) == 0)
			return true;
	return false;
}

/* ---- validators (the API server's messages) ------------------------------ */

static bool mp_alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static bool mp_alnum(char c) { return isalnum((unsigned char)c) != 0; }

static const char mp_dns1123_label_msg[] =
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
	"'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
	"'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
static const char mp_dns1123_subdomain_msg[] =
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
	"'-' or '.', and must start and end with an alphanumeric character (e.g. "
	"'example.com', regex used for validation is "
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
static const char mp_dns1035_label_msg[] =
	"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
	"with an alphabetic character, and end with an alphanumeric character (e.g. "
	"'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

static bool mp_label_chars_ok(const char *s, size_t n)
{
	if (n == 0 || !mp_alnum_lower(s[0]) || !mp_alnum_lower(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!mp_alnum_lower(s[i]) && s[i] != '-')
			return false;
	return true;
}

const char *manifest_check_dns1123_label(const char *s)
{
	size_t n = strlen(s);

	if (n > 63)
		return "must be no more than 63 characters";
	return mp_label_chars_ok(s, n) ? NULL : mp_dns1123_label_msg;
}

const char *manifest_check_dns1035_label(const char *s)
{
	size_t n = strlen(s);

	if (n > 63)
		return "must be no more than 63 characters";
	if (!mp_label_chars_ok(s, n) || !(s[0] >= 'a' && s[0] <= 'z'))
		return mp_dns1035_label_msg;
	return NULL;
}

static const char *mp_check_dns1123_subdomain(const char *s, size_t max)
{
	size_t n = strlen(s);
	const char *part = s;

	if (n > 253)
		return "must be no more than 253 characters";
	/* The model keeps names in 63 bytes (they become parts of pod names). */
	if (max && n > max)
		return "must be no more than 63 characters";
	for (;;) {
		const char *dot = strchr(part, '.');
		size_t len = dot ? (size_t)(dot - part) : strlen(part);

		if (!mp_label_chars_ok(part, len))
			return mp_dns1123_subdomain_msg;
		if (!dot)
			return NULL;
		part = dot + 1;
	}
}

static const char mp_qname_msg[] =
	"name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
	"and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
	"'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

static bool mp_qname_chars_ok(const char *s, size_t n)
{
	if (n == 0 || !mp_alnum(s[0]) || !mp_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!mp_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* A label or annotation key: [prefix/]name. */
static const char *mp_check_qualified_name(const char *s, char *buf, size_t len)
{
	const char *slash = strchr(s, '/');
	const char *name = slash ? slash + 1 : s;

	if (slash) {
		char prefix[256];
		size_t plen = (size_t)(slash - s);
		const char *why;

		if (strchr(name, '/'))
			return "a qualified name must consist of alphanumeric characters, '-', '_' "
			       "or '.', and must start and end with an alphanumeric character (e.g. "
			       "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
			       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
			       "subdomain prefix and '/' (e.g. 'example.com/MyName')";
		if (plen == 0)
			return "prefix part must be non-empty";
		if (plen >= sizeof(prefix))
			return "prefix part must be no more than 253 characters";
		memcpy(prefix, s, plen);
		prefix[plen] = '\0';
		why = mp_check_dns1123_subdomain(prefix, 0);
		if (why) {
			snprintf(buf, len, "prefix part %s", why);
			return buf;
		}
	}
	if (*name == '\0')
		return "name part must be non-empty";
	if (strlen(name) > 63)
		return "name part must be no more than 63 characters";
	return mp_qname_chars_ok(name, strlen(name)) ? NULL : mp_qname_msg;
}

static const char *mp_check_label_value(const char *s)
{
	size_t n = strlen(s);

	if (n > 63)
		return "must be no more than 63 characters";
	if (n > 0 && !mp_qname_chars_ok(s, n))
		return "a valid label must be an empty string or consist of alphanumeric "
		       "characters, '-', '_' or '.', and must start and end with an alphanumeric "
		       "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
		       "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
	return NULL;
}

/* IANA_SVC_NAME: named ports. */
static const char *mp_check_port_name(const char *s)
{
	size_t n = strlen(s);
	bool letter = false;

	if (n > 15)
		return "must be no more than 15 characters";
	for (size_t i = 0; i < n; i++) {
		if (!mp_alnum_lower(s[i]) && s[i] != '-')
			return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
		if (s[i] >= 'a' && s[i] <= 'z')
			letter = true;
	}
	if (strstr(s, "--"))
		return "must not contain consecutive hyphens";
	if (!letter)
		return "must contain at least one letter (a-z)";
	if (n > 0 && (s[0] == '-' || s[n - 1] == '-'))
		return "must not begin or end with a hyphen";
	return NULL;
}

static const char *mp_check_env_name(const char *s)
{
	if (*s == '\0' || isdigit((unsigned char)s[0]))
		goto bad;
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
			goto bad;
	return NULL;
bad:
	return "a valid environment variable name must consist of alphabetic characters, "
	       "digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  "
	       "or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
	       "'[-._a-zA-Z][-._a-zA-Z0-9]*')";
}

static const char mp_port_range_msg[] = "must be between 1 and 65535, inclusive";

/* ---- shared object parts ------------------------------------------------ */

enum mp_map_kind { MP_MAP_LABELS, MP_MAP_ANNOTATIONS };

static void mp_map(struct mp *p, struct fy_node *n, struct model_map *out, enum mp_map_kind kind)
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
		if (why) {
			mp_err(p, i.key_node, "Invalid value: %s: %s",
			       mp_quote(i.key, strlen(i.key), q, sizeof(q)), why);
			continue;
		}
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
		if (kind == MP_MAP_LABELS && (why = mp_check_label_value(kv->value))) {
			mp_err(p, i.val, "Invalid value: %s: %s",
			       mp_quote(kv->value, strlen(kv->value), q, sizeof(q)), why);
			continue;
		}
		out->n++;
	}
}

enum mp_name_rule { MP_NAME_SUBDOMAIN, MP_NAME_DNS1035 };

static void mp_meta(struct mp *p, struct fy_node *n, struct model_meta *meta,
		    struct manifest_object *o, enum mp_name_rule rule, bool *named)
{
	static const char *const silent[] = {
		"uid", "resourceVersion", "generation", "creationTimestamp", "selfLink",
		"managedFields", "deletionTimestamp", "deletionGracePeriodSeconds",
		"ownerReferences", "finalizers", NULL,
	};
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "name") == 0) {
			char q[96];
			const char *why;

			if (mp_str(p, i.val, meta->name, sizeof(meta->name)) <= 0 || !meta->name[0])
				continue;
			*named = true;
			why = rule == MP_NAME_DNS1035 ? manifest_check_dns1035_label(meta->name)
						      : mp_check_dns1123_subdomain(meta->name, 63);
			if (why)
				mp_err(p, i.val, "Invalid value: %s: %s",
				       mp_quote(meta->name, strlen(meta->name), q, sizeof(q)), why);
		} else if (strcmp(i.key, "namespace") == 0) {
			char ns[MODEL_NAME_MAX], q[96];
			const char *why;

			if (mp_str(p, i.val, ns, sizeof(ns)) <= 0 || ns[0] == '\0')
				continue;
			why = manifest_check_dns1123_label(ns);
			if (why) {
				mp_err(p, i.val, "Invalid value: %s: %s",
				       mp_quote(ns, strlen(ns), q, sizeof(q)), why);
				continue;
			}
			snprintf(meta->ns, sizeof(meta->ns), "%s", ns);
			o->ns_explicit = true;
			o->ns_pos = mp_pos(p, i.val);
		} else if (strcmp(i.key, "labels") == 0) {
			mp_map(p, i.val, &meta->labels, MP_MAP_LABELS);
		} else if (strcmp(i.key, "annotations") == 0) {
			mp_map(p, i.val, &meta->annotations, MP_MAP_ANNOTATIONS);
		} else if (strcmp(i.key, "generateName") == 0) {
			mp_ignored(p, &i);
		} else if (!mp_key_in(i.key, silent)) {
			mp_unknown(p, &i);
		}
	}
}

/* ---- Deployment ---------------------------------------------------------- */

static void mp_probe_port(struct mp *p, struct fy_node *n, struct model_probe *pr, bool *seen)
{
	long long num = 0;
	char name[sizeof(pr->port_name) + 16];
	int r = mp_int_or_str(p, n, &num, name, sizeof(name));
	const char *why;
	char q[64];

	if (r != 0)
		*seen = true;
	if (r <= 0)
		return;
	if (r == 1) {
		if (num < 1 || num > 65535)
			mp_err(p, n, "Invalid value: %lld: %s", num, mp_port_range_msg);
		else
			pr->port = (int)num;
		return;
	}
	if ((why = mp_check_port_name(name))) {
		mp_err(p, n, "Invalid value: %s: %s", mp_quote(name, strlen(name), q, sizeof(q)), why);
		return;
	}
	mp_copy(pr->port_name, sizeof(pr->port_name), name);
	pr->port = 0;
}

static void mp_http_get(struct mp *p, struct fy_node *n, struct model_probe *pr,
			struct manifest_pos *port_pos)
{
	struct mp_iter i;
	bool port_seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	pr->kind = MODEL_PROBE_HTTP;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "path") == 0) {
			if (mp_str(p, i.val, pr->path, sizeof(pr->path)) > 0 && pr->path[0] &&
			    pr->path[0] != '/') {
				char q[80];

				mp_err(p, i.val, "Invalid value: %s: must be an absolute path",
				       mp_quote(pr->path, strlen(pr->path), q, sizeof(q)));
			}
		} else if (strcmp(i.key, "port") == 0) {
			*port_pos = mp_pos(p, i.val);
			mp_probe_port(p, i.val, pr, &port_seen);
		} else if (strcmp(i.key, "scheme") == 0) {
			char scheme[16];

			if (mp_str(p, i.val, scheme, sizeof(scheme)) > 0 && strcmp(scheme, "HTTP") != 0) {
				char q[40];

				mp_err(p, i.val, "Unsupported value: %s: supported values: \"HTTP\"",
				       mp_quote(scheme, strlen(scheme), q, sizeof(q)));
			}
		} else if (strcmp(i.key, "host") == 0 || strcmp(i.key, "httpHeaders") == 0 ||
			   strcmp(i.key, "protocol") == 0) {
			mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!port_seen)
		mp_err_child(p, n, "port", "Required value");
}

static void mp_tcp_socket(struct mp *p, struct fy_node *n, struct model_probe *pr,
			  struct manifest_pos *port_pos)
{
	struct mp_iter i;
	bool port_seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	pr->kind = MODEL_PROBE_TCP;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "port") == 0) {
			*port_pos = mp_pos(p, i.val);
			mp_probe_port(p, i.val, pr, &port_seen);
		} else if (strcmp(i.key, "host") == 0) {
			mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!port_seen)
		mp_err_child(p, n, "port", "Required value");
}

/* A probe's integer field: 0 keeps the default, as in Kubernetes. */
static void mp_probe_int(struct mp *p, struct fy_node *n, int *out)
{
	long long v;

	if (mp_int(p, n, &v) <= 0)
		return;
	if (v < 0) {
		mp_err(p, n, "Invalid value: %lld: must be greater than or equal to 0", v);
		return;
	}
	if (v > 0)
		*out = (int)v;
}

static void mp_probe(struct mp *p, struct fy_node *n, struct model_probe *out,
		     struct manifest_pos *port_pos)
{
	/* Fields may come in any order, and defaults depend on the handler:
	 * read into zeros (0 means "default" for Kubernetes too), then lay
	 * the values over the handler's defaults. */
	struct model_probe tmp, *pr = &tmp;
	struct mp_iter i;
	int handlers = 0;

	memset(&tmp, 0, sizeof(tmp));
	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		long long iv;
		bool bv;
		/* `exec: null`, as some exporters write, is no handler */
		bool set = i.val && mp_type_of(p, i.val, &iv, &bv) != MP_NULL;

		if (strcmp(i.key, "httpGet") == 0) {
			if (set && ++handlers == 1)
				mp_http_get(p, i.val, pr, port_pos);
		} else if (strcmp(i.key, "tcpSocket") == 0) {
			if (set && ++handlers == 1)
				mp_tcp_socket(p, i.val, pr, port_pos);
		} else if (strcmp(i.key, "exec") == 0 || strcmp(i.key, "grpc") == 0) {
			if (set && ++handlers == 1)
				mp_ignored(p, &i);
		} else if (strcmp(i.key, "initialDelaySeconds") == 0) {
			mp_probe_int(p, i.val, &pr->initial_delay_s);
		} else if (strcmp(i.key, "periodSeconds") == 0) {
			mp_probe_int(p, i.val, &pr->period_s);
		} else if (strcmp(i.key, "timeoutSeconds") == 0) {
			mp_probe_int(p, i.val, &pr->timeout_s);
		} else if (strcmp(i.key, "successThreshold") == 0) {
			mp_probe_int(p, i.val, &pr->success_threshold);
		} else if (strcmp(i.key, "failureThreshold") == 0) {
			mp_probe_int(p, i.val, &pr->failure_threshold);
		} else if (strcmp(i.key, "terminationGracePeriodSeconds") == 0) {
			/* liveness/startup only in Kubernetes; harmless here */
		} else {
			mp_unknown(p, &i);
		}
	}
	if (handlers == 0)
		mp_err(p, n, "Required value: must specify a handler type");
	else if (handlers > 1)
		mp_err(p, n, "Forbidden: may not specify more than 1 handler type");
	model_probe_init(out, tmp.kind);
	if (tmp.kind == MODEL_PROBE_NONE)
		return;
	if (tmp.kind == MODEL_PROBE_HTTP && tmp.path[0])
		snprintf(out->path, sizeof(out->path), "%s", tmp.path);
	out->port = tmp.port;
	snprintf(out->port_name, sizeof(out->port_name), "%s", tmp.port_name);
	out->initial_delay_s = tmp.initial_delay_s;
	if (tmp.period_s)
		out->period_s = tmp.period_s;
	if (tmp.timeout_s)
		out->timeout_s = tmp.timeout_s;
	if (tmp.success_threshold)
		out->success_threshold = tmp.success_threshold;
	if (tmp.failure_threshold)
		out->failure_threshold = tmp.failure_threshold;
}

static void mp_container_port(struct mp *p, struct fy_node *n, struct model_container_port *cp)
{
	struct mp_iter i;
	bool port_seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	cp->proto = MODEL_PROTO_TCP;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "containerPort") == 0) {
			long long v;
			int r = mp_int(p, i.val, &v);

			if (r == 0)
				continue;
			port_seen = true;
			if (r < 0)
				continue;
			if (v < 1 || v > 65535)
				mp_err(p, i.val, "Invalid value: %lld: %s", v, mp_port_range_msg);
			else
				cp->port = (int)v;
		} else if (strcmp(i.key, "name") == 0) {
			char name[64], q[80];
			const char *why;

			if (mp_str(p, i.val, name, sizeof(name)) <= 0)
				continue;
			if ((why = mp_check_port_name(name)))
				mp_err(p, i.val, "Invalid value: %s: %s",
				       mp_quote(name, strlen(name), q, sizeof(q)), why);
			else
				mp_copy(cp->name, sizeof(cp->name), name);
		} else if (strcmp(i.key, "protocol") == 0) {
			char proto[16], q[40];

			if (mp_str(p, i.val, proto, sizeof(proto)) <= 0)
				continue;
			if (strcmp(proto, "TCP") == 0)
				cp->proto = MODEL_PROTO_TCP;
			else if (strcmp(proto, "UDP") == 0)
				cp->proto = MODEL_PROTO_UDP;
			else
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"TCP\", \"UDP\"",
				       mp_quote(proto, strlen(proto), q, sizeof(q)));
		} else if (strcmp(i.key, "hostPort") == 0 || strcmp(i.key, "hostIP") == 0) {
			mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!port_seen)
		mp_err_child(p, n, "containerPort", "Required value");
}

static void mp_env(struct mp *p, struct fy_node *n, struct model_env *e)
{
	struct mp_iter i;
	bool named = false;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "name") == 0) {
			const char *why;
			char q[160];

			if (mp_str(p, i.val, e->name, sizeof(e->name)) <= 0 || !e->name[0])
				continue;
			named = true;
			if ((why = mp_check_env_name(e->name)))
				mp_err(p, i.val, "Invalid value: %s: %s",
				       mp_quote(e->name, strlen(e->name), q, sizeof(q)), why);
		} else if (strcmp(i.key, "value") == 0) {
			mp_str(p, i.val, e->value, sizeof(e->value));
		} else if (strcmp(i.key, "valueFrom") == 0) {
			mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!named)
		mp_err_child(p, n, "name", "Required value");
}

/* A sequence of strings (command, args). */
static int mp_strings(struct mp *p, struct fy_node *n, char (*out)[MODEL_ARG_MAX], int max)
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

/* Iterates a sequence of at most max items, pushing "[i]" for each. */
struct mp_seq {
	struct fy_node *seq;
	void *it;
	int index;
	size_t saved;
	bool pushed;
	struct fy_node *item;
};

static bool mp_seq_start(struct mp *p, struct mp_seq *s, struct fy_node *n, int max)
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

static bool mp_seq_next(struct mp *p, struct mp_seq *s)
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

/* ---- lifecycle hooks ----------------------------------------------------- */

static void mp_hook_exec(struct mp *p, struct fy_node *n, struct model_hook *h)
{
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	h->kind = MODEL_HOOK_EXEC;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "command") == 0)
			h->n_command = mp_strings(p, i.val, h->command, MODEL_HOOK_MAX_ARGS);
		else
			mp_unknown(p, &i);
	}
	if (h->n_command == 0)
		mp_err_child(p, n, "command", "Required value");
}

static void mp_hook_header(struct mp *p, struct fy_node *n, struct model_http_header *hd)
{
	struct mp_iter i;
	bool named = false;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "name") == 0) {
			char q[96];
			bool ok = true;

			if (mp_str(p, i.val, hd->name, sizeof(hd->name)) <= 0 || !hd->name[0])
				continue;
			named = true;
			/* A header name is a token; the API server allows the
			 * letters, digits and '-' that real ones use. */
			for (const char *c = hd->name; *c; c++)
				ok = ok && (mp_alnum(*c) || *c == '-');
			if (!ok)
				mp_err(p, i.val, "Invalid value: %s: must consist of alphanumeric "
				       "characters or '-'", mp_quote(hd->name, strlen(hd->name), q,
								  sizeof(q)));
		} else if (strcmp(i.key, "value") == 0) {
			mp_str(p, i.val, hd->value, sizeof(hd->value));
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!named)
		mp_err_child(p, n, "name", "Required value");
}

static void mp_hook_http(struct mp *p, struct fy_node *n, struct model_hook *h)
{
	struct model_probe pr;
	struct mp_iter i;
	bool port_seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	memset(&pr, 0, sizeof(pr));
	h->kind = MODEL_HOOK_HTTP;
	snprintf(h->path, sizeof(h->path), "/");
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "path") == 0) {
			char path[MODEL_PATH_MAX], q[80];

			if (mp_str(p, i.val, path, sizeof(path)) <= 0 || !path[0])
				continue;
			if (path[0] != '/')
				mp_err(p, i.val, "Invalid value: %s: must be an absolute path",
				       mp_quote(path, strlen(path), q, sizeof(q)));
			else
				snprintf(h->path, sizeof(h->path), "%s", path);
		} else if (strcmp(i.key, "port") == 0) {
			/* The same IntOrString rules as a probe's port. */
			mp_probe_port(p, i.val, &pr, &port_seen);
		} else if (strcmp(i.key, "host") == 0) {
			mp_str(p, i.val, h->host, sizeof(h->host));
		} else if (strcmp(i.key, "scheme") == 0) {
			char scheme[16], q[40];

			if (mp_str(p, i.val, scheme, sizeof(scheme)) <= 0)
				continue;
			if (strcmp(scheme, "HTTPS") == 0)
				h->https = true;
			else if (strcmp(scheme, "HTTP") != 0)
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"HTTP\", "
				       "\"HTTPS\"", mp_quote(scheme, strlen(scheme), q, sizeof(q)));
		} else if (strcmp(i.key, "httpHeaders") == 0) {
			struct mp_seq s;

			if (!mp_seq_start(p, &s, i.val, MODEL_HOOK_MAX_HEADERS))
				continue;
			while (mp_seq_next(p, &s))
				mp_hook_header(p, s.item, &h->headers[h->n_headers++]);
		} else {
			mp_unknown(p, &i);
		}
	}
	h->port = pr.port;
	snprintf(h->port_name, sizeof(h->port_name), "%s", pr.port_name);
	if (!port_seen)
		mp_err_child(p, n, "port", "Required value");
}

static void mp_hook_sleep(struct mp *p, struct fy_node *n, struct model_hook *h)
{
	struct mp_iter i;
	bool seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	h->kind = MODEL_HOOK_SLEEP;
	while (mp_next(p, &i)) {
		long long v;

		if (strcmp(i.key, "seconds") != 0) {
			mp_unknown(p, &i);
			continue;
		}
		if (mp_int(p, i.val, &v) <= 0)
			continue;
		seen = true;
		/* The upper bound, terminationGracePeriodSeconds, is the pod's:
		 * mp_pod_spec checks it once the whole spec is read. */
		if (v < 0)
			mp_err(p, i.val, "Invalid value: %lld: must be greater than or equal to 0", v);
		else
			h->sleep_s = (int)v;
	}
	if (!seen)
		mp_err_child(p, n, "seconds", "Required value");
}

/* A LifecycleHandler: exactly one of exec, httpGet, sleep. */
static void mp_hook(struct mp *p, struct fy_node *n, struct model_hook *h)
{
	struct mp_iter i;
	int handlers = 0;

	memset(h, 0, sizeof(*h));
	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (!i.val && (strcmp(i.key, "exec") == 0 || strcmp(i.key, "httpGet") == 0 ||
			       strcmp(i.key, "sleep") == 0 || strcmp(i.key, "tcpSocket") == 0))
			continue;
		if (strcmp(i.key, "exec") == 0) {
			if (++handlers == 1)
				mp_hook_exec(p, i.val, h);
		} else if (strcmp(i.key, "httpGet") == 0) {
			if (++handlers == 1)
				mp_hook_http(p, i.val, h);
		} else if (strcmp(i.key, "sleep") == 0) {
			if (++handlers == 1)
				mp_hook_sleep(p, i.val, h);
		} else if (strcmp(i.key, "tcpSocket") == 0) {
			/* Kept by the API for old objects; kubelet fails it at run
			 * time. Here it is no hook at all. */
			if (++handlers == 1)
				mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
	if (handlers == 0)
		mp_err(p, n, "Required value: must specify a handler type");
	else if (handlers > 1)
		mp_err(p, n, "Forbidden: may not specify more than 1 handler type");
	if (handlers != 1)
		memset(h, 0, sizeof(*h));
}

static void mp_lifecycle(struct mp *p, struct fy_node *n, struct model_container *c)
{
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "preStop") == 0) {
			if (i.val)
				mp_hook(p, i.val, &c->pre_stop);
		} else if (strcmp(i.key, "postStart") == 0 || strcmp(i.key, "stopSignal") == 0) {
			mp_ignored(p, &i);
		} else {
			mp_unknown(p, &i);
		}
	}
}

/* sleep.seconds may not exceed the pod's grace period, which is known only
 * once the pod spec is read (its fields come in any order). */
static void mp_pod_hooks_check(struct mp *p, struct fy_node *pod_spec,
			       const struct model_pod_spec *ps)
{
	static const char *const path[] = { "lifecycle", "preStop", "sleep", "seconds" };
	struct fy_node *containers = mp_lookup(p, pod_spec, "containers");

	for (int c = 0; c < ps->n_containers; c++) {
		const struct model_hook *h = &ps->containers[c].pre_stop;
		struct fy_node *at = NULL;
		char field[MP_PATH_MAX + 96];

		if (h->kind != MODEL_HOOK_SLEEP || h->sleep_s <= ps->termination_grace_s)
			continue;
		if (containers && fy_node_is_sequence(containers))
			at = fy_node_sequence_get_by_index(containers, c);
		at = at ? mp_deref(p, at) : NULL;
		for (int k = 0; at && k < 4; k++)
			at = mp_deref(p, mp_lookup(p, at, path[k]));
		snprintf(field, sizeof(field), "%s%scontainers[%d].lifecycle.preStop.sleep.seconds",
			 p->path, p->plen ? "." : "", c);
		manifest_add_error(p->m, at ? mp_pos(p, at) : mp_pos(p, pod_spec), field,
				   "Invalid value: %d: must be non-negative and less than "
				   "terminationGracePeriodSeconds (%d)", h->sleep_s,
				   ps->termination_grace_s);
	}
}

static void mp_container(struct mp *p, struct fy_node *n, struct model_container *c)
{
	static const char *const silent[] = {
		"imagePullPolicy", "resources", "terminationMessagePath",
		"terminationMessagePolicy", "securityContext", "stdin", "stdinOnce", "tty", NULL,
	};
	static const char *const ignored[] = {
		"livenessProbe", "startupProbe", "volumeMounts", "volumeDevices",
		"workingDir", "envFrom", "resizePolicy", "restartPolicy", "restartPolicyRules",
		NULL,
	};
	struct manifest_pos probe_port_pos = { 0, 0 };
	struct fy_node *probe_node = NULL;
	struct mp_iter i;
	bool named = false, imaged = false;
	size_t base = p->plen;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "name") == 0) {
			const char *why;
			char q[96];

			if (mp_str(p, i.val, c->name, sizeof(c->name)) <= 0 || !c->name[0])
				continue;
			named = true;
			if ((why = manifest_check_dns1123_label(c->name)))
				mp_err(p, i.val, "Invalid value: %s: %s",
				       mp_quote(c->name, strlen(c->name), q, sizeof(q)), why);
		} else if (strcmp(i.key, "image") == 0) {
			if (mp_str(p, i.val, c->image, sizeof(c->image)) > 0 && c->image[0])
				imaged = true;
		} else if (strcmp(i.key, "command") == 0) {
			c->n_command = mp_strings(p, i.val, c->command, MODEL_MAX_ARGS);
		} else if (strcmp(i.key, "args") == 0) {
			c->n_args = mp_strings(p, i.val, c->args, MODEL_MAX_ARGS);
		} else if (strcmp(i.key, "env") == 0) {
			struct mp_seq s;

			if (!mp_seq_start(p, &s, i.val, MODEL_MAX_ENV))
				continue;
			while (mp_seq_next(p, &s))
				mp_env(p, s.item, &c->env[c->n_env++]);
		} else if (strcmp(i.key, "ports") == 0) {
			struct mp_seq s;

			if (!mp_seq_start(p, &s, i.val, MODEL_MAX_PORTS))
				continue;
			while (mp_seq_next(p, &s))
				mp_container_port(p, s.item, &c->ports[c->n_ports++]);
		} else if (strcmp(i.key, "readinessProbe") == 0) {
			if (!i.val)
				continue;
			probe_node = i.val;
			mp_probe(p, i.val, &c->readiness, &probe_port_pos);
		} else if (strcmp(i.key, "lifecycle") == 0) {
			if (i.val)
				mp_lifecycle(p, i.val, c);
		} else if (mp_key_in(i.key, ignored)) {
			mp_ignored(p, &i);
		} else if (!mp_key_in(i.key, silent)) {
			mp_unknown(p, &i);
		}
	}
	if (!named)
		mp_err_child(p, n, "name", "Required value");
	if (!imaged)
		mp_err_child(p, n, "image", "Required value");
	/* A named probe port must be one of this container's ports, or the
	 * pod could never become ready. */
	if (c->readiness.kind != MODEL_PROBE_NONE && c->readiness.port_name[0]) {
		bool found = false;

		for (int k = 0; k < c->n_ports; k++)
			if (strcmp(c->ports[k].name, c->readiness.port_name) == 0)
				found = true;
		if (!found) {
			char field[MP_PATH_MAX + 64];

			snprintf(field, sizeof(field), "%.*s.readinessProbe.%s.port", (int)base,
				 p->path, c->readiness.kind == MODEL_PROBE_HTTP ? "httpGet" : "tcpSocket");
			manifest_add_error(p->m, probe_port_pos.line ? probe_port_pos : mp_pos(p, probe_node),
					   field, "Invalid value: \"%s\": no containerPort named \"%s\" "
					   "in this container", c->readiness.port_name,
					   c->readiness.port_name);
		}
	}
}

/* One topologySpreadConstraint, checked as the API server checks it; the
 * first over kubernetes.io/hostname is kept (the lab's nodes have no other
 * topology label). The pods counted are the group's (its template's), as
 * the usual labelSelector selects them. */
static void mp_spread(struct mp *p, struct fy_node *n, struct model_pod_spec *ps)
{
	static const char *const silent[] = {
		"labelSelector", "matchLabelKeys", "minDomains", "nodeAffinityPolicy",
		"nodeTaintsPolicy", NULL,
	};
	char key[MODEL_KEY_MAX + 1] = "", when[32] = "", q[MODEL_KEY_MAX + 8];
	long long skew = 0;
	bool has_skew = false;
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "maxSkew") == 0) {
			if (mp_int(p, i.val, &skew) <= 0)
				continue;
			has_skew = true;
			if (skew <= 0 || skew > INT32_MAX)
				mp_err(p, i.val, "Invalid value: %lld: must be greater than zero", skew);
		} else if (strcmp(i.key, "topologyKey") == 0) {
			mp_str(p, i.val, key, sizeof(key));
		} else if (strcmp(i.key, "whenUnsatisfiable") == 0) {
			if (mp_str(p, i.val, when, sizeof(when)) > 0 &&
			    strcmp(when, "DoNotSchedule") != 0 && strcmp(when, "ScheduleAnyway") != 0)
				mp_err(p, i.val, "Unsupported value: %s: supported values: "
				       "\"DoNotSchedule\", \"ScheduleAnyway\"",
				       mp_quote(when, strlen(when), q, sizeof(q)));
		} else if (!mp_key_in(i.key, silent)) {
			mp_unknown(p, &i);
		}
	}
	if (!has_skew)
		mp_err_child(p, n, "maxSkew", "Required value");
	if (!key[0])
		mp_err_child(p, n, "topologyKey", "Required value: can not be empty");
	if (!when[0])
		mp_err_child(p, n, "whenUnsatisfiable", "Required value");
	if (key[0] && strcmp(key, MODEL_SPREAD_KEY) != 0) {
		mp_warn(p, mp_pos(p, n), "%s: topologyKey %s: the lab's only topology domain is "
			MODEL_SPREAD_KEY " (one per node); this constraint is not applied", p->path,
			mp_quote(key, strlen(key), q, sizeof(q)));
		return;
	}
	if (key[0] && has_skew && skew > 0 && skew <= INT32_MAX && !ps->spread_max_skew) {
		ps->spread_max_skew = (int)skew;
		ps->spread_hard = strcmp(when, "DoNotSchedule") == 0;
	}
}

static void mp_pod_spec(struct mp *p, struct fy_node *n, struct model_pod_spec *ps, bool *has_containers)
{
	static const char *const silent[] = {
		"dnsPolicy", "schedulerName", "serviceAccountName", "serviceAccount",
		"securityContext", "imagePullSecrets", "enableServiceLinks",
		"automountServiceAccountToken", "priorityClassName", "priority",
		"preemptionPolicy", "resources", NULL,
	};
	static const char *const ignored[] = {
		"initContainers", "volumes", "nodeSelector", "nodeName", "affinity", "tolerations",
		"hostNetwork", "hostPID", "hostIPC", "dnsConfig",
		"hostAliases", "shareProcessNamespace", "activeDeadlineSeconds", "readinessGates",
		"runtimeClassName", "overhead", "os", "ephemeralContainers", "setHostnameAsFQDN",
		"resourceClaims", "schedulingGates", "hostname", "subdomain", "hostUsers",
		"hostnameOverride", "schedulingGroup", "evictionResponders", NULL,
	};
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "containers") == 0) {
			struct mp_seq s;

			if (!mp_seq_start(p, &s, i.val, MODEL_MAX_CONTAINERS))
				continue;
			if (fy_node_sequence_item_count(s.seq) > 0)
				*has_containers = true;
			while (mp_seq_next(p, &s)) {
				struct model_container *c = &ps->containers[ps->n_containers++];

				mp_container(p, s.item, c);
				/* The API server names the second of two equal names. */
				for (int k = 0; k < ps->n_containers - 1 && c->name[0]; k++)
					if (strcmp(ps->containers[k].name, c->name) == 0)
						mp_err_child(p, s.item, "name", "Duplicate value: \"%s\"",
							     c->name);
			}
		} else if (strcmp(i.key, "terminationGracePeriodSeconds") == 0) {
			long long v;

			if (mp_int(p, i.val, &v) <= 0)
				continue;
			if (v < 0)
				mp_err(p, i.val, "Invalid value: %lld: must be greater than or equal to 0", v);
			else
				ps->termination_grace_s = (int)v;
		} else if (strcmp(i.key, "topologySpreadConstraints") == 0) {
			struct mp_seq s;

			if (!mp_seq_start(p, &s, i.val, 64))
				continue;
			while (mp_seq_next(p, &s))
				mp_spread(p, s.item, ps);
		} else if (strcmp(i.key, "restartPolicy") == 0) {
			char rp[32], q[48];

			if (mp_str(p, i.val, rp, sizeof(rp)) > 0 && strcmp(rp, "Always") != 0)
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"Always\"",
				       mp_quote(rp, strlen(rp), q, sizeof(q)));
		} else if (mp_key_in(i.key, ignored)) {
			mp_ignored(p, &i);
		} else if (!mp_key_in(i.key, silent)) {
			mp_unknown(p, &i);
		}
	}
	mp_pod_hooks_check(p, mp_deref(p, n), ps);
}

/* Where item k of a sequence (or its field) is; the sequence if unknown. */
static struct manifest_pos mp_item_pos(struct mp *p, struct fy_node *seq, int k, const char *field)
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

/* Container port names are unique across the pod. */
static void mp_pod_port_names(struct mp *p, struct fy_node *pod_spec,
			      const struct model_pod_spec *ps, const char *base)
{
	struct fy_node *containers = pod_spec && fy_node_is_mapping(pod_spec)
		? mp_lookup(p, pod_spec, "containers") : NULL;

	for (int c = 0; c < ps->n_containers; c++) {
		for (int k = 0; k < ps->containers[c].n_ports; k++) {
			const char *name = ps->containers[c].ports[k].name;
			bool dup = false;

			if (!name[0])
				continue;
			for (int c2 = 0; c2 <= c && !dup; c2++)
				for (int k2 = 0; k2 < (c2 == c ? k : ps->containers[c2].n_ports); k2++)
					if (strcmp(ps->containers[c2].ports[k2].name, name) == 0)
						dup = true;
			if (dup) {
				char field[MP_PATH_MAX + 64];
				struct fy_node *cn = NULL, *ports = NULL;

				if (containers && fy_node_is_sequence(containers))
					cn = fy_node_sequence_get_by_index(containers, c);
				if (cn && fy_node_is_mapping(cn))
					ports = mp_lookup(p, cn, "ports");
				snprintf(field, sizeof(field), "%s.containers[%d].ports[%d].name", base, c, k);
				manifest_add_error(p->m, mp_item_pos(p, ports ? ports : pod_spec, k, "name"),
						   field, "Duplicate value: \"%s\"", name);
			}
		}
	}
}

static void mp_int_or_percent(struct mp *p, struct fy_node *n, struct model_int_or_percent *out,
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

/* A Deployment's spec.strategy, or a DaemonSet's spec.updateStrategy
 * (RollingUpdate only: the lab's controller rolls every DaemonSet). */
static void mp_strategy(struct mp *p, struct fy_node *n, struct model_deployment *d)
{
	struct mp_iter i;
	struct fy_node *ru_node = NULL, *unavail_node = NULL;
	bool recreate = false, set = false;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "type") == 0) {
			char type[32], q[48];

			if (mp_str(p, i.val, type, sizeof(type)) <= 0)
				continue;
			if (d->daemon_set && strcmp(type, "RollingUpdate") != 0)
				mp_err(p, i.val, "Unsupported value: %s: supported values: "
				       "\"RollingUpdate\" (a clientip lab does not do \"OnDelete\")",
				       mp_quote(type, strlen(type), q, sizeof(q)));
			else if (strcmp(type, "Recreate") == 0)
				recreate = true;
			else if (strcmp(type, "RollingUpdate") != 0)
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"Recreate\", "
				       "\"RollingUpdate\"", mp_quote(type, strlen(type), q, sizeof(q)));
		} else if (strcmp(i.key, "rollingUpdate") == 0) {
			struct mp_iter j;

			if (!i.val || !mp_iter_start(p, &j, i.val))
				continue;
			ru_node = i.val;
			while (mp_next(p, &j)) {
				if (strcmp(j.key, "maxSurge") == 0) {
					mp_int_or_percent(p, j.val, &d->max_surge, &set);
				} else if (strcmp(j.key, "maxUnavailable") == 0) {
					unavail_node = j.val;
					mp_int_or_percent(p, j.val, &d->max_unavailable, &set);
				} else {
					mp_unknown(p, &j);
				}
			}
		} else {
			mp_unknown(p, &i);
		}
	}
	if (recreate) {
		if (ru_node) {
			mp_err_child(p, ru_node, "rollingUpdate", "Forbidden: may not be specified "
				     "when strategy `type` is 'Recreate'");
			return;
		}
		/* Recreate is a rolling update that stops every old pod before
		 * starting any new one. */
		d->max_surge = (struct model_int_or_percent){ 0, false };
		d->max_unavailable = (struct model_int_or_percent){ 100, true };
		return;
	}
	if (d->max_unavailable.percent && d->max_unavailable.value > 100) {
		size_t old = mp_push(p, "rollingUpdate.maxUnavailable");

		mp_err(p, unavail_node, "Invalid value: \"%d%%\": must not be greater than 100%%",
		       d->max_unavailable.value);
		mp_pop(p, old);
	}
	if (d->max_surge.value == 0 && d->max_unavailable.value == 0) {
		size_t old = mp_push(p, "rollingUpdate.maxUnavailable");

		if (d->max_unavailable.percent)
			mp_err(p, unavail_node ? unavail_node : ru_node,
			       "Invalid value: \"0%%\": may not be 0 when `maxSurge` is 0");
		else
			mp_err(p, unavail_node ? unavail_node : ru_node,
			       "Invalid value: 0: may not be 0 when `maxSurge` is 0");
		mp_pop(p, old);
	}
}

static void mp_template(struct mp *p, struct fy_node *n, struct model_deployment *d,
			struct fy_node **labels_node, bool *has_containers)
{
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "metadata") == 0) {
			/* The rest of ObjectMeta: the controller sets
			 * these on each pod itself. */
			static const char *const silent[] = {
				"name", "namespace", "creationTimestamp", "generateName", "uid",
				"resourceVersion", "selfLink", "generation", "deletionTimestamp",
				"deletionGracePeriodSeconds", "ownerReferences", "finalizers",
				"managedFields", NULL,
			};
			struct mp_iter j;

			if (!i.val || !mp_iter_start(p, &j, i.val))
				continue;
			while (mp_next(p, &j)) {
				if (strcmp(j.key, "labels") == 0) {
					*labels_node = j.val;
					mp_map(p, j.val, &d->template_labels, MP_MAP_LABELS);
				} else if (strcmp(j.key, "annotations") == 0) {
					mp_map(p, j.val, &d->template_annotations, MP_MAP_ANNOTATIONS);
				} else if (!mp_key_in(j.key, silent)) {
					mp_unknown(p, &j);
				}
			}
		} else if (strcmp(i.key, "spec") == 0) {
			if (i.val)
				mp_pod_spec(p, i.val, &d->pod, has_containers);
			mp_pod_port_names(p, i.val, &d->pod, p->path);
		} else {
			mp_unknown(p, &i);
		}
	}
}

static void mp_map_go(const struct model_map *m, char *buf, size_t len)
{
	size_t o = 0;

	o += (size_t)snprintf(buf, len, "map[string]string{");
	for (int k = 0; k < m->n && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s\"%s\":\"%s\"", k ? ", " : "",
				      m->items[k].key, m->items[k].value);
	if (o < len)
		snprintf(buf + o, len - o, "}");
	if (m->n == 0)
		snprintf(buf, len, "map[string]string(nil)");
}

/* A Deployment, or a DaemonSet (daemon_set): no replicas, and its
 * strategy is spec.updateStrategy. */
static void mp_deployment(struct mp *p, struct fy_node *root, struct manifest_object *o,
			  bool daemon_set)
{
	struct model_deployment *d = &o->deployment;
	struct fy_node *spec_node = NULL, *sel_node = NULL, *labels_node = NULL, *tmpl_node = NULL;
	bool named = false, has_containers = false, sel_seen = false;
	struct mp_iter i;

	if (daemon_set)
		model_daemonset_init(d);
	else
		model_deployment_init(d);
	snprintf(d->meta.ns, sizeof(d->meta.ns), "%s", p->default_ns);
	if (!mp_iter_start(p, &i, root))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "apiVersion") == 0 || strcmp(i.key, "kind") == 0 ||
		    strcmp(i.key, "status") == 0)
			continue;
		if (strcmp(i.key, "metadata") == 0) {
			mp_meta(p, i.val, &d->meta, o, MP_NAME_SUBDOMAIN, &named);
		} else if (strcmp(i.key, "spec") == 0) {
			struct mp_iter j;
			static const char *const silent[] = {
				"revisionHistoryLimit", "progressDeadlineSeconds", NULL,
			};
			static const char *const ds_silent[] = { "revisionHistoryLimit", NULL };

			spec_node = i.val;
			if (!i.val || !mp_iter_start(p, &j, i.val))
				continue;
			while (mp_next(p, &j)) {
				if (strcmp(j.key, "replicas") == 0 && !daemon_set) {
					long long v;

					if (mp_int(p, j.val, &v) <= 0)
						continue;
					if (v < 0)
						mp_err(p, j.val, "Invalid value: %lld: must be greater than "
						       "or equal to 0", v);
					else if (v > 1000)
						mp_err(p, j.val, "Invalid value: %lld: must be no more than "
						       "1000 in a lab", v);
					else
						d->replicas = (int)v;
					o->replicas_set = true;
				} else if (strcmp(j.key, "selector") == 0) {
					struct mp_iter k;

					sel_node = j.val;
					o->selector_pos = mp_pos(p, j.val);
					if (!j.val || !mp_iter_start(p, &k, j.val))
						continue;
					sel_seen = true;
					while (mp_next(p, &k)) {
						if (strcmp(k.key, "matchLabels") == 0) {
							mp_map(p, k.val, &d->selector, MP_MAP_LABELS);
						} else if (strcmp(k.key, "matchExpressions") == 0) {
							if (k.val && (!fy_node_is_sequence(k.val) ||
								      fy_node_sequence_item_count(k.val) > 0))
								mp_err(p, k.val, "Forbidden: not supported by "
								       "clientip; use matchLabels");
						} else {
							mp_unknown(p, &k);
						}
					}
				} else if (strcmp(j.key, "template") == 0) {
					tmpl_node = j.val;
					if (j.val)
						mp_template(p, j.val, d, &labels_node, &has_containers);
				} else if (strcmp(j.key, daemon_set ? "updateStrategy" : "strategy") == 0) {
					if (j.val)
						mp_strategy(p, j.val, d);
				} else if (strcmp(j.key, "minReadySeconds") == 0 ||
					   (strcmp(j.key, "paused") == 0 && !daemon_set)) {
					mp_ignored(p, &j);
				} else if (!mp_key_in(j.key, daemon_set ? ds_silent : silent)) {
					mp_unknown(p, &j);
				}
			}
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!named)
		manifest_add_error(p->m, o->pos, "metadata.name",
				   "Required value: name or generateName is required");
	if (!sel_seen) {
		manifest_add_error(p->m, spec_node ? mp_pos(p, spec_node) : o->pos, "spec.selector",
				   "Required value");
	} else if (d->selector.n == 0) {
		manifest_add_error(p->m, mp_pos(p, sel_node), "spec.selector",
				   "Invalid value: {}: empty selector is invalid for %s",
				   daemon_set ? "daemonset" : "deployment");
	} else if (!model_selector_matches(&d->selector, &d->template_labels)) {
		char go[512];

		mp_map_go(&d->template_labels, go, sizeof(go));
		manifest_add_error(p->m, labels_node ? mp_pos(p, labels_node)
				   : tmpl_node ? mp_pos(p, tmpl_node) : o->selector_pos,
				   "spec.template.metadata.labels",
				   "Invalid value: %s: `selector` does not match template `labels`", go);
	}
	if (!has_containers)
		manifest_add_error(p->m, tmpl_node ? mp_pos(p, tmpl_node)
				   : spec_node ? mp_pos(p, spec_node) : o->pos,
				   "spec.template.spec.containers", "Required value");
}

/* ---- Service ------------------------------------------------------------- */

static void mp_service_port(struct mp *p, struct fy_node *n, struct model_service_port *sp,
			    struct manifest_pos *node_port_pos)
{
	struct mp_iter i;
	bool port_seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	sp->proto = MODEL_PROTO_TCP;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "name") == 0) {
			const char *why;
			char q[96];

			if (mp_str(p, i.val, sp->name, sizeof(sp->name)) <= 0 || !sp->name[0])
				continue;
			if ((why = manifest_check_dns1123_label(sp->name)))
				mp_err(p, i.val, "Invalid value: %s: %s",
				       mp_quote(sp->name, strlen(sp->name), q, sizeof(q)), why);
		} else if (strcmp(i.key, "protocol") == 0) {
			char proto[16], q[40];

			if (mp_str(p, i.val, proto, sizeof(proto)) <= 0)
				continue;
			if (strcmp(proto, "TCP") == 0)
				sp->proto = MODEL_PROTO_TCP;
			else if (strcmp(proto, "UDP") == 0)
				sp->proto = MODEL_PROTO_UDP;
			else
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"TCP\", \"UDP\"",
				       mp_quote(proto, strlen(proto), q, sizeof(q)));
		} else if (strcmp(i.key, "port") == 0) {
			long long v;
			int r = mp_int(p, i.val, &v);

			if (r != 0)
				port_seen = true;
			if (r <= 0)
				continue;
			if (v < 1 || v > 65535)
				mp_err(p, i.val, "Invalid value: %lld: %s", v, mp_port_range_msg);
			else
				sp->port = (int)v;
		} else if (strcmp(i.key, "targetPort") == 0) {
			long long num = 0;
			char name[32], q[64];
			const char *why;
			int r = mp_int_or_str(p, i.val, &num, name, sizeof(name));

			if (r == 1) {
				/* 0 means "same as port", as the API server defaults it */
				if (num < 0 || num > 65535)
					mp_err(p, i.val, "Invalid value: %lld: %s", num, mp_port_range_msg);
				else
					sp->target_port = (int)num;
			} else if (r == 2 && name[0]) {
				if ((why = mp_check_port_name(name)))
					mp_err(p, i.val, "Invalid value: %s: %s",
					       mp_quote(name, strlen(name), q, sizeof(q)), why);
				else
					mp_copy(sp->target_port_name, sizeof(sp->target_port_name),
						name);
			}
		} else if (strcmp(i.key, "nodePort") == 0) {
			long long v;

			*node_port_pos = mp_pos(p, i.val);
			if (mp_int(p, i.val, &v) <= 0 || v == 0)
				continue;
			if (v < LAB_NODEPORT_MIN || v > LAB_NODEPORT_MAX)
				mp_err(p, i.val, "Invalid value: %lld: provided port is not in the valid "
				       "range. The range of valid ports is %d-%d", v, LAB_NODEPORT_MIN,
				       LAB_NODEPORT_MAX);
			else
				sp->node_port = (int)v;
		} else if (strcmp(i.key, "appProtocol") == 0) {
			/* The load balancer picks an HTTP probe for http/https,
			 * as cloud-provider-azure does. */
			mp_str(p, i.val, sp->app_protocol, sizeof(sp->app_protocol));
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!port_seen)
		mp_err_child(p, n, "port", "Invalid value: 0: %s", mp_port_range_msg);
	if (sp->target_port == 0 && sp->target_port_name[0] == '\0')
		sp->target_port = sp->port;
}

static bool mp_ipv4(const char *s, struct in_addr *out)
{
	return inet_pton(AF_INET, s, out) == 1;
}

struct mp_svc_seen {
	struct fy_node *ports, *etp, *itp, *hc, *affinity_cfg, *lb_ip, *spec, *src_ranges;
	bool etp_set, affinity_cfg_set, cluster_ip_seen;
	char etp_value[32];
	char cluster_ip[64];
	char cluster_ips0[64];
	bool has_cluster_ips;
	int timeout_s;
};

static void mp_traffic_policy(struct mp *p, struct fy_node *n, enum model_traffic_policy *out,
			      bool *set, char *raw, size_t rawlen)
{
	char v[32], q[48];

	if (mp_str(p, n, v, sizeof(v)) <= 0 || !v[0])
		return;
	if (raw)
		snprintf(raw, rawlen, "%s", v);
	if (set)
		*set = true;
	if (strcmp(v, "Cluster") == 0)
		*out = MODEL_POLICY_CLUSTER;
	else if (strcmp(v, "Local") == 0)
		*out = MODEL_POLICY_LOCAL;
	else
		mp_err(p, n, "Unsupported value: %s: supported values: \"Cluster\", \"Local\"",
		       mp_quote(v, strlen(v), q, sizeof(q)));
}

/* One spec.externalIPs item: ValidateNonSpecialIP's rules, IPv4 only. */
static bool mp_external_ip(struct mp *p, struct fy_node *n, const char *ip, struct in_addr *out)
{
	char q[80];
	uint32_t h;

	mp_quote(ip, strlen(ip), q, sizeof(q));
	if (!mp_ipv4(ip, out)) {
		mp_err(p, n, "Invalid value: %s: must be a valid IPv4 address", q);
		return false;
	}
	h = ntohl(out->s_addr);
	if (h == 0)
		mp_err(p, n, "Invalid value: %s: may not be unspecified (0.0.0.0)", q);
	else if ((h >> 24) == 127)
		mp_err(p, n, "Invalid value: %s: may not be in the loopback range "
		       "(127.0.0.0/8)", q);
	else if ((h >> 16) == 0xa9fe)
		mp_err(p, n, "Invalid value: %s: may not be in the link-local range "
		       "(169.254.0.0/16)", q);
	else if ((h >> 28) == 0xe)
		mp_err(p, n, "Invalid value: %s: may not be in the multicast range "
		       "(224.0.0.0/4)", q);
	else
		return true;
	return false;
}

/* One spec.loadBalancerSourceRanges item, "a.b.c.d/n" (surrounding blanks
 * allowed, as the API server trims them); host bits are cleared. */
static bool mp_source_range(struct mp *p, struct fy_node *n, const char *v,
			    struct model_cidr4 *out)
{
	char buf[64], q[80], *slash, *end = NULL;
	size_t len;
	long bits = -1;

	while (*v == ' ' || *v == '\t')
		v++;
	snprintf(buf, sizeof(buf), "%s", v);
	len = strlen(buf);
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
	}
	if (!slash || !slash[1] || *end || errno || bits < 0 || bits > 32 ||
	    !mp_ipv4(buf, &out->addr)) {
		mp_err(p, n, "Invalid value: %s: must be a valid CIDR value, (e.g. 10.9.8.0/24)",
		       mp_quote(v, strlen(v), q, sizeof(q)));
		return false;
	}
	out->prefix = (int)bits;
	out->addr.s_addr &= bits ? htonl(0xffffffffu << (32 - bits)) : 0;
	return true;
}

static void mp_service_spec(struct mp *p, struct fy_node *n, struct manifest_object *o,
			    struct mp_svc_seen *seen)
{
	static const char *const silent[] = {
		"ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts", NULL,
	};
	static const char *const ignored[] = {
		"publishNotReadyAddresses", "loadBalancerClass", "trafficDistribution",
		"externalName", NULL,
	};
	struct model_service *s = &o->service;
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	seen->spec = n;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "type") == 0) {
			char type[32], q[48];

			if (mp_str(p, i.val, type, sizeof(type)) <= 0 || !type[0])
				continue;
			if (strcmp(type, "ClusterIP") == 0)
				s->type = MODEL_SVC_CLUSTER_IP;
			else if (strcmp(type, "NodePort") == 0)
				s->type = MODEL_SVC_NODE_PORT;
			else if (strcmp(type, "LoadBalancer") == 0)
				s->type = MODEL_SVC_LOAD_BALANCER;
			else
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"ClusterIP\", "
				       "\"LoadBalancer\", \"NodePort\"",
				       mp_quote(type, strlen(type), q, sizeof(q)));
		} else if (strcmp(i.key, "selector") == 0) {
			mp_map(p, i.val, &s->selector, MP_MAP_LABELS);
		} else if (strcmp(i.key, "ports") == 0) {
			struct mp_seq q;

			seen->ports = i.val;
			if (!mp_seq_start(p, &q, i.val, MODEL_MAX_PORTS))
				continue;
			while (mp_seq_next(p, &q)) {
				mp_service_port(p, q.item, &s->ports[s->n_ports],
						&o->node_port_pos[s->n_ports]);
				s->n_ports++;
			}
		} else if (strcmp(i.key, "clusterIP") == 0) {
			seen->cluster_ip_seen = true;
			o->cluster_ip_pos = mp_pos(p, i.val);
			mp_str(p, i.val, seen->cluster_ip, sizeof(seen->cluster_ip));
		} else if (strcmp(i.key, "clusterIPs") == 0) {
			struct mp_seq q;

			if (!mp_seq_start(p, &q, i.val, 2))
				continue;
			while (mp_seq_next(p, &q)) {
				char ip[64];

				if (mp_str(p, q.item, ip, sizeof(ip)) <= 0)
					continue;
				if (q.index == 0) {
					snprintf(seen->cluster_ips0, sizeof(seen->cluster_ips0), "%s", ip);
					seen->has_cluster_ips = true;
					if (!seen->cluster_ip_seen)
						o->cluster_ip_pos = mp_pos(p, q.item);
				} else {
					mp_err(p, q.item, "Forbidden: clientip Services are single-stack "
					       "IPv4: one cluster IP only");
				}
			}
		} else if (strcmp(i.key, "externalTrafficPolicy") == 0) {
			seen->etp = i.val;
			mp_traffic_policy(p, i.val, &s->external_policy, &seen->etp_set,
					  seen->etp_value, sizeof(seen->etp_value));
		} else if (strcmp(i.key, "internalTrafficPolicy") == 0) {
			seen->itp = i.val;
			mp_traffic_policy(p, i.val, &s->internal_policy, NULL, NULL, 0);
		} else if (strcmp(i.key, "healthCheckNodePort") == 0) {
			long long v;

			seen->hc = i.val;
			o->hc_node_port_pos = mp_pos(p, i.val);
			if (mp_int(p, i.val, &v) <= 0 || v == 0)
				continue;
			if (v < LAB_NODEPORT_MIN || v > LAB_NODEPORT_MAX)
				mp_err(p, i.val, "Invalid value: %lld: provided port is not in the valid "
				       "range. The range of valid ports is %d-%d", v, LAB_NODEPORT_MIN,
				       LAB_NODEPORT_MAX);
			else
				s->health_check_node_port = (int)v;
		} else if (strcmp(i.key, "sessionAffinity") == 0) {
			char v[32], q[48];

			if (mp_str(p, i.val, v, sizeof(v)) <= 0 || !v[0])
				continue;
			if (strcmp(v, "ClientIP") == 0)
				s->affinity_client_ip = true;
			else if (strcmp(v, "None") == 0)
				s->affinity_client_ip = false;
			else
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"ClientIP\", "
				       "\"None\"", mp_quote(v, strlen(v), q, sizeof(q)));
		} else if (strcmp(i.key, "sessionAffinityConfig") == 0) {
			struct mp_iter j, k;

			if (!i.val || !mp_iter_start(p, &j, i.val))
				continue;
			seen->affinity_cfg = i.val;
			while (mp_next(p, &j)) {
				if (strcmp(j.key, "clientIP") != 0) {
					mp_unknown(p, &j);
					continue;
				}
				if (!j.val || !mp_iter_start(p, &k, j.val))
					continue;
				while (mp_next(p, &k)) {
					long long v;

					if (strcmp(k.key, "timeoutSeconds") != 0) {
						mp_unknown(p, &k);
						continue;
					}
					if (mp_int(p, k.val, &v) <= 0)
						continue;
					seen->affinity_cfg_set = true;
					seen->timeout_s = (int)v;
					if (v <= 0 || v > 86400)
						mp_err(p, k.val, "Invalid value: %lld: must be greater than 0 "
						       "and less than 86400", v);
					else
						s->affinity_timeout_s = (int)v;
				}
			}
		} else if (strcmp(i.key, "loadBalancerIP") == 0) {
			char ip[64], q[80];

			if (mp_str(p, i.val, ip, sizeof(ip)) <= 0 || !ip[0])
				continue;
			seen->lb_ip = i.val;
			if (!mp_ipv4(ip, &s->load_balancer_ip))
				mp_err(p, i.val, "Invalid value: %s: must be a valid IPv4 address",
				       mp_quote(ip, strlen(ip), q, sizeof(q)));
		} else if (strcmp(i.key, "externalIPs") == 0) {
			struct mp_seq q;

			if (!mp_seq_start(p, &q, i.val, MODEL_MAX_EXTERNAL_IPS))
				continue;
			while (mp_seq_next(p, &q)) {
				char ip[64];
				struct in_addr a;

				if (mp_str(p, q.item, ip, sizeof(ip)) < 0)
					continue;
				if (mp_external_ip(p, q.item, ip, &a))
					s->external_ips[s->n_external_ips++] = a;
			}
		} else if (strcmp(i.key, "loadBalancerSourceRanges") == 0) {
			struct mp_seq q;

			if (!mp_seq_start(p, &q, i.val, MODEL_MAX_SOURCE_RANGES))
				continue;
			while (mp_seq_next(p, &q)) {
				char v[64];
				struct model_cidr4 c;

				if (mp_str(p, q.item, v, sizeof(v)) < 0)
					continue;
				seen->src_ranges = i.val;
				if (mp_source_range(p, q.item, v, &c))
					s->source_ranges[s->n_source_ranges++] = c;
			}
		} else if (mp_key_in(i.key, ignored)) {
			mp_ignored(p, &i);
		} else if (!mp_key_in(i.key, silent)) {
			mp_unknown(p, &i);
		}
	}
}

/* Cross-field rules of ValidateService, in its order. */
static void mp_service_check(struct mp *p, struct manifest_object *o, struct mp_svc_seen *seen)
{
	struct model_service *s = &o->service;
	/* apiservice.ExternallyAccessible: externalIPs make a ClusterIP
	 * Service reachable from outside too. */
	bool external = s->type != MODEL_SVC_CLUSTER_IP || s->n_external_ips > 0;
	char q[96];

	if (!seen->ports || (fy_node_is_sequence(seen->ports) &&
			     fy_node_sequence_item_count(seen->ports) == 0))
		manifest_add_error(p->m, seen->ports ? mp_pos(p, seen->ports)
				   : seen->spec ? mp_pos(p, seen->spec) : o->pos,
				   "spec.ports", "Required value");
	for (int k = 0; k < s->n_ports; k++) {
		struct model_service_port *sp = &s->ports[k];
		struct manifest_pos at = o->node_port_pos[k].line ? o->node_port_pos[k]
								  : mp_pos(p, seen->ports);
		char field[64];

		if (s->n_ports > 1 && sp->name[0] == '\0') {
			snprintf(field, sizeof(field), "spec.ports[%d].name", k);
			manifest_add_error(p->m, mp_item_pos(p, seen->ports, k, NULL), field,
					   "Required value");
		}
		for (int j = 0; j < k; j++) {
			if (sp->name[0] && strcmp(s->ports[j].name, sp->name) == 0) {
				snprintf(field, sizeof(field), "spec.ports[%d].name", k);
				manifest_add_error(p->m, mp_item_pos(p, seen->ports, k, "name"), field,
						   "Duplicate value: \"%s\"", sp->name);
			}
			if (sp->port && s->ports[j].port == sp->port && s->ports[j].proto == sp->proto) {
				snprintf(field, sizeof(field), "spec.ports[%d]", k);
				manifest_add_error(p->m, mp_item_pos(p, seen->ports, k, NULL), field,
						   "Duplicate value: {\"port\":%d,\"protocol\":\"%s\"}",
						   sp->port, model_proto_name(sp->proto));
			}
			if (sp->node_port && s->ports[j].node_port == sp->node_port &&
			    s->ports[j].proto == sp->proto) {
				snprintf(field, sizeof(field), "spec.ports[%d].nodePort", k);
				manifest_add_error(p->m, at, field, "Duplicate value: %d", sp->node_port);
			}
		}
		if (s->type == MODEL_SVC_CLUSTER_IP && sp->node_port) {
			snprintf(field, sizeof(field), "spec.ports[%d].nodePort", k);
			manifest_add_error(p->m, at, field,
					   "Forbidden: may not be used when `type` is 'ClusterIP'");
		}
	}
	if (!external && seen->etp_set) {
		manifest_add_error(p->m, mp_pos(p, seen->etp), "spec.externalTrafficPolicy",
				   "Invalid value: %s: may only be set for externally-accessible "
				   "services", mp_quote(seen->etp_value, strlen(seen->etp_value), q,
							sizeof(q)));
	}
	if (s->health_check_node_port &&
	    !(s->type == MODEL_SVC_LOAD_BALANCER && s->external_policy == MODEL_POLICY_LOCAL)) {
		manifest_add_error(p->m, mp_pos(p, seen->hc), "spec.healthCheckNodePort",
				   "Invalid value: %d: may only be set when `type` is 'LoadBalancer' "
				   "and `externalTrafficPolicy` is 'Local'", s->health_check_node_port);
	}
	if (s->health_check_node_port) {
		for (int k = 0; k < s->n_ports; k++)
			if (s->ports[k].node_port == s->health_check_node_port &&
			    s->ports[k].proto == MODEL_PROTO_TCP)
				manifest_add_error(p->m, mp_pos(p, seen->hc), "spec.healthCheckNodePort",
						   "Invalid value: %d: provided port is already allocated",
						   s->health_check_node_port);
	}
	if (seen->affinity_cfg_set && !s->affinity_client_ip) {
		manifest_add_error(p->m, mp_pos(p, seen->affinity_cfg), "spec.sessionAffinityConfig",
				   "Invalid value: {\"clientIP\":{\"timeoutSeconds\":%d}}: must not be "
				   "set when session affinity is None", seen->timeout_s);
	}
	if (seen->src_ranges && s->type != MODEL_SVC_LOAD_BALANCER) {
		manifest_add_error(p->m, mp_pos(p, seen->src_ranges),
				   "spec.loadBalancerSourceRanges",
				   "Forbidden: may only be used when `type` is 'LoadBalancer'");
	}
	if (seen->lb_ip && s->type != MODEL_SVC_LOAD_BALANCER) {
		manifest_add_error(p->m, mp_pos(p, seen->lb_ip), "spec.loadBalancerIP",
				   "Forbidden: may only be used when `type` is 'LoadBalancer'");
	}
	/* clusterIP: "" allocates; "None" would be a headless Service. */
	{
		const char *ip = seen->cluster_ip[0] ? seen->cluster_ip : seen->cluster_ips0;
		struct in_addr a, net;

		if (seen->cluster_ip[0] && seen->has_cluster_ips &&
		    strcmp(seen->cluster_ip, seen->cluster_ips0) != 0) {
			manifest_add_error(p->m, o->cluster_ip_pos, "spec.clusterIPs[0]",
					   "Invalid value: %s: must match `clusterIP` when both are "
					   "specified", mp_quote(seen->cluster_ips0,
								 strlen(seen->cluster_ips0), q, sizeof(q)));
		} else if (strcmp(ip, "None") == 0) {
			manifest_add_error(p->m, o->cluster_ip_pos, "spec.clusterIP",
					   "Unsupported value: \"None\": headless Services are not "
					   "supported by clientip");
		} else if (ip[0] && !mp_ipv4(ip, &a)) {
			manifest_add_error(p->m, o->cluster_ip_pos, "spec.clusterIP",
					   "Invalid value: %s: must be a valid IP address",
					   mp_quote(ip, strlen(ip), q, sizeof(q)));
		} else if (ip[0]) {
			inet_pton(AF_INET, "10.0.0.0", &net);
			if ((ntohl(a.s_addr) & 0xffff0000u) != ntohl(net.s_addr))
				manifest_add_error(p->m, o->cluster_ip_pos, "spec.clusterIPs",
						   "Invalid value: []string{\"%s\"}: failed to allocate "
						   "IP %s: the provided IP (%s) is not in the valid range. "
						   "The range of valid IPs is %s", ip, ip, ip,
						   LAB_SERVICE_CIDR);
			else
				s->cluster_ip = a;
		}
	}
}

static void mp_service(struct mp *p, struct fy_node *root, struct manifest_object *o)
{
	struct model_service *s = &o->service;
	struct mp_svc_seen seen;
	bool named = false;
	struct mp_iter i;

	memset(&seen, 0, sizeof(seen));
	model_service_init(s);
	snprintf(s->meta.ns, sizeof(s->meta.ns), "%s", p->default_ns);
	if (!mp_iter_start(p, &i, root))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "apiVersion") == 0 || strcmp(i.key, "kind") == 0 ||
		    strcmp(i.key, "status") == 0)
			continue;
		if (strcmp(i.key, "metadata") == 0)
			mp_meta(p, i.val, &s->meta, o, MP_NAME_DNS1035, &named);
		else if (strcmp(i.key, "spec") == 0)
			mp_service_spec(p, i.val, o, &seen);
		else
			mp_unknown(p, &i);
	}
	if (!named)
		manifest_add_error(p->m, o->pos, "metadata.name",
				   "Required value: name or generateName is required");
	mp_service_check(p, o, &seen);
}

/* ---- documents ------------------------------------------------------------ */

/* Kinds a Kubernetes cluster has and the lab does not. */
static bool mp_known_elsewhere(const char *api, const char *kind)
{
	static const char *const known[] = {
		"v1", "Pod", "v1", "ConfigMap", "v1", "Secret", "v1", "Namespace",
		"v1", "ServiceAccount", "v1", "PersistentVolumeClaim", "v1", "PersistentVolume",
		"v1", "ReplicationController", "v1", "Endpoints", "v1", "Node",
		"v1", "LimitRange", "v1", "ResourceQuota",
		"apps/v1", "ReplicaSet", "apps/v1", "StatefulSet",
		"batch/v1", "Job", "batch/v1", "CronJob",
		"networking.k8s.io/v1", "Ingress", "networking.k8s.io/v1", "NetworkPolicy",
		"networking.k8s.io/v1", "IngressClass",
		"discovery.k8s.io/v1", "EndpointSlice",
		"autoscaling/v1", "HorizontalPodAutoscaler", "autoscaling/v2", "HorizontalPodAutoscaler",
		"policy/v1", "PodDisruptionBudget",
		"rbac.authorization.k8s.io/v1", "Role", "rbac.authorization.k8s.io/v1", "ClusterRole",
		"rbac.authorization.k8s.io/v1", "RoleBinding",
		"rbac.authorization.k8s.io/v1", "ClusterRoleBinding",
		NULL,
	};

	for (int k = 0; known[k]; k += 2)
		if (strcmp(api, known[k]) == 0 && strcmp(kind, known[k + 1]) == 0)
			return true;
	return false;
}

static struct manifest_object *mp_new_object(struct mp *p, enum manifest_kind kind,
					     struct manifest_pos pos)
{
	struct manifest *m = p->m;
	struct manifest_object *o;

	if (m->n_objects >= MP_MAX_OBJECTS) {
		manifest_add_error(m, pos, "", "Too many: more than %d objects in one file",
				   MP_MAX_OBJECTS);
		return NULL;
	}
	if (m->n_objects % 4 == 0) {
		struct manifest_object *n = realloc(m->objects,
						    sizeof(*n) * (size_t)(m->n_objects + 4));

		if (!n) {
			manifest_add_error(m, pos, "", "out of memory");
			return NULL;
		}
		m->objects = n;
	}
	o = &m->objects[m->n_objects];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->pos = pos;
	o->ns_pos = pos;
	o->selector_pos = pos;
	o->cluster_ip_pos = pos;
	o->hc_node_port_pos = pos;
	for (int k = 0; k < MODEL_MAX_PORTS; k++)
		o->node_port_pos[k] = pos;
	return o;
}

static void mp_object(struct mp *p, struct fy_node *root, bool in_list)
{
	struct fy_node *api_n, *kind_n;
	char api[128], kind[128];
	struct manifest_pos pos;
	struct manifest_object *o;
	int errors_before = p->m->n_errors;
	size_t old = p->plen;

	root = mp_deref(p, root);
	if (!root || (fy_node_is_scalar(root) && mp_type_of(p, root, &(long long){0},
							     &(bool){false}) == MP_NULL))
		return;  /* an empty document, as after a trailing `---` */
	pos = mp_pos(p, root);
	if (!fy_node_is_mapping(root)) {
		long long iv;
		bool bv;

		mp_err(p, root, "Invalid type: a manifest document must be an object, got \"%s\"",
		       mp_type_names[mp_type_of(p, root, &iv, &bv)]);
		return;
	}
	api_n = mp_deref(p, mp_lookup(p, root, "apiVersion"));
	kind_n = mp_deref(p, mp_lookup(p, root, "kind"));
	p->key_pos = pos;
	mp_push(p, "apiVersion");
	if (mp_str(p, api_n, api, sizeof(api)) <= 0 || !api[0]) {
		if (api_n == NULL || api[0] == '\0')
			manifest_add_error(p->m, pos, "apiVersion", "Required value: apiVersion not set");
		mp_pop(p, old);
		return;
	}
	mp_pop(p, old);
	mp_push(p, "kind");
	if (mp_str(p, kind_n, kind, sizeof(kind)) <= 0 || !kind[0]) {
		if (kind_n == NULL || kind[0] == '\0')
			manifest_add_error(p->m, pos, "kind", "Required value: kind not set");
		mp_pop(p, old);
		return;
	}
	mp_pop(p, old);

	if (strcmp(api, "v1") == 0 && strcmp(kind, "List") == 0 && !in_list) {
		static const char *const list_meta[] = {
			"selfLink", "resourceVersion", "continue", "remainingItemCount", NULL,
		};
		struct fy_node *items = NULL, *item;
		struct mp_iter i, j;
		void *it = NULL;

		p->key_pos = pos;
		if (!mp_iter_start(p, &i, root))
			return;
		while (mp_next(p, &i)) {
			if (strcmp(i.key, "items") == 0) {
				if (i.val && mp_expect(p, i.val, MP_ARRAY))
					items = i.val;
			} else if (strcmp(i.key, "metadata") == 0) {
				if (!i.val || !mp_iter_start(p, &j, i.val))
					continue;
				while (mp_next(p, &j))
					if (!mp_key_in(j.key, list_meta))
						mp_unknown(p, &j);
			} else if (strcmp(i.key, "apiVersion") != 0 && strcmp(i.key, "kind") != 0) {
				mp_unknown(p, &i);
			}
		}
		/* Each item is an object of its own: its fields are named
		 * from its root, as the API server names them. */
		while (items && (item = fy_node_sequence_iterate(items, &it)))
			mp_object(p, item, true);
		return;
	}
	if (strcmp(api, "apps/v1") == 0 && strcmp(kind, "Deployment") == 0) {
		if (!(o = mp_new_object(p, MANIFEST_DEPLOYMENT, pos)))
			return;
		mp_deployment(p, root, o, false);
	} else if (strcmp(api, "apps/v1") == 0 && strcmp(kind, "DaemonSet") == 0) {
		if (!(o = mp_new_object(p, MANIFEST_DAEMONSET, pos)))
			return;
		mp_deployment(p, root, o, true);
	} else if (strcmp(api, "v1") == 0 && strcmp(kind, "Service") == 0) {
		if (!(o = mp_new_object(p, MANIFEST_SERVICE, pos)))
			return;
		mp_service(p, root, o);
	} else {
		struct manifest_pos at = mp_pos(p, kind_n);

		if (mp_known_elsewhere(api, kind))
			manifest_add_error(p->m, at, "kind", "Unsupported value: \"%s\": clientip "
					   "handles only apps/v1 Deployment and DaemonSet and v1 Service "
					   "objects", kind);
		else
			manifest_add_error(p->m, at, "", "no matches for kind \"%s\" in version \"%s\"",
					   kind, api);
		return;
	}
	/* A file with errors applies nothing; keep only clean objects. */
	if (p->m->n_errors == errors_before)
		p->m->n_objects++;
}

static bool mp_sniff_json(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (isspace((unsigned char)text[i]))
			continue;
		return text[i] == '{' || text[i] == '[';
	}
	return false;
}

/* YAML streams are Unicode text. Bytes that are not (invalid UTF-8, C0
 * control characters but tab and line breaks) are refused before libfyaml
 * sees them: libfyaml 0.7 can spin forever on some of them (e.g. "%\xdf").
 * Returns true if the text is clean, else where the first bad byte is. */
static bool mp_text_ok(const char *text, size_t len, struct manifest_pos *pos, unsigned *bad)
{
	const unsigned char *s = (const unsigned char *)text;
	int line = 1, col = 1;

	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
			 : (c & 0xf8) == 0xf0 ? 4 : 0;
		unsigned cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;

		if (n == 0 || i + n > len)
			goto bad;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			goto bad;
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f)
			goto bad;
		if (c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += n;
		continue;
bad:
		pos->line = line;
		pos->column = col;
		*bad = c;
		return false;
	}
	return true;
}

static void manifest_init(struct manifest *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->file, sizeof(m->file), "%s", name);
}

int manifest_parse_string(const char *name, const char *text, size_t len,
			  const char *default_ns, enum manifest_validation v, struct manifest *m,
			  char *err, size_t errlen)
{
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag = NULL;
	struct fy_parser *fyp = NULL;
	struct fy_document *fyd;
	struct fy_diag_error *de;
	struct mp p;
	void *it = NULL;
	int rc = 0;

	manifest_init(m, name);
	memset(&p, 0, sizeof(p));
	p.m = m;
	p.default_ns = default_ns && *default_ns ? default_ns : "default";
	p.json = mp_sniff_json(text, len);
	p.validation = v;
	p.src = text;
	p.src_len = len;
	if (len > MANIFEST_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes", name, MANIFEST_MAX_BYTES);
		return -EFBIG;
	}
	{
		struct manifest_pos pos;
		unsigned bad;

		if (!mp_text_ok(text, len, &pos, &bad)) {
			if (bad < 0x20 || bad == 0x7f)
				manifest_add_error(m, pos, "yaml", "control character 0x%02x is not "
						   "allowed", bad);
			else
				manifest_add_error(m, pos, "yaml", "invalid UTF-8 (byte 0x%02x)", bad);
			snprintf(err, errlen, "%s: 1 error", name);
			return -1;
		}
	}
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	fy_diag_set_collect_errors(diag, true);
	{
		struct fy_parse_cfg cfg = {
			/* Duplicate keys are found by mp_next, which
			 * knows the field path and the validation mode. */
			.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_ALLOW_DUPLICATE_KEYS |
				 (p.json ? FYPCF_JSON_FORCE : FYPCF_JSON_NONE),
			.diag = diag,
		};

		fyp = fy_parser_create(&cfg);
	}
	if (!fyp || fy_parser_set_string(fyp, text, len) != 0) {
		snprintf(err, errlen, "%s: cannot start the YAML parser", name);
		rc = -ENOMEM;
		goto out;
	}
	while ((fyd = fy_parse_load_document(fyp))) {
		mp_object(&p, fy_document_root(fyd), false);
		fy_parse_document_destroy(fyp, fyd);
	}
	while ((de = fy_diag_errors_iterate(diag, &it))) {
		struct manifest_pos pos = { de->line, de->column };

		if (de->type < FYET_ERROR)
			continue;
		manifest_add_error(m, pos, "yaml", "%s", de->msg ? de->msg : "syntax error");
	}
	if (m->n_errors > 0) {
		snprintf(err, errlen, "%s: %d error%s", name, m->n_errors, m->n_errors == 1 ? "" : "s");
		/* All or nothing: leave no object a caller could apply. */
		m->n_objects = 0;
		rc = -1;
	}
out:
	while (p.texts) {
		struct mp_text_buf *next = p.texts->next;

		free(p.texts);
		p.texts = next;
	}
	if (fyp)
		fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
	return rc;
}

int manifest_parse_file(const char *path, const char *default_ns, enum manifest_validation v,
			struct manifest *m, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc;
	bool is_stdin = strcmp(path, "-") == 0;

	manifest_init(m, is_stdin ? "STDIN" : path);
	rc = fs_read_all(is_stdin ? "/dev/stdin" : path, &text, &len);
	if (rc < 0) {
		snprintf(err, errlen, "the path \"%s\" cannot be read: %s", path, strerror(-rc));
		return rc;
	}
	rc = manifest_parse_string(is_stdin ? "STDIN" : path, text, len, default_ns, v, m, err,
				   errlen);
	free(text);
	return rc;
}

int manifest_validation_parse(const char *s, enum manifest_validation *out, char *err,
			      size_t errlen)
{
	if (strcmp(s, "strict") == 0 || strcmp(s, "true") == 0) {
		*out = MANIFEST_VALIDATE_STRICT;
	} else if (strcmp(s, "warn") == 0) {
		*out = MANIFEST_VALIDATE_WARN;
	} else if (strcmp(s, "ignore") == 0 || strcmp(s, "false") == 0) {
		*out = MANIFEST_VALIDATE_IGNORE;
	} else {
		snprintf(err, errlen, "invalid - validate option \"%s\"; must be one of: "
			 "strict (or true), warn, ignore (or false)", s);
		return -1;
	}
	return 0;
}

void manifest_free(struct manifest *m)
{
	free(m->objects);
	free(m->msgs);
	m->objects = NULL;
	m->msgs = NULL;
	m->n_objects = m->n_msgs = 0;
}

const char *manifest_kind_resource(enum manifest_kind kind)
{
	return kind == MANIFEST_DEPLOYMENT ? "deployment.apps"
	       : kind == MANIFEST_DAEMONSET ? "daemonset.apps" : "service";
}

const struct model_meta *manifest_object_meta(const struct manifest_object *o)
{
	return o->kind != MANIFEST_SERVICE ? &o->deployment.meta : &o->service.meta;
}
