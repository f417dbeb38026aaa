/* ctdel.c — see ctdel.h. */
#include "ctdel.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

/* Walks of the table at most per call (see ctdel_delete_if). */
#define CTDEL_MAX_WALKS 4

struct ctdel_scan {
	ctdel_match_fn *match;
	void *data;
	struct nf_conntrack **victims;
	int n, cap;
	bool oom;
};

static int ctdel_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct ctdel_scan *s = data;

	(void)type;
	if (!s->match(ct, s->data))
		return NFCT_CB_CONTINUE;
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		struct nf_conntrack **v = realloc(s->victims, (size_t)cap * sizeof(*v));

		if (!v) {
			s->oom = true;
			return NFCT_CB_STOP;
		}
		s->victims = v;
		s->cap = cap;
	}
	s->victims[s->n] = nfct_clone(ct);
	if (s->victims[s->n])
		s->n++;
	return NFCT_CB_CONTINUE;
}

/* One walk: dump, then delete what matched. The number of entries that
 * matched (deleted or gone meanwhile), or -1. */
static int ctdel_walk(struct nfct_handle *h, ctdel_match_fn *match, void *data, int *deleted,
		      char *err, size_t errlen)
{
	struct ctdel_scan s = { .match = match, .data = data };
	uint32_t family = AF_INET;
	int rc = -1;

	nfct_callback_register(h, NFCT_T_ALL, ctdel_cb, &s);
	if (nfct_query(h, NFCT_Q_DUMP, &family) < 0) {
		snprintf(err, errlen, "conntrack dump: %s", strerror(errno));
		nfct_callback_unregister(h);
		goto out;
	}
	nfct_callback_unregister(h);
	for (int i = 0; i < s.n; i++)
		if (nfct_query(h, NFCT_Q_DESTROY, s.victims[i]) == 0)
			(*deleted)++;
	if (s.oom)
		snprintf(err, errlen, "%s", strerror(ENOMEM));
	else
		rc = s.n;
out:
	for (int i = 0; i < s.n; i++)
		nfct_destroy(s.victims[i]);
	free(s.victims);
	return rc;
}

int ctdel_delete_if(ctdel_match_fn *match, void *data, char *err, size_t errlen)
{
	struct nfct_handle *h;
	int deleted = 0, found = 0;

	h = nfct_open(CONNTRACK, 0);
	if (!h) {
		snprintf(err, errlen, "nfct_open: %s", strerror(errno));
		return -1;
	}
	/* A dump is not a snapshot: it walks the kernel's hash table (shared
	 * by every namespace) in batches while entries come and go, and can
	 * miss some; the load balancer left a released frontend answering that
	 * way. A walk that found something is therefore followed by another,
	 * until one finds nothing (or CTDEL_MAX_WALKS). */
	for (int walk = 0; walk < CTDEL_MAX_WALKS; walk++) {
		found = ctdel_walk(h, match, data, &deleted, err, errlen);
		if (found <= 0)
			break;
	}
	nfct_close(h);
	return found < 0 ? -1 : deleted;
}
