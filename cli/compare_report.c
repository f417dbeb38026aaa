/* compare_report.c — `clientip compare`'s output: the table, --json and
 * the --report file with each strategy's Health Probe Status chart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_int.h"
#include "fsutil.h"
#include "jsonw.h"

static void cmp_json_num(struct jsonw *w, const char *key, struct cmp_num n, bool integer)
{
	jsonw_key(w, key);
	if (!n.ok)
		jsonw_null(w);
	else if (integer)
		jsonw_int(w, (int64_t)(n.v + 0.5));
	else
		jsonw_double(w, (double)(long long)(n.v * 100 + 0.5) / 100);
}

void cmp_print_json(const struct cmp_row *rows, size_t n)
{
	struct buf b = BUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &b, true);
	jsonw_begin_array(&w);
	for (size_t i = 0; i < n; i++) {
		const struct cmp_row *r = &rows[i];

		jsonw_begin_object(&w);
		jsonw_kv_str(&w, "strategy", r->s->name);
		/* Only a row that could not be measured says so, and why. */
		if (!r->available) {
			jsonw_kv_bool(&w, "available", false);
			jsonw_kv_str(&w, "reason", r->reason);
		}
		jsonw_key(&w, "client_ip_kept");
		if (r->kept_ok)
			jsonw_bool(&w, r->kept);
		else
			jsonw_null(&w);
		cmp_json_num(&w, "health_probe_status", r->hps, true);
		cmp_json_num(&w, "spread", r->spread, false);
		cmp_json_num(&w, "rps_vs_direct", r->rps, false);
		cmp_json_num(&w, "cps_vs_direct", r->cps, false);
		cmp_json_num(&w, "failed_during_rollout", r->rollout, true);
		cmp_json_num(&w, "failover_ms", r->failover, true);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	fwrite(b.data, 1, b.len, stdout);
	fputc('\n', stdout);
	buf_free(&b);
}

static void cmp_cell(char *buf, size_t len, struct cmp_num n, int prec, const char *unit)
{
	if (!n.ok)
		snprintf(buf, len, "-");
	else {
		snprintf(buf, len, "%.*f", prec, n.v);
		strncat(buf, unit, len - strlen(buf) - 1);
	}
}

static const char *const cmp_heads[] = {
	"STRATEGY", "CLIENT IP", "PROBE STATUS", "SPREAD", "RPS/DIRECT", "CPS/DIRECT",
	"FAILED IN ROLLOUT", "FAILOVER",
};

/* The cells of a row as the table shows them. */
static void cmp_cells(const struct cmp_row *r, char cells[8][48])
{
	snprintf(cells[0], 48, "%s", r->s->name);
	snprintf(cells[1], 48, "%s", !r->available ? "unavailable" : !r->kept_ok ? "-" :
		 r->kept ? "kept" : "lost");
	cmp_cell(cells[2], 48, r->hps, 0, " %");
	cmp_cell(cells[3], 48, r->spread, 2, "");
	cmp_cell(cells[4], 48, r->rps, 2, "");
	cmp_cell(cells[5], 48, r->cps, 2, "");
	cmp_cell(cells[6], 48, r->rollout, 0, "");
	cmp_cell(cells[7], 48, r->failover, 0, " ms");
}

void cmp_print_table(const struct cmp_row *rows, size_t n)
{
	char cells[8][48];

	printf("%-13s %-11s %-12s %-7s %-10s %-10s %-17s %s\n", cmp_heads[0], cmp_heads[1],
	       cmp_heads[2], cmp_heads[3], cmp_heads[4], cmp_heads[5], cmp_heads[6], cmp_heads[7]);
	for (size_t i = 0; i < n; i++) {
		cmp_cells(&rows[i], cells);
		printf("%-13s %-11s %-12s %-7s %-10s %-10s %-17s %s\n", cells[0], cells[1], cells[2],
		       cells[3], cells[4], cells[5], cells[6], cells[7]);
	}
	for (size_t i = 0; i < n; i++)
		if (!rows[i].available)
			printf("%s: %s\n", rows[i].s->name, rows[i].reason);
}

/* A chart's SVG without its XML declaration, to nest in the report. */
static char *cmp_chart_body(const char *path, size_t *len)
{
	char *data = NULL, *p;

	if (!path[0] || fs_read_all(path, &data, len) != 0)
		return NULL;
	p = strstr(data, "<svg");
	if (!p) {
		free(data);
		return NULL;
	}
	*len -= (size_t)(p - data);
	memmove(data, p, *len + 1);
	return data;
}

/* An attribute's number from a chart's root element ("width", "height"). */
static int cmp_svg_attr(const char *svg, const char *attr, int dflt)
{
	char key[32];
	const char *p, *end = strchr(svg, '>');

	snprintf(key, sizeof(key), " %s=\"", attr);
	p = strstr(svg, key);
	return p && (!end || p < end) ? atoi(p + strlen(key)) : dflt;
}

static void cmp_escape_xml(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '"')
			buf_puts(b, "&quot;");
		else
			buf_putc(b, *s);
	}
}

/* The report: the table, then each strategy's Health Probe Status chart as
 * `clientip metrics --svg` drew it. HTML for a .html path, else SVG. */
int cmp_report(const char *path, const struct cmp_row *rows, size_t n, const char *lab)
{
	static const int colx[8] = { 10, 130, 220, 320, 390, 480, 570, 720 };
	bool html = strlen(path) > 5 && strcmp(path + strlen(path) - 5, ".html") == 0;
	struct buf b = BUF_INIT;
	char cells[8][48];
	int y, width = 820, rc;

	if (html) {
		buf_printf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			   "<title>clientip compare</title><style>body{font-family:sans-serif}"
			   "td,th{padding:4px 10px;text-align:left}</style></head><body>\n"
			   "<h1>Keeping the client IP: the strategies side by side</h1>\n"
			   "<p>lab %s</p>\n<table>\n<tr>", lab);
		for (int k = 0; k < 8; k++)
			buf_printf(&b, "<th>%s</th>", cmp_heads[k]);
		buf_puts(&b, "</tr>\n");
		for (size_t i = 0; i < n; i++) {
			cmp_cells(&rows[i], cells);
			buf_puts(&b, "<tr>");
			for (int k = 0; k < 8; k++) {
				buf_puts(&b, "<td>");
				cmp_escape_xml(&b, cells[k]);
				buf_puts(&b, "</td>");
			}
			buf_puts(&b, "</tr>\n");
		}
		buf_puts(&b, "</table>\n");
		for (size_t i = 0; i < n; i++) {
			size_t len;
			char *svg = cmp_chart_body(rows[i].chart, &len);

			buf_printf(&b, "<h2>%s</h2>\n", rows[i].s->name);
			if (!svg) {
				buf_puts(&b, "<p>");
				cmp_escape_xml(&b, rows[i].available ?
					       "no load balancer rule: no Health Probe Status" :
					       rows[i].reason);
				buf_puts(&b, "</p>\n");
				continue;
			}
			buf_append(&b, svg, len);
			buf_putc(&b, '\n');
			free(svg);
		}
		buf_puts(&b, "</body></html>\n");
		goto write;
	}
	/* SVG: the table as text rows, the charts nested below each other. */
	struct buf body = BUF_INIT;

	y = 30;
	buf_printf(&body, "<text x=\"10\" y=\"%d\" font-size=\"16\" font-weight=\"bold\">"
		   "Keeping the client IP: the strategies side by side (lab %s)</text>\n", y, lab);
	y += 30;
	for (int k = 0; k < 8; k++)
		buf_printf(&body, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n",
			   colx[k], y, cmp_heads[k]);
	for (size_t i = 0; i < n; i++) {
		y += 20;
		cmp_cells(&rows[i], cells);
		for (int k = 0; k < 8; k++) {
			buf_printf(&body, "<text x=\"%d\" y=\"%d\">", colx[k], y);
			cmp_escape_xml(&body, cells[k]);
			buf_puts(&body, "</text>\n");
		}
	}
	y += 20;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *svg = cmp_chart_body(rows[i].chart, &len);

		y += 30;
		buf_printf(&body, "<text x=\"10\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">"
			   "%s</text>\n", y, rows[i].s->name);
		if (!svg) {
			y += 20;
			buf_printf(&body, "<text x=\"10\" y=\"%d\">", y);
			cmp_escape_xml(&body, rows[i].available ?
				       "no load balancer rule: no Health Probe Status" : rows[i].reason);
			buf_puts(&body, "</text>\n");
			continue;
		}
		int w = cmp_svg_attr(svg, "width", 800), h = cmp_svg_attr(svg, "height", 300);

		y += 10;
		/* A nested <svg> is positioned by x and y on its root element. */
		buf_printf(&body, "<svg x=\"10\" y=\"%d\"", y);
		buf_append(&body, svg + 4, len - 4);
		buf_putc(&body, '\n');
		y += h;
		if (w + 20 > width)
			width = w + 20;
		free(svg);
	}
	y += 20;
	buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "font-family=\"sans-serif\" font-size=\"12\">\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", width, y);
	buf_append(&b, body.data, body.len);
	buf_puts(&b, "</svg>\n");
	buf_free(&body);
write:
	rc = fs_write_atomic(path, b.data, b.len, 0644);
	buf_free(&b);
	return rc;
}
