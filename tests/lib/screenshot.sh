#!/usr/bin/env bash
# screenshot.sh - renders a local HTML file to a PNG with headless Chromium
# (Debian package chromium), for tests that look at generated pages.
#
#	bash tests/lib/screenshot.sh IN.html OUT.png [WIDTH,HEIGHT]
#
# or, sourced: screenshot_html IN.html OUT.png [WIDTH,HEIGHT]
#
# Exit status: 0 with OUT.png written; 77 when no Chromium is installed
# (the calling test skips); 1 on any other failure (Chromium's output on
# stderr).  Chromium gets a throwaway profile, no network services, and at
# most 90 seconds.  Set CHROMIUM to use another binary.

screenshot_find_chromium() {
	local c
	for c in ${CHROMIUM:-} chromium chromium-browser google-chrome-stable \
	    google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			command -v "$c"
			return 0
		fi
	done
	return 1
}

screenshot_html() {
	local in=$1 out=$2 size=${3:-900,1400} bin profile log rc abs
	if [ -z "$in" ] || [ -z "$out" ]; then
		echo "usage: screenshot.sh IN.html OUT.png [WIDTH,HEIGHT]" >&2
		return 1
	fi
	bin=$(screenshot_find_chromium) || {
		echo "no chromium (Debian package chromium)" >&2
		return 77
	}
	[ -f "$in" ] || { echo "no such file: $in" >&2; return 1; }
	abs=$(cd "$(dirname "$in")" && pwd)/$(basename "$in")
	case $out in /*) ;; *) out=$PWD/$out;; esac
	profile=$(mktemp -d "${TMPDIR:-/tmp}/screenshot-profile.XXXXXX") || return 1
	log=$profile.log
	rm -f "$out"
	# HOME too: Chromium writes caches there whatever the profile says.
	HOME=$profile timeout -k 5 90 "$bin" --headless --no-sandbox \
	    --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --disable-extensions --disable-dev-shm-usage \
	    --hide-scrollbars --user-data-dir="$profile" \
	    --screenshot="$out" --window-size="$size" "file://$abs" \
	    >"$log" 2>&1 </dev/null
	rc=$?
	if [ "$rc" -ne 0 ] || [ ! -s "$out" ]; then
		echo "chromium failed (exit status $rc):" >&2
		tail -n 20 "$log" >&2
		rc=1
	else
		rc=0
	fi
	rm -rf "$profile" "$log"
	return "$rc"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	screenshot_html "$@"
	exit $?
fi
