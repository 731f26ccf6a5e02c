#!/usr/bin/env bash
# t0060: invitations written by ical.c, read back by an independent reader
# (python3-icalendar): RFC 5545 form (CRLF, folding at 75 octets), the
# properties RFC 5546 requires of a REQUEST and a CANCEL (RFC 6047 puts the
# METHOD in the body), DTSTART/DTEND with TZID that the generated VTIMEZONE
# turns into the right UTC instant (also across the daylight saving
# changes, and in zones of other rule shapes), and replies written by
# python3-icalendar read by ical_parse_reply.
. "$(dirname "$0")/../lib/test-lib.sh"
test_init

ICALTOOL=$TOOLS/icaltool
[ -x "$ICALTOOL" ] || skip_all "no $ICALTOOL (make $BUILD/tools/icaltool)"
PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 &&
	    "$p" -c 'import icalendar, zoneinfo, pytz' 2>/dev/null; then
		PY=$p
		break
	fi
done
[ -n "$PY" ] || skip_all "no python3 with icalendar (Debian python3-icalendar)"

cat >"$TEST_DIR/check.py" <<'PYEOF'
# check.py FILE KEY=VALUE...: checks one invitation; prints what is wrong
# and exits 1, or exits 0.
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from icalendar import Calendar

path, args = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
errors = []

def check(cond, what):
    if not cond:
        errors.append(what)

raw = open(path, "rb").read()
check(raw.endswith(b"\r\n"), "does not end with CRLF")
for n, line in enumerate(raw.split(b"\r\n")[:-1], 1):
    check(b"\n" not in line and b"\r" not in line, "line %d: bare CR or LF" % n)
    check(len(line) <= 75, "line %d: %d octets (> 75)" % (n, len(line)))
try:
    raw.decode("utf-8")
except UnicodeDecodeError as e:
    errors.append("not UTF-8: %s" % e)

cal = Calendar.from_ical(raw)
method = args["method"]
zone = args["zone"]
check(str(cal.get("VERSION")) == "2.0", "VERSION is not 2.0")
check(cal.get("PRODID") is not None, "no PRODID")
check(str(cal.get("CALSCALE", "GREGORIAN")) == "GREGORIAN", "CALSCALE")
check(str(cal.get("METHOD")) == method, "METHOD %s, not %s" % (cal.get("METHOD"), method))

events = cal.walk("VEVENT")
check(len(events) == 1, "%d VEVENTs" % len(events))
ev = events[0]
required = ["UID", "DTSTAMP", "DTSTART", "ORGANIZER", "ATTENDEE", "SEQUENCE"]
if method == "REQUEST":
    required.append("SUMMARY")	# RFC 5546 3.2.2
for p in required:
    check(p in ev, "no %s (RFC 5546 requires it for %s)" % (p, method))
check(str(ev["UID"]) == args["uid"], "UID %s, not %s" % (ev["UID"], args["uid"]))
check(int(ev["SEQUENCE"]) == int(args["seq"]), "SEQUENCE %s, not %s" % (ev["SEQUENCE"], args["seq"]))
stamp = ev["DTSTAMP"].dt
check(stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0), "DTSTAMP is not UTC")
if "summary" in args:
    check(str(ev["SUMMARY"]) == args["summary"], "SUMMARY %r, not %r" % (str(ev["SUMMARY"]), args["summary"]))
if "location" in args:
    check(str(ev["LOCATION"]) == args["location"], "LOCATION %r" % str(ev["LOCATION"]))
check(str(ev["STATUS"]) == ("CONFIRMED" if method == "REQUEST" else "CANCELLED"), "STATUS %s" % ev.get("STATUS"))

org = ev["ORGANIZER"]
check(str(org).lower() == "mailto:" + args["organizer"].lower(), "ORGANIZER %s" % org)
if "organizer_name" in args:
    check(org.params.get("CN") == args["organizer_name"], "ORGANIZER CN %r" % org.params.get("CN"))
att = ev["ATTENDEE"]
check(not isinstance(att, list), "several ATTENDEEs")
check(str(att).lower() == "mailto:" + args["attendee"].lower(), "ATTENDEE %s" % att)
check(att.params.get("ROLE") == "REQ-PARTICIPANT", "ATTENDEE ROLE")
if method == "REQUEST":
    check(att.params.get("RSVP") == "TRUE", "ATTENDEE without RSVP=TRUE")
    check(att.params.get("PARTSTAT") == "NEEDS-ACTION", "ATTENDEE PARTSTAT")
if "attendee_name" in args:
    check(att.params.get("CN") == args["attendee_name"], "ATTENDEE CN %r" % att.params.get("CN"))

# Times: DTSTART;TZID=zone:local, resolved through the VTIMEZONE we wrote
# (not through the reader's own database), must be the instant the local
# input names in the system's zoneinfo.
zi = ZoneInfo(zone)
def expected(local):
    naive = datetime.strptime(local, "%Y-%m-%d %H:%M")
    # fold=0: the first (summer) reading of an ambiguous time, as tz.c does
    return naive.replace(tzinfo=zi).astimezone(timezone.utc)

tzs = {str(t["TZID"]): t for t in cal.walk("VTIMEZONE")}
if zone == "UTC":
    check(not tzs, "VTIMEZONE for UTC")
    for prop, key in (("DTSTART", "start"), ("DTEND", "end")):
        dt = ev[prop].dt
        check(dt.utcoffset() == timedelta(0), "%s not in UTC" % prop)
        check(dt == expected(args[key]), "%s is %s, not %s" % (prop, dt, expected(args[key])))
else:
    check(zone in tzs, "no VTIMEZONE %s (have %s)" % (zone, list(tzs)))
    vtz = tzs[zone].to_tz() if zone in tzs else None
    for prop, key in (("DTSTART", "start"), ("DTEND", "end")):
        p = ev[prop]
        check(p.params.get("TZID") == zone, "%s TZID %s" % (prop, p.params.get("TZID")))
        if vtz is None:
            continue
        naive = p.dt.replace(tzinfo=None)
        got = vtz.localize(naive, is_dst=True).astimezone(timezone.utc)
        want = expected(args[key])
        check(got == want, "%s %s resolves to %s UTC, not %s" % (prop, naive, got, want))
    # The VTIMEZONE agrees with the system zone every 3 hours over the
    # event's year and the next.
    if vtz is not None:
        y = int(args["start"][:4])
        t = datetime(y, 1, 1, tzinfo=timezone.utc)
        bad = 0
        while t < datetime(y + 2, 1, 1, tzinfo=timezone.utc) and bad < 3:
            a = t.astimezone(vtz).utcoffset()
            b = t.astimezone(zi).utcoffset()
            if a != b:
                errors.append("at %s UTC the VTIMEZONE says %s, zoneinfo %s" % (t, a, b))
                bad += 1
            t += timedelta(hours=3)

if errors:
    print("\n".join(errors))
    sys.exit(1)
PYEOF

ORG=truc@ville.example
# gen NAME request|cancel ZONE START END SEQ [more icaltool options]
gen() {
	local name=$1 kind=$2 zone=$3 start=$4 end=$5 seq=$6
	shift 6
	"$ICALTOOL" "$kind" --tz "$zone" --start "$start" --end "$end" \
	    --seq "$seq" --dtstamp '2026-11-30 08:00' --organizer "$ORG" \
	    --organizer-name 'TRUC² formation' "$@" >"$TEST_DIR/$name.ics"
}
# check NAME DESC KEY=VALUE...
check() {
	local name=$1 desc=$2
	shift 2
	ok_cmd "$desc" "$PY" "$TEST_DIR/check.py" "$TEST_DIR/$name.ics" "$@"
}

AG=jean.dupont@ville.example
UID42=$("$ICALTOOL" uid session-42 "$AG" ville.example)
like "UID has the documented shape" "$UID42" '^session-42\.[0-9a-f]{16}@ville\.example$'
is "UID does not depend on the address's case" \
    "$("$ICALTOOL" uid session-42 Jean.Dupont@Ville.Example ville.example)" "$UID42"

TITLE='Excel; niveau 2, avancé
— tableaux croisés \ dynamiques'
PLACE='Salle du conseil, 1er étage'
ok_cmd "request, winter" gen winter request Europe/Paris \
    '2026-12-07 14:00' '2026-12-07 16:30' 0 --uid "$UID42" \
    --summary "$TITLE" --location "$PLACE" \
    --description "$(printf 'Ligne un.\nLigne deux, très longue pour être pliée : %s' \
        'àéèçôü€ 😀 àéèçôü€ 😀 àéèçôü€ 😀 àéèçôü€ 😀 àéèçôü€ 😀 àéèçôü€')" \
    --attendee "$AG" --attendee-name 'Dupont, Jean "JD"'
check winter "REQUEST in winter reads back (METHOD, UID, TZID, VTIMEZONE, ORGANIZER, RSVP, SEQUENCE, text)" \
    method=REQUEST zone=Europe/Paris uid="$UID42" seq=0 \
    start='2026-12-07 14:00' end='2026-12-07 16:30' \
    summary="$TITLE" location="$PLACE" organizer=$ORG \
    organizer_name='TRUC² formation' attendee=$AG \
    attendee_name="Dupont, Jean 'JD'"
file_contains "DTSTART is written with TZID" "$TEST_DIR/winter.ics" \
    '^DTSTART;TZID=Europe/Paris:20261207T140000'
file_contains "VTIMEZONE uses a yearly rule" "$TEST_DIR/winter.ics" \
    '^RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU'

ok_cmd "request across the autumn change" gen autumn request Europe/Paris \
    '2026-10-24 22:00' '2026-10-25 10:00' 2 --code nuit-1 \
    --domain ville.example --summary 'Veille de nuit' --attendee "$AG"
check autumn "REQUEST across 2026-10-25 resolves both ends to the right UTC" \
    method=REQUEST zone=Europe/Paris uid="$("$ICALTOOL" uid nuit-1 "$AG" ville.example)" \
    seq=2 start='2026-10-24 22:00' end='2026-10-25 10:00' organizer=$ORG attendee=$AG
file_contains "the autumn one ends at 10:00 local" "$TEST_DIR/autumn.ics" \
    '^DTEND;TZID=Europe/Paris:20261025T100000'

ok_cmd "request across the spring change" gen spring request Europe/Paris \
    '2026-03-28 20:00' '2026-03-29 09:00' 0 --code nuit-2 \
    --domain ville.example --summary 'Veille de printemps' --attendee "$AG"
check spring "REQUEST across 2026-03-29 resolves both ends to the right UTC" \
    method=REQUEST zone=Europe/Paris uid="$("$ICALTOOL" uid nuit-2 "$AG" ville.example)" \
    seq=0 start='2026-03-28 20:00' end='2026-03-29 09:00' organizer=$ORG attendee=$AG

ok_cmd "cancel" gen cancel cancel Europe/Paris \
    '2026-12-07 14:00' '2026-12-07 16:30' 1 --uid "$UID42" \
    --summary "$TITLE" --attendee "$AG"
check cancel "CANCEL reads back (same UID, raised SEQUENCE, STATUS:CANCELLED)" \
    method=CANCEL zone=Europe/Paris uid="$UID42" seq=1 \
    start='2026-12-07 14:00' end='2026-12-07 16:30' organizer=$ORG attendee=$AG
file_lacks "CANCEL asks for no answer" "$TEST_DIR/cancel.ics" 'RSVP=TRUE'

# Zones of other shapes: other rules (US second Sunday, southern
# hemisphere, Dublin's negative DST), no DST, half hours, 12:45, a zone
# that dropped DST (Sao Paulo 2019), one whose changes follow no weekday
# rule (Casablanca, Ramadan), and UTC.
for spec in \
    'America/New_York|2026-03-08 01:30|2026-03-08 04:00' \
    'America/New_York|2026-11-01 00:30|2026-11-01 03:00' \
    'Australia/Sydney|2026-04-04 20:00|2026-04-05 10:00' \
    'Australia/Sydney|2026-10-03 20:00|2026-10-04 10:00' \
    'Europe/Dublin|2026-07-01 09:00|2026-07-01 10:00' \
    'Europe/Dublin|2026-12-01 09:00|2026-12-01 10:00' \
    'Asia/Tokyo|2026-12-07 14:00|2026-12-07 16:00' \
    'Asia/Kolkata|2026-12-07 14:00|2026-12-07 16:00' \
    'Pacific/Chatham|2026-04-05 01:00|2026-04-05 05:00' \
    'America/Sao_Paulo|2026-12-07 14:00|2026-12-07 16:00' \
    'Africa/Casablanca|2026-02-20 09:00|2026-02-20 10:00' \
    'UTC|2026-12-07 14:00|2026-12-07 16:00'; do
	IFS='|' read -r zone start end <<<"$spec"
	name=zone-$(echo "$zone$start" | tr -c 'A-Za-z0-9' _)
	gen "$name" request "$zone" "$start" "$end" 3 --uid x-1@ville.example \
	    --summary 'Zone' --attendee "$AG" ||
	    { fail "generate $zone"; continue; }
	check "$name" "$zone ($start): VTIMEZONE agrees with the system zone" \
	    method=REQUEST zone="$zone" uid=x-1@ville.example seq=3 \
	    start="$start" end="$end" organizer=$ORG attendee=$AG
done

# Replies as python3-icalendar writes them, read by ical_parse_reply.
cat >"$TEST_DIR/reply.py" <<'PYEOF'
import sys
from datetime import datetime, timezone
from icalendar import Calendar, Event, vCalAddress
uid, addr, partstat, seq, out = sys.argv[1:6]
cal = Calendar()
cal.add("prodid", "-//python3-icalendar//t0060//EN")
cal.add("version", "2.0")
cal.add("method", "REPLY")
ev = Event()
ev.add("uid", uid)
ev.add("dtstamp", datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc))
ev.add("dtstart", datetime(2026, 12, 7, 13, 0, tzinfo=timezone.utc))
ev.add("sequence", int(seq))
a = vCalAddress("MAILTO:" + addr)
a.params["cn"] = "Dupont, Jean: agent"
a.params["partstat"] = partstat
ev.add("attendee", a, encode=0)
ev.add("summary", "Accepted: " + "x" * 120)
cal.add_component(ev)
open(out, "wb").write(cal.to_ical())
PYEOF
for ps in ACCEPTED DECLINED TENTATIVE; do
	ok_cmd "python writes a $ps reply" "$PY" "$TEST_DIR/reply.py" "$UID42" \
	    Jean.Dupont@Ville.Example "$ps" 4 "$TEST_DIR/reply-$ps.ics"
	ok_cmd "ical_parse_reply reads the $ps reply" "$ICALTOOL" reply "$TEST_DIR/reply-$ps.ics"
	is "it gives UID, address, PARTSTAT and SEQUENCE ($ps)" "$OUT" \
	    "$(printf 'uid=%s\nattendee=%s\npartstat=%s\nsequence=4' "$UID42" "$AG" "$ps")"
done
fail_cmd "an invitation is not a reply" "$ICALTOOL" reply "$TEST_DIR/winter.ics"
like "and it says why" "$OUT" 'not a REPLY'

done_testing
