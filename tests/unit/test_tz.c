/* Time zone conversions, Europe/Paris, both daylight-saving changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#include "tz.h"

static int
setup(void **state)
{
	(void)state;
	return tz_set("Europe/Paris");
}

static void
test_parse_round_trip(void **state)
{
	static const struct {
		const char *local;
		long long utc;		/* expected epoch seconds */
	} cases[] = {
		{ "2026-12-07 14:00", 1796648400LL },	/* winter, UTC+1 */
		{ "2026-07-01 09:30", 1782891000LL },	/* summer, UTC+2 */
		{ "2026-03-29 01:59", 1774745940LL },	/* just before spring change */
		{ "2026-03-29 03:00", 1774746000LL },	/* just after it */
		{ "2026-10-25 02:30", 1792888200LL },	/* ambiguous: summer time first */
		{ "2026-10-25 03:00", 1792893600LL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		time_t t;
		const char *why = NULL;
		char back[32];

		assert_int_equal(tz_parse_local(cases[i].local, &t, &why), 0);
		assert_int_equal((long long)t, cases[i].utc);
		tz_format_local(t, back, sizeof back);
		assert_string_equal(back, cases[i].local);
	}
}

static void
test_parse_rejects(void **state)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{ "2026-02-30 10:00", "no such day" },
		{ "2026-02-29 10:00", "no such day" },
		{ "2026-13-01 10:00", "no such day" },
		{ "2026-12-07 24:00", "no such time of day" },
		{ "2026-12-07 14h00", "not a date" },
		{ "07/12/2026 14:00", "not a date" },
		{ "2026-12-07 14:00 ", "not a date" },
		{ "", "not a date" },
		{ "2026-03-29 02:30", "does not exist" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		time_t t;
		const char *why = NULL;

		assert_int_equal(tz_parse_local(cases[i].in, &t, &why), -1);
		assert_non_null(strstr(why, cases[i].why));
	}
}

static void
test_leap_day(void **state)
{
	time_t t;
	const char *why;

	(void)state;
	assert_int_equal(tz_parse_local("2028-02-29 10:00", &t, &why), 0);
}

static void
test_make_local(void **state)
{
	char buf[32];

	(void)state;
	/* Day 32 of December is 1 January; same wall clock across a change. */
	tz_format_local(tz_make_local(2026, 12, 32, 8, 0), buf, sizeof buf);
	assert_string_equal(buf, "2027-01-01 08:00");
	tz_format_local(tz_make_local(2026, 3, 28, 9, 0), buf, sizeof buf);
	assert_string_equal(buf, "2026-03-28 09:00");
	tz_format_local(tz_make_local(2026, 3, 30, 9, 0) - 0, buf, sizeof buf);
	assert_string_equal(buf, "2026-03-30 09:00");
	/* The gap maps to the first instant after it. */
	tz_format_local(tz_make_local(2026, 3, 29, 2, 30), buf, sizeof buf);
	assert_string_equal(buf, "2026-03-29 03:00");
}

static void
test_human_days(void **state)
{
	time_t t;
	const char *why;
	char buf[64];

	(void)state;
	assert_int_equal(tz_parse_local("2026-12-07 14:00", &t, &why), 0);
	tz_format_day(t, "fr", buf, sizeof buf);
	assert_string_equal(buf, "lundi 7 décembre 2026");
	tz_format_day(t, "en", buf, sizeof buf);
	assert_string_equal(buf, "Monday 7 December 2026");
	tz_format_hm(t, buf, sizeof buf);
	assert_string_equal(buf, "14:00");
}

static void
test_zone_validity(void **state)
{
	(void)state;
	assert_true(tz_valid("Europe/Paris"));
	assert_true(tz_valid("UTC"));
	assert_false(tz_valid("Europe/Lutece"));
	assert_false(tz_valid("../etc/passwd"));
	assert_false(tz_valid(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_round_trip),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_leap_day),
		cmocka_unit_test(test_make_local),
		cmocka_unit_test(test_human_days),
		cmocka_unit_test(test_zone_validity),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
