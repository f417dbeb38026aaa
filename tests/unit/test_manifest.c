/* Unit tests for lib/manifest*.c: the scenario's manifest, defaults, and
 * each class of error with its file:line:column and wording. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"

/* The scenario's deploy.yaml, verbatim (examples/aks-scenario/deploy.yaml). */
static const char scenario[] =
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata:\n"
	"  name: node-deployment\n"
	"  labels:\n"
	"    app: node\n"
	"spec:\n"
	"  replicas: 1\n"
	"  selector:\n"
	"    matchLabels:\n"
	"      app: node\n"
	"  template:\n"
	"    metadata:\n"
	"      labels:\n"
	"        app: node\n"
	"    spec:\n"
	"      containers:\n"
	"      - name: node\n"
	"        image: nfranssens/nodejs-ip\n"
	"        ports:\n"
	"        - containerPort: 8080\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata:\n"
	"  name: node-service\n"
	"spec:\n"
	"  selector:\n"
	"    app: node\n"
	"  ports:\n"
	"    - protocol: TCP\n"
	"      port: 80\n"
	"      targetPort: 8080\n"
	"  type: LoadBalancer\n";

static int parse_mode(const char *text, enum manifest_validation v, struct manifest *m)
{
	char err[256];

	return manifest_parse_string("t.yaml", text, strlen(text), "default", v, m, err,
				     sizeof(err));
}

/* The default: kubectl's --validate=strict. */
static int parse(const char *text, struct manifest *m)
{
	return parse_mode(text, MANIFEST_VALIDATE_STRICT, m);
}

/* Asserts that some message of m is exactly `want`. */
static void assert_msg(const struct manifest *m, const char *want)
{
	for (int i = 0; i < m->n_msgs; i++)
		if (strcmp(m->msgs[i].text, want) == 0)
			return;
	for (int i = 0; i < m->n_msgs; i++)
		print_message("  have: %s\n", m->msgs[i].text);
	print_message("  want: %s\n", want);
	fail();
}

/* Parses text expecting exactly one error, equal to want; nothing parsed. */
static void assert_one_error(const char *text, const char *want)
{
	struct manifest m;

	assert_int_equal(parse(text, &m), -1);
	assert_msg(&m, want);
	assert_int_equal(m.n_errors, 1);
	assert_int_equal(m.n_objects, 0);
	manifest_free(&m);
}

static void test_scenario(void **state)
{
	struct manifest m;
	const struct model_deployment *d;
	const struct model_service *s;
	const struct model_container *c;

	(void)state;
	assert_int_equal(parse(scenario, &m), 0);
	assert_int_equal(m.n_msgs, 0);
	assert_int_equal(m.n_objects, 2);

	assert_int_equal(m.objects[0].kind, MANIFEST_DEPLOYMENT);
	d = &m.objects[0].deployment;
	assert_string_equal(d->meta.ns, "default");
	assert_false(m.objects[0].ns_explicit);
	assert_string_equal(d->meta.name, "node-deployment");
	assert_int_equal(d->meta.labels.n, 1);
	assert_string_equal(model_map_get(&d->meta.labels, "app"), "node");
	assert_int_equal(d->replicas, 1);
	assert_int_equal(d->selector.n, 1);
	assert_string_equal(model_map_get(&d->selector, "app"), "node");
	assert_string_equal(model_map_get(&d->template_labels, "app"), "node");
	assert_int_equal(d->template_annotations.n, 0);
	assert_int_equal(d->pod.n_containers, 1);
	assert_int_equal(d->pod.termination_grace_s, 30);
	assert_int_equal(d->max_surge.value, 25);
	assert_true(d->max_surge.percent);
	assert_int_equal(d->max_unavailable.value, 25);
	assert_true(d->max_unavailable.percent);
	c = &d->pod.containers[0];
	assert_string_equal(c->name, "node");
	assert_string_equal(c->image, "nfranssens/nodejs-ip");
	assert_int_equal(c->n_ports, 1);
	assert_int_equal(c->ports[0].port, 8080);
	assert_int_equal(c->ports[0].proto, MODEL_PROTO_TCP);
	assert_string_equal(c->ports[0].name, "");
	assert_int_equal(c->n_env, 0);
	assert_int_equal(c->n_args, 0);
	assert_int_equal(c->n_command, 0);
	assert_int_equal(c->readiness.kind, MODEL_PROBE_NONE);
	assert_int_equal(m.objects[0].pos.line, 1);
	assert_int_equal(m.objects[0].pos.column, 1);

	assert_int_equal(m.objects[1].kind, MANIFEST_SERVICE);
	s = &m.objects[1].service;
	assert_string_equal(s->meta.ns, "default");
	assert_string_equal(s->meta.name, "node-service");
	assert_int_equal(s->meta.labels.n, 0);
	assert_int_equal(s->type, MODEL_SVC_LOAD_BALANCER);
	assert_string_equal(model_map_get(&s->selector, "app"), "node");
	assert_int_equal(s->n_ports, 1);
	assert_string_equal(s->ports[0].name, "");
	assert_int_equal(s->ports[0].proto, MODEL_PROTO_TCP);
	assert_int_equal(s->ports[0].port, 80);
	assert_int_equal(s->ports[0].target_port, 8080);
	assert_string_equal(s->ports[0].target_port_name, "");
	assert_int_equal(s->ports[0].node_port, 0);        /* allocated by the caller */
	assert_int_equal(s->cluster_ip.s_addr, 0);
	assert_int_equal(s->health_check_node_port, 0);
	assert_int_equal(s->external_policy, MODEL_POLICY_CLUSTER);
	assert_int_equal(s->internal_policy, MODEL_POLICY_CLUSTER);
	assert_false(s->affinity_client_ip);
	assert_int_equal(s->affinity_timeout_s, 10800);
	assert_int_equal(s->load_balancer_ip.s_addr, 0);
	assert_int_equal(m.objects[1].pos.line, 23);
	manifest_free(&m);
}

/* The blog's second step: the same Service with externalTrafficPolicy Local. */
static void test_scenario_local(void **state)
{
	char text[sizeof(scenario) + 64];
	struct manifest m;

	(void)state;
	snprintf(text, sizeof(text), "%s  externalTrafficPolicy: Local\n", scenario);
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.n_objects, 2);
	assert_int_equal(m.objects[1].service.external_policy, MODEL_POLICY_LOCAL);
	assert_int_equal(m.objects[1].service.health_check_node_port, 0);
	manifest_free(&m);
}

static void test_defaults(void **state)
{
	static const char text[] =
		"apiVersion: apps/v1\n"
		"kind: Deployment\n"
		"metadata: {name: web, namespace: prod}\n"
		"spec:\n"
		"  selector: {matchLabels: {app: web}}\n"
		"  strategy: {rollingUpdate: {maxSurge: 2, maxUnavailable: 50%}}\n"
		"  template:\n"
		"    metadata: {labels: {app: web, tier: front}, annotations: {a/b: c}}\n"
		"    spec:\n"
		"      terminationGracePeriodSeconds: 5\n"
		"      containers:\n"
		"      - name: web\n"
		"        image: clientip-echo\n"
		"        args: [--port, \"9090\"]\n"
		"        command: [/bin/echo]\n"
		"        env: [{name: MODE, value: fast}, {name: EMPTY}]\n"
		"        ports: [{containerPort: 9090, name: http, protocol: UDP}]\n"
		"        readinessProbe:\n"
		"          httpGet: {port: http}\n"
		"      - name: side\n"
		"        image: clientip-echo\n"
		"        readinessProbe:\n"
		"          tcpSocket: {port: 7000}\n"
		"          periodSeconds: 2\n"
		"          failureThreshold: 0\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Service\n"
		"metadata: {name: web}\n"
		"spec:\n"
		"  ports: [{port: 8080}]\n";
	struct manifest m;
	const struct model_deployment *d;
	const struct model_service *s;
	const struct model_probe *p;

	(void)state;
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.n_objects, 2);
	d = &m.objects[0].deployment;
	assert_string_equal(d->meta.ns, "prod");
	assert_true(m.objects[0].ns_explicit);
	assert_int_equal(d->replicas, 1);
	assert_int_equal(d->max_surge.value, 2);
	assert_false(d->max_surge.percent);
	assert_int_equal(d->max_unavailable.value, 50);
	assert_true(d->max_unavailable.percent);
	assert_int_equal(d->pod.termination_grace_s, 5);
	assert_string_equal(model_map_get(&d->template_annotations, "a/b"), "c");
	assert_int_equal(d->pod.n_containers, 2);
	assert_int_equal(d->pod.containers[0].n_args, 2);
	assert_string_equal(d->pod.containers[0].args[1], "9090");
	assert_string_equal(d->pod.containers[0].command[0], "/bin/echo");
	assert_int_equal(d->pod.containers[0].n_env, 2);
	assert_string_equal(d->pod.containers[0].env[0].value, "fast");
	assert_string_equal(d->pod.containers[0].env[1].name, "EMPTY");
	assert_string_equal(d->pod.containers[0].env[1].value, "");
	assert_int_equal(d->pod.containers[0].ports[0].proto, MODEL_PROTO_UDP);
	p = &d->pod.containers[0].readiness;
	assert_int_equal(p->kind, MODEL_PROBE_HTTP);
	assert_string_equal(p->path, "/");
	assert_int_equal(p->port, 0);
	assert_string_equal(p->port_name, "http");
	assert_int_equal(p->initial_delay_s, 0);
	assert_int_equal(p->period_s, 10);
	assert_int_equal(p->timeout_s, 1);
	assert_int_equal(p->success_threshold, 1);
	assert_int_equal(p->failure_threshold, 3);
	p = &d->pod.containers[1].readiness;
	assert_int_equal(p->kind, MODEL_PROBE_TCP);
	assert_int_equal(p->port, 7000);
	assert_int_equal(p->period_s, 2);
	assert_int_equal(p->failure_threshold, 3);  /* 0 means the default */

	s = &m.objects[1].service;
	assert_string_equal(s->meta.ns, "default");
	assert_int_equal(s->type, MODEL_SVC_CLUSTER_IP);
	assert_int_equal(s->ports[0].proto, MODEL_PROTO_TCP);
	assert_int_equal(s->ports[0].target_port, 8080);
	assert_int_equal(s->selector.n, 0);
	manifest_free(&m);
}

static void test_default_namespace_argument(void **state)
{
	struct manifest m;
	char err[128];

	(void)state;
	assert_int_equal(manifest_parse_string("t.yaml", scenario, strlen(scenario), "prod",
					       MANIFEST_VALIDATE_STRICT, &m, err, sizeof(err)), 0);
	assert_string_equal(m.objects[0].deployment.meta.ns, "prod");
	assert_string_equal(m.objects[1].service.meta.ns, "prod");
	manifest_free(&m);
}

static void test_service_fields(void **state)
{
	static const char text[] =
		"apiVersion: v1\n"
		"kind: Service\n"
		"metadata:\n"
		"  name: lb\n"
		"  labels: {team: net}\n"
		"  annotations:\n"
		"    service.beta.kubernetes.io/azure-load-balancer-health-probe-interval: \"5\"\n"
		"spec:\n"
		"  type: LoadBalancer\n"
		"  clusterIP: 10.0.3.4\n"
		"  loadBalancerIP: 203.0.113.7\n"
		"  externalTrafficPolicy: Local\n"
		"  internalTrafficPolicy: Local\n"
		"  healthCheckNodePort: 32000\n"
		"  sessionAffinity: ClientIP\n"
		"  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n"
		"  selector: {app: web}\n"
		"  ports:\n"
		"  - {name: http, port: 80, targetPort: web, nodePort: 30080}\n"
		"  - {name: dns, port: 53, protocol: UDP}\n";
	struct manifest m;
	const struct model_service *s;
	char ip[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.n_msgs, 0);
	s = &m.objects[0].service;
	assert_int_equal(s->type, MODEL_SVC_LOAD_BALANCER);
	assert_string_equal(inet_ntop(AF_INET, &s->cluster_ip, ip, sizeof(ip)), "10.0.3.4");
	assert_string_equal(inet_ntop(AF_INET, &s->load_balancer_ip, ip, sizeof(ip)), "203.0.113.7");
	assert_int_equal(s->external_policy, MODEL_POLICY_LOCAL);
	assert_int_equal(s->internal_policy, MODEL_POLICY_LOCAL);
	assert_int_equal(s->health_check_node_port, 32000);
	assert_true(s->affinity_client_ip);
	assert_int_equal(s->affinity_timeout_s, 60);
	assert_string_equal(model_map_get(&s->meta.labels, "team"), "net");
	assert_string_equal(model_map_get(&s->meta.annotations,
		"service.beta.kubernetes.io/azure-load-balancer-health-probe-interval"), "5");
	assert_int_equal(s->n_ports, 2);
	assert_int_equal(s->ports[0].target_port, 0);
	assert_string_equal(s->ports[0].target_port_name, "web");
	assert_int_equal(s->ports[0].node_port, 30080);
	assert_int_equal(m.objects[0].node_port_pos[0].line, 19);
	assert_int_equal(s->ports[1].proto, MODEL_PROTO_UDP);
	assert_int_equal(s->ports[1].target_port, 53);
	manifest_free(&m);
}

static void test_json_and_list(void **state)
{
	static const char text[] =
		"{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
		"  {\"apiVersion\": \"v1\", \"kind\": \"Service\",\n"
		"   \"metadata\": {\"name\": \"a\"},\n"
		"   \"spec\": {\"type\": \"NodePort\", \"ports\": [{\"port\": 80}]}},\n"
		"  {\"apiVersion\": \"v1\", \"kind\": \"Service\",\n"
		"   \"metadata\": {\"name\": \"b\"},\n"
		"   \"spec\": {\"ports\": [{\"port\": 81}]}}\n"
		"]}\n";
	struct manifest m;

	(void)state;
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.n_objects, 2);
	assert_string_equal(m.objects[0].service.meta.name, "a");
	assert_int_equal(m.objects[0].service.type, MODEL_SVC_NODE_PORT);
	assert_string_equal(m.objects[1].service.meta.name, "b");
	manifest_free(&m);
}

static void test_empty_documents(void **state)
{
	struct manifest m;

	(void)state;
	assert_int_equal(parse("---\n# nothing\n---\n", &m), 0);
	assert_int_equal(m.n_objects, 0);
	assert_int_equal(m.n_msgs, 0);
	manifest_free(&m);
}

/* ---- errors -------------------------------------------------------------- */

static const char svc_head[] =
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata:\n"
	"  name: web\n"
	"spec:\n";

static void svc_error(const char *spec, const char *want)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", svc_head, spec);
	assert_one_error(text, want);
}

static void test_error_port_range(void **state)
{
	(void)state;
	svc_error("  ports:\n  - port: 70000\n",
		  "t.yaml:7:11: spec.ports[0].port: Invalid value: 70000: must be between 1 and "
		  "65535, inclusive");
	svc_error("  ports:\n  - port: 80\n    targetPort: 0x10000\n",
		  "t.yaml:8:17: spec.ports[0].targetPort: Invalid value: 65536: must be between 1 "
		  "and 65535, inclusive");
}

static void test_error_name(void **state)
{
	(void)state;
	assert_one_error(
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: Node_Svc\nspec:\n"
		"  ports: [{port: 80}]\n",
		"t.yaml:4:9: metadata.name: Invalid value: \"Node_Svc\": a DNS-1035 label must "
		"consist of lower case alphanumeric characters or '-', start with an alphabetic "
		"character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
		"regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
	assert_one_error(
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: Prod\nspec:\n"
		"  ports: [{port: 80}]\n",
		"t.yaml:5:14: metadata.namespace: Invalid value: \"Prod\": a lowercase RFC 1123 "
		"label must consist of lower case alphanumeric characters or '-', and must start "
		"and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
		"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
	assert_one_error("apiVersion: v1\nkind: Service\nspec:\n  ports: [{port: 80}]\n",
			 "t.yaml:1:1: metadata.name: Required value: name or generateName is required");
}

static void test_error_selector(void **state)
{
	static const char text[] =
		"apiVersion: apps/v1\n"
		"kind: Deployment\n"
		"metadata: {name: web}\n"
		"spec:\n"
		"  selector:\n"
		"    matchLabels: {app: web}\n"
		"  template:\n"
		"    metadata:\n"
		"      labels: {app: webs}\n"
		"    spec:\n"
		"      containers: [{name: web, image: x}]\n";
	static const char nosel[] =
		"apiVersion: apps/v1\n"
		"kind: Deployment\n"
		"metadata: {name: web}\n"
		"spec:\n"
		"  template:\n"
		"    metadata:\n"
		"      labels: {app: web}\n"
		"    spec:\n"
		"      containers: [{name: web, image: x}]\n";

	(void)state;
	assert_one_error(text, "t.yaml:9:16: spec.template.metadata.labels: Invalid value: "
			 "map[string]string{\"app\":\"webs\"}: `selector` does not match template "
			 "`labels`");
	assert_one_error(nosel, "t.yaml:5:3: spec.selector: Required value");
}

static void test_error_duplicates(void **state)
{
	(void)state;
	svc_error("  ports:\n"
		  "  - {name: http, port: 80}\n"
		  "  - {name: http, port: 81}\n",
		  "t.yaml:8:12: spec.ports[1].name: Duplicate value: \"http\"");
	svc_error("  ports:\n"
		  "  - {name: a, port: 80}\n"
		  "  - {name: b, port: 80}\n",
		  "t.yaml:8:6: spec.ports[1]: Duplicate value: {\"port\":80,\"protocol\":\"TCP\"}");
	{
		char text[512];
		struct manifest m;

		snprintf(text, sizeof(text), "%s  ports:\n  - {port: 80}\n  - {port: 81}\n", svc_head);
		assert_int_equal(parse(text, &m), -1);
		assert_int_equal(m.n_errors, 2);
		assert_msg(&m, "t.yaml:7:6: spec.ports[0].name: Required value");
		assert_msg(&m, "t.yaml:8:6: spec.ports[1].name: Required value");
		manifest_free(&m);
	}
}

static void test_error_node_port(void **state)
{
	(void)state;
	svc_error("  type: NodePort\n  ports:\n  - {port: 80, nodePort: 80}\n",
		  "t.yaml:8:26: spec.ports[0].nodePort: Invalid value: 80: provided port is not in "
		  "the valid range. The range of valid ports is 30000-32767");
	svc_error("  ports:\n  - {port: 80, nodePort: 30080}\n",
		  "t.yaml:7:26: spec.ports[0].nodePort: Forbidden: may not be used when `type` is "
		  "'ClusterIP'");
}

static void test_error_traffic_policy(void **state)
{
	(void)state;
	svc_error("  externalTrafficPolicy: Local\n  ports: [{port: 80}]\n",
		  "t.yaml:6:26: spec.externalTrafficPolicy: Invalid value: \"Local\": may only be "
		  "set for externally-accessible services");
	/* The blog writes "local"; the API server wants the exact spelling. */
	svc_error("  type: LoadBalancer\n  externalTrafficPolicy: local\n  ports: [{port: 80}]\n",
		  "t.yaml:7:26: spec.externalTrafficPolicy: Unsupported value: \"local\": supported "
		  "values: \"Cluster\", \"Local\"");
	svc_error("  type: NodePort\n  healthCheckNodePort: 30001\n  ports: [{port: 80}]\n",
		  "t.yaml:7:24: spec.healthCheckNodePort: Invalid value: 30001: may only be set when "
		  "`type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
}

static void test_error_kind(void **state)
{
	(void)state;
	assert_one_error("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: x}\n",
			 "t.yaml:2:7: no matches for kind \"Deployment\" in version "
			 "\"extensions/v1beta1\"");
	assert_one_error("apiVersion: v1\nkind: Srevice\n",
			 "t.yaml:2:7: no matches for kind \"Srevice\" in version \"v1\"");
	/* A Kubernetes kind the lab's API server stores but clientip does not apply. */
	assert_one_error("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: x}\n",
			 "t.yaml:2:7: kind: Unsupported value: \"Lease\": clientip handles only "
			 "apps/v1 Deployment and DaemonSet and v1 Service objects");
	assert_one_error("metadata: {name: x}\n",
			 "t.yaml:1:1: apiVersion: Required value: apiVersion not set");
	assert_one_error("apiVersion: v1\n", "t.yaml:1:1: kind: Required value: kind not set");
}

static void test_error_types(void **state)
{
	(void)state;
	svc_error("  ports:\n  - port: \"80\"\n",
		  "t.yaml:7:11: spec.ports[0].port: Invalid type: got \"string\", expected \"integer\"");
	svc_error("  ports: {port: 80}\n",
		  "t.yaml:6:11: spec.ports: Invalid type: got \"object\", expected \"array\"");
	svc_error("  selector: {on: yes}\n  ports: [{port: 80}]\n",
		  "t.yaml:6:18: spec.selector: Invalid type: got \"boolean\", expected \"string\"");
	assert_one_error(
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
		"  replicas: two\n  selector: {matchLabels: {a: b}}\n"
		"  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n",
		"t.yaml:5:13: spec.replicas: Invalid type: got \"string\", expected \"integer\"");
}

static void test_error_yaml_syntax(void **state)
{
	struct manifest m;

	(void)state;
	assert_int_equal(parse("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n"
			       "  labels: {a: b\nspec: {}\n", &m), -1);
	assert_true(m.n_errors >= 1);
	assert_int_equal(m.n_objects, 0);
	assert_non_null(strstr(m.msgs[0].text, "t.yaml:"));
	assert_non_null(strstr(m.msgs[0].text, ": yaml: "));
	assert_true(m.msgs[0].pos.line >= 5);
	manifest_free(&m);
}

/* Every error of the file is reported, and no object survives. */
static void test_all_errors_nothing_kept(void **state)
{
	char text[4096];
	struct manifest m;

	(void)state;
	snprintf(text, sizeof(text), "%s---\n%s  ports:\n  - port: 0\n  - port: 70000\n",
		 scenario, svc_head);
	assert_int_equal(parse(text, &m), -1);
	assert_int_equal(m.n_errors, 4);  /* two ranges, two unnamed ports */
	assert_msg(&m, "t.yaml:42:11: spec.ports[0].port: Invalid value: 0: must be between 1 "
		   "and 65535, inclusive");
	assert_msg(&m, "t.yaml:43:11: spec.ports[1].port: Invalid value: 70000: must be between "
		   "1 and 65535, inclusive");
	/* The scenario's two objects were fine, and are dropped all the same. */
	assert_int_equal(m.n_objects, 0);
	manifest_free(&m);
}

/* The mistake strict validation is for: a misspelt externalTrafficPolicy
 * would otherwise leave the Service at Cluster without a word. */
static const char typo_service[] =
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata:\n"
	"  name: web\n"
	"spec:\n"
	"  type: LoadBalancer\n"
	"  selector: {app: web}\n"
	"  externalTraficPolicy: Local\n"
	"  ports:\n"
	"  - port: 80\n";

static void test_unknown_field_strict(void **state)
{
	(void)state;
	assert_one_error(typo_service, "t.yaml:8:3: unknown field \"spec.externalTraficPolicy\"");
}

/* A typo deep in a Deployment's pod template, and in a List's item and
 * its own fields, point at the key with the path from the object's root. */
static void test_unknown_field_nested(void **state)
{
	static const char deploy[] =
		"apiVersion: apps/v1\n"
		"kind: Deployment\n"
		"metadata: {name: web}\n"
		"spec:\n"
		"  selector: {matchLabels: {app: web}}\n"
		"  template:\n"
		"    metadata: {labels: {app: web}}\n"
		"    spec:\n"
		"      containers:\n"
		"      - name: web\n"
		"        image: i\n"
		"        readinessProbe:\n"
		"          httpGet: {path: /, port: 80, shceme: HTTP}\n"
		"      - name: side\n"
		"        image: i\n"
		"        imagePulPolicy: Always\n";
	static const char list[] =
		"{\"apiVersion\": \"v1\", \"kind\": \"List\", "
		"\"metadata\": {\"resourceVersion\": \"\",\n"
		" \"contniue\": \"\"}, \"itmes\": [],\n"
		" \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Service\",\n"
		"   \"metadata\": {\"name\": \"web\", \"lables\": {}},\n"
		"   \"spec\": {\"ports\": [{\"port\": 80}]}}]}\n";
	struct manifest m;

	(void)state;
	assert_int_equal(parse(deploy, &m), -1);
	assert_int_equal(m.n_errors, 2);
	assert_msg(&m, "t.yaml:13:40: unknown field "
		   "\"spec.template.spec.containers[0].readinessProbe.httpGet.shceme\"");
	assert_msg(&m, "t.yaml:16:9: unknown field "
		   "\"spec.template.spec.containers[1].imagePulPolicy\"");
	assert_int_equal(m.n_objects, 0);
	manifest_free(&m);

	assert_int_equal(parse(list, &m), -1);
	assert_int_equal(m.n_errors, 3);
	assert_msg(&m, "t.yaml:2:2: unknown field \"metadata.contniue\"");
	assert_msg(&m, "t.yaml:2:19: unknown field \"itmes\"");
	assert_msg(&m, "t.yaml:4:32: unknown field \"metadata.lables\"");
	manifest_free(&m);
}

/* A key written twice in one mapping: an error under strict, else the last
 * value wins and the earlier one is not read at all (two `ports` lists are
 * not added up). */
static void test_duplicate_field(void **state)
{
	static const char text[] =
		"apiVersion: v1\n"
		"kind: Service\n"
		"metadata:\n"
		"  name: web\n"
		"  labels: {app: a, app: b}\n"
		"spec:\n"
		"  type: NodePort\n"
		"  ports: [{port: 80}, {port: 81}]\n"
		"  type: LoadBalancer\n"
		"  ports: [{port: 82}]\n";
	struct manifest m;
	const struct model_service *s;

	(void)state;
	assert_int_equal(parse(text, &m), -1);
	assert_int_equal(m.n_errors, 3);
	assert_msg(&m, "t.yaml:5:20: duplicate field \"metadata.labels.app\"");
	assert_msg(&m, "t.yaml:9:3: duplicate field \"spec.type\"");
	assert_msg(&m, "t.yaml:10:3: duplicate field \"spec.ports\"");
	manifest_free(&m);

	assert_int_equal(parse_mode(text, MANIFEST_VALIDATE_WARN, &m), 0);
	assert_int_equal(m.n_errors, 0);
	assert_int_equal(m.n_warnings, 3);
	assert_msg(&m, "t.yaml:9:3: Warning: duplicate field \"spec.type\"");
	s = &m.objects[0].service;
	assert_int_equal(s->type, MODEL_SVC_LOAD_BALANCER);
	assert_int_equal(s->n_ports, 1);
	assert_int_equal(s->ports[0].port, 82);
	assert_string_equal(model_map_get(&s->meta.labels, "app"), "b");
	manifest_free(&m);

	assert_int_equal(parse_mode(text, MANIFEST_VALIDATE_IGNORE, &m), 0);
	assert_int_equal(m.n_msgs, 0);
	assert_int_equal(m.objects[0].service.n_ports, 1);
	manifest_free(&m);

	/* In JSON too, and at the document's root. */
	assert_one_error("{\"apiVersion\": \"v1\", \"kind\": \"Service\", "
			 "\"metadata\": {\"name\": \"a\"},\n"
			 " \"kind\": \"Service\", \"spec\": {\"ports\": [{\"port\": 80}]}}\n",
			 "t.yaml:2:2: duplicate field \"kind\"");
}

/* warn reports and applies what it understood (externalTrafficPolicy stays
 * Cluster, as on a cluster); ignore says nothing. */
static void test_validation_modes(void **state)
{
	/* kubectl's --validate values. */
	static const struct { const char *flag; enum manifest_validation mode; } modes[] = {
		{ "true", MANIFEST_VALIDATE_STRICT }, { "strict", MANIFEST_VALIDATE_STRICT },
		{ "warn", MANIFEST_VALIDATE_WARN },
		{ "false", MANIFEST_VALIDATE_IGNORE }, { "ignore", MANIFEST_VALIDATE_IGNORE },
	};
	struct manifest m;
	enum manifest_validation v;
	char err[160];

	(void)state;
	assert_int_equal(parse_mode(typo_service, MANIFEST_VALIDATE_WARN, &m), 0);
	assert_int_equal(m.n_objects, 1);
	assert_int_equal(m.n_errors, 0);
	assert_int_equal(m.n_warnings, 1);
	assert_msg(&m, "t.yaml:8:3: Warning: unknown field \"spec.externalTraficPolicy\"");
	assert_int_equal(m.objects[0].service.external_policy, MODEL_POLICY_CLUSTER);
	manifest_free(&m);

	assert_int_equal(parse_mode(typo_service, MANIFEST_VALIDATE_IGNORE, &m), 0);
	assert_int_equal(m.n_objects, 1);
	assert_int_equal(m.n_msgs, 0);
	manifest_free(&m);

	/* Other errors stay errors in every mode. */
	assert_int_equal(parse_mode("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
				    "spec: {foo: 1, ports: [{port: 70000}]}\n",
				    MANIFEST_VALIDATE_IGNORE, &m), -1);
	assert_int_equal(m.n_errors, 1);
	assert_int_equal(m.n_warnings, 0);
	manifest_free(&m);

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(manifest_validation_parse(modes[i].flag, &v, err, sizeof(err)), 0);
		assert_int_equal(v, modes[i].mode);
	}
	assert_int_equal(manifest_validation_parse("Strict", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid - validate option \"Strict\"; must be one of: strict "
			    "(or true), warn, ignore (or false)");
}

/* Every field the Kubernetes API has for these objects (apps/v1
 * Deployment with its pod template, v1 Service, v1 List, ObjectMeta) is
 * accepted under strict, whether clientip uses it or not. */
static void test_every_api_field_accepted(void **state)
{
	static const char text[] =
		"apiVersion: v1\n"
		"kind: List\n"
		"metadata: {selfLink: \"\", resourceVersion: \"\", continue: \"\", "
		"remainingItemCount: null}\n"
		"items:\n"
		"- apiVersion: apps/v1\n"
		"  kind: Deployment\n"
		"  metadata:\n"
		"    name: web\n"
		"    generateName: null\n"
		"    namespace: default\n"
		"    selfLink: /apis/apps/v1/namespaces/default/deployments/web\n"
		"    uid: 5f0c2a4e-0000-4000-8000-000000000001\n"
		"    resourceVersion: \"42\"\n"
		"    generation: 3\n"
		"    creationTimestamp: \"2024-01-01T00:00:00Z\"\n"
		"    deletionTimestamp: null\n"
		"    deletionGracePeriodSeconds: null\n"
		"    labels: {app: web}\n"
		"    annotations: {deployment.kubernetes.io/revision: \"3\"}\n"
		"    ownerReferences: []\n"
		"    finalizers: []\n"
		"    managedFields: []\n"
		"  spec:\n"
		"    replicas: 2\n"
		"    selector: {matchLabels: {app: web}, matchExpressions: []}\n"
		"    minReadySeconds: 0\n"
		"    revisionHistoryLimit: 10\n"
		"    paused: false\n"
		"    progressDeadlineSeconds: 600\n"
		"    strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, "
		"maxUnavailable: 25%}}\n"
		"    template:\n"
		"      metadata:\n"
		"        name: null\n"
		"        generateName: null\n"
		"        namespace: null\n"
		"        selfLink: null\n"
		"        uid: null\n"
		"        resourceVersion: null\n"
		"        generation: null\n"
		"        creationTimestamp: null\n"
		"        deletionTimestamp: null\n"
		"        deletionGracePeriodSeconds: null\n"
		"        labels: {app: web}\n"
		"        annotations: {a: b}\n"
		"        ownerReferences: null\n"
		"        finalizers: null\n"
		"        managedFields: null\n"
		"      spec:\n"
		"        volumes: null\n"
		"        initContainers: null\n"
		"        ephemeralContainers: null\n"
		"        restartPolicy: Always\n"
		"        terminationGracePeriodSeconds: 30\n"
		"        activeDeadlineSeconds: null\n"
		"        dnsPolicy: ClusterFirst\n"
		"        nodeSelector: {kubernetes.io/os: linux}\n"
		"        serviceAccountName: default\n"
		"        serviceAccount: default\n"
		"        automountServiceAccountToken: true\n"
		"        nodeName: null\n"
		"        hostNetwork: false\n"
		"        hostPID: false\n"
		"        hostIPC: false\n"
		"        shareProcessNamespace: null\n"
		"        securityContext: {runAsNonRoot: true}\n"
		"        imagePullSecrets: []\n"
		"        hostname: null\n"
		"        subdomain: null\n"
		"        affinity: null\n"
		"        schedulerName: default-scheduler\n"
		"        tolerations: [{key: k, operator: Exists}]\n"
		"        hostAliases: null\n"
		"        priorityClassName: \"\"\n"
		"        priority: 0\n"
		"        dnsConfig: null\n"
		"        readinessGates: null\n"
		"        runtimeClassName: null\n"
		"        enableServiceLinks: true\n"
		"        preemptionPolicy: PreemptLowerPriority\n"
		"        overhead: null\n"
		"        topologySpreadConstraints: null\n"
		"        setHostnameAsFQDN: null\n"
		"        os: null\n"
		"        hostUsers: null\n"
		"        schedulingGates: null\n"
		"        resourceClaims: null\n"
		"        resources: {limits: {cpu: \"1\"}}\n"
		"        hostnameOverride: null\n"
		"        schedulingGroup: null\n"
		"        evictionResponders: null\n"
		"        containers:\n"
		"        - name: web\n"
		"          image: nfranssens/nodejs-ip\n"
		"          command: [node]\n"
		"          args: [server.js]\n"
		"          workingDir: null\n"
		"          ports:\n"
		"          - {name: http, containerPort: 8080, protocol: TCP, hostPort: null, "
		"hostIP: null}\n"
		"          envFrom: null\n"
		"          env: [{name: A, value: b, valueFrom: null}]\n"
		"          resources: {requests: {cpu: 100m, memory: 64Mi}}\n"
		"          resizePolicy: null\n"
		"          restartPolicy: null\n"
		"          restartPolicyRules: null\n"
		"          volumeMounts: null\n"
		"          volumeDevices: null\n"
		"          livenessProbe: null\n"
		"          readinessProbe:\n"
		"            exec: null\n"
		"            httpGet: {path: /, port: http, host: null, scheme: HTTP, "
		"httpHeaders: null, protocol: null}\n"
		"            tcpSocket: null\n"
		"            grpc: null\n"
		"            initialDelaySeconds: 1\n"
		"            timeoutSeconds: 1\n"
		"            periodSeconds: 2\n"
		"            successThreshold: 1\n"
		"            failureThreshold: 3\n"
		"            terminationGracePeriodSeconds: null\n"
		"          startupProbe: null\n"
		"          lifecycle: null\n"
		"          terminationMessagePath: /dev/termination-log\n"
		"          terminationMessagePolicy: File\n"
		"          imagePullPolicy: IfNotPresent\n"
		"          securityContext: {allowPrivilegeEscalation: false}\n"
		"          stdin: false\n"
		"          stdinOnce: false\n"
		"          tty: false\n"
		"        - name: side\n"
		"          image: i\n"
		"          readinessProbe: {tcpSocket: {port: 9000, host: null}}\n"
		"  status: {replicas: 2}\n"
		"- apiVersion: v1\n"
		"  kind: Service\n"
		"  metadata: {name: web, namespace: default}\n"
		"  spec:\n"
		"    ports:\n"
		"    - {name: http, protocol: TCP, appProtocol: http, port: 80, targetPort: 8080, "
		"nodePort: 30080}\n"
		"    selector: {app: web}\n"
		"    clusterIP: 10.0.0.20\n"
		"    clusterIPs: [10.0.0.20]\n"
		"    type: LoadBalancer\n"
		"    externalIPs: null\n"
		"    sessionAffinity: ClientIP\n"
		"    loadBalancerIP: 203.0.113.9\n"
		"    loadBalancerSourceRanges: [0.0.0.0/0]\n"
		"    externalName: null\n"
		"    externalTrafficPolicy: Local\n"
		"    healthCheckNodePort: 30100\n"
		"    publishNotReadyAddresses: false\n"
		"    sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}\n"
		"    ipFamilies: [IPv4]\n"
		"    ipFamilyPolicy: SingleStack\n"
		"    allocateLoadBalancerNodePorts: true\n"
		"    loadBalancerClass: null\n"
		"    internalTrafficPolicy: Cluster\n"
		"    trafficDistribution: null\n"
		"  status: {loadBalancer: {}}\n";
	struct manifest m;

	(void)state;
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.n_errors, 0);
	assert_int_equal(m.n_objects, 2);
	/* Those the lab would not honour are still named, as warnings. */
	assert_msg(&m, "t.yaml:56:9: Warning: field \"spec.template.spec.nodeSelector\" is not "
		   "supported by clientip and is ignored");
	assert_msg(&m, "t.yaml:71:9: Warning: field \"spec.template.spec.tolerations\" is not "
		   "supported by clientip and is ignored");
	assert_int_equal(m.n_warnings, 2);
	assert_int_equal(m.objects[1].service.n_source_ranges, 1);
	assert_int_equal(m.objects[1].service.source_ranges[0].prefix, 0);
	assert_int_equal(m.objects[1].service.n_external_ips, 0);
	manifest_free(&m);
}

static void test_unknown_field_warning(void **state)
{
	static const char text[] =
		"apiVersion: v1\n"
		"kind: Service\n"
		"metadata:\n"
		"  name: web\n"
		"spec:\n"
		"  foo: 1\n"
		"  ports:\n"
		"  - port: 80\n"
		"    tragetPort: 8080\n";
	struct manifest m;

	(void)state;
	assert_int_equal(parse_mode(text, MANIFEST_VALIDATE_WARN, &m), 0);
	assert_int_equal(m.n_objects, 1);
	assert_int_equal(m.n_errors, 0);
	assert_int_equal(m.n_warnings, 2);
	assert_msg(&m, "t.yaml:6:3: Warning: unknown field \"spec.foo\"");
	assert_msg(&m, "t.yaml:9:5: Warning: unknown field \"spec.ports[0].tragetPort\"");
	manifest_free(&m);
}

static void test_ignored_field_warning(void **state)
{
	char text[2048];
	struct manifest m;

	(void)state;
	/* Fields kubectl's own output carries are accepted silently. */
	snprintf(text, sizeof(text), "%s",
		 "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  uid: abc\n"
		 "  creationTimestamp: null\nspec:\n  ipFamilies: [IPv4]\n  clusterIPs: [10.0.0.12]\n"
		 "  ports: [{port: 80, appProtocol: http}]\n  publishNotReadyAddresses: true\n"
		 "status: {loadBalancer: {}}\n");
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.n_warnings, 1);
	assert_msg(&m, "t.yaml:11:3: Warning: field \"spec.publishNotReadyAddresses\" is not "
		   "supported by clientip and is ignored");
	assert_int_equal(ntohl(m.objects[0].service.cluster_ip.s_addr), 0x0a00000c);
	manifest_free(&m);
}

/* spec.externalIPs and spec.loadBalancerSourceRanges reach the model;
 * bad items are errors at their own position. */
static void test_service_external_ips_source_ranges(void **state)
{
	static const char head[] = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n";
	char text[1024];
	struct manifest m;
	const struct model_service *s;

	(void)state;
	snprintf(text, sizeof(text), "%s%s", head,
		 "  type: LoadBalancer\n  ports: [{port: 80}]\n"
		 "  externalIPs: [192.0.2.10, 192.0.2.11]\n"
		 "  loadBalancerSourceRanges: [198.51.100.10/32, ' 192.0.2.77/24 ']\n");
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.n_warnings, 0);
	s = &m.objects[0].service;
	assert_int_equal(s->n_external_ips, 2);
	assert_int_equal(ntohl(s->external_ips[1].s_addr), 0xc000020b);
	assert_int_equal(s->n_source_ranges, 2);
	assert_int_equal(s->source_ranges[0].prefix, 32);
	assert_int_equal(ntohl(s->source_ranges[1].addr.s_addr), 0xc0000200);   /* host bits cleared */
	assert_int_equal(s->source_ranges[1].prefix, 24);
	manifest_free(&m);
	/* externalIPs make a ClusterIP Service externally accessible. */
	snprintf(text, sizeof(text), "%s%s", head,
		 "  ports: [{port: 80}]\n  externalIPs: [192.0.2.10]\n"
		 "  externalTrafficPolicy: Local\n");
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.objects[0].service.external_policy, MODEL_POLICY_LOCAL);
	manifest_free(&m);
	snprintf(text, sizeof(text), "%s%s", head,
		 "  type: LoadBalancer\n  ports: [{port: 80}]\n"
		 "  loadBalancerSourceRanges: [198.51.100.10/32, 10.1.2.300/8]\n");
	assert_one_error(text, "t.yaml:7:48: spec.loadBalancerSourceRanges[1]: Invalid value: "
			 "\"10.1.2.300/8\": must be a valid CIDR value, (e.g. 10.9.8.0/24)");
	snprintf(text, sizeof(text), "%s%s", head,
		 "  type: LoadBalancer\n  ports: [{port: 80}]\n"
		 "  loadBalancerSourceRanges: [198.51.100.10]\n");
	assert_one_error(text, "t.yaml:7:30: spec.loadBalancerSourceRanges[0]: Invalid value: "
			 "\"198.51.100.10\": must be a valid CIDR value, (e.g. 10.9.8.0/24)");
	snprintf(text, sizeof(text), "%s%s", head,
		 "  ports: [{port: 80}]\n  loadBalancerSourceRanges: [198.51.100.0/24]\n");
	assert_one_error(text, "t.yaml:6:30: spec.loadBalancerSourceRanges: Forbidden: may only "
			 "be used when `type` is 'LoadBalancer'");
	snprintf(text, sizeof(text), "%s%s", head,
		 "  ports: [{port: 80}]\n  externalIPs: [192.0.2.10, 127.0.0.1]\n");
	assert_one_error(text, "t.yaml:6:29: spec.externalIPs[1]: Invalid value: \"127.0.0.1\": "
			 "may not be in the loopback range (127.0.0.0/8)");
	snprintf(text, sizeof(text), "%s%s", head,
		 "  ports: [{port: 80}]\n  externalIPs: [nope]\n");
	assert_one_error(text, "t.yaml:6:17: spec.externalIPs[0]: Invalid value: \"nope\": "
			 "must be a valid IPv4 address");
}

static void test_error_deployment_rules(void **state)
{
	static const char head[] =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
		"  selector: {matchLabels: {a: b}}\n";
	char text[2048];

	(void)state;
	snprintf(text, sizeof(text), "%s  template: {metadata: {labels: {a: b}}, spec: {}}\n", head);
	assert_one_error(text, "t.yaml:6:14: spec.template.spec.containers: Required value");
	snprintf(text, sizeof(text), "%s  template:\n    metadata: {labels: {a: b}}\n"
		 "    spec:\n      containers:\n      - name: web\n", head);
	assert_one_error(text, "t.yaml:10:9: spec.template.spec.containers[0].image: Required value");
	snprintf(text, sizeof(text), "%s  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n"
		 "  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n",
		 head);
	assert_one_error(text, "t.yaml:6:59: spec.strategy.rollingUpdate.maxUnavailable: Invalid "
			 "value: 0: may not be 0 when `maxSurge` is 0");
	snprintf(text, sizeof(text), "%s  strategy: {rollingUpdate: {maxSurge: ten}}\n"
		 "  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n",
		 head);
	assert_one_error(text, "t.yaml:6:40: spec.strategy.rollingUpdate.maxSurge: Invalid value: "
			 "\"ten\": a valid percent string must be a numeric string followed by an "
			 "ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
	snprintf(text, sizeof(text), "%s  replicas: -1\n"
		 "  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n",
		 head);
	assert_one_error(text, "t.yaml:6:13: spec.replicas: Invalid value: -1: must be greater "
			 "than or equal to 0");
	snprintf(text, sizeof(text), "%s  template:\n    metadata: {labels: {a: b}}\n    spec:\n"
		 "      containers:\n      - {name: c, image: i}\n      - {name: c, image: i}\n", head);
	assert_one_error(text, "t.yaml:11:10: spec.template.spec.containers[1].name: Duplicate "
			 "value: \"c\"");
	snprintf(text, sizeof(text), "%s  template:\n    metadata: {labels: {a: b}}\n    spec:\n"
		 "      containers:\n      - name: c\n        image: i\n"
		 "        readinessProbe: {periodSeconds: 3}\n", head);
	assert_one_error(text, "t.yaml:12:26: spec.template.spec.containers[0].readinessProbe: "
			 "Required value: must specify a handler type");
}

static void test_lifecycle_pre_stop(void **state)
{
	static const char head[] =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
		"  selector: {matchLabels: {a: b}}\n"
		"  template:\n    metadata: {labels: {a: b}}\n    spec:\n"
		"      terminationGracePeriodSeconds: 20\n      containers:\n";
	const struct model_hook *h;
	char text[2048];
	struct manifest m;

	(void)state;
	/* sleep (Kubernetes 1.30+) */
	snprintf(text, sizeof(text), "%s      - name: c\n        image: i\n"
		 "        lifecycle:\n          preStop:\n            sleep: {seconds: 8}\n", head);
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.n_warnings, 0);
	h = &m.objects[0].deployment.pod.containers[0].pre_stop;
	assert_int_equal(h->kind, MODEL_HOOK_SLEEP);
	assert_int_equal(h->sleep_s, 8);
	manifest_free(&m);

	/* exec, with postStart (not run here) named in a warning */
	snprintf(text, sizeof(text), "%s      - name: c\n        image: i\n        lifecycle:\n"
		 "          postStart: {exec: {command: [touch, /tmp/x]}}\n"
		 "          preStop:\n            exec:\n"
		 "              command: [sh, -c, 'kill -USR1 1; sleep 2']\n", head);
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.n_warnings, 1);
	assert_msg(&m, "t.yaml:14:11: Warning: field \"spec.template.spec.containers[0].lifecycle."
		   "postStart\" is not supported by clientip and is ignored");
	h = &m.objects[0].deployment.pod.containers[0].pre_stop;
	assert_int_equal(h->kind, MODEL_HOOK_EXEC);
	assert_int_equal(h->n_command, 3);
	assert_string_equal(h->command[0], "sh");
	assert_string_equal(h->command[2], "kill -USR1 1; sleep 2");
	manifest_free(&m);

	/* httpGet: every field, a named port, the path defaulting to "/" */
	snprintf(text, sizeof(text), "%s      - name: c\n        image: i\n"
		 "        ports: [{name: http, containerPort: 8080}]\n        lifecycle:\n"
		 "          preStop:\n            httpGet:\n              port: http\n"
		 "              host: 10.244.1.9\n              scheme: HTTPS\n"
		 "              httpHeaders: [{name: X-Drain, value: 'yes'}]\n", head);
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.n_warnings, 0);
	h = &m.objects[0].deployment.pod.containers[0].pre_stop;
	assert_int_equal(h->kind, MODEL_HOOK_HTTP);
	assert_string_equal(h->path, "/");
	assert_int_equal(h->port, 0);
	assert_string_equal(h->port_name, "http");
	assert_string_equal(h->host, "10.244.1.9");
	assert_true(h->https);
	assert_int_equal(h->n_headers, 1);
	assert_string_equal(h->headers[0].name, "X-Drain");
	assert_string_equal(h->headers[0].value, "yes");
	manifest_free(&m);

	snprintf(text, sizeof(text), "%s      - name: c\n        image: i\n        lifecycle:\n"
		 "          preStop: {httpGet: {path: /quit, port: 9000}}\n", head);
	assert_int_equal(parse(text, &m), 0);
	h = &m.objects[0].deployment.pod.containers[0].pre_stop;
	assert_string_equal(h->path, "/quit");
	assert_int_equal(h->port, 9000);
	assert_false(h->https);
	manifest_free(&m);
}

/* topologySpreadConstraints: checked as the API server checks them; the
 * hostname one reaches the model, another key is warned about. */
static void test_spread_constraints(void **state)
{
	static const char head[] =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
		"  selector: {matchLabels: {a: b}}\n"
		"  template:\n    metadata: {labels: {a: b}}\n    spec:\n"
		"      containers: [{name: c, image: i}]\n"
		"      topologySpreadConstraints:\n";
	char text[2048];
	struct manifest m;

	(void)state;
	snprintf(text, sizeof(text), "%s      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, "
		 "whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {a: b}}}\n", head);
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.objects[0].deployment.pod.spread_max_skew, 1);
	assert_true(m.objects[0].deployment.pod.spread_hard);
	manifest_free(&m);
	snprintf(text, sizeof(text), "%s      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, "
		 "whenUnsatisfiable: ScheduleAnyway}\n", head);
	assert_int_equal(parse(text, &m), 0);
	assert_int_equal(m.objects[0].deployment.pod.spread_max_skew, 0);
	assert_int_equal(m.n_warnings, 1);
	assert_msg(&m, "t.yaml:11:10: Warning: spec.template.spec.topologySpreadConstraints[0]: "
		   "topologyKey \"topology.kubernetes.io/zone\": the lab's only topology domain is "
		   "kubernetes.io/hostname (one per node); this constraint is not applied");
	manifest_free(&m);
	snprintf(text, sizeof(text), "%s      - {maxSkew: 0, topologyKey: kubernetes.io/hostname, "
		 "whenUnsatisfiable: DoNotSchedule}\n", head);
	assert_one_error(text, "t.yaml:11:19: spec.template.spec.topologySpreadConstraints[0]."
			 "maxSkew: Invalid value: 0: must be greater than zero");
	snprintf(text, sizeof(text), "%s      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, "
		 "whenUnsatisfiable: Never}\n", head);
	assert_one_error(text, "t.yaml:11:78: spec.template.spec.topologySpreadConstraints[0]."
			 "whenUnsatisfiable: Unsupported value: \"Never\": supported values: "
			 "\"DoNotSchedule\", \"ScheduleAnyway\"");
	snprintf(text, sizeof(text), "%s      - {maxSkew: 1, whenUnsatisfiable: DoNotSchedule}\n",
		 head);
	assert_one_error(text, "t.yaml:11:10: spec.template.spec.topologySpreadConstraints[0]."
			 "topologyKey: Required value: can not be empty");
}

static void test_error_lifecycle(void **state)
{
	static const char head[] =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
		"  selector: {matchLabels: {a: b}}\n"
		"  template:\n    metadata: {labels: {a: b}}\n    spec:\n"
		"      containers:\n      - name: c\n        image: i\n        lifecycle:\n";
	char text[2048];

	(void)state;
	snprintf(text, sizeof(text), "%s          preStop: {}\n", head);
	assert_one_error(text, "t.yaml:13:11: spec.template.spec.containers[0].lifecycle.preStop: "
			 "Required value: must specify a handler type");
	snprintf(text, sizeof(text), "%s          preStop: {sleep: {seconds: 1}, exec: "
		 "{command: [x]}}\n", head);
	assert_one_error(text, "t.yaml:13:21: spec.template.spec.containers[0].lifecycle.preStop: "
			 "Forbidden: may not specify more than 1 handler type");
	snprintf(text, sizeof(text), "%s          preStop: {exec: {command: []}}\n", head);
	assert_one_error(text, "t.yaml:13:28: spec.template.spec.containers[0].lifecycle.preStop."
			 "exec.command: Required value");
	snprintf(text, sizeof(text), "%s          preStop: {httpGet: {path: /x}}\n", head);
	assert_one_error(text, "t.yaml:13:31: spec.template.spec.containers[0].lifecycle.preStop."
			 "httpGet.port: Required value");
	snprintf(text, sizeof(text), "%s          preStop: {httpGet: {port: 80, path: x}}\n", head);
	assert_one_error(text, "t.yaml:13:47: spec.template.spec.containers[0].lifecycle.preStop."
			 "httpGet.path: Invalid value: \"x\": must be an absolute path");
	snprintf(text, sizeof(text), "%s          preStop: {httpGet: {port: 80, scheme: FTP}}\n",
		 head);
	assert_one_error(text, "t.yaml:13:49: spec.template.spec.containers[0].lifecycle.preStop."
			 "httpGet.scheme: Unsupported value: \"FTP\": supported values: \"HTTP\", "
			 "\"HTTPS\"");
	snprintf(text, sizeof(text), "%s          preStop: {httpGet: {port: 80, httpHeaders: "
		 "[{name: 'a b', value: c}]}}\n", head);
	assert_one_error(text, "t.yaml:13:62: spec.template.spec.containers[0].lifecycle.preStop."
			 "httpGet.httpHeaders[0].name: Invalid value: \"a b\": must consist of "
			 "alphanumeric characters or '-'");
	snprintf(text, sizeof(text), "%s          preStop: {sleep: {seconds: -1}}\n", head);
	assert_one_error(text, "t.yaml:13:38: spec.template.spec.containers[0].lifecycle.preStop."
			 "sleep.seconds: Invalid value: -1: must be greater than or equal to 0");
	/* Longer than the grace period (the default 30 s here). */
	snprintf(text, sizeof(text), "%s          preStop: {sleep: {seconds: 31}}\n", head);
	assert_one_error(text, "t.yaml:13:38: spec.template.spec.containers[0].lifecycle.preStop."
			 "sleep.seconds: Invalid value: 31: must be non-negative and less than "
			 "terminationGracePeriodSeconds (30)");
	snprintf(text, sizeof(text), "%s          preStop: {sleep: {seconds: 30}}\n", head);
	{
		struct manifest m;

		assert_int_equal(parse(text, &m), 0);
		manifest_free(&m);
	}
}

static void test_error_env_boolean(void **state)
{
	static const char text[] =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
		"  selector: {matchLabels: {a: b}}\n"
		"  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n"
		"      - name: c\n        image: i\n        env:\n        - name: DEBUG\n"
		"          value: yes\n";

	(void)state;
	/* kubectl's YAML decoder reads `yes` as a boolean, as does this one. */
	assert_one_error(text, "t.yaml:14:18: spec.template.spec.containers[0].env[0].value: "
			 "Invalid type: got \"boolean\", expected \"string\"");
}

static void test_file_and_stdin_names(void **state)
{
	char path[] = "/tmp/test_manifest.XXXXXX";
	char err[256];
	struct manifest m;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "kind: Service\n", 14), 14);
	close(fd);
	assert_int_equal(manifest_parse_file(path, NULL, MANIFEST_VALIDATE_STRICT, &m, err,
					     sizeof(err)), -1);
	assert_non_null(strstr(m.msgs[0].text, path));
	manifest_free(&m);
	unlink(path);
	assert_int_equal(manifest_parse_file(path, NULL, MANIFEST_VALIDATE_STRICT, &m, err,
					     sizeof(err)), -2);
	assert_non_null(strstr(err, "cannot be read"));
	manifest_free(&m);
}

/* Single-quoted scalars are decoded by the parser itself (libfyaml 0.7
 * leaks on '' escapes): quotes, folding, empty lines. */
static void test_single_quoted(void **state)
{
	static const char text[] =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
		"  selector: {matchLabels: {a: b}}\n"
		"  template:\n    metadata: {labels: {'a': 'b'}}\n    spec:\n      containers:\n"
		"      - name: c\n        image: i\n        args:\n"
		"        - 'it''s ''quoted'' ''a'' ''b'' ''c'''\n"
		"        - 'one\n          two  \n\n          three'\n"
		"        - ''''\n";
	struct manifest m;
	const struct model_container *c;

	(void)state;
	assert_int_equal(parse(text, &m), 0);
	c = &m.objects[0].deployment.pod.containers[0];
	assert_int_equal(c->n_args, 3);
	assert_string_equal(c->args[0], "it's 'quoted' 'a' 'b' 'c'");
	assert_string_equal(c->args[1], "one two\nthree");
	assert_string_equal(c->args[2], "'");
	manifest_free(&m);
}

/* Bytes that are not text are refused before the YAML parser sees them. */
static void test_not_text(void **state)
{
	(void)state;
	assert_one_error("a: b\n%\xdf", "t.yaml:2:2: yaml: invalid UTF-8 (byte 0xdf)");
	assert_one_error("apiVersion: v1\nkind: \x01Service\n",
			 "t.yaml:2:7: yaml: control character 0x01 is not allowed");
}

static void test_manifest_add_error(void **state)
{
	struct manifest m;
	struct manifest_pos pos = { 3, 9 };

	(void)state;
	assert_int_equal(parse(scenario, &m), 0);
	manifest_add_error(&m, pos, "spec.ports[0].nodePort",
			   "Invalid value: %d: provided port is already allocated", 30080);
	assert_int_equal(m.n_errors, 1);
	assert_string_equal(m.msgs[0].text, "t.yaml:3:9: spec.ports[0].nodePort: Invalid value: "
			    "30080: provided port is already allocated");
	manifest_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario),
		cmocka_unit_test(test_scenario_local),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_default_namespace_argument),
		cmocka_unit_test(test_service_fields),
		cmocka_unit_test(test_json_and_list),
		cmocka_unit_test(test_empty_documents),
		cmocka_unit_test(test_error_port_range),
		cmocka_unit_test(test_error_name),
		cmocka_unit_test(test_error_selector),
		cmocka_unit_test(test_error_duplicates),
		cmocka_unit_test(test_error_node_port),
		cmocka_unit_test(test_error_traffic_policy),
		cmocka_unit_test(test_error_kind),
		cmocka_unit_test(test_error_types),
		cmocka_unit_test(test_error_yaml_syntax),
		cmocka_unit_test(test_all_errors_nothing_kept),
		cmocka_unit_test(test_unknown_field_strict),
		cmocka_unit_test(test_unknown_field_nested),
		cmocka_unit_test(test_duplicate_field),
		cmocka_unit_test(test_validation_modes),
		cmocka_unit_test(test_every_api_field_accepted),
		cmocka_unit_test(test_unknown_field_warning),
		cmocka_unit_test(test_ignored_field_warning),
		cmocka_unit_test(test_service_external_ips_source_ranges),
		cmocka_unit_test(test_error_deployment_rules),
		cmocka_unit_test(test_error_env_boolean),
		cmocka_unit_test(test_lifecycle_pre_stop),
		cmocka_unit_test(test_error_lifecycle),
		cmocka_unit_test(test_spread_constraints),
		cmocka_unit_test(test_file_and_stdin_names),
		cmocka_unit_test(test_single_quoted),
		cmocka_unit_test(test_not_text),
		cmocka_unit_test(test_manifest_add_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
