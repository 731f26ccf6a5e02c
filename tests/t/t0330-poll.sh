#!/usr/bin/env bash
# The daemon against a server without IDLE: it polls every poll_interval,
# answers within about that, and still stops at once on SIGTERM.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/trucd-lib.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
command -v smtp-sink >/dev/null || skip_all "smtp-sink not installed"
test_init
# The capabilities Dovecot announces, without IDLE.
export RIG_DOVECOT_IMAP_EXTRA='imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS MOVE CHILDREN NAMESPACE'
trucd_setup
like "the rig's Dovecot announces no IDLE" "$(grep imap_capability "$RIG_DOVECOT_CONF")" 'MOVE CHILDREN'

DLOG=$TEST_DIR/daemon.log
"$TRUCD" -c "$TCONF" -d >"$DLOG" 2>&1 &
pid=$!
track_pid "$pid"
wait_until 5 grep -q "mailbox INBOX on" "$DLOG"
sleep 1
start=${EPOCHREALTIME/./}
send_mail "alice@ville.example" "AIDE" "AIDE"
sink_has_one() { [ "$(rig_sink_count)" -ge 1 ]; }
if wait_until 8 sink_has_one; then
	ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
	pass "polling: the reply came (${ms} ms, poll_interval 2 s)"
	ok_cmd "within about one poll interval" test "$ms" -lt 4500
else
	fail "polling: the reply came" "$(cat "$DLOG")"
fi
like "trucd saw no IDLE on the server" "$(cat "$DLOG")" "IDLE 0\\)"
start=${EPOCHREALTIME/./}
kill -TERM "$pid"
wait_until 3 sh -c "! kill -0 $pid 2>/dev/null"
ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
ok_cmd "SIGTERM stops it while it waits between polls (${ms} ms)" test "$ms" -lt 1500
wait "$pid"
is "and it exits 0" "$?" 0
done_testing
