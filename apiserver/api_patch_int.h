/* api_patch_int.h — what the patch types share (api_patch.c,
 * api_patch_smp.c, api_patch_keys.c). Private to those three. */
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

/* JSON equality as RFC 6902's test and the merge keys need it: 1 and 1.0
 * are the same number (jansson's json_equal says they differ). */
bool api_patch_equal(const json_t *a, const json_t *b);

/* ---- merge keys (api_patch_keys.c) --------------------------------------- */

enum api_patch_how {
	API_PATCH_KEYED,        /* list of objects merged item by item on a key */
	API_PATCH_SET,          /* list of primitives merged as a set */
	API_PATCH_REPLACE_MAP,  /* object replaced whole instead of merged */
};

struct api_patch_field {
	const char *kind;       /* NULL in api_patch_keys.c's shared tables */
	const char *path;
	const char *key;
	enum api_patch_how how;
};

#define API_PATCH_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* How kind treats the list or object at a dotted path (list indices left
 * out), from api_patch_keys.c's tables; NULL when it is atomic. */
const struct api_patch_field *api_patch_field_find(const char *kind, const char *path);

#endif
