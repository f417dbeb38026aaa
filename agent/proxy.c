/* proxy.c — placeholder until the service proxy is built. */
#include <stdlib.h>

#include "proxy.h"

struct proxy {
	int unused;
};

struct proxy *proxy_new(struct ev_loop *loop, const struct agent_config *cfg,
			    char *err, size_t errlen)
{
	(void)loop;
	(void)cfg;
	(void)err;
	(void)errlen;
	return calloc(1, sizeof(struct proxy));
}

void proxy_sync(struct proxy *k)
{
	(void)k;
}

void proxy_free(struct proxy *k)
{
	free(k);
}
