/* csv.c - RFC 4180 reader and writer over memory. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

struct csv_reader {
	const char	*p;		/* next byte */
	const char	*end;
	int		 line;		/* line of *p, 1-based */
	char		 sep;
	struct buf	 text;		/* the record's fields, NUL after each */
	size_t		*offs;		/* start of each field in text */
	char		**fields;
	size_t		 nfields;
	size_t		 cap;		/* of offs and fields */
};

/*
 * The separator of the header line: count ',' and ';' outside quotes up to
 * the first line end outside quotes.  A header naming columns holds no
 * quotes in practice, but a quoted one must not fool the count.
 */
static char
detect_separator(const char *p, const char *end)
{
	size_t commas = 0, semis = 0;
	int inq = 0;

	for (; p < end; p++) {
		if (*p == '"')
			inq = !inq;
		else if (inq)
			continue;
		else if (*p == '\n' || *p == '\r')
			break;
		else if (*p == ',')
			commas++;
		else if (*p == ';')
			semis++;
	}
	return semis > commas ? ';' : ',';
}

struct csv_reader *
csv_reader_new(const char *data, size_t len)
{
	struct csv_reader *r = xcalloc(1, sizeof *r);

	if (data == NULL)
		len = 0;
	r->p = data;
	r->end = data + len;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
	r->line = 1;
	r->sep = detect_separator(r->p, r->end);
	return r;
}

char
csv_separator(const struct csv_reader *r)
{
	return r->sep;
}

void
csv_reader_free(struct csv_reader *r)
{
	if (r == NULL)
		return;
	buf_free(&r->text);
	free(r->offs);
	free(r->fields);
	free(r);
}

static void
start_field(struct csv_reader *r)
{
	if (r->nfields == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->offs = xreallocarray(r->offs, r->cap, sizeof *r->offs);
		r->fields = xreallocarray(r->fields, r->cap,
		    sizeof *r->fields);
	}
	r->offs[r->nfields++] = r->text.len;
}

/* Consumes one line end (CRLF, LF or CR) if *p is one; 1 if it was. */
static int
eat_eol(struct csv_reader *r)
{
	if (r->p < r->end && *r->p == '\r') {
		r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
	} else if (r->p < r->end && *r->p == '\n')
		r->p++;
	else
		return 0;
	r->line++;
	return 1;
}

/* After a syntax error: go on at the next physical line. */
static void
skip_line(struct csv_reader *r)
{
	while (r->p < r->end && *r->p != '\n' && *r->p != '\r')
		r->p++;
	eat_eol(r);
}

static int
fail(struct csv_reader *r, int at, const char *why, int *line,
    const char **err)
{
	if (line != NULL)
		*line = at;
	if (err != NULL)
		*err = why;
	skip_line(r);
	return -1;
}

int
csv_next(struct csv_reader *r, char ***fields, size_t *nfields, int *line,
    const char **err)
{
	int start;

	/* Empty lines are no records. */
	while (eat_eol(r))
		;
	if (r->p >= r->end)
		return 0;
	start = r->line;
	buf_reset(&r->text);
	r->nfields = 0;

	for (;;) {
		start_field(r);
		if (r->p < r->end && *r->p == '"') {
			int qline = r->line;

			r->p++;
			for (;;) {
				if (r->p >= r->end)
					return fail(r, qline, "unterminated "
					    "quoted field (a closing \" is "
					    "missing)", line, err);
				if (*r->p == '"') {
					if (r->p + 1 < r->end &&
					    r->p[1] == '"') {
						buf_addc(&r->text, '"');
						r->p += 2;
						continue;
					}
					r->p++;
					break;
				}
				if (*r->p == '\0')
					return fail(r, r->line, "NUL byte "
					    "(not a text file?)", line, err);
				if (*r->p == '\r' && r->p + 1 < r->end &&
				    r->p[1] == '\n') {
					buf_addc(&r->text, '\n');
					r->p += 2;
					r->line++;
					continue;
				}
				if (*r->p == '\n')
					r->line++;
				buf_addc(&r->text, *r->p++);
			}
			/* Blanks after the closing quote: spreadsheets and
			 * hand-written files both produce them. */
			while (r->p < r->end && (*r->p == ' ' || *r->p == '\t'))
				r->p++;
			if (r->p < r->end && *r->p != r->sep &&
			    *r->p != '\n' && *r->p != '\r')
				return fail(r, r->line, "text after a closing "
				    "quote (a \" inside a quoted field must "
				    "be doubled)", line, err);
		} else {
			/* A quote inside an unquoted field is kept as it
			 * is, as Excel and LibreOffice read it. */
			while (r->p < r->end && *r->p != r->sep &&
			    *r->p != '\n' && *r->p != '\r') {
				if (*r->p == '\0')
					return fail(r, r->line, "NUL byte "
					    "(not a text file?)", line, err);
				buf_addc(&r->text, *r->p++);
			}
		}
		buf_addc(&r->text, '\0');
		if (r->p < r->end && *r->p == r->sep) {
			r->p++;
			continue;
		}
		eat_eol(r);
		break;
	}

	for (size_t i = 0; i < r->nfields; i++)
		r->fields[i] = r->text.s + r->offs[i];
	if (fields != NULL)
		*fields = r->fields;
	if (nfields != NULL)
		*nfields = r->nfields;
	if (line != NULL)
		*line = start;
	return 1;
}

static int
needs_quotes(const char *f)
{
	size_t n = strlen(f);

	if (n > 0 && (f[0] == ' ' || f[0] == '\t' || f[n - 1] == ' ' ||
	    f[n - 1] == '\t'))
		return 1;
	/* A U+FEFF at the start of the file would read as a BOM. */
	if (strncmp(f, "\xef\xbb\xbf", 3) == 0)
		return 1;
	return strpbrk(f, ",;\"\r\n") != NULL;
}

void
csv_write_row(struct buf *b, const char *const *fields, size_t n, int excel)
{
	/* A lone empty field would make an empty line, which readers skip. */
	if (n == 1 && (fields[0] == NULL || fields[0][0] == '\0')) {
		buf_add(b, "\"\"\r\n", 4);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *f = fields[i] != NULL ? fields[i] : "";
		int guard = excel && f[0] != '\0' && strchr("=+-@\t\r", f[0]);

		if (i > 0)
			buf_addc(b, excel ? ';' : ',');
		if (!guard && !needs_quotes(f)) {
			buf_adds(b, f);
			continue;
		}
		if (!needs_quotes(f)) {
			buf_addc(b, '\'');
			buf_adds(b, f);
			continue;
		}
		buf_addc(b, '"');
		if (guard)
			buf_addc(b, '\'');
		for (const char *p = f; *p; p++) {
			if (*p == '"')
				buf_addc(b, '"');
			buf_addc(b, *p);
		}
		buf_addc(b, '"');
	}
	buf_add(b, "\r\n", 2);
}

void
csv_write_bom(struct buf *b)
{
	buf_add(b, "\xef\xbb\xbf", 3);
}
