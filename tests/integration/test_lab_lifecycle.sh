#!/usr/bin/env bash
# lab up / status / list / down, lab.json, daemons, exec and curl plumbing.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
lab=$(t_unique)
statedir=${CLIENTIP_RUN_DIR:-/run/clientip}/$lab

lab_namespaces() { ls /run/netns 2>/dev/null | grep "^cip-$lab-" | sort | xargs; }

# --- before: nothing ---------------------------------------------------------
t_not "status of a lab that does not exist fails" "$C" --lab "$lab" lab status
t_match "status says it does not exist" "does not exist" "$(cat "$T_TMP/out")"
t_ok "down of a lab that does not exist succeeds" "$C" --lab "$lab" lab down
t_not "exec in a lab that does not exist fails" "$C" --lab "$lab" exec node0 -- true
t_match "exec says the lab does not exist" "lab $lab does not exist" "$(cat "$T_TMP/out")"

# --- bad arguments change nothing ----------------------------------------------
for args in "--nodes 0" "--nodes 33" "--clients 0" "--nodes x" "--probe-interval 0" "--bogus" "--nodes"; do
	# shellcheck disable=SC2086
	"$C" --lab "$lab" lab up $args >"$T_TMP/out" 2>&1
	t_eq "lab up $args is a usage error" 2 $?
done
t_eq "no namespace after refused lab up" "" "$(lab_namespaces)"
t_not "no state dir after refused lab up" test -e "$statedir"

# --- up ---------------------------------------------------------------------------
t_ok "lab up --nodes 2 --clients 2 --probe-interval 3" \
	"$C" --lab "$lab" lab up --nodes 2 --clients 2 --probe-interval 3
t_defer "$C --lab $lab lab down"
t_eq "one namespace per role" \
	"cip-$lab-client0 cip-$lab-client1 cip-$lab-control cip-$lab-edge cip-$lab-node0 cip-$lab-node1" \
	"$(lab_namespaces)"
t_eq "ip netns sees them" 6 "$(ip netns list | grep -c "^cip-$lab-")"
t_ok "state dir has logs/" test -d "$statedir/logs"
t_ok "state dir has run/" test -d "$statedir/run"
t_ok "lab.json is valid and as asked" python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == sys.argv[2], d
assert d["nodes"] == 2 and d["clients"] == 2 and d["probeIntervalSeconds"] == 3, d
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d["createdAt"]), d
' "$statedir/lab.json" "$lab"

t_not "lab up twice fails" "$C" --lab "$lab" lab up
t_match "and says why" "lab $lab already exists" "$(cat "$T_TMP/out")"
t_eq "the first lab is untouched" 6 "$(ip netns list | grep -c "^cip-$lab-")"
t_ok "lab.json survives" test -s "$statedir/lab.json"

# --- status and list -----------------------------------------------------------
status=$("$C" --lab "$lab" lab status 2>&1)
t_eq "status exits 0" 0 $?
t_match "status names the lab" "^Lab: +$lab$" "$status"
t_match "status shows node0" "node0 +10\.240\.0\.4 +10\.244\.0\.0/24" "$status"
t_match "status shows node1" "node1 +10\.240\.0\.5 +10\.244\.1\.0/24" "$status"
t_match "status shows client1" "client1 +198\.51\.100\.11" "$status"
t_match "status shows the probe interval" "Probe interval: +3s" "$status"
t_match "status: the API server answers on its socket" \
	"API server: +http://127\.0\.0\.1:$(cat "$statedir/apiserver.port" 2>/dev/null) \(ready\)" "$status"
t_match "lab list shows the lab" "^$lab +2 +2 " "$("$C" lab list)"

# Daemons that exist are started in their namespace; the others are noted.
for d in controller:control:clientip-controller agent-node0:node0:clientip-agent \
	 agent-node1:node1:clientip-agent gateway:edge:clientip-gateway lb:edge:clientip-lb; do
	IFS=: read -r name role prog <<<"$d"
	if [ ! -x "$T_BUILD/$prog" ]; then
		t_match "$name: not started (not built)" "$name +- +not started" "$status"
		continue
	fi
	t_ok "$name: pid file" test -s "$statedir/run/$name.pid"
	t_ok "$name: log file" test -e "$statedir/logs/$name.log"
	t_match "$name: status shows it" "$name +[0-9]+ +(running|dead)" "$status"
	pid=$(cat "$statedir/run/$name.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		t_eq "$name runs in cip-$lab-$role" "$(stat -L -c %i "/run/netns/cip-$lab-$role")" \
			"$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null)"
		t_eq "$name: stdin is /dev/null" /dev/null "$(readlink "/proc/$pid/fd/0")"
		t_eq "$name: own session" "$pid" "$(ps -o sid= -p "$pid" | tr -d ' ')"
	fi
done

# --- exec and curl -----------------------------------------------------------------
t_eq "exec runs inside the host" "1" "$("$C" --lab "$lab" exec node1 -- cat /proc/sys/net/ipv4/ip_forward)"
t_eq "exec without -- works too" "0" "$("$C" --lab "$lab" exec client0 cat /proc/sys/net/ipv4/ip_forward)"
"$C" --lab "$lab" exec node0 -- sh -c 'exit 7'
t_eq "exec passes the exit status" 7 $?
t_eq "exec passes stdin" "hello" "$(echo hello | "$C" --lab "$lab" exec edge -- cat)"
t_match "exec sees the host's own /sys" "cbr0" "$("$C" --lab "$lab" exec node0 -- ls /sys/class/net)"
"$C" --lab "$lab" exec node0 -- no-such-command-here >"$T_TMP/out" 2>&1
t_eq "exec of a missing command exits 127" 127 $?
t_not "exec on an unknown host fails" "$C" --lab "$lab" exec nodeX -- true
t_match "and names the pod namespace it looked for" "cip-$lab-pod-default-nodeX" "$(cat "$T_TMP/out")"
t_not "exec on a node beyond the lab fails" "$C" --lab "$lab" exec node5 -- true
t_not "exec on a pod of another namespace fails" "$C" --lab "$lab" -n kube-system exec web -- true
t_match "-n picks the pod namespace" "cip-$lab-pod-kube-system-web" "$(cat "$T_TMP/out")"
"$C" --lab "$lab" exec node0 >"$T_TMP/out" 2>&1
t_eq "exec without a command is a usage error" 2 $?
"$C" --lab "$lab" curl --from node0 http://198.51.100.1/ >"$T_TMP/out" 2>&1
t_eq "curl --from a non-client is a usage error" 2 $?
"$C" --lab "$lab" curl >"$T_TMP/out" 2>&1
t_eq "curl without a URL is a usage error" 2 $?
"$C" --lab "$lab" curl --from client1 http://198.51.100.1:9/ >"$T_TMP/out" 2>&1
t_eq "curl runs curl in the client (connection refused is curl's 7)" 7 $?

# --- down ---------------------------------------------------------------------------
pids=$(cat "$statedir"/run/*.pid 2>/dev/null | xargs)
t_ok "lab down" "$C" --lab "$lab" lab down
t_eq "no namespace left" "" "$(lab_namespaces)"
t_not "no state dir left" test -e "$statedir"
alive=""
for pid in $pids; do
	# Daemons are reparented once lab up exits: gone, or a zombie until reaped.
	if [ -e "/proc/$pid" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$pid/stat" 2>/dev/null; then
		alive="$alive $pid"
	fi
done
t_eq "no daemon left" "" "$alive"
t_ok "lab down again succeeds" "$C" --lab "$lab" lab down
t_match "and says there is nothing to do" "does not exist" "$(cat "$T_TMP/out")"
t_not "status after down fails" "$C" --lab "$lab" lab status
t_not "lab list no longer shows it" grep -q "^$lab " <("$C" lab list)

t_done
