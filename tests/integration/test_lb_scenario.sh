#!/usr/bin/env bash
# The scenario end to end (README.md, "The scenario, step by step") through
# the cloud load balancer: `clientip lab up`, the agents and `clientip
# apply` with the scenario's manifests on 2 nodes. Cluster -> Health Probe
# Status 100 % and the app sees a cluster address; Local -> 50 % and the app
# sees the client's own address. Then a node's link is cut (taken out within
# the probe bound, new flows avoid it, an established keep-alive connection
# to the other node is untouched), recovers, every backend goes down (new
# flows dropped, the established one goes on), and the Service is deleted
# (frontend released, rules gone). Every request starts in a lab client.
# Through kubectl, a second Service with two ports: appProtocol http gives
# port 80 an HTTP probe, port 81 (the pod does not listen) has an empty
# pool; an interval of 3 is refused with a SyncLoadBalancerFailed Event and
# the load balancer left as it was, and the fixed annotation applies.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
lab=$(t_unique)
INTERVAL=1 THRESHOLD=2

manifest() { t_scenario_manifest "$1" "$2"; } # policy replicas
# One keep-alive connection from the client: a request (/json) whenever
# go-<n> appears in its directory, the answer into resp-<n>.
# One keep-alive connection: request n when go-n appears, and a request
# every 3 s in between, so that the app's idle timeout (10 s) never closes
# it however slow the steps between are. A connection that failed once is
# not reopened (http.client would do so silently): later answers say so.
KEEP_PY='
import http.client, os, sys, time
d = sys.argv[2]
c = http.client.HTTPConnection(sys.argv[1], 80, timeout=5)
n, last, broken = 0, 0.0, None
def get():
    global last, broken
    if broken:
        return "error (earlier) %s" % broken
    try:
        c.request("GET", "/json"); out = c.getresponse().read().decode()
    except Exception as e:
        broken = "%s" % e
        out = "error %s" % e
    last = time.time()
    return out
while not os.path.exists(d + "/stop"):
    if os.path.exists("%s/go-%d" % (d, n)):
        out = get()
        open("%s/resp-%d.tmp" % (d, n), "w").write(out)
        os.rename("%s/resp-%d.tmp" % (d, n), "%s/resp-%d" % (d, n))
        n += 1
    elif n > 0 and time.time() - last > 3:
        get()
    time.sleep(0.02)
'
statedir() { "$C" --lab "$lab" lab status | sed -n 's/^State: *//p'; }
frontend() { t_frontend "$SD" node-service; }
has_frontend() { [ -n "$(frontend)" ]; }
pool() { "$C" --lab "$lab" probes node-service 2>/dev/null | sed -n 's/^Health Probe Status: \([0-9-]*\).*/\1/p'; }
pool_is() { [ "$(pool)" == "$1" ]; }
state_of() { "$C" --lab "$lab" probes node-service 2>/dev/null | awk -v n="$1" '$1 == n {print $5}'; }
state_is() { [ "$(state_of "$1")" == "$2" ]; }
ask() { "$C" --lab "$lab" exec client0 -- curl -s --max-time "${2:-3}" "http://$FE$1"; }
answers() { # N: every answer of N new connections, one per line
	local i
	for ((i = 0; i < $1; i++)); do ask / 3; echo; done
}
keep() { # n: the keep-alive connection's n-th request
	touch "$KD/go-$1"
	t_wait 6 test -f "$KD/resp-$1"
	cat "$KD/resp-$1" 2>/dev/null
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
pods_ready() { [ "$("$C" --lab "$lab" get pods -l app=node 2>/dev/null | grep -c ' 1/1 .*Running')" == "$1" ]; }

t_ok "lab up --nodes 2 --probe-interval $INTERVAL" "$C" --lab "$lab" lab up --nodes 2 --clients 1 \
	--probe-interval $INTERVAL
t_defer "$C --lab $lab lab down"
SD=$(statedir)

# --- Cluster ---------------------------------------------------------------------
manifest Cluster 1 >"$T_TMP/deploy.yaml"
t_ok "apply the scenario (Cluster)" "$C" --lab "$lab" apply -f "$T_TMP/deploy.yaml"
t_ok "the pod is ready" t_wait 30 pods_ready 1
t_ok "the Service gets a frontend" t_wait 10 has_frontend
FE=$(frontend)
t_match "EXTERNAL-IP from the pool" "^203\.0\.113\.[0-9]+$" "$FE"
t_ok "Cluster: Health Probe Status 100 %" t_wait 10 pool_is 100
out=$(answers 10)
t_eq "Cluster: every request answered" 10 "$(grep -c . <<<"$out")"
t_eq "Cluster: the app sees a cluster address, never the client's" 0 \
	"$(grep -c '198\.51\.100\.10' <<<"$out")"
t_match "Cluster: e.g. ::ffff:10.x" "^::ffff:10\." "$(head -1 <<<"$out")"

# --- a probe per port, appProtocol, a refused annotation (kubectl) ------------------
KUBECONFIG=$("$C" --lab "$lab" lab kubeconfig); export KUBECONFIG
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: two
spec:
  type: LoadBalancer
  selector: {app: node}
  ports:
  - {name: web, port: 80, targetPort: 8080, appProtocol: http}
  - {name: admin, port: 81, targetPort: 8081}
YAML
rule_pool() { "$C" --lab "$lab" probes two 2>/dev/null | sed -n "s|^Health Probe Status ($1/TCP): \([0-9-]*\).*|\1|p"; }
rule_pool_is() { [ "$(rule_pool "$1")" == "$2" ]; }
t_ok "two ports: port 80's pool 100 %" t_wait 15 rule_pool_is 80 100
t_ok "two ports: port 81's pool 0 % (the pod does not listen)" t_wait 15 rule_pool_is 81 0
out=$("$C" --lab "$lab" probes two)
t_match "appProtocol http: an HTTP probe of port 80's NodePort" "node0 +10\.240\.0\.4 +HTTP :[0-9]+/ +Up +200 OK" "$out"
t_match "port 81: a TCP probe, refused" "node0 +10\.240\.0\.4 +TCP :[0-9]+ +Down" "$out"
FE2=$(t_frontend "$SD" two)
t_match "port 80 answers through the frontend" '"client"' "$("$C" --lab "$lab" exec client0 -- curl -s --max-time 3 "http://$FE2/json")"
frontends() { "$C" --lab "$lab" exec edge -- nft list map ip azure-lb frontends; }
before=$(frontends)
kubectl annotate svc two --overwrite \
	service.beta.kubernetes.io/azure-load-balancer-health-probe-interval=3 >/dev/null
failed_event() { kubectl get events --field-selector reason=SyncLoadBalancerFailed -o jsonpath='{.items[*].message}' | grep -q "$1"; }
t_ok "interval 3: a SyncLoadBalancerFailed Event on the Service" t_wait 15 failed_event "interval is 5, got 3"
t_match "the Event names the rule and the annotation" "rule default_two-TCP-80: .*azure-load-balancer-health-probe-interval" \
	"$(kubectl get events --field-selector reason=SyncLoadBalancerFailed,involvedObject.name=two -o jsonpath='{.items[*].message}')"
t_eq "refused: the load balancer's rules unchanged" "$before" "$(frontends)"
t_ok "refused: port 80 still in service" rule_pool_is 80 100
kubectl annotate svc two --overwrite \
	service.beta.kubernetes.io/azure-load-balancer-health-probe-interval=6 >/dev/null
applied() { "$C" --lab "$lab" probes two | grep -q "HTTP :[0-9]*/, every 6 s"; }
t_ok "fixed: the interval applies on the next sync" t_wait 15 applied
sync_ok() { ! "$C" --lab "$lab" probes two 2>&1 | grep -q '^Sync: *failed'; }
t_ok "fixed: the load balancer no longer reports the failure" t_wait 5 sync_ok
kubectl delete svc two >/dev/null

# --- Local -------------------------------------------------------------------------
manifest Local 1 >"$T_TMP/deploy_clientIP.yaml"
t_ok "apply the Local manifest" "$C" --lab "$lab" apply -f "$T_TMP/deploy_clientIP.yaml"
t0=$(date +%s%N)
t_ok "Local: 50 % within interval x threshold + margin" \
	t_wait $((INTERVAL * THRESHOLD + 3)) pool_is 50
echo "# Local: 50 % after $(ms_since "$t0") ms"
out=$("$C" --lab "$lab" probes node-service)
t_match "probes: HTTP probe of the health check node port" "HTTP :[0-9]+/healthz" "$out"
t_match "probes: one node answers 503" "Down +503 Service Unavailable" "$out"
t_match "probes: 1 of 2" "Health Probe Status: 50 % \(1 of 2 backends up\)" "$out"
out=$(answers 10)
t_eq "Local: every request answered" 10 "$(grep -c . <<<"$out")"
t_eq "Local: the app sees the client's own address" "::ffff:198.51.100.10" "$(sort -u <<<"$out")"

# --- two replicas: both nodes in; a keep-alive connection ------------------------
t_ok "scale to 2 replicas" "$C" --lab "$lab" scale deployment node-deployment --replicas 2
t_ok "both pods ready" t_wait 30 pods_ready 2
t_ok "pool back to 100 %" t_wait 10 pool_is 100
KD=$T_TMP/keep; mkdir -p "$KD"
"$C" --lab "$lab" exec client0 -- python3 -c "$KEEP_PY" "$FE" "$KD" >/dev/null 2>&1 &
t_defer "touch $KD/stop"
first=$(keep 0)
t_match "keep-alive connection answered with the client's address" '"client":"::ffff:198\.51\.100\.10"' "$first"
X=$(sed -n 's/.*"localAddress":"\(::ffff:\)\{0,1\}10\.244\.\([0-9]*\)\..*/\2/p' <<<"$first")
t_match "the connection's node is known" "^[01]$" "$X"
Y=$((1 - ${X:-0}))

# --- cut the other node's link -----------------------------------------------------
t0=$(date +%s%N)
"$C" --lab "$lab" exec edge -- ip link set "n$Y" down
t_ok "node$Y taken out" t_wait $((INTERVAL * THRESHOLD + 4)) state_is "node$Y" Down
dt=$(ms_since "$t0")
bound=$(( (INTERVAL * THRESHOLD + INTERVAL) * 1000 + 2500 ))  # + margin for a loaded machine
t_ok "within the probe bound ($dt ms <= $bound ms)" test "$dt" -le "$bound"
out=$(answers 10)
t_eq "new flows avoid node$Y: all answered" 10 "$(grep -c 198.51.100.10 <<<"$out")"
t_match "the established connection to node$X is untouched" \
	"\"localAddress\":\"(::ffff:)?10\.244\.$X\." "$(keep 1)"

# --- recovery -------------------------------------------------------------------------
"$C" --lab "$lab" exec edge -- ip link set "n$Y" up
t_ok "node$Y back in" t_wait $((INTERVAL * THRESHOLD + 4)) state_is "node$Y" Up
t_ok "pool 100 % again" t_wait 5 pool_is 100

# --- every backend down: freeze both agents (pods and node rules stay; their health
# check ports accept but never answer, and the lab's supervisor would restart an
# agent that died) -----------------------------------------------------------------
for i in 0 1; do "$C" --lab "$lab" lab kill "agent-node$i" --signal STOP >/dev/null; done
t_ok "all backends down: pool 0 %" t_wait $((INTERVAL * THRESHOLD + 4)) pool_is 0
t_eq "new flows are dropped" "" "$(ask / 1)"
t_match "the established connection goes on" '"client":"::ffff:198\.51\.100\.10"' "$(keep 2)"
touch "$KD/stop"

# --- metrics ------------------------------------------------------------------------
out=$("$C" --lab "$lab" metrics node-service --since 5m --granularity 1s --svg "$T_TMP/chart.svg")
# TIME node0 node1 POOL DATAPATH FLOWS
pools=$(awk '$1 ~ /^[0-9][0-9]:/ {print $4}' <<<"$out" | sort -u | tr '\n' ' ')
t_match "metrics: the pool was 100, 50 and 0 % ($pools)" "^(- )?0 100 50 $" "$pools"
t_ok "metrics: SVG written" grep -q "split by Backend IP Address" "$T_TMP/chart.svg"

# --- delete: frontend released, rules gone -----------------------------------------
t_ok "delete the Service" "$C" --lab "$lab" delete svc node-service
no_frontend() { [ -z "$(frontend)" ]; }
t_ok "frontend released" t_wait 10 no_frontend
t_ok "rules gone" t_wait 5 sh -c \
	"! '$C' --lab '$lab' exec edge -- nft list table ip azure-lb | grep -q svc_default_node-service"
t_not "probes: no such service" "$C" --lab "$lab" probes node-service

t_done
