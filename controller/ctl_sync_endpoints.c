/* ctl_sync_endpoints.c — the endpoints part of a reconcile pass
 * (ctl_sync_int.h): each Service's pods found through a label index,
 * its EndpointSlice and Endpoints (ctl_endpoints.c) written when they
 * differ, and those no Service wants any more deleted.
 */
#include "ctl_sync_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* One label of one pod: the index from selector pairs to candidate pods,
 * so a Service looks only at pods carrying its rarest selector pair. */
struct ctl_label_ref {
	const char *ns, *key, *value;
	int pod;
};

static int ctl_label_cmp(const void *a, const void *b)
{
	const struct ctl_label_ref *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	if (!c)
		c = strcmp(x->key, y->key);
	if (!c)
		c = strcmp(x->value, y->value);
	return c;
}

/* [*lo, *hi) of refs equal to key. */
static void ctl_label_range(const struct ctl_label_ref *refs, int n,
			    const struct ctl_label_ref *key, int *lo_out, int *hi_out)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (ctl_label_cmp(&refs[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*lo_out = lo;
	hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (ctl_label_cmp(&refs[mid], key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*hi_out = lo;
}

static int ctl_count_ready(const struct model_endpoints *e)
{
	int n = 0;

	for (int i = 0; i < e->n; i++)
		n += e->items[i].ready;
	return n;
}

/* Writes a Service's EndpointSlices and Endpoints; names its slices in
 * wanted ("namespace/name" -> true). */
static void ctl_write_endpoints(struct ctl_pass *p, const struct model_service *svc,
				const struct model_endpoints *eps, json_t *wanted)
{
	static const char *const slice_fields[] = { "addressType", "endpoints", "ports", NULL };
	static const char *const v1_fields[] = { "subsets", NULL };
	json_t *slices = ctl_endpoint_slices(svc, eps), *v1 = ctl_endpoints_v1(svc, eps), *slice;
	char path[LAB_PATH_MAX], key[2 * MODEL_NAME_MAX + 2];
	const char *name;
	int written = 0, rc;

	if (!slices || !v1) {
		log_error("endpoints %s/%s: out of memory", svc->meta.ns, svc->meta.name);
		goto out;
	}
	snprintf(path, sizeof(path), "/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices",
		 svc->meta.ns);
	json_object_foreach(slices, name, slice) {
		snprintf(key, sizeof(key), "%s/%s", svc->meta.ns, name);
		json_object_set_new(wanted, key, json_true());
		rc = ctl_api_ensure(p->c, &p->api, CTL_ENDPOINTSLICES, path, slice, slice_fields);
		written += rc > 0;
	}
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/endpoints", svc->meta.ns);
	written += ctl_api_ensure(p->c, &p->api, CTL_ENDPOINTS, path, v1, v1_fields) > 0;
	if (written)
		log_info("endpoints %s/%s: %d address(es), %d ready", svc->meta.ns,
			 svc->meta.name, eps->n, ctl_count_ready(eps));
out:
	json_decref(slices);
	json_decref(v1);
}

/* What the controller wrote and no longer wants: its slices not in
 * wanted, and the Endpoints of Services that are gone (as the Endpoints
 * controller deletes them; a Service without a selector keeps the
 * Endpoints someone else wrote for it). */
static void ctl_prune_endpoints(struct ctl_pass *p, const json_t *wanted)
{
	char path[LAB_PATH_MAX], what[2 * MODEL_NAME_MAX + 32];
	const char *key;
	json_t *obj;

	json_object_foreach(p->api.coll[CTL_ENDPOINTSLICES], key, obj) {
		const json_t *md = json_object_get(obj, "metadata");
		const char *by = json_string_value(json_object_get(json_object_get(md, "labels"),
						  "endpointslice.kubernetes.io/managed-by"));

		if (!by || strcmp(by, CTL_ENDPOINTS_MANAGER) != 0 || json_object_get(wanted, key))
			continue;
		snprintf(path, sizeof(path), "/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices/%s",
			 json_string_value(json_object_get(md, "namespace")) ?: "",
			 json_string_value(json_object_get(md, "name")) ?: "");
		snprintf(what, sizeof(what), "endpointslice %s", key);
		if (ctl_api_delete(p->c, path, what) == 0)
			log_info("endpointslice %s: deleted", key);
	}
	json_object_foreach(p->api.coll[CTL_ENDPOINTS], key, obj) {
		if (json_object_get(p->api.coll[CTL_SERVICES], key))
			continue;
		snprintf(path, sizeof(path), "/api/v1/namespaces/%s/endpoints/%s",
			 json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "namespace")) ?: "",
			 json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "name")) ?: "");
		snprintf(what, sizeof(what), "endpoints %s", key);
		if (ctl_api_delete(p->c, path, what) == 0)
			log_info("endpoints %s: deleted with its Service", key);
	}
}

void ctl_sync_endpoints(struct ctl_pass *p)
{
	const struct model_pod_status **cand_st = NULL;
	const struct model_pod **cand = NULL;
	struct ctl_label_ref *refs = NULL;
	json_t *wanted = json_object();
	int n_refs = 0;

	for (int i = 0; i < p->n_pods; i++)
		n_refs += p->pods[i].meta.labels.n;
	refs = malloc(ctl_count(n_refs) * sizeof(*refs));
	cand = malloc(ctl_count(p->n_pods) * sizeof(*cand));
	cand_st = malloc(ctl_count(p->n_pods) * sizeof(*cand_st));
	if (!refs || !cand || !cand_st || !wanted) {
		log_error("endpoints: out of memory");
		goto out;
	}
	n_refs = 0;
	for (int i = 0; i < p->n_pods; i++) {
		const struct model_map *l = &p->pods[i].meta.labels;

		for (int j = 0; j < l->n; j++)
			refs[n_refs++] = (struct ctl_label_ref){
				p->pods[i].meta.ns, l->items[j].key, l->items[j].value, i };
	}
	qsort(refs, (size_t)n_refs, sizeof(*refs), ctl_label_cmp);

	for (int k = 0; k < p->n_svcs; k++) {
		const struct model_service *svc = &p->svcs[k];
		struct model_endpoints eps;
		int best_lo = 0, best_hi = -1, n_cand = 0;

		/* A Service without a selector has no managed endpoints. */
		if (svc->selector.n == 0)
			continue;
		for (int j = 0; j < svc->selector.n; j++) {
			struct ctl_label_ref key = { svc->meta.ns, svc->selector.items[j].key,
						     svc->selector.items[j].value, 0 };
			int lo, hi;

			ctl_label_range(refs, n_refs, &key, &lo, &hi);
			if (best_hi < 0 || hi - lo < best_hi - best_lo) {
				best_lo = lo;
				best_hi = hi;
			}
		}
		for (int r = best_lo; r < best_hi; r++) {
			cand[n_cand] = &p->pods[refs[r].pod];
			cand_st[n_cand] = p->st_of[refs[r].pod];
			n_cand++;
		}
		if (ctl_endpoints_build(svc, cand, cand_st, n_cand, &eps) < 0) {
			log_error("endpoints %s/%s: out of memory", svc->meta.ns, svc->meta.name);
			continue;
		}
		ctl_write_endpoints(p, svc, &eps, wanted);
		model_endpoints_free(&eps);
	}
	ctl_prune_endpoints(p, wanted);
out:
	json_decref(wanted);
	free(cand);
	free(cand_st);
	free(refs);
}
