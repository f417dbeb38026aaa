#!/usr/bin/env bash
# loadBalancerSourceRanges through the whole lab, as on AKS: two internet
# clients, one inside the ranges and one outside. The nodes see the
# client's own address (floating IP), so their firewall-check (kube-proxy's
# rule, where AKS's NSG also acts) lets one in and drops the other; the
# load balancer's probes, on NodePorts, are not affected, and neither is
# the allowed client under Local.
. "$(dirname "$0")/lib.sh"

C=$T_BUILD/clientip
lab=$(t_unique)
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

t_ok "lab up with two clients" "$C" --lab "$lab" lab up --nodes 2 --clients 2 --probe-interval 1
t_defer "$C --lab $lab lab down"
for policy in Cluster Local; do
	{ t_scenario_manifest "$policy"; echo "  loadBalancerSourceRanges: [198.51.100.10/32]"; } >"$T_TMP/app.yaml"
	t_ok "$policy: apply with loadBalancerSourceRanges 198.51.100.10/32" "$C" --lab "$lab" apply -f "$T_TMP/app.yaml"
	t_ok "$policy: pod Ready" t_wait 30 "$C" --lab "$lab" wait --for=condition=Ready pod -l app=node --timeout 1s
	pool_up() { "$C" --lab "$lab" probes node-service 2>/dev/null | grep -Eq "^Health Probe Status: (50|100) %"; }
	t_ok "$policy: probes unaffected" t_wait 30 pool_up
	FE=$("$C" --lab "$lab" get svc node-service -o json | sed -n 's/.*"ip": "\(203\.0\.113\.[0-9]*\)".*/\1/p' | head -1)
	ok_from() { [ -n "$("$C" --lab "$lab" curl --from "$1" --max-time 2 "http://$FE/" 2>/dev/null)" ]; }
	t_ok "$policy: client0 (198.51.100.10, inside) is answered" t_wait 15 ok_from client0
	t_not "$policy: client1 (198.51.100.11, outside) is not" ok_from client1
	t_not "$policy: not even on a second try" ok_from client1
done
{ t_scenario_manifest Cluster; echo "  loadBalancerSourceRanges: [198.51.100.0/24]"; } >"$T_TMP/wide.yaml"
t_ok "widen the range to 198.51.100.0/24" "$C" --lab "$lab" apply -f "$T_TMP/wide.yaml"
ok1() { [ -n "$("$C" --lab "$lab" curl --from client1 --max-time 2 "http://$FE/" 2>/dev/null)" ]; }
t_ok "client1 is answered now" t_wait 15 ok1
{ t_scenario_manifest Cluster; echo "  loadBalancerSourceRanges: [198.51.100.300/32]"; } >"$T_TMP/bad.yaml"
t_match "a bad range is a manifest error at its position" "bad\.yaml:[0-9]+:[0-9]+: spec\.loadBalancerSourceRanges\[0\]" \
	"$("$C" --lab "$lab" apply -f "$T_TMP/bad.yaml" 2>&1)"

t_done
