#!/usr/bin/env bash
# The mail loop end to end on real servers: commands mailed into Dovecot,
# trucd --once, the database and the exact replies captured by smtp-sink.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/trucd-lib.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
command -v smtp-sink >/dev/null || skip_all "smtp-sink not installed"
test_init
trucd_setup

header() {	# header FILE NAME: the raw header value as sent
	rig_sink_body "$1" | sed -n '/^$/q;p' | grep -i "^$2:" | head -n 1 |
		sed "s/^[^:]*: *//"
}

# 1. Register, full session and waiting list, several commands in one mail.
send_mail "Alice Martin <alice@ville.example>" "INSCRIPTION session-42" "Bonjour,
merci !
--
Alice"
send_mail "bob@ville.example" "Inscription" "INSCRIPTION session 42
MES INSCRIPTIONS"
send_mail "Carole Petit <carol@ville.example>" "Re: Programme TRUC²" "INSCRIPTION #42"
send_mail "dave@ville.example" "aide" "AIDE"
run_once
is "trucd --once exits 0" "$RC" 0
is "INBOX is empty" "$(rig_count truc INBOX)" 0
is "four mails moved to Traités" "$(rig_count truc Traités)" 4
is "alice registered" "$(sql "SELECT r.status FROM registrations r JOIN agents a ON a.id=r.agent_id WHERE a.email='alice@ville.example'")" registered
is "bob registered" "$(sql "SELECT r.status FROM registrations r JOIN agents a ON a.id=r.agent_id WHERE a.email='bob@ville.example'")" registered
is "carol waits (capacity 2)" "$(sql "SELECT r.status FROM registrations r JOIN agents a ON a.id=r.agent_id WHERE a.email='carol@ville.example'")" waitlisted
is "every change has its history row" "$(sql "SELECT COUNT(*) FROM history WHERE why LIKE 'mail <test-%'")" 3

r=$(reply_to alice@ville.example)
ok_cmd "alice got a reply" test -n "$r"
is "reply From" "$(header "$r" From)" "=?UTF-8?B?VFJVQ8Ky?= <truc@ville.example>"
like "reply To" "$(header "$r" To)" "alice@ville.example"
is "reply Subject" "$(header "$r" Subject)" "Re: INSCRIPTION session-42"
is "reply In-Reply-To" "$(header "$r" In-Reply-To)" "<test-1-$$@client.example>"
like "reply References" "$(header "$r" References)" "<test-1-$$@client.example>"
is "reply Auto-Submitted" "$(header "$r" Auto-Submitted)" "auto-replied"
like "reply Message-ID on the school's domain" "$(header "$r" Message-ID)" '^<[^@ ]+@ville\.example>$'
like "reply Date" "$(header "$r" Date)" '^[A-Z][a-z]{2}, [0-9]+ [A-Z][a-z]{2} 2026 '
like "envelope sender is the school" "$(rig_sink_from "$r")" "truc@ville.example"
body=$(reply_body "$r")
like "confirmation in French" "$body" "votre inscription à la session session-42 est enregistrée"
like "with the day and time" "$body" "lundi 7 décembre 2026, de 14:00 à 16:00"
like "carries an invitation" "$body" '^\[text/calendar\]'
like "and the .ics file" "$body" 'application/ics'
like "invitation is a REQUEST" "$(reply_calendar "$r")" '^METHOD:REQUEST'
like "for alice, with RSVP" "$(reply_calendar "$r" | tr -d '\r\n ')" 'RSVP=TRUE.*alice@ville.example' 

r=$(reply_to bob@ville.example)
body=$(reply_body "$r")
like "bob: one reply for two commands: registration" "$body" "votre inscription à la session session-42"
like "bob: and his registrations" "$body" "Vos inscriptions"
is "bob got exactly one reply" "$(replies_to bob@ville.example | tr -d ' ')" "$(( $(sql "SELECT COUNT(*) FROM outbox WHERE rcpt='bob@ville.example'") ))"

body=$(reply_body "$(reply_to carol@ville.example)")
like "carol learns her position" "$body" "en position 1"
unlike "no invitation on the waiting list" "$body" 'text/calendar'

body=$(reply_body "$(reply_to dave@ville.example)")
like "AIDE answers with the help" "$body" "INSCRIPTION"

# 2. Cancel with promotion: alice cancels, carol is promoted and told.
rig_sink_clear
send_mail "alice@ville.example" "Re: INSCRIPTION session-42" "DESINSCRIPTION session-42

> C'est noté : votre inscription à la session session-42 est enregistrée."
run_once
is "second run exits 0" "$RC" 0
is "alice cancelled" "$(sql "SELECT r.status FROM registrations r JOIN agents a ON a.id=r.agent_id WHERE a.email='alice@ville.example'")" cancelled
is "carol promoted" "$(sql "SELECT r.status FROM registrations r JOIN agents a ON a.id=r.agent_id WHERE a.email='carol@ville.example'")" registered
body=$(reply_body "$(reply_to alice@ville.example)")
like "alice's cancellation confirmed" "$body" "session-42"
like "cancellation carries METHOD:CANCEL" "$(reply_calendar "$(reply_to alice@ville.example)")" '^METHOD:CANCEL'

r=$(reply_to carol@ville.example)
ok_cmd "carol got the promotion notice" test -n "$r"
body=$(reply_body "$r")
like "promotion says a place is hers" "$body" "session-42"
like "promotion carries the invitation" "$(reply_calendar "$r")" '^METHOD:REQUEST'

is "promotion is not a reply" "$(header "$r" In-Reply-To)" ""

# 3. Unknown code, PROGRAMME, MES INSCRIPTIONS, registering twice, a clash.
rig_sink_clear
send_mail "dave@ville.example" "question" "INSCRIPTION session-24"
send_mail "bob@ville.example" "programme" "PROGRAMME"
send_mail "carol@ville.example" "mes inscriptions" "MES INSCRIPTIONS"
send_mail "bob@ville.example" "encore" "INSCRIPTION session-42
INSCRIPTION session-43"
send_mail "alice@ville.example" "old" "INSCRIPTION old-1"
run_once
is "third run exits 0" "$RC" 0
body=$(reply_body "$(reply_to dave@ville.example)")
like "unknown code named" "$body" "session-24"
like "closest code suggested" "$body" "session-42"
unlike "a past session is never suggested" "$body" "old-1"
is "nobody registered by an unknown code" "$(sql "SELECT COUNT(*) FROM registrations r JOIN agents a ON a.id=r.agent_id WHERE a.email='dave@ville.example'")" 0
f=$(for m in $(rig_sink_messages); do rig_sink_rcpts "$m" | grep -q bob && rig_sink_body "$m" | grep -q "^Subject: Re: programme" && echo "$m"; done | head -n 1)
body=$(reply_body "$f")
like "PROGRAMME lists the sessions" "$body" "Sobriété numérique"
like "with the command line" "$body" "INSCRIPTION eco-2026-12"
body=$(reply_body "$(reply_to carol@ville.example)")
like "MES INSCRIPTIONS lists carol's session" "$body" "session-42"
body=$(reply_body "$(mails_to bob@ville.example "^Re: encore" | tail -n 1)")
like "registering twice is harmless and says so" "$body" "déjà"
like "the clash with session-42 is mentioned" "$body" "session-42"
is "bob registered for session-43 despite the clash" "$(sql "SELECT r.status FROM registrations r JOIN agents a ON a.id=r.agent_id JOIN sessions s ON s.id=r.session_id WHERE a.email='bob@ville.example' AND s.code='session-43'")" registered
body=$(reply_body "$(reply_to alice@ville.example)")
like "a past session is refused with the reason" "$body" "old-1"
is "nothing registered for the past session" "$(sql "SELECT COUNT(*) FROM registrations r JOIN sessions s ON s.id=r.session_id WHERE s.code='old-1'")" 0

# 4. Unknown sender, robot, and the same message twice.
rig_sink_clear
send_mail "stranger@elsewhere.example" "INSCRIPTION session-43" "INSCRIPTION session-43"
send_mail "alice@ville.example" "Réponse automatique : absent" "Je suis absente." "Auto-Submitted: auto-replied"
run_once
body=$(reply_body "$(reply_to stranger@elsewhere.example)")
like "unknown sender gets a polite refusal" "$body" "coordination@ville.example"
is "unknown sender registered nothing" "$(sql "SELECT COUNT(*) FROM agents WHERE email='stranger@elsewhere.example'")" 0
is "the robot got no answer" "$(replies_to alice@ville.example)" 0
n=$(sql "SELECT COUNT(*) FROM handled")
cp "$TEST_DIR/in-1.eml" "$TEST_DIR/again.eml"
rig_deliver truc "$TEST_DIR/again.eml" >/dev/null
run_once
is "a message seen again is only moved" "$(sql "SELECT COUNT(*) FROM handled")" "$n"
is "and not answered again" "$(replies_to alice@ville.example)" 0
is "nothing waits in the outbox" "$(sql "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'")" 0

done_testing
