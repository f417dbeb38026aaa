/* api_status.c — Status objects, the API's error replies (see api_server.h).
 *
 * Wording and reasons follow k8s.io/apimachinery/pkg/api/errors, because
 * kubectl prints the message as it comes ("Error from server (NotFound):
 * pods \"x\" not found") and decides on the reason (apply creates on
 * NotFound, retries on Conflict).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api_server.h"

json_t *api_status_new(int code, const char *reason, json_t *details, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	json_t *st;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion", "v1",
		       "metadata", "status", code < 300 ? "Success" : "Failure", "message", msg,
		       "reason", reason, "code", code);
	if (st && details)
		json_object_set_new(st, "details", details);
	else
		json_decref(details);
	return st;
}

json_t *api_status_details(const struct api_resource *r, const char *name)
{
	json_t *d = json_pack("{s:s, s:s}", "name", name ? name : "", "kind", r->resource);

	if (d && r->group[0])
		json_object_set_new(d, "group", json_string(r->group));
	return d;
}

/* "pods" or "deployments.apps": how the API server names a resource in
 * messages. */
static void api_status_resource_name(const struct api_resource *r, char *out, size_t len)
{
	if (r->group[0])
		snprintf(out, len, "%s.%s", r->resource, r->group);
	else
		snprintf(out, len, "%s", r->resource);
}

json_t *api_status_not_found(const struct api_resource *r, const char *name)
{
	char rn[128];

	api_status_resource_name(r, rn, sizeof(rn));
	return api_status_new(404, "NotFound", api_status_details(r, name), "%s \"%s\" not found",
			      rn, name);
}

json_t *api_status_exists(const struct api_resource *r, const char *name)
{
	char rn[128];

	api_status_resource_name(r, rn, sizeof(rn));
	return api_status_new(409, "AlreadyExists", api_status_details(r, name),
			      "%s \"%s\" already exists", rn, name);
}

json_t *api_status_conflict(const struct api_resource *r, const char *name)
{
	char rn[128];

	api_status_resource_name(r, rn, sizeof(rn));
	return api_status_new(409, "Conflict", api_status_details(r, name),
			      "Operation cannot be fulfilled on %s \"%s\": the object has been "
			      "modified; please apply your changes to the latest version and try "
			      "again", rn, name);
}

json_t *api_status_invalid(const struct api_resource *r, const char *name, json_t *causes)
{
	char kind[128], msg[4096];
	size_t off = 0, i;
	json_t *c, *details;

	/* The kind as the message names it: "Deployment.apps", "Service". */
	if (r->group[0])
		snprintf(kind, sizeof(kind), "%s.%s", r->kind, r->group);
	else
		snprintf(kind, sizeof(kind), "%s", r->kind);
	off += (size_t)snprintf(msg, sizeof(msg), "%s \"%s\" is invalid: ", kind, name);
	if (json_array_size(causes) > 1 && off < sizeof(msg))
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, "[");
	json_array_foreach(causes, i, c) {
		const char *field = json_string_value(json_object_get(c, "field"));
		const char *m = json_string_value(json_object_get(c, "message"));
		if (off >= sizeof(msg))
			break;
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s%s%s%s", i ? ", " : "",
					field ? field : "", field ? ": " : "", m ? m : "");
	}
	if (json_array_size(causes) > 1 && off < sizeof(msg))
		snprintf(msg + off, sizeof(msg) - off, "]");
	details = api_status_details(r, name);
	json_object_set_new(details, "kind", json_string(r->kind));
	json_object_set_new(details, "causes", causes);
	return api_status_new(422, "Invalid", details, "%s", msg);
}

void api_status_cause(json_t *causes, const char *reason, const char *field, const char *fmt,
		      ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(causes, json_pack("{s:s, s:s, s:s}", "reason", reason, "message",
						msg, "field", field));
}

int api_status_code(const json_t *status)
{
	return (int)json_integer_value(json_object_get(status, "code"));
}

const char *api_status_reason(int code)
{
	switch (code) {
	case 400: return "BadRequest";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "NotFound";
	case 405: return "MethodNotAllowed";
	case 409: return "Conflict";
	case 410: return "Expired";
	case 415: return "UnsupportedMediaType";
	case 422: return "Invalid";
	case 429: return "TooManyRequests";
	case 503: return "ServiceUnavailable";
	case 504: return "Timeout";
	default: return "InternalError";
	}
}
