#!/usr/bin/env bash
# t0310-faults.sh - the whole mail loop (build/trucd) against real servers
# that fail: SMTP down while replies are due, a 550 for one recipient
# (Postfix), Dovecot restarted between runs and while the daemon idles,
# Dovecot down, mail that cannot be parsed, and the daemon's signals.
#
# What "nothing lost, nothing twice" means here: every command mail ends in
# Traités with its effects applied once (handled, history, registrations),
# its reply queued once in the outbox and captured once by the sink.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TRUCD_TOP/tests/lib/trucd-lib.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
command -v smtp-sink >/dev/null || skip_all "smtp-sink (postfix) not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 (the shell) not installed"
test_init
[ -x "$TRUCD" ] || bail_out "$TRUCD not built (make)"
[ -x "$TRUCCTL" ] || bail_out "$TRUCCTL not built (make)"
mkdir -p "$TEST_DIR/logs"

# 2026-11-30 09:00 in Europe/Paris, trucd-lib's TRUCD_NOW.
NOW_EPOCH=$(TZ=Europe/Paris date -d "$TRUCD_NOW" +%s)

# fresh [sink|postfix]: new servers, new database, the sample programme,
# and no weekly programme (its 6 mails would blur the reply counts).
fresh() {
	rig_stop_all
	rm -rf "$TEST_DIR/rig" "$TEST_DIR"/trucd.db*
	trucd_setup "$@"
	sed -i '/^programme {/,/^}/d' "$TCONF"
	grep -q '^programme' "$TCONF" && bail_out "could not drop the programme section"
}

# once [ARGS]: run_once, and keep every log for the sanitizer check.
_runs=0
once() {
	run_once "$@"
	_runs=$((_runs + 1))
	cp "$LOG" "$TEST_DIR/logs/run-$_runs.log"
}

outbox() {
	"$TRUCCTL" -c "$TCONF" outbox
}

# outbox_status ADDR: "status attempts" of the replies to ADDR, one a line.
outbox_status() {
	sql "SELECT status || ' ' || attempts FROM outbox WHERE rcpt = '$1' ORDER BY id"
}

# sink_rcpt_counts: "N addr" per recipient captured, sorted by address.
sink_rcpt_counts() {
	local f
	for f in $(rig_sink_messages); do
		rig_sink_rcpts "$f"
	done | sort | uniq -c | awk '{ print $1 " " $2 }'
}

# --- SMTP down while replies are due -----------------------------------

fresh sink
senders="alice bob carol dave eve"
for s in $senders; do
	send_mail "$s@ville.example" "Inscription" "INSCRIPTION session-43"
done
rig_stop_sink
once
is "SMTP down: trucd --once exits 75 (mail waits in the outbox)" "$RC" 75
like "SMTP down: the log says the server is unreachable" "$(cat "$LOG")" \
    'SMTP .*unreachable|deferred'
is "SMTP down: the 5 registrations are applied" \
    "$(sql "SELECT COUNT(*) FROM registrations r JOIN sessions s ON s.id = r.session_id WHERE s.code = 'session-43' AND r.status = 'registered'")" 5
is "SMTP down: the 5 mails left the INBOX" "$(rig_count truc INBOX)" 0
is "SMTP down: the 5 mails are in Traités" "$(rig_count truc Traités)" 5
is "SMTP down: 5 replies pending, 1 attempt each" \
    "$(sql "SELECT status, attempts, COUNT(*) FROM outbox GROUP BY 1, 2")" "pending|1|5"
is "SMTP down: next attempt one minute later" \
    "$(sql "SELECT DISTINCT next_attempt - $NOW_EPOCH FROM outbox")" 60
ok_cmd "SMTP down: trucctl outbox lists them" outbox
is "SMTP down: trucctl outbox shows 5 pending for 09:01" \
    "$(grep -c ',pending,1,2026-11-30 09:01' <<<"$OUT")" 5

rig_start_sink || bail_out "smtp-sink did not restart"
once --now "2026-11-30 09:05"
is "SMTP back: trucd --once exits 0" "$RC" 0
rig_sink_wait 5 5
is "SMTP back: exactly 5 replies captured" "$(rig_sink_count)" 5
is "SMTP back: one reply per sender" "$(sink_rcpt_counts | tr '\n' ' ')" \
    "1 alice@ville.example 1 bob@ville.example 1 carol@ville.example 1 dave@ville.example 1 eve@ville.example "
is "SMTP back: the outbox is all sent (attempts 2)" \
    "$(sql "SELECT status, attempts, COUNT(*) FROM outbox GROUP BY 1, 2")" "sent|2|5"
once --now "2026-11-30 09:10"
is "third run: exit 0" "$RC" 0
sleep 0.2
is "third run: nothing more sent" "$(rig_sink_count)" 5
is "third run: still 5 replies in the outbox" "$(sql "SELECT COUNT(*) FROM outbox")" 5
is "no history row twice" \
    "$(sql "SELECT COUNT(*) FROM history")" 5

# A reply the server never takes is given up after five days, like an MTA.
rig_stop_sink
send_mail "frank@ville.example" "Aide" "AIDE"
once --now "2026-11-30 09:20"
is "still down: exit 75" "$RC" 75
once --now "2026-12-03 09:20"
is "three days on, still retried: exit 75" "$RC" 75
is "three days on: pending" "$(sql "SELECT status FROM outbox WHERE rcpt = 'frank@ville.example'")" pending
once --now "2026-12-05 09:21"
is "five days on: given up, nothing left to wait for (exit 0)" "$RC" 0
like "five days on: failed, saying why" "$(sql "SELECT status || ' ' || last_error FROM outbox WHERE rcpt = 'frank@ville.example'")" \
    '^failed gave up after [0-9]+ attempts over 5 days'
rig_start_sink || bail_out "smtp-sink did not restart"

# --- SMTP 550 for one recipient (Postfix) ------------------------------

if rig_have_postfix; then
	fresh postfix
	rig_postfix_reject bob@ville.example
	for s in alice bob carol; do
		send_mail "$s@ville.example" "Inscription" "INSCRIPTION session-43"
	done
	once
	is "550: trucd --once exits 0 (a refusal is final, not a retry)" "$RC" 0
	is "550: bob's reply is failed after 1 attempt" "$(outbox_status bob@ville.example)" "failed 1"
	like "550: with Postfix's text in last_error" \
	    "$(sql "SELECT last_error FROM outbox WHERE rcpt = 'bob@ville.example'")" \
	    '^550 5\.1\.1 <bob@ville\.example>: Recipient address rejected'
	like "550: the log names the refusal" "$(cat "$LOG")" \
	    'bob@ville\.example refused for good: 550'
	is "550: alice's and carol's replies are sent" \
	    "$(outbox_status alice@ville.example) $(outbox_status carol@ville.example)" "sent 1 sent 1"
	rig_sink_wait 2 15 || fail "550: Postfix relayed 2 mails within 15 s" \
	    "$(tail -n 20 "$RIG_DIR/postfix/maillog")"
	is "550: alice and carol got their reply through Postfix" \
	    "$(sink_rcpt_counts | tr '\n' ' ')" "1 alice@ville.example 1 carol@ville.example "
	ok_cmd "550: trucctl outbox" outbox
	like "550: trucctl outbox shows the failure" "$OUT" \
	    '^[0-9]+,bob@ville\.example,.*,failed,1,,"?550 5\.1\.1'
	# Postfix logs through postlogd: wait for the line before counting.
	wait_until 5 grep -q 'reject: RCPT from .*<bob@ville.example>' "$RIG_DIR/postfix/maillog"
	rejects=$(grep -c 'reject: RCPT from .*<bob@ville.example>' "$RIG_DIR/postfix/maillog")
	once
	is "550: second run exits 0" "$RC" 0
	is "550: bob's reply is not retried" "$(outbox_status bob@ville.example)" "failed 1"
	sleep 0.5
	is "550: Postfix saw no new attempt for bob" \
	    "$(grep -c 'reject: RCPT from .*<bob@ville.example>' "$RIG_DIR/postfix/maillog")" "$rejects"
else
	skip "550 for one recipient" "Postfix needs root"
fi

# --- Dovecot restarted between two runs -----------------------------------

fresh sink
send_mail alice@ville.example "Inscription" "INSCRIPTION session-43"
send_mail bob@ville.example "Inscription" "INSCRIPTION eco-2026-12"
once
is "IMAP restart: first run exits 0" "$RC" 0
like "IMAP restart: first run read 2" "$(cat "$LOG")" 'mailbox: 2 read, 2 handled, 0 seen before'
rig_restart_dovecot || bail_out "dovecot did not restart"
send_mail carol@ville.example "Inscription" "INSCRIPTION session-43"
send_mail dave@ville.example "Programme" "PROGRAMME"
once
is "IMAP restart: second run exits 0" "$RC" 0
like "IMAP restart: second run read only the 2 new ones" "$(cat "$LOG")" \
    'mailbox: 2 read, 2 handled, 0 seen before'
is "IMAP restart: 4 messages handled" "$(sql "SELECT COUNT(*) FROM handled")" 4
is "IMAP restart: INBOX empty, 4 in Traités" \
    "$(rig_count truc INBOX) $(rig_count truc Traités)" "0 4"
rig_sink_wait 4 5
is "IMAP restart: one reply each" "$(sink_rcpt_counts | tr '\n' ' ')" \
    "1 alice@ville.example 1 bob@ville.example 1 carol@ville.example 1 dave@ville.example "
is "IMAP restart: 3 registrations, 3 history rows" \
    "$(sql "SELECT COUNT(*) FROM registrations WHERE status = 'registered'") $(sql "SELECT COUNT(*) FROM history")" "3 3"

# --- Dovecot down ------------------------------------------------------------

fresh sink
send_mail alice@ville.example "Inscription" "INSCRIPTION session-43"
rig_stop_dovecot
t0=$EPOCHREALTIME
once
is "IMAP down: trucd --once exits 1" "$RC" 1
like "IMAP down: a clear log line names the server" "$(cat "$LOG")" \
    "IMAP imap://127\.0\.0\.1:$RIG_IMAP_PORT: .*(refused|connect)"
ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
diag "IMAP down: trucd --once gave up after $ms ms"
[ "$ms" -lt 5000 ] && pass "IMAP down: it gives up quickly" ||
    fail "IMAP down: it gives up quickly" "took $ms ms"
is "IMAP down: nothing handled, nothing queued" \
    "$(sql "SELECT COUNT(*) FROM handled") $(sql "SELECT COUNT(*) FROM outbox")" "0 0"
rig_start_dovecot || bail_out "dovecot did not restart"
is "IMAP down: the mail still waits in the INBOX" "$(rig_count truc INBOX)" 1
once
is "IMAP back: exit 0" "$RC" 0
is "IMAP back: the mail is handled and moved" \
    "$(sql "SELECT COUNT(*) FROM handled") $(rig_count truc INBOX) $(rig_count truc Traités)" "1 0 1"
rig_sink_wait 1 5
is "IMAP back: alice got her reply" "$(sink_rcpt_counts | tr '\n' ' ')" "1 alice@ville.example "

# --- mail that cannot be parsed --------------------------------------------
#
# libetpan's mailmime_parse() refuses nothing: its multipart and header
# parsers fall back to a single part on any syntax error, so random bytes,
# NULs, unclosed quotes or missing boundaries all parse (checked with 200,000
# random token strings).  The only mail trucd cannot parse is one over its
# own MIME part limit (message.c MAX_PARTS: more than 1000 "multipart/" or
# "message/" mentions), refused before libetpan could recurse that deep.
# So: one such mail goes to Erreurs; garbage mails are handled (no sender:
# not answered) and moved to Traités; the command mails around them work.

fresh sink
send_mail alice@ville.example "Inscription" "INSCRIPTION session-43"
{
	printf 'From: bob@ville.example\r\nTo: truc@ville.example\r\n'
	printf 'Subject: INSCRIPTION session-43\r\nMessage-ID: <deep@client.example>\r\n'
	printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n'
	for i in $(seq 1 1100); do
		printf -- '--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' \
		    $((i - 1)) "$i"
	done
} >"$TEST_DIR/deep.eml"
head -c 3000 /dev/urandom >"$TEST_DIR/random.eml"
printf '\0\0\0\r\n\0\r\n\r\n\0' >"$TEST_DIR/nul.eml"
printf 'Content-Type: multipart/mixed; boundary="\r\n\r\n--\r\n--\r\n' >"$TEST_DIR/halfmime.eml"
printf ':::\r\n\xff\xfe\r\n\r\n=?utf-8?q?=ff=?=\r\n' >"$TEST_DIR/colons.eml"
rig_deliver truc "$TEST_DIR/deep.eml" "$TEST_DIR/random.eml" "$TEST_DIR/nul.eml" \
    "$TEST_DIR/halfmime.eml" "$TEST_DIR/colons.eml" >/dev/null ||
    bail_out "could not deliver the garbage mails"
send_mail carol@ville.example "Inscription" "INSCRIPTION session-43"
once
is "unparsable: trucd --once exits 0" "$RC" 0
like "unparsable: the log names the message and the reason" "$(cat "$LOG")" \
    'message UID [0-9]+ cannot be parsed \(more than 1000 MIME parts\): moved to Erreurs'
is "unparsable: INBOX empty" "$(rig_count truc INBOX)" 0
is "unparsable: the over-deep mail is in Erreurs" "$(rig_count truc Erreurs)" 1
is "unparsable: the garbage and the 2 commands are in Traités" "$(rig_count truc Traités)" 6
rig_sink_wait 2 5
is "unparsable: alice and carol answered, nobody else" \
    "$(sink_rcpt_counts | tr '\n' ' ')" "1 alice@ville.example 1 carol@ville.example "
is "unparsable: bob's over-deep mail did nothing" \
    "$(sql "SELECT COUNT(*) FROM registrations r JOIN agents a ON a.id = r.agent_id WHERE a.email = 'bob@ville.example'")" 0
once
is "unparsable: a second run exits 0 and finds nothing" "$RC" 0
unlike "unparsable: ... and reads nothing" "$(cat "$LOG")" 'mailbox: [0-9]+ read'

# --- daemon: IDLE latency, Dovecot restart, SIGHUP, SIGTERM -------------------

fresh sink
DLOG=$TEST_DIR/logs/daemon.log
"$TRUCD" -c "$TCONF" --now "$TRUCD_NOW" >"$DLOG" 2>&1 &
DPID=$!
track_pid "$DPID"
wait_until 5 grep -q 'started' "$DLOG" ||
    fail "daemon: says it started within 5 s" "$(cat "$DLOG")"
# Let the first (empty) pass end and IDLE begin.
sleep 0.5

# latency N ADDR: deliver a command from ADDR, wait (5 s at most) for the
# N-th captured mail; the milliseconds in $ms, or fails.
latency() {
	local n=$1 addr=$2 t0
	t0=$EPOCHREALTIME
	send_mail "$addr" "Inscription" "INSCRIPTION session-43"
	rig_sink_wait "$n" 5 || return 1
	ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
}
if latency 1 alice@ville.example; then
	pass "daemon: a reply within 5 s of delivery"
	diag "daemon: delivery to reply in $ms ms (IDLE; Dovecot itself waits 0.5 s before notifying)"
	[ "$ms" -lt 2500 ] && pass "daemon: IDLE wakes it (reply in < 2.5 s)" ||
	    fail "daemon: IDLE wakes it (reply in < 2.5 s)" "took $ms ms"
else
	fail "daemon: a reply within 5 s of delivery" "$(tail -n 20 "$DLOG")"
fi
if latency 2 bob@ville.example; then
	pass "daemon: a second reply within 5 s"
	diag "daemon: second delivery to reply in $ms ms"
else
	fail "daemon: a second reply within 5 s" "$(tail -n 20 "$DLOG")"
fi

rig_restart_dovecot || bail_out "dovecot did not restart"
if latency 3 carol@ville.example; then
	pass "daemon: Dovecot restarted under it, a mail still answered"
	diag "daemon: reply $ms ms after delivery (reconnect)"
else
	fail "daemon: Dovecot restarted under it, a mail still answered" \
	    "$(tail -n 20 "$DLOG")"
fi
is "daemon: one reply each so far" "$(sink_rcpt_counts | tr '\n' ' ')" \
    "1 alice@ville.example 1 bob@ville.example 1 carol@ville.example "

kill -HUP "$DPID"
sleep 0.3
if kill -0 "$DPID" 2>/dev/null; then
	pass "daemon: still running after SIGHUP"
else
	fail "daemon: still running after SIGHUP" "$(tail -n 20 "$DLOG")"
fi
wait_until 5 grep -q 'reloaded' "$DLOG" && pass "daemon: logs the reload within 5 s" ||
    fail "daemon: logs the reload within 5 s" "SIGHUP must interrupt IDLE" \
    "$(tail -n 10 "$DLOG")"
if latency 4 dave@ville.example; then
	pass "daemon: still answers after SIGHUP"
else
	fail "daemon: still answers after SIGHUP" "$(tail -n 20 "$DLOG")"
fi

t0=$EPOCHREALTIME
kill -TERM "$DPID"
if wait_until 5 eval '! kill -0 '"$DPID"' 2>/dev/null || [ "$(ps -o stat= -p '"$DPID"')" = Z ]'; then
	wait "$DPID"
	rc=$?
	ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	pass "daemon: SIGTERM stops it within 5 s"
	diag "daemon: stopped $ms ms after SIGTERM"
	is "daemon: exit status 0 after SIGTERM" "$rc" 0
	file_contains "daemon: logs that it stopped" "$DLOG" 'trucd stopped'
else
	fail "daemon: SIGTERM stops it within 5 s" "$(tail -n 20 "$DLOG")"
fi
is "daemon: 4 mails handled once each" "$(sql "SELECT COUNT(*) FROM handled")" 4

# --- sanitizers ----------------------------------------------------------------

san=$(grep -lE 'AddressSanitizer|LeakSanitizer|runtime error:' "$TEST_DIR"/logs/*.log)
is "no sanitizer report in any trucd log" "$san" ""

done_testing
