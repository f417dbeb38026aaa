#!/usr/bin/env bash
# Traffic from inside the cluster, on a hand-built two-node world
# (proxy_topo.sh): ClusterIP from a pod (its address kept) and from a node
# (masqueraded), NodePort from the VNet, hairpin, sessionAffinity ClientIP,
# internalTrafficPolicy Local, no endpoints (reset), terminating fallback.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proxy_topo.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces, nftables)"

t_ok "two-node world" pt_world
t_ok "pod web0 on node0" pt_pod web0 0 10.244.0.2
t_ok "pod web1 on node1" pt_pod web1 1 10.244.1.2
t_ok "pod c1 on node1" pt_pod c1 1 10.244.1.10
t_ok "clientip-echo in web0" pt_echo web0
t_ok "clientip-echo in web1" pt_echo web1

pt_svc web type=NodePort cip=10.0.0.80 port=80 target=8080 nodeport=30080
pt_eps web 10.244.0.2:node0:8080
pt_svc sticky cip=10.0.0.81 port=80 target=8080 affinity=600
pt_eps sticky 10.244.0.2:node0:8080 10.244.1.2:node1:8080
pt_svc spread cip=10.0.0.85 port=80 target=8080
pt_eps spread 10.244.0.2:node0:8080 10.244.1.2:node1:8080
pt_svc itp cip=10.0.0.82 port=80 target=8080 itp=Local
pt_eps itp 10.244.0.2:node0:8080
pt_svc empty type=NodePort cip=10.0.0.83 port=80 target=8080 nodeport=30083
pt_svc term cip=10.0.0.84 port=80 target=8080
pt_eps term 10.244.0.2:node0:8080:terminating
t_ok "agent on node0" pt_agent 0
t_ok "agent on node1" pt_agent 1
t_ok "node1 has every Service" t_wait 5 pt_has 1 '10\.0\.0\.84 \. tcp \. 80 : goto service-'
if [ "${CLIENTIP_PROXY_LAYOUT:-}" = compact ]; then
	# Run by test_proxy_compact.sh: the same checks on the compact layout.
	t_ok "compact layout in use" pt_has 1 'set hairpin-endpoints'
fi

# --- ClusterIP ---------------------------------------------------------------
t_eq "ClusterIP from a pod on the other node: the pod's own address" "::ffff:10.244.1.10" \
	"$(pt_curl c1 http://10.0.0.80/)"
t_eq "ClusterIP from node1: masqueraded to its VNet address" "::ffff:10.240.0.5" \
	"$(pt_curl node1 http://10.0.0.80/)"
t_eq "ClusterIP from node0 (local endpoint): masqueraded to cbr0" "::ffff:10.244.0.1" \
	"$(pt_curl node0 http://10.0.0.80/)"
t_eq "hairpin: the endpoint reaching itself through its Service is masqueraded" \
	"::ffff:10.244.0.1" "$(pt_curl web0 http://10.0.0.80/)"

# --- NodePort ---------------------------------------------------------------
t_eq "NodePort on node1 from the VNet: SNAT to node1" "::ffff:10.240.0.5" \
	"$(pt_curl edge http://10.240.0.5:30080/)"
t_eq "NodePort on node0 from the VNet: SNAT to cbr0" "::ffff:10.244.0.1" \
	"$(pt_curl edge http://10.240.0.4:30080/)"
t_eq "NodePort of node0 from a pod on node1: SNAT on node0" "::ffff:10.244.0.1" "$(pt_curl c1 http://10.240.0.4:30080/)"

# --- session affinity -------------------------------------------------------
names() { # ns url count: the distinct pod names answering
	local i
	for ((i = 0; i < $3; i++)); do
		pt_in "$1" curl -s --max-time 2 "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])'
	done | sort -u | tr '\n' ' '
}
t_match "without affinity, both endpoints answer" '^web0 web1 $' "$(names c1 http://10.0.0.85/json 24)"
sticky=$(names c1 http://10.0.0.81/json 12)
t_match "sessionAffinity ClientIP: one endpoint for one client" '^web[01] $' "$sticky"
t_match "the affinity set remembers the client with its timeout" \
	'10\.244\.1\.10 (timeout 10m|expires)' "$(pt_in node1 nft list table ip kube-proxy)"
t_match "another client may land elsewhere, but sticks too" '^web[01] $' "$(names node1 http://10.0.0.81/json 8)"

# --- internalTrafficPolicy Local ---------------------------------------------
t_eq "internalTrafficPolicy Local, no endpoint on this node: dropped" "ERR28" \
	"$(pt_curl c1 http://10.0.0.82/)"
t_eq "internalTrafficPolicy Local, endpoint on this node: served" "::ffff:10.244.0.1" \
	"$(pt_curl node0 http://10.0.0.82/)"

# --- no endpoints -------------------------------------------------------------
t_eq "no endpoints: ClusterIP connection refused (reset)" "ERR7" "$(pt_curl c1 http://10.0.0.83/)"
t_eq "no endpoints: NodePort connection refused" "ERR7" "$(pt_curl edge http://10.240.0.5:30083/)"
t_eq "no endpoints: from the node itself, refused" "ERR7" "$(pt_curl node0 http://10.0.0.83/)"
rejected() {
	grep -Eq 'clientip_proxy_packets_rejected_no_endpoints_total\{namespace="default",service="empty"\} [1-9]' \
		"$PT_STATE/status/nodes/node1.metrics"
}
t_ok "rejections are counted" t_wait 6 rejected

# --- terminating endpoints (KEP-1669) -----------------------------------------
t_eq "only a serving+terminating endpoint: still used" "::ffff:10.244.1.10" \
	"$(pt_curl c1 http://10.0.0.84/)"
pt_eps term 10.244.0.2:node0:8080:gone
t_ok "no longer serving: rejected" t_wait 5 pt_has 1 '10\.0\.0\.84 \. tcp \. 80 .*goto reject-chain'
t_eq "terminating and not serving: refused" "ERR7" "$(pt_curl c1 http://10.0.0.84/)"
pt_eps term 10.244.0.2:node0:8080:terminating 10.244.1.2:node1:8080
t_ok "a ready endpoint again" t_wait 5 pt_has 1 '10\.0\.0\.84 \. tcp \. 80 : goto service-'
t_eq "ready endpoints win over terminating ones" "web1 " "$(names c1 http://10.0.0.84/json 8)"

# --- endpoints move -------------------------------------------------------------
pt_eps web 10.244.1.2:node1:8080
web_chain() { pt_in node1 nft list table ip kube-proxy | sed -n '/chain service-[A-Z2-7]*-default\/web\/tcp\/80 {/,/}/p'; }
moved() { web_chain | grep -q '10\.244\.1\.2' && ! web_chain | grep -q '10\.244\.0\.2'; }
t_ok "node1 follows an endpoint change" t_wait 5 moved
t_eq "the Service now reaches web1" "web1 " "$(names c1 http://10.0.0.80/json 6)"
t_ok "stale chains of the old endpoint are deleted" t_wait 5 pt_hasnt 1 'default/web/tcp/80__10\.244\.0\.2/8080'
pt_rm_svc web
t_ok "a deleted Service leaves the ruleset" t_wait 5 pt_hasnt 1 '10\.0\.0\.80'
t_ok "agents still running" kill -0 "${PT_AGENT[0]}" "${PT_AGENT[1]}"
pt_done
