/* compare.h — the pure parts of `clientip compare` (cli/cmd_compare.c),
 * exposed for the unit test: choosing strategies, reading an answer of
 * clientip-echo's /json, the spread over pods. The measuring itself runs
 * against a real lab in tests/integration/test_compare.sh. */
#ifndef CLIENTIP_COMPARE_H
#define CLIENTIP_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* cluster, local, local-spread, dsr, gateway, in that order. */
#define CMP_NSTRATEGIES 5

/* Sets want[i] for each name in a comma-separated list; -1 on an unknown
 * name or an empty list. */
int cmp_parse_strategies(const char *list, bool want[CMP_NSTRATEGIES]);

/* Whether an answer of clientip-echo's /json (parsed) names addr (an IPv4
 * address, IPv4-mapped in the answer or not) as its "client". */
bool cmp_saw_client(const json_t *answer, const char *addr);
/* The objects of kind ("rule", "counter") in `nft -j` output, in order:
 * *i starts at 0 and moves past each one. NULL when no more. */
const json_t *cmp_nft_next(const json_t *doc, const char *kind, size_t *i);

/* Requests per pod, max/min, from the answers each of n pods got; -1 when
 * there is no pod or one got nothing (the ratio has no value). */
double cmp_spread(const int *answers, int n);

#endif
