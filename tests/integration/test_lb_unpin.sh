#!/usr/bin/env bash
# A flow that never got an answer is not pinned to its node. Switching the
# scenario's Service from Cluster to Local leaves the node without the pod
# dropping new flows until the load balancer's probes take it out (as on
# AKS); SYNs sent to it in that window used to have every retransmission
# follow the edge's conntrack entry to the same node, so their connects
# hung for good. Now the edge lets unanswered flows go when the pool
# changes: with a 10 s connect budget (the client retransmits at 1 and 3 s)
# every new connection is answered, and established keep-alive connections
# keep their node throughout.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"
command -v jq >/dev/null || t_skip_all "needs jq"

t_ok "lab up --nodes 2 --probe-interval 1" "$C" --lab "$lab" lab up --nodes 2 --probe-interval 1
t_defer "$C --lab $lab lab down"
SD=$("$C" --lab "$lab" lab status | sed -n 's/^State: *//p')
t_scenario_manifest Cluster 1 >"$T_TMP/cluster.yaml"
t_scenario_manifest Local 1 >"$T_TMP/local.yaml"
pool_is() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: $1 %"; }
t_ok "apply Cluster, one replica" "$C" --lab "$lab" apply -f "$T_TMP/cluster.yaml"
t_ok "pod Ready" t_wait 30 "$C" --lab "$lab" wait --for=condition=Ready pod -l app=node --timeout 1s
t_ok "pool at 100 %" t_wait 30 pool_is 100
FE=$("$C" --lab "$lab" get svc node-service -o json | sed -n 's/.*"ip": "\(203\.0\.113\.[0-9]*\)".*/\1/p' | head -1)

"$C" --lab "$lab" load "http://$FE/" --duration 10s --rate 20 --timeout 10s --keepalive 8 \
	-o json >"$T_TMP/switch.json" &
load=$!
# Once the load has its keep-alive connections up, switch.
t_ok "the load is running" t_wait 10 sh -c "ip netns exec cip-$lab-edge conntrack -L -d $FE 2>/dev/null | grep -q ESTABLISHED"
t_ok "switch to Local under load" "$C" --lab "$lab" apply -f "$T_TMP/local.yaml"
t_ok "pool at 50 %" t_wait 30 pool_is 50
wait "$load"
jq -e '.new.failed == 0' "$T_TMP/switch.json" >/dev/null || jq -c . "$T_TMP/switch.json"
t_eq "every new connection answered" "$(jq .new.sent "$T_TMP/switch.json")" "$(jq .new.answered "$T_TMP/switch.json")"
t_eq "none timed out" 0 "$(jq .new.timedOut "$T_TMP/switch.json")"
t_eq "established keep-alive connections kept their node" 0 "$(jq .keepalive.dropped "$T_TMP/switch.json")"
t_match "the load balancer let unanswered flows go" "unanswered flow\(s\) let go of a node that left the pool" \
	"$(cat "$SD/logs/lb.log")"

t_done
