/* programme.c - the sessions of the coming weeks, per agent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "mailer.h"
#include "programme.h"
#include "registry.h"
#include "template.h"
#include "tz.h"
#include "util.h"

struct programme {
	struct session	*v;
	size_t		 n;
	char		**mailto;	/* per session */
	int		 weeks;
	int		 by_track;
	time_t		 now;
};

struct programme *
programme_load(struct app *app, time_t now)
{
	struct programme *p = xcalloc(1, sizeof *p);
	int weeks = app->conf->programme_weeks > 0 ?
	    app->conf->programme_weeks : 2;
	sqlite3_stmt *st = db_prepare(app->db, "SELECT id FROM sessions "
	    "WHERE status = 'planned' AND start_at > ? AND start_at <= ? "
	    "ORDER BY start_at, code");

	p->weeks = weeks;
	p->now = now;
	p->by_track = strcmp(app->conf->programme_group_by, "track") == 0;
	int64_t *ids = NULL;

	db_bind_int(st, 1, now);
	db_bind_int(st, 2, now + (time_t)weeks * 7 * 86400);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, p->n + 1, sizeof *ids);
		ids[p->n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	p->v = xcalloc(p->n, sizeof *p->v);
	p->mailto = xcalloc(p->n, sizeof *p->mailto);
	for (size_t i = 0; i < p->n; i++) {
		char *cmd;

		registry_session_id(app->db, ids[i], &p->v[i]);
		cmd = xasprintf("INSCRIPTION %s", p->v[i].code);
		p->mailto[i] = mailto_command(app->conf->school_address, cmd);
		free(cmd);
	}
	free(ids);
	if (p->by_track) {
		/* Stable by track, then time: insertion sort keeps order. */
		for (size_t i = 1; i < p->n; i++)
			for (size_t j = i; j > 0 && strcmp(p->v[j - 1].track,
			    p->v[j].track) > 0; j--) {
				struct session t = p->v[j];
				char *m = p->mailto[j];

				p->v[j] = p->v[j - 1];
				p->mailto[j] = p->mailto[j - 1];
				p->v[j - 1] = t;
				p->mailto[j - 1] = m;
			}
	}
	return p;
}

size_t
programme_count(const struct programme *p)
{
	return p->n;
}

void
programme_vars(const struct programme *p, struct app *app, int64_t agent_id,
    const char *lang, struct tpl_vars *v)
{
	struct tpl_vars *group = NULL;
	char last[256] = "";

	tpl_setf(v, "weeks", "%d", p->weeks);
	{
		char from[32], to[32];
		int en = strcmp(lang, "en") == 0;

		tz_format_dm(p->now, lang, from, sizeof from);
		tz_format_dm(p->now + ((time_t)p->weeks * 7 - 1) * 86400,
		    lang, to, sizeof to);
		tpl_setf(v, "period", en ? "%s to %s" : "du %s au %s", from,
		    to);
	}
	tpl_setf(v, "count", "%zu", p->n);
	for (size_t i = 0; i < p->n; i++) {
		const struct session *s = &p->v[i];
		struct tpl_vars *it;
		char day[64], key[256];
		int pos = 0;
		enum reg_state rs = RS_NONE;

		tz_format_day(s->start, lang, day, sizeof day);
		snprintf(key, sizeof key, "%s", p->by_track ?
		    (s->track[0] ? s->track : "—") : day);
		if (group == NULL || strcmp(key, last) != 0) {
			group = tpl_add_item(v, "days");
			tpl_set(group, "day", key);
			tpl_set(group, "group", key);
			snprintf(last, sizeof last, "%s", key);
		}
		it = tpl_add_item(group, "sessions");
		vars_session(it, s, lang);
		if (agent_id != 0)
			rs = registry_state(app->db, s->id, agent_id, &pos);
		if (s->registered < s->capacity && s->waiting == 0)
			tpl_setf(it, "free", "%d", s->capacity - s->registered);
		else
			tpl_set(it, "full", "1");
		tpl_setf(it, "waiting", "%d", s->waiting);
		if (reg_state_holds_place(rs))
			tpl_set(it, "registered", "1");
		if (rs == RS_WAITLISTED)
			tpl_setf(it, "waitlisted", "%d", pos);
		tpl_setf(it, "command_line", "INSCRIPTION %s", s->code);
		tpl_set(it, "mailto", p->mailto[i]);
	}
}

void
programme_free(struct programme *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		session_clear(&p->v[i]);
		free(p->mailto[i]);
	}
	free(p->v);
	free(p->mailto);
	free(p);
}
