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

now_us() { echo "${EPOCHREALTIME/./}"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e6 }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
	if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
result() {
	printf '  %s = %s\n' "$1" "$2"
	[ -n "${BENCH_RESULTS:-}" ] && echo "$1=$2" >>"$BENCH_RESULTS"
	return 0
}
die() { echo "programme: $*" >&2; exit 1; }

# sink_avg_size: count and average wire size (CRLF lines) of the captured
# messages, without smtp-sink's envelope lines, Received: and final line.
sink_avg_size() {
	find "$RIG_SINK_DIR" -type f -name 'msg.*' -exec env LC_ALL=C awk '
	function finish() { if (seen) { if (lastlen == 0) bytes -= 2; total += bytes; n++ } }
	FNR == 1 { finish(); st = 0; cont = 0; bytes = 0; seen = 1 }
	st == 0 && /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args):/ { next }
	st == 0 && /^Received: from .*\(\[/ { st = 1; next }
	st == 1 && /^\t/ { if (++cont == 2) st = 2; next }
	{ st = 2; bytes += length($0) + 2; lastlen = length($0) }
	END { finish(); print n, total }' {} + |
	    awk '{ n += $1; t += $2 } END { if (n) printf "%d %d\n", n, t / n; else print "0 0" }'
}

# smtp_floor COUNT SIZE: seconds smtp-source takes to send COUNT messages of
# SIZE bytes (headers included) over one connection to the sink.
smtp_floor() {
	local count=$1 size=$2 probe over t0 t1 got
	rig_sink_clear
	smtp-source -s 1 -m 1 -l 1000 -d -f bench@ville.example \
	    -t agent@ville.example "127.0.0.1:$RIG_SINK_PORT" || return 1
	probe=$(sink_avg_size)
	over=$(( ${probe#* } - 1000 ))	# the headers smtp-source adds
	[ "$over" -ge 0 ] || over=0
	rig_sink_clear
	t0=$(now_us)
	timeout 300 smtp-source -s 1 -m "$count" -l $((size > over ? size - over : 1)) \
	    -d -f bench@ville.example -t agent@ville.example \
	    "127.0.0.1:$RIG_SINK_PORT" || return 1
	t1=$(now_us)
	got=$(rig_sink_count)
	[ "$got" -eq "$count" ] || { echo "smtp-source: $got of $count in the sink" >&2; return 1; }
	secs "$t0" "$t1"
}

write_conf() {	# write_conf FILE DB
	cat >"$1" <<CONF
database  = "$2"
templates = "$TRUCD_TOP/templates"
timezone  = "Europe/Paris"
language  = "fr"
school {
  name         = "TRUC²"
  address      = "truc@ville.example"
  coordinators = {"coordination@ville.example"}
  domains      = {"ville.example"}
  trusted_authserv_id = "mx.ville.example"
}
imap {
  url  = "imap://127.0.0.1:$RIG_IMAP_PORT"
  tls  = "none"
  user = "bench"
  password_file = "$TEST_DIR/imap.secret"
  mailbox = "INBOX"
  done_mailbox = "Traités"
}
smtp {
  url = "smtp://127.0.0.1:$RIG_SINK_PORT"
  tls = "none"
}
programme {
  day = "monday"
  time = "08:00"
  weeks = 2
}
reminders = {"1d", "2h"}
CONF
}

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
write_conf "$TEST_DIR/import.conf" "$TEMPLATE_DB"
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
	write_conf "$CONF" "$DB"

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
	cp "$TEMPLATE_DB" "$DBDIR/perf.db" && write_conf "$TEST_DIR/perf.conf" "$DBDIR/perf.db"
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
