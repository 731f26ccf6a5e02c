#!/usr/bin/env bash
# import.sh - time `trucctl session import` of 500 sessions and `trucctl
# agent import` of 10,000 agents (bench/gen-import.sh), each into a fresh
# database; three rounds, medians.
#
#	bench/import.sh               (BUILD=build by default; run by bench/run.sh)
#
# The database is on disk (BENCH_DB_DIR, default ${TMPDIR:-/tmp}), so the
# all-or-nothing commit pays for its fsync as it would in production.
# Results on stdout, and KEY=VALUE lines appended to $BENCH_RESULTS when
# set.  Exit 1 when an import failed.

set -u
TRUCD_TOP=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=build}"
TRUCCTL=$TRUCD_TOP/$BUILD/trucctl
ROUNDS=${BENCH_ROUNDS:-3}
NOW="2026-11-30 08:00"

. "$TRUCD_TOP/bench/lib.sh"
die() { echo "import: $*" >&2; exit 1; }

[ -x "$TRUCCTL" ] || die "$TRUCCTL missing: run make bench"
[ -x /usr/bin/time ] || die "/usr/bin/time missing: apt-get install time"
DIR=$(mktemp -d "${BENCH_DB_DIR:-${TMPDIR:-/tmp}}/trucd-bench-import.XXXXXX") ||
	die "cannot make a directory"
trap 'rm -rf "$DIR"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sh "$TRUCD_TOP/bench/gen-import.sh" "$DIR" >/dev/null || die "gen-import.sh failed"
cat >"$DIR/trucd.conf" <<CONF
database  = "$DIR/trucd.db"
templates = "$TRUCD_TOP/templates"
timezone  = "Europe/Paris"
language  = "fr"
school {
  address = "truc@ville.example"
  domains = {"ville.example"}
}
CONF

# timed WHAT FILE: one import into a fresh database; prints "SECONDS KIB".
timed() {
	local t0 t1
	rm -f "$DIR"/trucd.db*
	t0=$(now_us)
	/usr/bin/time -f '%M' -o "$DIR/time" timeout 60 \
	    "$TRUCCTL" -c "$DIR/trucd.conf" --now "$NOW" "$1" import "$2" \
	    >"$DIR/out" 2>&1 || { cat "$DIR/out" >&2; return 1; }
	t1=$(now_us)
	echo "$(secs "$t0" "$t1") $(tail -n 1 "$DIR/time")"
}

echo "import: 500 sessions and 10,000 agents into fresh databases in $DIR, $ROUNDS rounds"
ts=() ta=() rs=() ra=()
for r in $(seq 1 "$ROUNDS"); do
	x=$(timed session "$DIR/sessions-500.csv") || die "session import failed"
	ts+=("${x% *}"); rs+=("${x#* }")
	n=$(sqlite3 "$DIR/trucd.db" 'SELECT count(*) FROM sessions' 2>/dev/null || echo '?')
	y=$(timed agent "$DIR/agents-10000.csv") || die "agent import failed"
	ta+=("${y% *}"); ra+=("${y#* }")
	m=$(sqlite3 "$DIR/trucd.db" 'SELECT count(*) FROM agents' 2>/dev/null || echo '?')
	printf 'round %d: %s sessions in %s s (%s KiB), %s agents in %s s (%s KiB)\n' \
	    "$r" "$n" "${ts[-1]}" "${rs[-1]}" "$m" "${ta[-1]}" "${ra[-1]}"
done
echo "import results (medians of $ROUNDS):"
result import_sessions_s "$(median "${ts[@]}")"
result import_sessions_rss_kib "$(printf '%s\n' "${rs[@]}" | sort -n | tail -n 1)"
result import_agents_s "$(median "${ta[@]}")"
result import_agents_rss_kib "$(printf '%s\n' "${ra[@]}" | sort -n | tail -n 1)"
exit 0
