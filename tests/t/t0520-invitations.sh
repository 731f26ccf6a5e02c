#!/usr/bin/env bash
# t0520: calendar invitations end to end (Dovecot, trucd --once, smtp-sink),
# every one read back by python3-icalendar and checked against RFC 5545,
# 5546 and 6047 (ical_report in trucd-lib.sh): the confirmation's REQUEST
# (calendar part and the same .ics attached), one stable UID per agent and
# session, nothing for the waiting list, the promotion's REQUEST, the update
# after the session's time changed (same UID, higher SEQUENCE), the CANCEL
# of a DESINSCRIPTION and of a cancelled session; then the answers calendar
# clients send back (METHOD:REPLY as Outlook, Gmail and Thunderbird write
# them, constructed in trucd-lib.sh's calendar_reply): ACCEPTED registers,
# DECLINED cancels and promotes, a REPLY for somebody else changes nothing.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/trucd-lib.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
command -v smtp-sink >/dev/null || skip_all "smtp-sink not installed"
/usr/bin/python3 -c 'import icalendar' 2>/dev/null ||
	skip_all "no python3-icalendar"
test_init
trucd_setup
cat >"$TEST_DIR/more-agents.csv" <<'CSV'
email,name,service,manager
emma@ville.example,Emma Blanc,Médiathèque,
CSV
timeout 20 "$TRUCCTL" -c "$TCONF" agent import "$TEST_DIR/more-agents.csv" >/dev/null ||
	bail_out "agent import failed"

SCHOOL=truc@ville.example

state() {	# state CODE EMAIL: the registration's status
	sql "SELECT r.status FROM registrations r JOIN agents a ON a.id = r.agent_id
	    JOIN sessions s ON s.id = r.session_id
	    WHERE a.email = '$2' AND s.code = '$1'"
}

# check_invitation WHAT FILE METHOD ATTENDEE: the mail carries a valid
# invitation of that METHOD for ATTENDEE; sets $INV (the ical_report).
check_invitation() {
	local what=$1 f=$2 method=$3 who=$4
	INV=$(ical_report "$f")
	is "$what: invitation valid (RFC 5545/5546)" "$(ical_get "$INV" errors)" none
	is "$what: METHOD:$method" "$(ical_get "$INV" method)" "$method"
	is "$what: Content-Type method=$method" "$(ical_get "$INV" ct_method)" "$method"
	is "$what: ORGANIZER is the school" "$(ical_get "$INV" organizer)" "$SCHOOL"
	is "$what: ATTENDEE is $who" "$(ical_get "$INV" attendee)" "$who"
	is "$what: TZID with its VTIMEZONE" "$(ical_get "$INV" tzid)" Europe/Paris
	[ "$method" = REQUEST ] &&
		is "$what: RSVP=TRUE" "$(ical_get "$INV" rsvp)" TRUE
	return 0
}

# --- 1. Confirmations: REQUEST + the same .ics; nothing on the waiting list.
send_mail "Alice Martin <alice@ville.example>" "Inscription" "INSCRIPTION session-42"
send_mail "Bob Durand <bob@ville.example>" "Inscription" "INSCRIPTION session-42"
send_mail "Carole Petit <carol@ville.example>" "Inscription" "INSCRIPTION session-42"
send_mail "David Leroy <dave@ville.example>" "Inscription" "INSCRIPTION eco-2026-12"
send_mail "Emma Blanc <emma@ville.example>" "Inscription" "INSCRIPTION session-43"
run_at "$TRUCD_NOW"
is "carol waits (capacity 2)" "$(state session-42 carol@ville.example)" waitlisted

A1=$(sink_keep "$(reply_to alice@ville.example)" A1)
like "alice's confirmation: multipart with the calendar part and the .ics" \
	"$(mime_tree "$A1")" 'text/calendar; method=REQUEST'
check_invitation "alice's confirmation" "$A1" REQUEST alice@ville.example
is "alice's confirmation: the .ics is attached once" "$(ical_get "$INV" ics)" 1
like "alice's confirmation: an .ics file" "$(ical_get "$INV" ics_names)" '^[^ ]+\.ics$'
is "alice's confirmation: the .ics is the calendar part, byte for byte" "$(ical_get "$INV" ics_same)" yes
is "alice's confirmation: DTSTART 14:00 local" "$(ical_get "$INV" dtstart)" "2026-12-07 14:00"
is "alice's confirmation: DTEND 16:00 local" "$(ical_get "$INV" dtend)" "2026-12-07 16:00"
is "alice's confirmation: LOCATION" "$(ical_get "$INV" location)" "Salle 3"
like "alice's confirmation: SUMMARY names the session" "$(ical_get "$INV" summary)" "Tableur : les bases"
UID_A=$(ical_get "$INV" uid)
SEQ_A=$(ical_get "$INV" sequence)
like "alice's UID names the session and hides the address" "$UID_A" '^session-42\.[0-9a-f]{16}@ville\.example$'

B1=$(sink_keep "$(reply_to bob@ville.example)" B1)
check_invitation "bob's confirmation" "$B1" REQUEST bob@ville.example
UID_B=$(ical_get "$INV" uid)
SEQ_B=$(ical_get "$INV" sequence)
ok_cmd "bob's UID differs from alice's (one per agent and session)" test "$UID_B" != "$UID_A"

C1=$(sink_keep "$(reply_to carol@ville.example)" C1)
ok_cmd "carol got an answer" test -n "$C1"
like "carol's answer gives her position" "$(reply_body "$C1")" "position 1"
INV=$(ical_report "$C1")
is "waiting list: no text/calendar part" "$(ical_get "$INV" calendar)" none
is "waiting list: no .ics attached" "$(ical_get "$INV" ics)" 0

D1=$(sink_keep "$(reply_to dave@ville.example)" D1)
check_invitation "dave's confirmation (eco-2026-12)" "$D1" REQUEST dave@ville.example
UID_D=$(ical_get "$INV" uid)
SEQ_D=$(ical_get "$INV" sequence)
is "dave's DTSTART" "$(ical_get "$INV" dtstart)" "2026-12-10 12:00"

E1=$(sink_keep "$(reply_to emma@ville.example)" E1)
check_invitation "emma's confirmation (session-43)" "$E1" REQUEST emma@ville.example
UID_E=$(ical_get "$INV" uid)
SEQ_E=$(ical_get "$INV" sequence)

# The UID is stable: alice registering again, or asking for her status,
# does not make a new one (the next invitation she gets says the same UID;
# checked on each of them below).

# --- 2. DESINSCRIPTION: CANCEL, same UID, higher SEQUENCE; promotion.
rig_sink_clear
send_mail "Alice Martin <alice@ville.example>" "Re: Inscription" "DESINSCRIPTION session-42"
send_mail "Emma Blanc <emma@ville.example>" "Re: Inscription" "DESINSCRIPTION session-43"
run_at "$TRUCD_NOW"
is "alice cancelled" "$(state session-42 alice@ville.example)" cancelled
is "carol promoted" "$(state session-42 carol@ville.example)" registered
A2=$(sink_keep "$(reply_to alice@ville.example)" A2)
check_invitation "alice's cancellation" "$A2" CANCEL alice@ville.example
is "alice's cancellation: STATUS:CANCELLED" "$(ical_get "$INV" status)" CANCELLED
is "alice's cancellation: same UID as her invitation" "$(ical_get "$INV" uid)" "$UID_A"
SEQ_A2=$(ical_get "$INV" sequence)
ok_cmd "alice's cancellation: SEQUENCE $SEQ_A2 > $SEQ_A" test "$SEQ_A2" -gt "$SEQ_A"
is "alice's cancellation: the .ics attached is the CANCEL too" "$(ical_get "$INV" ics_same)" yes
E2=$(sink_keep "$(reply_to emma@ville.example)" E2)
check_invitation "emma's cancellation" "$E2" CANCEL emma@ville.example
is "emma's cancellation: same UID" "$(ical_get "$INV" uid)" "$UID_E"
SEQ_E2=$(ical_get "$INV" sequence)
ok_cmd "emma's cancellation: SEQUENCE $SEQ_E2 > $SEQ_E" test "$SEQ_E2" -gt "$SEQ_E"

C2=$(sink_keep "$(reply_to carol@ville.example)" C2)
ok_cmd "carol told of her promotion" test -n "$C2"
check_invitation "carol's promotion" "$C2" REQUEST carol@ville.example
UID_C=$(ical_get "$INV" uid)
SEQ_C=$(ical_get "$INV" sequence)
like "carol's UID is hers for session-42" "$UID_C" '^session-42\.'
ok_cmd "carol's UID is not alice's nor bob's" test "$UID_C" != "$UID_A" -a "$UID_C" != "$UID_B"

# --- 3. The session moves (session import of an updated CSV): an update
# to everyone registered, same UID, higher SEQUENCE, the new time.
rig_sink_clear
send_mail "David Leroy <dave@ville.example>" "Inscription" "INSCRIPTION session-42"
cat >"$TEST_DIR/moved.csv" <<'CSV'
code,title,track,start,end,place,capacity,trainer,description
session-42,Tableur : les bases,Un truc en plus,2026-12-07 15:00,2026-12-07 17:00,Salle 3,2,formateur@ville.example,Premiers pas dans le tableur
CSV
ok_cmd "session import of the moved session" \
	timeout 20 "$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" session import "$TEST_DIR/moved.csv"
like "the import says session-42 changed" "$OUT" 'changed: session-42'
run_at "$TRUCD_NOW"
is "dave waits for session-42" "$(state session-42 dave@ville.example)" waitlisted
for who in bob carol; do
	f=$(mails_to $who@ville.example '^Changement')
	is "$who got one update" "$(printf '%s\n' "$f" | grep -c .)" 1
	check_invitation "$who's update" "$f" REQUEST $who@ville.example
	is "$who's update: the new start, 15:00 local" "$(ical_get "$INV" dtstart)" "2026-12-07 15:00"
	is "$who's update: the new end" "$(ical_get "$INV" dtend)" "2026-12-07 17:00"
	if [ $who = bob ]; then uid=$UID_B seq=$SEQ_B; else uid=$UID_C seq=$SEQ_C; fi
	is "$who's update: same UID" "$(ical_get "$INV" uid)" "$uid"
	s=$(ical_get "$INV" sequence)
	ok_cmd "$who's update: SEQUENCE $s > $seq" test "$s" -gt "$seq"
	like "$who's update says before and after" "$(reply_body "$f")" '14:00.*16:00'
	[ $who = bob ] && SEQ_B=$s || SEQ_C=$s
done
B3=$(sink_keep "$(mails_to bob@ville.example '^Changement')" B3)
is "alice, who cancelled, is not told" "$(count_mails alice@ville.example '^Changement')" 0
INV=$(ical_report "$(reply_to dave@ville.example)")
is "dave, waiting, gets no invitation" "$(ical_get "$INV" calendar)" none

# --- 4. A cancelled session: METHOD:CANCEL to those registered.
rig_sink_clear
ok_cmd "trucctl session cancel" timeout 20 "$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" \
	session cancel eco-2026-12 --reason "Intervenant malade"
run_at "$TRUCD_NOW"
D4=$(sink_keep "$(reply_to dave@ville.example)" D4)
ok_cmd "dave told of the cancellation" test -n "$D4"
like "the reason reaches him" "$(reply_body "$D4")" "Intervenant malade"
check_invitation "eco-2026-12 cancelled" "$D4" CANCEL dave@ville.example
is "eco-2026-12 cancelled: STATUS:CANCELLED" "$(ical_get "$INV" status)" CANCELLED
is "eco-2026-12 cancelled: same UID" "$(ical_get "$INV" uid)" "$UID_D"
s=$(ical_get "$INV" sequence)
ok_cmd "eco-2026-12 cancelled: SEQUENCE $s > $SEQ_D" test "$s" -gt "$SEQ_D"

# --- 5. Answers from calendar clients.
# Outlook: emma, who cancelled session-43, accepts the invitation she had.
# Gmail: bob declines session-42: cancelled, dave (waiting) promoted.
# Somebody else's: alice declines for carol (carol's UID and ATTENDEE), and
# accepts with carol's UID in her own name: neither changes anything.
rig_sink_clear
hist() {	# rows of history for alice and carol
	sql "SELECT COUNT(*) FROM history h JOIN agents a ON a.id = h.agent_id
	    WHERE a.email IN ('alice@ville.example', 'carol@ville.example')"
}
h_before=$(hist)
calendar_reply outlook ACCEPTED "$E1" "Emma Blanc <emma@ville.example>" ||
	bail_out "cannot build the Outlook reply"
calendar_reply gmail DECLINED "$B3" "Bob Durand <bob@ville.example>" ||
	bail_out "cannot build the Gmail reply"
calendar_reply outlook DECLINED "$C2" "Alice Martin <alice@ville.example>" carol@ville.example
calendar_reply thunderbird ACCEPTED "$C2" "Alice Martin <alice@ville.example>"
run_at "$TRUCD_NOW"
is "INBOX emptied" "$(rig_count truc INBOX)" 0

is "Outlook ACCEPTED: emma registered again" "$(state session-43 emma@ville.example)" registered
E5=$(sink_keep "$(reply_to emma@ville.example)" E5)
ok_cmd "emma answered" test -n "$E5"
is "emma answered as a reply to her mail" "$(sink_subject "$E5")" "Re: Accepté : TRUC² : Messagerie et agenda"
like "emma's answer reads like INSCRIPTION's" "$(reply_body "$E5")" "votre inscription à la session session-43 est enregistrée"
check_invitation "emma's new confirmation" "$E5" REQUEST emma@ville.example
is "emma's new confirmation: her UID still" "$(ical_get "$INV" uid)" "$UID_E"
s=$(ical_get "$INV" sequence)
ok_cmd "emma's new confirmation: SEQUENCE $s > $SEQ_E2" test "$s" -gt "$SEQ_E2"

is "Gmail DECLINED: bob cancelled" "$(state session-42 bob@ville.example)" cancelled
B5=$(sink_keep "$(reply_to bob@ville.example)" B5)
ok_cmd "bob answered" test -n "$B5"
like "bob's answer reads like DESINSCRIPTION's" "$(reply_body "$B5")" "votre inscription à la session session-42 .* est annulée"
check_invitation "bob's cancellation" "$B5" CANCEL bob@ville.example
is "bob's cancellation: his UID" "$(ical_get "$INV" uid)" "$UID_B"
s=$(ical_get "$INV" sequence)
ok_cmd "bob's cancellation: SEQUENCE $s > $SEQ_B" test "$s" -gt "$SEQ_B"
is "the first waiting, dave, promoted" "$(state session-42 dave@ville.example)" registered
D5=$(sink_keep "$(reply_to dave@ville.example)" D5)
ok_cmd "dave told of his promotion" test -n "$D5"
like "dave's notice says a place came free" "$(sink_subject "$D5")" "^Une place s'est libérée"
check_invitation "dave's promotion" "$D5" REQUEST dave@ville.example
DAVE42=$D5

is "REPLY for carol sent by alice: carol still registered" "$(state session-42 carol@ville.example)" registered
is "REPLY with carol's UID in alice's name: alice still cancelled" "$(state session-42 alice@ville.example)" cancelled
is "carol was not written to" "$(count_mails carol@ville.example)" 0
is "no history row for alice or carol from those replies" "$(hist)" "$h_before"
is "alice answered once for each of her two mails" "$(count_mails alice@ville.example)" 2
for f in $(mails_to alice@ville.example); do
	INV=$(ical_report "$f")
	is "no invitation sent to alice for them" "$(ical_get "$INV" calendar)" none
done

# --- 6. Thunderbird: alice (cancelled) accepts again: the session is full
# (carol, dave), so she waits, answered as INSCRIPTION would be; then
# carol declines from Thunderbird and alice, first waiting, is promoted
# with an invitation under her old UID.
rig_sink_clear
calendar_reply thunderbird ACCEPTED "$A1" "Alice Martin <alice@ville.example>" ||
	bail_out "cannot build the Thunderbird reply"
run_at "$TRUCD_NOW"
is "Thunderbird ACCEPTED on a full session: alice waits" "$(state session-42 alice@ville.example)" waitlisted
A6=$(sink_keep "$(reply_to alice@ville.example)" A6)
like "alice's answer gives her position, as for INSCRIPTION" "$(reply_body "$A6")" "position 1"
INV=$(ical_report "$A6")
is "no invitation while she waits" "$(ical_get "$INV" calendar)" none

rig_sink_clear
calendar_reply thunderbird DECLINED "$C2" "Carole Petit <carol@ville.example>"
run_at "$TRUCD_NOW"
is "Thunderbird DECLINED: carol cancelled" "$(state session-42 carol@ville.example)" cancelled
check_invitation "carol's cancellation" "$(reply_to carol@ville.example)" CANCEL carol@ville.example
is "carol's cancellation: her UID" "$(ical_get "$INV" uid)" "$UID_C"
is "alice promoted" "$(state session-42 alice@ville.example)" registered
A7=$(sink_keep "$(reply_to alice@ville.example)" A7)
check_invitation "alice's promotion" "$A7" REQUEST alice@ville.example
is "alice's promotion: the UID of her first invitation" "$(ical_get "$INV" uid)" "$UID_A"
s=$(ical_get "$INV" sequence)
ok_cmd "alice's promotion: SEQUENCE $s > $SEQ_A2 (her CANCEL)" test "$s" -gt "$SEQ_A2"
is "alice's promotion: the session's new time" "$(ical_get "$INV" dtstart)" "2026-12-07 15:00"

is "nothing left in the outbox" "$(sql "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'")" 0
done_testing
