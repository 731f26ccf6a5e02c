/*
 * test_message.c - tables for the mail parser, HTML to text and the
 * robot classifier, on messages built here.
 *
 * The French Exchange out-of-office and the iCloud vacation below are
 * CONSTRUCTED, the way those clients build them (no raw French
 * out-of-office could be found under a licence that allows copying; see
 * shared/mail-corpus/README.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"
#include "classify.h"
#include "html.h"
#include "message.h"

static struct message *
parse_ok(const char *raw)
{
	struct message	*m = NULL;
	char		*cause = NULL;

	if (message_parse(raw, strlen(raw), NULL, &m, &cause) != 0)
		fail_msg("parse failed: %s", cause ? cause : "?");
	return m;
}

/* ------------------------------------------------------------ RFC 2047 */

static const struct {
	const char	*in;
	const char	*want;
} words[] = {
	/* Q and B, Latin-1 and UTF-8 */
	{ "=?ISO-8859-1?Q?R=E9ponse_automatique?=", "Réponse automatique" },
	{ "=?utf-8?q?R=C3=A9ponse_automatique?=", "Réponse automatique" },
	{ "=?iso-8859-1?B?SvxyZ2VuIFNjaG38cmdlbg==?=", "Jürgen Schmürgen" },
	{ "=?UTF-8?B?w6l0w6k=?=", "été" },
	{ "=?windows-1252?Q?=93cit=E9=94?=", "\xe2\x80\x9c" "cité" "\xe2\x80\x9d" },
	{ "=?iso-8859-15?Q?=A4?=", "€" },
	/* split encoded-words: blanks between them vanish */
	{ "=?UTF-8?B?w6k=?= =?UTF-8?B?dMOp?=", "été" },
	{ "=?utf-8?Q?=C3?=\r\n =?utf-8?Q?=A9t=C3=A9?=", "été" },	/* é cut in two */
	{ "=?UTF-8?B?w6l0?=  =?UTF-8?B?w6k=?=", "été" },
	{ "=?UTF-8?B?w6l?= =?UTF-8?B?0w6k=?=", "été" },	/* base64 cut mid-quantum */
	{ "=?iso-8859-1?Q?a?= =?utf-8?Q?=C3=A9?=", "aé" },
	/* mixed with plain words: those blanks stay */
	{ "Die Hasen und die =?iso-8859-1?Q?Fr=F6sche?= (Netscape)",
	    "Die Hasen und die Frösche (Netscape)" },
	{ "=?utf-8?q?Inscription?= session-42", "Inscription session-42" },
	{ "Re: =?UTF-8?Q?=C3=A9t=C3=A9?=", "Re: été" },
	/* charsets we do not know, or that lie */
	{ "=?x-unknown?Q?caf=C3=A9?=", "café" },
	{ "=?NONE?B?VEVTVA=?=", "TEST" },
	{ "=?us-ascii?Q?caf=E9?=", "café" },
	{ "=?utf-8?Q?caf=E9?=", "café" },
	{ "=?utf-8*fr?Q?caf=C3=A9?=", "café" },		/* RFC 2231 language */
	{ "=?utf-7?Q?Fr+APY-sche?=", "Frösche" },
	/* raw 8-bit (RFC 6532), or Latin-1 where it is not UTF-8 */
	{ "S\xc3\xa4ying Hello", "Säying Hello" },
	{ "Fr\xf6sche", "Frösche" },
	/* not encoded-words */
	{ "=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated" },
	{ "a =? b ?= c", "a =? b ?= c" },
	{ "price = 5", "price = 5" },
	{ "", "" },
};

static void
test_words(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(words); i++) {
		char *got = mime_decode_words(words[i].in, strlen(words[i].in));

		if (strcmp(got, words[i].want) != 0)
			fail_msg("%zu: \"%s\" -> \"%s\", want \"%s\"", i,
			    words[i].in, got, words[i].want);
		free(got);
	}
}

static const struct {
	const char	*charset;
	const char	*in;
	const char	*want;
} charsets[] = {
	{ "iso-8859-1", "caf\xe9", "café" },
	{ "ISO-8859-15", "\xa4 5", "€ 5" },
	{ "windows-1252", "\x93Oui\x94 \x96 \x80", "“Oui” – €" },
	{ "\"utf-8\"", "caf\xc3\xa9", "café" },
	{ "utf-8", "caf\xe9", "café" },			/* lying charset */
	{ "iso-8859-1", "caf\xc3\xa9", "café" },	/* UTF-8 declared Latin-1 */
	{ "koi8-r", "\xd3\xc5\xd3\xd3\xc9\xd1", "сессия" },
	{ "fakescii", "A text section", "A text section" },
	{ "x-foo/../bar", "caf\xe9", "café" },		/* never reaches iconv */
	{ NULL, "caf\xe9 na\xc3\xafve", "café naïve" },
	{ "us-ascii", "a\0b", "ab" },
};

static void
test_charsets(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(charsets); i++) {
		size_t	len = strlen(charsets[i].in);
		char	*got;

		if (strcmp(charsets[i].in, "a") == 0)
			len = 3;	/* the NUL case */
		got = charset_to_utf8(charsets[i].charset, charsets[i].in, len,
		    NULL);
		if (strcmp(got, charsets[i].want) != 0)
			fail_msg("%zu (%s): got \"%s\", want \"%s\"", i,
			    charsets[i].charset ? charsets[i].charset : "none",
			    got, charsets[i].want);
		free(got);
	}
}

static const struct {
	const char	*in;
	int		 delsp;
	const char	*want;
} flowed[] = {
	{ "Bonjour, je souhaite \nm'inscrire.\n", 0,
	    "Bonjour, je souhaite m'inscrire.\n" },
	{ "Longmot\nfini\n", 0, "Longmot\nfini\n" },
	{ "inscri \nption\n", 1, "inscription\n" },
	{ "> cit\xc3\xa9 \n> suite\n", 0, "> cité suite\n" },
	{ ">> deux \n>> niveaux\n> un\n", 0, ">> deux niveaux\n> un\n" },
	{ " From me\n", 0, "From me\n" },		/* space-stuffed */
	{ "-- \nSignature\n", 0, "-- \nSignature\n" },	/* sig separator */
	{ "fin \n> quote\n", 0, "fin \n> quote\n" },	/* depth change */
};

static void
test_flowed(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(flowed); i++) {
		char *got = unflow_text(flowed[i].in, strlen(flowed[i].in),
		    flowed[i].delsp);

		if (strcmp(got, flowed[i].want) != 0)
			fail_msg("%zu: got \"%s\", want \"%s\"", i, got,
			    flowed[i].want);
		free(got);
	}
}

/* ---------------------------------------------------------------- HTML */

static const struct {
	const char	*in;
	const char	*want;
} html[] = {
	{ "<p>Bonjour&nbsp;&eacute;t&eacute;</p>", "Bonjour été" },
	{ "a &lt;b&gt; &amp; &#233;&#xE9; &euro; &hellip; &unknown; &amp",
	    "a <b> & éé € … &unknown; &" },
	{ "<b>Un</b> <i>deux</i>\n  trois", "Un deux trois" },
	{ "<div>Hi</div><div><br></div><div>Thanks,</div><div>Alex</div>",
	    "Hi\n\nThanks,\nAlex" },
	{ "un<br>deux<br><br><br><br>trois", "un\ndeux\n\ntrois" },
	{ "<ul><li>un</li><li>deux</li></ul>fin", "un\ndeux\n\nfin" },
	{ "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
	    "a b\nc" },
	{ "<html><head><title>T</title><style>p{color:red}</style></head>"
	    "<body>x<script>var a = '<p>';</script>y</body></html>", "xy" },
	{ "a<!-- <p>b</p> -->c<!DOCTYPE html>d", "acd" },
	{ "1 < 2 et 3 > 2", "1 < 2 et 3 > 2" },
	{ "<pre>  col1   col2\n  a      b</pre>", "  col1   col2\n  a      b" },
	{ "abc <a href=\"x", "abc" },
	{ "<p>Oui</p><blockquote><p>Question ?</p><p>Deux</p></blockquote>"
	    "<p>Fin</p>", "Oui\n\n> Question ?\n>\n> Deux\n\nFin" },
	{ "<blockquote>un<blockquote>deux</blockquote>trois</blockquote>",
	    "> un\n>\n>> deux\n>\n> trois" },
	/* Thunderbird */
	{ "Oui<br><div class=\"moz-cite-prefix\">Le 30/11/2026, X a "
	    "\xc3\xa9" "crit\xc2\xa0:<br></div><blockquote type=\"cite\">"
	    "Inscription ?</blockquote>",
	    "Oui\nLe 30/11/2026, X a écrit\xc2\xa0:\n\n> Inscription ?" },
	/* Gmail */
	{ "<div dir=\"ltr\">Oui pour session-42</div><br><div class=\"gmail_quote"
	    "\"><div dir=\"ltr\" class=\"gmail_attr\">Le lun. 30 nov. 2026, "
	    "X a &eacute;crit&nbsp;:<br></div><blockquote class=\"gmail_quote\" "
	    "style=\"margin:0px 0px 0px 0.8ex\">Inscription ?</blockquote>"
	    "</div>",
	    "Oui pour session-42\n\n> Le lun. 30 nov. 2026, X a écrit :\n>\n"
	    ">> Inscription ?" },
	/* Outlook on the web */
	{ "<div>Je m'inscris</div><div id=\"appendonsend\"></div><hr "
	    "style=\"display:inline-block;width:98%\" tabindex=\"-1\">"
	    "<div id=\"divRplyFwdMsg\" dir=\"ltr\"><b>De :</b> Formation<br>"
	    "<b>Envoy&eacute; :</b> lundi</div><div>Texte original</div>",
	    "Je m'inscris\n\n> De : Formation\n> Envoyé : lundi\n"
	    "> Texte original" },
	/* Outlook desktop */
	{ "<p class=MsoNormal>Oui<o:p></o:p></p><div style='border:none;"
	    "border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p "
	    "class=MsoNormal><b>De&nbsp;:</b> Formation</p></div><p "
	    "class=MsoNormal>Texte</p>",
	    "Oui\n\n> De : Formation\n> Texte" },
	/* Hotmail */
	{ "Oui<hr id=\"stopSpelling\">Date: lundi<br>Texte",
	    "Oui\n\n> Date: lundi\n> Texte" },
	{ "", "" },
	{ "<p></p><div> </div>", "" },
};

static void
test_html(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(html); i++) {
		char *got = html_to_text(html[i].in, strlen(html[i].in));

		if (strcmp(got, html[i].want) != 0)
			fail_msg("%zu: got\n\"%s\"\nwant\n\"%s\"", i, got,
			    html[i].want);
		free(got);
	}
}

static void
test_html_bytes(void **state)
{
	/* Not UTF-8 and NUL bytes: still valid UTF-8 out. */
	static const char in[] = "a\xff<b>\0</b>c\xc3";
	char	*got = html_to_text(in, sizeof(in) - 1);

	(void)state;
	assert_true(utf8_valid(got, strlen(got)));
	assert_string_equal(got, "a\xef\xbf\xbd" "c\xef\xbf\xbd");
	free(got);
}

/* ------------------------------------------------------------ addresses */

static const struct {
	const char	*from;
	const char	*addr;
	const char	*name;
} froms[] = {
	{ "\"Neko, Nyaan\" <nekonyaan@example.org>", "nekonyaan@example.org",
	    "Neko, Nyaan" },
	{ "MAILER-DAEMON@p.example.jp (Mail Delivery System)",
	    "MAILER-DAEMON@p.example.jp", "Mail Delivery System" },
	{ "=?iso-8859-1?Q?Ren=E9e_M=FCller?= <rm@mairie.example>",
	    "rm@mairie.example", "Renée Müller" },
	{ "\"=?UTF-8?Q?Tati_-_AdM?=\" <n@x.fr>", "n@x.fr", "Tati - AdM" },
	{ "\"J\xc3\xb6hn Doe\" <jd\xc3\xb6" "e@m\xc3\xa4" "chine.example>",
	    "jd\xc3\xb6" "e@m\xc3\xa4" "chine.example", "Jöhn Doe" },
	{ "J\xf6rg <j@x.de>", "j@x.de", "Jörg" },
	{ "<postmaster@example.com>", "postmaster@example.com", NULL },
	{ ", user@x.example, other@y.example", "user@x.example", NULL },
	{ "undisclosed-recipients:;", NULL, NULL },
	{ "Team: a@b.example, c@d.example;", "a@b.example", NULL },
	{ "<@relay.example:alice@x.example>", "alice@x.example", NULL },
	{ "broken <a@b", "a@b", "broken" },
	{ "<>", NULL, NULL },
	{ "no address here", NULL, NULL },
	{ "\"quoted \\\"name\\\"\" <q@x.example>", "q@x.example",
	    "quoted \"name\"" },
};

static void
test_from(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(froms); i++) {
		char		*raw = xasprintf("From: %s\r\nSubject: t\r\n\r\nx\r\n",
		    froms[i].from);
		struct message	*m = parse_ok(raw);

		if ((froms[i].addr == NULL) != (m->from_addr == NULL) ||
		    (froms[i].addr && strcmp(froms[i].addr, m->from_addr) != 0))
			fail_msg("%zu: addr \"%s\", want \"%s\"", i,
			    m->from_addr ? m->from_addr : "(null)",
			    froms[i].addr ? froms[i].addr : "(null)");
		if ((froms[i].name == NULL) != (m->from_name == NULL) ||
		    (froms[i].name && strcmp(froms[i].name, m->from_name) != 0))
			fail_msg("%zu: name \"%s\", want \"%s\"", i,
			    m->from_name ? m->from_name : "(null)",
			    froms[i].name ? froms[i].name : "(null)");
		message_free(m);
		free(raw);
	}
}

static void
test_fields(void **state)
{
	struct message *m = parse_ok(
	    "From nobody Mon Nov 30 10:00:00 2026\n"
	    "Return-Path: <>\n"
	    "Message-ID:  <abc.123@mairie.example> \n"
	    "In-Reply-To: <first@x> <second@x>\n"
	    "References: <a@x>\n <first@x>\n"
	    "From: Agent <agent@mairie.example>\n"
	    "Sender: relay@mairie.example\n"
	    "Reply-To: Other <other@mairie.example>\n"
	    "Subject: =?utf-8?Q?Inscription_=C3=A0?=\n  la session-42\n"
	    "Content-Language: fr-FR\n"
	    "\n"
	    "Bonjour\n");

	(void)state;
	assert_string_equal(m->return_path, "");
	assert_string_equal(m->message_id, "abc.123@mairie.example");
	assert_string_equal(m->in_reply_to, "first@x");
	assert_string_equal(m->references, "<a@x> <first@x>");
	assert_string_equal(m->from_addr, "agent@mairie.example");
	assert_string_equal(m->from_name, "Agent");
	assert_string_equal(m->sender_addr, "relay@mairie.example");
	assert_string_equal(m->reply_to_addr, "other@mairie.example");
	assert_string_equal(m->subject, "Inscription à  la session-42");
	assert_string_equal(m->content_language, "fr-FR");
	assert_string_equal(m->text, "Bonjour");
	assert_int_equal(m->nheaders, 9);
	assert_string_equal(m->headers[0].name, "Return-Path");
	assert_string_equal(message_header(m, "content-language"), "fr-FR");
	assert_null(message_header(m, "X-Nothing"));
	assert_null(m->html);
	assert_int_equal(m->nattachments, 0);
	message_free(m);
}

/* ------------------------------------------------------------- bodies */

static void
test_alternative_prefers_plain(void **state)
{
	struct message *m = parse_ok(
	    "From: a@x.example\nSubject: t\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
	    "--b1\nContent-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "Je m'inscris =E0 la session-42.=\n Merci\n"
	    "--b1\nContent-Type: text/html; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "PHA+SmUgbSdpbnNjcmlzPC9wPg==\n"
	    "--b1--\n");

	(void)state;
	assert_string_equal(m->text, "Je m'inscris à la session-42. Merci");
	assert_string_equal(m->html, "<p>Je m'inscris</p>");
	message_free(m);
}

static void
test_html_only_outlook(void **state)
{
	struct message *m = parse_ok(
	    "From: a@x.example\nSubject: RE: session\nMIME-Version: 1.0\n"
	    "Content-Type: text/html; charset=\"windows-1252\"\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "<html><head><meta http-equiv=3D\"Content-Type\"></head><body>"
	    "<div>Je serai pr=E9sente.</div><div id=3D\"appendonsend\"></div>"
	    "<hr tabindex=3D\"-1\"><div id=3D\"divRplyFwdMsg\"><b>De :</b> "
	    "Formation<br><b>Objet :</b> session-42</div><div>Inscrivez-vous"
	    "</div></body></html>\n");

	(void)state;
	assert_string_equal(m->text, "Je serai présente.\n\n> De : Formation\n"
	    "> Objet : session-42\n> Inscrivez-vous");
	message_free(m);
}

static void
test_forwarded_not_text(void **state)
{
	struct message *m = parse_ok(
	    "From: a@x.example\nSubject: Fwd\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
	    "--b1\nContent-Type: text/plain\n\nMes mots.\n"
	    "--b1\nContent-Type: message/rfc822\n\n"
	    "From: other@y.example\nSubject: orig\n\nANNULER SESSION x\n"
	    "--b1--\n");

	(void)state;
	assert_string_equal(m->text, "Mes mots.");
	assert_int_equal(m->nattachments, 0);
	message_free(m);
}

static void
test_calendar(void **state)
{
	struct message *m = parse_ok(
	    "From: a@x.example\nSubject: Accepted: session-42\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
	    "--b1\nContent-Type: text/plain; charset=utf-8\n\nAccepted\n"
	    "--b1\nContent-Type: text/calendar; charset=utf-8; method=REPLY\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "QkVHSU46VkNBTEVOREFSDQpNRVRIT0Q6UkVQTFkNCkVORDpWQ0FMRU5EQVINCg==\n"
	    "--b1--\n");

	(void)state;
	assert_non_null(m->calendar);
	assert_string_equal(m->calendar,
	    "BEGIN:VCALENDAR\nMETHOD:REPLY\nEND:VCALENDAR\n");
	assert_string_equal(m->text, "Accepted");
	assert_int_equal(m->nattachments, 0);
	message_free(m);
}

static const struct {
	const char	*headers;	/* the part's headers */
	const char	*filename;
} csvs[] = {
	{ "Content-Type: text/csv; charset=utf-8\n"
	    "Content-Disposition: attachment; filename=\"sessions.csv\"\n",
	    "sessions.csv" },
	{ "Content-Type: text/csv\n"
	    "Content-Disposition: attachment;\n"
	    " filename*=UTF-8''sessions%20d%C3%A9cembre.csv\n",
	    "sessions décembre.csv" },
	{ "Content-Type: text/csv\n"
	    "Content-Disposition: attachment;\n"
	    " filename*0*=iso-8859-1''s%E9ances%20;\n"
	    " filename*1=\"2026.csv\"\n",
	    "séances 2026.csv" },
	{ "Content-Type: text/csv; name=\"=?utf-8?Q?s=C3=A9ances.csv?=\"\n",
	    "séances.csv" },
	{ "Content-Type: application/vnd.ms-excel; name=liste.csv\n"
	    "Content-Disposition: inline\n",
	    "liste.csv" },
	{ "Content-Type: text/csv\nContent-Disposition: attachment\n", NULL },
};

static void
test_csv_attachment(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(csvs); i++) {
		char *raw = xasprintf(
		    "From: a@x.example\nSubject: IMPORT\nMIME-Version: 1.0\n"
		    "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
		    "--b1\nContent-Type: text/plain\n\nCi-joint.\n"
		    "--b1\n%sContent-Transfer-Encoding: base64\n\n"
		    "Y29kZTt0aXRyZQ0Kc2Vzc2lvbi00MjtFeGNlbA0K\n--b1--\n",
		    csvs[i].headers);
		struct message *m = parse_ok(raw);

		assert_int_equal(m->nattachments, 1);
		if ((csvs[i].filename == NULL) !=
		    (m->attachments[0].filename == NULL) ||
		    (csvs[i].filename && strcmp(csvs[i].filename,
		    m->attachments[0].filename) != 0))
			fail_msg("%zu: filename \"%s\", want \"%s\"", i,
			    m->attachments[0].filename ?
			    m->attachments[0].filename : "(null)",
			    csvs[i].filename ? csvs[i].filename : "(null)");
		assert_int_equal(m->attachments[0].len, 30);
		assert_memory_equal(m->attachments[0].data,
		    "code;titre\r\nsession-42;Excel\r\n", 30);
		assert_string_equal(m->attachments[0].content_type,
		    i == 4 ? "application/vnd.ms-excel" : "text/csv");
		assert_string_equal(m->text, "Ci-joint.");
		message_free(m);
		free(raw);
	}
}

static void
test_headers_only(void **state)
{
	const char *raw = "From: a@x.example\r\nSubject: =?utf-8?Q?gros?=\r\n"
	    "Content-Type: text/plain\r\n\r\n"
	    "Un corps bien trop long pour la limite fix\xc3\xa9" "e ici.\r\n";
	struct parse_limits lim = { 60, 0 };
	struct message	*m;
	char		*cause;

	(void)state;
	assert_int_equal(message_parse(raw, strlen(raw), &lim, &m, &cause), 0);
	assert_int_equal(m->headers_only, 1);
	assert_int_equal(m->raw_size, strlen(raw));
	assert_string_equal(m->subject, "gros");
	assert_string_equal(m->from_addr, "a@x.example");
	assert_string_equal(m->text, "");
	message_free(m);

	lim.max_size = strlen(raw);	/* at the limit: parsed */
	assert_int_equal(message_parse(raw, strlen(raw), &lim, &m, &cause), 0);
	assert_int_equal(m->headers_only, 0);
	assert_string_equal(m->text,
	    "Un corps bien trop long pour la limite fixée ici.");
	message_free(m);
}

static void
test_max_lines(void **state)
{
	const char *raw = "Subject: t\n\nun\ndeux\ntrois\nquatre\ncinq\n";
	struct parse_limits lim = { 0, 3 };
	struct message	*m;
	char		*cause;

	(void)state;
	assert_int_equal(message_parse(raw, strlen(raw), &lim, &m, &cause), 0);
	assert_int_equal(m->truncated, 1);
	assert_string_equal(m->text, "un\ndeux\ntrois");
	message_free(m);
	lim.max_lines = 5;
	assert_int_equal(message_parse(raw, strlen(raw), &lim, &m, &cause), 0);
	assert_int_equal(m->truncated, 0);
	message_free(m);
}

/* Bad input: parse or fail cleanly, never crash (ASan watches). */
static void
test_hostile(void **state)
{
	static const struct {
		const char	*raw;
		size_t		 len;
	} cases[] = {
		{ "", 0 },
		{ "\0\0\0", 3 },
		{ "\r\r\r\r", 4 },
		{ "\n", 1 },
		{ "Subject: x", 10 },
		{ "no headers at all\njust text\n", 28 },
		{ ": empty name\n\nx", 15 },
		{ " \n\tfold\n\nbody", 13 },
		{ "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n", 51 },
		{ "Content-Type: multipart/mixed; boundary=a\n\n--a\n--a\n--a--", 57 },
		{ "Content-Type: multipart/mixed; boundary=a\n\n--a\n", 47 },
		{ "Content-Type: message/rfc822\n\n", 30 },
		{ "Content-Type: text/plain; charset=\n\nx", 37 },
		{ "Content-Type: text/plain; format=flowed; delsp=yes\n\n \n", 54 },
		{ "Content-Transfer-Encoding: base64\n\n====", 39 },
		{ "Content-Transfer-Encoding: quoted-printable\n\n=", 46 },
		{ "Subject: =?utf-8?B?", 19 },
		{ "Subject: =?", 11 },
		{ "From: <\n\n", 9 },
		{ "From: \"unterminated\n\n", 21 },
		{ "From: (((((\n\n", 13 },
		{ "Content-Type: text/html\n\n<", 26 },
		{ "Content-Type: text/html\n\n&#xFFFFFFFFFF;&#0;<!--", 48 },
	};
	struct message	*m;
	char		*cause;
	char		*big;

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		m = NULL;
		cause = NULL;
		if (message_parse(cases[i].raw, cases[i].len, NULL, &m,
		    &cause) == 0) {
			assert_non_null(m);
			assert_non_null(m->text);
			assert_non_null(m->subject);
			assert_true(utf8_valid(m->text, strlen(m->text)));
			message_free(m);
		} else {
			assert_null(m);
			assert_non_null(cause);
			free(cause);
		}
	}
	/* A 64 KB header line and a line of 100000 '<'. */
	big = xmalloc(200000);
	memcpy(big, "Subject: ", 9);
	memset(big + 9, 'x', 65536);
	memcpy(big + 9 + 65536, "\n\nbody\n", 8);
	assert_int_equal(message_parse(big, strlen(big), NULL, &m, &cause), 0);
	assert_int_equal(strlen(m->subject), 65536);
	message_free(m);
	memcpy(big, "Content-Type: text/html\n\n", 25);
	memset(big + 25, '<', 100000);
	big[100025] = '\0';
	assert_int_equal(message_parse(big, strlen(big), NULL, &m, &cause), 0);
	message_free(m);
	free(big);
}

/*
 * Shapes that would make a careless scanner quadratic; each must finish
 * in a blink (a regression shows up as a test that never ends).
 */
static void
test_pathological(void **state)
{
	static const struct {
		const char	*head;
		const char	*unit;
		int		 count;
	} shapes[] = {
		{ "Content-Type: text/html\n\n", "<head>", 30000 },
		{ "Content-Type: text/html\n\n", "<a b=c d=e>", 20000 },
		{ "Content-Type: text/html\n\n", "&#00000000000000000001;", 5000 },
		{ "Content-Type: text/html\n\n", "<!x", 20000 },
		{ "Subject: ", "=?a", 60000 },
		{ "Subject: ", "=?utf-8?q?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 5000 },
		{ "From: ", "\"(<", 30000 },
		{ "From: MAILER-DAEMON@x.example\nSubject: Undeliverable\n"
		    "X-MS-Exchange-Message-Is-Ndr:\n\n", "x@y.example ", 30000 },
		{ "Content-Type: text/plain; format=flowed\n\n", "> a \n", 30000 },
	};

	(void)state;
	for (size_t i = 0; i < nitems(shapes); i++) {
		struct buf		 b = BUF_INIT;
		struct message		*m;
		struct classification	 c;
		char			*cause;

		buf_adds(&b, shapes[i].head);
		for (int k = 0; k < shapes[i].count; k++)
			buf_adds(&b, shapes[i].unit);
		buf_adds(&b, "\n");
		assert_int_equal(message_parse(b.s, b.len, NULL, &m, &cause), 0);
		classify(m, NULL, &c);
		classification_free(&c);
		message_free(m);
		buf_free(&b);
	}
}

static void
test_too_many_parts(void **state)
{
	struct buf	 b = BUF_INIT;
	struct message	*m;
	char		*cause;

	(void)state;
	for (int i = 0; i < 1200; i++)
		buf_addf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n"
		    "--b%d\n", i, i);
	buf_adds(&b, "Content-Type: text/plain\n\nhi\n");
	assert_int_equal(message_parse(b.s, b.len, NULL, &m, &cause), -1);
	assert_null(m);
	assert_non_null(cause);
	free(cause);
	buf_free(&b);
}

/* ---------------------------------------------------------- classifier */

static const struct {
	const char	*name;
	const char	*raw;
	enum msg_class	 cls;
	const char	*why;
} robots[] = {
	{ "French Exchange out-of-office, only X-Auto-Response-Suppress "
	    "(constructed)",
	    "From: =?iso-8859-1?Q?Ren=E9e_Martin?= <renee.martin@mairie.example>\n"
	    "To: Formation <formation@mairie.example>\n"
	    "Subject: =?iso-8859-1?Q?R=E9ponse_automatique=A0:_Inscription_?=\n"
	    " =?iso-8859-1?Q?session-42?=\n"
	    "Thread-Topic: Inscription session-42\n"
	    "Date: Mon, 30 Nov 2026 09:12:00 +0000\n"
	    "Message-ID: <8f1e@SRV1.mairie.example>\n"
	    "Content-Language: fr-FR\n"
	    "X-MS-Has-Attach:\n"
	    "X-Auto-Response-Suppress: All\n"
	    "X-MS-Exchange-Inbox-Rules-Loop: renee.martin@mairie.example\n"
	    "X-MS-TNEF-Correlator:\n"
	    "Content-Type: text/plain; charset=\"iso-8859-1\"\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "MIME-Version: 1.0\n\n"
	    "Je suis absente jusqu'au 7 d=E9cembre.\n",
	    MSG_AUTOREPLY, "X-Auto-Response-Suppress" },
	{ "the same without its header: the subject alone",
	    "From: renee.martin@mairie.example\n"
	    "Subject: =?iso-8859-1?Q?R=E9ponse_automatique=A0:_Inscription?=\n\n"
	    "Je suis absente.\n",
	    MSG_AUTOREPLY, "out-of-office subject" },
	{ "iCloud vacation (constructed)",
	    "From: paul.durand@icloud.com\n"
	    "To: \"Formation\" <formation@mairie.example>\n"
	    "Subject: Auto reply: Inscription session-42\n"
	    "Date: Mon, 30 Nov 2026 09:12:00 +0000\n"
	    "Message-id: <7e23258d-vac@icloud.com>\n"
	    "In-Reply-To: <abc@mairie.example>\n"
	    "X-Apple-Criteria: {kind=VACATION,startDate=2026-11-28T00:00:00Z}\n"
	    "X-Apple-Action: VACATION\n"
	    "Content-type: text/plain; charset=UTF-8\n\n"
	    "En cong\xc3\xa9s.\n",
	    MSG_AUTOREPLY, "X-Apple-Action: VACATION" },
	{ "Auto-Submitted: no is a person",
	    "From: a@mairie.example\nAuto-Submitted: no\nSubject: x\n\nx\n",
	    MSG_PERSON, NULL },
	{ "Auto-Submitted: auto-generated",
	    "From: a@mairie.example\nAuto-Submitted: auto-generated (x)\n\nx\n",
	    MSG_AUTOREPLY, "Auto-Submitted: auto-generated" },
	{ "Precedence: list",
	    "From: a@mairie.example\nPrecedence: list\n\nx\n",
	    MSG_AUTOREPLY, "Precedence: list" },
	{ "X-Autoreply",
	    "From: a@mairie.example\nX-Autoreply: yes\n\nx\n",
	    MSG_AUTOREPLY, "X-Autoreply" },
	{ "X-Autorespond",
	    "From: a@mairie.example\nX-Autorespond: Out of office\n\nx\n",
	    MSG_AUTOREPLY, "X-Autorespond" },
	{ "empty return path",
	    "Return-Path: <>\nFrom: a@mairie.example\n\nx\n",
	    MSG_AUTOREPLY, "empty return path" },
	{ "ne-pas-repondre",
	    "From: Portail <ne-pas-repondre@portail.example>\n\nx\n",
	    MSG_AUTOREPLY, "noreply sender" },
	{ "DoNotReply",
	    "From: DoNotReply@portail.example\n\nx\n",
	    MSG_AUTOREPLY, "noreply sender" },
	{ "postmaster",
	    "From: postmaster@mairie.example\nSubject: hello\n\nx\n",
	    MSG_AUTOREPLY, "postmaster sender" },
	{ "MAILER-DAEMON without a bounce subject",
	    "From: MAILER-DAEMON@mx.example\nSubject: hello\n\nx\n",
	    MSG_AUTOREPLY, "MAILER-DAEMON sender" },
	{ "Absence du bureau",
	    "From: a@mairie.example\nSubject: Absence du bureau\n\nx\n",
	    MSG_AUTOREPLY, "out-of-office subject" },
	{ "Absent : prefix",
	    "From: a@mairie.example\nSubject: Absent : Re: session-42\n\nx\n",
	    MSG_AUTOREPLY, "out-of-office subject" },
	{ "Out of Office",
	    "From: a@mairie.example\nSubject: Out of Office: session\n\nx\n",
	    MSG_AUTOREPLY, "out-of-office subject" },
	{ "Automatic reply",
	    "From: a@mairie.example\nSubject: Automatic reply: x\n\nx\n",
	    MSG_AUTOREPLY, "out-of-office subject" },
	{ "a person who will be absent is a person",
	    "From: a@mairie.example\nSubject: Absent session-42\n\n"
	    "Je serai absent.\n",
	    MSG_PERSON, NULL },
	{ "the school's own address",
	    "From: Formation <Formation@Mairie.example>\nSubject: x\n\nx\n",
	    MSG_AUTOREPLY, "the school's own address" },
	{ "a person",
	    "From: Agent <agent@mairie.example>\nSubject: Inscription\n\n"
	    "INSCRIPTION session-42\n",
	    MSG_PERSON, NULL },
	{ "a bounce with Auto-Submitted is a bounce",
	    "From: MAILER-DAEMON@mx.example\nAuto-Submitted: auto-replied\n"
	    "Subject: Undelivered Mail Returned to Sender\n"
	    "Content-Type: multipart/report; report-type=delivery-status; "
	    "boundary=b\n\n--b\nContent-Type: text/plain\n\nSorry.\n"
	    "--b\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; mx.example\n\n"
	    "Final-Recipient: rfc822; Old.Agent@mairie.example\n"
	    "Action: failed\nStatus: 5.1.1\n--b--\n",
	    MSG_BOUNCE, "delivery-status report: failed (5.x.x)" },
	{ "receipt as a bare message/disposition-notification part",
	    "From: a@mairie.example\nSubject: Lu : session\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: message/disposition-notification\n\n"
	    "Disposition: manual-action/MDN-sent-manually; displayed\n--b--\n",
	    MSG_RECEIPT, "disposition notification (read receipt)" },
	{ "a DSN in a forwarded message is not a bounce",
	    "From: Agent <agent@mairie.example>\nSubject: Fwd: bounce\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nRegardez.\n--b\n"
	    "Content-Type: message/rfc822\n\n"
	    "From: MAILER-DAEMON@mx.example\n"
	    "Content-Type: multipart/report; report-type=delivery-status; "
	    "boundary=c\n\n--c\nContent-Type: message/delivery-status\n\n"
	    "Final-Recipient: rfc822; x@y.example\nAction: failed\n--c--\n"
	    "--b--\n",
	    MSG_PERSON, NULL },
};

static void
test_robots(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(robots); i++) {
		struct message		*m = parse_ok(robots[i].raw);
		struct classification	 c;

		classify(m, "formation@mairie.example", &c);
		if (c.cls != robots[i].cls ||
		    (robots[i].why != NULL && strcmp(c.why, robots[i].why) != 0))
			fail_msg("%s: got %s (%s), want %s (%s)", robots[i].name,
			    msg_class_name(c.cls), c.why,
			    msg_class_name(robots[i].cls),
			    robots[i].why ? robots[i].why : "-");
		assert_non_null(c.why);
		classification_free(&c);
		message_free(m);
	}
}

static void
test_french_ooo_fields(void **state)
{
	struct message *m = parse_ok(robots[0].raw);

	(void)state;
	assert_string_equal(m->subject,
	    "Réponse automatique\xc2\xa0: Inscription session-42");
	assert_string_equal(m->from_name, "Renée Martin");
	assert_string_equal(m->text, "Je suis absente jusqu'au 7 décembre.");
	message_free(m);
}

static const struct {
	const char	*dsn;		/* the delivery-status part */
	int		 permanent;
	const char	*failed;	/* first failed address */
} dsns[] = {
	{ "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; A@x.example\n"
	    "Action: failed\nStatus: 5.1.1\n", 1, "a@x.example" },
	{ "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@x.example\n"
	    "Action: failed\nStatus: 4.2.0\n", 0, "a@x.example" },
	{ "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@x.example\n"
	    "Action: delayed\nStatus: 4.4.1\n", 0, "a@x.example" },
	{ "Reporting-MTA: dns; mx\n\nOriginal-Recipient: rfc822;o@x.example\n"
	    "Final-Recipient: rfc822; f@x.example\nAction: failed\n"
	    "Status: 5.0.0 (quota)\n", 1, "o@x.example" },
	{ "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; d@x.example\n"
	    "Action: delayed\nStatus: 4.4.1\n\n"
	    "Final-Recipient: rfc822; p@x.example\nAction: failed\n"
	    "Status: 5.1.1\n", 1, "p@x.example" },
	{ "Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822;<c@x.example>\r\n"
	    "Action: failed\r\nStatus: 5.1.1\r\n", 1, "c@x.example" },
};

static void
test_dsn(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(dsns); i++) {
		char *raw = xasprintf("From: MAILER-DAEMON@mx.example\n"
		    "Content-Type: multipart/report; report-type=delivery-status;"
		    " boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n--b\n"
		    "Content-Type: message/delivery-status\n\n%s\n--b--\n",
		    dsns[i].dsn);
		struct message *m = parse_ok(raw);
		struct classification c;

		classify(m, NULL, &c);
		assert_int_equal(c.cls, MSG_BOUNCE);
		if (c.permanent != dsns[i].permanent)
			fail_msg("%zu: permanent %d (%s)", i, c.permanent, c.why);
		assert_true(c.nfailed >= 1);
		assert_string_equal(c.failed[0], dsns[i].failed);
		classification_free(&c);
		message_free(m);
		free(raw);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_flowed),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_html_bytes),
		cmocka_unit_test(test_from),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_alternative_prefers_plain),
		cmocka_unit_test(test_html_only_outlook),
		cmocka_unit_test(test_forwarded_not_text),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_csv_attachment),
		cmocka_unit_test(test_headers_only),
		cmocka_unit_test(test_max_lines),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_pathological),
		cmocka_unit_test(test_too_many_parts),
		cmocka_unit_test(test_robots),
		cmocka_unit_test(test_french_ooo_fields),
		cmocka_unit_test(test_dsn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
