/* api_select_int.h — what the two parts of the selectors share (not an
 * API): a selector's requirements, and what the parser needs of
 * api_select.c to build and check them.
 *
 *   api_select.c        requirements: checks, matching, LabelSelector
 *                       objects as text
 *   api_select_parse.c  the label and field selector grammars
 */
#ifndef CLIENTIP_API_SELECT_INT_H
#define CLIENTIP_API_SELECT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* "=", "==" and "in" match the same way, as do "!=" and "notin". */
enum api_select_op {
	API_SELECT_IN,
	API_SELECT_NOTIN,
	API_SELECT_EXISTS,
	API_SELECT_NOTEXISTS,
	API_SELECT_GT,
	API_SELECT_LT,
};

struct api_select_req {
	char *key;
	enum api_select_op op;
	char **vals;
	size_t nvals;
};

struct api_selector {
	bool fields;          /* a field selector: keys are field labels */
	struct api_select_req *reqs;
	size_t n;
};

/* The problems with a label key as upstream words them, appended to b;
 * nothing when there are none. */
void api_select_key_problems(const char *k, struct buf *b);
/* Go's %q for the strings selectors hold. */
void api_select_quote(struct buf *b, const char *s);
/* qsort's comparison of C strings. */
int api_select_cmp_str(const void *a, const void *b);
/* Adds v to a sorted set of values (labels.Parse collects a set). 0, or
 * -ENOMEM. */
int api_select_set_add(struct api_select_req *r, const char *v);
/* labels.NewRequirement's checks for a requirement built by hand or by the
 * parser. "vals_null" says the values list was absent (JSON null). 0, or
 * -EINVAL with the message in err, or -ENOMEM. */
int api_select_check_req(const struct api_select_req *r, bool vals_null, char *err,
			 size_t errlen);
/* A new, empty requirement at the end of s; NULL when out of memory. */
struct api_select_req *api_select_push(struct api_selector *s);

#endif
