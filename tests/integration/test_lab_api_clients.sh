#!/usr/bin/env bash
# The lab's clients of the API server: the CLI's writes and the load
# balancer. A manifest applied while the API server is frozen (SIGSTOP)
# fails within the CLI's timeout, names the lab and the socket, and changes
# nothing; a Service whose load balancer is refused gets a
# SyncLoadBalancerFailed Event from clientip-lb that kubectl's events list
# and describe show; the load balancer's address is the Service's status,
# with the service controller's EnsuredLoadBalancer Event; a load balancer
# restarted while the API server is frozen keeps its data path and picks
# everything up again once the server answers.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"
command -v kubectl >/dev/null || t_skip_all "needs kubectl"

t_ok "lab up" "$C" --lab "$lab" lab up --nodes 2 --probe-interval 1
t_defer "$C --lab $lab lab kill apiserver --signal CONT; $C --lab $lab lab down"
SD=$("$C" --lab "$lab" lab status 2>/dev/null | sed -n 's/^State: *//p')
[ -n "$SD" ] || SD=${CLIENTIP_RUN_DIR:-/run/clientip}/$lab
KUBECONFIG=$("$C" --lab "$lab" lab kubeconfig); export KUBECONFIG

t_scenario_manifest Cluster >"$T_TMP/app.yaml"
t_ok "apply through the API server" "$C" --lab "$lab" apply -f "$T_TMP/app.yaml"
ingress() { kubectl get svc node-service -o jsonpath='{.status.loadBalancer.ingress[0].ip}' 2>/dev/null; }
has_ingress() { [ -n "$(ingress)" ]; }
t_ok "the load balancer's address is the Service's status" t_wait 30 has_ingress
FE=$(ingress)
t_match "kubectl: EnsuredLoadBalancer from the service controller" \
	'Normal +EnsuredLoadBalancer +[0-9a-z]+ +service-controller +Ensured load balancer' \
	"$(kubectl describe svc node-service)"
t_eq "clientip reads the same address" "$FE" "$(t_frontend "$SD" node-service)"

# --- a frozen API server --------------------------------------------------------
before=$(kubectl get svc node-service -o jsonpath='{.metadata.resourceVersion}')
replicas=$(kubectl get deploy node-deployment -o jsonpath='{.spec.replicas}')
sed 's/^  replicas: .*/  replicas: 3/' "$T_TMP/app.yaml" >"$T_TMP/app3.yaml"
t_ok "freeze the API server" "$C" --lab "$lab" lab kill apiserver --signal STOP
start=$(date +%s)
out=$("$C" --lab "$lab" apply -f "$T_TMP/app3.yaml" 2>&1); rc=$?
t_eq "apply to a frozen API server: exit 1" 1 "$rc"
t_match "the message names the lab and the socket" \
	"API server of lab \"$lab\" does not answer at $SD/apiserver.sock" "$out"
t_ok "it gives up within the CLI's timeout" test $(( $(date +%s) - start )) -lt 30
out=$("$C" --lab "$lab" scale deployment node-deployment --replicas 4 2>&1); rc=$?
t_eq "scale: exit 1" 1 "$rc"
t_match "scale: the same message" "does not answer at $SD/apiserver.sock" "$out"

# The load balancer restarted meanwhile: it cannot list, and keeps what
# it has programmed.
lb_pid() { "$C" --lab "$lab" lab status 2>/dev/null | awk '$1 == "lb" && $3 == "running" {print $2}'; }
old=$(lb_pid)
t_ok "kill the load balancer" "$C" --lab "$lab" lab kill lb
lb_back() { local p; p=$(lb_pid); [ -n "$p" ] && [ "$p" != "$old" ]; }
t_ok "the supervisor restarts it" t_wait 20 lb_back
fe_rule() { ip netns exec "cip-$lab-edge" nft list map ip azure-lb frontends 2>/dev/null | grep -q "$FE"; }
t_ok "its data path stays while the API server is frozen" fe_rule

t_ok "thaw the API server" "$C" --lab "$lab" lab kill apiserver --signal CONT
t_eq "nothing of the refused apply was stored" "$before" \
	"$(kubectl get svc node-service -o jsonpath='{.metadata.resourceVersion}')"
t_eq "the Deployment kept its replicas" "$replicas" \
	"$(kubectl get deploy node-deployment -o jsonpath='{.spec.replicas}')"
t_eq "the restarted load balancer keeps the address" "$FE" "$(ingress)"
t_ok "and its rule" t_wait 10 fe_rule

# --- the load balancer's warnings, as Events ----------------------------------------
sed 's|^  name: node-service$|&\n  annotations:\n    service.beta.kubernetes.io/azure-load-balancer-health-probe-interval: "3"|' \
	"$T_TMP/app.yaml" >"$T_TMP/bad.yaml"
t_ok "apply a refused annotation" "$C" --lab "$lab" apply -f "$T_TMP/bad.yaml"
failed() { kubectl get events --field-selector reason=SyncLoadBalancerFailed,involvedObject.name=node-service \
	-o jsonpath='{.items[*].source.component}' 2>/dev/null | grep -q clientip-lb; }
t_ok "kubectl get events: SyncLoadBalancerFailed from clientip-lb" t_wait 15 failed
t_match "kubectl describe svc shows it" \
	'Warning +SyncLoadBalancerFailed +[0-9a-z]+ +clientip-lb +Error syncing load balancer: .*interval is 5, got 3' \
	"$(kubectl describe svc node-service)"
t_match "clientip describe svc too" \
	'Warning +SyncLoadBalancerFailed +[0-9a-z]+ +clientip-lb +Error syncing load balancer' \
	"$("$C" --lab "$lab" describe svc node-service)"

t_done
