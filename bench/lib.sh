# bench/lib.sh - what the benchmark scripts share: timing, medians,
# results, and the SMTP floor (smtp-source over one connection to the
# rig's sink).  Sourced after tests/lib/test-lib.sh.

now_us() { echo "${EPOCHREALTIME/./}"; }

# secs START_US END_US: elapsed seconds, 3 decimals
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e6 }'; }

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
	if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

result() {
	printf '  %s = %s\n' "$1" "$2"
	[ -n "${BENCH_RESULTS:-}" ] && echo "$1=$2" >>"$BENCH_RESULTS"
	return 0
}

# sink_avg_size: count and average wire size (CRLF lines) of the captured
# messages, without smtp-sink's envelope lines, Received: and final line.
sink_avg_size() {
	find "$RIG_SINK_DIR" -type f -name 'msg.*' -exec env LC_ALL=C awk '
	function finish() { if (seen) { if (lastlen == 0) bytes -= 2; total += bytes; n++ } }
	FNR == 1 { finish(); st = 0; cont = 0; bytes = 0; seen = 1 }
	st == 0 && /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args):/ { next }
	st == 0 && /^Received: from .*\(\[/ { st = 1; next }
	st == 1 && /^\t/ { if (++cont == 2) st = 2; next }
	{ st = 2; bytes += length($0) + 2; lastlen = length($0) }
	END { finish(); print n, total }' {} + |
	    awk '{ n += $1; t += $2 } END { if (n) printf "%d %d\n", n, t / n; else print "0 0" }'
}

# smtp_floor COUNT SIZE: seconds smtp-source takes to send COUNT messages of
# SIZE bytes (headers included) over one connection to the sink.
smtp_floor() {
	local count=$1 size=$2 probe over t0 t1 got
	rig_sink_clear
	smtp-source -s 1 -m 1 -l 1000 -d -f bench@ville.example \
	    -t agent@ville.example "127.0.0.1:$RIG_SINK_PORT" || return 1
	probe=$(sink_avg_size)
	over=$(( ${probe#* } - 1000 ))	# the headers smtp-source adds
	[ "$over" -ge 0 ] || over=0
	rig_sink_clear
	t0=$(now_us)
	timeout 120 smtp-source -s 1 -m "$count" -l $((size > over ? size - over : 1)) \
	    -d -f bench@ville.example -t agent@ville.example \
	    "127.0.0.1:$RIG_SINK_PORT" || return 1
	t1=$(now_us)
	got=$(rig_sink_count)
	[ "$got" -eq "$count" ] || { echo "smtp-source: $got of $count in the sink" >&2; return 1; }
	secs "$t0" "$t1"
}

# write_conf FILE DB USER [EXTRA]: a trucd configuration on the rig's
# servers, with EXTRA (e.g. a programme section) appended.
write_conf() {
	cat >"$1" <<CONF
database  = "$2"
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
  user = "$3"
  password_file = "$TEST_DIR/imap.secret"
  mailbox = "INBOX"
  done_mailbox = "Traités"
  poll_interval = 60
}
smtp {
  url = "smtp://127.0.0.1:$RIG_SINK_PORT"
  tls = "none"
}
reminders = {"1d", "2h"}
${4:-}
CONF
}
