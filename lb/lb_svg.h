/* lb_svg.h — a line chart as SVG, styled after the Azure portal's metric
 * chart: title, y axis 0-100 % with gridlines, times on x, one coloured
 * line per backend and a legend tile per line with its latest value.
 * Optionally a dashed line on top: the average over all backends, which is
 * the value the portal shows before "Apply splitting" (the scenario's
 * "100 %" and "50 %").
 *
 * The output is a self-contained SVG 1.1 document (no scripts, no external
 * fonts) that browsers and image viewers render the same way. Gaps (NAN)
 * break a line instead of bridging it, as the portal does for missing
 * data.
 */
#ifndef CLIENTIP_LB_SVG_H
#define CLIENTIP_LB_SVG_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

struct lb_svg_line {
	const char *label;             /* "10.240.0.4" */
	const float *values;           /* len values, NAN = no data */
};

struct lb_svg_chart {
	const char *title;             /* "Health Probe Status (Avg), split by Backend IP Address" */
	const char *subtitle;          /* service, frontend, granularity; may be NULL */
	const char *note;              /* e.g. the lab-wide probe interval; may be NULL */
	const char *metric;            /* legend caption, "Health Probe Status" */
	int64_t start;                 /* Unix time of values[0] */
	int step;                      /* seconds between values */
	int len;
	const struct lb_svg_line *lines;
	int n;
	const struct lb_svg_line *average;  /* the unsplit metric; may be NULL */
	int width, height;             /* 0: 1000 x 600 */
	bool utc;                      /* times in UTC instead of local time */
};

/* Appends the SVG document to out. */
void lb_svg_render(const struct lb_svg_chart *c, struct buf *out);

/* The colour of line i ("#0078d4", ...), cycling through the palette. */
const char *lb_svg_color(int i);

#endif
