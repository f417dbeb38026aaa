/* lab.c — see lab.h. */
#include "lab.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

bool lab_name_valid(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0 || n > LAB_NAME_MAX) {
		snprintf(err, errlen, "a lab name has 1 to %d characters", LAB_NAME_MAX);
		return false;
	}
	if (!islower((unsigned char)name[0])) {
		snprintf(err, errlen, "a lab name starts with a lowercase letter");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i])) {
			snprintf(err, errlen, "a lab name has only lowercase letters and digits");
			return false;
		}
	}
	return true;
}

const char *lab_name_default(const char *from_flag)
{
	const char *env = getenv("CLIENTIP_LAB");

	if (from_flag && *from_flag)
		return from_flag;
	if (env && *env)
		return env;
	return "default";
}

char *lab_state_dir(const char *lab, char *buf, size_t len)
{
	const char *root = getenv("CLIENTIP_RUN_DIR");

	snprintf(buf, len, "%s/%s", root && *root ? root : "/run/clientip", lab);
	return buf;
}

char *lab_kubelet_socket(const char *statedir, const char *node, char *buf, size_t len)
{
	int n;

	if (!node || !*node || node[0] == '.' || strchr(node, '/'))
		return NULL;
	n = snprintf(buf, len, "%s/%s/kubelet-%s.sock", statedir, LAB_STATE_RUN, node);
	return n < 0 || (size_t)n >= len ? NULL : buf;
}

char *lab_netns_name(const char *lab, const char *role, char *buf, size_t len)
{
	snprintf(buf, len, "cip-%s-%s", lab, role);
	return buf;
}

char *lab_pod_netns_name(const char *lab, const char *pod_ns, const char *pod,
			 char *buf, size_t len)
{
	snprintf(buf, len, "cip-%s-pod-%s-%s", lab, pod_ns, pod);
	return buf;
}

static struct in_addr lab_addr(unsigned a, unsigned b, unsigned c, unsigned d)
{
	struct in_addr in = { htonl((a << 24) | (b << 16) | (c << 8) | d) };

	return in;
}

struct in_addr lab_node_addr(int node)
{
	return lab_addr(10, 240, 0, 4u + (unsigned)node);
}

struct in_addr lab_node_pod_gateway(int node)
{
	return lab_addr(10, 244, (unsigned)node, 1);
}

struct in_addr lab_node_pod_subnet(int node)
{
	return lab_addr(10, 244, (unsigned)node, 0);
}

struct in_addr lab_client_addr(int client)
{
	return lab_addr(198, 51, 100, 10u + (unsigned)client);
}

static int lab_index(const char *name, const char *prefix, int max)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (strncmp(name, prefix, n) != 0 || !isdigit((unsigned char)name[n]))
		return -1;
	if (name[n] == '0' && name[n + 1] != '\0')
		return -1; /* "node01" is not node 1 */
	v = strtol(name + n, &end, 10);
	if (*end != '\0' || v < 0 || v >= max)
		return -1;
	return (int)v;
}

int lab_node_index(const char *name)
{
	return lab_index(name, "node", LAB_MAX_NODES);
}

int lab_client_index(const char *name)
{
	return lab_index(name, "client", LAB_MAX_CLIENTS);
}

int lab_lb_mark_node(uint32_t mark)
{
	uint32_t n = mark & ~LAB_LB_MARK_MASK;

	if ((mark & LAB_LB_MARK_MASK) != LAB_LB_MARK_BASE || n < 1 || n > LAB_MAX_NODES)
		return -1;
	return (int)n - 1;
}

/* Role forms a lab namespace may carry after "cip-<lab>-". */
static bool lab_role_valid(const char *role)
{
	if (strcmp(role, "edge") == 0 || strcmp(role, "control") == 0)
		return true;
	if (lab_node_index(role) >= 0 || lab_client_index(role) >= 0)
		return true;
	return strncmp(role, "pod-", 4) == 0 && role[4] != '\0';
}

bool lab_netns_belongs(const char *lab, const char *netns)
{
	size_t n = strlen(lab);

	if (strncmp(netns, "cip-", 4) != 0 || strncmp(netns + 4, lab, n) != 0 ||
	    netns[4 + n] != '-')
		return false;
	return lab_role_valid(netns + 4 + n + 1);
}

const char *lab_netns_lab(const char *netns, char *buf, size_t len)
{
	const char *start, *dash;
	char name[LAB_NAME_MAX + 1], why[128];
	size_t n;

	if (strncmp(netns, "cip-", 4) != 0)
		return NULL;
	start = netns + 4;
	/* Lab names have no '-', so the first one ends the name. */
	dash = strchr(start, '-');
	if (!dash)
		return NULL;
	n = (size_t)(dash - start);
	if (n == 0 || n > LAB_NAME_MAX)
		return NULL;
	memcpy(name, start, n);
	name[n] = '\0';
	if (!lab_name_valid(name, why, sizeof(why)) || !lab_role_valid(dash + 1))
		return NULL;
	snprintf(buf, len, "%s", name);
	return buf;
}

int lab_enter_netns(const char *lab, const char *role, char *err, size_t errlen)
{
	struct netns_id want, self;
	char name[128];
	int fd, rc;

	lab_netns_name(lab, role, name, sizeof(name));
	rc = netns_id_of(name, &want);
	if (rc < 0) {
		snprintf(err, errlen, "namespace %s: %s (is the lab up?)", name, strerror(-rc));
		return rc;
	}
	rc = netns_id_of_pid(getpid(), &self);
	if (rc < 0) {
		snprintf(err, errlen, "own namespace: %s", strerror(-rc));
		return rc;
	}
	if (self.dev == want.dev && self.ino == want.ino)
		return 0;
	fd = netns_open(name);
	if (fd < 0) {
		snprintf(err, errlen, "namespace %s: %s", name, strerror(-fd));
		return fd;
	}
	rc = netns_enter(fd);
	close(fd);
	if (rc < 0)
		snprintf(err, errlen, "entering %s: %s", name, strerror(-rc));
	return rc;
}
