#!/usr/bin/env bash
# The local-spread strategy: a DaemonSet puts one pod on every node, so a
# Local Service keeps the client's address with every node in the load
# balancer's pool (100 %). Checks the DaemonSet end to end: clientip apply,
# one pod per node pinned by node affinity, the status kubectl reads, the
# pods' owner, bad input refused, a rolling restart node by node without a
# failed connection, and the pods going with the DaemonSet. With kubectl
# installed, kubectl reads it too. (NotReady nodes: tests/unit/test_ctl_daemonset.c.)
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"
command -v jq >/dev/null || t_skip_all "needs jq"

t_ok "lab up --nodes 2 --probe-interval 1" "$C" --lab "$lab" lab up --nodes 2 --probe-interval 1
t_defer "$C --lab $lab lab down"
manifest=$T_ROOT/examples/strategies/local-spread.yaml
pool_is() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: $1 %"; }
pods_json() { "$C" --lab "$lab" get pods -l app=node -o json; }
# "node0 node1": the nodes of the live pods, sorted.
pod_nodes() { pods_json | jq -r '[.items[] | select(.metadata.deletionTimestamp == null) | .spec.nodeName] | sort | join(" ")'; }
ds_json() { "$C" --lab "$lab" get ds node-daemon -o json; }
ds_ready() {
	[ "$(ds_json | jq -r '.status | "\(.desiredNumberScheduled) \(.numberReady) \(.updatedNumberScheduled) \(.numberAvailable)"')" == "2 2 2 2" ]
}

t_match "clientip apply takes a DaemonSet" "daemonset.apps/node-daemon created" \
	"$("$C" --lab "$lab" apply -f "$manifest" 2>&1)"
one_per_node() { [ "$(pod_nodes)" == "node0 node1" ]; }
t_ok "a pod on each node" t_wait 30 one_per_node
t_ok "the DaemonSet's status: 2 desired, ready, up to date, available" t_wait 60 ds_ready
pods=$(pods_json)
t_eq "each pod is pinned to its node by a node affinity" "node0 node1" \
	"$(jq -r '[.items[].spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]] | sort | join(" ")' <<<"$pods")"
t_eq "the pods are the DaemonSet's" "DaemonSet/node-daemon DaemonSet/node-daemon" \
	"$(jq -r '[.items[].metadata.ownerReferences[0] | "\(.kind)/\(.name)"] | join(" ")' <<<"$pods")"
t_match "named <daemonset>-<suffix>, with controller-revision-hash" \
	'^node-daemon-[a-z0-9]{5} [a-z0-9]{10}$' \
	"$(jq -r '.items[0] | "\(.metadata.name) \(.metadata.labels["controller-revision-hash"])"' <<<"$pods")"
t_match "get ds: kubectl's columns" \
	'^NAME +DESIRED +CURRENT +READY +UP-TO-DATE +AVAILABLE +NODE SELECTOR +AGE' \
	"$("$C" --lab "$lab" get ds)"
t_match "get ds: the counts" '^node-daemon +2 +2 +2 +2 +2 +<none> ' "$("$C" --lab "$lab" get ds)"

# Bad input changes nothing and says why.
sed 's/^  selector:$/  updateStrategy:\n    type: OnDelete\n  selector:/' "$manifest" >"$T_TMP/ondelete.yaml"
out=$("$C" --lab "$lab" apply -f "$T_TMP/ondelete.yaml" 2>&1)
t_eq "OnDelete is refused" 1 $?
t_match "with file:line:column and why" \
	"ondelete.yaml:[0-9]+:[0-9]+: spec.updateStrategy.type: Unsupported value: \"OnDelete\"" "$out"
t_match "and nothing changed" '^node-daemon +2 +2 +2 +2 +2 ' "$("$C" --lab "$lab" get ds --no-headers)"
t_match "scale is for deployments only" "scale is supported for deployments only" \
	"$("$C" --lab "$lab" scale ds/node-daemon --replicas 3 2>&1)"
t_match "rollout status of a missing daemon set" \
	'Error from server \(NotFound\): daemonsets.apps "nosuch" not found' \
	"$("$C" --lab "$lab" rollout status ds/nosuch 2>&1)"

t_ok "every node in the pool: 100 %" t_wait 30 pool_is 100
FE=$("$C" --lab "$lab" get svc node-service -o json | jq -r '.status.loadBalancer.ingress[0].ip')
"$C" --lab "$lab" load "http://$FE/" --duration 3s --rate 20 --timeout 2s -o json >"$T_TMP/load.json"
t_eq "every new connection answered" "$(jq .new.sent "$T_TMP/load.json")" \
	"$(jq .new.answered "$T_TMP/load.json")"
t_eq "the app saw the client's address only" '["::ffff:198.51.100.10"]' \
	"$(jq -c '.answers | keys' "$T_TMP/load.json")"

# A rolling restart: node by node (maxUnavailable 1), the pool stays full
# and no new connection fails.
before=$(pods_json | jq -r '[.items[].metadata.name] | sort | join(" ")')
"$C" --lab "$lab" load "http://$FE/" --duration 40s --rate 20 --timeout 2s -o json \
	>"$T_TMP/rollout.json" &
loadpid=$!
t_match "rollout restart ds" "daemonset.apps/node-daemon restarted" \
	"$("$C" --lab "$lab" rollout restart ds/node-daemon 2>&1)"
t_match "rollout status ds follows it to the end" "daemon set \"node-daemon\" successfully rolled out" \
	"$("$C" --lab "$lab" rollout status ds/node-daemon --timeout 90s 2>&1)"
wait "$loadpid"
after=$(pods_json | jq -r '[.items[] | select(.metadata.deletionTimestamp == null) | .metadata.name] | sort | join(" ")')
replaced() { # none of the names before among those after
	local n
	[ -n "$after" ] || return 1
	for n in $before; do [[ " $after " != *" $n "* ]] || return 1; done
}
t_ok "every pod was replaced ($before -> $after)" replaced
t_eq "still one pod per node" "node0 node1" "$(pod_nodes)"
t_eq "no new connection failed during the rollout" 0 \
	"$(jq '.new.sent - .new.answered' "$T_TMP/rollout.json")"

# kubectl reads the same objects, when it is installed.
if command -v kubectl >/dev/null 2>&1; then
	KUBECONFIG=$("$C" --lab "$lab" lab kubeconfig)
	export KUBECONFIG
	t_match "kubectl get ds: kubectl's columns from the server's Table" \
		'node-daemon +2 +2 +2 +2 +2 +<none>' "$(kubectl get ds 2>&1)"
	t_match "kubectl rollout status ds" "successfully rolled out" \
		"$(kubectl rollout status ds/node-daemon --timeout 60s 2>&1)"
	unset KUBECONFIG
else
	t_skip "kubectl reads the DaemonSet: no kubectl installed"
fi

# The DaemonSet goes, and its pods with it.
t_match "delete -f" 'daemonset.apps "node-daemon" deleted' \
	"$("$C" --lab "$lab" delete -f "$manifest" 2>&1)"
no_pods() { [ "$(pods_json | jq '.items | length')" -eq 0 ]; }
t_ok "its pods are gone" t_wait 60 no_pods

t_done
