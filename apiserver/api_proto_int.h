/* api_proto_int.h — the protobuf decoder's schema tables as the decoder
 * (api_proto.c) reads them; the tables themselves are in
 * api_proto_schema.c. Private to those two. */
#ifndef CLIENTIP_API_PROTO_INT_H
#define CLIENTIP_API_PROTO_INT_H

#include <stddef.h>
#include <stdint.h>

/* What a field's value is. Scalars are varints; everything else is
 * length-delimited. */
enum api_proto_kind {
	API_PROTO_STR,
	API_PROTO_BYTES,      /* base64 in JSON */
	API_PROTO_BOOL,
	API_PROTO_INT,        /* int32 or int64 */
	API_PROTO_MSG,        /* a nested message of the table */
	API_PROTO_TIME,       /* meta/v1 Time {seconds 1, nanos 2}: RFC 3339 in seconds */
	API_PROTO_MTIME,      /* meta/v1 MicroTime: RFC 3339 in microseconds */
	API_PROTO_QTY,        /* resource.Quantity {string 1} */
	API_PROTO_IOS,        /* intstr.IntOrString {type 1, intVal 2, strVal 3} */
	API_PROTO_RAWJSON,    /* FieldsV1, RawExtension {raw 1}: JSON text */
};

enum {
	API_PROTO_KEEP = 1,   /* a pointer in Go: kept even when zero */
	API_PROTO_REP = 2,    /* repeated: a JSON array */
	API_PROTO_MAP = 4,    /* map<string, kind>: entries {key 1, value 2} */
	API_PROTO_INLINE = 8, /* an embedded struct whose fields are the parent's in JSON */
};

struct api_proto_field {
	uint32_t num;
	const char *name;
	uint8_t kind;
	uint8_t flags;
	uint16_t sub;         /* the message of API_PROTO_MSG */
};

struct api_proto_msg {
	const char *name;
	const struct api_proto_field *fields;
	size_t n;
};

#define API_PROTO_N(a) (sizeof(a) / sizeof((a)[0]))

/* Every message, indexed by a field's sub. */
extern const struct api_proto_msg api_proto_msgs[];
/* The top-level message of a kind a body may carry, or NULL. */
const struct api_proto_msg *api_proto_msg_of(const char *api_version, const char *kind);

#endif
