#!/usr/bin/env bash
# fuzz.sh — runs every libFuzzer target in build-fuzz/fuzz/ for longer than
# `make check` does: FUZZ_SECONDS each (default 60). `make fuzz` builds the
# targets first.
#
# Seeds are read from fuzz/corpus/<name>/ and never written; what the fuzzer
# learns is kept in build-fuzz/corpus/<name>/ so the next run starts from
# there. A crash leaves its input in build-fuzz/artifacts/ and fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
failed=()
found=0
mkdir -p build-fuzz/artifacts

for t in build-fuzz/fuzz/fuzz_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	found=1
	name=$(basename "$t" | sed 's/^fuzz_//')
	mkdir -p "build-fuzz/corpus/$name" "fuzz/corpus/$name"
	args=(-max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="build-fuzz/artifacts/$name-")
	[ -f "fuzz/$name.dict" ] && args+=(-dict="fuzz/$name.dict")
	echo "fuzz.sh: $name for ${seconds}s"
	if "$t" "${args[@]}" "build-fuzz/corpus/$name" "fuzz/corpus/$name" \
		>"build-fuzz/fuzz-$name.log" 2>&1; then
		grep -E '^stat::(number_of_executed_units|new_units_added)' "build-fuzz/fuzz-$name.log" |
			sed 's/^/  /'
	else
		failed+=("$name")
		tail -40 "build-fuzz/fuzz-$name.log"
	fi
done

[ "$found" -eq 1 ] || { echo "fuzz.sh: no targets in build-fuzz/fuzz/ (run make fuzz)"; exit 1; }
if [ "${#failed[@]}" -gt 0 ]; then
	echo "fuzz.sh: FAILED: ${failed[*]} (inputs in build-fuzz/artifacts/)"
	exit 1
fi
echo "fuzz.sh: all targets ran clean"
