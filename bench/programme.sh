#!/usr/bin/env bash
# programme.sh - how fast trucd sends the weekly programme, against what
# the SMTP server itself can take in the same run.
#
#	bench/programme.sh            (BUILD=build by default; run by bench/run.sh)
#
# 10,000 agents and 500 sessions (bench/gen-import.sh) are imported; then
# `trucd --once --now 'Monday 08:00'` with an empty INBOX is timed from
# start to exit: it composes one personalised programme per agent (the
# sessions of the coming two weeks), queues them and sends them all to
# smtp-sink.  The floor: smtp-source sending 10,000 messages of our
# programmes' average size over one connection to the same sink.  Three
# rounds, medians; peak RSS from /usr/bin/time.
#
# BENCH_PERF=DIR adds a round under `perf record` (profile in DIR).
# Servers under /dev/shm; the database on disk (BENCH_DB_DIR, default
# ${TMPDIR:-/tmp}).  Results on stdout, and KEY=VALUE lines appended to
# $BENCH_RESULTS when set.  Exit 1 when a run did not complete.

set -u
TRUCD_TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TRUCD_TOP/tests/lib/test-lib.sh"

ROUNDS=${BENCH_ROUNDS:-3}
NOW="2026-11-30 08:00"		# a Monday, the configured time

. "$TRUCD_TOP/bench/lib.sh"
PROGRAMME='programme {
  day = "monday"
  time = "08:00"
  weeks = 2
}'
die() { echo "programme: $*" >&2; exit 1; }




test_init
for b in "$TRUCD" "$TRUCCTL"; do
	[ -x "$b" ] || die "$b missing: run make bench"
done
[ -x /usr/bin/time ] || die "/usr/bin/time missing: apt-get install time"
command -v smtp-source >/dev/null || die "smtp-source missing (package postfix)"
DBDIR=$(mktemp -d "${BENCH_DB_DIR:-${TMPDIR:-/tmp}}/trucd-bench-db.XXXXXX") ||
	die "cannot make a database directory"
at_cleanup "rm -rf '$DBDIR'"

rig_init || die "rig_init"
( umask 077; echo benchpw >"$TEST_DIR/imap.secret" )
rig_start_dovecot || die "dovecot did not start"
rig_start_sink || die "smtp-sink did not start"

sh "$TRUCD_TOP/bench/gen-import.sh" "$TEST_DIR/data" >/dev/null || die "gen-import.sh failed"
N=$(($(wc -l <"$TEST_DIR/data/agents-10000.csv") - 1))
TEMPLATE_DB=$DBDIR/template.db
write_conf "$TEST_DIR/import.conf" "$TEMPLATE_DB" bench "$PROGRAMME"
"$TRUCCTL" -c "$TEST_DIR/import.conf" --now "$NOW" session import \
    "$TEST_DIR/data/sessions-500.csv" >/dev/null || die "session import failed"
"$TRUCCTL" -c "$TEST_DIR/import.conf" agent import \
    "$TEST_DIR/data/agents-10000.csv" >/dev/null || die "agent import failed"

echo "programme: $N agents, 500 sessions, $ROUNDS rounds; servers in $TEST_DIR, database in $DBDIR"

failed=0
t_trucd=() t_smtp=() rss=() sizes=()
for r in $(seq 1 "$ROUNDS"); do
	DB=$DBDIR/round$r.db
	CONF=$TEST_DIR/round$r.conf
	cp "$TEMPLATE_DB" "$DB" || die "cannot copy the database"
	[ -f "$TEMPLATE_DB-wal" ] && { cp "$TEMPLATE_DB-wal" "$DB-wal" || die "cannot copy the WAL"; }
	write_conf "$CONF" "$DB" bench "$PROGRAMME"

	rig_sink_clear
	t0=$(now_us)
	/usr/bin/time -f '%M' -o "$TEST_DIR/time$r" timeout 600 \
	    "$TRUCD" -c "$CONF" --once --now "$NOW" >"$TEST_DIR/trucd$r.log" 2>&1
	rc=$?
	t1=$(now_us)
	sent=$(rig_sink_count)
	if [ "$rc" -ne 0 ] || [ "$sent" -ne "$N" ]; then
		echo "round $r: trucd exit $rc, $sent of $N programmes in the sink" >&2
		tail -n 20 "$TEST_DIR/trucd$r.log" >&2
		failed=1
	fi
	t_trucd+=("$(secs "$t0" "$t1")")
	rss+=("$(tail -n 1 "$TEST_DIR/time$r")")
	size=$(sink_avg_size); size=${size#* }
	sizes+=("$size")
	s=$(smtp_floor "$N" "$size") || die "smtp-source failed"
	t_smtp+=("$s")
	printf 'round %d: trucd %s s (peak RSS %s KiB), smtp-source %s s; programmes %s bytes on average\n' \
	    "$r" "${t_trucd[-1]}" "${rss[-1]}" "$s" "$size"
done
grep -E 'programme|outbox:' "$TEST_DIR/trucd$ROUNDS.log" | sed 's/^/  last round: /'

# BENCH_PERF=DIR: one more round under perf record; the flat profile goes
# to DIR/programme.txt (the time of this round is not counted).
if [ -n "${BENCH_PERF:-}" ]; then
	mkdir -p "$BENCH_PERF"
	cp "$TEMPLATE_DB" "$DBDIR/perf.db" && write_conf "$TEST_DIR/perf.conf" "$DBDIR/perf.db" bench "$PROGRAMME"
	[ -f "$TEMPLATE_DB-wal" ] && cp "$TEMPLATE_DB-wal" "$DBDIR/perf.db-wal"
	rig_sink_clear
	timeout 600 perf record -q -F 999 -g -o "$BENCH_PERF/programme.data" -- \
	    "$TRUCD" -c "$TEST_DIR/perf.conf" --once --now "$NOW" >"$TEST_DIR/perf.log" 2>&1
	perf report -i "$BENCH_PERF/programme.data" --no-children --stdio \
	    --sort dso,symbol 2>/dev/null | grep -v '^$' >"$BENCH_PERF/programme.txt"
	echo "profile: $BENCH_PERF/programme.txt"
fi

m_trucd=$(median "${t_trucd[@]}")
m_smtp=$(median "${t_smtp[@]}")
echo "programme results (medians of $ROUNDS):"
result programme_n "$N"
result programme_sessions "$(sed -n 's/.*weekly programme .*: \([0-9]*\) sessions.*/\1/p' "$TEST_DIR/trucd$ROUNDS.log" | tail -n 1)"
result programme_trucd_s "$m_trucd"
result programme_rate "$(awk -v n="$N" -v t="$m_trucd" 'BEGIN { printf "%.0f", n / t }')"
result programme_smtp_s "$m_smtp"
result programme_floor_rate "$(awk -v n="$N" -v t="$m_smtp" 'BEGIN { printf "%.0f", n / t }')"
result programme_ratio "$(awk -v a="$m_trucd" -v b="$m_smtp" 'BEGIN { printf "%.2f", a / b }')"
result programme_bytes "$(median "${sizes[@]}")"
result programme_peak_rss_kib "$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)"
result programme_runs "$(echo "${t_trucd[*]}" | tr ' ' /)"
exit "$failed"
