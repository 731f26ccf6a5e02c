/* scheduler.c - the weekly programme, reminders and trainers' lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "log.h"
#include "mailer.h"
#include "outbox.h"
#include "programme.h"
#include "registry.h"
#include "schedule.h"
#include "scheduler.h"
#include "template.h"
#include "tz.h"
#include "util.h"

#define MAX_OFFSETS 16

static int
recorded(struct db *db, const char *key)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT COUNT(*) FROM scheduled "
	    "WHERE key = ?");

	db_bind_text(st, 1, key);
	return db_one_int(db, st, 0) > 0;
}

static void
record(struct db *db, const char *key, const char *outcome, time_t now)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT OR IGNORE INTO scheduled "
	    "(key, at, outcome) VALUES (?, ?, ?)");

	db_bind_text(st, 1, key);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, outcome);
	db_exec_stmt(db, st);
}

static size_t
offsets(struct app *app, struct offset *offs)
{
	size_t n = 0;

	for (size_t i = 0; i < app->conf->nreminders && n < MAX_OFFSETS; i++) {
		const char *why;

		if (sched_parse_offset(app->conf->reminders[i], &offs[n],
		    &why) == 0)
			n++;
	}
	return n;
}

static void
programme_for(struct app *app, const struct programme *p,
    const struct agent *ag, struct tpl_vars *v)
{
	const char *lang = agent_lang(app, ag);

	programme_vars(p, app, ag != NULL ? ag->id : 0, lang, v);
	tpl_set(v, "greeting_name", ag != NULL ? ag->name : "");
	tpl_set(v, "school", app->conf->school_name);
	tpl_set(v, "school_address", app->conf->school_address);
}

static size_t
send_programme(struct app *app, time_t now)
{
	char key[SCHED_KEY_LEN];
	time_t slot;
	struct programme *p;
	int64_t *ids = NULL;
	size_t n = 0, queued = 0;

	if (!app->conf->programme_enabled)
		return 0;
	slot = sched_programme_slot(now, app->conf->programme_wday,
	    app->conf->programme_hour, app->conf->programme_min, key,
	    sizeof key);
	if (slot == (time_t)-1 || recorded(app->db, key))
		return 0;
	p = programme_load(app, now);
	ids = registry_programme_agents(app->db, &n);
	/*
	 * Each agent's mail is composed as it goes (scheduled_render): the
	 * queue holds who and what, not 10,000 bodies of 50 KB.
	 */
	for (size_t i = 0; i < n; i++) {
		struct agent ag;

		if (!registry_agent_id(app->db, ids[i], &ag))
			continue;
		outbox_add_deferred(app->db, "programme",
		    app->conf->school_address, ag.email, "(programme)",
		    "programme", now);
		queued++;
		agent_clear(&ag);
	}
	record(app->db, key, "sent", now);
	log_info("weekly programme %s: %zu sessions, queued for %zu agents",
	    key, programme_count(p), queued);
	free(ids);
	programme_free(p);
	return queued;
}

/*
 * When the session is, from now: "aujourd'hui", "demain", or its day.  Said
 * from the real time left, so a reminder sent late does not say "dans 2
 * heures" an hour before.
 */
static void
when_text(time_t now, time_t start, const char *lang, char *buf, size_t len)
{
	int en = strcmp(lang, "en") == 0;
	struct tm a, b;
	char day[64];

	tz_local(now, &a);
	tz_local(start, &b);
	if (a.tm_year == b.tm_year && a.tm_yday == b.tm_yday)
		snprintf(buf, len, "%s", en ? "today" : "aujourd'hui");
	else {
		tz_local(now + 86400, &a);
		if (a.tm_year == b.tm_year && a.tm_yday == b.tm_yday)
			snprintf(buf, len, "%s", en ? "tomorrow" : "demain");
		else {
			tz_format_day(start, lang, day, sizeof day);
			snprintf(buf, len, en ? "on %s" : "le %s", day);
		}
	}
}

static size_t
remind_session(struct app *app, const struct session *s, time_t now)
{
	sqlite3_stmt *st = db_prepare(app->db, "SELECT agent_id FROM "
	    "registrations WHERE session_id = ? AND status = 'registered' "
	    "ORDER BY seq");
	int64_t *ids = NULL;
	size_t n = 0, queued = 0;

	db_bind_int(st, 1, s->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++) {
		struct agent ag;
		struct tpl_vars *v;
		struct mail_opts mo;
		const char *lang;
		char when[64], *ics;

		if (!registry_agent_id(app->db, ids[i], &ag))
			continue;
		lang = agent_lang(app, &ag);
		v = tpl_vars_new();
		vars_session(v, s, lang);
		when_text(now, s->start, lang, when, sizeof when);
		tpl_set(v, "when", when);
		{
			char *cmd = xasprintf("DESINSCRIPTION %s", s->code);
			char *mt = mailto_command(app->conf->school_address, cmd);

			tpl_set(v, "cancel_mailto", mt);
			free(mt);
			free(cmd);
		}
		tpl_set(v, "greeting_name", ag.name);
		tpl_setf(v, "cancel_line", "DESINSCRIPTION %s", s->code);
		ics = invitation(app, s, ag.id, ag.email, ag.name, 0);
		memset(&mo, 0, sizeof mo);
		mo.calendar = ics;
		mo.calendar_method = "REQUEST";
		if (mailer_queue(app, "reminder", "reminder", lang, v, ag.email,
		    ag.name, &mo, now) == 0)
			queued++;
		free(ics);
		tpl_vars_free(v);
		agent_clear(&ag);
	}
	free(ids);
	return queued;
}

static size_t
trainer_list(struct app *app, const struct session *s, time_t now)
{
	sqlite3_stmt *st;
	struct tpl_vars *v;
	struct agent tr;
	const char *lang;
	size_t queued = 0;

	if (s->trainer[0] == '\0')
		return 0;
	registry_agent(app->db, s->trainer, &tr);
	lang = agent_lang(app, &tr);
	v = tpl_vars_new();
	vars_session(v, s, lang);
	tpl_set(v, "greeting_name", tr.name != NULL ? tr.name : "");
	tpl_setf(v, "registered", "%d", s->registered);
	tpl_setf(v, "waiting", "%d", s->waiting);
	tpl_setf(v, "presents_line", "PRESENTS %s", s->code);
	st = db_prepare(app->db, "SELECT a.name, a.email, a.service FROM "
	    "registrations r JOIN agents a ON a.id = r.agent_id WHERE "
	    "r.session_id = ? AND r.status = 'registered' ORDER BY a.name");
	db_bind_int(st, 1, s->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct tpl_vars *it = tpl_add_item(v, "attendees");

		tpl_set(it, "name", db_col_text(st, 0));
		tpl_set(it, "email", db_col_text(st, 1));
		tpl_set(it, "service", db_col_text(st, 2));
	}
	sqlite3_reset(st);
	if (mailer_queue(app, "trainer", "trainer_list", lang, v, s->trainer,
	    tr.name, NULL, now) == 0)
		queued = 1;
	tpl_vars_free(v);
	agent_clear(&tr);
	return queued;
}

/* Planned sessions starting in (now, now + horizon]. */
static size_t
upcoming(struct app *app, time_t now, time_t horizon, int64_t **ids)
{
	sqlite3_stmt *st = db_prepare(app->db, "SELECT id FROM sessions WHERE "
	    "status = 'planned' AND start_at > ? AND start_at <= ? "
	    "ORDER BY start_at");
	size_t n = 0;

	*ids = NULL;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, now + horizon);
	while (sqlite3_step(st) == SQLITE_ROW) {
		*ids = xreallocarray(*ids, n + 1, sizeof **ids);
		(*ids)[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return n;
}

static time_t
horizon(const struct offset *offs, size_t n)
{
	time_t h = 2 * 86400;	/* the trainer's list, with a margin */

	for (size_t i = 0; i < n; i++) {
		time_t o = (time_t)(offs[i].days + 1) * 86400 +
		    (time_t)offs[i].minutes * 60;

		if (o > h)
			h = o;
	}
	return h;
}

static size_t
send_reminders(struct app *app, time_t now)
{
	struct offset offs[MAX_OFFSETS];
	size_t noffs = offsets(app, offs), queued = 0, nsess;
	int64_t *ids;

	nsess = upcoming(app, now, horizon(offs, noffs), &ids);
	for (size_t k = 0; k < nsess; k++) {
		struct session s;
		enum sched_action act[MAX_OFFSETS];
		char key[128];

		if (!registry_session_id(app->db, ids[k], &s))
			continue;
		sched_reminders(now, s.start, offs, noffs, act);
		for (size_t i = 0; i < noffs; i++) {
			/* The start is in the key: a moved session is reminded anew. */
			snprintf(key, sizeof key, "reminder:%s:%lld:%s", s.code,
			    (long long)s.start, app->conf->reminders[i]);
			if (act[i] == SCHED_NOT_YET || recorded(app->db, key))
				continue;
			if (act[i] == SCHED_SEND)
				queued += remind_session(app, &s, now);
			record(app->db, key, act[i] == SCHED_SEND ? "sent" :
			    "skipped", now);
		}
		snprintf(key, sizeof key, "trainer:%s:%lld", s.code,
		    (long long)s.start);
		if (sched_trainer_due(s.start) <= now &&
		    !recorded(app->db, key)) {
			queued += trainer_list(app, &s, now);
			record(app->db, key, "sent", now);
		}
		session_clear(&s);
	}
	free(ids);
	return queued;
}

size_t
scheduled_run(struct app *app)
{
	time_t now = app_now(app);
	size_t queued;

	db_begin(app->db);
	queued = send_programme(app, now);
	queued += send_reminders(app, now);
	db_commit(app->db);
	return queued;
}

time_t
scheduled_next(struct app *app)
{
	time_t now = app_now(app), next = 0, t;
	struct offset offs[MAX_OFFSETS];
	size_t noffs = offsets(app, offs), nsess;
	int64_t *ids;

	if (app->conf->programme_enabled) {
		next = sched_programme_next(now, app->conf->programme_wday,
		    app->conf->programme_hour, app->conf->programme_min);
		if (next == (time_t)-1)
			next = 0;
	}
	nsess = upcoming(app, now, horizon(offs, noffs) + 8 * 86400, &ids);
	for (size_t k = 0; k < nsess; k++) {
		struct session s;

		if (!registry_session_id(app->db, ids[k], &s))
			continue;
		t = sched_reminders_next(now, s.start, offs, noffs);
		if (t != (time_t)-1 && t > now && (next == 0 || t < next))
			next = t;
		t = sched_trainer_due(s.start);
		if (t > now && (next == 0 || t < next))
			next = t;
		session_clear(&s);
	}
	free(ids);
	return next;
}

char *
programme_preview(struct app *app, const char *to)
{
	struct programme *p = programme_load(app, app_now(app));
	struct tpl_vars *v = tpl_vars_new();
	struct agent ag;
	int found = to != NULL && registry_agent(app->db, to, &ag);
	char *text, *subject = NULL, *cause = NULL;
	struct buf out = BUF_INIT;

	programme_for(app, p, found ? &ag : NULL, v);
	text = tpl_render(app->templates, agent_lang(app, found ? &ag : NULL),
	    "programme", v, &subject, &cause);
	if (text == NULL) {
		buf_addf(&out, "template programme: %s\n", cause);
		free(cause);
	} else
		buf_addf(&out, "Subject: %s\n\n%s", subject != NULL ? subject :
		    "", text);
	free(text);
	free(subject);
	tpl_vars_free(v);
	if (found)
		agent_clear(&ag);
	programme_free(p);
	return buf_detach(&out);
}

static struct programme *render_cache;

int
scheduled_render(struct app *app, const char *render, const char *rcpt,
    char **data, char **subject, char **msgid, const char **why)
{
	struct agent ag;
	struct tpl_vars *v;
	struct mail_opts o;
	time_t now = app_now(app);

	if (strcmp(render, "programme") != 0) {
		*why = "unknown kind of deferred mail";
		return -1;
	}
	if (!registry_agent(app->db, rcpt, &ag)) {
		*why = "no longer in the directory";
		return 0;
	}
	/* Stopped or bounced since it was queued: it goes no more. */
	if (!ag.programme || ag.bounced) {
		*why = ag.bounced ? "the address bounces" :
		    "the agent stopped the programme";
		agent_clear(&ag);
		return 0;
	}
	if (render_cache == NULL)
		render_cache = programme_load(app, now);
	v = tpl_vars_new();
	programme_for(app, render_cache, &ag, v);
	memset(&o, 0, sizeof o);
	o.list_unsubscribe = 1;
	o.precedence = "bulk";
	*data = mailer_compose(app, "programme", agent_lang(app, &ag), v,
	    ag.email, ag.name, &o, now, subject, msgid);
	tpl_vars_free(v);
	agent_clear(&ag);
	if (*data == NULL) {
		*why = "the programme could not be composed (see the log)";
		return -1;
	}
	return 1;
}

void
scheduled_render_done(void)
{
	programme_free(render_cache);
	render_cache = NULL;
}
