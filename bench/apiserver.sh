#!/usr/bin/env bash
# apiserver.sh — clientip-apiserver at 10,000 Services: creation, LIST,
# watch latency, restart.
#
# A standalone server (`clientip-apiserver --lab L`, run directory in a temp
# dir, TCP on 127.0.0.1 only), driven by a python3 driver (stdlib only,
# written to the temp dir below; times with time.monotonic_ns):
# 1. Create: BENCH_SERVICES (10,000) ClusterIP Services through the API,
#    POSTs on BENCH_CONNS (64) keep-alive connections, each sequential:
#    Services/s, overall and over the first and the last tenth. (After each
#    write the server re-reads the lab's state files, a pass that grows
#    with the Services; many connections let one pass cover many writes,
#    one connection makes 10,000 take most of an hour.) Every 100th
#    Service carries bench=pick.
# 2. List: the time from sending a GET to the last byte of its answer, on a
#    keep-alive connection, median of BENCH_REPS (5): the N Services as
#    JSON, as a Table (the Accept header kubectl get sends), and with
#    labelSelector=bench=pick (1 %). Baseline in the same run: the list of
#    the 10 Services of another namespace, once while the server holds only
#    them, once beside the N. Reported in ms, objects/s and per-object cost
#    against the 10-Service list.
# 3. Watch latency: BENCH_WRITES (100) merge PATCHes of one Service, one at
#    a time, each waiting until every watcher has its event (then a pause of
#    2-5 ms); a watch on all Services from the list's resourceVersion held
#    by 1 and by 100 connections. Latency: from just before the PATCH is
#    sent to the driver's epoll wake-up with the bytes carrying the event;
#    p50 and p99 over every delivery, and of the last delivery of a write.
# 4. Restart: the server stopped (SIGTERM) and started again on the N
#    Services on disk, from exec to the first 200 of /readyz (polled every
#    millisecond), against the same with an empty run directory.
# Targets: a JSON list of 10,000 < 0.2 s, watch p99 < 50 ms.
# BENCH_SMOKE=1: 200 Services, 20 writes, 1 list per figure, targets not
# checked. Either way a figure that could not be measured fails it.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

smoke=${BENCH_SMOKE:-0}
services=${BENCH_SERVICES:-10000}
writes=${BENCH_WRITES:-100}
conns=${BENCH_CONNS:-64}
reps=${BENCH_REPS:-5}
if [ "$smoke" == 1 ]; then
	services=200 writes=20 reps=1 conns=4
fi
api_bin=${CLIENTIP_BUILD:-$root/build}/clientip-apiserver

command -v python3 >/dev/null || { echo "apiserver.sh: python3 not found (scripts/deps.sh installs it)"; exit 1; }
[ -x "$api_bin" ] || { echo "apiserver.sh: $api_bin missing (make)"; exit 1; }

tmp=$(mktemp -d /tmp/clientip-bench-apiserver.XXXXXX)
lab=bapi$(printf '%04x' $((RANDOM % 65536)))
cleanup() {
	local f
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$tmp/drv.py" <<'PY'
"""The driver: one command per figure, results as KEY=VALUE lines."""
import http.client, json, os, selectors, socket, statistics, subprocess, sys, threading, time

HOST = "127.0.0.1"
TABLE = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
         "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")


def die(msg):
    print("driver: " + msg, file=sys.stderr)
    sys.exit(1)


def conn(port):
    return http.client.HTTPConnection(HOST, port, timeout=60)


def call(c, method, path, body=None, ctype="application/json", accept="application/json"):
    hdr = {"Accept": accept}
    if body is not None:
        hdr["Content-Type"] = ctype
        body = json.dumps(body).encode()
    c.request(method, path, body=body, headers=hdr)
    r = c.getresponse()
    return r.status, r.read()


def service(name, pick):
    labels = {"app": name}
    if pick:
        labels["bench"] = "pick"
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "labels": labels},
            "spec": {"type": "ClusterIP", "selector": {"app": name},
                     "ports": [{"port": 80, "targetPort": 8080}]}}


def cmd_create(port, ns, n, nconn):
    c = conn(port)
    st, body = call(c, "POST", "/api/v1/namespaces",
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    if st != 201:
        die("namespace %s: %d %s" % (ns, st, body[:200]))
    tenth = max(1, n // 10)
    lock = threading.Lock()
    done, marks, errors = [0], [], []

    def worker(first):
        c = conn(port)
        for i in range(first, n, nconn):
            st, body = call(c, "POST", "/api/v1/namespaces/%s/services" % ns,
                            service("svc-%05d" % i, i % 100 == 0))
            if st != 201:
                errors.append("create svc-%05d: %d %s" % (i, st, body[:200]))
                return
            with lock:
                done[0] += 1
                if done[0] % tenth == 0:
                    marks.append(time.monotonic_ns())

    threads = [threading.Thread(target=worker, args=(j,)) for j in range(nconn)]
    t0 = time.monotonic_ns()
    marks.append(t0)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        die(errors[0])
    print("seconds=%.6f" % ((time.monotonic_ns() - t0) / 1e9))
    # The rate over the first and the last tenth: what a write costs as the
    # server fills up.
    print("first_rate=%.1f" % (tenth / ((marks[1] - marks[0]) / 1e9)))
    print("last_rate=%.1f" % (tenth / ((marks[-1] - marks[-2]) / 1e9)))


def cmd_list(port, path, accept, want, reps):
    c = conn(port)
    times, size = [], 0
    for _ in range(reps):
        t0 = time.monotonic_ns()
        st, body = call(c, "GET", path, accept=accept)
        times.append((time.monotonic_ns() - t0) / 1e9)
        if st != 200:
            die("GET %s: %d %s" % (path, st, body[:200]))
        size = len(body)
    doc = json.loads(body)
    got = len(doc["rows"]) if doc.get("kind") == "Table" else len(doc["items"])
    if got != want:
        die("GET %s: %d objects, expected %d" % (path, got, want))
    print("seconds=%.6f" % statistics.median(times))
    print("min=%.6f" % min(times))
    print("bytes=%d" % size)
    print("rv=%s" % doc["metadata"]["resourceVersion"])


class Watcher:
    def __init__(self, port, rv):
        self.s = socket.create_connection((HOST, port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.s.sendall(("GET /api/v1/services?watch=1&resourceVersion=%s HTTP/1.1\r\n"
                        "Host: %s\r\nAccept: application/json\r\n\r\n" % (rv, HOST)).encode())
        self.buf = b""


def cmd_watch(port, ns, name, rv, nwatch, nwrites):
    sel = selectors.DefaultSelector()
    watchers = [Watcher(port, rv) for _ in range(nwatch)]
    for w in watchers:
        sel.register(w.s, selectors.EVENT_READ, w)
    w = socket.create_connection((HOST, port))
    w.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sel.register(w, selectors.EVENT_READ, None)
    path = "/api/v1/namespaces/%s/services/%s" % (ns, name)
    per, last = [], []
    # A write before measuring: every watch is open and has answered.
    for seq in range(-1, nwrites):
        mark = ('"b%06de"' % (seq + 1)).encode()
        patch = json.dumps({"metadata": {"labels": {"seq": mark.decode().strip('"')}}}).encode()
        req = ("PATCH %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/merge-patch+json\r\n"
               "Content-Length: %d\r\n\r\n" % (path, HOST, len(patch))).encode() + patch
        waiting = set(watchers)
        answered = False
        resp = b""
        arrivals = []
        t0 = time.monotonic_ns()
        w.sendall(req)
        deadline = t0 + 10 * 10**9
        while waiting or not answered:
            ready = sel.select(1.0)
            now = time.monotonic_ns()
            if now > deadline:
                die("write %d: %d watchers without the event after 10 s, answered: %s"
                    % (seq, len(waiting), answered))
            for key, _ in ready:
                data = key.fileobj.recv(1 << 20)
                if not data:
                    die("the server closed a %s connection" % ("watch" if key.data else "write"))
                if key.data is None:
                    resp += data
                    if b"\r\n\r\n" in resp:
                        head, _, rest = resp.partition(b"\r\n\r\n")
                        if not head.startswith(b"HTTP/1.1 200"):
                            die("PATCH: %s" % head[:200])
                        clen = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                        if clen and len(rest) >= int(clen[0].split(b":")[1]):
                            answered = True
                    continue
                wt = key.data
                wt.buf = wt.buf[-64:] + data
                if wt in waiting and mark in wt.buf:
                    waiting.discard(wt)
                    arrivals.append((now - t0) / 1e6)
        if seq >= 0:
            per.extend(arrivals)
            last.append(max(arrivals))
        time.sleep(0.002 + (seq % 4) * 0.001)

    def pct(v, p):
        v = sorted(v)
        return v[min(len(v) - 1, int(len(v) * p / 100))]
    print("deliveries=%d" % len(per))
    print("p50=%.3f" % statistics.median(per))
    print("p99=%.3f" % pct(per, 99))
    print("max=%.3f" % max(per))
    print("last_p50=%.3f" % statistics.median(last))
    print("last_p99=%.3f" % pct(last, 99))


def cmd_start(binary, lab, rundir, log, pidfile):
    portfile = os.path.join(rundir, lab, "apiserver.port")
    try:
        os.unlink(portfile)
    except FileNotFoundError:
        pass
    env = dict(os.environ, CLIENTIP_RUN_DIR=rundir)
    t0 = time.monotonic_ns()
    with open(log, "ab") as lf:
        p = subprocess.Popen([binary, "--lab", lab], env=env, stdin=subprocess.DEVNULL,
                             stdout=lf, stderr=lf)
    with open(pidfile, "w") as f:
        f.write("%d\n" % p.pid)
    deadline = t0 + 120 * 10**9
    port = None
    while time.monotonic_ns() < deadline:
        if p.poll() is not None:
            die("the server exited with %d" % p.returncode)
        try:
            if port is None:
                with open(portfile) as f:
                    port = int(f.read())
            c = http.client.HTTPConnection(HOST, port, timeout=5)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                print("seconds=%.6f" % ((time.monotonic_ns() - t0) / 1e9))
                print("port=%d" % port)
                return
        except (OSError, ValueError, http.client.HTTPException):
            pass
        time.sleep(0.001)
    die("no 200 from /readyz within 120 s")


cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "create":
    cmd_create(int(args[0]), args[1], int(args[2]), int(args[3]))
elif cmd == "list":
    cmd_list(int(args[0]), args[1], TABLE if args[2] == "table" else "application/json",
             int(args[3]), int(args[4]))
elif cmd == "watch":
    cmd_watch(int(args[0]), args[1], args[2], args[3], int(args[4]), int(args[5]))
elif cmd == "start":
    cmd_start(*args)
else:
    die("unknown command " + cmd)
PY

missing=()  # figures that could not be measured
# drv ARGS...: runs the driver, its output in $out. In the background and
# waited for, so that a signal runs the trap at once (bash defers traps
# until a foreground child ends); the trap kills it through drv.pid.
drv() {
	local rc
	python3 "$tmp/drv.py" "$@" >"$tmp/drv.out" &
	echo $! >"$tmp/drv.pid"
	wait $!
	rc=$?
	rm -f "$tmp/drv.pid"
	out=$(cat "$tmp/drv.out")
	return $rc
}
val() { sed -n "s/^$1=//p" <<<"$2"; }
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$(cat "$tmp/server.pid")/status" 2>/dev/null; }

# start: (re)starts the server on $tmp/run; sets port and start_s.
start() {
	local out
	drv start "$api_bin" "$lab" "$tmp/run" "$tmp/server.log" "$tmp/server.pid" ||
		{ echo "apiserver.sh: the server did not start:"; tail -n 5 "$tmp/server.log"; exit 1; }
	port=$(val port "$out")
	start_s=$(val seconds "$out")
}
stop() {
	local p
	p=$(cat "$tmp/server.pid")
	kill -TERM "$p" 2>/dev/null
	for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	kill -9 "$p" 2>/dev/null
	rm -f "$tmp/server.pid"
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
echo "server: $api_bin --lab $lab, standalone, 127.0.0.1; driver: python3 $(python3 -c 'import platform; print(platform.python_version())')"
mkdir -p "$tmp/run"
start
empty_start=$start_s

# ---- 1. create and list ---------------------------------------------------------------
# list NAME PATH ACCEPT WANT: one line of the table; keeps ms and per-object cost.
declare -A ms_of
base_per=""
printf '\n%-34s %8s %10s %9s %9s %11s %14s\n' "LIST ($reps, median)" objects bytes ms "min ms" objects/s \
	"per-obj vs 10"
list() {
	local out s b per
	drv list "$port" "$2" "$3" "$4" "$reps" || { missing+=("list $1"); return; }
	s=$(val seconds "$out") b=$(val bytes "$out")
	rv=$(val rv "$out")
	ms_of[$1]=$(awk -v s="$s" 'BEGIN { printf "%.1f", s * 1000 }')
	per=$(awk -v s="$s" -v n="$4" 'BEGIN { printf "%.9f", s / (n > 0 ? n : 1) }')
	[ -z "$base_per" ] && base_per=$per
	awk -v name="$1" -v n="$4" -v b="$b" -v s="$s" -v m="$(val min "$out")" -v per="$per" \
		-v base="$base_per" 'BEGIN {
		printf "%-34s %8d %10d %9.2f %9.2f %11.0f %13.3fx\n", name, n, b, s * 1000, m * 1000, n / s,
			per / base }'
}
# CPU time in clock ticks (user + system) of the server.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$tmp/server.pid")/stat" 2>/dev/null || echo 0; }
idle_s=4
[ "$smoke" == 1 ] && idle_s=1
drv create "$port" small 10 1 || { echo "apiserver.sh: creating 10 Services failed"; exit 1; }
list "10, JSON (server holds only them)" /api/v1/namespaces/small/services json 10
drv create "$port" big "$services" "$conns" || { echo "apiserver.sh: creating $services Services failed"; exit 1; }
create_out=$out
sleep 1 # the write-through of the last ones settles
c0=$(cpu_ticks)
sleep "$idle_s"
idle_cpu=$(awk -v t=$(($(cpu_ticks) - c0)) -v hz="$(getconf CLK_TCK)" -v s="$idle_s" \
	'BEGIN { printf "%.0f", t / hz / s * 100 }')
list "10, JSON (beside $services)" /api/v1/namespaces/small/services json 10
list "$services, JSON" /api/v1/namespaces/big/services json "$services"
list "$services, Table" /api/v1/namespaces/big/services table "$services"
list "$((services / 100)) of $services, labelSelector" \
	"/api/v1/namespaces/big/services?labelSelector=bench%3Dpick" json $((services / 100))
list "$((services + 10)), JSON, all namespaces" /api/v1/services json $((services + 10))
echo
awk -v n="$services" -v s="$(val seconds "$create_out")" -v a="$(val first_rate "$create_out")" \
	-v b="$(val last_rate "$create_out")" -v k="$conns" 'BEGIN {
	printf "CREATE: %d Services in %.1f s, %.1f Services/s (POSTs on %d connections);\n", n, s, n / s, k
	printf "        first tenth %.1f/s, last tenth %.1f/s\n", a, b }'
echo "server holding $((services + 10)) Services: RSS $(rss_mib) MiB, CPU while idle ${idle_cpu} % of one CPU"
# ---- 2. watch latency -----------------------------------------------------------------
echo
printf '%-10s %7s %11s %9s %9s %9s %14s %14s\n' "WATCH" writes deliveries p50 p99 max "last p50" "last p99"
declare -A p99_of
for n in 1 100; do
	drv watch "$port" big svc-00001 "$rv" "$n" "$writes" || { missing+=("watch with $n"); continue; }
	p99_of[$n]=$(val p99 "$out")
	printf '%-10s %7d %11d %6s ms %6s ms %6s ms %11s ms %11s ms\n' "$n watcher$([ "$n" -gt 1 ] && echo s)" \
		"$writes" "$(val deliveries "$out")" "$(val p50 "$out")" "$(val p99 "$out")" "$(val max "$out")" \
		"$(val last_p50 "$out")" "$(val last_p99 "$out")"
done
echo "(from just before a PATCH is sent to the watcher's bytes; \"last\": the write's last delivery)"

# ---- 3. restart -----------------------------------------------------------------------
stop
start
echo
printf 'RESTART (exec to 200 from /readyz): empty %.1f ms, with %d Services %.1f ms; RSS %s MiB\n' \
	"$(awk -v s="$empty_start" 'BEGIN { print s * 1000 }')" $((services + 10)) \
	"$(awk -v s="$start_s" 'BEGIN { print s * 1000 }')" "$(rss_mib)"
# The restarted server has every Service back.
drv list "$port" /api/v1/namespaces/big/services json "$services" 1 ||
	missing+=("the list after the restart")
stop

echo
if [ "$smoke" == 1 ]; then
	echo "smoke run (BENCH_SMOKE=1): $services Services, $writes writes, targets not checked"
else
	t_list=${ms_of[$services, JSON]:-}
	[ -n "$t_list" ] && awk -v t="$t_list" -v n="$services" 'BEGIN {
		printf "LIST %d as JSON: %.1f ms  (target < 200 ms: %s)\n", n, t, (t < 200 ? "met" : "MISSED") }'
	for n in 1 100; do
		[ -n "${p99_of[$n]:-}" ] && awk -v t="${p99_of[$n]}" -v n="$n" 'BEGIN {
			printf "watch p99, %d watcher%s: %.1f ms  (target < 50 ms: %s)\n", n, (n > 1 ? "s" : ""), t,
				(t < 50 ? "met" : "MISSED") }'
	done
fi
if [ "${#missing[@]}" -gt 0 ]; then
	printf 'apiserver.sh: not measured: %s\n' "${missing[@]}" >&2
	exit 1
fi
exit 0
