#!/usr/bin/env bash
# run.sh — `make bench`: runs the benchmarks, one script per component.
#
#   bench/run.sh            all of them, in the order below
#   bench/run.sh echo ...   only those named
#   bench/run.sh --list     their names (scripts/check.sh runs each)
#
# Each bench/<name>.sh is standalone (starts what it measures on loopback,
# stops it, prints its own table) and writes a copy of its output to
# bench/results/<name>-<date>.txt. A component adds its script here; those
# that build a lab share bench/lib.sh (its temp dir and teardown, waits).
#
# BENCH_SMOKE=1 makes every script a smoke run: about a second per figure,
# one round, targets not checked, every code path still taken; `make check`
# runs them so. Smoke output is not kept in bench/results/. A script exits
# 77, saying why on its last line, when it cannot run on this machine.
set -uo pipefail
cd "$(dirname "$0")/.."

benches=(
	echo    # clientip-echo vs nginx vs the scenario's Node.js app (wrk, loopback)
	lb      # clientip-lb: through the frontend vs direct to the pod, failover time
	lb_churn # clientip-lb: new flows that change node when one node goes Down, Maglev vs modulo
	dsr     # forwarding-mode dsr: new connections through its tunnel vs to the pod's node
	proxy   # the node's service proxy: sync times and connection rate at 1/1k/10k Services
	apiserver # clientip-apiserver at 10k Services: create, LIST (JSON, Table, selector), watch latency, restart
)

if [ "${1:-}" == --list ]; then
	printf '%s\n' "${benches[@]}"
	exit 0
fi
[ $# -gt 0 ] && benches=("$@")
mkdir -p bench/results
rc=0
for b in "${benches[@]}"; do
	if [ ! -x "bench/$b.sh" ]; then
		echo "bench: no bench/$b.sh" >&2
		rc=1
		continue
	fi
	out=bench/results/$b-$(date +%Y%m%d-%H%M%S).txt
	[ "${BENCH_SMOKE:-0}" == 1 ] && out=/dev/null
	echo "== bench $b"
	"bench/$b.sh" 2>&1 | tee "$out"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
done
exit "$rc"
