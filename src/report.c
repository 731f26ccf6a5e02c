/*
 * report.c - the year's figures: SQL over sessions and registrations into
 * struct report_stats, then pure renderers (text and HTML with SVG).
 * The definitions are in report.h.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "report.h"
#include "tz.h"
#include "util.h"

static const char *const months[] = { "janvier", "février", "mars",
    "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
    "novembre", "décembre" };
static const char *const months_short[] = { "janv.", "févr.", "mars",
    "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc." };

#define NO_TRACK	"(sans filière)"

/* ---- computing ---------------------------------------------------------- */

/* A held session: ?1 <= start < ?2 (the year), start <= ?3 (now). */
#define HELD	"s.status = 'planned' AND s.start_at >= ?1 AND s.start_at < ?2 " \
		"AND s.start_at <= ?3"

static const char sql_held[] =
    "SELECT s.track, s.start_at, s.capacity, "
    "(SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id "
    "  AND r.status = 'attended'), "
    "(SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id "
    "  AND r.status = 'absent'), "
    "(SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id "
    "  AND r.status = 'registered') "
    "FROM sessions s WHERE " HELD " ORDER BY s.track = '', s.track, "
    "s.start_at";

static const char sql_participants[] =
    "SELECT COUNT(DISTINCT r.agent_id) FROM registrations r "
    "JOIN sessions s ON s.id = r.session_id WHERE " HELD " AND "
    "(r.status = 'attended' OR (r.status = 'registered' AND NOT EXISTS "
    "  (SELECT 1 FROM registrations m WHERE m.session_id = s.id "
    "   AND m.status IN ('attended', 'absent'))))";

static const char sql_trainers[] =
    "SELECT t.trainer, COALESCE(a.name, ''), t.n FROM "
    "(SELECT MIN(s.trainer) AS trainer, COUNT(*) AS n FROM sessions s "
    "  WHERE " HELD " AND s.trainer <> '' GROUP BY lower(s.trainer) "
    "  HAVING COUNT(*) >= 2) t "
    "LEFT JOIN agents a ON a.email = t.trainer "
    "ORDER BY t.n DESC, lower(t.trainer)";

static const char sql_cancelled[] =
    "SELECT COUNT(*) FROM sessions s WHERE s.status = 'cancelled' "
    "AND s.start_at >= ?1 AND s.start_at < ?2";

static const char sql_upcoming[] =
    "SELECT COUNT(*) FROM sessions s WHERE s.status = 'planned' "
    "AND s.start_at >= ?1 AND s.start_at < ?2 AND s.start_at > ?3";

static void
bind_year(sqlite3_stmt *st, time_t from, time_t to, time_t now)
{
	db_bind_int(st, 1, from);
	db_bind_int(st, 2, to);
	if (sqlite3_bind_parameter_count(st) >= 3)
		db_bind_int(st, 3, now);
}

static struct report_track *
track_for(struct report_stats *rs, const char *name)
{
	struct report_track *t;

	/* Rows come ordered by track: only the last one can match. */
	if (rs->ntracks > 0 && strcmp(rs->tracks[rs->ntracks - 1].track,
	    name) == 0)
		return &rs->tracks[rs->ntracks - 1];
	rs->tracks = xreallocarray(rs->tracks, rs->ntracks + 1,
	    sizeof *rs->tracks);
	t = &rs->tracks[rs->ntracks++];
	memset(t, 0, sizeof *t);
	t->track = xstrdup(name);
	return t;
}

static int
step_failed(struct db *db, sqlite3_stmt *st, int rc)
{
	if (rc == SQLITE_DONE)
		return 0;
	log_warnx("report: sqlite: %s", sqlite3_errmsg(db_handle(db)));
	sqlite3_reset(st);
	return 1;
}

int
report_compute_at(struct db *db, int year, time_t now,
    struct report_stats *rs)
{
	sqlite3_stmt *st;
	time_t from, to;
	int rc;

	memset(rs, 0, sizeof *rs);
	if (year < 1970 || year > 9999)
		return -1;
	rs->year = year;
	from = tz_make_local(year, 1, 1, 0, 0);
	to = tz_make_local(year + 1, 1, 1, 0, 0);

	st = db_prepare(db, sql_held);
	bind_year(st, from, to, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_track *t = track_for(rs, db_col_text(st, 0));
		time_t start = (time_t)sqlite3_column_int64(st, 1);
		int cap = sqlite3_column_int(st, 2);
		int att = sqlite3_column_int(st, 3);
		int abs = sqlite3_column_int(st, 4);
		int reg = sqlite3_column_int(st, 5);
		int part = att + abs > 0 ? att : reg;
		struct tm tm;

		tz_local(start, &tm);
		rs->monthly[tm.tm_mon] += part;
		rs->sessions_held++;
		rs->participations += part;
		rs->attended += att;
		rs->absent += abs;
		rs->places_offered += cap;
		rs->places_taken += att + abs + reg;
		t->sessions++;
		t->participations += part;
		t->places_offered += cap;
		t->places_taken += att + abs + reg;
	}
	if (step_failed(db, st, rc))
		goto fail;
	sqlite3_reset(st);

	st = db_prepare(db, sql_participants);
	bind_year(st, from, to, now);
	rs->participants = (int)db_one_int(db, st, 0);

	st = db_prepare(db, sql_cancelled);
	bind_year(st, from, to, now);
	rs->sessions_cancelled = (int)db_one_int(db, st, 0);

	st = db_prepare(db, sql_upcoming);
	bind_year(st, from, to, now);
	rs->sessions_upcoming = (int)db_one_int(db, st, 0);

	st = db_prepare(db, sql_trainers);
	bind_year(st, from, to, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_trainer *t;

		rs->trainers = xreallocarray(rs->trainers, rs->ntrainers + 1,
		    sizeof *rs->trainers);
		t = &rs->trainers[rs->ntrainers++];
		t->trainer = xstrdup(db_col_text(st, 0));
		t->name = xstrdup(db_col_text(st, 1));
		t->sessions = sqlite3_column_int(st, 2);
	}
	if (step_failed(db, st, rc))
		goto fail;
	sqlite3_reset(st);
	return 0;

fail:
	report_stats_clear(rs);
	return -1;
}

int
report_compute(struct db *db, int year, struct report_stats *rs)
{
	return report_compute_at(db, year, time(NULL), rs);
}

void
report_stats_clear(struct report_stats *rs)
{
	for (size_t i = 0; i < rs->ntracks; i++)
		free(rs->tracks[i].track);
	free(rs->tracks);
	for (size_t i = 0; i < rs->ntrainers; i++) {
		free(rs->trainers[i].trainer);
		free(rs->trainers[i].name);
	}
	free(rs->trainers);
	memset(rs, 0, sizeof *rs);
}

int
report_rate(int num, int den, double *rate)
{
	if (den <= 0) {
		*rate = 0;
		return 0;
	}
	*rate = (double)num / den;
	return 1;
}

/* ---- formatting --------------------------------------------------------- */

/*
 * num / den * scale with one decimal and a decimal comma ("80,0"), or
 * "—" when undefined; written without the locale so that a setlocale()
 * elsewhere cannot change it.
 */
static void
fmt_ratio(char *out, size_t len, int num, int den, double scale)
{
	double r;
	long long tenths;

	if (!report_rate(num, den, &r)) {
		snprintf(out, len, "—");
		return;
	}
	tenths = llround(r * scale * 10);
	snprintf(out, len, "%lld,%lld", tenths / 10, tenths % 10);
}

static const char *
track_name(const struct report_track *t)
{
	return *t->track != '\0' ? t->track : NO_TRACK;
}

/* ---- text --------------------------------------------------------------- */

/*
 * One ';'-separated line, LF-terminated, for a terminal that a spreadsheet
 * can also read.  Not csv_write_row(): that quotes every field holding a
 * ',' and every decimal comma would come out quoted.  The same care
 * otherwise: quotes where needed, and a field starting with = + - @ is
 * kept from running as a formula (track names come from imports).
 */
static void
text_row(struct buf *b, const char *const *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = f[i] != NULL ? f[i] : "";
		size_t len = strlen(v);
		int formula = strchr("=+-@\t\r", *v) != NULL && *v != '\0';
		int quote = strpbrk(v, ";\"\r\n") != NULL || (len > 0 &&
		    (v[0] == ' ' || v[len - 1] == ' '));

		if (i > 0)
			buf_addc(b, ';');
		if (quote)
			buf_addc(b, '"');
		if (formula)
			buf_addc(b, '\'');
		for (; *v != '\0'; v++) {
			if (*v == '"')
				buf_addc(b, '"');
			buf_addc(b, *v);
		}
		if (quote)
			buf_addc(b, '"');
	}
	buf_addc(b, '\n');
}

static void
row2(struct buf *b, const char *label, const char *value)
{
	const char *f[] = { label, value };

	text_row(b, f, 2);
}

static void
row2i(struct buf *b, const char *label, int value)
{
	char v[32];

	snprintf(v, sizeof v, "%d", value);
	row2(b, label, v);
}

char *
report_text(const struct report_stats *rs)
{
	struct buf b = BUF_INIT;
	char r[32], y[16];

	snprintf(y, sizeof y, "%d", rs->year);
	row2(&b, "Bilan de l’année", y);
	row2i(&b, "Sessions tenues", rs->sessions_held);
	row2i(&b, "Sessions annulées", rs->sessions_cancelled);
	row2i(&b, "Sessions à venir", rs->sessions_upcoming);
	row2i(&b, "Participations", rs->participations);
	row2i(&b, "Participants distincts", rs->participants);
	row2i(&b, "Places offertes", rs->places_offered);
	row2i(&b, "Places prises", rs->places_taken);
	fmt_ratio(r, sizeof r, rs->places_taken, rs->places_offered, 100);
	row2(&b, "Taux de remplissage (%)", r);
	row2i(&b, "Présents (présence relevée)", rs->attended);
	row2i(&b, "Absents (présence relevée)", rs->absent);
	fmt_ratio(r, sizeof r, rs->absent, rs->attended + rs->absent, 100);
	row2(&b, "Taux d’absence (%)", r);
	row2i(&b, "Formateurs et formatrices réguliers", (int)rs->ntrainers);

	buf_addc(&b, '\n');
	row2(&b, "Mois", "Participations");
	for (int m = 0; m < 12; m++)
		row2i(&b, months[m], rs->monthly[m]);

	buf_addc(&b, '\n');
	{
		const char *h[] = { "Filière", "Sessions tenues",
		    "Participations", "Participants par session",
		    "Places offertes", "Places prises",
		    "Taux de remplissage (%)" };

		text_row(&b, h, nitems(h));
	}
	for (size_t i = 0; i < rs->ntracks; i++) {
		const struct report_track *t = &rs->tracks[i];
		char s[16], p[16], mean[32], o[16], k[16], fill[32];
		const char *f[] = { track_name(t), s, p, mean, o, k, fill };

		snprintf(s, sizeof s, "%d", t->sessions);
		snprintf(p, sizeof p, "%d", t->participations);
		fmt_ratio(mean, sizeof mean, t->participations, t->sessions, 1);
		snprintf(o, sizeof o, "%d", t->places_offered);
		snprintf(k, sizeof k, "%d", t->places_taken);
		fmt_ratio(fill, sizeof fill, t->places_taken,
		    t->places_offered, 100);
		text_row(&b, f, nitems(f));
	}

	buf_addc(&b, '\n');
	{
		const char *h[] = { "Formateur ou formatrice (au moins deux "
		    "sessions)", "Adresse", "Sessions" };

		text_row(&b, h, nitems(h));
	}
	for (size_t i = 0; i < rs->ntrainers; i++) {
		const struct report_trainer *t = &rs->trainers[i];
		char n[16];
		const char *f[] = { *t->name != '\0' ? t->name : t->trainer,
		    t->trainer, n };

		snprintf(n, sizeof n, "%d", t->sessions);
		text_row(&b, f, nitems(f));
	}
	return buf_detach(&b);
}

/* ---- HTML --------------------------------------------------------------- */

/* At most max characters (UTF-8 aware) of s, "…" when cut; caller frees. */
static char *
shorten(const char *s, size_t max)
{
	size_t chars = 0, i;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == max)
			return xasprintf("%.*s…", (int)i, s);
	}
	return xstrdup(s);
}

struct bar {
	const char	*label;		/* under or beside the bar */
	const char	*long_label;	/* in the tooltip and description */
	double		 value;
	const char	*shown;		/* the value as printed */
};

#define FONT_STACK	"'DejaVu Sans', Verdana, Arial, sans-serif"
#define INK		"#1f2933"
#define MUTED		"#52606d"
#define BAR		"#2c5c8a"
#define RULE		"#cbd2d9"

static double
bars_max(const struct bar *bars, size_t n)
{
	double max = 0;

	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	return max;
}

static void
svg_open(struct buf *b, const char *id, const char *title, int w, int h,
    const struct bar *bars, size_t n, const char *unit)
{
	buf_addf(b, "<svg "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-labelledby=\"%s-title %s-desc\" style=\"max-width:100%%;"
	    "height:auto;display:block;font-family:%s\">\n", w, h, w, h, id,
	    id, FONT_STACK);
	buf_addf(b, "<title id=\"%s-title\">", id);
	buf_add_html(b, title);
	buf_addf(b, "</title>\n<desc id=\"%s-desc\">", id);
	for (size_t i = 0; i < n; i++) {
		buf_adds(b, i > 0 ? " ; " : "");
		buf_add_html(b, bars[i].long_label);
		buf_adds(b, " : ");
		buf_add_html(b, bars[i].shown);
		buf_addf(b, " %s", unit);
	}
	if (n == 0)
		buf_adds(b, "aucune donnée");
	buf_adds(b, "</desc>\n");
}

/* Vertical bars (the months): heights proportional, 200 for the largest. */
#define VBAR_H		200.0
static void
svg_vbars(struct buf *b, const char *id, const char *title,
    const struct bar *bars, size_t n, const char *unit)
{
	const int slot = 58, left = 10, top = 24, w = left * 2 + slot * (int)n;
	const int h = top + (int)VBAR_H + 30;
	double max = bars_max(bars, n);

	svg_open(b, id, title, w, h, bars, n, unit);
	buf_addf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
	    "stroke=\"%s\" stroke-width=\"1\"/>\n", left, top + VBAR_H,
	    w - left, top + VBAR_H, RULE);
	for (size_t i = 0; i < n; i++) {
		double bh = max > 0 ? bars[i].value * VBAR_H / max : 0;
		double x = left + slot * (double)i + 8;

		buf_addf(b, "<rect class=\"bar\" data-value=\"%g\" x=\"%.1f\" "
		    "y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
		    "<title>", bars[i].value, x, top + VBAR_H - bh, slot - 16,
		    bh, BAR);
		buf_add_html(b, bars[i].long_label);
		buf_adds(b, " : ");
		buf_add_html(b, bars[i].shown);
		buf_addf(b, " %s</title></rect>\n", unit);
		buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		    "font-size=\"13\" fill=\"%s\">", x + (slot - 16) / 2.0,
		    top + VBAR_H - bh - 6, INK);
		buf_add_html(b, bars[i].shown);
		buf_addf(b, "</text>\n<text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\" font-size=\"12\" fill=\"%s\">",
		    x + (slot - 16) / 2.0, top + VBAR_H + 20, MUTED);
		buf_add_html(b, bars[i].label);
		buf_adds(b, "</text>\n");
	}
	if (max <= 0)
		buf_addf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" "
		    "font-size=\"14\" fill=\"%s\">Aucune participation "
		    "cette année</text>\n", w / 2, top + VBAR_H / 2, MUTED);
	buf_adds(b, "</svg>\n");
}

/* Horizontal bars (the tracks): widths proportional, 400 for the largest. */
#define HBAR_W		400.0
static void
svg_hbars(struct buf *b, const char *id, const char *title,
    const struct bar *bars, size_t n, const char *unit)
{
	const int label_w = 230, row = 30, w = label_w + (int)HBAR_W + 70;
	const int h = n > 0 ? row * (int)n + 10 : 50;
	double max = bars_max(bars, n);

	svg_open(b, id, title, w, h, bars, n, unit);
	for (size_t i = 0; i < n; i++) {
		double bw = max > 0 ? bars[i].value * HBAR_W / max : 0;
		double y = 5 + row * (double)i;
		char *label = shorten(bars[i].label, 28);

		buf_addf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
		    "font-size=\"13\" fill=\"%s\">", label_w - 10, y + 19, INK);
		buf_add_html(b, label);
		free(label);
		buf_addf(b, "</text>\n<rect class=\"bar\" data-value=\"%g\" "
		    "x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
		    "fill=\"%s\"><title>", bars[i].value, label_w, y + 3, bw,
		    row - 8, BAR);
		buf_add_html(b, bars[i].long_label);
		buf_adds(b, " : ");
		buf_add_html(b, bars[i].shown);
		buf_addf(b, " %s</title></rect>\n", unit);
		buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" "
		    "fill=\"%s\">", label_w + bw + 6, y + 19, INK);
		buf_add_html(b, bars[i].shown);
		buf_adds(b, "</text>\n");
	}
	if (n == 0)
		buf_addf(b, "<text x=\"%d\" y=\"30\" text-anchor=\"middle\" "
		    "font-size=\"14\" fill=\"%s\">Aucune session tenue cette "
		    "année</text>\n", w / 2, MUTED);
	buf_adds(b, "</svg>\n");
}

#define H2_STYLE	"font-size:1.25em;margin:32px 0 12px;color:" INK
#define TABLE_STYLE	"border-collapse:collapse;margin:12px 0;font-size:0.95em"
#define TH_STYLE	"text-align:left;padding:4px 12px 4px 0;border-bottom:2px solid " RULE
#define THN_STYLE	"text-align:right;padding:4px 0 4px 12px;border-bottom:2px solid " RULE
#define TD_STYLE	"padding:4px 12px 4px 0;border-bottom:1px solid " RULE
#define TDN_STYLE	"text-align:right;padding:4px 0 4px 12px;border-bottom:1px solid " RULE

static void
th(struct buf *b, const char *text, int numeric)
{
	buf_addf(b, "<th scope=\"col\" style=\"%s\">", numeric ? THN_STYLE :
	    TH_STYLE);
	buf_add_html(b, text);
	buf_adds(b, "</th>");
}

static void
td(struct buf *b, const char *text, int numeric)
{
	buf_addf(b, "<td style=\"%s\">", numeric ? TDN_STYLE : TD_STYLE);
	buf_add_html(b, text);
	buf_adds(b, "</td>");
}

static void
tdi(struct buf *b, int v)
{
	char s[16];

	snprintf(s, sizeof s, "%d", v);
	td(b, s, 1);
}

/* One key figure: a big number and its label. */
static void
figure(struct buf *b, const char *value, const char *label)
{
	buf_adds(b, "<div style=\"display:inline-block;vertical-align:top;"
	    "width:180px;min-height:5.4em;margin:0 12px 12px 0;"
	    "padding:12px 14px;"
	    "border:1px solid " RULE ";border-radius:6px\">"
	    "<div style=\"font-size:1.8em;font-weight:bold;color:" BAR "\">");
	buf_add_html(b, value);
	buf_adds(b, "</div><div style=\"color:" MUTED "\">");
	buf_add_html(b, label);
	buf_adds(b, "</div></div>\n");
}

static void
figure_i(struct buf *b, int v, const char *label)
{
	char s[16];

	snprintf(s, sizeof s, "%d", v);
	figure(b, s, label);
}

static void
figure_pct(struct buf *b, int num, int den, const char *label)
{
	char r[32], s[40];

	fmt_ratio(r, sizeof r, num, den, 100);
	snprintf(s, sizeof s, "%s%s", r, strcmp(r, "—") != 0 ? " %" : "");
	figure(b, s, label);
}

/* The per-track figures as a table; shown[i] is track i's mean. */
static void
track_table(struct buf *b, const struct report_stats *rs,
    const char (*shown)[32])
{
	buf_adds(b, "<table style=\"" TABLE_STYLE "\">\n<caption "
	    "style=\"text-align:left;color:" MUTED "\">Par filière (tableau)"
	    "</caption>\n<thead><tr>");
	th(b, "Filière", 0);
	th(b, "Sessions tenues", 1);
	th(b, "Participations", 1);
	th(b, "Participants par session", 1);
	th(b, "Taux de remplissage", 1);
	buf_adds(b, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < rs->ntracks; i++) {
		const struct report_track *t = &rs->tracks[i];
		char fill[40];

		fmt_ratio(fill, sizeof fill, t->places_taken, t->places_offered,
		    100);
		if (strcmp(fill, "—") != 0)
			strcat(fill, " %");
		buf_adds(b, "<tr>");
		td(b, track_name(t), 0);
		tdi(b, t->sessions);
		tdi(b, t->participations);
		td(b, shown[i], 1);
		td(b, fill, 1);
		buf_adds(b, "</tr>\n");
	}
	buf_adds(b, "</tbody>\n</table>\n");
}

char *
report_html(const struct report_stats *rs, const char *school_name)
{
	struct buf b = BUF_INIT;
	struct bar mbars[12], *sbars, *abars;
	char mshown[12][16], (*sshown)[16], (*ashown)[32];
	char *title;
	size_t nt = rs->ntracks;

	if (school_name != NULL && *school_name != '\0')
		title = xasprintf("%s — bilan de l’année %d", school_name,
		    rs->year);
	else
		title = xasprintf("Bilan de l’année %d", rs->year);

	buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_add_html(&b, title);
	buf_adds(&b, "</title>\n</head>\n<body style=\"margin:0;padding:24px;"
	    "background:#ffffff;color:" INK ";font-family:" FONT_STACK ";"
	    "line-height:1.4\">\n<main style=\"max-width:820px;"
	    "margin:0 auto\">\n");
	if (school_name != NULL && *school_name != '\0') {
		buf_adds(&b, "<p style=\"margin:0;color:" MUTED ";"
		    "font-weight:bold\">");
		buf_add_html(&b, school_name);
		buf_adds(&b, "</p>\n");
	}
	buf_addf(&b, "<h1 style=\"margin:4px 0 20px;font-size:1.8em\">"
	    "Bilan de l’année %d</h1>\n", rs->year);

	/* Key figures. */
	buf_adds(&b, "<section aria-labelledby=\"key\">\n<h2 id=\"key\" "
	    "style=\"" H2_STYLE "\">Chiffres clés</h2>\n");
	figure_i(&b, rs->participations, "participations");
	figure_i(&b, rs->participants, "participants distincts");
	figure_i(&b, rs->sessions_held, "sessions tenues");
	figure_pct(&b, rs->places_taken, rs->places_offered,
	    "taux de remplissage");
	figure_pct(&b, rs->absent, rs->attended + rs->absent,
	    "taux d’absence");
	figure_i(&b, (int)rs->ntrainers,
	    "formateurs et formatrices réguliers");
	buf_addf(&b, "<p style=\"color:" MUTED "\">Sessions annulées : %d. "
	    "Sessions encore à venir cette année : %d.</p>\n</section>\n",
	    rs->sessions_cancelled, rs->sessions_upcoming);

	/* Month by month. */
	for (int m = 0; m < 12; m++) {
		snprintf(mshown[m], sizeof mshown[m], "%d", rs->monthly[m]);
		mbars[m].label = months_short[m];
		mbars[m].long_label = months[m];
		mbars[m].value = rs->monthly[m];
		mbars[m].shown = mshown[m];
	}
	buf_adds(&b, "<section aria-labelledby=\"months\">\n<h2 id=\"months\" "
	    "style=\"" H2_STYLE "\">Participations par mois</h2>\n");
	svg_vbars(&b, "chart-months", "Participations par mois", mbars, 12,
	    "participation(s)");
	/* The same figures as a table, across, to stay short. */
	buf_adds(&b, "<table style=\"" TABLE_STYLE ";font-size:0.85em\">\n"
	    "<caption style=\"text-align:left;color:" MUTED "\">"
	    "Participations par mois (tableau)</caption>\n<thead><tr>");
	th(&b, "Mois", 0);
	for (int m = 0; m < 12; m++) {
		buf_adds(&b, "<th scope=\"col\" style=\"" THN_STYLE "\">"
		    "<abbr title=\"");
		buf_add_html(&b, months[m]);
		buf_adds(&b, "\" style=\"text-decoration:none\">");
		buf_add_html(&b, months_short[m]);
		buf_adds(&b, "</abbr></th>");
	}
	buf_adds(&b, "</tr></thead>\n<tbody>\n<tr><th scope=\"row\" "
	    "style=\"" TD_STYLE ";text-align:left;font-weight:normal\">"
	    "Participations</th>");
	for (int m = 0; m < 12; m++)
		tdi(&b, rs->monthly[m]);
	buf_adds(&b, "</tr>\n</tbody>\n</table>\n</section>\n");

	/* Tracks. */
	sbars = xcalloc(nt > 0 ? nt : 1, sizeof *sbars);
	abars = xcalloc(nt > 0 ? nt : 1, sizeof *abars);
	sshown = xcalloc(nt > 0 ? nt : 1, sizeof *sshown);
	ashown = xcalloc(nt > 0 ? nt : 1, sizeof *ashown);
	for (size_t i = 0; i < nt; i++) {
		const struct report_track *t = &rs->tracks[i];
		double mean;

		snprintf(sshown[i], sizeof sshown[i], "%d", t->sessions);
		sbars[i].label = sbars[i].long_label = track_name(t);
		sbars[i].value = t->sessions;
		sbars[i].shown = sshown[i];
		fmt_ratio(ashown[i], sizeof ashown[i], t->participations,
		    t->sessions, 1);
		abars[i].label = abars[i].long_label = track_name(t);
		abars[i].value = report_rate(t->participations, t->sessions,
		    &mean) ? mean : 0;
		abars[i].shown = ashown[i];
	}
	buf_adds(&b, "<section aria-labelledby=\"tracks\">\n<h2 id=\"tracks\" "
	    "style=\"" H2_STYLE "\">Par filière</h2>\n<h3 style=\"font-size:"
	    "1.05em;margin:16px 0 8px\">Sessions tenues</h3>\n");
	svg_hbars(&b, "chart-sessions", "Sessions tenues par filière", sbars,
	    nt, "session(s)");
	buf_adds(&b, "<h3 style=\"font-size:1.05em;margin:20px 0 8px\">"
	    "Participants par session (moyenne)</h3>\n");
	svg_hbars(&b, "chart-attendance",
	    "Participants par session, en moyenne, par filière", abars, nt,
	    "participant(s) par session");
	if (nt > 0)
		track_table(&b, rs, (const char (*)[32])ashown);
	buf_adds(&b, "</section>\n");
	free(sbars);
	free(abars);
	free(sshown);
	free(ashown);

	/* Trainers. */
	buf_adds(&b, "<section aria-labelledby=\"trainers\">\n<h2 "
	    "id=\"trainers\" style=\"" H2_STYLE "\">Formateurs et formatrices "
	    "réguliers</h2>\n");
	if (rs->ntrainers == 0)
		buf_adds(&b, "<p>Aucun cette année (au moins deux sessions "
		    "animées).</p>\n");
	else {
		buf_adds(&b, "<table style=\"" TABLE_STYLE "\">\n<thead><tr>");
		th(&b, "Formateur ou formatrice", 0);
		th(&b, "Sessions animées", 1);
		buf_adds(&b, "</tr></thead>\n<tbody>\n");
		for (size_t i = 0; i < rs->ntrainers; i++) {
			const struct report_trainer *t = &rs->trainers[i];

			buf_adds(&b, "<tr>");
			td(&b, *t->name != '\0' ? t->name : t->trainer, 0);
			tdi(&b, t->sessions);
			buf_adds(&b, "</tr>\n");
		}
		buf_adds(&b, "</tbody>\n</table>\n");
	}
	buf_adds(&b, "</section>\n");

	/* How the figures are counted. */
	buf_adds(&b, "<section aria-labelledby=\"defs\">\n<h2 id=\"defs\" "
	    "style=\"" H2_STYLE "\">Comment ces chiffres sont comptés</h2>\n"
	    "<ul style=\"color:" MUTED ";padding-left:20px\">\n"
	    "<li>Une session tenue n’a pas été annulée et a commencé dans "
	    "l’année.</li>\n"
	    "<li>Une participation est un agent présent à une session tenue ; "
	    "quand la présence n’a pas été relevée, chaque inscrit compte.</li>\n"
	    "<li>Le taux de remplissage rapporte les places prises aux places "
	    "offertes ; le taux d’absence rapporte les absents aux présences "
	    "relevées.</li>\n"
	    "<li>Un formateur ou une formatrice régulier a animé au moins deux "
	    "sessions tenues.</li>\n</ul>\n</section>\n");
	buf_adds(&b, "</main>\n</body>\n</html>\n");
	free(title);
	return buf_detach(&b);
}
