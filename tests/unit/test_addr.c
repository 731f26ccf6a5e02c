/* test_addr.c - address normalisation, comparison, domain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"
#include "util.h"

struct norm_case {
	const char	*in;
	const char	*want;		/* NULL: not an address */
};

static const struct norm_case norm_cases[] = {
	/* good ones */
	{ "jean.dupont@ville.example", "jean.dupont@ville.example" },
	{ "  Jean Dupont <Jean.Dupont@Ville.EXAMPLE> ",
	  "Jean.Dupont@ville.example" },
	{ "\"Dupont, Jean\" <jd@ville.example>", "jd@ville.example" },
	{ "\"Dupont <chef>\" <jd@ville.example>", "jd@ville.example" },
	{ "\"Dupont \\\" Jean\" <jd@ville.example>", "jd@ville.example" },
	{ "<jd@ville.example>", "jd@ville.example" },
	{ "Jean < jd@ville.example >", "jd@ville.example" },
	{ "Élodie Müller <elodie.muller@ville.example>",
	  "elodie.muller@ville.example" },
	{ "\t a@b.c\r\n", "a@b.c" },
	{ "JD+truc@Mairie-Ville.FR", "JD+truc@mairie-ville.fr" },
	{ "o'brien@x.ie", "o'brien@x.ie" },
	{ "a!#$%&'*+-/=?^_`{|}~z@x.example", "a!#$%&'*+-/=?^_`{|}~z@x.example" },
	{ "\"jean dupont\"@Ville.Example", "\"jean dupont\"@ville.example" },
	{ "\"a@b\"@ville.example", "\"a@b\"@ville.example" },
	{ "\"a\\\"b\"@x.fr", "\"a\\\"b\"@x.fr" },
	{ "élodie@ville.example", "élodie@ville.example" },
	{ "a@b.c", "a@b.c" },
	{ "a@sub.b-c.d", "a@sub.b-c.d" },
	{ "a@1.2.3.4", "a@1.2.3.4" },
	/* bad ones */
	{ "@x", NULL },
	{ "@x.fr", NULL },
	{ "a@", NULL },
	{ "a b@c.d", NULL },
	{ "a@b", NULL },
	{ "a@@b.c", NULL },
	{ "a@b@c.d", NULL },
	{ "", NULL },
	{ "   ", NULL },
	{ "jean", NULL },
	{ "a.@b.c", NULL },
	{ ".a@b.c", NULL },
	{ "a..b@c.d", NULL },
	{ "a@-b.c", NULL },
	{ "a@b-.c", NULL },
	{ "a@b..c", NULL },
	{ "a@.b.c", NULL },
	{ "a@b.c.", NULL },
	{ "a@b_c.d", NULL },
	{ "a@b c.d", NULL },
	{ "a@[192.0.2.1]", NULL },
	{ "Jean <a@b.c", NULL },
	{ "Jean a@b.c>", NULL },
	{ "Jean <a@b.c> x", NULL },
	{ "Jean <>", NULL },
	{ "<a@b.c", NULL },
	{ "Jean Dupont a@b.c", NULL },
	{ "a@b.c (Jean)", NULL },
	{ "\"\"@b.c", NULL },
	{ "\"open@b.c", NULL },
	{ "\"a\"b@c.d", NULL },
	{ "a\x01@b.c", NULL },
	{ "a@b.c\x7f", NULL },
	{ "\"a\nb\"@c.d", NULL },
	{ "\xff@b.c", NULL },
	{ "caf\xe9@b.c", NULL },
	{ "a,b@c.d", NULL },
	{ "a;b@c.d", NULL },
	{ "a(b)@c.d", NULL },
	{ "a@b.c;d@e.f", NULL },
};

static void
test_normalise(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(norm_cases); i++) {
		const struct norm_case *t = &norm_cases[i];
		char *got = addr_normalise(t->in);

		if (t->want == NULL && got != NULL)
			fail_msg("\"%s\": got \"%s\", want NULL", t->in, got);
		if (t->want != NULL && (got == NULL ||
		    strcmp(got, t->want) != 0))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", t->in,
			    got ? got : "(null)", t->want);
		free(got);
	}
	assert_null(addr_normalise(NULL));
}

static char *
repeat(int c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Lengths: local part 64, label 63, whole 254. */
static void
test_lengths(void **state)
{
	char *l64 = repeat('a', 64), *l65 = repeat('a', 65);
	char *lab63 = repeat('x', 63), *lab64 = repeat('x', 64);
	char *lab60 = repeat('x', 60), *s, *n;

	(void)state;
	s = xasprintf("%s@b.c", l64);
	n = addr_normalise(s);
	assert_non_null(n);
	free(n);
	free(s);
	s = xasprintf("%s@b.c", l65);
	assert_null(addr_normalise(s));
	free(s);
	s = xasprintf("a@%s.fr", lab63);
	n = addr_normalise(s);
	assert_non_null(n);
	free(n);
	free(s);
	s = xasprintf("a@%s.fr", lab64);
	assert_null(addr_normalise(s));
	free(s);
	/* 64 + 1 + 3 * 61 + 5 = 253, then 254 (the limit), then 255 */
	s = xasprintf("%s@%s.%s.%s.abcde", l64, lab60, lab60, lab60);
	assert_int_equal(strlen(s), 253);
	n = addr_normalise(s);
	assert_non_null(n);
	free(n);
	free(s);
	s = xasprintf("%s@%s.%s.%s.abcdef", l64, lab60, lab60, lab60);
	assert_int_equal(strlen(s), 254);
	n = addr_normalise(s);
	assert_non_null(n);
	free(n);
	free(s);
	s = xasprintf("%s@%s.%s.%s.abcdefg", l64, lab60, lab60, lab60);
	assert_null(addr_normalise(s));
	free(s);
	/* 300 characters */
	s = xasprintf("%s@%s.%s.%s.%s.fr", l64, lab60, lab60, lab60, lab60);
	assert_true(strlen(s) >= 300);
	assert_null(addr_normalise(s));
	free(s);
	free(l64);
	free(l65);
	free(lab63);
	free(lab64);
	free(lab60);
}

struct equal_case {
	const char	*a, *b;
	int		 want;
};

static const struct equal_case equal_cases[] = {
	{ "Jean.Dupont@Ville.example", "jean.dupont@ville.EXAMPLE", 1 },
	{ "Jean <a@b.c>", "a@B.C", 1 },
	{ " a@b.c ", "\"Autre nom\" <A@b.c>", 1 },
	{ "a@b.c", "a@b.cd", 0 },
	{ "a@b.c", "b@b.c", 0 },
	{ "a+x@b.c", "a@b.c", 0 },
	{ NULL, "a@b.c", 0 },
	{ "a@b.c", NULL, 0 },
	{ NULL, NULL, 0 },
	{ "bad", "bad", 0 },
	{ "", "", 0 },
};

static void
test_equal(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(equal_cases); i++) {
		const struct equal_case *t = &equal_cases[i];

		if (addr_equal(t->a, t->b) != t->want)
			fail_msg("addr_equal(\"%s\", \"%s\") != %d",
			    t->a ? t->a : "(null)", t->b ? t->b : "(null)",
			    t->want);
	}
}

static void
test_domain(void **state)
{
	(void)state;
	assert_string_equal(addr_domain("a@b.c"), "b.c");
	assert_string_equal(addr_domain("\"x@y\"@b.c"), "b.c");
	assert_string_equal(addr_domain("a@"), "");
	assert_null(addr_domain("abc"));
	assert_null(addr_domain(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
