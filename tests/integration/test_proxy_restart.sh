#!/usr/bin/env bash
# Killing and restarting the node agent, on a hand-built world
# (proxy_topo.sh): an open keep-alive connection through the Service
# survives SIGKILL and restart, new connections work while the agent is
# down (the table stays), and the restarted agent, which replaces the table
# in one batch, converges to exactly what the killed one had built by
# partial syncs. Changes made while it was down are picked up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proxy_topo.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces, nftables)"

t_ok "two-node world" pt_world
t_ok "pod web0 on node0" pt_pod web0 0 10.244.0.2
t_ok "pod web1 on node1" pt_pod web1 1 10.244.1.2
t_ok "clientip-echo in web0" pt_echo web0
t_ok "clientip-echo in web1" pt_echo web1
pt_svc node-service type=LoadBalancer cip=10.0.166.24 port=80 target=8080 nodeport=31080 \
	ingress=203.0.113.10 etp=Local hc=32080
pt_eps node-service 10.244.0.2:node0:8080
t_ok "agent on node0" pt_agent 0
t_ok "node0 serves the Service" t_wait 5 pt_has 0 'goto local-'
pt_route 203.0.113.10 0

# Partial syncs on top of the first full one: a new Service, an endpoint
# added, one removed, affinity switched on.
pt_svc web type=NodePort cip=10.0.0.80 port=80 target=8080 nodeport=30080 affinity=60
pt_eps web 10.244.0.2:node0:8080 10.244.1.2:node1:8080
pt_svc gone cip=10.0.0.81 port=80 target=8080
pt_eps gone 10.244.1.2:node1:8080
t_ok "partial syncs applied" t_wait 5 pt_has 0 '10\.0\.0\.81 \. tcp'
pt_eps web 10.244.1.2:node1:8080
pt_rm_svc gone
t_ok "more partial syncs applied" t_wait 5 pt_hasnt 0 '10\.0\.0\.81 \. tcp'
t_ok "stale chains deleted" t_wait 5 pt_hasnt 0 'default/gone/'
t_ok "only the first sync replaced the table" [ "$(grep -c 'table ip kube-proxy replaced' "$T_TMP/agent0.log")" -eq 1 ]
before=$(pt_canon 0)

# A keep-alive connection: one request now, one after the restart.
mkfifo "$T_TMP/go"
pt_in client python3 -c '
import http.client, json, sys
c = http.client.HTTPConnection("203.0.113.10", 80, timeout=30)
def get():
    c.request("GET", "/json")
    j = json.loads(c.getresponse().read())
    return "%s:%s" % (j["remoteAddress"], j["remotePort"])
print(get(), flush=True)
open(sys.argv[1]).read()
print(get(), flush=True)
' "$T_TMP/go" >"$T_TMP/keepalive.out" 2>&1 &
ka=$!
t_defer "kill -9 $ka 2>/dev/null"
first() { [ -s "$T_TMP/keepalive.out" ]; }
t_ok "keep-alive connection: first request" t_wait 30 first
t_match "it carries the client's address (Local)" '^::ffff:198\.51\.100\.10:[0-9]+$' "$(head -1 "$T_TMP/keepalive.out")"

pt_agent_kill 0
t_ok "the table stays when the agent dies" pt_in node0 nft list table ip kube-proxy
t_eq "new connections work while the agent is down" "::ffff:198.51.100.10" \
	"$(pt_curl client http://203.0.113.10/)"
t_ok "agent restarted" pt_agent 0
same() { [ "$(pt_canon 0)" = "$before" ]; }
t_ok "restarted agent converges to the same ruleset" t_wait 10 same
if ! same; then diff <(printf '%s\n' "$before") <(pt_canon 0) | head -20; fi
echo >"$T_TMP/go"
wait "$ka"
lines=$(cat "$T_TMP/keepalive.out")
t_eq "keep-alive connection: second request on the same connection" \
	"$(head -1 "$T_TMP/keepalive.out")" "$(printf '%s\n' "$lines" | sed -n 2p)"
t_eq "health check node port back after the restart" "200" \
	"$(pt_in edge curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://10.240.0.4:32080/)"

# Changes while the agent is down are picked up by the next one.
pt_agent_kill 0
pt_svc late cip=10.0.0.90 port=80 target=8080
pt_eps late 10.244.1.2:node1:8080
pt_eps node-service 10.244.0.2:node0:8080 10.244.1.2:node1:8080
t_ok "agent restarted again" pt_agent 0
t_ok "a Service created while the agent was down is programmed" t_wait 5 pt_has 0 '10\.0\.0\.90 \. tcp \. 80 : goto service-'
t_eq "and reachable" "::ffff:10.240.0.4" "$(pt_curl node0 http://10.0.0.90/)"
t_eq "health check weight follows local endpoints only" "1" \
	"$(pt_in edge curl -s -D - -o /dev/null --max-time 2 http://10.240.0.4:32080/ | tr -d '\r' | sed -n 's/^X-Load-Balancing-Endpoint-Weight: //p')"
t_ok "agent still running" kill -0 "${PT_AGENT[0]}"
pt_done
