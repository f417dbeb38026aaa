/* tjson: see tjson.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tjson.h"

json_t *tjson_load(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

	if (!v)
		fail_msg("bad test JSON at %d: %s: %s", e.position, e.text, text);
	return v;
}

json_t *tjson_quoted(const char *text)
{
	char *s = strdup(text);
	json_t *v;

	assert_non_null(s);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = tjson_load(s);
	free(s);
	return v;
}
