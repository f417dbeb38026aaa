#!/usr/bin/env bash
# The node proxy as a client of the lab's API server, on a hand-built world
# (proxy_topo.sh): a Service created by the calls kubectl makes reaches the
# nodes' rulesets through the API alone, and a frozen API server takes nothing down: the
# rules, the health check node port and /healthz stay, an agent restarted
# meanwhile keeps the table, and both catch up once the server is back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proxy_topo.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces, nftables)"

t_ok "two-node world" pt_world
t_ok "pod web0 on node0" pt_pod web0 0 10.244.0.2
t_ok "pod c1 on node1" pt_pod c1 1 10.244.1.10
t_ok "clientip-echo in web0" pt_echo web0
t_ok "agent on node0" pt_agent 0
CLIENTIP_PROXY_SYNC_PERIOD_S=1 t_ok "agent on node1 (sync period 1 s)" pt_agent 1

# kubectl create service loadbalancer: a POST without clusterIP or node
# ports; the server allocates them.
svc='{"apiVersion":"v1","kind":"Service","metadata":{"name":"api","namespace":"default"},
 "spec":{"type":"LoadBalancer","externalTrafficPolicy":"Local","selector":{"app":"api"},
 "ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080}]}}'
out=$(printf '%s' "$svc" | pt_api POST /api/v1/namespaces/default/services)
t_ok "POST /api/v1/namespaces/default/services: created" [ $? -eq 0 ]
cip=$(printf '%s' "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["spec"]["clusterIP"])')
hc=$(printf '%s' "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["spec"]["healthCheckNodePort"])')
t_match "a cluster IP allocated" '^10\.0\.[0-9]+\.[0-9]+$' "$cip"
pt_eps api 10.244.0.2:node0:8080
t_ok "node1 programs the allocated cluster IP" t_wait 10 pt_has 1 "${cip//./\\.} \\. tcp \\. 80 : goto service-"
# Only the server's own storage (its etcd).
t_eq "no state file for the Service or its endpoints" "" \
	"$(find "$PT_STATE" -name '*default_api*' ! -path "$PT_STATE/apiserver/*")"
t_eq "the Service answers from node1's pod" "::ffff:10.244.1.10" "$(pt_curl c1 "http://$cip/")"
printf '{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.20","ipMode":"VIP"}]}}}' |
	pt_api PATCH /api/v1/namespaces/default/services/api/status application/merge-patch+json \
	>/dev/null
t_ok "status.loadBalancer.ingress reaches node0" t_wait 10 pt_has 0 '203\.0\.113\.20 \. tcp \. 80'
pt_route 203.0.113.20 0
t_eq "the frontend IP answers with the client's address (Local)" "::ffff:198.51.100.10" \
	"$(pt_curl client http://203.0.113.20/)"
hc_local() { pt_curl edge "http://10.240.0.4:$hc/" | grep -q '"localEndpoints":1'; }
t_ok "node0's health check node port $hc: 1 local endpoint" t_wait 10 hc_local

# --- the API server frozen ----------------------------------------------------
healthy() { [ "$(pt_in edge curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://10.240.0.$1:10256/healthz")" = 200 ]; }
kill -STOP "$PT_APISERVER"
t_defer "kill -CONT $PT_APISERVER 2>/dev/null"
pt_agent_kill 0
t_ok "agent on node0 restarted while the API server is frozen" pt_agent 0
sleep 4   # past twice node1's sync period and the restarted agent's first lists: time is what is tested
t_eq "frozen: the frontend IP still answers through the restarted node0" "::ffff:198.51.100.10" \
	"$(pt_curl client http://203.0.113.20/)"
t_eq "frozen: the cluster IP still answers from node1" "::ffff:10.244.1.10" "$(pt_curl c1 "http://$cip/")"
t_ok "frozen: node1 healthy" healthy 5
t_ok "frozen: node1 keeps the rules" pt_has 1 "${cip//./\\.} \\. tcp \\. 80 : goto service-"
t_match "frozen: node1's health check node port still answers" '"localEndpoints":0' \
	"$(pt_curl edge "http://10.240.0.5:$hc/")"
kill -CONT "$PT_APISERVER"
t_ok "back: the restarted node0 lists and serves the health check node port" t_wait 15 hc_local

# A deletion while nobody is frozen any more: both nodes catch up.
pt_api DELETE /api/v1/namespaces/default/services/api </dev/null >/dev/null
t_ok "deleted: node1 drops the cluster IP" t_wait 10 pt_hasnt 1 "${cip//./\\.} \\. tcp"
t_ok "deleted: node0 drops the frontend IP" t_wait 10 pt_hasnt 0 '203\.0\.113\.20'
pt_done
