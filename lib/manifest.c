/* manifest.c — see manifest.h.
 *
 * libfyaml builds one document tree per `---`; each tree is walked with the
 * Kubernetes schema in hand, one function per object part, so every field
 * is checked where it is read and every message can point at the node it
 * is about. This file is what every document shares: the public entry
 * points, the text check before libfyaml sees the input, the document
 * loop, apiVersion/kind dispatch (a v1 List's items are documents of their
 * own) and the metadata every kind has. The kinds are in
 * manifest_workload.c and manifest_service.c, pod templates in
 * manifest_pod.c, the walk in manifest_read.c, a scalar's type in
 * manifest_scalar.c, the typed readers in manifest_value.c, the API
 * server's name rules in manifest_check.c (see manifest_int.h).
 */
#include "manifest.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "manifest_int.h"

#define MP_MAX_OBJECTS  128

/* ---- errors found after parsing ------------------------------------------ */

void manifest_add_error(struct manifest *m, struct manifest_pos pos, const char *field,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mp_vadd(m, false, pos, field, fmt, ap);
	va_end(ap);
}

/* ---- metadata (every kind) ---------------------------------------------- */

const char *const mp_object_keys_skipped[] = { "apiVersion", "kind", "status", NULL };

void mp_meta(struct mp *p, struct fy_node *n, struct model_meta *meta,
	     struct manifest_object *o, enum mp_name_rule rule, bool *named)
{
	static const char *const silent[] = {
		"uid", "resourceVersion", "generation", "creationTimestamp", "selfLink",
		"managedFields", "deletionTimestamp", "deletionGracePeriodSeconds",
		"ownerReferences", "finalizers", NULL,
	};
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "name") == 0) {
			mp_name_rule_fn *check = rule == MP_NAME_DNS1035 ?
				manifest_check_dns1035_label : mp_check_object_name;

			if (mp_checked_str(p, i.val, meta->name, sizeof(meta->name), check) != 0)
				*named = true;
		} else if (strcmp(i.key, "namespace") == 0) {
			char ns[MODEL_NAME_MAX];

			if (mp_checked_str(p, i.val, ns, sizeof(ns), manifest_check_dns1123_label) <= 0)
				continue;
			snprintf(meta->ns, sizeof(meta->ns), "%s", ns);
			o->ns_explicit = true;
			o->ns_pos = mp_pos(p, i.val);
		} else if (strcmp(i.key, "labels") == 0) {
			mp_map(p, i.val, &meta->labels, MP_MAP_LABELS);
		} else if (strcmp(i.key, "annotations") == 0) {
			mp_map(p, i.val, &meta->annotations, MP_MAP_ANNOTATIONS);
		} else if (strcmp(i.key, "generateName") == 0) {
			mp_ignored(p, &i);
		} else if (!mp_key_in(i.key, silent)) {
			mp_unknown(p, &i);
		}
	}
}

/* ---- documents ------------------------------------------------------------ */

/* Kinds a Kubernetes cluster has and the lab does not. */
static bool mp_known_elsewhere(const char *api, const char *kind)
{
	static const char *const known[] = {
		"v1", "Pod", "v1", "ConfigMap", "v1", "Secret", "v1", "Namespace",
		"v1", "ServiceAccount", "v1", "PersistentVolumeClaim", "v1", "PersistentVolume",
		"v1", "ReplicationController", "v1", "Endpoints", "v1", "Node",
		"v1", "LimitRange", "v1", "ResourceQuota",
		"apps/v1", "ReplicaSet", "apps/v1", "StatefulSet",
		"batch/v1", "Job", "batch/v1", "CronJob",
		"networking.k8s.io/v1", "Ingress", "networking.k8s.io/v1", "NetworkPolicy",
		"networking.k8s.io/v1", "IngressClass",
		"discovery.k8s.io/v1", "EndpointSlice",
		"coordination.k8s.io/v1", "Lease",
		"autoscaling/v1", "HorizontalPodAutoscaler", "autoscaling/v2", "HorizontalPodAutoscaler",
		"policy/v1", "PodDisruptionBudget",
		"rbac.authorization.k8s.io/v1", "Role", "rbac.authorization.k8s.io/v1", "ClusterRole",
		"rbac.authorization.k8s.io/v1", "RoleBinding",
		"rbac.authorization.k8s.io/v1", "ClusterRoleBinding",
		NULL,
	};

	for (int k = 0; known[k]; k += 2)
		if (strcmp(api, known[k]) == 0 && strcmp(kind, known[k + 1]) == 0)
			return true;
	return false;
}

static struct manifest_object *mp_new_object(struct mp *p, enum manifest_kind kind,
					     struct manifest_pos pos)
{
	struct manifest *m = p->m;
	struct manifest_object *o;

	if (m->n_objects >= MP_MAX_OBJECTS) {
		manifest_add_error(m, pos, "", "Too many: more than %d objects in one file",
				   MP_MAX_OBJECTS);
		return NULL;
	}
	if (m->n_objects % 4 == 0) {
		struct manifest_object *n = realloc(m->objects,
						    sizeof(*n) * (size_t)(m->n_objects + 4));

		if (!n) {
			manifest_add_error(m, pos, "", "out of memory");
			return NULL;
		}
		m->objects = n;
	}
	o = &m->objects[m->n_objects];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->pos = pos;
	o->ns_pos = pos;
	o->selector_pos = pos;
	o->cluster_ip_pos = pos;
	o->hc_node_port_pos = pos;
	for (int k = 0; k < MODEL_MAX_PORTS; k++)
		o->node_port_pos[k] = pos;
	return o;
}

static void mp_object(struct mp *p, struct fy_node *root, bool in_list)
{
	struct fy_node *api_n, *kind_n;
	char api[128], kind[128];
	struct manifest_pos pos;
	struct manifest_object *o;
	int errors_before = p->m->n_errors;
	size_t old = p->plen;

	root = mp_deref(p, root);
	if (!root || (fy_node_is_scalar(root) && mp_type_of(p, root, &(long long){0},
							     &(bool){false}) == MP_NULL))
		return;  /* an empty document, as after a trailing `---` */
	pos = mp_pos(p, root);
	if (!fy_node_is_mapping(root)) {
		long long iv;
		bool bv;

		mp_err(p, root, "Invalid type: a manifest document must be an object, got \"%s\"",
		       mp_type_names[mp_type_of(p, root, &iv, &bv)]);
		return;
	}
	api_n = mp_deref(p, mp_lookup(p, root, "apiVersion"));
	kind_n = mp_deref(p, mp_lookup(p, root, "kind"));
	p->key_pos = pos;
	mp_push(p, "apiVersion");
	if (mp_str(p, api_n, api, sizeof(api)) <= 0 || !api[0]) {
		if (api_n == NULL || api[0] == '\0')
			manifest_add_error(p->m, pos, "apiVersion", "Required value: apiVersion not set");
		mp_pop(p, old);
		return;
	}
	mp_pop(p, old);
	mp_push(p, "kind");
	if (mp_str(p, kind_n, kind, sizeof(kind)) <= 0 || !kind[0]) {
		if (kind_n == NULL || kind[0] == '\0')
			manifest_add_error(p->m, pos, "kind", "Required value: kind not set");
		mp_pop(p, old);
		return;
	}
	mp_pop(p, old);

	if (strcmp(api, "v1") == 0 && strcmp(kind, "List") == 0 && !in_list) {
		static const char *const list_meta[] = {
			"selfLink", "resourceVersion", "continue", "remainingItemCount", NULL,
		};
		struct fy_node *items = NULL, *item;
		struct mp_iter i, j;
		void *it = NULL;

		p->key_pos = pos;
		if (!mp_iter_start(p, &i, root))
			return;
		while (mp_next(p, &i)) {
			if (strcmp(i.key, "items") == 0) {
				if (i.val && mp_expect(p, i.val, MP_ARRAY))
					items = i.val;
			} else if (strcmp(i.key, "metadata") == 0) {
				if (!i.val || !mp_iter_start(p, &j, i.val))
					continue;
				while (mp_next(p, &j))
					if (!mp_key_in(j.key, list_meta))
						mp_unknown(p, &j);
			} else if (strcmp(i.key, "apiVersion") != 0 && strcmp(i.key, "kind") != 0) {
				mp_unknown(p, &i);
			}
		}
		/* Each item is an object of its own: its fields are named
		 * from its root, as the API server names them. */
		while (items && (item = fy_node_sequence_iterate(items, &it)))
			mp_object(p, item, true);
		return;
	}
	if (strcmp(api, "apps/v1") == 0 && strcmp(kind, "Deployment") == 0) {
		if (!(o = mp_new_object(p, MANIFEST_DEPLOYMENT, pos)))
			return;
		mp_deployment(p, root, o, false);
	} else if (strcmp(api, "apps/v1") == 0 && strcmp(kind, "DaemonSet") == 0) {
		if (!(o = mp_new_object(p, MANIFEST_DAEMONSET, pos)))
			return;
		mp_deployment(p, root, o, true);
	} else if (strcmp(api, "v1") == 0 && strcmp(kind, "Service") == 0) {
		if (!(o = mp_new_object(p, MANIFEST_SERVICE, pos)))
			return;
		mp_service(p, root, o);
	} else {
		struct manifest_pos at = mp_pos(p, kind_n);

		if (mp_known_elsewhere(api, kind))
			manifest_add_error(p->m, at, "kind", "Unsupported value: \"%s\": clientip "
					   "handles only apps/v1 Deployment and DaemonSet and v1 Service "
					   "objects", kind);
		else
			manifest_add_error(p->m, at, "", "no matches for kind \"%s\" in version \"%s\"",
					   kind, api);
		return;
	}
	/* A file with errors applies nothing; keep only clean objects. */
	if (p->m->n_errors == errors_before)
		p->m->n_objects++;
}

static bool mp_sniff_json(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (isspace((unsigned char)text[i]))
			continue;
		return text[i] == '{' || text[i] == '[';
	}
	return false;
}

/* YAML streams are Unicode text. Bytes that are not (invalid UTF-8, C0
 * control characters but tab and line breaks) are refused before libfyaml
 * sees them: libfyaml 0.7 can spin forever on some of them (e.g. "%\xdf").
 * Returns true if the text is clean, else where the first bad byte is. */
static bool mp_text_ok(const char *text, size_t len, struct manifest_pos *pos, unsigned *bad)
{
	const unsigned char *s = (const unsigned char *)text;
	int line = 1, col = 1;

	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
			 : (c & 0xf8) == 0xf0 ? 4 : 0;
		unsigned cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;

		if (n == 0 || i + n > len)
			goto bad;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			goto bad;
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f)
			goto bad;
		if (c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += n;
		continue;
bad:
		pos->line = line;
		pos->column = col;
		*bad = c;
		return false;
	}
	return true;
}

static void manifest_init(struct manifest *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->file, sizeof(m->file), "%s", name);
}

int manifest_parse_string(const char *name, const char *text, size_t len,
			  const char *default_ns, enum manifest_validation v, struct manifest *m,
			  char *err, size_t errlen)
{
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag = NULL;
	struct fy_parser *fyp = NULL;
	struct fy_document *fyd;
	struct fy_diag_error *de;
	struct mp p;
	void *it = NULL;
	int rc = 0;

	manifest_init(m, name);
	memset(&p, 0, sizeof(p));
	p.m = m;
	p.default_ns = default_ns && *default_ns ? default_ns : "default";
	p.json = mp_sniff_json(text, len);
	p.validation = v;
	p.src = text;
	p.src_len = len;
	if (len > MANIFEST_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes", name, MANIFEST_MAX_BYTES);
		return -EFBIG;
	}
	{
		struct manifest_pos pos;
		unsigned bad;

		if (!mp_text_ok(text, len, &pos, &bad)) {
			if (bad < 0x20 || bad == 0x7f)
				manifest_add_error(m, pos, "yaml", "control character 0x%02x is not "
						   "allowed", bad);
			else
				manifest_add_error(m, pos, "yaml", "invalid UTF-8 (byte 0x%02x)", bad);
			snprintf(err, errlen, "%s: 1 error", name);
			return -1;
		}
	}
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	fy_diag_set_collect_errors(diag, true);
	{
		struct fy_parse_cfg cfg = {
			/* Duplicate keys are found by mp_next, which
			 * knows the field path and the validation mode. */
			.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_ALLOW_DUPLICATE_KEYS |
				 (p.json ? FYPCF_JSON_FORCE : FYPCF_JSON_NONE),
			.diag = diag,
		};

		fyp = fy_parser_create(&cfg);
	}
	if (!fyp || fy_parser_set_string(fyp, text, len) != 0) {
		snprintf(err, errlen, "%s: cannot start the YAML parser", name);
		rc = -ENOMEM;
		goto out;
	}
	while ((fyd = fy_parse_load_document(fyp))) {
		mp_object(&p, fy_document_root(fyd), false);
		fy_parse_document_destroy(fyp, fyd);
	}
	while ((de = fy_diag_errors_iterate(diag, &it))) {
		struct manifest_pos pos = { de->line, de->column };

		if (de->type < FYET_ERROR)
			continue;
		manifest_add_error(m, pos, "yaml", "%s", de->msg ? de->msg : "syntax error");
	}
	if (m->n_errors > 0) {
		snprintf(err, errlen, "%s: %d error%s", name, m->n_errors, m->n_errors == 1 ? "" : "s");
		/* All or nothing: leave no object a caller could apply. */
		m->n_objects = 0;
		rc = -1;
	}
out:
	while (p.texts) {
		struct mp_text_buf *next = p.texts->next;

		free(p.texts);
		p.texts = next;
	}
	if (fyp)
		fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
	return rc;
}

int manifest_parse_file(const char *path, const char *default_ns, enum manifest_validation v,
			struct manifest *m, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc;
	bool is_stdin = strcmp(path, "-") == 0;

	manifest_init(m, is_stdin ? "STDIN" : path);
	rc = fs_read_all(is_stdin ? "/dev/stdin" : path, &text, &len);
	if (rc < 0) {
		snprintf(err, errlen, "the path \"%s\" cannot be read: %s", path, strerror(-rc));
		return rc;
	}
	rc = manifest_parse_string(is_stdin ? "STDIN" : path, text, len, default_ns, v, m, err,
				   errlen);
	free(text);
	return rc;
}

int manifest_validation_parse(const char *s, enum manifest_validation *out, char *err,
			      size_t errlen)
{
	if (strcmp(s, "strict") == 0 || strcmp(s, "true") == 0) {
		*out = MANIFEST_VALIDATE_STRICT;
	} else if (strcmp(s, "warn") == 0) {
		*out = MANIFEST_VALIDATE_WARN;
	} else if (strcmp(s, "ignore") == 0 || strcmp(s, "false") == 0) {
		*out = MANIFEST_VALIDATE_IGNORE;
	} else {
		snprintf(err, errlen, "invalid - validate option \"%s\"; must be one of: "
			 "strict (or true), warn, ignore (or false)", s);
		return -1;
	}
	return 0;
}

void manifest_free(struct manifest *m)
{
	free(m->objects);
	free(m->msgs);
	m->objects = NULL;
	m->msgs = NULL;
	m->n_objects = m->n_msgs = 0;
}

const char *manifest_kind_resource(enum manifest_kind kind)
{
	return kind == MANIFEST_DEPLOYMENT ? "deployment.apps"
	       : kind == MANIFEST_DAEMONSET ? "daemonset.apps" : "service";
}

const struct model_meta *manifest_object_meta(const struct manifest_object *o)
{
	return o->kind != MANIFEST_SERVICE ? &o->deployment.meta : &o->service.meta;
}
