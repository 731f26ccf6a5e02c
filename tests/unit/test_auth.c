/* Authentication-Results from the trusted server only (auth.c), table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth.h"

#define ID "mx.ville.example"
#define FROM "coordination@ville.example"

static void
test_values(void **state)
{
	static const struct {
		const char *value;
		int trusted;
		enum auth_verdict want;
	} cases[] = {
		{ ID "; dmarc=pass header.from=ville.example", 1, AUTH_PASS },
		{ ID "; dmarc=pass", 1, AUTH_PASS },
		{ ID "; dmarc=pass header.from=evil.example", 1, AUTH_NONE },
		{ ID "; dmarc=fail header.from=ville.example", 1, AUTH_FAIL },
		{ ID "; spf=pass smtp.mailfrom=ville.example", 1, AUTH_NONE },
		{ ID "; dkim=pass header.d=ville.example", 1, AUTH_PASS },
		{ ID "; dkim=pass header.d=mail.ville.example", 1, AUTH_NONE },
		{ ID "; dkim=pass header.i=@ville.example", 1, AUTH_PASS },
		{ ID "; dkim=pass header.d=evil.example", 1, AUTH_NONE },
		{ ID "; dkim=pass header.d=ville.example.evil.example", 1, AUTH_NONE },
		{ ID "; dkim=fail header.d=ville.example", 1, AUTH_NONE },
		{ ID "; dkim=pass (header.d=ville.example) header.d=evil.example", 1, AUTH_NONE },
		{ ID " (our MX); dkim=pass header.d=evil.example; dmarc=pass", 1, AUTH_PASS },
		{ "other.example; dmarc=pass header.from=ville.example", 0, AUTH_NONE },
		{ ID ".evil.example; dmarc=pass", 0, AUTH_NONE },
		{ "", 0, AUTH_NONE },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int trusted = -1;

		assert_int_equal(auth_check_value(cases[i].value, ID, FROM,
		    &trusted), cases[i].want);
		assert_int_equal(trusted, cases[i].trusted);
	}
}

static void
test_relaxed_alignment(void **state)
{
	int trusted;

	(void)state;
	/* A sender in a subdomain is aligned with the parent's signature. */
	assert_int_equal(auth_check_value(ID "; dkim=pass header.d=ville.example",
	    ID, "agent@services.ville.example", &trusted), AUTH_PASS);
	/* No configured server: nothing is believed. */
	assert_int_equal(auth_check_value(ID "; dmarc=pass", "", FROM,
	    &trusted), AUTH_NONE);
	assert_int_equal(trusted, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_relaxed_alignment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
