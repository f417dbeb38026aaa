/* model_json.h — the lab model's objects as Kubernetes-shaped JSON:
 * writers (model_write.c) and readers (model_read.c). This is how API
 * objects are read into the model and written from it, by every component.
 */
#ifndef CLIENTIP_MODEL_JSON_H
#define CLIENTIP_MODEL_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "model.h"

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
