/* proxy_render.h — the ruleset model (proxy_rules.h) as nft scripts for
 * libnftables: a full replacement, or the difference from what is
 * programmed. */
#ifndef CLIENTIP_PROXY_RENDER_H
#define CLIENTIP_PROXY_RENDER_H

#include <stdint.h>

#include "buf.h"
#include "proxy_rules.h"

/* The whole table as one atomic replacement: "table ip kube-proxy {}",
 * "delete table ip kube-proxy", then the table with everything in it, so
 * one nft_run_cmd_from_buffer() swaps old for new with no gap. */
void proxy_render_full(const struct proxy_ruleset *rs, struct buf *out);

/* Chains that a diff emptied and that may be deleted once nothing can
 * still reference them (kube-proxy waits a second for older kernels). */
struct proxy_stale {
	char **names;
	uint64_t *since_ms;
	int n;
	int cap;
};

struct proxy_diff_stats {
	int chains_added, chains_changed, chains_flushed;
	int sets_added, sets_deleted;
	int elems_added, elems_deleted;
	int stale_deleted;
};

/* The commands that turn `old` (what is programmed) into `new`. Returns 1
 * when there is something to send, 0 when the two are the same, and -1
 * when only a full replacement can get there (base or layout changed, an
 * affinity set's declaration changed). Chains that disappear are flushed
 * and recorded in `stale`; those recorded at least stale_after_ms before
 * now_ms are deleted. */
int proxy_render_diff(const struct proxy_ruleset *old, const struct proxy_ruleset *new_rs,
			    struct proxy_stale *stale, uint64_t now_ms,
			    uint64_t stale_after_ms, struct buf *out,
			    struct proxy_diff_stats *st);
/* Commands deleting the stale chains old enough; 0 when none. */
int proxy_render_stale(struct proxy_stale *stale, uint64_t now_ms, uint64_t after_ms,
		       struct buf *out);
void proxy_render_stale_clear(struct proxy_stale *stale);

#endif
