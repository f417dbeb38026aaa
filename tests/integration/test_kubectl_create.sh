#!/usr/bin/env bash
# kubectl's typed "create" commands send protobuf bodies
# (application/vnd.kubernetes.protobuf): namespace, configmap, secret
# generic, serviceaccount, deployment, service; expose sends JSON. Each is
# created against a standalone clientip-apiserver and read back with
# kubectl get; a malformed protobuf body gets a 400 that says what is wrong.
. "$(dirname "$0")/lib.sh"

if ! command -v kubectl >/dev/null 2>&1; then
	t_skip_all "no kubectl on this machine"
fi
kdir=$(dirname "$(readlink -f "$(command -v kubectl)")")
K=$kdir/kubectl.1.33
[ -x "$K" ] || K=$(command -v kubectl)

run=$T_TMP/run
mkdir -p "$run"
CLIENTIP_RUN_DIR=$run "$T_BUILD/clientip-apiserver" --lab kc >"$T_TMP/server.log" 2>&1 &
server=$!
t_defer "kill $server; wait $server; rm -rf $run"
if ! t_wait 10 test -s "$run/kc/apiserver.port"; then
	t_fail "the server starts" "$(cat "$T_TMP/server.log")"
	t_done
	exit
fi
url=http://127.0.0.1:$(cat "$run/kc/apiserver.port")
t_wait 10 curl -sf "$url/readyz"
k() { "$K" --server "$url" "$@"; }

t_ok "create namespace" k create namespace foo
t_eq "the namespace is there" "foo Active" \
	"$(k get namespace foo -o jsonpath='{.metadata.name} {.status.phase}')"

t_ok "create configmap" k create configmap c1 -n foo --from-literal=a=1 --from-literal=b=two
t_eq "the configmap's data" "1 two" \
	"$(k get configmap c1 -n foo -o jsonpath='{.data.a} {.data.b}')"

t_ok "create secret generic" k create secret generic s1 --from-literal=user=admin \
	--from-literal=pw='p@ss'
t_eq "the secret's data, base64, and its default type" "YWRtaW4= cEBzcw== Opaque" \
	"$(k get secret s1 -o jsonpath='{.data.user} {.data.pw} {.type}')"

t_ok "create serviceaccount" k create serviceaccount sa1
t_eq "the serviceaccount is there" "sa1" "$(k get serviceaccount sa1 -o jsonpath='{.metadata.name}')"

t_ok "create deployment" k create deployment d1 --image=nginx --replicas=2 --port=80
t_eq "the deployment's replicas, labels, image and port" "2 d1 d1 nginx 80" \
	"$(k get deployment d1 -o jsonpath='{.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.metadata.labels.app} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}')"

t_ok "create service loadbalancer" k create service loadbalancer s1 --tcp=80:8080
t_eq "the service's type, ports and selector" "LoadBalancer 80 8080 TCP s1" \
	"$(k get service s1 -o jsonpath='{.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.ports[0].protocol} {.spec.selector.app}')"

t_ok "expose deployment" k expose deployment d1 --port 80 --type LoadBalancer
t_eq "the exposed service selects the deployment's pods" "LoadBalancer 80 d1" \
	"$(k get service d1 -o jsonpath='{.spec.type} {.spec.ports[0].port} {.spec.selector.app}')"

t_match "kubectl get lists them" 'deployment.apps/d1 +[0-9]+/2' "$(k get deploy,svc 2>&1)"
t_not "create again: already exists" k create configmap c1 -n foo --from-literal=a=1
t_match "the conflict is the API's message" 'configmaps "c1" already exists' "$(cat "$T_TMP/out")"

# A body cut short: 400 with the decoder's reason.
code=$(printf 'k8s\0\n\x10\n\x02v1' | curl -s -o "$T_TMP/bad" -w '%{http_code}' -X POST \
	-H 'Content-Type: application/vnd.kubernetes.protobuf' --data-binary @- \
	"$url/api/v1/namespaces/default/configmaps")
t_eq "a truncated protobuf body: 400" "400" "$code"
t_match "the 400 says why" 'runs past the end' "$(cat "$T_TMP/bad")"

t_done
