/*
 * sheet.h - the sign-in sheet (feuille d'émargement) of a session as an A4
 * PDF: the school, the session, one row per registered agent sorted by
 * name with an empty signature box, blank rows for walk-ins, the trainer's
 * box; the header repeated on every page.
 */
#ifndef TRUCD_SHEET_H
#define TRUCD_SHEET_H

#include <stddef.h>

struct app;
struct session;

struct sheet_row {
	const char	*name;
	const char	*service;
};

struct sheet_info {
	const char	*school;
	const char	*title;
	const char	*day;		/* "lundi 7 décembre 2026" */
	const char	*times;		/* "14:00 – 16:00" */
	const char	*place;
	const char	*trainer;
	const char	*code;
	const struct sheet_row *rows;	/* sorted by the caller */
	size_t		 nrows;
	int		 blank_rows;	/* for walk-ins */
};

/*
 * Pure rendering: the PDF bytes (caller frees), NULL + *cause (caller
 * frees) on failure.  NULL strings print as empty; text that is not UTF-8
 * is repaired, control characters become spaces.  The layout (A4 portrait,
 * about 10 mm rows, the trainer's box on the last page) is described in
 * sheet.c.
 */
char	*sheet_render(const struct sheet_info *, size_t *len, char **cause);
/*
 * The number of blank rows, at least min_blank, that fills the last page
 * of info's sheet (info->blank_rows is ignored).
 */
int	 sheet_fill_rows(const struct sheet_info *, int min_blank);
#define SHEET_MIN_BLANK	5
/*
 * Reads the session's agents (status registered, attended or absent),
 * sorts them by name ignoring case and accents (an agent without a name
 * is listed by address), shows the trainer by name when the directory
 * knows the address, adds SHEET_MIN_BLANK blank rows or enough to fill
 * the last page, and renders the sheet in French.  Same return as
 * sheet_render().
 */
char	*sheet_pdf(struct app *, const struct session *, size_t *len,
	    char **cause);
/*
 * Releases the font caches that pango, cairo and fontconfig keep for the
 * life of the process, so that LeakSanitizer sees none: call it once at
 * exit in a program that rendered a sheet (harmless if none was).
 */
void	 sheet_cleanup(void);

#endif
