/* proxy_rules_int.h — the ruleset builder's parts, shared by proxy_rules*.c
 * (not an API; the builder's API is proxy_rules.h). Private prefix gen_.
 *
 *   proxy_rules.c        the entry points, the fixed chains every node has,
 *                        names, and appending chains, rules and elements
 *   proxy_rules_svc.c    one Service's part: its chains, dispatch elements,
 *                        firewall, and the UDP ports for conntrack cleanup
 *   proxy_rules_ep.c     a Service port's endpoints: matched to the
 *                        Service, sorted, categorised as kube-proxy does
 *   proxy_rules_reuse.c  what a Service's part is built from, hashed, and
 *                        the part copied from the previous model when
 *                        that is unchanged
 *   proxy_rules_dsr.c    the ingress table of forwarding-mode dsr
 */
#ifndef CLIENTIP_PROXY_RULES_INT_H
#define CLIENTIP_PROXY_RULES_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "proxy_rules.h"

#define PROXY_NAME_MAX 256   /* nftables' limit for chain and set names */

/* One endpoint of the Service port being built. */
struct gen_ep {
	struct in_addr addr;
	int port;
	bool local, ready, serving, terminating;
	int node_index;                   /* lab_node_index of its node, -1 unknown */
	char base[PROXY_NAME_MAX];        /* endpoint chain / affinity set suffix */
};

/* One build: the model being filled, the previous one its unchanged
 * Services are copied from, and scratch for the port being built. */
struct gen {
	struct proxy_ruleset *rs;
	const struct proxy_node *node;
	const struct proxy_ruleset *prev;
	const struct proxy_svc_rec **prev_sorted;   /* prev's records by ns/name */
	int prev_cursor;
	uint64_t seed;                              /* node and layout: what every part depends on */
	int cap_objs, cap_elems, cap_stats, cap_udp, cap_udp_eps;
	char cidr[INET_ADDRSTRLEN + 4];
	bool compact;
	/* scratch, per service port */
	struct gen_ep *eps;
	int n_eps, cap_eps;
	int *cluster, *local, *reach;
	int n_cluster, n_local, n_reach;
	int cap_idx;
	bool oom;
};

static inline const char *gen_proto(enum model_proto p)
{
	return p == MODEL_PROTO_UDP ? "udp" : "tcp";
}

/* ---- names (proxy_rules.c) ------------------------------------------------ */

/* A Service port's label in chain names: its name, else its number. */
void gen_port_label(const char *port_name, int port, char *out, size_t outlen);
/* An endpoint chain's (and affinity set's) name after its prefix. */
void gen_endpoint_base(const char *ns, const char *name, enum model_proto proto,
		       const char *label, struct in_addr addr, int port,
		       char *out, size_t outlen);

/* ---- appending to the model (proxy_rules.c) ------------------------------- */

/* Starts a chain or set named prefix + base; its body follows. */
void gen_obj_begin(struct gen *g, enum proxy_obj_kind kind, const char *prefix,
		   const char *base);
/* Appends one rule (or set declaration line) to the object being built. */
void gen_line(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds one element of a map or set. */
void gen_elem(struct gen *g, enum proxy_map map, const char *key, const char *rest);

/* ---- endpoints (proxy_rules_ep.c) ----------------------------------------- */

/* The Endpoints of ns/name among sorted (by gen_cmp_eps_ptr), or NULL;
 * cursor (may be NULL) remembers where the last one was found. */
const struct model_endpoints *gen_find_eps(const struct model_endpoints *const *sorted,
					   int n, const char *ns, const char *name, int *cursor);
int gen_cmp_eps_ptr(const void *a, const void *b);
/* The endpoints of one Service port into g->eps, sorted and without
 * duplicates. 0 or -1 (out of memory). */
int gen_collect(struct gen *g, const struct model_service *svc,
		const struct model_service_port *sp, int idx,
		const struct model_endpoints *e, const char *label);
/* kube-proxy's CategorizeEndpoints into g->cluster, g->local, g->reach;
 * whether any endpoint serves at all. */
bool gen_categorize(struct gen *g, bool uses_cluster, bool uses_local);

/* ---- one Service (proxy_rules_svc.c, proxy_rules_reuse.c) ----------------- */

/* One Service: reused from the previous model when its inputs are the
 * same, built (gen_service_part) otherwise. 0 or -1 (out of memory). */
int gen_service(struct gen *g, const struct model_service *svc,
		const struct model_endpoints *e, bool handover);
int gen_service_part(struct gen *g, const struct model_service *svc,
		     const struct model_endpoints *e, bool handover);
/* The hash step every part's hash is made of. */
uint64_t gen_mix(uint64_t h, uint64_t v);
uint64_t gen_mix_str(uint64_t h, const char *s);
/* Orders the previous model's records by namespace and name. */
int gen_cmp_rec_ptr(const void *a, const void *b);

/* ---- forwarding-mode dsr (proxy_rules_dsr.c) ------------------------------ */

/* The DSR program's frontend map into g->rs->dsr_entries. 0 or -1 (out of
 * memory). */
int gen_dsr_frontends(struct gen *g, const struct model_service *svcs, int n_svcs,
		      const struct model_endpoints *const *sorted, int n_eps);

#endif
