/* nl.h — rtnetlink through libmnl: links, addresses, routes, rules.
 *
 * A netlink socket talks to the network namespace it was created in, for
 * its whole life. nl_open() takes the namespace to talk to, creates the
 * socket there and returns the calling thread to where it was, so one
 * process can hold sockets on several namespaces at once (the lab builder
 * programs the edge, every node and every client this way).
 *
 * Every call waits for the kernel's acknowledgement and returns 0 or
 * -errno; err receives "what failed: strerror" plus the kernel's extended
 * ack message when it sent one. Links are named, not numbered: names are
 * what the lab's plan fixes, indexes are looked up per call.
 */
#ifndef CLIENTIP_NL_H
#define CLIENTIP_NL_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mnl_socket;

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char *buf;              /* one request or one batch of replies */
};

/* A link as rtnetlink reports it. */
struct nl_link {
	int index;
	int master;             /* index of the bridge it is enslaved to, or 0 */
	unsigned int flags;     /* IFF_UP, ... */
	char name[IF_NAMESIZE];
	char kind[16];          /* "veth", "bridge", ... or "" */
};

/* An IPv4 address on a link. */
struct nl_addr {
	struct in_addr addr;
	int prefix;
};

/* An IPv4 route. dst/prefix 0/0 is the default route; gateway 0 means
 * directly connected; dev NULL lets the kernel pick by the gateway;
 * table 0 is the main table. */
struct nl_route {
	struct in_addr dst;
	int prefix;
	struct in_addr gateway;
	const char *dev;
	uint32_t table;
	bool onlink;            /* the gateway is on dev whatever its addresses */
};

/* An IPv4 policy rule: packets whose mark & mask == mark look up table. */
struct nl_rule {
	uint32_t fwmark;
	uint32_t fwmask;        /* 0 means 0xffffffff */
	uint32_t table;
	uint32_t priority;
	const char *iif;        /* only packets that came in on this link; NULL: any */
};

/* Opens a rtnetlink socket in namespace nsfd (-1: the caller's own). */
int nl_open(struct nl *nl, int nsfd, char *err, size_t errlen);
/* The same for a named namespace (NULL: the caller's own). */
int nl_open_name(struct nl *nl, const char *netns, char *err, size_t errlen);
void nl_close(struct nl *nl);

/* Looks a link up by name: 0, -ENODEV if there is none, or -errno. */
int nl_link_get(struct nl *nl, const char *name, struct nl_link *link,
		char *err, size_t errlen);
/* The index of a link, or -errno (-ENODEV if there is none). */
int nl_ifindex(struct nl *nl, const char *name, char *err, size_t errlen);

/* A veth pair: name here, peer named peer_name inside namespace peer_nsfd
 * (-1: here too). The peer never exists outside its namespace. */
int nl_veth_add(struct nl *nl, const char *name, const char *peer_name, int peer_nsfd,
		char *err, size_t errlen);
/* A bridge with a fixed MAC address (mac NULL: a random locally
 * administered one). A fixed address keeps the bridge from taking over the
 * lowest port address as ports come and go, which would invalidate the
 * neighbours' ARP entries for the gateway on it. */
int nl_bridge_add(struct nl *nl, const char *name, const uint8_t *mac,
		  char *err, size_t errlen);
int nl_link_del(struct nl *nl, const char *name, char *err, size_t errlen);
/* master NULL releases the link from its bridge. */
int nl_link_set_master(struct nl *nl, const char *name, const char *master,
		       char *err, size_t errlen);
int nl_link_set_up(struct nl *nl, const char *name, bool up, char *err, size_t errlen);
/* The link must be down. */
int nl_link_rename(struct nl *nl, const char *name, const char *newname,
		   char *err, size_t errlen);

int nl_addr_add(struct nl *nl, const char *dev, struct in_addr addr, int prefix,
		char *err, size_t errlen);
int nl_addr_del(struct nl *nl, const char *dev, struct in_addr addr, int prefix,
		char *err, size_t errlen);
/* Up to max IPv4 addresses of dev into out; the count found (may exceed
 * max), or -errno. */
int nl_addr_list(struct nl *nl, const char *dev, struct nl_addr *out, int max,
		 char *err, size_t errlen);

/* Forgets the neighbour (ARP) entry of addr on dev; 0 if there was none. */
int nl_neigh_del(struct nl *nl, const char *dev, struct in_addr addr, char *err, size_t errlen);

/* Adds a route; -EEXIST if the same destination is already routed. */
int nl_route_add(struct nl *nl, const struct nl_route *r, char *err, size_t errlen);
/* Adds or replaces the route to r's destination. */
int nl_route_replace(struct nl *nl, const struct nl_route *r, char *err, size_t errlen);
int nl_route_del(struct nl *nl, const struct nl_route *r, char *err, size_t errlen);

/* Adds a rule; -EEXIST if an identical one exists. */
int nl_rule_add(struct nl *nl, const struct nl_rule *r, char *err, size_t errlen);
int nl_rule_del(struct nl *nl, const struct nl_rule *r, char *err, size_t errlen);

/* Writes value to the sysctl key ("net.ipv4.ip_forward" or
 * "net/ipv4/ip_forward") as seen from namespace nsfd (-1: the caller's). */
int nl_sysctl_set(int nsfd, const char *key, const char *value, char *err, size_t errlen);
/* Reads it (trailing newline removed). */
int nl_sysctl_get(int nsfd, const char *key, char *value, size_t len,
		  char *err, size_t errlen);

#endif
