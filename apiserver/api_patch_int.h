/* api_patch_int.h — what the patch types share (api_patch.c,
 * api_patch_smp.c). Private to those two. */
#ifndef CLIENTIP_API_PATCH_INT_H
#define CLIENTIP_API_PATCH_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Dotted paths longer than this are not looked up (every list under them
 * is atomic); no merge key of any kind lives that deep. */
#define API_PATCH_PATH_MAX 512
/* How much of a path an error message shows. */
#define API_PATCH_PATH_SHOWN 96

/* An error message into err (nothing when err is NULL or errlen 0). */
void api_patch_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* JSON equality as RFC 6902's test and the merge keys need it: 1 and 1.0
 * are the same number (jansson's json_equal says they differ). */
bool api_patch_equal(const json_t *a, const json_t *b);

#endif
