/* objects.c — see objects.h. */
#include "objects.h"

#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fsutil.h"
#include "objapi.h"

/* ---- the lab ---------------------------------------------------------- */

int obj_lab_open(const struct cli *cli, struct lab_info *li)
{
	char path[PATH_MAX], err[256];
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (snprintf(path, sizeof(path), "%s/%s", cli->statedir, LABINFO_FILE) >= (int)sizeof(path)) {
		fprintf(stderr, "error: %s: path too long\n", cli->statedir);
		return -1;
	}
	rc = fs_read_all(path, &text, &len);
	if (rc == -ENOENT) {
		fprintf(stderr, "error: lab \"%s\" does not exist (no %s); create it with "
			"\"clientip --lab %s lab up\"\n", cli->lab, path, cli->lab);
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "error: lab \"%s\": %s: %s\n", cli->lab, path, strerror(-rc));
		return -1;
	}
	rc = labinfo_parse(text, len, li, err, sizeof(err));
	free(text);
	if (rc < 0) {
		fprintf(stderr, "error: lab \"%s\": %s: %s\n", cli->lab, path, err);
		return -1;
	}
	return 0;
}

/* ---- resource types ----------------------------------------------------- */

static const struct {
	const char *plural, *singular;
	const char *names[8];
	bool namespaced;
} obj_res_table[OBJ_RES_COUNT] = {
	[OBJ_RES_NODES] = { "nodes", "node", { "nodes", "node", "no" }, false },
	[OBJ_RES_PODS] = { "pods", "pod", { "pods", "pod", "po" }, true },
	[OBJ_RES_SERVICES] = { "services", "service", { "services", "service", "svc" }, true },
	[OBJ_RES_ENDPOINTS] = { "endpoints", "endpoints", { "endpoints", "ep", "endpoint" }, true },
	[OBJ_RES_DEPLOYMENTS] = { "deployments.apps", "deployment.apps",
				  { "deployments", "deployment", "deploy", "deployments.apps",
				    "deployment.apps", "deployments.v1.apps" }, true },
	[OBJ_RES_DAEMONSETS] = { "daemonsets.apps", "daemonset.apps",
				 { "daemonsets", "daemonset", "ds", "daemonsets.apps",
				   "daemonset.apps", "daemonsets.v1.apps" }, true },
};

int obj_res_parse(const char *s, enum obj_res *out)
{
	for (int r = 0; r < OBJ_RES_COUNT; r++)
		for (int k = 0; k < 8 && obj_res_table[r].names[k]; k++)
			if (strcmp(s, obj_res_table[r].names[k]) == 0) {
				*out = (enum obj_res)r;
				return 0;
			}
	return -1;
}

const char *obj_res_plural(enum obj_res r) { return obj_res_table[r].plural; }
const char *obj_res_singular(enum obj_res r) { return obj_res_table[r].singular; }
bool obj_res_namespaced(enum obj_res r) { return obj_res_table[r].namespaced; }

const char *obj_res_api(enum obj_res r)
{
	return r == OBJ_RES_DEPLOYMENTS ? "deployments" : r == OBJ_RES_DAEMONSETS ? "daemonsets"
	       : r == OBJ_RES_SERVICES ? "services" : NULL;
}

void obj_err_unknown_type(const char *type)
{
	fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n", type);
}

void obj_err_not_found(enum obj_res r, const char *name)
{
	fprintf(stderr, "Error from server (NotFound): %s \"%s\" not found\n", obj_res_plural(r),
		name);
}

int obj_res_arg(const char *arg, enum obj_res *res, const char **name)
{
	const char *slash = strchr(arg, '/');
	char type[64];
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg);

	if (n >= sizeof(type)) {
		obj_err_unknown_type(arg);
		return -1;
	}
	memcpy(type, arg, n);
	type[n] = '\0';
	if (obj_res_parse(type, res) < 0) {
		obj_err_unknown_type(type);
		return -1;
	}
	if (!slash)
		return 0;
	if (slash[1] == '\0' || strchr(slash + 1, '/')) {
		fprintf(stderr, "error: arguments in resource/name form must have a single "
			"resource and name\n");
		return -1;
	}
	*name = slash + 1;
	return 1;
}

/* ---- label selectors ------------------------------------------------------ */

static void obj_trim(char *s)
{
	size_t n = strlen(s), b = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (s[b] && isspace((unsigned char)s[b]))
		b++;
	memmove(s, s + b, n - b + 1);
}

int obj_selector_parse(const char *s, struct obj_selector *sel, char *err, size_t errlen)
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

		if (sel->n >= OBJ_SEL_MAX) {
			snprintf(err, errlen, "too many requirements in selector");
			return -1;
		}
		obj_trim(tok);
		if ((op = strstr(tok, "!="))) {
			kind = OBJ_SEL_NE;
			*op = '\0';
			op += 2;
		} else if ((op = strstr(tok, "=="))) {
			kind = OBJ_SEL_EQ;
			*op = '\0';
			op += 2;
		} else if ((op = strchr(tok, '='))) {
			kind = OBJ_SEL_EQ;
			*op = '\0';
			op += 1;
		} else if (tok[0] == '!') {
			kind = OBJ_SEL_NOT_EXISTS;
			memmove(tok, tok + 1, strlen(tok));
		} else {
			kind = OBJ_SEL_EXISTS;
		}
		obj_trim(tok);
		if (op)
			obj_trim(op);
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

bool obj_selector_matches(const struct obj_selector *sel, const struct model_map *labels)
{
	for (int i = 0; i < sel->n; i++) {
		const char *v = model_map_get(labels, sel->req[i].key);

		switch (sel->req[i].op) {
		case OBJ_SEL_EQ:
			if (!v || strcmp(v, sel->req[i].value) != 0)
				return false;
			break;
		case OBJ_SEL_NE:
			if (v && strcmp(v, sel->req[i].value) == 0)
				return false;
			break;
		case OBJ_SEL_EXISTS:
			if (!v)
				return false;
			break;
		case OBJ_SEL_NOT_EXISTS:
			if (v)
				return false;
			break;
		}
	}
	return true;
}

/* ---- time ----------------------------------------------------------------- */

/* k8s.io/apimachinery/pkg/util/duration.HumanDuration, step for step. */
void obj_age(int64_t seconds, char *buf, size_t len)
{
	int64_t minutes, hours;

	if (seconds < -1) {
		snprintf(buf, len, "<invalid>");
		return;
	}
	if (seconds < 0) {
		snprintf(buf, len, "0s");
		return;
	}
	if (seconds < 60 * 2) {
		snprintf(buf, len, "%llds", (long long)seconds);
		return;
	}
	minutes = seconds / 60;
	if (minutes < 10) {
		if (seconds % 60 == 0)
			snprintf(buf, len, "%lldm", (long long)minutes);
		else
			snprintf(buf, len, "%lldm%llds", (long long)minutes, (long long)(seconds % 60));
		return;
	}
	if (minutes < 60 * 3) {
		snprintf(buf, len, "%lldm", (long long)minutes);
		return;
	}
	hours = seconds / 3600;
	if (hours < 8) {
		if (minutes % 60 == 0)
			snprintf(buf, len, "%lldh", (long long)hours);
		else
			snprintf(buf, len, "%lldh%lldm", (long long)hours, (long long)(minutes % 60));
	} else if (hours < 48) {
		snprintf(buf, len, "%lldh", (long long)hours);
	} else if (hours < 24 * 8) {
		if (hours % 24 == 0)
			snprintf(buf, len, "%lldd", (long long)(hours / 24));
		else
			snprintf(buf, len, "%lldd%lldh", (long long)(hours / 24), (long long)(hours % 24));
	} else if (hours < 24 * 365 * 2) {
		snprintf(buf, len, "%lldd", (long long)(hours / 24));
	} else if (hours < 24 * 365 * 8) {
		int64_t days = (hours / 24) % 365;

		if (days == 0)
			snprintf(buf, len, "%lldy", (long long)(hours / 24 / 365));
		else
			snprintf(buf, len, "%lldy%lldd", (long long)(hours / 24 / 365), (long long)days);
	} else {
		snprintf(buf, len, "%lldy", (long long)(hours / 24 / 365));
	}
}

int64_t obj_parse_duration_or_number_ms(const char *s, int64_t unit_ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end != s && *end == '\0')
		return v < 0 ? -1 : (int64_t)(v * (double)unit_ms);
	return obj_parse_duration_ms(s);
}

int64_t obj_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void obj_age_since(const char *rfc3339, char *buf, size_t len)
{
	int64_t t = rfc3339 && *rfc3339 ? model_time_parse(rfc3339) : -1;

	if (t < 0) {
		snprintf(buf, len, "<unknown>");
		return;
	}
	obj_age(obj_now_ms() / 1000 - t, buf, len);
}

int64_t obj_parse_duration_ms(const char *s)
{
	int64_t total = 0;
	bool any = false;

	if (strcmp(s, "0") == 0)
		return 0;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		int64_t unit;

		if (end == s || v < 0)
			return -1;
		s = end;
		if (strncmp(s, "ms", 2) == 0) {
			unit = 1;
			s += 2;
		} else if (*s == 's') {
			unit = 1000;
			s++;
		} else if (*s == 'm') {
			unit = 60000;
			s++;
		} else if (*s == 'h') {
			unit = 3600000;
			s++;
		} else {
			return -1;
		}
		total += (int64_t)(v * (double)unit);
		any = true;
	}
	return any ? total : -1;
}

/* ---- tabwriter ------------------------------------------------------------ */

struct obj_tw_line {
	const char **cells;     /* cells[i] points into the text; lengths apart */
	size_t *lens;
	int n;                  /* cells, the last one unterminated */
};

struct obj_tw {
	FILE *out;
	int minwidth, padding;
	struct obj_tw_line *lines;
	int n_lines;
	int widths[64];
	int n_widths;
};

/* Display width: UTF-8 continuation bytes take no column. */
static int obj_tw_width(const char *s, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

static void obj_tw_write_lines(struct obj_tw *t, int line0, int line1)
{
	for (int l = line0; l < line1; l++) {
		struct obj_tw_line *ln = &t->lines[l];

		for (int j = 0; j < ln->n; j++) {
			fwrite(ln->cells[j], 1, ln->lens[j], t->out);
			if (j < t->n_widths && j < ln->n - 1) {
				int pad = t->widths[j] - obj_tw_width(ln->cells[j], ln->lens[j]);

				for (int k = 0; k < pad; k++)
					fputc(' ', t->out);
			}
		}
		fputc('\n', t->out);
	}
}

/* Go's tabwriter.(*Writer).format. */
static void obj_tw_format(struct obj_tw *t, int line0, int line1)
{
	int column = t->n_widths;

	for (int this = line0; this < line1; this++) {
		int width;

		if (column >= t->lines[this].n - 1)
			continue;
		obj_tw_write_lines(t, line0, this);
		line0 = this;
		width = t->minwidth;
		for (; this < line1; this++) {
			struct obj_tw_line *ln = &t->lines[this];
			int w;

			if (column >= ln->n - 1)
				break;
			w = obj_tw_width(ln->cells[column], ln->lens[column]) + t->padding;
			if (w > width)
				width = w;
		}
		if (t->n_widths < (int)(sizeof(t->widths) / sizeof(t->widths[0]))) {
			t->widths[t->n_widths++] = width;
			obj_tw_format(t, line0, this);
			t->n_widths--;
		}
		line0 = this;
	}
	obj_tw_write_lines(t, line0, line1);
}

void obj_tabwrite(FILE *out, const char *text, int minwidth, int padding)
{
	struct obj_tw t = { .out = out, .minwidth = minwidth, .padding = padding };
	const char *p = text;
	int cap = 0;

	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		struct obj_tw_line *ln;
		int ncells = 1;

		for (const char *q = p; q < end; q++)
			if (*q == '\t')
				ncells++;
		if (t.n_lines == cap) {
			struct obj_tw_line *nl;

			cap = cap ? cap * 2 : 32;
			nl = realloc(t.lines, (size_t)cap * sizeof(*nl));
			if (!nl)
				goto out;
			t.lines = nl;
		}
		ln = &t.lines[t.n_lines];
		ln->cells = malloc((size_t)ncells * sizeof(*ln->cells));
		ln->lens = malloc((size_t)ncells * sizeof(*ln->lens));
		if (!ln->cells || !ln->lens) {
			free(ln->cells);
			free(ln->lens);
			goto out;
		}
		ln->n = 0;
		for (const char *c = p;;) {
			const char *tab = memchr(c, '\t', (size_t)(end - c));
			const char *cend = tab ? tab : end;

			ln->cells[ln->n] = c;
			ln->lens[ln->n] = (size_t)(cend - c);
			ln->n++;
			if (!tab)
				break;
			c = tab + 1;
		}
		t.n_lines++;
		p = eol ? eol + 1 : end;
	}
	obj_tw_format(&t, 0, t.n_lines);
out:
	for (int i = 0; i < t.n_lines; i++) {
		free(t.lines[i].cells);
		free(t.lines[i].lens);
	}
	free(t.lines);
}

/* ---- JSON to YAML ---------------------------------------------------------- */

/* Whether YAML 1.1 (go-yaml, kubectl) or 1.2 would read s as a number or a
 * timestamp: 80, -1.5, 1e3, 0x1F, 0o17, 1_000, .5, 190:20:30, 2024-05-01. */
static bool obj_yaml_numberish(const char *s, size_t n)
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
static bool obj_yaml_plain_ok(const char *s, size_t n)
{
	static const char *const words[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
		"false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null",
		"NULL", "~", NULL,
	};

	if (n == 0 || isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]))
		return false;
	if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) &&
	    !(s[0] == '-' && n > 1 && s[1] != ' ' && !obj_yaml_numberish(s, n)))
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
	if (obj_yaml_numberish(s, n))
		return false;
	{
		const char *t = s + (s[0] == '-' || s[0] == '+');

		if (strncasecmp(t, ".inf", 4) == 0 || strncasecmp(s, ".nan", 4) == 0)
			return false;
	}
	return true;
}

static void obj_yaml_scalar(struct buf *out, struct fy_node *n)
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
	if (obj_yaml_plain_ok(s, len))
		buf_append(out, s, len);
	else
		jsonw_escape(out, s, len);
}

static bool obj_yaml_empty(struct fy_node *n)
{
	return (fy_node_is_mapping(n) && fy_node_mapping_item_count(n) == 0) ||
	       (fy_node_is_sequence(n) && fy_node_sequence_item_count(n) == 0);
}

static void obj_yaml_indent(struct buf *out, int indent)
{
	for (int i = 0; i < indent; i++)
		buf_putc(out, ' ');
}

static void obj_yaml_node(struct buf *out, struct fy_node *n, int indent, bool inline_first,
			  int depth);

/* A value after "key:" or "- ": inline if scalar or empty, else on the
 * following lines. */
static void obj_yaml_value(struct buf *out, struct fy_node *v, int indent, int depth)
{
	if (!v || fy_node_is_scalar(v)) {
		buf_putc(out, ' ');
		if (v)
			obj_yaml_scalar(out, v);
		else
			buf_puts(out, "null");
		buf_putc(out, '\n');
	} else if (obj_yaml_empty(v)) {
		buf_puts(out, fy_node_is_mapping(v) ? " {}\n" : " []\n");
	} else if (fy_node_is_sequence(v)) {
		/* kubectl (go-yaml) puts "- " at the parent key's indent. */
		buf_putc(out, '\n');
		obj_yaml_node(out, v, indent, false, depth + 1);
	} else {
		buf_putc(out, '\n');
		obj_yaml_node(out, v, indent + 2, false, depth + 1);
	}
}

static void obj_yaml_node(struct buf *out, struct fy_node *n, int indent, bool inline_first,
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
				obj_yaml_indent(out, indent);
			first = false;
			obj_yaml_scalar(out, fy_node_pair_key(p));
			buf_putc(out, ':');
			obj_yaml_value(out, fy_node_pair_value(p), indent, depth);
		}
	} else if (fy_node_is_sequence(n)) {
		struct fy_node *item;

		while ((item = fy_node_sequence_iterate(n, &it))) {
			if (!(first && inline_first))
				obj_yaml_indent(out, indent);
			first = false;
			buf_putc(out, '-');
			if (fy_node_is_mapping(item) && !obj_yaml_empty(item)) {
				buf_putc(out, ' ');
				obj_yaml_node(out, item, indent + 2, true, depth + 1);
			} else if (fy_node_is_sequence(item) && !obj_yaml_empty(item)) {
				buf_putc(out, ' ');
				obj_yaml_node(out, item, indent + 2, true, depth + 1);
			} else {
				obj_yaml_value(out, item, indent + 2, depth);
			}
		}
	} else {
		obj_yaml_indent(out, indent);
		obj_yaml_scalar(out, n);
		buf_putc(out, '\n');
	}
}

int obj_json_to_yaml(const char *json, size_t len, struct buf *out, char *err, size_t errlen)
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
		obj_yaml_scalar(out, root);
		buf_putc(out, '\n');
	} else if (root) {
		obj_yaml_node(out, root, 0, false, 0);
	}
	fy_document_destroy(d);
	return 0;
}

void obj_map_format(const struct model_map *m, char *buf, size_t len)
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

/* ---- option parsing ---------------------------------------------------------- */

int obj_opt_value(int argc, char **argv, int *i, const char *shrt, const char *lng,
		  const char **val)
{
	const char *a = argv[*i];
	size_t ln = strlen(lng);

	if ((shrt && strcmp(a, shrt) == 0) || strcmp(a, lng) == 0) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "error: flag needs an argument: %s\n", a);
			return -1;
		}
		*val = argv[++*i];
		return 1;
	}
	if (strncmp(a, lng, ln) == 0 && a[ln] == '=') {
		*val = a + ln + 1;
		return 1;
	}
	if (shrt && strncmp(a, shrt, strlen(shrt)) == 0 && shrt[1] != '-' && a[1] == shrt[1] &&
	    a[2] != '\0') {
		*val = a[2] == '=' ? a + 3 : a + 2;
		return 1;
	}
	return 0;
}

bool obj_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* ---- objects ---------------------------------------------------------------- */

int obj_world_load(const struct cli *cli, struct obj_world *w)
{
	char err[256];

	memset(w, 0, sizeof(*w));
	if (store_list_pods(cli->statedir, NULL, &w->pods, &w->n_pods, err, sizeof(err)) < 0 ||
	    store_list_pod_statuses(cli->statedir, &w->statuses, &w->n_statuses, err,
				    sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		obj_world_free(w);
		return -1;
	}
	return 0;
}

void obj_world_free(struct obj_world *w)
{
	free(w->pods);
	free(w->statuses);
	memset(w, 0, sizeof(*w));
}

const struct model_pod_status *obj_pod_status(const struct obj_world *w,
					      const struct model_pod *p)
{
	for (int i = 0; i < w->n_statuses; i++) {
		const struct model_pod_status *s = &w->statuses[i];

		if (strcmp(s->ns, p->meta.ns) == 0 && strcmp(s->name, p->meta.name) == 0 &&
		    (!s->uid[0] || !p->meta.uid[0] || strcmp(s->uid, p->meta.uid) == 0))
			return s;
	}
	return NULL;
}

const char *obj_pod_phase_text(const struct model_pod *p, const struct model_pod_status *st)
{
	if (p->meta.deleting[0] || (st && st->terminating))
		return "Terminating";
	if (!st)
		return p->node[0] ? "ContainerCreating" : "Pending";
	if (st->phase == MODEL_POD_SUCCEEDED)
		return st->reason[0] ? st->reason : "Completed";
	if (st->phase == MODEL_POD_FAILED)
		return st->reason[0] ? st->reason : "Error";
	/* A waiting container's reason wins over the phase, as in kubectl. */
	if (st->pid <= 0 && st->reason[0])
		return st->reason;
	if (st->phase == MODEL_POD_RUNNING)
		return "Running";
	return st->reason[0] ? st->reason : "Pending";
}

bool obj_pod_ready(const struct model_pod *p, const struct model_pod_status *st)
{
	return st && st->ready && !p->meta.deleting[0];
}

void obj_deployment_status(const struct objapi_workload *dw, const struct obj_world *w,
			   struct model_deployment_status *st, bool *observed)
{
	const struct model_deployment *d = &dw->spec;

	if (dw->reported) {
		*st = dw->status;
		*observed = st->observed_generation >= d->meta.generation;
		return;
	}
	/* No controller status yet: count what the pods say. Without the
	 * controller's template hash every live pod counts as updated. */
	memset(st, 0, sizeof(*st));
	snprintf(st->ns, sizeof(st->ns), "%s", d->meta.ns);
	snprintf(st->name, sizeof(st->name), "%s", d->meta.name);
	for (int i = 0; w && i < w->n_pods; i++) {
		const struct model_pod *p = &w->pods[i];

		if (strcmp(p->meta.ns, d->meta.ns) != 0 || strcmp(p->owner, d->meta.name) != 0 ||
		    p->daemon_set || p->meta.deleting[0])
			continue;
		st->replicas++;
		st->updated_replicas++;
		if (obj_pod_ready(p, obj_pod_status(w, p))) {
			st->ready_replicas++;
			st->available_replicas++;
		}
	}
	st->unavailable_replicas = d->replicas > st->available_replicas
		? d->replicas - st->available_replicas : 0;
	/* The pods are the truth here: nothing is left to observe. */
	*observed = true;
}
