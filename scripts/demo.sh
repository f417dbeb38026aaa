#!/usr/bin/env bash
# demo.sh — the AKS client-IP scenario, end to end, in a throwaway lab.
#
#   scripts/demo.sh [--lab NAME] [--probe-interval SEC] [--out DIR]
#
# `make demo` runs it. Where kubectl is installed, the Kubernetes steps are
# shown with kubectl against the lab's API server; elsewhere with the same
# `clientip` verbs. Every step prints the command it runs and what it saw; the script exits non-zero as soon as anything differs from what the
# scenario expects, and tears the lab down on every exit path (Ctrl-C too).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CLIENTIP_BUILD:-$root/build}
case "$bin" in /*) ;; *) bin=$root/$bin ;; esac
# Commands are shown as a user would type them: clientip on the PATH,
# manifests relative to the repository.
cd "$root" || exit 1
export PATH=$bin:$PATH
C=clientip
manifests=examples/aks-scenario
lab=demo$(( $$ % 10000 ))
interval=
out=build/demo

while [ $# -gt 0 ]; do
	case "$1" in
	--lab) lab=$2; shift 2 ;;
	--probe-interval) interval=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

if [ -t 1 ]; then
	bold=$'\e[1m'; dim=$'\e[2m'; green=$'\e[32m'; red=$'\e[31m'; cyan=$'\e[36m'; off=$'\e[0m'
else
	bold=; dim=; green=; red=; cyan=; off=
fi

started=$(date +%s)
step_no=0
lab_is_up=0

teardown() {
	local rc=$?
	trap - EXIT INT TERM
	# If the reader went away (`make demo | head`), still tear down.
	trap '' PIPE
	if [ "$lab_is_up" = 1 ]; then
		printf '\n%s== tearing down lab %s%s\n' "$bold" "$lab" "$off" >&3
		"$C" --lab "$lab" lab down >&3 2>&1
	fi
	exit "$rc"
}
# A trap may run while a polled command has stdout redirected to /dev/null:
# keep the real stdout on fd 3 for the traps.
exec 3>&1
trap teardown EXIT
trap 'printf "\ninterrupted\n" >&3; exit 130' INT TERM

step() { step_no=$((step_no + 1)); printf '\n%s== %d. %s%s\n' "$bold" "$step_no" "$*" "$off"; }
show() { printf '%s$ %s%s\n' "$cyan" "$*" "$off"; "$@"; }
saw() { printf '%s-> %s%s\n' "$green" "$*" "$off"; }
fail() { printf '%sFAILED: %s%s\n' "$red" "$*" "$off" >&2; exit 1; }
elapsed() { echo $(( $(date +%s) - started )); }

# wait_for DESCRIPTION SECONDS CMD...: polls CMD, printing a dot a second.
wait_for() {
	local what=$1 secs=$2 t0; shift 2
	t0=$(date +%s)
	printf '%s   waiting for %s ' "$dim" "$what"
	until "$@" >/dev/null 2>&1; do
		if [ $(( $(date +%s) - t0 )) -ge "$secs" ]; then
			printf '%s\n' "$off"
			fail "$what: not within ${secs}s"
		fi
		printf '.'
		sleep 0.5
	done
	printf ' %ss%s\n' "$(( $(date +%s) - t0 ))" "$off"
}

# Which lab address is this, in words.
describe_addr() {
	local a=${1#::ffff:}
	case "$a" in
	198.51.100.1[0-9]) echo "the client's own public address" ;;
	10.244.*.1) n=${a#10.244.}; n=${n%.1}
		echo "node$n's cbr0 bridge address: node$n, the pod's own node, masqueraded it" ;;
	10.240.0.*) echo "node$(( ${a##*.} - 4 ))'s VNet address: node$(( ${a##*.} - 4 )) forwarded it to the pod's node and masqueraded it" ;;
	*) echo "an unexpected address" ;;
	esac
}

[ -x "$bin/clientip" ] || fail "$bin/clientip is not built: run make"

step "Build a 2-node cluster in network namespaces (lab $lab)"
if [ -z "$interval" ]; then
	echo "   Health probes run with Azure's defaults: every 5 s, 2 in a row flip a node."
	show "$C" --lab "$lab" lab up --nodes 2 --clients 1 || fail "lab up"
else
	echo "   Health probes run every $interval s in this demo (Azure's default is 5 s); 2 in a row flip a node."
	show "$C" --lab "$lab" lab up --nodes 2 --clients 1 --probe-interval "$interval" || fail "lab up"
fi
lab_is_up=1

# kube ARGS...: a kubectl command, shown with kubectl when there is one.
if command -v kubectl >/dev/null 2>&1; then
	printf '%s$ export KUBECONFIG=$(clientip --lab %s lab kubeconfig)%s\n' "$cyan" "$lab" "$off"
	KUBECONFIG=$("$C" --lab "$lab" lab kubeconfig) || fail "lab kubeconfig"
	export KUBECONFIG
	kube() { show kubectl "$@"; }
else
	echo "   (kubectl is not installed: the clientip verbs do the same)"
	kube() { show "$C" --lab "$lab" "$@"; }
fi

step "Deploy the scenario's manifest (externalTrafficPolicy: Cluster, the default)"
printf '%s$ cat %s%s  (its Service part)\n' "$cyan" "$manifests/deploy.yaml" "$off"
sed -n '/^kind: Service/,$p' "$manifests/deploy.yaml"
kube apply -f "$manifests/deploy.yaml" || fail "apply"
wait_for "the pod to be Ready" 30 "$C" --lab "$lab" wait --for=condition=Ready pod -l app=node --timeout 1s
frontend_ip() {
	"$C" --lab "$lab" get svc node-service -o json 2>/dev/null |
		sed -n 's/.*"ip": "\(203\.0\.113\.[0-9]*\)".*/\1/p' | head -1
}
wait_for "the load balancer's frontend IP" 30 test -n "$(frontend_ip)"
kube get pods -o wide
kube get svc node-service
ip=$(frontend_ip)
pod_node=$("$C" --lab "$lab" get pods -l app=node -o wide --no-headers | awk '{print $7}' | head -1)
saw "EXTERNAL-IP $ip; the pod runs on $pod_node"

pool_is() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -q "Health Probe Status: $1 %"; }
# pool_seconds PCT FROM: how many 1-second samples since Unix time FROM the
# load balancer recorded with the pool at PCT % (the chart's own data).
pool_seconds() {
	local span=$(( $(date +%s) - $2 + 1 ))
	"$C" --lab "$lab" metrics node-service --since "${span}s" --granularity 1s 2>/dev/null |
		awk -v p="$1" '$1 ~ /^[0-9][0-9]:[0-9][0-9]:/ && $(NF-2) == p { n++ } END { print n + 0 }'
}
held() { [ "$(pool_seconds "$1" "$2")" -ge "$3" ]; }
# Each phase stays on the chart for three probe intervals, so that its level
# is a plateau a reader can see rather than a blip.
hold=$(( 3 * ${interval:-5} ))
[ "$hold" -ge 8 ] || hold=8

step "Browse to http://$ip/ from the internet client, six times"
wait_for "every node to pass its health probe" 60 pool_is 100
# The chart starts here: the Cluster phase proper, every node in the pool.
cluster_from=$(( $(date +%s) + 1 ))
client_seen=0
for i in 1 2 3 4 5 6; do
	answer=$("$C" --lab "$lab" curl "http://$ip/") || fail "request $i was not answered"
	printf '   request %d: the app answered %s%s%s  (%s)\n' "$i" "$bold" "$answer" "$off" "$(describe_addr "$answer")"
	case "$answer" in ::ffff:198.51.100.*) client_seen=1 ;; ::ffff:10.*) ;; *) fail "unexpected answer $answer" ;; esac
done
[ "$client_seen" = 0 ] || fail "under Cluster the app should never see the client's address"
saw "the app never saw the client (198.51.100.10): every node masquerades external traffic (SNAT)"

step "Health Probe Status under Cluster"
show "$C" --lab "$lab" probes node-service
pool_is 100 || fail "expected 100 %"
saw "100 %: every node passes the TCP probe on the NodePort, so every node gets traffic"
wait_for "${hold}s of Cluster on the chart" $(( hold + 30 )) held 100 "$cluster_from" "$hold"

step "Apply externalTrafficPolicy: Local"
show diff "$manifests/deploy.yaml" "$manifests/deploy_clientIP.yaml"
kube apply -f "$manifests/deploy_clientIP.yaml" || fail "apply Local"
echo "   The load balancer now probes each node's health check node port (HTTP /healthz);"
echo "   a node without a ready pod answers 503 and leaves the pool after 2 failed probes."
wait_for "Health Probe Status to drop to 50 %" 60 pool_is 50
local_from=$(date +%s)
show "$C" --lab "$lab" probes node-service

step "Browse again"
for i in 1 2 3 4 5 6; do
	answer=$("$C" --lab "$lab" curl "http://$ip/") || fail "request $i was not answered"
	printf '   request %d: the app answered %s%s%s  (%s)\n' "$i" "$bold" "$answer" "$off" "$(describe_addr "$answer")"
	[ "$answer" = "::ffff:198.51.100.10" ] || fail "under Local the app should see the client's address"
done
saw "the app sees the client's own address: no SNAT, and only $pod_node (which has the pod) gets traffic"

step "Why: one request, followed through the kernel's conntrack records"
show "$C" --lab "$lab" explain node-service || fail "explain"

step "The Health Probe Status chart of this run"
wait_for "${hold}s of Local on the chart" $(( hold + 30 )) held 50 "$local_from" "$hold"
mkdir -p "$out"
# The portal shows 30 minutes at 1-minute granularity; the scenario's two
# phases fit in a minute or so, so chart them at 1-second granularity, from
# the moment every node was in the pool.
span=$(( $(date +%s) - cluster_from + 1 ))s
table=$(show "$C" --lab "$lab" metrics node-service --since "$span" --granularity 1s --svg "$out/health-probe-status.svg") ||
	fail "metrics"
printf '%s\n' "$table"
[ -s "$out/health-probe-status.svg" ] || fail "no chart written"
# The chart must tell the scenario's story: every backend at 100 % first,
# then the node without the pod at 0 % and the pool at 50 %.
pod_addr=10.240.0.$(( ${pod_node#node} + 4 ))
rows=$(printf '%s\n' "$table" | awk '$1 ~ /^[0-9][0-9]:[0-9][0-9]:/')
header=$(printf '%s\n' "$table" | awk '$1 == "TIME"')
first=$(printf '%s\n' "$rows" | head -1)
last=$(printf '%s\n' "$rows" | tail -1)
printf '%s\n' "$first" | awk '{ for (i = 2; i <= NF - 2; i++) if ($i != 100) exit 1 }' ||
	fail "the chart does not start with every backend at 100 %: $first"
printf '%s\n%s\n' "$header" "$last" | awk -v pod="$pod_addr" '
	NR == 1 { for (i = 2; $i != "POOL"; i++) addr[i] = $i; next }
	{ for (i = 2; i <= NF - 3; i++) if ((addr[i] == pod) != ($i == 100) || ($i != 0 && $i != 100)) exit 1
	  if ($(NF - 2) != 50) exit 1 }' ||
	fail "the chart does not end with $pod_node alone at 100 % and the pool at 50 %: $last"
saw "chart written to $out/health-probe-status.svg (open it in a browser): every node at 100 % under"
saw "Cluster, then only $pod_node ($pod_addr) under Local; the dashed line, the pool, falls to 50 %"

printf '\n%sThe scenario reproduced in %ss: Cluster hides the client behind SNAT at 100 %%,\nLocal keeps it at 50 %%.%s\n' \
	"$bold" "$(elapsed)" "$off"
