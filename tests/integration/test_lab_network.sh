#!/usr/bin/env bash
# The lab's address plan, routes and reachability (cli/README.md,
# "The lab"), including what the edge must not forward. Every packet is
# sent from inside a lab namespace (clientip exec), never from the host's.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
lab=$(t_unique)

# ICMP echo with a raw socket (the lab needs no ping binary).
PING_PY='
import os, socket, struct, sys, time
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
dst, ident = sys.argv[1], os.getpid() & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
body = struct.pack("!HH", ident, 1) + b"clientip"
s.sendto(struct.pack("!BBH", 8, 0, csum(struct.pack("!BBH", 8, 0, 0) + body)) + body, (dst, 0))
end = time.time() + float(sys.argv[2])
while time.time() < end:
    s.settimeout(max(end - time.time(), 0.01))
    try:
        data, addr = s.recvfrom(2048)
    except socket.timeout:
        break
    ihl = (data[0] & 15) * 4
    if addr[0] == dst and data[ihl] == 0 and struct.unpack("!H", data[ihl + 4:ihl + 6])[0] == ident:
        sys.exit(0)
sys.exit(1)
'
# An HTTP server that answers with the address it sees the client at.
SERVE_PY='
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = self.client_address[0].encode()
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a): pass
http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
'

reach() { "$C" --lab "$lab" exec "$1" -- python3 -c "$PING_PY" "$2" "${3:-2}"; }
listening() { "$C" --lab "$lab" exec "$1" -- ss -Hltn "sport = :$2" | grep -q LISTEN; }
serve() { # HOST ADDR PORT
	"$C" --lab "$lab" exec "$1" -- python3 -c "$SERVE_PY" "$2" "$3" >/dev/null 2>&1 &
	t_wait 10 listening "$1" "$3"
}
fetch() { "$C" --lab "$lab" exec "$1" -- curl -sS --max-time "${3:-5}" "$2"; }
dropped() { "$C" --lab "$lab" exec edge -- nft list chain inet edge_filter forward |
	sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
norm() { sed 's/ *$//' | sort; }

t_ok "lab up --nodes 3 --clients 2" "$C" --lab "$lab" lab up --nodes 3 --clients 2
t_defer "$C --lab $lab lab down"

# --- addresses ----------------------------------------------------------------
t_eq "edge addresses (with the gateway's frontend and subnet)" \
"inet 198.51.100.1/24
inet 203.0.113.2/32
lo 127.0.0.1/8
vnet 10.225.0.4/16
vnet 10.240.0.1/16" \
	"$("$C" --lab "$lab" exec edge -- ip -4 -o addr | awk '{print $2, $4}' | sort)"
t_eq "VNet ports on the edge" "n0 n1 n2" \
	"$("$C" --lab "$lab" exec edge -- ip -o link show master vnet | awk -F'[:@ ]+' '{print $2}' | sort | xargs)"
t_eq "internet ports on the edge" "c0 c1" \
	"$("$C" --lab "$lab" exec edge -- ip -o link show master inet | awk -F'[:@ ]+' '{print $2}' | sort | xargs)"
for i in 0 1 2; do
	t_eq "node$i addresses" \
"cbr0 10.244.$i.1/24
eth0 10.240.0.$((4 + i))/16
lo 127.0.0.1/8" \
		"$("$C" --lab "$lab" exec node$i -- ip -4 -o addr | awk '{print $2, $4}' | sort)"
	t_match "node$i eth0 is the edge's n$i" "link-netns cip-$lab-edge" \
		"$("$C" --lab "$lab" exec node$i -- ip -d link show eth0)"
	t_eq "node$i forwards" 1 "$("$C" --lab "$lab" exec node$i -- cat /proc/sys/net/ipv4/ip_forward)"
	t_eq "node$i rp_filter off" 0 "$("$C" --lab "$lab" exec node$i -- cat /proc/sys/net/ipv4/conf/all/rp_filter)"
done
for i in 0 1; do
	t_eq "client$i addresses" \
"eth0 198.51.100.$((10 + i))/24
lo 127.0.0.1/8" \
		"$("$C" --lab "$lab" exec client$i -- ip -4 -o addr | awk '{print $2, $4}' | sort)"
	t_eq "client$i routes" \
"198.51.100.0/24 dev eth0 proto kernel scope link src 198.51.100.$((10 + i))
default via 198.51.100.1 dev eth0" \
		"$("$C" --lab "$lab" exec client$i -- ip -4 route | norm)"
done
t_eq "control has only lo" "lo" "$("$C" --lab "$lab" exec control -- ip -o link | awk -F'[:@ ]+' '{print $2}' | xargs)"
t_eq "edge forwards" 1 "$("$C" --lab "$lab" exec edge -- cat /proc/sys/net/ipv4/ip_forward)"
t_eq "clients do not forward" 0 "$("$C" --lab "$lab" exec client0 -- cat /proc/sys/net/ipv4/ip_forward)"

# --- routes: kubenet style -------------------------------------------------------
t_eq "node1 routes" \
"10.240.0.0/16 dev eth0 proto kernel scope link src 10.240.0.5
10.244.0.0/24 via 10.240.0.4 dev eth0
10.244.1.0/24 dev cbr0 proto kernel scope link src 10.244.1.1 linkdown
10.244.2.0/24 via 10.240.0.6 dev eth0
default via 10.240.0.1 dev eth0" \
	"$("$C" --lab "$lab" exec node1 -- ip -4 route | norm)"
# (Routes to the frontend pool belong to the load balancer, not to the plan.)
# The pod CIDRs are the VNet's route table under kubenet, for the gateway.
t_eq "edge routes" \
"10.225.0.0/16 dev vnet proto kernel scope link src 10.225.0.4
10.240.0.0/16 dev vnet proto kernel scope link src 10.240.0.1
10.244.0.0/24 via 10.240.0.4 dev vnet
10.244.1.0/24 via 10.240.0.5 dev vnet
10.244.2.0/24 via 10.240.0.6 dev vnet
198.51.100.0/24 dev inet proto kernel scope link src 198.51.100.1" \
	"$("$C" --lab "$lab" exec edge -- ip -4 route | grep -v '^203\.0\.113\.' | norm)"

# --- the edge filter ------------------------------------------------------------
ruleset=$("$C" --lab "$lab" exec edge -- nft list ruleset)
t_match "edge has table inet edge_filter" "table inet edge_filter" "$ruleset"
t_match "its forward policy is drop" "hook forward priority filter; policy drop;" "$ruleset"

# --- reachability that must work ------------------------------------------------
t_ok "client0 -> edge (ICMP)" reach client0 198.51.100.1
t_ok "client0 -> client1 (ICMP)" reach client0 198.51.100.11
t_ok "node0 -> edge (ICMP)" reach node0 10.240.0.1
t_ok "edge -> node2 (ICMP)" reach edge 10.240.0.6
t_ok "node0 -> node2 over the VNet (ICMP)" reach node0 10.240.0.6
t_ok "node0 -> node2's cbr0 (ICMP)" reach node0 10.244.2.1
t_ok "node2 -> node0's cbr0 (ICMP)" reach node2 10.244.0.1

t_ok "TCP server on the edge" serve edge 198.51.100.1 8080
t_eq "client0 -> edge (TCP) seen from 198.51.100.10" "198.51.100.10" "$(fetch client0 http://198.51.100.1:8080/)"
t_ok "TCP server on node1's VNet address" serve node1 10.240.0.5 8080
t_eq "node0 -> node1 (TCP)" "10.240.0.4" "$(fetch node0 http://10.240.0.5:8080/)"
t_ok "TCP server on node1's cbr0" serve node1 10.244.1.1 8081
t_eq "node0 -> node1's pod CIDR (TCP), routed not NATed" "10.240.0.4" "$(fetch node0 http://10.244.1.1:8081/)"

# --- what the edge must not forward ------------------------------------------------
before=$(dropped)
t_not "client0 -> node0 (ICMP) is blocked" reach client0 10.240.0.4 1
t_not "client0 -> node1's pod CIDR (ICMP) is blocked" reach client1 10.244.1.1 1
"$C" --lab "$lab" exec client0 -- curl -sS --max-time 1 http://10.240.0.5:8080/ >"$T_TMP/out" 2>&1
t_eq "client0 -> node1:8080 (TCP) times out: dropped, not refused" 28 $?
t_ok "the edge filter counted the drops" test "$(dropped)" -gt "$before"
t_ok "TCP server on client0" serve client0 198.51.100.10 8080
"$C" --lab "$lab" exec node0 -- curl -sS --max-time 1 http://198.51.100.10:8080/ >"$T_TMP/out" 2>&1
t_eq "node0 cannot open flows to the internet" 28 $?

# --- what it must forward: flows to the frontend pool ----------------------------
# The edge filter on its own: the load balancer (rightly) drops frontend flows
# it has no rule for, so it is frozen (SIGSTOP: killed, the lab's supervisor
# would start it again and it would put its tables back) and its tables
# removed, and this test stands in for it with a frontend IP on node1 and a
# route to it on the edge (floating IP: the node sees the frontend address
# as destination).
t_ok "the load balancer is frozen" "$C" --lab "$lab" lab kill lb --signal STOP
"$C" --lab "$lab" exec edge -- nft list tables | grep -v "^table inet edge_filter$" |
	while read -r _ family name; do
		"$C" --lab "$lab" exec edge -- nft delete table "$family" "$name"
	done
t_eq "only the edge filter is left on the edge" "table inet edge_filter" \
	"$("$C" --lab "$lab" exec edge -- nft list tables)"
t_ok "frontend 203.0.113.9 on node1" "$C" --lab "$lab" exec node1 -- ip addr add 203.0.113.9/32 dev lo
t_ok "edge routes it to node1" "$C" --lab "$lab" exec edge -- ip route add 203.0.113.9/32 via 10.240.0.5
t_ok "server on the frontend IP" serve node1 203.0.113.9 80
t_eq "client1 -> frontend: reaches node1 and keeps its address" "198.51.100.11" \
	"$(fetch client1 http://203.0.113.9/)"
t_eq "curl command does the same" "198.51.100.11" "$("$C" --lab "$lab" curl --from client1 http://203.0.113.9/)"
t_eq "curl defaults to client0" "198.51.100.10" "$("$C" --lab "$lab" curl http://203.0.113.9/)"

t_done
