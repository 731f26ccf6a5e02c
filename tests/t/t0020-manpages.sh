#!/usr/bin/env bash
# t0020: the manual pages are clean mdoc and document what the code has.
#
# Lint: mandoc -T lint -W warning when mandoc is installed (Debian package
# mandoc), else groff -mandoc -ww; no output allowed.  Skipped (77) with
# neither.
#
# Coverage, read from the code so that a new option, subcommand or key
# without documentation fails here:
#   - every option string of src/trucd.c ("-c", "--once", ...) has an
#     `Fl' in man/trucd.8, and every `Fl' of trucd.8 is an option of trucd.c;
#     the same for src/trucctl.c and man/trucctl.8;
#   - every subcommand that main() of src/trucctl.c dispatches with
#     IS(0, "a") [&& IS(1, "b")] has its entry `.It Cm a b' in trucctl.8;
#   - every key of src/conf.c (CFG_* in the cfg_opt_t tables and in the
#     ENDPOINT_OPTS macro) is in man/trucd.conf.5: a top-level key as
#     `.It Ic key No =', a section as `.It Ic name No {', and a key of a
#     section as `Ic key' between that section's `.It Ic name No {' and the
#     next section or `.Sh';
#   - the exit statuses of src/app.h (EXIT_*) and 0 and 1 are `.It N' entries
#     under EXIT STATUS in trucd.8, and every signal trucd.c catches with
#     sigaction() is under SIGNALS.
. "$(dirname "$0")/../lib/test-lib.sh"
test_init

cd "$TRUCD_TOP" || bail_out "no $TRUCD_TOP"
PAGES="man/trucd.8 man/trucctl.8 man/trucd.conf.5"

if command -v mandoc >/dev/null 2>&1; then
	LINTER=mandoc
elif command -v groff >/dev/null 2>&1; then
	LINTER=groff
else
	skip_all "neither mandoc nor groff is installed (Debian: mandoc)"
fi
diag "linting with $LINTER"

# --- lint ------------------------------------------------------------------

for p in $PAGES; do
	if [ ! -f "$p" ]; then
		fail "$p exists"
		continue
	fi
	if [ "$LINTER" = mandoc ]; then
		out=$(mandoc -T lint -W warning "$p" 2>&1)
	else
		out=$(groff -mandoc -Tutf8 -ww -z "$p" 2>&1)
	fi
	rc=$?
	if [ $rc -eq 0 ] && [ -z "$out" ]; then
		pass "$p: $LINTER finds nothing to say"
	else
		fail "$p: $LINTER finds nothing to say" "exit status $rc" "$out"
	fi
done

# --- options -----------------------------------------------------------------

# code_options FILE: the option strings of a C file, one a line.
code_options() {
	grep -oE '"--?[A-Za-z][A-Za-z0-9-]*"' "$1" | tr -d '"' | sort -u
}

# page_flags FILE: the options a page names with Fl, one a line ("-c",
# "--once"); "Fl -x , Fl y" and "Fl -x | -y" give both.
page_flags() {
	grep -E '(^|[[:space:]])Fl[[:space:]]' "$1" |
	    sed -E 's/[[:space:]]+/ /g' |
	    awk '{
		for (i = 1; i < NF; i++) {
			if ($i != "Fl")
				continue;
			print "-" $(i + 1);
			# "Fl -version | -help": the words after a "|" too
			for (j = i + 2; j + 1 <= NF && $j == "|"; j += 2)
				print "-" $(j + 1);
		}
	    }' | sed -E 's/[^A-Za-z0-9-].*$//' | grep -E '^--?[A-Za-z]' | sort -u
}

check_options() {
	local src=$1 page=$2 min=$3 opts missing extra
	opts=$(code_options "$src")
	if [ "$(printf '%s\n' "$opts" | grep -c .)" -lt "$min" ]; then
		fail "$src: options found" "fewer than $min option strings:" \
		    "$opts" "(has the option parsing changed shape?)"
		return
	fi
	pass "$src: $(printf '%s\n' "$opts" | grep -c .) option strings found"
	missing=$(comm -23 <(printf '%s\n' "$opts") <(page_flags "$page"))
	if [ -z "$missing" ]; then
		pass "$page documents every option of $src"
	else
		fail "$page documents every option of $src" \
		    "undocumented (add an Fl entry):" "$missing"
	fi
	extra=$(comm -13 <(printf '%s\n' "$opts") <(page_flags "$page"))
	if [ -z "$extra" ]; then
		pass "every option in $page exists in $src"
	else
		fail "every option in $page exists in $src" \
		    "documented but not in the code:" "$extra"
	fi
}

check_options src/trucd.c man/trucd.8 6
check_options src/trucctl.c man/trucctl.8 10

# --- trucctl subcommands -----------------------------------------------------

subs=$(sed -nE 's/.*IS\(0, "([a-z-]+)"\)( && IS\(1, "([a-z-]+)"\))?.*/\1 \3/p' \
    src/trucctl.c | sed -E 's/ +$//' | sort -u)
nsubs=$(printf '%s\n' "$subs" | grep -c .)
if [ "$nsubs" -lt 8 ]; then
	fail "src/trucctl.c: subcommands found" "only $nsubs:" "$subs" \
	    "(main() no longer dispatches with IS(0, \"...\")? update this test)"
else
	pass "src/trucctl.c: $nsubs subcommands found"
	missing=
	while IFS= read -r s; do
		grep -qE "^\.It Cm $s( |\$)" man/trucctl.8 || missing+="$s"$'\n'
	done <<<"$subs"
	if [ -z "$missing" ]; then
		pass "man/trucctl.8 has an entry for every subcommand"
	else
		fail "man/trucctl.8 has an entry for every subcommand" \
		    "no '.It Cm ...' entry for:" "$missing"
	fi
fi

# --- configuration keys ------------------------------------------------------

# "SECTION KEY" for every key of conf.c; SECTION is "-" at the top level,
# where a section itself is listed as "- NAME{".
keys=$(awk '
	function add(t, k) { n++; tab[n] = t; key[n] = k }
	/^#define ENDPOINT_OPTS/	{ indef = 1 }
	indef {
		line = $0;
		while (match(line, /CFG_[A-Z_]+\("[a-z_]+"/)) {
			k = substr(line, RSTART, RLENGTH);
			sub(/^[^"]*"/, "", k); sub(/"$/, "", k);
			endpoint[++nend] = k;
			line = substr(line, RSTART + RLENGTH);
		}
		if ($0 !~ /\\[[:space:]]*$/) indef = 0;
		next;
	}
	/cfg_opt_t[[:space:]]+[a-z_]+\[\][[:space:]]*=/ {
		t = $0; sub(/.*cfg_opt_t[[:space:]]+/, "", t); sub(/\[.*/, "", t);
		cur = t; next;
	}
	cur != "" && /ENDPOINT_OPTS\(/ {
		for (i = 1; i <= nend; i++) add(cur, endpoint[i]);
		next;
	}
	cur != "" && /CFG_SEC\("[a-z_]+",[[:space:]]*[a-z_]+/ {
		name = $0; sub(/.*CFG_SEC\("/, "", name);
		tbl = name; sub(/".*/, "", name);
		sub(/^[^,]*,[[:space:]]*/, "", tbl); sub(/[^a-z_].*/, "", tbl);
		secof[tbl] = name; add(cur, name "{");
		next;
	}
	cur != "" && /CFG_[A-Z_]+\("[a-z_]+"/ {
		k = $0; sub(/.*CFG_[A-Z_]+\("/, "", k); sub(/".*/, "", k);
		add(cur, k);
	}
	/CFG_END\(\)/ { cur = "" }
	END {
		for (i = 1; i <= n; i++) {
			t = tab[i];
			s = t == "opts" ? "-" : (t in secof ? secof[t] : t);
			print s, key[i];
		}
	}
' src/conf.c | sort -u)
nkeys=$(printf '%s\n' "$keys" | grep -c .)
if [ "$nkeys" -lt 25 ]; then
	fail "src/conf.c: keys found" "only $nkeys:" "$keys" \
	    "(have the cfg_opt_t tables changed shape? update this test)"
else
	pass "src/conf.c: $nkeys keys found"
	missing=
	while read -r sec key; do
		case $sec:$key in
		-:*\{)
			grep -qE "^\.It Ic ${key%\{} No \{" man/trucd.conf.5 ||
			    missing+="section ${key%\{} (.It Ic ${key%\{} No {)"$'\n'
			;;
		-:*)
			grep -qE "^\.It Ic $key No =" man/trucd.conf.5 ||
			    missing+="$key (.It Ic $key No =)"$'\n'
			;;
		*)
			awk -v sec="$sec" -v key="$key" '
				$0 ~ "^\\.It Ic " sec " No \\{" { in_sec = 1; next }
				in_sec && (/^\.Sh/ || /^\.It Ic [a-z_]+ No \{/) { in_sec = 0 }
				in_sec && $0 ~ "(^|[ .])Ic " key "( |$)" { found = 1 }
				END { exit !found }
			' man/trucd.conf.5 || missing+="$sec.$key (Ic $key in the $sec section)"$'\n'
			;;
		esac
	done <<<"$keys"
	if [ -z "$missing" ]; then
		pass "man/trucd.conf.5 documents every key of src/conf.c"
	else
		fail "man/trucd.conf.5 documents every key of src/conf.c" \
		    "undocumented:" "$missing"
	fi
fi

# --- exit statuses and signals of trucd -------------------------------------

# section PAGE NAME: the source lines of one .Sh section.
section() {
	awk -v name="$2" '
		/^\.Sh / { in_sec = ($0 == ".Sh " name); next }
		in_sec
	' "$1"
}

statuses=$( { echo 0; echo 1;
    sed -nE 's/^#define[[:space:]]+EXIT_[A-Z]+[[:space:]]+([0-9]+).*/\1/p' src/app.h; } |
    sort -un)
missing=
for n in $statuses; do
	section man/trucd.8 "EXIT STATUS" | grep -qE "^\.It $n\$" ||
	    missing+="$n "
done
if [ -z "$missing" ]; then
	pass "man/trucd.8 EXIT STATUS lists $(echo $statuses)"
else
	fail "man/trucd.8 EXIT STATUS lists $(echo $statuses)" "missing: $missing"
fi

sigs=$(grep -oE 'sigaction\(SIG[A-Z]+' src/trucd.c | sed 's/sigaction(//' | sort -u)
missing=
for s in $sigs; do
	section man/trucd.8 SIGNALS | grep -qE "Dv $s( |\$)" || missing+="$s "
done
if [ -n "$sigs" ] && [ -z "$missing" ]; then
	pass "man/trucd.8 SIGNALS covers $(echo $sigs)"
else
	fail "man/trucd.8 SIGNALS covers the signals trucd catches" \
	    "caught: $(echo $sigs)" "missing: $missing"
fi

done_testing
