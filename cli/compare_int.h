/* compare_int.h — what the parts of `clientip compare` share: the
 * strategies' description, the state of a run and one strategy's row, and
 * the functions each part offers the others. Private to cli/cmd_compare.c
 * (strategies, their objects, the command), compare_run.c (running the
 * tools), compare_measure.c (the figures) and compare_report.c (the
 * table, JSON and the report). */
#ifndef CLIENTIP_COMPARE_INT_H
#define CLIENTIP_COMPARE_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "buf.h"
#include "cli.h"
#include "compare.h"
#include "lab.h"

#define CMP_MAX_ARGS     40
#define CMP_MAX_PODS     LAB_MAX_NODES
#define CMP_CLIENTS      3        /* clients of a lab compare builds: spread comes from several */
#define CMP_GATEWAY_ADDR "203.0.113.2"
/* The load balancer's default probe interval (lb/lb_conf.h), for a lab
 * that did not set one, and its probe threshold. */
#define CMP_LB_INTERVAL_S 5
#define CMP_LB_THRESHOLD  2
/* The client's source ports for the straight-to-the-pod runs, outside the
 * default ephemeral range the frontend runs use: a new connection of one
 * path must not meet the pod's TIME_WAIT socket of the other path, whose
 * TCP timestamps (offset per address pair) are from another clock, and be
 * refused (PAWS) until its SYN is retransmitted. */
#define CMP_DIRECT_PORTS "10000 32767"

enum cmp_kind { CMP_CLUSTER, CMP_LOCAL, CMP_LOCAL_SPREAD, CMP_DSR, CMP_GATEWAY };

/* Which node's link failover cuts. */
enum cmp_cut { CMP_CUT_EMPTY, CMP_CUT_POD, CMP_CUT_LAST, CMP_CUT_NONE };

struct cmp_strategy {
	const char *name;
	enum cmp_kind kind;
	const char *app;           /* the pods' app label */
	const char *workload;      /* what rollout restarts: "deployment/NAME", "daemonset/NAME" */
	const char *svc;           /* the LoadBalancer Service, NULL for the gateway */
	bool per_node;             /* a DaemonSet: one pod per node instead of one replica */
	enum cmp_cut cut;
	const char *summary;
};

/* How long each measurement runs: the default, and --quick for tests. */
struct cmp_timing {
	int wrk_s;            /* each wrk run */
	int rate_rounds;      /* rounds of frontend and direct runs (at most CMP_RATE_ROUNDS) */
	int requests;         /* spread: new connections per client */
	int rollout_s;        /* load during rollout restart */
	int failover_lead_ms; /* load before the cut */
};

#define CMP_RATE_ROUNDS 5


/* A figure or null. */
struct cmp_num {
	bool ok;
	double v;
};

struct cmp_row {
	const struct cmp_strategy *s;
	bool available;
	char reason[256];
	bool kept_ok, kept;
	struct cmp_num hps, spread, rps, cps, rollout, failover;
	char chart[160];            /* the Health Probe Status chart, "" if none */
};

struct cmp_pod {
	char name[128];
	char node[32];
	char ip[40];
	int answers;
};

struct cmp {
	struct cli *cli;
	const char *lab;
	char self[LAB_PATH_MAX + 16];
	char tmp[64];                  /* /tmp/clientip-compare.XXXXXX */
	char errfile[96];
	struct cmp_timing t;
	int nodes, clients, interval_s;
	bool own_lab, lab_up, interrupted;
	sigset_t sigs;             /* SIGINT, SIGTERM: blocked, waited for */
	/* Edge changes made for the straight-to-the-pod path, undone after. */
	bool added_route[LAB_MAX_NODES];
	bool added_rule;
	char api[96];              /* the lab's API server, http://127.0.0.1:PORT */
	bool ingress;              /* compare created the gateway's Ingress */
	/* The strategy being measured. */
	const struct cmp_strategy *s;
	char fe[40];
	struct cmp_pod pods[CMP_MAX_PODS];
	int npods;
};

/* ---- running the tools (compare_run.c) ---------------------------------- */

double cmp_now_ms(void);
/* Sleeps ms unless SIGINT or SIGTERM arrives; false if one did. */
bool cmp_sleep(struct cmp *c, int ms);
/* Starts argv with stdout into out_path (NULL: /dev/null) and stderr into
 * c->errfile; the child's pid or -1. */
pid_t cmp_spawn(struct cmp *c, const char *out_path, char *const argv[]);
/* Waits for pid; on SIGINT/SIGTERM stops it and returns -EINTR. Else its
 * exit status (-1 if it did not exit). */
int cmp_wait(struct cmp *c, pid_t pid);
/* Runs a command (NULL-terminated arguments) to its end; its stdout into
 * out (NULL: dropped). Its exit status, -1 if it could not run. */
int cmp_run(struct cmp *c, struct buf *out, const char *first, ...) __attribute__((sentinel));
/* The first line of the last command's stderr, for messages. */
const char *cmp_lasterr(struct cmp *c, char *buf, size_t len);
/* The lab namespace of role ("edge", "client0", ...) into buf. */
char *cmp_netns(struct cmp *c, const char *role, char *buf, size_t len);
/* A tool's JSON output as a document (NULL if it is not); a string at a
 * path of it, NULL if absent. */
json_t *cmp_parse(const struct buf *b);
/* The value at a path of keys and array indexes ("/items/0/spec"), or NULL. */
const json_t *cmp_jget(const json_t *n, const char *path);
/* The string at path, or NULL (absent, or not a string). */
const char *cmp_jstr(const json_t *n, const char *path);
/* Whether tool is an executable in $PATH. */
bool cmp_have(const char *tool);

/* ---- the strategy's pods and pool (cmd_compare.c) ------------------------ */

/* Health Probe Status in percent from `clientip probes SVC`, or -1. */
int cmp_probe_status(struct cmp *c);
/* Waits until the pool is stable and the frontend answers; the Health
 * Probe Status, or -1 if it never settled within timeout_s. */
int cmp_wait_pool(struct cmp *c, int timeout_s);

/* ---- the figures (compare_measure.c) ------------------------------------- */

void cmp_measure_answers(struct cmp *c, struct cmp_row *row);
void cmp_measure_rates(struct cmp *c, struct cmp_row *row);
void cmp_measure_rollout(struct cmp *c, struct cmp_row *row);
void cmp_measure_failover(struct cmp *c, struct cmp_row *row);
/* The Health Probe Status chart of the Service since since_ms. */
void cmp_chart(struct cmp *c, struct cmp_row *row, double since_ms);

/* ---- output (compare_report.c) -------------------------------------------- */

void cmp_print_json(const struct cmp_row *rows, size_t n);
void cmp_print_table(const struct cmp_row *rows, size_t n);
/* The table and each strategy's chart, as SVG or (.html) HTML, into path;
 * 0, or -1 with a message logged. */
int cmp_report(const char *path, const struct cmp_row *rows, size_t n, const char *lab);

#endif
