/* yaml_out.c — see yaml_out.h. */
#include "yaml_out.h"

#include <ctype.h>
#include <libfyaml.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jsonw.h"

/* Whether YAML 1.1 (go-yaml, kubectl) or 1.2 would read s as a number or a
 * timestamp: 80, -1.5, 1e3, 0x1F, 0o17, 1_000, .5, 190:20:30, 2024-05-01. */
static bool yaml_out_numberish(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (n >= 10 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) && s[4] == '-')
		return true;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i < n && isdigit((unsigned char)s[i]) && memchr(s + i, ':', n - i))
		return true;
	if (n - i > 2 && s[i] == '0' && strchr("xXoObB", s[i + 1])) {
		for (i += 2; i < n; i++)
			if (!isxdigit((unsigned char)s[i]) && s[i] != '_')
				return false;
		return true;
	}
	for (; i < n && (isdigit((unsigned char)s[i]) || s[i] == '_'); i++)
		digits += s[i] != '_';
	if (i < n && s[i] == '.')
		for (i++; i < n && (isdigit((unsigned char)s[i]) || s[i] == '_'); i++)
			digits += s[i] != '_';
	if (digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t ed = 0;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		for (; i < n && isdigit((unsigned char)s[i]); i++)
			ed++;
		if (ed == 0)
			return false;
	}
	return i == n;
}

/* Whether a string can be written plain without YAML (1.1 or 1.2) reading
 * it back as anything but that string. */
static bool yaml_out_plain_ok(const char *s, size_t n)
{
	static const char *const words[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
		"false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null",
		"NULL", "~", NULL,
	};

	if (n == 0 || isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]))
		return false;
	if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) &&
	    !(s[0] == '-' && n > 1 && s[1] != ' ' && !yaml_out_numberish(s, n)))
		return false;
	if (s[n - 1] == ':')
		return false;
	for (int k = 0; words[k]; k++)
		if (strlen(words[k]) == n && memcmp(words[k], s, n) == 0)
			return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return false;
		if (c == ':' && i + 1 < n && s[i + 1] == ' ')
			return false;
		if (c == '#' && i > 0 && s[i - 1] == ' ')
			return false;
	}
	if (yaml_out_numberish(s, n))
		return false;
	{
		const char *t = s + (s[0] == '-' || s[0] == '+');

		if (strncasecmp(t, ".inf", 4) == 0 || strncasecmp(s, ".nan", 4) == 0)
			return false;
	}
	return true;
}

static void yaml_out_scalar(struct buf *out, struct fy_node *n)
{
	size_t len = 0;
	const char *s = fy_node_get_scalar(n, &len);
	enum fy_node_style st = fy_node_get_style(n);

	if (!s) {
		buf_puts(out, "null");
		return;
	}
	/* JSON strings are double-quoted; numbers, booleans and null plain. */
	if (st != FYNS_DOUBLE_QUOTED && st != FYNS_SINGLE_QUOTED) {
		buf_append(out, s, len);
		return;
	}
	if (yaml_out_plain_ok(s, len))
		buf_append(out, s, len);
	else
		jsonw_escape(out, s, len);
}

static bool yaml_out_empty(struct fy_node *n)
{
	return (fy_node_is_mapping(n) && fy_node_mapping_item_count(n) == 0) ||
	       (fy_node_is_sequence(n) && fy_node_sequence_item_count(n) == 0);
}

static void yaml_out_indent(struct buf *out, int indent)
{
	for (int i = 0; i < indent; i++)
		buf_putc(out, ' ');
}

static void yaml_out_node(struct buf *out, struct fy_node *n, int indent, bool inline_first,
			  int depth);

/* A value after "key:" or "- ": inline if scalar or empty, else on the
 * following lines. */
static void yaml_out_value(struct buf *out, struct fy_node *v, int indent, int depth)
{
	if (!v || fy_node_is_scalar(v)) {
		buf_putc(out, ' ');
		if (v)
			yaml_out_scalar(out, v);
		else
			buf_puts(out, "null");
		buf_putc(out, '\n');
	} else if (yaml_out_empty(v)) {
		buf_puts(out, fy_node_is_mapping(v) ? " {}\n" : " []\n");
	} else if (fy_node_is_sequence(v)) {
		/* kubectl (go-yaml) puts "- " at the parent key's indent. */
		buf_putc(out, '\n');
		yaml_out_node(out, v, indent, false, depth + 1);
	} else {
		buf_putc(out, '\n');
		yaml_out_node(out, v, indent + 2, false, depth + 1);
	}
}

static void yaml_out_node(struct buf *out, struct fy_node *n, int indent, bool inline_first,
			  int depth)
{
	void *it = NULL;
	bool first = true;

	if (depth > 64)
		return;
	if (fy_node_is_mapping(n)) {
		struct fy_node_pair *p;

		while ((p = fy_node_mapping_iterate(n, &it))) {
			if (!(first && inline_first))
				yaml_out_indent(out, indent);
			first = false;
			yaml_out_scalar(out, fy_node_pair_key(p));
			buf_putc(out, ':');
			yaml_out_value(out, fy_node_pair_value(p), indent, depth);
		}
	} else if (fy_node_is_sequence(n)) {
		struct fy_node *item;

		while ((item = fy_node_sequence_iterate(n, &it))) {
			if (!(first && inline_first))
				yaml_out_indent(out, indent);
			first = false;
			buf_putc(out, '-');
			if (fy_node_is_mapping(item) && !yaml_out_empty(item)) {
				buf_putc(out, ' ');
				yaml_out_node(out, item, indent + 2, true, depth + 1);
			} else if (fy_node_is_sequence(item) && !yaml_out_empty(item)) {
				buf_putc(out, ' ');
				yaml_out_node(out, item, indent + 2, true, depth + 1);
			} else {
				yaml_out_value(out, item, indent + 2, depth);
			}
		}
	} else {
		yaml_out_indent(out, indent);
		yaml_out_scalar(out, n);
		buf_putc(out, '\n');
	}
}

int yaml_out_from_json(const char *json, size_t len, struct buf *out, char *err, size_t errlen)
{
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_FORCE };
	struct fy_document *d = fy_document_build_from_string(&cfg, json, len);
	struct fy_node *root;

	if (!d) {
		snprintf(err, errlen, "cannot convert the object to YAML");
		return -1;
	}
	root = fy_document_root(d);
	if (root && fy_node_is_scalar(root)) {
		yaml_out_scalar(out, root);
		buf_putc(out, '\n');
	} else if (root) {
		yaml_out_node(out, root, 0, false, 0);
	}
	fy_document_destroy(d);
	return 0;
}
