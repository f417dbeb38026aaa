#!/usr/bin/env bash
# demo.sh — clientip-echo on its own: start it on a free loopback port, ask
# it who we are, stop it. Builds nothing (`make` first). The whole scenario,
# in a lab, is scripts/scenario.sh (`make demo`).
set -euo pipefail
cd "$(dirname "$0")/.."

echo_bin=${CLIENTIP_BUILD:-build}/clientip-echo
[ -x "$echo_bin" ] || { echo "demo.sh: $echo_bin missing: run make" >&2; exit 1; }
log=$(mktemp /tmp/clientip-demo.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -f "$log"
}
trap cleanup EXIT

# Port 0: the kernel picks a free port and clientip-echo logs it. The
# IPv4-mapped loopback address keeps the demo off the network while the
# socket stays the scenario's dual-stack kind.
"$echo_bin" --listen '[::ffff:127.0.0.1]:0' 2>"$log" &
pid=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$log" && break; sleep 0.05; done
port=$(sed -n 's/.*listening on .*:\([0-9]*\).*/\1/p' "$log" | head -1)
[ -n "$port" ] || { cat "$log" >&2; exit 1; }

echo "\$ curl -s http://127.0.0.1:$port/"
curl -s "http://127.0.0.1:$port/"
echo
echo "(no newline in the answer: just the address the app's socket sees,"
echo " IPv4 loopback in the IPv6-mapped form of a dual-stack socket)"
