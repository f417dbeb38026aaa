#!/usr/bin/env bash
# Several labs at once: built in parallel, identical address plans, no
# interference; a lab whose name extends another's ("x" and "x1") is a
# different lab; two concurrent `lab up` of one name: exactly one wins.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
a=$(t_unique)
b=${a}1          # cip-<b>-... starts with "cip-<a>" on purpose
same=${a}2

count_ns() { ls /run/netns 2>/dev/null | grep -c "^cip-$1-"; }
serve_py='
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = sys.argv[3].encode()
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers()
        self.wfile.write(b)
    def log_message(self, *x): pass
http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
'
listening() { "$C" --lab "$1" exec "$2" -- ss -Hltn "sport = :$3" | grep -q LISTEN; }

t_defer "$C --lab $a lab down"
t_defer "$C --lab $b lab down"
t_defer "$C --lab $same lab down"

"$C" --lab "$a" lab up --nodes 2 >"$T_TMP/a.out" 2>&1 &
pa=$!
"$C" --lab "$b" lab up --nodes 2 >"$T_TMP/b.out" 2>&1 &
pb=$!
wait "$pa"; ra=$?
wait "$pb"; rb=$?
t_eq "lab $a up in parallel" 0 "$ra"
t_eq "lab $b up in parallel" 0 "$rb"
t_eq "lab $a has its 5 namespaces" 5 "$(count_ns "$a")"
t_eq "lab $b has its 5 namespaces" 5 "$(count_ns "$b")"
t_ok "lab $a status" "$C" --lab "$a" lab status
t_ok "lab $b status" "$C" --lab "$b" lab status

# The same addresses in both labs, each answering only in its own.
"$C" --lab "$a" exec node1 -- python3 -c "$serve_py" 10.240.0.5 8080 "lab-a" >/dev/null 2>&1 &
t_ok "a server on node1 of lab $a" t_wait 10 listening "$a" node1 8080
t_eq "lab $a: node0 reaches its node1" "lab-a" \
	"$("$C" --lab "$a" exec node0 -- curl -sS --max-time 5 http://10.240.0.5:8080/)"
"$C" --lab "$b" exec node0 -- curl -sS --max-time 5 http://10.240.0.5:8080/ >"$T_TMP/out" 2>&1
t_eq "lab $b: the same address is its own node1 (refused, no server there)" 7 $?
"$C" --lab "$b" exec node1 -- python3 -c "$serve_py" 10.240.0.5 8080 "lab-b" >/dev/null 2>&1 &
t_ok "a server on node1 of lab $b" t_wait 10 listening "$b" node1 8080
t_eq "lab $b: node0 reaches its node1" "lab-b" \
	"$("$C" --lab "$b" exec node0 -- curl -sS --max-time 5 http://10.240.0.5:8080/)"
t_eq "lab $a still answers for itself" "lab-a" \
	"$("$C" --lab "$a" exec node0 -- curl -sS --max-time 5 http://10.240.0.5:8080/)"

# Down of one leaves the other whole.
t_ok "lab $a down" "$C" --lab "$a" lab down
t_eq "lab $a is gone" 0 "$(count_ns "$a")"
t_eq "lab $b keeps all its namespaces" 5 "$(count_ns "$b")"
t_ok "lab $b status still fine" "$C" --lab "$b" lab status
t_eq "lab $b's server survived" "lab-b" \
	"$("$C" --lab "$b" exec node0 -- curl -sS --max-time 5 http://10.240.0.5:8080/)"
t_ok "lab $b down" "$C" --lab "$b" lab down
t_eq "lab $b is gone" 0 "$(count_ns "$b")"

# Two lab up of one name at once: one wins, the other fails and leaves it be.
"$C" --lab "$same" lab up >"$T_TMP/s1.out" 2>&1 &
p1=$!
"$C" --lab "$same" lab up >"$T_TMP/s2.out" 2>&1 &
p2=$!
wait "$p1"; r1=$?
wait "$p2"; r2=$?
t_eq "exactly one concurrent lab up of $same succeeds" 1 $(( (r1 == 0) + (r2 == 0) ))
t_match "the other says the lab exists" "already exists" "$(cat "$T_TMP/s1.out" "$T_TMP/s2.out")"
t_eq "the winner's lab is complete" 5 "$(count_ns "$same")"
t_ok "and healthy" "$C" --lab "$same" lab status
t_ok "lab $same down" "$C" --lab "$same" lab down

t_done
