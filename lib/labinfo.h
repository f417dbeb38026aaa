/* labinfo.h — a lab's identity card, <statedir>/lab.json.
 *
 * `clientip lab up` writes it once; every daemon reads it at start to learn
 * the lab's size and settings instead of taking them as flags:
 *
 *   {"name":"t1","nodes":2,"clients":1,"probeIntervalSeconds":null,
 *    "clusterServiceLoadBalancerHealthProbeMode":"servicenodeport",
 *    "createdAt":"2024-05-01T12:00:00Z"}
 *
 * probeIntervalSeconds overrides the load balancer's default probe interval
 * (tests shorten it); null keeps the default.
 * clusterServiceLoadBalancerHealthProbeMode is cloud-provider-azure's setting
 * of that name: "servicenodeport" (one probe per Service port, on its
 * NodePort) or "shared" (one HTTP probe of kube-proxy's :10256/healthz for
 * every Cluster Service). A file without it means servicenodeport.
 */
#ifndef CLIENTIP_LABINFO_H
#define CLIENTIP_LABINFO_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "lab.h"

#define LABINFO_FILE "lab.json"

enum labinfo_probe_mode {
	LABINFO_PROBE_SERVICE_NODE_PORT,   /* cloud-provider-azure's default */
	LABINFO_PROBE_SHARED,
};

struct lab_info {
	char name[LAB_NAME_MAX + 1];
	int nodes;               /* 1 .. LAB_MAX_NODES */
	int clients;             /* 1 .. LAB_MAX_CLIENTS */
	int probe_interval_s;    /* 0: the load balancer's default */
	enum labinfo_probe_mode cluster_probe_mode;
	/* The load balancer reads its idle timeouts (minutes on Azure) as
	 * seconds, so that a test sees one expire. */
	bool idle_timeout_in_seconds;
	time_t created;          /* UTC seconds */
};

/* Writes <lab_state_dir(li->name)>/lab.json atomically. 0 or -errno. */
int labinfo_save(const struct lab_info *li, char *err, size_t errlen);
/* Reads the lab's lab.json. 0, -ENOENT if the lab has none, or -errno
 * (-EINVAL for a malformed file) with a message in err. */
int labinfo_load(const char *lab, struct lab_info *li, char *err, size_t errlen);

/* The JSON text of li (one line and a newline), appended to out. */
void labinfo_format(const struct lab_info *li, struct buf *out);
/* Parses JSON text into li, checking every field. 0 or -EINVAL. */
int labinfo_parse(const char *text, size_t len, struct lab_info *li, char *err, size_t errlen);

/* "servicenodeport", "shared"; parse ignores case, as cloud-provider-azure
 * does: 0 or -EINVAL. */
const char *labinfo_probe_mode_name(enum labinfo_probe_mode m);
int labinfo_probe_mode_parse(const char *s, enum labinfo_probe_mode *out);

/* time <-> "2024-05-01T12:00:00Z". parse: 0 or -EINVAL. */
void labinfo_time_format(time_t t, char *buf, size_t len);

#endif
