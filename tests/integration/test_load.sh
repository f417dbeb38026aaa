#!/usr/bin/env bash
# `clientip load` from a lab client: every new connection is accounted for
# (answered, or refused, reset, timed out), keep-alive connections too, and
# the exit status says whether anything was lost. Then what it found: a
# pod that gets the address of an earlier pod must be reachable at once.
# The node kept the old pod's MAC in its neighbour table and sent new
# flows into the void for 5-10 s (the neighbour entry's time to fail);
# podnet now announces each pod's address with a gratuitous ARP.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"
command -v jq >/dev/null || t_skip_all "needs jq"

# One node: every pod of the Deployment lands there, so pod addresses are
# reused as soon as a rollout has freed them.
t_ok "lab up --nodes 1" "$C" --lab "$lab" lab up --nodes 1 --probe-interval 1
t_defer "$C --lab $lab lab down"
# With a readiness probe and a preStop sleep, as a well-made app has them
# on AKS: without the probe a new pod is Ready the moment its process
# starts, and without the sleep the old one stops listening on SIGTERM
# while the proxies may still send it a SYN; either race refuses a
# connection (as in Kubernetes) and neither is what this test is about.
t_scenario_manifest Cluster | sed 's/^        - containerPort: 8080$/&\n        readinessProbe:\n          httpGet: {path: \/healthz, port: 8080}\n          periodSeconds: 1\n        lifecycle:\n          preStop:\n            sleep: {seconds: 2}/' >"$T_TMP/app.yaml"
t_ok "apply the scenario's app" "$C" --lab "$lab" apply -f "$T_TMP/app.yaml"
t_ok "pod Ready" t_wait 30 "$C" --lab "$lab" wait --for=condition=Ready pod -l app=node --timeout 1s
frontend() { "$C" --lab "$lab" get svc node-service -o json 2>/dev/null | sed -n 's/.*"ip": "\(203\.0\.113\.[0-9]*\)".*/\1/p' | head -1; }
t_ok "frontend IP" t_wait 30 test -n "$(frontend)"
FE=$(frontend)
pool_full() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: 100 %"; }
t_ok "node in the pool" t_wait 30 pool_full

# --- accounting ---------------------------------------------------------------
out=$("$C" --lab "$lab" load "http://$FE/" --duration 2s --rate 25 --keepalive 3 \
	--keepalive-interval 200ms -o json)
t_eq "a healthy service: exit 0" 0 $?
t_eq "25/s for 2 s: 50 new connections" 50 "$(jq .new.sent <<<"$out")"
t_eq "every one answered" 50 "$(jq .new.answered <<<"$out")"
t_eq "none failed" 0 "$(jq .new.failed <<<"$out")"
t_eq "3 keep-alive connections, none dropped" "3 0" "$(jq -r '"\(.keepalive.opened) \(.keepalive.dropped)"' <<<"$out")"
t_ok "each sent about 10 requests, all answered" \
	jq -e '.keepalive.requests >= 24 and .keepalive.requests == .keepalive.answered' <<<"$out"
t_eq "the answers are the app's: the address it saw (SNAT under Cluster)" "::ffff:10.244.0.1" \
	"$(jq -r '.answers | keys[0]' <<<"$out")"

# A frontend address nobody serves: the SYNs go nowhere, and each
# connection is counted as timed out instead of being waited for.
out=$("$C" --lab "$lab" load http://203.0.113.99/ --duration 1s --rate 10 --timeout 500ms -o json)
t_eq "a blackhole: exit 1" 1 $?
t_eq "10 sent, 10 timed out" "10 10 0" "$(jq -r '"\(.new.sent) \(.new.timedOut) \(.new.answered)"' <<<"$out")"
t_eq "the whole run is one gap" 1000 "$(jq .new.longestGapMs <<<"$out")"
t_eq "failures by second" "[10]" "$(jq -c .new.failedPerSecond <<<"$out")"

# Refused: a closed port on the client's own address (an RST at once).
out=$("$C" --lab "$lab" load http://198.51.100.10:9/ --duration 1s --rate 5 -o json)
t_eq "a closed port: 5 refused" "5 0" "$(jq -r '"\(.new.refused) \(.new.answered)"' <<<"$out")"

# Bad input.
t_match "https is refused with a reason" "only http://" "$("$C" --lab "$lab" load https://$FE/ 2>&1)"
t_match "a host name is refused with a reason" "must be an IP address" "$("$C" --lab "$lab" load http://example.com/ 2>&1)"
t_match "a bad duration" "give a duration" "$("$C" --lab "$lab" load http://$FE/ --duration soon 2>&1)"
t_match "load only from an internet client" "internet client" "$("$C" --lab "$lab" load http://$FE/ --from node0 2>&1)"

# --- pod addresses reused -------------------------------------------------------
# Two rollouts: the second one's new pod takes the address the first one
# freed, on the same node. Every new connection during it must be answered.
# settled OLD: one pod of the app, Running, and not OLD (a rollout's status
# may read "complete" before the controller has acted on the restart).
# started OLD: a Running pod other than OLD (OLD may still be draining).
pods() { "$C" --lab "$lab" get pods -l app=node -o wide --no-headers 2>/dev/null; }
settled() {
	local p
	p=$(pods)
	[ "$(printf '%s\n' "$p" | grep -c .)" -eq 1 ] && [ "$(printf '%s\n' "$p" | awk '{print $1}')" != "$1" ] &&
		printf '%s\n' "$p" | grep -q ' 1/1 .*Running'
}
started() { pods | awk -v old="$1" '$1 != old && $2 == "1/1" && $3 == "Running"' | grep -q .; }
ip_of() { pods | awk -v n="$1" '$1 == n {print $6}'; }
new_pod() { pods | awk -v old="$1" '$1 != old && $3 == "Running" {print $1}' | head -1; }
first=$(pods | awk '{print $1}')
first_ip=$(ip_of "$first")
t_ok "rollout restart 1" "$C" --lab "$lab" rollout restart deployment/node-deployment
restarted_at=$(date +%s)
t_ok "a new pod, alone" t_wait 40 settled "$first"
second=$(pods | awk '{print $1}')
t_not "the new pod has a new address" test "$(ip_of "$second")" = "$first_ip"
# restartedAt has whole seconds (as kubectl writes it): a second restart
# within the same second would change nothing.
later() { [ "$(date +%s)" -gt "$restarted_at" ]; }
t_ok "a second later" t_wait 5 later
"$C" --lab "$lab" load "http://$FE/" --duration 15s --rate 20 --keepalive 4 -o json >"$T_TMP/reuse.json" &
load=$!
t_ok "rollout restart 2 under load" "$C" --lab "$lab" rollout restart deployment/node-deployment
t_ok "a new pod running" t_wait 30 started "$second"
t_eq "the new pod reuses the first pod's address" "$first_ip" "$(ip_of "$(new_pod "$second")")"
wait "$load"
jq -e '.new.failed == 0' "$T_TMP/reuse.json" >/dev/null || jq -c . "$T_TMP/reuse.json"
t_eq "not one new connection lost while the address changed hands" 0 "$(jq .new.failed "$T_TMP/reuse.json")"
t_eq "every new connection answered" "$(jq .new.sent "$T_TMP/reuse.json")" "$(jq .new.answered "$T_TMP/reuse.json")"
t_eq "no keep-alive connection dropped" 0 "$(jq .keepalive.dropped "$T_TMP/reuse.json")"
t_ok "the old pod closed its keep-alive connections in order, and they reopened" \
	jq -e '.keepalive.reopened > 0' "$T_TMP/reuse.json"

t_done
