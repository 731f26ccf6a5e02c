/*
 * tz.c - conversions between UTC instants and the configured zone's
 * wall-clock time.  The zone is process-wide (TZ + tzset) because the C
 * library offers nothing else without a third-party tz library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tz.h"
#include "util.h"

static char current_zone[128] = "UTC";

int
tz_valid(const char *name)
{
	char path[512];
	struct stat st;

	if (name == NULL || *name == '\0' || name[0] == '/' ||
	    strstr(name, "..") != NULL || strlen(name) >= 128)
		return 0;
	if (strcmp(name, "UTC") == 0)
		return 1;
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
tz_set(const char *name)
{
	if (!tz_valid(name))
		return -1;
	snprintf(current_zone, sizeof current_zone, "%s", name);
	setenv("TZ", name, 1);
	tzset();
	return 0;
}

const char *
tz_name(void)
{
	return current_zone;
}

void
tz_local(time_t t, struct tm *tm)
{
	localtime_r(&t, tm);
}

static int
days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/*
 * mktime with tm_isdst = -1 guesses in the gaps and overlaps; asking with
 * both isdst values and keeping the candidates whose wall clock reads back
 * unchanged gives a deterministic answer.
 */
static int
local_to_utc(int y, int mon, int d, int h, int mi, time_t *out)
{
	time_t best = (time_t)-1;
	int found = 0;

	for (int isdst = 1; isdst >= 0; isdst--) {
		struct tm tm = { 0 }, back;
		time_t t;

		tm.tm_year = y - 1900;
		tm.tm_mon = mon - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_isdst = isdst;
		t = mktime(&tm);
		if (t == (time_t)-1)
			continue;
		localtime_r(&t, &back);
		if (back.tm_year != y - 1900 || back.tm_mon != mon - 1 ||
		    back.tm_mday != d || back.tm_hour != h || back.tm_min != mi)
			continue;
		/* Two readings in the autumn overlap: the first one wins. */
		if (!found || t < best)
			best = t;
		found = 1;
	}
	if (!found)
		return -1;
	*out = best;
	return 0;
}

int
tz_parse_local(const char *s, time_t *out, const char **why)
{
	int y, mon, d, h, mi, n = 0;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d %2d:%2d%n", &y, &mon, &d, &h,
	    &mi, &n) != 5 || s[n] != '\0' || strlen(s) != 16 ||
	    s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':') {
		*why = "not a date and time such as 2026-12-07 14:00";
		return -1;
	}
	if (y < 1970 || y > 2200 || mon < 1 || mon > 12 || d < 1 ||
	    d > days_in_month(y, mon)) {
		*why = "no such day";
		return -1;
	}
	if (h > 23 || mi > 59) {
		*why = "no such time of day";
		return -1;
	}
	if (local_to_utc(y, mon, d, h, mi, out) == -1) {
		*why = "this local time does not exist (daylight saving change)";
		return -1;
	}
	return 0;
}

time_t
tz_make_local(int y, int mon, int d, int h, int m)
{
	struct tm tm = { 0 };
	time_t t;

	/* Normalise the date part first (d = 32, m = 60 ...) in UTC. */
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = m;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	if (local_to_utc(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, &t) == 0)
		return t;
	/* In the spring gap: step forward minute by minute (at most 2 h). */
	for (int k = 1; k <= 180; k++) {
		struct tm n = tm;

		n.tm_min += k;
		t = timegm(&n);
		gmtime_r(&t, &n);
		if (local_to_utc(n.tm_year + 1900, n.tm_mon + 1, n.tm_mday,
		    n.tm_hour, n.tm_min, &t) == 0)
			return t;
	}
	tm.tm_isdst = -1;
	return mktime(&tm);
}

void
tz_format_local(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

void
tz_format_hm(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M", &tm);
}

static const char *fr_months[] = { "janvier", "février", "mars", "avril",
    "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
    "décembre" };
static const char *en_months[] = { "January", "February", "March", "April",
    "May", "June", "July", "August", "September", "October", "November",
    "December" };

void
tz_format_dm(time_t t, const char *lang, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	snprintf(buf, len, "%d %s", tm.tm_mday, lang != NULL &&
	    strcmp(lang, "en") == 0 ? en_months[tm.tm_mon] :
	    fr_months[tm.tm_mon]);
}

void
tz_format_day(time_t t, const char *lang, char *buf, size_t len)
{
	static const char *fr_days[] = { "dimanche", "lundi", "mardi",
	    "mercredi", "jeudi", "vendredi", "samedi" };
	static const char *en_days[] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	struct tm tm;

	localtime_r(&t, &tm);
	if (lang != NULL && strcmp(lang, "en") == 0)
		snprintf(buf, len, "%s %d %s %d", en_days[tm.tm_wday],
		    tm.tm_mday, en_months[tm.tm_mon], tm.tm_year + 1900);
	else
		snprintf(buf, len, "%s %d %s %d", fr_days[tm.tm_wday],
		    tm.tm_mday, fr_months[tm.tm_mon], tm.tm_year + 1900);
}
