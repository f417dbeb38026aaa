#!/usr/bin/env bash
# Runs every test twice — a normal build and an ASan+UBSan build — each
# benchmark once in smoke mode, then the fuzz targets for a short bounded
# time, and prints one summary line:
#   check: N passed, N failed, N skipped
# Each line of the summary counts single test cases (cmocka cases, checks in
# integration scripts, benchmark smoke runs, fuzz targets). A test that
# cannot run here (no root, say) is skipped and says why; a test program or
# script that reports nothing run and nothing skipped, or no summary at all,
# has failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

passed=0
failed=0
skipped=0
failures=()
skips=()
# One log directory per run, so two runs at once do not erase each other's
# logs; directories of runs that are no longer alive are removed.
mkdir -p "$root/build-logs"
for d in "$root"/build-logs/run-*; do
	[ -d "$d" ] || continue
	kill -0 "${d##*/run-}" 2>/dev/null || rm -rf "$d"
done
logdir=$root/build-logs/run-$$
mkdir -p "$logdir"

jobs=${CHECK_JOBS:-3}

setup() { # dir, meson args...
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$logdir/setup-$(basename "$dir").log" 2>&1 || {
			cat "$logdir/setup-$(basename "$dir").log"; return 1; }
	fi
	ninja -C "$dir" >"$logdir/build-$(basename "$dir").log" 2>&1 || {
		cat "$logdir/build-$(basename "$dir").log"; return 1; }
}

count_unit() { # build dir, label
	local dir=$1 label=$2 exe out p f s
	# Every test_* executable of the build tree (tests/unit/meson.build
	# registers them all; they land in tests/unit/).
	while IFS= read -r exe; do
		out=$logdir/$label-unit-$(basename "$exe").log
		CMOCKA_MESSAGE_OUTPUT=stdout "$exe" </dev/null >"$out" 2>&1
		local rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
		s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
		p=${p:-0}; f=${f:-0}; s=${s:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		if [ "$p" -eq 0 ] && [ "$s" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi # ran nothing
		passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
		[ "$f" -gt 0 ] && failures+=("$label unit $(basename "$exe") (log: $out)")
		[ "$s" -gt 0 ] && skips+=("$label unit $(basename "$exe"): $s skipped (log: $out)")
		printf '%-6s unit %-28s %d passed, %d failed, %d skipped\n' "$label" "$(basename "$exe")" \
			"$p" "$f" "$s"
	done < <(find "$dir" -name 'test_*' -type f -perm -u+x -not -path '*.p/*' \
		-not -path '*/meson-*' | sort)
}

count_integration() { # build dir, label
	local dir=$1 label=$2 script name out line p f s why
	local scripts=(tests/integration/test_*.sh)
	[ -e "${scripts[0]}" ] || return 0
	# Tests run in parallel: each builds its own uniquely named lab.
	printf '%s\n' "${scripts[@]}" | xargs -P "$jobs" -I{} sh -c \
		'CLIENTIP_BUILD="$1" timeout 900 bash "$2" >"$3/$4-$(basename "$2" .sh).log" 2>&1' \
		_ "$dir" {} "$logdir" "$label"
	for script in "${scripts[@]}"; do
		name=$(basename "$script" .sh)
		out=$logdir/$label-$name.log
		# The script's summary (t_done): "NAME: N passed, N failed, N skipped"
		# (NAME is the script's own, or the one it execs).
		line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -1)
		p=$(printf '%s' "$line" | sed -n 's/.*\b\([0-9]\+\) passed.*/\1/p')
		f=$(printf '%s' "$line" | sed -n 's/.*\b\([0-9]\+\) failed.*/\1/p')
		s=$(printf '%s' "$line" | sed -n 's/.*\b\([0-9]\+\) skipped.*/\1/p')
		if [ -z "$line" ]; then
			p=0; f=1; s=0  # died before its summary
		elif [ "$p" -eq 0 ] && [ "$s" -eq 0 ] && [ "$f" -eq 0 ]; then
			f=1  # checked nothing and did not say why
		fi
		passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
		[ "$f" -gt 0 ] && failures+=("$label $name (log: $out)")
		if [ "$s" -gt 0 ]; then
			while IFS= read -r why; do
				skips+=("$label $name: ${why#skip - }")
			done < <(grep '^skip - ' "$out")
		fi
		printf '%-6s integ %-27s %d passed, %d failed, %d skipped\n' "$label" "$name" "$p" "$f" "$s"
	done
}

# Every benchmark of bench/run.sh, once, in smoke mode (BENCH_SMOKE=1: about
# a second per figure, targets not checked) against the plain build, one at
# a time after the integration tests: a benchmark that no longer runs fails
# here rather than at the next `make bench`. Exit status 77 is a benchmark
# that cannot run on this machine (no root); it says why on its last line.
run_bench_smoke() {
	local b out rc why
	for b in $(bench/run.sh --list); do
		out=$logdir/bench-$b.log
		BENCH_SMOKE=1 CLIENTIP_BUILD="$root/build" timeout 900 "bench/$b.sh" >"$out" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			passed=$((passed + 1)); echo "bench  smoke $b: ok"
		elif [ "$rc" -eq 77 ]; then
			why=$(tail -1 "$out")
			skipped=$((skipped + 1)); skips+=("bench $b: $why")
			echo "bench  smoke $b: skipped ($why)"
		else
			failed=$((failed + 1)); failures+=("bench smoke $b (log: $out)")
			echo "bench  smoke $b: FAILED (exit $rc)"
		fi
	done
}

run_fuzz() {
	local t out
	[ -d build-fuzz ] || return 0
	for t in build-fuzz/fuzz/fuzz_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		out=$logdir/fuzz-$(basename "$t").log
		# New inputs go to a scratch corpus (the first directory); the
		# committed seeds are only read.
		local name dict=()
		name=$(basename "$t" | sed 's/^fuzz_//')
		mkdir -p "$logdir/corpus-$name"
		[ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
		if "$t" -max_total_time="${FUZZ_SECONDS:-10}" -rss_limit_mb=1024 "${dict[@]}" \
			-artifact_prefix="$logdir/" "$logdir/corpus-$name" "fuzz/corpus/$name" \
			>"$out" 2>&1; then
			passed=$((passed + 1)); echo "fuzz   $(basename "$t"): ok"
		else
			failed=$((failed + 1)); failures+=("fuzz $(basename "$t") (log: $out)")
			echo "fuzz   $(basename "$t"): FAILED"
		fi
	done
}

setup build || exit 1
setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug || exit 1
if [ -n "$(ls fuzz/*.c 2>/dev/null)" ]; then
	CC=clang setup build-fuzz -Dfuzzing=true -Db_lundef=false -Dbuildtype=debug || exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

count_unit build plain
count_integration build plain
run_bench_smoke
count_unit build-asan asan
count_integration build-asan asan
run_fuzz

if [ "${#skips[@]}" -gt 0 ]; then
	echo
	echo "skipped:"
	printf '  %s\n' "${skips[@]}"
fi
if [ "${#failures[@]}" -gt 0 ]; then
	echo
	echo "failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
