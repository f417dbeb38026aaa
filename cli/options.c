/* options.c — see options.h. */
#include "options.h"

#include <stdio.h>
#include <string.h>

int opt_value(int argc, char **argv, int *i, const char *shrt, const char *lng,
	      const char **val)
{
	const char *a = argv[*i];
	size_t ln = strlen(lng);

	if ((shrt && strcmp(a, shrt) == 0) || strcmp(a, lng) == 0) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "error: flag needs an argument: %s\n", a);
			return -1;
		}
		*val = argv[++*i];
		return 1;
	}
	if (strncmp(a, lng, ln) == 0 && a[ln] == '=') {
		*val = a + ln + 1;
		return 1;
	}
	if (shrt && strncmp(a, shrt, strlen(shrt)) == 0 && shrt[1] != '-' && a[1] == shrt[1] &&
	    a[2] != '\0') {
		*val = a[2] == '=' ? a + 3 : a + 2;
		return 1;
	}
	return 0;
}

bool opt_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int opt_validate_flag(const char *arg, enum manifest_validation *out)
{
	char err[160];

	if (strcmp(arg, "--validate") == 0) {
		*out = MANIFEST_VALIDATE_STRICT;
		return 1;
	}
	if (strncmp(arg, "--validate=", 11) != 0)
		return 0;
	if (manifest_validation_parse(arg + 11, out, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return -1;
	}
	return 1;
}

