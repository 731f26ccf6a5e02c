#!/usr/bin/env bash
# The test harness tests itself: every server of tests/lib/mailrig.sh starts,
# answers, captures or rejects what it should, serves the certificate asked
# for, and stops leaving nothing running or listening.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
command -v smtp-sink >/dev/null || skip_all "smtp-sink (postfix package) not installed"
command -v curl >/dev/null || skip_all "curl not installed"
test_init

# ms since $1 (an $EPOCHREALTIME value)
ms_since() {
	local a=${1/./} b=${EPOCHREALTIME/./}
	echo $(( (b - a) / 1000 ))
}

# imap_greets PORT: the first line is Dovecot's "* OK".
imap_greets() {
	_rig_greeting "$1" '* OK'
}

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# imap_peek USER PASSWORD UID: the message as an IMAP client gets it.
imap_peek() {
	"$PY" - "$RIG_IMAP_PORT" "$@" <<'EOF'
import imaplib, sys
port, user, pw, uid = sys.argv[1:]
m = imaplib.IMAP4("127.0.0.1", int(port))
m.login(user, pw)
m.select("INBOX", readonly=True)
typ, data = m.uid("FETCH", uid, "(BODY.PEEK[])")
sys.stdout.buffer.write(data[0][1])
m.logout()
EOF
}

port_closed() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# --- helpers of test-lib itself ------------------------------------------
ports=$(free_port 3)
set -- $ports
is "free_port 3 gives 3 distinct ports" "$(printf '%s\n' $ports | sort -u | wc -l)" 3
p4=$(free_port)
unlike "a later free_port does not repeat them" "$ports" "^$p4\$"
t0=$EPOCHREALTIME
fail_cmd "wait_until gives up on a command that never succeeds" wait_until 0.3 false
el=$(ms_since "$t0")
ok_cmd "wait_until gave up after about 0.3 s (${el} ms)" test "$el" -ge 250 -a "$el" -lt 2000

# --- the CA-sharing side instances: wrong name, unknown CA -----------------
rig_init "$TEST_DIR/wrong" || bail_out "rig_init"
CA=$RIG_CA
ok_cmd "Dovecot starts with the wrong-name certificate" rig_start_dovecot wrongname
WRONG_IMAPS=$RIG_IMAPS_PORT WRONG_IMAP=$RIG_IMAP_PORT
rig_init "$TEST_DIR/unknown"
is "a second rig shares the test CA" "$RIG_CA" "$CA"
ok_cmd "Dovecot starts with the unknown-CA certificate" rig_start_dovecot unknownca
UNK_IMAPS=$RIG_IMAPS_PORT

# --- Dovecot -----------------------------------------------------------------
rig_init "$TEST_DIR/rig"
t0=$EPOCHREALTIME
rig_start_dovecot || bail_out "Dovecot did not start"
diag "Dovecot ready in $(ms_since "$t0") ms"
pass "Dovecot starts (good certificate)"
like "mailrig.env has the IMAP port" "$(cat "$RIG_DIR/mailrig.env")" "RIG_IMAP_PORT=$RIG_IMAP_PORT\$"
file_contains "doveadm config is the rig's" "$RIG_DOVECOT_CONF" "port = $RIG_IMAPS_PORT"

C="curl -sS --max-time 10"
ok_cmd "IMAP login, plain" $C -u alice:alicepw "imap://127.0.0.1:$RIG_IMAP_PORT/"
like "LIST shows the auto-created folders" "$OUT" 'Archive'
fail_cmd "IMAP login with a wrong password is refused" \
    $C -u alice:nope "imap://127.0.0.1:$RIG_IMAP_PORT/"
ok_cmd "IMAP STARTTLS verified with the test CA (localhost)" \
    $C --ssl-reqd --cacert "$RIG_CA" -u bob:bobpw "imap://localhost:$RIG_IMAP_PORT/"
ok_cmd "IMAPS verified with the test CA (localhost)" \
    $C --cacert "$RIG_CA" -u truc:trucpw "imaps://localhost:$RIG_IMAPS_PORT/"
ok_cmd "IMAPS verified with the test CA (127.0.0.1)" \
    $C --cacert "$RIG_CA" -u bench:benchpw "imaps://127.0.0.1:$RIG_IMAPS_PORT/"
fail_cmd "IMAPS without the test CA is refused" \
    $C --capath /nonexistent --cacert /etc/ssl/certs/ca-certificates.crt \
    -u alice:alicepw "imaps://localhost:$RIG_IMAPS_PORT/"

rig_add_user carol carolpw
ok_cmd "rig_add_user: a new user logs in while Dovecot runs" \
    $C -u carol:carolpw "imap://127.0.0.1:$RIG_IMAP_PORT/"

# --- certificate refusals ------------------------------------------------------
fail_cmd "IMAPS serving other.example is refused with the test CA" \
    $C --cacert "$RIG_CA" -u alice:alicepw "imaps://localhost:$WRONG_IMAPS/"
is "... as a verification failure (curl 60)" "$RC" 60
fail_cmd "STARTTLS serving other.example is refused with the test CA" \
    $C --ssl-reqd --cacert "$RIG_CA" -u alice:alicepw "imap://localhost:$WRONG_IMAP/"
ok_cmd "... yet that server is up (-k)" $C -k -u alice:alicepw "imaps://localhost:$WRONG_IMAPS/"
ok_cmd "... and its certificate is valid for other.example" \
    $C --cacert "$RIG_CA" --connect-to "other.example:$WRONG_IMAPS:127.0.0.1:$WRONG_IMAPS" \
    -u alice:alicepw "imaps://other.example:$WRONG_IMAPS/"
fail_cmd "IMAPS with a self-signed certificate is refused with the test CA" \
    $C --cacert "$RIG_CA" -u alice:alicepw "imaps://localhost:$UNK_IMAPS/"
is "... as a verification failure (curl 60)" "$RC" 60
ok_cmd "... yet that server is up (-k)" $C -k -u alice:alicepw "imaps://localhost:$UNK_IMAPS/"

# --- delivery --------------------------------------------------------------------
for i in 1 2 3; do
	printf 'From: Agent %d <agent%d@example.test>\r\nTo: truc@example.test\r\nSubject: test %d\r\nMessage-ID: <t0000.%d@example.test>\r\n\r\nline %d\r\n' \
	    "$i" "$i" "$i" "$i" "$i" >"$TEST_DIR/m$i.eml"
done
ok_cmd "rig_deliver puts 3 messages" rig_deliver alice "$TEST_DIR/m1.eml" "$TEST_DIR/m2.eml" "$TEST_DIR/m3.eml"
is "rig_count counts 3" "$(rig_count alice INBOX)" 3
is "all 3 unseen" "$(rig_count alice INBOX unseen)" 3
is "an empty folder counts 0" "$(rig_count alice Archive)" 0
ok_cmd "rig_deliver reads stdin with -" eval 'rig_deliver bob - <"$TEST_DIR/m2.eml"'
is "bob has 1" "$(rig_count bob INBOX)" 1
ok_cmd "UID SEARCH UNSEEN over IMAP" $C -u alice:alicepw \
    "imap://127.0.0.1:$RIG_IMAP_PORT/INBOX" -X 'UID SEARCH UNSEEN'
like "... finds UIDs 1 2 3" "$OUT" '^\* SEARCH 1 2 3'
imap_peek alice alicepw 3 >"$TEST_DIR/got3.eml"
ok_cmd "UID 3 over IMAP is the third file, byte for byte" cmp "$TEST_DIR/got3.eml" "$TEST_DIR/m3.eml"
is "still 3 unseen after the peek" "$(rig_count alice INBOX unseen)" 3

mkdir "$TEST_DIR/many"
for i in $(seq -w 1 2000); do
	printf 'From: a@example.test\r\nSubject: bulk %s\r\n\r\nbody %s\r\n' "$i" "$i" >"$TEST_DIR/many/$i.eml"
done
t0=$EPOCHREALTIME
ok_cmd "rig_deliver 2000 messages at once" rig_deliver bench "$TEST_DIR"/many/*.eml
diag "2000 messages delivered in $(ms_since "$t0") ms"
is "... 2000 unseen" "$(rig_count bench INBOX unseen)" 2000
like "... UID 2000 is the last file" "$(rig_doveadm fetch -u bench hdr.subject mailbox INBOX uid 2000)" 'bulk 2000'

t0=$EPOCHREALTIME
rig_restart_dovecot || bail_out "Dovecot restart"
diag "Dovecot restarted in $(ms_since "$t0") ms"
ok_cmd "after rig_restart_dovecot, same port, mail kept" \
    $C -u alice:alicepw "imap://127.0.0.1:$RIG_IMAP_PORT/INBOX" -X 'UID SEARCH ALL'
like "... 3 messages" "$OUT" '^\* SEARCH 1 2 3'

# --- smtp-sink ---------------------------------------------------------------------
t0=$EPOCHREALTIME
rig_start_sink || bail_out "smtp-sink did not start"
diag "smtp-sink ready in $(ms_since "$t0") ms"
pass "smtp-sink starts"
S="$C --mail-from app@example.test"
ok_cmd "curl sends to the sink" $S --mail-rcpt a@example.test --mail-rcpt b@example.test \
    -T "$TEST_DIR/m1.eml" "smtp://127.0.0.1:$RIG_SINK_PORT/localhost"
ok_cmd "the sink has captured it" rig_sink_wait 1 5
f=$(rig_sink_messages | head -n 1)
is "envelope sender" "$(rig_sink_from "$f")" app@example.test
is "envelope recipients" "$(rig_sink_rcpts "$f" | tr '\n' ' ')" "a@example.test b@example.test "
is "rig_sink_body is the message (LF line ends)" "$(rig_sink_body "$f" | od -c)" \
    "$(tr -d '\r' <"$TEST_DIR/m1.eml" | od -c)"

rig_stop_sink
fail_cmd "while the sink is stopped, sending fails" $S --mail-rcpt a@example.test \
    -T "$TEST_DIR/m2.eml" "smtp://127.0.0.1:$RIG_SINK_PORT/localhost"
old=$RIG_SINK_PORT
ok_cmd "the sink restarts" rig_start_sink
is "... on the same port" "$RIG_SINK_PORT" "$old"
ok_cmd "sending works again" $S --mail-rcpt c@example.test \
    -T "$TEST_DIR/m2.eml" "smtp://127.0.0.1:$RIG_SINK_PORT/localhost"
rig_sink_wait 2 5
is "rig_sink_messages lists in arrival order" \
    "$(for f in $(rig_sink_messages); do rig_sink_rcpts "$f"; done | tr '\n' ' ')" \
    "a@example.test b@example.test c@example.test "

# --- Postfix ---------------------------------------------------------------------
if rig_have_postfix; then
	rig_postfix_reject nosuch@example.test
	t0=$EPOCHREALTIME
	rig_start_postfix || bail_out "Postfix did not start"
	diag "Postfix ready in $(ms_since "$t0") ms"
	pass "Postfix starts"
	rig_sink_clear
	ok_cmd "Postfix accepts a listed-nowhere recipient" $S --mail-rcpt bob@example.test \
	    -T "$TEST_DIR/m3.eml" "smtp://127.0.0.1:$RIG_SMTP_PORT/localhost"
	ok_cmd "... and relays it to the sink" rig_sink_wait 1 10
	f=$(rig_sink_messages | head -n 1)
	is "... for bob" "$(rig_sink_rcpts "$f")" bob@example.test
	like "... with Postfix's Received: on top" "$(rig_sink_body "$f" | head -n 2)" '\(Postfix\)'
	like "... and the message after it" "$(rig_sink_body "$f")" '^Subject: test 3$'
	fail_cmd "a recipient in postfix-reject gets 550" $S -v --mail-rcpt nosuch@example.test \
	    -T "$TEST_DIR/m3.eml" "smtp://127.0.0.1:$RIG_SMTP_PORT/localhost"
	like "... 550 5.1.1" "$OUT" '< 550 5\.1\.1 '
	rig_postfix_reject late@example.test
	fail_cmd "a recipient added while running is rejected on the next connection" \
	    $S -v --mail-rcpt late@example.test \
	    -T "$TEST_DIR/m3.eml" "smtp://127.0.0.1:$RIG_SMTP_PORT/localhost"
	like "... 550 5.1.1" "$OUT" '< 550 5\.1\.1 '
	ok_cmd "the queue drains" wait_until 5 rig_postfix_queue_empty
	TLS="$S --mail-rcpt bob@example.test -T $TEST_DIR/m1.eml --cacert $RIG_CA"
	ok_cmd "Postfix STARTTLS verified with the test CA" \
	    $TLS --ssl-reqd "smtp://localhost:$RIG_SMTP_PORT/localhost"
	ok_cmd "Postfix SMTPS verified with the test CA" \
	    $TLS "smtps://localhost:$RIG_SMTPS_PORT/localhost"
	fail_cmd "Postfix STARTTLS as other.example is refused" \
	    $TLS --ssl-reqd "smtp://localhost:$RIG_SMTP_WRONGNAME_PORT/localhost"
	is "... as a verification failure (curl 60)" "$RC" 60
	fail_cmd "Postfix STARTTLS self-signed is refused" \
	    $TLS --ssl-reqd "smtp://localhost:$RIG_SMTP_UNKNOWNCA_PORT/localhost"
	is "... as a verification failure (curl 60)" "$RC" 60
else
	skip "Postfix" "needs root"
fi

# --- LMTP, directly and through Postfix -------------------------------------------
ok_cmd "Dovecot LMTP takes a message (smtp-source -L)" \
    smtp-source -L -m 1 -f app@example.test -t bob@example.test "127.0.0.1:$RIG_LMTP_PORT"
is "... bob has 2" "$(rig_count bob INBOX)" 2
if rig_have_postfix; then
	ok_cmd "Postfix restarts relaying to LMTP" rig_start_postfix lmtp
	ok_cmd "... takes mail for alice" $S --mail-rcpt alice@example.test \
	    -T "$TEST_DIR/m1.eml" "smtp://127.0.0.1:$RIG_SMTP_PORT/localhost"
	ok_cmd "... which reaches her INBOX" wait_until 10 eval '[ "$(rig_count alice INBOX)" -eq 4 ]'
else
	skip "Postfix to LMTP" "needs root"
fi

# --- the command form, as make demo and benchmarks use it ---------------------------
ok_cmd "mailrig.sh start DIR dovecot sink" \
    bash "$TRUCD_TOP/tests/lib/mailrig.sh" start "$TEST_DIR/cmd" dovecot sink
CMD_IMAP=$(. "$TEST_DIR/cmd/mailrig.env"; echo "$RIG_IMAP_PORT")
CMD_SINK=$(. "$TEST_DIR/cmd/mailrig.env"; echo "$RIG_SINK_PORT")
ok_cmd "... its Dovecot greets" imap_greets "$CMD_IMAP"
ok_cmd "mailrig.sh stop DIR" bash "$TRUCD_TOP/tests/lib/mailrig.sh" stop "$TEST_DIR/cmd"
ok_cmd "... its ports are closed" eval "port_closed $CMD_IMAP && port_closed $CMD_SINK"

# --- stop everything, leave nothing --------------------------------------------------
pgids=
for d in rig wrong unknown; do
	for s in dovecot sink postfix; do
		[ -f "$TEST_DIR/$d/$s.pid" ] && pgids+=" $(cut -d' ' -f1 "$TEST_DIR/$d/$s.pid")"
	done
done
all_ports="$RIG_IMAP_PORT $RIG_IMAPS_PORT $RIG_LMTP_PORT $RIG_SINK_PORT ${RIG_SMTP_PORT:-}
    ${RIG_SMTPS_PORT:-} ${RIG_SMTP_WRONGNAME_PORT:-} ${RIG_SMTP_UNKNOWNCA_PORT:-} $WRONG_IMAPS $UNK_IMAPS"
t0=$EPOCHREALTIME
rig_stop_all
rig_stop_all "$TEST_DIR/wrong"
rig_stop_all "$TEST_DIR/unknown"
diag "everything stopped in $(ms_since "$t0") ms"
alive=
for g in $pgids; do
	_rig_group_alive "$g" && alive+=" $g"
done
is "no server process is left alive" "$alive" ""
open=
for p in $all_ports; do
	port_closed "$p" || open+=" $p"
done
is "no port is left listening" "$open" ""
unlike "no process mentions the test directory" \
    "$(ps -e -o stat=,args= | awk '$1 !~ /^Z/' | grep -F "$TEST_DIR" | grep -v -e grep -e awk)" .

done_testing
