/* options.h — kubectl's flag forms for the object verbs' own options, which
 * mix flags and arguments in any order as kubectl does.
 */
#ifndef CLIENTIP_CLI_OPTIONS_H
#define CLIENTIP_CLI_OPTIONS_H

#include <stdbool.h>

#include "manifest.h"

/* Matches argv[*i] against a short (may be NULL) and long option taking a
 * value ("-f X", "-fX", "--filename X", "--filename=X"). Sets *val and
 * advances *i past a separate value. Returns 1 matched, 0 not, -1 when the
 * value is missing (message printed). */
int opt_value(int argc, char **argv, int *i, const char *shrt, const char *lng,
	      const char **val);
/* "-h" or "--help". */
bool opt_is_help(const char *arg);
/* kubectl's --validate[=VALUE] (apply, create, delete -f): 1 if arg is it
 * (*out set), 0 if it is not, -1 (message printed) if its value is not one
 * kubectl takes. */
int opt_validate_flag(const char *arg, enum manifest_validation *out);

#endif
