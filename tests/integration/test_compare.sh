#!/usr/bin/env bash
# clientip compare: the ways to keep the client IP, measured side by side.
# `clientip compare --quick --json` builds its own 2-node lab, applies each
# strategy with one replica (local-spread: one per node) and reports, as
# the scenario's trade-off says: cluster loses the client's address with
# every node in the pool (100 %); local keeps it with half the pool (50 %);
# local-spread and dsr keep it with every node (100 %); the gateway keeps
# it at 100 % where the lab has one, else its row says it is unavailable
# and why. Every figure of an available row is a number (rps and cps only
# where wrk is installed), and the lab compare built is gone afterwards.
# In a lab given with --lab, SIGTERM stops compare, which deletes what it
# applied and leaves the lab up. Usage errors exit 2.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"
command -v jq >/dev/null || t_skip_all "needs jq"

# --- usage ------------------------------------------------------------------------------
t_match "--help names every strategy" "cluster.*local.*local-spread.*dsr.*gateway" \
	"$("$C" compare --help | tr '\n' ' ')"
"$C" compare --strategies nosuch >/dev/null 2>"$T_TMP/err"
t_eq "an unknown strategy: exit 2" 2 $?
t_match "and a message naming the valid ones" \
	"--strategies nosuch: a comma-separated list of cluster, local" "$(cat "$T_TMP/err")"
"$C" compare --nodes 1 >/dev/null 2>"$T_TMP/err"
t_eq "--nodes 1: exit 2" 2 $?
t_match "and why" "--nodes 1: 2 to" "$(cat "$T_TMP/err")"
"$C" compare --report out.png >/dev/null 2>"$T_TMP/err"
t_eq "a report that is neither .svg nor .html: exit 2" 2 $?
"$C" compare stray >/dev/null 2>"$T_TMP/err"
t_eq "a stray argument: exit 2" 2 $?
t_match "and a message" 'unexpected argument "stray"' "$(cat "$T_TMP/err")"

# --- every strategy in a lab of compare's own -------------------------------------------
"$C" compare --quick --json --report "$T_TMP/report.svg" >"$T_TMP/rows.json" \
	2>"$T_TMP/compare.err" &
pid=$!
own=cmp$(printf '%05d' $((pid % 100000)))
t_defer "$C --lab $own lab down"
wait $pid
t_eq "compare --quick --json exits 0" 0 $?
R=$T_TMP/rows.json
row() { jq -c --arg s "$1" ".[] | select(.strategy == \$s) | [.client_ip_kept, .health_probe_status]" "$R"; }
t_eq "one row per strategy, in order" '["cluster","local","local-spread","dsr","gateway"]' \
	"$(jq -c 'map(.strategy)' "$R")"
t_eq "cluster: client IP lost, 100 %" '[false,100]' "$(row cluster)"
t_eq "local: client IP kept, 50 %" '[true,50]' "$(row local)"
t_eq "local-spread: client IP kept, 100 %" '[true,100]' "$(row local-spread)"
t_eq "dsr: client IP kept, 100 %" '[true,100]' "$(row dsr)"
if [ "$(jq '.[] | select(.strategy == "gateway") | .available' "$R")" == false ]; then
	t_match "gateway: unavailable, with the reason" "gateway" \
		"$(jq -r '.[] | select(.strategy == "gateway") | .reason' "$R")"
else
	t_eq "gateway: client IP kept, 100 %" '[true,100]' "$(row gateway)"
fi
keys='["cps_vs_direct","failed_during_rollout","failover_ms","health_probe_status","rps_vs_direct","spread"]'
for s in cluster local local-spread dsr gateway; do
	[ "$(jq --arg s $s '.[] | select(.strategy == $s) | .available' "$R")" == false ] && continue
	t_eq "$s: exactly the row's keys" \
		'["client_ip_kept","cps_vs_direct","failed_during_rollout","failover_ms","health_probe_status","rps_vs_direct","spread","strategy"]' \
		"$(jq -c --arg s $s '.[] | select(.strategy == $s) | keys' "$R")"
	want=$keys
	[ $s == gateway ] && want='["cps_vs_direct","failed_during_rollout","health_probe_status","rps_vs_direct","spread"]'
	command -v wrk >/dev/null || want=$(jq -c 'map(select(. != "rps_vs_direct" and . != "cps_vs_direct"))' <<<"$want")
	t_eq "$s: every figure a number" "$want" \
		"$(jq -c --arg s $s --argjson k "$want" \
			'.[] | select(.strategy == $s) | to_entries | map(select(.value | type == "number")) |
			 map(.key) | map(select(. as $x | $k | index($x))) | sort' "$R")"
done
t_eq "local-spread: both pods answered (spread a finite max/min)" true \
	"$(jq '.[] | select(.strategy == "local-spread") | .spread >= 1' "$R")"
t_match "the report holds the table and the load balancer's charts" \
	"Health Probe Status.*local-spread|local-spread.*Health Probe Status" \
	"$(tr '\n' ' ' <"$T_TMP/report.svg")"
t_match "compare said which lab it built" "lab $own: 2 nodes" "$(cat "$T_TMP/compare.err")"
t_not "and that lab is gone" "$C" --lab "$own" lab status
t_eq "no namespace of it is left" 0 "$(ip netns list | grep -c "^cip-$own-")"

# --- a lab of the user's: interrupted, it is left as it was -----------------------------
lab=$(t_unique)
t_ok "lab up --nodes 2 --probe-interval 1" "$C" --lab "$lab" lab up --nodes 2 --probe-interval 1
t_defer "$C --lab $lab lab down"
"$C" --lab "$lab" compare --quick --strategies cluster >/dev/null 2>&1 &
pid=$!
applied() { "$C" --lab "$lab" get deployment node-deployment; }
t_ok "compare applies the cluster strategy to that lab" t_wait 60 applied
kill -TERM $pid
wait $pid
t_eq "SIGTERM: compare exits 1" 1 $?
t_not "its Deployment is deleted" "$C" --lab "$lab" get deployment node-deployment
t_not "its Service is deleted" "$C" --lab "$lab" get svc node-service
t_ok "the lab is still up" "$C" --lab "$lab" lab status
"$C" --lab "$lab" apply -f "$T_ROOT/examples/aks-scenario/deploy.yaml" >/dev/null
"$C" --lab "$lab" compare --quick >/dev/null 2>"$T_TMP/err"
t_eq "a lab that holds the scenario already: exit 1" 1 $?
t_match "and compare says why" "already has deployment node-deployment" "$(cat "$T_TMP/err")"
t_ok "the user's Deployment is untouched" "$C" --lab "$lab" get deployment node-deployment

t_done
