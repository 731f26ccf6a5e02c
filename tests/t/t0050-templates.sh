#!/usr/bin/env bash
# t0050: every shipped template passes templates_check, a broken one is
# reported with FILE:LINE, and composed mail goes through a real parser
# (Python's email package, policy=default) without a single defect, its
# encoded subjects decoding back to what was given.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TT=$BUILD/tests/test_template
TC=$BUILD/tests/test_compose
if [ ! -x "$TT" ] || [ ! -x "$TC" ]; then
	echo "# $TT or $TC not built"
	exit 77
fi
command -v python3 >/dev/null || { echo "# no python3"; exit 77; }

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }

tmp=$(mktemp -d /tmp/t0050.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# 1. The shipped templates.
if out=$("$TT" --check templates 2>&1); then
	ok "shipped templates pass templates_check"
else
	notok "shipped templates pass templates_check"
	printf '%s\n' "$out" | sed 's/^/# /'
fi
if [ "$(ls templates/fr)" = "$(ls templates/en)" ]; then
	ok "templates/fr and templates/en hold the same $(ls templates/fr | wc -l) files"
else
	notok "templates/fr and templates/en hold the same files"
	diff <(ls templates/fr) <(ls templates/en) | sed 's/^/# /'
fi

# 2. A broken copy: unknown placeholder and unclosed section, with lines.
cp -r templates "$tmp/tpl"
printf 'Bonjour\n{{#clash}}\n{{nimportequoi}}\n{{/clash}}\n' >"$tmp/tpl/fr/registered.txt"
printf 'Hello\n\n{{#position}}\n' >"$tmp/tpl/en/waitlisted.txt"
rm "$tmp/tpl/en/help.txt"
out=$("$TT" --check "$tmp/tpl" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then ok "a broken tree fails the check"; else notok "a broken tree fails the check"; fi
for want in "$tmp/tpl/fr/registered.txt:3: unknown placeholder {{nimportequoi}}" \
    "$tmp/tpl/en/waitlisted.txt:3: section never closed" \
    "$tmp/tpl/en/help.txt: missing required template"; do
	if printf '%s\n' "$out" | grep -qF "$want"; then
		ok "report names: ${want#$tmp/}"
	else
		notok "report names: ${want#$tmp/}"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
lines=$(printf '%s\n' "$out" | grep -c .)
if [ "$lines" -eq 3 ]; then ok "exactly 3 problems reported"; else notok "3 problems reported, got $lines"; fi

# 3. Composed mail through a real parser.
mkdir "$tmp/mail"
if "$TC" --emit "$tmp/mail"; then ok "sample messages composed"; else notok "sample messages composed"; fi
python3 - "$tmp/mail" "$n" <<'PY'
import email, email.policy, glob, os, sys
from email.header import decode_header, make_header

d, n = sys.argv[1], int(sys.argv[2])
def report(good, what, detail=None):
    global n
    n += 1
    print(("ok %d - %s" if good else "not ok %d - %s") % (n, what))
    if not good and detail:
        for l in str(detail).splitlines():
            print("# " + l)

for eml in sorted(glob.glob(os.path.join(d, "*.eml"))):
    name = os.path.basename(eml)[:-4]
    raw = open(eml, "rb").read()
    want = " ".join(open(eml[:-4] + ".subject", encoding="utf-8").read().split())
    m = email.message_from_bytes(raw, policy=email.policy.default)
    defects = []
    for part in m.walk():
        defects += [(part.get_content_type(), repr(x)) for x in part.defects]
        for k, v in part.items():
            defects += [(k, repr(x)) for x in getattr(v, "defects", ())]
    report(not defects, name + ": no defects", defects)
    report(str(m["Subject"]) == want, name + ": Subject decodes back",
           "got  %r\nwant %r" % (str(m["Subject"]), want))
    legacy = email.message_from_bytes(raw)
    got = str(make_header(decode_header(legacy["Subject"])))
    report(" ".join(got.split()) == want, name + ": email.header decodes the Subject",
           "got %r" % got)
    report("Bcc" not in m and len(m.get_all("Subject")) == 1,
           name + ": one Subject, no injected header")
    report(b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b""),
           name + ": CRLF line ends only")
    bad = []
    for part in m.walk():
        if part.is_multipart():
            continue
        try:
            c = part.get_content()
        except Exception as e:
            bad.append((part.get_content_type(), e))
    report(not bad, name + ": every part decodes", bad)
    if name == "full":
        types = [p.get_content_type() for p in m.walk()]
        report(types == ["multipart/mixed", "multipart/alternative", "text/plain",
                         "text/html", "text/calendar", "application/ics",
                         "text/csv", "application/pdf"],
               "full: MIME structure", types)
        cal = [p for p in m.walk() if p.get_content_type() == "text/calendar"][0]
        ics = [p for p in m.walk() if p.get_content_type() == "application/ics"][0]
        report(cal.get_param("method") == "REQUEST"
               and ics.get_filename() == "invitation.ics"
               and ics.get_content().decode() == cal.get_content(),
               "full: iMIP calendar part and invitation.ics agree")
        pdf = [p for p in m.walk() if p.get_content_type() == "application/pdf"][0]
        report(pdf.get_filename() == "émargement « session 42 » très long nom de fichier pour tester les continuations.pdf"
               and pdf.get_content() == b"%PDF-1.4\n\0\x01\x02",
               "full: RFC 2231 filename and binary content",
               (pdf.get_filename(), pdf.get_content()))
        text = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
        report(text.startswith("Bonjour,\n\nFrom the start.\n.\n") and text.endswith("éèàùç.   \n"),
               "full: text survives quoted-printable", repr(text))
        report(m["In-Reply-To"] == "<CAF=x+y_z@mail.gmail.com>"
               and m["References"] == "<root@x.example> <CAF=x+y_z@mail.gmail.com>",
               "full: In-Reply-To and References", (m["In-Reply-To"], m["References"]))
        report(str(m["From"]) == "TRUC² <truc@ville.example>", "full: From name decodes", m["From"])
    if name == "injection":
        report(str(m["To"]) == "Eve Bcc: victim@evil.example <marie.curie@ville.example>"
               or m["To"].addresses[0].addr_spec == "marie.curie@ville.example",
               "injection: To keeps one recipient", m["To"])
print("1..%d" % n)
PY
