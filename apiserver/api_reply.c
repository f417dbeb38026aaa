/* api_reply.c — the replies every handler gives (api_handlers_int.h):
 * JSON, a Status with its code, an object or the one-row Table kubectl get
 * asks for, a document built per request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_handlers_int.h"
#include "api_server.h"
#include "api_table.h"

void api_reply_json(struct api_http_conn *c, int code, const json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);

	if (!text) {
		api_http_respond(c, 500, API_JSON, NULL, "{}", 2);
		return;
	}
	api_http_respond(c, code, API_JSON, NULL, text, strlen(text));
	free(text);
}

/* Replies with a Status (stolen) and its code. */
void api_reply_status(struct api_http_conn *c, json_t *status)
{
	int code = api_status_code(status);

	api_reply_json(c, code ? code : 500, status);
	json_decref(status);
}

bool api_reply_wants_table(const struct api_http_req *req)
{
	/* "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;
	 * as=Table;v=v1beta1;..." — the first offer that we serve wins; a
	 * Table offer anywhere means the client prints columns. */
	return strstr(req->accept, "as=Table") != NULL;
}

void api_reply_object(struct api_http_conn *c, const struct api_http_req *req, int code,
		      const struct api_resource *r, json_t *obj)
{
	if (api_reply_wants_table(req)) {
		char inc[32];
		json_t *one = json_pack("[O]", obj), *lm = json_pack("{s:O?}", "resourceVersion",
			json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
		json_t *t = api_table_build(r, one, lm,
			httpd_query_get(req->query, "includeObject", inc, sizeof(inc)) ?
			inc : "Metadata", (int64_t)time(NULL));
		api_reply_json(c, code, t);
		json_decref(t);
		json_decref(one);
		json_decref(lm);
		return;
	}
	api_reply_json(c, code, obj);
}

void api_reply_doc(struct api_http_conn *c, json_t *doc, const char *content_type)
{
	char *text;

	if (!doc) {
		api_reply_status(c, api_status_new(404, "NotFound", NULL, "the server could not "
						   "find the requested resource"));
		return;
	}
	text = json_dumps(doc, JSON_COMPACT);
	api_http_respond(c, 200, content_type, NULL, text ? text : "{}", text ? strlen(text) : 2);
	free(text);
	json_decref(doc);
}

void api_reply_oom(struct api_http_conn *c)
{
	api_reply_status(c, api_status_new(500, "InternalError", NULL, "out of memory"));
}
