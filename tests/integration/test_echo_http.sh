#!/usr/bin/env bash
# test_echo_http.sh — clientip-echo's HTTP behaviour on loopback: the exact
# default answer, keep-alive, pipelining, HEAD, HTTP/1.0, the requests it
# refuses, /json, /healthz, the output options and their environment
# variables, several workers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/echo_lib.sh"

# hx PORT [--host=H] [--close] REQ...: sends the raw requests (with \r\n
# escapes) in ONE write, then prints one line per response:
#   STATUS conn=CONNECTION len=CONTENT-LENGTH ctype=TYPE body=REPR
# With --close, a last line says whether the server then closed.
hx() { t_http_raw "$@"; }

echo_start a --listen '[::ffff:127.0.0.1]:0' --listen '[::1]:0' || { t_fail "start"; t_done; exit; }
p=$(echo_port a 1)
p6=$(echo_port a 2)

# The reference app's answer, byte for byte: no newline after the address.
curl -s -o "$T_TMP/body" "http://127.0.0.1:$p/"
printf '::ffff:127.0.0.1' >"$T_TMP/expected"
t_ok "default body is exactly ::ffff:127.0.0.1" cmp "$T_TMP/body" "$T_TMP/expected"
t_eq "body bytes" "0000000   :   :   f   f   f   f   :   1   2   7   .   0   .   0   .   1" \
	"$(od -c "$T_TMP/body" | head -1)"
hdrs=$(curl -s -D - -o /dev/null "http://127.0.0.1:$p/any/path?x=1" | tr -d '\r')
t_match "200 OK" '^HTTP/1.1 200 OK' "$hdrs"
t_match "Content-Type: text/plain" '^Content-Type: text/plain$' "$hdrs"
t_match "Content-Length: 16" '^Content-Length: 16$' "$hdrs"
t_match "Date header" '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$' "$hdrs"
t_eq "any method" "::ffff:127.0.0.1" "$(curl -s -X DELETE "http://127.0.0.1:$p/x")"
t_eq "IPv6 client" "::1" "$(curl -s "http://[::1]:$p6/")"

# Keep-alive: curl reuses one connection for two URLs.
out=$(curl -sv "http://127.0.0.1:$p/1" "http://127.0.0.1:$p/2" 2>&1)
t_match "keep-alive: connection reused" 'Re-using existing connection' "$out"
t_eq "keep-alive: both answered" 2 "$(printf '%s' "$out" | grep -c 'left intact')"

# Pipelining: four requests in one write, answered in order.
out=$(hx "$p" 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n' 'HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n' \
	'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' \
	'GET /json HTTP/1.1\r\nHost: x\r\n\r\n')
t_eq "pipelining: four answers" 4 "$(printf '%s\n' "$out" | grep -c '^200 ')"
t_eq "pipelining: GET" "200 conn=- len=16 ctype=text/plain body='::ffff:127.0.0.1'" \
	"$(printf '%s\n' "$out" | sed -n 1p)"
t_eq "pipelining: HEAD has a length, no body" "200 conn=- len=16 ctype=text/plain body=''" \
	"$(printf '%s\n' "$out" | sed -n 2p)"
t_match "pipelining: /json last" "^200 conn=- len=[0-9]+ ctype=application/json body='\\{\"client\"" \
	"$(printf '%s\n' "$out" | sed -n 4p)"

# HEAD alone.
hdrs=$(curl -s -I "http://127.0.0.1:$p/" | tr -d '\r')
t_match "HEAD: Content-Length of the body" '^Content-Length: 16$' "$hdrs"

# HTTP/1.0: closed after the answer unless keep-alive is asked for.
out=$(hx "$p" --close 'GET / HTTP/1.0\r\n\r\n')
t_eq "HTTP/1.0 closes" "200 conn=close len=16 ctype=text/plain body='::ffff:127.0.0.1'
closed" "$out"
out=$(hx "$p" --close 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' 'GET / HTTP/1.0\r\n\r\n')
t_eq "HTTP/1.0 keep-alive" "200 conn=keep-alive len=16 ctype=text/plain body='::ffff:127.0.0.1'
200 conn=close len=16 ctype=text/plain body='::ffff:127.0.0.1'
closed" "$out"
t_eq "curl --http1.0" "::ffff:127.0.0.1" "$(curl -s --http1.0 "http://127.0.0.1:$p/")"
out=$(hx "$p" --close 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
t_eq "HTTP/1.1 Connection: close" "200 conn=close len=16 ctype=text/plain body='::ffff:127.0.0.1'
closed" "$out"
# Bytes after a Connection: close request stay unread: the server must not
# close at once (a close with unread input resets the connection and can
# take the answer with it) but send FIN and read until the client's.
out=$(hx "$p" --close 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n')
t_eq "Connection: close, more bytes behind it: one whole answer" "200 conn=close len=16 ctype=text/plain body='::ffff:127.0.0.1'
closed" "$out"

# What RFC 9112 makes a server refuse (whitespace before a colon, Host
# missing or repeated, obs-fold) and CONNECT: 400, then the connection
# closes. A version other than 1.0 and 1.1: 505.
bad="400 conn=close len=12 ctype=text/plain body='bad request\\n'
closed"
t_eq "space before the colon: 400" "$bad" "$(hx "$p" --close 'GET / HTTP/1.1\r\nHost : x\r\n\r\n')"
t_eq "HTTP/1.1 without Host: 400" "$bad" "$(hx "$p" --close 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n')"
t_eq "two Host lines: 400" "$bad" "$(hx "$p" --close 'GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n')"
t_eq "obs-fold: 400" "$bad" "$(hx "$p" --close 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n')"
t_eq "CONNECT: 400" "$bad" "$(hx "$p" --close 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n')"
t_eq "HTTP/2.0 request line: 505" \
	"505 conn=close len=27 ctype=text/plain body='http version not supported\\n'
closed" "$(hx "$p" --close 'GET / HTTP/2.0\r\nHost: x\r\n\r\n')"
t_eq "HTTP/1.0 without Host: 200" "200 conn=close len=16 ctype=text/plain body='::ffff:127.0.0.1'" \
	"$(hx "$p" 'GET / HTTP/1.0\r\nAccept: */*\r\n\r\n')"

# A body is read and dropped; the connection goes on.
head -c 300000 /dev/zero >"$T_TMP/zeros"
out=$(curl -s --data-binary @"$T_TMP/zeros" "http://127.0.0.1:$p/upload" "http://127.0.0.1:$p/after")
t_eq "POST body discarded, next request served" "::ffff:127.0.0.1::ffff:127.0.0.1" "$out"
out=$(curl -s -H 'Expect: 100-continue' --data-binary @"$T_TMP/zeros" -w ' %{http_code}' \
	"http://127.0.0.1:$p/")
t_eq "Expect: 100-continue" "::ffff:127.0.0.1 200" "$out"
out=$(curl -s -H 'Transfer-Encoding: chunked' --data-binary @"$T_TMP/zeros" "http://127.0.0.1:$p/")
t_eq "chunked body" "::ffff:127.0.0.1" "$out"

# /json and Accept: application/json.
json=$(curl -s "http://127.0.0.1:$p/json")
fields=$(printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["client"], d["remoteAddress"], d["remotePort"] > 0, d["localAddress"], d["localPort"],
      d["name"] != "", d["proxy"], d["headers"], d["request"]["method"], d["request"]["url"])')
t_eq "/json fields" "::ffff:127.0.0.1 ::ffff:127.0.0.1 True ::ffff:127.0.0.1 $p True None {'x-forwarded-for': [], 'x-real-ip': [], 'forwarded': []} GET /json" "$fields"
t_eq "/json name defaults to the host name" "$(hostname)" \
	"$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')"
ctype=$(curl -s -o /dev/null -w '%{content_type}' -H 'Accept: application/json' "http://127.0.0.1:$p/elsewhere")
t_eq "Accept: application/json on any path" "application/json" "$ctype"
out=$(curl -s -H 'X-Forwarded-For: 203.0.113.1, 198.51.100.2' -H 'X-Real-IP: 203.0.113.1' \
	-H 'Forwarded: for=203.0.113.1;proto=https' "http://127.0.0.1:$p/json" |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client"], d["headers"])')
t_eq "forwarding headers reported as seen, client unchanged (no --trust)" \
	"::ffff:127.0.0.1 {'x-forwarded-for': ['203.0.113.1, 198.51.100.2'], 'x-real-ip': ['203.0.113.1'], 'forwarded': ['for=203.0.113.1;proto=https']}" "$out"

# /healthz.
t_eq "/healthz" "ok 200" "$(curl -s -w ' %{http_code}' "http://127.0.0.1:$p/healthz")"

# Options: --unmap, --newline, --name; then the same through the environment.
echo_start b --listen '[::ffff:127.0.0.1]:0' --unmap --newline --name pod-a || t_fail "start b"
pb=$(echo_port b)
curl -s -o "$T_TMP/body" "http://127.0.0.1:$pb/"
printf '127.0.0.1\n' >"$T_TMP/expected"
t_ok "--unmap --newline" cmp "$T_TMP/body" "$T_TMP/expected"
t_eq "--name" "pod-a 127.0.0.1" "$(curl -s "http://127.0.0.1:$pb/json" |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["name"], d["client"])')"

CLIENTIP_ECHO_UNMAP=1 CLIENTIP_ECHO_NEWLINE=true CLIENTIP_ECHO_NAME=pod-env \
	CLIENTIP_ECHO_LISTEN='[::ffff:127.0.0.1]:0' echo_start c || t_fail "start c"
pc=$(echo_port c)
curl -s -o "$T_TMP/body" "http://127.0.0.1:$pc/"
t_ok "environment: CLIENTIP_ECHO_UNMAP, CLIENTIP_ECHO_NEWLINE" cmp "$T_TMP/body" "$T_TMP/expected"
t_eq "environment: CLIENTIP_ECHO_NAME" "pod-env" "$(curl -s "http://127.0.0.1:$pc/json" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')"
CLIENTIP_ECHO_NAME=env "$ECHO" --name flag --help >/dev/null
t_eq "--help exits 0" 0 $?
"$ECHO" --listen nonsense 2>"$T_TMP/err"
t_eq "bad flag: exit 2" 2 $?
t_match "bad flag: message" "listen 'nonsense'" "$(cat "$T_TMP/err")"
"$ECHO" --listen "[::ffff:127.0.0.1]:$p" 2>"$T_TMP/err"
t_eq "port in use: exit 1" 1 $?
t_match "port in use: message" "Address already in use" "$(cat "$T_TMP/err")"

# Several workers share the port (SO_REUSEPORT) and all answer.
echo_start d --listen '[::ffff:127.0.0.1]:0' --workers 3 || t_fail "start d"
pd=$(echo_port d)
ok=0
for i in $(seq 1 30); do
	[ "$(curl -s "http://127.0.0.1:$pd/")" = "::ffff:127.0.0.1" ] && ok=$((ok + 1))
done
t_eq "--workers 3: 30 of 30 answered" 30 "$ok"
t_eq "--workers 3: threads" 3 "$(ls /proc/$d_pid/task | wc -l)"
kill -TERM "$d_pid"
t_ok "--workers 3: exits on SIGTERM" t_wait 10 sh -c "! kill -0 $d_pid 2>/dev/null"

# Every instance drains and exits 0 (under ASan this includes its leak check).
for pid in "$a_pid" "$b_pid" "$c_pid"; do
	kill -TERM "$pid"
	wait "$pid"
	t_eq "exit status 0 after SIGTERM ($pid)" 0 $?
done
t_done
