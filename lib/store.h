/* store.h — the node agents' checkpoints of their pods' status (read
 * back by an agent that starts again), and the lab model's JSON, which is
 * how API objects are read into the model.
 *
 * Layout and the one-writer-per-file rule are in docs/STATE.md. Every write
 * is an atomic file replace (fsutil), so readers never lock, and each kind
 * has one writer.
 *
 * List functions return a malloc'd array (free() it) and the count, sorted by
 * namespace then name. They return 0, or -1 with a message in err; a file
 * that does not parse is skipped with a warning rather than failing the
 * whole list, so one bad file cannot stop a daemon.
 */
#ifndef CLIENTIP_STORE_H
#define CLIENTIP_STORE_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "model.h"

enum store_kind {
	STORE_POD_STATUS,      /* status/pods/  each node agent's checkpoint of its pods */
	STORE_KIND_COUNT,
};

/* "status/pods" etc., relative to the state dir. */
const char *store_kind_dir(enum store_kind kind);
/* <statedir>/<kind dir>/<ns>_<name>.json. */
char *store_path(const char *statedir, enum store_kind kind, const char *ns,
		 const char *name, char *buf, size_t len);

/* Creates the directory tree. 0 or -errno. */
int store_init(const char *statedir);

int store_list_pod_statuses(const char *statedir, struct model_pod_status **out, int *n,
			    char *err, size_t errlen);

/* Atomic writes. 0 or -errno. */
int store_put_pod_status(const char *statedir, const struct model_pod_status *s);
/* Removes one object's file; 0 if it did not exist. */
int store_delete(const char *statedir, enum store_kind kind, const char *ns, const char *name);

/* Each object as a Kubernetes-shaped jansson value (what `get -o json`
 * prints, what request bodies and the files hold), its members in the
 * order kubectl prints them: a new reference, NULL only on OOM. A string
 * that is not valid UTF-8 (a fixed-size field cut inside a character) has
 * each bad byte written as U+FFFD. */
json_t *model_deployment_to_value(const struct model_deployment *d);
json_t *model_service_to_value(const struct model_service *s);
json_t *model_pod_to_value(const struct model_pod *p,
			   const struct model_pod_status *status /* may be NULL */);
json_t *model_endpoints_to_value(const struct model_endpoints *e);

/* ---- additions ---------------------------------------------------------- */

/* An object's identity, from its file name alone. */
struct store_key {
	char ns[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
};

/* The objects of one kind without reading them, sorted like the lists. */
int store_list_keys(const char *statedir, enum store_kind kind, struct store_key **out, int *n,
		    char *err, size_t errlen);

/* More Kubernetes-shaped values, as above. A Deployment with its status
 * merged (st may be NULL: as model_deployment_to_value). */
json_t *model_deployment_with_status_to_value(const struct model_deployment *d,
					      const struct model_deployment_status *st);
json_t *model_deployment_status_to_value(const struct model_deployment_status *s);
json_t *model_pod_status_to_value(const struct model_pod_status *s);
/* A pod template ({"metadata":{labels, annotations}, "spec":{...}}), the
 * part of a Deployment that pod-template-hash covers. */
json_t *model_pod_template_to_value(const struct model_map *labels,
				    const struct model_map *annotations,
				    const struct model_pod_spec *spec);

/* Parsers of the JSON shapes above, from text. They fill the whole of out:
 * missing or mistyped fields get the model's defaults, unknown fields are
 * ignored; kind, if present, must match and metadata.name must be present.
 * 0, or -1 with a message in err. to_value then from_value (or from_json of
 * the value's text) gives back the same struct for a normalised object
 * (defaults filled in, a probe of kind NONE all zero). An Endpoints' items
 * are malloc'd (model_endpoints_free()). */
int model_deployment_from_json(const char *text, size_t len, struct model_deployment *out,
			       char *err, size_t errlen);
int model_service_from_json(const char *text, size_t len, struct model_service *out,
			    char *err, size_t errlen);
int model_pod_from_json(const char *text, size_t len, struct model_pod *out,
			char *err, size_t errlen);
int model_pod_status_from_json(const char *text, size_t len, struct model_pod_status *out,
			       char *err, size_t errlen);
int model_endpoints_from_json(const char *text, size_t len, struct model_endpoints *out,
			      char *err, size_t errlen);
int model_deployment_status_from_json(const char *text, size_t len,
				      struct model_deployment_status *out,
				      char *err, size_t errlen);
/* The same from a jansson value: an API object as the server or a watch
 * holds it, read in place (what the model has no room for is skipped, as
 * apiobj_model_copy() leaves it out). */
int model_deployment_from_value(const json_t *v, struct model_deployment *out, char *err,
				size_t errlen);
int model_service_from_value(const json_t *v, struct model_service *out, char *err,
			     size_t errlen);
int model_pod_from_value(const json_t *v, struct model_pod *out, char *err, size_t errlen);
int model_pod_status_from_value(const json_t *v, struct model_pod_status *out, char *err,
				size_t errlen);
int model_endpoints_from_value(const json_t *v, struct model_endpoints *out, char *err,
			       size_t errlen);
int model_deployment_status_from_value(const json_t *v, struct model_deployment_status *out,
				       char *err, size_t errlen);

#endif
