/* apply_int.h — what apply and create's two files share (not an API):
 * cmd_apply.c runs a manifest file as one transaction, apply_plan.c plans
 * each of its objects against what the API server holds. Prefix apply_.
 */
#ifndef CLIENTIP_CLI_APPLY_INT_H
#define CLIENTIP_CLI_APPLY_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "buf.h"
#include "cli.h"
#include "manifest.h"
#include "model.h"
#include "objapi.h"

#define APPLY_RESTARTED_AT "kubectl.kubernetes.io/restartedAt"

enum apply_mode { APPLY_APPLY, APPLY_CREATE };
enum apply_result { APPLY_CREATED, APPLY_CONFIGURED, APPLY_UNCHANGED };

struct apply_item {
	struct manifest_object *o;        /* becomes the object to send */
	bool existed;
	struct manifest_object *old;      /* the stored version (heap), for compare */
	json_t *cur;                      /* the server's object, NULL if none */
	json_t *sent;                     /* the server's answer to the real request */
	enum apply_result result;
	bool written;
};

/* This file's Services as planned: two of them asking for the same
 * ClusterIP or node port are refused here, as the dry run sends one at a
 * time and the server would accept each alone. */
struct apply_view {
	struct model_service *svcs;
	int n;
};

struct apply_ctx {
	struct cli *cli;
	struct objapi *api;
	struct manifest *m;
	enum apply_mode mode;
	struct apply_view view;
	struct buf server_errors;         /* kubectl's "Error from server (...)" lines */
	/* Namespaces of the file the server does not have: made first. */
	char (*new_ns)[MODEL_NAME_MAX];
	int n_new_ns;
	bool ns_made;
};

/* Whether m is ns/name. */
bool apply_same(const struct model_meta *m, const char *ns, const char *name);
/* kubectl's AlreadyExists line for o, into c->server_errors. */
void apply_already_exists(struct apply_ctx *c, struct manifest_object *o);
/* Plans items[idx] against the server's object (items[idx].cur) and the
 * file's earlier documents: immutable fields, what the server keeps, and
 * created, configured or unchanged. 0, or -1 with the error reported. */
int apply_plan(struct apply_ctx *c, struct apply_item *items, int idx);

#endif
