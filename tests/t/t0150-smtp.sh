#!/usr/bin/env bash
# t0150-smtp.sh - src/smtp.c against smtp-sink and a throwaway Postfix,
# through build/tools/smtptool: bytes arrive intact, one connection carries a
# batch, every failure gets the right status quickly, TLS is checked.
. "$(dirname "$0")/../lib/test-lib.sh"
test_init

ST=$TOOLS/smtptool
[ -x "$ST" ] || bail_out "$ST not built (make $BUILD/tools/smtptool)"
command -v smtp-sink >/dev/null || skip_all "smtp-sink (postfix) not installed"
rig_init
rig_start_sink || bail_out "smtp-sink did not start"
SINK=smtp://127.0.0.1:$RIG_SINK_PORT/localhost
FROM=truc@ville.example
TO=alice@ville.example
M=$TEST_DIR/msg
mkdir -p "$M"
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

# elapsed OUTPUT: the seconds smtptool printed.
elapsed() {
	sed -n 's/^elapsed \([0-9.]*\) s.*/\1/p' <<<"$1"
}

# lt A B: true when the decimal A < B.
lt() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'
}

# The sink stores CRLF as LF: what a message must look like there.
expected_body() {
	perl -0777 -pe 's/\r\n?/\n/g; $_ .= "\n" if length && !/\n\z/' "$1"
}

# --- bytes -------------------------------------------------------------

# Dot-stuffing cases: curl must stuff these and the sink unstuff them.
printf 'From: <%s>\r\nTo: <%s>\r\nSubject: dots\r\n\r\n.\r\n..\r\n.leading dot\r\nmiddle\r\n. space\r\n...\r\nend.\r\n.\r\n' \
    "$FROM" "$TO" >"$M/dots.eml"
# No final CRLF: curl adds one before the final dot.
printf 'Subject: no final newline\r\n\r\nlast line\r\n.' >"$M/noeol.eml"
# Bare LF lines (smtp.c sends them as CRLF, so ".\n" cannot end the data).
printf 'Subject: bare LF\n\nfirst\n.\nafter a lone dot\n' >"$M/barelf.eml"
files=("$M/dots.eml" "$M/noeol.eml" "$M/barelf.eml")
for f in "$SHARED"/mail-corpus/encodings/*.eml; do
	[ -f "$f" ] && files+=("$f")
done

rig_sink_clear
ok_cmd "${#files[@]} messages sent to smtp-sink" st --tls-none "$SINK" "$FROM" "$TO" "${files[@]}"
is "all reported sent" "$(grep -cE '^[0-9]+ sent$' <<<"$OUT")" "${#files[@]}"
like "over one connection" "$OUT" "1 connection\(s\)"
rig_sink_wait "${#files[@]}" 5
is "the sink has them all" "$(rig_sink_count)" "${#files[@]}"
# Names carry no order: match each message to a capture by content.
for f in "${files[@]}"; do
	expected_body "$f" >"$M/want"
	found=
	while IFS= read -r c; do
		rig_sink_body "$c" >"$M/got"
		if cmp -s "$M/want" "$M/got"; then found=$c; break; fi
	done < <(rig_sink_messages)
	if [ -n "$found" ]; then
		pass "arrives intact: $(basename "$f")"
	else
		fail "arrives intact: $(basename "$f")" \
		    "$(diff <(expected_body "$f") <(rig_sink_body "$(rig_sink_messages | head -n 1)") | head -n 20)"
	fi
done
c=$(rig_sink_messages | head -n 1)
is "envelope sender" "$(rig_sink_from "$c")" "$FROM"
is "envelope recipient" "$(rig_sink_rcpts "$c")" "$TO"

rig_sink_clear
ok_cmd "null sender" st --tls-none "$SINK" "" "$TO" "$M/dots.eml"
rig_sink_wait 1 5
is "sent as MAIL FROM:<>" "$(grep -c '^X-Mail-Args: <>' "$(rig_sink_messages | head -n 1)")" 1

fail_cmd "a recipient with CRLF is refused, the others go" \
    st --tls-none "$SINK" "$FROM" "$TO" "$M/dots.eml" --to="$(printf 'x@y>\r\nRSET')" "$M/dots.eml" --to="$TO" "$M/dots.eml"
like "  its status" "$OUT" "^2 permfail invalid envelope address"
is "  the others sent" "$(grep -cE '^[13] sent$' <<<"$OUT")" 2

# --- one connection ----------------------------------------------------

rig_sink_clear
ok_cmd "100 mails in one batch" st -q --tls-none --gen 100 "$SINK" "$FROM" "$TO"
like "  over one connection" "$OUT" "1 connection\(s\), 100/100 sent"
rig_sink_wait 100 10
is "  100 captured" "$(rig_sink_count)" 100

ok_cmd "3 batches on one session" st -q --tls-none --gen 5 --batches 3 "$SINK" "$FROM" "$TO"
like "  share one connection" "$OUT" "1 connection\(s\), 15/15 sent"

# smtp-sink -t 1 drops a connection idle for 1 s: the next batch reconnects.
rig_start_sink -t 1 || bail_out "smtp-sink did not restart"
ok_cmd "the server closed the idle connection between batches" \
    st -q --tls-none --gen 3 --batches 2 --pause 2 "$SINK" "$FROM" "$TO"
like "  a second connection, all sent" "$OUT" "2 connection\(s\), 6/6 sent"

# --- failures ----------------------------------------------------------

rig_stop_sink
fail_cmd "sink down" st --tls-none --timeout 5 --gen 20 "$SINK" "$FROM" "$TO"
is "  all 20 tempfail" "$(grep -c '^[0-9]* tempfail .*onnect' <<<"$OUT")" 20
t=$(elapsed "$OUT")
if lt "$t" 1; then pass "  at once (${t} s)"; else fail "  at once" "took $t s"; fi

rig_start_sink -r RCPT || bail_out "smtp-sink did not restart"
fail_cmd "4xx to RCPT" st --tls-none --gen 3 "$SINK" "$FROM" "$TO"
is "  each mail tempfail with the server's text" \
    "$(grep -c '^[0-9] tempfail 450 4.3.0 Error: command failed$' <<<"$OUT")" 3

rig_start_sink -f . || bail_out "smtp-sink did not restart"
fail_cmd "5xx after the data" st --tls-none --gen 3 "$SINK" "$FROM" "$TO"
is "  each mail permfail with the server's text" \
    "$(grep -c '^[0-9] permfail 500 5.3.0 Error: command failed$' <<<"$OUT")" 3

rig_start_sink -Q MAIL || bail_out "smtp-sink did not restart"
fail_cmd "421 to MAIL" st --tls-none --gen 5 "$SINK" "$FROM" "$TO"
is "  all tempfail" "$(grep -c '^[0-9] tempfail .*421' <<<"$OUT")" 5
like "  without trying each (one connection)" "$OUT" "1 connection\(s\)"

# smtp-sink answers AUTH with 250, which no client may take as success.
rig_start_sink || bail_out "smtp-sink did not restart"
fail_cmd "AUTH refused" st --tls-none --user truc --password trucpw --gen 4 "$SINK" "$FROM" "$TO"
is "  all tempfail at once" "$(grep -c '^[0-9] tempfail Login denied' <<<"$OUT")" 4
like "  one connection" "$OUT" "1 connection\(s\)"

fail_cmd "STARTTLS required but not offered" st --gen 2 "$SINK" "$FROM" "$TO"
is "  all tempfail" "$(grep -c '^[0-9] tempfail STARTTLS' <<<"$OUT")" 2

# -w 5: five seconds before answering DATA, with a 1 s timeout.
rig_start_sink -w 5 || bail_out "smtp-sink did not restart"
fail_cmd "server too slow" st --tls-none --timeout 1 --gen 10 "$SINK" "$FROM" "$TO"
is "  all 10 tempfail" "$(grep -c '^[0-9]* tempfail .*timeout' <<<"$OUT")" 10
t=$(elapsed "$OUT")
if lt "$t" 4; then pass "  one timeout (+ QUIT's), not ten (${t} s)"; else fail "  bounded wait" "took $t s"; fi

# -M 3: the sink exits after the third message.
rig_start_sink -M 3 || bail_out "smtp-sink did not restart"
fail_cmd "server gone in the middle of a batch" st --tls-none --timeout 5 --gen 10 "$SINK" "$FROM" "$TO"
sent=$(grep -c '^[0-9]* sent$' <<<"$OUT")
if [ "$sent" -ge 2 ] && [ "$sent" -le 3 ]; then pass "  the first ones sent ($sent)"; else fail "  the first ones sent" "$OUT"; fi
is "  the rest tempfail" "$(grep -c '^[0-9]* tempfail' <<<"$OUT")" $((10 - sent))
t=$(elapsed "$OUT")
if lt "$t" 1; then pass "  at once (${t} s)"; else fail "  at once" "took $t s"; fi

# A scripted server for what smtp-sink cannot do: drop a kept connection
# when its second mail starts (mode "mail") or after that mail's data,
# without an answer (mode "dot").  It does so once; later connections
# behave.  It logs "CONN mail" for every mail it accepted.
cat >"$TEST_DIR/flaky.py" <<'EOF'
import socket, sys
port, mode, log = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], "a")
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(8)
srv.settimeout(60)
conn, dropped = 0, False
while conn < 20:
    c, _ = srv.accept()
    c.settimeout(10)
    conn += 1
    f = c.makefile("rb")
    say = lambda t: c.sendall(t.encode() + b"\r\n")
    mails = 0
    try:
        say("220 flaky ESMTP")
        while True:
            line = f.readline()
            if not line:
                break
            cmd = line.decode("latin-1").strip().upper()
            drop = mails == 1 and not dropped
            if cmd.startswith("EHLO"):
                say("250-flaky")
                say("250 8BITMIME")
            elif cmd.startswith("MAIL"):
                if drop and mode == "mail":
                    dropped = True
                    break
                say("250 2.1.0 ok")
            elif cmd.startswith("RCPT"):
                say("250 2.1.5 ok")
            elif cmd == "DATA":
                say("354 go ahead")
                while line not in (b".\r\n", b""):
                    line = f.readline()
                if drop and mode == "dot":
                    dropped = True
                    break
                mails += 1
                log.write("%d mail\n" % conn)
                log.flush()
                say("250 2.0.0 queued")
            elif cmd == "QUIT":
                say("221 2.0.0 bye")
                break
            else:
                say("502 5.5.2 no")
    except OSError:
        pass
    f.close()
    c.close()
EOF
# greets PORT: a fresh connection to PORT reads a 220 line.
greets() {
	local line
	(exec 3<>"/dev/tcp/127.0.0.1/$1" && IFS= read -r -t 2 line <&3 &&
	    [[ $line == 220* ]]) 2>/dev/null
}
for mode in mail dot; do
	port=$(free_port)
	: >"$TEST_DIR/flaky-$mode.log"
	/usr/bin/python3 "$TEST_DIR/flaky.py" "$port" "$mode" "$TEST_DIR/flaky-$mode.log" &
	track_pid $!
	wait_until 5 greets "$port" || bail_out "flaky.py did not start"
	case $mode in
	mail)
		ok_cmd "connection dropped at MAIL: the mail is retried on a new one" \
		    st --tls-none --gen 3 "smtp://127.0.0.1:$port/localhost" "$FROM" "$TO"
		is "  all sent" "$(grep -cE '^[0-9] sent$' <<<"$OUT")" 3
		;;
	dot)
		fail_cmd "connection dropped after the data: that mail waits, the batch goes on" \
		    st --tls-none --gen 3 "smtp://127.0.0.1:$port/localhost" "$FROM" "$TO"
		is "  1 and 3 sent, 2 tempfail" "$(grep -oE '^[0-9] [a-z]+' <<<"$OUT" | tr '\n' ' ')" \
		    "1 sent 2 tempfail 3 sent "
		;;
	esac
	like "  on a second connection" "$OUT" "2 connection\(s\)"
done
is "  the server took 3 mails (drop at MAIL)" "$(wc -l <"$TEST_DIR/flaky-mail.log")" 3
is "  the server took 2 mails (drop after the data)" "$(wc -l <"$TEST_DIR/flaky-dot.log")" 2

# --- speed -------------------------------------------------------------

rig_start_sink || bail_out "smtp-sink did not restart"
ok_cmd "2000 mails to smtp-sink" st -q --tls-none --gen 2000 "$SINK" "$FROM" "$TO"
like "  one connection" "$OUT" "1 connection\(s\), 2000/2000 sent"
ours=$(elapsed "$OUT")
t0=${EPOCHREALTIME/./}
smtp-source -s 1 -d -m 2000 -f "$FROM" -t "$TO" "127.0.0.1:$RIG_SINK_PORT" >/dev/null 2>&1
theirs=$(( ${EPOCHREALTIME/./} - t0 ))
theirs=$(awk -v u="$theirs" 'BEGIN { printf "%.3f", u / 1e6 }')
diag "2000 mails, one connection: smtptool $ours s, smtp-source -d $theirs s"
# Generous: the machine is shared and noisy; we only catch a regression
# such as a connection or a reset per mail.
if lt "$ours" "$(awk -v t="$theirs" 'BEGIN { print 3 * t + 1 }')"; then
	pass "  close to smtp-source"
else
	fail "  close to smtp-source" "smtptool $ours s, smtp-source $theirs s"
fi

# --- Postfix: a rejected recipient, STARTTLS, smtps --------------------

if ! rig_have_postfix; then
	skip "Postfix tests" "Postfix needs root"
	file_lacks "no sanitizer report" "$TEST_DIR/all.err" 'Sanitizer|runtime error'
	done_testing
fi
rig_start_postfix sink || bail_out "Postfix did not start"
PF=smtp://127.0.0.1:$RIG_SMTP_PORT/localhost
PFLOG=$RIG_DIR/postfix/maillog
rig_postfix_reject nobody@ville.example
rig_sink_clear

fail_cmd "one recipient rejected" st --tls-none "$PF" "$FROM" alice@ville.example \
    "$M/dots.eml" --to=nobody@ville.example "$M/dots.eml" --to=bob@ville.example "$M/dots.eml"
like "  it gets permfail with the server's text" "$OUT" \
    '^2 permfail 550 5\.1\.1 <nobody@ville\.example>: Recipient address rejected'
is "  the others are sent" "$(grep -cE '^[13] sent$' <<<"$OUT")" 2
rig_sink_wait 2 10
is "  and relayed" "$(for c in $(rig_sink_messages); do rig_sink_rcpts "$c"; done | sort | tr '\n' ' ')" \
    "alice@ville.example bob@ville.example "

before=$(grep -c 'disconnect from.* mail=100 rcpt=100 data=100' "$PFLOG")
ok_cmd "100 mails through Postfix" st -q --tls-none --gen 100 "$PF" "$FROM" "$TO"
wait_until 5 eval '[ "$(grep -c "disconnect from.* mail=100 rcpt=100 data=100" "$PFLOG")" -gt "$before" ]'
is "  Postfix saw one session with 100 mails" \
    "$(grep -c 'disconnect from.* mail=100 rcpt=100 data=100' "$PFLOG")" $((before + 1))

# TLS: Postfix offers STARTTLS with the rig's "good" certificate on its
# port, and three more listeners: smtps (implicit TLS), and STARTTLS with
# the "unknownca" and "wrongname" certificates.  The rig has no switch for
# this yet, so edit its config and reload (SIGHUP to master).
set -- $(free_port 3)
P_SMTPS=$1 P_UNKNOWN=$2 P_WRONG=$3
T=$RIG_TLS_DIR
postconf -c "$RIG_DIR/postfix/etc" -e \
    "smtpd_tls_cert_file=$T/good.pem" "smtpd_tls_key_file=$T/good.key" \
    "smtpd_tls_security_level=may" || bail_out "postconf failed"
cat >>"$RIG_DIR/postfix/etc/master.cf" <<EOF
127.0.0.1:$P_SMTPS inet n - n - - smtpd -o max_use=1 -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt
127.0.0.1:$P_UNKNOWN inet n - n - - smtpd -o max_use=1 -o smtpd_tls_cert_file=$T/unknownca.pem -o smtpd_tls_key_file=$T/unknownca.key
127.0.0.1:$P_WRONG inet n - n - - smtpd -o max_use=1 -o smtpd_tls_cert_file=$T/wrongname.pem -o smtpd_tls_key_file=$T/wrongname.key
EOF
touch -d '2 minutes ago' "$RIG_DIR/postfix/etc/main.cf" "$RIG_DIR/postfix/etc/master.cf"
read -r pf_pid _ <"$RIG_DIR/postfix.pid"
kill -HUP "$pf_pid"

# ehlo_has PORT WORD: the EHLO answer on PORT lists WORD.
ehlo_has() {
	local line all=
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	IFS= read -r -t 2 line <&3
	printf 'EHLO t\r\n' >&3
	while IFS= read -r -t 2 line <&3; do
		all+=$line
		[[ $line == "250 "* ]] && break
	done
	printf 'QUIT\r\n' >&3
	exec 3>&-
	[[ $all == *"$2"* ]]
}
wait_until 10 ehlo_has "$RIG_SMTP_PORT" STARTTLS 2>/dev/null &&
    wait_until 10 ehlo_has "$P_UNKNOWN" STARTTLS 2>/dev/null &&
    wait_until 10 ehlo_has "$P_WRONG" STARTTLS 2>/dev/null ||
    bail_out "Postfix does not offer STARTTLS after the reload"

# A second CA that knows nobody here, and store directories to stand for
# the system store: this checks that ca_file adds to it, not replaces it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -subj /CN=other-test-ca -keyout "$TEST_DIR/other.key" \
    -out "$TEST_DIR/other.pem" 2>/dev/null || bail_out "openssl failed"
mkdir -p "$TEST_DIR/store-rig" "$TEST_DIR/store-other"
cp "$RIG_CA" "$TEST_DIR/store-rig/rig-ca.pem"
cp "$TEST_DIR/other.pem" "$TEST_DIR/store-other/other.pem"

ok_cmd "STARTTLS with the test CA" st --ca "$RIG_CA" "$PF" "$FROM" "$TO" "$M/dots.eml"
wait_until 5 grep -q 'disconnect from.* starttls=1 mail=1' "$PFLOG"
file_contains "  Postfix saw STARTTLS" "$PFLOG" 'disconnect from.* starttls=1 mail=1 '
fail_cmd "STARTTLS, CA unknown to the system store" st "$PF" "$FROM" "$TO" "$M/dots.eml"
like "  tempfail, certificate refused" "$OUT" '^1 tempfail .*certificate'
ok_cmd "ca_file is added to the store (CA in the store)" \
    st --ca "$TEST_DIR/other.pem" --capath "$TEST_DIR/store-rig" "$PF" "$FROM" "$TO" "$M/dots.eml"
ok_cmd "ca_file is added to the store (CA in ca_file)" \
    st --ca "$RIG_CA" --capath "$TEST_DIR/store-other" "$PF" "$FROM" "$TO" "$M/dots.eml"
fail_cmd "CA in neither" \
    st --ca "$TEST_DIR/other.pem" --capath "$TEST_DIR/store-other" "$PF" "$FROM" "$TO" "$M/dots.eml"
like "  certificate refused" "$OUT" '^1 tempfail .*certificate'
fail_cmd "server certificate from an unknown CA" \
    st --ca "$RIG_CA" "smtp://127.0.0.1:$P_UNKNOWN/localhost" "$FROM" "$TO" "$M/dots.eml"
like "  refused" "$OUT" '^1 tempfail .*certificate'
fail_cmd "server certificate for another name" \
    st --ca "$RIG_CA" "smtp://127.0.0.1:$P_WRONG/localhost" "$FROM" "$TO" "$M/dots.eml"
like "  refused" "$OUT" '^1 tempfail .*(certificate|name)'
ok_cmd "smtps:// (implicit TLS), 20 mails" \
    st -q --ca "$RIG_CA" --gen 20 "smtps://127.0.0.1:$P_SMTPS/localhost" "$FROM" "$TO"
like "  one connection" "$OUT" "1 connection\(s\), 20/20 sent"
fail_cmd "smtps:// with an unknown CA" \
    st --gen 2 "smtps://127.0.0.1:$P_SMTPS/localhost" "$FROM" "$TO"
is "  all tempfail" "$(grep -c '^[0-9] tempfail .*certificate' <<<"$OUT")" 2

file_lacks "no sanitizer report" "$TEST_DIR/all.err" 'Sanitizer|runtime error'
done_testing
