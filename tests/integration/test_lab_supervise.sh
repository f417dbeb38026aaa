#!/usr/bin/env bash
# The lab's daemons heal: `clientip lab kill` crashes each one with SIGKILL
# while the scenario's Local Service serves, and the supervisor starts it
# again, counted in `lab status`. The agent of the pod's node comes back
# before the load balancer's second probe (the node never leaves the pool);
# the API server comes back on the same port with its objects; a restarted
# load balancer acts on a change made after its restart; a daemon that
# keeps dying is restarted with a growing back-off. lab down stops the
# supervisor first and leaves nothing behind.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"
t_ok "lab up --nodes 2 --probe-interval 1" "$C" --lab "$lab" lab up --nodes 2 --probe-interval 1
t_defer "$C --lab $lab lab down"
SD=$("$C" --lab "$lab" lab status | sed -n 's/^State: *//p')
PORT=$(cat "$SD/apiserver.port")

pid_of() { cat "$SD/run/$1.pid" 2>/dev/null; }
alive_in_lab() { [ -n "$1" ] && [ -e "/proc/$1/ns/net" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }
# restarted NAME OLDPID: a new pid, alive, and lab status says "running".
restarted() {
	local p
	p=$(pid_of "$1")
	[ -n "$p" ] && [ "$p" != "$2" ] && alive_in_lab "$p" &&
		"$C" --lab "$lab" lab status | grep -Eq "^  $1 +$p +running"
}
restarts_of() { "$C" --lab "$lab" lab status | awk -v n="$1" '$1 == n { print $4 }'; }
probe_line() { "$C" --lab "$lab" probes node-service 2>/dev/null | awk -v n="$1" '$1 == n'; }
pool_is() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: $1 %"; }
ask() { "$C" --lab "$lab" exec client0 -- curl -s --max-time 3 "http://$FE/"; }
answers_client() { [ "$(ask)" = "::ffff:198.51.100.10" ]; }

t_ok "the supervisor runs in the control-plane namespace" \
	test "$(stat -L -c %i "/proc/$(pid_of supervisor)/ns/net")" = "$(stat -L -c %i "/run/netns/cip-$lab-control")"
t_match "lab status lists the supervisor" "^  supervisor +[0-9]+ +running" "$("$C" --lab "$lab" lab status)"

t_scenario_manifest Local >"$T_TMP/local.yaml"
t_ok "apply the scenario's Service with Local" "$C" --lab "$lab" apply -f "$T_TMP/local.yaml"
t_ok "pod Ready" t_wait 30 "$C" --lab "$lab" wait --for=condition=Ready pod -l app=node --timeout 1s
t_ok "pool at 50 %" t_wait 30 pool_is 50
FE=$("$C" --lab "$lab" get svc node-service -o json | sed -n 's/.*"ip": "\(203\.0\.113\.[0-9]*\)".*/\1/p' | head -1)
POD_NODE=$("$C" --lab "$lab" get pods -l app=node -o wide --no-headers | awk '{print $7}' | head -1)
t_ok "the client's address reaches the app" t_wait 10 answers_client

# --- the agent of the pod's node ----------------------------------------------
before=$(probe_line "$POD_NODE")
in_row() { probe_line "$POD_NODE" | grep -o ' [0-9]\+ \+[0-9][0-9]:[0-9][0-9]:[0-9][0-9] (' | awk '{print $1}'; }
# Results in a row, sampled until three more than before the kill; a
# failed probe meanwhile starts the count again (then three from there).
seen=$(in_row); target=$((seen + 3))
counted_on() {
	local n
	n=$(in_row)
	[ -n "$n" ] || return 1
	[ "$n" -lt "$seen" ] && target=3
	seen=$n
	[ "$n" -ge "$target" ]
}
old=$(pid_of "agent-$POD_NODE")
t_match "lab kill says what it sent" "sent SIGKILL to agent-$POD_NODE \(pid $old\)" \
	"$("$C" --lab "$lab" lab kill "agent-$POD_NODE" 2>&1)"
t_ok "agent-$POD_NODE restarted" t_wait 5 restarted "agent-$POD_NODE" "$old"
t_eq "its restart counted" 1 "$(restarts_of "agent-$POD_NODE")"
t_match "and how it ended" "agent-$POD_NODE .* killed by SIGKILL, [0-9]+s ago" "$("$C" --lab "$lab" lab status)"
t_ok "the app answers the client again" t_wait 10 answers_client
# A probe may fail once while the agent starts (the threshold is 2, as on
# Azure); the node must not leave the pool.
t_ok "probes of $POD_NODE go on" t_wait 15 counted_on
change() { printf '%s\n' "$1" | grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9] (' ; }
after=$(probe_line "$POD_NODE")
t_match "$POD_NODE stayed Up" " Up " "$after"
t_eq "$POD_NODE's last state change is the one from before the kill" "$(change "$before")" "$(change "$after")"
t_ok "pool still at 50 %" pool_is 50

# --- the API server -----------------------------------------------------------
old=$(pid_of apiserver)
t_ok "lab kill apiserver" "$C" --lab "$lab" lab kill apiserver
t_ok "apiserver restarted" t_wait 5 restarted apiserver "$old"
t_eq "same port as before" "$PORT" "$(cat "$SD/apiserver.port")"
t_ok "it answers on that port" t_wait 10 curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz"
t_eq "with its objects" 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/namespaces/default/services/node-service")"

# --- the load balancer, then a change it must act on --------------------------
old=$(pid_of lb)
t_ok "lab kill lb" "$C" --lab "$lab" lab kill lb
t_ok "lb restarted" t_wait 5 restarted lb "$old"
t_ok "the app answers the client through the restarted load balancer" t_wait 10 answers_client
t_scenario_manifest Local 2 >"$T_TMP/local2.yaml"
t_ok "scale to 2 replicas" "$C" --lab "$lab" apply -f "$T_TMP/local2.yaml"
t_ok "the restarted load balancer takes both nodes: 100 %" t_wait 30 pool_is 100

# --- a daemon that keeps dying ------------------------------------------------
for round in 1 2 3; do
	old=$(pid_of controller)
	"$C" --lab "$lab" lab kill controller >/dev/null
	t_ok "controller restarted ($round)" t_wait 15 restarted controller "$old"
done
t_eq "three restarts counted" 3 "$(restarts_of controller)"
# The first death may come after 10 s of running (restarted at once); the
# next two come quickly, and each waits twice as long as the one before.
delays=$(grep -o 'controller: killed by SIGKILL after [0-9]* ms; restarting in [0-9]* ms' \
	"$SD/logs/supervisor.log" | awk '{print $(NF-1)}' | xargs)
t_match "each quick death waits longer ($delays)" "^[0-9]+ ([1-9][0-9]*) ([1-9][0-9]*)$" "$delays"
set -- $delays
t_eq "twice as long" "$(($2 * 2))" "$3"

# --- bad input ----------------------------------------------------------------
t_match "an unknown daemon is an error" "has no daemon \"nope\"" "$("$C" --lab "$lab" lab kill nope 2>&1)"
t_match "an unknown signal is an error" "unknown signal \"BOGUS\"" "$("$C" --lab "$lab" lab kill lb --signal BOGUS 2>&1)"
t_match "lab supervise is not for direct use" "started by .clientip lab up." "$("$C" --lab "$lab" lab supervise 2>&1)"

# --- lab down -----------------------------------------------------------------
sup=$(pid_of supervisor)
t_ok "lab down" "$C" --lab "$lab" lab down
t_not "the supervisor is gone (or a zombie for init to reap)" alive_in_lab "$sup"
t_eq "no namespace of the lab is left" "" "$(ls /run/netns 2>/dev/null | grep "^cip-$lab-")"

t_done
