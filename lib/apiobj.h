/* apiobj.h — objects of the API server (jansson values) as the lab's model
 * reads them.
 *
 * The model (lib/model.h) has fixed-size room: an annotation value up to
 * MODEL_VALUE_MAX, a key up to MODEL_KEY_MAX. What the API holds beyond
 * that — kubectl's last-applied configuration, managedFields, the
 * Deployment controller's own annotations — means nothing to the lab's
 * daemons and is left out before the model parses the JSON.
 */
#ifndef CLIENTIP_APIOBJ_H
#define CLIENTIP_APIOBJ_H

#include <jansson.h>

/* A deep copy of obj without what the model cannot hold. NULL on OOM. */
json_t *apiobj_model_copy(const json_t *obj);
/* The same as compact JSON text (malloc'd), for model_*_from_json. NULL
 * on OOM. */
char *apiobj_model_text(const json_t *obj);

#endif
