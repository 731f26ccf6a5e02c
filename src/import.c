/*
 * import.c - checking session and agent CSV files, all problems at once.
 *
 * The file is read row by row through csv.c; each row's fields are put in
 * the schema's column order (the header may list them in any order), then
 * checked one column at a time, so that a row with three mistakes gives
 * three lines.  Rows are kept only while the file is free of problems.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "csv.h"
#include "import.h"
#include "tz.h"
#include "util.h"

#define MAXCOLS		16
#define SHOW_MAX	60	/* bytes of a value quoted in a message */

struct column {
	const char	*name;
	int		 col;
};

struct schema {
	const char *const	*canon;		/* English name of each column */
	int			 ncols;
	const struct column	*names;		/* every accepted spelling */
	size_t			 nnames;
	const int		*required;
	size_t			 nrequired;
};

enum { SC_CODE, SC_TITLE, SC_TRACK, SC_START, SC_END, SC_PLACE, SC_CAPACITY,
    SC_TRAINER, SC_DESCRIPTION, SC_N };

static const char *const session_canon[SC_N] = { "code", "title", "track",
    "start", "end", "place", "capacity", "trainer", "description" };

static const struct column session_names[] = {
	{ "code", SC_CODE },
	{ "title", SC_TITLE }, { "titre", SC_TITLE },
	{ "intitulé", SC_TITLE }, { "intitule", SC_TITLE },
	{ "track", SC_TRACK }, { "filière", SC_TRACK },
	{ "filiere", SC_TRACK }, { "parcours", SC_TRACK },
	{ "start", SC_START }, { "début", SC_START }, { "debut", SC_START },
	{ "end", SC_END }, { "fin", SC_END },
	{ "place", SC_PLACE }, { "lieu", SC_PLACE },
	{ "capacity", SC_CAPACITY }, { "capacité", SC_CAPACITY },
	{ "capacite", SC_CAPACITY }, { "places", SC_CAPACITY },
	{ "trainer", SC_TRAINER }, { "formateur", SC_TRAINER },
	{ "formatrice", SC_TRAINER }, { "intervenant", SC_TRAINER },
	{ "description", SC_DESCRIPTION },
};

static const int session_required[] = { SC_CODE, SC_TITLE, SC_START, SC_END,
    SC_CAPACITY };

static const struct schema session_schema = {
	session_canon, SC_N, session_names, nitems(session_names),
	session_required, nitems(session_required)
};

enum { AC_EMAIL, AC_NAME, AC_SERVICE, AC_MANAGER, AC_N };

static const char *const agent_canon[AC_N] = { "email", "name", "service",
    "manager" };

static const struct column agent_names[] = {
	{ "email", AC_EMAIL }, { "e-mail", AC_EMAIL }, { "mail", AC_EMAIL },
	{ "courriel", AC_EMAIL }, { "adresse", AC_EMAIL },
	{ "name", AC_NAME }, { "nom", AC_NAME },
	{ "service", AC_SERVICE }, { "direction", AC_SERVICE },
	{ "manager", AC_MANAGER }, { "responsable", AC_MANAGER },
};

static const int agent_required[] = { AC_EMAIL, AC_NAME };

static const struct schema agent_schema = {
	agent_canon, AC_N, agent_names, nitems(agent_names),
	agent_required, nitems(agent_required)
};

struct ctx {
	const char	*file;
	struct buf	*errors;
	int		 nerr;
};

/* The header, mapped: which column each field is, which field each column. */
struct header {
	size_t		 nfields;
	int		*map;		/* per field: column, or -1 (unnamed) */
	char		**label;	/* per field: its name as written */
	int		 at[MAXCOLS];	/* per column: field, or -1 (absent) */
};

/* A row's values in column order: NULL when absent or not UTF-8. */
struct row {
	int		 line;
	char		*val[MAXCOLS];
	const char	*label[MAXCOLS];
	int		 bad[MAXCOLS];	/* not UTF-8: reported already */
	int		 broken;	/* a problem reported by next_row() */
};

/* Keys seen so far (codes, addresses), with the line of their first row. */
struct seen {
	char		**key;
	int		*line;
	size_t		 cap;
	size_t		 n;
};

static void problem(struct ctx *, int, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static void
problem(struct ctx *c, int line, const char *column, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (c->nerr++ >= IMPORT_ERRORS_SHOWN)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	buf_addf(c->errors, "%s:%d: %s: %s\n", c->file, line, column, msg);
	free(msg);
}

/*
 * V made safe to quote in a one-line message: control characters become
 * '?', and a long value is cut (on a UTF-8 boundary) with "...".
 */
static const char *
show(const char *v, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; v[i] != '\0' && i < SHOW_MAX && i + 4 < outlen; i++)
		out[i] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ?
		    '?' : v[i];
	if (v[i] != '\0') {
		while (i > 0 && ((unsigned char)v[i] & 0xc0) == 0x80)
			i--;
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* Characters (not bytes) of valid UTF-8. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* 1 when S holds no control character other than those in ALLOWED. */
static int
no_controls(const char *s, const char *allowed)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 || *s == 0x7f) &&
		    strchr(allowed, *s) == NULL)
			return 0;
	return 1;
}

/*
 * Header names compare without case, ASCII and the accented Latin-1
 * capitals (É is C3 89, é is C3 A9) alike, so "DÉBUT" is "début".
 */
static void
fold_header(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p += 32;
		else if (*p == 0xc3 && p[1] >= 0x80 && p[1] <= 0x9e &&
		    p[1] != 0x97)
			*++p += 32;
	}
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Adds KEY (compared as given); 0 if new, else the line it was first on. */
static int
seen_add(struct seen *s, const char *key, int line)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct seen big = { NULL, NULL, s->cap ? 2 * s->cap : 64, 0 };

		big.key = xcalloc(big.cap, sizeof *big.key);
		big.line = xcalloc(big.cap, sizeof *big.line);
		for (i = 0; i < s->cap; i++) {
			size_t j;

			if (s->key[i] == NULL)
				continue;
			j = fnv1a(s->key[i]) & (big.cap - 1);
			while (big.key[j] != NULL)
				j = (j + 1) & (big.cap - 1);
			big.key[j] = s->key[i];
			big.line[j] = s->line[i];
		}
		big.n = s->n;
		free(s->key);
		free(s->line);
		*s = big;
	}
	for (i = fnv1a(key) & (s->cap - 1); s->key[i] != NULL;
	    i = (i + 1) & (s->cap - 1))
		if (strcmp(s->key[i], key) == 0)
			return s->line[i];
	s->key[i] = xstrdup(key);
	s->line[i] = line;
	s->n++;
	return 0;
}

static void
seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->key[i]);
	free(s->key);
	free(s->line);
}

static void
header_free(struct header *h)
{
	for (size_t i = 0; i < h->nfields; i++)
		free(h->label[i]);
	free(h->label);
	free(h->map);
}

static void
list_known(struct buf *b, const struct schema *sc)
{
	for (int i = 0; i < sc->ncols; i++)
		buf_addf(b, "%s%s", i ? ", " : "", sc->canon[i]);
}

/*
 * Reads the header row into H.  0 when it is good; -1 after reporting
 * what is wrong (the rows are not checked then: against a wrong header
 * they would only give noise).
 */
static int
read_header(struct ctx *c, struct csv_reader *r, const struct schema *sc,
    struct header *h)
{
	char **f, name[SHOW_MAX + 4];
	size_t nf;
	int line = 1, rc, before = c->nerr;
	const char *err;
	struct buf known = BUF_INIT;

	memset(h, 0, sizeof *h);
	for (int i = 0; i < MAXCOLS; i++)
		h->at[i] = -1;
	list_known(&known, sc);
	rc = csv_next(r, &f, &nf, &line, &err);
	if (rc == 0) {
		problem(c, line, "header", "empty file (the first line must "
		    "name the columns: %s)", known.s);
		buf_free(&known);
		return -1;
	}
	if (rc == -1) {
		problem(c, line, "csv", "%s", err);
		buf_free(&known);
		return -1;
	}
	h->nfields = nf;
	h->map = xcalloc(nf, sizeof *h->map);
	h->label = xcalloc(nf, sizeof *h->label);
	for (size_t i = 0; i < nf; i++) {
		char *v = str_trim(f[i]);
		int col = -1;

		h->map[i] = -1;
		if (!utf8_valid(v, strlen(v))) {
			h->label[i] = xasprintf("column %zu", i + 1);
			problem(c, line, "header", "column %zu is not valid "
			    "UTF-8 (save the file as \"CSV UTF-8\")", i + 1);
			continue;
		}
		if (*v == '\0') {
			h->label[i] = xasprintf("column %zu", i + 1);
			continue;
		}
		h->label[i] = xstrdup(v);
		fold_header(v);
		for (size_t k = 0; k < sc->nnames; k++)
			if (strcmp(v, sc->names[k].name) == 0)
				col = sc->names[k].col;
		if (col == -1) {
			problem(c, line, "header", "unknown column \"%s\" "
			    "(known: %s)", show(h->label[i], name, sizeof name),
			    known.s);
			continue;
		}
		if (h->at[col] != -1) {
			problem(c, line, "header", "column \"%s\" appears "
			    "twice", sc->canon[col]);
			continue;
		}
		h->at[col] = (int)i;
		h->map[i] = col;
	}
	for (size_t k = 0; k < sc->nrequired; k++)
		if (h->at[sc->required[k]] == -1)
			problem(c, line, "header", "missing column \"%s\"",
			    sc->canon[sc->required[k]]);
	buf_free(&known);
	return c->nerr == before ? 0 : -1;
}

/*
 * The next data row into ROW.  Returns 1 for a row to check, 0 at the end,
 * -1 for a row already reported (syntax, field count) or blank.
 */
static int
next_row(struct ctx *c, struct csv_reader *r, const struct schema *sc,
    const struct header *h, struct row *row)
{
	char **f;
	size_t nf, i;
	int rc, blank = 1;
	const char *err;

	rc = csv_next(r, &f, &nf, &row->line, &err);
	if (rc == 0)
		return 0;
	if (rc == -1) {
		problem(c, row->line, "csv", "%s", err);
		return -1;
	}
	for (i = 0; i < nf; i++) {
		f[i] = str_trim(f[i]);
		if (*f[i] != '\0')
			blank = 0;
	}
	if (blank)
		return -1;	/* the empty rows spreadsheets leave */
	if (nf != h->nfields) {
		problem(c, row->line, "csv", "%zu field%s where the header "
		    "has %zu%s", nf, nf == 1 ? "" : "s", h->nfields,
		    nf > h->nfields ? " (a value holding the separator must "
		    "be in double quotes)" : "");
		return -1;
	}
	row->broken = 0;
	for (int k = 0; k < sc->ncols; k++) {
		row->val[k] = NULL;
		row->bad[k] = 0;
		row->label[k] = h->at[k] >= 0 ? h->label[h->at[k]] :
		    sc->canon[k];
	}
	for (i = 0; i < nf; i++) {
		int col = h->map[i];

		if (!utf8_valid(f[i], strlen(f[i]))) {
			problem(c, row->line, h->label[i], "not valid UTF-8 "
			    "(save the file as \"CSV UTF-8\")");
			if (col >= 0)
				row->bad[col] = 1;
			row->broken = 1;
			continue;
		}
		if (col >= 0)
			row->val[col] = f[i];
		else if (*f[i] != '\0') {
			problem(c, row->line, h->label[i], "a value in a "
			    "column without a name in the header");
			row->broken = 1;
		}
	}
	return 1;
}

/* Checks a required, one-line text; 0 when it is fine. */
static int
check_text(struct ctx *c, const struct row *row, int col, int required)
{
	const char *v = row->val[col], *label = row->label[col];

	if (row->bad[col] || v == NULL)
		return row->bad[col] ? -1 : 0;
	if (*v == '\0') {
		if (!required)
			return 0;
		problem(c, row->line, label, "empty");
		return -1;
	}
	if (!no_controls(v, "")) {
		problem(c, row->line, label, "holds a line break or a control "
		    "character (it must be on one line)");
		return -1;
	}
	if (utf8_chars(v) > IMPORT_TEXT_MAX) {
		problem(c, row->line, label, "longer than %d characters",
		    IMPORT_TEXT_MAX);
		return -1;
	}
	return 0;
}

/* NULL for an absent column or an empty value, else a copy. */
static char *
opt_dup(const char *v)
{
	return v == NULL || *v == '\0' ? NULL : xstrdup(v);
}

/* Reads N digits (MIN to MAX of them) at *P. */
static int
digits(const char **p, int min, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= min ? 0 : -1;
}

/*
 * What spreadsheets write for a date and time, in the one form tz.c reads:
 * "YYYY-MM-DD HH:MM" into OUT (at least 17 bytes).  -1 when S has none of
 * the accepted shapes.
 */
static int
canonical_when(const char *s, char *out, size_t outlen)
{
	int y, mon, d, h, mi, sec;
	const char *p = s;

	if (digits(&p, 4, 4, &y) == 0 && *p == '-') {
		p++;
		if (digits(&p, 1, 2, &mon) || *p++ != '-' ||
		    digits(&p, 1, 2, &d))
			return -1;
	} else {
		p = s;
		if (digits(&p, 1, 2, &d) || *p++ != '/' ||
		    digits(&p, 1, 2, &mon) || *p++ != '/' ||
		    digits(&p, 4, 4, &y))
			return -1;
	}
	if (*p == 'T')
		p++;
	else if (*p == ' ')
		while (*p == ' ')
			p++;
	else
		return -1;
	if (digits(&p, 1, 2, &h) || *p++ != ':' || digits(&p, 2, 2, &mi))
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, 2, &sec) || sec != 0)
			return -1;
	}
	if (*p != '\0')
		return -1;
	snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d", y, mon, d, h, mi);
	return 0;
}

static int
check_when(struct ctx *c, const struct row *row, int col, time_t *t)
{
	const char *v = row->val[col], *why;
	char when[32], shown[SHOW_MAX + 4];

	if (row->bad[col])
		return -1;
	if (*v == '\0') {
		problem(c, row->line, row->label[col], "empty (a date and "
		    "time such as 2026-12-07 14:00)");
		return -1;
	}
	if (canonical_when(v, when, sizeof when) == -1) {
		problem(c, row->line, row->label[col], "\"%s\" is not a date "
		    "and time such as 2026-12-07 14:00",
		    show(v, shown, sizeof shown));
		return -1;
	}
	if (tz_parse_local(when, t, &why) == -1) {
		problem(c, row->line, row->label[col], "%s: %s", why,
		    show(v, shown, sizeof shown));
		return -1;
	}
	return 0;
}

static int
check_code(struct ctx *c, const struct row *row, struct seen *codes)
{
	char *v = row->val[SC_CODE], shown[SHOW_MAX + 4], lower[SHOW_MAX + 4];
	const char *label = row->label[SC_CODE];
	int first;

	if (row->bad[SC_CODE])
		return -1;
	if (*v == '\0') {
		problem(c, row->line, label, "empty");
		return -1;
	}
	show(v, shown, sizeof shown);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		char what[24];

		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-')
			continue;
		if (*p == ' ')
			snprintf(what, sizeof what, "a space");
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(what, sizeof what, "a control character");
		else if (*p < 0x80)
			snprintf(what, sizeof what, "'%c'", *p);
		else {
			size_t n = 1;

			while (n < 4 && (p[n] & 0xc0) == 0x80)
				n++;
			snprintf(what, sizeof what, "'%.*s'", (int)n, p);
		}
		problem(c, row->line, label, "\"%s\" may hold only letters "
		    "a-z, digits and '-' (found %s)", shown, what);
		return -1;
	}
	if (v[0] == '-') {
		problem(c, row->line, label, "\"%s\" must start with a letter "
		    "or a digit", shown);
		return -1;
	}
	if (strlen(v) > IMPORT_CODE_MAX) {
		problem(c, row->line, label, "longer than %d characters",
		    IMPORT_CODE_MAX);
		return -1;
	}
	ascii_lower(v);
	if ((first = seen_add(codes, v, row->line)) != 0) {
		problem(c, row->line, label, "%s is already on line %d",
		    show(v, lower, sizeof lower), first);
		return -1;
	}
	return 0;
}

static int
check_capacity(struct ctx *c, const struct row *row, int *capacity)
{
	const char *v = row->val[SC_CAPACITY], *label = row->label[SC_CAPACITY];
	char shown[SHOW_MAX + 4];
	long n = 0;

	if (row->bad[SC_CAPACITY])
		return -1;
	if (*v == '\0') {
		problem(c, row->line, label, "empty (a number of places such "
		    "as 20)");
		return -1;
	}
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9') {
			problem(c, row->line, label, "\"%s\" is not a whole "
			    "number of places such as 20",
			    show(v, shown, sizeof shown));
			return -1;
		}
		if (n <= IMPORT_CAPACITY_MAX)
			n = n * 10 + (*p - '0');
	}
	if (n == 0) {
		problem(c, row->line, label, "must be at least 1");
		return -1;
	}
	if (n > IMPORT_CAPACITY_MAX) {
		problem(c, row->line, label, "more than %d places",
		    IMPORT_CAPACITY_MAX);
		return -1;
	}
	*capacity = (int)n;
	return 0;
}

/* An optional address column; *out the normalised address or NULL. */
static int
check_addr(struct ctx *c, const struct row *row, int col, int required,
    char **out)
{
	const char *v = row->val[col];
	char shown[SHOW_MAX + 4];

	*out = NULL;
	if (row->bad[col] || v == NULL)
		return row->bad[col] ? -1 : 0;
	if (*v == '\0') {
		if (!required)
			return 0;
		problem(c, row->line, row->label[col], "empty");
		return -1;
	}
	if ((*out = addr_normalise(v)) == NULL) {
		problem(c, row->line, row->label[col], "\"%s\" is not an "
		    "e-mail address", show(v, shown, sizeof shown));
		return -1;
	}
	return 0;
}

static void
session_row_clear(struct session_row *s)
{
	free(s->code);
	free(s->title);
	free(s->track);
	free(s->place);
	free(s->trainer);
	free(s->description);
}

void
session_rows_free(struct session_row *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		session_row_clear(&rows[i]);
	free(rows);
}

void
agent_rows_free(struct agent_row *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].email);
		free(rows[i].name);
		free(rows[i].service);
		free(rows[i].manager);
	}
	free(rows);
}

/* Set-up shared by both imports; -1 when the rows cannot be read at all. */
static int
begin(struct ctx *c, const char *data, size_t len, const char *filename,
    struct buf *errors)
{
	c->file = filename != NULL ? filename : "-";
	c->errors = errors;
	c->nerr = 0;
	if (len >= 2 && (memcmp(data, "\xff\xfe", 2) == 0 ||
	    memcmp(data, "\xfe\xff", 2) == 0)) {
		problem(c, 1, "csv", "the file is UTF-16 text (save it as "
		    "\"CSV UTF-8\")");
		return -1;
	}
	return 0;
}

static int
finish(struct ctx *c)
{
	if (c->nerr > IMPORT_ERRORS_SHOWN)
		buf_addf(c->errors, "... and %d more\n",
		    c->nerr - IMPORT_ERRORS_SHOWN);
	return c->nerr;
}

static int
check_session(struct ctx *c, struct row *row, struct seen *codes,
    struct session_row *s)
{
	const char *desc = row->val[SC_DESCRIPTION];
	int before = c->nerr, have_start, have_end;
	char a[SHOW_MAX + 4], b[SHOW_MAX + 4];

	memset(s, 0, sizeof *s);
	s->line = row->line;
	check_code(c, row, codes);
	check_text(c, row, SC_TITLE, 1);
	check_text(c, row, SC_TRACK, 0);
	check_text(c, row, SC_PLACE, 0);
	have_start = check_when(c, row, SC_START, &s->start) == 0;
	have_end = check_when(c, row, SC_END, &s->end) == 0;
	if (have_start && have_end && s->end <= s->start)
		problem(c, row->line, row->label[SC_END], "%s is not after "
		    "%s %s", show(row->val[SC_END], a, sizeof a),
		    row->label[SC_START], show(row->val[SC_START], b, sizeof b));
	check_capacity(c, row, &s->capacity);
	check_addr(c, row, SC_TRAINER, 0, &s->trainer);
	if (desc != NULL && !no_controls(desc, "\t\n\r"))
		problem(c, row->line, row->label[SC_DESCRIPTION], "holds a "
		    "control character");
	else if (desc != NULL && utf8_chars(desc) > IMPORT_DESC_MAX)
		problem(c, row->line, row->label[SC_DESCRIPTION], "longer "
		    "than %d characters", IMPORT_DESC_MAX);
	if (c->nerr != before || row->broken) {
		free(s->trainer);
		s->trainer = NULL;
		return -1;
	}
	s->code = xstrdup(row->val[SC_CODE]);
	s->title = xstrdup(row->val[SC_TITLE]);
	s->track = opt_dup(row->val[SC_TRACK]);
	s->place = opt_dup(row->val[SC_PLACE]);
	s->description = opt_dup(desc);
	return 0;
}

int
import_sessions(const char *data, size_t len, const char *filename,
    struct session_row **rowsp, size_t *np, struct buf *errors)
{
	struct ctx c;
	struct csv_reader *r;
	struct header h;
	struct row row;
	struct seen codes = { NULL, NULL, 0, 0 };
	struct session_row *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*rowsp = NULL;
	*np = 0;
	if (begin(&c, data, len, filename, errors) == -1)
		return finish(&c);
	r = csv_reader_new(data, len);
	if (read_header(&c, r, &session_schema, &h) == 0) {
		while ((rc = next_row(&c, r, &session_schema, &h, &row)) != 0) {
			struct session_row s;

			if (rc == -1 || check_session(&c, &row, &codes, &s))
				continue;
			if (c.nerr > 0) {
				session_row_clear(&s);
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				rows = xreallocarray(rows, cap, sizeof *rows);
			}
			rows[n++] = s;
		}
	}
	header_free(&h);
	csv_reader_free(r);
	seen_free(&codes);
	if (c.nerr > 0)
		session_rows_free(rows, n);
	else {
		*rowsp = rows;
		*np = n;
	}
	return finish(&c);
}

static int
check_agent(struct ctx *c, struct row *row, struct seen *emails,
    struct agent_row *a)
{
	const char *manager = row->val[AC_MANAGER];
	char shown[SHOW_MAX + 4];
	int before = c->nerr, first;

	memset(a, 0, sizeof *a);
	a->line = row->line;
	if (check_addr(c, row, AC_EMAIL, 1, &a->email) == 0) {
		char *key = xstrdup(a->email);

		ascii_lower(key);	/* as addr_equal() compares */
		if ((first = seen_add(emails, key, row->line)) != 0)
			problem(c, row->line, row->label[AC_EMAIL], "%s is "
			    "already on line %d",
			    show(a->email, shown, sizeof shown), first);
		free(key);
	}
	check_text(c, row, AC_NAME, 1);
	check_text(c, row, AC_SERVICE, 0);
	/* A manager may be named by address or by name. */
	if (manager != NULL && strchr(manager, '@') != NULL)
		check_addr(c, row, AC_MANAGER, 0, &a->manager);
	else
		check_text(c, row, AC_MANAGER, 0);
	if (c->nerr != before || row->broken) {
		free(a->email);
		free(a->manager);
		a->email = a->manager = NULL;
		return -1;
	}
	a->name = xstrdup(row->val[AC_NAME]);
	a->service = opt_dup(row->val[AC_SERVICE]);
	if (a->manager == NULL)
		a->manager = opt_dup(manager);
	return 0;
}

int
import_agents(const char *data, size_t len, const char *filename,
    struct agent_row **rowsp, size_t *np, struct buf *errors)
{
	struct ctx c;
	struct csv_reader *r;
	struct header h;
	struct row row;
	struct seen emails = { NULL, NULL, 0, 0 };
	struct agent_row *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*rowsp = NULL;
	*np = 0;
	if (begin(&c, data, len, filename, errors) == -1)
		return finish(&c);
	r = csv_reader_new(data, len);
	if (read_header(&c, r, &agent_schema, &h) == 0) {
		while ((rc = next_row(&c, r, &agent_schema, &h, &row)) != 0) {
			struct agent_row a;

			if (rc == -1 || check_agent(&c, &row, &emails, &a))
				continue;
			if (c.nerr > 0) {
				free(a.email);
				free(a.name);
				free(a.service);
				free(a.manager);
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				rows = xreallocarray(rows, cap, sizeof *rows);
			}
			rows[n++] = a;
		}
	}
	header_free(&h);
	csv_reader_free(r);
	seen_free(&emails);
	if (c.nerr > 0)
		agent_rows_free(rows, n);
	else {
		*rowsp = rows;
		*np = n;
	}
	return finish(&c);
}
