#!/usr/bin/env bash
# lb_churn.sh — the fraction of new-flow assignments that change when one
# node of N goes Down (ideal: 1/N, the flows that were on it), for the edge's
# Maglev lookup table and for the former hash modulo the healthy count,
# measured in the same run; and what the lookup tables cost the ruleset.
#
#   1. Over the lookup (lb_bench table): 200,000 uniform flow hashes,
#      N = 2 .. 32, every node of N going Down in turn; mean and worst.
#   2. On real flows in a lab of 4 nodes (Local, a pod on each node):
#      client0 opens a connection from each of FLOWS fixed source ports to
#      the frontend; the node each flow got is its conntrack mark in the
#      edge. Rounds: all 4 up, then for each node in turn: its link cut and
#      its probe Down (the daemon's own replace); the same pool under the
#      former modulo rule, which the bench writes into its own lab's edge in
#      place of the daemon's (`nft replace rule`: the same jhash, tuple and
#      seed; the all-up round of it too); the node back and the daemon's
#      ruleset again, where every flow must find its first node again.
#      Between rounds the edge's conntrack entries of these flows are
#      deleted, so each round's SYNs are new flows.
#   3. Ruleset replace time (lb_bench replace, a throwaway namespace): the
#      largest lab the tests build (32 nodes), 1 and 16 rules, for the
#      former modulo rule and Maglev tables of 251, 1021 and 2039 entries.
# BENCH_SMOKE=1: fewer flows and rounds, targets not checked. Either way a
# figure that could not be measured fails it.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

smoke=${BENCH_SMOKE:-0}
flows=1000 rounds=20
[ "$smoke" == 1 ] && flows=200 rounds=4
B=${CLIENTIP_BUILD:-$root/build}
C=$B/clientip
nodes=4
lab=bch$(printf '%04x' $((RANDOM % 65536)))

[ "$(id -u)" -eq 0 ] || { echo "lb_churn.sh: needs root (a lab is network namespaces)"; exit 77; }
command -v python3 >/dev/null || { echo "lb_churn.sh: python3 not found (scripts/deps.sh installs it)"; exit 1; }
[ -x "$C" ] && [ -x "$B/lb/lb_bench" ] || { echo "lb_churn.sh: build first (make)"; exit 1; }

. "$(dirname "$0")/lib.sh"
bench_lab_temp churn

missing=()
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "CPU: ${cpu:-unknown} ($(nproc) CPUs), Linux $(uname -r)"

# --- 1. over the lookup ------------------------------------------------------------
echo
echo "1. over the lookup: 200000 flow hashes, one node of N goes Down (mean over each node; worst)"
printf '%-4s %8s %16s %16s\n' N IDEAL MAGLEV MODULO
"$B/lb/lb_bench" table 200000 2 3 4 8 16 32 >"$tmp/table" || missing+=("lookup churn")
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       if (v["scheme"] == "maglev") { mg = sprintf("%.3f (%.3f)", v["down_mean"], v["down_worst"]) }
       else printf "%-4s %8.3f %16s %16s\n", v["n"], v["ideal"], mg,
		   sprintf("%.3f (%.3f)", v["down_mean"], v["down_worst"]) }' "$tmp/table"

# --- 2. real flows in a lab ------------------------------------------------------------
echo
echo "2. real flows: lab $lab, $nodes nodes, $flows connections from fixed source ports of client0"
"$C" --lab "$lab" lab up --nodes $nodes --clients 1 --probe-interval 1 >/dev/null ||
	{ echo "lb_churn.sh: lab up failed"; exit 1; }
statedir=$("$C" --lab "$lab" lab status | sed -n 's/^State: *//p')
edge() { "$C" --lab "$lab" exec edge -- "$@"; }
pool_is() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: $1 %"; }
# Local, a pod on every node: each node's probe is its own pod's, so a
# cut link takes out that node alone (under Cluster the other nodes'
# probes would reach through it to the pods on it).
manifest() {
	sed "s/^  replicas: 1\$/  replicas: $nodes/" "$root/examples/aks-scenario/deploy.yaml"
	echo "  externalTrafficPolicy: Local"
}
manifest | "$C" --lab "$lab" apply -f - >/dev/null
wait_until 90 pool_is 100 || { echo "lb_churn.sh: pool never reached 100 %"; exit 1; }
fe=$(curl -s --max-time 5 --unix-socket "$statedir/apiserver.sock" \
	http://lab/api/v1/namespaces/default/services/node-service |
	jq -r '.status.loadBalancer.ingress[0].ip')
chain=svc_default_node-service_tcp_80
client=198.51.100.10
# One SYN per source port: connect, then close at once. Only the first
# packet matters here: the edge marks the flow before anything answers.
SYN_PY='
import socket, sys
dst, base, n = (sys.argv[1], 80), int(sys.argv[2]), int(sys.argv[3])
for p in range(base, base + n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", p))
    s.setblocking(False)
    s.connect_ex(dst)
    s.close()
'
marks() { # the edge's entries of the flows: "sport node" lines
	edge conntrack -L -p tcp -s $client -d "$fe" --dport 80 2>/dev/null |
		awk '{ sp = ""; mk = ""
		       for (i = 1; i <= NF; i++) {
			       if (sp == "" && $i ~ /^sport=/) sp = substr($i, 7)
			       if ($i ~ /^mark=/) mk = substr($i, 6)
		       }
		       if (sp != "" && mk != "") print sp, mk - 1279393792 - 1 }' | sort -n
}
has_all() { [ "$(marks | wc -l)" -ge "$flows" ]; }
round() { # NAME: one round of flows, their nodes into $tmp/NAME
	edge conntrack -D -p tcp -s $client -d "$fe" --dport 80 >/dev/null 2>&1
	"$C" --lab "$lab" exec client0 -- python3 -c "$SYN_PY" "$fe" 40000 "$flows" ||
		missing+=("round $1: the client's connections")
	wait_until 10 has_all || missing+=("round $1: $flows flows in the edge's conntrack")
	marks >"$tmp/$1"
}
# The daemon's Maglev rule, with or without node k's mark.
daemon_rule() { edge nft list chain ip azure-lb $chain | grep 'ct mark set jhash .* mod 1021 '; }
daemon_rule_with() { daemon_rule | grep -q "$(printf '0x%08x' $((0x4c420000 + $1 + 1)))"; }
daemon_rule_without() { daemon_rule >/dev/null && ! daemon_rule_with "$1"; }
rule_handle() { edge nft -a list chain ip azure-lb $chain | sed -n 's/.*ct mark set .*# handle \([0-9]*\)$/\1/p'; }
modulo_rule() { # node indices of the pool
	local i=0 n elems=()
	for n in "$@"; do
		elems+=("$i : $(printf '0x%08x' $((0x4c420000 + n + 1)))")
		i=$((i + 1))
	done
	local IFS=,
	echo "ct mark set jhash ip saddr . ip daddr . meta l4proto . th sport . th dport mod $# seed 0x00c1e4f7 map { ${elems[*]} }"
}
changed() { # A B NODE: "changed total on_NODE_in_A"
	join "$tmp/$1" "$tmp/$2" | awk -v k="$3" '{ t++; if ($2 != $3) c++; if ($2 == k) o++ }
		END { printf "%d %d %d\n", c, t, o }'
}
share() { awk -v n=$nodes '{ c[$2]++ } END { for (i = 0; i < n; i++) printf "%s%d", i ? "/" : "", c[i] }' "$tmp/$1"; }

round mg_up
handle=$(rule_handle)
[ -n "$handle" ] || missing+=("the rule's handle")
edge nft replace rule ip azure-lb $chain handle "$handle" $(modulo_rule 0 1 2 3) ||
	missing+=("the modulo rule, $nodes nodes")
round mod_up
printf '\n%-8s %-28s %16s %14s %10s %12s\n' SCHEME ROUND "FLOWS/NODE" CHANGED FRACTION "WERE ITS"
printf '%-8s %-28s %16s\n' maglev "all $nodes up" "$(share mg_up)"
printf '%-8s %-28s %16s\n' modulo "all $nodes up" "$(share mod_up)"
report() { # scheme label A B node
	local c t o
	read -r c t o < <(changed "$3" "$4" "$5")
	[ "${t:-0}" -gt 0 ] || { missing+=("$1 $2"); return; }
	printf '%-8s %-28s %16s %9d/%-4d %10s %12d\n' "$1" "$2" "$(share "$4")" "$c" "$t" \
		"$(awk -v c="$c" -v t="$t" 'BEGIN { printf "%.3f", c / t }')" "$o"
	echo "$1 $c $t $o" >>"$tmp/summary"
}
back_moved=0
for ((k = 0; k < nodes; k++)); do
	others=()
	for ((i = 0; i < nodes; i++)); do [ $i -ne $k ] && others+=($i); done
	# The daemon's own reaction: node k's link cut, its probe Down, the
	# ruleset replaced.
	edge ip link set n$k down
	wait_until 20 pool_is $((100 * (nodes - 1) / nodes)) || missing+=("node$k Down")
	wait_until 10 daemon_rule_without $k || missing+=("the daemon's ruleset without node$k")
	round mg_down$k
	report maglev "node$k Down (probe)" mg_up mg_down$k $k
	handle=$(rule_handle)
	edge nft replace rule ip azure-lb $chain handle "$handle" $(modulo_rule "${others[@]}") ||
		missing+=("the modulo rule without node$k")
	round mod_down$k
	report modulo "node$k Down (mod $nodes -> $((nodes - 1)))" mod_up mod_down$k $k
	# node k returns: the daemon replaces the ruleset with its own again,
	# and every flow finds its first node again.
	edge ip link set n$k up
	wait_until 20 pool_is 100 || missing+=("node$k Up again")
	wait_until 10 daemon_rule_with $k || missing+=("the daemon's ruleset back after node$k")
	round mg_back$k
	read -r c t o < <(changed mg_up mg_back$k $k)
	[ "${t:-0}" -gt 0 ] || missing+=("flows after node$k's return")
	back_moved=$((back_moved + ${c:-0}))
done
echo "maglev, after each node's return: $back_moved flows on another node than before it left (want 0)"

# --- 3. replace time ------------------------------------------------------------
echo
echo "3. ruleset replace, 32 nodes, every other replace with node1 out of every pool ($rounds replaces, median/max)"
printf '%-8s %-8s %10s %12s %16s\n' RULES LOOKUP BYTES "RENDER ms" "REPLACE ms"
for r in 1 16; do
	for size in modulo 251 1021 2039; do
		line=$("$B/lb/lb_bench" replace 32 $r $size $rounds) || { missing+=("replace $r $size"); continue; }
		echo "$line" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			printf "%-8s %-8s %10d %12.2f %9.2f/%.2f\n", v["rules"], v["size"], v["bytes"],
				v["render_ms"], v["replace_median_ms"], v["replace_max_ms"] }'
	done
done

echo
[ "$smoke" == 1 ] && echo "smoke run (BENCH_SMOKE=1): $flows flows, $rounds replaces, targets not checked"
if [ -f "$tmp/summary" ]; then
	awk -v n=$nodes -v smoke="$smoke" '
		{ c[$1] += $2; t[$1] += $3; own[$1] += $4 }
		END {
			mg = c["maglev"] / t["maglev"]; mo = c["modulo"] / t["modulo"]
			v = (mg <= own["maglev"] / t["maglev"] + 0.05) ? "ok" : "over target"
			if (smoke == 1) v = "not checked"
			printf "real flows, one node of %d Down (mean over each node): maglev %.3f, modulo %.3f of new-flow assignments changed; ideal 1/N = %.3f, the flows the node had %.3f (maglev within +0.05 of it: %s)\n",
				n, mg, mo, 1 / n, own["maglev"] / t["maglev"], v
		}' "$tmp/summary"
fi
[ "$back_moved" == 0 ] || missing+=("flows back on their first node after a return ($back_moved moved)")
if [ "${#missing[@]}" -gt 0 ]; then
	printf 'lb_churn.sh: not measured: %s\n' "${missing[@]}" >&2
	exit 1
fi
