# trucd-lib.sh - a whole trucd on throwaway servers, for end-to-end tests
# and `make demo`.  Source after test-lib.sh:
#
#	trucd_setup [sink|postfix]   Dovecot (mailbox truc/trucpw) + SMTP capture,
#	                            $TCONF config, a sample programme and agents
#	send_mail FROM SUBJECT BODY [EXTRA_HEADERS]   a command mail into the INBOX
#	run_once [--now T]          trucd --once; exit status in $RC, log in $LOG
#	reply_to ADDR               the newest captured mail to ADDR (file path)
#	reply_body FILE             the message as the person's client gets it
#	reply_calendar FILE         its text/calendar part, decoded
#	TRUCD_PROGRAMME=1 before trucd_setup adds the weekly programme section
#
# The programme: session-42 (capacity 2, Monday 2026-12-07 14:00-16:00),
# session-43 (capacity 10, overlapping session-42), eco-2026-12 (capacity
# 13), and a past session old-1.  Agents: alice, bob, carol, dave,
# coordination (a coordinator) @ville.example.  Now is 2026-11-30 09:00.

TRUCD_NOW=${TRUCD_NOW:-"2026-11-30 09:00"}

trucd_setup() {
	local smtp=${1:-sink}
	rig_init
	rig_start_dovecot || bail_out "dovecot did not start"
	rig_start_sink || bail_out "smtp-sink did not start"
	local smtp_port=$RIG_SINK_PORT
	if [ "$smtp" = postfix ]; then
		rig_start_postfix sink || bail_out "postfix did not start"
		smtp_port=$RIG_SMTP_PORT
	fi
	TCONF=$TEST_DIR/trucd.conf
	# The weekly programme only where a test asks for it (TRUCD_PROGRAMME=1):
	# elsewhere it would land among the replies being checked.
	local programme_section=
	[ "${TRUCD_PROGRAMME:-0}" = 1 ] && programme_section='programme {
  day = "monday"
  time = "08:00"
  weeks = 2
}'

	TDB=$TEST_DIR/trucd.db
	cat >"$TCONF" <<CONF
database  = "$TDB"
templates = "$TRUCD_TOP/templates"
timezone  = "Europe/Paris"
language  = "fr"
school {
  name         = "TRUC²"
  address      = "truc@ville.example"
  coordinators = {"coordination@ville.example"}
  domains      = {"ville.example"}
  trusted_authserv_id = "mx.ville.example"
}
imap {
  url  = "imap://127.0.0.1:$RIG_IMAP_PORT"
  tls  = "none"
  user = "truc"
  password = "trucpw"
  mailbox = "INBOX"
  done_mailbox = "Traités"
  poll_interval = 2
}
smtp {
  url = "smtp://127.0.0.1:$smtp_port"
  tls = "none"
}
$programme_section
reminders = {"1d", "2h"}
CONF
	cat >"$TEST_DIR/sessions.csv" <<'CSV'
code,title,track,start,end,place,capacity,trainer,description
session-42,Tableur : les bases,Un truc en plus,2026-12-07 14:00,2026-12-07 16:00,Salle 3,2,formateur@ville.example,Premiers pas dans le tableur
session-43,Messagerie et agenda,Un truc en plus,2026-12-07 15:00,2026-12-07 17:00,Salle 4,10,,
eco-2026-12,Sobriété numérique,Développement durable,2026-12-10 12:00,2026-12-10 13:30,Auditorium,13,,Rencontre mensuelle
old-1,Session passée,Conférence,2026-11-02 10:00,2026-11-02 12:00,Salle 1,10,,
CSV
	cat >"$TEST_DIR/agents.csv" <<'CSV'
email,name,service,manager
alice@ville.example,Alice Martin,Urbanisme,
bob@ville.example,Bob Durand,Espaces verts,
carol@ville.example,Carole Petit,État civil,
dave@ville.example,David Leroy,Voirie,
formateur@ville.example,Fabrice Formateur,DSI,
coordination@ville.example,Coordination TRUC²,RH,
CSV
	"$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" session import "$TEST_DIR/sessions.csv" >/dev/null ||
		bail_out "session import failed"
	"$TRUCCTL" -c "$TCONF" agent import "$TEST_DIR/agents.csv" >/dev/null ||
		bail_out "agent import failed"
	_mail_seq=0
}

# send_mail FROM SUBJECT BODY [EXTRA_HEADERS]: delivered unseen to truc's INBOX.
send_mail() {
	local from=$1 subject=$2 body=$3 extra=${4:-}
	_mail_seq=$((_mail_seq + 1))
	local f=$TEST_DIR/in-$_mail_seq.eml
	{
		printf 'From: %s\r\n' "$from"
		printf 'To: truc@ville.example\r\n'
		printf 'Subject: %s\r\n' "$subject"
		printf 'Date: Mon, 30 Nov 2026 08:%02d:00 +0100\r\n' $((_mail_seq % 60))
		printf 'Message-ID: <test-%d-%s@client.example>\r\n' "$_mail_seq" "$$"
		printf 'MIME-Version: 1.0\r\n'
		printf 'Content-Type: text/plain; charset=UTF-8\r\n'
		printf 'Content-Transfer-Encoding: 8bit\r\n'
		[ -n "$extra" ] && printf '%s\r\n' "$extra"
		printf '\r\n'
		printf '%s\r\n' "$body"
	} >"$f"
	rig_deliver truc "$f" >/dev/null
}

# run_once [ARGS...]: one trucd --once at $TRUCD_NOW unless --now given.
run_once() {
	LOG=$TEST_DIR/trucd-$_mail_seq.log
	if [ "${1:-}" = --now ]; then
		"$TRUCD" -c "$TCONF" --once "$@" >"$LOG" 2>&1
	else
		"$TRUCD" -c "$TCONF" --once --now "$TRUCD_NOW" "$@" >"$LOG" 2>&1
	fi
	RC=$?
	return 0
}

# reply_to ADDR: path of the newest captured message whose recipient is ADDR.
reply_to() {
	local f last=
	for f in $(rig_sink_messages); do
		rig_sink_rcpts "$f" | grep -qix "$1" && last=$f
	done
	[ -n "$last" ] && echo "$last"
}

# replies_to ADDR: how many captured messages went to ADDR.
replies_to() {
	local f n=0
	for f in $(rig_sink_messages); do
		rig_sink_rcpts "$f" | grep -qix "$1" && n=$((n + 1))
	done
	echo "$n"
}

# reply_body FILE: headers and the decoded text parts, as a client shows them.
reply_body() {
	rig_sink_body "$1" | /usr/bin/python3 -c '
import email, sys
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
for k in ("From", "To", "Subject", "In-Reply-To", "References", "Auto-Submitted", "Content-Type"):
    if m[k] is not None:
        print("%s: %s" % (k, m[k]))
print()
for part in m.walk():
    if part.get_content_maintype() == "multipart":
        continue
    ct = part.get_content_type()
    if ct == "text/plain" and part.get_filename() is None:
        print(part.get_content())
    else:
        print("[%s%s]" % (ct, (" " + part.get_filename()) if part.get_filename() else ""))
'
}

# reply_calendar FILE: the decoded text/calendar part of a captured mail.
reply_calendar() {
	rig_sink_body "$1" | /usr/bin/python3 -c '
import email, sys
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
for part in m.walk():
    if part.get_content_type() == "text/calendar":
        sys.stdout.write(part.get_content())
        break
'
}

# sql QUERY: one query on the test database.
sql() {
	sqlite3 "$TDB" "$1"
}

# --- mail with parts, and reading parts back (t0650, t0660) ----------------
#
#	send_raw FILE               deliver a ready message as it is
#	send_mime FROM SUBJECT [--text T] [--html H] [--attach TYPE FILE]...
#	          [--header 'Name: value']...
#	                            a MIME message built by Python's email
#	                            (policy SMTP: CRLF): text and/or HTML
#	                            (multipart/alternative when both), files
#	                            attached with their base name; --header
#	                            lines go on top, in the order given, as a
#	                            receiving server prepends trace headers
#	reply_header FILE NAME      a captured mail's first NAME header, decoded
#	                            (RFC 2047) and unfolded
#	reply_parts FILE            one line per leaf part: TYPE FILENAME-or-"-"
#	reply_part FILE TYPE        the decoded bytes of the first part of TYPE
#	db_snapshot [TABLE...]      a stable dump of those tables (default:
#	                            sessions registrations agents proposals)
#	watchdog SECONDS            past that, "Bail out!", the test's children
#	                            (a hung trucd) and the test itself get TERM

# send_raw FILE: into truc's INBOX, unseen, exact bytes.
send_raw() {
	_mail_seq=$((_mail_seq + 1))
	rig_deliver truc "$1" >/dev/null
}

send_mime() {
	local from=$1 subject=$2 f
	shift 2
	_mail_seq=$((_mail_seq + 1))
	f=$TEST_DIR/in-$_mail_seq.eml
	/usr/bin/python3 - "$f" "<test-$_mail_seq-$$@client.example>" \
	    "$(printf 'Mon, 30 Nov 2026 08:%02d:00 +0100' $((_mail_seq % 60)))" \
	    "$from" "$subject" "$@" <<'PY' || return 1
import email.policy, os, sys
from email.message import EmailMessage

out, msgid, date, frm, subject = sys.argv[1:6]
args = sys.argv[6:]
text = html = None
atts, headers = [], []
i = 0
while i < len(args):
    a = args[i]
    if a == "--text":
        text = args[i + 1]; i += 2
    elif a == "--html":
        html = args[i + 1]; i += 2
    elif a == "--attach":
        atts.append((args[i + 1], args[i + 2])); i += 3
    elif a == "--header":
        headers.append(args[i + 1]); i += 2
    else:
        sys.exit("send_mime: unknown option " + a)
m = EmailMessage(policy=email.policy.SMTP)
for h in headers:
    name, _, value = h.partition(":")
    m[name.strip()] = value.strip()
m["From"] = frm
m["To"] = "truc@ville.example"
m["Subject"] = subject
m["Date"] = date
m["Message-ID"] = msgid
if text is not None:
    m.set_content(text)
    if html is not None:
        m.add_alternative(html, subtype="html")
elif html is not None:
    m.set_content(html, subtype="html")
for ctype, path in atts:
    maintype, subtype = ctype.split("/", 1)
    with open(path, "rb") as fh:
        m.add_attachment(fh.read(), maintype=maintype, subtype=subtype,
                         filename=os.path.basename(path))
with open(out, "wb") as fh:
    fh.write(m.as_bytes())
PY
	rig_deliver truc "$f" >/dev/null
}

reply_header() {
	rig_sink_body "$1" | /usr/bin/python3 -c '
import email, sys
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
v = m.get(sys.argv[1])
if v is not None:
    print(" ".join(str(v).split()))
' "$2"
}

reply_parts() {
	rig_sink_body "$1" | /usr/bin/python3 -c '
import email, sys
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
for part in m.walk():
    if part.get_content_maintype() != "multipart":
        print(part.get_content_type(), part.get_filename() or "-")
'
}

reply_part() {
	rig_sink_body "$1" | /usr/bin/python3 -c '
import email, sys
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
for part in m.walk():
    if part.get_content_type() == sys.argv[1]:
        sys.stdout.buffer.write(part.get_payload(decode=True) or b"")
        break
' "$2"
}

db_snapshot() {
	local t
	[ $# -gt 0 ] || set -- sessions registrations agents proposals
	for t in "$@"; do
		sqlite3 "$TDB" ".dump $t"
	done
}

# watchdog SECONDS: bounds a whole test.  The test's own children are
# stopped first: bash runs its TERM trap only once the command it waits for
# has ended.
watchdog() {
	local top=$$ limit=$1
	(
		trap 'kill "$s" 2>/dev/null; exit 0' TERM
		sleep "$limit" &
		s=$!
		wait "$s"
		echo "Bail out! more than $limit s"
		for p in $(ps -o pid= --ppid "$top"); do
			[ "$p" = "$BASHPID" ] || kill -TERM "$p" 2>/dev/null
		done
		kill -TERM "$top"
	) &
	track_pid $!
}

# --- scheduled mail and calendar invitations (t0500, t0510, t0520) ---------
#
#	run_at T                    trucd --once --now T, bounded to 30 s; exit
#	                            status in $RC, log in $LOG; prints a failing
#	                            TAP line (with the log's end) unless it
#	                            exits 0, nothing otherwise
#	sink_list                   one line per captured mail, oldest first:
#	                            FILE<TAB>RECIPIENTS (comma-separated)<TAB>
#	                            decoded Subject
#	mails_to ADDR [ERE]         files of the mails to ADDR whose decoded
#	                            Subject matches ERE (grep -E), oldest first
#	count_mails ADDR [ERE]      how many
#	sink_subject FILE           the decoded, unfolded Subject of a captured mail
#	sink_keep FILE NAME         copies a captured mail to $TEST_DIR/kept/NAME
#	                            (it outlives rig_sink_clear) and prints the
#	                            new path
#	mime_tree FILE              the MIME structure, one part a line,
#	                            indented by depth: "TYPE[; method=M]
#	                            [name=FILE]"
#	mime_text FILE TYPE [N]     the decoded text of the Nth (default 1)
#	                            leaf part of TYPE
#	ical_report FILE            reads the invitation of a captured mail with
#	                            python3-icalendar and checks what RFC 5545,
#	                            5546 and 6047 require of it; KEY=VALUE lines:
#	                            errors (none, or what is wrong), method,
#	                            ct_method (Content-Type parameter), uid,
#	                            sequence, dtstart/dtend (local wall clock
#	                            "YYYY-MM-DD HH:MM"), tzid, organizer,
#	                            attendee, rsvp, partstat, status, summary,
#	                            location, ics (number of .ics attachments),
#	                            ics_same (yes: each is the calendar part's
#	                            text byte for byte); "calendar=none" when the
#	                            mail carries no text/calendar part
#	ical_get REPORT KEY         one value of an ical_report
#	calendar_reply CLIENT PARTSTAT INVITATION FROM [ATTENDEE]
#	                            delivers to truc's INBOX the answer a
#	                            calendar client sends to the invitation in
#	                            the captured mail INVITATION (its UID,
#	                            SEQUENCE, times, summary): CLIENT is outlook,
#	                            gmail or thunderbird, PARTSTAT ACCEPTED or
#	                            DECLINED, FROM "Name <addr>", ATTENDEE the
#	                            address in the ATTENDEE line (default: the
#	                            sender's).  The message is constructed the
#	                            way each client writes it (see the comments
#	                            in the function), not captured from one.

run_at() {
	_run_at_seq=$((${_run_at_seq:-0} + 1))
	LOG=$TEST_DIR/trucd-at-$_run_at_seq.log
	timeout -k 5 30 "$TRUCD" -c "$TCONF" --once --now "$1" >"$LOG" 2>&1
	RC=$?
	[ "$RC" -eq 0 ] && return 0
	fail "trucd --once --now '$1' exits 0" "exit status $RC" \
	    "$(tail -n 15 "$LOG")"
}

sink_list() {
	rig_sink_messages | /usr/bin/python3 -c '
import email, sys
from email import policy

for path in sys.stdin.read().split():
    with open(path, "rb") as fh:
        raw = fh.read()
    rcpts, body = [], raw
    lines = raw.split(b"\n")
    for i, line in enumerate(lines):
        if line.startswith(b"X-Rcpt-Args: <"):
            rcpts.append(line[14:line.index(b">")].decode())
        elif line.startswith(b"Received: "):
            # smtp-sink: Received and its continuation lines, then the mail
            j = i + 1
            while j < len(lines) and lines[j][:1] in (b"\t", b" "):
                j += 1
            body = b"\n".join(lines[j:])
            break
    m = email.message_from_bytes(body, policy=policy.default)
    subject = " ".join(str(m.get("Subject", "")).split())
    print("%s\t%s\t%s" % (path, ",".join(r.lower() for r in rcpts), subject))
'
}

mails_to() {
	local addr ere=${2:-}
	addr=$(printf '%s' "$1" | tr 'A-Z' 'a-z')
	sink_list | awk -F '\t' -v a="$addr" '
	    { n = split($2, r, ","); for (i = 1; i <= n; i++) if (r[i] == a) { print; break } }' |
	    while IFS=$'\t' read -r f _ subject; do
		[ -z "$ere" ] || printf '%s\n' "$subject" | grep -qE -- "$ere" || continue
		printf '%s\n' "$f"
	done
}

count_mails() {
	mails_to "$@" | wc -l | tr -d ' '
}

sink_subject() {
	rig_sink_body "$1" | /usr/bin/python3 -c '
import email, sys
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
print(" ".join(str(m.get("Subject", "")).split()))
'
}

sink_keep() {
	[ -f "$1" ] || return 1
	mkdir -p "$TEST_DIR/kept" && cp "$1" "$TEST_DIR/kept/$2" &&
	    printf '%s\n' "$TEST_DIR/kept/$2"
}

mime_tree() {
	rig_sink_body "$1" | /usr/bin/python3 -c '
import email, sys
from email import policy

def walk(part, depth):
    ct = part.get_content_type()
    extra = ""
    if part.get_param("method") is not None:
        extra += "; method=%s" % part.get_param("method")
    if part.get_filename():
        extra += " name=%s" % part.get_filename()
    print("%s%s%s" % ("  " * depth, ct, extra))
    if part.is_multipart():
        for sub in part.iter_parts():
            walk(sub, depth + 1)

walk(email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default), 0)
'
}

mime_text() {
	rig_sink_body "$1" | /usr/bin/python3 -c '
import email, sys
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
want, n = sys.argv[1], int(sys.argv[2])
for part in m.walk():
    if part.is_multipart() or part.get_content_type() != want:
        continue
    n -= 1
    if n == 0:
        data = part.get_payload(decode=True) or b""
        cs = part.get_content_charset() or "utf-8"
        sys.stdout.write(data.decode(cs, "replace"))
        break
' "$2" "${3:-1}"
}

ical_report() {
	rig_sink_body "$1" | /usr/bin/python3 -c '
import email, sys
from email import policy
from zoneinfo import ZoneInfo
from icalendar import Calendar

m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
cal_part, ics = None, []
for part in m.walk():
    if part.is_multipart():
        continue
    if part.get_content_type() == "text/calendar" and cal_part is None:
        cal_part = part
    elif part.get_content_type() == "application/ics" or \
            (part.get_filename() or "").endswith(".ics"):
        ics.append(part)
if cal_part is None:
    print("calendar=none")
    print("ics=%d" % len(ics))
    sys.exit(0)

errors = []
def check(cond, what):
    if not cond:
        errors.append(what)

raw = cal_part.get_payload(decode=True)
out = {"calendar": "yes", "ct_method": cal_part.get_param("method") or ""}
check(cal_part.get_content_charset() in ("utf-8",), "text/calendar charset %s" % cal_part.get_content_charset())
check(raw.endswith(b"\r\n"), "RFC 5545 3.1: does not end with CRLF")
for n, line in enumerate(raw.split(b"\r\n")[:-1], 1):
    check(b"\n" not in line, "RFC 5545 3.1: line %d has a bare LF" % n)
    check(len(line) <= 75, "RFC 5545 3.1: line %d is %d octets" % (n, len(line)))
try:
    cal = Calendar.from_ical(raw)
except Exception as e:
    print("errors=icalendar cannot read it: %s" % e)
    sys.exit(0)
check(cal.name == "VCALENDAR", "not a VCALENDAR")
check(str(cal.get("VERSION", "")) == "2.0", "VERSION is not 2.0")
check(cal.get("PRODID") is not None, "no PRODID")
method = str(cal.get("METHOD", ""))
out["method"] = method
check(method != "", "no METHOD (RFC 5546/6047)")
check(method == out["ct_method"], "METHOD %s but Content-Type method=%s (RFC 6047 2.4)" % (method, out["ct_method"]))
events = cal.walk("VEVENT")
check(len(events) == 1, "%d VEVENTs" % len(events))
if events:
    ev = events[0]
    need = ["UID", "DTSTAMP", "DTSTART", "SEQUENCE", "ORGANIZER", "ATTENDEE"]
    if method == "REQUEST":
        need.append("SUMMARY")
    for p in need:
        check(p in ev, "no %s (RFC 5546 requires it in a %s)" % (p, method))
    out["uid"] = str(ev.get("UID", ""))
    out["sequence"] = str(int(ev.get("SEQUENCE", -1)))
    out["status"] = str(ev.get("STATUS", ""))
    out["summary"] = str(ev.get("SUMMARY", ""))
    out["location"] = str(ev.get("LOCATION", ""))
    if "DTSTAMP" in ev:
        st = ev["DTSTAMP"].dt
        check(st.tzinfo is not None and st.utcoffset().total_seconds() == 0, "DTSTAMP is not UTC")
    tzids = [str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")]
    for p in ("DTSTART", "DTEND"):
        if p not in ev:
            continue
        tzid = ev[p].params.get("TZID")
        check(tzid is not None, "%s without TZID" % p)
        check(tzid in tzids, "%s TZID=%s has no VTIMEZONE (RFC 5545 3.6.5)" % (p, tzid))
        out["tzid"] = tzid or ""
        dt = ev[p].dt
        if tzid:
            dt = dt.replace(tzinfo=None)	# the wall clock as written
        out[p.lower()] = dt.strftime("%Y-%m-%d %H:%M")
    org = ev.get("ORGANIZER")
    out["organizer"] = str(org or "").lower().replace("mailto:", "")
    att = ev.get("ATTENDEE")
    if isinstance(att, list):
        errors.append("%d ATTENDEEs" % len(att))
        att = att[0]
    if att is not None:
        out["attendee"] = str(att).lower().replace("mailto:", "")
        out["rsvp"] = att.params.get("RSVP", "")
        out["partstat"] = att.params.get("PARTSTAT", "")
        if method == "REQUEST":
            check(out["rsvp"] == "TRUE", "ATTENDEE without RSVP=TRUE")
    if method == "REQUEST":
        check(out["status"] in ("", "CONFIRMED", "TENTATIVE"), "STATUS %s in a REQUEST" % out["status"])
    if method == "CANCEL":
        check(out["status"] == "CANCELLED", "STATUS %s in a CANCEL (RFC 5546 3.2.5)" % out["status"])
out["ics"] = str(len(ics))
out["ics_same"] = "yes" if ics and all(p.get_payload(decode=True) == raw for p in ics) else "no"
out["ics_names"] = " ".join(p.get_filename() or "-" for p in ics)
out["errors"] = "; ".join(errors) if errors else "none"
for k, v in out.items():
    print("%s=%s" % (k, v))
'
}

ical_get() {
	printf '%s\n' "$1" | sed -n "s/^$2=//p" | head -n 1
}

# The three forms below follow RFC 5546 (REPLY: METHOD, one VEVENT with UID,
# SEQUENCE, DTSTAMP and the answering ATTENDEE with its PARTSTAT) and RFC
# 6047, shaped as the clients write them:
# - outlook: Outlook / Exchange (what "Microsoft Exchange Server 2010" PRODIDs
#   show): multipart/alternative of text/plain, text/html and
#   text/calendar; charset="utf-8"; method=REPLY, all base64; Windows zone
#   name "Romance Standard Time" in TZID; no ORGANIZER (outlook.com);
#   Subject "Accepté : <summary>" / "Refusé : <summary>"; Thread-Topic.
# - gmail: Google Calendar: multipart/mixed of [multipart/alternative of
#   text/plain, text/html, text/calendar; charset="UTF-8"; method=REPLY
#   (7bit)] and application/ics; name="invite.ics" (base64); UTC times;
#   Sender: Google Calendar; ATTENDEE with CUTYPE, ROLE, X-NUM-GUESTS.
# - thunderbird: Thunderbird's calendar (CalItipEmailTransport: a
#   multipart/mixed of [multipart/alternative of text/plain and
#   text/calendar; method=REPLY; charset=UTF-8, 8bit] and application/ics;
#   name=invite.ics as an attachment, the same text twice), VTIMEZONE and
#   TZID=Europe/Paris, lower-case "Content-type" header names as it writes
#   them.
calendar_reply() {
	local client=$1 partstat=$2 inv=$3 from=$4 attendee=${5:-} f
	_mail_seq=$((_mail_seq + 1))
	f=$TEST_DIR/in-$_mail_seq.eml
	rig_sink_body "$inv" | /usr/bin/python3 -c '
import base64, email, sys
from datetime import datetime, timezone
from email import policy
from email.utils import parseaddr
from zoneinfo import ZoneInfo
from icalendar import Calendar

client, partstat, frm, attendee, out, seq_no = sys.argv[1:7]
name, addr = parseaddr(frm)
attendee = attendee or addr
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
raw = None
for part in m.walk():
    if part.get_content_type() == "text/calendar":
        raw = part.get_payload(decode=True)
        break
if raw is None:
    sys.exit("calendar_reply: no invitation in that mail")
ev = Calendar.from_ical(raw).walk("VEVENT")[0]
uid, seq = str(ev["UID"]), int(ev.get("SEQUENCE", 0))
summary = str(ev.get("SUMMARY", ""))
location = str(ev.get("LOCATION", ""))
paris = ZoneInfo("Europe/Paris")
start = ev["DTSTART"].dt.astimezone(paris)
end = ev["DTEND"].dt.astimezone(paris)
stamp = datetime(2026, 11, 30, 8, 30, tzinfo=timezone.utc)
org = ev.get("ORGANIZER")
org = str(org) if org is not None else "mailto:truc@ville.example"
accepted = partstat == "ACCEPTED"
fr_verb = "Accepté" if accepted else "Refusé"
msgid = "<%s-%s-%s@%s>" % (client, seq_no, uid.split("@")[0], addr.split("@")[1])
date = "Mon, 30 Nov 2026 09:%02d:00 +0100" % (int(seq_no) % 60)

def ics(lines):
    return ("\r\n".join(lines) + "\r\n").encode()

def b64(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))

def wall(dt):
    return dt.strftime("%Y%m%dT%H%M%S")

if client == "outlook":
    cal = ics([
        "BEGIN:VCALENDAR", "METHOD:REPLY", "PRODID:Microsoft Exchange Server 2010",
        "VERSION:2.0", "BEGIN:VTIMEZONE", "TZID:Romance Standard Time",
        "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10",
        "END:STANDARD", "BEGIN:DAYLIGHT", "DTSTART:16010101T020000",
        "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
        "END:VTIMEZONE", "BEGIN:VEVENT",
        "ATTENDEE;PARTSTAT=%s;CN=%s:mailto:%s" % (partstat, name, attendee),
        "COMMENT;LANGUAGE=fr-FR:\\n",
        "SUMMARY;LANGUAGE=fr-FR:%s : %s" % (fr_verb, summary),
        "DTSTART;TZID=Romance Standard Time:%s" % wall(start),
        "DTEND;TZID=Romance Standard Time:%s" % wall(end),
        "UID:%s" % uid, "CLASS:PUBLIC", "PRIORITY:5",
        "DTSTAMP:%s" % stamp.strftime("%Y%m%dT%H%M%SZ"), "TRANSP:OPAQUE",
        "STATUS:CONFIRMED", "SEQUENCE:%d" % seq,
        "LOCATION;LANGUAGE=fr-FR:%s" % location,
        "X-MICROSOFT-CDO-APPT-SEQUENCE:%d" % seq,
        "X-MICROSOFT-CDO-OWNERAPPTSEQ:%d" % seq,
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY", "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
        "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE", "X-MICROSOFT-CDO-IMPORTANCE:1",
        "X-MICROSOFT-CDO-INSTTYPE:0", "X-MICROSOFT-DONOTFORWARDMEETING:FALSE",
        "X-MICROSOFT-DISALLOW-COUNTER:FALSE", "END:VEVENT", "END:VCALENDAR"])
    text = "".encode()
    html = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
            "charset=utf-8\"></head><body></body></html>").encode()
    bnd = "_000_PR1P264MB1234ABCDEF_"
    head = [
        "From: %s" % frm, "To: =?utf-8?B?VFJVQ8Ky?= <truc@ville.example>",
        "Subject: =?utf-8?B?%s?=" % base64.b64encode(("%s : %s" % (fr_verb, summary)).encode()).decode(),
        "Thread-Topic: =?utf-8?B?%s?=" % base64.b64encode(summary.encode()).decode(),
        "Thread-Index: AQHbQ2xkTWVldGluZyByZXBseQ==", "Date: %s" % date,
        "Message-ID: %s" % msgid, "Accept-Language: fr-FR, en-US",
        "Content-Language: fr-FR", "X-MS-Has-Attach:", "X-MS-TNEF-Correlator:",
        "Content-Type: multipart/alternative; boundary=\"%s\"" % bnd,
        "MIME-Version: 1.0", ""]
    body = [
        "--" + bnd, "Content-Type: text/plain; charset=\"utf-8\"",
        "Content-Transfer-Encoding: base64", "", b64(text), "",
        "--" + bnd, "Content-Type: text/html; charset=\"utf-8\"",
        "Content-Transfer-Encoding: base64", "", b64(html), "",
        "--" + bnd, "Content-Type: text/calendar; charset=\"utf-8\"; method=REPLY",
        "Content-Transfer-Encoding: base64", "", b64(cal), "",
        "--" + bnd + "--", ""]
    data = "\r\n".join(head + body).encode()
elif client == "gmail":
    cal = ics([
        "BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:REPLY", "BEGIN:VEVENT",
        "DTSTART:%s" % start.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        "DTEND:%s" % end.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        "DTSTAMP:%s" % stamp.strftime("%Y%m%dT%H%M%SZ"),
        "ORGANIZER;CN=TRUC²:mailto:truc@ville.example", "UID:%s" % uid,
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=%s;CN=%s;X-NUM-GUE" % (partstat, name),
        " STS=0:mailto:%s" % attendee,
        "CREATED:20261130T080000Z", "LAST-MODIFIED:%s" % stamp.strftime("%Y%m%dT%H%M%SZ"),
        "LOCATION:%s" % location, "SEQUENCE:%d" % seq, "STATUS:CONFIRMED",
        "SUMMARY:%s" % summary, "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"])
    who = "%s a %s cette invitation." % (name, "accepté" if accepted else "refusé")
    subj = "%s : %s @ %s (truc@ville.example)" % (
        "Invitation acceptée" if accepted else "Invitation refusée", summary,
        start.strftime("%d/%m/%Y %H:%M"))
    outer, alt = "000000000000a1b2c3d4e5f60718", "000000000000a1b2c3d4e5f60717"
    head = [
        "MIME-Version: 1.0", "Sender: Google Calendar <calendar-notification@google.com>",
        "Reply-To: %s" % addr, "Date: %s" % date, "Message-ID: %s" % msgid,
        "Subject: =?UTF-8?B?%s?=" % base64.b64encode(subj.encode()).decode(),
        "From: %s" % frm, "To: truc@ville.example",
        "Content-Type: multipart/mixed; boundary=\"%s\"" % outer, ""]
    body = [
        "--" + outer, "Content-Type: multipart/alternative; boundary=\"%s\"" % alt, "",
        "--" + alt, "Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes",
        "Content-Transfer-Encoding: base64", "", b64(who.encode()), "",
        "--" + alt, "Content-Type: text/html; charset=\"UTF-8\"",
        "Content-Transfer-Encoding: base64", "",
        b64(("<span itemscope itemtype=\"http://schema.org/InformAction\">"
             "<p>%s</p></span>" % who).encode()), "",
        "--" + alt, "Content-Type: text/calendar; charset=\"UTF-8\"; method=REPLY",
        "Content-Transfer-Encoding: 7bit", "", cal.decode().rstrip("\r\n"), "",
        "--" + alt + "--", "",
        "--" + outer, "Content-Type: application/ics; name=\"invite.ics\"",
        "Content-Disposition: attachment; filename=\"invite.ics\"",
        "Content-Transfer-Encoding: base64", "", b64(cal), "",
        "--" + outer + "--", ""]
    data = "\r\n".join(head + body).encode()
elif client == "thunderbird":
    cal = ics([
        "BEGIN:VCALENDAR", "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
        "VERSION:2.0", "METHOD:REPLY", "BEGIN:VTIMEZONE", "TZID:Europe/Paris",
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
        "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "END:DAYLIGHT", "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
        "TZNAME:CET", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "END:STANDARD", "END:VTIMEZONE", "BEGIN:VEVENT",
        "CREATED:20261130T080000Z", "LAST-MODIFIED:%s" % stamp.strftime("%Y%m%dT%H%M%SZ"),
        "DTSTAMP:%s" % stamp.strftime("%Y%m%dT%H%M%SZ"), "UID:%s" % uid,
        "SUMMARY:%s" % summary, "ORGANIZER;CN=TRUC²:%s" % org,
        "ATTENDEE;RSVP=TRUE;PARTSTAT=%s;ROLE=REQ-PARTICIPANT;CN=%s:mailto:%s" % (partstat, name, attendee),
        "DTSTART;TZID=Europe/Paris:%s" % wall(start),
        "DTEND;TZID=Europe/Paris:%s" % wall(end),
        "LOCATION:%s" % location, "SEQUENCE:%d" % seq, "STATUS:CONFIRMED",
        "X-MOZ-RECEIVED-SEQUENCE:%d" % seq,
        "X-MOZ-RECEIVED-DTSTAMP:%s" % stamp.strftime("%Y%m%dT%H%M%SZ"),
        "END:VEVENT", "END:VCALENDAR"])
    who = "%s a %s votre invitation à l’événement." % (name, "accepté" if accepted else "refusé")
    subj = "%s : %s" % (fr_verb, summary)
    outer, alt = "Boundary_(ID_qyG4ZdjoAsiZ+Jo19dCbWQ)", "Boundary_(ID_ryU4ZdJoASiZ+Jo21dCbwA)"
    head = [
        "MIME-version: 1.0", "Message-ID: %s" % msgid, "Date: %s" % date,
        "From: %s" % frm, "To: truc@ville.example",
        "Subject: =?UTF-8?B?%s?=" % base64.b64encode(subj.encode()).decode(),
        "User-Agent: Mozilla Thunderbird",
        "Content-type: multipart/mixed; boundary=\"%s\"" % outer, "", ""]
    body = [
        "--" + outer, "Content-type: multipart/alternative;", " boundary=\"%s\"" % alt, "", "",
        "--" + alt, "Content-type: text/plain; charset=UTF-8",
        "Content-transfer-encoding: 8BIT", "", who, "", "",
        "--" + alt, "Content-type: text/calendar; method=REPLY; charset=UTF-8",
        "Content-transfer-encoding: 8BIT", "", cal.decode(), "",
        "--" + alt + "--", "",
        "--" + outer, "Content-type: application/ics; name=invite.ics",
        "Content-transfer-encoding: 8BIT",
        "Content-disposition: attachment; filename=invite.ics", "", cal.decode(), "",
        "--" + outer + "--", ""]
    data = "\r\n".join(head + body).encode()
else:
    sys.exit("calendar_reply: outlook, gmail or thunderbird")
with open(out, "wb") as fh:
    fh.write(data)
' "$client" "$partstat" "$from" "$attendee" "$f" "$_mail_seq" || return 1
	rig_deliver truc "$f" >/dev/null
}
