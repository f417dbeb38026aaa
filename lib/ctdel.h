/* ctdel.h — delete the conntrack entries a predicate picks.
 *
 * The node proxy (stale UDP flows) and the load balancer (unanswered flows
 * pinned to a node that left the pool) both walk the IPv4 conntrack table of
 * their namespace and delete what they judge stale. The kernel does not
 * allow deleting from inside a dump on the same netlink socket, so the
 * matching entries are collected first and deleted after the dump; an
 * entry gone in between (expired, or answered and removed) is no error.
 * A dump can miss entries while the table changes, so the table is walked
 * again until a walk finds nothing to delete.
 */
#ifndef CLIENTIP_CTDEL_H
#define CLIENTIP_CTDEL_H

#include <stdbool.h>
#include <stddef.h>

struct nf_conntrack;

/* true: delete this entry. */
typedef bool ctdel_match_fn(const struct nf_conntrack *ct, void *data);

/* Deletes the IPv4 entries of the calling thread's network namespace that
 * match. Returns how many were deleted, or -1 with a message in err. */
int ctdel_delete_if(ctdel_match_fn *match, void *data, char *err, size_t errlen);

#endif
