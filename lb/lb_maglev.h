/* lb_maglev.h — Maglev consistent lookup tables for a rule's new flows.
 *
 * The edge picks a node for a new flow by hashing the flow into a table of
 * M entries, each naming a node (Eisenbud et al., "Maglev: A Fast and
 * Reliable Software Network Load Balancer", NSDI 2016). Each backend has
 * its own permutation of the M slots, (offset + j * skip) mod M, with
 * offset and skip hashed from its stable name; backends take turns
 * claiming the next free slot of their permutation until the table is
 * full. So every backend gets ⌊M/N⌋ or ⌈M/N⌉ entries, and when one
 * backend leaves or joins the pool, the other backends mostly keep their
 * slots: about 1/N of the flows move instead of most of them, as with a
 * hash taken modulo the number of backends.
 *
 * Pure functions: the same names in the same order always give the same
 * table, in every build and on every machine (lib/hash's FNV-1a), so a
 * restarted daemon distributes new flows as before.
 */
#ifndef CLIENTIP_LB_MAGLEV_H
#define CLIENTIP_LB_MAGLEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The table size of the edge's rules: a prime, so that every skip in
 * 1..M-1 walks all M slots. It has to be much larger than the number of
 * backends (the paper uses M > 100 N) for two reasons: the shares differ
 * by one slot, 1/(M/N) of a backend's share, and a change of the pool
 * moves slots beyond the ideal 1/N roughly in proportion to N/M. And it
 * has to stay small, because each rule of the edge carries its table as
 * one anonymous nft map of M elements and the whole ruleset is replaced
 * on every probe flip. A lab has at most 32 nodes (LAB_MAX_NODES): with
 * 1021 slots the shares stay within ±3 % at 32 nodes, a node going Down
 * moves 7 % of new flows at 32 nodes where 3.1 % is ideal (251 slots: 10 %),
 * and a ruleset replace at 32 nodes takes 3.6 ms for one rule and 55 ms for
 * 16 (251: 1.7 and 25 ms; the former modulo map: 1.2 and 15 ms;
 * bench/lb_churn.sh measures these). */
#define LB_MAGLEV_SIZE 1021
/* The largest table the renderer takes (bench/ tries sizes). */
#define LB_MAGLEV_MAX_SIZE 4093

/* The most backends a table is built for (the lab has LAB_MAX_NODES). */
#define LB_MAGLEV_MAX_BACKENDS 256

/* One backend's permutation of the M slots. */
struct lb_maglev_perm {
	uint32_t offset;               /* first slot, 0 .. M-1 */
	uint32_t skip;                 /* step, 1 .. M-1 */
};

/* The permutation of backend `name` in a table of m slots (m prime). */
struct lb_maglev_perm lb_maglev_perm(const char *name, uint32_t m);

/* true if m is prime. */
bool lb_maglev_is_prime(uint32_t m);

/* Fills table[0..m) with indices into names[0..n): the Maglev lookup
 * table of those backends. m must be a prime >= n, 1 <= n <=
 * LB_MAGLEV_MAX_BACKENDS. Returns 0, or -EINVAL with a message in err
 * (table untouched). Allocates nothing. */
int lb_maglev_build(const char *const *names, int n, uint32_t m, int *table,
		    char *err, size_t errlen);

#endif
