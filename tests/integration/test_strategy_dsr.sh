#!/usr/bin/env bash
# The dsr strategy: the scenario's Service, externalTrafficPolicy Cluster,
# annotated clientip.io/forwarding-mode: dsr, one replica on two nodes.
# Both nodes stay in the load balancer's pool (100 %), and the app sees the
# client's own address whichever node a flow reached: the node without the
# pod wraps its flows in IPIP to the pod's node, which unwraps them and
# answers the client directly. Large requests fit the tunnel. The tc program
# keeps forwarding while its agent is down, and a restarted agent replaces
# it. Without the annotation the same Service SNATs.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"
command -v jq >/dev/null || t_skip_all "needs jq"

t_ok "lab up --nodes 2 --probe-interval 1" "$C" --lab "$lab" lab up --nodes 2 --probe-interval 1
t_defer "$C --lab $lab lab down"
t_scenario_manifest Cluster 1 >"$T_TMP/cluster.yaml"
sed "s|^  name: node-service\$|  name: node-service\n  annotations:\n    clientip.io/forwarding-mode: dsr|" \
	"$T_TMP/cluster.yaml" >"$T_TMP/dsr.yaml"
pool_is() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: $1 %"; }

t_ok "apply the scenario with forwarding-mode dsr" "$C" --lab "$lab" apply -f "$T_TMP/dsr.yaml"
t_ok "pod Ready" t_wait 30 "$C" --lab "$lab" wait --for=condition=Ready pod -l app=node --timeout 1s
t_ok "every node in the pool" t_wait 30 pool_is 100
FE=$("$C" --lab "$lab" get svc node-service -o json | jq -r '.status.loadBalancer.ingress[0].ip')
POD_NODE=$("$C" --lab "$lab" get pods -l app=node -o json | jq -r '.items[0].spec.nodeName')
case $POD_NODE in node0) EMPTY=node1 ;; *) EMPTY=node0 ;; esac
# The flows the pod's node unwrapped: their conntrack entries carry the
# mark the tc program gave their packets.
tunnelled() { ip netns exec "cip-$lab-$POD_NODE" conntrack -L -m 0x10000/0x10000 2>/dev/null | grep -c "dport=80 "; }
tx0=$(tunnelled)

"$C" --lab "$lab" load "http://$FE/" --duration 5s --rate 20 --timeout 2s --keepalive 4 \
	-o json >"$T_TMP/dsr.json"
t_eq "every new connection answered" "$(jq .new.sent "$T_TMP/dsr.json")" "$(jq .new.answered "$T_TMP/dsr.json")"
t_eq "no keep-alive connection dropped" 0 "$(jq .keepalive.dropped "$T_TMP/dsr.json")"
t_eq "the app saw the client's address only" '["::ffff:198.51.100.10"]' \
	"$(jq -c '.answers | keys' "$T_TMP/dsr.json")"
t_ok "the node without the pod sent flows through the tunnel" test "$(tunnelled)" -gt "$tx0"
t_ok "the program is attached at $EMPTY's eth0 ingress" \
	sh -c "tc -n cip-$lab-$EMPTY filter show dev eth0 ingress | grep -q dsr_ingress"

# A request body in full-size segments: the client's segments must fit in
# the tunnel's 20 bytes less, which the pod's SYN-ACK announces. Eight
# connections from ports the kernel picks: half take the tunnel.
head -c 200000 /dev/zero | tr '\0' x >"$T_TMP/body"
large_ok=0 tx_large=$(tunnelled)
for i in 1 2 3 4 5 6 7 8; do
	code=$(ip netns exec "cip-$lab-client0" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		--data-binary @"$T_TMP/body" "http://$FE/") && [ "$code" = 200 ] && large_ok=$((large_ok + 1))
done
t_eq "every large request answered" 8 "$large_ok"
t_ok "some of them through the tunnel" test "$(tunnelled)" -gt "$tx_large"

# A failed read would list no entry either: check the read first.
flows=$(ip netns exec "cip-$lab-$EMPTY" conntrack -L -d "$FE" 2>"$T_TMP/conntrack.err")
t_eq "the node's conntrack table reads" 0 $?
t_match "conntrack says what it listed" "flow entries have been shown" "$(cat "$T_TMP/conntrack.err")"
t_eq "and kept none of those flows in its conntrack table" "" "$flows"

# clientip explain follows a flow the load balancer sent to the node
# without the pod through the tunnel (the pick depends on the source
# port: a few tries find one).
explains_dsr() {
	"$C" --lab "$lab" explain node-service >"$T_TMP/explain" 2>&1 &&
		grep -q "forwarding-mode dsr: the hash of the client's address and port picked an endpoint on $POD_NODE" "$T_TMP/explain"
}
t_ok "explain: a flow forwarded through the tunnel" t_wait 30 explains_dsr
t_match "explain: kept, and why" "Kept: forwarding-mode dsr" "$(cat "$T_TMP/explain")"

# The node without the pod loses its agent (SIGKILL). The program stays
# attached and forwards meanwhile; the lab restarts the agent, whose
# program (a new one, with its own map) takes over.
SD=$("$C" --lab "$lab" lab status | sed -n 's/^State: *//p')
agent_pid() { cat "$SD/run/agent-$EMPTY.pid" 2>/dev/null; }
prog_id() { tc -n "cip-$lab-$EMPTY" -j filter show dev eth0 ingress | jq -r '[.[] | .options.prog.id // empty][0]'; }
old_pid=$(agent_pid) old_prog=$(prog_id)
t_ok "a program id to compare" test -n "$old_prog"
t_ok "lab kill agent-$EMPTY" "$C" --lab "$lab" lab kill "agent-$EMPTY"
restarted() { local p; p=$(agent_pid); [ -n "$p" ] && [ "$p" != "$old_pid" ] && kill -0 "$p"; }
t_ok "agent-$EMPTY restarted" t_wait 10 restarted
proxy_healthy() { # the restarted proxy has synced its rules
	[ "$(ip netns exec "cip-$lab-$EMPTY" curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
		http://127.0.0.1:10256/healthz)" == 200 ]
}
t_ok "its proxy is healthy again" t_wait 20 proxy_healthy
new_prog() { local p; p=$(prog_id); [ -n "$p" ] && [ "$p" != "$old_prog" ]; }
t_ok "its program replaced the earlier one" t_wait 10 new_prog
t_eq "one program on the hook" 1 \
	"$(tc -n "cip-$lab-$EMPTY" -j filter show dev eth0 ingress | jq '[.[] | select(.options.prog.id)] | length')"
tx1=$(tunnelled)
"$C" --lab "$lab" load "http://$FE/" --duration 5s --rate 20 --timeout 2s -o json >"$T_TMP/restart.json"
t_eq "after the restart every new connection answered" "$(jq .new.sent "$T_TMP/restart.json")" \
	"$(jq .new.answered "$T_TMP/restart.json")"
t_eq "still the client's address only" '["::ffff:198.51.100.10"]' \
	"$(jq -c '.answers | keys' "$T_TMP/restart.json")"
t_ok "still through the tunnel" test "$(tunnelled)" -gt "$tx1"

# The same Service without the annotation: Cluster's SNAT.
t_ok "apply it without the annotation" "$C" --lab "$lab" apply -f "$T_TMP/cluster.yaml"
snat_seen() {
	"$C" --lab "$lab" load "http://$FE/" --duration 2s --rate 20 --timeout 2s -o json \
		>"$T_TMP/snat.json"
	jq -e '.answers | keys | any(startswith("::ffff:10.244."))' "$T_TMP/snat.json" >/dev/null
}
t_ok "the app sees node addresses again" t_wait 30 snat_seen
detached() { ! tc -n "cip-$lab-$EMPTY" filter show dev eth0 ingress | grep -q dsr_ingress; }
t_ok "no DSR Service, no program on the hook" t_wait 10 detached

t_done
