/*
 * tz.h - the one configured time zone of the process.
 *
 * trucd stores every instant as UTC seconds (time_t) and shows and reads
 * local wall-clock times of the configured zone (Europe/Paris by default).
 * The zone is process-wide (TZ + tzset), set once at start-up.
 */
#ifndef TRUCD_TZ_H
#define TRUCD_TZ_H

#include <stddef.h>
#include <time.h>

/* 1 if NAME is a zone of the system's tz database (/usr/share/zoneinfo). */
int	 tz_valid(const char *name);
/* Makes NAME the zone of every conversion below; -1 if it is not valid. */
int	 tz_set(const char *name);
const char *tz_name(void);

/*
 * Parses "YYYY-MM-DD HH:MM" (local time) into *out.  Returns 0, or -1 with
 * *why pointing to a static English reason ("not a date such as
 * 2026-12-07 14:00", "no such day: 2026-02-30", "this local time does not
 * exist (daylight saving change)").  An ambiguous time of the autumn change
 * takes its first (summer time) occurrence.
 */
int	 tz_parse_local(const char *s, time_t *out, const char **why);
/* Local "YYYY-MM-DD HH:MM" into buf (at least 17 bytes). */
void	 tz_format_local(time_t t, char *buf, size_t len);
/* Local "HH:MM" into buf (at least 6 bytes). */
void	 tz_format_hm(time_t t, char *buf, size_t len);
/*
 * A date for people, in LANG ("fr" or "en"): "lundi 7 décembre 2026" /
 * "Monday 7 December 2026".
 */
void	 tz_format_day(time_t t, const char *lang, char *buf, size_t len);
/* "30 novembre" / "30 November". */
void	 tz_format_dm(time_t t, const char *lang, char *buf, size_t len);
/* Broken-down local time of t (thread-unsafe callers use their own tm). */
void	 tz_local(time_t t, struct tm *tm);
/*
 * The instant of local wall-clock time (y, mon 1-12, d, h, m), normalising
 * out-of-range days (d = 32 is next month's 1st).  In a spring-forward gap
 * the result is the first valid instant after it.
 */
time_t	 tz_make_local(int y, int mon, int d, int h, int m);

#endif
