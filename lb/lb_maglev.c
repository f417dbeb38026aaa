/* lb_maglev.c — see lb_maglev.h. */
#include "lb_maglev.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"

/* A second FNV-1a starting point for the skip, so offset and skip are two
 * independent-looking hashes of the same name (any odd-looking constant
 * other than the standard basis would do; it is fixed forever, since
 * changing it moves every flow of every rule). */
#define LB_MAGLEV_SKIP_SEED 0x9e3779b97f4a7c15ULL

/* FNV-1a's last step multiplies by the prime, so names that differ in
 * their last character ("node1", "node2") differ only in the low bits
 * times the prime; two more rounds over a fixed tail spread that
 * difference over the whole word before it is reduced modulo m. */
static uint64_t lb_maglev_hash(uint64_t seed, const char *name)
{
	static const char tail[] = "\x5a\xa5";
	uint64_t h = hash_fnv1a64(seed, name, strlen(name));

	return hash_fnv1a64(h, tail, sizeof(tail) - 1);
}

struct lb_maglev_perm lb_maglev_perm(const char *name, uint32_t m)
{
	struct lb_maglev_perm p = { 0, 1 };

	if (m < 2)
		return p;
	p.offset = (uint32_t)(lb_maglev_hash(HASH_FNV1A64_INIT, name) % m);
	p.skip = (uint32_t)(lb_maglev_hash(LB_MAGLEV_SKIP_SEED, name) % (m - 1)) + 1;
	return p;
}

bool lb_maglev_is_prime(uint32_t m)
{
	if (m < 2)
		return false;
	for (uint32_t d = 2; (uint64_t)d * d <= m; d++)
		if (m % d == 0)
			return false;
	return true;
}

int lb_maglev_build(const char *const *names, int n, uint32_t m, int *table,
		    char *err, size_t errlen)
{
	/* Fixed arrays: the daemon renders its ruleset without a failure path
	 * for memory, and a lab has far fewer backends than this. */
	struct lb_maglev_perm perm[LB_MAGLEV_MAX_BACKENDS];
	uint32_t next[LB_MAGLEV_MAX_BACKENDS], filled = 0;

	if (n < 1 || n > LB_MAGLEV_MAX_BACKENDS || !lb_maglev_is_prime(m) || (uint32_t)n > m) {
		snprintf(err, errlen, "maglev: %d backends, table size %u: need 1 <= n <= %d, "
			 "n <= m, m prime", n, m, LB_MAGLEV_MAX_BACKENDS);
		return -EINVAL;
	}
	for (int i = 0; i < n; i++) {
		perm[i] = lb_maglev_perm(names[i], m);
		next[i] = 0;
	}
	for (uint32_t j = 0; j < m; j++)
		table[j] = -1;
	/* Each turn, every backend claims the first slot of its permutation
	 * that nobody holds yet. m is prime, so each permutation visits every
	 * slot and a backend always finds one while the table has room. */
	while (filled < m) {
		for (int i = 0; i < n && filled < m; i++) {
			uint32_t c;

			do {
				c = (uint32_t)((perm[i].offset +
						(uint64_t)next[i] * perm[i].skip) % m);
				next[i]++;
			} while (table[c] >= 0);
			table[c] = i;
			filled++;
		}
	}
	return 0;
}
