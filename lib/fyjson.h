/* fyjson.h — JSON text to a libfyaml document, errors into a message.
 *
 * Daemons and the CLI parse small JSON files (lab.json, the load
 * balancer's state, nft -j output). libfyaml prints its diagnostics to
 * stderr by default; here they are captured and returned as one short
 * line ("not valid JSON: 2:1: did not find expected node content"), so a
 * bad file is the caller's message, not noise on a daemon's log.
 */
#ifndef CLIENTIP_FYJSON_H
#define CLIENTIP_FYJSON_H

#include <libfyaml.h>
#include <stddef.h>

/* The document of text[0..len), or NULL with a message in err (also for
 * an empty document). fy_document_destroy() it. */
struct fy_document *fyjson_parse(const char *text, size_t len, char *err, size_t errlen);

#endif
