/* podnet.c — see podnet.h. */
#include "podnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "hash.h"
#include "lab.h"
#include "netns.h"
#include "nl.h"

#define PODNET_BRIDGE "cbr0"
#define PODNET_IFNAME "eth0"
#define PODNET_MAX_ADDRS 8

char *podnet_veth_name(const char *pod_ns, const char *pod, char *buf, size_t len)
{
	uint32_t h = HASH_FNV1A32_INIT;   /* stable across builds and machines */

	h = hash_fnv1a32(h, pod_ns, strlen(pod_ns));
	h = hash_fnv1a32(h, "/", 1);
	h = hash_fnv1a32(h, pod, strlen(pod));
	snprintf(buf, len, "veth%08x", (unsigned)h);
	return buf;
}

static void podnet_node_netns(const char *lab, int node_index, char *buf, size_t len)
{
	char role[16];

	snprintf(role, sizeof(role), "node%d", node_index);
	lab_netns_name(lab, role, buf, len);
}

/* Opens the pod namespace, creating it if needed. A name left behind by a
 * crash between creating the file and mounting the namespace on it cannot
 * be entered: it is removed and made again. */
static int podnet_pod_ns(const char *pod_netns, struct nl *pod, int *fd, char *err, size_t errlen)
{
	int rc;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (!netns_exists(pod_netns)) {
			rc = netns_create(pod_netns, err, errlen);
			if (rc < 0 && rc != -EEXIST)
				return rc;
		}
		*fd = netns_open(pod_netns);
		if (*fd < 0) {
			snprintf(err, errlen, "namespace %s: %s", pod_netns, strerror(-*fd));
			return *fd;
		}
		rc = nl_open(pod, *fd, err, errlen);
		if (rc == 0)
			return 0;
		close(*fd);
		*fd = -1;
		if (rc != -EINVAL || attempt > 0)
			return rc;
		netns_delete(pod_netns);
	}
	return -EINVAL;
}

/* Leaves exactly ip/prefix on dev: a pod re-attached with another address
 * must not keep answering on the old one. */
static int podnet_converge_addr(struct nl *nl, const char *dev, struct in_addr ip, int prefix,
				char *err, size_t errlen)
{
	struct nl_addr addrs[PODNET_MAX_ADDRS];
	bool have = false;
	int n, rc;

	n = nl_addr_list(nl, dev, addrs, PODNET_MAX_ADDRS, err, errlen);
	if (n < 0)
		return n;
	for (int i = 0; i < n && i < PODNET_MAX_ADDRS; i++) {
		if (addrs[i].addr.s_addr == ip.s_addr && addrs[i].prefix == prefix) {
			have = true;
			continue;
		}
		rc = nl_addr_del(nl, dev, addrs[i].addr, addrs[i].prefix, err, errlen);
		if (rc < 0 && rc != -EADDRNOTAVAIL)
			return rc;
	}
	if (have)
		return 0;
	rc = nl_addr_add(nl, dev, ip, prefix, err, errlen);
	return rc == -EEXIST ? 0 : rc;
}

/* Runs in the pod's namespace: a gratuitous ARP (sender and target both
 * the pod's address, broadcast) from eth0. 0 or -errno. */
static int podnet_garp_in_pod(void *arg)
{
	const struct in_addr *ip = arg;
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP), .sll_halen = ETH_ALEN,
		.sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	struct ether_arp pkt = { 0 };
	struct ifreq ifr = { 0 };
	int fd, rc = 0;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", PODNET_IFNAME);
	to.sll_ifindex = (int)if_nametoindex(PODNET_IFNAME);
	if (to.sll_ifindex == 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		rc = -errno;
		goto out;
	}
	pkt.arp_hrd = htons(ARPHRD_ETHER);
	pkt.arp_pro = htons(ETH_P_IP);
	pkt.arp_hln = ETH_ALEN;
	pkt.arp_pln = 4;
	pkt.arp_op = htons(ARPOP_REQUEST);
	memcpy(pkt.arp_sha, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	memcpy(pkt.arp_spa, &ip->s_addr, 4);
	memcpy(pkt.arp_tpa, &ip->s_addr, 4);
	if (sendto(fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		rc = -errno;
out:
	close(fd);
	return rc;
}

int podnet_attach(const char *lab, int node_index, const char *pod_netns, struct in_addr ip,
		  const char *host_veth, char *err, size_t errlen)
{
	struct nl node = { 0 }, pod = { 0 };
	struct nl_link hl, pl, br;
	struct nl_route def = { .prefix = 0, .dev = PODNET_IFNAME };
	char node_netns[128];
	int pod_fd = -1, rc, hrc, prc;

	if (node_index < 0 || node_index >= LAB_MAX_NODES) {
		snprintf(err, errlen, "node index %d out of range", node_index);
		return -EINVAL;
	}
	podnet_node_netns(lab, node_index, node_netns, sizeof(node_netns));
	rc = nl_open_name(&node, node_netns, err, errlen);
	if (rc < 0)
		goto out;
	rc = nl_link_get(&node, PODNET_BRIDGE, &br, err, errlen);
	if (rc < 0)
		goto out;
	rc = podnet_pod_ns(pod_netns, &pod, &pod_fd, err, errlen);
	if (rc < 0)
		goto out;

	/* The two ends of a veth live and die together, so one end without
	 * the other is not this pod's pair (a namespace recreated after a
	 * crash took its old eth0 and the node end with it): start afresh. */
	hrc = nl_link_get(&node, host_veth, &hl, err, errlen);
	prc = nl_link_get(&pod, PODNET_IFNAME, &pl, err, errlen);
	if ((hrc < 0 && hrc != -ENODEV) || (prc < 0 && prc != -ENODEV)) {
		rc = hrc < 0 && hrc != -ENODEV ? hrc : prc;
		goto out;
	}
	if (hrc == 0 && prc == -ENODEV) {
		rc = nl_link_del(&node, host_veth, err, errlen);
		if (rc < 0 && rc != -ENODEV)
			goto out;
		hrc = -ENODEV;
	}
	if (prc == 0 && hrc == -ENODEV) {
		rc = nl_link_del(&pod, PODNET_IFNAME, err, errlen);
		if (rc < 0 && rc != -ENODEV)
			goto out;
		prc = -ENODEV;
	}
	if (hrc == -ENODEV) {
		rc = nl_veth_add(&node, host_veth, PODNET_IFNAME, pod_fd, err, errlen);
		if (rc < 0)
			goto out;
		hl.master = 0;
	}

	if (hl.master != br.index) {
		rc = nl_link_set_master(&node, host_veth, PODNET_BRIDGE, err, errlen);
		if (rc < 0)
			goto out;
	}
	if ((rc = nl_link_set_up(&node, host_veth, true, err, errlen)) < 0 ||
	    (rc = nl_link_set_up(&pod, "lo", true, err, errlen)) < 0 ||
	    (rc = nl_link_set_up(&pod, PODNET_IFNAME, true, err, errlen)) < 0)
		goto out;
	rc = podnet_converge_addr(&pod, PODNET_IFNAME, ip, LAB_POD_PREFIX, err, errlen);
	if (rc < 0)
		goto out;
	def.gateway = lab_node_pod_gateway(node_index);
	rc = nl_route_replace(&pod, &def, err, errlen);
	if (rc < 0)
		goto out;
	/* Pod addresses are reused. The node (and any pod on its bridge) may
	 * still hold a neighbour entry with the MAC of the pod that had this
	 * address before: it would send there until the entry fails, 5 to 15 s
	 * of SYNs into the void. The node forgets its entry, so that it asks
	 * afresh; a gratuitous ARP, as the CNI bridge plugin sends one, tells
	 * the pods on the bridge. The announcement is best effort: sent the
	 * moment the link is up, it can be lost while the bridge is still
	 * enabling the port, which is why the node's entry is not left to it. */
	rc = nl_neigh_del(&node, PODNET_BRIDGE, ip, err, errlen);
	if (rc < 0)
		goto out;
	netns_run(pod_fd, podnet_garp_in_pod, &ip);
out:
	nl_close(&pod);
	nl_close(&node);
	if (pod_fd >= 0)
		close(pod_fd);
	return rc;
}

int podnet_detach(const char *lab, int node_index, const char *pod_netns,
		  const char *host_veth, char *err, size_t errlen)
{
	struct nl node = { 0 };
	char node_netns[128];
	int rc;

	if (node_index < 0 || node_index >= LAB_MAX_NODES) {
		snprintf(err, errlen, "node index %d out of range", node_index);
		return -EINVAL;
	}
	podnet_node_netns(lab, node_index, node_netns, sizeof(node_netns));
	/* Deleting the node end takes eth0 in the pod with it at once, even if
	 * a process still holds the pod namespace open. */
	rc = nl_open_name(&node, node_netns, err, errlen);
	if (rc == 0) {
		rc = nl_link_del(&node, host_veth, err, errlen);
		nl_close(&node);
		if (rc < 0 && rc != -ENODEV)
			return rc;
	} else if (rc != -ENOENT) {
		return rc;
	}
	rc = netns_delete(pod_netns);
	if (rc < 0 && rc != -ENOENT) {
		snprintf(err, errlen, "delete namespace %s: %s", pod_netns, strerror(-rc));
		return rc;
	}
	return 0;
}
