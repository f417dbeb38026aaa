/* labels.c — see labels.h. */
#include "labels.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static void labels_trim(char *s)
{
	size_t n = strlen(s), b = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (s[b] && isspace((unsigned char)s[b]))
		b++;
	memmove(s, s + b, n - b + 1);
}

int labels_selector_parse(const char *s, struct labels_selector *sel, char *err, size_t errlen)
{
	char copy[1024], *save = NULL, *tok;

	memset(sel, 0, sizeof(*sel));
	if (strlen(s) >= sizeof(copy)) {
		snprintf(err, errlen, "selector too long");
		return -1;
	}
	snprintf(copy, sizeof(copy), "%s", s);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *op;
		int kind;

		if (sel->n >= LABELS_SEL_MAX) {
			snprintf(err, errlen, "too many requirements in selector");
			return -1;
		}
		labels_trim(tok);
		if ((op = strstr(tok, "!="))) {
			kind = LABELS_SEL_NE;
			*op = '\0';
			op += 2;
		} else if ((op = strstr(tok, "=="))) {
			kind = LABELS_SEL_EQ;
			*op = '\0';
			op += 2;
		} else if ((op = strchr(tok, '='))) {
			kind = LABELS_SEL_EQ;
			*op = '\0';
			op += 1;
		} else if (tok[0] == '!') {
			kind = LABELS_SEL_NOT_EXISTS;
			memmove(tok, tok + 1, strlen(tok));
		} else {
			kind = LABELS_SEL_EXISTS;
		}
		labels_trim(tok);
		if (op)
			labels_trim(op);
		if (tok[0] == '\0' || strlen(tok) >= sizeof(sel->req[0].key) ||
		    (op && strlen(op) >= sizeof(sel->req[0].value)) || strpbrk(tok, " ()")) {
			snprintf(err, errlen, "unable to parse requirement: \"%s\"", s);
			return -1;
		}
		snprintf(sel->req[sel->n].key, sizeof(sel->req[0].key), "%s", tok);
		snprintf(sel->req[sel->n].value, sizeof(sel->req[0].value), "%s", op ? op : "");
		sel->req[sel->n].op = kind;
		sel->n++;
	}
	return 0;
}

bool labels_selector_matches(const struct labels_selector *sel, const struct model_map *labels)
{
	for (int i = 0; i < sel->n; i++) {
		const char *v = model_map_get(labels, sel->req[i].key);

		switch (sel->req[i].op) {
		case LABELS_SEL_EQ:
			if (!v || strcmp(v, sel->req[i].value) != 0)
				return false;
			break;
		case LABELS_SEL_NE:
			if (v && strcmp(v, sel->req[i].value) == 0)
				return false;
			break;
		case LABELS_SEL_EXISTS:
			if (!v)
				return false;
			break;
		case LABELS_SEL_NOT_EXISTS:
			if (v)
				return false;
			break;
		}
	}
	return true;
}

void labels_format(const struct model_map *m, char *buf, size_t len)
{
	size_t o = 0;

	if (m->n == 0) {
		snprintf(buf, len, "<none>");
		return;
	}
	buf[0] = '\0';
	for (int i = 0; i < m->n && o < len; i++) {
		int w = snprintf(buf + o, len - o, "%s%s=%s", i ? "," : "", m->items[i].key,
				 m->items[i].value);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}
