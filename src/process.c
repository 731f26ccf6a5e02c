/*
 * process.c - one incoming mail: classification, commands, reply.
 *
 * The order matters: robots are recognised before anything is read as a
 * command (a bounce quotes our own programme); unknown and forged senders
 * are refused before any effect; the reply is composed last, from the
 * outcome of every command.
 */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "app.h"
#include "auth.h"
#include "classify.h"
#include "command.h"
#include "compose.h"
#include "coordinator.h"
#include "db.h"
#include "ical.h"
#include "log.h"
#include "mailer.h"
#include "message.h"
#include "notify.h"
#include "process.h"
#include "programme.h"
#include "quote.h"
#include "registry.h"
#include "template.h"
#include "tz.h"
#include "util.h"

/* What one message is turning into. */
struct reply {
	struct app	*app;
	const struct message *msg;
	const char	*sender;	/* normalised address */
	struct agent	 agent;
	const char	*lang;
	char		*why;		/* history: which mail */
	struct buf	 outcomes;	/* rendered blocks */
	struct notices	 notices;	/* for others */
	/* invitations for the reply: the first is the calendar part */
	char		*ics[8];
	const char	*ics_method[8];
	char		*ics_name[8];
	size_t		 nics;
	struct reply_files files;	/* LISTE, EMARGEMENT results */
	struct coord_ctx coord;		/* coordinator commands of this mail */
	time_t		 now;
};

static char *
digest_key(const char *raw, size_t len)
{
	unsigned char d[32];
	char hex[65];

	gnutls_hash_fast(GNUTLS_DIG_SHA256, raw, len, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return xasprintf("sha256:%s", hex);
}

static char *
message_key(const struct message *m, const char *raw, size_t len)
{
	if (m != NULL && m->message_id != NULL && m->message_id[0] != '\0')
		return xasprintf("<%s>%s", m->message_id,
		    m->from_addr != NULL ? m->from_addr : "");
	return digest_key(raw, len);
}

static int
already_handled(struct db *db, const char *key)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT COUNT(*) FROM handled "
	    "WHERE key = ?");

	db_bind_text(st, 1, key);
	return db_one_int(db, st, 0) > 0;
}

static void
record_handled(struct db *db, const char *key, const char *sender,
    const char *outcome, time_t now)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT OR IGNORE INTO handled "
	    "(key, at, sender, outcome) VALUES (?, ?, ?, ?)");

	db_bind_text(st, 1, key);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, sender != NULL ? sender : "");
	db_bind_text(st, 4, outcome);
	if (db_exec_stmt(db, st) == -1)
		fatalx("cannot record a handled message");
}

static void
block(struct reply *r, const char *name, struct tpl_vars *v)
{
	mailer_block(r->app, r->lang, name, v, &r->outcomes);
}

static void
add_invitation(struct reply *r, const struct session *s, int cancel)
{
	if (r->nics >= nitems(r->ics))
		return;
	r->ics[r->nics] = invitation(r->app, s, r->agent.id, r->agent.email,
	    r->agent.name, cancel);
	r->ics_method[r->nics] = cancel ? "CANCEL" : "REQUEST";
	r->ics_name[r->nics] = xasprintf("%s.ics", s->code);
	r->nics++;
}

static void
unknown_code_block(struct reply *r, const char *code)
{
	struct tpl_vars *v = tpl_vars_new();
	size_t nknown = 0;
	char **known = registry_codes(r->app->db, r->now, &nknown);
	const char *best[3];
	size_t nbest = code_closest(code, (const char *const *)known, nknown,
	    best, nitems(best));

	tpl_set(v, "code", code);
	for (size_t i = 0; i < nbest; i++) {
		struct tpl_vars *it = tpl_add_item(v, "suggestions");
		struct session s;

		tpl_set(it, "code", best[i]);
		if (registry_session(r->app->db, best[i], &s)) {
			tpl_set(it, "title", s.title);
			session_clear(&s);
		}
		tpl_setf(it, "command_line", "INSCRIPTION %s", best[i]);
	}
	block(r, "unknown_code", v);
	tpl_vars_free(v);
	for (size_t i = 0; i < nknown; i++)
		free(known[i]);
	free(known);
}

static void
understood(struct tpl_vars *v, const struct command *c, const char *word,
    const char *code)
{
	if (c->guessed)
		tpl_setf(v, "understood", "%s %s", word, code);
}

static void
do_register(struct reply *r, const struct command *c, const char *code)
{
	struct reg_result res;
	enum reg_outcome o = registry_register(r->app->db, code, r->agent.id,
	    r->now, r->why, &res);
	struct tpl_vars *v = tpl_vars_new();
	const char *tpl = NULL;

	if (o == OUT_UNKNOWN_SESSION) {
		tpl_vars_free(v);
		unknown_code_block(r, code);
		return;
	}
	vars_session(v, &res.session, r->lang);
	understood(v, c, "INSCRIPTION", code);
	tpl_setf(v, "cancel_line", "DESINSCRIPTION %s", code);
	for (size_t i = 0; i < res.nclashes; i++) {
		struct tpl_vars *it = tpl_add_item(v, "clash");

		vars_session(it, &res.clashes[i], r->lang);
	}
	switch (o) {
	case OUT_REGISTERED:
		tpl = "registered";
		add_invitation(r, &res.session, 0);
		break;
	case OUT_WAITLISTED:
		tpl = "waitlisted";
		tpl_setf(v, "position", "%d", res.position);
		break;
	case OUT_ALREADY_REGISTERED:
		tpl = "already_registered";
		break;
	case OUT_ALREADY_WAITLISTED:
		tpl = "already_waitlisted";
		tpl_setf(v, "position", "%d", res.position);
		break;
	case OUT_REFUSED_PAST:
		tpl = "refused";
		tpl_set(v, "past", "1");
		break;
	case OUT_REFUSED_STARTED:
		tpl = "refused";
		tpl_set(v, "started", "1");
		break;
	case OUT_REFUSED_CANCELLED:
		tpl = "refused";
		tpl_set(v, "cancelled", "1");
		tpl_set(v, "reason", res.session.cancel_reason);
		break;
	case OUT_UNKNOWN_SESSION:
		break;
	}
	block(r, tpl, v);
	tpl_vars_free(v);
	reg_result_clear(&res);
}

static void
do_unregister(struct reply *r, const struct command *c, const char *code)
{
	struct reg_result res;
	enum unreg_outcome o = registry_unregister(r->app->db, code,
	    r->agent.id, r->now, r->why, &res, &r->notices);
	struct tpl_vars *v = tpl_vars_new();
	const char *tpl = NULL;

	if (o == UNREG_UNKNOWN_SESSION) {
		tpl_vars_free(v);
		unknown_code_block(r, code);
		return;
	}
	vars_session(v, &res.session, r->lang);
	understood(v, c, "DESINSCRIPTION", code);
	switch (o) {
	case UNREG_CANCELLED:
		tpl = "unregistered";
		add_invitation(r, &res.session, 1);
		break;
	case UNREG_LEFT_WAITLIST:
		tpl = "unregistered";
		tpl_set(v, "was_waiting", "1");
		break;
	case UNREG_NOT_REGISTERED:
		tpl = "not_registered";
		break;
	case UNREG_REFUSED_PAST:
		tpl = "refused";
		tpl_set(v, "past", "1");
		break;
	case UNREG_REFUSED_STARTED:
		tpl = "refused";
		tpl_set(v, "started", "1");
		break;
	case UNREG_UNKNOWN_SESSION:
		break;
	}
	block(r, tpl, v);
	tpl_vars_free(v);
	reg_result_clear(&res);
}

static void
do_my_registrations(struct reply *r)
{
	struct tpl_vars *v = tpl_vars_new();
	sqlite3_stmt *st = db_prepare(r->app->db, "SELECT s.id, r.status "
	    "FROM registrations r JOIN sessions s ON s.id = r.session_id "
	    "WHERE r.agent_id = ? AND r.status IN ('registered', 'waitlisted') "
	    "AND s.status = 'planned' AND s.end_at > ? ORDER BY s.start_at");
	int64_t ids[200];
	int waiting[200];
	size_t n = 0;

	db_bind_int(st, 1, r->agent.id);
	db_bind_int(st, 2, r->now);
	while (n < nitems(ids) && sqlite3_step(st) == SQLITE_ROW) {
		ids[n] = sqlite3_column_int64(st, 0);
		waiting[n++] = strcmp(db_col_text(st, 1), "waitlisted") == 0;
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++) {
		struct session s;
		struct tpl_vars *it;
		int pos;

		if (!registry_session_id(r->app->db, ids[i], &s))
			continue;
		it = tpl_add_item(v, waiting[i] ? "waiting" : "registrations");
		vars_session(it, &s, r->lang);
		tpl_setf(it, "cancel_line", "DESINSCRIPTION %s", s.code);
		if (waiting[i]) {
			registry_state(r->app->db, s.id, r->agent.id, &pos);
			tpl_setf(it, "position", "%d", pos);
		}
		session_clear(&s);
	}
	block(r, "my_registrations", v);
	tpl_vars_free(v);
}

static void
do_programme(struct reply *r)
{
	struct programme *p = programme_load(r->app, r->now);
	struct tpl_vars *v = tpl_vars_new();

	programme_vars(p, r->app, r->agent.id, r->lang, v);
	block(r, "programme_sent", v);
	tpl_vars_free(v);
	programme_free(p);
}

static void
do_propose(struct reply *r, const struct command *c)
{
	sqlite3_stmt *st = db_prepare(r->app->db, "INSERT INTO proposals (at, "
	    "email, name, title, description) VALUES (?, ?, ?, ?, ?)");
	struct tpl_vars *v = tpl_vars_new();
	const char *title = c->arg != NULL && *c->arg ? c->arg : "(sans titre)";

	db_bind_int(st, 1, r->now);
	db_bind_text(st, 2, r->sender);
	db_bind_text(st, 3, r->agent.name);
	db_bind_text(st, 4, title);
	db_bind_text(st, 5, c->rest != NULL ? c->rest : "");
	db_exec_stmt(r->app->db, st);
	tpl_set(v, "title", title);
	tpl_set(v, "description", c->rest != NULL ? c->rest : "");
	tpl_set(v, "from_name", r->agent.name);
	tpl_set(v, "from_addr", r->sender);
	for (size_t i = 0; i < r->app->conf->ncoordinators; i++)
		mailer_queue(r->app, "proposal", "proposal",
		    r->app->conf->language, v, r->app->conf->coordinators[i],
		    NULL, NULL, r->now);
	block(r, "proposal_received", v);
	tpl_vars_free(v);
}

static void
do_programme_subscription(struct reply *r, int on)
{
	struct tpl_vars *v = tpl_vars_new();

	registry_set_programme(r->app->db, r->agent.id, on);
	block(r, on ? "start_programme" : "stop_programme", v);
	tpl_vars_free(v);
}

static void
do_help(struct reply *r)
{
	struct tpl_vars *v = tpl_vars_new();

	tpl_set(v, "school_address", r->app->conf->school_address);
	tpl_set(v, "school", r->app->conf->school_name);
	block(r, "help", v);
	tpl_vars_free(v);
}

static void
apply(struct reply *r, const struct command *c)
{
	switch (c->kind) {
	case CMD_REGISTER:
		for (size_t i = 0; i < c->ncodes; i++)
			do_register(r, c, c->codes[i]);
		break;
	case CMD_UNREGISTER:
		for (size_t i = 0; i < c->ncodes; i++)
			do_unregister(r, c, c->codes[i]);
		break;
	case CMD_PROGRAMME:
		do_programme(r);
		break;
	case CMD_MY_REGISTRATIONS:
		do_my_registrations(r);
		break;
	case CMD_HELP:
		do_help(r);
		break;
	case CMD_PROPOSE:
		do_propose(r, c);
		break;
	case CMD_STOP_PROGRAMME:
		do_programme_subscription(r, 0);
		break;
	case CMD_START_PROGRAMME:
		do_programme_subscription(r, 1);
		break;
	default:
		r->coord.why = r->why;
		coordinator_apply(&r->coord, c);
		break;
	}
}

/* Incoming METHOD:REPLY from a calendar: Accept registers, Decline cancels. */
static int
calendar_reply(struct reply *r)
{
	struct ical_reply ir;
	char *cause = NULL, *code, *uid;
	struct command c;
	int handled = 0;

	if (r->msg->calendar == NULL)
		return 0;
	if (ical_parse_reply(r->msg->calendar, strlen(r->msg->calendar), &ir,
	    &cause) == -1) {
		free(cause);
		return 0;
	}
	code = xstrndup(ir.uid, strcspn(ir.uid, "."));
	uid = ical_uid(code, r->sender, r->app->conf->school_domain);
	/* Only the attendee, from their own address, answers for themselves. */
	if (!addr_equal(ir.attendee, r->sender) ||
	    ascii_strcasecmp(uid, ir.uid) != 0) {
		log_warnx("calendar reply for %s from %s ignored: not the "
		    "attendee's own invitation", ir.attendee, r->sender);
	} else if (ir.partstat == PARTSTAT_ACCEPTED ||
	    ir.partstat == PARTSTAT_DECLINED) {
		memset(&c, 0, sizeof c);
		c.kind = ir.partstat == PARTSTAT_ACCEPTED ? CMD_REGISTER :
		    CMD_UNREGISTER;
		if (c.kind == CMD_REGISTER)
			do_register(r, &c, code);
		else
			do_unregister(r, &c, code);
		handled = 1;
	} else
		handled = 1;	/* tentative: nothing to do, nothing to say */
	free(uid);
	free(code);
	ical_reply_free(&ir);
	return handled;
}

static int
over_reply_limit(struct reply *r)
{
	sqlite3_stmt *st = db_prepare(r->app->db, "SELECT COUNT(*) FROM "
	    "replies_sent WHERE rcpt = ? AND at > ?");

	db_bind_text(st, 1, r->sender);
	db_bind_int(st, 2, r->now - 3600);
	return db_one_int(r->app->db, st, 0) >= r->app->conf->replies_per_hour;
}

static void
send_reply(struct reply *r)
{
	struct tpl_vars *v;
	struct mail_opts o;
	struct out_attachment att[12];
	size_t natt = 0;
	char *subject;
	sqlite3_stmt *st;

	if (over_reply_limit(r)) {
		log_warnx("%s: more than %d replies this hour; mail read but "
		    "not answered", r->sender, r->app->conf->replies_per_hour);
		return;
	}
	v = tpl_vars_new();
	tpl_set(v, "greeting_name", r->agent.name);
	tpl_set(v, "outcomes", r->outcomes.s != NULL ? r->outcomes.s : "");
	tpl_set(v, "original_subject", r->msg->subject);
	memset(&o, 0, sizeof o);
	o.in_reply_to = r->msg->message_id;
	o.references = r->msg->references;
	o.auto_submitted = "auto-replied";
	subject = xasprintf("Re: %s", r->msg->subject[0] != '\0' ?
	    r->msg->subject : r->app->conf->school_name);
	/* "Re: Re: x" reads badly: keep one prefix. */
	if (str_startswith_ci(r->msg->subject, "re:")) {
		free(subject);
		subject = xstrdup(r->msg->subject);
	}
	o.subject = subject;
	if (r->nics > 0) {
		o.calendar = r->ics[0];
		o.calendar_method = r->ics_method[0];
	}
	for (size_t i = 1; i < r->nics && natt < nitems(att); i++) {
		att[natt].filename = r->ics_name[i];
		att[natt].content_type = "application/ics";
		att[natt].data = r->ics[i];
		att[natt++].len = strlen(r->ics[i]);
	}
	for (size_t i = 0; i < r->files.n && natt < nitems(att); i++)
		att[natt++] = r->files.v[i];
	o.attachments = att;
	o.nattachments = natt;
	if (mailer_queue(r->app, "reply", "reply", r->lang, v, r->sender,
	    r->agent.name, &o, r->now) == 0) {
		st = db_prepare(r->app->db, "INSERT INTO replies_sent (rcpt, at) "
		    "VALUES (?, ?)");
		db_bind_text(st, 1, r->sender);
		db_bind_int(st, 2, r->now);
		db_exec_stmt(r->app->db, st);
	}
	free(subject);
	tpl_vars_free(v);
}

static void
reply_clear(struct reply *r)
{
	agent_clear(&r->agent);
	free(r->why);
	buf_free(&r->outcomes);
	notices_free(&r->notices);
	for (size_t i = 0; i < r->nics; i++) {
		free(r->ics[i]);
		free(r->ics_name[i]);
	}
	reply_files_free(&r->files);
}

/*
 * The language of the mail when it says (Content-Language), else the one
 * the agent wrote in last, else the configured one.  What a mail says is
 * kept, so that the programme and reminders follow.
 */
static const char *
choose_lang(struct app *app, const struct agent *a, const struct message *m)
{
	const char *said = NULL;

	if (m->content_language != NULL) {
		if (str_startswith_ci(m->content_language, "en"))
			said = "en";
		else if (str_startswith_ci(m->content_language, "fr"))
			said = "fr";
	}
	if (said != NULL && a->id != 0 && strcmp(a->lang, said) != 0) {
		sqlite3_stmt *st = db_prepare(app->db, "UPDATE agents SET "
		    "lang = ? WHERE id = ?");

		db_bind_text(st, 1, said);
		db_bind_int(st, 2, a->id);
		db_exec_stmt(app->db, st);
	}
	if (said != NULL)
		return said;
	if (a->lang != NULL && a->lang[0] != '\0')
		return a->lang;
	return app->conf->language;
}

/* A bounce: a permanent failure for an address we mailed marks it. */
static void
handle_bounce(struct app *app, const struct classification *cl)
{
	for (size_t i = 0; i < cl->nfailed; i++) {
		sqlite3_stmt *st = db_prepare(app->db, "SELECT COUNT(*) FROM "
		    "outbox WHERE rcpt = ? COLLATE NOCASE");

		if (!cl->permanent) {
			log_info("temporary delivery failure for %s: nothing "
			    "changed", cl->failed[i]);
			continue;
		}
		db_bind_text(st, 1, cl->failed[i]);
		if (db_one_int(app->db, st, 0) == 0) {
			log_info("bounce for %s, an address we never mailed: "
			    "ignored", cl->failed[i]);
			continue;
		}
		if (registry_mark_bounced(app->db, cl->failed[i],
		    "permanent delivery failure") == 0)
			log_notice("%s marked undeliverable (bounce)",
			    cl->failed[i]);
	}
}

/*
 * quiet: the message is automatic but answers one of our invitations
 * (some calendar clients mark their Accept/Decline so): its calendar reply
 * is applied, nothing else is read, and no mail goes back.
 */
static void
handle_person(struct app *app, const struct message *m, const char *raw,
    size_t len, const char *key, int quiet)
{
	struct reply r;
	struct command_list cl;
	char *sender, *words, *subject;
	enum auth_verdict av;
	int known;
	const char *outcome = "answered";

	memset(&r, 0, sizeof r);
	r.app = app;
	r.msg = m;
	r.now = app_now(app);
	sender = m->from_addr != NULL ? addr_normalise(m->from_addr) : NULL;
	if (sender == NULL) {
		log_warnx("message %s: no usable From address; not answered",
		    key);
		record_handled(app->db, key, "", "no sender", r.now);
		return;
	}
	r.sender = sender;
	av = auth_check(m, app->conf->trusted_authserv_id, sender);
	if (av == AUTH_FAIL) {
		/* A forged From: obey nothing and answer nobody (the victim). */
		log_warnx("message %s claims to be from %s but fails DMARC: "
		    "ignored", key, sender);
		record_handled(app->db, key, sender, "forged", r.now);
		free(sender);
		return;
	}
	known = registry_agent(app->db, sender, &r.agent);
	if (!known && !conf_domain_known(app->conf, sender) &&
	    !conf_is_coordinator(app->conf, sender) && quiet) {
		record_handled(app->db, key, sender, "automatic", r.now);
		free(sender);
		return;
	}
	if (!known && !conf_domain_known(app->conf, sender) &&
	    !conf_is_coordinator(app->conf, sender)) {
		struct tpl_vars *v = tpl_vars_new();

		r.lang = choose_lang(app, &r.agent, m);
		if (app->conf->ncoordinators > 0)
			tpl_set(v, "coordinator", app->conf->coordinators[0]);
		block(&r, "unknown_sender", v);
		tpl_vars_free(v);
		send_reply(&r);
		log_info("%s is not a known agent: refused", sender);
		record_handled(app->db, key, sender, "unknown sender", r.now);
		reply_clear(&r);
		free(sender);
		return;
	}
	if (!known) {
		registry_agent_ensure(app->db, sender, m->from_name, r.now);
		registry_agent(app->db, sender, &r.agent);
	}
	r.lang = choose_lang(app, &r.agent, m);
	r.why = xasprintf("mail <%s> from %s", m->message_id != NULL ?
	    m->message_id : key, sender);
	r.coord.app = app;
	r.coord.msg = m;
	r.coord.raw = raw;
	r.coord.rawlen = len;
	r.coord.sender = sender;
	r.coord.lang = r.lang;
	r.coord.now = r.now;
	r.coord.outcomes = &r.outcomes;
	r.coord.notices = &r.notices;
	r.coord.files = &r.files;

	if (quiet) {
		if (!calendar_reply(&r))
			outcome = "automatic";
		else
			outcome = "calendar reply (automatic, not answered)";
		notify_notices(app, &r.notices);
		record_handled(app->db, key, sender, outcome, r.now);
		reply_clear(&r);
		free(sender);
		return;
	}
	if (m->headers_only) {
		struct tpl_vars *v = tpl_vars_new();

		tpl_setf(v, "max_size", "%ld", app->conf->max_message_size /
		    (1024 * 1024));
		block(&r, "over_size", v);
		tpl_vars_free(v);
		outcome = "too large";
	} else if (!calendar_reply(&r)) {
		words = own_words(m->text);
		subject = subject_strip(m->subject);
		commands_parse(subject, words, (size_t)app->conf->max_commands,
		    &cl);
		if (cl.too_many) {
			struct tpl_vars *v = tpl_vars_new();

			tpl_setf(v, "max", "%d", app->conf->max_commands);
			block(&r, "too_many", v);
			tpl_vars_free(v);
			outcome = "too many commands";
		} else if (cl.n == 0) {
			struct tpl_vars *v = tpl_vars_new();

			if (cl.suggestion != NULL) {
				char *mt = mailto_command(
				    app->conf->school_address, cl.suggestion);

				tpl_set(v, "suggestion", cl.suggestion);
				tpl_set(v, "mailto", mt);
				free(mt);
			}
			block(&r, "unclear", v);
			tpl_vars_free(v);
			outcome = "no command";
		} else {
			for (size_t i = 0; i < cl.n; i++) {
				free(r.why);
				r.why = xasprintf("mail <%s> from %s: %s",
				    m->message_id != NULL ? m->message_id : key,
				    sender, cl.v[i].line != NULL ?
				    cl.v[i].line : cmd_kind_name(cl.v[i].kind));
				apply(&r, &cl.v[i]);
			}
		}
		commands_free(&cl);
		free(words);
		free(subject);
	}
	notify_notices(app, &r.notices);
	send_reply(&r);
	record_handled(app->db, key, sender, outcome, r.now);
	reply_clear(&r);
	free(sender);
}

enum process_status
process_message(struct app *app, const char *raw, size_t len, uint32_t uid)
{
	struct parse_limits lim = { (size_t)app->conf->max_message_size,
	    (size_t)app->conf->max_body_lines };
	struct message *m = NULL;
	struct classification cl;
	char *cause = NULL, *key;
	enum process_status rc = PROCESS_DONE;

	if (message_parse(raw, len, &lim, &m, &cause) == -1) {
		key = digest_key(raw, len);
		rc = already_handled(app->db, key) ? PROCESS_ALREADY :
		    PROCESS_UNPARSABLE;
		if (rc == PROCESS_UNPARSABLE)
			log_warnx("message UID %u cannot be parsed (%s): moved "
			    "to %s", uid, cause, app->conf->error_mailbox);
		free(cause);
		free(key);
		return rc;
	}
	key = message_key(m, raw, len);
	db_begin(app->db);
	if (already_handled(app->db, key)) {
		log_info("message UID %u (%s) was handled before: moving it "
		    "only", uid, key);
		rc = PROCESS_ALREADY;
	} else {
		classify(m, app->conf->school_address, &cl);
		switch (cl.cls) {
		case MSG_PERSON:
			handle_person(app, m, raw, len, key, 0);
			break;
		case MSG_AUTOREPLY:
			if (m->calendar != NULL &&
			    strcasestr(m->calendar, "METHOD:REPLY") != NULL) {
				handle_person(app, m, raw, len, key, 1);
				break;
			}
			log_info("message UID %u from %s is automatic (%s): not "
			    "answered", uid, m->from_addr != NULL ?
			    m->from_addr : "?", cl.why);
			record_handled(app->db, key, m->from_addr, cl.why,
			    app_now(app));
			break;
		case MSG_BOUNCE:
			handle_bounce(app, &cl);
			record_handled(app->db, key, m->from_addr, "bounce",
			    app_now(app));
			break;
		default:
			log_info("message UID %u from %s is automatic (%s): not "
			    "answered", uid, m->from_addr != NULL ?
			    m->from_addr : "?", cl.why);
			record_handled(app->db, key, m->from_addr, cl.why,
			    app_now(app));
			break;
		}
		classification_free(&cl);
	}
	db_commit(app->db);
	free(key);
	message_free(m);
	return rc;
}
