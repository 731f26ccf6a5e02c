/*
 * csv.h - RFC 4180 CSV, read from memory and written into a buf.
 *
 * Pure: no I/O, no global state.  The reader is forgiving about what
 * spreadsheets really write (a UTF-8 BOM, ';' from French LibreOffice and
 * Excel, CRLF, LF or old-Mac CR line ends, blanks around a quoted field) and
 * strict about what would silently corrupt data (an unterminated quote, text
 * after a closing quote, a NUL byte).
 */
#ifndef TRUCD_CSV_H
#define TRUCD_CSV_H

#include <stddef.h>

struct buf;
struct csv_reader;

/*
 * A reader over DATA (LEN bytes; not copied, so it must outlive the reader).
 * Skips a UTF-8 BOM.  The separator is taken from the first line: ',' or
 * ';', whichever appears more often outside quotes (',' when neither does).
 * Never returns NULL; free with csv_reader_free().
 */
struct csv_reader *csv_reader_new(const char *data, size_t len);

/*
 * The next record.  Returns:
 *   1  a record: *fields holds *nfields NUL-terminated strings (at least
 *      one), owned by the reader and valid until the next call or the free;
 *      the caller may modify them in place.  *line is the 1-based line where
 *      the record starts (a quoted field with line breaks spans lines).
 *   0  no more records.
 *  -1  a syntax error: *err is a static English message, *line the line
 *      where it is (for an unterminated quote, the line where it opened).
 *      The reader resumes after that physical line, so a caller may go on
 *      reading to report further problems.
 * Empty lines are skipped.  Inside quotes, "" is one quote and CRLF becomes
 * LF; a lone CR is kept as it is.  Outside quotes a lone CR ends a line.
 * Any of fields, nfields, line, err may be NULL when not wanted.
 */
int	 csv_next(struct csv_reader *, char ***fields, size_t *nfields,
	    int *line, const char **err);
char	 csv_separator(const struct csv_reader *);
void	 csv_reader_free(struct csv_reader *);

/*
 * Appends one record to B, CRLF terminated.  A field is quoted when it holds
 * ',', ';', '"', CR or LF, or begins or ends with a space or tab (quotes are
 * doubled inside) or begins with U+FEFF (it would read as a BOM), and when
 * it is the record's only field and empty (an empty line would be skipped
 * by readers).  A NULL field is written empty.
 * What is written reads back through csv_next() the same, except that a
 * CRLF inside a field comes back as LF.
 *
 * excel = 0: ',' separator, every byte written as given, so that what is
 *            written reads back identically (scripts, round trips).
 * excel = 1: ';' separator (what French Excel and LibreOffice expect; the
 *            caller writes the BOM once first with csv_write_bom), and a
 *            field starting with = + - @ TAB or CR gets a leading ' so that
 *            a spreadsheet shows it as text instead of running it as a
 *            formula (CSV injection: names and subjects come from mail).
 */
void	 csv_write_row(struct buf *b, const char *const *fields, size_t n,
	    int excel);
/* The UTF-8 byte order mark that makes Excel read the file as UTF-8. */
void	 csv_write_bom(struct buf *b);

#endif
