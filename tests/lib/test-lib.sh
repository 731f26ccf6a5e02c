# test-lib.sh - sourced (bash) by every shell test tests/t/tNNNN-area-what.sh.
# Prints TAP; tests/run.sh counts the "ok N" / "not ok N" lines.
#
#	. "$(dirname "$0")/../lib/test-lib.sh"
#	test_init                     # $TEST_DIR on /dev/shm, cleanup trap
#	rig_init; rig_start_dovecot   # mail servers: see tests/lib/mailrig.sh
#	ok_cmd "trucctl knows --help" "$TRUCCTL" --help
#	like "it says usage" "$OUT" '^[Uu]sage'
#	done_testing
#
# Assertions (each prints one TAP line; on failure, the details as # lines;
# each returns 0 when it passed, 1 when it failed, so do not use set -e):
#	ok_cmd DESC CMD...        passes if CMD exits 0; its stdout+stderr in $OUT
#	fail_cmd DESC CMD...      passes if CMD exits non-zero; output in $OUT,
#	                          exit status in $RC
#	is DESC GOT EXPECTED      string equality
#	like DESC TEXT ERE        TEXT matches the extended regex (grep -E, per line)
#	unlike DESC TEXT ERE      TEXT does not match
#	file_contains DESC FILE ERE / file_lacks DESC FILE ERE
#	pass DESC / fail DESC [WHY...] / skip DESC REASON
#	diag TEXT...              "# TEXT" lines
#	skip_all REASON           prints "1..0 # SKIP REASON", exits 77
#	bail_out REASON           prints "Bail out! REASON", exits 1
#	done_testing              plan, "# N passed, M failed", exit 1 on failure
# Helpers:
#	wait_until TIMEOUT_S CMD...  polls CMD every 50 ms; status 0 once it
#	                          succeeds, 1 when TIMEOUT_S (decimals ok) ran out
#	free_port [N]             N free TCP ports on 127.0.0.1, never the same
#	                          twice in one test
#	track_pid PID             SIGTERM (then SIGKILL) PID at cleanup
#	at_cleanup CMD            run the shell command CMD at cleanup (first)
#
# Cleanup always runs (exit, error, INT, TERM from `timeout`): CMDs from
# at_cleanup, tracked pids, every rig under $TEST_DIR, then the directory
# itself unless KEEP=1.
#
# Environment: TRUCD_TOP (repo root), BUILD (default build), SHARED (default
# $TRUCD_TOP/../shared); test_init exports TEST_DIR, TRUCD, TRUCCTL, TOOLS.

if [ -z "${TRUCD_TOP:-}" ]; then
	TRUCD_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fi
: "${BUILD:=build}"
: "${SHARED:=$(cd "$TRUCD_TOP/.." && pwd)/shared}"
export TRUCD_TOP BUILD SHARED

. "$TRUCD_TOP/tests/lib/mailrig.sh"

_t_count=0
_t_failed=0
_t_pids=
_t_cleanups=()
OUT=
RC=0

# --- TAP -----------------------------------------------------------------

# diag ARG...: each argument on its own "# " line(s).
diag() {
	local line
	printf '%s\n' "$@" | while IFS= read -r line; do printf '# %s\n' "$line"; done
}

pass() {
	_t_count=$((_t_count + 1))
	printf 'ok %d - %s\n' "$_t_count" "$1"
}

fail() {
	_t_count=$((_t_count + 1))
	_t_failed=$((_t_failed + 1))
	printf 'not ok %d - %s\n' "$_t_count" "$1"
	shift
	[ $# -gt 0 ] && diag "$@"
	return 1
}

skip() {
	_t_count=$((_t_count + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_t_count" "$1" "${2:-}"
}

# Show at most the last 30 lines of a command's output.
_t_tail() {
	printf '%s\n' "$1" | tail -n 30
}

# Run "$@" in this shell (not a subshell: variables it sets and servers it
# starts stay ours), output into $OUT.
_t_run() {
	local f=${TEST_DIR:-/tmp}/.out.$$
	"$@" >"$f" 2>&1 && RC=0 || RC=$?
	OUT=$(cat "$f")
	rm -f "$f"
}

ok_cmd() {
	local desc=$1; shift
	_t_run "$@"
	if [ "$RC" -eq 0 ]; then
		pass "$desc"
	else
		fail "$desc" "command: $*" "exit status: $RC" "output:" "$(_t_tail "$OUT")"
	fi
}

fail_cmd() {
	local desc=$1; shift
	_t_run "$@"
	if [ "$RC" -ne 0 ]; then
		pass "$desc"
	else
		fail "$desc" "command: $*" "expected a failure, got exit status 0" \
		    "output:" "$(_t_tail "$OUT")"
	fi
}

is() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "     got: '$2'" "expected: '$3'"
	fi
}

like() {
	if printf '%s\n' "$2" | grep -qE -- "$3"; then
		pass "$1"
	else
		fail "$1" "text:" "$(_t_tail "$2")" "does not match: $3"
	fi
}

unlike() {
	if printf '%s\n' "$2" | grep -qE -- "$3"; then
		fail "$1" "text:" "$(_t_tail "$2")" "matches (it should not): $3"
	else
		pass "$1"
	fi
}

file_contains() {
	if [ ! -f "$2" ]; then
		fail "$1" "no such file: $2"
	elif grep -qE -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "$2 does not match: $3" "last lines of $2:" "$(tail -n 20 "$2")"
	fi
}

file_lacks() {
	if [ ! -f "$2" ]; then
		fail "$1" "no such file: $2"
	elif grep -qE -- "$3" "$2"; then
		fail "$1" "$2 matches (it should not): $3" "$(grep -nE -- "$3" "$2" | head -n 10)"
	else
		pass "$1"
	fi
}

# bail_out REASON: give up on the whole test (e.g. a server did not start).
bail_out() {
	printf 'Bail out! %s\n' "$*"
	exit 1
}

skip_all() {
	printf '1..0 # SKIP %s\n' "$*"
	exit 77
}

done_testing() {
	printf '1..%d\n' "$_t_count"
	printf '# %d passed, %d failed\n' $((_t_count - _t_failed)) "$_t_failed"
	[ "$_t_failed" -eq 0 ] || exit 1
	exit 0
}

# --- helpers -------------------------------------------------------------

# wait_until TIMEOUT_S CMD...: the timeout may have decimals (0.5).
wait_until() {
	local t=$1 s us limit; shift
	s=${t%%.*}; us=0
	[[ $t == *.* ]] && { us=${t#*.}000000; us=$((10#${us:0:6})); }
	limit=$(( ${EPOCHREALTIME/./} + ${s:-0} * 1000000 + us ))
	while :; do
		"$@" && return 0
		[ "${EPOCHREALTIME/./}" -ge "$limit" ] && return 1
		sleep 0.05
	done
}

free_port() {
	rig_free_port "$@"
}

track_pid() {
	_t_pids+=" $1"
}

at_cleanup() {
	_t_cleanups+=("$1")
}

_t_cleanup() {
	local rc=$? c pid m n
	trap - EXIT INT TERM HUP
	for c in "${_t_cleanups[@]}"; do
		eval "$c" >/dev/null 2>&1
	done
	for pid in $_t_pids; do
		kill -TERM "$pid" 2>/dev/null || continue
		n=0
		while :; do
			# gone, or a zombie: dead enough
			case $(ps -o stat= -p "$pid" 2>/dev/null) in
			''|Z*) break;;
			esac
			if [ "$n" -ge 40 ]; then
				kill -KILL "$pid" 2>/dev/null
				break
			fi
			sleep 0.05; n=$((n + 1))
		done
		wait "$pid" 2>/dev/null
	done
	if [ -n "${TEST_DIR:-}" ] && [ -d "$TEST_DIR" ]; then
		while IFS= read -r m; do
			rig_stop_all "${m%/.mailrig}"
		done < <(find "$TEST_DIR" -maxdepth 3 -name .mailrig 2>/dev/null)
		if [ "${KEEP:-0}" = 1 ]; then
			echo "# kept $TEST_DIR"
		else
			rm -rf "$TEST_DIR"
		fi
	fi
	exit "$rc"
}

# test_init: fresh $TEST_DIR (0711, on /dev/shm when there is one) and a
# trap that always cleans up.
test_init() {
	local name base=/dev/shm
	name=$(basename "$0" .sh)
	name=${name:0:20}	# Dovecot's unix socket paths must stay short
	[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
	TEST_DIR=$(mktemp -d "$base/trucd-$name.XXXXXX") || {
		echo "Bail out! cannot make a temporary directory"; exit 1; }
	chmod 0711 "$TEST_DIR"
	trap _t_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	TRUCD=$TRUCD_TOP/$BUILD/trucd
	TRUCCTL=$TRUCD_TOP/$BUILD/trucctl
	TOOLS=$TRUCD_TOP/$BUILD/tools
	RIG_PORTS_FILE=$TEST_DIR/.ports-used
	export TEST_DIR TRUCD TRUCCTL TOOLS RIG_PORTS_FILE
}
