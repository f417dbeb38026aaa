/* api_patch_keys.c — the kinds' merge keys and list strategies (see
 * api_patch.h, api_patch_merge_key): which lists of which kind merge item
 * by item on a key, which merge as sets, which objects are replaced whole.
 * Strategic merge patch (api_patch_smp.c) and server-side apply
 * (api_apply.c) look their lists up here; a list found nowhere is atomic.
 */
#include "api_patch.h"
#include "api_patch_int.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* From the patchStrategy and patchMergeKey tags of the k8s.io/api types.
 * Lists that are absent (tolerations, Endpoints subsets, EndpointSlice
 * endpoints, resources.claims, resizePolicy ...) carry no strategy there:
 * they are atomic. */

/* Relative to a PodSpec (PodSpec, Container and EphemeralContainerCommon). */
static const struct api_patch_field api_patch_pod_fields[] = {
	{ NULL, "containers", "name", API_PATCH_KEYED },
	{ NULL, "containers.ports", "containerPort", API_PATCH_KEYED },
	{ NULL, "containers.env", "name", API_PATCH_KEYED },
	{ NULL, "containers.volumeMounts", "mountPath", API_PATCH_KEYED },
	{ NULL, "containers.volumeDevices", "devicePath", API_PATCH_KEYED },
	{ NULL, "initContainers", "name", API_PATCH_KEYED },
	{ NULL, "initContainers.ports", "containerPort", API_PATCH_KEYED },
	{ NULL, "initContainers.env", "name", API_PATCH_KEYED },
	{ NULL, "initContainers.volumeMounts", "mountPath", API_PATCH_KEYED },
	{ NULL, "initContainers.volumeDevices", "devicePath", API_PATCH_KEYED },
	{ NULL, "ephemeralContainers", "name", API_PATCH_KEYED },
	{ NULL, "ephemeralContainers.ports", "containerPort", API_PATCH_KEYED },
	{ NULL, "ephemeralContainers.env", "name", API_PATCH_KEYED },
	{ NULL, "ephemeralContainers.volumeMounts", "mountPath", API_PATCH_KEYED },
	{ NULL, "ephemeralContainers.volumeDevices", "devicePath", API_PATCH_KEYED },
	{ NULL, "volumes", "name", API_PATCH_KEYED },
	{ NULL, "imagePullSecrets", "name", API_PATCH_KEYED },
	{ NULL, "hostAliases", "ip", API_PATCH_KEYED },
	{ NULL, "topologySpreadConstraints", "topologyKey", API_PATCH_KEYED },
	{ NULL, "schedulingGates", "name", API_PATCH_KEYED },
	{ NULL, "resourceClaims", "name", API_PATCH_KEYED },
};

/* Relative to an ObjectMeta. */
static const struct api_patch_field api_patch_meta_fields[] = {
	{ NULL, "ownerReferences", "uid", API_PATCH_KEYED },
	{ NULL, "finalizers", NULL, API_PATCH_SET },
};

/* Where a kind keeps its pod template's spec and metadata. */
static const struct {
	const char *kind;
	const char *spec;
	const char *meta;       /* NULL: the object's own metadata */
} api_patch_pod_kinds[] = {
	{ "Pod", "spec", NULL },
	{ "PodTemplate", "template.spec", "template.metadata" },
	{ "Deployment", "spec.template.spec", "spec.template.metadata" },
	{ "ReplicaSet", "spec.template.spec", "spec.template.metadata" },
	{ "StatefulSet", "spec.template.spec", "spec.template.metadata" },
	{ "DaemonSet", "spec.template.spec", "spec.template.metadata" },
	{ "ReplicationController", "spec.template.spec", "spec.template.metadata" },
	{ "Job", "spec.template.spec", "spec.template.metadata" },
	{ "CronJob", "spec.jobTemplate.spec.template.spec",
	  "spec.jobTemplate.spec.template.metadata" },
};

static const struct api_patch_field api_patch_kind_fields[] = {
	{ "Pod", "status.conditions", "type", API_PATCH_KEYED },
	{ "Pod", "status.podIPs", "ip", API_PATCH_KEYED },
	{ "Pod", "status.hostIPs", "ip", API_PATCH_KEYED },
	{ "Pod", "status.resourceClaimStatuses", "name", API_PATCH_KEYED },
	{ "Pod", "status.containerStatuses.volumeMounts", "mountPath", API_PATCH_KEYED },
	{ "Pod", "status.initContainerStatuses.volumeMounts", "mountPath", API_PATCH_KEYED },
	{ "Pod", "status.ephemeralContainerStatuses.volumeMounts", "mountPath", API_PATCH_KEYED },
	{ "Service", "spec.ports", "port", API_PATCH_KEYED },
	{ "Service", "status.conditions", "type", API_PATCH_KEYED },
	{ "ServiceAccount", "secrets", "name", API_PATCH_KEYED },
	{ "Node", "spec.podCIDRs", NULL, API_PATCH_SET },
	{ "Node", "status.conditions", "type", API_PATCH_KEYED },
	{ "Node", "status.addresses", "type", API_PATCH_KEYED },
	{ "Namespace", "status.conditions", "type", API_PATCH_KEYED },
	{ "Deployment", "status.conditions", "type", API_PATCH_KEYED },
	{ "ReplicaSet", "status.conditions", "type", API_PATCH_KEYED },
	{ "StatefulSet", "status.conditions", "type", API_PATCH_KEYED },
	{ "DaemonSet", "status.conditions", "type", API_PATCH_KEYED },
	{ "ReplicationController", "status.conditions", "type", API_PATCH_KEYED },
	{ "Job", "status.conditions", "type", API_PATCH_KEYED },
	{ "PersistentVolumeClaim", "status.conditions", "type", API_PATCH_KEYED },
	{ "HorizontalPodAutoscaler", "status.conditions", "type", API_PATCH_KEYED },
	{ "PodDisruptionBudget", "spec.selector", NULL, API_PATCH_REPLACE_MAP },
	{ "PodDisruptionBudget", "status.conditions", "type", API_PATCH_KEYED },
	{ "ComponentStatus", "conditions", "type", API_PATCH_KEYED },
};

/* Built-in kinds without merge lists of their own still have ObjectMeta's;
 * any kind not named anywhere here is treated like a custom resource. */
static const char *const api_patch_plain_kinds[] = {
	"ConfigMap", "Secret", "Endpoints", "EndpointSlice", "Event", "LimitRange",
	"ResourceQuota", "PersistentVolume", "Ingress", "IngressClass", "NetworkPolicy",
	"Lease", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "PriorityClass",
	"StorageClass", "CustomResourceDefinition",
};

/* ---- lookups ------------------------------------------------------------- */

static const char *api_patch_after(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) == 0 && path[n] == '.')
		return path + n + 1;
	return NULL;
}

static const struct api_patch_field *api_patch_in(const struct api_patch_field *tab, size_t n,
						  const char *path)
{
	for (size_t i = 0; path && i < n; i++)
		if (strcmp(tab[i].path, path) == 0)
			return &tab[i];
	return NULL;
}

static bool api_patch_known_kind(const char *kind)
{
	for (size_t i = 0; i < API_PATCH_LEN(api_patch_plain_kinds); i++)
		if (strcmp(api_patch_plain_kinds[i], kind) == 0)
			return true;
	for (size_t i = 0; i < API_PATCH_LEN(api_patch_pod_kinds); i++)
		if (strcmp(api_patch_pod_kinds[i].kind, kind) == 0)
			return true;
	for (size_t i = 0; i < API_PATCH_LEN(api_patch_kind_fields); i++)
		if (strcmp(api_patch_kind_fields[i].kind, kind) == 0)
			return true;
	return false;
}

const struct api_patch_field *api_patch_field_find(const char *kind, const char *path)
{
	const struct api_patch_field *f;

	if (!kind || !path || !api_patch_known_kind(kind))
		return NULL;
	for (size_t i = 0; i < API_PATCH_LEN(api_patch_kind_fields); i++)
		if (strcmp(api_patch_kind_fields[i].kind, kind) == 0 &&
		    strcmp(api_patch_kind_fields[i].path, path) == 0)
			return &api_patch_kind_fields[i];
	f = api_patch_in(api_patch_meta_fields, API_PATCH_LEN(api_patch_meta_fields),
			 api_patch_after(path, "metadata"));
	if (f)
		return f;
	for (size_t i = 0; i < API_PATCH_LEN(api_patch_pod_kinds); i++) {
		if (strcmp(api_patch_pod_kinds[i].kind, kind) != 0)
			continue;
		f = api_patch_in(api_patch_pod_fields, API_PATCH_LEN(api_patch_pod_fields),
				 api_patch_after(path, api_patch_pod_kinds[i].spec));
		if (!f && api_patch_pod_kinds[i].meta)
			f = api_patch_in(api_patch_meta_fields,
					 API_PATCH_LEN(api_patch_meta_fields),
					 api_patch_after(path, api_patch_pod_kinds[i].meta));
		return f;
	}
	return NULL;
}

const char *api_patch_merge_key(const char *kind, const char *path)
{
	const struct api_patch_field *f = api_patch_field_find(kind, path);

	if (!f || f->how == API_PATCH_REPLACE_MAP)
		return NULL;
	return f->how == API_PATCH_SET ? "" : f->key;
}
