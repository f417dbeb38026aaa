/* cmd_explain.c — `clientip explain SVC`: where did the client address go?
 *
 * Sends one real request through the lab, then reads the kernel's records
 * of that very flow — the conntrack entry it left in the edge and in each
 * node — and tells, hop by hop, where it went and where its addresses were
 * rewritten. Nothing is inferred from configuration that the kernel can
 * tell directly; configuration is only used to say *why*.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "ev.h"
#include "explain_ct.h"
#include "labinfo.h"
#include "log.h"
#include "model.h"
#include "netns.h"
#include "nftrun.h"
#include "objapi.h"
#include "probe.h"

#define EXPLAIN_TIMEOUT_MS 3000

enum explain_target { EXPLAIN_TO_DEFAULT, EXPLAIN_TO_LB, EXPLAIN_TO_NODEPORT, EXPLAIN_TO_CLUSTERIP };

/* What the child that made the request reports back through a pipe. */
struct explain_reply {
	int err;                         /* 0 or errno of the failed step */
	char step[16];                   /* "connect", "read", ... */
	struct sockaddr_in local;        /* the source address and port the kernel chose */
	int status;                      /* HTTP status */
	char body[128];                  /* what the app answered: the address it saw */
};

/* The child's request as lib/probe ends it. */
struct explain_attempt {
	struct ev_loop *loop;
	struct probe_result res;
	bool done;
};

struct explain {
	struct cli *cli;
	struct lab_info lab;
	struct model_service svc;
	const struct model_service_port *port;
	struct model_endpoints eps;
	char from[MODEL_NAME_MAX + 16];  /* host name as given */
	char from_netns[256];
	struct in_addr dst;              /* where the request goes */
	uint16_t dport;
	enum explain_target to;
	int via_node;                    /* NodePort target node */
	int step;
};

static void explain_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip explain SVC [--from HOST] [--to lb|nodeport|clusterip]\n"
		"                            [--node node<i>] [--port NAME|NUMBER]\n"
		"\n"
		"Sends one HTTP request to the Service and shows the path it took, hop by\n"
		"hop, from the kernel's own records (the conntrack entries it left in the\n"
		"edge and the nodes): which node the load balancer chose, where the\n"
		"destination was rewritten to a pod (DNAT), whether the source was\n"
		"rewritten (SNAT) and to what, and the address the pod saw. Then one line\n"
		"on why the client address was kept or lost and what would change it.\n"
		"\n"
		"  --from HOST   client<i> (default client0 for lb/nodeport), node<i> or a\n"
		"                pod name (default node0 for clusterip)\n"
		"  --to WHERE    lb: the load balancer frontend (default for LoadBalancer)\n"
		"                nodeport: a node's NodePort (default for NodePort)\n"
		"                clusterip: the ClusterIP (default for ClusterIP)\n"
		"  --node NODE   the node whose NodePort to use (default node0)\n"
		"  --port P      the Service port by name or number (default: the first)\n");
}

static void explain_ip(struct in_addr a, char *buf, size_t len)
{
	if (!inet_ntop(AF_INET, &a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/* The name of the lab host that owns address a, for the reader. */
static void explain_who(const struct explain *x, struct in_addr a, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];

	explain_ip(a, ip, sizeof(ip));
	for (int i = 0; i < x->lab.nodes; i++) {
		if (lab_node_addr(i).s_addr == a.s_addr) {
			snprintf(buf, len, "%s (node%d's VNet address)", ip, i);
			return;
		}
		if (lab_node_pod_gateway(i).s_addr == a.s_addr) {
			snprintf(buf, len, "%s (node%d's cbr0 address)", ip, i);
			return;
		}
	}
	for (int i = 0; i < x->lab.clients; i++) {
		if (lab_client_addr(i).s_addr == a.s_addr) {
			snprintf(buf, len, "%s (client%d, the client)", ip, i);
			return;
		}
	}
	for (int i = 0; i < x->eps.n; i++) {
		if (x->eps.items[i].addr.s_addr == a.s_addr) {
			snprintf(buf, len, "%s (pod %s on %s)", ip, x->eps.items[i].pod,
				 x->eps.items[i].node);
			return;
		}
	}
	snprintf(buf, len, "%s", ip);
}

/* The node whose pod CIDR holds a, or -1. */
static int explain_pod_node(const struct explain *x, struct in_addr a)
{
	for (int i = 0; i < x->lab.nodes; i++) {
		if ((a.s_addr & htonl(0xffffff00u)) == lab_node_pod_subnet(i).s_addr)
			return i;
	}
	return -1;
}

static int explain_node_of_addr(const struct explain *x, struct in_addr a)
{
	for (int i = 0; i < x->lab.nodes; i++) {
		if (lab_node_addr(i).s_addr == a.s_addr)
			return i;
	}
	return -1;
}

static void explain_on_result(const struct probe_result *res, void *data)
{
	struct explain_attempt *a = data;

	a->res = *res;
	a->done = true;
	ev_stop(a->loop);
}

/* Runs in the child, inside the source namespace. The request is an HTTP
 * probe of lib/probe (the engine of the kubelet's and the load balancer's
 * probes, llhttp underneath) run on a loop of its own: it already does
 * the non-blocking connect, the GET and the deadline, and hands back the
 * start of the body, which is all explain reads of the answer. lib/sock
 * with a parser of explain's own would have been a second HTTP client;
 * lib/apiclient speaks to the API server's Unix socket only. */
static void explain_request_child(const struct explain *x, int fd_out)
{
	struct explain_reply r = { 0 };
	struct explain_attempt a = { 0 };
	struct probe_spec spec = {
		.kind = PROBE_HTTP,
		.addr = x->dst,
		.port = x->dport,
		.path = "/",
		.host = "explain",
		.headers = "User-Agent: clientip-explain\r\n",
		.timeout_ms = EXPLAIN_TIMEOUT_MS,
		.body = r.body,
		.body_max = sizeof(r.body),
	};
	struct probe p = { 0 };
	int nsfd, rc;

	nsfd = netns_open(x->from_netns);
	if (nsfd < 0 || netns_enter(nsfd) < 0) {
		r.err = nsfd < 0 ? -nsfd : errno;
		snprintf(r.step, sizeof(r.step), "setns");
		goto out;
	}
	a.loop = ev_loop_new();
	rc = a.loop ? probe_start(&p, a.loop, &spec, explain_on_result, &a) : -ENOMEM;
	if (rc < 0) {
		r.err = -rc;
		snprintf(r.step, sizeof(r.step), "connect");
		goto out;
	}
	/* The source port is known before the handshake completes, so even a
	 * dropped flow can be looked up in conntrack. */
	probe_local_addr(&p, &r.local);
	/* Until the probe's callback stops it: the probe's own deadline
	 * bounds the wait. */
	rc = ev_run(a.loop);
	probe_cancel(&p);
	if (!a.done) {
		r.err = rc < 0 ? -rc : EIO;
		snprintf(r.step, sizeof(r.step), "request");
	} else if (a.res.outcome == PROBE_OK) {
		r.status = a.res.status;
	} else if (a.res.outcome == PROBE_FAILED && (a.res.error == 0 || a.res.error == EPROTO)) {
		/* The peer closed before any answer (error 0) or answered
		 * something that is not HTTP. */
		r.err = EPROTO;
		snprintf(r.step, sizeof(r.step), "response");
	} else {
		r.err = a.res.outcome == PROBE_TIMEOUT ? ETIMEDOUT : a.res.error;
		snprintf(r.step, sizeof(r.step), "%s", a.res.stage == PROBE_CONNECT ? "connect"
						       : a.res.stage == PROBE_SEND ? "write" : "read");
	}
out:
	if (a.loop)
		ev_loop_free(a.loop);
	if (write(fd_out, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	_exit(0);
}

static int explain_request(const struct explain *x, struct explain_reply *r)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		close(p[0]);
		explain_request_child(x, p[1]);
	}
	close(p[1]);
	n = read(p[0], r, sizeof(*r));
	close(p[0]);
	waitpid(pid, &status, 0);
	return n == (ssize_t)sizeof(*r) ? 0 : -EIO;
}

static void explain_hop(struct explain *x, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void explain_hop(struct explain *x, const char *where, const char *fmt, ...)
{
	va_list ap;

	if (where)
		printf("  %d. %-22s ", ++x->step, where);
	else
		printf("     %-22s ", "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- the node's live kube-proxy ruleset ------------------------------------ */

struct explain_nft {
	char *text;                      /* `nft list table ip kube-proxy`, malloc'd */
};

static int explain_nft_list_here(void *arg)
{
	struct explain_nft *n = arg;
	struct nft_ctx *ctx = nftrun_ctx_new(); /* talks to this namespace */
	struct buf out = BUF_INIT;
	char err[256];
	int rc;

	if (!ctx)
		return -ENOMEM;
	rc = nftrun_cmd(ctx, "list table ip kube-proxy", &out, err, sizeof(err));
	nft_ctx_free(ctx);
	if (rc < 0 || out.oom) {
		buf_free(&out);
		return -EIO;
	}
	n->text = out.data; /* handed over: freed by the caller */
	return n->text ? 0 : -EIO;
}

/* Prints the body of the node's chain whose name starts with prefix and
 * ends with suffix (kube-proxy names chains <kind>-<hash>-<ns>/<name>/...),
 * i.e. the rules the kernel ran for this Service on that node. */
static void explain_print_chain(const struct explain_nft *n, const char *prefix, const char *suffix)
{
	const char *p = n->text;

	while (p && (p = strstr(p, "\tchain "))) {
		const char *name = p + 7, *eol = strchr(name, '\n'), *end;
		size_t nlen;

		if (!eol)
			return;
		end = memchr(name, ' ', (size_t)(eol - name));
		nlen = end ? (size_t)(end - name) : (size_t)(eol - name);
		p = eol + 1;
		if (strncmp(name, prefix, strlen(prefix)) != 0 || nlen < strlen(suffix) ||
		    strncmp(name + nlen - strlen(suffix), suffix, strlen(suffix)) != 0)
			continue;
		printf("     %-22s kube-proxy rules, chain %.*s:\n", "", (int)nlen, name);
		while (*p && strncmp(p, "\t}", 2) != 0) {
			const char *l = p, *le = strchr(p, '\n');

			if (!le)
				break;
			while (*l == '\t' || *l == ' ')
				l++;
			if (l < le)
				printf("     %-22s   %.*s\n", "", (int)(le - l), l);
			p = le + 1;
		}
		return;
	}
}

/* Shows the rules that decided this flow on `node`: the external chain for
 * traffic from outside (where the policy is), else the service chain. */
static void explain_rules(const struct explain *x, int node)
{
	struct explain_nft n = { 0 };
	char role[16], ns[256], suffix[4 * MODEL_NAME_MAX];

	snprintf(role, sizeof(role), "node%d", node);
	if (netns_run_name(lab_netns_name(x->cli->lab, role, ns, sizeof(ns)),
			   explain_nft_list_here, &n) < 0 || !n.text)
		return;
	snprintf(suffix, sizeof(suffix), "-%s/%s/tcp/%s", x->svc.meta.ns, x->svc.meta.name,
		 x->port->name[0] ? x->port->name : "");
	if (!x->port->name[0])
		snprintf(suffix, sizeof(suffix), "-%s/%s/tcp/%d", x->svc.meta.ns, x->svc.meta.name,
			 x->port->port);
	explain_print_chain(&n, x->to == EXPLAIN_TO_CLUSTERIP ? "service-" : "external-", suffix);
	free(n.text);
}

/* Resolves --from into a namespace name. */
static int explain_resolve_from(struct explain *x)
{
	const char *h = x->from;

	if (lab_client_index(h) >= 0 && lab_client_index(h) < x->lab.clients) {
		lab_netns_name(x->cli->lab, h, x->from_netns, sizeof(x->from_netns));
	} else if (lab_node_index(h) >= 0 && lab_node_index(h) < x->lab.nodes) {
		lab_netns_name(x->cli->lab, h, x->from_netns, sizeof(x->from_netns));
	} else {
		lab_pod_netns_name(x->cli->lab, x->cli->ns, h, x->from_netns, sizeof(x->from_netns));
		if (!netns_exists(x->from_netns)) {
			log_error("--from %s: not a client, node or pod of lab %s", h, x->cli->lab);
			return -1;
		}
	}
	return 0;
}

static int explain_resolve_target(struct explain *x)
{
	const struct model_service *s = &x->svc;
	char ip[INET_ADDRSTRLEN];

	if (x->to == EXPLAIN_TO_DEFAULT)
		x->to = s->type == MODEL_SVC_LOAD_BALANCER ? EXPLAIN_TO_LB :
			s->type == MODEL_SVC_NODE_PORT ? EXPLAIN_TO_NODEPORT : EXPLAIN_TO_CLUSTERIP;
	if (x->port->proto != MODEL_PROTO_TCP) {
		log_error("port %d/%s: explain follows TCP flows only", x->port->port,
			  model_proto_name(x->port->proto));
		return -1;
	}
	switch (x->to) {
	case EXPLAIN_TO_LB:
		if (s->type != MODEL_SVC_LOAD_BALANCER) {
			log_error("service %s is %s, not LoadBalancer: try --to %s", s->meta.name,
				  model_service_type_name(s->type),
				  s->type == MODEL_SVC_NODE_PORT ? "nodeport" : "clusterip");
			return -1;
		}
		if (!s->ingress_ip.s_addr) {
			log_error("service %s has no EXTERNAL-IP yet (<pending>): is the load balancer running? see `clientip lab status`",
				  s->meta.name);
			return -1;
		}
		x->dst = s->ingress_ip;
		x->dport = (uint16_t)x->port->port;
		break;
	case EXPLAIN_TO_NODEPORT:
		if (!x->port->node_port) {
			log_error("service %s has no NodePort", s->meta.name);
			return -1;
		}
		x->dst = lab_node_addr(x->via_node);
		x->dport = (uint16_t)x->port->node_port;
		break;
	default:
		x->dst = s->cluster_ip;
		x->dport = (uint16_t)x->port->port;
		break;
	}
	if (!x->from[0])
		snprintf(x->from, sizeof(x->from), "%s", x->to == EXPLAIN_TO_CLUSTERIP ? "node0" : "client0");
	explain_ip(x->dst, ip, sizeof(ip));
	return explain_resolve_from(x);
}

static int explain_load(struct explain *x, const char *name, const char *port)
{
	char err[256];
	int rc;

	rc = labinfo_load(x->cli->lab, &x->lab, err, sizeof(err));
	if (rc < 0) {
		if (rc == -ENOENT)
			log_error("lab %s does not exist: `clientip --lab %s lab up` first", x->cli->lab,
				  x->cli->lab);
		else
			log_error("%s", err);
		return -1;
	}
	rc = objapi_get_service(x->cli, x->cli->ns, name, &x->svc);
	if (rc < 0) {
		if (rc == -ENOENT)
			log_error("Error from server (NotFound): services \"%s\" not found", name);
		return -1;
	}
	x->port = port ? NULL : &x->svc.ports[0];
	for (int i = 0; port && i < x->svc.n_ports && !x->port; i++) {
		char *end;
		long num = strtol(port, &end, 10);

		if (strcmp(x->svc.ports[i].name, port) == 0 ||
		    (*port && !*end && num == x->svc.ports[i].port))
			x->port = &x->svc.ports[i];
	}
	if (!x->port) {
		log_error("service %s has no port \"%s\"", name, port);
		return -1;
	}
	/* No endpoints yet is no error: the request shows what happens. */
	if (objapi_get_endpoints(x->cli, x->svc.meta.ns, x->svc.meta.name, &x->eps) < 0)
		memset(&x->eps, 0, sizeof(x->eps));
	return 0;
}

/* Prints the verdict: why the address was kept or lost, and what would
 * change it. */
static void explain_verdict(const struct explain *x, struct in_addr client, struct in_addr seen,
			    int node, int snat_node)
{
	bool external = x->to != EXPLAIN_TO_CLUSTERIP;
	bool from_pod = explain_pod_node(x, client) >= 0;
	char who[192];

	explain_who(x, seen, who, sizeof(who));
	printf("\n");
	if (!external) {
		if (from_pod && seen.s_addr == client.s_addr)
			printf("Kept: a pod reaching a ClusterIP is not masqueraded (its source is in the\n"
			       "pod network), so the endpoint sees the calling pod's own address.\n");
		else if (snat_node >= 0)
			printf("Masqueraded: traffic to a ClusterIP from outside the pod network (here\n"
			       "node%d itself) is marked for masquerade, so the endpoint sees\n%s.\n",
			       snat_node, who);
		else
			printf("The endpoint saw %s.\n", who);
		return;
	}
	if (seen.s_addr == client.s_addr) {
		if (model_service_dsr(&x->svc))
			printf("Kept: forwarding-mode dsr. A node that receives a flow for a pod on\n"
			       "another node wraps it in an IPIP header to that node, which unwraps it,\n"
			       "which delivers it without SNAT and answers the client directly, so\n"
			       "every node stays in the load balancer's pool.\n");
		else if (x->svc.external_policy == MODEL_POLICY_LOCAL)
			printf("Kept: externalTrafficPolicy is Local, so node%d delivered the flow to a\n"
			       "pod on itself without SNAT, and the pod saw the client's own address.\n"
			       "The load balancer's health probes keep nodes without a ready pod out\n"
			       "of the pool.\n", node);
		else
			printf("Kept: no hop rewrote the source address.\n");
		return;
	}
	if (snat_node >= 0 && x->svc.external_policy == MODEL_POLICY_LOCAL &&
	    model_map_get(&x->svc.meta.annotations, MODEL_ANN_LOCAL_HANDOVER)) {
		printf("Lost, for a moment: node%d has no endpoint of this Local Service and\n"
		       "hands its external traffic over (clientip.io/local-handover): it\n"
		       "forwards it, masqueraded, to another node's pod until the load\n"
		       "balancer's probes have taken it out of the pool, so the endpoint saw\n"
		       "%s.\n", snat_node, who);
	} else if (snat_node >= 0) {
		printf("Lost: externalTrafficPolicy is %s, so node%d masqueraded the flow to\n"
		       "%s.\n"
		       "Under Cluster any node may forward to a pod on another node, so\n"
		       "kube-proxy rewrites the source of all external traffic: replies must\n"
		       "come back through the node that did the DNAT.\n"
		       "To keep the client address: spec.externalTrafficPolicy: Local. Nodes then\n"
		       "deliver only to their own pods, and the load balancer sends traffic only\n"
		       "to nodes whose health check node port reports a ready pod.\n",
		       model_policy_name(x->svc.external_policy), snat_node, who);
	} else {
		printf("Changed: the pod saw %s; no conntrack entry on the path shows an SNAT.\n", who);
	}
}

static int explain_run(struct explain *x)
{
	struct explain_ct_set edge = { 0 }, nodes[LAB_MAX_NODES] = { 0 };
	struct explain_reply r;
	struct in_addr src, dst, seen = { 0 }, client;
	uint16_t sport, dport;
	const struct explain_ct_entry *e = NULL;
	char ip[INET_ADDRSTRLEN], ip2[INET_ADDRSTRLEN], who[192], ns[256];
	int node = -1, snat_node = -1, pod_node, rc = 1;

	explain_ip(x->dst, ip, sizeof(ip));
	printf("explain: GET http://%s:%u/ from %s (service %s/%s, %s, externalTrafficPolicy %s)\n\n",
	       ip, x->dport, x->from, x->svc.meta.ns, x->svc.meta.name,
	       model_service_type_name(x->svc.type), model_policy_name(x->svc.external_policy));
	if (explain_request(x, &r) < 0) {
		log_error("could not run the request in %s", x->from_netns);
		return 1;
	}
	src = client = r.local.sin_addr;
	sport = ntohs(r.local.sin_port);
	dst = x->dst;
	dport = x->dport;
	explain_ip(src, ip, sizeof(ip));
	explain_ip(dst, ip2, sizeof(ip2));
	explain_hop(x, x->from, "%s:%u -> %s:%u", ip, sport, ip2, dport);

	/* Read every namespace on any possible path after the request. */
	if (x->to == EXPLAIN_TO_LB)
		explain_ct_dump(lab_netns_name(x->cli->lab, "edge", ns, sizeof(ns)), &edge);
	for (int i = 0; i < x->lab.nodes; i++) {
		char role[16];

		snprintf(role, sizeof(role), "node%d", i);
		explain_ct_dump(lab_netns_name(x->cli->lab, role, ns, sizeof(ns)), &nodes[i]);
	}

	if (x->to == EXPLAIN_TO_LB) {
		e = explain_ct_find_orig(&edge, IPPROTO_TCP, src, sport, dst, dport);
		if (!e) {
			explain_hop(x, "edge (load balancer)", "no flow recorded: the edge did not forward it");
			goto verdict;
		}
		if (explain_ct_dnat(e)) {
			node = explain_node_of_addr(x, e->repl_src);
			explain_ip(e->repl_src, ip, sizeof(ip));
			explain_hop(x, "edge (load balancer)",
				    "new flow -> node%d; floating IP off: DNAT to %s:%u (the NodePort)",
				    node, ip, e->repl_sport);
			dst = e->repl_src;
			dport = e->repl_sport;
		} else {
			/* The edge's mark names the node it chose; entries on
			 * the nodes would not (DSR moves flows on). */
			node = lab_lb_mark_node(e->mark);
			for (int i = 0; i < x->lab.nodes && node < 0; i++) {
				if (explain_ct_find_orig(&nodes[i], IPPROTO_TCP, src, sport, dst, dport))
					node = i;
			}
			explain_hop(x, "edge (load balancer)",
				    "new flow -> node%d (ct mark %#x); floating IP: destination kept", node,
				    e->mark);
		}
		explain_hop(x, NULL, "%s", x->svc.affinity_client_ip ?
			    "backend chosen by a hash of the source address (sessionAffinity ClientIP) among healthy nodes" :
			    "backend chosen by a 5-tuple hash among nodes whose health probe is up");
		explain_hop(x, NULL, "source address unchanged (the load balancer never rewrites it)");
	} else if (x->to == EXPLAIN_TO_NODEPORT) {
		node = x->via_node;
	} else {
		node = lab_node_index(x->from);
		if (node < 0)
			node = explain_pod_node(x, src);
	}
	if (node < 0 || node >= x->lab.nodes) {
		explain_hop(x, "node", "no node recorded the flow");
		goto verdict;
	}

	e = explain_ct_find_orig(&nodes[node], IPPROTO_TCP, src, sport, dst, dport);
	snprintf(ns, sizeof(ns), "node%d", node);
	if (!e && model_service_dsr(&x->svc)) {
		/* DSR leaves a remote pick untracked on the node that made it:
		 * the flow shows up, DNATed, on the endpoint's node. */
		for (int i = 0; i < x->lab.nodes; i++) {
			const struct explain_ct_entry *f;

			f = explain_ct_find_orig(&nodes[i], IPPROTO_TCP, src, sport, dst, dport);
			if (i == node || !f || !explain_ct_dnat(f))
				continue;
			explain_hop(x, ns, "forwarding-mode dsr: the hash of the client's address and port "
				    "picked an endpoint on node%d", i);
			explain_hop(x, NULL, "wrapped in IPIP to node%d before the IP stack; not tracked "
				    "here: the reply does not come back this way", i);
			node = i;
			e = f;
			snprintf(ns, sizeof(ns), "node%d", node);
			break;
		}
	}
	if (!e) {
		explain_hop(x, ns, "no flow recorded (dropped before conntrack, or never arrived)");
		goto verdict;
	}
	if (!explain_ct_dnat(e)) {
		explain_hop(x, ns, "no DNAT: kube-proxy did not match the flow (dropped: no local endpoint?)");
		goto verdict;
	}
	explain_who(x, e->repl_src, who, sizeof(who));
	explain_hop(x, ns, "DNAT %s:%u -> %s:%u", inet_ntop(AF_INET, &dst, ip, sizeof(ip)), dport,
		    inet_ntop(AF_INET, &e->repl_src, ip2, sizeof(ip2)), e->repl_sport);
	explain_hop(x, NULL, "   the endpoint: %s", who);
	explain_rules(x, node);
	if (explain_ct_snat(e)) {
		snat_node = node;
		explain_who(x, e->repl_dst, who, sizeof(who));
		if (e->repl_dst.s_addr == src.s_addr)
			explain_hop(x, NULL, "SNAT (masquerade): address kept, %s, source port %u -> %u",
				    who, sport, e->repl_dport);
		else
			explain_hop(x, NULL, "SNAT %s -> %s (masquerade)",
				    inet_ntop(AF_INET, &src, ip, sizeof(ip)), who);
		src = e->repl_dst;
		sport = e->repl_dport;
	} else {
		explain_hop(x, NULL, "no SNAT: the source address stays %s",
			    inet_ntop(AF_INET, &src, ip, sizeof(ip)));
	}
	dst = e->repl_src;
	dport = e->repl_sport;

	pod_node = explain_pod_node(x, dst);
	if (pod_node >= 0 && pod_node != node) {
		const struct explain_ct_entry *f;

		snprintf(ns, sizeof(ns), "node%d", pod_node);
		f = explain_ct_find_orig(&nodes[pod_node], IPPROTO_TCP, src, sport, dst, dport);
		explain_ip(lab_node_addr(pod_node), ip, sizeof(ip));
		explain_hop(x, ns, "%s over the VNet (route 10.244.%d.0/24 via %s) and cbr0 to the pod",
			    f ? "forwarded" : "expected to forward (no entry found)", pod_node, ip);
	}

verdict:
	if (r.err) {
		explain_hop(x, "result", "%s failed: %s", r.step, strerror(r.err));
		rc = 1;
		goto out;
	}
	{
		char *body = r.body, *end = body + strlen(body);

		/* An app may end its answer with a newline (clientip-echo --newline). */
		while (end > body && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
			*--end = '\0';
		if (strncmp(body, "::ffff:", 7) == 0)
			body += 7;
		if (inet_pton(AF_INET, body, &seen) != 1) {
			explain_hop(x, "pod", "HTTP %d; the app answered \"%s\" (not an address)",
				    r.status, r.body);
			rc = 0;
			goto out;
		}
	}
	explain_hop(x, "pod", "HTTP %d; the app saw %s", r.status, r.body);
	explain_verdict(x, client, seen, node, snat_node);
	rc = 0;
out:
	explain_ct_free(&edge);
	for (int i = 0; i < x->lab.nodes; i++)
		explain_ct_free(&nodes[i]);
	return rc;
}

int cmd_explain(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "node", required_argument, NULL, 'N' },
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct explain x = { .cli = cli };
	const char *port = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			snprintf(x.from, sizeof(x.from), "%s", optarg);
			break;
		case 't':
			if (strcmp(optarg, "lb") == 0)
				x.to = EXPLAIN_TO_LB;
			else if (strcmp(optarg, "nodeport") == 0)
				x.to = EXPLAIN_TO_NODEPORT;
			else if (strcmp(optarg, "clusterip") == 0)
				x.to = EXPLAIN_TO_CLUSTERIP;
			else {
				log_error("--to %s: expected lb, nodeport or clusterip", optarg);
				return 2;
			}
			break;
		case 'N':
			x.via_node = lab_node_index(optarg);
			if (x.via_node < 0) {
				log_error("--node %s: expected a node name like node0", optarg);
				return 2;
			}
			break;
		case 'p':
			port = optarg;
			break;
		case 'h':
			explain_usage(stdout);
			return 0;
		default:
			explain_usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		explain_usage(stderr);
		return 2;
	}
	if (explain_load(&x, argv[optind], port) < 0)
		return 1;
	if (x.via_node >= x.lab.nodes) {
		log_error("--node node%d: lab %s has %d nodes", x.via_node, cli->lab, x.lab.nodes);
		rc = 2;
		goto out;
	}
	if (explain_resolve_target(&x) < 0) {
		rc = 1;
		goto out;
	}
	rc = explain_run(&x);
out:
	model_endpoints_free(&x.eps);
	return rc;
}
