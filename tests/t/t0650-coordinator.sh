#!/usr/bin/env bash
# The coordinator's mail commands end to end, from an authenticated
# coordinator (our MX's Authentication-Results says dmarc=pass): ANNONCE,
# IMPORT, LISTE, EMARGEMENT, ANNULER SESSION; PROPOSITION from an agent;
# PRESENTS from the session's trainer and trucctl attendance; and the
# refusal of a coordinator command from an ordinary agent.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/trucd-lib.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
command -v smtp-sink >/dev/null || skip_all "smtp-sink not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
test_init
watchdog 120
trucd_setup

COORD=coordination@ville.example
AR='Authentication-Results: mx.ville.example; spf=pass smtp.mailfrom=ville.example; dkim=pass header.d=ville.example; dmarc=pass header.from=ville.example'

# run [--now T]: trucd --once, which must exit 0 (under SANITIZE=1 too).
run() {
	run_once "$@"
	is "trucd --once exits 0 (after mail $_mail_seq)" "$RC" 0 ||
		diag "$(tail -n 20 "$LOG")"
}

# Each phase runs at its own hour: the coordinator gets at most a few
# replies an hour, far from the limit (10).
at() {
	TRUCD_NOW="2026-11-30 $1"
}

# find_mail ADDR SUBJECT_ERE: the first captured mail to ADDR whose decoded
# Subject matches.
find_mail() {
	local f
	for f in $(rig_sink_messages); do
		rig_sink_rcpts "$f" | grep -qix "$1" || continue
		reply_header "$f" Subject | grep -qE -- "$2" && { echo "$f"; return 0; }
	done
	return 1
}

# count_mail SUBJECT_ERE: captured mails whose decoded Subject matches.
count_mail() {
	local f n=0
	for f in $(rig_sink_messages); do
		reply_header "$f" Subject | grep -qE -- "$1" && n=$((n + 1))
	done
	echo "$n"
}

status_of() {	# status_of EMAIL CODE
	sql "SELECT r.status FROM registrations r JOIN agents a ON a.id = r.agent_id JOIN sessions s ON s.id = r.session_id WHERE a.email = '$1' AND s.code = '$2'"
}

ical_field() {	# ical_field NAME: first NAME value of the calendar on stdin
	tr -d '\r' | sed -n "s/^$1[;:]\(.*\)/\1/p" | head -n 1 | sed 's/^.*://'
}

# --- ANNONCE ---------------------------------------------------------------

at 09:00
send_mail "bob@ville.example" "STOP PROGRAMME" "STOP PROGRAMME"
run
is "bob stopped the programme" "$(sql "SELECT programme FROM agents WHERE email = 'bob@ville.example'")" 0
sql "UPDATE agents SET bounced = 1, bounce_reason = 'test' WHERE email = 'dave@ville.example'"
rig_sink_clear

# A "PDF" with every byte value, NUL included: it must travel untouched.
python3 -c '
import sys
sys.stdout.buffer.write(b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n")' >"$TEST_DIR/plan-salles.pdf"
at 09:30
send_mime "Coordination TRUC² <$COORD>" "ANNONCE Fermeture des salles le 24 décembre" \
	--header "$AR" \
	--text $'Bonjour,\n\nLes salles de formation seront fermées le 24 décembre.\nLe plan est joint.\n\nLa coordination' \
	--html '<p>Bonjour,</p><p>Les salles de formation seront <b>fermées</b> le 24 décembre.</p>' \
	--attach application/pdf "$TEST_DIR/plan-salles.pdf"
run
# alice, carol, formateur and the coordinator (an agent too); not bob
# (STOP PROGRAMME), not dave (undeliverable).
is "four announcements queued" "$(sql "SELECT COUNT(*) FROM outbox WHERE kind = 'announcement'")" 4
is "four announcements delivered" "$(count_mail '^Fermeture des salles le 24 décembre$')" 4
for who in alice carol formateur coordination; do
	ok_cmd "$who gets the announcement" find_mail "$who@ville.example" '^Fermeture des salles'
done
is "exactly one announcement for alice" "$(sql "SELECT COUNT(*) FROM outbox WHERE kind = 'announcement' AND rcpt = 'alice@ville.example'")" 1
is "bob (STOP PROGRAMME) gets nothing" "$(replies_to bob@ville.example)" 0
is "dave (bounced) gets nothing" "$(replies_to dave@ville.example)" 0
a=$(find_mail alice@ville.example '^Fermeture des salles')
is "List-Unsubscribe is the STOP PROGRAMME mailto" "$(reply_header "$a" List-Unsubscribe)" "<mailto:truc@ville.example?subject=STOP%20PROGRAMME>"
is "announcement is bulk" "$(reply_header "$a" Precedence)" bulk
like "announcement is addressed to alice herself" "$(reply_header "$a" To)" "alice@ville\.example"
unlike "no other recipient in To" "$(reply_header "$a" To)" "carol|formateur|coordination"
is "announcement is not a reply" "$(reply_header "$a" In-Reply-To)" ""
like "the text is kept" "$(reply_body "$a")" "seront fermées le 24 décembre"
like "the HTML is kept" "$(reply_part "$a" text/html)" "<b>fermées</b>"
reply_part "$a" application/pdf >"$TEST_DIR/got.pdf"
ok_cmd "the attachment is kept byte for byte" cmp "$TEST_DIR/plan-salles.pdf" "$TEST_DIR/got.pdf"
like "with its name" "$(reply_parts "$a")" "^application/pdf plan-salles\.pdf$"
r=$(find_mail "$COORD" '^Re: ANNONCE')
ok_cmd "the coordinator gets a receipt" test -n "$r"
like "the receipt gives the count" "$(reply_body "$r")" "part vers 4 destinataire"
unlike "the receipt carries no attachment" "$(reply_parts "$r")" "application/pdf"

# --- IMPORT ----------------------------------------------------------------

at 10:00
rig_sink_clear
# As Excel writes it: BOM, ';', CRLF.
printf '\xef\xbb\xbfcode;title;track;start;end;place;capacity;trainer;description\r\natelier-1;Atelier photo;Un truc en plus;2026-12-14 10:00;2026-12-14 12:00;Salle 2;1;;Retouche de photos\r\natelier-2;Atelier couture;Un truc en plus;2026-12-15 10:00;2026-12-15 12:00;Salle 2;5;;\r\neco-2026-12;Sobriété numérique;Développement durable;2026-12-10 12:00;2026-12-10 13:30;Salle du conseil;13;;Rencontre mensuelle\r\n' \
	>"$TEST_DIR/sessions-decembre.csv"
send_mime "$COORD" "IMPORT" --header "$AR" --text "Voici les sessions de décembre." \
	--attach text/csv "$TEST_DIR/sessions-decembre.csv"
run
list=$("$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" session list 2>/dev/null)
like "atelier-1 added" "$list" "^atelier-1,Atelier photo,Un truc en plus,2026-12-14 10:00,2026-12-14 12:00,Salle 2,1,"
like "atelier-2 added" "$list" "^atelier-2,Atelier couture,"
like "eco-2026-12 moved to another room" "$list" "^eco-2026-12,.*,Salle du conseil,13,"
like "session-42 untouched" "$list" "^session-42,Tableur : les bases,.*,Salle 3,2,"
body=$(reply_body "$(find_mail "$COORD" '^Re: IMPORT')")
like "the reply counts added and changed" "$body" "2 session\(s\) ajoutée\(s\), 1 modifiée\(s\)"
like "the reply names atelier-1 as added" "$body" "atelier-1"
like "the reply names atelier-2 as added" "$body" "atelier-2"
like "the reply names eco-2026-12 as changed" "$(printf '%s\n' "$body" | sed -n '/Modifiées/,$p')" "eco-2026-12"

# Someone registered, someone waiting, then the time changes.
send_mail "alice@ville.example" "INSCRIPTION atelier-1" "INSCRIPTION atelier-1"
send_mail "bob@ville.example" "INSCRIPTION atelier-1" "INSCRIPTION atelier-1"
run
is "alice registered for atelier-1" "$(status_of alice@ville.example atelier-1)" registered
is "bob waits for atelier-1" "$(status_of bob@ville.example atelier-1)" waitlisted
cal1=$(reply_calendar "$(reply_to alice@ville.example)")
seq1=$(printf '%s\n' "$cal1" | ical_field SEQUENCE)
like "alice's first invitation has a SEQUENCE" "$seq1" '^[0-9]+$'
uid1=$(printf '%s\n' "$cal1" | ical_field UID)

at 11:00
rig_sink_clear
printf 'code,title,track,start,end,place,capacity,trainer,description\natelier-1,Atelier photo,Un truc en plus,2026-12-14 14:00,2026-12-14 16:00,Salle 2,1,,Retouche de photos\n' \
	>"$TEST_DIR/changement.csv"
send_mime "$COORD" "IMPORT" --header "$AR" --text "Changement d'horaire." \
	--attach text/csv "$TEST_DIR/changement.csv"
run
like "atelier-1 now at 14:00" "$("$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" session list 2>/dev/null)" "^atelier-1,.*,2026-12-14 14:00,2026-12-14 16:00,"
body=$(reply_body "$(find_mail "$COORD" '^Re: IMPORT')")
like "the reply counts one change" "$body" "0 session\(s\) ajoutée\(s\), 1 modifiée\(s\)"
like "and names atelier-1" "$body" "atelier-1"
is "alice still registered" "$(status_of alice@ville.example atelier-1)" registered
m=$(find_mail alice@ville.example '^Changement')
ok_cmd "alice is told of the change (session_changed)" test -n "$m"
body=$(reply_body "$m")
like "the change says before" "$body" "Avant .*10:00 à 12:00"
like "and after" "$body" "Désormais .*14:00 à 16:00"
cal2=$(reply_calendar "$m")
like "the updated invitation is a REQUEST" "$cal2" "^METHOD:REQUEST"
like "at the new time" "$(printf '%s\n' "$cal2" | tr -d '\r')" "^DTSTART.*20261214T1[34]0000"
is "the same UID as the first invitation" "$(printf '%s\n' "$cal2" | ical_field UID)" "$uid1"
seq2=$(printf '%s\n' "$cal2" | ical_field SEQUENCE)
if [ -n "$seq2" ] && [ -n "$seq1" ] && [ "$seq2" -gt "$seq1" ] 2>/dev/null; then
	pass "SEQUENCE went up ($seq1 -> $seq2)"
else
	fail "SEQUENCE went up" "first: '$seq1', updated: '$seq2'"
fi

# A bad file: nothing at all is imported, and the reply names the place.
at 12:00
rig_sink_clear
printf 'code,title,track,start,end,place,capacity,trainer,description\natelier-3,Atelier vidéo,Un truc en plus,2026-12-16 10:00,2026-12-16 12:00,Salle 2,5,,\natelier-4,Atelier son,Un truc en plus,2026-02-30 10:00,2026-02-30 12:00,Salle 2,5,,\n' \
	>"$TEST_DIR/fautif.csv"
before=$(db_snapshot sessions registrations)
send_mime "$COORD" "IMPORT" --header "$AR" --text "" --attach text/csv "$TEST_DIR/fautif.csv"
run
is "sessions and registrations unchanged" "$(db_snapshot sessions registrations)" "$before"
is "atelier-3 (a good line) not imported either" "$(sql "SELECT COUNT(*) FROM sessions WHERE code = 'atelier-3'")" 0
body=$(reply_body "$(find_mail "$COORD" '^Re: IMPORT')")
like "the reply says nothing was imported" "$body" "Import refusé"
like "the reply names file, line 3 and the column" "$body" "fautif\.csv:3: start"
like "and the bad date" "$body" "2026-02-30"

# --- LISTE and EMARGEMENT ------------------------------------------------

at 13:00
send_mail "alice@ville.example" "INSCRIPTION session-42" "INSCRIPTION session-42"
send_mail "bob@ville.example" "INSCRIPTION session-42" "INSCRIPTION session-42"
send_mail "carol@ville.example" "INSCRIPTION session-42" "INSCRIPTION session-42"
run
is "carol waits for session-42" "$(status_of carol@ville.example session-42)" waitlisted
rig_sink_clear
send_mail "$COORD" "LISTE session-42" "LISTE session-42" "$AR"
send_mail "$COORD" "Feuille" "EMARGEMENT session-42" "$AR"
run
r=$(find_mail "$COORD" '^Re: LISTE')
like "LISTE reply has the CSV attached" "$(reply_parts "$r")" "^text/csv inscriptions-session-42\.csv$"
reply_part "$r" text/csv >"$TEST_DIR/liste.csv"
is "the CSV starts with a BOM" "$(head -c 3 "$TEST_DIR/liste.csv" | od -An -tx1 | tr -d ' ')" efbbbf
csv=$(tail -c +4 "$TEST_DIR/liste.csv" | tr -d '\r')
like "with ';' columns" "$csv" "^email;name;service;status;position;since$"
like "alice registered" "$csv" "^alice@ville\.example;Alice Martin;Urbanisme;registered;;"
like "bob registered" "$csv" "^bob@ville\.example;Bob Durand;.*;registered;;"
like "carol waiting in position 1" "$csv" "^carol@ville\.example;Carole Petit;.*;waitlisted;1;"
is "three rows and the header" "$(printf '%s\n' "$csv" | grep -c .)" 4
like "the reply text gives the counts" "$(reply_body "$r")" "Inscrits : 2 ; en liste d'attente : 1"

r=$(find_mail "$COORD" '^Re: Feuille')
like "EMARGEMENT reply has the PDF attached" "$(reply_parts "$r")" "^application/pdf emargement-session-42\.pdf$"
reply_part "$r" application/pdf >"$TEST_DIR/sheet.pdf"
info=$(pdfinfo "$TEST_DIR/sheet.pdf" 2>&1)
like "the sheet has one page" "$info" "^Pages: +1$"
like "the sheet is A4" "$info" "^Page size: .*\(A4\)"
text=$(pdftotext -layout "$TEST_DIR/sheet.pdf" - 2>&1)
like "the sheet names alice" "$text" "Alice Martin"
like "the sheet names bob" "$text" "Bob Durand"
unlike "not carol, who only waits" "$text" "Carole Petit"

# --- PROPOSITION -----------------------------------------------------------

at 14:00
rig_sink_clear
send_mail "carol@ville.example" "PROPOSITION Retoucher ses photos" "Je peux montrer les bases de la retouche.
Deux heures suffisent."
run
m=$(find_mail "$COORD" 'Retoucher ses photos')
ok_cmd "the coordinator receives the proposal" test -n "$m"
body=$(reply_body "$m")
like "with the title" "$body" "Retoucher ses photos"
like "with the description" "$body" "les bases de la retouche"
like "with who proposes" "$body" "carol@ville\.example"
like "carol is thanked" "$(reply_body "$(reply_to carol@ville.example)")" "Merci pour votre proposition"
like "trucctl proposals lists it" "$("$TRUCCTL" -c "$TCONF" proposals 2>/dev/null)" "carol@ville\.example,Carole Petit,Retoucher ses photos,"

# --- PRESENTS from the trainer, trucctl attendance -------------------------

at 15:00
rig_sink_clear
send_mail "Fabrice Formateur <formateur@ville.example>" "Présences" "PRESENTS session-42
alice martin
Zoé Inconnue" "$AR"
run
is "alice marked attended" "$(status_of alice@ville.example session-42)" attended
is "bob still unmarked" "$(status_of bob@ville.example session-42)" registered
is "carol (waiting) untouched" "$(status_of carol@ville.example session-42)" waitlisted
body=$(reply_body "$(reply_to formateur@ville.example)")
like "the trainer's reply records alice" "$body" "Alice Martin <alice@ville\.example>"
like "says the unknown line" "$body" "Zoé Inconnue"
like "and who is still unmarked" "$(printf '%s\n' "$body" | sed -n '/sans présence/,$p')" "Bob Durand <bob@ville\.example>"

ok_cmd "trucctl attendance --present bob" "$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" attendance session-42 --present bob@ville.example
is "bob attended" "$(status_of bob@ville.example session-42)" attended
"$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" register eco-2026-12 alice@ville.example >/dev/null 2>&1
"$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" register eco-2026-12 carol@ville.example >/dev/null 2>&1
ok_cmd "trucctl attendance --present alice --absent carol" "$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" attendance eco-2026-12 --present alice@ville.example --absent carol@ville.example
is "alice attended eco-2026-12" "$(status_of alice@ville.example eco-2026-12)" attended
is "carol absent from eco-2026-12" "$(status_of carol@ville.example eco-2026-12)" absent
fail_cmd "trucctl attendance for someone not registered fails" "$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" attendance eco-2026-12 --absent alice@ville.example --present dave@ville.example
is "and records nothing (alice still attended)" "$(status_of alice@ville.example eco-2026-12)" attended

# --- ANNULER SESSION -------------------------------------------------------

at 16:00
rig_sink_clear
send_mail "$COORD" "Annulation" "ANNULER SESSION atelier-1 Formateur malade" "$AR"
run
is "atelier-1 cancelled" "$(sql "SELECT status FROM sessions WHERE code = 'atelier-1'")" cancelled
is "with the reason" "$(sql "SELECT cancel_reason FROM sessions WHERE code = 'atelier-1'")" "Formateur malade"
is "alice's registration cancelled" "$(status_of alice@ville.example atelier-1)" cancelled
is "bob's waiting place cancelled" "$(status_of bob@ville.example atelier-1)" cancelled
body=$(reply_body "$(find_mail "$COORD" '^Re: Annulation')")
like "the coordinator's reply confirms" "$body" "atelier-1 .*est annulée \(motif : Formateur malade\)"
like "and counts the people told" "$body" "2 personne\(s\)"
for who in alice bob; do
	m=$(find_mail "$who@ville.example" '^Annulation')
	ok_cmd "$who is told of the cancellation" test -n "$m"
	like "$who is given the reason" "$(reply_body "$m")" "Motif : Formateur malade"
done
m=$(find_mail alice@ville.example '^Annulation')
like "alice (registered) gets METHOD:CANCEL" "$(reply_calendar "$m")" "^METHOD:CANCEL"
like "for the UID of her invitation" "$(reply_calendar "$m" | ical_field UID)" "^$uid1$"
# bob never had an invitation: nothing to withdraw from his calendar.
is "bob (waiting) gets no calendar" "$(reply_calendar "$(find_mail bob@ville.example '^Annulation')")" ""
unlike "alice (registered) is not told she was waiting" "$(reply_body "$(find_mail alice@ville.example '^Annulation')")" "liste d'attente"
like "bob (waiting) is told his waiting place is withdrawn" "$(reply_body "$(find_mail bob@ville.example '^Annulation')")" "liste d'attente"
is "nobody else is told" "$(count_mail '^Annulation : ')" 2

# --- a coordinator command from an ordinary agent -------------------------

at 17:00
rig_sink_clear
send_mail "alice@ville.example" "LISTE session-42" "LISTE session-42" "$AR"
run
r=$(reply_to alice@ville.example)
ok_cmd "alice gets an answer" test -n "$r"
like "it is a refusal" "$(reply_body "$r")" "réservée à la coordination"
is "with no attachment" "$(reply_parts "$r")" "text/plain -"
unlike "and no confirmation code" "$(reply_body "$r")" "CONFIRMER"
is "nothing goes to the coordinator" "$(replies_to "$COORD")" 0

done_testing
