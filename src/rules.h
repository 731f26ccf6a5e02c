/*
 * rules.h - the registration rules, as pure decisions over a snapshot of
 * one session.  registry.c reads the snapshot from the database, asks
 * here, and applies the answer; these functions do no I/O.
 */
#ifndef TRUCD_RULES_H
#define TRUCD_RULES_H

#include <time.h>

enum reg_state {
	RS_NONE,		/* no row for this agent and session */
	RS_REGISTERED,
	RS_WAITLISTED,
	RS_CANCELLED,
	RS_ATTENDED,
	RS_ABSENT,
};

struct session_view {
	int	 cancelled;
	time_t	 start, end;
	int	 capacity;
	int	 registered;	/* holding a place: registered, attended, absent */
	int	 waiting;
};

enum reg_outcome {
	OUT_REGISTERED,
	OUT_WAITLISTED,
	OUT_ALREADY_REGISTERED,
	OUT_ALREADY_WAITLISTED,
	OUT_REFUSED_PAST,
	OUT_REFUSED_STARTED,
	OUT_REFUSED_CANCELLED,
	OUT_UNKNOWN_SESSION,
};

enum unreg_outcome {
	UNREG_CANCELLED,	/* a place was freed */
	UNREG_LEFT_WAITLIST,
	UNREG_NOT_REGISTERED,
	UNREG_REFUSED_PAST,
	UNREG_REFUSED_STARTED,
	UNREG_UNKNOWN_SESSION,
};

enum reg_outcome	 rules_register(const struct session_view *,
			    enum reg_state current, time_t now);
enum unreg_outcome	 rules_unregister(const struct session_view *,
			    enum reg_state current, time_t now);
/* How many of the waiting to promote now (never a free place while someone waits). */
int			 rules_promotions(const struct session_view *);
/* How many registered exceed the capacity (after it was lowered). */
int			 rules_overflow(const struct session_view *);
/* 1 if [a0, a1) and [b0, b1) overlap. */
int			 rules_overlap(time_t a0, time_t a1, time_t b0, time_t b1);

const char		*reg_state_name(enum reg_state);	/* "registered", … */
enum reg_state		 reg_state_parse(const char *);	/* RS_NONE if unknown */
int			 reg_state_holds_place(enum reg_state);

#endif
