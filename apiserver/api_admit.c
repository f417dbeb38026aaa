/* api_admit.c — what the API server does to an object before it stores it:
 * identity, the kind's defaults and validation (see api_server.h).
 *
 * Defaults are the ones `kubectl get -o yaml` shows on a real cluster
 * (k8s.io/kubernetes pkg/apis/<group>/v1/defaults.go), so a manifest applied
 * here and there reads back the same. Validation covers what the lab's
 * components rely on and what users commonly get wrong; each failure is a
 * cause of a 422 Invalid with the field path and the real server's words.
 * Services, with the addresses and ports they are allocated, are
 * api_admit_service.c's (api_admit_int.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_admit_int.h"
#include "api_json.h"
#include "api_server.h"
#include "model.h"

void api_now_rfc3339(char out[32])
{
	model_time_now(out);
}

/* ---- small JSON helpers ----------------------------------------------------- */

/* obj[key], created as an empty object when absent or not an object. */
json_t *api_admit_obj(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_object(v)) {
		v = json_object();
		json_object_set_new(obj, key, v);
	}
	return v;
}

void api_admit_default_str(json_t *obj, const char *key, const char *value)
{
	if (!json_object_get(obj, key))
		json_object_set_new(obj, key, json_string(value));
}

void api_admit_default_int(json_t *obj, const char *key, json_int_t value)
{
	if (!json_object_get(obj, key))
		json_object_set_new(obj, key, json_integer(value));
}

const char *api_admit_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* ---- names ------------------------------------------------------------------ */

static bool api_admit_is_label(const char *s, bool must_start_alpha)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-'))
			return false;
	}
	if (s[0] == '-' || s[n - 1] == '-')
		return false;
	return !must_start_alpha || islower((unsigned char)s[0]);
}

static bool api_admit_is_subdomain(const char *s)
{
	char part[64];
	const char *p = s;
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len == 0 || len >= sizeof(part))
			return false;
		memcpy(part, p, len);
		part[len] = '\0';
		if (!api_admit_is_label(part, false))
			return false;
		p += len;
		if (*p == '.')
			p++;
		if (dot && !*p)
			return false;
	}
	return true;
}

/* Namespaces and Services are DNS labels (Services must start with a
 * letter: RFC 1035); everything else a DNS subdomain. */
static void api_admit_check_name(const struct api_resource *r, const char *name, json_t *causes)
{
	if (strcmp(r->kind, "Service") == 0) {
		if (!api_admit_is_label(name, true))
			api_status_cause(causes, "FieldValueInvalid", "metadata.name",
					 "Invalid value: \"%s\": a DNS-1035 label must consist of "
					 "lower case alphanumeric characters or '-', start with an "
					 "alphabetic character, and end with an alphanumeric "
					 "character (e.g. 'my-name',  or 'abc-123', regex used for "
					 "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')", name);
	} else if (strcmp(r->kind, "Namespace") == 0) {
		if (!api_admit_is_label(name, false))
			api_status_cause(causes, "FieldValueInvalid", "metadata.name",
					 "Invalid value: \"%s\": a lowercase RFC 1123 label must "
					 "consist of lower case alphanumeric characters or '-', and "
					 "must start and end with an alphanumeric character (e.g. "
					 "'my-name',  or '123-abc', regex used for validation is "
					 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')", name);
	} else if (!api_admit_is_subdomain(name)) {
		api_status_cause(causes, "FieldValueInvalid", "metadata.name",
				 "Invalid value: \"%s\": a lowercase RFC 1123 subdomain must "
				 "consist of lower case alphanumeric characters, '-' or '.', and "
				 "must start and end with an alphanumeric character (e.g. "
				 "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*"
				 "[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')", name);
	}
}

static void api_admit_check_map(const json_t *meta, const char *key, json_t *causes)
{
	json_t *m = json_object_get(meta, key);
	const char *k;
	json_t *v;
	char field[320];

	if (!m || json_is_null(m))
		return;
	if (!json_is_object(m)) {
		snprintf(field, sizeof(field), "metadata.%s", key);
		api_status_cause(causes, "FieldValueInvalid", field, "Invalid value: must be a map");
		return;
	}
	json_object_foreach(m, k, v) {
		if (json_is_string(v))
			continue;
		snprintf(field, sizeof(field), "metadata.%s.%s", key, k);
		api_status_cause(causes, "FieldValueInvalid", field,
				 "Invalid value: must be a string");
	}
}

/* ---- identity ----------------------------------------------------------------- */

static void api_admit_identity(const struct api_resource *r, enum api_admit_op op,
			       const char *ns, const json_t *old, json_t *obj)
{
	json_t *meta = api_admit_obj(obj, "metadata");
	char apiv[64];

	json_object_set_new(obj, "apiVersion", json_string(api_resource_api_version(r, apiv,
										     sizeof(apiv))));
	json_object_set_new(obj, "kind", json_string(r->kind));
	if (r->namespaced)
		json_object_set_new(meta, "namespace", json_string(ns));
	else
		json_object_del(meta, "namespace");

	if (op == API_ADMIT_CREATE) {
		char uid[40], now[32];
		const char *gen = api_admit_str(meta, "generateName");
		if (!api_admit_str(meta, "name") && gen) {
			static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
			char name[320];
			int n = snprintf(name, sizeof(name), "%.*s", 247, gen);
			for (int i = 0; i < 5; i++)
				name[n + i] = alnum[arc4random_uniform(sizeof(alnum) - 1)];
			name[n + 5] = '\0';
			json_object_set_new(meta, "name", json_string(name));
		}
		model_uid_new(uid);
		api_now_rfc3339(now);
		json_object_set_new(meta, "uid", json_string(uid));
		json_object_set_new(meta, "creationTimestamp", json_string(now));
		json_object_del(meta, "deletionTimestamp");
		json_object_del(meta, "deletionGracePeriodSeconds");
		/* A Lease has a spec but no generation: its strategy sets none,
		 * so renewals do not count up one either. */
		if ((json_object_get(obj, "spec") && strcmp(r->kind, "Lease") != 0) ||
		    strcmp(r->kind, "Deployment") == 0 || strcmp(r->kind, "DaemonSet") == 0)
			json_object_set_new(meta, "generation", json_integer(1));
		return;
	}
	/* Update: what the server owns is carried over. */
	const json_t *om = json_object_get(old, "metadata");
	static const char *const kept[] = { "uid", "creationTimestamp", "deletionTimestamp",
					    "deletionGracePeriodSeconds", "generation",
					    "generateName" };
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		json_t *v = json_object_get(om, kept[i]);
		if (v)
			json_object_set(meta, kept[i], v);
		else
			json_object_del(meta, kept[i]);
	}
	if (json_object_get(om, "generation") &&
	    !json_equal(json_object_get(old, "spec"), json_object_get(obj, "spec")))
		json_object_set_new(meta, "generation",
				    json_integer(json_integer_value(json_object_get(om, "generation"))
						 + 1));
}

/* ---- pods and templates ------------------------------------------------------- */

static void api_admit_probe(json_t *probe)
{
	json_t *hg;

	if (!json_is_object(probe))
		return;
	api_admit_default_int(probe, "timeoutSeconds", 1);
	api_admit_default_int(probe, "periodSeconds", 10);
	api_admit_default_int(probe, "successThreshold", 1);
	api_admit_default_int(probe, "failureThreshold", 3);
	hg = json_object_get(probe, "httpGet");
	if (json_is_object(hg)) {
		api_admit_default_str(hg, "scheme", "HTTP");
		api_admit_default_str(hg, "path", "/");
	}
}

static void api_admit_containers(json_t *list, const char *field, json_t *causes)
{
	size_t i;
	json_t *c;
	char f[256];

	json_array_foreach(list, i, c) {
		const char *name = api_admit_str(c, "name"), *image = api_admit_str(c, "image");
		json_t *ports = json_object_get(c, "ports"), *p;
		size_t j;

		if (!json_is_object(c)) {
			snprintf(f, sizeof(f), "%s[%zu]", field, i);
			api_status_cause(causes, "FieldValueInvalid", f, "Invalid value: must be "
					 "an object");
			continue;
		}
		if (!name || !name[0]) {
			snprintf(f, sizeof(f), "%s[%zu].name", field, i);
			api_status_cause(causes, "FieldValueRequired", f, "Required value");
		} else if (!api_admit_is_label(name, false)) {
			snprintf(f, sizeof(f), "%s[%zu].name", field, i);
			api_status_cause(causes, "FieldValueInvalid", f, "Invalid value: \"%s\": a "
					 "lowercase RFC 1123 label must consist of lower case "
					 "alphanumeric characters or '-', and must start and end "
					 "with an alphanumeric character", name);
		}
		if (!image || !image[0]) {
			snprintf(f, sizeof(f), "%s[%zu].image", field, i);
			api_status_cause(causes, "FieldValueRequired", f, "Required value");
		}
		api_admit_default_str(c, "terminationMessagePath", "/dev/termination-log");
		api_admit_default_str(c, "terminationMessagePolicy", "File");
		if (image && !json_object_get(c, "imagePullPolicy")) {
			const char *tag = strrchr(image, ':');
			bool latest = !tag || strchr(tag, '/') || strcmp(tag, ":latest") == 0;
			json_object_set_new(c, "imagePullPolicy",
					    json_string(latest ? "Always" : "IfNotPresent"));
		}
		if (!json_object_get(c, "resources"))
			json_object_set_new(c, "resources", json_object());
		json_array_foreach(ports, j, p) {
			json_t *cp = json_object_get(p, "containerPort");
			if (!json_is_integer(cp) || json_integer_value(cp) < 1 ||
			    json_integer_value(cp) > 65535) {
				snprintf(f, sizeof(f), "%s[%zu].ports[%zu].containerPort", field, i, j);
				api_status_cause(causes, "FieldValueInvalid", f, "Invalid value: must "
						 "be between 1 and 65535, inclusive");
			}
			if (json_is_object(p))
				api_admit_default_str(p, "protocol", "TCP");
		}
		api_admit_probe(json_object_get(c, "readinessProbe"));
		api_admit_probe(json_object_get(c, "livenessProbe"));
		api_admit_probe(json_object_get(c, "startupProbe"));
	}
}

static void api_admit_pod_spec(json_t *spec, const char *field, json_t *causes)
{
	json_t *containers = json_object_get(spec, "containers");
	char f[256];

	snprintf(f, sizeof(f), "%s.containers", field);
	if (!json_is_array(containers) || json_array_size(containers) == 0) {
		api_status_cause(causes, "FieldValueRequired", f, "Required value");
		return;
	}
	api_admit_containers(containers, f, causes);
	snprintf(f, sizeof(f), "%s.initContainers", field);
	api_admit_containers(json_object_get(spec, "initContainers"), f, causes);
	api_admit_default_str(spec, "restartPolicy", "Always");
	api_admit_default_int(spec, "terminationGracePeriodSeconds", 30);
	api_admit_default_str(spec, "dnsPolicy", "ClusterFirst");
	api_admit_default_str(spec, "schedulerName", "default-scheduler");
	if (!json_object_get(spec, "securityContext"))
		json_object_set_new(spec, "securityContext", json_object());
	if (json_object_get(spec, "serviceAccountName"))
		api_admit_default_str(spec, "serviceAccount",
				      api_admit_str(spec, "serviceAccountName"));
}

/* Deployments, ReplicaSets and DaemonSets (no replicas): a selector that
 * selects the template. */
static void api_admit_workload(json_t *obj, const json_t *old, bool replicas, json_t *causes)
{
	json_t *spec = api_admit_obj(obj, "spec");
	json_t *sel = json_object_get(spec, "selector");
	json_t *tmpl = api_admit_obj(spec, "template");
	json_t *tlabels = json_object_get(json_object_get(tmpl, "metadata"), "labels");
	json_t *ml = json_object_get(sel, "matchLabels");
	const char *k;
	json_t *v;

	if (replicas)
		api_admit_default_int(spec, "replicas", 1);
	api_admit_default_int(spec, "revisionHistoryLimit", 10);
	if (replicas && (!json_is_integer(json_object_get(spec, "replicas")) ||
			 json_integer_value(json_object_get(spec, "replicas")) < 0))
		api_status_cause(causes, "FieldValueInvalid", "spec.replicas",
				 "Invalid value: must be greater than or equal to 0");
	if (!json_is_object(sel) ||
	    (json_object_size(ml) == 0 && json_array_size(json_object_get(sel, "matchExpressions"))
	     == 0)) {
		api_status_cause(causes, "FieldValueRequired", "spec.selector", "Required value");
	} else {
		json_object_foreach(ml, k, v) {
			const char *tv = api_admit_str(tlabels, k);
			if (!tv || !json_is_string(v) || strcmp(tv, json_string_value(v)) != 0) {
				api_status_cause(causes, "FieldValueInvalid",
						 "spec.template.metadata.labels",
						 "Invalid value: `selector` does not match template "
						 "`labels`");
				break;
			}
		}
	}
	if (old && !json_equal(json_object_get(json_object_get(old, "spec"), "selector"), sel))
		api_status_cause(causes, "FieldValueInvalid", "spec.selector",
				 "Invalid value: field is immutable");
	api_admit_pod_spec(api_admit_obj(tmpl, "spec"), "spec.template.spec", causes);
	if (!json_object_get(json_object_get(tmpl, "metadata"), "creationTimestamp"))
		json_object_set_new(api_admit_obj(tmpl, "metadata"), "creationTimestamp",
				    json_null());
}

static void api_admit_deployment(json_t *obj, const json_t *old, json_t *causes)
{
	json_t *spec = api_admit_obj(obj, "spec");
	json_t *strategy = api_admit_obj(spec, "strategy");

	api_admit_workload(obj, old, true, causes);
	api_admit_default_int(spec, "progressDeadlineSeconds", 600);
	api_admit_default_str(strategy, "type", "RollingUpdate");
	if (strcmp(api_admit_str(strategy, "type") ? api_admit_str(strategy, "type") : "",
		   "RollingUpdate") == 0) {
		json_t *ru = api_admit_obj(strategy, "rollingUpdate");
		api_admit_default_str(ru, "maxSurge", "25%");
		api_admit_default_str(ru, "maxUnavailable", "25%");
	} else if (strcmp(api_admit_str(strategy, "type") ? api_admit_str(strategy, "type") : "",
			  "Recreate") != 0) {
		api_status_cause(causes, "FieldValueNotSupported", "spec.strategy.type",
				 "Unsupported value: \"%s\": supported values: \"Recreate\", "
				 "\"RollingUpdate\"", api_admit_str(strategy, "type") ?
				 api_admit_str(strategy, "type") : "");
	}
}

/* A DaemonSet: updateStrategy RollingUpdate (maxUnavailable 1, maxSurge 0),
 * as the API server defaults it. OnDelete is refused: the lab's controller
 * rolls every DaemonSet (a difference from Kubernetes, in docs/). */
static void api_admit_daemonset(json_t *obj, const json_t *old, json_t *causes)
{
	json_t *spec = api_admit_obj(obj, "spec");
	json_t *strategy = api_admit_obj(spec, "updateStrategy");
	const char *type;

	api_admit_workload(obj, old, false, causes);
	api_admit_default_str(strategy, "type", "RollingUpdate");
	type = api_admit_str(strategy, "type") ? api_admit_str(strategy, "type") : "";
	if (strcmp(type, "RollingUpdate") == 0) {
		json_t *ru = api_admit_obj(strategy, "rollingUpdate");
		api_admit_default_int(ru, "maxUnavailable", 1);
		api_admit_default_int(ru, "maxSurge", 0);
	} else {
		api_status_cause(causes, "FieldValueNotSupported", "spec.updateStrategy.type",
				 "Unsupported value: \"%s\": supported values: \"RollingUpdate\" "
				 "(a clientip lab does not do \"OnDelete\")", type);
	}
}
/* ---- the rest ------------------------------------------------------------------ */

static void api_admit_secret(json_t *obj, json_t *causes)
{
	json_t *sd = json_object_get(obj, "stringData");
	const char *k;
	json_t *v;

	api_admit_default_str(obj, "type", "Opaque");
	if (!json_is_object(sd))
		goto out;
	/* stringData is write-only: it merges into data, base64-encoded. */
	json_object_foreach(sd, k, v) {
		static const char b64[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		const unsigned char *in = (const unsigned char *)json_string_value(v);
		size_t n = in ? strlen((const char *)in) : 0, o = 0;
		char *enc = malloc(4 * ((n + 2) / 3) + 1);

		if (!in || !enc) {
			free(enc);
			continue;
		}
		for (size_t i = 0; i < n; i += 3) {
			unsigned w = (unsigned)in[i] << 16 | (i + 1 < n ? in[i + 1] : 0) << 8 |
				     (i + 2 < n ? in[i + 2] : 0);
			enc[o++] = b64[(w >> 18) & 63];
			enc[o++] = b64[(w >> 12) & 63];
			enc[o++] = i + 1 < n ? b64[(w >> 6) & 63] : '=';
			enc[o++] = i + 2 < n ? b64[w & 63] : '=';
		}
		enc[o] = '\0';
		json_object_set_new(api_admit_obj(obj, "data"), k, json_string(enc));
		free(enc);
	}
out:
	json_object_del(obj, "stringData");
	(void)causes;
}

/* Lease spec checks as k8s.io/kubernetes pkg/apis/coordination/validation
 * words them (strategy names are not checked): a duration that is not
 * positive would make every lease look expired at once. */
static void api_admit_lease(const json_t *obj, json_t *causes)
{
	const json_t *spec = json_object_get(obj, "spec");
	const json_t *dur = json_object_get(spec, "leaseDurationSeconds");
	const json_t *trans = json_object_get(spec, "leaseTransitions");
	const char *strategy = api_admit_str(spec, "strategy");
	const char *preferred = api_admit_str(spec, "preferredHolder");

	if (json_is_integer(dur) && json_integer_value(dur) <= 0)
		api_status_cause(causes, "FieldValueInvalid", "spec.leaseDurationSeconds",
				 "Invalid value: %lld: must be greater than 0",
				 (long long)json_integer_value(dur));
	if (json_is_integer(trans) && json_integer_value(trans) < 0)
		api_status_cause(causes, "FieldValueInvalid", "spec.leaseTransitions",
				 "Invalid value: %lld: must be greater than or equal to 0",
				 (long long)json_integer_value(trans));
	if (preferred && *preferred && !(strategy && *strategy))
		api_status_cause(causes, "FieldValueForbidden", "spec.preferredHolder",
				 "Forbidden: may only be specified if `strategy` is defined");
}

json_t *api_admit(struct api_server *s, const struct api_resource *r, enum api_admit_op op,
		  const char *ns, const json_t *old, json_t *obj)
{
	json_t *causes = json_array(), *meta;
	const char *name, *kind = r->kind;

	if (!json_is_object(obj)) {
		json_decref(causes);
		return api_status_new(400, "BadRequest", NULL, "the body of the request was not "
				      "a JSON object");
	}
	meta = json_object_get(obj, "metadata");
	if (meta && !json_is_object(meta)) {
		json_decref(causes);
		return api_status_new(400, "BadRequest", NULL, "%s in version \"%s\" cannot be "
				      "handled as a %s: metadata must be an object", kind,
				      r->version, kind);
	}
	api_admit_identity(r, op, ns, old, obj);
	meta = json_object_get(obj, "metadata");
	name = api_admit_str(meta, "name");
	if (!name || !name[0]) {
		api_status_cause(causes, "FieldValueRequired", "metadata.name", "Required value: "
				 "name or generateName is required");
		return api_status_invalid(r, "", causes);
	}
	api_admit_check_name(r, name, causes);
	api_admit_check_map(meta, "labels", causes);
	api_admit_check_map(meta, "annotations", causes);

	if (strcmp(kind, "Deployment") == 0) {
		api_admit_deployment(obj, old, causes);
	} else if (strcmp(kind, "ReplicaSet") == 0) {
		api_admit_workload(obj, old, true, causes);
	} else if (strcmp(kind, "DaemonSet") == 0) {
		api_admit_daemonset(obj, old, causes);
	} else if (strcmp(kind, "Pod") == 0) {
		api_admit_pod_spec(api_admit_obj(obj, "spec"), "spec", causes);
		if (op == API_ADMIT_CREATE && !json_object_get(obj, "status"))
			json_object_set_new(obj, "status", json_pack("{s:s, s:s}", "phase", "Pending",
								     "qosClass", "BestEffort"));
	} else if (strcmp(kind, "Service") == 0) {
		api_admit_service(s, r, ns, obj, old, causes);
		if (!json_object_get(obj, "status"))
			json_object_set_new(obj, "status", json_pack("{s:{}}", "loadBalancer"));
	} else if (strcmp(kind, "Namespace") == 0) {
		json_t *spec = api_admit_obj(obj, "spec");
		if (!json_object_get(spec, "finalizers"))
			json_object_set_new(spec, "finalizers", json_pack("[s]", "kubernetes"));
		if (!json_object_get(json_object_get(obj, "status"), "phase"))
			json_object_set_new(api_admit_obj(obj, "status"), "phase",
					    json_string("Active"));
		json_object_set_new(api_admit_obj(meta, "labels"), "kubernetes.io/metadata.name",
				    json_string(name));
	} else if (strcmp(kind, "Secret") == 0) {
		api_admit_secret(obj, causes);
	} else if (strcmp(kind, "Lease") == 0) {
		api_admit_lease(obj, causes);
	}
	if (json_array_size(causes) > 0)
		return api_status_invalid(r, name, causes);
	json_decref(causes);
	return NULL;
}
