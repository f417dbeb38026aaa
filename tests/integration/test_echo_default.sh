#!/usr/bin/env bash
# test_echo_default.sh — clientip-echo with no options at all, as the
# scenario runs it: [::]:8080, dual-stack, and `curl -s
# http://127.0.0.1:8080/` prints exactly ::ffff:127.0.0.1. A wildcard
# listener must not open a port on the host, so this runs in a private
# network namespace of its own (unshare -n: only a loopback interface).
. "$(dirname "$0")/lib.sh"

# A server that hangs must fail the test, not stall it.
curl() { command curl --max-time 10 "$@"; }

ECHO=$T_BUILD/clientip-echo

unshare -n true 2>/dev/null || t_skip_all "unshare -n needs root (CAP_SYS_ADMIN)"

# Runs inside the namespace; prints NAME=VALUE lines.
cat >"$T_TMP/inside.sh" <<'SH'
set -u
ECHO=$1 TMP=$2
trap 'kill -9 $(jobs -p) 2>/dev/null' EXIT
curl() { command curl --max-time 10 "$@"; }
ip link set lo up
up() { for i in $(seq 1 400); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; return 1; }

"$ECHO" 2>"$TMP/default.log" &
pid=$!
up http://127.0.0.1:8080/healthz || echo "start=failed"
curl -s -o "$TMP/body4" http://127.0.0.1:8080/
curl -s -o "$TMP/body6" 'http://[::1]:8080/'
echo "listen=$(grep -o 'listening on .*' "$TMP/default.log")"
echo "v6only=$(ss -Hltn 'sport = :8080' | awk '{print $4}')"
# SIGTERM starts the default drain (accepting for 15 s first, as a load
# balancer's probes need); a second signal ends it at once.
kill -TERM $pid
for i in $(seq 1 200); do grep -q 'draining' "$TMP/default.log" && break; sleep 0.05; done
echo "drain=$(grep -o 'accepting for [0-9]* ms more' "$TMP/default.log")"
kill -INT $pid; wait $pid; echo "exit=$?"

PORT=9090 "$ECHO" 2>"$TMP/port.log" &
pid=$!
up http://127.0.0.1:9090/healthz || echo "port-start=failed"
echo "port=$(curl -s http://127.0.0.1:9090/)"
kill -INT $pid; wait $pid
SH

out=$(timeout 120 unshare -n bash "$T_TMP/inside.sh" "$ECHO" "$T_TMP" 2>&1)
printf '::ffff:127.0.0.1' >"$T_TMP/expected4"
printf '::1' >"$T_TMP/expected6"
t_eq "starts with no options" "" "$(printf '%s\n' "$out" | grep 'start=failed')"
t_eq "listens on [::]:8080" "listen=listening on [::]:8080" "$(printf '%s\n' "$out" | grep '^listen=')"
t_eq "one socket for both families" "v6only=*:8080" "$(printf '%s\n' "$out" | grep '^v6only=')"
t_ok "curl -s http://127.0.0.1:8080/ prints exactly ::ffff:127.0.0.1" cmp "$T_TMP/body4" "$T_TMP/expected4"
t_ok "IPv6 client prints ::1" cmp "$T_TMP/body6" "$T_TMP/expected6"
t_eq "SIGTERM: accepts 15 s more by default" "drain=accepting for 15000 ms more" \
	"$(printf '%s\n' "$out" | grep '^drain=')"
t_eq "SIGTERM, then SIGINT: exit 0" "exit=0" "$(printf '%s\n' "$out" | grep '^exit=')"
t_eq "PORT sets the default listener's port" "port=::ffff:127.0.0.1" "$(printf '%s\n' "$out" | grep '^port=')"
t_done
