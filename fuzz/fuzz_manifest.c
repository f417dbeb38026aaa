/* fuzz_manifest.c — libFuzzer target for lib/manifest*.c.
 *
 * Any bytes a user could pass to `clientip apply -f` go through the YAML
 * parser and the schema walk. The parse must never crash or leak, must
 * keep no object when it reports an error (a file is all or nothing), and
 * every message must carry the file name it was given.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	char err[256];
	int rc;

	/* warn: unknown and duplicate fields are let through, so the objects
	 * built past them are checked below too */
	rc = manifest_parse_string("fuzz.yaml", (const char *)data, size, "default",
				   MANIFEST_VALIDATE_WARN, &m, err, sizeof(err));
	if (rc == -1 && m.n_objects != 0)
		abort();
	if (rc == 0 && m.n_errors != 0)
		abort();
	for (int i = 0; i < m.n_msgs; i++)
		if (strncmp(m.msgs[i].text, "fuzz.yaml", 9) != 0)
			abort();
	for (int i = 0; i < m.n_objects; i++) {
		const struct model_meta *meta = manifest_object_meta(&m.objects[i]);

		if (meta->name[0] == '\0' || meta->ns[0] == '\0')
			abort();
	}
	manifest_free(&m);
	return 0;
}
