/* apiobj.c — see apiobj.h. */
#include "apiobj.h"

#include <arpa/inet.h>
#include <stdio.h>
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

const json_t *apiobj_condition(const json_t *obj, const char *type)
{
	const json_t *conds = json_object_get(json_object_get(obj, "status"), "conditions");
	const json_t *c;
	size_t i;

	json_array_foreach(conds, i, c) {
		const char *t = json_string_value(json_object_get(c, "type"));

		if (t && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

/* The later of two RFC 3339 times into out (either may be NULL or bad). */
static void apiobj_later(const char *a, const char *b, char out[MODEL_TIME_MAX])
{
	int64_t ta = model_time_parse(a), tb = model_time_parse(b);
	const char *pick = ta >= tb ? a : b;

	snprintf(out, MODEL_TIME_MAX, "%s", (ta > 0 || tb > 0) && pick ? pick : "");
}

int apiobj_node_status(const json_t *node, const json_t *lease, struct model_node_status *out)
{
	const char *name = json_string_value(json_object_get(json_object_get(node, "metadata"),
							     "name"));
	const json_t *ready = apiobj_condition(node, "Ready");
	const json_t *addrs = json_object_get(json_object_get(node, "status"), "addresses"), *a;
	const char *status = json_string_value(json_object_get(ready, "status"));
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!name || strlen(name) >= sizeof(out->name))
		return -1;
	memcpy(out->name, name, strlen(name) + 1);
	json_array_foreach(addrs, i, a) {
		const char *type = json_string_value(json_object_get(a, "type"));
		const char *addr = json_string_value(json_object_get(a, "address"));

		if (type && addr && strcmp(type, "InternalIP") == 0 &&
		    inet_pton(AF_INET, addr, &out->addr) == 1)
			break;
	}
	out->posted_ready = status && strcmp(status, "True") == 0;
	apiobj_later(json_string_value(json_object_get(ready, "lastHeartbeatTime")),
		     json_string_value(json_object_get(json_object_get(lease, "spec"), "renewTime")),
		     out->heartbeat);
	return 0;
}
