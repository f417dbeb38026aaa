/* Tests of lib/netns.c, lib/nl.c and lib/podnet.c against the kernel.
 *
 * They need root (network namespaces) and are skipped without it. Every
 * namespace they create is named cip-<lab>-... for a lab name unique to
 * this process, and removed by the group teardown whatever happens; no
 * link, address or route is ever made in the test's own namespace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "netns.h"
#include "nl.h"
#include "podnet.h"

static char test_lab[LAB_NAME_MAX + 1];

static void ns_name(const char *role, char *buf, size_t len)
{
	lab_netns_name(test_lab, role, buf, len);
}

static struct in_addr ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void remove_test_namespaces(void)
{
	char prefix[64], **names = NULL;
	int n;

	snprintf(prefix, sizeof(prefix), "cip-%s-", test_lab);
	n = netns_list(prefix, &names);
	for (int i = 0; i < n; i++)
		netns_delete(names[i]);
	if (n > 0)
		netns_names_free(names, n);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(test_lab, sizeof(test_lab), "ut%x", (unsigned)getpid() & 0xffffff);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (geteuid() == 0)
		remove_test_namespaces();
	return 0;
}

static int need_root(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	return 0;
}

static int self_id_here(void *arg)
{
	struct netns_id *id = arg;
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

static void test_netns_lifecycle(void **state)
{
	struct netns_id self_before, self_after, inside, named;
	char name[128], err[256], **names = NULL, prefix[64];
	int n;

	need_root(state);
	ns_name("edge", name, sizeof(name));
	assert_false(netns_exists(name));
	assert_int_equal(netns_create(name, err, sizeof(err)), 0);
	assert_true(netns_exists(name));
	assert_int_equal(netns_create(name, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "already exists"));

	/* netns_run runs inside and comes back. */
	assert_int_equal(self_id_here(&self_before), 0);
	assert_int_equal(netns_id_of(name, &named), 0);
	assert_int_equal(netns_run_name(name, self_id_here, &inside), 0);
	assert_int_equal(self_id_here(&self_after), 0);
	assert_true(inside.ino == named.ino && inside.dev == named.dev);
	assert_true(self_before.ino == self_after.ino);
	assert_true(inside.ino != self_before.ino);

	snprintf(prefix, sizeof(prefix), "cip-%s-", test_lab);
	n = netns_list(prefix, &names);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], name);
	netns_names_free(names, n);

	assert_int_equal(netns_delete(name), 0);
	assert_false(netns_exists(name));
	assert_int_equal(netns_delete(name), -ENOENT);
	assert_true(netns_open(name) < 0);
	assert_int_equal(netns_create("bad/name", err, sizeof(err)), -EINVAL);
}

static void test_netns_pids(void **state)
{
	char name[128], err[256];
	struct netns_id id;
	pid_t *pids = NULL, child;
	int ready[2], hold[2], fd, n, status;
	char c;

	need_root(state);
	ns_name("node0", name, sizeof(name));
	assert_int_equal(netns_create(name, err, sizeof(err)), 0);
	assert_int_equal(netns_id_of(name, &id), 0);
	assert_int_equal(netns_pids(&id, 1, &pids), 0);
	free(pids);

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	fd = netns_open(name);
	assert_true(fd >= 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(ready[0]);
		close(hold[1]);
		if (netns_enter(fd) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		/* Stay until the parent closes its end. */
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(fd);
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	n = netns_pids(&id, 1, &pids);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], child);
	free(pids);
	{
		struct netns_id cid;

		assert_int_equal(netns_id_of_pid(child, &cid), 0);
		assert_true(cid.ino == id.ino);
	}
	close(hold[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ready[0]);
	assert_int_equal(netns_pids(&id, 1, &pids), 0);
	free(pids);
	assert_int_equal(netns_delete(name), 0);
}

static void test_nl_links(void **state)
{
	char a[128], b[128], err[512];
	struct nl na = { 0 }, nb = { 0 };
	struct nl_link link, br;
	int bfd;

	need_root(state);
	ns_name("client0", a, sizeof(a));
	ns_name("client1", b, sizeof(b));
	assert_int_equal(netns_create(a, err, sizeof(err)), 0);
	assert_int_equal(netns_create(b, err, sizeof(err)), 0);
	assert_int_equal(nl_open_name(&na, a, err, sizeof(err)), 0);
	assert_int_equal(nl_open_name(&nb, b, err, sizeof(err)), 0);
	bfd = netns_open(b);
	assert_true(bfd >= 0);

	assert_int_equal(nl_link_get(&na, "nothere", &link, err, sizeof(err)), -ENODEV);
	assert_non_null(strstr(err, "nothere"));
	assert_int_equal(nl_ifindex(&na, "lo", err, sizeof(err)), 1);
	assert_int_equal(nl_bridge_add(&na, "br0", NULL, err, sizeof(err)), 0);
	assert_int_equal(nl_bridge_add(&na, "br0", NULL, err, sizeof(err)), -EEXIST);
	assert_int_equal(nl_veth_add(&na, "v0", "p0", bfd, err, sizeof(err)), 0);
	assert_int_equal(nl_veth_add(&na, "toolongname12345", "p1", bfd, err, sizeof(err)),
			 -EINVAL);

	/* The peer exists only in b: not here, not in a. */
	assert_int_equal(if_nametoindex("p0"), 0);
	assert_int_equal(if_nametoindex("v0"), 0);
	assert_int_equal(nl_link_get(&na, "p0", &link, err, sizeof(err)), -ENODEV);
	assert_int_equal(nl_link_get(&nb, "p0", &link, err, sizeof(err)), 0);
	assert_string_equal(link.kind, "veth");
	assert_string_equal(link.name, "p0");

	assert_int_equal(nl_link_set_master(&na, "v0", "br0", err, sizeof(err)), 0);
	assert_int_equal(nl_link_get(&na, "br0", &br, err, sizeof(err)), 0);
	assert_string_equal(br.kind, "bridge");
	assert_int_equal(nl_link_get(&na, "v0", &link, err, sizeof(err)), 0);
	assert_int_equal(link.master, br.index);
	assert_false(link.flags & IFF_UP);
	assert_int_equal(nl_link_set_up(&na, "v0", true, err, sizeof(err)), 0);
	assert_int_equal(nl_link_get(&na, "v0", &link, err, sizeof(err)), 0);
	assert_true(link.flags & IFF_UP);
	assert_int_equal(nl_link_set_master(&na, "v0", NULL, err, sizeof(err)), 0);
	assert_int_equal(nl_link_get(&na, "v0", &link, err, sizeof(err)), 0);
	assert_int_equal(link.master, 0);

	/* A refusal carries the kernel's own words when it gives any. */
	err[0] = '\0';
	assert_true(nl_link_set_master(&na, "br0", "v0", err, sizeof(err)) < 0);
	assert_true(strlen(err) > 0);

	assert_int_equal(nl_link_set_up(&na, "v0", false, err, sizeof(err)), 0);
	assert_int_equal(nl_link_rename(&na, "v0", "v0new", err, sizeof(err)), 0);
	assert_int_equal(nl_ifindex(&na, "v0", err, sizeof(err)), -ENODEV);
	assert_true(nl_ifindex(&na, "v0new", err, sizeof(err)) > 0);
	/* Deleting one end removes the other, in its own namespace. */
	assert_int_equal(nl_link_del(&na, "v0new", err, sizeof(err)), 0);
	assert_int_equal(nl_link_get(&nb, "p0", &link, err, sizeof(err)), -ENODEV);
	assert_int_equal(nl_link_del(&na, "v0new", err, sizeof(err)), -ENODEV);

	close(bfd);
	nl_close(&na);
	nl_close(&nb);
	assert_int_equal(netns_delete(a), 0);
	assert_int_equal(netns_delete(b), 0);
}

static void test_nl_addrs_routes_rules(void **state)
{
	char a[128], err[512], value[32];
	struct nl na = { 0 };
	struct nl_addr addrs[4];
	struct nl_route r = { .prefix = 24, .dev = "d0" };
	struct nl_rule rule = { .fwmark = 0x10, .table = 100, .priority = 1000 };
	int afd;

	need_root(state);
	ns_name("control", a, sizeof(a));
	assert_int_equal(netns_create(a, err, sizeof(err)), 0);
	assert_int_equal(nl_open_name(&na, a, err, sizeof(err)), 0);
	assert_int_equal(nl_bridge_add(&na, "d0", NULL, err, sizeof(err)), 0);
	assert_int_equal(nl_link_set_up(&na, "d0", true, err, sizeof(err)), 0);

	assert_int_equal(nl_addr_list(&na, "d0", addrs, 4, err, sizeof(err)), 0);
	assert_int_equal(nl_addr_add(&na, "d0", ip4("10.9.0.1"), 24, err, sizeof(err)), 0);
	assert_int_equal(nl_addr_add(&na, "d0", ip4("10.9.0.1"), 24, err, sizeof(err)), -EEXIST);
	assert_int_equal(nl_addr_add(&na, "d0", ip4("10.9.1.1"), 33, err, sizeof(err)), -EINVAL);
	assert_int_equal(nl_addr_add(&na, "d0", ip4("10.9.1.1"), 24, err, sizeof(err)), 0);
	assert_int_equal(nl_addr_list(&na, "d0", addrs, 4, err, sizeof(err)), 2);
	assert_int_equal(addrs[0].addr.s_addr, ip4("10.9.0.1").s_addr);
	assert_int_equal(addrs[0].prefix, 24);
	assert_int_equal(nl_addr_list(&na, "d0", addrs, 1, err, sizeof(err)), 2);
	assert_int_equal(nl_addr_del(&na, "d0", ip4("10.9.1.1"), 24, err, sizeof(err)), 0);
	assert_int_equal(nl_addr_list(&na, "d0", addrs, 4, err, sizeof(err)), 1);
	assert_int_equal(nl_addr_list(&na, "lo", addrs, 4, err, sizeof(err)), 0);

	/* Routes: main and another table, add / replace / delete. */
	r.dst = ip4("10.8.0.0");
	r.gateway = ip4("10.9.0.2");
	assert_int_equal(nl_route_add(&na, &r, err, sizeof(err)), 0);
	assert_int_equal(nl_route_add(&na, &r, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "10.8.0.0/24 via 10.9.0.2"));
	r.gateway = ip4("10.9.0.3");
	assert_int_equal(nl_route_replace(&na, &r, err, sizeof(err)), 0);
	assert_int_equal(nl_route_del(&na, &r, err, sizeof(err)), 0);
	assert_int_equal(nl_route_del(&na, &r, err, sizeof(err)), -ESRCH);
	r.table = 1000; /* beyond the 8-bit field: goes as RTA_TABLE */
	r.prefix = 0;
	r.dst.s_addr = 0;
	assert_int_equal(nl_route_add(&na, &r, err, sizeof(err)), 0);
	assert_int_equal(nl_route_del(&na, &r, err, sizeof(err)), 0);
	r.gateway = ip4("10.99.0.1"); /* not on any link */
	assert_true(nl_route_add(&na, &r, err, sizeof(err)) < 0);
	assert_true(strlen(err) > 0);

	assert_int_equal(nl_rule_add(&na, &rule, err, sizeof(err)), 0);
	assert_int_equal(nl_rule_add(&na, &rule, err, sizeof(err)), -EEXIST);
	rule.table = 1000;
	rule.priority = 1001;
	rule.fwmask = 0xff;
	assert_int_equal(nl_rule_add(&na, &rule, err, sizeof(err)), 0);
	assert_int_equal(nl_rule_del(&na, &rule, err, sizeof(err)), 0);
	rule.table = 100;
	rule.priority = 1000;
	rule.fwmask = 0;
	assert_int_equal(nl_rule_del(&na, &rule, err, sizeof(err)), 0);
	assert_true(nl_rule_del(&na, &rule, err, sizeof(err)) < 0);

	/* sysctls land in the namespace, not here. */
	afd = netns_open(a);
	assert_true(afd >= 0);
	assert_int_equal(nl_sysctl_set(afd, "net.ipv4.ip_forward", "1", err, sizeof(err)), 0);
	assert_int_equal(nl_sysctl_get(afd, "net/ipv4/ip_forward", value, sizeof(value),
				       err, sizeof(err)), 0);
	assert_string_equal(value, "1");
	assert_int_equal(nl_sysctl_set(afd, "net.ipv4.ip_forward", "0", err, sizeof(err)), 0);
	assert_int_equal(nl_sysctl_get(afd, "net.ipv4.ip_forward", value, sizeof(value),
				       err, sizeof(err)), 0);
	assert_string_equal(value, "0");
	assert_int_equal(nl_sysctl_set(afd, "net.ipv4.nonexistent", "1", err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(nl_sysctl_set(afd, "net/../../x", "1", err, sizeof(err)), -EINVAL);
	close(afd);

	nl_close(&na);
	assert_int_equal(netns_delete(a), 0);
}

/* A node as lab up makes it, reduced to what podnet needs: cbr0 with the
 * gateway address, plus the node address on lo to test the default route. */
static void make_node(struct nl *node, char *err, size_t errlen)
{
	char name[128];

	ns_name("node0", name, sizeof(name));
	assert_int_equal(netns_create(name, err, errlen), 0);
	assert_int_equal(nl_open_name(node, name, err, errlen), 0);
	assert_int_equal(nl_link_set_up(node, "lo", true, err, errlen), 0);
	assert_int_equal(nl_addr_add(node, "lo", lab_node_addr(0), 32, err, errlen), 0);
	assert_int_equal(nl_bridge_add(node, "cbr0", NULL, err, errlen), 0);
	assert_int_equal(nl_link_set_up(node, "cbr0", true, err, errlen), 0);
	assert_int_equal(nl_addr_add(node, "cbr0", lab_node_pod_gateway(0), LAB_POD_PREFIX,
				     err, errlen), 0);
}

struct sock_ctx {
	struct in_addr addr;
	int fd;
};

static int listen_here(void *arg)
{
	struct sock_ctx *c = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(7070) };
	int one = 1;

	sa.sin_addr = c->addr;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(c->fd, 4) < 0)
		return -errno;
	return 0;
}

static int connect_here(void *arg)
{
	struct sock_ctx *c = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(7070) };
	struct timeval tv = { 2, 0 };

	sa.sin_addr = c->addr;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* A TCP connection from inside the pod to addr (a node address): proves
 * the pod's link, address and, for off-link targets, default route. The
 * source address the node sees is returned in *from. */
static int pod_reaches(const char *pod_netns, const char *node_netns, struct in_addr addr,
		       struct in_addr *from)
{
	struct sock_ctx l = { addr, -1 }, c = { addr, -1 };
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	struct pollfd p;
	int rc, conn;

	rc = netns_run_name(node_netns, listen_here, &l);
	if (rc == 0)
		rc = netns_run_name(pod_netns, connect_here, &c);
	if (rc == 0) {
		p.fd = l.fd;
		p.events = POLLIN;
		rc = poll(&p, 1, 2000) == 1 ? 0 : -ETIMEDOUT;
	}
	if (rc == 0) {
		conn = accept(l.fd, (struct sockaddr *)&peer, &plen);
		if (conn < 0) {
			rc = -errno;
		} else {
			*from = peer.sin_addr;
			close(conn);
		}
	}
	if (l.fd >= 0)
		close(l.fd);
	if (c.fd >= 0)
		close(c.fd);
	return rc;
}

static void test_podnet_attach_detach(void **state)
{
	char node_ns[128], pod_ns[128], veth[IF_NAMESIZE], err[512];
	struct nl node = { 0 }, pod = { 0 };
	struct nl_link link, br;
	struct nl_addr addrs[4];
	struct in_addr from;
	int fd;

	need_root(state);
	make_node(&node, err, sizeof(err));
	ns_name("node0", node_ns, sizeof(node_ns));
	lab_pod_netns_name(test_lab, "default", "web-1", pod_ns, sizeof(pod_ns));
	podnet_veth_name("default", "web-1", veth, sizeof(veth));

	if (podnet_attach(test_lab, 0, pod_ns, ip4("10.244.0.7"), veth, err, sizeof(err)) != 0)
		fail_msg("attach: %s", err);
	assert_true(netns_exists(pod_ns));
	assert_int_equal(nl_link_get(&node, veth, &link, err, sizeof(err)), 0);
	assert_int_equal(nl_link_get(&node, "cbr0", &br, err, sizeof(err)), 0);
	assert_int_equal(link.master, br.index);
	assert_true(link.flags & IFF_UP);
	assert_int_equal(nl_open_name(&pod, pod_ns, err, sizeof(err)), 0);
	assert_int_equal(nl_addr_list(&pod, "eth0", addrs, 4, err, sizeof(err)), 1);
	assert_int_equal(addrs[0].addr.s_addr, ip4("10.244.0.7").s_addr);
	assert_int_equal(addrs[0].prefix, 24);
	assert_int_equal(nl_link_get(&pod, "lo", &link, err, sizeof(err)), 0);
	assert_true(link.flags & IFF_UP);
	nl_close(&pod);
	/* On-link through cbr0, and off-link through the default route. */
	assert_int_equal(pod_reaches(pod_ns, node_ns, lab_node_pod_gateway(0), &from), 0);
	assert_int_equal(from.s_addr, ip4("10.244.0.7").s_addr);
	assert_int_equal(pod_reaches(pod_ns, node_ns, lab_node_addr(0), &from), 0);
	assert_int_equal(from.s_addr, ip4("10.244.0.7").s_addr);

	/* Attach converges: again as is, then with another address. */
	assert_int_equal(podnet_attach(test_lab, 0, pod_ns, ip4("10.244.0.7"), veth, err,
				       sizeof(err)), 0);
	assert_int_equal(podnet_attach(test_lab, 0, pod_ns, ip4("10.244.0.8"), veth, err,
				       sizeof(err)), 0);
	assert_int_equal(nl_open_name(&pod, pod_ns, err, sizeof(err)), 0);
	assert_int_equal(nl_addr_list(&pod, "eth0", addrs, 4, err, sizeof(err)), 1);
	assert_int_equal(addrs[0].addr.s_addr, ip4("10.244.0.8").s_addr);
	nl_close(&pod);

	/* ... after the node end vanished (the pod's eth0 went with it) ... */
	assert_int_equal(nl_link_del(&node, veth, err, sizeof(err)), 0);
	assert_int_equal(podnet_attach(test_lab, 0, pod_ns, ip4("10.244.0.8"), veth, err,
				       sizeof(err)), 0);
	assert_int_equal(pod_reaches(pod_ns, node_ns, lab_node_addr(0), &from), 0);

	/* ... after the pod namespace vanished ... */
	assert_int_equal(netns_delete(pod_ns), 0);
	assert_int_equal(podnet_attach(test_lab, 0, pod_ns, ip4("10.244.0.8"), veth, err,
				       sizeof(err)), 0);
	assert_int_equal(pod_reaches(pod_ns, node_ns, lab_node_addr(0), &from), 0);

	/* ... and after a crash left the name without a namespace. */
	assert_int_equal(podnet_detach(test_lab, 0, pod_ns, veth, err, sizeof(err)), 0);
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, pod_ns);
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL, 0);
		assert_true(fd >= 0);
		close(fd);
	}
	assert_int_equal(podnet_attach(test_lab, 0, pod_ns, ip4("10.244.0.9"), veth, err,
				       sizeof(err)), 0);
	assert_int_equal(pod_reaches(pod_ns, node_ns, lab_node_addr(0), &from), 0);
	assert_int_equal(from.s_addr, ip4("10.244.0.9").s_addr);

	/* Detach removes both; twice is fine. */
	assert_int_equal(podnet_detach(test_lab, 0, pod_ns, veth, err, sizeof(err)), 0);
	assert_false(netns_exists(pod_ns));
	assert_int_equal(nl_link_get(&node, veth, &link, err, sizeof(err)), -ENODEV);
	assert_int_equal(podnet_detach(test_lab, 0, pod_ns, veth, err, sizeof(err)), 0);

	/* A node that does not exist is a clear error. */
	assert_true(podnet_attach(test_lab, 5, pod_ns, ip4("10.244.5.2"), veth, err,
				  sizeof(err)) < 0);
	assert_non_null(strstr(err, "node5"));
	assert_false(netns_exists(pod_ns));

	nl_close(&node);
	assert_int_equal(netns_delete(node_ns), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netns_lifecycle),
		cmocka_unit_test(test_netns_pids),
		cmocka_unit_test(test_nl_links),
		cmocka_unit_test(test_nl_addrs_routes_rules),
		cmocka_unit_test(test_podnet_attach_detach),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
