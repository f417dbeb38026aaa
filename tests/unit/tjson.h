/* tjson: JSON documents written in the unit tests. A document that does
 * not parse is the test's own mistake: it fails the test and says where. */
#ifndef TJSON_H
#define TJSON_H

#include <jansson.h>

/* The value of `text` (any JSON value). */
json_t *tjson_load(const char *text);
/* The same with ' written for ": documents in C strings without escapes
 * (\' in a C string becomes \" in the JSON: a quote inside a string). */
json_t *tjson_quoted(const char *text);

#endif
