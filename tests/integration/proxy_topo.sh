# proxy_topo.sh — a small two-node world for the service proxy's tests,
# built by hand so they do not depend on `clientip lab up`. Source it after
# lib.sh. Everything lives in namespaces named after this run's unique name
# ($PT, from t_unique) and is removed by t_defer, also on failure:
#
#   $PT-client   198.51.100.10/24 eth0, default via the edge
#   $PT-edge     198.51.100.1/24 c0 (to the client), bridge vnet 10.240.0.1/16;
#                routes each frontend IP to the node a test chooses
#                (floating IP: the packet keeps the frontend IP as destination);
#                the lab's API server, which the agents list and watch
#                Services and EndpointSlices from (its Unix socket by path)
#   $PT-node0/1  eth0 10.240.0.4/5 on vnet, bridge cbr0 10.244.<i>.1/24, a route
#                to the other node's pod CIDR (kubenet style); clientip-agent
#   $PT-<pod>    eth0 10.244.<i>.<n>/24 on cbr0 of its node; clientip-echo
#
# Services go to the API server as kubectl sends them (pt_svc), and their
# EndpointSlices as the lab's controller writes them (pt_eps).

PT=$(t_unique)
export CLIENTIP_RUN_DIR=$T_TMP/run
PT_STATE=$CLIENTIP_RUN_DIR/$PT
PT_PIDS=()

pt_ns() { printf '%s-%s' "$PT" "$1"; }
pt_in() { local ns; ns=$(pt_ns "$1"); shift; ip netns exec "$ns" "$@"; }

pt_router() { # ns: forwarding on, no reverse-path filter (asymmetric paths are normal here)
	pt_in "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
}

pt_add_ns() {
	local ns; ns=$(pt_ns "$1")
	ip netns add "$ns" || return 1
	t_defer "ip netns del $ns"
	ip -n "$ns" link set lo up
}

# pt_api METHOD PATH [CONTENT_TYPE]: t_api_send to this world's API server.
pt_api() { t_api_send "$PT_STATE" "$@"; }

# pt_apiserver: the lab's API server in the edge's namespace.
pt_apiserver() {
	ip netns exec "$(pt_ns edge)" "$T_BUILD/clientip-apiserver" --lab "$PT" \
		--listen 127.0.0.1:0 >>"$T_TMP/apiserver.log" 2>&1 &
	PT_APISERVER=$!
	disown "$PT_APISERVER"
	t_defer "kill -9 $PT_APISERVER 2>/dev/null"
	t_wait 10 sh -c "curl -sf --unix-socket '$PT_STATE/apiserver.sock' http://lab/readyz >/dev/null"
}

# pt_world: edge, client, node0, node1, and the API server.
pt_world() {
	local i n
	mkdir -p "$PT_STATE"/status/nodes || return 1
	for n in edge client node0 node1; do pt_add_ns "$n" || return 1; done
	ip -n "$(pt_ns edge)" link add vnet type bridge
	ip -n "$(pt_ns edge)" addr add 10.240.0.1/16 dev vnet
	ip -n "$(pt_ns edge)" link set vnet up
	ip -n "$(pt_ns edge)" link add c0 type veth peer name eth0 netns "$(pt_ns client)"
	ip -n "$(pt_ns edge)" addr add 198.51.100.1/24 dev c0
	ip -n "$(pt_ns edge)" link set c0 up
	ip -n "$(pt_ns client)" addr add 198.51.100.10/24 dev eth0
	ip -n "$(pt_ns client)" link set eth0 up
	ip -n "$(pt_ns client)" route add default via 198.51.100.1
	pt_router edge
	for i in 0 1; do
		n=$(pt_ns "node$i")
		ip -n "$(pt_ns edge)" link add "n$i" type veth peer name eth0 netns "$n"
		ip -n "$(pt_ns edge)" link set "n$i" master vnet up
		ip -n "$n" addr add "10.240.0.$((4 + i))/16" dev eth0
		ip -n "$n" link set eth0 up
		ip -n "$n" route add default via 10.240.0.1
		ip -n "$n" link add cbr0 type bridge
		ip -n "$n" addr add "10.244.$i.1/24" dev cbr0
		ip -n "$n" link set cbr0 up
		ip -n "$n" route add "10.244.$((1 - i)).0/24" via "10.240.0.$((5 - i))"
		pt_router "node$i"
	done
	pt_apiserver
}

# pt_pod NAME NODE_INDEX IP: a pod namespace on that node's cbr0.
pt_pod() {
	local name=$1 i=$2 addr=$3 ns node
	ns=$(pt_ns "$name"); node=$(pt_ns "node$i")
	pt_add_ns "$name" || return 1
	ip -n "$node" link add "v$name" type veth peer name eth0 netns "$ns"
	ip -n "$node" link set "v$name" master cbr0 up
	# kubenet's hairpin mode: a pod may reach itself through a Service.
	ip -n "$node" link set "v$name" type bridge_slave hairpin on
	ip -n "$ns" addr add "$addr/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via "10.244.$i.1"
}

pt_bg() { # command...: runs in the background, killed on exit
	"$@" &
	local pid=$!
	disown "$pid"
	PT_PIDS+=("$pid")
	t_defer "kill -9 $pid 2>/dev/null"
}

# pt_echo POD [PORT]: clientip-echo in the pod, named after it (GET /json).
pt_echo() {
	local pod=$1 port=${2:-8080}
	pt_bg ip netns exec "$(pt_ns "$pod")" "$T_BUILD/clientip-echo" -l "[::]:$port" -N "$pod" \
		>>"$T_TMP/echo-$pod.log" 2>&1
	t_wait 5 pt_in "$pod" curl -s -o /dev/null "http://127.0.0.1:$port/"
}

# pt_agent NODE_INDEX: clientip-agent in that node; its pid in PT_AGENT[i].
declare -a PT_AGENT
pt_agent() {
	local i=$1
	ip netns exec "$(pt_ns "node$i")" "$T_BUILD/clientip-agent" --lab "$PT" --node "node$i" \
		>>"$T_TMP/agent$i.log" 2>&1 &
	PT_AGENT[$i]=$!
	disown "${PT_AGENT[$i]}"   # no "Killed" notice from the shell when a test kills it
	t_defer "kill -9 ${PT_AGENT[$i]} 2>/dev/null"
	t_wait 10 pt_in "node$i" nft list table ip kube-proxy
}

pt_dead() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
pt_agent_kill() { # NODE_INDEX
	kill -9 "${PT_AGENT[$1]}" 2>/dev/null
	t_wait 5 pt_dead "${PT_AGENT[$1]}"
}

# pt_svc NAME key=value...: creates or replaces default/NAME through the
# API server (server-side apply, as kubectl apply --server-side), and sets
# the load balancer's status when ingress= is given. Keys: type, cip, port,
# target, nodeport, proto, etp, itp, hc, affinity (timeout seconds),
# ingress, eips (externalIPs) and ranges (loadBalancerSourceRanges),
# comma-separated.
pt_svc() {
	local name=$1 ingress; shift
	python3 - "$name" "$@" <<'EOF' | pt_api PATCH \
		"/api/v1/namespaces/default/services/$name?fieldManager=proxy-topo&force=true" \
		application/apply-patch+yaml >/dev/null || return 1
import json, sys
name, args = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
port = {"protocol": args.get("proto", "TCP"), "port": int(args.get("port", 80)),
        "targetPort": int(args.get("target", 8080))}
if "nodeport" in args:
    port["nodePort"] = int(args["nodeport"])
spec = {"type": args.get("type", "ClusterIP"), "ports": [port], "clusterIP": args["cip"],
        "externalTrafficPolicy": args.get("etp", "Cluster"),
        "internalTrafficPolicy": args.get("itp", "Cluster"), "sessionAffinity": "None"}
if spec["type"] == "ClusterIP":
    del spec["externalTrafficPolicy"]
if "hc" in args:
    spec["healthCheckNodePort"] = int(args["hc"])
if "eips" in args:
    spec["externalIPs"] = args["eips"].split(",")
if "ranges" in args:
    spec["loadBalancerSourceRanges"] = args["ranges"].split(",")
if "affinity" in args:
    spec["sessionAffinity"] = "ClientIP"
    spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": int(args["affinity"])}}
print(json.dumps({"apiVersion": "v1", "kind": "Service",
                  "metadata": {"name": name, "namespace": "default"}, "spec": spec}))
EOF
	ingress=$(printf '%s\n' "$@" | sed -n 's/^ingress=//p')
	[ -n "$ingress" ] || return 0
	printf '{"status":{"loadBalancer":{"ingress":[{"ip":"%s","ipMode":"VIP"}]}}}' "$ingress" |
		pt_api PATCH "/api/v1/namespaces/default/services/$name/status" \
			application/merge-patch+json >/dev/null
}

# pt_eps NAME [IP:NODE:PORT[:cond]]...: the Service's EndpointSlices
# through the API server, as the lab's controller writes them: one slice
# per distinct port (the Service's first port's name and protocol, TCP if
# the Service is not there yet), a Service without endpoints keeps one
# empty slice, and its other slices are deleted. cond is ready (default),
# terminating (serving+terminating) or gone (terminating, no longer
# serving). pt_eps NAME --delete removes them all. Each request waits up to
# 30 s for an answer, so a write sent while the server is frozen lands
# once it is back.
pt_eps() {
	python3 - "$PT_STATE/apiserver.sock" "$@" <<'EOF'
import http.client, json, socket, sys, urllib.parse
sock, name, args = sys.argv[1], sys.argv[2], sys.argv[3:]
class Conn(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)   # a frozen server answers once it is back
        self.sock.connect(sock)
def call(method, path, body=None, ctype="application/json"):
    c = Conn("lab")
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Content-Type": ctype})
    r = c.getresponse()
    data = r.read()
    if r.status >= 300 and not (method in ("GET", "DELETE") and r.status == 404):
        sys.exit(f"{method} {path}: HTTP {r.status}: {data[:300]!r}")
    return r.status, json.loads(data or b"{}")
base = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
code, svc = call("GET", f"/api/v1/namespaces/default/services/{name}")
sp = (svc.get("spec", {}).get("ports") or [{}])[0] if code == 200 else {}
groups = {}
for a in ([] if args == ["--delete"] else args):
    parts = a.split(":")
    ip, node, port = parts[0], parts[1], int(parts[2])
    cond = parts[3] if len(parts) > 3 else "ready"
    c = {"ready": cond == "ready", "serving": cond in ("ready", "terminating"),
         "terminating": cond != "ready"}
    groups.setdefault(port, []).append({"addresses": [ip], "conditions": c, "nodeName": node})
if args != ["--delete"] and not groups:
    groups[None] = []
written = set()
for port, eps in groups.items():
    slice_name = f"{name}-{port or 'none'}"
    ports = [] if port is None else [{"name": sp.get("name", ""), "port": port,
                                      "protocol": sp.get("protocol", "TCP")}]
    obj = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
           "metadata": {"name": slice_name, "namespace": "default",
                        "labels": {"kubernetes.io/service-name": name}},
           "addressType": "IPv4", "endpoints": eps, "ports": ports}
    call("PATCH", f"{base}/{slice_name}?fieldManager=proxy-topo&force=true", obj,
         "application/apply-patch+yaml")
    written.add(slice_name)
sel = urllib.parse.quote(f"kubernetes.io/service-name={name}")
_, lst = call("GET", f"{base}?labelSelector={sel}")
for item in lst.get("items") or []:
    if item["metadata"]["name"] not in written:
        call("DELETE", f"{base}/{item['metadata']['name']}")
EOF
}

pt_rm_svc() {
	pt_api DELETE "/api/v1/namespaces/default/services/$1" </dev/null >/dev/null
	pt_eps "$1" --delete
}

# pt_route FRONTEND NODE_INDEX: the edge sends that frontend IP's traffic to the node.
pt_route() { ip -n "$(pt_ns edge)" route replace "$1/32" via "10.240.0.$((4 + $2))"; }

# pt_has NODE_INDEX REGEX: the node's table matches (for t_wait).
pt_has() { pt_in "node$1" nft list table ip kube-proxy 2>/dev/null | grep -Eq -- "$2"; }
pt_hasnt() { ! pt_has "$@"; }

# pt_curl NS URL [curl args]: the body, or "ERR<curl exit code>".
pt_curl() {
	local ns=$1 url=$2 out rc; shift 2
	out=$(pt_in "$ns" curl -s --max-time 2 "$@" "$url"); rc=$?
	if [ "$rc" -ne 0 ]; then printf 'ERR%d' "$rc"; else printf '%s' "$out"; fi
}

# pt_canon NODE_INDEX: the node's table ip kube-proxy in a canonical form —
# chains, sets and elements sorted, rule order within a chain kept, counters,
# handles, expiry times and learned affinity entries left out — so a table
# reached by a series of partial syncs compares equal to a freshly built one.
pt_canon() {
	pt_in "node$1" nft -j list table ip kube-proxy | python3 -c '
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items()
                if k not in ("handle", "counter", "expires", "packets", "bytes")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
out, idx = [], {}
for obj in json.load(sys.stdin)["nftables"]:
    for kind, v in obj.items():
        if kind == "metainfo":
            continue
        v = strip(v)
        if kind == "rule":
            n = idx.get(v["chain"], 0); idx[v["chain"]] = n + 1
            out.append("rule %s %04d %s" % (v["chain"], n, json.dumps(v["expr"], sort_keys=True)))
            continue
        if "elem" in v:
            v["elem"] = [] if v["name"].startswith("affinity-") else \
                sorted(json.dumps(e, sort_keys=True) for e in v["elem"])
        out.append("%s %s" % (kind, json.dumps(v, sort_keys=True)))
print("\n".join(sorted(out)))
'
}

# pt_done: the agents still running stopped as a node's supervisor stops
# them (SIGTERM), their logs free of sanitizer reports (an ASan build
# reports leaks at exit), then t_done, with the agents' logs when something
# failed.
pt_done() {
	local f i
	for i in "${!PT_AGENT[@]}"; do
		kill -0 "${PT_AGENT[$i]}" 2>/dev/null || continue
		kill -TERM "${PT_AGENT[$i]}"
		t_ok "agent on node$i stops on SIGTERM" t_wait 20 pt_dead "${PT_AGENT[$i]}"
	done
	t_ok "the agents' logs hold no sanitizer report" \
		sh -c "! grep -E 'Sanitizer|runtime error' '$T_TMP'/agent*.log"
	if [ "$T_FAIL" -gt 0 ]; then
		for f in "$T_TMP"/agent*.log; do
			[ -f "$f" ] && { echo "--- $(basename "$f") (last 40 lines)"; tail -40 "$f"; }
		done
	fi
	t_done
}
