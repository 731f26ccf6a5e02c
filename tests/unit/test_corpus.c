/*
 * test_corpus.c - the parser and the classifier against the real-world
 * mail in $SHARED/mail-corpus (read at run time, never copied here; see
 * its SOURCES.tsv for where each file comes from and under which licence).
 *
 * Three groups of tests:
 *  - one per row of expected.tsv: the class it must get;
 *  - one per file anywhere under mail-corpus: parsed (or refused) without
 *    a crash, a leak or invalid UTF-8;
 *  - what can be seen by reading the encodings/ and malformed/ files:
 *    decoded subjects, names, bodies and attachments.
 *
 * Exits 77 (skipped) when the corpus is not there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "util.h"
#include "classify.h"
#include "html.h"
#include "message.h"

static char	*corpus;	/* .../mail-corpus */

/*
 * Where we knowingly differ from expected.tsv.  The newsletter carries
 * "Precedence: bulk", which the spec's Trust section makes a robot; the
 * table labels every encodings/ file "person" because it was built for
 * decoding, not for classifying.
 */
static const struct {
	const char	*file;
	const char	*cls;
	const char	*why;
} overrides[] = {
	{ "encodings/spamscope-fr-newsletter-iso8859-1-qp.eml", "autoreply",
	    "Precedence: bulk newsletter: a robot by the spec's Trust rules" },
};

struct row {
	char	*file;
	char	*cls;
};

static char *
slurp(const char *path, size_t *len)
{
	FILE		*f = fopen(path, "rb");
	struct buf	 b = BUF_INIT;
	char		 tmp[65536];
	size_t		 n;

	if (f == NULL)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	if (b.s == NULL)
		buf_add(&b, "", 0);
	*len = b.len;
	return buf_detach(&b);
}

static struct message *
parse_file(const char *rel, char **rawp, size_t *lenp)
{
	char		*path = xasprintf("%s/%s", corpus, rel), *raw, *cause;
	size_t		 len;
	struct message	*m;

	raw = slurp(path, &len);
	free(path);
	if (raw == NULL)
		fail_msg("cannot read %s", rel);
	if (message_parse(raw, len, NULL, &m, &cause) != 0)
		fail_msg("%s: parse failed: %s", rel, cause);
	if (rawp != NULL) {
		*rawp = raw;
		*lenp = len;
	} else
		free(raw);
	return m;
}

/* Case-insensitive memmem for an ASCII needle. */
static int
contains_ci(const char *hay, size_t len, const char *needle)
{
	size_t	n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (ascii_strncasecmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------ expected.tsv */

static void
test_row(void **state)
{
	const struct row	*r = *state;
	const char		*want = r->cls;
	struct message		*m;
	struct classification	 c;
	char			*raw, *cause;
	size_t			 len;

	for (size_t i = 0; i < nitems(overrides); i++)
		if (strcmp(overrides[i].file, r->file) == 0) {
			print_message("# %s: expected.tsv says %s, we say %s: "
			    "%s\n", r->file, want, overrides[i].cls,
			    overrides[i].why);
			want = overrides[i].cls;
		}
	if (strcmp(want, "any") == 0) {
		char *path = xasprintf("%s/%s", corpus, r->file);

		raw = slurp(path, &len);
		free(path);
		assert_non_null(raw);
		if (message_parse(raw, len, NULL, &m, &cause) == 0) {
			classify(m, "formation@mairie.example", &c);
			assert_non_null(c.why);
			classification_free(&c);
			message_free(m);
		} else
			free(cause);
		free(raw);
		return;
	}
	m = parse_file(r->file, &raw, &len);
	classify(m, "formation@mairie.example", &c);
	if (strcmp(want, "person") == 0 && c.cls != MSG_PERSON)
		fail_msg("%s: %s (%s), want person", r->file,
		    msg_class_name(c.cls), c.why);
	else if (strcmp(want, "autoreply") == 0 && c.cls != MSG_AUTOREPLY)
		fail_msg("%s: %s (%s), want autoreply", r->file,
		    msg_class_name(c.cls), c.why);
	else if (strcmp(want, "receipt") == 0 && c.cls != MSG_RECEIPT)
		fail_msg("%s: %s (%s), want receipt", r->file,
		    msg_class_name(c.cls), c.why);
	else if (strcmp(want, "abuse-report") == 0 && c.cls != MSG_ABUSE_REPORT)
		fail_msg("%s: %s (%s), want abuse-report", r->file,
		    msg_class_name(c.cls), c.why);
	else if (strncmp(want, "bounce", 6) == 0 && c.cls != MSG_BOUNCE)
		fail_msg("%s: %s (%s), want %s", r->file,
		    msg_class_name(c.cls), c.why, want);
	else if (strcmp(want, "bounce-permanent") == 0) {
		int seen = 0;

		if (!c.permanent)
			fail_msg("%s: temporary (%s), want permanent", r->file,
			    c.why);
		for (size_t i = 0; i < c.nfailed; i++)
			seen |= contains_ci(raw, len, c.failed[i]);
		if (!seen)
			fail_msg("%s: no failed address from the message "
			    "(%zu found)", r->file, c.nfailed);
	} else if (strcmp(want, "bounce-temporary") == 0 && c.permanent)
		fail_msg("%s: permanent (%s), want temporary", r->file, c.why);
	classification_free(&c);
	message_free(m);
	free(raw);
}

/* ------------------------------------------------------- every file */

static void
test_file(void **state)
{
	const char	*rel = *state;
	char		*path = xasprintf("%s/%s", corpus, rel), *raw, *cause;
	size_t		 len;
	struct message	*m;
	struct parse_limits small = { 4096, 20 };

	raw = slurp(path, &len);
	free(path);
	assert_non_null(raw);
	/* With the defaults, then with limits small enough to bite. */
	for (int pass = 0; pass < 2; pass++) {
		if (message_parse(raw, len, pass ? &small : NULL, &m,
		    &cause) != 0) {
			assert_null(m);
			free(cause);
			continue;
		}
		assert_true(utf8_valid(m->text, strlen(m->text)));
		assert_true(utf8_valid(m->subject, strlen(m->subject)));
		if (m->from_name != NULL)
			assert_true(utf8_valid(m->from_name,
			    strlen(m->from_name)));
		if (m->html != NULL)
			assert_true(utf8_valid(m->html, strlen(m->html)));
		for (size_t i = 0; i < m->nattachments; i++)
			assert_non_null(m->attachments[i].content_type);
		if (pass == 1)
			assert_int_equal(m->headers_only, len > 4096);
		message_free(m);
	}
	free(raw);
}

/* --------------------------------------------------- what we can see */

static void
test_latin1_subjects(void **state)
{
	static const struct {
		const char	*file;
		const char	*subject;
		const char	*text;
	} t[] = {
		{ "encodings/outlook2000-rfc2047-q-8bit-body.eml",
		    "Die Hasen und die Frösche (Microsoft Outlook 00)",
		    "Die Hasen klagten einst über ihre mißliche Lage" },
		{ "encodings/outlook2000-windows1252-qp.eml",
		    "Die Hasen und die Frösche (Microsoft Outlook 00)",
		    "Unsere stete Angst ist ärger als der Tod selbst." },
		{ "encodings/outlook2000-utf7.eml",
		    "Die Hasen und die Frösche (Microsoft Outlook 00)",
		    "Auf, laßt uns ein für allemal sterben." },
		{ "encodings/netscape47-multipart-alternative-qp.eml",
		    "Die Hasen und die Frösche (Netscape Communicator 4.7)",
		    "sprach ein\nRedner" },
		{ "encodings/eudora42-format-flowed.eml",
		    "Die Hasen und die Frösche",
		    "sprach ein Redner, \"in steter Furcht" },
		{ "encodings/spamscope-fr-newsletter-iso8859-1-qp.eml",
		    "Je prépare mon été zéro complexe !",
		    "Si ce message ne s'affiche pas correctement" },
		{ "encodings/enmime-qp-utf8-headers.eml",
		    "MIME UTF8 Test ¢ More Text", "Lorem ipsum dolor sit amet" },
		{ "encodings/mikel-rfc6532-utf8-raw-headers.eml",
		    "Säying Hello", "body" },
		{ "malformed/outlook2000-raw-8bit-header.eml",
		    "Die Hasen und die Frösche (Microsoft Outlook 00)",
		    "Die Hasen klagten" },
		{ "malformed/outlook2000-4kb-header-line.eml",
		    "Die Hasen und die Frösche (Microsoft Outlook 00)",
		    "Die Hasen klagten" },
		{ "autoreplies/polish-autoreply-iso8859-2.eml",
		    "[Automatyczna odpowiedź] test", "the cat sat on the mat" },
		{ "bounces/exchange2007-fr-ville-saumur.eml",
		    "Non remis : Votre deuxième paire de chaussures à 5 euros",
		    "Échec de la remise pour ces destinataires ou groupes :" },
	};

	(void)state;
	for (size_t i = 0; i < nitems(t); i++) {
		struct message *m = parse_file(t[i].file, NULL, NULL);

		if (strcmp(m->subject, t[i].subject) != 0)
			fail_msg("%s: subject \"%s\"", t[i].file, m->subject);
		if (strstr(m->text, t[i].text) == NULL)
			fail_msg("%s: no \"%s\" in:\n%s", t[i].file, t[i].text,
			    m->text);
		message_free(m);
	}
}

static void
test_names(void **state)
{
	struct message *m;

	(void)state;
	m = parse_file("encodings/mikel-rfc6532-utf8-raw-headers.eml", NULL,
	    NULL);
	assert_string_equal(m->from_addr, "jdöe@mächine.example");
	assert_string_equal(m->from_name, "Jöhn Doe");
	message_free(m);

	m = parse_file("encodings/enmime-qp-utf8-headers.eml", NULL, NULL);
	assert_string_equal(m->from_addr, "jamehi03@jamehi03lx.noa.com");
	assert_string_equal(m->from_name, "James Hillyerd");
	assert_string_equal(m->sender_addr, "PIRARD@vm1.ulg.ac.be");
	message_free(m);

	/* Two From: headers: the first one counts. */
	m = parse_file("encodings/outlook2000-windows1252-qp.eml", NULL, NULL);
	assert_string_equal(m->from_addr, "doug@example.com");
	assert_string_equal(m->from_name, "Doug Sauder");
	message_free(m);
}

static void
test_html_only(void **state)
{
	struct message *m;

	(void)state;
	m = parse_file("encodings/eudora42-html-only.eml", NULL, NULL);
	assert_non_null(m->html);
	assert_non_null(strstr(m->text, "Die Hasen und die Frösche\n\n"
	    "Die Hasen klagten einst über ihre mißliche Lage; \"wir leben\""));
	assert_null(strchr(m->text, '<'));
	assert_null(strstr(m->text, "&quot;"));
	message_free(m);

	m = parse_file("encodings/enmime-non-mime-html.eml", NULL, NULL);
	assert_string_equal(m->text, "This is a test mailing");
	message_free(m);
}

static void
test_forwarded_rfc822(void **state)
{
	struct message *m;

	(void)state;
	m = parse_file("encodings/mikel-forwarded-message-rfc822.eml", NULL,
	    NULL);
	assert_string_equal(m->text, "This is the first part.");
	assert_int_equal(m->nattachments, 1);
	assert_string_equal(m->attachments[0].content_type, "message/rfc822");
	assert_string_equal(m->attachments[0].filename, "ForwardedMessage.eml");
	/* The forwarded message is there whole, its words not in text. */
	assert_non_null(strstr(m->attachments[0].data, "Subject:"));
	message_free(m);
}

static void
test_flowed_files(void **state)
{
	struct message *m;

	(void)state;
	m = parse_file("encodings/eudora42-format-flowed.eml", NULL, NULL);
	/* Four flowed lines make one paragraph line. */
	assert_non_null(strstr(m->text, "\"wir leben\", sprach ein Redner, "
	    "\"in steter Furcht vor Menschen und Tieren, eine Beute der Hunde, "
	    "der Adler, ja fast aller Raubtiere! Unsere stete Angst ist ärger "
	    "als der Tod selbst. Auf, laßt uns ein für allemal sterben.\"\n"));
	message_free(m);

	/*
	 * delsp=yes: the space before each soft break goes (RFC 3676 4.2).
	 * This sender put its break after a word's own space, so the words
	 * meet: that is what the standard says the text is.
	 */
	m = parse_file("encodings/mimekit-format-flowed-delsp.eml", NULL, NULL);
	assert_non_null(strstr(m->text, "but now there isa \"You do not "
	    "currently have access to this content.\" at the bottom of "
	    "therecord\n"));
	assert_non_null(strstr(m->text, "URL:\nhttps://example.com/"));
	message_free(m);
}

static void
test_attachments(void **state)
{
	struct message *m;

	(void)state;
	m = parse_file("encodings/orange-webmail-fr-rfc2047-filename.eml", NULL,
	    NULL);
	assert_int_equal(m->nattachments, 1);
	assert_string_equal(m->attachments[0].filename,
	    "Biodiversite de semaine en semaine.doc");
	assert_string_equal(m->attachments[0].content_type, "application/msword");
	assert_memory_equal(m->attachments[0].data, "\xd0\xcf\x11\xe0", 4);
	assert_string_equal(m->text, "");
	message_free(m);

	m = parse_file("encodings/nodemailer-base64-encoded-root.eml", NULL,
	    NULL);
	assert_int_equal(m->nattachments, 1);
	assert_string_equal(m->attachments[0].filename, "screenshot.png");
	assert_memory_equal(m->attachments[0].data, "\x89PNG", 4);
	assert_string_equal(m->text, "");
	message_free(m);

	/* TNEF is an attachment, the koi8-r part the text. */
	m = parse_file("encodings/mimekit-tnef-winmail-koi8r.eml", NULL, NULL);
	assert_int_equal(m->nattachments, 1);
	assert_string_equal(m->attachments[0].content_type,
	    "application/ms-tnef");
	assert_string_equal(m->attachments[0].filename, "winmail.dat");
	assert_int_equal(strncmp(m->text, "шостий", strlen("шостий")), 0);
	message_free(m);

	/* RFC 2231 continuations, percent-encoded UTF-8. */
	m = parse_file("encodings/spamscope-fr-newsletter-iso8859-1-qp.eml",
	    NULL, NULL);
	assert_int_equal(m->nattachments, 5);
	assert_string_equal(m->attachments[0].filename, "mailingassets_"
	    "d68799cd6301c7f5731a3c42946e528bcb78eb84.jpg");
	message_free(m);
}

static void
test_malformed_recovered(void **state)
{
	struct message *m;

	(void)state;
	m = parse_file("malformed/sisimai-cr-only-line-endings.eml", NULL, NULL);
	assert_string_equal(m->subject, "Away until May 5");
	assert_non_null(strstr(m->text, "I am currently away"));
	message_free(m);

	m = parse_file("malformed/enmime-bad-final-boundary.eml", NULL, NULL);
	assert_string_equal(m->text, "A text section");
	assert_int_equal(m->nattachments, 1);
	message_free(m);

	m = parse_file("malformed/enmime-bad-header-start.eml", NULL, NULL);
	assert_string_equal(m->from_addr, "james@makita.skynet");
	assert_string_equal(m->subject, "plain text");
	assert_string_equal(m->text, "A text section");
	message_free(m);

	/* The broken fold must not lose MIME-Version and Content-Type. */
	m = parse_file("malformed/mimekit-exchange-broken-header-fold-it.eml",
	    NULL, NULL);
	assert_non_null(m->html);
	assert_string_equal(m->subject, "R: R: R: I: FR-selca LA selcaE");
	assert_non_null(message_header(m, "Content-Type"));
	message_free(m);

	/* base64 declared over plain text: the text stays readable. */
	m = parse_file("malformed/enmime-exchange-bad-cte.eml", NULL, NULL);
	assert_int_equal(strncmp(m->text, "ploozdect  nispplul", 19), 0);
	message_free(m);

	m = parse_file("malformed/enmime-unknown-charset.eml", NULL, NULL);
	assert_string_equal(m->text, "A text section");
	message_free(m);

	m = parse_file("malformed/mikel-bad-encoded-subject.eml", NULL, NULL);
	assert_string_equal(m->subject, "TEST");
	message_free(m);

	m = parse_file("malformed/cpython-macoe-nested-same-boundary.eml", NULL,
	    NULL);
	assert_string_equal(m->text, "Some removed test.");
	message_free(m);
}

/*
 * talon's HTML replies: the reply stays unquoted, the original comes out
 * as "> " lines wherever the client marks it (ms_outlook_2010 marks
 * nothing: its "From:" block is for the quote cutter downstream).
 */
static void
test_talon_html(void **state)
{
	static const char *const files[] = {
		"gmail.html", "hotmail.html", "mail_ru.html",
		"ms_outlook_2003.html", "ms_outlook_2007.html",
		"thunderbird.html", "windows_mail.html", "yandex_ru.html",
	};

	(void)state;
	for (size_t i = 0; i < nitems(files); i++) {
		char	*path = xasprintf("%s/suites/talon/html_replies/%s",
		    corpus, files[i]), *raw, *text, *line;
		size_t	 len;
		int	 reply = 0, quoted = 0;

		raw = slurp(path, &len);
		free(path);
		assert_non_null(raw);
		text = html_to_text(raw, len);
		for (line = text; line != NULL && *line != '\0';) {
			char	*eol = strchr(line, '\n');
			size_t	 n = eol ? (size_t)(eol - line) : strlen(line);

			if (n >= 14 && memcmp(line, "Hi. I am fine.", 14) == 0)
				reply = 1;
			if (memmem(line, n, "Hello! How are you?", 19) != NULL) {
				if (line[0] != '>')
					fail_msg("%s: the original is not "
					    "quoted:\n%s", files[i], text);
				quoted = 1;
			}
			line = eol ? eol + 1 : NULL;
		}
		if (!reply || !quoted)
			fail_msg("%s: reply %d quoted %d:\n%s", files[i], reply,
			    quoted, text);
		free(text);
		free(raw);
	}
}

/* ------------------------------------------------------------- main */

static void
find_files(const char *dir, const char *rel, char ***files, size_t *n)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char		*path, *r;
		struct stat	 st;

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		r = *rel ? xasprintf("%s/%s", rel, e->d_name) :
		    xstrdup(e->d_name);
		if (stat(path, &st) != 0)
			;
		else if (S_ISDIR(st.st_mode))
			find_files(path, r, files, n);
		else if (S_ISREG(st.st_mode)) {
			*files = xreallocarray(*files, *n + 1, sizeof(char *));
			(*files)[(*n)++] = r;
			r = NULL;
		}
		free(r);
		free(path);
	}
	closedir(d);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_latin1_subjects),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_html_only),
		cmocka_unit_test(test_forwarded_rfc822),
		cmocka_unit_test(test_flowed_files),
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_malformed_recovered),
		cmocka_unit_test(test_talon_html),
	};
	const char		*shared = getenv("SHARED"), *top;
	struct CMUnitTest	*tests;
	struct row		*rows = NULL;
	char			**files = NULL, *tsv, *p, *path;
	size_t			 nrows = 0, nfiles = 0, len, n = 0;
	int			 rc;

	if (shared != NULL && *shared != '\0')
		corpus = xasprintf("%s/mail-corpus", shared);
	else if ((top = getenv("TRUCD_TOP")) != NULL)
		corpus = xasprintf("%s/../shared/mail-corpus", top);
	else
		corpus = xstrdup("../shared/mail-corpus");
	path = xasprintf("%s/expected.tsv", corpus);
	tsv = slurp(path, &len);
	free(path);
	if (tsv == NULL) {
		printf("1..0 # skip: no %s/expected.tsv\n", corpus);
		free(corpus);
		return 77;
	}
	/* file <TAB> class <TAB> note, after a header line. */
	for (p = strchr(tsv, '\n'); p != NULL && p[1] != '\0';
	    p = strchr(p + 1, '\n')) {
		char *line = p + 1, *tab1, *tab2, *eol;

		eol = strchr(line, '\n');
		tab1 = memchr(line, '\t', eol ? (size_t)(eol - line) :
		    strlen(line));
		if (tab1 == NULL)
			continue;
		tab2 = strchr(tab1 + 1, '\t');
		if (tab2 == NULL || (eol != NULL && tab2 > eol))
			tab2 = eol ? eol : tab1 + 1 + strlen(tab1 + 1);
		rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
		rows[nrows].file = xstrndup(line, (size_t)(tab1 - line));
		rows[nrows].cls = xstrndup(tab1 + 1, (size_t)(tab2 - tab1 - 1));
		nrows++;
	}
	free(tsv);
	find_files(corpus, "", &files, &nfiles);
	qsort(files, nfiles, sizeof(char *), cmp_str);

	tests = xcalloc(nrows + nfiles + nitems(fixed), sizeof(*tests));
	for (size_t i = 0; i < nrows; i++) {
		tests[n].name = xasprintf("class %s (%s)", rows[i].file,
		    rows[i].cls);
		tests[n].test_func = test_row;
		tests[n++].initial_state = &rows[i];
	}
	for (size_t i = 0; i < nfiles; i++) {
		tests[n].name = xasprintf("parse %s", files[i]);
		tests[n].test_func = test_file;
		tests[n++].initial_state = files[i];
	}
	for (size_t i = 0; i < nitems(fixed); i++)
		tests[n++] = fixed[i];

	rc = _cmocka_run_group_tests("corpus", tests, n, NULL, NULL);

	for (size_t i = 0; i < nrows + nfiles; i++)
		free((char *)(uintptr_t)tests[i].name);
	free(tests);
	for (size_t i = 0; i < nrows; i++) {
		free(rows[i].file);
		free(rows[i].cls);
	}
	free(rows);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(corpus);
	return rc;
}
