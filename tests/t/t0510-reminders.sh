#!/usr/bin/env bash
# t0510: reminders before each session and the trainer's list, end to end
# (Dovecot, trucd --once --now T, smtp-sink): one mail per registered agent
# and offset ("1d", "2h"), with the place, the time, how to cancel and the
# invitation again (same UID as the confirmation); the trainer's list the
# day before; each exactly once across repeated runs; a late first run sends
# only the closest reminder; nothing for a session under way; due times on
# the wall clock across both daylight saving changes of Europe/Paris.
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
tina@ville.example,Tina Formatrice,DSI,
CSV
timeout 20 "$TRUCCTL" -c "$TCONF" agent import "$TEST_DIR/more-agents.csv" >/dev/null ||
	bail_out "agent import failed"

add_session() {	# add_session CODE TITLE START END [TRAINER]
	timeout 20 "$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" session add "$1" --title "$2" \
	    --start "$3" --end "$4" --capacity 5 --place "Salle B" \
	    ${5:+--trainer "$5"} >/dev/null || bail_out "session add $1 failed"
}
# begun-1 starts before the first run that could remind of it; late-1 is
# first looked at an hour before it starts; dst-1 is the day after the
# spring change (the brief's case), dst-2 on the day of the spring change,
# dst-3 on the day of the autumn change: "1d" is the same wall-clock time
# the calendar day before, whatever the change in between.
add_session begun-1 "Session commencée" "2026-12-06 13:30" "2026-12-06 15:30" tina@ville.example
add_session late-1 "Session rattrapée" "2026-12-09 10:00" "2026-12-09 12:00" tina@ville.example
add_session dst-1 "Lendemain du passage à l'heure d'été" "2027-03-29 09:00" "2027-03-29 11:00" formateur@ville.example
add_session dst-2 "Jour du passage à l'heure d'été" "2027-03-28 10:00" "2027-03-28 11:00"
add_session dst-3 "Jour du passage à l'heure d'hiver" "2027-10-31 10:00" "2027-10-31 11:00"

at() {	# at T: one trucd --once at local time T
	run_at "$1"
}
reminders() {	# reminders ADDR [ERE]: reminders captured for ADDR
	count_mails "$1" "^Rappel${2:+.*$2}"
}
lists() {	# lists ADDR: trainer's lists captured for ADDR
	count_mails "$1" '^Participants'
}

# --- Registrations (their confirmations carry the UIDs to compare with).
send_mail "Alice Martin <alice@ville.example>" "Inscription 42" "INSCRIPTION session-42"
send_mail "Bob Durand <bob@ville.example>" "Inscription 42" "INSCRIPTION session-42"
send_mail "Bob Durand <bob@ville.example>" "Inscription DST" "INSCRIPTION dst-1"
send_mail "Carole Petit <carol@ville.example>" "Inscription" "INSCRIPTION late-1"
send_mail "David Leroy <dave@ville.example>" "Inscription" "INSCRIPTION begun-1
INSCRIPTION dst-3"
send_mail "David Leroy <dave@ville.example>" "Liste d'attente" "INSCRIPTION session-42"
send_mail "Emma Blanc <emma@ville.example>" "Inscription" "INSCRIPTION dst-2"
at "2026-11-30 09:00"
is "registrations: trucd exits 0" "$RC" 0
is "seven answers" "$(rig_sink_count)" 7
is "dave waits for session-42" "$(sql "SELECT r.status FROM registrations r JOIN agents a ON a.id = r.agent_id JOIN sessions s ON s.id = r.session_id WHERE a.email = 'dave@ville.example' AND s.code = 'session-42'")" waitlisted
CONF_A=$(sink_keep "$(mails_to alice@ville.example 'Inscription 42')" conf-alice)
UID_A=$(ical_get "$(ical_report "$CONF_A")" uid)
CONF_B=$(sink_keep "$(mails_to bob@ville.example 'Inscription 42')" conf-bob)
UID_B=$(ical_get "$(ical_report "$CONF_B")" uid)
like "alice's confirmation has a UID" "$UID_A" '^session-42\.'
nothing_at() {	# nothing_at T WHY: a run at T sends nothing at all
	local n
	rig_sink_clear
	at "$1"
	n=$(rig_sink_count)
	is "$1: nothing sent ($2)" "$n" 0 || diag "$(sink_list | cut -f2,3)"
}

# --- session-42, Monday 2026-12-07 14:00 (trainer formateur@).
nothing_at "2026-12-06 13:59" "a minute before T-1d; begun-1 began at 13:30"
is "begun-1: no reminder to dave" "$(reminders dave@ville.example)" 0
is "begun-1: no list to its trainer" "$(lists tina@ville.example)" 0
is "begun-1: nothing recorded as sent" \
	"$(sql "SELECT COUNT(*) FROM scheduled WHERE key LIKE '%:begun-1:%' AND outcome = 'sent'")" 0

rig_sink_clear
at "2026-12-06 14:00"
is "T-1d: one reminder to alice" "$(reminders alice@ville.example 'Tableur')" 1
is "T-1d: one reminder to bob" "$(reminders bob@ville.example 'Tableur')" 1
is "T-1d: none to dave, who waits" "$(reminders dave@ville.example)" 0
is "T-1d: one list to the trainer" "$(lists formateur@ville.example)" 1
is "T-1d: nothing else" "$(rig_sink_count)" 3

R=$(sink_keep "$(mails_to alice@ville.example '^Rappel')" rem-alice-1d)
is "1d reminder: subject says tomorrow at 14:00" "$(sink_subject "$R")" "Rappel : Tableur : les bases, demain à 14:00"
body=$(reply_body "$R")
like "1d reminder: day and time, local" "$body" "lundi 7 décembre 2026, de 14:00 à 16:00"
like "1d reminder: the place" "$body" "Lieu : Salle 3"
like "1d reminder: the trainer" "$body" "Fabrice Formateur"
like "1d reminder: how to cancel" "$body" "DESINSCRIPTION session-42"
is "1d reminder: not a reply" "$(rig_sink_body "$R" | sed -n '/^$/q;/^In-Reply-To:/p')" ""
INV=$(ical_report "$R")
is "1d reminder: invitation valid (RFC 5545/5546)" "$(ical_get "$INV" errors)" none
is "1d reminder: METHOD:REQUEST" "$(ical_get "$INV" method)" REQUEST
is "1d reminder: for alice" "$(ical_get "$INV" attendee)" alice@ville.example
is "1d reminder: the UID of alice's confirmation" "$(ical_get "$INV" uid)" "$UID_A"
is "1d reminder: DTSTART 14:00 Europe/Paris" "$(ical_get "$INV" dtstart) $(ical_get "$INV" tzid)" "2026-12-07 14:00 Europe/Paris"
INV=$(ical_report "$(mails_to bob@ville.example '^Rappel')")
is "bob's reminder: the UID of bob's confirmation" "$(ical_get "$INV" uid)" "$UID_B"

L=$(mails_to formateur@ville.example '^Participants')
body=$(reply_body "$L")
like "trainer's list: the session" "$body" "session-42"
like "trainer's list: Alice Martin" "$body" "Alice Martin"
like "trainer's list: Bob Durand" "$body" "Bob Durand"
unlike "trainer's list: not dave, who only waits" "$body" "David Leroy"
like "trainer's list: one waiting" "$body" "En liste d'attente : 1"

nothing_at "2026-12-06 14:10" "T-1d+10min: the 1d reminders went already"
nothing_at "2026-12-07 11:59" "a minute before T-2h"

rig_sink_clear
at "2026-12-07 12:00"
is "T-2h: one reminder to alice" "$(reminders alice@ville.example 'Tableur')" 1
is "T-2h: one reminder to bob" "$(reminders bob@ville.example 'Tableur')" 1
is "T-2h: no second list to the trainer" "$(lists formateur@ville.example)" 0
is "T-2h: nothing else" "$(rig_sink_count)" 2
R=$(mails_to alice@ville.example '^Rappel')
like "2h reminder: subject says today at 14:00" "$(sink_subject "$R")" "aujourd'hui à 14:00"
INV=$(ical_report "$R")
is "2h reminder: invitation valid" "$(ical_get "$INV" errors)" none
is "2h reminder: same UID again" "$(ical_get "$INV" uid)" "$UID_A"

nothing_at "2026-12-07 13:00" "T-1h: both reminders went already"
nothing_at "2026-12-07 14:30" "session-42 under way"
is "each reminder recorded once" \
	"$(sql "SELECT group_concat(outcome) FROM scheduled WHERE key LIKE 'reminder:session-42:%' ORDER BY key")" "sent,sent"

# --- late-1, Wednesday 2026-12-09 10:00: the first run is at T-1h.
rig_sink_clear
at "2026-12-09 09:00"
is "late start: one reminder to carol, not two" "$(reminders carol@ville.example)" 1
s=$(sink_subject "$(mails_to carol@ville.example '^Rappel')")
like "late start: the 2h one, saying today, not 'in 2 hours'" "$s" "aujourd'hui à 10:00"
unlike "late start: not the 1d one" "$s" "demain"
is "late start: the 1d one recorded as skipped" \
	"$(sql "SELECT outcome FROM scheduled WHERE key LIKE 'reminder:late-1:%:1d'")" skipped
is "late start: the trainer's list still goes, once" "$(lists tina@ville.example)" 1
like "late start: it names carol" "$(reply_body "$(mails_to tina@ville.example)")" "Carole Petit"
nothing_at "2026-12-09 09:30" "late-1: everything went already"

# --- Daylight saving.  dst-2 (Sunday 2027-03-28 10:00, the day clocks go
# forward): "1d" is Saturday 10:00 CET; 24 hours before would be 09:00.
nothing_at "2027-03-27 09:30" "dst-2: 24 h before is not the calendar day before"
rig_sink_clear
at "2027-03-27 10:00"
is "dst-2: 1d reminder at 10:00 the day before" "$(reminders emma@ville.example)" 1

# dst-1 (Monday 2027-03-29 09:00, the day after): 1d at Sunday 09:00 CEST.
rig_sink_clear
at "2027-03-28 08:59"
is "dst-1: nothing at 08:59 the day before" "$(reminders bob@ville.example)" 0
is "dst-1: no trainer's list at 08:59" "$(lists formateur@ville.example)" 0
is "dst-2: its 2h reminder went at 08:59 (due 08:00 CEST)" "$(reminders emma@ville.example)" 1
rig_sink_clear
at "2027-03-28 09:00"
is "dst-1: 1d reminder at 09:00 the day before" "$(reminders bob@ville.example 'demain à 09:00')" 1
is "dst-1: trainer's list at 09:00 the day before" "$(lists formateur@ville.example)" 1
rig_sink_clear
at "2027-03-28 10:00"
is "dst-1: not again at 10:00" "$(reminders bob@ville.example)" 0
nothing_at "2027-03-29 06:59" "dst-1: a minute before T-2h"
rig_sink_clear
at "2027-03-29 07:00"
is "dst-1: 2h reminder at 07:00" "$(reminders bob@ville.example 'à 09:00')" 1
INV=$(ical_report "$(mails_to bob@ville.example '^Rappel')")
is "dst-1: invitation DTSTART 09:00 Europe/Paris" "$(ical_get "$INV" dtstart) $(ical_get "$INV" tzid)" "2027-03-29 09:00 Europe/Paris"
is "dst-1: invitation valid" "$(ical_get "$INV" errors)" none

# dst-3 (Sunday 2027-10-31 10:00, the day clocks go back): "1d" is
# Saturday 10:00 CEST; 24 hours before would be 11:00.
nothing_at "2027-10-30 09:59" "dst-3: a minute before 1d"
rig_sink_clear
at "2027-10-30 10:00"
is "dst-3: 1d reminder at 10:00 the day before" "$(reminders dave@ville.example 'demain à 10:00')" 1
nothing_at "2027-10-30 11:00" "dst-3: not again at 11:00"

is "nothing left in the outbox" "$(sql "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'")" 0
done_testing
