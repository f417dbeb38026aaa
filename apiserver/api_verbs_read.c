/* api_verbs_read.c — the verbs that read (api_handlers_int.h): list,
 * with label and field selectors and pages (limit, continue), the start of
 * a watch, and the Scale an object shows through its scale subresource.
 * A get of one object is the router's: it replies with the object as is.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_handlers_int.h"
#include "api_json.h"
#include "api_select.h"
#include "api_server.h"
#include "api_table.h"

/* ---- scale --------------------------------------------------------------------- */

json_t *api_verbs_scale_of(const json_t *obj)
{
	const json_t *meta = json_object_get(obj, "metadata");
	const json_t *spec = json_object_get(obj, "spec"), *st = json_object_get(obj, "status");
	char *sel = api_select_from_object(json_object_get(spec, "selector"), NULL, 0);
	json_t *scale = json_pack("{s:s, s:s, s:{s:O?, s:O?, s:O?, s:O?, s:O?}, s:{s:O?}, "
				  "s:{s:I, s:s}}",
				  "kind", "Scale", "apiVersion", "autoscaling/v1", "metadata",
				  "name", json_object_get(meta, "name"),
				  "namespace", json_object_get(meta, "namespace"),
				  "uid", json_object_get(meta, "uid"),
				  "resourceVersion", json_object_get(meta, "resourceVersion"),
				  "creationTimestamp", json_object_get(meta, "creationTimestamp"),
				  "spec", "replicas", json_object_get(spec, "replicas"),
				  "status", "replicas",
				  (json_int_t)json_integer_value(json_object_get(st, "replicas")),
				  "selector", sel ? sel : "");
	free(sel);
	return scale;
}

/* ---- list and watch ------------------------------------------------------------ */

static bool api_verbs_query_true(const struct api_http_req *req, const char *key)
{
	char v[16];

	/* Go's strconv.ParseBool, as the real server parses it: Python's
	 * client sends "True". */
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };

	if (!httpd_query_get(req->query, key, v, sizeof(v)))
		return false;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcmp(v, yes[i]) == 0)
			return true;
	return false;
}

/* Orders "namespace/name" keys as lists are ordered: by namespace, then
 * by name. */
static int api_verbs_list_key_cmp(const char *a, const char *b)
{
	size_t na = strcspn(a, "/"), nb = strcspn(b, "/");
	int c = strncmp(a, b, na < nb ? na : nb);

	if (c == 0 && na != nb)
		c = na < nb ? -1 : 1;
	return c ? c : strcmp(a + na, b + nb);
}

void api_verbs_list(struct api_server *s, struct api_http_conn *c,
		    const struct api_http_req *req, const struct api_route *rt)
{
	char q[4096], rvtext[24], apiv[64], kind[80], err[512], after[520];
	struct api_selector *ls = NULL, *fs = NULL;
	json_t *all, *items, *obj, *lm, *reply;
	size_t i, limit = 0;

	if (httpd_query_get(req->query, "labelSelector", q, sizeof(q))) {
		ls = api_select_labels(q, err, sizeof(err));
		if (!ls) {
			api_reply_status(c, api_status_new(400, "BadRequest", NULL, "%s", err));
			return;
		}
	}
	if (httpd_query_get(req->query, "fieldSelector", q, sizeof(q))) {
		fs = api_select_fields(q, rt->res->kind, err, sizeof(err));
		if (!fs) {
			api_select_free(ls);
			api_reply_status(c, api_status_new(400, "BadRequest", NULL, "%s", err));
			return;
		}
	}
	if (api_verbs_query_true(req, "watch")) {
		char rv[32] = "", to[16];
		int timeout = 0;
		if (httpd_query_get(req->query, "timeoutSeconds", to, sizeof(to)))
			timeout = atoi(to);
		httpd_query_get(req->query, "resourceVersion", rv, sizeof(rv));
		api_watch_serve(s, c, rt->res, rt->ns[0] ? rt->ns : NULL, rv, ls, fs, timeout,
				api_verbs_query_true(req, "allowWatchBookmarks"),
				api_reply_wants_table(req));
		return;
	}
	if (httpd_query_get(req->query, "limit", q, sizeof(q)))
		limit = strtoul(q, NULL, 10);
	/* The continue token names the last object of the previous page
	 * ("namespace/name"): the next page starts after it in list order, so
	 * objects deleted or added meanwhile move nothing else. */
	if (!httpd_query_get(req->query, "continue", after, sizeof(after)))
		after[0] = '\0';
	if (after[0] && !strchr(after, '/')) {
		api_select_free(ls);
		api_select_free(fs);
		api_reply_status(c, api_status_new(400, "BadRequest", NULL, "continue key is not "
						   "valid: %s", after));
		return;
	}
	snprintf(rvtext, sizeof(rvtext), "%" PRIu64, api_objects_rv(s->objects));
	all = api_objects_list(s->objects, rt->res, rt->ns[0] ? rt->ns : NULL);
	items = json_array();
	lm = json_pack("{s:s}", "resourceVersion", rvtext);
	json_array_foreach(all, i, obj) {
		char key[520];

		if (!api_select_match(ls, obj) || !api_select_match(fs, obj))
			continue;
		snprintf(key, sizeof(key), "%s/%s", api_json_meta(obj, "namespace"),
			 api_json_meta(obj, "name"));
		if (after[0] && api_verbs_list_key_cmp(key, after) <= 0)
			continue;
		if (limit && json_array_size(items) == limit) {
			const json_t *last = json_array_get(items, limit - 1);
			char tok[520];
			snprintf(tok, sizeof(tok), "%s/%s", api_json_meta(last, "namespace"),
				 api_json_meta(last, "name"));
			json_object_set_new(lm, "continue", json_string(tok));
			break;
		}
		json_array_append(items, obj);
	}
	api_select_free(ls);
	api_select_free(fs);
	if (api_reply_wants_table(req)) {
		char inc[32];
		reply = api_table_build(rt->res, items, lm,
			httpd_query_get(req->query, "includeObject", inc, sizeof(inc)) ?
			inc : "Metadata", (int64_t)time(NULL));
	} else {
		snprintf(kind, sizeof(kind), "%sList", rt->res->kind);
		reply = json_pack("{s:s, s:s, s:O, s:O}", "kind", kind, "apiVersion",
				  api_resource_api_version(rt->res, apiv, sizeof(apiv)), "metadata",
				  lm, "items", items);
	}
	api_reply_json(c, 200, reply);
	json_decref(reply);
	json_decref(items);
	json_decref(all);
	json_decref(lm);
}
