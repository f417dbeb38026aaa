/* api_handlers.c — routing (see api_server.h): which part of the server
 * answers each request.
 *
 * URLs: /api/v1/<resource>[/<name>[/<sub>]] for cluster-scoped resources
 * and all-namespace lists, /api/v1/namespaces/<ns>/<resource>[/<name>[/
 * <sub>]] for namespaced ones, and the same under /apis/<group>/<version>.
 * Every reply is JSON: the object, a List, a Table when the client asks
 * for one (kubectl get does), or a Status for errors.
 *
 * Handling a request takes five files, each with its prefix, sharing
 * api_handlers_int.h: this one routes (api_handle, api_handlers_); the
 * verbs are api_verbs_read.c and api_verbs_write.c (api_verbs_), the
 * discovery and OpenAPI documents api_docs.c (api_docs_), the replies
 * they all give api_reply.c (api_reply_).
 */
#include <stdio.h>
#include <string.h>

#include "api_discovery.h"
#include "api_handlers_int.h"
#include "api_server.h"

/* ---- routing ----------------------------------------------------------------- */

int api_handlers_split(const char *path, char seg[][254], int max)
{
	int n = 0;
	const char *p = path;

	while (*p == '/')
		p++;
	while (*p && n < max) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len >= 254)
			return -1;
		memcpy(seg[n], p, len);
		seg[n][len] = '\0';
		n++;
		p += len;
		while (*p == '/')
			p++;
	}
	return *p ? -1 : n;
}

/* Fills route from a resource URL. 0, or -1 when it names nothing we
 * serve (404). */
static int api_handlers_route(const char *path, struct api_route *rt)
{
	char seg[8][254];
	int n = api_handlers_split(path, seg, 8), i;
	const char *group, *version;

	memset(rt, 0, sizeof(*rt));
	if (n < 3)
		return -1;
	if (strcmp(seg[0], "api") == 0) {
		group = "";
		version = seg[1];
		i = 2;
	} else if (strcmp(seg[0], "apis") == 0 && n >= 4) {
		group = seg[1];
		version = seg[2];
		i = 3;
	} else {
		return -1;
	}
	/* namespaces/<ns>/<resource>...: a namespaced resource; otherwise
	 * <resource>[/<name>[/<sub>]], namespaces themselves included. */
	if (strcmp(seg[i], "namespaces") == 0 && n - i >= 3) {
		const struct api_resource *r = api_registry_find(group, version, seg[i + 2]);
		if (r && r->namespaced) {
			snprintf(rt->ns, sizeof(rt->ns), "%s", seg[i + 1]);
			i += 2;
		}
	}
	rt->res = api_registry_find(group, version, seg[i]);
	if (!rt->res)
		return -1;
	if (n - i > 3)
		return -1;
	if (n - i >= 2)
		snprintf(rt->name, sizeof(rt->name), "%s", seg[i + 1]);
	if (n - i == 3) {
		if (snprintf(rt->sub, sizeof(rt->sub), "%s", seg[i + 2]) >= (int)sizeof(rt->sub) ||
		    !api_resource_has_sub(rt->res, rt->sub))
			return -1;
	}
	return 0;
}

/* ---- the dispatcher --------------------------------------------------------------- */

/* A request under /api or /apis: to the verb of its method and
 * subresource, or to the pod's log or exec. */
static void api_handlers_resource(struct api_server *s, struct api_http_conn *c,
				  const struct api_http_req *req)
{
	struct api_route rt;
	json_t *obj = NULL, *st = NULL, *old;
	const char *m = req->method;

	if (api_handlers_route(req->path, &rt) < 0) {
		api_reply_status(c, api_status_new(404, "NotFound", NULL, "the server could not "
						   "find the requested resource"));
		return;
	}
	old = rt.name[0] ? api_objects_get(s->objects, rt.res, rt.ns, rt.name) : NULL;
	if (old)
		json_incref(old);

	if (!rt.name[0]) {
		if (strcmp(m, "GET") == 0) {
			api_verbs_list(s, c, req, &rt);
		} else if (strcmp(m, "POST") == 0 && (!rt.res->namespaced || rt.ns[0])) {
			obj = api_verbs_parse_body(req, &st);
			if (obj)
				api_verbs_create(s, c, req, &rt, obj);
			else
				api_reply_status(c, st);
		} else {
			api_reply_status(c, api_status_new(405, "MethodNotAllowed", NULL, "the server "
							   "does not allow this method on the "
							   "requested resource"));
		}
		goto out;
	}
	if (strcmp(rt.sub, "log") == 0 && strcmp(m, "GET") == 0) {
		if (old)
			api_log_serve(s, c, req, old);
		else
			api_reply_status(c, api_status_not_found(rt.res, rt.name));
		goto out;
	}
	if (strcmp(rt.sub, "exec") == 0) {
		if (old)
			api_exec_serve(s, c, req, old);
		else
			api_reply_status(c, api_status_not_found(rt.res, rt.name));
		goto out;
	}
	if (strcmp(rt.sub, "binding") == 0) {
		if (!old)
			api_reply_status(c, api_status_not_found(rt.res, rt.name));
		else if (strcmp(m, "POST") != 0)
			api_reply_status(c, api_status_new(405, "MethodNotAllowed", NULL, "the "
							   "server does not allow this method on "
							   "the requested resource"));
		else
			api_verbs_bind(s, c, req, &rt, old);
		goto out;
	}
	if (strcmp(m, "PATCH") == 0) {
		api_verbs_patch(s, c, req, &rt, old);
		goto out;
	}
	if (!old) {
		api_reply_status(c, api_status_not_found(rt.res, rt.name));
		goto out;
	}
	if (strcmp(m, "GET") == 0) {
		if (strcmp(rt.sub, "scale") == 0) {
			json_t *scale = api_verbs_scale_of(old);
			api_reply_json(c, 200, scale);
			json_decref(scale);
		} else {
			api_reply_object(c, req, 200, rt.res, old);
		}
	} else if (strcmp(m, "PUT") == 0) {
		obj = api_verbs_parse_body(req, &st);
		if (!obj)
			api_reply_status(c, st);
		else if (strcmp(rt.sub, "scale") == 0)
			api_verbs_scale_apply(s, c, req, &rt, old, obj);
		else if ((st = api_verbs_check_kind(&rt, obj)) ||
			 (st = api_verbs_check_body_ns(&rt, obj))) {
			json_decref(obj);
			api_reply_status(c, st);
		} else
			api_verbs_update(s, c, req, &rt, old, obj);
	} else if (strcmp(m, "DELETE") == 0 && !rt.sub[0]) {
		api_verbs_delete(s, c, req, &rt);
	} else {
		api_reply_status(c, api_status_new(405, "MethodNotAllowed", NULL, "the server does "
						   "not allow this method on the requested "
						   "resource"));
	}
out:
	json_decref(old);
}

void api_handle(struct api_http_conn *c, const struct api_http_req *req, void *data)
{
	struct api_server *s = data;
	const char *p = req->path;
	char seg[4][254];
	int n;

	if (strcmp(p, "/version") == 0 || strcmp(p, "/version/") == 0) {
		api_reply_doc(c, api_discovery_version(), API_JSON);
	} else if (strcmp(p, "/healthz") == 0 || strcmp(p, "/livez") == 0 ||
		   strcmp(p, "/readyz") == 0) {
		api_http_respond(c, 200, "text/plain; charset=utf-8", NULL, "ok", 2);
	} else if (strcmp(p, "/api") == 0 || strcmp(p, "/api/") == 0) {
		api_docs_discovery(c, req, true);
	} else if (strcmp(p, "/apis") == 0 || strcmp(p, "/apis/") == 0) {
		api_docs_discovery(c, req, false);
	} else if (strcmp(p, "/openapi/v2") == 0 || strcmp(p, "/openapi/v2/") == 0) {
		api_docs_openapi_v2(s, c, req);
	} else if (strcmp(p, "/openapi/v3") == 0 || strcmp(p, "/openapi/v3/") == 0) {
		api_docs_openapi_v3(s, c, req, "");
	} else if (strncmp(p, "/openapi/v3/", 12) == 0) {
		api_docs_openapi_v3(s, c, req, p + 12);
	} else if ((n = api_handlers_split(p, seg, 4)) == 2 && strcmp(seg[0], "api") == 0) {
		api_reply_doc(c, api_discovery_resource_list("", seg[1]), API_JSON);
	} else if (n == 2 && strcmp(seg[0], "apis") == 0) {
		api_reply_doc(c, api_discovery_group(seg[1]), API_JSON);
	} else if (n == 3 && strcmp(seg[0], "apis") == 0) {
		api_reply_doc(c, api_discovery_resource_list(seg[1], seg[2]), API_JSON);
	} else if (strncmp(p, "/api/", 5) == 0 || strncmp(p, "/apis/", 6) == 0) {
		api_handlers_resource(s, c, req);
	} else {
		api_reply_status(c, api_status_new(404, "NotFound", NULL, "the server could not "
						   "find the requested resource"));
	}
}
