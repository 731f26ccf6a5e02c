#!/usr/bin/env bash
# make demo: trucd end to end on throwaway servers, as its users see it.
# Starts Dovecot and smtp-sink on 127.0.0.1 in a folder on /dev/shm, loads
# a sample programme and agents, mails a few commands to the school's
# mailbox, runs trucd once, prints the replies as a mail client shows them,
# and stops everything it started.
set -u
cd "$(dirname "$0")/.."
export TRUCD_TOP=$PWD BUILD=${BUILD:-build}

need="dovecot-core dovecot-imapd postfix sqlite3 python3"
if ! dpkg -s $need >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		echo "postfix postfix/main_mailer_type select No configuration" |
			debconf-set-selections
		apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $need || exit 1
	else
		echo "make demo needs Debian packages; as root, run:"
		echo "  apt-get install -y $need"
		exit 1
	fi
fi

. tests/lib/test-lib.sh
. tests/lib/trucd-lib.sh
export TRUCD_PROGRAMME=1
test_init >/dev/null

table() { if command -v column >/dev/null; then column -s, -t; else cat; fi; }
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "== Starting a throwaway Dovecot (IMAP) and smtp-sink (SMTP) on 127.0.0.1"
trucd_setup sink 2>/dev/null
echo "   folder $TEST_DIR, IMAP port $RIG_IMAP_PORT, SMTP port $RIG_SINK_PORT"
say "== The programme, imported with trucctl session import"
"$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" session list 2>/dev/null | table

say "== Five agents write to truc@ville.example"
send_mail "Alice Martin <alice@ville.example>" "INSCRIPTION session-42" "Bonjour,

INSCRIPTION session-42

Bonne journée,
Alice
--
Alice Martin, Urbanisme"
echo "   alice: INSCRIPTION session-42"
send_mail "Bob Durand <bob@ville.example>" "Re: Programme TRUC²" "Je souhaite m'inscrire à la session 42 svp

Envoyé de mon iPhone

> Pour vous inscrire : INSCRIPTION session-43
> Pour vous inscrire : INSCRIPTION eco-2026-12"
echo "   bob (from his phone, quoting the programme): Je souhaite m'inscrire à la session 42"
send_mail "Carole Petit <carol@ville.example>" "inscription" "inscription session-42
INSCRIPTION eco-2026-12"
echo "   carol: two sessions in one mail"
send_mail "David Leroy <dave@ville.example>" "?" "INSCRIPTION session-24"
echo "   dave: a code that does not exist"
send_mail "Alice Martin <alice@ville.example>" "Réponse automatique : absente" \
	"Je suis absente jusqu'au 4 décembre." "Auto-Submitted: auto-replied"
echo "   alice's out-of-office reply (a robot: never answered)"

say "== trucd --once (the daemon does the same on every new mail, with IMAP IDLE)"
"$TRUCD" -c "$TCONF" --once --now "$TRUCD_NOW" 2>&1 | grep -v 'warning: imap.password' | sed 's/^/   /'

say "== The registrations (trucctl registrations session-42)"
"$TRUCCTL" -c "$TCONF" registrations session-42 2>/dev/null | table

for who in alice bob carol dave; do
	f=$(reply_to "$who@ville.example")
	# the reply, not the weekly programme that went out at 08:00 too
	for m in $(rig_sink_messages); do
		rig_sink_rcpts "$m" | grep -qi "^$who@" &&
			rig_sink_body "$m" | grep -q '^In-Reply-To:' && f=$m
	done
	say "== What $who reads"
	reply_body "$f" | sed 's/^/   | /'
done

say "== Alice cancels: carol, first on the waiting list, is promoted and told"
rig_sink_clear
send_mail "alice@ville.example" "Re: INSCRIPTION session-42" "DESINSCRIPTION session-42"
"$TRUCD" -c "$TCONF" --once --now "$TRUCD_NOW" >/dev/null 2>&1
reply_body "$(reply_to carol@ville.example)" | sed 's/^/   | /'

say "== The weekly programme that everyone received at 08:00 (bob's copy)"
"$TRUCCTL" -c "$TCONF" --now "$TRUCD_NOW" programme --preview --to bob@ville.example 2>/dev/null | sed 's/^/   | /'

say "== Done; stopping the servers and removing $TEST_DIR"
