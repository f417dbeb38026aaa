/* manifest_read.c — the walk over libfyaml's trees that the object parsers
 * are written in (see manifest_int.h).
 *
 * Each value is read with the path of its field in hand ("spec.ports[0].port",
 * kept in struct mp as the walk goes down), so every message names the
 * field and points at the node it is about. Mappings and sequences are
 * iterated here, and unknown and repeated keys are found here too, where
 * the validation mode is known. How a scalar is typed is in
 * manifest_scalar.c, the typed readers built on both in manifest_value.c.
 *
 * libfyaml 0.7 exposes a start mark only for scalar tokens, so a mapping or
 * sequence is placed at its first scalar (for a block mapping that is where
 * it starts) and an empty one at the key that holds it.
 */
#include "manifest_int.h"

#include <stdarg.h>
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

size_t mp_push_index(struct mp *p, int i)
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
const char *mp_text(struct mp *p, struct fy_node *n, size_t *len)
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

/* ---- sequences ---------------------------------------------------------- */

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
