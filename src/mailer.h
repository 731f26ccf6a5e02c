/*
 * mailer.h - turning a template and its variables into a queued mail.
 *
 * Every mail trucd sends goes through mailer_queue(): the template gives
 * the subject and text (and HTML when a NAME.html template exists), compose
 * builds the MIME message, and the outbox keeps it until SMTP takes it.
 * The caller's transaction decides when it becomes real.
 */
#ifndef TRUCD_MAILER_H
#define TRUCD_MAILER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct app;
struct out_attachment;
struct agent;
struct buf;
struct session;
struct tpl_vars;

struct mail_opts {
	const char	*in_reply_to;	/* message answered, NULL if none */
	const char	*references;
	const char	*auto_submitted; /* NULL: "auto-generated" */
	const char	*subject;	/* overrides the template's subject */
	const char	*calendar;	/* iCalendar text or NULL */
	const char	*calendar_method;
	const struct out_attachment *attachments;
	size_t		 nattachments;
	int		 list_unsubscribe;	/* add the STOP PROGRAMME link */
	const char	*precedence;
	const char	*text;		/* ready text (overrides the template's) */
	const char	*html;		/* ready HTML (overrides NAME.html) */
};

/*
 * Renders template NAME in LANG with VARS (school, school_address and
 * help_line are added), composes the mail to (to_addr, to_name) and queues
 * it with the given kind.  0, or -1 when the template or the address is
 * bad (logged; nothing queued).
 */
int	 mailer_queue(struct app *, const char *kind, const char *name,
	    const char *lang, struct tpl_vars *vars, const char *to_addr,
	    const char *to_name, const struct mail_opts *opts, time_t now);

/*
 * The same without queueing: the whole message (caller frees), its subject
 * and Message-ID (caller frees both); NULL when the template or the
 * address is bad (logged).
 */
char	*mailer_compose(struct app *, const char *name, const char *lang,
	    struct tpl_vars *vars, const char *to_addr, const char *to_name,
	    const struct mail_opts *opts, time_t now, char **subject,
	    char **msgid);
/* Renders outcome block NAME (no subject) and appends it to out, blank-line separated. */
void	 mailer_block(struct app *, const char *lang, const char *name,
	    struct tpl_vars *, struct buf *out);
/* The agent's language, else the configured one. */
const char *agent_lang(const struct app *, const struct agent *);
/* Sets code, title, track, day, date, start_time, end_time, place, trainer, description. */
void	 vars_session(struct tpl_vars *, const struct session *, const char *lang);
/* The mailto: link that pre-fills a command to the school. */
char	*mailto_command(const char *school_addr, const char *command);

/*
 * The invitation (REQUEST or CANCEL) of one agent for one session; the
 * SEQUENCE grows with every change of the session and of the registration.
 * Caller frees.
 */
char	*invitation(struct app *, const struct session *, int64_t agent_id,
	    const char *agent_email, const char *agent_name, int cancel);

#endif
