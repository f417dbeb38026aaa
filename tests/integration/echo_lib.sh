# echo_lib.sh — starting clientip-echo in the echo integration tests.
# Source after lib.sh; ECHO is the binary (default $T_BUILD/clientip-echo).

ECHO=${ECHO:-$T_BUILD/clientip-echo}
# These servers are stopped with SIGTERM and nothing probes them: no
# accepting part in their drain (test_echo_drain tests it on its own).
export CLIENTIP_ECHO_DRAIN_ACCEPT=0

# A server that hangs must fail the test, not stall it.
curl() { command curl --max-time 10 "$@"; }

# echo_start NAME ARGS...: starts clientip-echo, waits for its listeners;
# echo_port NAME [N] prints the port of its Nth listener.
echo_start() {
	local name=$1 n; shift
	n=$(printf '%s\n' "$@" | grep -c -- '^--listen$')
	[ "$n" -gt 0 ] || n=1
	"$ECHO" "$@" 2>"$T_TMP/$name.log" &
	eval "${name}_pid=$!"
	t_defer "kill -9 $! 2>/dev/null"
	t_wait 20 sh -c 'test "$(grep -c "listening on" "$1")" -ge "$2"' _ "$T_TMP/$name.log" "$n" ||
		{ cat "$T_TMP/$name.log"; return 1; }
}
echo_port() {
	grep 'listening on' "$T_TMP/$1.log" | sed -n "${2:-1}p" | sed -E 's/.*:([0-9]+).*/\1/'
}
