/* lb_nft.h — the load balancer's data path: `table ip azure-lb`.
 *
 * The whole table is rendered from the current Services and probe results
 * and replaced in one libnftables batch ("table {}; delete table; table
 * {...}"), so a packet sees either the old or the new ruleset, never half
 * of one. Flows in progress do not depend on the table's contents: their
 * backend is in their conntrack entry (ct mark), which a replace leaves
 * alone.
 *
 * Per load-balancing rule (a Service port) the table holds a chain
 * svc_<ns>_<name>_<proto>_<port> that picks a backend for each new flow
 * among the backends that rule's probe says are up (each rule has a pool
 * of its own) through the pool's Maglev lookup table (lb_maglev.h), and
 * per Service and backend node two counters:
 * flows_<ns>_<name>_node<i> (new flows sent there) and
 * traffic_<ns>_<name>_node<i> (every packet of those flows, both ways).
 * Counters survive a replace: the daemon reads them first and declares
 * them again with their values (lb_nft_read_counters). The annotated
 * ruleset is in lb/README.md, "The data path".
 */
#ifndef CLIENTIP_LB_NFT_H
#define CLIENTIP_LB_NFT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "lb.h"
#include "model.h"

#define LB_KEY_MAX (2 * MODEL_NAME_MAX)   /* "<ns>_<name>" */
#define LB_COUNTER_NAME_MAX (LB_KEY_MAX + 32)

/* One load-balancing rule: a frontend port and its pool. */
struct lb_nft_port {
	enum model_proto proto;
	int port;
	int node_port;
	int healthy[LB_MAX_BACKENDS];  /* node indices that take new flows, ascending */
	int n_healthy;
};

/* One Service with a frontend, as the data path sees it. */
struct lb_nft_svc {
	char key[LB_KEY_MAX];          /* "<ns>_<name>" */
	struct in_addr frontend;
	struct lb_nft_port ports[MODEL_MAX_PORTS];
	int n_ports;
	bool floating_ip;
	bool source_ip_affinity;
	int n_backends;                /* the backends: nodes 0 .. n_backends-1 */
	int idle_timeout_s;            /* TCP flows idle this long are forgotten; 0: never */
	bool tcp_reset;                /* their next packet gets an RST, not silence */
	/* How a new flow's hash picks among the healthy nodes: 0, the
	 * daemon's choice, is a Maglev table of LB_MAGLEV_SIZE entries; a
	 * prime up to LB_MAGLEV_MAX_SIZE is a table of that size; anything
	 * else (LB_NFT_MODULO) the hash modulo the healthy count, the former
	 * scheme, which bench/ compares against. */
	int table_size;
};

#define LB_NFT_MODULO (-1)

struct lb_nft_counter {
	char name[LB_COUNTER_NAME_MAX];
	uint64_t packets, bytes;
};

/* The chain of a rule: svc_<key>_tcp_80. */
void lb_nft_chain_name(const char *key, const struct lb_nft_port *p, char *out, size_t len);
/* Counter names of a Service and backend node. */
void lb_nft_flows_name(const char *key, int node, char *out, size_t len);
void lb_nft_traffic_name(const char *key, int node, char *out, size_t len);
void lb_nft_nobackend_name(const char *key, char *out, size_t len);

/* Appends the replace batch for svcs[0..n) to out. carry[] holds counter
 * values to declare again (found by name; others start at zero). */
void lb_nft_render(const struct lb_nft_svc *svcs, int n,
		   const struct lb_nft_counter *carry, int n_carry, struct buf *out);


/* A libnftables context for the calling thread's namespace. */
struct lb_nft;
struct lb_nft *lb_nft_new(char *err, size_t errlen);
void lb_nft_free(struct lb_nft *nft);
/* Runs a batch. 0 or -1 with libnftables' message in err. */
int lb_nft_run(struct lb_nft *nft, const char *text, char *err, size_t errlen);
/* Reads every counter of the table into *out (malloc'd, free()) and
 * returns the count; 0 if the table does not exist; -1 with err. */
int lb_nft_read_counters(struct lb_nft *nft, struct lb_nft_counter **out,
			 char *err, size_t errlen);
/* Parses `nft -j list counters` output (exposed for tests). */
int lb_nft_parse_counters(const char *json, size_t len, struct lb_nft_counter **out,
			  char *err, size_t errlen);
/* Finds a counter by name in a list; NULL if absent. */
const struct lb_nft_counter *lb_nft_counter_find(const struct lb_nft_counter *c, int n,
						  const char *name);

#endif
