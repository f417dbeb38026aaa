/* proxy_dsr.c — loads DSR's tc program (proxy_dsr.bpf.c, through the
 * skeleton the build generates from it) and keeps its frontend map; see
 * proxy_dsr.h. The entries come from proxy_rules_dsr.c. */
#include "proxy_dsr.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "log.h"
#include "proxy_dsr.skel.h"

/* tc's handle and priority of the program on the underlay's ingress: an
 * agent that starts again replaces the one an earlier agent attached. */
#define DSR_TC_HANDLE   0xd5
#define DSR_TC_PRIORITY 1

enum dsr_attach_state {
	DSR_UNKNOWN,       /* before the first sync: an earlier agent's may be there */
	DSR_ATTACHED,
	DSR_DETACHED,
};

struct proxy_dsr {
	struct proxy_dsr_bpf *skel;
	int ifindex;
	enum dsr_attach_state state;
	struct proxy_dsr_entry *cur;   /* what the map holds */
	int n_cur;
};

/* libbpf's own messages: its warnings say why a load failed (the
 * verifier's reason), and go to the log beside the agent's own; the rest
 * is chatter. */
__attribute__((format(printf, 2, 0)))
static int dsr_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[512];

	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("proxy: libbpf: %s", msg);
	return 0;
}

int proxy_dsr_open(struct proxy_dsr **out, const struct agent_config *cfg,
		   char *err, size_t errlen)
{
	struct proxy_dsr *d;
	int rc;

	*out = NULL;
	libbpf_set_print(dsr_libbpf_print);
	d = calloc(1, sizeof(*d));
	if (!d) {
		log_errf(err, errlen, "out of memory");
		return -1;
	}
	d->ifindex = (int)if_nametoindex(PROXY_DSR_UNDERLAY_DEV);
	if (d->ifindex == 0) {
		log_errf(err, errlen, "%s: %s", PROXY_DSR_UNDERLAY_DEV, strerror(errno));
		goto fail;
	}
	d->skel = proxy_dsr_bpf__open();
	if (!d->skel) {
		log_errf(err, errlen, "opening the tc program: %s", strerror(errno));
		goto fail;
	}
	d->skel->rodata->dsr_node_addr = cfg->node_addr.s_addr;
	d->skel->rodata->dsr_ifindex = (__u32)d->ifindex;
	rc = proxy_dsr_bpf__load(d->skel);
	if (rc < 0) {
		log_errf(err, errlen, "loading the tc program: %s", strerror(-rc));
		goto fail;
	}
	*out = d;
	return 0;
fail:
	proxy_dsr_close(d);
	return -1;
}

static bool dsr_same_frontend(const struct proxy_dsr_frontend *a,
			      const struct proxy_dsr_frontend *b)
{
	return a->addr == b->addr && a->port == b->port && a->proto == b->proto;
}

static const struct proxy_dsr_entry *dsr_find(const struct proxy_dsr_entry *entries, int n,
					      const struct proxy_dsr_frontend *fe)
{
	for (int i = 0; i < n; i++)
		if (dsr_same_frontend(&entries[i].frontend, fe))
			return &entries[i];
	return NULL;
}

static int dsr_attach(struct proxy_dsr *d, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = d->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = DSR_TC_HANDLE, .priority = DSR_TC_PRIORITY,
		    .flags = BPF_TC_F_REPLACE,
		    .prog_fd = bpf_program__fd(d->skel->progs.dsr_ingress));
	int rc;

	/* The clsact qdisc, unless an earlier agent made it. */
	rc = bpf_tc_hook_create(&hook);
	if (rc < 0 && rc != -EEXIST) {
		log_errf(err, errlen, "tc hook on %s: %s", PROXY_DSR_UNDERLAY_DEV, strerror(-rc));
		return -1;
	}
	rc = bpf_tc_attach(&hook, &opts);
	if (rc < 0) {
		log_errf(err, errlen, "attaching the tc program to %s: %s",
			 PROXY_DSR_UNDERLAY_DEV, strerror(-rc));
		return -1;
	}
	d->state = DSR_ATTACHED;
	return 0;
}

/* Without a DSR frontend no program: the underlay's packets go straight
 * on, and an earlier agent's program (with its own map) goes away. */
static int dsr_detach(struct proxy_dsr *d, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = d->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = DSR_TC_HANDLE, .priority = DSR_TC_PRIORITY);
	int rc = bpf_tc_detach(&hook, &opts);

	/* ENOENT: no such filter; EINVAL: no clsact qdisc at all. */
	if (rc < 0 && rc != -ENOENT && rc != -EINVAL) {
		log_errf(err, errlen, "detaching the tc program from %s: %s",
			 PROXY_DSR_UNDERLAY_DEV, strerror(-rc));
		return -1;
	}
	d->state = DSR_DETACHED;
	return 0;
}

int proxy_dsr_sync(struct proxy_dsr *d, const struct proxy_dsr_entry *entries, int n,
		   char *err, size_t errlen)
{
	struct bpf_map *map = d->skel->maps.dsr_frontends;
	struct proxy_dsr_entry *copy = NULL;
	int rc;

	if (n > PROXY_DSR_MAX_FRONTENDS) {
		log_errf(err, errlen, "%d DSR frontend ports, at most %d", n, PROXY_DSR_MAX_FRONTENDS);
		return -1;
	}
	/* Nothing to do only when the map holds these entries and the hook
	 * is as they want it: an attach that failed is tried again. */
	if (d->state == (n > 0 ? DSR_ATTACHED : DSR_DETACHED) && n == d->n_cur &&
	    (n == 0 || memcmp(entries, d->cur, (size_t)n * sizeof(*entries)) == 0))
		return 0;
	/* New and changed entries first, then the ones that went away: each
	 * update replaces one entry whole, so a packet sees its frontend's
	 * old slots or its new ones. */
	for (int i = 0; i < n; i++) {
		const struct proxy_dsr_entry *old = dsr_find(d->cur, d->n_cur, &entries[i].frontend);

		if (old && memcmp(&old->slots, &entries[i].slots, sizeof(old->slots)) == 0)
			continue;
		rc = bpf_map__update_elem(map, &entries[i].frontend, sizeof(entries[i].frontend),
					  &entries[i].slots, sizeof(entries[i].slots), BPF_ANY);
		if (rc < 0) {
			log_errf(err, errlen, "updating the DSR frontend map: %s", strerror(-rc));
			return -1;
		}
	}
	for (int i = 0; i < d->n_cur; i++) {
		if (dsr_find(entries, n, &d->cur[i].frontend))
			continue;
		rc = bpf_map__delete_elem(map, &d->cur[i].frontend, sizeof(d->cur[i].frontend), 0);
		if (rc < 0 && rc != -ENOENT) {
			log_errf(err, errlen, "updating the DSR frontend map: %s", strerror(-rc));
			return -1;
		}
	}
	if (n > 0) {
		copy = malloc((size_t)n * sizeof(*copy));
		if (!copy) {
			log_errf(err, errlen, "out of memory");
			return -1;
		}
		memcpy(copy, entries, (size_t)n * sizeof(*copy));
	}
	free(d->cur);
	d->cur = copy;
	d->n_cur = n;
	if (n > 0)
		return d->state == DSR_ATTACHED ? 0 : dsr_attach(d, err, errlen);
	return d->state == DSR_DETACHED ? 0 : dsr_detach(d, err, errlen);
}

void proxy_dsr_close(struct proxy_dsr *d)
{
	if (!d)
		return;
	/* Closes the agent's descriptors only: tc holds the program, and the
	 * program its map. */
	proxy_dsr_bpf__destroy(d->skel);
	free(d->cur);
	free(d);
}
