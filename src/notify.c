/* notify.c - mails for promotions, demotions, cancellations and changes. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "mailer.h"
#include "notify.h"
#include "registry.h"
#include "template.h"
#include "tz.h"
#include "util.h"

static void
notify_one(struct app *app, const struct notice *n)
{
	struct agent ag;
	struct session s;
	struct tpl_vars *v;
	struct mail_opts o;
	const char *lang, *tpl = NULL;
	char *ics = NULL, *cancel_line;
	time_t now = app_now(app);

	if (!registry_agent_id(app->db, n->agent_id, &ag))
		return;
	if (!registry_session_id(app->db, n->session_id, &s)) {
		agent_clear(&ag);
		return;
	}
	lang = agent_lang(app, &ag);
	v = tpl_vars_new();
	vars_session(v, &s, lang);
	tpl_set(v, "greeting_name", ag.name);
	cancel_line = xasprintf("DESINSCRIPTION %s", s.code);
	tpl_set(v, "cancel_line", cancel_line);
	memset(&o, 0, sizeof o);
	switch (n->kind) {
	case NOTICE_PROMOTED:
		tpl = "promotion";
		ics = invitation(app, &s, ag.id, ag.email, ag.name, 0);
		o.calendar_method = "REQUEST";
		break;
	case NOTICE_DEMOTED:
		tpl = "demoted";
		tpl_setf(v, "position", "%d", n->position);
		ics = invitation(app, &s, ag.id, ag.email, ag.name, 1);
		o.calendar_method = "CANCEL";
		break;
	case NOTICE_SESSION_CANCELLED:
		tpl = "session_cancelled";
		tpl_set(v, "reason", s.cancel_reason);
		if (n->was_waiting)
			tpl_set(v, "waitlist", "1");
		else {
			/* Only a registered agent has an invitation to withdraw. */
			ics = invitation(app, &s, ag.id, ag.email, ag.name, 1);
			o.calendar_method = "CANCEL";
		}
		break;
	case NOTICE_SESSION_CHANGED: {
		char day[64], start[8], end[8];

		tpl = "session_changed";
		tz_format_day(n->old_start, lang, day, sizeof day);
		tz_format_hm(n->old_start, start, sizeof start);
		tz_format_hm(n->old_end, end, sizeof end);
		tpl_set(v, "old_day", day);
		tpl_set(v, "old_start_time", start);
		tpl_set(v, "old_end_time", end);
		tpl_set(v, "old_place", n->old_place != NULL ? n->old_place :
		    "");
		ics = invitation(app, &s, ag.id, ag.email, ag.name, 0);
		o.calendar_method = "REQUEST";
		break;
	}
	}
	o.calendar = ics;
	if (mailer_queue(app, tpl, tpl, lang, v, ag.email, ag.name, &o,
	    now) == -1)
		log_warnx("could not tell %s about %s", ag.email, s.code);
	free(ics);
	free(cancel_line);
	tpl_vars_free(v);
	agent_clear(&ag);
	session_clear(&s);
}

void
notify_notices(struct app *app, const struct notices *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		notify_one(app, &ns->v[i]);
}
