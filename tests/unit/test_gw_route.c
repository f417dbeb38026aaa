/* Unit tests of gateway/gw_route.c: Ingress rules to routes, matching by
 * host and path with the Ingress API's precedence, and a backend's ready
 * endpoints from its Service and EndpointSlices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "gw_route.h"
#include "tjson.h"

#define ING(ns, name, spec) \
	"{\"metadata\":{\"namespace\":\"" ns "\",\"name\":\"" name "\"},\"spec\":" spec "}"
#define PATH(p, type, svc, port) \
	"{\"path\":\"" p "\",\"pathType\":\"" type "\",\"backend\":{\"service\":{\"name\":\"" \
	svc "\",\"port\":" port "}}}"
#define CLASS "\"ingressClassName\":\"azure-application-gateway\""

static const char *svc_of(const struct gw_routes *r, const char *host, const char *path)
{
	const struct gw_backend *b = gw_routes_match(r, host, path);

	return b ? b->service : "-";
}

static void test_class(void **state)
{
	json_t *ings = tjson_load(
		"[" ING("a", "other", "{\"ingressClassName\":\"nginx\",\"rules\":[{"
			"\"http\":{\"paths\":["
			PATH("/", "Prefix", "n", "{\"number\":80}")
			"]}}]}") ","
		"{\"metadata\":{\"namespace\":\"a\",\"name\":\"legacy\","
		"\"annotations\":"
		"{\"kubernetes.io/ingress.class\":\"azure/application-gateway\"}},"
		"\"spec\":{\"rules\":[{\"http\":{\"paths\":["
		PATH("/old", "Prefix", "o", "{\"number\":80}") "]}}]}},"
		ING("a", "none", "{\"rules\":[{\"http\":{\"paths\":["
		    PATH("/", "Prefix", "x", "{\"number\":80}") "]}}]}") "]");
	struct gw_routes r;

	(void)state;
	assert_int_equal(gw_routes_build(ings, &r), 0);
	/* Another class and no class are not ours; the old annotation is. */
	assert_int_equal(r.n, 1);
	assert_string_equal(svc_of(&r, "h", "/old/x"), "o");
	assert_string_equal(svc_of(&r, "h", "/"), "-");
	gw_routes_free(&r);
	json_decref(ings);
}

static void test_paths(void **state)
{
	json_t *ings = tjson_load(
		"{\"k\":" ING("web", "i", "{" CLASS ",\"rules\":[{\"http\":{\"paths\":["
		    PATH("/", "Prefix", "root", "{\"number\":80}") ","
		    PATH("/api/", "Prefix", "api", "{\"number\":80}") ","
		    PATH("/api", "Exact", "apiexact", "{\"number\":80}") ","
		    PATH("/api/v1", "ImplementationSpecific", "v1",
			 "{\"name\":\"http\"}")
		    "]}}]}") "}");
	struct gw_routes r;

	(void)state;
	assert_int_equal(gw_routes_build(ings, &r), 0);
	assert_int_equal(r.n, 4);
	assert_string_equal(svc_of(&r, NULL, "/"), "root");
	assert_string_equal(svc_of(&r, NULL, "/index.html"), "root");
	/* Prefix by elements: /apis is not under /api. */
	assert_string_equal(svc_of(&r, NULL, "/apis"), "root");
	assert_string_equal(svc_of(&r, NULL, "/api/"), "api");
	assert_string_equal(svc_of(&r, NULL, "/api/x"), "api");
	/* Exact wins over a Prefix of the same length. */
	assert_string_equal(svc_of(&r, NULL, "/api"), "apiexact");
	/* The longest path wins; ImplementationSpecific is a prefix. */
	assert_string_equal(svc_of(&r, NULL, "/api/v1/pods"), "v1");
	assert_string_equal(gw_routes_match(&r, NULL, "/api/v1")->port_name, "http");
	assert_int_equal(gw_routes_match(&r, NULL, "/")->port_number, 80);
	assert_string_equal(gw_routes_match(&r, NULL, "/")->ns, "web");
	gw_routes_free(&r);
	json_decref(ings);
}

static void test_hosts(void **state)
{
	json_t *ings = tjson_load(
		"[" ING("d", "i", "{" CLASS ",\"defaultBackend\":{\"service\":{"
			"\"name\":\"dflt\",\"port\":{\"number\":8080}}},\"rules\":["
			"{\"host\":\"A.example\",\"http\":{\"paths\":["
			PATH("/", "Prefix", "a", "{\"number\":80}") "]}},"
			"{\"host\":\"*.example\",\"http\":{\"paths\":["
			PATH("/", "Prefix", "wild", "{\"number\":80}") "]}},"
			"{\"http\":{\"paths\":["
			PATH("/any", "Prefix", "any", "{\"number\":80}") "]}}]}") "]");
	struct gw_routes r;

	(void)state;
	assert_int_equal(gw_routes_build(ings, &r), 0);
	assert_string_equal(svc_of(&r, "a.example", "/any"), "a");
	assert_string_equal(svc_of(&r, "a.EXAMPLE:8080", "/x"), "a");
	assert_string_equal(svc_of(&r, "b.example", "/any"), "wild");
	/* A wildcard covers exactly one label. */
	assert_string_equal(svc_of(&r, "c.b.example", "/any"), "any");
	assert_string_equal(svc_of(&r, "example", "/any"), "any");
	assert_string_equal(svc_of(&r, "203.0.113.2", "/any/1"), "any");
	/* Nothing matches: the default backend. */
	assert_string_equal(svc_of(&r, "203.0.113.2", "/"), "dflt");
	assert_int_equal(gw_routes_match(&r, NULL, "/")->port_number, 8080);
	gw_routes_free(&r);
	json_decref(ings);
}

static void test_endpoints(void **state)
{
	json_t *svcs = tjson_load("{\"x\":{\"metadata\":{\"namespace\":\"web\",\"name\":\"echo\"},"
				  "\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":80,"
				  "\"targetPort\":8080},"
				  "{\"name\":\"admin\",\"port\":81,\"targetPort\":9000}]}},"
				  "\"y\":{\"metadata\":{\"namespace\":\"web\",\"name\":\"single\"},"
				  "\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080}]}}}");
	json_t *slices = tjson_load(
		"{\"1\":{\"metadata\":{\"namespace\":\"web\",\"name\":\"echo-1\",\"labels\":"
		"{\"kubernetes.io/service-name\":\"echo\"}},\"addressType\":\"IPv4\","
		"\"ports\":[{\"name\":\"http\",\"port\":8080},{\"name\":\"admin\",\"port\":9000}],"
		"\"endpoints\":[{\"addresses\":[\"10.244.1.3\"],\"conditions\":{\"ready\":true}},"
		"{\"addresses\":[\"10.244.0.2\"],\"conditions\":{}},"
		"{\"addresses\":[\"10.244.0.9\"],\"conditions\":{\"ready\":false}}]},"
		"\"2\":{\"metadata\":{\"namespace\":\"other\",\"name\":\"echo-1\",\"labels\":"
		"{\"kubernetes.io/service-name\":\"echo\"}},\"addressType\":\"IPv4\","
		"\"ports\":[{\"name\":\"http\",\"port\":8080}],"
		"\"endpoints\":[{\"addresses\":[\"10.244.5.5\"]}]},"
		"\"3\":{\"metadata\":{\"namespace\":\"web\",\"name\":\"single-1\",\"labels\":"
		"{\"kubernetes.io/service-name\":\"single\"}},\"addressType\":\"IPv4\","
		"\"ports\":[{\"port\":8080}],\"endpoints\":[]}}");
	struct gw_backend b = { "web", "echo", 80, "" };
	struct gw_endpoint ep[8];
	char a[INET_ADDRSTRLEN];

	(void)state;
	/* Ready (or of unknown readiness) endpoints of this namespace, sorted. */
	assert_int_equal(gw_route_endpoints(&b, svcs, slices, ep, 8), 2);
	assert_string_equal(inet_ntop(AF_INET, &ep[0].addr, a, sizeof(a)), "10.244.0.2");
	assert_int_equal(ep[0].port, 8080);
	assert_string_equal(inet_ntop(AF_INET, &ep[1].addr, a, sizeof(a)), "10.244.1.3");
	/* By the Service port's name: the slice's port of that name. */
	b.port_number = 0;
	snprintf(b.port_name, sizeof(b.port_name), "admin");
	assert_int_equal(gw_route_endpoints(&b, svcs, slices, ep, 8), 2);
	assert_int_equal(ep[0].port, 9000);
	/* At most max. */
	assert_int_equal(gw_route_endpoints(&b, svcs, slices, ep, 1), 1);
	/* A port the Service does not have, a Service that does not exist, a
	 * Service without ready endpoints. */
	snprintf(b.port_name, sizeof(b.port_name), "nope");
	assert_int_equal(gw_route_endpoints(&b, svcs, slices, ep, 8), 0);
	snprintf(b.service, sizeof(b.service), "missing");
	b.port_number = 80;
	assert_int_equal(gw_route_endpoints(&b, svcs, slices, ep, 8), 0);
	snprintf(b.service, sizeof(b.service), "single");
	assert_int_equal(gw_route_endpoints(&b, svcs, slices, ep, 8), 0);
	json_decref(svcs);
	json_decref(slices);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_endpoints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
