/* api_json.c — see api_json.h. */
#include "api_json.h"

#include <string.h>

const json_t *api_json_path(const json_t *obj, const char *path)
{
	char part[256];

	while (obj && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		if (len >= sizeof(part))
			return NULL;
		memcpy(part, path, len);
		part[len] = '\0';
		obj = json_object_get(obj, part);
		path += len + (dot ? 1 : 0);
	}
	return obj;
}

const char *api_json_meta(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(json_object_get(obj, "metadata"), key));

	return s ? s : "";
}
