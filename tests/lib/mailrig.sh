#!/usr/bin/env bash
# mailrig.sh - throwaway mail servers on 127.0.0.1 for tests, `make demo`
# and benchmarks: Dovecot (IMAP, STARTTLS, IMAPS, LMTP), an smtp-sink that
# writes one file per message, and a Postfix (root only) that rejects listed
# recipients and relays the rest to the sink (or to Dovecot LMTP).
#
# As a command (servers keep running after it returns; DIR/mailrig.env holds
# the RIG_* variables below, ready to be sourced):
#	mailrig.sh start DIR [dovecot[:good|wrongname|unknownca]] [sink]
#	                     [postfix[:sink|lmtp]]
#	mailrig.sh stop DIR
# Sourced (bash), as tests/lib/test-lib.sh does:
#	rig_init DIR; rig_start_dovecot; rig_start_sink; rig_start_postfix
#	... ; rig_stop_all
#
# Functions (return 0 on success; on failure they print why on stderr,
# with the server's last log lines):
#	rig_init [DIR]             make/switch to rig DIR (default $TEST_DIR/rig)
#	rig_use DIR                the same, for an existing rig
#	rig_start_dovecot [good|wrongname|unknownca]   (re)start, wait for "* OK"
#	                           (RIG_DOVECOT_IMAP_EXTRA: lines added to its
#	                           "protocol imap" block, e.g. imap_capability)
#	rig_restart_dovecot, rig_stop_dovecot          same ports, mail kept
#	rig_add_user NAME PW       a new IMAP/LMTP user, usable at once
#	rig_deliver USER FILE...   into USER's INBOX, unseen, exact bytes, UIDs in
#	                           argument order ("-" = stdin); pass many files
#	                           in one call: 2,000 take 0.1 s, each call ~30 ms
#	rig_count USER MAILBOX [messages|unseen|recent]
#	rig_doveadm ARGS...        doveadm -c $RIG_DOVECOT_CONF ARGS...
#	rig_start_sink [smtp-sink options], rig_stop_sink   same port on restart
#	rig_sink_messages          dump files, oldest first
#	rig_sink_count, rig_sink_wait N [TIMEOUT_S], rig_sink_clear
#	rig_sink_body FILE, rig_sink_from FILE, rig_sink_rcpts FILE
#	rig_have_postfix           true if Postfix can run here (root)
#	rig_start_postfix [sink|lmtp], rig_stop_postfix
#	rig_postfix_reject ADDR... reject these from the next connection on
#	rig_postfix_queue_empty    true once Postfix has relayed everything
#	rig_start_postfix_submission [sink|lmtp]   a port where only clients
#	                           that logged in (STARTTLS, then AUTH checked by
#	                           Dovecot) may send; starts Postfix if needed
#	rig_stop_all [DIR]         stop every server of the rig
#	rig_running dovecot|sink|postfix
#	rig_free_port [N]          free TCP ports on 127.0.0.1, never repeated
#
# One rig = one directory = at most one server of each kind.  Run a second
# Dovecot (say, one serving the wrong certificate) in a second rig directory:
# rig_init DIR2 shares the first rig's test CA through RIG_TLS_DIR, and
# rig_use DIR switches back to a rig (reloading DIR/mailrig.env).
#
# Variables (exported, and written to DIR/mailrig.env after every change):
#	RIG_DIR           the rig directory (absolute)
#	RIG_HOST          127.0.0.1
#	RIG_TLS_DIR       test CA and certificates: ca.pem, {good,wrongname,unknownca}.{pem,key}
#	RIG_CA            $RIG_TLS_DIR/ca.pem, the test CA that signed good and wrongname
#	RIG_IMAP_PORT     Dovecot IMAP (plain, STARTTLS offered)
#	RIG_IMAPS_PORT    Dovecot IMAPS (implicit TLS)
#	RIG_LMTP_PORT     Dovecot LMTP (TCP)
#	RIG_DOVECOT_CONF  for doveadm -c
#	RIG_DOVECOT_CERT  good | wrongname | unknownca
#	RIG_SINK_PORT     smtp-sink
#	RIG_SINK_DIR      where smtp-sink dumps one file per message
#	RIG_SMTP_PORT     Postfix smtpd, STARTTLS offered (good certificate)
#	RIG_SMTPS_PORT    Postfix smtpd, implicit TLS (good certificate)
#	RIG_SMTP_WRONGNAME_PORT, RIG_SMTP_UNKNOWNCA_PORT
#	                  Postfix smtpd offering STARTTLS with those certificates
#	RIG_POSTFIX_RELAY sink | lmtp: where Postfix sends what it accepts
#	RIG_POSTFIX_REJECT  $RIG_DIR/postfix-reject, one address per line -> 550 5.1.1
#	RIG_SUBMISSION_PORT Postfix smtpd with SASL (rig_start_postfix_submission)
#
# Certificates: "good" is signed by the test CA for DNS:localhost and
# IP:127.0.0.1; "wrongname" is signed by the test CA for other.example only;
# "unknownca" is self-signed for localhost/127.0.0.1 (no CA knows it).
#
# Users (passwords in clear in DIR/users/NAME): alice/alicepw, bob/bobpw,
# bench/benchpw, truc/trucpw; rig_add_user NAME PW adds more, even while
# Dovecot runs.  Dovecot drops the domain: LMTP to alice@any.example reaches
# alice.
#
# smtp-sink dump files (-d): one file per transaction, named msg.<random hex>
# (so names carry no order: rig_sink_messages sorts by mtime).  A file holds
#	X-Client-Addr: 127.0.0.1
#	X-Client-Proto: ESMTP
#	X-Helo-Args: localhost
#	X-Mail-Args: <from@example.test>          (the envelope sender)
#	X-Rcpt-Args: <to@example.test>            (one line per recipient)
#	Received: from localhost ([127.0.0.1])
#		by smtp-sink (smtp-sink) with ESMTP id 46bb2be0;
#		Mon, 30 Nov 2026 03:10:15 +0000 (UTC)
#	<the message as sent, dot-unstuffed, CRLF turned into LF>
#	<one extra empty line>
# rig_sink_body strips the envelope lines, the Received: above and the extra
# line; rig_sink_from / rig_sink_rcpts print the envelope.
#
# Processes: every server runs in its own session (setsid) and is stopped by
# SIGKILL to its process group, which is fast (Dovecot's graceful stop sleeps
# 1 s) and loses nothing that matters on a throwaway rig.  When started from a
# sourced shell the servers are that shell's children and are reaped on stop;
# started by the command form they are orphans, and where PID 1 is slow to
# reap they linger as zombies for a while: stop waits for live processes
# only.  DIR/<server>.pid holds "PID STARTTIME" so a stale pid file never
# leads to killing somebody else's processes.
#
# Postfix relays asynchronously: wait with rig_sink_wait (or rig_count for
# postfix:lmtp).  If the sink is down, Postfix defers and retries only after
# 10 s (minimal_backoff_time): restart the sink before sending through Postfix.
#
# Do not call rig_start_* inside $(...): the server would outlive the subshell
# that started it, and that subshell's output pipe would stay open.

RIG_HOST=127.0.0.1
: "${RIG_START_TIMEOUT:=10}"	# whole seconds

_rig_err() {
	printf 'mailrig: %s\n' "$*" >&2
}

# Seconds since the epoch with microseconds, without forking.
_rig_now_us() {
	local t=${EPOCHREALTIME/./}
	printf '%s' "$t"
}

# _rig_wait_for TIMEOUT_S cmd...: poll every 50 ms; 0 once cmd succeeds.
_rig_wait_for() {
	local limit=$(( $(_rig_now_us) + ${1%.*} * 1000000 )); shift
	while :; do
		"$@" && return 0
		[ "$(_rig_now_us)" -ge "$limit" ] && return 1
		sleep 0.05
	done
}

# _rig_greeting PORT PREFIX [TIMEOUT_S]: true when a fresh connection to
# PORT reads a first line starting with PREFIX.  An open port is not enough:
# Dovecot's master listens before imap-login can answer.
_rig_greeting() {
	local line=
	(
		exec 3<>"/dev/tcp/$RIG_HOST/$1" || exit 1
		IFS= read -r -t "${3:-2}" line <&3 || exit 1
		exec 3>&-
		[[ $line == "$2"* ]]
	) 2>/dev/null
}

# rig_free_port [N]: print N (default 1) TCP ports on 127.0.0.1 that no socket
# of this machine uses, from 20000-32767 (below Linux's ephemeral range, so an
# outgoing connection will not take one meanwhile).  Ports handed out before
# in this rig/test are never handed out again ($RIG_PORTS_FILE).
rig_free_port() {
	local n=${1:-1} used=" " f line port tries=0 out=0
	local pf=${RIG_PORTS_FILE:-${TEST_DIR:-${RIG_DIR:-/tmp}}/.ports-used}
	# Every TCP socket in this network namespace, in any state.  (One cat:
	# bash's read is byte by byte on /proc files, which is slow.)
	f=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	while read -r _ line _; do
		[[ $line == *:* ]] || continue
		used+="$((16#${line##*:})) "
	done <<<"$f"
	[ -f "$pf" ] && used+="$(tr '\n' ' ' <"$pf")"
	while [ "$out" -lt "$n" ] && [ "$tries" -lt 1000 ]; do
		tries=$((tries + 1))
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
		[[ $used == *" $port "* ]] && continue
		used+="$port "
		echo "$port" >>"$pf"
		echo "$port"
		out=$((out + 1))
	done
	[ "$out" -eq "$n" ]
}

# --- process bookkeeping ------------------------------------------------

_rig_starttime() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }		# comm may hold spaces; fields restart after ")"
	set -- $s
	printf '%s' "${20}"	# field 22 overall
}

# Live (non-zombie) processes in process group $1.
_rig_group_alive() {
	ps -e -o pgid=,stat= 2>/dev/null |
	    awk -v g="$1" '$1 == g && $2 !~ /^Z/ { n++ } END { exit n ? 0 : 1 }'
}

_rig_record() {
	echo "$2 $(_rig_starttime "$2")" >"$RIG_DIR/$1.pid"
}

# _rig_kill NAME: SIGKILL the process group recorded in $RIG_DIR/NAME.pid,
# reap the leader if it is our child, wait (bounded) until nothing of it
# lives.  Never kills a group whose leader is not the recorded process.
_rig_kill() {
	local pidf=$RIG_DIR/$1.pid pid st now mine
	[ -f "$pidf" ] || return 0
	read -r pid st <"$pidf"
	rm -f "$pidf"
	case $pid in ''|*[!0-9]*) return 0;; esac
	[ "$pid" -gt 1 ] || return 0
	mine=$(ps -o pgid= -p $$ | tr -d ' ')
	[ "$pid" != "$mine" ] || return 0
	if [ -d "/proc/$pid" ]; then
		now=$(_rig_starttime "$pid")
		[ "$now" = "$st" ] || return 0	# pid reused: not ours
	fi
	# Leader gone but members left: the kernel does not reuse a pid that
	# is still some group's id, so the group is still ours.
	kill -s KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	_rig_wait_for 5 eval "! _rig_group_alive $pid" ||
	    _rig_err "$1 (pgid $pid) still alive after SIGKILL"
	return 0
}

_rig_running() {
	local pid st
	[ -f "$RIG_DIR/$1.pid" ] || return 1
	read -r pid st <"$RIG_DIR/$1.pid"
	[ "$(_rig_starttime "$pid" 2>/dev/null)" = "$st" ] && _rig_group_alive "$pid"
}

# _rig_wait_ready NAME PORT GREETING LOG...: 0 once PORT greets with
# GREETING; 1 as soon as the server died or logged a fatal error (Postfix
# programs sleep 1 s before they exit on one), or after RIG_START_TIMEOUT.
_rig_wait_ready() {
	local pid st limit port=$2 greeting=$3
	read -r pid st <"$RIG_DIR/$1.pid" || return 1
	shift 3
	limit=$(( $(_rig_now_us) + RIG_START_TIMEOUT * 1000000 ))
	while :; do
		st=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
		st=${st##*) }
		case $st in Z*|X*) return 1;; esac
		[ $# -gt 0 ] && grep -qs -e 'fatal:' -e 'Fatal:' "$@" && return 1
		_rig_greeting "$port" "$greeting" 0.5 && return 0
		[ "$(_rig_now_us)" -ge "$limit" ] && return 1
		sleep 0.05
	done
}

# _rig_listening PORT...: true if something listens on one of the PORTs.
_rig_listening() {
	local p hex tcp
	tcp=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	for p in "$@"; do
		printf -v hex '%04X' "$p"
		grep -qE "^ *[0-9]+: [0-9A-F]+:$hex [0-9A-F]+:[0-9A-F]+ 0A " <<<"$tcp" &&
		    return 0
	done
	return 1
}

# _rig_clash NAME PORTS LOG...: the server died because one of its ports was
# taken meanwhile (another test picked it too): worth a retry on fresh
# ports.  Postfix logs nothing that early, hence the look at the ports.
_rig_clash() {
	local name=$1 ports=$2; shift 2
	if grep -qs 'in use' "$@" || _rig_listening $ports; then
		_rig_err "$name: a port of $ports was taken meanwhile; trying others"
		return 0
	fi
	return 1
}

# _rig_fail NAME LOG...: report a start failure with the server's logs.
_rig_fail() {
	local name=$1 f; shift
	_rig_err "$name did not start (or not within ${RIG_START_TIMEOUT}s)"
	for f in "$@"; do
		[ -s "$f" ] || continue
		_rig_err "--- last lines of $f:"
		tail -n 25 "$f" | sed 's/^/mailrig:   /' >&2
	done
	_rig_kill "$name"
	return 1
}

# --- rig directory and environment --------------------------------------

# RIG_PORTS_FILE, always set, stays last: rig_save_env's loop status is
# that of its last test.
_RIG_VARS="RIG_DIR RIG_HOST RIG_TLS_DIR RIG_CA RIG_IMAP_PORT RIG_IMAPS_PORT
	RIG_LMTP_PORT RIG_DOVECOT_CONF RIG_DOVECOT_CERT RIG_SINK_PORT RIG_SINK_DIR
	RIG_SMTP_PORT RIG_SMTPS_PORT RIG_SMTP_WRONGNAME_PORT RIG_SMTP_UNKNOWNCA_PORT
	RIG_POSTFIX_REJECT RIG_POSTFIX_RELAY RIG_SUBMISSION_PORT RIG_PORTS_FILE"

rig_save_env() {
	local v
	{
		echo "# written by tests/lib/mailrig.sh; source it"
		for v in $_RIG_VARS; do
			[ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}"
		done
	} >"$RIG_DIR/mailrig.env.tmp" && mv -f "$RIG_DIR/mailrig.env.tmp" "$RIG_DIR/mailrig.env"
}

# rig_init [DIR]: make DIR (default $TEST_DIR/rig) a rig, or switch to the
# existing rig DIR.  The test CA is made once and shared by all rigs of this
# shell (RIG_TLS_DIR), so a client trusting $RIG_CA trusts every good rig.
rig_init() {
	local dir=${1:-${TEST_DIR:+$TEST_DIR/rig}} tls=${RIG_TLS_DIR:-} v
	[ -n "$dir" ] || { _rig_err "rig_init: which directory?"; return 2; }
	mkdir -p "$dir" || return 1
	chmod 0711 "$dir"	# dovecot, nobody and postfix must traverse it
	dir=$(cd "$dir" && pwd)
	for v in $_RIG_VARS; do unset "$v"; done
	RIG_HOST=127.0.0.1
	[ -f "$dir/mailrig.env" ] && . "$dir/mailrig.env"
	RIG_DIR=$dir
	: > "$dir/.mailrig"
	[ -n "$tls" ] && [ -z "${RIG_TLS_DIR:-}" ] && RIG_TLS_DIR=$tls
	: "${RIG_TLS_DIR:=$dir/tls}"
	[ -f "$RIG_TLS_DIR/ca.pem" ] || rig_make_tls "$RIG_TLS_DIR" || return 1
	RIG_CA=$RIG_TLS_DIR/ca.pem
	: "${RIG_PORTS_FILE:=${TEST_DIR:-$dir}/.ports-used}"
	RIG_POSTFIX_REJECT=$dir/postfix-reject
	[ -d "$dir/users" ] || {
		mkdir -p "$dir/users" && chmod 0755 "$dir/users"
		rig_add_user alice alicepw
		rig_add_user bob bobpw
		rig_add_user bench benchpw
		rig_add_user truc trucpw
	}
	export $_RIG_VARS
	rig_save_env
}

rig_use() {
	rig_init "$@"
}

# rig_make_tls DIR: test CA plus three server certificates (EC P-256: fast).
rig_make_tls() {
	local d=$1 ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30"
	local srv="-addext basicConstraints=critical,CA:FALSE -addext extendedKeyUsage=serverAuth"
	mkdir -p "$d" && chmod 0755 "$d" || return 1
	(
		cd "$d" || exit 1
		openssl req -x509 $ec -subj "/CN=trucd test CA" \
		    -addext basicConstraints=critical,CA:TRUE \
		    -addext keyUsage=critical,keyCertSign,cRLSign \
		    -keyout ca.key -out ca.pem &&
		openssl req -x509 -CA ca.pem -CAkey ca.key $ec $srv \
		    -subj /CN=localhost \
		    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
		    -keyout good.key -out good.pem &&
		openssl req -x509 -CA ca.pem -CAkey ca.key $ec $srv \
		    -subj /CN=other.example \
		    -addext subjectAltName=DNS:other.example \
		    -keyout wrongname.key -out wrongname.pem &&
		openssl req -x509 $ec $srv -subj /CN=localhost \
		    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
		    -keyout unknownca.key -out unknownca.pem
	) >"$d/openssl.log" 2>&1 || {
		_rig_err "making test certificates failed:"; cat "$d/openssl.log" >&2
		return 1
	}
	chmod 0644 "$d"/*.pem
}

# --- Dovecot --------------------------------------------------------------

_rig_dovecot_conf() {
	local d=$RIG_DIR/dovecot cert=$1 login iuser igrp muid mgid
	if [ "$(id -u)" -eq 0 ]; then
		login=dovenull iuser=dovecot igrp=dovecot
		muid=${MAIL_UID:-nobody} mgid=${MAIL_GID:-nogroup}
	else
		login=$(id -un) igrp=$(id -gn)
		iuser=$login muid=$login mgid=$igrp
	fi
	cat <<EOF
# throwaway Dovecot, written by tests/lib/mailrig.sh: no /etc/dovecot include
instance_name = mailrig-$RIG_IMAP_PORT
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
shutdown_clients = yes
default_login_user = $login
default_internal_user = $iuser
default_internal_group = $igrp
first_valid_uid = 1
first_valid_gid = 1
ssl = yes
ssl_cert = <$RIG_TLS_DIR/$cert.pem
ssl_key = <$RIG_TLS_DIR/$cert.key
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Ln
auth_verbose = yes
auth_failure_delay = 0
# One file per user: passwd-file re-reads a changed file at most once a
# second, so a user added right after a login would stay unknown for up to
# 1 s; a new file is read at once.
passdb {
  driver = passwd-file
  args = scheme=PLAIN $RIG_DIR/users/%Ln
}
userdb {
  driver = static
  args = uid=$muid gid=$mgid home=$RIG_DIR/mail/%u
}
mail_location = maildir:~/Maildir
mail_fsync = never
namespace inbox {
  inbox = yes
  separator = /
  mailbox Archive {
    auto = create
    special_use = \\Archive
  }
  mailbox Sent {
    auto = create
    special_use = \\Sent
  }
  mailbox Trash {
    auto = create
    special_use = \\Trash
  }
}
protocol imap {
  mail_max_userip_connections = 100
  ${RIG_DOVECOT_IMAP_EXTRA:-}
}
lmtp_save_to_detail_mailbox = no
recipient_delimiter = +
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $RIG_IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $RIG_IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $RIG_LMTP_PORT
  }
}
# No auth penalty (2, 4, 8... s before answering a login after failed ones
# from the same IP): auth turns it off when it cannot reach this socket.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
	# Non-root cannot chroot: without these logins die with EOF.
	[ "$(id -u)" -eq 0 ] ||
	    printf 'service imap-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}\n'
}

# rig_start_dovecot [good|wrongname|unknownca]: start (or restart with the
# same ports) this rig's Dovecot serving that certificate; returns once it
# answers "* OK".  Sets RIG_IMAP_PORT, RIG_IMAPS_PORT, RIG_LMTP_PORT,
# RIG_DOVECOT_CONF, RIG_DOVECOT_CERT.
rig_start_dovecot() {
	local cert=${1:-${RIG_DOVECOT_CERT:-good}} d=${RIG_DIR:-}/dovecot ports try fresh
	case $cert in good|wrongname|unknownca) ;;
	*) _rig_err "rig_start_dovecot: unknown certificate '$cert'"; return 2;; esac
	[ -n "${RIG_DIR:-}" ] || { _rig_err "rig_init first"; return 2; }
	_rig_kill dovecot
	if [ ${#d} -gt 70 ]; then	# unix sockets: sun_path is 108 bytes
		_rig_err "rig directory path too long for Dovecot's sockets: $d"
		return 1
	fi
	mkdir -p "$d/run" "$d/state" "$RIG_DIR/mail" || return 1
	[ "$(id -u)" -eq 0 ] &&
	    chown "${MAIL_UID:-nobody}:${MAIL_GID:-nogroup}" "$RIG_DIR/mail"
	RIG_DOVECOT_CONF=$d/dovecot.conf RIG_DOVECOT_CERT=$cert
	export RIG_DOVECOT_CONF RIG_DOVECOT_CERT
	for try in 1 2 3; do
		fresh=
		if [ -z "${RIG_IMAP_PORT:-}" ]; then
			ports=$(rig_free_port 3) || return 1
			set -- $ports
			RIG_IMAP_PORT=$1 RIG_IMAPS_PORT=$2 RIG_LMTP_PORT=$3 fresh=1
			export RIG_IMAP_PORT RIG_IMAPS_PORT RIG_LMTP_PORT
		fi
		_rig_dovecot_conf "$cert" >"$RIG_DOVECOT_CONF" || return 1
		rig_save_env
		: >"$d/dovecot.log"
		setsid dovecot -F -c "$RIG_DOVECOT_CONF" >"$d/stderr.log" 2>&1 </dev/null &
		_rig_record dovecot $!
		_rig_wait_ready dovecot "$RIG_IMAP_PORT" '* OK' \
		    "$d/stderr.log" "$d/dovecot.log" && return 0
		_rig_kill dovecot
		[ -n "$fresh" ] && [ "$try" -lt 3 ] &&
		    _rig_clash dovecot "$RIG_IMAP_PORT $RIG_IMAPS_PORT $RIG_LMTP_PORT" \
		    "$d/stderr.log" "$d/dovecot.log" || break
		unset RIG_IMAP_PORT RIG_IMAPS_PORT RIG_LMTP_PORT
	done
	_rig_fail dovecot "$d/stderr.log" "$d/dovecot.log"
}

rig_stop_dovecot() {
	_rig_kill dovecot
}

rig_restart_dovecot() {
	rig_start_dovecot "${1:-${RIG_DOVECOT_CERT:-good}}"
}

# rig_add_user NAME PASSWORD: add a user (lower case), usable at once even
# while Dovecot runs.  (Changing an existing user's password may take 1 s.)
rig_add_user() {
	local f=$RIG_DIR/users/$1
	printf '%s:{PLAIN}%s\n' "$1" "$2" >"$f.tmp" &&
	    chmod 0644 "$f.tmp" && mv -f "$f.tmp" "$f"
}

rig_doveadm() {
	doveadm -c "$RIG_DOVECOT_CONF" "$@"
}

# rig_count USER MAILBOX [messages|unseen|recent]: how many messages.
rig_count() {
	local out
	out=$(doveadm -c "$RIG_DOVECOT_CONF" -f flow mailbox status -u "$1" \
	    "${3:-messages}" "$2") || return 1
	echo "${out#*=}"
}

# rig_deliver USER FILE...: put each FILE (or stdin for "-") into USER's
# INBOX, unseen, byte for byte (no header added), in argument order; UIDs
# follow that order.  RIG_DELIVER=import (default) or save picks the way.
rig_deliver() {
	local user=$1 f; shift
	[ $# -gt 0 ] || set -- -
	case ${RIG_DELIVER:-import} in
	save)
		for f in "$@"; do
			if [ "$f" = - ]; then
				doveadm -c "$RIG_DOVECOT_CONF" save -u "$user" -m INBOX || return 1
			else
				doveadm -c "$RIG_DOVECOT_CONF" save -u "$user" -m INBOX <"$f" || return 1
			fi
		done;;
	import)
		_rig_deliver_import "$user" "$@";;
	*)
		_rig_err "RIG_DELIVER: save or import"; return 2;;
	esac
}

# Copy the files into a scratch Maildir's new/ under names that sort in
# argument order (Dovecot gives UIDs in that order), then one doveadm import:
# 2,000 messages in about 0.1 s, where one doveadm save each takes 16 s.
# perl (perl-base, always there) copies them all in one process.
_rig_deliver_import() {
	local user=$1 src rc; shift
	src=$(mktemp -d "$RIG_DIR/deliver.XXXXXX") || return 1
	mkdir -p "$src/new" "$src/cur" "$src/tmp"
	perl -e '
		my $dir = shift; my $i = 0;
		for my $f (@ARGV) {
			my $in;
			if ($f eq "-") { $in = \*STDIN; }
			else { open($in, "<", $f) or die "mailrig: $f: $!\n"; }
			binmode $in; local $/; my $msg = <$in>;
			$msg = "" unless defined $msg;
			my $name = sprintf("%s/new/%d.M%06dP%d.mailrig", $dir, $^T, ++$i, $$);
			open(my $out, ">", $name) or die "mailrig: $name: $!\n";
			binmode $out; print $out $msg;
			close $out or die "mailrig: $name: $!\n";
		}' "$src" "$@" || { rm -rf "$src"; return 1; }
	# doveadm drops to the mail user, who must own the scratch Maildir.
	[ "$(id -u)" -eq 0 ] &&
	    chown -R "${MAIL_UID:-nobody}:${MAIL_GID:-nogroup}" "$src"
	doveadm -c "$RIG_DOVECOT_CONF" import -u "$user" \
	    "maildir:$src:INDEX=MEMORY" "" mailbox INBOX all
	rc=$?
	rm -rf "$src"
	return $rc
}

# --- smtp-sink -----------------------------------------------------------

# rig_start_sink [smtp-sink options...]: start the capture server on
# RIG_SINK_PORT (kept across restarts, so stop + start simulates an outage).
# Extra options go to smtp-sink, e.g. -r RCPT (4xx to every RCPT) or
# -f DATA (5xx after DATA): see smtp-sink(1).
rig_start_sink() {
	local d=${RIG_DIR:-}/sink try fresh
	[ -n "${RIG_DIR:-}" ] || { _rig_err "rig_init first"; return 2; }
	_rig_kill sink
	RIG_SINK_DIR=$d/dump
	export RIG_SINK_DIR
	mkdir -p "$RIG_SINK_DIR" || return 1
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$RIG_SINK_DIR"
		set -- -u nobody "$@"
	fi
	for try in 1 2 3; do
		fresh=
		if [ -z "${RIG_SINK_PORT:-}" ]; then
			RIG_SINK_PORT=$(rig_free_port) || return 1
			export RIG_SINK_PORT
			fresh=1
		fi
		rig_save_env
		setsid smtp-sink "$@" -d "$RIG_SINK_DIR/msg." "$RIG_HOST:$RIG_SINK_PORT" 128 \
		    >"$d/sink.log" 2>&1 </dev/null &
		_rig_record sink $!
		_rig_wait_ready sink "$RIG_SINK_PORT" 220 "$d/sink.log" && return 0
		_rig_kill sink
		[ -n "$fresh" ] && [ "$try" -lt 3 ] &&
		    _rig_clash sink "$RIG_SINK_PORT" "$d/sink.log" || break
		unset RIG_SINK_PORT
	done
	_rig_fail sink "$d/sink.log"
}

rig_stop_sink() {
	_rig_kill sink
}

# rig_sink_messages: the dump files, oldest first.
rig_sink_messages() {
	[ -d "${RIG_SINK_DIR:-}" ] || return 0
	find "$RIG_SINK_DIR" -type f -name 'msg.*' -printf '%T@ %p\n' |
	    sort -n | cut -d' ' -f2-
}

rig_sink_count() {
	rig_sink_messages | wc -l
}

# rig_sink_wait N [TIMEOUT_S]: wait until at least N messages were captured.
rig_sink_wait() {
	_rig_wait_for "${2:-10}" eval '[ "$(rig_sink_count)" -ge '"$1"' ]'
}

rig_sink_clear() {
	[ -d "${RIG_SINK_DIR:-}" ] && find "$RIG_SINK_DIR" -type f -name 'msg.*' -delete
	return 0
}

# rig_sink_body FILE: the RFC 5322 message itself (LF line ends).
rig_sink_body() {
	awk '
	    st == 0 && /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args):/ { next }
	    st == 0 && /^Received: from .*\(\[/ { st = 1; next }
	    st == 1 && /^\t/ { if (++cont == 2) st = 2; next }
	    { st = 2; if (have) print prev; prev = $0; have = 1 }
	    END { if (have && prev != "") print prev }
	' "$1"
}

# rig_sink_from FILE: envelope sender; rig_sink_rcpts FILE: recipients, one a line.
rig_sink_from() {
	sed -n 's/^X-Mail-Args: <\([^>]*\)>.*/\1/p;/^Received: /q' "$1"
}

rig_sink_rcpts() {
	sed -n 's/^X-Rcpt-Args: <\([^>]*\)>.*/\1/p;/^Received: /q' "$1"
}

# --- Postfix (root only) -------------------------------------------------

rig_have_postfix() {
	[ "$(id -u)" -eq 0 ] && [ -x /usr/lib/postfix/sbin/master ]
}

# The reject list (one address per line, # comments) becomes an access map.
_rig_postfix_map() {
	local map=$RIG_DIR/postfix/etc/reject.map
	[ -d "$RIG_DIR/postfix/etc" ] || return 0
	touch "$RIG_POSTFIX_REJECT"
	sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$RIG_POSTFIX_REJECT" |
	    awk '{ print $1 "\t550 5.1.1 <" $1 ">: Recipient address rejected: User unknown" }' \
	    >"$map.tmp" && mv -f "$map.tmp" "$map"
	# Postfix re-reads a table younger than 1 s until it "cools down".
	touch -d '2 minutes ago' "$map"
}

# rig_postfix_reject ADDR...: reject these recipients from the next SMTP
# connection on (smtpd serves one connection per process).  With no ADDR,
# re-read $RIG_POSTFIX_REJECT after you edited it yourself.
rig_postfix_reject() {
	[ $# -gt 0 ] && printf '%s\n' "$@" >>"$RIG_POSTFIX_REJECT"
	_rig_postfix_map
}

_rig_postfix_conf() {
	local p=$RIG_DIR/postfix relay
	case $1 in
	lmtp) relay="lmtp:inet:[$RIG_HOST]:${RIG_LMTP_PORT:?start dovecot before postfix:lmtp}";;
	*) relay="smtp:[$RIG_HOST]:${RIG_SINK_PORT:?start the sink before postfix}";;
	esac
	cat >"$p/etc/main.cf" <<EOF
# throwaway Postfix, written by tests/lib/mailrig.sh
compatibility_level = 3.6
config_directory = $p/etc
queue_directory = $p/queue
data_directory = $p/data
meta_directory = /etc/postfix
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-mailrig
maillog_file = $p/maillog
maillog_file_prefixes = $p
myhostname = mailrig.localhost
mydomain = localhost
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = check_recipient_access texthash:$p/etc/reject.map, permit_mynetworks, reject
smtpd_peername_lookup = no
local_header_rewrite_clients =
smtp_dns_support_level = disabled
smtpd_tls_cert_file = $RIG_TLS_DIR/good.pem
smtpd_tls_key_file = $RIG_TLS_DIR/good.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtp_host_lookup = native
lmtp_host_lookup = native
relay_domains =
default_transport = $relay
relay_transport = \$default_transport
biff = no
append_dot_mydomain = no
smtputf8_enable = no
message_size_limit = 52428800
smtpd_delay_reject = yes
delay_warning_time = 0
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 30s
EOF
	# max_use=1: each SMTP connection gets a fresh smtpd that reads the
	# reject map anew.
	cat >"$p/etc/master.cf" <<EOF
$RIG_HOST:$RIG_SMTP_PORT inet n - n - - smtpd -o max_use=1
$RIG_HOST:$RIG_SMTPS_PORT inet n - n - - smtpd -o max_use=1 -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt
$RIG_HOST:$RIG_SMTP_WRONGNAME_PORT inet n - n - - smtpd -o max_use=1 -o smtpd_tls_cert_file=$RIG_TLS_DIR/wrongname.pem -o smtpd_tls_key_file=$RIG_TLS_DIR/wrongname.key
$RIG_HOST:$RIG_SMTP_UNKNOWNCA_PORT inet n - n - - smtpd -o max_use=1 -o smtpd_tls_cert_file=$RIG_TLS_DIR/unknownca.pem -o smtpd_tls_key_file=$RIG_TLS_DIR/unknownca.key
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	# A config file younger than 1 s makes every Postfix program pause.
	touch -d '2 minutes ago' "$p/etc/main.cf" "$p/etc/master.cf"
}

# rig_start_postfix [sink|lmtp]: Postfix on RIG_SMTP_PORT (and the TLS
# ports above) rejecting with 550 5.1.1 the recipients listed in
# $RIG_POSTFIX_REJECT and relaying every other one to the smtp-sink (default)
# or to Dovecot LMTP.  Its log: $RIG_DIR/postfix/maillog.  Root only: returns
# 2 (and does nothing) otherwise.
rig_start_postfix() {
	local relay=${1:-${RIG_POSTFIX_RELAY:-sink}} p=${RIG_DIR:-}/postfix q try fresh
	[ -n "${RIG_DIR:-}" ] || { _rig_err "rig_init first"; return 2; }
	rig_have_postfix || { _rig_err "postfix needs root"; return 2; }
	case $relay in sink|lmtp) ;; *) _rig_err "rig_start_postfix: sink or lmtp"; return 2;; esac
	_rig_kill postfix
	RIG_POSTFIX_RELAY=$relay
	export RIG_POSTFIX_RELAY
	mkdir -p "$p/etc" "$p/data" "$p/queue" || return 1
	q=$p/queue
	(
		cd "$q" || exit 1
		mkdir -p active bounce corrupt defer deferred flush hold incoming \
		    private saved trace maildrop public pid
		chown postfix:root active bounce corrupt defer deferred flush hold \
		    incoming private saved trace
		chmod 0700 active bounce corrupt defer deferred flush hold incoming \
		    private saved trace
		chown postfix:postdrop maildrop public
		chmod 0730 maildrop; chmod 0710 public
		chown root:root pid; chmod 0755 pid
	) || return 1
	chown root:root "$q" && chmod 0755 "$q"
	chown postfix "$p/data" && chmod 0700 "$p/data"
	chmod 0755 "$p" "$p/etc"
	for try in 1 2 3; do
		fresh=
		if [ -z "${RIG_SMTP_PORT:-}" ]; then
			q=$(rig_free_port 4) || return 1
			set -- $q
			RIG_SMTP_PORT=$1 RIG_SMTPS_PORT=$2
			RIG_SMTP_WRONGNAME_PORT=$3 RIG_SMTP_UNKNOWNCA_PORT=$4 fresh=1
			export RIG_SMTP_PORT RIG_SMTPS_PORT RIG_SMTP_WRONGNAME_PORT \
			    RIG_SMTP_UNKNOWNCA_PORT
		fi
		_rig_postfix_conf "$relay" || return 1
		_rig_postfix_map
		rig_save_env
		: >"$p/maillog"
		# The master itself, not "postfix start": no integrity checks
		# (0.2 s), and with -d it stays in the group setsid made, as our
		# child ("postfix start-fg" runs a master with its own session).
		setsid /usr/lib/postfix/sbin/master -c "$p/etc" -d \
		    >"$p/stderr.log" 2>&1 </dev/null &
		_rig_record postfix $!
		_rig_wait_ready postfix "$RIG_SMTP_PORT" 220 \
		    "$p/stderr.log" "$p/maillog" && return 0
		_rig_kill postfix
		[ -n "$fresh" ] && [ "$try" -lt 3 ] &&
		    _rig_clash postfix "$RIG_SMTP_PORT $RIG_SMTPS_PORT $RIG_SMTP_WRONGNAME_PORT $RIG_SMTP_UNKNOWNCA_PORT" \
		    "$p/stderr.log" "$p/maillog" || break
		unset RIG_SMTP_PORT RIG_SMTPS_PORT RIG_SMTP_WRONGNAME_PORT RIG_SMTP_UNKNOWNCA_PORT
	done
	_rig_listening "$RIG_SMTP_PORT" "$RIG_SMTPS_PORT" "$RIG_SMTP_WRONGNAME_PORT" \
	    "$RIG_SMTP_UNKNOWNCA_PORT" && _rig_err "postfix: one of its ports is taken"
	_rig_fail postfix "$p/stderr.log" "$p/maillog"
}

rig_stop_postfix() {
	_rig_kill postfix
}

# rig_postfix_queue_empty: true when Postfix holds no message (all relayed).
rig_postfix_queue_empty() {
	local n
	n=$(find "$RIG_DIR/postfix/queue/incoming" "$RIG_DIR/postfix/queue/active" \
	    "$RIG_DIR/postfix/queue/deferred" "$RIG_DIR/postfix/queue/maildrop" \
	    -type f 2>/dev/null | wc -l)
	[ "$n" -eq 0 ]
}

# --- Postfix submission with SASL (root only) ---------------------------

# rig_start_postfix_submission [sink|lmtp]: add to this rig's Postfix (started
# with that relay if it is not running) a listener on RIG_SUBMISSION_PORT for
# authenticated clients only:
#   - STARTTLS offered with the good certificate, AUTH (PLAIN, LOGIN) offered
#     only after it (smtpd_tls_auth_only);
#   - passwords checked by Dovecot's auth service against the rig's users
#     (truc/trucpw...), through a listener $RIG_DIR/postfix-auth (mode 0666)
#     added to Dovecot's configuration, which is reloaded (SIGHUP);
#   - a client that did not log in gets "554 5.7.1 <rcpt>: Relay access
#     denied" to RCPT; a wrong password "535 5.7.8 Error: authentication
#     failed: ...".
# Dovecot must be running.  rig_start_dovecot and rig_start_postfix rewrite
# their configuration without these pieces: call this again after them (the
# port is kept).  While Dovecot is down, each connection to the port kills
# its smtpd ("no SASL authentication mechanisms": the client sees the
# connection reset after STARTTLS) and the master holds the port back for
# service_throttle_time, set here to 1 s instead of 60.
# smtpd_sasl_path is absolute, which works as smtpd runs unchrooted here (a
# relative one, such as Debian's private/auth, is taken from the queue
# directory: ../../postfix-auth works too).  Log lines of this port are
# tagged "postfix-mailrig/submission/smtpd" in $RIG_DIR/postfix/maillog.
rig_start_postfix_submission() {
	local relay=${1:-${RIG_POSTFIX_RELAY:-sink}} p=${RIG_DIR:-}/postfix
	local sock pid st f
	[ -n "${RIG_DIR:-}" ] || { _rig_err "rig_init first"; return 2; }
	rig_have_postfix || { _rig_err "postfix needs root"; return 2; }
	_rig_running dovecot || {
		_rig_err "rig_start_postfix_submission: start dovecot first"
		return 2
	}
	sock=$RIG_DIR/postfix-auth
	# Dovecot: a listener of the auth client protocol that smtpd (user
	# postfix) may open.  Dovecot merges this service block with its own.
	if ! grep -qsx '# mailrig: postfix-auth' "$RIG_DOVECOT_CONF"; then
		rm -f "$sock"	# left by a Dovecot killed earlier
		cat >>"$RIG_DOVECOT_CONF" <<EOF
# mailrig: postfix-auth
service auth {
  unix_listener $sock {
    mode = 0666
  }
}
EOF
		read -r pid st <"$RIG_DIR/dovecot.pid"
		kill -HUP "$pid" || return 1
	fi
	if ! _rig_wait_for "$RIG_START_TIMEOUT" test -S "$sock"; then
		_rig_err "dovecot did not open $sock"
		tail -n 25 "$RIG_DIR/dovecot/dovecot.log" | sed 's/^/mailrig:   /' >&2
		return 1
	fi
	_rig_running postfix || rig_start_postfix "$relay" || return 1
	if [ -z "${RIG_SUBMISSION_PORT:-}" ]; then
		RIG_SUBMISSION_PORT=$(rig_free_port) || return 1
		export RIG_SUBMISSION_PORT
	fi
	rig_save_env
	if ! grep -qs "^$RIG_HOST:$RIG_SUBMISSION_PORT " "$p/etc/master.cf"; then
		grep -qs '^service_throttle_time' "$p/etc/main.cf" ||
		    echo 'service_throttle_time = 1s' >>"$p/etc/main.cf"
		cat >>"$p/etc/master.cf" <<EOF
$RIG_HOST:$RIG_SUBMISSION_PORT inet n - n - - smtpd -o max_use=1 -o syslog_name=postfix-mailrig/submission -o smtpd_tls_security_level=may -o smtpd_tls_auth_only=yes -o smtpd_sasl_auth_enable=yes -o smtpd_sasl_type=dovecot -o smtpd_sasl_path=$sock -o smtpd_sasl_security_options=noanonymous -o smtpd_relay_restrictions=permit_sasl_authenticated,reject_unauth_destination -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
EOF
		touch -d '2 minutes ago' "$p/etc/main.cf" "$p/etc/master.cf"
		read -r pid st <"$RIG_DIR/postfix.pid"
		kill -HUP "$pid" || return 1
	fi
	_rig_wait_for "$RIG_START_TIMEOUT" \
	    _rig_greeting "$RIG_SUBMISSION_PORT" 220 0.5 && return 0
	_rig_err "postfix: no greeting on the submission port $RIG_SUBMISSION_PORT"
	for f in "$p/stderr.log" "$p/maillog"; do
		[ -s "$f" ] || continue
		_rig_err "--- last lines of $f:"
		tail -n 25 "$f" | sed 's/^/mailrig:   /' >&2
	done
	return 1
}

# --- everything --------------------------------------------------------

# rig_stop_all [DIR]: stop every server of the rig (default: the current one).
rig_stop_all() {
	local save=${RIG_DIR:-}
	[ -n "${1:-}" ] && RIG_DIR=$1
	[ -n "${RIG_DIR:-}" ] || return 0
	_rig_kill postfix
	_rig_kill sink
	_rig_kill dovecot
	RIG_DIR=$save
	return 0
}

# rig_running NAME: true while dovecot / sink / postfix of this rig lives.
rig_running() {
	_rig_running "$1"
}

_rig_main() {
	local cmd=${1:-} dir=${2:-} s
	case $cmd in
	start)
		[ -n "$dir" ] || { echo "usage: $0 start DIR [dovecot[:CERT]] [sink] [postfix[:sink|lmtp]]" >&2; return 2; }
		shift 2
		[ $# -gt 0 ] || set -- dovecot sink postfix
		rig_init "$dir" || return 1
		# Dependencies first: postfix relays to the sink or to LMTP.
		for s in "$@"; do
			case $s in dovecot|dovecot:*) s=${s#dovecot}; rig_start_dovecot "${s#:}" || { rig_stop_all; return 1; };; esac
		done
		for s in "$@"; do
			case $s in sink) rig_start_sink || { rig_stop_all; return 1; };; esac
		done
		for s in "$@"; do
			case $s in postfix|postfix:*)
				s=${s#postfix}; rig_start_postfix "${s#:}" || { rig_stop_all; return 1; };;
			dovecot|dovecot:*|sink) ;;
			*) _rig_err "unknown server '$s'"; rig_stop_all; return 2;;
			esac
		done
		rig_save_env
		cat "$RIG_DIR/mailrig.env";;
	stop)
		[ -n "$dir" ] || { echo "usage: $0 stop DIR" >&2; return 2; }
		[ -d "$dir" ] || return 0
		rig_stop_all "$(cd "$dir" && pwd)";;
	*)
		echo "usage: $0 start DIR [dovecot[:good|wrongname|unknownca]] [sink] [postfix[:sink|lmtp]]" >&2
		echo "       $0 stop DIR" >&2
		return 2;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	_rig_main "$@"
	exit
fi
