/* mailer.c - rendering, composing and queueing mail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "compose.h"
#include "db.h"
#include "ical.h"
#include "log.h"
#include "mailer.h"
#include "outbox.h"
#include "registry.h"
#include "template.h"
#include "tz.h"
#include "util.h"

void
mailer_block(struct app *app, const char *lang, const char *name,
    struct tpl_vars *v, struct buf *out)
{
	char *cause = NULL;
	char *text;

	tpl_set(v, "school", app->conf->school_name);
	tpl_set(v, "school_address", app->conf->school_address);
	tpl_set(v, "help_line", strcmp(lang, "en") == 0 ? "HELP" : "AIDE");
	text = tpl_render(app->templates, lang, name, v, NULL, &cause);
	if (text == NULL) {
		log_warnx("template %s/%s: %s", lang, name, cause);
		free(cause);
		return;
	}
	if (out->len > 0)
		buf_adds(out, "\n");
	buf_adds(out, text);
	if (out->len > 0 && out->s[out->len - 1] != '\n')
		buf_addc(out, '\n');
	free(text);
}

const char *
agent_lang(const struct app *app, const struct agent *a)
{
	if (a != NULL && a->lang != NULL && a->lang[0] != '\0')
		return a->lang;
	return app->conf->language;
}

void
vars_session(struct tpl_vars *v, const struct session *s, const char *lang)
{
	char day[64], date[32], start[8], end[8];

	tz_format_day(s->start, lang, day, sizeof day);
	tz_format_local(s->start, date, sizeof date);
	tz_format_hm(s->start, start, sizeof start);
	tz_format_hm(s->end, end, sizeof end);
	tpl_set(v, "code", s->code);
	tpl_set(v, "title", s->title);
	tpl_set(v, "track", s->track);
	tpl_set(v, "day", day);
	tpl_set(v, "date", date);
	tpl_set(v, "start_time", start);
	tpl_set(v, "end_time", end);
	tpl_set(v, "place", s->place);
	tpl_set(v, "trainer", s->trainer_name != NULL ? s->trainer_name :
	    s->trainer);
	tpl_set(v, "trainer_email", s->trainer);
	tpl_set(v, "description", s->description);
}

char *
mailto_command(const char *school_addr, const char *command)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "mailto:%s?subject=", school_addr);
	for (const unsigned char *p = (const unsigned char *)command; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_')
			buf_addc(&b, *p);
		else
			buf_addf(&b, "%%%02X", *p);
	}
	return buf_detach(&b);
}

char *
invitation(struct app *app, const struct session *s, int64_t agent_id,
    const char *agent_email, const char *agent_name, int cancel)
{
	struct ical_event ev;
	sqlite3_stmt *st;
	char *uid, *ics, *summary;
	int changes;

	st = db_prepare(app->db, "SELECT COUNT(*) FROM history WHERE "
	    "session_id = ? AND agent_id = ?");
	db_bind_int(st, 1, s->id);
	db_bind_int(st, 2, agent_id);
	changes = (int)db_one_int(app->db, st, 0);
	uid = ical_uid(s->code, agent_email, app->conf->school_domain);
	summary = xasprintf("%s : %s", app->conf->school_name, s->title);
	memset(&ev, 0, sizeof ev);
	ev.uid = uid;
	ev.sequence = s->sequence + changes;
	ev.start = s->start;
	ev.end = s->end;
	ev.dtstamp = app_now(app);
	ev.summary = summary;
	ev.location = s->place[0] != '\0' ? s->place : NULL;
	ev.description = s->description[0] != '\0' ? s->description : NULL;
	ev.organizer_addr = app->conf->school_address;
	ev.organizer_name = app->conf->school_name;
	ev.attendee_addr = agent_email;
	ev.attendee_name = agent_name != NULL && *agent_name ? agent_name : NULL;
	ev.tzid = app->conf->timezone;
	ics = cancel ? ical_cancel(&ev) : ical_request(&ev);
	free(uid);
	free(summary);
	return ics;
}

char *
mailer_compose(struct app *app, const char *name, const char *lang,
    struct tpl_vars *vars, const char *to_addr, const char *to_name,
    const struct mail_opts *opts, time_t now, char **subject_out,
    char **msgid_out)
{
	static const struct mail_opts none;
	struct outgoing o;
	char *text, *html = NULL, *subject = NULL, *cause = NULL, *msgid = NULL;
	char *data, *unsub = NULL, *html_name;

	if (opts == NULL)
		opts = &none;
	tpl_set(vars, "school", app->conf->school_name);
	tpl_set(vars, "school_address", app->conf->school_address);
	tpl_set(vars, "help_line", strcmp(lang, "en") == 0 ? "HELP" : "AIDE");
	if (opts->text != NULL)
		text = xstrdup(opts->text);
	else
		text = tpl_render(app->templates, lang, name, vars, &subject,
		    &cause);
	if (text == NULL) {
		log_warnx("template %s/%s: %s", lang, name, cause);
		free(cause);
		return NULL;
	}
	html_name = xasprintf("%s.html", name);
	if (opts->html == NULL && opts->text == NULL && tpl_exists(app->templates, lang, html_name)) {
		html = tpl_render(app->templates, lang, html_name, vars, NULL,
		    &cause);
		if (html == NULL) {
			log_warnx("template %s/%s: %s", lang, html_name, cause);
			free(cause);
			cause = NULL;
		}
	}
	free(html_name);
	if (opts->list_unsubscribe)
		unsub = xasprintf("<mailto:%s?subject=STOP%%20PROGRAMME>",
		    app->conf->school_address);
	memset(&o, 0, sizeof o);
	o.from_name = app->conf->school_name;
	o.from_addr = app->conf->school_address;
	o.to_name = to_name != NULL && *to_name ? to_name : NULL;
	o.to_addr = to_addr;
	o.subject = opts->subject != NULL ? opts->subject :
	    subject != NULL ? subject : app->conf->school_name;
	o.in_reply_to = opts->in_reply_to;
	o.references = opts->references;
	o.auto_submitted = opts->auto_submitted != NULL ?
	    opts->auto_submitted : "auto-generated";
	o.list_unsubscribe = unsub;
	o.msgid_domain = app->conf->school_domain;
	o.lang = lang;
	o.date = now;
	o.text = text;
	o.html = opts->html != NULL ? opts->html : html;
	o.calendar = opts->calendar;
	o.calendar_method = opts->calendar_method;
	o.attachments = opts->attachments;
	o.nattachments = opts->nattachments;
	o.precedence = opts->precedence;
	data = compose(&o, &msgid, &cause);
	if (data == NULL) {
		log_warnx("cannot compose mail to %s: %s", to_addr, cause);
		free(cause);
		free(msgid);
	} else {
		*subject_out = xstrdup(o.subject);
		*msgid_out = msgid;
	}
	free(unsub);
	free(text);
	free(html);
	free(subject);
	return data;
}

int
mailer_queue(struct app *app, const char *kind, const char *name,
    const char *lang, struct tpl_vars *vars, const char *to_addr,
    const char *to_name, const struct mail_opts *opts, time_t now)
{
	char *subject, *msgid, *data;

	data = mailer_compose(app, name, lang, vars, to_addr, to_name, opts,
	    now, &subject, &msgid);
	if (data == NULL)
		return -1;
	outbox_add(app->db, kind, app->conf->school_address, to_addr, subject,
	    msgid, data, strlen(data), now);
	free(data);
	free(subject);
	free(msgid);
	return 0;
}
