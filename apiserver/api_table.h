/* api_table.h — meta.k8s.io/v1 Table responses, the columns kubectl prints.
 *
 * kubectl asks for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`
 * on get and prints the columns the server sends; without them it shows
 * only NAME and AGE. The columns per kind follow the real API server's
 * printers (kubernetes/pkg/printers/internalversion): priority 0 columns
 * always, priority 1 only with `-o wide`.
 */
#ifndef CLIENTIP_API_TABLE_H
#define CLIENTIP_API_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "api_registry.h"

/* A Table of objs (a JSON array of whole objects, in order) for resource
 * r. list_meta ({"resourceVersion": ...} and maybe "continue") is copied
 * into the Table's metadata. include_object: "Metadata" (the default, also
 * for NULL or any other value: each row's object is a
 * PartialObjectMetadata holding the object's whole metadata), "Object"
 * (the object itself, shared by reference, not copied: do not change objs
 * while the Table lives) or "None" (no "object" key). now is the current
 * wall-clock time in seconds, for AGE and other "ago" cells. Column names
 * are the server's ("Name", "Restarts"); kubectl upper-cases them. Pod rows
 * of Succeeded or Failed pods carry a "Completed" row condition, as
 * upstream. A kind without a printer (r NULL or not in the registry's
 * printers) gets upstream's default columns, Name and Created At. Returns
 * a new reference, NULL when out of memory. */
json_t *api_table_build(const struct api_resource *r, const json_t *objs,
			const json_t *list_meta, const char *include_object, int64_t now);

/* "5s", "3m2s", "4h5m", "12d", "2y1d": k8s.io/apimachinery's
 * duration.HumanDuration, as AGE shows it; "<invalid>" below -1s. */
void api_table_age(int64_t seconds, char *out, size_t len);

#endif
