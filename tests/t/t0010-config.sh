#!/usr/bin/env bash
# trucd --check-config: every problem reported with file and line, exit 78;
# a good file exits 0.  The shipped sample and templates are checked too.
. "$(dirname "$0")/../lib/test-lib.sh"
test_init

T=$TEST_DIR
printf 'imap-secret\n' >"$T/imap.secret"
printf 'smtp-secret\n' >"$T/smtp.secret"
chmod 600 "$T/imap.secret" "$T/smtp.secret"
cp -r "$TRUCD_TOP/templates" "$T/templates"

# The shipped sample, pointed at this test's files.
sed -e "s|/var/lib/trucd/trucd.db|$T/trucd.db|" \
    -e "s|/usr/share/trucd/templates|$T/templates|" \
    -e "s|/etc/trucd/imap.secret|$T/imap.secret|" \
    -e "s|/etc/trucd/smtp.secret|$T/smtp.secret|" \
    "$TRUCD_TOP/conf/trucd.conf" >"$T/good.conf"
ok_cmd "the shipped sample configuration is valid" "$TRUCD" --check-config -c "$T/good.conf"
like "and says so" "$OUT" "configuration OK"
unlike "without warnings" "$OUT" "warning"
ok_cmd "-n is the same check" "$TRUCD" -n -c "$T/good.conf"

# bad NAME EXPECTED-ERE: a variant of the good file, checked.
variant() {	# variant NAME SED-EXPR...
	local name=$1; shift
	sed "$@" "$T/good.conf" >"$T/$name.conf"
}
expect_problem() {	# expect_problem NAME ERE
	fail_cmd "$1: refused" "$TRUCD" --check-config -c "$T/$1.conf"
	is "$1: exit status 78" "$RC" 78
	like "$1: says what and where" "$OUT" "$2"
}

variant unknown-key -e 's|^  mailbox       = "INBOX"|  mailbox = "INBOX"\n  colour = "blue"|'
expect_problem unknown-key "^$T/unknown-key.conf:[0-9]+: no such option 'colour'"

variant wrong-type -e 's|poll_interval = 60|poll_interval = "soon"|'
expect_problem wrong-type "^$T/wrong-type.conf:[0-9]+: invalid integer value for option 'poll_interval'"

variant bad-zone -e 's|"Europe/Paris"|"Europe/Lutece"|'
expect_problem bad-zone "^$T/bad-zone.conf:[0-9]+: timezone: unknown time zone \"Europe/Lutece\""

variant no-secret -e "s|$T/imap.secret|$T/missing.secret|"
expect_problem no-secret "^$T/no-secret.conf:[0-9]+: imap.password_file: cannot read $T/missing.secret"

cp "$T/smtp.secret" "$T/open.secret"
chmod 644 "$T/open.secret"
variant open-secret -e "s|$T/smtp.secret|$T/open.secret|"
expect_problem open-secret "smtp.password_file: $T/open.secret is readable by other users \\(mode 644\\)"

variant bad-values -e 's|tls           = "required"|tls = "maybe"|' \
    -e 's|day      = "monday"|day = "someday"|' -e 's|"1d", "2h"|"1d", "2 weeks"|'
fail_cmd "several problems: refused" "$TRUCD" --check-config -c "$T/bad-values.conf"
like "every one is reported: tls" "$OUT" 'imap.tls: "maybe"'
like "every one is reported: smtp tls" "$OUT" 'smtp.tls: "maybe"'
like "every one is reported: day" "$OUT" 'programme.day: "someday"'
like "every one is reported: reminders" "$OUT" 'reminders: "2 weeks"'
like "with the count" "$OUT" "4 problems"

variant syntax -e 's|^school {|school|'
expect_problem syntax "^$T/syntax.conf:[0-9]+: "

variant inline-password -e "s|  password_file = \"$T/imap.secret\"|  password = \"hunter2\"|"
ok_cmd "an inline password is accepted" "$TRUCD" --check-config -c "$T/inline-password.conf"
like "but warned about, with its line" "$OUT" "inline-password.conf:[0-9]+: warning: imap.password is written in the configuration"

# Templates: a missing one and an unknown placeholder, with file and line.
cp -r "$T/templates" "$T/tpl-missing"
rm "$T/tpl-missing/fr/registered.txt"
variant tpl-missing -e "s|$T/templates|$T/tpl-missing|"
expect_problem tpl-missing "tpl-missing/fr/registered.txt"

cp -r "$T/templates" "$T/tpl-bad"
printf 'Votre code : {{codee}}\n' >>"$T/tpl-bad/fr/help.txt"
line=$(wc -l <"$T/tpl-bad/fr/help.txt")
variant tpl-bad -e "s|$T/templates|$T/tpl-bad|"
expect_problem tpl-bad "tpl-bad/fr/help.txt:$line: unknown placeholder \\{\\{codee\\}\\}"

cp -r "$T/templates" "$T/tpl-unbalanced"
printf '{{#clash}}oops\n' >>"$T/tpl-unbalanced/en/registered.txt"
variant tpl-unbalanced -e "s|$T/templates|$T/tpl-unbalanced|"
expect_problem tpl-unbalanced "tpl-unbalanced/en/registered.txt:[0-9]+: "

fail_cmd "a missing file is refused" "$TRUCD" --check-config -c "$T/nope.conf"
is "with 78" "$RC" 78
like "saying so" "$OUT" "nope.conf: cannot read the configuration"

# The daemon and trucctl refuse to start on a bad file, with the same words.
fail_cmd "trucd will not start on a bad configuration" "$TRUCD" --once -c "$T/bad-zone.conf"
is "exit 78" "$RC" 78
like "and says why" "$OUT" "unknown time zone"
fail_cmd "nor trucctl" "$TRUCCTL" -c "$T/bad-zone.conf" session list
is "exit 78 too" "$RC" 78
ok_cmd "--version" "$TRUCD" --version
like "prints the version" "$OUT" "^trucd [0-9]"

done_testing
