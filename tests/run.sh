#!/usr/bin/env bash
# Runs every unit test binary and every shell test, counts TAP lines
# ("ok" / "not ok") across all of them, and ends with "N passed, N failed".
# A test program that dies without printing a failure counts as one failure.
# Usage: BUILD=build bash tests/run.sh [pattern]
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD TRUCD_TOP=$PWD
export SHARED=${SHARED:-$(cd .. && pwd)/shared}
export CMOCKA_MESSAGE_OUTPUT=TAP
pattern=${1:-}
passed=0 failed=0 skipped=0
failures=()
logdir=$BUILD/test-logs
mkdir -p "$logdir"

run_one() {
	local name=$1; shift
	local log=$logdir/$name.log
	mkdir -p "$(dirname "$log")"
	local start=$SECONDS rc
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	local p f
	p=$(grep -cE '^ok [0-9]' "$log")
	f=$(grep -cE '^not ok [0-9]' "$log")
	if [ "$rc" -eq 77 ]; then
		skipped=$((skipped + 1))
		printf '%-44s skipped (%s)\n' "$name" "$(tail -n 1 "$log")"
		return
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures+=("$name")
		printf '%-44s %3d passed, %d FAILED (%ds) — see %s\n' "$name" "$p" "$f" $((SECONDS - start)) "$log"
		grep -E '^not ok|^# ' "$log" | head -n 20 | sed 's/^/    /'
	else
		printf '%-44s %3d passed (%ds)\n' "$name" "$p" $((SECONDS - start))
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d) continue;; esac
	name=unit/$(basename "$t")
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	run_one "$name" "$t"
done
for t in tests/t/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=t/$(basename "$t" .sh)
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	run_one "$name" timeout 600 bash "$t"
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
[ "$skipped" -gt 0 ] && echo "($skipped test programs skipped)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
