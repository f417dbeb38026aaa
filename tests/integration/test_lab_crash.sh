#!/usr/bin/env bash
# lab down after crashes: SIGKILLed daemons, stray processes (one ignoring
# SIGTERM), a pod namespace, a lab up killed mid-way, half-created
# namespaces and a state dir without lab.json. Each time: no namespace,
# process or state file of the lab is left, and a lab whose name extends
# this one's is not touched.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
root=${CLIENTIP_RUN_DIR:-/run/clientip}

ours() { ls /run/netns 2>/dev/null | grep "^cip-$1-" | xargs; }
# Gone, or a zombie waiting for its parent to reap it.
gone() { [ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }
all_gone() { local p; for p in "$@"; do gone "$p" || return 1; done; }
same_ns() { [ "$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null)" = "$(stat -L -c %i "/run/netns/$2")" ]; }

# --- 1. daemons SIGKILLed, strays, a pod ---------------------------------------
lab=$(t_unique)
t_ok "lab up" "$C" --lab "$lab" lab up --nodes 2
t_defer "$C --lab $lab lab down"
other=${lab}9
t_ok "a neighbour lab named $other" ip netns add "cip-$other-edge"
t_defer "ip netns delete cip-$other-edge"

daemon_pids=$(cat "$root/$lab"/run/*.pid 2>/dev/null | xargs)
for p in $daemon_pids; do kill -9 "$p" 2>/dev/null; done
t_ok "SIGKILLed daemons are gone" t_wait 5 all_gone $daemon_pids
"$C" --lab "$lab" exec node0 -- sleep 600 &
stray1=$!
"$C" --lab "$lab" exec client0 -- bash -c 'trap "" TERM; exec sleep 600' &
stray2=$!
t_ok "a pod namespace" ip netns add "cip-$lab-pod-default-web-1"
ip netns exec "cip-$lab-pod-default-web-1" sleep 600 &
pod=$!
t_ok "a stray runs in node0" t_wait 5 same_ns "$stray1" "cip-$lab-node0"
t_ok "a stray ignoring SIGTERM runs in client0" t_wait 5 same_ns "$stray2" "cip-$lab-client0"
t_ok "the pod process runs in its namespace" t_wait 5 same_ns "$pod" "cip-$lab-pod-default-web-1"

t_ok "lab down" "$C" --lab "$lab" lab down
t_eq "no namespace left (pod's included)" "" "$(ours "$lab")"
t_not "no state dir left" test -e "$root/$lab"
t_ok "strays killed (one needed SIGKILL)" all_gone "$stray1" "$stray2" "$pod"
t_eq "the neighbour lab's namespace is untouched" "cip-$other-edge" "$(ours "$other")"
wait 2>/dev/null

# --- 2. lab up SIGKILLed mid-way ---------------------------------------------------
lab=$(t_unique)
t_defer "$C --lab $lab lab down"
"$C" --lab "$lab" lab up --nodes 32 --clients 32 >/dev/null 2>&1 &
up=$!
# Kill it as soon as it has built something (no sleep: watch for the name).
until [ -e "/run/netns/cip-$lab-node2" ] || ! kill -0 "$up" 2>/dev/null; do :; done
kill -9 "$up" 2>/dev/null
wait "$up" 2>/dev/null
if [ -e "/run/netns/cip-$lab-client31" ]; then
	echo "# note: lab up had finished before SIGKILL"
else
	echo "# lab up was killed with $(ours "$lab" | wc -w) namespaces built"
fi
t_not "status of the broken lab fails" "$C" --lab "$lab" lab status
t_not "lab up over the remains fails" "$C" --lab "$lab" lab up
t_match "and says the lab exists" "already exists" "$(cat "$T_TMP/out")"
t_ok "lab down cleans up" "$C" --lab "$lab" lab down
t_eq "no namespace left" "" "$(ours "$lab")"
t_not "no state dir left" test -e "$root/$lab"
t_ok "lab up works again afterwards" "$C" --lab "$lab" lab up --nodes 1
t_ok "and down" "$C" --lab "$lab" lab down

# --- 3. half-made pieces --------------------------------------------------------------
lab=$(t_unique)
t_defer "$C --lab $lab lab down"
mkdir -p /run/netns "$root/$lab/logs"
: >"/run/netns/cip-$lab-node0"        # name without a namespace mounted on it
t_ok "a namespace with no state dir entry" ip netns add "cip-$lab-edge"
t_not "status of a lab without lab.json fails" "$C" --lab "$lab" lab status
t_match "and calls it incomplete" "incomplete" "$(cat "$T_TMP/out")"
t_match "lab list shows it as incomplete" "^$lab .*\(incomplete\)" "$("$C" lab list)"
t_ok "lab down" "$C" --lab "$lab" lab down
t_eq "no namespace left" "" "$(ours "$lab")"
t_not "no state dir left" test -e "$root/$lab"
t_ok "a namespace alone (no state dir)" ip netns add "cip-$lab-client3"
t_not "counts as an existing lab for lab up" "$C" --lab "$lab" lab up
t_ok "lab down removes it" "$C" --lab "$lab" lab down
t_eq "nothing left" "" "$(ours "$lab")"
t_eq "the neighbour lab's namespace is still untouched" "cip-$other-edge" "$(ours "$other")"

# --- 4. lab up failing half-way undoes itself -----------------------------------------
# A bin dir whose load balancer (started last) cannot be exec'd: the
# topology and the agents are up by then and must all go.
lab=$(t_unique)
t_defer "$C --lab $lab lab down"
mkdir -p "$T_TMP/bin"
cp "$C" "$T_TMP/bin/clientip"
[ -x "$T_BUILD/clientip-agent" ] && cp "$T_BUILD/clientip-agent" "$T_TMP/bin/"
printf 'not a program\n' >"$T_TMP/bin/clientip-lb"
chmod +x "$T_TMP/bin/clientip-lb"
t_not "lab up with a broken daemon fails" "$T_TMP/bin/clientip" --lab "$lab" lab up
t_match "and names the daemon and the reason" "lb: start .*clientip-lb.*Exec format error" "$(cat "$T_TMP/out")"
t_match "and says it removed what it built" "removed what had been built" "$(cat "$T_TMP/out")"
t_eq "no namespace left" "" "$(ours "$lab")"
t_not "no state dir left" test -e "$root/$lab"
agents=$(sed -n 's/.*agent-node[0-9]* *pid \([0-9]*\).*/\1/p' "$T_TMP/out" | xargs)
t_ok "the agents it had started are gone" all_gone $agents

t_done
