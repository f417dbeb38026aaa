/* api_select.c — see api_select.h: a selector as requirements, checked,
 * matched against objects, and made from a LabelSelector object.
 *
 * kubectl prints the server's parse errors verbatim ("Error from server
 * (BadRequest): ..."), so the label key and value rules and the wording
 * of every message follow k8s.io/apimachinery's labels package, not a
 * cleaner design of our own. The text forms (the label selector grammar,
 * field selectors) are parsed in api_select_parse.c; what both files
 * share is in api_select_int.h.
 */
#include "api_json.h"
#include "api_select.h"
#include "api_select_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* ---- label key and value rules (validation.IsQualifiedName etc.) ---- */

#define API_SELECT_QNAME_RE "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define API_SELECT_QNAME_MSG \
	"must consist of alphanumeric characters, '-', '_' or '.', and must start and end " \
	"with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', " \
	"regex used for validation is '" API_SELECT_QNAME_RE "')"
#define API_SELECT_DNS_RE "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
#define API_SELECT_DNS_MSG \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, " \
	"'-' or '.', and must start and end with an alphanumeric character (e.g. " \
	"'example.com', regex used for validation is '" API_SELECT_DNS_RE "')"
#define API_SELECT_VALUE_MSG \
	"a valid label must be an empty string or consist of alphanumeric characters, '-', " \
	"'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  " \
	"or 'my_value',  or '12345', regex used for validation is '(" API_SELECT_QNAME_RE ")?')"

static bool api_select_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..len). */
static bool api_select_qname_ok(const char *s, size_t len)
{
	if (len == 0 || !api_select_alnum(s[0]) || !api_select_alnum(s[len - 1]))
		return false;
	for (size_t i = 1; i + 1 < len; i++)
		if (!api_select_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static bool api_select_dns_ok(const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			char c = s[i];
			if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-')
				return false;
			continue;
		}
		/* One label: starts and ends alphanumeric, not empty. */
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

/* Appends "; " between the messages of one value, as upstream joins them. */
static void api_select_sep(struct buf *b, size_t mark)
{
	if (b->len > mark)
		buf_puts(b, "; ");
}

/* The problems with a label key, "" if none. */
void api_select_key_problems(const char *k, struct buf *b)
{
	const char *slash = strchr(k, '/');
	const char *name = k;
	size_t mark = b->len;

	if (slash && strchr(slash + 1, '/')) {
		buf_puts(b, "a qualified name " API_SELECT_QNAME_MSG
			 " with an optional DNS subdomain prefix and '/' "
			 "(e.g. 'example.com/MyName')");
		return;
	}
	if (slash) {
		size_t plen = (size_t)(slash - k);

		name = slash + 1;
		if (plen == 0) {
			buf_puts(b, "prefix part must be non-empty");
		} else {
			if (plen > 253)
				buf_puts(b, "prefix part must be no more than 253 characters");
			if (!api_select_dns_ok(k, plen)) {
				api_select_sep(b, mark);
				buf_puts(b, "prefix part " API_SELECT_DNS_MSG);
			}
		}
	}
	if (!*name) {
		api_select_sep(b, mark);
		buf_puts(b, "name part must be non-empty");
	} else if (strlen(name) > 63) {
		api_select_sep(b, mark);
		buf_puts(b, "name part must be no more than 63 characters");
	}
	if (!api_select_qname_ok(name, strlen(name))) {
		api_select_sep(b, mark);
		buf_puts(b, "name part " API_SELECT_QNAME_MSG);
	}
}

static void api_select_value_problems(const char *v, struct buf *b)
{
	size_t len = strlen(v);
	size_t mark = b->len;

	if (len > 63)
		buf_puts(b, "must be no more than 63 characters");
	if (len > 0 && !api_select_qname_ok(v, len)) {
		api_select_sep(b, mark);
		buf_puts(b, API_SELECT_VALUE_MSG);
	}
}

/* Go's %q for the strings selectors hold: quotes, backslashes and control
 * characters escaped; other bytes as they are. */
void api_select_quote(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c == '\n') {
			buf_puts(b, "\\n");
		} else if (c == '\t') {
			buf_puts(b, "\\t");
		} else if (c == '\r') {
			buf_puts(b, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\x%02x", c);
		} else {
			buf_putc(b, (char)c);
		}
	}
	buf_putc(b, '"');
}

/* ---- requirements ---------------------------------------------------- */

static void api_select_req_clear(struct api_select_req *r)
{
	free(r->key);
	for (size_t i = 0; i < r->nvals; i++)
		free(r->vals[i]);
	free(r->vals);
	memset(r, 0, sizeof(*r));
}

void api_select_free(struct api_selector *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		api_select_req_clear(&s->reqs[i]);
	free(s->reqs);
	free(s);
}

int api_select_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds v to a sorted set of values (labels.Parse collects a set). */
int api_select_set_add(struct api_select_req *r, const char *v)
{
	char **nv;

	for (size_t i = 0; i < r->nvals; i++)
		if (strcmp(r->vals[i], v) == 0)
			return 0;
	nv = realloc(r->vals, (r->nvals + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	r->vals = nv;
	if (!(r->vals[r->nvals] = strdup(v)))
		return -ENOMEM;
	r->nvals++;
	qsort(r->vals, r->nvals, sizeof(*r->vals), api_select_cmp_str);
	return 0;
}

/* strconv.ParseInt(s, 10, 64). */
static bool api_select_parse_int(const char *s, long long *out)
{
	char *end;
	const char *p = s;

	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* The errors NewRequirement aggregates: one alone reads as itself, several
 * as "[a, b]", and a repeated message counts once. */
struct api_select_errs {
	char *msg[16];
	size_t n;
	bool oom;
};

static void api_select_errs_add(struct api_select_errs *e, const struct buf *msg)
{
	if (msg->oom) {
		e->oom = true;
		return;
	}
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->msg[i], buf_str(msg)) == 0)
			return;
	if (e->n == sizeof(e->msg) / sizeof(e->msg[0]))
		return;
	if (!(e->msg[e->n] = strdup(buf_str(msg))))
		e->oom = true;
	else
		e->n++;
}

/* labels.NewRequirement's checks for a requirement built by hand or by the
 * parser. "vals_null" says the values list was absent (JSON null). */
int api_select_check_req(const struct api_select_req *r, bool vals_null, char *err,
			 size_t errlen)
{
	struct api_select_errs e = { { NULL }, 0, false };
	struct buf m = BUF_INIT;
	int rc = 0;

	api_select_key_problems(r->key, &m);
	if (m.len) {
		struct buf line = BUF_INIT;

		buf_puts(&line, "key: Invalid value: ");
		api_select_quote(&line, r->key);
		buf_printf(&line, ": %s", buf_str(&m));
		api_select_errs_add(&e, &line);
		buf_free(&line);
	}
	buf_reset(&m);
	switch (r->op) {
	case API_SELECT_IN:
	case API_SELECT_NOTIN:
		if (r->nvals == 0)
			buf_printf(&m, "values: Invalid value: %s: for 'in', 'notin' operators, "
				   "values set can't be empty", vals_null ? "null" : "[]");
		break;
	case API_SELECT_EXISTS:
	case API_SELECT_NOTEXISTS:
		if (r->nvals != 0) {
			buf_puts(&m, "values: Invalid value: [");
			for (size_t i = 0; i < r->nvals; i++) {
				if (i)
					buf_putc(&m, ',');
				api_select_quote(&m, r->vals[i]);
			}
			buf_puts(&m, "]: values set must be empty for exists and does not exist");
		}
		break;
	case API_SELECT_GT:
	case API_SELECT_LT:
		for (size_t i = 0; i < r->nvals; i++) {
			long long v;
			struct buf line = BUF_INIT;

			if (api_select_parse_int(r->vals[i], &v))
				continue;
			buf_printf(&line, "values[%zu]: Invalid value: ", i);
			api_select_quote(&line, r->vals[i]);
			buf_puts(&line, ": for 'Gt', 'Lt' operators, the value must be an integer");
			api_select_errs_add(&e, &line);
			buf_free(&line);
		}
		break;
	}
	if (m.len)
		api_select_errs_add(&e, &m);
	for (size_t i = 0; i < r->nvals; i++) {
		struct buf line = BUF_INIT;

		buf_reset(&m);
		api_select_value_problems(r->vals[i], &m);
		if (!m.len)
			continue;
		buf_printf(&line, "values[%zu][%s]: Invalid value: ", i, r->key);
		api_select_quote(&line, r->vals[i]);
		buf_printf(&line, ": %s", buf_str(&m));
		api_select_errs_add(&e, &line);
		buf_free(&line);
	}
	if (e.oom || m.oom) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	} else if (e.n == 1) {
		snprintf(err, errlen, "%s", e.msg[0]);
		rc = -EINVAL;
	} else if (e.n > 1) {
		struct buf all = BUF_INIT;

		for (size_t i = 0; i < e.n; i++)
			buf_printf(&all, "%s%s", i ? ", " : "[", e.msg[i]);
		snprintf(err, errlen, "%s]", buf_str(&all));
		buf_free(&all);
		rc = -EINVAL;
	}
	for (size_t i = 0; i < e.n; i++)
		free(e.msg[i]);
	buf_free(&m);
	return rc;
}

struct api_select_req *api_select_push(struct api_selector *s)
{
	struct api_select_req *nr = realloc(s->reqs, (s->n + 1) * sizeof(*nr));

	if (!nr)
		return NULL;
	s->reqs = nr;
	memset(&nr[s->n], 0, sizeof(nr[0]));
	return &nr[s->n++];
}

/* ---- matching --------------------------------------------------------- */

static const char *api_select_scalar(const json_t *v, char *tmp, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(tmp, len, "%lld", (long long)json_integer_value(v));
		return tmp;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return "";
}

/* The value an object shows for a field label, as the kind's GetAttrs
 * computes it; absent fields are "". */
static const char *api_select_field_value(const json_t *obj, const char *field, char *tmp,
					  size_t len)
{
	const json_t *v;

	if (strcmp(field, "spec.hostNetwork") == 0 || strcmp(field, "spec.unschedulable") == 0)
		return json_is_true(api_json_path(obj, field)) ? "true" : "false";
	if (strcmp(field, "status.podIP") == 0) {
		v = json_array_get(api_json_path(obj, "status.podIPs"), 0);
		if (json_is_string(json_object_get(v, "ip")))
			return json_string_value(json_object_get(v, "ip"));
	} else if (strcmp(field, "status.podIPs") == 0) {
		return ""; /* accepted, but not a selectable field */
	} else if (strcmp(field, "source") == 0) {
		const char *c = api_select_scalar(api_json_path(obj, "source.component"), tmp,
						  len);
		if (*c)
			return c;
		field = "reportingComponent";
	}
	return api_select_scalar(api_json_path(obj, field), tmp, len);
}

static bool api_select_has(const struct api_select_req *r, const char *v)
{
	for (size_t i = 0; i < r->nvals; i++)
		if (strcmp(r->vals[i], v) == 0)
			return true;
	return false;
}

static bool api_select_req_match(const struct api_select_req *r, const json_t *labels)
{
	const json_t *jv = json_object_get(labels, r->key);
	const char *v = json_is_string(jv) ? json_string_value(jv) : "";
	long long have, want;

	switch (r->op) {
	case API_SELECT_IN:
		return jv && api_select_has(r, v);
	case API_SELECT_NOTIN:
		return !jv || !api_select_has(r, v);
	case API_SELECT_EXISTS:
		return jv != NULL;
	case API_SELECT_NOTEXISTS:
		return jv == NULL;
	case API_SELECT_GT:
	case API_SELECT_LT:
		if (!jv || r->nvals != 1 || !api_select_parse_int(v, &have) ||
		    !api_select_parse_int(r->vals[0], &want))
			return false;
		return r->op == API_SELECT_GT ? have > want : have < want;
	}
	return false;
}

bool api_select_match(const struct api_selector *s, const json_t *obj)
{
	const json_t *labels;

	if (!s)
		return true;
	labels = api_json_path(obj, "metadata.labels");
	for (size_t i = 0; i < s->n; i++) {
		const struct api_select_req *r = &s->reqs[i];

		if (s->fields) {
			char tmp[32];
			bool eq = strcmp(api_select_field_value(obj, r->key, tmp, sizeof(tmp)),
					 r->vals[0]) == 0;

			if (eq != (r->op == API_SELECT_IN))
				return false;
		} else if (!api_select_req_match(r, json_is_object(labels) ? labels : NULL)) {
			return false;
		}
	}
	return true;
}

/* ---- LabelSelector objects as text ------------------------------------ */

struct api_select_sorted {
	const struct api_select_req *r;
	size_t order;
};

static int api_select_cmp_key(const void *a, const void *b)
{
	const struct api_select_sorted *x = a, *y = b;
	int c = strcmp(x->r->key, y->r->key);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int api_select_req_from_expr(const json_t *expr, struct api_select_req *r,
				    char *err, size_t errlen)
{
	const char *op = json_string_value(json_object_get(expr, "operator"));
	const json_t *vals = json_object_get(expr, "values");
	const json_t *v;
	size_t i;
	char **nv;
	struct buf b = BUF_INIT;

	if (!op)
		op = "";
	if (strcmp(op, "In") == 0) {
		r->op = API_SELECT_IN;
	} else if (strcmp(op, "NotIn") == 0) {
		r->op = API_SELECT_NOTIN;
	} else if (strcmp(op, "Exists") == 0) {
		r->op = API_SELECT_EXISTS;
	} else if (strcmp(op, "DoesNotExist") == 0) {
		r->op = API_SELECT_NOTEXISTS;
	} else {
		api_select_quote(&b, op);
		snprintf(err, errlen, "%s is not a valid label selector operator", buf_str(&b));
		buf_free(&b);
		return -EINVAL;
	}
	r->key = strdup(json_is_string(json_object_get(expr, "key")) ?
			json_string_value(json_object_get(expr, "key")) : "");
	if (!r->key)
		return -ENOMEM;
	/* Kept in order and with repeats: the text form sorts but does not
	 * deduplicate a hand-written list. */
	json_array_foreach(vals, i, v) {
		if (!(nv = realloc(r->vals, (r->nvals + 1) * sizeof(*nv))))
			return -ENOMEM;
		r->vals = nv;
		if (!(r->vals[r->nvals] = strdup(json_is_string(v) ? json_string_value(v) : "")))
			return -ENOMEM;
		r->nvals++;
	}
	if (r->nvals > 1)
		qsort(r->vals, r->nvals, sizeof(*r->vals), api_select_cmp_str);
	return api_select_check_req(r, json_array_size(vals) == 0, err, errlen);
}

char *api_select_from_object(const json_t *selector, char *err, size_t errlen)
{
	const json_t *ml = json_object_get(selector, "matchLabels");
	const json_t *me = json_object_get(selector, "matchExpressions");
	struct api_selector s = { false, NULL, 0 };
	struct api_select_sorted *sorted = NULL;
	struct buf out = BUF_INIT;
	const char *k;
	const json_t *v;
	size_t i;
	char *res = NULL;
	int rc = -ENOMEM;

	json_object_foreach((json_t *)ml, k, v) {
		struct api_select_req *r = api_select_push(&s);

		if (!r || !(r->key = strdup(k)) || !(r->vals = calloc(1, sizeof(*r->vals))) ||
		    !(r->vals[0] = strdup(json_is_string(v) ? json_string_value(v) : "")))
			goto out;
		r->nvals = 1;
		r->op = API_SELECT_IN;
		if ((rc = api_select_check_req(r, false, err, errlen)) < 0)
			goto out;
	}
	json_array_foreach(me, i, v) {
		struct api_select_req *r = api_select_push(&s);

		if (!r) {
			rc = -ENOMEM;
			goto out;
		}
		if ((rc = api_select_req_from_expr(v, r, err, errlen)) < 0)
			goto out;
	}
	rc = -ENOMEM;
	if (s.n && !(sorted = calloc(s.n, sizeof(*sorted))))
		goto out;
	for (i = 0; i < s.n; i++)
		sorted[i] = (struct api_select_sorted){ &s.reqs[i], i };
	if (s.n > 1)
		qsort(sorted, s.n, sizeof(*sorted), api_select_cmp_key);
	buf_puts(&out, "");
	for (i = 0; i < s.n; i++) {
		const struct api_select_req *r = sorted[i].r;
		bool set;

		if (i)
			buf_putc(&out, ',');
		if (r->op == API_SELECT_NOTEXISTS)
			buf_putc(&out, '!');
		buf_puts(&out, r->key);
		if (r->op == API_SELECT_EXISTS || r->op == API_SELECT_NOTEXISTS)
			continue;
		/* matchLabels entries come out as "k=v", expressions as sets
		 * even with one value. */
		set = (size_t)(r - s.reqs) >= json_object_size(ml);
		if (set)
			buf_puts(&out, r->op == API_SELECT_IN ? " in (" : " notin (");
		else
			buf_putc(&out, '=');
		for (size_t j = 0; j < r->nvals; j++) {
			if (j)
				buf_putc(&out, ',');
			buf_puts(&out, r->vals[j]);
		}
		if (set)
			buf_putc(&out, ')');
	}
	if (!out.oom && (res = strdup(buf_str(&out))))
		rc = 0;
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	for (i = 0; i < s.n; i++)
		api_select_req_clear(&s.reqs[i]);
	free(s.reqs);
	free(sorted);
	buf_free(&out);
	return rc < 0 ? NULL : res;
}
