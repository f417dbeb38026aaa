#!/usr/bin/env bash
# Nothing lost under change: the scenario's own manifests with 2 replicas
# on 3 nodes, the load balancer's default probes (5 s, 2 failures), and a
# client that opens a new connection every 50 ms (2 s budget) while keeping
# 8 keep-alive connections busy. Each change below must cost no failed new
# connection and no dropped keep-alive connection:
#   rollout restart under Local, scale 2 -> 1 under Local, rollout restart
#   under Cluster.
# What makes it so: the pod's endpoint turns terminating while the pod
# still serves (the proxies use serving terminating endpoints), its node's
# health check answers 503 so the load balancer drains the node, and
# clientip-echo goes on accepting for 15 s after SIGTERM (longer than two
# failed probes) before it closes its listener. The other rows of the
# table live with their mechanisms: test_local_handover (Cluster -> Local),
# test_lab_supervise (kill -9 of an agent or the load balancer),
# test_lb_unpin (a SYN sent to a node that then left the pool).
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"
command -v jq >/dev/null || t_skip_all "needs jq"

t_ok "lab up --nodes 3" "$C" --lab "$lab" lab up --nodes 3
t_defer "$C --lab $lab lab down"
t_scenario_manifest Local 2 >"$T_TMP/local.yaml"
t_scenario_manifest Cluster 2 >"$T_TMP/cluster.yaml"

# Settled: REPLICAS pods, all Ready, none terminating, and the pool at
# PERCENT.
settled() {
	local pods
	pods=$("$C" --lab "$lab" get pods -l app=node -o json) || return 1
	[ "$(jq '[.items[] | select(.metadata.deletionTimestamp == null)] | length' <<<"$pods")" -eq "$1" ] &&
		[ "$(jq '.items | length' <<<"$pods")" -eq "$1" ] &&
		[ "$(jq '[.items[] | select(.status.conditions[]? | .type == "Ready" and .status == "True")] | length' <<<"$pods")" -eq "$1" ] &&
		"$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: $2 %"
}

# row NAME CHANGE...: the change, 3 s into a 30 s load, then the counts.
row() {
	local name=$1 out="$T_TMP/row$((++rows)).json"
	shift
	"$C" --lab "$lab" load "http://$FE/" --duration 30s --rate 20 --timeout 2s --keepalive 8 \
		-o json >"$out" &
	local load=$!
	t_ok "$name: the load is running" t_wait 10 sh -c \
		"ip netns exec cip-$lab-edge conntrack -L -d $FE 2>/dev/null | grep -q ESTABLISHED"
	t_ok "$name: the change" "$@"
	wait "$load"
	jq -e '.new.failed == 0 and .keepalive.dropped == 0' "$out" >/dev/null || jq -c . "$out"
	t_eq "$name: every new connection answered" "$(jq .new.sent "$out")" "$(jq .new.answered "$out")"
	t_eq "$name: no keep-alive connection dropped" 0 "$(jq .keepalive.dropped "$out")"
}
rows=0

t_ok "apply Local, 2 replicas" "$C" --lab "$lab" apply -f "$T_TMP/local.yaml"
t_ok "settled: 2 pods, 2 nodes of 3 in the pool" t_wait 90 settled 2 67
FE=$("$C" --lab "$lab" get svc node-service -o json | jq -r '.status.loadBalancer.ingress[0].ip')
t_match "frontend address" '^203\.0\.113\.' "$FE"

row "rollout restart, Local" "$C" --lab "$lab" rollout restart deployment/node-deployment
t_ok "settled again" t_wait 90 settled 2 67

row "scale 2 -> 1, Local" "$C" --lab "$lab" scale deployment/node-deployment --replicas 1
t_ok "settled: 1 pod, 1 node in the pool" t_wait 90 settled 1 33

t_ok "apply Cluster, 2 replicas" "$C" --lab "$lab" apply -f "$T_TMP/cluster.yaml"
t_ok "settled: every node in the pool" t_wait 90 settled 2 100
row "rollout restart, Cluster" "$C" --lab "$lab" rollout restart deployment/node-deployment
t_ok "settled again" t_wait 90 settled 2 100

t_done
