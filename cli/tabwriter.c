/* tabwriter.c — see tabwriter.h. */
#include "tabwriter.h"

#include <stdlib.h>
#include <string.h>

struct tabwriter_line {
	const char **cells;     /* cells[i] points into the text; lengths apart */
	size_t *lens;
	int n;                  /* cells, the last one unterminated */
};

struct tabwriter {
	FILE *out;
	int minwidth, padding;
	struct tabwriter_line *lines;
	int n_lines;
	int widths[64];
	int n_widths;
};

/* Display width: UTF-8 continuation bytes take no column. */
static int tabwriter_width(const char *s, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

static void tabwriter_write_lines(struct tabwriter *t, int line0, int line1)
{
	for (int l = line0; l < line1; l++) {
		struct tabwriter_line *ln = &t->lines[l];

		for (int j = 0; j < ln->n; j++) {
			fwrite(ln->cells[j], 1, ln->lens[j], t->out);
			if (j < t->n_widths && j < ln->n - 1) {
				int pad = t->widths[j] - tabwriter_width(ln->cells[j], ln->lens[j]);

				for (int k = 0; k < pad; k++)
					fputc(' ', t->out);
			}
		}
		fputc('\n', t->out);
	}
}

/* Go's tabwriter.(*Writer).format. */
static void tabwriter_format(struct tabwriter *t, int line0, int line1)
{
	int column = t->n_widths;

	for (int this = line0; this < line1; this++) {
		int width;

		if (column >= t->lines[this].n - 1)
			continue;
		tabwriter_write_lines(t, line0, this);
		line0 = this;
		width = t->minwidth;
		for (; this < line1; this++) {
			struct tabwriter_line *ln = &t->lines[this];
			int w;

			if (column >= ln->n - 1)
				break;
			w = tabwriter_width(ln->cells[column], ln->lens[column]) + t->padding;
			if (w > width)
				width = w;
		}
		if (t->n_widths < (int)(sizeof(t->widths) / sizeof(t->widths[0]))) {
			t->widths[t->n_widths++] = width;
			tabwriter_format(t, line0, this);
			t->n_widths--;
		}
		line0 = this;
	}
	tabwriter_write_lines(t, line0, line1);
}

void tabwriter_write(FILE *out, const char *text, int minwidth, int padding)
{
	struct tabwriter t = { .out = out, .minwidth = minwidth, .padding = padding };
	const char *p = text;
	int cap = 0;

	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		struct tabwriter_line *ln;
		int ncells = 1;

		for (const char *q = p; q < end; q++)
			if (*q == '\t')
				ncells++;
		if (t.n_lines == cap) {
			struct tabwriter_line *nl;

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
	tabwriter_format(&t, 0, t.n_lines);
out:
	for (int i = 0; i < t.n_lines; i++) {
		free(t.lines[i].cells);
		free(t.lines[i].lens);
	}
	free(t.lines);
}
