/* lb_svg.c — see lb_svg.h. */
#include "lb_svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define LB_SVG_FONT "Segoe UI, Helvetica Neue, Helvetica, Arial, sans-serif"

struct lb_svg_box {
	double left, top, right, bottom;
};

const char *lb_svg_color(int i)
{
	/* The portal's first series colours: distinct and legible on white. */
	static const char *const palette[] = {
		"#0078d4", "#e3008c", "#00a36c", "#ff8c00", "#8764b8",
		"#00b7c3", "#a4262c", "#4f6bed", "#498205", "#ca5010",
	};

	return palette[(i < 0 ? -i : i) % (int)(sizeof(palette) / sizeof(palette[0]))];
}

static void lb_svg_text(struct buf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '&': buf_puts(out, "&amp;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		default:
			/* Control characters are not allowed in XML 1.0. */
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				buf_putc(out, *s);
		}
	}
}

static double lb_svg_span(const struct lb_svg_chart *c)
{
	double span = (double)(c->len - 1) * c->step;

	return span > 0 ? span : c->step > 0 ? c->step : 1;
}

static double lb_svg_x(const struct lb_svg_chart *c, const struct lb_svg_box *b, double t)
{
	if (c->len <= 1)
		return (b->left + b->right) / 2;
	return b->left + (t - (double)c->start) / lb_svg_span(c) * (b->right - b->left);
}

static double lb_svg_y(const struct lb_svg_box *b, double v)
{
	if (v < 0)
		v = 0;
	if (v > 100)
		v = 100;
	return b->top + (100 - v) / 100 * (b->bottom - b->top);
}

static void lb_svg_time(const struct lb_svg_chart *c, int64_t t, bool seconds,
			char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (c->utc)
		gmtime_r(&tt, &tm);
	else
		localtime_r(&tt, &tm);
	strftime(out, len, seconds ? "%H:%M:%S" : "%H:%M", &tm);
}

static void lb_svg_grid(const struct lb_svg_chart *c, const struct lb_svg_box *b,
			struct buf *out)
{
	static const int steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
				     3600, 7200, 10800, 21600, 43200, 86400 };
	double span = lb_svg_span(c);
	int tick = steps[sizeof(steps) / sizeof(steps[0]) - 1];
	int64_t first, end = c->start + (int64_t)span;
	long gmtoff = 0;

	buf_puts(out, "<g class=\"y-axis\" font-size=\"12\" fill=\"#605e5c\" text-anchor=\"end\">\n");
	for (int v = 0; v <= 100; v += 20) {
		double y = lb_svg_y(b, v);

		buf_printf(out, "<line class=\"gridline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			   "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>\n",
			   b->left, y, b->right, y, v == 0 ? "#c8c6c4" : "#edebe9");
		buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\">%d%%</text>\n", b->left - 10, y + 4, v);
	}
	buf_puts(out, "</g>\n");

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i] >= c->step && span / steps[i] <= 7) {
			tick = steps[i];
			break;
		}
	}
	if (!c->utc) {
		time_t now = (time_t)c->start;
		struct tm tm;

		localtime_r(&now, &tm);
		gmtoff = tm.tm_gmtoff;
	}
	/* Ticks fall on round local times (xx:00, xx:05, ...). */
	first = ((c->start + gmtoff + tick - 1) / tick) * tick - gmtoff;
	if (c->len <= 1)
		first = end = c->start;
	buf_puts(out, "<g class=\"x-axis\" font-size=\"12\" fill=\"#605e5c\" text-anchor=\"middle\">\n");
	for (int64_t t = first; t <= end; t += tick) {
		double x = lb_svg_x(c, b, (double)t);
		char label[16];

		lb_svg_time(c, t, tick < 60, label, sizeof(label));
		buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			   "stroke=\"#c8c6c4\" stroke-width=\"1\"/>\n", x, b->bottom, x, b->bottom + 5);
		buf_printf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			   x, b->bottom + 22, label);
	}
	buf_puts(out, "</g>\n");
}

/* The average's pen: dark and dashed, so the backends show through. */
#define LB_SVG_AVERAGE_COLOR "#323130"

static void lb_svg_path(const struct lb_svg_chart *c, const struct lb_svg_box *b,
			const struct lb_svg_line *l, const char *cls, const char *color,
			double width, const char *dash, struct buf *out)
{
	bool pen = false;

	buf_printf(out, "<path class=\"%s\" data-label=\"", cls);
	lb_svg_text(out, l->label);
	buf_printf(out, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" "
		   "stroke-linejoin=\"round\" stroke-linecap=\"%s\"", color, width,
		   dash ? "butt" : "round");
	if (dash)
		buf_printf(out, " stroke-dasharray=\"%s\"", dash);
	buf_puts(out, " d=\"");
	for (int k = 0; k < c->len; k++) {
		double x, y;

		if (isnan(l->values[k])) {
			pen = false;
			continue;
		}
		x = lb_svg_x(c, b, (double)c->start + (double)k * c->step);
		y = lb_svg_y(b, l->values[k]);
		buf_printf(out, "%s%.1f %.1f ", pen ? "L" : "M", x, y);
		pen = true;
	}
	buf_puts(out, "\"/>\n");
	/* A sample with no neighbour draws no line: mark it with a dot. */
	for (int k = 0; k < c->len; k++) {
		bool prev = k > 0 && !isnan(l->values[k - 1]);
		bool next = k + 1 < c->len && !isnan(l->values[k + 1]);

		if (isnan(l->values[k]) || prev || next)
			continue;
		buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>\n",
			   lb_svg_x(c, b, (double)c->start + (double)k * c->step),
			   lb_svg_y(b, l->values[k]), width / 2 + 1.5, color);
	}
}

static void lb_svg_line(const struct lb_svg_chart *c, const struct lb_svg_box *b, int i,
			struct buf *out)
{
	/* Lines on top of each other (two backends at 100 %) would hide all but
	 * the last: earlier lines are drawn wider so each shows as a band. */
	lb_svg_path(c, b, &c->lines[i], "series", lb_svg_color(i), 2.0 + 2.5 * (c->n - 1 - i),
		    NULL, out);
}

static void lb_svg_legend_item(const char *caption, const struct lb_svg_line *l, int len,
			       const char *color, double x, double y, double h, struct buf *out)
{
	char value[32];
	int last = -1;

	for (int k = len - 1; k >= 0; k--) {
		if (!isnan(l->values[k])) {
			last = k;
			break;
		}
	}
	if (last >= 0)
		snprintf(value, sizeof(value), "%.0f %%", l->values[last]);
	else
		snprintf(value, sizeof(value), "--");
	buf_printf(out, "<g class=\"legend-item\">\n"
		   "<rect x=\"%.1f\" y=\"%.1f\" width=\"4\" height=\"%.1f\" fill=\"%s\"/>\n",
		   x, y, h - 8, color);
	buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#605e5c\">",
		   x + 12, y + 11);
	lb_svg_text(out, caption);
	buf_puts(out, "</text>\n");
	buf_printf(out, "<text class=\"legend-label\" x=\"%.1f\" y=\"%.1f\" font-size=\"13\" "
		   "fill=\"#323130\">", x + 12, y + 27);
	lb_svg_text(out, l->label);
	buf_puts(out, "</text>\n");
	buf_printf(out, "<text class=\"legend-value\" x=\"%.1f\" y=\"%.1f\" font-size=\"20\" "
		   "font-weight=\"600\" fill=\"#323130\">%s</text>\n</g>\n",
		   x + 12, y + 51, value);
}

/* A tile per backend, then one for the average: the latest value of each. */
static void lb_svg_legend(const struct lb_svg_chart *c, double x0, double y0, double maxx,
			  struct buf *out)
{
	const double w = 220, h = 62;
	double x = x0, y = y0;
	char caption[128];

	snprintf(caption, sizeof(caption), "%s (Avg)", c->metric ? c->metric : "");
	buf_puts(out, "<g class=\"legend\">\n");
	for (int i = 0; i <= c->n; i++) {
		bool average = i == c->n;

		if (average && !c->average)
			break;
		if (x + w > maxx && x > x0) {
			x = x0;
			y += h + 8;
		}
		lb_svg_legend_item(caption, average ? c->average : &c->lines[i], c->len,
				   average ? LB_SVG_AVERAGE_COLOR : lb_svg_color(i), x, y, h, out);
		x += w;
	}
	buf_puts(out, "</g>\n");
}

void lb_svg_render(const struct lb_svg_chart *c, struct buf *out)
{
	int width = c->width > 0 ? c->width : 1000;
	int height = c->height > 0 ? c->height : 600;
	struct lb_svg_box b = { 64, 100, width - 48, height - 190 };
	bool any = false;

	buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		   "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "font-family=\"%s\">\n", width, height, width, height, LB_SVG_FONT);
	buf_printf(out, "<rect class=\"background\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
		   "fill=\"#ffffff\"/>\n", width, height);
	buf_puts(out, "<text class=\"title\" x=\"24\" y=\"38\" font-size=\"20\" "
		      "font-weight=\"600\" fill=\"#323130\">");
	lb_svg_text(out, c->title);
	buf_puts(out, "</text>\n");
	if (c->subtitle) {
		buf_puts(out, "<text class=\"subtitle\" x=\"24\" y=\"62\" font-size=\"13\" "
			      "fill=\"#605e5c\">");
		lb_svg_text(out, c->subtitle);
		buf_puts(out, "</text>\n");
	}
	lb_svg_grid(c, &b, out);
	for (int i = 0; i < c->n; i++)
		for (int k = 0; k < c->len && !any; k++)
			any = !isnan(c->lines[i].values[k]);
	for (int k = 0; c->average && k < c->len && !any; k++)
		any = !isnan(c->average->values[k]);
	if (!any) {
		buf_printf(out, "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\" font-size=\"14\" "
			   "fill=\"#605e5c\" text-anchor=\"middle\">No data for this time range</text>\n",
			   (b.left + b.right) / 2, (b.top + b.bottom) / 2);
	}
	buf_puts(out, "<g class=\"lines\">\n");
	/* In order: the first, widest line lies underneath the later ones. */
	for (int i = 0; i < c->n; i++)
		lb_svg_line(c, &b, i, out);
	if (c->average)
		lb_svg_path(c, &b, c->average, "average", LB_SVG_AVERAGE_COLOR, 2.0, "4 8", out);
	buf_puts(out, "</g>\n");
	lb_svg_legend(c, b.left, b.bottom + 48, width - 24, out);
	if (c->note) {
		buf_printf(out, "<text class=\"note\" x=\"24\" y=\"%d\" font-size=\"12\" "
			   "fill=\"#605e5c\">", height - 16);
		lb_svg_text(out, c->note);
		buf_puts(out, "</text>\n");
	}
	buf_puts(out, "</svg>\n");
}
