#!/usr/bin/env bash
# run.sh - every benchmark, then one Markdown table (`make bench`).
#
#	make bench                    builds, then runs this
#	BUILD=build bash bench/run.sh builds nothing itself
#
# Runs bench/mail-loop.sh, bench/programme.sh, bench/import.sh and, when it
# was built, build/bench/parse; prints their figures beside their targets as
# a Markdown table with the machine and the date, and writes the same to
# bench/results/latest.md (gitignored).  Environment: BENCH_ROUNDS (3),
# BENCH_MAILS (2000), BENCH_DB_DIR (where databases go, default /tmp).
# Exit status 1 when a benchmark could not run to the end; a missed target
# is reported, not an error.

set -u
TRUCD_TOP=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=build}"
export TRUCD_TOP BUILD
: "${SHARED:=$(cd "$TRUCD_TOP/.." && pwd)/shared}"
export SHARED
OUTDIR=$TRUCD_TOP/bench/results
mkdir -p "$OUTDIR"
BENCH_RESULTS=$(mktemp "${TMPDIR:-/tmp}/trucd-bench.XXXXXX") || exit 1
export BENCH_RESULTS
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/trucd-bench-logs.XXXXXX") || exit 1
trap 'rm -rf "$BENCH_RESULTS" "$LOGDIR"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failed=
run() {		# run NAME CMD...: output shown and kept; at most 30 min
	local name=$1 rc; shift
	echo "=== $name"
	timeout 1800 "$@" 2>&1 | tee "$LOGDIR/$name.log"
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || { echo "=== $name: exit status $rc"; failed+=" $name"; }
}

run mail-loop bash "$TRUCD_TOP/bench/mail-loop.sh"
run programme bash "$TRUCD_TOP/bench/programme.sh"
run import bash "$TRUCD_TOP/bench/import.sh"
if [ -x "$TRUCD_TOP/$BUILD/bench/parse" ]; then
	run parse "$TRUCD_TOP/$BUILD/bench/parse"
fi

# --- the table ----------------------------------------------------------

get() { sed -n "s/^$1=//p" "$BENCH_RESULTS" | tail -n 1; }
mib() { [ -n "$1" ] && awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
# verdict VALUE OP LIMIT: "yes", "no" or "?" (no figure)
verdict() {
	[ -n "$1" ] || { echo "?"; return; }
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		ok = (op == "<=") ? v <= l : v < l; print ok ? "yes" : "**no**" }'
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
rounds=${BENCH_ROUNDS:-3}
{
	echo "Benchmarks of trucd $(git -C "$TRUCD_TOP" describe --always --dirty 2>/dev/null)," \
	    "$(date -u '+%Y-%m-%d %H:%M UTC'), on $(nproc) CPU(s) ($cpu), $mem;" \
	    "mail servers on tmpfs (Dovecot $(dovecot --version 2>/dev/null | cut -d' ' -f1)," \
	    "smtp-sink), database on $(df -T "${BENCH_DB_DIR:-${TMPDIR:-/tmp}}" | awk 'NR == 2 { print $2 }')." \
	    "Times are medians of $rounds runs; the floor is measured in the same run on the same servers."
	echo
	echo "| benchmark | trucd | floor | ratio | target | met |"
	echo "|---|---|---|---|---|---|"
	n=$(get mail_loop_n)
	if [ -n "$(get mail_loop_trucd_s)" ]; then
		echo "| $n command mails, \`trucd --once\` (read, apply, move, reply) |" \
		    "$(get mail_loop_trucd_s) s, $(get mail_loop_rate) mails/s |" \
		    "$(get mail_loop_floor_s) s (IMAP fetch $(get mail_loop_fetch_s) s + smtp-source $(get mail_loop_smtp_s) s of $(get mail_loop_reply_bytes) B) |" \
		    "$(get mail_loop_ratio)× | ≤ 1.5× | $(verdict "$(get mail_loop_ratio)" '<=' 1.5) |"
		echo "| peak RSS, \`trucd --once\` on $n mails | $(mib "$(get mail_loop_peak_rss_kib)") | | | ≤ 20 MB |" \
		    "$(verdict "$(get mail_loop_peak_rss_kib)" '<=' 20480) |"
		echo "| daemon RSS in IDLE after $n mails | $(mib "$(get daemon_idle_rss_kib)"), of which anonymous $(mib "$(get daemon_idle_anon_kib)") |" \
		    "just started: $(mib "$(get daemon_start_rss_kib)"), anonymous $(mib "$(get daemon_start_anon_kib)") | | ≤ 5 MB |" \
		    "$(verdict "$(get daemon_idle_rss_kib)" '<=' 5120) |"
		echo "| reply latency, daemon in IDLE (median of 5) | $(get daemon_latency_s) s | 0.5 s (Dovecot's IDLE push delay) | | ≤ 1 s |" \
		    "$(verdict "$(get daemon_latency_s)" '<=' 1) |"
	else
		echo "| command mails, \`trucd --once\` | did not complete | | | ≤ 1.5× | ? |"
	fi
	if [ -n "$(get programme_trucd_s)" ]; then
		echo "| weekly programme to $(get programme_n) agents ($(get programme_sessions) sessions), \`trucd --once\` |" \
		    "$(get programme_trucd_s) s, $(get programme_rate) mails/s |" \
		    "$(get programme_smtp_s) s (smtp-source, $(get programme_bytes) B each) |" \
		    "$(get programme_ratio)× | ≤ 1.3× | $(verdict "$(get programme_ratio)" '<=' 1.3) |"
		echo "| peak RSS, weekly programme | $(mib "$(get programme_peak_rss_kib)") | | | | |"
	else
		echo "| weekly programme | did not complete | | | ≤ 1.3× | ? |"
	fi
	if [ -n "$(get import_sessions_s)" ]; then
		echo "| \`trucctl session import\`, 500 sessions | $(get import_sessions_s) s | | | < 1 s |" \
		    "$(verdict "$(get import_sessions_s)" '<' 1) |"
		echo "| \`trucctl agent import\`, 10,000 agents | $(get import_agents_s) s | | | < 1 s |" \
		    "$(verdict "$(get import_agents_s)" '<' 1) |"
	else
		echo "| imports | did not complete | | | < 1 s | ? |"
	fi
	if [ -n "$(get mail_loop_move_s)" ]; then
		echo
		echo "Not in the floor: Dovecot's own MOVE of the $n mails takes $(get mail_loop_move_s) s;" \
		    "trucd's runs took $(get mail_loop_runs) s (mail loop) and $(get programme_runs) s (programme)."
	fi
	if [ -f "$LOGDIR/parse.log" ]; then
		echo
		echo "Mail parsing (\`build/bench/parse\`):"
		echo
		sed 's/^/    /' "$LOGDIR/parse.log"
	fi
	echo
	echo "For scale, the same ${n:-2000} command mails take mlmmj about 6 s and Mailman about 3 min."
	[ -n "$failed" ] && { echo; echo "Did not complete:$failed (see the output above)."; }
} >"$OUTDIR/latest.md"

echo
cat "$OUTDIR/latest.md"
[ -z "$failed" ]
