#!/usr/bin/env bash
# Workloads in a real lab, driven only through the CLI: the project's
# manifest gives a Ready pod with an address in its node's pod CIDR that
# answers from its node; scale spreads pods over the nodes; rollout restart
# replaces every pod; scale down removes pods and their namespaces.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)

t_ok "lab up" "$C" --lab "$lab" lab up --nodes 2
t_defer "$C --lab $lab lab down"
t_ok "apply deploy/deploy.yaml" "$C" --lab "$lab" apply -f "$T_ROOT/deploy/deploy.yaml"
t_ok "a Ready pod" "$C" --lab "$lab" wait --for=condition=Ready pod -l app=node --timeout 30s

# name ip node of each pod, one per line
pods() {
	"$C" --lab "$lab" get pods -l app=node -o json | python3 -c '
import json, sys
for p in json.load(sys.stdin)["items"]:
    if p["metadata"].get("deletionTimestamp"):
        continue
    print(p["metadata"]["name"], p["status"].get("podIP", ""), p["spec"]["nodeName"])'
}
read -r name ip node < <(pods)
idx=${node#node}
t_match "pod address in its node's pod CIDR" "^10\.244\.$idx\.[0-9]+$" "$ip"
t_match "get pods -o wide shows node and address" "$name +1/1 +Running .* $ip +$node" \
	"$("$C" --lab "$lab" get pods -o wide)"
t_eq "the pod answers its node with the node's cbr0 address" "::ffff:10.244.$idx.1" \
	"$("$C" --lab "$lab" exec "$node" -- curl -s --max-time 5 "http://$ip:8080/")"
t_ok "the pod namespace exists" test -e "/run/netns/cip-$lab-pod-default-$name"

t_match "the node's proxy metrics through the CLI" "kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]" \
	"$("$C" --lab "$lab" metrics "node/$node")"

# Scale up: the second pod goes to the other node.
t_ok "scale to 2" "$C" --lab "$lab" scale deployment node-deployment --replicas 2
two_ready() { [ "$("$C" --lab "$lab" get pods -l app=node --no-headers | grep -c ' 1/1 .*Running')" -eq 2 ]; }
t_ok "two Ready pods" t_wait 30 two_ready
t_eq "one pod per node" "node0 node1" "$(pods | awk '{print $3}' | sort | xargs)"
t_eq "endpoints list both" 2 "$("$C" --lab "$lab" get endpoints node-service -o json | grep -c '"ready": true')"

# Rollout restart: every pod replaced by one with a new template hash.
before=$(pods | awk '{print $1}' | sort | xargs)
t_ok "rollout restart" "$C" --lab "$lab" rollout restart deployment node-deployment
t_ok "rollout status reports success" "$C" --lab "$lab" rollout status deployment node-deployment --timeout 60s
t_match "rollout status message" 'deployment "node-deployment" successfully rolled out' "$(cat "$T_TMP/out")"
replaced() {
	local now
	now=$(pods | awk '{print $1}' | sort | xargs)
	[ "$(printf '%s\n' $now | wc -l)" -eq 2 ] || return 1
	for p in $before; do case " $now " in *" $p "*) return 1 ;; esac; done
}
t_ok "both pods replaced" t_wait 60 replaced
old_ns_gone() {
	for p in $before; do [ ! -e "/run/netns/cip-$lab-pod-default-$p" ] || return 1; done
}
t_ok "old pod namespaces removed" t_wait 30 old_ns_gone
t_ok "the new pods answer through the ClusterIP" \
	"$C" --lab "$lab" exec node0 -- curl -s --max-time 5 \
	"http://$("$C" --lab "$lab" get svc node-service -o json | sed -n 's/.*"clusterIP": "\([0-9.]*\)".*/\1/p')/"

# Scale down to zero: no pod, no pod namespace, no endpoint.
t_ok "scale to 0" "$C" --lab "$lab" scale deployment node-deployment --replicas 0
no_pod_ns() { ! ls /run/netns | grep -q "^cip-$lab-pod-"; }
t_ok "pod namespaces gone" t_wait 60 no_pod_ns
t_match "no endpoints left" "<none>" "$("$C" --lab "$lab" get endpoints node-service)"

t_done
