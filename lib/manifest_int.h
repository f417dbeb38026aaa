/* manifest_int.h — what the lib/manifest*.c files share, and nothing else
 * includes.
 *
 * The parser is one module (prefix mp_ inside, manifest_ outside) cut into
 * files by job: manifest.c (entry points, documents, metadata),
 * manifest_read.c (the walk: positions, messages, mappings and sequences),
 * manifest_scalar.c (a scalar's type), manifest_value.c (typed readers),
 * manifest_check.c (name and label rules), manifest_pod.c (pod templates),
 * manifest_workload.c (Deployment, DaemonSet), manifest_service.c
 * (Service). Every reader reports its own errors against p->path, the
 * field being read.
 */
#ifndef CLIENTIP_MANIFEST_INT_H
#define CLIENTIP_MANIFEST_INT_H

#include <libfyaml.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"

#define MP_PATH_MAX     320
#define MP_KEY_MAX      256

/* ---- parse context ------------------------------------------------------ */

/* Memory that lives as long as the parse: scalar texts decoded here rather
 * than by libfyaml (see mp_text), duplicate-key marks (see mp_dup_marks). */
struct mp_text_buf {
	struct mp_text_buf *next;
	char text[];
};

struct mp {
	struct manifest *m;
	const char *default_ns;
	const char *src;               /* the input, for decoding single-quoted scalars */
	size_t src_len;
	struct mp_text_buf *texts;
	bool json;                     /* JSON input: only true/false are booleans */
	enum manifest_validation validation;
	char path[MP_PATH_MAX];        /* the field being read, "spec.ports[0].port" */
	size_t plen;
	struct manifest_pos key_pos;   /* the key holding the current value */
};

/* ---- manifest_read.c: messages and positions ---------------------------- */

/* Copies src into dst, cut to fit. */
void mp_copy(char *dst, size_t len, const char *src);
/* Adds an error or warning line "<file>:<line>:<col>: <field>: <message>" to m. */
void mp_vadd(struct manifest *m, bool warning, struct manifest_pos pos, const char *field,
	     const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* Where a message about node n should point: n itself, else its key. */
struct manifest_pos mp_pos(struct mp *p, struct fy_node *n);
/* An error about node n, named by the current path. */
void mp_err(struct mp *p, struct fy_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An error about a child field of the current path (often a missing one). */
void mp_err_child(struct mp *p, struct fy_node *at, const char *child, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A warning at pos. */
void mp_warn(struct mp *p, struct manifest_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends ".key" to the path; returns what mp_pop restores. */
size_t mp_push(struct mp *p, const char *key);
/* Appends "[i]" to the path; returns what mp_pop restores. */
size_t mp_push_index(struct mp *p, int i);
/* Cuts the path back to what mp_push returned. */
void mp_pop(struct mp *p, size_t old);
/* Where item k of a sequence (or its field) is; the sequence if unknown. */
struct manifest_pos mp_item_pos(struct mp *p, struct fy_node *seq, int k, const char *field);

/* ---- manifest_read.c: scalar texts, keys, aliases ----------------------- */

/* A scalar's text and length (*len), or NULL if n is not a scalar. */
const char *mp_text(struct mp *p, struct fy_node *n, size_t *len);
/* The value of key in mapping n, or NULL; of keys written twice the last. */
struct fy_node *mp_lookup(struct mp *p, struct fy_node *n, const char *key);
/* n with an alias resolved (an error if it refers to nothing). */
struct fy_node *mp_deref(struct mp *p, struct fy_node *n);

/* ---- manifest_scalar.c: scalar typing ----------------------------------- */

enum mp_type { MP_NULL, MP_BOOL, MP_INT, MP_FLOAT, MP_STRING, MP_OBJECT, MP_ARRAY };

/* The JSON names of enum mp_type, as the API server's messages use them. */
extern const char *const mp_type_names[];
/* The JSON type kubectl's decoder would give n; *iv and *bv get its value. */
enum mp_type mp_type_of(struct mp *p, struct fy_node *n, long long *iv, bool *bv);
/* true if s[0..n) is an integer as YAML writes one (sign, 0x, 0o), its
 * value in *out (saturated at 64 bits). */
bool mp_is_int(const char *s, size_t n, long long *out);

/* ---- manifest_value.c: typed readers ------------------------------------ */

/* s quoted for "Invalid value: ..." in buf, cut with "..." to fit. */
const char *mp_quote(const char *s, size_t n, char *buf, size_t len);
/* A string into dst: 1 if set, 0 if null/absent, -1 on error. */
int mp_str(struct mp *p, struct fy_node *n, char *dst, size_t dstlen);
/* If why is not NULL, the error "Invalid value: "value": why" about n;
 * returns whether there was one. */
bool mp_invalid(struct mp *p, struct fy_node *n, const char *value, const char *why);
/* A rule for a name: NULL if s is valid, else the API server's reason. */
typedef const char *mp_name_rule_fn(const char *s);
/* A non-empty string into dst, checked by rule: 1 if valid, -1 if written
 * but invalid (reported; dst still holds it), 0 if null, empty or not a
 * string. */
int mp_checked_str(struct mp *p, struct fy_node *n, char *dst, size_t dstlen,
		   mp_name_rule_fn *rule);
/* A 32-bit integer: 1 if set, 0 if null, -1 on error. */
int mp_int(struct mp *p, struct fy_node *n, long long *out);
/* An IntOrString: 1 for an integer, 2 for a string, 0 for null, -1 on error. */
int mp_int_or_str(struct mp *p, struct fy_node *n, long long *num, char *str, size_t len);
/* An IntOrString that is a count or a percentage (maxSurge); *set if written. */
void mp_int_or_percent(struct mp *p, struct fy_node *n, struct model_int_or_percent *out,
		       bool *set);
/* true if n has type want; else false, with a type error unless n is null. */
bool mp_expect(struct mp *p, struct fy_node *n, enum mp_type want);
/* A sequence of strings (command, args); returns how many. */
int mp_strings(struct mp *p, struct fy_node *n, char (*out)[MODEL_ARG_MAX], int max);

enum mp_map_kind { MP_MAP_LABELS, MP_MAP_ANNOTATIONS };

/* A labels or annotations map, keys and (label) values validated. */
void mp_map(struct mp *p, struct fy_node *n, struct model_map *out, enum mp_map_kind kind);

/* ---- manifest_read.c: mappings and sequences ---------------------------- */

struct mp_iter {
	struct fy_node *map;
	void *it;
	int index;                     /* of the pair mp_next returns next */
	const char *dup;               /* mp_dup_marks of map, or NULL */
	bool pushed;
	size_t saved;
	struct manifest_pos saved_key_pos;
	char key[MP_KEY_MAX];
	struct fy_node *key_node;
	struct fy_node *val;           /* aliases resolved; NULL for a null value */
};

/* Starts iterating mapping n; false (with a type error) if n is not one. */
bool mp_iter_start(struct mp *p, struct mp_iter *i, struct fy_node *n);
/* Next key/value; pushes the key onto the path (popped by the next call). */
bool mp_next(struct mp *p, struct mp_iter *i);
/* The current key is not a field Kubernetes has here. */
void mp_unknown(struct mp *p, struct mp_iter *i);
/* The current key is a field clientip does not model: warns unless it is empty. */
void mp_ignored(struct mp *p, struct mp_iter *i);
/* true if key is one of the NULL-terminated list. */
bool mp_key_in(const char *key, const char *const *list);

/* Iterates a sequence of at most max items, pushing "[i]" for each. */
struct mp_seq {
	struct fy_node *seq;
	void *it;
	int index;
	size_t saved;
	bool pushed;
	struct fy_node *item;
};

/* Starts iterating sequence n; false if null, or (with an error) not one or too long. */
bool mp_seq_start(struct mp *p, struct mp_seq *s, struct fy_node *n, int max);
/* Next item in s->item (aliases resolved), its index pushed onto the path. */
bool mp_seq_next(struct mp *p, struct mp_seq *s);

/* ---- manifest_check.c: the API server's rules for names ----------------- */

/* "must be between 1 and 65535, inclusive" */
extern const char mp_port_range_msg[];
/* isalnum() for a char. */
bool mp_alnum(char c);
/* The mp_check_ functions return NULL if s is valid, else the API server's
 * reason. An RFC 1123 subdomain; max (if not 0) is the model's own limit. */
const char *mp_check_dns1123_subdomain(const char *s, size_t max);
/* An object's metadata.name: a subdomain that fits the model (63). */
const char *mp_check_object_name(const char *s);
/* A label or annotation key, [prefix/]name; buf holds a composed reason. */
const char *mp_check_qualified_name(const char *s, char *buf, size_t len);
/* A label value. */
const char *mp_check_label_value(const char *s);
/* A port name (IANA_SVC_NAME). */
const char *mp_check_port_name(const char *s);
/* An environment variable name. */
const char *mp_check_env_name(const char *s);
/* An HTTP header name (of a lifecycle hook's httpGet). */
const char *mp_check_header_name(const char *s);
/* An httpGet path. */
const char *mp_check_abs_path(const char *s);

/* ---- the object parts --------------------------------------------------- */

enum mp_name_rule { MP_NAME_SUBDOMAIN, MP_NAME_DNS1035 };

/* manifest.c: the top-level keys an object's reader passes over:
 * apiVersion and kind (read by manifest.c) and status (the server's). */
extern const char *const mp_object_keys_skipped[];
/* manifest.c: an object's metadata; *named if it has a name. */
void mp_meta(struct mp *p, struct fy_node *n, struct model_meta *meta,
	     struct manifest_object *o, enum mp_name_rule rule, bool *named);
/* manifest_pod.c: spec.template; *labels_node and *has_containers for the
 * checks made once the whole spec is read. */
void mp_template(struct mp *p, struct fy_node *n, struct model_deployment *d,
		 struct fy_node **labels_node, bool *has_containers);
/* manifest_workload.c: an apps/v1 Deployment, or a DaemonSet (daemon_set). */
void mp_deployment(struct mp *p, struct fy_node *root, struct manifest_object *o,
		   bool daemon_set);
/* manifest_service.c: a v1 Service. */
void mp_service(struct mp *p, struct fy_node *root, struct manifest_object *o);

#endif
