#!/usr/bin/env bash
# test_echo_proxy.sh — who the client is behind proxies: PROXY protocol v1
# and v2 accepted from trusted peers and refused from anyone else, a plain
# listener beside a PROXY one, and the X-Forwarded-For walk over --trust.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/echo_lib.sh"

# hx PORT [--close] DATA...: t_http_raw (escapes such as \r\n, \x00
# decoded; one write), one line per HTTP answer: STATUS BODY, or no-response.
hx() { t_http_raw --format='{status} {body}' "$@"; }
# jf PORT FIELD [curl args...]: one field of /json.
jf() {
	local port=$1 field=$2; shift 2
	curl -s "$@" "http://127.0.0.1:$port/json" |
		python3 -c "import json,sys; print(json.load(sys.stdin)$field)"
}

v1='PROXY TCP4 198.51.100.10 10.240.0.4 56324 8080\r\n'
v1_6='PROXY TCP6 2001:db8::10 2001:db8::1 40000 80\r\n'
v1_unknown='PROXY UNKNOWN\r\n'
# v2: signature, PROXY over TCP/IPv4, 12 address bytes: 203.0.113.7:56325 -> 10.240.0.5:8080
v2='\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\xcb\x00\x71\x07\x0a\xf0\x00\x05\xdc\x05\x1f\x90'
# v2 LOCAL (the proxy's own health check): no addresses.
v2_local='\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00'
get='GET / HTTP/1.1\r\nHost: x\r\n\r\n'

# Trusted: 127.0.0.1 may send PROXY headers. A second, plain listener.
echo_start a --listen '[::ffff:127.0.0.1]:0,proxy-protocol' --listen '[::ffff:127.0.0.1]:0' \
	--trust 127.0.0.1 || { t_fail "start"; t_done; exit; }
pp=$(echo_port a 1)
plain=$(echo_port a 2)

t_eq "v1 from a trusted peer" "200 198.51.100.10" "$(hx "$pp" "$v1$get")"
t_eq "v1 TCP6" "200 2001:db8::10" "$(hx "$pp" "$v1_6$get")"
t_eq "v1 UNKNOWN: the peer stands" "200 ::ffff:127.0.0.1" "$(hx "$pp" "$v1_unknown$get")"
t_eq "v2 from a trusted peer" "200 203.0.113.7" "$(hx "$pp" "$v2$get")"
t_eq "v2 LOCAL: the peer stands" "200 ::ffff:127.0.0.1" "$(hx "$pp" "$v2_local$get")"
t_eq "v2 then keep-alive" "200 203.0.113.7
200 203.0.113.7" "$(hx "$pp" "$v2$get" "$get")"
out=$(hx "$pp" "$v2"'GET /json HTTP/1.1\r\nHost: x\r\n\r\n' | sed 's/^200 //' | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["client"], d["remoteAddress"], d["proxy"])')
t_eq "/json reports the PROXY header" "203.0.113.7 ::ffff:127.0.0.1 {'version': 2, 'command': 'PROXY', 'sourceAddress': '203.0.113.7', 'sourcePort': 56325, 'destinationAddress': '10.240.0.5', 'destinationPort': 8080}" "$out"

# Required means required: no guessing whether a header is there.
t_eq "no header: closed without an answer" "no-response" "$(hx "$pp" "$get")"
t_eq "malformed v1: closed" "no-response" "$(hx "$pp" 'PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n'"$get")"
t_eq "bad v2 version: closed" "no-response" \
	"$(hx "$pp" '\r\n\r\n\x00\r\nQUIT\n\x31\x11\x00\x0c\xcb\x00\x71\x07\x0a\xf0\x00\x05\xdc\x05\x1f\x90'"$get")"
t_eq "curl without a header" "000" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$pp/")"
t_eq "curl --haproxy-protocol (v1 TCP4)" "127.0.0.1" "$(curl -s --haproxy-protocol "http://127.0.0.1:$pp/")"

# The plain listener beside it takes no PROXY header ...
t_eq "plain listener: no header needed" "::ffff:127.0.0.1" "$(curl -s "http://127.0.0.1:$plain/")"
t_eq "plain listener: a PROXY line is a bad request" "400 bad request" \
	"$(hx "$plain" "$v1$get" | sed -n 1p)"

# Untrusted: only 10.0.0.0/8 may send PROXY headers; 127.0.0.1 is refused.
echo_start b --listen '[::ffff:127.0.0.1]:0' --proxy-protocol --trust 10.0.0.0/8 ||
	t_fail "start b"
pb=$(echo_port b)
t_eq "v1 from an untrusted peer: closed" "no-response" "$(hx "$pb" "$v1$get")"
t_eq "v2 from an untrusted peer: closed" "no-response" "$(hx "$pb" "$v2$get")"
t_eq "--proxy-protocol needs --trust" 2 "$("$ECHO" --proxy-protocol 2>/dev/null; echo $?)"

# X-Forwarded-For, walked right to left over trusted hops.
echo_start c --listen '[::ffff:127.0.0.1]:0' --trust 127.0.0.1 --trust 10.0.0.0/8 || t_fail "start c"
pc=$(echo_port c)
xff() { curl -s -H "X-Forwarded-For: $1" "http://127.0.0.1:$pc/"; }
t_eq "XFF: one hop" "203.0.113.9" "$(xff '203.0.113.9')"
t_eq "XFF: trusted hops skipped" "198.51.100.10" "$(xff '203.0.113.9, 198.51.100.10, 10.1.2.3')"
t_eq "XFF: spoofed left part ignored" "198.51.100.10" "$(xff '6.6.6.6, 198.51.100.10')"
t_eq "XFF: all trusted, the leftmost" "10.9.9.9" "$(xff '10.9.9.9, 10.1.1.1')"
t_eq "XFF: port and IPv6" "2001:db8::5" "$(xff '[2001:db8::5]:443, 10.1.1.1:80')"
t_eq "XFF: garbage stops the walk" "10.1.1.1" "$(xff '203.0.113.9, unknown, 10.1.1.1')"
t_eq "XFF: two header lines are one list" "198.51.100.7" \
	"$(curl -s -H 'X-Forwarded-For: 6.6.6.6' -H 'X-Forwarded-For: 198.51.100.7, 10.0.0.2' \
	"http://127.0.0.1:$pc/")"
t_eq "XFF: /json client" "198.51.100.10" "$(jf "$pc" '["client"]' -H 'X-Forwarded-For: 198.51.100.10')"
t_eq "XFF: X-Real-IP and Forwarded only reported" "::ffff:127.0.0.1" \
	"$(curl -s -H 'X-Real-IP: 1.1.1.1' -H 'Forwarded: for=1.1.1.1' "http://127.0.0.1:$pc/")"
t_eq "XFF: mapped address kept as written" "::ffff:198.51.100.12" "$(xff '::ffff:198.51.100.12')"

# From an untrusted peer the header never changes the client.
echo_start d --listen '[::ffff:127.0.0.1]:0' --trust 10.0.0.0/8 || t_fail "start d"
pd=$(echo_port d)
t_eq "XFF from an untrusted peer: ignored" "::ffff:127.0.0.1" \
	"$(curl -s -H 'X-Forwarded-For: 203.0.113.9' "http://127.0.0.1:$pd/")"
t_eq "XFF from an untrusted peer: still reported" "['203.0.113.9']" \
	"$(jf "$pd" '["headers"]["x-forwarded-for"]' -H 'X-Forwarded-For: 203.0.113.9')"

# PROXY source then XFF: the PROXY source is the peer the walk starts from.
t_eq "PROXY source trusted, then XFF" "200 198.51.100.20" \
	"$(hx "$pp" 'PROXY TCP4 127.0.0.1 127.0.0.1 1 2\r\nGET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.20\r\n\r\n')"
t_eq "PROXY source untrusted: XFF ignored" "200 198.51.100.10" \
	"$(hx "$pp" "$v1"'GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n')"

for pid in "$a_pid" "$b_pid" "$c_pid" "$d_pid"; do
	kill -TERM "$pid"
	wait "$pid"
	t_eq "clean exit ($pid)" 0 $?
done
t_done
