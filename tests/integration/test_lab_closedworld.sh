#!/usr/bin/env bash
# Closed world (cli/README.md, "The lab"): a lab up, in use and down changes nothing in
# the host's own network namespace — links, addresses, routes of every
# table, rules, nftables, forwarding sysctls — and leaves no namespace
# behind. Only the lab's own names in /run/netns come and go (other tests
# run their labs at the same time, so /run/netns is compared for ours only).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
lab=$(t_unique)

snapshot() {
	echo "== ip -d link";             ip -d link
	echo "== ip addr";                ip addr
	echo "== ip route table all";     ip route show table all
	echo "== ip -6 route table all";  ip -6 route show table all
	echo "== ip rule";                ip rule
	echo "== ip -6 rule";             ip -6 rule
	echo "== nft list ruleset";       nft list ruleset
	echo "== sysctls"
	sysctl net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.ipv4.conf.default.forwarding \
		net.ipv6.conf.all.forwarding net.ipv4.conf.all.rp_filter 2>&1
}
ours() { ls /run/netns 2>/dev/null | grep "^cip-$lab-" | xargs; }

snapshot >"$T_TMP/before" 2>&1
t_eq "no namespace of ours before" "" "$(ours)"

t_ok "lab up --nodes 2 --clients 2" "$C" --lab "$lab" lab up --nodes 2 --clients 2
t_defer "$C --lab $lab lab down"
# Use it: traffic across the edge, the VNet and a node's forwarding path
# (a refused connection is a full round trip; a timeout is the edge's drop).
"$C" --lab "$lab" exec client0 -- curl -s --max-time 2 http://198.51.100.1:9/ >/dev/null 2>&1
t_eq "traffic: client0 -> edge" 7 $?
"$C" --lab "$lab" exec node0 -- curl -s --max-time 2 http://10.244.1.1:9/ >/dev/null 2>&1
t_eq "traffic: node0 -> node1's pod CIDR" 7 $?
"$C" --lab "$lab" exec client1 -- curl -s --max-time 1 http://10.240.0.4:9/ >/dev/null 2>&1
t_eq "traffic: client1 -> node0 dropped by the edge" 28 $?

snapshot >"$T_TMP/during" 2>&1
t_eq "all six namespaces present while up" 6 "$(ours | wc -w)"
if diff -u "$T_TMP/before" "$T_TMP/during" >"$T_TMP/diff"; then
	t_pass "host namespace unchanged while the lab is up"
else
	t_fail "host namespace unchanged while the lab is up" "$(head -c 3000 "$T_TMP/diff")"
fi

t_ok "lab down" "$C" --lab "$lab" lab down
snapshot >"$T_TMP/after" 2>&1
t_eq "no namespace of ours after" "" "$(ours)"
if diff -u "$T_TMP/before" "$T_TMP/after" >"$T_TMP/diff"; then
	t_pass "host namespace unchanged after lab down"
else
	t_fail "host namespace unchanged after lab down" "$(head -c 3000 "$T_TMP/diff")"
fi

t_done
