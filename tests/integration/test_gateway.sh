#!/usr/bin/env bash
# Strategy 5 of keeping the client IP: an L7 gateway at the edge
# (clientip-gateway in Application Gateway's role). kubectl applies the
# example (Deployment with CLIENTIP_ECHO_TRUST, Service, Ingress); the
# Ingress gets the gateway's address; from a lab client, through the
# gateway's frontend, the app reports the client's own address, from two
# pods in turn and over one keep-alive connection. Then Ingresses by host:
# an app that does not trust the gateway reports the gateway's address, a
# Service without ready endpoints is 502, an unknown path or host 404; the gateway
# is killed, restarted by the supervisor and serves again; a deleted
# Ingress stops routing. Every request starts in a lab client.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
GW=203.0.113.2

[ "$(id -u)" == 0 ] || t_skip_all "needs root (network namespaces)"
command -v kubectl >/dev/null 2>&1 || t_skip_all "kubectl is not installed"
[ -x "$T_BUILD/clientip-gateway" ] || t_skip_all "clientip-gateway is not built"

ask() { # [--from client<i>] [curl args...] PATH
	local from=client0
	if [ "$1" == --from ]; then from=$2; shift 2; fi
	"$C" --lab "$lab" exec "$from" -- curl -s --max-time 5 "${@:1:$#-1}" "http://$GW${!#}"
}
code() { ask -o /dev/null -w '%{http_code}' "$@"; }
answers_with() { [ "$(ask "${@:2}")" == "$1" ]; }
code_is() { [ "$(code "${@:2}")" == "$1" ]; }
ready() { [ "$(kubectl get pods -l "app=$1" --no-headers 2>/dev/null | grep -c ' 1/1 .*Running')" == "$2" ]; }
address_of() { kubectl get ingress "$1" -o jsonpath='{.status.loadBalancer.ingress[0].ip}' 2>/dev/null; }
address_is() { [ "$(address_of "$1")" == "$GW" ]; }
SD=${CLIENTIP_RUN_DIR:-/run/clientip}/$lab
pid_of() { cat "$SD/run/$1.pid" 2>/dev/null; }
restarted() { # NAME OLDPID
	local p
	p=$(pid_of "$1")
	[ -n "$p" ] && [ "$p" != "$2" ] && "$C" --lab "$lab" lab status | grep -Eq "^  $1 +$p +running"
}

t_ok "lab up --nodes 2 --clients 2" "$C" --lab "$lab" lab up --nodes 2 --clients 2
t_defer "$C --lab $lab lab down"
KUBECONFIG=$("$C" --lab "$lab" lab kubeconfig)
export KUBECONFIG

# --- the lab: the gateway's daemon, addresses and the VNet's route table ---------
status=$("$C" --lab "$lab" lab status 2>&1)
t_match "lab status: the gateway runs" "^  gateway +[0-9]+ +running" "$status"
t_match "lab status: its frontend and subnet" \
	"Gateway: +http://203\.0\.113\.2:80 \(frontend\), from 10\.225\.0\.4 \(subnet 10\.225\.0\.0/16\)" \
	"$status"
routes=$("$C" --lab "$lab" exec edge -- ip -4 route)
t_match "edge: node0's pod CIDR via node0" "^10\.244\.0\.0/24 via 10\.240\.0\.4 dev vnet" "$routes"
t_match "edge: node1's pod CIDR via node1" "^10\.244\.1\.0/24 via 10\.240\.0\.5 dev vnet" "$routes"

# --- the example, applied by kubectl ---------------------------------------------
t_ok "kubectl explain ingress.spec.rules" kubectl explain ingress.spec.rules
t_ok "kubectl apply -f examples/gateway/echo-ingress.yaml" \
	kubectl apply -f "$T_ROOT/examples/gateway/echo-ingress.yaml"
t_ok "both pods ready" t_wait 30 ready echo 2
t_ok "the Ingress gets the gateway's address" t_wait 10 address_is echo
t_match "kubectl get ingress: kubectl's columns" \
	"^NAME +CLASS +HOSTS +ADDRESS +PORTS +AGE
echo +azure-application-gateway +\* +203\.0\.113\.2 +80 +[0-9]+s" "$(kubectl get ingress echo)"
t_ok "the app answers through the gateway" t_wait 15 answers_with 198.51.100.10 /
t_eq "client0 sees its own address" "198.51.100.10" "$(ask /)"
t_eq "client1 sees its own address" "198.51.100.11" "$(ask --from client1 /)"
json=$(ask /json)
t_match "the pod's peer is the gateway's subnet address" '"remoteAddress":"10\.225\.0\.4"' "$json"
t_match "X-Forwarded-For carries the client's address and port" \
	'"x-forwarded-for":\["198\.51\.100\.10:[0-9]+"\]' "$json"
json=$(ask -H 'X-Forwarded-For: 192.0.2.7' /json)
t_match "an X-Forwarded-For the client sent is kept, the client appended" \
	'"x-forwarded-for":\["192\.0\.2\.7, 198\.51\.100\.10:[0-9]+"\]' "$json"
t_match "and the app still names the client the gateway saw" '"client":"198\.51\.100\.10"' "$json"
names() { # distinct pods of 4 requests
	for i in 1 2 3 4; do ask /json | grep -o '"name":"[^"]*"'; echo; done | sort -u | grep -c name
}
both() { [ "$(names)" == 2 ]; }
t_ok "requests take turns over both pods" t_wait 10 both
out=$("$C" --lab "$lab" exec client0 -- curl -sv --max-time 5 "http://$GW/" "http://$GW/" 2>&1)
t_match "two requests on one connection: the connection is reused" "Re-using existing connection" \
	"$out"
t_eq "and both are answered" 2 "$(printf '%s' "$out" | grep -o '198\.51\.100\.10' | wc -l)"
t_eq "HEAD is answered without a body" "200" "$(code -I /)"
t_match "a POST body reaches the pod" '"method":"POST"' "$(ask --data-binary 'x=1' /json)"
t_ok "kubectl delete -f the example" kubectl delete -f "$T_ROOT/examples/gateway/echo-ingress.yaml"

# --- Ingresses by host: no trust, no endpoints, no rule ------------------------------
{
t_deployment trusting
cat <<'YAML'
      - name: echo
        image: clientip/clientip-echo
        env:
        - {name: CLIENTIP_ECHO_TRUST, value: "10.225.0.0/16"}
        - {name: CLIENTIP_ECHO_UNMAP, value: "1"}
---
YAML
t_deployment plain
cat <<'YAML'
      - name: echo
        image: clientip/clientip-echo
        env:
        - {name: CLIENTIP_ECHO_UNMAP, value: "1"}
---
apiVersion: v1
kind: Service
metadata: {name: trusting}
spec:
  selector: {app: trusting}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: plain}
spec:
  selector: {app: plain}
  ports: [{name: web, port: 8000, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: nobody}
spec:
  selector: {app: nobody}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: hosts}
spec:
  ingressClassName: azure-application-gateway
  rules:
  - host: trusting.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: trusting, port: {number: 80}}}}
  - host: plain.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: plain, port: {name: web}}}}
  - host: nobody.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: nobody, port: {number: 80}}}}
  - host: trusting.example
    http:
      paths:
      - {path: /exact, pathType: Exact, backend: {service: {name: plain, port: {number: 8000}}}}
  - host: paths.example
    http:
      paths:
      - {path: /app, pathType: Prefix, backend: {service: {name: trusting, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: nginx-class}
spec:
  ingressClassName: nginx
  rules:
  - host: other.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: trusting, port: {number: 80}}}}
YAML
} >"$T_TMP/hosts.yaml"
t_ok "kubectl apply: Ingresses by host" kubectl apply -f "$T_TMP/hosts.yaml"
t_ok "pods ready" t_wait 30 ready trusting 1
t_ok "pods ready" t_wait 30 ready plain 1
t_ok "the gateway's Ingress gets its address" t_wait 10 address_is hosts
t_eq "an Ingress of another class is left alone" "" "$(address_of nginx-class)"
t_ok "a trusting app reports the client" t_wait 15 answers_with 198.51.100.10 \
	-H 'Host: trusting.example' /
t_ok "an app that does not trust the gateway reports the gateway's address" \
	t_wait 15 answers_with 10.225.0.4 -H 'Host: plain.example' /
t_eq "an Exact path wins over the host's Prefix /" "10.225.0.4" \
	"$(ask -H 'Host: trusting.example' /exact)"
t_eq "a Prefix is matched by path elements" "198.51.100.10" \
	"$(ask -H 'Host: trusting.example' /exact/more)"
t_eq "a Service without ready endpoints: 502" "502" "$(code -H 'Host: nobody.example' /)"
t_eq "a path under a rule's prefix is served" "198.51.100.10" \
	"$(ask -H 'Host: paths.example' /app/x)"
t_eq "a path no rule names: 404" "404" "$(code -H 'Host: paths.example' /other)"
t_eq "a host no rule names: 404" "404" "$(code -H 'Host: unknown.example' /)"
t_eq "a host of another class's Ingress: 404" "404" "$(code -H 'Host: other.example' /)"
t_eq "the host of a request is matched without case or port" "198.51.100.10" \
	"$(ask -H 'Host: TRUSTING.example:80' /)"

# --- the gateway restarts under the supervisor -----------------------------------------
old=$(pid_of gateway)
t_ok "lab kill gateway" "$C" --lab "$lab" lab kill gateway
t_ok "the supervisor starts it again" t_wait 10 restarted gateway "$old"
t_ok "and it serves again" t_wait 10 answers_with 198.51.100.10 -H 'Host: trusting.example' /
t_match "lab status counts the restart" "^  gateway +[0-9]+ +running +1 " \
	"$("$C" --lab "$lab" lab status)"

# --- a second gateway by hand: its own listener, then a clean stop ----------------------
# (Under ASan this is where leaks would show: the lab's gateway is only
# ever killed.)
"$C" --lab "$lab" exec edge -- "$T_BUILD/clientip-gateway" --lab "$lab" \
	--listen 127.0.0.1:8081 >"$T_TMP/gw.log" 2>&1 &
gwpid=$!
t_defer "kill $gwpid"
listening() { "$C" --lab "$lab" exec edge -- ss -Hltn "sport = :8081" | grep -q LISTEN; }
t_ok "a gateway started by hand listens" t_wait 10 listening
hand() { "$C" --lab "$lab" exec edge -- curl -s --max-time 5 -H "Host: $1" http://127.0.0.1:8081/; }
hand_is() { [ "$(hand "$1")" == "$2" ]; }
t_ok "and routes by the same Ingresses" t_wait 10 hand_is plain.example 10.225.0.4
t_eq "its client is the edge itself" "127.0.0.1" "$(hand trusting.example)"
kill -TERM "$gwpid"
wait "$gwpid"
t_eq "it stops on SIGTERM with status 0" 0 $?
t_ok "with no sanitizer report" sh -c "! grep -E 'Sanitizer|runtime error' '$T_TMP/gw.log'"
t_ok "the lab's gateway logged no sanitizer report" sh -c \
	"! grep -E 'Sanitizer|runtime error' '$SD/logs/gateway.log'"

# --- changes reach the routes -----------------------------------------------------------
t_ok "scale trusting to 0" kubectl scale deploy/trusting --replicas 0
t_ok "its requests get 502 once its pod is gone" t_wait 15 code_is 502 -H 'Host: trusting.example' /
t_ok "kubectl delete ingress hosts" kubectl delete ingress hosts
t_ok "the host's requests get 404" t_wait 10 code_is 404 -H 'Host: plain.example' /

t_done
