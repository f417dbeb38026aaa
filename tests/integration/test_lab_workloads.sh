#!/usr/bin/env bash
# Workloads in a real lab, driven only through the CLI: the project's
# manifest gives a Ready pod with an address in its node's pod CIDR that
# answers from its node; scale spreads pods over the nodes; rollout restart
# replaces every pod; scale down removes pods and their namespaces. The lab
# runs with maxPods 3 and an 8 s node grace period (the daemons inherit the
# environment of lab up), so pods beyond the nodes' room stay Pending with
# kube-scheduler's reason and Event, and a node whose agent is stopped
# turns NotReady and gets no new pods until its agent runs again; a
# topology spread constraint holds pods back the way kube-scheduler does.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
lab=$(t_unique)

t_ok "lab up" env CLIENTIP_MAX_PODS=3 CLIENTIP_NODE_GRACE_S=8 "$C" --lab "$lab" lab up --nodes 2
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
    print(p["metadata"]["name"], p["status"].get("podIP", ""), p["spec"].get("nodeName", "-"))'
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

# The scheduler: 2 nodes of 3 pods each.
KUBECONFIG=$("$C" --lab "$lab" lab kubeconfig)
export KUBECONFIG
K() { kubectl --request-timeout=10s "$@"; }
# count STATUS: pods of the Deployment in that STATUS column.
count() { "$C" --lab "$lab" get pods -l app=node --no-headers | grep -c " $1 " || true; }
pending_why() {
	K get pods -l app=node -o jsonpath='{range .items[?(@.status.phase=="Pending")]}{.spec.nodeName}|{.status.conditions[?(@.type=="PodScheduled")].reason}|{.status.conditions[?(@.type=="PodScheduled")].message}{"\n"}{end}' |
		grep Unschedulable
}
full="0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
t_ok "scale to 8" "$C" --lab "$lab" scale deployment node-deployment --replicas 8
six_running() { [ "$(count Running)" -eq 6 ]; }
t_ok "6 pods Running (3 per node)" t_wait 60 six_running
t_eq "get pods: the other 2 Pending" "2" "$(count Pending)"
if command -v kubectl >/dev/null 2>&1; then
	t_eq "kubectl: Pending on no node, PodScheduled False, Unschedulable, kube-scheduler's words" \
		"|Unschedulable|$full
|Unschedulable|$full" "$(pending_why)"
	failed() { K get events --field-selector reason=FailedScheduling -o jsonpath='{range .items[*]}{.type} {.source.component} {.message}{"\n"}{end}'; }
	two_events() { [ "$(failed | grep -cF "Warning default-scheduler $full")" -eq 2 ]; }
	t_ok "a FailedScheduling Warning Event on each" t_wait 10 two_events
	t_match "kubectl describe node: capacity 3 pods" "pods: +3" "$(K describe node node0)"
else
	t_skip "kubectl: Pending pods' condition and Events" "no kubectl"
fi
t_ok "scale to 6: the Pending pods go first" "$C" --lab "$lab" scale deployment node-deployment --replicas 6
none_pending() { [ "$(count Pending)" -eq 0 ]; }
t_ok "no pod Pending" t_wait 30 none_pending
t_eq "the 6 Running pods stay" "6" "$(count Running)"
t_ok "scale to 0" "$C" --lab "$lab" scale deployment node-deployment --replicas 0
t_ok "pod namespaces gone" t_wait 60 no_pod_ns

# A stopped agent: its node turns NotReady and gets no new pods.
agent1=$(cat "/run/clientip/$lab/run/agent-node1.pid")
t_defer "kill -CONT $agent1"
kill -STOP "$agent1"
not_ready() { "$C" --lab "$lab" get nodes | grep -q "^node1 .*NotReady"; }
t_ok "node1's agent stopped: NotReady after the grace period" t_wait 30 not_ready
t_ok "scale to 4" "$C" --lab "$lab" scale deployment node-deployment --replicas 4
three_on_node0() { [ "$(pods | awk '$3 == "node0"' | wc -l)" -eq 3 ]; }
t_ok "node0 takes 3" t_wait 30 three_on_node0
t_eq "node1 none" "0" "$(pods | awk '$3 == "node1"' | wc -l)"
one_pending() { [ "$(count Pending)" -eq 1 ]; }
t_ok "the fourth Pending" t_wait 10 one_pending
if command -v kubectl >/dev/null 2>&1; then
	t_eq "kubectl: why, in kube-scheduler's words" \
		"|Unschedulable|0/2 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint(s). preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling." \
		"$(pending_why)"
	t_match "kubectl describe node: the unreachable taint" "node.kubernetes.io/unreachable:NoSchedule" \
		"$(K describe node node1)"
fi
kill -CONT "$agent1"
four_running() { [ "$(count Running)" -eq 4 ]; }
t_ok "node1's agent back: the fourth runs there" t_wait 60 four_running
t_eq "on node1" "1" "$(pods | awk '$3 == "node1"' | wc -l)"
t_ok "scale to 0 again" "$C" --lab "$lab" scale deployment node-deployment --replicas 0
t_ok "pod namespaces gone again" t_wait 60 no_pod_ns

# A topology spread constraint (DoNotSchedule over the hostname): a node
# may hold at most maxSkew more of the group than the emptiest node, and a
# NotReady node still counts as one (nodeTaintsPolicy Ignore), so it holds
# the others back. Applied with kubectl when it is installed.
spread_yaml() { # REPLICAS
	cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: spread
spec:
  replicas: $1
  selector:
    matchLabels: {app: spread}
  template:
    metadata:
      labels: {app: spread}
    spec:
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: DoNotSchedule
        labelSelector:
          matchLabels: {app: spread}
      containers:
      - name: echo
        image: clientip/clientip-echo
YAML
}
spread_apply() {
	if command -v kubectl >/dev/null 2>&1; then
		spread_yaml "$1" | K apply -f - >/dev/null
	else
		spread_yaml "$1" | "$C" --lab "$lab" apply -f - >/dev/null
	fi
}
# node of each live pod of the spread Deployment ("-" while Pending)
spread_nodes() {
	"$C" --lab "$lab" get pods -l app=spread -o json | python3 -c '
import json, sys
for p in json.load(sys.stdin)["items"]:
    if not p["metadata"].get("deletionTimestamp"):
        print(p["spec"].get("nodeName", "-"))' | sort | xargs
}
spread_is() { [ "$(spread_nodes)" == "$1" ]; }
t_ok "spread: 2 replicas" spread_apply 2
t_ok "spread: one on each node" t_wait 30 spread_is "node0 node1"
kill -STOP "$agent1"
t_ok "node1 NotReady again" t_wait 30 not_ready
t_ok "spread: 3 replicas" spread_apply 3
t_ok "spread: the third goes to node0 (2 against 1 is within maxSkew 1)" t_wait 30 \
	spread_is "node0 node0 node1"
t_ok "spread: 4 replicas" spread_apply 4
t_ok "spread: the fourth waits (3 against 1 would exceed maxSkew)" t_wait 30 \
	spread_is "- node0 node0 node1"
spread_why() {
	"$C" --lab "$lab" get pods -l app=spread -o json | python3 -c '
import json, sys
for p in json.load(sys.stdin)["items"]:
    for c in p["status"].get("conditions", []):
        if c["type"] == "PodScheduled" and c["status"] == "False":
            print(c["message"])' | sort -u
}
t_eq "spread: why, in kube-scheduler's words" \
	"0/2 nodes are available: 1 node(s) didn't match pod topology spread constraints, 1 node(s) had untolerated taint(s). preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling." \
	"$(spread_why)"
kill -CONT "$agent1"
t_ok "spread: node1 back, the waiting pod goes there" t_wait 60 \
	spread_is "node0 node0 node1 node1"

t_done
