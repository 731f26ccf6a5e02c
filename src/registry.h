/*
 * registry.h - sessions, agents and registrations in the database, kept
 * to the rules of rules.h.
 *
 * Every change of a registration writes a history row with `why` (which
 * mail and command, or which trucctl call).  Functions that change things
 * expect the caller to hold a transaction (db_begin) so that a message's
 * effects commit together; they never commit themselves.
 *
 * Structs filled here own their strings: release them with session_clear()
 * / agent_clear() / notices_free().
 */
#ifndef TRUCD_REGISTRY_H
#define TRUCD_REGISTRY_H

#include <stdint.h>
#include <time.h>

#include "db.h"
#include "rules.h"

struct session {
	int64_t	 id;
	char	*code, *title, *track, *place, *trainer, *description;
	char	*cancel_reason;
	char	*trainer_name;	/* the trainer's name from the directory, else the address */
	int	 cancelled;
	time_t	 start, end;
	int	 capacity;
	int	 registered;	/* places held */
	int	 waiting;
	int	 sequence;	/* iCalendar SEQUENCE: raised on time/place changes */
};

struct agent {
	int64_t	 id;
	char	*email, *name, *service, *manager, *lang;
	int	 programme;	/* receives the weekly programme */
	int	 bounced;	/* the address is known to bounce */
};

/* Someone other than the sender must be told something. */
enum notice_kind {
	NOTICE_PROMOTED,	/* taken off the waiting list */
	NOTICE_DEMOTED,		/* capacity lowered: back to the waiting list */
	NOTICE_SESSION_CANCELLED,
	NOTICE_SESSION_CHANGED,	/* time or place changed */
};

struct notice {
	enum notice_kind kind;
	int64_t		 agent_id;
	int64_t		 session_id;
	int		 position;	/* DEMOTED: waiting-list position */
	int		 was_waiting;	/* SESSION_CANCELLED: had no place yet */
	time_t		 old_start, old_end;	/* CHANGED */
	char		*old_place;		/* CHANGED */
};

struct notices {
	struct notice	*v;
	size_t		 n;
};

void	 session_clear(struct session *);
void	 agent_clear(struct agent *);
void	 notices_free(struct notices *);

/* 1 and *s filled when found, else 0 (and *s zeroed). */
int	 registry_session(struct db *, const char *code, struct session *s);
int	 registry_session_id(struct db *, int64_t id, struct session *s);
int	 registry_agent(struct db *, const char *email, struct agent *a);
int	 registry_agent_id(struct db *, int64_t id, struct agent *a);
/* The agent's id, creating a directory entry (from a known domain) if needed. */
int64_t	 registry_agent_ensure(struct db *, const char *email, const char *name,
	    time_t now);

/* Codes of planned sessions not yet over at now (for "closest code"
 * suggestions); caller frees each and the array. */
char	**registry_codes(struct db *, time_t now, size_t *n);

enum reg_state registry_state(struct db *, int64_t session_id,
	    int64_t agent_id, int *position);

struct reg_result {
	struct session	 session;	/* the session (zero if unknown) */
	int		 position;	/* waiting-list position */
	struct session	*clashes;	/* the agent's overlapping sessions */
	size_t		 nclashes;
};
void	 reg_result_clear(struct reg_result *);

enum reg_outcome registry_register(struct db *, const char *code,
	    int64_t agent_id, time_t now, const char *why,
	    struct reg_result *res);
/* Promotions to announce are appended to *out. */
enum unreg_outcome registry_unregister(struct db *, const char *code,
	    int64_t agent_id, time_t now, const char *why,
	    struct reg_result *res, struct notices *out);

/*
 * Restores the invariants of one session after a change: promotes the
 * first waiting while places are free, and sends the most recent
 * registrations back to the head of the waiting list while more are
 * registered than the capacity.  Each move is appended to *out.
 */
void	 registry_balance(struct db *, int64_t session_id, time_t now,
	    const char *why, struct notices *out);

/* Cancels a session: everyone registered or waiting is cancelled and appended to *out. 0, or -1 if unknown or already cancelled. */
int	 registry_cancel_session(struct db *, const char *code,
	    const char *reason, time_t now, const char *why, struct notices *out);

/* Attendance: RS_ATTENDED or RS_ABSENT for a registered agent; -1 if not registered. */
int	 registry_mark(struct db *, int64_t session_id, int64_t agent_id,
	    enum reg_state st, time_t now, const char *why);

int	 registry_set_programme(struct db *, int64_t agent_id, int on);
/* The agents who receive the programme and announcements: not stopped,
 * not bouncing.  Caller frees the array of ids. */
int64_t	*registry_programme_agents(struct db *, size_t *n);
int	 registry_mark_bounced(struct db *, const char *email,
	    const char *reason);

#endif

/* Applying a checked import (import.h rows) inside the caller's transaction. */
struct session_row;
struct agent_row;
struct import_summary {
	char	**added;	/* codes */
	size_t	  nadded;
	char	**changed;	/* "code: what changed" */
	size_t	  nchanged;
	size_t	  unchanged;
};
void	 import_summary_free(struct import_summary *);
/*
 * Adds new sessions and updates existing ones (by code).  A change of time
 * or place raises the session's sequence and appends NOTICE_SESSION_CHANGED
 * for everyone registered; a capacity change rebalances (promotions and
 * demotions appended to *out).
 */
void	 registry_import_sessions(struct db *, const struct session_row *,
	    size_t n, time_t now, const char *why, struct import_summary *,
	    struct notices *out);
void	 registry_import_agents(struct db *, const struct agent_row *,
	    size_t n, time_t now, struct import_summary *);
/* Sets a session's capacity and rebalances; -1 if unknown or capacity < 1. */
int	 registry_set_capacity(struct db *, const char *code, int capacity,
	    time_t now, const char *why, struct notices *out);
