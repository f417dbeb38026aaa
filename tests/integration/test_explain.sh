#!/usr/bin/env bash
# clientip explain against known paths: the scenario under Cluster and
# Local, and the NodePort and ClusterIP paths, checked against the address
# the app reports for the same request.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
M=$T_ROOT/examples/aks-scenario
lab=$(t_unique)

t_ok "lab up" "$C" --lab "$lab" lab up --nodes 2 --probe-interval 1
t_defer "$C --lab $lab lab down"
t_ok "apply the scenario manifest" "$C" --lab "$lab" apply -f "$M/deploy.yaml"

has_frontend() { "$C" --lab "$lab" get svc node-service -o json | grep -q '"ip": "203\.0\.113\.'; }
pool_is() { "$C" --lab "$lab" probes node-service | grep -q "Health Probe Status: $1 %"; }
t_ok "frontend allocated" t_wait 30 has_frontend
t_ok "pool at 100 % under Cluster" t_wait 30 pool_is 100

# Under Cluster, every request is masqueraded: explain must show an SNAT to
# the address the app reports, and say the client address was lost.
pod_node=$("$C" --lab "$lab" get pods -o json | python3 -c '
import json, sys
print(json.load(sys.stdin)["items"][0]["spec"]["nodeName"])')
saw_other=0
saw_own=0
for i in $(seq 1 12); do
	out=$("$C" --lab "$lab" explain node-service 2>&1)
	seen=$(printf '%s\n' "$out" | sed -n 's/.*the app saw ::ffff:\([0-9.]*\).*/\1/p')
	snat=$(printf '%s\n' "$out" | sed -n 's/.*SNAT 198\.51\.100\.10 -> \([0-9.]*\) .*/\1/p')
	via=$(printf '%s\n' "$out" | sed -n 's/.*new flow -> \(node[0-9]*\).*/\1/p')
	if [ -z "$seen" ] || [ "$seen" != "$snat" ]; then
		t_fail "Cluster: explain's SNAT address is what the app saw" "$out"
		break
	fi
	if [ "$via" = "$pod_node" ]; then
		# Delivered by the pod's own node: masqueraded to its cbr0 address.
		[ "$seen" = "10.244.${pod_node#node}.1" ] && saw_own=1
	else
		[ "$seen" = "10.240.0.$((4 + ${via#node}))" ] && saw_other=1
	fi
done
t_eq "Cluster: a flow through the pod's node shows its cbr0 address" 1 "$saw_own"
t_eq "Cluster: a flow through the other node shows its VNet address" 1 "$saw_other"
t_match "Cluster: verdict says lost and names the fix" \
	"Lost: externalTrafficPolicy is Cluster.*" "$(printf '%s' "$out" | tr '\n' ' ')"
t_match "Cluster: the fix is Local" "externalTrafficPolicy: Local" "$out"
t_match "Cluster: the deciding kube-proxy chain is shown" \
	"kube-proxy rules, chain external-[A-Z0-9]+-default/node-service/tcp/80:" "$out"
t_match "Cluster: its rule marks for masquerade" "jump mark-for-masquerade" "$out"

# NodePort from inside the VNet: node1 reaching node0's NodePort.
out=$("$C" --lab "$lab" explain node-service --to nodeport --node node0 --from node1 2>&1)
t_match "NodePort: DNAT to the pod shown" "DNAT 10\.240\.0\.4:[0-9]+ -> 10\.244\.[01]\.2:8080" "$out"
t_match "NodePort: answered" "HTTP 200" "$out"

# ClusterIP from a node: masqueraded (source outside the pod network).
out=$("$C" --lab "$lab" explain node-service --to clusterip --from node0 2>&1)
t_match "ClusterIP: DNAT from the ClusterIP" "DNAT 10\.0\.[0-9.]+:80 -> 10\.244\.[01]\.2:8080" "$out"
t_match "ClusterIP: answered" "HTTP 200" "$out"
t_match "ClusterIP from a node: masqueraded, and why" "Masqueraded: traffic to a ClusterIP from outside the pod network" "$out"

# Local: the pool drops to 50 % and the pod sees the client itself.
t_ok "apply the Local manifest" "$C" --lab "$lab" apply -f "$M/deploy_clientIP.yaml"
t_ok "pool at 50 % under Local" t_wait 30 pool_is 50
out=$("$C" --lab "$lab" explain node-service 2>&1)
t_match "Local: flow to the pod's node" "new flow -> $pod_node" "$out"
t_match "Local: no SNAT" "no SNAT: the source address stays 198\.51\.100\.10" "$out"
t_match "Local: the app saw the client" "the app saw ::ffff:198\.51\.100\.10" "$out"
t_match "Local: verdict says kept" "Kept: externalTrafficPolicy is Local" "$out"

t_not "unknown service is an error" "$C" --lab "$lab" explain nosuch
t_match "NotFound like kubectl" 'services "nosuch" not found' "$(cat "$T_TMP/out")"
t_not "bad --to is an error" "$C" --lab "$lab" explain node-service --to moon

t_done
