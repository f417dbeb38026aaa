#!/usr/bin/env bash
# echo.sh — clientip-echo against nginx and the scenario's Node.js app.
#
# wrk, 1 thread, 64 keep-alive connections, BENCH_SECONDS (10) per run, on
# loopback only, against:
#   clientip-echo  build/clientip-echo, 1 worker, [::ffff:127.0.0.1]:PORT
#   nginx          1 worker, `return 200 $remote_addr;`, config in a temp dir
#   node           the scenario's four-line server, unchanged but for the port
# Each server is started here as a child on a free port and killed after.
# BENCH_ROUNDS (3) interleaved rounds smooth out a busy machine; the table
# shows the median round of each server (by req/s): req/s, p50/p99 latency,
# RSS idle (after start) and after the load, then the ratios.
# BENCH_SMOKE=1: one round of 1 s runs, targets not checked; a server that
# does not start, a run without a figure or a non-2xx answer fails it.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

smoke=${BENCH_SMOKE:-0}
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
if [ "$smoke" == 1 ]; then
	seconds=1
	rounds=1
fi
echo_bin=${CLIENTIP_BUILD:-$root/build}/clientip-echo
# Stopped with SIGTERM after each run: no accepting part in its drain.
export CLIENTIP_ECHO_DRAIN_ACCEPT=0

for tool in wrk nginx node python3; do
	command -v "$tool" >/dev/null || { echo "echo.sh: $tool not found (scripts/deps.sh installs it)"; exit 1; }
done
[ -x "$echo_bin" ] || { echo "echo.sh: $echo_bin missing (make)"; exit 1; }

tmp=$(mktemp -d /tmp/clientip-bench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# RSS in KiB of a process and its children (nginx: master + worker).
rss_kib() {
	local total=0 p
	for p in $1 $(pgrep -P "$1"); do
		total=$((total + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
	done
	echo "$total"
}

# CPU time in clock ticks (user + system) of a process and its children.
cpu_ticks() {
	local total=0 p
	for p in $1 $(pgrep -P "$1"); do
		total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$total"
}
hz=$(getconf CLK_TCK)

# The reference app as the scenario has it; only the port is passed in.
# Listening on ::ffff:127.0.0.1 keeps it on loopback while its socket
# reports clients as ::ffff:127.0.0.1, as on the scenario's [::]:8080.
cat >"$tmp/server.js" <<'JS'
var http = require('http');

//create a server object:
http.createServer(function (req, res) {
  res.write(req.connection.remoteAddress); //write a response to the client
  res.end(); //end the response
}).listen(Number(process.argv[2]), '::ffff:127.0.0.1'); //the server object listens on the given port
JS

nginx_conf() { # port
	mkdir -p "$tmp/nginx"
	cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;            # clientip-echo does not log requests either
    default_type text/plain;
    keepalive_requests 1000000;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$1;
        location / { return 200 \$remote_addr; }
    }
}
EOF
}

start() { # name port; sets $pid
	case $1 in
	clientip-echo) "$echo_bin" --listen "[::ffff:127.0.0.1]:$2" </dev/null >/dev/null 2>"$tmp/echo.log" & ;;
	nginx) nginx_conf "$2"; nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" </dev/null >/dev/null 2>"$tmp/nginx.log" & ;;
	node) node "$tmp/server.js" "$2" </dev/null >/dev/null 2>"$tmp/node.log" & ;;
	esac
	pid=$!
	pids+=("$pid")
}

# Starts NAME on a free port and waits until it answers; sets $pid, $port
# and $body (its first answer).
start_ready() { # name
	local name=$1 i
	body=""
	port=$(free_port)
	start "$name" "$port"
	for i in $(seq 1 200); do
		body=$(curl -s "http://127.0.0.1:$port/" 2>/dev/null) && [ -n "$body" ] && break
		sleep 0.05
	done
	[ -n "$body" ] || { echo "echo.sh: $name did not start" >&2; kill -9 "$pid"; return 1; }
}

# One run; appends "req/s p50 p99 rss_idle rss_load body" to $tmp/NAME.runs.
measure() { # name
	local name=$1 idle out
	start_ready "$name" || return 1
	idle=$(rss_kib "$pid")
	wrk -t1 -c64 -d1s "http://127.0.0.1:$port/" >/dev/null 2>&1 # warm-up (JIT, caches)
	t0=$(cpu_ticks "$pid")
	out=$(wrk -t1 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port/")
	t1=$(cpu_ticks "$pid")
	reqs=$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')
	printf '%s %s %s %s %s %s %s\n' \
		"$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {print $2}')" \
		"$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')" \
		"$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')" \
		"$idle" "$(rss_kib "$pid")" \
		"$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$reqs" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')" \
		"$body" >>"$tmp/$name.runs"
	if printf '%s\n' "$out" | grep -q 'Non-2xx\|Socket errors'; then
		printf '%s\n' "$out" | grep 'Non-2xx\|Socket errors' | sed "s/^/  $name: /" >&2
	fi
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	[ -n "$(tail -1 "$tmp/$name.runs" | cut -d' ' -f1)" ] ||
		{ echo "echo.sh: $name: wrk gave no req/s" >&2; return 1; }
	if [ "$smoke" == 1 ] && printf '%s\n' "$out" | grep -q 'Non-2xx'; then
		echo "echo.sh: $name: answers other than 2xx" >&2
		return 1
	fi
	return 0
}

# One run of new connections (Connection: close, 8 at a time); appends
# "conn/s cpu_us_per_conn" to $tmp/NAME.cps.
measure_cps() { # name
	local name=$1 out t0 t1 n
	start_ready "$name" || return 1
	wrk -t1 -c8 -d1s -H 'Connection: close' "http://127.0.0.1:$port/" >/dev/null 2>&1 # warm-up
	t0=$(cpu_ticks "$pid")
	out=$(wrk -t1 -c8 -d"${seconds}s" -H 'Connection: close' "http://127.0.0.1:$port/")
	t1=$(cpu_ticks "$pid")
	n=$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	if [ -z "$n" ] || printf '%s\n' "$out" | grep -q 'Non-2xx\|Socket errors'; then
		printf '%s\n' "$out" | sed "s/^/  $name: /" >&2
		echo "echo.sh: $name: new connections failed or gave no figure" >&2
		return 1
	fi
	printf '%s %s\n' "$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {print $2}')" \
		"$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$n" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')" \
		>>"$tmp/$name.cps"
}

servers=(clientip-echo nginx node)
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
echo "wrk -t1 -c64 -d${seconds}s --latency http://127.0.0.1:PORT/  ($rounds rounds, interleaved; median shown)"
echo "versions: $("$echo_bin" --version), $(nginx -v 2>&1 | sed 's/.*: //'), node $(node --version), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
for r in $(seq 1 "$rounds"); do
	for s in "${servers[@]}"; do
		measure "$s" || exit 1
		printf '  round %d %-14s %s req/s\n' "$r" "$s" "$(tail -1 "$tmp/$s.runs" | cut -d' ' -f1)"
	done
done

# Median run per server by req/s.
declare -A rps p50 p99 idle load cpu body
for s in "${servers[@]}"; do
	read -r rps[$s] p50[$s] p99[$s] idle[$s] load[$s] cpu[$s] body[$s] < <(sort -n -k1,1 "$tmp/$s.runs" |
		sed -n "$(( (rounds + 1) / 2 ))p")
done
echo
printf '%-14s %10s %9s %9s %10s %10s %9s  %s\n' server req/s p50 p99 "RSS idle" "RSS load" "CPU/req" body
for s in "${servers[@]}"; do
	awk -v s="$s" -v r="${rps[$s]}" -v a="${p50[$s]}" -v b="${p99[$s]}" -v i="${idle[$s]}" \
		-v l="${load[$s]}" -v c="${cpu[$s]}" -v body="${body[$s]}" \
		'BEGIN { printf "%-14s %10.0f %9s %9s %6.1f MiB %6.1f MiB %6.2f us  %s\n", s, r, a, b, i / 1024, l / 1024, c, body }'
done
echo
targets=1
if [ "$smoke" == 1 ]; then
	targets=0
	echo "smoke run (BENCH_SMOKE=1): ${seconds}s runs, targets not checked"
fi
awk -v e="${rps[clientip-echo]}" -v n="${rps[nginx]}" -v j="${rps[node]}" -v i="${idle[clientip-echo]}" \
	-v t="$targets" 'BEGIN {
	printf "clientip-echo / nginx: %.2fx req/s%s\n", e / n, t ? "  (target >= 1.10)" : ""
	printf "clientip-echo / node:  %.2fx req/s%s\n", e / j, t ? "  (target >= 2.00)" : ""
	printf "clientip-echo idle RSS: %.2f MiB%s\n", i / 1024, t ? "  (target <= 2 MiB)" : ""
}'
awk -v e="${cpu[clientip-echo]}" -v n="${cpu[nginx]}" -v t="$targets" 'BEGIN {
	printf "clientip-echo / nginx: %.2fx CPU per keep-alive request%s\n", e / n, t ? "  (target <= 0.85)" : ""
}'

# New connections: each a connect, one request with Connection: close, the
# server's close. clientip-echo and nginx (node is not in this race) in
# interleaved rounds, each round's ratio; the median ratio is the figure.
echo
echo "wrk -t1 -c8 -d${seconds}s -H 'Connection: close' http://127.0.0.1:PORT/  ($rounds rounds, interleaved)"
for r in $(seq 1 "$rounds"); do
	order=(clientip-echo nginx)
	[ $((r % 2)) == 0 ] && order=(nginx clientip-echo)
	for s in "${order[@]}"; do
		measure_cps "$s" || exit 1
	done
	e=$(tail -1 "$tmp/clientip-echo.cps"); n=$(tail -1 "$tmp/nginx.cps")
	awk -v r="$r" -v e="$e" -v n="$n" 'BEGIN { split(e, a, " "); split(n, b, " ")
		printf "  round %d  clientip-echo %8.0f conn/s %6.2f us CPU/conn   nginx %8.0f conn/s %6.2f us CPU/conn   %.2fx\n",
			r, a[1], a[2], b[1], b[2], a[1] / b[1] }' | tee -a "$tmp/cps.rounds"
done
awk '{ print $NF + 0 }' "$tmp/cps.rounds" | sort -n | awk -v t="$targets" '{ v[NR] = $1 } END {
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "clientip-echo / nginx: %.2fx new connections/s, median of %d rounds%s\n", m, NR, t ? "  (target >= 1.10)" : ""
}'
echo
echo "(CPU/req: the server's user+system CPU time per request during the run. With one"
echo " wrk thread on a small machine the client is often the bottleneck; CPU/req shows"
echo " the servers' own cost whatever the client manages.)"
