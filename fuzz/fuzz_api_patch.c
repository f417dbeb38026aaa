/* fuzz_api_patch.c — libFuzzer target for apiserver/api_patch.c.
 *
 * A client chooses the patch; the stored object came from clients too.
 * The input is a patch type byte, then the object and the patch as JSON
 * texts separated by a NUL. Every patch type must never crash or leak,
 * must leave both inputs as they were, and answers a JSON value or NULL
 * with a message (merge patch: never NULL on valid JSON).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_kinds[] = { "Deployment", "Service", "Pod", "Node", "Unknown" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1, *sep;
	json_t *target, *patch, *result = NULL, *t0, *p0;
	char err[512] = "";
	unsigned mode;

	if (size < 2)
		return 0;
	mode = data[0];
	sep = memchr(text, '\0', size - 1);
	if (!sep)
		return 0;
	target = json_loadb(text, (size_t)(sep - text), JSON_DECODE_ANY, NULL);
	patch = json_loadb(sep + 1, size - 1 - (size_t)(sep + 1 - text), JSON_DECODE_ANY, NULL);
	if (!target || !patch)
		goto out;
	t0 = json_deep_copy(target);
	p0 = json_deep_copy(patch);
	switch (mode % 3) {
	case 0:
		result = api_patch_merge(target, patch);
		if (!result)
			abort();
		break;
	case 1:
		result = api_patch_json(target, patch, err, sizeof(err));
		if (!result && !err[0])
			abort();
		break;
	default:
		result = api_patch_strategic(target, patch,
					     fuzz_kinds[(mode / 3) % (sizeof(fuzz_kinds) /
								       sizeof(fuzz_kinds[0]))],
					     err, sizeof(err));
		if (!result && !err[0])
			abort();
		break;
	}
	if (!json_equal(t0, target) || !json_equal(p0, patch))
		abort();
	json_decref(t0);
	json_decref(p0);
	json_decref(result);
out:
	json_decref(target);
	json_decref(patch);
	return 0;
}
