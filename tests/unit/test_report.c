/*
 * The year's figures: report_compute_at() on an in-memory database holding
 * a small known year (every figure checked exactly, including the edges of
 * the local year, cancelled and upcoming sessions, sessions with and
 * without attendance taken), and the renderers on fixed figures (numbers
 * present, bars proportional, nothing remote, a year without data).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "report.h"
#include "tz.h"
#include "util.h"

/* ---- a known year ------------------------------------------------------- */

static struct db *
fresh_db(void)
{
	char *cause = NULL;
	struct db *db = db_open(":memory:", &cause);

	assert_non_null(db);
	return db;
}

static void
exec(struct db *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db_handle(db), sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

struct fx_session {
	int		 id;
	const char	*track;
	int		 y, mon, d, h, mi;	/* local, Europe/Paris */
	int		 capacity;
	const char	*trainer;
	const char	*status;
};

static const struct fx_session fx_sessions[] = {
	/* held, attendance taken */
	{ 1, "Bureautique", 2026, 1, 15, 9, 0, 10, "a@ville.example", "planned" },
	/* held, attendance not taken; the same trainer, other case */
	{ 2, "Bureautique", 2026, 3, 10, 14, 0, 8, "A@Ville.Example", "planned" },
	{ 3, "Sécurité", 2026, 6, 20, 9, 0, 12, "b@ville.example", "planned" },
	{ 4, "Sécurité", 2026, 6, 25, 9, 0, 12, "b@ville.example", "cancelled" },
	/* after `now`: upcoming */
	{ 5, "", 2026, 12, 15, 9, 0, 10, "c@ville.example", "planned" },
	/* 2025-12-31 23:30 UTC: 2026 in Paris */
	{ 6, "Numérique", 2026, 1, 1, 0, 30, 6, "b@ville.example", "planned" },
	/* 2026-12-31 23:30 UTC: 2027 in Paris */
	{ 7, "Numérique", 2027, 1, 1, 0, 30, 6, "c@ville.example", "planned" },
	{ 8, "Bureautique", 2025, 6, 1, 9, 0, 10, "c@ville.example", "planned" },
	/* later on `now`'s day */
	{ 9, "Numérique", 2026, 11, 30, 14, 0, 6, "c@ville.example", "planned" },
};

struct fx_reg {
	int		 session, agent;
	const char	*status;
};

static const struct fx_reg fx_regs[] = {
	{ 1, 1, "attended" }, { 1, 2, "attended" }, { 1, 3, "attended" },
	{ 1, 4, "absent" }, { 1, 5, "registered" }, { 1, 6, "waitlisted" },
	{ 1, 7, "cancelled" },
	{ 2, 1, "registered" }, { 2, 5, "registered" }, { 2, 8, "registered" },
	{ 2, 9, "registered" },
	{ 3, 2, "attended" }, { 3, 10, "attended" }, { 3, 3, "absent" },
	{ 3, 4, "absent" },
	{ 4, 15, "cancelled" },
	{ 5, 12, "registered" }, { 5, 13, "registered" }, { 5, 14, "registered" },
	{ 6, 1, "attended" }, { 6, 11, "attended" },
	{ 7, 1, "registered" },
	{ 8, 16, "attended" },
	{ 9, 1, "registered" },
};

static time_t
fx_now(void)
{
	return tz_make_local(2026, 11, 30, 12, 0);
}

static struct db *
known_year(void)
{
	struct db *db = fresh_db();
	sqlite3_stmt *st;
	size_t i;

	assert_int_equal(tz_set("Europe/Paris"), 0);
	for (i = 1; i <= 16; i++) {
		char *sql = xasprintf("INSERT INTO agents (id, email, name, "
		    "created_at) VALUES (%zu, 'agent%zu@ville.example', "
		    "'Agent %zu', 0)", i, i, i);

		exec(db, sql);
		free(sql);
	}
	exec(db, "INSERT INTO agents (id, email, name, created_at) VALUES "
	    "(100, 'a@ville.example', 'Anne Formatrice', 0)");
	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
	    "INSERT INTO sessions (id, code, title, track, start_at, end_at, "
	    "capacity, trainer, status, created_at, updated_at) VALUES "
	    "(?, ?, 'Titre', ?, ?, ?, ?, ?, ?, 0, 0)", -1, &st, NULL),
	    SQLITE_OK);
	for (i = 0; i < nitems(fx_sessions); i++) {
		const struct fx_session *s = &fx_sessions[i];
		time_t t = tz_make_local(s->y, s->mon, s->d, s->h, s->mi);
		char code[16];

		snprintf(code, sizeof code, "s%d", s->id);
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, s->id);
		sqlite3_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, s->track, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, t);
		sqlite3_bind_int64(st, 5, t + 7200);
		sqlite3_bind_int(st, 6, s->capacity);
		sqlite3_bind_text(st, 7, s->trainer, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, s->status, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	}
	sqlite3_finalize(st);
	for (i = 0; i < nitems(fx_regs); i++) {
		char *sql = xasprintf("INSERT INTO registrations (session_id, "
		    "agent_id, status, seq, since) VALUES (%d, %d, '%s', %zu, "
		    "0)", fx_regs[i].session, fx_regs[i].agent,
		    fx_regs[i].status, i);

		exec(db, sql);
		free(sql);
	}
	return db;
}

static void
test_compute(void **state)
{
	struct db *db = known_year();
	struct report_stats rs;
	static const int monthly[12] = { 5, 0, 4, 0, 0, 2, 0, 0, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(report_compute_at(db, 2026, fx_now(), &rs), 0);
	assert_int_equal(rs.year, 2026);
	assert_int_equal(rs.sessions_held, 4);		/* s1 s2 s3 s6 */
	assert_int_equal(rs.sessions_cancelled, 1);	/* s4 */
	assert_int_equal(rs.sessions_upcoming, 2);	/* s5 s9, not s7 */
	/* s1: 3 attended; s2: 4 registered (not taken); s3: 2; s6: 2 */
	assert_int_equal(rs.participations, 11);
	/* 1 2 3 | 1 5 8 9 | 2 10 | 1 11 */
	assert_int_equal(rs.participants, 8);
	assert_int_equal(rs.attended, 7);
	assert_int_equal(rs.absent, 3);
	assert_int_equal(rs.places_offered, 10 + 8 + 12 + 6);
	assert_int_equal(rs.places_taken, 5 + 4 + 4 + 2);
	assert_memory_equal(rs.monthly, monthly, sizeof monthly);

	assert_int_equal(rs.ntracks, 3);
	assert_string_equal(rs.tracks[0].track, "Bureautique");
	assert_int_equal(rs.tracks[0].sessions, 2);
	assert_int_equal(rs.tracks[0].participations, 7);
	assert_int_equal(rs.tracks[0].places_offered, 18);
	assert_int_equal(rs.tracks[0].places_taken, 9);
	assert_string_equal(rs.tracks[1].track, "Numérique");
	assert_int_equal(rs.tracks[1].sessions, 1);
	assert_int_equal(rs.tracks[1].participations, 2);
	assert_int_equal(rs.tracks[1].places_offered, 6);
	assert_int_equal(rs.tracks[1].places_taken, 2);
	assert_string_equal(rs.tracks[2].track, "Sécurité");
	assert_int_equal(rs.tracks[2].sessions, 1);
	assert_int_equal(rs.tracks[2].participations, 2);
	assert_int_equal(rs.tracks[2].places_offered, 12);
	assert_int_equal(rs.tracks[2].places_taken, 4);

	/* a: s1 + s2 (case ignored), b: s3 + s6 (s4 cancelled); c: none held */
	assert_int_equal(rs.ntrainers, 2);
	/* The smallest spelling of the address stands for it. */
	assert_string_equal(rs.trainers[0].trainer, "A@Ville.Example");
	assert_string_equal(rs.trainers[0].name, "Anne Formatrice");
	assert_int_equal(rs.trainers[0].sessions, 2);
	assert_string_equal(rs.trainers[1].trainer, "b@ville.example");
	assert_string_equal(rs.trainers[1].name, "");
	assert_int_equal(rs.trainers[1].sessions, 2);

	{
		char *text = report_text(&rs);

		assert_non_null(strstr(text, "Participations;11\n"));
		assert_non_null(strstr(text, "Participants distincts;8\n"));
		assert_non_null(strstr(text, "Taux de remplissage (%);41,7\n"));
		assert_non_null(strstr(text, "Taux d’absence (%);30,0\n"));
		assert_non_null(strstr(text,
		    "Bureautique;2;7;3,5;18;9;50,0\n"));
		assert_non_null(strstr(text,
		    "Anne Formatrice;A@Ville.Example;2\n"));
		free(text);
	}
	report_stats_clear(&rs);

	/* The year before: s8 only. */
	assert_int_equal(report_compute_at(db, 2025, fx_now(), &rs), 0);
	assert_int_equal(rs.sessions_held, 1);
	assert_int_equal(rs.participations, 1);
	assert_int_equal(rs.participants, 1);
	assert_int_equal(rs.monthly[5], 1);
	assert_int_equal(rs.ntrainers, 0);
	report_stats_clear(&rs);

	/* The year after: s7 has not started. */
	assert_int_equal(report_compute_at(db, 2027, fx_now(), &rs), 0);
	assert_int_equal(rs.sessions_held, 0);
	assert_int_equal(rs.sessions_upcoming, 1);
	assert_int_equal(rs.participations, 0);
	assert_int_equal(rs.ntracks, 0);
	report_stats_clear(&rs);

	/* Once the whole of 2026 is past, s5 and s9 are held too. */
	assert_int_equal(report_compute_at(db, 2026,
	    tz_make_local(2027, 6, 1, 0, 0), &rs), 0);
	assert_int_equal(rs.sessions_held, 6);
	assert_int_equal(rs.sessions_upcoming, 0);
	assert_int_equal(rs.participations, 11 + 3 + 1);
	assert_int_equal(rs.ntracks, 4);
	assert_string_equal(rs.tracks[3].track, "");	/* last */
	assert_int_equal(rs.tracks[3].sessions, 1);
	assert_int_equal(rs.tracks[3].participations, 3);
	assert_int_equal(rs.ntrainers, 3);	/* c: s5 and s9 */
	report_stats_clear(&rs);

	assert_int_equal(report_compute_at(db, 1969, fx_now(), &rs), -1);
	assert_int_equal(rs.ntracks, 0);
	db_close(db);
}

static void
test_rate(void **state)
{
	double r;

	(void)state;
	assert_int_equal(report_rate(3, 0, &r), 0);
	assert_int_equal(report_rate(0, 0, &r), 0);
	assert_int_equal(report_rate(1, 4, &r), 1);
	assert_true(r == 0.25);
}

/* ---- renderers ---------------------------------------------------------- */

static struct report_track fixed_tracks[] = {
	{ (char *)(uintptr_t)"Bureautique", 8, 64, 96, 80 },
	{ (char *)(uintptr_t)"Sécurité & prévention <incendie>", 4, 48, 48, 48 },
	{ (char *)(uintptr_t)"=HYPERLINK(\"x\");y", 2, 10, 20, 12 },
	{ (char *)(uintptr_t)"", 1, 0, 10, 0 },
};
static struct report_trainer fixed_trainers[] = {
	{ (char *)(uintptr_t)"a@ville.example",
	    (char *)(uintptr_t)"Anne Formatrice", 5 },
	{ (char *)(uintptr_t)"b@ville.example", (char *)(uintptr_t)"", 2 },
};

static void
fixed_stats(struct report_stats *rs)
{
	static const int monthly[12] = { 10, 20, 0, 5, 40, 30, 0, 0, 15, 1,
	    1, 0 };

	memset(rs, 0, sizeof *rs);
	rs->year = 2026;
	rs->sessions_held = 15;
	rs->sessions_cancelled = 2;
	rs->sessions_upcoming = 3;
	rs->participations = 122;
	rs->participants = 57;
	rs->attended = 90;
	rs->absent = 10;
	rs->places_offered = 174;
	rs->places_taken = 140;
	memcpy(rs->monthly, monthly, sizeof monthly);
	rs->tracks = fixed_tracks;
	rs->ntracks = nitems(fixed_tracks);
	rs->trainers = fixed_trainers;
	rs->ntrainers = nitems(fixed_trainers);
}

/*
 * The height (or width) of the bar with data-value VALUE in the chart ID:
 * the attribute ATTR of the first such <rect> after the chart's title.
 */
static double
bar_size(const char *html, const char *id, const char *value,
    const char *attr)
{
	char key[128];
	const char *p, *end;

	snprintf(key, sizeof key, "<title id=\"%s-title\">", id);
	p = strstr(html, key);
	assert_non_null(p);
	end = strstr(p, "</svg>");
	assert_non_null(end);
	snprintf(key, sizeof key, "data-value=\"%s\"", value);
	p = strstr(p, key);
	if (p == NULL || p > end)
		fail_msg("no bar %s in %s", value, id);
	snprintf(key, sizeof key, " %s=\"", attr);
	p = strstr(p, key);
	assert_non_null(p);
	return strtod(p + strlen(key), NULL);
}

static void
test_html(void **state)
{
	struct report_stats rs;
	char *html;

	(void)state;
	fixed_stats(&rs);
	html = report_html(&rs, "TRUC² <école>");

	assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	assert_non_null(strstr(html, "<html lang=\"fr\">"));
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(html,
	    "<title>TRUC² &lt;école&gt; — bilan de l’année 2026</title>"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "url("));
	assert_null(strstr(html, "<incendie>"));
	assert_non_null(strstr(html, "Sécurité &amp; prévention &lt;incendie&gt;"));

	/* Key figures. */
	assert_non_null(strstr(html, ">122</div>"));
	assert_non_null(strstr(html, ">57</div>"));
	assert_non_null(strstr(html, ">15</div>"));
	assert_non_null(strstr(html, ">80,5 %</div>"));	/* 140 / 174 */
	assert_non_null(strstr(html, ">10,0 %</div>"));	/* 10 / 100 */

	/* Accessible charts. */
	assert_non_null(strstr(html, "role=\"img\" aria-labelledby="
	    "\"chart-months-title chart-months-desc\""));
	assert_non_null(strstr(html, "<desc id=\"chart-months-desc\">janvier : "
	    "10 participation(s) ; février : 20"));

	/* Month bars: 40 is the largest, 200 high; the others in proportion. */
	assert_true(bar_size(html, "chart-months", "40", "height") == 200.0);
	assert_true(bar_size(html, "chart-months", "20", "height") == 100.0);
	assert_true(bar_size(html, "chart-months", "10", "height") == 50.0);
	assert_true(bar_size(html, "chart-months", "5", "height") == 25.0);
	assert_true(bar_size(html, "chart-months", "0", "height") == 0.0);
	/* Sessions per track: 8 is 400 wide. */
	assert_true(bar_size(html, "chart-sessions", "8", "width") == 400.0);
	assert_true(bar_size(html, "chart-sessions", "4", "width") == 200.0);
	assert_true(bar_size(html, "chart-sessions", "1", "width") == 50.0);
	/* Attendance: 12 per session (48 / 4) is the largest; 8 = 64 / 8. */
	assert_true(bar_size(html, "chart-attendance", "12", "width") == 400.0);
	{
		double w8 = bar_size(html, "chart-attendance", "8", "width");
		double w5 = bar_size(html, "chart-attendance", "5", "width");

		assert_true(w8 > 266.6 && w8 < 266.8);	/* 8 * 400 / 12 */
		assert_true(w5 > 166.6 && w5 < 166.8);	/* 5 * 400 / 12 */
	}
	assert_non_null(strstr(html, "(sans filière)"));
	assert_non_null(strstr(html, "Anne Formatrice"));
	assert_non_null(strstr(html, "b@ville.example"));
	free(html);

	/* No school name. */
	html = report_html(&rs, NULL);
	assert_non_null(strstr(html, "<title>Bilan de l’année 2026</title>"));
	free(html);
}

static void
test_text(void **state)
{
	struct report_stats rs;
	char *text;

	(void)state;
	fixed_stats(&rs);
	text = report_text(&rs);
	assert_true(strncmp(text, "Bilan de l’année;2026\n", 22) == 0);
	assert_non_null(strstr(text, "\nSessions tenues;15\n"));
	assert_non_null(strstr(text, "\nSessions annulées;2\n"));
	assert_non_null(strstr(text, "\nSessions à venir;3\n"));
	assert_non_null(strstr(text, "\nParticipations;122\n"));
	assert_non_null(strstr(text, "\nParticipants distincts;57\n"));
	assert_non_null(strstr(text, "\nTaux de remplissage (%);80,5\n"));
	assert_non_null(strstr(text, "\nTaux d’absence (%);10,0\n"));
	assert_non_null(strstr(text, "\nMois;Participations\njanvier;10\n"
	    "février;20\nmars;0\n"));
	assert_non_null(strstr(text, "\ndécembre;0\n"));
	assert_non_null(strstr(text, "\nBureautique;8;64;8,0;96;80;83,3\n"));
	/* quoted, and kept from running as a formula */
	assert_non_null(strstr(text,
	    "\n\"'=HYPERLINK(\"\"x\"\");y\";2;10;5,0;20;12;60,0\n"));
	assert_non_null(strstr(text, "\n(sans filière);1;0;0,0;10;0;0,0\n"));
	assert_non_null(strstr(text, "\nAnne Formatrice;a@ville.example;5\n"));
	assert_non_null(strstr(text, "\nb@ville.example;b@ville.example;2\n"));
	free(text);
}

static void
test_empty_year(void **state)
{
	struct report_stats rs;
	char *text, *html;

	(void)state;
	memset(&rs, 0, sizeof rs);
	rs.year = 2031;
	text = report_text(&rs);
	assert_non_null(strstr(text, "Taux de remplissage (%);—\n"));
	assert_non_null(strstr(text, "Taux d’absence (%);—\n"));
	assert_non_null(strstr(text, "Participations;0\n"));
	free(text);
	html = report_html(&rs, "TRUC²");
	assert_non_null(strstr(html, ">—</div>"));
	assert_null(strstr(html, "nan\""));
	assert_null(strstr(html, "inf\""));
	assert_true(bar_size(html, "chart-months", "0", "height") == 0.0);
	assert_non_null(strstr(html, "Aucune participation cette année"));
	assert_non_null(strstr(html, "Aucune session tenue cette année"));
	assert_non_null(strstr(html, "<desc id=\"chart-sessions-desc\">"
	    "aucune donnée</desc>"));
	free(html);

	/* Sessions held but nobody came: means are 0, not NaN. */
	{
		struct report_track t = { (char *)(uintptr_t)"Vide", 2, 0, 20,
		    0 };

		rs.tracks = &t;
		rs.ntracks = 1;
		rs.sessions_held = 2;
		rs.places_offered = 20;
		html = report_html(&rs, NULL);
		assert_true(bar_size(html, "chart-attendance", "0", "width") ==
		    0.0);
		assert_true(bar_size(html, "chart-sessions", "2", "width") ==
		    400.0);
		assert_null(strstr(html, "nan\""));
		free(html);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compute),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_empty_year),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
