/* nftrun.h — running nft commands through libnftables, the way every part
 * of clientip needs it (lib/README.md, "nftables 1.0.6").
 *
 * A context talks to the network namespace it was created in, so create it
 * inside the target namespace (netns_run) and keep one per namespace.
 * Output and error go to the context's buffers, which the next command
 * reuses: nftrun_cmd copies what it needs right away and drains both, so a
 * message never carries over to the next command.
 */
#ifndef CLIENTIP_NFTRUN_H
#define CLIENTIP_NFTRUN_H

#include <nftables/libnftables.h>
#include <stddef.h>

#include "buf.h"

/* A context with buffered output and error, or NULL. nft_ctx_free() it. */
struct nft_ctx *nftrun_ctx_new(void);

/* Runs cmd (one atomic batch when it holds several commands). On success
 * appends its output to out (if not NULL) and returns 0; on failure returns
 * -1 with nft's message, trimmed to one line's end, in err. */
int nftrun_cmd(struct nft_ctx *ctx, const char *cmd, struct buf *out, char *err, size_t errlen);

#endif
