/* api_select.h — label and field selectors, as list and watch take them
 * (?labelSelector=...&fieldSelector=...).
 *
 * Label selectors: "a=b", "a==b", "a!=b", "a in (x,y)", "a notin (x)",
 * "a", "!a", comma-separated (all must hold). Field selectors: "f=v",
 * "f==v", "f!=v" on the fields a kind supports (metadata.name,
 * metadata.namespace for all; spec.nodeName, status.phase for pods;
 * involvedObject.* and reason/type for events, ...).
 */
#ifndef CLIENTIP_API_SELECT_H
#define CLIENTIP_API_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct api_selector;

/* Parses a label selector (NULL or "" selects everything). NULL with a
 * message in err on a syntax error. */
struct api_selector *api_select_labels(const char *text, char *err, size_t errlen);
/* Parses a field selector for objects of kind; a field the kind does not
 * support is an error, worded as the API server words it: Pod, Node,
 * Event, Namespace, Secret and Service say 'field label not supported:
 * spec.foo'; other kinds (kind may be NULL) accept only metadata.name and
 * metadata.namespace and say '"spec.foo" is not a known field selector:
 * only "metadata.name", "metadata.namespace"'. Either is a 400. A field
 * the object lacks compares as "" (spec.hostNetwork, spec.unschedulable
 * as "false"). */
struct api_selector *api_select_fields(const char *text, const char *kind, char *err,
				       size_t errlen);
/* True if obj (a whole Kubernetes object) is selected. NULL selects all. */
bool api_select_match(const struct api_selector *s, const json_t *obj);
void api_select_free(struct api_selector *s);

/* A label selector object ({"matchLabels":{},"matchExpressions":[]}) as the
 * text form above, for describe and for listing a Deployment's pods:
 * requirements sorted by key, matchLabels as "k=v", expressions as
 * "k in (a,b)", "k notin (a)", "k", "!k" (values sorted), comma-joined.
 * An empty selector and an absent one (NULL, json null) are both "": the
 * caller decides, as upstream does, that an absent selector selects
 * nothing. NULL (with err, the API server's words) for an unknown
 * operator or an invalid key or value. malloc'd. */
char *api_select_from_object(const json_t *selector, char *err, size_t errlen);

#endif
