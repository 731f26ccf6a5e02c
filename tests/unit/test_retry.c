/* test_retry.c - the outbox backoff table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <cmocka.h>

#include "util.h"
#include "retry.h"

static const struct {
	int	attempts;
	long	delay;		/* seconds */
} table[] = {
	{ INT_MIN, 60 },
	{ -1, 60 },
	{ 0, 60 },		/* "no failure yet" is treated as the first */
	{ 1, 60 },
	{ 2, 120 },
	{ 3, 240 },
	{ 4, 480 },
	{ 5, 960 },
	{ 6, 1920 },
	{ 7, 3600 },		/* 3840 capped */
	{ 8, 3600 },
	{ 30, 3600 },
	{ 64, 3600 },		/* no overflow from a shift */
	{ INT_MAX, 3600 },
};

static void
test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(table); i++) {
		long got = retry_delay(table[i].attempts);

		if (got != table[i].delay)
			fail_msg("attempts %d: delay %ld, want %ld",
			    table[i].attempts, got, table[i].delay);
	}
}

static void
test_next(void **state)
{
	const time_t now = 1796000000;	/* 2026-11-30 */

	(void)state;
	for (size_t i = 0; i < nitems(table); i++)
		assert_int_equal(retry_next(now, table[i].attempts),
		    now + table[i].delay);
}

static void
test_monotonic(void **state)
{
	(void)state;
	for (int a = 1; a < 100; a++)
		assert_true(retry_delay(a + 1) >= retry_delay(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_monotonic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
