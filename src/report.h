/*
 * report.h - the year's figures that the school reports publicly.
 *
 * report_compute() reads them from the database into a struct of plain
 * numbers; report_text() and report_html() only render that struct.
 *
 * Definitions (the year is the local calendar year of the configured zone):
 *   held session     not cancelled, and started within the year, before
 *                    `now` (a session later this year is "upcoming").
 *   participation    one agent at one held session: status attended; or,
 *                    where attendance was not taken for that session (no
 *                    one marked attended or absent), status registered.
 *                    Where attendance was taken, an agent left registered
 *                    (not marked) is not counted: nobody knows.
 *   participants     distinct agents with at least one participation.
 *   per track        held sessions and participations of each track;
 *                    mean attendance = participations / held sessions.
 *   regular trainer  trainer (by address, case ignored) of at least two
 *                    held sessions.
 *   fill rate        places taken / places offered over held sessions:
 *                    taken = registered + attended + absent, offered =
 *                    the sum of capacities.
 *   no-show rate     absent / (attended + absent), over held sessions
 *                    where attendance was taken.
 *   month by month   participations by the local month of the session.
 * A rate whose denominator is 0 is undefined: report_rate() says so and
 * the renderers print "—".
 */
#ifndef TRUCD_REPORT_H
#define TRUCD_REPORT_H

#include <time.h>

struct db;

struct report_track {
	char	*track;		/* "" when the sessions have none */
	int	 sessions;	/* held */
	int	 participations;
	int	 places_offered;
	int	 places_taken;
};

struct report_trainer {
	char	*trainer;	/* the address as stored on the session */
	char	*name;		/* from the directory; "" when unknown */
	int	 sessions;	/* held */
};

struct report_stats {
	int	 year;
	int	 sessions_held;
	int	 sessions_cancelled;	/* cancelled sessions of the year */
	int	 sessions_upcoming;	/* planned, not started yet */
	int	 participations;
	int	 participants;		/* distinct agents */
	int	 attended, absent;	/* where attendance was taken */
	int	 places_offered, places_taken;
	int	 monthly[12];		/* participations, January first */
	struct report_track	*tracks;	/* by name, "" last */
	size_t			 ntracks;
	struct report_trainer	*trainers;	/* most sessions first */
	size_t			 ntrainers;
};

/*
 * Fills *st (which it clears first) for YEAR with `now` deciding which
 * sessions have started.  0, or -1 if year is out of 1970-9999 or the
 * database fails (st is then left empty).  Release with
 * report_stats_clear().
 */
int	 report_compute_at(struct db *, int year, time_t now,
	    struct report_stats *);
/* The same with the real clock. */
int	 report_compute(struct db *, int year, struct report_stats *);
void	 report_stats_clear(struct report_stats *);

/* 1 and *rate = num / den, or 0 when den is 0 (undefined). */
int	 report_rate(int num, int den, double *rate);

/*
 * Plain text for a terminal, French labels: sections of ';'-separated
 * LF-terminated lines (header line first; RFC 4180 quotes only where a
 * field holds ';', '"' or a line break; a field starting with = + - @
 * gets a leading '), decimal commas, "—" for an undefined rate, a blank
 * line between sections.  Caller frees.
 */
char	*report_text(const struct report_stats *);
/*
 * A self-contained HTML page (UTF-8, inline styles, inline SVG bar charts
 * with text alternatives and the same figures in tables; no script, no
 * remote file).  school_name may be NULL.  Caller frees.
 */
char	*report_html(const struct report_stats *, const char *school_name);

#endif
