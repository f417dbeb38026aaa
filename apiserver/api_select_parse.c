/* api_select_parse.c — the text forms of selectors (api_select.h): the
 * label selector grammar of labels.Parse, its lexer and parser, and field
 * selectors as fields.ParseSelector splits them, each field label then
 * checked against what the kind's conversion accepts.
 *
 * kubectl prints the server's parse errors verbatim, so the grammar and
 * the wording of every message follow k8s.io/apimachinery's labels and
 * fields packages and the per-kind field label conversions of the real
 * API server. The requirements they produce are api_select.c's
 * (api_select_int.h).
 */
#include "api_select.h"
#include "api_select_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* ---- the label selector lexer and parser (labels.Parse) -------------- */

enum api_select_tok {
	API_SELECT_T_END,
	API_SELECT_T_CLOSE,
	API_SELECT_T_COMMA,
	API_SELECT_T_NOT,
	API_SELECT_T_DEQ,
	API_SELECT_T_EQ,
	API_SELECT_T_GT,
	API_SELECT_T_ID,
	API_SELECT_T_IN,
	API_SELECT_T_LT,
	API_SELECT_T_NEQ,
	API_SELECT_T_NOTIN,
	API_SELECT_T_OPEN,
};

struct api_select_item {
	enum api_select_tok tok;
	char *lit;
};

struct api_select_parser {
	struct api_select_item *items;
	size_t n, pos;
	char *err;
	size_t errlen;
};

static bool api_select_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool api_select_special(char c)
{
	return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

static int api_select_lex(struct api_select_parser *p, const char *s)
{
	for (;;) {
		struct api_select_item it = { API_SELECT_T_END, NULL };
		struct api_select_item *ni;
		size_t len = 0;

		while (api_select_space(*s))
			s++;
		if (api_select_special(*s)) {
			/* The longest operator: "==" and "!=" before one character. */
			len = 1;
			if ((s[0] == '=' || s[0] == '!') && s[1] == '=') {
				it.tok = s[0] == '=' ? API_SELECT_T_DEQ : API_SELECT_T_NEQ;
				len = 2;
			} else {
				switch (*s) {
				case '=': it.tok = API_SELECT_T_EQ; break;
				case '!': it.tok = API_SELECT_T_NOT; break;
				case '(': it.tok = API_SELECT_T_OPEN; break;
				case ')': it.tok = API_SELECT_T_CLOSE; break;
				case ',': it.tok = API_SELECT_T_COMMA; break;
				case '>': it.tok = API_SELECT_T_GT; break;
				default: it.tok = API_SELECT_T_LT; break;
				}
			}
		} else if (*s) {
			while (s[len] && !api_select_special(s[len]) && !api_select_space(s[len]))
				len++;
			it.tok = API_SELECT_T_ID;
			if (len == 2 && strncmp(s, "in", 2) == 0)
				it.tok = API_SELECT_T_IN;
			else if (len == 5 && strncmp(s, "notin", 5) == 0)
				it.tok = API_SELECT_T_NOTIN;
		}
		it.lit = strndup(s, len);
		ni = realloc(p->items, (p->n + 1) * sizeof(*ni));
		if (!it.lit || !ni) {
			free(it.lit);
			if (ni)
				p->items = ni;
			return -ENOMEM;
		}
		p->items = ni;
		p->items[p->n++] = it;
		if (it.tok == API_SELECT_T_END)
			return 0;
		s += len;
	}
}

/* Where values are expected, "in" and "notin" are plain identifiers. */
static enum api_select_tok api_select_look(const struct api_select_parser *p, bool values,
					   const char **lit)
{
	const struct api_select_item *it = &p->items[p->pos];

	if (lit)
		*lit = it->lit;
	if (values && (it->tok == API_SELECT_T_IN || it->tok == API_SELECT_T_NOTIN))
		return API_SELECT_T_ID;
	return it->tok;
}

static enum api_select_tok api_select_next(struct api_select_parser *p, bool values,
					   const char **lit)
{
	enum api_select_tok t = api_select_look(p, values, lit);

	if (p->pos + 1 < p->n)
		p->pos++;
	return t;
}

__attribute__((format(printf, 2, 3)))
static int api_select_fail(struct api_select_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int api_select_parse_values(struct api_select_parser *p, struct api_select_req *r)
{
	const char *lit;
	enum api_select_tok t = api_select_next(p, true, &lit);

	if (t != API_SELECT_T_OPEN)
		return api_select_fail(p, "found '%s' expected: '('", lit);
	t = api_select_look(p, true, &lit);
	if (t == API_SELECT_T_CLOSE) {
		api_select_next(p, true, NULL);
		return api_select_set_add(r, "");
	}
	if (t != API_SELECT_T_ID && t != API_SELECT_T_COMMA)
		return api_select_fail(p, "found '%s', expected: ',', ')' or identifier", lit);
	for (;;) {
		const char *lit2;
		int rc;

		t = api_select_next(p, true, &lit);
		if (t == API_SELECT_T_ID) {
			if ((rc = api_select_set_add(r, lit)) < 0)
				return rc;
			t = api_select_look(p, true, &lit2);
			if (t == API_SELECT_T_COMMA)
				continue;
			if (t == API_SELECT_T_CLOSE)
				break;
			return api_select_fail(p, "found '%s', expected: ',' or ')'", lit2);
		}
		if (t != API_SELECT_T_COMMA)
			return api_select_fail(p, "found '%s', expected: ',', or identifier", lit);
		/* Empty values around commas: "(,a)", "(a,)", "(a,,b)". */
		if (r->nvals == 0 && (rc = api_select_set_add(r, "")) < 0)
			return rc;
		t = api_select_look(p, true, NULL);
		if (t == API_SELECT_T_CLOSE) {
			if ((rc = api_select_set_add(r, "")) < 0)
				return rc;
			break;
		}
		if (t == API_SELECT_T_COMMA) {
			api_select_next(p, true, NULL);
			if ((rc = api_select_set_add(r, "")) < 0)
				return rc;
		}
	}
	api_select_next(p, true, NULL); /* the ')' */
	return 0;
}

static int api_select_parse_req(struct api_select_parser *p, struct api_select_req *r)
{
	const char *lit;
	enum api_select_tok t = api_select_next(p, true, &lit);
	bool not = false;
	int rc;

	if (t == API_SELECT_T_NOT) {
		not = true;
		t = api_select_next(p, true, &lit);
	}
	if (t != API_SELECT_T_ID)
		return api_select_fail(p, "found '%s', expected: identifier", lit);
	{
		struct buf m = BUF_INIT;

		api_select_key_problems(lit, &m);
		if (m.len) {
			struct buf line = BUF_INIT;

			buf_puts(&line, "<nil>: Invalid value: ");
			api_select_quote(&line, lit);
			buf_printf(&line, ": %s", buf_str(&m));
			snprintf(p->err, p->errlen, "%s", buf_str(&line));
			buf_free(&line);
			buf_free(&m);
			return -EINVAL;
		}
		buf_free(&m);
	}
	if (!(r->key = strdup(lit)))
		return -ENOMEM;
	t = api_select_look(p, true, NULL);
	if (not || t == API_SELECT_T_END || t == API_SELECT_T_COMMA) {
		/* "!key" followed by anything is still "does not exist"; what
		 * follows is the caller's error. */
		r->op = not ? API_SELECT_NOTEXISTS : API_SELECT_EXISTS;
		return 0;
	}
	t = api_select_next(p, false, &lit);
	switch (t) {
	case API_SELECT_T_IN: r->op = API_SELECT_IN; break;
	case API_SELECT_T_NOTIN: r->op = API_SELECT_NOTIN; break;
	case API_SELECT_T_EQ:
	case API_SELECT_T_DEQ: r->op = API_SELECT_IN; break;
	case API_SELECT_T_NEQ: r->op = API_SELECT_NOTIN; break;
	case API_SELECT_T_GT: r->op = API_SELECT_GT; break;
	case API_SELECT_T_LT: r->op = API_SELECT_LT; break;
	default:
		return api_select_fail(p, "found '%s', expected: in, notin, =, ==, !=, gt, lt",
				       lit);
	}
	if (t == API_SELECT_T_IN || t == API_SELECT_T_NOTIN) {
		rc = api_select_parse_values(p, r);
	} else {
		t = api_select_look(p, true, NULL);
		if (t == API_SELECT_T_END || t == API_SELECT_T_COMMA) {
			rc = api_select_set_add(r, "");
		} else {
			t = api_select_next(p, true, &lit);
			if (t != API_SELECT_T_ID)
				return api_select_fail(p, "found '%s', expected: identifier", lit);
			rc = api_select_set_add(r, lit);
		}
	}
	if (rc < 0)
		return rc;
	return api_select_check_req(r, false, p->err, p->errlen);
}

static int api_select_parse(struct api_select_parser *p, struct api_selector *s)
{
	for (;;) {
		const char *lit;
		enum api_select_tok t = api_select_look(p, true, &lit);
		struct api_select_req *r;
		int rc;

		if (t == API_SELECT_T_END)
			return 0;
		if (t != API_SELECT_T_ID && t != API_SELECT_T_NOT)
			return api_select_fail(p, "found '%s', expected: !, identifier, or "
					       "'end of string'", lit);
		if (!(r = api_select_push(s)))
			return -ENOMEM;
		if ((rc = api_select_parse_req(p, r)) < 0) {
			char *inner = rc == -EINVAL && p->errlen ? strdup(p->err) : NULL;

			if (inner)
				snprintf(p->err, p->errlen, "unable to parse requirement: %s",
					 inner);
			free(inner);
			return rc;
		}
		t = api_select_next(p, true, &lit);
		if (t == API_SELECT_T_END)
			return 0;
		if (t != API_SELECT_T_COMMA)
			return api_select_fail(p, "found '%s', expected: ',' or 'end of string'",
					       lit);
		t = api_select_look(p, true, &lit);
		if (t != API_SELECT_T_ID && t != API_SELECT_T_NOT)
			return api_select_fail(p, "found '%s', expected: identifier after ','",
					       lit);
	}
}

struct api_selector *api_select_labels(const char *text, char *err, size_t errlen)
{
	struct api_select_parser p = { NULL, 0, 0, err, errlen };
	struct api_selector *s = calloc(1, sizeof(*s));
	int rc = -ENOMEM;

	if (!s)
		goto out;
	if (!text)
		text = "";
	if ((rc = api_select_lex(&p, text)) < 0)
		goto out;
	rc = api_select_parse(&p, s);
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	for (size_t i = 0; i < p.n; i++)
		free(p.items[i].lit);
	free(p.items);
	if (rc < 0) {
		api_select_free(s);
		return NULL;
	}
	return s;
}

/* ---- field selectors (fields.ParseSelector + field label conversion) -- */

/* The field labels each kind's conversion accepts. A kind without its own
 * list accepts only metadata.name and metadata.namespace, and says so in
 * different words (runtime.DefaultMetaV1FieldSelectorConversion).
 * ReplicaSet's storage knows status.replicas but apps/v1 registers no
 * conversion for it, so the real server refuses it too. */
struct api_select_kind {
	const char *kind;
	const char *const *labels;
};

#define API_SELECT_LABELS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct api_select_kind api_select_kinds[] = {
	{ "Pod", API_SELECT_LABELS("metadata.name", "metadata.namespace", "spec.nodeName",
				   "spec.restartPolicy", "spec.schedulerName",
				   "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
				   "status.podIP", "status.podIPs", "status.nominatedNodeName",
				   "spec.host") },
	{ "Node", API_SELECT_LABELS("metadata.name", "spec.unschedulable") },
	{ "Event", API_SELECT_LABELS("involvedObject.kind", "involvedObject.namespace",
				     "involvedObject.name", "involvedObject.uid",
				     "involvedObject.apiVersion", "involvedObject.resourceVersion",
				     "involvedObject.fieldPath", "reason", "reportingComponent",
				     "source", "type", "metadata.namespace", "metadata.name") },
	{ "Namespace", API_SELECT_LABELS("status.phase", "metadata.name") },
	{ "Secret", API_SELECT_LABELS("type", "metadata.namespace", "metadata.name") },
	{ "Service", API_SELECT_LABELS("metadata.namespace", "metadata.name", "spec.clusterIP",
				       "spec.type") },
};

static int api_select_field_label(const char *kind, const char *label, char *err,
				  size_t errlen)
{
	for (size_t i = 0; i < sizeof(api_select_kinds) / sizeof(api_select_kinds[0]); i++) {
		if (!kind || strcmp(api_select_kinds[i].kind, kind) != 0)
			continue;
		for (const char *const *l = api_select_kinds[i].labels; *l; l++)
			if (strcmp(*l, label) == 0)
				return 0;
		snprintf(err, errlen, "field label not supported: %s", label);
		return -EINVAL;
	}
	if (strcmp(label, "metadata.name") == 0 || strcmp(label, "metadata.namespace") == 0)
		return 0;
	{
		struct buf b = BUF_INIT;

		api_select_quote(&b, label);
		snprintf(err, errlen, "%s is not a known field selector: only \"metadata.name\", "
			 "\"metadata.namespace\"", buf_str(&b));
		buf_free(&b);
	}
	return -EINVAL;
}

/* fields.UnescapeValue: "\\", "\," and "\=" are the only escapes, and a
 * bare ',' or '=' is refused. */
static int api_select_unescape(const char *in, size_t len, char **out, char *err,
			       size_t errlen)
{
	char *o = malloc(len + 1);
	size_t n = 0;

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == '\\') {
			if (i + 1 == len) {
				snprintf(err, errlen, "invalid field selector: invalid escape "
					 "sequence: \\");
				free(o);
				return -EINVAL;
			}
			c = in[++i];
			if (c != '\\' && c != ',' && c != '=') {
				snprintf(err, errlen, "invalid field selector: invalid escape "
					 "sequence: \\%c", c);
				free(o);
				return -EINVAL;
			}
		} else if (c == ',' || c == '=') {
			/* Go prints the rune as its number. */
			snprintf(err, errlen, "invalid field selector: unescaped character in "
				 "value: %d", c);
			free(o);
			return -EINVAL;
		}
		o[n++] = c;
	}
	o[n] = '\0';
	*out = o;
	return 0;
}

/* Splits on commas not escaped by a backslash; terms keep their escapes. */
static int api_select_split_terms(const char *text, char ***terms, size_t *n)
{
	size_t start = 0, cap = 0;
	bool slash = false;

	*terms = NULL;
	*n = 0;
	if (!*text)
		return 0;
	for (size_t i = 0;; i++) {
		char **nt;

		if (text[i] && (slash || text[i] != ',')) {
			slash = !slash && text[i] == '\\';
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			if (!(nt = realloc(*terms, cap * sizeof(*nt))))
				return -ENOMEM;
			*terms = nt;
		}
		if (!((*terms)[*n] = strndup(text + start, i - start)))
			return -ENOMEM;
		(*n)++;
		if (!text[i])
			return 0;
		start = i + 1;
	}
}

struct api_selector *api_select_fields(const char *text, const char *kind, char *err,
				       size_t errlen)
{
	struct api_selector *s = calloc(1, sizeof(*s));
	char **terms = NULL;
	size_t nterms = 0;
	int rc = -ENOMEM;

	if (!s)
		goto out;
	s->fields = true;
	if ((rc = api_select_split_terms(text ? text : "", &terms, &nterms)) < 0)
		goto out;
	/* Upstream sorts the terms first, so the first bad one in sorted
	 * order is the one reported. */
	if (nterms > 1)
		qsort(terms, nterms, sizeof(*terms), api_select_cmp_str);
	for (size_t i = 0; i < nterms; i++) {
		const char *t = terms[i], *op = NULL;
		struct api_select_req *r;
		size_t oplen = 0;
		char *val = NULL;

		if (!*t)
			continue;
		for (const char *c = t; *c && !op; c++) {
			if (strncmp(c, "!=", 2) == 0 || strncmp(c, "==", 2) == 0)
				oplen = 2;
			else if (*c == '=')
				oplen = 1;
			if (oplen)
				op = c;
		}
		if (!op) {
			snprintf(err, errlen, "invalid selector: '%s'; can't understand '%s'", text,
				 t);
			rc = -EINVAL;
			goto out;
		}
		rc = api_select_unescape(op + oplen, strlen(op + oplen), &val, err, errlen);
		if (rc < 0)
			goto out;
		if (!(r = api_select_push(s)) || !(r->key = strndup(t, (size_t)(op - t))) ||
		    !(r->vals = calloc(1, sizeof(*r->vals)))) {
			free(val);
			rc = -ENOMEM;
			goto out;
		}
		r->vals[0] = val;
		r->nvals = 1;
		r->op = op[0] == '!' ? API_SELECT_NOTIN : API_SELECT_IN;
	}
	/* Then each term goes through the kind's field label conversion. */
	for (size_t i = 0; i < s->n; i++) {
		if ((rc = api_select_field_label(kind, s->reqs[i].key, err, errlen)) < 0)
			goto out;
		if (kind && strcmp(kind, "Pod") == 0 && strcmp(s->reqs[i].key, "spec.host") == 0) {
			/* Old clients' name for spec.nodeName. */
			char *k = strdup("spec.nodeName");

			if (!k) {
				rc = -ENOMEM;
				goto out;
			}
			free(s->reqs[i].key);
			s->reqs[i].key = k;
		}
	}
	rc = 0;
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	for (size_t i = 0; i < nterms; i++)
		free(terms[i]);
	free(terms);
	if (rc < 0) {
		api_select_free(s);
		return NULL;
	}
	return s;
}
