#!/usr/bin/env bash
# clientip-controller on a hand-made state dir, run directly in the host
# namespace next to the lab's API server (on its Unix socket and the
# host's loopback): everything the controller reads and writes goes
# through that server. The test plays the CLI (applies Deployments and
# Services through the API) and the node agents (registers Nodes, renews
# their Leases, reports pod statuses, deletes a terminated pod for good as
# kubelet does) and checks what the controller derives: ReplicaSets, pods
# bound over the nodes with addresses from each node's pod CIDR,
# endpoints and their conditions, scale down, a rolling update step by
# step, rollout undo (the old template's ReplicaSet at the next revision)
# and forward again, no duplicates after SIGKILL, deletion; then the
# scheduler's limits: a node's maxPods (lowered with CLIENTIP_MAX_PODS),
# Pending pods with kube-scheduler's reason, and NotReady nodes (a Lease
# older than the 40 s grace period: the node lifecycle controller's Ready
# Unknown and unreachable taint, and its pods' Ready False).
. "$(dirname "$0")/lib.sh"

CTL=$T_BUILD/clientip-controller
export CLIENTIP_RUN_DIR=$T_TMP/run
lab=$(t_unique)
S=$CLIENTIP_RUN_DIR/$lab
mkdir -p "$S"
printf '{"name":"%s","nodes":3,"clients":1,"probeIntervalSeconds":null,"createdAt":"2026-11-27T08:00:00Z"}\n' \
	"$lab" >"$S/lab.json"

# The lab's API server.
( "$T_BUILD/clientip-apiserver" --lab "$lab" --listen 127.0.0.1:0 >"$T_TMP/apiserver.log" 2>&1 &
  echo $! >"$T_TMP/apiserver.pid" )
t_defer "kill $(cat "$T_TMP/apiserver.pid")"
t_ok "the lab's API server answers" t_wait 10 \
	sh -c "curl -sf --unix-socket '$S/apiserver.sock' http://lab/readyz >/dev/null"

# api METHOD PATH [CONTENT_TYPE]: t_api_send to this lab's API server.
api() { t_api_send "$S" "$@"; }
lease_path=/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases

# --- the test's stand-ins for the CLI and the agents ------------------------

# apply COLLECTION NAME: stdin applied server-side, as `kubectl apply
# --server-side` does (creates or updates).
apply() { api PATCH "$1/$2?fieldManager=test&force=true" application/apply-patch+yaml >/dev/null; }
deployments=/apis/apps/v1/namespaces/default/deployments
services=/api/v1/namespaces/default/services

# deployment REPLICAS [RESTARTED_AT]
deployment() {
	local ann='{}'
	[ -n "${2:-}" ] && ann="{\"kubectl.kubernetes.io/restartedAt\":\"$2\"}"
	apply "$deployments" web <<EOF
{"apiVersion":"apps/v1","kind":"Deployment",
 "metadata":{"name":"web","namespace":"default"},
 "spec":{"replicas":$1,"selector":{"matchLabels":{"app":"web"}},
  "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}},
  "template":{"metadata":{"labels":{"app":"web"},"annotations":$ann},
   "spec":{"containers":[{"name":"web","image":"nfranssens/nodejs-ip",
    "ports":[{"name":"http","containerPort":8080}]}]}}}}
EOF
}

service() {
	apply "$services" web <<EOF
{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},
 "spec":{"type":"LoadBalancer","selector":{"app":"web"},
  "ports":[{"name":"http","port":80,"targetPort":"http","nodePort":30080}],
  "clusterIP":"10.0.0.10","externalTrafficPolicy":"Local","healthCheckNodePort":32000}}
EOF
}

# post_ready NODE: the Ready status its agent posts (the condition's own
# heartbeat long past, so that only the Lease tells whether it lives).
post_ready() {
	api PATCH "/api/v1/nodes/$1/status" application/merge-patch+json >/dev/null <<EOF
{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady",
 "lastHeartbeatTime":"2026-01-01T00:00:00Z","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}
EOF
}
# heartbeat NODE [AGE_S]: the Lease renewal its agent sends every 2 s.
heartbeat() {
	api PATCH "$lease_path/$1" application/merge-patch+json >/dev/null <<EOF
{"spec":{"renewTime":"$(date -u -d "-${2:-0} seconds" +%Y-%m-%dT%H:%M:%S.000000Z)"}}
EOF
}
# Each agent registers its Node and creates its Lease.
for n in node0 node1 node2; do
	t_ok "$n registered" api POST /api/v1/nodes <<<"{\"metadata\":{\"name\":\"$n\"}}"
	post_ready "$n"
	t_ok "$n's Lease" api POST "$lease_path" \
		<<<"{\"metadata\":{\"name\":\"$n\"},\"spec\":{\"holderIdentity\":\"$n\",\"leaseDurationSeconds\":40}}"
	heartbeat "$n"
done
# The agents' heartbeats, for the nodes listed in $T_TMP/alive.
echo "node0 node1 node2" >"$T_TMP/alive"
# Each round ends by counting itself in $T_TMP/rounds.
echo 0 >"$T_TMP/rounds"
(r=0; while :; do
	for n in $(cat "$T_TMP/alive"); do heartbeat "$n"; done
	r=$((r + 1)); echo "$r" >"$T_TMP/rounds"; sleep 2
done) &
t_defer "kill $!"
# alive NODES...: from the next full round on, only these nodes beat (a
# round already under way may still have read the former list).
rounds_ge() { [ "$(cat "$T_TMP/rounds")" -ge "$1" ]; }
alive() {
	local r0
	echo "$*" >"$T_TMP/alive"
	r0=$(cat "$T_TMP/rounds")
	t_wait 10 rounds_ge $((r0 + 2))
}
# node_says NODE: its Ready condition's status and its taints.
node_says() {
	t_api "$S" "/api/v1/nodes/$1" |
		jq -r '[(.status.conditions[] | select(.type == "Ready") | .status),
			(.spec.taints // [] | map(.key + ":" + .effect) | join(","))] | join(" ")'
}

pods_json() { t_api "$S" /api/v1/namespaces/default/pods; }
# pods: "name node ip hash deleting" per pod, sorted by name. The address
# is the one the scheduler put on the Binding until a kubelet reports it.
pods() {
	pods_json | jq -r '.items[] | [.metadata.name, .spec.nodeName,
		(.status.podIP // .metadata.annotations["clientip.io/pod-ip"]),
		.metadata.labels["pod-template-hash"],
		(if .metadata.deletionTimestamp then "deleting" else "live" end)] | join(" ")' | sort
}
count() { pods | grep -c -- "$1" || true; }           # count PATTERN
live() { pods | awk '$5 == "live"' | grep -c -- "${1:-}" || true; }
deleting() { pods | awk '$5 == "deleting"' | grep -c -- "${1:-}" || true; }

# agent POD READY [terminated]: what the pod's node agent would do: report
# its status, or, once its process ended after deletion, delete it for good.
agent() {
	local ready=False
	if [ "${3:-}" == true ]; then
		api DELETE "/api/v1/namespaces/default/pods/$1?gracePeriodSeconds=0" </dev/null >/dev/null
		return
	fi
	[ "$2" == true ] && ready=True
	api PATCH "/api/v1/namespaces/default/pods/$1/status" application/merge-patch+json >/dev/null <<EOF
{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"$ready"}],
 "containerStatuses":[{"name":"web","ready":$2,"restartCount":0,"started":true,
  "containerID":"pid://4242","state":{"running":{}}}]}}
EOF
}
ready_all() { local p; for p in $(pods | awk '$5 == "live" {print $1}'); do agent "$p" true; done; }
# ready_hash HASH: the live pods of that template report ready.
ready_hash() {
	local p
	for p in $(pods | awk -v h="$1" '$4 == h && $5 == "live" {print $1}'); do agent "$p" true; done
}
# terminate: the agents delete each pod being deleted, its process ended.
terminate() { local p; for p in $(pods | awk '$5 == "deleting" {print $1}'); do agent "$p" false true; done; }

# slices: the Service web's EndpointSlices (the API's list).
slices() {
	t_api "$S" "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb"
}
n_slices() { slices | jq '.items | length'; }
# endpoints: "pod ready serving terminating ports" per endpoint.
endpoints() {
	slices | jq -r '.items[] | (.ports // [] | map(.port | tostring) | join(",")) as $p |
		.endpoints // [] | .[] | [.targetRef.name, .conditions.ready, .conditions.serving,
		.conditions.terminating, $p] | join(" ")' 2>/dev/null
}
# eps_count JQ_CONDITION: endpoints matching it.
eps_count() { slices | jq "[.items[] | .endpoints // [] | .[] | select($1)] | length" 2>/dev/null; }
# endpoints_v1: "ready/not ready" addresses of the v1 Endpoints web.
endpoints_v1() {
	t_api "$S" /api/v1/namespaces/default/endpoints/web |
		jq -r '[.subsets // [] | .[] | (.addresses // [] | length), (.notReadyAddresses // [] | length)] |
			"\(.[0] // 0)/\(.[1] // 0)"' 2>/dev/null
}
# eps_versions: the resourceVersions of web's slices and Endpoints.
eps_versions() {
	{ slices | jq -r '.items[].metadata.resourceVersion'
	  t_api "$S" /api/v1/namespaces/default/endpoints/web | jq -r .metadata.resourceVersion; } |
		paste -sd,
}
status() { t_api "$S" /apis/apps/v1/namespaces/default/deployments/web | jq -r ".status.$1" 2>/dev/null; }
other_hash() { pods | awk -v h="$1" '$4 != h' | wc -l; }
live_pair() { echo "$(live "$1") $(live "$2")"; }
status_pair() { echo "$(status updatedReplicas) $(status replicas)"; }
# rs: "name replicas ready revision" of each ReplicaSet, sorted.
rs() {
	t_api "$S" /apis/apps/v1/namespaces/default/replicasets | jq -r '.items[] |
		"\(.metadata.name) \(.spec.replicas) \(.status.readyReplicas // 0) \(.metadata.annotations["deployment.kubernetes.io/revision"])"' | sort
}
n_endpoints() { endpoints | wc -l; }

eq() { [ "$("${@:2}")" == "$1" ]; }                   # eq EXPECTED CMD...

start() {
	"$CTL" --lab "$lab" >>"$T_TMP/ctl.log" 2>&1 &
	ctl_pid=$!
	t_defer "kill -9 $ctl_pid"
}

# --- 1. a Deployment becomes pods ---------------------------------------------
t_ok "--help documents the state dir" bash -c "'$CTL' --help | grep -q lab.json"
t_ok "a Deployment" deployment 4
t_ok "its Service" service
start

t_ok "4 pods appear" t_wait 10 eq 4 count web-
t_eq "spread over the 3 nodes, addresses from each node's pod CIDR" \
	"node0 10.244.0.2,node0 10.244.0.3,node1 10.244.1.2,node2 10.244.2.2" \
	"$(pods | awk '{print $2, $3}' | sort | paste -sd,)"
hash=$(pods | awk 'NR == 1 {print $4}')
t_match "pod-template-hash: 10 characters of the safe alphabet" '^[bcdfghjklmnpqrstvwxz2456789]{10}$' "$hash"
t_match "pod names are <deployment>-<hash>-<5 characters>" \
	"^web-$hash-[bcdfghjklmnpqrstvwxz2456789]{5}$" "$(pods | awk 'NR == 1 {print $1}')"
t_eq "each pod carries the template's labels and its ReplicaSet as owner" \
	"web ReplicaSet web-$hash" \
	"$(pods_json | jq -r '.items[0] | [.metadata.labels.app, .metadata.ownerReferences[0].kind, .metadata.ownerReferences[0].name] | join(" ")')"
t_ok "the ReplicaSet: the Deployment's replicas, revision 1" t_wait 10 eq "web-$hash 4 0 1" rs
t_eq "owned by the Deployment, the template's hash in its selector" "Deployment web $hash" \
	"$(t_api "$S" "/apis/apps/v1/namespaces/default/replicasets/web-$hash" | jq -r '"\(.metadata.ownerReferences[0].kind) \(.metadata.ownerReferences[0].name) \(.spec.selector.matchLabels["pod-template-hash"])"')"
t_eq "the pods are bound, each with PodScheduled True" "4" \
	"$(pods_json | jq '[.items[] | select(.status.conditions[]? | .type == "PodScheduled" and .status == "True")] | length')"
t_eq "SuccessfulCreate from the ReplicaSet's controller, per pod" "4" \
	"$(t_api "$S" '/api/v1/namespaces/default/events?fieldSelector=reason%3DSuccessfulCreate' |
		jq "[.items[] | select(.involvedObject.kind == \"ReplicaSet\" and .source.component == \"replicaset-controller\")] | length")"

# --- 2. endpoints follow readiness ----------------------------------------------
t_ok "endpoints list the 4 pods, none ready" t_wait 10 eq 4 eps_count '.conditions.ready == false'
ready_all
t_ok "ready statuses make ready endpoints" t_wait 10 eq 4 eps_count \
	'.conditions.ready and .conditions.serving and (.conditions.terminating | not)'
t_ok "the ReplicaSet counts them ready" t_wait 10 eq "web-$hash 4 4 1" rs
t_eq "the named targetPort resolves to the container port" "8080" \
	"$(endpoints | awk '{print $5}' | sort -u)"
t_eq "endpoints keep each pod's node" "$(pods | awk '{print $1, $2}')" \
	"$(slices | jq -r '.items[].endpoints[] | "\(.targetRef.name) \(.nodeName)"' | sort)"
t_eq "one slice: every pod resolves the port alike" "1" "$(n_slices)"
t_eq "the slice names its port as the Service does" "http TCP 8080" \
	"$(slices | jq -r '.items[0].ports[] | "\(.name) \(.protocol) \(.port)"')"
t_eq "the slice is the Service's, by owner and by label" "Service web clientip-controller" \
	"$(slices | jq -r '.items[0].metadata | "\(.ownerReferences[0].kind) \(.ownerReferences[0].name) \(.labels["endpointslice.kubernetes.io/managed-by"])"')"
t_ok "v1 Endpoints: the 4 ready addresses" t_wait 10 eq 4/0 endpoints_v1
t_ok "deployment status: 4 ready" t_wait 10 eq 4 status readyReplicas
t_eq "deployment status: Available" "True" "$(status 'conditions[0].status')"
t_eq "deployment status: generation observed" "1" "$(status observedGeneration)"
# A pass with nothing new for the Service writes nothing: another
# Deployment's status, written by a later pass, shows that pass ran.
versions=$(eps_versions)
apply "$deployments" idle <<EOF
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"idle","namespace":"default"},
 "spec":{"replicas":0,"selector":{"matchLabels":{"app":"idle"}},
  "template":{"metadata":{"labels":{"app":"idle"}},"spec":{"containers":[{"name":"c","image":"clientip-echo"}]}}}}
EOF
idle_observed() { t_api "$S" /apis/apps/v1/namespaces/default/deployments/idle | jq -e '.status.observedGeneration == 1' >/dev/null; }
t_ok "another pass ran (the idle Deployment's status)" t_wait 10 idle_observed
t_eq "that pass rewrote neither the slice nor the Endpoints" "$versions" "$(eps_versions)"
t_ok "the idle Deployment deleted" api DELETE "$deployments/idle" </dev/null

# --- 3. scale down ---------------------------------------------------------------
deployment 2
t_ok "scale 4 -> 2: two pods are marked deleting" t_wait 10 eq 2 deleting
t_eq "two pods stay" "2" "$(live)"
t_eq "the two that stay are on different nodes" "2" \
	"$(pods | awk '$5 == "live" {print $2}' | sort -u | wc -l)"
t_ok "terminating pods: not ready, still serving" t_wait 10 eq 2 eps_count \
	'(.conditions.ready | not) and .conditions.serving and .conditions.terminating'
gone_pods=$(pods | awk '$5 == "deleting" {print $1}')
for p in $gone_pods; do agent "$p" false true; done
t_ok "once their agent deleted them, they are gone" t_wait 10 eq 2 count web-
t_ok "and their endpoints" t_wait 10 eq 2 n_endpoints
t_ok "the ReplicaSet scaled to 2" t_wait 10 eq "web-$hash 2 2 1" rs

# --- 4. rolling update (maxSurge 1, maxUnavailable 0) ---------------------------
deployment 2 "2026-11-27T09:00:00Z"
t_ok "a changed template: one new pod (surge 1)" t_wait 10 eq 1 other_hash "$hash"
new=$(pods | awk -v h="$hash" '$4 != h {print $4; exit}')
t_match "the new pods have a new hash" '^[bcdfghjklmnpqrstvwxz2456789]{10}$' "$new"
t_eq "old pods stay while the new one is not ready" "2" "$(live "$hash")"
t_ok "status: 1 updated of 3" t_wait 10 eq "1 3" status_pair
agent "$(pods | awk -v h="$new" '$4 == h {print $1}')" true
t_ok "new pod ready: one old pod goes, a second new one comes" t_wait 10 eq "2 1" \
	live_pair "$new" "$hash"
t_eq "never more than replicas + surge pods alive" "3" "$(live)"
for p in $(pods | awk -v h="$new" '$4 == h && $5 == "live" {print $1}'); do agent "$p" true; done
t_ok "second new pod ready: the last old pod goes" t_wait 10 eq 0 live "$hash"
t_eq "two new pods" "2" "$(live "$new")"
t_ok "status: rolled out" t_wait 10 eq "NewReplicaSetAvailable" status 'conditions[1].reason'
t_ok "two ReplicaSets: the new one at revision 2 holds the replicas, the old one none" t_wait 10 eq \
	"web-$hash 0 0 1
web-$new 2 2 2" rs
t_eq "the Deployment carries revision 2" "2" \
	"$(t_api "$S" "$deployments/web" | jq -r '.metadata.annotations["deployment.kubernetes.io/revision"]')"
t_match "ScalingReplicaSet Events from the Deployment's controller" "Scaled down replica set web-$hash to 0 from 1" \
	"$(t_api "$S" '/api/v1/namespaces/default/events?fieldSelector=reason%3DScalingReplicaSet' | jq -r '.items[].message')"
for p in $(pods | awk '$5 == "deleting" {print $1}'); do agent "$p" false true; done
t_ok "old pods removed once terminated" t_wait 10 eq 2 count web-

# --- 4b. rollout undo: template A again, at the next revision -------------------
# kubectl rollout undo writes revision 1's template (its ReplicaSet's, without
# pod-template-hash) back into the Deployment; where kubectl is missing the
# same template applied again is what that amounts to. Either way the
# ReplicaSet of that template comes back, now at revision 3, as in
# Kubernetes; the Deployment says 3 too, and no third ReplicaSet appears.
# revs: "name revision" of each ReplicaSet, sorted; dep_rev: the Deployment's.
revs() {
	t_api "$S" /apis/apps/v1/namespaces/default/replicasets | jq -r '.items[] |
		"\(.metadata.name) \(.metadata.annotations["deployment.kubernetes.io/revision"])"' | sort
}
dep_rev() { t_api "$S" "$deployments/web" | jq -r '.metadata.annotations["deployment.kubernetes.io/revision"]'; }
# roll_out TO FROM WHAT: the rollout from template FROM to TO, pod by pod
# (surge 1), each new pod made ready by the test.
roll_out() {
	t_ok "$3: one pod of the new template (surge 1)" t_wait 10 eq 1 live "$1"
	ready_hash "$1"
	t_ok "$3: a second one, once the first is ready" t_wait 10 eq "2 1" live_pair "$1" "$2"
	ready_hash "$1"
}
if command -v kubectl >/dev/null 2>&1; then
	t_eq "kubectl rollout undo deployment/web" "deployment.apps/web rolled back" \
		"$(kubectl --kubeconfig /dev/null --cache-dir "$T_TMP/kube-cache" \
			--server "http://127.0.0.1:$(cat "$S/apiserver.port")" -n default \
			rollout undo deployment/web 2>&1)"
else
	t_skip "kubectl rollout undo" "no kubectl here: template A applied again instead"
	deployment 2
fi
t_ok "undo: template A's ReplicaSet takes revision 3, B's keeps 2, no other" t_wait 10 eq \
	"web-$hash 3
web-$new 2" revs
t_ok "the Deployment carries revision 3" t_wait 10 eq 3 dep_rev
roll_out "$hash" "$new" "undo rolls out template A"
t_ok "undo rolled out: template A's ReplicaSet holds the replicas" t_wait 10 eq \
	"web-$hash 2 2 3
web-$new 0 0 2" rs
terminate
t_ok "template B's pods removed once terminated" t_wait 10 eq 0 count "$new"
# Forward to B again: its ReplicaSet takes revision 4.
deployment 2 "2026-11-27T09:00:00Z"
t_ok "template B again: its ReplicaSet takes revision 4" t_wait 10 eq \
	"web-$hash 3
web-$new 4" revs
t_ok "the Deployment carries revision 4" t_wait 10 eq 4 dep_rev
roll_out "$new" "$hash" "template B again"
t_ok "template B rolled out again" t_wait 10 eq \
	"web-$hash 0 0 3
web-$new 2 2 4" rs
terminate
t_ok "template A's pods removed once terminated" t_wait 10 eq 2 count web-
# A history of 0: the old ReplicaSet, without pods now, goes.
api PATCH "$deployments/web" application/merge-patch+json <<<'{"spec":{"revisionHistoryLimit":0}}' >/dev/null
t_ok "revisionHistoryLimit 0: the old ReplicaSet is deleted, the current one stays" \
	t_wait 10 eq "web-$new 2 2 4" rs

# --- 5. SIGKILL and restart: no duplicates --------------------------------------
before=$(pods)
kill -9 "$ctl_pid"
wait "$ctl_pid" 2>/dev/null
t_ok "a pass of a fresh controller" "$CTL" --lab "$lab" --once
t_eq "the same pods, no duplicates" "$before" "$(pods)"
start
deployment 3 "2026-11-27T09:00:00Z"
t_ok "after restart, scaling to 3 adds one pod of the same template" t_wait 10 eq 3 live "$new"
t_eq "no other pods" "3" "$(count web-)"
t_eq "the new one on the node without one" "node0 node1 node2" \
	"$(pods | awk '{print $2}' | sort | paste -sd' ')"

# --- 6. delete ---------------------------------------------------------------------
t_ok "delete the Deployment" api DELETE "$deployments/web" </dev/null
t_ok "a deleted Deployment's pods are all marked deleting" t_wait 10 eq 3 deleting
t_ok "endpoints show them terminating" t_wait 10 eq 3 eps_count .conditions.terminating
for p in $(pods | awk '{print $1}'); do agent "$p" false true; done
t_ok "terminated: every pod gone" t_wait 10 eq 0 count web-
no_rs() { [ "$(t_api "$S" /apis/apps/v1/namespaces/default/replicasets | jq '.items | length')" == 0 ]; }
t_ok "the ReplicaSets went with their Deployment" t_wait 10 no_rs
t_ok "the Service keeps an empty endpoints object" t_wait 10 eq 0 eps_count true
t_eq "one empty slice, no ports" "1 0" "$(slices | jq -r '"\(.items | length) \(.items[0].ports | length)"')"
t_ok "v1 Endpoints without addresses" t_wait 10 eq 0/0 endpoints_v1
t_ok "delete the Service" api DELETE "$services/web" </dev/null
t_ok "a deleted Service's slices go" t_wait 10 eq 0 n_slices
no_endpoints_v1() { [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$S/apiserver.sock" http://lab/api/v1/namespaces/default/endpoints/web)" == 404 ]; }
t_ok "and its v1 Endpoints" t_wait 10 no_endpoints_v1

# --- 7. the scheduler: maxPods, Pending, NotReady nodes ------------------------------
# app NAME REPLICAS: a Deployment like web, without probes or a Service.
app() {
	apply "$deployments" "$1" <<EOF
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"$1","namespace":"default"},
 "spec":{"replicas":$2,"selector":{"matchLabels":{"app":"$1"}},
  "template":{"metadata":{"labels":{"app":"$1"}},
   "spec":{"containers":[{"name":"$1","image":"nfranssens/nodejs-ip"}]}}}}
EOF
}
# pending: "name reason message" of each pod on no node and without an address.
pending() {
	pods_json | jq -r '.items[] | select(.spec.nodeName == null and .status.podIP == null) |
		(.status.conditions[] | select(.type == "PodScheduled" and .status == "False")) as $c |
		"\(.metadata.name) \($c.reason) \($c.message)"' | sort
}
n_pending() { pending | grep -c -- "${1:-}" || true; }
on_node() { pods | awk -v n="$1" '$2 == n' | grep -c -- "${2:-}" || true; }
versions() { pods_json | jq -r '.items[] | select(.spec.nodeName == null) | .metadata.resourceVersion' | sort; }

kill -TERM "$ctl_pid"
wait "$ctl_pid"
CLIENTIP_MAX_PODS=2 start
full="0/3 nodes are available: 3 Too many pods. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
app web 8
t_ok "maxPods 2 on 3 nodes: 8 pods exist" t_wait 10 eq 8 count web-
t_eq "two placed on each node" "2 2 2" "$(on_node node0) $(on_node node1) $(on_node node2)"
t_eq "the other 2: no node, no address, PodScheduled False, Unschedulable, kube-scheduler's message" \
	"2" "$(n_pending "Unschedulable $full")"
t_ok "the log says why" grep -qF "2 pod(s) Pending: $full" "$T_TMP/ctl.log"
t_match "the condition records when it became so" '^20[0-9-]+T[0-9:]+Z$' \
	"$(t_api "$S" "/api/v1/namespaces/default/pods/$(pending | awk 'NR == 1 {print $1}')" | jq -r '.status.conditions[0].lastTransitionTime')"
# sched_events REASON: "type component message" of the scheduler's Events
# with that reason, one line each.
sched_events() {
	t_api "$S" "/api/v1/namespaces/default/events?fieldSelector=reason%3D$1" |
		jq -r '.items[] | select(.source.component == "default-scheduler") |
			"\(.involvedObject.kind) \(.type) \(.count) \(.message)"'
}
t_eq "the scheduler's FailedScheduling Warning on each Pending pod, with its message" \
	"Pod Warning 1 $full
Pod Warning 1 $full" "$(sched_events FailedScheduling | grep -F "$full")"
one=$(pods | awk '$2 == "node1" {print $1; exit}')
t_eq "and Scheduled on each placed one" "Pod Normal 1 Successfully assigned default/$one to node1" \
	"$(sched_events Scheduled | grep -F "default/$one ")"
kill -TERM "$ctl_pid"
wait "$ctl_pid"
before=$(versions)
t_ok "a pass with nothing new" env CLIENTIP_MAX_PODS=2 "$CTL" --lab "$lab" --once
t_eq "leaves the Pending pods alone" "$before" "$(versions)"
t_eq "and records no new Event for the same reason" \
	"Pod Warning 1 $full
Pod Warning 1 $full" "$(sched_events FailedScheduling | grep -F "$full")"
CLIENTIP_MAX_PODS=2 start
app web 7
t_ok "scale 8 -> 7: a Pending pod goes first, at once (nothing runs it)" t_wait 10 eq 1 n_pending
t_eq "the 6 placed pods stay, none deleted" "6 0" \
	"$(($(on_node node0) + $(on_node node1) + $(on_node node2))) $(deleting)"
app api 1
t_ok "another Deployment's pod waits too" t_wait 10 eq 1 n_pending api-
app web 4
t_ok "scale 7 -> 4: the Pending pod goes, 2 placed ones terminate" t_wait 10 eq 2 deleting
t_eq "terminating pods keep their place: api's pod still waits" "1" "$(n_pending "^api-.* Unschedulable")"
terminate
t_ok "once they are gone, it is placed" t_wait 10 eq 0 n_pending
read -r _ api_node api_ip _ < <(pods | grep '^api-')
t_match "on a node, with an address from its pod CIDR" "^10\.244\.${api_node#node}\.[0-9]+$" "$api_ip"

# Clear the nodes, then stop node2's agent: its last heartbeat is 60 s old.
app web 0
app api 0
t_ok "scale both to 0" t_wait 10 eq 5 deleting
terminate
t_ok "every pod gone" t_wait 10 eq 0 count -
# A pod on each node, ready, behind the Service again, before node2 goes
# silent.
t_ok "the Service again" service
deployment 3
three() { echo "$(on_node node0) $(on_node node1) $(on_node node2)"; }
t_ok "3 web pods, one on each node" t_wait 10 eq "1 1 1" three
ready_all
t_ok "their 3 endpoints ready" t_wait 10 eq 3 eps_count '.conditions.ready == true'
on2=$(pods | awk '$2 == "node2" {print $1}')
pod_ready() {
	t_api "$S" "/api/v1/namespaces/default/pods/$1" |
		jq -r '.status.conditions[] | select(.type == "Ready") | .status'
}
t_ok "node2's agent stops beating" alive node0 node1
heartbeat node2 60
t_ok "node2's agent silent past the grace period: NotReady" t_wait 10 grep -q "node2: NotReady" "$T_TMP/ctl.log"
t_ok "its Node: Ready Unknown, the unreachable NoSchedule taint" t_wait 10 eq \
	"Unknown node.kubernetes.io/unreachable:NoSchedule" node_says node2
t_eq "the others keep theirs" "True " "$(node_says node0)"
t_eq "an Event says so, from the node controller" "node-controller Node node2 status is now: NodeNotReady" \
	"$(t_api "$S" /api/v1/namespaces/default/events | jq -r '.items[] | select(.reason == "NodeNotReady"
		and .involvedObject.kind == "Node" and .involvedObject.name == "node2") |
		"\(.source.component) \(.message)"')"
# MarkPodsNotReady: the pods of a node that stopped being Ready are not
# ready any more, so other nodes' proxies stop sending them traffic.
t_ok "node2's pod: Ready False" t_wait 10 eq False pod_ready "$on2"
t_eq "the other nodes' pods stay Ready" "True True" \
	"$(for p in $(pods | awk '$2 != "node2" {print $1}'); do pod_ready "$p"; done | paste -sd' ')"
t_eq "an Event on the pod, from the node controller" "node-controller Warning Node is not ready" \
	"$(t_api "$S" /api/v1/namespaces/default/events | jq -r --arg p "$on2" '.items[] |
		select(.reason == "NodeNotReady" and .involvedObject.kind == "Pod" and
		.involvedObject.name == $p) | "\(.source.component) \(.type) \(.message)"')"
t_ok "its endpoint is not ready any more, the others are" t_wait 10 eq 2 \
	eps_count '.conditions.ready == true'
t_eq "still listed: not ready, not serving, not terminating" "$on2 false false false" \
	"$(endpoints | awk -v p="$on2" '$1 == p {print $1, $2, $3, $4}')"
deployment 0
t_ok "web scaled to 0 again" t_wait 10 eq 3 deleting
terminate
t_ok "every pod gone again" t_wait 10 eq 0 count -
t_ok "the Service deleted again" api DELETE "$services/web" </dev/null
app api 5
both() { echo "$(on_node node0) $(on_node node1)"; }
why() { pending | cut -d' ' -f2-; }
t_ok "5 pods: node0 and node1 take 2 each" t_wait 10 eq "2 2" both
t_eq "node2 gets none" "0" "$(on_node node2)"
t_ok "the fifth waits" t_wait 10 eq 1 n_pending
t_eq "with both reasons, in kube-scheduler's order (sorted as strings)" \
	"Unschedulable 0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Too many pods. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod." \
	"$(why)"
t_ok "node2's Lease renewed again (two rounds)" alive node0 node1 node2
t_eq "a Lease alone does not make it Ready: no pod goes there" "0" "$(on_node node2)"
t_eq "its Ready condition stays Unknown" "Unknown node.kubernetes.io/unreachable:NoSchedule" \
	"$(node_says node2)"
post_ready node2
t_ok "node2 Ready again: the fifth is placed there" t_wait 10 eq 1 on_node node2
t_ok "and the taint goes" t_wait 10 eq "True " node_says node2
t_eq "nothing Pending" "0" "$(n_pending)"

# kubectl cordon: node2 takes no new pod (its own pods stay); uncordoned, it does.
cordon() { api PATCH "/api/v1/nodes/$1" application/merge-patch+json >/dev/null; }
t_ok "cordon node2" cordon node2 <<<'{"spec":{"unschedulable":true}}'
app api 6
t_ok "a sixth pod waits: node2 is cordoned, the others are full" t_wait 10 eq 1 n_pending
t_eq "in kube-scheduler's words" \
	"Unschedulable 0/3 nodes are available: 1 node(s) were unschedulable, 2 Too many pods. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod." \
	"$(why)"
t_eq "node2 keeps its pod" "1" "$(on_node node2)"
t_ok "uncordon node2" cordon node2 <<<'{"spec":{"unschedulable":null}}'
t_ok "the sixth goes to node2" t_wait 10 eq 2 on_node node2

# --- 8. SIGTERM ----------------------------------------------------------------------
kill -TERM "$ctl_pid"
wait "$ctl_pid"
t_eq "SIGTERM: clean exit" "0" "$?"
t_eq "no errors or warnings logged" "" "$(grep -E 'error|warning' "$T_TMP/ctl.log")"

t_done
