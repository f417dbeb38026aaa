/* tabwriter.h — Go's text/tabwriter, as kubectl uses it, for the tables of
 * `get` and the blocks of `describe`: the alignment a Kubernetes user
 * expects, to the column.
 */
#ifndef CLIENTIP_CLI_TABWRITER_H
#define CLIENTIP_CLI_TABWRITER_H

#include <stdio.h>

/* Cells end at '\t', a column's width is its widest cell plus padding (at
 * least minwidth), computed per block of consecutive lines that have that
 * column. `get` tables use minwidth 6, padding 3; `describe` uses 0 and 2. */
void tabwriter_write(FILE *out, const char *text, int minwidth, int padding);

#endif
