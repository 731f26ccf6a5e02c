/* The registration rules, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules.h"

#define NOW 1000000
#define SOON (NOW + 3600)

static void
test_register_table(void **state)
{
	static const struct {
		struct session_view s;
		enum reg_state cur;
		enum reg_outcome want;
	} cases[] = {
		{ { 0, SOON, SOON + 60, 10, 3, 0 }, RS_NONE, OUT_REGISTERED },
		{ { 0, SOON, SOON + 60, 10, 9, 0 }, RS_CANCELLED, OUT_REGISTERED },
		{ { 0, SOON, SOON + 60, 10, 10, 0 }, RS_NONE, OUT_WAITLISTED },
		/* a free place while someone waits is impossible; FIFO anyway */
		{ { 0, SOON, SOON + 60, 10, 9, 2 }, RS_NONE, OUT_WAITLISTED },
		{ { 0, SOON, SOON + 60, 10, 3, 0 }, RS_REGISTERED, OUT_ALREADY_REGISTERED },
		{ { 0, SOON, SOON + 60, 10, 10, 4 }, RS_WAITLISTED, OUT_ALREADY_WAITLISTED },
		{ { 1, SOON, SOON + 60, 10, 3, 0 }, RS_NONE, OUT_REFUSED_CANCELLED },
		{ { 0, NOW - 60, NOW + 60, 10, 3, 0 }, RS_NONE, OUT_REFUSED_STARTED },
		{ { 0, NOW, NOW + 60, 10, 3, 0 }, RS_NONE, OUT_REFUSED_STARTED },
		{ { 0, NOW - 120, NOW - 60, 10, 3, 0 }, RS_NONE, OUT_REFUSED_PAST },
		{ { 0, NOW - 120, NOW, 10, 3, 0 }, RS_NONE, OUT_REFUSED_PAST },
		{ { 0, NOW - 120, NOW - 60, 10, 3, 0 }, RS_ATTENDED, OUT_ALREADY_REGISTERED },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(rules_register(&cases[i].s, cases[i].cur, NOW),
		    cases[i].want);
}

static void
test_unregister_table(void **state)
{
	static const struct {
		struct session_view s;
		enum reg_state cur;
		enum unreg_outcome want;
	} cases[] = {
		{ { 0, SOON, SOON + 60, 10, 3, 0 }, RS_REGISTERED, UNREG_CANCELLED },
		{ { 0, SOON, SOON + 60, 10, 10, 2 }, RS_WAITLISTED, UNREG_LEFT_WAITLIST },
		{ { 0, SOON, SOON + 60, 10, 3, 0 }, RS_NONE, UNREG_NOT_REGISTERED },
		{ { 0, SOON, SOON + 60, 10, 3, 0 }, RS_CANCELLED, UNREG_NOT_REGISTERED },
		{ { 0, NOW - 60, NOW + 60, 10, 3, 0 }, RS_REGISTERED, UNREG_REFUSED_STARTED },
		{ { 0, NOW - 120, NOW - 60, 10, 3, 0 }, RS_REGISTERED, UNREG_REFUSED_PAST },
		/* leaving a cancelled session is always possible */
		{ { 1, NOW - 60, NOW + 60, 10, 3, 0 }, RS_REGISTERED, UNREG_CANCELLED },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(rules_unregister(&cases[i].s, cases[i].cur,
		    NOW), cases[i].want);
}

static void
test_promotions_and_overflow(void **state)
{
	static const struct {
		struct session_view s;
		int promote, overflow;
	} cases[] = {
		{ { 0, SOON, SOON + 60, 10, 9, 3 }, 1, 0 },
		{ { 0, SOON, SOON + 60, 15, 10, 3 }, 3, 0 },
		{ { 0, SOON, SOON + 60, 10, 10, 3 }, 0, 0 },
		{ { 0, SOON, SOON + 60, 8, 10, 3 }, 0, 2 },
		{ { 0, SOON, SOON + 60, 10, 4, 0 }, 0, 0 },
		{ { 1, SOON, SOON + 60, 10, 4, 2 }, 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(rules_promotions(&cases[i].s), cases[i].promote);
		assert_int_equal(rules_overflow(&cases[i].s), cases[i].overflow);
	}
}

static void
test_overlap(void **state)
{
	(void)state;
	assert_true(rules_overlap(0, 10, 5, 15));
	assert_true(rules_overlap(5, 15, 0, 10));
	assert_true(rules_overlap(0, 10, 2, 3));
	assert_false(rules_overlap(0, 10, 10, 20));	/* back to back */
	assert_false(rules_overlap(10, 20, 0, 10));
}

static void
test_state_names(void **state)
{
	(void)state;
	for (int s = RS_NONE; s <= RS_ABSENT; s++)
		assert_int_equal(reg_state_parse(reg_state_name(s)), s);
	assert_int_equal(reg_state_parse("bogus"), RS_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_table),
		cmocka_unit_test(test_unregister_table),
		cmocka_unit_test(test_promotions_and_overflow),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_state_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
