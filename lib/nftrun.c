/* nftrun.c — see nftrun.h. */
#include "nftrun.h"

#include <stdio.h>
#include <string.h>

struct nft_ctx *nftrun_ctx_new(void)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);

	if (ctx && (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0)) {
		nft_ctx_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

int nftrun_cmd(struct nft_ctx *ctx, const char *cmd, struct buf *out, char *err, size_t errlen)
{
	int rc = nft_run_cmd_from_buffer(ctx, cmd);
	/* Both buffers are read every time so neither carries over. */
	const char *o = nft_ctx_get_output_buffer(ctx);
	const char *e = nft_ctx_get_error_buffer(ctx);
	size_t n;

	if (rc == 0) {
		if (out)
			buf_puts(out, o ? o : "");
		return 0;
	}
	snprintf(err, errlen, "%s", e && *e ? e : "nft failed without a message");
	n = strlen(err);
	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
	return -1;
}
