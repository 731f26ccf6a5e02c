/*
 * schedule.h - when scheduled mail is due: the weekly programme, the
 * reminders before a session, the trainer's notice.
 *
 * Pure decisions: every function takes `now` (UTC seconds) and does no I/O
 * and keeps no state; the caller records what it sent and asks again.
 * Wall-clock times are those of the configured zone (tz.h), so tz_set()
 * must have been called.  The days of an offset are calendar days of that
 * zone: "1d" before a 09:00 session is 09:00 the previous day, even across
 * a daylight saving change; hours and minutes are elapsed time.
 */
#ifndef TRUCD_SCHEDULE_H
#define TRUCD_SCHEDULE_H

#include <stddef.h>
#include <time.h>

/* Enough for "programme:YYYY-MM-DD" and its NUL. */
#define SCHED_KEY_LEN	32

/*
 * The weekly programme goes out on local weekday `wday` (0 = Sunday .. 6)
 * at hour:min.  Returns the instant of the most recent slot at or before
 * now and writes its key ("programme:2026-11-30", the slot's local date)
 * into key: the caller sends the programme when that key is not yet
 * recorded, so a run that starts late sends the latest missed slot once and
 * never the older ones.  A wall-clock time that a spring change skips is
 * taken as the first instant after the gap.  Returns (time_t)-1 and an
 * empty key when wday, hour or min are out of range.
 */
time_t	 sched_programme_slot(time_t now, int wday, int hour, int min,
	    char *key, size_t keylen);
/* The next slot strictly after now (what to sleep until); -1 as above. */
time_t	 sched_programme_next(time_t now, int wday, int hour, int min);

/*
 * A reminder offset before a session: "1d", "2h", "30m", "1d12h",
 * "1d 12h" (units in the order d, h, m, each once; "j" is taken for "d";
 * case does not matter).  At most 365 days in all, more than zero.
 */
struct offset {
	int	days;		/* calendar days, local wall-clock */
	int	minutes;	/* elapsed minutes (hours included) */
};

/*
 * Parses s into *out.  Returns 0, or -1 with *why set to a static English
 * reason (out is then untouched).
 */
int	 sched_parse_offset(const char *s, struct offset *out,
	    const char **why);
/*
 * When the reminder is due: the same wall-clock time `days` calendar days
 * before the start (first instant after a spring gap), then `minutes`
 * earlier.
 */
time_t	 sched_reminder_due(time_t session_start, const struct offset *);

enum sched_action {
	SCHED_NOT_YET,		/* not due yet: ask again later */
	SCHED_SEND,		/* send it now */
	SCHED_SKIP		/* due but never to be sent: record as skipped */
};

/*
 * Decides, for one session, what to do now with each of the n offsets
 * (in any order) and writes it to actions[0..n-1]:
 * - a reminder is due when its due time is <= now;
 * - when the session has started (start <= now), every due reminder is
 *   SCHED_SKIP: nothing is sent about a session under way or over;
 * - otherwise, of the due reminders only the one closest to the start is
 *   SCHED_SEND (the first of equals) and the others are SCHED_SKIP, so a
 *   daemon that was down sends one reminder, not a burst.
 * Pass every configured offset, not only the ones not yet sent: the
 * caller ignores the action of an offset it already recorded (sent or
 * skipped).  Passing only the unsent ones would send "1d" after "2h".
 */
void	 sched_reminders(time_t now, time_t session_start,
	    const struct offset *offs, size_t n, enum sched_action *actions);
/*
 * The earliest due time strictly after now among the offsets, for a
 * session that has not started by then; (time_t)-1 when there is none.
 */
time_t	 sched_reminders_next(time_t now, time_t session_start,
	    const struct offset *offs, size_t n);

/* The trainer's notice: the day before, same wall-clock time ("1d"). */
time_t	 sched_trainer_due(time_t session_start);

#endif
