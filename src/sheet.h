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

/* Pure rendering: the PDF bytes (caller frees), NULL + *cause on failure. */
char	*sheet_render(const struct sheet_info *, size_t *len, char **cause);
/* Reads the session's registrations and renders its sheet. */
char	*sheet_pdf(struct app *, const struct session *, size_t *len,
	    char **cause);

#endif
