#!/usr/bin/env bash
# kube-proxy's nftables-mode behaviours beyond the core chains, on a
# hand-built two-node world (proxy_topo.sh): cluster-ips-check (an unknown
# port of a ClusterIP is rejected, an unallocated address of the service
# CIDR dropped), NodePorts and health check node ports on the node's
# primary address only, externalIPs with externalTrafficPolicy semantics,
# loadBalancerSourceRanges (firewall-check, NodePorts bypass it), the
# proxy's health rule and /healthz body (and NodeEligible: a node tainted
# for deletion answers 503), and kube-proxy's metric names.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proxy_topo.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces, nftables)"

# curl's own message for a failed connection, or the body: tells a reject
# ("Connection refused") from an unreachable route ("No route to host")
# and a drop (ERR28, timed out).
pt_why() {
	local out rc
	out=$(pt_in "$1" curl -sv --max-time 2 "$2" 2>&1); rc=$?
	case $rc in
	0) printf '%s' "${out##*$'\n'}" ;;
	7) case $out in *"Connection refused"*) printf REFUSED ;; *) printf UNREACHABLE ;; esac ;;
	*) printf 'ERR%d' "$rc" ;;
	esac
}

t_ok "two-node world" pt_world
t_ok "pod web0 on node0" pt_pod web0 0 10.244.0.2
t_ok "pod c1 on node1" pt_pod c1 1 10.244.1.10
t_ok "clientip-echo in web0" pt_echo web0
# What leaves a node for the service CIDR meets an unreachable route at the
# edge, so only the proxy can make it a reject or a silent drop.
t_ok "edge: service CIDR unreachable" ip -n "$(pt_ns edge)" route add unreachable 10.0.0.0/16
# Every such packet gets its ICMP error, however close to the last one.
t_ok "edge: no ICMP rate limit" pt_in edge sysctl -qw net.ipv4.icmp_ratelimit=0
pt_svc web type=LoadBalancer cip=10.0.166.24 port=80 target=8080 nodeport=31080 \
	ingress=203.0.113.10 etp=Local hc=32080
pt_eps web 10.244.0.2:node0:8080
t_ok "agent on node0" pt_agent 0
CLIENTIP_PROXY_SYNC_PERIOD_S=1 t_ok "agent on node1 (sync period 1 s)" pt_agent 1
t_ok "node1 programs the Service" t_wait 5 pt_has 1 '10\.0\.166\.24 \. tcp \. 80 : goto service-'

# --- cluster-ips-check ------------------------------------------------------
t_eq "ClusterIP, the Service's port: answered" "::ffff:10.244.1.10" \
	"$(pt_curl c1 http://10.0.166.24/)"
t_eq "ClusterIP, a port no Service has, from a pod: rejected" "REFUSED" \
	"$(pt_why c1 http://10.0.166.24:81/)"
t_eq "ClusterIP, a port no Service has, from the node: rejected" "REFUSED" \
	"$(pt_why node1 http://10.0.166.24:81/)"
t_eq "outside the service CIDR: the edge's unreachable route" "UNREACHABLE" \
	"$(pt_why node1 http://198.18.0.1/)"
t_eq "unallocated service CIDR address: dropped" "ERR28" "$(pt_why node1 http://10.0.9.9/)"

# --- NodePorts and health check node ports: primary address only -----------
t_eq "NodePort on node0's primary address" "::ffff:10.240.0.1" \
	"$(pt_curl edge http://10.240.0.4:31080/)"
t_ok "node0: nodeport-ips holds the primary address" pt_has 0 'elements = \{ 10\.240\.0\.4 \}'
t_eq "NodePort on node0's cbr0 address: not a NodePort" "REFUSED" \
	"$(pt_why web0 http://10.244.0.1:31080/)"
t_match "health check node port on the primary address" '"localEndpoints":1' \
	"$(pt_curl edge http://10.240.0.4:32080/)"
t_eq "health check node port on cbr0: not bound" "REFUSED" \
	"$(pt_why web0 http://10.244.0.1:32080/)"

# --- externalIPs --------------------------------------------------------------
pt_svc ext cip=10.0.0.90 port=80 target=8080 eips=192.0.2.90
pt_eps ext 10.244.0.2:node0:8080
t_ok "node1: externalIP in service-ips" \
	t_wait 5 pt_has 1 '192\.0\.2\.90 \. tcp \. 80 : goto external-'
pt_route 192.0.2.90 1
t_eq "externalIP, Cluster, via the other node: SNAT to its VNet address" "::ffff:10.240.0.5" \
	"$(pt_curl client http://192.0.2.90/)"
# A NodePort Service: the lab's API server keeps externalTrafficPolicy only
# where there are node ports.
pt_svc ext type=NodePort cip=10.0.0.90 port=80 target=8080 nodeport=30090 eips=192.0.2.90 \
	etp=Local
t_ok "node1 drops externalIP traffic under Local" \
	t_wait 5 pt_has 1 '192\.0\.2\.90 \. tcp \. 80 .*comment "default/ext:80" : drop'
t_eq "externalIP, Local, node without the pod: dropped" "ERR28" \
	"$(pt_curl client http://192.0.2.90/)"
pt_route 192.0.2.90 0
t_eq "externalIP, Local, the pod's node: the client's own address" "::ffff:198.51.100.10" \
	"$(pt_curl client http://192.0.2.90/)"
t_eq "externalIP, Local, from a pod elsewhere: short-circuits" "::ffff:10.244.1.10" \
	"$(pt_curl c1 http://192.0.2.90/)"

# --- loadBalancerSourceRanges -------------------------------------------------
pt_route 203.0.113.10 0
t_eq "frontend IP without source ranges: answered" "::ffff:198.51.100.10" \
	"$(pt_curl client http://203.0.113.10/)"
pt_svc web type=LoadBalancer cip=10.0.166.24 port=80 target=8080 nodeport=31080 \
	ingress=203.0.113.10 etp=Local hc=32080 ranges=198.51.100.11/32,192.0.2.0/24
t_ok "node0: the frontend IP in firewall-ips" \
	t_wait 5 pt_has 0 '203\.0\.113\.10 \. tcp \. 80 : goto firewall-'
t_eq "frontend IP from outside the ranges: dropped" "ERR28" \
	"$(pt_curl client http://203.0.113.10/)"
t_eq "NodePort from outside the ranges: not subject to them" "::ffff:10.240.0.1" \
	"$(pt_curl edge http://10.240.0.4:31080/)"
pt_svc web type=LoadBalancer cip=10.0.166.24 port=80 target=8080 nodeport=31080 \
	ingress=203.0.113.10 etp=Local hc=32080 ranges=198.51.100.0/24
t_ok "node0 widens the range" t_wait 5 pt_has 0 'ip saddr != 198\.51\.100\.0/24 drop'
t_eq "frontend IP from inside the ranges: answered" "::ffff:198.51.100.10" \
	"$(pt_curl client http://203.0.113.10/)"

# --- proxy health -------------------------------------------------------------
hz=$(pt_in edge curl -s -i --max-time 2 http://10.240.0.5:10256/healthz | tr -d '\r')
t_match "/healthz: 200" '^HTTP/1.1 200 OK' "$hz"
t_match "/healthz: healthy and per-family status" '"nodeEligible":true,"healthy":true,"status":\{"IPv4":\{"lastUpdated":"[0-9T:.-]+Z","healthy":true\}\}\}$' "$hz"
# kube-proxy's NodeEligible: a node the cluster autoscaler marked for
# deletion answers /healthz 503, so that a load balancer probing it
# (shared probe mode) drains it; /livez and the proxy's own health stay.
node_taints() { pt_api PATCH "/api/v1/nodes/$1" application/merge-patch+json >/dev/null; }
hz_code() { pt_in edge curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://10.240.0.5:10256/$1"; }
hz_is() { [ "$(hz_code "$1")" = "$2" ]; }
t_ok "node1 tainted ToBeDeletedByClusterAutoscaler" node_taints node1 \
	<<<'{"spec":{"taints":[{"key":"ToBeDeletedByClusterAutoscaler","value":"1764900000","effect":"NoSchedule"}]}}'
t_ok "/healthz: 503" t_wait 10 hz_is healthz 503
t_match "/healthz: not eligible, the proxy itself healthy" \
	'"nodeEligible":false,"healthy":false,"status":\{"IPv4":\{"lastUpdated":"[0-9T:.-]+Z","healthy":true\}\}\}$' \
	"$(pt_in edge curl -s --max-time 2 http://10.240.0.5:10256/healthz)"
t_eq "/livez: still 200" 200 "$(hz_code livez)"
t_ok "the taint removed" node_taints node1 <<<'{"spec":{"taints":null}}'
t_ok "/healthz: 200 again" t_wait 10 hz_is healthz 200
# The API server frozen: kube-proxy's rule is that only a change waiting
# to be programmed makes it unhealthy, and none can arrive; node1 (sync
# period 1 s) stays healthy past twice its period, keeps its rules, and
# programs what changed meanwhile once the server is back.
healthy() { [ "$(pt_in edge curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://10.240.0.5:10256/healthz)" = 200 ]; }
ext_eps() { pt_in node1 nft list table ip kube-proxy | grep -c 'chain endpoint-[A-Z0-9]*-default/ext/tcp/80__'; }
ext_eps_is() { [ "$(ext_eps)" = "$1" ]; }
kill -STOP "$PT_APISERVER"
t_defer "kill -CONT $PT_APISERVER 2>/dev/null"
# The change is sent now, as the controller would, and waits for the server.
pt_eps ext 10.244.0.2:node0:8080 10.244.0.3:node0:8080 &
writer=$!
sleep 3   # twice node1's sync period and more: time passing is what is tested
t_ok "API server frozen: node1 healthy" healthy
# The agents' kubelets wait up to a second for each request to the frozen
# server, on the agent's loop. kube-proxy's health servers run beside its
# loop, and so do the agent's: every probe of node0's health check node
# port (web's endpoint is there) is answered within the load balancer's
# probe timeout (0.8 s at the lab's 1 s interval), across several of the
# kubelets' 2 s heartbeats.
hc_quick() { [ "$(pt_in edge curl -s -o /dev/null -w '%{http_code}' --max-time 0.8 \
	http://10.240.0.4:32080/)" = 200 ]; }
hc_answered=0
for i in $(seq 1 12); do
	hc_quick && hc_answered=$((hc_answered + 1))
	sleep 0.5   # probes spread over the heartbeats, as a load balancer's interval does
done
t_eq "API server frozen: node0's health check node port answers every probe in time" 12 "$hc_answered"
t_eq "API server frozen: ext keeps its one endpoint" 1 "$(ext_eps)"
t_eq "API server frozen: ext answers" "::ffff:10.244.1.10" "$(pt_curl c1 http://192.0.2.90/)"
kill -CONT "$PT_APISERVER"
t_ok "API server back: it takes the change sent meanwhile" wait "$writer"
t_ok "API server back: the new endpoint is programmed" t_wait 10 ext_eps_is 2
t_ok "programmed again: node1 healthy" t_wait 8 healthy

# --- metrics: every name kube-proxy registers in nftables mode ------------------
metrics=$(pt_in edge curl -s --max-time 2 http://10.240.0.5:10249/metrics)
for m in sync_proxy_rules_duration_seconds_bucket sync_full_proxy_rules_duration_seconds_bucket \
	sync_partial_proxy_rules_duration_seconds_bucket sync_proxy_rules_last_timestamp_seconds \
	sync_proxy_rules_last_queued_timestamp_seconds sync_proxy_rules_endpoint_changes_pending \
	sync_proxy_rules_endpoint_changes_total sync_proxy_rules_service_changes_pending \
	sync_proxy_rules_service_changes_total 'proxy_healthz_total\{code="200"\}' \
	'proxy_healthz_total\{code="503"\}' 'proxy_livez_total\{code="503"\}' \
	network_programming_duration_seconds_bucket \
	'sync_proxy_rules_no_local_endpoints_total\{traffic_policy="external"\}' \
	sync_proxy_rules_nftables_sync_failures_total \
	sync_proxy_rules_nftables_cleanup_failures_total; do
	t_match "/metrics: kubeproxy_$m" "^kubeproxy_$m" "$metrics"
done
t_match "/metrics: service changes counted" 'kubeproxy_sync_proxy_rules_service_changes_total [1-9]' "$metrics"
t_match "/metrics: endpoint changes counted" 'kubeproxy_sync_proxy_rules_endpoint_changes_total [1-9]' "$metrics"
t_match "/metrics: nothing pending" 'kubeproxy_sync_proxy_rules_endpoint_changes_pending 0' "$metrics"
t_match "/metrics: 200 answers counted" 'kubeproxy_proxy_healthz_total\{code="200"\} [1-9]' "$metrics"
t_match "/metrics: programming latency observed" 'kubeproxy_network_programming_duration_seconds_count [1-9]' "$metrics"
t_match "/metrics: node1 has no local endpoint for 2 Local ports" \
	'kubeproxy_sync_proxy_rules_no_local_endpoints_total\{traffic_policy="external"\} 2' "$metrics"
t_ok "agents still running" kill -0 "${PT_AGENT[0]}" "${PT_AGENT[1]}"
pt_done
