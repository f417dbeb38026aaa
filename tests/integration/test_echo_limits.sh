#!/usr/bin/env bash
# test_echo_limits.sh — bad input never harms other clients: 400, 431 and
# 413 close only the offender; slow and idle clients are cut off after the
# header timeout; beyond --max-conns new connections are refused while the
# existing ones are still served.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/echo_lib.sh"

# hx PORT [--close] REQ...: t_http_raw, one line per response:
#   STATUS conn=CONNECTION body=REPR
hx() { t_http_raw --format='{status} conn={conn} body={body!r}' "$@"; }

echo_start a --listen '[::ffff:127.0.0.1]:0' --header-timeout 1 --max-conns 4 ||
	{ t_fail "start"; t_done; exit; }
p=$(echo_port a)

# Malformed requests: 400 and close.
t_eq "garbage: 400, closed" "400 conn=close body='bad request\\n'
closed" "$(hx "$p" --close 'GARBAGE\r\n\r\n')"
t_eq "bad header: 400" "400 conn=close body='bad request\\n'
closed" "$(hx "$p" --close 'GET / HTTP/1.1\r\nHost: x\r\nNo Colon\r\n\r\n')"
t_eq "two Content-Lengths: 400" "400 conn=close body='bad request\\n'
closed" "$(hx "$p" --close 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab')"
t_eq "answered before the bad one" "200 conn=- body='::ffff:127.0.0.1'
505 conn=close body='http version not supported\\n'
closed" "$(hx "$p" --close 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' 'GET / HTTP/7.0\r\n\r\n')"

# Request head over 8 KiB: 431.
big=$(head -c 9000 /dev/zero | tr '\0' a)
t_eq "head over 8 KiB: 431" "431 conn=close body='request header fields too large\\n'
closed" "$(hx "$p" --close "GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Big: $big\\r\\n\\r\\n")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "http://127.0.0.1:$p/")
t_eq "curl: 431" 431 "$code"
small=$(head -c 7000 /dev/zero | tr '\0' a)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $small" "http://127.0.0.1:$p/")
t_eq "head of 7 KB: 200" 200 "$code"

# Bodies over 1 MiB: 413, whether announced or chunked; the client gets the
# answer, not a reset, though it is still sending.
head -c 3000000 /dev/zero >"$T_TMP/big"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T_TMP/big" "http://127.0.0.1:$p/")
t_eq "Content-Length over 1 MiB: 413" 413 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
	--data-binary @"$T_TMP/big" "http://127.0.0.1:$p/")
t_eq "chunked over 1 MiB: 413" 413 "$code"
head -c 1048576 /dev/zero >"$T_TMP/mib"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T_TMP/mib" "http://127.0.0.1:$p/")
t_eq "exactly 1 MiB: 200" 200 "$code"

# Slowloris: a head trickling in a byte at a time is cut off by the header
# timeout (1 s here) however often bytes arrive.
slow=$(python3 - "$p" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
s.settimeout(0.2)
end = time.time() + 15
while time.time() < end:
    try:
        s.send(b"X-a: b\r\n"[int(time.time() * 10) % 8:][:1])
        if s.recv(1) == b"":
            print("closed"); break
    except socket.timeout:
        continue
    except (BrokenPipeError, ConnectionResetError):
        print("closed"); break
else:
    print("still open")
PY
)
t_eq "slowloris: closed by the header timeout" "closed" "$slow"

# An idle keep-alive connection is closed after the same timeout.
idle=$(python3 - "$p" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
s.settimeout(15)
data = b""
while not data.endswith(b"::ffff:127.0.0.1"):
    data += s.recv(4096)
print("closed" if s.recv(1) == b"" else "data")
PY
)
t_eq "idle keep-alive: closed after the timeout" "closed" "$idle"

# --max-conns 4: four connections are served, a fifth is accepted and closed
# at once; the four still work; once one leaves, a newcomer gets in.
conns=$(python3 - "$p" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def ask(s):
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while not data.endswith(b"::ffff:127.0.0.1"):
        b = s.recv(4096)
        if not b:
            return "closed"
        data += b
    return "ok"
held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(4)]
print("held:", " ".join(ask(s) for s in held))
extra = socket.create_connection(("127.0.0.1", port), timeout=5)
try:
    print("fifth:", ask(extra))
except (ConnectionResetError, BrokenPipeError):
    print("fifth: closed")
print("held again:", " ".join(ask(s) for s in held))
held.pop().close()
end, res = time.time() + 10, "refused"
while time.time() < end and res != "ok":
    try:
        res = ask(socket.create_connection(("127.0.0.1", port), timeout=5))
    except (ConnectionResetError, BrokenPipeError):
        res = "refused"
print("newcomer:", res)
PY
)
t_eq "max-conns" "held: ok ok ok ok
fifth: closed
held again: ok ok ok ok
newcomer: ok" "$conns"

t_eq "others still served after all of it" "::ffff:127.0.0.1" "$(curl -s "http://127.0.0.1:$p/")"
kill -TERM "$a_pid"
wait "$a_pid"
t_eq "clean exit" 0 $?
t_done
