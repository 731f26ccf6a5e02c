/*
 * schedule.c: the weekly programme and the reminders over a whole year in
 * Europe/Paris (2026-03-29 and 2026-10-25 are the changes), driven the way
 * the daemon drives them: ask, send what is due, record it, ask again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "schedule.h"
#include "tz.h"
#include "util.h"

static int
setup(void **state)
{
	(void)state;
	return tz_set("Europe/Paris");
}

static time_t
local(const char *s)
{
	const char *why = NULL;
	time_t t = 0;

	if (tz_parse_local(s, &t, &why) == -1)
		fail_msg("%s: %s", s, why);
	return t;
}

/* "YYYY-MM-DD HH:MM" of t, in a static buffer per call site pair. */
static const char *
fmt(time_t t, char *buf)
{
	tz_format_local(t, buf, 17);
	return buf;
}

#define assert_local(t, want) do {					\
	char b_[32];							\
	if (strcmp(fmt((t), b_), (want)) != 0)				\
		fail_msg("%s:%d: got %s, want %s", __FILE__, __LINE__,	\
		    b_, (want));					\
} while (0)

/* --- The weekly programme ----------------------------------------------- */

struct prog {
	int		 wday, hour, min;
	const char	*first_key;	/* sent at once on 2026-01-01 00:00 */
	int		 sends;		/* in all, that one included */
};

/*
 * Minute by minute through 2026, the daemon sends the programme when the
 * slot's key is new.  Each week gets exactly one send, at the configured
 * wall-clock time (or the first minute after a spring gap), and
 * sched_programme_next() always names the next send.
 */
static void
run_year(const struct prog *p)
{
	time_t now, end, slot, next, last_sent = 0, expect_next = 0;
	char key[SCHED_KEY_LEN], last_key[SCHED_KEY_LEN] = "", b[64];
	struct tm tm;
	int sends = 0;

	now = local("2026-01-01 00:00");
	end = local("2027-01-01 00:00");
	for (; now < end; now += 60) {
		slot = sched_programme_slot(now, p->wday, p->hour, p->min, key,
		    sizeof key);
		assert_true(slot <= now);
		assert_true(now - slot < 7 * 24 * 3600 + 3600);
		/* The slot is the configured wall clock of the key's day. */
		tz_local(slot, &tm);
		snprintf(b, sizeof b, "programme:%04d-%02d-%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		assert_string_equal(key, b);
		assert_int_equal(tm.tm_wday, p->wday);
		if (tm.tm_hour != p->hour || tm.tm_min != p->min)
			assert_string_equal(fmt(slot, b), "2026-03-29 03:00");
		next = sched_programme_next(now, p->wday, p->hour, p->min);
		assert_true(next > now);
		assert_true(next - now <= 7 * 24 * 3600 + 3600);
		if (expect_next != 0 && now < expect_next)
			assert_int_equal(next, expect_next);
		if (strcmp(key, last_key) == 0)
			continue;
		/* A new key: send. */
		sends++;
		if (sends == 1) {
			assert_string_equal(key, p->first_key);
		} else {
			/* On time, to the minute, and a week after the last. */
			assert_int_equal(now, slot);
			assert_int_equal(now, expect_next);
			tz_local(now, &tm);
			assert_int_equal(tm.tm_wday, p->wday);
			if (tm.tm_hour != p->hour || tm.tm_min != p->min) {
				/* Only in a spring gap, at its end. */
				assert_string_equal(fmt(now, b),
				    "2026-03-29 03:00");
			}
			assert_true(now - last_sent >= 7 * 24 * 3600 - 3600);
			assert_true(now - last_sent <= 7 * 24 * 3600 + 3600);
			snprintf(b, sizeof b, "programme:%04d-%02d-%02d",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
			assert_string_equal(key, b);
		}
		snprintf(last_key, sizeof last_key, "%s", key);
		last_sent = slot;
		expect_next = next;
	}
	assert_int_equal(sends, p->sends);
}

static void
test_programme_monday(void **state)
{
	/* 2026-01-01 is a Thursday: Monday 2025-12-29 is caught up. */
	static const struct prog p = { 1, 8, 0, "programme:2025-12-29", 53 };

	(void)state;
	run_year(&p);
}

/* Sunday 02:30: missing on 2026-03-29, twice on 2026-10-25. */
static void
test_programme_sunday_night(void **state)
{
	static const struct prog p = { 0, 2, 30, "programme:2025-12-28", 53 };

	(void)state;
	run_year(&p);
	assert_int_equal(sched_programme_slot(local("2026-03-29 12:00"), 0, 2,
	    30, NULL, 0), local("2026-03-29 03:00"));
	/* The first 02:30 of 2026-10-25 (summer time), sent once. */
	assert_int_equal(sched_programme_slot(local("2026-10-25 12:00"), 0, 2,
	    30, NULL, 0), local("2026-10-25 02:30"));
	assert_int_equal(local("2026-10-25 02:30") % 86400, 30 * 60);
}

static void
test_programme_edges(void **state)
{
	char key[SCHED_KEY_LEN];
	time_t t;

	(void)state;
	/* Exactly at the slot: that slot. */
	t = sched_programme_slot(local("2026-11-30 08:00"), 1, 8, 0, key,
	    sizeof key);
	assert_int_equal(t, local("2026-11-30 08:00"));
	assert_string_equal(key, "programme:2026-11-30");
	/* A minute before: the week before. */
	t = sched_programme_slot(local("2026-11-30 07:59"), 1, 8, 0, key,
	    sizeof key);
	assert_int_equal(t, local("2026-11-23 08:00"));
	assert_string_equal(key, "programme:2026-11-23");
	assert_int_equal(sched_programme_next(local("2026-11-30 07:59"), 1, 8,
	    0), local("2026-11-30 08:00"));
	assert_int_equal(sched_programme_next(local("2026-11-30 08:00"), 1, 8,
	    0), local("2026-12-07 08:00"));
	/* Started late on a Wednesday: this week's Monday, once. */
	t = sched_programme_slot(local("2026-12-02 10:00"), 1, 8, 0, key,
	    sizeof key);
	assert_int_equal(t, local("2026-11-30 08:00"));
	assert_string_equal(key, "programme:2026-11-30");
	/* Down three weeks: only the latest missed one. */
	t = sched_programme_slot(local("2026-12-23 10:00"), 1, 8, 0, key,
	    sizeof key);
	assert_string_equal(key, "programme:2026-12-21");
	/* Across the year end, and a month end. */
	sched_programme_slot(local("2027-01-02 09:00"), 4, 9, 0, key,
	    sizeof key);
	assert_string_equal(key, "programme:2026-12-31");
	sched_programme_slot(local("2026-03-01 09:00"), 6, 23, 59, key,
	    sizeof key);
	assert_string_equal(key, "programme:2026-02-28");
	/* A key buffer too short is cut, not overrun. */
	sched_programme_slot(local("2026-12-02 10:00"), 1, 8, 0, key, 5);
	assert_string_equal(key, "prog");
	/* Bad settings. */
	assert_int_equal(sched_programme_slot(0, 7, 8, 0, key, sizeof key), -1);
	assert_string_equal(key, "");
	assert_int_equal(sched_programme_slot(0, 1, 24, 0, key, sizeof key), -1);
	assert_int_equal(sched_programme_slot(0, 1, 8, 60, key, sizeof key), -1);
	assert_int_equal(sched_programme_next(0, -1, 8, 0), -1);
}

/* --- Offsets ------------------------------------------------------------ */

static void
test_parse_offset(void **state)
{
	static const struct {
		const char *in;
		int days, minutes;
	} good[] = {
		{ "1d", 1, 0 }, { "2h", 0, 120 }, { "30m", 0, 30 },
		{ "1d12h", 1, 720 }, { "1d 12h", 1, 720 }, { "1D", 1, 0 },
		{ "2j", 2, 0 }, { "1h30m", 0, 90 }, { "  2h  ", 0, 120 },
		{ "90m", 0, 90 }, { "365d", 365, 0 }, { "1d0h", 1, 0 },
		{ "0d15m", 0, 15 }, { "7d", 7, 0 }, { "48h", 0, 2880 },
	};
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "", "empty" }, { "   ", "empty" }, { "d", "expected a number" },
		{ "1", "unit" }, { "1x", "unit" }, { "1d12", "unit" },
		{ "2h1d", "order" }, { "1d1d", "order" }, { "1m1h", "order" },
		{ "0m", "more than zero" }, { "0d0h", "more than zero" },
		{ "366d", "too large" }, { "9999999h", "too large" },
		{ "12345678m", "too large" }, { "365d1m", "too large" },
		{ "-1d", "expected a number" }, { "1.5h", "unit" },
		{ "h2", "expected a number" }, { "1 d", "unit" },
	};
	struct offset o;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(good); i++) {
		why = NULL;
		if (sched_parse_offset(good[i].in, &o, &why) != 0)
			fail_msg("\"%s\": %s", good[i].in, why);
		assert_int_equal(o.days, good[i].days);
		assert_int_equal(o.minutes, good[i].minutes);
	}
	for (i = 0; i < nitems(bad); i++) {
		o.days = o.minutes = -7;
		why = NULL;
		if (sched_parse_offset(bad[i].in, &o, &why) != -1)
			fail_msg("\"%s\" accepted", bad[i].in);
		assert_non_null(why);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("\"%s\": \"%s\", want \"%s\"", bad[i].in, why,
			    bad[i].why);
		assert_int_equal(o.days, -7);	/* untouched */
	}
}

/* --- When reminders are due ---------------------------------------------- */

static void
test_reminder_due(void **state)
{
	static const struct {
		const char *offset, *start, *due;
	} cases[] = {
		/* Days are calendar days: same wall clock the day before. */
		{ "1d", "2026-03-28 09:00", "2026-03-27 09:00" },
		{ "1d", "2026-03-29 09:00", "2026-03-28 09:00" },
		{ "1d", "2026-03-30 09:00", "2026-03-29 09:00" },
		{ "1d", "2026-10-24 09:00", "2026-10-23 09:00" },
		{ "1d", "2026-10-25 09:00", "2026-10-24 09:00" },
		{ "1d", "2026-10-26 09:00", "2026-10-25 09:00" },
		{ "2d", "2026-03-30 14:00", "2026-03-28 14:00" },
		{ "7d", "2026-11-02 08:30", "2026-10-26 08:30" },
		{ "1d", "2027-01-01 10:00", "2026-12-31 10:00" },
		{ "1d", "2026-03-01 10:00", "2026-02-28 10:00" },
		/* The day before has no 02:30: the end of the gap. */
		{ "1d", "2026-03-30 02:30", "2026-03-29 03:00" },
		/* Hours are elapsed time: 2h before 09:00 is 07:00 ... */
		{ "2h", "2026-03-29 09:00", "2026-03-29 07:00" },
		{ "2h", "2026-10-25 09:00", "2026-10-25 07:00" },
		{ "30m", "2026-12-07 14:00", "2026-12-07 13:30" },
		/* ... but across the change the wall clock moves 3h or 1h. */
		{ "2h", "2026-03-29 03:30", "2026-03-29 00:30" },
		{ "2h", "2026-10-25 03:30", "2026-10-25 02:30" },
		/* Days first, then hours. */
		{ "1d12h", "2026-03-30 09:00", "2026-03-28 20:00" },
		{ "1d2h", "2026-10-26 01:00", "2026-10-24 23:00" },
	};
	struct offset o;
	const char *why;
	size_t i;
	char b[32];

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		assert_int_equal(sched_parse_offset(cases[i].offset, &o, &why),
		    0);
		fmt(sched_reminder_due(local(cases[i].start), &o), b);
		if (strcmp(b, cases[i].due) != 0)
			fail_msg("%s before %s: %s, want %s", cases[i].offset,
			    cases[i].start, b, cases[i].due);
	}
	/* 2h is 7200 s whatever the day. */
	o.days = 0;
	o.minutes = 120;
	assert_int_equal(sched_reminder_due(local("2026-03-29 03:30"), &o),
	    local("2026-03-29 03:30") - 7200);
	/* The second 02:30 of 2026-10-25 as "1d" before 2026-10-26 02:30
	 * would be ambiguous: the first one (summer time) is taken. */
	o.days = 1;
	o.minutes = 0;
	assert_int_equal(sched_reminder_due(local("2026-10-26 02:30"), &o),
	    local("2026-10-25 02:30"));
}

static void
test_trainer_due(void **state)
{
	static const char *starts[] = {
		"2026-03-28 09:00", "2026-03-29 09:00", "2026-03-30 09:00",
		"2026-10-24 09:00", "2026-10-25 09:00", "2026-10-26 09:00",
		"2026-12-07 14:00",
	};
	static const char *dues[] = {
		"2026-03-27 09:00", "2026-03-28 09:00", "2026-03-29 09:00",
		"2026-10-23 09:00", "2026-10-24 09:00", "2026-10-25 09:00",
		"2026-12-06 14:00",
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(starts); i++)
		assert_local(sched_trainer_due(local(starts[i])), dues[i]);
}

/* --- Which reminders to send --------------------------------------------- */

static void
expect_actions(time_t now, time_t start, const struct offset *offs, size_t n,
    const enum sched_action *want)
{
	enum sched_action got[8];
	size_t i;
	char b[32];

	sched_reminders(now, start, offs, n, got);
	for (i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("at %s, offset %zu: action %d, want %d",
			    fmt(now, b), i, got[i], want[i]);
}

#define N SCHED_NOT_YET
#define S SCHED_SEND
#define K SCHED_SKIP

static void
test_reminders_actions(void **state)
{
	static const struct offset dh[] = { { 1, 0 }, { 0, 120 } };
	static const struct offset hd[] = { { 0, 120 }, { 1, 0 } };
	static const struct offset tie[] = { { 1, 0 }, { 0, 1440 } };
	static const struct {
		const char *now;
		enum sched_action dh[2], hd[2];
	} cases[] = {
		{ "2026-12-04 09:00", { N, N }, { N, N } },
		{ "2026-12-06 08:59", { N, N }, { N, N } },
		{ "2026-12-06 09:00", { S, N }, { N, S } },	/* 1d due */
		{ "2026-12-07 06:59", { S, N }, { N, S } },
		{ "2026-12-07 07:00", { K, S }, { S, K } },	/* 2h due */
		{ "2026-12-07 08:59", { K, S }, { S, K } },
		{ "2026-12-07 09:00", { K, K }, { K, K } },	/* started */
		{ "2026-12-08 09:00", { K, K }, { K, K } },
	};
	time_t start = local("2026-12-07 09:00");
	enum sched_action one;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		expect_actions(local(cases[i].now), start, dh, 2, cases[i].dh);
		expect_actions(local(cases[i].now), start, hd, 2, cases[i].hd);
	}
	/* Equal due times (winter: 1d = 24h): the first is sent. */
	expect_actions(local("2026-12-06 09:00"), start, tie, 2,
	    (enum sched_action[]){ S, K });
	/* None configured. */
	sched_reminders(local("2026-12-07 08:00"), start, dh, 0, &one);
	/* After downtime from Saturday to Monday 08:30: only the 2h one. */
	expect_actions(local("2026-12-07 08:30"), start, dh, 2,
	    (enum sched_action[]){ K, S });
	/* sched_reminders_next. */
	assert_int_equal(sched_reminders_next(local("2026-12-01 00:00"), start,
	    dh, 2), local("2026-12-06 09:00"));
	assert_int_equal(sched_reminders_next(local("2026-12-06 09:00"), start,
	    hd, 2), local("2026-12-07 07:00"));
	assert_int_equal(sched_reminders_next(local("2026-12-07 07:00"), start,
	    dh, 2), -1);
	assert_int_equal(sched_reminders_next(0, start, dh, 0), -1);
}

/*
 * The daemon's loop for one session: from `from`, ask what is due, send
 * and record, then jump to sched_reminders_next() or step by `step`
 * seconds when step > 0.  Returns the send times per offset (0: never).
 */
static void
drive(time_t from, time_t start, const struct offset *offs, size_t n,
    int step, time_t *sent)
{
	enum sched_action act[8];
	int recorded[8] = { 0 };
	time_t now, next;
	size_t i;
	int rounds = 0;

	for (i = 0; i < n; i++)
		sent[i] = 0;
	for (now = from; now < start + 3600; now = next) {
		assert_true(++rounds < 200000);
		sched_reminders(now, start, offs, n, act);
		for (i = 0; i < n; i++) {
			if (recorded[i] || act[i] == SCHED_NOT_YET)
				continue;
			recorded[i] = 1;
			if (act[i] == SCHED_SEND)
				sent[i] = now;
		}
		if (step > 0)
			next = now + step;
		else if ((next = sched_reminders_next(now, start, offs,
		    n)) == -1)
			break;
		else
			assert_true(next > now);
	}
}

/*
 * Sessions at 09:00, 14:00 and 03:30 on every day of 2026, reminders 1d
 * and 2h: each sent once, at the right time, when the daemon runs all
 * along.  The days around both changes are also stepped minute by minute.
 */
static void
test_reminders_year(void **state)
{
	static const struct offset offs[] = { { 1, 0 }, { 0, 120 } };
	static const char *hours[] = { "09:00", "14:00", "03:30" };
	time_t start, sent[2];
	char s[32], b[32];
	int day, h;

	(void)state;
	for (day = 1; day <= 365; day++)
		for (h = 0; h < 3; h++) {
			struct tm tm;

			start = tz_make_local(2026, 1, day, 0, 0);
			tz_local(start, &tm);
			snprintf(s, sizeof s, "%04d-%02d-%02d %s",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			    hours[h]);
			start = local(s);
			drive(start - 5 * 86400, start, offs, 2, 0, sent);
			assert_int_equal(sent[0],
			    sched_reminder_due(start, &offs[0]));
			assert_int_equal(sent[1], start - 7200);
			/* 1d: same wall clock, the day before. */
			fmt(sent[0], b);
			if (strcmp(b + 11, hours[h]) != 0 &&
			    strcmp(b, "2026-03-29 03:00") != 0)
				fail_msg("1d before %s sent at %s", s, b);
		}

	/* Minute by minute around the changes. */
	static const char *around[] = {
		"2026-03-29 09:00", "2026-03-30 09:00", "2026-03-29 03:30",
		"2026-10-25 09:00", "2026-10-26 09:00", "2026-10-25 03:30",
		"2026-10-25 02:30",
	};
	static const char *want1d[] = {
		"2026-03-28 09:00", "2026-03-29 09:00", "2026-03-28 03:30",
		"2026-10-24 09:00", "2026-10-25 09:00", "2026-10-24 03:30",
		"2026-10-24 02:30",
	};
	for (size_t i = 0; i < nitems(around); i++) {
		start = local(around[i]);
		drive(start - 3 * 86400, start, offs, 2, 60, sent);
		assert_local(sent[0], want1d[i]);
		assert_int_equal(sent[1], start - 7200);
	}
}

/* The daemon was down: after downtime only the closest one goes out. */
static void
test_reminders_downtime(void **state)
{
	static const struct offset offs[] = { { 0, 120 }, { 1, 0 },
	    { 0, 30 } };
	time_t start = local("2026-10-26 09:00"), sent[3];

	(void)state;
	/* Back an hour before the start: 2h and 1d are both late. */
	drive(local("2026-10-26 08:00"), start, offs, 3, 60, sent);
	assert_local(sent[0], "2026-10-26 08:00");
	assert_int_equal(sent[1], 0);
	assert_local(sent[2], "2026-10-26 08:30");
	/* Back after the start: nothing. */
	drive(local("2026-10-26 09:00"), start, offs, 3, 60, sent);
	assert_int_equal(sent[0] | sent[1] | sent[2], 0);
	drive(local("2026-10-26 09:00"), start, offs, 3, 0, sent);
	assert_int_equal(sent[0] | sent[1] | sent[2], 0);
	/* Back in the evening before: the 1d one, late, then the rest. */
	drive(local("2026-10-25 20:00"), start, offs, 3, 0, sent);
	assert_local(sent[1], "2026-10-25 20:00");
	assert_local(sent[0], "2026-10-26 07:00");
	assert_local(sent[2], "2026-10-26 08:30");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_programme_monday),
		cmocka_unit_test(test_programme_sunday_night),
		cmocka_unit_test(test_programme_edges),
		cmocka_unit_test(test_parse_offset),
		cmocka_unit_test(test_reminder_due),
		cmocka_unit_test(test_trainer_due),
		cmocka_unit_test(test_reminders_actions),
		cmocka_unit_test(test_reminders_year),
		cmocka_unit_test(test_reminders_downtime),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
