/* test_import.c - session and agent CSV imports: every problem, exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "import.h"
#include "tz.h"
#include "util.h"

#define H	"code,title,start,end,capacity\n"
#define GOOD	"2026-12-07 14:00,2026-12-07 16:00,20\n"
#define KNOWN_S	"(known: code, title, track, start, end, place, capacity, " \
		"trainer, description)"
#define UTF8	"not valid UTF-8 (save the file as \"CSV UTF-8\")"

struct bad_case {
	const char	*name;
	const char	*in;
	const char	*want;		/* every line of the errors */
};

static const struct bad_case bad_sessions[] = {
	{ "unknown column", "code,title,start,end,capacity,lieux\n",
	  "s.csv:1: header: unknown column \"lieux\" " KNOWN_S "\n" },
	{ "missing column", "code,title,start,end\nx,T,a,b\n",
	  "s.csv:1: header: missing column \"capacity\"\n" },
	{ "two header problems", "Code,Title,Titre,Start,End,Capacity,x\n",
	  "s.csv:1: header: column \"title\" appears twice\n"
	  "s.csv:1: header: unknown column \"x\" " KNOWN_S "\n" },
	{ "header not UTF-8", "code,title,start,end,capacity,d\xe9" "but\n",
	  "s.csv:1: header: column 6 is " UTF8 "\n" },
	{ "empty file", "",
	  "s.csv:1: header: empty file (the first line must name the "
	  "columns: code, title, track, start, end, place, capacity, "
	  "trainer, description)\n" },
	{ "UTF-16", "\xff\xfe" "c\0o\0d\0e\0",
	  "s.csv:1: csv: the file is UTF-16 text (save it as \"CSV UTF-8\")\n" },
	{ "empty code", H ",Titre," GOOD, "s.csv:2: code: empty\n" },
	{ "code with a space", H "Session 42,Titre," GOOD,
	  "s.csv:2: code: \"Session 42\" may hold only letters a-z, digits "
	  "and '-' (found a space)\n" },
	{ "code with an accent", H "café,Titre," GOOD,
	  "s.csv:2: code: \"café\" may hold only letters a-z, digits and "
	  "'-' (found 'é')\n" },
	{ "code with _", H "s_1,Titre," GOOD,
	  "s.csv:2: code: \"s_1\" may hold only letters a-z, digits and "
	  "'-' (found '_')\n" },
	{ "code starting with -", H "-s1,Titre," GOOD,
	  "s.csv:2: code: \"-s1\" must start with a letter or a digit\n" },
	{ "code too long", H "a1234567890123456789012345678901234567890"
	  "123456789012345678901234567890,Titre," GOOD,
	  "s.csv:2: code: longer than 64 characters\n" },
	{ "empty title", H "s1, ," GOOD, "s.csv:2: title: empty\n" },
	{ "title on two lines", H "s1,\"Un\ntruc\"," GOOD,
	  "s.csv:2: title: holds a line break or a control character (it "
	  "must be on one line)\n" },
	{ "no such day", H "s1,T,2026-02-30 10:00,2026-02-30 12:00,5\n",
	  "s.csv:2: start: no such day: 2026-02-30 10:00\n"
	  "s.csv:2: end: no such day: 2026-02-30 12:00\n" },
	{ "no such time", H "s1,T,2026-12-07 10:00,2026-12-07 24:00,5\n",
	  "s.csv:2: end: no such time of day: 2026-12-07 24:00\n" },
	{ "not a date", H "s1,T,7 décembre 14h,2026-12-07 16:00,5\n",
	  "s.csv:2: start: \"7 décembre 14h\" is not a date and time such "
	  "as 2026-12-07 14:00\n" },
	{ "date without time", H "s1,T,2026-12-07,2026-12-07 16:00,5\n",
	  "s.csv:2: start: \"2026-12-07\" is not a date and time such as "
	  "2026-12-07 14:00\n" },
	{ "seconds not zero", H "s1,T,2026-12-07 14:00:30,2026-12-07 16:00,5\n",
	  "s.csv:2: start: \"2026-12-07 14:00:30\" is not a date and time "
	  "such as 2026-12-07 14:00\n" },
	{ "empty date", H "s1,T,,2026-12-07 16:00,5\n",
	  "s.csv:2: start: empty (a date and time such as 2026-12-07 "
	  "14:00)\n" },
	{ "daylight saving gap", H "s1,T,2027-03-28 02:30,2027-03-28 04:00,5\n",
	  "s.csv:2: start: this local time does not exist (daylight saving "
	  "change): 2027-03-28 02:30\n" },
	{ "end before start", H "s1,T,2026-12-07 14:00,2026-12-07 10:00,5\n",
	  "s.csv:2: end: 2026-12-07 10:00 is not after start 2026-12-07 "
	  "14:00\n" },
	{ "end equal to start", H "s1,T,2026-12-07 14:00,07/12/2026 14:00,5\n",
	  "s.csv:2: end: 07/12/2026 14:00 is not after start 2026-12-07 "
	  "14:00\n" },
	{ "capacity 0", H "s1,T,2026-12-07 14:00,2026-12-07 16:00,0\n",
	  "s.csv:2: capacity: must be at least 1\n" },
	{ "capacity -1", H "s1,T,2026-12-07 14:00,2026-12-07 16:00,-1\n",
	  "s.csv:2: capacity: \"-1\" is not a whole number of places such "
	  "as 20\n" },
	{ "capacity abc", H "s1,T,2026-12-07 14:00,2026-12-07 16:00,abc\n",
	  "s.csv:2: capacity: \"abc\" is not a whole number of places such "
	  "as 20\n" },
	{ "capacity 12.5", H "s1,T,2026-12-07 14:00,2026-12-07 16:00,12.5\n",
	  "s.csv:2: capacity: \"12.5\" is not a whole number of places such "
	  "as 20\n" },
	{ "capacity douze", H "s1,T,2026-12-07 14:00,2026-12-07 16:00,douze\n",
	  "s.csv:2: capacity: \"douze\" is not a whole number of places such "
	  "as 20\n" },
	{ "capacity empty", H "s1,T,2026-12-07 14:00,2026-12-07 16:00,\n",
	  "s.csv:2: capacity: empty (a number of places such as 20)\n" },
	{ "capacity huge", H "s1,T,2026-12-07 14:00,2026-12-07 16:00,"
	  "99999999999999999999\n",
	  "s.csv:2: capacity: more than 100000 places\n" },
	{ "malformed trainer", "code,title,start,end,capacity,trainer\n"
	  "s1,T,2026-12-07 14:00,2026-12-07 16:00,5,jean.dupont@\n",
	  "s.csv:2: trainer: \"jean.dupont@\" is not an e-mail address\n" },
	{ "invalid UTF-8 in title", H "s1,Caf\xe9," GOOD,
	  "s.csv:2: title: " UTF8 "\n" },
	{ "invalid UTF-8 in an optional column",
	  "code,title,start,end,capacity,place\n"
	  "s1,T,2026-12-07 14:00,2026-12-07 16:00,5,H\xf4tel de ville\n",
	  "s.csv:2: place: " UTF8 "\n" },
	{ "duplicate code", H "s-1,T," GOOD "S-1,U," GOOD,
	  "s.csv:3: code: s-1 is already on line 2\n" },
	{ "too few fields", H "s1,T,2026-12-07 14:00,2026-12-07 16:00\n",
	  "s.csv:2: csv: 4 fields where the header has 5\n" },
	{ "too many fields", H "s1,Un truc, en plus," GOOD,
	  "s.csv:2: csv: 6 fields where the header has 5 (a value holding "
	  "the separator must be in double quotes)\n" },
	{ "unterminated quote", H "s1,\"T," GOOD "s2,T," GOOD,
	  "s.csv:2: csv: unterminated quoted field (a closing \" is "
	  "missing)\n" },
	{ "text after a quote", H "s1,\"T\"x," GOOD "s2,T," GOOD,
	  "s.csv:2: csv: text after a closing quote (a \" inside a quoted "
	  "field must be doubled)\n" },
	{ "value under an unnamed column", "code,title,start,end,capacity,\n"
	  "s1,T," "2026-12-07 14:00,2026-12-07 16:00,5,\n"
	  "s2,T," "2026-12-07 14:00,2026-12-07 16:00,5,oops\n",
	  "s.csv:3: column 6: a value in a column without a name in the "
	  "header\n" },
	{ "errors name the header's own spelling",
	  "Code;Titre;Début;Fin;Places\n"
	  "s1;T;2026-12-07 14:00;2026-12-07 10:00;0\n",
	  "s.csv:2: Fin: 2026-12-07 10:00 is not after Début 2026-12-07 "
	  "14:00\n"
	  "s.csv:2: Places: must be at least 1\n" },
	{ "line numbers after a multi-line description",
	  "code,title,start,end,capacity,description\n"
	  "s1,T,2026-12-07 14:00,2026-12-07 16:00,5,\"a\nb\n\nc\"\n"
	  "\n"
	  "s2,T,2026-12-07 14:00,2026-12-07 16:00,0,\"x\ny\"\n"
	  "s1,T,2026-12-07 14:00,2026-12-07 16:00,5,\n",
	  "s.csv:7: capacity: must be at least 1\n"
	  "s.csv:9: code: s1 is already on line 2\n" },
	{ "several bad rows, all reported", H
	  "ok-1,T," GOOD
	  ",,2026-13-01 10:00,2026-12-07 16:00,0\n"
	  "ok-2,T," GOOD
	  "OK-1,T,2026-12-07 14:00,2026-12-07 16:00,12.5\n"
	  "ok 3,T,2026-12-07 14:00,2026-12-07 13:00,3\n",
	  "s.csv:3: code: empty\n"
	  "s.csv:3: title: empty\n"
	  "s.csv:3: start: no such day: 2026-13-01 10:00\n"
	  "s.csv:3: capacity: must be at least 1\n"
	  "s.csv:5: code: ok-1 is already on line 2\n"
	  "s.csv:5: capacity: \"12.5\" is not a whole number of places such "
	  "as 20\n"
	  "s.csv:6: code: \"ok 3\" may hold only letters a-z, digits and "
	  "'-' (found a space)\n"
	  "s.csv:6: end: 2026-12-07 13:00 is not after start 2026-12-07 "
	  "14:00\n" },
};

static const struct bad_case bad_agents[] = {
	{ "malformed e-mail", "email,name\njean.dupont@,Jean Dupont\n",
	  "a.csv:2: email: \"jean.dupont@\" is not an e-mail address\n" },
	{ "e-mail with a space", "email,name\njean dupont@ville.example,J\n",
	  "a.csv:2: email: \"jean dupont@ville.example\" is not an e-mail "
	  "address\n" },
	{ "empty e-mail and name", "email,name,service\n,,Voirie\n",
	  "a.csv:2: email: empty\n"
	  "a.csv:2: name: empty\n" },
	{ "duplicate e-mail", "email,name\n"
	  "Jean.Dupont@ville.example,Jean\n"
	  "x@ville.example,X\n"
	  "Jean Dupont <jean.dupont@VILLE.example>,Jean bis\n",
	  "a.csv:4: email: jean.dupont@ville.example is already on line 2\n" },
	{ "bad manager address", "email,name,manager\n"
	  "a@ville.example,A,chef@\n",
	  "a.csv:2: manager: \"chef@\" is not an e-mail address\n" },
	{ "invalid UTF-8 in the name", "email,name\na@ville.example,Andr\xe9\n",
	  "a.csv:2: name: " UTF8 "\n" },
	{ "unknown column", "email,name,téléphone\n",
	  "a.csv:1: header: unknown column \"téléphone\" (known: email, name, "
	  "service, manager)\n" },
	{ "missing name", "email;service\n",
	  "a.csv:1: header: missing column \"name\"\n" },
};

static int
setup(void **state)
{
	(void)state;
	return tz_set("Europe/Paris");
}

static void
run_bad(const struct bad_case *cases, size_t n, int agents)
{
	for (size_t i = 0; i < n; i++) {
		const struct bad_case *t = &cases[i];
		struct buf errors = BUF_INIT;
		size_t len = strlen(t->in), nrows = 99, lines = 0;
		int got;

		if (strncmp(t->in, "\xff\xfe", 2) == 0)
			len = 10;
		if (agents) {
			struct agent_row *rows = (void *)1;

			got = import_agents(t->in, len, "a.csv", &rows, &nrows,
			    &errors);
			assert_null(rows);
		} else {
			struct session_row *rows = (void *)1;

			got = import_sessions(t->in, len, "s.csv", &rows,
			    &nrows, &errors);
			assert_null(rows);
		}
		assert_int_equal(nrows, 0);
		for (const char *p = t->want; *p; p++)
			lines += *p == '\n';
		if (errors.s == NULL || strcmp(errors.s, t->want) != 0)
			fail_msg("%s:\n got: %s\nwant: %s", t->name,
			    errors.s ? errors.s : "(nothing)", t->want);
		if ((size_t)got != lines)
			fail_msg("%s: %d problems, want %zu", t->name, got,
			    lines);
		buf_free(&errors);
	}
}

static void
test_bad_sessions(void **state)
{
	(void)state;
	run_bad(bad_sessions, nitems(bad_sessions), 0);
}

static void
test_bad_agents(void **state)
{
	(void)state;
	run_bad(bad_agents, nitems(bad_agents), 1);
}

/*
 * A good file as French LibreOffice writes it: BOM, ';', CRLF, French
 * headers in another order, multi-line quoted descriptions, blank lines
 * and an empty spreadsheet row, dates in the French form.
 */
static const char good_sessions[] =
    "\xef\xbb\xbf" "Code ; Titre;Filière;DÉBUT;Fin;Lieu;Places;Formateur;"
    "Description\r\n"
    "Session-42;Un truc en plus : le tableur;Un truc en plus;"
    "2026-12-07 14:00;2026-12-07 16:00;\"Salle 3; mairie annexe\";12;"
    "Jean Dupont <Jean.Dupont@Ville.EXAMPLE>;\"Première ligne;\r\n"
    "deuxième \"\"ligne\"\"\r\n"
    "\r\n"
    "troisième\"\r\n"
    "\r\n"
    "eco-2026-12;Développement durable;Développement durable;"
    "07/12/2026 9:00;07/12/2026 12:00:00;;20;;\r\n"
    ";;;;;;;;\r\n"
    "prep-1;Préparation concours;;2026-12-08T14:00;2026-12-08 17:30;"
    "  Salle du conseil  ;8;;Une ligne\r\n";

static void
test_good_sessions(void **state)
{
	struct session_row *rows = NULL;
	size_t n = 0;
	struct buf errors = BUF_INIT;
	int got;

	(void)state;
	got = import_sessions(good_sessions, sizeof good_sessions - 1,
	    "sessions.csv", &rows, &n, &errors);
	if (got != 0)
		fail_msg("%d problems:\n%s", got, errors.s);
	assert_null(errors.s);
	assert_int_equal(n, 3);

	assert_string_equal(rows[0].code, "session-42");
	assert_string_equal(rows[0].title, "Un truc en plus : le tableur");
	assert_string_equal(rows[0].track, "Un truc en plus");
	assert_string_equal(rows[0].place, "Salle 3; mairie annexe");
	assert_string_equal(rows[0].trainer, "Jean.Dupont@ville.example");
	assert_string_equal(rows[0].description,
	    "Première ligne;\ndeuxième \"ligne\"\n\ntroisième");
	assert_int_equal(rows[0].start, 1796648400);	/* 13:00 UTC */
	assert_int_equal(rows[0].end, 1796648400 + 2 * 3600);
	assert_int_equal(rows[0].capacity, 12);
	assert_int_equal(rows[0].line, 2);

	assert_string_equal(rows[1].code, "eco-2026-12");
	assert_string_equal(rows[1].title, "Développement durable");
	assert_null(rows[1].place);
	assert_null(rows[1].trainer);
	assert_null(rows[1].description);
	assert_int_equal(rows[1].start, 1796630400);	/* 08:00 UTC */
	assert_int_equal(rows[1].end, 1796630400 + 3 * 3600);
	assert_int_equal(rows[1].capacity, 20);
	assert_int_equal(rows[1].line, 7);

	assert_string_equal(rows[2].code, "prep-1");
	assert_null(rows[2].track);
	assert_string_equal(rows[2].place, "Salle du conseil");
	assert_string_equal(rows[2].description, "Une ligne");
	assert_int_equal(rows[2].start, 1796734800);
	assert_int_equal(rows[2].end, 1796747400);
	assert_int_equal(rows[2].line, 9);

	session_rows_free(rows, n);
	buf_free(&errors);
}

/* Summer time: 2027-06-01 09:00 in Paris is 07:00 UTC. */
static void
test_summer_time(void **state)
{
	static const char in[] = H "s1,T,2027-06-01 09:00,2027-06-01 10:00,5\n";
	struct session_row *rows;
	size_t n;
	struct buf errors = BUF_INIT;
	struct tm tm = { 0 };

	(void)state;
	assert_int_equal(import_sessions(in, sizeof in - 1, NULL, &rows, &n,
	    &errors), 0);
	assert_int_equal(n, 1);
	tm.tm_year = 2027 - 1900;
	tm.tm_mon = 5;
	tm.tm_mday = 1;
	tm.tm_hour = 7;
	assert_int_equal(rows[0].start, timegm(&tm));
	session_rows_free(rows, n);
	buf_free(&errors);
}

static void
test_header_only(void **state)
{
	struct session_row *rows = (void *)1;
	struct agent_row *arows = (void *)1;
	size_t n = 99;
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(import_sessions(H, strlen(H), "s.csv", &rows, &n,
	    &errors), 0);
	assert_int_equal(n, 0);
	session_rows_free(rows, n);
	assert_int_equal(import_agents("email,name\r\n\r\n", 14, "a.csv",
	    &arows, &n, &errors), 0);
	assert_int_equal(n, 0);
	agent_rows_free(arows, n);
	assert_null(errors.s);
}

static void
test_good_agents(void **state)
{
	static const char in[] =
	    "\xef\xbb\xbf" "Courriel;Nom;Service;Responsable\r\n"
	    "  Jean Dupont <Jean.Dupont@Ville.EXAMPLE> ;Jean Dupont;"
	    "Voirie;chef.voirie@ville.example\r\n"
	    "elodie.muller@ville.example;Élodie Müller;;"
	    "Marie Curie\r\n"
	    "\"\"\"a;b\"\"@ville.example\";\"Nom, avec virgule\";;\r\n";
	struct agent_row *rows;
	size_t n;
	struct buf errors = BUF_INIT;
	int got;

	(void)state;
	got = import_agents(in, sizeof in - 1, "agents.csv", &rows, &n,
	    &errors);
	if (got != 0)
		fail_msg("%d problems:\n%s", got, errors.s);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].email, "Jean.Dupont@ville.example");
	assert_string_equal(rows[0].name, "Jean Dupont");
	assert_string_equal(rows[0].service, "Voirie");
	assert_string_equal(rows[0].manager, "chef.voirie@ville.example");
	assert_int_equal(rows[0].line, 2);
	assert_string_equal(rows[1].name, "Élodie Müller");
	assert_null(rows[1].service);
	assert_string_equal(rows[1].manager, "Marie Curie");
	assert_string_equal(rows[2].email, "\"a;b\"@ville.example");
	assert_string_equal(rows[2].name, "Nom, avec virgule");
	assert_null(rows[2].manager);
	assert_int_equal(rows[2].line, 4);
	agent_rows_free(rows, n);
	buf_free(&errors);
}

/* 150 bad rows: 100 lines shown, then "... and 50 more". */
static void
test_error_cap(void **state)
{
	struct buf in = BUF_INIT, errors = BUF_INIT;
	struct agent_row *rows;
	size_t n, lines = 0;
	int got;
	const char *last;

	(void)state;
	buf_adds(&in, "email,name\n");
	for (int i = 0; i < 150; i++)
		buf_addf(&in, "bad%d,Name\n", i);
	got = import_agents(in.s, in.len, "a.csv", &rows, &n, &errors);
	assert_int_equal(got, 150);
	assert_null(rows);
	for (const char *p = errors.s; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 101);
	assert_non_null(strstr(errors.s, "a.csv:101: email: \"bad99\" is not "
	    "an e-mail address\n... and 50 more\n"));
	last = strstr(errors.s, "... and");
	assert_string_equal(last, "... and 50 more\n");
	buf_free(&in);
	buf_free(&errors);
}

/* Many rows: the duplicate table grows, the last duplicate is found. */
static void
test_many(void **state)
{
	struct buf in = BUF_INIT, errors = BUF_INIT;
	struct agent_row *rows;
	size_t n;

	(void)state;
	buf_adds(&in, "email,name\n");
	for (int i = 0; i < 5000; i++)
		buf_addf(&in, "agent%d@ville.example,Agent %d\n", i, i);
	assert_int_equal(import_agents(in.s, in.len, "a.csv", &rows, &n,
	    &errors), 0);
	assert_int_equal(n, 5000);
	assert_string_equal(rows[4999].email, "agent4999@ville.example");
	assert_int_equal(rows[4999].line, 5001);
	agent_rows_free(rows, n);
	buf_adds(&in, "AGENT17@ville.example,Again\n");
	assert_int_equal(import_agents(in.s, in.len, "a.csv", &rows, &n,
	    &errors), 1);
	assert_string_equal(errors.s, "a.csv:5002: email: "
	    "AGENT17@ville.example is already on line 19\n");
	buf_free(&in);
	buf_free(&errors);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_sessions),
		cmocka_unit_test(test_bad_agents),
		cmocka_unit_test(test_good_sessions),
		cmocka_unit_test(test_summer_time),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_good_agents),
		cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
