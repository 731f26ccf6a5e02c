#!/usr/bin/env bash
# t0610: the year's report as HTML and text from fixed figures (reporttool):
# self-contained (no script, no remote reference, inline SVG with text
# alternatives), well formed, the figures present, a year without data
# printing "—" rather than NaN; then headless Chromium draws the page into
# tests/artefacts/report.png (and report-empty.png) for people to look at.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TRUCD_TOP/tests/lib/screenshot.sh"
test_init

REPORTTOOL=$TOOLS/reporttool
[ -x "$REPORTTOOL" ] || skip_all "no $REPORTTOOL (make $BUILD/tools/reporttool)"
screenshot_find_chromium >/dev/null || skip_all "no chromium (Debian package chromium)"
ART=$TRUCD_TOP/tests/artefacts
mkdir -p "$ART"

# png_size FILE: "WIDTHxHEIGHT" from the PNG's IHDR.
png_size() {
	local b
	b=($(od -An -tu1 -j16 -N8 "$1"))
	echo "$(( (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3] ))x$(( (b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7] ))"
}

H=$TEST_DIR/report.html
ok_cmd "reporttool writes the HTML" "$REPORTTOOL" html -o "$H"
file_contains "an HTML5 page in French" "$H" '^<html lang="fr">$'
file_contains "declared UTF-8" "$H" '<meta charset="utf-8">'
file_lacks "no script" "$H" '<[Ss][Cc][Rr][Ii][Pp][Tt]'
file_lacks "no http:// reference" "$H" '[Hh][Tt][Tt][Pp]://'
file_lacks "no https:// reference" "$H" '[Hh][Tt][Tt][Pp][Ss]://'
file_lacks "no file loaded (src, link, CSS url or import)" "$H" \
    ' src=|<link|url\(|@import|<iframe|<object|<embed'
file_lacks "no event handler attribute" "$H" ' on[a-z]+='
is "three charts" "$(grep -c '<svg ' "$H")" 3
is "each chart is an image with a title and a description" \
    "$(grep -cE '<svg [^>]*role="img" aria-labelledby="chart-[a-z]+-title chart-[a-z]+-desc"' "$H")" 3
file_contains "the school" "$H" 'TRUC² — école interne de la Ville'
file_contains "participations" "$H" '>359</div>'
file_contains "fill rate" "$H" '>80,5 %</div>'
file_contains "no-show rate" "$H" '>7,1 %</div>'
file_contains "a month's bar with its tooltip" "$H" \
    'data-value="50" [^>]*height="200.0"[^>]*><title>octobre : 50 participation'
file_contains "a track's bar" "$H" 'data-value="14" [^>]*width="400.0"'
file_contains "the long track in full in the table" "$H" \
    'Numérique responsable et accessibilité des services en ligne</td>'
file_contains "a trainer by name" "$H" 'Hélène Dubœuf'

# Well formed: every element closed in order (void ones excepted).
if command -v python3 >/dev/null 2>&1; then
	cat >"$TEST_DIR/wellformed.py" <<'PYEOF'
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "hr", "img", "input", "link", "line", "rect", "wbr"}
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("line %d: </%s> closes %s" % (self.getpos()[0], tag,
                self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
p.close()
for t, pos in p.stack:
    p.errors.append("<%s> of line %d never closed" % (t, pos[0]))
print("\n".join(p.errors[:10]))
sys.exit(1 if p.errors else 0)
PYEOF
	ok_cmd "the HTML is well formed" python3 "$TEST_DIR/wellformed.py" "$H"
else
	skip "the HTML is well formed" "no python3"
fi

ok_cmd "reporttool writes the text" "$REPORTTOOL" text
T=$OUT
like "text: participations" "$T" '^Participations;359$'
like "text: fill rate with a decimal comma" "$T" '^Taux de remplissage \(%\);80,5$'
like "text: a month" "$T" '^octobre;50$'
like "text: a track" "$T" '^Bureautique;14;118;8,4;168;131;78,0$'
like "text: no track last" "$T" '^\(sans filière\);2;11;5,5;24;13;54,2$'

E=$TEST_DIR/empty.html
ok_cmd "an empty year renders" "$REPORTTOOL" html -e -o "$E"
file_contains "empty: undefined rates print —" "$E" '>—</div>'
file_lacks "empty: no NaN or infinity" "$E" '[Nn]a[Nn]|inf"|inf<'
file_contains "empty: says so in the chart" "$E" 'Aucune participation cette année'
file_lacks "empty: no empty table of tracks" "$E" 'Par filière \(tableau\)'

# --- pictures ------------------------------------------------------------
cp "$H" "$ART/report.html"
cp "$E" "$ART/report-empty.html"
ok_cmd "Chromium draws the report" screenshot_html "$H" "$ART/report.png" 900,1400
is "report.png is 900x1400" "$(png_size "$ART/report.png")" 900x1400
SIZE=$(stat -c %s "$ART/report.png" 2>/dev/null || echo 0)
if [ "$SIZE" -gt 30000 ]; then
	pass "report.png has content ($SIZE bytes)"
else
	fail "report.png has content" "only $SIZE bytes (a blank page is about 5000)"
fi
ok_cmd "Chromium draws the empty year" screenshot_html "$E" "$ART/report-empty.png" 900,1400
ESIZE=$(stat -c %s "$ART/report-empty.png" 2>/dev/null || echo 0)
if [ "$ESIZE" -gt 30000 ]; then
	pass "report-empty.png has content ($ESIZE bytes)"
else
	fail "report-empty.png has content" "only $ESIZE bytes"
fi

done_testing
