#!/usr/bin/env bash
# Frontend IPs as cloud-provider-azure assigns them: the
# service.beta.kubernetes.io/azure-load-balancer-ipv4 annotation wins over
# spec.loadBalancerIP, and Services may share one public IP on different
# ports (each with its own rules), while a Service asking for a port of
# that IP already in use waits <pending> with an event saying who has it.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

t_ok "lab up" "$C" --lab "$lab" lab up --nodes 2 --probe-interval 1
t_defer "$C --lab $lab lab down"

svc() { # NAME PORT IP-ANNOTATION [LOADBALANCERIP]
	cat <<YAML
---
apiVersion: v1
kind: Service
metadata:
  name: $1
  annotations:
    service.beta.kubernetes.io/azure-load-balancer-ipv4: "$3"
spec:
  type: LoadBalancer
  selector: {app: node}
  ${4:+loadBalancerIP: $4}
  ports:
  - {port: $2, targetPort: 8080}
YAML
}
t_scenario_manifest Cluster | sed '/^---$/,$d' >"$T_TMP/app.yaml"
{ svc web 80 203.0.113.50 203.0.113.60; svc api 81 203.0.113.50; } >"$T_TMP/shared.yaml"
svc clash 80 203.0.113.50 >"$T_TMP/clash.yaml"

t_ok "apply the app" "$C" --lab "$lab" apply -f "$T_TMP/app.yaml"
t_ok "apply two Services asking for 203.0.113.50" "$C" --lab "$lab" apply -f "$T_TMP/shared.yaml"
t_ok "pod Ready" t_wait 30 "$C" --lab "$lab" wait --for=condition=Ready pod -l app=node --timeout 1s
ext() { "$C" --lab "$lab" get svc "$1" --no-headers 2>/dev/null | awk '{print $4}'; }
is() { [ "$(ext "$1")" = "$2" ]; }
t_ok "web: the annotation wins over spec.loadBalancerIP" t_wait 20 is web 203.0.113.50
t_ok "api: the same address, another port" t_wait 20 is api 203.0.113.50
answers() { [ -n "$("$C" --lab "$lab" curl --from client0 "http://203.0.113.50:$1/" 2>/dev/null)" ]; }
t_ok "203.0.113.50:80 answers" t_wait 20 answers 80
t_ok "203.0.113.50:81 answers" t_wait 20 answers 81

t_ok "apply a third Service on port 80 of the same address" "$C" --lab "$lab" apply -f "$T_TMP/clash.yaml"
t_ok "it waits: <pending>" t_wait 10 is clash "<pending>"
t_match "an event says why" "LoadBalancerIPInUse.*203\.0\.113\.50 port 80/TCP is in use by service default/web" \
	"$("$C" --lab "$lab" describe svc clash)"
t_ok "web still answers on 80" answers 80

t_ok "delete web" "$C" --lab "$lab" delete svc web
t_ok "clash gets the address once port 80 is free" t_wait 20 is clash 203.0.113.50
t_ok "api kept it throughout" is api 203.0.113.50

# An unreadable annotation is an error, not a silent fallback.
svc bad 82 203.0.113.999 >"$T_TMP/bad.yaml"
t_ok "apply a Service with a bad address" "$C" --lab "$lab" apply -f "$T_TMP/bad.yaml"
t_ok "it waits: <pending>" t_wait 10 is bad "<pending>"
t_match "an event names the annotation" "InvalidLoadBalancerIP.*azure-load-balancer-ipv4: \"203\.0\.113\.999\" is not an IPv4 address" \
	"$("$C" --lab "$lab" describe svc bad)"

t_done
