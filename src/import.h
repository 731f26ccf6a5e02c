/*
 * import.h - reading and checking the session and agent CSV files that the
 * coordinator imports (trucctl ... import, and the IMPORT mail command).
 *
 * Pure: the caller reads the file and stores the rows.  Imports are all or
 * nothing, so a file is checked in full first and every problem reported.
 *
 * The file: RFC 4180 CSV as csv.h reads it (',' or ';', optional BOM, CRLF
 * or LF), UTF-8, a header row naming the columns in any order, without
 * regard to case or surrounding blanks.  Columns of a session file:
 *   code, title, start, end, capacity (required), track, place, trainer,
 *   description;
 * of an agent file:
 *   email, name (required), service, manager.
 * French names are accepted too (titre, intitulé, filière, parcours, début,
 * fin, lieu, places, capacité, formateur, formatrice, intervenant, courriel,
 * mail, e-mail, adresse, nom, direction, responsable).  A column with an
 * empty name (a spreadsheet's stray trailing column) is ignored as long as
 * it holds no value.  Rows whose fields are all blank are skipped.  Every
 * value is trimmed of surrounding blanks.
 *
 * Dates: "YYYY-MM-DD HH:MM" local time of the configured zone (tz.h); also
 * what a French spreadsheet writes back: "DD/MM/YYYY HH:MM", a 'T' between
 * date and time, a one-digit hour, ":00" seconds.
 */
#ifndef TRUCD_IMPORT_H
#define TRUCD_IMPORT_H

#include <stddef.h>
#include <time.h>

struct buf;

/*
 * One session.  code is lower-cased; trainer is a normalised address
 * (addr.h).  track, place, trainer and description are NULL when the column
 * is absent or the cell empty; the others are never NULL.  Only description
 * may hold line breaks (LF).  line: where the row starts in the file.
 */
struct session_row {
	char	*code, *title, *track, *place, *trainer, *description;
	time_t	 start, end;
	int	 capacity;
	int	 line;
};

/*
 * One agent.  email is normalised (addr.h); manager is NULL when empty, and
 * normalised when it is an address (it may also be a plain name); service is
 * NULL when empty.
 */
struct agent_row {
	char	*email, *name, *service, *manager;
	int	 line;
};

/* Limits, also checked: */
#define IMPORT_CODE_MAX		64	/* bytes */
#define IMPORT_TEXT_MAX		200	/* characters: title, name, place... */
#define IMPORT_DESC_MAX		10000	/* characters */
#define IMPORT_CAPACITY_MAX	100000
#define IMPORT_ERRORS_SHOWN	100

/*
 * Parse and check the whole of DATA (LEN bytes).  Returns the number of
 * problems found.  Each is appended to ERRORS as one English line
 *   "FILE:LINE: COLUMN: what is wrong\n"
 * e.g. "sessions.csv:7: start: no such day: 2026-02-30 10:00", where FILE
 * is FILENAME (NULL: "-"), LINE the line where the row starts and COLUMN
 * the column's name as the header spells it, or "header" for the header
 * row, or "csv" for the file's syntax and shape.  Only the first
 * IMPORT_ERRORS_SHOWN are written, then one line "... and N more".
 *
 * Checked: known, not repeated, required columns; as many fields in each
 * row as in the header; valid UTF-8 in every field; code non-empty and of
 * a-z, 0-9, '-' not first (after lower-casing); title non-empty and on one
 * line; start and end valid local times, end after start; capacity a whole
 * number from 1 to IMPORT_CAPACITY_MAX; trainer empty or an address; email
 * an address; name non-empty; lengths; a code or an email (without regard
 * to case) appearing twice.
 *
 * With 0 problems, *rows (the caller frees it with session_rows_free or
 * agent_rows_free) and *n hold the rows in file order; *n may be 0.  With
 * problems, *rows is NULL and *n 0.
 */
int	 import_sessions(const char *data, size_t len, const char *filename,
	    struct session_row **rows, size_t *n, struct buf *errors);
void	 session_rows_free(struct session_row *, size_t);
int	 import_agents(const char *data, size_t len, const char *filename,
	    struct agent_row **rows, size_t *n, struct buf *errors);
void	 agent_rows_free(struct agent_row *, size_t);

#endif
