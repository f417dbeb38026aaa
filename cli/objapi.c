/* objapi.c — requests of the object verbs to the lab's API server. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiclient.h"
#include "apiobj.h"
#include "buf.h"
#include "objapi.h"
#include "store.h"

/* The server is local and answers from memory; a frozen one should not
 * hold the command for long. */
#define OBJAPI_TIMEOUT_MS 5000

int objapi_open(const struct cli *cli, struct objapi *a)
{
	memset(a, 0, sizeof(*a));
	a->lab = cli->lab;
	snprintf(a->sock, sizeof(a->sock), "%s/apiserver.sock", cli->statedir);
	a->c = apiclient_new(a->sock);
	if (!a->c) {
		fprintf(stderr, "error: out of memory\n");
		return -1;
	}
	apiclient_set_timeout(a->c, OBJAPI_TIMEOUT_MS);
	return 0;
}

void objapi_close(struct objapi *a)
{
	apiclient_free(a->c);
	a->c = NULL;
}

const char *objapi_resource(enum manifest_kind kind)
{
	return kind == MANIFEST_DEPLOYMENT ? "deployments"
	       : kind == MANIFEST_DAEMONSET ? "daemonsets" : "services";
}

void objapi_path(const char *resource, const char *ns, const char *name, const char *query,
		 char *out, size_t len)
{
	const char *base = strcmp(resource, "endpointslices") == 0 ? "/apis/discovery.k8s.io/v1"
			   : strcmp(resource, "deployments") == 0 ||
			     strcmp(resource, "daemonsets") == 0 ? "/apis/apps/v1" : "/api/v1";
	const char *res = resource;
	size_t o;

	if (ns)
		o = (size_t)snprintf(out, len, "%s/namespaces/%s/%s", base, ns, res);
	else
		o = (size_t)snprintf(out, len, "%s/%s", base, res);
	if (name && o < len)
		o += (size_t)snprintf(out + o, len - o, "/%s", name);
	if (query && o < len)
		snprintf(out + o, len - o, "?%s", query);
}

/* Said once: a verb that gives up after the first failure and one that
 * goes on through several objects read the same. */
void objapi_say_down(struct objapi *a, const char *err)
{
	if (!a->down_said)
		fprintf(stderr, "error: the API server of lab \"%s\" does not answer at %s: "
			"%s (is the lab up? see \"clientip --lab %s lab status\")\n", a->lab, a->sock,
			err, a->lab);
	a->down_said = true;
}

int objapi_call(struct objapi *a, const char *method, const char *path, const json_t *body,
		json_t **resp)
{
	struct buf b = BUF_INIT;
	char *text = NULL, err[256];
	int code;

	*resp = NULL;
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		if (!text) {
			fprintf(stderr, "error: out of memory\n");
			return -1;
		}
	}
	code = apiclient_request(a->c, method, path, text ? "application/json" : NULL, text,
				 text ? strlen(text) : 0, &b, err, sizeof(err));
	free(text);
	if (code < 0) {
		objapi_say_down(a, err);
		buf_free(&b);
		return -1;
	}
	if (b.len)
		*resp = json_loadb(buf_str(&b), b.len, 0, NULL);
	buf_free(&b);
	return code;
}

int objapi_get_text(struct objapi *a, const char *path, struct buf *text, json_t **status)
{
	char err[256];
	int code = apiclient_request(a->c, "GET", path, NULL, NULL, 0, text, err, sizeof(err));

	*status = NULL;
	if (code < 0) {
		objapi_say_down(a, err);
		return -1;
	}
	if (code != 200 && text->len)
		*status = json_loadb(buf_str(text), text->len, 0, NULL);
	return code;
}

const char *objapi_reason(const json_t *status)
{
	return json_string_value(json_object_get(status, "reason")) ?: "";
}

const char *objapi_message(const json_t *status)
{
	return json_string_value(json_object_get(status, "message")) ?: "";
}

int objapi_to_deployment(const json_t *obj, struct model_deployment *out, char *err,
			 size_t errlen)
{
	return model_deployment_from_value(obj, out, err, errlen);
}

int objapi_to_service(const json_t *obj, struct model_service *out, char *err, size_t errlen)
{
	return model_service_from_value(obj, out, err, errlen);
}

/* v (a new reference, NULL on OOM) without what the server owns. */
static json_t *objapi_body(json_t *v)
{
	json_t *meta = json_object_get(v, "metadata");

	json_object_del(v, "status");
	json_object_del(meta, "uid");
	json_object_del(meta, "creationTimestamp");
	json_object_del(meta, "generation");
	json_object_del(meta, "resourceVersion");
	json_object_del(meta, "deletionTimestamp");
	return v;
}

json_t *objapi_from_deployment(const struct model_deployment *d)
{
	return objapi_body(model_deployment_to_value(d));
}

json_t *objapi_from_service(const struct model_service *s)
{
	return objapi_body(model_service_to_value(s));
}

/* A list of one kind from the server, each item converted by conv into
 * an array of size-byte elements: 0, 1 for an object left out (an
 * EndpointSlice of no Service), or -1 with err. */
typedef int objapi_conv_fn(const json_t *obj, void *out, char *err, size_t errlen);

static int objapi_conv_service(const json_t *obj, void *out, char *err, size_t errlen)
{
	return objapi_to_service(obj, out, err, errlen);
}

static int objapi_meta_cmp(const struct model_meta *a, const struct model_meta *b)
{
	int c = strcmp(a->ns, b->ns);

	return c ? c : strcmp(a->name, b->name);
}

static int objapi_deployment_cmp(const void *a, const void *b)
{
	return objapi_meta_cmp(&((const struct model_deployment *)a)->meta,
			       &((const struct model_deployment *)b)->meta);
}

static int objapi_endpoints_cmp(const void *a, const void *b)
{
	const struct model_endpoints *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

static int objapi_service_cmp(const void *a, const void *b)
{
	return objapi_meta_cmp(&((const struct model_service *)a)->meta,
			       &((const struct model_service *)b)->meta);
}

/* GET of a collection, in ns or (NULL) all namespaces, with a query (may
 * be NULL): the List (json_decref it), its items checked to be an array;
 * NULL when there is none (what went wrong printed). */
static json_t *objapi_get_list(const struct cli *cli, const char *resource, const char *ns,
			       const char *query)
{
	struct objapi api;
	json_t *list = NULL;
	char path[512];
	int code;

	if (objapi_open(cli, &api) < 0)
		return NULL;
	objapi_path(resource, ns, NULL, query, path, sizeof(path));
	code = objapi_call(&api, "GET", path, NULL, &list);
	if (code >= 0 && (code != 200 || !json_is_array(json_object_get(list, "items")))) {
		fprintf(stderr, "Error from server (%s): %s\n", objapi_reason(list),
			objapi_message(list));
		json_decref(list);
		list = NULL;
	}
	objapi_close(&api);
	return list;
}

static int objapi_list(const struct cli *cli, const char *resource, const char *ns,
		       const char *query, size_t size, objapi_conv_fn *conv, void **out, int *n)
{
	int (*cmp)(const void *, const void *) =
		strcmp(resource, "services") == 0 ? objapi_service_cmp
		: strcmp(resource, "endpointslices") == 0 ? objapi_endpoints_cmp
		: objapi_deployment_cmp;
	json_t *list = objapi_get_list(cli, resource, ns, query), *item, *items = json_object_get(list, "items");
	char *arr, err[256];
	size_t i;
	int m = 0;

	*out = NULL;
	*n = 0;
	if (!list)
		return -1;
	arr = calloc(json_array_size(items) + 1, size);
	if (!arr) {
		fprintf(stderr, "error: out of memory\n");
		json_decref(list);
		return -1;
	}
	json_array_foreach(items, i, item) {
		/* One object the model refuses does not hide the others; 1:
		 * an object conv leaves out. */
		int rc = conv(item, arr + (size_t)m * size, err, sizeof(err));

		if (rc < 0)
			fprintf(stderr, "warning: %s\n", err);
		else if (rc == 0)
			m++;
	}
	qsort(arr, (size_t)m, size, cmp);
	*out = arr;
	*n = m;
	json_decref(list);
	return 0;
}

static int objapi_node_cmp(const void *a, const void *b)
{
	const struct objapi_node *x = a, *y = b;
	unsigned ix = (unsigned)lab_node_index(x->st.name), iy = (unsigned)lab_node_index(y->st.name);

	/* lab_node_index() is -1 for other names: as unsigned, they sort last. */
	if (ix != iy)
		return ix < iy ? -1 : 1;
	return strcmp(x->st.name, y->st.name);
}

int objapi_list_nodes(const struct cli *cli, struct objapi_node **out, int *n)
{
	json_t *list = objapi_get_list(cli, "nodes", NULL, NULL), *item, *items = json_object_get(list, "items");
	struct objapi_node *nodes;
	size_t i;
	int m = 0;

	*out = NULL;
	*n = 0;
	if (!list)
		return -1;
	nodes = calloc(json_array_size(items) + 1, sizeof(*nodes));
	if (!nodes) {
		fprintf(stderr, "error: out of memory\n");
		json_decref(list);
		return -1;
	}
	json_array_foreach(items, i, item) {
		if (apiobj_node_status(item, NULL, &nodes[m].st) == 0)
			nodes[m++].obj = json_incref(item);
	}
	qsort(nodes, (size_t)m, sizeof(*nodes), objapi_node_cmp);
	*out = nodes;
	*n = m;
	json_decref(list);
	return 0;
}

void objapi_node_labels(const json_t *node, struct model_map *m)
{
	const json_t *labels = json_object_get(json_object_get(node, "metadata"), "labels"), *v;
	const char *k;

	memset(m, 0, sizeof(*m));
	json_object_foreach((json_t *)labels, k, v)
		if (json_is_string(v))
			model_map_set(m, k, json_string_value(v));
}

void objapi_node_roles(const json_t *node, char *out, size_t len)
{
	const json_t *labels = json_object_get(json_object_get(node, "metadata"), "labels"), *v;
	const char *k, *role = json_string_value(json_object_get(labels, "kubernetes.io/role"));
	size_t o = 0;

	out[0] = '\0';
	json_object_foreach((json_t *)labels, k, v)
		if (strncmp(k, "node-role.kubernetes.io/", 24) == 0 && k[24] && o < len)
			o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "," : "", k + 24);
	if (!o)
		snprintf(out, len, "%s", role && *role ? role : "<none>");
}

void objapi_nodes_free(struct objapi_node *nodes, int n)
{
	for (int i = 0; i < n; i++)
		json_decref(nodes[i].obj);
	free(nodes);
}

/* A Deployment or DaemonSet with the status its controller reported. */
static int objapi_conv_workload(const json_t *obj, void *out, char *err, size_t errlen)
{
	struct objapi_workload *w = out;

	if (objapi_to_deployment(obj, &w->spec, err, errlen) < 0)
		return -1;
	w->reported = json_is_integer(json_object_get(json_object_get(obj, "status"),
						      "observedGeneration"));
	if (!w->reported)
		return 0;
	return model_deployment_status_from_value(obj, &w->status, err, errlen);
}

int objapi_list_deployments(const struct cli *cli, struct objapi_workload **out, int *n)
{
	void *v;
	int rc = objapi_list(cli, "deployments", NULL, NULL, sizeof(**out), objapi_conv_workload, &v, n);

	*out = v;
	return rc;
}

int objapi_list_daemonsets(const struct cli *cli, struct objapi_workload **out, int *n)
{
	void *v;
	int rc = objapi_list(cli, "daemonsets", NULL, NULL, sizeof(**out), objapi_conv_workload, &v, n);

	*out = v;
	return rc;
}

static int objapi_conv_endpoints(const json_t *obj, void *out, char *err, size_t errlen)
{
	return apiobj_slice_endpoints(obj, out, err, errlen);
}

/* The EndpointSlices of ns (NULL: all) that query selects, a Service's
 * slices merged into one entry, as kube-proxy reads them. */
static int objapi_slices(const struct cli *cli, const char *ns, const char *query,
			 struct model_endpoints **out, int *n)
{
	void *v;
	int rc = objapi_list(cli, "endpointslices", ns, query, sizeof(**out),
			     objapi_conv_endpoints, &v, n);

	*out = v;
	if (rc == 0 && apiobj_endpoints_merge(*out, n) < 0)
		fprintf(stderr, "warning: endpointslices: out of memory\n");
	return rc;
}

int objapi_list_endpoints(const struct cli *cli, struct model_endpoints **out, int *n)
{
	return objapi_slices(cli, NULL, NULL, out, n);
}

/* One object of resource, converted by conv into out: 0, -ENOENT when the
 * server has none, or -1 (what went wrong printed). */
static int objapi_get(const struct cli *cli, const char *resource, const char *ns,
		      const char *name, objapi_conv_fn *conv, void *out)
{
	struct objapi api;
	json_t *obj = NULL;
	char path[512], err[256];
	int code, rc = -1;

	if (objapi_open(cli, &api) < 0)
		return -1;
	objapi_path(resource, ns, name, NULL, path, sizeof(path));
	code = objapi_call(&api, "GET", path, NULL, &obj);
	if (code == 404) {
		rc = -ENOENT;
	} else if (code == 200) {
		rc = conv(obj, out, err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "error: %s \"%s\" as the API server has it: %s\n", resource,
				name, err);
	} else if (code >= 0) {
		fprintf(stderr, "Error from server (%s): %s\n", objapi_reason(obj),
			objapi_message(obj));
	}
	json_decref(obj);
	objapi_close(&api);
	return rc;
}

int objapi_get_workload(const struct cli *cli, const char *resource, const char *ns,
			const char *name, struct objapi_workload *out)
{
	return objapi_get(cli, resource, ns, name, objapi_conv_workload, out);
}

int objapi_get_service(const struct cli *cli, const char *ns, const char *name,
		       struct model_service *out)
{
	return objapi_get(cli, "services", ns, name, objapi_conv_service, out);
}

int objapi_get_endpoints(const struct cli *cli, const char *ns, const char *name,
			 struct model_endpoints *out)
{
	struct model_endpoints *all;
	int n, rc = -ENOENT;

	char query[MODEL_NAME_MAX + 64];

	/* A Service's slices carry its name as a label, as the EndpointSlice
	 * controller writes them. */
	memset(out, 0, sizeof(*out));
	snprintf(query, sizeof(query), "labelSelector=kubernetes.io%%2Fservice-name%%3D%s", name);
	if (objapi_slices(cli, ns, query, &all, &n) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (rc != 0 && strcmp(all[i].ns, ns) == 0 && strcmp(all[i].name, name) == 0) {
			*out = all[i];
			rc = 0;
			continue;
		}
		model_endpoints_free(&all[i]);
	}
	free(all);
	return rc;
}

static int objapi_conv_pod(const json_t *obj, void *out, char *err, size_t errlen)
{
	return model_pod_from_value(obj, out, err, errlen);
}

static int objapi_pod_cmp(const void *a, const void *b)
{
	return objapi_meta_cmp(&((const struct model_pod *)a)->meta,
			       &((const struct model_pod *)b)->meta);
}

int objapi_list_pods(const struct cli *cli, struct model_pod **pods, int *n_pods,
		     struct model_pod_status **sts, int *n_sts)
{
	json_t *list = objapi_get_list(cli, "pods", NULL, NULL), *item, *items = json_object_get(list, "items");
	size_t i, n = json_array_size(items);
	char err[256];

	*pods = NULL;
	*sts = NULL;
	*n_pods = *n_sts = 0;
	if (!list)
		return -1;
	*pods = calloc(n + 1, sizeof(**pods));
	*sts = calloc(n + 1, sizeof(**sts));
	if (!*pods || !*sts) {
		fprintf(stderr, "error: out of memory\n");
		free(*pods);
		free(*sts);
		*pods = NULL;
		*sts = NULL;
		json_decref(list);
		return -1;
	}
	json_array_foreach(items, i, item) {
		if (objapi_conv_pod(item, &(*pods)[*n_pods], err, sizeof(err)) < 0) {
			fprintf(stderr, "warning: %s\n", err);
			continue;
		}
		(*n_pods)++;
		if (apiobj_pod_status(item, &(*sts)[*n_sts]))
			(*n_sts)++;
	}
	qsort(*pods, (size_t)*n_pods, sizeof(**pods), objapi_pod_cmp);
	json_decref(list);
	return 0;
}

int objapi_list_services(const struct cli *cli, struct model_service **out, int *n)
{
	void *v;
	int rc = objapi_list(cli, "services", NULL, NULL, sizeof(**out), objapi_conv_service, &v, n);

	*out = v;
	return rc;
}
