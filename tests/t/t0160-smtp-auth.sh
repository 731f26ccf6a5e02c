#!/usr/bin/env bash
# t0160-smtp-auth.sh - SMTP AUTH (src/smtp.c) against a real server: the rig's
# Postfix on a submission port where only logged-in clients may send, STARTTLS
# before AUTH, passwords checked by Dovecot's auth service
# (rig_start_postfix_submission).  smtptool first: right password, wrong
# password, unknown user, no user, AUTH not offered in clear; then a whole
# trucd with user and password_file: the reply arrives; with a wrong password
# it waits in the outbox and goes once the password is right; last, Dovecot's
# auth service down.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/trucd-lib.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
command -v smtp-sink >/dev/null || skip_all "smtp-sink (postfix) not installed"
rig_have_postfix || skip_all "Postfix needs root"
test_init

ST=$TOOLS/smtptool
[ -x "$ST" ] || bail_out "$ST not built (make $BUILD/tools/smtptool)"
[ -x "$TRUCD" ] || bail_out "$TRUCD not built"
watchdog 300

trucd_setup sink
rig_start_postfix_submission sink || bail_out "the submission port did not start"
SUB=smtp://127.0.0.1:$RIG_SUBMISSION_PORT/localhost
PFLOG=$RIG_DIR/postfix/maillog
FROM=truc@ville.example
TO=alice@ville.example
M=$TEST_DIR/msg
mkdir -p "$M" "$TEST_DIR/logs"
: >"$TEST_DIR/all.err"

# st ARGS: smtptool, its stderr also kept for the sanitizer check at the end.
st() {
	local rc
	"$ST" "$@" 2>"$TEST_DIR/st.err"
	rc=$?
	cat "$TEST_DIR/st.err" >&2
	cat "$TEST_DIR/st.err" >>"$TEST_DIR/all.err"
	return $rc
}

# sessions: the submission port's finished sessions so far, as Postfix logs
# them ("disconnect from ... ehlo=2 starttls=1 auth=1 mail=1 ...").
# Postfix logs through postlogd: wait_session N waits for the Nth line.
sessions() {
	grep 'submission/smtpd.*: disconnect from ' "$PFLOG"
}
nsessions() {
	sessions | wc -l
}
wait_session() {
	wait_until 5 eval '[ "$(nsessions)" -ge '"$1"' ]'
}
last_session() {
	sessions | tail -n 1 | sed 's/.*\]: disconnect from [^ ]* //'
}

# nothing_relayed: Postfix queued nothing and the sink got nothing, a
# second after the client returned (relaying takes ~10 ms here).
nothing_relayed() {
	sleep 1
	rig_postfix_queue_empty && [ "$(rig_sink_count)" -eq 0 ]
}

printf 'From: <%s>\r\nTo: <%s>\r\nSubject: auth-ok-%s\r\n\r\nLogged in.\r\n' \
    "$FROM" "$TO" "$$" >"$M/hello.eml"

# --- smtptool ----------------------------------------------------------

rig_sink_clear
n=$(nsessions)
ok_cmd "right password over STARTTLS with the rig CA: sent" \
    st --user truc --password trucpw --ca "$RIG_CA" "$SUB" "$FROM" "$TO" "$M/hello.eml"
like "  reported sent" "$OUT" '^1 sent$'
rig_sink_wait 1 15 || diag "$(tail -n 10 "$PFLOG")"
c=$(rig_sink_messages | head -n 1)
is "  Postfix relayed it to the sink" "$(rig_sink_count)" 1
like "  the very mail" "$(rig_sink_body "$c" 2>/dev/null)" "^Subject: auth-ok-$$$"
is "  to alice" "$(rig_sink_rcpts "$c" 2>/dev/null)" "$TO"
wait_session $((n + 1))
like "  Postfix saw STARTTLS, then AUTH, then the mail" "$(last_session)" \
    '^ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 '
file_contains "  logged in as truc" "$PFLOG" 'submission/smtpd.*sasl_method=(PLAIN|LOGIN), sasl_username=truc$'

rig_sink_clear
n=$(nsessions)
ok_cmd "20 mails, one login" st -q --user truc --password trucpw --ca "$RIG_CA" \
    --gen 20 "$SUB" "$FROM" "$TO"
like "  one connection" "$OUT" '1 connection\(s\), 20/20 sent'
wait_session $((n + 1))
like "  one AUTH for 20 mails" "$(last_session)" '^ehlo=2 starttls=1 auth=1 mail=20 rcpt=20 data=20 '
rig_sink_wait 20 15
is "  all relayed" "$(rig_sink_count)" 20

rig_sink_clear
n=$(nsessions)
fail_cmd "wrong password" st --user truc --password wrongpw --ca "$RIG_CA" \
    --gen 3 "$SUB" "$FROM" "$TO"
is "  every mail tempfail with the server's 535 text" \
    "$(grep -cE '^[1-3] tempfail Login denied \(server: 535 5\.7\.8 Error: authentication failed' <<<"$OUT")" 3
like "  at once, over one connection" "$OUT" '1 connection\(s\), 0/3 sent'
wait_session $((n + 1))
like "  Postfix saw one failed AUTH and no mail" "$(last_session)" \
    '^ehlo=2 starttls=1 auth=0/1 commands='
if nothing_relayed; then pass "  nothing arrives"; else fail "  nothing arrives" "$(rig_sink_messages)"; fi

n=$(nsessions)
fail_cmd "unknown user" st --user mallory --password trucpw --ca "$RIG_CA" "$SUB" "$FROM" "$TO" "$M/hello.eml"
like "  tempfail with the server's 535 text" "$OUT" \
    '^1 tempfail Login denied \(server: 535 5\.7\.8 Error: authentication failed'
if nothing_relayed; then pass "  nothing arrives"; else fail "  nothing arrives" "$(rig_sink_messages)"; fi

n=$(nsessions)
fail_cmd "no user: refused on this port" st --ca "$RIG_CA" "$SUB" "$FROM" "$TO" "$M/hello.eml"
like "  permfail, relay denied" "$OUT" \
    '^1 permfail 554 5\.7\.1 <alice@ville\.example>: Relay access denied$'
wait_session $((n + 1))
like "  over STARTTLS, without AUTH" "$(last_session)" '^ehlo=2 starttls=1 mail=1 rcpt=0/1 '
if nothing_relayed; then pass "  nothing arrives"; else fail "  nothing arrives" "$(rig_sink_messages)"; fi

# In clear, Postfix offers no AUTH (smtpd_tls_auth_only), and libcurl then
# goes on WITHOUT logging in although it has a user (lib/smtp.c,
# smtp_perform_authentication: no AUTH advertised, no login): the password
# stays home, and the relay refusal that follows says nothing about the
# mail, so smtp.c keeps it for later (tempfail) instead of dropping it.
n=$(nsessions)
fail_cmd "in clear, a user given: refused" \
    st --tls-none --user truc --password trucpw "$SUB" "$FROM" "$TO" "$M/hello.eml"
wait_session $((n + 1))
like "  no STARTTLS, no AUTH: the password is not sent in clear" "$(last_session)" \
    '^ehlo=1 mail=1 rcpt=0/1 '
like "  refused without AUTH: kept for later (tempfail), with why" "$OUT" \
    '^1 tempfail the server offered no AUTH for the configured user \(554 5\.7\.1 .*Relay access denied'

if nothing_relayed; then pass "  nothing arrives"; else fail "  nothing arrives" "$(rig_sink_messages)"; fi

# --- trucd with user and password_file ---------------------------------

PWF=$TEST_DIR/smtp.secret
printf 'trucpw\n' >"$PWF"
chmod 600 "$PWF"
# Replace trucd_setup's smtp section (sink, tls none) by the submission port.
SMTP_SECTION="smtp {
  url = \"smtp://localhost:$RIG_SUBMISSION_PORT\"
  tls = \"required\"
  ca_file = \"$RIG_CA\"
  user = \"truc\"
  password_file = \"$PWF\"
}" perl -0pi -e 's/^smtp \{.*?^\}\n/$ENV{SMTP_SECTION}\n/ms' "$TCONF"
file_contains "trucd.conf: smtp section on the submission port" "$TCONF" \
    "^  url = \"smtp://localhost:$RIG_SUBMISSION_PORT\"$"
ok_cmd "trucd --check-config accepts it" "$TRUCD" -c "$TCONF" --check-config
unlike "  no warning about the smtp password or its file" "$OUT" 'smtp\.password'

# once [ARGS]: run_once bounded in time, every log kept for the end.
_runs=0
once() {
	LOG=$TEST_DIR/trucd-$_runs.log
	if [ "${1:-}" = --now ]; then
		timeout -k 5 90 "$TRUCD" -c "$TCONF" --once "$@" >"$LOG" 2>&1
	else
		timeout -k 5 90 "$TRUCD" -c "$TCONF" --once --now "$TRUCD_NOW" "$@" >"$LOG" 2>&1
	fi
	RC=$?
	_runs=$((_runs + 1))
	cp "$LOG" "$TEST_DIR/logs/run-$_runs.log"
}
outbox_status() {	# outbox_status ADDR: "status attempts", one a line
	sql "SELECT status || ' ' || attempts FROM outbox WHERE rcpt = '$1' ORDER BY id"
}

rig_sink_clear
n=$(nsessions)
send_mail "Alice Martin <alice@ville.example>" "INSCRIPTION session-42" "INSCRIPTION session-42"
once
is "trucd: right password, trucd --once exits 0" "$RC" 0 ||
    diag "$(tail -n 15 "$LOG")"
is "  the reply is sent" "$(outbox_status alice@ville.example)" "sent 1"
rig_sink_wait 1 15
r=$(reply_to alice@ville.example)
if [ -n "$r" ]; then pass "  and arrives through Postfix"; else fail "  and arrives through Postfix" "$(tail -n 10 "$PFLOG")"; fi
[ -n "$r" ] && like "  the confirmation" "$(reply_body "$r")" \
    "votre inscription à la session session-42 est enregistrée"
wait_session $((n + 1))
like "  trucd logged in after STARTTLS" "$(last_session)" '^ehlo=2 starttls=1 auth=1 mail=1 '

# A wrong password: the reply waits (a temporary failure), nothing arrives.
printf 'not-the-password\n' >"$PWF"
rig_sink_clear
n=$(nsessions)
send_mail "bob@ville.example" "Inscription" "INSCRIPTION session-43"
send_mail "carol@ville.example" "Inscription" "INSCRIPTION session-43"
once
is "trucd: wrong password, trucd --once exits 75 (mail waits)" "$RC" 75 ||
    diag "$(tail -n 15 "$LOG")"
is "  the registrations are applied all the same" \
    "$(sql "SELECT COUNT(*) FROM registrations r JOIN sessions s ON s.id = r.session_id WHERE s.code = 'session-43' AND r.status = 'registered'")" 2
is "  both replies pending, 1 attempt each" \
    "$(outbox_status bob@ville.example) $(outbox_status carol@ville.example)" "pending 1 pending 1"
like "  last_error holds the server's 535 text" \
    "$(sql "SELECT last_error FROM outbox WHERE rcpt = 'bob@ville.example'")" \
    'Login denied \(server: 535 5\.7\.8 Error: authentication failed'
ok_cmd "  trucctl outbox" "$TRUCCTL" -c "$TCONF" outbox
like "  trucctl outbox shows them pending for 09:01 with the 535" "$OUT" \
    '^[0-9]+,bob@ville\.example,.*,pending,1,2026-11-30 09:01[^,]*,"?Login denied \(server: 535 5\.7\.8'
like "  the log names the refusal" "$(cat "$LOG")" 'smtp: .*535 5\.7\.8'
wait_session $((n + 1))
like "  one login tried, no mail given" "$(last_session)" '^ehlo=2 starttls=1 auth=0/1 '
is "  one session only (the batch stops at the failed login)" "$(nsessions)" $((n + 1))
if nothing_relayed; then pass "  nothing arrives"; else fail "  nothing arrives" "$(rig_sink_messages)"; fi

# Too early for the retry: nothing is tried.
n=$(nsessions)
once --now "2026-11-30 09:00"
is "  a run before the retry time exits 75 and tries nothing" "$RC $(nsessions)" "75 $n"

# The operator fixes the password: the next run after the retry time sends.
printf 'trucpw\n' >"$PWF"
once --now "2026-11-30 09:05"
is "trucd: password fixed, the next run exits 0" "$RC" 0 ||
    diag "$(tail -n 15 "$LOG")"
is "  both replies sent on attempt 2" \
    "$(outbox_status bob@ville.example) $(outbox_status carol@ville.example)" "sent 2 sent 2"
rig_sink_wait 2 15
is "  and both arrive" "$(replies_to bob@ville.example) $(replies_to carol@ville.example)" "1 1"

# --- Dovecot's auth service down -----------------------------------------

# Postfix's smtpd dies when it cannot reach the auth socket, after STARTTLS:
# every mail must wait (tempfail), none be given up.
rig_stop_dovecot
rig_sink_clear
fail_cmd "auth service down" st --timeout 10 --user truc --password trucpw \
    --ca "$RIG_CA" --gen 3 "$SUB" "$FROM" "$TO"
is "  all 3 tempfail" "$(grep -cE '^[1-3] tempfail ' <<<"$OUT")" 3
file_contains "  Postfix could not reach Dovecot" "$PFLOG" \
    'submission/smtpd.*SASL: Connect to Dovecot auth socket .* failed'
rig_start_dovecot || bail_out "dovecot did not restart"
ok_cmd "Dovecot back, rig_start_postfix_submission again" rig_start_postfix_submission
ok_cmd "  logging in works again" \
    st --user truc --password trucpw --ca "$RIG_CA" "$SUB" "$FROM" "$TO" "$M/hello.eml"

cat "$TEST_DIR"/logs/*.log >>"$TEST_DIR/all.err"
file_lacks "no sanitizer report" "$TEST_DIR/all.err" 'Sanitizer|runtime error'
done_testing
