#!/usr/bin/env bash
# The scenario's effect, on a hand-built two-node world (proxy_topo.sh):
# a LoadBalancer Service's frontend IP arriving at either node reaches the
# pod with SNAT under externalTrafficPolicy Cluster and with the client's own
# address under Local; Local on the node without the pod drops (and counts
# it); health check node port 200/503 with kube-proxy's exact JSON;
# /healthz, /livez and /metrics on the node.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proxy_topo.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces, nftables)"

t_ok "two-node world" pt_world
t_ok "pod web0 on node0" pt_pod web0 0 10.244.0.2
t_ok "clientip-echo in web0" pt_echo web0
pt_svc node-service type=LoadBalancer cip=10.0.166.24 port=80 target=8080 nodeport=31080 \
	ingress=203.0.113.10
pt_eps node-service 10.244.0.2:node0:8080
t_ok "agent on node0 programs the Service" pt_agent 0
t_ok "agent on node1 programs the Service" pt_agent 1
t_ok "node0: frontend IP in service-ips" t_wait 5 pt_has 0 '203\.0\.113\.10 \. tcp \. 80 : goto external-'
t_ok "node1: frontend IP in service-ips" t_wait 5 pt_has 1 '203\.0\.113\.10 \. tcp \. 80 : goto external-'

# --- externalTrafficPolicy: Cluster ---------------------------------------
pt_route 203.0.113.10 0
t_eq "Cluster via the pod's node: its cbr0 address" "::ffff:10.244.0.1" \
	"$(pt_curl client http://203.0.113.10/)"
pt_route 203.0.113.10 1
t_eq "Cluster via the other node: its VNet address" "::ffff:10.240.0.5" \
	"$(pt_curl client http://203.0.113.10/)"
t_eq "Cluster: no health check node port" "ERR7" "$(pt_curl edge http://10.240.0.4:32080/)"

# --- externalTrafficPolicy: Local ------------------------------------------
pt_svc node-service type=LoadBalancer cip=10.0.166.24 port=80 target=8080 nodeport=31080 \
	ingress=203.0.113.10 etp=Local hc=32080
t_ok "node0 switches to a local chain" t_wait 5 pt_has 0 'goto local-'
t_ok "node1 drops frontend traffic" t_wait 5 pt_has 1 '203\.0\.113\.10 \. tcp \. 80 .*: drop'
pt_route 203.0.113.10 0
t_eq "Local via the pod's node: the client's own address" "::ffff:198.51.100.10" \
	"$(pt_curl client http://203.0.113.10/)"
pt_route 203.0.113.10 1
t_eq "Local via the node without the pod: dropped (timeout)" "ERR28" \
	"$(pt_curl client http://203.0.113.10/)"
dropped() {
	grep -Eq 'clientip_proxy_packets_dropped_no_local_endpoints_total\{namespace="default",service="node-service"\} [1-9]' \
		"$PT_STATE/status/nodes/node1.metrics"
}
t_ok "node1 counts the drops in its metrics file" t_wait 6 dropped
t_eq "Local, node-originated traffic on node1 short-circuits to the pod (SNAT)" \
	"::ffff:10.240.0.5" "$(pt_curl node1 http://203.0.113.10/)"
t_eq "Local, NodePort on node0 from the VNet: client address kept" "::ffff:10.240.0.1" \
	"$(pt_curl edge http://10.240.0.4:31080/)"
t_eq "Local, NodePort on node1: dropped" "ERR28" "$(pt_curl edge http://10.240.0.5:31080/)"

# --- health check node port ------------------------------------------------
hc_ok=$(pt_in edge curl -s -i --max-time 2 http://10.240.0.4:32080/any/path | tr -d '\r')
t_match "node0 health check: 200" '^HTTP/1.1 200 OK' "$hc_ok"
t_match "node0 health check: JSON content type" $'\nContent-Type: application/json\n' "$hc_ok"
t_match "node0 health check: nosniff" $'\nX-Content-Type-Options: nosniff\n' "$hc_ok"
t_match "node0 health check: endpoint weight 1" $'\nX-Load-Balancing-Endpoint-Weight: 1\n' "$hc_ok"
t_eq "node0 health check: body" \
	'{"service":{"namespace":"default","name":"node-service"},"localEndpoints":1,"serviceProxyHealthy":true}' \
	"$(printf '%s' "$hc_ok" | sed '1,/^$/d')"
hc_bad=$(pt_in edge curl -s -i --max-time 2 http://10.240.0.5:32080/healthz | tr -d '\r')
t_match "node1 health check: 503" '^HTTP/1.1 503 Service Unavailable' "$hc_bad"
t_match "node1 health check: endpoint weight 0" $'\nX-Load-Balancing-Endpoint-Weight: 0\n' "$hc_bad"
t_eq "node1 health check: body" \
	'{"service":{"namespace":"default","name":"node-service"},"localEndpoints":0,"serviceProxyHealthy":true}' \
	"$(printf '%s' "$hc_bad" | sed '1,/^$/d')"
t_eq "health check: HEAD has no body" "" "$(pt_in edge curl -s -I --max-time 2 http://10.240.0.4:32080/ | sed '1,/^\r$/d')"
garbage=$(pt_in edge timeout 3 bash -c 'exec 3<>/dev/tcp/10.240.0.4/32080; printf "GARBAGE\x01 /\r\n\r\n" >&3; head -1 <&3' | tr -d '\r')
t_eq "health check: garbage gets 400" "HTTP/1.1 400 Bad Request" "$garbage"

# --- the proxy's own endpoints ----------------------------------------------
hz=$(pt_in edge curl -s -i --max-time 2 http://10.240.0.4:10256/healthz | tr -d '\r')
t_match "/healthz: 200" '^HTTP/1.1 200 OK' "$hz"
t_match "/healthz: kube-proxy's body" '\{"lastUpdated":"[0-9T:.-]+Z","currentTime":"[0-9T:.-]+Z","nodeEligible":true,"healthy":true,"status":\{"IPv4":\{"lastUpdated":"[0-9T:.-]+Z","healthy":true\}\}\}$' "$hz"
t_match "/livez: 200" '^HTTP/1.1 200 OK' "$(pt_in edge curl -s -i --max-time 2 http://10.240.0.5:10256/livez)"
t_match "/nothing: 404" '^HTTP/1.1 404' "$(pt_in edge curl -s -i --max-time 2 http://10.240.0.5:10256/nothing)"
metrics=$(pt_in edge curl -s --max-time 2 http://10.240.0.4:10249/metrics)
t_match "/metrics: sync duration histogram" 'kubeproxy_sync_proxy_rules_duration_seconds_bucket\{le="0.001"\} [0-9]+' "$metrics"
t_match "/metrics: last sync timestamp" 'kubeproxy_sync_proxy_rules_last_timestamp_seconds [1-9][0-9]{9}' "$metrics"
t_match "/metrics: local endpoints per service" 'clientip_proxy_service_local_endpoints\{namespace="default",service="node-service",condition="ready"\} 1' "$metrics"
t_match "/metrics: objects programmed" 'clientip_proxy_nftables_objects\{kind="chains"\} [1-9]' "$metrics"
t_match "metrics file: health check status on node1" 'clientip_proxy_service_health_check\{namespace="default",service="node-service",port="32080"\} 503' \
	"$(cat "$PT_STATE/status/nodes/node1.metrics")"

# --- back to Cluster: the health check node port closes -------------------
pt_svc node-service type=LoadBalancer cip=10.0.166.24 port=80 target=8080 nodeport=31080 \
	ingress=203.0.113.10
hc_closed() { [ "$(pt_curl edge http://10.240.0.4:32080/)" = ERR7 ]; }
t_ok "health check node port closed with policy Cluster" t_wait 5 hc_closed
pt_route 203.0.113.10 1
t_eq "Cluster again via node1: SNAT" "::ffff:10.240.0.5" "$(pt_curl client http://203.0.113.10/)"
t_ok "agents still running" kill -0 "${PT_AGENT[0]}" "${PT_AGENT[1]}"
pt_done
