/* api_docs.c — the API's description of itself as served
 * (api_handlers_int.h): discovery at /api and /apis in the form the client
 * asks for, and the OpenAPI documents, each built once and kept, with an
 * ETag.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_discovery.h"
#include "api_handlers_int.h"
#include "api_server.h"
#include "hash.h"

/* ---- discovery ---------------------------------------------------------------- */

/* /api and /apis: aggregated discovery when the client offers it (v2 or
 * v2beta1, in the order it lists them), the legacy documents otherwise. */
void api_docs_discovery(struct api_http_conn *c, const struct api_http_req *req, bool core)
{
	const char *v2 = strstr(req->accept, "g=apidiscovery.k8s.io;v=v2;");
	const char *v2b = strstr(req->accept, "g=apidiscovery.k8s.io;v=v2beta1;");
	const char *ver = NULL;
	char ct[128];

	if (v2 && (!v2b || v2 < v2b))
		ver = "v2";
	else if (v2b)
		ver = "v2beta1";
	if (ver) {
		snprintf(ct, sizeof(ct), "application/json;g=apidiscovery.k8s.io;v=%s;"
			 "as=APIGroupDiscoveryList", ver);
		api_reply_doc(c, api_discovery_aggregated(core, ver), ct);
		return;
	}
	api_reply_doc(c, core ? api_discovery_api_versions() : api_discovery_group_list(),
		      API_JSON);
}

/* ---- OpenAPI documents ------------------------------------------------------- */

/* One OpenAPI document as served. The documents depend only on the served
 * kinds, fixed at build time, so each is made on its first request and
 * kept until the server stops (made per request, /openapi/v2 took 13-37 ms
 * and the v3 root 9 ms, for every kubectl command that validates). */
struct api_doc {
	struct api_doc *next;
	char key[576];                /* the path, or "/openapi/v2 <content type>" */
	char *body;
	size_t len;
	char etag[24];                /* "\"<16 hex digits>\"" */
};

void api_docs_free(struct api_server *s)
{
	while (s->docs) {
		struct api_doc *d = s->docs;
		s->docs = d->next;
		free(d->body);
		free(d);
	}
}

/* FNV-1a of the body: the same hash api_openapi_v3_root() puts in the v3
 * documents' URLs, since those are serialised with sorted keys. */
static uint64_t api_docs_hash(const char *p, size_t len)
{
	return hash_fnv1a64(HASH_FNV1A64_INIT, p, len);
}

static const struct api_doc *api_docs_find(const struct api_server *s, const char *key)
{
	for (const struct api_doc *d = s->docs; d; d = d->next)
		if (strcmp(d->key, key) == 0)
			return d;
	return NULL;
}

/* Keeps body (taken); NULL when out of memory (body is freed). */
static const struct api_doc *api_docs_keep(struct api_server *s, const char *key, char *body,
					   size_t len)
{
	struct api_doc *d = calloc(1, sizeof(*d));

	if (!d || !body) {
		free(d);
		free(body);
		return NULL;
	}
	snprintf(d->key, sizeof(d->key), "%s", key);
	d->body = body;
	d->len = len;
	snprintf(d->etag, sizeof(d->etag), "\"%016" PRIX64 "\"", api_docs_hash(body, len));
	d->next = s->docs;
	s->docs = d;
	return d;
}

/* Whether an If-None-Match list ("\"a\", W/\"b\"" or "*") names etag. */
static bool api_docs_etag_matches(const char *list, const char *etag)
{
	size_t elen = strlen(etag);

	while (*list) {
		size_t n;

		list += strspn(list, " \t,");
		if (strncmp(list, "W/", 2) == 0)
			list += 2;
		n = strcspn(list, " \t,");
		if ((n == 1 && list[0] == '*') || (n == elen && strncmp(list, etag, n) == 0))
			return true;
		list += n;
	}
	return false;
}

/* A kept document with its ETag, or 304 Not Modified for a client that
 * has it, as kube-apiserver's OpenAPI handlers answer. immutable: the
 * request named the document's hash (?hash= of a v3 URL from the root),
 * which a client may cache for good. */
static void api_docs_reply(struct api_http_conn *c, const struct api_http_req *req,
			   const struct api_doc *d, const char *content_type, bool immutable)
{
	char hdrs[128];

	snprintf(hdrs, sizeof(hdrs), "ETag: %s\r\n%s", d->etag,
		 immutable ? "Cache-Control: public, immutable\r\n" : "");
	if (api_docs_etag_matches(req->if_none_match, d->etag))
		api_http_respond(c, 304, NULL, hdrs, NULL, 0);
	else
		api_http_respond(c, 200, content_type, hdrs, d->body, d->len);
}

/* /openapi/v2: protobuf for kubectl, JSON for the rest; 406 for a client
 * that takes neither, as the real server answers. */
void api_docs_openapi_v2(struct api_server *s, struct api_http_conn *c,
			 const struct api_http_req *req)
{
	const char *ct = api_openapi_v2_content_type(req->accept);
	const struct api_doc *d;
	char key[160];

	if (!ct) {
		api_reply_status(c, api_status_new(406, "NotAcceptable", NULL, "only the "
						   "following media types are accepted: "
						   API_OPENAPI_V2_JSON ", " API_OPENAPI_V2_PROTOBUF));
		return;
	}
	snprintf(key, sizeof(key), "/openapi/v2 %s", ct);
	d = api_docs_find(s, key);
	if (!d) {
		json_t *doc = api_openapi_v2();
		char *body = NULL;
		size_t len = 0;

		if (doc && strcmp(ct, API_OPENAPI_V2_PROTOBUF) == 0) {
			body = api_openapi_v2_proto(doc, &len);
		} else if (doc) {
			body = json_dumps(doc, JSON_COMPACT);
			len = body ? strlen(body) : 0;
		}
		json_decref(doc);
		d = api_docs_keep(s, key, body, len);
	}
	if (d)
		api_docs_reply(c, req, d, ct, false);
	else
		api_reply_oom(c);
}

/* /openapi/v3 and /openapi/v3/<api/v1 | apis/G/V>; 404 for a group or
 * version not served (not kept: clients choose those names). */
void api_docs_openapi_v3(struct api_server *s, struct api_http_conn *c,
			 const struct api_http_req *req, const char *rel)
{
	char seg[4][254], hash[24], key[576];
	int n = rel[0] ? api_handlers_split(rel, seg, 4) : 0;
	const struct api_doc *d;

	/* Kept by the document's name, not the path as sent ("api//v1"). */
	if (n == 2 && strcmp(seg[0], "api") == 0)
		snprintf(key, sizeof(key), "/openapi/v3/api/%s", seg[1]);
	else if (n == 3 && strcmp(seg[0], "apis") == 0)
		snprintf(key, sizeof(key), "/openapi/v3/apis/%s/%s", seg[1], seg[2]);
	else if (!rel[0])
		snprintf(key, sizeof(key), "/openapi/v3");
	else
		key[0] = '\0';
	d = key[0] ? api_docs_find(s, key) : NULL;
	if (!d) {
		json_t *doc = NULL;
		char *body;

		if (!rel[0])
			doc = api_openapi_v3_root();
		else if (n == 2 && key[0])
			doc = api_openapi_v3_group_version("", seg[1]);
		else if (n == 3 && key[0])
			doc = api_openapi_v3_group_version(seg[1], seg[2]);
		if (!doc) {
			if (rel[0])
				api_reply_doc(c, NULL, API_JSON);
			else
				api_reply_oom(c);
			return;
		}
		body = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(doc);
		d = api_docs_keep(s, key, body, body ? strlen(body) : 0);
		if (!d) {
			api_reply_oom(c);
			return;
		}
	}
	api_docs_reply(c, req, d, API_JSON, rel[0] &&
		       httpd_query_get(req->query, "hash", hash, sizeof(hash)) &&
		       strlen(hash) == 16 && strncmp(d->etag + 1, hash, 16) == 0);
}
