# bench/lib.sh — what the benchmark scripts that build a lab share
# (sourced by lb.sh and lb_churn.sh, which set $C, the clientip binary).

# bench_lab_temp NAME: a temp dir in $tmp, and traps that take the lab
# $lab down and remove the dir however the script ends.
bench_lab_temp() {
	tmp=$(mktemp -d "/tmp/clientip-bench-$1.XXXXXX")
	trap bench_lab_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_lab_cleanup() {
	"$C" --lab "$lab" lab down >/dev/null 2>&1
	rm -rf "$tmp"
}

# wait_until SECONDS CMD...: runs CMD every 100 ms until it succeeds; 1 if
# it has not within SECONDS.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}
