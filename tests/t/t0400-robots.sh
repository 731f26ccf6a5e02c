#!/usr/bin/env bash
# Reading real mail end to end: robots are never answered, bounces mark
# addresses, a reply quoting the whole programme registers only what the
# person wrote, and the limits (size, commands, replies per hour) hold.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/trucd-lib.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
command -v smtp-sink >/dev/null || skip_all "smtp-sink not installed"
CORPUS=$SHARED/mail-corpus
[ -d "$CORPUS" ] || skip_all "no mail corpus at $CORPUS"
test_init
trucd_setup

# 1. Every out-of-office, receipt and bounce of the corpus: no answer.
robots=$(ls "$CORPUS"/autoreplies/*.eml "$CORPUS"/bounces/*.eml)
n=$(echo "$robots" | wc -l)
rig_deliver truc $robots >/dev/null
run_once
is "trucd --once exits 0 on $n robot mails" "$RC" 0
is "all $n handled and moved" "$(rig_count truc Traités)" "$n"
is "not one of them answered" "$(rig_sink_count)" 0
is "nothing queued for them" "$(sql "SELECT COUNT(*) FROM outbox")" 0

# 2. A bounce for an address we mailed marks it; a delay changes nothing.
send_mail "alice@ville.example" "AIDE" "AIDE"
send_mail "bob@ville.example" "AIDE" "AIDE"
run_once
is "two replies went out" "$(rig_sink_count)" 2
bounce() {	# bounce RCPT ACTION STATUS
	_mail_seq=$((_mail_seq + 1))
	cat >"$TEST_DIR/bounce-$_mail_seq.eml" <<MAIL
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.ville.example>
To: truc@ville.example
Subject: Undelivered Mail Returned to Sender
Date: Mon, 30 Nov 2026 09:10:00 +0100
Message-ID: <bounce-$_mail_seq-$$@mx.ville.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b$_mail_seq"

--b$_mail_seq
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--b$_mail_seq
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.ville.example

Final-Recipient: rfc822; $1
Action: $2
Status: $3
Diagnostic-Code: smtp; $3 mailbox problem

--b$_mail_seq--
MAIL
	rig_deliver truc "$TEST_DIR/bounce-$_mail_seq.eml" >/dev/null
}
rig_sink_clear
bounce alice@ville.example failed 5.1.1
bounce bob@ville.example delayed 4.4.1
bounce nobody@ville.example failed 5.1.1
run_once
is "no answer to bounces" "$(rig_sink_count)" 0
is "alice's address is now undeliverable" "$(sql "SELECT bounced FROM agents WHERE email='alice@ville.example'")" 1
is "a delay changes nothing for bob" "$(sql "SELECT bounced FROM agents WHERE email='bob@ville.example'")" 0
ok_cmd "trucctl agent list shows it" "$TRUCCTL" -c "$TCONF" agent list
like "alice undeliverable" "$OUT" "^alice@ville.example,.*,undeliverable"

# 3. A reply to the weekly programme that quotes all of it, the way Outlook
#    does it (no '>', a De:/Envoyé:/À:/Objet: block), registers only the
#    session the person wrote.
programme=$("$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" programme --preview --to carol@ville.example | sed 1,2d)
rig_sink_clear
send_mail "Carole Petit <carol@ville.example>" "RE: Programme TRUC²" "INSCRIPTION eco-2026-12

Carole

De : TRUC² <truc@ville.example>
Envoyé : lundi 30 novembre 2026 08:00
À : Petit Carole <carol@ville.example>
Objet : Programme TRUC²

$programme"
send_mail "David Leroy <dave@ville.example>" "Re: Programme TRUC²" "Je souhaite m'inscrire à la session 43 merci

Le lun. 30 nov. 2026 à 08:00, TRUC² <truc@ville.example> a écrit :
$(echo "$programme" | sed 's/^/> /')"
run_once
is "carol: one registration" "$(sql "SELECT COUNT(*) FROM registrations r JOIN agents a ON a.id=r.agent_id WHERE a.email='carol@ville.example'")" 1
is "carol: the one she wrote" "$(sql "SELECT s.code FROM registrations r JOIN agents a ON a.id=r.agent_id JOIN sessions s ON s.id=r.session_id WHERE a.email='carol@ville.example'")" eco-2026-12
is "dave: one registration, from his sentence" "$(sql "SELECT s.code FROM registrations r JOIN agents a ON a.id=r.agent_id JOIN sessions s ON s.id=r.session_id WHERE a.email='dave@ville.example'")" session-43
like "dave is told what was understood" "$(reply_body "$(reply_to dave@ville.example)")" "INSCRIPTION session-43"

# 4. Limits: too many commands; a mail over the size limit; replies per hour.
rig_sink_clear
many=$(for i in $(seq 1 21); do echo "INSCRIPTION session-43"; done)
send_mail "bob@ville.example" "beaucoup" "$many"
run_once
is "21 commands: nothing done" "$(sql "SELECT COUNT(*) FROM registrations r JOIN agents a ON a.id=r.agent_id WHERE a.email='bob@ville.example'")" 0
like "and the reply says why" "$(reply_body "$(reply_to bob@ville.example)")" "20"

sed -i 's|^reminders|limits {\n  max_message_size = 4000\n  replies_per_hour = 3\n}\nreminders|' "$TCONF"
rig_sink_clear
big=$(head -c 6000 /dev/zero | tr '\0' 'x' | fold -w 70)
send_mail "carol@ville.example" "INSCRIPTION session-43" "INSCRIPTION session-43
$big"
run_once
is "an oversized mail is not acted on" "$(sql "SELECT COUNT(*) FROM registrations r JOIN agents a ON a.id=r.agent_id JOIN sessions s ON s.id=r.session_id WHERE a.email='carol@ville.example' AND s.code='session-43'")" 0
is "but gets a short reply" "$(replies_to carol@ville.example)" 1

rig_sink_clear
for i in 1 2 3 4 5; do send_mail "dave@ville.example" "statut $i" "MES INSCRIPTIONS"; done
run_once
is "5 mails in an hour from dave: all read" "$(sql "SELECT COUNT(*) FROM handled WHERE sender='dave@ville.example'")" 6
# dave had one reply this hour already (section 3)
is "only 2 more answered (replies_per_hour = 3)" "$(replies_to dave@ville.example)" 2
like "the rest is logged" "$(cat "$LOG")" "dave@ville.example: more than 3 replies this hour"

# 5. Mail from the school's own address is never answered.
rig_sink_clear
send_mail "TRUC² <truc@ville.example>" "AIDE" "AIDE"
run_once
is "our own address is never answered" "$(rig_sink_count)" 0

done_testing
