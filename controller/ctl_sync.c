/* ctl_sync.c — one reconcile pass: take a view of the API server's
 * objects, decide, write through the API.
 *
 * Nothing is remembered between passes but the resourceVersion of the
 * last write (ctl_api_begin waits for the view to have it): pods are
 * found again by owner and template hash, addresses by the pods that hold
 * them, so a controller killed mid-pass and started again picks up where
 * the API server is.
 *
 * The parts of a pass are in ctl_sync_workloads.c, ctl_sync_sched.c and
 * ctl_sync_endpoints.c (ctl_sync_int.h).
 */
#include "ctl_sync_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "labinfo.h"
#include "log.h"
#include "model_json.h"

int ctl_key_cmp(const char *ns1, const char *n1, const char *ns2, const char *n2)
{
	int c = strcmp(ns1, ns2);

	return c ? c : strcmp(n1, n2);
}

/* Binary search of (ns, name) in an array sorted by it; `key` gives an
 * element's pair. */
typedef void ctl_key_fn(const void *elem, const char **ns, const char **name);

static const void *ctl_find(const void *base, int n, size_t size, ctl_key_fn *key,
			    const char *ns, const char *name)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		const void *e = (const char *)base + (size_t)mid * size;
		const char *ens, *ename;
		int c;

		key(e, &ens, &ename);
		c = ctl_key_cmp(ens, ename, ns, name);
		if (c == 0)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void ctl_pod_key(const void *e, const char **ns, const char **name)
{
	*ns = ((const struct model_pod *)e)->meta.ns;
	*name = ((const struct model_pod *)e)->meta.name;
}

bool ctl_pod_exists(const struct ctl_pass *p, const char *ns, const char *name)
{
	if (ctl_find(p->pods, p->n_sorted, sizeof(*p->pods), ctl_pod_key, ns, name))
		return true;
	for (int i = p->n_sorted; i < p->n_pods; i++)
		if (strcmp(p->pods[i].meta.name, name) == 0 && strcmp(p->pods[i].meta.ns, ns) == 0)
			return true;
	return false;
}

/* An element count for an allocation: at least 1, so that malloc never
 * returns NULL for an empty list. */
size_t ctl_count(int n)
{
	return n > 0 ? (size_t)n : 1;
}

bool ctl_ready(const struct ctl_pass *p, int i)
{
	return p->st_of[i] && p->st_of[i]->ready && !p->pods[i].meta.deleting[0];
}

/* ---- the pass ------------------------------------------------------------ */

/* A pod object of the view, by namespace and name. */
struct ctl_pod_ref {
	const char *ns, *name, *key;
	const json_t *obj;
};

static int ctl_pod_ref_cmp(const void *a, const void *b)
{
	const struct ctl_pod_ref *x = a, *y = b;

	return ctl_key_cmp(x->ns, x->name, y->ns, y->name);
}

/* The pass's pods in (namespace, name) order, each with what its kubelet
 * reported from the same object. A pod the model refuses is logged and
 * left out. -ENOMEM or 0. */
static int ctl_pods_from_api(struct ctl_pass *p)
{
	size_t n = json_object_size(p->api.coll[CTL_PODS]), k = 0;
	struct ctl_pod_ref *refs = calloc(n + 1, sizeof(*refs));
	const char *key;
	json_t *obj;

	p->pods = calloc(n + 1, sizeof(*p->pods));
	p->sts = calloc(n + 1, sizeof(*p->sts));
	p->st_of = calloc(n + 1, sizeof(*p->st_of));
	if (!refs || !p->pods || !p->sts || !p->st_of) {
		free(refs);
		return -ENOMEM;
	}
	json_object_foreach(p->api.coll[CTL_PODS], key, obj) {
		const json_t *md = json_object_get(obj, "metadata");

		refs[k++] = (struct ctl_pod_ref){
			json_string_value(json_object_get(md, "namespace")) ?: "",
			json_string_value(json_object_get(md, "name")) ?: "", key, obj };
	}
	qsort(refs, k, sizeof(*refs), ctl_pod_ref_cmp);
	for (size_t i = 0; i < k; i++) {
		char err[256];

		if (model_pod_from_value(refs[i].obj, &p->pods[p->n_pods], err, sizeof(err)) < 0) {
			log_warn("pod %s: %s", refs[i].key, err);
			continue;
		}
		if (apiobj_pod_status(refs[i].obj, &p->sts[p->n_pods]))
			p->st_of[p->n_pods] = &p->sts[p->n_pods];
		p->n_pods++;
	}
	free(refs);
	p->cap_pods = (int)n + 1;
	p->n_sorted = p->n_pods;
	return 0;
}

int ctl_sync(struct ctl *c)
{
	struct ctl_pass p = { .c = c };
	struct lab_info li;
	char err[256];
	int rc = -1;

	if (labinfo_load(c->lab, &li, err, sizeof(err)) < 0) {
		if (!c->lab_missing)
			log_warn("%s; waiting for it", err);
		c->lab_missing = true;
		return -1;
	}
	if (c->lab_missing || c->nodes != li.nodes)
		log_info("lab %s: %d node(s)", c->lab, li.nodes);
	c->lab_missing = false;
	c->nodes = li.nodes;
	rc = ctl_api_begin(c, &p.api, err, sizeof(err));
	if (rc == -EAGAIN) {
		/* Its own write is on the way: the event asks for the pass. */
		log_debug("%s", err);
		return -1;
	}
	if (rc < 0) {
		rc = -1;
		if (!c->api_waiting)
			log_info("%s", err);
		c->api_waiting = true;
		return -1;
	}
	if (c->api_waiting)
		log_info("the API server's objects are in");
	c->api_waiting = false;
	rc = -1;
	if (ctl_nodes_begin(&p.api, &p.nodes) < 0 || ctl_api_workloads(&p.api, &p.deps, &p.hashes, &p.n_deps) < 0 ||
	    ctl_api_services(&p.api, &p.svcs, &p.n_svcs) < 0) {
		log_error("out of memory");
		goto out;
	}
	ctl_nodes_lifecycle(c, &p.nodes, p.api.coll[CTL_PODS], (int64_t)time(NULL));
	model_time_now(p.now);

	p.made_rs = json_object();
	if (!p.made_rs || ctl_pods_from_api(&p) < 0) {
		log_error("out of memory");
		goto out;
	}
	p.n_disk = p.n_pods;
	ctl_sync_deployments(&p);
	ctl_sync_endpoints(&p);
	rc = 0;
out:
	free(p.deps);
	free(p.hashes);
	free(p.svcs);
	free(p.pods);
	free(p.sts);
	free(p.st_of);
	free(p.by_owner);
	json_decref(p.made_rs);
	ctl_nodes_end(&p.nodes);
	ctl_api_end(&p.api);
	return rc;
}
