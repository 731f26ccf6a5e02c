#!/usr/bin/env bash
# mail-loop.sh - how fast trucd answers a full mailbox, measured against
# what the mail servers themselves can do in the same run.
#
#	bench/mail-loop.sh            (BUILD=build by default; run by bench/run.sh)
#
# 2,000 command mails from 2,000 agents (INSCRIPTION to six large sessions,
# one in twenty MES INSCRIPTIONS) are put unseen into a fresh Dovecot user;
# then `trucd --once` is timed from start to exit: every mail read, applied,
# moved, and its reply accepted by smtp-sink.  The floor, measured in the
# same run on the same servers: one bare IMAP fetch of those 2,000 mails
# (build/tools/imaptool, libetpan, one UID FETCH) plus smtp-source sending
# 2,000 messages of our replies' average size over one connection to the
# same smtp-sink.  Three rounds; medians.  Then the daemon: its RSS once it
# has handled 2,000 mails and sits in IDLE, and the time from a mail landing
# in the INBOX to its reply reaching the sink (five tries).  For the
# record, not in the floor: Dovecot's own MOVE of the 2,000 mails, and the
# daemon's RSS just after start (mostly shared libraries) and its anonymous
# part (RssAnon).
#
# BENCH_PERF=DIR adds a round under `perf record` (profile in DIR).
# Servers live under /dev/shm (tmpfs); the database is on disk
# (BENCH_DB_DIR, default ${TMPDIR:-/tmp}), as in production, so commits pay
# for their fsync.  Results: human-readable on stdout, and KEY=VALUE lines
# appended to $BENCH_RESULTS when set.  Exit 0 when every run completed
# (targets are reported, not enforced), 1 when one did not.

set -u
TRUCD_TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TRUCD_TOP/tests/lib/test-lib.sh"

N=${BENCH_MAILS:-2000}
ROUNDS=${BENCH_ROUNDS:-3}
NOW="2026-11-30 09:00"		# a Monday; the sessions are two weeks on
DONE_MB="Traités"

. "$TRUCD_TOP/bench/lib.sh"
die() { echo "mail-loop: $*" >&2; exit 1; }

# wait_until_fast TIMEOUT_S N: poll every 10 ms until the sink holds N
# messages (a glob, no fork: the sink was cleared, so it stays small).
wait_until_fast() {
	local limit=$(( ${EPOCHREALTIME/./} + $1 * 1000000 )) f
	while [ "${EPOCHREALTIME/./}" -lt "$limit" ]; do
		f=("$RIG_SINK_DIR"/msg.*)
		[ -e "${f[0]}" ] && [ "${#f[@]}" -ge "$2" ] && return 0
		sleep 0.01
	done
	return 1
}




# --- set-up ---------------------------------------------------------------

test_init
for b in "$TRUCD" "$TRUCCTL" "$TOOLS/imaptool"; do
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

echo "mail-loop: $N command mails, $ROUNDS rounds; servers in $TEST_DIR, database in $DBDIR"

# Six sessions two weeks on, room for everyone.
cat >"$TEST_DIR/sessions.csv" <<'CSV'
code,title,track,start,end,place,capacity,trainer,description
bench-1,Le tableur sans peur,Un truc en plus,2026-12-14 09:00,2026-12-14 12:00,Salle du conseil,1000,,
bench-2,Écrire un courrier clair,Un truc en plus,2026-12-14 14:00,2026-12-14 16:00,Salle 3,1000,,
bench-3,La laïcité au quotidien,Conférence,2026-12-15 10:00,2026-12-15 12:00,Médiathèque,1000,,
bench-4,Cybersécurité : reconnaître un courriel piégé,Conférence,2026-12-16 09:00,2026-12-16 11:00,Visioconférence,1000,,
bench-5,Rédacteur territorial : la note de synthèse,Préparation concours,2026-12-17 14:00,2026-12-17 17:00,Salle des mariages,1000,,
bench-6,Zéro déchet au bureau,Développement durable,2026-12-18 12:00,2026-12-18 13:30,Auditorium,1000,,
CSV
# N agents, and one mail from each: mostly a sign-up written in a sentence
# or two with a signature, one in twenty MES INSCRIPTIONS.
mkdir -p "$TEST_DIR/mails"
awk -v n="$N" -v dir="$TEST_DIR/mails" -v agents="$TEST_DIR/agents.csv" 'BEGIN {
	printf "email,name,service,manager\r\n" > agents
	for (i = 1; i <= n; i++) {
		a = sprintf("agent%05d@ville.example", i)
		printf "%s,Agent %d,Service %d,\r\n", a, i, i % 20 > agents
		f = sprintf("%s/%05d.eml", dir, i)
		if (i % 20 == 0) { subj = "MES INSCRIPTIONS"; cmd = "MES INSCRIPTIONS" }
		else { subj = "Inscription"; cmd = sprintf("INSCRIPTION bench-%d", 1 + i % 6) }
		printf "From: Agent %d <%s>\r\n", i, a > f
		printf "To: TRUC <truc@ville.example>\r\n" > f
		printf "Subject: %s\r\n", subj > f
		printf "Date: Mon, 30 Nov 2026 08:%02d:%02d +0100\r\n", (i / 60) % 60, i % 60 > f
		printf "Message-ID: <bench-%d@client.example>\r\n", i > f
		printf "MIME-Version: 1.0\r\n" > f
		printf "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n" > f
		printf "Content-Transfer-Encoding: 8bit\r\n" > f
		printf "User-Agent: Mozilla Thunderbird\r\n\r\n" > f
		printf "Bonjour,\r\n\r\n%s\r\n\r\nMerci d\047avance et bonne journée.\r\n\r\n", cmd > f
		printf "-- \r\nAgent %d\r\nService %d, mairie\r\n", i, i % 20 > f
		close(f)
	}
}' || die "cannot write the mails"

TEMPLATE_DB=$DBDIR/template.db
write_conf "$TEST_DIR/import.conf" "$TEMPLATE_DB" unused
"$TRUCCTL" -c "$TEST_DIR/import.conf" --now "$NOW" session import "$TEST_DIR/sessions.csv" >/dev/null ||
	die "session import failed"
"$TRUCCTL" -c "$TEST_DIR/import.conf" agent import "$TEST_DIR/agents.csv" >/dev/null ||
	die "agent import failed"

# fresh_round R [empty]: a new Dovecot user holding the N mails unseen
# (none with "empty"), a copy of the imported database, and a configuration
# for both.  Sets CONF, DB, MUSER.
fresh_round() {
	MUSER=bench$1
	DB=$DBDIR/round$1.db
	CONF=$TEST_DIR/round$1.conf
	cp "$TEMPLATE_DB" "$DB" || return 1
	[ -f "$TEMPLATE_DB-wal" ] && { cp "$TEMPLATE_DB-wal" "$DB-wal" || return 1; }
	write_conf "$CONF" "$DB" "$MUSER"
	rig_add_user "$MUSER" benchpw
	[ "${2:-}" = empty ] && return 0
	rig_deliver "$MUSER" "$TEST_DIR"/mails/*.eml >/dev/null || return 1
	[ "$(rig_count "$MUSER" INBOX unseen)" -eq "$N" ]
}

# --- trucd --once against the floor, ROUNDS times -----------------------------

failed=0
t_trucd=() t_fetch=() t_smtp=() t_move=() rss=() sizes=()
for r in $(seq 1 "$ROUNDS"); do
	fresh_round "$r" || die "round $r: cannot prepare the mailbox"

	# Floor, IMAP side: one connection, login, SELECT, UID SEARCH, one
	# UID FETCH of everything (BODY.PEEK: the mails stay unseen).
	t0=$(now_us)
	out=$("$TOOLS/imaptool" --tls-none "imap://127.0.0.1:$RIG_IMAP_PORT" \
	    "$MUSER" benchpw fetchall INBOX "$N" 2>"$TEST_DIR/imaptool.err") ||
		die "imaptool: $(cat "$TEST_DIR/imaptool.err")"
	out=$(grep '^fetched' <<<"$out")
	t1=$(now_us)
	[[ $out == "fetched $N messages"* ]] || die "imaptool: $out"
	t_fetch+=("$(secs "$t0" "$t1")")

	rig_sink_clear
	t0=$(now_us)
	/usr/bin/time -f '%M' -o "$TEST_DIR/time$r" timeout 300 \
	    "$TRUCD" -c "$CONF" --once --now "$NOW" >"$TEST_DIR/trucd$r.log" 2>&1
	rc=$?
	t1=$(now_us)
	sent=$(rig_sink_count)
	left=$(rig_count "$MUSER" INBOX messages)
	moved=$(rig_count "$MUSER" "$DONE_MB" messages)
	if [ "$rc" -ne 0 ] || [ "$sent" -ne "$N" ] || [ "$left" -ne 0 ] ||
	    [ "$moved" -ne "$N" ]; then
		echo "round $r: trucd exit $rc, $sent replies, $left left in INBOX, $moved moved" >&2
		tail -n 20 "$TEST_DIR/trucd$r.log" >&2
		failed=1
	fi
	t_trucd+=("$(secs "$t0" "$t1")")
	rss+=("$(tail -n 1 "$TEST_DIR/time$r")")
	size=$(sink_avg_size); size=${size#* }
	sizes+=("$size")

	# Not in the floor, for the record: Dovecot's own MOVE of N mails
	# (trucd moves each batch of 500 once it is applied).
	t0=$(now_us)
	"$TOOLS/imaptool" --tls-none "imap://127.0.0.1:$RIG_IMAP_PORT" "$MUSER" \
	    benchpw move "$DONE_MB" INBOX all >/dev/null 2>&1 || die "imaptool move failed"
	t1=$(now_us)
	t_move+=("$(secs "$t0" "$t1")")

	# Floor, SMTP side: the same number of messages of the same size.
	s=$(smtp_floor "$N" "$size") || die "smtp-source failed"
	t_smtp+=("$s")
	printf 'round %d: trucd %s s (peak RSS %s KiB), fetch %s s + smtp-source %s s (MOVE %s s); replies %s bytes on average\n' \
	    "$r" "${t_trucd[-1]}" "${rss[-1]}" "${t_fetch[-1]}" "$s" "${t_move[-1]}" "$size"
done
grep -E 'mailbox:|outbox:' "$TEST_DIR/trucd$ROUNDS.log" | sed 's/^/  last round: /'

# BENCH_PERF=DIR: one more round under perf record; the flat profile goes
# to DIR/mail-loop.txt (the time of this round is not counted).
if [ -n "${BENCH_PERF:-}" ]; then
	mkdir -p "$BENCH_PERF"
	fresh_round p || die "perf round: cannot prepare the mailbox"
	rig_sink_clear
	timeout 600 perf record -q -F 999 -g -o "$BENCH_PERF/mail-loop.data" -- \
	    "$TRUCD" -c "$CONF" --once --now "$NOW" >"$TEST_DIR/perf.log" 2>&1
	perf report -i "$BENCH_PERF/mail-loop.data" --no-children --stdio \
	    --sort dso,symbol 2>/dev/null | grep -v '^$' >"$BENCH_PERF/mail-loop.txt"
	echo "profile: $BENCH_PERF/mail-loop.txt"
fi

m_trucd=$(median "${t_trucd[@]}")
m_fetch=$(median "${t_fetch[@]}")
m_smtp=$(median "${t_smtp[@]}")
m_floor=$(awk -v a="$m_fetch" -v b="$m_smtp" 'BEGIN { printf "%.3f", a + b }')
max_rss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)

# --- the daemon: idle RSS and reply latency ------------------------------

# vm PID FIELD: a /proc/PID/status figure in KiB (VmRSS, VmHWM, RssAnon).
vm() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

r=d
fresh_round "$r" empty || die "daemon: cannot prepare the mailbox"
rig_sink_clear
"$TRUCD" -c "$CONF" --now "$NOW" >"$TEST_DIR/daemon.log" 2>&1 &
DPID=$!
track_pid "$DPID"
sleep 2		# started, logged in, IDLE on an empty INBOX
start_rss=$(vm "$DPID" VmRSS) start_anon=$(vm "$DPID" RssAnon)
rig_deliver "$MUSER" "$TEST_DIR"/mails/*.eml >/dev/null || die "daemon: cannot deliver"
wait_until 120 eval '[ "$(rig_sink_count)" -ge '"$N"' ]' ||
	{ tail -n 20 "$TEST_DIR/daemon.log" >&2; die "daemon: replies missing"; }
wait_until 10 eval '[ "$(rig_count "$MUSER" INBOX messages)" -eq 0 ]' ||
	die "daemon: mail left in the INBOX"
sleep 2		# back in IDLE, settled
idle_rss=$(vm "$DPID" VmRSS) idle_hwm=$(vm "$DPID" VmHWM) idle_anon=$(vm "$DPID" RssAnon)

rig_sink_clear
lat=()
for k in 1 2 3 4 5; do
	f=$TEST_DIR/late$k.eml
	sed -e "s/^Message-ID: <bench-$k@/Message-ID: <late-$k@/" \
	    -e "s/^Subject: .*/Subject: MES INSCRIPTIONS/" \
	    -e "s/^INSCRIPTION bench-.*/MES INSCRIPTIONS\r/" \
	    "$TEST_DIR/mails/$(printf %05d "$k").eml" >"$f"
	sleep 1		# let the daemon get back into IDLE
	# From before the delivery (doveadm import, ~30 ms) to the reply.
	t0=$(now_us)
	rig_deliver "$MUSER" "$f" >/dev/null || die "daemon: cannot deliver"
	if wait_until_fast 5 "$k"; then
		t1=$(now_us)
		lat+=("$(secs "$t0" "$t1")")
	else
		echo "daemon: no reply to mail $k within 5 s" >&2
		lat+=(5.000); failed=1
	fi
done
kill -TERM "$DPID" 2>/dev/null
wait_until 5 eval '! kill -0 '"$DPID"' 2>/dev/null || [ "$(ps -o stat= -p '"$DPID"')" = Z ]'
wait "$DPID" 2>/dev/null
m_lat=$(median "${lat[@]}")

echo "mail-loop results (medians of $ROUNDS):"
result mail_loop_n "$N"
result mail_loop_trucd_s "$m_trucd"
result mail_loop_rate "$(awk -v n="$N" -v t="$m_trucd" 'BEGIN { printf "%.0f", n / t }')"
result mail_loop_fetch_s "$m_fetch"
result mail_loop_smtp_s "$m_smtp"
result mail_loop_floor_s "$m_floor"
result mail_loop_floor_rate "$(awk -v n="$N" -v t="$m_floor" 'BEGIN { printf "%.0f", n / t }')"
result mail_loop_ratio "$(awk -v a="$m_trucd" -v b="$m_floor" 'BEGIN { printf "%.2f", a / b }')"
result mail_loop_reply_bytes "$(median "${sizes[@]}")"
result mail_loop_peak_rss_kib "$max_rss"
result mail_loop_move_s "$(median "${t_move[@]}")"
result daemon_start_rss_kib "$start_rss"
result daemon_start_anon_kib "$start_anon"
result daemon_idle_rss_kib "$idle_rss"
result daemon_idle_anon_kib "$idle_anon"
result daemon_hwm_kib "$idle_hwm"
result daemon_latency_s "$m_lat"
result daemon_latency_all "$(echo "${lat[*]}" | tr ' ' /)"
result mail_loop_runs "$(echo "${t_trucd[*]}" | tr ' ' /)"
exit "$failed"
