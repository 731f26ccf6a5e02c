/*
 * scheduler.h - the mail trucd sends on its own: the weekly programme,
 * the reminders before each session, the trainer's list the day before.
 *
 * Every decision comes from schedule.h given the current time; every
 * scheduled mail is recorded (table scheduled) in the same transaction as
 * the mails it queued, so two runs never send it twice and a crash sends
 * it whole or not at all.
 */
#ifndef TRUCD_SCHEDULER_H
#define TRUCD_SCHEDULER_H

#include <time.h>

struct app;

/* Queues what is due at app_now(); returns the number of mails queued. */
size_t	 scheduled_run(struct app *);
/* When something will next be due (strictly after now); 0 if never. */
time_t	 scheduled_next(struct app *);
/*
 * Composes a mail queued deferred (outbox_add_deferred) as it goes: for
 * render "programme", the agent's programme as of now.  1 and *data (and
 * *subject, *msgid; the caller frees all three), 0 when it should no
 * longer go (*why: static), -1 when it cannot be made (*why).
 * scheduled_render_done() drops what was loaded for a delivery pass.
 */
int	 scheduled_render(struct app *, const char *render, const char *rcpt,
	    char **data, char **subject, char **msgid, const char **why);
void	 scheduled_render_done(void);
/*
 * The programme for one address (or everyone when to is NULL) without
 * sending or recording anything: trucctl programme --preview.  Caller frees.
 */
char	*programme_preview(struct app *, const char *to);

#endif
