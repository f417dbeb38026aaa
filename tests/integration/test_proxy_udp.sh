#!/usr/bin/env bash
# UDP Services on a hand-built two-node world (proxy_topo.sh): ClusterIP and
# NodePort, ICMP port unreachable without endpoints, and stale conntrack
# entries deleted when an endpoint goes away, so a client that keeps its
# source port moves to the new endpoint instead of the old one, and kept
# while it is terminating but still serving (kube-proxy's rule).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proxy_topo.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces, nftables)"

# A UDP echo: answers "<pod> <client address>".
pt_udp_echo() {
	pt_bg ip netns exec "$(pt_ns "$1")" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5353))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(("%s %s" % (sys.argv[1], peer[0])).encode(), peer)
' "$1"
}

# udp NS HOST PORT [SPORT]: one datagram, the answer, TIMEOUT or REFUSED.
udp() {
	pt_in "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[3])))
s.settimeout(1.0)
s.connect((sys.argv[1], int(sys.argv[2])))
try:
    s.send(b"ping")
    print(s.recv(2048).decode(), end="")
except socket.timeout:
    print("TIMEOUT", end="")
except ConnectionRefusedError:
    print("REFUSED", end="")
' "$2" "$3" "${4:-0}"
}

t_ok "two-node world" pt_world
t_ok "pod u0 on node0" pt_pod u0 0 10.244.0.3
t_ok "pod u1 on node1" pt_pod u1 1 10.244.1.3
t_ok "pod c1 on node1" pt_pod c1 1 10.244.1.10
pt_udp_echo u0
pt_udp_echo u1
pt_svc dns type=NodePort proto=UDP cip=10.0.0.10 port=53 target=5353 nodeport=30053
pt_eps dns 10.244.0.3:node0:5353
pt_svc silent proto=UDP cip=10.0.0.11 port=53 target=5353
t_ok "agent on node0" pt_agent 0
t_ok "agent on node1" pt_agent 1
t_ok "node1 has the UDP Service" t_wait 5 pt_has 1 '10\.0\.0\.10 \. udp \. 53 : goto service-'
ready() { [ "$(udp u0 127.0.0.1 5353)" = "u0 127.0.0.1" ]; }
t_ok "UDP echo answers" t_wait 5 ready

t_eq "UDP ClusterIP from a pod: its own address" "u0 10.244.1.10" "$(udp c1 10.0.0.10 53 40000)"
t_eq "UDP NodePort from the VNet: SNAT to node1" "u0 10.240.0.5" "$(udp edge 10.240.0.5 30053)"
t_eq "UDP without endpoints: port unreachable" "REFUSED" "$(udp c1 10.0.0.11 53)"
t_match "the flow is in conntrack, DNATed to u0" 'src=10\.244\.0\.3 dst=10\.244\.1\.10 sport=5353 dport=40000' \
	"$(pt_in node1 conntrack -L -p udp 2>/dev/null)"

# u0 is still alive: without the cleanup, the same client (same source
# port, entry not expired) would keep talking to it.
pt_eps dns 10.244.1.3:node1:5353
t_ok "node1 follows the endpoint change" t_wait 5 pt_has 1 'dnat to 10\.244\.1\.3:5353'
gone() { ! pt_in node1 conntrack -L -p udp 2>/dev/null | grep -q 'src=10\.244\.0\.3 dst=10\.244\.1\.10 sport=5353 dport=40000'; }
t_ok "the stale entry is deleted" t_wait 5 gone
t_eq "the same client moves to the new endpoint" "u1 10.244.1.10" "$(udp c1 10.0.0.10 53 40000)"
counted() {
	grep -Eq 'clientip_proxy_stale_udp_conntrack_entries_deleted_total [1-9]' \
		"$PT_STATE/status/nodes/node1.metrics"
}
t_ok "deletions are counted" t_wait 5 counted
t_eq "UDP NodePort follows too" "u1 10.244.1.1" "$(udp edge 10.240.0.5 30053)"

# kube-proxy's rule keeps entries towards any serving endpoint, whatever
# the policy or terminating state: u1 terminating (still serving) while u0
# takes new flows keeps the client that talks to u1.
t_eq "the client talks to u1" "u1 10.244.1.10" "$(udp c1 10.0.0.10 53 40000)"
pt_eps dns 10.244.1.3:node1:5353:terminating 10.244.0.3:node0:5353
only_u0() { pt_has 1 'dnat to 10\.244\.0\.3:5353' && pt_hasnt 1 'dnat to 10\.244\.1\.3:5353'; }
t_ok "node1 sends new flows to u0 only" t_wait 5 only_u0
t_eq "a new client goes to u0" "u0 10.244.1.10" "$(udp c1 10.0.0.10 53 40001)"
t_eq "the client of the terminating endpoint keeps it" "u1 10.244.1.10" \
	"$(udp c1 10.0.0.10 53 40000)"
# No longer serving: now its entries go.
pt_eps dns 10.244.1.3:node1:5353:gone 10.244.0.3:node0:5353
gone_u1() { ! pt_in node1 conntrack -L -p udp 2>/dev/null | grep -q 'src=10\.244\.1\.3 dst=10\.244\.1\.10 sport=5353 dport=40000'; }
t_ok "entries towards an endpoint no longer serving are deleted" t_wait 5 gone_u1
t_eq "and its client moves to u0" "u0 10.244.1.10" "$(udp c1 10.0.0.10 53 40000)"
pt_done
