#!/usr/bin/env bash
# clientip-lb on a topology of its own: an edge, two fake nodes and a
# client, built here with ip(8) in uniquely named namespaces (nothing in the
# host's), and the lab's API server (in the edge's namespace) that the load
# balancer lists and watches Services from and reports to. Python servers stand in for the nodes' kube-proxy (the frontend
# IP on lo, a NodePort, a health check node port whose answer the test
# flips). Checks frontends, probes and thresholds both ways, distribution,
# client address preservation, established-flow stickiness, blackholed
# nodes, all backends down, floating IP off (DNAT), restarts and release;
# a probe and a pool per port, a refused annotation (SyncLoadBalancerFailed,
# the load balancer left as it was) and the shared probe mode.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
LB=$T_BUILD/clientip-lb
lab=$(t_unique)
export CLIENTIP_RUN_DIR=$T_TMP/run
state=$CLIENTIP_RUN_DIR/$lab
E=cip-$lab-edge N0=cip-$lab-node0 N1=cip-$lab-node1 CL=cip-$lab-client0
NODEPORT=30080 HCPORT=32000
FE=203.0.113.10

# --- topology ---------------------------------------------------------------
topology() {
	local ns i
	for ns in $E $N0 $N1 $CL; do ip netns add "$ns" || return 1; done
	ip -n $E link set lo up
	ip -n $E link add vnet type bridge && ip -n $E link set vnet up
	ip -n $E link add inet type bridge && ip -n $E link set inet up
	ip -n $E addr add 10.240.0.1/16 dev vnet
	ip -n $E addr add 198.51.100.1/24 dev inet
	ip netns exec $E sysctl -qw net.ipv4.ip_forward=1
	for i in 0 1; do
		ns=cip-$lab-node$i
		ip -n $E link add n$i type veth peer name eth0 netns "$ns"
		ip -n $E link set n$i master vnet up
		ip -n "$ns" link set lo up
		ip -n "$ns" link set eth0 up
		ip -n "$ns" addr add 10.240.0.$((4 + i))/16 dev eth0
		ip -n "$ns" route add default via 10.240.0.1
		# kube-proxy's part with floating IP: the node accepts the frontend.
		ip -n "$ns" addr add $FE/32 dev lo
		ip -n "$ns" addr add 203.0.113.11/32 dev lo
	done
	ip -n $E link add c0 type veth peer name eth0 netns $CL
	ip -n $E link set c0 master inet up
	ip -n $CL link set lo up
	ip -n $CL link set eth0 up
	ip -n $CL addr add 198.51.100.10/24 dev eth0
	ip -n $CL route add default via 198.51.100.1
	mkdir -p "$state"
	printf '{"name":"%s","nodes":2,"clients":1,"probeIntervalSeconds":1,"createdAt":"2024-05-01T12:00:00Z"}\n' \
		"$lab" >"$state/lab.json"
}

# A fake node: the "pod" answers on 80 (floating IP) and the NodePort
# with the node's name and the client address it sees, keep-alive; the
# health check node port answers what $T_TMP/health-<node> says; kube-proxy's
# own :10256/healthz answers 200. NodePort+3 has no listener (a pod that does
# not listen on that port).
NODE_PY='
import http.server, socketserver, sys, threading
name, hc, nodeport, health = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
class App(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        b = ("%s %s\n" % (name, self.client_address[0])).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a): pass
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try: code = int(open(health).read().strip())
        except Exception: code = 503
        b = b"{}"
        self.send_response(code); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
class Proxy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404)
        self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *a): pass
for port, h in ((80, App), (nodeport, App), (nodeport + 1, App), (nodeport + 2, App), (hc, Health),
                (10256, Proxy)):
    s = S(("0.0.0.0", port), h)
    threading.Thread(target=s.serve_forever, daemon=True).start()
threading.Event().wait()
'
# A client holding one keep-alive connection: a request whenever go-<n>
# appears in its directory, the answer into resp-<n>.
KEEP_PY='
import http.client, os, sys, time
d = sys.argv[2]
c = http.client.HTTPConnection(sys.argv[1], 80, timeout=5)
n = 0
while not os.path.exists(d + "/stop"):
    if os.path.exists("%s/go-%d" % (d, n)):
        try:
            c.request("GET", "/"); r = c.getresponse(); out = r.read().decode()
        except Exception as e:
            out = "error %s\n" % e
        open("%s/resp-%d.tmp" % (d, n), "w").write(out)
        os.rename("%s/resp-%d.tmp" % (d, n), "%s/resp-%d" % (d, n))
        n += 1
    time.sleep(0.02)
'

set_health() { echo "$2" >"$T_TMP/health-$1"; }
start_node() { # index
	ip netns exec cip-$lab-node$1 python3 -c "$NODE_PY" node$1 $HCPORT $NODEPORT \
		"$T_TMP/health-node$1" >/dev/null 2>&1 &
	echo $! >"$T_TMP/node$1.pid"
}
start_apiserver() {
	ip netns exec $E "$T_BUILD/clientip-apiserver" --lab "$lab" --listen 127.0.0.1:0 \
		>>"$T_TMP/apiserver.log" 2>&1 &
	echo $! >"$T_TMP/apiserver.pid"
	t_wait 10 test -S "$state/apiserver.sock"
}
# The Events of a Service, from the API server: "reason: message" a line.
events_of() {
	curl -s --max-time 5 --unix-socket "$state/apiserver.sock" \
		"http://lab/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=$1" |
		python3 -c 'import json, sys
for e in json.load(sys.stdin)["items"]: print("%s: %s" % (e["reason"], e["message"]))'
}
start_lb() {
	ip netns exec $E "$LB" --lab "$lab" >>"$T_TMP/lb.log" 2>&1 &
	echo $! >"$T_TMP/lb.pid"
}
stop_lb() { kill "$(cat "$T_TMP/lb.pid")" 2>/dev/null; wait "$(cat "$T_TMP/lb.pid")" 2>/dev/null; }
cleanup() {
	local ns pid
	stop_lb
	for ns in $E $N0 $N1 $CL; do
		# Only what this test started lives in its namespaces.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
	done
	sleep 0.2
	for ns in $E $N0 $N1 $CL; do ip netns del "$ns" 2>/dev/null; done
}
t_defer cleanup

get() { ip netns exec $CL curl -s --max-time "${2:-2}" "http://$1/"; }
# n fresh connections; prints "node0 a\nnode1 b" counts
fanout() { # URL_HOST N
	local i
	for ((i = 0; i < $2; i++)); do get "$1" 1 | cut -d' ' -f1; echo; done | grep . | sort | uniq -c |
		awk '{printf "%s=%s ", $2, $1}'
}
pool() { "$C" --lab "$lab" probes "${1:-web}" 2>/dev/null | sed -n 's/^Health Probe Status: \([0-9-]*\).*/\1/p'; }
pool_is() { [ "$(pool "${2:-}")" == "$1" ]; }
# NODE ADDRESS PROBE(2 words) STATE ...
state_of() { "$C" --lab "$lab" probes "${2:-web}" 2>/dev/null | awk -v n="$1" '$1 == n {print $5}'; }
state_is() { [ "$(state_of "$1" "${3:-}")" == "$2" ]; }
has_frontend() { [ -n "$(frontend_of "$1")" ]; }
frontend_of() { t_frontend "$state" "$1"; }
apply() { "$C" --lab "$lab" apply -f - >/dev/null; }
svc_yaml() { # name policy [annotations...]
	local name=$1 policy=$2 a
	shift 2
	printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n' "$name"
	if [ $# -gt 0 ]; then
		printf '  annotations:\n'
		for a in "$@"; do printf '    %s\n' "$a"; done
	fi
	printf 'spec:\n  type: LoadBalancer\n  externalTrafficPolicy: %s\n' "$policy"
	printf '  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 8080\n'
	printf '    nodePort: %d\n' $((NODEPORT + ${NODEPORT_OFFSET:-0}))
	[ "$policy" == Local ] && printf '  healthCheckNodePort: %d\n' $HCPORT
	return 0
}
# Two ports: 80 to a NodePort the nodes answer, 81 to one nobody listens on.
two_yaml() { # [annotations...]
	local a
	printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: two\n'
	if [ $# -gt 0 ]; then
		printf '  annotations:\n'
		for a in "$@"; do printf '    %s\n' "$a"; done
	fi
	printf 'spec:\n  type: LoadBalancer\n  selector:\n    app: web\n  ports:\n'
	printf '  - name: web\n    port: 80\n    nodePort: %d\n' $((NODEPORT + 2))
	printf '  - name: admin\n    port: 81\n    nodePort: %d\n' $((NODEPORT + 3))
}
# The Health Probe Status of one rule of a Service with several.
rule_pool() { "$C" --lab "$lab" probes "$1" 2>/dev/null | sed -n "s|^Health Probe Status ($2/TCP): \([0-9-]*\).*|\1|p"; }
rule_pool_is() { [ "$(rule_pool "$1" "$2")" == "$3" ]; }

t_ok "test topology (edge, 2 nodes, client)" topology
set_health node0 200
set_health node1 503
start_node 0
start_node 1
t_ok "the lab's API server listens" start_apiserver
start_lb

# --- Cluster: TCP probes to the NodePort, 100 % ------------------------------
svc_yaml web Cluster | apply
t_ok "frontend allocated from the pool" t_wait 10 has_frontend web
t_eq "first frontend is .10" "$FE" "$(frontend_of web)"
t_ok "Cluster: pool reaches 100 %" t_wait 10 pool_is 100
out=$("$C" --lab "$lab" probes web)
t_match "probes shows the TCP probe on the NodePort" "node0 +10\.240\.0\.4 +TCP :$NODEPORT +Up +connected" "$out"
t_match "probes shows the lab-wide interval" "lab-wide interval 1 s" "$out"
t_match "probes shows the pool" "Health Probe Status: 100 % \(2 of 2 backends up\)" "$out"
dist=$(fanout $FE 40)
t_match "5-tuple hash spreads new flows over both nodes" "node0=[0-9]+ node1=[0-9]+" "$dist"
t_eq "the client's address reaches the node unchanged" "node0 198.51.100.10" \
	"$(for i in 1 2 3 4 5 6 7 8; do get $FE; done | grep node0 | head -1)"
t_ok "data path availability 100 %" t_wait 10 sh -c \
	"'$C' --lab '$lab' probes web | grep -q 'Data Path Availability: 100 %'"

# --- Local: HTTP probes to the health check node port, 50 % ------------------
svc_yaml web Local | apply
t0=$(date +%s%N)
t_ok "Local: pool drops to 50 % within interval x threshold + margin" t_wait 6 pool_is 50
dt=$(( ($(date +%s%N) - t0) / 1000000 ))
t_match "node1 Down by its 503 in $dt ms" "^Down$" "$(state_of node1)"
out=$("$C" --lab "$lab" probes web)
t_match "probes shows the HTTP probe" "node1 +10\.240\.0\.5 +HTTP :$HCPORT/healthz +Down +503 Service Unavailable" "$out"
t_match "probes shows 1 of 2 up" "Health Probe Status: 50 % \(1 of 2 backends up\)" "$out"
t_eq "every new flow goes to the healthy node" "node0=30 " "$(fanout $FE 30)"

# --- stickiness: an established flow keeps its node --------------------------
set_health node1 200
t_ok "node1 back Up after 2 successes" t_wait 6 state_is node1 Up
kdir=$T_TMP/keep; mkdir -p "$kdir"
ip netns exec $CL python3 -c "$KEEP_PY" $FE "$kdir" >/dev/null 2>&1 &
# Find a keep-alive connection that landed on node1 (the hash decides).
for try in 1 2 3 4 5 6 7 8 9 10; do
	touch "$kdir/go-0"; t_wait 15 test -f "$kdir/resp-0"
	grep -q '^node1' "$kdir/resp-0" && break
	touch "$kdir/stop"; sleep 0.1; rm -rf "$kdir"; mkdir -p "$kdir"
	ip netns exec $CL python3 -c "$KEEP_PY" $FE "$kdir" >/dev/null 2>&1 &
done
t_match "a keep-alive connection on node1" "^node1 198.51.100.10" "$(cat "$kdir/resp-0")"
set_health node1 503
t_ok "node1 taken out" t_wait 6 state_is node1 Down
touch "$kdir/go-1"; t_wait 15 test -f "$kdir/resp-1"
t_match "the established connection still reaches node1" "^node1 198.51.100.10" "$(cat "$kdir/resp-1")"
t_eq "new flows avoid node1" "node0=20 " "$(fanout $FE 20)"

# --- restart: frontend and flows survive -----------------------------------
stop_lb
start_lb
t_ok "the restarted load balancer restores its state" \
	t_wait 30 sh -c "grep -q 'restored' $T_TMP/lb.log"
touch "$kdir/go-2"; t_wait 15 test -f "$kdir/resp-2"
t_match "established connection survives a load balancer restart" "^node1" "$(cat "$kdir/resp-2")"
t_eq "frontend unchanged after restart" "$FE" "$(frontend_of web)"
t_eq "probe state restored (no Unknown gap)" "node0=10 " "$(fanout $FE 10)"

# --- blackhole: no answer at all ---------------------------------------------
set_health node1 200
t_ok "node1 Up again" t_wait 6 state_is node1 Up
ip netns exec $N0 nft -f - <<'NFT'
table ip blackhole {
	chain in { type filter hook input priority -300; policy drop; }
}
NFT
t0=$(date +%s%N)
t_ok "a blackholed node0 goes Down by timeouts" t_wait 8 state_is node0 Down
dt=$(( ($(date +%s%N) - t0) / 1000000 ))
t_ok "taken out within 2 intervals + timeout + margin ($dt ms <= 6000 ms)" test "$dt" -le 6000
t_match "last result says timeout" "timeout" "$("$C" --lab "$lab" probes web | awk '$1=="node0"')"
t_eq "new flows go to node1 only" "node1=10 " "$(fanout $FE 10)"

# --- all down: new flows dropped, established continue -----------------------
set_health node1 503
t_ok "pool 0 %" t_wait 6 pool_is 0
t_eq "new flows are dropped" "" "$(get $FE 1)"
touch "$kdir/go-3"; t_wait 15 test -f "$kdir/resp-3"
t_match "the established connection still works" "^node1" "$(cat "$kdir/resp-3")"
touch "$kdir/stop"
ip netns exec $N0 nft delete table ip blackhole
set_health node1 200

# --- annotations: floating IP off (DNAT), bad values reported ---------------
NODEPORT_OFFSET=1 svc_yaml dnat Cluster \
	'service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip: "true"' \
	'service.beta.kubernetes.io/azure-load-balancer-health-probe-interval: "3"' | apply
sync_failed() { events_of "$1" | grep -q '^SyncLoadBalancerFailed: '; }
sync_ok() { ! "$C" --lab "$lab" probes "$1" 2>&1 | grep -q '^Sync: *failed'; }
t_ok "interval 3: SyncLoadBalancerFailed on the new Service" t_wait 10 sync_failed dnat
t_match "the event names the annotation and the rule" \
	'Error syncing load balancer: failed to ensure load balancer: rule default_dnat-TCP-80: .*azure-load-balancer-health-probe-interval: the minimum value of interval is 5, got 3' \
	"$(events_of dnat)"
t_eq "refused: no frontend (pending)" "" "$(frontend_of dnat)"
t_ok "refused: no rule in the data path" sh -c \
	"! ip netns exec $E nft list map ip azure-lb frontends | grep -q svc_default_dnat"
t_match "probes says why" "Sync: +failed, the load balancer is left as it was: .*interval" \
	"$("$C" --lab "$lab" probes dnat 2>&1)"
NODEPORT_OFFSET=1 svc_yaml dnat Cluster \
	'service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip: "true"' \
	'service.beta.kubernetes.io/azure-load-balancer-health-probe-interval: "5"' | apply
frontend_is() { [ "$(frontend_of "$1")" == "$2" ]; }
t_ok "fixed: second frontend .11" t_wait 10 frontend_is dnat 203.0.113.11
t_ok "fixed: the sync no longer fails" t_wait 5 sync_ok dnat
t_ok "DNAT service: pool 100 %" t_wait 10 pool_is 100 dnat
t_match "fixed: the annotated interval applies" "TCP :$((NODEPORT + 1)), every 5 s" \
	"$("$C" --lab "$lab" probes dnat)"
ip -n $N0 addr del 203.0.113.11/32 dev lo
ip -n $N1 addr del 203.0.113.11/32 dev lo
t_match "DNAT to node:NodePort keeps the client address" "^node[01] 198\.51\.100\.10$" "$(get 203.0.113.11)"
t_match "the DNAT map names the NodePort" "203.0.113.11 . 80 . 0x4c420001 : 10.240.0.4 . $((NODEPORT + 1))" \
	"$(ip netns exec $E nft list map ip azure-lb dnat_tcp)"

# --- a probe and a pool per port ------------------------------------------------
two_yaml | apply
t_ok "two ports: frontend" t_wait 10 has_frontend two
t_ok "port 80's rule: pool 100 %" t_wait 10 rule_pool_is two 80 100
t_ok "port 81's rule (nothing listens): pool 0 %" t_wait 10 rule_pool_is two 81 0
# Both nodes' port-81 probes must have failed, not only the first one's.
two_averaged() {
	"$C" --lab "$lab" probes two 2>/dev/null |
		grep -q "Health Probe Status: 50 % (2 of 4 backend probes up over 2 rules)"
}
t_ok "the Service's status averages the rules" t_wait 10 two_averaged
out=$("$C" --lab "$lab" probes two)
t_match "each rule probes its own NodePort" "node0 +10\.240\.0\.4 +TCP :$((NODEPORT + 3)) +Down +connection refused" "$out"
FE2=$(frontend_of two)
# A Maglev table over both nodes: 1021 slots, each node's mark among them.
# The probes' state is written before the load balancer's next replace of
# the rules, so the rules are waited for.
maglev_both() {
	ip netns exec $E nft list chain ip azure-lb svc_default_two_tcp_80 | tr -d '\n' |
		grep -Eq 'mod 1021 seed 0x0*c1e4f7 map \{([^}]*0x4c420001[^}]*0x4c420002|[^}]*0x4c420002[^}]*0x4c420001)'
}
t_ok "port 80's chain looks flows up in a table over both nodes" t_wait 10 maglev_both
rules=$(ip netns exec $E nft list table ip azure-lb)
t_match "port 81's chain drops new flows" \
	'chain svc_default_two_tcp_81 \{[^}]*counter name "nobackend_default_two" drop' "$(tr -d '\n' <<<"$rules")"
# Floating IP: the nodes accept the new frontend as kube-proxy would.
for ns in $N0 $N1; do ip -n "$ns" addr add "$FE2/32" dev lo; done
t_match "port 80 answers through the frontend" "^node[01] 198\.51\.100\.10$" "$(get "$FE2")"
# Data Path Availability per frontend port, as Azure measures it: port 80
# gets through, port 81 (no node takes it) does not; the Service's is the
# average, and the metric has the frontend port as a dimension.
dpa_split() { "$C" --lab "$lab" probes two | grep -q "^Data Path Availability: 50 % (average over the frontend ports)"; }
t_ok "Data Path Availability averages the frontend ports: 50 %" t_wait 10 dpa_split
out=$("$C" --lab "$lab" probes two)
t_match "port 80: 100 %" "^Data Path Availability \(80/TCP\): 100 %" "$out"
t_match "port 81: 0 %" "^Data Path Availability \(81/TCP\): 0 %" "$out"
t_match "the metric, per frontend port" \
	'clientip_lb_data_path_availability_percent\{namespace="default",service="two",frontend="[0-9.]+",frontend_port="81",protocol="TCP"\} 0' \
	"$(cat "$state/lb/metrics.prom")"

# --- an invalid annotation on a Service that has a load balancer --------------
before=$(ip netns exec $E nft list map ip azure-lb frontends)
two_yaml 'service.beta.kubernetes.io/port_81_health-probe_num-of-probe: "1"' | apply
t_ok "num-of-probe 1: SyncLoadBalancerFailed" t_wait 10 sync_failed two
t_match "the event names the port's annotation and its rule" \
	'rule default_two-TCP-81: .*port_81_health-probe_num-of-probe: the minimum value of num-of-probe is 2' \
	"$(events_of two)"
t_eq "refused: the frontend stays" "$FE2" "$(frontend_of two)"
t_eq "refused: the rules stay" "$before" "$(ip netns exec $E nft list map ip azure-lb frontends)"
t_ok "refused: port 80 still answers" sh -c "'$C' --lab '$lab' probes two | grep -q 'Health Probe Status (80/TCP): 100 %'"
two_yaml 'service.beta.kubernetes.io/port_81_no_probe_rule: "true"' | apply
t_ok "fixed: the sync no longer fails" t_wait 5 sync_ok two
t_ok "no_probe_rule: port 81's pool is full" t_wait 5 rule_pool_is two 81 100
t_match "no_probe_rule: probes says so" "Probe: +none: port annotation no_probe_rule" "$("$C" --lab "$lab" probes two)"
two_yaml 'service.beta.kubernetes.io/port_81_no_lb_rule: "true"' | apply
t_ok "no_lb_rule: port 81 has no rule" t_wait 5 sh -c \
	"! ip netns exec $E nft list map ip azure-lb frontends | grep -q '$FE2 . tcp . 81 '"
two_yaml | apply
t_ok "two ports again: port 81 empty" t_wait 10 rule_pool_is two 81 0

# --- a loadBalancerIP that is taken: pending, with an event ---------------------
svc_yaml taken Cluster | sed "s/^spec:/spec:\n  loadBalancerIP: $FE/; s/nodePort: .*/nodePort: 30090/" | apply
pending_event() { events_of taken | grep -q '^LoadBalancerIPInUse: '; }
t_ok "an Event for the pending Service" t_wait 10 pending_event
t_match "pending: the event names the holder" "LoadBalancerIPInUse: .*in use by service default/web" \
	"$(events_of taken)"
t_eq "pending: no ingress" "" "$(frontend_of taken)"
t_ok "probes shows <pending>" t_wait 5 sh -c "'$C' --lab '$lab' probes taken | grep -q 'Frontend: *<pending>'"
"$C" --lab "$lab" delete svc taken >/dev/null

# --- metrics -----------------------------------------------------------------
out=$("$C" --lab "$lab" metrics web --since 2m --granularity 1s --svg "$T_TMP/chart.svg")
t_match "metrics table has both backends and the pool" "TIME +10\.240\.0\.4 +10\.240\.0\.5 +POOL %" "$out"
t_match "metrics shows a 50 % second" " 50 " "$out"
t_ok "SVG chart written" grep -q "Health Probe Status (Avg), split by Backend IP Address" "$T_TMP/chart.svg"
t_match "flows counted per backend" "node0 +10\.240\.0\.4 +[1-9][0-9]*" "$out"
t_match "Prometheus text" 'clientip_lb_health_probe_status\{namespace="default",service="web"' \
	"$(cat "$state/lb/metrics.prom")"

# --- delete: frontend released, rules gone ------------------------------------
"$C" --lab "$lab" delete svc web >/dev/null
t_ok "the Service is gone from the API" t_wait 10 frontend_is web ""
t_ok "state file removed" t_wait 5 sh -c "! test -e $state/lb/default_web.json"
# The frontend leaves the map, and the edge forgets the flows that went
# to it (a new SYN from the port of one of them would follow its node).
fe_gone() {
	local map
	map=$(ip netns exec $E nft list map ip azure-lb frontends) || return 1
	! grep -q "$FE \. tcp \. 80 " <<<"$map" &&
		[ "$(ip netns exec $E conntrack -L -d $FE 2>/dev/null | grep -c .)" -eq 0 ]
}
t_ok "rules gone" t_wait 5 fe_gone
t_eq "nothing answers on the released frontend" "" "$(get $FE 1)"

# --- shared probe mode: kube-proxy's :10256/healthz for every Cluster Service -----
stop_lb
sed -i 's/"createdAt"/"clusterServiceLoadBalancerHealthProbeMode":"shared","createdAt"/' "$state/lab.json"
start_lb
t_ok "shared: port 81's rule is full (the node is healthy)" t_wait 10 rule_pool_is two 81 100
# Both rules, both nodes; each rule's first result after the restart may
# land a probe interval after the other's.
shared_rows() { [ "$("$C" --lab "$lab" probes two | grep -cE '^node[01] .* HTTP :10256/healthz +Up')" -eq 4 ]; }
t_ok "shared: every rule probes HTTP :10256/healthz" t_wait 10 shared_rows
out=$("$C" --lab "$lab" probes two)
t_match "shared: probes names the mode" "Probe mode: +shared" "$out"
t_match "shared: the DNAT Service too" "HTTP :10256/healthz \(shared" "$("$C" --lab "$lab" probes dnat)"
t_eq "shared: one probe per node for both Services" "1 1" \
	"$(grep -c 'node0 is Up on the shared probe' "$T_TMP/lb.log") $(grep -c 'node1 is Up on the shared probe' "$T_TMP/lb.log")"

stop_lb
t_ok "clientip-lb stops cleanly (no sanitizer report)" sh -c \
	"! grep -E 'Sanitizer|runtime error' '$T_TMP/lb.log'"

t_done
