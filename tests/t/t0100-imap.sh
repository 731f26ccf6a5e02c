#!/usr/bin/env bash
# t0100-imap.sh - src/imap.c against throwaway Dovecots (and a few fake
# servers), through build/tools/imaptool: TLS is checked before any password
# leaves, bytes arrive intact, moves create their mailbox, IDLE wakes fast
# (also for a notification already buffered), dead servers give errors and
# not hangs.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
test_init

IT=$TOOLS/imaptool
[ -x "$IT" ] || bail_out "$IT not built (make $BUILD/tools/imaptool)"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
: >"$TEST_DIR/all.err"

# it ARGS: imaptool; stderr shown and kept for the sanitizer check.
it() {
	local rc
	"$IT" "$@" 2>"$TEST_DIR/it.err"
	rc=$?
	cat "$TEST_DIR/it.err" >&2
	cat "$TEST_DIR/it.err" >>"$TEST_DIR/all.err"
	return $rc
}

# bg_it OUTFILE ARGS: imaptool in the background; its pid in $BG.
bg_it() {
	local out=$1; shift
	"$IT" "$@" >"$out" 2>>"$TEST_DIR/all.err" &
	BG=$!
	track_pid "$BG"
}

ms_since() {
	local a=${1/./} b=${EPOCHREALTIME/./}
	echo $(( (b - a) / 1000 ))
}

stamp() {
	echo "${EPOCHREALTIME/./}000" >"$1"
}

# crlf FILE: the file with every line ending as CRLF (what IMAP sends).
crlf() {
	perl -0777 -pe 's/\r?\n/\r\n/g' "$1"
}

# --- pure helpers (no server) ---------------------------------------------

while IFS='|' read -r url want; do
	if [ "$want" = ERR ]; then
		fail_cmd "URL refused: $url" it --parse-url "$url"
	else
		ok_cmd "URL parsed: $url" it --parse-url "$url"
		is "  gives $want" "$OUT" "$want"
	fi
done <<'EOF'
imaps://imap.ville.example|imaps imap.ville.example 993
imap://imap.ville.example|imap imap.ville.example 143
IMAPS://Mail.Example:10993/|imaps Mail.Example 10993
imap://127.0.0.1:1143|imap 127.0.0.1 1143
imaps://[::1]:993|imaps ::1 993
http://imap.example|ERR
imaps://|ERR
imaps://h:0|ERR
imaps://h:65536|ERR
imaps://h:12x|ERR
imaps://truc@h|ERR
imaps://h/INBOX|ERR
imaps://h h|ERR
EOF
like "  a user in the URL is pointed to imap.user" "$(it --parse-url imaps://u@h 2>&1)" 'imap\.user'

while IFS='|' read -r name want; do
	ok_cmd "mailbox name in UTF-7: $name" it --utf7 "$name"
	is "  is $want" "$OUT" "$want"
done <<'EOF'
INBOX|INBOX
Traités|Trait&AOk-s
A&B|A&-B
日本語|&ZeVnLIqe-
x😀y|x&2D3eAA-y
Été à l'école|&AMk-t&AOk- &AOA- l'&AOk-cole
EOF
fail_cmd "mailbox name that is not UTF-8 refused" it --utf7 "$(printf 'bad\xe9')"

# --- the main server ---------------------------------------------------

rig_init "$TEST_DIR/rig" || bail_out "rig_init failed"
rig_start_dovecot good || bail_out "Dovecot did not start"
CA=$RIG_CA
DLOG=$RIG_DIR/dovecot/dovecot.log
IMAPS=imaps://localhost:$RIG_IMAPS_PORT
STLS=imap://localhost:$RIG_IMAP_PORT
PLAIN=imap://127.0.0.1:$RIG_IMAP_PORT

# logins NAME: Dovecot's login lines so far for that user.
logins() {
	grep -c "Login: user=<$1>" "$DLOG" 2>/dev/null
}

ok_cmd "IMAPS with the test CA" it --ca "$CA" "$IMAPS" alice alicepw caps
is "  server has MOVE, UIDPLUS and IDLE" "$OUT" "caps MOVE UIDPLUS IDLE"
ok_cmd "IMAPS to 127.0.0.1 (IP in the certificate)" \
    it --ca "$CA" "imaps://127.0.0.1:$RIG_IMAPS_PORT" alice alicepw login
ok_cmd "STARTTLS with the test CA" it --ca "$CA" "$STLS" bob bobpw login
wait_until 3 grep -q 'Login: user=<bob>.*TLS' "$DLOG"
file_contains "  Dovecot saw the login under TLS" "$DLOG" 'Login: user=<bob>.*, TLS'
ok_cmd "plain IMAP with tls = none" it --tls-none "$PLAIN" truc trucpw login
like "  warns that it is not encrypted" "$OUT" 'not encrypted'
is "  warns once" "$(grep -c 'not encrypted' <<<"$OUT")" 1
wait_until 3 grep -q 'Login: user=<truc>' "$DLOG"
file_contains "  Dovecot saw a plaintext login" "$DLOG" 'Login: user=<truc>.*, secured'

fail_cmd "IMAPS without the test CA is refused" it "$IMAPS" alice alicepw login
like "  because the CA is unknown, naming the host" "$OUT" 'certificate of localhost .*unknown certificate authority'
fail_cmd "STARTTLS without the test CA is refused" it "$STLS" alice alicepw login
like "  because the CA is unknown" "$OUT" 'unknown certificate authority'
fail_cmd "a missing CA file is an error" it --ca "$TEST_DIR/nope.pem" "$IMAPS" alice alicepw login
like "  saying which file" "$OUT" "CA file $TEST_DIR/nope.pem"
fail_cmd "wrong password" it --ca "$CA" "$IMAPS" alice wrong login
like "  login failed, with the server's words" "$OUT" 'login as alice .*failed: .*Authentication failed'
fail_cmd "imaps:// to the plain port" it --timeout 3 --ca "$CA" "imaps://localhost:$RIG_IMAP_PORT" alice alicepw login
like "  TLS handshake failed" "$OUT" 'TLS handshake'
dead_port=$(free_port)
fail_cmd "nothing listening" it --ca "$CA" "imaps://localhost:$dead_port" alice alicepw login
like "  connection refused" "$OUT" "port $dead_port: connection refused"

# --- certificates that must be refused, before any password ----------------

for kind in wrongname unknownca; do
	rig_init "$TEST_DIR/$kind" || bail_out "rig_init $kind failed"
	rig_start_dovecot "$kind" || bail_out "Dovecot ($kind) did not start"
	klog=$RIG_DIR/dovecot/dovecot.log
	case $kind in
	wrongname) why='not valid for the name "localhost" \(name mismatch\)';;
	unknownca) why='unknown certificate authority';;
	esac
	fail_cmd "$kind certificate refused over IMAPS" \
	    it --ca "$CA" "imaps://localhost:$RIG_IMAPS_PORT" alice alicepw login
	like "  says why" "$OUT" "certificate of localhost port $RIG_IMAPS_PORT rejected: .*$why"
	fail_cmd "$kind certificate refused over STARTTLS" \
	    it --ca "$CA" "imap://localhost:$RIG_IMAP_PORT" alice alicepw login
	like "  says why" "$OUT" "rejected: .*$why"
	fail_cmd "$kind certificate refused for 127.0.0.1 too" \
	    it --ca "$CA" "imaps://127.0.0.1:$RIG_IMAPS_PORT" alice alicepw login
	# imap-login logs each connection when it ends: ours, and the rig's
	# probe for the greeting.
	wait_until 5 eval '[ "$(grep -c "Disconnected" "$klog")" -ge 4 ]'
	is "  $kind: Dovecot logged 4 connections" "$(grep -c 'Disconnected' "$klog")" 4
	is "  none of them tried to authenticate" \
	    "$(grep 'Disconnected' "$klog" | grep -vc 'no auth attempts')" 0
	file_lacks "  $kind: the user never reached Dovecot's auth" "$klog" 'user=<alice>|passwd-file\(alice'
done
rig_use "$TEST_DIR/rig"

# --- fake servers: no STARTTLS, PREAUTH in clear, injection after STARTTLS ---

fake_server() {	# MODE PORT LOG [TLSDIR]: serve one connection
	rm -f "$3.ready"
	"$PY" - "$@" <<'EOF' &
import socket, sys
mode, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(1); s.settimeout(15)
open(log + ".ready", "w").close()
c, _ = s.accept(); c.settimeout(15)
if mode == "sni":	# implicit TLS; log the name the client asked for
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[4] + "/good.pem", sys.argv[4] + "/good.key")
    def sni(sock, name, _ctx):
        open(log, "ab").write(b"SNI " + (name or "(none)").encode() + b"\n")
    ctx.sni_callback = sni
    c = ctx.wrap_socket(c, server_side=True)
f = c.makefile("rwb")
caps = b"IMAP4rev1 AUTH=PLAIN" + (b" STARTTLS" if mode == "inject" else b"")
if mode == "preauth":
    f.write(b"* PREAUTH [CAPABILITY IMAP4rev1] fake\r\n")
else:
    f.write(b"* OK [CAPABILITY " + caps + b"] fake\r\n")
f.flush()
with open(log, "ab") as lf:
    for line in f:
        lf.write(line); lf.flush()
        parts = line.split(b" ")
        tag, cmd = parts[0], parts[1].strip().upper() if len(parts) > 1 else b""
        if cmd == b"CAPABILITY":
            f.write(b"* CAPABILITY " + caps + b"\r\n" + tag + b" OK done\r\n")
        elif cmd == b"STARTTLS":
            f.write(tag + b" OK begin TLS\r\n* OK [CAPABILITY IMAP4rev1] injected\r\n")
        elif cmd == b"LOGOUT":
            f.write(b"* BYE bye\r\n" + tag + b" OK done\r\n"); f.flush(); break
        else:
            f.write(tag + b" OK done\r\n")
        f.flush()
c.close()
EOF
	track_pid $!
	wait_until 5 test -e "$3.ready"
}

if command -v "$PY" >/dev/null; then
	p=$(free_port); flog=$TEST_DIR/fake-nostarttls.log; : >"$flog"
	fake_server nostarttls "$p" "$flog"
	fail_cmd "a server without STARTTLS is refused" it "imap://127.0.0.1:$p" alice secretpw login
	like "  with a clear reason" "$OUT" 'server does not offer STARTTLS; refusing to send the password in clear'
	file_lacks "  and it never got LOGIN nor the password" "$flog" 'LOGIN|AUTHENTICATE|secretpw'
	p=$(free_port); flog2=$TEST_DIR/fake-plain.log; : >"$flog2"
	fake_server nostarttls "$p" "$flog2"
	ok_cmd "the same server with tls = none gets the login" \
	    it --tls-none "imap://127.0.0.1:$p" alice secretpw login
	file_contains "  (so the check above means something)" "$flog2" 'LOGIN alice secretpw'
	p=$(free_port); flog=$TEST_DIR/fake-preauth.log; : >"$flog"
	fake_server preauth "$p" "$flog"
	fail_cmd "PREAUTH in clear where TLS is required is refused" it "imap://127.0.0.1:$p" alice secretpw login
	like "  saying so" "$OUT" 'PREAUTH before TLS'
	p=$(free_port); flog=$TEST_DIR/fake-inject.log; : >"$flog"
	fake_server inject "$p" "$flog"
	fail_cmd "data injected after the STARTTLS answer is refused" \
	    it --timeout 3 "imap://127.0.0.1:$p" alice secretpw login
	like "  saying so" "$OUT" 'sent data right after its STARTTLS answer'
	file_lacks "  and no LOGIN was sent" "$flog" 'LOGIN|secretpw'
	for host in localhost 127.0.0.1; do
		p=$(free_port); flog=$TEST_DIR/fake-sni-$host.log; : >"$flog"
		fake_server sni "$p" "$flog" "$RIG_TLS_DIR"
		ok_cmd "IMAPS to $host (TLS server that logs SNI)" \
		    it --ca "$CA" "imaps://$host:$p" alice secretpw login
	done
	file_contains "  SNI carries the host name" "$TEST_DIR/fake-sni-localhost.log" '^SNI localhost$'
	file_contains "  and no SNI for an address" "$TEST_DIR/fake-sni-127.0.0.1.log" '^SNI \(none\)$'
else
	skip "fake IMAP servers" "no python3"
fi

# A server that accepts the connection and then says nothing.
if command -v "$PY" >/dev/null; then
	p=$(free_port)
	"$PY" -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); time.sleep(30)' "$p" &
	track_pid $!
	wait_until 5 eval "(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null"
	for u in "imap://127.0.0.1:$p" "imaps://127.0.0.1:$p"; do
		t0=$EPOCHREALTIME
		fail_cmd "silent server ($u) fails after the timeout" it --timeout 2 --tls-none "$u" a b login
		el=$(ms_since "$t0")
		ok_cmd "  within about 2 s (${el} ms)" test "$el" -ge 1500 -a "$el" -lt 5000
	done
fi

# --- fetch: a batch, byte for byte ------------------------------------------

M=$TEST_DIR/msgs
mkdir -p "$M/in" "$M/out"
n=0
for f in "$SHARED"/mail-corpus/encodings/*.eml "$SHARED"/mail-corpus/replies/*.eml; do
	[ -f "$f" ] || continue
	n=$((n + 1)); crlf "$f" >"$M/in/$n"
done
# 8-bit body, long lines, a large message, an empty body.
n=$((n + 1)); { printf 'Subject: =?utf-8?q?=C3=A9t=C3=A9?=\r\n\r\n'
	printf 'Inscription à la séance « été » — ok\r\n'; } >"$M/in/$n"
n=$((n + 1)); { printf 'Subject: long lines\r\n\r\n'
	for i in $(seq 20); do printf '%0990d\r\n' "$i"; done; } >"$M/in/$n"
n=$((n + 1)); { printf 'Subject: big\r\n\r\n'
	for i in $(seq 6000); do printf 'line %05d of a big message, with some text to fill\r\n' "$i"; done; } >"$M/in/$n"
n=$((n + 1)); printf 'Subject: empty body\r\n\r\n' >"$M/in/$n"
files=()
for i in $(seq "$n"); do files+=("$M/in/$i"); done
rig_deliver alice "${files[@]}" || bail_out "rig_deliver failed"
ok_cmd "list gives $n UIDs" it --ca "$CA" "$IMAPS" alice alicepw list INBOX
like "  1..$n in order" "$OUT" "^uids $(seq -s ' ' 1 "$n")\$"
uids=$(seq 1 "$n")
ok_cmd "fetch of $n messages in one batch" \
    it --ca "$CA" "$IMAPS" alice alicepw fetch INBOX --out "$M/out" $uids
is "  $n messages returned" "$(grep -cE '^[0-9]+ [0-9]+ [0-9a-f]{64}$' <<<"$OUT")" "$n"
same=0
for i in $(seq "$n"); do
	if cmp -s "$M/in/$i" "$M/out/$i"; then
		same=$((same + 1))
	else
		diag "UID $i differs: $(cmp "$M/in/$i" "$M/out/$i" 2>&1 | head -n 1)"
	fi
done
is "  every message byte-identical to what was delivered" "$same" "$n"
ok_cmd "fetch leaves them unseen" test "$(rig_count alice INBOX unseen)" -eq "$n"
ok_cmd "fetch of UIDs that do not exist" it --ca "$CA" "$IMAPS" alice alicepw fetch INBOX 2 9999 3 2
is "  only the existing ones, once, ascending" "$(cut -d' ' -f1 <<<"$OUT" | tr '\n' ' ')" "uidvalidity 2 3 "
if command -v strace >/dev/null; then
	strace -f -e trace=sendto,write -s 200 -o "$TEST_DIR/strace.out" \
	    "$IT" --tls-none "$PLAIN" alice alicepw fetch INBOX 1 2 3 5 7 8 9 12 >/dev/null 2>&1
	file_contains "one UID FETCH with ranges on the wire" "$TEST_DIR/strace.out" \
	    '"[0-9]+ UID FETCH 1:3,5,7:9,12 \(UID BODY.PEEK\[\]\)'
	is "  and only one" "$(grep -c 'UID FETCH' "$TEST_DIR/strace.out")" 1
else
	skip "UID FETCH on the wire" "no strace"
fi

# --- move ----------------------------------------------------------------

rig_deliver bob "$M/in/1" "$M/in/2" "$M/in/3" "$M/in/4" || bail_out "rig_deliver failed"
ok_cmd "move 3 of 4 to a new mailbox \"Traités\"" \
    env IMAPTOOL_DEBUG=1 "$IT" --ca "$CA" "$IMAPS" bob bobpw move INBOX "Traités" 1 2 4
like "  with UID MOVE" "$OUT" 'with UID MOVE'
like "  creating the mailbox" "$OUT" 'created mailbox "Traités"'
is "  1 left in INBOX" "$(rig_count bob INBOX)" 1
is "  3 in Traités" "$(rig_count bob "Traités")" 3
ok_cmd "  stored in modified UTF-7 on disk" test -d "$RIG_DIR/mail/bob/Maildir/.Trait&AOk-s"
ok_cmd "move the last one to the existing mailbox" \
    env IMAPTOOL_DEBUG=1 "$IT" --ca "$CA" "$IMAPS" bob bobpw move INBOX "Traités" all
unlike "  without CREATE" "$OUT" 'created mailbox'
is "  source is empty" "$(rig_count bob INBOX)" 0
is "  4 in Traités" "$(rig_count bob "Traités")" 4
ok_cmd "moved bytes unchanged" it --ca "$CA" "$IMAPS" bob bobpw fetch "Traités" --out "$M/out" all
ok_cmd "  (UID 1 of Traités is message 1)" cmp "$M/in/1" "$M/out/1"

rig_deliver bob "$M/in/5" "$M/in/6" "$M/in/7" || bail_out "rig_deliver failed"
ok_cmd "move without MOVE (COPY path) to a new mailbox" \
    env IMAPTOOL_DEBUG=1 "$IT" --no-move --ca "$CA" "$IMAPS" bob bobpw move INBOX Done/Sub all
like "  with UID COPY + UID EXPUNGE" "$OUT" 'with UID COPY \+ UID EXPUNGE'
like "  creating the mailbox" "$OUT" 'created mailbox "Done/Sub"'
is "  source is empty" "$(rig_count bob INBOX)" 0
is "  3 in Done/Sub" "$(rig_count bob Done/Sub)" 3
rig_deliver bob "$M/in/8" "$M/in/9" || bail_out "rig_deliver failed"
ok_cmd "move without MOVE nor UIDPLUS (plain EXPUNGE)" \
    env IMAPTOOL_DEBUG=1 "$IT" --no-move --no-uidplus --ca "$CA" "$IMAPS" bob bobpw move INBOX Done/Sub all , list INBOX
like "  with UID COPY + EXPUNGE" "$OUT" 'with UID COPY \+ EXPUNGE'
like "  source lists empty" "$OUT" '^uids$'
is "  5 in Done/Sub" "$(rig_count bob Done/Sub)" 5
rig_deliver bob "$M/in/10" || bail_out "rig_deliver failed"
fail_cmd "move to a mailbox that cannot be created" it --ca "$CA" "$IMAPS" bob bobpw move INBOX "" all
like "  reports the refusal and the CREATE failure" "$OUT" 'UID MOVE to "": server said: .*CREATE: server said'
is "  the message stays" "$(rig_count bob INBOX)" 1
ok_cmd "list skips messages flagged \\Deleted" \
    it --ca "$CA" "$IMAPS" bob bobpw list INBOX
rig_doveadm flags add -u bob '\Deleted' mailbox INBOX all
ok_cmd "  (one is now flagged \\Deleted)" it --ca "$CA" "$IMAPS" bob bobpw list INBOX
like "  and is not listed" "$OUT" '^uids$'

# --- IDLE ------------------------------------------------------------------

IO=$TEST_DIR/idle.out
ST=$TEST_DIR/stamp
rm -f "$ST"
bg_it "$IO" --ca "$CA" "$IMAPS" truc trucpw idle INBOX 10 --stamp "$ST"
wait_until 10 grep -q '^idling' "$IO" || diag "imaptool never idled: $(cat "$IO")"
sleep 0.3	# IDLE is on the wire
stamp "$ST"
rig_deliver truc "$M/in/1"
wait "$BG"
file_contains "IDLE wakes on a delivery" "$IO" '^changed$'
lat=$(sed -n 's/^latency_ms //p' "$IO")
diag "IDLE latency after delivery: ${lat:-?} ms (Dovecot pushes after 500 ms)"
ok_cmd "  within about 1 s (${lat:-?} ms)" test "${lat:-99999}" -lt 1500

GO=$TEST_DIR/go
rm -f "$GO" "$ST"
bg_it "$IO" --ca "$CA" "$IMAPS" truc trucpw idle INBOX 6 --after "$GO" --stamp "$ST"
wait_until 10 grep -q '^selected' "$IO" || diag "imaptool never selected: $(cat "$IO")"
rig_deliver truc "$M/in/2"
sleep 0.6	# the change is pending: Dovecot sends it with "+ idling"
stamp "$ST"
touch "$GO"
wait "$BG"
file_contains "IDLE sees a notification already buffered with its continuation" "$IO" '^changed$'
lat=$(sed -n 's/^latency_ms //p' "$IO")
diag "IDLE latency, notification pending at IDLE: ${lat:-?} ms"
ok_cmd "  at once, not at the 6 s timeout (${lat:-?} ms)" test "${lat:-99999}" -lt 1000

t0=$EPOCHREALTIME
ok_cmd "IDLE times out when nothing happens" it --ca "$CA" "$IMAPS" truc trucpw idle INBOX 1
like "  timeout" "$OUT" '^timeout$'
el=$(ms_since "$t0")
ok_cmd "  after about 1 s (${el} ms)" test "$el" -ge 900 -a "$el" -lt 4000

bg_it "$IO" --ca "$CA" "$IMAPS" truc trucpw idle INBOX 30
wait_until 10 grep -q '^idling' "$IO"
sleep 0.2
t0=$EPOCHREALTIME
kill -TERM "$BG"
wait "$BG"
el=$(ms_since "$t0")
file_contains "IDLE ends when the stop flag is set (SIGTERM)" "$IO" '^stopped$'
ok_cmd "  within a second (${el} ms)" test "$el" -lt 1500

rm -f "$ST"
bg_it "$IO" --no-idle --ca "$CA" "$IMAPS" truc trucpw idle INBOX 2 --stamp "$ST"
wait_until 10 grep -q '^idling' "$IO"
rig_deliver truc "$M/in/3"
stamp "$ST"
wait "$BG"
file_contains "without IDLE: NOOP after the wait sees the new mail" "$IO" '^changed$'

# --- a server that dies ------------------------------------------------------

bg_it "$IO" --ca "$CA" "$IMAPS" truc trucpw idle INBOX 30
wait_until 10 grep -q '^idling' "$IO"
sleep 0.2
t0=$EPOCHREALTIME
rig_stop_dovecot
wait "$BG"
el=$(ms_since "$t0")
file_contains "IDLE reports a lost connection when the server dies" "$IO" '^lost$'
ok_cmd "  at once (${el} ms)" test "$el" -lt 2000

rig_start_dovecot good || bail_out "Dovecot did not restart"
bg_it "$IO" --ca "$CA" "$IMAPS" alice alicepw list INBOX , pause 3 , fetch . 1 2 , noop
wait_until 10 grep -q '^uids' "$IO"
t0=$EPOCHREALTIME
rig_stop_dovecot
wait "$BG"
rc=$?
el=$(ms_since "$t0")
is "fetch on a dead server fails" "$rc" 1
ok_cmd "  without hanging (${el} ms, 3 s of it the pause)" test "$el" -lt 5000
like "  saying the connection is lost" "$(tail -n 3 "$TEST_DIR/all.err")" 'connection lost'

rig_start_dovecot good || bail_out "Dovecot did not restart"
ok_cmd "a new connection works once the server is back" it --ca "$CA" "$IMAPS" alice alicepw list INBOX

# --- throughput: 2,000 small messages in batches of 500 --------------------

B=$TEST_DIR/bench
mkdir -p "$B"
perl -e 'for my $i (1..2000) {
	open(my $f, ">", "$ARGV[0]/$i") or die;
	printf $f "From: agent%d\@ville.example\r\nTo: truc\@ville.example\r\n" .
	    "Subject: INSCRIPTION s-%d\r\nMessage-ID: <b%d\@ville.example>\r\n\r\n" .
	    "INSCRIPTION s-%d\r\nMerci.\r\n", $i, $i % 50, $i, $i % 50;
	close $f }' "$B"
(cd "$B" && rig_deliver bench $(seq 1 2000)) || bail_out "rig_deliver bench failed"
ok_cmd "fetch 2,000 messages in batches of 500 over IMAPS" \
    it --ca "$CA" "$IMAPS" bench benchpw fetchall INBOX 500
like "  all 2,000" "$OUT" '^fetched 2000 messages'
ms=$(sed -n 's/^fetched .* in \([0-9]*\) ms$/\1/p' <<<"$OUT")
diag "2,000 messages, batches of 500, over IMAPS: ${ms:-?} ms (UID SEARCH + 4 UID FETCH)"
ok_cmd "  in less than 5 s (${ms:-?} ms)" test "${ms:-99999}" -lt 5000

file_lacks "no sanitizer report" "$TEST_DIR/all.err" 'Sanitizer|runtime error'
done_testing
