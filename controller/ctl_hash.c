/* ctl_hash.c — pod-template-hash and generated pod names. */
#include "ctl.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "store.h"

static int ctl_kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct model_kv *)a)->key, ((const struct model_kv *)b)->key);
}

int ctl_template_hash(const struct model_deployment *d, char out[CTL_HASH_LEN + 1])
{
	static const char alphabet[] = CTL_ALPHABET;
	struct model_map labels = d->template_labels, annotations = d->template_annotations;
	json_t *tmpl;
	char digits[16], *text;

	/* Map order is the manifest's order; reordering labels in a manifest
	 * must not roll every pod. */
	qsort(labels.items, (size_t)labels.n, sizeof(labels.items[0]), ctl_kv_cmp);
	qsort(annotations.items, (size_t)annotations.n, sizeof(annotations.items[0]), ctl_kv_cmp);
	tmpl = model_pod_template_to_value(&labels, &annotations, &d->pod);
	/* Compact, members in the order written (jansson keeps it). Any change
	 * to this text changes every hash and rolls every pod on upgrade. */
	text = tmpl ? json_dumps(tmpl, JSON_COMPACT) : NULL;
	json_decref(tmpl);
	if (!text)
		return -ENOMEM;
	snprintf(digits, sizeof(digits), "%010u",
		 (unsigned)hash_fnv1a32(HASH_FNV1A32_INIT, text, strlen(text)));
	free(text);
	for (int i = 0; i < CTL_HASH_LEN; i++)
		out[i] = alphabet[(unsigned char)digits[i] % (sizeof(alphabet) - 1)];
	out[CTL_HASH_LEN] = '\0';
	return 0;
}

void ctl_pod_name(const char *deployment, const char *hash,
		  const unsigned char rnd[CTL_SUFFIX_LEN], char out[MODEL_NAME_MAX])
{
	static const char alphabet[] = CTL_ALPHABET;
	/* generateName keeps at most 63 - 5 characters of its base. */
	const int base_max = 63 - CTL_SUFFIX_LEN;
	int n;

	n = hash && hash[0] ? snprintf(out, MODEL_NAME_MAX, "%s-%s-", deployment, hash)
			    : snprintf(out, MODEL_NAME_MAX, "%s-", deployment);
	if (n > base_max)
		n = base_max;
	for (int i = 0; i < CTL_SUFFIX_LEN; i++)
		out[n + i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	out[n + CTL_SUFFIX_LEN] = '\0';
}
