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
