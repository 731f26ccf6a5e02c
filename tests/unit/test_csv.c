/* test_csv.c - the CSV reader and writer, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csv.h"
#include "util.h"

/*
 * Every record read from DATA as "LINE:[f1][f2]" separated by spaces, and
 * a syntax error as "!LINE".  Fields are shown raw (newlines included).
 */
static char *
dump(const char *data, size_t len, char *sep)
{
	struct csv_reader *r = csv_reader_new(data, len);
	struct buf b = BUF_INIT;
	char **f;
	size_t nf;
	int line, rc, guard = 0;
	const char *err;

	while ((rc = csv_next(r, &f, &nf, &line, &err)) != 0 && guard++ < 100) {
		if (b.len)
			buf_addc(&b, ' ');
		if (rc == -1) {
			assert_non_null(err);
			buf_addf(&b, "!%d", line);
			continue;
		}
		buf_addf(&b, "%d:", line);
		for (size_t i = 0; i < nf; i++)
			buf_addf(&b, "[%s]", f[i]);
	}
	*sep = csv_separator(r);
	csv_reader_free(r);
	return buf_detach(&b);
}

struct read_case {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	char		 sep;
	const char	*want;
};

static const struct read_case read_cases[] = {
	{ "simple LF", "a,b,c\n1,2,3\n", 0, ',', "1:[a][b][c] 2:[1][2][3]" },
	{ "CRLF", "a,b,c\r\n1,2,3\r\n", 0, ',', "1:[a][b][c] 2:[1][2][3]" },
	{ "no final line end", "a,b\n1,2", 0, ',', "1:[a][b] 2:[1][2]" },
	{ "old Mac CR", "a,b\rc,d\r", 0, ',', "1:[a][b] 2:[c][d]" },
	{ "BOM and ;", "\xef\xbb\xbf" "code;title\r\nx;\"a;b\"\r\n", 0, ';',
	  "1:[code][title] 2:[x][a;b]" },
	{ "; wins over a quoted ,", "\"a,b\";c;d\n1;2;3\n", 0, ';',
	  "1:[a,b][c][d] 2:[1][2][3]" },
	{ "more , than ;", "a,b;c,d\n", 0, ',', "1:[a][b;c][d]" },
	{ "one column", "email\nx@y.z\n", 0, ',', "1:[email] 2:[x@y.z]" },
	{ "embedded comma", "a,b\n\"1,5\",x\n", 0, ',', "1:[a][b] 2:[1,5][x]" },
	{ "embedded semicolon", "a;b\n\"1;5\";x\n", 0, ';',
	  "1:[a][b] 2:[1;5][x]" },
	{ "doubled quotes", "a,b\n\"he said \"\"hi\"\"\",x\n", 0, ',',
	  "1:[a][b] 2:[he said \"hi\"][x]" },
	{ "newline in quotes", "a,b\n\"l1\nl2\",x\ny,z\n", 0, ',',
	  "1:[a][b] 2:[l1\nl2][x] 4:[y][z]" },
	{ "CRLF in quotes becomes LF", "a\r\n\"x\r\ny\r\n\"\r\nz\r\n", 0, ',',
	  "1:[a] 2:[x\ny\n] 5:[z]" },
	{ "lone CR in quotes kept", "a\n\"x\ry\"\nb\n", 0, ',',
	  "1:[a] 2:[x\ry] 3:[b]" },
	{ "empty trailing field", "a,b,\n1,2,\n", 0, ',',
	  "1:[a][b][] 2:[1][2][]" },
	{ "empty fields", ",,\n", 0, ',', "1:[][][]" },
	{ "empty quoted field", "\"\",x\n", 0, ',', "1:[][x]" },
	{ "empty lines skipped", "a\n\n\r\n\nb\n\n", 0, ',', "1:[a] 5:[b]" },
	{ "blanks kept outside quotes", " a , b \n", 0, ',', "1:[ a ][ b ]" },
	{ "blanks after closing quote", "\"a\"  ,\"b\"\t\n", 0, ',',
	  "1:[a][b]" },
	{ "bare quote inside a field", "a\"b,c\n", 0, ',', "1:[a\"b][c]" },
	{ "unterminated quote", "a,b\n1,\"open\n2,3\n", 0, ',',
	  "1:[a][b] !2" },
	{ "unterminated quote on a later line", "a\nb\nc\n\"x\n\n", 0, ',',
	  "1:[a] 2:[b] 3:[c] !4" },
	{ "text after closing quote, then resumes", "a,b\n\"x\"y,1\n2,3\n",
	  0, ',', "1:[a][b] !2 3:[2][3]" },
	{ "error line after a multi-line field",
	  "a,b\n\"1\n2\",x\n\"bad\"z\nok,1\n", 0, ',',
	  "1:[a][b] 2:[1\n2][x] !4 5:[ok][1]" },
	{ "NUL byte", "a\nb\0c\nd\n", 8, ',', "1:[a] !2 3:[d]" },
	{ "empty input", "", 0, ',', "" },
	{ "BOM only", "\xef\xbb\xbf", 0, ',', "" },
	{ "only blank lines", "\r\n\n", 0, ',', "" },
	{ "UTF-8 kept", "titre\n\"Conférence, débat\"\n", 0, ',',
	  "1:[titre] 2:[Conférence, débat]" },
};

static void
test_read(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(read_cases); i++) {
		const struct read_case *t = &read_cases[i];
		size_t len = t->len ? t->len : strlen(t->in);
		char sep;
		char *got = dump(t->in, len, &sep);

		if (strcmp(got, t->want) != 0 || sep != t->sep)
			fail_msg("%s: got \"%s\" sep '%c', want \"%s\" sep "
			    "'%c'", t->name, got, sep, t->want, t->sep);
		free(got);
	}
}

/* The error message and line of the unterminated quote. */
static void
test_error_message(void **state)
{
	const char *in = "a,b\n\"x\ny\",1\n2,\"unclosed\n3\n";
	struct csv_reader *r = csv_reader_new(in, strlen(in));
	char **f;
	size_t nf;
	int line = 0;
	const char *err = NULL;

	(void)state;
	assert_int_equal(csv_next(r, &f, &nf, &line, &err), 1);
	assert_int_equal(csv_next(r, &f, &nf, &line, &err), 1);
	assert_int_equal(line, 2);
	assert_int_equal(csv_next(r, &f, &nf, &line, &err), -1);
	assert_int_equal(line, 4);
	assert_non_null(strstr(err, "unterminated"));
	assert_int_equal(csv_next(r, &f, &nf, &line, &err), 0);
	assert_int_equal(csv_next(r, NULL, NULL, NULL, NULL), 0);
	csv_reader_free(r);
	csv_reader_free(NULL);
}

struct write_case {
	const char	*name;
	const char	*fields[8];
	size_t		 n;
	int		 excel;
	const char	*want;
};

static const struct write_case write_cases[] = {
	{ "plain", { "a", "b" }, 2, 0, "a,b\r\n" },
	{ "empty and NULL", { "", NULL, "x" }, 3, 0, ",,x\r\n" },
	{ "quoting", { "a,b", "x\"y", "l1\nl2", "cr\r", " lead", "trail\t" },
	  6, 0, "\"a,b\",\"x\"\"y\",\"l1\nl2\",\"cr\r\",\" lead\","
	  "\"trail\t\"\r\n" },
	{ "a ; is quoted with , too", { "a;b", "c" }, 2, 0,
	  "\"a;b\",c\r\n" },
	{ "inner spaces not quoted", { "Un truc en plus" }, 1, 0,
	  "Un truc en plus\r\n" },
	{ "formula kept in plain CSV", { "=1+2", "-3", "@x", "+33 6" }, 4, 0,
	  "=1+2,-3,@x,+33 6\r\n" },
	{ "excel: ; and formula guard",
	  { "=1+2", "-3", "@SUM(A1)", "+33 6", "ok", "a;b", "a,b" }, 7, 1,
	  "'=1+2;'-3;'@SUM(A1);'+33 6;ok;\"a;b\";\"a,b\"\r\n" },
	{ "excel: guard inside quotes", { "=\"x\"", "=a;b" }, 2, 1,
	  "\"'=\"\"x\"\"\";\"'=a;b\"\r\n" },
	{ "excel: leading tab", { "\tx" }, 1, 1, "\"'\tx\"\r\n" },
	{ "UTF-8 untouched", { "Préparation concours", "déjà" }, 2, 1,
	  "Préparation concours;déjà\r\n" },
	{ "a field starting with U+FEFF", { "\xef\xbb\xbf" "x", "y" }, 2, 0,
	  "\"\xef\xbb\xbf" "x\",y\r\n" },
	{ "one empty field", { "" }, 1, 0, "\"\"\r\n" },
	{ "one NULL field", { NULL }, 1, 1, "\"\"\r\n" },
};

static void
test_write(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(write_cases); i++) {
		const struct write_case *t = &write_cases[i];
		struct buf b = BUF_INIT;
		char *got;

		csv_write_row(&b, t->fields, t->n, t->excel);
		got = buf_detach(&b);
		if (strcmp(got, t->want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", t->name, got,
			    t->want);
		free(got);
	}
}

static void
test_bom(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	csv_write_bom(&b);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.s, "\xef\xbb\xbf", 3);
	buf_free(&b);
}

/* Whatever the writer writes, the reader reads back unchanged. */
static const char *const round_rows[][5] = {
	{ "code", "title, with comma", "place;semi", "description", "n" },
	{ "s-1", "Un \"truc\" en plus", "Salle 3", "l1\nl2\n\nl4", "12" },
	{ "s-2", "", " spaces ", "cr\ralone", "" },
	{ "s-3", "Conférence", "Hôtel de ville", "\"", "0" },
	{ "s-4", ",", ";", "\n", "x\"" },
};

static void
round_trip(int excel)
{
	struct buf b = BUF_INIT;
	struct csv_reader *r;
	char **f;
	size_t nf, k = 0;
	int line, rc, want_line = 1;
	const char *err;

	if (excel)
		csv_write_bom(&b);
	for (size_t i = 0; i < nitems(round_rows); i++)
		csv_write_row(&b, round_rows[i], 5, excel);
	r = csv_reader_new(b.s, b.len);
	assert_int_equal(csv_separator(r), excel ? ';' : ',');
	while ((rc = csv_next(r, &f, &nf, &line, &err)) == 1) {
		assert_true(k < nitems(round_rows));
		assert_int_equal(nf, 5);
		assert_int_equal(line, want_line);
		for (size_t i = 0; i < nf; i++) {
			assert_string_equal(f[i], round_rows[k][i]);
			for (const char *p = f[i]; *p; p++)
				want_line += *p == '\n';
		}
		want_line++;
		k++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(k, nitems(round_rows));
	csv_reader_free(r);
	buf_free(&b);
}

static void
test_round_trip(void **state)
{
	(void)state;
	round_trip(0);
	round_trip(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_error_message),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
