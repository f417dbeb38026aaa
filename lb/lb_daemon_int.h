/* lb_daemon_int.h — what the parts of the daemon share (not an API; the
 * daemon's API is lb_daemon.h).
 *
 *   lb_daemon.c     the loop: init, run, fini; what starts a reconcile,
 *                   the per-second tick, the stop signals
 *   lb_reconcile.c  the Services into frontends: the Service table, each
 *                   Service's conf applied or refused, the reconcile
 *   lb_health.c     the probes of each Service and node, the shared probe,
 *                   the data path checks; the health in each rule's pool
 *   lb_report.c     the Service's status and its Events
 *   lb_apply.c      the ruleset rendered from the pools and replaced,
 *                   coalesced per loop turn
 */
#ifndef CLIENTIP_LB_DAEMON_INT_H
#define CLIENTIP_LB_DAEMON_INT_H

#include <netinet/in.h>

#include "lb_conf.h"
#include "lb_daemon.h"
#include "lb_probe.h"
#include "model.h"

/* lb_reconcile.c */
void lb_svc_free(struct lb_svc *s);

/* lb_health.c */
/* Starts, keeps or stops the probes of s to match s->conf (old: the conf
 * they were started for); restored: the health per rule and node after a
 * restart, or NULL. */
void lb_svc_probes(struct lb_svc *s, const struct lb_conf *old,
		   const struct lb_health_state (*restored)[LB_MAX_BACKENDS]);
/* Runs the shared probe while a Service uses it. */
void lb_daemon_shared(struct lb_daemon *lbd);
/* The data path checks of s, one per TCP rule once it has a frontend. */
void lb_svc_dpa(struct lb_svc *s);

/* lb_report.c */
/* Publishes the frontend through the Service's status, when the server's
 * status (api_ingress) differs from it, and the reports as Events. */
void lb_svc_publish(struct lb_svc *s, struct in_addr api_ingress);
/* The Event of a live Service switched from Cluster to Local. */
void lb_svc_tell_local(struct lb_svc *s, const struct model_service *spec,
		       const struct lb_conf *c);

#endif
