/* ctdel.c — see ctdel.h. */
#include "ctdel.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

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

int ctdel_delete_if(ctdel_match_fn *match, void *data, char *err, size_t errlen)
{
	struct ctdel_scan s = { .match = match, .data = data };
	struct nfct_handle *h;
	uint32_t family = AF_INET;
	int deleted = 0, rc = -1;

	h = nfct_open(CONNTRACK, 0);
	if (!h) {
		snprintf(err, errlen, "nfct_open: %s", strerror(errno));
		return -1;
	}
	nfct_callback_register(h, NFCT_T_ALL, ctdel_cb, &s);
	if (nfct_query(h, NFCT_Q_DUMP, &family) < 0) {
		snprintf(err, errlen, "conntrack dump: %s", strerror(errno));
		goto out;
	}
	nfct_callback_unregister(h);
	for (int i = 0; i < s.n; i++)
		if (nfct_query(h, NFCT_Q_DESTROY, s.victims[i]) == 0)
			deleted++;
	rc = s.oom ? -1 : deleted;
	if (s.oom)
		snprintf(err, errlen, "%s", strerror(ENOMEM));
out:
	for (int i = 0; i < s.n; i++)
		nfct_destroy(s.victims[i]);
	free(s.victims);
	nfct_close(h);
	return rc;
}
