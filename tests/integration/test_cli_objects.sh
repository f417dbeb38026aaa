#!/usr/bin/env bash
# The kubectl-like object verbs against a fake lab: a state directory with a
# lab.json and the store's folders, and the lab's API server on its Unix
# socket (where Deployments and Services live), no namespaces and no
# other daemon. The whole test runs without root and in
# a few seconds.
#
# Covers: the scenario's manifest applied verbatim, unchanged/configured,
# ClusterIP/NodePort/healthCheckNodePort allocation kept across updates,
# a file as one transaction (conflicts and every class of bad manifest
# write nothing), --validate (unknown and duplicate fields), get in every
# output, -n/-A, describe, scale, rollout, wait, logs, delete.
. "$(dirname "$0")/lib.sh"

export CLIENTIP_RUN_DIR=$T_TMP/run
LAB=tcli$(( $$ % 1000 ))
S=$CLIENTIP_RUN_DIR/$LAB
M=$T_TMP/m
mkdir -p "$M"
t_defer "rm -rf '$CLIENTIP_RUN_DIR'"

ci() { "$T_BUILD/clientip" --lab "$LAB" "$@"; }

# A fake lab: what `clientip lab up` leaves for these verbs.
fake_lab() {
	local d
	for d in logs/pods; do
		mkdir -p "$S/$d"
	done
	printf '{"name":"%s","nodes":2,"clients":1,"probeIntervalSeconds":null,"createdAt":"%s"}\n' \
		"$LAB" "$(date -u -d '-3 minutes' +%Y-%m-%dT%H:%M:%SZ)" >"$S/lab.json"
}

# Every file of the state dir with its checksum (the lock file and the API
# server's log aside).
snapshot() { (cd "$S" && find . -type f ! -name lock ! -name '*.log' -print0 | sort -z |
	xargs -0 -r sha256sum); }

# jq-like access to JSON on stdin: jget 'd["spec"]["clusterIP"]'
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print('"$1"')'; }

# ---- the scenario's deploy.yaml, verbatim ---------------------------------
cp "$T_ROOT/examples/aks-scenario/deploy.yaml" "$M/deploy.yaml"
{ cat "$M/deploy.yaml"; echo "  externalTrafficPolicy: Local"; } >"$M/deploy_clientIP.yaml"

# ---- no lab ---------------------------------------------------------------
out=$(ci apply -f "$M/deploy.yaml" 2>&1); rc=$?
t_eq "apply to a missing lab fails" 1 "$rc"
t_match "missing lab: the message names lab.json" "lab \"$LAB\" does not exist.*lab.json" "$out"

fake_lab
# Started from a subshell, so that the test's own `wait`s do not wait for it.
( "$T_BUILD/clientip-apiserver" --lab "$LAB" --listen 127.0.0.1:0 >"$T_TMP/apiserver.log" 2>&1 &
  echo $! >"$T_TMP/apiserver.pid" )
APID=$(cat "$T_TMP/apiserver.pid")
t_defer "kill $APID"
t_ok "the lab's API server listens" t_wait 10 test -S "$S/apiserver.sock"

# ---- create, unchanged, configured -------------------------------------------
out=$(ci apply -f "$M/deploy.yaml" 2>&1)
t_eq "scenario manifest applies verbatim" \
	"deployment.apps/node-deployment created
service/node-service created" "$out"
# stored NS RESOURCE-PATH NAME: the API server holds the object.
stored() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$S/apiserver.sock" \
		"http://lab$2/namespaces/$1/$3")" == 200 ]
}
svc_stored() { stored "${2:-default}" /api/v1 "services/$1"; }
t_ok "deployment stored" stored default /apis/apps/v1 deployments/node-deployment
t_ok "service stored" svc_stored node-service

svc_json=$(ci get svc node-service -o json)
cip=$(printf '%s' "$svc_json" | jget 'd["spec"]["clusterIP"]')
np=$(printf '%s' "$svc_json" | jget 'd["spec"]["ports"][0]["nodePort"]')
uid=$(printf '%s' "$svc_json" | jget 'd["metadata"]["uid"]')
created=$(printf '%s' "$svc_json" | jget 'd["metadata"]["creationTimestamp"]')
t_match "clusterIP allocated from 10.0.0.0/16" '^10\.0\.[0-9]+\.[0-9]+$' "$cip"
t_ok "nodePort allocated in 30000-32767" test "$np" -ge 30000 -a "$np" -le 32767
t_eq "no healthCheckNodePort with policy Cluster" None \
	"$(printf '%s' "$svc_json" | jget 'd["spec"].get("healthCheckNodePort")')"

before=$(snapshot)
out=$(ci apply -f "$M/deploy.yaml" 2>&1)
t_eq "re-apply: unchanged" \
	"deployment.apps/node-deployment unchanged
service/node-service unchanged" "$out"
t_eq "re-apply writes nothing" "$before" "$(snapshot)"

out=$(ci apply -f "$M/deploy_clientIP.yaml" 2>&1)
t_eq "externalTrafficPolicy: Local: service configured, deployment unchanged" \
	"deployment.apps/node-deployment unchanged
service/node-service configured" "$out"
svc_json=$(ci get svc node-service -o json)
hc=$(printf '%s' "$svc_json" | jget 'd["spec"]["healthCheckNodePort"]')
t_eq "clusterIP kept across the update" "$cip" "$(printf '%s' "$svc_json" | jget 'd["spec"]["clusterIP"]')"
t_eq "nodePort kept across the update" "$np" \
	"$(printf '%s' "$svc_json" | jget 'd["spec"]["ports"][0]["nodePort"]')"
t_eq "uid kept" "$uid" "$(printf '%s' "$svc_json" | jget 'd["metadata"]["uid"]')"
t_eq "creationTimestamp kept" "$created" \
	"$(printf '%s' "$svc_json" | jget 'd["metadata"]["creationTimestamp"]')"
t_eq "generation bumped by the spec change" 2 \
	"$(printf '%s' "$svc_json" | jget 'd["metadata"]["generation"]')"
t_ok "healthCheckNodePort allocated in range, apart from the nodePort" \
	test "$hc" -ge 30000 -a "$hc" -le 32767 -a "$hc" != "$np"
t_eq "externalTrafficPolicy stored" Local \
	"$(printf '%s' "$svc_json" | jget 'd["spec"]["externalTrafficPolicy"]')"
t_eq "deployment generation untouched" 1 \
	"$(ci get deploy node-deployment -o json | jget 'd["metadata"]["generation"]')"

ci apply -f "$M/deploy.yaml" >/dev/null 2>&1
svc_json=$(ci get svc node-service -o json)
t_eq "back to Cluster: healthCheckNodePort released" None \
	"$(printf '%s' "$svc_json" | jget 'd["spec"].get("healthCheckNodePort")')"
t_eq "back to Cluster: nodePort still kept" "$np" \
	"$(printf '%s' "$svc_json" | jget 'd["spec"]["ports"][0]["nodePort"]')"

# Changing type keeps what is still valid.
svc_type() { printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: tc\nspec:\n  type: %s\n  ports:\n  - port: 8080\n' "$1"; }
svc_type NodePort | ci apply -f - >/dev/null 2>&1
tc_np=$(ci get svc tc -o json | jget 'd["spec"]["ports"][0]["nodePort"]')
tc_cip=$(ci get svc tc -o json | jget 'd["spec"]["clusterIP"]')
svc_type LoadBalancer | ci apply -f - >/dev/null 2>&1
t_eq "NodePort -> LoadBalancer keeps the nodePort" "$tc_np" \
	"$(ci get svc tc -o json | jget 'd["spec"]["ports"][0]["nodePort"]')"
svc_type ClusterIP | ci apply -f - >/dev/null 2>&1
t_eq "LoadBalancer -> ClusterIP drops the nodePort, keeps the clusterIP" "None $tc_cip" \
	"$(ci get svc tc -o json | jget 'str(d["spec"]["ports"][0].get("nodePort")) + " " + d["spec"]["clusterIP"]')"
ci delete svc tc >/dev/null

# EXTERNAL-IP lists spec.externalIPs as kubectl does: alone for a ClusterIP
# Service, after the ingress address for a LoadBalancer (still <pending>).
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: xips\nspec:\n  externalIPs: [10.240.0.200, 10.240.0.201]\n  ports:\n  - port: 8080\n' |
	ci apply -f - >/dev/null 2>&1
t_match "get svc: externalIPs in EXTERNAL-IP" "^xips +ClusterIP +[0-9.]+ +10\.240\.0\.200,10\.240\.0\.201 " \
	"$(ci get svc xips --no-headers)"
ci delete svc xips >/dev/null

# ---- get ---------------------------------------------------------------------
out=$(ci get svc)
t_match "get svc: kubectl's header" '^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE' "$out"
t_match "get svc: the row, <pending> until the load balancer answers" \
	"node-service +LoadBalancer +$cip +<pending> +80:$np/TCP +[0-9]+s" "$out"
out=$(ci get svc -o wide)
t_match "get svc -o wide: SELECTOR" 'SELECTOR.*
node-service .* app=node$' "$out"
out=$(ci get deployments)
t_match "get deployments: columns" '^NAME +READY +UP-TO-DATE +AVAILABLE +AGE' "$out"
t_match "get deployments: 0/1 without pods" 'node-deployment +0/1 +0 +0 +[0-9]+s' "$out"
# Nodes are what the agents registered: none in this lab without agents.
t_match "get nodes: none registered yet" "^No resources found" "$(ci get nodes 2>&1)"
# node API-OBJECT: registers a Node as an agent does (printing the status).
node() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$S/apiserver.sock" \
		-X POST -H "Content-Type: application/json" --data "$1" "http://lab/api/v1/nodes"
}
t_eq "node0 registers, Ready" 201 "$(node '{"metadata":{"name":"node0","labels":{"kubernetes.io/role":"agent"}},
	"status":{"addresses":[{"type":"InternalIP","address":"10.240.0.4"}],
	"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"}],
	"nodeInfo":{"kubeletVersion":"v1.33.0","osImage":"Test OS","kernelVersion":"6.1.0",
	"containerRuntimeVersion":"clientip://netns"}}}')"
t_eq "node1 registers; its Ready condition went Unknown" 201 "$(node '{"metadata":{"name":"node1",
	"labels":{"node-role.kubernetes.io/agent":"","node-role.kubernetes.io/edge":""}},
	"status":{"addresses":[{"type":"InternalIP","address":"10.240.0.5"}],
	"conditions":[{"type":"Ready","status":"Unknown","reason":"NodeStatusUnknown"}]}}')"
t_match "get nodes: kubectl's columns, STATUS from the Ready condition, ROLES from the labels" \
	'^NAME +STATUS +ROLES +AGE +VERSION
node0 +Ready +agent +[0-9]+s +v1\.33\.0
node1 +NotReady +agent,edge +[0-9]+s +<unknown>$' "$(ci get nodes)"
t_match "get nodes -o wide: INTERNAL-IP, OS-IMAGE, KERNEL-VERSION, CONTAINER-RUNTIME" \
	'node0 .* 10\.240\.0\.4 +<none> +Test OS +6\.1\.0 +clientip://netns' "$(ci get nodes -o wide)"
t_eq "get nodes -o json: a List of the API's Nodes" "Node node0 10.240.0.4" \
	"$(ci get nodes -o json | jq -r '.items[0] | [.kind, .metadata.name, .status.addresses[0].address] | join(" ")')"
t_eq "get nodes -l: selected by label" "node1" "$(ci get nodes -l node-role.kubernetes.io/edge -o name | sed 's,^node/,,')"
out=$(ci describe node node0)
t_match "describe node: kubectl's blocks" 'Name: +node0
Roles: +agent
Labels: +kubernetes\.io/role=agent
CreationTimestamp: +[A-Z][a-z][a-z], [0-9]+ .*
Taints: +<none>
Unschedulable: +false
Conditions:' "$out"
t_match "describe node: the Ready condition" '  Ready +True +<unknown> +<unknown> +KubeletReady' "$out"
t_match "describe node: addresses" 'Addresses:
  InternalIP: +10\.240\.0\.4' "$out"
t_match "describe node: system info" 'System Info:
  Kernel Version: +6\.1\.0
  OS Image: +Test OS' "$out"
t_match "describe node: no pods, no events" 'Non-terminated Pods: +\(0 in total\)
Events: +<none>' "$out"
t_match "describe no: every node" 'Name: +node1' "$(ci describe no)"
t_ok "get svc -o json parses (a List)" sh -c \
	"'$T_BUILD/clientip' --lab $LAB get svc -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"kind\"]==\"List\" and d[\"items\"][0][\"kind\"]==\"Service\"'"
t_ok "get deploy NAME -o json parses (the object)" sh -c \
	"'$T_BUILD/clientip' --lab $LAB get deploy node-deployment -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"kind\"]==\"Deployment\"'"
yaml_out=$(ci get svc node-service -o yaml)
t_match "get -o yaml: kubectl-style block YAML" '^apiVersion: v1
kind: Service
metadata:
  name: node-service' "$yaml_out"
if python3 -c 'import yaml' 2>/dev/null; then
	t_ok "get -o yaml parses back to the same object as -o json" sh -c \
		"'$T_BUILD/clientip' --lab $LAB get svc node-service -o yaml >'$T_TMP/y'; '$T_BUILD/clientip' --lab $LAB get svc node-service -o json >'$T_TMP/j'; python3 -c 'import json,yaml; assert yaml.safe_load(open(\"$T_TMP/y\"))==json.load(open(\"$T_TMP/j\"))'"
fi
t_ok "get svc,deploy -o yaml parses" sh -c \
	"'$T_BUILD/clientip' --lab $LAB get svc,deploy -o yaml | grep -q '^kind: List'"
out=$(ci get pods 2>&1)
t_eq "get pods without pods" "No resources found in default namespace." "$out"
out=$(ci get svc nosuch 2>&1); rc=$?
t_eq "get NAME not found: exit 1" 1 "$rc"
t_eq "get NAME not found: kubectl's message" 'Error from server (NotFound): services "nosuch" not found' "$out"
out=$(ci get widgets 2>&1)
t_eq "unknown resource type" 'error: the server doesn'"'"'t have a resource type "widgets"' "$out"
t_eq "get -o name" "service/node-service" "$(ci get svc -o name)"

# ---- one file, one transaction --------------------------------------------------
cat >"$M/conflict.yaml" <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: a
spec:
  type: NodePort
  ports:
  - port: 80
    nodePort: 30500
---
apiVersion: v1
kind: Service
metadata:
  name: b
spec:
  type: NodePort
  ports:
  - port: 81
    nodePort: 30500
EOF
before=$(snapshot)
out=$(ci apply -f "$M/conflict.yaml" 2>&1); rc=$?
t_eq "nodePort conflict inside one file: exit 1" 1 "$rc"
t_match "nodePort conflict: file:line:column and the API server's words" \
	"conflict.yaml:19:15: spec.ports\[0\].nodePort: Invalid value: 30500: provided port is already allocated" "$out"
t_eq "nodePort conflict: nothing of the file written" "$before" "$(snapshot)"

cat >"$M/taken.yaml" <<EOF
apiVersion: v1
kind: Service
metadata:
  name: c
spec:
  type: NodePort
  ports:
  - port: 80
    nodePort: $np
EOF
out=$(ci apply -f "$M/taken.yaml" 2>&1); rc=$?
t_eq "nodePort held by another Service: refused" 1 "$rc"
t_match "nodePort held by another Service: message" "taken.yaml:9:15: .*provided port is already allocated" "$out"
t_eq "nodePort held by another Service: nothing written" "$before" "$(snapshot)"

cat >"$M/ipconflict.yaml" <<EOF
apiVersion: v1
kind: Service
metadata:
  name: d
spec:
  clusterIP: $cip
  ports:
  - port: 80
EOF
out=$(ci apply -f "$M/ipconflict.yaml" 2>&1); rc=$?
t_eq "clusterIP held by another Service: refused" 1 "$rc"
t_match "clusterIP conflict: message" "failed to allocate IP $cip: provided IP is already allocated" "$out"

# bad_case NAME EXPECTED-LINE: $M/NAME.yaml must fail with that line and write nothing.
bad_case() {
	local name=$1 want=$2 out rc
	before=$(snapshot)
	out=$(ci apply -f "$M/$name.yaml" 2>&1); rc=$?
	t_ok "$name: non-zero exit" test "$rc" -ne 0
	if printf '%s\n' "$out" | grep -qxF -- "$M/$name.yaml:$want"; then
		t_pass "$name: $want"
	else
		t_fail "$name: error line" "want: $M/$name.yaml:$want" "have: $out"
	fi
	t_eq "$name: nothing written" "$before" "$(snapshot)"
}

svc_doc() { # name, spec lines...
	printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\nspec:\n' "$1"; shift
	printf '%s\n' "$@"
}
{ cat "$M/deploy.yaml"; echo '---'; svc_doc web '  ports:' '  - port: 70000'; } >"$M/port_range.yaml"
bad_case port_range "42:11: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"
svc_doc Node_Svc '  ports:' '  - port: 80' >"$M/bad_name.yaml"
bad_case bad_name "4:9: metadata.name: Invalid value: \"Node_Svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
sed 's/^        app: node$/        app: nodes/' "$M/deploy.yaml" >"$M/selector.yaml"
bad_case selector '15:9: spec.template.metadata.labels: Invalid value: map[string]string{"app":"nodes"}: `selector` does not match template `labels`'
svc_doc web '  ports:' '  - {name: http, port: 80}' '  - {name: http, port: 81}' >"$M/dup_name.yaml"
bad_case dup_name '8:12: spec.ports[1].name: Duplicate value: "http"'
svc_doc web '  ports:' '  - {name: a, port: 80}' '  - {name: b, port: 80}' >"$M/dup_port.yaml"
bad_case dup_port '8:6: spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}'
svc_doc web '  type: NodePort' '  ports:' '  - {port: 80, nodePort: 80}' >"$M/nodeport_range.yaml"
bad_case nodeport_range '8:26: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767'
svc_doc web '  externalTrafficPolicy: Local' '  ports: [{port: 80}]' >"$M/etp_clusterip.yaml"
bad_case etp_clusterip '6:26: spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'
printf 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: x}\n' >"$M/unknown_kind.yaml"
bad_case unknown_kind '2:7: no matches for kind "Deployment" in version "extensions/v1beta1"'
svc_doc web '  ports:' '  - port: "80"' >"$M/wrong_type.yaml"
bad_case wrong_type '7:11: spec.ports[0].port: Invalid type: got "string", expected "integer"'
sed 's/^      app: node$/      app: [node/' "$M/deploy.yaml" >"$M/syntax.yaml"
before=$(snapshot)
out=$(ci apply -f "$M/syntax.yaml" 2>&1); rc=$?
t_ok "syntax: non-zero exit" test "$rc" -ne 0
t_match "syntax: a yaml error with its position" "syntax.yaml:[0-9]+:[0-9]+: yaml: " "$out"
t_eq "syntax: nothing written" "$before" "$(snapshot)"
out=$(ci apply -f "$M/port_range.yaml" 2>&1)
t_match "a file with errors says nothing was applied" "error: .*port_range.yaml: 1 error, nothing applied" "$out"

# ---- unknown and duplicate fields: --validate ----------------------------------------
# strict (the default, as in kubectl): a misspelt field is an error, so the
# Service is not silently left at externalTrafficPolicy Cluster.
svc_doc typo '  type: LoadBalancer' '  externalTraficPolicy: Local' '  ports:' '  - port: 80' \
	>"$M/typo.yaml"
bad_case typo '7:3: unknown field "spec.externalTraficPolicy"'
t_not "typo: no Service created" svc_stored typo
svc_doc dup '  type: NodePort' '  ports: [{port: 80}]' '  type: LoadBalancer' >"$M/dup_key.yaml"
bad_case dup_key '8:3: duplicate field "spec.type"'
out=$(ci apply --validate=maybe -f "$M/typo.yaml" 2>&1); rc=$?
t_eq "--validate=maybe: usage error" 2 "$rc"
t_match "--validate=maybe: kubectl's message" \
	'invalid - validate option "maybe"; must be one of: strict \(or true\), warn, ignore \(or false\)' "$out"
t_match "apply --help describes --validate" '--validate=strict\|warn\|ignore' "$(ci apply --help)"

# warn: applied, with kubectl's warning; the misspelt field is not read.
out=$(ci apply --validate=warn -f "$M/typo.yaml" 2>"$T_TMP/err"); rc=$?
t_eq "--validate=warn: applied" "0 service/typo created" "$rc $out"
t_eq "--validate=warn: the warning with its position" \
	"$M/typo.yaml:7:3: Warning: unknown field \"spec.externalTraficPolicy\"" "$(cat "$T_TMP/err")"
t_eq "--validate=warn: the policy stays Cluster" Cluster \
	"$(ci get svc typo -o json | jget 'd["spec"]["externalTrafficPolicy"]')"

# delete -f reads the file as apply does.
out=$(ci delete -f "$M/typo.yaml" 2>&1); rc=$?
t_eq "delete -f of the misspelt file: refused" 1 "$rc"
t_match "delete -f of the misspelt file: the error" \
	"typo.yaml:7:3: unknown field \"spec.externalTraficPolicy\"" "$out"
t_ok "delete -f refused: the Service is still there" svc_stored typo
t_eq "delete --validate=warn -f" 'service "typo" deleted' \
	"$(ci delete --validate=warn -f "$M/typo.yaml" 2>/dev/null)"

# ignore (or false): applied without a word.
svc_doc warned '  foo: bar' '  ports:' '  - port: 80' >"$M/warn.yaml"
out=$(ci apply --validate=false -f "$M/warn.yaml" 2>"$T_TMP/err"); rc=$?
t_eq "--validate=false: applied" "0 service/warned created" "$rc $out"
t_eq "--validate=false: nothing said" "" "$(cat "$T_TMP/err")"
t_eq "unknown field: a ClusterIP Service gets no nodePort" None \
	"$(ci get svc warned -o json | jget 'd["spec"]["ports"][0].get("nodePort")')"

# ---- create, namespaces ---------------------------------------------------------
out=$(ci create -f "$M/deploy.yaml" 2>&1); rc=$?
t_eq "create on existing objects: exit 1" 1 "$rc"
t_match "create: AlreadyExists" \
	"Error from server \(AlreadyExists\): error when creating \"$M/deploy.yaml\": deployments.apps \"node-deployment\" already exists" "$out"
out=$(cat "$M/deploy.yaml" | ci -n prod apply -f - 2>&1)
t_eq "apply -f - into -n prod" "deployment.apps/node-deployment created
service/node-service created" "$out"
t_eq "the prod service got its own clusterIP and nodePort" "yes" \
	"$(ci -n prod get svc node-service -o json | jget '"yes" if d["spec"]["clusterIP"] != "'"$cip"'" and d["spec"]["ports"][0]["nodePort"] != '"$np"' else "no"')"
out=$(ci get svc -A)
t_match "get -A: NAMESPACE column" '^NAMESPACE +NAME +TYPE' "$out"
t_match "get -A: default's node-service" '^default +node-service ' "$out"
t_match "get -A: prod's node-service, after default's" '^default +node-service .*
(.*
)*prod +node-service ' "$out"
t_eq "get -n prod: only prod's" "node-service" "$(ci get svc -n prod -o name | sed 's|service/||')"

# ---- pods as the controller and an agent would write them -------------------------
# new_pod NAME APP: a pod bound to node1, created through the API as the
# controller creates and binds them.
new_pod() {
	t_api_send "$S" POST /api/v1/namespaces/default/pods >/dev/null <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"$1","namespace":"default","labels":{"app":"$2","pod-template-hash":"7c9d8b6f5"},"annotations":{"clientip.io/pod-ip":"10.244.1.2"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"node-deployment-7c9d8b6f5","uid":"$rs_uid","controller":true}]},"spec":{"nodeName":"node1","containers":[{"name":"node","image":"nfranssens/nodejs-ip","ports":[{"containerPort":8080,"protocol":"TCP"}]}],"restartPolicy":"Always","terminationGracePeriodSeconds":30}}
EOF
}
# running POD: the status its node agent reports once it runs, ready.
running() {
	t_api_send "$S" PATCH "/api/v1/namespaces/default/pods/$1/status" application/merge-patch+json >/dev/null <<EOF
{"status":{"phase":"Running","podIP":"10.244.1.2","startTime":"$now",
 "conditions":[{"type":"Ready","status":"True"}],
 "containerStatuses":[{"name":"node","ready":true,"restartCount":2,"started":true,
  "containerID":"pid://4242","state":{"running":{"startedAt":"$now"}}}]}}
EOF
}
pod=node-deployment-7c9d8b6f5-abcde
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# Their ReplicaSet, which the controller would have made: without an owner
# that exists, the garbage collector would delete them.
rs_uid=$(t_api_send "$S" POST /apis/apps/v1/namespaces/default/replicasets <<'EOF' | jq -r .metadata.uid
{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"node-deployment-7c9d8b6f5"},
 "spec":{"replicas":0,"selector":{"matchLabels":{"app":"node"}},
  "template":{"metadata":{"labels":{"app":"node"}},"spec":{"containers":[{"name":"node","image":"nfranssens/nodejs-ip"}]}}}}
EOF
)
new_pod "$pod" node
out=$(ci get pods)
t_match "get pods: a pod without status is ContainerCreating" "$pod +0/1 +ContainerCreating +0 +[0-9]+s" "$out"
out=$(ci wait --for=condition=Ready pod -l app=node --timeout 300ms 2>&1); rc=$?
t_eq "wait: times out on a pod that is not ready" 1 "$rc"
t_match "wait: the timeout names the pod" "timed out waiting for the condition on pods/$pod" "$out"
( sleep 0.3; running "$pod" ) &
out=$(ci wait --for=condition=Ready pod -l app=node --timeout 10s 2>&1); rc=$?
wait
t_eq "wait: condition met once the agent reports ready" "0 pod/$pod condition met" "$rc $out"
out=$(ci wait --for=condition=Ready pod -l app=late --timeout 200ms 2>&1); rc=$?
t_eq "wait -l: nothing matches within the timeout" "1 error: no matching resources found" "$rc $out"
late=late-7c9d8b6f5-zzzzz
( sleep 0.3; new_pod "$late" late && running "$late" ) &
out=$(ci wait --for=condition=Ready pod -l app=late --timeout 10s 2>&1); rc=$?
wait
t_eq "wait -l: waits for a matching pod to appear" "0 pod/$late condition met" "$rc $out"
t_ok "the late pod deleted" t_api_send "$S" DELETE "/api/v1/namespaces/default/pods/$late?gracePeriodSeconds=0" </dev/null
out=$(ci get pods -o wide)
t_match "get pods -o wide: kubectl's columns" \
	'^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES' "$out"
t_match "get pods -o wide: running on node1 with its pod IP" \
	"$pod +1/1 +Running +2 +[0-9]+s +10\.244\.1\.2 +node1 +<none> +<none>" "$out"
t_eq "wait pod/NAME" "pod/$pod condition met" "$(ci wait --for=condition=Ready pod/$pod 2>&1)"
out=$(ci describe pod $pod)
t_match "describe pod: node and IP" "Node: +node1/10\.240\.0\.5" "$out"
t_match "describe pod: controlled by its ReplicaSet" "Controlled By: +ReplicaSet/node-deployment-7c9d8b6f5" "$out"
t_match "describe pod: container state" "State: +Running" "$out"
# No agent runs here: the API server has no kubelet to ask for the log.
out=$(ci logs $pod 2>&1); rc=$?
t_match "logs without the pod's kubelet: the server says whom it could not reach" \
	"^Error from server \(InternalError\): Get \"http://node1/containerLogs/default/$pod/node\": dial unix .*/run/kubelet-node1\.sock: No such file or directory" "$out"
t_eq "and fails" 1 "$rc"
# A kubelet that takes the request and never answers: the server gives it
# its 10 s to start the answer, and meanwhile answers everyone else.
mkdir -p "$S/run"
python3 - "$S/run/kubelet-node1.sock" >"$T_TMP/silent.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(8)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
PY
SILENT=$!
t_defer "kill $SILENT 2>/dev/null; rm -f '$S/run/kubelet-node1.sock'"
t_ok "a silent kubelet listens" t_wait 10 test -S "$S/run/kubelet-node1.sock"
ci logs $pod >"$T_TMP/silent.out" 2>&1 &
LOGS=$!
ci logs -f $pod >"$T_TMP/silent-f.out" 2>&1 &
LOGSF=$!
t_ok "while the kubelet says nothing, the server answers others" \
	t_wait 5 sh -c "'$T_BUILD/clientip' --lab '$LAB' get pod '$pod' >/dev/null && kill -0 $LOGS"
wait $LOGS; rc=$?
wait $LOGSF; rcf=$?
silent="^Error from server \(InternalError\): Get \"http://node1/containerLogs/default/$pod/node(\?follow=true)?\": the kubelet did not answer within 10 s"
t_match "a kubelet that never answers: the server gives up and says so" \
	"$silent" "$(cat "$T_TMP/silent.out")"
t_eq "and logs fails" 1 "$rc"
t_match "logs -f: the same" "$silent" "$(cat "$T_TMP/silent-f.out")"
t_eq "and logs -f fails" 1 "$rcf"
kill $SILENT 2>/dev/null; wait $SILENT 2>/dev/null
rm -f "$S/run/kubelet-node1.sock"
out=$(ci logs nosuch 2>&1); rc=$?
t_eq "logs of a missing pod" '1 Error from server (NotFound): pods "nosuch" not found' "$rc $out"

# The Service's EndpointSlice, as the lab's controller writes it.
slice='{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"node-service-x7k2p","namespace":"default","labels":{"kubernetes.io/service-name":"node-service"}},"addressType":"IPv4","endpoints":[{"addresses":["10.244.1.2"],"conditions":{"ready":true,"serving":true,"terminating":false},"nodeName":"node1","targetRef":{"kind":"Pod","namespace":"default","name":"'"$pod"'"}}],"ports":[{"name":"","protocol":"TCP","port":8080}]}'
t_eq "the endpoints reach the API" 201 \
	"$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$S/apiserver.sock" \
		-X POST -H "Content-Type: application/json" --data "$slice" \
		http://lab/apis/discovery.k8s.io/v1/namespaces/default/endpointslices)"
t_match "get endpoints" '^NAME +ENDPOINTS +AGE
node-service +10\.244\.1\.2:8080 +[0-9]+' "$(ci get ep)"
out=$(ci describe svc node-service)
t_match "describe svc: kubectl's blocks" 'Name: +node-service
Namespace: +default' "$out"
t_match "describe svc: ports, nodePort, endpoints" "Port: +<unset>  80/TCP
TargetPort: +8080/TCP
NodePort: +<unset>  $np/TCP
Endpoints: +10\.244\.1\.2:8080" "$out"
t_match "describe svc: traffic policy" "External Traffic Policy: +Cluster" "$out"

# The load balancer's part, as it writes it through the API server: a
# frontend address in the Service's status and an Event on the Service.
api() { # METHOD PATH CONTENT-TYPE BODY: prints the HTTP status
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$S/apiserver.sock" \
		-X "$1" -H "Content-Type: $3" --data "$4" "http://lab$2"
}
t_eq "the load balancer's status through services/NAME/status" 200 \
	"$(api PATCH /api/v1/namespaces/default/services/node-service/status \
		application/merge-patch+json \
		'{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.10","ipMode":"VIP"}]}}}')"
t_eq "the load balancer's Event" 201 \
	"$(api POST /api/v1/namespaces/default/events application/json \
		'{"metadata":{"name":"node-service.1"},"involvedObject":{"kind":"Service","namespace":"default","name":"node-service"},"type":"Warning","reason":"ProbeIntervalOutOfRange","message":"interval 1 s is below Azure'"'"'s minimum of 5 s","source":{"component":"clientip-lb"},"lastTimestamp":"'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'"}')"
t_match "get svc: EXTERNAL-IP from the load balancer's status" \
	"node-service +LoadBalancer +$cip +203\.0\.113\.10 +80:$np/TCP " "$(ci get svc)"
out=$(ci describe svc node-service)
t_match "describe svc: LoadBalancer Ingress" "LoadBalancer Ingress: +203\.0\.113\.10" "$out"
t_match "describe svc: the load balancer's events" "Events:
  Type +Reason +Age +From +Message
  ---- +------ +---- +---- +-------
  Warning +ProbeIntervalOutOfRange +[0-9]+s +clientip-lb +interval 1 s is below" "$out"

# ---- scale, rollout ---------------------------------------------------------------------
t_eq "scale" "deployment.apps/node-deployment scaled" "$(ci scale deployment node-deployment --replicas 3)"
t_eq "scale: replicas stored" 3 "$(ci get deploy node-deployment -o json | jget 'd["spec"]["replicas"]')"
t_eq "rollout restart" "deployment.apps/node-deployment restarted" \
	"$(ci rollout restart deployment/node-deployment)"
t_match "rollout restart: restartedAt in the pod template" '^20[0-9-]+T' \
	"$(ci get deploy node-deployment -o json | jget 'd["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]')"
out=$(ci apply -f "$M/deploy.yaml" 2>&1)
t_match "apply after restart keeps restartedAt (replicas from the manifest win)" \
	'deployment.apps/node-deployment configured' "$out"
t_ok "restartedAt still there" sh -c "'$T_BUILD/clientip' --lab $LAB get deploy node-deployment -o yaml | grep -q restartedAt"
t_eq "rollout status: one ready pod of one" 'deployment "node-deployment" successfully rolled out' \
	"$(ci rollout status deployment/node-deployment --timeout 5s 2>&1)"
ci scale deployment/node-deployment --replicas=2 >/dev/null
out=$(ci rollout status deployment/node-deployment --timeout 200ms 2>&1); rc=$?
t_eq "rollout status times out while a replica is missing" 1 "$rc"
t_match "rollout status: kubectl's waiting line" 'Waiting for deployment "node-deployment" rollout to finish: 1 out of 2 new replicas have been updated\.\.\.
error: timed out waiting for the condition' "$out"
t_eq "scale a missing deployment" 'Error from server (NotFound): deployments.apps "nope" not found' \
	"$(ci scale deploy/nope --replicas 1 2>&1)"

# ---- delete -----------------------------------------------------------------------------
t_eq "delete svc NAME" 'service "warned" deleted' "$(ci delete svc warned)"
t_not "delete: the Service is gone" svc_stored warned
out=$(ci delete svc warned 2>&1); rc=$?
t_eq "delete again: NotFound" '1 Error from server (NotFound): services "warned" not found' "$rc $out"
out=$(ci -n prod delete -f "$M/deploy.yaml")
t_eq "delete -f" 'deployment.apps "node-deployment" deleted
service "node-service" deleted' "$out"
t_eq "delete -f: prod is empty" "0" \
	"$(t_api "$S" /api/v1/namespaces/prod/services | jq '.items | length')"
t_eq "delete deploy/NAME" 'deployment.apps "node-deployment" deleted' "$(ci delete deploy/node-deployment)"
t_ok "apply --help" sh -c "'$T_BUILD/clientip' apply --help | grep -q 'usage: clientip apply'"

# ---- no API server ----------------------------------------------------------------------
kill "$APID"
t_ok "the API server is gone" t_wait 10 sh -c "! kill -0 $APID 2>/dev/null"
before=$(snapshot)
out=$(ci apply -f "$M/deploy.yaml" 2>&1); rc=$?
t_eq "apply without an API server: exit 1" 1 "$rc"
t_match "apply: the lab and the socket named" \
	"error: the API server of lab \"$LAB\" does not answer at $S/apiserver.sock: .*lab status" "$out"
t_eq "apply: nothing written" "$before" "$(snapshot)"
out=$(ci get svc 2>&1); rc=$?
t_eq "get svc without an API server: exit 1" 1 "$rc"
t_match "get svc: the same message" "does not answer at $S/apiserver.sock" "$out"
out=$(ci delete svc node-service 2>&1); rc=$?
t_match "delete: the same message, exit 1" "^1 error: the API server of lab" "$rc $out"

t_done
