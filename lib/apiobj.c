/* apiobj.c — see apiobj.h. */
#include "apiobj.h"

#include <string.h>

#include "model.h"

json_t *apiobj_model_copy(const json_t *obj)
{
	json_t *copy = json_deep_copy(obj);
	json_t *md = json_object_get(copy, "metadata");
	json_t *ann = json_object_get(md, "annotations"), *v;
	const char *k;
	void *tmp;

	json_object_foreach_safe(ann, tmp, k, v) {
		if (!json_is_string(v) || json_string_length(v) >= MODEL_VALUE_MAX ||
		    strlen(k) >= MODEL_KEY_MAX || strncmp(k, "deployment.kubernetes.io/", 25) == 0)
			json_object_del(ann, k);
	}
	json_object_del(md, "managedFields");
	return copy;
}

char *apiobj_model_text(const json_t *obj)
{
	json_t *copy = apiobj_model_copy(obj);
	char *text = copy ? json_dumps(copy, JSON_COMPACT) : NULL;

	json_decref(copy);
	return text;
}
