#!/usr/bin/env bash
# t0600: sign-in sheets rendered by sheet.c, read back by poppler: A4
# portrait, page count, accented names, the header and the table header on
# every page, "page N / M" footers, the trainer's box on the last page only,
# names too long for their cell cut (never spilling), rows from the database
# sorted ignoring case and accents.  Page 1 of each sheet is kept as a PNG in
# tests/artefacts/ for people to look at.
. "$(dirname "$0")/../lib/test-lib.sh"
test_init

SHEETTOOL=$TOOLS/sheettool
[ -x "$SHEETTOOL" ] || skip_all "no $SHEETTOOL (make $BUILD/tools/sheettool)"
for p in pdfinfo pdftotext pdftoppm; do
	command -v "$p" >/dev/null 2>&1 || skip_all "no $p (Debian poppler-utils)"
done
ART=$TRUCD_TOP/tests/artefacts
mkdir -p "$ART"

# pages FILE: the page count pdfinfo reads.
pages() {
	pdfinfo "$1" 2>/dev/null | sed -n 's/^Pages: *//p'
}
# page_text FILE N: the text of page N.
page_text() {
	pdftotext -enc UTF-8 -f "$2" -l "$2" "$1" - 2>/dev/null
}
# png_size FILE: "WIDTHxHEIGHT" from the PNG's IHDR.
png_size() {
	local b
	b=($(od -An -tu1 -j16 -N8 "$1"))
	echo "$(( (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3] ))x$(( (b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7] ))"
}
# overflow FILE: the words (with page and box) that poppler finds outside
# the text frame (x 42 to 553.3 pt), or, in the table (between the "Nom"
# header and the trainer's box, "Nombre de présents"), outside their
# column: Nom 42-231.2, Service 231.2-379.4.
overflow() {
	pdftotext -enc UTF-8 -bbox "$1" - 2>/dev/null | awk '
	function attr(name) {
		match($0, name "=\"[0-9.]+\"")
		return substr($0, RSTART + length(name) + 2, RLENGTH - length(name) - 3) + 0
	}
	/<page / { page++ }
	/<word / {
		n++; pg[n] = page; x0[n] = attr("xMin"); x1[n] = attr("xMax")
		y0[n] = attr("yMin")
		w = $0; sub(/.*">/, "", w); sub(/<.*/, "", w); word[n] = w
		if (w == "Nom" && !(page in top)) top[page] = y0[n]
		if (w == "Nombre") box[page] = y0[n]
	}
	END {
		for (i = 1; i <= n; i++) {
			p = pg[i]
			bad = x0[i] < 41.5 || x1[i] > 553.8
			end = (p in box) ? box[p] - 5 : 790
			if ((p in top) && y0[i] > top[p] + 5 && y0[i] < end) {
				if (x0[i] < 231.2) bad = bad || x1[i] > 231.7
				else if (x0[i] < 379.4) bad = bad || x1[i] > 379.9
			}
			if (bad)
				printf "page %d: %s (%.1f-%.1f)\n", p, word[i], x0[i], x1[i]
		}
	}'
}
# keep_png NAME PDF: page 1 at 60 dpi into tests/artefacts/NAME.png.
keep_png() {
	local name=$1 pdf=$2
	rm -f "$ART/$name.png"
	ok_cmd "$name: pdftoppm renders page 1" pdftoppm -png -r 60 -f 1 -l 1 \
	    -singlefile "$pdf" "$ART/$name"
	like "$name: PNG of an A4 page at 60 dpi" "$(png_size "$ART/$name.png")" '^49[67]x702$'
	local size
	size=$(stat -c %s "$ART/$name.png")
	if [ "$size" -gt 8000 ]; then
		pass "$name: PNG has content ($size bytes)"
	else
		fail "$name: PNG has content" "only $size bytes"
	fi
}

# --- three agents --------------------------------------------------------
S=$TEST_DIR/small.pdf
ok_cmd "small sheet renders" "$SHEETTOOL" -x small -o "$S"
is "small sheet: 5 blank rows" "$OUT" 5
INFO=$(pdfinfo "$S")
like "small sheet: A4 portrait" "$INFO" '^Page size: +595\.276 x 841\.89 pts \(A4\)'
is "small sheet: one page" "$(pages "$S")" 1
like "small sheet: PDF title names the session" "$INFO" "^Title: +Feuille d.+émargement – tableur-1"
T=$(page_text "$S" 1)
like "small sheet: the school" "$T" '^TRUC² — école interne de la Ville'
like "small sheet: the title" "$T" "Feuille d.{1,3}émargement"
like "small sheet: the session" "$T" 'Tableur : les formules de base'
like "small sheet: day" "$T" 'lundi 7 décembre 2026'
like "small sheet: times" "$T" '14:00 – 16:00'
like "small sheet: place" "$T" 'Salle du conseil, 1er étage'
like "small sheet: code" "$T" 'tableur-1'
for n in 'Chloé Bénard' 'Jérôme Lefèvre' 'Zoé Œuvray' 'Médiathèque'; do
	like "small sheet: $n, accents intact" "$T" "$n"
done
like "small sheet: table header" "$T" '^Nom$'
like "small sheet: trainer's box" "$T" 'Signature du formateur / de la formatrice'
like "small sheet: trainer's name" "$T" 'Hélène Dubœuf'
like "small sheet: footer" "$T" 'page 1 / 1'
keep_png sheet-small "$S"

# --- 75 agents: several pages --------------------------------------------
L=$TEST_DIR/large.pdf
ok_cmd "large sheet renders" "$SHEETTOOL" -x large -o "$L"
INFO=$(pdfinfo "$L")
like "large sheet: A4 portrait" "$INFO" '^Page size: +595\.276 x 841\.89 pts \(A4\)'
# 75 agents + 5 blank rows at 19 rows a page, 15 on the last one (room for
# the trainer's box): 5 pages.
N=$(pages "$L")
is "large sheet: 5 pages" "$N" 5
for ((i = 1; i <= ${N:-0}; i++)); do
	T=$(page_text "$L" "$i")
	like "large sheet page $i: the header" "$T" "Feuille d.{1,3}émargement"
	like "large sheet page $i: the wrapped title" "$T" '^Prévenir et gérer les situations'
	like "large sheet page $i: the session block" "$T" 'agressivite-accueil-2'
	like "large sheet page $i: the table header" "$T" '^Signature$'
	like "large sheet page $i: footer" "$T" "page $i / $N"
	if [ "$i" -lt "$N" ]; then
		unlike "large sheet page $i: no trainer's box before the last page" \
		    "$T" 'Signature du formateur'
	else
		like "large sheet page $i (last): the trainer's box" "$T" \
		    'Signature du formateur / de la formatrice'
		like "large sheet page $i (last): the last agent" "$T" \
		    'Pierre-Étienne Fèvre'
	fi
done
ALL=$(pdftotext -enc UTF-8 "$L" - 2>/dev/null)
is "large sheet: every agent once (an accented one counted)" \
    "$(printf '%s\n' "$ALL" | grep -c '^Anaïs ')" 5
like "large sheet: a name too long for its cell is there" "$ALL" 'Benoît Marie-Bénédicte'
# (Text cut with "…" stays in the PDF as the ellipsis' ActualText, so
# pdftotext still reads it: what is checked is where the words are drawn.)
is "large sheet: no word drawn outside the page's frame or its table cell" \
    "$(overflow "$L")" ""
keep_png sheet-large "$L"
ok_cmd "large sheet: last page to PNG too" pdftoppm -png -r 60 -f "$N" -l "$N" \
    -singlefile "$L" "$ART/sheet-large-last"

# Blank rows that fill the last page keep the page count.
ok_cmd "large sheet filled" "$SHEETTOOL" -x large -F 5 -o "$TEST_DIR/fill.pdf"
FILL=$OUT
if [ "$FILL" -ge 5 ] 2>/dev/null; then
	pass "fill: at least 5 blank rows ($FILL)"
else
	fail "fill: at least 5 blank rows" "got '$FILL'"
fi
is "fill: same 5 pages" "$(pages "$TEST_DIR/fill.pdf")" 5
ok_cmd "one more blank row" "$SHEETTOOL" -x large -b $((FILL + 1)) -o "$TEST_DIR/fill1.pdf"
is "one more blank row than fills the page makes a 6th page" \
    "$(pages "$TEST_DIR/fill1.pdf")" 6
like "and the box moved to it" "$(page_text "$TEST_DIR/fill1.pdf" 6)" \
    'Signature du formateur'

# --- odd input -----------------------------------------------------------
printf 'school=\ntitle=Bad \377\376 bytes\tand\x01controls\ncode=odd\nblank=0\n' \
    >"$TEST_DIR/odd.txt"
printf 'row=%s|\n' "$(printf 'x%.0s' {1..400})" >>"$TEST_DIR/odd.txt"
ok_cmd "invalid UTF-8, controls, a 400-letter name, no blank row" \
    "$SHEETTOOL" -f "$TEST_DIR/odd.txt" -o "$TEST_DIR/odd.pdf"
is "odd: one page" "$(pages "$TEST_DIR/odd.pdf")" 1
like "odd: text repaired" "$(page_text "$TEST_DIR/odd.pdf" 1)" 'Bad .* bytes and controls'
is "odd: the 400-letter name stays in its cell" "$(overflow "$TEST_DIR/odd.pdf")" ""
printf 'code=empty\n' >"$TEST_DIR/empty.txt"
ok_cmd "no agent, nothing else" "$SHEETTOOL" -f "$TEST_DIR/empty.txt" -b 0 -o "$TEST_DIR/empty.pdf"
is "empty: one page with the box" "$(pages "$TEST_DIR/empty.pdf")" 1
ok_cmd "300 blank rows" "$SHEETTOOL" -f "$TEST_DIR/empty.txt" -b 300 -o "$TEST_DIR/many.pdf"
P=$(pages "$TEST_DIR/many.pdf")
if [ "${P:-0}" -ge 14 ] && [ "${P:-0}" -le 20 ]; then
	pass "300 rows: $P pages"
else
	fail "300 rows: 14 to 20 pages" "got '$P'"
fi

# --- from the database ---------------------------------------------------
D=$TEST_DIR/db.pdf
ok_cmd "sheet_pdf on a database" "$SHEETTOOL" -x db -o "$D"
T=$(pdftotext -enc UTF-8 "$D" - 2>/dev/null)
ORDER=$(printf '%s\n' "$T" | grep -E '^(agathe|Édith|Émile|Éric|sans\.nom|Zoé|Wanda|Claude)' | tr '\n' ',')
is "db: registered, attended and absent agents sorted ignoring case and accents" \
    "$ORDER" 'agathe Martin,Édith Bénard,Émile Dupré,Éric Absent,sans.nom@ville.example,Zoé Faure,'
like "db: the trainer by name (address matched ignoring case)" "$T" 'Hélène Dubœuf'
like "db: the day in Paris" "$T" 'lundi 7 décembre 2026'
like "db: times in Paris" "$T" '14:00 – 16:30'
like "db: the school from the configuration" "$T" '^TRUC²$'
like "db: six registered" "$T" '^6$'
keep_png sheet-db "$D"

done_testing
