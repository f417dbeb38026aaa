/* yaml_out.h — `get -o yaml`: an object's JSON written as kubectl writes
 * YAML.
 */
#ifndef CLIENTIP_CLI_YAML_OUT_H
#define CLIENTIP_CLI_YAML_OUT_H

#include <stddef.h>

#include "buf.h"

/* The Kubernetes JSON of an object (as the store writes it) as YAML in
 * kubectl's style: block mappings, "- " sequences at the parent's indent,
 * strings quoted only where YAML would read them as something else. */
int yaml_out_from_json(const char *json, size_t len, struct buf *out, char *err, size_t errlen);

#endif
