/* api_proto.h — Kubernetes protobuf request bodies as JSON objects.
 *
 * kubectl's typed clients (create namespace, configmap, secret,
 * deployment, service, serviceaccount) send their objects as
 * application/vnd.kubernetes.protobuf: the 4 bytes "k8s\0", then a
 * runtime.Unknown message {typeMeta {apiVersion, kind}, raw,
 * contentEncoding, contentType} whose raw bytes are the object's own
 * message. The server stores JSON, so a body is turned into the JSON the
 * same object would have been sent as: fields by their JSON names, Time
 * as RFC 3339, Quantity as its string, IntOrString as a number or a
 * string, bytes (Secret data) as base64, and the zero values that the
 * protobuf encoding writes for every non-pointer field left out, as JSON
 * omits them. Unknown field numbers are skipped.
 */
#ifndef CLIENTIP_API_PROTO_H
#define CLIENTIP_API_PROTO_H

#include <stddef.h>

#include <jansson.h>

/* How deep messages may nest in a body; the served kinds need about 10. */
#define API_PROTO_MAX_DEPTH 32

/* The object of a whole body (envelope included), with apiVersion and
 * kind from its typeMeta. NULL and a message in err when the body is
 * malformed, its kind is not served, or a field has the wrong type. */
json_t *api_proto_decode(const void *body, size_t len, char *err, size_t errlen);

/* One object's own message (the envelope's raw bytes) of a served
 * apiVersion and kind, nested at most max_depth messages deep. */
json_t *api_proto_decode_object(const char *api_version, const char *kind, const void *raw,
				size_t len, int max_depth, char *err, size_t errlen);

#endif
