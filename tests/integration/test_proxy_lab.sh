#!/usr/bin/env bash
# The service proxy in a real lab (`clientip lab up`, `clientip apply` with
# the scenario's manifests, 2 nodes, the cloud load balancer in front):
# per node, what each agent programmed and serves. Cluster: flows through
# the pod's node show its cbr0 address, flows through the other node its
# VNet address; Local: the client's own address, health check node port
# 200 on the pod's node and 503 on the other with kube-proxy's body; the
# ruleset reads as kube-proxy's; metrics files written. Every request starts
# inside the lab.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces, nftables)"

C=$T_BUILD/clientip
lab=$(t_unique)

manifest() { t_scenario_manifest "$1"; } # policy

statedir() { "$C" --lab "$lab" lab status | sed -n 's/^State: *//p'; }
frontend() { t_frontend "$SD" node-service; }
has_frontend() { [ -n "$(frontend)" ]; }
pods_ready() { [ "$("$C" --lab "$lab" get pods -l app=node 2>/dev/null | grep -c ' 1/1 .*Running')" == 1 ]; }
pod_node() { t_api "$SD" '/api/v1/namespaces/default/pods?labelSelector=app%3Dnode' | jq -r '.items[0].spec.nodeName // empty' | sed 's/^node//'; }
hc_port() { t_api "$SD" /api/v1/namespaces/default/services/node-service | jq -r '.spec.healthCheckNodePort // empty'; }
ask() { "$C" --lab "$lab" exec client0 -- curl -s --max-time 3 "http://$FE/"; }
answers() { local i; for ((i = 0; i < $1; i++)); do ask; echo; done; }
table() { "$C" --lab "$lab" exec "node$1" -- nft list table ip kube-proxy 2>/dev/null; }
has() { table "$1" | grep -Eq -- "$2"; }
pool_is() { [ "$("$C" --lab "$lab" probes node-service 2>/dev/null | sed -n 's/^Health Probe Status: \([0-9-]*\).*/\1/p')" == "$1" ]; }

t_ok "lab up --nodes 2" "$C" --lab "$lab" lab up --nodes 2 --clients 1 --probe-interval 1
t_defer "$C --lab $lab lab down"
SD=$(statedir)

manifest Cluster >"$T_TMP/deploy.yaml"
t_ok "apply the scenario (Cluster)" "$C" --lab "$lab" apply -f "$T_TMP/deploy.yaml"
t_ok "the pod is ready" t_wait 30 pods_ready
t_ok "the Service gets a frontend" t_wait 10 has_frontend
FE=$(frontend)
P=$(pod_node)
O=$((1 - ${P:-0}))
t_match "the pod's node is known" '^[01]$' "$P"
t_ok "node$P programmed the frontend IP" t_wait 10 has "$P" "$FE \\. tcp \\. 80 : goto external-"
t_ok "node$O programmed the frontend IP" t_wait 10 has "$O" "$FE \\. tcp \\. 80 : goto external-"
t_ok "the ruleset reads as kube-proxy's" has "$O" 'chain mark-for-masquerade'

# The load balancer spreads new flows over both nodes (5-tuple hash) once
# both pass their probes: each node's SNAT shows up.
t_ok "both nodes in the load balancer's pool" t_wait 10 pool_is 100
seen=$(answers 24 | sort -u | tr '\n' ' ')
t_match "Cluster via the pod's node: its cbr0 address" "::ffff:10\\.244\\.$P\\.1( |$)" "$seen"
t_match "Cluster via the other node: its VNet address" "::ffff:10\\.240\\.0\\.$((4 + O))( |$)" "$seen"
t_eq "Cluster: never the client's address" "" "$(grep -o '198\.51\.100\.10' <<<"$seen")"

manifest Local >"$T_TMP/deploy.yaml"
t_ok "apply the Local manifest" "$C" --lab "$lab" apply -f "$T_TMP/deploy.yaml"
t_ok "node$O drops frontend traffic it cannot serve locally" \
	t_wait 10 has "$O" "$FE \\. tcp \\. 80 .*: drop"
HC=$(hc_port)
t_match "a health check node port is allocated" '^3[0-9]{4}$' "$HC"
hc_ok() { [ "$("$C" --lab "$lab" exec "node$P" -- curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://10.240.0.$((4 + P)):$HC/")" == 200 ]; }
t_ok "health check on the pod's node: 200" t_wait 10 hc_ok
t_eq "health check body on the pod's node" \
	'{"service":{"namespace":"default","name":"node-service"},"localEndpoints":1,"serviceProxyHealthy":true}' \
	"$("$C" --lab "$lab" exec "node$P" -- curl -s --max-time 2 "http://10.240.0.$((4 + P)):$HC/healthz")"
t_eq "health check on the other node: 503" "503" \
	"$("$C" --lab "$lab" exec "node$O" -- curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://10.240.0.$((4 + O)):$HC/")"
t_eq "health check body on the other node" \
	'{"service":{"namespace":"default","name":"node-service"},"localEndpoints":0,"serviceProxyHealthy":true}' \
	"$("$C" --lab "$lab" exec "node$O" -- curl -s --max-time 2 "http://10.240.0.$((4 + O)):$HC/")"
local_only() { [ "$(answers 6 | sort -u)" == "::ffff:198.51.100.10" ]; }
t_ok "Local: the client's own address" t_wait 10 local_only
t_match "node$P's metrics file" 'clientip_proxy_service_local_endpoints\{namespace="default",service="node-service",condition="ready"\} 1' \
	"$(cat "$SD/status/nodes/node$P.metrics" 2>/dev/null)"
t_match "node$O reports its health check as 503" \
	"clientip_proxy_service_health_check\\{namespace=\"default\",service=\"node-service\",port=\"$HC\"\\} 503" \
	"$(cat "$SD/status/nodes/node$O.metrics" 2>/dev/null)"
t_ok "proxy healthz on both nodes" "$C" --lab "$lab" exec "node$O" -- curl -sf --max-time 2 \
	"http://10.240.0.$((4 + P)):10256/healthz"
t_done
