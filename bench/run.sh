#!/usr/bin/env bash
# run.sh — `make bench`: runs the benchmarks, one script per component.
#
#   bench/run.sh            all of them, in the order below
#   bench/run.sh echo ...   only those named
#
# Each bench/<name>.sh is standalone (starts what it measures on loopback,
# stops it, prints its own table) and writes a copy of its output to
# bench/results/<name>-<date>.txt. A component adds its script here.
set -uo pipefail
cd "$(dirname "$0")/.."

benches=(
	echo    # clientip-echo vs nginx vs the scenario's Node.js app (wrk, loopback)
	lb      # clientip-lb: through the frontend vs direct to the pod, failover time
	proxy   # the node's service proxy: sync times and connection rate at 1/1k/10k Services
)

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
	echo "== bench $b"
	"bench/$b.sh" 2>&1 | tee "$out"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
done
exit "$rc"
