#!/usr/bin/env bash
# A daemon never dies of a malformed state file: garbage written into the
# state files a daemon reads (the node agents' pod checkpoints, read by an
# agent that starts again; the load balancer's metric series) is skipped
# and logged, every daemon keeps running, and the scenario's Service keeps
# answering.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
lab=$(t_unique)

t_ok "lab up" "$C" --lab "$lab" lab up --nodes 2 --probe-interval 1
t_defer "$C --lab $lab lab down"
t_ok "apply the scenario" "$C" --lab "$lab" apply -f "$T_ROOT/examples/aks-scenario/deploy.yaml"
state=$("$C" --lab "$lab" lab status | sed -n 's/^State: *//p')
frontend() { "$C" --lab "$lab" get svc node-service -o json | sed -n 's/.*"ip": "\(203\.0\.113\.[0-9]*\)".*/\1/p'; }
answers() { [ -n "$(frontend)" ] && "$C" --lab "$lab" curl "http://$(frontend)/" | grep -q '^::ffff:'; }
t_ok "the Service answers" t_wait 30 answers

# One file of each kind of garbage among the agents' pod checkpoints.
for dir in status/pods; do
	printf '{"kind": "Service", "metadata": {"name": ' >"$state/$dir/default_broken.json"
	printf '\x00\xff\xfe not json at all' >"$state/$dir/default_binary.json"
	printf '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x", "namespace": "default"}, "spec": {"ports": [{"port": 1e30}]}}' \
		>"$state/$dir/default_huge.json"
done
printf '{"series": {"sec": {"start": -9223372036854775808, "step": 4294967297, "len": 1e30}}}' \
	>"$state/lb/default_node-service.json.tmp.garbage"
# Let every daemon see them: a resync happens within 2 s; wait for a
# Lease renewal 2 s after the writes instead of sleeping.
mark=$(date +%s)
fresh_heartbeat() {
	local t
	t=$(t_api "$state" /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node0 |
		jq -r '.spec.renewTime // ""')
	[ -n "$t" ] && [ "$(date -u -d "$t" +%s)" -ge $((mark + 2)) ]
}
t_ok "node0's agent still heartbeats after the garbage" t_wait 30 fresh_heartbeat
# A new agent reads the checkpoints to adopt its pods.
agent=$(cat "$state/run/agent-node0.pid")
t_ok "agent-node0 killed" "$C" --lab "$lab" lab kill agent-node0 --signal KILL
restarted() { [ "$(cat "$state/run/agent-node0.pid")" != "$agent" ]; }
t_ok "the supervisor starts a new one" t_wait 10 restarted
mark=$(date +%s)
t_ok "which heartbeats" t_wait 30 fresh_heartbeat

status=$("$C" --lab "$lab" lab status)
t_match "controller running" "controller +[0-9]+ +running" "$status"
t_match "agent-node0 running" "agent-node0 +[0-9]+ +running" "$status"
t_match "agent-node1 running" "agent-node1 +[0-9]+ +running" "$status"
t_match "lb running" "lb +[0-9]+ +running" "$status"
t_ok "the Service still answers" answers
t_ok "get svc still works" "$C" --lab "$lab" get svc
t_ok "get pods still works" "$C" --lab "$lab" get pods

# The daemons said what they skipped instead of crashing.
t_ok "a skipped file is logged" grep -rq "default_broken.json" "$state/logs"

t_done
