/* kubelet.c — placeholder until the pod runtime is built. */
#include <stdlib.h>

#include "kubelet.h"

struct kubelet {
	int unused;
};

struct kubelet *kubelet_new(struct ev_loop *loop, const struct agent_config *cfg,
			    char *err, size_t errlen)
{
	(void)loop;
	(void)cfg;
	(void)err;
	(void)errlen;
	return calloc(1, sizeof(struct kubelet));
}

void kubelet_sync(struct kubelet *k)
{
	(void)k;
}

void kubelet_free(struct kubelet *k)
{
	free(k);
}
