/* manifest.h — Kubernetes manifests (YAML or JSON) into model structs.
 *
 * A manifest file holds any number of documents (`---`), each an
 * `apps/v1 Deployment` or `DaemonSet`, a `v1 Service`, or a `v1 List` of them. Parsing
 * validates every document the way the API server would and fills in
 * Kubernetes' defaults, so what comes out is ready to store.
 *
 * A file is all or nothing: the parse collects every error of the file (not
 * just the first), each as one line
 *
 *   deploy.yaml:18:15: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive
 *
 * using the API server's wording where it has one, and the caller applies
 * the objects only if there was none. A field Kubernetes does not have for
 * the kind, or a key written twice in one mapping, is an error by default
 * (`deploy.yaml:9:5: unknown field "spec.foo"`, the API server's strict
 * decoding), a warning or nothing in the other validation modes; fields
 * Kubernetes has and the lab does not model are accepted, and those that
 * would change behaviour are named in a warning.
 *
 * Lines and columns are 1-based, as editors count them.
 */
#ifndef CLIENTIP_MANIFEST_H
#define CLIENTIP_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define MANIFEST_MAX_BYTES (8u << 20)  /* larger inputs are refused before parsing */
#define MANIFEST_FILE_MAX  256
#define MANIFEST_MSG_MAX   640

/* A DaemonSet is held in manifest_object.deployment (daemon_set set). */
enum manifest_kind { MANIFEST_DEPLOYMENT, MANIFEST_SERVICE, MANIFEST_DAEMONSET };

/* What unknown and duplicate fields are (kubectl's --validate): errors,
 * warnings (the last of duplicate keys wins), or nothing at all. */
enum manifest_validation {
	MANIFEST_VALIDATE_STRICT,          /* the default, as in kubectl */
	MANIFEST_VALIDATE_WARN,
	MANIFEST_VALIDATE_IGNORE,
};

struct manifest_pos {
	int line;    /* 0: unknown */
	int column;
};

/* One object of the file, normalised, with the positions later checks
 * (allocation conflicts, immutable fields) need to point at. */
struct manifest_object {
	enum manifest_kind kind;
	bool ns_explicit;                  /* metadata.namespace was written */
	bool replicas_set;                 /* spec.replicas was written (apply keeps a
					    * scaled count when it was not) */
	struct manifest_pos pos;           /* the object (its first key) */
	struct manifest_pos ns_pos;        /* metadata.namespace, or pos */
	struct manifest_pos selector_pos;  /* spec.selector, or pos */
	struct manifest_pos cluster_ip_pos;
	struct manifest_pos node_port_pos[MODEL_MAX_PORTS];
	struct manifest_pos hc_node_port_pos;
	union {
		struct model_deployment deployment;   /* and a DaemonSet */
		/* cluster_ip, ports[].node_port and health_check_node_port are
		 * 0 unless the manifest asked for them: the caller allocates. */
		struct model_service service;
	};
};

struct manifest_msg {
	bool warning;
	struct manifest_pos pos;
	char text[MANIFEST_MSG_MAX];       /* the whole line, without newline */
};

struct manifest {
	char file[MANIFEST_FILE_MAX];      /* as shown in messages; "STDIN" for "-" */
	struct manifest_object *objects;   /* in file order */
	int n_objects;
	struct manifest_msg *msgs;         /* errors and warnings in file order */
	int n_msgs;
	int n_errors;
	int n_warnings;
};

/* Parses path ("-": standard input). Objects without metadata.namespace get
 * default_ns. Returns 0 if the file has no error; -1 if it has (see
 * m->msgs; err says how many; m->objects is then empty); a negative errno
 * if it could not be read (err says why). m is always initialised;
 * manifest_free() it. */
int manifest_parse_file(const char *path, const char *default_ns, enum manifest_validation v,
			struct manifest *m, char *err, size_t errlen);
/* The same for text in memory; name is what messages call the file. */
int manifest_parse_string(const char *name, const char *text, size_t len,
			  const char *default_ns, enum manifest_validation v, struct manifest *m,
			  char *err, size_t errlen);

/* kubectl's --validate values: "strict" or "true", "warn", "ignore" or
 * "false". Returns 0, or -1 with kubectl's message in err. */
int manifest_validation_parse(const char *s, enum manifest_validation *out, char *err,
			      size_t errlen);
void manifest_free(struct manifest *m);

/* Adds an error found after parsing (allocation, immutable fields) to m,
 * formatted like the parser's own: "<file>:<line>:<col>: <field>: <message>". */
void manifest_add_error(struct manifest *m, struct manifest_pos pos, const char *field,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "deployment.apps" / "daemonset.apps" / "service": kubectl's name for the
 * kind. */
const char *manifest_kind_resource(enum manifest_kind kind);
/* The object's namespace and name. */
const struct model_meta *manifest_object_meta(const struct manifest_object *o);

/* Validators shared with the CLI (names given on the command line). They
 * return NULL if s is valid, else the API server's explanation. */
const char *manifest_check_dns1123_label(const char *s);
const char *manifest_check_dns1035_label(const char *s);

#endif
