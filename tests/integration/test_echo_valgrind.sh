#!/usr/bin/env bash
# test_echo_valgrind.sh — a short session of every kind of request, good and
# bad, then SIGTERM with a connection still open: valgrind (memcheck, full
# leak check) must find nothing. Against an ASan build, where valgrind
# cannot run, the same session runs under ASan's own checks and leak check.
. "$(dirname "$0")/lib.sh"

# A server that hangs must fail the test, not stall it.
curl() { command curl --max-time 10 "$@"; }

ECHO=$T_BUILD/clientip-echo
if nm -u "$ECHO" 2>/dev/null | grep -q __asan_init || nm "$ECHO" 2>/dev/null | grep -q __asan_init; then
	checker=asan
	run=("$ECHO")
else
	checker=valgrind
	run=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all
		--errors-for-leak-kinds=definite,indirect,possible
		--log-file="$T_TMP/valgrind.log" "$ECHO")
fi

"${run[@]}" --listen '[::ffff:127.0.0.1]:0' --listen '[::ffff:127.0.0.1]:0,proxy-protocol' \
	--trust 127.0.0.1 --workers 2 --drain-timeout 1 2>"$T_TMP/echo.log" &
pid=$!
t_defer "kill -9 $pid 2>/dev/null"
t_wait 60 sh -c 'test "$(grep -c "listening on" "$1")" -ge 2' _ "$T_TMP/echo.log" ||
	{ t_fail "start under $checker" "$(cat "$T_TMP/echo.log")"; t_done; exit; }
p=$(grep 'listening on' "$T_TMP/echo.log" | sed -n 1p | sed -E 's/.*:([0-9]+).*/\1/')
pp=$(grep 'listening on' "$T_TMP/echo.log" | sed -n 2p | sed -E 's/.*:([0-9]+).*/\1/')
u="http://127.0.0.1:$p"

t_eq "text" "::ffff:127.0.0.1" "$(curl -s "$u/")"
t_match "json" '"client":"198.51.100.1"' "$(curl -s -H 'X-Forwarded-For: 198.51.100.1' "$u/json")"
t_eq "healthz" "ok" "$(curl -s "$u/healthz")"
t_eq "keep-alive" "::ffff:127.0.0.1::ffff:127.0.0.1" "$(curl -s "$u/a" "$u/b")"
t_eq "PROXY v1" "127.0.0.1" "$(curl -s --haproxy-protocol "http://127.0.0.1:$pp/")"
head -c 2000000 /dev/zero >"$T_TMP/big"
t_eq "413" 413 "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T_TMP/big" "$u/")"
t_eq "431" 431 "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$u/")"
out=$(python3 - "$p" "$pp" <<'PY'
import socket, sys
port, pport = int(sys.argv[1]), int(sys.argv[2])
def talk(port, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            return out
        out += b
pipelined = talk(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 50 + b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
garbage = talk(port, b"\x00\x01GARBAGE\r\n\r\n")
proxy_bad = talk(pport, b"PROXY TCP4 nonsense\r\n")
v2 = talk(pport, b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\xcb\x00\x71\x07\x0a\xf0\x00\x05\xdc\x05\x1f\x90"
          b"GET /json HTTP/1.1\r\nHost: x\r\n\r\n")
refused = [talk(port, r).split(b" ")[1].decode() for r in (
    b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
    b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n")]
print(pipelined.count(b"200 OK"), garbage.split(b"\r\n")[0].decode(), len(proxy_bad), b"203.0.113.7" in v2,
      *refused)
PY
)
t_eq "pipelined, garbage, bad PROXY, v2, refused" "51 HTTP/1.1 400 Bad Request 0 True 400 400 505 505" "$out"

# Leave a connection open, half-way through a request, then SIGTERM: the
# drain timeout closes it and everything is freed.
exec 3<>"/dev/tcp/127.0.0.1/$p"
printf 'GET / HTTP/1.1\r\nHost:' >&3
kill -TERM "$pid"
wait "$pid"
rc=$?
exec 3<&-
t_eq "$checker: exit status 0" 0 "$rc"
if [ "$checker" = valgrind ]; then
	t_eq "valgrind: no errors, no leaks" "" "$(cat "$T_TMP/valgrind.log")"
fi
t_done
