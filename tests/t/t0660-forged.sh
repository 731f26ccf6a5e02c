#!/usr/bin/env bash
# Trust: a forged From: coordination@ must never announce, import, list,
# print a sheet or cancel.  Only the topmost Authentication-Results whose
# authserv-id is ours (mx.ville.example) counts; without its pass the
# coordinator is asked to send back a one-time code, which works once,
# within 24 hours, from the coordinator's own address; with dmarc=fail the
# mail is ignored and nobody is answered.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/trucd-lib.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
command -v smtp-sink >/dev/null || skip_all "smtp-sink not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
test_init
watchdog 120
trucd_setup

COORD=coordination@ville.example
ANNONCE_SUBJECT="ANNONCE Fermeture exceptionnelle"
ANNONCE_BODY="Toutes les sessions sont annulées, cliquez ici : http://evil.example/"

# run [--now T]: trucd --once, which must exit 0 (under SANITIZE=1 too).
run() {
	run_once "$@"
	is "trucd --once exits 0 (after mail $_mail_seq)" "$RC" 0 ||
		diag "$(tail -n 20 "$LOG")"
}

# Every step runs 40 minutes after the one before: the coordinator gets
# one reply a step, far from the limit of 10 an hour.
NOW_S=$(date -u -d "2026-11-30 08:20" +%s)
tick() {
	NOW_S=$((NOW_S + ${1:-2400}))
	TRUCD_NOW=$(date -u -d "@$NOW_S" '+%Y-%m-%d %H:%M')
}

# begin: a fresh step; the state that must not change is kept aside.
begin() {
	tick "$@"
	rig_sink_clear
	SNAP=$(db_snapshot)
	OB=$(sql "SELECT COALESCE(MAX(id), 0) FROM outbox")
}

new_outbox() {	# kind and recipient of what was queued since begin
	sql "SELECT kind || ' ' || rcpt FROM outbox WHERE id > $OB ORDER BY id"
}

outcome() {	# how trucd recorded the last mail sent
	sql "SELECT outcome FROM handled WHERE key LIKE '<test-$_mail_seq-%'"
}

# expect_code WHAT: nothing done; one reply, to the coordinator only, with
# no file, that asks for a one-time code (in $CODE).
expect_code() {
	local what=$1 r
	is "$what: nothing changed" "$(db_snapshot)" "$SNAP"
	is "$what: only a reply to the coordinator is queued" "$(new_outbox)" "reply $COORD"
	is "$what: one mail went out" "$(rig_sink_count)" 1
	r=$(reply_to "$COORD")
	is "$what: it carries no file" "$(reply_parts "$r")" "text/plain -"
	CODE=$(reply_body "$r" | grep -oE 'CONFIRMER [2-9A-HJKMNP-Z]{8}' | head -n 1 | cut -d' ' -f2)
	like "$what: a one-time code is asked" "$CODE" '^[2-9A-Z]{8}$'
}

# expect_ignored WHAT: nothing done, nobody answered, recorded as forged.
expect_ignored() {
	local what=$1
	is "$what: nothing changed" "$(db_snapshot)" "$SNAP"
	is "$what: nothing queued" "$(new_outbox)" ""
	is "$what: no mail went out" "$(rig_sink_count)" 0
	is "$what: recorded as forged" "$(outcome)" forged
}

# annonce WHAT HEADERS...: a new step, a coordinator's ANNONCE with these
# headers on top (topmost first), one trucd run.
annonce() {
	local what=$1 h args=()
	shift
	for h in "$@"; do
		args+=(--header "$h")
	done
	begin
	send_mime "Coordination TRUC² <$COORD>" "$ANNONCE_SUBJECT" "${args[@]}" --text "$ANNONCE_BODY"
	run
}

confirm() {	# confirm FROM CODE [SUBJECT]: a reply that sends the code back
	send_mail "$1" "${3:-Re: ANNULER SESSION}" "CONFIRMER $2

Le lun. 30 nov. 2026 à 10:00, TRUC² <truc@ville.example> a écrit :
> Par sécurité, la commande doit être confirmée : je n'ai encore rien fait.
>
>     CONFIRMER $2"
}

AR_PASS='Authentication-Results: mx.ville.example; spf=pass smtp.mailfrom=ville.example; dkim=pass header.d=ville.example; dmarc=pass header.from=ville.example'
AR_NONE='Authentication-Results: mx.ville.example; spf=softfail smtp.mailfrom=ville.example; dkim=none; dmarc=none header.from=ville.example'
AR_FAIL='Authentication-Results: mx.ville.example; spf=fail smtp.mailfrom=evil.example; dkim=none; dmarc=fail (p=reject dis=none) header.from=ville.example'
AR_EVIL_PASS='Authentication-Results: mx.evil.example; dkim=pass header.d=ville.example; dmarc=pass header.from=ville.example'

"$TRUCCTL" -c "$TCONF" --now "2026-11-30 08:00" register eco-2026-12 alice@ville.example >/dev/null 2>&1
"$TRUCCTL" -c "$TCONF" --now "2026-11-30 08:00" register session-42 bob@ville.example >/dev/null 2>&1
is "alice (eco-2026-12) and bob (session-42) registered" "$(sql "SELECT COUNT(*) FROM registrations WHERE status = 'registered'")" 2

# --- no Authentication-Results: a one-time code -----------------------------

begin
send_mail "Coordination TRUC² <$COORD>" "Annulation" "ANNULER SESSION eco-2026-12 Salle indisponible"
run
expect_code "no Authentication-Results, ANNULER SESSION"
C1=$CODE
is "eco-2026-12 still planned" "$(sql "SELECT status FROM sessions WHERE code = 'eco-2026-12'")" planned
like "the code reply says nothing was done" "$(reply_body "$(reply_to "$COORD")")" "rien fait"
is "the code is kept for that address" "$(sql "SELECT email FROM confirmations WHERE code = '$C1'")" "$COORD"

begin
confirm "$COORD" "$C1" "Re: Annulation"
run
is "CONFIRMER runs the kept command: eco-2026-12 cancelled" "$(sql "SELECT status FROM sessions WHERE code = 'eco-2026-12'")" cancelled
is "with the kept reason" "$(sql "SELECT cancel_reason FROM sessions WHERE code = 'eco-2026-12'")" "Salle indisponible"
is "alice's registration cancelled" "$(sql "SELECT r.status FROM registrations r JOIN sessions s ON s.id = r.session_id WHERE s.code = 'eco-2026-12'")" cancelled
like "the coordinator is told it is done" "$(reply_body "$(reply_to "$COORD")")" "eco-2026-12 .*est annulée"
is "alice is told once" "$(new_outbox | grep -c "alice@ville.example")" 1
is "the code is used" "$(sql "SELECT used_at IS NOT NULL FROM confirmations WHERE code = '$C1'")" 1

begin
confirm "$COORD" "$C1" "Re: Annulation"
run
is "replayed code: nothing changed" "$(db_snapshot)" "$SNAP"
is "replayed code: only the refusal is queued" "$(new_outbox)" "reply $COORD"
like "replayed code: refused as used" "$(reply_body "$(reply_to "$COORD")")" "déjà servi"

# The same CONFIRMER mail delivered again (same Message-ID): not read twice.
begin
cp "$TEST_DIR/in-$_mail_seq.eml" "$TEST_DIR/again.eml"
send_raw "$TEST_DIR/again.eml"
run
is "the same mail again: nothing changed" "$(db_snapshot)" "$SNAP"
is "the same mail again: not answered" "$(new_outbox)" ""

# --- the code from another address; an unknown code -------------------------

begin
send_mail "$COORD" "Liste" "LISTE session-42"
run
expect_code "no Authentication-Results, LISTE"
C2=$CODE

begin
confirm "alice@ville.example" "$C2" "Re: Liste"
run
is "code from another address: nothing changed" "$(db_snapshot)" "$SNAP"
is "code from another address: only alice is answered" "$(new_outbox)" "reply alice@ville.example"
r=$(reply_to alice@ville.example)
is "code from another address: no list attached" "$(reply_parts "$r")" "text/plain -"
like "code from another address: refused" "$(reply_body "$r")" "réservée à la coordination|pas valable"
is "code from another address: the code is not used up" "$(sql "SELECT used_at IS NULL FROM confirmations WHERE code = '$C2'")" 1

begin
confirm "$COORD" "23456789" "Re: Liste"
run
is "unknown code: nothing changed" "$(db_snapshot)" "$SNAP"
is "unknown code: only the refusal is queued" "$(new_outbox)" "reply $COORD"
r=$(reply_to "$COORD")
is "unknown code: no list attached" "$(reply_parts "$r")" "text/plain -"
like "unknown code: refused" "$(reply_body "$r")" "pas valable"

begin
confirm "$COORD" "$C2" "Re: Liste"
run
r=$(reply_to "$COORD")
like "the coordinator's own CONFIRMER: the list arrives" "$(reply_parts "$r")" "^text/csv inscriptions-session-42\.csv$"
like "the list names bob" "$(reply_part "$r" text/csv)" "bob@ville\.example"

# --- every code trucd can draw works, as typed back ------------------------
# Codes are 8 characters of 2-9 and A-Z without I, L, O: about one in
# eleven has no digit.  Here the kept code is set to such a draw.

begin
send_mail "$COORD" "Liste" "LISTE session-42"
run
expect_code "no Authentication-Results, LISTE for a letters-only code"
sql "UPDATE confirmations SET code = 'PQKMJEME' WHERE code = '$CODE'"
begin
confirm "$COORD" "PQKMJEME" "Re: Liste"
run
r=$(reply_to "$COORD")
like "a code of letters only works: the list arrives" "$(reply_parts "$r")" "^text/csv inscriptions-session-42\.csv$" || diag "$(reply_body "$r")"
is "a code of letters only is used" "$(sql "SELECT used_at IS NOT NULL FROM confirmations WHERE code = 'PQKMJEME'")" 1

# Read on a phone, typed back in lower case: commands ignore case.
begin
send_mail "$COORD" "Liste" "LISTE session-42"
run
expect_code "no Authentication-Results, LISTE again"
C4=$CODE
begin
confirm "$COORD" "$(printf '%s' "$C4" | tr 'A-Z' 'a-z')" "Re: Liste"
run
r=$(reply_to "$COORD")
like "a code typed in lower case works: the list arrives" "$(reply_parts "$r")" "^text/csv inscriptions-session-42\.csv$"
is "the code typed in lower case is used" "$(sql "SELECT used_at IS NOT NULL FROM confirmations WHERE code = '$C4'")" 1

# --- a code older than 24 hours ---------------------------------------------

begin
send_mail "$COORD" "Feuille" "EMARGEMENT session-42"
run
expect_code "no Authentication-Results, EMARGEMENT"
C3=$CODE

begin $((25 * 3600))
confirm "$COORD" "$C3" "Re: Feuille"
run
is "expired code: nothing changed" "$(db_snapshot)" "$SNAP"
is "expired code: only the refusal is queued" "$(new_outbox)" "reply $COORD"
r=$(reply_to "$COORD")
is "expired code: no sheet attached" "$(reply_parts "$r")" "text/plain -"
like "expired code: refused as expired" "$(reply_body "$r")" "expiré"
is "expired code: not used" "$(sql "SELECT used_at IS NULL FROM confirmations WHERE code = '$C3'")" 1

# --- forged Reply-To and display names ----------------------------------

begin
send_mail "Coordination TRUC² <$COORD>" "$ANNONCE_SUBJECT" "$ANNONCE_BODY" \
	$'Reply-To: attacker@evil.example\r\nSender: attacker@evil.example'
run
expect_code "Reply-To elsewhere"
is "Reply-To elsewhere: nothing to the attacker" "$(replies_to attacker@evil.example)" 0

begin
send_mail "\"$COORD\" <attacker@evil.example>" "$ANNONCE_SUBJECT" "$ANNONCE_BODY" "$AR_PASS"
run
is "coordinator's address as display name: nothing changed" "$(db_snapshot)" "$SNAP"
is "coordinator's address as display name: only the stranger's refusal" "$(new_outbox)" "reply attacker@evil.example"
is "coordinator's address as display name: no code asked" "$(sql "SELECT COUNT(*) FROM confirmations WHERE email <> '$COORD'")" 0

# --- dmarc=fail: ignored entirely -------------------------------------------

annonce "dmarc=fail" "$AR_FAIL"
expect_ignored "dmarc=fail"

begin
send_mail "alice@ville.example" "INSCRIPTION session-43" "INSCRIPTION session-43" "$AR_FAIL"
run
expect_ignored "an agent's forged address with dmarc=fail"

# --- several Authentication-Results: only our topmost one counts -----------

annonce "another host's pass above ours saying none" "$AR_EVIL_PASS" "$AR_NONE"
expect_code "another host's pass above ours saying none"
annonce "another host's pass below ours saying none" "$AR_NONE" "$AR_EVIL_PASS"
expect_code "another host's pass below ours saying none"
annonce "another host's pass above ours saying fail" "$AR_EVIL_PASS" "$AR_FAIL"
expect_ignored "another host's pass above ours saying fail"
annonce "another host's pass below ours saying fail" "$AR_FAIL" "$AR_EVIL_PASS"
expect_ignored "another host's pass below ours saying fail"
annonce "a fake mx.ville.example pass below the real one saying none" "$AR_NONE" "$AR_PASS"
expect_code "a fake mx.ville.example pass below the real one saying none"
annonce "a fake pass below the real one saying nothing" \
	'Authentication-Results: mx.ville.example; none' "$AR_PASS"
expect_code "a fake pass below the real one saying nothing"
annonce "a fake pass below the real one saying fail" "$AR_FAIL" "$AR_PASS"
expect_ignored "a fake pass below the real one saying fail"
annonce "a look-alike authserv-id" \
	'Authentication-Results: mx.ville.example.evil.example; dkim=pass header.d=ville.example; dmarc=pass header.from=ville.example'
expect_code "a look-alike authserv-id"

# --- DKIM not aligned -----------------------------------------------------

annonce "dkim=pass header.d=evil.example, no dmarc" \
	'Authentication-Results: mx.ville.example; spf=pass smtp.mailfrom=evil.example; dkim=pass header.d=evil.example header.s=s1'
expect_code "dkim=pass header.d=evil.example, no dmarc"
annonce "dkim=pass header.d=ville.example.evil.example" \
	'Authentication-Results: mx.ville.example; dkim=pass header.d=ville.example.evil.example'
expect_code "dkim=pass header.d=ville.example.evil.example"
annonce "dkim=fail header.d=ville.example" \
	'Authentication-Results: mx.ville.example; dkim=fail header.d=ville.example; dmarc=none'
expect_code "dkim=fail header.d=ville.example"
annonce "an aligned domain only in a comment" \
	'Authentication-Results: mx.ville.example; dkim=pass (header.d=ville.example) header.d=evil.example'
expect_code "an aligned domain only in a comment"

# --- a DMARC pass about another From ------------------------------------
# Our MX evaluated DMARC for the domain it names in header.from; a pass for
# evil.example says nothing about coordination@ville.example (two From:
# headers, one evaluated by the MX and the other read by trucd, are the
# classic way to get there).

AR_EVIL_DMARC='Authentication-Results: mx.ville.example; spf=pass smtp.mailfrom=evil.example; dkim=pass header.d=evil.example; dmarc=pass header.from=evil.example'
begin
send_mail "Coordination TRUC² <$COORD>" "$ANNONCE_SUBJECT" "$ANNONCE_BODY" \
	"$AR_EVIL_DMARC"$'\r\nFrom: attacker@evil.example'
run
# Asking for a code or ignoring the mail are both right; acting is not.
is "two From:, the MX's pass for the other one: nothing changed" "$(db_snapshot)" "$SNAP"
is "two From:, the MX's pass for the other one: nothing but a reply to the coordinator" \
	"$(new_outbox | grep -vx "reply $COORD")" ""
is "two From:, the MX's pass for the other one: no announcement went out" \
	"$(rig_sink_count)" "$(replies_to "$COORD")"
annonce "dmarc=pass header.from=evil.example" "$AR_EVIL_DMARC"
expect_code "dmarc=pass header.from=evil.example"
begin
send_mail "$COORD <attacker@evil.example>" "$ANNONCE_SUBJECT" "$ANNONCE_BODY" "$AR_EVIL_DMARC"
run
is "unquoted coordinator's address as display name: nothing changed" "$(db_snapshot)" "$SNAP"
unlike "unquoted coordinator's address as display name: nothing but replies" "$(new_outbox)" "^(announcement|proposal)"
is "unquoted coordinator's address as display name: no file" "$(for f in $(rig_sink_messages); do reply_parts "$f"; done | grep -v '^text/plain -$')" ""

# --- and the real thing works: our topmost pass, a fake fail below ---------

begin
send_mail "$COORD" "LISTE session-42" "LISTE session-42" "$AR_PASS"$'\r\n'"$AR_FAIL"
run
is "authenticated LISTE: nothing else changed" "$(db_snapshot)" "$SNAP"
r=$(reply_to "$COORD")
like "authenticated LISTE: the list arrives at once" "$(reply_parts "$r")" "^text/csv inscriptions-session-42\.csv$"
unlike "authenticated LISTE: no code asked" "$(reply_body "$r")" "CONFIRMER"
is "no announcement ever went out" "$(sql "SELECT COUNT(*) FROM outbox WHERE kind = 'announcement'")" 0

done_testing
