#!/usr/bin/env bash
# lb.sh — what the cloud load balancer costs, and how fast it fails over.
#
# One lab (2 nodes, 1 client, lab-wide probe interval 1 s), the scenario's
# app and Service, and from the client with wrk (BENCH_SECONDS, 5, per run;
# BENCH_ROUNDS, 3, interleaved rounds, median shown):
#   req/s    32 keep-alive connections
#   conn/s   32 connections, `Connection: close` (a new flow per request)
# each through the frontend (edge nftables + policy routing + the node's
# kube-proxy rules) from client0, and straight to the pod's address from
# client1 (the edge routes the pod CIDRs to the nodes for this comparison
# only: routes and a forward rule added inside this lab's edge namespace),
# for Cluster and Local; and, to tell the load balancer's share from the
# node's, straight to node0's NodePort from client2 (kube-proxy's rules, no
# load balancer; a forward rule for it too). One client per path, because
# paths end in the same
# pod tuple: from one client, a new connection of one path would meet the
# pod's TIME_WAIT socket of another path, whose timestamps (per address
# pair) differ, and be refused (PAWS) until its SYN is retransmitted.
# Then failover: a steady 200 new connections/s (each given up after
# 300 ms) while a node's link is cut; the time from the cut to the last new
# flow the load balancer sends to that node (its nft flow counter, read
# every 20 ms) against interval x threshold.
# BENCH_SMOKE=1: 1 s runs, one round, a shorter failover window, targets
# not checked. Either way a figure that could not be measured fails it.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

smoke=${BENCH_SMOKE:-0}
seconds=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-3}
# Failover: load for window - 1 s, the cut lead s after the load starts.
window=9 lead=2
if [ "$smoke" == 1 ]; then
	seconds=1 rounds=1 window=5 lead=1
fi
C=${CLIENTIP_BUILD:-$root/build}/clientip
interval=1 threshold=2
lab=blb$(printf '%04x' $((RANDOM % 65536)))

[ "$(id -u)" -eq 0 ] || { echo "lb.sh: needs root (a lab is network namespaces)"; exit 77; }
for tool in wrk python3; do
	command -v "$tool" >/dev/null || { echo "lb.sh: $tool not found (scripts/deps.sh installs it)"; exit 1; }
done
[ -x "$C" ] && [ -x "$(dirname "$C")/clientip-lb" ] || { echo "lb.sh: build first (make)"; exit 1; }

. "$(dirname "$0")/lib.sh"
bench_lab_temp lb

manifest() { # policy replicas: the scenario's manifest with both set
	sed "s/^  replicas: 1\$/  replicas: $2/" "$root/examples/aks-scenario/deploy.yaml"
	[ "$1" == Local ] && echo "  externalTrafficPolicy: Local"
	return 0
}
pool_is() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: $1 %"; }
pods_ready() { [ "$("$C" --lab "$lab" get pods -l app=node 2>/dev/null | grep -c ' 1/1 .*Running')" == "$1" ]; }
edge() { "$C" --lab "$lab" exec edge -- "$@"; }

# wrk's Requests/sec of one run from the client.
rate() { # client url [close]
	local hdr=() from=$1
	shift
	[ "${2:-}" == close ] && hdr=(-H "Connection: close")
	"$C" --lab "$lab" exec "$from" -- wrk -t1 -c32 -d"${seconds}s" "${hdr[@]}" "$1" 2>/dev/null |
		awk '/^Requests\/sec/ {printf "%d", $2}'
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "lab $lab: 2 nodes, probe interval $interval s, threshold $threshold, wrk ${seconds}s x $rounds rounds"
"$C" --lab "$lab" lab up --nodes 2 --clients 3 --probe-interval $interval >/dev/null ||
	{ echo "lb.sh: lab up failed"; exit 1; }
statedir=$("$C" --lab "$lab" lab status | sed -n 's/^State: *//p')

# The comparison path: the edge routes pod CIDRs straight to the nodes.
edge ip route replace 10.244.0.0/24 via 10.240.0.4
edge ip route replace 10.244.1.0/24 via 10.240.0.5
edge nft insert rule inet edge_filter forward ip daddr 10.244.0.0/16 accept
edge nft insert rule inet edge_filter forward ip daddr 10.240.0.4 tcp dport 30000-32767 accept

# SYNs the pod refused because they hit one of its TIME_WAIT sockets with
# an older timestamp (PAWS): what SNAT port reuse costs new connections.
paws() { "$C" --lab "$lab" exec "$1" -- nstat -az TcpExtPAWSTimewait 2>/dev/null |
	awk '/PAWSTimewait/ {print $2}'; }

printf '\n%-8s %-7s %10s %10s %10s %9s %12s %12s\n' POLICY METRIC FRONTEND NODEPORT "POD DIRECT" \
	"FE/POD" "FE/NODEPORT" "POD PAWS"
results=()
missing=()  # figures that could not be measured
for policy in Cluster Local; do
	manifest $policy 1 | "$C" --lab "$lab" apply -f - >/dev/null
	wait_until 60 pods_ready 1 || { echo "lb.sh: pod not ready"; exit 1; }
	want=100
	[ $policy == Local ] && want=50
	wait_until 20 pool_is $want || { echo "lb.sh: pool never reached $want %"; exit 1; }
	svc=$(curl -s --max-time 5 --unix-socket "$statedir/apiserver.sock" \
		http://lab/api/v1/namespaces/default/services/node-service)
	fe=$(jq -r '.status.loadBalancer.ingress[0].ip' <<<"$svc")
	pod=$("$C" --lab "$lab" get pods -l app=node -o wide | awk 'NR == 2 {print $6}')
	podname=$("$C" --lab "$lab" get pods -l app=node | awk 'NR == 2 {print $1}')
	nodeport=$(jq -r '.spec.ports[0].nodePort' <<<"$svc")
	for metric in req/s conn/s; do
		mode=keep
		[ $metric == conn/s ] && mode=close
		lbr=() npr=() dir=()
		p0=$(paws "$podname")
		for ((r = 0; r < rounds; r++)); do
			lbr+=("$(rate client0 "http://$fe/" $mode)")
			npr+=("$(rate client2 "http://10.240.0.4:$nodeport/" $mode)")
			dir+=("$(rate client1 "http://$pod:8080/" $mode)")
		done
		a=$(median "${lbr[@]}") n=$(median "${npr[@]}") b=$(median "${dir[@]}")
		for x in "frontend:$a" "NodePort:$n" "pod direct:$b"; do
			[ "${x##*:}" -gt 0 ] 2>/dev/null || missing+=("$policy $metric ${x%:*}")
		done
		printf '%-8s %-7s %10s %10s %10s %9s %12s %12s\n' $policy $metric "$a" "$n" "$b" \
			"$(ratio "$a" "$b")" "$(ratio "$a" "$n")" $(( $(paws "$podname") - p0 ))
		results+=("$policy $metric $(ratio "$a" "$b") $(ratio "$a" "$n")")
	done
done

# --- failover ------------------------------------------------------------------------
# Cluster with one replica: both nodes pass the TCP probe. node1's link is
# cut at T0 while new connections keep coming.
manifest Cluster 1 | "$C" --lab "$lab" apply -f - >/dev/null
wait_until 20 pool_is 100 || { echo "lb.sh: pool never back to 100 %"; exit 1; }
POLL_PY='
import json, subprocess, sys, time
end = time.time() + float(sys.argv[1])
while time.time() < end:
    out = subprocess.run(["nft", "-j", "list", "counter", "ip", "azure-lb",
                          "flows_default_node-service_node1"], capture_output=True, text=True).stdout
    for o in json.loads(out or "{\"nftables\": []}")["nftables"]:
        if "counter" in o:
            print("%d %d" % (time.time() * 1000, o["counter"]["packets"]), flush=True)
    time.sleep(0.02)
'
# New connections at a steady rate whatever happens to earlier ones: each
# is given up (RST) after 300 ms, answered or not.
LOAD_PY='
import socket, struct, sys, time
dst, end = (sys.argv[1], 80), time.time() + float(sys.argv[2])
linger = struct.pack("ii", 1, 0)
pending, nxt = [], time.time()
while time.time() < end:
    now = time.time()
    while nxt <= now:
        s = socket.socket()
        s.setblocking(False)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        s.connect_ex(dst)
        pending.append((now, s))
        nxt += 0.005
    while pending and now - pending[0][0] > 0.3:
        pending.pop(0)[1].close()
    time.sleep(0.002)
'
printf '\n%-22s %10s %18s %22s\n' FAILOVER "LAST FLOW" "INTERVALxTHRESHOLD" "TARGET (+1 INTERVAL)"
fails=()
for ((r = 0; r < rounds; r++)); do
	edge python3 -c "$POLL_PY" "$window" >"$tmp/poll" 2>/dev/null &
	poller=$!
	"$C" --lab "$lab" exec client0 -- python3 -c "$LOAD_PY" "$fe" $((window - 1)) >/dev/null 2>&1 &
	load=$!
	sleep "$lead"
	t0=$(( $(date +%s%N) / 1000000 ))
	edge ip link set n1 down
	wait $load $poller
	# Two reads at least: a poller that read nothing measured nothing.
	[ "$(wc -l <"$tmp/poll")" -ge 2 ] || missing+=("failover round $((r + 1)): node1's flow counter")
	# The last time node1's flow counter moved after the cut.
	last=$(awk -v t0="$t0" 'NR > 1 && $2 != prev && $1 >= t0 {t = $1} {prev = $2} END {print t ? t : t0}' "$tmp/poll")
	ms=$((last - t0))
	fails+=("$ms")
	printf '%-22s %8d ms %15d ms %19d ms\n' "cut node1 (round $((r + 1)))" "$ms" \
		$((interval * threshold * 1000)) $(((interval * threshold + interval) * 1000))
	edge ip link set n1 up
	wait_until 20 pool_is 100
done
f=$(median "${fails[@]}")
echo
[ "$smoke" == 1 ] && echo "smoke run (BENCH_SMOKE=1): ${seconds}s runs, 1 round, targets not checked"
for x in "${results[@]}"; do
	set -- $x
	verdict=ok
	awk -v r="$3" 'BEGIN { exit !(r >= 0.9) }' || verdict="below 0.9x"
	[ "$smoke" == 1 ] && verdict="not checked"
	echo "ratio $1 $2 through the load balancer / pod direct: $3 ($verdict); / NodePort direct: $4"
done
verdict=ok
[ "$f" -le $(((interval * threshold + interval) * 1000)) ] || verdict="over target"
[ "$smoke" == 1 ] && verdict="not checked"
echo "failover (median): $f ms to the last new flow on the failed node; interval x threshold = $((interval * threshold * 1000)) ms ($verdict)"
if [ "${#missing[@]}" -gt 0 ]; then
	printf 'lb.sh: not measured: %s\n' "${missing[@]}" >&2
	exit 1
fi
