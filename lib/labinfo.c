/* labinfo.c — see labinfo.h. */
#include "labinfo.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apiobj.h"
#include "fsutil.h"
#include "jsonw.h"
#include "model.h"

void labinfo_time_format(time_t t, char *buf, size_t len)
{
	if (model_time_format(t, buf, len) < 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

const char *labinfo_probe_mode_name(enum labinfo_probe_mode m)
{
	return m == LABINFO_PROBE_SHARED ? "shared" : "servicenodeport";
}

int labinfo_probe_mode_parse(const char *s, enum labinfo_probe_mode *out)
{
	if (strcasecmp(s, "servicenodeport") == 0)
		*out = LABINFO_PROBE_SERVICE_NODE_PORT;
	else if (strcasecmp(s, "shared") == 0)
		*out = LABINFO_PROBE_SHARED;
	else
		return -EINVAL;
	return 0;
}

void labinfo_format(const struct lab_info *li, struct buf *out)
{
	struct jsonw w;
	char when[32];

	labinfo_time_format(li->created, when, sizeof(when));
	jsonw_init(&w, out, false);
	jsonw_begin_object(&w);
	jsonw_kv_str(&w, "name", li->name);
	jsonw_kv_int(&w, "nodes", li->nodes);
	jsonw_kv_int(&w, "clients", li->clients);
	jsonw_key(&w, "probeIntervalSeconds");
	if (li->probe_interval_s > 0)
		jsonw_int(&w, li->probe_interval_s);
	else
		jsonw_null(&w);
	jsonw_kv_str(&w, "clusterServiceLoadBalancerHealthProbeMode",
		     labinfo_probe_mode_name(li->cluster_probe_mode));
	jsonw_kv_str(&w, "idleTimeoutUnit", li->idle_timeout_in_seconds ? "seconds" : "minutes");
	jsonw_kv_str(&w, "createdAt", when);
	jsonw_end_object(&w);
	buf_putc(out, '\n');
}

/* A string member of obj, or NULL if absent or of another type. */
static const char *labinfo_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int labinfo_int(const json_t *obj, const char *key, int min, int max, bool nullable,
		       int *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	json_int_t x;

	if (nullable && json_is_null(v)) {
		*out = 0;
		return 0;
	}
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "%s: missing or not a number", key);
		return -EINVAL;
	}
	x = json_integer_value(v);
	if (x < min || x > max) {
		snprintf(err, errlen, "%s: \"%lld\" is not a number from %d to %d", key,
			 (long long)x, min, max);
		return -EINVAL;
	}
	*out = (int)x;
	return 0;
}

int labinfo_parse(const char *text, size_t len, struct lab_info *li, char *err, size_t errlen)
{
	const char *s;
	json_t *root;
	char why[128];
	int64_t created;
	int rc = -EINVAL;

	memset(li, 0, sizeof(*li));
	/* Daemons read this file: parse errors belong in the message returned
	 * to the caller, not on the daemon's stderr. */
	root = apiobj_parse(text, len, err, errlen);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a JSON object");
		goto out;
	}
	s = labinfo_str(root, "name");
	if (!s || strlen(s) >= sizeof(li->name) || !lab_name_valid(s, why, sizeof(why))) {
		snprintf(err, errlen, "name: missing or not a valid lab name");
		goto out;
	}
	memcpy(li->name, s, strlen(s) + 1);
	if (labinfo_int(root, "nodes", 1, LAB_MAX_NODES, false, &li->nodes, err, errlen) < 0 ||
	    labinfo_int(root, "clients", 1, LAB_MAX_CLIENTS, false, &li->clients, err, errlen) < 0 ||
	    labinfo_int(root, "probeIntervalSeconds", 1, 3600, true, &li->probe_interval_s,
			err, errlen) < 0)
		goto out;
	/* Optional: labs made before the setting existed probe per port. */
	if (json_object_get(root, "clusterServiceLoadBalancerHealthProbeMode") &&
	    (!(s = labinfo_str(root, "clusterServiceLoadBalancerHealthProbeMode")) ||
	     labinfo_probe_mode_parse(s, &li->cluster_probe_mode) < 0)) {
		snprintf(err, errlen, "clusterServiceLoadBalancerHealthProbeMode: not "
			 "\"servicenodeport\" or \"shared\"");
		goto out;
	}
	/* Optional too: minutes, as on Azure, unless the lab says seconds. */
	if (json_object_get(root, "idleTimeoutUnit")) {
		s = labinfo_str(root, "idleTimeoutUnit");
		if (!s || (strcmp(s, "minutes") != 0 && strcmp(s, "seconds") != 0)) {
			snprintf(err, errlen, "idleTimeoutUnit: not \"minutes\" or \"seconds\"");
			goto out;
		}
		li->idle_timeout_in_seconds = strcmp(s, "seconds") == 0;
	}
	s = labinfo_str(root, "createdAt");
	if (!s || (created = model_time_parse(s)) < 0) {
		snprintf(err, errlen, "createdAt: missing or not an RFC 3339 time");
		goto out;
	}
	li->created = (time_t)created;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static int labinfo_path(const char *lab, char *buf, size_t len)
{
	char dir[LAB_PATH_MAX];

	lab_state_dir(lab, dir, sizeof(dir));
	if ((size_t)snprintf(buf, len, "%s/%s", dir, LABINFO_FILE) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int labinfo_save(const struct lab_info *li, char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	char path[LAB_PATH_MAX];
	int rc = labinfo_path(li->name, path, sizeof(path));

	if (rc < 0) {
		snprintf(err, errlen, "state path of lab %s: %s", li->name, strerror(-rc));
		return rc;
	}
	labinfo_format(li, &b);
	if (b.oom) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	rc = fs_write_atomic(path, b.data, b.len, 0644);
	if (rc < 0)
		snprintf(err, errlen, "write %s: %s", path, strerror(-rc));
out:
	buf_free(&b);
	return rc;
}

int labinfo_load(const char *lab, struct lab_info *li, char *err, size_t errlen)
{
	char path[LAB_PATH_MAX], why[192];
	char *text = NULL;
	size_t len = 0;
	int rc = labinfo_path(lab, path, sizeof(path));

	if (rc < 0) {
		snprintf(err, errlen, "state path of lab %s: %s", lab, strerror(-rc));
		return rc;
	}
	rc = fs_read_all(path, &text, &len);
	if (rc < 0) {
		snprintf(err, errlen, "read %s: %s", path, strerror(-rc));
		return rc;
	}
	rc = labinfo_parse(text, len, li, why, sizeof(why));
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	else if (strcmp(li->name, lab) != 0) {
		snprintf(err, errlen, "%s: names lab \"%s\", not \"%s\"", path, li->name, lab);
		rc = -EINVAL;
	}
	free(text);
	return rc;
}
