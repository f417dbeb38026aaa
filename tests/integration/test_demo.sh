#!/usr/bin/env bash
# `make demo`'s scenario as a test: the script checks every step itself and
# exits non-zero when anything differs; here it runs with a unique lab and
# short probe intervals, and its output and teardown are checked too.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

lab=$(t_unique)
t_defer "$T_BUILD/clientip --lab $lab lab down"

CLIENTIP_BUILD=$T_BUILD "$T_ROOT/scripts/demo.sh" --lab "$lab" --probe-interval 1 \
	--out "$T_TMP/demo" >"$T_TMP/demo.log" 2>&1
rc=$?
log=$(cat "$T_TMP/demo.log")
t_eq "the scenario runs to the end" 0 "$rc"
[ "$rc" -eq 0 ] || printf '%s\n' "$log" | tail -30
t_match "EXTERNAL-IP shown" "EXTERNAL-IP 203\.0\.113\.[0-9]+" "$log"
t_match "Cluster: 100 %" "Health Probe Status: 100 %" "$log"
t_match "Cluster: answers are node addresses" "answered ::ffff:10\.(244\.[0-9]+\.1|240\.0\.[0-9]+) " "$log"
t_match "Local: 50 %" "Health Probe Status: 50 %" "$log"
t_match "Local: the client's own address" "answered ::ffff:198\.51\.100\.10 " "$log"
if command -v kubectl >/dev/null 2>&1; then
	t_match "with kubectl installed, the steps are kubectl's" '\$ kubectl apply -f examples/aks-scenario/deploy_clientIP\.yaml' "$log"
else
	t_match "without kubectl, the steps are clientip's" '\$ clientip --lab [^ ]+ apply -f examples/aks-scenario/deploy_clientIP\.yaml' "$log"
fi
t_match "explain's verdict" "Kept: externalTrafficPolicy is Local" "$log"
t_ok "chart written" test -s "$T_TMP/demo/health-probe-status.svg"
t_ok "chart is SVG" grep -q "<svg" "$T_TMP/demo/health-probe-status.svg"
# What a reader sees: the chart as Chromium paints it, read back from its
# pixels. Under Cluster every line is at 100 %; under Local the pod's node
# stays there, the other node falls to 0 % and the pool's average to 50 %.
pod_addr=$(printf '%s\n' "$log" | sed -n 's/.*then only node[0-9]* (\(10\.240\.0\.[0-9]*\)) under Local.*/\1/p')
if command -v chromium >/dev/null 2>&1; then
	levels=$(python3 "$T_DIR/chart_render.py" "$T_TMP/demo/health-probe-status.svg" "$T_TMP/chart.png")
	printf '%s\n' "$levels" | sed 's/^/  rendered: /'
	t_match "rendered: the pod's node at 100 % throughout" "^${pod_addr//./\\.} 100 100\$" "$levels"
	t_match "rendered: the other node from 100 % to 0 %" "^10\.240\.0\.[0-9]+ 100 0\$" "$levels"
	t_match "rendered: the pool's average from 100 % to 50 %" "^all backends 100 50\$" "$levels"
else
	t_skip "chart rendered in Chromium" "chromium is not installed (scripts/deps.sh installs it)"
fi
t_eq "lab torn down by the script" "" "$(ls /run/netns 2>/dev/null | grep "^cip-$lab-")"

# Interrupted half-way, it still tears its lab down.
lab2=$(t_unique)
t_defer "$T_BUILD/clientip --lab $lab2 lab down"
CLIENTIP_BUILD=$T_BUILD setsid "$T_ROOT/scripts/demo.sh" --lab "$lab2" --probe-interval 1 \
	--out "$T_TMP/demo2" >"$T_TMP/demo2.log" 2>&1 &
pid=$!
t_ok "second run reaches the browsing step" t_wait 60 grep -q "Browse to" "$T_TMP/demo2.log"
# A background job of a script ignores SIGINT, so stand in for Ctrl-C with
# SIGTERM, which the script handles the same way.
kill -TERM "$pid"
wait "$pid"
t_eq "interrupted run exits 130" 130 $?
t_match "interrupted run says so" "interrupted" "$(cat "$T_TMP/demo2.log")"
t_eq "interrupted run tore its lab down" "" "$(ls /run/netns 2>/dev/null | grep "^cip-$lab2-")"

t_done
