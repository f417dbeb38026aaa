#!/usr/bin/env bash
# Pods end the way Kubernetes ends them, and no connection is lost while
# they do. The scenario's app under externalTrafficPolicy Local, 2 replicas
# on 2 nodes, with a preStop `sleep`; a client in the lab opens a new
# connection to the frontend every 50 ms (each with a 2 s timeout) while one
# pod is deleted by a scale-down. The pod is Terminating at once (its node's
# health check node port answers 503, the load balancer takes the node
# out), it keeps serving during the hook, SIGTERM comes only when the hook
# is over, and the client sees not one failed connection. Then the order and
# timings of termination with a hook that fails, httpGet hooks (answered,
# refused) and one that outlives the grace period.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
SLEEP=5

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"
command -v python3 >/dev/null || t_skip_all "needs python3"

# The scenario with a preStop hook: $1 is the hook (YAML flow mapping),
# $2 the grace period, $3 the replicas.
manifest() {
	t_scenario_manifest Local "$3" | sed \
		-e "s/^      containers:\$/      terminationGracePeriodSeconds: $2\n      containers:/" \
		-e "s|^        - containerPort: 8080\$|        - containerPort: 8080\n        lifecycle:\n          preStop: $1|"
}
statedir() { "$C" --lab "$lab" lab status | sed -n 's/^State: *//p'; }
frontend() { t_frontend "$SD" node-service; }
has_frontend() { [ -n "$(frontend)" ]; }
pool_is() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: $1 %"; }
state_of() { "$C" --lab "$lab" probes node-service 2>/dev/null | awk -v n="$1" '$1 == n {print $5}'; }
probe_of() { "$C" --lab "$lab" probes node-service 2>/dev/null | awk -v n="$1" '$1 == n'; }
pods_ready() { [ "$("$C" --lab "$lab" get pods -l app=node 2>/dev/null | grep -c ' 1/1 .*Running')" == "$1" ]; }
pod_count() { [ "$("$C" --lab "$lab" get pods -l app=node --no-headers 2>/dev/null | grep -c .)" == "$1" ]; }
one_pod_ready() { pod_count 1 && pods_ready 1; }
node_of() { "$C" --lab "$lab" get pod "$1" -o wide --no-headers | awk '{print $7}'; }
terminating_pod() { "$C" --lab "$lab" get pods -l app=node --no-headers 2>/dev/null | awk '$3 == "Terminating" {print $1}'; }
has_terminating() { [ -n "$(terminating_pod)" ]; }
agent_log() { cat "$SD/logs/agent-$1.log" 2>/dev/null; }
logged() { agent_log "$1" | grep -q -- "$2"; }

t_ok "lab up --nodes 2 --probe-interval 1" "$C" --lab "$lab" lab up --nodes 2 --clients 1 \
	--probe-interval 1
t_defer "$C --lab $lab lab down"
SD=$(statedir)

manifest "{sleep: {seconds: $SLEEP}}" 30 2 >"$T_TMP/deploy.yaml"
t_ok "apply the scenario (Local, 2 replicas, preStop sleep ${SLEEP}s)" \
	"$C" --lab "$lab" apply -f "$T_TMP/deploy.yaml"
t_ok "both pods ready" t_wait 60 pods_ready 2
t_ok "the Service gets a frontend" t_wait 10 has_frontend
FE=$(frontend)
nodes=$("$C" --lab "$lab" get pods -l app=node -o wide --no-headers | awk '{print $7}' | sort -u | wc -l)
t_eq "one pod on each node" 2 "$nodes"
t_ok "both nodes in the pool (100 %)" t_wait 20 pool_is 100
t_match "the hook is in the pods as the agent reads them" '"lifecycle":\{"preStop":\{"sleep":\{"seconds":'"$SLEEP"'\}\}\}' \
	"$(t_api "$SD" '/api/v1/namespaces/default/pods?labelSelector=app%3Dnode' | jq -c '.items[0].spec.containers[0]')"

# --- the drain, seen from a client ---------------------------------------------------
# A new connection every 50 ms, each in its own thread so a slow one does
# not hold the next back; a connection fails unless it gets the app's
# answer (HTTP 200) within 2 s. Runs until $CD/stop appears.
CD=$T_TMP/client
mkdir -p "$CD"
CLIENT_PY='
import socket, sys, threading, time, os
fe, d = sys.argv[1], sys.argv[2]
lock = threading.Lock()
ok, failed, errors = 0, 0, []
def one(t0):
    global ok, failed
    try:
        s = socket.create_connection((fe, 80), timeout=2)
        s.settimeout(max(0.05, 2 - (time.time() - t0)))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
        s.close()
        if not data.startswith(b"HTTP/1.1 200"):
            raise Exception("answer %r" % data[:40])
        with lock:
            ok += 1
    except Exception as e:
        with lock:
            failed += 1
            errors.append("%.3f %s" % (t0, e))
threads = []
while not os.path.exists(d + "/stop"):
    t = threading.Thread(target=one, args=(time.time(),))
    t.start()
    threads.append(t)
    if len(threads) == 1:
        open(d + "/started", "w").close()
    time.sleep(0.05)
for t in threads:
    t.join()
open(d + "/result.tmp", "w").write("ok %d\nfailed %d\n%s\n" % (ok, failed, "\n".join(errors)))
os.rename(d + "/result.tmp", d + "/result")
'
"$C" --lab "$lab" exec client0 -- python3 -c "$CLIENT_PY" "$FE" "$CD" >"$T_TMP/client.out" 2>&1 &
client=$!
t_defer "touch $CD/stop; kill $client"
t_ok "the client is sending" t_wait 10 test -f "$CD/started"
sleep 1 # a second of traffic before the deletion, as a baseline

t0=$(date +%s%N)
t_ok "scale the Deployment to 1 replica" "$C" --lab "$lab" scale deployment node-deployment --replicas 1
t_ok "one pod is Terminating" t_wait 10 has_terminating
victim=$(terminating_pod)
vnode=$(node_of "$victim")
t_match "its node is known" "^node[01]$" "$vnode"
t_ok "the victim's node's health check answers 503" t_wait 5 sh -c \
	"'$C' --lab '$lab' probes node-service 2>/dev/null | awk '\$1 == \"$vnode\"' | grep -q 503"
t_ok "the load balancer takes $vnode out (50 %)" t_wait 10 pool_is 50
t_ok "taken out while the preStop hook still runs (no SIGTERM yet)" \
	sh -c "! grep -q 'pod default/$victim: SIGTERM' '$SD/logs/agent-$vnode.log'"
t_ok "the hook ends, then SIGTERM" t_wait $((SLEEP + 5)) logged "$vnode" "pod default/$victim: SIGTERM"
t_ok "the pod is gone" t_wait 40 pod_count 1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t_ok "and not before the hook's ${SLEEP}s" test "$ms" -ge $((SLEEP * 1000))
sleep 1 # a second of traffic after it, to the remaining pod
touch "$CD/stop"
t_ok "the client reports" t_wait 10 test -f "$CD/result"
wait "$client" 2>/dev/null
ok=$(sed -n 's/^ok //p' "$CD/result")
failed=$(sed -n 's/^failed //p' "$CD/result")
t_ok "connections were made throughout (${ok:-0})" test "${ok:-0}" -ge 100
t_eq "not one connection failed or timed out" 0 "${failed:-x}"
[ "${failed:-0}" != 0 ] && sed -n '3,20p' "$CD/result"

log=$(agent_log "$vnode" | grep "pod default/$victim:")
t_match "order: hook, its end, SIGTERM, exit" \
	"stopping: preStop hook, grace period 30s
.*preStop hook done after ${SLEEP}(\.[0-9]+)?s
.*SIGTERM to [0-9]+, SIGKILL in 2[0-9](\.[0-9])?s" "$log"
t_match "the app drained and exited on SIGTERM, well before SIGKILL" "process [0-9]+ exit code 0" "$log"
t_not "no SIGKILL" grep -q "pod default/$victim: grace period over" "$SD/logs/agent-$vnode.log"

# --- a failing hook, and one that outlives the grace period ---------------------------
manifest "{exec: {command: [sh, -c, 'echo hook ran; exit 3']}}" 30 1 >"$T_TMP/fail.yaml"
t_ok "apply: a preStop exec hook that exits 3" "$C" --lab "$lab" apply -f "$T_TMP/fail.yaml"
t_ok "rolled out" t_wait 60 sh -c "'$C' --lab '$lab' rollout status deployment node-deployment --timeout 1s"
t_ok "one pod left, ready" t_wait 30 one_pod_ready
pod=$("$C" --lab "$lab" get pods -l app=node --no-headers | awk '{print $1}')
pnode=$(node_of "$pod")
t_ok "delete it" "$C" --lab "$lab" scale deployment node-deployment --replicas 0
t_ok "FailedPreStopHook logged" t_wait 10 logged "$pnode" \
	"pod default/$pod: FailedPreStopHook .*command 'sh -c echo hook ran; exit 3' exited with 3"
t_ok "SIGTERM follows anyway" t_wait 5 logged "$pnode" "pod default/$pod: SIGTERM"
t_ok "the hook ran in the pod (its output in the pod's log)" grep -q "hook ran" \
	"$SD/logs/pods/default_$pod.log"
t_ok "the pod is gone" t_wait 30 pod_count 0

# --- httpGet hooks: one the app answers, one to a port nobody listens on -------------
# stop_with_hook HOOK NAME: one replica with that preStop hook, Ready, then
# scaled to 0; pod and pnode name it and its node.
stop_with_hook() {
	manifest "$1" 30 1 >"$T_TMP/$2.yaml"
	"$C" --lab "$lab" apply -f "$T_TMP/$2.yaml" &&
		"$C" --lab "$lab" scale deployment node-deployment --replicas 1 &&
		t_wait 60 one_pod_ready || return 1
	pod=$("$C" --lab "$lab" get pods -l app=node --no-headers | awk '{print $1}')
	pnode=$(node_of "$pod")
	"$C" --lab "$lab" scale deployment node-deployment --replicas 0
}
t_ok "a pod with a preStop httpGet hook to the app, deleted" \
	stop_with_hook "{httpGet: {path: /healthz, port: 8080}}" http
t_ok "the httpGet hook answered, then SIGTERM" t_wait 10 logged "$pnode" \
	"pod default/$pod: preStop hook done after"
t_ok "the pod is gone (http hook)" t_wait 30 pod_count 0
t_ok "a pod with a preStop httpGet hook to a closed port, deleted" \
	stop_with_hook "{httpGet: {path: /, port: 8099}}" http-refused
t_ok "FailedPreStopHook names the address, as the kubelet does" t_wait 10 logged "$pnode" \
	"pod default/$pod: FailedPreStopHook .*dial tcp 10\.244\.[0-9]*\.[0-9]*:8099: connect: Connection refused"
t_ok "SIGTERM follows anyway (refused hook)" t_wait 5 logged "$pnode" "pod default/$pod: SIGTERM"
t_ok "the pod is gone (refused hook)" t_wait 30 pod_count 0

# The hook sleeps 3 s of a 2 s grace period: given up at 2 s, then SIGTERM
# with kubelet's 2 s minimum before SIGKILL. A keep-alive connection held
# open keeps the app draining (up to its 5 s drain timeout), so SIGKILL is
# needed.
manifest "{exec: {command: [sleep, '3']}}" 2 1 >"$T_TMP/slow.yaml"
t_ok "apply: a hook longer than the grace period (2 s)" "$C" --lab "$lab" apply -f "$T_TMP/slow.yaml"
t_ok "scale to 1" "$C" --lab "$lab" scale deployment node-deployment --replicas 1
t_ok "one pod left, ready" t_wait 60 one_pod_ready
t_ok "its node in the pool" t_wait 20 pool_is 50
pod=$("$C" --lab "$lab" get pods -l app=node --no-headers | awk '{print $1}')
pnode=$(node_of "$pod")
"$C" --lab "$lab" exec client0 -- python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 80), timeout=5)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"); s.recv(4096)
open(sys.argv[2], "w").close()
time.sleep(20)' "$FE" "$T_TMP/holding" >/dev/null 2>&1 &
holder=$!
t_defer "kill $holder"
t_ok "a keep-alive connection is open" t_wait 10 test -f "$T_TMP/holding"
t_ok "delete it" "$C" --lab "$lab" scale deployment node-deployment --replicas 0
t_ok "the hook is given up at the deadline" t_wait 10 logged "$pnode" \
	"pod default/$pod: preStop hook not completed in the grace period (2s)"
t_ok "SIGTERM with 2 s left" t_wait 5 logged "$pnode" "pod default/$pod: SIGTERM to [0-9]*, SIGKILL in 2s"
t_ok "then SIGKILL" t_wait 10 logged "$pnode" "pod default/$pod: grace period over: SIGKILL"
t_ok "the pod is gone" t_wait 30 pod_count 0
kill "$holder" 2>/dev/null

t_done
