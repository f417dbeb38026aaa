/* Unit tests for lb/lb_svg.c: the chart's structure — a well-formed SVG
 * document, title, y gridlines 0-100 %, HH:MM ticks, one path per line
 * with breaks at gaps, a legend tile per line with its latest value, and
 * the pool's average as a dashed line on top with its own tile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_svg.h"

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Every element opened is closed, in order (no attributes contain '<'). */
static void assert_well_formed(const char *svg)
{
	char stack[64][32];
	int depth = 0;
	const char *p = strstr(svg, "<svg");

	assert_non_null(p);
	while ((p = strchr(p, '<')) != NULL) {
		const char *end = strchr(p, '>');
		char name[32];
		size_t n = 0;

		assert_non_null(end);
		if (p[1] == '/') {
			for (const char *q = p + 2; q < end && n < sizeof(name) - 1; q++)
				name[n++] = *q;
			name[n] = '\0';
			assert_true(depth > 0);
			assert_string_equal(stack[depth - 1], name);
			depth--;
		} else if (end[-1] != '/') {
			for (const char *q = p + 1; q < end && *q != ' ' && n < sizeof(name) - 1; q++)
				name[n++] = *q;
			name[n] = '\0';
			assert_true(depth < 64);
			snprintf(stack[depth++], sizeof(stack[0]), "%s", name);
		}
		p = end + 1;
	}
	assert_int_equal(depth, 0);
}

static void test_chart_structure(void **state)
{
	/* 30 minutes at 1 min: node0 up throughout, node1 down from minute
	 * 20 with a gap at minute 10. */
	float a[30], b[30];
	struct lb_svg_line lines[2] = { { "10.240.0.4", a }, { "10.240.0.5", b } };
	struct lb_svg_chart c = {
		.title = "Health Probe Status (Avg), split by Backend IP Address",
		.subtitle = "default/node-service <203.0.113.10>",
		.note = "Probe interval 1 s (lab-wide; Azure default 5 s)",
		.metric = "Health Probe Status",
		.start = 1700000040, .step = 60, .len = 30,
		.lines = lines, .n = 2, .utc = true,
	};
	struct buf out = BUF_INIT;
	const char *svg;

	(void)state;
	for (int i = 0; i < 30; i++) {
		a[i] = 100;
		b[i] = i >= 20 ? 0 : 100;
	}
	b[10] = NAN;
	lb_svg_render(&c, &out);
	svg = buf_str(&out);
	assert_well_formed(svg);
	assert_non_null(strstr(svg, "viewBox=\"0 0 1000 600\""));
	assert_non_null(strstr(svg, ">Health Probe Status (Avg), split by Backend IP Address</text>"));
	/* Escaped text. */
	assert_non_null(strstr(svg, "default/node-service &lt;203.0.113.10&gt;"));
	/* y axis: 0, 20, ... 100 %. */
	assert_int_equal(count(svg, "class=\"gridline\""), 6);
	assert_non_null(strstr(svg, ">100%</text>"));
	assert_non_null(strstr(svg, ">0%</text>"));
	/* x axis: 2023-11-14 22:14 UTC + 29 min, ticks every 5 min. */
	assert_non_null(strstr(svg, ">22:15</text>"));
	assert_non_null(strstr(svg, ">22:40</text>"));
	assert_int_equal(count(svg, "class=\"tick\""), 6);
	/* One path per backend; the gap splits node1's line in two. */
	assert_int_equal(count(svg, "class=\"series\""), 2);
	{
		const char *p1 = strstr(svg, "data-label=\"10.240.0.5\"");
		const char *d, *e;
		int moves = 0;

		assert_non_null(p1);
		d = strstr(p1, " d=\"");
		e = strchr(d + 4, '"');
		for (const char *q = d; q < e; q++)
			moves += *q == 'M';
		assert_int_equal(moves, 2);
	}
	/* Legend: each IP with its latest value, and the note. */
	assert_int_equal(count(svg, "class=\"legend-item\""), 2);
	assert_non_null(strstr(strstr(svg, "class=\"legend-label\""), ">10.240.0.4</text>"));
	assert_int_equal(count(svg, ">100 %</text>"), 1);
	assert_int_equal(count(svg, ">0 %</text>"), 1);
	assert_non_null(strstr(svg, "lab-wide; Azure default 5 s"));
	assert_non_null(strstr(svg, lb_svg_color(0)));
	assert_non_null(strstr(svg, lb_svg_color(1)));
	assert_null(strstr(svg, "No data"));
	buf_free(&out);
}

static void test_empty_and_single_point(void **state)
{
	float v[3] = { NAN, 50, NAN };
	struct lb_svg_line line = { "10.240.0.4", v };
	struct lb_svg_chart c = {
		.title = "T", .metric = "M", .start = 1700000000, .step = 1, .len = 3,
		.lines = &line, .n = 1, .utc = true,
	};
	struct buf out = BUF_INIT;

	(void)state;
	lb_svg_render(&c, &out);
	assert_well_formed(buf_str(&out));
	/* A lone sample is a dot, and the seconds show on short spans. */
	assert_int_equal(count(buf_str(&out), "<circle"), 1);
	assert_non_null(strstr(buf_str(&out), ">22:13:20</text>"));
	assert_non_null(strstr(buf_str(&out), ">50 %</text>"));
	buf_reset(&out);
	v[1] = NAN;
	lb_svg_render(&c, &out);
	assert_well_formed(buf_str(&out));
	assert_non_null(strstr(buf_str(&out), "No data for this time range"));
	assert_non_null(strstr(buf_str(&out), ">--</text>"));
	buf_free(&out);
}

/* The scenario's story: both backends up, then one down; the average
 * line goes from 100 to 50 and is drawn last, dashed, with a tile. */
static void test_average_line(void **state)
{
	float a[20], b[20], pool[20];
	struct lb_svg_line lines[2] = { { "10.240.0.4", a }, { "10.240.0.5", b } };
	struct lb_svg_line average = { "all backends", pool };
	struct lb_svg_chart c = {
		.title = "T", .metric = "Health Probe Status", .start = 1700000000, .step = 1,
		.len = 20, .lines = lines, .n = 2, .average = &average, .utc = true,
	};
	struct buf out = BUF_INIT;
	const char *svg, *avg, *last_series, *d, *e;
	int moves = 0;

	(void)state;
	for (int i = 0; i < 20; i++) {
		a[i] = 100;
		b[i] = i < 10 ? 100 : 0;
		pool[i] = (a[i] + b[i]) / 2;
	}
	pool[0] = NAN;
	lb_svg_render(&c, &out);
	svg = buf_str(&out);
	assert_well_formed(svg);
	assert_int_equal(count(svg, "class=\"series\""), 2);
	assert_int_equal(count(svg, "class=\"average\""), 1);
	avg = strstr(svg, "class=\"average\"");
	last_series = strstr(strstr(svg, "data-label=\"10.240.0.5\""), "class=\"series\"");
	/* On top: after both backends' paths, and dashed. */
	assert_null(last_series);
	assert_true(avg > strstr(svg, "data-label=\"10.240.0.5\""));
	assert_non_null(strstr(avg, "stroke-dasharray"));
	d = strstr(avg, " d=\"");
	e = strchr(d + 4, '"');
	for (const char *q = d; q < e; q++)
		moves += *q == 'M';
	assert_int_equal(moves, 1);
	/* Tiles: 100 %, 0 % and the average's 50 %. */
	assert_int_equal(count(svg, "class=\"legend-item\""), 3);
	assert_non_null(strstr(svg, ">all backends</text>"));
	assert_int_equal(count(svg, ">50 %</text>"), 1);
	assert_int_equal(count(svg, ">100 %</text>"), 1);
	assert_int_equal(count(svg, ">0 %</text>"), 1);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chart_structure),
		cmocka_unit_test(test_empty_and_single_point),
		cmocka_unit_test(test_average_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
