#!/usr/bin/env bash
# The load balancer's TCP idle timeout, as Azure Load Balancer applies it:
# an established flow idle longer than the timeout is forgotten at the
# edge, and with TCP reset (the default) the next packet of either end is
# answered with an RST; with azure-load-balancer-disable-tcp-reset it is
# dropped and the client waits. The lab reads the timeout's minutes as
# seconds here (lab up --idle-timeout-unit seconds). A value outside 4..100
# refuses the Service, as AKS does.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"
command -v conntrack >/dev/null || t_skip_all "needs conntrack"

t_ok "lab up --idle-timeout-unit seconds" "$C" --lab "$lab" lab up --nodes 2 --probe-interval 1 \
	--idle-timeout-unit seconds
t_defer "$C --lab $lab lab down"
t_match "lab status says so" "Idle timeouts: +in seconds" "$("$C" --lab "$lab" lab status)"

manifest() { # IDLE [DISABLE-RESET]
	t_scenario_manifest Cluster | sed "s|^  name: node-service\$|&\n  annotations:\n    service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout: \"$1\"${2:+\n    service.beta.kubernetes.io/azure-load-balancer-disable-tcp-reset: \"$2\"}|"
}
pool_full() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: 100 %"; }
frontend() { "$C" --lab "$lab" get svc node-service -o json 2>/dev/null | sed -n 's/.*"ip": "\(203\.0\.113\.[0-9]*\)".*/\1/p' | head -1; }

# One keep-alive connection from client0: a request, then another once
# $T_TMP/go exists; prints the local port first, then the second outcome.
CLIENT='
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], 80), timeout=2)
req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
s.sendall(req); s.recv(4096)
print(s.getsockname()[1], flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
try:
    s.sendall(req)
    data = s.recv(4096)
    print("answered" if data else "closed", flush=True)
except ConnectionResetError:
    print("reset", flush=True)
except socket.timeout:
    print("timeout", flush=True)
'
edge_has() { ip netns exec "cip-$lab-edge" conntrack -L -p tcp --sport "$1" 2>/dev/null | grep -q .; }
# idle_then_ask NAME: the outcome of a request after the edge forgot the flow.
idle_then_ask() {
	local out=$T_TMP/$1.out go=$T_TMP/$1.go port
	"$C" --lab "$lab" exec client0 -- python3 -c "$CLIENT" "$FE" "$go" >"$out" 2>&1 &
	local pid=$!
	t_wait 10 test -s "$out" || { echo "no first answer"; kill "$pid"; return; }
	port=$(head -1 "$out")
	t_wait 5 edge_has "$port" || { echo "no edge entry"; touch "$go"; wait "$pid"; return; }
	# The timeout, not a sleep: the edge's own entry going away.
	t_wait 30 sh -c "! ip netns exec cip-$lab-edge conntrack -L -p tcp --sport $port 2>/dev/null | grep -q ." ||
		{ echo "edge entry never expired"; touch "$go"; wait "$pid"; return; }
	touch "$go"
	wait "$pid"
	tail -1 "$out"
}

manifest 4 >"$T_TMP/reset.yaml"
t_ok "apply with a 4-minute idle timeout (4 s here)" "$C" --lab "$lab" apply -f "$T_TMP/reset.yaml"
t_ok "pod Ready" t_wait 30 "$C" --lab "$lab" wait --for=condition=Ready pod -l app=node --timeout 1s
t_ok "pool at 100 %" t_wait 30 pool_full
FE=$(frontend)
t_eq "idle past the timeout, with TCP reset: the next request gets an RST" reset "$(idle_then_ask reset)"

manifest 4 true >"$T_TMP/quiet.yaml"
t_ok "apply with TCP reset disabled" "$C" --lab "$lab" apply -f "$T_TMP/quiet.yaml"
quiet_rule() { "$C" --lab "$lab" exec edge -- nft list set ip azure-lb idle_quiet 2>/dev/null | grep -q "$FE . 80"; }
t_ok "the load balancer has it" t_wait 10 quiet_rule
t_eq "idle past the timeout, without reset: the request goes unanswered" timeout "$(idle_then_ask quiet)"

manifest 3 >"$T_TMP/bad.yaml"
t_ok "apply a 3-minute idle timeout" "$C" --lab "$lab" apply -f "$T_TMP/bad.yaml"
refused() { "$C" --lab "$lab" describe svc node-service 2>/dev/null | grep -q "SyncLoadBalancerFailed.*azure-load-balancer-tcp-idle-timeout"; }
t_ok "refused with SyncLoadBalancerFailed, as AKS refuses it" t_wait 10 refused
t_ok "the rules stay as they were" quiet_rule

t_done
