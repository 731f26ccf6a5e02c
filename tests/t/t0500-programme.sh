#!/usr/bin/env bash
# t0500: the weekly programme end to end (Dovecot, trucd --once --now T,
# smtp-sink): at the configured day and time one mail to each agent who
# receives it (not to undeliverable addresses, not after STOP PROGRAMME),
# exactly once a week whatever the number of runs, the missed one once when
# trucd starts late; what it says for each session of the coming weeks
# (code, title, local day and time, place, trainer, free places or waiting
# list, the agent's own registration, the command line and its mailto:
# link); multipart/alternative whose HTML has inline styles only, no remote
# image and no script; trucctl programme --preview sends and records
# nothing.  The HTML of one programme is drawn by headless Chromium into
# tests/artefacts/programme.png for people to look at.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/trucd-lib.sh"
. "$TRUCD_TOP/tests/lib/screenshot.sh"

command -v dovecot >/dev/null || skip_all "dovecot not installed"
command -v smtp-sink >/dev/null || skip_all "smtp-sink not installed"
test_init
TRUCD_PROGRAMME=1 trucd_setup

# Twenty more agents: 26 in all.
{
	echo "email,name,service,manager"
	for i in $(seq -w 1 20); do
		echo "agent$i@ville.example,Agent $i,Service $i,"
	done
} >"$TEST_DIR/more-agents.csv"
timeout 20 "$TRUCCTL" -c "$TCONF" agent import "$TEST_DIR/more-agents.csv" >/dev/null ||
	bail_out "agent import failed"
ctl() {
	timeout 20 "$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" "$@" >/dev/null 2>&1 ||
		bail_out "trucctl $* failed"
}
# far-1 is past the two weeks shown on 2026-11-30, inside them a week later;
# gone-1 is cancelled: never shown.
ctl session add far-1 --title "Au-delà de deux semaines" --start "2026-12-15 10:00" \
	--end "2026-12-15 11:00" --capacity 8 --place "Salle 9"
ctl session add gone-1 --title "Session annulée" --start "2026-12-08 10:00" \
	--end "2026-12-08 11:00" --capacity 8
ctl session cancel gone-1 --reason "Annulée"
# session-42 (capacity 2) full with one waiting.
ctl register session-42 alice@ville.example
ctl register session-42 bob@ville.example
ctl register session-42 agent01@ville.example
sql "UPDATE agents SET bounced = 1 WHERE email = 'dave@ville.example'"

ALL="alice bob carol dave formateur coordination $(seq -f 'agent%02g' 1 20)"
# want EXCLUDED...: the agents expected to get the programme, one a line
want() {
	local a
	for a in $ALL; do
		[[ " $* " == *" $a "* ]] || echo "$a@ville.example"
	done | sort
}
# got: the recipients of the programmes captured, one line per mail
got() {
	sink_list | awk -F '\t' '$3 ~ /^Programme/ { print $2 }' | sort
}
programmes() {
	got | grep -c . | tr -d ' '
}

# --- preview: prints, sends nothing, records nothing.
ok_cmd "trucctl programme --preview --to agent05" \
	timeout 20 "$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" programme --preview --to agent05@ville.example
like "the preview is the programme" "$OUT" "INSCRIPTION session-43"
like "the preview greets agent05" "$OUT" "Bonjour Agent 05"
ok_cmd "trucctl programme --preview --to alice" \
	timeout 20 "$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" programme --preview --to alice@ville.example
like "alice's preview knows her registration" "$OUT" "Déjà dans vos inscriptions"
is "preview: nothing captured" "$(rig_sink_count)" 0
is "preview: nothing queued" "$(sql "SELECT COUNT(*) FROM outbox")" 0
is "preview: nothing recorded" "$(sql "SELECT COUNT(*) FROM scheduled")" 0

# --- Monday 2026-11-30 09:00 (slot: 08:00).  carol's STOP PROGRAMME is read
# before the scheduled mail of the same run.
send_mail "Carole Petit <carol@ville.example>" "stop" "STOP PROGRAMME"
run_at "2026-11-30 09:00"
is "carol's STOP recorded" "$(sql "SELECT programme FROM agents WHERE email = 'carol@ville.example'")" 0
is "one programme to each agent but dave (bounced) and carol (stopped)" \
	"$(got)" "$(want dave carol)"
is "24 programmes" "$(programmes)" 24
is "carol only got the answer to her STOP" "$(count_mails carol@ville.example)" 1
is "dave got nothing" "$(count_mails dave@ville.example)" 0
is "recorded once, under the slot's date" "$(sql "SELECT key FROM scheduled WHERE key LIKE 'programme:%'")" "programme:2026-11-30"

P=$(sink_keep "$(mails_to agent05@ville.example '^Programme')" programme-agent05)
PB=$(sink_keep "$(mails_to bob@ville.example '^Programme')" programme-bob)
PW=$(sink_keep "$(mails_to agent01@ville.example '^Programme')" programme-agent01)

# The mail.
tree=$(mime_tree "$P")
is "multipart/alternative: text/plain then text/html" "$tree" "multipart/alternative
  text/plain
  text/html"
hdr=$(rig_sink_body "$P" | sed -n '/^$/q;p')
like "Precedence: bulk" "$hdr" '^Precedence: bulk'
like "Auto-Submitted: auto-generated" "$hdr" '^Auto-Submitted: auto-generated'
like "List-Unsubscribe says STOP PROGRAMME" "$hdr" '^List-Unsubscribe: <mailto:truc@ville\.example\?subject=STOP%20PROGRAMME>'
like "addressed to agent05" "$hdr" '^To: .*<agent05@ville\.example>'
like "subject" "$(sink_subject "$P")" '^Programme TRUC²'

# The text part, session by session (blank-line separated blocks).
TEXT=$(mime_text "$P" text/plain)
block() {	# block TEXT TITLE: the paragraph that holds TITLE
	printf '%s\n' "$1" | awk -v RS= -v t="$2" 'index($0, t) { print; exit }'
}
like "day heading, local" "$TEXT" '^=== lundi 7 décembre 2026 ===$'
like "second day heading" "$TEXT" '^=== jeudi 10 décembre 2026 ===$'
b=$(block "$TEXT" "Tableur : les bases")
like "session-42: local times" "$b" '^14:00–16:00  Tableur : les bases$'
like "session-42: place" "$b" 'Lieu : Salle 3'
like "session-42: trainer by name" "$b" 'Animée par Fabrice Formateur'
like "session-42: full, one waiting" "$b" 'Complet \(1 en attente\)'
like "session-42: command line" "$b" 'INSCRIPTION session-42$'
like "session-42: mailto link" "$b" 'mailto:truc@ville\.example\?subject=INSCRIPTION%20session-42$'
b=$(block "$TEXT" "Messagerie et agenda")
like "session-43: local times" "$b" '^15:00–17:00  Messagerie et agenda$'
like "session-43: place" "$b" 'Lieu : Salle 4'
like "session-43: free places" "$b" 'Places libres : 10$'
like "session-43: command line" "$b" 'INSCRIPTION session-43$'
like "session-43: mailto link" "$b" 'mailto:truc@ville\.example\?subject=INSCRIPTION%20session-43$'
b=$(block "$TEXT" "Sobriété numérique")
like "eco-2026-12: local times" "$b" '^12:00–13:30  Sobriété numérique$'
like "eco-2026-12: place" "$b" 'Lieu : Auditorium'
like "eco-2026-12: free places" "$b" 'Places libres : 13$'
like "eco-2026-12: mailto link" "$b" 'mailto:truc@ville\.example\?subject=INSCRIPTION%20eco-2026-12$'
unlike "not the past session" "$TEXT" 'Session passée|old-1'
unlike "not the session past two weeks" "$TEXT" 'Au-delà|far-1'
unlike "not the cancelled session" "$TEXT" 'Session annulée|gone-1'
unlike "no UTC time (13:00 would be session-42 in UTC)" "$TEXT" '^13:00'
like "how to stop it" "$TEXT" 'STOP PROGRAMME'

# The agent's own state: bob holds a place, agent01 waits.
TB=$(mime_text "$PB" text/plain)
b=$(block "$TB" "Tableur : les bases")
like "bob: session-42 says he is registered" "$b" 'Déjà dans vos inscriptions'
unlike "bob: no command to register again" "$b" '(^|[^S])INSCRIPTION session-42'
like "bob: session-43 still offered" "$(block "$TB" "Messagerie et agenda")" 'INSCRIPTION session-43'
b=$(block "$(mime_text "$PW" text/plain)" "Tableur : les bases")
like "agent01: on the waiting list, position 1" "$b" "liste d'attente \(position 1\)"
# Every session names its code, also where the agent is registered already.
for who in P PB PW; do
	t=$(mime_text "${!who}" text/plain)
	for c in session-42 session-43 eco-2026-12; do
		title=$(sql "SELECT title FROM sessions WHERE code = '$c'")
		like "programme to $(rig_sink_rcpts "${!who}"): $c named in its block" \
			"$(block "$t" "$title")" "$c"
	done
done

# The HTML part.
H=$TEST_DIR/programme.html
mime_text "$P" text/html >"$H"
CHECK=$(/usr/bin/python3 - "$H" <<'PY'
# Prints one line per problem, then the mailto links found.
import sys, urllib.parse
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems, self.mailtos, self.styled, self.text = [], [], 0, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style", "link", "iframe", "object", "embed", "form"):
            self.problems.append("<%s> element" % tag)
        if "class" in a or "id" in a:
            self.problems.append("<%s %s=...>: styles must be inline" % (tag, "class" if "class" in a else "id"))
        for k, v in attrs:
            if k.startswith("on"):
                self.problems.append("<%s %s=...> event handler" % (tag, k))
            if k in ("src", "background", "srcset") and v and not v.startswith(("cid:", "data:")):
                self.problems.append("<%s %s=%s>: remote resource" % (tag, k, v))
        if "url(" in (a.get("style") or ""):
            self.problems.append("<%s style=url(...)>" % tag)
        if a.get("style"):
            self.styled += 1
        if tag == "a" and (a.get("href") or "").startswith("mailto:"):
            u = urllib.parse.urlsplit(a["href"])
            q = urllib.parse.parse_qs(u.query)
            self.mailtos.append("%s|%s" % (u.path, q.get("subject", [""])[0]))
        elif tag == "a":
            self.problems.append("<a href=%s>: not a mailto: link" % a.get("href"))
    def handle_data(self, d):
        self.text.append(d)

p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
if p.styled < 10:
    p.problems.append("only %d elements carry a style" % p.styled)
for x in p.problems:
    print("problem: " + x)
for m in p.mailtos:
    print("mailto: " + m)
print("text: " + " ".join(" ".join(p.text).split()))
PY
)
unlike "HTML: no script, no <style>, no class, no remote resource" "$CHECK" '^problem:'
like "HTML: mailto for session-42, subject INSCRIPTION session-42" "$CHECK" '^mailto: truc@ville\.example\|INSCRIPTION session-42$'
like "HTML: mailto for session-43" "$CHECK" '^mailto: truc@ville\.example\|INSCRIPTION session-43$'
like "HTML: mailto for eco-2026-12" "$CHECK" '^mailto: truc@ville\.example\|INSCRIPTION eco-2026-12$'
HT=$(printf '%s\n' "$CHECK" | sed -n 's/^text: //p')
like "HTML: the day, the times, the place" "$HT" 'lundi 7 décembre 2026 14:00–16:00 · Salle 3 Tableur : les bases Animée par Fabrice Formateur'
like "HTML: full with one waiting" "$HT" 'Complet \(1 en attente\)'
like "HTML: free places" "$HT" 'Places libres : 10'
like "HTML: the command line" "$HT" 'ou répondez avec la ligne : INSCRIPTION eco-2026-12'
unlike "HTML: not the session past two weeks" "$HT" 'Au-delà'

# Drawn for people to look at (tests/artefacts is not in git).
ART=$TRUCD_TOP/tests/artefacts
mkdir -p "$ART"
if screenshot_find_chromium >/dev/null; then
	cp "$H" "$ART/programme.html"
	ok_cmd "Chromium draws the programme" screenshot_html "$ART/programme.html" "$ART/programme.png" 700,1600
	size=$(stat -c %s "$ART/programme.png" 2>/dev/null || echo 0)
	dims=$(od -An -tu1 -j16 -N8 "$ART/programme.png" 2>/dev/null |
		awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }')
	is "programme.png is 700x1600" "$dims" 700x1600
	if [ "$size" -gt 20000 ]; then
		pass "programme.png has content ($size bytes)"
	else
		fail "programme.png has content" "only $size bytes (a blank page is about 5000)"
	fi
else
	skip "Chromium draws the programme" "no chromium"
fi

# --- Later the same week: nothing.
rig_sink_clear
run_at "2026-11-30 15:00"
is "Monday 15:00: no programme" "$(programmes)" 0
send_mail "agent02@ville.example" "stop" "STOP PROGRAMME"
run_at "2026-12-03 10:00"
is "Thursday: no programme" "$(programmes)" 0
run_at "2026-12-07 07:59"
is "next Monday 07:59: not yet" "$(programmes)" 0

# --- Next Monday 08:00: again, once; agent02 stopped meanwhile.
rig_sink_clear
run_at "2026-12-07 08:00"
is "next Monday: one each, but dave, carol and agent02" "$(got)" "$(want dave carol agent02)"
T=$(mime_text "$(mails_to agent05@ville.example '^Programme')" text/plain)
like "next Monday: far-1 now within two weeks" "$T" 'INSCRIPTION far-1'
like "next Monday: session-42, this afternoon, still shown" "$T" 'Tableur : les bases'
rig_sink_clear
run_at "2026-12-07 08:30"
is "next Monday 08:30: nothing more" "$(programmes)" 0

# --- Monday 2026-12-14 passes with trucd down; it starts on Wednesday.
rig_sink_clear
run_at "2026-12-16 10:00"
is "late start on Wednesday: the missed programme, once each" "$(got)" "$(want dave carol agent02)"
unlike "late start: no session already over" "$(mime_text "$(mails_to agent05@ville.example '^Programme')" text/plain)" 'far-1'
rig_sink_clear
run_at "2026-12-16 11:00"
is "Wednesday 11:00: nothing more" "$(programmes)" 0
is "one record per week sent" "$(sql "SELECT group_concat(key, ' ') FROM (SELECT key FROM scheduled WHERE key LIKE 'programme:%' ORDER BY key)")" \
	"programme:2026-11-30 programme:2026-12-07 programme:2026-12-14"
is "nothing left in the outbox" "$(sql "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'")" 0
done_testing
