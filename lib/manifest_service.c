/* manifest_service.c — v1 Service (see manifest_int.h): type, selector,
 * ports, cluster IP, traffic policies, health check node port, session
 * affinity, load balancer IP and source ranges, external IPs.
 *
 * Fields are read in any order into the model and a record of what was
 * written where (struct mp_svc_seen); the rules that span fields are then
 * checked in ValidateService's order (mp_service_check), so several
 * errors come in the order the API server gives them. Node ports and the
 * cluster IP stay 0 unless written: the caller allocates them.
 */
#include "manifest_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

static void mp_service_port(struct mp *p, struct fy_node *n, struct model_service_port *sp,
			    struct manifest_pos *node_port_pos)
{
	struct mp_iter i;
	bool port_seen = false;

	if (!mp_iter_start(p, &i, n))
		return;
	sp->proto = MODEL_PROTO_TCP;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "name") == 0) {
			mp_checked_str(p, i.val, sp->name, sizeof(sp->name),
				       manifest_check_dns1123_label);
		} else if (strcmp(i.key, "protocol") == 0) {
			char proto[16], q[40];

			if (mp_str(p, i.val, proto, sizeof(proto)) <= 0)
				continue;
			if (strcmp(proto, "TCP") == 0)
				sp->proto = MODEL_PROTO_TCP;
			else if (strcmp(proto, "UDP") == 0)
				sp->proto = MODEL_PROTO_UDP;
			else
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"TCP\", \"UDP\"",
				       mp_quote(proto, strlen(proto), q, sizeof(q)));
		} else if (strcmp(i.key, "port") == 0) {
			long long v;
			int r = mp_int(p, i.val, &v);

			if (r != 0)
				port_seen = true;
			if (r <= 0)
				continue;
			if (v < 1 || v > 65535)
				mp_err(p, i.val, "Invalid value: %lld: %s", v, mp_port_range_msg);
			else
				sp->port = (int)v;
		} else if (strcmp(i.key, "targetPort") == 0) {
			long long num = 0;
			char name[32];
			int r = mp_int_or_str(p, i.val, &num, name, sizeof(name));

			if (r == 1) {
				/* 0 means "same as port", as the API server defaults it */
				if (num < 0 || num > 65535)
					mp_err(p, i.val, "Invalid value: %lld: %s", num, mp_port_range_msg);
				else
					sp->target_port = (int)num;
			} else if (r == 2 && name[0] &&
				   !mp_invalid(p, i.val, name, mp_check_port_name(name))) {
				mp_copy(sp->target_port_name, sizeof(sp->target_port_name), name);
			}
		} else if (strcmp(i.key, "nodePort") == 0) {
			long long v;

			*node_port_pos = mp_pos(p, i.val);
			if (mp_int(p, i.val, &v) <= 0 || v == 0)
				continue;
			if (v < LAB_NODEPORT_MIN || v > LAB_NODEPORT_MAX)
				mp_err(p, i.val, "Invalid value: %lld: provided port is not in the valid "
				       "range. The range of valid ports is %d-%d", v, LAB_NODEPORT_MIN,
				       LAB_NODEPORT_MAX);
			else
				sp->node_port = (int)v;
		} else if (strcmp(i.key, "appProtocol") == 0) {
			/* The load balancer picks an HTTP probe for http/https,
			 * as cloud-provider-azure does. */
			mp_str(p, i.val, sp->app_protocol, sizeof(sp->app_protocol));
		} else {
			mp_unknown(p, &i);
		}
	}
	if (!port_seen)
		mp_err_child(p, n, "port", "Invalid value: 0: %s", mp_port_range_msg);
	if (sp->target_port == 0 && sp->target_port_name[0] == '\0')
		sp->target_port = sp->port;
}

static bool mp_ipv4(const char *s, struct in_addr *out)
{
	return inet_pton(AF_INET, s, out) == 1;
}

struct mp_svc_seen {
	struct fy_node *ports, *etp, *itp, *hc, *affinity_cfg, *lb_ip, *spec, *src_ranges;
	bool etp_set, affinity_cfg_set, cluster_ip_seen;
	char etp_value[32];
	char cluster_ip[64];
	char cluster_ips0[64];
	bool has_cluster_ips;
	int timeout_s;
};

static void mp_traffic_policy(struct mp *p, struct fy_node *n, enum model_traffic_policy *out,
			      bool *set, char *raw, size_t rawlen)
{
	char v[32], q[48];

	if (mp_str(p, n, v, sizeof(v)) <= 0 || !v[0])
		return;
	if (raw)
		snprintf(raw, rawlen, "%s", v);
	if (set)
		*set = true;
	if (strcmp(v, "Cluster") == 0)
		*out = MODEL_POLICY_CLUSTER;
	else if (strcmp(v, "Local") == 0)
		*out = MODEL_POLICY_LOCAL;
	else
		mp_err(p, n, "Unsupported value: %s: supported values: \"Cluster\", \"Local\"",
		       mp_quote(v, strlen(v), q, sizeof(q)));
}

/* One spec.externalIPs item: ValidateNonSpecialIP's rules, IPv4 only. */
static bool mp_external_ip(struct mp *p, struct fy_node *n, const char *ip, struct in_addr *out)
{
	char q[80];
	uint32_t h;

	mp_quote(ip, strlen(ip), q, sizeof(q));
	if (!mp_ipv4(ip, out)) {
		mp_err(p, n, "Invalid value: %s: must be a valid IPv4 address", q);
		return false;
	}
	h = ntohl(out->s_addr);
	if (h == 0)
		mp_err(p, n, "Invalid value: %s: may not be unspecified (0.0.0.0)", q);
	else if ((h >> 24) == 127)
		mp_err(p, n, "Invalid value: %s: may not be in the loopback range "
		       "(127.0.0.0/8)", q);
	else if ((h >> 16) == 0xa9fe)
		mp_err(p, n, "Invalid value: %s: may not be in the link-local range "
		       "(169.254.0.0/16)", q);
	else if ((h >> 28) == 0xe)
		mp_err(p, n, "Invalid value: %s: may not be in the multicast range "
		       "(224.0.0.0/4)", q);
	else
		return true;
	return false;
}

/* One spec.loadBalancerSourceRanges item, "a.b.c.d/n" (surrounding blanks
 * allowed, as the API server trims them); host bits are cleared. */
static bool mp_source_range(struct mp *p, struct fy_node *n, const char *v,
			    struct model_cidr4 *out)
{
	char buf[64], q[80], *slash, *end = NULL;
	size_t len;
	long bits = -1;

	while (*v == ' ' || *v == '\t')
		v++;
	snprintf(buf, sizeof(buf), "%s", v);
	len = strlen(buf);
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
	}
	if (!slash || !slash[1] || *end || errno || bits < 0 || bits > 32 ||
	    !mp_ipv4(buf, &out->addr)) {
		mp_err(p, n, "Invalid value: %s: must be a valid CIDR value, (e.g. 10.9.8.0/24)",
		       mp_quote(v, strlen(v), q, sizeof(q)));
		return false;
	}
	out->prefix = (int)bits;
	out->addr.s_addr &= bits ? htonl(0xffffffffu << (32 - bits)) : 0;
	return true;
}

static void mp_service_spec(struct mp *p, struct fy_node *n, struct manifest_object *o,
			    struct mp_svc_seen *seen)
{
	static const char *const silent[] = {
		"ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts", NULL,
	};
	static const char *const ignored[] = {
		"publishNotReadyAddresses", "loadBalancerClass", "trafficDistribution",
		"externalName", NULL,
	};
	struct model_service *s = &o->service;
	struct mp_iter i;

	if (!mp_iter_start(p, &i, n))
		return;
	seen->spec = n;
	while (mp_next(p, &i)) {
		if (strcmp(i.key, "type") == 0) {
			char type[32], q[48];

			if (mp_str(p, i.val, type, sizeof(type)) <= 0 || !type[0])
				continue;
			if (strcmp(type, "ClusterIP") == 0)
				s->type = MODEL_SVC_CLUSTER_IP;
			else if (strcmp(type, "NodePort") == 0)
				s->type = MODEL_SVC_NODE_PORT;
			else if (strcmp(type, "LoadBalancer") == 0)
				s->type = MODEL_SVC_LOAD_BALANCER;
			else
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"ClusterIP\", "
				       "\"LoadBalancer\", \"NodePort\"",
				       mp_quote(type, strlen(type), q, sizeof(q)));
		} else if (strcmp(i.key, "selector") == 0) {
			mp_map(p, i.val, &s->selector, MP_MAP_LABELS);
		} else if (strcmp(i.key, "ports") == 0) {
			struct mp_seq q;

			seen->ports = i.val;
			if (!mp_seq_start(p, &q, i.val, MODEL_MAX_PORTS))
				continue;
			while (mp_seq_next(p, &q)) {
				mp_service_port(p, q.item, &s->ports[s->n_ports],
						&o->node_port_pos[s->n_ports]);
				s->n_ports++;
			}
		} else if (strcmp(i.key, "clusterIP") == 0) {
			seen->cluster_ip_seen = true;
			o->cluster_ip_pos = mp_pos(p, i.val);
			mp_str(p, i.val, seen->cluster_ip, sizeof(seen->cluster_ip));
		} else if (strcmp(i.key, "clusterIPs") == 0) {
			struct mp_seq q;

			if (!mp_seq_start(p, &q, i.val, 2))
				continue;
			while (mp_seq_next(p, &q)) {
				char ip[64];

				if (mp_str(p, q.item, ip, sizeof(ip)) <= 0)
					continue;
				if (q.index == 0) {
					snprintf(seen->cluster_ips0, sizeof(seen->cluster_ips0), "%s", ip);
					seen->has_cluster_ips = true;
					if (!seen->cluster_ip_seen)
						o->cluster_ip_pos = mp_pos(p, q.item);
				} else {
					mp_err(p, q.item, "Forbidden: clientip Services are single-stack "
					       "IPv4: one cluster IP only");
				}
			}
		} else if (strcmp(i.key, "externalTrafficPolicy") == 0) {
			seen->etp = i.val;
			mp_traffic_policy(p, i.val, &s->external_policy, &seen->etp_set,
					  seen->etp_value, sizeof(seen->etp_value));
		} else if (strcmp(i.key, "internalTrafficPolicy") == 0) {
			seen->itp = i.val;
			mp_traffic_policy(p, i.val, &s->internal_policy, NULL, NULL, 0);
		} else if (strcmp(i.key, "healthCheckNodePort") == 0) {
			long long v;

			seen->hc = i.val;
			o->hc_node_port_pos = mp_pos(p, i.val);
			if (mp_int(p, i.val, &v) <= 0 || v == 0)
				continue;
			if (v < LAB_NODEPORT_MIN || v > LAB_NODEPORT_MAX)
				mp_err(p, i.val, "Invalid value: %lld: provided port is not in the valid "
				       "range. The range of valid ports is %d-%d", v, LAB_NODEPORT_MIN,
				       LAB_NODEPORT_MAX);
			else
				s->health_check_node_port = (int)v;
		} else if (strcmp(i.key, "sessionAffinity") == 0) {
			char v[32], q[48];

			if (mp_str(p, i.val, v, sizeof(v)) <= 0 || !v[0])
				continue;
			if (strcmp(v, "ClientIP") == 0)
				s->affinity_client_ip = true;
			else if (strcmp(v, "None") == 0)
				s->affinity_client_ip = false;
			else
				mp_err(p, i.val, "Unsupported value: %s: supported values: \"ClientIP\", "
				       "\"None\"", mp_quote(v, strlen(v), q, sizeof(q)));
		} else if (strcmp(i.key, "sessionAffinityConfig") == 0) {
			struct mp_iter j, k;

			if (!i.val || !mp_iter_start(p, &j, i.val))
				continue;
			seen->affinity_cfg = i.val;
			while (mp_next(p, &j)) {
				if (strcmp(j.key, "clientIP") != 0) {
					mp_unknown(p, &j);
					continue;
				}
				if (!j.val || !mp_iter_start(p, &k, j.val))
					continue;
				while (mp_next(p, &k)) {
					long long v;

					if (strcmp(k.key, "timeoutSeconds") != 0) {
						mp_unknown(p, &k);
						continue;
					}
					if (mp_int(p, k.val, &v) <= 0)
						continue;
					seen->affinity_cfg_set = true;
					seen->timeout_s = (int)v;
					if (v <= 0 || v > 86400)
						mp_err(p, k.val, "Invalid value: %lld: must be greater than 0 "
						       "and less than 86400", v);
					else
						s->affinity_timeout_s = (int)v;
				}
			}
		} else if (strcmp(i.key, "loadBalancerIP") == 0) {
			char ip[64], q[80];

			if (mp_str(p, i.val, ip, sizeof(ip)) <= 0 || !ip[0])
				continue;
			seen->lb_ip = i.val;
			if (!mp_ipv4(ip, &s->load_balancer_ip))
				mp_err(p, i.val, "Invalid value: %s: must be a valid IPv4 address",
				       mp_quote(ip, strlen(ip), q, sizeof(q)));
		} else if (strcmp(i.key, "externalIPs") == 0) {
			struct mp_seq q;

			if (!mp_seq_start(p, &q, i.val, MODEL_MAX_EXTERNAL_IPS))
				continue;
			while (mp_seq_next(p, &q)) {
				char ip[64];
				struct in_addr a;

				if (mp_str(p, q.item, ip, sizeof(ip)) < 0)
					continue;
				if (mp_external_ip(p, q.item, ip, &a))
					s->external_ips[s->n_external_ips++] = a;
			}
		} else if (strcmp(i.key, "loadBalancerSourceRanges") == 0) {
			struct mp_seq q;

			if (!mp_seq_start(p, &q, i.val, MODEL_MAX_SOURCE_RANGES))
				continue;
			while (mp_seq_next(p, &q)) {
				char v[64];
				struct model_cidr4 c;

				if (mp_str(p, q.item, v, sizeof(v)) < 0)
					continue;
				seen->src_ranges = i.val;
				if (mp_source_range(p, q.item, v, &c))
					s->source_ranges[s->n_source_ranges++] = c;
			}
		} else if (mp_key_in(i.key, ignored)) {
			mp_ignored(p, &i);
		} else if (!mp_key_in(i.key, silent)) {
			mp_unknown(p, &i);
		}
	}
}

/* Cross-field rules of ValidateService, in its order. */
static void mp_service_check(struct mp *p, struct manifest_object *o, struct mp_svc_seen *seen)
{
	struct model_service *s = &o->service;
	/* apiservice.ExternallyAccessible: externalIPs make a ClusterIP
	 * Service reachable from outside too. */
	bool external = s->type != MODEL_SVC_CLUSTER_IP || s->n_external_ips > 0;
	char q[96];

	if (!seen->ports || (fy_node_is_sequence(seen->ports) &&
			     fy_node_sequence_item_count(seen->ports) == 0))
		manifest_add_error(p->m, seen->ports ? mp_pos(p, seen->ports)
				   : seen->spec ? mp_pos(p, seen->spec) : o->pos,
				   "spec.ports", "Required value");
	for (int k = 0; k < s->n_ports; k++) {
		struct model_service_port *sp = &s->ports[k];
		struct manifest_pos at = o->node_port_pos[k].line ? o->node_port_pos[k]
								  : mp_pos(p, seen->ports);
		char field[64];

		if (s->n_ports > 1 && sp->name[0] == '\0') {
			snprintf(field, sizeof(field), "spec.ports[%d].name", k);
			manifest_add_error(p->m, mp_item_pos(p, seen->ports, k, NULL), field,
					   "Required value");
		}
		for (int j = 0; j < k; j++) {
			if (sp->name[0] && strcmp(s->ports[j].name, sp->name) == 0) {
				snprintf(field, sizeof(field), "spec.ports[%d].name", k);
				manifest_add_error(p->m, mp_item_pos(p, seen->ports, k, "name"), field,
						   "Duplicate value: \"%s\"", sp->name);
			}
			if (sp->port && s->ports[j].port == sp->port && s->ports[j].proto == sp->proto) {
				snprintf(field, sizeof(field), "spec.ports[%d]", k);
				manifest_add_error(p->m, mp_item_pos(p, seen->ports, k, NULL), field,
						   "Duplicate value: {\"port\":%d,\"protocol\":\"%s\"}",
						   sp->port, model_proto_name(sp->proto));
			}
			if (sp->node_port && s->ports[j].node_port == sp->node_port &&
			    s->ports[j].proto == sp->proto) {
				snprintf(field, sizeof(field), "spec.ports[%d].nodePort", k);
				manifest_add_error(p->m, at, field, "Duplicate value: %d", sp->node_port);
			}
		}
		if (s->type == MODEL_SVC_CLUSTER_IP && sp->node_port) {
			snprintf(field, sizeof(field), "spec.ports[%d].nodePort", k);
			manifest_add_error(p->m, at, field,
					   "Forbidden: may not be used when `type` is 'ClusterIP'");
		}
	}
	if (!external && seen->etp_set) {
		manifest_add_error(p->m, mp_pos(p, seen->etp), "spec.externalTrafficPolicy",
				   "Invalid value: %s: may only be set for externally-accessible "
				   "services", mp_quote(seen->etp_value, strlen(seen->etp_value), q,
							sizeof(q)));
	}
	if (s->health_check_node_port &&
	    !(s->type == MODEL_SVC_LOAD_BALANCER && s->external_policy == MODEL_POLICY_LOCAL)) {
		manifest_add_error(p->m, mp_pos(p, seen->hc), "spec.healthCheckNodePort",
				   "Invalid value: %d: may only be set when `type` is 'LoadBalancer' "
				   "and `externalTrafficPolicy` is 'Local'", s->health_check_node_port);
	}
	if (s->health_check_node_port) {
		for (int k = 0; k < s->n_ports; k++)
			if (s->ports[k].node_port == s->health_check_node_port &&
			    s->ports[k].proto == MODEL_PROTO_TCP)
				manifest_add_error(p->m, mp_pos(p, seen->hc), "spec.healthCheckNodePort",
						   "Invalid value: %d: provided port is already allocated",
						   s->health_check_node_port);
	}
	if (seen->affinity_cfg_set && !s->affinity_client_ip) {
		manifest_add_error(p->m, mp_pos(p, seen->affinity_cfg), "spec.sessionAffinityConfig",
				   "Invalid value: {\"clientIP\":{\"timeoutSeconds\":%d}}: must not be "
				   "set when session affinity is None", seen->timeout_s);
	}
	if (seen->src_ranges && s->type != MODEL_SVC_LOAD_BALANCER) {
		manifest_add_error(p->m, mp_pos(p, seen->src_ranges),
				   "spec.loadBalancerSourceRanges",
				   "Forbidden: may only be used when `type` is 'LoadBalancer'");
	}
	if (seen->lb_ip && s->type != MODEL_SVC_LOAD_BALANCER) {
		manifest_add_error(p->m, mp_pos(p, seen->lb_ip), "spec.loadBalancerIP",
				   "Forbidden: may only be used when `type` is 'LoadBalancer'");
	}
	/* clusterIP: "" allocates; "None" would be a headless Service. */
	{
		const char *ip = seen->cluster_ip[0] ? seen->cluster_ip : seen->cluster_ips0;
		struct in_addr a, net;

		if (seen->cluster_ip[0] && seen->has_cluster_ips &&
		    strcmp(seen->cluster_ip, seen->cluster_ips0) != 0) {
			manifest_add_error(p->m, o->cluster_ip_pos, "spec.clusterIPs[0]",
					   "Invalid value: %s: must match `clusterIP` when both are "
					   "specified", mp_quote(seen->cluster_ips0,
								 strlen(seen->cluster_ips0), q, sizeof(q)));
		} else if (strcmp(ip, "None") == 0) {
			manifest_add_error(p->m, o->cluster_ip_pos, "spec.clusterIP",
					   "Unsupported value: \"None\": headless Services are not "
					   "supported by clientip");
		} else if (ip[0] && !mp_ipv4(ip, &a)) {
			manifest_add_error(p->m, o->cluster_ip_pos, "spec.clusterIP",
					   "Invalid value: %s: must be a valid IP address",
					   mp_quote(ip, strlen(ip), q, sizeof(q)));
		} else if (ip[0]) {
			inet_pton(AF_INET, "10.0.0.0", &net);
			if ((ntohl(a.s_addr) & 0xffff0000u) != ntohl(net.s_addr))
				manifest_add_error(p->m, o->cluster_ip_pos, "spec.clusterIPs",
						   "Invalid value: []string{\"%s\"}: failed to allocate "
						   "IP %s: the provided IP (%s) is not in the valid range. "
						   "The range of valid IPs is %s", ip, ip, ip,
						   LAB_SERVICE_CIDR);
			else
				s->cluster_ip = a;
		}
	}
}

void mp_service(struct mp *p, struct fy_node *root, struct manifest_object *o)
{
	struct model_service *s = &o->service;
	struct mp_svc_seen seen;
	bool named = false;
	struct mp_iter i;

	memset(&seen, 0, sizeof(seen));
	model_service_init(s);
	snprintf(s->meta.ns, sizeof(s->meta.ns), "%s", p->default_ns);
	if (!mp_iter_start(p, &i, root))
		return;
	while (mp_next(p, &i)) {
		if (mp_key_in(i.key, mp_object_keys_skipped))
			continue;
		if (strcmp(i.key, "metadata") == 0)
			mp_meta(p, i.val, &s->meta, o, MP_NAME_DNS1035, &named);
		else if (strcmp(i.key, "spec") == 0)
			mp_service_spec(p, i.val, o, &seen);
		else
			mp_unknown(p, &i);
	}
	if (!named)
		manifest_add_error(p->m, o->pos, "metadata.name",
				   "Required value: name or generateName is required");
	mp_service_check(p, o, &seen);
}
