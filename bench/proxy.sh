#!/usr/bin/env bash
# proxy.sh — the service proxy at 1, 1,000 and 10,000 Services x 5 endpoints.
#
# 1. Sync times (build/agent/proxy_bench sync, in a throwaway namespace):
#    full sync into an empty namespace (build + render + nft), the same
#    table replaced in one batch (an agent restart), and one endpoint
#    changed (build + diff + nft).
# 2. New-connection rate through a node holding the ruleset: a client, a
#    node and a pod namespace (veth, private addresses, nothing on the host
#    side), the first Service's 5 endpoints in the pod (clientip-echo), wrk
#    with "Connection: close" so every request is a new connection through
#    nat prerouting; the rate with N Services over the rate with one.
# BENCH_SECONDS (5) per wrk run, BENCH_ROUNDS (2) interleaved rounds, best
# round kept; BENCH_SIZES ("1 1000 10000"); BENCH_LAYOUT (auto, kube-proxy,
# compact) for the rate runs. Targets (issue 4): 10k full sync < 1 s, one change < 50 ms,
# rate at 10k >= 0.9 x the 1-Service rate.
# BENCH_SMOKE=1: one round, 1 s wrk runs, targets not checked. Either way a
# rate that could not be measured fails it.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${CLIENTIP_BUILD:-$root/build}
smoke=${BENCH_SMOKE:-0}
seconds=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-2}
if [ "$smoke" == 1 ]; then
	seconds=1
	rounds=1
fi
sizes=(${BENCH_SIZES:-1 1000 10000})
drv=$build/agent/proxy_bench

[ "$(id -u)" -eq 0 ] || { echo "proxy.sh: needs root (network namespaces)"; exit 77; }
for f in "$drv" "$build/clientip-echo"; do
	[ -x "$f" ] || { echo "proxy.sh: $f missing (make)"; exit 1; }
done
command -v wrk >/dev/null || { echo "proxy.sh: wrk not found (scripts/deps.sh installs it)"; exit 1; }

u=bp$(printf '%04x' $((RANDOM % 65536)))
tmp=$(mktemp -d /tmp/clientip-bench-proxy.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for n in client node pod; do ip netns del "$u-$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

val() { sed -n "s/^$1=//p" "$2"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }

# ---- 1. sync times ----------------------------------------------------------
echo "Sync times (proxy_bench sync N 5; best of $rounds):"
printf '%-9s %-10s %7s %7s %8s | %10s %10s | %10s %10s\n' services layout chains rules elements \
	"full sync" "replace" "one change" "(nft)"
for n in "${sizes[@]}"; do
	best=""
	for ((r = 0; r < rounds; r++)); do
		"$drv" sync "$n" 5 >"$tmp/sync.$r" || { echo "proxy.sh: proxy_bench sync $n failed"; exit 1; }
		if [ -z "$best" ] || awk -v a="$(val full_total_s "$tmp/sync.$r")" -v b="$(val full_total_s "$best")" \
			'BEGIN { exit !(a < b) }'; then best=$tmp/sync.$r; fi
	done
	# The change time is noisier than the full one: keep the smallest seen.
	change=$(for f in "$tmp"/sync.*; do val change_total_s "$f"; done | sort -g | head -1)
	change_nft=$(for f in "$tmp"/sync.*; do val change_nft_s "$f"; done | sort -g | head -1)
	printf '%-9s %-10s %7s %7s %8s | %8s ms %8s ms | %8s ms %8s ms\n' "$n" "$(val layout "$best")" \
		"$(val chains "$best")" "$(val rules "$best")" "$(val elements "$best")" \
		"$(ms "$(val full_total_s "$best")")" "$(ms "$(val replace_nft_s "$best")")" \
		"$(ms "$change")" "$(ms "$change_nft")"
	rm -f "$tmp"/sync.*
done

# ---- 2. connection rate -------------------------------------------------------
for n in client node pod; do ip netns add "$u-$n" || exit 1; ip -n "$u-$n" link set lo up; done
ip -n "$u-node" link add c type veth peer name eth0 netns "$u-client"
ip -n "$u-node" link add p type veth peer name eth0 netns "$u-pod"
ip -n "$u-node" addr add 10.1.0.1/24 dev c
ip -n "$u-node" addr add 10.244.0.1/24 dev p
ip -n "$u-node" link set c up
ip -n "$u-node" link set p up
ip -n "$u-client" addr add 10.1.0.2/24 dev eth0
ip -n "$u-client" link set eth0 up
ip -n "$u-client" route add default via 10.1.0.1
ip -n "$u-pod" addr add 10.244.0.2/24 dev eth0
ip -n "$u-pod" link set eth0 up
ip -n "$u-pod" route add default via 10.244.0.1
# Every request leaves a closed connection behind: keep neither conntrack
# TIME_WAIT entries nor TIME_WAIT sockets around, or each run would start
# with the previous one's leftovers in its way.
ip netns exec "$u-node" sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_tcp_timeout_time_wait=1
ip netns exec "$u-pod" sysctl -qw net.ipv4.tcp_max_tw_buckets=1024
ip netns exec "$u-client" sysctl -qw net.ipv4.tcp_max_tw_buckets=1024
listen=()
targets=()
for p in 8080 8081 8082 8083 8084; do listen+=(-l "0.0.0.0:$p"); targets+=("10.244.0.2:$p"); done
ip netns exec "$u-pod" "$build/clientip-echo" "${listen[@]}" -N bench >"$tmp/echo.log" 2>&1 &
pids+=($!)
disown $!
for i in $(seq 50); do ip netns exec "$u-pod" curl -s -o /dev/null http://127.0.0.1:8084/ && break; sleep 0.1; done

rate() { # the Requests/sec of one wrk run through the ClusterIP
	ip netns exec "$u-client" wrk -t2 -c32 -d"${seconds}s" -H 'Connection: close' \
		http://10.0.0.1/ 2>/dev/null | awk '/^Requests\/sec/ { print $2 }'
}

declare -A best_rate
for ((r = 0; r < rounds; r++)); do
	order=("${sizes[@]}")
	# Odd rounds go the other way round, so no size always runs first.
	[ $((r % 2)) -eq 1 ] && order=($(printf '%s\n' "${sizes[@]}" | tac))
	for n in "${order[@]}"; do
		ip netns exec "$u-node" conntrack -F >/dev/null 2>&1
		sleep 1
		ip netns exec "$u-node" "$drv" load "$n" 5 "${BENCH_LAYOUT:-auto}" "${targets[@]}" >/dev/null ||
			{ echo "proxy.sh: proxy_bench load $n failed"; exit 1; }
		got=$(rate)
		got=${got:-0}
		if [ -z "${best_rate[$n]:-}" ] || awk -v a="$got" -v b="${best_rate[$n]}" 'BEGIN { exit !(a > b) }'; then
			best_rate[$n]=$got
		fi
	done
done
echo
echo "New connections per second through the node (wrk -t2 -c32, Connection: close, ${seconds}s; best of $rounds):"
base=${best_rate[${sizes[0]}]}
missing=()
for n in "${sizes[@]}"; do
	printf '%-9s %10s conn/s   %5s x the %s-Service rate\n' "$n" "${best_rate[$n]}" \
		"$(awk -v a="${best_rate[$n]}" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" "${sizes[0]}"
	awk -v a="${best_rate[$n]}" 'BEGIN { exit !(a > 0) }' || missing+=("rate at $n Services")
done
[ "$smoke" == 1 ] && echo "smoke run (BENCH_SMOKE=1): ${seconds}s runs, 1 round, targets not checked"
if [ "${#missing[@]}" -gt 0 ]; then
	printf 'proxy.sh: not measured: %s\n' "${missing[@]}" >&2
	exit 1
fi
