#!/usr/bin/env bash
# The real kubectl drives a lab through clientip-apiserver: the oldest and
# the newest kubectl bundled on this machine each apply a multi-document
# manifest with a Namespace, wait for the rollout, read kubectl's own columns,
# reach the app through the load balancer, switch the Service to Local and
# see the client's address, apply again (unchanged, then configured), read
# logs, get the API's errors, and delete everything; Debian's python3
# Kubernetes client lists, watches and creates through the same server.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
lab=$(t_unique)

# kubectl binaries: the Google Cloud SDK bundles kubectl.1.NN beside its
# dispatcher; call the bundled ones directly so the version is known.
kubectls=()
if command -v kubectl >/dev/null 2>&1; then
	kdir=$(dirname "$(readlink -f "$(command -v kubectl)")")
	for v in 27 33; do
		[ -x "$kdir/kubectl.1.$v" ] && kubectls+=("$kdir/kubectl.1.$v")
	done
	[ "${#kubectls[@]}" -eq 0 ] && kubectls+=("$(command -v kubectl)")
fi
# Debian's kubernetes-client (1.20), unpacked by scripts/deps.sh.
debian_kubectl=$T_ROOT/build/debian-kubectl/kubectl.1.20

t_ok "lab up" "$C" --lab "$lab" lab up --nodes 2
t_defer "$C --lab $lab lab down"
KUBECONFIG=$("$C" --lab "$lab" lab kubeconfig)
export KUBECONFIG
t_match "lab kubeconfig: context clientip-$lab on the host's loopback" \
	"current-context: clientip-$lab" "$(cat "$KUBECONFIG")"
t_match "lab kubeconfig: a plain http server on 127.0.0.1" 'server: http://127\.0\.0\.1:[0-9]+' \
	"$(cat "$KUBECONFIG")"

manifest() { # NS REPLICAS
	cat <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: whoami
  namespace: $1
  labels: {app: whoami}
spec:
  replicas: $2
  selector:
    matchLabels: {app: whoami}
  template:
    metadata:
      labels: {app: whoami}
    spec:
      containers:
      - name: whoami
        image: nfranssens/nodejs-ip
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: whoami-lb
  namespace: $1
spec:
  type: LoadBalancer
  selector: {app: whoami}
  ports:
  - port: 80
    targetPort: 8080
YAML
}

envapp() { # NS
	cat <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: $1}
data: {GREETING: hello, MODE: lab}
---
apiVersion: v1
kind: Secret
metadata: {name: app-secret, namespace: $1}
stringData: {TOKEN: s3cret}
---
YAML
	t_deployment envapp "$1"
	cat <<YAML
      - name: app
        image: nfranssens/nodejs-ip
        envFrom:
        - configMapRef: {name: app-config}
          prefix: CFG_
        env:
        - {name: ONE, valueFrom: {configMapKeyRef: {name: app-config, key: MODE}}}
        - {name: TOKEN, valueFrom: {secretKeyRef: {name: app-secret, key: TOKEN}}}
        - {name: PLAIN, value: plain}
YAML
}

drive() { # KUBECTL
	local k=$1 v ns dir ip
	v=$(basename "$k")
	ns=web-${v//[^0-9]/}
	dir=$(mktemp -d)
	t_defer "rm -rf $dir"
	# A fresh discovery cache per kubectl, as kubectl caches per host:port.
	K() { "$k" --cache-dir "$dir/cache" "$@"; }
	# kubectl before 1.29 reads OpenAPI v2 (protobuf) to validate: 1.27 and
	# 1.28 find fieldValidation there and leave unknown fields to the
	# server, 1.20 validates against its definitions itself.
	manifest "$ns" 1 >"$dir/app.yaml"

	t_match "$v: version reports the server" 'Server Version: .*v1\.[0-9]+\.' "$(K version 2>&1)"
	t_eq "$v: apply creates the three documents" \
		"namespace/$ns created
deployment.apps/whoami created
service/whoami-lb created" "$(K apply -f "$dir/app.yaml" 2>&1)"
	t_eq "$v: the same apply again is unchanged" \
		"namespace/$ns unchanged
deployment.apps/whoami unchanged
service/whoami-lb unchanged" "$(K apply -f "$dir/app.yaml" 2>&1)"
	t_ok "$v: rollout status" K rollout status deploy/whoami -n "$ns" --timeout=60s
	t_ok "$v: wait --for=condition=Available" \
		K wait --for=condition=Available deploy/whoami -n "$ns" --timeout=60s
	t_match "$v: get pods shows a Running pod on a node" 'whoami-[a-z0-9]+-[a-z0-9]+ +1/1 +Running +0 .* 10\.244\.[01]\.[0-9]+ +node[01]' \
		"$(K get pods -n "$ns" -o wide 2>&1)"

	external() { K get svc whoami-lb -n "$ns" -o jsonpath='{.status.loadBalancer.ingress[0].ip}'; }
	has_external() { [ -n "$(external)" ]; }
	t_ok "$v: the load balancer gives the Service an EXTERNAL-IP" t_wait 30 has_external
	ip=$(external)
	t_match "$v: get svc -o wide shows kubectl's columns" \
		"whoami-lb +LoadBalancer +10\.0\.[0-9.]+ +$ip +80:3[0-9]+/TCP +[0-9]+s +app=whoami" \
		"$(K get svc -n "$ns" -o wide 2>&1)"
	answers_from_node() {
		"$C" --lab "$lab" curl -s --max-time 3 "http://$ip/" | grep -Eq '^::ffff:10\.(244|240)\.'
	}
	t_ok "$v: Cluster: the app sees a node's address" t_wait 30 answers_from_node
	out=$(K describe deploy whoami -n "$ns" 2>&1)
	t_match "$v: describe deploy shows the scaling Event" \
		'Normal +ScalingReplicaSet +[0-9a-z]+ +deployment-controller +Scaled up replica set whoami-[a-z0-9]+ to 1 from 0' "$out"
	out=$(K describe svc whoami-lb -n "$ns" 2>&1)
	t_match "$v: describe svc shows the load balancer's Events" \
		'Normal +EnsuredLoadBalancer +[0-9a-z]+ +service-controller +Ensured load balancer' "$out"
	t_match "$v: describe svc lists the ready pod as the Service's endpoint" \
		'Endpoints: +10\.244\.[01]\.[0-9]+:8080' "$out"
	t_match "$v: get endpoints: the controller's v1 Endpoints" \
		'^whoami-lb +10\.244\.[01]\.[0-9]+:8080 ' "$(K get endpoints whoami-lb -n "$ns" --no-headers 2>&1)"
	t_match "$v: get endpointslices by the Service's label: one slice, its port and pod" \
		'^whoami-lb-[bcdfghjklmnpqrstvwxz2456789]{5} +IPv4 +8080 +10\.244\.[01]\.[0-9]+ +[0-9a-z]+$' \
		"$(K get endpointslices -n "$ns" -l kubernetes.io/service-name=whoami-lb --no-headers 2>&1)"
	t_match "$v: get events lists the pod's scheduling" \
		'Scheduled +pod/whoami-[a-z0-9]+-[a-z0-9]+ +Successfully assigned '"$ns"'/whoami-' \
		"$(K get events -n "$ns" 2>&1)"
	t_match "$v: patch to Local" "service/whoami-lb patched" \
		"$(K patch svc whoami-lb -n "$ns" -p '{"spec":{"externalTrafficPolicy":"Local"}}' 2>&1)"
	t_match "$v: Local gets a health check node port" '^3[0-9]{4}$' \
		"$(K get svc whoami-lb -n "$ns" -o jsonpath='{.spec.healthCheckNodePort}')"
	answers_client() {
		[ "$("$C" --lab "$lab" curl -s --max-time 3 "http://$ip/")" = "::ffff:198.51.100.10" ]
	}
	t_ok "$v: Local: the app sees the client's address" t_wait 60 answers_client
	t_match "$v: logs deploy/whoami" "listening on" "$(K logs deploy/whoami -n "$ns" 2>&1)"
	# -f stays open while the pod runs: what came so far, then the
	# stream is cut by timeout (124), not ended by the server.
	out=$(timeout 3 "$k" --cache-dir "$dir/cache" logs -f --tail=1 deploy/whoami -n "$ns" 2>&1)
	rc=$?
	t_eq "$v: logs -f stays open while the pod runs (cut by timeout)" 124 "$rc"
	t_ok "$v: logs -f: a line of the pod's log first" \
		grep -qxF -- "$(head -n 1 <<<"$out")" <<<"$(K logs deploy/whoami -n "$ns" 2>&1)"
	# Before 1.30 kubectl speaks SPDY/3.1, later ones WebSocket: the same
	# checks for both.
	t_match "$v: exec runs in the pod's network namespace" 'inet 10\.244\.[01]\.[0-9]+/24' \
		"$(K exec -n "$ns" deploy/whoami -- ip -4 -o addr show eth0 2>&1)"
	t_eq "$v: exec passes stdin" "over stdin" \
		"$(echo "over stdin" | K exec -i -n "$ns" deploy/whoami -- cat 2>&1)"
	K exec -n "$ns" deploy/whoami -- sh -c 'echo to-stderr >&2; exit 3' >"$dir/exec.out" 2>&1
	t_eq "$v: exec's exit code is kubectl's" "3" "$?"
	t_match "$v: exec's stderr arrives" "to-stderr" "$(cat "$dir/exec.out")"
	envapp "$ns" >"$dir/env.yaml"
	t_ok "$v: a ConfigMap, a Secret and a Deployment that reads them" \
		K apply -f "$dir/env.yaml"
	t_ok "$v: its rollout" K rollout status deploy/envapp -n "$ns" --timeout=60s
	t_eq "$v: envFrom a ConfigMap, with a prefix, valueFrom a ConfigMap and a Secret, a plain value" \
		"CFG_GREETING=hello
CFG_MODE=lab
ONE=lab
PLAIN=plain
TOKEN=s3cret" "$(K exec -n "$ns" deploy/envapp -- sh -c 'env | grep -E "^(CFG_|ONE=|TOKEN=|PLAIN=)" | sort' 2>&1)"

	manifest "$ns" 2 >"$dir/app.yaml"
	t_match "$v: a changed file is configured" "deployment.apps/whoami configured" \
		"$(K apply -f "$dir/app.yaml" 2>&1)"
	t_ok "$v: rollout to 2 replicas" K rollout status deploy/whoami -n "$ns" --timeout=60s
	t_eq "$v: 2 ready replicas" "2" \
		"$(K get deploy whoami -n "$ns" -o jsonpath='{.status.readyReplicas}')"
	t_match "$v: one ReplicaSet owns the pods" "^whoami-[a-z0-9]+ +2 +2 +2 " \
		"$(K get rs -n "$ns" --no-headers 2>&1)"
	t_match "$v: set image" "image updated" \
		"$(K set image deploy/whoami -n "$ns" whoami=nfranssens/nodejs-ip:v2 2>&1)"
	t_ok "$v: its rollout" K rollout status deploy/whoami -n "$ns" --timeout=90s
	t_match "$v: rollout history has two revisions" $'1 +<none>\n2 +<none>' \
		"$(K rollout history deploy/whoami -n "$ns" 2>&1)"
	t_match "$v: rollout undo" "rolled back" "$(K rollout undo deploy/whoami -n "$ns" 2>&1)"
	t_ok "$v: the undo's rollout" K rollout status deploy/whoami -n "$ns" --timeout=90s
	t_eq "$v: the first image is back" "nfranssens/nodejs-ip" \
		"$(K get deploy whoami -n "$ns" -o jsonpath='{.spec.template.spec.containers[0].image}')"
	t_match "$v: the old template took the next revision" $'2 +<none>\n3 +<none>' \
		"$(K rollout history deploy/whoami -n "$ns" 2>&1)"
	# kubectl 1.20 lists only old ReplicaSets that still have pods.
	case $v in
	kubectl.1.20) old_rs='<none>' ;;
	*) old_rs='whoami-[a-z0-9]+ \(0/0 replicas created\)' ;;
	esac
	t_match "$v: describe names the new and old ReplicaSets" \
		"OldReplicaSets: +$old_rs"$'\n''NewReplicaSet: +whoami-[a-z0-9]+ \(2/2' \
		"$(K describe deploy whoami -n "$ns" 2>&1)"
	t_match "$v: scale" "scaled" "$(K scale deploy/whoami -n "$ns" --replicas=3 2>&1)"
	K diff -f "$dir/app.yaml" >"$dir/diff.out" 2>&1
	t_eq "$v: diff exits 1 when the file differs from the cluster" "1" "$?"
	t_match "$v: diff shows the replicas the file would set" \
		$'-  replicas: 3\n\\+  replicas: 2' "$(cat "$dir/diff.out")"
	t_match "$v: apply --server-side" "deployment.apps/whoami serverside-applied" \
		"$(K apply --server-side --force-conflicts -f "$dir/app.yaml" 2>&1)"
	t_eq "$v: server-side apply set the file's replicas" "2" \
		"$(K get deploy whoami -n "$ns" -o jsonpath='{.spec.replicas}')"
	t_match "$v: the applied policy change was kept (Local)" "Local" \
		"$(K get svc whoami-lb -n "$ns" -o jsonpath='{.spec.externalTrafficPolicy}')"

	t_match "$v: NotFound from the server" 'Error from server \(NotFound\): services "nope" not found' \
		"$(K get svc nope -n "$ns" 2>&1)"
	sed 's/image: nfranssens/bogusField: 1\n        image: nfranssens/' "$dir/app.yaml" >"$dir/bad.yaml"
	if [ "$v" = kubectl.1.20 ]; then
		t_match "$v: validation against the OpenAPI v2 definitions refuses an unknown field" \
			'ValidationError\(Deployment\.spec\.template\.spec\.containers\[0\]\): unknown field "bogusField" in io\.k8s\.api\.core\.v1\.Container' \
			"$(K apply -f "$dir/bad.yaml" 2>&1)"
	else
		t_match "$v: strict validation refuses an unknown field" 'unknown field "spec\.template\.spec\.containers\[0\]\.bogusField"' \
			"$(K apply -f "$dir/bad.yaml" 2>&1)"
	fi
	# Without client-side validation (1.20) or with --validate=warn the
	# server's default, Warn, applies: the object is stored without the
	# field and kubectl prints the server's Warning header.
	case $v in
	kubectl.1.20) warnflag=--validate=false ;;
	*) warnflag=--validate=warn ;;
	esac
	out=$(K apply "$warnflag" -f "$dir/bad.yaml" 2>&1)
	t_match "$v: $warnflag: the server's warning names the unknown field" \
		'Warning: unknown field "spec\.template\.spec\.containers\[0\]\.bogusField"' "$out"
	t_match "$v: $warnflag: the Deployment is applied" "deployment.apps/whoami configured" "$out"
	t_eq "$v: $warnflag: it is stored without the field" "" \
		"$(K get deploy whoami -n "$ns" -o jsonpath='{.spec.template.spec.containers[0].bogusField}')"
	# A pod deleted by hand: its kubelet stops it and removes it, its
	# ReplicaSet makes another.
	victim=$(K get pods -n "$ns" -l app=whoami -o json |
		jq -r '[.items[] | select(.metadata.deletionTimestamp == null)][0].metadata.name')
	t_eq "$v: delete pod" "pod \"$victim\" deleted" \
		"$(K delete pod -n "$ns" "$victim" --wait=false 2>&1)"
	victim_gone() { ! K get pod -n "$ns" "$victim" >/dev/null 2>&1; }
	t_ok "$v: its kubelet ends it and deletes it" t_wait 60 victim_gone
	replaced() {
		[ "$(K get pods -n "$ns" -l app=whoami -o json | jq '[.items[] |
			select(.metadata.deletionTimestamp == null)] | length')" == \
		  "$(K get deploy whoami -n "$ns" -o jsonpath='{.spec.replicas}')" ]
	}
	t_ok "$v: its ReplicaSet replaces it" t_wait 30 replaced

	t_ok "$v: delete -f" K delete -f "$dir/app.yaml" --timeout=60s
	t_match "$v: the namespace is gone" "NotFound" "$(K get ns "$ns" 2>&1)"
	no_pods() { [ -z "$(K get pods -n "$ns" -o name 2>/dev/null)" ]; }
	t_ok "$v: its pods are gone" t_wait 30 no_pods
}

if [ -x "$debian_kubectl" ]; then
	kubectls+=("$debian_kubectl")
else
	t_skip "Debian's kubectl 1.20" "build/debian-kubectl is missing (scripts/deps.sh fetches it)"
fi
if [ "${#kubectls[@]}" -eq 0 ]; then
	t_skip "the kubectl checks" "kubectl is not installed"
else
	for k in "${kubectls[@]}"; do
		drive "$k"
	done
	# Nodes as the agents registered them: kubectl's columns, the Lease that
	# describe node shows, and a cordon, with the first kubectl.
	KN() { "${kubectls[0]}" --request-timeout=10s "$@"; }
	t_match "get nodes -o wide: the agents' Nodes" \
		'^node0 +Ready +agent +[0-9a-z]+ +v1\.33\.[0-9]+ +10\.240\.0\.4 +<none> ' \
		"$(KN get nodes -o wide --no-headers)"
	out=$(KN describe node node0)
	t_match "describe node: its Lease" 'Lease:
 +HolderIdentity: +node0' "$out"
	t_match "describe node: Ready, posted by the kubelet" 'Ready +True .* KubeletReady +kubelet is posting ready status' "$out"
	t_match "describe node: pod CIDR and capacity" 'PodCIDR: +10\.244\.0\.0/24' "$out"
	t_match "describe node: the kubelet's Events" 'Normal +Starting +.* +kubelet +Starting kubelet\.' "$out"
	t_match "get leases -n kube-node-lease" '^NAME +HOLDER +AGE
node0 +node0 ' "$(KN get leases -n kube-node-lease)"
	t_ok "cordon node1" KN cordon node1
	t_match "get nodes: SchedulingDisabled" 'node1 +Ready,SchedulingDisabled ' "$(KN get nodes)"
	t_match "clientip get nodes agrees" 'node1 +Ready,SchedulingDisabled ' "$("$C" --lab "$lab" get nodes)"
	t_ok "uncordon node1" KN uncordon node1
	t_match "get nodes: schedulable again" 'node1 +Ready +agent' "$(KN get nodes)"
fi

# Debian's client lives in Debian's python3, whichever python3 is first on PATH.
if /usr/bin/python3 -c 'import kubernetes' 2>/dev/null; then
	out=$(/usr/bin/python3 - <<'PY' 2>&1
import os
from kubernetes import client, config, watch
config.load_kube_config(os.environ["KUBECONFIG"])
v1 = client.CoreV1Api()
print("namespaces", sorted(n.metadata.name for n in v1.list_namespace().items))
svc = client.V1Service(metadata=client.V1ObjectMeta(name="py-svc"),
                       spec=client.V1ServiceSpec(selector={"app": "py"},
                                                 ports=[client.V1ServicePort(port=80)]))
made = v1.create_namespaced_service("default", svc)
print("created", made.metadata.name, made.spec.cluster_ip, made.spec.type)
w = watch.Watch()
for ev in w.stream(v1.list_namespaced_service, "default", timeout_seconds=2):
    if ev["object"].metadata.name == "py-svc":
        print("watched", ev["type"], ev["object"].metadata.name)
        w.stop()
v1.delete_namespaced_service("py-svc", "default")
try:
    v1.read_namespaced_service("py-svc", "default")
except client.exceptions.ApiException as e:
    print("after delete", e.status)
PY
)
	t_match "python: lists namespaces" "namespaces \[.*'default'.*'kube-system'" "$out"
	t_match "python: creates a Service with a ClusterIP" "created py-svc 10\.0\.[0-9]+\.[0-9]+ ClusterIP" "$out"
	t_match "python: watches it" "watched ADDED py-svc" "$out"
	t_match "python: deletes it" "after delete 404" "$out"
else
	t_skip "the python client checks" "python3-kubernetes is not installed"
fi

t_done
