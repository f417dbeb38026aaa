# lib.sh — helpers for integration tests. Source it from a test script:
#
#   . "$(dirname "$0")/lib.sh"
#   t_eq "default body" "::ffff:127.0.0.1" "$(curl -s http://127.0.0.1:$port/)"
#   t_done
#
# Each test script is standalone: it runs the real binaries from
# $CLIENTIP_BUILD (default: build), registers its own cleanup with t_defer,
# and ends by printing "N passed, N failed, N skipped" (t_done). A check
# that cannot run here says why with t_skip; a script that cannot run at
# all ends with t_skip_all. scripts/check.sh counts a summary of 0 passed
# and 0 skipped, or none, as a failure.

set -u

T_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_ROOT=$(cd "$T_DIR/../.." && pwd)
T_BUILD=${CLIENTIP_BUILD:-$T_ROOT/build}
case "$T_BUILD" in /*) ;; *) T_BUILD=$T_ROOT/$T_BUILD ;; esac
T_NAME=$(basename "$0" .sh)
T_PASS=0
T_FAIL=0
T_SKIP=0
T_DEFERRED=()
T_TMP=$(mktemp -d "/tmp/clientip-${T_NAME}.XXXXXX")

# A name unique to this run, usable as a lab name (short: it becomes part of
# namespace names).
t_unique() {
	printf 't%s%04x' "$(printf '%s' "$T_NAME" | cksum | cut -c1-3)" $(( ($$ + RANDOM) % 65536 ))
}

t_defer() { T_DEFERRED+=("$*"); }

t_cleanup() {
	local i
	for (( i=${#T_DEFERRED[@]}-1; i>=0; i-- )); do
		eval "${T_DEFERRED[$i]}" >/dev/null 2>&1 || true
	done
	T_DEFERRED=()
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

t_pass() { T_PASS=$((T_PASS + 1)); printf 'ok - %s\n' "$1"; }
t_fail() {
	T_FAIL=$((T_FAIL + 1))
	printf 'not ok - %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '    %s\n' "$@"
	return 0
}

# t_skip DESC REASON: a check that cannot run here, and why.
t_skip() {
	T_SKIP=$((T_SKIP + 1))
	printf 'skip - %s: %s\n' "$1" "$2"
}

# t_skip_all REASON: the whole script cannot run here (no root, a tool
# missing): says why, prints the summary and exits 0.
t_skip_all() {
	t_skip "every check" "$1"
	t_done
	exit
}

# t_ok DESC CMD...: passes when CMD exits 0.
t_ok() {
	local desc=$1; shift
	if "$@" >"$T_TMP/out" 2>&1; then t_pass "$desc"
	else t_fail "$desc" "command failed: $*" "$(head -c 2000 "$T_TMP/out")"; fi
}

# t_not DESC CMD...: passes when CMD exits non-zero.
t_not() {
	local desc=$1; shift
	if "$@" >"$T_TMP/out" 2>&1; then t_fail "$desc" "command succeeded: $*"
	else t_pass "$desc"; fi
}

# t_eq DESC EXPECTED ACTUAL
t_eq() {
	if [ "$2" == "$3" ]; then t_pass "$1"
	else t_fail "$1" "expected: $(printf '%q' "$2")" "actual:   $(printf '%q' "$3")"; fi
}

# t_match DESC REGEX ACTUAL (extended regex; one of several lines matches
# consecutive lines, with ^ and $ at line boundaries)
t_match() {
	# grep would take each line of a multi-line pattern as an alternative
	# and pass on any one of them.
	local ok
	case $2 in
	*$'\n'*) python3 -c 'import re, sys; sys.exit(0 if re.search(sys.argv[1], sys.argv[2], re.M) else 1)' \
			"$2" "$3" && ok=1 ;;
	*) printf '%s' "$3" | grep -Eq -- "$2" && ok=1 ;;
	esac
	if [ -n "${ok:-}" ]; then t_pass "$1"
	else t_fail "$1" "no match for /$2/ in:" "$(printf '%s' "$3" | head -c 2000)"; fi
}

# t_wait SECONDS CMD...: polls CMD every 50 ms until it succeeds; 1 on timeout.
t_wait() {
	local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
	until "$@" >/dev/null 2>&1; do
		[ $(( $(date +%s%N) / 1000000 )) -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# t_free_port: a TCP port on loopback nobody listens on right now.
t_free_port() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::",0)); print(s.getsockname()[1])'
}

# t_http_raw [OPTIONS] PORT DATA...: a raw HTTP client for what curl will
# not send (pipelined requests, malformed heads, PROXY headers): one write,
# one line per answer; options and output in http_raw.py.
t_http_raw() { python3 "$T_DIR/http_raw.py" "$@"; }

# t_api STATEDIR PATH: GET PATH from the lab's API server, on its Unix
# socket in the lab's state dir (the answer's body on stdout).
t_api() { curl -s --max-time 5 --unix-socket "$1/apiserver.sock" "http://lab$2"; }

# t_api_send STATEDIR METHOD PATH [CONTENT_TYPE]: a request to the lab's API
# server with the body from stdin; prints the answer and fails unless it
# is 2xx (then the status and the answer's start go to stderr too).
t_api_send() {
	local code
	code=$(curl -s --max-time 5 --unix-socket "$1/apiserver.sock" -o "$T_TMP/api.out" \
		-w '%{http_code}' -X "$2" -H "Content-Type: ${4:-application/json}" \
		--data-binary @- "http://lab$3")
	cat "$T_TMP/api.out"
	[ "${code:0:1}" == 2 ] && return 0
	echo "$2 $3: HTTP $code: $(head -c 300 "$T_TMP/api.out")" >&2
	return 1
}

# t_frontend STATEDIR SERVICE [NAMESPACE]: the Service's load balancer
# address, from its status ("" while it has none or is gone).
t_frontend() {
	t_api "$1" "/api/v1/namespaces/${3:-default}/services/$2" |
		jq -r '.status.loadBalancer.ingress[0].ip // empty' 2>/dev/null
}

# t_deployment NAME [NAMESPACE]: the head of a Deployment whose pods are
# labelled app=NAME, up to its `containers:` key, on stdout; the caller
# writes the containers after it.
t_deployment() {
	printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s%s}\nspec:\n' \
		"$1" "${2:+, namespace: $2}"
	printf '  selector: {matchLabels: {app: %s}}\n  template:\n' "$1"
	printf '    metadata: {labels: {app: %s}}\n    spec:\n      containers:\n' "$1"
}

# t_scenario_manifest POLICY [REPLICAS]: the scenario's manifest
# (examples/aks-scenario/deploy.yaml) with that externalTrafficPolicy and
# replica count, on stdout.
t_scenario_manifest() {
	sed "s/^  replicas: 1\$/  replicas: ${2:-1}/" "$T_ROOT/examples/aks-scenario/deploy.yaml"
	[ "$1" == Local ] && echo "  externalTrafficPolicy: Local"
	return 0
}

t_done() {
	printf '%s: %d passed, %d failed, %d skipped\n' "$T_NAME" "$T_PASS" "$T_FAIL" "$T_SKIP"
	[ "$T_FAIL" -eq 0 ]
}
