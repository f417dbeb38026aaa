/* lb_conntrack.h — flows that never got an answer are not pinned.
 *
 * The edge keeps each flow on the node it first chose: the choice lives in
 * the flow's conntrack mark, and every later packet follows it (Azure Load
 * Balancer keeps established flows on their backend even after a probe
 * says Down). That is right for a connection that is up, and wrong for one
 * that never was: a SYN that reached a node in the seconds before its
 * probes failed (a Local Service whose pod just left it) is dropped there,
 * and every retransmission of that SYN matched the same conntrack entry
 * and went to the same node, for as long as the kernel keeps an unanswered
 * entry (120 s) — the client's connect hung to its end.
 *
 * So after each change of the pool, the edge's conntrack entries that have
 * never seen a reply and are marked for a node that no longer takes new
 * flows for their rule (frontend, protocol and port) are deleted: the next retransmission is a new
 * flow and is balanced over the nodes that are up. Entries that have seen
 * a reply are kept, unless their rule or frontend is gone.
 */
#ifndef CLIENTIP_LB_CONNTRACK_H
#define CLIENTIP_LB_CONNTRACK_H

#include <stddef.h>

#include "lb_nft.h"

/* Deletes the unanswered entries steered to a node outside their rule's
 * healthy set, and every entry of a rule or frontend that is gone. Returns
 * how many, or -1 with a message in err. */
int lb_conntrack_unpin(const struct lb_nft_svc *svcs, int n, char *err, size_t errlen);

/* The decision for one entry, exposed for the unit test: true if an entry
 * to dst:dport over proto with that mark, and a reply seen or not, is to
 * be deleted under svcs. */
bool lb_conntrack_is_stale(const struct lb_nft_svc *svcs, int n, uint32_t dst,
			   enum model_proto proto, int dport, uint32_t mark, bool seen_reply);

#endif
