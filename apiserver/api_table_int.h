/* api_table_int.h — what the parts of the Table module share (not an
 * API): a kind's printer, the row being built, and the cell writers.
 *
 *   api_table.c           the Table, and the cells as the kinds write them
 *   api_table_printers.c  each kind's columns and cells
 */
#ifndef CLIENTIP_API_TABLE_INT_H
#define CLIENTIP_API_TABLE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"

struct api_table_col {
	const char *name;
	const char *type;
	const char *format;
	const char *desc;
	int priority;     /* 1: only with -o wide */
};

/* One row being built. */
struct api_table_row {
	const json_t *obj;
	int64_t now;
	json_t *cells;
	json_t *conditions;   /* NULL unless the kind marks rows (completed pods) */
	bool oom;
};

typedef void (*api_table_cells_fn)(struct api_table_row *row);

struct api_table_printer {
	const char *kind;
	const struct api_table_col *cols;
	size_t ncols;
	api_table_cells_fn cells;
};

/* "a,b,c" or "a,b,c + 2 more..." (at most three shown). */
struct api_table_list {
	struct buf b;
	size_t shown, count;
};

/* ---- api_table_printers.c ------------------------------------------------- */

/* The printer of a kind: its own, or the columns upstream gives a kind
 * without one (Name, Created At). */
const struct api_table_printer *api_table_printer_for(const char *kind);

/* ---- api_table.c: cells ------------------------------------------------- */

/* A string, integer or the size of an object or array at a dotted path of
 * obj; "", 0 when absent or of another type. */
const char *api_table_str(const json_t *obj, const char *path);
json_int_t api_table_int(const json_t *obj, const char *path);
size_t api_table_count(const json_t *obj, const char *path);
/* How long ago an RFC 3339 time was, as AGE shows it. */
void api_table_since(const char *rfc3339, int64_t now, char *out, size_t len);
/* One cell: a value (taken), a string, an integer, a buffer's text. */
void api_table_put(struct api_table_row *row, json_t *v);
void api_table_put_s(struct api_table_row *row, const char *s);
void api_table_put_i(struct api_table_row *row, json_int_t i);
void api_table_put_b(struct api_table_row *row, const struct buf *b);
/* The object's AGE and NAME cells. */
void api_table_put_age(struct api_table_row *row);
void api_table_put_name(struct api_table_row *row);
/* qsort's comparison of C strings. */
int api_table_cmp_str(const void *a, const void *b);
void api_table_put_labels(struct api_table_row *row, const json_t *map);
void api_table_put_containers(struct api_table_row *row, const json_t *tmpl);
void api_table_put_selector(struct api_table_row *row, const json_t *sel, const char *bad_text,
			    const char *empty_text);
void api_table_list_add(struct api_table_list *l, const char *item);
/* The list's cell, empty_text when it has no item. */
void api_table_list_put(struct api_table_row *row, struct api_table_list *l,
			const char *empty_text);
/* Whether conds has a condition of that type with status True. */
bool api_table_cond_true(const json_t *conds, const char *type);

#endif
