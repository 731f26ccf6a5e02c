#!/usr/bin/env bash
# trucctl: imports all or nothing with FILE:LINE: column: what, listings as
# CSV that spreadsheets open right, and the hand-driven subcommands.
. "$(dirname "$0")/../lib/test-lib.sh"
test_init
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"

T=$TEST_DIR
cat >"$T/trucd.conf" <<CONF
database  = "$T/trucd.db"
templates = "$TRUCD_TOP/templates"
timezone  = "Europe/Paris"
school {
  address = "truc@ville.example"
  coordinators = {"coordination@ville.example"}
  domains = {"ville.example"}
}
imap { url = "imap://127.0.0.1:1" tls = "none" }
smtp { url = "smtp://127.0.0.1:1" tls = "none" }
CONF
ctl() { "$TRUCCTL" -c "$T/trucd.conf" --now "2026-11-30 09:00" "$@"; }
dump() { sqlite3 "$T/trucd.db" ".dump sessions" ".dump agents" ".dump registrations" ".dump history" ".dump outbox"; }

printf '%s\r\n' \
  'code,title,track,start,end,place,capacity,trainer,description' \
  'session-42,"Tableur : les bases, niveau 1",Un truc en plus,2026-12-07 14:00,2026-12-07 16:00,Salle 3,2,formateur@ville.example,"Premiers pas ; ""pratique""' \
  'sur deux lignes"' \
  'eco-2026-12,Sobriété numérique,Développement durable,2026-12-10 12:00,2026-12-10 13:30,Auditorium,13,,' >"$T/sessions.csv"
ok_cmd "a good session file imports" ctl session import "$T/sessions.csv"
like "and says what was added" "$OUT" "sessions: 2 added, 0 changed"
ok_cmd "session list" ctl session list
is "session list: the header of the spec" "$(echo "$OUT" | head -n 1 | tr -d '\r')" \
	"code,title,track,start,end,place,capacity,registered,waitlisted,status"
like "quoted title with a comma comes back quoted" "$OUT" '^session-42,"Tableur : les bases, niveau 1",Un truc en plus,2026-12-07 14:00,2026-12-07 16:00,Salle 3,2,0,0,planned'
like "accents intact" "$OUT" "^eco-2026-12,Sobriété numérique,"
is "the multi-line description is stored whole" "$(sqlite3 "$T/trucd.db" "SELECT description FROM sessions WHERE code='session-42'")" 'Premiers pas ; "pratique"
sur deux lignes'
is "times stored in UTC" "$(sqlite3 "$T/trucd.db" "SELECT start_at FROM sessions WHERE code='session-42'")" 1796648400

# ; separated, BOM, LF: what LibreOffice and Excel write in France.
printf '\xef\xbb\xbfemail;name;service;manager\nalice@ville.example;Alice Martin;Urbanisme;\n Bob Durand <Bob@Ville.Example> ;Bob Durand;Espaces verts;chef@ville.example\ncarol@ville.example;Carole Petit;;\n' >"$T/agents.csv"
ok_cmd "an agent file with BOM and ; imports" ctl agent import "$T/agents.csv"
like "3 added" "$OUT" "agents: 3 added"
ok_cmd "agent list" ctl agent list
like "address normalised: display name and spaces gone, domain lower-cased" "$OUT" "^Bob@ville.example,Bob Durand,Espaces verts,yes,ok"
is "agent list header" "$(echo "$OUT" | head -n 1 | tr -d '\r')" "email,name,service,programme,status"

# Every bad input: a message naming file, line and column; nothing imported.
before=$(dump)
bad() {	# bad NAME EXPECTED-ERE CSV-LINES...
	local name=$1 want=$2; shift 2
	printf '%s\n' "$@" >"$T/$name.csv"
	fail_cmd "$name: refused" ctl session import "$T/$name.csv"
	is "$name: exit status 1" "$RC" 1
	like "$name: says where and what" "$OUT" "$want"
	is "$name: database unchanged" "$(dump)" "$before"
}
H='code,title,track,start,end,place,capacity,trainer,description'
bad unknown-column "^$T/unknown-column.csv:1: header: unknown column \"colour\"" \
	'code,title,start,end,capacity,colour' 'x-1,T,2026-12-07 10:00,2026-12-07 11:00,3,red'
bad empty-code "^$T/empty-code.csv:3: code: " \
	"$H" 'ok-1,T,,2026-12-07 10:00,2026-12-07 11:00,,3,,' ',T,,2026-12-07 10:00,2026-12-07 11:00,,3,,'
bad bad-date "^$T/bad-date.csv:2: start: no such day" \
	"$H" 'x-1,T,,2026-02-30 10:00,2026-03-01 11:00,,3,,'
bad end-before-start "^$T/end-before-start.csv:2: end: " \
	"$H" 'x-1,T,,2026-12-07 10:00,2026-12-07 09:00,,3,,'
bad capacity-zero "^$T/capacity-zero.csv:2: capacity: " \
	"$H" 'x-1,T,,2026-12-07 10:00,2026-12-07 11:00,,0,,'
bad capacity-text "^$T/capacity-text.csv:2: capacity: " \
	"$H" 'x-1,T,,2026-12-07 10:00,2026-12-07 11:00,,douze,,'
bad capacity-negative "^$T/capacity-negative.csv:2: capacity: " \
	"$H" 'x-1,T,,2026-12-07 10:00,2026-12-07 11:00,,-3,,'
bad bad-trainer "^$T/bad-trainer.csv:2: trainer: " \
	"$H" 'x-1,T,,2026-12-07 10:00,2026-12-07 11:00,,3,pas une adresse,'
bad bad-utf8 "^$T/bad-utf8.csv:2: title: " \
	"$H" "$(printf 'x-1,Caf\xe9,,2026-12-07 10:00,2026-12-07 11:00,,3,,')"
bad dst-gap "^$T/dst-gap.csv:2: start: .*daylight saving" \
	"$H" 'x-1,T,,2027-03-28 02:30,2027-03-28 04:00,,3,,'
bad several-rows "$T/several-rows.csv:3: start: " \
	"$H" 'ok-1,T,,2026-12-07 10:00,2026-12-07 11:00,,3,,' 'x-2,T,,2026-13-07 10:00,2026-12-07 11:00,,3,,' 'x-3,T,,2026-12-07 10:00,2026-12-07 11:00,,3.5,,'
# like matches per line; check both lines separately for the last one
like "several rows: the first bad row" "$OUT" "several-rows.csv:3: start: "
like "several rows: and the second" "$OUT" "several-rows.csv:4: capacity: "
like "and says nothing was imported" "$OUT" "nothing was imported"

printf 'email,name\nalice@ville.example,Alice\nnot-an-address,Zoé\n' >"$T/bad-agents.csv"
fail_cmd "a malformed e-mail is refused" ctl agent import "$T/bad-agents.csv"
like "with file, line and column" "$OUT" "^$T/bad-agents.csv:3: email: "
is "agents unchanged" "$(dump)" "$before"

# session add, registrations, capacity changes through import, cancel.
ok_cmd "session add" ctl session add atelier-1 --title "Atelier photo" --start "2026-12-14 10:00" --end "2026-12-14 12:00" --capacity 1 --place "Salle 2"
fail_cmd "session add with a bad date says so" ctl session add atelier-2 --title "X" --start "2026-12-32 10:00" --end "2026-12-14 12:00" --capacity 1
like "naming the option's column" "$OUT" "start: "
fail_cmd "session add of an existing code" ctl session add atelier-1 --title "X" --start "2026-12-14 10:00" --end "2026-12-14 12:00" --capacity 1
fail_cmd "an unknown option is refused" ctl session list --exel
like "and named" "$OUT" "unknown option --exel"

ok_cmd "register alice by hand" ctl register atelier-1 alice@ville.example
like "registered" "$OUT" "^registered"
ok_cmd "register carol: full" ctl register atelier-1 carol@ville.example
like "waitlisted at position 1" "$OUT" "waitlisted, position 1"
ok_cmd "registrations" ctl registrations atelier-1
is "registrations header" "$(echo "$OUT" | head -n 1 | tr -d '\r')" "email,name,status,position,since"
like "alice registered, no position" "$OUT" "^alice@ville.example,Alice Martin,registered,,2026-11-30 09:00"
like "carol waiting at 1" "$OUT" "^carol@ville.example,Carole Petit,waitlisted,1,2026-11-30 09:00"
is "history rows name the trucctl call" "$(sqlite3 "$T/trucd.db" "SELECT COUNT(*) FROM history WHERE why LIKE 'trucctl register atelier-1 %'")" 2

printf '%s\n' "$H" 'atelier-1,Atelier photo,,2026-12-14 10:00,2026-12-14 12:00,Salle 2,2,,' >"$T/raise.csv"
ok_cmd "raising the capacity by import" ctl session import "$T/raise.csv"
like "promotes the first waiting, and says so" "$OUT" "promoted: atelier-1: Carole Petit <carol@ville.example>"
printf '%s\n' "$H" 'atelier-1,Atelier photo,,2026-12-14 10:00,2026-12-14 12:00,Salle 2,1,,' >"$T/lower.csv"
ok_cmd "lowering the capacity by import" ctl session import "$T/lower.csv"
like "drops nobody silently: says who is over" "$OUT" "over capacity: atelier-1: Carole Petit <carol@ville.example> moved back to the waiting list \\(position 1\\)"
is "never more registered than the capacity" "$(sqlite3 "$T/trucd.db" "SELECT COUNT(*) FROM registrations r JOIN sessions s ON s.id=r.session_id WHERE s.code='atelier-1' AND r.status='registered'")" 1
ok_cmd "outbox" ctl outbox
is "outbox header" "$(echo "$OUT" | head -n 1 | tr -d '\r')" "id,to,subject,status,attempts,next_attempt,last_error"
like "carol's promotion notice waits in the outbox" "$OUT" "carol@ville.example,.*,pending,0,"

ok_cmd "session cancel" ctl session cancel atelier-1 --reason "Salle indisponible"
like "says how many were told" "$OUT" "2 agents told"
ok_cmd "session list hides it" ctl session list
unlike "cancelled session not listed by default" "$OUT" "^atelier-1,"
ok_cmd "session list --all shows it" ctl session list --all
like "as cancelled" "$OUT" "^atelier-1,Atelier photo,.*,cancelled"

# --excel: ; and a BOM, for LibreOffice and Excel.
ok_cmd "--excel" ctl session list --excel
is "starts with a UTF-8 BOM" "$(ctl session list --excel | head -c 3 | od -An -tx1 | tr -d ' ')" efbbbf
like "uses ;" "$OUT" "^eco-2026-12;Sobriété numérique;"
like "and quotes a field holding ;" "$OUT" '"Tableur : les bases, niveau 1"'

# The attendance, all or nothing.
ctl session import "$T/sessions.csv" >/dev/null
ctl register session-42 alice@ville.example >/dev/null
ctl register session-42 carol@ville.example >/dev/null
ok_cmd "attendance" ctl attendance session-42 --present alice@ville.example --absent carol@ville.example
is "alice attended" "$(sqlite3 "$T/trucd.db" "SELECT r.status FROM registrations r JOIN agents a ON a.id=r.agent_id JOIN sessions s ON s.id=r.session_id WHERE a.email='alice@ville.example' AND s.code='session-42'")" attended
is "carol absent" "$(sqlite3 "$T/trucd.db" "SELECT r.status FROM registrations r JOIN agents a ON a.id=r.agent_id JOIN sessions s ON s.id=r.session_id WHERE a.email='carol@ville.example' AND s.code='session-42'")" absent
before=$(dump)
fail_cmd "attendance for someone not registered" ctl attendance session-42 --present alice@ville.example --present Bob@ville.example
like "says who" "$OUT" "Bob@ville.example is not registered for session-42"
is "and records nothing" "$(dump)" "$before"

done_testing
