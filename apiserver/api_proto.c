/* api_proto.c — Kubernetes protobuf bodies to JSON (see api_proto.h).
 *
 * A small wire decoder driven by schema tables. Each message type lists
 * its fields: number, JSON name, what the value is, and whether Go holds
 * it by pointer (then it is encoded only when set, and kept even when it
 * is a zero value: "replicas: 0", "emptyDir: {}"). Every other field is
 * encoded even when zero, so zero values are left out of the JSON, as
 * the JSON encoding's omitempty does. The tables are in
 * api_proto_schema.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_proto.h"
#include "api_proto_int.h"
#include "model.h"
#include "log.h"

/* ---- wire -------------------------------------------------------------------- */

enum { API_PROTO_WT_VARINT = 0, API_PROTO_WT_64 = 1, API_PROTO_WT_LEN = 2, API_PROTO_WT_32 = 5 };

/* A bounded view of the bytes still to read: every read checks end. */
struct api_proto_rd {
	const uint8_t *p, *end;
};

/* Puts the field's name before the message an inner call left, so the
 * error names the path down to the bad field: "spec.replicas: ...". */
static void api_proto_err_prefix(char *err, size_t errlen, const char *field)
{
	char inner[512];
	size_t k;

	if (!field[0]) /* an inline member: its fields are the parent's */
		return;
	snprintf(inner, sizeof(inner), "%s", err);
	k = strcspn(inner, " :");
	snprintf(err, errlen, "%s%s%s", field, inner[k] == ':' && inner[k + 1] == ' ' ? "." : ": ",
		 inner);
}

static int api_proto_varint(struct api_proto_rd *rd, uint64_t *v, char *err, size_t errlen)
{
	uint64_t x = 0;

	/* At most 10 bytes carry 64 bits; the 10th may hold only bit 63. */
	for (int i = 0; i < 10; i++) {
		uint8_t b;

		if (rd->p >= rd->end) {
			log_errf(err, errlen, "truncated varint");
			return -1;
		}
		b = *rd->p++;
		if (i == 9 && b > 1) {
			log_errf(err, errlen, "varint longer than 64 bits");
			return -1;
		}
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	log_errf(err, errlen, "varint longer than 10 bytes");
	return -1;
}

/* The bytes of a length-delimited value, which must fit in what is left. */
static int api_proto_bytes(struct api_proto_rd *rd, struct api_proto_rd *out, char *err,
			   size_t errlen)
{
	uint64_t n;

	if (api_proto_varint(rd, &n, err, errlen) < 0)
		return -1;
	if (n > (uint64_t)(rd->end - rd->p)) {
		log_errf(err, errlen, "length %" PRIu64 " runs past the end (%zu bytes left)",
			 n, (size_t)(rd->end - rd->p));
		return -1;
	}
	out->p = rd->p;
	out->end = rd->p + n;
	rd->p += n;
	return 0;
}

static int api_proto_tag(struct api_proto_rd *rd, uint32_t *num, unsigned *wt, char *err,
			 size_t errlen)
{
	uint64_t t;

	if (api_proto_varint(rd, &t, err, errlen) < 0)
		return -1;
	if ((t >> 3) == 0 || (t >> 3) > 0x1fffffff) {
		log_errf(err, errlen, "bad field number %" PRIu64, t >> 3);
		return -1;
	}
	*num = (uint32_t)(t >> 3);
	*wt = (unsigned)(t & 7);
	return 0;
}

/* Skips a value of a field the schema does not know. */
static int api_proto_skip(struct api_proto_rd *rd, uint32_t num, unsigned wt, char *err,
			  size_t errlen)
{
	uint64_t v;
	struct api_proto_rd sub;
	size_t want;

	switch (wt) {
	case API_PROTO_WT_VARINT:
		return api_proto_varint(rd, &v, err, errlen);
	case API_PROTO_WT_LEN:
		return api_proto_bytes(rd, &sub, err, errlen);
	case API_PROTO_WT_64:
	case API_PROTO_WT_32:
		want = wt == API_PROTO_WT_64 ? 8 : 4;
		if ((size_t)(rd->end - rd->p) < want) {
			log_errf(err, errlen, "field %" PRIu32 ": truncated fixed%zu", num,
				 want * 8);
			return -1;
		}
		rd->p += want;
		return 0;
	default:
		/* 3 and 4 are proto2 groups, which Kubernetes never writes. */
		log_errf(err, errlen, "field %" PRIu32 ": unsupported wire type %u%s", num, wt,
			 wt == 3 || wt == 4 ? " (group)" : "");
		return -1;
	}
}

/* ---- values ------------------------------------------------------------------ */

static json_t *api_proto_base64(const uint8_t *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t olen = (n + 2) / 3 * 4;
	char *o = malloc(olen + 1), *q = o;
	json_t *v;

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			w |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			w |= p[i + 2];
		*q++ = tab[(w >> 18) & 63];
		*q++ = tab[(w >> 12) & 63];
		*q++ = i + 1 < n ? tab[(w >> 6) & 63] : '=';
		*q++ = i + 2 < n ? tab[w & 63] : '=';
	}
	v = json_stringn(o, olen);
	free(o);
	return v;
}

static json_t *api_proto_string(const struct api_proto_rd *b, char *err, size_t errlen)
{
	json_t *v = json_stringn((const char *)b->p, (size_t)(b->end - b->p));

	if (!v)
		log_errf(err, errlen, "string is not valid UTF-8");
	return v;
}

/* Time and MicroTime {seconds 1, nanos 2}; NULL with *zero for the zero
 * time, which JSON writes as null. */
static json_t *api_proto_time(struct api_proto_rd *b, bool micro, bool *zero, char *err,
			      size_t errlen)
{
	int64_t sec = 0, nsec = 0;
	char out[48];
	struct tm tm;
	time_t t;

	*zero = false;
	while (b->p < b->end) {
		uint32_t num;
		unsigned wt;
		uint64_t v;

		if (api_proto_tag(b, &num, &wt, err, errlen) < 0)
			return NULL;
		if ((num == 1 || num == 2) && wt == API_PROTO_WT_VARINT) {
			if (api_proto_varint(b, &v, err, errlen) < 0)
				return NULL;
			if (num == 1)
				sec = (int64_t)v;
			else
				nsec = (int64_t)(int32_t)v;
		} else if (api_proto_skip(b, num, wt, err, errlen) < 0) {
			return NULL;
		}
	}
	*zero = sec == 0 && nsec == 0;
	if (*zero)
		return NULL;
	t = (time_t)sec;
	if (nsec < 0 || nsec > 999999999 || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0) {
		log_errf(err, errlen, "time out of range");
		return NULL;
	}
	model_time_format_frac(sec, (long)nsec, micro ? 6 : 0, out, sizeof(out));
	return json_string(out);
}

/* The one length-delimited field 1 of Quantity, FieldsV1, RawExtension. */
static int api_proto_field1(struct api_proto_rd *b, struct api_proto_rd *out, char *err,
			    size_t errlen)
{
	out->p = out->end = b->p;
	while (b->p < b->end) {
		uint32_t num;
		unsigned wt;

		if (api_proto_tag(b, &num, &wt, err, errlen) < 0)
			return -1;
		if (num == 1 && wt == API_PROTO_WT_LEN) {
			if (api_proto_bytes(b, out, err, errlen) < 0)
				return -1;
		} else if (api_proto_skip(b, num, wt, err, errlen) < 0) {
			return -1;
		}
	}
	return 0;
}

static json_t *api_proto_int_or_string(struct api_proto_rd *b, char *err, size_t errlen)
{
	uint64_t type = 0, ival = 0;
	struct api_proto_rd sval = { b->p, b->p };

	while (b->p < b->end) {
		uint32_t num;
		unsigned wt;

		if (api_proto_tag(b, &num, &wt, err, errlen) < 0)
			return NULL;
		if ((num == 1 || num == 2) && wt == API_PROTO_WT_VARINT) {
			if (api_proto_varint(b, num == 1 ? &type : &ival, err, errlen) < 0)
				return NULL;
		} else if (num == 3 && wt == API_PROTO_WT_LEN) {
			if (api_proto_bytes(b, &sval, err, errlen) < 0)
				return NULL;
		} else if (api_proto_skip(b, num, wt, err, errlen) < 0) {
			return NULL;
		}
	}
	if (type == 1)
		return api_proto_string(&sval, err, errlen);
	return json_integer((json_int_t)(int32_t)ival);
}

static int api_proto_message(const struct api_proto_msg *m, struct api_proto_rd *rd, json_t *obj,
			     int depth, int max_depth, char *err, size_t errlen);

/* One value of field f (a map's value included), read from rd. *v is
 * NULL with no error for a zero Time. */
static int api_proto_value(const struct api_proto_field *f, unsigned wt, struct api_proto_rd *rd,
			   json_t **v, int depth, int max_depth, char *err, size_t errlen)
{
	bool scalar = f->kind == API_PROTO_BOOL || f->kind == API_PROTO_INT;
	unsigned want = scalar ? API_PROTO_WT_VARINT : API_PROTO_WT_LEN;
	struct api_proto_rd b, inner;
	json_error_t jerr;
	uint64_t x;
	bool zero;

	*v = NULL;
	if (wt != want) {
		log_errf(err, errlen, "wire type %u, want %u", wt, want);
		return -1;
	}
	if (scalar) {
		if (api_proto_varint(rd, &x, err, errlen) < 0)
			return -1;
		*v = f->kind == API_PROTO_BOOL ? json_boolean(x != 0) :
			json_integer((json_int_t)(int64_t)x);
		return 0;
	}
	if (api_proto_bytes(rd, &b, err, errlen) < 0)
		return -1;
	switch (f->kind) {
	case API_PROTO_STR:
		*v = api_proto_string(&b, err, errlen);
		break;
	case API_PROTO_BYTES:
		*v = api_proto_base64(b.p, (size_t)(b.end - b.p));
		break;
	case API_PROTO_MSG:
		if (depth >= max_depth) {
			log_errf(err, errlen, "messages nested deeper than %d", max_depth);
			return -1;
		}
		*v = json_object();
		if (api_proto_message(&api_proto_msgs[f->sub], &b, *v, depth + 1, max_depth, err,
				      errlen) < 0) {
			json_decref(*v);
			*v = NULL;
			return -1;
		}
		return 0;
	case API_PROTO_TIME:
	case API_PROTO_MTIME:
		*v = api_proto_time(&b, f->kind == API_PROTO_MTIME, &zero, err, errlen);
		return *v || zero ? 0 : -1;
	case API_PROTO_QTY:
		if (api_proto_field1(&b, &inner, err, errlen) < 0)
			return -1;
		*v = api_proto_string(&inner, err, errlen);
		break;
	case API_PROTO_IOS:
		*v = api_proto_int_or_string(&b, err, errlen);
		break;
	case API_PROTO_RAWJSON:
		if (api_proto_field1(&b, &inner, err, errlen) < 0)
			return -1;
		if (inner.p == inner.end)
			return 0;
		*v = json_loadb((const char *)inner.p, (size_t)(inner.end - inner.p),
				JSON_DECODE_ANY, &jerr);
		if (!*v)
			log_errf(err, errlen, "raw JSON: %s", jerr.text);
		break;
	default:
		log_errf(err, errlen, "unknown kind %u", f->kind);
		return -1;
	}
	return *v ? 0 : -1;
}

/* A map entry {key 1, value 2} into obj[f->name][key]. */
static int api_proto_map_entry(const struct api_proto_field *f, struct api_proto_rd *rd,
			       json_t *obj, int depth, int max_depth, char *err, size_t errlen)
{
	struct api_proto_rd b, kb = { NULL, NULL };
	json_t *key = NULL, *val = NULL, *map;
	int ret = -1;

	if (api_proto_bytes(rd, &b, err, errlen) < 0)
		return -1;
	kb.p = kb.end = b.p;
	while (b.p < b.end) {
		uint32_t num;
		unsigned wt;

		if (api_proto_tag(&b, &num, &wt, err, errlen) < 0)
			goto out;
		if (num == 1) {
			if (wt != API_PROTO_WT_LEN) {
				log_errf(err, errlen, "map key: wire type %u, want 2", wt);
				goto out;
			}
			if (api_proto_bytes(&b, &kb, err, errlen) < 0)
				goto out;
		} else if (num == 2) {
			json_decref(val);
			if (api_proto_value(f, wt, &b, &val, depth, max_depth, err, errlen) < 0)
				goto out;
		} else if (api_proto_skip(&b, num, wt, err, errlen) < 0) {
			goto out;
		}
	}
	key = api_proto_string(&kb, err, errlen);
	if (!key)
		goto out;
	if (!val) /* a missing value is the value type's zero */
		val = f->kind == API_PROTO_BYTES || f->kind == API_PROTO_STR ||
			f->kind == API_PROTO_QTY ? json_string("") : json_null();
	map = json_object_get(obj, f->name);
	if (!map) {
		map = json_object();
		json_object_set_new(obj, f->name, map);
	}
	json_object_set(map, json_string_value(key), val);
	ret = 0;
out:
	json_decref(key);
	json_decref(val);
	return ret;
}

/* What JSON's omitempty leaves out: "", 0, false, {}, null. */
static bool api_proto_is_zero(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_INTEGER:
		return json_integer_value(v) == 0;
	case JSON_FALSE:
	case JSON_NULL:
		return true;
	case JSON_OBJECT:
		return json_object_size(v) == 0;
	default:
		return false;
	}
}

static const struct api_proto_field *api_proto_find(const struct api_proto_msg *m, uint32_t num)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->fields[i].num == num)
			return &m->fields[i];
	return NULL;
}

/* Reads the message m from rd into obj (fields of inline members
 * included). */
static int api_proto_message(const struct api_proto_msg *m, struct api_proto_rd *rd, json_t *obj,
			     int depth, int max_depth, char *err, size_t errlen)
{
	while (rd->p < rd->end) {
		const struct api_proto_field *f;
		struct api_proto_rd b;
		uint32_t num;
		unsigned wt;
		json_t *v = NULL, *arr;

		if (api_proto_tag(rd, &num, &wt, err, errlen) < 0)
			return -1;
		f = api_proto_find(m, num);
		if (!f) {
			if (api_proto_skip(rd, num, wt, err, errlen) < 0)
				return -1;
			continue;
		}
		if (f->flags & API_PROTO_MAP) {
			if (wt != API_PROTO_WT_LEN) {
				log_errf(err, errlen, "wire type %u, want 2", wt);
				goto bad;
			}
			if (api_proto_map_entry(f, rd, obj, depth, max_depth, err, errlen) < 0)
				goto bad;
			continue;
		}
		if (f->flags & API_PROTO_INLINE) {
			if (wt != API_PROTO_WT_LEN) {
				log_errf(err, errlen, "wire type %u, want 2", wt);
				goto bad;
			}
			if (depth >= max_depth) {
				log_errf(err, errlen, "messages nested deeper than %d",
					 max_depth);
				goto bad;
			}
			if (api_proto_bytes(rd, &b, err, errlen) < 0 ||
			    api_proto_message(&api_proto_msgs[f->sub], &b, obj, depth + 1,
					      max_depth, err, errlen) < 0)
				goto bad;
			continue;
		}
		if (api_proto_value(f, wt, rd, &v, depth, max_depth, err, errlen) < 0)
			goto bad;
		if (!v)
			continue;
		if (f->flags & API_PROTO_REP) {
			arr = json_object_get(obj, f->name);
			if (!json_is_array(arr)) {
				arr = json_array();
				json_object_set_new(obj, f->name, arr);
			}
			json_array_append_new(arr, v);
		} else if (!(f->flags & API_PROTO_KEEP) && api_proto_is_zero(v)) {
			/* written because Go holds it by value; JSON omits it */
			json_object_del(obj, f->name);
			json_decref(v);
		} else {
			json_object_set_new(obj, f->name, v);
		}
		continue;
bad:
		api_proto_err_prefix(err, errlen, f->name);
		return -1;
	}
	return 0;
}

/* ---- bodies ------------------------------------------------------------------ */

json_t *api_proto_decode_object(const char *api_version, const char *kind, const void *raw,
				size_t len, int max_depth, char *err, size_t errlen)
{
	struct api_proto_rd rd = { raw, (const uint8_t *)raw + len };
	const struct api_proto_msg *m = api_proto_msg_of(api_version, kind);
	json_t *obj;

	if (!m) {
		log_errf(err, errlen, "protobuf bodies of %s %s are not supported; send "
			 "application/json", api_version, kind);
		return NULL;
	}
	obj = json_pack("{s:s, s:s}", "apiVersion", api_version, "kind", kind);
	if (!obj) {
		log_errf(err, errlen, "out of memory");
		return NULL;
	}
	if (api_proto_message(m, &rd, obj, 1, max_depth, err, errlen) < 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

json_t *api_proto_decode(const void *body, size_t len, char *err, size_t errlen)
{
	static const uint8_t magic[4] = { 'k', '8', 's', 0 };
	struct api_proto_rd rd = { body, (const uint8_t *)body + len };
	struct api_proto_rd raw = { NULL, NULL }, b;
	char api_version[256] = "", kind[256] = "", enc[64] = "";
	json_t *obj = NULL;

	if (len < 4 || memcmp(body, magic, 4) != 0) {
		log_errf(err, errlen, "protobuf body does not start with \"k8s\\0\"");
		return NULL;
	}
	rd.p += 4;
	raw.p = raw.end = rd.p;
	/* runtime.Unknown: typeMeta 1 {apiVersion 1, kind 2}, raw 2,
	 * contentEncoding 3, contentType 4 */
	while (rd.p < rd.end) {
		uint32_t num;
		unsigned wt;

		if (api_proto_tag(&rd, &num, &wt, err, errlen) < 0)
			goto bad;
		if (num > 4 || wt != API_PROTO_WT_LEN) {
			if (api_proto_skip(&rd, num, wt, err, errlen) < 0)
				goto bad;
			continue;
		}
		if (api_proto_bytes(&rd, &b, err, errlen) < 0)
			goto bad;
		if (num == 2) {
			raw = b;
		} else if (num == 3) {
			snprintf(enc, sizeof(enc), "%.*s", (int)(b.end - b.p), (const char *)b.p);
		} else if (num == 1) {
			while (b.p < b.end) {
				struct api_proto_rd s;
				uint32_t n2;
				unsigned wt2;

				if (api_proto_tag(&b, &n2, &wt2, err, errlen) < 0)
					goto bad;
				if ((n2 != 1 && n2 != 2) || wt2 != API_PROTO_WT_LEN) {
					if (api_proto_skip(&b, n2, wt2, err, errlen) < 0)
						goto bad;
					continue;
				}
				if (api_proto_bytes(&b, &s, err, errlen) < 0)
					goto bad;
				snprintf(n2 == 1 ? api_version : kind, 256, "%.*s",
					 (int)(s.end - s.p), (const char *)s.p);
			}
		}
	}
	if (enc[0]) {
		log_errf(err, errlen, "protobuf body: content encoding \"%s\" is not "
			 "supported", enc);
		return NULL;
	}
	if (!api_version[0] || !kind[0]) {
		log_errf(err, errlen, "protobuf body: apiVersion and kind are required");
		return NULL;
	}
	obj = api_proto_decode_object(api_version, kind, raw.p, (size_t)(raw.end - raw.p),
				      API_PROTO_MAX_DEPTH, err, errlen);
	if (!obj) {
		char inner[512];

		snprintf(inner, sizeof(inner), "%s", err);
		log_errf(err, errlen, "protobuf body: %s %s: %s", api_version, kind, inner);
	}
	return obj;
bad:
	{
		char inner[512];

		snprintf(inner, sizeof(inner), "%s", err);
		log_errf(err, errlen, "protobuf body: envelope: %s", inner);
	}
	return NULL;
}
