#!/usr/bin/env bash
# dsr.sh — what forwarding-mode dsr's tunnel costs a new connection: wrk's
# new connections per second (Connection: close, -t1 -c32) through the
# frontend of the scenario's Service annotated dsr, one pod, in one lab of
# two nodes, with
#   - every flow sent to the pod's node (the other node's probe blocked):
#     the path a Local Service takes, the baseline;
#   - every flow sent to the other node (the pod's node's probe blocked):
#     its tc program wraps each packet in IPIP to the pod's node, whose
#     program unwraps it.
# A probe is blocked by a rule in that node's own namespace dropping the
# load balancer's probes of the NodePort; the pool then holds one node.
# The two alternate, ROUNDS times; the figure is the median of the rounds'
# ratios (tunnel / pod's node). compare's dsr row sends half the flows each
# way. BENCH_SMOKE=1: one round of 1 s each.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

smoke=${BENCH_SMOKE:-0}
rounds=7 secs=3
[ "$smoke" == 1 ] && rounds=1 secs=1
B=${CLIENTIP_BUILD:-$root/build}
C=$B/clientip
lab=bdsr$(printf '%04x' $((RANDOM % 65536)))

[ "$(id -u)" -eq 0 ] || { echo "dsr.sh: needs root (a lab is network namespaces)"; exit 77; }
command -v wrk >/dev/null || { echo "dsr.sh: wrk not found (scripts/deps.sh installs it)"; exit 77; }
[ -x "$C" ] || { echo "dsr.sh: build first (make)"; exit 1; }

. "$(dirname "$0")/lib.sh"
bench_lab_temp dsr

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "CPU: ${cpu:-unknown} ($(nproc) CPUs), Linux $(uname -r)"
echo "lab $lab: 2 nodes, one pod, forwarding-mode dsr; wrk -t1 -c32 ${secs}s, Connection: close, from client0"

"$C" --lab "$lab" lab up --nodes 2 --clients 1 --probe-interval 1 >/dev/null ||
	{ echo "dsr.sh: lab up failed"; exit 1; }
sed "s|^  name: node-service\$|  name: node-service\n  annotations:\n    clientip.io/forwarding-mode: dsr|" \
	"$root/examples/aks-scenario/deploy.yaml" | "$C" --lab "$lab" apply -f - >/dev/null
pool_is() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "^Health Probe Status: $1 %"; }
wait_until 90 pool_is 100 || { echo "dsr.sh: pool never reached 100 %"; exit 1; }
"$C" --lab "$lab" get svc node-service -o json >"$tmp/svc.json"
fe=$(jq -r '.status.loadBalancer.ingress[0].ip' "$tmp/svc.json")
nodeport=$(jq -r '.spec.ports[0].nodePort' "$tmp/svc.json")
pod_node=$("$C" --lab "$lab" get pods -l app=node -o json | jq -r '.items[0].spec.nodeName')
case $pod_node in node0) other=node1 ;; *) other=node0 ;; esac
ns() { echo "cip-$lab-$1"; }

# block NODE / unblock NODE: the load balancer's probes of NODE's NodePort
# dropped in NODE's namespace, then the pool waited for.
block() {
	local addr
	addr=$(ip -n "$(ns "$1")" -4 -j addr show eth0 | jq -r '.[0].addr_info[0].local')
	ip netns exec "$(ns "$1")" nft -f - <<<"table ip bench-dsr-block {
		chain probes { type filter hook prerouting priority -300; ip daddr $addr tcp dport $nodeport drop; }
	}" && wait_until 30 pool_is 50
}
unblock() { ip netns exec "$(ns "$1")" nft delete table ip bench-dsr-block && wait_until 30 pool_is 100; }
cps() {
	ip netns exec "$(ns client0)" wrk -t1 -c32 -d "${secs}s" -H "Connection: close" "http://$fe/" |
		sed -n 's/^Requests\/sec: *//p'
}

printf '%-6s %14s %14s %7s\n' ROUND POD-NODE/S TUNNEL/S RATIO
ratios=()
for r in $(seq "$rounds"); do
	block "$other" || { echo "dsr.sh: the pool did not drop $other"; exit 1; }
	direct=$(cps)
	unblock "$other" || { echo "dsr.sh: the pool did not take $other back"; exit 1; }
	block "$pod_node" || { echo "dsr.sh: the pool did not drop $pod_node"; exit 1; }
	tunnel=$(cps)
	unblock "$pod_node" || { echo "dsr.sh: the pool did not take $pod_node back"; exit 1; }
	[ -n "$direct" ] && [ -n "$tunnel" ] || { echo "dsr.sh: wrk gave no rate"; exit 1; }
	ratio=$(awk -v a="$direct" -v b="$tunnel" 'BEGIN { printf "%.3f", b / a }')
	ratios+=("$ratio")
	printf '%-6s %14.0f %14.0f %7s\n' "$r" "$direct" "$tunnel" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "tunnel / pod's node, median of $rounds: $median"
