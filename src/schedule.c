/* schedule.c - due times of the weekly programme, reminders, trainer notice. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "schedule.h"
#include "tz.h"

#define MAX_DAYS	365
#define MAX_MINUTES	(MAX_DAYS * 24 * 60)

/* A local calendar date, free of any time of day. */
struct date {
	int	y, mon, d;	/* mon 1-12 */
};

/*
 * Moves a calendar date by delta days.  Done in UTC at noon so that no
 * zone rule can shift it to another day.
 */
static struct date
date_add(struct date in, int delta)
{
	struct tm tm;
	struct date out;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = in.y - 1900;
	tm.tm_mon = in.mon - 1;
	tm.tm_mday = in.d + delta;
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	out.y = tm.tm_year + 1900;
	out.mon = tm.tm_mon + 1;
	out.d = tm.tm_mday;
	return out;
}

static struct date
date_of(const struct tm *tm)
{
	struct date d;

	d.y = tm->tm_year + 1900;
	d.mon = tm->tm_mon + 1;
	d.d = tm->tm_mday;
	return d;
}

static time_t
at(struct date d, int hour, int min)
{
	return tz_make_local(d.y, d.mon, d.d, hour, min);
}

static int
slot_valid(int wday, int hour, int min)
{
	return wday >= 0 && wday <= 6 && hour >= 0 && hour <= 23 &&
	    min >= 0 && min <= 59;
}

/* The local date of the latest slot at or before now, and its instant. */
static time_t
latest_slot(time_t now, int wday, int hour, int min, struct date *day)
{
	struct tm tm;
	struct date d;
	time_t t;

	tz_local(now, &tm);
	d = date_add(date_of(&tm), -((tm.tm_wday - wday + 7) % 7));
	t = at(d, hour, min);
	if (t > now) {
		d = date_add(d, -7);
		t = at(d, hour, min);
	}
	*day = d;
	return t;
}

time_t
sched_programme_slot(time_t now, int wday, int hour, int min, char *key,
    size_t keylen)
{
	struct date d;
	time_t t;

	if (keylen > 0)
		key[0] = '\0';
	if (!slot_valid(wday, hour, min))
		return (time_t)-1;
	t = latest_slot(now, wday, hour, min, &d);
	if (keylen > 0)
		snprintf(key, keylen, "programme:%04d-%02d-%02d", d.y, d.mon,
		    d.d);
	return t;
}

time_t
sched_programme_next(time_t now, int wday, int hour, int min)
{
	struct date d;
	time_t t;
	int i;

	if (!slot_valid(wday, hour, min))
		return (time_t)-1;
	latest_slot(now, wday, hour, min, &d);
	/* One step is always enough; the bound only guards the loop. */
	for (i = 0; i < 3; i++) {
		d = date_add(d, 7);
		t = at(d, hour, min);
		if (t > now)
			return t;
	}
	return now + 7 * 24 * 3600;
}

int
sched_parse_offset(const char *s, struct offset *out, const char **why)
{
	static const char units[] = "dhm";
	struct offset o = { 0, 0 };
	const char *p = s, *u;
	int last = -1, seen = 0, ndig, idx;
	long v, total;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0') {
		*why = "empty offset (write for example 1d, 2h or 30m)";
		return -1;
	}
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p)) {
			*why = "expected a number such as 1d, 2h or 30m";
			return -1;
		}
		v = 0;
		for (ndig = 0; isdigit((unsigned char)*p); p++, ndig++) {
			if (ndig >= 7) {
				*why = "offset too large (at most 365 days)";
				return -1;
			}
			v = v * 10 + (*p - '0');
		}
		idx = tolower((unsigned char)*p);
		if (idx == 'j')		/* French "jour" */
			idx = 'd';
		if (idx == '\0' || (u = strchr(units, idx)) == NULL) {
			*why = "missing or unknown unit (use d, h or m)";
			return -1;
		}
		p++;
		if (u - units <= last) {
			*why = "units must come in the order d, h, m, "
			    "each at most once";
			return -1;
		}
		last = (int)(u - units);
		switch (*u) {
		case 'd':
			if (v > MAX_DAYS)
				goto toolarge;
			o.days = (int)v;
			break;
		case 'h':
			if (v > MAX_MINUTES / 60)
				goto toolarge;
			o.minutes += (int)v * 60;
			break;
		default:
			if (v > MAX_MINUTES)
				goto toolarge;
			o.minutes += (int)v;
			break;
		}
		seen = 1;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	total = (long)o.days * 24 * 60 + o.minutes;
	if (total > MAX_MINUTES)
		goto toolarge;
	if (!seen || total == 0) {
		*why = "an offset must be more than zero";
		return -1;
	}
	*out = o;
	return 0;

toolarge:
	*why = "offset too large (at most 365 days)";
	return -1;
}

time_t
sched_reminder_due(time_t session_start, const struct offset *o)
{
	struct tm tm;
	time_t t = session_start;

	if (o->days > 0) {
		tz_local(session_start, &tm);
		t = at(date_add(date_of(&tm), -o->days), tm.tm_hour,
		    tm.tm_min) + tm.tm_sec;
	}
	return t - (time_t)o->minutes * 60;
}

void
sched_reminders(time_t now, time_t session_start, const struct offset *offs,
    size_t n, enum sched_action *actions)
{
	size_t i, best = n;
	time_t due, bestdue = 0;

	for (i = 0; i < n; i++) {
		actions[i] = SCHED_NOT_YET;
		due = sched_reminder_due(session_start, &offs[i]);
		if (due > now)
			continue;
		actions[i] = SCHED_SKIP;
		if (session_start <= now)
			continue;
		if (best == n || due > bestdue) {
			best = i;
			bestdue = due;
		}
	}
	if (best < n)
		actions[best] = SCHED_SEND;
}

time_t
sched_reminders_next(time_t now, time_t session_start,
    const struct offset *offs, size_t n)
{
	size_t i;
	time_t due, next = (time_t)-1;

	for (i = 0; i < n; i++) {
		due = sched_reminder_due(session_start, &offs[i]);
		if (due <= now || due >= session_start)
			continue;
		if (next == (time_t)-1 || due < next)
			next = due;
	}
	return next;
}

time_t
sched_trainer_due(time_t session_start)
{
	static const struct offset oneday = { 1, 0 };

	return sched_reminder_due(session_start, &oneday);
}
