/* fuzz_api_proto.c — libFuzzer target for apiserver/api_proto.c.
 *
 * Any bytes a client sends as application/vnd.kubernetes.protobuf reach
 * the decoder. It must never crash, read out of bounds or leak, and it
 * answers either an object with apiVersion and kind or NULL with a
 * message for the client.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "api_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	json_t *obj = api_proto_decode(data, size, err, sizeof(err));

	if (!obj) {
		if (!err[0])
			abort();
		return 0;
	}
	if (!json_is_object(obj) || !json_is_string(json_object_get(obj, "kind")) ||
	    !json_is_string(json_object_get(obj, "apiVersion")))
		abort();
	json_decref(obj);
	return 0;
}
